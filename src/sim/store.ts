// The model's state file: JSON, written to a temporary file and renamed over
// the old one, under a lock file so that two runs cannot interleave. A file
// that is corrupt or from a newer tsnet is reported and left as it is.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { STATE_VERSION, type SimHost, type SimNeighbour, type World } from './world.js';
import { startingWorld } from './engine.js';
import { attachTable, encodeTable, unreadTable } from './table.js';

export class StateError extends Error {}

/** --state FILE, else $TSNET_STATE, else $XDG_STATE_HOME/tsnet/state.json (~/.local/state by default). */
export function statePath(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.TSNET_STATE) return process.env.TSNET_STATE;
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'tsnet', 'state.json');
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes FILE.lock (waiting up to `waitMs` for another run); a lock whose process is gone is taken over. */
export function lock(file: string, waitMs = 3000): () => void {
  const lockFile = `${file}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateError(`cannot lock ${lockFile}: ${(e as Error).message}`);
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(lockFile, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    if (!Number.isFinite(holder) || holder <= 0 || !pidAlive(holder)) {
      try {
        unlinkSync(lockFile);
      } catch {
        // another run took it over first
      }
      continue;
    }
    if (Date.now() > deadline) throw new StateError(`the model's state ${file} is in use by process ${holder}`);
    Atomics.wait(sleeper, 0, 0, 20);
  }
}

/** Reads the world, or makes the default one when there is no file yet. */
export function load(file: string): World {
  let text: string;
  try {
    // A state file is ASCII unless a name or label is not: then a one-byte
    // string is a copy, not a UTF-8 decode (a 6 MB file: 4 ms instead of 15).
    const bytes = readFileSync(file);
    text = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return startingWorld();
    throw new StateError(`cannot read the model's state ${file}: ${(e as Error).message}`);
  }
  let w: World;
  try {
    w = JSON.parse(text) as World;
  } catch (e) {
    throw new StateError(`the model's state ${file} is not valid JSON (${(e as Error).message}); it was left as it is: move it away or use --state FILE`);
  }
  if (typeof w !== 'object' || w === null || typeof w.version !== 'number' || !Array.isArray(w.hosts)) {
    throw new StateError(`the model's state ${file} is not a tsnet state file; it was left as it is: move it away or use --state FILE`);
  }
  if (w.version > STATE_VERSION) {
    throw new StateError(`the model's state ${file} was written by a newer tsnet (format ${w.version}, this one reads ${STATE_VERSION}); it was left as it is`);
  }
  for (const h of w.hosts) {
    const stored: unknown = h.neighbours;
    if (typeof stored === 'string') attachTable(h, stored, file);
    else if (w.version === 2) h.neighbours = (stored as NeighbourRow[]).map(fromRow);
  }
  w.version = STATE_VERSION;
  return w;
}

/** A neighbour entry as format 2 held it: a row, not an object. */
type NeighbourRow = [
  family: number, ifindex: number, dst: string, state: number, flags: number, flagsExt: number, protocol: number,
  lladdr: string | null, confirmed: number, used: number, updated: number, probes: number, timer: number | null,
  queue: SimNeighbour['queue'] | 0, dropped: number,
];

function fromRow(r: NeighbourRow): SimNeighbour {
  return {
    family: r[0], ifindex: r[1], dst: r[2], state: r[3], flags: r[4], flagsExt: r[5], protocol: r[6], lladdr: r[7] ?? undefined,
    confirmed: r[8], used: r[9], updated: r[10], probes: r[11], timer: r[12] ?? undefined, queue: r[13] || [], dropped: r[14],
  };
}

/** The world as the file holds it (the live objects are not changed). */
function toFile(w: World): unknown {
  return { ...w, version: STATE_VERSION, hosts: w.hosts.map(hostToFile) };
}

/** A table never made objects is written as it was read (a spread would make it objects). */
function hostToFile(h: SimHost): unknown {
  const table = unreadTable(h) ?? encodeTable(h.neighbours);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(h) as (keyof SimHost)[]) out[k] = k === 'neighbours' ? table : h[k];
  return out;
}

/** Writes the world atomically: a temporary file in the same folder, then rename. */
export function save(file: string, w: World): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(toFile(w)));
  renameSync(tmp, file);
}
