// The bond kind (ip/iplink_bond.c of iproute2 6.1): the `type bond ...`
// options encoded as the same IFLA_BOND_* attributes in the same order, ip's
// messages for bad values, and the -d text / -j -d JSON of info_data. Shared
// by `tsnet link` and `tsnet bond`.
import { Exit, incomplete, invarg, matches } from '../matches.js';
import { formatIPv4, formatIPv6, hexColon, parseAddress, parseIPv6, parseLladdr, parseUnsigned } from '../../lib/inet.js';
import type { Output } from '../../lib/output.js';
import { type Attrs, type LinkAttr, attrU16, attrU32, attrU8, parseAttrs } from '../../wire/nlattr.js';
import {
  AF_INET, IFLA_BOND_ACTIVE_SLAVE, IFLA_BOND_AD_ACTOR_SYSTEM, IFLA_BOND_AD_ACTOR_SYS_PRIO, IFLA_BOND_AD_INFO,
  IFLA_BOND_AD_INFO_ACTOR_KEY, IFLA_BOND_AD_INFO_AGGREGATOR, IFLA_BOND_AD_INFO_NUM_PORTS, IFLA_BOND_AD_INFO_PARTNER_KEY,
  IFLA_BOND_AD_INFO_PARTNER_MAC, IFLA_BOND_AD_LACP_ACTIVE, IFLA_BOND_AD_LACP_RATE, IFLA_BOND_AD_SELECT,
  IFLA_BOND_AD_USER_PORT_KEY, IFLA_BOND_ALL_SLAVES_ACTIVE, IFLA_BOND_ARP_ALL_TARGETS, IFLA_BOND_ARP_INTERVAL,
  IFLA_BOND_ARP_IP_TARGET, IFLA_BOND_ARP_VALIDATE, IFLA_BOND_DOWNDELAY, IFLA_BOND_FAIL_OVER_MAC, IFLA_BOND_LP_INTERVAL,
  IFLA_BOND_MIIMON, IFLA_BOND_MIN_LINKS, IFLA_BOND_MISSED_MAX, IFLA_BOND_MODE, IFLA_BOND_NS_IP6_TARGET,
  IFLA_BOND_NUM_PEER_NOTIF, IFLA_BOND_PACKETS_PER_SLAVE, IFLA_BOND_PEER_NOTIF_DELAY, IFLA_BOND_PRIMARY,
  IFLA_BOND_PRIMARY_RESELECT, IFLA_BOND_RESEND_IGMP, IFLA_BOND_TLB_DYNAMIC_LB, IFLA_BOND_UPDELAY,
  IFLA_BOND_USE_CARRIER, IFLA_BOND_XMIT_HASH_POLICY,
} from '../../wire/rtnl-constants.js';
import type { LinkKind } from './kind.js';


const BOND_MAX_ARP_TARGETS = 16;

export const MODES = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'];
export const ARP_VALIDATE = ['none', 'active', 'backup', 'all', 'filter', 'filter_active', 'filter_backup'];
export const ARP_ALL_TARGETS = ['any', 'all'];
export const PRIMARY_RESELECT = ['always', 'better', 'failure'];
export const FAIL_OVER_MAC = ['none', 'active', 'follow'];
export const XMIT_HASH_POLICY = ['layer2', 'layer3+4', 'layer2+3', 'encap2+3', 'encap3+4', 'vlan+srcmac'];
export const LACP_ACTIVE = ['off', 'on'];
export const LACP_RATE = ['slow', 'fast'];
export const AD_SELECT = ['stable', 'bandwidth', 'count'];

export const BOND_USAGE = `Usage: ... bond [ mode BONDMODE ] [ active_slave SLAVE_DEV ]
                [ clear_active_slave ] [ miimon MIIMON ]
                [ updelay UPDELAY ] [ downdelay DOWNDELAY ]
                [ peer_notify_delay DELAY ]
                [ use_carrier USE_CARRIER ]
                [ arp_interval ARP_INTERVAL ]
                [ arp_validate ARP_VALIDATE ]
                [ arp_all_targets ARP_ALL_TARGETS ]
                [ arp_ip_target [ ARP_IP_TARGET, ... ] ]
                [ ns_ip6_target [ NS_IP6_TARGET, ... ] ]
                [ primary SLAVE_DEV ]
                [ primary_reselect PRIMARY_RESELECT ]
                [ fail_over_mac FAIL_OVER_MAC ]
                [ xmit_hash_policy XMIT_HASH_POLICY ]
                [ resend_igmp RESEND_IGMP ]
                [ num_grat_arp|num_unsol_na NUM_GRAT_ARP|NUM_UNSOL_NA ]
                [ all_slaves_active ALL_SLAVES_ACTIVE ]
                [ min_links MIN_LINKS ]
                [ lp_interval LP_INTERVAL ]
                [ packets_per_slave PACKETS_PER_SLAVE ]
                [ tlb_dynamic_lb TLB_DYNAMIC_LB ]
                [ lacp_rate LACP_RATE ]
                [ lacp_active LACP_ACTIVE]
                [ ad_select AD_SELECT ]
                [ ad_user_port_key PORTKEY ]
                [ ad_actor_sys_prio SYSPRIO ]
                [ ad_actor_system LLADDR ]
                [ arp_missed_max MISSED_MAX ]

BONDMODE := balance-rr|active-backup|balance-xor|broadcast|802.3ad|balance-tlb|balance-alb
ARP_VALIDATE := none|active|backup|all|filter|filter_active|filter_backup
ARP_ALL_TARGETS := any|all
PRIMARY_RESELECT := always|better|failure
FAIL_OVER_MAC := none|active|follow
XMIT_HASH_POLICY := layer2|layer2+3|layer3+4|encap2+3|encap3+4|vlan+srcmac
LACP_ACTIVE := off|on
LACP_RATE := slow|fast
AD_SELECT := stable|bandwidth|count`;


/** get_index(): a table word, or its number (get_integer base 10) when in range. */
function getIndex(tbl: string[], s: string): number {
  if (/^[\t\n\v\f\r ]*[+-]?[0-9]+$/.test(s)) {
    const n = parseInt(s, 10);
    if (n >= 0 && n < tbl.length) return n;
  }
  return tbl.indexOf(s);
}

// Exit codes: invarg() exits 255; the paths where bond_parse_opt returns -1
// (unknown word, help, no such device, bad lladdr) end ip with 1, since ip's
// do_cmd() negates the handler's -1.

/**
 * bond_parse_opt(): the words after `type bond`, as IFLA_INFO_DATA attributes in
 * ip's order. `nameToIndex` is ll_name_to_index (0 for no such device).
 */
export function parseBondOptions(words: string[], nameToIndex: (name: string) => number): LinkAttr[] {
  const out: LinkAttr[] = [];
  let i = 0;
  const next = (): string => {
    if (++i >= words.length) incomplete();
    return words[i];
  };
  const u8 = (type: number, v: number) => out.push({ type, kind: 'u8', value: v });
  const u16 = (type: number, v: number) => out.push({ type, kind: 'u16', value: v });
  const u32 = (type: number, v: number) => out.push({ type, kind: 'u32', value: v });
  const num = (type: number, name: string, max: number, put: typeof u8) => {
    const w = next();
    const v = parseUnsigned(w, max);
    if (v === undefined) invarg(`invalid ${name}`, w);
    put(type, v);
  };
  const table = (type: number, name: string, tbl: string[], put: typeof u8) => {
    const w = next();
    const v = getIndex(tbl, w);
    if (v < 0) invarg(`invalid ${name}`, w);
    put(type, v);
  };
  const dev = (type: number) => {
    const w = next();
    const idx = nameToIndex(w);
    if (!idx) throw new Exit(1, [`Cannot find device "${w}"`]);
    u32(type, idx);
  };
  for (; i < words.length; i++) {
    const w = words[i];
    if (matches(w, 'mode')) table(IFLA_BOND_MODE, 'mode', MODES, u8);
    else if (matches(w, 'active_slave')) dev(IFLA_BOND_ACTIVE_SLAVE);
    else if (matches(w, 'clear_active_slave')) u32(IFLA_BOND_ACTIVE_SLAVE, 0);
    else if (matches(w, 'miimon')) num(IFLA_BOND_MIIMON, 'miimon', 0xffffffff, u32);
    else if (matches(w, 'updelay')) num(IFLA_BOND_UPDELAY, 'updelay', 0xffffffff, u32);
    else if (matches(w, 'downdelay')) num(IFLA_BOND_DOWNDELAY, 'downdelay', 0xffffffff, u32);
    else if (matches(w, 'peer_notify_delay')) num(IFLA_BOND_PEER_NOTIF_DELAY, 'peer_notify_delay', 0xffffffff, u32);
    else if (matches(w, 'use_carrier')) num(IFLA_BOND_USE_CARRIER, 'use_carrier', 0xff, u8);
    else if (matches(w, 'arp_interval')) num(IFLA_BOND_ARP_INTERVAL, 'arp_interval', 0xffffffff, u32);
    else if (matches(w, 'arp_ip_target')) {
      const nest: LinkAttr[] = [];
      if (i + 1 < words.length) {
        const targets = next().split(',').filter((t) => t !== '');
        for (let k = 0; k < targets.length && k < BOND_MAX_ARP_TARGETS; k++) {
          const a = parseAddress(targets[k], AF_INET);
          if (!a || a.family !== AF_INET) throw new Exit(1, [`Error: an IP address is expected rather than "${targets[k]}"`]);
          nest.push({ type: k, kind: 'bytes', value: a.data.subarray(0, 4) });
        }
      }
      out.push({ type: IFLA_BOND_ARP_IP_TARGET, kind: 'nest', value: nest });
    } else if (w === 'ns_ip6_target') {
      const nest: LinkAttr[] = [];
      if (i + 1 < words.length) {
        const targets = next().split(',').filter((t) => t !== '');
        for (let k = 0; k < targets.length && k < BOND_MAX_ARP_TARGETS; k++) {
          const a = parseIPv6(targets[k]);
          if (!a) throw new Exit(1, [`Error: inet6 address is expected rather than "${targets[k]}".`]);
          nest.push({ type: k, kind: 'bytes', value: a });
        }
      }
      out.push({ type: IFLA_BOND_NS_IP6_TARGET, kind: 'nest', value: nest });
    } else if (matches(w, 'arp_validate')) table(IFLA_BOND_ARP_VALIDATE, 'arp_validate', ARP_VALIDATE, u32);
    else if (matches(w, 'arp_all_targets')) table(IFLA_BOND_ARP_ALL_TARGETS, 'arp_all_targets', ARP_ALL_TARGETS, u32);
    else if (w === 'arp_missed_max') num(IFLA_BOND_MISSED_MAX, 'arp_missed_max', 0xff, u8);
    else if (matches(w, 'primary')) dev(IFLA_BOND_PRIMARY);
    else if (matches(w, 'primary_reselect')) table(IFLA_BOND_PRIMARY_RESELECT, 'primary_reselect', PRIMARY_RESELECT, u8);
    else if (matches(w, 'fail_over_mac')) table(IFLA_BOND_FAIL_OVER_MAC, 'fail_over_mac', FAIL_OVER_MAC, u8);
    else if (matches(w, 'xmit_hash_policy')) table(IFLA_BOND_XMIT_HASH_POLICY, 'xmit_hash_policy', XMIT_HASH_POLICY, u8);
    else if (matches(w, 'resend_igmp')) num(IFLA_BOND_RESEND_IGMP, 'resend_igmp', 0xffffffff, u32);
    else if (matches(w, 'num_grat_arp') || matches(w, 'num_unsol_na')) num(IFLA_BOND_NUM_PEER_NOTIF, 'num_grat_arp|num_unsol_na', 0xff, u8);
    else if (matches(w, 'all_slaves_active')) num(IFLA_BOND_ALL_SLAVES_ACTIVE, 'all_slaves_active', 0xff, u8);
    else if (matches(w, 'min_links')) num(IFLA_BOND_MIN_LINKS, 'min_links', 0xffffffff, u32);
    else if (matches(w, 'lp_interval')) num(IFLA_BOND_LP_INTERVAL, 'lp_interval', 0xffffffff, u32);
    else if (matches(w, 'packets_per_slave')) num(IFLA_BOND_PACKETS_PER_SLAVE, 'packets_per_slave', 0xffffffff, u32);
    else if (matches(w, 'lacp_rate')) table(IFLA_BOND_AD_LACP_RATE, 'lacp_rate', LACP_RATE, u8);
    else if (w === 'lacp_active') table(IFLA_BOND_AD_LACP_ACTIVE, 'lacp_active', LACP_ACTIVE, u8);
    else if (matches(w, 'ad_select')) table(IFLA_BOND_AD_SELECT, 'ad_select', AD_SELECT, u8);
    else if (matches(w, 'ad_user_port_key')) num(IFLA_BOND_AD_USER_PORT_KEY, 'ad_user_port_key', 0xffff, u16);
    else if (matches(w, 'ad_actor_sys_prio')) num(IFLA_BOND_AD_ACTOR_SYS_PRIO, 'ad_actor_sys_prio', 0xffff, u16);
    else if (matches(w, 'ad_actor_system')) {
      const a = parseLladdr(next());
      if (typeof a === 'string') throw new Exit(1, [`"${a}" is invalid lladdr.`]);
      out.push({ type: IFLA_BOND_AD_ACTOR_SYSTEM, kind: 'bytes', value: a });
    } else if (matches(w, 'tlb_dynamic_lb')) num(IFLA_BOND_TLB_DYNAMIC_LB, 'tlb_dynamic_lb', 0xff, u8);
    else if (matches(w, 'help')) throw new Exit(1, [BOND_USAGE]);
    else throw new Exit(1, [`bond: unknown command "${w}"?`, BOND_USAGE]);
  }
  return out;
}


const nameOf = (tbl: string[], i: number) => tbl[i] ?? 'UNKNOWN';

/** bond_print_opt(): the info_data of a bond, after "    bond " (text) or as the info_data object (JSON). */
export function printBondInfo(out: Output, data: Attrs, indexToName: (index: number) => string): void {
  const u8 = (t: number) => attrU8(data.get(t)!);
  const u32 = (t: number) => attrU32(data.get(t)!);
  const uint = (t: number, key: string, word: string, get: (t: number) => number) => {
    if (data.has(t)) { const v = get(t); out.uint(key, `${word} ${v} `, v); }
  };
  const str = (t: number, key: string, word: string, tbl: string[], get: (t: number) => number) => {
    if (data.has(t)) { const s = nameOf(tbl, get(t)); out.string(key, `${word} ${s} `, s); }
  };
  str(IFLA_BOND_MODE, 'mode', 'mode', MODES, u8);
  if (data.has(IFLA_BOND_ACTIVE_SLAVE) && u32(IFLA_BOND_ACTIVE_SLAVE)) {
    const n = indexToName(u32(IFLA_BOND_ACTIVE_SLAVE));
    out.string('active_slave', `active_slave ${n} `, n);
  }
  uint(IFLA_BOND_MIIMON, 'miimon', 'miimon', u32);
  uint(IFLA_BOND_UPDELAY, 'updelay', 'updelay', u32);
  uint(IFLA_BOND_DOWNDELAY, 'downdelay', 'downdelay', u32);
  uint(IFLA_BOND_PEER_NOTIF_DELAY, 'peer_notify_delay', 'peer_notify_delay', u32);
  uint(IFLA_BOND_USE_CARRIER, 'use_carrier', 'use_carrier', u8);
  uint(IFLA_BOND_ARP_INTERVAL, 'arp_interval', 'arp_interval', u32);
  uint(IFLA_BOND_MISSED_MAX, 'arp_missed_max', 'arp_missed_max', u8);
  printTargets(out, data.get(IFLA_BOND_ARP_IP_TARGET), 'arp_ip_target', formatIPv4);
  printTargets(out, data.get(IFLA_BOND_NS_IP6_TARGET), 'ns_ip6_target', formatIPv6);
  if (data.has(IFLA_BOND_ARP_VALIDATE)) {
    const v = u32(IFLA_BOND_ARP_VALIDATE);
    if (!v && out.json) out.null('arp_validate', '');
    else out.string('arp_validate', `arp_validate ${nameOf(ARP_VALIDATE, v)} `, nameOf(ARP_VALIDATE, v));
  }
  str(IFLA_BOND_ARP_ALL_TARGETS, 'arp_all_targets', 'arp_all_targets', ARP_ALL_TARGETS, u32);
  if (data.has(IFLA_BOND_PRIMARY) && u32(IFLA_BOND_PRIMARY)) {
    const n = indexToName(u32(IFLA_BOND_PRIMARY));
    out.string('primary', `primary ${n} `, n);
  }
  str(IFLA_BOND_PRIMARY_RESELECT, 'primary_reselect', 'primary_reselect', PRIMARY_RESELECT, u8);
  str(IFLA_BOND_FAIL_OVER_MAC, 'fail_over_mac', 'fail_over_mac', FAIL_OVER_MAC, u8);
  str(IFLA_BOND_XMIT_HASH_POLICY, 'xmit_hash_policy', 'xmit_hash_policy', XMIT_HASH_POLICY, u8);
  uint(IFLA_BOND_RESEND_IGMP, 'resend_igmp', 'resend_igmp', u32);
  uint(IFLA_BOND_NUM_PEER_NOTIF, 'num_peer_notif', 'num_grat_arp', u8);
  uint(IFLA_BOND_ALL_SLAVES_ACTIVE, 'all_slaves_active', 'all_slaves_active', u8);
  uint(IFLA_BOND_MIN_LINKS, 'min_links', 'min_links', u32);
  uint(IFLA_BOND_LP_INTERVAL, 'lp_interval', 'lp_interval', u32);
  uint(IFLA_BOND_PACKETS_PER_SLAVE, 'packets_per_slave', 'packets_per_slave', u32);
  str(IFLA_BOND_AD_LACP_ACTIVE, 'ad_lacp_active', 'lacp_active', LACP_ACTIVE, u8);
  str(IFLA_BOND_AD_LACP_RATE, 'ad_lacp_rate', 'lacp_rate', LACP_RATE, u8);
  str(IFLA_BOND_AD_SELECT, 'ad_select', 'ad_select', AD_SELECT, u8);
  const ad = data.get(IFLA_BOND_AD_INFO);
  if (ad) {
    const t = parseAttrs(ad);
    out.openObject('ad_info');
    const int = (a: number, key: string, word: string) => {
      const b = t.get(a);
      if (b) { const v = attrU16(b); out.uint(key, `${word} ${v} `, v); }
    };
    int(IFLA_BOND_AD_INFO_AGGREGATOR, 'aggregator', 'ad_aggregator');
    int(IFLA_BOND_AD_INFO_NUM_PORTS, 'num_ports', 'ad_num_ports');
    int(IFLA_BOND_AD_INFO_ACTOR_KEY, 'actor_key', 'ad_actor_key');
    int(IFLA_BOND_AD_INFO_PARTNER_KEY, 'partner_key', 'ad_partner_key');
    const mac = t.get(IFLA_BOND_AD_INFO_PARTNER_MAC);
    if (mac) { const s = hexColon(mac.subarray(0, 6)); out.string('partner_mac', `ad_partner_mac ${s} `, s); }
    out.closeObject();
  }
  uint(IFLA_BOND_AD_ACTOR_SYS_PRIO, 'ad_actor_sys_prio', 'ad_actor_sys_prio', (t) => attrU16(data.get(t)!));
  uint(IFLA_BOND_AD_USER_PORT_KEY, 'ad_user_port_key', 'ad_user_port_key', (t) => attrU16(data.get(t)!));
  const sys = data.get(IFLA_BOND_AD_ACTOR_SYSTEM);
  if (sys) { const s = hexColon(sys); out.string('ad_actor_system', `ad_actor_system ${s} `, s); }
  uint(IFLA_BOND_TLB_DYNAMIC_LB, 'tlb_dynamic_lb', 'tlb_dynamic_lb', u8);
}

/** The arp_ip_target / ns_ip6_target lists: "name a,b,c " in text, an array of strings in JSON. */
function printTargets(out: Output, nest: Uint8Array | undefined, name: string, fmt: (b: Uint8Array) => string): void {
  if (!nest) return;
  const t = parseAttrs(nest);
  if (!t.has(0)) return; // ip prints nothing (and no separators) without a target 0
  out.openArray(name);
  out.fp(`${name} `);
  for (let i = 0; i < BOND_MAX_ARP_TARGETS; i++) {
    const b = t.get(i);
    if (b) out.string(null, fmt(b), fmt(b));
    if (!out.json && i < BOND_MAX_ARP_TARGETS - 1 && t.has(i + 1)) out.fp(',');
  }
  out.fp(' ');
  out.closeArray();
}

export const bond: LinkKind = {
  id: 'bond',
  parse: (words, env) => parseBondOptions(words, env.ifindex),
  print: (out, data, env) => printBondInfo(out, data, env.ifname),
  help: BOND_USAGE,
  keywords: ['mode', 'active_slave', 'clear_active_slave', 'miimon', 'updelay', 'downdelay', 'peer_notify_delay',
    'use_carrier', 'arp_interval', 'arp_validate', 'arp_all_targets', 'arp_ip_target', 'ns_ip6_target', 'primary',
    'primary_reselect', 'fail_over_mac', 'xmit_hash_policy', 'resend_igmp', 'num_grat_arp', 'num_unsol_na',
    'all_slaves_active', 'min_links', 'lp_interval', 'packets_per_slave', 'tlb_dynamic_lb', 'lacp_rate', 'lacp_active',
    'ad_select', 'ad_user_port_key', 'ad_actor_sys_prio', 'ad_actor_system', 'arp_missed_max'],
};
