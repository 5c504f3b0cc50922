// What IPv4 (devinet.ts) and IPv6 (addrconf.ts) addresses share on
// netlink: an RTM_NEWADDR request read into an address (the IFA_*
// attributes both families take, lifetimes from IFA_CACHEINFO), the flags
// and lifetimes an address reports (ifa_flags, struct ifa_cacheinfo, the
// ifaddrmsg header), and the lifetime work that removes an address whose
// valid lifetime ran out (check_lifetime / addrconf_verify).
import { NetlinkError, type RtRequest } from '../backend.js';
import {
  AF_INET, IFA_ADDRESS, IFA_ANYCAST, IFA_BROADCAST, IFA_CACHEINFO, IFA_FLAGS, IFA_F_DEPRECATED, IFA_F_PERMANENT, IFA_F_SECONDARY,
  IFA_F_TENTATIVE, IFA_LABEL, IFA_LOCAL, IFA_PROTO, IFA_RT_PRIORITY, INFINITY_LIFE_TIME as INFINITY, RT_SCOPE_HOST,
} from '../wire/rtnl-constants.js';
import { parseIfaddrmsg } from '../wire/nlmsg.js';
import { EINVAL } from '../errno.js';
import { formatAddress } from '../lib/inet.js';
import { type Attrs, type LinkAttr, attrStr, attrU32, attrU8 } from '../wire/nlattr.js';
import { fibDisableIp } from './fib.js';
import type { SimAddress, SimHost, SimLink, World } from './world.js';
import type { Note } from './kfn.js';

export const IFNAMSIZ = 16;

/** The ifaddrmsg of a request (a short header reads as zeros). */
export function ifaddrmsg(h: Uint8Array): { family: number; prefixlen: number; flags: number; scope: number; index: number } {
  const m = parseIfaddrmsg(h);
  return m instanceof Error ? { family: 0, prefixlen: 0, flags: 0, scope: 0, index: 0 } : m;
}

/**
 * The address an RTM_NEWADDR asks for (rtm_to_ifaddr() and inet6_rtm_newaddr()
 * read the same attributes): IFA_LOCAL is the address, IFA_ADDRESS the peer
 * when it differs (for IPv6, only when both are given: extract_addr()).
 */
export function requestedAddress(w: World, req: RtRequest, tb: Attrs, l: SimLink): SimAddress {
  const { family, prefixlen, flags: hflags, scope } = ifaddrmsg(req.header);
  const localB = tb.get(IFA_LOCAL) ?? tb.get(IFA_ADDRESS);
  if (!localB) throw new NetlinkError(EINVAL, 'ipv4: Local address is not supplied');
  const label = tb.get(IFA_LABEL);
  if (label && attrStr(label).length >= IFNAMSIZ) throw new NetlinkError(EINVAL, 'Attribute failed policy validation');
  const fl = tb.get(IFA_FLAGS);
  const flags = (fl ? attrU32(fl) : hflags) & ~(IFA_F_SECONDARY | IFA_F_PERMANENT | IFA_F_DEPRECATED);
  const local = formatAddress(family, localB);
  const peerB = family === AF_INET ? tb.get(IFA_ADDRESS) : tb.get(IFA_LOCAL) && tb.get(IFA_ADDRESS);
  const peer = peerB && formatAddress(family, peerB) !== local ? formatAddress(family, peerB) : undefined;
  const ci = tb.get(IFA_CACHEINFO);
  const preferred = ci ? attrU32(ci) : INFINITY, valid = ci ? attrU32(ci.subarray(4)) : INFINITY;
  if (ci && (valid === 0 || preferred > valid)) throw new NetlinkError(EINVAL, family === AF_INET ? 'ipv4: address lifetime invalid' : 'ipv6: address lifetime invalid');
  const metric = tb.get(IFA_RT_PRIORITY);
  const proto = tb.get(IFA_PROTO);
  return {
    family, local, prefixlen, scope, flags: flags || undefined, peer,
    broadcast: tb.get(IFA_BROADCAST) && formatAddress(family, tb.get(IFA_BROADCAST)!),
    anycast: tb.get(IFA_ANYCAST) && formatAddress(family, tb.get(IFA_ANYCAST)!),
    label: label && family === AF_INET && attrStr(label) !== l.name ? attrStr(label) : undefined,
    metric: metric ? attrU32(metric) : undefined, proto: proto ? attrU8(proto) : undefined,
    created: w.now, updated: w.now,
    validUntil: valid === INFINITY ? undefined : w.now + valid * 1000,
    preferredUntil: preferred === INFINITY ? undefined : w.now + preferred * 1000,
  };
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
export function addrFlags(w: World, a: SimAddress): number {
  let f = a.flags ?? 0;
  if (a.secondary) f |= IFA_F_SECONDARY;
  if (a.validUntil === undefined) f |= IFA_F_PERMANENT;
  if (a.preferredUntil !== undefined && a.preferredUntil <= w.now) f |= IFA_F_DEPRECATED;
  if (a.tentative) f |= IFA_F_TENTATIVE;
  return f;
}

/** IFA_CACHEINFO: preferred and valid seconds left, creation and update stamps (hundredths). */
export function cacheinfo(w: World, a: SimAddress): LinkAttr {
  const ci = new Uint8Array(16);
  const cv = new DataView(ci.buffer);
  const valid = left(w, a.validUntil);
  cv.setUint32(0, a.preferredUntil === undefined ? (a.validUntil === undefined ? INFINITY : valid) : Math.min(left(w, a.preferredUntil), valid), true);
  cv.setUint32(4, valid, true);
  cv.setUint32(8, Math.floor((a.created ?? 0) / 10), true);
  cv.setUint32(12, Math.floor((a.updated ?? a.created ?? 0) / 10), true);
  return { type: IFA_CACHEINFO, kind: 'bytes', value: ci };
}

/** The ifaddrmsg of an answer: scope host for 127/8 when none was given. */
export function ifaddrHeader(l: SimLink, a: SimAddress, flags: number): Uint8Array {
  const header = Uint8Array.of(a.family, a.prefixlen, flags & 0xff, a.scope ?? (a.family === AF_INET && a.local.startsWith('127.') ? RT_SCOPE_HOST : 0), 0, 0, 0, 0);
  new DataView(header.buffer).setInt32(4, l.index, true);
  return header;
}

export function removeAddress(l: SimLink, a: SimAddress): void {
  const i = l.addresses.indexOf(a);
  if (i >= 0) l.addresses.splice(i, 1);
}

/** Addresses whose valid lifetime has run out are gone, as the kernel's lifetime work removes them. */
export function expire(w: World, host: SimHost, note: Note): void {
  for (const l of host.links) {
    for (const a of [...l.addresses]) {
      if (a.validUntil !== undefined && a.validUntil <= w.now) {
        note(`${a.local}/${a.prefixlen} dev ${l.name}: valid lifetime over, removed`, a.family === AF_INET ? 'check_lifetime' : 'addrconf_verify_rtnl');
        removeAddress(l, a);
        fibDisableIp(host, l, note);
      }
    }
  }
}
