// The model's routing, as far as it needs one: the connected routes of each
// link's IPv4 addresses (the longest prefix wins, as in the FIB), then the
// default gateway; and inet_select_addr()'s choice of a source address.
import { AF_INET } from '../wire/rtnl-constants.js';
import { parseIPv4 } from '../lib/inet.js';
import type { SimHost, SimLink } from './world.js';

/** A dotted quad as a 32-bit number (the model's own texts: always well formed). */
export function toNum(a: string): number {
  const b = parseIPv4(a)!;
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

export function inSubnet(addr: string, local: string, plen: number): boolean {
  if (plen === 0) return true;
  const mask = plen >= 32 ? 0xffffffff : (~((1 << (32 - plen)) - 1)) >>> 0;
  return ((toNum(addr) & mask) >>> 0) === ((toNum(local) & mask) >>> 0);
}

export function sameSubnet(link: SimLink, addr: string): boolean {
  return link.addresses.some((a) => a.family === AF_INET && inSubnet(addr, a.local, a.prefixlen));
}

/** The source address the kernel would pick on `link` for `dst` (inet_select_addr: same subnet first). */
export function sourceFor(link: SimLink, dst: string): string | undefined {
  const v4 = link.addresses.filter((a) => a.family === AF_INET && !a.secondary);
  return (v4.find((a) => inSubnet(dst, a.local, a.prefixlen)) ?? v4[0])?.local;
}

/** The longest prefix of `link`'s connected subnets that holds `addr` (-1: none). */
function prefixFor(link: SimLink, addr: string): number {
  let best = -1;
  for (const a of link.addresses) if (a.family === AF_INET && a.prefixlen > best && inSubnet(addr, a.local, a.prefixlen)) best = a.prefixlen;
  return best;
}

export function routeFor(host: SimHost, dst: string, devName?: string): { link: SimLink; via: string } | undefined {
  const links = host.links.filter((l) => l.type !== 772 && l.flags & 1 && (!devName || l.name === devName));
  // The most specific connected route wins, as in the FIB.
  let direct: SimLink | undefined, longest = -1;
  for (const l of links) {
    const plen = prefixFor(l, dst);
    if (plen > longest) [direct, longest] = [l, plen];
  }
  if (direct) return { link: direct, via: dst };
  if (devName && links[0]) return { link: links[0], via: dst };
  if (host.gateway) {
    const gw = links.find((l) => sameSubnet(l, host.gateway!));
    if (gw) return { link: gw, via: host.gateway };
  }
  return undefined;
}



/** Is `addr` the broadcast address of one of `link`'s subnets? */
export function isSubnetBroadcast(link: SimLink, addr: string): boolean {
  return link.addresses.some((a) => a.family === AF_INET && a.prefixlen < 31 && inSubnet(addr, a.local, a.prefixlen) &&
    ((toNum(addr) | ((1 << (32 - a.prefixlen)) - 1)) >>> 0) === toNum(addr));
}
