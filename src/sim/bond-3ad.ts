// 802.3ad in the model, as far as it goes without LACP (drivers/net/bonding/
// bond_3ad.c of 6.1 as the lab shows it for slaves with no partner): each
// slave is a port numbered in enslave order with an aggregator of its own
// (no partner system, so no two ports aggregate), the active aggregator is
// kept while its link is up, else the first slave's whose link is up
// (ad_agg_selection_logic() starts from the active one and, all bandwidths
// equal and no partner anywhere, takes no other), and the numbers the driver reports
// once its state machines settle: the actor key from the port's speed and
// duplex (15 for a veth's 10000 Mbps full duplex), partner key 1, partner
// MAC zero, actor port state 77 (active, aggregating, in sync, defaulted)
// in the active aggregator and 69 (not in sync) elsewhere, partner state 0;
// a port whose link goes down keeps the 77 it had (see adLinkChange()).
// No LACPDU is sent or received; the churn and LACPDU details that
// /proc/net/bonding prints are not in netlink and not modelled.
import { type LinkAttr, encodeAttrs } from '../wire/nlattr.js';
import { LINK_UP, MODE_8023AD, bondMode, bondOf, linkOf, slaveOf, slavesOf } from './bond-state.js';
import type { SimHost, SimLink } from './world.js';

/** IFLA_BOND_AD_INFO_*, IFLA_BOND_AD_ACTOR_SYS_PRIO .. SYSTEM, IFLA_BOND_SLAVE_AD_*. */
const AD_INFO = 23, AD_ACTOR_SYS_PRIO = 24, AD_USER_PORT_KEY = 25, AD_ACTOR_SYSTEM = 26;
const SLAVE_AD_AGGREGATOR_ID = 6, SLAVE_AD_ACTOR_STATE = 7, SLAVE_AD_PARTNER_STATE = 8;
/** LACP port state bits: activity 1, aggregation 4, synchronization 8, defaulted 0x40. */
const STATE_IN_ACTIVE = 0x4d, STATE_ELSEWHERE = 0x45;

interface AdBond {
  adAggregators?: number;
  /** The active aggregator's id, as the last link change left it (undefined: none chosen yet). */
  adActive?: number;
}
interface AdSlave { adPort?: number; adAggregator?: number; adSynced?: boolean }

const adBond = (b: SimLink) => bondOf(b) as AdBond;
const adSlave = (s: SimLink) => slaveOf(s) as AdSlave;

/** bond_enslave()'s 802.3ad part: the first slave starts the count again (bond_3ad_initialize()); each gets the next port number and aggregator id. */
export function adEnslave(host: SimHost, bond: SimLink, slave: SimLink): void {
  if (bondMode(bond) !== MODE_8023AD) return;
  const others = slavesOf(host, bond).filter((s) => s !== slave);
  const prev = others[others.length - 1];
  if (!prev) adBond(bond).adAggregators = 0;
  adSlave(slave).adPort = prev ? (adSlave(prev).adPort ?? others.length) + 1 : 1;
  adSlave(slave).adAggregator = adBond(bond).adAggregators = (adBond(bond).adAggregators ?? 0) + 1;
}

/** The actor key: speed (AD_LINK_SPEED_10000MBPS 7 for a veth; unknown 0 otherwise) shifted by one, duplex full in bit 0. */
function actorKey(s: SimLink): number {
  return s.kind === 'veth' ? (7 << 1) | 1 : 0;
}

/** The active aggregator's slave: the one chosen before while its link is up, else the first whose link is up. */
export function activeAggregatorSlave(host: SimHost, bond: SimLink): SimLink | undefined {
  const slaves = slavesOf(host, bond), id = adBond(bond).adActive;
  const up = (s: SimLink) => linkOf(s) === LINK_UP && adSlave(s).adAggregator !== undefined;
  const current = id === undefined ? undefined : slaves.find((s) => adSlave(s).adAggregator === id);
  return current && up(current) ? current : slaves.find(up);
}

/**
 * bond_3ad_handle_link_change() as the mux machine then leaves the port
 * (`before`: the active aggregator's slave before the links changed): a port
 * whose link goes down stays selected and ATTACHED, so it keeps the
 * synchronization it had in the active aggregator (the lab's driver shows 77
 * for it after the failover); one whose link comes up has a new actor key,
 * is detached and attaches again, in sync only in the active aggregator.
 */
export function adLinkChange(host: SimHost, bond: SimLink, before: SimLink | undefined, changed: Map<SimLink, number>): void {
  if (bondMode(bond) !== MODE_8023AD) return;
  for (const [s, st] of changed) {
    if (st === LINK_UP) adSlave(s).adSynced = undefined;
    else if (s === before) adSlave(s).adSynced = true;
  }
  // ad_agg_selection_logic() after the change: the choice is kept, so a slave that comes back does not take over.
  const active = activeAggregatorSlave(host, bond);
  adBond(bond).adActive = active && adSlave(active).adAggregator;
}

/** bond_fill_info()'s 802.3ad attributes: the active aggregator (when there is one), the actor system settings. */
export function adBondAttrs(host: SimHost, bond: SimLink): LinkAttr[] {
  if (bondMode(bond) !== MODE_8023AD) return [];
  const out: LinkAttr[] = [];
  const s = activeAggregatorSlave(host, bond);
  if (s) {
    const info = encodeAttrs([
      { type: 1, kind: 'u16', value: adSlave(s).adAggregator! }, { type: 2, kind: 'u16', value: 1 },
      { type: 3, kind: 'u16', value: actorKey(s) }, { type: 4, kind: 'u16', value: 1 }, { type: 5, kind: 'bytes', value: new Uint8Array(6) },
    ]);
    out.push({ type: AD_INFO, kind: 'bytes', value: info });
  }
  out.push({ type: AD_ACTOR_SYS_PRIO, kind: 'u16', value: 65535 }, { type: AD_USER_PORT_KEY, kind: 'u16', value: 0 },
    { type: AD_ACTOR_SYSTEM, kind: 'bytes', value: new Uint8Array(6) });
  return out;
}

/** bond_fill_slave_info()'s 802.3ad attributes. */
export function adSlaveAttrs(host: SimHost, bond: SimLink, slave: SimLink): LinkAttr[] {
  const agg = adSlave(slave).adAggregator;
  if (bondMode(bond) !== MODE_8023AD || agg === undefined) return [];
  const inActive = activeAggregatorSlave(host, bond) === slave;
  return [
    { type: SLAVE_AD_AGGREGATOR_ID, kind: 'u16', value: agg },
    { type: SLAVE_AD_ACTOR_STATE, kind: 'u8', value: inActive || adSlave(slave).adSynced ? STATE_IN_ACTIVE : STATE_ELSEWHERE },
    { type: SLAVE_AD_PARTNER_STATE, kind: 'u16', value: 0 },
  ];
}

/** The slave state the driver reports in 802.3ad: active in the active aggregator, backup elsewhere. */
export function adSlaveBackup(host: SimHost, bond: SimLink, slave: SimLink): boolean | undefined {
  if (bondMode(bond) !== MODE_8023AD || adSlave(slave).adAggregator === undefined) return undefined;
  return activeAggregatorSlave(host, bond) !== slave;
}
