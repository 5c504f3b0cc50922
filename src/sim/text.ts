// The model keeps addresses as the text ip prints ("10.0.0.2",
// "02:00:00:00:0a:01") and attribute bytes as hex (the state file is JSON);
// these turn them back into bytes for a message. The texts are the model's
// own, always well formed: no checks on the hot path of a dump.
import { AF_INET6 } from '../wire/rtnl-constants.js';
import { parseIPv4, parseIPv6 } from '../lib/inet.js';

/** A MAC text to bytes; the neighbour dump's hot path. */
export function macBytes(text: string): Uint8Array {
  const n = (text.length + 1) / 3;
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (hexDigit(text.charCodeAt(3 * i)) << 4) | hexDigit(text.charCodeAt(3 * i + 1));
  return b;
}

function hexDigit(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

/** An address text of `family` to its bytes (empty if it is not one). */
export function addressBytes(family: number, text: string): Uint8Array {
  return (family === AF_INET6 ? parseIPv6(text) : parseIPv4(text)) ?? new Uint8Array(0);
}

/** Attribute bytes as the state file keeps them, and back. */
export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (x) => parseInt(x, 16));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
