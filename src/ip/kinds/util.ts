// The small parsing helpers the kinds' parse_opt share (ip's addattr*,
// get_u64, ll_addr_a2n, parse_on_off). Encoders of whole payloads (bitfield32,
// u64) are the codec's (src/wire/nlattr.ts).
import type { LinkAttr } from '../../wire/nlattr.js';
import { parseIPv4, parseLladdr } from '../../lib/inet.js';
import { Exit, matches } from '../matches.js';

export const u8 = (type: number, value: number): LinkAttr => ({ type, kind: 'u8', value });
export const u16 = (type: number, value: number): LinkAttr => ({ type, kind: 'u16', value });
export const u32 = (type: number, value: number): LinkAttr => ({ type, kind: 'u32', value: value >>> 0 });
export const bytes = (type: number, value: Uint8Array): LinkAttr => ({ type, kind: 'bytes', value });
/** addattr(n, max, type): an attribute without payload. */
export const flag = (type: number): LinkAttr => bytes(type, new Uint8Array(0));

const U64_LIMIT = 1n << 64n;

/** get_u64(): strtoull base 0, the whole word; as strtoull, "-N" wraps to 2^64-N. */
export function getU64(s: string): bigint | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?)(.*)$/s.exec(s)!;
  let body = m[2], digits = /^[0-9]+$/, prefix = '';
  if (/^0[xX][0-9a-fA-F]/.test(body)) [body, digits, prefix] = [body.slice(2), /^[0-9a-fA-F]+$/, '0x'];
  else if (body[0] === '0') [digits, prefix] = [/^[0-7]+$/, '0o'];
  if (!digits.test(body)) return undefined;
  const v = BigInt(prefix + body);
  if (v >= U64_LIMIT) return undefined;
  return m[1] === '-' ? (U64_LIMIT - v) % U64_LIMIT : v;
}

/**
 * ll_addr_a2n() into a buffer of `max` bytes: the bytes and the length ip
 * counts (max + 1 when there are more parts), or the part it complains about
 * with `"X" is invalid lladdr.`.
 */
export function llAddr(arg: string, max: number): { bytes: Uint8Array; len: number } | { bad: string } {
  if (arg.includes('.')) {
    const a = parseIPv4(arg);
    return a ? { bytes: a, len: 4 } : { bad: arg };
  }
  const parts = arg.split(':');
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    // A single part has no ':' and no '.': parseLladdr is then sscanf("%x") and the 0..255 check.
    const v = parseLladdr(parts[i]);
    if (typeof v === 'string') return { bad: parts[i] };
    out.push(v[0]);
    if (i === parts.length - 1) return { bytes: Uint8Array.from(out), len: i + 1 };
  }
  return { bytes: Uint8Array.from(out), len: max + 1 };
}

export const badLladdr = (part: string) => `"${part}" is invalid lladdr.`;

/** parse_on_off(): a prefix of "off" or "on" (so "o" is off); else ip's message and exit 1. */
export function parseOnOff(name: string, v: string): number {
  if (matches(v, 'off')) return 0;
  if (matches(v, 'on')) return 1;
  throw new Exit(1, [`Error: argument of "${name}" must be one of "off", "on", not "${v}"`]);
}
