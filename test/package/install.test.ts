// The package as people install it: `npm pack`, then `npm install -g` of the
// tarball into a prefix of our own (not the source tree), then the installed
// `tsnet` runs, finds its bundle and its native module, and its man pages are
// where man looks for them; npm warns about nothing of tsnet's own.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = process.cwd();
const dir = mkdtempSync(join(tmpdir(), 'tsnet-pack-'));
const prefix = join(dir, 'prefix');

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env }, timeout: 300_000 });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.status ?? -1 };
}

describe('npm pack and a global install from the tarball', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs and runs from the tarball', () => {
    const before = readFileSync(join(REPO, 'package.json'), 'utf8');
    const pack = sh('npm', ['pack', '--pack-destination', dir, '--silent']);
    expect(pack.code).toBe(0);
    // The checkout's manifest is as it was (prepack set it aside, postpack put it back).
    expect(readFileSync(join(REPO, 'package.json'), 'utf8')).toBe(before);
    expect(existsSync(join(REPO, '.package.json.unpacked'))).toBe(false);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tgz).toBeDefined();
    // Only what the package needs: no sources, no tests.
    const list = sh('tar', ['-tzf', join(dir, tgz!)]).stdout.split('\n');
    expect(list).toContain('package/dist/tsnet.cjs');
    expect(list).toContain('package/bin/tsnet');
    // The Bun-compiled executable ships where the build made one (Linux x64, glibc).
    const exe = existsSync(join(REPO, 'dist', 'tsnet-linux-x64'));
    expect(list.includes('package/dist/tsnet-linux-x64')).toBe(exe);
    expect(list).toContain('package/man/tsnet-addr.8');
    expect(list.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/') || f.startsWith('package/scripts/'))).toBe(false);
    // The packed manifest has no scripts: each of them runs files that are not packed (a `prepare` would be
    // listed among npm's install-script warnings). Runtime dependencies only.
    const manifest = JSON.parse(sh('tar', ['-xzOf', join(dir, tgz!), 'package/package.json']).stdout);
    expect(manifest.scripts).toBeUndefined();
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@oclif/core', 'koffi']);
    expect(manifest.private).toBe(true);

    const inst = sh('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', join(dir, tgz!)], { cwd: dir });
    expect(inst.code).toBe(0);
    // npm says nothing about tsnet itself (koffi's own install script may be listed: that one is koffi's).
    const warnings = `${inst.stdout}\n${inst.stderr}`.split('\n').filter((l) => /^npm (warn|WARN|error|ERR)/.test(l));
    expect(warnings.filter((l) => /tsnet/.test(l))).toEqual([]);
    expect(warnings.filter((l) => /\S+@\d/.test(l) && !/\bkoffi@/.test(l))).toEqual([]);
    const tsnet = join(prefix, 'bin', 'tsnet');
    // Run from elsewhere, with a fresh model state: nothing comes from the checkout.
    const env = { XDG_STATE_HOME: join(dir, 'state') };
    expect(sh(tsnet, ['-V'], { cwd: dir, env }).stdout).toMatch(/^tsnet utility, /);
    // The installed command runs the executable, without node.
    if (exe) expect(sh(tsnet, ['--dry-run', 'neigh', 'show'], { cwd: dir, env: { ...env, PATH: '/nonexistent' } }).code).toBe(0);
    // The Node bundle is installed too, and the build's V8 code cache fits it (start-up without compiling).
    expect(list.some((f) => /^package\/dist\/v8cache-[0-9a-f]+\.bin$/.test(f))).toBe(true);
    expect(sh(tsnet, ['-V'], { cwd: dir, env: { ...env, TSNET_NODE: '1', TSNET_V8CACHE_SAY: '1' } }).stderr).toBe('v8 cache: used\n');
    expect(sh(tsnet, ['--dry-run', 'neigh', 'show'], { cwd: dir, env: { ...env, TSNET_NODE: '1' } }).stdout).toBe('10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 REACHABLE \n');
    expect(sh(tsnet, ['--dry-run', 'neigh', 'show'], { cwd: dir, env })).toEqual({ stdout: '10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 REACHABLE \n', stderr: '', code: 0 });
    expect(sh(tsnet, ['--dry-run', '-br', 'addr'], { cwd: dir, env }).stdout).toContain('10.0.0.2/24');
    // oclif's command classes (TSNET_OCLIF=1) from the installed tree, with global options before and after the object.
    for (const args of [['--dry-run', 'neigh', 'show'], ['-j', '--dry-run', 'neigh', 'show'], ['--dry-run', '-n', 'gw', 'neigh', 'show'],
      ['neigh', 'show', '-j', '--dry-run'], ['--dry-run', '-s', 'link', 'show', 'dev', 'eth0'], ['--dry-run', 'sim', 'show']]) {
      const fast = sh(tsnet, args, { cwd: dir, env });
      expect(fast.code).toBe(0);
      expect(sh(tsnet, args, { cwd: dir, env: { ...env, TSNET_OCLIF: '1' } })).toEqual(fast);
    }
    expect(sh(tsnet, ['completion', 'bash'], { cwd: dir }).stdout).toContain('complete');
    // Both open a netlink socket from the installed tree (koffi's native module for node).
    if (process.getuid?.() === 0) {
      expect(sh(tsnet, ['link', 'show', 'dev', 'lo'], { cwd: dir }).stdout).toMatch(/^1: lo: /);
      expect(sh(tsnet, ['link', 'show', 'dev', 'lo'], { cwd: dir, env: { TSNET_NODE: '1' } }).stdout).toMatch(/^1: lo: /);
    }

    for (const page of ['tsnet', 'tsnet-neigh', 'tsnet-addr', 'tsnet-link', 'tsnet-arping', 'tsnet-bond', 'tsnet-sim']) {
      expect(existsSync(join(prefix, 'share', 'man', 'man8', `${page}.8`))).toBe(true);
    }
    // Where man-db is installed, `man tsnet` finds the page through the prefix.
    if (sh('sh', ['-c', 'command -v man']).code === 0) {
      const found = sh('man', ['-w', 'tsnet'], { env: { MANPATH: join(prefix, 'share', 'man') } }).stdout.trim();
      // share/man/man8/tsnet.8 is npm's link to the page inside the installed package.
      expect(found.startsWith(prefix) && found.endsWith('/tsnet.8')).toBe(true);
    }
  }, 600_000);
});
