// Bonding in the model (drivers/net/bonding as seen in the VM lab): what a
// bond and its slaves report (IFLA_BOND_* with the driver's defaults,
// IFLA_BOND_SLAVE_*), the slaves taking the bond's MAC, and the MII
// monitor: a slave whose link goes down is disabled and counted, and in
// active-backup the next slave with link up becomes the active one. The
// monitor runs before each request answers, so what the clock or another
// command changed is seen, with the driver's own messages on the timeline.
import type { LinkAttr } from '../wire/nlattr.js';
import { parseAttrs } from '../wire/nlattr.js';
import type { SimHost, SimLink } from './world.js';
import { hexBytes } from './rtnl.js';

const IFF_UP = 0x1;
export const IFF_MASTER = 0x400, IFF_SLAVE = 0x800;
const MODE_ACTIVE_BACKUP = 1;
/** BOND_STATE_ACTIVE/BACKUP, BOND_LINK_UP/DOWN. */
const STATE_ACTIVE = 0, STATE_BACKUP = 1, LINK_UP = 0, LINK_DOWN = 2;

/** The bond's settings: the driver's defaults, then what `type bond ...` / `bond add` set. */
function settings(bond: SimLink): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  if (bond.kindData) for (const [t, v] of parseAttrs(hexBytes(bond.kindData))) m.set(t, v);
  return m;
}

export function bondMode(bond: SimLink): number {
  return settings(bond).get(1)?.[0] ?? 0;
}

/** IFLA_BOND_* as bond_fill_info() reports them (defaults of a new bond, as the lab's driver shows). */
export function bondData(host: SimHost, bond: SimLink): LinkAttr[] {
  const set = settings(bond);
  const u8 = (type: number, def: number): LinkAttr => ({ type, kind: 'u8', value: set.get(type)?.[0] ?? def });
  const u32 = (type: number, def: number): LinkAttr => {
    const v = set.get(type);
    return { type, kind: 'u32', value: v ? (v[0] | (v[1] << 8) | (v[2] << 16) | (v[3] << 24)) >>> 0 : def };
  };
  const out: LinkAttr[] = [u8(1, 0)];
  if (bond.activeSlave !== undefined && host.links.some((l) => l.index === bond.activeSlave)) out.push({ type: 2, kind: 'u32', value: bond.activeSlave });
  out.push(u32(3, 0), u32(4, 0), u32(5, 0), u32(28, 0), u8(6, 1), u32(7, 0), u8(30, 2), u32(9, 0), u32(10, 0));
  const primary = set.get(11);
  if (primary) out.push({ type: 11, kind: 'bytes', value: primary });
  out.push(u8(12, 0), u8(13, 0), u8(14, 0), u32(15, 1), u8(16, 1), u8(17, 0), u32(18, 0), u32(19, 1), u32(20, 1),
    u8(29, 1), u8(21, 0), u8(22, 0), u8(27, 1));
  return out;
}

/** IFLA_BOND_SLAVE_* of one slave. */
export function bondSlaveData(bond: SimLink, slave: SimLink): LinkAttr[] {
  const active = bondMode(bond) !== MODE_ACTIVE_BACKUP ? slave.miiUp !== false : bond.activeSlave === slave.index;
  const set = slave.slaveData ? parseAttrs(hexBytes(slave.slaveData)) : undefined;
  return [
    { type: 1, kind: 'u8', value: active ? STATE_ACTIVE : STATE_BACKUP },
    { type: 2, kind: 'u8', value: slave.miiUp === false ? LINK_DOWN : LINK_UP },
    { type: 3, kind: 'u32', value: slave.linkFailures ?? 0 },
    { type: 4, kind: 'bytes', value: Uint8Array.from((slave.permMac ?? slave.mac).split(':').map((x) => parseInt(x, 16))) },
    { type: 5, kind: 'bytes', value: set?.get(5) ?? Uint8Array.of(0, 0) },
    { type: 9, kind: 'bytes', value: set?.get(9) ?? Uint8Array.of(0, 0, 0, 0) },
  ];
}

/** bond_enslave(): the slave takes the bond's MAC (fail_over_mac none); a random-MAC bond takes its first slave's. */
export function enslave(host: SimHost, bond: SimLink, slave: SimLink, linkUp: boolean, note: (t: string) => void): void {
  const slaves = host.links.filter((l) => l.master === bond.index && l !== slave);
  slave.permMac = slave.mac;
  if (!slaves.length && bond.randomMac) {
    bond.mac = slave.mac;
    bond.randomMac = false;
  }
  slave.mac = bond.mac;
  slave.flags |= IFF_SLAVE;
  slave.miiUp = linkUp;
  slave.linkFailures = 0;
  const ab = bondMode(bond) === MODE_ACTIVE_BACKUP;
  if (ab && linkUp && (bond.activeSlave === undefined || !host.links.some((l) => l.index === bond.activeSlave && l.miiUp))) {
    bond.activeSlave = slave.index;
    note(`${bond.name}: (slave ${slave.name}): making interface the new active one`);
    note(`${bond.name}: (slave ${slave.name}): Enslaving as an active interface with an up link`);
  } else {
    note(`${bond.name}: (slave ${slave.name}): Enslaving as ${ab ? 'a backup' : 'an active'} interface with ${linkUp ? 'an up' : 'a down'} link`);
  }
}

/** __bond_release_one(): the slave gets its own MAC back; an active slave's bond picks another. */
export function release(host: SimHost, bond: SimLink, slave: SimLink, note: (t: string) => void): void {
  if (slave.permMac) slave.mac = slave.permMac;
  slave.flags &= ~IFF_SLAVE;
  slave.permMac = slave.miiUp = slave.linkFailures = undefined;
  note(`${bond.name}: (slave ${slave.name}): Releasing ${bond.activeSlave === slave.index ? 'active' : 'backup'} interface`);
  if (bond.activeSlave === slave.index) {
    bond.activeSlave = undefined;
    reselect(host, bond, note);
  }
}

function reselect(host: SimHost, bond: SimLink, note: (t: string) => void): void {
  if (bondMode(bond) !== MODE_ACTIVE_BACKUP) return;
  const next = host.links.find((l) => l.master === bond.index && l.miiUp);
  bond.activeSlave = next?.index;
  if (next) note(`${bond.name}: (slave ${next.name}): making interface the new active one`);
  else note(`${bond.name}: now running without any active interface!`);
}

/** bond_mii_monitor(): link changes of the slaves, failover in active-backup. */
export function miiMonitor(host: SimHost, linkUp: (l: SimLink) => boolean, note: (t: string) => void): void {
  for (const bond of host.links) {
    if (bond.kind !== 'bond' || !(bond.flags & IFF_UP)) continue;
    for (const s of host.links) {
      if (s.master !== bond.index) continue;
      const up = linkUp(s);
      if (up === s.miiUp) continue;
      s.miiUp = up;
      if (!up) {
        s.linkFailures = (s.linkFailures ?? 0) + 1;
        note(`${bond.name}: (slave ${s.name}): link status definitely down, disabling slave`);
        if (bond.activeSlave === s.index) reselect(host, bond, note);
      } else {
        note(`${bond.name}: (slave ${s.name}): link status definitely up`);
        if (bondMode(bond) === MODE_ACTIVE_BACKUP && !host.links.some((l) => l.index === bond.activeSlave && l.miiUp)) reselect(host, bond, note);
      }
    }
  }
}
