// The model's routing decisions for its own traffic, over the FIB (fib.ts):
// the route a locally sent packet takes and the neighbour it needs
// (ip_route_output_key -> the next hop's neighbour in ip_finish_output2),
// the route an incoming packet or ARP request would take (ip_route_input,
// for forwarding and proxy ARP), and the source address the kernel
// chooses (inet_select_addr(); ipv6_dev_get_saddr(), simplified to scope
// and longest matching prefix).
import { AF_INET, AF_INET6, IFF_UP, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RTN_LOCAL } from '../wire/rtnl-constants.js';
import { parseIPv4 } from '../lib/inet.js';
import { TYPE_ERRNO, bytesOf, describeRoute, fibLookup } from './fib.js';
import type { SimAddress, SimHost, SimLink, SimRoute } from './world.js';

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

/**
 * inet_select_addr(dev, dst, scope): the first primary of the device in
 * dst's subnet, else its first primary of a wide enough scope, else a
 * primary of another device of scope below link.
 */
export function selectSource(host: SimHost, link: SimLink | undefined, dst: string | undefined, scope = RT_SCOPE_LINK): string | undefined {
  // An older state file's 127/8 has no scope: host, as the kernel gives it.
  const scopeOf = (a: SimAddress) => a.scope ?? (a.local.startsWith('127.') ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE);
  let found: string | undefined;
  for (const a of link?.addresses ?? []) {
    if (a.family !== AF_INET || a.secondary || scopeOf(a) > scope) continue;
    if (!dst || inSubnet(dst, a.peer ?? a.local, a.prefixlen)) return a.local;
    found ??= a.local;
  }
  if (found) return found;
  for (const l of host.links) {
    if (l === link) continue;
    const a = l.addresses.find((x) => x.family === AF_INET && !x.secondary && scopeOf(x) < RT_SCOPE_LINK && scopeOf(x) <= scope);
    if (a) return a.local;
  }
  return undefined;
}

/** The source the kernel would pick on `link` for `dst` (inet_select_addr, scope link). */
export function sourceFor(link: SimLink, dst: string): string | undefined {
  const v4 = link.addresses.filter((a) => a.family === AF_INET && !a.secondary);
  return (v4.find((a) => inSubnet(dst, a.peer ?? a.local, a.prefixlen)) ?? v4[0])?.local;
}

/** ipv6_dev_get_saddr(), its main rules: no tentative address, the scope that fits dst, the longest common prefix. */
export function selectSource6(host: SimHost, link: SimLink | undefined, dst: string): string | undefined {
  const scopeOf = (a: string) => (/^ff0?2:/i.test(a) || /^fe[89ab]/i.test(a) ? RT_SCOPE_LINK : a === '::1' ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE);
  const d = bytesOf(AF_INET6, dst);
  const common = (a: string) => {
    const b = bytesOf(AF_INET6, a);
    let n = 0;
    for (let i = 0; i < 16; i++) {
      const x = b[i] ^ d[i];
      if (x) return n + Math.clz32(x) - 24;
      n += 8;
    }
    return n;
  };
  const ds = scopeOf(dst);
  const candidates = (link ? [link] : host.links).flatMap((l) => l.addresses.filter((a) => a.family === AF_INET6 && !a.tentative && a.local !== '::1'));
  // Scopes: RT_SCOPE_* is larger for narrower; prefer the narrowest scope at least as wide as dst's, else the widest.
  const rank = (a: string) => {
    const s = scopeOf(a);
    return s <= ds ? 1000 - (ds - s) : -s;
  };
  candidates.sort((a, b) => rank(b.local) - rank(a.local) || common(b.local) - common(a.local));
  return candidates[0]?.local;
}

/** FIB_RES_PREFSRC(): the route's preferred source, else inet_select_addr(dev, gateway, the next hop's scope). */
export function routeSource(host: SimHost, link: SimLink, r: SimRoute | undefined, dst: string): string | undefined {
  if (!r) return sourceFor(link, dst);
  return r.prefsrc ?? selectSource(host, link, r.gateway, r.gateway ? RT_SCOPE_LINK : RT_SCOPE_HOST);
}

/** A route chosen for a packet: the route, the device, the neighbour to resolve, and why (for --trace). */
export interface Routed {
  link: SimLink;
  via: string;
  route?: SimRoute;
  why: string;
}

/**
 * ip_route_output_key() for a locally sent IPv4 packet: the FIB's answer
 * (local table first, then main; the longest prefix), the device and the
 * next hop. Bound to a device (`dev`, SO_BINDTODEVICE), a destination
 * with no route there is taken as on-link, as the kernel does.
 */
export function routeFor(host: SimHost, dst: string, devName?: string): Routed | undefined {
  const dev = devName ? host.links.find((l) => l.name === devName) : undefined;
  const r = fibLookup(host, AF_INET, dst, { oif: dev?.index });
  if (!r || TYPE_ERRNO[r.type] !== undefined) {
    if (dev && dev.flags & IFF_UP) return { link: dev, via: dst, why: `no route to ${dst} on ${dev.name}: taken as on-link (bound to the device)` };
    return undefined;
  }
  if (r.type === RTN_LOCAL) {
    const lo = host.links.find((l) => l.type === 772);
    if (lo) return { link: lo, via: dst, route: r, why: `route ${describeRoute(host, r)}: a local address` };
  }
  const link = host.links.find((l) => l.index === r.oif);
  if (!link) return undefined;
  const via = r.gateway ?? dst;
  const match = `the longest prefix holding ${dst} (tables local, then main)`;
  return { link, via, route: r, why: `route ${describeRoute(host, r)}, ${match}${r.gateway ? `: the next hop is the gateway ${r.gateway}` : ': on-link, the next hop is the destination itself'}` };
}

