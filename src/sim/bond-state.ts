// Bonding's state in the model, as the driver keeps it in struct bonding
// and struct slave: what the model stores on a bond (BondInfo) and on each
// slave (BondSlaveInfo), the settings read from IFLA_BOND_* as set, each
// slave's BOND_LINK_* and active/backup flags, the slave list, and the
// carrier the bond derives from its slaves. bond.ts runs the driver on it.
import type { ArpFrame } from '../wire/arp.js';
import { parseAttrs } from '../wire/nlattr.js';
import {
  IFF_UP, IFLA_BOND_ARP_INTERVAL, IFLA_BOND_DOWNDELAY, IFLA_BOND_MIIMON, IFLA_BOND_MODE, IFLA_BOND_NUM_PEER_NOTIF,
  IFLA_BOND_PEER_NOTIF_DELAY, IFLA_BOND_PRIMARY_RESELECT, IFLA_BOND_SLAVE_PRIO, IFLA_BOND_UPDELAY,
} from '../wire/rtnl-constants.js';
import { hexBytes } from './text.js';
import type { KindInfo, SimHost, SimLink, SlaveInfo, World } from './world.js';
import type { Note, Where } from './kfn.js';

export const MODE_AB = 1, MODE_XOR = 2, MODE_8023AD = 4, MODE_TLB = 5, MODE_ALB = 6;
/** BOND_STATE_ACTIVE/BACKUP. */
export const STATE_ACTIVE = 0, STATE_BACKUP = 1;
/** BOND_LINK_*: what IFLA_BOND_SLAVE_MII_STATUS carries (up, going down, down, going back). */
export const LINK_UP = 0, LINK_FAIL = 1, LINK_DOWN = 2, LINK_BACK = 3;
export const RESELECT_ALWAYS = 0;

/** struct bonding, as far as the model keeps it: what `type bond ...` set, the slaves, the monitor. */
export interface BondInfo extends KindInfo {
  /** The active slave, and whether the bond's MAC is still the random one it was made with. */
  activeSlave?: number;
  randomMac?: boolean;
  /** The slaves in enslave order (the driver's list; sysfs bonding/slaves). */
  slaves?: number[];
  /** The next MII monitor tick (virtual ms; undefined: not monitoring), peer notifications left to send. */
  miiNext?: number;
  peerNotif?: number;
  /** The primary: by name as set, the slave of that name once enslaved, and whether to force it in once. */
  primaryName?: string;
  primarySlave?: number;
  forcePrimary?: boolean;
}

/** struct slave: its own MAC (it wears the bond's), BOND_LINK_* and the ticks left of its delay, failures, backup flag. */
export interface BondSlaveInfo extends SlaveInfo {
  permMac?: string;
  /** MII status of state files before miiState (true: up). */
  miiUp?: boolean;
  linkFailures?: number;
  miiState?: number;
  miiDelay?: number;
  bondBackup?: boolean;
  /** last_link_up (virtual ms): when the slave was enslaved up or last made active (the ARP monitor's grace). */
  lastLinkUp?: number;
}

export function bondOf(l: SimLink): BondInfo {
  return (l.info ??= {}) as BondInfo;
}

export function slaveOf(l: SimLink): BondSlaveInfo {
  return (l.slave ??= {}) as BondSlaveInfo;
}

/** What the bonding code needs of the model: the clock, a place for its messages, a way onto a segment. */
export interface BondEnv {
  w: World;
  host: SimHost;
  note: Note;
  /** netif_carrier_ok() of a link (dev.ts knows each kind's rule). */
  carrier: (l: SimLink) => boolean;
  /** Puts an ARP frame on a slave's segment (Engine.send); absent, the frame is only noted. */
  send?: (slave: SimLink, f: ArpFrame, why: string, fn: Where) => void;
  /** Set while the MII monitor runs (a failover there loses one peer notification to that same tick). */
  inTick?: boolean;
}

/** The bond's settings: the driver's defaults, then what `type bond ...` / `bond add` set. */
export function settings(bond: SimLink): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  const data = bond.info?.data;
  if (data) for (const [t, v] of parseAttrs(hexBytes(data))) m.set(t, v);
  return m;
}

export function le32(v: Uint8Array): number {
  return (v[0] | (v[1] << 8) | (v[2] << 16) | (v[3] << 24)) >>> 0;
}

export function bondMode(bond: SimLink): number {
  return settings(bond).get(IFLA_BOND_MODE)?.[0] ?? 0;
}

/** bond->params: the delays are kept in monitor ticks (ms / miimon), as the driver keeps them. */
export interface Params {
  mode: number;
  miimon: number;
  updelay: number;
  downdelay: number;
  reselect: number;
  numPeerNotif: number;
  peerNotifDelay: number;
  arpInterval: number;
}

export function params(bond: SimLink): Params {
  const set = settings(bond);
  const u32 = (t: number, def: number) => (set.get(t) ? le32(set.get(t)!) : def);
  const miimon = u32(IFLA_BOND_MIIMON, 0);
  const ticks = (ms: number) => (miimon ? Math.floor(ms / miimon) : 0);
  return {
    mode: set.get(IFLA_BOND_MODE)?.[0] ?? 0, miimon, updelay: ticks(u32(IFLA_BOND_UPDELAY, 0)), downdelay: ticks(u32(IFLA_BOND_DOWNDELAY, 0)),
    reselect: set.get(IFLA_BOND_PRIMARY_RESELECT)?.[0] ?? RESELECT_ALWAYS, numPeerNotif: set.get(IFLA_BOND_NUM_PEER_NOTIF)?.[0] ?? 1,
    peerNotifDelay: ticks(u32(IFLA_BOND_PEER_NOTIF_DELAY, 0)), arpInterval: u32(IFLA_BOND_ARP_INTERVAL, 0),
  };
}

export const usesPrimary = (mode: number) => mode === MODE_AB || mode === MODE_TLB || mode === MODE_ALB;
export const isLb = (mode: number) => mode === MODE_TLB || mode === MODE_ALB;

/** A slave's BOND_LINK_*; a state file from before the monitor had only up or down. */
export function linkOf(s: SimLink): number {
  return slaveOf(s).miiState ?? (slaveOf(s).miiUp === false ? LINK_DOWN : LINK_UP);
}

export function setLinkState(s: SimLink, v: number): void {
  slaveOf(s).miiState = v;
  slaveOf(s).miiUp = undefined;
}

export function isBackup(bond: SimLink, s: SimLink): boolean {
  const backup = slaveOf(s).bondBackup;
  if (backup !== undefined) return backup;
  return bondMode(bond) === MODE_AB ? bondOf(bond).activeSlave !== s.index : linkOf(s) !== LINK_UP;
}

export function setActiveFlags(s: SimLink): void {
  slaveOf(s).bondBackup = false;
}

/** bond_set_slave_inactive_flags(): the load-balancing modes keep the slave's state. */
export function setInactiveFlags(mode: number, s: SimLink): void {
  if (!isLb(mode)) slaveOf(s).bondBackup = true;
}

/** The bond's slaves in the driver's list order (enslave order). */
export function slavesOf(host: SimHost, bond: SimLink): SimLink[] {
  const order = bondOf(bond).slaves ?? host.links.filter((l) => l.master === bond.index).map((l) => l.index);
  return order.map((i) => host.links.find((l) => l.index === i)).filter((l): l is SimLink => l?.master === bond.index);
}

export function activeOf(host: SimHost, bond: SimLink): SimLink | undefined {
  return bondOf(bond).activeSlave === undefined ? undefined : slavesOf(host, bond).find((s) => s.index === bondOf(bond).activeSlave);
}

/** bond_slave_is_up(): running with carrier. */
export function slaveIsUp(env: BondEnv, s: SimLink): boolean {
  return (s.flags & IFF_UP) !== 0 && env.carrier(s);
}

export function prio(s: SimLink): number {
  const v = s.slave?.data ? parseAttrs(hexBytes(s.slave?.data)).get(IFLA_BOND_SLAVE_PRIO) : undefined;
  return v ? le32(v) | 0 : 0;
}

/** The bond has carrier while a slave's link is UP (bond_set_carrier(); FAIL and BACK do not count). */
export function bondCarrier(host: SimHost, bond: SimLink): boolean {
  return slavesOf(host, bond).some((s) => linkOf(s) === LINK_UP);
}

/** bond_set_carrier(): whether the carrier changed. */
export function setCarrier(host: SimHost, bond: SimLink): boolean {
  const c = bondCarrier(host, bond);
  const changed = c !== bond.carrier;
  bond.carrier = c;
  return changed;
}
