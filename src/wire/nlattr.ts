// Netlink attributes (struct nlattr / struct rtattr: u16 length, u16 type,
// payload padded to 4): the one reader and the one writer of tsnet. Pure byte
// work, no I/O. The reader is lazy (types and offsets in two reused arrays,
// payload views only when asked for) so that a dump of thousands of messages
// allocates next to nothing per attribute.
import { NLA_HDRLEN, NLA_TYPE_MASK } from './rtnl-constants.js';
import { WireError } from './error.js';

export { WireError } from './error.js';

/** One attribute to send: a u8/u16/u32 (host order), raw bytes, or a nest. */
export type LinkAttr =
  | { type: number; kind: 'u8' | 'u16' | 'u32'; value: number }
  | { type: number; kind: 'bytes'; value: Uint8Array }
  | { type: number; kind: 'nest'; value: LinkAttr[] };

/** The largest payload an attribute can carry: its 16-bit length counts the 4-byte header too. */
export const NLA_MAX_PAYLOAD = 0xffff - NLA_HDRLEN;

export function nlaAlign(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Attribute payloads of one level, by type (a Map satisfies it too).
 *
 * A repeated type yields its FIRST payload: iproute2's parse_rtattr_flags()
 * (lib/libnetlink.c) fills tb[type] only while it is still empty
 * (`if ((type <= max) && (!tb[type]))`), and tsnet prints what ip prints.
 * (The kernel's own __nla_parse() keeps the last; the requests tsnet builds
 * never repeat a type that is read through get().)
 */
export interface Attrs {
  get(type: number): Uint8Array | undefined;
  has(type: number): boolean;
  /** Every attribute in message order, repeats included. */
  [Symbol.iterator](): Iterator<[number, Uint8Array]>;
}

/**
 * A run of attributes read in place. `reset()` lets one instance serve every
 * message of a dump (no allocation per message); `parseAttrs()` makes a fresh
 * one for a caller that keeps it. The walk stops at the first attribute
 * whose length is under 4 or runs past the end, as RTA_OK() does.
 *
 * Attributes are found by their offset in the buffer (`find`), and read
 * through it (`payloadOffset`, `payloadLength`, `payload`). One pass in
 * reset() notes where the first attribute of each type under 64 is (every
 * IFLA_, IFA_, NDA_ type): a lookup is then a bit test, and nothing else is
 * stored; larger types and iteration walk the buffer again.
 */
export class AttrList implements Attrs {
  // A plain array of small integers: cheaper to make than a typed array (no backing store).
  private readonly first: number[] = [];
  /** Bit t (t < 32) / t - 32 (t < 64): first[t] holds the offset of an attribute of type t. */
  private seenLo = 0;
  private seenHi = 0;
  private b: Uint8Array = EMPTY;
  private start = 0;
  private end = 0;

  constructor(b?: Uint8Array, start = 0, end = b?.length ?? 0) {
    if (b) this.reset(b, start, end);
  }

  /** Reads the attributes in b[start, end). */
  reset(b: Uint8Array, start = 0, end = b.length): this {
    this.b = b;
    this.start = start;
    this.end = end;
    let lo = 0, hi = 0;
    for (let p = start; p + NLA_HDRLEN <= end;) {
      const len = b[p] | (b[p + 1] << 8);
      if (len < NLA_HDRLEN || p + len > end) break;
      const t = (b[p + 2] | (b[p + 3] << 8)) & NLA_TYPE_MASK;
      if (t < 32) {
        if (!(lo & (1 << t))) {
          lo |= 1 << t;
          this.first[t] = p;
        }
      } else if (t < 64 && !(hi & (1 << (t - 32)))) {
        hi |= 1 << (t - 32);
        this.first[t] = p;
      }
      p += (len + 3) & ~3;
    }
    this.seenLo = lo;
    this.seenHi = hi;
    return this;
  }

  /** Where the first attribute of `type` (see Attrs) starts in the buffer, or -1. */
  find(type: number): number {
    if (type < 32) return this.seenLo & (1 << type) ? this.first[type] : -1;
    if (type < 64) return this.seenHi & (1 << (type - 32)) ? this.first[type] : -1;
    for (let p = this.firstAt(); p >= 0; p = this.next(p)) if (this.typeAt(p) === type) return p;
    return -1;
  }

  /** `p` when a whole attribute starts there (RTA_OK), else -1. */
  private check(p: number): number {
    const b = this.b, end = this.end;
    if (p + NLA_HDRLEN > end) return -1;
    const len = b[p] | (b[p + 1] << 8);
    return len < NLA_HDRLEN || p + len > end ? -1 : p;
  }

  /** The offset of the first attribute, or -1 when there is none. */
  private firstAt(): number {
    return this.check(this.start);
  }

  /** The attribute after the one at `at`, or -1 at the end (or at a malformed one). */
  private next(at: number): number {
    return this.check(at + nlaAlign(this.b[at] | (this.b[at + 1] << 8)));
  }

  /** Bit t set: an attribute of type t (< 32) is present; one test for several types. */
  get typesBelow32(): number { return this.seenLo; }

  /** The buffer the attributes are read from (for readers that take fields in place, by payloadOffset). */
  get buffer(): Uint8Array { return this.b; }

  typeAt(at: number): number { return (this.b[at + 2] | (this.b[at + 3] << 8)) & NLA_TYPE_MASK; }
  payloadOffset(at: number): number { return at + NLA_HDRLEN; }
  payloadLength(at: number): number { return (this.b[at] | (this.b[at + 1] << 8)) - NLA_HDRLEN; }

  /** The payload of the attribute at `at` as a view (a plain Uint8Array, also over a Buffer). */
  payload(at: number): Uint8Array {
    const b = this.b;
    return new Uint8Array(b.buffer, b.byteOffset + at + NLA_HDRLEN, (b[at] | (b[at + 1] << 8)) - NLA_HDRLEN);
  }

  /** How many attributes there are, repeats included. */
  get count(): number {
    let n = 0;
    for (let p = this.firstAt(); p >= 0; p = this.next(p)) n++;
    return n;
  }

  get(type: number): Uint8Array | undefined {
    const at = this.find(type);
    return at < 0 ? undefined : this.payload(at);
  }

  has(type: number): boolean {
    return this.find(type) >= 0;
  }

  /** The u32 payload of `type`; undefined when absent; WireError when shorter than 4 bytes. */
  u32(type: number): number | undefined {
    const at = this.find(type);
    if (at < 0) return undefined;
    need(this.payloadLength(at), 4, type);
    return readU32(this.b, at + NLA_HDRLEN);
  }

  u16(type: number): number | undefined {
    const at = this.find(type);
    if (at < 0) return undefined;
    need(this.payloadLength(at), 2, type);
    return this.b[at + NLA_HDRLEN] | (this.b[at + NLA_HDRLEN + 1] << 8);
  }

  u8(type: number): number | undefined {
    const at = this.find(type);
    if (at < 0) return undefined;
    need(this.payloadLength(at), 1, type);
    return this.b[at + NLA_HDRLEN];
  }

  /** A string attribute without its trailing NULs. */
  str(type: number): string | undefined {
    const at = this.find(type);
    if (at < 0) return undefined;
    const b = this.b, o = at + NLA_HDRLEN;
    let e = at + (b[at] | (b[at + 1] << 8));
    while (e > o && b[e - 1] === 0) e--;
    return Buffer.from(b.buffer, b.byteOffset + o, e - o).toString();
  }

  *[Symbol.iterator](): Iterator<[number, Uint8Array]> {
    for (let p = this.firstAt(); p >= 0; p = this.next(p)) yield [this.typeAt(p), this.payload(p)];
  }
}

const EMPTY = new Uint8Array(0);

/** Splits a run of attributes (a message's or a nest's payload) into payloads by type. */
export function parseAttrs(b: Uint8Array): AttrList {
  return new AttrList(b);
}

function need(have: number, want: number, type?: number): void {
  if (have < want) {
    throw new WireError('truncated', `attribute${type === undefined ? '' : ` ${type}`}: ${have}-byte payload, ${want} needed`);
  }
}

function readU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

// Getters of one payload, host (little-endian) order as the kernel sends them.
// A payload shorter than the type is refused with WireError (never garbage).
export function attrU8(b: Uint8Array): number { need(b.length, 1); return b[0]; }
export function attrU16(b: Uint8Array): number { need(b.length, 2); return b[0] | (b[1] << 8); }
export function attrU32(b: Uint8Array): number { need(b.length, 4); return readU32(b, 0); }
export function attrS32(b: Uint8Array): number { need(b.length, 4); return readU32(b, 0) | 0; }
export function attrU64(b: Uint8Array): bigint {
  need(b.length, 8);
  return BigInt(readU32(b, 0)) | (BigInt(readU32(b, 4)) << 32n);
}
export function attrStr(b: Uint8Array): string {
  let e = b.length;
  while (e > 0 && b[e - 1] === 0) e--;
  if (e <= 16) {
    // Names, kinds, qdiscs (IFNAMSIZ): ASCII read byte by byte, which costs less than a Buffer and its decoder.
    let s = '';
    for (let i = 0; i < e; i++) {
      const c = b[i];
      if (c >= 0x80) return Buffer.from(b.buffer, b.byteOffset, e).toString();
      s += String.fromCharCode(c);
    }
    return s;
  }
  return Buffer.from(b.buffer, b.byteOffset, e).toString();
}

/**
 * struct nla_bitfield32 {value, selector}; the same two-u32 layout serves
 * ifla_vlan_flags {flags, mask}, br_boolopt_multi {optval, optmask} and
 * ifla_vlan_qos_mapping {from, to}.
 */
export function encodeBitfield32(value: number, selector: number): Uint8Array {
  const b = new Uint8Array(8);
  putU32(b, 0, value);
  putU32(b, 4, selector);
  return b;
}

/** A u64 payload (little-endian). */
export function encodeU64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  putU32(b, 0, Number(v & 0xffffffffn));
  putU32(b, 4, Number((v >> 32n) & 0xffffffffn));
  return b;
}

function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/**
 * Writes attributes, as iproute2's addattr_l/addattr_nest do, into a buffer
 * it is given (and replaces with a larger one when it runs out: `buffer` is
 * then the new one). Padding is zeroed, since a reused buffer holds older
 * bytes. A payload over NLA_MAX_PAYLOAD, or a nest that outgrows 65,535
 * bytes, throws WireError: its length would not fit the u16.
 */
export class AttrWriter {
  /** Bytes written so far (the next write goes there). */
  protected len: number;

  constructor(public buffer: Uint8Array = new Uint8Array(256), start = 0) {
    this.len = start;
  }

  get length(): number { return this.len; }

  /** The bytes written (a view into `buffer`). */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.len);
  }

  attr(type: number, data: Uint8Array): this {
    if (data.length > NLA_MAX_PAYLOAD) {
      throw new WireError('too-long', `attribute ${type}: a ${data.length}-byte payload does not fit (at most ${NLA_MAX_PAYLOAD})`);
    }
    const alen = NLA_HDRLEN + data.length;
    const at = this.reserve(alen, type);
    this.buffer.set(data, at + NLA_HDRLEN);
    return this;
  }

  attrU8(type: number, v: number): this {
    // (reserve() first: it may replace this.buffer.)
    const o = this.reserve(5, type) + 4;
    this.buffer[o] = v & 0xff;
    return this;
  }

  attrU16(type: number, v: number): this {
    const o = this.reserve(6, type) + 4;
    this.buffer[o] = v & 0xff;
    this.buffer[o + 1] = (v >> 8) & 0xff;
    return this;
  }

  attrU32(type: number, v: number): this {
    const o = this.reserve(8, type) + 4;
    putU32(this.buffer, o, v);
    return this;
  }

  attrStr(type: number, s: string): this {
    return this.attr(type, Buffer.from(s + '\0'));
  }

  /** Opens a nested attribute; returns the offset to pass to endNest. */
  beginNest(type: number): number {
    return this.reserve(NLA_HDRLEN, type);
  }

  endNest(at: number): this {
    const n = this.len - at;
    if (n > 0xffff) throw new WireError('too-long', `nested attribute: ${n} bytes do not fit a 16-bit length`);
    this.buffer[at] = n & 0xff;
    this.buffer[at + 1] = n >> 8;
    return this;
  }

  /** Appends a list of attributes in order. */
  attrs(list: readonly LinkAttr[]): this {
    for (const a of list) {
      if (a.kind === 'nest') {
        const n = this.beginNest(a.type);
        this.attrs(a.value);
        this.endNest(n);
      } else if (a.kind === 'bytes') this.attr(a.type, a.value);
      else if (a.kind === 'u32') this.attrU32(a.type, a.value);
      else if (a.kind === 'u16') this.attrU16(a.type, a.value);
      else this.attrU8(a.type, a.value);
    }
    return this;
  }

  /**
   * Makes room for one attribute of `alen` bytes (header included), writes
   * its header and zeroes its padding; returns where it starts.
   */
  private reserve(alen: number, type: number): number {
    const at = this.len;
    const end = at + nlaAlign(alen);
    this.ensure(end);
    const b = this.buffer;
    b[at] = alen & 0xff;
    b[at + 1] = alen >> 8;
    b[at + 2] = type & 0xff;
    b[at + 3] = (type >> 8) & 0xff;
    for (let i = at + alen; i < end; i++) b[i] = 0;
    this.len = end;
    return at;
  }

  protected ensure(end: number): void {
    if (end <= this.buffer.length) return;
    const b = new Uint8Array(Math.max(this.buffer.length * 2, end));
    b.set(this.buffer.subarray(0, this.len));
    this.buffer = b;
  }
}

/** Encodes attributes (the inverse of parseAttrs) into fresh bytes. */
export function encodeAttrs(attrs: readonly LinkAttr[]): Uint8Array {
  return new AttrWriter().attrs(attrs).bytes().slice();
}
