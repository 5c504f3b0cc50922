// One link as `ip link show` and `ip addr show` print it (print_linkinfo and
// its helpers in ip/ipaddress.c of iproute2 6.1), read from the attributes of
// an RTM_NEWLINK message exactly as ip reads them, so that whatever the kernel
// (or the model) says is printed the way ip would print it.
import type { LinkRef, RtMessage } from '../backend.js';
import { AttrList, type Attrs, attrStr, attrU32, attrU8, parseAttrs } from '../wire/nlattr.js';
import { isWireError } from '../wire/error.js';
import { type Ifinfomsg, emitIfinfomsg, parseIfinfomsg } from '../wire/nlmsg.js';
import {
  AF_INET, AF_INET6, AF_PACKET, IFF_NAMES, IFF_POINTOPOINT, IFF_RUNNING, IFF_UP, IFINFOMSG_LEN, IFLA_ADDRESS,
  IFLA_AF_SPEC, IFLA_ALLMULTI, IFLA_ALT_IFNAME, IFLA_BROADCAST, IFLA_EVENT, IFLA_EVENT_NAMES, IFLA_EXT_MASK,
  IFLA_GRO_MAX_SIZE, IFLA_GROUP, IFLA_GSO_MAX_SEGS, IFLA_GSO_MAX_SIZE, IFLA_IFALIAS, IFLA_IFNAME, IFLA_INET6_ADDR_GEN_MODE,
  IFLA_INET_CONF, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_INFO_SLAVE_DATA, IFLA_INFO_SLAVE_KIND, IFLA_LINK, IFLA_LINKINFO,
  IFLA_LINKMODE, IFLA_LINK_NETNSID, IFLA_MASTER, IFLA_MAX_MTU, IFLA_MIN_MTU, IFLA_MTU, IFLA_NEW_IFINDEX,
  IFLA_NEW_NETNSID, IFLA_NUM_RX_QUEUES, IFLA_NUM_VF, IFLA_NUM_TX_QUEUES, IFLA_OPERSTATE, IFLA_PARENT_DEV_BUS_NAME,
  IFLA_PARENT_DEV_NAME, IFLA_PERM_ADDRESS, IFLA_PHYS_PORT_ID, IFLA_PHYS_PORT_NAME, IFLA_PHYS_SWITCH_ID,
  IFLA_PROMISCUITY, IFLA_PROP_LIST, IFLA_PROTO_DOWN, IFLA_QDISC, IFLA_TSO_MAX_SEGS, IFLA_TSO_MAX_SIZE, IFLA_TXQLEN, IFLA_VFINFO_LIST,
  IF_LINK_MODE_NAMES, IF_OPER_NAMES, RTEXT_FILTER_SKIP_STATS, RTEXT_FILTER_VF, RTM_DELLINK, RTM_GETLINK,
} from '../wire/rtnl-constants.js';
import type { Context } from './context.js';
import { formatLladdr } from '../lib/inet.js';
import { type LinkKind, linkKind } from './kinds/registry.js';
import { printLinkStats, sl } from './link-stats.js';
import { Color, type Output } from '../lib/output.js';

export { printLinkStats, sl };
import { groupName } from './names.js';
import { linkTypeName } from './ll-types.js';
import { printVfList } from './link-vf.js';

/**
 * print_queuelen(): dumps of another family (ip -6) carry no IFLA_TXQLEN, and
 * ip asks with SIOCGIFTXQLEN; the same number comes from an AF_UNSPEC RTM_GETLINK.
 */
function queueLength(ctx: Context, index: number): number | undefined {
  try {
    const [m] = ctx.rtnl.rtRequest({
      type: RTM_GETLINK, flags: 0, header: ifInfoHeader(0, index),
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

/** The fixed part of a link message (struct ifinfomsg). */
export type IfInfo = Ifinfomsg;

export function ifInfo(m: RtMessage): IfInfo {
  const i = parseIfinfomsg(m.header);
  if (isWireError(i)) throw i;
  return i;
}

/** struct ifinfomsg for a request. */
export function ifInfoHeader(family: number, index: number, flags = 0, change = 0): Uint8Array {
  const h = new Uint8Array(IFINFOMSG_LEN);
  emitIfinfomsg({ family, type: 0, index, flags, change }, h);
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
  if (a instanceof AttrList) {
    // Read in place where the payload is long enough (else attrU8 below reports it).
    const at = a.find(t);
    if (at < 0) return undefined;
    if (a.payloadLength(at) >= 1) return a.buffer[at + 4];
  }
  const v = a.get(t);
  return v ? attrU8(v) : undefined;
}
function u32(a: Attrs, t: number): number | undefined {
  if (a instanceof AttrList) {
    const at = a.find(t);
    if (at < 0) return undefined;
    if (a.payloadLength(at) >= 4) return u32In(a.buffer, at);
  }
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
  for (const [bit, name] of IFF_NAMES) {
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
  if (state >= IF_OPER_NAMES.length) {
    if (out.json) out.uint('operstate_index', '', state);
    else out.fp(`state 0x${state.toString(16)} `);
  } else if (ctx.opts.brief) {
    out.string('operstate', IF_OPER_NAMES[state].padEnd(14) + ' ', IF_OPER_NAMES[state], operColor(state));
  } else if (out.json) {
    out.string('operstate', '', IF_OPER_NAMES[state]);
  } else {
    out.fp('state ');
    out.fpColor(operColor(state), IF_OPER_NAMES[state] + ' ');
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
  if (out.plainText && m.type !== RTM_DELLINK && !ctx.opts.brief && !ctx.opts.details && tb instanceof AttrList) {
    const text = linkTextInPlace(ctx, tb, ifi, f, name);
    if (text) {
      out.fp(text);
      return 1;
    }
  }
  if (m.type === RTM_DELLINK) out.bool('deleted', 'Deleted ', true);
  if (ctx.opts.brief) {
    const mdown = printNameAndLink(ctx, (s) => s.padEnd(16) + ' ', name, tb);
    const oper = u8(tb, IFLA_OPERSTATE);
    if (oper !== undefined) printOperstate(ctx, oper);
    if (f.family === AF_PACKET) {
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
    if (mode >= IF_LINK_MODE_NAMES.length) out.uint('linkmode_index', `mode ${mode} `, mode);
    else out.string('linkmode', `mode ${IF_LINK_MODE_NAMES[mode]} `, IF_LINK_MODE_NAMES[mode]);
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
    if (event >= IFLA_EVENT_NAMES.length) out.uint('event', `event ${event | 0} `, event | 0);
    else if (event) out.string('event', `event ${IFLA_EVENT_NAMES[event]} `, IFLA_EVENT_NAMES[event]);
  }
  const details = ctx.opts.details > 0;
  if (!f.family || f.family === AF_PACKET || details) {
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
  const vfs = tb.get(IFLA_VFINFO_LIST), numVf = u32(tb, IFLA_NUM_VF);
  const truncatedVfs = (f.doLink || details) && vfs !== undefined && numVf !== undefined && printVfList(ctx, ifi, vfs) !== numVf;
  const props = tb.get(IFLA_PROP_LIST);
  if (props) {
    out.openArray('altnames');
    for (const [t, v] of parseAttrs(props)) {
      if (t !== IFLA_ALT_IFNAME) continue;
      out.fp(`${sl(ctx)}    altname `);
      out.string(null, attrStr(v), attrStr(v));
    }
    out.closeArray();
  }
  out.fp('\n');
  if (truncatedVfs) ctx.err(`Truncated VF list: ${name}`);
  return 1;
}

/** Attributes the in-place text below does not print: a link with any of them takes the printer calls. */
const UNCOMMON = [IFLA_LINK_NETNSID, IFLA_NEW_NETNSID, IFLA_NEW_IFINDEX, IFLA_IFALIAS, IFLA_VFINFO_LIST, IFLA_PROP_LIST, IFLA_PERM_ADDRESS];

/** print_link_flags() as text, by flags and M-DOWN. */
const flagTexts = new Map<number, string>();

export function linkFlagsText(flags: number, mdown: boolean): string {
  const key = flags * 2 + (mdown ? 1 : 0);
  let t = flagTexts.get(key);
  if (t !== undefined) return t;
  t = '<';
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) t += flags ? 'NO-CARRIER,' : 'NO-CARRIER';
  let rest = flags & ~IFF_RUNNING;
  for (const [bit, n] of IFF_NAMES) {
    if (rest & bit) {
      rest &= ~bit;
      t += rest ? n + ',' : n;
    }
  }
  if (rest) t += rest.toString(16);
  if (mdown) t += ',M-DOWN';
  t += '> ';
  flagTexts.set(key, t);
  return t;
}

/** u32 payload at attribute offset `at` (-1: absent), as u32() reads it. */
function u32In(b: Uint8Array, at: number): number {
  const o = at + 4;
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/**
 * The text printLinkInfo prints for a link in plain text, read in place (the
 * listing of hundreds of links): the same fields in the same order, in one
 * string. '' when the link carries anything beyond the common fields (or a
 * field of an odd size); the printer calls then print it.
 */
function linkTextInPlace(ctx: Context, tb: AttrList, ifi: IfInfo, f: LinkFilter, name: string): string {
  for (const t of UNCOMMON) if (tb.has(t)) return '';
  if (f.doLink && ctx.opts.stats) return '';
  const b = tb.buffer;
  const numeric = ctx.opts.numeric > 0;
  const at = (t: number, size: number): number => {
    const p = tb.find(t);
    if (p >= 0 && tb.payloadLength(p) < size) throw SKIP;
    return p;
  };
  try {
    let mdown = false;
    const iflink = at(IFLA_LINK, 4);
    if (iflink >= 0) {
      const l = u32In(b, iflink);
      let link = 'NONE';
      if (l) {
        link = ctx.indexToName(l);
        mdown = !((ctx.link(l)?.flags ?? 0) & IFF_UP);
      }
      if (link) name += '@' + link;
    }
    let t = ifi.index + ': ' + name + ': ' + linkFlagsText(ifi.flags, mdown);
    const mtu = at(IFLA_MTU, 4);
    if (mtu >= 0) t += 'mtu ' + u32In(b, mtu) + ' ';
    const qdisc = tb.find(IFLA_QDISC);
    if (qdisc >= 0) t += 'qdisc ' + attrStr(tb.payload(qdisc)) + ' ';
    const master = at(IFLA_MASTER, 4);
    if (master >= 0) t += 'master ' + ctx.indexToName(u32In(b, master)) + ' ';
    const oper = at(IFLA_OPERSTATE, 1);
    if (oper >= 0) {
      const s = b[oper + 4];
      t += s >= IF_OPER_NAMES.length ? 'state 0x' + s.toString(16) + ' ' : 'state ' + IF_OPER_NAMES[s] + ' ';
    }
    const mode = at(IFLA_LINKMODE, 1);
    if (f.doLink && mode >= 0) {
      const v = b[mode + 4];
      t += v >= IF_LINK_MODE_NAMES.length ? 'mode ' + v + ' ' : 'mode ' + IF_LINK_MODE_NAMES[v] + ' ';
    }
    const group = at(IFLA_GROUP, 4);
    if (group >= 0) t += 'group ' + groupName(u32In(b, group) | 0, numeric) + ' ';
    if (f.showQueue) {
      const q = at(IFLA_TXQLEN, 4);
      if (q < 0) return '';
      const qlen = u32In(b, q);
      if (qlen) t += 'qlen ' + (qlen | 0);
    }
    const event = at(IFLA_EVENT, 4);
    if (event >= 0) {
      const e = u32In(b, event);
      if (e >= IFLA_EVENT_NAMES.length) t += 'event ' + (e | 0) + ' ';
      else if (e) t += 'event ' + IFLA_EVENT_NAMES[e] + ' ';
    }
    if (!f.family || f.family === AF_PACKET) {
      t += sl(ctx) + '    link/' + linkTypeName(ifi.type, numeric) + ' ';
      const addr = tb.find(IFLA_ADDRESS);
      if (addr >= 0) t += formatLladdr(tb.payload(addr), ifi.type);
      const brd = tb.find(IFLA_BROADCAST);
      if (brd >= 0) t += (ifi.flags & IFF_POINTOPOINT ? ' peer ' : ' brd ') + formatLladdr(tb.payload(brd), ifi.type);
    }
    const protoDown = at(IFLA_PROTO_DOWN, 1);
    if (protoDown >= 0 && b[protoDown + 4]) t += ' protodown on ';
    return t + '\n';
  } catch (e) {
    if (e === SKIP) return '';
    throw e;
  }
}

/** Thrown inside linkTextInPlace: a field too short for the fast path (the printer reports it its own way). */
const SKIP = new Error('skip');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
  out.openObject('linkinfo');
  const kindAttr = info.get(IFLA_INFO_KIND);
  if (kindAttr) {
    const kind = attrStr(kindAttr);
    printNl(ctx);
    out.string('info_kind', `    ${kind} `, kind);
    printKindData(ctx, linkKind(kind), 'info_data', info.get(IFLA_INFO_DATA));
  }
  const slaveAttr = info.get(IFLA_INFO_SLAVE_KIND);
  if (slaveAttr) {
    const slave = attrStr(slaveAttr);
    printNl(ctx);
    out.string('info_slave_kind', `    ${slave}_slave `, slave);
    printKindData(ctx, linkKind(`${slave}_slave`), 'info_slave_data', info.get(IFLA_INFO_SLAVE_DATA));
  }
  out.closeObject();
}

/** The info_data (info_slave_data) object of a kind with a print_opt; empty without data, absent without print_opt. */
function printKindData(ctx: Context, kind: LinkKind | undefined, key: string, data: Uint8Array | undefined): void {
  if (!kind?.print) return;
  ctx.out.openObject(key);
  if (data) kind.print(ctx.out, parseAttrs(data), { ifname: (i) => ctx.indexToName(i) });
  ctx.out.closeObject();
}

/** print_af_spec(): the IPv6 address generation mode. */
function printAfSpec(out: Output, af: Uint8Array): void {
  const inet6 = parseAttrs(af).get(AF_INET6);
  if (!inet6) return;
  const mode = parseAttrs(inet6).get(IFLA_INET6_ADDR_GEN_MODE);
  if (!mode) return;
  const names = ['eui64', 'none', 'stable_secret', 'random'];
  const s = names[mode[0]] ?? `0x${mode[0].toString(16).padStart(2, '0')}`;
  out.string('inet6_addr_gen_mode', `addrgenmode ${s} `, s);
}

/** The devconf values of IFLA_AF_SPEC/AF_INET/IFLA_INET_CONF (index = IPV4_DEVCONF_* - 1). */
export function inetConf(tb: Attrs): Uint32Array | undefined {
  const af = tb.get(IFLA_AF_SPEC);
  if (!af) return undefined;
  const inet = parseAttrs(af).get(AF_INET);
  if (!inet) return undefined;
  const conf = parseAttrs(inet).get(IFLA_INET_CONF);
  if (!conf) return undefined;
  const v = new Uint32Array(conf.length >> 2);
  for (let i = 0; i < v.length; i++) v[i] = attrU32(conf.subarray(i * 4));
  return v;
}
