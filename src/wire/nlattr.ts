// Netlink attributes as the front sees them: what to send (LinkAttr, encoded by
// the backend) and what came back (payloads by type). Pure, no I/O: the iproute2
// printers read linkinfo through these without knowing about sockets.

/** One attribute to send: a u8/u16/u32 (host order), raw bytes, or a nest. */
export type LinkAttr =
  | { type: number; kind: 'u8' | 'u16' | 'u32'; value: number }
  | { type: number; kind: 'bytes'; value: Uint8Array }
  | { type: number; kind: 'nest'; value: LinkAttr[] };

/** Attribute payloads of one level, by type; the first of a type wins (as parse_rtattr keeps the last, but the kernel never repeats one). */
export type Attrs = Map<number, Uint8Array>;

/** Splits a run of TLVs (a nest's payload) into payloads by type. */
export function parseAttrs(b: Uint8Array): Attrs {
  const m: Attrs = new Map();
  let p = 0;
  while (p + 4 <= b.length) {
    const len = b[p] | (b[p + 1] << 8);
    if (len < 4 || p + len > b.length) break;
    const type = (b[p + 2] | (b[p + 3] << 8)) & 0x3fff;
    m.set(type, b.subarray(p + 4, p + len));
    p += (len + 3) & ~3;
  }
  return m;
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
