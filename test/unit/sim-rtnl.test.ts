// The model's rtnetlink answers for links and addresses: devinet's primary/
// secondary rules, promote_secondaries, refusals, a veth pair's carrier and
// operstate, IPv6 link-locals and DAD; and (as root, in a namespace of its
// own) the attributes the real kernel sends for a veth and its addresses
// against the model's, type by type and in order.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, type RtMessage, type RtRequest } from '../../src/backend.js';
import { SimBackend } from '../../src/sim/backend.js';
import { defaultWorld } from '../../src/sim/lan.js';
import { linkLocalFor } from '../../src/sim/addrconf.js';
import { type LinkAttr, attrStr, attrU32, attrU8, parseAttrs } from '../../src/wire/nlattr.js';
import { canRunKernelTests } from '../kernel/harness.js';
import { refusal } from './refusal.js';

const RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
const IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_FLAGS = 8;
const IFA_F_SECONDARY = 0x01, IFA_F_NODAD = 0x02, IFA_F_TENTATIVE = 0x40;
const IFF_UP = 1;

function model(): { b: SimBackend; notes: string[] } {
  const notes: string[] = [];
  const b = new SimBackend(defaultWorld(), 'host', (line) => notes.push(line));
  return { b, notes };
}

function ip4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

function ifaddrmsg(family: number, plen: number, index: number, flags = 0): Uint8Array {
  const h = Uint8Array.of(family, plen, flags, 0, 0, 0, 0, 0);
  new DataView(h.buffer).setInt32(4, index, true);
  return h;
}

function ifinfomsg(index: number, flags = 0, change = 0): Uint8Array {
  const h = new Uint8Array(16);
  const v = new DataView(h.buffer);
  v.setInt32(4, index, true);
  v.setUint32(8, flags, true);
  v.setUint32(12, change, true);
  return h;
}

/** What `ip addr add|del ADDR/PLEN dev eth0 [label L]` sends for IPv4. */
function addr4(type: number, cidr: string, index = 2, flags = NLM_F_CREATE | NLM_F_EXCL, label?: string): RtRequest {
  const [a, plen] = cidr.split('/');
  const attrs: LinkAttr[] = [{ type: IFA_LOCAL, kind: 'bytes', value: ip4(a) }, { type: IFA_ADDRESS, kind: 'bytes', value: ip4(a) }];
  if (label) attrs.push({ type: IFA_LABEL, kind: 'bytes', value: Buffer.from(label + '\0') });
  return { type, flags: type === RTM_NEWADDR ? flags : 0, header: ifaddrmsg(AF_INET, Number(plen), index), attrs };
}

function dump(b: SimBackend, req: RtRequest): RtMessage[] {
  const out: RtMessage[] = [];
  b.rtDump(req, (m) => out.push(m));
  return out;
}

/** "local/plen flags label" of each IPv4 address, in dump order. */
function v4(b: SimBackend, index = 2): string[] {
  return dump(b, { type: RTM_GETADDR, flags: 0, header: ifaddrmsg(AF_INET, 0, 0), attrs: [] })
    .filter((m) => new DataView(m.header.buffer, m.header.byteOffset).getInt32(4, true) === index)
    .map((m) => `${Array.from(m.attrs.get(IFA_LOCAL)!).join('.')}/${m.header[1]}${attrU32(m.attrs.get(IFA_FLAGS)!) & IFA_F_SECONDARY ? ' secondary' : ''} ${attrStr(m.attrs.get(IFA_LABEL)!)}`);
}

function v6(b: SimBackend, index: number): { addr: string; flags: number; scope: number }[] {
  return dump(b, { type: RTM_GETADDR, flags: 0, header: ifaddrmsg(AF_INET6, 0, 0), attrs: [] })
    .filter((m) => new DataView(m.header.buffer, m.header.byteOffset).getInt32(4, true) === index)
    .map((m) => ({ addr: Buffer.from(m.attrs.get(IFA_ADDRESS)!).toString('hex'), flags: attrU32(m.attrs.get(IFA_FLAGS)!), scope: m.header[3] }));
}

function link(b: SimBackend, index: number): { flags: number; operstate: number; carrier: number; changes: number } {
  const [m] = b.rtRequest({ type: RTM_GETLINK, flags: 0, header: ifinfomsg(index), attrs: [] });
  return {
    flags: new DataView(m.header.buffer, m.header.byteOffset).getUint32(8, true),
    operstate: attrU8(m.attrs.get(16)!), carrier: attrU8(m.attrs.get(33)!), changes: attrU32(m.attrs.get(35)!),
  };
}


const setUp = (b: SimBackend, index: number, up: boolean) =>
  b.rtRequest({ type: RTM_NEWLINK, flags: 0, header: ifinfomsg(index, up ? IFF_UP : 0, IFF_UP), attrs: [] });

function vethPair(b: SimBackend): void {
  const peer = new Uint8Array(16 + 8);
  peer.set(Uint8Array.of(7, 0, 3, 0, 0x76, 0x31, 0), 16); // IFLA_IFNAME "v1" inside VETH_INFO_PEER's ifinfomsg
  b.rtRequest({
    type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, header: ifinfomsg(0),
    attrs: [
      { type: 3, kind: 'bytes', value: Buffer.from('v0\0') },
      { type: 18, kind: 'nest', value: [
        { type: 1, kind: 'bytes', value: Buffer.from('veth') },
        { type: 2, kind: 'nest', value: [{ type: 1, kind: 'bytes', value: peer.subarray(0, 16 + 7) }] },
      ] },
    ],
  });
}

describe('the model: IPv4 addresses (devinet)', () => {
  it('makes a second address of a subnet a secondary, listed after the primaries', () => {
    const { b } = model();
    b.rtRequest(addr4(RTM_NEWADDR, '10.0.0.10/24', 2, NLM_F_CREATE | NLM_F_EXCL, 'eth0:vip'));
    b.rtRequest(addr4(RTM_NEWADDR, '192.0.2.1/24'));
    expect(v4(b)).toEqual(['10.0.0.2/24 eth0', '192.0.2.1/24 eth0', '10.0.0.10/24 secondary eth0:vip']);
  });

  it('refuses an address already there (EEXIST) unless replacing, and a missing one (EADDRNOTAVAIL)', () => {
    const { b } = model();
    expect(refusal(() => b.rtRequest(addr4(RTM_NEWADDR, '10.0.0.2/24')))).toEqual({ errno: 17, extack: 'ipv4: Address already assigned' });
    b.rtRequest(addr4(RTM_NEWADDR, '10.0.0.2/24', 2, NLM_F_CREATE | NLM_F_REPLACE));
    expect(refusal(() => b.rtRequest(addr4(RTM_DELADDR, '10.0.0.99/24')))).toEqual({ errno: 99, extack: 'ipv4: Address not found' });
    expect(refusal(() => b.rtRequest(addr4(RTM_NEWADDR, '10.0.0.5/24', 2, NLM_F_CREATE | NLM_F_EXCL, 'eth0:waytoolongname1'))).errno).toBe(22);
  });

  it('deletes a primary\'s secondaries with it when promote_secondaries is off', () => {
    const { b, notes } = model();
    b.rtRequest(addr4(RTM_NEWADDR, '10.0.0.10/24'));
    b.rtRequest(addr4(RTM_NEWADDR, '10.0.0.11/24'));
    b.rtRequest(addr4(RTM_DELADDR, '10.0.0.2/24'));
    expect(v4(b)).toEqual([]);
    expect(notes.join('\n')).toContain('its secondaries 10.0.0.10/24 10.0.0.11/24 (promote_secondaries=0)');
  });

  it('promotes the first secondary when promote_secondaries is on; the rest stay secondaries', () => {
    const { b, notes } = model();
    const conf = new Uint8Array(8);
    conf.set([8, 0, 20, 0, 1, 0, 0, 0]); // IPV4_DEVCONF_PROMOTE_SECONDARIES = 1
    b.rtRequest({ type: RTM_NEWLINK, flags: 0, header: ifinfomsg(2), attrs: [{ type: 26, kind: 'nest', value: [
      { type: AF_INET, kind: 'nest', value: [{ type: 1, kind: 'bytes', value: conf }] },
    ] }] });
    b.rtRequest(addr4(RTM_NEWADDR, '10.0.0.10/24'));
    b.rtRequest(addr4(RTM_NEWADDR, '10.0.0.11/24'));
    b.rtRequest(addr4(RTM_DELADDR, '10.0.0.2/24'));
    expect(v4(b)).toEqual(['10.0.0.10/24 eth0', '10.0.0.11/24 secondary eth0']);
    expect(notes.join('\n')).toContain('10.0.0.10/24 promoted to primary (promote_secondaries=1)');
    // The devconf array the link reports carries the setting at its index (20, 1-based).
    const [m] = b.rtRequest({ type: RTM_GETLINK, flags: 0, header: ifinfomsg(2), attrs: [] });
    const inet = parseAttrs(parseAttrs(m.attrs.get(26)!).get(AF_INET)!).get(1)!;
    expect(attrU32(inet.subarray(19 * 4))).toBe(1);
  });

  it('renames labels with the device, as inetdev_changename does', () => {
    const { b } = model();
    b.rtRequest(addr4(RTM_NEWADDR, '10.0.0.10/24', 2, NLM_F_CREATE | NLM_F_EXCL, 'eth0:vip'));
    b.rtRequest(addr4(RTM_NEWADDR, '192.0.2.1/24'));
    b.rtRequest({ type: RTM_NEWLINK, flags: 0, header: ifinfomsg(2), attrs: [{ type: 3, kind: 'bytes', value: Buffer.from('lan0\0') }] });
    expect(v4(b)).toEqual(['10.0.0.2/24 lan0', '192.0.2.1/24 lan0:2', '10.0.0.10/24 secondary lan0:vip']);
  });
});

describe('the model: links and IPv6 configuration', () => {
  it('a veth end is LOWERLAYERDOWN without carrier until its peer is up, then both are UP', () => {
    const { b } = model();
    vethPair(b);
    // The peer is made first: v1 is 3, v0 is 4.
    setUp(b, 4, true);
    expect(link(b, 4)).toMatchObject({ operstate: 3, carrier: 0, changes: 1 });
    expect(link(b, 4).flags & 0x10040).toBe(0);
    expect(link(b, 3)).toMatchObject({ operstate: 2, carrier: 0, changes: 1 });
    setUp(b, 3, true);
    expect(link(b, 4)).toMatchObject({ operstate: 6, carrier: 1, changes: 2 });
    expect(link(b, 4).flags & 0x10040).toBe(0x10040);
    setUp(b, 3, false);
    expect(link(b, 4)).toMatchObject({ operstate: 3, carrier: 0, changes: 3 });
    b.rtRequest({ type: RTM_DELLINK, flags: 0, header: ifinfomsg(4), attrs: [] });
    expect(b.links().map((l) => l.name)).toEqual(['lo', 'eth0']);
  });

  it('gives an up link with carrier its EUI-64 link-local, tentative until DAD ends', () => {
    const { b } = model();
    expect(linkLocalFor('02:00:00:00:10:01')).toBe('fe80::ff:fe00:1001');
    expect(v6(b, 1)).toEqual([{ addr: '00000000000000000000000000000001', flags: 0x80, scope: 254 }]);
    vethPair(b);
    setUp(b, 3, true);
    setUp(b, 4, true);
    const [ll] = v6(b, 4);
    expect(ll).toMatchObject({ flags: 0x80 | IFA_F_TENTATIVE, scope: 253 });
    expect(ll.addr.startsWith('fe80000000000000')).toBe(true);
    b.simulate(['advance', '2100ms'], () => {});
    expect(v6(b, 4)[0].flags).toBe(0x80);
    // Down, every IPv6 address goes (keep_addr_on_down=0).
    setUp(b, 4, false);
    expect(v6(b, 4)).toEqual([]);
  });

  it('lists IPv6 globals before the link-local, newest first, nodad never tentative', () => {
    const { b } = model();
    const add6 = (hex: string, flags: number) => b.rtRequest({
      type: RTM_NEWADDR, flags: NLM_F_CREATE | NLM_F_EXCL, header: ifaddrmsg(AF_INET6, 64, 2),
      attrs: [{ type: IFA_LOCAL, kind: 'bytes', value: Buffer.from(hex, 'hex') }, { type: IFA_FLAGS, kind: 'u32', value: flags }],
    });
    add6('20010db8000000000000000000000001', IFA_F_NODAD);
    add6('20010db8000000000000000000000002', 0);
    expect(v6(b, 2).map((a) => [a.addr.slice(-4), a.flags])).toEqual([['0002', 0xc0], ['0001', 0x82], ['0002', 0x80]]);
  });

  it('refuses an MTU out of the device\'s range with the kernel\'s texts', () => {
    const { b } = model();
    vethPair(b);
    const mtu = (n: number) => () => b.rtRequest({ type: RTM_NEWLINK, flags: 0, header: ifinfomsg(4), attrs: [{ type: 4, kind: 'u32', value: n }] });
    expect(refusal(mtu(10))).toEqual({ errno: 22, extack: 'mtu less than device minimum' });
    expect(refusal(mtu(70000))).toEqual({ errno: 22, extack: 'mtu greater than device maximum' });
  });
});

// As root: the reference kernel's messages for a veth and its addresses, next to the model's.
const root = canRunKernelTests();
const NS = `tsn-simrtnl-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'tsnet-simrtnl-'));

/** Attribute types of a message: top level, with LINKINFO and AF_SPEC nests opened one level. */
function shape(m: { type: number; header: Uint8Array; attrs: Iterable<[number, Uint8Array]> }): string {
  const nest = (b: Uint8Array) => [...parseAttrs(b)].map(([t]) => t).join(',');
  return [...m.attrs].map(([t, v]) => (t === 18 || (t === 26 && m.header.length === 16) ? `${t}{${nest(v)}}` : String(t))).join(' ');
}

describe.runIf(root)('the model sends what the kernel sends (veth, addresses)', () => {
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the same attribute types, in the same order, for links and addresses', async () => {
    const steps = [
      'link add v0 address 02:00:00:00:10:01 type veth peer name v1 address 02:00:00:00:10:02', 'link set v0 up',
      'addr add 192.0.2.1/24 dev v0', 'addr add 192.0.2.2/24 dev v0 label v0:vip',
      'addr add 198.51.100.1/24 broadcast 198.51.100.255 dev v0 metric 5', 'addr add 2001:db8::1/64 dev v0 nodad',
    ];
    const sh = (args: string[]) => {
      const r = spawnSync('ip', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
    };
    sh(['netns', 'add', NS]);
    sh(['-n', NS, 'link', 'set', 'lo', 'up']);
    for (const s of steps) sh(['-n', NS, ...s.split(' ')]);
    const script = join(dir, 'dump.ts');
    writeFileSync(script, `
      import { KernelBackend } from ${JSON.stringify(join(process.cwd(), 'src/kernel/backend.js'))};
      const b = new KernelBackend();
      const out: unknown[] = [];
      const hex = (x: Uint8Array) => Buffer.from(x).toString('hex');
      const keep = (m: { type: number; header: Uint8Array; attrs: Iterable<[number, Uint8Array]> }) =>
        out.push({ type: m.type, header: hex(m.header), attrs: [...m.attrs].map(([t, v]) => [t, hex(v)]) });
      b.rtDump!({ type: 18, flags: 0, header: new Uint8Array(16), attrs: [{ type: 29, kind: 'u32', value: 1 }] }, keep);
      b.rtDump!({ type: 22, flags: 0, header: new Uint8Array(8), attrs: [] }, keep);
      b.close();
      console.log(JSON.stringify(out));
    `);
    await build({ entryPoints: [script], bundle: true, platform: 'node', format: 'cjs', external: ['koffi'], outfile: join(dir, 'dump.cjs'), logLevel: 'error' });
    const r = spawnSync('ip', ['netns', 'exec', NS, 'node', join(dir, 'dump.cjs')], {
      encoding: 'utf8', env: { ...process.env, NODE_PATH: join(process.cwd(), 'node_modules') },
    });
    expect(r.stderr).toBe('');
    const kernel = (JSON.parse(r.stdout) as { type: number; header: string; attrs: [number, string][] }[]).map((m) => {
      const header = Buffer.from(m.header, 'hex');
      return { type: m.type, header: m.header, shape: shape({ type: m.type, header, attrs: m.attrs.map(([t, v]) => [t, Buffer.from(v, 'hex')] as [number, Uint8Array]) }) };
    });

    // The same on the model: a host with lo only, then the same requests as ip sends them.
    const w = defaultWorld();
    w.hosts[0].links.splice(1);
    const b = new SimBackend(w, 'host');
    vethPair(b);
    const mac = (index: number, text: string) => b.rtRequest({ type: RTM_NEWLINK, flags: 0, header: ifinfomsg(index), attrs: [{ type: 1, kind: 'bytes', value: Uint8Array.from(text.split(':').map((x) => parseInt(x, 16))) }] });
    // The peer is made first (v1 2, v0 3, as on the kernel); the MACs as ip gave them.
    mac(b.links().find((l) => l.name === 'v0')!.index, '02:00:00:00:10:01');
    mac(b.links().find((l) => l.name === 'v1')!.index, '02:00:00:00:10:02');
    const v0 = b.links().find((l) => l.name === 'v0')!.index;
    setUp(b, v0, true);
    b.rtRequest(addr4(RTM_NEWADDR, '192.0.2.1/24', v0));
    b.rtRequest(addr4(RTM_NEWADDR, '192.0.2.2/24', v0, NLM_F_CREATE | NLM_F_EXCL, 'v0:vip'));
    const brd = addr4(RTM_NEWADDR, '198.51.100.1/24', v0);
    brd.attrs.push({ type: 4, kind: 'bytes', value: ip4('198.51.100.255') }, { type: 9, kind: 'u32', value: 5 });
    b.rtRequest(brd);
    b.rtRequest({
      type: RTM_NEWADDR, flags: NLM_F_CREATE | NLM_F_EXCL, header: ifaddrmsg(AF_INET6, 64, v0),
      attrs: [{ type: IFA_LOCAL, kind: 'bytes', value: Buffer.from('20010db8000000000000000000000001', 'hex') }, { type: IFA_FLAGS, kind: 'u32', value: IFA_F_NODAD }],
    });
    const sim: RtMessage[] = [];
    b.rtDump({ type: RTM_GETLINK, flags: 0, header: new Uint8Array(16), attrs: [{ type: 29, kind: 'u32', value: 1 }] }, (m) => sim.push(m));
    b.rtDump({ type: RTM_GETADDR, flags: 0, header: new Uint8Array(8), attrs: [] }, (m) => sim.push(m));
    const modelShapes = sim.map((m) => ({ type: m.type, header: Buffer.from(m.header).toString('hex'), shape: shape(m) }));
    expect(modelShapes).toEqual(kernel);
  }, 60000);
});
