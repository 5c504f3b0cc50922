// Network namespaces by name, as ip's lib/namespace.c and netns_map_init()
// know them: the files under NETNS_RUN_DIR. `-n NAME` moves this thread into
// one before any socket is opened (netns_switch()); `link set DEV netns NAME`
// sends an open descriptor of one; link-netnsid is printed as the name the
// kernel knows by that nsid.
import { closeSync, openSync, readdirSync } from 'node:fs';
import { CLONE_NEWNET, O_CLOEXEC, O_RDONLY, libc } from './libc.js';
import { strerror } from '../errno.js';
import type { RtMessage, RtRequest } from '../backend.js';
import { NETNSA_FD, NETNSA_NSID, RTGENMSG_LEN, RTM_GETNSID } from '../wire/rtnl-constants.js';
import { attrS32 } from '../wire/nlattr.js';

/** ip's NETNS_RUN_DIR as Debian's ip 6.1 is built: where `ip netns add` mounts a namespace (its messages name it). */
export const NETNS_RUN_DIR = '/run/netns';

/** Returns an error line (ip's wording) or undefined on success. */
export function switchNetns(name: string): string | undefined {
  // libc's open(2), not node:fs's: under Bun, node:fs costs ~2 ms to load, and setns needs libc anyway.
  const c = libc();
  const fd = c.open(`${NETNS_RUN_DIR}/${name}`, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return `Cannot open network namespace "${name}": ${strerror(c.errno())}`;
  try {
    if (c.setns(fd, CLONE_NEWNET) < 0) {
      return `setting the network namespace "${name}" failed: ${strerror(c.errno())}`;
    }
    return undefined;
  } finally {
    c.close(fd);
  }
}

/** The names of the namespaces `ip netns` made (empty when there are none). */
export function netnsNames(): string[] {
  try {
    return readdirSync(NETNS_RUN_DIR).sort();
  } catch {
    return [];
  }
}

/** netns_get_fd(): an open descriptor of NAME (or of a path), or undefined; it stays open until exit. */
export function netnsFd(name: string): number | undefined {
  try {
    return openSync(name.includes('/') ? name : `${NETNS_RUN_DIR}/${name}`, 'r');
  } catch {
    return undefined;
  }
}

/** netns_map_init(): each named namespace's nsid as this namespace knows it (RTM_GETNSID per name). */
export function nsidNames(request: (req: RtRequest) => RtMessage[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const name of netnsNames()) {
    let fd = -1;
    try {
      fd = openSync(`${NETNS_RUN_DIR}/${name}`, 'r');
      const [m] = request({
        type: RTM_GETNSID, flags: 0, header: new Uint8Array(RTGENMSG_LEN), attrs: [{ type: NETNSA_FD, kind: 'u32', value: fd }],
      });
      const id = m?.attrs.get(NETNSA_NSID);
      const n = id ? attrS32(id) : -1;
      if (n >= 0 && !names.has(n)) names.set(n, name);
    } catch {
      // Not a namespace we can ask about: ip skips it too.
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }
  return names;
}
