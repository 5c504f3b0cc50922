// A bond's traffic (drivers/net/bonding/bond_main.c of 6.1): which slave
// each frame the bond sends leaves by (__bond_start_xmit() and the mode's
// slave choice: round robin with packets_per_slave, the active slave, the
// xmit_hash_policy hash over the usable slaves, every slave), and what
// becomes of a frame arriving on a slave (bond_handle_frame(): handed to the
// bond, or kept on the slave and dropped when the slave is inactive). The
// engine puts the frames on the wire; this module only decides.
import { ETH_HLEN, ETH_P_ARP } from '../wire/arp.js';
import { IFF_UP, IFLA_BOND_ALL_SLAVES_ACTIVE, IFLA_BOND_PACKETS_PER_SLAVE, IFLA_BOND_XMIT_HASH_POLICY } from '../wire/rtnl-constants.js';
import {
  LINK_UP, MODE_8023AD, MODE_AB, MODE_XOR, activeOf, bondMode, bondOf, isBackup, isLb, le32, linkOf, settings, slavesOf,
} from './bond-state.js';
import { activeAggregatorSlave } from './bond-3ad.js';
import type { KFn } from './kfn.js';
import type { SimHost, SimLink } from './world.js';

export const MODE_RR = 0, MODE_BROADCAST = 3;
/** BOND_XMIT_POLICY_*: the hashes the model computes (encap2+3, encap3+4 and vlan+srcmac are not modelled). */
export const XMIT_LAYER2 = 0, XMIT_LAYER34 = 1, XMIT_LAYER23 = 2;
const POLICY_NAMES = ['layer2', 'layer3+4', 'layer2+3', 'encap2+3', 'encap3+4', 'vlan+srcmac'];
const MODE_NAMES = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'];

/** The traffic state struct bonding keeps beside the monitor's: rr_tx_counter (one counter: the model has one CPU). */
interface BondTxInfo {
  rrTxCounter?: number;
}

/** What the bond does with one frame it is given to send: the slaves it leaves by (none: dropped), and why. */
export interface XmitChoice {
  slaves: SimLink[];
  why: string;
  fn: KFn[];
}

/** What the slave's rx_handler does with a frame: hands it to the bond, or leaves it on the slave (dropped: no one takes it there). */
export type RxVerdict = { to: SimLink; why: string } | { drop: string };

function u32Setting(bond: SimLink, type: number, def: number): number {
  const v = settings(bond).get(type);
  return v ? le32(v) : def;
}

export function xmitPolicy(bond: SimLink): number {
  return settings(bond).get(IFLA_BOND_XMIT_HASH_POLICY)?.[0] ?? XMIT_LAYER2;
}

/** bond_slave_is_up() && link UP && bond_is_active_slave(): bond_slave_can_tx(). */
function canTx(bond: SimLink, s: SimLink): boolean {
  return (s.flags & IFF_UP) !== 0 && s.carrier && linkOf(s) === LINK_UP && !isBackup(bond, s);
}

/** slave->inactive: set with the inactive flags unless all_slaves_active (bond_set_slave_inactive_flags()). */
export function slaveInactive(bond: SimLink, s: SimLink): boolean {
  if (settings(bond).get(IFLA_BOND_ALL_SLAVES_ACTIVE)?.[0]) return false;
  const mode = bondMode(bond);
  if (mode === MODE_AB || mode === MODE_8023AD) return isBackup(bond, s);
  if (isLb(mode)) return bondOf(bond).activeSlave !== s.index;
  return false;
}

/**
 * bond_rr_gen_slave_id(): packets_per_slave 1 counts each packet (the
 * counter is incremented first, so a new bond's first frame takes the
 * second slave), N counts N packets per step, 0 draws at random.
 */
function rrSlaveId(bond: SimLink, rand: () => number): number {
  const pps = u32Setting(bond, IFLA_BOND_PACKETS_PER_SLAVE, 1);
  if (pps === 0) return rand() >>> 0;
  const info = bondOf(bond) as BondTxInfo;
  info.rrTxCounter = ((info.rrTxCounter ?? 0) + 1) >>> 0;
  return pps === 1 ? info.rrTxCounter : Math.floor(info.rrTxCounter / pps);
}

/** bond_get_slave_by_id(): the slave at that position if it can send, else the next one that can, wrapping round. */
function slaveById(bond: SimLink, slaves: SimLink[], id: number): SimLink | undefined {
  for (let i = id; i < slaves.length; i++) if (canTx(bond, slaves[i])) return slaves[i];
  for (let i = 0; i < id; i++) if (canTx(bond, slaves[i])) return slaves[i];
  return undefined;
}

/** bond_eth_hash(): the last bytes of both MACs and the EtherType. */
function ethHash(f: Uint8Array): number {
  return f[5] ^ f[11] ^ ((f[12] << 8) | f[13]);
}

/** A __be32 the kernel reads as a native (little-endian) u32. */
function beAsLe(f: Uint8Array, o: number): number {
  return (f[o] | (f[o + 1] << 8) | (f[o + 2] << 16) | (f[o + 3] << 24)) >>> 0;
}

/** ICMP types that carry the offending datagram (icmp_is_err()). */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/**
 * bond_flow_dissect() for IPv4: the addresses and, with layer3+4, the ports
 * word (an ICMP error hashes by the datagram it quotes; an echo by its id).
 * Undefined for anything else (ARP): the hash falls back to layer2.
 */
function flowOf(f: Uint8Array, l34: boolean): { src: number; dst: number; ports: number; icmpId: number } | undefined {
  if (f.length < ETH_HLEN + 20 || ((f[12] << 8) | f[13]) !== 0x0800) return undefined;
  let nh = ETH_HLEN;
  let proto = f[nh + 9];
  let src = beAsLe(f, nh + 12), dst = beAsLe(f, nh + 16);
  const fragment = (((f[nh + 6] << 8) | f[nh + 7]) & 0x3fff) !== 0;
  let l4 = nh + (f[nh] & 0x0f) * 4;
  let icmpId = 0;
  if (!fragment && proto === 1 && l4 + 8 <= f.length) {
    const type = f[l4];
    if (type === 0 || type === 8) icmpId = (f[l4 + 4] | (f[l4 + 5] << 8)) >>> 0;
    if (ICMP_ERRORS.has(type) && l4 + 8 + 20 <= f.length) {
      nh = l4 + 8;
      proto = f[nh + 9];
      src = beAsLe(f, nh + 12);
      dst = beAsLe(f, nh + 16);
      l4 = nh + (f[nh] & 0x0f) * 4;
    }
  }
  const hasPorts = !fragment && (proto === 6 || proto === 17) && l4 + 4 <= f.length;
  return { src, dst, ports: l34 && hasPorts ? beAsLe(f, l4) : 0, icmpId };
}

/** bond_xmit_hash(): layer2, layer2+3 or layer3+4 of one Ethernet frame. */
export function xmitHash(policy: number, f: Uint8Array): number {
  if (policy === XMIT_LAYER2) return ethHash(f);
  const l34 = policy === XMIT_LAYER34;
  const flow = flowOf(f, l34);
  if (!flow) return ethHash(f);
  let hash = policy === XMIT_LAYER23 ? ethHash(f) : flow.icmpId ? flow.icmpId : flow.ports;
  // bond_ip_hash(): fold in the addresses, fold down; layer3+4 drops the lowest bit (even ports are common).
  hash = (hash ^ flow.dst ^ flow.src) >>> 0;
  hash = (hash ^ (hash >>> 16)) >>> 0;
  hash = (hash ^ (hash >>> 8)) >>> 0;
  return l34 ? hash >>> 1 : hash;
}

/**
 * The usable slaves of balance-xor and 802.3ad (bond_update_slave_arr()).
 * 802.3ad's LACP is not modelled: without a partner each port is an
 * aggregator of its own, so the active aggregator's slave is the only one.
 */
function usableSlaves(host: SimHost, bond: SimLink, slaves: SimLink[]): SimLink[] {
  if (bondMode(bond) === MODE_8023AD) {
    const active = activeAggregatorSlave(host, bond);
    return active && (active.flags & IFF_UP) !== 0 && active.carrier ? [active] : [];
  }
  return slaves.filter((s) => canTx(bond, s));
}

/**
 * __bond_start_xmit(): the slaves a frame of the bond leaves by, per mode.
 * balance-tlb and balance-alb are not balanced in the model: they send by
 * the active slave (what they do with broadcasts and with no peer learned).
 */
export function bondXmit(host: SimHost, bond: SimLink, frame: Uint8Array, rand: () => number): XmitChoice {
  const mode = bondMode(bond);
  const slaves = slavesOf(host, bond);
  const name = MODE_NAMES[mode] ?? `mode ${mode}`;
  if (!(bond.flags & IFF_UP) || !bond.carrier) return { slaves: [], why: `${bond.name} has no carrier`, fn: ['bond_start_xmit', 'bond_tx_drop'] };
  if (mode === MODE_RR) {
    const one = slaves.length ? slaveById(bond, slaves, rrSlaveId(bond, rand) % slaves.length) : undefined;
    return { slaves: one ? [one] : [], why: name, fn: ['bond_xmit_roundrobin', 'bond_xmit_roundrobin_slave_get'] };
  }
  if (mode === MODE_BROADCAST) {
    const up = slaves.filter((s) => (s.flags & IFF_UP) !== 0 && s.carrier && linkOf(s) === LINK_UP);
    return { slaves: up, why: name, fn: ['bond_start_xmit', 'bond_xmit_broadcast'] };
  }
  if (mode === MODE_XOR || mode === MODE_8023AD) {
    const usable = usableSlaves(host, bond, slaves);
    const policy = xmitPolicy(bond);
    const hash = xmitHash(policy, frame);
    const one = usable.length ? usable[hash % usable.length] : undefined;
    return {
      slaves: one ? [one] : [], why: `${name}, ${POLICY_NAMES[policy] ?? policy} hash ${hash} % ${usable.length}`,
      fn: ['bond_3ad_xor_xmit', 'bond_xmit_3ad_xor_slave_get'],
    };
  }
  const active = activeOf(host, bond);
  const ok = active && (active.flags & IFF_UP) !== 0 && active.carrier;
  return { slaves: ok ? [active] : [], why: `${name}, the active slave`, fn: ['bond_start_xmit', 'bond_xmit_activebackup'] };
}

/**
 * bond_handle_frame(), the slave's rx_handler: link-local destinations
 * (01:80:c2:00:00:0X, LACPDUs and STP) stay on the slave; a frame on an
 * inactive slave is delivered only to handlers bound to that slave
 * (bond_should_deliver_exact_match(); balance-alb lets its unicast through),
 * which IPv4 and ARP are not, so it is dropped and counted as rx_nohandler;
 * anything else becomes the bond's. An ARP monitor that validates replies
 * (arp_validate) sees the frame before this decision, on any slave.
 */
export function bondReceive(host: SimHost, slave: SimLink, frame: Uint8Array): RxVerdict {
  const bond = host.links.find((l) => l.index === slave.master);
  if (!bond || bond.kind !== 'bond') return { drop: `${slave.name} has no bond` };
  const linkLocal = frame[0] === 0x01 && frame[1] === 0x80 && frame[2] === 0xc2 && frame[3] === 0 && frame[4] === 0 && (frame[5] & 0xf0) === 0;
  if (linkLocal) return { drop: `link-local destination stays on ${slave.name}` };
  if (slaveInactive(bond, slave)) {
    const bcast = (frame[0] & 1) !== 0;
    if (!(bondMode(bond) === 6 && !bcast)) {
      const what = ((frame[12] << 8) | frame[13]) === ETH_P_ARP ? 'ARP' : 'frame';
      return { drop: `${what} on inactive slave ${slave.name} of ${bond.name}: delivered to exact matches only, none (rx_nohandler)` };
    }
  }
  return { to: bond, why: `${slave.name} -> ${bond.name}` };
}
