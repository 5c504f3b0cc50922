// `tsnet --dry-run netns`: the model's hosts are its namespaces. No root, no
// kernel (TSNET_FORBID_KERNEL), a state file per test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
let state: string;
const tsnet = (...args: string[]) =>
  execa('node', ['bin/run.js', '--state', state, '--dry-run', ...args], { reject: false, env: { TSNET_FORBID_KERNEL: '1' } });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsnet-netns-'));
  state = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('tsnet --dry-run netns', () => {
  it('lists the peers as named namespaces (the host itself is the initial one, unnamed), with no nsids', async () => {
    expect(await tsnet('netns', 'list')).toMatchObject({ exitCode: 0, stdout: 'gw\npeer3\npeer4\npeer5', stderr: '' });
    expect(await tsnet('netns')).toMatchObject({ exitCode: 0, stdout: 'gw\npeer3\npeer4\npeer5' });
    expect(JSON.parse((await tsnet('-j', 'netns', 'list')).stdout)).toEqual([{ name: 'gw' }, { name: 'peer3' }, { name: 'peer4' }, { name: 'peer5' }]);
    expect(await tsnet('netns', 'list-id')).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('adds an empty namespace: lo only, down, no addresses, as the kernel makes one', async () => {
    expect(await tsnet('netns', 'add', 'blue')).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    expect((await tsnet('netns', 'list')).stdout).toBe('gw\npeer3\npeer4\npeer5\nblue');
    expect((await tsnet('-n', 'blue', 'link')).stdout).toBe(
      '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00');
    expect((await tsnet('-n', 'blue', 'neigh')).stdout).toBe('');
    // Brought up, lo gets its addresses as on the kernel.
    await tsnet('-n', 'blue', 'link', 'set', 'lo', 'up');
    expect((await tsnet('-n', 'blue', '-br', 'addr')).stdout).toBe('lo               UNKNOWN        127.0.0.1/8 ::1/128 ');
  });

  it('refuses a name twice, a name ip refuses, and keeps the state file unchanged on failure', async () => {
    await tsnet('netns', 'add', 'blue');
    expect(await tsnet('netns', 'add', 'blue')).toMatchObject({ exitCode: 1, stderr: 'Cannot create namespace file "/run/netns/blue": File exists' });
    expect(await tsnet('netns', 'add', 'gw')).toMatchObject({ exitCode: 1 });
    expect(await tsnet('netns', 'add', 'a/b')).toMatchObject({ exitCode: 255, stderr: 'Invalid netns name "a/b"' });
    expect(await tsnet('netns', 'add')).toMatchObject({ exitCode: 1, stderr: 'No netns name specified' });
    expect((await tsnet('netns', 'list')).stdout).toBe('gw\npeer3\npeer4\npeer5\nblue');
  });

  it('deletes a namespace with its links; the initial one and unknown ones cannot be', async () => {
    await tsnet('netns', 'add', 'blue');
    expect(await tsnet('netns', 'del', 'blue')).toMatchObject({ exitCode: 0, stderr: '' });
    expect(await tsnet('netns', 'del', 'blue')).toMatchObject({ exitCode: 1, stderr: 'Cannot remove namespace file "/run/netns/blue": No such file or directory' });
    expect(await tsnet('netns', 'del', 'host')).toMatchObject({ exitCode: 1, stderr: 'Cannot remove namespace file "/run/netns/host": No such file or directory' });
    expect(await tsnet('netns', 'del', 'peer5')).toMatchObject({ exitCode: 0 });
    expect((await tsnet('netns')).stdout).toBe('gw\npeer3\npeer4');
    expect(await tsnet('-n', 'peer5', 'link')).toMatchObject({ exitCode: 1 });
    expect(await tsnet('-all', 'netns', 'del')).toMatchObject({ exitCode: 0 });
    expect(await tsnet('netns')).toMatchObject({ exitCode: 0, stdout: '' });
    // The host (the initial namespace) is still there.
    expect((await tsnet('-br', 'link')).stdout).toContain('eth0');
  });

  it('exec runs a tsnet command on that host, and keeps what it changed', async () => {
    await tsnet('netns', 'add', 'blue');
    expect(await tsnet('netns', 'exec', 'blue', 'tsnet', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1')).toMatchObject({ exitCode: 0, stderr: '' });
    expect((await tsnet('-n', 'blue', '-br', 'link')).stdout).toMatch(/^lo .*\nv1@v0 .*\nv0@v1 /);
    expect((await tsnet('netns', 'exec', 'blue', 'ip', '-j', 'link', 'show', 'v0')).stdout).toMatch(/^\[\{"ifindex":3,"link":"v1","ifname":"v0"/);
    expect((await tsnet('netns', 'exec', 'gw', '/usr/bin/tsnet', 'neigh')).exitCode).toBe(0);
    // The inner command's failure is exec's status, and it changes nothing.
    expect(await tsnet('netns', 'exec', 'blue', 'tsnet', 'link', 'add', 'v0', 'type', 'veth')).toMatchObject({ exitCode: 2, stderr: 'RTNETLINK answers: File exists' });
    expect(await tsnet('netns', 'exec', 'nope', 'tsnet', 'link')).toMatchObject({ exitCode: 255, stderr: 'Cannot open network namespace "nope": No such file or directory' });
    expect(await tsnet('netns', 'exec', 'blue', 'ls')).toMatchObject({ exitCode: 1, stderr: 'exec of "ls" failed: the model runs only tsnet (or ip) commands on its hosts' });
    expect(await tsnet('netns', 'exec', 'blue')).toMatchObject({ exitCode: 1, stderr: 'No command specified' });
  });

  it('-all exec runs the command on every named host, each under its name', async () => {
    const r = await tsnet('-all', 'netns', 'exec', 'tsnet', '-br', 'addr', 'show', 'dev', 'eth0');
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout).toBe(['gw', 'peer3', 'peer4', 'peer5'].map((h, i) =>
      `\nnetns: ${h}\neth0             UP             10.0.0.${[1, 3, 4, 5][i]}/24 fe80::ff:fe00:${[1, 3, 4, 5][i]}/64 `).join('\n'));
  });

  it('says clearly what has no meaning in the model, and fails', async () => {
    for (const args of [['pids', 'gw'], ['identify'], ['attach', 'x', '1']]) {
      const r = await tsnet('netns', ...args);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^tsnet --dry-run: the model has no processes; "netns (pids|identify|attach)" has nothing to act on$/);
    }
    expect(await tsnet('netns', 'set', 'gw', '3')).toMatchObject({ exitCode: 2, stderr: 'Error: the model assigns no nsids.' });
    expect(await tsnet('netns', 'set', 'nope', '3')).toMatchObject({ exitCode: 1, stderr: 'Cannot open network namespace "nope": No such file or directory' });
    expect(await tsnet('netns', 'list-id', 'nsid', '3')).toMatchObject({ exitCode: 2, stderr: 'Error: Peer netns reference is invalid.' });
  });

  it('a -batch mixes netns, link, address and neighbour lines', async () => {
    const file = join(dir, 'b.txt');
    writeFileSync(file, 'netns add blue\nnetns exec blue tsnet link set lo up\naddr add 10.9.0.1/24 dev eth0\nneigh add 10.9.0.2 lladdr 02:00:00:00:09:02 dev eth0 nud permanent\nnetns list\nnetns del gw\nnetns\n');
    const r = await tsnet('-batch', file);
    expect(r).toMatchObject({ exitCode: 0, stderr: '', stdout: 'gw\npeer3\npeer4\npeer5\nblue\npeer3\npeer4\npeer5\nblue' });
    expect((await tsnet('neigh', 'show', '10.9.0.2')).stdout).toBe('10.9.0.2 dev eth0 lladdr 02:00:00:00:09:02 PERMANENT ');
    expect((await tsnet('-n', 'blue', '-br', 'addr')).stdout).toBe('lo               UNKNOWN        127.0.0.1/8 ::1/128 ');
  });
});
