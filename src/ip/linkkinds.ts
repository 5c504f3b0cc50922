// The per-kind parts of `ip link` (iproute2 6.1's iplink_bridge.c,
// iplink_bridge_slave.c, iplink_macvlan.c, iplink_vlan.c): what -d prints of
// IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA, and the `type KIND ARGS` words as
// the same attributes. veth's `peer` is parsed with the link grammar itself
// (src/ip/link.ts); bond's parts live in bond-link.ts.
import { type Attrs, type LinkAttr, attrU16, attrU32, attrU8 } from '../wire/nlattr.js';
import { Exit, invarg, matches } from './matches.js';
import type { Output } from './output.js';

const two = (n: number) => String(n).padStart(2, '0');
const hex = (n: number) => n.toString(16);

function u64(b: Uint8Array): number {
  return attrU32(b) + attrU32(b.subarray(4)) * 2 ** 32;
}

/** %#llx: 0 stays "0", others get 0x. */
function hex0x(n: number): string {
  return n ? '0x' + hex(n) : '0';
}

/** br_dump_bridge_id(): priority bytes, then ether_ntoa's unpadded MAC. */
function bridgeId(b: Uint8Array): string {
  return `${b[0].toString(16).padStart(2, '0')}${b[1].toString(16).padStart(2, '0')}.${Array.from(b.subarray(2, 8), hex).join(':')}`;
}

/** _print_timer(): centiseconds as "%4i.%.2i" in text, "%i.%.2i" raw in JSON. */
function timer(out: Output, key: string, b: Uint8Array): void {
  const cs = u64(b);
  const sec = Math.floor(cs / 100), frac = two(cs % 100);
  out.raw(key, `${key} ${String(sec).padStart(4)}.${frac} `, `${sec}.${frac}`);
}

/** ll_proto_n2a() for the VLAN protocols (the attribute is big-endian). */
function vlanProto(b: Uint8Array): string {
  const p = (b[0] << 8) | b[1];
  return p === 0x8100 ? '802.1Q' : p === 0x88a8 ? '802.1ad' : `0x${p.toString(16).padStart(4, '0')}`;
}

function macText(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

type Field = [type: number, key: string, label: string, kind: 'u8' | 'u16' | 'u32' | 'u64' | 'timer' | 'hex16' | 'id' | 'mac' | 'proto' | 'onoff'];

// IFLA_BR_* in bridge_print_opt's order (MULTI_BOOLOPT is handled apart, after mcast_snooping).
const BRIDGE: Field[] = [
  [1, 'forward_delay', 'forward_delay', 'u32'], [2, 'hello_time', 'hello_time', 'u32'], [3, 'max_age', 'max_age', 'u32'],
  [4, 'ageing_time', 'ageing_time', 'u32'], [5, 'stp_state', 'stp_state', 'u32'], [6, 'priority', 'priority', 'u16'],
  [7, 'vlan_filtering', 'vlan_filtering', 'u8'], [8, 'vlan_protocol', 'vlan_protocol', 'proto'],
  [11, 'bridge_id', 'bridge_id', 'id'], [10, 'root_id', 'designated_root', 'id'], [12, 'root_port', 'root_port', 'u16'],
  [13, 'root_path_cost', 'root_path_cost', 'u32'], [14, 'topology_change', 'topology_change', 'u8'],
  [15, 'topology_change_detected', 'topology_change_detected', 'u8'], [16, 'hello_timer', 'hello_timer', 'timer'],
  [17, 'tcn_timer', 'tcn_timer', 'timer'], [18, 'topology_change_timer', 'topology_change_timer', 'timer'],
  [19, 'gc_timer', 'gc_timer', 'timer'], [39, 'vlan_default_pvid', 'vlan_default_pvid', 'u16'],
  [41, 'vlan_stats_enabled', 'vlan_stats_enabled', 'u8'], [45, 'vlan_stats_per_port', 'vlan_stats_per_port', 'u8'],
  [9, 'group_fwd_mask', 'group_fwd_mask', 'hex16'], [20, 'group_addr', 'group_address', 'mac'],
  [23, 'mcast_snooping', 'mcast_snooping', 'u8'],
];
const BRIDGE_MCAST: Field[] = [
  [22, 'mcast_router', 'mcast_router', 'u8'], [24, 'mcast_query_use_ifaddr', 'mcast_query_use_ifaddr', 'u8'],
  [25, 'mcast_querier', 'mcast_querier', 'u8'], [26, 'mcast_hash_elasticity', 'mcast_hash_elasticity', 'u32'],
  [27, 'mcast_hash_max', 'mcast_hash_max', 'u32'], [28, 'mcast_last_member_cnt', 'mcast_last_member_count', 'u32'],
  [29, 'mcast_startup_query_cnt', 'mcast_startup_query_count', 'u32'],
  [30, 'mcast_last_member_intvl', 'mcast_last_member_interval', 'u64'],
  [31, 'mcast_membership_intvl', 'mcast_membership_interval', 'u64'],
  [32, 'mcast_querier_intvl', 'mcast_querier_interval', 'u64'], [33, 'mcast_query_intvl', 'mcast_query_interval', 'u64'],
  [34, 'mcast_query_response_intvl', 'mcast_query_response_interval', 'u64'],
  [35, 'mcast_startup_query_intvl', 'mcast_startup_query_interval', 'u64'],
  [42, 'mcast_stats_enabled', 'mcast_stats_enabled', 'u8'], [43, 'mcast_igmp_version', 'mcast_igmp_version', 'u8'],
  [44, 'mcast_mld_version', 'mcast_mld_version', 'u8'], [36, 'nf_call_iptables', 'nf_call_iptables', 'u8'],
  [37, 'nf_call_ip6tables', 'nf_call_ip6tables', 'u8'], [38, 'nf_call_arptables', 'nf_call_arptables', 'u8'],
];
const IFLA_BR_MULTI_BOOLOPT = 46;

// IFLA_BRPORT_* in bridge_slave_print_opt's order, after state (1).
const PORT: Field[] = [
  [2, 'priority', 'priority', 'u16'], [3, 'cost', 'cost', 'u32'], [4, 'hairpin', 'hairpin', 'onoff'],
  [5, 'guard', 'guard', 'onoff'], [6, 'root_block', 'root_block', 'onoff'], [7, 'fastleave', 'fastleave', 'onoff'],
  [8, 'learning', 'learning', 'onoff'], [9, 'flood', 'flood', 'onoff'], [17, 'id', 'port_id', 'hex16'],
  [18, 'no', 'port_no', 'hex16'], [15, 'designated_port', 'designated_port', 'u16'],
  [16, 'designated_cost', 'designated_cost', 'u16'], [14, 'bridge_id', 'designated_bridge', 'id'],
  [13, 'root_id', 'designated_root', 'id'], [23, 'hold_timer', 'hold_timer', 'timer'],
  [21, 'message_age_timer', 'message_age_timer', 'timer'], [22, 'forward_delay_timer', 'forward_delay_timer', 'timer'],
  [19, 'topology_change_ack', 'topology_change_ack', 'u8'], [20, 'config_pending', 'config_pending', 'u8'],
  [10, 'proxy_arp', 'proxy_arp', 'onoff'], [12, 'proxy_arp_wifi', 'proxy_arp_wifi', 'onoff'],
  [25, 'multicast_router', 'mcast_router', 'u8'],
];
const PORT_TAIL: Field[] = [
  [27, 'mcast_flood', 'mcast_flood', 'onoff'], [30, 'bcast_flood', 'bcast_flood', 'onoff'],
  [28, 'mcast_to_unicast', 'mcast_to_unicast', 'onoff'], [32, 'neigh_suppress', 'neigh_suppress', 'onoff'],
];
const PORT_FLAGS: Field[] = [[29, 'vlan_tunnel', 'vlan_tunnel', 'onoff'], [33, 'isolated', 'isolated', 'onoff'], [39, 'locked', 'locked', 'onoff']];
const PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];
const FWD_MASK_NAMES: Record<number, string> = { 0: 'stp', 2: 'lacp', 14: 'lldp' };

function printFields(out: Output, d: Attrs, fields: Field[]): void {
  for (const [type, key, label, kind] of fields) {
    const b = d.get(type);
    if (!b) continue;
    switch (kind) {
      case 'u8': case 'u16': case 'u32': case 'u64': {
        const v = kind === 'u8' ? attrU8(b) : kind === 'u16' ? attrU16(b) : kind === 'u32' ? attrU32(b) : u64(b);
        out.uint(key, `${label} ${v} `, v);
        break;
      }
      case 'timer': timer(out, key, b); break;
      case 'hex16': {
        const s = hex0x(attrU16(b));
        out.string(key, `${label} ${s} `, s);
        break;
      }
      case 'id': out.string(key, `${label} ${bridgeId(b)} `, bridgeId(b)); break;
      case 'mac': out.string(key, `${label} ${macText(b)} `, macText(b)); break;
      case 'proto': out.string(key, `${label} ${vlanProto(b)} `, vlanProto(b)); break;
      case 'onoff': {
        const on = attrU8(b) !== 0;
        out.bool(key, `${label} ${on ? 'on' : 'off'} `, on);
        break;
      }
    }
  }
}

function printBridge(out: Output, d: Attrs): void {
  // ip 6.1 prints designated_root from IFLA_BR_BRIDGE_ID's bytes (a slip in
  // bridge_print_opt); so do we, to print what it prints.
  const bridgeIdAttr = d.get(11);
  const view: Attrs = bridgeIdAttr && d.has(10)
    ? { get: (t) => (t === 10 ? bridgeIdAttr : d.get(t)), has: (t) => d.has(t), [Symbol.iterator]: () => d[Symbol.iterator]() }
    : d;
  printFields(out, view, BRIDGE);
  const bm = d.get(IFLA_BR_MULTI_BOOLOPT);
  if (bm) {
    const val = attrU32(bm), mask = attrU32(bm.subarray(4));
    // BR_BOOLOPT_NO_LL_LEARN = 0, BR_BOOLOPT_MCAST_VLAN_SNOOPING = 1
    if (mask & 1) out.uint('no_linklocal_learn', `no_linklocal_learn ${val & 1 ? 1 : 0} `, val & 1 ? 1 : 0);
    if (mask & 2) out.uint('mcast_vlan_snooping', `mcast_vlan_snooping ${val & 2 ? 1 : 0} `, val & 2 ? 1 : 0);
  }
  printFields(out, d, BRIDGE_MCAST);
}

function printBridgeSlave(out: Output, d: Attrs, ifname: (index: number) => string): void {
  const st = d.get(1);
  if (st) {
    const s = attrU8(st);
    if (s < PORT_STATES.length) out.string('state', `state ${PORT_STATES[s]} `, PORT_STATES[s]);
    else out.uint('state_index', `state (${s}) `, s);
  }
  printFields(out, d, PORT);
  const fast = d.get(7);
  if (fast) out.fp(`mcast_fast_leave ${attrU8(fast) ? 'on' : 'off'} `);
  printFields(out, d, PORT_TAIL);
  const fm = d.get(31);
  if (fm) {
    const mask = attrU16(fm);
    out.string('group_fwd_mask', `group_fwd_mask ${hex0x(mask)} `, hex0x(mask));
    const names: string[] = [];
    for (let i = 0, m = mask; m; i++, m >>= 1) if (m & 1) names.push(FWD_MASK_NAMES[i] ?? `0x${hex(1 << i)}`);
    const str = names.length ? names.join(',') : '0x0';
    out.string('group_fwd_mask_str', `group_fwd_mask_str ${str} `, str);
  }
  printFields(out, d, PORT_FLAGS);
  const backup = d.get(34);
  if (backup) {
    const n = ifname(attrU32(backup));
    out.string('backup_port', `backup_port ${n} `, n);
  }
}

const MACVLAN_MODES: Record<number, string> = { 1: 'private', 2: 'vepa', 4: 'bridge', 8: 'passthru', 16: 'source' };

function printMacvlan(out: Output, d: Attrs): void {
  const m = d.get(1);
  if (!m || m.length < 4) return;
  const mode = attrU32(m);
  const name = MACVLAN_MODES[mode] ?? 'unknown';
  out.string('mode', `mode ${name} `, name);
  const fl = d.get(2);
  const flags = fl && fl.length >= 2 ? attrU16(fl) : 0;
  if (flags & 1) out.bool('nopromisc', 'nopromisc ', true);
  if (flags & 2) out.bool('nodst', 'nodst ', true);
  for (const [t, key] of [[7, 'bcqueuelen'], [8, 'usedbcqueuelen']] as const) {
    const b = d.get(t);
    if (b && b.length >= 4) out.uint(key, `${key} ${attrU32(b)} `, attrU32(b));
  }
  if (mode !== 16) return;
  const cnt = d.get(6);
  if (!cnt || cnt.length < 4) return;
  out.uint('macaddr_count', `remotes (${attrU32(cnt) | 0}) `, attrU32(cnt) | 0);
  const data = d.get(5);
  if (!data) return;
  out.openArray('macaddr_data');
  for (let p = 0; p + 4 <= data.length;) {
    const len = data[p] | (data[p + 1] << 8);
    if (len < 4) break;
    const type = data[p + 2] | (data[p + 3] << 8);
    if (type === 4 && len - 4 >= 6) {
      const s = macText(data.subarray(p + 4, p + 10));
      out.string(null, s + ' ', s);
    }
    p += (len + 3) & ~3;
  }
  out.closeArray();
}

const VLAN_FLAGS: [number, string][] = [[1, 'REORDER_HDR'], [2, 'GVRP'], [4, 'LOOSE_BINDING'], [8, 'MVRP'], [16, 'BRIDGE_BINDING']];

function printVlan(out: Output, d: Attrs): void {
  const proto = d.get(5);
  if (proto && proto.length < 2) return;
  const id = d.get(1);
  if (!id || id.length < 2) return;
  const p = proto ? vlanProto(proto) : '802.1q';
  out.string('protocol', `protocol ${p} `, p);
  out.uint('id', `id ${attrU16(id)} `, attrU16(id));
  const fl = d.get(2);
  if (fl) {
    if (fl.length < 8) return;
    let flags = attrU32(fl);
    out.openArray('flags');
    out.fp('<');
    // vlan_print_flags() order: REORDER_HDR, GVRP, MVRP, LOOSE_BINDING, BRIDGE_BINDING
    for (const bit of [1, 2, 8, 4, 16]) {
      if (flags & bit) {
        flags &= ~bit;
        const name = VLAN_FLAGS.find(([b]) => b === bit)![1];
        out.string(null, flags ? name + ',' : name, name);
      }
    }
    if (flags) out.string(null, hex(flags), hex(flags));
    out.closeArray();
    out.fp('> ');
  }
  for (const [t, key, label] of [[4, 'ingress_qos', 'ingress-qos-map'], [3, 'egress_qos', 'egress-qos-map']] as const) {
    const b = d.get(t);
    if (!b) continue;
    out.openArray(key);
    out.fp(`\n      ${label} { `);
    for (let p = 0; p + 4 <= b.length;) {
      const len = b[p] | (b[p + 1] << 8);
      if (len < 4) break;
      const from = attrU32(b.subarray(p + 4)), to = attrU32(b.subarray(p + 8));
      if (out.json) {
        out.openObject();
        out.uint('from', '', from);
        out.uint('to', '', to);
        out.closeObject();
      } else out.fp(`${from}:${to} `);
      p += (len + 3) & ~3;
    }
    out.closeArray();
    out.fp('} ');
  }
}

/** The IFLA_INFO_DATA part of `ip -d link show` for KIND; false when ip 6.1 has no printer for it. */
export function printKindData(out: Output, kind: string, data: Attrs, _ifname: (index: number) => string): boolean {
  switch (kind) {
    case 'bridge': printBridge(out, data); return true;
    case 'macvlan': case 'macvtap': printMacvlan(out, data); return true;
    case 'vlan': printVlan(out, data); return true;
    default: return false;
  }
}

/** The IFLA_INFO_SLAVE_DATA part for a slave kind ("bridge" prints bridge_slave's options). */
export function printSlaveKindData(out: Output, slaveKind: string, data: Attrs, ifname: (index: number) => string): boolean {
  if (slaveKind !== 'bridge') return false;
  printBridgeSlave(out, data, ifname);
  return true;
}

function onOffArg(name: string, v: string): number {
  if (v === 'on') return 1;
  if (v === 'off') return 0;
  throw new Exit(1, [`Error: argument of "${name}" must be "on" or "off", not "${v}"`]);
}

function unsigned(v: string, max: number): number | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(v);
  if (!m) return undefined;
  const n = m[1].length > 1 && m[1][0] === '0' && !/^0[xX]/.test(m[1]) ? parseInt(m[1], 8) : Number(m[1]);
  return n <= max ? n : undefined;
}

function next(args: string[], i: number): string {
  if (i + 1 >= args.length) throw new Exit(255, ['Command line is not complete. Try option "help"']);
  return args[i + 1];
}

const MACVLAN_USAGE = `Usage: ... macvlan mode MODE [flag MODE_FLAG] MODE_OPTS [bcqueuelen BC_QUEUE_LEN]

MODE: private | vepa | bridge | passthru | source
MODE_FLAG: null | nopromisc | nodst
MODE_OPTS: for mode "source":
	macaddr { { add | del } <macaddr> | set [ <macaddr> [ <macaddr>  ... ] ] | flush }
BC_QUEUE_LEN: Length of the rx queue for broadcast/multicast: [0-4294967295]`;

function parseMacvlan(kind: string, args: string[]): LinkAttr[] {
  const usage = MACVLAN_USAGE.replace('macvlan', kind);
  const out: LinkAttr[] = [];
  let mode = 0, flags = 0, hasFlags = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (matches(w, 'mode')) {
      const v = next(args, i++);
      const m = Object.entries(MACVLAN_MODES).find(([, n]) => n === v);
      if (!m) throw new Exit(1, [`Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "${v}"`]);
      mode = Number(m[0]);
    } else if (matches(w, 'flag')) {
      const v = next(args, i++);
      if (v === 'nopromisc') flags |= 1;
      else if (v === 'nodst') flags |= 2;
      else if (v !== 'null') throw new Exit(1, [`Error: argument of "flag" must be "nopromisc", "nodst" or "null", not "${v}"`]);
      hasFlags = true;
    } else if (matches(w, 'nopromisc') || matches(w, 'nodst')) {
      flags |= matches(w, 'nopromisc') ? 1 : 2;
      hasFlags = true;
    } else if (matches(w, 'bcqueuelen')) {
      const v = next(args, i++);
      const n = unsigned(v, 0xffffffff);
      if (n === undefined) throw new Exit(1, [`Error: argument of "bcqueuelen" must be a positive integer [0-4294967295], not "${v}"`]);
      // Added where it is read, as ip does; mode and flags follow at the end.
      out.push({ type: 7, kind: 'u32', value: n });
    } else if (matches(w, 'help')) {
      throw new Exit(1, [usage]);
    } else {
      throw new Exit(1, [`${kind}: unknown option "${w}"?`, usage]);
    }
  }
  if (mode) out.push({ type: 1, kind: 'u32', value: mode });
  if (hasFlags) {
    if (flags & 1 && mode !== 8) throw new Exit(1, [`${kind}: nopromisc flag only valid in passthru mode`, usage]);
    out.push({ type: 2, kind: 'u16', value: flags });
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
VLANPROTO: [ 802.1Q / 802.1ad ]
QOS-MAP := [ QOS-MAP ] QOS-MAPPING
QOS-MAPPING := FROM:TO`;

function parseVlan(args: string[]): LinkAttr[] {
  const out: LinkAttr[] = [];
  let flags = 0, mask = 0;
  const FLAG_WORDS: [string, number][] = [['reorder_hdr', 1], ['gvrp', 2], ['mvrp', 8], ['loose_binding', 4], ['bridge_binding', 16]];
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    const flag = FLAG_WORDS.find(([n]) => matches(w, n));
    if (matches(w, 'protocol')) {
      const v = next(args, i++);
      const p = v.toLowerCase() === '802.1q' ? 0x8100 : v.toLowerCase() === '802.1ad' ? 0x88a8 : undefined;
      if (p === undefined) invarg('protocol is invalid', v);
      out.push({ type: 5, kind: 'bytes', value: Uint8Array.of(p >> 8, p & 255) });
    } else if (matches(w, 'id')) {
      const v = next(args, i++);
      const n = unsigned(v, 0xffff);
      if (n === undefined) invarg('id is invalid', v);
      out.push({ type: 1, kind: 'u16', value: n });
    } else if (flag) {
      const v = next(args, i++);
      mask |= flag[1];
      if (onOffArg(flag[0], v)) flags |= flag[1];
      else flags &= ~flag[1];
    } else if (matches(w, 'help')) {
      throw new Exit(1, [VLAN_USAGE]);
    } else {
      throw new Exit(1, [`vlan: unknown command "${w}"?`, VLAN_USAGE]);
    }
  }
  if (mask) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, flags, true);
    new DataView(b.buffer).setUint32(4, mask, true);
    out.push({ type: 2, kind: 'bytes', value: b });
  }
  return out;
}

/** bridge_slave's settable options (ip 6.1's subset that a user meets here). */
function parseBridgeSlave(args: string[]): LinkAttr[] {
  const out: LinkAttr[] = [];
  const ONOFF: [string, number][] = [['hairpin', 4], ['guard', 5], ['root_block', 6], ['fastleave', 7], ['learning', 8],
    ['flood', 9], ['proxy_arp', 10], ['proxy_arp_wifi', 12], ['mcast_flood', 27], ['mcast_to_unicast', 28],
    ['bcast_flood', 30], ['neigh_suppress', 32], ['vlan_tunnel', 29], ['isolated', 33], ['locked', 39]];
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (matches(w, 'fdb_flush')) out.push({ type: 24, kind: 'bytes', value: new Uint8Array(0) });
    else if (matches(w, 'state')) {
      const v = next(args, i++);
      const n = unsigned(v, 255);
      if (n === undefined) invarg('state is invalid', v);
      out.push({ type: 1, kind: 'u8', value: n });
    } else if (matches(w, 'priority')) {
      const v = next(args, i++);
      const n = unsigned(v, 0xffff);
      if (n === undefined) invarg('priority is invalid', v);
      out.push({ type: 2, kind: 'u16', value: n });
    } else if (matches(w, 'cost')) {
      const v = next(args, i++);
      const n = unsigned(v, 0xffffffff);
      if (n === undefined) invarg('cost is invalid', v);
      out.push({ type: 3, kind: 'u32', value: n });
    } else {
      // Exact names first: "flood" must not be taken for "fastleave"'s prefix rules.
      const o = ONOFF.find(([n]) => n === w) ?? ONOFF.find(([n]) => matches(w, n));
      if (!o) throw new Exit(1, [`bridge_slave: unknown option "${w}"?`]);
      const v = next(args, i++);
      out.push({ type: o[1], kind: 'u8', value: onOffArg(o[0], v) });
    }
  }
  return out;
}

/** A few bridge options in IFLA_BR_* (the STP timers, priority, VLAN filtering, snooping). */
function parseBridge(args: string[]): LinkAttr[] {
  const out: LinkAttr[] = [];
  const NUM: [string, number, 'u8' | 'u16' | 'u32', number][] = [
    ['forward_delay', 1, 'u32', 0xffffffff], ['hello_time', 2, 'u32', 0xffffffff], ['max_age', 3, 'u32', 0xffffffff],
    ['ageing_time', 4, 'u32', 0xffffffff], ['stp_state', 5, 'u32', 0xffffffff], ['priority', 6, 'u16', 0xffff],
    ['vlan_filtering', 7, 'u8', 255], ['vlan_default_pvid', 39, 'u16', 0xffff], ['mcast_snooping', 23, 'u8', 255],
    ['mcast_querier', 25, 'u8', 255], ['nf_call_iptables', 36, 'u8', 255], ['nf_call_ip6tables', 37, 'u8', 255],
    ['nf_call_arptables', 38, 'u8', 255],
  ];
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    const o = NUM.find(([n]) => n === w) ?? NUM.find(([n]) => matches(w, n));
    if (!o) throw new Exit(1, [`bridge: unknown command "${w}"?`]);
    const v = next(args, i++);
    const n = unsigned(v, o[3]);
    if (n === undefined) invarg(`invalid ${o[0]}`, v);
    out.push({ type: o[1], kind: o[2], value: n });
  }
  return out;
}

/**
 * `ip link add|set ... type KIND ARGS`: the words after KIND as <kind>_parse_opt
 * reads them; undefined for a kind this module does not parse (veth and bond
 * are parsed elsewhere; dummy takes no options).
 */
export function parseKindArgs(kind: string, args: string[], _ifindex: (name: string) => number | undefined): LinkAttr[] | undefined {
  switch (kind) {
    case 'macvlan': case 'macvtap': return parseMacvlan(kind, args);
    case 'vlan': return parseVlan(args);
    case 'bridge_slave': return parseBridgeSlave(args);
    case 'bridge': return parseBridge(args);
    default: return undefined;
  }
}
