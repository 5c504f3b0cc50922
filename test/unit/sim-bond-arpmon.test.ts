// The model's ARP monitor (bond_main.c of 6.1) on the virtual clock: probes
// for each arp_ip_target out of the active slave (active-backup) or every
// slave (the other modes), the replies and other frames bond_rcv_validate()
// counts as arp_validate says, slaves going down when arp_missed_max
// intervals pass without them and back up when they return, the failover
// and the driver's messages; and the option rules bond_changelink() and
// bond_options.c apply to these settings.
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/sim/backend.js';
import { inProcess } from './in-process.js';
import { defaultWorld, ethernet } from '../../src/sim/lan.js';

/**
 * The default world (gw 10.0.0.1 on lan0) with a second NIC eth1 on lan0 (the
 * two slaves on one switch, as veths on one bridge are in the lab), and
 * tsnet's commands run in-process.
 */
function model(eth1Segment = 'lan0') {
  const b = new SimBackend(defaultWorld(), 'host');
  const w = b.world;
  const nic = ethernet(w, 3, 'eth1', '02:00:00:00:00:12', eth1Segment);
  nic.addresses = [];
  b.host.links.push(nic);
  /** One tsnet command in-process; a leading -d is ip's -details. */
  const { run, sim } = inProcess(b);
  const mark = () => w.timeline.length;
  /** The bond's messages since `from`, with their times (ms) relative to `t0`. */
  const log = (from: number, t0: number) => w.timeline.slice(from).filter((e) => e.host === 'host' && /^kb0(?: \(uninitialized\))?: /.test(e.text)).map((e) => `${e.t - t0} ${e.text}`);
  /** The probes sent since `from`: which slave, for which target. */
  const probes = (from: number) => w.timeline.slice(from).filter((e) => e.host === 'host' && /ARP monitor probe/.test(e.text))
    .map((e) => `${e.text.split(' ')[0]} ${/for (\S+)\)$/.exec(e.text)?.[1]}`);
  /** Each slave's MII status and failure count as `bond show` prints them, and the active slave. */
  const show = async () => {
    const text = (await run('bond show kb0')).out;
    const slaves: Record<string, string> = Object.fromEntries([...text.matchAll(/Slave Interface: (\S+)\nMII Status: ([^\n]+)\n(?:.*\n){2}Link Failure Count: (\d+)/g)]
      .map((x) => [x[1], `${x[2]}/${x[3]}`]));
    return { bond: /^MII Status: (\S+)/m.exec(text)?.[1], active: /Currently Active Slave: (\S+)/.exec(text)?.[1], ...slaves } as Record<string, string | undefined>;
  };
  return { b, w, run, sim, mark, log, probes, show };
}

/** kb0 10.0.0.9/24 over eth0 then eth1 (both on lan0), the ARP monitor on gw. */
async function arpBond(opts: string, eth1Segment = 'lan0') {
  const m = model(eth1Segment);
  // The address moves to the bond (eth0's route would take the probes away from it).
  await m.run('addr del 10.0.0.2/24 dev eth0');
  await m.run(`link add kb0 address 02:00:00:00:0b:00 type bond ${opts}`);
  await m.run('link set eth0 down');
  await m.run('link set eth1 down');
  await m.run('link set eth0 master kb0');
  await m.run('link set eth1 master kb0');
  await m.run('addr add 10.0.0.9/24 dev kb0');
  await m.run('link set kb0 up');
  m.sim('advance 2s');
  return m;
}

const AB = 'mode active-backup arp_interval 100 arp_ip_target 10.0.0.1';

describe('active-backup: probes from the active slave, failover when the target goes silent', () => {
  it('probes for the target leave by the active slave only, from the bond address; the target answers and every slave stays up', async () => {
    const m = await arpBond(`${AB} arp_validate all`);
    const from = m.mark();
    m.sim('advance 300ms');
    expect(m.probes(from)).toEqual(['eth0 10.0.0.1', 'eth0 10.0.0.1', 'eth0 10.0.0.1']);
    const probe = m.w.timeline.slice(from).find((e) => /ARP monitor probe/.test(e.text))!;
    expect(probe.text).toBe('eth0 sends 02:00:00:00:0b:00 > ff:ff:ff:ff:ff:ff: ARP, Request who-has 10.0.0.1 tell 10.0.0.9 (ARP monitor probe of kb0 for 10.0.0.1)');
    expect(probe.fn).toContain('bond_arp_send_all');
    expect(await m.show()).toEqual({ bond: 'up', active: 'eth0', eth0: 'up/0', eth1: 'up/0' });
  });

  it('arp_validate all: the active slave fails after arp_missed_max intervals, the backup after it, then the bond tries each slave in turn; the target back, the slave tried comes up and is made active', async () => {
    const m = await arpBond(`${AB} arp_validate all`);
    const t0 = m.w.now, from = m.mark();
    m.sim('peer silent gw');
    m.sim('advance 1500ms');
    expect(await m.show()).toEqual({ bond: 'down', active: 'None', eth0: 'going back/1', eth1: 'going down/1' });
    const f2 = m.mark();
    m.sim('advance 400ms');
    // With no active slave, bond_ab_arp_probe() tries the slaves in turn, each one interval.
    expect(m.probes(f2)).toEqual(['eth1 10.0.0.1', 'eth0 10.0.0.1', 'eth1 10.0.0.1', 'eth0 10.0.0.1']);
    m.sim('peer silent gw off');
    m.sim('advance 500ms');
    expect(m.log(from, t0)).toEqual([
      '300 kb0: (slave eth0): link status definitely down, disabling slave',
      '300 kb0: (slave eth1): making interface the new active one',
      '300 kb0: active slave eth0 -> eth1; 1 gratuitous ARP for 10.0.0.9',
      '600 kb0: (slave eth1): link status definitely down, disabling slave',
      '600 kb0: active slave eth1 -> none',
      '600 kb0: now running without any active interface!',
      // The slave tried when the target answers again comes up (FAIL/BACK -> UP) and is made active; the other follows.
      // Every slave's new state first, then the new active slave (bond_ab_arp_commit(), as the lab's driver orders it).
      '2100 kb0: (slave eth0): link status definitely up',
      '2100 kb0: (slave eth1): link status definitely up',
      '2100 kb0: (slave eth0): making interface the new active one',
      // Made active while the bond had no carrier: the peers are told at the monitor's next run.
      '2100 kb0: active slave none -> eth0; 1 gratuitous ARP for 10.0.0.9',
      '2100 kb0: active interface up!',
    ]);
    const garps = m.w.timeline.slice(from).filter((e) => /gratuitous ARP for 10\.0\.0\.9 from kb0/.test(e.text));
    expect(garps.map((e) => [e.t - t0, e.text.split(' ')[0]])).toEqual([[300, 'eth1'], [2200, 'eth0']]);
    expect(garps[1].fn).toContain('bond_activebackup_arp_mon');
    expect(await m.show()).toEqual({ bond: 'up', active: 'eth0', eth0: 'up/1', eth1: 'up/1' });
  });

  it('arp_validate none (and active, and filter): a backup counts any frame, so the failed slave hears the new active one\'s probes, comes back and the two take turns (why the driver wants validation on a shared segment)', async () => {
    for (const v of ['', ' arp_validate active', ' arp_validate filter']) {
      const m = await arpBond(`${AB}${v}`);
      const t0 = m.w.now, from = m.mark();
      m.sim('peer silent gw');
      m.sim('advance 700ms');
      expect(m.log(from, t0), v).toEqual([
        '300 kb0: (slave eth0): link status definitely down, disabling slave',
        '300 kb0: (slave eth1): making interface the new active one',
        '300 kb0: active slave eth0 -> eth1; 1 gratuitous ARP for 10.0.0.9',
        '400 kb0: (slave eth0): link status definitely up',
        '600 kb0: (slave eth1): link status definitely down, disabling slave',
        '600 kb0: (slave eth0): making interface the new active one',
        '600 kb0: active slave eth1 -> eth0; 1 gratuitous ARP for 10.0.0.9',
        '700 kb0: (slave eth1): link status definitely up',
      ]);
    }
  });

  it('arp_validate backup: the backup validates the active slave\'s requests only while the active one has heard the target, so both fail', async () => {
    const m = await arpBond(`${AB} arp_validate backup`);
    const t0 = m.w.now, from = m.mark();
    m.sim('peer silent gw');
    m.sim('advance 700ms');
    expect(m.log(from, t0).filter((l) => /definitely|without/.test(l))).toEqual([
      '300 kb0: (slave eth0): link status definitely down, disabling slave',
      '600 kb0: (slave eth1): link status definitely down, disabling slave',
      '600 kb0: now running without any active interface!',
    ]);
  });

  it('arp_validate filter: only ARP counts as traffic; unicast IP frames to the bond do not keep a slave up', async () => {
    for (const [v, down] of [['', false], [' arp_validate filter', true]] as const) {
      const m = model();
      await m.run('addr del 10.0.0.2/24 dev eth0');
      await m.run(`link add kb0 address 02:00:00:00:0b:00 type bond ${AB}${v}`);
      await m.run('link set eth0 down');
      await m.run('link set eth0 master kb0');
      await m.run('addr add 10.0.0.9/24 dev kb0');
      await m.run('link set kb0 up');
      m.sim('advance 1s');
      const peer3 = m.w.hosts.find((h) => h.name === 'peer3')!;
      // peer3 talks to the bond every 50 ms (its entry is learnt once; the rest is IP).
      m.b.engine.hostSend(peer3, '10.0.0.9');
      m.sim('advance 10ms');
      m.sim('peer silent gw');
      for (let i = 0; i < 20; i++) {
        m.b.engine.hostSend(peer3, '10.0.0.9');
        m.sim('advance 50ms');
      }
      // Down, the only slave is the one bond_ab_arp_probe() keeps trying: going back.
      expect((await m.show()).eth0, v).toBe(down ? 'going back/1' : 'up/0');
    }
  });
});

describe('arp_all_targets and arp_missed_max', () => {
  /** One slave, two targets (gw and peer3), arp_validate active; peer3 goes silent. */
  async function twoTargets(extra: string) {
    const m = model();
    await m.run('addr del 10.0.0.2/24 dev eth0');
    await m.run(`link add kb0 address 02:00:00:00:0b:00 type bond mode active-backup arp_interval 100 arp_ip_target 10.0.0.1,10.0.0.3 arp_validate active${extra}`);
    await m.run('link set eth0 down');
    await m.run('link set eth0 master kb0');
    await m.run('addr add 10.0.0.9/24 dev kb0');
    await m.run('link set kb0 up');
    m.sim('advance 1s');
    return m;
  }

  it('targets set on a running bond: each new one has arp_missed_max intervals to answer (its last ARP stamped at the change)', async () => {
    const m = await twoTargets(' arp_all_targets all');
    await m.run('link set kb0 type bond arp_ip_target 10.0.0.1');
    m.sim('advance 1s');
    m.sim('peer silent peer3');
    await m.run('link set kb0 type bond arp_ip_target 10.0.0.1,10.0.0.3');
    m.sim('advance 200ms');
    expect((await m.show()).eth0).toBe('up/0');
    m.sim('advance 200ms');
    expect((await m.show()).eth0).toBe('going back/1');
  });

  it('arp_all_targets any: one target answering keeps the slave up; all: every target must', async () => {
    for (const [v, state] of [['', 'up/0'], [' arp_all_targets any', 'up/0'], [' arp_all_targets all', 'going back/1']] as const) {
      const m = await twoTargets(v);
      const from = m.mark();
      m.sim('peer silent peer3');
      m.sim('advance 1s');
      expect(m.probes(from).slice(0, 2), v).toEqual(['eth0 10.0.0.1', 'eth0 10.0.0.3']);
      expect((await m.show()).eth0, v).toBe(state);
    }
  });

  it('arp_missed_max: the active slave goes down when that many intervals (and half of one) pass without a reply', async () => {
    for (const [mm, at] of [[1, 200], [2, 300], [5, 600]] as const) {
      const m = await twoTargets(` arp_missed_max ${mm}`);
      const t0 = m.w.now, from = m.mark();
      m.sim('peer silent gw');
      m.sim('peer silent peer3');
      m.sim('advance 1s');
      expect(m.log(from, t0)[0], `arp_missed_max ${mm}`).toBe(`${at} kb0: (slave eth0): link status definitely down, disabling slave`);
    }
  });
});

describe('the load-balancing modes: every slave probes and is judged on its own', () => {
  it('balance-rr: a slave that hears nothing is "now down" on its own; the last one going takes the carrier; back with no active slave it is "definitely up"', async () => {
    // eth1 is on a segment of its own, where no target answers.
    const m = await arpBond('mode balance-rr arp_interval 100 arp_ip_target 10.0.0.1', 'lan1');
    expect(await m.show()).toEqual({ bond: 'up', active: undefined, eth0: 'up/0', eth1: 'down/1' });
    expect(m.w.timeline.filter((e) => e.text === 'kb0: (slave eth1): interface is now down').length).toBe(1);
    const from0 = m.mark();
    m.sim('advance 100ms');
    // Every slave that is up probes, whatever its link state.
    expect(m.probes(from0)).toEqual(['eth0 10.0.0.1', 'eth1 10.0.0.1']);
    const t0 = m.w.now, from = m.mark();
    m.sim('peer silent gw');
    m.sim('advance 1s');
    expect(await m.show()).toEqual({ bond: 'down', active: undefined, eth0: 'down/1', eth1: 'down/1' });
    m.sim('peer silent gw off');
    m.sim('advance 1s');
    expect(m.log(from, t0)).toEqual([
      '300 kb0: (slave eth0): interface is now down',
      '300 kb0: now running without any active interface!',
      '1200 kb0: (slave eth0): link status definitely up',
      '1200 kb0: active interface up!',
    ]);
  });
});

describe('the options, as bond_changelink() and bond_options.c take them', () => {
  it('bond show and -d link show print the ARP settings; targets in their slots', async () => {
    const m = model();
    await m.run('link add kb0 type bond mode active-backup arp_interval 200 arp_ip_target 10.0.0.1,10.0.0.3 arp_validate all arp_all_targets all arp_missed_max 3');
    const show = (await m.run('bond show kb0')).out;
    expect(show).toContain('ARP Polling Interval (ms): 200\nARP Missed Max: 3\nARP IP target/s (n.n.n.n form): 10.0.0.1, 10.0.0.3\n');
    const d = (await m.run('-d link show kb0')).out;
    expect(d).toContain('arp_interval 200 arp_missed_max 3 arp_ip_target 10.0.0.1,10.0.0.3 arp_validate all arp_all_targets all ');
  });

  it('arp_interval turns miimon off, miimon turns the ARP monitor (and arp_validate) off; both in one request is refused', async () => {
    const m = model();
    await m.run('link add kb0 type bond miimon 100');
    await m.run('link set kb0 type bond arp_interval 200 arp_ip_target 10.0.0.1 arp_validate all');
    let d = (await m.run('-d link show kb0')).out;
    expect(d).toContain(' miimon 0 ');
    expect(d).toContain('arp_interval 200 ');
    await m.run('link set kb0 type bond miimon 50');
    d = (await m.run('-d link show kb0')).out;
    expect(d).toContain(' miimon 50 ');
    expect(d).toContain('arp_interval 0 ');
    expect(d).toContain('arp_validate none ');
    // A mode set drops arp_validate (bond_option_mode_set()), unless the same request sets it.
    await m.run('link set kb0 type bond arp_interval 100 arp_validate filter_backup');
    await m.run('link set kb0 type bond mode balance-xor');
    expect((await m.run('-d link show kb0')).out).toContain('arp_validate none ');
    await m.run('link set kb0 type bond mode broadcast arp_validate backup');
    expect((await m.run('-d link show kb0')).out).toContain('arp_validate backup ');
    const r = await m.run('link add kb1 type bond miimon 100 arp_interval 100');
    expect(r.code).toBe(2);
    expect(m.b.host.links.some((l) => l.name === 'kb1')).toBe(false);
  });

  it('refusals and the driver\'s messages: a mode without ARP monitoring, an unusable or repeated target, arp_missed_max 0', async () => {
    const m = model();
    const cases: [string, string[]][] = [
      ['link add kb0 type bond mode 802.3ad arp_interval 100', ['kb0 (uninitialized): option arp_interval: mode dependency failed, not supported in mode 802.3ad(4)']],
      ['link add kb0 type bond mode balance-alb arp_validate all', ['kb0 (uninitialized): option arp_validate: mode dependency failed, not supported in mode balance-alb(6)']],
      ['link add kb0 type bond arp_ip_target 0.0.0.0', ['kb0 (uninitialized): invalid ARP target 0.0.0.0 specified for addition', 'kb0 (uninitialized): option arp_ip_target: invalid value (0)']],
      ['link add kb0 type bond arp_ip_target 255.255.255.255', ['kb0 (uninitialized): invalid ARP target 255.255.255.255 specified for addition', 'kb0 (uninitialized): option arp_ip_target: invalid value (4294967295)']],
      ['link add kb0 type bond arp_ip_target 10.0.0.1,10.0.0.1', ['kb0 (uninitialized): ARP target 10.0.0.1 is already present', 'kb0 (uninitialized): option arp_ip_target: invalid value (16777226)']],
      ['link add kb0 type bond arp_missed_max 0', ['kb0 (uninitialized): option arp_missed_max: invalid value (0)', 'kb0 (uninitialized): option arp_missed_max: allowed values 1 - 255']],
    ];
    // The extack each refusal gives on the lab's 6.1.192 (bond_opt_error_interpret() sets one for every -EINVAL, the targets' too).
    const extacks = ['option not supported in mode', 'option not supported in mode', 'invalid option value', 'invalid option value', 'invalid option value', 'invalid option value'];
    for (const [i, [line, msgs]] of cases.entries()) {
      const from = m.mark();
      const r = await m.run(line);
      expect(r.code, line).toBe(2);
      expect(r.err, line).toBe(`Error: ${extacks[i]}.`);
      expect(m.log(from, 0).map((l) => l.replace(/^\d+ /, '')), line).toEqual(msgs);
      expect(m.b.host.links.some((l) => l.name === 'kb0'), line).toBe(false);
    }
    // 0/8 is a usable range (the lab's 6.1 driver takes 0.0.0.1).
    expect((await m.run('link add kb0 type bond arp_ip_target 0.0.0.1')).code).toBe(0);
    await m.run('link del kb0');
    // On a bond that exists, the messages name it plainly; the settings stay as they were.
    await m.run('link add kb0 type bond arp_missed_max 4');
    const from = m.mark();
    expect((await m.run('link set kb0 type bond arp_missed_max 0')).code).toBe(2);
    expect(m.log(from, 0)).toEqual(['0 kb0: option arp_missed_max: invalid value (0)', '0 kb0: option arp_missed_max: allowed values 1 - 255']);
    expect((await m.run('bond show kb0')).out).not.toContain('ARP Missed Max');
    expect((await m.run('-d link show kb0')).out).toContain(' arp_missed_max 4 ');
  });
});

describe('802.3ad without LACP: what the lab\'s 6.1 driver reports for veth slaves with no partner', () => {
  it('one aggregator per port, the first up slave\'s active; keys, port states, system priority as the driver shows them', async () => {
    const m = model();
    for (const n of ['kc1', 'kc2']) {
      await m.run(`link add ${n} type veth peer name ${n}p`);
      await m.run(`link set ${n}p up`);
    }
    await m.run('link add kb3 address 02:00:00:00:0b:03 type bond mode 802.3ad miimon 100');
    await m.run('link set kc1 master kb3');
    await m.run('link set kc2 master kb3');
    await m.run('link set kb3 up');
    m.sim('advance 3s');
    const show = (await m.run('bond show kb3')).out;
    expect(show).toContain('System priority: 65535\nSystem MAC address: 02:00:00:00:0b:03\nActive Aggregator Info:\n\tAggregator ID: 1\n\tNumber of ports: 1\n'
      + '\tActor Key: 15\n\tPartner Key: 1\n\tPartner Mac Address: 00:00:00:00:00:00\n');
    expect([...show.matchAll(/^Aggregator ID: (\d+)$/gm)].map((x) => x[1])).toEqual(['1', '2']);
    expect((await m.run('-d link show kb3')).out).toContain(' ad_select stable ad_aggregator 1 ad_num_ports 1 ad_actor_key 15 ad_partner_key 1 '
      + 'ad_partner_mac 00:00:00:00:00:00 ad_actor_sys_prio 65535 ad_user_port_key 0 ad_actor_system 00:00:00:00:00:00 tlb_dynamic_lb 1 ');
    expect((await m.run('-d link show kc1')).out).toContain('bond_slave state ACTIVE mii_status UP link_failure_count 0 ');
    expect((await m.run('-d link show kc1')).out).toContain(' ad_aggregator_id 1 ad_actor_oper_port_state 77 ad_actor_oper_port_state_str <active,aggregating,in_sync,defaulted> '
      + 'ad_partner_oper_port_state 0 ad_partner_oper_port_state_str <> ');
    expect((await m.run('-d link show kc2')).out).toContain('bond_slave state BACKUP mii_status UP ');
    expect((await m.run('-d link show kc2')).out).toContain(' ad_aggregator_id 2 ad_actor_oper_port_state 69 ad_actor_oper_port_state_str <active,aggregating,defaulted> ');
    // The first slave down: the next one's aggregator is the active one.
    m.sim('carrier kc1 off');
    m.sim('advance 300ms');
    expect((await m.run('bond show kb3')).out).toContain('\tAggregator ID: 2\n');
    // kc2 in sync now; kc1, down, keeps the state it had (still selected and attached in the driver).
    expect((await m.run('-d link show kc2')).out).toContain(' ad_aggregator_id 2 ad_actor_oper_port_state 77 ');
    expect((await m.run('-d link show kc1')).out).toContain(' ad_aggregator_id 1 ad_actor_oper_port_state 77 ');
  });
});
