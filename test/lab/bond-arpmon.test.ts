// The model's ARP monitor against the real bonding driver, in the VM lab.
// An active-backup bond with arp_interval 1000 (at 100 ms the driver under
// emulation, with node starting beside it, lost its link several times
// before the first checkpoint), arp_validate all and one
// arp_ip_target over a veth, lva1, whose other end is in a namespace of its
// own that holds the target's address. (A second slave whose wire leads
// nowhere stays up as a backup on the driver, which the model does not
// explain yet: it is left out.) The target goes
// silent (its address removed; in the model `sim peer silent`) and comes
// back. Each shared step runs on the kernel (tsnet) and the model (tsnet
// --dry-run); where the set-up differs by nature (a namespace there, a
// simulated peer on lvb1's wire here) each side has its own command. At the
// checkpoints both are read as test/lab/bond-model.test.ts reads them
// (bond show, -d link show, -j -d link show, the model's clock advanced by
// the real time the step took); at the end the driver's messages (dmesg)
// must equal the model's timeline line for line.
//
// While no slave is active, bond_ab_arp_probe() tries the slave every
// interval (going back, then going down): which a reading meets is a matter
// of real time, so that stretch is compared by its messages only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { inLab } from './lab.js';
import { TSNET } from '../tsnet-bin.js';

const dir = mkdtempSync(join(tmpdir(), 'tsnet-arpmon-'));
const state = join(dir, 'arpmon.json');

function tsnet(args: string[], model: boolean, input?: string) {
  const r = spawnSync(TSNET, [...(model ? ['--dry-run', '--state', state] : []), ...args], { encoding: 'utf8', input });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

const DEVS = ['kb0', 'lva1'];

/** bond show and -d link show of the bond and its slaves, then -j -d link show; indexes and the driver's version taken out. */
function view(model: boolean, advanceMs = 0): string {
  const lines = ['bond show kb0', ...DEVS.map((d) => `link show dev ${d}`)];
  if (model) lines.unshift(`sim advance ${advanceMs}ms`);
  let text = tsnet(['-d', '-batch', '-'], model, lines.join('\n') + '\n').stdout;
  if (model) text = text.replace(/^virtual time .*\n/, '');
  const json = tsnet(['-j', '-d', '-batch', '-'], model, DEVS.map((d) => `link show dev ${d}`).join('\n') + '\n').stdout;
  // A veth's link-netns (lva1's peer lives in the target's namespace on the kernel) is not the model's.
  return (text + json).replace(/^Ethernet Channel Bonding Driver: .*$/m, 'Ethernet Channel Bonding Driver')
    .replace(/^\d+: /gm, '').replace(/"ifindex":\d+,/g, '').replace(/@(?:lvb\d|if\d+)/g, '')
    .replace(/ link-netns(?:id)? \S+/g, '').replace(/"link(?:_index|_netnsid)?":(?:"[^"]*"|\d+),/g, '');
}

/** The driver's messages about kb0: from dmesg, or from the model's timeline. */
function driverLog(model: boolean): string[] {
  const text = model ? tsnet(['sim', 'timeline', 'host', 'host', 'last', '5000'], true).stdout : spawnSync('dmesg', [], { encoding: 'utf8' }).stdout;
  return text.split('\n').map((l) => /(kb0(?: \((?:unregistering|uninitialized)\))?: (?:\(slave \w+\): .*|option \w+: .*|active interface up!|now running without any active interface!))$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
}

/** A step: the same command on both (`both`), or one on each side; `read`: compare the two at this checkpoint. */
interface Step { both?: string[]; kernel?: () => void; model?: () => void; read?: boolean; sleepMs?: number }

async function play(steps: Step[]): Promise<{ reads: number; rereads: number }> {
  let reads = 0, rereads = 0;
  for (const step of steps) {
    // A sleep's time counts: the model's clock is advanced over it too.
    let stepEnd = Date.now();
    if (step.sleepMs) await new Promise((r) => setTimeout(r, step.sleepMs));
    if (step.both) {
      const k = tsnet(step.both, false);
      stepEnd = Date.now();
      const m = tsnet(step.both, true);
      expect({ step: step.both, out: m.stdout, err: m.stderr, code: m.code }).toEqual({ step: step.both, out: k.stdout, err: k.stderr, code: k.code });
    } else if (step.kernel || step.model) {
      step.kernel?.();
      stepEnd = Date.now();
      step.model?.();
    }
    if (!step.read) {
      // The model's clock keeps pace with the kernel's even where the two are not compared.
      tsnet(['sim', 'advance', `${Date.now() - stepEnd}ms`], true);
      continue;
    }
    const readAt = Date.now();
    let got = view(false);
    const want = view(true, readAt - stepEnd);
    for (let i = 0; i < 8 && got !== want; i++) {
      await new Promise((r) => setTimeout(r, 200));
      got = view(false);
      rereads++;
    }
    expect({ step: step.both ?? 'set-up', view: want }).toEqual({ step: step.both ?? 'set-up', view: got });
    reads++;
  }
  return { reads, rereads };
}

const link = (...w: string[]) => ['link', ...w];

describe.skipIf(!inLab)('the model\'s ARP monitor agrees with the driver', () => {
  afterAll(() => {
    for (const l of ['kb0', 'lva1', 'lva2']) spawnSync('ip', ['link', 'del', l]);
    spawnSync('ip', ['netns', 'del', 'kbtgt']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('active-backup, arp_validate all: the target silent fails the active slave, back it is active again', async () => {
    spawnSync('dmesg', ['-C']);
    const r = await play([
      { both: link('add', 'lva1', 'address', '02:00:00:00:0a:01', 'type', 'veth', 'peer', 'name', 'lvb1', 'address', '02:00:00:00:0c:01') },
      {
        // The target: lvb1 in a namespace with 192.168.77.1 (the kernel); a peer on lvb1's wire (the model).
        kernel: () => {
          ip('netns', 'add', 'kbtgt');
          ip('link', 'set', 'lvb1', 'netns', 'kbtgt');
          ip('-n', 'kbtgt', 'addr', 'add', '192.168.77.1/24', 'dev', 'lvb1');
          ip('-n', 'kbtgt', 'link', 'set', 'lvb1', 'up');
        },
        model: () => {
          tsnet(link('set', 'lvb1', 'up'), true);
          const lvb1 = JSON.parse(tsnet(['-j', 'link', 'show', 'lvb1'], true).stdout)[0].ifindex;
          tsnet(['sim', 'peer', 'add', 'kbtgt', 'ip', '192.168.77.1', 'segment', `veth:host:${lvb1}`], true);
        },
      },
      { both: link('add', 'kb0', 'address', '02:00:00:00:0b:00', 'type', 'bond', 'mode', 'active-backup', 'arp_interval', '1000', 'arp_ip_target', '192.168.77.1', 'arp_validate', 'all') },
      { both: link('set', 'lva1', 'master', 'kb0') },
      { both: ['addr', 'add', '192.168.77.9/24', 'dev', 'kb0'] },
      { both: link('set', 'kb0', 'up') },
      // lva1 hears the target and stays active.
      { sleepMs: 3000, read: true },
      {
        kernel: () => ip('-n', 'kbtgt', 'addr', 'del', '192.168.77.1/24', 'dev', 'lvb1'),
        model: () => tsnet(['sim', 'peer', 'silent', 'kbtgt'], true),
      },
      { sleepMs: 5000 },
      {
        kernel: () => ip('-n', 'kbtgt', 'addr', 'add', '192.168.77.1/24', 'dev', 'lvb1'),
        model: () => tsnet(['sim', 'peer', 'silent', 'kbtgt', 'off'], true),
      },
      // The slave tried when the target answers again comes up and is made active.
      { sleepMs: 3000, read: true },
    ]);
    const log = driverLog(false);
    expect(log).toEqual(expect.arrayContaining([
      'kb0: (slave lva1): link status definitely down, disabling slave',
      'kb0: now running without any active interface!',
      'kb0: (slave lva1): link status definitely up',
      'kb0: active interface up!',
    ]));
    expect(driverLog(true)).toEqual(log);
    console.log(`arpmon: ${r.reads} checkpoints alike (${r.rereads} re-reads), ${log.length} driver messages alike`);
  }, 600_000);

  it('the option rules: ARP and MII monitoring in one request, a mode without ARP monitoring, unusable or repeated targets, arp_missed_max 0', () => {
    spawnSync('dmesg', ['-C']);
    for (const l of ['kb0', 'lva1', 'lva2']) spawnSync('ip', ['link', 'del', l]);
    tsnet(link('del', 'kb0'), true);
    const lines = [
      link('add', 'kb0', 'type', 'bond', 'miimon', '100', 'arp_interval', '100'),
      link('add', 'kb0', 'type', 'bond', 'mode', '802.3ad', 'arp_interval', '100'),
      link('add', 'kb0', 'type', 'bond', 'arp_ip_target', '0.0.0.0'),
      link('add', 'kb0', 'type', 'bond', 'arp_ip_target', '10.0.0.1,10.0.0.1'),
      link('add', 'kb0', 'type', 'bond', 'arp_missed_max', '0'),
      // On a bond that exists (registered: named plainly).
      link('add', 'kb0', 'type', 'bond', 'mode', 'active-backup', 'arp_missed_max', '4'),
      link('set', 'kb0', 'type', 'bond', 'arp_missed_max', '0'),
      link('set', 'kb0', 'type', 'bond', 'arp_ip_target', '255.255.255.255'),
      link('set', 'kb0', 'type', 'bond', 'arp_validate', 'all', 'miimon', '100'),
      link('set', 'kb0', 'type', 'bond', 'miimon', '100'),
      link('set', 'kb0', 'type', 'bond', 'arp_interval', '200', 'arp_ip_target', '10.0.0.1,10.0.0.3', 'arp_all_targets', 'all'),
      ['-d', 'link', 'show', 'kb0'],
      ['bond', 'show', 'kb0'],
      link('set', 'kb0', 'type', 'bond', 'mode', 'balance-alb'),
      ['-d', 'link', 'show', 'kb0'],
      link('del', 'kb0'),
    ];
    const clean = (t: string) => t.replace(/^\d+: /gm, '').replace(/^Ethernet Channel Bonding Driver: .*$/m, '');
    for (const l of lines) {
      const k = tsnet(l, false);
      const m = tsnet(l, true);
      expect({ l, out: clean(m.stdout), err: m.stderr, code: m.code }).toEqual({ l, out: clean(k.stdout), err: k.stderr, code: k.code });
    }
    const log = driverLog(false);
    expect(log.length).toBeGreaterThan(0);
    // Only the messages of this test: the model's timeline holds the first test's too.
    expect(driverLog(true).slice(-log.length)).toEqual(log);
  });
});
