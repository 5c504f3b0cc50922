// IPv6 address configuration as net/ipv6/addrconf.c does it, as far as
// `ip addr` shows it: a link that is up with carrier gets its link-local
// fe80::/64 (EUI-64 from the MAC; ::1/128 on lo), new addresses are
// tentative until duplicate address detection ends (a random delay below
// rtr_solicit_delay, then one NS and retrans_time), and taking a link down
// removes all its IPv6 addresses (keep_addr_on_down=0, the default).
// The kernel does this on NETDEV_UP/NETDEV_CHANGE; the model catches up
// before answering each request (`sync`), which is the same from outside.
// It also answers the IPv6 half of RTM_NEWADDR/RTM_DELADDR
// (inet6_addr_add, inet6_addr_del) and reports each address
// (inet6_fill_ifaddr).
import { NetlinkError, type RtMessage } from '../backend.js';
import {
  AF_INET6, IFA_ADDRESS, IFA_ANYCAST, IFA_FLAGS, IFA_F_NODAD, IFA_LOCAL, IFA_PROTO, IFA_RT_PRIORITY, IFF_NOARP, IFF_SLAVE, IFF_UP,
  RTM_NEWADDR, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_SITE,
} from '../wire/rtnl-constants.js';
import { EADDRNOTAVAIL, EEXIST } from '../errno.js';
import { formatAddress, formatIPv6 } from '../lib/inet.js';
import { type Attrs, type LinkAttr, encodeAttrs, parseAttrs } from '../wire/nlattr.js';
import { nextRandom } from './clock.js';
import { addrFlags, cacheinfo, ifaddrHeader, removeAddress } from './ifaddr.js';
import { addressBytes } from './text.js';
import type { SimAddress, SimHost, SimLink, World } from './world.js';
import type { Note } from './kfn.js';

/** IFAPROT_KERNEL_LO / IFAPROT_KERNEL_LL: who made an address (IFA_PROTO). */
const PROTO_KERNEL_LO = 1, PROTO_KERNEL_LL = 3;
/** rtr_solicit_delay and retrans_time defaults (ms); dad_transmits is 1. */
const RTR_SOLICIT_DELAY_MS = 1000, RETRANS_TIME_MS = 1000;
/** IPV6_MIN_MTU: below it addrconf stops IPv6 on the device. */
export const IPV6_MIN_MTU = 1280;
/** IN6_ADDR_GEN_MODE_NONE: no link-local is made. */
const ADDR_GEN_MODE_NONE = 1;

/** fe80::/64 with the modified EUI-64 of a 6-byte MAC (U/L bit flipped, ff:fe in the middle). */
export function linkLocalFor(mac: string): string {
  const m = mac.split(':').map((x) => parseInt(x, 16));
  return formatIPv6(Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]));
}

/** addrconf_link_ready(): up, with carrier (the caller knows the carrier rules). */
function ready(l: SimLink, carrier: boolean): boolean {
  // addrconf_notify() leaves a bond's slave alone (bond_enslave sets IFF_SLAVE before it opens the slave).
  return (l.flags & IFF_UP) !== 0 && !(l.flags & IFF_SLAVE) && carrier && l.mtu >= IPV6_MIN_MTU;
}

/** ipv6_link_dev_addr(): global before link-local before host, newest first within a scope. */
export function insertV6(l: SimLink, a: SimAddress): void {
  const rank = (x: SimAddress) => (x.scope === RT_SCOPE_HOST ? 0x01 : x.scope === RT_SCOPE_LINK ? 0x02 : 0x0e);
  let at = l.addresses.length;
  for (let i = 0; i < l.addresses.length; i++) {
    const x = l.addresses[i];
    if (x.family === AF_INET6 && rank(a) >= rank(x)) {
      at = i;
      break;
    }
  }
  l.addresses.splice(at, 0, a);
}

/**
 * addrconf_dad_begin(): a tentative address starts DAD once its link is
 * ready; lo and NOARP devices (and nodad) skip it and are done at once.
 */
export function startDad(w: World, l: SimLink, a: SimAddress, carrier: boolean): void {
  if (!a.tentative || a.dadUntil !== undefined || !ready(l, carrier)) return;
  if (l.type === 772 || l.flags & IFF_NOARP || (a.flags ?? 0) & IFA_F_NODAD) {
    a.tentative = undefined;
    return;
  }
  a.dadUntil = w.now + Math.floor(nextRandom(w) * RTR_SOLICIT_DELAY_MS) + RETRANS_TIME_MS;
}

/** The link-local (or ::1 on lo) addrconf_dev_config() / init_loopback() add when a link becomes ready. */
function configure(w: World, l: SimLink, carrier: boolean, note: Note): void {
  l.inet6Ready = true;
  if (l.type === 772) {
    if (l.addresses.some((x) => x.family === AF_INET6 && x.local === '::1')) return;
    insertV6(l, { family: AF_INET6, local: '::1', prefixlen: 128, scope: RT_SCOPE_HOST, proto: PROTO_KERNEL_LO, created: w.now, updated: w.now });
    note(`lo: ::1/128 added (IPv6 loopback)`, 'init_loopback');
    return;
  }
  if (l.type !== 1 || (l.addrGenMode ?? 0) === ADDR_GEN_MODE_NONE) return;
  const local = linkLocalFor(l.mac);
  if (l.addresses.some((x) => x.family === AF_INET6 && x.local === local)) return;
  const a: SimAddress = { family: AF_INET6, local, prefixlen: 64, scope: RT_SCOPE_LINK, proto: PROTO_KERNEL_LL, tentative: true, created: w.now, updated: w.now };
  insertV6(l, a);
  startDad(w, l, a, carrier);
  note(`${l.name}: link-local ${local}/64 added${a.tentative ? ' (tentative until DAD ends)' : ''}`, 'addrconf_addr_gen');
}

/** addrconf_ifdown(): every IPv6 address goes (keep_addr_on_down=0). */
export function ifdown(l: SimLink, why: string, note: Note): void {
  const gone = l.addresses.filter((x) => x.family === AF_INET6);
  l.addresses = l.addresses.filter((x) => x.family !== AF_INET6);
  if (gone.length) note(`${l.name}: IPv6 addresses ${gone.map((x) => `${x.local}/${x.prefixlen}`).join(' ')} removed (${why}; keep_addr_on_down=0)`, 'addrconf_ifdown');
}

/**
 * Brings each link's IPv6 state up to date: configure links that became
 * ready, drop the addresses of links that went down, finish DAD whose time
 * has come. `inet6Ready` undefined is a link of an older state file: taken
 * as already configured (its addresses, if any, are whatever it had).
 */
export function sync(w: World, host: SimHost, carrierOf: (l: SimLink) => boolean, note: Note): void {
  for (const l of host.links) {
    const carrier = carrierOf(l);
    if (!(l.flags & IFF_UP)) {
      if (l.inet6Ready !== false) {
        l.inet6Ready = false;
        ifdown(l, `${l.name} down`, note);
      }
      continue;
    }
    if (ready(l, carrier) && l.inet6Ready === false) configure(w, l, carrier, note);
    for (const a of l.addresses) {
      if (a.family !== AF_INET6 || !a.tentative) continue;
      startDad(w, l, a, carrier);
      if (a.dadUntil !== undefined && a.dadUntil <= w.now) {
        a.tentative = a.dadUntil = undefined;
        note(`${a.local}/${a.prefixlen} dev ${l.name}: DAD complete, no duplicate: no longer tentative`, 'addrconf_dad_completed');
      }
    }
  }
}

/** NETDEV_CHANGEMTU: below 1280 IPv6 leaves the device (addrconf_ifdown). */
export function addrconfChangeMtu(l: SimLink, note: Note): void {
  if (l.mtu >= IPV6_MIN_MTU) return;
  ifdown(l, `mtu ${l.mtu} < ${IPV6_MIN_MTU}`, note);
  // lo keeps its inet6_dev (no ::1 until it comes up again); another device gets a new one, configured when ready.
  if (l.type !== 772) l.inet6Ready = false;
}

/** inet6_addr_add(): one address of each value per device; its scope from the address; tentative until DAD ends unless nodad. */
export function inet6AddrAdd(w: World, l: SimLink, a: SimAddress, carrier: boolean, note: Note): void {
  if (l.addresses.some((x) => x.family === AF_INET6 && x.local === a.local)) throw new NetlinkError(EEXIST, 'ipv6: address already assigned');
  // The scope comes from the address (ipv6_addr_scope), not from the request.
  a.scope = a.local === '::1' ? RT_SCOPE_HOST : /^fe[89ab]/i.test(a.local) ? RT_SCOPE_LINK : /^fe[c-f]/i.test(a.local) ? RT_SCOPE_SITE : 0;
  const nodad = (a.flags ?? 0) & IFA_F_NODAD;
  // Tentative until DAD ends (it starts once the link is up with carrier), unless nodad.
  if (!nodad) a.tentative = true;
  startDad(w, l, a, carrier);
  insertV6(l, a);
  note(`${a.local}/${a.prefixlen} dev ${l.name}: added${nodad ? ' (nodad: no duplicate address detection)' : a.tentative ? ' (tentative until DAD ends)' : ''}`, ['inet6_rtm_newaddr', 'inet6_addr_add']);
}

/** inet6_addr_del(): the address of that value and prefix length. */
export function inet6AddrDel(l: SimLink, prefixlen: number, tb: Attrs, note: Note): void {
  const addr = tb.get(IFA_LOCAL) ?? tb.get(IFA_ADDRESS);
  const text = addr && formatAddress(AF_INET6, addr);
  const a = l.addresses.find((x) => x.family === AF_INET6 && x.local === text && x.prefixlen === prefixlen);
  if (!a) throw new NetlinkError(EADDRNOTAVAIL, 'ipv6: address not found');
  removeAddress(l, a);
  note(`${a.local}/${a.prefixlen} dev ${l.name}: deleted`, 'inet6_addr_del');
}

/** inet6_fill_ifaddr(): LOCAL and ADDRESS (the peer) for a point-to-point address, else ADDRESS; then RT_PRIORITY, CACHEINFO, FLAGS, PROTO. */
export function inet6FillIfaddr(w: World, l: SimLink, a: SimAddress, type = RTM_NEWADDR): RtMessage {
  const flags = addrFlags(w, a);
  const local = addressBytes(AF_INET6, a.local);
  const b = (t: number, v: Uint8Array): LinkAttr => ({ type: t, kind: 'bytes', value: v });
  const attrs: LinkAttr[] = a.peer ? [b(IFA_LOCAL, local), b(IFA_ADDRESS, addressBytes(AF_INET6, a.peer))] : [b(IFA_ADDRESS, local)];
  if (a.anycast) attrs.push(b(IFA_ANYCAST, addressBytes(AF_INET6, a.anycast)));
  if (a.metric) attrs.push({ type: IFA_RT_PRIORITY, kind: 'u32', value: a.metric >>> 0 });
  attrs.push(cacheinfo(w, a), { type: IFA_FLAGS, kind: 'u32', value: flags >>> 0 });
  if (a.proto) attrs.push({ type: IFA_PROTO, kind: 'u8', value: a.proto });
  return { type, header: ifaddrHeader(l, a, flags), attrs: parseAttrs(encodeAttrs(attrs)) };
}
