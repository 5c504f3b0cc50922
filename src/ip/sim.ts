// `tsnet sim`: the model's own commands, handed to the backend (always the
// model: the cli turns --dry-run on for this object).
import type { Context } from './context.js';
import { Exit } from './matches.js';

export function doSim(ctx: Context, words: string[]): number {
  const b = ctx.backend;
  if (!b.simulate) throw new Exit(1, ['tsnet sim: needs the model (--dry-run)']);
  ctx.out.flush();
  return b.simulate(words, (s) => ctx.out.fp(s));
}
