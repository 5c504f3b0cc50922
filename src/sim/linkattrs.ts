// The parts of a link message (rtnl_fill_ifinfo) that are not the link's own
// settings: the per-family blocks of IFLA_AF_SPEC (inet_fill_link_af,
// inet6_fill_link_af), the counters, and the carrier counts. Values are the
// defaults a new network namespace of the reference kernel (6.18) reports,
// read from it with an RTM_GETLINK dump; the model overlays what it keeps.
import { AF_INET, AF_INET6, IFLA_AF_SPEC, IFLA_STATS, IFLA_STATS64 } from '../wire/rtnl-constants.js';
import type { LinkAttr } from '../wire/nlattr.js';
import type { NeighParams, SimLink } from './world.js';
import { STAT_FIELDS, STAT_OFFSETS } from './netstats.js';

/** IPV4_DEVCONF_* defaults (33 values, id 1 first): a plain device, then lo (NOXFRM and NOPOLICY set). */
const INET_CONF = [0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10000, 1000, 0, 0, 0, 0, 1];
const INET_CONF_LO = INET_CONF.map((v, i) => (i === 14 || i === 15 ? 1 : v));
/** IPV4_DEVCONF_* ids (1-based) the model keeps as link params. */
export const DEVCONF: Record<number, keyof NeighParams> = {
  1: 'forwarding', 3: 'proxy_arp', 19: 'arp_ignore', 20: 'promote_secondaries', 21: 'arp_accept',
};

/** DEVCONF_* of IPv6 (60 values): a plain device; lo differs in use_tempaddr and accept_dad (-1). mtu6 (2) follows the MTU. */
const INET6_CONF = [
  0, 64, 1500, 1, 1, 1, 1, -1, 4000, 1000, 0, 604800, 86400, 3, 600, 16, 0, 1, 1, 1, 60000, 0, 0, 0, 0, 0, 0, 1, 0, 0, 10000,
  1000, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 3600000, 0, 0, 1, 0, 0, 0, 0, 0, 1024, 0, 65535, -1, 1, 0, 0, 0,
];
/** Counts that head the IPv6 IPSTATS and ICMP6 MIB blocks (the kernel sends the number of u64 fields first). */
const IPSTATS_MIB_MAX = 38, ICMP6_MIB_MAX = 7;
const IF_READY = 0x80000000;
/** struct rtnl_link_stats64 (25 u64) and struct rtnl_link_stats (24 u32). */
const STATS64_LEN = 200, STATS_LEN = 96;

function s32Array(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setInt32(i * 4, x, true));
  return b;
}

function mib(count: number): Uint8Array {
  const b = new Uint8Array(count * 8);
  b[0] = count;
  return b;
}

/**
 * IFLA_AF_SPEC: AF_INET's devconf (with the model's settings in it) and
 * AF_INET6's flags, cacheinfo, conf, stats, icmp6 stats, token and address
 * generation mode, in the kernel's order. `ready` is IF_READY (IPv6
 * configured on an up link); `stamp` the link's creation (cacheinfo tstamp).
 */
export function afSpec(l: SimLink, ready: boolean): LinkAttr {
  const lo = l.type === 772;
  const inet = (lo ? INET_CONF_LO : INET_CONF).slice();
  for (const [id, key] of Object.entries(DEVCONF)) inet[Number(id) - 1] = l.params[key] ?? 0;
  const inet6 = INET6_CONF.slice();
  inet6[2] = l.mtu;
  if (lo) inet6[10] = inet6[27] = -1;
  const ci = new Uint8Array(16);
  const cv = new DataView(ci.buffer);
  cv.setUint32(0, 65535, true); // max_reasm_len
  cv.setUint32(4, Math.floor((l.created ?? 0) / 10), true);
  // in6_dev's nd_parms once ntable has made them (until then they are the IPv4 device's values, as tsnet always showed).
  cv.setUint32(8, l.nd?.reachable_time_ms ?? l.reachable_time_ms, true);
  cv.setUint32(12, l.nd?.params.retrans_time_ms ?? l.params.retrans_time_ms, true);
  return { type: IFLA_AF_SPEC, kind: 'nest', value: [
    { type: AF_INET, kind: 'nest', value: [{ type: 1, kind: 'bytes', value: s32Array(inet) }] },
    { type: AF_INET6, kind: 'nest', value: [
      { type: 1, kind: 'u32', value: ready ? IF_READY : 0 },
      { type: 5, kind: 'bytes', value: ci },
      { type: 2, kind: 'bytes', value: s32Array(inet6) },
      { type: 3, kind: 'bytes', value: mib(IPSTATS_MIB_MAX) },
      { type: 6, kind: 'bytes', value: mib(ICMP6_MIB_MAX) },
      { type: 7, kind: 'bytes', value: new Uint8Array(16) },
      { type: 8, kind: 'u8', value: l.addrGenMode ?? 0 },
    ] },
  ] };
}

/** IFLA_STATS64 then IFLA_STATS (u32s: the kernel truncates each counter): what the model counted (netstats.ts), zeros elsewhere. */
export function stats(l?: SimLink): LinkAttr[] {
  const s64 = new Uint8Array(STATS64_LEN), s32 = new Uint8Array(STATS_LEN);
  const v64 = new DataView(s64.buffer), v32 = new DataView(s32.buffer);
  for (const k of STAT_FIELDS) {
    const n = l?.stats?.[k] ?? 0;
    v64.setBigUint64(STAT_OFFSETS[k] * 8, BigInt(n), true);
    v32.setUint32(STAT_OFFSETS[k] * 4, n >>> 0, true);
  }
  return [{ type: IFLA_STATS64, kind: 'bytes', value: s64 }, { type: IFLA_STATS, kind: 'bytes', value: s32 }];
}

/**
 * IFLA_CARRIER_UP_COUNT and IFLA_CARRIER_DOWN_COUNT from the changes: a
 * device starts with its carrier off (veth, bridge) or turns it off first
 * (dummy), so changes alternate down, up, down...
 */
export function carrierCounts(changes: number): { up: number; down: number } {
  const up = Math.floor(changes / 2);
  return { up, down: changes - up };
}
