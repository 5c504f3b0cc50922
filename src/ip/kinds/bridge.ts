// The bridge kind (ip/iplink_bridge.c of iproute2 6.1): `type bridge ...`
// as IFLA_BR_* attributes in ip's order, and what -d prints of them.
import { type Attrs, type LinkAttr, attrU32, encodeBitfield32, encodeU64 } from '../../wire/nlattr.js';
import { parseUnsigned } from '../../lib/inet.js';
import type { Output } from '../../lib/output.js';
import { Args, Exit, invarg, matches } from '../matches.js';
import { type Field, printField, printFields } from './fields.js';
import { BR_BOOLOPT_MCAST_VLAN_SNOOPING, BR_BOOLOPT_NO_LL_LEARN, IFLA_BR } from '../../wire/rtnl-constants.js';
import type { LinkKind } from './kind.js';

// BR_BOOLOPT_* as bits of br_boolopt_multi.
const NO_LL_LEARN_BIT = 1 << BR_BOOLOPT_NO_LL_LEARN, MCAST_VLAN_SNOOPING_BIT = 1 << BR_BOOLOPT_MCAST_VLAN_SNOOPING;
import { protoBytes } from './llproto.js';
import { badLladdr, bytes, flag, getU64, llAddr, u16, u32, u8 } from './util.js';


const BRIDGE_HEAD: Field[] = [
  [IFLA_BR.FORWARD_DELAY, 'u32', 'forward_delay'], [IFLA_BR.HELLO_TIME, 'u32', 'hello_time'], [IFLA_BR.MAX_AGE, 'u32', 'max_age'],
  [IFLA_BR.AGEING_TIME, 'u32', 'ageing_time'], [IFLA_BR.STP_STATE, 'u32', 'stp_state'], [IFLA_BR.PRIORITY, 'u16', 'priority'],
  [IFLA_BR.VLAN_FILTERING, 'u8', 'vlan_filtering'], [IFLA_BR.VLAN_PROTOCOL, 'proto', 'vlan_protocol'],
  [IFLA_BR.BRIDGE_ID, 'id', 'bridge_id'],
];
const BRIDGE_MIDDLE: Field[] = [
  [IFLA_BR.ROOT_PORT, 'u16', 'root_port'], [IFLA_BR.ROOT_PATH_COST, 'u32', 'root_path_cost'],
  [IFLA_BR.TOPOLOGY_CHANGE, 'u8', 'topology_change'], [IFLA_BR.TOPOLOGY_CHANGE_DETECTED, 'u8', 'topology_change_detected'],
  [IFLA_BR.HELLO_TIMER, 'timer', 'hello_timer'], [IFLA_BR.TCN_TIMER, 'timer', 'tcn_timer'],
  [IFLA_BR.TOPOLOGY_CHANGE_TIMER, 'timer', 'topology_change_timer'], [IFLA_BR.GC_TIMER, 'timer', 'gc_timer'],
  [IFLA_BR.VLAN_DEFAULT_PVID, 'u16', 'vlan_default_pvid'], [IFLA_BR.VLAN_STATS_ENABLED, 'u8', 'vlan_stats_enabled'],
  [IFLA_BR.VLAN_STATS_PER_PORT, 'u8', 'vlan_stats_per_port'], [IFLA_BR.GROUP_FWD_MASK, 'hex', 'group_fwd_mask'],
  [IFLA_BR.GROUP_ADDR, 'mac', 'group_addr', 'group_address'], [IFLA_BR.MCAST_SNOOPING, 'u8', 'mcast_snooping'],
];
const BRIDGE_TAIL: Field[] = [
  [IFLA_BR.MCAST_ROUTER, 'u8', 'mcast_router'], [IFLA_BR.MCAST_QUERY_USE_IFADDR, 'u8', 'mcast_query_use_ifaddr'],
  [IFLA_BR.MCAST_QUERIER, 'u8', 'mcast_querier'], [IFLA_BR.MCAST_HASH_ELASTICITY, 'u32', 'mcast_hash_elasticity'],
  [IFLA_BR.MCAST_HASH_MAX, 'u32', 'mcast_hash_max'],
  [IFLA_BR.MCAST_LAST_MEMBER_CNT, 'u32', 'mcast_last_member_cnt', 'mcast_last_member_count'],
  [IFLA_BR.MCAST_STARTUP_QUERY_CNT, 'u32', 'mcast_startup_query_cnt', 'mcast_startup_query_count'],
  [IFLA_BR.MCAST_LAST_MEMBER_INTVL, 'u64', 'mcast_last_member_intvl', 'mcast_last_member_interval'],
  [IFLA_BR.MCAST_MEMBERSHIP_INTVL, 'u64', 'mcast_membership_intvl', 'mcast_membership_interval'],
  [IFLA_BR.MCAST_QUERIER_INTVL, 'u64', 'mcast_querier_intvl', 'mcast_querier_interval'],
  [IFLA_BR.MCAST_QUERY_INTVL, 'u64', 'mcast_query_intvl', 'mcast_query_interval'],
  [IFLA_BR.MCAST_QUERY_RESPONSE_INTVL, 'u64', 'mcast_query_response_intvl', 'mcast_query_response_interval'],
  [IFLA_BR.MCAST_STARTUP_QUERY_INTVL, 'u64', 'mcast_startup_query_intvl', 'mcast_startup_query_interval'],
  [IFLA_BR.MCAST_STATS_ENABLED, 'u8', 'mcast_stats_enabled'], [IFLA_BR.MCAST_IGMP_VERSION, 'u8', 'mcast_igmp_version'],
  [IFLA_BR.MCAST_MLD_VERSION, 'u8', 'mcast_mld_version'], [IFLA_BR.NF_CALL_IPTABLES, 'u8', 'nf_call_iptables'],
  [IFLA_BR.NF_CALL_IP6TABLES, 'u8', 'nf_call_ip6tables'], [IFLA_BR.NF_CALL_ARPTABLES, 'u8', 'nf_call_arptables'],
];

/** bridge_print_opt() */
function printBridge(out: Output, tb: Attrs): void {
  printFields(out, tb, BRIDGE_HEAD);
  // ip 6.1 prints designated_root from IFLA_BR_BRIDGE_ID's bytes, not IFLA_BR_ROOT_ID's.
  const bridgeIdAttr = tb.get(IFLA_BR.BRIDGE_ID);
  if (tb.has(IFLA_BR.ROOT_ID) && bridgeIdAttr) printField(out, bridgeIdAttr, 'id', 'root_id', 'designated_root');
  printFields(out, tb, BRIDGE_MIDDLE);
  const bm = tb.get(IFLA_BR.MULTI_BOOLOPT);
  if (bm) {
    const val = attrU32(bm), mask = attrU32(bm.subarray(4));
    for (const [bit, key] of [[NO_LL_LEARN_BIT, 'no_linklocal_learn'], [MCAST_VLAN_SNOOPING_BIT, 'mcast_vlan_snooping']] as const) {
      if (mask & bit) out.uint(key, `${key} ${val & bit ? 1 : 0} `, val & bit ? 1 : 0);
    }
  }
  printFields(out, tb, BRIDGE_TAIL);
}

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
  ['forward_delay', 'u32', IFLA_BR.FORWARD_DELAY], ['hello_time', 'u32', IFLA_BR.HELLO_TIME], ['max_age', 'u32', IFLA_BR.MAX_AGE],
  ['ageing_time', 'u32', IFLA_BR.AGEING_TIME], ['stp_state', 'u32', IFLA_BR.STP_STATE], ['priority', 'u16', IFLA_BR.PRIORITY],
  ['vlan_filtering', 'u8', IFLA_BR.VLAN_FILTERING], ['vlan_protocol', 'proto', IFLA_BR.VLAN_PROTOCOL],
  ['group_fwd_mask', 'u16', IFLA_BR.GROUP_FWD_MASK], ['group_address', 'lladdr', IFLA_BR.GROUP_ADDR],
  ['no_linklocal_learn', 'boolopt', NO_LL_LEARN_BIT], ['fdb_flush', 'flag', IFLA_BR.FDB_FLUSH],
  ['vlan_default_pvid', 'u16', IFLA_BR.VLAN_DEFAULT_PVID], ['vlan_stats_enabled', 'u8', IFLA_BR.VLAN_STATS_ENABLED],
  ['vlan_stats_per_port', 'u8', IFLA_BR.VLAN_STATS_PER_PORT], ['mcast_router', 'u8', IFLA_BR.MCAST_ROUTER],
  ['mcast_snooping', 'u8', IFLA_BR.MCAST_SNOOPING], ['mcast_vlan_snooping', 'boolopt', MCAST_VLAN_SNOOPING_BIT],
  ['mcast_query_use_ifaddr', 'u8', IFLA_BR.MCAST_QUERY_USE_IFADDR], ['mcast_querier', 'u8', IFLA_BR.MCAST_QUERIER],
  ['mcast_hash_elasticity', 'u32', IFLA_BR.MCAST_HASH_ELASTICITY], ['mcast_hash_max', 'u32', IFLA_BR.MCAST_HASH_MAX],
  ['mcast_last_member_count', 'u32', IFLA_BR.MCAST_LAST_MEMBER_CNT],
  ['mcast_startup_query_count', 'u32', IFLA_BR.MCAST_STARTUP_QUERY_CNT],
  ['mcast_last_member_interval', 'u64', IFLA_BR.MCAST_LAST_MEMBER_INTVL],
  ['mcast_membership_interval', 'u64', IFLA_BR.MCAST_MEMBERSHIP_INTVL],
  ['mcast_querier_interval', 'u64', IFLA_BR.MCAST_QUERIER_INTVL], ['mcast_query_interval', 'u64', IFLA_BR.MCAST_QUERY_INTVL],
  ['mcast_query_response_interval', 'u64', IFLA_BR.MCAST_QUERY_RESPONSE_INTVL],
  ['mcast_startup_query_interval', 'u64', IFLA_BR.MCAST_STARTUP_QUERY_INTVL],
  ['mcast_stats_enabled', 'u8', IFLA_BR.MCAST_STATS_ENABLED], ['mcast_igmp_version', 'u8', IFLA_BR.MCAST_IGMP_VERSION],
  ['mcast_mld_version', 'u8', IFLA_BR.MCAST_MLD_VERSION], ['nf_call_iptables', 'u8', IFLA_BR.NF_CALL_IPTABLES],
  ['nf_call_ip6tables', 'u8', IFLA_BR.NF_CALL_IP6TABLES], ['nf_call_arptables', 'u8', IFLA_BR.NF_CALL_ARPTABLES],
];

/** bridge_parse_opt() */
function parseBridge(words: string[]): LinkAttr[] {
  const out: LinkAttr[] = [];
  let optval = 0, optmask = 0;
  for (const a = new Args(words); a.more; a.i++) {
    const w = a.cur;
    const opt = BRIDGE_OPTS.find(([name, how]) => (how === 'boolopt' ? w === name : matches(w, name)));
    if (!opt) {
      if (matches(w, 'help')) throw new Exit(1, [BRIDGE_USAGE]);
      throw new Exit(1, [`bridge: unknown command "${w}"?`, BRIDGE_USAGE]);
    }
    const [name, how, type] = opt;
    if (how === 'flag') {
      out.push(flag(type));
      continue;
    }
    const v = a.next();
    const bad = () => invarg(`invalid ${name}`, v);
    switch (how) {
      case 'u8': out.push(u8(type, parseUnsigned(v, 0xff) ?? bad())); break;
      case 'u16': out.push(u16(type, parseUnsigned(v, 0xffff) ?? bad())); break;
      case 'u32': out.push(u32(type, parseUnsigned(v, 0xffffffff) ?? bad())); break;
      case 'u64': out.push(bytes(type, encodeU64(getU64(v) ?? bad()))); break;
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
  if (optmask) out.push(bytes(IFLA_BR.MULTI_BOOLOPT, encodeBitfield32(optval, optmask)));
  return out;
}

export const bridge: LinkKind = {
  id: 'bridge',
  parse: (words) => parseBridge(words),
  print: (out, data) => printBridge(out, data),
  help: BRIDGE_USAGE,
  keywords: ['fdb_flush', ...BRIDGE_OPTS.map(([name]) => name).filter((n) => n !== 'fdb_flush')],
};
