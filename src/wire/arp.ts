// Ethernet II + ARP (RFC 826) for IPv4 over Ethernet: a checked decoder that
// returns a value or a typed error and never throws, an encoder into a given
// buffer, and a one-line describer. No I/O.
import { parseIPv4 } from '../lib/inet.js';

export const ETH_HLEN = 14;
export const ARP_LEN = 28;
export const FRAME_LEN = ETH_HLEN + ARP_LEN;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IP = 0x0800;
export const ARPHRD_ETHER = 1;

export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;
export const ARPOP_RREQUEST = 3;
export const ARPOP_RREPLY = 4;
export const ARPOP_INREQUEST = 8;
export const ARPOP_INREPLY = 9;

const OPCODE_NAMES: Record<number, string> = {
  1: 'request', 2: 'reply', 3: 'rarp-request', 4: 'rarp-reply', 8: 'inarp-request', 9: 'inarp-reply',
};

export function opcodeName(op: number): string {
  return OPCODE_NAMES[op] ?? `opcode ${op}`;
}

/**
 * An ARP packet for IPv4 over Ethernet inside its Ethernet frame. Addresses
 * are plain numbers (a MAC is 48 bits, an IPv4 address 32), so decoding
 * allocates nothing but this record.
 */
export interface ArpFrame {
  /** Ethernet destination and source. */
  ethDst: number;
  ethSrc: number;
  op: number;
  sha: number;
  spa: number;
  tha: number;
  tpa: number;
}

export const BROADCAST_MAC = 0xffffffffffff;

export function macAt(b: Uint8Array, o: number): number {
  return ((b[o] << 8) | b[o + 1]) * 4294967296 + (((b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]) >>> 0);
}

export function ipAt(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function putMac(out: Uint8Array, o: number, v: number): void {
  const hi = Math.floor(v / 4294967296), lo = v >>> 0;
  out[o] = hi >>> 8; out[o + 1] = hi & 0xff;
  out[o + 2] = lo >>> 24; out[o + 3] = (lo >>> 16) & 0xff; out[o + 4] = (lo >>> 8) & 0xff; out[o + 5] = lo & 0xff;
}

function putIp(out: Uint8Array, o: number, v: number): void {
  out[o] = v >>> 24; out[o + 1] = (v >>> 16) & 0xff; out[o + 2] = (v >>> 8) & 0xff; out[o + 3] = v & 0xff;
}

export function macToString(v: number): string {
  const b = new Uint8Array(6);
  putMac(b, 0, v);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** "02:00:00:00:00:01" (or any hex-colon form) to a number. */
export function macFromString(s: string): number {
  return s.split(':').reduce((acc, h) => acc * 256 + parseInt(h, 16), 0);
}

export function ipToString(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** A dotted quad to a number (parsed as ip parses it, by lib/inet's parseIPv4). */
export function ipFromString(s: string): number {
  const b = parseIPv4(s);
  if (!b) throw new RangeError(`not an IPv4 address: "${s}"`);
  return ipAt(b, 0);
}

export type ArpError =
  | { error: 'truncated'; length: number }
  | { error: 'not-arp'; ethertype: number }
  | { error: 'unsupported-hardware'; htype: number; hlen: number }
  | { error: 'unsupported-protocol'; ptype: number; plen: number }
  | { error: 'unknown-opcode'; op: number };

export function isArpError(x: ArpFrame | ArpError): x is ArpError {
  return (x as ArpError).error !== undefined;
}

/** Decodes an Ethernet frame carrying ARP (Ethernet/IPv4); trailing padding is allowed. */
export function decodeArpFrame(b: Uint8Array): ArpFrame | ArpError {
  if (b.length < FRAME_LEN) return { error: 'truncated', length: b.length };
  const ethertype = (b[12] << 8) | b[13];
  if (ethertype !== ETH_P_ARP) return { error: 'not-arp', ethertype };
  const err = checkArp(b, ETH_HLEN);
  if (err) return err;
  return {
    ethDst: macAt(b, 0), ethSrc: macAt(b, 6), op: (b[20] << 8) | b[21],
    sha: macAt(b, 22), spa: ipAt(b, 28), tha: macAt(b, 32), tpa: ipAt(b, 38),
  };
}

/** Decodes the 28-byte ARP payload alone (as an AF_PACKET SOCK_DGRAM socket gives it); Ethernet fields 0. */
export function decodeArp(b: Uint8Array): ArpFrame | ArpError {
  if (b.length < ARP_LEN) return { error: 'truncated', length: b.length };
  const err = checkArp(b, 0);
  if (err) return err;
  return {
    ethDst: 0, ethSrc: 0, op: (b[6] << 8) | b[7],
    sha: macAt(b, 8), spa: ipAt(b, 14), tha: macAt(b, 18), tpa: ipAt(b, 24),
  };
}

function checkArp(b: Uint8Array, o: number): ArpError | undefined {
  const htype = (b[o] << 8) | b[o + 1];
  const ptype = (b[o + 2] << 8) | b[o + 3];
  const hlen = b[o + 4], plen = b[o + 5];
  const op = (b[o + 6] << 8) | b[o + 7];
  if (htype !== ARPHRD_ETHER || hlen !== 6) return { error: 'unsupported-hardware', htype, hlen };
  if (ptype !== ETH_P_IP || plen !== 4) return { error: 'unsupported-protocol', ptype, plen };
  if (!OPCODE_NAMES[op]) return { error: 'unknown-opcode', op };
  return undefined;
}

/** Writes the ARP payload (28 bytes) at `off`; returns the length written. */
export function encodeArp(f: ArpFrame, out: Uint8Array, off = 0): number {
  out[off] = 0; out[off + 1] = ARPHRD_ETHER;
  out[off + 2] = ETH_P_IP >> 8; out[off + 3] = ETH_P_IP & 0xff;
  out[off + 4] = 6; out[off + 5] = 4;
  out[off + 6] = f.op >> 8; out[off + 7] = f.op & 0xff;
  putMac(out, off + 8, f.sha);
  putIp(out, off + 14, f.spa);
  putMac(out, off + 18, f.tha);
  putIp(out, off + 24, f.tpa);
  return ARP_LEN;
}

/** Writes the whole Ethernet frame (42 bytes, no padding) at `off`; returns its length. */
export function encodeArpFrame(f: ArpFrame, out: Uint8Array, off = 0): number {
  putMac(out, off, f.ethDst);
  putMac(out, off + 6, f.ethSrc);
  out[off + 12] = ETH_P_ARP >> 8;
  out[off + 13] = ETH_P_ARP & 0xff;
  encodeArp(f, out, off + ETH_HLEN);
  return FRAME_LEN;
}

/** tcpdump-style one line: `who-has 10.0.0.1 tell 10.0.0.2`, `reply 10.0.0.1 is-at 02:...`. */
export function describeArp(f: ArpFrame): string {
  const head = `${macToString(f.ethSrc)} > ${macToString(f.ethDst)}: ARP, `;
  switch (f.op) {
    case ARPOP_REQUEST:
      return `${head}Request who-has ${ipToString(f.tpa)}${f.tha === 0 || f.tha === BROADCAST_MAC ? '' : ` (${macToString(f.tha)})`} tell ${ipToString(f.spa)}`;
    case ARPOP_REPLY:
      return `${head}Reply ${ipToString(f.spa)} is-at ${macToString(f.sha)}`;
    default:
      return `${head}${opcodeName(f.op)} ${ipToString(f.spa)} (${macToString(f.sha)}) -> ${ipToString(f.tpa)} (${macToString(f.tha)})`;
  }
}

/** Hex dump, 16 bytes a line, as tcpdump -xx prints them. */
export function hexDump(b: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 16) {
    const words: string[] = [];
    for (let j = i; j < Math.min(i + 16, b.length); j += 2) {
      words.push(b[j].toString(16).padStart(2, '0') + (j + 1 < b.length ? b[j + 1].toString(16).padStart(2, '0') : ''));
    }
    lines.push(`\t0x${i.toString(16).padStart(4, '0')}:  ${words.join(' ')}`);
  }
  return lines.join('\n');
}
