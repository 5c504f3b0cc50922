// A host's neighbour table as the state file holds it: one JSON string, a
// line an entry, newest first (the order the dump lists them in),
//
//   family ifindex dst state flags flagsExt protocol lladdr|- confirmed used updated probes timer|- dropped [queue]
//
// (the queue, when there is one, is JSON to the end of the line). The tables
// are most of a big state file: one string parses in an eighth of the time
// of the same entries as JSON rows, and a command that only reads the table
// (`neigh show`) walks the text without making an object per entry. The
// first use of `host.neighbours` turns the text into objects.
import type { SimHost, SimNeighbour } from './world.js';

export class TableError extends Error {}

export function encodeTable(list: SimNeighbour[]): string {
  let s = '';
  for (let i = list.length - 1; i >= 0; i--) {
    const n = list[i];
    s += `${n.family} ${n.ifindex} ${n.dst} ${n.state} ${n.flags} ${n.flagsExt} ${n.protocol} ${n.lladdr || '-'} ${n.confirmed} ${n.used} ${n.updated} ${n.probes} ${n.timer ?? '-'} ${n.dropped}`;
    if (n.queue.length) s += ' ' + JSON.stringify(n.queue);
    if (i) s += '\n';
  }
  return s;
}

// The table being read and the position in it: module state, and fields
// read a character at a time, so that reading 100,000 lines allocates
// nothing but the two address strings of each.
let text = '';
let pos = 0;
let lineStart = 0;

const SPACE = 32, NEWLINE = 10, MINUS = 45;

function broken(): never {
  let end = text.indexOf('\n', lineStart);
  if (end < 0) end = text.length;
  throw new TableError(`a broken neighbour table line: ${JSON.stringify(text.slice(lineStart, end))}`);
}

/** The field separator. */
function space(): void {
  if (text.charCodeAt(pos) !== SPACE) broken();
  pos++;
}

function num(): number {
  const start = pos;
  let c = text.charCodeAt(pos);
  const neg = c === MINUS;
  if (neg) c = text.charCodeAt(++pos);
  let v = 0;
  while (c >= 48 && c <= 57) {
    v = v * 10 + c - 48;
    c = text.charCodeAt(++pos);
  }
  if (pos < text.length && c !== SPACE && c !== NEWLINE) {
    // Not a plain integer (a fractional time): the slow way.
    while (pos < text.length && c !== SPACE && c !== NEWLINE) c = text.charCodeAt(++pos);
    const x = Number(text.slice(start, pos));
    if (!Number.isFinite(x)) broken();
    return x;
  }
  if (pos === start + (neg ? 1 : 0)) broken();
  return neg ? -v : v;
}

function str(): string {
  const start = pos;
  for (let c = text.charCodeAt(pos); pos < text.length && c !== SPACE && c !== NEWLINE;) c = text.charCodeAt(++pos);
  if (pos === start) broken();
  return text.slice(start, pos);
}

/** `-` for nothing. */
function dash(): boolean {
  if (text.charCodeAt(pos) !== MINUS) return false;
  const c = text.charCodeAt(pos + 1);
  if (c === SPACE || c === NEWLINE || pos + 1 === text.length) {
    pos++;
    return true;
  }
  return false;
}

/** Reads the line at `pos` into `n`, and moves `pos` to the next one. */
function readLine(n: SimNeighbour): SimNeighbour {
  lineStart = pos;
  n.family = num();
  space();
  n.ifindex = num();
  space();
  n.dst = str();
  space();
  n.state = num();
  space();
  n.flags = num();
  space();
  n.flagsExt = num();
  space();
  n.protocol = num();
  space();
  n.lladdr = dash() ? undefined : str();
  space();
  n.confirmed = num();
  space();
  n.used = num();
  space();
  n.updated = num();
  space();
  n.probes = num();
  space();
  n.timer = dash() ? undefined : num();
  space();
  n.dropped = num();
  // Most entries have no queue: keep the empty one the object has (the dump reuses one object).
  if (n.queue.length) n.queue = [];
  if (text.charCodeAt(pos) === SPACE) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    try {
      n.queue = JSON.parse(text.slice(pos + 1, end)) as SimNeighbour['queue'];
    } catch {
      broken();
    }
    if (!Array.isArray(n.queue)) broken();
    pos = end;
  }
  if (pos < text.length) {
    if (text.charCodeAt(pos) !== NEWLINE) broken();
    pos++;
  }
  return n;
}

const blank = (): SimNeighbour => ({
  family: 0, ifindex: 0, dst: '', state: 0, flags: 0, flagsExt: 0, protocol: 0, lladdr: undefined,
  confirmed: 0, used: 0, updated: 0, probes: 0, timer: undefined, queue: [], dropped: 0,
});

/** The table's entries, oldest first as the model keeps them. */
function decodeTable(table: string): SimNeighbour[] {
  const list: SimNeighbour[] = [];
  text = table;
  for (pos = 0; pos < table.length;) list.push(readLine(blank()));
  return list.reverse();
}

/** A table not yet made objects, the file it came from, and what is wrong with it once a read found out. */
interface Unread {
  table: string;
  file: string;
  broken?: TableError;
}
const unread = new WeakMap<SimHost, Unread>();

function fromFile<T>(u: Unread, read: () => T): T {
  if (u.broken) throw u.broken;
  try {
    return read();
  } catch (e) {
    if (!(e instanceof TableError)) throw e;
    u.broken = new TableError(`the model's state ${u.file} has ${e.message}; it was left as it is: move it away or use --state FILE`);
    throw u.broken;
  }
}

/** Gives `host` its table as text from `file`, to be made objects at the first use of host.neighbours. */
export function attachTable(host: SimHost, table: string, file: string): void {
  const u = { table, file };
  const settle = (list: SimNeighbour[]) => {
    unread.delete(host);
    Object.defineProperty(host, 'neighbours', { value: list, writable: true, enumerable: true, configurable: true });
    return list;
  };
  unread.set(host, u);
  Object.defineProperty(host, 'neighbours', {
    enumerable: true, configurable: true,
    get: () => settle(fromFile(u, () => decodeTable(table))),
    set: settle,
  });
}

/**
 * The host's table as the file held it, while nothing has asked for it as
 * objects. A table found broken throws again, so that no save writes it.
 */
export function unreadTable(host: SimHost): string | undefined {
  const u = unread.get(host);
  if (u?.broken) throw u.broken;
  return u?.table;
}

/**
 * While the host's table is still text, calls `each` for every entry, newest
 * first (as the dump lists them), with one object refilled for each line (read
 * it, keep none), and says true; says false when the table is objects already.
 */
export function eachUnreadNewestFirst(host: SimHost, each: (n: SimNeighbour) => void): boolean {
  const u = unread.get(host);
  if (!u) return false;
  const n = blank();
  fromFile(u, () => {
    for (let at = 0; at < u.table.length;) {
      // Set again for each line: `each` may have read another table meanwhile.
      text = u.table;
      pos = at;
      readLine(n);
      at = pos;
      each(n);
    }
  });
  return true;
}
