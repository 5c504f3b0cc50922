// The vxlan kind (ip/iplink_vxlan.c of iproute2 6.1): `type vxlan id N ...`
// as IFLA_VXLAN_* attributes in ip's order, with its checks and messages,
// and what -d prints of them.
import { type Attrs, type LinkAttr, attrU32, attrU8 } from '../../wire/nlattr.js';
import { AF_INET, AF_INET6, IFLA_VXLAN, VXLAN_DF_UNSET } from '../../wire/rtnl-constants.js';
import { formatIPv4, formatIPv6, parseAddress, parseUnsigned, strtoul } from '../../lib/inet.js';
import type { Output } from '../../lib/output.js';
import { Args, Exit, duparg2, invarg, matches } from '../matches.js';
import { rtDsfields } from '../names.js';
import type { LinkKind, ParseEnv, PrintEnv } from './kind.js';
import { bytes, flag, u32, u8 } from './util.js';

// IFLA_VXLAN_DF values by number (VXLAN_DF_UNSET, _SET, _INHERIT).
const VXLAN_DF_NAMES = ['unset', 'set', 'inherit'];
const LABEL_MAX_MASK = 0xfffff;

const VXLAN_USAGE = `Usage: ... vxlan id VNI
		[ { group | remote } IP_ADDRESS ]
		[ local ADDR ]
		[ ttl TTL ]
		[ tos TOS ]
		[ df DF ]
		[ flowlabel LABEL ]
		[ dev PHYS_DEV ]
		[ dstport PORT ]
		[ srcport MIN MAX ]
		[ [no]learning ]
		[ [no]proxy ]
		[ [no]rsc ]
		[ [no]l2miss ]
		[ [no]l3miss ]
		[ ageing SECONDS ]
		[ maxaddress NUMBER ]
		[ [no]udpcsum ]
		[ [no]udp6zerocsumtx ]
		[ [no]udp6zerocsumrx ]
		[ [no]remcsumtx ] [ [no]remcsumrx ]
		[ [no]external ] [ gbp ] [ gpe ]
		[ [no]vnifilter ]

Where:	VNI	:= 0-16777215
	ADDR	:= { IP_ADDRESS | any }
	TOS	:= { NUMBER | inherit }
	TTL	:= { 1..255 | auto | inherit }
	DF	:= { unset | set | inherit }
	LABEL := 0-1048575`;

/** The u8 switches, in vxlan_parse_opt()'s order of tests (prefixes take the first match). */
const SWITCHES: [word: string, type: number, value: number][] = [
  ['noproxy', IFLA_VXLAN.PROXY, 0], ['proxy', IFLA_VXLAN.PROXY, 1], ['norsc', IFLA_VXLAN.RSC, 0], ['rsc', IFLA_VXLAN.RSC, 1],
  ['nol2miss', IFLA_VXLAN.L2MISS, 0], ['l2miss', IFLA_VXLAN.L2MISS, 1], ['nol3miss', IFLA_VXLAN.L3MISS, 0],
  ['l3miss', IFLA_VXLAN.L3MISS, 1], ['udpcsum', IFLA_VXLAN.UDP_CSUM, 1], ['noudpcsum', IFLA_VXLAN.UDP_CSUM, 0],
  ['udp6zerocsumtx', IFLA_VXLAN.UDP_ZERO_CSUM6_TX, 1], ['noudp6zerocsumtx', IFLA_VXLAN.UDP_ZERO_CSUM6_TX, 0],
  ['udp6zerocsumrx', IFLA_VXLAN.UDP_ZERO_CSUM6_RX, 1], ['noudp6zerocsumrx', IFLA_VXLAN.UDP_ZERO_CSUM6_RX, 0],
  ['remcsumtx', IFLA_VXLAN.REMCSUM_TX, 1], ['noremcsumtx', IFLA_VXLAN.REMCSUM_TX, 0],
  ['remcsumrx', IFLA_VXLAN.REMCSUM_RX, 1], ['noremcsumrx', IFLA_VXLAN.REMCSUM_RX, 0],
];

/** An inet_prefix as vxlan_parse_opt() looks at it: family, bytes and set_address_type()'s class. */
interface Addr {
  family: number;
  data: Uint8Array;
  /** none: not parsed (or no IP family); unspec: all zeros; multi: multicast; inet: any other. */
  type: 'none' | 'unspec' | 'multi' | 'inet';
}

/** get_addr(): the address in `family` (any when AF_UNSPEC), or ip's message and exit 1. */
function getAddr(arg: string, family: number): Addr {
  const p = parseAddress(arg, family);
  if (!p) {
    const name = family === AF_INET ? 'inet' : family === AF_INET6 ? 'inet6' : 'any valid';
    throw new Exit(1, [`Error: ${name} address is expected rather than "${arg}".`]);
  }
  // set_address_type() reads ip's zeroed buffer, so "any" (no bytes) is all zeros too.
  const d = p.data, zero = d.every((b) => !b);
  let type: Addr['type'] = 'none';
  if (p.family === AF_INET) type = zero ? 'unspec' : (d[0] & 0xf0) === 0xe0 ? 'multi' : 'inet';
  else if (p.family === AF_INET6) type = zero ? 'unspec' : d[0] === 0xff ? 'multi' : 'inet';
  return { family: p.family, data: d, type };
}

/** is_addrtype_inet_not_multi(): an IP address that is not multicast (all zeros is one). */
const notMulti = (x: Addr) => x.type === 'inet' || x.type === 'unspec';

const be16 = (type: number, v: number): LinkAttr => bytes(type, Uint8Array.of(v >> 8, v & 0xff));

/** vxlan_parse_opt() */
function parseVxlan(words: string[], env: ParseEnv): LinkAttr[] {
  const out: LinkAttr[] = [];
  const seen = new Set<number>();
  // check_duparg(): each attribute once; the second names the word and the value.
  const once = (type: number, key: string, arg: string) => {
    if (seen.has(type)) duparg2(key, arg);
    seen.add(type);
  };
  let vni = 0, learning = 1, dstport = 0, metadata = 0, vnifilter = 0;
  let saddr: Addr = { family: 0, data: new Uint8Array(0), type: 'none' };
  let daddr: Addr = { ...saddr };
  const bothGroupAndRemote = () => new Exit(1, ['vxlan: both group and remote cannot be specified']);
  for (const a = new Args(words); a.more; a.advance()) {
    const w = a.cur;
    const sw = SWITCHES.find(([word]) => matches(w, word));
    if (matches(w, 'id') || matches(w, 'vni')) {
      const v = a.next();
      once(IFLA_VXLAN.ID, 'id', v);
      const n = parseUnsigned(v);
      if (n === undefined || n >= 1 << 24) invarg('invalid id', v);
      vni = n;
    } else if (matches(w, 'group')) {
      if (notMulti(daddr)) throw bothGroupAndRemote();
      const v = a.next();
      once(IFLA_VXLAN.GROUP, 'group', v);
      daddr = getAddr(v, saddr.family);
      if (daddr.type !== 'multi') invarg('invalid group address', v);
    } else if (matches(w, 'remote')) {
      if (daddr.type === 'multi') throw bothGroupAndRemote();
      const v = a.next();
      once(IFLA_VXLAN.GROUP, 'remote', v);
      daddr = getAddr(v, saddr.family);
      if (!notMulti(daddr)) invarg('invalid remote address', v);
    } else if (matches(w, 'local')) {
      const v = a.next();
      once(IFLA_VXLAN.LOCAL, 'local', v);
      saddr = getAddr(v, daddr.family);
      if (!notMulti(saddr)) invarg('invalid local address', v);
    } else if (matches(w, 'dev')) {
      const v = a.next();
      once(IFLA_VXLAN.LINK, 'dev', v);
      const link = env.ifindex(v);
      if (!link) throw new Exit(255, [`Cannot find device "${v}"`]);
      out.push(u32(IFLA_VXLAN.LINK, link));
    } else if (matches(w, 'ttl') || matches(w, 'hoplimit')) {
      const v = a.next();
      once(IFLA_VXLAN.TTL, 'ttl', v);
      if (v === 'inherit') out.push(flag(IFLA_VXLAN.TTL_INHERIT));
      else if (v === 'auto') out.push(u8(IFLA_VXLAN.TTL, 0));
      else {
        const n = parseUnsigned(v) ?? invarg('invalid TTL', v);
        if (n > 255) invarg('TTL must be <= 255', v);
        out.push(u8(IFLA_VXLAN.TTL, n));
      }
    } else if (matches(w, 'tos') || matches(w, 'dsfield')) {
      const v = a.next();
      once(IFLA_VXLAN.TOS, 'tos', v);
      out.push(u8(IFLA_VXLAN.TOS, v === 'inherit' ? 1 : dsfield(v) ?? invarg('bad TOS value', v)));
    } else if (matches(w, 'df')) {
      const v = a.next();
      once(IFLA_VXLAN.DF, 'df', v);
      const df = VXLAN_DF_NAMES.indexOf(v);
      if (df < 0) invarg("DF must be 'unset', 'set' or 'inherit'", v);
      out.push(u8(IFLA_VXLAN.DF, df));
    } else if (matches(w, 'label') || matches(w, 'flowlabel')) {
      const v = a.next();
      once(IFLA_VXLAN.LABEL, 'flowlabel', v);
      const n = parseUnsigned(v);
      if (n === undefined || n & ~LABEL_MAX_MASK) invarg('invalid flowlabel', v);
      // htonl(): the label goes in network order.
      out.push(bytes(IFLA_VXLAN.LABEL, Uint8Array.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff)));
    } else if (matches(w, 'ageing')) {
      const v = a.next();
      once(IFLA_VXLAN.AGEING, 'ageing', v);
      out.push(u32(IFLA_VXLAN.AGEING, v === 'none' ? 0 : parseUnsigned(v) ?? invarg('ageing timer', v)));
    } else if (matches(w, 'maxaddress')) {
      const v = a.next();
      once(IFLA_VXLAN.LIMIT, 'maxaddress', v);
      out.push(u32(IFLA_VXLAN.LIMIT, v === 'unlimited' ? 0 : parseUnsigned(v) ?? invarg('max addresses', v)));
    } else if (matches(w, 'port') || matches(w, 'srcport')) {
      const lo = a.next();
      once(IFLA_VXLAN.PORT_RANGE, 'srcport', lo);
      const low = parseUnsigned(lo, 0xffff) ?? invarg('min port', lo);
      const hi = a.next();
      const high = parseUnsigned(hi, 0xffff) ?? invarg('max port', hi);
      if (low || high) out.push(bytes(IFLA_VXLAN.PORT_RANGE, Uint8Array.of(low >> 8, low & 0xff, high >> 8, high & 0xff)));
    } else if (matches(w, 'dstport')) {
      const v = a.next();
      once(IFLA_VXLAN.PORT, 'dstport', v);
      dstport = parseUnsigned(v, 0xffff) ?? invarg('dst port', v);
    } else if (matches(w, 'nolearning') || matches(w, 'learning')) {
      once(IFLA_VXLAN.LEARNING, w, w);
      learning = matches(w, 'nolearning') ? 0 : 1;
    } else if (sw) {
      once(sw[1], w, w);
      out.push(u8(sw[1], sw[2]));
    } else if (matches(w, 'external') || matches(w, 'noexternal')) {
      once(IFLA_VXLAN.COLLECT_METADATA, w, w);
      metadata = matches(w, 'external') ? 1 : 0;
      if (metadata) learning = 0;
      out.push(u8(IFLA_VXLAN.COLLECT_METADATA, metadata));
    } else if (matches(w, 'gbp') || matches(w, 'gpe')) {
      const type = matches(w, 'gbp') ? IFLA_VXLAN.GBP : IFLA_VXLAN.GPE;
      once(type, w, w);
      out.push(flag(type));
    } else if (w === 'vnifilter' || w === 'novnifilter') {
      once(IFLA_VXLAN.VNIFILTER, w, w);
      if (w === 'vnifilter') vnifilter = 1;
      out.push(u8(IFLA_VXLAN.VNIFILTER, w === 'vnifilter' ? 1 : 0));
    } else if (matches(w, 'help')) {
      throw new Exit(1, [VXLAN_USAGE]);
    } else {
      throw new Exit(1, [`vxlan: unknown command "${w}"?`, VXLAN_USAGE]);
    }
  }
  const hasId = seen.has(IFLA_VXLAN.ID), hasPort = seen.has(IFLA_VXLAN.PORT);
  if (!metadata && vnifilter) throw new Exit(1, ["vxlan: vnifilter is valid only when 'external' is set"]);
  if (metadata && hasId) throw new Exit(1, ["vxlan: both 'external' and vni cannot be specified"]);
  if (!metadata && !vnifilter && !hasId && !env.setOp) throw new Exit(1, ['vxlan: missing virtual network identifier']);
  if (daddr.type === 'multi' && !seen.has(IFLA_VXLAN.LINK)) throw new Exit(1, ["vxlan: 'group' requires 'dev' to be specified"]);
  if (!hasPort && seen.has(IFLA_VXLAN.GPE)) dstport = 4790;
  else if (!hasPort && !env.setOp) {
    env.warn('vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)');
    env.warn("Use 'dstport 4789' to get the IANA assigned value\nUse 'dstport 0' to get default and quiet this message");
  }
  if (hasId) out.push(u32(IFLA_VXLAN.ID, vni));
  const inet = (x: Addr) => x.type !== 'none';
  if (inet(saddr)) out.push(bytes(saddr.family === AF_INET ? IFLA_VXLAN.LOCAL : IFLA_VXLAN.LOCAL6, saddr.data));
  if (inet(daddr)) out.push(bytes(daddr.family === AF_INET ? IFLA_VXLAN.GROUP : IFLA_VXLAN.GROUP6, daddr.data));
  if (!inet(saddr) && !inet(daddr)) {
    // -4 / -6 with no address: "default" of that family, all zeros.
    if (env.family === AF_INET) out.push(bytes(IFLA_VXLAN.GROUP, new Uint8Array(4)));
    else if (env.family === AF_INET6) out.push(bytes(IFLA_VXLAN.GROUP6, new Uint8Array(16)));
  }
  if (!env.setOp || seen.has(IFLA_VXLAN.LEARNING)) out.push(u8(IFLA_VXLAN.LEARNING, learning));
  if (dstport) out.push(be16(IFLA_VXLAN.PORT, dstport));
  return out;
}

/** rtnl_dsfield_a2n(): a name from rt_dsfield, or a hexadecimal number up to 0xff. */
function dsfield(arg: string): number | undefined {
  const named = rtDsfields.named(arg);
  if (named !== undefined) return named;
  const r = strtoul(arg, 16);
  return r && r.rest === '' && r.value <= 255 ? r.value : undefined;
}

const be16At = (b: Uint8Array, i = 0) => (b[i] << 8) | b[i + 1];

/** vxlan_print_opt() */
function printVxlan(out: Output, tb: Attrs, env: PrintEnv): void {
  const on = (t: number) => { const b = tb.get(t); return b !== undefined && attrU8(b) !== 0; };
  if (on(IFLA_VXLAN.COLLECT_METADATA)) out.bool('external', 'external ', true);
  // ip prints no space after this one.
  if (on(IFLA_VXLAN.VNIFILTER)) out.bool('vnifilter', 'vnifilter', true);
  const id = tb.get(IFLA_VXLAN.ID);
  if (id && id.length >= 4) out.uint('id', `id ${attrU32(id)} `, attrU32(id));
  const group = tb.get(IFLA_VXLAN.GROUP), group6 = tb.get(IFLA_VXLAN.GROUP6);
  if (group) {
    if (attrU32(group)) {
      const s = formatIPv4(group), multi = (group[0] & 0xf0) === 0xe0;
      out.string(multi ? 'group' : 'remote', `${multi ? 'group' : 'remote'} ${s} `, s);
    }
  } else if (group6 && group6.some((b) => b)) {
    const s = formatIPv6(group6), multi = group6[0] === 0xff;
    out.string(multi ? 'group6' : 'remote6', `${multi ? 'group' : 'remote'} ${s} `, s);
  }
  const local = tb.get(IFLA_VXLAN.LOCAL), local6 = tb.get(IFLA_VXLAN.LOCAL6);
  if (local) {
    if (attrU32(local)) out.string('local', `local ${formatIPv4(local)} `, formatIPv4(local));
  } else if (local6 && local6.some((b) => b)) out.string('local6', `local ${formatIPv6(local6)} `, formatIPv6(local6));
  const link = tb.get(IFLA_VXLAN.LINK);
  if (link && attrU32(link)) {
    const n = env.ifname(attrU32(link));
    out.string('link', `dev ${n} `, n);
  }
  const range = tb.get(IFLA_VXLAN.PORT_RANGE);
  if (range) {
    const low = be16At(range), high = be16At(range, 2);
    out.openObject('port_range');
    out.uint('low', '', low);
    out.uint('high', '', high);
    out.closeObject();
    out.fp(`srcport ${low} ${high} `);
  }
  const port = tb.get(IFLA_VXLAN.PORT);
  if (port) out.uint('port', `dstport ${be16At(port)} `, be16At(port));
  const learn = tb.get(IFLA_VXLAN.LEARNING);
  if (learn) {
    const v = attrU8(learn) !== 0;
    out.bool('learning', v ? '' : 'nolearning ', v);
  }
  for (const [t, key] of [[IFLA_VXLAN.PROXY, 'proxy'], [IFLA_VXLAN.RSC, 'rsc'], [IFLA_VXLAN.L2MISS, 'l2miss'], [IFLA_VXLAN.L3MISS, 'l3miss']] as const) {
    if (on(t)) out.bool(key, `${key} `, true);
  }
  const tosAttr = tb.get(IFLA_VXLAN.TOS);
  const tos = tosAttr ? attrU8(tosAttr) : 0;
  if (tos) {
    if (out.json || tos !== 1) out.string('tos', `tos 0x${tos.toString(16)} `, `0x${tos.toString(16)}`);
    else out.fp('tos inherit ');
  }
  const ttl = tb.get(IFLA_VXLAN.TTL);
  if (on(IFLA_VXLAN.TTL_INHERIT)) out.fp('ttl inherit ');
  else if (ttl) {
    const v = attrU8(ttl);
    if (out.json || v) out.uint('ttl', `ttl ${v} `, v);
    else out.fp('ttl auto ');
  }
  const dfAttr = tb.get(IFLA_VXLAN.DF);
  if (dfAttr) {
    const df = attrU8(dfAttr);
    if (df === VXLAN_DF_UNSET) out.string('df', '', 'unset');
    else if (df < VXLAN_DF_NAMES.length) out.string('df', `df ${VXLAN_DF_NAMES[df]} `, VXLAN_DF_NAMES[df]);
  }
  const label = tb.get(IFLA_VXLAN.LABEL);
  if (label) {
    const v = ((label[0] << 24) | (label[1] << 16) | (label[2] << 8) | label[3]) >>> 0;
    if (v) out.string('label', `flowlabel 0x${v.toString(16)} `, `0x${v.toString(16)}`);
  }
  const age = tb.get(IFLA_VXLAN.AGEING);
  if (age) {
    const v = attrU32(age);
    out.uint('ageing', v ? `ageing ${v} ` : 'ageing none ', v);
  }
  const limit = tb.get(IFLA_VXLAN.LIMIT);
  if (limit && attrU32(limit)) out.uint('limit', `maxaddr ${attrU32(limit)} `, attrU32(limit));
  for (const [t, key, word] of [[IFLA_VXLAN.UDP_CSUM, 'udp_csum', 'udpcsum'],
    [IFLA_VXLAN.UDP_ZERO_CSUM6_TX, 'udp_zero_csum6_tx', 'udp6zerocsumtx'],
    [IFLA_VXLAN.UDP_ZERO_CSUM6_RX, 'udp_zero_csum6_rx', 'udp6zerocsumrx']] as const) {
    const b = tb.get(t);
    if (b) out.bool(key, `${attrU8(b) ? '' : 'no'}${word} `, attrU8(b) !== 0);
  }
  if (on(IFLA_VXLAN.REMCSUM_TX)) out.bool('remcsum_tx', 'remcsumtx ', true);
  if (on(IFLA_VXLAN.REMCSUM_RX)) out.bool('remcsum_rx', 'remcsumrx ', true);
  if (tb.has(IFLA_VXLAN.GBP)) out.bool('gbp', 'gbp ', true);
  if (tb.has(IFLA_VXLAN.GPE)) out.bool('gpe', 'gpe ', true);
}

export const vxlan: LinkKind = {
  id: 'vxlan',
  parse: parseVxlan,
  print: printVxlan,
  help: VXLAN_USAGE,
  keywords: ['id', 'vni', 'group', 'remote', 'local', 'dev', 'ttl', 'tos', 'df', 'flowlabel', 'ageing', 'maxaddress',
    'srcport', 'dstport', 'learning', 'nolearning', ...SWITCHES.map(([w]) => w), 'external', 'noexternal', 'gbp', 'gpe',
    'vnifilter', 'novnifilter'],
};
