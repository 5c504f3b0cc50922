// Attributes printed the common way (bridge and bridge_slave print most of
// theirs so): a table of [type, how, JSON key, text label] walked once for
// text and JSON alike.
import { type Attrs, attrS32, attrU16, attrU32, attrU64, attrU8 } from '../../wire/nlattr.js';
import { hexColon } from '../../lib/inet.js';
import type { Output } from '../../lib/output.js';
import { protoName } from './llproto.js';

export type FieldKind = 'u8' | 'u16' | 'u32' | 's32' | 'u64' | 'timer' | 'hex' | 'onoff' | 'mac' | 'id' | 'proto';
/** One attribute printed the usual way: type, how, JSON key, text label (the key when absent). */
export type Field = readonly [type: number, kind: FieldKind, key: string, label?: string];

export function printFields(out: Output, tb: Attrs, fields: readonly Field[]): void {
  for (const [type, kind, key, label = key] of fields) {
    const b = tb.get(type);
    if (b) printField(out, b, kind, key, label);
  }
}

/** br_dump_bridge_id(): "%.2x%.2x." then ether_ntoa_r's MAC, whose bytes are not zero-padded. */
function bridgeId(b: Uint8Array): string {
  const two = (n: number) => n.toString(16).padStart(2, '0');
  return `${two(b[0])}${two(b[1])}.${Array.from(b.subarray(2, 8), (n) => n.toString(16)).join(':')}`;
}

export function printField(out: Output, b: Uint8Array, kind: FieldKind, key: string, label: string): void {
  const str = (s: string) => out.string(key, `${label} ${s} `, s);
  switch (kind) {
    case 'u8': case 'u16': case 'u32': case 's32': {
      const v = kind === 'u8' ? attrU8(b) : kind === 'u16' ? attrU16(b) : kind === 'u32' ? attrU32(b) : attrS32(b);
      out.uint(key, `${label} ${v} `, v);
      return;
    }
    case 'u64': {
      const v = String(attrU64(b));
      out.raw(key, `${label} ${v} `, v);
      return;
    }
    case 'timer': {
      // _print_timer(): centiseconds as "%4i.%.2i" in text, "%i.%.2i" unquoted in JSON.
      const cs = Number(attrU64(b));
      const t = `${Math.floor(cs / 100)}.${String(cs % 100).padStart(2, '0')}`;
      out.raw(key, `${label} ${t.padStart(7)} `, t);
      return;
    }
    case 'hex': {
      // "%#llx": 0 stays "0".
      const n = attrU16(b);
      return str(n ? '0x' + n.toString(16) : '0');
    }
    case 'onoff': {
      const on = attrU8(b) !== 0;
      out.bool(key, `${label} ${on ? 'on' : 'off'} `, on);
      return;
    }
    case 'mac': return str(hexColon(b));
    case 'id': return str(bridgeId(b));
    case 'proto': return str(protoName(b));
  }
}
