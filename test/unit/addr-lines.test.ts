// `addr show`'s in-place lines (AddressView and addrLineWriter, made while each
// message is in the receive buffer) against the general printer (printAddrInfo)
// on the same dumped messages; also with the buffer off the 4-byte bound, where
// the view reads a copy. The messages carry what the fast line must print as the
// general one does, and what it must leave to it.
import { describe, expect, it } from 'vitest';
import type { LinkRef } from '../../src/backend.js';
import { doAddr } from '../../src/ip/addr.js';
import { address, attr, bytes, dumpBackend, link, mac, runOn, str, u32 } from './dump-backend.js';

const IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_QDISC = 6, IFLA_TXQLEN = 13, IFLA_OPERSTATE = 16, IFLA_ADDRESS = 1, IFLA_BROADCAST = 2;
const IFA = { ADDRESS: 1, LOCAL: 2, LABEL: 3, BROADCAST: 4, ANYCAST: 5, CACHEINFO: 6, FLAGS: 8, RT_PRIORITY: 9 };
const AF_INET = 2, AF_INET6 = 10, UP = 0x1 | 0x2 | 0x40 | 0x1000 | 0x10000;
const SECONDARY = 0x01, NODAD = 0x02, DEPRECATED = 0x20, PERMANENT = 0x80, NOPREFIXROUTE = 0x200;
const FOREVER = 0xffffffff;

const ether = (index: number, name: string) => link(index, 1, UP, [
  attr(IFLA_IFNAME, str(name)), attr(IFLA_TXQLEN, u32(1000)), attr(IFLA_OPERSTATE, bytes(6)), attr(IFLA_MTU, u32(1500)),
  attr(IFLA_QDISC, str('noqueue')), attr(IFLA_ADDRESS, mac(`02:00:00:00:00:0${index}`)), attr(IFLA_BROADCAST, mac('ff:ff:ff:ff:ff:ff')),
]);
const cacheinfo = (prefered: number, valid: number) => attr(IFA.CACHEINFO, new Uint8Array(new Uint32Array([prefered, valid, 100, 200]).buffer));
const v4 = (...b: number[]) => bytes(...b);
const v6 = (last: number) => bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last);

const LINKS = [ether(1, 'lo'), ether(2, 'v0'), ether(3, 'v1')];
const REFS: LinkRef[] = [{ index: 1, name: 'lo', type: 1, flags: UP }, { index: 2, name: 'v0', type: 1, flags: UP }, { index: 3, name: 'v1', type: 1, flags: UP }];

const ADDRS = [
  address(AF_INET, 8, PERMANENT, 254, 1, [attr(IFA.ADDRESS, v4(127, 0, 0, 1)), attr(IFA.LOCAL, v4(127, 0, 0, 1)), attr(IFA.LABEL, str('lo')), attr(IFA.FLAGS, u32(PERMANENT)), cacheinfo(FOREVER, FOREVER)]),
  address(AF_INET, 24, PERMANENT, 0, 2, [attr(IFA.ADDRESS, v4(192, 0, 2, 1)), attr(IFA.LOCAL, v4(192, 0, 2, 1)), attr(IFA.BROADCAST, v4(192, 0, 2, 255)), attr(IFA.LABEL, str('v0')), attr(IFA.FLAGS, u32(PERMANENT)), cacheinfo(FOREVER, FOREVER)]),
  address(AF_INET, 24, SECONDARY | PERMANENT, 0, 2, [attr(IFA.ADDRESS, v4(192, 0, 2, 2)), attr(IFA.LOCAL, v4(192, 0, 2, 2)), attr(IFA.BROADCAST, v4(192, 0, 2, 255)), attr(IFA.LABEL, str('v0:1')), attr(IFA.FLAGS, u32(SECONDARY | PERMANENT)), cacheinfo(FOREVER, FOREVER)]),
  // A peer, a metric, lifetimes that tick.
  address(AF_INET, 32, 0, 0, 3, [attr(IFA.ADDRESS, v4(10, 1, 1, 2)), attr(IFA.LOCAL, v4(10, 1, 1, 1)), attr(IFA.LABEL, str('v1')), attr(IFA.RT_PRIORITY, u32(50)), attr(IFA.FLAGS, u32(0)), cacheinfo(50, 100)]),
  // Scope link, a numeric scope, no broadcast, no label.
  address(AF_INET, 8, PERMANENT, 253, 3, [attr(IFA.ADDRESS, v4(10, 0, 0, 1)), attr(IFA.LOCAL, v4(10, 0, 0, 1)), attr(IFA.FLAGS, u32(PERMANENT)), cacheinfo(FOREVER, FOREVER)]),
  address(AF_INET, 24, PERMANENT, 200, 3, [attr(IFA.ADDRESS, v4(10, 2, 0, 1)), attr(IFA.LOCAL, v4(10, 2, 0, 1)), attr(IFA.LABEL, str('v1')), attr(IFA.FLAGS, u32(PERMANENT)), cacheinfo(FOREVER, FOREVER)]),
  // A deprecated address (preferred 0), IFA_FLAGS beyond the header's byte.
  address(AF_INET, 24, 0, 0, 2, [attr(IFA.ADDRESS, v4(198, 51, 100, 9)), attr(IFA.LOCAL, v4(198, 51, 100, 9)), attr(IFA.LABEL, str('v0')), attr(IFA.FLAGS, u32(DEPRECATED | NOPREFIXROUTE)), cacheinfo(0, 1000)]),
  // IPv6: forever, finite, nodad; an anycast; a label that is not ASCII.
  address(AF_INET6, 64, PERMANENT, 0, 2, [attr(IFA.ADDRESS, v6(1)), attr(IFA.FLAGS, u32(PERMANENT | NODAD)), cacheinfo(FOREVER, FOREVER)]),
  address(AF_INET6, 64, 0, 0, 2, [attr(IFA.ADDRESS, v6(2)), attr(IFA.FLAGS, u32(NOPREFIXROUTE)), cacheinfo(50000, 100000)]),
  address(AF_INET, 24, PERMANENT, 0, 3, [attr(IFA.ADDRESS, v4(203, 0, 113, 5)), attr(IFA.LOCAL, v4(203, 0, 113, 5)), attr(IFA.ANYCAST, v4(203, 0, 113, 6)), attr(IFA.FLAGS, u32(PERMANENT)), cacheinfo(FOREVER, FOREVER)]),
  address(AF_INET, 24, PERMANENT, 0, 3, [attr(IFA.ADDRESS, v4(203, 0, 114, 5)), attr(IFA.LOCAL, v4(203, 0, 114, 5)), attr(IFA.LABEL, str('v1:ü')), attr(IFA.FLAGS, u32(PERMANENT)), cacheinfo(FOREVER, FOREVER)]),
  // A repeated attribute: the first counts.
  address(AF_INET, 24, PERMANENT, 0, 3, [attr(IFA.ADDRESS, v4(203, 0, 116, 5)), attr(IFA.LOCAL, v4(203, 0, 116, 5)), attr(IFA.LOCAL, v4(9, 9, 9, 9)), attr(IFA.FLAGS, u32(PERMANENT))]),
  // An address of a link the dump did not list.
  address(AF_INET, 24, PERMANENT, 0, 9, [attr(IFA.ADDRESS, v4(203, 0, 117, 5)), attr(IFA.LOCAL, v4(203, 0, 117, 5)), attr(IFA.FLAGS, u32(PERMANENT))]),
];

/** The in-place lines equal the general printer's, for the buffer on a 4-byte bound and off it. */
async function same(args: string[], addrs = ADDRS): Promise<string> {
  const show = (inPlace: boolean, at = 0) => runOn(dumpBackend({ links: LINKS, addrs, inPlace, at, refs: REFS }), doAddr, args);
  const general = await show(false);
  expect(await show(true)).toBe(general);
  expect(await show(true, 2)).toBe(general);
  return general;
}

describe('addr show: in-place lines equal printAddrInfo', () => {
  it('every kind of address', async () => {
    const text = await same(['show']);
    expect(text).toContain('    inet 192.0.2.2/24 brd 192.0.2.255 scope global secondary v0:1\n       valid_lft forever preferred_lft forever\n');
    expect(text).toContain('    inet 10.1.1.1 peer 10.1.1.2/32 metric 50 scope global dynamic v1\n       valid_lft 100sec preferred_lft 50sec\n');
    expect(text).toContain('    inet 203.0.116.5/24 scope global');
  });

  it('IFA_FLAGS too short: refused alike', async () => {
    const short = address(AF_INET, 24, PERMANENT, 0, 3, [attr(IFA.ADDRESS, v4(203, 0, 115, 5)), attr(IFA.LOCAL, v4(203, 0, 115, 5)), attr(IFA.FLAGS, bytes(0x80, 0))]);
    expect(await same(['show'], [...ADDRS, short])).toBe('threw: netlink: attribute: 2-byte payload, 4 needed');
  });

  it('filters', async () => {
    for (const args of [['show', 'dev', 'v0'], ['show', 'secondary'], ['show', 'primary'], ['show', 'scope', 'link'], ['show', 'permanent'],
      ['show', 'dynamic'], ['show', '-deprecated'], ['show', 'up'], ['show', 'to', '203.0.0.0/8'], ['show', 'label', 'v0:*']]) {
      await same(args);
    }
  });

  it('a hundred addresses: one run of lines', async () => {
    const many = Array.from({ length: 100 }, (_, i) => address(AF_INET, 16, SECONDARY | PERMANENT, 0, 2, [
      attr(IFA.ADDRESS, v4(10, 20, i >> 8, i & 255)), attr(IFA.LOCAL, v4(10, 20, i >> 8, i & 255)), attr(IFA.BROADCAST, v4(10, 20, 255, 255)),
      attr(IFA.LABEL, str('v0')), attr(IFA.FLAGS, u32(SECONDARY | PERMANENT)), cacheinfo(FOREVER, FOREVER),
    ]));
    // Under 16 KiB a run is copied (a longer one goes to stdout directly, which take() does not see).
    expect((await same(['show'], many)).split('\n').length).toBe(2 * 3 + 2 * 100 + 1);
  });
});
