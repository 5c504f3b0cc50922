// `link show`'s fast lines (LinkTable, src/ip/link-lines.ts) against the general
// printer (printLinkInfo) on the same dumped messages: a backend that offers
// rtDumpInPlace gets the fast path, the same backend without it the general one.
// The messages are made here byte by byte, with what a kernel rarely sends:
// a repeated attribute, a number too short for its type, a name that is not
// ASCII, attributes that send a line to the general printer, a buffer that does
// not start on a 4-byte bound.
import { describe, expect, it } from 'vitest';
import type { LinkRef } from '../../src/backend.js';
import { doLink } from '../../src/ip/link.js';
import { attr, dumpBackend, link, mac, runOn, str, u32 } from './dump-backend.js';

const IFLA = { ADDRESS: 1, BROADCAST: 2, IFNAME: 3, MTU: 4, LINK: 5, QDISC: 6, MASTER: 10, TXQLEN: 13, OPERSTATE: 16, LINKMODE: 17, IFALIAS: 20, GROUP: 27, PROTO_DOWN: 39, EVENT: 44, LINK_NETNSID: 37, PROP_LIST: 52, PERM_ADDRESS: 54 };
const IFF_UP = 1, IFF_BROADCAST = 2, IFF_LOOPBACK = 8, IFF_POINTOPOINT = 0x10, IFF_RUNNING = 0x40, IFF_MULTICAST = 0x1000, IFF_LOWER_UP = 0x10000;

/** The common attributes of an Ethernet-like link, in the kernel's order; `extra` goes after the addresses. */
function ether(index: number, name: string, flags: number, more: { link?: number; master?: number; qdisc?: string; oper?: number; extra?: Uint8Array[] } = {}): Uint8Array {
  return link(index, 1, flags, [
    attr(IFLA.IFNAME, str(name)), attr(IFLA.TXQLEN, u32(1000)), attr(IFLA.OPERSTATE, new Uint8Array([more.oper ?? 2])),
    attr(IFLA.LINKMODE, new Uint8Array([0])), attr(IFLA.MTU, u32(1500)), attr(IFLA.GROUP, u32(0)),
    ...(more.master !== undefined ? [attr(IFLA.MASTER, u32(more.master))] : []),
    attr(IFLA.QDISC, str(more.qdisc ?? 'noqueue')), attr(IFLA.PROTO_DOWN, new Uint8Array([0])),
    attr(IFLA.ADDRESS, mac(`02:00:00:00:00:${index.toString(16).padStart(2, '0')}`)), attr(IFLA.BROADCAST, mac('ff:ff:ff:ff:ff:ff')),
    ...(more.link !== undefined ? [attr(IFLA.LINK, u32(more.link))] : []),
    ...(more.extra ?? []),
  ]);
}

const UP = IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING | IFF_LOWER_UP;

/** The fast lines equal the general printer's, for the buffer on a 4-byte bound and off it. */
async function same(links: Uint8Array[], args: string[] = [], refs: LinkRef[] = []): Promise<string> {
  const show = (inPlace: boolean, at = 0) => runOn(dumpBackend({ links, inPlace, at, refs }), doLink, ['show', ...args]);
  const general = await show(false);
  expect(await show(true)).toBe(general);
  expect(await show(true, 2)).toBe(general);
  return general;
}

describe('link show: LinkTable lines equal printLinkInfo', () => {
  const lo = link(1, 772, IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP, [
    attr(IFLA.IFNAME, str('lo')), attr(IFLA.TXQLEN, u32(1000)), attr(IFLA.OPERSTATE, new Uint8Array([0])),
    attr(IFLA.LINKMODE, new Uint8Array([0])), attr(IFLA.MTU, u32(65536)), attr(IFLA.GROUP, u32(0)),
    attr(IFLA.QDISC, str('noqueue')), attr(IFLA.ADDRESS, new Uint8Array(6)), attr(IFLA.BROADCAST, new Uint8Array(6)),
  ]);

  it('veth pairs, a master, a peer missing from the dump', async () => {
    const text = await same([
      lo,
      ether(2, 'v0', UP, { link: 3, oper: 6 }), ether(3, 'v1', UP, { link: 2, master: 4, oper: 6 }),
      ether(4, 'br0', UP, { oper: 6 }), ether(5, 'v2', IFF_BROADCAST | IFF_MULTICAST, { link: 9, qdisc: 'noop' }),
    ]);
    expect(text).toContain('3: v1@v0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP mode DEFAULT group default qlen 1000\n');
    expect(text).toContain('5: v2@if9: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT');
  });

  it('a repeated attribute: the first counts', async () => {
    const m = ether(2, 'v0', UP, { extra: [attr(IFLA.MTU, u32(9000)), attr(IFLA.IFNAME, str('other')), attr(IFLA.ADDRESS, mac('aa:bb:cc:dd:ee:ff'))] });
    expect(await same([lo, m])).toContain('2: v0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ');
  });

  it('a number too short for its type: refused alike', async () => {
    expect(await same([lo, link(2, 1, UP, [attr(IFLA.IFNAME, str('short')), attr(IFLA.MTU, new Uint8Array([1, 2]))])]))
      .toBe('threw: netlink: attribute: 2-byte payload, 4 needed');
  });

  it('lines the general printer makes: a non-ASCII name, alias, altname, netnsid, permaddr, no qlen', async () => {
    await same([
      lo,
      link(2, 1, UP, [attr(IFLA.IFNAME, str('noqlen')), attr(IFLA.MTU, u32(1500))]),
      ether(3, 'ü0', UP),
      ether(4, 'al', UP, { extra: [attr(IFLA.IFALIAS, str('the alias'))] }),
      ether(5, 'alt', UP, { extra: [attr(IFLA.PROP_LIST | 0x8000, attr(53, str('alternative')))] }),
      ether(6, 'ns', UP, { link: 7, extra: [attr(IFLA.LINK_NETNSID, u32(0))] }),
      ether(8, 'perm', UP, { extra: [attr(IFLA.PERM_ADDRESS, mac('02:11:22:33:44:55'))] }),
      ether(9, 'peer@', UP, { link: 3 }),
    ]);
  });

  it('point-to-point, events, protodown, odd link-layer addresses', async () => {
    await same([
      lo,
      link(2, 65534, IFF_UP | IFF_POINTOPOINT | IFF_RUNNING, [
        attr(IFLA.IFNAME, str('tun0')), attr(IFLA.MTU, u32(1500)), attr(IFLA.QDISC, str('fq_codel')), attr(IFLA.OPERSTATE, new Uint8Array([0])),
      ]),
      link(3, 768, IFF_UP | IFF_POINTOPOINT, [
        attr(IFLA.IFNAME, str('ipip0')), attr(IFLA.MTU, u32(1480)), attr(IFLA.ADDRESS, new Uint8Array([10, 0, 0, 1])),
        attr(IFLA.BROADCAST, new Uint8Array([10, 0, 0, 2])), attr(IFLA.LINK, u32(0)),
      ]),
      ether(4, 'pd', UP, { oper: 99, extra: [attr(IFLA.EVENT, u32(3)), attr(IFLA.PROTO_DOWN, new Uint8Array([1]))] }),
      link(5, 1, UP, [attr(IFLA.IFNAME, str('pd2')), attr(IFLA.PROTO_DOWN, new Uint8Array([1])), attr(IFLA.EVENT, u32(77)), attr(IFLA.GROUP, u32(0xffffffff))]),
    ]);
  });

  it('filters: up, master, group', async () => {
    const dump = [lo, ether(2, 'v0', UP, { master: 4 }), ether(3, 'v1', IFF_BROADCAST, { master: 4 }), ether(4, 'br0', UP)];
    await same(dump, ['up']);
    await same(dump, ['master', 'br0'], [{ index: 4, name: 'br0', type: 1, flags: UP }]);
    await same(dump, ['group', 'default']);
  });

  it('many links: the tables grow', async () => {
    const dump = [lo];
    // 300 links: past the first sizes of the row table and of the kept bytes, within one output buffer (64 KiB).
    for (let i = 2; i < 300; i++) dump.push(ether(i, `a${i}`, UP, { link: i ^ 1, oper: 6 }));
    expect((await same(dump)).split('\n').length).toBe(2 * 299 + 1); // lo and 298 more: two lines each
  });
});
