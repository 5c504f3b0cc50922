// The model's state, as types only: a virtual clock, hosts with links,
// addresses and neighbour tables, LAN segments that join links, frames in
// flight. Plain JSON-able data (it is what the state file holds); behaviour
// lives in the files named as the kernel's: neighbour.ts (the NUD state
// machine and neigh_add()), arp.ts, devinet.ts, addrconf.ts, dev.ts,
// rtnetlink.ts, kinds/ (link kinds), clock.ts and engine.ts (time), lan.ts
// (the topology and its peers).

/**
 * 4: a link's kind-specific state is in `info` and `slave` (upgrade.ts moves
 * format 3's flat fields there); 3: a neighbour table is stored as text
 * (table.ts); 2, rows, and 1, objects, are still read.
 */
import type { LinkStats } from './netstats.js';
export const STATE_VERSION = 4;

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
  /** NDTPA_ANYCAST_DELAY and NDTPA_INTERVAL_PROBE_TIME_MS (absent in older state files: the table's defaults). */
  anycast_delay_ms?: number;
  interval_probe_time_ms?: number;
}

/** The neighbour parameters of struct neigh_parms (NDTPA_*), without the IPv4 devconf values. */
export interface TableParms {
  base_reachable_time_ms: number;
  retrans_time_ms: number;
  gc_stale_time_ms: number;
  delay_first_probe_time_ms: number;
  unres_qlen: number;
  unres_qlen_bytes: number;
  app_solicit: number;
  ucast_solicit: number;
  mcast_solicit: number;
  mcast_resolicit: number;
  anycast_delay_ms: number;
  proxy_delay_ms: number;
  proxy_qlen: number;
  locktime_ms: number;
  interval_probe_time_ms: number;
}

/** struct neigh_statistics, summed (what NDTA_STATS reports). */
export interface NeighStats {
  allocs: number;
  destroys: number;
  hash_grows: number;
  res_failed: number;
  lookups: number;
  hits: number;
  rcv_probes_mcast: number;
  rcv_probes_ucast: number;
  periodic_gc_runs: number;
  forced_gc_runs: number;
  table_fulls: number;
}

/** A host's neighbour table (struct neigh_table): what `ntable` shows and changes beyond the devices' parms. */
export interface SimNeighTable {
  thresh1: number;
  thresh2: number;
  thresh3: number;
  gc_interval_ms: number;
  /** tbl->parms: the defaults a new device copies. */
  defaults: TableParms;
  reachable_time_ms: number;
  /** Virtual ms of the last forced gc (table creation before any). */
  lastFlush: number;
  /** The hash has 1 << hashShift buckets; hashRnd its key. */
  hashShift: number;
  hashRnd: number;
  stats: NeighStats;
  /**
   * The table's own xorshift32 state, for its draws (hash keys, the defaults'
   * and the IPv6 parms' reachable_time): the world's sequence, which the
   * IPv4 timers of older state files and scenarios depend on, stays as it was.
   */
  rng: number;
}

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

/** One route of the FIB (fib.ts): a fib_alias with its fib_info (IPv4), or a fib6_info (IPv6). Plain data: the state file keeps the added ones. */
export interface SimRoute {
  family: number;
  table: number;
  /** The destination, masked to plen, as text. */
  dst: string;
  plen: number;
  tos?: number;
  /** RTN_* */
  type: number;
  /** RTPROT_* */
  proto: number;
  /** RT_SCOPE_* (IPv6 reports universe). */
  scope: number;
  /** The metric (IPv4 fib_priority, IPv6 fib6_metric). */
  priority?: number;
  gateway?: string;
  /** The next hop's device (resolved from the gateway when not given). */
  oif?: number;
  prefsrc?: string;
  /** RTNH_F_ONLINK as asked. */
  flags?: number;
  /** RTA_METRICS: [RTAX_*, value] pairs in ascending order. */
  metrics?: [number, number][];
  /** IPv6 router preference (RTA_PREF). */
  pref?: number;
  /** Derived from an address (never stored). */
  kernel?: boolean;
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
  /** The device's IPv6 neighbour parms (in6_dev->nd_parms), made from ndisc_cache's defaults when first needed. */
  nd?: { params: Partial<TableParms>; reachable_time_ms: number };
  master?: number;
  /** IFLA_INFO_KIND (a kind of kinds/index.ts); absent for lo and the model's NICs. */
  kind?: string;
  /** The kind's own state, as its file under kinds/ types it (a veth's peer, a bond's slaves and monitor...). */
  info?: KindInfo;
  /** What the master's kind keeps on this link as its slave or port (a bond slave's MII status...). */
  slave?: SlaveInfo;
  /** IFLA_LINK: the device this one sits on (a macvlan's lower device). */
  link?: number;
  txqlen?: number;
  group?: number;
  alias?: string;
  linkmode?: number;
  promiscuity?: number;
  allmulti?: number;
  carrierChanges?: number;
  /** Traffic counters (netstats.ts); absent: nothing counted yet. */
  stats?: LinkStats;
  /** Has been up once (its qdisc then stays attached). */
  wasUp?: boolean;
  /** IN6_ADDR_GEN_MODE_* */
  addrGenMode?: number;
  /** IPv6 configured on the link (IF_READY: its link-local made); undefined in older state files. */
  inet6Ready?: boolean;
  /** When the link was made (virtual ms; IFLA_INET6_CACHEINFO's tstamp). */
  created?: number;
  /** The carrier last seen, to count changes of a derived carrier (veth, bridge, macvlan). */
  carrierSeen?: boolean;
}

/** A kind's state on its link: at least the options set with `type KIND ARGS` (IFLA_INFO_DATA as attribute bytes in hex). */
export interface KindInfo {
  data?: string;
}

/** A master kind's state on a slave: at least the options set with `type KIND_slave ARGS` (IFLA_INFO_SLAVE_DATA, hex). */
export interface SlaveInfo {
  data?: string;
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
  /** Hops left (absent: 64, a fresh packet); each forward takes one, as ip_forward does. */
  ttl?: number;
}

export interface SimHost {
  name: string;
  links: SimLink[];
  neighbours: SimNeighbour[];
  proxies: { family: number; ifindex: number; dst: string; flags: number; protocol: number }[];
  /** Default gateway of an older state file: read as a default route (fib.ts's adoptGateway). */
  gateway?: string;
  /** The routes added over rtnetlink, in their tables' order (the kernel's own are derived: fib.ts). */
  routes?: SimRoute[];
  /** The tables other than local and main that requests made, as [family, id] (a table stays when emptied). */
  tables?: [number, number][];
  /** Kernel-made routes deleted or replaced over rtnetlink, until the kernel makes them again (fib.ts). */
  suppressed?: (SimRoute & { untilUp?: boolean })[];
  /** A peer's behaviour: does it answer ARP, after how long. */
  silent?: boolean;
  delay_ms?: number;
  /** icmp_ratelimit: when this host last sent an ICMP error to each address. */
  icmpSent?: Record<string, number>;
  /** UDP datagrams received (Udp InDatagrams + NoPorts of /proc/net/snmp). */
  udpIn?: number;
  /** The host's neighbour tables (arp_cache, ndisc_cache), made when first needed. */
  ntables?: { arp?: SimNeighTable; nd?: SimNeighTable };
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
  /** Where in the kernel it happened: a kfn.ts key, or "caller>callee" (kernelTag() prints it). */
  fn?: string;
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
  /** The frames the hosts' links sent and received, with their bytes (capture.ts: a line a frame, bounded). */
  capture?: string;
}
