// bridge (net/bridge): IFLA_BR_* and IFLA_BRPORT_* with the reference
// machine's defaults in br_fill_info() / br_port_fill_attrs() order (what a
// `type bridge ARGS` set replaces its default), a carrier while a port
// runs, ports taken and let go (br_add_if/br_del_if).
import type { LinkAttr } from '../../wire/nlattr.js';
import { macBytes, toHex } from '../text.js';
import { bytes, ordered, overlay, u16, u32, u8 } from './attrs.js';
import type { SimLink } from '../world.js';
import { type LinkKindOps, isUp } from './ops.js';

/** TSO_MAX_SIZE: a bridge with ports takes the largest. */
const TSO_MAX_SIZE = 524280;

const u64 = (type: number, value: number): LinkAttr => bytes(type, Uint8Array.of(value & 255, (value >> 8) & 255, (value >> 16) & 255, (value >> 24) & 255, 0, 0, 0, 0));

/** br_fill_info() and br_port_fill_attrs() order (the reference kernel's dumps). */
const BR_ORDER = [16, 17, 18, 19, 1, 2, 3, 4, 5, 6, 7, 9, 11, 10, 12, 13, 14, 15, 20, 46, 48, 49, 22, 23, 24, 25, 42, 26, 27, 28, 29, 43, 44, 30, 31, 32, 33, 34, 35, 36, 37, 38];
const BRPORT_ORDER = [1, 2, 3, 4, 5, 6, 7, 28, 8, 9, 27, 30, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 29, 31, 32, 35, 36, 33, 39, 40, 43, 21, 22, 23, 25, 37, 38, 41, 42];

/** IFLA_BR_* a new bridge reports (the reference machine's defaults). */
function bridgeData(l: SimLink): LinkAttr[] {
  const id = Uint8Array.of(0x80, 0x00, ...macBytes(l.mac));
  const base: LinkAttr[] = [
    u32(1, 1500), u32(2, 200), u32(3, 2000), u32(4, 30000), u32(5, 0), u16(6, 32768), u8(7, 0),
    u16(9, 0), { type: 11, kind: 'bytes', value: id }, { type: 10, kind: 'bytes', value: id },
    u16(12, 0), u32(13, 0), u8(14, 0), u8(15, 0), u64(16, 0), u64(17, 0), u64(18, 0), u64(19, 0),
    { type: 20, kind: 'bytes', value: Uint8Array.of(0x01, 0x80, 0xc2, 0, 0, 0) }, u8(23, 1),
    // IFLA_BR_MULTI_BOOLOPT: no option set, of the five the kernel knows; then FDB_N_LEARNED and FDB_MAX_LEARNED.
    { type: 46, kind: 'bytes', value: Uint8Array.of(0, 0, 0, 0, 0x1f, 0, 0, 0) }, u32(48, 0), u32(49, 0), u8(22, 1), u8(24, 0), u8(25, 0), u32(26, 16), u32(27, 4096),
    u32(28, 2), u32(29, 2), u64(30, 100), u64(31, 26000), u64(32, 25500), u64(33, 12500), u64(34, 1000), u64(35, 3124),
    u8(42, 0), u8(43, 2), u8(44, 1), u8(36, 0), u8(37, 0), u8(38, 0),
  ];
  return ordered(overlay(base, l.info?.data), BR_ORDER);
}

export const bridge: LinkKindOps = {
  kind: 'bridge', minMtu: 68, maxMtu: 65535, queues: 1, tsoMax: 65536, netnsLocal: true, countsCarrier: true,

  newlink(ctx, l, _tb, data) {
    if (data && data.length) l.info = { data: toHex(data) };
    // br_dev_setup() turns the carrier off at birth: one change already.
    l.carrierChanges = 1;
    l.carrierSeen = false;
    ctx.note(`bridge ${l.name} created`, ['rtnl_newlink', 'br_dev_newlink']);
  },

  fillInfo: (_ctx, l) => bridgeData(l),

  /** IFLA_BRPORT_* of a port. */
  fillSlaveInfo(ctx, br, l) {
    const id = Uint8Array.of(0x80, 0x00, ...macBytes(br.mac));
    const portNo = 1 + ctx.host.links.filter((x) => x.master === br.index && x.index < l.index).length;
    const forwarding = isUp(br) && isUp(l) && ctx.carrier(l);
    const zero64: LinkAttr[] = [21, 22, 23].map((type) => ({ type, kind: 'bytes', value: new Uint8Array(8) }));
    const base: LinkAttr[] = [
      u8(1, forwarding ? 3 : 0), u16(2, 32), u32(3, 2), u8(4, 0), u8(5, 0),
      u8(6, 0), u8(7, 0), u8(8, 1), u8(9, 1), u8(10, 0), u8(12, 0), { type: 13, kind: 'bytes', value: id },
      { type: 14, kind: 'bytes', value: id }, u16(15, 0x8000 + portNo), u16(16, 0),
      u16(17, 0x8000 + portNo), u16(18, portNo), u8(19, 0), u8(20, 0), ...zero64,
      u8(25, 1), u8(27, 1), u8(28, 0), u8(29, 0), u8(30, 1), u16(31, 0), u8(32, 0), u8(33, 0), u8(39, 0),
      // Locked, MAB, neigh_vlan_suppress, backup nhid, the EHT hosts limit (512) and count, multicast group counts.
      u8(35, 0), u8(36, 0), u8(40, 0), u8(43, 0), u32(37, 512), u32(38, 0), u32(41, 0), u32(42, 0),
    ];
    return ordered(overlay(base, l.slave?.data), BRPORT_ORDER);
  },

  addSlave(ctx, br, l) {
    l.master = br.index;
    ctx.note(`${l.name} enslaved to ${br.name}`, ['do_setlink', 'br_add_if']);
  },

  delSlave(ctx, br, l) {
    ctx.note(`${l.name} released from ${br.name}`, ['do_setlink', 'br_del_if']);
  },

  carrier: (ctx, l) => ctx.host.links.some((x) => x.master === l.index && isUp(x) && ctx.carrier(x)),

  tsoMaxSize: (ctx, l) => (ctx.host.links.some((x) => x.master === l.index) ? TSO_MAX_SIZE : 65536),
};
