// The rtnetlink codec (src/wire) without a kernel: fixed byte vectors taken
// apart and put back together, truncated input, and the attribute rules of
// issue #17 item 7 (no silent miscoding of long payloads, the first of a
// repeated type, no garbage from short payloads).
import { describe, expect, it } from 'vitest';
import {
  AF_INET, IFINFOMSG_LEN, IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINKINFO, NDA_DST, NDA_LLADDR, NDMSG_LEN,
  NLMSGERR_ATTR_MSG, NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_CREATE, NLM_F_EXCL,
  NLM_F_REQUEST, NUD_PERMANENT, RTM_NEWLINK, RTM_NEWNEIGH,
} from '../../src/wire/rtnl-constants.js';
import {
  AttrList, AttrWriter, NLA_MAX_PAYLOAD, attrS32, attrStr, attrU16, attrU32, attrU8, encodeAttrs, encodeBitfield32,
  parseAttrs,
} from '../../src/wire/nlattr.js';
import {
  MessageWriter, emitIfaddrmsg, emitIfinfomsg, emitNdmsg, emitNlmsghdr, nlmsgCheck, parseIfaddrmsg, parseIfinfomsg,
  parseNdmsg, parseNlmsgerr, parseNlmsghdr,
} from '../../src/wire/nlmsg.js';
import { WireError, isWireError } from '../../src/wire/error.js';
import { decodeNeighbour } from '../../src/kernel/neigh.js';

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// RTM_NEWNEIGH: 10.0.0.3 lladdr 00:00:00:00:00:01 dev ifindex 2 PERMANENT, type RTN_UNICAST.
const NEIGH = hex(`30000000 1c00 0000 00000000 00000000
  02000000 02000000 8000 00 01
  08000100 0a000003
  0a000200 00000000 00010000`);

// RTM_NEWLINK as strace saw ip 6.1 send `ip link add bond0 type bond mode active-backup miimon 100`
// (/work/shared/reference/bond/strace-ip-link-add-bond-hex.txt).
const BOND_ADD = hex(`4c000000 1000 0506 7de7026b 00000000
  00000000 00000000 00000000 00000000
  0a000300 626f6e64 30000000 20001200
  08000100 626f6e64 14000200 05000100
  01000000 08000300 64000000`);

describe('nlmsghdr', () => {
  it('parses and emits the header of a fixed message', () => {
    const h = parseNlmsghdr(BOND_ADD);
    expect(h).toEqual({ len: 76, type: RTM_NEWLINK, flags: 0x605, seq: 0x6b02e77d, pid: 0 });
    const out = new Uint8Array(16);
    emitNlmsghdr(h as Exclude<typeof h, WireError>, out);
    expect(toHex(out)).toBe(toHex(BOND_ADD.subarray(0, 16)));
    expect(nlmsgCheck(BOND_ADD, 0)).toBe(76);
  });

  it('gives a typed error for a truncated or lying header', () => {
    const short = parseNlmsghdr(BOND_ADD.subarray(0, 15));
    expect(isWireError(short) && short.kind).toBe('truncated');
    const cut = nlmsgCheck(BOND_ADD.subarray(0, 75), 0);
    expect(isWireError(cut) && cut.kind).toBe('truncated');
    const tiny = Uint8Array.from(BOND_ADD);
    tiny[0] = 8;
    expect(isWireError(nlmsgCheck(tiny, 0)) && (nlmsgCheck(tiny, 0) as WireError).kind).toBe('malformed');
  });
});

describe('RTM_NEWNEIGH', () => {
  it('takes apart ndmsg, NDA_DST and NDA_LLADDR', () => {
    expect(nlmsgCheck(NEIGH, 0)).toBe(NEIGH.length);
    expect(parseNdmsg(NEIGH, NLMSG_HDRLEN)).toEqual({ family: AF_INET, ifindex: 2, state: NUD_PERMANENT, flags: 0, type: 1 });
    const tb = new AttrList(NEIGH, NLMSG_HDRLEN + NDMSG_LEN);
    expect(tb.count).toBe(2);
    expect(Array.from(tb.get(NDA_DST)!)).toEqual([10, 0, 0, 3]);
    expect(Array.from(tb.get(NDA_LLADDR)!)).toEqual([0, 0, 0, 0, 0, 1]);
    const n = decodeNeighbour(NEIGH, 0, NEIGH.length)!;
    expect([n.family, n.ifindex, n.state, n.type, Array.from(n.dst!), Array.from(n.lladdr!)])
      .toEqual([AF_INET, 2, NUD_PERMANENT, 1, [10, 0, 0, 3], [0, 0, 0, 0, 0, 1]]);
  });

  it('is built back byte for byte', () => {
    const w = new MessageWriter(RTM_NEWNEIGH, 0, new Uint8Array(8)); // too small: the writer grows it
    w.ndmsg({ family: AF_INET, ifindex: 2, state: NUD_PERMANENT, flags: 0, type: 1 });
    w.attr(NDA_DST, Uint8Array.of(10, 0, 0, 3)).attr(NDA_LLADDR, Uint8Array.of(0, 0, 0, 0, 0, 1));
    expect(toHex(w.finish())).toBe(toHex(NEIGH));
  });

  it('refuses a truncated ndmsg with a typed error', () => {
    const e = parseNdmsg(NEIGH.subarray(0, NLMSG_HDRLEN + NDMSG_LEN - 1), NLMSG_HDRLEN);
    expect(e).toBeInstanceOf(WireError);
    expect((e as WireError).kind).toBe('truncated');
    expect(decodeNeighbour(NEIGH, 0, NLMSG_HDRLEN + NDMSG_LEN - 1)).toBeUndefined();
  });

  it('stops at an attribute that runs past the end, as RTA_OK does', () => {
    const cut = NEIGH.subarray(0, NEIGH.length - 4);
    const tb = new AttrList(cut, NLMSG_HDRLEN + NDMSG_LEN);
    expect(tb.count).toBe(1);
    expect(tb.has(NDA_LLADDR)).toBe(false);
  });
});

describe('RTM_NEWLINK with a nested IFLA_LINKINFO', () => {
  it('takes apart ifinfomsg and the nests', () => {
    expect(parseIfinfomsg(BOND_ADD, NLMSG_HDRLEN)).toEqual({ family: 0, type: 0, index: 0, flags: 0, change: 0 });
    const tb = new AttrList(BOND_ADD, NLMSG_HDRLEN + IFINFOMSG_LEN);
    expect(tb.str(IFLA_IFNAME)).toBe('bond0');
    const info = parseAttrs(tb.get(IFLA_LINKINFO)!);
    expect(attrStr(info.get(IFLA_INFO_KIND)!)).toBe('bond');
    const data = parseAttrs(info.get(IFLA_INFO_DATA)!);
    expect([...data].map(([t, v]) => [t, Array.from(v)])).toEqual([[1, [1]], [3, [100, 0, 0, 0]]]);
  });

  it('is built back byte for byte from its representation', () => {
    const w = new MessageWriter(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    w.ifinfomsg({ family: 0, type: 0, index: 0, flags: 0, change: 0 }).attrStr(IFLA_IFNAME, 'bond0').attrs([
      { type: IFLA_LINKINFO, kind: 'nest', value: [
        { type: IFLA_INFO_KIND, kind: 'bytes', value: Buffer.from('bond') },
        { type: IFLA_INFO_DATA, kind: 'nest', value: [{ type: 1, kind: 'u8', value: 1 }, { type: 3, kind: 'u32', value: 100 }] },
      ] },
    ]);
    const got = w.finish();
    emitNlmsghdr({ len: got.length, type: RTM_NEWLINK, flags: 0x605, seq: 0x6b02e77d, pid: 0 }, got);
    expect(toHex(got)).toBe(toHex(BOND_ADD));
  });
});

describe('fixed headers round-trip', () => {
  it('ifinfomsg, ifaddrmsg and ndmsg', () => {
    const b = new Uint8Array(16);
    const ifi = { family: 10, type: 1, index: -1, flags: 0x11043, change: 0xffffffff };
    emitIfinfomsg(ifi, b);
    expect(parseIfinfomsg(b)).toEqual(ifi);
    const ifa = { family: 2, prefixlen: 24, flags: 0x80, scope: 253, index: 7 };
    emitIfaddrmsg(ifa, b);
    expect(parseIfaddrmsg(b)).toEqual(ifa);
    expect(isWireError(parseIfaddrmsg(b.subarray(0, 7)))).toBe(true);
    const ndm = { family: 2, ifindex: 3, state: 2, flags: 8, type: 1 };
    emitNdmsg(ndm, b);
    expect(parseNdmsg(b)).toEqual(ndm);
  });
});

describe('NLMSG_ERROR', () => {
  it('reads the errno and the extended-ACK text of a capped error', () => {
    const w = new AttrWriter(new Uint8Array(64), NLMSG_HDRLEN + 4 + NLMSG_HDRLEN);
    w.attrStr(NLMSGERR_ATTR_MSG, 'Invalid argument here');
    const b = w.bytes();
    emitNlmsghdr({ len: b.length, type: NLMSG_ERROR, flags: NLM_F_CAPPED | NLM_F_ACK_TLVS, seq: 1, pid: 0 }, b);
    new DataView(b.buffer).setInt32(NLMSG_HDRLEN, -22, true);
    expect(parseNlmsgerr(b, 0, b.length)).toEqual({ error: -22, extack: 'Invalid argument here' });
    expect(isWireError(parseNlmsgerr(b, 0, NLMSG_HDRLEN + 3))).toBe(true);
  });
});

describe('attributes (issue #17 item 7)', () => {
  it('refuses a payload over 65,531 bytes instead of miscoding it', () => {
    expect(NLA_MAX_PAYLOAD).toBe(65531);
    const ok = encodeAttrs([{ type: 7, kind: 'bytes', value: new Uint8Array(65531).fill(0xab) }]);
    const back = parseAttrs(ok).get(7)!;
    expect(back.length).toBe(65531);
    expect(back.every((x) => x === 0xab)).toBe(true);
    for (const n of [65532, 65537]) {
      expect(() => encodeAttrs([{ type: 7, kind: 'bytes', value: new Uint8Array(n) }])).toThrow(WireError);
    }
    expect(() => new AttrWriter().attr(7, new Uint8Array(65532))).toThrow(/does not fit/);
  });

  it('refuses a nest that outgrows a 16-bit length', () => {
    const big = { type: 1, kind: 'bytes' as const, value: new Uint8Array(40000) };
    expect(() => encodeAttrs([{ type: 2, kind: 'nest', value: [big, big] }])).toThrow(WireError);
  });

  it('keeps the first of a repeated type, as iproute2 parse_rtattr_flags does', () => {
    const b = encodeAttrs([{ type: 3, kind: 'u32', value: 1 }, { type: 3, kind: 'u32', value: 2 }]);
    const tb = parseAttrs(b);
    expect(attrU32(tb.get(3)!)).toBe(1);
    expect(tb.u32(3)).toBe(1);
    // Iteration still sees both.
    expect([...tb].map(([, v]) => attrU32(v))).toEqual([1, 2]);
  });

  it('finds types of 64 and over by walking, and the kernel decoder keeps the first too', () => {
    const tb = parseAttrs(encodeAttrs([{ type: 100, kind: 'u32', value: 7 }, { type: 100, kind: 'u32', value: 8 }, { type: 63, kind: 'u8', value: 1 }]));
    expect(tb.u32(100)).toBe(7);
    expect(tb.u8(63)).toBe(1);
    expect(tb.count).toBe(3);
    const twice = new MessageWriter(RTM_NEWNEIGH, 0).ndmsg({ family: AF_INET, ifindex: 2, state: NUD_PERMANENT, flags: 0, type: 1 })
      .attr(NDA_DST, Uint8Array.of(10, 0, 0, 1)).attr(NDA_DST, Uint8Array.of(10, 0, 0, 2)).finish();
    expect(Array.from(decodeNeighbour(twice, 0, twice.length)!.dst!)).toEqual([10, 0, 0, 1]);
  });

  it('refuses short payloads in the number getters', () => {
    const b = encodeAttrs([{ type: 1, kind: 'bytes', value: Uint8Array.of(1, 2, 3) }, { type: 2, kind: 'bytes', value: new Uint8Array(0) }]);
    const tb = parseAttrs(b);
    expect(() => attrU32(tb.get(1)!)).toThrow(WireError);
    expect(() => attrS32(tb.get(1)!)).toThrow(WireError);
    expect(() => tb.u32(1)).toThrow(WireError);
    expect(attrU16(tb.get(1)!)).toBe(0x0201);
    expect(() => attrU16(tb.get(2)!)).toThrow(WireError);
    expect(() => attrU8(tb.get(2)!)).toThrow(WireError);
    expect(tb.u32(9)).toBeUndefined();
  });

  it('encodes u8/u16/u32 in host order with zeroed padding, and bitfield32', () => {
    const dirty = new Uint8Array(64).fill(0xee);
    const w = new AttrWriter(dirty).attrU8(1, 5).attrU16(2, 0x1234).attrU32(3, 0xdeadbeef);
    expect(toHex(w.bytes())).toBe('050001000500000006000200341200000800030' + '0efbeadde');
    expect(toHex(encodeBitfield32(0x1, 0x3))).toBe('0100000003000000');
  });
});
