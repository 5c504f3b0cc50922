// The few libc calls tsnet needs, bound through koffi. Loaded lazily: only a
// command that really talks to the kernel pays for the FFI (about 10 ms).
// Under Bun (the single-file executable) the same calls go through bun:ffi
// instead (libc-bun.ts): koffi's native module cannot load from inside it.
import { bunLibc } from './libc-bun.js';
import { loadKoffi } from '../lib/koffi.js';
import { writeThrough } from '../lib/output.js';

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  connect(fd: number, addr: Buffer, len: number): number;
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer | null, addrlen: number): number;
  recvfrom(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer | null, addrlen: Buffer | null): number;
  setsockopt(fd: number, level: number, name: number, val: Buffer, len: number): number;
  getsockname(fd: number, addr: Buffer, addrlen: Buffer): number;
  ioctl(fd: number, request: number, arg: Buffer): number;
  poll(fds: Buffer, nfds: number, timeout: number): number;
  /** poll() on a worker thread: waits without blocking the event loop. */
  pollAsync(fds: Buffer, nfds: number, timeout: number): Promise<number>;
  close(fd: number): number;
  /** open(2) without a mode (no O_CREAT): a descriptor, or -1 and errno. */
  open(path: string, flags: number): number;
  /** write(2): bytes written, or -1 and errno. */
  write(fd: number, buf: Buffer, len: number): number;
  setns(fd: number, nstype: number): number;
  /** unshare(2): on the calling thread only (CLONE_NEWNET, CLONE_NEWNS: see netns-ops.ts). */
  unshare(flags: number): number;
  /** mount(2) and umount2(2); null for an absent source, type or data. */
  mount(source: string | null, target: string, type: string | null, flags: number, data: string | null): number;
  umount2(target: string, flags: number): number;
  flock(fd: number, op: number): number;
  inotify_init1(flags: number): number;
  inotify_add_watch(fd: number, path: string, mask: number): number;
  clock_gettime(clock: number, ts: Buffer): number;
  errno(): number;
  strerror(errno: number): string;
}

let cached: Libc | undefined;

export function libc(): Libc {
  if (cached) return cached;
  // The tests set this to prove that --dry-run never reaches the kernel.
  if (process.env.TSNET_FORBID_KERNEL) throw new Error('kernel access attempted (TSNET_FORBID_KERNEL is set)');
  if (process.versions.bun) {
    const c = (cached = bunLibc());
    // From here on output goes through libc too: the executable then never loads node:fs for it.
    writeThrough((fd, b) => {
      const n = c.write(fd, b, b.length);
      if (n >= 0) return n;
      const e = c.errno();
      if (e === EAGAIN || e === EINTR || e === EPIPE) return -e;
      throw new Error(`write: ${c.strerror(e)}`);
    });
    return c;
  }
  const koffi = loadKoffi();
  const lib = koffi.load('libc.so.6');
  const f = (decl: string) => lib.func(decl) as (...a: unknown[]) => number;
  const strerror = lib.func('const char *strerror(int)') as (e: number) => string;
  const poll = lib.func('int poll(void *, unsigned long, int)');
  const c = {
    socket: f('int socket(int, int, int)'),
    bind: f('int bind(int, const void *, uint32_t)'),
    connect: f('int connect(int, const void *, uint32_t)'),
    sendto: f('intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)'),
    recvfrom: f('intptr_t recvfrom(int, void *, size_t, int, void *, void *)'),
    setsockopt: f('int setsockopt(int, int, int, const void *, uint32_t)'),
    getsockname: f('int getsockname(int, void *, void *)'),
    ioctl: f('int ioctl(int, unsigned long, void *)'),
    poll: poll as unknown as (...a: unknown[]) => number,
    pollAsync: (fds: Buffer, nfds: number, timeout: number) => new Promise<number>((resolve, reject) => {
      poll.async(fds, nfds, timeout, (err: unknown, res: number) => (err ? reject(err) : resolve(res)));
    }),
    close: f('int close(int)'),
    open: f('int open(const char *, int)'),
    write: f('intptr_t write(int, const void *, size_t)'),
    setns: f('int setns(int, int)'),
    unshare: f('int unshare(int)'),
    mount: f('int mount(const char *, const char *, const char *, unsigned long, const char *)'),
    umount2: f('int umount2(const char *, int)'),
    flock: f('int flock(int, int)'),
    inotify_init1: f('int inotify_init1(int)'),
    inotify_add_watch: f('int inotify_add_watch(int, const char *, uint32_t)'),
    clock_gettime: f('int clock_gettime(int, void *)'),
    errno: () => koffi.errno(),
    strerror,
  };
  cached = c as unknown as Libc;
  return cached;
}

// The address families are the wire codec's (defined once, there).
export { AF_INET, AF_NETLINK, AF_PACKET } from '../wire/rtnl-constants.js';
/** Socket and protocol numbers from the Linux UAPI headers. */
export const SOCK_RAW = 3;
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = 0o2000000;
export const SOCK_NONBLOCK = 0o4000;
export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_SNDBUF = 7;
export const SO_RCVBUFFORCE = 33;
export const SOL_NETLINK = 270;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;
export const O_RDONLY = 0, O_CLOEXEC = 0o2000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_NEWNS = 0x20000;
/** mount(2) flags and umount2(2)'s MNT_DETACH (linux/mount.h). */
export const MS_RDONLY = 1, MS_BIND = 0x1000, MS_REC = 0x4000, MS_SLAVE = 0x80000, MS_SHARED = 0x100000;
export const MNT_DETACH = 2;
export const LOCK_EX = 2, LOCK_UN = 8;
/** inotify(7): the events ip netns monitor watches, and inotify_init1()'s IN_CLOEXEC. */
export const IN_CREATE = 0x100, IN_DELETE = 0x200, IN_CLOEXEC = 0o2000000;
export const MSG_DONTWAIT = 0x40;
export const POLLIN = 0x1;
export const EINTR = 4;
export const EAGAIN = 11;
export const EPIPE = 32;
