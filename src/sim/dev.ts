// Network devices as net/core/dev.c keeps them: allocation and names
// (alloc_netdev, dev_alloc_name, eth_random_addr), the flags user space may
// change (dev_change_flags, with ndo_open/ndo_stop), masters
// (do_set_master: ndo_add_slave/ndo_del_slave), MTU and name changes with
// the notifier calls devinet and addrconf answer, the carrier
// (netif_carrier_ok, counted as it changes) and the operstate as
// rfc2863 derives it, and unregistering a device. What differs by kind is
// asked of the kind's ops (kinds/), never of its name.
import { NetlinkError } from '../backend.js';
import { EEXIST, EINVAL, ENODEV, EOPNOTSUPP, ERANGE } from '../errno.js';
import { hexColon } from '../lib/inet.js';
import type { ArpFrame } from '../wire/arp.js';
import { type Attrs, attrU32 } from '../wire/nlattr.js';
import {
  IFF_ALLMULTI, IFF_AUTOMEDIA, IFF_DEBUG, IFF_DYNAMIC, IFF_LOWER_UP, IFF_MULTICAST, IFF_NOARP, IFF_NOTRAILERS, IFF_PORTSEL, IFF_PROMISC,
  IFF_RUNNING, IFF_UP, IF_OPER_DOWN as OPER_DOWN, IF_OPER_LOWERLAYERDOWN as OPER_LOWERLAYERDOWN, IF_OPER_UNKNOWN as OPER_UNKNOWN,
  IF_OPER_UP as OPER_UP,
} from '../wire/rtnl-constants.js';
import { addrconfChangeMtu } from './addrconf.js';
import { drawReachableTime, nextRandom } from './clock.js';
import { inetdevChangeMtu, inetdevChangeName, inetdevUp } from './devinet.js';
import { linkKind } from './kinds/index.js';
import { type KindCtx, type LinkKindOps, isUp } from './kinds/ops.js';
import { LINK_FLAGS_UP } from './lan.js';
import { newLinkParams, stat } from './neigh-table.js';
import type { SimHost, SimLink, World } from './world.js';
import type { Note, Where } from './kfn.js';

/** The flags `ip link set` may change (dev_change_flags' user-settable set). */
const IFF_SETTABLE = IFF_UP | IFF_NOTRAILERS | IFF_NOARP | IFF_PROMISC | IFF_ALLMULTI | IFF_MULTICAST | IFF_DYNAMIC | IFF_AUTOMEDIA |
  IFF_PORTSEL | IFF_DEBUG;
const ARPHRD_LOOPBACK = 772;

/** The numbers of a link that has no kind: lo, and the model's NICs (this reference machine's). */
interface Numbers { minMtu: number; maxMtu: number; queues: number; tsoMax: number; qdisc: string }
const LOOPBACK: Numbers = { minMtu: 0, maxMtu: 0, queues: 1, tsoMax: 524280, qdisc: 'noqueue' };
const NIC: Numbers = { minMtu: 68, maxMtu: 9000, queues: 1, tsoMax: 65536, qdisc: 'fq_codel' };

/** A link's kind ops (undefined for lo and the NICs). */
export function opsOf(l: SimLink): LinkKindOps | undefined {
  return linkKind(l.kind);
}

/** The driver's numbers: MTU range, tx queues, TSO limit, the qdisc attached when it first comes up. */
export function numbers(l: SimLink): Numbers {
  if (l.type === ARPHRD_LOOPBACK) return LOOPBACK;
  const k = opsOf(l);
  return k ? { minMtu: k.minMtu, maxMtu: k.maxMtu, queues: k.queues, tsoMax: k.tsoMax, qdisc: 'noqueue' } : NIC;
}

/** The devices of one host, and what the kinds are given to work with. */
export class Netdev implements KindCtx {
  constructor(
    readonly w: World, readonly host: SimHost, readonly note: Note,
    readonly send?: (link: SimLink, f: ArpFrame, why: string, fn: Where) => void,
  ) {}

  link(index: number): SimLink {
    const l = this.host.links.find((x) => x.index === index);
    if (!l) throw new NetlinkError(ENODEV);
    return l;
  }

  /** netif_carrier_ok(): a kind that takes its carrier from other links says; the others keep their own. */
  carrier(l: SimLink): boolean {
    const k = opsOf(l);
    return k?.carrier ? k.carrier(this, l) : l.carrier;
  }

  nextIndex(): number {
    return this.host.links.reduce((m, l) => Math.max(m, l.index), 0) + 1;
  }

  freeName(pattern: string): string {
    for (let i = 0; ; i++) {
      const n = pattern.replace('%d', String(i));
      if (!this.host.links.some((l) => l.name === n)) return n;
    }
  }

  /** eth_random_addr(): a random locally administered unicast MAC. */
  private randomMac(): string {
    const b = Array.from({ length: 6 }, () => Math.floor(nextRandom(this.w) * 256));
    b[0] = (b[0] & 0xfe) | 0x02;
    return hexColon(Uint8Array.from(b));
  }

  /** alloc_netdev() + ether_setup(): down, its MAC given (IFLA_ADDRESS) or random. */
  alloc(name: string, kind: string, tb: Attrs): SimLink {
    const mac = tb.get(1);
    const mtu = tb.get(4);
    const l: SimLink = {
      index: this.nextIndex(), name, type: 1, kind, mac: mac ? hexColon(mac) : this.randomMac(),
      broadcast: 'ff:ff:ff:ff:ff:ff', flags: LINK_FLAGS_UP & ~(IFF_UP | IFF_RUNNING | IFF_LOWER_UP), mtu: mtu ? attrU32(mtu) : 1500,
      carrier: true, addresses: [], params: newLinkParams(this.host),
      reachable_time_ms: drawReachableTime(this.w, newLinkParams(this.host).base_reachable_time_ms),
      created: this.w.now, inet6Ready: false,
    };
    const txq = tb.get(13);
    if (txq) l.txqlen = attrU32(txq);
    return l;
  }

  /** The flags as the kernel reports them: RUNNING and LOWER_UP follow the carrier of an up link. */
  reportedFlags(l: SimLink): number {
    let f = l.flags & ~(IFF_RUNNING | IFF_LOWER_UP);
    if (isUp(l) && this.carrier(l)) f |= IFF_RUNNING | IFF_LOWER_UP;
    return f;
  }

  /** rfc2863 operstate: DOWN (a device not running, lo too: rtnl_fill_ifinfo()), UNKNOWN for lo, LOWERLAYERDOWN (a stacked device without carrier) or UP. */
  operState(l: SimLink): number {
    if (!isUp(l)) return OPER_DOWN;
    if (l.type === ARPHRD_LOOPBACK) return OPER_UNKNOWN;
    const k = opsOf(l);
    // A driver that never reports its operstate stays UNKNOWN, as lo, until its carrier
    // has once changed; linkwatch then computes UP (the lab's dummy shows both).
    if (this.carrier(l)) return k?.noOperstate && !l.carrierChanges ? OPER_UNKNOWN : OPER_UP;
    return k?.stacked ? OPER_LOWERLAYERDOWN : OPER_DOWN;
  }

  /** IFLA_TSO_MAX_SIZE: the kind's own, unless it depends on other links (a bridge's ports, a bond's slaves). */
  tsoMaxSize(l: SimLink): number {
    const k = opsOf(l);
    return k?.tsoMaxSize ? k.tsoMaxSize(this, l, (x) => this.tsoMaxSize(x)) : numbers(l).tsoMax;
  }

  /**
   * netif_carrier_on/off count each change (IFLA_CARRIER_CHANGES); a carrier
   * that follows other links is counted here, when seen. A link of an older
   * state file starts from what it shows now.
   */
  countCarrier(): void {
    for (const l of this.host.links) {
      if (!opsOf(l)?.countsCarrier) continue;
      const c = this.carrier(l);
      if (l.carrierSeen !== undefined && l.carrierSeen !== c) l.carrierChanges = (l.carrierChanges ?? 0) + 1;
      l.carrierSeen = c;
    }
  }

  /** dev_set_mtu(): within the driver's range; then NETDEV_CHANGEMTU. */
  setMtu(l: SimLink, m: number): void {
    const k = numbers(l);
    if (m < k.minMtu) throw new NetlinkError(EINVAL, 'mtu less than device minimum');
    if (k.maxMtu && m > k.maxMtu) throw new NetlinkError(EINVAL, 'mtu greater than device maximum');
    l.mtu = m;
    this.note(`${l.name} mtu ${l.mtu}`, ['do_setlink', 'dev_set_mtu']);
    inetdevChangeMtu(l, this.note);
    addrconfChangeMtu(l, this.note);
  }

  /** dev_change_name(), then NETDEV_CHANGENAME. */
  rename(l: SimLink, n: string): void {
    if (n === l.name) return;
    if (this.host.links.some((x) => x.name === n)) throw new NetlinkError(EEXIST);
    this.note(`${l.name} renamed ${n}`, ['do_setlink', 'dev_change_name']);
    l.name = n;
    inetdevChangeName(l);
  }

  /** dev_change_carrier(): only a driver with ndo_change_carrier (dummy) lets user space set it. */
  setCarrier(l: SimLink, on: boolean): void {
    if (!opsOf(l)?.changeCarrier) throw new NetlinkError(EOPNOTSUPP);
    if (on !== l.carrier) l.carrierChanges = (l.carrierChanges ?? 0) + 1;
    l.carrier = on;
    this.note(`${l.name}: carrier ${l.carrier ? 'on' : 'off'} (set by the administrator)`, ['do_setlink', 'dev_change_carrier']);
  }

  /** dev_change_flags(): the settable flags; promiscuity and allmulti count their users; up and down open and stop. */
  changeFlags(l: SimLink, h: { flags: number; change: number }): void {
    const change = h.change & IFF_SETTABLE;
    if (!change) return;
    const before = l.flags;
    l.flags = (l.flags & ~change) | (h.flags & change);
    if (isUp(l)) l.wasUp = true;
    if ((before ^ l.flags) & IFF_PROMISC) l.promiscuity = Math.max(0, (l.promiscuity ?? 0) + (l.flags & IFF_PROMISC ? 1 : -1));
    if ((before ^ l.flags) & IFF_ALLMULTI) l.allmulti = Math.max(0, (l.allmulti ?? 0) + (l.flags & IFF_ALLMULTI ? 1 : -1));
    if (!((before ^ l.flags) & IFF_UP)) return;
    const k = opsOf(l);
    if (isUp(l)) k?.open?.(this, l);
    else k?.stop?.(this, l);
    if (isUp(l)) inetdevUp(this.w, l, this.note);
    const carrier = this.carrier(l);
    this.note(`${l.name} ${isUp(l) ? `up${carrier ? '' : ', no carrier'}` : 'down'}`, ['do_setlink', 'dev_change_flags']);
    k?.upDown?.(this, l);
  }

  /** A new link comes up at birth (IFF_UP in the request): dev_open(). */
  openNew(l: SimLink): void {
    l.flags |= IFF_UP;
    l.wasUp = true;
    opsOf(l)?.open?.(this, l);
  }

  /** do_set_master(): leave the current master first, then join the new one (`unregistering` while deleted). */
  setMaster(l: SimLink, index: number, unregistering = false): void {
    if (l.master !== undefined && l.master !== index) {
      const old = this.link(l.master);
      opsOf(old)?.delSlave?.(this, old, l, unregistering);
      l.master = undefined;
      l.slave = undefined;
    }
    if (!index || l.master === index) return;
    const m = this.host.links.find((x) => x.index === index);
    if (!m) throw new NetlinkError(EINVAL);
    const k = opsOf(m);
    if (!k?.addSlave) throw new NetlinkError(EOPNOTSUPP);
    if (m === l) throw new NetlinkError(ERANGE);
    k.addSlave(this, m, l);
  }

  /**
   * unregister_netdevice(): with the links its kind takes along (a veth's
   * peer); a master lets its slaves go, a slave leaves a master that
   * releases it; addresses and neighbours go with the link.
   */
  unregister(l: SimLink): void {
    if (l.type === ARPHRD_LOOPBACK) throw new NetlinkError(EOPNOTSUPP);
    const gone = [l, ...(opsOf(l)?.dellink?.(this, l) ?? [])];
    for (const g of gone) {
      const k = opsOf(g);
      if (k?.uninit) {
        k.uninit(this, g);
        if (k.releasesUnregistered) for (const x of this.host.links) if (x.master === g.index) this.setMaster(x, 0, true);
      } else if (g.master !== undefined && opsOf(this.link(g.master))?.releasesUnregistered) this.setMaster(g, 0);
      this.host.links.splice(this.host.links.indexOf(g), 1);
      // neigh_ifdown(): the device's entries are flushed, each one destroyed.
      this.host.neighbours = this.host.neighbours.filter((n) => n.ifindex !== g.index || (stat(this.w, this.host, n.family, 'destroys'), false));
      for (const x of this.host.links) {
        if (x.master === g.index) x.master = undefined;
        if (x.link === g.index) x.link = undefined;
      }
    }
    this.note(`${gone.map((g) => g.name).join(' and ')} deleted, with ${gone.length > 1 ? 'their' : 'its'} addresses and neighbours`, ['rtnl_dellink', 'unregister_netdevice_many']);
  }
}

/** netif_carrier_ok() of a link, for those outside a request (the engine, the bonds' monitor). */
export function carrierOf(w: World, host: SimHost, l: SimLink): boolean {
  return new Netdev(w, host, () => undefined).carrier(l);
}
