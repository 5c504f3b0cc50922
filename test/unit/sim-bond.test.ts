// The model's bonding on the virtual clock: the MII monitor's link states
// (up, going down, down, going back) with updelay and downdelay counted in
// ticks, the active slave as the driver picks it (primary, primary_reselect,
// active_slave), the gratuitous ARPs of a failover reaching the LAN, and
// `tsnet sim carrier`. Each transition is checked at the tick it happens on,
// against the sequences and messages the lab's 6.1 driver gave.
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/sim/backend.js';
import { inProcess } from './in-process.js';
import { defaultWorld } from '../../src/sim/lan.js';

/** A fresh model (no traffic yet) and tsnet's link and bond commands run on it in-process. */
function model() {
  const b = new SimBackend(defaultWorld(), 'host');
  const w = b.world;
  const { run, sim } = inProcess(b);
  const link = (name: string) => b.host.links.find((l) => l.name === name)!;
  /** What `bond show` says of each slave and the bond: MII status, failures, active slave. */
  const show = async (bond = 'kb0') => {
    const text = (await run(`bond show ${bond}`)).out;
    const active = /Currently Active Slave: (\S+)/.exec(text)?.[1];
    const slaves = Object.fromEntries([...text.matchAll(/Slave Interface: (\S+)\nMII Status: ([^\n]+)\n(?:.*\n){2}Link Failure Count: (\d+)/g)]
      .map((m) => [m[1], `${m[2]}${m[3] !== '0' ? ` (${m[3]} failures)` : ''}`]));
    return { bond: /^MII Status: (\S+)/m.exec(text)?.[1], active, ...slaves };
  };
  /** Where the timeline is now, for `log`. */
  const mark = () => w.timeline.length;
  /** The host's bonding and carrier lines since `from` (a mark), with their virtual times (ms). */
  const log = (from: number) => w.timeline.slice(from).filter((e) => e.host === 'host' && /^(kb0: (?!link-local)|kd\d: carrier|\w+ sends .* from kb0\))/.test(e.text))
    .map((e) => `${e.t} ${e.text}`);
  return { b, w, run, sim, link, show, mark, log };
}

/** The lab scenario: active-backup, miimon 100, updelay 200, downdelay 200, primary kd1; kd2 enslaved first. */
async function abBond(extra = '') {
  const m = model();
  await m.run(`link add kb0 address 02:00:00:00:0b:00 type bond mode active-backup miimon 100 updelay 200 downdelay 200${extra}`);
  await m.run('link add kd1 address 02:00:00:00:0d:01 type dummy');
  await m.run('link add kd2 address 02:00:00:00:0d:02 type dummy');
  await m.run('link set kb0 type bond primary kd1');
  await m.run('link set kd2 master kb0');
  await m.run('link set kd1 master kb0');
  await m.run('link set kb0 up');
  return m;
}

describe('the MII monitor on the virtual clock', () => {
  it('enslaving with updelay: both going back; the first tick takes one at once (no active slave), the primary follows after its updelay', async () => {
    const m = model();
    const from = m.mark();
    await m.run('link add kb0 address 02:00:00:00:0b:00 type bond mode active-backup miimon 100 updelay 200 downdelay 200');
    await m.run('link add kd1 type dummy');
    await m.run('link add kd2 type dummy');
    await m.run('link set kb0 type bond primary kd1');
    await m.run('link set kd2 master kb0');
    await m.run('link set kd1 master kb0');
    await m.run('link set kb0 up');
    const t0 = m.w.now;
    expect(await m.show()).toEqual({ bond: 'down', active: 'None', kd2: 'going back', kd1: 'going back' });
    m.sim('advance 0ms');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd2', kd2: 'up', kd1: 'going back' });
    m.sim('advance 100ms');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd2', kd2: 'up', kd1: 'going back' });
    m.sim('advance 100ms');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd1', kd2: 'up', kd1: 'up' });
    expect(m.log(from)).toEqual([
      `${t0} kb0: (slave kd2): Enslaving as a backup interface with an up link`,
      `${t0} kb0: (slave kd1): Enslaving as a backup interface with an up link`,
      `${t0} kb0: (slave kd2): link status definitely up, 0 Mbps full duplex`,
      `${t0} kb0: (slave kd2): making interface the new active one`,
      `${t0} kb0: active slave none -> kd2`,
      `${t0} kb0: active interface up!`,
      `${t0 + 200} kb0: (slave kd1): link status definitely up, 0 Mbps full duplex`,
      `${t0 + 200} kb0: (slave kd1): making interface the new active one`,
      `${t0 + 200} kb0: active slave kd2 -> kd1`,
    ]);
  });

  it('UP -> FAIL (going down) -> DOWN after downdelay, then failover; DOWN -> BACK (going back) -> UP after updelay, then the primary again', async () => {
    const m = await abBond();
    m.sim('advance 500ms');
    const t0 = m.w.now, from = m.mark();
    m.sim('carrier kd1 off');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd1', kd2: 'up', kd1: 'up' });
    m.sim('advance 100ms');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd1', kd2: 'up', kd1: 'going down' });
    m.sim('advance 100ms');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd1', kd2: 'up', kd1: 'going down' });
    m.sim('advance 100ms');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd2', kd2: 'up', kd1: 'down (1 failures)' });
    m.sim('carrier kd1 on');
    m.sim('advance 100ms');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd2', kd2: 'up', kd1: 'going back (1 failures)' });
    m.sim('advance 100ms');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd2', kd2: 'up', kd1: 'going back (1 failures)' });
    m.sim('advance 100ms');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd1', kd2: 'up', kd1: 'up (1 failures)' });
    expect(m.log(from)).toEqual([
      `${t0} kd1: carrier off (sim carrier)`,
      `${t0 + 100} kb0: (slave kd1): link status down for active interface, disabling it in 200 ms`,
      `${t0 + 300} kb0: (slave kd1): link status definitely down, disabling slave`,
      `${t0 + 300} kb0: (slave kd2): making interface the new active one`,
      `${t0 + 300} kb0: active slave kd1 -> kd2`,
      `${t0 + 300} kd1: carrier on (sim carrier)`,
      `${t0 + 400} kb0: (slave kd1): link status up, enabling it in 200 ms`,
      `${t0 + 600} kb0: (slave kd1): link status definitely up, 0 Mbps full duplex`,
      `${t0 + 600} kb0: (slave kd1): making interface the new active one`,
      `${t0 + 600} kb0: active slave kd2 -> kd1`,
    ]);
  });

  it('FAIL -> UP: the link back within downdelay is up again, no failure counted; BACK -> DOWN: lost again within updelay', async () => {
    const m = await abBond();
    m.sim('advance 500ms');
    const t0 = m.w.now, from = m.mark();
    m.sim('carrier kd2 off');
    m.sim('advance 100ms');
    expect(await m.show()).toMatchObject({ active: 'kd1', kd2: 'going down' });
    m.sim('carrier kd2 on');
    m.sim('advance 100ms');
    expect(await m.show()).toMatchObject({ active: 'kd1', kd2: 'up' });
    m.sim('carrier kd2 off');
    m.sim('advance 300ms');
    expect(await m.show()).toMatchObject({ active: 'kd1', kd2: 'down (1 failures)' });
    m.sim('carrier kd2 on');
    m.sim('advance 100ms');
    expect(await m.show()).toMatchObject({ kd2: 'going back (1 failures)' });
    m.sim('carrier kd2 off');
    m.sim('advance 100ms');
    // Back to DOWN is a link failure too: the commit counts every DOWN.
    expect(await m.show()).toMatchObject({ active: 'kd1', kd2: 'down (2 failures)' });
    expect(m.log(from).filter((l) => l.includes('(slave kd2)'))).toEqual([
      `${t0 + 100} kb0: (slave kd2): link status down for backup interface, disabling it in 200 ms`,
      `${t0 + 200} kb0: (slave kd2): link status up again after 100 ms`,
      `${t0 + 200} kb0: (slave kd2): link status definitely up, 0 Mbps full duplex`,
      `${t0 + 300} kb0: (slave kd2): link status down for backup interface, disabling it in 200 ms`,
      `${t0 + 500} kb0: (slave kd2): link status definitely down, disabling slave`,
      `${t0 + 600} kb0: (slave kd2): link status up, enabling it in 200 ms`,
      `${t0 + 700} kb0: (slave kd2): link status down again after 100 ms`,
      `${t0 + 700} kb0: (slave kd2): link status definitely down, disabling slave`,
    ]);
  });

  it('every slave down: the bond loses carrier while they are going down; the first back skips its updelay', async () => {
    const m = await abBond();
    m.sim('advance 500ms');
    m.sim('carrier kd1 off');
    m.sim('carrier kd2 off');
    m.sim('advance 100ms');
    expect(await m.show()).toEqual({ bond: 'down', active: 'kd1', kd2: 'going down', kd1: 'going down' });
    m.sim('advance 200ms');
    expect(await m.show()).toEqual({ bond: 'down', active: 'None', kd2: 'down (1 failures)', kd1: 'down (1 failures)' });
    const t0 = m.w.now, from = m.mark();
    m.sim('carrier kd2 on');
    m.sim('advance 100ms');
    expect(await m.show()).toEqual({ bond: 'up', active: 'kd2', kd2: 'up (1 failures)', kd1: 'down (1 failures)' });
    expect(m.log(from)).toEqual([
      `${t0} kd2: carrier on (sim carrier)`,
      `${t0 + 100} kb0: (slave kd2): link status up, enabling it in 0 ms`,
      `${t0 + 100} kb0: (slave kd2): link status definitely up, 0 Mbps full duplex`,
      `${t0 + 100} kb0: (slave kd2): making interface the new active one`,
      `${t0 + 100} kb0: active slave none -> kd2`,
      `${t0 + 100} kb0: active interface up!`,
    ]);
  });

  it('a bond that is down does not monitor; miimon 0 leaves every slave up', async () => {
    const m = await abBond();
    m.sim('advance 500ms');
    await m.run('link set kb0 down');
    m.sim('carrier kd1 off');
    m.sim('advance 1s');
    expect(await m.show()).toMatchObject({ kd1: 'up' });
    await m.run('link set kb0 up');
    m.sim('advance 300ms');
    expect(await m.show()).toMatchObject({ active: 'kd2', kd1: 'down (1 failures)' });

    const n = model();
    await n.run('link add kb0 type bond mode active-backup');
    await n.run('link add kd1 type dummy');
    await n.run('link set kd1 carrier off');
    await n.run('link set kd1 master kb0');
    await n.run('link set kb0 up');
    n.sim('advance 1s');
    expect(await n.show()).toEqual({ bond: 'up', active: 'kd1', kd1: 'up' });
  });
});

describe('deleting', () => {
  it('a bond: closed first, its slaves released without a new active one; a slave: the bond fails over', async () => {
    const m = await abBond();
    m.sim('advance 500ms');
    let from = m.mark();
    await m.run('link del kd1');
    expect(m.log(from)).toEqual([
      `${m.w.now} kb0: (slave kd1): Releasing backup interface`,
      `${m.w.now} kb0: active slave kd1 -> none`,
      `${m.w.now} kb0: (slave kd2): making interface the new active one`,
      `${m.w.now} kb0: active slave none -> kd2`,
    ]);
    from = m.mark();
    await m.run('link del kb0');
    expect(m.w.timeline.slice(from).map((e) => e.text)).toContain('kb0 (unregistering): (slave kd2): Releasing backup interface');
    expect(m.log(from)).toEqual([]);
    expect(m.link('kd2').flags & 1).toBe(0);
  });
});

describe('the active slave: primary, primary_reselect, active_slave', () => {
  it('primary_reselect failure keeps the current slave when the primary comes back; a primary newly enslaved or set is forced in once', async () => {
    const m = await abBond(' primary_reselect failure');
    m.sim('advance 500ms');
    // kd2 came up first; kd1, the primary since its enslaving, is forced in once when its link is up.
    expect(await m.show()).toMatchObject({ active: 'kd1' });
    await m.run('link set kb0 type bond primary kd2');
    expect(await m.show()).toMatchObject({ active: 'kd2' });
    await m.run('link set kb0 type bond primary kd1');
    expect(await m.show()).toMatchObject({ active: 'kd1' });
    m.sim('carrier kd1 off');
    m.sim('advance 300ms');
    expect(await m.show()).toMatchObject({ active: 'kd2' });
    m.sim('carrier kd1 on');
    m.sim('advance 300ms');
    expect(await m.show()).toMatchObject({ active: 'kd2', kd1: 'up (1 failures)' });
    await m.run('link set kb0 type bond primary_reselect always');
    expect(await m.show()).toMatchObject({ active: 'kd1' });
  });

  it('primary_reselect better: the model knows no link speeds, so equal slaves keep the current one', async () => {
    const m = await abBond(' primary_reselect better');
    m.sim('advance 500ms');
    expect(await m.show()).toMatchObject({ active: 'kd1' });
    m.sim('carrier kd1 off');
    m.sim('advance 300ms');
    m.sim('carrier kd1 on');
    m.sim('advance 300ms');
    expect(await m.show()).toMatchObject({ active: 'kd2', kd1: 'up (1 failures)' });
  });

  it('a primary that is not enslaved yet is remembered by name and not reported', async () => {
    const m = model();
    await m.run('link add kd1 type dummy');
    await m.run('link add kb0 type bond mode active-backup miimon 100 primary kd1');
    expect((await m.run('bond show kb0')).out).toContain('Primary Slave: None\n');
    await m.run('link set kd1 master kb0');
    expect((await m.run('bond show kb0')).out).toContain('Primary Slave: kd1 (primary_reselect always)\n');
  });

  it('active_slave: an up backup becomes active; a down one is refused as the driver refuses it', async () => {
    const m = await abBond();
    m.sim('advance 500ms');
    expect(await m.run('link set kb0 type bond active_slave kd2')).toMatchObject({ code: 0 });
    expect(await m.show()).toMatchObject({ active: 'kd2' });
    m.sim('carrier kd1 off');
    m.sim('advance 300ms');
    const t0 = m.w.now, from = m.mark();
    // ip prints "Error: invalid option value." (the extended ACK) and exits 2.
    expect(await m.run('link set kb0 type bond active_slave kd1')).toMatchObject({ code: 2 });
    expect(m.log(from)).toEqual([
      `${t0} kb0: (slave kd1): Could not set as active slave; either kd1 is down or the link is down`,
      `${t0} kb0: option active_slave: invalid value (kd1)`,
    ]);
    expect((await m.run('link set kb0 type bond active_slave lo')).code).toBe(2);
  });
});

describe('failover notifies the peers', () => {
  /** kb0 10.0.0.9/24 over kd1 (a dummy, primary) and eth0 (the NIC on lan0); gw accepts gratuitous ARP. */
  async function lan(numGratArp: number) {
    const m = model();
    m.w.hosts.find((h) => h.name === 'gw')!.links[1].params.arp_accept = 1;
    await m.run('link add kd1 type dummy');
    await m.run(`link add kb0 address 02:00:00:00:0b:00 type bond mode active-backup miimon 100 num_grat_arp ${numGratArp} primary kd1`);
    await m.run('link set kd1 master kb0');
    await m.run('link set eth0 down');
    await m.run('link set eth0 master kb0');
    await m.run('link set kb0 up');
    await m.run('addr add 10.0.0.9/24 dev kb0');
    m.sim('advance 1s');
    return m;
  }

  it('num_grat_arp 1: one gratuitous ARP out of the new active slave; the peer learns the bond', async () => {
    const m = await lan(1);
    const gw = m.w.hosts.find((h) => h.name === 'gw')!;
    expect(gw.neighbours.find((n) => n.dst === '10.0.0.9')).toBeUndefined();
    const t0 = m.w.now, from = m.mark();
    m.sim('carrier kd1 off');
    m.sim('advance 200ms');
    expect(m.log(from)).toEqual([
      `${t0} kd1: carrier off (sim carrier)`,
      `${t0 + 100} kb0: (slave kd1): link status definitely down, disabling slave`,
      `${t0 + 100} kb0: (slave eth0): making interface the new active one`,
      `${t0 + 100} kb0: active slave kd1 -> eth0; 1 gratuitous ARP for 10.0.0.9`,
      `${t0 + 100} eth0 sends 02:00:00:00:0b:00 > ff:ff:ff:ff:ff:ff: ARP, Request who-has 10.0.0.9 tell 10.0.0.9 (gratuitous ARP for 10.0.0.9 from kb0)`,
    ]);
    expect(gw.neighbours.find((n) => n.dst === '10.0.0.9')?.lladdr).toBe('02:00:00:00:0b:00');
  });

  it("the frame is inetdev_send_gratuitous_arp()'s: broadcast, from the bond's MAC, target MAC zero", async () => {
    const m = await lan(1);
    const gw = m.w.hosts.find((h) => h.name === 'gw')!;
    const seen: string[] = [];
    m.b.engine.tap(gw, 2, (bytes) => seen.push(Buffer.from(bytes.subarray(0, 42)).toString('hex')));
    m.sim('carrier kd1 off');
    m.sim('advance 200ms');
    expect(seen).toEqual(['ffffffffffff' + '020000000b00' + '0806' + '0001080006040001' + '020000000b00' + '0a000009' + '000000000000' + '0a000009']);
  });

  it('num_grat_arp 3: one now, one at the next tick, and no more: the tick that failed over counted one down (as the lab driver does)', async () => {
    const m = await lan(3);
    const t0 = m.w.now, from = m.mark();
    m.sim('carrier kd1 off');
    m.sim('advance 1s');
    const sent = m.log(from).filter((l) => l.includes('(gratuitous ARP for 10.0.0.9 from kb0)')).map((l) => Number(l.split(' ')[0]) - t0);
    expect(sent).toEqual([100, 200]);
    expect(m.log(from)).toContain(`${t0 + 100} kb0: active slave kd1 -> eth0; 2 gratuitous ARPs for 10.0.0.9`);
  });

  it('num_grat_arp 3 through active_slave (outside the monitor): three, one per tick', async () => {
    const m = await lan(3);
    const t0 = m.w.now, from = m.mark();
    await m.run('link set kb0 type bond active_slave eth0');
    m.sim('advance 1s');
    const sent = m.log(from).filter((l) => l.includes('(gratuitous ARP for 10.0.0.9 from kb0)')).map((l) => Number(l.split(' ')[0]) - t0);
    expect(sent).toEqual([0, 100, 200]);
  });

  it('peer_notify_delay spaces them: num_grat_arp 2, peer_notify_delay 200', async () => {
    const m = await lan(2);
    await m.run('link set kb0 type bond peer_notify_delay 200');
    const t0 = m.w.now, from = m.mark();
    await m.run('link set kb0 type bond active_slave eth0');
    m.sim('advance 1s');
    const sent = m.log(from).filter((l) => l.includes('(gratuitous ARP for 10.0.0.9 from kb0)')).map((l) => Number(l.split(' ')[0]) - t0);
    expect(sent).toEqual([0, 200]);
  });

  it('no carrier yet when the bond gets its first active slave: num_grat_arp 1 sends none', async () => {
    const m = model();
    await m.run('link add kd1 type dummy');
    await m.run('link add kb0 type bond mode active-backup miimon 100 updelay 200');
    await m.run('addr add 10.0.0.9/24 dev kb0');
    await m.run('link set kd1 master kb0');
    const from = m.mark();
    await m.run('link set kb0 up');
    m.sim('advance 1s');
    expect(m.log(from).filter((l) => l.includes('active slave'))).toEqual([`${m.w.now - 1000} kb0: active slave none -> kd1`]);
    expect(m.log(from).filter((l) => l.includes('sends'))).toEqual([]);
  });
});

describe('tsnet sim carrier', () => {
  it("a dummy's or NIC's carrier; a veth's through its peer end; the others follow other links", async () => {
    const m = model();
    await m.run('link add v0 type veth peer name v1');
    await m.run('link set v0 up');
    await m.run('link set v1 up');
    expect(m.sim('carrier v0 off')).toBe('v0: peer v1 down\n');
    expect((await m.run('link show v0')).out).toContain('NO-CARRIER');
    expect(m.sim('carrier v0 on')).toBe('v0: peer v1 up\n');
    expect((await m.run('link show v0')).out).toContain('LOWER_UP');
    expect(m.sim('carrier eth0 off')).toBe('eth0: carrier off\n');
    expect(m.link('eth0').carrier).toBe(false);
    await m.run('link add kb0 type bond');
    expect(m.b.simulate(['carrier', 'kb0', 'off'], () => undefined)).toBe(255);
    expect(m.b.simulate(['carrier', 'eth0', 'maybe'], () => undefined)).toBe(255);
  });
});
