// tsnet's link, addr and bond commands and `tsnet sim` run in-process on one
// model, for the model's unit tests: no process start per command, and the
// test reads the world between commands.
import type { SimBackend } from '../../src/sim/backend.js';
import { Context } from '../../src/ip/context.js';
import { Output } from '../../src/lib/output.js';
import { defaultOptions } from '../../src/ip/options.js';
import { doLink } from '../../src/ip/link.js';
import { doBond } from '../../src/ip/bond.js';
import { doAddr } from '../../src/ip/addr.js';
import { Exit } from '../../src/ip/matches.js';

export function inProcess(b: SimBackend) {
  /** One command ("link add ...", "bond show ...", "addr ..."); a leading -d is ip's -details. */
  const run = async (line: string): Promise<{ code: number; out: string; err: string }> => {
    const out = new Output(false, false);
    const o = defaultOptions();
    if (line.startsWith('-d ')) {
      o.details = 1;
      line = line.slice(3);
    }
    const ctx = new Context(o, out, () => b);
    // What the command writes to stderr itself (a refused request's line), kept instead of written.
    const errs: string[] = [];
    ctx.err = (l: string) => void errs.push(l);
    const [obj, ...words] = line.split(' ');
    try {
      const code = await (obj === 'bond' ? doBond : obj === 'addr' ? doAddr : doLink)(ctx, words);
      return { code, out: out.take(), err: errs.join('\n') };
    } catch (e) {
      if (e instanceof Exit) return { code: e.code, out: out.take(), err: [...errs, ...e.lines].join('\n') };
      throw e;
    }
  };
  /** One `tsnet sim` command; what it printed. */
  const sim = (line: string): string => {
    let text = '';
    b.simulate!(line.split(' '), (s) => (text += s));
    return text;
  };
  return { run, sim };
}
