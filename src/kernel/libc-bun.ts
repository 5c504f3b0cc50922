// The same few libc calls as libc.ts, bound through Bun's own FFI (bun:ffi)
// for the single-file executable that `npm run build` makes with Bun: a
// compiled executable cannot load koffi's native module, and bun:ffi needs
// none (opening libc and binding these calls takes ~1 ms).
import type { Libc } from './libc.js';
import { strerror } from '../errno.js';

interface BunFfi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): { symbols: Record<string, (...a: unknown[]) => unknown> };
  read: { i32(ptr: unknown, offset: number): number };
}

const BUN_FFI = 'bun:ffi';
const I = 'i32', P = 'ptr', U = 'u64', L = 'u32';

export function bunLibc(): Libc {
  // Only Bun has this module. The name is not a literal, so that bundlers for node (esbuild,
  // here and in tests) leave the require alone; Bun resolves it at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ffi = require(BUN_FFI) as BunFfi;
  const s = ffi.dlopen('libc.so.6', {
    socket: { args: [I, I, I], returns: I },
    bind: { args: [I, P, L], returns: I },
    connect: { args: [I, P, L], returns: I },
    sendto: { args: [I, P, U, I, P, L], returns: 'i64_fast' },
    recvfrom: { args: [I, P, U, I, P, P], returns: 'i64_fast' },
    setsockopt: { args: [I, I, I, P, L], returns: I },
    getsockname: { args: [I, P, P], returns: I },
    ioctl: { args: [I, U, P], returns: I },
    poll: { args: [P, U, I], returns: I },
    close: { args: [I], returns: I },
    open: { args: [P, I], returns: I },
    write: { args: [I, P, U], returns: 'i64_fast' },
    setns: { args: [I, I], returns: I },
    unshare: { args: [I], returns: I },
    mount: { args: [P, P, P, U, P], returns: I },
    umount2: { args: [P, I], returns: I },
    flock: { args: [I, I], returns: I },
    inotify_init1: { args: [I], returns: I },
    inotify_add_watch: { args: [I, P, L], returns: I },
    clock_gettime: { args: [I, P], returns: I },
    // errno is thread-local: its address comes from glibc, read right after the failing call.
    __errno_location: { args: [], returns: P },
  }).symbols;
  const n = (f: (...a: unknown[]) => unknown) => (...a: unknown[]) => Number(f(...a));
  const poll = n(s.poll);
  // bun:ffi passes a Buffer as a pointer: strings go as NUL-terminated bytes.
  const cstr = (t: string | null) => (t === null ? null : Buffer.from(`${t}\0`));
  const errno = () => ffi.read.i32(s.__errno_location(), 0);
  return {
    socket: n(s.socket),
    bind: n(s.bind),
    connect: n(s.connect),
    sendto: n(s.sendto),
    recvfrom: n(s.recvfrom),
    setsockopt: n(s.setsockopt),
    getsockname: n(s.getsockname),
    ioctl: n(s.ioctl),
    poll,
    // bun:ffi has no call on another thread: wait in slices of at most 10 ms on this one,
    // and let the event loop run (timers, signals) between them.
    pollAsync: async (fds, nfds, timeout) => {
      const r = poll(fds, nfds, Math.min(timeout, 10));
      await new Promise((resolve) => setImmediate(resolve));
      return r;
    },
    close: n(s.close),
    open: (path: string, flags: number) => Number(s.open(cstr(path), flags)),
    write: n(s.write),
    setns: n(s.setns),
    unshare: n(s.unshare),
    mount: (src: string | null, target: string, type: string | null, flags: number, data: string | null) =>
      Number(s.mount(cstr(src), cstr(target), cstr(type), flags, cstr(data))),
    umount2: (target: string, flags: number) => Number(s.umount2(cstr(target), flags)),
    flock: n(s.flock),
    inotify_init1: n(s.inotify_init1),
    inotify_add_watch: (fd: number, path: string, mask: number) => Number(s.inotify_add_watch(fd, cstr(path), mask)),
    clock_gettime: n(s.clock_gettime),
    errno,
    strerror,
  } as Libc;
}
