// tsnet's entry: ip's global options (also accepted after the object, a
// tsnet extension), then one command or a batch, on the kernel or the model.
// Returns the exit status; never lets an exception reach the user as a trace.
import type { Backend } from './backend.js';
import { Context } from './ip/context.js';
import { Exit } from './ip/matches.js';
import type { HandOverHook } from './ip/context.js';
import { runBatch, runCommand } from './ip/main.js';
import type { CompletionEnv } from './ip/object.js';
import { type GlobalOptions, defaultOptions, parseOption } from './ip/options.js';
import { objectNamed, rawCommand, resolveObject, usageExit } from './ip/registry.js';
import { Output, writeAll } from './lib/output.js';
import { progName } from './lib/progname.js';
import { VERSION } from './version.js';

/**
 * Reads global options from words[start..] into `opts`; returns the index of
 * the first word that is not one. An unknown option is ip's error, unless
 * `lenient` (after the object, where it may be the command's own word).
 */
function readOptions(words: string[], start: number, opts: GlobalOptions, lenient: boolean): number {
  let i = start;
  while (i < words.length) {
    const w = words[i];
    // Before the object `--` ends the options (as ip's); after it, the word is the command's (`a --`).
    if (w === '--') return lenient ? i : i + 1;
    if (w[0] !== '-' || w.length < 2) return i;
    if (!parseOption(w, () => words[++i], opts)) {
      if (lenient) return i;
      throw new Exit(255, [`Option "${w[1] === '-' ? w.slice(1) : w}" is unknown, try "${progName()} -help".`]);
    }
    if (opts.version) {
      // Under the name ip, ip 6.1's own line (scripts parse it for the version).
      writeAll(1, progName() === 'ip' ? 'ip utility, iproute2-6.1.0, libbpf 1.1.2\n' : `tsnet utility, iproute2-6.1.0 compatible, tsnet ${VERSION}\n`);
      throw new Exit(0);
    }
    if (opts.help) usageExit();
    i++;
  }
  return i;
}

/** Is `word` a global option that takes no value (so it may also end a command line)? */
function isFlagOption(word: string): boolean {
  if (word[0] !== '-') return false;
  const probe = defaultOptions();
  let wantsValue = false;
  try {
    const ok = parseOption(word, () => { wantsValue = true; return undefined; }, probe);
    return ok && !wantsValue && !probe.version && !probe.help;
  } catch {
    return false;
  }
}

/**
 * Does the last word stand where the command takes a value (`link change -ts`:
 * the device; `dev -j`)? Then it is the command's, as in ip, not a trailing option.
 */
function takesValue(words: string[]): boolean {
  const before = words[words.length - 2];
  if (before === 'dev') return true;
  if (words.length !== 3) return false;
  // The verbs whose first word is a name or an address (abbreviated at most to three letters, as written in scripts).
  return before === 'chg' || (before.length >= 3 && ['add', 'change', 'set', 'replace', 'delete'].some((v) => v.startsWith(before)));
}

export interface RunHooks {
  /**
   * Loads the code of the model or of the kernel backend (with --trace's decoder when `trace`);
   * what it returns opens one for these options.
   */
  loadBackend(model: boolean, trace: boolean): Promise<(opts: GlobalOptions) => Backend>;
  /** Enters a network namespace; returns an error line on failure. */
  switchNetns(name: string): string | undefined;
  /** Runs the system's ip with these options and words (a batch's line: `inBatch`); undefined when there is none. */
  handOver?: HandOverHook;
}

/**
 * The command that runs `argv` (an object's, or a raw command's such as
 * `completion`), by the rules run() follows; undefined when none does (no
 * object, an unknown one, or a global option error). oclif is routed by it.
 */
export function commandOf(argv: string[]): string | undefined {
  const raw = rawCommand(argv[0]);
  if (raw) return raw.command;
  const probe = defaultOptions();
  let i = 0;
  try {
    for (; i < argv.length && argv[i][0] === '-' && argv[i].length > 1 && argv[i] !== '--'; i++) {
      if (!parseOption(argv[i], () => argv[++i], probe)) return undefined;
    }
  } catch {
    return undefined;
  }
  if (argv[i] === '--') i++;
  if (probe.version || probe.help || probe.batch !== undefined || i >= argv.length) return undefined;
  const name = resolveObject(argv[i]);
  return name === undefined ? undefined : objectNamed(name)?.command;
}

/** What completion asks, answered through the same backends a command would use. */
async function completionEnv(hooks: RunHooks): Promise<CompletionEnv> {
  const open = { model: await hooks.loadBackend(true, true), kernel: await hooks.loadBackend(false, true) };
  const ask = <T>(options: string[], what: (b: Backend) => T | undefined, fallback: T): T => {
    const opts = defaultOptions();
    try {
      for (let i = 0; i < options.length; i++) parseOption(options[i], () => options[++i], opts);
      if (opts.netns !== undefined && !opts.dryRun && hooks.switchNetns(opts.netns)) return fallback;
      const b = (opts.dryRun ? open.model : open.kernel)(opts);
      try {
        return what(b) ?? fallback;
      } finally {
        b.close();
      }
    } catch {
      return fallback;
    }
  };
  return {
    devices: (options) => ask(options, (b) => b.links().map((l) => l.name).sort(), []),
    namespaces: (options) => ask(options, (b) => b.namespaces?.(), []),
  };
}

export async function run(argv: string[], hooks: RunHooks): Promise<number> {
  // Shell completion is tsnet's own command, outside ip's grammar.
  const raw = rawCommand(argv[0]);
  if (raw) return raw.run(argv, await completionEnv(hooks));
  const opts = defaultOptions();
  const out = new Output(false, false);
  let ctx: Context | undefined;
  let rc = 1;
  // A failed command saves nothing in the model; a batch keeps the lines that
  // worked (ip's do in the kernel) unless something unexpected broke it.
  let failed = true;
  try {
    const first = readOptions(argv, 0, opts, false);
    let words = argv.slice(first);
    // tsnet extension: global options also right after the object, and flags at the end
    // (not for arping, whose words after the object are all its own, nor for an
    // object handed to the system's ip, which gets the words as typed).
    const name = words.length ? resolveObject(words[0]) : undefined;
    const object = name === undefined ? undefined : objectNamed(name);
    if (object !== undefined && object.optionsAfter !== false) {
      if (words.length > 1 && words[1][0] === '-' && name !== undefined) {
        const rest = readOptions(words, 1, opts, true);
        words = [words[0], ...words.slice(rest)];
      }
      while (words.length > 1 && isFlagOption(words[words.length - 1]) && !takesValue(words)) {
        parseOption(words.pop()!, () => undefined, opts);
      }
    }

    // The model's own commands always run on the model.
    if (object?.modelOnly) opts.dryRun = true;
    out.json = opts.json > 0;
    out.pretty = opts.pretty > 0;
    // ip's _SL_: -o puts an entry's lines on one, joined by a backslash.
    out.lineBreak = opts.oneline ? '\\' : '\n';
    if (!out.json && (opts.color === 'always' || (opts.color === 'auto' && process.stdout.isTTY && !process.env.NO_COLOR))) {
      const bg = /;([0-6]|8)$/.exec(process.env.COLORFGBG ?? '');
      out.enableColor(bg !== null);
    }
    if (opts.netns !== undefined && !opts.dryRun) {
      const e = hooks.switchNetns(opts.netns);
      if (e) throw new Exit(255, [e]);
    }
    const open = await hooks.loadBackend(opts.dryRun, opts.trace > 0);
    // A `sim` line of a batch on the kernel runs on the model, as `tsnet sim ...` alone does.
    ctx = new Context(opts, out, () => open(opts), hooks.handOver, async () => (await hooks.loadBackend(true, opts.trace > 0))({ ...opts, dryRun: true }));
    if (opts.batch !== undefined) {
      rc = await runBatch(ctx, opts.batch);
      failed = false;
    } else if (words.length) {
      rc = await runCommand(ctx, words);
      failed = rc !== 0;
    } else usageExit();
    out.flush();
  } catch (e) {
    out.flush();
    if (e instanceof Exit) {
      for (const l of e.lines) writeAll(2, l + '\n');
      rc = e.code;
      // ip stops a batch at such a line; what the lines before did stays.
      failed = opts.batch === undefined ? rc !== 0 : false;
    } else {
      const err = e as Error;
      writeAll(2, `tsnet: ${err?.message ?? String(e)}\n`);
      if (process.env.TSNET_DEBUG) writeAll(2, `${err?.stack ?? ''}\n`);
      rc = 1;
    }
  }
  // Closing saves the model's state: a save that fails is this run's failure.
  try {
    ctx?.backendIfOpen?.close(failed);
    ctx?.modelIfOpen?.close(failed);
  } catch (e) {
    writeAll(2, `tsnet: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
  return rc;
}
