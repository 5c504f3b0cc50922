// The model's neighbour tables (src/sim/neigh-table.ts, src/sim/ntable.ts):
// the RTM_GETNEIGHTBL dump in the kernel's order and attributes, RTM_SETNEIGHTBL
// as neightbl_set() applies it (jiffies rounding, the int fields, the last of a
// repeated attribute, refusals), reachable_time redrawn as the kernel redraws
// it, the counters moved where neighbour.c moves them, and the parameters the
// NUD machine, the queue and gc then use.
import { describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, NLM_F_CREATE, NLM_F_EXCL, type RtMessage, type RtRequest } from '../../src/backend.js';
import { SimBackend } from '../../src/sim/backend.js';
import { defaultWorld } from '../../src/sim/lan.js';
import { startingWorld } from '../../src/sim/engine.js';
import { msecsThroughJiffies, queueBytes } from '../../src/sim/ntable.js';
import { runSimCommand } from '../../src/sim/commands.js';
import { type LinkAttr, attrStr, attrU32, attrU64, encodeU64, parseAttrs } from '../../src/wire/nlattr.js';
import {
  NDTA_CONFIG, NDTA_GC_INTERVAL, NDTA_NAME, NDTA_PARMS, NDTA_STATS, NDTA_THRESH1, NDTA_THRESH2, NDTA_THRESH3, NDTPA_BASE_REACHABLE_TIME,
  NDTPA_GC_STALETIME, NDTPA_IFINDEX, NDTPA_QUEUE_LEN, NDTPA_REACHABLE_TIME, NDTPA_REFCNT, NDTPA_UCAST_PROBES, NLM_F_REPLACE,
  RTM_GETNEIGHTBL, RTM_SETNEIGHTBL, NUD_STALE, NUD_FAILED, NUD_PERMANENT,
} from '../../src/wire/rtnl-constants.js';
import { refusal } from './refusal.js';
import type { World } from '../../src/sim/world.js';

function model(w: World = defaultWorld()): { b: SimBackend; notes: string[] } {
  const notes: string[] = [];
  return { b: new SimBackend(w, 'host', (l) => notes.push(l)), notes };
}

const hdr = (family = 0) => Uint8Array.of(family, 0, 0, 0);
const u32 = (type: number, value: number): LinkAttr => ({ type, kind: 'u32', value });
const u64 = (type: number, value: bigint): LinkAttr => ({ type, kind: 'bytes', value: encodeU64(value) });
const name = (n: string): LinkAttr => ({ type: NDTA_NAME, kind: 'bytes', value: Buffer.from(n + '\0') });

function dump(b: SimBackend, family = 0): RtMessage[] {
  const out: RtMessage[] = [];
  b.rtDump({ type: RTM_GETNEIGHTBL, flags: 0, header: hdr(family), attrs: [] }, (m) => out.push(m));
  return out;
}

function set(b: SimBackend, attrs: LinkAttr[], family = 0): void {
  const req: RtRequest = { type: RTM_SETNEIGHTBL, flags: NLM_F_REPLACE, header: hdr(family), attrs };
  b.rtRequest(req);
}

/** The parms of a dump message, by NDTPA_* type. */
function parms(m: RtMessage) {
  const p = parseAttrs(m.attrs.get(NDTA_PARMS)!);
  return {
    ifindex: p.get(NDTPA_IFINDEX) ? attrU32(p.get(NDTPA_IFINDEX)!) : undefined,
    refcnt: attrU32(p.get(NDTPA_REFCNT)!),
    reachable: Number(attrU64(p.get(NDTPA_REACHABLE_TIME)!)),
    base: Number(attrU64(p.get(NDTPA_BASE_REACHABLE_TIME)!)),
    gcStale: Number(attrU64(p.get(NDTPA_GC_STALETIME)!)),
    queue: attrU32(p.get(NDTPA_QUEUE_LEN)!),
    ucast: attrU32(p.get(NDTPA_UCAST_PROBES)!),
  };
}

function eth0Parms(b: SimBackend) {
  const m = dump(b, AF_INET).find((x) => parms(x).ifindex === 2)!;
  return parms(m);
}

function stats(b: SimBackend, family = AF_INET): Record<string, number> {
  const st = dump(b, family)[0].attrs.get(NDTA_STATS)!;
  const v = new DataView(st.buffer, st.byteOffset, st.byteLength);
  const keys = ['allocs', 'destroys', 'hash_grows', 'res_failed', 'lookups', 'hits', 'rcv_probes_mcast', 'rcv_probes_ucast',
    'periodic_gc_runs', 'forced_gc_runs', 'table_fulls'];
  return Object.fromEntries(keys.map((k, i) => [k, Number(v.getBigUint64(8 * i, true))]));
}

describe('the model\'s RTM_GETNEIGHTBL dump', () => {
  it('lists arp_cache then ndisc_cache, each table first (with its thresholds, config, stats) then its devices newest first', () => {
    const { b } = model();
    const ms = dump(b);
    expect(ms.map((m) => [m.header[0], attrStr(m.attrs.get(NDTA_NAME)!), parms(m).ifindex ?? 0])).toEqual([
      [AF_INET, 'arp_cache', 0], [AF_INET, 'arp_cache', 2], [AF_INET, 'arp_cache', 1],
      [AF_INET6, 'ndisc_cache', 0], [AF_INET6, 'ndisc_cache', 2], [AF_INET6, 'ndisc_cache', 1],
    ]);
    const t = ms[0].attrs;
    // neightbl_fill_info()'s order: name, gc_interval, thresholds, config, stats, parms.
    expect([...t].map(([type]) => type)).toEqual([NDTA_NAME, NDTA_GC_INTERVAL, NDTA_THRESH1, NDTA_THRESH2, NDTA_THRESH3, NDTA_CONFIG, NDTA_STATS, NDTA_PARMS]);
    expect([attrU32(t.get(NDTA_THRESH1)!), attrU32(t.get(NDTA_THRESH2)!), attrU32(t.get(NDTA_THRESH3)!), Number(attrU64(t.get(NDTA_GC_INTERVAL)!))])
      .toEqual([128, 512, 1024, 30000]);
    const c = new DataView(t.get(NDTA_CONFIG)!.slice().buffer);
    expect([c.getUint16(0, true), c.getUint16(2, true), c.getUint32(20, true)]).toEqual([4, 336, 7]);
    // A device's message: only the name and its parms.
    expect([...ms[1].attrs].map(([type]) => type)).toEqual([NDTA_NAME, NDTA_PARMS]);
    expect(dump(b, AF_INET6).map((m) => m.header[0])).toEqual([AF_INET6, AF_INET6, AF_INET6]);
  });

  it('reports each device\'s parms: refcnt 1 plus its entries, reachable_time within [base/2, 3 base/2)', () => {
    const { b } = model(startingWorld());
    const p = eth0Parms(b);
    expect(p.refcnt).toBe(2);
    expect(p.reachable).toBeGreaterThanOrEqual(15000);
    expect(p.reachable).toBeLessThan(45000);
    expect(p.reachable % 4).toBe(0);
    expect([p.base, p.gcStale, p.queue, p.ucast]).toEqual([30000, 60000, 101, 3]);
  });
});

describe('the model\'s RTM_SETNEIGHTBL', () => {
  it('keeps times as a HZ=250 kernel does: rounded up to 4 ms, a 32-bit cut, "negative" ones as MAX_JIFFY_OFFSET', () => {
    expect([0n, 1n, 3n, 4n, 1001n, 30000n].map(msecsThroughJiffies)).toEqual([0, 4, 4, 4, 1004, 30000]);
    expect(msecsThroughJiffies(0xffffffffffffffffn)).toBe(4294967288);
    expect(msecsThroughJiffies(0x80000000n)).toBe(4294967288);
    expect(msecsThroughJiffies(0x100000005n)).toBe(8);
    expect(queueBytes(3)).toBe(6270);
    expect(queueBytes(4294967295)).toBe(-2090);
  });

  it('changes a device\'s parms; base_reachable redraws reachable_time at once; the NUD machine uses them', () => {
    const { b, notes } = model();
    set(b, [name('arp_cache'), { type: NDTA_PARMS, kind: 'nest', value: [u32(NDTPA_IFINDEX, 2), u64(NDTPA_BASE_REACHABLE_TIME, 1001n), u32(NDTPA_QUEUE_LEN, 3)] }]);
    const p = eth0Parms(b);
    expect([p.base, p.queue]).toEqual([1004, 3]);
    expect(p.reachable).toBeGreaterThanOrEqual(500);
    expect(p.reachable).toBeLessThan(1508);
    expect(b.host.links[1].params.unres_qlen_bytes).toBe(6270);
    expect(b.host.links[1].reachable_time_ms).toBe(p.reachable);
    expect(notes.join('\n')).toMatch(/arp_cache dev eth0: base_reachable_time_ms = 1004 .*reachable_time redrawn now/);
    // The table's defaults and the other device are untouched.
    expect(parms(dump(b, AF_INET)[0]).base).toBe(30000);
  });

  it('the last of a repeated attribute wins; the table is found by name and family', () => {
    const { b } = model();
    set(b, [name('arp_cache'), { type: NDTA_PARMS, kind: 'nest', value: [u32(NDTPA_IFINDEX, 2), u32(NDTPA_UCAST_PROBES, 5), u32(NDTPA_UCAST_PROBES, 7)] }]);
    expect(eth0Parms(b).ucast).toBe(7);
    expect(refusal(() => set(b, [name('arp_cache'), u32(NDTA_THRESH1, 1)], AF_INET6))).toEqual({ errno: 2, extack: undefined });
    expect(refusal(() => set(b, [name('nothing'), u32(NDTA_THRESH1, 1)]))).toEqual({ errno: 2, extack: undefined });
    expect(refusal(() => set(b, [u32(NDTA_THRESH1, 1)]))).toEqual({ errno: 22, extack: undefined });
    expect(refusal(() => set(b, [name('arp_cache'), { type: NDTA_PARMS, kind: 'nest', value: [u32(NDTPA_IFINDEX, 99), u32(NDTPA_QUEUE_LEN, 1)] }])))
      .toEqual({ errno: 2, extack: undefined });
  });

  it('the thresholds and the defaults change on the model\'s host (its own init_net); a new device copies the defaults', () => {
    const { b } = model();
    set(b, [name('arp_cache'), u32(NDTA_THRESH1, 2), u32(NDTA_THRESH2, 3), { type: NDTA_PARMS, kind: 'nest', value: [u64(NDTPA_GC_STALETIME, 7000n)] }]);
    const t = dump(b, AF_INET)[0];
    expect([attrU32(t.attrs.get(NDTA_THRESH1)!), attrU32(t.attrs.get(NDTA_THRESH2)!), parms(t).gcStale]).toEqual([2, 3, 7000]);
    expect(b.world.hosts[0].ntables?.arp?.defaults.gc_stale_time_ms).toBe(7000);
    b.rtRequest({ type: 16, flags: NLM_F_CREATE | NLM_F_EXCL, header: new Uint8Array(16), attrs: [
      { type: 3, kind: 'bytes', value: Buffer.from('d0\0') }, { type: 18, kind: 'nest', value: [{ type: 1, kind: 'bytes', value: Buffer.from('veth\0') }] }] });
    expect(b.host.links.find((l) => l.name === 'd0')?.params.gc_stale_time_ms).toBe(7000);
  });

  it('sim set is the same parameter store: what it sets, ntable shows', () => {
    const { b } = model();
    expect(runSimCommand(b, ['set', 'eth0', 'gc_stale_time_ms', '9000'], () => {})).toBe(0);
    expect(eth0Parms(b).gcStale).toBe(9000);
    expect(runSimCommand(b, ['set', 'default', 'gc_stale_time_ms', '8000'], () => {})).toBe(0);
    expect(parms(dump(b, AF_INET)[0]).gcStale).toBe(8000);
  });
});

describe('the model\'s neighbour statistics move where neighbour.c moves them', () => {
  it('allocs, lookups and hits, destroys, res_failed, periodic gc runs and hash growth', () => {
    const w = defaultWorld();
    const { b } = model(w);
    const before = stats(b);
    expect(before).toMatchObject({ allocs: 0, lookups: 0, hits: 0, periodic_gc_runs: 0 });
    // An entry added by the administrator: one counted lookup (a miss), one alloc.
    const add = (dst: number[], state = NUD_STALE) => b.neighbourAdd({ family: AF_INET, ifindex: 2, state, flags: 0, dst: Uint8Array.from(dst), lladdr: Uint8Array.of(2, 0, 0, 0, 0, 9) }, NLM_F_CREATE | NLM_F_EXCL);
    add([10, 0, 0, 50]);
    expect(stats(b)).toMatchObject({ allocs: 1, lookups: 1, hits: 0, hash_grows: 0 });
    // A delete looks it up (a hit) and destroys it.
    b.neighbourDelete({ family: AF_INET, ifindex: 2, state: 0, flags: 0, dst: Uint8Array.of(10, 0, 0, 50) });
    expect(stats(b)).toMatchObject({ allocs: 1, lookups: 2, hits: 1, destroys: 1 });
    // Nine entries are more than the 8 buckets: the hash doubles once.
    for (let i = 0; i < 9; i++) add([10, 0, 1, i]);
    expect(stats(b).hash_grows).toBe(1);
    const c = new DataView(dump(b, AF_INET)[0].attrs.get(NDTA_CONFIG)!.slice().buffer);
    expect([c.getUint32(4, true), c.getUint32(20, true)]).toEqual([9, 15]);
    // An unanswered address: INCOMPLETE, then FAILED after its probes: one res_failed.
    runSimCommand(b, ['peer', 'silent', 'peer3', 'on'], () => {});
    runSimCommand(b, ['send', '10.0.0.3'], () => {});
    runSimCommand(b, ['advance', '5s'], () => {});
    expect(b.host.neighbours.find((n) => n.dst === '10.0.0.3')?.state).toBe(NUD_FAILED);
    expect(stats(b).res_failed).toBe(1);
    // The periodic work every 15 s counts a run in each table.
    runSimCommand(b, ['advance', '31s'], () => {});
    expect(stats(b).periodic_gc_runs).toBe(2);
    expect(stats(b, AF_INET6).periodic_gc_runs).toBe(2);
  });

  it('a request for our address: neigh_event_ns() counts a lookup, a hit when the entry is there', () => {
    const { b } = model();
    runSimCommand(b, ['peer', 'garp', 'gw'], () => {});
    const s = stats(b);
    // The gratuitous request from gw (arp_accept 0): one lookup, no entry made.
    expect(s).toMatchObject({ lookups: 1, hits: 0, allocs: 0 });
  });

  it('a full table: forced gc first, then table_fulls and ENOBUFS when nothing could go', () => {
    const { b } = model();
    set(b, [name('arp_cache'), u32(NDTA_THRESH2, 2), u32(NDTA_THRESH3, 3)]);
    const add = (i: number, state = NUD_STALE) => b.neighbourAdd({ family: AF_INET, ifindex: 2, state, flags: 0, dst: Uint8Array.of(10, 0, 2, i), lladdr: Uint8Array.of(2, 0, 0, 0, 0, 9) }, NLM_F_CREATE | NLM_F_EXCL);
    add(1);
    add(2);
    add(3);
    // Three fresh entries on the gc list (updated within 5 s): a forced gc frees none, and the table is full.
    expect(refusal(() => add(4))).toEqual({ errno: 105, extack: undefined });
    expect(stats(b)).toMatchObject({ forced_gc_runs: 1, table_fulls: 1 });
    // Permanent entries are exempt: never refused.
    add(5, NUD_PERMANENT);
    // Once they are older than 5 s, a forced gc removes the oldest down to gc_thresh2.
    runSimCommand(b, ['advance', '6s'], () => {});
    add(6);
    expect(b.host.neighbours.filter((n) => n.dst.startsWith('10.0.2.')).map((n) => n.dst).sort()).toEqual(['10.0.2.3', '10.0.2.5', '10.0.2.6']);
    expect(stats(b)).toMatchObject({ destroys: 2, forced_gc_runs: 2, table_fulls: 1 });
  });
});

describe('periodic gc with the table\'s gc_thresh1 and each device\'s gc_stale_time', () => {
  it('a low thresh1 lets the periodic gc remove stale entries; the default 128 keeps them', () => {
    for (const thresh1 of [128, 2]) {
      const { b } = model();
      set(b, [name('arp_cache'), u32(NDTA_THRESH1, thresh1), { type: NDTA_PARMS, kind: 'nest', value: [u32(NDTPA_IFINDEX, 2), u64(NDTPA_GC_STALETIME, 3000n)] }]);
      for (let i = 1; i <= 4; i++) b.neighbourAdd({ family: AF_INET, ifindex: 2, state: NUD_STALE, flags: 0, dst: Uint8Array.of(10, 0, 3, i), lladdr: Uint8Array.of(2, 0, 0, 0, 0, 9) }, NLM_F_CREATE | NLM_F_EXCL);
      runSimCommand(b, ['advance', '16s'], () => {});
      expect(b.host.neighbours.filter((n) => n.dst.startsWith('10.0.3.')).length).toBe(thresh1 === 2 ? 0 : 4);
    }
  });
});
