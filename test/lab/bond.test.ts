// Bonding against the real driver, inside the VM lab (npm run test:lab): bonds in
// modes 0-6 made by tsnet and by ip, dummy and veth slaves, the active slave,
// a failover (carrier off on a veth peer), and at each step:
// - the bond / bond_slave -d text and -j -d JSON equal ip 6.1's bytes,
// - `tsnet bond show` equals /proc/net/bonding/NAME, and -j agrees with sysfs,
// - tsnet's errors equal ip's (message and exit code).
// The VM is ours alone, so links live in its root namespace; all are deleted after.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inLab } from './lab.js';
import { TSNET } from '../tsnet-bin.js';
import { KernelBackend } from '../../src/kernel/backend.js';
import { Output } from '../../src/lib/output.js';
import { printBondInfo } from '../../src/ip/kinds/bond.js';
import { printBondSlaveInfo } from '../../src/ip/kinds/bond_slave.js';
import { LINK_DUMP, bondLink } from '../../src/ip/link-requests.js';
import type { BondLink } from '../../src/backend.js';

if (!inLab) console.log('bond lab tests skipped: they run inside the VM lab (npm run test:lab)');

const made: string[] = [];

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

function run(cmd: string, args: string[]): { stdout: string; stderr: string; code: number } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

function tsnet(...args: string[]) {
  return run(TSNET, [...args]);
}

function addDummy(name: string): void {
  ip('link', 'add', name, 'type', 'dummy');
  made.push(name);
}

function addVeth(a: string, b: string): void {
  ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
  made.push(a);
}

/** ip's "    bond ..." / "    bond_slave ..." part of `ip -d link show DEV`, up to the generic fields. */
function ipKindLine(dev: string, kind: 'bond' | 'bond_slave'): string {
  const text = ip('-d', 'link', 'show', 'dev', dev);
  const line = text.split('\n').find((l) => l.startsWith(`    ${kind} `));
  if (!line) throw new Error(`no ${kind} line for ${dev}:\n${text}`);
  return line.slice(4 + kind.length + 1, line.indexOf('addrgenmode'));
}

/** The raw text of linkinfo.info_data / info_slave_data in ip -j -d link show (byte for byte). */
function ipJsonObject(dev: string, key: string): string {
  const text = ip('-j', '-d', 'link', 'show', 'dev', dev);
  const at = text.indexOf(`"${key}":`);
  if (at < 0) throw new Error(`no ${key} for ${dev}`);
  let depth = 0;
  const start = at + key.length + 3;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{' || text[i] === '[') depth++;
    else if (text[i] === '}' || text[i] === ']') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  throw new Error('unbalanced JSON');
}

/** Our printers over our own netlink dump, as text and as JSON. */
function ours(dev: string, slave: boolean): { text: string; json: string } {
  const kb = new KernelBackend();
  try {
    const links: BondLink[] = [];
    kb.rtDump(LINK_DUMP, (m) => {
      const l = bondLink(m);
      if (l) links.push(l);
    });
    const l = links.find((x) => x.name === dev)!;
    const name = (i: number) => links.find((x) => x.index === i)?.name ?? `if${i}`;
    const t = new Output(false, false);
    const j = new Output(true, false);
    j.openObject();
    if (slave) {
      printBondSlaveInfo(t, l.slaveData!);
      printBondSlaveInfo(j, l.slaveData!);
    } else {
      printBondInfo(t, l.data!, name);
      printBondInfo(j, l.data!, name);
    }
    j.closeObject();
    return { text: t.take(), json: j.take() };
  } finally {
    kb.close();
  }
}

function expectSamePrint(dev: string, slave = false): void {
  const o = ours(dev, slave);
  expect(o.text).toBe(ipKindLine(dev, slave ? 'bond_slave' : 'bond'));
  expect(o.json).toBe(ipJsonObject(dev, slave ? 'info_slave_data' : 'info_data'));
}

function expectShowEqualsProc(bond: string): void {
  const r = tsnet('bond', 'show', bond);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(readFileSync(`/proc/net/bonding/${bond}`, 'utf8'));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe.skipIf(!inLab)('tsnet bond on the bonding driver', () => {
  beforeAll(() => {
    addVeth('lva', 'lvb');
    addVeth('lvc', 'lvd');
    for (const d of ['ld1', 'ld2', 'ld3', 'ld4', 'ld5']) addDummy(d);
    ip('link', 'set', 'lvb', 'up');
    ip('link', 'set', 'lvd', 'up');
  });

  afterAll(() => {
    for (const l of made.reverse()) spawnSync('ip', ['link', 'del', l]);
  });

  const MODE_OPTS: [string, string[]][] = [
    ['balance-rr', ['miimon', '100', 'packets_per_slave', '3']],
    ['active-backup', ['miimon', '100', 'updelay', '200', 'downdelay', '300', 'num_grat_arp', '3', 'primary_reselect', 'better']],
    ['balance-xor', ['miimon', '50', 'xmit_hash_policy', 'layer3+4', 'min_links', '1']],
    ['broadcast', ['arp_interval', '100', 'arp_ip_target', '10.0.0.1,10.0.0.2', 'arp_validate', 'all', 'arp_missed_max', '5']],
    ['802.3ad', ['miimon', '100', 'lacp_rate', 'fast', 'ad_select', 'bandwidth', 'ad_actor_sys_prio', '100', 'ad_user_port_key', '7', 'ad_actor_system', '02:00:00:00:00:01']],
    ['balance-tlb', ['miimon', '100', 'tlb_dynamic_lb', '0', 'xmit_hash_policy', 'layer2+3']],
    ['balance-alb', ['miimon', '100', 'lp_interval', '5', 'resend_igmp', '2', 'fail_over_mac', 'none']],
  ];

  it.each(MODE_OPTS.map(([m, o], i) => [i, m, o] as const))('mode %i (%s): tsnet bond add encodes as ip link add does, -d/-j -d print as ip', (i, mode, opts) => {
    const t = `lt${i}`, r = `lr${i}`;
    const a = tsnet('bond', 'add', t, 'mode', mode, ...opts);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    made.push(t);
    ip('link', 'add', r, 'type', 'bond', 'mode', mode, ...opts);
    made.push(r);
    // The same options give the same settings: ip's own view of both bonds.
    expect(ipKindLine(t, 'bond')).toBe(ipKindLine(r, 'bond'));
    expectSamePrint(t);
    expectSamePrint(r);
    expectShowEqualsProc(t);
  });

  it('enslave dummy and veth, set the active slave and primary, release', () => {
    expect(tsnet('bond', 'add', 'lab1', 'mode', 'active-backup', 'miimon', '100').code).toBe(0);
    made.push('lab1');
    ip('link', 'set', 'lab1', 'up');
    ip('link', 'set', 'ld1', 'up'); // enslave takes an up device down first, as ifenslave does
    const e = tsnet('bond', 'enslave', 'lab1', 'lva', 'ld1', 'ld2');
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    expect(ip('-o', 'link', 'show', 'master', 'lab1').split('\n').filter(Boolean)).toHaveLength(3);
    expectShowEqualsProc('lab1');
    for (const s of ['lva', 'ld1', 'ld2']) expectSamePrint(s, true);
    expect(tsnet('bond', 'set', 'lab1', 'active', 'ld1').code).toBe(0);
    expect(readFileSync('/sys/class/net/lab1/bonding/active_slave', 'utf8').trim()).toBe('ld1');
    expectSamePrint('lab1');
    expectShowEqualsProc('lab1');
    expect(tsnet('bond', 'set', 'lab1', 'primary', 'lva').code).toBe(0);
    expect(readFileSync('/sys/class/net/lab1/bonding/primary', 'utf8').trim()).toBe('lva');
    expectSamePrint('lab1');
    expectShowEqualsProc('lab1');
    const rel = tsnet('bond', 'release', 'lab1', 'ld2');
    expect(rel.code).toBe(0);
    expect(readFileSync('/sys/class/net/lab1/bonding/slaves', 'utf8').trim()).toBe('lva ld1');
    expectShowEqualsProc('lab1');
  });

  it('-j bond show lists the slaves on the master, agreeing with sysfs', () => {
    const r = tsnet('-j', 'bond', 'show', 'lab1');
    expect(r.code).toBe(0);
    const [b] = JSON.parse(r.stdout);
    const sys = (f: string) => readFileSync(`/sys/class/net/lab1/bonding/${f}`, 'utf8').trim();
    expect(b.ifname).toBe('lab1');
    expect(`${b.mode} ${['balance-rr', 'active-backup'].indexOf(b.mode)}`).toBe(sys('mode'));
    expect(b.active_slave).toBe(sys('active_slave'));
    expect(String(b.miimon)).toBe(sys('miimon'));
    expect(b.mii_status).toBe(sys('mii_status'));
    expect(b.slaves.map((s: { ifname: string }) => s.ifname).join(' ')).toBe(sys('slaves'));
    for (const s of b.slaves) {
      const ss = (f: string) => readFileSync(`/sys/class/net/${s.ifname}/bonding_slave/${f}`, 'utf8').trim();
      expect(s.state.toLowerCase()).toBe(ss('state'));
      expect(s.mii_status.toLowerCase()).toBe(ss('mii_status'));
      expect(String(s.link_failure_count)).toBe(ss('link_failure_count'));
      expect(s.perm_hwaddr).toBe(ss('perm_hwaddr'));
      expect(String(s.queue_id)).toBe(ss('queue_id'));
    }
  });

  it('a slave losing carrier fails over to the other', async () => {
    expect(tsnet('bond', 'set', 'lab1', 'active', 'lva').code).toBe(0);
    expect(readFileSync('/sys/class/net/lab1/bonding/active_slave', 'utf8').trim()).toBe('lva');
    ip('link', 'set', 'lvb', 'down'); // carrier off on lva
    let active = '';
    for (let i = 0; i < 50 && active !== 'ld1'; i++) {
      await sleep(100);
      active = readFileSync('/sys/class/net/lab1/bonding/active_slave', 'utf8').trim();
    }
    expect(active).toBe('ld1');
    expectShowEqualsProc('lab1');
    expectSamePrint('lab1');
    expectSamePrint('lva', true);
    const [b] = JSON.parse(tsnet('-j', 'bond', 'show', 'lab1').stdout);
    expect(b.active_slave).toBe('ld1');
    expect(b.slaves[0]).toMatchObject({ ifname: 'lva', state: 'BACKUP', mii_status: 'DOWN', link_failure_count: 1 });
    // The carrier returns, and the driver goes back to the primary at a later
    // miimon tick: wait for it, so that no later test reads in mid-change.
    ip('link', 'set', 'lvb', 'up');
    for (let i = 0; i < 50 && active !== 'lva'; i++) {
      await sleep(100);
      active = readFileSync('/sys/class/net/lab1/bonding/active_slave', 'utf8').trim();
    }
    expect(active).toBe('lva');
    expectShowEqualsProc('lab1');
  });

  it('bond_slave queue_id and prio print as ip prints them', () => {
    ip('link', 'set', 'ld1', 'type', 'bond_slave', 'queue_id', '3', 'prio', '-2');
    expectSamePrint('ld1', true);
    expectShowEqualsProc('lab1');
  });

  it('errors: same message and exit code as ip', () => {
    const cases: [string[], string[]][] = [
      [['bond', 'add', 'lx', 'mode', 'foo'], ['link', 'add', 'lx', 'type', 'bond', 'mode', 'foo']],
      [['bond', 'add', 'lx', 'miimon', '-1'], ['link', 'add', 'lx', 'type', 'bond', 'miimon', '-1']],
      [['bond', 'add', 'lx', 'use_carrier', '256'], ['link', 'add', 'lx', 'type', 'bond', 'use_carrier', '256']],
      [['bond', 'add', 'lx', 'bogus'], ['link', 'add', 'lx', 'type', 'bond', 'bogus']],
      [['bond', 'add', 'lx', 'primary', 'nosuch'], ['link', 'add', 'lx', 'type', 'bond', 'primary', 'nosuch']],
      [['bond', 'add', 'lx', 'arp_ip_target', '1.2.3.x'], ['link', 'add', 'lx', 'type', 'bond', 'arp_ip_target', '1.2.3.x']],
      [['bond', 'add', 'lx', 'miimon'], ['link', 'add', 'lx', 'type', 'bond', 'miimon']],
      [['bond', 'set', 'lab1', 'mode', 'balance-rr'], ['link', 'set', 'lab1', 'type', 'bond', 'mode', 'balance-rr']],
      [['bond', 'add', 'lab1'], ['link', 'add', 'lab1', 'type', 'bond']],
      [['bond', 'add', 'lx', 'help'], ['link', 'add', 'lx', 'type', 'bond', 'help']],
      [['bond', 'add', 'lx', 'ad_actor_system', 'zz'], ['link', 'add', 'lx', 'type', 'bond', 'ad_actor_system', 'zz']],
      [['bond', 'add', 'lx', 'lacp_active', 'maybe'], ['link', 'add', 'lx', 'type', 'bond', 'lacp_active', 'maybe']],
    ];
    const got = [], want = [];
    for (const [ours, theirs] of cases) {
      const a = tsnet(...ours);
      const b = run('ip', theirs);
      got.push({ cmd: ours.join(' '), stderr: a.stderr, code: a.code });
      want.push({ cmd: ours.join(' '), stderr: b.stderr, code: b.code });
    }
    expect(got).toEqual(want);
    spawnSync('ip', ['link', 'del', 'lx']);
  });

  it('bond show: tsnet vs cat /proc/net/bonding (time)', () => {
    const N = 5;
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) tsnet('bond', 'show', 'lab1');
    const ts = Number(process.hrtime.bigint() - t0) / 1e6 / N;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) run('cat', ['/proc/net/bonding/lab1']);
    const cat = Number(process.hrtime.bigint() - t0) / 1e6 / N;
    console.log(`lab timing: tsnet bond show ${ts.toFixed(0)} ms, cat /proc/net/bonding ${cat.toFixed(0)} ms (mean of ${N})`);
    expect(ts).toBeGreaterThan(0);
  });

  it('bond del removes the bond', () => {
    const r = tsnet('bond', 'del', 'lab1');
    expect(r.code).toBe(0);
    expect(run('ip', ['link', 'show', 'lab1']).code).not.toBe(0);
  });
});
