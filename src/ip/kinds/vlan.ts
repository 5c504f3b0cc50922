// The vlan kind (ip/iplink_vlan.c of iproute2 6.1): `type vlan ...` as
// IFLA_VLAN_* attributes in ip's order, and what -d prints of them.
import { type Attrs, type LinkAttr, attrU16, attrU32, encodeBitfield32, parseAttrs } from '../../wire/nlattr.js';
import { parseUnsigned } from '../../lib/inet.js';
import type { Output } from '../../lib/output.js';
import { Args, Exit, invarg, matches } from '../matches.js';
import { IFLA_VLAN, IFLA_VLAN_QOS_MAPPING } from '../../wire/rtnl-constants.js';
import type { LinkKind } from './kind.js';
import { protoBytes, protoName } from './llproto.js';
import { bytes, u16 } from './util.js';


/** vlan_print_flags()' order, which is not the bits' order. */
const VLAN_FLAGS: [bit: number, name: string][] = [
  [0x1, 'REORDER_HDR'], [0x2, 'GVRP'], [0x8, 'MVRP'], [0x4, 'LOOSE_BINDING'], [0x10, 'BRIDGE_BINDING'],
];

/** vlan_print_opt() */
function printVlan(out: Output, tb: Attrs): void {
  const proto = tb.get(IFLA_VLAN.PROTOCOL);
  if (proto && proto.length < 2) return;
  const id = tb.get(IFLA_VLAN.ID);
  if (!id || id.length < 2) return;
  const p = proto ? protoName(proto) : '802.1q';
  out.string('protocol', `protocol ${p} `, p);
  out.uint('id', `id ${attrU16(id)} `, attrU16(id));
  const fl = tb.get(IFLA_VLAN.FLAGS);
  if (fl) {
    if (fl.length < 8) return;
    let flags = attrU32(fl);
    out.openArray('flags');
    out.fp('<');
    for (const [bit, name] of VLAN_FLAGS) {
      if (!(flags & bit)) continue;
      flags &= ~bit;
      out.string(null, flags ? name + ',' : name, name);
    }
    if (flags) out.string(null, flags.toString(16), flags.toString(16));
    out.closeArray();
    out.fp('> ');
  }
  for (const [t, key, label] of [[IFLA_VLAN.INGRESS_QOS, 'ingress_qos', 'ingress-qos-map'], [IFLA_VLAN.EGRESS_QOS, 'egress_qos', 'egress-qos-map']] as const) {
    const b = tb.get(t);
    if (!b) continue;
    out.openArray(key);
    out.nl();
    out.fp(`      ${label} { `);
    for (const [, m] of parseAttrs(b)) {
      const from = attrU32(m), to = attrU32(m.subarray(4));
      if (out.json) {
        out.openObject();
        out.uint('from', '', from);
        out.uint('to', '', to);
        out.closeObject();
      } else out.fp(`${from}:${to} `);
    }
    out.closeArray();
    out.fp('} ');
  }
}

const VLAN_USAGE = `Usage: ... vlan id VLANID
		[ protocol VLANPROTO ]
		[ reorder_hdr { on | off } ]
		[ gvrp { on | off } ]
		[ mvrp { on | off } ]
		[ loose_binding { on | off } ]
		[ bridge_binding { on | off } ]
		[ ingress-qos-map QOS-MAP ]
		[ egress-qos-map QOS-MAP ]

VLANID := 0-4095
VLANPROTO: [ 802.1Q | 802.1ad ]
QOS-MAP := [ QOS-MAP ] QOS-MAPPING
QOS-MAPPING := FROM:TO`;

const VLAN_FLAG_WORDS: [word: string, bit: number][] = [
  ['reorder_hdr', 0x1], ['gvrp', 0x2], ['mvrp', 0x8], ['loose_binding', 0x4], ['bridge_binding', 0x10],
];

/** vlan_parse_opt() */
function parseVlan(words: string[]): LinkAttr[] {
  const out: LinkAttr[] = [];
  let flags = 0, mask = 0;
  const a = new Args(words);
  while (a.more) {
    const w = a.cur;
    const flag = VLAN_FLAG_WORDS.find(([name]) => matches(w, name));
    if (matches(w, 'protocol')) {
      const v = a.next();
      out.push(bytes(IFLA_VLAN.PROTOCOL, protoBytes(v) ?? invarg('protocol is invalid', v)));
    } else if (matches(w, 'id')) {
      const v = a.next();
      out.push(u16(IFLA_VLAN.ID, parseUnsigned(v, 0xffff) ?? invarg('id is invalid', v)));
    } else if (flag) {
      const v = a.next();
      mask |= flag[1];
      if (v === 'on') flags |= flag[1];
      else if (v === 'off') flags &= ~flag[1];
      else throw new Exit(1, [`Error: argument of "${flag[0]}" must be "on" or "off", not "${v}"`]);
    } else if (matches(w, 'ingress-qos-map') || matches(w, 'egress-qos-map')) {
      const ingress = matches(w, 'ingress-qos-map');
      a.next();
      const maps: LinkAttr[] = [];
      // parse_mapping(): FROM:TO words until one has no ':'; that word is read again as a keyword.
      for (; a.more && a.cur.includes(':'); a.i++) {
        const [from, to] = [a.cur.slice(0, a.cur.indexOf(':')), a.cur.slice(a.cur.indexOf(':') + 1)];
        const f = parseUnsigned(from, 0xffffffff), t = parseUnsigned(to, 0xffffffff);
        // The word was cut at its ':' in place, so the message shows FROM only.
        if (f === undefined || t === undefined) invarg(`invalid ${ingress ? 'ingress' : 'egress'}-qos-map`, from);
        // struct ifla_vlan_qos_mapping: two host-order u32s, a bitfield32's layout.
        maps.push(bytes(IFLA_VLAN_QOS_MAPPING, encodeBitfield32(f, t)));
      }
      out.push({ type: ingress ? IFLA_VLAN.INGRESS_QOS : IFLA_VLAN.EGRESS_QOS, kind: 'nest', value: maps });
      continue;
    } else if (matches(w, 'help')) {
      throw new Exit(1, [VLAN_USAGE]);
    } else {
      throw new Exit(1, [`vlan: unknown command "${w}"?`, VLAN_USAGE]);
    }
    a.i++;
  }
  if (mask) out.push(bytes(IFLA_VLAN.FLAGS, encodeBitfield32(flags, mask)));
  return out;
}

export const vlan: LinkKind = {
  id: 'vlan',
  parse: parseVlan,
  print: printVlan,
  help: VLAN_USAGE,
  keywords: ['protocol', 'id', ...VLAN_FLAG_WORDS.map(([w]) => w), 'ingress-qos-map', 'egress-qos-map'],
};
