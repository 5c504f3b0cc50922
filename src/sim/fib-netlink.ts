// The model's route messages (RTM_GETROUTE, RTM_NEWROUTE, RTM_DELROUTE),
// IPv4 as net/ipv4/fib_frontend.c, fib_semantics.c and fib_trie.c answer
// them, IPv6 as net/ipv6/route.c and ip6_fib.c do: the strict dump request
// checks and filters, the attributes each route reports in the kernel's
// order (fib_dump_info, rt6_fill_node), `route get` (the lookup, the chosen
// source, RTM_F_LOOKUP_TABLE and RTM_F_FIB_MATCH), fib_create_info()'s and
// ip6_route_info_create()'s validation with the kernel's errno and extack,
// and fib_table_insert()'s CREATE/EXCL/REPLACE/APPEND rules.
import type { Note } from './kfn.js';
import { NetlinkError, type RtMessage, type RtRequest } from '../backend.js';
import {
  AF_INET, AF_INET6, AF_UNSPEC, IFF_UP, NLM_F_APPEND, NLM_F_CREATE, NLM_F_DUMP_FILTERED, NLM_F_EXCL, NLM_F_MULTI, NLM_F_REPLACE,
  RTA_CACHEINFO, RTA_DST, RTA_GATEWAY, RTA_METRICS, RTA_OIF, RTA_PREF, RTA_PREFSRC, RTA_PRIORITY, RTA_SRC, RTA_TABLE, RTA_UID,
  RTA_IIF, RTA_MARK, RTA_IP_PROTO, RTA_SPORT, RTA_DPORT, RTA_MULTIPATH, RTA_VIA, RTA_NH_ID, RTA_ENCAP, RTA_ENCAP_TYPE, RTA_FLOW,
  RTCF_BROADCAST, RTCF_LOCAL, RTCF_MULTICAST, RTMSG_LEN, RTM_F_CLONED, RTM_F_FIB_MATCH, RTM_F_LOOKUP_TABLE, RTM_F_NOTIFY,
  RTM_F_PREFIX, RTM_NEWROUTE, RTNH_F_ONLINK, RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RTN_THROW, RTN_UNICAST,
  RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_LOCAL, RT_TABLE_MAIN,
} from '../wire/rtnl-constants.js';
import { EEXIST, EHOSTUNREACH, EINVAL, ENETDOWN, ENETUNREACH, ENODEV, ENOENT, EOPNOTSUPP, ESRCH } from '../errno.js';
import { formatAddress } from '../lib/inet.js';
import { type Attrs, type LinkAttr, attrU32, attrU8, encodeAttrs, parseAttrs } from '../wire/nlattr.js';
import {
  TYPE_ERRNO, addedRoutes, bytesOf, describeRoute, fibLookup, fibRoutes, isMasked, kernelRoutes, maskAddress, routeFlags, routeOrder, suppress,
} from './fib.js';
import { routeSource, selectSource, selectSource6 } from './route.js';
import type { SimHost, SimLink, SimRoute } from './world.js';

/** RT_TABLE_COMPAT: what rtm_table says of a table id above 255. */
const RT_TABLE_COMPAT = 252;
/** IP6_RT_PRIO_USER: an IPv6 route added without a metric. */
const IP6_RT_PRIO_USER = 1024;
/** fib_props[type].scope: the narrowest scope a route of each type may have. */
const TYPE_SCOPE = [RT_SCOPE_UNIVERSE, RT_SCOPE_UNIVERSE, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE,
  RT_SCOPE_UNIVERSE, RT_SCOPE_UNIVERSE, RT_SCOPE_UNIVERSE, RT_SCOPE_UNIVERSE, RT_SCOPE_NOWHERE, RT_SCOPE_NOWHERE];
const RTN_MAX = 11;

interface Rtmsg { family: number; dstLen: number; srcLen: number; tos: number; table: number; protocol: number; scope: number; type: number; flags: number }

function rtmsgOf(h: Uint8Array): Rtmsg | undefined {
  if (h.length < RTMSG_LEN) return undefined;
  const flags = (h[8] | (h[9] << 8) | (h[10] << 16) | (h[11] << 24)) >>> 0;
  return { family: h[0], dstLen: h[1], srcLen: h[2], tos: h[3], table: h[4], protocol: h[5], scope: h[6], type: h[7], flags };
}

function header(r: { family: number; dstLen: number; srcLen: number; tos: number; table: number; protocol: number; scope: number; type: number; flags: number }): Uint8Array {
  const b = new Uint8Array(RTMSG_LEN);
  b.set([r.family, r.dstLen, r.srcLen, r.tos, r.table > 255 ? RT_TABLE_COMPAT : r.table, r.protocol, r.scope, r.type]);
  new DataView(b.buffer).setUint32(8, r.flags >>> 0, true);
  return b;
}

const addr = (t: number, family: number, text: string): LinkAttr => ({ type: t, kind: 'bytes', value: bytesOf(family, text) });
const u32 = (t: number, v: number): LinkAttr => ({ type: t, kind: 'u32', value: v >>> 0 });
/** struct rta_cacheinfo: the model keeps no use counts or expiry; error 0. */
const cacheinfo = (): LinkAttr => ({ type: RTA_CACHEINFO, kind: 'bytes', value: new Uint8Array(32) });

function message(hdr: Uint8Array, attrs: LinkAttr[], nlFlags?: number): RtMessage {
  return { type: RTM_NEWROUTE, nlFlags, header: hdr, attrs: parseAttrs(encodeAttrs(attrs)) };
}

/** fib_dump_info() (IPv4) / rt6_fill_node() of a FIB entry (IPv6): the route as a dump shows it. */
export function fillRoute(host: SimHost, r: SimRoute, carrier: (l: SimLink) => boolean, nlFlags?: number): RtMessage {
  const flags = routeFlags(r, carrier, host);
  const hdr = header({ family: r.family, dstLen: r.plen, srcLen: 0, tos: r.tos ?? 0, table: r.table, protocol: r.proto, scope: r.family === AF_INET ? r.scope : RT_SCOPE_UNIVERSE, type: r.type, flags });
  const attrs: LinkAttr[] = [u32(RTA_TABLE, r.table)];
  if (r.plen) attrs.push(addr(RTA_DST, r.family, r.dst));
  const metrics = r.metrics?.length ? [{ type: RTA_METRICS, kind: 'nest' as const, value: r.metrics.map(([t, v]) => u32(t, v)) }] : [];
  if (r.family === AF_INET) {
    if (r.priority) attrs.push(u32(RTA_PRIORITY, r.priority));
    attrs.push(...metrics);
    if (r.prefsrc) attrs.push(addr(RTA_PREFSRC, AF_INET, r.prefsrc));
    if (r.gateway) attrs.push(addr(RTA_GATEWAY, AF_INET, r.gateway));
    if (r.oif !== undefined) attrs.push(u32(RTA_OIF, r.oif));
    return message(hdr, attrs, nlFlags);
  }
  if (r.prefsrc) attrs.push(addr(RTA_PREFSRC, AF_INET6, r.prefsrc));
  attrs.push(...metrics, u32(RTA_PRIORITY, r.priority ?? 0));
  if (r.gateway) attrs.push(addr(RTA_GATEWAY, AF_INET6, r.gateway));
  if (r.oif !== undefined) attrs.push(u32(RTA_OIF, r.oif));
  attrs.push(cacheinfo(), { type: RTA_PREF, kind: 'u8', value: r.pref ?? 0 });
  return message(hdr, attrs, nlFlags);
}

/** The attributes a request may carry, decoded through the kernel's policy. */
function attrsOf(req: RtRequest): Attrs {
  return parseAttrs(encodeAttrs(req.attrs));
}

function familyName(family: number): string {
  return family === AF_INET6 ? 'ipv6' : 'ipv4';
}

/**
 * inet_dump_fib() / inet6_dump_fib() after ip_valid_fib_dump_req(): the
 * strict checks, then each family's tables filtered by table, type,
 * protocol and device; every message flagged NLM_F_DUMP_FILTERED (the
 * exceptions, RTM_F_CLONED, are never asked for, so the dump is filtered).
 */
export function dumpRoutes(host: SimHost, req: RtRequest, carrier: (l: SimLink) => boolean, each: (m: RtMessage) => void): void {
  const m = rtmsgOf(req.header);
  const fam = m?.family ?? AF_UNSPEC;
  if (!m) throw new NetlinkError(EINVAL, `${familyName(fam)}: Invalid header for FIB dump request`);
  if (m.dstLen || m.srcLen || m.tos || m.scope) throw new NetlinkError(EINVAL, 'Invalid values in header for FIB dump request');
  if (m.flags & ~(RTM_F_CLONED | RTM_F_PREFIX)) throw new NetlinkError(EINVAL, 'Invalid flags for FIB dump request');
  let table = m.table, dev = 0;
  for (const [t, v] of attrsOf(req)) {
    if (t === RTA_TABLE) table = attrU32(v);
    else if (t === RTA_OIF) {
      dev = attrU32(v);
      if (!host.links.some((l) => l.index === dev)) throw new NetlinkError(ENODEV);
    } else throw new NetlinkError(EINVAL, 'Unsupported attribute in dump request');
  }
  // RTM_F_CLONED asks for the route cache's exceptions only: the model keeps none.
  if (m.flags & RTM_F_CLONED) return;
  const families = fam === AF_UNSPEC ? [AF_INET, AF_INET6] : fam === AF_INET || fam === AF_INET6 ? [fam] : [];
  for (const f of families) {
    const routes = fibRoutes(host, f);
    if (table && !tableExists(host, f, table)) {
      if (fam !== f) continue;
      throw new NetlinkError(ENOENT, `${familyName(f)}: FIB table does not exist`);
    }
    for (const r of routes) {
      if (table && r.table !== table) continue;
      if (m.type && r.type !== m.type) continue;
      if (m.protocol && r.proto !== m.protocol) continue;
      if (dev && r.oif !== dev) continue;
      // RTM_F_PREFIX asks for the prefix routes router advertisements made (RTF_PREFIX_RT): the model takes no RAs.
      if (m.flags & RTM_F_PREFIX) continue;
      each(fillRoute(host, r, carrier, NLM_F_MULTI | NLM_F_DUMP_FILTERED));
    }
  }
}

/** What an RTM_NEWROUTE/DELROUTE asks (rtm_to_fib_config / rtm_to_fib6_config). */
interface Config {
  family: number;
  dst: string;
  plen: number;
  tos: number;
  table: number;
  proto: number;
  scope: number;
  type: number;
  flags: number;
  oif: number;
  gateway?: string;
  prefsrc?: string;
  priority: number;
  metrics?: [number, number][];
  pref?: number;
}

function configOf(req: RtRequest): Config {
  const m = rtmsgOf(req.header);
  if (!m) throw new NetlinkError(EINVAL, 'Invalid header for route request');
  const family = m.family;
  if (family !== AF_INET && family !== AF_INET6) throw new NetlinkError(EOPNOTSUPP);
  const tb = attrsOf(req);
  const len = family === AF_INET ? 4 : 16;
  const address = (v: Uint8Array | undefined) => (v && v.length >= len ? formatAddress(family, v.subarray(0, len)) : undefined);
  for (const t of [RTA_MULTIPATH, RTA_NH_ID, RTA_ENCAP, RTA_ENCAP_TYPE, RTA_FLOW]) {
    if (tb.has(t)) throw new NetlinkError(EOPNOTSUPP, 'the model keeps single-nexthop routes without encapsulation or flows');
  }
  if (tb.has(RTA_VIA)) throw new NetlinkError(EINVAL, family === AF_INET6 ? 'IPv6 does not support RTA_VIA attribute' : 'the model takes the gateway as RTA_GATEWAY');
  const tableAttr = tb.get(RTA_TABLE);
  const oifAttr = tb.get(RTA_OIF), prio = tb.get(RTA_PRIORITY), pref = tb.get(RTA_PREF);
  const mx = tb.get(RTA_METRICS);
  const metrics = mx ? [...parseAttrs(mx)].map(([t, v]): [number, number] => [t, attrU32(v)]).filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]) : undefined;
  let dst = address(tb.get(RTA_DST)) ?? (family === AF_INET ? '0.0.0.0' : '::');
  if (family === AF_INET6) dst = maskAddress(AF_INET6, dst, Math.min(m.dstLen, 128));
  return {
    family, dst, plen: m.dstLen, tos: m.tos, table: (tableAttr ? attrU32(tableAttr) : m.table) || RT_TABLE_MAIN, proto: m.protocol,
    scope: m.scope, type: m.type, flags: m.flags, oif: oifAttr ? attrU32(oifAttr) : 0, gateway: address(tb.get(RTA_GATEWAY)),
    prefsrc: address(tb.get(RTA_PREFSRC)), priority: prio ? attrU32(prio) : 0, metrics: metrics?.length ? metrics : undefined,
    pref: pref ? attrU8(pref) : undefined,
  };
}

const linkOf = (host: SimHost, index: number | undefined) => (index ? host.links.find((l) => l.index === index) : undefined);
const isUp = (l: SimLink) => (l.flags & IFF_UP) !== 0;

/** Is `a` a local IPv4 address in table local (inet_addr_type_table() == RTN_LOCAL)? */
function isLocal4(host: SimHost, a: string): boolean {
  return fibLookup(host, AF_INET, a, { table: RT_TABLE_LOCAL })?.type === RTN_LOCAL;
}

/** fib_create_info() and fib_check_nh(): the IPv4 route an RTM_NEWROUTE makes, or its refusal. */
function createInfo4(host: SimHost, c: Config): SimRoute {
  if (c.plen > 32) throw new NetlinkError(EINVAL, 'Invalid prefix length');
  if (c.plen < 32 && !isMasked(AF_INET, c.dst, c.plen)) throw new NetlinkError(EINVAL, 'Invalid prefix for given prefix length');
  if (c.type > RTN_MAX) throw new NetlinkError(EINVAL, 'Invalid route type');
  if (TYPE_SCOPE[c.type] > c.scope) throw new NetlinkError(EINVAL, 'Invalid scope');
  const r: SimRoute = {
    family: AF_INET, table: c.table, dst: c.dst, plen: c.plen, tos: c.tos, type: c.type, proto: c.proto, scope: c.scope,
    priority: c.priority || undefined, prefsrc: c.prefsrc, metrics: c.metrics,
  };
  if (TYPE_ERRNO[c.type] !== undefined || c.type === RTN_THROW) {
    if (c.gateway || c.oif) throw new NetlinkError(EINVAL, 'Gateway, device and multipath can not be specified for this route type');
  } else {
    if (![RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, 4, RTN_MULTICAST].includes(c.type)) throw new NetlinkError(EINVAL, 'Invalid route type');
    if (c.scope > RT_SCOPE_HOST) throw new NetlinkError(EINVAL, 'Invalid scope');
    if (c.scope === RT_SCOPE_HOST) {
      if (c.gateway) throw new NetlinkError(EINVAL, 'Route with host scope can not have a gateway');
      if (!linkOf(host, c.oif)) throw new NetlinkError(ENODEV);
      r.oif = c.oif;
    } else if (c.gateway && c.gateway !== '0.0.0.0') {
      checkGateway4(host, c, r);
    } else {
      // fib_check_nh_nongw()
      if (c.flags & RTNH_F_ONLINK) throw new NetlinkError(EINVAL, 'Invalid flags for nexthop - PERVASIVE and ONLINK can not be set');
      const l = linkOf(host, c.oif);
      if (!l) throw new NetlinkError(ENODEV);
      if (!isUp(l)) throw new NetlinkError(ENETDOWN, 'Device for nexthop is not up');
      r.oif = l.index;
    }
  }
  if (c.prefsrc && !(c.type === RTN_LOCAL && c.plen && c.prefsrc === c.dst) && !isLocal4(host, c.prefsrc)) {
    throw new NetlinkError(EINVAL, 'Invalid prefsrc address');
  }
  return r;
}

/** fib_check_nh_v4_gw(): the gateway must be on a link (a link- or host-scope route to it), or onlink on an up device. */
function checkGateway4(host: SimHost, c: Config, r: SimRoute): void {
  const gw = c.gateway!;
  r.gateway = gw;
  if (c.flags & RTNH_F_ONLINK) {
    if (c.scope >= RT_SCOPE_LINK) throw new NetlinkError(EINVAL, 'Nexthop has invalid scope');
    const l = linkOf(host, c.oif);
    if (!l) throw new NetlinkError(ENODEV, 'Nexthop device required for onlink');
    if (!isUp(l)) throw new NetlinkError(ENETDOWN, 'Nexthop device is not up');
    const t = fibLookup(host, AF_INET, gw, { table: RT_TABLE_LOCAL })?.type;
    if (t === RTN_LOCAL || t === RTN_BROADCAST) throw new NetlinkError(EINVAL, 'Nexthop has invalid gateway');
    r.oif = l.index;
    r.flags = RTNH_F_ONLINK;
    return;
  }
  if (c.oif && !linkOf(host, c.oif)) throw new NetlinkError(ENODEV);
  // The gateway must be reached by a route of a narrower scope than the new route's (link at least).
  const o = { scope: Math.max(c.scope + 1, RT_SCOPE_LINK), oif: c.oif || undefined };
  const viaTable = c.table !== RT_TABLE_MAIN ? fibLookup(host, AF_INET, gw, { ...o, table: c.table }) : undefined;
  const res = viaTable ?? fibLookup(host, AF_INET, gw, o);
  if (!res || TYPE_ERRNO[res.type] !== undefined) throw new NetlinkError(res ? TYPE_ERRNO[res.type] : ENETUNREACH, 'Nexthop has invalid gateway');
  if (res.type !== RTN_UNICAST && res.type !== RTN_LOCAL) throw new NetlinkError(EINVAL, 'Nexthop has invalid gateway');
  const l = linkOf(host, res.oif);
  if (!l) throw new NetlinkError(ENODEV, 'No egress device for nexthop gateway');
  if (!isUp(l)) throw new NetlinkError(ENETDOWN);
  r.oif = l.index;
}

/** ip6_route_info_create() and fib6_nh_init(): the IPv6 route an RTM_NEWROUTE makes, or its refusal. */
function createInfo6(host: SimHost, c: Config): SimRoute {
  if (c.tos) throw new NetlinkError(EINVAL, 'Invalid dsfield (tos): option not available for IPv6');
  if (c.plen > 128) throw new NetlinkError(EINVAL, 'Invalid prefix length');
  const reject = TYPE_ERRNO[c.type] !== undefined || c.type === RTN_THROW;
  const r: SimRoute = {
    family: AF_INET6, table: c.table, dst: c.dst, plen: c.plen, type: c.type || RTN_UNICAST, proto: c.proto, scope: RT_SCOPE_UNIVERSE,
    priority: c.priority || IP6_RT_PRIO_USER, metrics: c.metrics, pref: c.pref === 3 || c.pref === 1 ? c.pref : 0,
  };
  let l = c.oif ? linkOf(host, c.oif) : undefined;
  if (c.oif && !l) throw new NetlinkError(ENODEV);
  if (c.flags & RTNH_F_ONLINK) {
    if (!l) throw new NetlinkError(ENODEV, 'Nexthop device required for onlink');
    if (!isUp(l)) throw new NetlinkError(ENETDOWN, 'Nexthop device is not up');
    r.flags = RTNH_F_ONLINK;
  }
  if (reject) {
    // A reject route sits on lo.
    r.oif = host.links.find((x) => x.type === 772)?.index ?? 1;
    return r;
  }
  if (c.gateway && c.gateway !== '::') {
    const linkLocal = /^fe[89ab]/i.test(c.gateway);
    const ownOn = (d: SimLink | undefined) => host.links.some((x) => (linkLocal ? x === d : true) && x.addresses.some((a) => a.family === AF_INET6 && a.local === c.gateway));
    if (l && ownOn(l)) throw new NetlinkError(EINVAL, 'Gateway can not be a local address');
    if (!linkLocal) {
      if (/^(ff|::$)/i.test(c.gateway)) throw new NetlinkError(EINVAL, 'Invalid gateway address');
      if (!(c.flags & RTNH_F_ONLINK)) {
        // ip6_route_check_nh(): a route to the gateway that needs no gateway itself, on the given device if any.
        const res = fibLookup(host, AF_INET6, c.gateway, { oif: c.oif || undefined });
        if (!res || res.gateway || TYPE_ERRNO[res.type] !== undefined || (l && res.oif !== l.index)) throw new NetlinkError(EHOSTUNREACH);
        l ??= linkOf(host, res.oif);
      }
    }
    if (!l) throw new NetlinkError(EINVAL, 'Egress device not specified');
    if (l.type === 772) throw new NetlinkError(EINVAL, 'Egress device can not be loopback device for this route');
    if (!c.oif && ownOn(l)) throw new NetlinkError(EINVAL, 'Gateway can not be a local address');
    r.gateway = c.gateway;
  }
  if (!l) throw new NetlinkError(ENODEV);
  if (!isUp(l)) throw new NetlinkError(ENETDOWN, 'Nexthop device is not up');
  r.oif = l.index;
  if (c.prefsrc && c.prefsrc !== '::') {
    if (!l.addresses.some((a) => a.family === AF_INET6 && a.local === c.prefsrc) && !host.links.some((x) => x.addresses.some((a) => a.family === AF_INET6 && a.local === c.prefsrc))) {
      throw new NetlinkError(EINVAL, 'Invalid source address');
    }
    r.prefsrc = c.prefsrc;
  }
  return r;
}

/** The same fib_info and type (an identical route: EEXIST). */
function sameInfo(a: SimRoute, b: SimRoute): boolean {
  return a.type === b.type && a.oif === b.oif && a.gateway === b.gateway && a.prefsrc === b.prefsrc && a.proto === b.proto &&
    a.scope === b.scope && JSON.stringify(a.metrics ?? []) === JSON.stringify(b.metrics ?? []);
}

/**
 * fib_table_insert() / fib6_add_rt2(): where the new route goes among
 * those of the same prefix, by the request's flags. EXCL refuses any
 * route of the same prefix, tos and metric; REPLACE takes the first one's
 * place; APPEND goes after them, otherwise before; without CREATE a new
 * route is refused (IPv4 ENOENT; IPv6 only for a replace).
 */
function insert(host: SimHost, r: SimRoute, nlFlags: number): string {
  const routes = addedRoutes(host);
  const peers = (x: SimRoute) => x.family === r.family && x.table === r.table && x.dst === r.dst && x.plen === r.plen && (x.tos ?? 0) === (r.tos ?? 0);
  const same = [...kernelRoutes(host, r.family), ...routes].filter((x) => peers(x) && (x.priority ?? 0) === (r.priority ?? 0));
  if (same.length) {
    if (nlFlags & NLM_F_EXCL) throw new NetlinkError(EEXIST);
    if (nlFlags & NLM_F_REPLACE) {
      if (same[0].kernel) {
        suppress(host, same[0]);
        const at = routes.findIndex((x) => x.family === r.family && x.table === r.table && routeOrder(r, x) <= 0);
        routes.splice(at < 0 ? routes.length : at, 0, r);
      } else {
        routes[routes.indexOf(same[0])] = r;
      }
      return `replaces ${describeRoute(host, same[0])}`;
    }
    if (same.some((x) => sameInfo(x, r))) throw new NetlinkError(EEXIST);
    const added = same.filter((x) => !x.kernel);
    if (nlFlags & NLM_F_APPEND || !added.length) routes.splice(added.length ? routes.indexOf(added[added.length - 1]) + 1 : routes.length, 0, r);
    else routes.splice(routes.indexOf(added[0]), 0, r);
    return nlFlags & NLM_F_APPEND ? 'appended after the routes of the same prefix and metric' : 'prepended before the routes of the same prefix and metric';
  }
  if (!(nlFlags & NLM_F_CREATE) && r.family === AF_INET) throw new NetlinkError(ENOENT);
  if (!(nlFlags & NLM_F_CREATE) && nlFlags & NLM_F_REPLACE) throw new NetlinkError(ENOENT, 'Can not replace route - no match found');
  // Its place in the table's order (routes of other prefixes or metrics stay where they are).
  const at = routes.findIndex((x) => x.family === r.family && x.table === r.table && routeOrder(r, x) < 0);
  routes.splice(at < 0 ? routes.length : at, 0, r);
  return 'added';
}

/** fib_get_table() / fib6_get_table(): local and main always exist; another once a request made it (fib_new_table). */
function tableExists(host: SimHost, family: number, id: number): boolean {
  return id === RT_TABLE_MAIN || id === RT_TABLE_LOCAL || (host.tables ?? []).some(([f, t]) => f === family && t === id) ||
    addedRoutes(host).some((r) => r.family === family && r.table === id);
}

export function newRoute(host: SimHost, req: RtRequest, note: Note): void {
  const c = configOf(req);
  // fib_new_table() / fib6_new_table(): the table is made before the route is checked, and stays.
  if (!tableExists(host, c.family, c.table)) (host.tables ??= []).push([c.family, c.table]);
  const r = c.family === AF_INET ? createInfo4(host, c) : createInfo6(host, c);
  const how = insert(host, r, req.flags);
  note(`route ${describeRoute(host, r)}: ${how}${r.gateway ? ` (the gateway is reached through ${linkOf(host, r.oif)?.name})` : ''}`, c.family === AF_INET ? ['inet_rtm_newroute', 'fib_table_insert'] : 'ip6_route_add');
}

/** fib_table_delete() / ip6_route_del(): the first route of that prefix that matches what the request says. */
export function delRoute(host: SimHost, req: RtRequest, note: Note): void {
  const c = configOf(req);
  if (!tableExists(host, c.family, c.table)) throw new NetlinkError(ESRCH, 'FIB table does not exist');
  if (c.family === AF_INET) {
    if (c.plen > 32) throw new NetlinkError(EINVAL, 'Invalid prefix length');
    if (c.plen < 32 && !isMasked(AF_INET, c.dst, c.plen)) throw new NetlinkError(EINVAL, 'Invalid prefix for given prefix length');
  }
  const found = fibRoutes(host, c.family).find((r) => {
    if (r.table !== c.table || r.dst !== c.dst || r.plen !== c.plen) return false;
    if (c.family === AF_INET) {
      if ((r.tos ?? 0) !== c.tos) return false;
      if (c.type && r.type !== c.type) return false;
      if (c.scope !== RT_SCOPE_NOWHERE && r.scope !== c.scope) return false;
      if (c.prefsrc && r.prefsrc !== c.prefsrc) return false;
    }
    if (c.proto && r.proto !== c.proto) return false;
    if (c.priority && (r.priority ?? 0) !== c.priority) return false;
    if (c.oif && r.oif !== c.oif) return false;
    if (c.gateway && r.gateway !== c.gateway) return false;
    return true;
  });
  if (!found) throw new NetlinkError(ESRCH);
  if (found.kernel) suppress(host, found);
  else addedRoutes(host).splice(addedRoutes(host).indexOf(found), 1);
  note(`route ${describeRoute(host, found)}: deleted`, c.family === AF_INET ? ['inet_rtm_delroute', 'fib_table_delete'] : 'ip6_route_del');
}

/**
 * inet_rtm_getroute() / inet6_rtm_getroute(): the route a packet to the
 * destination would take (rt_fill_info(): the destination as a /32, the
 * device, the source the kernel would choose, the gateway), or with
 * RTM_F_FIB_MATCH the FIB entry that matched.
 */
export function getRoute(host: SimHost, req: RtRequest, carrier: (l: SimLink) => boolean, uid: number): RtMessage {
  const m = rtmsgOf(req.header);
  const fam = m?.family ?? AF_UNSPEC;
  const v = familyName(fam);
  if (!m) throw new NetlinkError(EINVAL, `${v}: Invalid header for route get request`);
  const full = fam === AF_INET ? 32 : 128;
  if ((m.srcLen && m.srcLen !== full) || (m.dstLen && m.dstLen !== full) || m.table || m.protocol || m.scope || m.type) {
    throw new NetlinkError(EINVAL, `${v}: Invalid values in header for route get request`);
  }
  if (m.flags & ~(RTM_F_NOTIFY | RTM_F_LOOKUP_TABLE | RTM_F_FIB_MATCH)) throw new NetlinkError(EINVAL, `${v}: Unsupported rtm_flags for route get request`);
  const tb = attrsOf(req);
  for (const [t] of tb) {
    if (![RTA_IIF, RTA_OIF, RTA_SRC, RTA_DST, RTA_IP_PROTO, RTA_SPORT, RTA_DPORT, RTA_MARK, RTA_UID].includes(t)) {
      throw new NetlinkError(EINVAL, `${v}: Unsupported attribute in route get request`);
    }
  }
  if (fam !== AF_INET && fam !== AF_INET6) throw new NetlinkError(EOPNOTSUPP);
  if (tb.has(RTA_IIF)) throw new NetlinkError(EOPNOTSUPP, 'the model answers `route get` for locally sent packets only (no iif)');
  const len = fam === AF_INET ? 4 : 16;
  const get = (t: number) => {
    const b = tb.get(t);
    return b && b.length >= len ? formatAddress(fam, b.subarray(0, len)) : undefined;
  };
  const dst = get(RTA_DST) ?? (fam === AF_INET ? '0.0.0.0' : '::');
  const src = get(RTA_SRC);
  const oifAttr = tb.get(RTA_OIF);
  const oif = oifAttr ? attrU32(oifAttr) : 0;
  if (oif && !linkOf(host, oif)) throw new NetlinkError(ENODEV);
  // ip_route_output_key_hash_rcu(): a source must be a local address (__ip_dev_find), else the answer is ENETUNREACH.
  if (fam === AF_INET && src && !host.links.some((l) => l.addresses.some((a) => a.family === AF_INET && a.local === src))) throw new NetlinkError(ENETUNREACH);
  let r = fibLookup(host, fam, dst, { oif: oif || undefined });
  const out = linkOf(host, oif);
  if (!r && fam === AF_INET && out && out.type !== 772 && isUp(out)) {
    // "Apparently, routing tables are wrong. Assume, that the destination is on link."
    r = { family: AF_INET, table: RT_TABLE_MAIN, dst, plen: 32, type: RTN_UNICAST, proto: 0, scope: RT_SCOPE_LINK, oif, prefsrc: selectSource(host, out, undefined) };
  }
  if (!r) throw new NetlinkError(ENETUNREACH);
  if (TYPE_ERRNO[r.type] !== undefined) throw new NetlinkError(TYPE_ERRNO[r.type]);
  // With no rules of its own the kernel keeps table local merged into main (fib_unmerge undoes that only
  // when a rule is added): an IPv4 lookup finds every route there, and says so.
  const v4table = r.table === RT_TABLE_LOCAL ? RT_TABLE_MAIN : r.table;
  if (m.flags & RTM_F_FIB_MATCH) return { ...fillRoute(host, fam === AF_INET ? { ...r, table: v4table } : r, carrier), nlFlags: 0 };
  const lo = host.links.find((l) => l.type === 772)?.index ?? 1;
  if (fam === AF_INET) {
    const local = r.type === RTN_LOCAL;
    const flags = RTM_F_CLONED | (local ? RTCF_LOCAL : 0) | (r.type === RTN_BROADCAST ? RTCF_BROADCAST | RTCF_LOCAL : 0) |
      (r.type === RTN_MULTICAST ? RTCF_MULTICAST : 0);
    const table = m.flags & RTM_F_LOOKUP_TABLE ? v4table : RT_TABLE_MAIN;
    const hdr = header({ family: AF_INET, dstLen: 32, srcLen: src ? 32 : 0, tos: m.tos, table, protocol: 0, scope: 0, type: r.type, flags });
    const attrs: LinkAttr[] = [u32(RTA_TABLE, table), addr(RTA_DST, AF_INET, dst)];
    if (src) attrs.push(addr(RTA_SRC, AF_INET, src));
    attrs.push(u32(RTA_OIF, local ? lo : r.oif ?? lo));
    const chosen = src ? undefined : linkOf(host, r.oif) && routeSource(host, linkOf(host, r.oif)!, r, dst);
    if (chosen) attrs.push(addr(RTA_PREFSRC, AF_INET, chosen));
    if (r.gateway) attrs.push(addr(RTA_GATEWAY, AF_INET, r.gateway));
    if (r.metrics?.length) attrs.push({ type: RTA_METRICS, kind: 'nest', value: r.metrics.map(([t, x]) => u32(t, x)) });
    attrs.push(u32(RTA_UID, uid), cacheinfo());
    return message(hdr, attrs, 0);
  }
  const local = r.type === RTN_LOCAL;
  const hdr = header({ family: AF_INET6, dstLen: 128, srcLen: 128, tos: 0, table: r.table, protocol: r.proto, scope: 0, type: r.type, flags: 0 });
  const attrs: LinkAttr[] = [u32(RTA_TABLE, r.table), addr(RTA_DST, AF_INET6, dst), addr(RTA_SRC, AF_INET6, src ?? '::')];
  // rt6_fill_node(): the source the kernel would choose (ip6_route_get_saddr), whatever source was asked.
  const chosen6 = local ? dst : r.prefsrc ?? selectSource6(host, linkOf(host, r.oif), dst);
  if (chosen6) attrs.push(addr(RTA_PREFSRC, AF_INET6, chosen6));
  if (r.metrics?.length) attrs.push({ type: RTA_METRICS, kind: 'nest', value: r.metrics.map(([t, x]) => u32(t, x)) });
  attrs.push(u32(RTA_PRIORITY, r.priority ?? 0));
  if (r.gateway) attrs.push(addr(RTA_GATEWAY, AF_INET6, r.gateway));
  attrs.push(u32(RTA_OIF, local ? lo : r.oif ?? lo), cacheinfo(), { type: RTA_PREF, kind: 'u8', value: r.pref ?? 0 });
  return message(hdr, attrs, 0);
}

