// The model's answers to the link and address messages `tsnet link` and
// `tsnet addr` send (the same RtRequests the kernel gets): RTM_GETLINK/ADDR
// dumps encoded with the attributes the kernel reports, and the changes with
// the kernel's rules and refusals:
// - devinet.c: the first IPv4 address of a subnet is its primary, later ones
//   are secondaries (appended; primaries kept before them, ordered by scope);
//   deleting a primary deletes its secondaries, or with promote_secondaries
//   promotes the first of them; EEXIST/EADDRNOTAVAIL with the kernel's texts;
// - rtnetlink.c/dev.c: flags, name, mtu range, address, master (a bridge),
//   veth pairs, bridges, macvlans and dummies made and deleted;
// - operstate as the kernel derives it (carrier, lower device, admin state).
// Each change is explained on the trace in those terms.
import { AF_INET, AF_INET6, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NetlinkError, type RtMessage, type RtRequest } from '../backend.js';
import { EADDRNOTAVAIL, EEXIST, EINVAL, ENODEV, EOPNOTSUPP, EPERM, ERANGE } from '../errno.js';
import { type BondEnv, IFF_MASTER, bondCarrier, bondClose, bondData, bondOpen, bondSlaveData, changeLink, enslave, release } from './bond.js';
import { formatAddress, formatIPv4, hexColon, parseIPv6 } from '../lib/inet.js';
import { IFA_F_NODAD, IFA_F_TENTATIVE, IPV6_MIN_MTU, ifdown, insertV6, startDad, sync } from './addrconf.js';
import { DEVCONF, afSpec, carrierCounts, stats } from './linkattrs.js';
import { type Attrs, type LinkAttr, attrStr, attrU32, attrU8, encodeAttrs, parseAttrs } from '../wire/nlattr.js';
import type { ArpFrame } from '../wire/arp.js';
import type { SimAddress, SimHost, SimLink, World } from './world.js';
import { drawReachableTime, nextRandom } from './clock.js';
import { DEFAULT_PARAMS } from './neighbour.js';
import { hexBytes, macBytes, toHex } from './text.js';
import { LINK_FLAGS_UP } from './lan.js';

const RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
const IFF_UP = 0x1, IFF_RUNNING = 0x40, IFF_LOWER_UP = 0x10000, IFF_PROMISC = 0x100, IFF_ALLMULTI = 0x200;
/** The flags `ip link set` may change (dev_change_flags' user-settable set). */
const IFF_SETTABLE = 0x1 | 0x20 | 0x80 | 0x100 | 0x200 | 0x1000 | 0x8000 | 0x4000 | 0x2000 | 0x4;
const IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_ANYCAST = 5, IFA_CACHEINFO = 6, IFA_FLAGS = 8,
  IFA_RT_PRIORITY = 9, IFA_PROTO = 11;
const IFA_F_SECONDARY = 0x01, IFA_F_DEPRECATED = 0x20, IFA_F_PERMANENT = 0x80;
const INFINITY = 0xffffffff;
const IFLA_EXT_MASK = 29, RTEXT_FILTER_SKIP_STATS = 8;
const IFNAMSIZ = 16;

/** The kernel's per-kind numbers (this reference machine's: 2 CPUs, so veth has two queues). */
interface KindDefaults { minMtu: number; maxMtu: number; queues: number; tsoMax: number; qdiscUp: string }
const KIND: Record<string, KindDefaults> = {
  loopback: { minMtu: 0, maxMtu: 0, queues: 1, tsoMax: 524280, qdiscUp: 'noqueue' },
  nic: { minMtu: 68, maxMtu: 9000, queues: 1, tsoMax: 65536, qdiscUp: 'fq_codel' },
  veth: { minMtu: 68, maxMtu: 65535, queues: 2, tsoMax: 524280, qdiscUp: 'noqueue' },
  bridge: { minMtu: 68, maxMtu: 65535, queues: 1, tsoMax: 65536, qdiscUp: 'noqueue' },
  macvlan: { minMtu: 68, maxMtu: 65535, queues: 1, tsoMax: 524280, qdiscUp: 'noqueue' },
  dummy: { minMtu: 0, maxMtu: 0, queues: 1, tsoMax: 65536, qdiscUp: 'noqueue' },
  bond: { minMtu: 68, maxMtu: 65535, queues: 16, tsoMax: 65536, qdiscUp: 'noqueue' },
};
const KINDS = new Set(['veth', 'bridge', 'macvlan', 'dummy', 'bond']);

/** IFLA_BR_* a new bridge reports (the reference machine's defaults), in the kernel's order. */
function bridgeData(l: SimLink): LinkAttr[] {
  const id = Uint8Array.of(0x80, 0x00, ...macBytes(l.mac));
  const u8 = (type: number, value: number): LinkAttr => ({ type, kind: 'u8', value });
  const u32 = (type: number, value: number): LinkAttr => ({ type, kind: 'u32', value });
  const u64 = (type: number, value: number): LinkAttr => ({ type, kind: 'bytes', value: Uint8Array.of(value & 255, (value >> 8) & 255, (value >> 16) & 255, (value >> 24) & 255, 0, 0, 0, 0) });
  const base: LinkAttr[] = [
    u32(1, 1500), u32(2, 200), u32(3, 2000), u32(4, 30000), u32(5, 0), { type: 6, kind: 'u16', value: 32768 }, u8(7, 0),
    { type: 9, kind: 'u16', value: 0 }, { type: 11, kind: 'bytes', value: id }, { type: 10, kind: 'bytes', value: id },
    { type: 12, kind: 'u16', value: 0 }, u32(13, 0), u8(14, 0), u8(15, 0), u64(16, 0), u64(17, 0), u64(18, 0), u64(19, 0),
    { type: 20, kind: 'bytes', value: Uint8Array.of(0x01, 0x80, 0xc2, 0, 0, 0) }, u8(23, 1),
    // IFLA_BR_MULTI_BOOLOPT: no option set, of the five the kernel knows; then FDB_N_LEARNED and FDB_MAX_LEARNED.
    { type: 46, kind: 'bytes', value: Uint8Array.of(0, 0, 0, 0, 0x1f, 0, 0, 0) }, u32(48, 0), u32(49, 0), u8(22, 1), u8(24, 0), u8(25, 0), u32(26, 16), u32(27, 4096),
    u32(28, 2), u32(29, 2), u64(30, 100), u64(31, 26000), u64(32, 25500), u64(33, 12500), u64(34, 1000), u64(35, 3124),
    u8(42, 0), u8(43, 2), u8(44, 1), u8(36, 0), u8(37, 0), u8(38, 0),
  ];
  return ordered(overlay(base, l.kindData), BR_ORDER);
}

/** br_fill_info() and br_port_fill_attrs() order (the reference kernel's dumps). */
const BR_ORDER = [16, 17, 18, 19, 1, 2, 3, 4, 5, 6, 7, 9, 11, 10, 12, 13, 14, 15, 20, 46, 48, 49, 22, 23, 24, 25, 42, 26, 27, 28, 29, 43, 44, 30, 31, 32, 33, 34, 35, 36, 37, 38];
const BRPORT_ORDER = [1, 2, 3, 4, 5, 6, 7, 28, 8, 9, 27, 30, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 29, 31, 32, 35, 36, 33, 39, 40, 43, 21, 22, 23, 25, 37, 38, 41, 42];

/** The attributes in the kernel's order (any it does not list keep theirs, after). */
function ordered(attrs: LinkAttr[], order: number[]): LinkAttr[] {
  const rank = (a: LinkAttr) => {
    const i = order.indexOf(a.type);
    return i < 0 ? order.length : i;
  };
  return attrs.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i).map((x) => x.a);
}

/** IFLA_BRPORT_* of a bridge port. */
function bridgePortData(w: World, host: SimHost, l: SimLink): LinkAttr[] {
  const br = host.links.find((x) => x.index === l.master)!;
  const id = Uint8Array.of(0x80, 0x00, ...macBytes(br.mac));
  const portNo = 1 + host.links.filter((x) => x.master === br.index && x.index < l.index).length;
  const forwarding = isUp(br) && isUp(l) && carrierOf(w, host, l);
  const u8 = (type: number, value: number): LinkAttr => ({ type, kind: 'u8', value });
  const zero64: LinkAttr[] = [21, 22, 23].map((type) => ({ type, kind: 'bytes', value: new Uint8Array(8) }));
  const base: LinkAttr[] = [
    u8(1, forwarding ? 3 : 0), { type: 2, kind: 'u16', value: 32 }, { type: 3, kind: 'u32', value: 2 }, u8(4, 0), u8(5, 0),
    u8(6, 0), u8(7, 0), u8(8, 1), u8(9, 1), u8(10, 0), u8(12, 0), { type: 13, kind: 'bytes', value: id },
    { type: 14, kind: 'bytes', value: id }, { type: 15, kind: 'u16', value: 0x8000 + portNo }, { type: 16, kind: 'u16', value: 0 },
    { type: 17, kind: 'u16', value: 0x8000 + portNo }, { type: 18, kind: 'u16', value: portNo }, u8(19, 0), u8(20, 0), ...zero64,
    u8(25, 1), u8(27, 1), u8(28, 0), u8(29, 0), u8(30, 1), { type: 31, kind: 'u16', value: 0 }, u8(32, 0), u8(33, 0), u8(39, 0),
    // Locked, MAB, neigh_vlan_suppress, backup nhid, the EHT hosts limit (512) and count, multicast group counts.
    u8(35, 0), u8(36, 0), u8(40, 0), u8(43, 0), { type: 37, kind: 'u32', value: 512 }, { type: 38, kind: 'u32', value: 0 },
    { type: 41, kind: 'u32', value: 0 }, { type: 42, kind: 'u32', value: 0 },
  ];
  return ordered(overlay(base, l.slaveData), BRPORT_ORDER);
}

/** Attributes set by `type KIND ARGS` (kept as sent) replace the defaults of the same type. */
function overlay(base: LinkAttr[], set: string | undefined): LinkAttr[] {
  if (!set) return base;
  const given = parseAttrs(hexBytes(set));
  return base.map((a) => {
    const v = given.get(a.type);
    return v ? { type: a.type, kind: 'bytes', value: v } : a;
  });
}

function isUp(l: SimLink): boolean {
  return (l.flags & IFF_UP) !== 0;
}

function kindOf(l: SimLink): string {
  return l.type === 772 ? 'loopback' : l.kind ?? 'nic';
}

/**
 * IFLA_TSO_MAX_SIZE: a bridge with ports has TSO_MAX_SIZE; a bond, once a
 * slave came or went (bond_compute_features()), the smallest of its slaves'
 * (TSO_MAX_SIZE with none); otherwise the kind's own.
 */
function tsoMaxSize(host: SimHost, l: SimLink): number {
  if (l.kind === 'bridge' && host.links.some((x) => x.master === l.index)) return 524280;
  if (l.kind === 'bond' && l.slaves) {
    return Math.min(524280, ...host.links.filter((x) => x.master === l.index && l.slaves?.includes(x.index)).map((x) => tsoMaxSize(host, x)));
  }
  return KIND[kindOf(l)].tsoMax;
}

/** netif_carrier_ok(): a veth has carrier while its peer is up; a bridge while a port runs; a macvlan with its lower device's. */
export function carrierOf(w: World, host: SimHost, l: SimLink): boolean {
  switch (l.kind) {
    case 'veth': {
      // veth_open()/veth_close(): the carrier of both ends is on only while both are up.
      const peer = host.links.find((x) => x.index === l.peer);
      return peer !== undefined && isUp(peer) && isUp(l);
    }
    case 'bridge':
      return host.links.some((x) => x.master === l.index && isUp(x) && carrierOf(w, host, x));
    case 'bond':
      return bondCarrier(host, l);
    case 'macvlan': {
      const lower = host.links.find((x) => x.index === l.link);
      return lower !== undefined && isUp(lower) && carrierOf(w, host, lower);
    }
    default:
      return l.carrier;
  }
}

/** The flags as the kernel reports them: RUNNING and LOWER_UP follow the carrier of an up link. */
function reportedFlags(w: World, host: SimHost, l: SimLink): number {
  let f = l.flags & ~(IFF_RUNNING | IFF_LOWER_UP);
  if (isUp(l) && carrierOf(w, host, l)) f |= IFF_RUNNING | IFF_LOWER_UP;
  return f;
}

/** rfc2863 operstate: UNKNOWN for lo, DOWN, LOWERLAYERDOWN (a stacked device without carrier) or UP. */
function operState(w: World, host: SimHost, l: SimLink): number {
  if (l.type === 772) return 0;
  if (!isUp(l)) return 2;
  // A dummy never reports its operstate: up with carrier it stays UNKNOWN, as lo, until its
  // carrier has once changed; linkwatch then computes UP (the lab's driver shows both).
  if (carrierOf(w, host, l)) return l.kind === 'dummy' && !l.carrierChanges ? 0 : 6;
  return l.kind === 'veth' || l.kind === 'macvlan' ? 3 : 2;
}

function u32a(type: number, value: number): LinkAttr {
  return { type, kind: 'u32', value: value >>> 0 };
}

function str(type: number, s: string): LinkAttr {
  return { type, kind: 'bytes', value: Buffer.from(s + '\0') };
}

/** rtnl_fill_ifinfo(): one link as the kernel describes it. */
export function linkMessage(w: World, host: SimHost, l: SimLink, type = RTM_NEWLINK, withStats = true): RtMessage {
  const k = KIND[kindOf(l)];
  const up = isUp(l);
  const carrier = carrierOf(w, host, l);
  const counts = carrierCounts(l.carrierChanges ?? 0);
  const u16 = (t: number): LinkAttr => ({ type: t, kind: 'u16', value: 0 });
  // The order of rtnl_fill_ifinfo() in the reference kernel (6.18), as its dumps show it.
  const attrs: LinkAttr[] = [
    str(3, l.name), u32a(13, l.txqlen ?? 1000), { type: 16, kind: 'u8', value: operState(w, host, l) },
    { type: 17, kind: 'u8', value: l.linkmode ?? 0 },
    // IFLA_NETNS_IMMUTABLE: lo, bridges and bonds cannot change namespace.
    { type: 67, kind: 'u8', value: l.type === 772 || l.kind === 'bridge' || l.kind === 'bond' ? 1 : 0 },
    u32a(4, l.mtu), u32a(50, k.minMtu), u32a(51, k.maxMtu),
    u32a(27, l.group ?? 0), u32a(30, l.promiscuity ?? 0), u32a(61, l.allmulti ?? 0), u32a(31, k.queues),
    u32a(40, 65535), u32a(41, 65536), u32a(58, 65536), u32a(63, 65536), u32a(64, 65536),
    u32a(59, tsoMaxSize(host, l)),
    u32a(60, 65535), u32a(66, 0), u32a(32, k.queues),
  ];
  if (l.master !== undefined) attrs.push(u32a(10, l.master));
  attrs.push({ type: 33, kind: 'u8', value: carrier ? 1 : 0 });
  if (l.alias) attrs.push({ type: 20, kind: 'bytes', value: Buffer.from(l.alias + '\0') });
  attrs.push(u32a(35, l.carrierChanges ?? 0), u32a(47, counts.up), u32a(48, counts.down), u16(68), u16(69), { type: 39, kind: 'u8', value: 0 });
  attrs.push({ type: 1, kind: 'bytes', value: macBytes(l.mac) });
  attrs.push({ type: 2, kind: 'bytes', value: macBytes(l.broadcast) });
  // RTEXT_FILTER_SKIP_STATS leaves the counters out.
  if (withStats) attrs.push(...stats());
  // IFLA_XDP: IFLA_XDP_ATTACHED = XDP_ATTACHED_NONE.
  attrs.push({ type: 43, kind: 'nest', value: [{ type: 2, kind: 'u8', value: 0 }] });
  const info: LinkAttr[] = [];
  if (l.kind) {
    info.push({ type: 1, kind: 'bytes', value: Buffer.from(l.kind) });
    if (l.kind === 'bridge') info.push({ type: 2, kind: 'nest', value: bridgeData(l) });
    else if (l.kind === 'macvlan') {
      info.push({ type: 2, kind: 'nest', value: [u32a(1, l.macvlanMode ?? 4), { type: 2, kind: 'u16', value: 0 }, u32a(6, 0), u32a(7, 1000), u32a(8, 1000)] });
    } else if (l.kind === 'bond') info.push({ type: 2, kind: 'nest', value: bondData(host, l) });
    else if (l.kindData) info.push({ type: 2, kind: 'bytes', value: hexBytes(l.kindData) });
  }
  const master = host.links.find((x) => x.index === l.master);
  if (master?.kind === 'bridge') {
    info.push({ type: 4, kind: 'bytes', value: Buffer.from('bridge') });
    info.push({ type: 5, kind: 'nest', value: bridgePortData(w, host, l) });
  } else if (master?.kind === 'bond') {
    info.push({ type: 4, kind: 'bytes', value: Buffer.from('bond') });
    info.push({ type: 5, kind: 'nest', value: bondSlaveData(master, l) });
  }
  if (info.length) attrs.push({ type: 18, kind: 'nest', value: info });
  const lower = l.kind === 'veth' ? l.peer : l.link;
  if (lower !== undefined) attrs.push(u32a(5, lower));
  // The qdisc attached when a link first came up stays when it goes down; never up, it has noop.
  attrs.push({ type: 6, kind: 'bytes', value: Buffer.from((up || l.wasUp ? k.qdiscUp : 'noop') + '\0') });
  // IF_READY: IPv6 is configured on an up link (an older state file's link: when it has carrier).
  attrs.push(afSpec(l, up && (l.inet6Ready ?? carrier)));
  // IFLA_MAP (struct rtnl_link_ifmap, zeros for virtual devices), then the empty IFLA_DEVLINK_PORT and IFLA_DPLL_PIN nests.
  attrs.push({ type: 14, kind: 'bytes', value: new Uint8Array(32) }, { type: 62, kind: 'nest', value: [] }, { type: 65, kind: 'nest', value: [] });
  const header = new Uint8Array(16);
  const hv = new DataView(header.buffer);
  hv.setUint16(2, l.type, true);
  hv.setInt32(4, l.index, true);
  hv.setUint32(8, reportedFlags(w, host, l), true);
  return { type, header, attrs: parseAttrs(encodeAttrs(attrs)) };
}

/**
 * Seconds left of a lifetime that ends at `until` (ms), as the kernel counts
 * them: the lifetime less the whole seconds since it was set (so 1.5 s into
 * 100 s, 99 are left).
 */
function left(w: World, until: number | undefined): number {
  return until === undefined ? INFINITY : Math.max(0, Math.ceil((until - w.now) / 1000));
}

/** The IFA flags an address reports now (PERMANENT for an unlimited one, DEPRECATED past its preferred time). */
function addrFlags(w: World, a: SimAddress): number {
  let f = a.flags ?? 0;
  if (a.secondary) f |= IFA_F_SECONDARY;
  if (a.validUntil === undefined) f |= IFA_F_PERMANENT;
  if (a.preferredUntil !== undefined && a.preferredUntil <= w.now) f |= IFA_F_DEPRECATED;
  if (a.tentative) f |= IFA_F_TENTATIVE;
  return f;
}

function addrBytes(family: number, text: string): Uint8Array {
  if (family === AF_INET6) return parseIPv6(text) ?? new Uint8Array(16);
  return Uint8Array.from(text.split('.').map(Number));
}

/** inet_fill_ifaddr() / inet6_fill_ifaddr(): the same attributes, each family in its own order. */
export function addrMessage(w: World, l: SimLink, a: SimAddress, type = RTM_NEWADDR): RtMessage {
  const flags = addrFlags(w, a);
  const local = addrBytes(a.family, a.local);
  const attrs: LinkAttr[] = [];
  const b = (t: number, v: Uint8Array): LinkAttr => ({ type: t, kind: 'bytes', value: v });
  const ci = new Uint8Array(16);
  const cv = new DataView(ci.buffer);
  const valid = left(w, a.validUntil);
  cv.setUint32(0, a.preferredUntil === undefined ? (a.validUntil === undefined ? INFINITY : valid) : Math.min(left(w, a.preferredUntil), valid), true);
  cv.setUint32(4, valid, true);
  cv.setUint32(8, Math.floor((a.created ?? 0) / 10), true);
  cv.setUint32(12, Math.floor((a.updated ?? a.created ?? 0) / 10), true);
  if (a.family === AF_INET) {
    // ADDRESS (the peer, else the local), LOCAL, BROADCAST, LABEL, PROTO, FLAGS, RT_PRIORITY, CACHEINFO.
    attrs.push(b(IFA_ADDRESS, a.peer ? addrBytes(AF_INET, a.peer) : local), b(IFA_LOCAL, local));
    if (a.broadcast) attrs.push(b(IFA_BROADCAST, addrBytes(AF_INET, a.broadcast)));
    attrs.push(b(IFA_LABEL, Buffer.from((a.label ?? l.name) + '\0')));
    if (a.proto) attrs.push({ type: IFA_PROTO, kind: 'u8', value: a.proto });
    attrs.push(u32a(IFA_FLAGS, flags));
    if (a.metric) attrs.push(u32a(IFA_RT_PRIORITY, a.metric));
    attrs.push(b(IFA_CACHEINFO, ci));
  } else {
    // LOCAL and ADDRESS (the peer) for a point-to-point address, else ADDRESS; then RT_PRIORITY, CACHEINFO, FLAGS, PROTO.
    if (a.peer) attrs.push(b(IFA_LOCAL, local), b(IFA_ADDRESS, addrBytes(AF_INET6, a.peer)));
    else attrs.push(b(IFA_ADDRESS, local));
    if (a.anycast) attrs.push(b(IFA_ANYCAST, addrBytes(a.family, a.anycast)));
    if (a.metric) attrs.push(u32a(IFA_RT_PRIORITY, a.metric));
    attrs.push(b(IFA_CACHEINFO, ci), u32a(IFA_FLAGS, flags));
    if (a.proto) attrs.push({ type: IFA_PROTO, kind: 'u8', value: a.proto });
  }
  const header = Uint8Array.of(a.family, a.prefixlen, flags & 0xff, a.scope ?? (a.family === AF_INET && a.local.startsWith('127.') ? 254 : 0), 0, 0, 0, 0);
  new DataView(header.buffer).setInt32(4, l.index, true);
  return { type, header, attrs: parseAttrs(encodeAttrs(attrs)) };
}

function ifinfo(h: Uint8Array): { family: number; index: number; flags: number; change: number } {
  const v = new DataView(h.buffer, h.byteOffset, h.length);
  return { family: h[0], index: v.getInt32(4, true), flags: v.getUint32(8, true), change: v.getUint32(12, true) };
}

/** One request's attributes, decoded the way the kernel's policy reads them. */
function requestAttrs(req: RtRequest): Attrs {
  return parseAttrs(encodeAttrs(req.attrs));
}

function ipv4Mask(plen: number): number {
  return plen ? (0xffffffff << (32 - plen)) >>> 0 : 0;
}

function ipv4(text: string): number {
  return text.split('.').reduce((acc, x) => ((acc << 8) | Number(x)) >>> 0, 0);
}

/** inet_ifa_match(): is `addr` in a's subnet? (a.peer is the subnet address when set.) */
function sameSubnet(a: SimAddress, addr: string): boolean {
  const m = ipv4Mask(a.prefixlen);
  return ((ipv4(a.peer ?? a.local) ^ ipv4(addr)) & m) === 0;
}

/** "nlmsghdr | header | attributes" of a request, in hex, for the trace. */
export function requestHex(req: RtRequest, nlFlags: number): string {
  const body = encodeAttrs(req.attrs);
  const hlen = (req.header.length + 3) & ~3;
  const b = new Uint8Array(16 + hlen + body.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, b.length, true);
  v.setUint16(4, req.type, true);
  v.setUint16(6, nlFlags, true);
  b.set(req.header, 16);
  b.set(body, 16 + hlen);
  return toHex(b).replace(/(.{8})/g, '$1 ').trim();
}

/** The rtnetlink handlers of one simulated host. */
export class SimRtnl {
  constructor(
    private readonly w: World, private readonly host: SimHost, private readonly note: (text: string) => void,
    /** Puts a frame on a link's segment (a bond's gratuitous ARPs after a failover). */
    private readonly send?: (link: SimLink, f: ArpFrame, why: string) => void,
  ) {}

  private get bondEnv(): BondEnv {
    return { w: this.w, host: this.host, note: this.note, send: this.send, carrier: (l) => carrierOf(this.w, this.host, l) };
  }

  private link(index: number): SimLink {
    const l = this.host.links.find((x) => x.index === index);
    if (!l) throw new NetlinkError(ENODEV);
    return l;
  }

  /** Addresses whose valid lifetime has run out are gone, as the kernel's lifetime work removes them. */
  private expire(): void {
    for (const l of this.host.links) {
      for (const a of [...l.addresses]) {
        if (a.validUntil !== undefined && a.validUntil <= this.w.now) {
          this.note(`${a.local}/${a.prefixlen} dev ${l.name}: valid lifetime over, removed`);
          this.removeAddress(l, a);
        }
      }
    }
  }

  /** What time and other runs changed, before answering (the bonds' MII monitor runs on the clock, in the engine). */
  private catchUp(): void {
    this.expire();
    this.countCarrier();
    sync(this.w, this.host, (l) => carrierOf(this.w, this.host, l), this.note);
  }

  /**
   * netif_carrier_on/off count each change (IFLA_CARRIER_CHANGES); a veth's,
   * a bridge's and a macvlan's carrier follow other links, so their changes
   * are counted here, when seen. A link of an older state file starts from
   * what it shows now.
   */
  private countCarrier(): void {
    for (const l of this.host.links) {
      if (l.kind !== 'veth' && l.kind !== 'bridge' && l.kind !== 'macvlan') continue;
      const c = carrierOf(this.w, this.host, l);
      if (l.carrierSeen !== undefined && l.carrierSeen !== c) l.carrierChanges = (l.carrierChanges ?? 0) + 1;
      l.carrierSeen = c;
    }
  }

  dump(req: RtRequest, each: (m: RtMessage) => void): void {
    this.catchUp();
    const tb = requestAttrs(req);
    if (req.type === RTM_GETLINK) {
      const masterAttr = tb.get(10);
      const master = masterAttr ? attrU32(masterAttr) | 0 : 0;
      const li = tb.get(18);
      const kindAttr = li ? parseAttrs(li).get(1) : undefined;
      const kind = kindAttr ? attrStr(kindAttr) : undefined;
      const maskAttr = tb.get(IFLA_EXT_MASK);
      const extMask = maskAttr ? attrU32(maskAttr) : 0;
      for (const l of this.host.links) {
        if (master === -1 && l.master !== undefined) continue;
        if (master > 0 && l.master !== master) continue;
        if (kind !== undefined && l.kind !== kind) continue;
        each(linkMessage(this.w, this.host, l, RTM_NEWLINK, !(extMask & RTEXT_FILTER_SKIP_STATS)));
      }
    } else if (req.type === RTM_GETADDR) {
      const family = req.header[0];
      const index = new DataView(req.header.buffer, req.header.byteOffset).getInt32(4, true);
      for (const fam of [AF_INET, AF_INET6]) {
        if (family && family !== fam) continue;
        for (const l of this.host.links) {
          if (index && l.index !== index) continue;
          for (const a of l.addresses) if (a.family === fam) each(addrMessage(this.w, l, a));
        }
      }
    } else {
      throw new NetlinkError(EOPNOTSUPP);
    }
  }

  request(req: RtRequest): RtMessage[] {
    this.catchUp();
    switch (req.type) {
      case RTM_GETLINK: return [this.getLink(req)];
      case RTM_NEWADDR: this.newAddress(req); return [];
      case RTM_DELADDR: this.delAddress(req); return [];
      // A link change can take a slave's link away: the MII monitor sees it at once.
      case RTM_NEWLINK: this.newLink(req); this.catchUp(); return [];
      case RTM_DELLINK: this.delLink(req); this.catchUp(); return [];
      default: throw new NetlinkError(EOPNOTSUPP);
    }
  }

  private getLink(req: RtRequest): RtMessage {
    const tb = requestAttrs(req);
    const name = tb.get(3);
    const { index } = ifinfo(req.header);
    const l = name ? this.host.links.find((x) => x.name === attrStr(name)) : this.host.links.find((x) => x.index === index);
    if (!l) throw new NetlinkError(ENODEV);
    return linkMessage(this.w, this.host, l);
  }

  private newAddress(req: RtRequest): void {
    const tb = requestAttrs(req);
    const [family, prefixlen, hflags, scope] = req.header;
    const index = new DataView(req.header.buffer, req.header.byteOffset).getInt32(4, true);
    const l = this.host.links.find((x) => x.index === index);
    if (!l) throw new NetlinkError(ENODEV, family === AF_INET ? 'ipv4: Device not found' : undefined);
    const localB = tb.get(IFA_LOCAL) ?? tb.get(IFA_ADDRESS);
    if (!localB) throw new NetlinkError(EINVAL, 'ipv4: Local address is not supplied');
    const label = tb.get(IFA_LABEL);
    if (label && attrStr(label).length >= IFNAMSIZ) throw new NetlinkError(EINVAL, 'Attribute failed policy validation');
    const fl = tb.get(IFA_FLAGS);
    const flags = (fl ? attrU32(fl) : hflags) & ~(IFA_F_SECONDARY | IFA_F_PERMANENT | IFA_F_DEPRECATED);
    // IFA_LOCAL is the address, IFA_ADDRESS the peer when it differs (inet_rtm_newaddr; extract_addr() for IPv6).
    const local = formatAddress(family, localB);
    const peerB = family === AF_INET ? tb.get(IFA_ADDRESS) : tb.get(IFA_LOCAL) && tb.get(IFA_ADDRESS);
    const peer = peerB && formatAddress(family, peerB) !== local ? formatAddress(family, peerB) : undefined;
    const ci = tb.get(IFA_CACHEINFO);
    const preferred = ci ? attrU32(ci) : INFINITY, valid = ci ? attrU32(ci.subarray(4)) : INFINITY;
    if (ci && (valid === 0 || preferred > valid)) throw new NetlinkError(EINVAL, family === AF_INET ? 'ipv4: address lifetime invalid' : 'ipv6: address lifetime invalid');
    const metric = tb.get(IFA_RT_PRIORITY);
    const proto = tb.get(IFA_PROTO);
    const a: SimAddress = {
      family, local, prefixlen, scope, flags: flags || undefined, peer,
      broadcast: tb.get(IFA_BROADCAST) && formatAddress(family, tb.get(IFA_BROADCAST)!),
      anycast: tb.get(IFA_ANYCAST) && formatAddress(family, tb.get(IFA_ANYCAST)!),
      label: label && family === AF_INET && attrStr(label) !== l.name ? attrStr(label) : undefined,
      metric: metric ? attrU32(metric) : undefined, proto: proto ? attrU8(proto) : undefined,
      created: this.w.now, updated: this.w.now,
      validUntil: valid === INFINITY ? undefined : this.w.now + valid * 1000,
      preferredUntil: preferred === INFINITY ? undefined : this.w.now + preferred * 1000,
    };
    const existing = l.addresses.find((x) => x.family === family && x.local === local && x.prefixlen === prefixlen && (x.peer ?? x.local) === (a.peer ?? a.local));
    if (existing) {
      if (req.flags & NLM_F_EXCL || !(req.flags & NLM_F_REPLACE)) {
        throw new NetlinkError(EEXIST, family === AF_INET ? 'ipv4: Address already assigned' : 'ipv6: address already assigned');
      }
      existing.validUntil = a.validUntil;
      existing.preferredUntil = a.preferredUntil;
      existing.metric = a.metric;
      existing.updated = this.w.now;
      this.note(`${local}/${prefixlen} dev ${l.name}: lifetimes and metric replaced (NLM_F_REPLACE)`);
      return;
    }
    if (family === AF_INET6) {
      if (l.addresses.some((x) => x.family === AF_INET6 && x.local === local)) throw new NetlinkError(EEXIST, 'ipv6: address already assigned');
      // The scope comes from the address (ipv6_addr_scope), not from the request.
      a.scope = local === '::1' ? 254 : /^fe[89ab]/i.test(local) ? 253 : /^fe[c-f]/i.test(local) ? 200 : 0;
      // Tentative until DAD ends (it starts once the link is up with carrier), unless nodad.
      if (!(flags & IFA_F_NODAD)) a.tentative = true;
      startDad(this.w, l, a, carrierOf(this.w, this.host, l));
      insertV6(l, a);
      this.note(`${local}/${prefixlen} dev ${l.name}: added${flags & IFA_F_NODAD ? ' (nodad: no duplicate address detection)' : a.tentative ? ' (tentative until DAD ends)' : ''}`);
      return;
    }
    // __inet_insert_ifa(): a primary of the same subnet makes this a secondary.
    let lastPrimary = 0;
    let primary: SimAddress | undefined;
    for (let i = 0; i < l.addresses.length; i++) {
      const x = l.addresses[i];
      if (x.family !== AF_INET) continue;
      if (!x.secondary && (a.scope ?? 0) <= (x.scope ?? 0)) lastPrimary = i + 1;
      if (x.prefixlen === prefixlen && sameSubnet(x, a.peer ?? a.local)) {
        if (x.local === local) throw new NetlinkError(EEXIST, 'ipv4: Address already assigned');
        if ((x.scope ?? 0) !== (a.scope ?? 0)) throw new NetlinkError(EINVAL, 'ipv4: Invalid scope value');
        a.secondary = true;
        primary ??= x.secondary ? undefined : x;
      }
    }
    if (a.secondary) {
      const lastV4 = l.addresses.reduce((n, x, i) => (x.family === AF_INET ? i + 1 : n), 0);
      l.addresses.splice(lastV4, 0, a);
      this.note(`${local}/${prefixlen} dev ${l.name}: added as a secondary${primary ? ` of ${primary.local}/${primary.prefixlen}` : ''} (same subnet)`);
    } else {
      l.addresses.splice(lastPrimary, 0, a);
      this.note(`${local}/${prefixlen} dev ${l.name}: added as the primary of its subnet`);
    }
  }

  private delAddress(req: RtRequest): void {
    const tb = requestAttrs(req);
    const [family, prefixlen] = req.header;
    const index = new DataView(req.header.buffer, req.header.byteOffset).getInt32(4, true);
    const l = this.host.links.find((x) => x.index === index);
    if (!l) throw new NetlinkError(ENODEV, family === AF_INET ? 'ipv4: Device not found' : undefined);
    if (family === AF_INET6) {
      const addr = tb.get(IFA_LOCAL) ?? tb.get(IFA_ADDRESS);
      const text = addr && formatAddress(AF_INET6, addr);
      const a = l.addresses.find((x) => x.family === AF_INET6 && x.local === text && x.prefixlen === prefixlen);
      if (!a) throw new NetlinkError(EADDRNOTAVAIL, 'ipv6: address not found');
      this.removeAddress(l, a);
      this.note(`${a.local}/${a.prefixlen} dev ${l.name}: deleted`);
      return;
    }
    // inet_rtm_deladdr(): the first address matching the given local, label and address/prefix.
    const local = tb.get(IFA_LOCAL), label = tb.get(IFA_LABEL), address = tb.get(IFA_ADDRESS);
    const a = l.addresses.find((x) => {
      if (x.family !== AF_INET) return false;
      if (local && x.local !== formatIPv4(local)) return false;
      if (label && attrStr(label) !== (x.label ?? l.name)) return false;
      if (address && (x.prefixlen !== prefixlen || !sameSubnet(x, formatIPv4(address)))) return false;
      return true;
    });
    if (!a) throw new NetlinkError(EADDRNOTAVAIL, 'ipv4: Address not found');
    this.deleteV4(l, a);
  }

  /** __inet_del_ifa(): a primary takes its secondaries along, or promotes the first with promote_secondaries. */
  private deleteV4(l: SimLink, a: SimAddress): void {
    const what = `${a.local}/${a.prefixlen} dev ${l.name}`;
    if (a.secondary) {
      this.removeAddress(l, a);
      this.note(`${what}: secondary deleted`);
      return;
    }
    const secondaries = l.addresses.filter((x) => x.family === AF_INET && x.secondary && x.prefixlen === a.prefixlen && sameSubnet(a, x.local));
    const promote = l.params.promote_secondaries !== 0;
    this.removeAddress(l, a);
    if (!secondaries.length) {
      this.note(`${what}: primary deleted`);
    } else if (promote) {
      const p = secondaries[0];
      l.addresses.splice(l.addresses.indexOf(p), 1);
      p.secondary = false;
      // The promoted address joins the primaries, after those of its scope or wider.
      let at = 0;
      for (let i = 0; i < l.addresses.length; i++) {
        const x = l.addresses[i];
        if (x.family === AF_INET && !x.secondary && (p.scope ?? 0) <= (x.scope ?? 0)) at = i + 1;
      }
      l.addresses.splice(at, 0, p);
      this.note(`${what}: primary deleted; ${p.local}/${p.prefixlen} promoted to primary (promote_secondaries=1)`);
    } else {
      for (const s of secondaries) this.removeAddress(l, s);
      this.note(`${what}: primary deleted, and with it its secondaries ${secondaries.map((s) => `${s.local}/${s.prefixlen}`).join(' ')} (promote_secondaries=0)`);
    }
  }

  private removeAddress(l: SimLink, a: SimAddress): void {
    const i = l.addresses.indexOf(a);
    if (i >= 0) l.addresses.splice(i, 1);
  }

  private newLink(req: RtRequest): void {
    const h = ifinfo(req.header);
    const tb = requestAttrs(req);
    if (h.index === 0 || req.flags & NLM_F_CREATE && !this.host.links.some((x) => x.index === h.index)) {
      const name = tb.get(3);
      const existing = name ? this.host.links.find((x) => x.name === attrStr(name)) : undefined;
      if (existing) {
        if (req.flags & NLM_F_EXCL) throw new NetlinkError(EEXIST);
        this.setLink(existing, h, tb);
        return;
      }
      if (!(req.flags & NLM_F_CREATE)) throw new NetlinkError(ENODEV);
      this.createLink(h, tb);
      return;
    }
    this.setLink(this.link(h.index), h, tb);
  }

  private nextIndex(): number {
    return this.host.links.reduce((m, l) => Math.max(m, l.index), 0) + 1;
  }

  /** eth_random_addr(): a random locally administered unicast MAC. */
  private randomMac(): string {
    const b = Array.from({ length: 6 }, () => Math.floor(nextRandom(this.w) * 256));
    b[0] = (b[0] & 0xfe) | 0x02;
    return hexColon(Uint8Array.from(b));
  }

  private newSimLink(name: string, kind: string, tb: Attrs, index?: number): SimLink {
    const mac = tb.get(1);
    const mtu = tb.get(4);
    const l: SimLink = {
      index: index ?? this.nextIndex(), name, type: 1, kind, mac: mac ? hexColon(mac) : this.randomMac(),
      broadcast: 'ff:ff:ff:ff:ff:ff', flags: LINK_FLAGS_UP & ~(IFF_UP | IFF_RUNNING | IFF_LOWER_UP), mtu: mtu ? attrU32(mtu) : 1500,
      carrier: true, addresses: [], params: { ...DEFAULT_PARAMS },
      reachable_time_ms: drawReachableTime(this.w, DEFAULT_PARAMS.base_reachable_time_ms),
      created: this.w.now, inet6Ready: false,
    };
    // veth_newlink() and br_dev_setup() turn the carrier off at birth: one change already.
    if (kind === 'veth' || kind === 'bridge') {
      l.carrierChanges = 1;
      l.carrierSeen = false;
    }
    const txq = tb.get(13);
    if (txq) l.txqlen = attrU32(txq);
    return l;
  }

  private createLink(h: { flags: number; change: number }, tb: Attrs): void {
    const li = tb.get(18);
    const info = li ? parseAttrs(li) : undefined;
    const kindAttr = info?.get(1);
    const kind = kindAttr ? attrStr(kindAttr) : undefined;
    if (!kind || !KINDS.has(kind)) throw new NetlinkError(EOPNOTSUPP, 'Unknown device type');
    const nameAttr = tb.get(3);
    const name = nameAttr ? attrStr(nameAttr) : this.freeName(`${kind}%d`);
    const data = info?.get(2);
    const l = this.newSimLink(name, kind, tb);
    if (kind === 'veth') {
      const peerInfo = data ? parseAttrs(data).get(1) : undefined;
      const ptb = peerInfo ? parseAttrs(peerInfo.subarray(16)) : parseAttrs(new Uint8Array(0));
      const pname = ptb.get(3) ? attrStr(ptb.get(3)!) : this.freeName('veth%d');
      if (this.host.links.some((x) => x.name === pname)) throw new NetlinkError(EEXIST);
      // The peer is made first, as veth_newlink does: it takes the lower index.
      const peer = this.newSimLink(pname, 'veth', ptb);
      this.host.links.push(peer);
      l.index = this.nextIndex();
      l.peer = peer.index;
      peer.peer = l.index;
      // A veth pair is a wire: its own segment joins the two ends.
      l.segment = peer.segment = `veth:${this.host.name}:${peer.index}`;
      this.note(`veth pair ${name} (${l.index}) <-> ${pname} (${peer.index}) created, both down`);
    } else if (kind === 'macvlan') {
      const lower = tb.get(5);
      if (!lower) throw new NetlinkError(EINVAL);
      const low = this.link(attrU32(lower));
      l.link = low.index;
      l.segment = low.segment;
      const mode = data ? parseAttrs(data).get(1) : undefined;
      if (mode) l.macvlanMode = attrU32(mode);
      this.note(`macvlan ${name} on ${low.name} created`);
    } else {
      if (data && data.length) l.kindData = toHex(data);
      // A dummy does not do ARP nor multicast; a bond is a master (flags as the drivers set them).
      if (kind === 'dummy') l.flags = (l.flags & ~0x1000) | 0x80;
      if (kind === 'bond') {
        l.flags |= IFF_MASTER;
        l.randomMac = !tb.get(1);
        // Born without carrier; bond_changelink() takes the options (a primary is remembered by name).
        l.carrier = false;
        if (data) changeLink(this.bondEnv, l, data, () => undefined);
      }
      this.note(`${kind} ${name} created`);
    }
    this.host.links.push(l);
    this.host.links.sort((a, b) => a.index - b.index);
    if (kind === 'macvlan') {
      // netif_stacked_transfer_operstate(): the lower device's carrier, off counted as a change.
      l.carrierSeen = carrierOf(this.w, this.host, l);
      l.carrierChanges = l.carrierSeen ? 0 : 1;
    }
    if (h.change & IFF_UP && h.flags & IFF_UP) {
      l.flags |= IFF_UP;
      l.wasUp = true;
      if (kind === 'bond') bondOpen(this.bondEnv, l);
    }
  }

  private freeName(pattern: string): string {
    for (let i = 0; ; i++) {
      const n = pattern.replace('%d', String(i));
      if (!this.host.links.some((l) => l.name === n)) return n;
    }
  }

  /**
   * rtnl_newlink() on an existing link, then do_setlink(): each attribute in
   * the kernel's order, applied as it goes. The kernel is not transactional:
   * a refusal stops the rest but keeps what came before it (a failed
   * `master` has already released the old one).
   */
  private setLink(l: SimLink, h: { flags: number; change: number }, tb: Attrs): void {
    const k = KIND[kindOf(l)];
    const addr = tb.get(1);
    if (addr && addr.length !== 6) throw new NetlinkError(EINVAL);
    const li = tb.get(18);
    if (li) this.setLinkInfo(l, parseAttrs(li));
    if (tb.get(19) || tb.get(28)) throw new NetlinkError(EOPNOTSUPP, 'the model keeps each link on its host (netns)');
    if (addr) {
      l.mac = hexColon(addr);
      this.note(`${l.name} address ${l.mac}`);
    }
    const mtu = tb.get(4);
    if (mtu) {
      const m = attrU32(mtu) | 0;
      if (m < k.minMtu) throw new NetlinkError(EINVAL, 'mtu less than device minimum');
      if (k.maxMtu && m > k.maxMtu) throw new NetlinkError(EINVAL, 'mtu greater than device maximum');
      l.mtu = m;
      this.note(`${l.name} mtu ${l.mtu}`);
      this.mtuChanged(l);
    }
    const group = tb.get(27);
    if (group) l.group = attrU32(group);
    const name = tb.get(3);
    if (name) {
      const n = attrStr(name);
      if (n !== l.name) {
        if (this.host.links.some((x) => x.name === n)) throw new NetlinkError(EEXIST);
        this.note(`${l.name} renamed ${n}`);
        l.name = n;
        this.relabel(l);
      }
    }
    const alias = tb.get(20);
    if (alias) l.alias = attrStr(alias) || undefined;
    const brd = tb.get(2);
    if (brd) l.broadcast = hexColon(brd);
    this.changeFlags(l, h);
    const master = tb.get(10);
    if (master) this.setMaster(l, attrU32(master));
    const carrier = tb.get(33);
    if (carrier) {
      // Only a few drivers let user space set the carrier (dummy among them).
      if (l.kind !== 'dummy') throw new NetlinkError(EOPNOTSUPP);
      const on = attrU8(carrier) !== 0;
      if (on !== l.carrier) l.carrierChanges = (l.carrierChanges ?? 0) + 1;
      l.carrier = on;
      this.note(`${l.name}: carrier ${l.carrier ? 'on' : 'off'} (set by the administrator)`);
    }
    const txq = tb.get(13);
    if (txq) l.txqlen = attrU32(txq);
    const mode = tb.get(17);
    if (mode) l.linkmode = attrU8(mode);
    const af = tb.get(26);
    if (af) this.setAfSpec(l, parseAttrs(af));
  }

  /** dev_change_flags(): the settable flags; promiscuity and allmulti count their users. */
  /**
   * NETDEV_CHANGEMTU: below 68 IPv4 leaves the device (inetdev_destroy, its
   * addresses gone for good); below 1280 so does IPv6 (addrconf_ifdown).
   */
  private mtuChanged(l: SimLink): void {
    if (l.mtu < 68 && l.addresses.some((x) => x.family === AF_INET)) {
      const gone = l.addresses.filter((x) => x.family === AF_INET);
      l.addresses = l.addresses.filter((x) => x.family !== AF_INET);
      this.note(`${l.name}: mtu ${l.mtu} < 68: IPv4 stopped on the device, ${gone.map((x) => `${x.local}/${x.prefixlen}`).join(' ')} removed`);
    }
    if (l.mtu < IPV6_MIN_MTU) {
      ifdown(l, `mtu ${l.mtu} < ${IPV6_MIN_MTU}`, this.note);
      // lo keeps its inet6_dev (no ::1 until it comes up again); another device gets a new one, configured when ready.
      if (l.type !== 772) l.inet6Ready = false;
    }
  }

  /**
   * inetdev_changename(): the first IPv4 address takes the new name as its
   * label; the others keep their ":suffix" (or get ":N", N their position)
   * after the new name.
   */
  private relabel(l: SimLink): void {
    let named = 0;
    for (const a of l.addresses) {
      if (a.family !== AF_INET) continue;
      const old = a.label ?? '';
      if (named++ === 0) {
        a.label = undefined;
        continue;
      }
      const colon = old.indexOf(':');
      const dot = colon >= 0 ? old.slice(colon) : `:${named}`;
      a.label = dot.length + l.name.length < IFNAMSIZ ? l.name + dot : l.name.slice(0, IFNAMSIZ - dot.length - 1) + dot;
    }
  }

  private changeFlags(l: SimLink, h: { flags: number; change: number }): void {
    const change = h.change & IFF_SETTABLE;
    if (!change) return;
    const before = l.flags;
    l.flags = (l.flags & ~change) | (h.flags & change);
    if (isUp(l)) l.wasUp = true;
    if ((before ^ l.flags) & IFF_PROMISC) l.promiscuity = Math.max(0, (l.promiscuity ?? 0) + (l.flags & IFF_PROMISC ? 1 : -1));
    if ((before ^ l.flags) & IFF_ALLMULTI) l.allmulti = Math.max(0, (l.allmulti ?? 0) + (l.flags & IFF_ALLMULTI ? 1 : -1));
    if (!((before ^ l.flags) & IFF_UP)) return;
    if (l.kind === 'bond') {
      if (isUp(l)) bondOpen(this.bondEnv, l);
      else bondClose(l);
    }
    // inetdev_event(NETDEV_UP): lo gets 127.0.0.1/8 back if it lost it.
    if (l.type === 772 && isUp(l) && l.mtu >= 68 && !l.addresses.some((x) => x.family === AF_INET && x.local === '127.0.0.1')) {
      const a: SimAddress = { family: AF_INET, local: '127.0.0.1', prefixlen: 8, scope: 254, created: this.w.now, updated: this.w.now };
      // After the primaries of narrower or equal scope, i.e. after all of them (host is the widest).
      l.addresses.splice(l.addresses.reduce((at, x, i) => (x.family === AF_INET && !x.secondary ? i + 1 : at), 0), 0, a);
      this.note('lo: 127.0.0.1/8 added (loopback up)');
    }
    const carrier = carrierOf(this.w, this.host, l);
    this.note(`${l.name} ${isUp(l) ? `up${carrier ? '' : ', no carrier'}` : 'down'}`);
    const peer = l.kind === 'veth' ? this.host.links.find((x) => x.index === l.peer) : undefined;
    if (peer) {
      if (isUp(peer)) this.note(`${peer.name}: carrier ${isUp(l) ? 'on' : 'off'} (its veth peer ${l.name} went ${isUp(l) ? 'up' : 'down'})`);
    }
  }

  /** do_set_master(): leave the current master first, then join the new one (a bridge or a bond, `unregistering` while deleted). */
  private setMaster(l: SimLink, index: number, unregistering = false): void {
    if (l.master !== undefined && l.master !== index) {
      const old = this.link(l.master);
      if (old.kind === 'bond') {
        release(this.bondEnv, old, l, unregistering);
        // The bond closes a slave it lets go.
        l.flags &= ~IFF_UP;
        old.slaves = (old.slaves ?? []).filter((i) => i !== l.index);
      } else this.note(`${l.name} released from ${old.name}`);
      l.master = undefined;
      l.slaveData = undefined;
    }
    if (!index || l.master === index) return;
    const m = this.host.links.find((x) => x.index === index);
    if (!m) throw new NetlinkError(EINVAL);
    if (m.kind !== 'bridge' && m.kind !== 'bond') throw new NetlinkError(EOPNOTSUPP);
    if (m === l) throw new NetlinkError(ERANGE);
    if (m.kind === 'bond') {
      if (isUp(l)) throw new NetlinkError(EPERM, 'Device can not be enslaved while up');
      l.master = index;
      // bond_enslave() opens the slave.
      l.flags |= IFF_UP;
      l.wasUp = true;
      m.slaves = [...(m.slaves ?? []), l.index];
      enslave(this.bondEnv, m, l);
      return;
    }
    l.master = index;
    this.note(`${l.name} enslaved to ${m.name}`);
  }

  private setAfSpec(l: SimLink, af: Attrs): void {
    for (const [family, v] of af) {
      const t = parseAttrs(v);
      if (family === AF_INET) {
        const conf = t.get(1);
        if (!conf) continue;
        for (const [id, value] of parseAttrs(conf)) {
          const key = DEVCONF[id];
          if (!key) throw new NetlinkError(EOPNOTSUPP, `the model keeps ${Object.values(DEVCONF).join(', ')} of the IPv4 settings`);
          l.params[key] = attrU32(value);
          this.note(`net.ipv4.conf.${l.name}.${key} = ${l.params[key]}`);
        }
      } else if (family === AF_INET6) {
        const mode = t.get(8);
        if (mode) l.addrGenMode = attrU8(mode);
      }
    }
  }

  private setLinkInfo(l: SimLink, info: Attrs): void {
    const kind = info.get(1);
    const k = kind ? attrStr(kind) : '';
    const data = info.get(2), slaveData = info.get(5);
    if (k.endsWith('_slave')) {
      const master = this.host.links.find((x) => x.index === l.master);
      if (!master || `${master.kind}_slave` !== k) throw new NetlinkError(EOPNOTSUPP);
      if (slaveData) l.slaveData = mergeHex(l.slaveData, slaveData);
      return;
    }
    if (k !== (l.kind ?? '')) throw new NetlinkError(EOPNOTSUPP);
    if (!data) return;
    if (l.kind === 'bond') changeLink(this.bondEnv, l, data, () => (l.kindData = mergeHex(l.kindData, data)));
    else l.kindData = mergeHex(l.kindData, data);
  }

  private delLink(req: RtRequest): void {
    const h = ifinfo(req.header);
    const l = this.link(h.index);
    if (l.type === 772) throw new NetlinkError(EOPNOTSUPP);
    const gone = [l];
    if (l.kind === 'veth') {
      const peer = this.host.links.find((x) => x.index === l.peer);
      if (peer) gone.push(peer);
    }
    for (const g of gone) {
      // A bond lets its slaves go (closed, their own MACs back); a slave leaves its bond.
      if (g.kind === 'bond') {
        // Unregistering closes the bond first, and bond_uninit() releases all slaves without a new active one.
        g.flags &= ~IFF_UP;
        bondClose(g);
        g.activeSlave = undefined;
        for (const x of this.host.links) if (x.master === g.index) this.setMaster(x, 0, true);
      } else if (g.master !== undefined && this.link(g.master).kind === 'bond') this.setMaster(g, 0);
      this.host.links.splice(this.host.links.indexOf(g), 1);
      this.host.neighbours = this.host.neighbours.filter((n) => n.ifindex !== g.index);
      for (const x of this.host.links) {
        if (x.master === g.index) x.master = undefined;
        if (x.link === g.index) x.link = undefined;
      }
    }
    this.note(`${gone.map((g) => g.name).join(' and ')} deleted, with ${gone.length > 1 ? 'their' : 'its'} addresses and neighbours`);
  }
}

/** Attributes given later replace those given earlier of the same type. */
function mergeHex(old: string | undefined, add: Uint8Array): string {
  const m = new Map<number, Uint8Array>();
  if (old) for (const [t, v] of parseAttrs(hexBytes(old))) m.set(t, v);
  for (const [t, v] of parseAttrs(add)) m.set(t, v);
  return toHex(encodeAttrs([...m].map(([type, value]) => ({ type, kind: 'bytes', value }))));
}

