// The model's link kinds through their registry: vxlan, the kind added as
// one file plus one line, refuses and reports as the kernel does; and (as
// root, in a namespace of its own) the same request to the kernel and to
// the model gives the same link message, IFLA_INFO_DATA byte for byte.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { NLM_F_CREATE, NLM_F_EXCL, type RtMessage, type RtRequest } from '../../src/backend.js';
import { SimBackend } from '../../src/sim/backend.js';
import { defaultWorld } from '../../src/sim/lan.js';
import { type LinkAttr, attrStr, parseAttrs } from '../../src/wire/nlattr.js';
import { canRunKernelTests } from '../kernel/harness.js';
import { refusal } from './refusal.js';

const RTM_NEWLINK = 16, RTM_GETLINK = 18;
const IFLA_IFNAME = 3, IFLA_LINKINFO = 18, IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
const IFLA_VXLAN_ID = 1, IFLA_VXLAN_PORT = 15, IFLA_VXLAN_COLLECT_METADATA = 25;

/** RTM_NEWLINK for a vxlan named `name` with these IFLA_VXLAN_* (no IFLA_INFO_DATA when undefined). */
function vxlanRequest(name: string, data: LinkAttr[] | undefined): RtRequest {
  const info: LinkAttr[] = [{ type: IFLA_INFO_KIND, kind: 'bytes', value: Buffer.from('vxlan') }];
  if (data) info.push({ type: IFLA_INFO_DATA, kind: 'nest', value: data });
  return {
    type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, header: new Uint8Array(16),
    attrs: [{ type: IFLA_IFNAME, kind: 'bytes', value: Buffer.from(name + '\0') }, { type: IFLA_LINKINFO, kind: 'nest', value: info }],
  };
}

const id = (n: number): LinkAttr => ({ type: IFLA_VXLAN_ID, kind: 'u32', value: n });
const port = (n: number): LinkAttr => ({ type: IFLA_VXLAN_PORT, kind: 'bytes', value: Uint8Array.of(n >> 8, n & 255) });


function model(): SimBackend {
  const w = defaultWorld();
  w.hosts[0].links.splice(1);
  return new SimBackend(w, 'host');
}

/** IFLA_INFO_DATA of the link `name`, as [type, hex] pairs in message order. */
function infoData(links: RtMessage[], name: string): [number, string][] {
  const m = links.find((x) => attrStr(x.attrs.get(IFLA_IFNAME)!) === name)!;
  const data = parseAttrs(m.attrs.get(IFLA_LINKINFO)!).get(IFLA_INFO_DATA)!;
  return [...parseAttrs(data)].map(([t, v]) => [t, Buffer.from(v).toString('hex')]);
}

function dumpLinks(b: { rtDump?: SimBackend['rtDump'] }): RtMessage[] {
  const out: RtMessage[] = [];
  b.rtDump!({ type: RTM_GETLINK, flags: 0, header: new Uint8Array(16), attrs: [{ type: 29, kind: 'u32', value: 1 }] }, (m) => out.push(m));
  return out;
}

describe('the model: vxlan (kinds/vxlan.ts)', () => {
  it('refuses as vxlan_validate() and vxlan_config_validate() do', () => {
    const b = model();
    expect(refusal(() => b.rtRequest(vxlanRequest('vx0', undefined)))).toEqual({ errno: 22, extack: 'Required attributes not provided to perform the operation' });
    expect(refusal(() => b.rtRequest(vxlanRequest('vx0', [id(1 << 24)])))).toEqual({ errno: 34, extack: 'VXLAN ID must be lower than 16777216' });
    b.rtRequest(vxlanRequest('vx0', [id(42), port(4789)]));
    expect(refusal(() => b.rtRequest(vxlanRequest('vx1', [id(42), port(4789)])))).toEqual({ errno: 17, extack: 'A VXLAN device with the specified VNI already exists' });
    // Another port, or external (COLLECT_METADATA, a receive flag), is another device.
    b.rtRequest(vxlanRequest('vx1', [id(42), port(4790)]));
    b.rtRequest(vxlanRequest('vx2', [id(42), port(4789), { type: IFLA_VXLAN_COLLECT_METADATA, kind: 'u8', value: 1 }]));
    expect(b.links().map((l) => l.name)).toEqual(['lo', 'vx0', 'vx1', 'vx2']);
  });

  it('makes VNI 0 without IFLA_VXLAN_ID, on the kernel\'s own port 8472 without IFLA_VXLAN_PORT', () => {
    const b = model();
    b.rtRequest(vxlanRequest('vx0', []));
    const data = new Map(infoData(dumpLinks(b), 'vx0'));
    expect(data.get(IFLA_VXLAN_ID)).toBe('00000000');
    expect(data.get(IFLA_VXLAN_PORT)).toBe('2118');
  });

  it('reports vxlan_fill_info() as the reference kernel (6.18) dumps `id 42 dstport 4789`', () => {
    const b = model();
    b.rtRequest(vxlanRequest('vx0', [id(42), port(4789)]));
    // Read from the kernel with an RTM_GETLINK dump.
    expect(infoData(dumpLinks(b), 'vx0')).toEqual([
      [1, '2a000000'], [5, '00'], [28, '00'], [6, '00'], [29, '00'], [26, '00000000'], [32, '00000000'], [7, '01'], [11, '00'],
      [12, '00'], [13, '00'], [14, '00'], [25, '00'], [8, '2c010000'], [9, '00000000'], [15, '12b5'], [18, '01'], [19, '00'],
      [20, '00'], [21, '00'], [22, '00'], [31, '01'], [10, '00000000'], [33, 'f7ffffff000000ff'],
    ]);
  });
});

describe('the model: macvlan (kinds/macvlan.ts)', () => {
  const macvlan = (name: string, data: LinkAttr[]): RtRequest => ({
    type: RTM_NEWLINK, flags: data.length ? 0 : NLM_F_CREATE | NLM_F_EXCL, header: new Uint8Array(16),
    attrs: [
      { type: IFLA_IFNAME, kind: 'bytes', value: Buffer.from(name + '\0') }, { type: 5, kind: 'u32', value: 2 },
      { type: IFLA_LINKINFO, kind: 'nest', value: [{ type: IFLA_INFO_KIND, kind: 'bytes', value: Buffer.from('macvlan') }, { type: IFLA_INFO_DATA, kind: 'nest', value: data }] },
    ],
  });
  const mode = (b: SimBackend) => new Map(infoData(dumpLinks(b), 'mv0')).get(1);

  it('is VEPA unless a mode is given, as macvlan_newlink() makes it, and takes a new mode from changelink', () => {
    const b = new SimBackend(defaultWorld(), 'host');
    b.rtRequest(macvlan('mv0', []));
    expect(mode(b)).toBe('02000000');
    b.rtRequest(macvlan('mv0', [{ type: 1, kind: 'u32', value: 1 }]));
    expect(mode(b)).toBe('01000000');
  });
});

describe('the model: state files of format 3', () => {
  it('reads a link\'s kind state kept flat on the link (a bond, its slaves, a veth pair) as format 4 keeps it', () => {
    const b = new SimBackend(defaultWorld(), 'host');
    const link = (name: string, kind: string, data: LinkAttr[] = [], more: LinkAttr[] = []): RtRequest => ({
      type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, header: new Uint8Array(16),
      attrs: [{ type: IFLA_IFNAME, kind: 'bytes', value: Buffer.from(name + '\0') }, ...more, { type: IFLA_LINKINFO, kind: 'nest', value: [
        { type: IFLA_INFO_KIND, kind: 'bytes', value: Buffer.from(kind) }, ...(data.length ? [{ type: IFLA_INFO_DATA, kind: 'nest' as const, value: data }] : []),
      ] }],
    });
    const index = (name: string) => b.links().find((l) => l.name === name)!.index;
    const set = (name: string, attrs: LinkAttr[], up = false) => {
      const h = new Uint8Array(16);
      new DataView(h.buffer).setInt32(4, index(name), true);
      if (up) h.set([1, 0, 0, 0, 1, 0, 0, 0], 8);
      b.rtRequest({ type: RTM_NEWLINK, flags: 0, header: h, attrs });
    };
    b.rtRequest(link('bond0', 'bond', [{ type: 1, kind: 'u8', value: 1 }, { type: 3, kind: 'u32', value: 100 }]));
    b.rtRequest(link('d0', 'dummy'));
    b.rtRequest(link('d1', 'dummy'));
    set('d0', [{ type: 10, kind: 'u32', value: index('bond0') }]);
    set('d1', [{ type: 10, kind: 'u32', value: index('bond0') }]);
    set('bond0', [], true);
    b.rtRequest(link('v0', 'veth'));
    const before = dumpLinks(b).map((m) => [...m.attrs].map(([t, v]) => `${t}:${Buffer.from(v).toString('hex')}`));

    // As format 3 had it: each kind's and each slave's fields on the link itself.
    const w = JSON.parse(JSON.stringify(b.world)) as { hosts: { links: Record<string, unknown>[] }[] };
    const names: Record<string, string> = { mode: 'macvlanMode', data: 'kindData' };
    for (const l of w.hosts[0].links) {
      for (const [k, v] of Object.entries((l.info ?? {}) as Record<string, unknown>)) l[names[k] ?? k] = v;
      for (const [k, v] of Object.entries((l.slave ?? {}) as Record<string, unknown>)) l[k === 'data' ? 'slaveData' : k] = v;
      delete l.info;
      delete l.slave;
    }
    const old = new SimBackend(w as never, 'host');
    expect(dumpLinks(old).map((m) => [...m.attrs].map(([t, v]) => `${t}:${Buffer.from(v).toString('hex')}`))).toEqual(before);
    expect(old.readSystemFile('/sys/class/net/bond0/bonding/slaves')).toBe('d0 d1\n');
  });
});

const root = canRunKernelTests();
const NS = `tsnet-simkind-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'tsnet-simkind-'));

describe.runIf(root)('the model answers a vxlan request as the kernel does', () => {
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same link messages, down and up: attributes in order, the same values but the MAC', async () => {
    // vx0 (index 2) then goes up: a vxlan has no carrier of its own to wait for.
    const up = new Uint8Array(16);
    up.set([2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], 4);
    const requests: RtRequest[] = [
      vxlanRequest('vx0', [id(42), port(4789)]), vxlanRequest('vx1', [id(7), { type: IFLA_VXLAN_COLLECT_METADATA, kind: 'u8', value: 1 }]),
      { type: RTM_NEWLINK, flags: 0, header: up, attrs: [] },
    ];
    const r0 = spawnSync('ip', ['netns', 'add', NS], { encoding: 'utf8' });
    expect(r0.stderr).toBe('');
    // As the model's host has it.
    spawnSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    const script = join(dir, 'vxlan.ts');
    writeFileSync(script, `
      import { KernelBackend } from ${JSON.stringify(join(process.cwd(), 'src/kernel/backend.js'))};
      const b = new KernelBackend();
      const hex = (x: Uint8Array) => Buffer.from(x).toString('hex');
      const requests = ${JSON.stringify(requests, (_k, v) => (v instanceof Uint8Array ? { hex: Buffer.from(v).toString('hex') } : v?.type === 'Buffer' ? { hex: Buffer.from(v.data).toString('hex') } : v))};
      const bytes = (v: unknown): unknown => (v && typeof v === 'object' && 'hex' in v ? Buffer.from((v as { hex: string }).hex, 'hex')
        : Array.isArray(v) ? v.map(bytes) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bytes(x)])) : v);
      for (const r of requests) b.rtRequest!(bytes(r) as never);
      // linkwatch may take up to a second to settle the operstate and carrier of a link that went up.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1100);
      const out: unknown[] = [];
      b.rtDump!({ type: 18, flags: 0, header: new Uint8Array(16), attrs: [{ type: 29, kind: 'u32', value: 1 }] },
        (m) => out.push({ header: hex(m.header), attrs: [...m.attrs].map(([t, v]) => [t, hex(v)]) }));
      b.close();
      console.log(JSON.stringify(out));
    `);
    await build({ entryPoints: [script], bundle: true, platform: 'node', format: 'cjs', external: ['koffi'], outfile: join(dir, 'vxlan.cjs'), logLevel: 'error' });
    const r = spawnSync('ip', ['netns', 'exec', NS, 'node', join(dir, 'vxlan.cjs')], {
      encoding: 'utf8', env: { ...process.env, NODE_PATH: join(process.cwd(), 'node_modules') },
    });
    expect(r.stderr).toBe('');
    const kernel = JSON.parse(r.stdout) as { header: string; attrs: [number, string][] }[];

    const b = model();
    for (const q of requests) b.rtRequest(q);
    const sim = dumpLinks(b).map((m) => ({ header: Buffer.from(m.header).toString('hex'), attrs: [...m.attrs].map(([t, v]) => [t, Buffer.from(v).toString('hex')]) }));
    // Each side's random MAC, the creation stamp in IFLA_AF_SPEC (virtual time on the model) and
    // the counters aside, every attribute is the same.
    const comparable = (m: { header: string; attrs: (string | number)[][] }) => ({
      header: m.header, attrs: m.attrs.map(([t, v]) => (t === 1 ? [t, 'mac'] : t === 26 ? [t, 'af_spec'] : t === 23 || t === 7 ? [t, 'stats'] : [t, v])),
    });
    expect(sim.map(comparable)).toEqual(kernel.map(comparable));
  }, 60000);
});
