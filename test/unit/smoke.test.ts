// The CLI as a user runs it: no kernel needed for these.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const tsnet = (args: string[]) => execa('node', ['bin/run.js', ...args], { reject: false });

describe('tsnet without a kernel', () => {
  it('prints usage for help, exit 255, like ip', async () => {
    const r = await tsnet(['help']);
    expect(r.exitCode).toBe(255);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: tsnet \[ OPTIONS \] OBJECT \{ COMMAND \| help \}/);
  });

  it('rejects an unknown object with ip\'s message', async () => {
    const r = await tsnet(['bogus']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Object "bogus" is unknown, try "tsnet help".');
  });

  it('rejects an unknown option with ip\'s message', async () => {
    const r = await tsnet(['-x', 'neigh']);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toBe('Option "-x" is unknown, try "tsnet -help".');
  });

  it('prints neigh usage for neigh help', async () => {
    const r = await tsnet(['neigh', 'help']);
    expect(r.exitCode).toBe(255);
    expect(r.stderr.split('\n')[0]).toBe('Usage: tsnet neigh { add | del | change | replace }');
  });

  it('reports a missing namespace as ip does', async () => {
    const r = await tsnet(['-n', 'tsnet-no-such-ns', 'neigh']);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toBe('Cannot open network namespace "tsnet-no-such-ns": No such file or directory');
  });
});
