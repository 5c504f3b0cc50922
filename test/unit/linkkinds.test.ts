// The per-kind printers and parsers of `ip link` (bridge, bridge_slave, macvlan,
// vlan, veth, dummy), found through the link-kind registry, against ip 6.1: the reference captures in
// /work/shared/reference/iproute2, bytes and output captured from the kernel
// and ip in a namespace, and the IFLA_INFO_DATA ip sent (strace) for the same words.
import { describe, expect, it } from 'vitest';
import { type ParseEnv, linkKind } from '../../src/ip/kinds/registry.js';
import { Exit } from '../../src/ip/matches.js';
import { Output } from '../../src/lib/output.js';
import { Context } from '../../src/ip/context.js';
import { doLink } from '../../src/ip/link.js';
import { defaultOptions } from '../../src/ip/options.js';
import type { Backend, RtRequest } from '../../src/backend.js';
import { type Attrs, type LinkAttr, encodeAttrs, parseAttrs } from '../../src/wire/nlattr.js';

const u8 = (type: number, value: number): LinkAttr => ({ type, kind: 'u8', value });
const u16 = (type: number, value: number): LinkAttr => ({ type, kind: 'u16', value });
const u32 = (type: number, value: number): LinkAttr => ({ type, kind: 'u32', value });
const raw = (type: number, ...value: number[]): LinkAttr => ({ type, kind: 'bytes', value: Uint8Array.from(value) });
/** A u64 (jiffies, intervals) as the kernel sends it: 8 bytes little-endian. */
const u64 = (type: number, value: number): LinkAttr => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(value), true);
  return { type, kind: 'bytes', value: b };
};
const attrs = (a: LinkAttr[]): Attrs => parseAttrs(encodeAttrs(a));
const fromHex = (h: string): Attrs => parseAttrs(Buffer.from(h, 'hex'));
const names = (i: number) => ({ 3: 'veth1' } as Record<number, string>)[i] ?? `if${i}`;

/** A kind's parse_opt as `ip link add` calls it (not at all without words); undefined for a kind tsnet does not know. */
function parseKindArgs(kind: string, words: string[], ifindex: (name: string) => number | undefined): LinkAttr[] | undefined {
  const k = linkKind(kind);
  if (!k) return undefined;
  if (!words.length || !k.parse) return [];
  const env: ParseEnv = { ifindex: (n) => ifindex(n) ?? 0, setOp: false, family: 0, parseLink: () => 1, warn: () => undefined, print: () => undefined };
  return k.parse(words, env) as LinkAttr[];
}

/** print_linktype()'s call of a kind's print_opt (KIND_slave's for a slave); false when it has none. */
function printKindData(out: Output, kind: string, data: Attrs, slave = false): boolean {
  const print = linkKind(slave ? `${kind}_slave` : kind)?.print;
  print?.(out, data, { ifname: names });
  return print !== undefined;
}

/** What a printer writes as text, and as JSON inside the info_data object the caller opens. */
function print(kind: string, data: Attrs, slave = false, opts: { pretty?: boolean; oneline?: boolean } = {}): [string, string] {
  const run = (json: boolean) => {
    const out = new Output(json, json && !!opts.pretty);
    if (opts.oneline) out.lineBreak = '\\';
    if (json) out.openObject();
    const known = printKindData(out, kind, data, slave);
    expect(known).toBe(true);
    if (json) out.closeObject();
    return out.take();
  };
  return [run(false), run(true)];
}

/** The exit code and stderr lines of a parse that fails. */
function fails(kind: string, words: string[]): [number, string] {
  try {
    parseKindArgs(kind, words, (n) => ({ veth1: 3, veth3: 8, br0: 2 } as Record<string, number>)[n]);
  } catch (e) {
    if (e instanceof Exit) return [e.code, e.lines.map((l) => l + '\n').join('')];
    throw e;
  }
  throw new Error('no error');
}

const parsed = (kind: string, words: string[]) =>
  Buffer.from(encodeAttrs(parseKindArgs(kind, words, (n) => ({ br0: 2, veth0: 4, veth3: 8 } as Record<string, number>)[n])!)).toString('hex');

// Captured in a namespace of our own from Linux 6.18 and ip 6.1: the kernel's
// IFLA_INFO_(SLAVE_)DATA bytes, and what `ip -d link show` / `ip -j -d link show` printed of them.
const LIVE = {
  br0: {
    hex: '0c00100000000000000000000c00110000000000000000000c00120000000000000000000c0013000000000000000000' +
      '08000100dc05000008000200c800000008000300d0070000080004003075000008000500010000000600060034120000' +
      '050007000000000006000900004000000c000b0012341286d26a803e0c000a0012341286d26a803e06000c0000000000' +
      '08000d000000000005000e000000000005000f00000000000a0014000180c200000000000c002e00010000001f000000' +
      '080030000000000008003100000000000500160001000000050017000100000005001800000000000500190000000000' +
      '05002a000000000008001a001000000008001b000010000008001c000200000008001d000200000005002b0002000000' +
      '05002c00010000000c001e00341cdcdf020000000c001f0090650000000000000c0020009c630000000000000c002100' +
      'd4300000000000000c002200e8030000000000000c002300340c00000000000005002400000000000500250000000000' +
      '0500260000000000',
    text: 'forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 1 priority 4660 vlan_filtering 0 bridge_id 1234.12:86:d2:6a:80:3e designated_root 1234.12:86:d2:6a:80:3e root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer    0.00 group_fwd_mask 0x4000 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 1 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 12345678900 mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 ',
    json: '{"forward_delay":1500,"hello_time":200,"max_age":2000,"ageing_time":30000,"stp_state":1,"priority":4660,"vlan_filtering":0,"bridge_id":"1234.12:86:d2:6a:80:3e","root_id":"1234.12:86:d2:6a:80:3e","root_port":0,"root_path_cost":0,"topology_change":0,"topology_change_detected":0,"hello_timer":0.00,"tcn_timer":0.00,"topology_change_timer":0.00,"gc_timer":0.00,"group_fwd_mask":"0x4000","group_addr":"01:80:c2:00:00:00","mcast_snooping":1,"no_linklocal_learn":1,"mcast_vlan_snooping":0,"mcast_router":1,"mcast_query_use_ifaddr":0,"mcast_querier":0,"mcast_hash_elasticity":16,"mcast_hash_max":4096,"mcast_last_member_cnt":2,"mcast_startup_query_cnt":2,"mcast_last_member_intvl":12345678900,"mcast_membership_intvl":26000,"mcast_querier_intvl":25500,"mcast_query_intvl":12500,"mcast_query_response_intvl":1000,"mcast_startup_query_intvl":3124,"mcast_stats_enabled":0,"mcast_igmp_version":2,"mcast_mld_version":1,"nf_call_iptables":0,"nf_call_ip6tables":0,"nf_call_arptables":0}',
  },
  veth3: {
    hex: '0500010000000000060002000700000008000300ffff0000050004000100000005000500000000000500060000000000' +
      '050007000000000005001c00000000000500080001000000050009000100000005001b000100000005001e0001000000' +
      '05000a000000000005000c00000000000c000d0080001286d26a803e0c000e0080001286d26a803e06000f0002800000' +
      '060010000000000006001100021c000006001200020000000500130000000000050014000000000005001d0000000000' +
      '06001f000540000005002000000000000500230000000000050024000000000005002100000000000500270000000000' +
      '050028000000000005002b00000000000c00150000000000000000000c00160000000000000000000c00170000000000' +
      '00000000050019000200000008002500000200000800260000000000080029000000000008002a000000000008002200' +
      '03000000',
    text: 'state disabled priority 7 cost 65535 hairpin on guard off root_block off fastleave off learning on flood on port_id 0x1c02 port_no 0x2 designated_port 32770 designated_cost 0 designated_bridge 8000.12:86:d2:6a:80:3e designated_root 8000.12:86:d2:6a:80:3e hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 2 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0x4005 group_fwd_mask_str stp,lacp,lldp vlan_tunnel off isolated off locked off backup_port veth1 ',
    json: '{"state":"disabled","priority":7,"cost":65535,"hairpin":true,"guard":false,"root_block":false,"fastleave":false,"learning":true,"flood":true,"id":"0x1c02","no":"0x2","designated_port":32770,"designated_cost":0,"bridge_id":"8000.12:86:d2:6a:80:3e","root_id":"8000.12:86:d2:6a:80:3e","hold_timer":0.00,"message_age_timer":0.00,"forward_delay_timer":0.00,"topology_change_ack":0,"config_pending":0,"proxy_arp":false,"proxy_arp_wifi":false,"multicast_router":2,"mcast_flood":true,"bcast_flood":true,"mcast_to_unicast":false,"neigh_suppress":false,"group_fwd_mask":"0x4005","group_fwd_mask_str":"stp,lacp,lldp","vlan_tunnel":false,"isolated":false,"locked":false,"backup_port":"veth1"}',
  },
  mv1: {
    hex: '0800010010000000060002000000000008000600020000001c0005000a00040002000000000200000a00040002000000' +
      '0001000008000700e803000008000800e8030000',
    text: 'mode source bcqueuelen 1000 usedbcqueuelen 1000 remotes (2) 02:00:00:00:00:02 02:00:00:00:00:01 ',
    json: '{"mode":"source","bcqueuelen":1000,"usedbcqueuelen":1000,"macaddr_count":2,"macaddr_data":["02:00:00:00:00:02","02:00:00:00:00:01"]}',
  },
};

// IFLA_BRPORT_* of a fresh port, in the kernel's order, as link_show.txt's veth2 (port 1 of br0).
function freshPort(mac: number[]): LinkAttr[] {
  const id = [0x80, 0x00, ...mac];
  return [
    u8(1, 0), u16(2, 32), u32(3, 2), u8(4, 0), u8(5, 0), u8(6, 0), u8(7, 0), u8(28, 0), u8(8, 1), u8(9, 1),
    u8(27, 1), u8(30, 1), u8(10, 0), u8(12, 0), raw(13, ...id), raw(14, ...id), u16(15, 0x8001), u16(16, 0),
    u16(17, 0x8001), u16(18, 1), u8(19, 0), u8(20, 0), u8(29, 0), u16(31, 0), u8(32, 0), u8(33, 0), u8(39, 0),
    u64(21, 0), u64(22, 0), u64(23, 0), u8(25, 1),
  ];
}

describe('printers against the reference captures', () => {
  it('bridge_slave of veth2 (link_show.txt -d, json_linkinfo_and_misc.txt -j -d)', () => {
    const [text] = print('bridge', attrs(freshPort([0x72, 0xbe, 0xbe, 0x9f, 0x8c, 0x74])), true);
    expect(text).toBe('state disabled priority 32 cost 2 hairpin off guard off root_block off fastleave off learning on flood on port_id 0x8001 port_no 0x1 designated_port 32769 designated_cost 0 designated_bridge 8000.72:be:be:9f:8c:74 designated_root 8000.72:be:be:9f:8c:74 hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off ');
    // Captured after the port's MAC became 02:00:00:00:00:22: ether_ntoa() does not pad.
    const [, json] = print('bridge', attrs(freshPort([2, 0, 0, 0, 0, 0x22])), true);
    expect(json).toBe('{"state":"disabled","priority":32,"cost":2,"hairpin":false,"guard":false,"root_block":false,"fastleave":false,"learning":true,"flood":true,"id":"0x8001","no":"0x1","designated_port":32769,"designated_cost":0,"bridge_id":"8000.2:0:0:0:0:22","root_id":"8000.2:0:0:0:0:22","hold_timer":0.00,"message_age_timer":0.00,"forward_delay_timer":0.00,"topology_change_ack":0,"config_pending":0,"proxy_arp":false,"proxy_arp_wifi":false,"multicast_router":1,"mcast_flood":true,"bcast_flood":true,"mcast_to_unicast":false,"neigh_suppress":false,"group_fwd_mask":"0","group_fwd_mask_str":"0x0","vlan_tunnel":false,"isolated":false,"locked":false}');
  });

  it('macvlan mv0', () => {
    const mv0 = attrs([u32(1, 4), u16(2, 0), u32(6, 0), u32(7, 1000), u32(8, 1000)]);
    expect(print('macvlan', mv0)).toEqual([
      'mode bridge bcqueuelen 1000 usedbcqueuelen 1000 ',
      '{"mode":"bridge","bcqueuelen":1000,"usedbcqueuelen":1000}',
    ]);
  });

  it('bridge br0 (json_linkinfo_and_misc.txt -d)', () => {
    const id = [0x80, 0x00, 2, 0, 0, 0, 0, 0x22];
    const br0 = attrs([
      u64(16, 0), u64(17, 0), u64(18, 0), u64(19, 0), u32(1, 1500), u32(2, 200), u32(3, 2000), u32(4, 30000),
      u32(5, 0), u16(6, 32768), u8(7, 0), u16(9, 0), raw(11, ...id), raw(10, ...id), u16(12, 0), u32(13, 0),
      u8(14, 0), u8(15, 0), raw(20, 1, 0x80, 0xc2, 0, 0, 0), raw(46, 0, 0, 0, 0, 0x1f, 0, 0, 0), u8(22, 1), u8(23, 1),
      u8(24, 0), u8(25, 0), u8(42, 0), u32(26, 16), u32(27, 4096), u32(28, 2), u32(29, 2), u8(43, 2), u8(44, 1),
      u64(30, 100), u64(31, 26000), u64(32, 25500), u64(33, 12500), u64(34, 1000), u64(35, 3124),
      u8(36, 0), u8(37, 0), u8(38, 0),
    ]);
    expect(print('bridge', br0)[0]).toBe('forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 bridge_id 8000.2:0:0:0:0:22 designated_root 8000.2:0:0:0:0:22 root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer    0.00 group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 ');
  });
});

describe('printers against live ip 6.1', () => {
  it('bridge with priority 0x1234, no_linklocal_learn 1, a 64-bit interval', () => {
    expect(print('bridge', fromHex(LIVE.br0.hex))).toEqual([LIVE.br0.text, LIVE.br0.json]);
  });

  it('bridge_slave with backup_port and group_fwd_mask 0x4005', () => {
    expect(print('bridge', fromHex(LIVE.veth3.hex), true)).toEqual([LIVE.veth3.text, LIVE.veth3.json]);
  });

  it('macvlan in source mode with its remotes, also pretty', () => {
    expect(print('macvlan', fromHex(LIVE.mv1.hex))).toEqual([LIVE.mv1.text, LIVE.mv1.json]);
    // ip -j -p at depth 0; ip nests it deeper, with the same lines.
    expect(print('macvlan', fromHex(LIVE.mv1.hex), false, { pretty: true })[1]).toBe(`{
    "mode": "source",
    "bcqueuelen": 1000,
    "usedbcqueuelen": 1000,
    "macaddr_count": 2,
    "macaddr_data": [ "02:00:00:00:00:02","02:00:00:00:00:01" ]
}`);
  });
});

describe('printers, from the C', () => {
  it('bridge: designated_root shows IFLA_BR_BRIDGE_ID, as ip 6.1 does', () => {
    const [text, json] = print('bridge', attrs([raw(11, 0x80, 0, 1, 2, 3, 4, 5, 6), raw(10, 0x10, 0, 9, 9, 9, 9, 9, 9), raw(8, 0x88, 0xa8), u64(16, 12345)]));
    expect(text).toBe('vlan_protocol 802.1ad bridge_id 8000.1:2:3:4:5:6 designated_root 8000.1:2:3:4:5:6 hello_timer  123.45 ');
    expect(json).toBe('{"vlan_protocol":"802.1ad","bridge_id":"8000.1:2:3:4:5:6","root_id":"8000.1:2:3:4:5:6","hello_timer":123.45}');
    expect(print('bridge', attrs([raw(8, 0x12, 0x34), raw(46, 2, 0, 0, 0, 2, 0, 0, 0)]))[0]).toBe('vlan_protocol [4660] mcast_vlan_snooping 1 ');
  });

  it('bridge_slave: unknown state, negative cost, unnamed mask bits', () => {
    expect(print('bridge', attrs([u8(1, 7), u32(3, 0xffffffff), u16(31, 0x0102)]), true)).toEqual([
      'state (7) cost -1 group_fwd_mask 0x102 group_fwd_mask_str 0x2,0x100 ',
      '{"state_index":7,"cost":-1,"group_fwd_mask":"0x102","group_fwd_mask_str":"0x2,0x100"}',
    ]);
  });

  it('macvlan: flags, unknown mode, nothing without a mode', () => {
    expect(print('macvlan', attrs([u32(1, 8), u16(2, 3)]))).toEqual(['mode passthru nopromisc nodst ', '{"mode":"passthru","nopromisc":true,"nodst":true}']);
    expect(print('macvtap', attrs([u32(1, 3)]))[0]).toBe('mode unknown ');
    expect(print('macvlan', attrs([u16(2, 3)]))).toEqual(['', '{}']);
  });

  it('vlan: protocol, id, flags in print order, qos maps (also with -o)', () => {
    const flags = (f: number, m: number) => raw(2, f & 255, f >> 8, 0, 0, m & 255, m >> 8, 0, 0);
    const map = (type: number, ...pairs: number[][]) => ({
      type, kind: 'nest' as const, value: pairs.map(([from, to]) => raw(1, from, 0, 0, 0, to, 0, 0, 0)),
    });
    const vl = attrs([raw(5, 0x88, 0xa8), u16(1, 10), flags(0x2f, 0x1f), map(4, [1, 2], [3, 4]), map(3, [5, 6])]);
    expect(print('vlan', vl)).toEqual([
      'protocol 802.1ad id 10 <REORDER_HDR,GVRP,MVRP,LOOSE_BINDING,20> \n      ingress-qos-map { 1:2 3:4 } \n      egress-qos-map { 5:6 } ',
      '{"protocol":"802.1ad","id":10,"flags":["REORDER_HDR","GVRP","MVRP","LOOSE_BINDING","20"],"ingress_qos":[{"from":1,"to":2},{"from":3,"to":4}],"egress_qos":[{"from":5,"to":6}]}',
    ]);
    expect(print('vlan', vl, false, { oneline: true })[0]).toContain('LOOSE_BINDING,20> \\      ingress-qos-map { 1:2 3:4 } \\      egress-qos-map');
    expect(print('vlan', attrs([u16(1, 5)]))).toEqual(['protocol 802.1q id 5 ', '{"protocol":"802.1q","id":5}']);
    expect(print('vlan', attrs([u16(1, 5), raw(2, 1, 0, 0, 0)]))[0]).toBe('protocol 802.1q id 5 ');
  });

  it('kinds without a printer', () => {
    const out = new Output(false, false);
    expect(printKindData(out, 'veth', attrs([]))).toBe(false);
    expect(printKindData(out, 'dummy', attrs([]))).toBe(false);
    expect(printKindData(out, 'nosuch', attrs([]), true)).toBe(false);
    expect(out.take()).toBe('');
  });
});

// The IFLA_INFO_DATA (bridge_slave: IFLA_INFO_SLAVE_DATA) ip 6.1 sent for these words, from strace.
const SENT: [kind: string, words: string, hex: string][] = [
  ['bridge', 'f 1 h 2 m 3 v 0 g 4 fd p 9 mcast_q 1 mcast_s 1 n 1 vlan_p ip vlan_protocol 0x88a8 no_linklocal_learn 0 mcast_vlan_snooping 1 group_address 1.2.3.4',
    '0800010001000000080002000200000008000300030000000500070000000000060009000400000004001500060006000900000005001800010000000500170001000000050024000100000006000800080000000600080088a8000008001400010203040c002e000200000003000000'],
  ['macvlan', 'mode source macaddr set 02:00:00:00:00:01 2:0:0:0:0:2 bcqueuelen 9',
    '08000300030000001c0005000a00040002000000000100000a000400020000000002000008000700090000000800010010000000'],
  ['macvlan', 'macaddr set 1:2:3:4:5:6 bc 7 macaddr flush', '0800030003000000100005000a000400010203040506000008000700070000000800030002000000'],
  ['macvlan', 'mode passthru flag nopromisc nodst bcqueuelen 5', '080007000500000008000100080000000600020003000000'],
  ['vlan', 'id 10 protocol 802.1ad reorder_hdr off gvrp on mvrp on loose_binding off bridge_binding on ingress-qos-map 1:2 3:4 egress-qos-map 5:6',
    '060001000a0000000600050088a800001c0004000c00010001000000020000000c0001000300000004000000100003000c00010005000000060000000c0002001a0000001f000000'],
  ['vlan', 'i 5 p 802.1q e 1:1 g off', '06000100050000000600050081000000100003000c00010001000000010000000c0002000000000002000000'],
];

/** The IFLA_INFO_DATA ip sent for `ip link add v0 type veth WORDS` (strace), and what tsnet link sends. */
const VETH_SENT: [string, string][] = [
  ['peer name p1 address 02:00:00:00:00:09 mtu 1400 txqueuelen 10 up numtxqueues 2 arp off',
    '40000100000000000000000081000000810000000a0001000200000000090000080004007805000008000d000a00000008001f00020000000700030070310000'],
  ['peer dev p3 down multicast off promisc on allmulticast on trailers on dynamic on', '1c000100000000000000000000830000219300000700030070330000'],
  ['peer', '1400010000000000000000000000000000000000'],
  ['peer a b', '1c00010000000000000000000000000000000000050001000b000000'],
];

/** Runs `tsnet link add v0 type veth WORDS` on a backend that records the request. */
async function vethRequest(words: string): Promise<{ data?: string; code: number; err: string }> {
  const sent: RtRequest[] = [];
  const backend = {
    links: () => [{ index: 1, name: 'lo', type: 772, flags: 9 }],
    rtRequest: (r: RtRequest) => { sent.push(r); return []; },
    rtDump: () => undefined,
  } as unknown as Backend;
  const ctx = new Context(defaultOptions(), new Output(false, false), () => backend);
  try {
    const code = await doLink(ctx, ['add', 'v0', 'type', 'veth', ...words.split(' ')]);
    const info = sent[0]?.attrs.find((a) => a.type === 18);
    const data = info?.kind === 'nest' ? info.value.find((a) => a.type === 2) : undefined;
    return { data: data?.kind === 'nest' ? Buffer.from(encodeAttrs(data.value)).toString('hex') : undefined, code, err: '' };
  } catch (e) {
    if (e instanceof Exit) return { code: e.code, err: e.lines.map((l) => l + '\n').join('') };
    throw e;
  }
}

describe('veth peer (through tsnet link, the link grammar itself)', () => {
  it.each(VETH_SENT)('veth %s: the bytes ip sent', async (words, hex) => {
    expect(await vethRequest(words)).toEqual({ data: hex, code: 0, err: '' });
  });

  it("has ip's messages and exit codes", async () => {
    expect(await vethRequest('peer name p5 type veth')).toEqual({ code: 255, err: 'Error: duplicate "type": "veth" is the second value.\n' });
    expect(await vethRequest('peer name p6 dev p9')).toEqual({ code: 255, err: 'both "name" and "dev" cannot be used when creating devices.\n' });
    expect(await vethRequest('peer mtu x')).toEqual({ code: 255, err: 'Error: argument "x" is wrong: Invalid "mtu" value\n\n' });
  });
});

describe('parseKindArgs', () => {
  it.each(SENT)('%s %s: the bytes ip sent', (kind, words, hex) => {
    expect(parsed(kind, words.split(' '))).toBe(hex);
  });

  it('bridge: u64 intervals wrap like strtoull, boolopts gather in one attribute', () => {
    expect(parseKindArgs('bridge', ['mcast_membership_interval', '-1', 'no_linklocal_learn', '1', 'mcast_vlan_snooping', '0'], () => undefined)).toEqual([
      { type: 31, kind: 'bytes', value: Uint8Array.of(255, 255, 255, 255, 255, 255, 255, 255) },
      { type: 46, kind: 'bytes', value: Uint8Array.of(1, 0, 0, 0, 3, 0, 0, 0) },
    ]);
  });

  it('bridge_slave: every option, abbreviated as ip allows', () => {
    expect(parseKindArgs('bridge_slave', 'f st 1 pr 2 c 3 h o fa on mcast_fa on ba veth3 no'.split(' '), (n) => (n === 'veth3' ? 8 : undefined))).toEqual([
      raw(24), u8(1, 1), u16(2, 2), u32(3, 3), u8(4, 0), u8(7, 1), u8(7, 1), u32(34, 8), u32(34, 0),
    ]);
  });

  it('dummy ignores its words; no words give no attributes; other kinds are not ours', () => {
    expect(parseKindArgs('dummy', ['foo', 'bar'], () => undefined)).toEqual([]);
    expect(parseKindArgs('vlan', [], () => undefined)).toEqual([]);
    expect(parseKindArgs('geneve', ['id', '1'], () => undefined)).toBeUndefined();
  });

  it("has ip's messages and exit codes", () => {
    expect(fails('bridge', ['priority', '70000'])).toEqual([255, 'Error: argument "70000" is wrong: invalid priority\n']);
    expect(fails('bridge', ['bogus'])[1]).toMatch(/^bridge: unknown command "bogus"\?\nUsage: \.\.\. bridge \[ fdb_flush \]\n/);
    expect(fails('bridge', ['group_address', 'zz:1'])).toEqual([1, '"zz" is invalid lladdr.\n']);
    expect(fails('bridge', ['mcast_vlan_snooping'])).toEqual([255, 'Command line is not complete. Try option "help"\n']);
    expect(fails('bridge_slave', ['hairpin', 'maybe'])).toEqual([1, 'Error: argument of "hairpin" must be one of "off", "on", not "maybe"\n']);
    expect(fails('bridge_slave', ['backup_port', 'nosuch'])).toEqual([255, 'Error: argument "nosuch" is wrong: Device does not exist\n\n']);
    expect(fails('bridge_slave', ['state', '300'])).toEqual([255, 'Error: argument "300" is wrong: state is invalid\n']);
    expect(fails('macvlan', ['mode', 'foo'])).toEqual([1, 'Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "foo"\n']);
    expect(fails('macvlan', ['mode', 'bridge', 'nopromisc'])[1]).toMatch(/^macvlan: nopromisc flag only valid in passthru mode\nUsage: \.\.\. macvlan mode MODE/);
    expect(fails('macvlan', ['bcqueuelen', '-1'])).toEqual([1, 'Error: argument of "bcqueuelen" must be a positive integer [0-4294967295], not "-1"\n']);
    expect(fails('vlan', ['ingress-qos-map', '1:x'])).toEqual([255, 'Error: argument "1" is wrong: invalid ingress-qos-map\n']);
    expect(fails('vlan', ['gvrp', 'yes'])).toEqual([1, 'Error: argument of "gvrp" must be "on" or "off", not "yes"\n']);
  });
});

describe('the link-kind registry', () => {
  it('finds every kind by its id, with help and completion words, and nothing else', () => {
    for (const id of ['bond', 'bond_slave', 'bridge', 'bridge_slave', 'dummy', 'macvlan', 'macvtap', 'veth', 'vlan', 'vxlan']) {
      const k = linkKind(id);
      expect(k?.id).toBe(id);
      expect(k?.help).toMatch(/^Usage: /);
    }
    expect(linkKind('geneve')).toBeUndefined();
    expect(linkKind('vxlan')!.keywords).toContain('dstport');
  });

  it('vxlan prints what the kernel rarely sends as ip does (v6 ends, label, limit, vnifilter without its space)', () => {
    const v6 = (...last: number[]) => raw(0, ...new Array(16 - last.length).fill(0), ...last).value as Uint8Array;
    const data = attrs([
      u8(25, 1), u8(30, 1), u32(1, 7),
      { type: 16, kind: 'bytes', value: Uint8Array.of(0xff, 2, ...new Array(13).fill(0), 1) },
      { type: 17, kind: 'bytes', value: v6(1) }, u32(3, 3), raw(26, 0, 1, 0x23, 0x45), u32(9, 10), u8(6, 1), u8(29, 0),
      u32(8, 0), u8(18, 0),
    ]);
    expect(print('vxlan', data)).toEqual([
      'external vnifilterid 7 group ff02::1 local ::1 dev veth1 tos inherit flowlabel 0x12345 ageing none maxaddr 10 noudpcsum ',
      '{"external":true,"vnifilter":true,"id":7,"group6":"ff02::1","local6":"::1","link":"veth1","tos":"0x1","df":"unset","label":"0x12345","ageing":0,"limit":10,"udp_csum":false}',
    ]);
  });
});
