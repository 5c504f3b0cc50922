// Bonding in the model (drivers/net/bonding of 6.1, as seen in the VM lab),
// the driver's core as bond_main.c has it (its state is bond-state.ts; what
// a bond reports and the options it takes over netlink are kinds/bond.ts):
// the slaves taking the
// bond's MAC, and the MII monitor
// on the virtual clock: every miimon ms it inspects each slave's link and
// moves it through UP / FAIL (going down) / DOWN / BACK (going back) with
// the updelay and downdelay counted in ticks, then commits the changes and
// picks the active slave as bond_find_best_slave() does (primary,
// primary_reselect, prio). A new active slave in active-backup sends
// num_grat_arp gratuitous ARPs from the bond's IPv4 addresses on its segment.
// The driver's own messages go on the timeline.
import { ARPOP_REQUEST, type ArpFrame, BROADCAST_MAC, ipFromString, macFromString } from '../wire/arp.js';
import { AF_INET, IFF_SLAVE, IFF_UP } from '../wire/rtnl-constants.js';
import {
  type BondEnv, LINK_BACK, LINK_DOWN, LINK_FAIL, LINK_UP, MODE_8023AD, MODE_AB, MODE_XOR, type Params, RESELECT_ALWAYS, activeOf,
  bondOf, isBackup, isLb, linkOf, params, prio, setActiveFlags, setCarrier, setInactiveFlags, setLinkState, slaveIsUp, slaveOf,
  slavesOf, usesPrimary,
} from './bond-state.js';
import { activeAggregatorSlave, adLinkChange } from './bond-3ad.js';
import type { Where } from './kfn.js';
import type { SimHost, SimLink } from './world.js';

/**
 * bond_choose_primary_or_current(): the primary when its link is up (or the
 * UP slave of highest prio when it is not), unless primary_reselect keeps the
 * current one. The model knows no link speeds (every slave reports the same
 * unknown speed), so `better` keeps the current slave as `failure` does.
 */
function primaryOrCurrent(env: BondEnv, bond: SimLink, p: Params): SimLink | undefined {
  const slaves = slavesOf(env.host, bond);
  let prim = slaves.find((s) => s.index === bondOf(bond).primarySlave);
  const curr = activeOf(env.host, bond);
  const currUp = curr !== undefined && linkOf(curr) === LINK_UP;
  if (!prim || linkOf(prim) !== LINK_UP) {
    let best: SimLink | undefined;
    for (const s of slaves) if (linkOf(s) === LINK_UP && (!best || prio(s) > prio(best))) best = s;
    if (!best || best === curr) return currUp ? curr : undefined;
    prim = best;
  } else if (bondOf(bond).forcePrimary) {
    bondOf(bond).forcePrimary = false;
    return prim;
  }
  if (!currUp) return prim;
  return p.reselect === RESELECT_ALWAYS ? prim : curr;
}

/** bond_find_best_slave(): else the first UP slave, else the BACK slave closest to the end of its updelay. */
function findBest(env: BondEnv, bond: SimLink, p: Params): SimLink | undefined {
  const chosen = primaryOrCurrent(env, bond, p);
  if (chosen) return chosen;
  let best: SimLink | undefined, mintime = p.updelay;
  for (const s of slavesOf(env.host, bond)) {
    if (linkOf(s) === LINK_UP) return s;
    if (linkOf(s) === LINK_BACK && slaveIsUp(env, s) && (slaveOf(s).miiDelay ?? 0) < mintime) {
      mintime = slaveOf(s).miiDelay ?? 0;
      best = s;
    }
  }
  return best;
}

/** bond_select_active_slave(). */
export function selectActive(env: BondEnv, bond: SimLink, p: Params): void {
  const best = findBest(env, bond, p);
  if (best === activeOf(env.host, bond)) return;
  changeActive(env, bond, p, best);
  if (setCarrier(env.host, bond)) env.note(`${bond.name}: ${bond.carrier ? 'active interface up!' : 'now running without any active interface!'}`, ['bond_select_active_slave', 'bond_set_carrier']);
}

/** bond_should_notify_peers(): a notification is due, there is an active slave and the bond has carrier. */
export function shouldNotifyPeers(env: BondEnv, bond: SimLink, p: Params): boolean {
  const left = bondOf(bond).peerNotif ?? 0;
  return activeOf(env.host, bond) !== undefined && left > 0 && left % Math.max(1, p.peerNotifDelay) === 0 && bond.carrier;
}

function ipv4Of(l: SimLink): string[] {
  return l.addresses.filter((a) => a.family === AF_INET).map((a) => a.local);
}

/**
 * NETDEV_NOTIFY_PEERS: inetdev_send_gratuitous_arp() sends, for each IPv4
 * address of the bond, an ARP request for that address from it (target
 * hardware address zero), out of the active slave.
 */
export function notifyPeers(env: BondEnv, bond: SimLink, fn: Where = ['bond_change_active_slave', 'inetdev_send_gratuitous_arp']): void {
  const active = activeOf(env.host, bond);
  if (!active) return;
  for (const addr of ipv4Of(bond)) {
    const f: ArpFrame = {
      ethDst: BROADCAST_MAC, ethSrc: macFromString(bond.mac), op: ARPOP_REQUEST, sha: macFromString(bond.mac),
      spa: ipFromString(addr), tha: 0, tpa: ipFromString(addr),
    };
    const why = `gratuitous ARP for ${addr} from ${bond.name}`;
    if (env.send) env.send(active, f, why, fn);
    else env.note(`${active.name} sends a ${why}`, fn);
  }
}

/** bond_change_active_slave(): flags, the driver's message, and in active-backup the peer notifications. */
export function changeActive(env: BondEnv, bond: SimLink, p: Params, next: SimLink | undefined): void {
  const old = activeOf(env.host, bond);
  if (old === next) return;
  if (next) {
    slaveOf(next).lastLinkUp = env.w.now;
    if (linkOf(next) === LINK_BACK) {
      if (usesPrimary(p.mode)) {
        env.note(`${bond.name}: (slave ${next.name}): making interface the new active one ${(p.updelay - (slaveOf(next).miiDelay ?? 0)) * p.miimon} ms earlier`, 'bond_change_active_slave');
      }
      slaveOf(next).miiDelay = 0;
      setLinkState(next, LINK_UP);
    } else if (usesPrimary(p.mode)) {
      env.note(`${bond.name}: (slave ${next.name}): making interface the new active one`, 'bond_change_active_slave');
    }
  }
  bondOf(bond).activeSlave = next?.index;
  if (isLb(p.mode)) {
    if (old) setInactiveFlags(p.mode, old);
    if (next) setActiveFlags(next);
  }
  if (p.mode !== MODE_AB) return;
  if (old) setInactiveFlags(p.mode, old);
  if (!next) {
    env.note(`${bond.name}: active slave ${old?.name ?? 'none'} -> none`, 'bond_change_active_slave');
    return;
  }
  setActiveFlags(next);
  let should = false;
  if (bond.flags & IFF_UP) {
    bondOf(bond).peerNotif = p.numPeerNotif * Math.max(1, p.peerNotifDelay);
    should = shouldNotifyPeers(env, bond, p);
    if (should) bondOf(bond).peerNotif = (bondOf(bond).peerNotif ?? 0) - 1;
  }
  const count = bond.flags & IFF_UP ? notificationsDue(p, bondOf(bond).peerNotif ?? 0, should, env.inTick === true) : 0;
  const addrs = ipv4Of(bond);
  const garps = count && addrs.length ? `; ${count} gratuitous ARP${count > 1 ? 's' : ''} for ${addrs.length > 1 ? 'each of ' : ''}${addrs.join(' ')}` : '';
  env.note(`${bond.name}: active slave ${old?.name ?? 'none'} -> ${next.name}${garps}`, 'bond_change_active_slave');
  if (should) notifyPeers(env, bond);
}

/**
 * How many peer notifications a change of active slave gives: maybe one at
 * once, then one per tick whose count left divides by peer_notif_delay. The
 * MII monitor's tick that made the change counts one down without notifying
 * (its decision was taken before the change), so num_grat_arp 3 gives two;
 * the ARP monitor counts down only when it notifies, one a run, so every
 * one left is sent.
 */
function notificationsDue(p: Params, left: number, now: boolean, inTick: boolean): number {
  let sent = now ? 1 : 0;
  if (!p.miimon) return p.arpInterval ? sent + left : sent;
  for (let n = inTick ? left - 1 : left; n > 0; n--) if (n % Math.max(1, p.peerNotifDelay) === 0) sent++;
  return sent;
}

/** The speed and duplex the driver logs with "definitely up": a veth says 10000 full; others report none (0 Mbps, duplex unknown reads as full). */
function speedText(s: SimLink): string {
  return s.kind === 'veth' ? '10000 Mbps full duplex' : '0 Mbps full duplex';
}

/**
 * bond_miimon_inspect(): each slave's proposed new link state. A lost link
 * goes FAIL and then DOWN after downdelay ticks, a link that comes back goes
 * BACK and then UP after updelay ticks (at once when active-backup has no
 * active slave).
 */
function inspect(env: BondEnv, bond: SimLink, p: Params): Map<SimLink, number> {
  const slaves = slavesOf(env.host, bond);
  let ignoreUpdelay = p.mode === MODE_AB ? !activeOf(env.host, bond) : p.mode === MODE_XOR && !slaves.some((s) => linkOf(s) === LINK_UP);
  const proposed = new Map<SimLink, number>();
  const say = (s: SimLink, text: string) => env.note(`${bond.name}: (slave ${s.name}): ${text}`, ['bond_mii_monitor', 'bond_miimon_inspect']);
  for (const s of slaves) {
    const up = slaveIsUp(env, s);
    const state = linkOf(s);
    if (state === LINK_UP || state === LINK_FAIL) {
      if (state === LINK_UP) {
        if (up) continue;
        proposed.set(s, LINK_FAIL);
        slaveOf(s).miiDelay = p.downdelay;
        if (p.downdelay) {
          const which = p.mode === MODE_AB ? (isBackup(bond, s) ? 'backup ' : 'active ') : '';
          say(s, `link status down for ${which}interface, disabling it in ${p.downdelay * p.miimon} ms`);
        }
      }
      if (up) {
        proposed.set(s, LINK_UP);
        say(s, `link status up again after ${(p.downdelay - (slaveOf(s).miiDelay ?? 0)) * p.miimon} ms`);
      } else if ((slaveOf(s).miiDelay ?? 0) <= 0) proposed.set(s, LINK_DOWN);
      else slaveOf(s).miiDelay = (slaveOf(s).miiDelay ?? 0) - 1;
      continue;
    }
    if (state === LINK_DOWN) {
      if (!up) continue;
      proposed.set(s, LINK_BACK);
      slaveOf(s).miiDelay = p.updelay;
      if (p.updelay) say(s, `link status up, enabling it in ${ignoreUpdelay ? 0 : p.updelay * p.miimon} ms`);
    }
    if (!up) {
      proposed.set(s, LINK_DOWN);
      say(s, `link status down again after ${(p.updelay - (slaveOf(s).miiDelay ?? 0)) * p.miimon} ms`);
      continue;
    }
    if (ignoreUpdelay) slaveOf(s).miiDelay = 0;
    if ((slaveOf(s).miiDelay ?? 0) <= 0) {
      proposed.set(s, LINK_UP);
      ignoreUpdelay = false;
    } else slaveOf(s).miiDelay = (slaveOf(s).miiDelay ?? 0) - 1;
  }
  return proposed;
}

/** bond_miimon_commit(): slaves that went UP or DOWN, then a new active slave if needed, then the carrier. */
function commit(env: BondEnv, bond: SimLink, p: Params, proposed: Map<SimLink, number>): void {
  let failover = false;
  const primary = slavesOf(env.host, bond).find((s) => s.index === bondOf(bond).primarySlave);
  for (const s of slavesOf(env.host, bond)) {
    const st = proposed.get(s);
    if (st === LINK_UP) {
      if (p.mode === MODE_8023AD) slaveOf(s).bondBackup = true;
      else if (p.mode !== MODE_AB) setActiveFlags(s);
      env.note(`${bond.name}: (slave ${s.name}): link status definitely up, ${speedText(s)}`, ['bond_mii_monitor', 'bond_miimon_commit']);
      const active = activeOf(env.host, bond);
      if (!active || s === primary || prio(s) > prio(active)) failover = true;
    } else if (st === LINK_DOWN) {
      slaveOf(s).linkFailures = (slaveOf(s).linkFailures ?? 0) + 1;
      if (p.mode === MODE_AB || p.mode === MODE_8023AD) setInactiveFlags(p.mode, s);
      env.note(`${bond.name}: (slave ${s.name}): link status definitely down, disabling slave`, ['bond_mii_monitor', 'bond_miimon_commit']);
      if (s.index === bondOf(bond).activeSlave) failover = true;
    }
  }
  if (failover) selectActive(env, bond, p);
  setCarrier(env.host, bond);
}

/** One run of bond_mii_monitor(). */
function miiTick(env: BondEnv, bond: SimLink, p: Params): void {
  if (!slavesOf(env.host, bond).length) return;
  // Whether to notify is decided before the links are looked at; the count goes down after the commit.
  const should = shouldNotifyPeers(env, bond, p);
  const proposed = inspect(env, bond, p);
  if (proposed.size) {
    const aggBefore = activeAggregatorSlave(env.host, bond);
    for (const [s, st] of proposed) setLinkState(s, st);
    commit(env, bond, p, proposed);
    adLinkChange(env.host, bond, aggBefore, proposed);
  }
  if (bondOf(bond).peerNotif) {
    bondOf(bond).peerNotif = (bondOf(bond).peerNotif ?? 0) - 1;
    if (should) notifyPeers(env, bond);
  }
}

/** When the next MII monitor tick of one of the host's bonds is due (Infinity: none). */
export function bondTickAt(host: SimHost): number {
  let t = Infinity;
  for (const l of host.links) {
    const next = l.kind === 'bond' ? bondOf(l).miiNext : undefined;
    if (next !== undefined && next < t) t = next;
  }
  return t;
}

/** Runs the ticks due by now, each bond's next one miimon ms later. */
export function bondTicks(env: BondEnv): void {
  for (const bond of env.host.links) {
    const b = bond.kind === 'bond' ? bondOf(bond) : undefined;
    if (!b || b.miiNext === undefined || b.miiNext > env.w.now) continue;
    const p = params(bond);
    if (!p.miimon || !(bond.flags & IFF_UP)) {
      bondOf(bond).miiNext = undefined;
      continue;
    }
    miiTick({ ...env, inTick: true }, bond, p);
    while (b.miiNext <= env.w.now) b.miiNext += p.miimon;
  }
}

/** bond_open(): backup and active flags reset, the monitor's first tick at once. */
export function bondOpen(env: BondEnv, bond: SimLink): void {
  const p = params(bond);
  for (const s of slavesOf(env.host, bond)) {
    if (usesPrimary(p.mode) && s.index !== bondOf(bond).activeSlave) setInactiveFlags(p.mode, s);
    else if (p.mode !== MODE_8023AD) setActiveFlags(s);
  }
  bondOf(bond).miiNext = p.miimon ? env.w.now : undefined;
}

/** bond_close(): the monitor stops, pending peer notifications are dropped. */
export function bondClose(bond: SimLink): void {
  bondOf(bond).miiNext = undefined;
  bondOf(bond).peerNotif = 0;
}

/** bond_enslave(): the slave takes the bond's MAC (fail_over_mac none); a random-MAC bond takes its first slave's. */
export function enslave(env: BondEnv, bond: SimLink, slave: SimLink): void {
  const p = params(bond);
  if (slavesOf(env.host, bond).length <= 1 && bondOf(bond).randomMac) {
    bond.mac = slave.mac;
    bondOf(bond).randomMac = false;
  }
  slaveOf(slave).permMac = slave.mac;
  slave.mac = bond.mac;
  slave.flags |= IFF_SLAVE;
  slaveOf(slave).linkFailures = 0;
  slaveOf(slave).miiDelay = 0;
  // The initial link state: with miimon, the link as it is (BACK for updelay ticks); without, UP.
  let state = LINK_UP;
  if (p.miimon) {
    if (!slaveIsUp(env, slave)) state = LINK_DOWN;
    else if (p.updelay) {
      state = LINK_BACK;
      slaveOf(slave).miiDelay = p.updelay;
    }
  } else if (p.arpInterval && !env.carrier(slave)) state = LINK_DOWN;
  setLinkState(slave, state);
  if (usesPrimary(p.mode) && bondOf(bond).primaryName === slave.name) {
    bondOf(bond).primarySlave = slave.index;
    bondOf(bond).forcePrimary = true;
  }
  if (p.mode === MODE_AB || p.mode === MODE_8023AD || isLb(p.mode)) {
    if (isLb(p.mode)) setActiveFlags(slave);
    setInactiveFlags(p.mode, slave);
  } else {
    // Always active in the trunk modes.
    setActiveFlags(slave);
    if (!activeOf(env.host, bond) && state === LINK_UP) bondOf(bond).activeSlave = slave.index;
  }
  setCarrier(env.host, bond);
  if (usesPrimary(p.mode)) selectActive(env, bond, p);
  env.note(`${bond.name}: (slave ${slave.name}): Enslaving as ${isBackup(bond, slave) ? 'a backup' : 'an active'} interface with ${state !== LINK_DOWN ? 'an up' : 'a down'} link`, 'bond_enslave');
}

/**
 * __bond_release_one(): the slave leaves the list and gets its own MAC back;
 * an active slave's bond picks another. A bond being deleted says so in its
 * messages (netdev_printk's "(unregistering)").
 */
export function release(env: BondEnv, bond: SimLink, slave: SimLink, unregistering = false): void {
  const p = params(bond);
  // Flags first, so the driver calls even the active slave a backup one in active-backup.
  setInactiveFlags(p.mode, slave);
  const backup = isBackup(bond, slave);
  bondOf(bond).slaves = slavesOf(env.host, bond).map((s) => s.index).filter((i) => i !== slave.index);
  env.note(`${bond.name}${unregistering ? ' (unregistering)' : ''}: (slave ${slave.name}): Releasing ${backup ? 'backup' : 'active'} interface`, '__bond_release_one');
  if (bondOf(bond).primarySlave === slave.index) bondOf(bond).primarySlave = undefined;
  if (bondOf(bond).activeSlave === slave.index) {
    bondOf(bond).activeSlave = undefined;
    if (p.mode === MODE_AB) env.note(`${bond.name}: active slave ${slave.name} -> none`, ['__bond_release_one', 'bond_change_active_slave']);
    selectActive(env, bond, p);
  }
  setCarrier(env.host, bond);
  const perm = slaveOf(slave).permMac;
  if (perm) slave.mac = perm;
  slave.flags &= ~IFF_SLAVE;
  // The slave state goes; the bond_slave options stay until the master is gone (do_set_master).
  slave.slave = slave.slave?.data ? { data: slave.slave.data } : undefined;
}

