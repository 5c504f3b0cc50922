// tsnet monitor against live `ip monitor`: both listen in one namespace while
// the same changes are made (links up/down, addresses, a bridge port, a
// neighbour), then both are stopped and their outputs must be the same bytes.
import { afterAll, describe, expect, it } from 'vitest';
import { Netns, TSNET, canRunKernelTests, destroyAll, listen } from './harness.js';

const root = canRunKernelTests();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


describe.skipIf(!root)('tsnet monitor vs ip monitor', () => {
  afterAll(() => destroyAll());

  const CASES = [['link', 'address', 'neigh'], ['address'], ['link', 'dev', 'v0'], ['label', 'link', 'neigh']];
  it.each(CASES.map((c) => [c.join(' '), c] as const))('monitor %s: same events, same bytes', async (_name, args) => {
    const ns = Netns.create('mon');
    ns.sh('ip link add v0 type veth peer name v1');
    ns.sh('ip link set v0 address 02:00:00:00:00:01');
    ns.sh('ip link set v1 address 02:00:00:00:00:02');
    const ip = listen('ip', ['-n', ns.name, 'monitor', ...args]);
    const ts = listen(TSNET, ['-n', ns.name, 'monitor', ...args]);
    await sleep(1500);
    for (const l of [
      'ip link set v0 up', 'ip addr add 192.0.2.1/24 dev v0', 'ip addr add 192.0.2.2/24 dev v0 label v0:1',
      'ip link set v1 up', 'ip link set v0 mtu 1400', 'ip addr del 192.0.2.1/24 dev v0', 'ip link add br0 type bridge',
      'ip link set v1 master br0', 'ip link del br0', 'ip neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev v0',
      'ip link set v0 down',
    ]) ns.sh(l);
    await sleep(1500);
    const [a, b] = await Promise.all([ip.stop(), ts.stop()]);
    expect(a.split('\n').length).toBeGreaterThan(3);
    expect(b).toBe(a);
  }, 20000);
});
