// Messages shared by every object of the front.
import type { NetlinkError } from '../backend.js';
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_PACKET, AF_UNSPEC } from '../wire/rtnl-constants.js';
import { strerror } from '../errno.js';
import type { Context } from './context.js';
import { invarg } from './matches.js';
import { Color } from '../lib/output.js';

export function familyName(family: number): string {
  switch (family) {
    case AF_INET: return 'inet';
    case AF_INET6: return 'inet6';
    case AF_PACKET: return 'link';
    case AF_MPLS: return 'mpls';
    case AF_BRIDGE: return 'bridge';
    default: return '???';
  }
}

export function familyNameVerbose(family: number): string {
  return family === AF_UNSPEC ? 'any valid' : familyName(family);
}

/**
 * How ip reports a refused request: the kernel's extended-ACK text as
 * `Error: <msg>.`, else `RTNETLINK answers: <strerror>`. `bare` gives only
 * the strerror part, for perror()-style messages.
 */
export function netlinkErrorLine(e: NetlinkError, bare = false): string {
  if (bare) return strerror(e.errno);
  if (e.extack) return `Error: ${e.extack}${e.extack.endsWith('.') ? '' : '.'}`;
  return `RTNETLINK answers: ${strerror(e.errno)}`;
}

/** nodev(): the message, and the handler's failure code. */
export function nodev(ctx: Context, dev: string): number {
  ctx.err(`Cannot find device "${dev}"`);
  return 1;
}

/** The colour of an address of this family (ip's color.c). */
export function familyColor(family: number): Color {
  return family === AF_INET ? Color.INET : family === AF_INET6 ? Color.INET6 : Color.NONE;
}

/** `master DEV` of a filter: the device's index; ip's error when there is no such device. */
export function masterArg(ctx: Context, dev: string): number {
  const i = ctx.nameToIndex(dev);
  if (!i) invarg('Device does not exist\n', dev);
  return i;
}

/** `vrf NAME` of a filter: the VRF device's index (ip's error when it is not one). */
export function vrfArg(ctx: Context, name: string): number {
  const i = ctx.nameToIndex(name);
  if (!i || ctx.link(i)?.kind !== 'vrf') invarg('Not a valid VRF name\n', name);
  return i;
}
