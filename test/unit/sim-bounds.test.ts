// `tsnet sim` work is bounded: an absurd time or count is refused at once
// with a clear error instead of running until killed (issue 17, item 6).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
let state: string;
const tsnet = (args: string[]) =>
  execa('node', ['bin/run.js', '--state', state, ...args], { reject: false, timeout: 15000, env: { TSNET_FORBID_KERNEL: '1' } });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsnet-bounds-'));
  state = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('bounded sim work', () => {
  it('refuses an advance beyond a week, and keeps the state as it was', async () => {
    expect((await tsnet(['sim', 'advance', '1s'])).exitCode).toBe(0);
    const before = readFileSync(state, 'utf8');
    for (const t of ['99999999999999999999h', '169h', '1e400ms']) {
      const r = await tsnet(['sim', 'advance', t]);
      expect(r.timedOut).toBe(false);
      expect(r.exitCode).toBe(255);
      expect(r.stderr.split('\n')[0]).toMatch(/^sim: advance needs a time (such as 30s, 5m or 250ms|of at most 168h)/);
    }
    expect(readFileSync(state, 'utf8')).toBe(before);
    expect(await tsnet(['sim', 'advance', '168h'])).toMatchObject({ exitCode: 0, stdout: 'virtual time 604801.001s' });
  }, 60000);

  it('refuses a send count beyond 10000, or one that would run past a week, before sending anything', async () => {
    for (const args of [['count', '99999999999'], ['count', '-3'], ['count', '2.5'], ['count', '5000', 'interval', '1h'], ['interval', 'soon']]) {
      const r = await tsnet(['sim', 'send', '10.0.0.3', ...args]);
      expect(r.timedOut).toBe(false);
      expect(r.exitCode).toBe(255);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')[0]).toMatch(/^sim: send (count needs a whole number from 1 to 10000|would run past 168h|interval needs a time)/);
    }
    expect((await tsnet(['sim', 'send', '10.0.0.3', 'count', '3', 'interval', '10ms'])).stdout.split('\n')).toHaveLength(3);
  }, 60000);
});
