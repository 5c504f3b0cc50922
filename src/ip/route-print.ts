// print_route() and filter_nlmsg() of ip/iproute.c (6.1): one route message
// printed as ip prints it, text and JSON from the same walk. The listing,
// flush, `route get` and `monitor` (also its saved-file events) all print
// through printRoute(). A listing streams: each message is filtered and
// printed while the dump is read, and nothing of it is kept.
import type { RtMessage } from '../backend.js';
import type { Attrs } from '../wire/nlattr.js';
import { AttrList } from '../wire/nlattr.js';
import { u16At, u32At } from '../wire/nlmsg.js';
import {
  AF_INET, AF_INET6, AF_MPLS, ICMPV6_ROUTER_PREF_HIGH, ICMPV6_ROUTER_PREF_LOW, ICMPV6_ROUTER_PREF_MEDIUM,
  RTAX_CC_ALGO, RTAX_FEATURES, RTAX_FEATURE_ECN, RTAX_HOPLIMIT, RTAX_LOCK, RTAX_MAX, RTAX_RTO_MIN, RTAX_RTT,
  RTAX_RTTVAR, RTA_CACHEINFO, RTA_DST, RTA_ENCAP, RTA_FLOW, RTA_GATEWAY, RTA_IIF, RTA_MARK, RTA_METRICS,
  RTA_MULTIPATH, RTA_NEWDST, RTA_NH_ID, RTA_OIF, RTA_PREF, RTA_PREFSRC, RTA_PRIORITY, RTA_SRC, RTA_TABLE,
  RTA_TTL_PROPAGATE, RTA_UID, RTA_VIA, RTCF_BROADCAST, RTCF_DIRECTDST, RTCF_DIRECTSRC, RTCF_DNAT, RTCF_DOREDIRECT,
  RTCF_FAST, RTCF_LOCAL, RTCF_MASQ, RTCF_MULTICAST, RTCF_NOTIFY, RTCF_REDIRECTED, RTCF_REJECT, RTCF_SNAT,
  RTCF_TPROXY, RTM_DELROUTE, RTM_F_CLONED, RTM_NEWROUTE, RTM_F_NOTIFY, RTM_F_OFFLOAD, RTM_F_OFFLOAD_FAILED, RTM_F_TRAP,
  RTNH_F_DEAD, RTNH_F_LINKDOWN, RTNH_F_OFFLOAD, RTNH_F_ONLINK, RTNH_F_PERVASIVE, RTNH_F_TRAP, RTNH_F_UNRESOLVED,
  RTN_LOCAL, RTN_MULTICAST, RTN_UNICAST, RTN_UNREACHABLE, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
} from '../wire/rtnl-constants.js';
import { type InetPrefix, formatAddress, prefixMatch, putDec8, putIPv4 } from '../lib/inet.js';
import { Color, TextBytes, ascii, putText, putUint } from '../lib/output.js';
import { familyColor, familyName } from './common.js';
import type { Context } from './context.js';
import { dsfieldName, rtProtocols, rtRealms, rtScopes, rtTables } from './names.js';

/** ip's `filter` of iproute.c: what a listing, a flush, `get` and `monitor` select and leave unprinted. */
export interface RouteFilter {
  tb: number;
  /** 0: uncached routes only, 1: cached only, 2: both (`get`). */
  cloned: number;
  protocol: number; protocolmask: number;
  scope: number; scopemask: number;
  typemask: number;
  tos: number; tosmask: number;
  iif: number; iifmask: number;
  oif: number; oifmask: number;
  mark: number; markmask: number;
  realm: number; realmmask: number;
  metric: number; metricmask: number;
  rprefsrc?: InetPrefix;
  rvia?: InetPrefix;
  rdst?: InetPrefix;
  mdst?: InetPrefix;
  rsrc?: InetPrefix;
  msrc?: InetPrefix;
  /** Set while flushing: the IPv6 null route is left alone, DELROUTE messages are not printed. */
  flushing: boolean;
}

/** iproute_reset_filter(ifindex). */
export function newRouteFilter(ifindex = 0): RouteFilter {
  return {
    tb: 0, cloned: 0, protocol: 0, protocolmask: 0, scope: 0, scopemask: 0, typemask: 0, tos: 0, tosmask: 0,
    iif: 0, iifmask: 0, oif: ifindex, oifmask: ifindex > 0 ? -1 : 0, mark: 0, markmask: 0, realm: 0, realmmask: 0,
    metric: 0, metricmask: 0, flushing: false,
  };
}

/** af_bit_len(). */
export function hostLen(family: number): number {
  return family === AF_INET ? 32 : family === AF_INET6 ? 128 : family === AF_MPLS ? 20 : 0;
}

/**
 * A u32 attribute without making a view of it when the message's attributes
 * are read in place (the kernel's dumps): a listing of 10,000 routes reads
 * several per route.
 */
function u32Of(tb: Attrs, type: number): number | undefined {
  if (tb instanceof AttrList) return tb.u32(type);
  const p = tb.get(type);
  return p && p.length >= 4 ? u32At(p, 0) : undefined;
}

/** rtm_get_table(): RTA_TABLE when present, else rtm_table. */
export function routeTable(h: Uint8Array, tb: Attrs): number {
  return u32Of(tb, RTA_TABLE) ?? h[4];
}

/** ip keeps this across the lines of a batch, as its static does. */
let ip6MultipleTables = false;

const PREFIXLEN_ZERO = new Uint8Array(16);

/** The route's address of `type` (RTA_DST, RTA_SRC, RTA_GATEWAY...), zero-filled as ip's inet_prefix is. */
function addrOf(tb: Attrs, type: number): Uint8Array {
  return tb.get(type) ?? PREFIXLEN_ZERO;
}

/** `filter.X.family || filter.X.flags & PREFIXLEN_SPECIFIED`: a selector given. */
const given = (p: InetPrefix | undefined): p is InetPrefix => !!p && (p.family !== 0 || p.prefixGiven);

/** filter_nlmsg(): does the route pass the filter? `h` is the rtmsg. */
export function routeMatches(f: RouteFilter, preferredFamily: number, h: Uint8Array, tb: Attrs): boolean {
  const family = h[0], dstLen = h[1], srcLen = h[2], tos = h[3], protocol = h[5], scope = h[6], type = h[7];
  const flags = u32At(h, 8);
  const table = routeTable(h, tb);
  if (preferredFamily && family !== preferredFamily) return false;
  if (family === AF_INET6 && table !== RT_TABLE_MAIN) ip6MultipleTables = true;
  if (f.cloned === (flags & RTM_F_CLONED ? 0 : 1)) return false;
  if (family === AF_INET6 && !ip6MultipleTables) {
    if (f.tb) {
      if (f.tb === RT_TABLE_LOCAL) {
        if (type !== RTN_LOCAL) return false;
      } else if (f.tb === RT_TABLE_MAIN) {
        if (type === RTN_LOCAL) return false;
      } else return false;
    }
  } else if (f.tb > 0 && f.tb !== table) return false;
  if ((f.protocol ^ protocol) & f.protocolmask) return false;
  if ((f.scope ^ scope) & f.scopemask) return false;
  if (f.typemask && !(f.typemask & (1 << type))) return false;
  if ((f.tos ^ tos) & f.tosmask) return false;
  const { rdst, mdst, rsrc, msrc, rvia, rprefsrc } = f;
  // The address selectors, when there are any (a plain listing has none).
  if (rdst || mdst || rsrc || msrc || rvia || rprefsrc) {
    if (rdst && (rdst.family || rdst.prefixGiven)) {
      if ((rdst.family && family !== rdst.family) || rdst.bitlen > dstLen) return false;
    }
    if (mdst && (mdst.family || mdst.prefixGiven)) {
      if ((mdst.family && family !== mdst.family) || (mdst.bitlen >= 0 && mdst.bitlen < dstLen)) return false;
    }
    if (rsrc && (rsrc.family || rsrc.prefixGiven)) {
      if ((rsrc.family && family !== rsrc.family) || rsrc.bitlen > srcLen) return false;
    }
    if (msrc && (msrc.family || msrc.prefixGiven)) {
      if ((msrc.family && family !== msrc.family) || (msrc.bitlen >= 0 && msrc.bitlen < srcLen)) return false;
    }
    if (rvia?.family) {
      const v = tb.get(RTA_VIA);
      const fam = v ? u16At(v, 0) : family;
      if (fam !== rvia.family) return false;
    }
    if (rprefsrc?.family && family !== rprefsrc.family) return false;
    if (given(rdst) || given(mdst)) {
      const dst = addrOf(tb, RTA_DST);
      if (given(rdst) && !prefixMatch(dst, rdst.data, rdst.bitlen)) return false;
      if (given(mdst) && !prefixMatch(dst, mdst.data, dstLen)) return false;
    }
    if (given(rsrc) || given(msrc)) {
      const src = addrOf(tb, RTA_SRC);
      if (given(rsrc) && !prefixMatch(src, rsrc.data, rsrc.bitlen)) return false;
      if (given(msrc) && msrc.bitlen >= 0 && !prefixMatch(src, msrc.data, srcLen)) return false;
    }
    if (rvia?.family) {
      let via: Uint8Array = PREFIXLEN_ZERO;
      if (rvia.bitlen > 0) {
        const g = tb.get(RTA_GATEWAY);
        if (g) via = g;
        const v = tb.get(RTA_VIA);
        if (v) via = v.subarray(2);
      }
      if (!prefixMatch(via, rvia.data, rvia.bitlen)) return false;
    }
    if (rprefsrc?.family) {
      const p = rprefsrc.bitlen > 0 ? addrOf(tb, RTA_PREFSRC) : PREFIXLEN_ZERO;
      if (!prefixMatch(p, rprefsrc.data, rprefsrc.bitlen)) return false;
    }
  }
  if (f.realmmask && ((u32Of(tb, RTA_FLOW) ?? 0) ^ f.realm) & f.realmmask) return false;
  if (f.iifmask && ((u32Of(tb, RTA_IIF) ?? 0) ^ f.iif) & f.iifmask) return false;
  if (f.oifmask && ((u32Of(tb, RTA_OIF) ?? 0) ^ f.oif) & f.oifmask) return false;
  if (f.markmask && ((u32Of(tb, RTA_MARK) ?? 0) ^ f.mark) & f.markmask) return false;
  const prio = f.metricmask || f.flushing ? u32Of(tb, RTA_PRIORITY) : undefined;
  if (f.metricmask && ((prio ?? 0) ^ f.metric) & f.metricmask) return false;
  if (f.flushing && family === AF_INET6 && dstLen === 0 && type === RTN_UNREACHABLE && prio === 0xffffffff) {
    return false;
  }
  return true;
}

/** rtnl_rtntype_n2a(). */
export function routeTypeName(type: number, numeric: boolean): string {
  if (numeric) return String(type);
  return TYPE_NAMES[type] ?? String(type);
}
const TYPE_NAMES = ['none', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable',
  'prohibit', 'throw', 'nat', 'xresolve'];

/** rtnl_rtntype_a2n(). */
export function routeTypeId(arg: string): number | undefined {
  const m = (w: string) => arg.length > 0 && arg.length <= w.length && w.startsWith(arg);
  if (arg === 'local') return RTN_LOCAL;
  if (arg === 'nat') return 10;
  if (m('broadcast') || arg === 'brd') return 3;
  if (m('anycast')) return 4;
  if (m('multicast')) return RTN_MULTICAST;
  if (m('prohibit')) return 8;
  if (m('unreachable')) return RTN_UNREACHABLE;
  if (m('blackhole')) return 6;
  if (m('xresolve')) return 11;
  if (m('unicast')) return RTN_UNICAST;
  if (arg === 'throw') return 9;
  const r = /^[\t\n\v\f\r ]*[+]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(arg);
  if (!r) return undefined;
  const v = r[1].startsWith('0x') || r[1].startsWith('0X') ? parseInt(r[1], 16) : r[1].length > 1 && r[1][0] === '0' ? parseInt(r[1], 8) : Number(r[1]);
  return v > 255 ? undefined : v;
}

/** rtnl_rttable_n2a(). */
export function tableName(id: number, numeric: boolean): string {
  return id <= 255 ? rtTables.name(id, numeric) : String(id);
}

const MX_NAMES = ['', '', 'mtu', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'advmss', 'reordering', 'hoplimit',
  'initcwnd', 'features', 'rto_min', 'initrwnd', 'quickack', 'congctl', 'fastopen_no_cookie'];

/** printf's %g (6 significant digits, no trailing zeros). */
function fmtG(x: number): string {
  if (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-4)) {
    const [m, e] = x.toExponential(5).split('e');
    const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(Number(x.toPrecision(6)));
}

/** print_rt_flags(). */
function printFlags(ctx: Context, flags: number): void {
  const out = ctx.out;
  if (!flags && !out.json) return;
  out.openArray('flags');
  const one = (name: string) => out.string(null, `${name} `, name);
  if (flags & RTNH_F_DEAD) one('dead');
  if (flags & RTNH_F_ONLINK) one('onlink');
  if (flags & RTNH_F_PERVASIVE) one('pervasive');
  if (flags & RTNH_F_OFFLOAD) one('offload');
  if (flags & RTNH_F_TRAP) one('trap');
  if (flags & RTM_F_NOTIFY) one('notify');
  if (flags & RTNH_F_LINKDOWN) one('linkdown');
  if (flags & RTNH_F_UNRESOLVED) one('unresolved');
  if (flags & RTM_F_OFFLOAD) one('rt_offload');
  if (flags & RTM_F_TRAP) one('rt_trap');
  if (flags & RTM_F_OFFLOAD_FAILED) one('rt_offload_failed');
  out.closeArray();
}

/** print_rta_ifidx(). */
function printIfidx(ctx: Context, index: number, key: string): void {
  const name = ctx.indexToName(index);
  if (ctx.out.json) ctx.out.string(key, '', name);
  else {
    ctx.out.fp(`${key} `);
    ctx.out.fpColor(Color.IFNAME, `${name} `);
  }
}

/** __print_rta_gateway(). */
function printGateway(ctx: Context, family: number, b: Uint8Array): void {
  const gw = formatAddress(family, b);
  if (ctx.out.json) ctx.out.string('gateway', '', gw);
  else {
    ctx.out.fp('via ');
    ctx.out.fpColor(familyColor(family), `${gw} `);
  }
}

/** print_rta_via(). */
function printVia(ctx: Context, b: Uint8Array): void {
  const fam = u16At(b, 0);
  const host = formatAddress(fam, b.subarray(2));
  const out = ctx.out;
  if (out.json) {
    out.openObject('via');
    out.string('family', '', familyName(fam));
    out.string('host', '', host);
    out.closeObject();
  } else {
    out.fp(`via ${familyName(fam)} `);
    out.fpColor(familyColor(fam), `${host} `);
  }
}

/** print_rta_newdst(). */
function printNewdst(ctx: Context, family: number, b: Uint8Array): void {
  const a = formatAddress(family, b);
  if (ctx.out.json) ctx.out.string('to', '', a);
  else {
    ctx.out.fp('as to ');
    ctx.out.fpColor(familyColor(family), `${a} `);
  }
}

/** print_rta_flow(). */
function printFlow(ctx: Context, b: Uint8Array): void {
  const v = u32At(b, 0);
  const from = v >>> 16, to = v & 0xffff;
  const n = (id: number) => rtRealms.name(id, ctx.opts.numeric > 0);
  const out = ctx.out;
  if (out.json) {
    out.openObject('flow');
    if (from) out.string('from', '', n(from));
    out.string('to', '', n(to));
    out.closeObject();
  } else {
    out.fp(`realm${from ? 's' : ''} `);
    if (from) out.fp(`${n(from)}/`);
    out.fp(`${n(to)} `);
  }
}

const CACHE_FLAGS: readonly [number, string][] = [
  [RTCF_LOCAL, 'local'], [RTCF_REJECT, 'reject'], [RTCF_MULTICAST, 'mc'], [RTCF_BROADCAST, 'brd'],
  [RTCF_DNAT, 'dst-nat'], [RTCF_SNAT, 'src-nat'], [RTCF_MASQ, 'masq'], [RTCF_DIRECTDST, 'dst-direct'],
  [RTCF_DIRECTSRC, 'src-direct'], [RTCF_REDIRECTED, 'redirected'], [RTCF_DOREDIRECT, 'redirect'],
  [RTCF_FAST, 'fastroute'], [RTCF_NOTIFY, 'notify'], [RTCF_TPROXY, 'proxy'],
];

/** print_cache_flags(). */
function printCacheFlags(ctx: Context, rtmFlags: number): void {
  let flags = (rtmFlags & ~0xffff) >>> 0;
  const out = ctx.out;
  if (out.json) out.openArray('cache');
  else {
    out.fp(`${out.lineBreak}    cache `);
    if (flags === 0) return;
    out.fp('<');
  }
  for (const [bit, name] of CACHE_FLAGS) {
    if (!(flags & bit)) continue;
    flags = (flags & ~bit) >>> 0;
    if (out.json) out.string(null, '', name);
    else out.fp(`${name}${flags ? ',' : '> '}`);
  }
  if (flags) out.raw('flags', `${flags.toString(16)}>`, `"${flags.toString(16)}"`);
  if (out.json) out.closeArray();
}

/** print_rta_cacheinfo(): struct rta_cacheinfo, times in USER_HZ. */
function printCacheinfo(ctx: Context, b: Uint8Array): void {
  if (b.length < 32) return;
  const hz = 100;
  const out = ctx.out;
  const clntref = u32At(b, 0), lastuse = u32At(b, 4), expires = u32At(b, 8) | 0, error = u32At(b, 12);
  const used = u32At(b, 16), id = u32At(b, 20), ts = u32At(b, 24), tsage = u32At(b, 28);
  if (expires !== 0) {
    const e = Math.trunc(expires / hz);
    out.uint('expires', `expires ${e}sec `, e);
  }
  if (error !== 0) out.uint('error', `error ${error} `, error);
  if (ctx.opts.stats) {
    if (clntref) out.uint('users', `users ${clntref} `, clntref);
    if (used !== 0) out.uint('used', `used ${used} `, used);
    if (lastuse !== 0) {
      const a = Math.floor(lastuse / hz);
      out.uint('age', `age ${a}sec `, a);
    }
  }
  if (id) out.raw('ipid', `ipid 0x${id.toString(16).padStart(4, '0')} `, `"0x${id.toString(16)}"`);
  if (ts || tsage) {
    out.raw('ts', `ts 0x${ts.toString(16)}`, `"${ts ? '0x' + ts.toString(16) : '0'}"`);
    out.uint('tsage', `tsage ${tsage}sec `, tsage);
  }
}

/** print_rta_metrics(). */
function printMetrics(ctx: Context, b: Uint8Array): void {
  const out = ctx.out;
  out.openArray('metrics');
  out.openObject();
  const mx = new AttrList(b);
  const lockAttr = mx.get(RTAX_LOCK);
  const lock = lockAttr && lockAttr.length >= 4 ? u32At(lockAttr, 0) : 0;
  for (let i = 2; i <= RTAX_MAX; i++) {
    const a = mx.get(i);
    if (!a && !(lock & (1 << i))) continue;
    let val = a && i !== RTAX_CC_ALGO && a.length >= 4 ? u32At(a, 0) : 0;
    if (i === RTAX_HOPLIMIT && val === 0xffffffff) continue;
    if (!out.json) {
      out.fp(`${MX_NAMES[i] ?? `metric ${i}`} `);
      if (lock & (1 << i)) out.fp('lock ');
    }
    if (i === RTAX_FEATURES) {
      const of = val;
      if (val & RTAX_FEATURE_ECN) {
        out.null('ecn', 'ecn ');
        val &= ~RTAX_FEATURE_ECN;
      }
      if (val) out.raw('features', `0x${of.toString(16)} `, `"0x${of.toString(16)}"`);
    } else if (i === RTAX_RTT || i === RTAX_RTTVAR || i === RTAX_RTO_MIN) {
      if (i === RTAX_RTT) val = Math.floor(val / 8);
      else if (i === RTAX_RTTVAR) val = Math.floor(val / 4);
      if (out.json) out.uint(MX_NAMES[i], '', val);
      else out.fp(val >= 1000 ? `${fmtG(val / 1e3)}s ` : `${val}ms `);
    } else if (i === RTAX_CC_ALGO) {
      let e = a ? a.length : 0;
      while (e > 0 && a![e - 1] === 0) e--;
      const s = a ? Buffer.from(a.buffer, a.byteOffset, e).toString() : '';
      out.string('congestion', `${s} `, s);
    } else out.uint(MX_NAMES[i], `${val} `, val);
  }
  out.closeObject();
  out.closeArray();
}

/** print_rta_multipath(): struct rtnexthop {len u16, flags u8, hops u8, ifindex s32} and its attributes. */
function printMultipath(ctx: Context, family: number, type: number, flags: number, b: Uint8Array): void {
  const out = ctx.out;
  out.openArray('nexthops');
  let first = true;
  const mcast = (flags & RTM_F_CLONED) !== 0 && type === RTN_MULTICAST;
  for (let off = 0; b.length - off >= 8;) {
    const len = u16At(b, off);
    if (len > b.length - off || len < 8) break;
    out.openObject();
    if (mcast) {
      out.fp(first ? 'Oifs: ' : ' ');
      first = false;
    } else out.fp(`${out.lineBreak}\tnexthop `);
    if (len > 8) {
      const tb = new AttrList(b, off + 8, off + len);
      const nd = tb.get(RTA_NEWDST);
      if (nd) printNewdst(ctx, family, nd);
      const gw = tb.get(RTA_GATEWAY);
      if (gw) printGateway(ctx, family, gw);
      const via = tb.get(RTA_VIA);
      if (via) printVia(ctx, via);
      const flow = tb.get(RTA_FLOW);
      if (flow) printFlow(ctx, flow);
    }
    const ifindex = u32At(b, off + 4);
    const hops = b[off + 3];
    const dev = ctx.indexToName(ifindex);
    if (mcast) {
      out.string('dev', dev, dev);
      if (hops !== 1) out.uint('ttl', `(ttl>${hops})`, hops);
      out.fp(' ');
    } else {
      out.string('dev', `dev ${dev} `, dev);
      if (family !== AF_MPLS) out.uint('weight', `weight ${hops + 1} `, hops + 1);
    }
    printFlags(ctx, b[off + 2]);
    off += (len + 3) & ~3;
    out.closeObject();
  }
  out.closeArray();
}

/** The text of a route's address (dst or from): a prefix unless it covers the whole address. */
function prefixText(family: number, a: Uint8Array, len: number): string {
  const s = formatAddress(family, a);
  return len !== hostLen(family) ? `${s}/${len}` : s;
}

/**
 * print_route(): prints the route in `m` when it passes `f`. Returns false
 * for a message that is not a route (ip's "Not a route" complaint).
 */
export function printRoute(ctx: Context, m: RtMessage, f: RouteFilter): boolean {
  if (m.type !== RTM_NEWROUTE && m.type !== RTM_DELROUTE) {
    ctx.err(`Not a route: ${hex8(m.header.length + 16)} ${hex8(m.type)} ${hex8(m.nlFlags ?? 0)}`);
    return false;
  }
  if (f.flushing && m.type !== RTM_NEWROUTE) return true;
  const h = m.header, tb = m.attrs;
  if (!routeMatches(f, ctx.opts.family, h, tb)) return true;
  if (m.type !== RTM_NEWROUTE || !(tb instanceof AttrList) || !ctx.out.plainText || !printPlainIPv4(ctx, h, tb, f)) printMatched(ctx, m, f);
  return true;
}

/** Attributes the plain line below does not print: a route with any of them takes printMatched(). */
const NOT_PLAIN = [RTA_SRC, RTA_NH_ID, RTA_NEWDST, RTA_ENCAP, RTA_VIA, RTA_MARK, RTA_FLOW, RTA_UID, RTA_CACHEINFO,
  RTA_METRICS, RTA_IIF, RTA_PREF, RTA_TTL_PROPAGATE, RTA_MULTIPATH].reduce((mask, t) => mask | (1 << t), 0);


/**
 * The common IPv4 route of a text listing (no colour, no -d), written as one
 * line of bytes with its fields read in place: the same fields in the same
 * order as printMatched(), without a printer call, a view or a string per
 * field (10,000 routes' strings cost ~2,600 page faults, ~26 ms here). False
 * when the route has something only printMatched() prints; what was written
 * of its line then is not kept (the buffer's position moves only at the end).
 */
function printPlainIPv4(ctx: Context, h: Uint8Array, tb: AttrList, f: RouteFilter): boolean {
  const opts = ctx.opts;
  const family = h[0], dstLen = h[1], type = h[7];
  if (family !== AF_INET || opts.details > 0 || h[2] || h[3] || u32At(h, 8)) return false;
  if (tb.typesBelow32 & NOT_PLAIN) return false;
  const numeric = opts.numeric > 0;
  const b = tb.buffer;
  const t = ctx.out.bytes(), o = t.buf;
  let p = t.pos;
  // Attribute payloads are read in place: at + 4 is the payload, b[at] | b[at + 1] << 8 the length with its header.
  if (type !== RTN_UNICAST && (!f.typemask || f.typemask & (1 << type))) {
    p = putText(o, p, routeTypeName(type, numeric));
    o[p++] = 32;
  }
  const dst = tb.find(RTA_DST);
  if (dst >= 0) {
    if ((b[dst] | (b[dst + 1] << 8)) < 8) return false;
    p = putIPv4(o, p, b, dst + 4);
    if (dstLen !== 32) {
      o[p++] = 47; // '/'
      p = putDec8(o, p, dstLen);
    }
    o[p++] = 32;
  } else p = putText(o, p, dstLen ? `0/${dstLen}  ` : 'default ');
  const gw = tb.find(RTA_GATEWAY);
  if (gw >= 0 && f.rvia?.bitlen !== 32) {
    if ((b[gw] | (b[gw + 1] << 8)) < 8) return false;
    p += VIA.copy(o, p);
    p = putIPv4(o, p, b, gw + 4);
    o[p++] = 32;
  }
  const oif = tb.find(RTA_OIF);
  if (oif >= 0 && f.oifmask !== -1) {
    if ((b[oif] | (b[oif + 1] << 8)) < 8) return false;
    p += DEV.copy(o, p);
    p = putText(o, p, ctx.indexToName(u32At(b, oif + 4)));
    o[p++] = 32;
  }
  const tableAt = tb.find(RTA_TABLE);
  const table = tableAt >= 0 && (b[tableAt] | (b[tableAt + 1] << 8)) >= 8 ? u32At(b, tableAt + 4) : h[4];
  if (table && table !== RT_TABLE_MAIN && !f.tb) {
    p += TABLE.copy(o, p);
    p = putText(o, p, tableName(table, numeric));
    o[p++] = 32;
  }
  const protocol = h[5], scope = h[6];
  if (protocol !== RTPROT_BOOT && f.protocolmask !== -1) {
    p += PROTO.copy(o, p);
    p = putText(o, p, rtProtocols.name(protocol, numeric));
    o[p++] = 32;
  }
  if (scope !== RT_SCOPE_UNIVERSE && f.scopemask !== -1) {
    p += SCOPE.copy(o, p);
    p = putText(o, p, rtScopes.name(scope, numeric));
    o[p++] = 32;
  }
  const prefsrc = tb.find(RTA_PREFSRC);
  if (prefsrc >= 0 && f.rprefsrc?.bitlen !== 32) {
    if ((b[prefsrc] | (b[prefsrc + 1] << 8)) < 8) return false;
    p += SRC.copy(o, p);
    p = putIPv4(o, p, b, prefsrc + 4);
    o[p++] = 32;
  }
  const prio = tb.find(RTA_PRIORITY);
  if (prio >= 0 && f.metricmask !== -1) {
    if ((b[prio] | (b[prio + 1] << 8)) < 8) return false;
    p += METRIC.copy(o, p);
    p = putUint(o, p, u32At(b, prio + 4));
    o[p++] = 32;
  }
  o[p++] = 10;
  t.pos = p;
  if (p > TextBytes.FLUSH_AT) t.flush();
  return true;
}

const VIA = ascii('via '), DEV = ascii('dev '), TABLE = ascii('table '), PROTO = ascii('proto '), SCOPE = ascii('scope ');
const SRC = ascii('src '), METRIC = ascii('metric ');

/** ip monitor leaves cloned routes (cache entries) out. */
export function isCloned(m: RtMessage): boolean {
  return m.header.length >= 12 && (u32At(m.header, 8) & RTM_F_CLONED) !== 0;
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** print_route() after its filter: one route's fields and the line's end. */
export function printMatched(ctx: Context, m: RtMessage, f: RouteFilter): void {
  const out = ctx.out, opts = ctx.opts;
  const h = m.header, tb = m.attrs;
  const family = h[0], dstLen = h[1], srcLen = h[2], tos = h[3], protocol = h[5], scope = h[6], type = h[7];
  const flags = u32At(h, 8);
  const hl = hostLen(family);
  const details = opts.details > 0;
  const numeric = opts.numeric > 0;
  const color = familyColor(family);
  out.openObject();
  if (m.type === RTM_DELROUTE) out.bool('deleted', 'Deleted ', true);
  if ((type !== RTN_UNICAST || details) && (!f.typemask || f.typemask & (1 << type))) {
    const t = routeTypeName(type, numeric);
    out.string('type', `${t} `, t);
  }
  const dst = tb.get(RTA_DST);
  let d: string;
  let dColor = Color.NONE;
  if (dst) {
    d = prefixText(family, dst, dstLen);
    dColor = color;
  } else d = dstLen ? `0/${dstLen} ` : 'default';
  out.string('dst', `${d} `, d, dColor);
  const src = tb.get(RTA_SRC);
  if (src) {
    const s = prefixText(family, src, srcLen);
    out.string('from', `from ${s} `, s, color);
  } else if (srcLen) out.string('src', `from 0/${srcLen} `, `0/${srcLen}`);
  const nhid = u32Of(tb, RTA_NH_ID);
  if (nhid !== undefined) out.uint('nhid', `nhid ${nhid} `, nhid);
  const newdst = tb.get(RTA_NEWDST);
  if (newdst) printNewdst(ctx, family, newdst);
  if (tb.has(RTA_ENCAP)) { /* lwt encapsulations: not printed (tsnet adds none) */ }
  if (tos && f.tosmask !== -1) {
    const t = dsfieldName(tos, numeric);
    out.string('tos', `tos ${t} `, t);
  }
  const gw = tb.get(RTA_GATEWAY);
  if (gw && f.rvia?.bitlen !== hl) printGateway(ctx, family, gw);
  const via = tb.get(RTA_VIA);
  if (via) printVia(ctx, via);
  const oif = u32Of(tb, RTA_OIF);
  if (oif !== undefined && f.oifmask !== -1) printIfidx(ctx, oif, 'dev');
  const table = routeTable(h, tb);
  if (table && (table !== RT_TABLE_MAIN || details) && !f.tb) {
    const t = tableName(table, numeric);
    out.string('table', `table ${t} `, t);
  }
  if (!(flags & RTM_F_CLONED)) {
    if ((protocol !== RTPROT_BOOT || details) && f.protocolmask !== -1) {
      const p = rtProtocols.name(protocol, numeric);
      out.string('protocol', `proto ${p} `, p);
    }
    if ((scope !== RT_SCOPE_UNIVERSE || details) && f.scopemask !== -1) {
      const s = rtScopes.name(scope, numeric);
      out.string('scope', `scope ${s} `, s);
    }
  }
  const prefsrc = tb.get(RTA_PREFSRC);
  if (prefsrc && f.rprefsrc?.bitlen !== hl) {
    const p = formatAddress(family, prefsrc);
    if (out.json) out.string('prefsrc', '', p);
    else {
      out.fp('src ');
      out.fpColor(color, `${p} `);
    }
  }
  const prio = u32Of(tb, RTA_PRIORITY);
  if (prio !== undefined && f.metricmask !== -1) out.uint('metric', `metric ${prio} `, prio);
  printFlags(ctx, flags);
  const mark = u32Of(tb, RTA_MARK);
  if (mark !== undefined) {
    if (mark) out.uint('mark', mark >= 16 ? `mark 0x${mark.toString(16)} ` : `mark ${mark} `, mark);
  }
  const flow = tb.get(RTA_FLOW);
  if (flow && f.realmmask !== 0xffffffff) printFlow(ctx, flow);
  const uid = u32Of(tb, RTA_UID);
  if (uid !== undefined) out.uint('uid', `uid ${uid} `, uid);
  const ci = tb.get(RTA_CACHEINFO);
  if (family === AF_INET) {
    if (flags & RTM_F_CLONED) printCacheFlags(ctx, flags);
    if (ci) printCacheinfo(ctx, ci);
  } else if (family === AF_INET6 && ci) printCacheinfo(ctx, ci);
  const mx = tb.get(RTA_METRICS);
  if (mx) printMetrics(ctx, mx);
  const iif = u32Of(tb, RTA_IIF);
  if (iif !== undefined && f.iifmask !== -1) printIfidx(ctx, iif, 'iif');
  const pref = tb.get(RTA_PREF);
  if (pref) {
    const p = pref[0];
    const name = p === ICMPV6_ROUTER_PREF_LOW ? 'low' : p === ICMPV6_ROUTER_PREF_MEDIUM ? 'medium' : p === ICMPV6_ROUTER_PREF_HIGH ? 'high' : undefined;
    if (name) out.string('pref', `pref ${name}`, name);
    else out.uint('pref', String(p), p);
  }
  const ttl = tb.get(RTA_TTL_PROPAGATE);
  if (ttl) {
    if (out.json) out.bool('ttl-propogate', '', ttl[0] !== 0);
    else out.fp(`ttl-propogate ${ttl[0] ? 'enabled' : 'disabled'}`);
  }
  const mp = tb.get(RTA_MULTIPATH);
  if (mp) printMultipath(ctx, family, type, flags, mp);
  out.fp('\n');
  out.closeObject();
}
