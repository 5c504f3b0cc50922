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
 * one for a caller that keeps it. Reading stops at the first attribute whose
 * length is under 4 or past the end, as RTA_OK() does.
 */
export class AttrList implements Attrs {
  // Plain arrays of small integers: cheaper to make than typed arrays (no backing store each).
  private readonly types: number[] = [];
  private readonly offs: number[] = [];
  private n = 0;
  private b: Uint8Array = EMPTY;

  constructor(b?: Uint8Array, start = 0, end = b?.length ?? 0) {
    if (b) this.reset(b, start, end);
  }

  /** Reads the attributes in b[start, end). */
  reset(b: Uint8Array, start = 0, end = b.length): this {
    this.b = b;
    let n = 0;
    for (let p = start; p + NLA_HDRLEN <= end;) {
      const len = b[p] | (b[p + 1] << 8);
      if (len < NLA_HDRLEN || p + len > end) break;
      this.types[n] = (b[p + 2] | (b[p + 3] << 8)) & NLA_TYPE_MASK;
      this.offs[n++] = p;
      p += (len + 3) & ~3;
    }
    this.n = n;
    return this;
  }

  /** How many attributes there are, repeats included. */
  get count(): number { return this.n; }

  /** The index of the first attribute of `type` (see Attrs), or -1. */
  index(type: number): number {
    for (let i = 0; i < this.n; i++) if (this.types[i] === type) return i;
    return -1;
  }

  typeAt(i: number): number { return this.types[i]; }
  /** Where attribute i's payload starts in the buffer given to reset(). */
  payloadOffset(i: number): number { return this.offs[i] + NLA_HDRLEN; }
  payloadLength(i: number): number {
    const p = this.offs[i];
    return (this.b[p] | (this.b[p + 1] << 8)) - NLA_HDRLEN;
  }

  /** Attribute i's payload as a view (a plain Uint8Array, also over a Buffer). */
  payload(i: number): Uint8Array {
    const b = this.b;
    return new Uint8Array(b.buffer, b.byteOffset + this.payloadOffset(i), this.payloadLength(i));
  }

  get(type: number): Uint8Array | undefined {
    const i = this.index(type);
    return i < 0 ? undefined : this.payload(i);
  }

  has(type: number): boolean {
    return this.index(type) >= 0;
  }

  /** The u32 payload of `type`; undefined when absent; WireError when shorter than 4 bytes. */
  u32(type: number): number | undefined {
    const i = this.index(type);
    if (i < 0) return undefined;
    need(this.payloadLength(i), 4, type);
    return readU32(this.b, this.payloadOffset(i));
  }

  u16(type: number): number | undefined {
    const i = this.index(type);
    if (i < 0) return undefined;
    need(this.payloadLength(i), 2, type);
    const o = this.payloadOffset(i);
    return this.b[o] | (this.b[o + 1] << 8);
  }

  u8(type: number): number | undefined {
    const i = this.index(type);
    if (i < 0) return undefined;
    need(this.payloadLength(i), 1, type);
    return this.b[this.payloadOffset(i)];
  }

  /** A string attribute without its trailing NULs. */
  str(type: number): string | undefined {
    const v = this.get(type);
    return v && attrStr(v);
  }

  *[Symbol.iterator](): Iterator<[number, Uint8Array]> {
    for (let i = 0; i < this.n; i++) yield [this.types[i], this.payload(i)];
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
