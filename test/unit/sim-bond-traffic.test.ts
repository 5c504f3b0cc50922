// The model's bonds carrying traffic: each mode's slave choice as the 6.1
// driver makes it (balance-rr with packets_per_slave, active-backup's active
// slave, balance-xor / 802.3ad by xmit_hash_policy, broadcast on every
// slave), frames from the peer handed to the bond or dropped on an inactive
// slave, and the counters `-s link show` prints for slaves and bond.
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/sim/backend.js';
import { defaultWorld, ethernet, makeHost } from '../../src/sim/lan.js';
import { Context } from '../../src/ip/context.js';
import { Output } from '../../src/lib/output.js';
import { defaultOptions } from '../../src/ip/options.js';
import { doLink } from '../../src/ip/link.js';
import { doAddr } from '../../src/ip/addr.js';
import { doNeigh } from '../../src/ip/neigh.js';
import { Exit } from '../../src/ip/matches.js';
import { XMIT_LAYER2, XMIT_LAYER23, XMIT_LAYER34, xmitHash } from '../../src/sim/bond-xmit.js';
import { encodeIpv4Frame } from '../../src/wire/ipv4.js';
import { framesOf } from '../../src/sim/capture.js';

const PEER_MAC = '02:00:00:00:0e:01';

/**
 * A host with bond kb0 (10.9.0.2/24) over kd1 and kd2, each plugged into a
 * segment of its own (lanb1, lanb2), and a peer pb whose two ports sit on
 * those segments with one MAC, 10.9.0.1 on the first: the lab's bridge in
 * the peer namespace, as the model can have it.
 */
async function bonded(opts: string, slaves = 2) {
  const w = defaultWorld();
  const peer = makeHost(w, 'pb', [ethernet(w, 2, 'eth0', PEER_MAC, 'lanb1', '10.9.0.1'), ethernet(w, 3, 'eth1', PEER_MAC, 'lanb2'),
    ethernet(w, 4, 'eth2', PEER_MAC, 'lanb3')]);
  w.hosts.push(peer);
  const b = new SimBackend(w, 'host');
  const run = async (line: string, o: Partial<ReturnType<typeof defaultOptions>> = {}) => {
    const out = new Output(false, false);
    const ctx = new Context({ ...defaultOptions(), ...o }, out, () => b);
    const [obj, ...words] = line.split(' ');
    try {
      const code = await (obj === 'addr' ? doAddr : obj === 'neigh' ? doNeigh : doLink)(ctx, words);
      return { code, out: out.take() };
    } catch (e) {
      if (e instanceof Exit) return { code: e.code, out: `${out.take()}${e.lines.join('\n')}` };
      throw e;
    }
  };
  const sim = (line: string): string => {
    let text = '';
    b.simulate(line.split(' '), (s) => (text += s));
    return text;
  };
  const link = (name: string, host = b.host) => host.links.find((l) => l.name === name)!;
  expect((await run(`link add kb0 address 02:00:00:00:0b:00 type bond ${opts}`)).code).toBe(0);
  for (let i = 1; i <= slaves; i++) {
    await run(`link add kd${i} type dummy`);
    link(`kd${i}`).segment = `lanb${i}`;
    await run(`link set kd${i} master kb0`);
  }
  await run('link set kb0 up');
  await run('addr add 10.9.0.2/24 dev kb0');
  const tx = (name: string) => link(name).stats?.tx_packets ?? 0;
  const rx = (name: string, host = b.host) => link(name, host).stats?.rx_packets ?? 0;
  /** A destination the peer takes frames for but does not answer (not its address: it drops them), by a permanent entry. */
  const target = async (dst = '10.9.0.7') => expect((await run(`neigh add ${dst} lladdr ${PEER_MAC} dev kb0 nud permanent`)).code).toBe(0);
  /** The peer sends a gratuitous ARP by its port on segment lanb`port`. */
  const garpFrom = (port: number) => {
    b.engine.garp(peer, peer.links[port], '10.9.0.1');
    b.engine.advanceTo(w.now + 1);
  };
  /** Which slave each frame the bond sent left by, from the timeline. */
  const order = (what = 'UDP') => w.timeline.filter((e) => e.text.startsWith(`kb0 sends ${what}`)).map((e) => /by (\S+)/.exec(e.text)![1]);
  /** Frames each peer port received: the spread, as tcpdump on the lab's peer ends counts it. */
  const spread = () => [1, 2, 3].slice(0, slaves).map((i) => rx(`eth${i - 1}`, peer));
  return { w, b, run, sim, link, tx, rx, spread, peer, target, garpFrom, order };
}

describe('balance-rr', () => {
  it('spreads sim send count 6 over two slaves 3/3; the first frame takes the second slave (rr_tx_counter is incremented first)', async () => {
    const m = await bonded('mode balance-rr');
    await m.target();
    m.sim('send 10.9.0.7 count 6');
    expect(m.order()).toEqual(['kd2', 'kd1', 'kd2', 'kd1', 'kd2', 'kd1']);
    expect([m.tx('kd1'), m.tx('kd2'), m.tx('kb0')]).toEqual([3, 3, 6]);
    m.sim('advance 1s');
    expect(m.spread()).toEqual([3, 3]);
  });

  it('resolves the next hop over the bond: the request by one slave, the reply on it handed to the bond', async () => {
    const m = await bonded('mode balance-rr');
    m.sim('send 10.9.0.1');
    m.sim('advance 10ms');
    expect(m.order('02:00:00:00:0b:00 > ff:ff:ff:ff:ff:ff: ARP, Request who-has 10.9.0.1')).toEqual(['kd2']);
    expect(m.order()).toEqual(['kd1']);
    expect((await m.run('neigh show dev kb0')).out).toMatch(new RegExp(`^10.9.0.1 lladdr ${PEER_MAC} REACHABLE`));
    // kd2: the reply; kd1: the peer's own request for 10.9.0.2 (its ICMP port unreachable needs it); both are the bond's.
    expect([m.rx('kd1'), m.rx('kd2'), m.rx('kb0')]).toEqual([1, 1, 2]);
  });

  it('packets_per_slave 2 sends two in a row by each slave; three slaves take turns', async () => {
    const m = await bonded('mode balance-rr packets_per_slave 2', 3);
    await m.target();
    m.sim('send 10.9.0.7 count 12');
    // Counters 1..12 divided by 2 (0 1 1 2 2 3 3 4 4 5 5 6), modulo 3.
    expect(m.order()).toEqual(['kd1', 'kd2', 'kd2', 'kd3', 'kd3', 'kd1', 'kd1', 'kd2', 'kd2', 'kd3', 'kd3', 'kd1']);
    m.sim('advance 1s');
    expect(m.spread()).toEqual([4, 4, 4]);
  });

  it('skips a slave whose link is down (bond_get_slave_by_id)', async () => {
    const m = await bonded('mode balance-rr miimon 100');
    m.sim('carrier kd2 off');
    m.sim('advance 200ms');
    await m.target();
    m.sim('send 10.9.0.7 count 4');
    expect([m.tx('kd1'), m.tx('kd2')]).toEqual([4, 0]);
  });
});

describe('broadcast', () => {
  it('sends every frame by every slave; each copy counts on the bond', async () => {
    const m = await bonded('mode broadcast', 3);
    await m.target();
    m.sim('send 10.9.0.7 count 3');
    expect(m.order()).toEqual(['kd1', 'kd1', 'kd1']);
    expect(m.w.timeline.filter((e) => e.text.startsWith('kb0 sends UDP')).every((e) => / by kd1 kd2 kd3 \(broadcast\)$/.test(e.text))).toBe(true);
    m.sim('advance 1s');
    expect(m.spread()).toEqual([3, 3, 3]);
    expect([m.tx('kd1'), m.tx('kd2'), m.tx('kd3'), m.tx('kb0')]).toEqual([3, 3, 3, 9]);
  });
});

describe('active-backup', () => {
  it('sends only by the active slave; a frame on the backup slave is dropped (rx_nohandler), on the active one it is the bond\'s', async () => {
    const m = await bonded('mode active-backup miimon 100');
    m.sim('advance 100ms');
    await m.target();
    m.sim('send 10.9.0.7 count 5');
    expect([m.tx('kd1'), m.tx('kd2')]).toEqual([5, 0]);
    m.garpFrom(2);
    const kd2 = m.link('kd2').stats!;
    expect([kd2.rx_packets, kd2.rx_nohandler]).toEqual([1, 1]);
    expect([m.rx('kb0'), m.link('kb0').stats!.rx_nohandler]).toEqual([1, 1]);
    m.garpFrom(1);
    expect([m.rx('kd1'), m.link('kd1').stats?.rx_nohandler ?? 0, m.rx('kb0')]).toEqual([1, 0, 2]);
    const s = (await m.run('link show kd2', { stats: 1 })).out;
    expect(s).toMatch(/RX:  bytes packets errors dropped  missed   mcast\s*\n\s+42\s+1\s+0\s+0\s+0\s+0\s*\n/);
  });

  it('all_slaves_active 1 hands the backup slave\'s frames to the bond', async () => {
    const m = await bonded('mode active-backup miimon 100 all_slaves_active 1');
    m.sim('advance 100ms');
    m.garpFrom(2);
    expect(m.link('kd2').stats?.rx_nohandler ?? 0).toBe(0);
    expect(m.rx('kb0')).toBe(1);
  });

  it('the failover moves the traffic to the new active slave', async () => {
    const m = await bonded('mode active-backup miimon 100');
    m.sim('advance 100ms');
    await m.target();
    m.sim('send 10.9.0.7 count 2');
    m.sim('carrier kd1 off');
    m.sim('advance 200ms');
    m.sim('send 10.9.0.7 count 2');
    expect(m.order()).toEqual(['kd1', 'kd1', 'kd2', 'kd2']);
  });
});

describe('xmit_hash_policy', () => {
  const frame = (dst: string) => encodeIpv4Frame({ srcMac: '02:00:00:00:0b:00', dstMac: PEER_MAC, src: '10.9.0.2', dst, proto: 'udp' });

  it('layer2: the last bytes of both MACs and the EtherType', () => {
    // 0x00 ^ 0x01 ^ 0x0800
    expect(xmitHash(XMIT_LAYER2, frame('10.9.0.1'))).toBe(0x801);
    expect(xmitHash(XMIT_LAYER2, frame('10.9.0.7'))).toBe(0x801);
  });

  it('layer2+3 and layer3+4 fold in the addresses (and the ports word, less its lowest bit)', () => {
    // Values computed by hand from bond_ip_hash(): 10.9.0.2 -> 10.9.0.7 .. 10.9.0.10, UDP 50000 -> 9.
    expect(['10.9.0.7', '10.9.0.8', '10.9.0.9', '10.9.0.10'].map((d) => xmitHash(XMIT_LAYER23, frame(d)))).toEqual([84217100, 168428035, 185271042, 134742017]);
    expect(['10.9.0.7', '10.9.0.8', '10.9.0.9', '10.9.0.10'].map((d) => xmitHash(XMIT_LAYER34, frame(d)))).toEqual([101068367, 25274824, 16853320, 8431817]);
  });

  it('balance-xor picks the slave by hash modulo the usable slaves, per flow', async () => {
    for (const [policy, expected] of [['layer2', ['kd2', 'kd2', 'kd2']], ['layer2+3', ['kd1', 'kd2', 'kd1']], ['layer3+4', ['kd2', 'kd1', 'kd1']]] as const) {
      const m = await bonded(`mode balance-xor xmit_hash_policy ${policy}`);
      for (const d of ['10.9.0.7', '10.9.0.8', '10.9.0.9']) {
        await m.target(d);
        m.sim(`send ${d} count 2`);
      }
      expect(`${policy} ${m.order().join(' ')}`).toBe(`${policy} ${expected.flatMap((s) => [s, s]).join(' ')}`);
    }
  });

  it('balance-xor leaves out a slave whose link is down (the modulo is over the usable slaves)', async () => {
    const m = await bonded('mode balance-xor xmit_hash_policy layer2 miimon 100');
    m.sim('carrier kd2 off');
    m.sim('advance 200ms');
    await m.target();
    m.sim('send 10.9.0.7 count 2');
    expect(m.order()).toEqual(['kd1', 'kd1']);
  });

  it('802.3ad without a partner sends by the first slave up (an aggregator of its own), whatever the hash', async () => {
    const m = await bonded('mode 802.3ad xmit_hash_policy layer3+4 miimon 100');
    m.sim('advance 100ms');
    for (const d of ['10.9.0.7', '10.9.0.8', '10.9.0.9']) {
      await m.target(d);
      m.sim(`send ${d}`);
    }
    expect([m.tx('kd1'), m.tx('kd2')]).toEqual([3, 0]);
  });

  it('802.3ad keeps the active aggregator when the first slave comes back (the lab\'s driver does)', async () => {
    const m = await bonded('mode 802.3ad miimon 100');
    m.sim('advance 100ms');
    await m.target();
    const step = async (carrier: string) => {
      if (carrier) m.sim(carrier);
      m.sim('advance 200ms');
      m.sim('send 10.9.0.7');
      const d = (await m.run('link show kd1', { details: 1 })).out;
      return `${m.order().at(-1)} kd1 ${/bond_slave state (\S+)/.exec(d)![1]}`;
    };
    expect(await step('')).toBe('kd1 kd1 ACTIVE');
    expect(await step('carrier kd1 off')).toBe('kd2 kd1 BACKUP');
    expect(await step('carrier kd1 on')).toBe('kd2 kd1 BACKUP');
    expect(await step('carrier kd2 off')).toBe('kd1 kd1 ACTIVE');
  });
});

describe('counters', () => {
  it('-s link show prints what each device counted; the bond what its slaves did; untouched links stay 0', async () => {
    const m = await bonded('mode balance-rr');
    await m.target();
    m.sim('send 10.9.0.7 count 6');
    // Three UDP datagrams of 43 bytes each (14 + 20 + 8 + 1).
    const tx = (bytes: number, packets: number) => new RegExp(`TX:  bytes packets errors dropped carrier collsns\\s*\\n\\s+${bytes}\\s+${packets}\\s+0\\s+0\\s+0\\s+0\\s*\\n`);
    expect((await m.run('link show kd1', { stats: 1 })).out).toMatch(tx(129, 3));
    expect((await m.run('link show kd2', { stats: 1 })).out).toMatch(tx(129, 3));
    expect((await m.run('link show kb0', { stats: 1 })).out).toMatch(tx(258, 6));
    expect((await m.run('link show lo', { stats: 1 })).out).toMatch(tx(0, 0));
  });

  it('the capture has each frame on the bond and on the slave it left by (sim pcap ... dev)', async () => {
    const m = await bonded('mode balance-rr');
    await m.target();
    m.sim('send 10.9.0.7 count 4');
    const out = (dev: string) => framesOf(m.w, 'host', m.link(dev).index).filter((f) => f.dir === 'out').length;
    expect([out('kb0'), out('kd1'), out('kd2')]).toEqual([4, 2, 2]);
  });

  it('a bond with no slave left drops what it is given (tx_dropped)', async () => {
    const m = await bonded('mode active-backup');
    await m.target();
    await m.run('link set kd1 nomaster');
    await m.run('link set kd2 nomaster');
    m.sim('send 10.9.0.7');
    expect(m.link('kb0').stats?.tx_dropped).toBe(1);
    expect(m.w.timeline.some((e) => /^kb0 drops UDP 10.9.0.2 > 10.9.0.7: no slave to send it by/.test(e.text))).toBe(true);
  });
});
