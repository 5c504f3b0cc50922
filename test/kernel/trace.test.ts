// --trace without --dry-run: the running kernel's requests and answers,
// decoded on stderr by the same describer as the model's; stdout and the
// exit status stay exactly what they are without it.
import { afterAll, describe, expect, it } from 'vitest';
import { Netns, canRunKernelTests, destroyAll } from './harness.js';

const root = canRunKernelTests();

describe.runIf(root)('--trace on the kernel', () => {
  afterAll(destroyAll);

  it('decodes each request and answer on stderr; stdout and exit status unchanged', () => {
    const a = Netns.create('trace');
    const b = Netns.create('trace');
    const cmds = [
      'addr add 10.9.0.1/24 dev lo', 'addr add 10.9.0.1/24 dev lo', 'link add br0 address 02:00:00:00:00:b0 type bridge', 'link set br0 mtu 1400',
      'neigh add 10.9.0.7 lladdr 02:00:00:00:00:07 dev br0', 'neigh add 10.9.0.7 lladdr 02:00:00:00:00:07 dev br0',
      'neigh show', 'addr show dev lo', '-j link show br0', 'link del br0',
    ];
    for (const c of cmds) {
      const plain = a.tsnet(c);
      const traced = b.tsnet(`--trace ${c}`);
      expect({ c, stdout: traced.stdout, code: traced.code }).toEqual({ c, stdout: plain.stdout, code: plain.code });
      const lines = traced.stderr.split('\n').filter((l) => l.startsWith('kernel: '));
      expect(lines.some((l) => /^kernel: netlink request: RTM_[A-Z]+ NLM_F_REQUEST/.test(l))).toBe(true);
      expect(lines.some((l) => l.startsWith('kernel: netlink answer: '))).toBe(true);
      // Level 1 never shows a request as bytes.
      expect(lines.filter((l) => l.includes('bytes: '))).toEqual([]);
      // What is left of stderr is what the command itself says.
      expect(traced.stderr.split('\n').filter((l) => l && !l.startsWith('kernel: ')).join('\n')).toBe(plain.stderr.trimEnd());
    }
    const refused = b.tsnet('--trace addr add 10.9.0.1/24 dev lo').stderr;
    expect(refused).toContain('kernel: netlink request: RTM_NEWADDR NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL ifaddrmsg { ifa_family AF_INET ifa_prefixlen 24');
    expect(refused).toContain('kernel: netlink answer: NLMSG_ERROR error -17 EEXIST NLMSGERR_ATTR_MSG "ipv4: Address already assigned"');
    const two = b.tsnet('--trace=2 link add br1 type bridge').stderr;
    expect(two).toMatch(/^kernel: netlink request bytes: [0-9a-f]{8}( [0-9a-f]{8})+$/m);
    expect(two).toContain('IFLA_LINKINFO { IFLA_INFO_KIND "bridge" }');
  });
});
