// A host's neighbour table as the state file holds it: one JSON string, a
// line an entry, oldest first,
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
  for (let i = 0; i < list.length; i++) {
    const n = list[i];
    if (i) s += '\n';
    s += `${n.family} ${n.ifindex} ${n.dst} ${n.state} ${n.flags} ${n.flagsExt} ${n.protocol} ${n.lladdr || '-'} ${n.confirmed} ${n.used} ${n.updated} ${n.probes} ${n.timer ?? '-'} ${n.dropped}`;
    if (n.queue.length) s += ' ' + JSON.stringify(n.queue);
  }
  return s;
}

// The line being read, and the bounds of its current field: module state, so
// that reading 100,000 lines allocates nothing but the two address strings.
let text = '';
let pos = 0;
let lineEnd = 0;
let fieldStart = 0;
let fieldEnd = 0;

function broken(): never {
  throw new TableError(`a broken neighbour table line: ${JSON.stringify(text.slice(text.lastIndexOf('\n', pos - 1) + 1, lineEnd))}`);
}

function field(): void {
  if (pos > lineEnd) broken();
  let e = text.indexOf(' ', pos);
  if (e < 0 || e > lineEnd) e = lineEnd;
  fieldStart = pos;
  fieldEnd = e;
  pos = e + 1;
}

function num(): number {
  field();
  let k = fieldStart, v = 0;
  const neg = text.charCodeAt(k) === 45;
  if (neg) k++;
  if (k === fieldEnd) broken();
  for (; k < fieldEnd; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) {
      // Not a plain integer (a fractional time): the slow way.
      const x = Number(text.slice(fieldStart, fieldEnd));
      if (!Number.isFinite(x)) broken();
      return x;
    }
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

function str(): string {
  field();
  if (fieldStart === fieldEnd) broken();
  return text.slice(fieldStart, fieldEnd);
}

/** Reads the line [start, end) of `table` into `n`. */
function readLine(table: string, start: number, end: number, n: SimNeighbour): SimNeighbour {
  text = table;
  pos = start;
  lineEnd = end;
  n.family = num();
  n.ifindex = num();
  n.dst = str();
  n.state = num();
  n.flags = num();
  n.flagsExt = num();
  n.protocol = num();
  const ll = str();
  n.lladdr = ll === '-' ? undefined : ll;
  n.confirmed = num();
  n.used = num();
  n.updated = num();
  n.probes = num();
  field();
  if (fieldEnd - fieldStart === 1 && text.charCodeAt(fieldStart) === 45) n.timer = undefined;
  else {
    pos = fieldStart;
    n.timer = num();
  }
  n.dropped = num();
  n.queue = [];
  if (pos < lineEnd) {
    try {
      n.queue = JSON.parse(text.slice(pos, lineEnd)) as SimNeighbour['queue'];
    } catch {
      broken();
    }
    if (!Array.isArray(n.queue)) broken();
  } else if (fieldEnd !== lineEnd) broken();
  return n;
}

const blank = (): SimNeighbour => ({
  family: 0, ifindex: 0, dst: '', state: 0, flags: 0, flagsExt: 0, protocol: 0, lladdr: undefined,
  confirmed: 0, used: 0, updated: 0, probes: 0, timer: undefined, queue: [], dropped: 0,
});

function decodeTable(table: string): SimNeighbour[] {
  const list: SimNeighbour[] = [];
  for (let start = 0; start < table.length;) {
    let end = table.indexOf('\n', start);
    if (end < 0) end = table.length;
    list.push(readLine(table, start, end, blank()));
    start = end + 1;
  }
  return list;
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
    for (let end = u.table.length; end > 0;) {
      const start = u.table.lastIndexOf('\n', end - 1) + 1;
      each(readLine(u.table, start, end, n));
      end = start - 1;
    }
  });
  return true;
}
