// The plain-text `link show` listing of many links (print_linkinfo() of
// ip/ipaddress.c, its common fields only), read in place: one walk over each
// dumped message's attributes finds the fields a line prints; their numbers go
// into a table and only their bytes (name, qdisc, addresses: some 30 a link) are
// kept, not the ~1.5 KB message. Keeping whole messages cost more than reading
// them: 200 veth pairs' 600 KB, in a buffer grown by doubling, took ~450 page
// faults where ip takes ~160 (perf stat; about a third of the listing's extra
// CPU). A link the fast line cannot print (ODD) keeps its whole message for
// printLinkInfo. The lines are written as bytes (TextBytes). The name cache
// gets its LinkRefs only when something asks.
import { AF_PACKET, type LinkRef, type RtMessage } from '../backend.js';
import { AttrList, attrStr } from '../wire/nlattr.js';
import { alignedCopy, wordView } from '../wire/nlmsg.js';
import {
  IFF_POINTOPOINT, IFF_UP, IFINFOMSG_LEN, IFLA_ADDRESS, IFLA_BROADCAST, IFLA_EVENT, IFLA_EVENT_NAMES, IFLA_GROUP, IFLA_IFALIAS,
  IFLA_IFNAME, IFLA_LINK, IFLA_LINKMODE, IFLA_LINK_NETNSID, IFLA_MASTER, IFLA_MTU, IFLA_NEW_IFINDEX, IFLA_NEW_NETNSID,
  IFLA_OPERSTATE, IFLA_PERM_ADDRESS, IFLA_PROP_LIST, IFLA_PROTO_DOWN, IFLA_QDISC, IFLA_TXQLEN, IFLA_VFINFO_LIST,
  IF_LINK_MODE_NAMES, IF_OPER_NAMES, NLA_HDRLEN, NLA_TYPE_MASK, NLMSG_HDRLEN, RTM_NEWLINK,
} from '../wire/rtnl-constants.js';
import { TextBytes, ascii, putUint } from '../lib/output.js';
import { formatLladdr, putHexColon6 } from '../lib/inet.js';
import type { Context } from './context.js';
import { type LinkFilter, linkFlagsText, printLinkInfo } from './link-print.js';
import { groupName } from './names.js';
import { linkTypeName } from './ll-types.js';
import { sl } from './link-stats.js';
import {
  ADDR, ADDR_LEN, BRD, BRD_LEN, EVENT, FLAGS, FULL, FULL_LEN, GROUP, HAS, HAS_EVENT, HAS_GROUP, HAS_LINK, HAS_MASTER, HAS_MODE,
  HAS_MTU, HAS_OPER, HAS_PROTO_DOWN, HAS_TXQLEN, INDEX, LINK, MASTER, MODE, MTU, NAME, NAME_LEN, OPER, PROTO_DOWN, QDISC, QDISC_LEN,
  SLOTS, TXQLEN, TYPE,
} from './link-table-layout.js';

/** The links of one RTM_GETLINK dump: per link its printed fields. */
export class LinkTable {
  /** The kept bytes: names, qdiscs, link-layer addresses, each from a 4-byte bound (lengths without trailing NULs). */
  private bytes = Buffer.alloc(1 << 12);
  private bytes32 = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length >> 2);
  private pos = 0;
  /** ODD links' whole messages. */
  private full?: Buffer;
  private fullPos = 0;
  meta = new Int32Array(SLOTS * 64);
  count = 0;
  /** index -> row, made on the first lookup. */
  private rows?: Map<number, number>;

  /** Reads the message at buf[off, off+len) (one walk over its attributes) and keeps its row. */
  add(buf: Uint8Array, off: number, len: number): void {
    if (len < NLMSG_HDRLEN + IFINFOMSG_LEN || (buf[off + 4] | (buf[off + 5] << 8)) !== RTM_NEWLINK) return;
    // Each attribute's header, and each 32-bit value, read as one word (wordView).
    const w = wordView(buf);
    if (!w || off & 3) return this.add(alignedCopy(buf, off, len), 0, len);
    let m = this.meta;
    const k = SLOTS * this.count;
    if (k + SLOTS > m.length) {
      m = new Int32Array(2 * m.length);
      m.set(this.meta);
      this.meta = m;
    }
    const b = buf, h = off + NLMSG_HDRLEN, end = off + len;
    let name = -1, nameLen = 0, qdisc = -1, qdiscLen = 0, addr = -1, addrLen = 0, brd = -1, brdLen = 0, bits = 0;
    let odd = false;
    for (let p = h + IFINFOMSG_LEN; p + NLA_HDRLEN <= end;) {
      const hd = w[p >> 2];
      const alen = hd & 0xffff;
      if (alen < NLA_HDRLEN || p + alen > end) break;
      const o = p + NLA_HDRLEN, l = alen - NLA_HDRLEN;
      p += (alen + 3) & ~3;
      // The first of a type counts (parse_rtattr()'s rule); a number too short for its type leaves the line to printLinkInfo.
      switch ((hd >>> 16) & NLA_TYPE_MASK) {
        case IFLA_IFNAME: if (name < 0) { name = o; nameLen = l; } break;
        case IFLA_QDISC: if (qdisc < 0) { qdisc = o; qdiscLen = l; } break;
        case IFLA_ADDRESS: if (addr < 0) { addr = o; addrLen = l; } break;
        case IFLA_BROADCAST: if (brd < 0) { brd = o; brdLen = l; } break;
        case IFLA_LINK: if (!(bits & HAS_LINK)) { bits |= HAS_LINK; m[k + LINK] = w[o >> 2]; if (l < 4) odd = true; } break;
        case IFLA_MTU: if (!(bits & HAS_MTU)) { bits |= HAS_MTU; m[k + MTU] = w[o >> 2]; if (l < 4) odd = true; } break;
        case IFLA_MASTER: if (!(bits & HAS_MASTER)) { bits |= HAS_MASTER; m[k + MASTER] = w[o >> 2]; if (l < 4) odd = true; } break;
        case IFLA_GROUP: if (!(bits & HAS_GROUP)) { bits |= HAS_GROUP; m[k + GROUP] = w[o >> 2]; if (l < 4) odd = true; } break;
        case IFLA_TXQLEN: if (!(bits & HAS_TXQLEN)) { bits |= HAS_TXQLEN; m[k + TXQLEN] = w[o >> 2]; if (l < 4) odd = true; } break;
        case IFLA_EVENT: if (!(bits & HAS_EVENT)) { bits |= HAS_EVENT; m[k + EVENT] = w[o >> 2]; if (l < 4) odd = true; } break;
        case IFLA_OPERSTATE: if (!(bits & HAS_OPER)) { bits |= HAS_OPER; m[k + OPER] = b[o]; if (l < 1) odd = true; } break;
        case IFLA_LINKMODE: if (!(bits & HAS_MODE)) { bits |= HAS_MODE; m[k + MODE] = b[o]; if (l < 1) odd = true; } break;
        case IFLA_PROTO_DOWN: if (!(bits & HAS_PROTO_DOWN)) { bits |= HAS_PROTO_DOWN; m[k + PROTO_DOWN] = b[o]; if (l < 1) odd = true; } break;
        case IFLA_IFALIAS: case IFLA_VFINFO_LIST: case IFLA_LINK_NETNSID: case IFLA_NEW_NETNSID: case IFLA_NEW_IFINDEX:
        case IFLA_PERM_ADDRESS: case IFLA_PROP_LIST:
          odd = true;
          break;
      }
    }
    // Names and qdiscs: ASCII only (attrStr's UTF-8 decoding of anything else is left to the printer).
    if (name < 0 || !ascii7(b, name, nameLen) || (qdisc >= 0 && !ascii7(b, qdisc, qdiscLen))) odd = true;
    // Without IFLA_TXQLEN (a dump of another family) printLinkInfo asks the kernel for the queue length.
    if (!(bits & HAS_TXQLEN)) odd = true;
    m[k + TYPE] = b[h + 2] | (b[h + 3] << 8);
    m[k + INDEX] = w[(h + 4) >> 2];
    m[k + FLAGS] = w[(h + 8) >> 2];
    m[k + HAS] = bits;
    if (name >= 0) {
      while (nameLen > 0 && b[name + nameLen - 1] === 0) nameLen--;
      m[k + NAME] = this.keep(w, name, nameLen);
    } else m[k + NAME] = -1;
    m[k + NAME_LEN] = nameLen;
    if (qdisc >= 0) {
      while (qdiscLen > 0 && b[qdisc + qdiscLen - 1] === 0) qdiscLen--;
      m[k + QDISC] = this.keep(w, qdisc, qdiscLen);
    } else m[k + QDISC] = -1;
    m[k + QDISC_LEN] = qdiscLen;
    m[k + ADDR] = addr < 0 ? -1 : this.keep(w, addr, addrLen);
    m[k + ADDR_LEN] = addrLen;
    m[k + BRD] = brd < 0 ? -1 : this.keep(w, brd, brdLen);
    m[k + BRD_LEN] = brdLen;
    m[k + FULL] = odd ? this.keepFull(b, off, len) : -1;
    m[k + FULL_LEN] = len;
    this.count++;
  }

  /** Copies the l bytes at byte offset o (4-aligned) of the words w to the kept bytes, word by word; returns their offset there. */
  private keep(w: Uint32Array, o: number, l: number): number {
    const n = (l + 3) >> 2;
    if (this.pos + 4 * n > this.bytes.length) {
      // alloc, not allocUnsafe: a buffer of its own, never a slice of the pool at an odd offset.
      const nb = Buffer.alloc(2 * this.bytes.length + 4 * n);
      this.bytes.copy(nb, 0, 0, this.pos);
      this.bytes = nb;
      this.bytes32 = new Uint32Array(nb.buffer, nb.byteOffset, nb.length >> 2);
    }
    const s = this.bytes32, at = this.pos;
    for (let i = 0, d = at >> 2, q = o >> 2; i < n; i++) s[d + i] = w[q + i];
    this.pos = at + 4 * n;
    return at;
  }

  /** Copies a whole message for printLinkInfo; returns its offset in `full`. */
  private keepFull(b: Uint8Array, off: number, len: number): number {
    let f = this.full;
    if (!f || this.fullPos + len > f.length) {
      const nf = Buffer.allocUnsafe(Math.max(2 * (f?.length ?? 0), this.fullPos + len, 1 << 14));
      if (f) f.copy(nf, 0, 0, this.fullPos);
      this.full = f = nf;
    }
    const at = this.fullPos;
    f.set(b.subarray(off, off + len), at);
    this.fullPos += (len + 3) & ~3;
    return at;
  }

  /** The row of the link with this index, or -1. */
  row(index: number): number {
    if (!this.rows) {
      this.rows = new Map();
      for (let r = this.count - 1; r >= 0; r--) this.rows.set(this.meta[SLOTS * r + INDEX], r);
    }
    return this.rows.get(index) ?? -1;
  }

  /** The name cache's records (ll_remember_index() of each link with a name). */
  refs(): LinkRef[] {
    const out: LinkRef[] = [];
    const m = this.meta, b = this.bytes;
    for (let r = 0; r < this.count; r++) {
      const k = SLOTS * r;
      const o = m[k + NAME];
      if (o < 0) continue;
      out.push({
        index: m[k + INDEX], name: attrStr(b.subarray(o, o + m[k + NAME_LEN])), type: m[k + TYPE], flags: m[k + FLAGS] >>> 0,
        master: m[k + HAS] & HAS_MASTER ? m[k + MASTER] >>> 0 : undefined,
      });
    }
    return out;
  }

  /** Row r's whole message as the RtMessage the printers read (ODD rows only). */
  message(r: number): RtMessage {
    const k = SLOTS * r, f = this.full!, s = this.meta[k + FULL], h = s + NLMSG_HDRLEN;
    return {
      type: f[s + 4] | (f[s + 5] << 8), nlFlags: f[s + 6] | (f[s + 7] << 8),
      header: f.subarray(h, h + IFINFOMSG_LEN), attrs: new AttrList(f, h + IFINFOMSG_LEN, s + this.meta[k + FULL_LEN]),
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
    /** A name from the table (its bytes) or from the name cache (text); returns the new p. */
    const putName = (t: TextBytes, p: number, index: number): number => {
      const r = this.row(index);
      if (r < 0 || m[SLOTS * r + FULL] >= 0) return text(t, p, ctx.indexToName(index));
      const o = m[SLOTS * r + NAME];
      return p + b.copy(t.buf, p, o, o + m[SLOTS * r + NAME_LEN]);
    };
    for (let r = 0; r < this.count; r++) {
      const k = SLOTS * r;
      const index = m[k + INDEX], flags = m[k + FLAGS] >>> 0;
      if (f.ifindex && index !== f.ifindex) continue;
      if (f.up && !(flags & IFF_UP)) continue;
      const bits = m[k + HAS];
      if (bits & HAS_GROUP && f.group !== -1 && m[k + GROUP] !== f.group) continue;
      if (f.master > 0 && (!(bits & HAS_MASTER) || m[k + MASTER] >>> 0 !== f.master)) continue;
      if (m[k + FULL] >= 0) {
        printLinkInfo(ctx, this.message(r), f);
        continue;
      }
      const t = out.bytes(), o = t.buf;
      let p = t.pos;
      p = index < 0 ? text(t, p, String(index)) : putUint(o, p, index);
      p += COLON.copy(o, p);
      const no = m[k + NAME];
      p += b.copy(o, p, no, no + m[k + NAME_LEN]);
      let mdown = false;
      if (bits & HAS_LINK) {
        const l = m[k + LINK] >>> 0;
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
      if (bits & HAS_MTU) {
        p += MTU_.copy(o, p);
        p = putUint(o, p, m[k + MTU] >>> 0);
        o[p++] = 32;
      }
      if (m[k + QDISC] >= 0) {
        p += QDISC_.copy(o, p);
        const q = m[k + QDISC];
        p += b.copy(o, p, q, q + m[k + QDISC_LEN]);
        o[p++] = 32;
      }
      if (bits & HAS_MASTER) {
        p += MASTER_.copy(o, p);
        p = putName(t, p, m[k + MASTER] >>> 0);
        o[p++] = 32;
      }
      if (bits & HAS_OPER) {
        const s = m[k + OPER];
        p += (OPER_TEXTS[s] ??= ascii(s >= IF_OPER_NAMES.length ? 'state 0x' + s.toString(16) + ' ' : 'state ' + IF_OPER_NAMES[s] + ' ')).copy(o, p);
      }
      if (f.doLink && bits & HAS_MODE) {
        const v = m[k + MODE];
        p += (MODE_TEXTS[v] ??= ascii(v >= IF_LINK_MODE_NAMES.length ? 'mode ' + v + ' ' : 'mode ' + IF_LINK_MODE_NAMES[v] + ' ')).copy(o, p);
      }
      if (bits & HAS_GROUP) {
        const g = m[k + GROUP];
        let gt = groupTexts.get(g);
        if (!gt) groupTexts.set(g, (gt = Buffer.from('group ' + groupName(g, numeric) + ' ')));
        p += gt.copy(o, p);
      }
      if (f.showQueue) {
        const qlen = m[k + TXQLEN];
        if (qlen) p = text(t, p, 'qlen ' + (qlen | 0));
      }
      if (bits & HAS_EVENT) {
        const e = m[k + EVENT] >>> 0;
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
      if (bits & HAS_PROTO_DOWN && m[k + PROTO_DOWN]) p += PROTODOWN.copy(o, p);
      o[p++] = 10;
      t.pos = p;
      if (p > TextBytes.FLUSH_AT) t.flush();
    }
  }
}

/** print_link_flags()'s text as bytes, by flags * 2 + M-DOWN. */
const flagTexts = new Map<number, Buffer>();

const MTU_ = ascii('mtu '), NONE = ascii('NONE'), COLON = ascii(': '), QDISC_ = ascii('qdisc '), MASTER_ = ascii('master ');
const PEER = ascii(' peer '), BRD_ = ascii(' brd '), PROTODOWN = ascii(' protodown on ');
const OPER_TEXTS: Buffer[] = [], MODE_TEXTS: Buffer[] = [];

/** Are the l bytes at b[o] 7-bit ASCII? */
function ascii7(b: Uint8Array, o: number, l: number): boolean {
  for (let q = o; q < o + l; q++) if (b[q] >= 0x80) return false;
  return true;
}
