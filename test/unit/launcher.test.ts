// bin/tsnet, the command users get: the Bun-compiled executable where the
// build made one, else the Node bundle; both give the same bytes. The suites
// call whatever test/tsnet-bin.ts names (bin/tsnet unless TSNET_BIN says).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TSNET } from '../tsnet-bin.js';

const REPO = process.cwd();
const EXE = join(REPO, 'dist', 'tsnet-linux-x64');
const dir = mkdtempSync(join(tmpdir(), 'tsnet-launcher-'));
const state = join(dir, 'state.json');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

/** Where the build can make the executable: Linux x64 with glibc, Bun's package installed. */
function bunInstalled(): boolean {
  try {
    createRequire(join(REPO, 'package.json')).resolve('bun/package.json');
    return process.platform === 'linux' && process.arch === 'x64' && existsSync('/lib64/ld-linux-x86-64.so.2');
  } catch {
    return false;
  }
}

describe('bin/tsnet', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is what the suites run unless TSNET_BIN says otherwise', () => {
    expect(TSNET).toBe(resolve(process.env.TSNET_BIN ?? join(REPO, 'bin', 'tsnet')));
  });

  it('has the executable built wherever Bun is installed', () => {
    expect(existsSync(EXE)).toBe(bunInstalled());
  });

  it.runIf(existsSync(EXE))('runs the executable: no node needed', () => {
    const r = run(join(REPO, 'bin', 'tsnet'), ['--dry-run', '--state', state, 'neigh', 'show'], { PATH: '/nonexistent' });
    expect(r).toEqual({ stdout: '10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 REACHABLE \n', stderr: '', code: 0 });
  });

  it('runs the Node bundle with TSNET_NODE=1, with the same output and exit codes', () => {
    for (const args of [['--dry-run', '--state', state, '-j', 'neigh', 'show'], ['--dry-run', '--state', state, 'addr'], ['bogus'], ['neigh', 'help']]) {
      const fast = run(join(REPO, 'bin', 'tsnet'), args);
      const node = run(join(REPO, 'bin', 'tsnet'), args, { ...process.env, TSNET_NODE: '1' });
      expect(node).toEqual(fast);
    }
  });

  it('finds its package through npm\'s links (node_modules/.bin, a global prefix, any other)', () => {
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    mkdirSync(join(dir, 'prefix', 'bin'), { recursive: true });
    mkdirSync(join(dir, 'prefix', 'lib', 'node_modules'), { recursive: true });
    symlinkSync(REPO, join(dir, 'node_modules', 'tsnet'));
    symlinkSync('../tsnet/bin/tsnet', join(dir, 'node_modules', '.bin', 'tsnet'));
    symlinkSync(REPO, join(dir, 'prefix', 'lib', 'node_modules', 'tsnet'));
    symlinkSync('../lib/node_modules/tsnet/bin/tsnet', join(dir, 'prefix', 'bin', 'tsnet'));
    symlinkSync(join(REPO, 'bin', 'tsnet'), join(dir, 'elsewhere'));
    for (const link of [join(dir, 'node_modules', '.bin', 'tsnet'), join(dir, 'prefix', 'bin', 'tsnet'), join(dir, 'elsewhere')]) {
      expect(run(link, ['-V']).stdout).toMatch(/^tsnet utility, /);
    }
  });
});
