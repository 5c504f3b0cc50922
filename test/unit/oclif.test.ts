// TSNET_OCLIF=1 runs each command through oclif's command classes (made from
// the object registry): for every object, and with global options before or
// after it, stdout, stderr and the exit status must be the fast path's.
// Each pair of runs starts from its own copy of the same model state.
import { execa } from 'execa';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OBJECTS, RAW_COMMANDS } from '../../src/ip/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'tsnet-oclif-'));
const seed = join(dir, 'seed.json');
const batch = join(dir, 'batch');
writeFileSync(batch, 'neigh show\naddr show dev eth0\nbogus\nlink show dev lo\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function run(args: string[], oclif: boolean) {
  const state = join(dir, `state-${n++}.json`);
  copyFileSync(seed, state);
  const argv = args.map((a) => (a === 'STATE' ? state : a === 'BATCH' ? batch : a));
  const r = await execa('node', ['bin/run.js', ...argv], {
    reject: false, env: { TSNET_OCLIF: oclif ? '1' : '0', TSNET_STATE: state }, timeout: 20000,
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
}

/** Command lines per registry command: every object, options before and after it, and lines with no object. */
const LINES: Record<string, string[][]> = {
  neigh: [
    ['--dry-run', '--state', 'STATE', 'neigh', 'show'], ['--dry-run', '--state', 'STATE', '-j', 'n', 's'],
    ['--dry-run', '--state', 'STATE', 'neigh', 'show', '-j'], ['--dry-run', '--state', 'STATE', '-n', 'peer3', 'neigh'],
    ['neigh', 'help'], ['--dry-run', '--state', 'STATE', 'neigh', 'add', '10.0.0.9', 'lladdr', '0:0:0:0:0:9', 'dev', 'eth0'],
  ],
  addr: [['--dry-run', '--state', 'STATE', 'addr', 'show'], ['--dry-run', '--state', 'STATE', 'a', '-j', 'show', 'dev', 'eth0'], ['addr', 'bogus']],
  link: [['--dry-run', '--state', 'STATE', '-d', 'link', 'show'], ['--dry-run', '--state', 'STATE', 'link', 'show', 'dev', 'nosuch']],
  bond: [['--dry-run', '--state', 'STATE', 'bond', 'show'], ['bond', 'help']],
  route: [['route', 'help'], ['--dry-run', '--state', 'STATE', 'route', 'show', 'table', 'all'], ['route', 'bogus']],
  arping: [['--dry-run', '--state', 'STATE', 'arping', '-c', '1', '-I', 'eth0', '10.0.0.1'], ['arping', '-V']],
  ntable: [['--dry-run', '--state', 'STATE', 'ntable', 'show', 'dev', 'eth0'], ['ntable', 'help'], ['--dry-run', '--state', 'STATE', '-j', 'ntbl']],
  monitor: [['monitor', 'help'], ['--dry-run', '--state', 'STATE', 'monitor', 'bogus']],
  sim: [['sim', '--state', 'STATE', 'show'], ['--state', 'STATE', 'sim', 'timeline', 'last', '3'], ['sim', 'help']],
  completion: [['completion', 'bash'], ['__complete', '2', 'neigh', 'a'], ['completion', 'fish']],
  help: [['help'], ['--help']],
  netns: [['--dry-run', '--state', 'STATE', 'netns', 'list'], ['netns', 'help'], ['--dry-run', '--state', 'STATE', 'netns', 'exec', 'gw', 'tsnet', '-br', 'link']],
  front: [[], ['-V'], ['bogus'], ['--dry-run', 'rule', 'list'], ['-x', 'neigh'], ['--dry-run', '--state', 'STATE', '-force', '-batch', 'BATCH']],
};

describe('tsnet through oclif', () => {
  it('has a command line here for every command of the registry', () => {
    for (const c of [...OBJECTS, ...RAW_COMMANDS]) expect(Object.keys(LINES)).toContain(c.command);
  });

  it('makes the model state the runs copy', async () => {
    const r = await execa('node', ['bin/run.js', '--dry-run', '--state', seed, 'sim', 'reset'], { reject: false });
    expect(r.exitCode).toBe(0);
  });

  for (const [command, lines] of Object.entries(LINES)) {
    for (const args of lines) {
      it(`${command}: tsnet ${args.join(' ')}`, async () => {
        const [fast, oclif] = [await run(args, false), await run(args, true)];
        expect(oclif).toEqual(fast);
      });
    }
  }
});
