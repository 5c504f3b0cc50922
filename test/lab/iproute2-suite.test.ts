// iproute2's own testsuite (testsuite/tests/ip/**/*.t, lib/generic.sh), the
// tests that need the dummy driver, which the host's kernel lacks (the host's
// test/kernel/iproute2-suite.test.ts runs them with a veth instead): here,
// in the VM lab, with dummy as written upstream. Each runs once with IP=ip and
// once with IP=<tsnet named ip>, each in a namespace of its own; a step fails
// as ts_ip() fails it (any stderr, a non-zero status), test_on and
// test_lines_count as generic.sh. What passes with ip passes with tsnet.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inLab } from './lab.js';
import { TSNET } from '../tsnet-bin.js';

let dir: string;
let asIp: string;
const namespaces: string[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsnet-lab-suite-'));
  asIp = join(dir, 'ip');
  symlinkSync(TSNET, asIp);
});
afterAll(() => {
  for (const n of namespaces) spawnSync('ip', ['netns', 'del', n]);
  rmSync(dir, { recursive: true, force: true });
});

type Case = (ip: (...args: string[]) => string) => void;

/** One .t file's steps against one IP, in a fresh namespace: the failed checks (none: the test passes). */
function runCase(prog: string, body: Case, ns: string): string[] {
  spawnSync('ip', ['netns', 'add', ns]);
  namespaces.push(ns);
  const failed: string[] = [];
  const ip = (...args: string[]) => {
    // Only the network namespace changes, as in the host's suite test.
    const r = spawnSync('nsenter', [`--net=/run/netns/${ns}`, prog, ...args], { encoding: 'utf8' });
    if (r.status !== 0 || r.stderr !== '') failed.push(`${args.join(' ')}: rc ${r.status} ${r.stderr.trim()}`);
    return r.stdout;
  };
  try {
    body(ip);
  } catch (e) {
    failed.push(String(e).split('\n')[0]);
  }
  return failed;
}

function on(out: string, pattern: string): void {
  if (!out.includes(pattern)) throw new Error(`test_on ${pattern} failed in: ${out}`);
}
function lines(out: string, n: number): void {
  if (out.split('\n').filter(Boolean).length !== n) throw new Error(`test_lines_count ${n} failed in: ${out}`);
}

/** rand_dev(): "dev-" and six letters (one name per case: both runs use it in their own namespace). */
const DEV = 'dev-tsnetx';

const CASES: [string, Case][] = [
  ['link/new_link.t', (ip) => {
    ip('link', 'add', 'dev', DEV, 'type', 'dummy');
    const out = ip('link', 'show', 'dev', DEV);
    on(out, DEV);
    lines(out, 2);
    ip('link', 'del', 'dev', DEV);
  }],
  ['route/add_default_route.t', (ip) => {
    const dev = 'dummy0';
    ip('link', 'add', dev, 'type', 'dummy');
    ip('link', 'set', 'up', 'dev', dev);
    ip('addr', 'add', '1.1.1.1/24', 'dev', dev);
    ip('route', 'add', 'default', 'via', '1.1.1.2');
    let out = ip('-4', 'route', 'show', 'default');
    on(out, `default via 1.1.1.2 dev ${dev}`);
    lines(out, 1);
    ip('-4', 'route', 'add', '2.2.2.0/24', 'dev', dev);
    out = ip('-4', 'route', 'show', 'default');
    on(out, `default via 1.1.1.2 dev ${dev}`);
    lines(out, 1);
    ip('-6', 'addr', 'add', 'dead:beef::1/64', 'dev', dev);
    ip('route', 'add', 'default', 'via', 'dead:beef::2');
    out = ip('-6', 'route', 'show', 'default');
    on(out, `default via dead:beef::2 dev ${dev}`);
    lines(out, 1);
    ip('-6', 'route', 'add', 'cafe:babe::/64', 'dev', dev);
    out = ip('-6', 'route', 'show', 'default');
    on(out, `default via dead:beef::2 dev ${dev}`);
    lines(out, 1);
    ip('link', 'del', 'dev', dev);
  }],
  // (tests/ip/neigh/basic.t came after 6.1: its `--json neigh get` fails with ip 6.1, which prints text there.)
  ['neigh/basic.t', (ip) => {
    ip('link', 'add', 'dev', DEV, 'type', 'dummy');
    ip('neigh', 'add', '192.0.2.2', 'lladdr', '02:00:00:00:00:01', 'dev', DEV);
    on(ip('neigh', 'list'), '02:00:00:00:00:01');
    on(ip('--json', 'neigh', 'get', '192.0.2.2', 'dev', DEV), '"lladdr":"02:00:00:00:00:01"');
  }],
];

describe.skipIf(!inLab)('iproute2 testsuite\'s dummy tests (VM lab): tsnet named ip passes what ip 6.1 passes', () => {
  it.each(CASES)('%s', (name, body) => {
    const tag = name.replace(/\W/g, '');
    const withIp = runCase('ip', body, `suite-i-${tag}`);
    const withTsnet = runCase(asIp, body, `suite-t-${tag}`);
    if (name === 'neigh/basic.t') {
      expect(withTsnet).toEqual([]);
      expect(withIp.join('\n')).toContain('test_on "lladdr":"02:00:00:00:00:01" failed');
    } else {
      expect(withIp).toEqual([]);
      expect(withTsnet).toEqual(withIp);
    }
  });
});
