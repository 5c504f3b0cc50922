// Pictures of states over time (history.ts's rows): a chart for the
// terminal (one row per entry or slave, virtual time along the axis, one
// letter per state, then each state with its times, the timer that ends
// it and its cause), and the same as an SVG file for slides.
import type { Row, Segment } from './history.js';

const MARKS: Record<string, string> = {
  NONE: ' ', INCOMPLETE: 'I', REACHABLE: 'R', STALE: 'S', DELAY: 'D', PROBE: 'P', FAILED: 'F', NOARP: 'N', PERMANENT: 'M',
};
const SLAVE_MARKS: Record<string, string> = { UP: 'U', FAIL: 'F', DOWN: 'D', BACK: 'B' };

const COLOURS: Record<string, string> = {
  INCOMPLETE: '#f2c14e', REACHABLE: '#4caf50', STALE: '#9e9e9e', DELAY: '#ff9800', PROBE: '#e65100', FAILED: '#d32f2f',
  NOARP: '#90caf9', PERMANENT: '#1565c0', NONE: '#ffffff', UP: '#4caf50', FAIL: '#ff9800', DOWN: '#d32f2f', BACK: '#f2c14e',
};

export function markOf(row: Row, state: string): string {
  return (row.kind === 'neighbour' ? MARKS : SLAVE_MARKS)[state] ?? state[0] ?? '?';
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(3)}s`;

/** A round step for axis ticks: about `n` of them over `span` ms. */
function tickStep(span: number, n: number): number {
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 0.001)));
  return [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
}

function tickLabel(ms: number, step: number): string {
  if (step >= 1000) return `${+(ms / 1000).toFixed(step % 1000 ? 1 : 0)}s`;
  return `${+ms.toFixed(step < 1 ? 3 : 0)}ms`;
}

export interface Span {
  from: number;
  to: number;
}

/**
 * The letters of one row over `cols` columns of [from, to]. A column shows
 * the state that holds at its end; a state too short to hold at any
 * column's end then takes a column next to where it began, from a run of
 * another state that keeps at least one (so a PROBE of a fraction of a
 * millisecond still shows between DELAY and REACHABLE; its exact times
 * follow the chart).
 */
export function rowMarks(row: Row, span: Span, cols: number): string {
  const width = (span.to - span.from) / cols;
  const marks: string[] = new Array<string>(cols).fill(' ');
  const shown = new Set<Segment>();
  for (let c = 0; c < cols; c++) {
    const a = span.from + c * width, b = c === cols - 1 ? Infinity : a + width;
    let pick: Segment | undefined;
    for (const s of row.segments) if (s.from < b && (s.to > a || (s.to === s.from && s.from >= a))) pick = s;
    if (pick) {
      marks[c] = markOf(row, pick.state);
      shown.add(pick);
    }
  }
  const colOf = (t: number) => Math.min(cols - 1, Math.max(0, Math.floor((t - span.from) / width)));
  // A column may be taken when its state goes on in the next (or went on in the one before).
  const spare = (c: number) => c >= 0 && c < cols && marks[c] !== ' ' && (marks[c + 1] === marks[c] || marks[c - 1] === marks[c]);
  for (const s of row.segments) {
    if (shown.has(s)) continue;
    const c = colOf(s.from);
    const at = [c, c - 1, c + 1].find((x) => spare(x) && marks[x] !== markOf(row, s.state));
    if (at !== undefined) marks[at] = markOf(row, s.state);
  }
  return marks.join('');
}

export function spanOf(rows: Row[], now: number): Span {
  const starts = rows.flatMap((r) => r.segments.map((s) => s.from));
  const from = starts.length ? Math.min(...starts) : now;
  return { from, to: Math.max(now, from + 1) };
}

/** The chart for a terminal (or any text output). */
export function textChart(rows: Row[], span: Span, host: string, cols = 60): string {
  if (!rows.length) return `${host}: no neighbour entry or bond slave changed state on the timeline\n`;
  cols = Math.max(10, Math.floor(cols));
  const labelW = Math.max(...rows.map((r) => r.name.length)) + 2;
  const total = span.to - span.from;
  const perCol = total / cols;
  let s = `${host}: states over virtual time, ${seconds(span.from)} to ${seconds(span.to)} (one column ${perCol >= 1000 ? `${+(perCol / 1000).toFixed(3)}s` : `${+perCol.toFixed(3)}ms`})\n`;
  // The axis: a tick label where a round time falls in a column.
  const step = tickStep(total, Math.max(2, Math.floor(cols / 10)));
  let labels = ''.padEnd(cols + 8), ticks = ''.padEnd(cols);
  for (let t = Math.ceil(span.from / step) * step; t <= span.to; t += step) {
    const c = Math.min(cols - 1, Math.floor((t - span.from) / perCol));
    const text = tickLabel(t, step);
    if (labels.slice(c, c + text.length + 1).trim() !== '' || (c > 0 && labels[c - 1] !== ' ')) continue;
    labels = labels.slice(0, c) + text + labels.slice(c + text.length);
    ticks = ticks.slice(0, c) + '|' + ticks.slice(c + 1);
  }
  s += `${''.padEnd(labelW)}${labels.trimEnd()}\n${''.padEnd(labelW)}${ticks.trimEnd()}\n`;
  for (const r of rows) s += `${r.name.padEnd(labelW)}${rowMarks(r, span, cols).trimEnd()}\n`;
  const kinds = new Set(rows.map((r) => r.kind));
  const legend = (kind: Row['kind'], marks: Record<string, string>) => {
    const used = new Set(rows.filter((r) => r.kind === kind).flatMap((r) => r.segments.map((x) => x.state)));
    return `${kind}: ${Object.entries(marks).filter(([k]) => used.has(k)).map(([k, m]) => `${m} ${k}`).join('  ')}\n`;
  };
  s += '\n';
  if (kinds.has('neighbour')) s += legend('neighbour', MARKS);
  if (kinds.has('bond slave')) s += legend('bond slave', SLAVE_MARKS);
  for (const r of rows) {
    s += `\n${r.name}\n`;
    const stateW = Math.max(...r.segments.map((x) => x.state.length));
    for (const x of r.segments) {
      s += `  ${seconds(x.from).padStart(10)} ${x.state.padEnd(stateW)}  for ${seconds(x.to - x.from).padStart(9)}`;
      s += `${x.timer ? `  ${x.timer}` : ''}  (${x.why})\n`;
    }
  }
  return s;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The same chart as an SVG document: a bar per row, a coloured rectangle per state (its times and timer as a tooltip). */
export function svgChart(rows: Row[], span: Span, host: string): string {
  const labelW = 16 + 7.5 * Math.max(10, ...rows.map((r) => r.name.length));
  const barW = 760, rowH = 30, top = 56, W = labelW + barW + 20;
  const H = top + rows.length * rowH + 60;
  const total = span.to - span.from;
  const x = (t: number) => labelW + ((t - span.from) / total) * barW;
  const o: string[] = [];
  o.push('<?xml version="1.0" encoding="UTF-8"?>');
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans Mono, monospace" font-size="12">`);
  const title = `${host}: states over virtual time, ${seconds(span.from)} to ${seconds(span.to)}`;
  o.push(`<title>${esc(title)}</title>`);
  o.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  o.push(`<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`);
  const step = tickStep(total, 8);
  o.push('<g class="axis" stroke="#cccccc">');
  for (let t = Math.ceil(span.from / step) * step; t <= span.to; t += step) {
    const px = x(t).toFixed(1);
    o.push(`<line x1="${px}" y1="${top - 6}" x2="${px}" y2="${top + rows.length * rowH}"/>`);
    o.push(`<text x="${px}" y="${top - 10}" text-anchor="middle" stroke="none" fill="#333333">${esc(tickLabel(t, step))}</text>`);
  }
  o.push('</g>');
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    o.push(`<g class="row" data-name="${esc(r.name)}" data-kind="${r.kind}">`);
    o.push(`<text x="8" y="${y + rowH / 2 + 4}">${esc(r.name)}</text>`);
    // States too short to see at this scale are drawn last, on top of their neighbours, as thin marks.
    const short = (s: Segment) => x(s.to) - x(s.from) < 3;
    for (const s of [...r.segments.filter((v) => !short(v)), ...r.segments.filter(short)]) {
      const x0 = x(s.from), w = Math.max(3, x(s.to) - x0);
      const tip = `${s.state} ${seconds(s.from)} to ${seconds(s.to)}${s.timer ? `, ${s.timer}` : ''} (${s.why})`;
      o.push(`<rect class="state" data-state="${s.state}" data-from-ms="${s.from}" data-to-ms="${s.to}" x="${x0.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${COLOURS[s.state] ?? '#bdbdbd'}" stroke="#555555" stroke-width="0.5"><title>${esc(tip)}</title></rect>`);
      const label = s.state.length * 7 + 6 < w ? s.state : markOf(r, s.state).length * 7 + 4 < w ? markOf(r, s.state) : '';
      if (label) o.push(`<text x="${(x0 + 3).toFixed(1)}" y="${y + rowH / 2 + 4}" fill="#000000">${esc(label)}</text>`);
    }
    o.push('</g>');
  });
  // The legend: each state drawn, with its colour.
  const used = [...new Set(rows.flatMap((r) => r.segments.map((s) => s.state)))];
  const ly = top + rows.length * rowH + 24;
  o.push('<g class="legend">');
  used.forEach((st, i) => {
    const lx = 10 + i * 110;
    o.push(`<rect x="${lx}" y="${ly}" width="14" height="14" fill="${COLOURS[st] ?? '#bdbdbd'}" stroke="#555555" stroke-width="0.5"/>`);
    o.push(`<text x="${lx + 18}" y="${ly + 12}">${esc(st)}</text>`);
  });
  o.push('</g>');
  o.push('</svg>');
  return o.join('\n') + '\n';
}
