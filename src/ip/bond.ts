// `tsnet bond`: everyday bonding tasks over rtnetlink, iproute2 style. `show`
// prints each bond in the layout of /proc/net/bonding/NAME (the driver's
// bond_procfs.c) from the netlink linkinfo; -j lists the slaves on the master.
import { progName } from '../lib/progname.js';
import { NetlinkError, type BondLink, type LinkChange } from '../backend.js';
import type { Context } from './context.js';
import { LINK_DUMP, bondLink, linkAddRequest, linkDelRequest, linkSetRequest } from './link-requests.js';
import { Exit, matches } from './matches.js';
import { netlinkErrorLine } from './common.js';
import { formatIPv4, formatIPv6, hexColon } from '../lib/inet.js';
import { AD_SELECT, FAIL_OVER_MAC, MODES, PRIMARY_RESELECT, XMIT_HASH_POLICY, parseBondOptions } from './kinds/bond.js';
import {
  IFF_LOWER_UP, IFF_UP, IFLA_BOND_AD_INFO_ACTOR_KEY, IFLA_BOND_AD_INFO_AGGREGATOR, IFLA_BOND_AD_INFO_NUM_PORTS,
  IFLA_BOND_AD_INFO_PARTNER_KEY, IFLA_BOND_AD_INFO_PARTNER_MAC, IFLA_BOND_ACTIVE_SLAVE, IFLA_BOND_AD_ACTOR_SYSTEM, IFLA_BOND_AD_ACTOR_SYS_PRIO, IFLA_BOND_AD_INFO,
  IFLA_BOND_AD_LACP_ACTIVE, IFLA_BOND_AD_LACP_RATE, IFLA_BOND_AD_SELECT, IFLA_BOND_ARP_INTERVAL,
  IFLA_BOND_ARP_IP_TARGET, IFLA_BOND_DOWNDELAY, IFLA_BOND_FAIL_OVER_MAC, IFLA_BOND_MIIMON, IFLA_BOND_MIN_LINKS,
  IFLA_BOND_MISSED_MAX, IFLA_BOND_MODE, IFLA_BOND_NS_IP6_TARGET, IFLA_BOND_PEER_NOTIF_DELAY, IFLA_BOND_PRIMARY,
  IFLA_BOND_PRIMARY_RESELECT, IFLA_BOND_SLAVE_AD_AGGREGATOR_ID, IFLA_BOND_SLAVE_LINK_FAILURE_COUNT,
  IFLA_BOND_SLAVE_MII_STATUS, IFLA_BOND_SLAVE_PERM_HWADDR, IFLA_BOND_SLAVE_PRIO, IFLA_BOND_SLAVE_QUEUE_ID,
  IFLA_BOND_SLAVE_STATE, IFLA_BOND_TLB_DYNAMIC_LB, IFLA_BOND_UPDELAY, IFLA_BOND_XMIT_HASH_POLICY,
} from '../wire/rtnl-constants.js';
import { type Attrs, attrS32, attrU16, attrU32, attrU8, parseAttrs } from '../wire/nlattr.js';

const usageText = (): string => `Usage: ${progName()} bond add NAME [ mode MODE ] [ BOND_OPTS ]
       ${progName()} bond del NAME
       ${progName()} bond enslave NAME DEV...
       ${progName()} bond release NAME DEV...
       ${progName()} bond set NAME { active DEV | primary DEV | mode MODE | miimon N | BOND_OPTS }
       ${progName()} bond show [ NAME ]
BOND_OPTS := the options of "${progName()} link add NAME type bond" (see "${progName()} link help bond")`;

function usage(): never {
  throw new Exit(255, [usageText()]);
}

const MODE_NAMES = ['load balancing (round-robin)', 'fault-tolerance (active-backup)', 'load balancing (xor)',
  'fault-tolerance (broadcast)', 'IEEE 802.3ad Dynamic link aggregation', 'transmit load balancing',
  'adaptive load balancing'];
const MII_TEXT = ['up', 'going down', 'down', 'going back'];
const MII_KEY = ['UP', 'GOING_DOWN', 'DOWN', 'GOING_BACK'];
const MODE_ACTIVEBACKUP = 1, MODE_XOR = 2, MODE_8023AD = 4, MODE_TLB = 5, MODE_ALB = 6;

function kernelError(e: unknown): never {
  if (e instanceof NetlinkError) throw new Exit(2, [netlinkErrorLine(e)]);
  throw e;
}

export async function doBond(ctx: Context, words: string[]): Promise<number> {
  if (!words.length) return showBonds(ctx, undefined);
  const verb = words[0];
  const rest = words.slice(1);
  if (matches(verb, 'show') || matches(verb, 'list') || matches(verb, 'lst')) {
    if (rest.length > 1) usage();
    return showBonds(ctx, rest[0]);
  }
  if (matches(verb, 'add')) return addBond(ctx, rest);
  if (matches(verb, 'delete')) return delBond(ctx, rest);
  if (matches(verb, 'enslave')) return enslave(ctx, rest, true);
  if (matches(verb, 'release')) return enslave(ctx, rest, false);
  if (matches(verb, 'set')) return setBond(ctx, rest);
  if (matches(verb, 'help')) usage();
  throw new Exit(255, [`Command "${verb}" is unknown, try "${progName()} bond help".`]);
}

function backendCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    return kernelError(e);
  }
}

function bondIndex(ctx: Context, name: string | undefined): number {
  if (name === undefined) usage();
  const idx = ctx.nameToIndex(name);
  if (!idx) throw new Exit(1, [`Cannot find device "${name}"`]);
  const l = detailed(ctx).find((x) => x.index === idx);
  if (l?.kind !== 'bond') throw new Exit(1, [`"${name}" is not a bond device`]);
  return idx;
}

function detailed(ctx: Context): BondLink[] {
  const out: BondLink[] = [];
  backendCall(() => ctx.rtnl.rtDump(LINK_DUMP, (m) => {
    const l = bondLink(m);
    if (l) out.push(l);
  }));
  return out;
}

function addBond(ctx: Context, words: string[]): number {
  const name = words[0];
  if (name === undefined) usage();
  const data = parseBondOptions(words.slice(1), (n) => ctx.nameToIndex(n));
  backendCall(() => ctx.rtnl.rtRequest(linkAddRequest(name, 'bond', data)));
  ctx.invalidateLinks();
  return 0;
}

function delBond(ctx: Context, words: string[]): number {
  if (words.length !== 1) usage();
  const idx = bondIndex(ctx, words[0]);
  backendCall(() => ctx.rtnl.rtRequest(linkDelRequest(idx)));
  ctx.invalidateLinks();
  return 0;
}

function set(ctx: Context, ifindex: number, c: LinkChange): void {
  backendCall(() => ctx.rtnl.rtRequest(linkSetRequest(ifindex, c)));
}

/**
 * enslave: like ifenslave, a device that is up is taken down first (the driver
 * refuses an up device: "Device can not be enslaved while up") and the bond
 * brings it up again. release: IFLA_MASTER 0, only for the bond's own slaves.
 */
function enslave(ctx: Context, words: string[], add: boolean): number {
  if (words.length < 2) usage();
  const bond = bondIndex(ctx, words[0]);
  for (const dev of words.slice(1)) {
    const idx = ctx.nameToIndex(dev);
    if (!idx) throw new Exit(1, [`Cannot find device "${dev}"`]);
    const l = ctx.link(idx)!;
    if (add) {
      if (l.master === bond) continue;
      if (l.flags & IFF_UP) set(ctx, idx, { up: false });
      set(ctx, idx, { master: bond });
    } else {
      if (l.master !== bond) throw new Exit(1, [`"${dev}" is not a slave of "${words[0]}"`]);
      set(ctx, idx, { master: 0 });
    }
  }
  ctx.invalidateLinks();
  return 0;
}

/** set NAME active DEV | primary DEV | any bond option: `active` is active_slave. */
function setBond(ctx: Context, words: string[]): number {
  if (words.length < 2) usage();
  const bond = bondIndex(ctx, words[0]);
  const opts = words.slice(1).map((w, i, a) => (w === 'active' && (i === 0 || a[i - 1] !== 'mode') ? 'active_slave' : w));
  const data = parseBondOptions(opts, (n) => ctx.nameToIndex(n));
  set(ctx, bond, { kind: 'bond', data });
  return 0;
}

function showBonds(ctx: Context, name: string | undefined): number {
  const links = detailed(ctx);
  let bonds = links.filter((l) => l.kind === 'bond');
  if (name !== undefined) {
    const idx = ctx.nameToIndex(name);
    if (!idx) throw new Exit(1, [`Cannot find device "${name}"`]);
    bonds = bonds.filter((l) => l.index === idx);
    if (!bonds.length) throw new Exit(1, [`"${name}" is not a bond device`]);
  }
  const byIndex = new Map(links.map((l) => [l.index, l]));
  const release = ctx.backend.readSystemFile?.('/proc/sys/kernel/osrelease')?.trim() ?? '';
  const out = ctx.out;
  out.startListing();
  let first = true;
  for (const bond of bonds) {
    const slaves = slaveOrder(ctx, bond, links);
    if (out.json) printBondJson(ctx, bond, slaves, byIndex);
    else {
      if (!first) out.fp('\n');
      out.fp(procText(ctx, bond, slaves, byIndex, release));
    }
    first = false;
  }
  out.endListing();
  return 0;
}

/** The driver lists slaves in enslave order: sysfs bonding/slaves has it; index order otherwise. */
function slaveOrder(ctx: Context, bond: BondLink, links: BondLink[]): BondLink[] {
  const mine = links.filter((l) => l.master === bond.index && l.slaveKind === 'bond');
  const text = ctx.backend.readSystemFile?.(`/sys/class/net/${bond.name}/bonding/slaves`);
  if (!text) return mine;
  const order = text.trim().split(/\s+/);
  return [...mine].sort((a, b) => rank(order, a.name) - rank(order, b.name));
}

function rank(order: string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}

interface SlaveLinkInfo { speed?: number; duplex?: string }

/** Speed and duplex (ethtool's, via sysfs): the driver's per-slave copy is not in netlink. */
function speedDuplex(ctx: Context, name: string): SlaveLinkInfo {
  const r: SlaveLinkInfo = {};
  const sp = ctx.backend.readSystemFile?.(`/sys/class/net/${name}/speed`);
  if (sp !== undefined && /^\d+$/.test(sp.trim())) r.speed = Number(sp.trim());
  const du = ctx.backend.readSystemFile?.(`/sys/class/net/${name}/duplex`)?.trim();
  if (du === 'full' || du === 'half') r.duplex = du;
  return r;
}

function u8(d: Attrs, t: number, def = 0): number { const b = d.get(t); return b ? attrU8(b) : def; }
function u32(d: Attrs, t: number, def = 0): number { const b = d.get(t); return b ? attrU32(b) : def; }

function targets(d: Attrs, t: number, fmt: (b: Uint8Array) => string): string[] {
  const nest = d.get(t);
  if (!nest) return [];
  const tb = parseAttrs(nest);
  const out: string[] = [];
  for (let i = 0; i < 16 && tb.has(i); i++) out.push(fmt(tb.get(i)!));
  return out;
}

/** bond_info_show_master() + bond_info_show_slave() of drivers/net/bonding/bond_procfs.c. */
function procText(ctx: Context, bond: BondLink, slaves: BondLink[], byIndex: Map<number, BondLink>, release: string): string {
  const d = bond.data ?? new Map<number, Uint8Array>();
  const mode = u8(d, IFLA_BOND_MODE);
  let s = `Ethernet Channel Bonding Driver: v${release}\n\n`;
  s += `Bonding Mode: ${MODE_NAMES[mode] ?? 'unknown'}`;
  const fom = u8(d, IFLA_BOND_FAIL_OVER_MAC);
  if (mode === MODE_ACTIVEBACKUP && fom) s += ` (fail_over_mac ${FAIL_OVER_MAC[fom]})`;
  s += '\n';
  const tlbDynamic = u8(d, IFLA_BOND_TLB_DYNAMIC_LB, 1);
  if (mode === MODE_XOR || mode === MODE_8023AD || (mode === MODE_TLB && !tlbDynamic)) {
    const x = u8(d, IFLA_BOND_XMIT_HASH_POLICY);
    s += `Transmit Hash Policy: ${XMIT_HASH_POLICY[x]} (${x})\n`;
  }
  if (mode === MODE_ACTIVEBACKUP || mode === MODE_TLB || mode === MODE_ALB) {
    const p = u32(d, IFLA_BOND_PRIMARY);
    const pl = p ? byIndex.get(p) : undefined;
    s += `Primary Slave: ${pl ? pl.name : 'None'}`;
    if (pl) s += ` (primary_reselect ${PRIMARY_RESELECT[u8(d, IFLA_BOND_PRIMARY_RESELECT)]})`;
    const a = u32(d, IFLA_BOND_ACTIVE_SLAVE);
    s += `\nCurrently Active Slave: ${a ? ctx.indexToName(a) : 'None'}\n`;
  }
  s += `MII Status: ${bond.carrier ?? (bond.flags & IFF_LOWER_UP) ? 'up' : 'down'}\n`;
  s += `MII Polling Interval (ms): ${u32(d, IFLA_BOND_MIIMON)}\n`;
  // The netlink values are already in ms (the driver multiplies by miimon for both).
  s += `Up Delay (ms): ${u32(d, IFLA_BOND_UPDELAY)}\n`;
  s += `Down Delay (ms): ${u32(d, IFLA_BOND_DOWNDELAY)}\n`;
  s += `Peer Notification Delay (ms): ${u32(d, IFLA_BOND_PEER_NOTIF_DELAY)}\n`;
  const arpInterval = u32(d, IFLA_BOND_ARP_INTERVAL);
  if (arpInterval > 0) {
    s += `ARP Polling Interval (ms): ${arpInterval}\n`;
    s += `ARP Missed Max: ${u8(d, IFLA_BOND_MISSED_MAX)}\n`;
    s += `ARP IP target/s (n.n.n.n form):${targets(d, IFLA_BOND_ARP_IP_TARGET, formatIPv4).map((t) => ' ' + t).join(',')}\n`;
    s += `NS IPv6 target/s (xx::xx form):${targets(d, IFLA_BOND_NS_IP6_TARGET, formatIPv6).map((t) => ' ' + t).join(',')}\n`;
  }
  if (mode === MODE_8023AD) {
    s += '\n802.3ad info\n';
    s += `LACP active: ${u8(d, IFLA_BOND_AD_LACP_ACTIVE) ? 'on' : 'off'}\n`;
    s += `LACP rate: ${u8(d, IFLA_BOND_AD_LACP_RATE) ? 'fast' : 'slow'}\n`;
    s += `Min links: ${u32(d, IFLA_BOND_MIN_LINKS)}\n`;
    s += `Aggregator selection policy (ad_select): ${AD_SELECT[u8(d, IFLA_BOND_AD_SELECT)]}\n`;
    const prio = d.get(IFLA_BOND_AD_ACTOR_SYS_PRIO);
    s += `System priority: ${prio ? attrU16(prio) : 0}\n`;
    // The system MAC in use: ad_actor_system when set, else the bond's address.
    const sys = d.get(IFLA_BOND_AD_ACTOR_SYSTEM);
    const mac = sys && sys.some((x) => x !== 0) ? sys : bond.address ?? new Uint8Array(6);
    s += `System MAC address: ${hexColon(mac)}\n`;
    const ad = d.get(IFLA_BOND_AD_INFO);
    if (!ad) s += `bond ${bond.name} has no active aggregator\n`;
    else {
      const t = parseAttrs(ad);
      const g = (k: number) => (t.get(k) ? attrU16(t.get(k)!) : 0);
      s += 'Active Aggregator Info:\n';
      s += `\tAggregator ID: ${g(IFLA_BOND_AD_INFO_AGGREGATOR)}\n\tNumber of ports: ${g(IFLA_BOND_AD_INFO_NUM_PORTS)}\n`;
      s += `\tActor Key: ${g(IFLA_BOND_AD_INFO_ACTOR_KEY)}\n\tPartner Key: ${g(IFLA_BOND_AD_INFO_PARTNER_KEY)}\n`;
      s += `\tPartner Mac Address: ${hexColon(t.get(IFLA_BOND_AD_INFO_PARTNER_MAC) ?? new Uint8Array(6))}\n`;
    }
  }
  for (const sl of slaves) {
    const sd = sl.slaveData ?? new Map<number, Uint8Array>();
    const sdx = speedDuplex(ctx, sl.name);
    s += `\nSlave Interface: ${sl.name}\n`;
    s += `MII Status: ${MII_TEXT[u8(sd, IFLA_BOND_SLAVE_MII_STATUS)] ?? 'unknown'}\n`;
    s += `Speed: ${sdx.speed !== undefined ? `${sdx.speed} Mbps` : 'Unknown'}\n`;
    s += `Duplex: ${sdx.duplex ?? 'Unknown'}\n`;
    s += `Link Failure Count: ${u32(sd, IFLA_BOND_SLAVE_LINK_FAILURE_COUNT)}\n`;
    s += `Permanent HW addr: ${hexColon(sd.get(IFLA_BOND_SLAVE_PERM_HWADDR) ?? new Uint8Array(0))}\n`;
    s += `Slave queue ID: ${sd.get(IFLA_BOND_SLAVE_QUEUE_ID) ? attrU16(sd.get(IFLA_BOND_SLAVE_QUEUE_ID)!) : 0}\n`;
    if (mode === MODE_8023AD) {
      const agg = sd.get(IFLA_BOND_SLAVE_AD_AGGREGATOR_ID);
      // Netlink (6.1) has the aggregator id but not the churn and LACPDU details.
      s += agg ? `Aggregator ID: ${attrU16(agg)}\n` : 'Aggregator ID: N/A\n';
    }
  }
  return s;
}

/** -j: one object per bond, its settings (ip's info_data keys) and its slaves. */
function printBondJson(ctx: Context, bond: BondLink, slaves: BondLink[], byIndex: Map<number, BondLink>): void {
  const out = ctx.out;
  const d = bond.data ?? new Map<number, Uint8Array>();
  out.openObject();
  out.uint('ifindex', '', bond.index);
  out.string('ifname', '', bond.name);
  const mode = u8(d, IFLA_BOND_MODE);
  out.string('mode', '', MODES[mode] ?? 'UNKNOWN');
  out.string('mii_status', '', bond.carrier ?? (bond.flags & IFF_LOWER_UP) ? 'up' : 'down');
  const a = u32(d, IFLA_BOND_ACTIVE_SLAVE);
  if (a) out.string('active_slave', '', ctx.indexToName(a));
  const p = u32(d, IFLA_BOND_PRIMARY);
  if (p) out.string('primary', '', byIndex.get(p)?.name ?? ctx.indexToName(p));
  out.uint('miimon', '', u32(d, IFLA_BOND_MIIMON));
  out.uint('updelay', '', u32(d, IFLA_BOND_UPDELAY));
  out.uint('downdelay', '', u32(d, IFLA_BOND_DOWNDELAY));
  out.uint('peer_notify_delay', '', u32(d, IFLA_BOND_PEER_NOTIF_DELAY));
  out.uint('arp_interval', '', u32(d, IFLA_BOND_ARP_INTERVAL));
  const t4 = targets(d, IFLA_BOND_ARP_IP_TARGET, formatIPv4);
  out.openArray('arp_ip_target');
  for (const t of t4) out.string(null, '', t);
  out.closeArray();
  if (mode === MODE_XOR || mode === MODE_8023AD || mode === MODE_TLB) out.string('xmit_hash_policy', '', XMIT_HASH_POLICY[u8(d, IFLA_BOND_XMIT_HASH_POLICY)]);
  out.openArray('slaves');
  for (const sl of slaves) {
    const sd = sl.slaveData ?? new Map<number, Uint8Array>();
    const sdx = speedDuplex(ctx, sl.name);
    out.openObject();
    out.uint('ifindex', '', sl.index);
    out.string('ifname', '', sl.name);
    out.string('state', '', u8(sd, IFLA_BOND_SLAVE_STATE) ? 'BACKUP' : 'ACTIVE');
    out.string('mii_status', '', MII_KEY[u8(sd, IFLA_BOND_SLAVE_MII_STATUS)] ?? 'UNKNOWN');
    if (sdx.speed !== undefined) out.uint('speed', '', sdx.speed);
    else out.null('speed', '');
    if (sdx.duplex) out.string('duplex', '', sdx.duplex);
    else out.null('duplex', '');
    out.uint('link_failure_count', '', u32(sd, IFLA_BOND_SLAVE_LINK_FAILURE_COUNT));
    out.string('perm_hwaddr', '', hexColon(sd.get(IFLA_BOND_SLAVE_PERM_HWADDR) ?? new Uint8Array(0)));
    out.uint('queue_id', '', sd.get(IFLA_BOND_SLAVE_QUEUE_ID) ? attrU16(sd.get(IFLA_BOND_SLAVE_QUEUE_ID)!) : 0);
    const prio = sd.get(IFLA_BOND_SLAVE_PRIO);
    if (prio) out.uint('prio', '', attrS32(prio));
    const agg = sd.get(IFLA_BOND_SLAVE_AD_AGGREGATOR_ID);
    if (agg) out.uint('ad_aggregator_id', '', attrU16(agg));
    out.closeObject();
  }
  out.closeArray();
  out.closeObject();
}
