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

/** Attributes the byte lines do not print (a link with one is printed by printLinkInfo). */
const UNCOMMON_LO = (1 << IFLA_IFALIAS) | (1 << IFLA_VFINFO_LIST);
const UNCOMMON_HI = [IFLA_LINK_NETNSID, IFLA_NEW_NETNSID, IFLA_NEW_IFINDEX, IFLA_PERM_ADDRESS, IFLA_PROP_LIST];

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
    const b = this.bytes, start = this.pos;
    b.set(buf.subarray(off, off + len), start);
    this.pos += (len + 3) & ~3;
    let m = this.meta;
    const k = SLOTS * this.count;
    if (k + SLOTS > m.length) {
      m = new Int32Array(2 * m.length);
      m.set(this.meta);
      this.meta = m;
    }
    const h = start + NLMSG_HDRLEN, end = start + len;
    m[k + MSG] = start;
    m[k + LEN] = len;
    m[k + TYPE] = b[h + 2] | (b[h + 3] << 8);
    m[k + INDEX] = b[h + 4] | (b[h + 5] << 8) | (b[h + 6] << 16) | (b[h + 7] << 24);
    m[k + FLAGS] = b[h + 8] | (b[h + 9] << 8) | (b[h + 10] << 16) | (b[h + 11] << 24);
    for (let s = NAME; s < SLOTS; s++) m[k + s] = -1;
    let seen = 0, odd = 0;
    for (let p = h + IFINFOMSG_LEN; p + NLA_HDRLEN <= end;) {
      const alen = b[p] | (b[p + 1] << 8);
      if (alen < NLA_HDRLEN || p + alen > end) break;
      const type = (b[p + 2] | (b[p + 3] << 8)) & NLA_TYPE_MASK;
      const o = p + NLA_HDRLEN, l = alen - NLA_HDRLEN;
      if (type < 32) {
        if (!(seen & (1 << type))) {
          seen |= 1 << type;
          if (UNCOMMON_LO & (1 << type)) odd = 1;
          switch (type) {
            case IFLA_IFNAME: m[k + NAME] = o; m[k + NAME_LEN] = l; break;
            case IFLA_LINK: m[k + LINK] = o; if (l < 4) odd = 1; break;
            case IFLA_MTU: m[k + MTU] = o; if (l < 4) odd = 1; break;
            case IFLA_QDISC: m[k + QDISC] = o; m[k + QDISC_LEN] = l; break;
            case IFLA_MASTER: m[k + MASTER] = o; if (l < 4) odd = 1; break;
            case IFLA_OPERSTATE: m[k + OPER] = o; if (l < 1) odd = 1; break;
            case IFLA_LINKMODE: m[k + MODE] = o; if (l < 1) odd = 1; break;
            case IFLA_GROUP: m[k + GROUP] = o; if (l < 4) odd = 1; break;
            case IFLA_TXQLEN: m[k + TXQLEN] = o; if (l < 4) odd = 1; break;
            case IFLA_ADDRESS: m[k + ADDR] = o; m[k + ADDR_LEN] = l; break;
            case IFLA_BROADCAST: m[k + BRD] = o; m[k + BRD_LEN] = l; break;
          }
        }
      } else if (type === IFLA_EVENT || type === IFLA_PROTO_DOWN) {
        const s = type === IFLA_EVENT ? EVENT : PROTO_DOWN;
        if (m[k + s] < 0) {
          m[k + s] = o;
          if (l < (type === IFLA_EVENT ? 4 : 1)) odd = 1;
        }
      } else if (UNCOMMON_HI.includes(type)) odd = 1;
      p += (alen + 3) & ~3;
    }
    // Names and qdiscs: ASCII only (attrStr's UTF-8 decoding of anything else is left to the printer).
    for (const [s, l] of [[NAME, NAME_LEN], [QDISC, QDISC_LEN]]) {
      const o = m[k + s];
      if (o < 0) continue;
      for (let q = o; q < o + m[k + l]; q++) if (b[q] >= 0x80) odd = 1;
    }
    if (m[k + NAME] < 0) odd = 1;
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
      p = text(t, p, index + ': ');
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
      p = text(t, p, linkFlagsText(flags, mdown));
      if (m[k + MTU] >= 0) p = text(t, p, 'mtu ' + u32(m[k + MTU]) + ' ');
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

const NONE = ascii('NONE'), COLON = ascii(': '), QDISC_ = ascii('qdisc '), MASTER_ = ascii('master ');
const PEER = ascii(' peer '), BRD_ = ascii(' brd '), PROTODOWN = ascii(' protodown on ');
const OPER_TEXTS: Buffer[] = [], MODE_TEXTS: Buffer[] = [];
