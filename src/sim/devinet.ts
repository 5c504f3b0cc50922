// IPv4 addresses as net/ipv4/devinet.c keeps them: the first address of a
// subnet is its primary, later ones are secondaries (appended; primaries
// kept before them, ordered by scope); deleting a primary deletes its
// secondaries, or with promote_secondaries promotes the first of them;
// EEXIST/EADDRNOTAVAIL with the kernel's texts; what each address reports
// (inet_fill_ifaddr); and the device events devinet
// answers (a rename relabels, an MTU below 68 ends IPv4 on the device, lo
// coming up gets 127.0.0.1 back). Each change is explained in those terms.
import { NetlinkError, type RtMessage } from '../backend.js';
import {
  AF_INET, IFA_ADDRESS, IFA_BROADCAST, IFA_FLAGS, IFA_LABEL, IFA_LOCAL, IFA_PROTO, IFA_RT_PRIORITY, RTM_NEWADDR, RT_SCOPE_HOST,
} from '../wire/rtnl-constants.js';
import { EADDRNOTAVAIL, EEXIST, EINVAL } from '../errno.js';
import { formatIPv4 } from '../lib/inet.js';
import { type Attrs, type LinkAttr, attrStr, encodeAttrs, parseAttrs } from '../wire/nlattr.js';
import { IFNAMSIZ, addrFlags, cacheinfo, ifaddrHeader, removeAddress } from './ifaddr.js';
import { inSubnet } from './route.js';
import { addressBytes } from './text.js';
import type { SimAddress, SimLink, World } from './world.js';

/** Below this MTU IPv4 leaves the device (inetdev_valid_mtu). */
const IPV4_MIN_MTU = 68;

/** inet_ifa_match(): is `addr` in a's subnet? (a.peer is the subnet address when set.) */
function sameSubnet(a: SimAddress, addr: string): boolean {
  return inSubnet(addr, a.peer ?? a.local, a.prefixlen);
}

/** __inet_insert_ifa(): a primary of the same subnet makes this a secondary. */
export function inetInsertIfa(l: SimLink, a: SimAddress, note: (text: string) => void): void {
  let lastPrimary = 0;
  let primary: SimAddress | undefined;
  for (let i = 0; i < l.addresses.length; i++) {
    const x = l.addresses[i];
    if (x.family !== AF_INET) continue;
    if (!x.secondary && (a.scope ?? 0) <= (x.scope ?? 0)) lastPrimary = i + 1;
    if (x.prefixlen === a.prefixlen && sameSubnet(x, a.peer ?? a.local)) {
      if (x.local === a.local) throw new NetlinkError(EEXIST, 'ipv4: Address already assigned');
      if ((x.scope ?? 0) !== (a.scope ?? 0)) throw new NetlinkError(EINVAL, 'ipv4: Invalid scope value');
      a.secondary = true;
      primary ??= x.secondary ? undefined : x;
    }
  }
  const what = `${a.local}/${a.prefixlen} dev ${l.name}`;
  if (a.secondary) {
    const lastV4 = l.addresses.reduce((n, x, i) => (x.family === AF_INET ? i + 1 : n), 0);
    l.addresses.splice(lastV4, 0, a);
    note(`${what}: added as a secondary${primary ? ` of ${primary.local}/${primary.prefixlen}` : ''} (same subnet)`);
  } else {
    l.addresses.splice(lastPrimary, 0, a);
    note(`${what}: added as the primary of its subnet`);
  }
}

/** inet_rtm_deladdr(): the first address matching the given local, label and address/prefix. */
export function inetRtmDeladdr(l: SimLink, prefixlen: number, tb: Attrs, note: (text: string) => void): void {
  const local = tb.get(IFA_LOCAL), label = tb.get(IFA_LABEL), address = tb.get(IFA_ADDRESS);
  const a = l.addresses.find((x) => {
    if (x.family !== AF_INET) return false;
    if (local && x.local !== formatIPv4(local)) return false;
    if (label && attrStr(label) !== (x.label ?? l.name)) return false;
    if (address && (x.prefixlen !== prefixlen || !sameSubnet(x, formatIPv4(address)))) return false;
    return true;
  });
  if (!a) throw new NetlinkError(EADDRNOTAVAIL, 'ipv4: Address not found');
  inetDelIfa(l, a, note);
}

/** __inet_del_ifa(): a primary takes its secondaries along, or promotes the first with promote_secondaries. */
function inetDelIfa(l: SimLink, a: SimAddress, note: (text: string) => void): void {
  const what = `${a.local}/${a.prefixlen} dev ${l.name}`;
  if (a.secondary) {
    removeAddress(l, a);
    note(`${what}: secondary deleted`);
    return;
  }
  const secondaries = l.addresses.filter((x) => x.family === AF_INET && x.secondary && x.prefixlen === a.prefixlen && sameSubnet(a, x.local));
  const promote = l.params.promote_secondaries !== 0;
  removeAddress(l, a);
  if (!secondaries.length) {
    note(`${what}: primary deleted`);
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
    note(`${what}: primary deleted; ${p.local}/${p.prefixlen} promoted to primary (promote_secondaries=1)`);
  } else {
    for (const s of secondaries) removeAddress(l, s);
    note(`${what}: primary deleted, and with it its secondaries ${secondaries.map((s) => `${s.local}/${s.prefixlen}`).join(' ')} (promote_secondaries=0)`);
  }
}

/** inet_fill_ifaddr(): ADDRESS (the peer, else the local), LOCAL, BROADCAST, LABEL, PROTO, FLAGS, RT_PRIORITY, CACHEINFO. */
export function inetFillIfaddr(w: World, l: SimLink, a: SimAddress, type = RTM_NEWADDR): RtMessage {
  const flags = addrFlags(w, a);
  const local = addressBytes(AF_INET, a.local);
  const b = (t: number, v: Uint8Array): LinkAttr => ({ type: t, kind: 'bytes', value: v });
  const attrs: LinkAttr[] = [b(IFA_ADDRESS, a.peer ? addressBytes(AF_INET, a.peer) : local), b(IFA_LOCAL, local)];
  if (a.broadcast) attrs.push(b(IFA_BROADCAST, addressBytes(AF_INET, a.broadcast)));
  attrs.push(b(IFA_LABEL, Buffer.from((a.label ?? l.name) + '\0')));
  if (a.proto) attrs.push({ type: IFA_PROTO, kind: 'u8', value: a.proto });
  attrs.push({ type: IFA_FLAGS, kind: 'u32', value: flags >>> 0 });
  if (a.metric) attrs.push({ type: IFA_RT_PRIORITY, kind: 'u32', value: a.metric >>> 0 });
  attrs.push(cacheinfo(w, a));
  return { type, header: ifaddrHeader(l, a, flags), attrs: parseAttrs(encodeAttrs(attrs)) };
}

/**
 * inetdev_changename(): the first IPv4 address takes the new name as its
 * label; the others keep their ":suffix" (or get ":N", N their position)
 * after the new name.
 */
export function inetdevChangeName(l: SimLink): void {
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

/** NETDEV_CHANGEMTU: below 68 IPv4 leaves the device (inetdev_destroy, its addresses gone for good). */
export function inetdevChangeMtu(l: SimLink, note: (text: string) => void): void {
  if (l.mtu >= IPV4_MIN_MTU || !l.addresses.some((x) => x.family === AF_INET)) return;
  const gone = l.addresses.filter((x) => x.family === AF_INET);
  l.addresses = l.addresses.filter((x) => x.family !== AF_INET);
  note(`${l.name}: mtu ${l.mtu} < 68: IPv4 stopped on the device, ${gone.map((x) => `${x.local}/${x.prefixlen}`).join(' ')} removed`);
}

/** inetdev_event(NETDEV_UP): lo gets 127.0.0.1/8 back if it lost it. */
export function inetdevUp(w: World, l: SimLink, note: (text: string) => void): void {
  if (l.type !== 772 || l.mtu < IPV4_MIN_MTU || l.addresses.some((x) => x.family === AF_INET && x.local === '127.0.0.1')) return;
  const a: SimAddress = { family: AF_INET, local: '127.0.0.1', prefixlen: 8, scope: RT_SCOPE_HOST, created: w.now, updated: w.now };
  // After the primaries of narrower or equal scope, i.e. after all of them (host is the widest).
  l.addresses.splice(l.addresses.reduce((at, x, i) => (x.family === AF_INET && !x.secondary ? i + 1 : at), 0), 0, a);
  note('lo: 127.0.0.1/8 added (loopback up)');
}
