// `tsnet link` with the kinds this host's kernel lacks (bond, dummy, vlan),
// inside the VM lab: links made by tsnet and read by ip, made by ip and read
// by tsnet, and every listing (-d, -j -d, -br, -s) byte for byte as ip's.
// The VM is ours alone: links live in its root namespace and are deleted after.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { inLab } from './lab.js';
import { TSNET } from '../tsnet-bin.js';

const made: string[] = [];

function run(cmd: string, args: string[]): { stdout: string; stderr: string; code: number } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

const tsnet = (...a: string[]) => run(TSNET, [...a]);
const ip = (...a: string[]) => run('ip', a);

/** ip's texts name ip; tsnet's name tsnet. */
const asTsnet = (s: string) => s.replace(/"ip (\w+) help"/g, '"tsnet $1 help"');

function expectSame(...args: string[]): void {
  const t = tsnet(...args), i = ip(...args);
  expect({ args, out: t.stdout, err: t.stderr, code: t.code }).toEqual({ args, out: i.stdout, err: asTsnet(i.stderr), code: i.code });
}

/** ip -d link show of PREFIX+SUFFIX with the index and the prefix taken out. */
function norm(prefix: string, suffix: string): string {
  return ip('-d', 'link', 'show', prefix + suffix).stdout.replace(/^\d+: /, '').replace(/@if\d+|@\w+/, '@L').replaceAll(prefix, 'X');
}

const LISTINGS = [['link', 'show'], ['-d', 'link', 'show'], ['-j', '-d', 'link', 'show'], ['-br', 'link'], ['-d', 'addr', 'show'], ['-j', '-p', '-d', 'link', 'show', 'type', 'bond_slave']];

describe.skipIf(!inLab)('tsnet link on bond, dummy and vlan (VM lab)', () => {
  afterAll(() => {
    for (const l of made.reverse()) spawnSync('ip', ['link', 'del', l]);
  });

  it('link add: bond, dummy and vlan made by tsnet equal the same made by ip', () => {
    for (const [t, i] of [['kt', 'ki']]) {
      for (const [who, p] of [[tsnet, t], [(...a: string[]) => ip(...a), i]] as const) {
        for (const args of [
          ['link', 'add', `${p}d1`, 'address', '02:00:00:00:01:01', 'type', 'dummy'],
          ['link', 'add', `${p}d2`, 'address', '02:00:00:00:01:02', 'type', 'dummy'],
          ['link', 'add', `${p}b0`, 'address', '02:00:00:00:01:00', 'type', 'bond', 'mode', 'active-backup', 'miimon', '100'],
          ['link', 'add', 'link', `${p}d1`, 'name', `${p}d1.7`, 'type', 'vlan', 'id', '7'],
        ]) {
          const r = who(...args);
          expect({ args, err: r.stderr, code: r.code }).toEqual({ args, err: '', code: 0 });
          made.push(args[args.indexOf('name') > 0 ? args.indexOf('name') + 1 : 2]);
        }
      }
    }
    // ip's own view of both sets: the same kinds and settings, names and indexes aside.
    for (const s of ['d1', 'd2', 'b0', 'd1.7']) expect(norm('kt', s)).toBe(norm('ki', s));
  });

  it('link set master/nomaster and bond_slave options: ip reads what tsnet set', () => {
    for (const [who, p] of [[tsnet, 'kt'], [(...a: string[]) => ip(...a), 'ki']] as const) {
      for (const args of [
        ['link', 'set', `${p}d1`, 'master', `${p}b0`],
        ['link', 'set', `${p}d2`, 'master', `${p}b0`],
        ['link', 'set', `${p}d2`, 'type', 'bond_slave', 'queue_id', '2'],
        ['link', 'set', `${p}b0`, 'up'],
      ]) {
        const r = who(...args);
        expect({ args, err: r.stderr, code: r.code }).toEqual({ args, err: '', code: 0 });
      }
    }
    for (const s of ['d1', 'd2', 'b0']) expect(norm('kt', s)).toBe(norm('ki', s));
  });

  it.each(LISTINGS.map((l) => [l.join(' '), l] as const))('%s: every listing equals ip', (_name, args) => {
    expectSame(...args);
  });

  it('nomaster, errors, and delete', () => {
    expectSame('link', 'set', 'ktd2', 'nomaster');
    expectSame('-d', 'link', 'show', 'ktd2');
    expectSame('link', 'add', 'ktb0', 'type', 'bond');
    expectSame('link', 'set', 'ktd1', 'master', 'nosuch');
    expectSame('link', 'add', 'kx', 'type', 'vlan', 'id', '5');
    expectSame('link', 'add', 'link', 'ktd2', 'name', 'kx', 'type', 'vlan', 'id', '5000');
    expectSame('link', 'add', 'kx', 'type', 'bond', 'mode', 'nosuch');
    const r = tsnet('link', 'del', 'ktd1.7');
    expect(r.code).toBe(0);
    expect(ip('link', 'show', 'ktd1.7').code).not.toBe(0);
  });
});
