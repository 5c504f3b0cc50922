// What a link kind of the model is, as the kernel's struct rtnl_link_ops
// (newlink, changelink, dellink, fill_info, fill_slave_info, validate) plus
// the few net_device_ops and driver habits the model needs to tell kinds
// apart (ndo_open/ndo_stop, ndo_add_slave/ndo_del_slave, ndo_change_carrier,
// a carrier that follows other links, the limits the driver sets). One file
// per kind in this folder; kinds/index.ts lists them. dev.ts and
// rtnetlink.ts call these roles and never ask a link's kind by name.
import type { ArpFrame } from '../../wire/arp.js';
import type { Attrs, LinkAttr } from '../../wire/nlattr.js';
import { IFF_UP } from '../../wire/rtnl-constants.js';
import type { SimHost, SimLink, World } from '../world.js';
import type { Note, Where } from '../kfn.js';

export function isUp(l: SimLink): boolean {
  return (l.flags & IFF_UP) !== 0;
}

/** The model around a link, as a kind's code sees it (dev.ts makes it). */
export interface KindCtx {
  readonly w: World;
  readonly host: SimHost;
  /** Records a change with its cause, in the kernel's terms. */
  note: Note;
  /** The link of that index; ENODEV when there is none. */
  link(index: number): SimLink;
  /** netif_carrier_ok() of any link, by its kind's rule. */
  carrier(l: SimLink): boolean;
  /** alloc_netdev() for a link this kind brings along (a veth's peer): made, not yet listed. */
  alloc(name: string, kind: string, tb: Attrs): SimLink;
  /** dev_alloc_name(): the first free name of a pattern such as "veth%d". */
  freeName(pattern: string): string;
  /** The next free ifindex. */
  nextIndex(): number;
  /** Puts an ARP frame on a link's segment (a bond's gratuitous ARPs); absent, frames are only noted. */
  send?(link: SimLink, f: ArpFrame, why: string, fn: Where): void;
}

export interface LinkKindOps {
  /** IFLA_INFO_KIND. */
  readonly kind: string;
  /** The driver's MTU range (0, 0: none), its tx queues (numtxqueues) and TSO limit. */
  readonly minMtu: number;
  readonly maxMtu: number;
  readonly queues: number;
  readonly tsoMax: number;
  /** NETIF_F_NETNS_LOCAL: reported as IFLA_NETNS_IMMUTABLE. */
  readonly netnsLocal?: boolean;
  /** The driver never sets an operstate: UNKNOWN when up, until its carrier first changes (dummy). */
  readonly noOperstate?: boolean;
  /** Up without carrier is IF_OPER_LOWERLAYERDOWN (a device stacked on another). */
  readonly stacked?: boolean;
  /** The carrier follows other links (carrier()), and its changes are counted when seen. */
  readonly countsCarrier?: boolean;
  /** ndo_change_carrier: user space may set the carrier. */
  readonly changeCarrier?: boolean;
  /** rtnl_link_ops.validate: refuses a request before anything is made. */
  validate?(tb: Attrs, data: Uint8Array | undefined): void;
  /** rtnl_link_ops.newlink: `l` (allocated, not yet listed) takes the kind's settings; links it brings along it lists itself. */
  newlink(ctx: KindCtx, l: SimLink, tb: Attrs, data: Uint8Array | undefined): void;
  /** rtnl_link_ops.changelink; `keep` stores the new IFLA_INFO_DATA with the old (what every kind does). */
  changelink?(ctx: KindCtx, l: SimLink, data: Uint8Array, keep: () => void): void;
  /** rtnl_link_ops.dellink: the other links that go with this one (a veth's peer). */
  dellink?(ctx: KindCtx, l: SimLink): SimLink[];
  /** ndo_uninit, as the link is unregistered (a bond lets its slaves go). */
  uninit?(ctx: KindCtx, l: SimLink): void;
  /** rtnl_link_ops.fill_info: IFLA_INFO_DATA (absent: the data as set, if any). */
  fillInfo?(ctx: KindCtx, l: SimLink): LinkAttr[] | undefined;
  /** rtnl_link_ops.fill_slave_info, on the master's kind: IFLA_INFO_SLAVE_DATA of a slave. */
  fillSlaveInfo?(ctx: KindCtx, master: SimLink, slave: SimLink): LinkAttr[];
  /** ndo_add_slave / ndo_del_slave: a master kind takes and lets go of slaves. */
  addSlave?(ctx: KindCtx, master: SimLink, slave: SimLink): void;
  delSlave?(ctx: KindCtx, master: SimLink, slave: SimLink, unregistering: boolean): void;
  /** The master lets a slave that is being deleted go itself, as a NETDEV_UNREGISTER handler does. */
  readonly releasesUnregistered?: boolean;
  /** ndo_open / ndo_stop. */
  open?(ctx: KindCtx, l: SimLink): void;
  stop?(ctx: KindCtx, l: SimLink): void;
  /** What the kind says once the link went up or down (a veth: its peer's carrier). */
  upDown?(ctx: KindCtx, l: SimLink): void;
  /** netif_carrier_ok() of a kind whose carrier follows other links. */
  carrier?(ctx: KindCtx, l: SimLink): boolean;
  /** dev->needed_headroom: IFLA_HEADROOM (0 when absent). */
  headroom?(l: SimLink): number;
  /** ndo_get_iflink: IFLA_LINK. */
  iflink?(l: SimLink): number | undefined;
  /** IFLA_TSO_MAX_SIZE when it depends on other links (tsoMax otherwise). */
  tsoMaxSize?(ctx: KindCtx, l: SimLink, ofLink: (l: SimLink) => number): number;
}
