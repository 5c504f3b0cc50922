// The bonding driver's ARP monitor (drivers/net/bonding/bond_main.c of 6.1)
// on the model's virtual clock: every arp_interval ms bond_arp_monitor()
// runs bond_activebackup_arp_mon() (inspect, commit, probe) or
// bond_loadbalance_arp_mon(); probes are ARP requests for each
// arp_ip_target, sent from the active slave (active-backup; the slave
// being tried while there is none) or from every slave (the other modes).
// Frames a slave receives pass bond_rcv_validate() (the bond's recv_probe),
// which stamps the slave's last_rx (and the target's last ARP) as
// arp_validate asks. A slave whose probes get no answer within
// arp_missed_max intervals goes down, and the bond fails over, with the
// driver's own messages on the timeline. The option rules of
// bond_options.c / bond_changelink() for these settings are here too.
import { NetlinkError } from '../backend.js';
import { EACCES, EINVAL } from '../errno.js';
import { ARPOP_REPLY, ARPOP_REQUEST, type ArpFrame, BROADCAST_MAC, ipFromString, ipToString, macFromString } from '../wire/arp.js';
import { encodeAttrs, parseAttrs } from '../wire/nlattr.js';
import {
  AF_INET, IFF_UP, IFLA_BOND_ARP_ALL_TARGETS, IFLA_BOND_ARP_INTERVAL, IFLA_BOND_ARP_IP_TARGET, IFLA_BOND_ARP_VALIDATE,
  IFLA_BOND_MIIMON, IFLA_BOND_MISSED_MAX, IFLA_BOND_MODE,
} from '../wire/rtnl-constants.js';
import {
  type BondEnv, LINK_BACK, LINK_DOWN, LINK_FAIL, LINK_UP, MODE_8023AD, MODE_AB, MODE_ALB, MODE_TLB, activeOf, bondOf, le32, linkOf,
  params, prio, setActiveFlags, setCarrier, setInactiveFlags, setLinkState, settings, slaveIsUp, slaveOf, slavesOf,
} from './bond-state.js';
import { notifyPeers, selectActive, shouldNotifyPeers } from './bond.js';
import { routeFor } from './route.js';
import { hexBytes, toHex } from './text.js';
import type { SimHost, SimLink } from './world.js';
import type { KFn } from './kfn.js';

/** Debian's kernel counts jiffies at HZ 250: the monitor's windows are whole jiffies. */
const JIFFY_MS = 4;
/** BOND_MAX_ARP_TARGETS. */
export const MAX_ARP_TARGETS = 16;
/** BOND_ARP_VALIDATE_* bits, BOND_ARP_TARGETS_ALL. */
const VALIDATE_ACTIVE = 1, VALIDATE_BACKUP = 2, VALIDATE_FILTER = 4, TARGETS_ALL = 1;
const MODE_NAMES = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'];

/** What the ARP monitor keeps on struct bonding: its next run, current_arp_slave. */
interface ArpBond {
  arpNext?: number;
  arpSlave?: number;
}

/** What it keeps on struct slave (virtual ms): last_rx, last_tx, target_last_arp_rx[] (last_link_up is bond-state's). */
interface ArpSlave {
  lastRx?: number;
  lastTx?: number;
  lastLinkUp?: number;
  targetRx?: number[];
}

const arpBond = (b: SimLink) => bondOf(b) as ArpBond;
const arpSlave = (s: SimLink) => slaveOf(s) as ArpSlave;

/** bond->params as the ARP monitor reads them. */
export interface ArpParams {
  mode: number;
  interval: number;
  targets: string[];
  validate: number;
  allTargets: number;
  missedMax: number;
}

export function arpParams(bond: SimLink): ArpParams {
  const set = settings(bond);
  const u32 = (t: number) => (set.get(t) ? le32(set.get(t)!) : 0);
  return {
    mode: set.get(IFLA_BOND_MODE)?.[0] ?? 0, interval: u32(IFLA_BOND_ARP_INTERVAL), targets: targetsOf(set.get(IFLA_BOND_ARP_IP_TARGET)),
    validate: u32(IFLA_BOND_ARP_VALIDATE), allTargets: u32(IFLA_BOND_ARP_ALL_TARGETS), missedMax: set.get(IFLA_BOND_MISSED_MAX)?.[0] ?? 2,
  };
}

function targetsOf(nest: Uint8Array | undefined): string[] {
  if (!nest) return [];
  return [...parseAttrs(nest)].map(([, v]) => v).filter((v) => v.length >= 4).map((v) => ipToString((v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3]) >>> 0));
}

const jiffies = (ms: number) => Math.ceil(ms / JIFFY_MS);

/** bond_time_in_interval(): `last` lies within mod intervals (and half of one) of now. */
function inInterval(env: BondEnv, p: ArpParams, last: number | undefined, mod: number): boolean {
  const delta = jiffies(p.interval) * JIFFY_MS;
  const l = last ?? -Infinity;
  return env.w.now >= l - delta && env.w.now <= l + mod * delta + Math.floor(jiffies(p.interval) / 2) * JIFFY_MS;
}

/** slave_last_rx(): with arp_all_targets all, the oldest reply of any target. */
function lastRx(p: ArpParams, s: SimLink): number | undefined {
  const a = arpSlave(s);
  if (p.allTargets !== TARGETS_ALL) return a.lastRx;
  let t = a.targetRx?.[0];
  for (let i = 1; i < p.targets.length; i++) if ((a.targetRx?.[i] ?? -Infinity) < (t ?? -Infinity)) t = a.targetRx?.[i];
  return t;
}

const isActive = (s: SimLink) => slaveOf(s).bondBackup === false;

/** bond_enslave()'s ARP stamps: last_rx (and every target's, and last_tx) one interval and a jiffy ago; last_link_up now if the link is not down. */
export function arpEnslave(env: BondEnv, bond: SimLink, slave: SimLink): void {
  const p = arpParams(bond);
  const a = arpSlave(slave);
  a.lastRx = env.w.now - (jiffies(p.interval) + 1) * JIFFY_MS;
  a.lastTx = a.lastRx;
  a.targetRx = Array.from({ length: MAX_ARP_TARGETS }, () => a.lastRx!);
  if (linkOf(slave) !== LINK_DOWN) a.lastLinkUp = env.w.now;
}

/** bond_open(): the ARP monitor's first run at once (and bond_rcv_validate becomes the recv_probe). */
export function arpOpen(env: BondEnv, bond: SimLink): void {
  arpBond(bond).arpNext = arpParams(bond).interval ? env.w.now : undefined;
}

/** bond_close(): the monitor stops. */
export function arpClose(bond: SimLink): void {
  arpBond(bond).arpNext = undefined;
  arpBond(bond).arpSlave = undefined;
}

/** When the host's next ARP monitor run is due (Infinity: none). */
export function arpTickAt(host: SimHost): number {
  let t = Infinity;
  for (const l of host.links) {
    const next = l.kind === 'bond' ? arpBond(l).arpNext : undefined;
    if (next !== undefined && next < t) t = next;
  }
  return t;
}

/** bond_arp_monitor(): the runs due by now, each bond's next one arp_interval ms later. */
export function arpTicks(env: BondEnv): void {
  for (const bond of env.host.links) {
    const b = bond.kind === 'bond' ? arpBond(bond) : undefined;
    if (!b || b.arpNext === undefined || b.arpNext > env.w.now) continue;
    const p = arpParams(bond);
    if (!p.interval || !(bond.flags & IFF_UP)) {
      b.arpNext = undefined;
      continue;
    }
    if (slavesOf(env.host, bond).length) {
      if (p.mode === MODE_AB) abArpMon(env, bond, p);
      else loadbalanceArpMon(env, bond, p);
    }
    while (b.arpNext <= env.w.now) b.arpNext += jiffies(p.interval) * JIFFY_MS;
  }
}

const LB_FN = ['bond_arp_monitor', 'bond_loadbalance_arp_mon'] as const satisfies readonly KFn[];

const say = (env: BondEnv, bond: SimLink, s: SimLink, text: string, fn: Parameters<BondEnv['note']>[1]) =>
  env.note(`${bond.name}: (slave ${s.name}): ${text}`, fn);

/** bond_loadbalance_arp_mon(): every slave is judged by its own probes and what it received; every up slave probes. */
function loadbalanceArpMon(env: BondEnv, bond: SimLink, p: ArpParams): void {
  const old = activeOf(env.host, bond);
  const proposed = new Map<SimLink, number>();
  let failover = false;
  for (const s of slavesOf(env.host, bond)) {
    const a = arpSlave(s);
    if (linkOf(s) !== LINK_UP) {
      if (inInterval(env, p, a.lastTx, 1) && inInterval(env, p, a.lastRx, 1)) {
        proposed.set(s, LINK_UP);
        if (!old) {
          say(env, bond, s, 'link status definitely up', LB_FN);
          failover = true;
        } else say(env, bond, s, 'interface is now up', LB_FN);
      }
    } else if (!inInterval(env, p, a.lastTx, p.missedMax) || !inInterval(env, p, a.lastRx, p.missedMax)) {
      proposed.set(s, LINK_DOWN);
      slaveOf(s).linkFailures = (slaveOf(s).linkFailures ?? 0) + 1;
      say(env, bond, s, 'interface is now down', LB_FN);
      if (s === old) failover = true;
    }
    // In round-robin every link must send, or the replies would not reach every link.
    if (slaveIsUp(env, s)) sendAll(env, bond, s, p);
  }
  if (!proposed.size && !failover) return;
  for (const [s, st] of proposed) setLinkState(s, st);
  // bond_slave_state_change(): up slaves active, down ones backup.
  for (const s of slavesOf(env.host, bond)) {
    if (linkOf(s) === LINK_UP) setActiveFlags(s);
    else if (linkOf(s) === LINK_DOWN) setInactiveFlags(p.mode, s);
  }
  if (failover) selectActive(env, bond, params(bond));
}

/**
 * bond_activebackup_arp_mon(): inspect, commit what changed, then probe;
 * then the peer notification decided before the inspection (a change of
 * active slave made while the bond had no carrier notifies at the next run).
 */
function abArpMon(env: BondEnv, bond: SimLink, p: ArpParams): void {
  const should = shouldNotifyPeers(env, bond, params(bond));
  const proposed = abInspect(env, bond, p);
  if (proposed.size) abCommit(env, bond, p, proposed);
  abProbe(env, bond, p);
  if (should) {
    bondOf(bond).peerNotif = (bondOf(bond).peerNotif ?? 0) - 1;
    notifyPeers(env, bond, ['bond_arp_monitor', 'bond_activebackup_arp_mon', 'inetdev_send_gratuitous_arp']);
  }
}

/** bond_ab_arp_inspect(). */
function abInspect(env: BondEnv, bond: SimLink, p: ArpParams): Map<SimLink, number> {
  const proposed = new Map<SimLink, number>();
  for (const s of slavesOf(env.host, bond)) {
    const rx = lastRx(p, s);
    if (linkOf(s) !== LINK_UP) {
      if (inInterval(env, p, rx, 1)) proposed.set(s, LINK_UP);
      else if (linkOf(s) === LINK_BACK) proposed.set(s, LINK_FAIL);
      continue;
    }
    // Two intervals' grace after being enslaved or made active, for the replies to come.
    if (inInterval(env, p, arpSlave(s).lastLinkUp, 2)) continue;
    // A backup is down when no slave is being tried and it heard nothing for missed_max + 1 intervals.
    if (!isActive(s) && arpBond(bond).arpSlave === undefined && !inInterval(env, p, rx, p.missedMax + 1)) proposed.set(s, LINK_DOWN);
    // The active one is down when it sent or heard nothing for missed_max intervals.
    if (isActive(s) && (!inInterval(env, p, arpSlave(s).lastTx, p.missedMax) || !inInterval(env, p, rx, p.missedMax))) proposed.set(s, LINK_DOWN);
  }
  return proposed;
}

/** bond_ab_arp_commit(): every slave's new state first, then one new active slave if one is due (as the lab's driver does it). */
function abCommit(env: BondEnv, bond: SimLink, p: ArpParams, proposed: Map<SimLink, number>): void {
  const fn = ['bond_arp_monitor', 'bond_activebackup_arp_mon', 'bond_ab_arp_commit'] as const satisfies readonly KFn[];
  let failover = false;
  for (const s of slavesOf(env.host, bond)) {
    const st = proposed.get(s);
    if (st === LINK_UP) {
      const active = activeOf(env.host, bond);
      if (active !== s) {
        setLinkState(s, LINK_UP);
        const tried = slavesOf(env.host, bond).find((x) => x.index === arpBond(bond).arpSlave);
        if (tried) {
          setInactiveFlags(p.mode, tried);
          arpBond(bond).arpSlave = undefined;
        }
        say(env, bond, s, 'link status definitely up', fn);
        const primary = slavesOf(env.host, bond).find((x) => x.index === bondOf(bond).primarySlave);
        if (!active || s === primary || prio(s) > prio(active)) failover = true;
      }
    } else if (st === LINK_DOWN) {
      slaveOf(s).linkFailures = (slaveOf(s).linkFailures ?? 0) + 1;
      setLinkState(s, LINK_DOWN);
      setInactiveFlags(p.mode, s);
      say(env, bond, s, 'link status definitely down, disabling slave', fn);
      if (s === activeOf(env.host, bond)) {
        arpBond(bond).arpSlave = undefined;
        failover = true;
      }
    } else if (st === LINK_FAIL) {
      setLinkState(s, LINK_FAIL);
      setInactiveFlags(p.mode, s);
      // A slave just enslaved has become the active one: stop trying others.
      if (activeOf(env.host, bond)) arpBond(bond).arpSlave = undefined;
    }
  }
  if (failover) selectActive(env, bond, params(bond));
  setCarrier(env.host, bond);
}

/**
 * bond_ab_arp_probe(): the active slave probes; with none, the next slave
 * that is up after the one tried last is tried (BACK, active flags) and probes.
 */
function abProbe(env: BondEnv, bond: SimLink, p: ArpParams): void {
  const active = activeOf(env.host, bond);
  const slaves = slavesOf(env.host, bond);
  let tried = slaves.find((s) => s.index === arpBond(bond).arpSlave);
  if (tried && active) env.note(`${bond.name}: PROBE: c_arp ${tried.name} && cas ${active.name} BAD`, ['bond_arp_monitor', 'bond_ab_arp_probe']);
  if (active) {
    sendAll(env, bond, active, p);
    return;
  }
  tried ??= slaves[0];
  if (!tried) return;
  let before: SimLink | undefined, next: SimLink | undefined, found = false;
  for (const s of slaves) {
    if (!found && !before && slaveIsUp(env, s)) before = s;
    if (found && !next && slaveIsUp(env, s)) next = s;
    // A slave whose device went down while it was still UP is marked down here.
    if (!slaveIsUp(env, s) && linkOf(s) === LINK_UP) {
      setLinkState(s, LINK_DOWN);
      slaveOf(s).linkFailures = (slaveOf(s).linkFailures ?? 0) + 1;
      setInactiveFlags(p.mode, s);
      say(env, bond, s, 'backup interface is now down', ['bond_arp_monitor', 'bond_ab_arp_probe']);
    }
    if (s === tried) found = true;
  }
  next ??= before;
  if (!next) return;
  setLinkState(next, LINK_BACK);
  setActiveFlags(next);
  sendAll(env, bond, next, p);
  arpSlave(next).lastLinkUp = env.w.now;
  arpBond(bond).arpSlave = next.index;
}

/**
 * bond_arp_send_all(): for each target, the route to it must leave by the
 * bond (else no probe; with no route at all, a probe from 0.0.0.0); the
 * source is the bond's address on the target's subnet (bond_confirm_addr()).
 */
function sendAll(env: BondEnv, bond: SimLink, slave: SimLink, p: ArpParams): void {
  for (const target of p.targets) {
    const route = routeFor(env.host, target);
    let src = '0.0.0.0';
    if (route) {
      if (route.link !== bond) continue;
      src = confirmAddr(bond, target);
    }
    const f: ArpFrame = {
      ethDst: BROADCAST_MAC, ethSrc: macFromString(slave.mac), op: ARPOP_REQUEST, sha: macFromString(slave.mac),
      spa: ipFromString(src), tha: 0, tpa: ipFromString(target),
    };
    arpSlave(slave).lastTx = env.w.now;
    const why = `ARP monitor probe of ${bond.name} for ${target}`;
    const fn = ['bond_arp_monitor', 'bond_arp_send_all'] as const satisfies readonly KFn[];
    if (env.send) env.send(slave, f, why, fn);
    else env.note(`${slave.name} sends a ${why}`, fn);
  }
}

function ipNum(a: string): number {
  return ipFromString(a) >>> 0;
}

/** inet_confirm_addr(): the bond's address whose subnet holds the target, else its first one. */
function confirmAddr(bond: SimLink, target: string): string {
  const v4 = bond.addresses.filter((a) => a.family === AF_INET);
  const t = ipNum(target);
  const same = v4.find((a) => {
    const mask = a.prefixlen ? (~0 << (32 - a.prefixlen)) >>> 0 : 0;
    return ((ipNum(a.local) ^ t) & mask) === 0;
  });
  return (same ?? v4[0])?.local ?? '0.0.0.0';
}

/**
 * The bond's recv_probe (bond_rcv_validate()), for every frame a slave of an
 * ARP-monitored bond receives (`arp`: the frame is ARP; `pktHost`: to the
 * slave's own MAC, else broadcast). Called from the one place the model
 * hands a slave its frames (Engine.deliver).
 */
export function bondRecvProbe(env: BondEnv, slave: SimLink, arp: ArpFrame | undefined): void {
  const bond = slave.master !== undefined ? env.host.links.find((l) => l.index === slave.master) : undefined;
  if (!bond || bond.kind !== 'bond' || !(bond.flags & IFF_UP)) return;
  const p = arpParams(bond);
  if (!p.interval) return;
  const validates = (p.validate & (isActive(slave) ? VALIDATE_ACTIVE : VALIDATE_BACKUP)) !== 0;
  if (!validates) {
    // arp_validate filter*: only ARP counts as traffic on the slaves not validated.
    if (!(p.validate & VALIDATE_FILTER) || arp) arpSlave(slave).lastRx = env.w.now;
    return;
  }
  if (arp) arpRcv(env, bond, slave, arp, p);
}

/** bond_arp_rcv(): which ARP is trusted enough to validate, and which way round. */
function arpRcv(env: BondEnv, bond: SimLink, slave: SimLink, f: ArpFrame, p: ArpParams): void {
  const sip = ipToString(f.spa >>> 0), tip = ipToString(f.tpa >>> 0);
  const active = activeOf(env.host, bond);
  const tried = slavesOf(env.host, bond).find((s) => s.index === arpBond(bond).arpSlave);
  if (isActive(slave)) validateArp(env, bond, slave, sip, tip, p);
  // A backup hears the active slave's request through the switch: sender and target swapped.
  else if (active && (lastRx(p, active) ?? -Infinity) > (arpSlave(active).lastLinkUp ?? -Infinity)) validateArp(env, bond, slave, tip, sip, p);
  else if (tried && f.op === ARPOP_REPLY && inInterval(env, p, arpSlave(tried).lastTx, 1)) validateArp(env, bond, slave, sip, tip, p);
}

/** bond_validate_arp(): from one of the targets, to one of the bond's addresses. */
function validateArp(env: BondEnv, bond: SimLink, slave: SimLink, sip: string, tip: string, p: ArpParams): void {
  if (sip === '0.0.0.0' || !bond.addresses.some((a) => a.family === AF_INET && a.local === tip)) return;
  const i = p.targets.indexOf(sip);
  if (i < 0) return;
  const a = arpSlave(slave);
  a.lastRx = env.w.now;
  (a.targetRx ??= [])[i] = env.w.now;
}

// ---- the options (bond_changelink() and bond_options.c) ----

function setU32(bond: SimLink, type: number, value: number): void {
  const m = new Map<number, Uint8Array>();
  if (bondOf(bond).data) for (const [t, v] of parseAttrs(hexBytes(bondOf(bond).data!))) m.set(t, v);
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value, true);
  m.set(type, b);
  bondOf(bond).data = toHex(encodeAttrs([...m].map(([t, v]) => ({ type: t, kind: 'bytes' as const, value: v }))));
}

/**
 * The checks bond_changelink() and the options make before the ARP
 * settings of one request are taken: ARP monitoring or validating with
 * miimon in the same request; arp_interval and arp_validate not in 802.3ad,
 * balance-tlb or balance-alb; targets neither 0.0.0.0 nor 255.255.255.255, not repeated, at most 16;
 * arp_missed_max 1 to 255. `modeNow`: the mode once this request's is set;
 * `creating`: bond_newlink(), before the device is registered (netdev_err()
 * then names it "NAME (uninitialized)").
 */
export function arpCheckOptions(env: BondEnv, bond: SimLink, data: Uint8Array, modeNow: number, creating = false): void {
  const tb = parseAttrs(data);
  const name = `${bond.name}${creating ? ' (uninitialized)' : ''}`;
  const miimon = tb.get(IFLA_BOND_MIIMON) ? le32(tb.get(IFLA_BOND_MIIMON)!) : 0;
  const unsupported = [MODE_8023AD, MODE_TLB, MODE_ALB].includes(modeNow);
  const modeFails = (option: string): never => {
    env.note(`${name}: option ${option}: mode dependency failed, not supported in mode ${MODE_NAMES[modeNow]}(${modeNow})`, 'bond_changelink');
    throw new NetlinkError(EACCES, 'option not supported in mode');
  };
  const interval = tb.get(IFLA_BOND_ARP_INTERVAL);
  if (interval) {
    if (le32(interval) && miimon) throw new NetlinkError(EINVAL, 'ARP monitoring cannot be used with MII monitoring');
    if (unsupported) modeFails('arp_interval');
  }
  const nest = tb.get(IFLA_BOND_ARP_IP_TARGET);
  if (nest) {
    const seen: string[] = [];
    for (const [, v] of parseAttrs(nest)) {
      if (v.length < 4) throw new NetlinkError(EINVAL);
      const t = ipToString((v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3]) >>> 0);
      const fail = (text: string): never => {
        env.note(`${name}: ${text}`, 'bond_changelink');
        // bond_opt_error_interpret() shows the raw value: the address as a little-endian number.
        env.note(`${name}: option arp_ip_target: invalid value (${new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true)})`, 'bond_changelink');
        // The same -EINVAL sets the extack there too (the lab's 6.1.192 has the option extacks of 6.2).
        throw new NetlinkError(EINVAL, 'invalid option value');
      };
      // bond_is_ip_target_ok(): 0.0.0.0 and the limited broadcast only (0/8 is a usable range since 5.3).
      if (t === '0.0.0.0' || t === '255.255.255.255') fail(`invalid ARP target ${t} specified for addition`);
      if (seen.includes(t)) fail(`ARP target ${t} is already present`);
      if (seen.length >= MAX_ARP_TARGETS) fail('ARP target table is full!');
      seen.push(t);
    }
  }
  const validate = tb.get(IFLA_BOND_ARP_VALIDATE);
  if (validate) {
    if (le32(validate) && miimon) throw new NetlinkError(EINVAL, 'ARP validating cannot be used with MII monitoring');
    if (unsupported) modeFails('arp_validate');
  }
  const missed = tb.get(IFLA_BOND_MISSED_MAX);
  if (missed && missed[0] === 0) {
    env.note(`${name}: option arp_missed_max: invalid value (0)`, 'bond_changelink');
    env.note(`${name}: option arp_missed_max: allowed values 1 - 255`, 'bond_changelink');
    throw new NetlinkError(EINVAL, 'invalid option value');
  }
}

/**
 * What the options do once taken: arp_interval on turns miimon off, miimon
 * on turns the ARP monitor (and arp_validate) off, so does a mode without
 * it (which turns the MII monitor on); removing the last target
 * with arp_interval on is warned about; the ARP monitor (re)starts on an
 * open bond (the MII monitor's own restart is kinds/bond.ts's).
 */
export function arpApplyOptions(env: BondEnv, bond: SimLink, data: Uint8Array): void {
  const tb = parseAttrs(data);
  const interval = tb.get(IFLA_BOND_ARP_INTERVAL);
  const miimon = tb.get(IFLA_BOND_MIIMON);
  if (miimon && le32(miimon) && arpParams(bond).interval) {
    setU32(bond, IFLA_BOND_ARP_INTERVAL, 0);
    if (arpParams(bond).validate) setU32(bond, IFLA_BOND_ARP_VALIDATE, 0);
    arpBond(bond).arpNext = undefined;
  }
  if (interval && le32(interval)) {
    if (settings(bond).get(IFLA_BOND_MIIMON) && le32(settings(bond).get(IFLA_BOND_MIIMON)!)) {
      setU32(bond, IFLA_BOND_MIIMON, 0);
      bondOf(bond).miiNext = undefined;
    }
  }
  // bond_option_mode_set(): a mode without ARP monitoring turns it off, and the MII monitor on (100 ms) if it was off.
  const mode = tb.get(IFLA_BOND_MODE);
  // It also drops arp_validate whatever the mode ("don't cache arp_validate between modes"); one given in
  // the same request is set after the mode (bond_changelink()'s order) and stays.
  if (mode && !tb.get(IFLA_BOND_ARP_VALIDATE) && arpParams(bond).validate) setU32(bond, IFLA_BOND_ARP_VALIDATE, 0);
  if (mode && [MODE_8023AD, MODE_TLB, MODE_ALB].includes(mode[0])) {
    if (arpParams(bond).interval) setU32(bond, IFLA_BOND_ARP_INTERVAL, 0);
    if (!le32(settings(bond).get(IFLA_BOND_MIIMON) ?? new Uint8Array(4))) setU32(bond, IFLA_BOND_MIIMON, 100);
  }
  const nest = tb.get(IFLA_BOND_ARP_IP_TARGET);
  if (nest && !parseAttrs(nest).count && arpParams(bond).interval) env.note(`${bond.name}: Removing last arp target with arp_interval on`, 'bond_changelink');
  // The targets cleared and set again (bond_option_arp_ip_targets_clear(), _bond_option_arp_ip_target_add()):
  // every slave's last ARP from each target set is stamped now, so a new target has missed_max intervals to answer.
  if (nest) {
    const n = arpParams(bond).targets.length;
    for (const s of slavesOf(env.host, bond)) arpSlave(s).targetRx = Array.from({ length: MAX_ARP_TARGETS }, (_, i) => (i < n ? env.w.now : 0));
  }
  if (interval && bond.flags & IFF_UP) arpBond(bond).arpNext = le32(interval) ? env.w.now : undefined;
}
