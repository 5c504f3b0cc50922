// The model's rtnetlink (net/core/rtnetlink.c): the link and address
// messages `tsnet link` and `tsnet addr` send (the same RtRequests the
// kernel gets) are decoded here and handed to the code that owns each
// rule: dev.ts (flags, names, MTU, masters, carrier), the link kinds
// (kinds/: newlink, changelink, dellink, fill_info, fill_slave_info),
// devinet.ts and addrconf.ts (addresses), fib-netlink.ts (routes). Answers are encoded with the
// attributes the kernel reports, in its order (rtnl_fill_ifinfo()).
import { NetlinkError, type RtMessage, type RtRequest } from '../backend.js';
import {
  AF_INET, AF_INET6, IFF_UP, IFLA_ADDRESS as ADDRESS, IFLA_AF_SPEC as AF_SPEC, IFLA_BROADCAST as BROADCAST, IFLA_CARRIER as CARRIER,
  IFLA_CARRIER_CHANGES as CARRIER_CHANGES, IFLA_CARRIER_DOWN_COUNT, IFLA_CARRIER_UP_COUNT, IFLA_DEVLINK_PORT, IFLA_DPLL_PIN,
  IFLA_EXT_MASK as EXT_MASK, IFLA_GRO_IPV4_MAX_SIZE, IFLA_GRO_MAX_SIZE, IFLA_GROUP as GROUP, IFLA_GSO_IPV4_MAX_SIZE,
  IFLA_GSO_MAX_SEGS, IFLA_GSO_MAX_SIZE, IFLA_HEADROOM as HEADROOM, IFLA_IFALIAS as IFALIAS, IFLA_IFNAME as IFNAME,
  IFLA_INFO_DATA as INFO_DATA, IFLA_INFO_KIND as INFO_KIND, IFLA_INFO_SLAVE_DATA as INFO_SLAVE_DATA,
  IFLA_INFO_SLAVE_KIND as INFO_SLAVE_KIND, IFLA_LINK as LINK, IFLA_LINKINFO as LINKINFO, IFLA_LINKMODE as LINKMODE,
  IFLA_MAP as MAP, IFLA_MASTER as MASTER, IFLA_MAX_MTU, IFLA_MAX_PACING_OFFLOAD_HORIZON, IFLA_MIN_MTU, IFLA_MTU as MTU,
  IFLA_NETNS_IMMUTABLE as NETNS_IMMUTABLE, IFLA_NET_NS_FD as NET_NS_FD, IFLA_NET_NS_PID as NET_NS_PID, IFLA_NUM_RX_QUEUES,
  IFLA_NUM_TX_QUEUES, IFLA_OPERSTATE as OPERSTATE, IFLA_PROMISCUITY, IFLA_ALLMULTI, IFLA_PROTO_DOWN as PROTO_DOWN,
  IFLA_QDISC as QDISC, IFLA_TAILROOM as TAILROOM, IFLA_TSO_MAX_SEGS, IFLA_TSO_MAX_SIZE, IFLA_TXQLEN as TXQLEN, IFLA_XDP as XDP,
  NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTEXT_FILTER_SKIP_STATS, RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE, RTM_GETADDR,
  RTM_GETLINK, RTM_GETNEIGHTBL, RTM_GETROUTE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE, RTM_SETNEIGHTBL,
} from '../wire/rtnl-constants.js';
import { parseIfinfomsg } from '../wire/nlmsg.js';
import { EEXIST, EINVAL, ENODEV, EOPNOTSUPP } from '../errno.js';
import { hexColon } from '../lib/inet.js';
import type { ArpFrame } from '../wire/arp.js';
import { type Attrs, type LinkAttr, attrStr, attrU32, attrU8, encodeAttrs, parseAttrs } from '../wire/nlattr.js';
import { inet6AddrAdd, inet6AddrDel, inet6FillIfaddr, sync } from './addrconf.js';
import { Netdev, numbers, opsOf } from './dev.js';
import { inetFillIfaddr, inetInsertIfa, inetRtmDeladdr } from './devinet.js';
import { fibAddIfaddr, fibDisableIp, fibSync } from './fib.js';
import { delRoute, dumpRoutes, getRoute, newRoute } from './fib-netlink.js';
import { expire, ifaddrmsg, requestedAddress } from './ifaddr.js';
import { linkKind } from './kinds/index.js';
import { neightblDump, neightblSet } from './ntable.js';
import { DEVCONF, afSpec, carrierCounts, stats } from './linkattrs.js';
import { hexBytes, macBytes, toHex } from './text.js';
import type { SimAddress, SimHost, SimLink, World } from './world.js';
import type { Note, Where } from './kfn.js';
import { refused } from './refusal.js';

function u32a(type: number, value: number): LinkAttr {
  return { type, kind: 'u32', value: value >>> 0 };
}

function str(type: number, s: string): LinkAttr {
  return { type, kind: 'bytes', value: Buffer.from(s + '\0') };
}

/** rtnl_fill_ifinfo(): one link as the kernel describes it. */
export function linkMessage(w: World, host: SimHost, l: SimLink, type = RTM_NEWLINK, withStats = true): RtMessage {
  const dev = new Netdev(w, host, () => undefined);
  const k = numbers(l);
  const ops = opsOf(l);
  const up = (l.flags & IFF_UP) !== 0;
  const carrier = dev.carrier(l);
  const counts = carrierCounts(l.carrierChanges ?? 0);
  // The order of rtnl_fill_ifinfo() in the reference kernel (6.18), as its dumps show it.
  const attrs: LinkAttr[] = [
    str(IFNAME, l.name), u32a(TXQLEN, l.txqlen ?? 1000), { type: OPERSTATE, kind: 'u8', value: dev.operState(l) },
    { type: LINKMODE, kind: 'u8', value: l.linkmode ?? 0 },
    // IFLA_NETNS_IMMUTABLE: lo and the kinds that are NETIF_F_NETNS_LOCAL cannot change namespace.
    { type: NETNS_IMMUTABLE, kind: 'u8', value: l.type === 772 || ops?.netnsLocal ? 1 : 0 },
    u32a(MTU, l.mtu), u32a(IFLA_MIN_MTU, k.minMtu), u32a(IFLA_MAX_MTU, k.maxMtu),
    u32a(GROUP, l.group ?? 0), u32a(IFLA_PROMISCUITY, l.promiscuity ?? 0), u32a(IFLA_ALLMULTI, l.allmulti ?? 0),
    u32a(IFLA_NUM_TX_QUEUES, k.queues), u32a(IFLA_GSO_MAX_SEGS, 65535), u32a(IFLA_GSO_MAX_SIZE, 65536),
    u32a(IFLA_GRO_MAX_SIZE, 65536), u32a(IFLA_GSO_IPV4_MAX_SIZE, 65536), u32a(IFLA_GRO_IPV4_MAX_SIZE, 65536),
    u32a(IFLA_TSO_MAX_SIZE, dev.tsoMaxSize(l)), u32a(IFLA_TSO_MAX_SEGS, 65535), u32a(IFLA_MAX_PACING_OFFLOAD_HORIZON, 0),
    u32a(IFLA_NUM_RX_QUEUES, k.queues),
  ];
  if (l.master !== undefined) attrs.push(u32a(MASTER, l.master));
  attrs.push({ type: CARRIER, kind: 'u8', value: carrier ? 1 : 0 });
  if (l.alias) attrs.push({ type: IFALIAS, kind: 'bytes', value: Buffer.from(l.alias + '\0') });
  attrs.push(u32a(CARRIER_CHANGES, l.carrierChanges ?? 0), u32a(IFLA_CARRIER_UP_COUNT, counts.up), u32a(IFLA_CARRIER_DOWN_COUNT, counts.down),
    { type: HEADROOM, kind: 'u16', value: ops?.headroom?.(l) ?? 0 }, { type: TAILROOM, kind: 'u16', value: 0 }, { type: PROTO_DOWN, kind: 'u8', value: 0 });
  attrs.push({ type: ADDRESS, kind: 'bytes', value: macBytes(l.mac) });
  attrs.push({ type: BROADCAST, kind: 'bytes', value: macBytes(l.broadcast) });
  // RTEXT_FILTER_SKIP_STATS leaves the counters out.
  if (withStats) attrs.push(...stats(l));
  // IFLA_XDP: IFLA_XDP_ATTACHED = XDP_ATTACHED_NONE.
  attrs.push({ type: XDP, kind: 'nest', value: [{ type: 2, kind: 'u8', value: 0 }] });
  const info: LinkAttr[] = [];
  if (l.kind) {
    info.push(str(INFO_KIND, l.kind));
    const data = ops?.fillInfo?.(dev, l);
    if (data) info.push({ type: INFO_DATA, kind: 'nest', value: data });
    else if (l.info?.data) info.push({ type: INFO_DATA, kind: 'bytes', value: hexBytes(l.info.data) });
  }
  const master = host.links.find((x) => x.index === l.master);
  const masterOps = master && opsOf(master);
  if (master && masterOps?.fillSlaveInfo) {
    info.push(str(INFO_SLAVE_KIND, masterOps.kind));
    info.push({ type: INFO_SLAVE_DATA, kind: 'nest', value: masterOps.fillSlaveInfo(dev, master, l) });
  }
  if (info.length) attrs.push({ type: LINKINFO, kind: 'nest', value: info });
  const lower = ops?.iflink ? ops.iflink(l) : l.link;
  if (lower !== undefined) attrs.push(u32a(LINK, lower));
  // The qdisc attached when a link first came up stays when it goes down; never up, it has noop.
  attrs.push({ type: QDISC, kind: 'bytes', value: Buffer.from((up || l.wasUp ? k.qdisc : 'noop') + '\0') });
  // IF_READY: IPv6 is configured on an up link (an older state file's link: when it has carrier).
  attrs.push(afSpec(l, up && (l.inet6Ready ?? carrier)));
  // IFLA_MAP (struct rtnl_link_ifmap, zeros for virtual devices), then the empty IFLA_DEVLINK_PORT and IFLA_DPLL_PIN nests.
  attrs.push({ type: MAP, kind: 'bytes', value: new Uint8Array(32) }, { type: IFLA_DEVLINK_PORT, kind: 'nest', value: [] }, { type: IFLA_DPLL_PIN, kind: 'nest', value: [] });
  const header = new Uint8Array(16);
  const hv = new DataView(header.buffer);
  hv.setUint16(2, l.type, true);
  hv.setInt32(4, l.index, true);
  hv.setUint32(8, dev.reportedFlags(l), true);
  return { type, header, attrs: parseAttrs(encodeAttrs(attrs)) };
}

/** inet_fill_ifaddr() / inet6_fill_ifaddr(), by the address's family. */
export function addrMessage(w: World, l: SimLink, a: SimAddress, type = RTM_NEWADDR): RtMessage {
  return a.family === AF_INET ? inetFillIfaddr(w, l, a, type) : inet6FillIfaddr(w, l, a, type);
}

/** The request's ifinfomsg (a short header reads as zeros, as the kernel's nlmsg_parse would refuse it first). */
function ifinfo(h: Uint8Array): { family: number; index: number; flags: number; change: number } {
  const m = parseIfinfomsg(h);
  return m instanceof Error ? { family: 0, index: 0, flags: 0, change: 0 } : m;
}

/** One request's attributes, decoded the way the kernel's policy reads them. */
function requestAttrs(req: RtRequest): Attrs {
  return parseAttrs(encodeAttrs(req.attrs));
}

/** Attributes given later replace those given earlier of the same type. */
function mergeHex(old: string | undefined, add: Uint8Array): string {
  const m = new Map<number, Uint8Array>();
  if (old) for (const [t, v] of parseAttrs(hexBytes(old))) m.set(t, v);
  for (const [t, v] of parseAttrs(add)) m.set(t, v);
  return toHex(encodeAttrs([...m].map(([type, value]) => ({ type, kind: 'bytes', value }))));
}

/** The rtnetlink handlers of one simulated host. */
export class SimRtnl {
  private readonly dev: Netdev;

  constructor(
    private readonly w: World, private readonly host: SimHost, private readonly note: Note,
    /** Puts a frame on a link's segment (a bond's gratuitous ARPs after a failover). */
    send?: (link: SimLink, f: ArpFrame, why: string, fn: Where) => void,
  ) {
    this.dev = new Netdev(w, host, note, send);
  }

  /** What time and other runs changed, before answering (the bonds' MII monitor runs on the clock, in the engine). */
  private catchUp(): void {
    expire(this.w, this.host, this.note);
    this.dev.countCarrier();
    sync(this.w, this.host, (l) => this.dev.carrier(l), this.note);
    fibSync(this.host, this.note);
  }

  dump(req: RtRequest, each: (m: RtMessage) => void): void {
    this.catchUp();
    const tb = requestAttrs(req);
    if (req.type === RTM_GETLINK) {
      const masterAttr = tb.get(MASTER);
      const master = masterAttr ? attrU32(masterAttr) | 0 : 0;
      const li = tb.get(LINKINFO);
      const kindAttr = li ? parseAttrs(li).get(INFO_KIND) : undefined;
      const kind = kindAttr ? attrStr(kindAttr) : undefined;
      const maskAttr = tb.get(EXT_MASK);
      const extMask = maskAttr ? attrU32(maskAttr) : 0;
      for (const l of this.host.links) {
        if (master === -1 && l.master !== undefined) continue;
        if (master > 0 && l.master !== master) continue;
        if (kind !== undefined && l.kind !== kind) continue;
        each(linkMessage(this.w, this.host, l, RTM_NEWLINK, !(extMask & RTEXT_FILTER_SKIP_STATS)));
      }
    } else if (req.type === RTM_GETADDR) {
      const { family, index } = ifaddrmsg(req.header);
      for (const fam of [AF_INET, AF_INET6]) {
        if (family && family !== fam) continue;
        for (const l of this.host.links) {
          if (index && l.index !== index) continue;
          for (const a of l.addresses) if (a.family === fam) each(addrMessage(this.w, l, a));
        }
      }
    } else if (req.type === RTM_GETNEIGHTBL) {
      neightblDump(this.w, this.host, req.header[0] ?? 0, each);
    } else if (req.type === RTM_GETROUTE) {
      dumpRoutes(this.host, req, (l) => this.dev.carrier(l), each);
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
      case RTM_DELLINK: this.dev.unregister(this.dev.link(ifinfo(req.header).index)); this.catchUp(); return [];
      case RTM_SETNEIGHTBL: neightblSet(this.w, this.host, req, this.note); return [];
      // The uid is the asking process's, as the kernel reports the socket's owner.
      case RTM_GETROUTE: return [getRoute(this.host, req, (l) => this.dev.carrier(l), process.getuid?.() ?? 0)];
      case RTM_NEWROUTE: newRoute(this.host, req, this.note); return [];
      case RTM_DELROUTE: delRoute(this.host, req, this.note); return [];
      default: throw new NetlinkError(EOPNOTSUPP);
    }
  }

  /** rtnl_getlink(): by name, else by index. */
  private getLink(req: RtRequest): RtMessage {
    const tb = requestAttrs(req);
    const name = tb.get(IFNAME);
    const { index } = ifinfo(req.header);
    const l = name ? this.host.links.find((x) => x.name === attrStr(name)) : this.host.links.find((x) => x.index === index);
    if (!l) throw new NetlinkError(ENODEV);
    return linkMessage(this.w, this.host, l);
  }

  /** The device of an address request (ENODEV, with devinet's text for IPv4). */
  private addrDevice(family: number, index: number): SimLink {
    const l = this.host.links.find((x) => x.index === index);
    if (!l) throw refused(ENODEV, `no device has ifindex ${index}`, family === AF_INET ? 'ipv4: Device not found' : undefined);
    return l;
  }

  /** inet_rtm_newaddr() / inet6_rtm_newaddr(): an existing address is only replaced (NLM_F_REPLACE: lifetimes, metric). */
  private newAddress(req: RtRequest): void {
    const tb = requestAttrs(req);
    const { family, index } = ifaddrmsg(req.header);
    const l = this.addrDevice(family, index);
    const a = requestedAddress(this.w, req, tb, l);
    const existing = l.addresses.find((x) => x.family === family && x.local === a.local && x.prefixlen === a.prefixlen && (x.peer ?? x.local) === (a.peer ?? a.local));
    if (existing) {
      if (req.flags & NLM_F_EXCL || !(req.flags & NLM_F_REPLACE)) {
        throw refused(EEXIST, `${a.local}/${a.prefixlen} is already on ${l.name} and ${req.flags & NLM_F_EXCL ? 'NLM_F_EXCL was set' : 'NLM_F_REPLACE was not set'}`,
          family === AF_INET ? 'ipv4: Address already assigned' : 'ipv6: address already assigned');
      }
      existing.validUntil = a.validUntil;
      existing.preferredUntil = a.preferredUntil;
      existing.metric = a.metric;
      existing.updated = this.w.now;
      this.note(`${a.local}/${a.prefixlen} dev ${l.name}: lifetimes and metric replaced (NLM_F_REPLACE)`, family === AF_INET6 ? 'inet6_rtm_newaddr' : 'inet_rtm_newaddr');
      return;
    }
    if (family === AF_INET6) inet6AddrAdd(this.w, l, a, this.dev.carrier(l), this.note);
    else inetInsertIfa(l, a, this.note);
    fibAddIfaddr(this.host, l, a);
  }

  private delAddress(req: RtRequest): void {
    const tb = requestAttrs(req);
    const { family, prefixlen, index } = ifaddrmsg(req.header);
    const l = this.addrDevice(family, index);
    if (family === AF_INET6) inet6AddrDel(l, prefixlen, tb, this.note);
    else {
      inetRtmDeladdr(l, prefixlen, tb, this.note);
      fibDisableIp(this.host, l, this.note);
    }
  }

  /** rtnl_newlink(): a change to an existing link, or a new one (NLM_F_CREATE). */
  private newLink(req: RtRequest): void {
    const h = ifinfo(req.header);
    const tb = requestAttrs(req);
    if (h.index === 0 || req.flags & NLM_F_CREATE && !this.host.links.some((x) => x.index === h.index)) {
      const name = tb.get(IFNAME);
      const existing = name ? this.host.links.find((x) => x.name === attrStr(name)) : undefined;
      if (existing) {
        if (req.flags & NLM_F_EXCL) throw refused(EEXIST, `a link named ${existing.name} exists (ifindex ${existing.index}) and NLM_F_EXCL was set`);
        this.setLink(existing, h, tb);
        return;
      }
      if (!(req.flags & NLM_F_CREATE)) throw refused(ENODEV, `no link ${name ? `named ${attrStr(name)}` : `with ifindex ${h.index}`}, and NLM_F_CREATE was not set`);
      this.createLink(h, tb);
      return;
    }
    this.setLink(this.dev.link(h.index), h, tb);
  }

  /** rtnl_create_link() and the kind's validate and newlink; up at once when asked. */
  private createLink(h: { flags: number; change: number }, tb: Attrs): void {
    const li = tb.get(LINKINFO);
    const info = li ? parseAttrs(li) : undefined;
    const kindAttr = info?.get(INFO_KIND);
    const ops = linkKind(kindAttr ? attrStr(kindAttr) : undefined);
    if (!ops) throw new NetlinkError(EOPNOTSUPP, 'Unknown device type');
    const data = info?.get(INFO_DATA);
    ops.validate?.(tb, data);
    const nameAttr = tb.get(IFNAME);
    const name = nameAttr ? attrStr(nameAttr) : this.dev.freeName(`${ops.kind}%d`);
    const l = this.dev.alloc(name, ops.kind, tb);
    ops.newlink(this.dev, l, tb, data);
    this.host.links.push(l);
    this.host.links.sort((a, b) => a.index - b.index);
    if (h.change & IFF_UP && h.flags & IFF_UP) this.dev.openNew(l);
  }

  /**
   * do_setlink(): each attribute in the kernel's order, applied as it goes.
   * The kernel is not transactional: a refusal stops the rest but keeps what
   * came before it (a failed `master` has already released the old one).
   */
  private setLink(l: SimLink, h: { flags: number; change: number }, tb: Attrs): void {
    const addr = tb.get(ADDRESS);
    if (addr && addr.length !== 6) throw new NetlinkError(EINVAL);
    const li = tb.get(LINKINFO);
    if (li) this.setLinkInfo(l, parseAttrs(li));
    if (tb.get(NET_NS_PID) || tb.get(NET_NS_FD)) throw new NetlinkError(EOPNOTSUPP, 'the model keeps each link on its host (netns)');
    if (addr) {
      l.mac = hexColon(addr);
      this.note(`${l.name} address ${l.mac}`, ['do_setlink', 'dev_set_mac_address']);
    }
    const mtu = tb.get(MTU);
    if (mtu) this.dev.setMtu(l, attrU32(mtu) | 0);
    const group = tb.get(GROUP);
    if (group) l.group = attrU32(group);
    const name = tb.get(IFNAME);
    if (name) this.dev.rename(l, attrStr(name));
    const alias = tb.get(IFALIAS);
    if (alias) l.alias = attrStr(alias) || undefined;
    const brd = tb.get(BROADCAST);
    if (brd) l.broadcast = hexColon(brd);
    this.dev.changeFlags(l, h);
    const master = tb.get(MASTER);
    if (master) this.dev.setMaster(l, attrU32(master));
    const carrier = tb.get(CARRIER);
    if (carrier) this.dev.setCarrier(l, attrU8(carrier) !== 0);
    const txq = tb.get(TXQLEN);
    if (txq) l.txqlen = attrU32(txq);
    const mode = tb.get(LINKMODE);
    if (mode) l.linkmode = attrU8(mode);
    const af = tb.get(AF_SPEC);
    if (af) this.setAfSpec(l, parseAttrs(af));
  }

  /** IFLA_AF_SPEC: inet_set_link_af() (the devconf values the model keeps) and inet6_set_link_af() (addrgenmode). */
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
          this.note(`net.ipv4.conf.${l.name}.${key} = ${l.params[key]}`, ['do_setlink', 'inet_set_link_af']);
        }
      } else if (family === AF_INET6) {
        const mode = t.get(8);
        if (mode) l.addrGenMode = attrU8(mode);
      }
    }
  }

  /** IFLA_LINKINFO of an existing link: the kind's changelink, or the master's slave options (KIND_slave). */
  private setLinkInfo(l: SimLink, info: Attrs): void {
    const kind = info.get(INFO_KIND);
    const k = kind ? attrStr(kind) : '';
    const data = info.get(INFO_DATA), slaveData = info.get(INFO_SLAVE_DATA);
    if (k.endsWith('_slave')) {
      const master = this.host.links.find((x) => x.index === l.master);
      if (!master || `${master.kind}_slave` !== k) throw new NetlinkError(EOPNOTSUPP);
      if (slaveData) (l.slave ??= {}).data = mergeHex(l.slave.data, slaveData);
      return;
    }
    if (k !== (l.kind ?? '')) throw new NetlinkError(EOPNOTSUPP);
    if (!data) return;
    const keep = () => ((l.info ??= {}).data = mergeHex(l.info.data, data));
    const ops = opsOf(l);
    if (ops?.changelink) ops.changelink(this.dev, l, data, keep);
    else keep();
  }
}
