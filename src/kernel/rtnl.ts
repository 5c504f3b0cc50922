import type { LinkAttr } from '../wire/nlattr.js';
// rtnetlink message layout: constants, a request builder and an attribute
// table reader. Pure byte work, no I/O. Numbers are from the Linux UAPI
// headers (linux/netlink.h, linux/rtnetlink.h, linux/neighbour.h, if_link.h).

export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_DUMP_FILTERED = 0x20;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;
export const NLMSGERR_ATTR_MSG = 1;

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_GETROUTE = 26;
export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;
export const RTM_GETNEIGH = 30;

export const NDMSG_LEN = 12;
export const IFINFOMSG_LEN = 16;

export const NDA_DST = 1;
export const NDA_LLADDR = 2;
export const NDA_CACHEINFO = 3;
export const NDA_PROBES = 4;
export const NDA_IFINDEX = 8;
export const NDA_MASTER = 9;
export const NDA_PROTOCOL = 12;
export const NDA_FLAGS_EXT = 15;
export const NDA_MAX = 16;

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MASTER = 10;
export const IFLA_MAX = 64;

/** Little-endian reads without Buffer's bounds checks (callers check lengths). */
export function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

export function u16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

export function align4(n: number): number {
  return (n + 3) & ~3;
}

let scratch = Buffer.alloc(8192);

/**
 * Builds one netlink request: header, fixed family struct, attributes. The
 * bytes live in a shared scratch buffer until the next Request is made.
 */
export class Request {
  private buf: Buffer;
  private len: number;

  constructor(type: number, flags: number, fixedLen: number) {
    // Requests are built and sent one at a time: one scratch buffer serves them all.
    const b = (this.buf = scratch);
    for (let i = 0; i < 16 + fixedLen; i++) b[i] = 0;
    this.len = 16 + fixedLen;
    this.buf.writeUInt16LE(type, 4);
    this.buf.writeUInt16LE(flags, 6);
  }

  /** Copies a whole fixed struct (ifinfomsg, ifaddrmsg) after the header. */
  fixed(bytes: Uint8Array): this { this.buf.set(bytes, 16); return this; }

  /** Appends attributes as ip's addattr_l/addattr_nest do (u16 and u8 in host order). */
  attrs(list: readonly LinkAttr[]): this {
    for (const a of list) {
      if (a.kind === 'nest') {
        const n = this.beginNest(a.type);
        this.attrs(a.value);
        this.endNest(n);
      } else if (a.kind === 'bytes') this.attr(a.type, a.value);
      else if (a.kind === 'u32') this.attrU32(a.type, a.value);
      else if (a.kind === 'u8') this.attrU8(a.type, a.value);
      else this.attr(a.type, Uint8Array.of(a.value & 0xff, (a.value >> 8) & 0xff));
    }
    return this;
  }

  /** Writes into the fixed struct that follows the header. */
  u8(off: number, v: number): this { this.buf.writeUInt8(v & 0xff, 16 + off); return this; }
  u16(off: number, v: number): this { this.buf.writeUInt16LE(v & 0xffff, 16 + off); return this; }
  i32(off: number, v: number): this { this.buf.writeInt32LE(v | 0, 16 + off); return this; }
  u32(off: number, v: number): this { this.buf.writeUInt32LE(v >>> 0, 16 + off); return this; }

  attr(type: number, data: Uint8Array): this {
    const alen = 4 + data.length;
    this.ensure(align4(alen));
    this.buf.writeUInt16LE(alen, this.len);
    this.buf.writeUInt16LE(type, this.len + 2);
    this.buf.set(data, this.len + 4);
    // The scratch buffer holds older requests: zero the padding, as ip's memset request does.
    for (let i = this.len + alen; i < this.len + align4(alen); i++) this.buf[i] = 0;
    this.len += align4(alen);
    return this;
  }

  attrU8(type: number, v: number): this { return this.attr(type, Uint8Array.of(v & 0xff)); }

  attrU32(type: number, v: number): this {
    this.ensure(8);
    this.buf.writeUInt16LE(8, this.len);
    this.buf.writeUInt16LE(type, this.len + 2);
    this.buf.writeUInt32LE(v >>> 0, this.len + 4);
    this.len += 8;
    return this;
  }

  attrStr(type: number, s: string): this { return this.attr(type, Buffer.from(s + '\0')); }

  /** Opens a nested attribute; returns the offset to pass to endNest. */
  beginNest(type: number): number {
    const at = this.len;
    this.attr(type, new Uint8Array(0));
    return at;
  }

  endNest(at: number): this {
    this.buf.writeUInt16LE(this.len - at, at);
    return this;
  }

  finish(): Buffer {
    this.buf.writeUInt32LE(this.len, 0);
    return this.buf.subarray(0, this.len);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const b = Buffer.alloc(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(b);
    this.buf = scratch = b;
  }
}

/**
 * Reads the attributes of one message into reusable offset/length tables
 * (no allocation per attribute): attribute T is at off[T], len[T] bytes of
 * payload, or off[T] = 0 when absent.
 */
export class AttrTable {
  readonly off: Int32Array;
  readonly len: Int32Array;

  constructor(max: number) {
    this.off = new Int32Array(max + 1);
    this.len = new Int32Array(max + 1);
  }

  parse(buf: Buffer, start: number, end: number): this {
    this.off.fill(0);
    const max = this.off.length - 1;
    let p = start;
    while (p + 4 <= end) {
      const alen = buf[p] | (buf[p + 1] << 8);
      if (alen < 4 || p + alen > end) break;
      const type = (buf[p + 2] | (buf[p + 3] << 8)) & 0x3fff;
      if (type <= max && this.off[type] === 0) {
        this.off[type] = p + 4;
        this.len[type] = alen - 4;
      }
      p += align4(alen);
    }
    return this;
  }

  has(t: number): boolean { return this.off[t] !== 0; }

  /** A view of the attribute's payload: only valid while `buf` is (see NetlinkSocket.dump). */
  view(buf: Buffer, t: number): Uint8Array | undefined {
    const o = this.off[t];
    return o ? new Uint8Array(buf.buffer, buf.byteOffset + o, this.len[t]) : undefined;
  }

  u8(buf: Buffer, t: number): number { return buf[this.off[t]]; }
  u32(buf: Buffer, t: number): number { return u32(buf, this.off[t]); }

  str(buf: Buffer, t: number): string {
    const o = this.off[t];
    let e = o + this.len[t];
    while (e > o && buf[e - 1] === 0) e--;
    return buf.toString('utf8', o, e);
  }
}
