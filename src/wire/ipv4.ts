// IPv4 frames as the model's traffic would put them on the wire: a UDP
// datagram (what `tsnet sim send` sends: one byte "x" to the discard port,
// as the fidelity tests send on the kernel) and the ICMP port unreachable a
// closed port draws (which quotes the datagram). Encoder only: the model
// keeps its packets as descriptions and needs bytes only for a capture.
import { ETH_HLEN, ETH_P_IP, ipFromString, macFromString } from './arp.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_UDP = 17;
/** The datagram's ports and payload. */
export const UDP_SPORT = 50000;
export const UDP_DPORT = 9;
const PAYLOAD = [0x78];
const IP_HLEN = 20, UDP_HLEN = 8, ICMP_HLEN = 8;

/** RFC 1071: the ones' complement of the ones' complement sum of 16-bit words. */
export function inetChecksum(b: Uint8Array, off: number, len: number, start = 0): number {
  let sum = start;
  for (let i = 0; i < len; i += 2) sum += (b[off + i] << 8) | (i + 1 < len ? b[off + i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v & 0xff;
}

function put32(b: Uint8Array, o: number, v: number): void {
  put16(b, o, v >>> 16);
  put16(b, o + 2, v & 0xffff);
}

/** An IPv4 header at `o` (DF, ttl 64, id 0 as Linux sends with DF), checksum filled in. */
function ipHeader(b: Uint8Array, o: number, totalLen: number, proto: number, src: number, dst: number, tos: number): void {
  b[o] = 0x45;
  b[o + 1] = tos;
  put16(b, o + 2, totalLen);
  put16(b, o + 4, 0);
  put16(b, o + 6, 0x4000);
  b[o + 8] = 64;
  b[o + 9] = proto;
  put32(b, o + 12, src);
  put32(b, o + 16, dst);
  put16(b, o + 10, inetChecksum(b, o, IP_HLEN));
}

/** The UDP datagram (IP header onwards) from src to dst, written at `o`; returns its length. */
function udpDatagram(b: Uint8Array, o: number, src: number, dst: number): number {
  const udpLen = UDP_HLEN + PAYLOAD.length;
  ipHeader(b, o, IP_HLEN + udpLen, IPPROTO_UDP, src, dst, 0);
  const u = o + IP_HLEN;
  put16(b, u, UDP_SPORT);
  put16(b, u + 2, UDP_DPORT);
  put16(b, u + 4, udpLen);
  b.set(PAYLOAD, u + UDP_HLEN);
  // The pseudo-header: addresses, protocol, UDP length.
  const pseudo = ((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + IPPROTO_UDP + udpLen);
  const c = inetChecksum(b, u, udpLen, pseudo);
  put16(b, u + 6, c === 0 ? 0xffff : c);
  return IP_HLEN + udpLen;
}

export interface Ipv4FrameDesc {
  srcMac: string;
  dstMac: string;
  src: string;
  dst: string;
  /** udp: the datagram; icmp: port unreachable, quoting the datagram dst sent to src. */
  proto: 'udp' | 'icmp';
}

/** The Ethernet frame for one of the model's packets. */
export function encodeIpv4Frame(d: Ipv4FrameDesc): Uint8Array {
  const src = ipFromString(d.src), dst = ipFromString(d.dst);
  const quoted = IP_HLEN + UDP_HLEN + PAYLOAD.length;
  const len = ETH_HLEN + IP_HLEN + (d.proto === 'udp' ? UDP_HLEN + PAYLOAD.length : ICMP_HLEN + quoted);
  const b = new Uint8Array(len);
  const mac = (o: number, s: string) => {
    const v = macFromString(s);
    put16(b, o, Math.floor(v / 4294967296));
    put32(b, o + 2, v >>> 0);
  };
  mac(0, d.dstMac);
  mac(6, d.srcMac);
  put16(b, 12, ETH_P_IP);
  if (d.proto === 'udp') {
    udpDatagram(b, ETH_HLEN, src, dst);
    return b;
  }
  // icmp_send(): tos 0xc0 (INET_ECN / IPTOS_PREC_INTERNETCONTROL), type 3 code 3, the datagram quoted whole.
  ipHeader(b, ETH_HLEN, len - ETH_HLEN, IPPROTO_ICMP, src, dst, 0xc0);
  const i = ETH_HLEN + IP_HLEN;
  b[i] = 3;
  b[i + 1] = 3;
  udpDatagram(b, i + ICMP_HLEN, dst, src);
  put16(b, i + 2, inetChecksum(b, i, ICMP_HLEN + quoted));
  return b;
}
