// The model's FIB (src/sim/fib.ts, fib-netlink.ts): the routes addresses
// make, the dump order of both families, fib_table_insert()'s flag rules,
// fib_create_info()'s refusals, lookups and `route get`, the removals the
// kernel makes by itself, the state file, and traffic choosing its next hop
// by route. test/kernel/sim-route-fidelity.test.ts holds the same against
// the kernel.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RtMessage, type RtRequest } from '../../src/backend.js';
import { SimBackend } from '../../src/sim/backend.js';
import { defaultWorld, ethernet } from '../../src/sim/lan.js';
import { fibLookup, fibRoutes, routeOrder } from '../../src/sim/fib.js';
import { load, save } from '../../src/sim/store.js';
import { Engine } from '../../src/sim/engine.js';
import { lookup } from '../../src/sim/neighbour.js';
import type { SimRoute, World } from '../../src/sim/world.js';
import { type LinkAttr, attrU32 } from '../../src/wire/nlattr.js';
import { formatAddress } from '../../src/lib/inet.js';
import { refusal } from './refusal.js';

const AF_INET = 2, AF_INET6 = 10;
const RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26, RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_NEWLINK = 16;
const NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_APPEND = 0x800;
const RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_PREFSRC = 7, RTA_TABLE = 15;
const IFA_LOCAL = 2;

const dir = mkdtempSync(join(tmpdir(), 'tsnet-fib-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bytes(family: number, text: string): Uint8Array {
  if (family === AF_INET) return Uint8Array.from(text.split('.').map(Number));
  const [a, b = ''] = text.split('::');
  const part = (x: string) => (x ? x.split(':') : []);
  const head = part(a), tail = text.includes('::') ? part(b) : [];
  const all = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
  return Uint8Array.from(all.flatMap((h) => [parseInt(h, 16) >> 8, parseInt(h, 16) & 0xff]));
}

function rtmsg(family: number, dstLen: number, o: { table?: number; protocol?: number; scope?: number; type?: number; flags?: number } = {}): Uint8Array {
  const h = Uint8Array.of(family, dstLen, 0, 0, o.table ?? 254, o.protocol ?? 3, o.scope ?? 0, o.type ?? 1, 0, 0, 0, 0);
  new DataView(h.buffer).setUint32(8, o.flags ?? 0, true);
  return h;
}

/** `192.0.2.0/24 via 10.0.0.1 dev 2 metric 5 src A table 100` as ip sends it (add unless said). */
function route(text: string, flags = NLM_F_CREATE | NLM_F_EXCL, type = RTM_NEWROUTE): RtRequest {
  const w = text.split(' ');
  const [dst, plen] = w[0] === 'default' ? ['', '0'] : w[0].split('/');
  const family = text.includes(':') ? AF_INET6 : AF_INET;
  const attrs: LinkAttr[] = dst ? [{ type: RTA_DST, kind: 'bytes', value: bytes(family, dst) }] : [];
  let table = 254, scope = 0, rtype = 1;
  for (let i = 1; i < w.length; i += 2) {
    const [k, v] = [w[i], w[i + 1]];
    if (k === 'via') attrs.push({ type: RTA_GATEWAY, kind: 'bytes', value: bytes(family, v) });
    if (k === 'dev') attrs.push({ type: RTA_OIF, kind: 'u32', value: Number(v) });
    if (k === 'metric') attrs.push({ type: RTA_PRIORITY, kind: 'u32', value: Number(v) });
    if (k === 'src') attrs.push({ type: RTA_PREFSRC, kind: 'bytes', value: bytes(family, v) });
    if (k === 'table') table = Number(v);
    if (k === 'scope') scope = Number(v);
    if (k === 'type') rtype = Number(v);
  }
  if (table > 255) attrs.push({ type: RTA_TABLE, kind: 'u32', value: table });
  if (type === RTM_DELROUTE) [scope, rtype] = [255, 0];
  return { type, flags, header: rtmsg(family, Number(plen ?? (family === AF_INET ? 32 : 128)), { table: table > 255 ? 252 : table, scope, type: rtype, protocol: type === RTM_DELROUTE ? 0 : 3 }), attrs };
}

const del = (text: string) => route(text, 0, RTM_DELROUTE);

function model(w: World = defaultWorld()): SimBackend {
  return new SimBackend(w, 'host');
}

/** A dump as "table dst/plen [via gw] [dev N] [src S] [metric M] type T scope S flags F" lines. */
function dump(b: SimBackend, family: number): string[] {
  const out: string[] = [];
  b.rtDump({ type: RTM_GETROUTE, flags: 0, header: rtmsg(family, 0, { table: 0, protocol: 0, type: 0 }), attrs: [] }, (m) => out.push(line(m)));
  return out;
}

function line(m: RtMessage): string {
  const h = m.header;
  const fam = h[0];
  const a = (t: number) => m.attrs.get(t);
  const dst = a(RTA_DST) ? formatAddress(fam, a(RTA_DST)!) : 'default';
  const parts = [String(attrU32(a(RTA_TABLE)!)), h[1] ? `${dst}/${h[1]}` : dst];
  if (a(RTA_GATEWAY)) parts.push(`via ${formatAddress(fam, a(RTA_GATEWAY)!)}`);
  if (a(RTA_OIF)) parts.push(`dev ${attrU32(a(RTA_OIF)!)}`);
  if (a(RTA_PREFSRC)) parts.push(`src ${formatAddress(fam, a(RTA_PREFSRC)!)}`);
  if (a(RTA_PRIORITY)) parts.push(`metric ${attrU32(a(RTA_PRIORITY)!)}`);
  parts.push(`proto ${h[5]} scope ${h[6]} type ${h[7]}`);
  const flags = new DataView(h.buffer, h.byteOffset, 12).getUint32(8, true);
  if (flags) parts.push(`flags ${flags}`);
  return parts.join(' ');
}

function addAddr(b: SimBackend, family: number, text: string, plen: number, index = 2, flags = NLM_F_CREATE | NLM_F_EXCL): void {
  const h = Uint8Array.of(family, plen, family === AF_INET6 ? 2 : 0, 0, index, 0, 0, 0);
  b.rtRequest({ type: RTM_NEWADDR, flags, header: h, attrs: [{ type: IFA_LOCAL, kind: 'bytes', value: bytes(family, text) }] });
}

function delAddr(b: SimBackend, text: string, plen: number, index = 2): void {
  const h = Uint8Array.of(AF_INET, plen, 0, 0, index, 0, 0, 0);
  b.rtRequest({ type: RTM_DELADDR, flags: 0, header: h, attrs: [{ type: IFA_LOCAL, kind: 'bytes', value: bytes(AF_INET, text) }] });
}

function get(b: SimBackend, dst: string, flags = 0): string {
  const family = dst.includes(':') ? AF_INET6 : AF_INET;
  const h = Uint8Array.of(family, family === AF_INET ? 32 : 128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  new DataView(h.buffer).setUint32(8, flags, true);
  return line(b.rtRequest({ type: RTM_GETROUTE, flags: 0, header: h, attrs: [{ type: RTA_DST, kind: 'bytes', value: bytes(family, dst) }] })[0]);
}

describe('the routes an address makes (fib_add_ifaddr, addrconf)', () => {
  it('gives the starting host its local, broadcast, connected and default routes, in dump order', () => {
    expect(dump(model(), AF_INET)).toEqual([
      '254 default via 10.0.0.1 dev 2 proto 3 scope 0 type 1',
      '254 10.0.0.0/24 dev 2 src 10.0.0.2 proto 2 scope 253 type 1',
      '255 10.0.0.2/32 dev 2 src 10.0.0.2 proto 2 scope 254 type 2',
      '255 10.0.0.255/32 dev 2 src 10.0.0.2 proto 2 scope 253 type 3',
      '255 127.0.0.0/8 dev 1 src 127.0.0.1 proto 2 scope 254 type 2',
      '255 127.0.0.1/32 dev 1 src 127.0.0.1 proto 2 scope 254 type 2',
      '255 127.255.255.255/32 dev 1 src 127.0.0.1 proto 2 scope 253 type 3',
    ]);
    expect(dump(model(), AF_INET6)).toEqual([
      '254 fe80::/64 dev 2 metric 256 proto 2 scope 0 type 1',
      '255 ::1/128 dev 1 metric 0 proto 2 scope 0 type 2',
      '255 fe80::ff:fe00:2/128 dev 2 metric 0 proto 2 scope 0 type 2',
      '255 ff00::/8 dev 2 metric 256 proto 2 scope 0 type 5',
    ]);
  });

  it('routes a secondary with its primary\'s source, and none of its own prefix; /31 and /32 make no broadcast', () => {
    const b = model();
    addAddr(b, AF_INET, '10.0.0.10', 24);
    addAddr(b, AF_INET, '10.9.0.1', 31);
    addAddr(b, AF_INET, '10.8.0.1', 32);
    const v4 = dump(b, AF_INET);
    expect(v4).toContain('255 10.0.0.10/32 dev 2 src 10.0.0.2 proto 2 scope 254 type 2');
    expect(v4.filter((l) => l.includes('10.0.0.0/24'))).toHaveLength(1);
    expect(v4).toContain('254 10.9.0.0/31 dev 2 src 10.9.0.1 proto 2 scope 253 type 1');
    expect(v4.some((l) => l.startsWith('255 10.9.0.1/32'))).toBe(true);
    expect(v4.some((l) => l.includes('10.9.0.1/32') && l.endsWith('type 3'))).toBe(false);
    expect(v4.some((l) => l.includes('10.8.0.') && l.startsWith('254'))).toBe(false);
  });

  it('moves the routes to the promoted address, or drops them with the secondaries', () => {
    for (const promote of [0, 1]) {
      const w = defaultWorld();
      w.hosts[0].links[1].params.promote_secondaries = promote;
      const b = model(w);
      addAddr(b, AF_INET, '10.0.0.10', 24);
      delAddr(b, '10.0.0.2', 24);
      const v4 = dump(b, AF_INET);
      expect(v4.some((l) => l.includes('10.0.0.0/24 dev 2 src 10.0.0.10'))).toBe(promote === 1);
      expect(v4.some((l) => l.includes('10.0.0.10/32'))).toBe(promote === 1);
    }
  });

  it('keeps only the local routes of a down link, and makes them for an address added while down', () => {
    const b = model();
    b.rtRequest({ type: RTM_NEWLINK, flags: 0, header: Uint8Array.of(0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), attrs: [] });
    addAddr(b, AF_INET, '10.5.0.1', 24);
    const v4 = dump(b, AF_INET).filter((l) => l.includes('dev 2'));
    expect(v4).toEqual([
      '255 10.0.0.2/32 dev 2 src 10.0.0.2 proto 2 scope 254 type 2',
      '255 10.5.0.1/32 dev 2 src 10.5.0.1 proto 2 scope 254 type 2',
    ]);
  });
});

describe('route requests (fib_table_insert, fib_create_info, fib_table_delete)', () => {
  it('orders by flags: add refuses a second route of the same prefix and metric, prepend and append place it', () => {
    const b = model();
    b.rtRequest(route('192.0.2.0/24 via 10.0.0.1'));
    expect(refusal(() => b.rtRequest(route('192.0.2.0/24 via 10.0.0.3')))).toEqual({ errno: 17, extack: undefined });
    b.rtRequest(route('192.0.2.0/24 via 10.0.0.3', NLM_F_CREATE | NLM_F_APPEND));
    b.rtRequest(route('192.0.2.0/24 via 10.0.0.4', NLM_F_CREATE));
    b.rtRequest(route('192.0.2.0/24 via 10.0.0.5 metric 9'));
    expect(refusal(() => b.rtRequest(route('192.0.2.0/24 via 10.0.0.4', NLM_F_CREATE)))).toEqual({ errno: 17, extack: undefined });
    expect(dump(b, AF_INET).filter((l) => l.includes('192.0.2.0')).map((l) => l.split(' ').slice(1, 4).join(' '))).toEqual([
      '192.0.2.0/24 via 10.0.0.4', '192.0.2.0/24 via 10.0.0.1', '192.0.2.0/24 via 10.0.0.3', '192.0.2.0/24 via 10.0.0.5',
    ]);
    b.rtRequest(route('192.0.2.0/24 via 10.0.0.6', NLM_F_REPLACE));
    expect(dump(b, AF_INET).filter((l) => l.includes('192.0.2.0'))[0]).toContain('via 10.0.0.6');
    expect(refusal(() => b.rtRequest(route('192.0.9.0/24 via 10.0.0.6', NLM_F_REPLACE)))).toEqual({ errno: 2, extack: undefined });
    b.rtRequest(del('192.0.2.0/24 via 10.0.0.3'));
    expect(refusal(() => b.rtRequest(del('192.0.2.0/24 via 10.0.0.3')))).toEqual({ errno: 3, extack: undefined });
  });

  it('refuses as the kernel does, with its errno and text', () => {
    const b = model();
    expect(refusal(() => b.rtRequest(route('192.0.2.1/24 via 10.0.0.1')))).toEqual({ errno: 22, extack: 'Invalid prefix for given prefix length' });
    expect(refusal(() => b.rtRequest(route('192.0.2.0/33 via 10.0.0.1')))).toEqual({ errno: 22, extack: 'Invalid prefix length' });
    expect(refusal(() => b.rtRequest(route('192.0.2.0/24 via 10.77.0.1')))).toEqual({ errno: 101, extack: 'Nexthop has invalid gateway' });
    expect(refusal(() => b.rtRequest(route('192.0.2.0/24 via 10.0.0.1 src 10.0.0.99')))).toEqual({ errno: 22, extack: 'Invalid prefsrc address' });
    expect(refusal(() => b.rtRequest(route('192.0.2.0/24 type 6 dev 2')))).toEqual({ errno: 22, extack: 'Gateway, device and multipath can not be specified for this route type' });
    expect(refusal(() => b.rtRequest(route('192.0.2.0/24 dev 2 type 2')))).toEqual({ errno: 22, extack: 'Invalid scope' });
    expect(refusal(() => b.rtRequest(route('2001:db9::/48 via 2001:dead::1')))).toEqual({ errno: 113, extack: undefined });
    expect(refusal(() => b.rtRequest(del('10.20.0.0/16 table 100')))).toEqual({ errno: 3, extack: 'FIB table does not exist' });
  });

  it('keeps routes of any table apart; lookups use local and main only', () => {
    const b = model();
    b.rtRequest(route('10.20.0.0/16 via 10.0.0.1 table 1000'));
    expect(dump(b, AF_INET)[0]).toBe('1000 10.20.0.0/16 via 10.0.0.1 dev 2 proto 3 scope 0 type 1');
    expect(get(b, '10.20.0.1')).toContain('via 10.0.0.1');
    expect(fibLookup(b.host, AF_INET, '10.20.0.1')?.table).toBe(254);
  });

  it('answers route get with the device, the chosen source and the gateway; fibmatch with the FIB entry', () => {
    const b = model();
    expect(get(b, '192.0.2.5')).toBe('254 192.0.2.5/32 via 10.0.0.1 dev 2 src 10.0.0.2 proto 0 scope 0 type 1 flags 512');
    expect(get(b, '10.0.0.2')).toBe('254 10.0.0.2/32 dev 1 src 10.0.0.2 proto 0 scope 0 type 2 flags 2147484160');
    expect(get(b, '192.0.2.5', 0x2000)).toBe('254 default via 10.0.0.1 dev 2 proto 3 scope 0 type 1');
    b.rtRequest(del('default'));
    expect(refusal(() => get(b, '192.0.2.5'))).toEqual({ errno: 101, extack: undefined });
  });
});

describe('the kernel\'s own removals, the state file, traffic', () => {
  it('flushes routes through a device that goes down, or loses its last IPv4 address', () => {
    const b = model();
    b.rtRequest(route('192.0.2.0/24 dev 2 scope 253'));
    delAddr(b, '10.0.0.2', 24);
    expect(dump(b, AF_INET).some((l) => l.includes('dev 2'))).toBe(false);
  });

  it('keeps added routes in the state file, and reads an older file\'s gateway as a default route', () => {
    const b = model();
    b.rtRequest(route('192.0.2.0/24 via 10.0.0.1 metric 5'));
    const file = join(dir, 'state.json');
    save(file, b.world);
    const again = load(file);
    expect(again.hosts[0].routes?.map((r) => `${r.dst}/${r.plen} ${r.gateway}`)).toEqual(['0.0.0.0/0 10.0.0.1', '192.0.2.0/24 10.0.0.1']);
    const old = JSON.parse(readFileSync(file, 'utf8'));
    delete old.hosts[0].routes;
    old.hosts[0].gateway = '10.0.0.1';
    writeFileSync(file, JSON.stringify(old));
    expect(dump(model(load(file)), AF_INET)[0]).toBe('254 default via 10.0.0.1 dev 2 proto 3 scope 0 type 1');
    old.hosts[0].routes = [{ family: 2, dst: '10.0.0.0' }];
    writeFileSync(file, JSON.stringify(old));
    expect(() => load(file)).toThrow(/routes\[0\]\.table/);
    old.hosts[0].routes = [{ family: 2, table: 254, dst: '10.0.0', plen: 24, type: 1, proto: 3, scope: 0 }];
    writeFileSync(file, JSON.stringify(old));
    expect(() => load(file)).toThrow(/routes\[0\]\.dst: expected an IPv4 address/);
    old.hosts[0].routes = [{ family: 10, table: 254, dst: '2001:db8::', plen: 129, type: 1, proto: 3, scope: 0 }];
    writeFileSync(file, JSON.stringify(old));
    expect(() => load(file)).toThrow(/routes\[0\]\.plen/);
  });

  it('sends through the route\'s next hop: the gateway, or a gateway on a second subnet', () => {
    const w = defaultWorld();
    const b = model(w);
    addAddr(b, AF_INET, '10.9.0.2', 24);
    b.rtRequest(route('198.51.100.0/24 via 10.9.0.1'));
    const e = new Engine(w);
    expect(e.hostSend(w.hosts[0], '198.51.100.7')).toContain('via 10.9.0.1 dev eth0');
    expect(lookup(w.hosts[0], AF_INET, 2, '10.9.0.1')).toBeDefined();
    expect(lookup(w.hosts[0], AF_INET, 2, '198.51.100.7')).toBeUndefined();
    expect(e.hostSend(w.hosts[0], '10.0.0.2')).toContain('a local address');
  });

  it('forwards by route, and a routing loop ends when the TTL runs out', () => {
    const w = defaultWorld();
    const notes: string[] = [];
    const e = new Engine(w, (l) => notes.push(l));
    const [host, gw] = [w.hosts[0], w.hosts[1]];
    host.links[1].params.forwarding = 1;
    gw.links[1].params.forwarding = 1;
    (gw.routes ??= []).push({ family: AF_INET, table: 254, dst: '192.0.2.0', plen: 24, type: 1, proto: 3, scope: 0, gateway: '10.0.0.2', oif: 2 });
    e.hostSend(host, '192.0.2.5');
    e.advanceTo(w.now + 2000);
    expect(notes.some((l) => l.includes('gw: forwarded packet from 10.0.0.2 to 192.0.2.5 via 10.0.0.2 dev eth0'))).toBe(true);
    expect(notes.some((l) => l.includes('dropped: TTL exceeded'))).toBe(true);
  });

  it('orders IPv6 routes children first, as the fib6 tree is walked', () => {
    const r = (dst: string, plen: number): SimRoute => ({ family: AF_INET6, table: 254, dst, plen, type: 1, proto: 3, scope: 0 });
    const sorted = [r('::', 0), r('2001:db8::', 32), r('2001:db8:1::', 48), r('fe80::', 64), r('2001:db8::', 64)].sort(routeOrder);
    expect(sorted.map((x) => `${x.dst}/${x.plen}`)).toEqual(['2001:db8::/64', '2001:db8:1::/48', '2001:db8::/32', 'fe80::/64', '::/0']);
    const w = defaultWorld();
    w.hosts[0].links.push(ethernet(w, 3, 'eth1', '02:00:00:00:01:02', 'lan1'));
    expect(fibRoutes(w.hosts[0], AF_INET6).filter((x) => x.dst === 'ff00::').map((x) => x.oif)).toEqual([2, 3]);
  });
});
