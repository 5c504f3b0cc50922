// Netlink attributes as the front sees them: what to send (LinkAttr, encoded by
// the backend) and what came back (payloads by type). Pure, no I/O: the iproute2
// printers read linkinfo through these without knowing about sockets.

/** One attribute to send: a u8/u16/u32 (host order), raw bytes, or a nest. */
export type LinkAttr =
  | { type: number; kind: 'u8' | 'u16' | 'u32'; value: number }
  | { type: number; kind: 'bytes'; value: Uint8Array }
  | { type: number; kind: 'nest'; value: LinkAttr[] };

/**
 * Attribute payloads of one level, by type (a Map satisfies it too). As
 * parse_rtattr, a repeated type yields its last payload.
 */
export interface Attrs {
  get(type: number): Uint8Array | undefined;
  has(type: number): boolean;
  /** Every attribute in message order, repeats included. */
  [Symbol.iterator](): Iterator<[number, Uint8Array]>;
}

/**
 * A run of TLVs read in place: types and offsets in two small arrays, the
 * payload views made only when asked for. A link message has ~50 attributes
 * of which a listing reads a dozen: this keeps a dump of hundreds of links
 * from allocating a view (and a Map entry) per attribute.
 */
class AttrList implements Attrs {
  // Plain arrays of small integers: cheaper to make than typed arrays (no backing store each).
  private readonly types: number[] = [];
  private readonly offs: number[] = [];
  private readonly n: number;

  constructor(private readonly b: Uint8Array) {
    for (let p = 0; p + 4 <= b.length;) {
      const len = b[p] | (b[p + 1] << 8);
      if (len < 4 || p + len > b.length) break;
      this.types.push((b[p + 2] | (b[p + 3] << 8)) & 0x3fff);
      this.offs.push(p);
      p += (len + 3) & ~3;
    }
    this.n = this.types.length;
  }

  private find(type: number): number {
    for (let i = this.n - 1; i >= 0; i--) if (this.types[i] === type) return i;
    return -1;
  }

  private view(i: number): Uint8Array {
    const p = this.offs[i];
    return this.b.subarray(p + 4, p + (this.b[p] | (this.b[p + 1] << 8)));
  }

  get(type: number): Uint8Array | undefined {
    const i = this.find(type);
    return i < 0 ? undefined : this.view(i);
  }

  has(type: number): boolean {
    return this.find(type) >= 0;
  }

  *[Symbol.iterator](): Iterator<[number, Uint8Array]> {
    for (let i = 0; i < this.n; i++) yield [this.types[i], this.view(i)];
  }
}

/** Splits a run of TLVs (a message's or a nest's payload) into payloads by type. */
export function parseAttrs(b: Uint8Array): Attrs {
  return new AttrList(b);
}

export function attrU8(b: Uint8Array): number { return b[0]; }
export function attrU16(b: Uint8Array): number { return b[0] | (b[1] << 8); }
export function attrU32(b: Uint8Array): number { return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0; }
export function attrS32(b: Uint8Array): number { return b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24); }
export function attrStr(b: Uint8Array): string {
  let e = b.length;
  while (e > 0 && b[e - 1] === 0) e--;
  return Buffer.from(b.buffer, b.byteOffset, e).toString();
}

/** Encodes attributes (the inverse of parseAttrs), for tests and the model. */
export function encodeAttrs(attrs: LinkAttr[]): Uint8Array {
  const parts: number[] = [];
  const put = (a: LinkAttr) => {
    let payload: Uint8Array;
    if (a.kind === 'nest') payload = encodeAttrs(a.value);
    else if (a.kind === 'bytes') payload = a.value;
    else {
      const n = a.kind === 'u8' ? 1 : a.kind === 'u16' ? 2 : 4;
      payload = new Uint8Array(n);
      for (let i = 0; i < n; i++) payload[i] = (a.value >>> (8 * i)) & 0xff;
    }
    const len = 4 + payload.length;
    parts.push(len & 0xff, len >> 8, a.type & 0xff, a.type >> 8, ...payload);
    while (parts.length % 4) parts.push(0);
  };
  attrs.forEach(put);
  return Uint8Array.from(parts);
}
