// The model's state: a virtual clock, hosts with links, addresses and
// neighbour tables, LAN segments that join links, frames in flight. Plain
// JSON-able data (it is what the state file holds); behaviour lives in
// neigh.ts (the NUD state machine), arp.ts and engine.ts.

import { linkLocalFor } from './addrconf.js';

/** 3: a neighbour table is stored as text (table.ts); 2, rows, and 1, objects, are still read. */
export const STATE_VERSION = 3;

/** /proc/sys/net/ipv4/neigh/default on the reference machine (shared/reference/kernel). */
export interface NeighParams {
  base_reachable_time_ms: number;
  delay_first_probe_time_ms: number;
  retrans_time_ms: number;
  ucast_solicit: number;
  mcast_solicit: number;
  app_solicit: number;
  mcast_resolicit: number;
  gc_stale_time_ms: number;
  locktime_ms: number;
  /** The queue of an unresolved entry is measured in bytes; unres_qlen is unres_qlen_bytes / SKB_TRUESIZE_FULL. */
  unres_qlen: number;
  unres_qlen_bytes: number;
  /** A proxied broadcast request is answered after a random delay below proxy_delay; at most proxy_qlen wait. */
  proxy_delay_ms: number;
  proxy_qlen: number;
  /** arp_accept (0, 1, 2), from /proc/sys/net/ipv4/conf/DEV. */
  arp_accept: number;
  arp_ignore: number;
  promote_secondaries: number;
  /** net.ipv4.conf.DEV.forwarding and proxy_arp: whether requests for other hosts are answered (proxy ARP). */
  forwarding: number;
  proxy_arp: number;
}

/**
 * SKB_TRUESIZE(ETH_FRAME_LEN): writing unres_qlen stores unres_qlen times this
 * in unres_qlen_bytes (read on the reference kernel: unres_qlen 1 gives 2090).
 */
export const SKB_TRUESIZE_FULL = 2090;
/**
 * The truesize a queued small UDP datagram is charged, as measured on the
 * reference kernel (6.18, x86_64): unres_qlen 3, 20 and 25 let 7, 50 and 62
 * one-byte datagrams wait, which only 830..836 bytes each explain.
 */
export const SMALL_PACKET_TRUESIZE = 832;

export const DEFAULT_PARAMS: NeighParams = {
  base_reachable_time_ms: 30000,
  delay_first_probe_time_ms: 5000,
  retrans_time_ms: 1000,
  ucast_solicit: 3,
  mcast_solicit: 3,
  app_solicit: 0,
  mcast_resolicit: 0,
  gc_stale_time_ms: 60000,
  locktime_ms: 1000,
  // The default is SK_WMEM_MAX bytes, 101 full-size frames.
  unres_qlen: 101,
  unres_qlen_bytes: 212992,
  proxy_delay_ms: 800,
  proxy_qlen: 64,
  arp_accept: 0,
  arp_ignore: 0,
  promote_secondaries: 0,
  forwarding: 0,
  proxy_arp: 0,
};

/** Table-wide garbage collection thresholds (not per device). */
export const GC = { thresh1: 128, thresh2: 512, thresh3: 1024 };

export interface SimAddress {
  family: number;
  /** Dotted or IPv6 text. */
  local: string;
  prefixlen: number;
  secondary?: boolean;
  label?: string;
  /** The rest is what `addr add` can say (absent in older state files: defaults apply). */
  peer?: string;
  broadcast?: string;
  anycast?: string;
  /** RT_SCOPE_*; 0 global (host for 127/8 when absent). */
  scope?: number;
  /** IFA_F_* given at add (nodad, noprefixroute, ...). */
  flags?: number;
  metric?: number;
  proto?: number;
  /** Virtual times (ms): made, last changed, end of the valid and preferred lifetimes (absent: forever). */
  created?: number;
  updated?: number;
  validUntil?: number;
  preferredUntil?: number;
  /** IPv6: IFA_F_TENTATIVE while duplicate address detection has not ended; it ends at dadUntil (ms). */
  tentative?: boolean;
  dadUntil?: number;
}

export interface SimLink {
  index: number;
  name: string;
  /** ARPHRD_*: 1 ether, 772 loopback. */
  type: number;
  /** Hex-colon hardware address. */
  mac: string;
  broadcast: string;
  /** IFF_* flags. */
  flags: number;
  mtu: number;
  /** The LAN segment the link is plugged into (undefined: none). */
  segment?: string;
  /** false: no carrier. */
  carrier: boolean;
  addresses: SimAddress[];
  params: NeighParams;
  /** The per-device reachable_time, redrawn in [base/2, 3·base/2] as the kernel does. */
  reachable_time_ms: number;
  master?: number;
  /** IFLA_INFO_KIND: veth, bridge, macvlan, dummy, bond; absent for lo and the model's NICs. */
  kind?: string;
  /** A veth's other end; a macvlan's lower device. */
  peer?: number;
  link?: number;
  macvlanMode?: number;
  /** Options set with `type KIND ARGS` / `type KIND_slave ARGS`, as attribute bytes in hex. */
  kindData?: string;
  slaveData?: string;
  txqlen?: number;
  group?: number;
  alias?: string;
  linkmode?: number;
  promiscuity?: number;
  allmulti?: number;
  carrierChanges?: number;
  /** Has been up once (its qdisc then stays attached). */
  wasUp?: boolean;
  /** IN6_ADDR_GEN_MODE_* */
  addrGenMode?: number;
  /** Bonding: a bond's active slave and whether its MAC is still the random one it was made with. */
  activeSlave?: number;
  randomMac?: boolean;
  /** A bond's slaves in enslave order (the driver's list; sysfs bonding/slaves). */
  slaves?: number[];
  /** Bonding: a slave's own MAC (it wears the bond's), its MII status and link failures. */
  permMac?: string;
  /** MII status of older state files (true: up); miiState replaces it. */
  miiUp?: boolean;
  linkFailures?: number;
  /** A slave's BOND_LINK_* (0 up, 1 fail, 2 down, 3 back), the monitor ticks left of its up/down delay, and its backup flag. */
  miiState?: number;
  miiDelay?: number;
  bondBackup?: boolean;
  /** A bond's next MII monitor tick (virtual ms; undefined: not monitoring), peer notifications left to send, and primary. */
  miiNext?: number;
  peerNotif?: number;
  primaryName?: string;
  primarySlave?: number;
  forcePrimary?: boolean;
  /** IPv6 configured on the link (IF_READY: its link-local made); undefined in older state files. */
  inet6Ready?: boolean;
  /** When the link was made (virtual ms; IFLA_INET6_CACHEINFO's tstamp). */
  created?: number;
  /** The carrier last seen, to count changes of a derived carrier (veth, bridge, macvlan). */
  carrierSeen?: boolean;
}

export interface SimNeighbour {
  family: number;
  ifindex: number;
  dst: string;
  state: number;
  flags: number;
  flagsExt: number;
  protocol: number;
  lladdr?: string;
  /** Absolute virtual times in ms. */
  confirmed: number;
  used: number;
  updated: number;
  probes: number;
  /** When the entry's timer fires, if armed. */
  timer?: number;
  /** Packets waiting for resolution (arp_queue), and how many were dropped. */
  queue: Packet[];
  dropped: number;
}

/** An IP packet of the model: enough to route it and to answer it. */
export interface Packet {
  src: string;
  dst: string;
  /** udp to a closed port draws an ICMP port unreachable; icmp draws nothing. */
  proto: 'udp' | 'icmp';
}

export interface SimHost {
  name: string;
  links: SimLink[];
  neighbours: SimNeighbour[];
  proxies: { family: number; ifindex: number; dst: string; flags: number; protocol: number }[];
  /** Default gateway for traffic outside the connected subnets. */
  gateway?: string;
  /** A peer's behaviour: does it answer ARP, after how long. */
  silent?: boolean;
  delay_ms?: number;
  /** icmp_ratelimit: when this host last sent an ICMP error to each address. */
  icmpSent?: Record<string, number>;
  /** UDP datagrams received (Udp InDatagrams + NoPorts of /proc/net/snmp). */
  udpIn?: number;
}

/** An Ethernet frame on a segment, delivered to every other link at `at`: ARP bytes, or an IP packet. */
export interface Frame {
  at: number;
  segment: string;
  from: { host: string; ifindex: number };
  /** ARP: the frame's bytes in hex. */
  bytes: string;
  /** IP: the packet and the destination MAC. */
  ip?: Packet & { toMac: string };
  /**
   * A proxied ARP request waiting in the host's proxy queue (pneigh_enqueue):
   * at `at` it is processed again on that link, and answered then.
   */
  proxyRedo?: { host: string; ifindex: number };
}

export interface TimelineEvent {
  t: number;
  host: string;
  text: string;
}

export interface World {
  version: number;
  now: number;
  /** xorshift32 state for reachable_time draws. */
  rng: number;
  hosts: SimHost[];
  frames: Frame[];
  timeline: TimelineEvent[];
  /** Next periodic work (gc; reachable_time redraws), as the kernel's neigh_periodic_work. */
  periodicAt: number;
  /** When reachable_time was last redrawn. */
  lastRand?: number;
}

export function nextRandom(w: World): number {
  let x = w.rng | 0;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  w.rng = x >>> 0 || 1;
  return w.rng / 0x100000000;
}

/** neigh_rand_reach_time(): uniform in [base/2, 3·base/2). */
export function drawReachableTime(w: World, base: number): number {
  return base ? Math.floor(base / 2 + nextRandom(w) * base) : 0;
}

const IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_LOOPBACK = 0x8, IFF_RUNNING = 0x40, IFF_MULTICAST = 0x1000, IFF_LOWER_UP = 0x10000;
export const LINK_FLAGS_UP = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP;

function loopback(w: World): SimLink {
  return {
    index: 1, name: 'lo', type: 772, mac: '00:00:00:00:00:00', broadcast: '00:00:00:00:00:00',
    flags: IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP, mtu: 65536, carrier: true,
    // As the kernel has them once lo is up: 127.0.0.1/8, then ::1 (IFAPROT_KERNEL_LO).
    addresses: [{ family: 2, local: '127.0.0.1', prefixlen: 8 }, { family: 10, local: '::1', prefixlen: 128, scope: 254, proto: 1 }],
    params: { ...DEFAULT_PARAMS }, inet6Ready: true,
    reachable_time_ms: drawReachableTime(w, DEFAULT_PARAMS.base_reachable_time_ms),
  };
}

export function ethernet(w: World, index: number, name: string, mac: string, segment: string, addr?: string, plen = 24): SimLink {
  return {
    index, name, type: 1, mac, broadcast: 'ff:ff:ff:ff:ff:ff', flags: LINK_FLAGS_UP, mtu: 1500, segment, carrier: true,
    // Up with carrier for a while: its link-local (IFAPROT_KERNEL_LL) has passed DAD.
    addresses: [...(addr ? [{ family: 2, local: addr, prefixlen: plen }] : []), { family: 10, local: linkLocalFor(mac), prefixlen: 64, scope: 253, proto: 3 }],
    params: { ...DEFAULT_PARAMS }, inet6Ready: true,
    reachable_time_ms: drawReachableTime(w, DEFAULT_PARAMS.base_reachable_time_ms),
  };
}

export function makeHost(w: World, name: string, links: SimLink[] = []): SimHost {
  return { name, links: [loopback(w), ...links], neighbours: [], proxies: [] };
}

/**
 * The topology `tsnet --dry-run` starts from: host "host" with eth0
 * 10.0.0.2/24 on segment lan0, a gateway 10.0.0.1 and three peers.
 */
export function defaultWorld(seed = 1): World {
  // Spread the seed over 32 bits so that small seeds do not start the generator near 0.
  const w: World = { version: STATE_VERSION, now: 0, rng: Math.imul(seed >>> 0 || 1, 0x9e3779b1) >>> 0 || 1, hosts: [], frames: [], timeline: [], periodicAt: 15000, lastRand: 0 };
  const host = makeHost(w, 'host', [ethernet(w, 2, 'eth0', '02:00:00:00:00:02', 'lan0', '10.0.0.2')]);
  host.gateway = '10.0.0.1';
  w.hosts.push(host);
  const peer = (name: string, ip: string, mac: string) => {
    const p = makeHost(w, name, [ethernet(w, 2, 'eth0', mac, 'lan0', ip)]);
    p.delay_ms = 0.2;
    w.hosts.push(p);
  };
  peer('gw', '10.0.0.1', '02:00:00:00:00:01');
  peer('peer3', '10.0.0.3', '02:00:00:00:00:03');
  peer('peer4', '10.0.0.4', '02:00:00:00:00:04');
  peer('peer5', '10.0.0.5', '02:00:00:00:00:05');
  return w;
}

export function findHost(w: World, name: string): SimHost | undefined {
  return w.hosts.find((h) => h.name === name);
}
