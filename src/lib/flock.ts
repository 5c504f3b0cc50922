// flock(2) through the FFI: a lock that the kernel arbitrates. It is held while
// the descriptor is open and let go by the kernel when the process ends, however
// it ends (kill -9 included), so there is no stale lock to judge and no way to
// release another run's lock. Used by the model's state file (src/sim/store.ts).
// koffi under node; bun:ffi in the single-file executable (koffi cannot load there).
import { loadKoffi } from './koffi.js';

const LOCK_EX = 2, LOCK_NB = 4;
const EINTR = 4, EWOULDBLOCK = 11;
const BUN_FFI = 'bun:ffi';

let bound: { flock: (fd: number, op: number) => number; errno: () => number } | undefined;

interface BunFfi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): { symbols: Record<string, (...a: unknown[]) => unknown> };
  read: { i32(ptr: unknown, offset: number): number };
}

function bind(): NonNullable<typeof bound> {
  if (bound) return bound;
  if (process.versions.bun) {
    // The name is not a literal, so that node bundlers leave the require alone (as libc-bun.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ffi = require(BUN_FFI) as BunFfi;
    const s = ffi.dlopen('libc.so.6', { flock: { args: ['i32', 'i32'], returns: 'i32' }, __errno_location: { args: [], returns: 'ptr' } }).symbols;
    return (bound = { flock: (fd, op) => Number(s.flock(fd, op)), errno: () => ffi.read.i32(s.__errno_location(), 0) });
  }
  const koffi = loadKoffi();
  const flock = koffi.load('libc.so.6').func('int flock(int, int)') as (fd: number, op: number) => number;
  return (bound = { flock, errno: () => koffi.errno() });
}

/** Tries once to lock `fd` exclusively: 'taken', 'busy' (another open file holds it), or the errno. */
export function tryLockExclusive(fd: number): 'taken' | 'busy' | number {
  const c = bind();
  for (;;) {
    if (c.flock(fd, LOCK_EX | LOCK_NB) === 0) return 'taken';
    const e = c.errno();
    if (e === EINTR) continue;
    return e === EWOULDBLOCK ? 'busy' : e;
  }
}
