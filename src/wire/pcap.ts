// The classic libpcap file format (what tcpdump -w writes and every reader
// takes): a 24-byte file header, then per frame a 16-byte record header
// (seconds, microseconds, captured length, original length) and the bytes.
// Little-endian, microsecond timestamps (magic 0xa1b2c3d4 written LE).

export const PCAP_MAGIC = 0xa1b2c3d4;
/** LINKTYPE_ETHERNET: frames start with the Ethernet header. */
export const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262144;
export const PCAP_HEADER_LEN = 24;
export const PCAP_RECORD_LEN = 16;

export interface PcapRecord {
  /** Time in milliseconds (fractions kept to the microsecond). */
  ms: number;
  bytes: Uint8Array;
}

/** The whole file for these frames, in the order given. */
export function encodePcap(records: readonly PcapRecord[], linktype = LINKTYPE_ETHERNET): Uint8Array {
  const size = PCAP_HEADER_LEN + records.reduce((s, r) => s + PCAP_RECORD_LEN + r.bytes.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  // thiszone 0, sigfigs 0 (offsets 8 and 12).
  v.setUint32(16, SNAPLEN, true);
  v.setUint32(20, linktype, true);
  let o = PCAP_HEADER_LEN;
  for (const r of records) {
    const us = Math.round(r.ms * 1000);
    v.setUint32(o, Math.floor(us / 1e6), true);
    v.setUint32(o + 4, us % 1e6, true);
    v.setUint32(o + 8, r.bytes.length, true);
    v.setUint32(o + 12, r.bytes.length, true);
    out.set(r.bytes, o + PCAP_RECORD_LEN);
    o += PCAP_RECORD_LEN + r.bytes.length;
  }
  return out;
}

export type PcapError = { error: 'truncated'; at: number } | { error: 'bad-magic'; magic: number };

/** Reads a file encodePcap wrote (little-endian, microseconds); a typed error otherwise. */
export function decodePcap(b: Uint8Array): { linktype: number; records: PcapRecord[] } | PcapError {
  if (b.length < PCAP_HEADER_LEN) return { error: 'truncated', at: 0 };
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = v.getUint32(0, true);
  if (magic !== PCAP_MAGIC) return { error: 'bad-magic', magic };
  const records: PcapRecord[] = [];
  for (let o = PCAP_HEADER_LEN; o < b.length;) {
    if (o + PCAP_RECORD_LEN > b.length) return { error: 'truncated', at: o };
    const len = v.getUint32(o + 8, true);
    if (o + PCAP_RECORD_LEN + len > b.length) return { error: 'truncated', at: o };
    records.push({ ms: v.getUint32(o, true) * 1000 + v.getUint32(o + 4, true) / 1000, bytes: b.slice(o + PCAP_RECORD_LEN, o + PCAP_RECORD_LEN + len) });
    o += PCAP_RECORD_LEN + len;
  }
  return { linktype: v.getUint32(20, true), records };
}
