// Saved netlink messages for `monitor file` tests: iproute2 testsuite's
// tools/generate_nlmsg.c (an SR-IOV link with two VFs, dev_wo_vf_rate.nl),
// written here byte for byte, with optional VF settings for wider checks.
const IFLA = { ADDRESS: 1, BROADCAST: 2, IFNAME: 3, MTU: 4, QDISC: 6, TXQLEN: 13, OPERSTATE: 16, LINKMODE: 17, NUM_VF: 21, VFINFO_LIST: 22, GROUP: 27, PROMISCUITY: 30, NUM_TX_QUEUES: 31, NUM_RX_QUEUES: 32, CARRIER: 33 };
const VF = { INFO: 1, MAC: 1, VLAN: 2, TX_RATE: 3, SPOOFCHK: 4, LINK_STATE: 5, RATE: 6, TRUST: 9 };

function attr(type: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(4 + value.length, 0);
  h.writeUInt16LE(type, 2);
  return Buffer.concat([h, value, Buffer.alloc((-value.length) & 3)]);
}
const u32s = (...v: number[]) => {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32LE(x >>> 0, 4 * i));
  return b;
};
const u8 = (v: number) => Buffer.from([v]);
const strz = (s: string) => Buffer.from(`${s}\0`);

export interface VfOptions { vlan?: number; qos?: number; txRate?: number; rate?: [number, number]; trust?: number; linkState?: number; numVf?: number }

/** RTM_NEWLINK for ifindex 1 "eth0", ARPHRD_ETHER, up and running, with two VFs. */
export function vfLinkMessage(o: VfOptions = {}): Buffer {
  const mac = Buffer.from([0x00, 0x26, 0x6c, 0xff, 0xb5, 0xc0]);
  const vf = (n: number) => attr(VF.INFO, Buffer.concat([
    attr(VF.MAC, Buffer.concat([u32s(n), mac, Buffer.alloc(26)])),
    attr(VF.VLAN, u32s(n, o.vlan ?? 0, o.qos ?? 0)),
    attr(VF.TX_RATE, u32s(n, o.txRate ?? 0)),
    ...(o.rate ? [attr(VF.RATE, u32s(n, o.rate[0], o.rate[1]))] : []),
    attr(VF.SPOOFCHK, u32s(n, 1)),
    attr(VF.LINK_STATE, u32s(n, o.linkState ?? 0)),
    ...(o.trust !== undefined ? [attr(VF.TRUST, u32s(n, o.trust))] : []),
  ]));
  const attrs = Buffer.concat([
    attr(IFLA.IFNAME, strz('eth0')), attr(IFLA.TXQLEN, u32s(10000)), attr(IFLA.OPERSTATE, u8(6)), attr(IFLA.LINKMODE, u8(0)),
    attr(IFLA.MTU, u32s(9000)), attr(IFLA.GROUP, u32s(0)), attr(IFLA.PROMISCUITY, u32s(0)), attr(IFLA.NUM_TX_QUEUES, u32s(8)),
    attr(IFLA.NUM_RX_QUEUES, u32s(8)), attr(IFLA.CARRIER, u8(1)), attr(IFLA.QDISC, strz('mq')), attr(IFLA.ADDRESS, mac),
    attr(IFLA.BROADCAST, Buffer.alloc(6, 0xff)), attr(IFLA.NUM_VF, u32s(o.numVf ?? 2)), attr(IFLA.VFINFO_LIST, Buffer.concat([vf(0), vf(1)])),
  ]);
  // ifinfomsg: family 0, type ARPHRD_ETHER, index 1, IFF_UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP.
  const ifi = Buffer.alloc(16);
  ifi.writeUInt16LE(1, 2);
  ifi.writeInt32LE(1, 4);
  ifi.writeUInt32LE(0x1 | 0x2 | 0x40 | 0x1000 | 0x10000, 8);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + ifi.length + attrs.length, 0);
  h.writeUInt16LE(16, 4); // RTM_NEWLINK
  return Buffer.concat([h, ifi, attrs]);
}
