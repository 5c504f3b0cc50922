// The per-kind parts of `ip link` in iproute2 6.1 (ip/iplink_bridge.c,
// iplink_bridge_slave.c, iplink_macvlan.c, iplink_vlan.c, iplink_dummy.c): what -d prints of IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA,
// and the words after `type KIND` as the attributes ip sends, in its order,
// with its messages and exit codes. bond's parts live in bond-link.ts; veth's
// peer is the link grammar itself (link.ts).
import { type Attrs, type LinkAttr, attrS32, attrU16, attrU32, attrU8, parseAttrs } from '../wire/nlattr.js';
import { hexColon, parseIPv4, parseLladdr, parseUnsigned } from '../lib/inet.js';
import { Exit, incomplete, invarg, matches } from './matches.js';
import { type Output, writeAll } from '../lib/output.js';

// IFLA_BR_* (linux/if_link.h)
const enum BR {
  FORWARD_DELAY = 1, HELLO_TIME, MAX_AGE, AGEING_TIME, STP_STATE, PRIORITY, VLAN_FILTERING, VLAN_PROTOCOL,
  GROUP_FWD_MASK, ROOT_ID, BRIDGE_ID, ROOT_PORT, ROOT_PATH_COST, TOPOLOGY_CHANGE, TOPOLOGY_CHANGE_DETECTED,
  HELLO_TIMER, TCN_TIMER, TOPOLOGY_CHANGE_TIMER, GC_TIMER, GROUP_ADDR, FDB_FLUSH, MCAST_ROUTER, MCAST_SNOOPING,
  MCAST_QUERY_USE_IFADDR, MCAST_QUERIER, MCAST_HASH_ELASTICITY, MCAST_HASH_MAX, MCAST_LAST_MEMBER_CNT,
  MCAST_STARTUP_QUERY_CNT, MCAST_LAST_MEMBER_INTVL, MCAST_MEMBERSHIP_INTVL, MCAST_QUERIER_INTVL, MCAST_QUERY_INTVL,
  MCAST_QUERY_RESPONSE_INTVL, MCAST_STARTUP_QUERY_INTVL, NF_CALL_IPTABLES, NF_CALL_IP6TABLES, NF_CALL_ARPTABLES,
  VLAN_DEFAULT_PVID, PAD, VLAN_STATS_ENABLED, MCAST_STATS_ENABLED, MCAST_IGMP_VERSION, MCAST_MLD_VERSION,
  VLAN_STATS_PER_PORT, MULTI_BOOLOPT,
}

// IFLA_BRPORT_*
const enum PORT {
  STATE = 1, PRIORITY, COST, MODE, GUARD, PROTECT, FAST_LEAVE, LEARNING, UNICAST_FLOOD, PROXYARP, LEARNING_SYNC,
  PROXYARP_WIFI, ROOT_ID, BRIDGE_ID, DESIGNATED_PORT, DESIGNATED_COST, ID, NO, TOPOLOGY_CHANGE_ACK, CONFIG_PENDING,
  MESSAGE_AGE_TIMER, FORWARD_DELAY_TIMER, HOLD_TIMER, FLUSH, MULTICAST_ROUTER, PAD, MCAST_FLOOD, MCAST_TO_UCAST,
  VLAN_TUNNEL, BCAST_FLOOD, GROUP_FWD_MASK, NEIGH_SUPPRESS, ISOLATED, BACKUP_PORT, MRP_RING_OPEN, MRP_IN_OPEN,
  MCAST_EHT_HOSTS_LIMIT, MCAST_EHT_HOSTS_CNT, LOCKED,
}

// IFLA_MACVLAN_*
const enum MACVLAN {
  MODE = 1, FLAGS, MACADDR_MODE, MACADDR, MACADDR_DATA, MACADDR_COUNT, BC_QUEUE_LEN, BC_QUEUE_LEN_USED,
}
const MACVLAN_MODE_PASSTHRU = 8, MACVLAN_MODE_SOURCE = 16;
const MACVLAN_FLAG_NOPROMISC = 1, MACVLAN_FLAG_NODST = 2;

// IFLA_VLAN_*
const enum VLAN { ID = 1, FLAGS, EGRESS_QOS, INGRESS_QOS, PROTOCOL }
const IFLA_VLAN_QOS_MAPPING = 1;

// BR_BOOLOPT_NO_LL_LEARN and BR_BOOLOPT_MCAST_VLAN_SNOOPING as bits of br_boolopt_multi
const NO_LL_LEARN_BIT = 1, MCAST_VLAN_SNOOPING_BIT = 2;

// ---- printing ----

/** Little-endian u64 attribute (rta_getattr_u64), exact. */
function u64(b: Uint8Array): bigint {
  return BigInt(attrU32(b)) | (BigInt(attrU32(b.subarray(4))) << 32n);
}

/** "%#llx": 0 stays "0". */
function hex0x(n: number): string {
  return n ? '0x' + n.toString(16) : '0';
}

/** br_dump_bridge_id(): "%.2x%.2x." then ether_ntoa_r's MAC, whose bytes are not zero-padded. */
function bridgeId(b: Uint8Array): string {
  const two = (n: number) => n.toString(16).padStart(2, '0');
  return `${two(b[0])}${two(b[1])}.${Array.from(b.subarray(2, 8), (n) => n.toString(16)).join(':')}`;
}

// ll_proto_n2a()/ll_proto_a2n()'s table (lib/ll_proto.c), in its order: the first name of a number wins.
const LL_PROTO: [number, string][] = [
  [0x0060, 'loop'], [0x0200, 'pup'], [0x0201, 'pupat'], [0x0800, 'ip'], [0x0805, 'x25'], [0x0806, 'arp'],
  [0x08ff, 'bpq'], [0x0a00, 'ieeepup'], [0x0a01, 'ieeepupat'], [0x6000, 'dec'], [0x6001, 'dna_dl'],
  [0x6002, 'dna_rc'], [0x6003, 'dna_rt'], [0x6004, 'lat'], [0x6005, 'diag'], [0x6006, 'cust'], [0x6007, 'sca'],
  [0x8035, 'rarp'], [0x809b, 'atalk'], [0x80f3, 'aarp'], [0x8137, 'ipx'], [0x86dd, 'ipv6'], [0x8863, 'ppp_disc'],
  [0x8864, 'ppp_ses'], [0x884c, 'atmmpoa'], [0x8884, 'atmfate'], [0x0001, '802_3'], [0x0002, 'ax25'],
  [0x0003, 'all'], [0x0004, '802_2'], [0x0005, 'snap'], [0x0006, 'ddcmp'], [0x0007, 'wan_ppp'], [0x0008, 'ppp_mp'],
  [0x0009, 'localtalk'], [0x000c, 'can'], [0x0010, 'ppptalk'], [0x0011, 'tr_802_2'], [0x0015, 'mobitex'],
  [0x0016, 'control'], [0x0017, 'irda'], [0x0018, 'econet'], [0x88ca, 'tipc'], [0x8892, 'profinet'],
  [0x88a2, 'aoe'], [0x88a4, 'ethercat'], [0x8100, '802.1Q'], [0x88a8, '802.1ad'], [0x8847, 'mpls_uc'],
  [0x8848, 'mpls_mc'], [0x6558, 'teb'], [0x8100, '802.1Q'], [0x88cc, 'LLDP'], [0x0800, 'ipv4'],
];

/** ll_proto_n2a() of a big-endian protocol attribute: its name, or "[N]". */
function protoName(b: Uint8Array): string {
  const id = (b[0] << 8) | b[1];
  return LL_PROTO.find(([n]) => n === id)?.[1] ?? `[${id}]`;
}

/** ll_proto_a2n(): a name (any case) or a number, as the 2 big-endian bytes ip sends. */
function protoBytes(s: string): Uint8Array | undefined {
  const id = LL_PROTO.find(([, name]) => name.toLowerCase() === s.toLowerCase())?.[0] ?? parseUnsigned(s, 0xffff);
  return id === undefined ? undefined : Uint8Array.of(id >> 8, id & 0xff);
}

type FieldKind = 'u8' | 'u16' | 'u32' | 's32' | 'u64' | 'timer' | 'hex' | 'onoff' | 'mac' | 'id' | 'proto';
/** One attribute printed the usual way: type, how, JSON key, text label (the key when absent). */
type Field = readonly [type: number, kind: FieldKind, key: string, label?: string];

function printFields(out: Output, tb: Attrs, fields: readonly Field[]): void {
  for (const [type, kind, key, label = key] of fields) {
    const b = tb.get(type);
    if (b) printField(out, b, kind, key, label);
  }
}

function printField(out: Output, b: Uint8Array, kind: FieldKind, key: string, label: string): void {
  const str = (s: string) => out.string(key, `${label} ${s} `, s);
  switch (kind) {
    case 'u8': case 'u16': case 'u32': case 's32': {
      const v = kind === 'u8' ? attrU8(b) : kind === 'u16' ? attrU16(b) : kind === 'u32' ? attrU32(b) : attrS32(b);
      out.uint(key, `${label} ${v} `, v);
      return;
    }
    case 'u64': {
      const v = String(u64(b));
      out.raw(key, `${label} ${v} `, v);
      return;
    }
    case 'timer': {
      // _print_timer(): centiseconds as "%4i.%.2i" in text, "%i.%.2i" unquoted in JSON.
      const cs = Number(u64(b));
      const t = `${Math.floor(cs / 100)}.${String(cs % 100).padStart(2, '0')}`;
      out.raw(key, `${label} ${t.padStart(7)} `, t);
      return;
    }
    case 'hex': return str(hex0x(attrU16(b)));
    case 'onoff': {
      const on = attrU8(b) !== 0;
      out.bool(key, `${label} ${on ? 'on' : 'off'} `, on);
      return;
    }
    case 'mac': return str(hexColon(b));
    case 'id': return str(bridgeId(b));
    case 'proto': return str(protoName(b));
  }
}

const BRIDGE_HEAD: Field[] = [
  [BR.FORWARD_DELAY, 'u32', 'forward_delay'], [BR.HELLO_TIME, 'u32', 'hello_time'], [BR.MAX_AGE, 'u32', 'max_age'],
  [BR.AGEING_TIME, 'u32', 'ageing_time'], [BR.STP_STATE, 'u32', 'stp_state'], [BR.PRIORITY, 'u16', 'priority'],
  [BR.VLAN_FILTERING, 'u8', 'vlan_filtering'], [BR.VLAN_PROTOCOL, 'proto', 'vlan_protocol'],
  [BR.BRIDGE_ID, 'id', 'bridge_id'],
];
const BRIDGE_MIDDLE: Field[] = [
  [BR.ROOT_PORT, 'u16', 'root_port'], [BR.ROOT_PATH_COST, 'u32', 'root_path_cost'],
  [BR.TOPOLOGY_CHANGE, 'u8', 'topology_change'], [BR.TOPOLOGY_CHANGE_DETECTED, 'u8', 'topology_change_detected'],
  [BR.HELLO_TIMER, 'timer', 'hello_timer'], [BR.TCN_TIMER, 'timer', 'tcn_timer'],
  [BR.TOPOLOGY_CHANGE_TIMER, 'timer', 'topology_change_timer'], [BR.GC_TIMER, 'timer', 'gc_timer'],
  [BR.VLAN_DEFAULT_PVID, 'u16', 'vlan_default_pvid'], [BR.VLAN_STATS_ENABLED, 'u8', 'vlan_stats_enabled'],
  [BR.VLAN_STATS_PER_PORT, 'u8', 'vlan_stats_per_port'], [BR.GROUP_FWD_MASK, 'hex', 'group_fwd_mask'],
  [BR.GROUP_ADDR, 'mac', 'group_addr', 'group_address'], [BR.MCAST_SNOOPING, 'u8', 'mcast_snooping'],
];
const BRIDGE_TAIL: Field[] = [
  [BR.MCAST_ROUTER, 'u8', 'mcast_router'], [BR.MCAST_QUERY_USE_IFADDR, 'u8', 'mcast_query_use_ifaddr'],
  [BR.MCAST_QUERIER, 'u8', 'mcast_querier'], [BR.MCAST_HASH_ELASTICITY, 'u32', 'mcast_hash_elasticity'],
  [BR.MCAST_HASH_MAX, 'u32', 'mcast_hash_max'],
  [BR.MCAST_LAST_MEMBER_CNT, 'u32', 'mcast_last_member_cnt', 'mcast_last_member_count'],
  [BR.MCAST_STARTUP_QUERY_CNT, 'u32', 'mcast_startup_query_cnt', 'mcast_startup_query_count'],
  [BR.MCAST_LAST_MEMBER_INTVL, 'u64', 'mcast_last_member_intvl', 'mcast_last_member_interval'],
  [BR.MCAST_MEMBERSHIP_INTVL, 'u64', 'mcast_membership_intvl', 'mcast_membership_interval'],
  [BR.MCAST_QUERIER_INTVL, 'u64', 'mcast_querier_intvl', 'mcast_querier_interval'],
  [BR.MCAST_QUERY_INTVL, 'u64', 'mcast_query_intvl', 'mcast_query_interval'],
  [BR.MCAST_QUERY_RESPONSE_INTVL, 'u64', 'mcast_query_response_intvl', 'mcast_query_response_interval'],
  [BR.MCAST_STARTUP_QUERY_INTVL, 'u64', 'mcast_startup_query_intvl', 'mcast_startup_query_interval'],
  [BR.MCAST_STATS_ENABLED, 'u8', 'mcast_stats_enabled'], [BR.MCAST_IGMP_VERSION, 'u8', 'mcast_igmp_version'],
  [BR.MCAST_MLD_VERSION, 'u8', 'mcast_mld_version'], [BR.NF_CALL_IPTABLES, 'u8', 'nf_call_iptables'],
  [BR.NF_CALL_IP6TABLES, 'u8', 'nf_call_ip6tables'], [BR.NF_CALL_ARPTABLES, 'u8', 'nf_call_arptables'],
];

/** bridge_print_opt() */
function printBridge(out: Output, tb: Attrs): void {
  printFields(out, tb, BRIDGE_HEAD);
  // ip 6.1 prints designated_root from IFLA_BR_BRIDGE_ID's bytes, not IFLA_BR_ROOT_ID's.
  const bridgeIdAttr = tb.get(BR.BRIDGE_ID);
  if (tb.has(BR.ROOT_ID) && bridgeIdAttr) printField(out, bridgeIdAttr, 'id', 'root_id', 'designated_root');
  printFields(out, tb, BRIDGE_MIDDLE);
  const bm = tb.get(BR.MULTI_BOOLOPT);
  if (bm) {
    const val = attrU32(bm), mask = attrU32(bm.subarray(4));
    for (const [bit, key] of [[NO_LL_LEARN_BIT, 'no_linklocal_learn'], [MCAST_VLAN_SNOOPING_BIT, 'mcast_vlan_snooping']] as const) {
      if (mask & bit) out.uint(key, `${key} ${val & bit ? 1 : 0} `, val & bit ? 1 : 0);
    }
  }
  printFields(out, tb, BRIDGE_TAIL);
}

const PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];
const FWD_MASK_NAMES: Record<number, string> = { 0: 'stp', 2: 'lacp', 14: 'lldp' };

const PORT_HEAD: Field[] = [
  [PORT.PRIORITY, 'u16', 'priority'], [PORT.COST, 's32', 'cost'], [PORT.MODE, 'onoff', 'hairpin'],
  [PORT.GUARD, 'onoff', 'guard'], [PORT.PROTECT, 'onoff', 'root_block'], [PORT.FAST_LEAVE, 'onoff', 'fastleave'],
  [PORT.LEARNING, 'onoff', 'learning'], [PORT.UNICAST_FLOOD, 'onoff', 'flood'], [PORT.ID, 'hex', 'id', 'port_id'],
  [PORT.NO, 'hex', 'no', 'port_no'], [PORT.DESIGNATED_PORT, 'u16', 'designated_port'],
  [PORT.DESIGNATED_COST, 'u16', 'designated_cost'], [PORT.BRIDGE_ID, 'id', 'bridge_id', 'designated_bridge'],
  [PORT.ROOT_ID, 'id', 'root_id', 'designated_root'], [PORT.HOLD_TIMER, 'timer', 'hold_timer'],
  [PORT.MESSAGE_AGE_TIMER, 'timer', 'message_age_timer'], [PORT.FORWARD_DELAY_TIMER, 'timer', 'forward_delay_timer'],
  [PORT.TOPOLOGY_CHANGE_ACK, 'u8', 'topology_change_ack'], [PORT.CONFIG_PENDING, 'u8', 'config_pending'],
  [PORT.PROXYARP, 'onoff', 'proxy_arp'], [PORT.PROXYARP_WIFI, 'onoff', 'proxy_arp_wifi'],
  [PORT.MULTICAST_ROUTER, 'u8', 'multicast_router', 'mcast_router'],
];
const PORT_FLOODS: Field[] = [
  [PORT.MCAST_FLOOD, 'onoff', 'mcast_flood'], [PORT.BCAST_FLOOD, 'onoff', 'bcast_flood'],
  [PORT.MCAST_TO_UCAST, 'onoff', 'mcast_to_unicast'], [PORT.NEIGH_SUPPRESS, 'onoff', 'neigh_suppress'],
];
const PORT_TAIL: Field[] = [
  [PORT.VLAN_TUNNEL, 'onoff', 'vlan_tunnel'], [PORT.ISOLATED, 'onoff', 'isolated'], [PORT.LOCKED, 'onoff', 'locked'],
];

/** bridge_slave_print_opt() */
function printBridgeSlave(out: Output, tb: Attrs, ifname: (index: number) => string): void {
  const st = tb.get(PORT.STATE);
  if (st) {
    const s = attrU8(st);
    if (s < PORT_STATES.length) out.string('state', `state ${PORT_STATES[s]} `, PORT_STATES[s]);
    else out.uint('state_index', `state (${s}) `, s);
  }
  printFields(out, tb, PORT_HEAD);
  // Text only: the JSON has it once already, as "fastleave".
  const fast = tb.get(PORT.FAST_LEAVE);
  if (fast) out.fp(`mcast_fast_leave ${attrU8(fast) ? 'on' : 'off'} `);
  printFields(out, tb, PORT_FLOODS);
  const fm = tb.get(PORT.GROUP_FWD_MASK);
  if (fm) {
    const mask = attrU16(fm);
    printField(out, fm, 'hex', 'group_fwd_mask', 'group_fwd_mask');
    const names: string[] = [];
    for (let i = 0; i < 16; i++) if (mask & (1 << i)) names.push(FWD_MASK_NAMES[i] ?? `0x${(1 << i).toString(16)}`);
    const s = names.length ? names.join(',') : '0x0';
    out.string('group_fwd_mask_str', `group_fwd_mask_str ${s} `, s);
  }
  printFields(out, tb, PORT_TAIL);
  const backup = tb.get(PORT.BACKUP_PORT);
  if (backup) {
    const n = ifname(attrU32(backup));
    out.string('backup_port', `backup_port ${n} `, n);
  }
}

const MACVLAN_MODES: Record<number, string> = { 1: 'private', 2: 'vepa', 4: 'bridge', 8: 'passthru', 16: 'source' };

/** macvlan_print_opt(): attributes shorter than their type are taken as absent. */
function printMacvlan(out: Output, tb: Attrs): void {
  const m = tb.get(MACVLAN.MODE);
  if (!m || m.length < 4) return;
  const mode = attrU32(m);
  const name = MACVLAN_MODES[mode] ?? 'unknown';
  out.string('mode', `mode ${name} `, name);
  const fl = tb.get(MACVLAN.FLAGS);
  const flags = fl && fl.length >= 2 ? attrU16(fl) : 0;
  if (flags & MACVLAN_FLAG_NOPROMISC) out.bool('nopromisc', 'nopromisc ', true);
  if (flags & MACVLAN_FLAG_NODST) out.bool('nodst', 'nodst ', true);
  for (const [t, key] of [[MACVLAN.BC_QUEUE_LEN, 'bcqueuelen'], [MACVLAN.BC_QUEUE_LEN_USED, 'usedbcqueuelen']] as const) {
    const b = tb.get(t);
    if (b && b.length >= 4) out.uint(key, `${key} ${attrU32(b)} `, attrU32(b));
  }
  if (mode !== MACVLAN_MODE_SOURCE) return;
  const cnt = tb.get(MACVLAN.MACADDR_COUNT);
  if (!cnt || cnt.length < 4) return;
  const count = attrS32(cnt);
  out.uint('macaddr_count', `remotes (${count}) `, count);
  const data = tb.get(MACVLAN.MACADDR_DATA);
  if (!data) return;
  out.openArray('macaddr_data');
  for (const [type, addr] of parseAttrs(data)) {
    if (type !== MACVLAN.MACADDR || addr.length < 6) continue;
    const s = hexColon(addr.subarray(0, 6));
    out.string(null, s + ' ', s);
  }
  out.closeArray();
}

/** vlan_print_flags()' order, which is not the bits' order. */
const VLAN_FLAGS: [bit: number, name: string][] = [
  [0x1, 'REORDER_HDR'], [0x2, 'GVRP'], [0x8, 'MVRP'], [0x4, 'LOOSE_BINDING'], [0x10, 'BRIDGE_BINDING'],
];

/** vlan_print_opt() */
function printVlan(out: Output, tb: Attrs): void {
  const proto = tb.get(VLAN.PROTOCOL);
  if (proto && proto.length < 2) return;
  const id = tb.get(VLAN.ID);
  if (!id || id.length < 2) return;
  const p = proto ? protoName(proto) : '802.1q';
  out.string('protocol', `protocol ${p} `, p);
  out.uint('id', `id ${attrU16(id)} `, attrU16(id));
  const fl = tb.get(VLAN.FLAGS);
  if (fl) {
    if (fl.length < 8) return;
    let flags = attrU32(fl);
    out.openArray('flags');
    out.fp('<');
    for (const [bit, name] of VLAN_FLAGS) {
      if (!(flags & bit)) continue;
      flags &= ~bit;
      out.string(null, flags ? name + ',' : name, name);
    }
    if (flags) out.string(null, flags.toString(16), flags.toString(16));
    out.closeArray();
    out.fp('> ');
  }
  for (const [t, key, label] of [[VLAN.INGRESS_QOS, 'ingress_qos', 'ingress-qos-map'], [VLAN.EGRESS_QOS, 'egress_qos', 'egress-qos-map']] as const) {
    const b = tb.get(t);
    if (!b) continue;
    out.openArray(key);
    out.nl();
    out.fp(`      ${label} { `);
    for (const [, m] of parseAttrs(b)) {
      const from = attrU32(m), to = attrU32(m.subarray(4));
      if (out.json) {
        out.openObject();
        out.uint('from', '', from);
        out.uint('to', '', to);
        out.closeObject();
      } else out.fp(`${from}:${to} `);
    }
    out.closeArray();
    out.fp('} ');
  }
}

/** The IFLA_INFO_DATA part of `ip -d link show` for KIND, as <kind>_print_opt in ip 6.1 (text and JSON through `out`). Returns false if the kind has no printer (then nothing is printed). */
export function printKindData(out: Output, kind: string, data: Attrs, _ifname: (index: number) => string): boolean {
  switch (kind) {
    case 'bridge': printBridge(out, data); return true;
    case 'macvlan': case 'macvtap': printMacvlan(out, data); return true;
    case 'vlan': printVlan(out, data); return true;
    default: return false;
  }
}

/** The IFLA_INFO_SLAVE_DATA part for a slave kind ("bridge" → bridge_slave's print_opt). Returns false if unknown. */
export function printSlaveKindData(out: Output, slaveKind: string, data: Attrs, ifname: (index: number) => string): boolean {
  if (slaveKind !== 'bridge') return false;
  printBridgeSlave(out, data, ifname);
  return true;
}

// ---- parsing ----

const U64_LIMIT = 1n << 64n;

/** get_u64(): strtoull base 0, the whole word; as strtoull, "-N" wraps to 2^64-N. */
function getU64(s: string): bigint | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?)(.*)$/s.exec(s)!;
  let body = m[2], digits = /^[0-9]+$/, prefix = '';
  if (/^0[xX][0-9a-fA-F]/.test(body)) [body, digits, prefix] = [body.slice(2), /^[0-9a-fA-F]+$/, '0x'];
  else if (body[0] === '0') [digits, prefix] = [/^[0-7]+$/, '0o'];
  if (!digits.test(body)) return undefined;
  const v = BigInt(prefix + body);
  if (v >= U64_LIMIT) return undefined;
  return m[1] === '-' ? (U64_LIMIT - v) % U64_LIMIT : v;
}

function u64Bytes(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

/**
 * ll_addr_a2n() into a buffer of `max` bytes: the bytes and the length ip
 * counts (max + 1 when there are more parts), or the part it complains about
 * with `"X" is invalid lladdr.`.
 */
function llAddr(arg: string, max: number): { bytes: Uint8Array; len: number } | { bad: string } {
  if (arg.includes('.')) {
    const a = parseIPv4(arg);
    return a ? { bytes: a, len: 4 } : { bad: arg };
  }
  const parts = arg.split(':');
  const bytes: number[] = [];
  for (let i = 0; i < max; i++) {
    // A single part has no ':' and no '.': parseLladdr is then sscanf("%x") and the 0..255 check.
    const v = parseLladdr(parts[i]);
    if (typeof v === 'string') return { bad: parts[i] };
    bytes.push(v[0]);
    if (i === parts.length - 1) return { bytes: Uint8Array.from(bytes), len: i + 1 };
  }
  return { bytes: Uint8Array.from(bytes), len: max + 1 };
}

const badLladdr = (part: string) => `"${part}" is invalid lladdr.`;

/** A cursor over the kind's words with NEXT_ARG(). */
class Words {
  i = 0;
  constructor(readonly w: string[]) {}
  get more(): boolean { return this.i < this.w.length; }
  get cur(): string { return this.w[this.i]; }
  next(): string {
    if (++this.i >= this.w.length) incomplete();
    return this.w[this.i];
  }
}

const u8 = (type: number, value: number): LinkAttr => ({ type, kind: 'u8', value });
const u16 = (type: number, value: number): LinkAttr => ({ type, kind: 'u16', value });
const u32 = (type: number, value: number): LinkAttr => ({ type, kind: 'u32', value: value >>> 0 });
const bytes = (type: number, value: Uint8Array): LinkAttr => ({ type, kind: 'bytes', value });

const BRIDGE_USAGE = `Usage: ... bridge [ fdb_flush ]
		  [ forward_delay FORWARD_DELAY ]
		  [ hello_time HELLO_TIME ]
		  [ max_age MAX_AGE ]
		  [ ageing_time AGEING_TIME ]
		  [ stp_state STP_STATE ]
		  [ priority PRIORITY ]
		  [ group_fwd_mask MASK ]
		  [ group_address ADDRESS ]
		  [ no_linklocal_learn NO_LINKLOCAL_LEARN ]
		  [ vlan_filtering VLAN_FILTERING ]
		  [ vlan_protocol VLAN_PROTOCOL ]
		  [ vlan_default_pvid VLAN_DEFAULT_PVID ]
		  [ vlan_stats_enabled VLAN_STATS_ENABLED ]
		  [ vlan_stats_per_port VLAN_STATS_PER_PORT ]
		  [ mcast_snooping MULTICAST_SNOOPING ]
		  [ mcast_vlan_snooping MULTICAST_VLAN_SNOOPING ]
		  [ mcast_router MULTICAST_ROUTER ]
		  [ mcast_query_use_ifaddr MCAST_QUERY_USE_IFADDR ]
		  [ mcast_querier MULTICAST_QUERIER ]
		  [ mcast_hash_elasticity HASH_ELASTICITY ]
		  [ mcast_hash_max HASH_MAX ]
		  [ mcast_last_member_count LAST_MEMBER_COUNT ]
		  [ mcast_startup_query_count STARTUP_QUERY_COUNT ]
		  [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]
		  [ mcast_membership_interval MEMBERSHIP_INTERVAL ]
		  [ mcast_querier_interval QUERIER_INTERVAL ]
		  [ mcast_query_interval QUERY_INTERVAL ]
		  [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]
		  [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]
		  [ mcast_stats_enabled MCAST_STATS_ENABLED ]
		  [ mcast_igmp_version IGMP_VERSION ]
		  [ mcast_mld_version MLD_VERSION ]
		  [ nf_call_iptables NF_CALL_IPTABLES ]
		  [ nf_call_ip6tables NF_CALL_IP6TABLES ]
		  [ nf_call_arptables NF_CALL_ARPTABLES ]

Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }`;

type Opt = readonly [word: string, how: 'u8' | 'u16' | 'u32' | 'u64' | 'proto' | 'lladdr' | 'flag' | 'boolopt', type: number];

// bridge_parse_opt()'s tests in its order: a prefix takes the first keyword it
// starts (e.g. "f" is forward_delay). The two boolopts are matched whole (strcmp).
const BRIDGE_OPTS: Opt[] = [
  ['forward_delay', 'u32', BR.FORWARD_DELAY], ['hello_time', 'u32', BR.HELLO_TIME], ['max_age', 'u32', BR.MAX_AGE],
  ['ageing_time', 'u32', BR.AGEING_TIME], ['stp_state', 'u32', BR.STP_STATE], ['priority', 'u16', BR.PRIORITY],
  ['vlan_filtering', 'u8', BR.VLAN_FILTERING], ['vlan_protocol', 'proto', BR.VLAN_PROTOCOL],
  ['group_fwd_mask', 'u16', BR.GROUP_FWD_MASK], ['group_address', 'lladdr', BR.GROUP_ADDR],
  ['no_linklocal_learn', 'boolopt', NO_LL_LEARN_BIT], ['fdb_flush', 'flag', BR.FDB_FLUSH],
  ['vlan_default_pvid', 'u16', BR.VLAN_DEFAULT_PVID], ['vlan_stats_enabled', 'u8', BR.VLAN_STATS_ENABLED],
  ['vlan_stats_per_port', 'u8', BR.VLAN_STATS_PER_PORT], ['mcast_router', 'u8', BR.MCAST_ROUTER],
  ['mcast_snooping', 'u8', BR.MCAST_SNOOPING], ['mcast_vlan_snooping', 'boolopt', MCAST_VLAN_SNOOPING_BIT],
  ['mcast_query_use_ifaddr', 'u8', BR.MCAST_QUERY_USE_IFADDR], ['mcast_querier', 'u8', BR.MCAST_QUERIER],
  ['mcast_hash_elasticity', 'u32', BR.MCAST_HASH_ELASTICITY], ['mcast_hash_max', 'u32', BR.MCAST_HASH_MAX],
  ['mcast_last_member_count', 'u32', BR.MCAST_LAST_MEMBER_CNT],
  ['mcast_startup_query_count', 'u32', BR.MCAST_STARTUP_QUERY_CNT],
  ['mcast_last_member_interval', 'u64', BR.MCAST_LAST_MEMBER_INTVL],
  ['mcast_membership_interval', 'u64', BR.MCAST_MEMBERSHIP_INTVL],
  ['mcast_querier_interval', 'u64', BR.MCAST_QUERIER_INTVL], ['mcast_query_interval', 'u64', BR.MCAST_QUERY_INTVL],
  ['mcast_query_response_interval', 'u64', BR.MCAST_QUERY_RESPONSE_INTVL],
  ['mcast_startup_query_interval', 'u64', BR.MCAST_STARTUP_QUERY_INTVL],
  ['mcast_stats_enabled', 'u8', BR.MCAST_STATS_ENABLED], ['mcast_igmp_version', 'u8', BR.MCAST_IGMP_VERSION],
  ['mcast_mld_version', 'u8', BR.MCAST_MLD_VERSION], ['nf_call_iptables', 'u8', BR.NF_CALL_IPTABLES],
  ['nf_call_ip6tables', 'u8', BR.NF_CALL_IP6TABLES], ['nf_call_arptables', 'u8', BR.NF_CALL_ARPTABLES],
];

/** bridge_parse_opt() */
function parseBridge(words: string[]): LinkAttr[] {
  const out: LinkAttr[] = [];
  let optval = 0, optmask = 0;
  for (const a = new Words(words); a.more; a.i++) {
    const w = a.cur;
    const opt = BRIDGE_OPTS.find(([name, how]) => (how === 'boolopt' ? w === name : matches(w, name)));
    if (!opt) {
      if (matches(w, 'help')) throw new Exit(1, [BRIDGE_USAGE]);
      throw new Exit(1, [`bridge: unknown command "${w}"?`, BRIDGE_USAGE]);
    }
    const [name, how, type] = opt;
    if (how === 'flag') {
      out.push(bytes(type, new Uint8Array(0)));
      continue;
    }
    const v = a.next();
    const bad = () => invarg(`invalid ${name}`, v);
    switch (how) {
      case 'u8': out.push(u8(type, parseUnsigned(v, 0xff) ?? bad())); break;
      case 'u16': out.push(u16(type, parseUnsigned(v, 0xffff) ?? bad())); break;
      case 'u32': out.push(u32(type, parseUnsigned(v, 0xffffffff) ?? bad())); break;
      case 'u64': out.push(bytes(type, u64Bytes(getU64(v) ?? bad()))); break;
      case 'proto': out.push(bytes(type, protoBytes(v) ?? bad())); break;
      case 'lladdr': {
        const r = llAddr(v, 32);
        if ('bad' in r) throw new Exit(1, [badLladdr(r.bad)]);
        out.push(bytes(type, r.bytes));
        break;
      }
      case 'boolopt': {
        const on = parseUnsigned(v, 0xff) ?? bad();
        optmask |= type;
        optval = on ? optval | type : optval & ~type;
        break;
      }
    }
  }
  if (optmask) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, optval, true);
    new DataView(b.buffer).setUint32(4, optmask, true);
    out.push(bytes(BR.MULTI_BOOLOPT, b));
  }
  return out;
}

const BRIDGE_SLAVE_USAGE = `Usage: ... bridge_slave [ fdb_flush ]
			[ state STATE ]
			[ priority PRIO ]
			[ cost COST ]
			[ guard {on | off} ]
			[ hairpin {on | off} ]
			[ fastleave {on | off} ]
			[ root_block {on | off} ]
			[ learning {on | off} ]
			[ flood {on | off} ]
			[ proxy_arp {on | off} ]
			[ proxy_arp_wifi {on | off} ]
			[ mcast_router MULTICAST_ROUTER ]
			[ mcast_fast_leave {on | off} ]
			[ mcast_flood {on | off} ]
			[ bcast_flood {on | off} ]
			[ mcast_to_unicast {on | off} ]
			[ group_fwd_mask MASK ]
			[ neigh_suppress {on | off} ]
			[ vlan_tunnel {on | off} ]
			[ isolated {on | off} ]
			[ locked {on | off} ]
			[ backup_port DEVICE ] [ nobackup_port ]`;

type SlaveOpt = readonly [word: string, how: 'u8' | 'u16' | 'u32' | 'onoff' | 'flag' | 'dev' | 'nodev', type: number, err?: string];

// bridge_slave_parse_opt()'s tests in its order (prefixes take the first match).
const BRIDGE_SLAVE_OPTS: SlaveOpt[] = [
  ['fdb_flush', 'flag', PORT.FLUSH], ['state', 'u8', PORT.STATE, 'state is invalid'],
  ['priority', 'u16', PORT.PRIORITY, 'priority is invalid'], ['cost', 'u32', PORT.COST, 'cost is invalid'],
  ['hairpin', 'onoff', PORT.MODE], ['guard', 'onoff', PORT.GUARD], ['root_block', 'onoff', PORT.PROTECT],
  ['fastleave', 'onoff', PORT.FAST_LEAVE], ['learning', 'onoff', PORT.LEARNING],
  ['flood', 'onoff', PORT.UNICAST_FLOOD], ['mcast_flood', 'onoff', PORT.MCAST_FLOOD],
  ['bcast_flood', 'onoff', PORT.BCAST_FLOOD], ['mcast_to_unicast', 'onoff', PORT.MCAST_TO_UCAST],
  ['proxy_arp', 'onoff', PORT.PROXYARP], ['proxy_arp_wifi', 'onoff', PORT.PROXYARP_WIFI],
  ['mcast_router', 'u8', PORT.MULTICAST_ROUTER, 'invalid mcast_router'],
  ['mcast_fast_leave', 'onoff', PORT.FAST_LEAVE], ['neigh_suppress', 'onoff', PORT.NEIGH_SUPPRESS],
  ['group_fwd_mask', 'u16', PORT.GROUP_FWD_MASK, 'invalid group_fwd_mask'],
  ['vlan_tunnel', 'onoff', PORT.VLAN_TUNNEL], ['isolated', 'onoff', PORT.ISOLATED], ['locked', 'onoff', PORT.LOCKED],
  ['backup_port', 'dev', PORT.BACKUP_PORT], ['nobackup_port', 'nodev', PORT.BACKUP_PORT],
];

/** parse_on_off(): a prefix of "off" or "on" (so "o" is off); else ip's message and exit 1. */
function parseOnOff(name: string, v: string): number {
  if (matches(v, 'off')) return 0;
  if (matches(v, 'on')) return 1;
  throw new Exit(1, [`Error: argument of "${name}" must be one of "off", "on", not "${v}"`]);
}

/** bridge_slave_parse_opt() */
function parseBridgeSlave(words: string[], ifindex: (name: string) => number | undefined): LinkAttr[] {
  const out: LinkAttr[] = [];
  for (const a = new Words(words); a.more; a.i++) {
    const w = a.cur;
    const opt = BRIDGE_SLAVE_OPTS.find(([name]) => matches(w, name));
    if (!opt) {
      if (matches(w, 'help')) throw new Exit(1, [BRIDGE_SLAVE_USAGE]);
      throw new Exit(1, [`bridge_slave: unknown option "${w}"?`, BRIDGE_SLAVE_USAGE]);
    }
    const [name, how, type, err = ''] = opt;
    if (how === 'flag') { out.push(bytes(type, new Uint8Array(0))); continue; }
    if (how === 'nodev') { out.push(u32(type, 0)); continue; }
    const v = a.next();
    switch (how) {
      case 'u8': out.push(u8(type, parseUnsigned(v, 0xff) ?? invarg(err, v))); break;
      case 'u16': out.push(u16(type, parseUnsigned(v, 0xffff) ?? invarg(err, v))); break;
      case 'u32': out.push(u32(type, parseUnsigned(v, 0xffffffff) ?? invarg(err, v))); break;
      case 'onoff': out.push(u8(type, parseOnOff(name, v))); break;
      case 'dev': {
        const idx = ifindex(v);
        // ip's message ends in "\n" of its own: a blank line follows.
        if (!idx) throw new Exit(255, [`Error: argument "${v}" is wrong: Device does not exist`, '']);
        out.push(u32(type, idx));
        break;
      }
    }
  }
  return out;
}

const MACVLAN_MODE_WORDS: Record<string, number> = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 };
const MACADDR_MODES: Record<string, number> = { add: 0, del: 1, flush: 2, set: 3 };

const macvlanUsage = (kind: string) => `Usage: ... ${kind} mode MODE [flag MODE_FLAG] MODE_OPTS [bcqueuelen BC_QUEUE_LEN]

MODE: private | vepa | bridge | passthru | source
MODE_FLAG: null | nopromisc | nodst
MODE_OPTS: for mode "source":
	macaddr { { add | del } <macaddr> | set [ <macaddr> [ <macaddr>  ... ] ] | flush }
BC_QUEUE_LEN: Length of the rx queue for broadcast/multicast: [0-4294967295]`;

/** macvlan_parse_opt(); mode and flags go last, as ip adds them after the loop. */
function parseMacvlan(kind: string, words: string[]): LinkAttr[] {
  const usage = macvlanUsage(kind);
  const out: LinkAttr[] = [];
  let mode = 0, flags = 0, hasFlags = false;
  for (const a = new Words(words); a.more; a.i++) {
    const w = a.cur;
    if (matches(w, 'mode')) {
      const v = a.next();
      if (!Object.hasOwn(MACVLAN_MODE_WORDS, v)) {
        throw new Exit(1, [`Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "${v}"`]);
      }
      mode = MACVLAN_MODE_WORDS[v];
    } else if (matches(w, 'flag')) {
      const v = a.next();
      if (v === 'nopromisc') flags |= MACVLAN_FLAG_NOPROMISC;
      else if (v === 'nodst') flags |= MACVLAN_FLAG_NODST;
      else if (v !== 'null') throw new Exit(1, [`Error: argument of "flag" must be "nopromisc", "nodst" or "null", not "${v}"`]);
      hasFlags = true;
    } else if (matches(w, 'macaddr')) {
      const v = a.next();
      if (!Object.hasOwn(MACADDR_MODES, v)) throw new Exit(1, [usage]);
      const macMode = MACADDR_MODES[v];
      out.push(u32(MACVLAN.MACADDR_MODE, macMode));
      if (v === 'add' || v === 'del') {
        const r = llAddr(a.next(), 6);
        if ('bad' in r) throw new Exit(1, [badLladdr(r.bad)]);
        if (r.len !== 6) throw new Exit(1);
        out.push(bytes(MACVLAN.MACADDR, r.bytes));
      } else if (v === 'set') {
        const list: LinkAttr[] = [];
        while (a.i + 1 < words.length) {
          const next = words[a.i + 1];
          const r = llAddr(next, 6);
          if ('bad' in r || r.len !== 6) {
            // Not an address: ip says so when a part is bad, and goes on with this word,
            // which ll_addr_a2n() has cut at its first ':' in place.
            if ('bad' in r) writeAll(2, badLladdr(r.bad) + '\n');
            if (!next.includes('.')) words[a.i + 1] = next.split(':')[0];
            break;
          }
          a.i++;
          list.push(bytes(MACVLAN.MACADDR, r.bytes));
        }
        out.push({ type: MACVLAN.MACADDR_DATA, kind: 'nest', value: list });
      }
    } else if (matches(w, 'nopromisc')) {
      flags |= MACVLAN_FLAG_NOPROMISC;
      hasFlags = true;
    } else if (matches(w, 'nodst')) {
      flags |= MACVLAN_FLAG_NODST;
      hasFlags = true;
    } else if (matches(w, 'bcqueuelen')) {
      const v = a.next();
      const n = parseUnsigned(v, 0xffffffff);
      if (n === undefined) throw new Exit(1, [`Error: argument of "bcqueuelen" must be a positive integer [0-4294967295], not "${v}"`]);
      out.push(u32(MACVLAN.BC_QUEUE_LEN, n));
    } else if (matches(w, 'help')) {
      throw new Exit(1, [usage]);
    } else {
      throw new Exit(1, [`${kind}: unknown option "${w}"?`, usage]);
    }
  }
  if (mode) out.push(u32(MACVLAN.MODE, mode));
  if (hasFlags) {
    if (flags & MACVLAN_FLAG_NOPROMISC && mode !== MACVLAN_MODE_PASSTHRU) {
      throw new Exit(1, [`${kind}: nopromisc flag only valid in passthru mode`, usage]);
    }
    out.push(u16(MACVLAN.FLAGS, flags));
  }
  return out;
}

const VLAN_USAGE = `Usage: ... vlan id VLANID
		[ protocol VLANPROTO ]
		[ reorder_hdr { on | off } ]
		[ gvrp { on | off } ]
		[ mvrp { on | off } ]
		[ loose_binding { on | off } ]
		[ bridge_binding { on | off } ]
		[ ingress-qos-map QOS-MAP ]
		[ egress-qos-map QOS-MAP ]

VLANID := 0-4095
VLANPROTO: [ 802.1Q | 802.1ad ]
QOS-MAP := [ QOS-MAP ] QOS-MAPPING
QOS-MAPPING := FROM:TO`;

const VLAN_FLAG_WORDS: [word: string, bit: number][] = [
  ['reorder_hdr', 0x1], ['gvrp', 0x2], ['mvrp', 0x8], ['loose_binding', 0x4], ['bridge_binding', 0x10],
];

/** vlan_parse_opt() */
function parseVlan(words: string[]): LinkAttr[] {
  const out: LinkAttr[] = [];
  let flags = 0, mask = 0;
  const a = new Words(words);
  while (a.more) {
    const w = a.cur;
    const flag = VLAN_FLAG_WORDS.find(([name]) => matches(w, name));
    if (matches(w, 'protocol')) {
      const v = a.next();
      out.push(bytes(VLAN.PROTOCOL, protoBytes(v) ?? invarg('protocol is invalid', v)));
    } else if (matches(w, 'id')) {
      const v = a.next();
      out.push(u16(VLAN.ID, parseUnsigned(v, 0xffff) ?? invarg('id is invalid', v)));
    } else if (flag) {
      const v = a.next();
      mask |= flag[1];
      if (v === 'on') flags |= flag[1];
      else if (v === 'off') flags &= ~flag[1];
      else throw new Exit(1, [`Error: argument of "${flag[0]}" must be "on" or "off", not "${v}"`]);
    } else if (matches(w, 'ingress-qos-map') || matches(w, 'egress-qos-map')) {
      const ingress = matches(w, 'ingress-qos-map');
      a.next();
      const maps: LinkAttr[] = [];
      // parse_mapping(): FROM:TO words until one has no ':'; that word is read again as a keyword.
      for (; a.more && a.cur.includes(':'); a.i++) {
        const [from, to] = [a.cur.slice(0, a.cur.indexOf(':')), a.cur.slice(a.cur.indexOf(':') + 1)];
        const f = parseUnsigned(from, 0xffffffff), t = parseUnsigned(to, 0xffffffff);
        // The word was cut at its ':' in place, so the message shows FROM only.
        if (f === undefined || t === undefined) invarg(`invalid ${ingress ? 'ingress' : 'egress'}-qos-map`, from);
        const m = new Uint8Array(8);
        new DataView(m.buffer).setUint32(0, f, true);
        new DataView(m.buffer).setUint32(4, t, true);
        maps.push(bytes(IFLA_VLAN_QOS_MAPPING, m));
      }
      out.push({ type: ingress ? VLAN.INGRESS_QOS : VLAN.EGRESS_QOS, kind: 'nest', value: maps });
      continue;
    } else if (matches(w, 'help')) {
      throw new Exit(1, [VLAN_USAGE]);
    } else {
      throw new Exit(1, [`vlan: unknown command "${w}"?`, VLAN_USAGE]);
    }
    a.i++;
  }
  if (mask) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, flags, true);
    new DataView(b.buffer).setUint32(4, mask, true);
    out.push(bytes(VLAN.FLAGS, b));
  }
  return out;
}

/**
 * `ip link add|set ... type KIND ARGS...`: the words after KIND as
 * <kind>_parse_opt reads them, as IFLA_INFO_DATA (IFLA_INFO_SLAVE_DATA for
 * bridge_slave) attributes in ip's order; bad words end in an Exit with ip's
 * message and code. undefined for kinds other than bridge, bridge_slave,
 * macvlan, macvtap, vlan and dummy. ip calls no parser without words,
 * and dummy has none (its words are ignored): both give [].
 */
export function parseKindArgs(kind: string, args: string[], ifindex: (name: string) => number | undefined): LinkAttr[] | undefined {
  // veth's peer is parsed by the link grammar itself (src/ip/link.ts).
  const known = ['bridge', 'bridge_slave', 'macvlan', 'macvtap', 'vlan', 'dummy'];
  if (!known.includes(kind)) return undefined;
  if (!args.length) return [];
  // Own copy: macvlan's lladdr parsing rewrites a word as ip does in place.
  const words = [...args];
  switch (kind) {
    case 'bridge': return parseBridge(words);
    case 'bridge_slave': return parseBridgeSlave(words, ifindex);
    case 'macvlan': case 'macvtap': return parseMacvlan(kind, words);
    case 'vlan': return parseVlan(words);
    default: return [];
  }
}
