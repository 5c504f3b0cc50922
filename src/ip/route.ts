// `tsnet route` (ip/iproute.c of iproute2 6.1): the verb table, the listing
// and flush (iproute_list_flush_or_save), add/change/replace/append/prepend/
// del (iproute_modify) and get (iproute_get). Each builds the rtmsg and
// attributes ip sends and hands them to the backend's rtnetlink port, so the
// kernel and the model answer the same request. The printer is route-print.ts.
import { progName } from '../lib/progname.js';
import { type Backend, NetlinkError, type RtMessage, type RtRequest } from '../backend.js';
import type { LinkAttr } from '../wire/nlattr.js';
import { emitRtmsg, type Rtmsg } from '../wire/nlmsg.js';
import {
  AF_INET, AF_INET6, AF_MPLS, AF_PACKET, AF_UNSPEC, ICMPV6_ROUTER_PREF_HIGH, ICMPV6_ROUTER_PREF_LOW,
  ICMPV6_ROUTER_PREF_MEDIUM, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTAX_ADVMSS, RTAX_CC_ALGO,
  RTAX_CWND, RTAX_FASTOPEN_NO_COOKIE, RTAX_FEATURES, RTAX_FEATURE_ECN, RTAX_HOPLIMIT, RTAX_INITCWND,
  RTAX_INITRWND, RTAX_LOCK, RTAX_MTU, RTAX_QUICKACK, RTAX_REORDERING, RTAX_RTO_MIN, RTAX_RTT, RTAX_RTTVAR,
  RTAX_SSTHRESH, RTAX_WINDOW, RTA_DPORT, RTA_DST, RTA_EXPIRES, RTA_FLOW, RTA_GATEWAY, RTA_IIF, RTA_IP_PROTO,
  RTA_MARK, RTA_METRICS, RTA_MULTIPATH, RTA_NEWDST, RTA_NH_ID, RTA_OIF, RTA_PREF, RTA_PREFSRC, RTA_PRIORITY,
  RTA_SPORT, RTA_SRC, RTA_TABLE, RTA_TTL_PROPAGATE, RTA_UID, RTA_VIA, RTMSG_LEN, RTM_DELROUTE, RTM_F_CLONED,
  RTM_F_FIB_MATCH, RTM_F_LOOKUP_TABLE, RTM_F_NOTIFY, RTM_GETROUTE, RTM_NEWROUTE, RTNH_F_ONLINK, RTN_ANYCAST,
  RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RTN_NAT, RTN_UNICAST, RTN_UNSPEC, RTPROT_BOOT, RT_SCOPE_HOST,
  RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_UNSPEC,
} from '../wire/rtnl-constants.js';
import { type InetPrefix, parseAddress, parsePrefix, parseUnsigned, strtoul } from '../lib/inet.js';
import { ENOENT, EOPNOTSUPP } from '../errno.js';
import { familyNameVerbose, netlinkErrorLine, nodev } from './common.js';
import type { Context } from './context.js';
import { interpreted } from '../lib/jit.js';
import { Args, Exit, duparg2, invarg, matches } from './matches.js';
import { readFamily } from './options.js';
import { dsfieldId, ipProtocolId, rtProtocols, rtRealms, rtScopes, tableId } from './names.js';
import { type RouteFilter, newRouteFilter, printMatched, printRoute, routeMatches, routeTypeId } from './route-print.js';

const usageText = (): string => {
  const ip = progName();
  return `Usage: ${ip} route { list | flush } SELECTOR
       ${ip} route save SELECTOR
       ${ip} route restore
       ${ip} route showdump
       ${ip} route get [ ROUTE_GET_FLAGS ] ADDRESS
                            [ from ADDRESS iif STRING ]
                            [ oif STRING ] [ tos TOS ]
                            [ mark NUMBER ] [ vrf NAME ]
                            [ uid NUMBER ] [ ipproto PROTOCOL ]
                            [ sport NUMBER ] [ dport NUMBER ]
       ${ip} route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ vrf NAME ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]
             [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
             [ ttl-propagate { enabled | disabled } ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ encap ENCAPTYPE ENCAPHDR ] [ via [ FAMILY ] ADDRESS ]
      [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 | mpls | bridge | link ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ as [ to ] ADDRESS ]
           [ rtt TIME ] [ rttvar TIME ] [ reordering NUMBER ]
           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ]
           [ rto_min TIME ] [ hoplimit NUMBER ] [ initrwnd NUMBER ]
           [ features FEATURES ] [ quickack BOOL ] [ congctl NAME ]
           [ pref PREF ] [ expires TIME ] [ fastopen_no_cookie BOOL ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink | pervasive ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
BOOL := [1|0]
FEATURES := ecn
ENCAPTYPE := [ mpls | ip | ip6 | seg6 | seg6local | rpl | ioam6 | xfrm ]
ENCAPHDR := [ MPLSLABEL | SEG6HDR | SEG6LOCAL | IOAM6HDR | XFRMINFO ]
SEG6HDR := [ mode SEGMODE ] segs ADDR1,ADDRi,ADDRn [hmac HMACKEYID] [cleanup]
SEGMODE := [ encap | encap.red | inline | l2encap | l2encap.red ]
SEG6LOCAL := action ACTION [ OPTIONS ] [ count ]
ACTION := { End | End.X | End.T | End.DX2 | End.DX6 | End.DX4 |
            End.DT6 | End.DT4 | End.DT46 | End.B6 | End.B6.Encaps |
            End.BM | End.S | End.AS | End.AM | End.BPF }
OPTIONS := OPTION [ OPTIONS ]
OPTION := { flavors FLAVORS | srh SEG6HDR | nh4 ADDR | nh6 ADDR | iif DEV | oif DEV |
            table TABLEID | vrftable TABLEID | endpoint PROGNAME }
FLAVORS := { FLAVOR[,FLAVOR] }
FLAVOR := { psp | usp | usd | next-csid }
IOAM6HDR := trace prealloc type IOAM6_TRACE_TYPE ns IOAM6_NAMESPACE size IOAM6_TRACE_SIZE
XFRMINFO := if_id IF_ID [ link_dev LINK ]
ROUTE_GET_FLAGS := [ fibmatch ]`;
};

function usage(): never {
  throw new Exit(255, [usageText()]);
}

export function doRoute(ctx: Context, words: string[]): number {
  if (words.length === 0) return listOrFlush(ctx, [], false);
  const [verb, ...rest] = words;
  if (matches(verb, 'add')) return modify(ctx, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(verb, 'change') || verb === 'chg') return modify(ctx, RTM_NEWROUTE, NLM_F_REPLACE, rest);
  if (matches(verb, 'replace')) return modify(ctx, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(verb, 'prepend')) return modify(ctx, RTM_NEWROUTE, NLM_F_CREATE, rest);
  if (matches(verb, 'append')) return modify(ctx, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_APPEND, rest);
  if (matches(verb, 'test')) return modify(ctx, RTM_NEWROUTE, NLM_F_EXCL, rest);
  if (matches(verb, 'delete')) return modify(ctx, RTM_DELROUTE, 0, rest);
  if (matches(verb, 'list') || matches(verb, 'show') || matches(verb, 'lst')) return listOrFlush(ctx, rest, false);
  if (matches(verb, 'get')) return get(ctx, rest);
  if (matches(verb, 'flush')) return listOrFlush(ctx, rest, true);
  if (matches(verb, 'save') || matches(verb, 'restore') || matches(verb, 'showdump')) {
    throw new Exit(1, [`${progName()} route ${verb}: not implemented (ip route's binary format)`]);
  }
  if (matches(verb, 'help')) usage();
  throw new Exit(255, [`Command "${verb}" is unknown, try "${progName()} route help".`]);
}

/** get_prefix(): exit 1 with ip's message. */
function prefixArg(arg: string, family: number): InetPrefix {
  if (family === AF_PACKET) throw new Exit(1, [`Error: "${arg}" may be inet prefix, but it is not allowed in this context.`]);
  const p = parsePrefix(arg, family);
  if (!p) throw new Exit(1, [`Error: ${familyNameVerbose(family)} prefix is expected rather than "${arg}".`]);
  return p;
}

/** get_addr(): exit 1 with ip's message. */
function addrArg(arg: string, family: number): InetPrefix {
  const p = parseAddress(arg, family);
  if (!p) throw new Exit(1, [`Error: ${familyNameVerbose(family)} address is expected rather than "${arg}".`]);
  return p;
}

/** The 16 bytes of ip's inet_prefix.data for `bytelen` (what addattr_l copies). */
const bytesOf = (p: InetPrefix): Uint8Array => p.data.subarray(0, p.bytelen);

function rtmsgBytes(m: Rtmsg): Uint8Array {
  const b = new Uint8Array(RTMSG_LEN);
  emitRtmsg(m, b);
  return b;
}

/** get_rt_realms_or_raw(): FROM/TO realm names or numbers, else a raw u32. */
function realmsArg(arg: string): number | undefined {
  const slash = arg.indexOf('/');
  let realms = 0;
  let rest = arg;
  let ok = true;
  if (slash >= 0) {
    const from = rtRealms.id(arg.slice(0, slash));
    if (from === undefined) ok = false;
    else {
      realms = from << 16;
      rest = arg.slice(slash + 1);
    }
  }
  if (ok && rest !== '') {
    const to = rtRealms.id(rest);
    if (to === undefined) ok = false;
    else realms |= to;
  }
  if (ok) return realms >>> 0;
  return parseUnsigned(arg);
}

/** get_time_rtt(): milliseconds (a suffix s/ms), `raw` when no suffix was given. */
function timeRtt(arg: string): { val: number; raw: boolean } | undefined {
  let t: number;
  let rest: string;
  if (arg.includes('.')) {
    const m = /^[\t\n\v\f\r ]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(arg);
    if (!m) return undefined;
    t = Number(m[0]);
    if (t < 0) return undefined;
    rest = arg.slice(m[0].length);
  } else {
    const r = strtoul(arg);
    if (!r) return undefined;
    t = r.value;
    rest = r.rest;
  }
  let raw = true;
  if (rest) {
    raw = false;
    const s = rest.toLowerCase();
    if (s === 's' || s === 'sec' || s === 'secs') t *= 1000;
    else if (s !== 'ms' && s !== 'msec' && s !== 'msecs') return undefined;
  }
  let val = Math.trunc(t) >>> 0;
  if (val < t) val += 1;
  return { val, raw };
}

function u32Attr(type: number, value: number): LinkAttr {
  return { type, kind: 'u32', value: value >>> 0 };
}

/** A refused request: ip's line on stderr, and the command's -2 (exit 2; a batch goes on with -force). */
function refused(ctx: Context, e: unknown): number {
  if (e instanceof NetlinkError) {
    ctx.err(netlinkErrorLine(e));
    return 2;
  }
  throw e;
}

/** iproute_modify(). */
function modify(ctx: Context, cmd: number, nlFlags: number, words: string[]): number {
  const r: Rtmsg = {
    family: ctx.opts.family, dstLen: 0, srcLen: 0, tos: 0, table: RT_TABLE_MAIN, protocol: 0,
    scope: RT_SCOPE_NOWHERE, type: 0, flags: 0,
  };
  if (cmd !== RTM_DELROUTE) {
    r.protocol = RTPROT_BOOT;
    r.scope = RT_SCOPE_UNIVERSE;
    r.type = RTN_UNICAST;
  }
  const attrs: LinkAttr[] = [];
  const mx: LinkAttr[] = [];
  let mxlock = 0;
  let dev: string | undefined;
  let gwOk = false, dstOk = false, nhsOk = false, scopeOk = false, tableOk = false, nhid = 0;
  const bytes = (type: number, value: Uint8Array) => attrs.push({ type, kind: 'bytes', value });
  const a = new Args(words);
  /** `NAME [lock] VALUE` of a metric: the value word, with the lock noted. */
  const locked = (bit: number): string => {
    let v = a.next();
    if (v === 'lock') {
      mxlock |= 1 << bit;
      v = a.next();
    }
    return v;
  };
  const metric = (bit: number, what: string, max = 0xffffffff) => {
    const v = locked(bit);
    const n = parseUnsigned(v);
    if (n === undefined || n > max) invarg(`"${what}" value is invalid\n`, v);
    mx.push(u32Attr(bit, n));
  };
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'src') {
      const p = addrArg(a.next(), r.family);
      if (r.family === AF_UNSPEC) r.family = p.family;
      bytes(RTA_PREFSRC, bytesOf(p));
    } else if (w === 'as') {
      let v = a.next();
      if (v === 'to') v = a.next();
      const p = addrArg(v, r.family);
      if (r.family === AF_UNSPEC) r.family = p.family;
      bytes(RTA_NEWDST, bytesOf(p));
    } else if (w === 'via') {
      if (gwOk) invarg('use nexthop syntax to specify multiple via\n', w);
      gwOk = true;
      const via = viaAttr(a, r);
      bytes(via.type, via.value);
    } else if (w === 'from') {
      const p = prefixArg(a.next(), r.family);
      if (r.family === AF_UNSPEC) r.family = p.family;
      if (p.bytelen) bytes(RTA_SRC, bytesOf(p));
      r.srcLen = p.bitlen & 0xff;
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = a.next();
      const t = dsfieldId(v);
      if (t === undefined) invarg('"tos" value is invalid\n', v);
      r.tos = t;
    } else if (w === 'expires') {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg('"expires" value is invalid\n', v);
      attrs.push(u32Attr(RTA_EXPIRES, n));
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg('"metric" value is invalid\n', v);
      attrs.push(u32Attr(RTA_PRIORITY, n));
    } else if (w === 'scope') {
      const v = a.next();
      const s = rtScopes.id(v);
      if (s === undefined) invarg('invalid "scope" value\n', v);
      r.scope = s;
      scopeOk = true;
    } else if (w === 'mtu') metric(RTAX_MTU, 'mtu');
    else if (w === 'hoplimit') metric(RTAX_HOPLIMIT, 'hoplimit', 255);
    else if (w === 'advmss') metric(RTAX_ADVMSS, 'mss');
    else if (matches(w, 'reordering')) metric(RTAX_REORDERING, 'reordering');
    else if (w === 'rtt' || matches(w, 'rttvar') && w !== 'rtt') {
      const bit = w === 'rtt' ? RTAX_RTT : RTAX_RTTVAR;
      const v = locked(bit);
      const t = timeRtt(v);
      if (!t) invarg(`"${w === 'rtt' ? 'rtt' : 'rttvar'}" value is invalid\n`, v);
      mx.push(u32Attr(bit, t.raw ? t.val : t.val * (bit === RTAX_RTT ? 8 : 4)));
    } else if (w === 'rto_min') {
      const v = a.next();
      mxlock |= 1 << RTAX_RTO_MIN;
      const t = timeRtt(v);
      if (!t) invarg('"rto_min" value is invalid\n', v);
      mx.push(u32Attr(RTAX_RTO_MIN, t.val));
    } else if (matches(w, 'window')) metric(RTAX_WINDOW, 'window');
    else if (matches(w, 'cwnd')) metric(RTAX_CWND, 'cwnd');
    else if (matches(w, 'initcwnd')) metric(RTAX_INITCWND, 'initcwnd');
    else if (matches(w, 'initrwnd')) metric(RTAX_INITRWND, 'initrwnd');
    else if (matches(w, 'features')) {
      const v = a.next();
      if (v !== 'ecn') invarg('"features" value not valid\n', v);
      mx.push(u32Attr(RTAX_FEATURES, RTAX_FEATURE_ECN));
    } else if (matches(w, 'quickack') || matches(w, 'fastopen_no_cookie')) {
      const q = matches(w, 'quickack');
      const name = q ? 'quickack' : 'fastopen_no_cookie';
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg(`"${name}" value is invalid\n`, v);
      if (n !== 0 && n !== 1) invarg(`"${name}" value should be 0 or 1\n`, v);
      mx.push(u32Attr(q ? RTAX_QUICKACK : RTAX_FASTOPEN_NO_COOKIE, n));
    } else if (matches(w, 'congctl')) {
      const v = locked(RTAX_CC_ALGO);
      mx.push({ type: RTAX_CC_ALGO, kind: 'bytes', value: Buffer.from(v) });
    } else if (matches(w, 'ssthresh')) metric(RTAX_SSTHRESH, 'ssthresh');
    else if (matches(w, 'realms')) {
      const v = a.next();
      const n = realmsArg(v);
      if (n === undefined) invarg('"realm" value is invalid\n', v);
      attrs.push(u32Attr(RTA_FLOW, n));
    } else if (w === 'onlink') r.flags |= RTNH_F_ONLINK;
    else if (w === 'nexthop') {
      nhsOk = true;
      break;
    } else if (w === 'nhid') {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg('"id" value is invalid\n', v);
      nhid = n;
      attrs.push(u32Attr(RTA_NH_ID, n));
    } else if (matches(w, 'protocol')) {
      const v = a.next();
      const p = rtProtocols.id(v);
      if (p === undefined) invarg('"protocol" value is invalid\n', v);
      r.protocol = p;
    } else if (matches(w, 'table')) {
      const v = a.next();
      const t = tableId(v);
      if (t === undefined) invarg('"table" value is invalid\n', v);
      if (t < 256) r.table = t;
      else {
        r.table = RT_TABLE_UNSPEC;
        attrs.push(u32Attr(RTA_TABLE, t));
      }
      tableOk = true;
    } else if (matches(w, 'vrf')) {
      invarg('Invalid VRF\n', a.next());
    } else if (w === 'dev' || w === 'oif') dev = a.next();
    else if (matches(w, 'pref')) {
      const v = a.next();
      let p: number | undefined;
      if (v === 'low') p = ICMPV6_ROUTER_PREF_LOW;
      else if (v === 'medium') p = ICMPV6_ROUTER_PREF_MEDIUM;
      else if (v === 'high') p = ICMPV6_ROUTER_PREF_HIGH;
      else p = parseUnsigned(v, 255);
      if (p === undefined) invarg('"pref" value is invalid\n', v);
      attrs.push({ type: RTA_PREF, kind: 'u8', value: p });
    } else if (w === 'encap') {
      throw new Exit(1, [`${progName()} route: "encap" (lightweight tunnels) is not implemented`]);
    } else if (w === 'ttl-propagate') {
      const v = a.next();
      let p: number;
      if (matches(v, 'enabled')) p = 1;
      else if (matches(v, 'disabled')) p = 0;
      else invarg('"ttl-propagate" value is invalid\n', v);
      attrs.push({ type: RTA_TTL_PROPAGATE, kind: 'u8', value: p });
    } else {
      let v = w;
      if (v === 'to') v = a.next();
      if ((v[0] < '0' || v[0] > '9' || v === '') && routeTypeId(v) !== undefined) {
        const t = routeTypeId(v)!;
        v = a.next();
        r.type = t;
      }
      if (matches(v, 'help')) usage();
      if (dstOk) duparg2('to', v);
      const p = prefixArg(v, r.family);
      if (r.family === AF_UNSPEC) r.family = p.family;
      r.dstLen = p.bitlen & 0xff;
      dstOk = true;
      if (p.bytelen) bytes(RTA_DST, bytesOf(p));
    }
  }
  if (!dstOk) usage();
  if (dev !== undefined) {
    const idx = ctx.nameToIndex(dev);
    if (!idx) return nodev(ctx, dev);
    attrs.push(u32Attr(RTA_OIF, idx));
  }
  if (mx.length) {
    if (mxlock) mx.push(u32Attr(RTAX_LOCK, mxlock));
    attrs.push({ type: RTA_METRICS, kind: 'nest', value: mx });
  }
  if (nhsOk) {
    const mp = parseNexthops(ctx, r, a);
    if (mp) attrs.push(mp);
  }
  if (r.family === AF_UNSPEC) r.family = AF_INET;
  if (!tableOk && (r.type === RTN_LOCAL || r.type === RTN_BROADCAST || r.type === RTN_NAT || r.type === RTN_ANYCAST)) {
    r.table = RT_TABLE_LOCAL;
  }
  if (!scopeOk) {
    if (r.family === AF_INET6 || r.family === AF_MPLS) r.scope = RT_SCOPE_UNIVERSE;
    else if (r.type === RTN_LOCAL || r.type === RTN_NAT) r.scope = RT_SCOPE_HOST;
    else if (r.type === RTN_BROADCAST || r.type === RTN_MULTICAST || r.type === RTN_ANYCAST) r.scope = RT_SCOPE_LINK;
    else if (r.type === RTN_UNICAST || r.type === RTN_UNSPEC) {
      if (cmd === RTM_DELROUTE) r.scope = RT_SCOPE_NOWHERE;
      else if (!gwOk && !nhsOk && !nhid) r.scope = RT_SCOPE_LINK;
    }
  }
  if (r.type === RTN_UNSPEC && r.family === AF_MPLS) r.type = RTN_UNICAST;
  try {
    ctx.rtnl.rtRequest({ type: cmd, flags: nlFlags, header: rtmsgBytes(r), attrs });
  } catch (e) {
    return refused(ctx, e);
  }
  return 0;
}

/**
 * `via [ FAMILY ] ADDRESS`: RTA_GATEWAY when the address is of the route's
 * family (which it sets when unset), else RTA_VIA (struct rtvia: the family
 * as a u16, then the address).
 */
function viaAttr(a: Args, r: Rtmsg): { type: number; value: Uint8Array } {
  let v = a.next();
  let family = readFamily(v);
  if (family === AF_UNSPEC) family = r.family;
  else v = a.next();
  const p = addrArg(v, family);
  if (r.family === AF_UNSPEC) r.family = p.family;
  if (p.family === r.family) return { type: RTA_GATEWAY, value: bytesOf(p) };
  const via = new Uint8Array(p.bytelen + 2);
  via[0] = p.family & 0xff;
  via[1] = p.family >> 8;
  via.set(bytesOf(p), 2);
  return { type: RTA_VIA, value: via };
}

/** parse_nexthops()/parse_one_nh(): RTA_MULTIPATH of struct rtnexthop and their attributes. */
function parseNexthops(ctx: Context, r: Rtmsg, a: Args): LinkAttr | undefined {
  const parts: Uint8Array[] = [];
  while (a.more) {
    if (a.cur !== 'nexthop') throw new Exit(255, [`Error: "nexthop" or end of line is expected instead of "${a.cur}"`]);
    if (a.i + 1 >= a.words.length) throw new Exit(255, ['Error: unexpected end of line after "nexthop"']);
    const nh: LinkAttr[] = [];
    let flags = 0, hops = 0, ifindex = 0;
    a.advance();
    for (; a.more; a.advance()) {
      const w: string = a.cur;
      if (w === 'via') {
        const via = viaAttr(a, r);
        nh.push({ type: via.type, kind: 'bytes', value: via.value });
      } else if (w === 'dev') {
        const d = a.next();
        ifindex = ctx.nameToIndex(d);
        if (!ifindex) {
          nodev(ctx, d);
          throw new Exit(255, ['Error: cannot parse nexthop']);
        }
      } else if (w === 'weight') {
        const v = a.next();
        const n = parseUnsigned(v);
        if (n === undefined || n === 0 || n > 256) invarg('"weight" is invalid\n', v);
        hops = n - 1;
      } else if (w === 'onlink') flags |= RTNH_F_ONLINK;
      else if (matches(w, 'realms')) {
        const v = a.next();
        const n = realmsArg(v);
        if (n === undefined) invarg('"realm" value is invalid\n', v);
        nh.push(u32Attr(RTA_FLOW, n));
      } else if (w === 'as') {
        let v = a.next();
        if (v === 'to') v = a.next();
        const p = addrArg(v, r.family);
        nh.push({ type: RTA_NEWDST, kind: 'bytes', value: bytesOf(p) });
      } else break;
    }
    const body = nh.length ? encodeNest(nh) : new Uint8Array(0);
    const head = new Uint8Array(8);
    const len = 8 + body.length;
    head[0] = len & 0xff;
    head[1] = len >> 8;
    head[2] = flags;
    head[3] = hops;
    new DataView(head.buffer).setInt32(4, ifindex, true);
    parts.push(head, body);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (!total) return undefined;
  const b = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    b.set(p, o);
    o += p.length;
  }
  return { type: RTA_MULTIPATH, kind: 'bytes', value: b };
}

function encodeNest(list: LinkAttr[]): Uint8Array {
  const out: number[] = [];
  for (const x of list) {
    const v = x.kind === 'bytes' ? x.value : x.kind === 'u32' ? new Uint8Array(new Uint32Array([x.value]).buffer) : new Uint8Array([x.value as number]);
    const len = 4 + v.length;
    out.push(len & 0xff, len >> 8, x.type & 0xff, x.type >> 8, ...v);
    while (out.length % 4) out.push(0);
  }
  return Uint8Array.from(out);
}

/**
 * The dump request ip sends: rtnl_routedump_req() with iproute_dump_filter().
 * ip -batch opens its socket without NETLINK_GET_STRICT_CHK, so the kernel
 * then ignores the filter (a missing table is no error, ip filters alone);
 * tsnet's socket is always strict, so a batch line sends no filter instead.
 */
function dumpRequest(ctx: Context, family: number, f: RouteFilter): RtRequest {
  const strict = ctx.opts.batch === undefined;
  const attrs: LinkAttr[] = [];
  if (strict && f.tb) attrs.push(u32Attr(RTA_TABLE, f.tb));
  if (strict && f.oif) attrs.push(u32Attr(RTA_OIF, f.oif));
  const header = rtmsgBytes({
    family, dstLen: 0, srcLen: 0, tos: 0, table: 0, protocol: strict ? f.protocol & 0xff : 0, scope: 0, type: 0,
    flags: f.cloned && (strict || family !== AF_INET6) ? RTM_F_CLONED : 0,
  });
  return { type: RTM_GETROUTE, flags: 0, header, attrs };
}

/** iproute_list_flush_or_save() for list and flush. */
function listOrFlush(ctx: Context, words: string[], flush: boolean): number {
  let dumpFamily = ctx.opts.family;
  let iifName: string | undefined, oifName: string | undefined;
  let mark = 0;
  const f = newRouteFilter(0);
  f.tb = RT_TABLE_MAIN;
  if (flush && words.length === 0) {
    ctx.err('"ip route flush" requires arguments.');
    return 1;
  }
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (matches(w, 'table')) {
      const v = a.next();
      const t = tableId(v);
      if (t === undefined) {
        if (v === 'all') f.tb = 0;
        else if (v === 'cache') f.cloned = 1;
        else if (v === 'help') usage();
        else invarg('table id value is invalid\n', v);
      } else f.tb = t;
    } else if (matches(w, 'vrf')) {
      invarg('Invalid VRF\n', a.next());
    } else if (matches(w, 'cached') || matches(w, 'cloned')) f.cloned = 1;
    else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = a.next();
      const t = dsfieldId(v);
      if (t === undefined) invarg('TOS value is invalid\n', v);
      f.tos = t;
      f.tosmask = -1;
    } else if (matches(w, 'protocol')) {
      const v = a.next();
      f.protocolmask = -1;
      let p = rtProtocols.id(v);
      if (p === undefined) {
        if (v !== 'all') invarg('invalid "protocol"\n', v);
        p = 0;
        f.protocolmask = 0;
      }
      f.protocol = p;
    } else if (matches(w, 'scope')) {
      const v = a.next();
      f.scopemask = -1;
      let s = rtScopes.id(v);
      if (s === undefined) {
        if (v !== 'all') invarg('invalid "scope"\n', v);
        s = RT_SCOPE_NOWHERE;
        f.scopemask = 0;
      }
      f.scope = s;
    } else if (matches(w, 'type')) {
      const v = a.next();
      const t = routeTypeId(v);
      if (t === undefined) invarg('node type value is invalid\n', v);
      f.typemask = 1 << t;
    } else if (w === 'dev' || w === 'oif') oifName = a.next();
    else if (w === 'iif') iifName = a.next();
    else if (w === 'mark') {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg('invalid mark value', v);
      mark = n;
      f.markmask = -1;
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg('"metric" value is invalid\n', v);
      f.metric = n;
      f.metricmask = -1;
    } else if (w === 'via') {
      let v = a.next();
      let family = readFamily(v);
      if (family === AF_UNSPEC) family = dumpFamily;
      else v = a.next();
      f.rvia = prefixArg(v, family);
    } else if (w === 'src') {
      f.rprefsrc = prefixArg(a.next(), dumpFamily);
    } else if (matches(w, 'realms')) {
      const v = a.next();
      const n = realmsArg(v);
      if (n === undefined) invarg('invalid realms\n', v);
      f.realm = n;
      f.realmmask = 0xffffffff;
      if ((n & 0xffff) === 0 && v.endsWith('/')) f.realmmask = (f.realmmask & ~0xffff) >>> 0;
      if ((n & 0xffff0000) === 0 && (!v.includes('/') || v[0] === '/')) f.realmmask = (f.realmmask & ~0xffff0000) >>> 0;
    } else if (matches(w, 'from')) {
      let v = a.next();
      if (matches(v, 'root')) f.rsrc = prefixArg(a.next(), dumpFamily);
      else if (matches(v, 'match')) f.msrc = prefixArg(a.next(), dumpFamily);
      else {
        if (matches(v, 'exact')) v = a.next();
        f.msrc = prefixArg(v, dumpFamily);
        f.rsrc = { ...f.msrc };
      }
    } else {
      let v = w;
      if (matches(v, 'to')) v = a.next();
      if (matches(v, 'root')) f.rdst = prefixArg(a.next(), dumpFamily);
      else if (matches(v, 'match')) f.mdst = prefixArg(a.next(), dumpFamily);
      else {
        if (matches(v, 'exact')) v = a.next();
        f.mdst = prefixArg(v, dumpFamily);
        f.rdst = { ...f.mdst };
      }
    }
  }
  if (dumpFamily === AF_UNSPEC && f.tb) dumpFamily = AF_INET;
  if (iifName !== undefined) {
    const idx = ctx.nameToIndex(iifName);
    if (!idx) return nodev(ctx, iifName);
    f.iif = idx;
    f.iifmask = -1;
  }
  if (oifName !== undefined) {
    const idx = ctx.nameToIndex(oifName);
    if (!idx) return nodev(ctx, oifName);
    f.oif = idx;
    f.oifmask = -1;
  }
  f.mark = mark;
  if (flush) return flushRoutes(ctx, dumpFamily, f);
  const out = ctx.out;
  out.startListing();
  try {
    const b = ctx.rtnl as Backend;
    const req = dumpRequest(ctx, dumpFamily, f);
    const print = (m: RtMessage) => { printRoute(ctx, m, f); };
    // Interpreted, as the address and link dumps (src/lib/jit.ts): compiling the per-route code cost more CPU than it saved.
    interpreted(() => (b.rtDumpTransient ? b.rtDumpTransient(req, print) : b.rtDump!(req, print)));
  } catch (e) {
    if (e instanceof NetlinkError) {
      // save_route_errhndlr(): a main table that does not exist yet is an empty one.
      if (e.errno === ENOENT && f.tb === RT_TABLE_MAIN) {
        out.endListing();
        return 0;
      }
      return dumpFailed(ctx, e, 'Dump terminated');
    }
    throw e;
  }
  out.endListing();
  return 0;
}

/** rtnl_dump_done()/rtnl_dump_error(): the kernel's message (none for ENOENT/EOPNOTSUPP without one), then ip's. */
function dumpFailed(ctx: Context, e: NetlinkError, last: string): number {
  ctx.out.flush();
  if (e.extack) ctx.err(netlinkErrorLine(e));
  else if (e.errno === 90) ctx.err('Error: Buffer too small for object.');
  else if (e.errno !== ENOENT && e.errno !== EOPNOTSUPP) ctx.err(netlinkErrorLine(e));
  ctx.err(last);
  return 2;
}

/** iproute_flush(): dump, delete what passed, again until a dump finds nothing. */
function flushRoutes(ctx: Context, family: number, f: RouteFilter): number {
  const out = ctx.out;
  const stats = ctx.opts.stats;
  if (f.cloned) {
    // Since 3.6 the kernel has no IPv4 routing cache: writing route/flush only bumps a generation count.
    if (family !== AF_INET6 && stats) out.fp('*** IPv4 routing cache is flushed.\n');
    if (family === AF_INET) return 0;
  }
  f.flushing = true;
  for (let round = 0; ;) {
    const doomed: RtMessage[] = [];
    try {
      ctx.rtnl.rtDump(dumpRequest(ctx, family, f), (m) => {
        if (m.type !== RTM_NEWROUTE || !routeMatches(f, ctx.opts.family, m.header, m.attrs)) return;
        doomed.push(m);
        if (stats >= 2) printMatched(ctx, m, f);
      });
    } catch (e) {
      if (e instanceof NetlinkError) return dumpFailed(ctx, e, 'Flush terminated');
      throw e;
    }
    if (doomed.length === 0) {
      if (stats) {
        if (round === 0 && (!f.cloned || family === AF_INET6)) out.fp('Nothing to flush.\n');
        else out.fp(`*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
      }
      out.flush();
      return 0;
    }
    round++;
    for (const m of doomed) {
      try {
        ctx.rtnl.rtRequest({ type: RTM_DELROUTE, flags: 0, header: m.header, attrs: [...m.attrs].map(([type, value]) => ({ type, kind: 'bytes', value })) });
      } catch (e) {
        if (e instanceof NetlinkError) {
          ctx.out.flush();
          ctx.err(`Failed to send flush request: ${netlinkErrorLine(e, true)}`);
          return 2;
        }
        throw e;
      }
    }
    if (stats) {
      out.fp(`\n*** Round ${round}, deleting ${doomed.length} entries ***\n`);
      out.flush();
    }
  }
}

/** iproute_get(). */
function get(ctx: Context, words: string[]): number {
  const r: Rtmsg = { family: ctx.opts.family, dstLen: 0, srcLen: 0, tos: 0, table: 0, protocol: 0, scope: 0, type: 0, flags: 0 };
  const attrs: LinkAttr[] = [];
  let idev: string | undefined, odev: string | undefined;
  let connected = false, fibMatch = false, fromOk = false, addressFound = false;
  let mark = 0;
  const f = newRouteFilter(0);
  f.cloned = 2;
  const bytes = (type: number, value: Uint8Array) => attrs.push({ type, kind: 'bytes', value });
  const be16 = (type: number, what: string, v: string) => {
    const n = parseUnsigned(v, 0xffff);
    if (n === undefined) invarg(`invalid ${what}\n`, v);
    bytes(type, Uint8Array.of(n >> 8, n & 0xff));
  };
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'tos' || matches(w, 'dsfield')) {
      const v = a.next();
      const t = dsfieldId(v);
      if (t === undefined) invarg('TOS value is invalid\n', v);
      r.tos = t;
    } else if (matches(w, 'from')) {
      const v = a.next();
      if (matches(v, 'help')) usage();
      fromOk = true;
      const p = prefixArg(v, r.family);
      if (r.family === AF_UNSPEC) r.family = p.family;
      if (p.bytelen) bytes(RTA_SRC, bytesOf(p));
      r.srcLen = p.bitlen & 0xff;
    } else if (matches(w, 'iif')) idev = a.next();
    else if (matches(w, 'mark')) {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg('invalid mark value', v);
      mark = n;
    } else if (matches(w, 'oif') || w === 'dev') odev = a.next();
    else if (matches(w, 'notify')) r.flags |= RTM_F_NOTIFY;
    else if (matches(w, 'connected')) connected = true;
    else if (matches(w, 'vrf')) invarg('Invalid VRF\n', a.next());
    else if (matches(w, 'uid')) {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg('invalid UID\n', v);
      attrs.push(u32Attr(RTA_UID, n));
    } else if (matches(w, 'fibmatch')) fibMatch = true;
    else if (w === 'as') {
      let v = a.next();
      if (v === 'to') v = a.next();
      const p = addrArg(v, r.family);
      if (r.family === AF_UNSPEC) r.family = p.family;
      bytes(RTA_NEWDST, bytesOf(p));
    } else if (matches(w, 'sport')) be16(RTA_SPORT, 'sport', a.next());
    else if (matches(w, 'dport')) be16(RTA_DPORT, 'dport', a.next());
    else if (matches(w, 'ipproto')) {
      const v = a.next();
      const p = ipProtocolId(v);
      if (p < 0) invarg('Invalid "ipproto" value\n', v);
      attrs.push({ type: RTA_IP_PROTO, kind: 'u8', value: p });
    } else {
      let v = w;
      if (v === 'to') v = a.next();
      if (matches(v, 'help')) usage();
      const p = prefixArg(v, r.family);
      if (r.family === AF_UNSPEC) r.family = p.family;
      if (p.bytelen) bytes(RTA_DST, bytesOf(p));
      if (r.family === AF_INET && p.bitlen !== 32) {
        ctx.err(`Warning: /${p.bitlen} as prefix is invalid, only /32 (or none) is supported.`);
        r.dstLen = 32;
      } else if (r.family === AF_INET6 && p.bitlen !== 128) {
        ctx.err(`Warning: /${p.bitlen} as prefix is invalid, only /128 (or none) is supported.`);
        r.dstLen = 128;
      } else r.dstLen = p.bitlen & 0xff;
      addressFound = true;
    }
  }
  if (!addressFound) {
    ctx.err('need at least a destination address');
    return 1;
  }
  if (idev !== undefined) {
    const idx = ctx.nameToIndex(idev);
    if (!idx) return nodev(ctx, idev);
    attrs.push(u32Attr(RTA_IIF, idx));
  }
  if (odev !== undefined) {
    const idx = ctx.nameToIndex(odev);
    if (!idx) return nodev(ctx, odev);
    attrs.push(u32Attr(RTA_OIF, idx));
  }
  if (mark) attrs.push(u32Attr(RTA_MARK, mark));
  if (r.family === AF_UNSPEC) r.family = AF_INET;
  if (r.family === AF_INET) r.flags |= RTM_F_LOOKUP_TABLE;
  if (fibMatch) r.flags |= RTM_F_FIB_MATCH;
  const request: RtRequest = { type: RTM_GETROUTE, flags: 0, header: rtmsgBytes(r), attrs };
  /** The kernel's answer, or the exit status of its refusal (2 when it answered nothing). */
  const ask = (): RtMessage | number => {
    try {
      return ctx.rtnl.rtRequest(request)[0] ?? 2;
    } catch (e) {
      return refused(ctx, e);
    }
  };
  let answer = ask();
  if (typeof answer === 'number') return answer;
  const out = ctx.out;
  out.startListing();
  if (connected && !fromOk) {
    printRoute(ctx, answer, f);
    if (!answer.attrs.get(RTA_PREFSRC) && !answer.attrs.get(RTA_SRC)) {
      ctx.err('Failed to connect the route');
      return 1;
    }
    // ip rewrites attributes of the answer it then frees, and sends its first request again; the JSON
    // writer is gone by then, so the second answer comes out as text.
    out.endListing();
    answer = ask();
    if (typeof answer === 'number') return answer;
    const json = out.json;
    out.json = false;
    printRoute(ctx, answer, f);
    out.json = json;
    return 0;
  }
  printRoute(ctx, answer, f);
  out.endListing();
  return 0;
}
