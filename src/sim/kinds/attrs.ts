// Helpers for a kind's IFLA_INFO_DATA: the model keeps what `type KIND
// ARGS` set as attribute bytes (hex) and reports it over the driver's
// defaults, in the order the driver's fill_info() writes them.
import { type LinkAttr, parseAttrs } from '../../wire/nlattr.js';
import { hexBytes } from '../text.js';

export const u8 = (type: number, value: number): LinkAttr => ({ type, kind: 'u8', value });
export const u16 = (type: number, value: number): LinkAttr => ({ type, kind: 'u16', value });
export const u32 = (type: number, value: number): LinkAttr => ({ type, kind: 'u32', value: value >>> 0 });
export const bytes = (type: number, value: Uint8Array): LinkAttr => ({ type, kind: 'bytes', value });

/** The attributes in the kernel's order (any it does not list keep theirs, after). */
export function ordered(attrs: LinkAttr[], order: number[]): LinkAttr[] {
  const rank = (a: LinkAttr) => {
    const i = order.indexOf(a.type);
    return i < 0 ? order.length : i;
  };
  return attrs.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i).map((x) => x.a);
}

/**
 * Attributes set (kept as sent, hex) replace the defaults of the same type;
 * with `extra`, those of the listed types that have no default are reported too.
 */
export function overlay(base: LinkAttr[], set: string | undefined, extra: number[] = []): LinkAttr[] {
  if (!set) return base;
  const given = parseAttrs(hexBytes(set));
  const out = base.map((a) => {
    const v = given.get(a.type);
    return v ? bytes(a.type, v) : a;
  });
  for (const t of extra) {
    const v = given.get(t);
    if (v && !base.some((a) => a.type === t)) out.push(bytes(t, v));
  }
  return out;
}
