// The reliability campaign of issue 17 at its small size (seconds): fuzzed
// command lines (model, and the kernel in a namespace as root), fuzzed frames
// and attribute blobs, concurrent writers, arping RTTs. `node
// scripts/reliability.mjs --full` runs it at the campaign's size.
import { execa } from 'execa';
import { expect, it } from 'vitest';

it('the small campaign counts no defect', async () => {
  const r = await execa('node', ['scripts/reliability.mjs', '--json'], { reject: false });
  const report = JSON.parse(r.stdout) as { defects: number };
  expect(report).toMatchObject({ defects: 0 });
  expect(r.exitCode).toBe(0);
}, 180000);
