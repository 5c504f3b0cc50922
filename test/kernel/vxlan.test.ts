// The vxlan link kind (src/ip/kinds/vxlan.ts) against live ip 6.1 on the same
// kernel: links made by ip read by tsnet (text, -d, -j, -d -j), links made by
// tsnet and by ip in twin namespaces compared through ip, and ip's messages and
// exit codes for bad words. The proof that a new kind is one file in the front.
import { afterAll, describe, expect, it } from 'vitest';
import { Netns, asTsnet, canRunKernelTests, destroyAll, same, setup, withTwins } from './harness.js';

const root = canRunKernelTests();

/** An underlay: a veth pair with an address (for `dev` and `local`). */
function underlay(ns: Netns): void {
  setup(ns, [
    'ip link add d0 address 02:00:00:00:0d:00 type veth peer name d1 address 02:00:00:00:0d:01',
    'ip addr add 10.0.0.1/24 dev d0', 'ip link set d0 up', 'ip link set d1 up',
  ]);
}

/** The words after `type vxlan`, each made with a fixed MAC (vxlan's own is random). */
const MADE = [
  'id 42 dstport 4789',
  'vni 7 dstport 4789 local 10.0.0.1 remote 10.0.0.2 ttl 64 tos 10 nolearning ageing 100 srcport 1000 2000 noudpcsum',
  'id 5 dstport 4789 group 239.1.1.1 dev d0 ttl inherit tos inherit',
  'id 6 dstport 4789 remote 2001:db8::1 local 2001:db8::2 ttl 0 maxaddress 10 flowlabel 0x123 df set',
  'id 1 dstport 8472 tos CS1 df inherit ageing none proxy rsc l2miss l3miss udp6zerocsumtx udp6zerocsumrx',
  'id 1 dstport 1 remcsumtx remcsumrx gbp',
  'external dstport 4789',
  'gpe external',
  'id 9',
  'id 1 dstport 0 srcport 0 0 learning',
];

const SHOW = ['link show vx0', '-d link show vx0', '-j link show vx0', '-j -d link show vx0', '-d -j -p link show vx0',
  '-br link show vx0', '-d -o link show vx0', '-d link show type vxlan', '-d link'];

describe.runIf(root)('tsnet reads the vxlan links ip made', () => {
  afterAll(destroyAll);

  it.each(MADE)('type vxlan %s', (args) => {
    const ns = Netns.create('vxshow');
    try {
      underlay(ns);
      const made = ns.ip(`link add vx0 address 02:00:00:00:0a:01 type vxlan ${args}`);
      expect(made.code).toBe(0);
      for (const c of SHOW) {
        const { t, i } = same(ns, c);
        expect({ c, ...t }).toEqual({ c, ...i });
      }
    } finally {
      ns.destroy();
    }
  });
});

/** Links as ip lists them, with details, text and JSON. */
const linkState = (ns: Netns) => [ns.ip('-d link').stdout, ns.ip('-j -d link').stdout].join('\n');

/** tsnet in A, ip in B: the same stdout, stderr and status, and the same links afterwards. */
function twinCase(c: string, prepare: (ns: Netns) => void = underlay): void {
  withTwins('vx', prepare, (a, b) => {
    const t = a.tsnet(c), i = asTsnet(b.ip(c));
    expect({ c, ...t }).toEqual({ c, ...i });
    expect(linkState(a)).toBe(linkState(b));
  });
}

describe.runIf(root)('tsnet makes the vxlan links ip makes', () => {
  afterAll(destroyAll);

  it.each(MADE)('link add vx0 ... type vxlan %s', (args) => twinCase(`link add vx0 address 02:00:00:00:0a:01 type vxlan ${args}`));

  it.each([
    '-4 link add vx0 address 02:00:00:00:0a:01 type vxlan id 1 dstport 1',
    '-6 link add vx0 address 02:00:00:00:0a:01 type vxlan id 1 dstport 1',
    'link add vx0 address 02:00:00:00:0a:01 type vxlan id 1',
    'link add vx0 type vxlan',
  ])('%s', (c) => twinCase(c));

  const withVx = (ns: Netns) => {
    underlay(ns);
    setup(ns, ['ip link add vx0 address 02:00:00:00:0a:01 type vxlan id 9 dstport 4789']);
  };
  it.each([
    'link set vx0 type vxlan ttl 5', 'link set vx0 type vxlan nolearning', 'link set vx0 type vxlan remote 10.1.1.1',
    'link set vx0 type vxlan id 10', 'link set vx0 type vxlan ageing 20 udpcsum', 'link del vx0 type vxlan id 9',
    'link replace vx0 type vxlan id 9',
  ])('%s', (c) => twinCase(c, withVx));
});

describe.runIf(root)('vxlan errors and help are ip\'s', () => {
  afterAll(destroyAll);

  it.each([
    'dstport 4789', 'id 3 dstport abc', 'id 3 dstport 70000', 'id 16777216 dstport 1', 'id x', 'external id 3 dstport 4789',
    'vnifilter id 1', 'id 1 dstport 1 remote 239.1.1.1', 'id 1 dstport 1 group 10.0.0.3', 'id 1 dstport 1 group 239.1.1.1',
    'id 1 dstport 1 remote 10.0.0.3 group 239.1.1.1', 'id 1 dstport 1 local 239.1.1.1', 'id 1 dstport 1 local 0.0.0.0', 'id 1 dstport 1 remote 10.0.0.2 local any', 'id 1 dstport 1 local any',
    'id 1 dstport 1 remote 0.0.0.0 group 239.1.1.1',
    'id 1 dstport 1 local ::1 remote 10.1.1.1', 'id 1 dstport 1 remote 10.0.0.2 local 2001:db8::1', 'id 1 dstport 1 remote x',
    'id 1 dstport 1 id 2', 'id 1 dstport 1 learning learning', 'id 1 dstport 1 dev nosuch', 'id 1 dstport 1 bogus',
    'id 1 dstport 1 help', 'help', 'id 1 dstport 1 ttl 300', 'id 1 dstport 1 ttl x', 'id 1 dstport 1 tos 1000',
    'id 1 dstport 1 df maybe', 'id 1 dstport 1 flowlabel 0x100000', 'id 1 dstport 1 ageing x', 'id 1 dstport 1 srcport 5',
    'id 1 dstport 1 srcport 5 x', 'id 1 dstport', 'id',
  ])('link add vx0 type vxlan %s', (args) => twinCase(`link add vx0 address 02:00:00:00:0a:01 type vxlan ${args}`));

  it.each(['link help vxlan', 'link add type vxlan help', 'link help'])('%s', (c) => {
    const ns = Netns.create('vxhelp');
    try {
      const t = ns.tsnet(c), i = asTsnet(ns.ip(c));
      expect(t).toEqual(i);
    } finally {
      ns.destroy();
    }
  });
});
