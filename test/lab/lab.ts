// Lets any test run something in the VM lab (a real Debian kernel with bonding,
// dummy, veth and 8021q; see test/lab/README.md). One boot per call (~10 s), so
// batch work into one command. Inside the lab, TSNET_LAB=1 is set: a test file
// meant to run there checks `inLab` and skips itself elsewhere.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

// Tests run from the repository root (as the kernel tests' harness assumes).
const driver = path.join(process.cwd(), 'test/lab/lab.mjs');

export const inLab = process.env.TSNET_LAB === '1';

export interface LabResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Boots the lab and runs cmd there (a string for sh -c, or argv) in the same cwd. */
export function runInLab(cmd: string | string[], opts: { cwd?: string; timeoutS?: number } = {}): LabResult {
  const argv = typeof cmd === 'string' ? [cmd] : cmd.length === 1 ? ['sh', '-c', 'exec "$0"', cmd[0]] : cmd;
  const r = spawnSync(process.execPath, [driver, 'run', '--timeout', String(opts.timeoutS ?? 900), '--', ...argv], {
    cwd: opts.cwd ?? process.cwd(),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? 125 };
}

/** Vitest run of the given files inside the lab (node, not npx: npx costs ~15 s under TCG). */
export function vitestInLabArgv(files: string[]): string[] {
  return [process.execPath, 'node_modules/vitest/vitest.mjs', 'run', ...files];
}
