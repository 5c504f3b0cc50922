// The model's bonding against the real driver, in the VM lab: the same
// commands on the kernel (tsnet) and on the model (tsnet --dry-run, a fresh
// state), then the bond and its slaves compared: `bond show` (the
// /proc/net/bonding layout), `-d link show` and `-j -d link show`; at the
// end, the driver's messages (dmesg) against the model's timeline. Indexes
// and the driver's version differ by nature and are taken out.
//
// Time: the driver's MII monitor runs in real time, the model's on its
// virtual clock. After each step the kernel is read once the real time since
// the step has passed every delay (node's start alone takes a second under
// emulation), and the model's clock is advanced by that same time before it
// is read. The kernel is read again for a while before a difference counts
// (linkwatch and the monitor's work can lag under emulation).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { inLab } from './lab.js';
import { TSNET } from '../tsnet-bin.js';

const dir = mkdtempSync(join(tmpdir(), 'tsnet-bondmodel-'));

function tsnet(args: string[], state: string | undefined, input?: string) {
  const r = spawnSync(TSNET, [...(state ? ['--dry-run', '--state', state] : []), ...args], { encoding: 'utf8', input });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

/**
 * What is compared, read in two runs (node starts slowly under emulation):
 * bond show and -d link show, then -j -d link show. The model's clock moves
 * `advanceMs` first. Indexes and the driver's version are not the model's business.
 */
function view(devs: string[], state: string | undefined, advanceMs = 0): string {
  // The slaves' addresses too: a slave gets no IPv6 link-local (bond_enslave sets IFF_SLAVE before
  // it opens it). The bond's own address is left out: its DAD ends at a random moment.
  const lines = ['bond show kb0', ...devs.map((d) => `link show dev ${d}`), ...devs.filter((d) => d !== 'kb0').map((d) => `addr show dev ${d}`)];
  if (state) lines.unshift(`sim advance ${advanceMs}ms`);
  let text = tsnet(['-d', '-batch', '-'], state, lines.join('\n') + '\n').stdout;
  if (state) text = text.replace(/^virtual time .*\n/, '');
  const json = tsnet(['-j', '-d', '-batch', '-'], state, devs.map((d) => `link show dev ${d}`).join('\n') + '\n').stdout;
  return (text + json).replace(/^Ethernet Channel Bonding Driver: .*$/m, 'Ethernet Channel Bonding Driver')
    .replace(/^\d+: /gm, '').replace(/"ifindex":\d+,/g, '');
}

/**
 * The bonding driver's messages about kb0, in order: from dmesg, or from the
 * model's timeline. A "disabling it in" or "enabling it in" line that repeats
 * the one before it is kept once: bond_mii_monitor() inspects again one jiffy
 * later when rtnl_trylock() fails (a command of the test holds rtnl), and the
 * slave's link is still the old one then, so the driver says it twice. Which
 * tick meets a held rtnl is chance, not the driver's rules.
 */
function driverLog(state: string | undefined): string[] {
  const text = state ? tsnet(['sim', 'timeline', 'host', 'host', 'last', '5000'], state).stdout : spawnSync('dmesg', [], { encoding: 'utf8' }).stdout;
  const lines = text.split('\n').map((l) => /(kb0(?: \(unregistering\))?: (?:\(slave \w+\): .*|option \w+: .*|active interface up!|now running without any active interface!))$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
  return lines.filter((l, i) => !(i > 0 && l === lines[i - 1] && /(?:dis|en)abling it in \d+ ms$/.test(l)));
}

/**
 * The bond's gratuitous ARPs as they reach DEV: on the kernel, tcpdump's
 * lines (it shows a request's target MAC only when it is not zero); in the
 * model, the frames its timeline says the bond sent, described alike.
 */
class Capture {
  private readonly proc;
  private out = '';
  private readonly sentBefore: number;

  private constructor(dev: string, private readonly state: string) {
    this.proc = spawn('tcpdump', ['-i', dev, '-e', '-n', '-l', 'arp'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    this.sentBefore = Capture.modelSent(state).length;
  }

  static async start(dev: string, state: string): Promise<Capture> {
    const c = new Capture(dev, state);
    await new Promise<void>((resolve, reject) => {
      c.proc.stderr.on('data', (d: Buffer) => d.toString().includes('listening on') && resolve());
      c.proc.on('exit', () => reject(new Error('tcpdump ended')));
    });
    return c;
  }

  private static modelSent(state: string): string[] {
    return tsnet(['sim', 'timeline', 'host', 'host', 'last', '5000'], state).stdout.split('\n')
      .map((l) => / sends (.*) \(gratuitous ARP for \S+ from kb0\)$/.exec(l)?.[1]).filter((l): l is string => l !== undefined);
  }

  /** Both lists of frames, the kernel's once tcpdump has stopped. */
  async stop(): Promise<{ kernel: string[]; model: string[] }> {
    const ended = new Promise((r) => this.proc.on('close', r));
    this.proc.kill('SIGINT');
    await ended;
    const kernel = this.out.split('\n').map((l) => /^\S+ (\S+ > \S+), ethertype ARP \(0x0806\), length \d+: (.*), length \d+$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null).map((m) => `${m[1]}: ARP, ${m[2]}`);
    return { kernel, model: Capture.modelSent(this.state).slice(this.sentBefore) };
  }
}

/**
 * Each step on both, then both read at a checkpoint; then the driver's
 * messages, which must include `says`. A step ['capture', DEV] starts
 * watching the gratuitous ARPs that reach DEV, ['captured', N] stops and
 * wants the same N frames on both; ['sleep', MS] lets MS of real time pass
 * before the next checkpoint.
 */
async function play(name: string, devs: string[], steps: string[][], says: string[]): Promise<void> {
  const state = join(dir, `${name}.json`);
  let rereads = 0, capture: Capture | undefined;
  spawnSync('dmesg', ['-C']);
  try {
    for (const step of steps) {
      if (step[0] === 'capture') {
        capture = await Capture.start(step[1], state);
        continue;
      }
      if (step[0] === 'captured' && capture) {
        const frames = await capture.stop();
        capture = undefined;
        expect(frames.kernel).toHaveLength(Number(step[1]));
        expect(frames.model).toEqual(frames.kernel);
        continue;
      }
      let stepEnd = Date.now();
      if (step[0] === 'sleep') await new Promise((r) => setTimeout(r, Number(step[1])));
      else {
        const k = tsnet(step, undefined);
        stepEnd = Date.now();
        const m = tsnet(step, state);
        expect({ step, out: m.stdout, err: m.stderr, code: m.code }).toEqual({ step, out: k.stdout, err: k.stderr, code: k.code });
      }
      const readAt = Date.now();
      let got = view(devs, undefined);
      const want = view(devs, state, readAt - stepEnd);
      for (let i = 0; i < 8 && got !== want; i++) {
        await new Promise((r) => setTimeout(r, 200));
        got = view(devs, undefined);
        rereads++;
      }
      expect({ step, view: want }).toEqual({ step, view: got });
    }
    const log = driverLog(undefined);
    expect(log).toEqual(expect.arrayContaining(says));
    expect(driverLog(state)).toEqual(log);
    console.log(`${name}: ${steps.length} steps, ${log.length} driver messages alike, the kernel read again ${rereads} time(s)`);
  } finally {
    if (capture) await capture.stop();
    for (const l of [...devs].reverse()) spawnSync('ip', ['link', 'del', l]);
  }
}

const link = (...w: string[]) => ['link', ...w];
const BOND = link('add', 'kb0', 'address', '02:00:00:00:0b:00', 'type', 'bond', 'mode', 'active-backup', 'miimon', '100');
const DUMMIES = [
  link('add', 'kd1', 'address', '02:00:00:00:0d:01', 'type', 'dummy'),
  link('add', 'kd2', 'address', '02:00:00:00:0d:02', 'type', 'dummy'),
];

describe.skipIf(!inLab)('the model\'s bonding agrees with the driver', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an active-backup bond: enslave, failover on carrier loss, recovery, release, deletion', async () => {
    await play('basic', ['kb0', 'kd1', 'kd2'], [
      BOND, ...DUMMIES,
      ['bond', 'enslave', 'kb0', 'kd1', 'kd2'],
      link('set', 'kb0', 'up'),
      link('set', 'kd1', 'carrier', 'off'),
      link('set', 'kd1', 'carrier', 'on'),
      link('set', 'kd2', 'type', 'bond_slave', 'queue_id', '3'),
      link('set', 'kd2', 'nomaster'),
      link('set', 'kd2', 'master', 'kb0'),
      // The active slave deleted: a failover; the bond deleted: closed, its slaves let go without one.
      link('del', 'kd1'),
      link('del', 'kb0'),
    ], ['kb0: (slave kd1): link status definitely down, disabling slave', 'kb0: (slave kd2): Releasing backup interface']);
  }, 400_000);

  it('active-backup with miimon 100, updelay 200, downdelay 200 and a primary: failover, failback, primary_reselect, active_slave', async () => {
    await play('delays', ['kb0', 'kd1', 'kd2'], [
      [...BOND, 'updelay', '200', 'downdelay', '200'], ...DUMMIES,
      // Named before it is a slave: remembered, not reported until enslaved.
      link('set', 'kb0', 'type', 'bond', 'primary', 'kd1'),
      link('set', 'kd2', 'master', 'kb0'),
      link('set', 'kd1', 'master', 'kb0'),
      link('set', 'kb0', 'up'),
      // The active primary goes down after downdelay; back after updelay, it is active again.
      link('set', 'kd1', 'carrier', 'off'),
      link('set', 'kd1', 'carrier', 'on'),
      link('set', 'kb0', 'type', 'bond', 'primary_reselect', 'failure'),
      link('set', 'kd1', 'carrier', 'off'),
      link('set', 'kd1', 'carrier', 'on'),
      link('set', 'kb0', 'type', 'bond', 'active_slave', 'kd1'),
      // Every slave down, then one back: no updelay without an active slave.
      link('set', 'kd2', 'carrier', 'off'),
      link('set', 'kd1', 'carrier', 'off'),
      link('set', 'kd2', 'carrier', 'on'),
      link('set', 'kb0', 'type', 'bond', 'active_slave', 'kd1'),
    ], [
      'kb0: (slave kd1): link status down for active interface, disabling it in 200 ms',
      'kb0: (slave kd1): link status up, enabling it in 200 ms',
      'kb0: (slave kd2): link status up, enabling it in 0 ms',
      'kb0: (slave kd1): Could not set as active slave; either kd1 is down or the link is down',
    ]);
  }, 600_000);

  it('long delays (10 s): the checkpoints fall inside them, where the driver shows going back and going down', async () => {
    await play('long', ['kb0', 'kd1', 'kd2'], [
      [...BOND, 'updelay', '10000', 'downdelay', '10000'], ...DUMMIES,
      link('set', 'kd1', 'master', 'kb0'),
      // No active slave: the first tick takes kd1 without its updelay.
      link('set', 'kb0', 'up'),
      link('set', 'kd2', 'master', 'kb0'),
      ['sleep', '11000'],
      link('set', 'kd1', 'carrier', 'off'),
      ['sleep', '11000'],
      // (Not lost again within updelay: the driver's "down again after N ms" counts real time
      // the model's clock does not have, as node's start-ups lie between the steps.)
      link('set', 'kd1', 'carrier', 'on'),
    ], [
      'kb0: (slave kd1): link status down for active interface, disabling it in 10000 ms',
      'kb0: (slave kd1): link status up, enabling it in 10000 ms',
    ]);
  }, 600_000);

  it('a failover notifies the peers: gratuitous ARPs for each address out of the new active veth', async () => {
    await play('garp', ['kb0', 'lva1', 'lva2'], [
      [...BOND, 'num_grat_arp', '3'],
      link('add', 'lva1', 'address', '02:00:00:00:0a:01', 'type', 'veth', 'peer', 'name', 'lvb1', 'address', '02:00:00:00:0c:01'),
      link('add', 'lva2', 'address', '02:00:00:00:0a:02', 'type', 'veth', 'peer', 'name', 'lvb2', 'address', '02:00:00:00:0c:02'),
      link('set', 'lvb1', 'up'),
      link('set', 'lvb2', 'up'),
      link('set', 'lva1', 'master', 'kb0'),
      link('set', 'lva2', 'master', 'kb0'),
      link('set', 'kb0', 'up'),
      ['addr', 'add', '10.0.0.9/24', 'dev', 'kb0'],
      ['addr', 'add', '10.0.0.10/24', 'dev', 'kb0'],
      ['capture', 'lvb2'],
      // lva1's carrier goes with its peer end. num_grat_arp 3 gives two rounds of two
      // frames: the tick that fails over counts one down without notifying.
      link('set', 'lvb1', 'down'),
      ['captured', '4'],
    ], ['kb0: (slave lva1): link status definitely down, disabling slave', 'kb0: (slave lva2): making interface the new active one']);
  }, 600_000);
});
