// tsnet's entry: ip's global options (also accepted after the object, a
// tsnet extension), then one command or a batch, on the kernel or the model.
// Returns the exit status; never lets an exception reach the user as a trace.
import type { Backend } from './backend.js';
import { Context } from './ip/context.js';
import { Exit } from './ip/matches.js';
import { runBatch, runCommand, resolveObject } from './ip/main.js';
import { type GlobalOptions, defaultOptions, parseOption, usageExit } from './ip/options.js';
import { Output, writeAll } from './ip/output.js';
import { VERSION } from './version.js';

/** Options that take no value, accepted at the end of a command line too. */
const TRAILING = /^--?(j(s(on?)?)?|p(r(e(t(ty?)?)?)?)?|s(t(a(ts?)?)?)?|statistics|d(e(t(a(i(ls?)?)?)?)?)?|br(i(ef?)?)?|o(n(e(l(i(ne?)?)?)?)?)?|[460]|fo(r(ce?)?)?|N(u(m(e(r(ic?)?)?)?)?)?|c(o(l(or?)?)?)?(=(always|auto|never))?|dry-run|trace)$/;

export interface RunHooks {
  /** Makes the backend for these options (kernel or model). */
  openBackend(opts: GlobalOptions): Backend;
  /** Enters a network namespace; returns an error line on failure. */
  switchNetns(name: string): string | undefined;
}

export async function run(argv: string[], hooks: RunHooks): Promise<number> {
  const opts = defaultOptions();
  const out = new Output(false, false);
  let ctx: Context | undefined;
  try {
    let i = 0;
    const next = () => argv[++i];
    const takeOptions = (stopAtUnknown: boolean) => {
      while (i < argv.length) {
        const w = argv[i];
        if (w === '--') { i++; return; }
        if (w[0] !== '-' || w.length < 2) return;
        if (!parseOption(w, next, opts, () => undefined)) {
          if (stopAtUnknown) return;
          throw new Exit(255, [`Option "${w[1] === '-' ? w.slice(1) : w}" is unknown, try "tsnet -help".`]);
        }
        if (opts.version) {
          writeAll(1, `tsnet utility, iproute2-6.1.0 compatible, tsnet ${VERSION}\n`);
          throw new Exit(0);
        }
        if (opts.help) usageExit();
        i++;
      }
    };
    takeOptions(false);
    let words = argv.slice(i);
    // tsnet extension: options right after the object, and plain flags at the end.
    if (words.length > 1 && words[1][0] === '-' && resolveObject(words[0]) !== undefined) {
      const obj = words[0];
      i = 0;
      argv = words.slice(1);
      takeOptions(true);
      words = [obj, ...argv.slice(i)];
    }
    while (words.length > 1 && TRAILING.test(words[words.length - 1])) {
      parseOption(words.pop()!, () => undefined, opts, () => undefined);
    }

    out.json = opts.json > 0;
    out.pretty = opts.pretty > 0;
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
