// Addresses as ip reads and writes them: get_addr_1/get_prefix_1 (IPv4 with
// strtoul parts, IPv6 per inet_pton, "default"/"any"/"all"), glibc's
// inet_ntop text, and link-layer addresses (ll_addr_a2n/ll_addr_n2a).
import { AF_INET, AF_INET6, AF_PACKET, AF_UNSPEC } from '../wire/rtnl-constants.js';

export interface InetPrefix {
  family: number;
  bytelen: number;
  /** -1: a plain address, -2: default/any/all, else the prefix length. */
  bitlen: number;
  data: Uint8Array;
  prefixGiven: boolean;
}

/** The common case, a plain dotted quad without leading zeros (which strtoul would read as octal). */
const DOTTED = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** iproute2's get_addr_ipv4(): up to four strtoul(…, 0) parts separated by dots. */
export function parseIPv4(s: string): Uint8Array | undefined {
  const fast = DOTTED.exec(s);
  if (fast) {
    const a = +fast[1], b = +fast[2], c = +fast[3], d = +fast[4];
    return a > 255 || b > 255 || c > 255 || d > 255 ? undefined : Uint8Array.of(a, b, c, d);
  }
  const out = new Uint8Array(4);
  let rest = s;
  for (let i = 0; i < 4; i++) {
    const r = strtoul(rest);
    if (!r || r.value > 255) return undefined;
    out[i] = r.value;
    if (r.rest === '') return out;
    if (i === 3 || r.rest[0] !== '.') return undefined;
    rest = r.rest.slice(1);
  }
  return out;
}

/** glibc inet_pton(AF_INET6). */
export function parseIPv6(s: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  let tail = s;
  let v4: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    const v4s = s.slice(lastColon + 1);
    // inet_pton4: four decimal parts, no leading zeros, each <= 255.
    if (!/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(v4s)) return undefined;
    const parts = v4s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    v4 = Uint8Array.from(parts);
    tail = s.slice(0, lastColon + 1);
    if (!tail.endsWith('::')) tail = tail.slice(0, -1);
  }
  const dbl = tail.indexOf('::');
  if (dbl >= 0 && tail.indexOf('::', dbl + 1) >= 0) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const r: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      r.push(parseInt(g, 16));
    }
    return r;
  };
  const total = v4 ? 6 : 8;
  let words: number[];
  if (dbl >= 0) {
    const head = groups(tail.slice(0, dbl));
    const rest = groups(tail.slice(dbl + 2));
    if (!head || !rest || head.length + rest.length > total - 1) return undefined;
    words = [...head, ...new Array<number>(total - head.length - rest.length).fill(0), ...rest];
  } else {
    const all = groups(tail);
    if (!all || all.length !== total) return undefined;
    words = all;
  }
  for (let i = 0; i < words.length; i++) {
    out[i * 2] = words[i] >> 8;
    out[i * 2 + 1] = words[i] & 0xff;
  }
  if (v4) out.set(v4, 12);
  return out;
}

const DEC = Array.from({ length: 256 }, (_, i) => String(i));

/** "0." to "255.": three joins make an address instead of six. */
const DEC_DOT = DEC.map((d) => d + '.');

export function formatIPv4(b: Uint8Array): string {
  return DEC_DOT[b[0]] + DEC_DOT[b[1]] + DEC_DOT[b[2]] + DEC[b[3]];
}

/** "0." to "255." as bytes, four places per value, and their lengths: putIPv4()'s tables, made at first use. */
let decDotBytes: Uint8Array | undefined;
let decDotLen: Uint8Array | undefined;

function makeDecDot(): Uint8Array {
  const t = new Uint8Array(1024), n = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const s = DEC_DOT[v];
    for (let k = 0; k < s.length; k++) t[4 * v + k] = s.charCodeAt(k);
    n[v] = s.length;
  }
  decDotLen = n;
  return (decDotBytes = t);
}

/**
 * formatIPv4At() written as ASCII bytes into o at p (o has room for 16 more
 * bytes); returns the offset after it. For byte-built listings (TextBytes).
 */
export function putIPv4(o: Uint8Array, p: number, b: Uint8Array, at: number): number {
  const t = decDotBytes ?? makeDecDot(), n = decDotLen!;
  // Each part's four places are copied whole (the unused ones are overwritten next).
  let v = b[at] << 2;
  o[p] = t[v]; o[p + 1] = t[v + 1]; o[p + 2] = t[v + 2]; o[p + 3] = t[v + 3];
  p += n[v >> 2];
  v = b[at + 1] << 2;
  o[p] = t[v]; o[p + 1] = t[v + 1]; o[p + 2] = t[v + 2]; o[p + 3] = t[v + 3];
  p += n[v >> 2];
  v = b[at + 2] << 2;
  o[p] = t[v]; o[p + 1] = t[v + 1]; o[p + 2] = t[v + 2]; o[p + 3] = t[v + 3];
  p += n[v >> 2];
  v = b[at + 3] << 2;
  o[p] = t[v]; o[p + 1] = t[v + 1]; o[p + 2] = t[v + 2];
  return p + n[v >> 2] - 1;
}

/** A number 0-255 in decimal, written as ASCII into o at p (room for 4 bytes); returns the offset after it. */
export function putDec8(o: Uint8Array, p: number, v: number): number {
  const t = decDotBytes ?? makeDecDot();
  const k = v << 2;
  o[p] = t[k]; o[p + 1] = t[k + 1]; o[p + 2] = t[k + 2];
  return p + decDotLen![v] - 1;
}

/** formatIPv4() of the four bytes at b[o] (an attribute read in place, no view made). */
export function formatIPv4At(b: Uint8Array, o: number): string {
  return DEC_DOT[b[o]] + DEC_DOT[b[o + 1]] + DEC_DOT[b[o + 2]] + DEC[b[o + 3]];
}

/** glibc inet_ntop6: longest zero run (>= 2 words, first on ties) as "::", IPv4 tail for ::ffff:0:0/96 and ::/96. */
export function formatIPv6(b: Uint8Array): string {
  const w = new Array<number>(8);
  for (let i = 0; i < 8; i++) w[i] = (b[2 * i] << 8) | b[2 * i + 1];
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { bestBase = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      s += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    s += w[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}

export function formatAddress(family: number, b: Uint8Array): string {
  if (b.length === 4) return formatIPv4(b);
  if (b.length === 16) return formatIPv6(b);
  return family === AF_INET ? '???' : hexColon(b);
}

/** ip's get_addr_1(); undefined where ip reports a bad address. `data` holds exactly `bytelen` bytes. */
export function parseAddress(name: string, family: number): InetPrefix | undefined {
  const make = (f: number, data: Uint8Array, bitlen: number, prefixGiven = false): InetPrefix =>
    ({ family: f, bytelen: data.length, bitlen, data, prefixGiven });
  if (name === 'default') {
    return make(family, new Uint8Array(family === AF_INET ? 4 : family === AF_INET6 ? 16 : 0), -2, true);
  }
  if (name === 'all' || name === 'any') return make(family, new Uint8Array(0), -2);
  if (family === AF_PACKET) {
    const ll = parseLladdr(name);
    if (typeof ll === 'string') return undefined;
    return make(AF_PACKET, ll.subarray(0, 16), ll.length * 8);
  }
  if (name.includes(':')) {
    if (family !== AF_UNSPEC && family !== AF_INET6) return undefined;
    const a = parseIPv6(name);
    return a ? make(AF_INET6, a, -1) : undefined;
  }
  if (family !== AF_UNSPEC && family !== AF_INET) return undefined;
  const a = parseIPv4(name);
  return a ? make(AF_INET, a, -1) : undefined;
}

/** ip's get_prefix_1(). */
export function parsePrefix(arg: string, family: number): InetPrefix | undefined {
  const slash = arg.indexOf('/');
  const p = parseAddress(slash >= 0 ? arg.slice(0, slash) : arg, family);
  if (!p) return undefined;
  const max = p.family === AF_INET ? 32 : p.family === AF_INET6 ? 128 : p.bytelen * 8;
  if (slash >= 0) {
    if (p.bitlen === -2) return undefined;
    const plen = parseNetmask(arg.slice(slash + 1));
    if (plen === undefined || plen > max) return undefined;
    p.bitlen = plen;
    p.prefixGiven = true;
  } else {
    p.bitlen = p.bitlen === -2 ? 0 : max;
  }
  return p;
}

/** C strtoul(): leading space, sign, base 0 (0x hex, 0 octal) or the given base. */
export function strtoul(s: string, base = 0): { value: number; rest: string } | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?)/.exec(s)!;
  let body = s.slice(m[0].length);
  let b = base;
  if ((b === 0 || b === 16) && /^0[xX][0-9a-fA-F]/.test(body)) { body = body.slice(2); b = 16; }
  else if (b === 0) b = body[0] === '0' ? 8 : 10;
  const digits = (b === 16 ? /^[0-9a-fA-F]+/ : b === 8 ? /^[0-7]+/ : /^[0-9]+/).exec(body);
  if (!digits) return undefined;
  let value = parseInt(digits[0], b);
  // strtoul negates in unsigned long arithmetic; anything but -0 ends up above UINT_MAX.
  if (m[1] === '-' && value !== 0) value = Number.MAX_SAFE_INTEGER;
  return { value, rest: body.slice(digits[0].length) };
}

/** get_unsigned()/get_u32()/get_u16()/get_u8(): strtoul base 0, the whole word, at most `max`. */
export function parseUnsigned(s: string, max = 0xffffffff): number | undefined {
  const r = strtoul(s);
  if (!r || r.rest !== '' || r.value > max) return undefined;
  return r.value;
}

/** get_integer()/get_s32(): strtol base 0, the whole word, in int range. */
export function parseInteger(s: string): number | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const digits = m[2];
  const v = (m[1] === '-' ? -1 : 1) * (digits.length > 1 && digits[0] === '0' && !/^0[xX]/.test(digits) ? parseInt(digits, 8) : Number(digits));
  return v >= -0x80000000 && v <= 0x7fffffff ? v + 0 : undefined;
}

/** get_netmask(): a length, or a dotted mask of leading ones. */
function parseNetmask(s: string): number | undefined {
  const v = parseUnsigned(s);
  if (v !== undefined) return v;
  const a = parseIPv4(s);
  if (!a) return undefined;
  const inv = ~(((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0) >>> 0;
  if ((inv & (inv + 1)) !== 0) return undefined;
  return Math.clz32(inv);
}

/** inet_addr_match(): do the first `bits` bits agree? */
export function prefixMatch(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  let i = 0;
  for (; bits >= 8; bits -= 8, i++) if (a[i] !== b[i]) return false;
  if (bits > 0) {
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((a[i] & mask) !== (b[i] & mask)) return false;
  }
  return true;
}

/**
 * ll_addr_a2n(): a dotted IPv4 for tunnels, or hex bytes separated by colons
 * (sscanf "%x" per part, each 0..255). Returns the bytes or the bad part
 * for ip's `"X" is invalid lladdr.` message.
 */
export function parseLladdr(arg: string): Uint8Array | string {
  if (arg.includes('.')) {
    const a = parseIPv4(arg);
    return a ?? arg;
  }
  const parts = arg.split(':');
  const n = Math.min(parts.length, 20);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = scanHex(parts[i]);
    if (v < 0 || v > 255) return parts[i];
    out[i] = v;
  }
  return out;
}

/** sscanf("%x"): optional space, sign and 0x, then hex digits; -1 when there are none. */
function scanHex(s: string): number {
  let i = 0;
  while (i < s.length && (s[i] === ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && isHex(s.charCodeAt(i + 2))) i += 2;
  let v = 0;
  const start = i;
  for (; i < s.length && isHex(s.charCodeAt(i)); i++) v = v * 16 + hexValue(s.charCodeAt(i));
  if (i === start) return -1;
  return neg && v !== 0 ? -1 : v;
}

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Character codes of the hex digits, for building a MAC's text in one string. */
const HEX_CODE = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

export function hexColon(b: Uint8Array): string {
  if (b.length === 6) {
    // The common case, made as one string instead of eleven growing ones (10,000-entry tables).
    const h = HEX_CODE;
    return String.fromCharCode(h[b[0] >> 4], h[b[0] & 15], 58, h[b[1] >> 4], h[b[1] & 15], 58, h[b[2] >> 4], h[b[2] & 15], 58,
      h[b[3] >> 4], h[b[3] & 15], 58, h[b[4] >> 4], h[b[4] & 15], 58, h[b[5] >> 4], h[b[5] & 15]);
  }
  if (b.length === 0) return '';
  let s = HEX[b[0]];
  for (let i = 1; i < b.length; i++) s += ':' + HEX[b[i]];
  return s;
}

/** Two hex digits per byte value, as ASCII codes: putHexColon6()'s table, made at first use. */
let hexBytes: Uint8Array | undefined;

function makeHexBytes(): Uint8Array {
  const t = new Uint8Array(512);
  for (let v = 0; v < 256; v++) {
    t[2 * v] = HEX_CODE[v >> 4];
    t[2 * v + 1] = HEX_CODE[v & 15];
  }
  return (hexBytes = t);
}

/** hexColon() of the six bytes at b[at] (a MAC), written as ASCII into o at p; returns the offset after it. */
export function putHexColon6(o: Uint8Array, p: number, b: Uint8Array, at: number): number {
  const h = hexBytes ?? makeHexBytes();
  let v = b[at] << 1;
  o[p] = h[v]; o[p + 1] = h[v + 1]; o[p + 2] = 58;
  v = b[at + 1] << 1;
  o[p + 3] = h[v]; o[p + 4] = h[v + 1]; o[p + 5] = 58;
  v = b[at + 2] << 1;
  o[p + 6] = h[v]; o[p + 7] = h[v + 1]; o[p + 8] = 58;
  v = b[at + 3] << 1;
  o[p + 9] = h[v]; o[p + 10] = h[v + 1]; o[p + 11] = 58;
  v = b[at + 4] << 1;
  o[p + 12] = h[v]; o[p + 13] = h[v + 1]; o[p + 14] = 58;
  v = b[at + 5] << 1;
  o[p + 15] = h[v]; o[p + 16] = h[v + 1];
  return p + 17;
}

const ARPHRD_TUNNEL = 768, ARPHRD_TUNNEL6 = 769, ARPHRD_SIT = 776, ARPHRD_IPGRE = 778, ARPHRD_IP6GRE = 823;

/** ll_addr_n2a(): IPv4/IPv6 text for tunnel devices, hex bytes otherwise. */
export function formatLladdr(b: Uint8Array, linkType: number): string {
  if (b.length === 4 && (linkType === ARPHRD_TUNNEL || linkType === ARPHRD_SIT || linkType === ARPHRD_IPGRE)) return formatIPv4(b);
  if (b.length === 16 && (linkType === ARPHRD_TUNNEL6 || linkType === ARPHRD_IP6GRE)) return formatIPv6(b);
  return hexColon(b);
}
