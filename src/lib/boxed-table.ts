// Tables for a terminal, drawn with cli-table3 (the `tsnet sim` views when
// stdout is one). Loaded only then: the plain columns need none of it. No
// colours (NO_COLOR and -c stay the front's business); a table wider than
// the terminal wraps its widest column.
import Table from 'cli-table3';

export function boxedTable(head: string[], rows: string[][], columns?: number): string {
  const natural = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)) + 2);
  const colWidths: (number | null)[] = natural.map(() => null);
  // Borders: one per column and one more.
  const total = natural.reduce((a, b) => a + b, 0) + head.length + 1;
  if (columns && total > columns) {
    const widest = natural.indexOf(Math.max(...natural));
    colWidths[widest] = Math.max(12, natural[widest] - (total - columns));
  }
  const t = new Table({ head, style: { head: [], border: [], compact: true }, colWidths, wordWrap: true, wrapOnWordBoundary: true });
  for (const r of rows) t.push(head.map((_, i) => r[i] ?? ''));
  return t.toString() + '\n';
}
