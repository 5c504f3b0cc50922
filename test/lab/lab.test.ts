// The lab's own check: boots it once and looks at what the bond tests rely on.
// Costs a boot (~10 s), so it runs only when asked: TSNET_LAB_SELFTEST=1, as root, outside
// the lab (npm run test:lab and npm run test:all set it); elsewhere vitest reports it skipped.
import { describe, expect, it } from 'vitest';
import { inLab, runInLab } from './lab.js';

const wanted = process.env.TSNET_LAB_SELFTEST === '1' && !inLab && process.getuid?.() === 0;

describe.skipIf(!wanted)('VM lab', () => {
  it('runs a command with the host root, the modules and the exit code', () => {
    const r = runInLab('ip -o link | grep -c . ; test -d /sys/module/bonding && test -d /sys/module/dummy && test -d /sys/module/veth && test -d /sys/module/8021q && echo mods; pwd; node -e "process.stdout.write(process.env.TSNET_LAB)"; echo; echo oops >&2; exit 7');
    expect(r.stdout).toBe(`1\nmods\n${process.cwd()}\n1\n`);
    expect(r.stderr).toBe('oops\n');
    expect(r.code).toBe(7);
  }, 300_000);
});
