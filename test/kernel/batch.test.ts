// -batch FILE|- against `ip -batch` on twin namespaces: comments,
// continuation lines, quotes, failures with and without -force, exit codes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, canRunKernelTests, destroyAll, ipTextAsTsnet, run, TSNET } from './harness.js';

const root = canRunKernelTests();

describe.runIf(root)('-batch', () => {
  let dir: string;
  let n = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsnet-batch-'));
  });
  afterAll(() => {
    destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('batch');
    ns.sh('ip link add veth0 type veth peer name veth1');
    ns.sh('ip link set veth0 up');
  });

  const table = () => ns.ip('neigh show nud all').stdout.split('\n').filter((l) => l && !l.startsWith('ff02::'));
  const reset = () => ns.sh('ip neigh flush nud all');

  /**
   * Runs `text` as a batch file (or on stdin with file '-') with extra
   * options, through tsnet and then ip, from the same empty table in the same
   * namespace, so that dumps list entries in the same order.
   */
  function compare(text: string, opts: string[] = [], viaStdin = false) {
    const file = join(dir, `b${++n}.txt`);
    writeFileSync(file, text);
    const name = viaStdin ? '-' : file;
    const input = viaStdin ? text : undefined;
    reset();
    const t = run(TSNET, ['-n', ns.name, ...opts, '-batch', name], { input });
    const afterT = table();
    reset();
    const i = run('ip', ['-n', ns.name, ...opts, '-batch', name], { input });
    expect(t).toEqual({ stdout: ipTextAsTsnet(i.stdout), stderr: ipTextAsTsnet(i.stderr), code: i.code });
    expect(afterT).toEqual(table());
    return t;
  }

  it('runs every line, with comments, blank lines, continuations and quotes', () => {
    const r = compare([
      '# a comment line',
      '',
      'neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev veth0   # trailing comment',
      'neigh add 10.0.0.2 \\',
      '   lladdr 02:00:00:00:00:02 dev veth0 nud stale',
      'neigh add "10.0.0.3" lladdr \'02:00:00:00:00:03\' dev veth0',
      'neigh show dev veth0',
      '-j neigh show',
      'n s 10.0.0.2',
    ].join('\n') + '\n');
    expect(r.code).toBe(1); // "-j" is not an object: options are not read in batch lines
  });

  it('stops at a failed line unless -force', () => {
    const text = ['neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev veth0', 'neigh show dev nosuch',
      'bogus', 'neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev veth0', ''].join('\n');
    expect(compare(text).code).toBe(1);
    expect(compare(text, ['-force']).code).toBe(1);
  });

  it('ends at once with status 2 on a kernel error in neigh add, even with -force', () => {
    const text = ['neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev veth0', 'neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev veth0',
      'neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev veth0', ''].join('\n');
    expect(compare(text, ['-force']).code).toBe(2);
  });

  it('ends at once with status 255 on a usage error', () => {
    const text = ['neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev veth0 nud bogus', 'neigh add 10.0.0.2 dev veth0', ''].join('\n');
    expect(compare(text, ['-force']).code).toBe(255);
  });

  it('reads standard input for -batch -', () => {
    expect(compare('neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev veth0\nneigh show\nneigh show dev nosuch\n', [], true).code).toBe(1);
    // neigh del of a missing entry is a kernel error: ip exits with 2 at once.
    expect(compare('neigh del 10.0.0.10 dev veth0\nneigh show\n', ['-force'], true).code).toBe(2);
  });

  it('keeps the family of -4/-6 for every line', () => {
    compare('neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev veth0\nneigh show\nneigh add 2001:db8::1 lladdr 02:00:00:00:00:01 dev veth0\n', ['-6']);
  });

  it('handles a line without a final newline and a dangling continuation', () => {
    compare('neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev veth0\nneigh show');
    compare('neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev veth0 \\\n');
  });

  it('reports a missing file as ip does', () => {
    const t = run(TSNET, ['-batch', join(dir, 'nope')]);
    const i = run('ip', ['-batch', join(dir, 'nope')]);
    expect(t).toEqual(i);
  });
});
