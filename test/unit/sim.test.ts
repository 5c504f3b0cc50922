// The model without a kernel: transitions, timers and probes step by step,
// invariants over random event sequences, and the state file's guarantees.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Neighbour, NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_PROBE, NUD_REACHABLE, NUD_STALE } from '../../src/backend.js';
import { Engine } from '../../src/sim/engine.js';
import { proxyVerdict } from '../../src/sim/arp.js';
import { NUD_IN_TIMER, NUD_VALID, lookup } from '../../src/sim/neighbour.js';
import { StateError, load, lock, save } from '../../src/sim/store.js';
import { unreadTable } from '../../src/sim/table.js';
import { SimBackend } from '../../src/sim/backend.js';
import { type ArpFrame, ipFromString, macFromString } from '../../src/wire/arp.js';
import type { World } from '../../src/sim/world.js';
import { defaultWorld, findHost } from '../../src/sim/lan.js';

function setup(): { w: World; e: Engine; notes: string[] } {
  const notes: string[] = [];
  const w = defaultWorld(7);
  return { w, e: new Engine(w, (l) => notes.push(l)), notes };
}

const host = (w: World) => findHost(w, 'host')!;
const entry = (w: World, dst: string) => lookup(host(w), 2, 2, dst);

describe('neighbour transitions in the model', () => {
  it('resolves: NONE -> INCOMPLETE, one broadcast probe, REACHABLE on the reply', () => {
    const { w, e, notes } = setup();
    e.hostSend(host(w), '10.0.0.3');
    expect(entry(w, '10.0.0.3')!.state).toBe(NUD_INCOMPLETE);
    expect(entry(w, '10.0.0.3')!.probes).toBe(4); // starts at ucast_solicit, +1 for the first probe
    e.advanceTo(w.now + 1);
    const n = entry(w, '10.0.0.3')!;
    expect(n.state).toBe(NUD_REACHABLE);
    expect(n.lladdr).toBe('02:00:00:00:00:03');
    expect(notes.some((l) => l.includes('NONE -> INCOMPLETE'))).toBe(true);
    // The peer learnt the host from the request, and used it for its ICMP answer.
    expect(lookup(findHost(w, 'peer3')!, 2, 2, '10.0.0.2')!.state).toBe(NUD_DELAY);
  });

  it('REACHABLE -> STALE after reachable_time, STALE -> DELAY -> PROBE -> REACHABLE', () => {
    const { w, e } = setup();
    e.hostSend(host(w), '10.0.0.3');
    e.advanceTo(w.now + 1);
    const rt = host(w).links[1].reachable_time_ms;
    expect(rt).toBeGreaterThanOrEqual(15000);
    expect(rt).toBeLessThan(45000);
    e.advanceTo(w.now + rt + 10);
    expect(entry(w, '10.0.0.3')!.state).toBe(NUD_STALE);
    e.hostSend(host(w), '10.0.0.3');
    expect(entry(w, '10.0.0.3')!.state).toBe(NUD_DELAY);
    e.advanceTo(w.now + 5000);
    expect(entry(w, '10.0.0.3')!.state).toBe(NUD_PROBE);
    e.advanceTo(w.now + 1);
    expect(entry(w, '10.0.0.3')!.state).toBe(NUD_REACHABLE);
  });

  it('gives up after 3 broadcast probes, 1 s apart, and drops the queue', () => {
    const { w, e, notes } = setup();
    e.hostSend(host(w), '10.0.0.77');
    e.hostSend(host(w), '10.0.0.77');
    expect(entry(w, '10.0.0.77')!.queue.length).toBe(2);
    e.advanceTo(w.now + 2999);
    expect(entry(w, '10.0.0.77')!.state).toBe(NUD_INCOMPLETE);
    e.advanceTo(w.now + 2);
    const n = entry(w, '10.0.0.77')!;
    expect(n.state).toBe(NUD_FAILED);
    expect(n.dropped).toBe(2);
    expect(notes.filter((l) => l.includes('who-has 10.0.0.77')).length).toBe(3);
    expect(lookup(host(w), 2, 1, '0.0.0.0')).toBeDefined(); // the ICMP error went through lo
  });

  it('ignores a gratuitous ARP without an entry unless arp_accept', () => {
    const { w, e } = setup();
    const peer5 = findHost(w, 'peer5')!;
    e.garp(peer5, peer5.links[1], '10.0.0.5');
    e.advanceTo(w.now + 1);
    expect(entry(w, '10.0.0.5')).toBeUndefined();
    host(w).links[1].params.arp_accept = 1;
    e.garp(peer5, peer5.links[1], '10.0.0.5');
    e.advanceTo(w.now + 1);
    expect(entry(w, '10.0.0.5')!.state).toBe(NUD_STALE);
  });
});

describe('model invariants over random events', () => {
  it('never reaches a state the kernel cannot', () => {
    const action = fc.oneof(
      fc.record({ send: fc.constantFrom('10.0.0.1', '10.0.0.3', '10.0.0.4', '10.0.0.77', '192.0.2.9') }),
      fc.record({ advance: fc.integer({ min: 0, max: 40000 }) }),
      fc.record({ garp: fc.constantFrom('peer3', 'peer4', 'peer5'), accept: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ silent: fc.constantFrom('gw', 'peer3', 'peer4'), on: fc.boolean() }),
    );
    fc.assert(fc.property(fc.array(action, { maxLength: 40 }), fc.integer({ min: 1, max: 1000 }), (actions, seed) => {
      const w = defaultWorld(seed);
      const e = new Engine(w);
      for (const a of actions) {
        if ('send' in a) e.hostSend(host(w), a.send);
        else if ('advance' in a) e.advanceTo(w.now + a.advance);
        else if ('garp' in a) {
          host(w).links[1].params.arp_accept = a.accept;
          const p = findHost(w, a.garp)!;
          e.garp(p, p.links[1], p.links[1].addresses[0].local);
        } else findHost(w, a.silent)!.silent = a.on;
        for (const h of w.hosts) {
          for (const n of h.neighbours) {
            if (n.state & NUD_VALID) expect(n.lladdr).toBeDefined();
            expect(n.timer !== undefined).toBe((n.state & NUD_IN_TIMER) !== 0);
            if (n.timer !== undefined) expect(n.timer).toBeGreaterThanOrEqual(w.now);
            if (n.queue.length) expect(n.state).toBe(NUD_INCOMPLETE);
            expect(n.probes).toBeLessThanOrEqual(6);
          }
        }
      }
    }), { numRuns: 150 });
  });
});

describe('the state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsnet-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from the default topology and round-trips', () => {
    const f = join(dir, 'state.json');
    const w = load(f);
    expect(w.hosts.map((h) => h.name)).toEqual(['host', 'gw', 'peer3', 'peer4', 'peer5']);
    save(f, w);
    expect(load(f)).toEqual(w);
    expect(existsSync(`${f}.tmp-${process.pid}`)).toBe(false);
    w.hosts[0].links[1].alias = 'zażółć uplink'; // not ASCII: read as UTF-8
    save(f, w);
    expect(load(f)).toEqual(w);
  });

  it('keeps neighbour tables as text, timers and queues included, and still reads formats 1 and 2', () => {
    const f = join(dir, 'state.json');
    const w = defaultWorld(7);
    const e = new Engine(w);
    e.hostSend(w.hosts[0], '10.0.0.1');
    e.hostSend(w.hosts[0], '10.0.0.9'); // never answered: INCOMPLETE with a queued packet and a timer
    e.advanceTo(w.now + 1);
    const before = structuredClone(w);
    expect(before.hosts[0].neighbours.some((n) => n.queue.length && n.timer !== undefined)).toBe(true);
    save(f, w);
    const file = JSON.parse(readFileSync(f, 'utf8')) as { version: number; hosts: { neighbours: unknown }[] };
    expect(file.version).toBe(4);
    // Newest first: the unanswered entry with its queue, then the gateway.
    const lines = (file.hosts[0].neighbours as string).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('2 2 10.0.0.9 1 0 0 0 - -60000 0 0 4 1000 0 [{"src":"10.0.0.2","dst":"10.0.0.9","proto":"udp"}]');
    expect(lines[1]).toMatch(/^2 2 10\.0\.0\.1 2 0 0 0 02:00:00:00:00:01 [-\d.]+ [-\d.]+ [-\d.]+ \d+ [-\d.]+ 0$/);
    expect(load(f)).toEqual(before);
    writeFileSync(f, JSON.stringify({ ...before, version: 1 }));
    expect(load(f)).toEqual(before);
    const rows = before.hosts.map((h) => h.neighbours.map((n) => [n.family, n.ifindex, n.dst, n.state, n.flags, n.flagsExt, n.protocol,
      n.lladdr ?? null, n.confirmed, n.used, n.updated, n.probes, n.timer ?? null, n.queue.length ? n.queue : 0, n.dropped]));
    writeFileSync(f, JSON.stringify({ ...before, version: 2, hosts: before.hosts.map((h, i) => ({ ...h, neighbours: rows[i] })) }));
    expect(load(f)).toEqual(before);
  });

  it('reads a table only when it is used: the dump walks the text, and a save writes an unused table back as it was', () => {
    const f = join(dir, 'state.json');
    const w = defaultWorld(7);
    const e = new Engine(w);
    for (const a of ['10.0.0.1', '10.0.0.3', '10.0.0.9']) e.hostSend(w.hosts[0], a);
    e.advanceTo(w.now + 1500);
    save(f, w);
    const dump = (world: World) => {
      const got: Neighbour[] = [];
      new SimBackend(world, 'host').neighbourDump({ family: 0 }, (n) => got.push(n));
      return got;
    };
    const lazy = load(f);
    const fromText = dump(lazy);
    expect(unreadTable(lazy.hosts[0])).toBeDefined(); // the dump did not make objects
    const eager = load(f);
    expect(eager.hosts[0].neighbours.length).toBe(3);
    expect(unreadTable(eager.hosts[0])).toBeUndefined();
    expect(fromText).toEqual(dump(eager));
    expect(fromText.map((n) => n.state)).toEqual([NUD_INCOMPLETE, NUD_REACHABLE, NUD_REACHABLE]);

    const text = (JSON.parse(readFileSync(f, 'utf8')) as { hosts: { neighbours: string }[] }).hosts.map((h) => h.neighbours);
    const changed = load(f);
    findHost(changed, 'gw')!.neighbours.length = 0;
    save(f, changed);
    const after = (JSON.parse(readFileSync(f, 'utf8')) as { hosts: { neighbours: string }[] }).hosts.map((h) => h.neighbours);
    expect(after[0]).toBe(text[0]);
    expect(after[1]).toBe('');
    expect(load(f).hosts[0].neighbours).toEqual(w.hosts[0].neighbours);
  });

  it('refuses a corrupt file and leaves it untouched', () => {
    const f = join(dir, 'state.json');
    writeFileSync(f, '{"version": 1, "hosts": [');
    expect(() => load(f)).toThrow(StateError);
    expect(readFileSync(f, 'utf8')).toBe('{"version": 1, "hosts": [');
  });

  it('refuses a file from a newer tsnet', () => {
    const f = join(dir, 'state.json');
    writeFileSync(f, JSON.stringify({ version: 99, hosts: [] }));
    expect(() => load(f)).toThrow(/newer tsnet/);
  });

  it('locks against a live holder (flock: another open file of the same lock) and not against a dead one\'s file', () => {
    const f = join(dir, 'state.json');
    const held = lock(f, 100);
    expect(readFileSync(`${f}.lock`, 'utf8').trim()).toBe(String(process.pid));
    expect(() => lock(f, 100)).toThrow(new RegExp(`in use by another run \\(process ${process.pid}\\)`));
    held.release();
    held.release(); // twice is harmless: only this run's own lock is let go
    writeFileSync(`${f}.lock`, '999999999'); // what a killed run leaves: the kernel let its lock go
    const again = lock(f, 100);
    again.release();
    expect(existsSync(`${f}.lock`)).toBe(true); // never deleted: two runs must lock the same file
  });
});

describe('arp_ignore in the model (arp_process + arp_ignore())', () => {
  /** The host gets a second address on a second device; peer3 asks the host's eth0 for it. */
  function twoDevices(mode: number): { w: World; e: Engine; notes: string[] } {
    const s = setup();
    const h = host(s.w);
    const eth0 = h.links.find((l) => l.name === 'eth0')!;
    h.links.push({ ...eth0, index: 3, name: 'eth1', mac: '02:00:00:00:01:02', segment: 'lan1', addresses: [{ family: 2, local: '192.0.2.2', prefixlen: 24 }], params: { ...eth0.params } });
    eth0.params.arp_ignore = mode;
    return s;
  }
  const ask = (s: { w: World; e: Engine }, tip: string) => {
    const peer = findHost(s.w, 'peer3')!;
    s.e.hostSend(peer, tip, 'eth0');
    s.e.advanceTo(s.w.now + 1);
    return lookup(peer, 2, 2, tip);
  };

  it('0: eth0 answers for the address of eth1 (ARP flux) and says why', () => {
    const s = twoDevices(0);
    expect(ask(s, '192.0.2.2')?.lladdr).toBe('02:00:00:00:00:02');
    expect(s.notes.some((l) => l.includes('answered although 192.0.2.2 is on another device (arp_ignore 0'))).toBe(true);
  });

  it('1: only the device that has the address answers', () => {
    const s = twoDevices(1);
    expect(ask(s, '192.0.2.2')?.lladdr).toBeUndefined();
    expect(s.notes.some((l) => l.includes('not answered (arp_ignore 1: 192.0.2.2 is not on eth0)'))).toBe(true);
    expect(ask(s, '10.0.0.2')?.lladdr).toBe('02:00:00:00:00:02');
  });

  it('a request whose sender is our own address is a martian: no answer, no entry even with arp_accept 1', () => {
    const s = twoDevices(0);
    const h = host(s.w);
    h.links.find((l) => l.name === 'eth0')!.params.arp_accept = 1;
    const peer = findHost(s.w, 'peer3')!;
    s.e.garp(peer, peer.links[1], '10.0.0.2'); // peer3 claims the host's address
    const sent = s.w.frames.length;
    s.e.advanceTo(s.w.now + 1);
    expect(s.notes.some((l) => l.includes('not answered: 10.0.0.2 is our own address (martian source)'))).toBe(true);
    const hostNotes = s.notes.filter((l) => l.includes('] host: '));
    expect(hostNotes.some((l) => l.includes(' sends '))).toBe(false);
    expect(hostNotes).toContain('[0.000s] host: 10.0.0.2 dev eth0: gratuitous ARP ignored, no entry (10.0.0.2 is our own address) [arp_process() arp.c]');
    expect(s.w.frames.length).toBeLessThanOrEqual(sent);
    expect(lookup(h, 2, 2, '10.0.0.2')).toBeUndefined();
  });
});

describe('proxy ARP in the model (arp_process, pneigh_enqueue)', () => {
  /**
   * The host gets v0 with 10.0.0.129/25 (a more specific route than eth0's
   * /24), so 10.0.0.150 routes out of v0; peer3 asks eth0 for it.
   */
  function proxyHost(opts: { forwarding?: number; proxyArp?: number; entry?: string; delay?: number } = {}): { w: World; e: Engine; notes: string[] } {
    const s = setup();
    const h = host(s.w);
    const eth0 = h.links.find((l) => l.name === 'eth0')!;
    h.links.push({ ...eth0, index: 3, name: 'v0', mac: '02:00:00:00:01:02', segment: 'lan1', addresses: [{ family: 2, local: '10.0.0.129', prefixlen: 25 }], params: { ...eth0.params } });
    eth0.params.forwarding = opts.forwarding ?? 1;
    eth0.params.proxy_arp = opts.proxyArp ?? 0;
    eth0.params.proxy_delay_ms = opts.delay ?? 800;
    if (opts.entry) h.proxies.push({ family: 2, ifindex: 2, dst: opts.entry, flags: 0, protocol: 0 });
    return s;
  }
  /** peer3 resolves `tip` (a broadcast request); returns its entry after `ms`. */
  const ask = (s: { w: World; e: Engine }, tip: string, ms = 1) => {
    const peer = findHost(s.w, 'peer3')!;
    s.e.hostSend(peer, tip, 'eth0');
    s.e.advanceTo(s.w.now + ms);
    return lookup(peer, 2, 2, tip);
  };

  it('answers for a proxy entry routed out of another device, after a delay below proxy_delay, and learns the sender', () => {
    const s = proxyHost({ entry: '10.0.0.150' });
    const start = s.w.now;
    expect(entry(s.w, '10.0.0.3')).toBeUndefined();
    ask(s, '10.0.0.150', 0.5);
    // The sender is learnt at once; the answer waits in the proxy queue.
    expect(entry(s.w, '10.0.0.3')!.state).toBe(NUD_STALE);
    expect(s.w.frames.some((f) => f.proxyRedo)).toBe(true);
    s.e.advanceTo(s.w.now + 800);
    const n = lookup(findHost(s.w, 'peer3')!, 2, 2, '10.0.0.150');
    expect(n?.lladdr).toBe('02:00:00:00:00:02');
    expect(n?.state).toBe(NUD_REACHABLE);
    const answered = s.notes.find((l) => l.includes('answered by proxy out of the proxy queue (proxy entry 10.0.0.150 dev eth0, route to 10.0.0.150 via v0)'));
    expect(answered).toBeDefined();
    expect(Number(/^\[(\d+\.\d+)s\]/.exec(answered!)![1]) * 1000 - start).toBeLessThan(800);
  });

  it('answers at once with proxy_delay 0, and for a unicast request', () => {
    const s = proxyHost({ entry: '10.0.0.150', delay: 0 });
    expect(ask(s, '10.0.0.150', 1)?.lladdr).toBe('02:00:00:00:00:02');
    expect(s.notes.some((l) => l.includes('answered by proxy at once: proxy_delay 0'))).toBe(true);
    const u = proxyHost({ entry: '10.0.0.150' });
    const h = host(u.w);
    // A request sent to the host's own MAC (PACKET_HOST), as a peer re-checking its entry sends.
    const peer3 = macFromString('02:00:00:00:00:03');
    const f: ArpFrame = {
      ethDst: macFromString('02:00:00:00:00:02'), ethSrc: peer3, op: 1, sha: peer3, spa: ipFromString('10.0.0.3'), tha: 0, tpa: ipFromString('10.0.0.150'),
    };
    u.e.arpProcess(h, h.links[1], f, true);
    expect(u.notes.some((l) => l.includes('answered by proxy at once: unicast to us'))).toBe(true);
    expect(u.w.frames.some((x) => x.proxyRedo)).toBe(false);
  });

  it('answers for any routed address with proxy_arp on, but not for one routed back out of eth0', () => {
    const s = proxyHost({ proxyArp: 1 });
    expect(ask(s, '10.0.0.140', 800)?.lladdr).toBe('02:00:00:00:00:02');
    const t = proxyHost({ proxyArp: 1 });
    findHost(t.w, 'peer4')!.silent = true;
    expect(ask(t, '10.0.0.4', 800)?.lladdr).toBeUndefined();
    expect(t.notes.some((l) => l.includes('not proxied (proxy_arp on eth0, but the route to 10.0.0.4 leaves through eth0 itself)'))).toBe(true);
    expect(entry(t.w, '10.0.0.3')).toBeUndefined();
  });

  it('refuses with forwarding off, without a proxy entry, and for a broadcast address; learns nothing then', () => {
    const off = proxyHost({ entry: '10.0.0.150', forwarding: 0 });
    expect(ask(off, '10.0.0.150', 800)?.lladdr).toBeUndefined();
    expect(off.notes.some((l) => l.includes('not proxied (proxy entry 10.0.0.150 dev eth0, but forwarding is off on eth0)'))).toBe(true);
    expect(entry(off.w, '10.0.0.3')).toBeUndefined();
    const none = proxyHost({ entry: '10.0.0.150' });
    expect(ask(none, '10.0.0.140', 800)?.lladdr).toBeUndefined();
    expect(none.notes.some((l) => l.includes('10.0.0.140') && l.includes('proxied'))).toBe(false);
    const bcast = proxyHost({ proxyArp: 1 });
    const h = host(bcast.w);
    expect(proxyVerdict(h, h.links[1], '10.0.0.255')).toEqual({ answer: false, why: 'proxy_arp on eth0, but 10.0.0.255 is a broadcast address' });
  });

  it('drops a broadcast request when more than proxy_qlen already wait', () => {
    const s = proxyHost({ entry: '10.0.0.150' });
    host(s.w).links[1].params.proxy_qlen = 1;
    for (const p of ['peer3', 'peer4', 'peer5']) s.e.hostSend(findHost(s.w, p)!, '10.0.0.150', 'eth0');
    s.e.advanceTo(s.w.now + 0.5);
    expect(s.w.frames.filter((f) => f.proxyRedo).length).toBe(2);
    expect(s.notes.some((l) => l.includes('dropped: 2 already wait in the proxy queue (proxy_qlen 1)'))).toBe(true);
  });
});

describe('the queue of an unresolved entry (unres_qlen_bytes)', () => {
  it('keeps as many small datagrams as fit in unres_qlen x 2090 bytes at 832 each, dropping the oldest', () => {
    const { w, e, notes } = setup();
    const p = host(w).links[1].params;
    p.unres_qlen = 3;
    p.unres_qlen_bytes = 3 * 2090;
    findHost(w, 'peer5')!.silent = true;
    for (let i = 0; i < 20; i++) e.hostSend(host(w), '10.0.0.5');
    expect(entry(w, '10.0.0.5')!.queue.length).toBe(7);
    expect(entry(w, '10.0.0.5')!.dropped).toBe(13);
    expect(notes.some((l) => l.includes('unres_qlen_bytes 6270 full'))).toBe(true);
    findHost(w, 'peer5')!.silent = false;
    e.advanceTo(w.now + 1001);
    expect(entry(w, '10.0.0.5')!.state).toBe(NUD_REACHABLE);
    expect(findHost(w, 'peer5')!.udpIn).toBe(7);
  });
});

describe('MSG_CONFIRM in the model (dst_confirm_neigh)', () => {
  it('a confirmation during DELAY brings the entry back to REACHABLE without a probe', () => {
    const { w, e, notes } = setup();
    const eth0 = host(w).links[1];
    // reachable_time 2 s runs out long after delay_first_probe_time 1 s: STALE.
    eth0.reachable_time_ms = 2000;
    eth0.params.delay_first_probe_time_ms = 1000;
    e.hostSend(host(w), '10.0.0.3');
    e.advanceTo(w.now + 3000);
    const n = entry(w, '10.0.0.3')!;
    expect(n.state).toBe(NUD_STALE);
    eth0.params.delay_first_probe_time_ms = 5000;
    eth0.reachable_time_ms = 30000;
    findHost(w, 'peer3')!.silent = true;
    e.hostSend(host(w), '10.0.0.3');
    expect(n.state).toBe(NUD_DELAY);
    e.advanceTo(w.now + 1000);
    e.confirmNeighbour(host(w), '10.0.0.3');
    e.advanceTo(w.now + 4500);
    expect(n.state).toBe(NUD_REACHABLE);
    expect(notes.some((l) => l.includes('confirmed by the sender (MSG_CONFIRM)'))).toBe(true);
    expect(notes.some((l) => l.includes('DELAY -> REACHABLE (confirmed during delay_first_probe_time)'))).toBe(true);
  });
});
