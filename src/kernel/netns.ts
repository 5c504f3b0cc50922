// `-n NAME`: move this thread into /var/run/netns/NAME before any socket is
// opened, as ip's netns_switch() does. Sockets made afterwards belong there.
import { closeSync, openSync } from 'node:fs';
import { CLONE_NEWNET, libc } from './libc.js';
import { strerror } from '../errno.js';

export const NETNS_RUN_DIR = '/var/run/netns';

/** Returns an error line (ip's wording) or undefined on success. */
export function switchNetns(name: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(`${NETNS_RUN_DIR}/${name}`, 'r');
  } catch (e) {
    const errno = -((e as NodeJS.ErrnoException).errno ?? -2);
    return `Cannot open network namespace "${name}": ${strerror(errno)}`;
  }
  try {
    const c = libc();
    if (c.setns(fd, CLONE_NEWNET) < 0) {
      return `setting the network namespace "${name}" failed: ${strerror(c.errno())}`;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
