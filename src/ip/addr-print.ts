// What ip prints for one address (print_addrinfo of ip/ipaddress.c, 6.1), and
// the address filters it applies: shared by `addr show`, `link show`, flush,
// showdump and monitor.
import type { Backend, RtMessage, RtRequest } from '../backend.js';
import {
  AF_INET, AF_INET6, AF_UNSPEC, IFADDRMSG_LEN, NLMSG_HDRLEN, IFA_ADDRESS, IFA_ANYCAST, IFA_BROADCAST, IFA_CACHEINFO, IFA_FLAGS,
  IFA_F_DEPRECATED, IFA_F_PERMANENT, IFA_F_SECONDARY, IFA_LABEL, IFA_LOCAL, IFA_RT_PRIORITY, INFINITY_LIFE_TIME,
  RTM_DELADDR, RTM_GETADDR, RTM_NEWADDR,
} from '../wire/rtnl-constants.js';
import { AttrList, type Attrs, attrStr, attrU32 } from '../wire/nlattr.js';
import { AddressView, type Ifaddrmsg, emitIfaddrmsg, nlmsgFlags, parseIfaddrmsg } from '../wire/nlmsg.js';
import { type Output, ascii } from '../lib/output.js';
import { isWireError } from '../wire/error.js';
import { familyColor, familyName } from './common.js';
import type { Context } from './context.js';
import { type InetPrefix, formatAddress, formatIPv4At, formatIPv6, prefixMatch, putDec8, putIPv4 } from '../lib/inet.js';
import { type LinkFilter, newLinkFilter, sl } from './link-print.js';
import { rtScopes } from './names.js';
import { interpreted } from '../lib/jit.js';

/** ifa_flag_data[]: name, mask, read-only, IPv6 only; in ip's print order. */
export const FLAG_DATA: [string, number, boolean, boolean][] = [
  ['secondary', 0x01, true, false], ['temporary', 0x01, true, false], ['nodad', 0x02, false, true],
  ['optimistic', 0x04, false, true], ['dadfailed', 0x08, true, true], ['home', 0x10, false, true],
  ['deprecated', 0x20, true, true], ['tentative', 0x40, true, true], ['permanent', 0x80, true, true],
  ['mngtmpaddr', 0x100, false, true], ['noprefixroute', 0x200, false, false], ['autojoin', 0x400, false, false],
  ['stable-privacy', 0x800, true, true],
];

/** The address filters of ipaddr_list_flush_or_save. */
export interface AddrFilter extends LinkFilter {
  scope: number;
  scopemask: number;
  flags: number;
  flagmask: number;
  pfx?: InetPrefix;
  oneline: boolean;
  flushing: boolean;
}

/** struct ifaddrmsg */
export function ifaHeader(family: number, prefixlen: number, flags: number, scope: number, index: number): Uint8Array {
  const h = new Uint8Array(IFADDRMSG_LEN);
  emitIfaddrmsg({ family, prefixlen, flags, scope, index }, h);
  return h;
}

/** The ifaddrmsg of a message (with IFA_FLAGS' full flags), decoded once per message. */
export function ifa(m: RtMessage): Ifaddrmsg {
  const c = m as RtMessage & { ifa?: Ifaddrmsg };
  return (c.ifa ??= decodeIfa(m));
}

/** ifa() without keeping the result on the message (a reused, transient one). */
function decodeIfa(m: RtMessage): Ifaddrmsg {
  const tb = m.attrs, hb = m.header;
  if (tb instanceof AttrList && hb.length >= IFADDRMSG_LEN) {
    // Read in place: no header object to check, no payload view for IFA_FLAGS.
    const at = tb.find(IFA_FLAGS);
    if (at < 0) return { family: hb[0], prefixlen: hb[1], flags: hb[2], scope: hb[3], index: u32At(hb, 4) | 0 };
    if (tb.payloadLength(at) >= 4) return { family: hb[0], prefixlen: hb[1], flags: u32At(tb.buffer, at + 4), scope: hb[3], index: u32At(hb, 4) | 0 };
  }
  const h = parseIfaddrmsg(m.header);
  const i = isWireError(h) ? { family: 0, prefixlen: 0, flags: 0, scope: 0, index: 0 } : h;
  const flagsAttr = m.attrs.get(IFA_FLAGS);
  if (flagsAttr) i.flags = attrU32(flagsAttr);
  return i;
}

export function dumpAddresses(ctx: Context, f: AddrFilter): RtMessage[] {
  const out: RtMessage[] = [];
  ctx.rtnl.rtDump({ type: RTM_GETADDR, flags: 0, header: ifaHeader(f.family, 0, 0, 0, f.ifindex), attrs: [] }, (m) => {
    if (m.type === RTM_NEWADDR) out.push(m);
  });
  return out;
}

/**
 * The plain-text lines of a listing's addresses (not brief): made during the
 * dump, while each message is in the receive buffer, and printed per link
 * after it (ip prints each link, then its addresses). Their bytes lie in one
 * buffer; per address, its device and the range of its line (start
 * -1: the filters drop it). Nothing is made per address but its line's bytes.
 */
export class AddrLines {
  // 1 MiB at once (some 8,000 addresses' lines): pages that are never written cost nothing, while
  // growing by doubling wrote every byte twice and faulted in both copies' pages (~10 us a page here).
  private bytes = Buffer.allocUnsafe(1 << 20);
  /** Where the next line's bytes go (a writer asks room() first). */
  pos = 0;
  /** Per address: device, start and end of its line (three slots each: an array store costs less than a push). */
  private meta = new Int32Array(3 * 256);
  private count = 0;

  /** The buffer, with room for `n` more bytes from pos on. */
  room(n: number): Buffer {
    if (this.pos + n > this.bytes.length) {
      const b = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.pos + n));
      this.bytes.copy(b, 0, 0, this.pos);
      this.bytes = b;
    }
    return this.bytes;
  }

  /** Appends a string's bytes (UTF-8, as Output writes it) at pos. */
  text(s: string): void {
    this.pos += this.room(3 * s.length).write(s, this.pos);
  }

  /** Records the address whose line ends at pos and starts at `start` (-1: dropped by the filters). */
  add(index: number, start: number): void {
    let m = this.meta;
    const k = 3 * this.count++;
    if (k === m.length) {
      m = new Int32Array(2 * k);
      m.set(this.meta);
      this.meta = m;
    }
    m[k] = index;
    m[k + 1] = start;
    m[k + 2] = this.pos;
  }

  /** Has the device an address that passed the filters (1), only addresses that did not (0), or none (-1)? */
  shown(index: number): number {
    const m = this.meta, n = 3 * this.count;
    let r = -1;
    for (let k = 0; k < n; k += 3) {
      if (m[k] !== index) continue;
      if (m[k + 1] >= 0) return 1;
      r = 0;
    }
    return r;
  }

  /** Prints the device's lines, in dump order (each run of adjacent lines in one copy). */
  print(out: Output, index: number): void {
    const m = this.meta, n = 3 * this.count;
    let s = -1, e = -1;
    for (let k = 0; k < n; k += 3) {
      if (m[k] !== index || m[k + 1] < 0) continue;
      if (m[k + 1] !== e) {
        if (s >= 0) out.bytes().append(this.bytes, s, e);
        s = m[k + 1];
      }
      e = m[k + 2];
    }
    if (s >= 0) out.bytes().append(this.bytes, s, e);
  }
}

/**
 * dumpAddresses() for plain text (not brief): each address's line is made
 * while its message is in the receive buffer, so no message is copied or
 * kept (a 1,000-address listing).
 */
export function dumpAddressLines(ctx: Context, f: AddrFilter): AddrLines {
  const lines = new AddrLines();
  const b = ctx.rtnl as Backend;
  const req: RtRequest = { type: RTM_GETADDR, flags: 0, header: ifaHeader(f.family, 0, 0, 0, f.ifindex), attrs: [] };
  const viaText = (m: RtMessage): void => {
    if (m.type !== RTM_NEWADDR) return;
    const i = decodeIfa(m);
    const start = lines.pos;
    const shown = addrPasses(ctx, m, f, i);
    if (shown) lines.text((m.attrs instanceof AttrList && addrLineInPlace(ctx, m.attrs, i, f)) || addrLine(ctx, m, i, f));
    lines.add(i.index, shown ? start : -1);
  };
  if (b.rtDumpInPlace && f.label === undefined && !f.pfx) {
    // The common listing: each message read by one AddressView, its line written as bytes.
    const v = new AddressView();
    const write = addrLineWriter(ctx, f, lines);
    const dump = b.rtDumpInPlace.bind(b);
    interpreted(() => dump(req, (buf, off, len) => {
      if (!v.reset(buf, off, len) || v.type !== RTM_NEWADDR) return;
      const start = lines.pos;
      if (!ifaPasses(f, v.index, v.scope, v.flags, v.family)) lines.add(v.index, -1);
      else if (!v.odd && write(v)) lines.add(v.index, start);
      else {
        lines.pos = start;
        const h = off + NLMSG_HDRLEN;
        viaText({ type: v.type, nlFlags: nlmsgFlags(buf, off), header: buf.subarray(h, h + IFADDRMSG_LEN), attrs: new AttrList(buf, h + IFADDRMSG_LEN, off + len) });
      }
    }));
  } else if (b.rtDumpTransient) b.rtDumpTransient(req, viaText);
  else ctx.rtnl.rtDump(req, viaText);
  return lines;
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

export function labelMatches(ctx: Context, f: AddrFilter, index: number, tb: Attrs): boolean {
  if (f.label === undefined) return true;
  const l = tb.get(IFA_LABEL);
  return fnmatch(f.label, l ? attrStr(l) : ctx.indexToName(index));
}

/** inet_addr_match_rta(): does the address fall in the `to` prefix? */
export function prefixMatches(f: AddrFilter, family: number, local: Uint8Array | undefined): boolean {
  const p = f.pfx;
  if (!p || !local || p.family === AF_UNSPEC || p.bitlen <= 0) return true;
  if (p.family !== family || local.length !== p.bytelen) return false;
  return prefixMatch(local, p.data, p.bitlen);
}

/** The filters of addrPasses() that read the ifaddrmsg only (its flags from IFA_FLAGS). */
function ifaPasses(f: AddrFilter, index: number, scope: number, flags: number, family: number): boolean {
  if (f.ifindex && f.ifindex !== index) return false;
  if ((f.scope ^ scope) & f.scopemask) return false;
  if ((f.flags ^ flags) & f.flagmask) return false;
  return !f.family || f.family === family;
}

/** The filters print_addrinfo applies to one address. */
export function addrPasses(ctx: Context, m: RtMessage, f: AddrFilter, i = ifa(m)): boolean {
  if (!ifaPasses(f, i.index, i.scope, i.flags, i.family)) return false;
  if (!labelMatches(ctx, f, i.index, m.attrs)) return false;
  return !f.pfx || prefixMatches(f, i.family, m.attrs.get(IFA_LOCAL) ?? m.attrs.get(IFA_ADDRESS));
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

/** "scope global " and the like, by scope (names; the numeric form is made each time). */
const scopeTexts: string[] = [];

/**
 * addrLine() for an IPv4 address read in place (offsets into the receive
 * buffer, no payload views, ASCII label): the common line of a long listing,
 * made with as few steps as the interpreter can run it. '' when the message
 * is anything else (IPv6, odd lengths, a label not ASCII): addrLine() then.
 */
function addrLineInPlace(ctx: Context, tb: AttrList, i: Ifaddrmsg, f: AddrFilter): string {
  if (i.family !== AF_INET) return '';
  const b = tb.buffer;
  const a = tb.find(IFA_ADDRESS);
  let l = tb.find(IFA_LOCAL);
  if (l < 0) l = a;
  const brd = tb.find(IFA_BROADCAST), lab = tb.find(IFA_LABEL);
  if ((l >= 0 && b[l] !== 8) || (a >= 0 && b[a] !== 8) || (brd >= 0 && b[brd] !== 8) || tb.has(IFA_ANYCAST)) return '';
  let t = f.oneline || f.flushing ? (i.index >>> 0) + ': ' + ctx.indexToName(i.index) + '    inet ' : '    inet ';
  if (l >= 0) {
    t += formatIPv4At(b, l + 4);
    if (a >= 0 && (b[a + 4] !== b[l + 4] || b[a + 5] !== b[l + 5] || b[a + 6] !== b[l + 6] || b[a + 7] !== b[l + 7])) t += ' peer ' + formatIPv4At(b, a + 4);
    t += '/' + i.prefixlen + ' ';
    const metric = tb.find(IFA_RT_PRIORITY);
    if (metric >= 0) {
      if (tb.payloadLength(metric) < 4) return '';
      t += 'metric ' + u32At(b, metric + 4) + ' ';
    }
  }
  if (brd >= 0) t += 'brd ' + formatIPv4At(b, brd + 4) + ' ';
  const numeric = ctx.opts.numeric > 0;
  t += (!numeric && scopeTexts[i.scope]) || scopeText(i.scope, numeric);
  t += ifaFlagsText(i);
  if (lab >= 0) {
    // The label without its trailing NULs, as attrStr() reads it; ASCII only (else '' and attrStr's UTF-8).
    let e = lab + (b[lab] | (b[lab + 1] << 8));
    while (e > lab + 4 && b[e - 1] === 0) e--;
    for (let k = lab + 4; k < e; k++) {
      if (b[k] >= 0x80) return '';
      t += String.fromCharCode(b[k]);
    }
  }
  const ci = tb.find(IFA_CACHEINFO);
  if (ci >= 0) {
    if ((b[ci] | (b[ci + 1] << 8)) < 12) return '';
    const prefered = u32At(b, ci + 4), valid = u32At(b, ci + 8);
    t += (ctx.opts.oneline ? '\\' : '\n') + '       valid_lft ' + (valid === INFINITY_LIFE_TIME ? 'forever' : valid + 'sec') + ' preferred_lft ' +
      (prefered === INFINITY_LIFE_TIME ? 'forever' : i.flags & IFA_F_DEPRECATED ? (prefered | 0) + 'sec' : prefered + 'sec');
  }
  return t + '\n';
}

const INET = ascii('    inet '), INET6 = ascii('    inet6 '), PEER = ascii(' peer '), BRD = ascii('brd ');

/**
 * addrLine() written as bytes for an address read in place (AddressView):
 * the same text, with IPv4 addresses from byte tables and the line's tail
 * (scope, flags, label, lifetimes) copied whole, made again only when it
 * differs from the last line's; other fields (IPv6 addresses, a metric)
 * through their text. Returns the writer of one line into `lines`; it
 * answers false for what it leaves to addrLine() (odd lengths, a label not
 * ASCII, another family).
 */
function addrLineWriter(ctx: Context, f: AddrFilter, lines: AddrLines): (v: AddressView) => boolean {
  const numeric = ctx.opts.numeric > 0;
  const nl = sl(ctx);
  /** The last tail and what it was made of (the label's bytes compared in place). */
  let tail = INET, tailScope = -1, tailFlags = -1, tailFamily = -1, tailPrefered = -1, tailValid = -1;
  let tailLabel = '', tailCi = false;
  return (v) => {
    const family = v.family, alen = family === AF_INET ? 4 : family === AF_INET6 ? 16 : 0;
    if (!alen || (v.local >= 0 && v.localLen !== alen) || (v.address >= 0 && v.addressLen !== alen) ||
      (v.broadcast >= 0 && v.broadcastLen !== alen) || (v.anycast >= 0 && v.anycastLen !== alen) ||
      (v.rtPriority >= 0 && v.rtPriorityLen < 4) || (v.cacheinfo >= 0 && v.cacheinfoLen < 8)) return false;
    const b = v.buf;
    // The label without its trailing NULs, as attrStr() reads it; ASCII only (else addrLine and attrStr's UTF-8).
    let labelEnd = v.label + v.labelLen;
    if (v.label >= 0) {
      while (labelEnd > v.label && b[labelEnd - 1] === 0) labelEnd--;
      for (let k = v.label; k < labelEnd; k++) if (b[k] >= 0x80) return false;
    }
    if (f.oneline || f.flushing) lines.text((v.index >>> 0) + ': ' + ctx.indexToName(v.index));
    let o = lines.room(256), p = lines.pos;
    p += (alen === 4 ? INET : INET6).copy(o, p);
    const l = v.local >= 0 ? v.local : v.address;
    if (l >= 0) {
      const a = v.address;
      if (alen === 4) {
        p = putIPv4(o, p, b, l);
        if (a >= 0 && (b[a] !== b[l] || b[a + 1] !== b[l + 1] || b[a + 2] !== b[l + 2] || b[a + 3] !== b[l + 3])) {
          p += PEER.copy(o, p);
          p = putIPv4(o, p, b, a);
        }
      } else {
        lines.pos = p;
        lines.text(formatIPv6(b.subarray(l, l + 16)));
        if (a >= 0 && !sameBytes(b.subarray(a, a + 16), b.subarray(l, l + 16), 16)) lines.text(' peer ' + formatIPv6(b.subarray(a, a + 16)));
        o = lines.room(256);
        p = lines.pos;
      }
      o[p++] = 47; // '/'
      p = putDec8(o, p, v.prefixlen);
      o[p++] = 32;
      if (v.rtPriority >= 0) {
        lines.pos = p;
        lines.text('metric ' + v.words[v.rtPriority >> 2] + ' ');
        o = lines.room(256);
        p = lines.pos;
      }
    }
    if (v.broadcast >= 0) {
      if (alen === 4) {
        p += BRD.copy(o, p);
        p = putIPv4(o, p, b, v.broadcast);
        o[p++] = 32;
      } else {
        lines.pos = p;
        lines.text(`brd ${formatIPv6(b.subarray(v.broadcast, v.broadcast + 16))} `);
        o = lines.room(256);
        p = lines.pos;
      }
    }
    if (v.anycast >= 0) {
      lines.pos = p;
      lines.text(`any ${formatAddress(family, b.subarray(v.anycast, v.anycast + alen))} `);
      o = lines.room(256);
      p = lines.pos;
    }
    // The tail: "scope global secondary v0\n       valid_lft forever preferred_lft forever\n" and the like.
    const ci = v.cacheinfo, w = v.words, prefered = ci >= 0 ? w[ci >> 2] : -1, valid = ci >= 0 ? w[(ci >> 2) + 1] : -1;
    let same = v.scope === tailScope && v.flags === tailFlags && family === tailFamily && (ci >= 0) === tailCi &&
      prefered === tailPrefered && valid === tailValid && labelEnd - v.label === tailLabel.length;
    for (let k = v.label; same && k < labelEnd; k++) same = b[k] === tailLabel.charCodeAt(k - v.label);
    if (!same) {
      tailScope = v.scope;
      tailFlags = v.flags;
      tailFamily = family;
      tailCi = ci >= 0;
      tailPrefered = prefered;
      tailValid = valid;
      tailLabel = v.label >= 0 ? String.fromCharCode(...b.subarray(v.label, labelEnd)) : '';
      let text = ((!numeric && scopeTexts[v.scope]) || scopeText(v.scope, numeric)) + ifaFlagsText(v) + tailLabel;
      if (ci >= 0) {
        text += nl + '       valid_lft ' + (valid === INFINITY_LIFE_TIME ? 'forever' : valid + 'sec') + ' preferred_lft ' +
          (prefered === INFINITY_LIFE_TIME ? 'forever' : v.flags & IFA_F_DEPRECATED ? (prefered | 0) + 'sec' : prefered + 'sec');
      }
      tail = ascii(text + '\n');
    }
    lines.pos = p;
    o = lines.room(tail.length);
    lines.pos += tail.copy(o, lines.pos);
    return true;
  };
}

function scopeText(scope: number, numeric: boolean): string {
  const t = 'scope ' + rtScopes.name(scope, numeric) + ' ';
  if (!numeric) scopeTexts[scope] = t;
  return t;
}

function u32At(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

export function sameBytes(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[k] !== b[k]) return false;
  return true;
}

const flagTexts = new Map<number, string>();

/** print_ifa_flags() as text, computed once per (family, flags). */
function ifaFlagsText(i: { flags: number; family: number }): string {
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
