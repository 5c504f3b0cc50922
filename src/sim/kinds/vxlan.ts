// vxlan (drivers/net/vxlan): a virtual network identified by its VNI over
// UDP. vxlan_validate() wants IFLA_INFO_DATA and a VNI below 2^24 (without
// IFLA_VXLAN_ID the kernel makes VNI 0: only ip insists on `id`);
// vxlan_config_validate() refuses a second device of the same VNI, port and
// receive flags. vxlan_fill_info() reports the driver's defaults with what
// was set over them, as the reference kernel (6.18) dumps a new device. No
// carrier of its own: up, it is UNKNOWN, as a dummy.
import { NetlinkError } from '../../backend.js';
import { EEXIST, EINVAL, ERANGE } from '../../errno.js';
import { type Attrs, type LinkAttr, attrU32, parseAttrs } from '../../wire/nlattr.js';
import { IFLA_VXLAN } from '../../wire/rtnl-constants.js';
import { hexBytes, toHex } from '../text.js';
import type { SimLink } from '../world.js';
import { bytes, ordered, overlay, u32, u8 } from './attrs.js';
import type { LinkKindOps } from './ops.js';

const {
  ID, GROUP, LINK, LOCAL, TTL, TOS, LEARNING, AGEING, LIMIT, PORT_RANGE, PROXY, RSC, L2MISS, L3MISS, PORT, GROUP6, LOCAL6, UDP_CSUM,
  UDP_ZERO_CSUM6_TX, UDP_ZERO_CSUM6_RX, REMCSUM_TX, REMCSUM_RX, GBP, REMCSUM_NOPARTIAL, COLLECT_METADATA, LABEL, GPE, TTL_INHERIT,
  DF, VNIFILTER, LOCALBYPASS, LABEL_POLICY, RESERVED_BITS,
} = IFLA_VXLAN;
/** VXLAN_N_VID: a VNI has 24 bits. */
const N_VID = 1 << 24;
/** The kernel's default UDP port (Linux's own, not IANA's 4789), network order. */
const DEFAULT_PORT = 8472;
/** VXLAN_F_RCV_FLAGS and IPv6: two devices that differ in these may share a VNI and port. */
const RCV_FLAGS = [GBP, GPE, UDP_ZERO_CSUM6_RX, REMCSUM_RX, REMCSUM_NOPARTIAL, COLLECT_METADATA];

/** vxlan_fill_info() order. */
const ORDER = [
  ID, GROUP, GROUP6, LINK, LOCAL, LOCAL6, TTL, TTL_INHERIT, TOS, DF, LABEL, LABEL_POLICY, LEARNING, PROXY, RSC, L2MISS, L3MISS,
  COLLECT_METADATA, AGEING, LIMIT, PORT, UDP_CSUM, UDP_ZERO_CSUM6_TX, UDP_ZERO_CSUM6_RX, REMCSUM_TX, REMCSUM_RX, LOCALBYPASS,
  PORT_RANGE, RESERVED_BITS, GBP, GPE, REMCSUM_NOPARTIAL, VNIFILTER,
];
/** Reported only when set. */
const OPTIONAL = [GROUP, GROUP6, LINK, LOCAL, LOCAL6, GBP, GPE, REMCSUM_NOPARTIAL, VNIFILTER];

const be16 = (type: number, v: number): LinkAttr => bytes(type, Uint8Array.of(v >> 8, v & 255));

function defaults(): LinkAttr[] {
  return [
    u32(ID, 0), u8(TTL, 0), u8(TTL_INHERIT, 0), u8(TOS, 0), u8(DF, 0), bytes(LABEL, new Uint8Array(4)), u32(LABEL_POLICY, 0),
    u8(LEARNING, 1), u8(PROXY, 0), u8(RSC, 0), u8(L2MISS, 0), u8(L3MISS, 0), u8(COLLECT_METADATA, 0), u32(AGEING, 300),
    u32(LIMIT, 0), be16(PORT, DEFAULT_PORT), u8(UDP_CSUM, 1), u8(UDP_ZERO_CSUM6_TX, 0), u8(UDP_ZERO_CSUM6_RX, 0),
    u8(REMCSUM_TX, 0), u8(REMCSUM_RX, 0), u8(LOCALBYPASS, 1), bytes(PORT_RANGE, new Uint8Array(4)),
    // The bits of the VXLAN header a device does not use (vxlan_fill_info reports them as set).
    bytes(RESERVED_BITS, Uint8Array.of(0xf7, 0xff, 0xff, 0xff, 0, 0, 0, 0xff)),
  ];
}

/** What tells two devices apart for vxlan_config_validate(): VNI, port, receive flags, IPv6. */
function identity(tb: Attrs): string {
  const hex = (t: number) => toHex(tb.get(t) ?? new Uint8Array(0));
  const id = tb.get(ID);
  const port = tb.get(PORT);
  const flag = (t: number) => (tb.has(t) && (tb.get(t)!.length === 0 || tb.get(t)![0] !== 0) ? 1 : 0);
  return [id ? attrU32(id) : 0, port ? hex(PORT) : DEFAULT_PORT.toString(16), ...RCV_FLAGS.map(flag), tb.has(GROUP6) || tb.has(LOCAL6) ? 1 : 0].join(' ');
}

function dataOf(l: SimLink): Attrs {
  return parseAttrs(l.info?.data ? hexBytes(l.info.data) : new Uint8Array(0));
}

export const vxlan: LinkKindOps = {
  kind: 'vxlan', minMtu: 68, maxMtu: 65535, queues: 1, tsoMax: 65536, noOperstate: true,

  /** vxlan_validate(). */
  validate(_tb, data) {
    if (!data) throw new NetlinkError(EINVAL, 'Required attributes not provided to perform the operation');
    const id = parseAttrs(data).get(ID);
    if (id && attrU32(id) >= N_VID) throw new NetlinkError(ERANGE, 'VXLAN ID must be lower than 16777216');
  },

  /** vxlan_newlink(): vxlan_config_validate() first. */
  newlink(ctx, l, _tb, data) {
    const tb = parseAttrs(data ?? new Uint8Array(0));
    const mine = identity(tb);
    if (ctx.host.links.some((x) => x.kind === 'vxlan' && identity(dataOf(x)) === mine)) {
      throw new NetlinkError(EEXIST, 'A VXLAN device with the specified VNI already exists');
    }
    if (data && data.length) l.info = { data: toHex(data) };
    ctx.note(`vxlan ${l.name} created (VNI ${tb.get(ID) ? attrU32(tb.get(ID)!) : 0})`, ['rtnl_newlink', 'vxlan_newlink']);
  },

  /** ETH_HLEN + VXLAN_HEADROOM (IPv4 outer header), or + VXLAN6_HEADROOM with IPv6 or metadata (either may be used). */
  headroom(l) {
    const tb = dataOf(l);
    const flag = (t: number) => tb.has(t) && tb.get(t)![0] !== 0;
    return tb.has(GROUP6) || tb.has(LOCAL6) || flag(COLLECT_METADATA) ? 14 + 70 : 14 + 50;
  },

  fillInfo: (_ctx, l) => ordered(overlay(defaults(), l.info?.data, OPTIONAL), ORDER),
};
