// The model's FIB, IPv4 (net/ipv4/fib_*.c) and IPv6 (net/ipv6/ip6_fib.c,
// route.c): tables by id (local 255, main 254, any other), the routes the
// kernel makes for addresses, the routes added over rtnetlink, the order a
// dump walks them in, and the lookup that picks a route and its next hop.
//
// Which routes are kept and which are derived, deliberately: the kernel's
// own routes (fib_add_ifaddr(), addrconf's prefix, local and multicast
// routes) are a function of the addresses and the links' state, so they are
// computed from them on each look and never stored: an address change, a
// promotion, a state file of an older tsnet, all give the right table with
// no second copy to drift. Only what cannot be derived is stored
// (host.routes): the routes added with RTM_NEWROUTE, in the order of their
// table's alias lists, and the kernel's routes a request deleted or
// replaced (host.suppressed), until the kernel makes them again (the
// address added anew, the link coming up). The kernel's
// removals of added routes (a device going down or away, a preferred source
// no longer local) are applied by fibSync(), run before and after each
// request, which is the same from outside: an added route's device is up
// when it is added, so going down is the only way it can lose it; the
// loss of a device's last IPv4 address (fib_disable_ip, forced) is applied
// where it happens (fibDisableIp).
import type { Note } from './kfn.js';
import {
  AF_INET, AF_INET6, IFA_F_NOPREFIXROUTE, IFF_UP, RTNH_F_LINKDOWN, RTN_BLACKHOLE, RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST,
  RTN_PROHIBIT, RTN_THROW, RTN_UNICAST, RTN_UNREACHABLE, RTPROT_BOOT, RTPROT_KERNEL, RT_SCOPE_HOST, RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE, RT_TABLE_DEFAULT, RT_TABLE_LOCAL, RT_TABLE_MAIN,
} from '../wire/rtnl-constants.js';
import { formatAddress, prefixMatch } from '../lib/inet.js';
import { addressBytes } from './text.js';
import type { SimAddress, SimHost, SimLink, SimRoute } from './world.js';

export type { SimRoute };

/** A route as a lookup found it: the route, its device and the next hop to resolve. */
export interface FibResult {
  route: SimRoute;
  link?: SimLink;
  /** The neighbour to resolve: the gateway, else the destination itself. */
  nexthop: string;
  /** Why this one: the table, the prefix, what was passed over. */
  why: string;
}

export const bytesOf = (family: number, text: string): Uint8Array => addressBytes(family, text);

/** The address with the bits past plen cleared. */
export function maskAddress(family: number, text: string, plen: number): string {
  const b = bytesOf(family, text).slice();
  for (let i = 0; i < b.length; i++) {
    const keep = Math.max(0, Math.min(8, plen - i * 8));
    b[i] &= (0xff << (8 - keep)) & 0xff;
  }
  return formatAddress(family, b);
}

/** Are the bits past plen all zero (fib_table_insert's "Invalid prefix for given prefix length")? */
export function isMasked(family: number, text: string, plen: number): boolean {
  return maskAddress(family, text, plen) === formatAddress(family, bytesOf(family, text));
}

export function covers(r: { family: number; dst: string; plen: number }, addr: string): boolean {
  return prefixMatch(bytesOf(r.family, r.dst), bytesOf(r.family, addr), r.plen);
}

/** The IPv4 subnet broadcast (prefix | ~mask). */
function broadcastOf(prefix: string, plen: number): string {
  const b = bytesOf(AF_INET, prefix).slice();
  for (let i = 0; i < 4; i++) b[i] |= ~((0xff << (8 - Math.max(0, Math.min(8, plen - i * 8)))) & 0xff) & 0xff;
  return formatAddress(AF_INET, b);
}

const isUp = (l: SimLink) => (l.flags & IFF_UP) !== 0;

/** inet_ifa_match() of a secondary's primary: the first primary of the same prefix on the link. */
function primaryOf(l: SimLink, a: SimAddress): SimAddress | undefined {
  if (!a.secondary) return a;
  return l.addresses.find((x) => x.family === AF_INET && !x.secondary && x.prefixlen === a.prefixlen &&
    maskAddress(AF_INET, x.peer ?? x.local, x.prefixlen) === maskAddress(AF_INET, a.peer ?? a.local, a.prefixlen));
}

/**
 * fib_add_ifaddr() for each IPv4 address of an up link: the local route
 * (table local, scope host, src the subnet's primary), an explicit
 * broadcast, and for a primary the prefix route (table main, scope link;
 * RTN_LOCAL in table local on a loopback device) and the subnet broadcast
 * below /31. A link that is down keeps only the local routes: they are made
 * whatever the link's state, and NETDEV_DOWN's fib_sync_down_dev() passes
 * over host-scope next hops (only losing the last address forces them out).
 */
function ipv4KernelRoutes(l: SimLink, out: SimRoute[]): void {
  const up = isUp(l);
  for (const a of l.addresses) {
    if (a.family !== AF_INET) continue;
    const prim = primaryOf(l, a);
    if (!prim) continue;
    const base = { family: AF_INET, tos: 0, proto: RTPROT_KERNEL, oif: l.index, prefsrc: prim.local, kernel: true, priority: 0 };
    out.push({ ...base, table: RT_TABLE_LOCAL, dst: a.local, plen: 32, type: RTN_LOCAL, scope: RT_SCOPE_HOST });
    if (!up) continue;
    if (a.broadcast && a.broadcast !== '255.255.255.255') {
      out.push({ ...base, table: RT_TABLE_LOCAL, dst: a.broadcast, plen: 32, type: RTN_BROADCAST, scope: RT_SCOPE_LINK });
    }
    const prefix = maskAddress(AF_INET, a.peer ?? a.local, a.prefixlen);
    if (prefix.startsWith('0.') || a.secondary || (prefix === a.local && a.prefixlen >= 32)) continue;
    if (!((a.flags ?? 0) & IFA_F_NOPREFIXROUTE)) {
      const lo = l.type === 772;
      out.push({
        ...base, table: lo ? RT_TABLE_LOCAL : RT_TABLE_MAIN, dst: prefix, plen: a.prefixlen, type: lo ? RTN_LOCAL : RTN_UNICAST,
        scope: lo ? RT_SCOPE_HOST : RT_SCOPE_LINK, priority: a.metric ?? 0,
      });
    }
    if (a.prefixlen < 31) {
      out.push({ ...base, table: RT_TABLE_LOCAL, dst: broadcastOf(prefix, a.prefixlen), plen: 32, type: RTN_BROADCAST, scope: RT_SCOPE_LINK });
    }
  }
}

/**
 * addrconf's routes on an up link: each address's prefix route (metric
 * 256 unless the address has one; none for noprefixroute or on lo), its
 * local route once DAD is over, and ff00::/8 in table local once IPv6 is
 * configured on the device (never on lo).
 */
function ipv6KernelRoutes(l: SimLink, out: SimRoute[]): void {
  if (!isUp(l)) return;
  const v6 = l.addresses.filter((a) => a.family === AF_INET6);
  const base = { family: AF_INET6, proto: RTPROT_KERNEL, oif: l.index, scope: RT_SCOPE_UNIVERSE, kernel: true, pref: 0 };
  if (l.type !== 772 && (l.inet6Ready || v6.length)) {
    out.push({ ...base, table: RT_TABLE_LOCAL, dst: 'ff00::', plen: 8, type: RTN_MULTICAST, priority: 256 });
  }
  for (const a of v6) {
    if (a.peer) continue;
    // Every address has its prefix route, a /128 too (addrconf_prefix_route); not lo's ::1 (init_loopback).
    if (l.type !== 772 && !((a.flags ?? 0) & IFA_F_NOPREFIXROUTE)) {
      out.push({ ...base, table: RT_TABLE_MAIN, dst: maskAddress(AF_INET6, a.local, a.prefixlen), plen: a.prefixlen, type: RTN_UNICAST, priority: a.metric || 256 });
    }
    if (!a.tentative) out.push({ ...base, table: RT_TABLE_LOCAL, dst: a.local, plen: 128, type: RTN_LOCAL, priority: 0 });
  }
}

/** The same route twice (fib_magic's NLM_F_APPEND of an identical fib_info is refused: one stays). */
function sameRoute(a: SimRoute, b: SimRoute): boolean {
  return a.table === b.table && a.dst === b.dst && a.plen === b.plen && a.type === b.type && a.oif === b.oif &&
    (a.priority ?? 0) === (b.priority ?? 0) && a.prefsrc === b.prefsrc && a.scope === b.scope && a.gateway === b.gateway;
}

export function kernelRoutes(host: SimHost, family: number): SimRoute[] {
  const out: SimRoute[] = [];
  for (const l of host.links) (family === AF_INET ? ipv4KernelRoutes : ipv6KernelRoutes)(l, out);
  const gone = host.suppressed ?? [];
  return out.filter((r, i) => out.findIndex((x) => sameRoute(x, r)) === i && !gone.some((x) => x.family === r.family && sameRoute(x, r)));
}

/** A kernel-made route deleted or replaced by a request: gone until the kernel makes it again. */
export function suppress(host: SimHost, r: SimRoute): void {
  const plain = { ...r };
  delete plain.kernel;
  (host.suppressed ??= []).push(plain);
}

/** fib_add_ifaddr() for one new address: its routes are made again, whatever was deleted before. */
export function fibAddIfaddr(host: SimHost, l: SimLink, a: SimAddress): void {
  if (!host.suppressed?.length) return;
  const derive = (addresses: SimAddress[]) => {
    const out: SimRoute[] = [];
    (a.family === AF_INET ? ipv4KernelRoutes : ipv6KernelRoutes)({ ...l, addresses }, out);
    return out;
  };
  // A secondary's own routes: those its primary does not make alone.
  const prim = primaryOf(l, a);
  const base = prim && prim !== a ? derive([prim]) : [];
  const out = derive(prim && prim !== a ? [prim, a] : [a]).filter((r) => !base.some((x) => sameRoute(x, r)));
  host.suppressed = host.suppressed.filter((x) => !out.some((r) => r.family === x.family && sameRoute(x, r)));
}

/** The routes added over rtnetlink (kept in host.routes); an older state file's gateway becomes its default route. */
export function addedRoutes(host: SimHost): SimRoute[] {
  const routes = (host.routes ??= []);
  if (host.gateway) {
    const gw = host.gateway;
    host.gateway = undefined;
    const l = host.links.find((x) => x.addresses.some((a) => a.family === AF_INET && !a.secondary && covers({ family: AF_INET, dst: a.local, plen: a.prefixlen }, gw)));
    if (l && !routes.some((r) => r.family === AF_INET && r.plen === 0 && r.table === RT_TABLE_MAIN)) routes.push(defaultRoute(gw, l.index));
  }
  return routes;
}

/** `ip route add default via GW` as the model's starting hosts have it (proto boot, what ip gives). */
export function defaultRoute(gateway: string, oif: number): SimRoute {
  return { family: AF_INET, table: RT_TABLE_MAIN, dst: '0.0.0.0', plen: 0, tos: 0, type: RTN_UNICAST, proto: RTPROT_BOOT, scope: RT_SCOPE_UNIVERSE, gateway, oif };
}

/** Compares two addresses of a family bit by bit (negative: a first). */
function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * The order a dump walks a table in. IPv4 (fib_trie): by key, then the
 * longer prefix of the same key first (fa_slen), tos descending, priority
 * ascending. IPv6 (fib6 tree, walked children first): a prefix inside
 * another comes before it, others by address; then metric ascending.
 */
export function routeOrder(a: SimRoute, b: SimRoute): number {
  const ab = bytesOf(a.family, a.dst), bb = bytesOf(b.family, b.dst);
  if (a.family === AF_INET) {
    return cmpBytes(ab, bb) || b.plen - a.plen || (b.tos ?? 0) - (a.tos ?? 0) || (a.priority ?? 0) - (b.priority ?? 0);
  }
  const common = Math.min(a.plen, b.plen);
  if (!prefixMatch(ab, bb, common)) return cmpBytes(maskBytes(ab, common), maskBytes(bb, common)) || cmpBytes(ab, bb);
  return b.plen - a.plen || (a.priority ?? 0) - (b.priority ?? 0);
}

function maskBytes(b: Uint8Array, plen: number): Uint8Array {
  const out = b.slice();
  for (let i = 0; i < out.length; i++) out[i] &= (0xff << (8 - Math.max(0, Math.min(8, plen - i * 8)))) & 0xff;
  return out;
}

/** The tables a dump walks, in the kernel's hash order (id & 255; within a bucket, the newer table first). */
function tableOrder(a: number, b: number): number {
  return (a & 255) - (b & 255) || b - a;
}

/** Every route of a family, kernel-made and added, in dump order. */
export function fibRoutes(host: SimHost, family: number): SimRoute[] {
  const all = [...kernelRoutes(host, family), ...addedRoutes(host).filter((r) => r.family === family)];
  // A stable sort: among equal keys, kernel routes (made with their address) come before added ones, and added ones keep their list order.
  return all.map((r, i) => ({ r, i })).sort((x, y) => tableOrder(x.r.table, y.r.table) || routeOrder(x.r, y.r) || x.i - y.i).map((x) => x.r);
}

/** RTNH_F_LINKDOWN: a next hop (not a host-scope one, as local routes have) whose device has no carrier. */
export function routeFlags(r: SimRoute, carrier: (l: SimLink) => boolean, host: SimHost): number {
  let f = r.flags ?? 0;
  const l = r.oif !== undefined ? host.links.find((x) => x.index === r.oif) : undefined;
  const hostScope = r.family === AF_INET ? r.scope === RT_SCOPE_HOST : r.type === RTN_LOCAL;
  if (l && !hostScope && !carrier(l)) f |= RTNH_F_LINKDOWN;
  return f;
}

/** fib_props[type].error: the lookup ends with this errno. */
export const TYPE_ERRNO: Record<number, number> = { [RTN_BLACKHOLE]: 22, [RTN_UNREACHABLE]: 113, [RTN_PROHIBIT]: 13 };

export interface LookupOptions {
  oif?: number;
  /** flowi4_scope: routes of a narrower scope are passed over (the gateway check asks for link). */
  scope?: number;
  /** One table only (RTM_F_LOOKUP_TABLE, a nexthop check in a given table). */
  table?: number;
}

/**
 * fib_lookup() with the default rules (local, main, default) or
 * fib6_lookup() (the same tables): the longest prefix whose route
 * qualifies (scope, type, the asked device). Undefined: no route.
 */
export function fibLookup(host: SimHost, family: number, dst: string, o: LookupOptions = {}): SimRoute | undefined {
  const tables = o.table !== undefined ? [o.table] : [RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_DEFAULT];
  const routes = fibRoutes(host, family);
  for (const t of tables) {
    const hits = routes.filter((r) => r.table === t && covers(r, dst)).sort((a, b) => b.plen - a.plen);
    for (const r of hits) {
      if (family === AF_INET && o.scope !== undefined && r.scope < o.scope) continue;
      if (o.oif && r.oif !== undefined && r.oif !== o.oif && !TYPE_ERRNO[r.type]) continue;
      if (r.type === RTN_THROW) break;
      return r;
    }
  }
  return undefined;
}

/** A route's text for the trace: "10.0.0.0/24 dev eth0 table main proto kernel scope link". */
export function describeRoute(host: SimHost, r: SimRoute): string {
  const dev = host.links.find((l) => l.index === r.oif)?.name;
  const table = r.table === RT_TABLE_MAIN ? 'main' : r.table === RT_TABLE_LOCAL ? 'local' : String(r.table);
  const type = r.type === RTN_UNICAST ? '' : `${['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw'][r.type] ?? r.type} `;
  const dst = r.plen === 0 ? 'default' : `${r.dst}/${r.plen}`;
  return `${type}${dst}${r.gateway ? ` via ${r.gateway}` : ''}${dev ? ` dev ${dev}` : ''} table ${table}${r.kernel ? ' proto kernel' : ''}` +
    `${r.family === AF_INET && r.scope !== RT_SCOPE_UNIVERSE ? ` scope ${r.scope === RT_SCOPE_LINK ? 'link' : r.scope === RT_SCOPE_HOST ? 'host' : r.scope}` : ''}` +
    `${r.priority ? ` metric ${r.priority}` : ''}`;
}

/**
 * What the kernel removes of the added routes by itself: a route whose
 * device is gone or down (fib_disable_ip / rt6_disable_ip on NETDEV_DOWN
 * and UNREGISTER) and an IPv4 route whose preferred source is no longer a
 * local address (fib_sync_down_addr).
 */
export function fibSync(host: SimHost, note: Note): void {
  // A link coming up makes every route of its addresses again (NETDEV_UP: fib_add_ifaddr for each).
  if (host.suppressed?.length) {
    host.suppressed = host.suppressed.filter((x) => {
      const l = host.links.find((y) => y.index === x.oif);
      if (l && !isUp(l)) x.untilUp = true;
      return l && !(x.untilUp && isUp(l));
    });
  }
  const routes = host.routes;
  if (!routes?.length) return;
  const local = new Set(host.links.flatMap((l) => l.addresses.filter((a) => a.family === AF_INET).map((a) => a.local)));
  host.routes = routes.filter((r) => {
    if (r.oif === undefined) return true;
    const l = host.links.find((x) => x.index === r.oif);
    // NETDEV_DOWN's fib_sync_down_dev() passes over host-scope next hops (an IPv4 local route stays).
    const hostScope = r.family === AF_INET && r.scope === RT_SCOPE_HOST;
    const why = !l ? 'its device is gone' : !isUp(l) && !hostScope ? `${l.name} went down` : r.family === AF_INET && r.prefsrc && !local.has(r.prefsrc)
      ? `its source ${r.prefsrc} is no longer a local address` : undefined;
    if (why) note(`route ${describeRoute(host, r)} removed: ${why}`, 'fib_sync_down_dev');
    return !why;
  });
}


/** fib_disable_ip(dev, force): a device's last IPv4 address is gone, and every IPv4 route through it with it. */
export function fibDisableIp(host: SimHost, l: SimLink, note: Note): void {
  if (l.addresses.some((a) => a.family === AF_INET) || !host.routes?.length) return;
  const gone = host.routes.filter((r) => r.family === AF_INET && r.oif === l.index);
  if (!gone.length) return;
  host.routes = host.routes.filter((r) => !gone.includes(r));
  note(`${l.name}: its last IPv4 address is gone, and with it the routes through it: ${gone.map((r) => describeRoute(host, r)).join('; ')}`, 'fib_del_ifaddr');
}
