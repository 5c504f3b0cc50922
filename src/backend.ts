import type { ArpingPort } from './arping/port.js';
import type { Attrs, LinkAttr } from './wire/nlattr.js';
import type { NeighbourView } from './wire/nlmsg.js';

// The port between the iproute2 front (src/ip) and what answers it: the real
// kernel (src/kernel) or the model (src/sim). The front never knows which.
// Values mirror the kernel's structures (ndmsg, nda_cacheinfo, ...) so that
// both implementations answer the same questions with the same numbers.

/** A request the kernel (or the model) refused: errno plus extended-ACK text. */
export class NetlinkError extends Error {
  constructor(readonly errno: number, readonly extack?: string, context?: string) {
    super(`${context ? context + ': ' : ''}errno ${errno}${extack ? ` (${extack})` : ''}`);
  }
}

// The kernel's numbers live in the rtnetlink codec (src/wire/rtnl-constants.ts).
// Re-exported here for the front and the model until they import them from there.
export {
  AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_PACKET, AF_UNSPEC,
  NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_NOARP, NUD_NONE, NUD_PERMANENT, NUD_PROBE, NUD_REACHABLE, NUD_STALE,
  NTF_EXT_LEARNED, NTF_EXT_MANAGED, NTF_MASTER, NTF_OFFLOADED, NTF_PROXY, NTF_ROUTER, NTF_SELF, NTF_STICKY, NTF_USE,
  NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH,
} from './wire/rtnl-constants.js';

/** One neighbour entry as RTM_NEWNEIGH describes it. */
export interface Neighbour {
  family: number;
  ifindex: number;
  state: number;
  flags: number;
  type: number;
  dst?: Uint8Array;
  lladdr?: Uint8Array;
  /**
   * dst and lladdr as ip prints them, from a backend that holds them as
   * text (the model): the printer takes these instead of the bytes.
   */
  dstText?: string;
  lladdrText?: string;
  /** nda_cacheinfo, in USER_HZ ticks (1/100 s) as the kernel reports them. */
  cacheinfo?: { confirmed: number; used: number; updated: number; refcnt: number };
  probes?: number;
  protocol?: number;
  flagsExt?: number;
}

/** RTM_NEWNEIGH/RTM_DELNEIGH request: `nlFlags` are NLM_F_CREATE/EXCL/REPLACE. */
export interface NeighbourChange {
  family: number;
  ifindex: number;
  state: number;
  flags: number;
  dst: Uint8Array;
  lladdr?: Uint8Array;
  protocol?: number;
  flagsExt?: number;
}

/** What a neighbour dump asks the kernel to filter (the rest is filtered in the front). */
export interface NeighbourDumpFilter {
  family: number;
  ifindex?: number;
  master?: number;
  /** ndm_flags of the request: NTF_PROXY asks for the proxy table. */
  ndmFlags?: number;
}

/** The part of a link the neighbour front needs (names, types for lladdr format). */
export interface LinkRef {
  index: number;
  name: string;
  /** ARPHRD_* */
  type: number;
  flags: number;
  master?: number;
  kind?: string;
  /** IFLA_ADDRESS and IFLA_BROADCAST. */
  address?: Uint8Array;
  broadcast?: Uint8Array;
}

/** A link with its linkinfo (IFLA_LINKINFO), as `tsnet bond` and the -d printers read it. */
export interface BondLink extends LinkRef {
  operstate?: number;
  /** IFLA_CARRIER: netif_carrier_ok(), also when the link is down. */
  carrier?: boolean;
  permAddress?: Uint8Array;
  /** IFLA_INFO_KIND / IFLA_INFO_DATA. */
  data?: Attrs;
  /** IFLA_INFO_SLAVE_KIND / IFLA_INFO_SLAVE_DATA. */
  slaveKind?: string;
  slaveData?: Attrs;
}

/** What `ip link set` changes; only the given fields are sent. */
export interface LinkChange {
  up?: boolean;
  /** IFLA_MASTER: a bond's index, or 0 for nomaster. */
  master?: number;
  kind?: string;
  data?: LinkAttr[];
  /** The `type` word ip sends for slave options, e.g. "bond_slave". */
  slaveKind?: string;
  slaveData?: LinkAttr[];
}

/** What `monitor` listens to (the rtnetlink multicast groups ip monitor joins). */
export interface MonitorTopics {
  link: boolean;
  addr4: boolean;
  addr6: boolean;
  neigh: boolean;
  /** RTNLGRP_IPV4_ROUTE / RTNLGRP_IPV6_ROUTE. */
  route4?: boolean;
  route6?: boolean;
}

/** One notification. `msgType` is the RTM_* type (new, del, or get for a neighbour miss). */
export type MonitorEvent =
  | { object: 'neigh'; msgType: number; neighbour: Neighbour }
  /** RTM_NEWLINK/DELLINK, RTM_NEWADDR/DELADDR and RTM_NEWROUTE/DELROUTE (and, from a saved file, RTM_NEWNETCONF/DELNETCONF), as the raw message the printers read. */
  | { object: 'link' | 'addr' | 'route' | 'netconf'; msgType: number; message: RtMessage };

export interface Watch {
  /** Settles when the watch is stopped. */
  done: Promise<void>;
  stop(): void;
}

/**
 * An rtnetlink request as ip builds it: the message type and flags, the
 * fixed header that follows nlmsghdr (ifinfomsg, ifaddrmsg, ...) and the
 * attributes in ip's order. The kernel backend sends exactly these bytes; the
 * model decodes the same structure, so both answer the same request.
 */
export interface RtRequest {
  /** RTM_* */
  type: number;
  /** NLM_F_CREATE/EXCL/REPLACE (NLM_F_REQUEST, ACK and DUMP are added by the backend). */
  flags: number;
  header: Uint8Array;
  attrs: LinkAttr[];
}

/** One message of an answer: its type, fixed header and top-level attributes (copies, safe to keep). */
export interface RtMessage {
  type: number;
  /** nlmsg_flags as received (NLM_F_MULTI, NLM_F_DUMP_FILTERED); `ip addr save` keeps them. */
  nlFlags?: number;
  header: Uint8Array;
  attrs: Attrs;
}

/**
 * `tsnet netns`: the named network namespaces (ip netns: files under
 * /run/netns), or the model's hosts. A step that fails writes ip's line
 * through `err` and returns false; the front turns that into ip's status.
 */
export interface NetnsPort {
  /** The names in the directory's own order (ip lists readdir()'s order); undefined when there is no directory. */
  names(): string[] | undefined;
  /** The nsid this namespace knows NAME by (RTM_GETNSID): -1 when it has none or NAME cannot be opened; throws NetlinkError when refused. */
  nsidOf(name: string): number;
  /** netns_add(): a new namespace (pid undefined) or PID's (attach) bound to NAME. */
  add(name: string, pid: number | undefined, err: (line: string) => void): boolean;
  /** on_netns_del(): unmounts and removes NAME. */
  remove(name: string, err: (line: string) => void): boolean;
  /** RTM_NEWNSID for NAME (-1: the kernel picks); throws NetlinkError as the kernel refuses. */
  setNsid(name: string, nsid: number, err: (line: string) => void): boolean;
  /** The name bound to PID's (or "self"'s) namespace, '' when none; undefined after an error. */
  identify(pid: string, err: (line: string) => void): string | undefined;
  /** The pids in namespace NAME; undefined after an error. */
  pids(name: string, err: (line: string) => void): string[] | undefined;
  /**
   * Runs argv in namespace NAME as `ip netns exec` does; its exit status,
   * 'setup' when entering the namespace failed, or the signal that ended it.
   */
  exec(name: string, argv: string[], err: (line: string) => void): number | 'setup' | { signal: string };
  /**
   * netns_monitor(): hands over each name made or removed in the directory
   * ("add NAME", "delete NAME"); never settles unless it fails (false, after ip's line).
   */
  monitor?(each: (event: 'add' | 'delete', name: string) => void, err: (line: string) => void): Promise<boolean>;
  /**
   * The model only: host NAME's backend on this run's model (`netns exec NAME
   * tsnet ...` runs there); undefined, after ip's line, when there is no such host.
   */
  modelHost?(name: string, err: (line: string) => void): Backend | undefined;
}

export interface Backend {
  /** All links, index order. The front caches name/index lookups over this. */
  links(): LinkRef[];
  /**
   * Streams a neighbour dump to `each`. The entry's byte arrays may be views
   * into a receive buffer: copy what you keep beyond the callback.
   */
  neighbourDump(filter: NeighbourDumpFilter, each: (n: Neighbour) => void): void;
  /**
   * neighbourDump for a listing that keeps nothing: each message read in place
   * by one NeighbourView, reused for the next (a 10,000-entry `neigh show`).
   * Optional: neighbourDump serves where it is absent (the model).
   */
  neighbourDumpInPlace?(filter: NeighbourDumpFilter, each: (v: NeighbourView) => void): void;
  /** RTM_GETNEIGH for one entry; throws NetlinkError (ENOENT) when missing. */
  neighbourGet(family: number, ifindex: number, dst: Uint8Array, ndmFlags: number): Neighbour;
  neighbourAdd(change: NeighbourChange, nlFlags: number): void;
  neighbourDelete(change: NeighbourChange): void;
  /** Deletes entries one by one as a flush does; returns after all or throws the first failure. */
  neighbourFlush(entries: Neighbour[]): void;
  /**
   * Streams notifications until stopped. `onLost` hears that the kernel
   * dropped events (socket overflow) with the errno; listening goes on.
   */
  watch?(topics: MonitorTopics, each: (e: MonitorEvent) => void, onLost: (errno: number) => void): Watch;
  /** Sends a dump request (NLM_F_DUMP) and hands over each answer, in the kernel's order. */
  rtDump?(req: RtRequest, each: (m: RtMessage) => void): void;
  /**
   * rtDump for a listing that keeps nothing: the message handed to `each`
   * (its header and attributes too) is reused for the next one, so a dump of
   * 10,000 routes allocates next to nothing per message. Optional: rtDump
   * serves where it is absent.
   */
  rtDumpTransient?(req: RtRequest, each: (m: RtMessage) => void): void;
  /**
   * rtDump for a printer that reads each answer in place: the message's bytes
   * at buf[off, off+len), valid during the call only (a 1,000-address listing).
   * Optional: rtDump serves where it is absent (the model).
   */
  rtDumpInPlace?(req: RtRequest, each: (buf: Uint8Array, off: number, len: number) => void): void;
  /** Sends a request and waits for the ACK; returns the answers (RTM_GETLINK); throws NetlinkError. */
  rtRequest?(req: RtRequest): RtMessage[];
  /** The text of a file of the running system (/proc/net/bonding/X, sysfs); undefined when absent. */
  readSystemFile?(path: string): string | undefined;
  /** What `tsnet arping` sends and receives through. */
  arpingPort?(): ArpingPort;
  /** The network namespaces commands may name (`-n`, `link set netns`): /run/netns, or the model's hosts. */
  namespaces?(): string[];
  /** netns_get_fd(): an open descriptor of namespace NAME (or a path) for IFLA_NET_NS_FD; undefined when none. */
  namespaceFd?(name: string): number | undefined;
  /**
   * get_name_from_nsid(): the name of the namespace the kernel knows by this nsid, or undefined.
   * `refused` hears the kernel's refusal of a /run/netns entry (netns_map_init prints each one).
   */
  namespaceOfNsid?(nsid: number, refused?: (e: NetlinkError) => void): string | undefined;
  /** `tsnet netns`'s port (see NetnsPort). */
  netns?(): NetnsPort;
  /** The model only: runs a `tsnet sim` command; returns its exit status. */
  simulate?(words: string[], write: (text: string) => void, view?: SimView): number;
  /**
   * Ends the run; `failed`: the command failed, and the model keeps nothing
   * of it (the kernel has applied what it applied). Throws when the model
   * cannot save what the command changed.
   */
  close(failed?: boolean): void;
}

/** How `tsnet sim` prints its views: -j JSON (-p pretty), and on a terminal tables the front draws and its width. */
export interface SimView {
  json?: boolean;
  pretty?: boolean;
  /** Draws a table (header, rows) for a terminal; plain columns without it. */
  table?: (head: string[], rows: string[][]) => string;
  /** The terminal's width, for the chart. */
  columns?: number;
}
