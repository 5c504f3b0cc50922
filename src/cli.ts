// tsnet's entry: ip's global options (also accepted after the object, a
// tsnet extension), then one command or a batch, on the kernel or the model.
// Returns the exit status; never lets an exception reach the user as a trace.
import type { Backend } from './backend.js';
import { Context } from './ip/context.js';
import { Exit } from './ip/matches.js';
import { runBatch, runCommand, resolveObject } from './ip/main.js';
import { type GlobalOptions, defaultOptions, parseOption, usageExit } from './ip/options.js';
import { Output, writeAll } from './lib/output.js';
import { VERSION } from './version.js';
import { runCompletion } from './ip/complete.js';

/**
 * Reads global options from words[start..] into `opts`; returns the index of
 * the first word that is not one. An unknown option is ip's error, unless
 * `lenient` (after the object, where it may be the command's own word).
 */
function readOptions(words: string[], start: number, opts: GlobalOptions, lenient: boolean): number {
  let i = start;
  while (i < words.length) {
    const w = words[i];
    if (w === '--') return i + 1;
    if (w[0] !== '-' || w.length < 2) return i;
    if (!parseOption(w, () => words[++i], opts)) {
      if (lenient) return i;
      throw new Exit(255, [`Option "${w[1] === '-' ? w.slice(1) : w}" is unknown, try "tsnet -help".`]);
    }
    if (opts.version) {
      writeAll(1, `tsnet utility, iproute2-6.1.0 compatible, tsnet ${VERSION}\n`);
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

export interface RunHooks {
  /** Makes the backend for these options (kernel or model). */
  openBackend(opts: GlobalOptions): Backend;
  /** Enters a network namespace; returns an error line on failure. */
  switchNetns(name: string): string | undefined;
}

export async function run(argv: string[], hooks: RunHooks): Promise<number> {
  // Shell completion is tsnet's own command, outside ip's grammar.
  if (argv[0] === 'completion' || argv[0] === 'autocomplete' || argv[0] === '__complete') return runCompletion(argv);
  const opts = defaultOptions();
  const out = new Output(false, false);
  let ctx: Context | undefined;
  try {
    const first = readOptions(argv, 0, opts, false);
    let words = argv.slice(first);
    // tsnet extension: global options also right after the object, and flags at the end
    // (not for arping, whose words after the object are all its own).
    const object = words.length ? resolveObject(words[0]) : undefined;
    if (object !== 'arping') {
      if (words.length > 1 && words[1][0] === '-' && object !== undefined) {
        const rest = readOptions(words, 1, opts, true);
        words = [words[0], ...words.slice(rest)];
      }
      while (words.length > 1 && isFlagOption(words[words.length - 1])) {
        parseOption(words.pop()!, () => undefined, opts);
      }
    }

    // The model's own commands always run on the model.
    if (words.length && resolveObject(words[0]) === 'sim') opts.dryRun = true;
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
    ctx = new Context(opts, out, () => hooks.openBackend(opts));
    let rc: number;
    if (opts.batch !== undefined) rc = await runBatch(ctx, opts.batch);
    else if (words.length) rc = await runCommand(ctx, words);
    else usageExit();
    out.flush();
    return rc;
  } catch (e) {
    out.flush();
    if (e instanceof Exit) {
      for (const l of e.lines) writeAll(2, l + '\n');
      return e.code;
    }
    const err = e as Error;
    writeAll(2, `tsnet: ${err?.message ?? String(e)}\n`);
    if (process.env.TSNET_DEBUG) writeAll(2, `${err?.stack ?? ''}\n`);
    return 1;
  } finally {
    try {
      ctx?.backendIfOpen?.close();
    } catch {
      // closing is best effort at exit
    }
  }
}
