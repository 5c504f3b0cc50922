// The model's state file under stress: concurrent writers, a full disk,
// hostile folders and symlinks, wrong-shaped files, read-only folders
// (issue 17, items 1-4). Each run is the CLI as a user runs it.
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = process.getuid?.() === 0;
let dir: string;
let state: string;
const env = { TSNET_FORBID_KERNEL: '1' };
const tsnet = (args: string[], extra: Record<string, string> = {}) =>
  execa('node', ['bin/run.js', '--state', state, ...args], { reject: false, env: { ...env, ...extra } });
const add = (ip: string) => ['--dry-run', 'neigh', 'add', ip, 'lladdr', '02:00:00:00:09:09', 'dev', 'eth0', 'nud', 'permanent'];
// One process (the exec'd sleep) holds flock(2) on the lock file, as another tsnet run would.
const holdLock = (seconds: number) =>
  execa('sh', ['-c', 'exec 9>>"$1"; flock -x 9; exec sleep "$2"', 'sh', `${state}.lock`, String(seconds)], { reject: false });
const leftovers = () => readdirSync(dir).filter((f) => f.includes('.tmp'));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsnet-state-'));
  state = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('concurrent writers (the lock)', () => {
  it('50 writers at once: every one lands, none is lost', async () => {
    expect((await tsnet(['--dry-run', 'neigh', 'show'])).exitCode).toBe(0);
    const ips = Array.from({ length: 50 }, (_, i) => `10.0.0.${100 + i}`);
    const runs = await Promise.all(ips.map((ip) => tsnet(add(ip))));
    expect(runs.map((r) => r.exitCode)).toEqual(ips.map(() => 0));
    const shown = (await tsnet(['--dry-run', 'neigh', 'show'])).stdout;
    for (const ip of ips) expect(shown).toContain(`${ip} dev eth0 lladdr 02:00:00:00:09:09 PERMANENT`);
    expect(leftovers()).toEqual([]);
  }, 120000);

  it('a writer that cannot get the lock in time fails loudly, and changes nothing', async () => {
    expect((await tsnet(['--dry-run', 'neigh', 'show'])).exitCode).toBe(0);
    const before = readFileSync(state, 'utf8');
    // Another process holds the lock (flock(1) on the same file) for a while.
    const holder = holdLock(5);
    await new Promise((r) => setTimeout(r, 300));
    const r = await tsnet(add('10.0.0.77'), { TSNET_STATE_LOCK_WAIT_MS: '500' });
    holder.kill();
    await holder;
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^tsnet: the model's state .*state\.json is in use by another run/);
    expect(readFileSync(state, 'utf8')).toBe(before);
  }, 30000);

  it('a lock left by a run that was killed does not block the next', async () => {
    const holder = holdLock(30);
    await new Promise((r) => setTimeout(r, 300));
    holder.kill('SIGKILL');
    await holder;
    expect((await tsnet(add('10.0.0.78'), { TSNET_STATE_LOCK_WAIT_MS: '500' })).exitCode).toBe(0);
  }, 30000);
});

describe('a failed save is an error', () => {
  it.skipIf(!root)('a full disk: exit 1 with the reason, the old file intact, no temporary file left', async () => {
    // A 64 KiB tmpfs in a mount namespace of its own: filled up after the first save.
    const script = `
      mount -t tmpfs -o size=64k tsnet-full "${dir}" || exit 99
      node bin/run.js --state "${state}" --dry-run neigh show >/dev/null || exit 98
      cp "${state}" "${dir}/before"
      head -c 200000 /dev/zero > "${dir}/filler" 2>/dev/null
      node bin/run.js --state "${state}" ${add('10.0.0.79').join(' ')}
      echo "rc=$?"
      cmp -s "${state}" "${dir}/before" && echo same
      ls -a "${dir}"`;
    const r = await execa('unshare', ['-m', 'sh', '-c', script], { reject: false, env });
    expect(r.stderr).toMatch(/^tsnet: cannot save the model's state .*state\.json: .*No space left on device/);
    expect(r.stdout).toContain('rc=1');
    expect(r.stdout).toContain('same');
    expect(r.stdout).not.toContain('.tmp');
  }, 30000);
});

describe('hostile folders and links', () => {
  it('never writes through a planted symlink at the temporary file\'s name', async () => {
    expect((await tsnet(['--dry-run', 'neigh', 'show'])).exitCode).toBe(0);
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    // The shell's pid is node's after exec: the old name state.json.tmp-PID is predictable.
    const r = await execa('sh', ['-c', `ln -s "${victim}" "${state}.tmp-$$"; exec node bin/run.js --state "${state}" ${add('10.0.0.80').join(' ')}`], { reject: false, env });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(state).isFile()).toBe(true);
  });

  it('never follows a symlinked lock', async () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, `${state}.lock`);
    const r = await tsnet(add('10.0.0.81'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/state\.json\.lock is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(existsSync(state)).toBe(false);
  });

  it('refuses a folder that others can write to, unless it is sticky and the file is the caller\'s', async () => {
    chmodSync(dir, 0o777);
    const r = await tsnet(add('10.0.0.82'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/can be written by other users/);
    expect(existsSync(state)).toBe(false);
    chmodSync(dir, 0o1777);
    expect((await tsnet(add('10.0.0.82'))).exitCode).toBe(0);
  });

  it.skipIf(!root)('in a sticky shared folder, refuses a state file another user owns', async () => {
    expect((await tsnet(['--dry-run', 'neigh', 'show'])).exitCode).toBe(0);
    chmodSync(dir, 0o1777);
    chownSync(state, 65534, 65534);
    const r = await tsnet(['--dry-run', 'neigh', 'show']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/owned by another user/);
  });
});

describe('wrong-shaped state files', () => {
  const shapes: [string, (w: Record<string, unknown>) => unknown][] = [
    ['neighbours is a number', (w) => ({ ...w, hosts: (w.hosts as object[]).map((h) => ({ ...h, neighbours: 42 })) })],
    ['links is missing', (w) => ({ ...w, hosts: (w.hosts as object[]).map((h) => ({ ...h, links: undefined })) })],
    ['the clock is not a number', (w) => ({ ...w, now: 'soon' })],
    ['the format is not one tsnet wrote', (w) => ({ ...w, version: 0 })],
    ['a link\'s index is text', (w) => ({ ...w, hosts: (w.hosts as { links: object[] }[]).map((h) => ({ ...h, links: h.links.map((l) => ({ ...l, index: 'x' })) })) })],
  ];
  for (const [what, bend] of shapes) {
    it(`${what}: one clear error naming the file, for reads and writes, and the file is left as it is`, async () => {
      expect((await tsnet(['--dry-run', 'neigh', 'show'])).exitCode).toBe(0);
      writeFileSync(state, JSON.stringify(bend(JSON.parse(readFileSync(state, 'utf8')) as Record<string, unknown>)));
      const before = readFileSync(state, 'utf8');
      for (const args of [['--dry-run', 'neigh', 'show'], add('10.0.0.83')]) {
        const r = await tsnet(args);
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`^tsnet: the model's state ${state.replace(/[.]/g, '\\.')} is not a tsnet state file \\(.+\\); it was left as it is`));
        expect(r.stderr).not.toMatch(/undefined|is not a function/);
      }
      expect(readFileSync(state, 'utf8')).toBe(before);
    });
  }
});

describe('a failed command changes no file', () => {
  it('the first run failing does not create the file; a later failing one leaves it byte for byte', async () => {
    expect((await tsnet(['--dry-run', 'neigh', 'add', '10.0.0.1', 'lladdr', '02:00:00:00:09:09', 'dev', 'eth0'])).exitCode).toBe(2);
    expect(existsSync(state)).toBe(false);
    expect((await tsnet(['sim', 'send', '10.0.0.3'])).exitCode).toBe(0);
    const before = readFileSync(state, 'utf8');
    for (const args of [['--dry-run', 'neigh', 'add', '10.0.0.1', 'lladdr', '02:00:00:00:09:09', 'dev', 'eth0'],
      ['--dry-run', 'link', 'set', 'eth9', 'up'], ['--dry-run', 'addr', 'add', '10.0.0.2/24', 'dev', 'eth0'], ['sim', 'advance', 'soon']]) {
      expect((await tsnet(args)).exitCode).not.toBe(0);
      expect(readFileSync(state, 'utf8')).toBe(before);
    }
    expect(leftovers()).toEqual([]);
  }, 30000);

  it('a refusal after which the kernel keeps its change is kept too: neigh_add leaves a NONE entry', async () => {
    const r = await tsnet(['--dry-run', 'neigh', 'add', '10.0.0.63', 'dev', 'eth0', 'nud', 'stale']);
    expect(r).toMatchObject({ exitCode: 2, stderr: 'Error: No link layer address given.' });
    expect((await tsnet(['--dry-run', 'neigh', 'show', '10.0.0.63', 'nud', 'all'])).stdout).toBe('10.0.0.63 dev eth0 ');
  }, 30000);
});

describe('folders a run cannot write', () => {
  it.skipIf(!root)('a read-only state folder: neigh show works; a change is refused with the reason', async () => {
    expect((await tsnet(['--dry-run', 'neigh', 'show'])).exitCode).toBe(0);
    chmodSync(dir, 0o755);
    const nobody = (args: string[]) => execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', 'bin/run.js', '--state', state, ...args], { reject: false, env });
    const show = await nobody(['--dry-run', 'neigh', 'show']);
    expect(show).toMatchObject({ exitCode: 0, stdout: '10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 REACHABLE ', stderr: '' });
    const r = await nobody(add('10.0.0.84'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^tsnet: cannot save the model's state .*: .*(Permission denied|read-only)/);
  });

  it('an unusable HOME: a clear message that says what to do, not a raw mkdir error', async () => {
    const noHome = { HOME: '/dev/null', XDG_STATE_HOME: '', TSNET_STATE: '' };
    const run = (args: string[]) => execa('node', ['bin/run.js', ...args], { reject: false, env: { ...env, ...noHome } });
    expect((await run(['--dry-run', 'neigh', 'show'])).exitCode).toBe(0);
    const r = await run(add('10.0.0.85'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^tsnet: cannot save the model's state \/dev\/null\/\.local\/state\/tsnet\/state\.json: .*--state FILE/);
    expect(r.stderr).not.toMatch(/^EACCES|ENOTDIR:/);
  });
});

// The shared folder of a sticky test is the test's own: make sure no leftovers cross tests.
it('leaves nothing in a fresh folder but the state and its lock', async () => {
  mkdirSync(join(dir, 'sub'));
  state = join(dir, 'sub', 'state.json');
  expect((await tsnet(add('10.0.0.86'))).exitCode).toBe(0);
  expect(readdirSync(join(dir, 'sub')).sort()).toEqual(['state.json', 'state.json.lock']);
});
