// Describes rtnetlink messages in words, for traces: the type and the
// nlmsg flags by name, the fixed header's fields, and every attribute by
// name and value, nests included (IFLA_LINKINFO's data read by the link's
// kind, IFLA_AF_SPEC by family). Table-driven: a message type names its
// fixed header and its attribute table; a table is a list of names plus
// the few attributes that are not plain integers (an integer's width is
// its payload's length). A type or attribute the tables do not know is
// still decoded, named by its number. Pure: bytes in, text out.
import {
  AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_PACKET, AF_UNSPEC, IFA_F_DADFAILED, IFA_F_DEPRECATED, IFA_F_HOMEADDRESS,
  IFA_F_MANAGETEMPADDR, IFA_F_MCAUTOJOIN, IFA_F_NODAD, IFA_F_NOPREFIXROUTE, IFA_F_OPTIMISTIC, IFA_F_PERMANENT,
  IFA_F_SECONDARY, IFA_F_STABLE_PRIVACY, IFA_F_TENTATIVE, IFF_NAMES, IFF_RUNNING, IFLA_BR, IFLA_BRPORT, IFLA_MACVLAN,
  IFLA_VLAN, IFLA_VXLAN, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_ACK,
  NLM_F_ACK_TLVS, NLM_F_APPEND, NLM_F_ATOMIC, NLM_F_CAPPED, NLM_F_CREATE, NLM_F_DUMP_FILTERED, NLM_F_DUMP_INTR,
  NLM_F_ECHO, NLM_F_EXCL, NLM_F_MATCH, NLM_F_MULTI, NLM_F_REPLACE, NLM_F_REQUEST, NLM_F_ROOT, NLA_F_NESTED,
  NLA_TYPE_MASK, NTF_EXT_LEARNED, NTF_MASTER, NTF_OFFLOADED, NTF_PROXY, NTF_ROUTER, NTF_SELF, NTF_STICKY, NTF_USE,
  NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_NOARP, NUD_PERMANENT, NUD_PROBE, NUD_REACHABLE, NUD_STALE,
} from './rtnl-constants.js';
import { parseAttrs } from './nlattr.js';
import { u16At, u32At } from './nlmsg.js';

/** How one attribute's payload reads; anything not listed is an integer of its payload's width. */
type Kind = 'str' | 'mac' | 'addr' | 'ipv4' | 'ipv6' | 'be16' | 'bytes' | 'nest' | 'ifa_cacheinfo' | 'nda_cacheinfo'
  | 'ifa_flags' | 'nud' | 'linkinfo' | 'af_spec' | 'ifinfo' | 'u32s' | 'inet_conf';

interface Table {
  /** Name prefix of the attributes ("IFLA_"). */
  prefix: string;
  /** Names by number (without the prefix). */
  names: readonly string[];
  kinds?: Record<string, Kind>;
  /** Tables of nests, by attribute name. */
  nests?: Record<string, Table>;
}

const names = (o: Record<string, number>): string[] => {
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) out[v] = k;
  return out;
};

const IFLA_NAMES = ['UNSPEC', 'ADDRESS', 'BROADCAST', 'IFNAME', 'MTU', 'LINK', 'QDISC', 'STATS', 'COST', 'PRIORITY', 'MASTER',
  'WIRELESS', 'PROTINFO', 'TXQLEN', 'MAP', 'WEIGHT', 'OPERSTATE', 'LINKMODE', 'LINKINFO', 'NET_NS_PID', 'IFALIAS', 'NUM_VF',
  'VFINFO_LIST', 'STATS64', 'VF_PORTS', 'PORT_SELF', 'AF_SPEC', 'GROUP', 'NET_NS_FD', 'EXT_MASK', 'PROMISCUITY', 'NUM_TX_QUEUES',
  'NUM_RX_QUEUES', 'CARRIER', 'PHYS_PORT_ID', 'CARRIER_CHANGES', 'PHYS_SWITCH_ID', 'LINK_NETNSID', 'PHYS_PORT_NAME', 'PROTO_DOWN',
  'GSO_MAX_SEGS', 'GSO_MAX_SIZE', 'PAD', 'XDP', 'EVENT', 'NEW_NETNSID', 'TARGET_NETNSID', 'CARRIER_UP_COUNT', 'CARRIER_DOWN_COUNT',
  'NEW_IFINDEX', 'MIN_MTU', 'MAX_MTU', 'PROP_LIST', 'ALT_IFNAME', 'PERM_ADDRESS', 'PROTO_DOWN_REASON', 'PARENT_DEV_NAME',
  'PARENT_DEV_BUS_NAME', 'GRO_MAX_SIZE', 'TSO_MAX_SIZE', 'TSO_MAX_SEGS', 'ALLMULTI', 'DEVLINK_PORT', 'GSO_IPV4_MAX_SIZE',
  'GRO_IPV4_MAX_SIZE', 'DPLL_PIN', 'MAX_PACING_OFFLOAD_HORIZON', 'NETNS_IMMUTABLE', 'HEADROOM', 'TAILROOM'];

const BOND: Table = {
  prefix: 'IFLA_BOND_',
  names: ['UNSPEC', 'MODE', 'ACTIVE_SLAVE', 'MIIMON', 'UPDELAY', 'DOWNDELAY', 'USE_CARRIER', 'ARP_INTERVAL', 'ARP_IP_TARGET',
    'ARP_VALIDATE', 'ARP_ALL_TARGETS', 'PRIMARY', 'PRIMARY_RESELECT', 'FAIL_OVER_MAC', 'XMIT_HASH_POLICY', 'RESEND_IGMP',
    'NUM_PEER_NOTIF', 'ALL_SLAVES_ACTIVE', 'MIN_LINKS', 'LP_INTERVAL', 'PACKETS_PER_SLAVE', 'AD_LACP_RATE', 'AD_SELECT', 'AD_INFO',
    'AD_ACTOR_SYS_PRIO', 'AD_USER_PORT_KEY', 'AD_ACTOR_SYSTEM', 'TLB_DYNAMIC_LB', 'PEER_NOTIF_DELAY', 'AD_LACP_ACTIVE', 'MISSED_MAX',
    'NS_IP6_TARGET'],
  kinds: { ARP_IP_TARGET: 'nest', AD_INFO: 'nest', AD_ACTOR_SYSTEM: 'mac', NS_IP6_TARGET: 'nest' },
  nests: {
    ARP_IP_TARGET: { prefix: 'target ', names: [], kinds: { '*': 'ipv4' } },
    NS_IP6_TARGET: { prefix: 'target ', names: [], kinds: { '*': 'ipv6' } },
    AD_INFO: {
      prefix: 'IFLA_BOND_AD_INFO_', names: ['UNSPEC', 'AGGREGATOR', 'NUM_PORTS', 'ACTOR_KEY', 'PARTNER_KEY', 'PARTNER_MAC'],
      kinds: { PARTNER_MAC: 'mac' },
    },
  },
};

const BOND_SLAVE: Table = {
  prefix: 'IFLA_BOND_SLAVE_',
  names: ['UNSPEC', 'STATE', 'MII_STATUS', 'LINK_FAILURE_COUNT', 'PERM_HWADDR', 'QUEUE_ID', 'AD_AGGREGATOR_ID',
    'AD_ACTOR_OPER_PORT_STATE', 'AD_PARTNER_OPER_PORT_STATE', 'PRIO'],
  kinds: { PERM_HWADDR: 'mac' },
};

const KIND_DATA: Record<string, Table> = {
  bond: BOND,
  bridge: { prefix: 'IFLA_BR_', names: names(IFLA_BR), kinds: { ROOT_ID: 'bytes', BRIDGE_ID: 'bytes', GROUP_ADDR: 'mac', MULTI_BOOLOPT: 'bytes', VLAN_PROTOCOL: 'be16' } },
  macvlan: { prefix: 'IFLA_MACVLAN_', names: names(IFLA_MACVLAN), kinds: { MACADDR: 'mac', MACADDR_DATA: 'nest' } },
  macvtap: { prefix: 'IFLA_MACVLAN_', names: names(IFLA_MACVLAN), kinds: { MACADDR: 'mac', MACADDR_DATA: 'nest' } },
  vxlan: {
    prefix: 'IFLA_VXLAN_', names: names(IFLA_VXLAN),
    kinds: { GROUP: 'ipv4', LOCAL: 'ipv4', GROUP6: 'ipv6', LOCAL6: 'ipv6', PORT: 'be16', PORT_RANGE: 'bytes' },
  },
  vlan: { prefix: 'IFLA_VLAN_', names: names(IFLA_VLAN), kinds: { PROTOCOL: 'be16', FLAGS: 'bytes', EGRESS_QOS: 'nest', INGRESS_QOS: 'nest' } },
  veth: { prefix: 'VETH_INFO_', names: ['UNSPEC', 'PEER'], kinds: { PEER: 'ifinfo' } },
};

const SLAVE_DATA: Record<string, Table> = {
  bond: BOND_SLAVE,
  bridge: { prefix: 'IFLA_BRPORT_', names: names(IFLA_BRPORT), kinds: { ROOT_ID: 'bytes', BRIDGE_ID: 'bytes' } },
};

const LINK: Table = {
  prefix: 'IFLA_', names: IFLA_NAMES,
  kinds: {
    ADDRESS: 'mac', BROADCAST: 'mac', PERM_ADDRESS: 'mac', IFNAME: 'str', QDISC: 'str', IFALIAS: 'str', PHYS_PORT_NAME: 'str',
    ALT_IFNAME: 'str', PARENT_DEV_NAME: 'str', PARENT_DEV_BUS_NAME: 'str', STATS: 'bytes', STATS64: 'bytes', MAP: 'bytes',
    PHYS_PORT_ID: 'bytes', PHYS_SWITCH_ID: 'bytes', XDP: 'nest', PROP_LIST: 'nest', VFINFO_LIST: 'nest', LINKINFO: 'linkinfo',
    AF_SPEC: 'af_spec', PROTO_DOWN_REASON: 'nest', DEVLINK_PORT: 'nest',
  },
  nests: {
    PROP_LIST: { prefix: 'IFLA_', names: IFLA_NAMES, kinds: { ALT_IFNAME: 'str' } },
    XDP: { prefix: 'IFLA_XDP_', names: ['UNSPEC', 'FD', 'ATTACHED', 'FLAGS', 'PROG_ID', 'DRV_PROG_ID', 'SKB_PROG_ID', 'HW_PROG_ID', 'EXPECTED_FD'] },
  },
};

const LINKINFO: Table = {
  prefix: 'IFLA_INFO_', names: ['UNSPEC', 'KIND', 'DATA', 'XSTATS', 'SLAVE_KIND', 'SLAVE_DATA'],
  kinds: { KIND: 'str', SLAVE_KIND: 'str', XSTATS: 'bytes' },
};

const AF_SPEC: Record<number, Table> = {
  [AF_INET]: { prefix: 'IFLA_INET_', names: ['UNSPEC', 'CONF'], kinds: { CONF: 'inet_conf' } },
  [AF_INET6]: {
    prefix: 'IFLA_INET6_', names: ['UNSPEC', 'FLAGS', 'CONF', 'STATS', 'MCAST', 'CACHEINFO', 'ICMP6STATS', 'TOKEN', 'ADDR_GEN_MODE', 'RA_MTU'],
    kinds: { CONF: 'u32s', STATS: 'bytes', CACHEINFO: 'bytes', ICMP6STATS: 'bytes', TOKEN: 'ipv6', MCAST: 'bytes' },
  },
};

/** IPV4_DEVCONF_*, as a request's IFLA_INET_CONF nests them (a dump sends the values as one array instead). */
const DEVCONF: Table = {
  prefix: 'IPV4_DEVCONF_', names: ['UNSPEC', 'FORWARDING', 'MC_FORWARDING', 'PROXY_ARP', 'ACCEPT_REDIRECTS', 'SECURE_REDIRECTS',
    'SEND_REDIRECTS', 'SHARED_MEDIA', 'RP_FILTER', 'ACCEPT_SOURCE_ROUTE', 'BOOTP_RELAY', 'LOG_MARTIANS', 'TAG', 'ARPFILTER', 'MEDIUM_ID',
    'NOXFRM', 'NOPOLICY', 'FORCE_IGMP_VERSION', 'ARP_ANNOUNCE', 'ARP_IGNORE', 'PROMOTE_SECONDARIES', 'ARP_ACCEPT', 'ARP_NOTIFY',
    'ACCEPT_LOCAL', 'SRC_VMARK', 'PROXY_ARP_PVLAN', 'ROUTE_LOCALNET', 'IGMPV2_UNSOLICITED_REPORT_INTERVAL',
    'IGMPV3_UNSOLICITED_REPORT_INTERVAL', 'IGNORE_ROUTES_WITH_LINKDOWN', 'DROP_UNICAST_IN_L2_MULTICAST', 'DROP_GRATUITOUS_ARP',
    'BC_FORWARDING', 'ARP_EVICT_NOCARRIER'],
};

const ADDR: Table = {
  prefix: 'IFA_', names: ['UNSPEC', 'ADDRESS', 'LOCAL', 'LABEL', 'BROADCAST', 'ANYCAST', 'CACHEINFO', 'MULTICAST', 'FLAGS', 'RT_PRIORITY', 'TARGET_NETNSID', 'PROTO'],
  kinds: { ADDRESS: 'addr', LOCAL: 'addr', LABEL: 'str', BROADCAST: 'addr', ANYCAST: 'addr', MULTICAST: 'addr', CACHEINFO: 'ifa_cacheinfo', FLAGS: 'ifa_flags' },
};

const NEIGH: Table = {
  prefix: 'NDA_', names: ['UNSPEC', 'DST', 'LLADDR', 'CACHEINFO', 'PROBES', 'VLAN', 'PORT', 'VNI', 'IFINDEX', 'MASTER', 'LINK_NETNSID',
    'SRC_VNI', 'PROTOCOL', 'NH_ID', 'FDB_EXT_ATTRS', 'FLAGS_EXT', 'NDM_STATE_MASK', 'NDM_FLAGS_MASK'],
  kinds: { DST: 'addr', LLADDR: 'mac', CACHEINFO: 'nda_cacheinfo', PORT: 'be16', FDB_EXT_ATTRS: 'nest', NDM_STATE_MASK: 'nud' },
};

const ROUTE: Table = {
  prefix: 'RTA_', names: ['UNSPEC', 'DST', 'SRC', 'IIF', 'OIF', 'GATEWAY', 'PRIORITY', 'PREFSRC', 'METRICS', 'MULTIPATH', 'PROTOINFO',
    'FLOW', 'CACHEINFO', 'SESSION', 'MP_ALGO', 'TABLE', 'MARK', 'MFC_STATS', 'VIA', 'NEWDST', 'PREF', 'ENCAP_TYPE', 'ENCAP', 'EXPIRES',
    'PAD', 'UID', 'TTL_PROPAGATE', 'IP_PROTO', 'SPORT', 'DPORT', 'NH_ID'],
  kinds: { DST: 'addr', SRC: 'addr', GATEWAY: 'addr', PREFSRC: 'addr', METRICS: 'nest', MULTIPATH: 'bytes', CACHEINFO: 'bytes', VIA: 'bytes', ENCAP: 'nest', SPORT: 'be16', DPORT: 'be16' },
  nests: {
    METRICS: { prefix: 'RTAX_', names: ['UNSPEC', 'LOCK', 'MTU', 'WINDOW', 'RTT', 'RTTVAR', 'SSTHRESH', 'CWND', 'ADVMSS', 'REORDERING',
      'HOPLIMIT', 'INITCWND', 'FEATURES', 'RTO_MIN', 'INITRWND', 'QUICKACK', 'CC_ALGO', 'FASTOPEN_NO_COOKIE'], kinds: { CC_ALGO: 'str' } },
  },
};

const NEIGHTBL: Table = {
  prefix: 'NDTA_', names: ['UNSPEC', 'NAME', 'THRESH1', 'THRESH2', 'THRESH3', 'CONFIG', 'PARMS', 'STATS', 'GC_INTERVAL', 'PAD'],
  kinds: { NAME: 'str', CONFIG: 'bytes', STATS: 'bytes', PARMS: 'nest' },
  nests: {
    PARMS: { prefix: 'NDTPA_', names: ['UNSPEC', 'IFINDEX', 'REFCNT', 'REACHABLE_TIME', 'BASE_REACHABLE_TIME', 'RETRANS_TIME', 'GC_STALETIME',
      'DELAY_PROBE_TIME', 'QUEUE_LEN', 'APP_PROBES', 'UCAST_PROBES', 'MCAST_PROBES', 'ANYCAST_DELAY', 'PROXY_DELAY', 'PROXY_QLEN', 'LOCKTIME',
      'QUEUE_LENBYTES', 'MCAST_REPROBES', 'PAD', 'INTERVAL_PROBE_TIME_MS'] },
  },
};

const NSID: Table = { prefix: 'NETNSA_', names: ['NONE', 'NSID', 'PID', 'FD', 'TARGET_NSID', 'CURRENT_NSID'] };

/** rtnetlink message types from RTM_BASE (16), four to a family: NEW, DEL, GET, SET. */
const RTM_FAMILIES: [number, string, string, Table][] = [
  [16, 'LINK', 'ifinfomsg', LINK], [20, 'ADDR', 'ifaddrmsg', ADDR], [24, 'ROUTE', 'rtmsg', ROUTE], [28, 'NEIGH', 'ndmsg', NEIGH],
  [32, 'RULE', 'fib_rule_hdr', { prefix: 'FRA_', names: [] }], [64, 'NEIGHTBL', 'ndtmsg', NEIGHTBL], [88, 'NSID', 'rtgenmsg', NSID],
];
const VERBS = ['NEW', 'DEL', 'GET', 'SET'];

function family(type: number): [number, string, string, Table] | undefined {
  return RTM_FAMILIES.find(([base]) => type >= base && type < base + 4);
}

/** "RTM_NEWADDR", or "NLMSG_ERROR", or "RTM type 99" for a type the tables do not know. */
export function rtmName(type: number): string {
  if (type === NLMSG_ERROR) return 'NLMSG_ERROR';
  if (type === NLMSG_DONE) return 'NLMSG_DONE';
  const f = family(type);
  return f ? `RTM_${VERBS[type - f[0]]}${f[1]}` : `RTM type ${type}`;
}

const bitNames = (v: number, table: readonly (readonly [number, string])[], none = '0'): string => {
  const out: string[] = [];
  let rest = v;
  for (const [bit, name] of table) {
    if ((rest & bit) === bit && bit) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push(`0x${(rest >>> 0).toString(16)}`);
  return out.length ? out.join('|') : none;
};

const NLM_COMMON: [number, string][] = [[NLM_F_REQUEST, 'NLM_F_REQUEST'], [NLM_F_MULTI, 'NLM_F_MULTI'], [NLM_F_ACK, 'NLM_F_ACK'],
  [NLM_F_ECHO, 'NLM_F_ECHO'], [NLM_F_DUMP_INTR, 'NLM_F_DUMP_INTR'], [NLM_F_DUMP_FILTERED, 'NLM_F_DUMP_FILTERED']];
const NLM_NEW: [number, string][] = [[NLM_F_REPLACE, 'NLM_F_REPLACE'], [NLM_F_CREATE, 'NLM_F_CREATE'], [NLM_F_EXCL, 'NLM_F_EXCL'], [NLM_F_APPEND, 'NLM_F_APPEND']];
const NLM_GET: [number, string][] = [[NLM_F_ROOT | NLM_F_MATCH, 'NLM_F_DUMP'], [NLM_F_ROOT, 'NLM_F_ROOT'], [NLM_F_MATCH, 'NLM_F_MATCH'], [NLM_F_ATOMIC, 'NLM_F_ATOMIC']];
/** NLM_F_NONREC and NLM_F_BULK: the modifiers of DELETE requests. */
const NLM_DEL: [number, string][] = [[0x100, 'NLM_F_NONREC'], [0x200, 'NLM_F_BULK']];
const NLM_ACK: [number, string][] = [[NLM_F_CAPPED, 'NLM_F_CAPPED'], [NLM_F_ACK_TLVS, 'NLM_F_ACK_TLVS']];

/** nlmsg_flags by name; the high byte means what the message type says it means. */
export function nlmsgFlagNames(type: number, flags: number): string {
  const f = family(type);
  const verb = f ? type - f[0] : -1;
  const high = type === NLMSG_ERROR ? NLM_ACK : verb === 0 || verb === 3 ? NLM_NEW : verb === 1 ? NLM_DEL : verb === 2 ? NLM_GET : [];
  return bitNames(flags, [...NLM_COMMON, ...high]);
}

const FAMILIES: Record<number, string> = {
  [AF_UNSPEC]: 'AF_UNSPEC', [AF_INET]: 'AF_INET', [AF_BRIDGE]: 'AF_BRIDGE', [AF_INET6]: 'AF_INET6', [AF_PACKET]: 'AF_PACKET', [AF_MPLS]: 'AF_MPLS',
};
const familyName = (f: number) => FAMILIES[f] ?? `family ${f}`;
const SCOPES: Record<number, string> = { 0: 'RT_SCOPE_UNIVERSE', 200: 'RT_SCOPE_SITE', 253: 'RT_SCOPE_LINK', 254: 'RT_SCOPE_HOST', 255: 'RT_SCOPE_NOWHERE' };
const ARPHRD: Record<number, string> = { 1: 'ARPHRD_ETHER', 772: 'ARPHRD_LOOPBACK', 776: 'ARPHRD_SIT', 65534: 'ARPHRD_NONE' };
const RTN = ['RTN_UNSPEC', 'RTN_UNICAST', 'RTN_LOCAL', 'RTN_BROADCAST', 'RTN_ANYCAST', 'RTN_MULTICAST', 'RTN_BLACKHOLE', 'RTN_UNREACHABLE',
  'RTN_PROHIBIT', 'RTN_THROW', 'RTN_NAT', 'RTN_XRESOLVE'];
const RTPROT: Record<number, string> = { 0: 'RTPROT_UNSPEC', 1: 'RTPROT_REDIRECT', 2: 'RTPROT_KERNEL', 3: 'RTPROT_BOOT', 4: 'RTPROT_STATIC' };
const RT_TABLE: Record<number, string> = { 0: 'RT_TABLE_UNSPEC', 253: 'RT_TABLE_DEFAULT', 254: 'RT_TABLE_MAIN', 255: 'RT_TABLE_LOCAL' };

export const NUD_BITS: [number, string][] = [[NUD_INCOMPLETE, 'NUD_INCOMPLETE'], [NUD_REACHABLE, 'NUD_REACHABLE'], [NUD_STALE, 'NUD_STALE'],
  [NUD_DELAY, 'NUD_DELAY'], [NUD_PROBE, 'NUD_PROBE'], [NUD_FAILED, 'NUD_FAILED'], [NUD_NOARP, 'NUD_NOARP'], [NUD_PERMANENT, 'NUD_PERMANENT']];
const NTF_BITS: [number, string][] = [[NTF_USE, 'NTF_USE'], [NTF_SELF, 'NTF_SELF'], [NTF_MASTER, 'NTF_MASTER'], [NTF_PROXY, 'NTF_PROXY'],
  [NTF_EXT_LEARNED, 'NTF_EXT_LEARNED'], [NTF_OFFLOADED, 'NTF_OFFLOADED'], [NTF_STICKY, 'NTF_STICKY'], [NTF_ROUTER, 'NTF_ROUTER']];
const IFA_BITS: [number, string][] = [[IFA_F_SECONDARY, 'IFA_F_SECONDARY'], [IFA_F_NODAD, 'IFA_F_NODAD'], [IFA_F_OPTIMISTIC, 'IFA_F_OPTIMISTIC'],
  [IFA_F_DADFAILED, 'IFA_F_DADFAILED'], [IFA_F_HOMEADDRESS, 'IFA_F_HOMEADDRESS'], [IFA_F_DEPRECATED, 'IFA_F_DEPRECATED'],
  [IFA_F_TENTATIVE, 'IFA_F_TENTATIVE'], [IFA_F_PERMANENT, 'IFA_F_PERMANENT'], [IFA_F_MANAGETEMPADDR, 'IFA_F_MANAGETEMPADDR'],
  [IFA_F_NOPREFIXROUTE, 'IFA_F_NOPREFIXROUTE'], [IFA_F_MCAUTOJOIN, 'IFA_F_MCAUTOJOIN'], [IFA_F_STABLE_PRIVACY, 'IFA_F_STABLE_PRIVACY']];
const IFF_BITS: [number, string][] = [...IFF_NAMES.map(([b, n]): [number, string] => [b, `IFF_${n}`]), [IFF_RUNNING, 'IFF_RUNNING']];

const nud = (v: number) => (v === 0 ? 'NUD_NONE' : bitNames(v, NUD_BITS));

const s32 = (b: Uint8Array, o: number) => u32At(b, o) | 0;

/** The fixed header after nlmsghdr, field by field. */
function describeHeader(kind: string, h: Uint8Array): { text: string; family: number } {
  const short = (n: number) => h.length < n;
  switch (kind) {
    case 'ifinfomsg':
      if (short(16)) break;
      return {
        family: h[0],
        text: `ifinfomsg { ifi_family ${familyName(h[0])} ifi_type ${ARPHRD[u16At(h, 2)] ?? u16At(h, 2)} ifi_index ${s32(h, 4)} ` +
          `ifi_flags ${bitNames(u32At(h, 8), IFF_BITS)} ifi_change ${u32At(h, 12) === 0xffffffff ? '0xffffffff' : bitNames(u32At(h, 12), IFF_BITS)} }`,
      };
    case 'ifaddrmsg':
      if (short(8)) break;
      return {
        family: h[0],
        text: `ifaddrmsg { ifa_family ${familyName(h[0])} ifa_prefixlen ${h[1]} ifa_flags ${bitNames(h[2], IFA_BITS)} ` +
          `ifa_scope ${SCOPES[h[3]] ?? h[3]} ifa_index ${s32(h, 4)} }`,
      };
    case 'ndmsg':
      if (short(12)) break;
      return {
        family: h[0],
        text: `ndmsg { ndm_family ${familyName(h[0])} ndm_ifindex ${s32(h, 4)} ndm_state ${nud(u16At(h, 8))} ` +
          `ndm_flags ${bitNames(h[10], NTF_BITS)} ndm_type ${RTN[h[11]] ?? h[11]} }`,
      };
    case 'rtmsg':
      if (short(12)) break;
      return {
        family: h[0],
        text: `rtmsg { rtm_family ${familyName(h[0])} rtm_dst_len ${h[1]} rtm_src_len ${h[2]} rtm_tos ${h[3]} ` +
          `rtm_table ${RT_TABLE[h[4]] ?? h[4]} rtm_protocol ${RTPROT[h[5]] ?? h[5]} rtm_scope ${SCOPES[h[6]] ?? h[6]} ` +
          `rtm_type ${RTN[h[7]] ?? h[7]} rtm_flags 0x${u32At(h, 8).toString(16)} }`,
      };
    case 'ndtmsg':
    case 'rtgenmsg':
      if (short(1)) break;
      return { family: h[0], text: `${kind} { family ${familyName(h[0])} }` };
  }
  return { family: h[0] ?? 0, text: `${kind} (${h.length} bytes) ${hex(h)}` };
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const mac = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
const ipv4 = (b: Uint8Array) => Array.from(b.subarray(0, 4)).join('.');

function ipv6(b: Uint8Array): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i] << 8) | b[i + 1]).toString(16));
  // The longest run of zero groups becomes "::".
  let best = -1, len = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > len && j - i > 1) [best, len] = [i, j - i];
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + len).join(':')}`;
}

function integer(v: Uint8Array): string {
  switch (v.length) {
    case 1: return String(v[0]);
    case 2: return String(u16At(v, 0));
    case 4: return String(u32At(v, 0));
    case 8: return String((BigInt(u32At(v, 4)) << 32n) | BigInt(u32At(v, 0)));
    case 0: return '(flag)';
    default: return `(${v.length} bytes) ${v.length <= 32 ? hex(v) : `${hex(v.subarray(0, 32))}...`}`;
  }
}

/** One attribute's value. */
function value(kind: Kind | undefined, v: Uint8Array, fam: number, nest: Table | undefined): string {
  switch (kind) {
    case 'str': {
      const end = v.indexOf(0);
      return JSON.stringify(new TextDecoder().decode(end < 0 ? v : v.subarray(0, end)));
    }
    case 'mac': return mac(v);
    case 'ipv4': return v.length === 4 ? ipv4(v) : integer(v);
    case 'ipv6': return v.length === 16 ? ipv6(v) : integer(v);
    case 'addr': return v.length === 4 ? ipv4(v) : v.length === 16 ? ipv6(v) : fam === AF_INET || fam === AF_INET6 ? integer(v) : mac(v);
    case 'be16': return v.length === 2 ? String((v[0] << 8) | v[1]) : integer(v);
    case 'bytes': return `(${v.length} bytes)`;
    case 'ifa_cacheinfo':
      return v.length < 16 ? integer(v)
        : `{ ifa_prefered ${u32At(v, 0)} ifa_valid ${u32At(v, 4)} cstamp ${u32At(v, 8)} tstamp ${u32At(v, 12)} }`;
    case 'nda_cacheinfo':
      return v.length < 16 ? integer(v)
        : `{ ndm_confirmed ${u32At(v, 0)} ndm_used ${u32At(v, 4)} ndm_updated ${u32At(v, 8)} ndm_refcnt ${u32At(v, 12)} }`;
    case 'ifa_flags': return v.length === 4 ? bitNames(u32At(v, 0), IFA_BITS) : integer(v);
    case 'nud': return v.length >= 2 ? nud(u16At(v, 0)) : integer(v);
    case 'u32s': {
      const out: string[] = [];
      for (let o = 0; o + 4 <= v.length; o += 4) out.push(String(u32At(v, o)));
      return `[${out.join(' ')}]`;
    }
    case 'nest': return attrs(v, nest ?? { prefix: 'attr ', names: [] }, fam);
    // A nest's first attribute is 8 bytes long; the dump's array starts with forwarding's value, 0 or 1.
    case 'inet_conf': return v.length >= 8 && u16At(v, 0) === 8 ? attrs(v, DEVCONF, fam) : value('u32s', v, fam, undefined);
    case 'linkinfo': return linkinfo(v, fam);
    case 'af_spec': return afSpec(v);
    case 'ifinfo': return v.length < 16 ? integer(v) : `${describeHeader('ifinfomsg', v.subarray(0, 16)).text} ${attrs(v.subarray(16), LINK, AF_UNSPEC)}`;
    default: return integer(v);
  }
}

/** An attribute's name; one the table does not know is named by its number ("RTA_31", "target 1"). */
function attrName(t: Table, type: number): string {
  return `${t.prefix}${t.names[type] ?? type}`;
}

/** A run of attributes as "{ NAME value ... }" with the table's names and kinds. */
function attrs(b: Uint8Array | Iterable<[number, Uint8Array]>, t: Table, fam: number): string {
  const out: string[] = [];
  for (const [raw, v] of b instanceof Uint8Array ? parseAttrs(b) : b) {
    const type = raw & NLA_TYPE_MASK;
    const n = t.names[type];
    const kind: Kind | undefined = (n ? t.kinds?.[n] : undefined) ?? t.kinds?.['*'] ?? ((raw & NLA_F_NESTED) !== 0 ? 'nest' : undefined);
    out.push(`${attrName(t, type)} ${value(kind, v, fam, n ? t.nests?.[n] : undefined)}`);
  }
  return out.length ? `{ ${out.join(' ')} }` : '{ }';
}

/** IFLA_LINKINFO: IFLA_INFO_DATA reads by IFLA_INFO_KIND, IFLA_INFO_SLAVE_DATA by IFLA_INFO_SLAVE_KIND. */
function linkinfo(b: Uint8Array, fam: number): string {
  const tb = parseAttrs(b);
  const str = (t: number) => {
    const v = tb.get(t);
    if (!v) return '';
    const end = v.indexOf(0);
    return new TextDecoder().decode(end < 0 ? v : v.subarray(0, end));
  };
  const kind = str(1), slave = str(4);
  const t: Table = {
    ...LINKINFO, kinds: { ...LINKINFO.kinds, DATA: 'nest', SLAVE_DATA: 'nest' },
    nests: { DATA: KIND_DATA[kind] ?? { prefix: `${kind} attr `, names: [] }, SLAVE_DATA: SLAVE_DATA[slave] ?? { prefix: `${slave} slave attr `, names: [] } },
  };
  return attrs(b, t, fam);
}

/** IFLA_AF_SPEC: one nest per address family. */
function afSpec(b: Uint8Array): string {
  const out: string[] = [];
  for (const [raw, v] of parseAttrs(b)) {
    const f = raw & NLA_TYPE_MASK;
    out.push(`${familyName(f)} ${attrs(v, AF_SPEC[f] ?? { prefix: 'attr ', names: [] }, f)}`);
  }
  return out.length ? `{ ${out.join(' ')} }` : '{ }';
}

/** One rtnetlink message in words: "RTM_NEWADDR NLM_F_REQUEST|NLM_F_ACK|... ifaddrmsg { ... } IFA_LOCAL 10.0.0.9 ...". */
export function describeRtMessage(type: number, flags: number, header: Uint8Array, attrBytes: Uint8Array | Iterable<[number, Uint8Array]>): string {
  const f = family(type);
  const head = `${rtmName(type)} ${nlmsgFlagNames(type, flags)}`;
  if (!f) {
    // A type no table knows: its header cannot be told from its attributes, so both are shown as they are.
    return `${head} header (${header.length} bytes) ${hex(header)} ${attrs(attrBytes, { prefix: 'attr ', names: [] }, AF_UNSPEC).slice(2, -2)}`.trimEnd();
  }
  const h = describeHeader(f[2], header);
  const a = attrs(attrBytes, f[3], h.family);
  return `${head} ${h.text}${a === '{ }' ? '' : ` ${a.slice(2, -2)}`}`;
}

/** The fixed header's length of a message type (0 when the tables do not know it). */
export function headerLength(type: number): number {
  const kind = family(type)?.[2];
  return kind === 'ifinfomsg' ? 16 : kind === 'ifaddrmsg' ? 8 : kind === 'ndmsg' || kind === 'rtmsg' || kind === 'fib_rule_hdr' ? 12 : kind ? 4 : 0;
}

const ERRNO: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 7: 'E2BIG', 12: 'ENOMEM', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST', 19: 'ENODEV', 22: 'EINVAL',
  28: 'ENOSPC', 34: 'ERANGE', 71: 'EPROTO', 90: 'EMSGSIZE', 93: 'EPROTONOSUPPORT', 95: 'EOPNOTSUPP', 97: 'EAFNOSUPPORT',
  99: 'EADDRNOTAVAIL', 101: 'ENETUNREACH', 105: 'ENOBUFS', 113: 'EHOSTUNREACH',
};

export function errnoName(errno: number): string {
  return ERRNO[errno] ?? `errno ${errno}`;
}

/** An acknowledgement: "NLMSG_ERROR error 0 (ACK)" or "NLMSG_ERROR error -17 EEXIST extack "..."". */
export function describeAck(errno: number, extack?: string, offset?: number): string {
  if (!errno) return `NLMSG_ERROR error 0 (ACK)${extack ? ` NLMSGERR_ATTR_MSG ${JSON.stringify(extack)}` : ''}`;
  return `NLMSG_ERROR error -${errno} ${errnoName(errno)}${extack ? ` NLMSGERR_ATTR_MSG ${JSON.stringify(extack)}` : ''}` +
    `${offset !== undefined ? ` NLMSGERR_ATTR_OFFS ${offset}` : ''}`;
}

/** A whole netlink message (nlmsghdr first), as the kernel sends or receives it. */
export function describeNlmsg(b: Uint8Array): string {
  if (b.length < NLMSG_HDRLEN) return `(${b.length} bytes) ${hex(b)}`;
  const len = Math.min(u32At(b, 0), b.length);
  const type = u16At(b, 4), flags = u16At(b, 6);
  if (type === NLMSG_ERROR && len >= NLMSG_HDRLEN + 4) {
    const errno = -s32(b, NLMSG_HDRLEN);
    // The extended ACK's TLVs follow the echoed request (its header only, with NLM_F_CAPPED).
    let extack: string | undefined, offs: number | undefined;
    if (flags & NLM_F_ACK_TLVS) {
      const inner = NLMSG_HDRLEN + 4;
      const echoed = flags & NLM_F_CAPPED ? NLMSG_HDRLEN : u32At(b, inner);
      const tlvs = parseAttrs(b.subarray(Math.min(len, inner + ((echoed + 3) & ~3)), len));
      const m = tlvs.get(NLMSGERR_ATTR_MSG);
      if (m) extack = new TextDecoder().decode(m.indexOf(0) < 0 ? m : m.subarray(0, m.indexOf(0)));
      const o = tlvs.get(NLMSGERR_ATTR_OFFS);
      if (o && o.length >= 4) offs = u32At(o, 0);
    }
    return `${describeAck(errno, extack, offs)} ${nlmsgFlagNames(type, flags) === '0' ? '' : nlmsgFlagNames(type, flags)}`.trimEnd();
  }
  if (type === NLMSG_DONE) return `NLMSG_DONE ${nlmsgFlagNames(type, flags)}`;
  const hl = headerLength(type);
  if (!hl) return describeRtMessage(type, flags, b.subarray(NLMSG_HDRLEN, len), new Uint8Array(0));
  return describeRtMessage(type, flags, b.subarray(NLMSG_HDRLEN, NLMSG_HDRLEN + hl), b.subarray(NLMSG_HDRLEN + ((hl + 3) & ~3), len));
}

/** Hex of a message in 32-bit groups (the second trace level). */
export function hexGroups(b: Uint8Array): string {
  return hex(b).replace(/(.{8})/g, '$1 ').trim();
}
