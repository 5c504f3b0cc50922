#!/usr/bin/env node
// `npm run test:all`: every part of the test suite in one run, ending with one
// line that totals them all: `N passed, N failed, N skipped`, alone on the
// last line. The parts: the machine's test packages, the build, the type check,
// the lint, the host's tests (unit and kernel), the VM lab's self-test and the
// lab's tests. A part that is not a test runner (build, tsc, eslint, set-up)
// counts as one check: passed or failed. Exits 1 when anything failed.
import { spawn } from 'node:child_process';

const node = process.execPath;
const vitest = ['node_modules/vitest/vitest.mjs', 'run'];
const env = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };

/** The parts, in order. `tests: true` means vitest's summary is read for counts. */
const parts = [
  { name: 'test machine set-up', cmd: ['bash', 'scripts/setup-test-machine.sh'] },
  { name: 'build', cmd: [node, 'scripts/build.mjs'] },
  { name: 'type check (tsc --noEmit)', cmd: [node, 'node_modules/typescript/bin/tsc', '--noEmit'] },
  { name: 'lint (eslint)', cmd: [node, 'node_modules/eslint/bin/eslint.js', '.'] },
  { name: 'host tests (unit and kernel)', cmd: [node, ...vitest], tests: true },
  { name: 'lab set-up', cmd: [node, 'test/lab/lab.mjs', 'setup'] },
  { name: 'lab self-test', cmd: [node, ...vitest, 'test/lab/lab.test.ts'], tests: true, env: { TSNET_LAB_SELFTEST: '1' } },
  // The lab's files run in one boot; under TCG they take 12-15 minutes on a quiet machine and over 15
  // on a loaded one (bond-model alone took 11.5), so the VM gets 45 minutes, not lab.mjs's default 15.
  { name: 'lab tests (in the VM)', cmd: [node, 'test/lab/lab.mjs', 'run', '--time', '--timeout', '2700', '--', node, ...vitest, 'test/lab'], tests: true },
];

/** Runs argv with its output passed through; resolves to [exit code, stdout+stderr text]. */
function runPart(argv, extraEnv) {
  return new Promise((resolve) => {
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...extraEnv } });
    let text = '';
    p.stdout.on('data', (b) => { process.stdout.write(b); text += b; });
    p.stderr.on('data', (b) => { process.stderr.write(b); text += b; });
    p.on('error', (e) => { text += String(e); resolve([127, text]); });
    p.on('close', (code, signal) => resolve([code ?? (signal ? 128 : 1), text]));
  });
}

/** Vitest's closing "Tests  2 failed | 30 passed | 1 skipped (33)" line, as counts. */
function vitestCounts(text) {
  // The lab's vitest colours its output (the VM gets no FORCE_COLOR): read it without the escapes.
  const lines = text.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => /^\s*Tests\s+\d/.test(l));
  if (!lines.length) return undefined;
  const last = lines[lines.length - 1];
  const n = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(last)?.[1] ?? 0);
  return { passed: n('passed'), failed: n('failed'), skipped: n('skipped') + n('todo') };
}

const total = { passed: 0, failed: 0, skipped: 0 };
const summary = [];
for (const part of parts) {
  const [code, text] = await runPart(part.cmd, part.env);
  const counts = part.tests ? vitestCounts(text) : undefined;
  if (counts) {
    // A runner that exits non-zero with no failed test (a crash, a failed file import) is one failure more.
    if (code !== 0 && counts.failed === 0) counts.failed = 1;
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    summary.push(`${part.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  } else if (code === 0) {
    total.passed++;
    summary.push(`${part.name}: passed`);
  } else {
    total.failed++;
    summary.push(`${part.name}: failed (exit ${code})`);
  }
}
process.stdout.write(`\n${summary.join('\n')}\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exit(total.failed ? 1 : 0);
