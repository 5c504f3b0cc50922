// The plain-text `link show` listing of many links (print_linkinfo() of
// ip/ipaddress.c, its common fields only), read in place: each dumped
// message is copied once into one buffer and its attributes found in one
// walk (offsets, no per-attribute copy); the lines are written as bytes
// (TextBytes). The name cache gets its LinkRefs only when something asks.
import { AF_PACKET, type LinkRef, type RtMessage } from '../backend.js';
import { AttrList, attrStr } from '../wire/nlattr.js';
import {
  IFF_POINTOPOINT, IFF_UP, IFINFOMSG_LEN, IFLA_ADDRESS, IFLA_BROADCAST, IFLA_EVENT, IFLA_EVENT_NAMES, IFLA_GROUP, IFLA_IFALIAS,
  IFLA_IFNAME, IFLA_LINK, IFLA_LINKMODE, IFLA_LINK_NETNSID, IFLA_MASTER, IFLA_MTU, IFLA_NEW_IFINDEX, IFLA_NEW_NETNSID,
  IFLA_OPERSTATE, IFLA_PERM_ADDRESS, IFLA_PROP_LIST, IFLA_PROTO_DOWN, IFLA_QDISC, IFLA_TXQLEN, IFLA_VFINFO_LIST,
  IF_LINK_MODE_NAMES, IF_OPER_NAMES, NLA_HDRLEN, NLA_TYPE_MASK, NLMSG_HDRLEN, RTM_NEWLINK,
} from '../wire/rtnl-constants.js';
import { TextBytes, ascii } from '../lib/output.js';
import { formatLladdr, putHexColon6 } from '../lib/inet.js';
import type { Context } from './context.js';
import { type LinkFilter, linkFlagsText, printLinkInfo } from './link-print.js';
import { groupName } from './names.js';
import { linkTypeName } from './ll-types.js';
import { sl } from './link-stats.js';

// Per link, slots of an Int32Array: the message and the payload offset (-1: absent) of each field printed.
const MSG = 0, LEN = 1, INDEX = 2, TYPE = 3, FLAGS = 4, NAME = 5, NAME_LEN = 6, LINK = 7, MTU = 8, QDISC = 9,
  QDISC_LEN = 10, MASTER = 11, OPER = 12, MODE = 13, GROUP = 14, TXQLEN = 15, EVENT = 16, ADDR = 17, ADDR_LEN = 18,
  BRD = 19, BRD_LEN = 20, PROTO_DOWN = 21, ODD = 22, SLOTS = 23;


/** The links of one RTM_GETLINK dump: their messages' bytes and per link the offsets of its fields. */
export class LinkTable {
  private bytes = Buffer.allocUnsafe(1 << 17);
  private pos = 0;
  meta = new Int32Array(SLOTS * 64);
  count = 0;
  /** index -> row, made on the first lookup. */
  private rows?: Map<number, number>;

  /** Copies the message at buf[off, off+len) and finds its fields (one walk). */
  add(buf: Uint8Array, off: number, len: number): void {
    if (len < NLMSG_HDRLEN + IFINFOMSG_LEN || (buf[off + 4] | (buf[off + 5] << 8)) !== RTM_NEWLINK) return;
    if (this.pos + len > this.bytes.length) {
      const nb = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.pos + len));
      this.bytes.copy(nb, 0, 0, this.pos);
      this.bytes = nb;
    }
    const start = this.pos;
    this.bytes.set(buf.subarray(off, off + len), start);
    this.pos += (len + 3) & ~3;
    let m = this.meta;
    const k = SLOTS * this.count;
    if (k + SLOTS > m.length) {
      m = new Int32Array(2 * m.length);
      m.set(this.meta);
      this.meta = m;
    }
    // The walk reads the receive buffer (a plain Uint8Array) into locals; the offsets kept are the copy's.
    const b = buf, h = off + NLMSG_HDRLEN, end = off + len, d = start - off;
    let name = -1, nameLen = 0, link = -1, mtu = -1, qdisc = -1, qdiscLen = 0, master = -1, oper = -1, mode = -1;
    let group = -1, txqlen = -1, event = -1, addr = -1, addrLen = 0, brd = -1, brdLen = 0, protoDown = -1;
    let seen = 0, odd = 0;
    for (let p = h + IFINFOMSG_LEN; p + NLA_HDRLEN <= end;) {
      const alen = b[p] | (b[p + 1] << 8);
      if (alen < NLA_HDRLEN || p + alen > end) break;
      const type = (b[p + 2] | (b[p + 3] << 8)) & NLA_TYPE_MASK;
      const o = p + NLA_HDRLEN, l = alen - NLA_HDRLEN;
      p += (alen + 3) & ~3;
      if (type < 32) {
        if (seen & (1 << type)) continue;
        seen |= 1 << type;
        switch (type) {
          case IFLA_IFNAME: name = o; nameLen = l; break;
          case IFLA_LINK: link = o; if (l < 4) odd = 1; break;
          case IFLA_MTU: mtu = o; if (l < 4) odd = 1; break;
          case IFLA_QDISC: qdisc = o; qdiscLen = l; break;
          case IFLA_MASTER: master = o; if (l < 4) odd = 1; break;
          case IFLA_OPERSTATE: oper = o; if (l < 1) odd = 1; break;
          case IFLA_LINKMODE: mode = o; if (l < 1) odd = 1; break;
          case IFLA_GROUP: group = o; if (l < 4) odd = 1; break;
          case IFLA_TXQLEN: txqlen = o; if (l < 4) odd = 1; break;
          case IFLA_ADDRESS: addr = o; addrLen = l; break;
          case IFLA_BROADCAST: brd = o; brdLen = l; break;
          case IFLA_IFALIAS: case IFLA_VFINFO_LIST: odd = 1; break;
        }
      } else if (type === IFLA_EVENT) {
        if (event < 0) event = o;
        if (l < 4) odd = 1;
      } else if (type === IFLA_PROTO_DOWN) {
        if (protoDown < 0) protoDown = o;
        if (l < 1) odd = 1;
      } else if (type === IFLA_LINK_NETNSID || type === IFLA_NEW_NETNSID || type === IFLA_NEW_IFINDEX || type === IFLA_PERM_ADDRESS || type === IFLA_PROP_LIST) odd = 1;
    }
    // Names and qdiscs: ASCII only (attrStr's UTF-8 decoding of anything else is left to the printer).
    if (name < 0 || !ascii7(b, name, nameLen) || (qdisc >= 0 && !ascii7(b, qdisc, qdiscLen))) odd = 1;
    m[k + MSG] = start;
    m[k + LEN] = len;
    m[k + TYPE] = b[h + 2] | (b[h + 3] << 8);
    m[k + INDEX] = b[h + 4] | (b[h + 5] << 8) | (b[h + 6] << 16) | (b[h + 7] << 24);
    m[k + FLAGS] = b[h + 8] | (b[h + 9] << 8) | (b[h + 10] << 16) | (b[h + 11] << 24);
    m[k + NAME] = name < 0 ? -1 : name + d;
    m[k + NAME_LEN] = nameLen;
    m[k + LINK] = link < 0 ? -1 : link + d;
    m[k + MTU] = mtu < 0 ? -1 : mtu + d;
    m[k + QDISC] = qdisc < 0 ? -1 : qdisc + d;
    m[k + QDISC_LEN] = qdiscLen;
    m[k + MASTER] = master < 0 ? -1 : master + d;
    m[k + OPER] = oper < 0 ? -1 : oper + d;
    m[k + MODE] = mode < 0 ? -1 : mode + d;
    m[k + GROUP] = group < 0 ? -1 : group + d;
    m[k + TXQLEN] = txqlen < 0 ? -1 : txqlen + d;
    m[k + EVENT] = event < 0 ? -1 : event + d;
    m[k + ADDR] = addr < 0 ? -1 : addr + d;
    m[k + ADDR_LEN] = addrLen;
    m[k + BRD] = brd < 0 ? -1 : brd + d;
    m[k + BRD_LEN] = brdLen;
    m[k + PROTO_DOWN] = protoDown < 0 ? -1 : protoDown + d;
    m[k + ODD] = odd;
    this.count++;
  }

  /** The row of the link with this index, or -1. */
  row(index: number): number {
    if (!this.rows) {
      this.rows = new Map();
      for (let r = this.count - 1; r >= 0; r--) this.rows.set(this.meta[SLOTS * r + INDEX], r);
    }
    return this.rows.get(index) ?? -1;
  }

  /** The payload end of a string attribute without its trailing NULs. */
  private strEnd(o: number, l: number): number {
    let e = o + l;
    while (e > o && this.bytes[e - 1] === 0) e--;
    return e;
  }

  /** The name cache's records (ll_remember_index() of each link with a name). */
  refs(): LinkRef[] {
    const out: LinkRef[] = [];
    const m = this.meta, b = this.bytes;
    for (let r = 0; r < this.count; r++) {
      const k = SLOTS * r;
      if (m[k + NAME] < 0) continue;
      const at = m[k + MASTER], o = m[k + NAME];
      out.push({
        index: m[k + INDEX], name: attrStr(b.subarray(o, o + m[k + NAME_LEN])), type: m[k + TYPE], flags: m[k + FLAGS] >>> 0,
        master: at >= 0 ? (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0 : undefined,
      });
    }
    return out;
  }

  /** Row r as the RtMessage the printers read (a view of the copied bytes). */
  message(r: number): RtMessage {
    const k = SLOTS * r, s = this.meta[k + MSG], h = s + NLMSG_HDRLEN;
    return {
      type: this.bytes[s + 4] | (this.bytes[s + 5] << 8), nlFlags: this.bytes[s + 6] | (this.bytes[s + 7] << 8),
      header: this.bytes.subarray(h, h + IFINFOMSG_LEN), attrs: new AttrList(this.bytes, h + IFINFOMSG_LEN, s + this.meta[k + LEN]),
    };
  }

  /**
   * Prints every link that passes the filter, as printLinkInfo() would in plain
   * text for `link show` (no details, stats or brief): the common ones as bytes,
   * others through printLinkInfo.
   */
  print(ctx: Context, f: LinkFilter): void {
    const out = ctx.out, m = this.meta, b = this.bytes, numeric = ctx.opts.numeric > 0;
    const nl = ascii(sl(ctx));
    const typeTexts = new Map<number, Buffer>();
    const groupTexts = new Map<number, Buffer>();
    const text = (t: TextBytes, p: number, s: string): number => {
      t.pos = p;
      t.text(s);
      return t.pos;
    };
    const u32 = (o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
    /** A name from the table (its bytes) or from the name cache (text); returns the new p. */
    const putName = (t: TextBytes, p: number, index: number): number => {
      const r = this.row(index);
      if (r < 0 || m[SLOTS * r + ODD]) return text(t, p, ctx.indexToName(index));
      const o = m[SLOTS * r + NAME];
      return p + b.copy(t.buf, p, o, this.strEnd(o, m[SLOTS * r + NAME_LEN]));
    };
    for (let r = 0; r < this.count; r++) {
      const k = SLOTS * r;
      const index = m[k + INDEX], flags = m[k + FLAGS] >>> 0;
      if (f.ifindex && index !== f.ifindex) continue;
      if (f.up && !(flags & IFF_UP)) continue;
      const group = m[k + GROUP], master = m[k + MASTER];
      if (group >= 0 && f.group !== -1 && (u32(group) | 0) !== f.group) continue;
      if (f.master > 0 && (master < 0 || u32(master) !== f.master)) continue;
      if (m[k + ODD] || (f.showQueue && m[k + TXQLEN] < 0)) {
        printLinkInfo(ctx, this.message(r), f);
        continue;
      }
      const t = out.bytes(), o = t.buf;
      let p = t.pos;
      p = index < 0 ? text(t, p, String(index)) : putUint(o, p, index);
      p += COLON.copy(o, p);
      const no = m[k + NAME];
      p += b.copy(o, p, no, this.strEnd(no, m[k + NAME_LEN]));
      let mdown = false;
      if (m[k + LINK] >= 0) {
        const l = u32(m[k + LINK]);
        o[p++] = 64; // '@'
        if (l) {
          p = putName(t, p, l);
          const lr = this.row(l);
          mdown = !((lr >= 0 ? m[SLOTS * lr + FLAGS] : ctx.link(l)?.flags ?? 0) & IFF_UP);
        } else p += NONE.copy(o, p);
      }
      p += COLON.copy(o, p);
      const fk = flags * 2 + (mdown ? 1 : 0);
      let ft = flagTexts.get(fk);
      if (!ft) flagTexts.set(fk, (ft = ascii(linkFlagsText(flags, mdown))));
      p += ft.copy(o, p);
      if (m[k + MTU] >= 0) {
        p += MTU_.copy(o, p);
        p = putUint(o, p, u32(m[k + MTU]));
        o[p++] = 32;
      }
      if (m[k + QDISC] >= 0) {
        p += QDISC_.copy(o, p);
        const q = m[k + QDISC];
        p += b.copy(o, p, q, this.strEnd(q, m[k + QDISC_LEN]));
        o[p++] = 32;
      }
      if (master >= 0) {
        p += MASTER_.copy(o, p);
        p = putName(t, p, u32(master));
        o[p++] = 32;
      }
      if (m[k + OPER] >= 0) {
        const s = b[m[k + OPER]];
        p += (OPER_TEXTS[s] ??= ascii(s >= IF_OPER_NAMES.length ? 'state 0x' + s.toString(16) + ' ' : 'state ' + IF_OPER_NAMES[s] + ' ')).copy(o, p);
      }
      if (f.doLink && m[k + MODE] >= 0) {
        const v = b[m[k + MODE]];
        p += (MODE_TEXTS[v] ??= ascii(v >= IF_LINK_MODE_NAMES.length ? 'mode ' + v + ' ' : 'mode ' + IF_LINK_MODE_NAMES[v] + ' ')).copy(o, p);
      }
      if (group >= 0) {
        const g = u32(group) | 0;
        let gt = groupTexts.get(g);
        if (!gt) groupTexts.set(g, (gt = Buffer.from('group ' + groupName(g, numeric) + ' ')));
        p += gt.copy(o, p);
      }
      if (f.showQueue) {
        const qlen = u32(m[k + TXQLEN]);
        if (qlen) p = text(t, p, 'qlen ' + (qlen | 0));
      }
      if (m[k + EVENT] >= 0) {
        const e = u32(m[k + EVENT]);
        if (e >= IFLA_EVENT_NAMES.length) p = text(t, p, 'event ' + (e | 0) + ' ');
        else if (e) p = text(t, p, 'event ' + IFLA_EVENT_NAMES[e] + ' ');
      }
      if (!f.family || f.family === AF_PACKET) {
        const type = m[k + TYPE];
        let tt = typeTexts.get(type);
        if (!tt) typeTexts.set(type, (tt = Buffer.concat([nl, ascii('    link/' + linkTypeName(type, numeric) + ' ')])));
        p += tt.copy(o, p);
        const a = m[k + ADDR];
        if (a >= 0) p = m[k + ADDR_LEN] === 6 ? putHexColon6(o, p, b, a) : text(t, p, formatLladdr(b.subarray(a, a + m[k + ADDR_LEN]), type));
        const br = m[k + BRD];
        if (br >= 0) {
          p += (flags & IFF_POINTOPOINT ? PEER : BRD_).copy(o, p);
          p = m[k + BRD_LEN] === 6 ? putHexColon6(o, p, b, br) : text(t, p, formatLladdr(b.subarray(br, br + m[k + BRD_LEN]), type));
        }
      }
      if (m[k + PROTO_DOWN] >= 0 && b[m[k + PROTO_DOWN]]) p += PROTODOWN.copy(o, p);
      o[p++] = 10;
      t.pos = p;
      if (p > TextBytes.FLUSH_AT) t.flush();
    }
  }
}

/** print_link_flags()'s text as bytes, by flags * 2 + M-DOWN. */
const flagTexts = new Map<number, Buffer>();

/** The decimal digits of v (an unsigned 32-bit number) written at o[p]; returns the offset after them. */
function putUint(o: Uint8Array, p: number, v: number): number {
  let n = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) n++;
  for (let q = p + n - 1; q >= p; q--) {
    o[q] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
  return p + n;
}

const MTU_ = ascii('mtu '), NONE = ascii('NONE'), COLON = ascii(': '), QDISC_ = ascii('qdisc '), MASTER_ = ascii('master ');
const PEER = ascii(' peer '), BRD_ = ascii(' brd '), PROTODOWN = ascii(' protodown on ');
const OPER_TEXTS: Buffer[] = [], MODE_TEXTS: Buffer[] = [];

/** Are the l bytes at b[o] 7-bit ASCII? */
function ascii7(b: Uint8Array, o: number, l: number): boolean {
  for (let q = o; q < o + l; q++) if (b[q] >= 0x80) return false;
  return true;
}
