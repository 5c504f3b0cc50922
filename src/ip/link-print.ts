// One link as `ip link show` and `ip addr show` print it (print_linkinfo and
// its helpers in ip/ipaddress.c of iproute2 6.1), read from the attributes of
// an RTM_NEWLINK message exactly as ip reads them, so that whatever the kernel
// (or the model) says is printed the way ip would print it.
import { AF_INET6, type LinkRef, type RtMessage } from '../backend.js';
import { type Attrs, attrStr, attrU32, attrU8, parseAttrs } from '../wire/nlattr.js';
import type { Context } from './context.js';
import { formatLladdr } from '../lib/inet.js';
import { type LinkKind, linkKind } from './kinds/registry.js';
import { printLinkStats, sl } from './link-stats.js';
import { Color, type Output } from '../lib/output.js';

export { printLinkStats, sl };
import { groupName } from './names.js';
import { linkTypeName } from './ll-types.js';

// linux/if_link.h
export const IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINK = 5, IFLA_QDISC = 6,
  IFLA_MASTER = 10, IFLA_TXQLEN = 13, IFLA_OPERSTATE = 16, IFLA_LINKMODE = 17, IFLA_LINKINFO = 18,
  IFLA_IFALIAS = 20, IFLA_AF_SPEC = 26, IFLA_GROUP = 27, IFLA_EXT_MASK = 29,
  IFLA_PROMISCUITY = 30, IFLA_NUM_TX_QUEUES = 31, IFLA_NUM_RX_QUEUES = 32, IFLA_PHYS_PORT_ID = 34,
  IFLA_PHYS_SWITCH_ID = 36, IFLA_LINK_NETNSID = 37, IFLA_PHYS_PORT_NAME = 38,
  IFLA_PROTO_DOWN = 39, IFLA_GSO_MAX_SEGS = 40, IFLA_GSO_MAX_SIZE = 41, IFLA_EVENT = 44, IFLA_NEW_NETNSID = 45,
  IFLA_NEW_IFINDEX = 49, IFLA_MIN_MTU = 50, IFLA_MAX_MTU = 51, IFLA_PROP_LIST = 52, IFLA_ALT_IFNAME = 53,
  IFLA_PERM_ADDRESS = 54, IFLA_PARENT_DEV_NAME = 56, IFLA_PARENT_DEV_BUS_NAME = 57, IFLA_GRO_MAX_SIZE = 58,
  IFLA_TSO_MAX_SIZE = 59, IFLA_TSO_MAX_SEGS = 60, IFLA_ALLMULTI = 61;
export const IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, IFLA_INFO_SLAVE_KIND = 4, IFLA_INFO_SLAVE_DATA = 5;
export const IFLA_INET_CONF = 1, IFLA_INET6_ADDR_GEN_MODE = 8;
export const RTEXT_FILTER_VF = 1, RTEXT_FILTER_SKIP_STATS = 8;

export const IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_POINTOPOINT = 0x10, IFF_RUNNING = 0x40, IFF_NOARP = 0x80,
  IFF_PROMISC = 0x100, IFF_ALLMULTI = 0x200, IFF_MULTICAST = 0x1000, IFF_DYNAMIC = 0x8000;

/** The flag names of print_link_flags, in its order. */
const LINK_FLAGS: [number, string][] = [
  [0x8, 'LOOPBACK'], [0x2, 'BROADCAST'], [0x10, 'POINTOPOINT'], [0x1000, 'MULTICAST'], [0x80, 'NOARP'],
  [0x200, 'ALLMULTI'], [0x100, 'PROMISC'], [0x400, 'MASTER'], [0x800, 'SLAVE'], [0x4, 'DEBUG'],
  [0x8000, 'DYNAMIC'], [0x4000, 'AUTOMEDIA'], [0x2000, 'PORTSEL'], [0x20, 'NOTRAILERS'], [0x1, 'UP'],
  [0x10000, 'LOWER_UP'], [0x20000, 'DORMANT'], [0x40000, 'ECHO'],
];

export const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
const LINK_MODES = ['DEFAULT', 'DORMANT'];
const LINK_EVENTS = ['NONE', 'REBOOT', 'FEATURE CHANGE', 'BONDING FAILOVER', 'NOTIFY PEERS', 'RESEND IGMP', 'BONDING OPTION'];

/**
 * print_queuelen(): dumps of another family (ip -6) carry no IFLA_TXQLEN, and
 * ip asks with SIOCGIFTXQLEN; the same number comes from an AF_UNSPEC RTM_GETLINK.
 */
function queueLength(ctx: Context, index: number): number | undefined {
  try {
    const [m] = ctx.rtnl.rtRequest({
      type: 18 /* RTM_GETLINK */, flags: 0, header: ifInfoHeader(0, index),
      attrs: [{ type: IFLA_EXT_MASK, kind: 'u32', value: RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS }],
    });
    return m ? u32(m.attrs, IFLA_TXQLEN) : undefined;
  } catch {
    return undefined;
  }
}

/** What the front's name cache keeps of a link message. */
export function linkRef(m: RtMessage): LinkRef | undefined {
  const name = m.attrs.get(IFLA_IFNAME);
  if (!name) return undefined;
  const i = ifInfo(m);
  return { index: i.index, name: attrStr(name), type: i.type, flags: i.flags, master: u32(m.attrs, IFLA_MASTER) };
}

/** The fixed part of an RTM_NEWLINK message (struct ifinfomsg). */
export interface IfInfo {
  family: number;
  type: number;
  index: number;
  flags: number;
}

export function ifInfo(m: RtMessage): IfInfo {
  const h = m.header;
  return {
    family: h[0],
    type: h[2] | (h[3] << 8),
    index: h[4] | (h[5] << 8) | (h[6] << 16) | (h[7] << 24),
    flags: (h[8] | (h[9] << 8) | (h[10] << 16) | (h[11] << 24)) >>> 0,
  };
}

/** struct ifinfomsg for a request. */
export function ifInfoHeader(family: number, index: number, flags = 0, change = 0): Uint8Array {
  const h = new Uint8Array(16);
  const v = new DataView(h.buffer);
  h[0] = family;
  v.setInt32(4, index, true);
  v.setUint32(8, flags >>> 0, true);
  v.setUint32(12, change >>> 0, true);
  return h;
}

/** The link filters of ipaddr_list_flush_or_save that print_linkinfo applies. */
export interface LinkFilter {
  ifindex: number;
  up: boolean;
  /** -1: any. */
  group: number;
  /** >0: that master; -1: nomaster; 0: any. */
  master: number;
  kind?: string;
  slaveKind?: string;
  /** `label GLOB` given (addr show): link lines are not printed. */
  label?: string;
  /** The family the listing asked for (AF_PACKET for `ip link`). */
  family: number;
  /** `ip link` (true) or `ip addr` (false). */
  doLink: boolean;
  /** filter.showqueue: listings print qlen, ip monitor does not. */
  showQueue: boolean;
}

export function newLinkFilter(doLink: boolean, family: number): LinkFilter {
  return { ifindex: 0, up: false, group: -1, master: 0, family, doLink, showQueue: true };
}

function u8(a: Attrs, t: number): number | undefined {
  const v = a.get(t);
  return v ? attrU8(v) : undefined;
}
function u32(a: Attrs, t: number): number | undefined {
  const v = a.get(t);
  return v ? attrU32(v) : undefined;
}

function infoKind(tb: Attrs, slave: boolean): string {
  const li = tb.get(IFLA_LINKINFO);
  if (!li) return '';
  const k = parseAttrs(li).get(slave ? IFLA_INFO_SLAVE_KIND : IFLA_INFO_KIND);
  return k ? attrStr(k) : '';
}

/** Would print_linkinfo print this link (its return value >= 0)? */
export function linkPasses(f: LinkFilter, ifi: IfInfo, tb: Attrs): boolean {
  if (f.ifindex && ifi.index !== f.ifindex) return false;
  if (f.up && !(ifi.flags & IFF_UP)) return false;
  const group = u32(tb, IFLA_GROUP);
  if (group !== undefined && f.group !== -1 && (group | 0) !== f.group) return false;
  const master = u32(tb, IFLA_MASTER);
  if (master !== undefined) {
    if (f.master > 0 && master !== f.master) return false;
  } else if (f.master > 0) return false;
  if (f.kind !== undefined && (!tb.has(IFLA_LINKINFO) || infoKind(tb, false) !== f.kind)) return false;
  if (f.slaveKind !== undefined && (!tb.has(IFLA_LINKINFO) || infoKind(tb, true) !== f.slaveKind)) return false;
  return true;
}

/** print_link_flags() */
export function printLinkFlags(out: Output, flags: number, mdown: boolean): void {
  out.openArray('flags');
  out.fp('<');
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) out.string(null, flags ? 'NO-CARRIER,' : 'NO-CARRIER', 'NO-CARRIER');
  flags &= ~IFF_RUNNING;
  for (const [bit, name] of LINK_FLAGS) {
    if (flags & bit) {
      flags &= ~bit;
      out.string(null, flags ? name + ',' : name, name);
    }
  }
  if (flags) out.string(null, flags.toString(16), flags.toString(16));
  if (mdown) out.string(null, ',M-DOWN', 'M-DOWN');
  out.closeArray();
  out.fp('> ');
}

function operColor(state: number): Color {
  return state === 6 ? Color.UP : state === 2 ? Color.DOWN : Color.NONE;
}

/** print_operstate() */
function printOperstate(ctx: Context, state: number): void {
  const out = ctx.out;
  if (state >= OPER_STATES.length) {
    if (out.json) out.uint('operstate_index', '', state);
    else out.fp(`state 0x${state.toString(16)} `);
  } else if (ctx.opts.brief) {
    out.string('operstate', OPER_STATES[state].padEnd(14) + ' ', OPER_STATES[state], operColor(state));
  } else if (out.json) {
    out.string('operstate', '', OPER_STATES[state]);
  } else {
    out.fp('state ');
    out.fpColor(operColor(state), OPER_STATES[state] + ' ');
  }
}

/** print_name_and_link(): NAME@LINK, and whether the lower device is down (M-DOWN). */
function printNameAndLink(ctx: Context, fmt: (s: string) => string, name: string, tb: Attrs): boolean {
  const out = ctx.out;
  let mdown = false;
  const iflink = u32(tb, IFLA_LINK);
  if (iflink !== undefined) {
    let link: string | undefined;
    if (iflink) {
      if (tb.has(IFLA_LINK_NETNSID)) {
        if (out.json) out.uint('link_index', '', iflink | 0);
        else link = `if${iflink}`;
      } else {
        link = ctx.indexToName(iflink);
        if (out.json) {
          out.string('link', '', link);
          link = undefined;
        }
        mdown = !((ctx.link(iflink)?.flags ?? 0) & IFF_UP);
      }
    } else if (out.json) out.null('link', '');
    else link = 'NONE';
    if (link) name = `${name}@${link}`;
  }
  out.string('ifname', fmt(name), name, Color.IFNAME);
  return mdown;
}

/** print_nl(): the line break of text output only. */
function printNl(ctx: Context): void {
  ctx.out.fp(sl(ctx));
}

/**
 * print_linkinfo(): one link; returns -1 when the filter drops it, 1 when
 * printed in full, 0 for the brief form or a label filter.
 */
export function printLinkInfo(ctx: Context, m: RtMessage, f: LinkFilter): number {
  const out = ctx.out;
  const ifi = ifInfo(m);
  const tb = m.attrs;
  if (!linkPasses(f, ifi, tb)) return -1;
  const nameAttr = tb.get(IFLA_IFNAME);
  if (!nameAttr) return -1;
  const name = attrStr(nameAttr);
  if (f.label !== undefined) return 0;
  if (m.type === 17 /* RTM_DELLINK */) out.bool('deleted', 'Deleted ', true);
  if (ctx.opts.brief) {
    const mdown = printNameAndLink(ctx, (s) => s.padEnd(16) + ' ', name, tb);
    const oper = u8(tb, IFLA_OPERSTATE);
    if (oper !== undefined) printOperstate(ctx, oper);
    if (f.family === 17 /* AF_PACKET */) {
      const a = tb.get(IFLA_ADDRESS);
      if (a) {
        const s = formatLladdr(a, ifi.type);
        out.string('address', s + ' ', s, Color.MAC);
      }
      printLinkFlags(out, ifi.flags, mdown);
      out.fp('\n');
    }
    return 0;
  }
  out.uint('ifindex', `${ifi.index}: `, ifi.index);
  const mdown = printNameAndLink(ctx, (s) => s + ': ', name, tb);
  printLinkFlags(out, ifi.flags, mdown);
  const mtu = u32(tb, IFLA_MTU);
  if (mtu !== undefined) out.uint('mtu', `mtu ${mtu} `, mtu);
  const qdisc = tb.get(IFLA_QDISC);
  if (qdisc) {
    const q = attrStr(qdisc);
    out.string('qdisc', `qdisc ${q} `, q);
  }
  const master = u32(tb, IFLA_MASTER);
  if (master !== undefined) {
    const mn = ctx.indexToName(master);
    out.string('master', `master ${mn} `, mn);
  }
  const oper = u8(tb, IFLA_OPERSTATE);
  if (oper !== undefined) printOperstate(ctx, oper);
  const mode = u8(tb, IFLA_LINKMODE);
  if (f.doLink && mode !== undefined) {
    if (mode >= LINK_MODES.length) out.uint('linkmode_index', `mode ${mode} `, mode);
    else out.string('linkmode', `mode ${LINK_MODES[mode]} `, LINK_MODES[mode]);
  }
  const group = u32(tb, IFLA_GROUP);
  if (group !== undefined) {
    const g = groupName(group | 0, ctx.opts.numeric > 0);
    out.string('group', `group ${g} `, g);
  }
  const qlen = f.showQueue ? u32(tb, IFLA_TXQLEN) ?? queueLength(ctx, ifi.index) : 0;
  if (qlen) out.uint('txqlen', `qlen ${qlen | 0}`, qlen | 0);
  const event = u32(tb, IFLA_EVENT);
  if (event !== undefined) {
    if (event >= LINK_EVENTS.length) out.uint('event', `event ${event | 0} `, event | 0);
    else if (event) out.string('event', `event ${LINK_EVENTS[event]} `, LINK_EVENTS[event]);
  }
  const details = ctx.opts.details > 0;
  if (!f.family || f.family === 17 || details) {
    printNl(ctx);
    const t = linkTypeName(ifi.type, ctx.opts.numeric > 0);
    out.string('link_type', `    link/${t} `, t);
    const addr = tb.get(IFLA_ADDRESS);
    if (addr) {
      const s = formatLladdr(addr, ifi.type);
      out.string('address', s, s, Color.MAC);
    }
    const brd = tb.get(IFLA_BROADCAST);
    if (brd) {
      if (ifi.flags & IFF_POINTOPOINT) {
        out.fp(' peer ');
        if (out.json) out.bool('link_pointtopoint', '', true);
      } else out.fp(' brd ');
      const s = formatLladdr(brd, ifi.type);
      out.string('broadcast', s, s, Color.MAC);
    }
    const perm = tb.get(IFLA_PERM_ADDRESS);
    if (perm && !(addr && sameBytes(addr, perm))) {
      out.fp(' permaddr ');
      const s = formatLladdr(perm, ifi.type);
      out.string('permaddr', s, s, Color.MAC);
    }
  }
  const nsid = u32(tb, IFLA_LINK_NETNSID);
  if (nsid !== undefined) {
    const id = nsid | 0;
    if (out.json) out.uint('link_netnsid', '', id);
    else if (id < 0) out.fp(' link-netnsid unknown');
    else {
      const name = ctx.netnsName(id);
      out.fp(name !== undefined ? ` link-netns ${name}` : ` link-netnsid ${id}`);
    }
  }
  const newNsid = u32(tb, IFLA_NEW_NETNSID);
  if (newNsid !== undefined) out.fp(` new-netnsid ${newNsid | 0}`);
  const newIndex = u32(tb, IFLA_NEW_IFINDEX);
  if (newIndex !== undefined) out.fp(` new-ifindex ${newIndex | 0}`);
  if (u8(tb, IFLA_PROTO_DOWN)) out.bool('proto_down', ' protodown on ', true);
  if (details) printDetails(ctx, tb, f);
  const alias = tb.get(IFLA_IFALIAS);
  if ((f.doLink || details) && alias) {
    out.fp(`${sl(ctx)}    `);
    const s = attrStr(alias);
    out.string('ifalias', `alias ${s}`, s);
  }
  if (f.doLink && ctx.opts.stats) {
    printNl(ctx);
    printLinkStats(ctx, tb);
  }
  const props = tb.get(IFLA_PROP_LIST);
  if (props) {
    out.openArray('altnames');
    for (const [t, v] of allAttrs(props)) {
      if (t !== IFLA_ALT_IFNAME) continue;
      out.fp(`${sl(ctx)}    altname `);
      out.string(null, attrStr(v), attrStr(v));
    }
    out.closeArray();
  }
  out.fp('\n');
  return 1;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Every attribute of a nest in order, repeats included (parseAttrs keeps one per type). */
export function allAttrs(b: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (let p = 0; p + 4 <= b.length;) {
    const len = b[p] | (b[p + 1] << 8);
    if (len < 4 || p + len > b.length) break;
    out.push([(b[p + 2] | (b[p + 3] << 8)) & 0x3fff, b.subarray(p + 4, p + len)]);
    p += (len + 3) & ~3;
  }
  return out;
}

function printDetails(ctx: Context, tb: Attrs, f: LinkFilter): void {
  const out = ctx.out;
  const num = (t: number, key: string, label: string) => {
    const v = u32(tb, t);
    if (v !== undefined) out.uint(key, `${label} ${v} `, v);
  };
  const promisc = u32(tb, IFLA_PROMISCUITY);
  if (promisc !== undefined) out.uint('promiscuity', ` promiscuity ${promisc} `, promisc);
  const allmulti = u32(tb, IFLA_ALLMULTI);
  if (allmulti !== undefined) out.uint('allmulti', ` allmulti ${allmulti} `, allmulti);
  num(IFLA_MIN_MTU, 'min_mtu', 'minmtu');
  num(IFLA_MAX_MTU, 'max_mtu', 'maxmtu');
  const li = tb.get(IFLA_LINKINFO);
  if (li) printLinkType(ctx, li);
  const af = tb.get(IFLA_AF_SPEC);
  if (f.doLink && af) printAfSpec(out, af);
  num(IFLA_NUM_TX_QUEUES, 'num_tx_queues', 'numtxqueues');
  num(IFLA_NUM_RX_QUEUES, 'num_rx_queues', 'numrxqueues');
  num(IFLA_GSO_MAX_SIZE, 'gso_max_size', 'gso_max_size');
  num(IFLA_GSO_MAX_SEGS, 'gso_max_segs', 'gso_max_segs');
  num(IFLA_TSO_MAX_SIZE, 'tso_max_size', 'tso_max_size');
  num(IFLA_TSO_MAX_SEGS, 'tso_max_segs', 'tso_max_segs');
  num(IFLA_GRO_MAX_SIZE, 'gro_max_size', 'gro_max_size');
  const str = (t: number, key: string, label: string) => {
    const v = tb.get(t);
    if (v) out.string(key, `${label} ${attrStr(v)} `, attrStr(v));
  };
  const hex = (t: number, key: string, label: string) => {
    const v = tb.get(t);
    if (v) {
      const s = Array.from(v, (x) => x.toString(16).padStart(2, '0')).join('');
      out.string(key, `${label} ${s} `, s);
    }
  };
  str(IFLA_PHYS_PORT_NAME, 'phys_port_name', 'portname');
  hex(IFLA_PHYS_PORT_ID, 'phys_port_id', 'portid');
  hex(IFLA_PHYS_SWITCH_ID, 'phys_switch_id', 'switchid');
  str(IFLA_PARENT_DEV_BUS_NAME, 'parentbus', 'parentbus');
  str(IFLA_PARENT_DEV_NAME, 'parentdev', 'parentdev');
}

/** print_linktype(): the "linkinfo" object, kind and slave kind lines, each with its kind's print_opt if it has one. */
function printLinkType(ctx: Context, li: Uint8Array): void {
  const out = ctx.out;
  const info = parseAttrs(li);
  const env = { ifname: (i: number) => ctx.indexToName(i) };
  const data = (kind: LinkKind | undefined, key: string, attr: Uint8Array | undefined) => {
    if (!kind?.print) return;
    out.openObject(key);
    if (attr) kind.print(out, parseAttrs(attr), env);
    out.closeObject();
  };
  out.openObject('linkinfo');
  const kindAttr = info.get(IFLA_INFO_KIND);
  if (kindAttr) {
    const kind = attrStr(kindAttr);
    printNl(ctx);
    out.string('info_kind', `    ${kind} `, kind);
    data(linkKind(kind), 'info_data', info.get(IFLA_INFO_DATA));
  }
  const slaveAttr = info.get(IFLA_INFO_SLAVE_KIND);
  if (slaveAttr) {
    const slave = attrStr(slaveAttr);
    printNl(ctx);
    out.string('info_slave_kind', `    ${slave}_slave `, slave);
    data(linkKind(`${slave}_slave`), 'info_slave_data', info.get(IFLA_INFO_SLAVE_DATA));
  }
  out.closeObject();
}

/** print_af_spec(): the IPv6 address generation mode. */
function printAfSpec(out: Output, af: Uint8Array): void {
  const inet6 = allAttrs(af).find(([t]) => t === AF_INET6);
  if (!inet6) return;
  const mode = parseAttrs(inet6[1]).get(IFLA_INET6_ADDR_GEN_MODE);
  if (!mode) return;
  const names = ['eui64', 'none', 'stable_secret', 'random'];
  const s = names[mode[0]] ?? `0x${mode[0].toString(16).padStart(2, '0')}`;
  out.string('inet6_addr_gen_mode', `addrgenmode ${s} `, s);
}

/** The devconf values of IFLA_AF_SPEC/AF_INET/IFLA_INET_CONF (index = IPV4_DEVCONF_* - 1). */
export function inetConf(tb: Attrs): Uint32Array | undefined {
  const af = tb.get(IFLA_AF_SPEC);
  if (!af) return undefined;
  const inet = allAttrs(af).find(([t]) => t === 2 /* AF_INET */);
  if (!inet) return undefined;
  const conf = parseAttrs(inet[1]).get(IFLA_INET_CONF);
  if (!conf) return undefined;
  const v = new Uint32Array(conf.length >> 2);
  for (let i = 0; i < v.length; i++) v[i] = attrU32(conf.subarray(i * 4));
  return v;
}
