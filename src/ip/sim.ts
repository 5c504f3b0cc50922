// `tsnet sim`: the model's own commands, handed to the backend (always the
// model: the cli turns --dry-run on for this object, and a `sim` line of a
// batch on the kernel runs on the model too, as the same command alone would).
// On a terminal the views are tables (cli-table3, loaded only then).
import type { SimView } from '../backend.js';
import type { Context } from './context.js';
import { Exit } from './matches.js';
import { writeAll } from '../lib/output.js';

export async function doSim(ctx: Context, words: string[]): Promise<number> {
  const b = await ctx.model();
  if (!b?.simulate) throw new Exit(1, ['tsnet sim: needs the model (--dry-run)']);
  const view: SimView = { json: ctx.opts.json > 0, pretty: ctx.opts.pretty > 0 };
  if (!view.json && process.stdout.isTTY) {
    const { boxedTable } = await import('../lib/boxed-table.js');
    const columns = process.stdout.columns;
    view.columns = columns;
    view.table = (head, rows) => boxedTable(head, rows, columns);
  }
  ctx.out.flush();
  // The printer's JSON walk is ip's; the model's answers are JSON already, written as they are.
  return b.simulate(words, view.json ? (s) => writeAll(1, s) : (s) => ctx.out.fp(s), view);
}
