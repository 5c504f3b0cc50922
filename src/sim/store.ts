// The model's state file: JSON, written to a temporary file and renamed over
// the old one, while the run holds the state's lock from load to save, so that
// two runs cannot interleave their read-modify-write. A file that is corrupt,
// of the wrong shape or from a newer tsnet is reported and left as it is.
import {
  closeSync, constants, fstatSync, fsyncSync, ftruncateSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync,
  unlinkSync, writeSync,
} from 'node:fs';
import { isAscii } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { STATE_VERSION, type SimHost, type SimNeighbour, type World } from './world.js';
import { startingWorld } from './engine.js';
import { attachTable, encodeTable, unreadTable } from './table.js';
import { stateShapeError } from './schema.js';
import { tryLockExclusive } from '../lib/flock.js';
import { strerror } from '../errno.js';

export class StateError extends Error {}

/** --state FILE, else $TSNET_STATE, else $XDG_STATE_HOME/tsnet/state.json (~/.local/state by default). */
export function statePath(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.TSNET_STATE) return process.env.TSNET_STATE;
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'tsnet', 'state.json');
}

const { O_RDWR, O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The C library's text for a failed file call ("No space left on device"). */
function reason(e: unknown): string {
  const errno = (e as NodeJS.ErrnoException).errno;
  return typeof errno === 'number' ? strerror(-errno) : (e as Error).message;
}

/** How long a run waits for the others to finish with the state: TSNET_STATE_LOCK_WAIT_MS, else 30 s (50 runs started at once on a busy 2-core machine queue for over 10 s). */
function lockWaitMs(): number {
  const v = Number(process.env.TSNET_STATE_LOCK_WAIT_MS);
  return Number.isFinite(v) && v >= 0 ? v : 30000;
}

/** The state's lock, held from load to save. */
export interface StateLock {
  /** Why this run cannot save (its folder cannot be made or written); a command that changes nothing still runs. */
  readonly cannotSave?: string;
  /** Lets the lock go (closing the descriptor: only this run's own lock can be let go). */
  release(): void;
}

/**
 * A state file in a folder other users can write to is refused, unless the
 * folder is sticky (as /tmp) and the file, if there, is the caller's own and
 * no link: in such a folder another user could otherwise plant the file.
 * Returns whether the folder is shared.
 */
function checkFolder(file: string, dir: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return false;
  const d = statSync(dir);
  const shared = (d.mode & 0o002) !== 0 || ((d.mode & 0o020) !== 0 && d.gid !== process.getgid?.()) || (d.uid !== uid && d.uid !== 0);
  if (!shared) return false;
  if ((d.mode & 0o1000) === 0) {
    throw new StateError(`refusing the model's state ${file}: its folder ${dir} can be written by other users and is not sticky; use a folder of your own (--state FILE)`);
  }
  let f;
  try {
    f = lstatSync(file);
  } catch {
    return true; // not there yet: this run makes it, exclusively
  }
  if (f.isSymbolicLink() || !f.isFile() || f.uid !== uid) {
    throw new StateError(`refusing the model's state ${file}: its folder ${dir} can be written by other users, and the file is ${f.isSymbolicLink() ? 'a symbolic link' : 'owned by another user'}; use a folder of your own (--state FILE)`);
  }
  return true;
}

/**
 * Takes FILE.lock with flock(2), waiting up to `waitMs` for another run.
 * The lock file is opened without following a link, never deleted (a
 * deleted lock file would let two runs lock two files), and holds the PID
 * of the last run that took it, for the message of a run that waits too long.
 */
export function lock(file: string, waitMs = lockWaitMs()): StateLock {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    return { cannotSave: `cannot make its folder ${dir}: ${reason(e)}`, release: () => {} };
  }
  const shared = checkFolder(file, dir);
  const lockFile = `${file}.lock`;
  let fd: number;
  const symlinked = () => new StateError(`${lockFile} is a symbolic link; tsnet does not follow it: remove it, or use --state FILE`);
  try {
    fd = openSync(lockFile, O_RDWR | O_CREAT | O_NOFOLLOW, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw symlinked();
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw new StateError(`cannot lock ${lockFile}: ${reason(e)}`);
    // A folder this run cannot write: read under the lock if there is one; saving will fail with the reason.
    try {
      fd = openSync(lockFile, O_RDONLY | O_NOFOLLOW);
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'ELOOP') throw symlinked();
      return { cannotSave: reason(e), release: () => {} };
    }
  }
  let held = true;
  const release = () => {
    if (held) closeSync(fd);
    held = false;
  };
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new StateError(`cannot lock ${lockFile}: it is not a regular file`);
    if (shared && st.uid !== process.getuid?.()) throw new StateError(`refusing ${lockFile}: its folder can be written by other users, and the lock is owned by another user`);
    const deadline = Date.now() + waitMs;
    for (let pause = 1; ; pause = Math.min(2 * pause, 16)) {
      const r = tryLockExclusive(fd);
      if (r === 'taken') break;
      if (r !== 'busy') throw new StateError(`cannot lock ${lockFile}: ${strerror(r)}`);
      if (Date.now() >= deadline) {
        const holder = readFileSync(lockFile, 'latin1').trim();
        throw new StateError(`the model's state ${file} is in use by another run${/^\d+$/.test(holder) ? ` (process ${holder})` : ''}; waited ${waitMs / 1000} s, try again`);
      }
      Atomics.wait(sleeper, 0, 0, pause);
    }
    try {
      // Always 11 bytes, written over the last run's: a truncate each time costs the file system a transaction.
      if (st.size !== 11) ftruncateSync(fd, 0);
      writeSync(fd, `${String(process.pid).padStart(10)}\n`, 0);
    } catch {
      // the PID only names the holder in a message; a read-only lock file still locks
    }
  } catch (e) {
    release();
    throw e;
  }
  return { release };
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
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return startingWorld();
    throw new StateError(`cannot read the model's state ${file}: ${(e as Error).message}`);
  }
  let w: World;
  try {
    w = JSON.parse(text) as World;
  } catch (e) {
    throw new StateError(`the model's state ${file} is not valid JSON (${(e as Error).message}); it was left as it is: move it away or use --state FILE`);
  }
  if (typeof w?.version === 'number' && w.version > STATE_VERSION) {
    throw new StateError(`the model's state ${file} was written by a newer tsnet (format ${w.version}, this one reads ${STATE_VERSION}); it was left as it is`);
  }
  const wrong = stateShapeError(w, STATE_VERSION);
  if (wrong) {
    throw new StateError(`the model's state ${file} is not a tsnet state file (${wrong}); it was left as it is: move it away or use --state FILE`);
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

/**
 * Writes the world atomically: a temporary file of a random name in the same
 * folder, made exclusively and never through a link, synced, then renamed
 * over the old one. On any failure the old file stays as it was, the
 * temporary one is removed, and the reason is thrown.
 */
export function save(file: string, w: World): void {
  const bytes = Buffer.from(JSON.stringify(toFile(w)));
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  let fd = -1;
  try {
    fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o666);
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
    const f = fd;
    fd = -1;
    closeSync(f);
    renameSync(tmp, file);
  } catch (e) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        // the write's error is the one to report
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // not made, or already renamed
    }
    throw new StateError(`cannot save the model's state ${file}: ${reason(e)}; the file was left as it was`);
  }
}
