// The model without a kernel: transitions, timers and probes step by step,
// invariants over random event sequences, and the state file's guarantees.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_PROBE, NUD_REACHABLE, NUD_STALE } from '../../src/backend.js';
import { Engine } from '../../src/sim/engine.js';
import { NUD_IN_TIMER, NUD_VALID, lookup } from '../../src/sim/neigh.js';
import { StateError, load, lock, save } from '../../src/sim/store.js';
import { type World, defaultWorld, findHost } from '../../src/sim/world.js';

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
  });

  it('keeps neighbour entries as rows, timers and queues included, and still reads format 1', () => {
    const f = join(dir, 'state.json');
    const w = defaultWorld(7);
    const e = new Engine(w);
    e.hostSend(w.hosts[0], '10.0.0.1');
    e.hostSend(w.hosts[0], '10.0.0.9'); // never answered: INCOMPLETE with a queued packet and a timer
    e.advanceTo(w.now + 1);
    const before = structuredClone(w);
    expect(before.hosts[0].neighbours.some((n) => n.queue.length && n.timer !== undefined)).toBe(true);
    save(f, w);
    const file = JSON.parse(readFileSync(f, 'utf8')) as { version: number; hosts: { neighbours: unknown[] }[] };
    expect(file.version).toBe(2);
    expect(file.hosts[0].neighbours.every(Array.isArray)).toBe(true);
    expect(load(f)).toEqual(before);
    writeFileSync(f, JSON.stringify({ ...before, version: 1 }));
    expect(load(f)).toEqual(before);
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

  it('locks against a live holder and takes over a dead one', () => {
    const f = join(dir, 'state.json');
    writeFileSync(`${f}.lock`, '1'); // pid 1 is alive
    expect(() => lock(f, 100)).toThrow(/in use by process 1/);
    writeFileSync(`${f}.lock`, '999999999');
    const unlock = lock(f, 100);
    expect(readFileSync(`${f}.lock`, 'utf8')).toBe(String(process.pid));
    unlock();
    expect(existsSync(`${f}.lock`)).toBe(false);
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
});
