// Ethernet II + ARP (RFC 826) for IPv4 over Ethernet: a checked decoder that
// returns a value or a typed error and never throws, an encoder into a given
// buffer, and a one-line describer. No I/O.

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

/** An ARP packet for IPv4 over Ethernet inside its Ethernet frame. Addresses as bytes. */
export interface ArpFrame {
  /** Ethernet destination and source. */
  ethDst: Uint8Array;
  ethSrc: Uint8Array;
  op: number;
  sha: Uint8Array;
  spa: Uint8Array;
  tha: Uint8Array;
  tpa: Uint8Array;
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

/** Decodes an Ethernet frame carrying ARP (Ethernet/IPv4). Trailing padding is allowed. */
export function decodeArpFrame(b: Uint8Array): ArpFrame | ArpError {
  if (b.length < FRAME_LEN) return { error: 'truncated', length: b.length };
  const ethertype = (b[12] << 8) | b[13];
  if (ethertype !== ETH_P_ARP) return { error: 'not-arp', ethertype };
  const a = decodeArp(b.subarray(ETH_HLEN));
  if (isArpError(a)) return a;
  a.ethDst = b.slice(0, 6);
  a.ethSrc = b.slice(6, 12);
  return a;
}

/** Decodes the 28-byte ARP payload alone (as an AF_PACKET SOCK_DGRAM socket gives it). */
export function decodeArp(b: Uint8Array): ArpFrame | ArpError {
  if (b.length < ARP_LEN) return { error: 'truncated', length: b.length };
  const htype = (b[0] << 8) | b[1];
  const ptype = (b[2] << 8) | b[3];
  const hlen = b[4], plen = b[5];
  const op = (b[6] << 8) | b[7];
  if (htype !== ARPHRD_ETHER || hlen !== 6) return { error: 'unsupported-hardware', htype, hlen };
  if (ptype !== ETH_P_IP || plen !== 4) return { error: 'unsupported-protocol', ptype, plen };
  if (!OPCODE_NAMES[op]) return { error: 'unknown-opcode', op };
  return {
    ethDst: new Uint8Array(6), ethSrc: new Uint8Array(6), op,
    sha: b.slice(8, 14), spa: b.slice(14, 18), tha: b.slice(18, 24), tpa: b.slice(24, 28),
  };
}

/** Writes the ARP payload (28 bytes) at `off`; returns the length written. */
export function encodeArp(f: ArpFrame, out: Uint8Array, off = 0): number {
  out[off] = 0; out[off + 1] = ARPHRD_ETHER;
  out[off + 2] = ETH_P_IP >> 8; out[off + 3] = ETH_P_IP & 0xff;
  out[off + 4] = 6; out[off + 5] = 4;
  out[off + 6] = f.op >> 8; out[off + 7] = f.op & 0xff;
  out.set(f.sha, off + 8);
  out.set(f.spa, off + 14);
  out.set(f.tha, off + 18);
  out.set(f.tpa, off + 24);
  return ARP_LEN;
}

/** Writes the whole Ethernet frame (42 bytes, no padding) at `off`; returns its length. */
export function encodeArpFrame(f: ArpFrame, out: Uint8Array, off = 0): number {
  out.set(f.ethDst, off);
  out.set(f.ethSrc, off + 6);
  out[off + 12] = ETH_P_ARP >> 8;
  out[off + 13] = ETH_P_ARP & 0xff;
  encodeArp(f, out, off + ETH_HLEN);
  return FRAME_LEN;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
const ip = (b: Uint8Array) => `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;

/** tcpdump-style one line: `who-has 10.0.0.1 tell 10.0.0.2`, `reply 10.0.0.1 is-at 02:...`. */
export function describeArp(f: ArpFrame): string {
  switch (f.op) {
    case ARPOP_REQUEST:
      return `${hex(f.ethSrc)} > ${hex(f.ethDst)}: ARP, Request who-has ${ip(f.tpa)}${isZero(f.tha) || isBroadcast(f.tha) ? '' : ` (${hex(f.tha)})`} tell ${ip(f.spa)}`;
    case ARPOP_REPLY:
      return `${hex(f.ethSrc)} > ${hex(f.ethDst)}: ARP, Reply ${ip(f.spa)} is-at ${hex(f.sha)}`;
    default:
      return `${hex(f.ethSrc)} > ${hex(f.ethDst)}: ARP, ${opcodeName(f.op)} ${ip(f.spa)} (${hex(f.sha)}) -> ${ip(f.tpa)} (${hex(f.tha)})`;
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

function isZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

function isBroadcast(b: Uint8Array): boolean {
  return b.every((x) => x === 0xff);
}
