// `ip netns` on the running system (ipnetns.c and lib/namespace.c of ip 6.1):
// the files under /run/netns, the mounts that bind namespaces to them, and
// the namespace switches of `exec`. ip's messages, word for word.
//
// tsnet runs several threads (node's and Bun's own). The namespace calls
// act on the calling thread, which is the main one (the thread group leader,
// so /proc/self is this thread): setns(CLONE_NEWNET) and unshare(CLONE_NEWNET)
// as ip makes them, and unshare(CLONE_NEWNS) too, which the kernel allows a
// thread of a multi-threaded process (it gives that thread its own fs_struct
// first; only setns(CLONE_NEWNS) into another mount namespace needs a private
// fs_struct, which that unshare has given). A child spawned from the main
// thread inherits the main thread's namespaces.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, opendirSync, readFileSync, readSync, statSync, unlinkSync } from 'node:fs';
import type { NetnsPort, RtMessage, RtRequest } from '../backend.js';
import { NetlinkError } from '../backend.js';
import { EEXIST, EINVAL, ENOENT, strerror } from '../errno.js';
import { attrS32 } from '../wire/nlattr.js';
import { NETNSA_FD, NETNSA_NSID, RTGENMSG_LEN, RTM_GETNSID, RTM_NEWNSID } from '../wire/rtnl-constants.js';
import { CLONE_NEWNET, CLONE_NEWNS, IN_CLOEXEC, IN_CREATE, IN_DELETE, LOCK_EX, POLLIN, LOCK_UN, MNT_DETACH, MS_BIND, MS_RDONLY, MS_REC, MS_SHARED, MS_SLAVE, libc } from './libc.js';
import { NETNS_RUN_DIR } from './netns.js';

/** ip's NETNS_ETC_DIR: files under /etc/netns/NAME are bind-mounted over /etc's for `exec`. */
const NETNS_ETC_DIR = '/etc/netns';

const errnoOf = (e: unknown) => -((e as NodeJS.ErrnoException).errno ?? -ENOENT);
const cErr = () => strerror(libc().errno());

/** Opens a path read-only (O_CLOEXEC, as node always opens); the descriptor, or minus the errno. */
function tryOpen(path: string, flags = constants.O_RDONLY, mode?: number): number {
  try {
    return openSync(path, flags, mode);
  } catch (e) {
    return -errnoOf(e);
  }
}

/** readdir() of a directory in the kernel's order (node's readdirSync sorts); undefined when it cannot be opened. */
function readdirInOrder(path: string): { names?: string[]; errno?: number } {
  try {
    const d = opendirSync(path);
    const names: string[] = [];
    try {
      for (let e = d.readSync(); e !== null; e = d.readSync()) names.push(e.name);
    } finally {
      d.closeSync();
    }
    return { names };
  } catch (e) {
    return { errno: errnoOf(e) };
  }
}

export class KernelNetns implements NetnsPort {
  constructor(private readonly rt: (req: RtRequest) => RtMessage[]) {}

  names(): string[] | undefined {
    return readdirInOrder(NETNS_RUN_DIR).names;
  }

  /** get_netnsid_from_name(): the nsid of NAME (a name or a path), or -1; throws the kernel's refusal (a file that is no namespace). */
  nsidOf(name: string): number {
    const fd = tryOpen(name.includes('/') ? name : `${NETNS_RUN_DIR}/${name}`);
    if (fd < 0) return -1;
    try {
      const [m] = this.rt({ type: RTM_GETNSID, flags: 0, header: new Uint8Array(RTGENMSG_LEN), attrs: [{ type: NETNSA_FD, kind: 'u32', value: fd }] });
      const id = m?.attrs.get(NETNSA_NSID);
      return id ? attrS32(id) : -1;
    } finally {
      closeSync(fd);
    }
  }

  add(name: string, pid: number | undefined, err: (line: string) => void): boolean {
    const path = `${NETNS_RUN_DIR}/${name}`;
    const c = libc();
    if (!makeRunDir(err)) return false;
    // Mounts under the directory propagate between mount namespaces: it is made a
    // shared mount point (bound onto itself first when it is not one), under a lock
    // so that parallel adds do not stack the bind mounts (ip's reason: Debian bug 949235).
    let lock = tryOpen(NETNS_RUN_DIR, constants.O_RDONLY | constants.O_DIRECTORY);
    if (lock < 0) {
      err(`Cannot open netns runtime directory "${NETNS_RUN_DIR}": ${strerror(-lock)}`);
      return false;
    }
    if (c.flock(lock, LOCK_EX) < 0) {
      err(`Warning: could not flock netns runtime directory "${NETNS_RUN_DIR}": ${cErr()}`);
      closeSync(lock);
      lock = -1;
    }
    const unlock = () => {
      if (lock >= 0) {
        c.flock(lock, LOCK_UN);
        closeSync(lock);
      }
    };
    let madeMountPoint = false;
    while (c.mount('', NETNS_RUN_DIR, 'none', MS_SHARED | MS_REC, null) !== 0) {
      const e = c.errno();
      if (e !== EINVAL || madeMountPoint) {
        err(`mount --make-shared ${NETNS_RUN_DIR} failed: ${strerror(e)}`);
        unlock();
        return false;
      }
      if (c.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, 'none', MS_BIND | MS_REC, null) !== 0) {
        err(`mount --bind ${NETNS_RUN_DIR} ${NETNS_RUN_DIR} failed: ${cErr()}`);
        unlock();
        return false;
      }
      madeMountPoint = true;
    }
    unlock();

    const fd = tryOpen(path, constants.O_RDONLY | constants.O_CREAT | constants.O_EXCL, 0);
    if (fd < 0) {
      err(`Cannot create namespace file "${path}": ${strerror(-fd)}`);
      return false;
    }
    closeSync(fd);

    let saved = -1;
    const restore = () => {
      if (saved < 0) return;
      if (c.setns(saved, CLONE_NEWNET) !== 0) throw new Error(`setns: ${cErr()}`);
      closeSync(saved);
      saved = -1;
    };
    let procPath: string;
    if (pid === undefined) {
      saved = tryOpen('/proc/self/ns/net');
      if (saved < 0) throw new Error(`Cannot open init namespace: ${strerror(-saved)}`);
      if (c.unshare(CLONE_NEWNET) !== 0) {
        err(`Failed to create a new network namespace "${name}": ${cErr()}`);
        restore();
        this.remove(name, err);
        return false;
      }
      procPath = '/proc/self/ns/net';
    } else procPath = `/proc/${pid}/ns/net`;
    // The namespace's file is bound last, so whoever watches the directory sees a usable one.
    if (c.mount(procPath, path, 'none', MS_BIND, null) !== 0) {
      err(`Bind ${procPath} -> ${path} failed: ${cErr()}`);
      if (pid === undefined) {
        restore();
        this.remove(name, err);
      } else {
        try {
          unlinkSync(path);
        } catch (e) {
          err(`Cannot remove namespace file "${path}": ${strerror(errnoOf(e))}`);
        }
      }
      return false;
    }
    restore();
    return true;
  }

  remove(name: string, err: (line: string) => void): boolean {
    const path = `${NETNS_RUN_DIR}/${name}`;
    libc().umount2(path, MNT_DETACH);
    try {
      unlinkSync(path);
      return true;
    } catch (e) {
      err(`Cannot remove namespace file "${path}": ${strerror(errnoOf(e))}`);
      return false;
    }
  }

  setNsid(name: string, nsid: number, err: (line: string) => void): boolean {
    // ip opens the file first (and keeps it open), then once more for the request.
    const check = tryOpen(`${NETNS_RUN_DIR}/${name}`);
    if (check < 0) {
      err(`Cannot open network namespace "${name}": ${strerror(-check)}`);
      return false;
    }
    closeSync(check);
    const fd = tryOpen(name.includes('/') ? name : `${NETNS_RUN_DIR}/${name}`);
    if (fd < 0) throw new NetlinkError(-fd);
    try {
      this.rt({
        type: RTM_NEWNSID, flags: 0, header: new Uint8Array(RTGENMSG_LEN),
        attrs: [{ type: NETNSA_FD, kind: 'u32', value: fd }, { type: NETNSA_NSID, kind: 'u32', value: nsid >>> 0 }],
      });
    } finally {
      closeSync(fd);
    }
    return true;
  }

  identify(pid: string, err: (line: string) => void): string | undefined {
    let target;
    try {
      target = statSync(`/proc/${pid}/ns/net`);
    } catch (e) {
      err(`Cannot open network namespace: ${strerror(errnoOf(e))}`);
      return undefined;
    }
    const dir = readdirInOrder(NETNS_RUN_DIR);
    if (!dir.names) {
      // A missing directory is an empty one.
      if (dir.errno === ENOENT) return '';
      err(`Failed to open directory ${NETNS_RUN_DIR}:${strerror(dir.errno ?? 0)}`);
      return undefined;
    }
    // The last name bound to the namespace wins, as ip's loop leaves it.
    let found = '';
    for (const n of dir.names) {
      try {
        const st = statSync(`${NETNS_RUN_DIR}/${n}`);
        if (st.dev === target.dev && st.ino === target.ino) found = n;
      } catch {
        // gone meanwhile, or not ours to stat: ip skips it too
      }
    }
    return found;
  }

  pids(name: string, err: (line: string) => void): string[] | undefined {
    let ns;
    try {
      ns = statSync(`${NETNS_RUN_DIR}/${name}`);
    } catch (e) {
      err(`Cannot open network namespace: ${strerror(errnoOf(e))}`);
      return undefined;
    }
    const proc = readdirInOrder('/proc/');
    if (!proc.names) {
      err(`Open of /proc failed: ${strerror(proc.errno ?? 0)}`);
      return undefined;
    }
    const out: string[] = [];
    for (const p of proc.names) {
      if (!/^\d*$/.test(p)) continue;
      try {
        const st = statSync(`/proc/${p}/ns/net`);
        if (st.dev === ns.dev && st.ino === ns.ino) out.push(p);
      } catch {
        // the process ended meanwhile
      }
    }
    return out;
  }

  async monitor(each: (event: 'add' | 'delete', name: string) => void, err: (line: string) => void): Promise<boolean> {
    const c = libc();
    const fd = c.inotify_init1(IN_CLOEXEC);
    if (fd < 0) {
      err(`inotify_init failed: ${cErr()}`);
      return false;
    }
    if (!makeRunDir(err)) return false;
    if (c.inotify_add_watch(fd, NETNS_RUN_DIR, IN_CREATE | IN_DELETE) < 0) {
      err(`inotify_add_watch failed: ${cErr()}`);
      return false;
    }
    const buf = Buffer.alloc(4096);
    const pfd = Buffer.alloc(8);
    pfd.writeInt32LE(fd, 0);
    pfd.writeInt16LE(POLLIN, 4);
    for (;;) {
      // Wait off the event loop, so that a signal ends the run as it ends ip's.
      await c.pollAsync(pfd, 1, 1000);
      if (!(pfd.readInt16LE(6) & POLLIN)) continue;
      let len: number;
      try {
        len = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        err(`read failed: ${strerror(errnoOf(e))}`);
        return false;
      }
      // struct inotify_event: wd, mask, cookie, len, then the NUL-padded name.
      for (let off = 0; off + 16 <= len; off += 16 + buf.readUInt32LE(off + 12)) {
        const mask = buf.readUInt32LE(off + 4);
        const nameLen = buf.readUInt32LE(off + 12);
        const raw = buf.subarray(off + 16, off + 16 + nameLen);
        const end = raw.indexOf(0);
        const name = raw.subarray(0, end < 0 ? raw.length : end).toString();
        if (mask & IN_CREATE) each('add', name);
        if (mask & IN_DELETE) each('delete', name);
      }
    }
  }

  /**
   * netns_switch() then the command. ip replaces itself with the command
   * (exec); tsnet switches its main thread, spawns the command from it (the
   * child inherits that thread's namespaces), waits, and switches back. What
   * differs: the command is tsnet's child, not tsnet's pid, and tsnet keeps
   * waiting for it; the switch back lets `-all exec` and a batch go on in the
   * namespaces they started in (ip forks for those).
   */
  exec(name: string, argv: string[], err: (line: string) => void): number | 'setup' | { signal: string } {
    const c = libc();
    const savedNet = tryOpen('/proc/thread-self/ns/net');
    const savedMnt = tryOpen('/proc/thread-self/ns/mnt');
    try {
      if (!this.switchTo(name, err)) return 'setup';
      // A Ctrl-C or Ctrl-\ at the terminal reaches the command and tsnet alike: the command
      // decides (as system(3) leaves it to), and tsnet then ends as the command did.
      const keep = () => {};
      process.on('SIGINT', keep).on('SIGQUIT', keep);
      let r;
      try {
        r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' });
      } finally {
        process.off('SIGINT', keep).off('SIGQUIT', keep);
      }
      if (r.error) {
        err(`exec of "${argv[0]}" failed: ${strerror(errnoOf(r.error))}`);
        return 1;
      }
      if (r.status !== null) return r.status;
      return { signal: r.signal ?? 'SIGKILL' };
    } finally {
      if (savedMnt >= 0) {
        c.setns(savedMnt, CLONE_NEWNS);
        closeSync(savedMnt);
      }
      if (savedNet >= 0) {
        c.setns(savedNet, CLONE_NEWNET);
        closeSync(savedNet);
      }
    }
  }

  /** netns_switch(): the network namespace, a mount namespace of its own with its /sys, /etc/netns/NAME over /etc. */
  private switchTo(name: string, err: (line: string) => void): boolean {
    const c = libc();
    const fd = tryOpen(`${NETNS_RUN_DIR}/${name}`);
    if (fd < 0) {
      err(`Cannot open network namespace "${name}": ${strerror(-fd)}`);
      return false;
    }
    if (c.setns(fd, CLONE_NEWNET) !== 0) {
      err(`setting the network namespace "${name}" failed: ${cErr()}`);
      closeSync(fd);
      return false;
    }
    closeSync(fd);
    if (c.unshare(CLONE_NEWNS) !== 0) {
      err(`unshare failed: ${cErr()}`);
      return false;
    }
    // No mount made from here on propagates back to the parent's namespace.
    if (c.mount('', '/', 'none', MS_SLAVE | MS_REC, null) !== 0) {
      err(`"mount --make-rslave /" failed: ${cErr()}`);
      return false;
    }
    // A /sys that describes the namespace; over a read-only one that cannot be
    // unmounted, a read-only one (a read-only /sys cannot be shadowed read-write).
    let flags = 0;
    if (c.umount2('/sys', MNT_DETACH) !== 0 && sysReadOnly()) flags = MS_RDONLY;
    if (c.mount(name, '/sys', 'sysfs', flags, null) !== 0) {
      err(`mount of /sys failed: ${cErr()}`);
      return false;
    }
    bindEtc(name, err);
    return true;
  }
}

/** statvfs("/sys")'s ST_RDONLY, read from this thread's mount table. */
function sysReadOnly(): boolean {
  try {
    for (const line of readFileSync('/proc/thread-self/mountinfo', 'utf8').split('\n')) {
      const f = line.split(' ');
      if (f[4] === '/sys') return f[5].split(',').includes('ro');
    }
  } catch {
    // no mount table: as if writable
  }
  return false;
}

/** bind_etc(): each file of /etc/netns/NAME over its namesake in /etc. */
function bindEtc(name: string, err: (line: string) => void): void {
  if (Buffer.byteLength(name) >= 255) return;
  const dir = `${NETNS_ETC_DIR}/${name}`;
  const entries = readdirInOrder(dir).names;
  if (!entries) return;
  for (const e of entries) {
    const from = `${dir}/${e}`, to = `/etc/${e}`;
    if (libc().mount(from, to, 'none', MS_BIND, null) !== 0) err(`Bind ${from} -> ${to} failed: ${cErr()}`);
  }
}

/** mkdir NETNS_RUN_DIR (0755) unless it is there; false, having said why, when it cannot be made. */
function makeRunDir(err: (line: string) => void): boolean {
  try {
    mkdirSync(NETNS_RUN_DIR, 0o755);
  } catch (e) {
    if (errnoOf(e) !== EEXIST) {
      err(`mkdir ${NETNS_RUN_DIR} failed: ${strerror(errnoOf(e))}`);
      return false;
    }
  }
  return true;
}
