// tsnet --dry-run as a user runs it: no root, no kernel, a state file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
let state: string;
// TSNET_FORBID_KERNEL makes any FFI load fail: these runs must not need it.
const tsnet = (args: string[]) =>
  execa('node', ['bin/run.js', '--state', state, ...args], { reject: false, env: { TSNET_FORBID_KERNEL: '1' } });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsnet-dry-'));
  state = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('tsnet --dry-run', () => {
  it('works with no set-up: the host has resolved its gateway', async () => {
    const r = await tsnet(['--dry-run', 'neigh', 'show']);
    expect(r).toMatchObject({ exitCode: 0, stderr: '', stdout: '10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 REACHABLE ' });
  });

  it('takes --dry-run after the object too, and prints ip\'s JSON', async () => {
    const r = await tsnet(['neigh', 'show', '--dry-run', '-j']);
    expect(JSON.parse(r.stdout)).toEqual([{ dst: '10.0.0.1', dev: 'eth0', lladdr: '02:00:00:00:00:01', state: ['REACHABLE'] }]);
  });

  it('answers with the kernel\'s errors', async () => {
    expect(await tsnet(['--dry-run', 'neigh', 'add', '10.0.0.1', 'lladdr', '02:00:00:00:00:09', 'dev', 'eth0']))
      .toMatchObject({ exitCode: 2, stderr: 'RTNETLINK answers: File exists' });
    expect(await tsnet(['--dry-run', 'neigh', 'get', '10.0.0.99', 'dev', 'eth0']))
      .toMatchObject({ exitCode: 2, stderr: 'Error: Neighbour entry not found.' });
    expect(await tsnet(['--dry-run', 'neigh', 'del', '10.0.0.99', 'dev', 'eth0']))
      .toMatchObject({ exitCode: 2, stderr: 'RTNETLINK answers: No such file or directory' });
    expect(await tsnet(['--dry-run', 'neigh', 'show', 'dev', 'eth7']))
      .toMatchObject({ exitCode: 1, stderr: 'Cannot find device "eth7"' });
  });

  it('keeps state between runs and drives NUD with sim send / advance', async () => {
    await tsnet(['sim', 'send', '10.0.0.3']);
    expect((await tsnet(['--dry-run', 'neigh', 'show', '10.0.0.3'])).stdout).toBe('10.0.0.3 dev eth0 lladdr 02:00:00:00:00:03 REACHABLE ');
    await tsnet(['sim', 'advance', '50s']);
    expect((await tsnet(['--dry-run', 'neigh', 'show', '10.0.0.3'])).stdout).toBe('10.0.0.3 dev eth0 lladdr 02:00:00:00:00:03 STALE ');
    const t = await tsnet(['--dry-run', '--trace', 'sim', 'send', '10.0.0.3']);
    expect(t.stderr).toContain('10.0.0.3 dev eth0: STALE -> DELAY (packet sent using a stale entry; delay_first_probe_time 5s)');
  });

  it('shows a peer\'s cache with -n, and a VIP move updates it', async () => {
    await tsnet(['sim', 'peer', 'move', '10.0.0.100', 'to', 'peer3']);
    await tsnet(['sim', 'send', '10.0.0.100']);
    await tsnet(['sim', 'peer', 'move', '10.0.0.100', 'to', 'peer4']);
    await tsnet(['sim', 'advance', '1ms']);
    expect((await tsnet(['--dry-run', 'neigh', 'show', '10.0.0.100'])).stdout).toBe('10.0.0.100 dev eth0 lladdr 02:00:00:00:00:04 STALE ');
    expect((await tsnet(['--dry-run', '-n', 'peer3', 'neigh', 'show'])).stdout).toContain('10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02');
  });

  it('monitor streams the model\'s changes made by other runs, as ip monitor prints them', async () => {
    await tsnet(['--dry-run', 'neigh', 'show']);
    const mon = execa('node', ['bin/run.js', '--state', state, '--dry-run', 'monitor'], { reject: false, env: { TSNET_FORBID_KERNEL: '1' } });
    await new Promise((r) => setTimeout(r, 800));
    // The monitor holds no lock: these runs go through while it watches.
    expect((await tsnet(['--dry-run', 'neigh', 'add', '10.0.0.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'eth0'])).exitCode).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect((await tsnet(['--dry-run', 'addr', 'add', '10.0.0.20/24', 'dev', 'eth0'])).exitCode).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect((await tsnet(['--dry-run', 'neigh', 'del', '10.0.0.9', 'dev', 'eth0'])).exitCode).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    mon.kill('SIGTERM');
    const r = await mon;
    // Ended by the signal, as ip monitor is (143 in a shell).
    expect(r.signal).toBe('SIGTERM');
    expect(r.stdout).toBe([
      '10.0.0.9 dev eth0 lladdr 02:00:00:00:00:09 PERMANENT ',
      '2: eth0    inet 10.0.0.20/24 scope global secondary eth0',
      '       valid_lft forever preferred_lft forever',
      'Deleted 10.0.0.9 dev eth0 FAILED ',
    ].join('\n'));
  });

  it('leaves a corrupt state file alone and says so', async () => {
    writeFileSync(state, 'not json');
    const r = await tsnet(['--dry-run', 'neigh', 'show']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^tsnet: the model's state .* is not valid JSON/);
    expect(readFileSync(state, 'utf8')).toBe('not json');
  });

  it('leaves a state file with a broken neighbour table alone and says so, for a read and for a change', async () => {
    await tsnet(['sim', 'send', '10.0.0.3']);
    const good = readFileSync(state, 'utf8');
    const broken = good.replace(/"neighbours":"2 2 10\.0\.0\.3 /, '"neighbours":"2 2 10.0.0.3 x');
    expect(broken).not.toBe(good);
    writeFileSync(state, broken);
    for (const args of [['--dry-run', 'neigh', 'show'], ['--dry-run', 'neigh', 'add', '10.0.0.9', 'dev', 'eth0'], ['sim', 'advance', '1s']]) {
      const r = await tsnet(args);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^tsnet: the model's state .* has a broken neighbour table line: "2 2 10\.0\.0\.3 x[^"\\]*"; it was left as it is/);
      expect(readFileSync(state, 'utf8')).toBe(broken);
    }
  });

  it('prints sim usage for a bad sim command', async () => {
    const r = await tsnet(['sim', 'advance', 'soon']);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/^sim: advance needs a time/);
  });
});
