// bond (drivers/net/bonding: bond_netlink.c and bond_options.c): what a
// bond and its slaves report (IFLA_BOND_* with the driver's defaults,
// IFLA_BOND_SLAVE_*), the options that act at once when set, and the
// bond's roles as a link kind. The driver itself (enslaving, the MII
// monitor, the active slave) is ../bond.ts.
import { NetlinkError } from '../../backend.js';
import { EINVAL, ENODEV, EPERM } from '../../errno.js';
import { type LinkAttr, encodeAttrs, parseAttrs } from '../../wire/nlattr.js';
import {
  IFF_MASTER, IFF_SLAVE, IFF_UP, IFLA_BOND_ACTIVE_SLAVE, IFLA_BOND_ARP_IP_TARGET, IFLA_BOND_MIIMON, IFLA_BOND_MODE, IFLA_BOND_PRIMARY, IFLA_BOND_PRIMARY_RESELECT,
} from '../../wire/rtnl-constants.js';
import { bondClose, bondOpen, changeActive, enslave, release, selectActive } from '../bond.js';
import { adBondAttrs, adEnslave, adSlaveAttrs, adSlaveBackup } from '../bond-3ad.js';
import { arpApplyOptions, arpCheckOptions, arpClose, arpEnslave, arpOpen } from '../bond-arpmon.js';
import {
  type BondEnv, LINK_UP, type Params, STATE_ACTIVE, STATE_BACKUP, activeOf, bondCarrier, bondMode, bondOf, isBackup, le32, linkOf,
  params, settings, slaveIsUp, slaveOf, slavesOf, usesPrimary,
} from '../bond-state.js';
import { hexBytes, macBytes, toHex } from '../text.js';
import type { SimHost, SimLink } from '../world.js';
import { type LinkKindOps, isUp } from './ops.js';

/** TSO_MAX_SIZE: a bond's limit once a slave came or went, before the slaves' own. */
const TSO_MAX_SIZE = 524280;

/** IFLA_BOND_* as bond_fill_info() reports them (defaults of a new bond, as the lab's driver shows). */
function bondData(host: SimHost, bond: SimLink): LinkAttr[] {
  const set = settings(bond);
  const u8 = (type: number, def: number): LinkAttr => ({ type, kind: 'u8', value: set.get(type)?.[0] ?? def });
  const u32 = (type: number, def: number): LinkAttr => {
    const v = set.get(type);
    return { type, kind: 'u32', value: v ? le32(v) : def };
  };
  const out: LinkAttr[] = [u8(1, 0)];
  const active = usesPrimary(bondMode(bond)) ? activeOf(host, bond) : undefined;
  if (active) out.push({ type: IFLA_BOND_ACTIVE_SLAVE, kind: 'u32', value: active.index });
  out.push(u32(3, 0), u32(4, 0), u32(5, 0), u32(28, 0), u8(6, 1), u32(7, 0), u8(30, 2));
  // The targets in their table's slots, the nest left out when there is none (nla_nest_cancel()).
  const targets = [...parseAttrs(set.get(IFLA_BOND_ARP_IP_TARGET) ?? new Uint8Array(0))].map(([, v]) => v);
  if (targets.length) out.push({ type: IFLA_BOND_ARP_IP_TARGET, kind: 'bytes', value: encodeAttrs(targets.map((value, type) => ({ type, kind: 'bytes', value }))) });
  out.push(u32(9, 0), u32(10, 0));
  // The primary is reported only once a slave of that name is enslaved (bond->primary_slave).
  const primary = slavesOf(host, bond).find((s) => s.index === bondOf(bond).primarySlave);
  if (primary) out.push({ type: IFLA_BOND_PRIMARY, kind: 'u32', value: primary.index });
  out.push(u8(12, 0), u8(13, 0), u8(14, 0), u32(15, 1), u8(16, 1), u8(17, 0), u32(18, 0), u32(19, 1), u32(20, 1),
    u8(29, 1), u8(21, 0), u8(22, 0), u8(27, 1));
  out.push(...adBondAttrs(host, bond));
  return out;
}

/** IFLA_BOND_SLAVE_* of one slave. */
function bondSlaveData(host: SimHost, bond: SimLink, slave: SimLink): LinkAttr[] {
  const set = slave.slave?.data ? parseAttrs(hexBytes(slave.slave?.data)) : undefined;
  return [
    { type: 1, kind: 'u8', value: (adSlaveBackup(host, bond, slave) ?? isBackup(bond, slave)) ? STATE_BACKUP : STATE_ACTIVE },
    { type: 2, kind: 'u8', value: linkOf(slave) },
    { type: 3, kind: 'u32', value: slaveOf(slave).linkFailures ?? 0 },
    { type: 4, kind: 'bytes', value: macBytes(slaveOf(slave).permMac ?? slave.mac) },
    { type: 5, kind: 'bytes', value: set?.get(5) ?? Uint8Array.of(0, 0) },
    { type: 9, kind: 'bytes', value: set?.get(9) ?? Uint8Array.of(0, 0, 0, 0) },
    ...adSlaveAttrs(host, bond, slave),
  ];
}

/**
 * bond_changelink() for what acts at once: active_slave (before the other
 * settings are taken, as the driver refuses before them), then, once `apply`
 * has stored the settings, miimon (the monitor restarts), primary and
 * primary_reselect (both reselect the active slave).
 */
function changeLink(env: BondEnv, bond: SimLink, data: Uint8Array, apply: () => void, creating = false): void {
  const tb = parseAttrs(data);
  const active = tb.get(IFLA_BOND_ACTIVE_SLAVE);
  if (active) setActiveSlave(env, bond, le32(active));
  const mode = tb.get(IFLA_BOND_MODE);
  arpCheckOptions(env, bond, data, mode ? mode[0] : bondMode(bond), creating);
  apply();
  arpApplyOptions(env, bond, data);
  const p = params(bond);
  if (tb.has(IFLA_BOND_MIIMON) && bond.flags & IFF_UP) bondOf(bond).miiNext = p.miimon ? env.w.now : undefined;
  const primary = tb.get(IFLA_BOND_PRIMARY);
  if (primary) setPrimary(env, bond, p, le32(primary));
  if (tb.has(IFLA_BOND_PRIMARY_RESELECT)) selectActive(env, bond, p);
}

/** bond_option_active_slave_set(): only a slave of this bond whose link is UP, and only when there is an active one. */
function setActiveSlave(env: BondEnv, bond: SimLink, ifindex: number): void {
  const p = params(bond);
  if (!ifindex) {
    bondOf(bond).activeSlave = undefined;
    selectActive(env, bond, p);
    return;
  }
  const dev = env.host.links.find((l) => l.index === ifindex);
  if (!dev) throw new NetlinkError(ENODEV);
  const invalid = (why: string): never => {
    env.note(`${bond.name}: (slave ${dev.name}): ${why}`, 'bond_option_active_slave_set');
    env.note(`${bond.name}: option active_slave: invalid value (${dev.name})`, 'bond_option_active_slave_set');
    throw new NetlinkError(EINVAL, 'invalid option value');
  };
  if (!(dev.flags & IFF_SLAVE)) invalid('Device is not bonding slave');
  if (dev.master !== bond.index) invalid('Device is not our slave');
  const old = activeOf(env.host, bond);
  if (old === dev) return;
  if (!old || linkOf(dev) !== LINK_UP || !slaveIsUp(env, dev)) invalid(`Could not set as active slave; either ${dev.name} is down or the link is down`);
  changeActive(env, bond, p, dev);
}

/** bond_option_primary_set(): by name; a slave of that name now is primary (and forced in once), else it is remembered. */
function setPrimary(env: BondEnv, bond: SimLink, p: Params, ifindex: number): void {
  const name = env.host.links.find((l) => l.index === ifindex)?.name;
  if (!name) {
    bondOf(bond).primarySlave = bondOf(bond).primaryName = undefined;
    selectActive(env, bond, p);
    return;
  }
  const s = slavesOf(env.host, bond).find((x) => x.name === name);
  bondOf(bond).primaryName = name;
  if (s) {
    bondOf(bond).primarySlave = s.index;
    bondOf(bond).forcePrimary = true;
    selectActive(env, bond, p);
  } else if (bondOf(bond).primarySlave !== undefined) {
    bondOf(bond).primarySlave = undefined;
    selectActive(env, bond, p);
  }
}

export const bond: LinkKindOps = {
  kind: 'bond', minMtu: 68, maxMtu: 65535, queues: 16, tsoMax: 65536, netnsLocal: true, releasesUnregistered: true,

  /** bond_newlink(): a master, born without carrier; its MAC is random until a first slave gives it one. */
  newlink(ctx, l, tb, data) {
    if (data && data.length) bondOf(l).data = toHex(data);
    l.flags |= IFF_MASTER;
    bondOf(l).randomMac = !tb.get(1);
    l.carrier = false;
    // bond_changelink() takes the options (a primary is remembered by name).
    if (data) changeLink(ctx, l, data, () => undefined, true);
    ctx.note(`bond ${l.name} created`, ['rtnl_newlink', 'bond_newlink']);
  },

  changelink: (ctx, l, data, keep) => changeLink(ctx, l, data, keep),

  /** bond_uninit(): closed first, then every slave is let go without a new active one. */
  uninit(_ctx, l) {
    l.flags &= ~IFF_UP;
    bondClose(l);
    arpClose(l);
    bondOf(l).activeSlave = undefined;
  },

  fillInfo: (ctx, l) => bondData(ctx.host, l),
  fillSlaveInfo: (ctx, master, slave) => bondSlaveData(ctx.host, master, slave),

  /** bond_enslave(): only a slave that is down; the bond opens it. */
  addSlave(ctx, m, l) {
    if (isUp(l)) throw new NetlinkError(EPERM, 'Device can not be enslaved while up');
    l.master = m.index;
    l.flags |= IFF_UP;
    l.wasUp = true;
    bondOf(m).slaves = [...(bondOf(m).slaves ?? []), l.index];
    adEnslave(ctx.host, m, l);
    enslave(ctx, m, l);
    arpEnslave(ctx, m, l);
  },

  /** __bond_release_one(); the bond closes a slave it lets go. */
  delSlave(ctx, m, l, unregistering) {
    release(ctx, m, l, unregistering);
    l.flags &= ~IFF_UP;
    bondOf(m).slaves = (bondOf(m).slaves ?? []).filter((i) => i !== l.index);
  },

  open(ctx, l) {
    bondOpen(ctx, l);
    arpOpen(ctx, l);
  },
  stop(_ctx, l) {
    bondClose(l);
    arpClose(l);
  },
  carrier: (ctx, l) => bondCarrier(ctx.host, l),

  /** bond_compute_features(), once a slave came or went: the smallest of its slaves' (TSO_MAX_SIZE with none). */
  tsoMaxSize(ctx, l, ofLink) {
    if (!bondOf(l).slaves) return 65536;
    return Math.min(TSO_MAX_SIZE, ...ctx.host.links.filter((x) => x.master === l.index && bondOf(l).slaves?.includes(x.index)).map(ofLink));
  },
};
