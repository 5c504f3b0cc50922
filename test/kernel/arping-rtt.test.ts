// arping's round-trip times are never negative (issue 17, item 5): 200 replies
// on a veth pair, each from a full arping run in one process (as the CLI runs
// it), -j numbers and text alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Netns, REPO, canRunKernelTests, destroyAll } from './harness.js';

const root = canRunKernelTests();

/** Runs `tsnet arping ARGS` `times` times in one node process inside `ns`; returns what they printed. */
function arpingRuns(ns: Netns, args: string[], times: number): string {
  const script = `const m = require(${JSON.stringify(join(REPO, 'dist', 'tsnet.cjs'))});
    (async () => { for (let i = 0; i < ${times}; i++) if (await m.main(${JSON.stringify(['arping', ...args])}) !== 0) process.exit(1); })();`;
  const r = ns.exec(['node', '-e', script]);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe.runIf(root)('arping RTTs on a veth pair', () => {
  let a: Netns, b: Netns;
  beforeAll(() => {
    a = Netns.create('rtt');
    b = Netns.create('rtt');
    a.sh(`ip link add va type veth peer name vb netns ${b.name}`);
    a.sh('ip addr add 10.9.1.1/24 dev va');
    b.sh('ip addr add 10.9.1.2/24 dev vb');
    a.sh('ip link set va up');
    b.sh('ip link set vb up');
  });
  afterAll(destroyAll);

  it('-j: 200 replies, none negative', () => {
    const rtts = arpingRuns(a, ['-j', '-c', '1', '-w', '5', '-I', 'va', '10.9.1.2'], 200).trim().split('\n')
      .map((l) => JSON.parse(l) as { rtt_ms?: number }).filter((o) => o.rtt_ms !== undefined).map((o) => o.rtt_ms!);
    expect(rtts).toHaveLength(200);
    expect(rtts.filter((x) => !(x >= 0))).toEqual([]);
  }, 120000);

  it('text: 200 replies, every RTT a plain non-negative figure', () => {
    const lines = arpingRuns(a, ['-c', '1', '-w', '5', '-I', 'va', '10.9.1.2'], 200).split('\n').filter((l) => l.startsWith('Unicast reply'));
    expect(lines).toHaveLength(200);
    expect(lines.filter((l) => !/ \d+\.\d{3}ms$/.test(l))).toEqual([]);
  }, 120000);
});
