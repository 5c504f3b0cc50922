// The model's bonding against the real driver, in the VM lab: the same
// commands on the kernel (tsnet) and on the model (tsnet --dry-run, a fresh
// state), then the bond and its slaves compared: `bond show` (the
// /proc/net/bonding layout), `-d link show` and `-j -d link show`. Indexes
// and the driver's version differ by nature and are taken out. The driver
// acts a moment later (MII monitor every miimon ms, linkwatch): the kernel is
// read again for a while before a difference counts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { inLab } from './lab.js';

const dir = mkdtempSync(join(tmpdir(), 'tsnet-bondmodel-'));
const state = join(dir, 'state.json');
const made: string[] = [];

function tsnet(args: string[], model: boolean, input?: string) {
  const r = spawnSync(process.execPath, ['bin/run.js', ...(model ? ['--dry-run', '--state', state] : []), ...args], { encoding: 'utf8', input });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

/**
 * What is compared, read in two runs (node starts slowly under emulation):
 * bond show and -d link show, then -j -d link show. Indexes and the driver's
 * version are not the model's business.
 */
function view(model: boolean, devs: string[]): string {
  const text = tsnet(['-d', '-batch', '-'], model, ['bond show kb0', ...devs.map((d) => `link show dev ${d}`)].join('\n') + '\n').stdout;
  const json = tsnet(['-j', '-d', '-batch', '-'], model, devs.map((d) => `link show dev ${d}`).join('\n') + '\n').stdout;
  return (text + json).replace(/^Ethernet Channel Bonding Driver: .*$/m, 'Ethernet Channel Bonding Driver')
    .replace(/^\d+: /gm, '').replace(/"ifindex":\d+,/g, '');
}

const STEPS: string[][] = [
  ['link', 'add', 'kb0', 'address', '02:00:00:00:0b:00', 'type', 'bond', 'mode', 'active-backup', 'miimon', '100'],
  ['link', 'add', 'kd1', 'address', '02:00:00:00:0d:01', 'type', 'dummy'],
  ['link', 'add', 'kd2', 'address', '02:00:00:00:0d:02', 'type', 'dummy'],
  ['bond', 'enslave', 'kb0', 'kd1', 'kd2'],
  ['link', 'set', 'kb0', 'up'],
  ['link', 'set', 'kd1', 'carrier', 'off'],
  ['link', 'set', 'kd1', 'carrier', 'on'],
  ['link', 'set', 'kd2', 'type', 'bond_slave', 'queue_id', '3'],
  ['link', 'set', 'kd2', 'nomaster'],
  ['link', 'set', 'kd2', 'master', 'kb0'],
];

describe.skipIf(!inLab)('the model\'s bonding agrees with the driver', () => {
  afterAll(() => {
    for (const l of made.reverse()) spawnSync('ip', ['link', 'del', l]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an active-backup bond: enslave, failover on carrier loss, recovery, release', async () => {
    made.push('kb0', 'kd1', 'kd2');
    for (const step of STEPS) {
      const k = tsnet(step, false), m = tsnet(step, true);
      expect({ step, out: m.stdout, err: m.stderr, code: m.code }).toEqual({ step, out: k.stdout, err: k.stderr, code: k.code });
      const want = view(true, ['kb0', 'kd1', 'kd2']);
      let got = '';
      for (let i = 0; i < 8; i++) {
        got = view(false, ['kb0', 'kd1', 'kd2']);
        if (got === want) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect({ step, view: want }).toEqual({ step, view: got });
    }
  }, 400_000);
});
