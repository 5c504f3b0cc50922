// `tsnet addr` and the listing that `tsnet link show` shares with it
// (ip/ipaddress.c of iproute2 6.1): filters, print_addrinfo, flush rounds,
// save/restore in ip's binary format, add/change/replace/del. Beyond ip: a
// warning when deleting a primary takes its secondaries with it (or promotes
// one), and -X shows the device's promote_secondaries setting.
import { readFileSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { NetlinkError, type LinkRef, type RtMessage, type RtRequest } from '../backend.js';
import { EADDRNOTAVAIL, EEXIST, strerror } from '../errno.js';
import {
  AF_INET, AF_INET6, AF_PACKET, AF_UNSPEC, IFADDRMSG_LEN, IFA_ADDRESS, IFA_ANYCAST, IFA_BROADCAST, IFA_CACHEINFO,
  IFA_FLAGS, IFA_F_DEPRECATED, IFA_F_MCAUTOJOIN, IFA_F_PERMANENT, IFA_F_SECONDARY, IFA_LABEL, IFA_LOCAL,
  IFA_PROTO, IFA_RT_PRIORITY, IFLA_EXT_MASK, IFLA_IFNAME, IFLA_INFO_KIND, IFLA_LINKINFO, IFLA_MASTER, IFF_UP,
  INFINITY_LIFE_TIME, IPV4_DEVCONF_PROMOTE_SECONDARIES, NLMSG_HDRLEN, NLM_F_CREATE, NLM_F_EXCL, NLM_F_MULTI,
  NLM_F_REPLACE, NLM_F_REQUEST, RTEXT_FILTER_SKIP_STATS, RTEXT_FILTER_VF, RTM_DELADDR, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR,
} from '../wire/rtnl-constants.js';
import { type Attrs, type LinkAttr, attrStr, attrU32, parseAttrs } from '../wire/nlattr.js';
import {
  type Ifaddrmsg, MessageWriter, emitIfaddrmsg, emitNlmsghdr, nlmsgFlags, nlmsgLen, nlmsgNext, nlmsgType, parseIfaddrmsg,
} from '../wire/nlmsg.js';
import { isWireError } from '../wire/error.js';
import { familyName, familyNameVerbose, netlinkErrorLine, nodev } from './common.js';
import type { Context } from './context.js';
import { type InetPrefix, formatAddress, parseAddress, parsePrefix, parseUnsigned, prefixMatch } from '../lib/inet.js';
import {
  type LinkFilter, ifInfo, ifInfoHeader, inetConf, linkRef, newLinkFilter, printLinkInfo, printLinkStats, sl,
} from './link-print.js';
import { Args, Exit, duparg, duparg2, invarg, matches } from './matches.js';
import { groupId, rtScopes } from './names.js';
import { Color } from '../lib/output.js';
import { TYPES_USAGE, linkUsage } from './link-usage.js';

/** The first u32 of `ip addr save`'s output. */
const SAVE_MAGIC = 0x47361222;

const usageText = () => `Usage: tsnet address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       tsnet address del IFADDR dev IFNAME [mngtmpaddr]
       tsnet address {save|flush} [ dev IFNAME ] [ scope SCOPE-ID ]
                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]
       tsnet address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                         [ nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [up] [ vrf NAME ] ]
       tsnet address {showdump|restore}
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary |
           [-]tentative | [-]deprecated | [-]dadfailed | temporary |
           CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS
${TYPES_USAGE}`;

function usage(): never {
  throw new Exit(255, [usageText()]);
}

/** ifa_flag_data[]: name, mask, read-only, IPv6 only; in ip's print order. */
const FLAG_DATA: [string, number, boolean, boolean][] = [
  ['secondary', 0x01, true, false], ['temporary', 0x01, true, false], ['nodad', 0x02, false, true],
  ['optimistic', 0x04, false, true], ['dadfailed', 0x08, true, true], ['home', 0x10, false, true],
  ['deprecated', 0x20, true, true], ['tentative', 0x40, true, true], ['permanent', 0x80, true, true],
  ['mngtmpaddr', 0x100, false, true], ['noprefixroute', 0x200, false, false], ['autojoin', 0x400, false, false],
  ['stable-privacy', 0x800, true, true],
];

export async function doAddr(ctx: Context, words: string[]): Promise<number> {
  if (words.length === 0) return listLinksAndAddresses(ctx, [], 'list');
  const [verb, ...rest] = words;
  if (matches(verb, 'add')) return modify(ctx, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(verb, 'change') || verb === 'chg') return modify(ctx, RTM_NEWADDR, NLM_F_REPLACE, rest);
  if (matches(verb, 'replace')) return modify(ctx, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(verb, 'delete')) return modify(ctx, RTM_DELADDR, 0, rest);
  if (matches(verb, 'list') || matches(verb, 'show') || matches(verb, 'lst')) return listLinksAndAddresses(ctx, rest, 'list');
  if (matches(verb, 'flush')) return listLinksAndAddresses(ctx, rest, 'flush');
  if (matches(verb, 'save')) return listLinksAndAddresses(ctx, rest, 'save');
  if (matches(verb, 'showdump')) return showDump(ctx);
  if (matches(verb, 'restore')) return restore(ctx);
  if (matches(verb, 'help')) usage();
  throw new Exit(255, [`Command "${verb}" is unknown, try "tsnet address help".`]);
}

/** The address filters of ipaddr_list_flush_or_save. */
interface AddrFilter extends LinkFilter {
  scope: number;
  scopemask: number;
  flags: number;
  flagmask: number;
  pfx?: InetPrefix;
  oneline: boolean;
  flushing: boolean;
}

/** get_filter(): a flag name, `-name` for its absence; dynamic and primary are the inverses. */
function applyFlagFilter(f: AddrFilter, word: string): boolean {
  let inv = false;
  let arg = word;
  if (arg[0] === '-') {
    inv = true;
    arg = arg.slice(1);
  }
  if (arg === 'dynamic') {
    inv = !inv;
    arg = 'permanent';
  } else if (arg === 'primary') {
    inv = !inv;
    arg = 'secondary';
  }
  const d = FLAG_DATA.find(([n]) => n === arg);
  if (!d) return false;
  if (inv) f.flags &= ~d[1];
  else f.flags |= d[1];
  f.flagmask |= d[1];
  return true;
}

type Action = 'list' | 'flush' | 'save' | 'link';

/** ipaddr_list_flush_or_save() (and ipaddr_list_link() for `link`). */
export async function listLinksAndAddresses(ctx: Context, words: string[], action: Action): Promise<number> {
  // ipaddr_list_link() sets ip's global do_link, which the lines after it in a batch keep: ip 6.1
  // then prints `addr show dev lo` as a link (its one-device RTM_GETLINK path) and addresses with "mode".
  if (action === 'link') ctx.doLink = true;
  const doLink = ctx.doLink;
  const family = action === 'link' ? AF_PACKET : ctx.opts.family;
  const f: AddrFilter = {
    ...newLinkFilter(doLink, family), scope: 0, scopemask: 0, flags: 0, flagmask: 0,
    oneline: ctx.opts.oneline > 0, flushing: false,
  };
  if (action === 'flush') {
    if (words.length === 0) {
      ctx.err('Flush requires arguments.');
      return 1;
    }
    if (f.family === AF_PACKET) {
      ctx.err('Cannot flush link addresses.');
      return 1;
    }
  }
  let filterDev: string | undefined;
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'to') {
      const v = a.next();
      const p = parsePrefix(v, f.family);
      if (!p) throw new Exit(1, [`Error: ${familyNameVerbose(f.family)} prefix is expected rather than "${v}".`]);
      f.pfx = p;
      if (f.family === AF_UNSPEC) f.family = p.family;
    } else if (w === 'scope') {
      const v = a.next();
      f.scopemask = -1;
      const s = rtScopes.id(v);
      if (s === undefined) {
        if (v !== 'all') invarg('invalid "scope"\n', v);
        f.scope = 255;
        f.scopemask = 0;
      } else f.scope = s;
    } else if (w === 'up') f.up = true;
    else if (applyFlagFilter(f, w)) { /* set */ }
    else if (w === 'label') f.label = a.next();
    else if (w === 'group') {
      const v = a.next();
      const g = groupId(v);
      if (g === undefined) invarg('Invalid "group" value\n', v);
      f.group = g;
    } else if (w === 'master') {
      const v = a.next();
      const i = ctx.nameToIndex(v);
      if (!i) invarg('Device does not exist\n', v);
      f.master = i;
    } else if (w === 'vrf') {
      const v = a.next();
      const i = ctx.nameToIndex(v);
      if (!i || ctx.link(i)?.kind !== 'vrf') invarg('Not a valid VRF name\n', v);
      f.master = i;
    } else if (w === 'nomaster') f.master = -1;
    else if (w === 'type') {
      const v = a.next();
      if (v.length >= 6 && v.endsWith('_slave')) f.slaveKind = v.slice(0, -6);
      else f.kind = v;
    } else {
      let d = w;
      if (w === 'dev') d = a.next();
      else if (matches(w, 'help')) {
        if (doLink) linkUsage();
        usage();
      }
      if (filterDev !== undefined) duparg2('dev', d);
      filterDev = d;
    }
  }
  if (filterDev !== undefined) {
    f.ifindex = ctx.nameToIndex(filterDev);
    if (f.ifindex <= 0) {
      ctx.err(`Device "${filterDev}" does not exist.`);
      return 1;
    }
  }
  if (action === 'flush') return flush(ctx, f);
  if (action === 'save') return save(ctx, f);

  const out = ctx.out;
  out.startListing();
  try {
    if (filterDev !== undefined && f.group === -1 && doLink) {
      // iplink_get(): one RTM_GETLINK by name.
      const [m] = ctx.rtnl.rtRequest({
        type: RTM_GETLINK, flags: 0, header: ifInfoHeader(AF_PACKET, 0),
        attrs: [
          { type: IFLA_IFNAME, kind: 'bytes', value: Buffer.from(filterDev + '\0') },
          { type: IFLA_EXT_MASK, kind: 'u32', value: RTEXT_FILTER_VF },
        ],
      });
      if (m) {
        out.openObject();
        printLinkInfo(ctx, m, f);
        out.closeObject();
      }
      out.endListing();
      return 0;
    }
    const links: RtMessage[] = [];
    if (f.ifindex) {
      const mask = RTEXT_FILTER_VF | (ctx.opts.stats ? 0 : RTEXT_FILTER_SKIP_STATS);
      links.push(...ctx.rtnl.rtRequest({
        type: RTM_GETLINK, flags: 0, header: ifInfoHeader(f.family, f.ifindex),
        attrs: [{ type: IFLA_EXT_MASK, kind: 'u32', value: mask }],
      }));
    } else {
      // rtnl_linkdump_req_filter_fn(): the filter attributes go only with AF_UNSPEC/AF_PACKET; other
      // families reach their own dump handler, which takes a bare ifinfomsg.
      const attrs: LinkAttr[] = [];
      if (family === AF_UNSPEC || family === AF_PACKET) {
        attrs.push({ type: IFLA_EXT_MASK, kind: 'u32', value: RTEXT_FILTER_VF });
        if (f.master) attrs.push({ type: IFLA_MASTER, kind: 'u32', value: f.master >>> 0 });
        if (f.kind !== undefined) attrs.push({ type: IFLA_LINKINFO, kind: 'nest', value: [{ type: IFLA_INFO_KIND, kind: 'bytes', value: Buffer.from(f.kind) }] });
      }
      ctx.rtnl.rtDump({ type: RTM_GETLINK, flags: 0, header: ifInfoHeader(family, 0), attrs }, (m) => links.push(m));
    }
    const refs: LinkRef[] = [];
    for (const m of links) {
      const r = linkRef(m);
      if (r) refs.push(r);
    }
    ctx.rememberLinks(refs);
    let addrs: RtMessage[] = [];
    let noLink = false;
    if (f.family !== AF_PACKET) {
      noLink = f.oneline;
      addrs = dumpAddresses(ctx, f);
      filterLinks(ctx, links, addrs, f);
    }
    for (const m of links) {
      const ifi = ifInfo(m);
      out.openObject();
      let res = 0;
      if (ctx.opts.brief || !noLink) res = printLinkInfo(ctx, m, f);
      if (res >= 0 && ctx.opts.extras && !ctx.opts.brief && !out.json) printExtras(ctx, m.attrs);
      if (res >= 0 && f.family !== AF_PACKET) {
        out.openArray('addr_info');
        for (const am of addrs) {
          const a = ifa(am);
          if (a.index !== ifi.index || (f.family && f.family !== a.family)) continue;
          if (f.up && !(ifi.flags & IFF_UP)) continue;
          out.openObject();
          printAddrInfo(ctx, am, f);
          out.closeObject();
        }
        out.closeArray();
        if (ctx.opts.brief) out.fp('\n');
      }
      if (res > 0 && !doLink && ctx.opts.stats) {
        printLinkStats(ctx, m.attrs);
        out.fp(sl(ctx));
      }
      out.closeObject();
    }
  } catch (e) {
    if (e instanceof NetlinkError) {
      out.endListing();
      throw new Exit(1, [netlinkErrorLine(e), 'Dump terminated']);
    }
    throw e;
  }
  out.endListing();
  return 0;
}

/** tsnet -X: the device's inet settings that decide what `addr del` does. */
function printExtras(ctx: Context, tb: Attrs): void {
  const conf = inetConf(tb);
  if (!conf || conf.length < IPV4_DEVCONF_PROMOTE_SECONDARIES) return;
  ctx.out.fp(`    inet promote_secondaries ${conf[IPV4_DEVCONF_PROMOTE_SECONDARIES - 1] ? 'on' : 'off'}\n`);
}

/** struct ifaddrmsg */
function ifaHeader(family: number, prefixlen: number, flags: number, scope: number, index: number): Uint8Array {
  const h = new Uint8Array(IFADDRMSG_LEN);
  emitIfaddrmsg({ family, prefixlen, flags, scope, index }, h);
  return h;
}

/** The ifaddrmsg of a message (with IFA_FLAGS' full flags), decoded once per message. */
function ifa(m: RtMessage): Ifaddrmsg {
  const c = m as RtMessage & { ifa?: Ifaddrmsg };
  if (c.ifa) return c.ifa;
  const h = parseIfaddrmsg(m.header);
  const i = isWireError(h) ? { family: 0, prefixlen: 0, flags: 0, scope: 0, index: 0 } : h;
  const flagsAttr = m.attrs.get(IFA_FLAGS);
  if (flagsAttr) i.flags = attrU32(flagsAttr);
  return (c.ifa = i);
}

function dumpAddresses(ctx: Context, f: AddrFilter): RtMessage[] {
  const out: RtMessage[] = [];
  ctx.rtnl.rtDump({ type: RTM_GETADDR, flags: 0, header: ifaHeader(f.family, 0, 0, 0, f.ifindex), attrs: [] }, (m) => {
    if (m.type === RTM_NEWADDR) out.push(m);
  });
  return out;
}

/** fnmatch(pattern, s, 0): *, ? and [...] classes. */
function fnmatch(pattern: string, s: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let cls = pattern.slice(i + 1, end);
        if (cls[0] === '!') cls = '^' + cls.slice(1);
        re += '[' + cls.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp('^' + re + '$', 's').test(s);
}

function labelMatches(ctx: Context, f: AddrFilter, index: number, tb: Attrs): boolean {
  if (f.label === undefined) return true;
  const l = tb.get(IFA_LABEL);
  return fnmatch(f.label, l ? attrStr(l) : ctx.indexToName(index));
}

/** inet_addr_match_rta(): does the address fall in the `to` prefix? */
function prefixMatches(f: AddrFilter, family: number, local: Uint8Array | undefined): boolean {
  const p = f.pfx;
  if (!p || !local || p.family === AF_UNSPEC || p.bitlen <= 0) return true;
  if (p.family !== family || local.length !== p.bytelen) return false;
  return prefixMatch(local, p.data, p.bitlen);
}

/** The filters print_addrinfo applies to one address. */
function addrPasses(ctx: Context, m: RtMessage, f: AddrFilter): boolean {
  const i = ifa(m);
  if (f.ifindex && f.ifindex !== i.index) return false;
  if ((f.scope ^ i.scope) & f.scopemask) return false;
  if ((f.flags ^ i.flags) & f.flagmask) return false;
  if (f.family && f.family !== i.family) return false;
  if (!labelMatches(ctx, f, i.index, m.attrs)) return false;
  return prefixMatches(f, i.family, m.attrs.get(IFA_LOCAL) ?? m.attrs.get(IFA_ADDRESS));
}

/** ipaddr_filter(): drops links none of whose addresses pass (links without any stay, unless a family was asked). */
function filterLinks(ctx: Context, links: RtMessage[], addrs: RtMessage[], f: AddrFilter): void {
  const keep = links.filter((l) => {
    const index = ifInfo(l).index;
    let missing = true;
    for (const am of addrs) {
      const i = ifa(am);
      if (i.index !== index) continue;
      missing = false;
      if (f.family && f.family !== i.family) continue;
      if ((f.scope ^ i.scope) & f.scopemask) continue;
      if ((f.flags ^ i.flags) & f.flagmask) continue;
      if (!labelMatches(ctx, f, i.index, am.attrs)) continue;
      if (!prefixMatches(f, i.family, am.attrs.get(IFA_LOCAL) ?? am.attrs.get(IFA_ADDRESS))) continue;
      return true;
    }
    return missing && (f.family === AF_UNSPEC || f.family === AF_PACKET);
  });
  links.length = 0;
  links.push(...keep);
}

function familyColor(family: number): Color {
  return family === AF_INET ? Color.INET : family === AF_INET6 ? Color.INET6 : Color.NONE;
}

/** The filter `ip monitor` prints addresses with: the device only, each address with its index and name. */
export function monitorAddrFilter(ifindex: number): AddrFilter {
  return { ...newLinkFilter(false, AF_UNSPEC), ifindex, showQueue: false, scope: 0, scopemask: 0, flags: 0, flagmask: 0, oneline: true, flushing: false };
}

/** print_addrinfo(); returns false when the filters drop the address. */
export function printAddrInfo(ctx: Context, m: RtMessage, f: AddrFilter): boolean {
  if (!addrPasses(ctx, m, f)) return false;
  const out = ctx.out;
  const i = ifa(m);
  const tb = m.attrs;
  const brief = ctx.opts.brief > 0;
  if (out.plainText && !brief && m.type === RTM_NEWADDR) {
    out.fp(addrLine(ctx, m, i, f));
    return true;
  }
  if (m.type === RTM_DELADDR) out.bool('deleted', 'Deleted ', true);
  if (!brief) {
    if (f.oneline || f.flushing) {
      const dev = ctx.indexToName(i.index);
      if (out.json) {
        out.uint('index', '', i.index);
        out.string('dev', '', dev);
      } else out.fp(`${i.index >>> 0}: ${dev}`);
    }
    const name = familyName(i.family);
    if (name[0] !== '?') out.string('family', `    ${name} `, name);
    else out.uint('family_index', `    family ${i.family} `, i.family);
  }
  const local = tb.get(IFA_LOCAL) ?? tb.get(IFA_ADDRESS);
  const address = tb.get(IFA_ADDRESS) ?? local;
  const color = familyColor(i.family);
  if (local) {
    const s = formatAddress(i.family, local);
    out.string('local', s, s, color);
    if (address && !sameBytes(address, local, i.family === AF_INET ? 4 : 16)) {
      out.fp(' peer ');
      const p = formatAddress(i.family, address);
      out.string('address', p, p, color);
    }
    out.uint('prefixlen', `/${i.prefixlen} `, i.prefixlen);
    const metric = tb.get(IFA_RT_PRIORITY);
    if (metric) out.uint('metric', `metric ${attrU32(metric)} `, attrU32(metric));
  }
  if (brief) return true;
  const brd = tb.get(IFA_BROADCAST);
  if (brd) {
    out.fp('brd ');
    const s = formatAddress(i.family, brd);
    out.string('broadcast', s + ' ', s, color);
  }
  const any = tb.get(IFA_ANYCAST);
  if (any) {
    out.fp('any ');
    const s = formatAddress(i.family, any);
    out.string('anycast', s + ' ', s, color);
  }
  const scope = rtScopes.name(i.scope, ctx.opts.numeric > 0);
  out.string('scope', `scope ${scope} `, scope);
  printIfaFlags(ctx, i);
  const label = tb.get(IFA_LABEL);
  if (label) out.string('label', attrStr(label), attrStr(label));
  const ci = tb.get(IFA_CACHEINFO);
  if (ci) {
    const prefered = attrU32(ci);
    const valid = attrU32(ci.subarray(4));
    out.fp(sl(ctx));
    out.fp('       valid_lft ');
    if (valid === INFINITY_LIFE_TIME) {
      if (out.json) out.uint('valid_life_time', '', INFINITY_LIFE_TIME);
      out.fp('forever');
    } else out.uint('valid_life_time', `${valid}sec`, valid);
    out.fp(' preferred_lft ');
    if (prefered === INFINITY_LIFE_TIME) {
      if (out.json) out.uint('preferred_life_time', '', INFINITY_LIFE_TIME);
      out.fp('forever');
    } else if (i.flags & IFA_F_DEPRECATED) {
      out.uint('preferred_life_time', `${prefered | 0}sec`, prefered | 0);
    } else out.uint('preferred_life_time', `${prefered}sec`, prefered);
  }
  out.fp('\n');
  return true;
}

/** The whole text of one address (print_addrinfo without colour), built as one string. */
function addrLine(ctx: Context, m: RtMessage, i: Ifaddrmsg, f: AddrFilter): string {
  const tb = m.attrs;
  let t = f.oneline || f.flushing ? `${i.index >>> 0}: ${ctx.indexToName(i.index)}` : '';
  const name = familyName(i.family);
  t += name[0] !== '?' ? `    ${name} ` : `    family ${i.family} `;
  const local = tb.get(IFA_LOCAL) ?? tb.get(IFA_ADDRESS);
  if (local) {
    t += formatAddress(i.family, local);
    const address = tb.get(IFA_ADDRESS) ?? local;
    if (!sameBytes(address, local, i.family === AF_INET ? 4 : 16)) t += ' peer ' + formatAddress(i.family, address);
    t += `/${i.prefixlen} `;
    const metric = tb.get(IFA_RT_PRIORITY);
    if (metric) t += `metric ${attrU32(metric)} `;
  }
  const brd = tb.get(IFA_BROADCAST);
  if (brd) t += `brd ${formatAddress(i.family, brd)} `;
  const any = tb.get(IFA_ANYCAST);
  if (any) t += `any ${formatAddress(i.family, any)} `;
  t += `scope ${rtScopes.name(i.scope, ctx.opts.numeric > 0)} ` + ifaFlagsText(i);
  const label = tb.get(IFA_LABEL);
  if (label) t += attrStr(label);
  const ci = tb.get(IFA_CACHEINFO);
  if (ci) {
    const prefered = attrU32(ci);
    const valid = attrU32(ci.subarray(4));
    t += sl(ctx) + '       valid_lft ' + (valid === INFINITY_LIFE_TIME ? 'forever' : `${valid}sec`) + ' preferred_lft ' +
      (prefered === INFINITY_LIFE_TIME ? 'forever' : i.flags & IFA_F_DEPRECATED ? `${prefered | 0}sec` : `${prefered}sec`);
  }
  return t + '\n';
}

function sameBytes(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[k] !== b[k]) return false;
  return true;
}

const flagTexts = new Map<number, string>();

/** print_ifa_flags() as text, computed once per (family, flags). */
function ifaFlagsText(i: Ifaddrmsg): string {
  const key = i.flags * 16 + (i.family === AF_INET6 ? 1 : 0);
  let t = flagTexts.get(key);
  if (t !== undefined) return t;
  t = '';
  let flags = i.flags;
  for (let k = 0; k < FLAG_DATA.length; k++) {
    const [name, mask] = FLAG_DATA[k];
    if (mask === IFA_F_PERMANENT) {
      if (!(flags & mask)) t += 'dynamic ';
    } else if (flags & mask) t += mask === IFA_F_SECONDARY && i.family === AF_INET6 ? 'temporary ' : name + ' ';
    flags &= ~mask;
  }
  if (flags) t += `flags ${flags.toString(16).padStart(2, '0')} `;
  flagTexts.set(key, t);
  return t;
}

/** print_ifa_flags() */
function printIfaFlags(ctx: Context, i: Ifaddrmsg): void {
  const out = ctx.out;
  if (!out.json) {
    out.fp(ifaFlagsText(i));
    return;
  }
  let flags = i.flags;
  for (const [name, mask] of FLAG_DATA) {
    if (mask === IFA_F_PERMANENT) {
      if (!(flags & mask)) out.bool('dynamic', 'dynamic ', true);
    } else if (flags & mask) {
      if (mask === IFA_F_SECONDARY && i.family === AF_INET6) out.bool('temporary', 'temporary ', true);
      else {
        out.fp(name + ' ');
        if (out.json) out.bool(name, '', true);
      }
    }
    flags &= ~mask;
  }
  if (flags) {
    const hex = flags.toString(16).padStart(2, '0');
    if (out.json) out.string('ifa_flags', '', hex);
    else out.fp(`flags ${hex} `);
  }
}

/** The attributes of a received message as a request's, in the kernel's order (flush, restore). */
function asRequestAttrs(tb: Attrs): LinkAttr[] {
  return [...tb].map(([type, value]) => ({ type, kind: 'bytes', value }));
}

/** ipaddr_flush(): rounds of dump + delete until nothing matches (or -l rounds). */
function flush(ctx: Context, f: AddrFilter): number {
  f.flushing = true;
  const out = ctx.out;
  // ip opens no JSON writer for a flush: with -j too, -s -s lists the addresses as text.
  out.json = false;
  const stats = ctx.opts.stats;
  const max = ctx.opts.loops;
  let round = 0;
  const done = () => {
    if (stats) out.fp(round === 0 ? 'Nothing to flush.\n' : `*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
    return 0;
  };
  while (max === 0 || round < max) {
    let victims: RtMessage[];
    try {
      victims = dumpAddresses(ctx, f).filter((m) => addrPasses(ctx, m, f));
    } catch (e) {
      if (e instanceof NetlinkError) throw new Exit(1, ['Flush terminated']);
      throw e;
    }
    if (stats > 1) for (const m of victims) printAddrInfo(ctx, m, f);
    if (victims.length === 0) return done();
    round++;
    for (const m of victims) {
      try {
        ctx.rtnl.rtRequest({ type: RTM_DELADDR, flags: 0, header: m.header, attrs: asRequestAttrs(m.attrs) });
      } catch (e) {
        if (!(e instanceof NetlinkError)) throw e;
        // The kernel may already have dropped it with its primary: ip ignores that.
        if (e.errno === EADDRNOTAVAIL) continue;
        out.flush();
        ctx.err(`Failed to send flush request: ${strerror(e.errno)}`);
        return 1;
      }
    }
    if (stats) out.fp(`\n*** Round ${round}, deleting ${victims.length} addresses ***\n`);
    // Flushing primaries only: one round, or the promoted secondaries would go next.
    if (!(f.flags & IFA_F_SECONDARY) && f.flagmask & IFA_F_SECONDARY) return done();
  }
  out.flush();
  ctx.err(`*** Flush remains incomplete after ${max} rounds. ***`);
  return 1;
}

/** One message as ip writes it to a save file: nlmsghdr + ifaddrmsg + attributes. */
function encodeMessage(m: RtMessage, seq: number): Buffer {
  const flags = m.nlFlags ?? NLM_F_MULTI;
  const b = new MessageWriter(m.type, flags).header(m.header).attrs(asRequestAttrs(m.attrs)).finish();
  emitNlmsghdr({ len: b.length, type: m.type, flags, seq, pid: 0 }, b);
  return Buffer.from(b.buffer, b.byteOffset, b.length);
}

/** ip addr save: the magic, then every matching address as the kernel sent it. */
function save(ctx: Context, f: AddrFilter): number {
  if (isatty(1)) {
    ctx.err('Not sending a binary stream to stdout');
    return 1;
  }
  const seq = Math.floor(Date.now() / 1000) >>> 0;
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0].writeUInt32LE(SAVE_MAGIC, 0);
  // ip's dump asks for the family of -4/-6 and the device, and saves what comes (no other filter).
  for (const m of dumpAddresses(ctx, { ...f, family: ctx.opts.family })) {
    if (f.ifindex && ifa(m).index !== f.ifindex) continue;
    parts.push(encodeMessage(m, seq));
  }
  ctx.out.flush();
  writeBinary(Buffer.concat(parts));
  return 0;
}

function writeBinary(b: Buffer): void {
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(1, b, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

/** rtnl_from_file(): the messages of a save file; undefined when the magic is wrong. */
function readSaved(ctx: Context): { header: Buffer; type: number; flags: number; body: Buffer }[] {
  if (isatty(0)) throw new Exit(255, ['Can\'t restore address dump from a terminal']);
  let data: Buffer;
  try {
    data = readFileSync(0);
  } catch {
    data = Buffer.alloc(0);
  }
  // fread(&magic, 4, 1): a short file fills part of the u32 and counts 0 elements.
  let magic = 0;
  for (let i = Math.min(4, data.length) - 1; i >= 0; i--) magic = ((magic << 8) | data[i]) >>> 0;
  if (magic !== SAVE_MAGIC || data.length < 4) {
    throw new Exit(255, [`Magic mismatch (${data.length >= 4 ? 1 : 0} elems, ${magic.toString(16)} magic)`]);
  }
  const msgs = [];
  for (let p = 4; p + NLMSG_HDRLEN <= data.length;) {
    const len = nlmsgLen(data, p);
    if (len < NLMSG_HDRLEN || p + len > data.length) {
      ctx.err(len < NLMSG_HDRLEN ? `!!!malformed message: len=${len}` : '!!!program error: message truncated');
      break;
    }
    const h = p + NLMSG_HDRLEN;
    msgs.push({
      header: data.subarray(h, h + IFADDRMSG_LEN), type: nlmsgType(data, p), flags: nlmsgFlags(data, p),
      body: data.subarray(h + IFADDRMSG_LEN, p + len),
    });
    p = nlmsgNext(p, len);
  }
  return msgs;
}

/** ip addr restore: each saved address as RTM_NEWADDR with NLM_F_CREATE; existing ones are fine. */
function restore(ctx: Context): number {
  for (const m of readSaved(ctx)) {
    try {
      ctx.rtnl.rtRequest({ type: m.type, flags: (m.flags | NLM_F_CREATE) & ~(NLM_F_REQUEST | NLM_F_MULTI), header: m.header, attrs: asRequestAttrs(parseAttrs(m.body)) });
    } catch (e) {
      if (!(e instanceof NetlinkError)) throw e;
      // rtnl_talk() reports every refusal; restore_handler forgives only EEXIST.
      ctx.err(netlinkErrorLine(e));
      if (e.errno !== EEXIST) return 255;
    }
  }
  return 0;
}

/** ip addr showdump: the addresses of a save file, each under "if<N>:". */
function showDump(ctx: Context): number {
  const msgs = readSaved(ctx);
  const out = ctx.out;
  // ip does not reset its filter for showdump: no one-line "N: dev" prefix even with -o.
  const f: AddrFilter = { ...newLinkFilter(false, AF_UNSPEC), scope: 0, scopemask: 0, flags: 0, flagmask: 0, oneline: false, flushing: false };
  out.startListing();
  out.openObject();
  out.openArray('addr_info');
  for (const s of msgs) {
    const m: RtMessage = { type: s.type, header: s.header, attrs: parseAttrs(s.body) };
    const index = s.header.readInt32LE(4);
    out.openObject();
    out.uint('index', `if${index}:`, index);
    out.fp(sl(ctx));
    printAddrInfo(ctx, m, f);
    out.closeObject();
  }
  out.closeArray();
  out.closeObject();
  out.endListing();
  return 0;
}

function lifetime(s: string): number | undefined {
  return s === 'forever' ? INFINITY_LIFE_TIME : parseUnsigned(s);
}

/** get_prefix()/get_addr(): exit 1 with ip's message on a bad one. */
function prefixOrExit(arg: string, family: number, isPrefix: boolean): InetPrefix {
  const p = isPrefix ? parsePrefix(arg, family) : parseAddress(arg, family);
  if (!p || (!isPrefix && p.bitlen === -2 && family === AF_UNSPEC)) {
    throw new Exit(1, [`Error: ${familyNameVerbose(family)} ${isPrefix ? 'prefix' : 'address'} is expected rather than "${arg}".`]);
  }
  return p;
}

/** ipaddr_modify(): add/change/replace/del with ip's attribute order and messages. */
async function modify(ctx: Context, cmd: number, nlFlags: number, words: string[]): Promise<number> {
  let family = ctx.opts.family;
  let prefixlen = 0, scope = 0, scoped = false, ifaFlags = 0;
  let dev: string | undefined, lclArg: string | undefined;
  let lcl: InetPrefix | undefined, peer: InetPrefix | undefined;
  let localLen = 0, peerLen = 0, brdLen = 0, anyLen = 0;
  let valid = INFINITY_LIFE_TIME, preferred = INFINITY_LIFE_TIME;
  let validGiven = false, preferredGiven = false;
  const attrs: LinkAttr[] = [];
  const bytes = (type: number, value: Uint8Array): LinkAttr => ({ type, kind: 'bytes', value });
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'peer' || w === 'remote') {
      const v = a.next();
      if (peerLen) duparg('peer', v);
      peer = prefixOrExit(v, family, true);
      peerLen = peer.bytelen;
      if (family === AF_UNSPEC) family = peer.family;
      attrs.push(bytes(IFA_ADDRESS, peer.data));
      prefixlen = peer.bitlen;
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const v = a.next();
      if (brdLen) duparg('broadcast', v);
      if (v === '+') brdLen = -1;
      else if (v === '-') brdLen = -2;
      else {
        const b = prefixOrExit(v, family, false);
        if (family === AF_UNSPEC) family = b.family;
        attrs.push(bytes(IFA_BROADCAST, b.data));
        brdLen = b.bytelen;
      }
    } else if (w === 'anycast') {
      const v = a.next();
      if (anyLen) duparg('anycast', v);
      const b = prefixOrExit(v, family, false);
      if (family === AF_UNSPEC) family = b.family;
      attrs.push(bytes(IFA_ANYCAST, b.data));
      anyLen = b.bytelen;
    } else if (w === 'scope') {
      const v = a.next();
      const s = rtScopes.id(v);
      if (s === undefined) invarg('invalid scope value.', v);
      scope = s;
      scoped = true;
    } else if (w === 'dev') dev = a.next();
    else if (w === 'label') attrs.push(bytes(IFA_LABEL, Buffer.from(a.next() + '\0')));
    else if (matches(w, 'metric') || matches(w, 'priority') || matches(w, 'preference')) {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg('"metric" value is invalid\n', v);
      attrs.push({ type: IFA_RT_PRIORITY, kind: 'u32', value: n });
    } else if (w === 'proto' || w === 'protocol') {
      // tsnet extension (ip 6.1 lacks it): IFA_PROTO, a number or kernel_lo/kernel_ra/kernel_ll.
      const v = a.next();
      const n = ['unspec', 'kernel_lo', 'kernel_ra', 'kernel_ll'].indexOf(v);
      const p = n >= 0 ? n : parseUnsigned(v);
      if (p === undefined || p > 255) invarg('"protocol" value is invalid\n', v);
      attrs.push({ type: IFA_PROTO, kind: 'u8', value: p });
    } else if (matches(w, 'valid_lft')) {
      if (validGiven) duparg('valid_lft', a.words[a.i + 1] ?? '');
      const v = a.next();
      validGiven = true;
      const n = lifetime(v);
      if (n === undefined) invarg('valid_lft value', v);
      valid = n;
    } else if (matches(w, 'preferred_lft')) {
      if (preferredGiven) duparg('preferred_lft', a.words[a.i + 1] ?? '');
      const v = a.next();
      preferredGiven = true;
      const n = lifetime(v);
      if (n === undefined) invarg('preferred_lft value', v);
      preferred = n;
    } else if (FLAG_DATA.some(([n]) => n === w)) {
      const [name, mask, readonly, v6only] = FLAG_DATA.find(([n]) => n === w)!;
      if (readonly) ctx.err(`Warning: ${name} option is not mutable from userspace`);
      else if (v6only && family !== AF_INET6) ctx.err(`Warning: ${name} option can be set only for IPv6 addresses`);
      else ifaFlags |= mask;
    } else {
      let v = w;
      if (w === 'local') v = a.next();
      if (matches(v, 'help')) usage();
      if (localLen) duparg2('local', v);
      lclArg = v;
      lcl = prefixOrExit(v, family, true);
      if (family === AF_UNSPEC) family = lcl.family;
      attrs.push(bytes(IFA_LOCAL, lcl.data));
      localLen = lcl.bytelen;
    }
  }
  let headerFlags = 0;
  if (ifaFlags <= 0xff) headerFlags = ifaFlags;
  else attrs.push({ type: IFA_FLAGS, kind: 'u32', value: ifaFlags });
  if (dev === undefined) {
    ctx.err('Not enough information: "dev" argument is required.');
    return 1;
  }
  if (peerLen === 0 && localLen && lcl) {
    if (cmd === RTM_DELADDR && lcl.family === AF_INET && !lcl.prefixGiven) {
      ctx.err(`Warning: Executing wildcard deletion to stay compatible with old scripts.
         Explicitly specify the prefix length (${lclArg}/${localLen * 8}) to avoid this warning.
         This special behaviour is likely to disappear in further releases,
         fix your scripts!`);
    } else {
      peer = lcl;
      attrs.push(bytes(IFA_ADDRESS, lcl.data));
    }
  }
  if (prefixlen === 0) prefixlen = lcl ? lcl.bitlen : 0;
  if (brdLen < 0 && cmd !== RTM_DELADDR) {
    if (family !== AF_INET) {
      ctx.err('Broadcast can be set only for IPv4 addresses');
      return 1;
    }
    const base = peer ?? lcl;
    if (base && base.bitlen <= 30) {
      const b = Uint8Array.from(base.data);
      let v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      for (let k = 31; k >= base.bitlen; k--) {
        const bit = 1 << (31 - k);
        v = brdLen === -1 ? (v | bit) >>> 0 : (v & ~bit) >>> 0;
      }
      attrs.push(bytes(IFA_BROADCAST, Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255)));
    }
  }
  if (!scoped && cmd !== RTM_DELADDR) scope = lcl && lcl.family === AF_INET && lcl.bytelen >= 1 && lcl.data[0] === 127 ? 254 : 0;
  const index = ctx.nameToIndex(dev);
  if (!index) return nodev(ctx, dev);
  if (validGiven || preferredGiven) {
    if (!valid) {
      ctx.err('valid_lft is zero');
      return 1;
    }
    if (valid < preferred) {
      ctx.err('preferred_lft is greater than valid_lft');
      return 1;
    }
    const ci = new Uint8Array(16);
    const dv = new DataView(ci.buffer);
    dv.setUint32(0, preferred, true);
    dv.setUint32(4, valid, true);
    attrs.push(bytes(IFA_CACHEINFO, ci));
  }
  if (ifaFlags & IFA_F_MCAUTOJOIN && !(lcl && isMulticast(lcl))) {
    ctx.err('autojoin needs multicast address');
    return 1;
  }
  const req: RtRequest = { type: cmd, flags: nlFlags, header: ifaHeader(family, prefixlen, headerFlags, scope, index), attrs };
  const warning = cmd === RTM_DELADDR && family === AF_INET && !ctx.opts.force ? secondaryFate(ctx, req) : undefined;
  try {
    ctx.rtnl.rtRequest(req);
  } catch (e) {
    if (e instanceof NetlinkError) {
      ctx.err(netlinkErrorLine(e));
      return 2;
    }
    throw e;
  }
  if (warning) ctx.err(warning);
  return 0;
}

function isMulticast(p: InetPrefix): boolean {
  return p.family === AF_INET ? (p.data[0] & 0xf0) === 0xe0 : p.family === AF_INET6 ? p.data[0] === 0xff : false;
}

/**
 * What deleting this IPv4 address does to the others, in the kernel's terms
 * (inet_rtm_deladdr picks the first address that matches, __inet_del_ifa
 * then drops or promotes the secondaries of a primary): the warning line,
 * or undefined when the address is not a primary with secondaries.
 */
function secondaryFate(ctx: Context, req: RtRequest): string | undefined {
  const index = new DataView(req.header.buffer, req.header.byteOffset).getInt32(4, true);
  const prefixlen = req.header[1];
  const want = new Map(req.attrs.map((x) => [x.type, x.kind === 'bytes' ? x.value : undefined]));
  let addrs: RtMessage[];
  let conf: Uint32Array | undefined;
  try {
    addrs = dumpAddresses(ctx, { family: AF_INET, ifindex: index } as AddrFilter).filter((m) => ifa(m).index === index);
    const [link] = ctx.rtnl.rtRequest({ type: RTM_GETLINK, flags: 0, header: ifInfoHeader(AF_UNSPEC, index), attrs: [{ type: IFLA_EXT_MASK, kind: 'u32', value: RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS }] });
    conf = link ? inetConf(link.attrs) : undefined;
  } catch {
    return undefined;
  }
  const local = want.get(IFA_LOCAL);
  const address = want.get(IFA_ADDRESS);
  const label = want.get(IFA_LABEL);
  const victim = addrs.find((m) => {
    const mLocal = m.attrs.get(IFA_LOCAL);
    if (local && (!mLocal || !sameBytes(local, mLocal, 4))) return false;
    if (label && attrStr(label) !== attrStr(m.attrs.get(IFA_LABEL) ?? new Uint8Array(0))) return false;
    if (address) {
      const mAddr = m.attrs.get(IFA_ADDRESS);
      if (ifa(m).prefixlen !== prefixlen || !mAddr || !prefixMatch(address, mAddr, prefixlen)) return false;
    }
    return true;
  });
  if (!victim || ifa(victim).flags & IFA_F_SECONDARY) return undefined;
  const v = ifa(victim);
  const vAddr = victim.attrs.get(IFA_ADDRESS)!;
  const secondaries = addrs.filter((m) => {
    const i = ifa(m);
    const mAddr = m.attrs.get(IFA_ADDRESS);
    return i.flags & IFA_F_SECONDARY && i.prefixlen === v.prefixlen && mAddr && prefixMatch(mAddr, vAddr, v.prefixlen);
  });
  if (!secondaries.length) return undefined;
  const text = (m: RtMessage) => `${formatAddress(AF_INET, m.attrs.get(IFA_LOCAL)!)}/${ifa(m).prefixlen}`;
  const dev = ctx.indexToName(index);
  const promote = conf !== undefined && conf.length >= IPV4_DEVCONF_PROMOTE_SECONDARIES && conf[IPV4_DEVCONF_PROMOTE_SECONDARIES - 1] !== 0;
  if (promote) return `Warning: deleting primary ${text(victim)} on ${dev} promotes ${text(secondaries[0])} to primary (promote_secondaries is on).`;
  return `Warning: deleting primary ${text(victim)} on ${dev} also deletes its secondaries ${secondaries.map(text).join(' ')} (promote_secondaries is off).`;
}
