// tsnet link against live `ip link` (iproute2 6.1) on the same kernel state:
// stdout, stderr and exit status must be the same bytes, in every listing
// mode and filter. State made by ip is read by tsnet (the listings), and state
// made by tsnet is read by ip (twin namespaces: tsnet changes one, ip the
// other, and the two are compared through ip). Errors and exit codes too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_LINKS, NO_DAD, Netns, QUIET_IPV6, asTsnet, canRunKernelTests, destroyAll, populate, quiesce, run, same, setup, withTwins,
} from './harness.js';

const root = canRunKernelTests();


/** The shared fixture's links, and what the link tests set on them besides. */
const MORE = [
  'ip link set veth2 up', 'ip link set mv0 group 5',
  'ip link set veth3 mtu 1400 txqueuelen 50', 'ip link set veth3 arp off multicast off',
  'ip link set veth2 type bridge_slave cost 7 priority 3',
];
/** No router solicitations, RAs or DAD: IPv6 says little once a link is up. */
const QUIET = [...QUIET_IPV6, NO_DAD];

/** The fixture's links (no addresses), DAD off, with MORE. */
function populateLinks(ns: Netns): void {
  populate(ns, { sysctls: [NO_DAD], addresses: false, more: MORE });
}

/** Links as ip lists them, with details, text and JSON (bridge timers blanked: they tick when a bridge is up). */
function linkState(ns: Netns): string {
  return [ns.ip('-d link').stdout, ns.ip('-j -d link').stdout, ns.ip('-br addr').stdout].join('\n')
    .replace(/(_timer)\s+[\d.]+/g, '$1 N').replace(/(_timer)":[\d.]+/g, '$1":N');
}

/**
 * Compares the state of two namespaces through ip. Operational state follows
 * carrier through linkwatch, which may lag a command by up to a second: a
 * difference is looked at again for a few seconds before it counts.
 */
function expectSameState(a: Netns, b: Netns): void {
  let [x, y] = [linkState(a), linkState(b)];
  for (let k = 0; k < 8 && x !== y; k++) {
    run('sleep', ['0.5']);
    [x, y] = [linkState(a), linkState(b)];
  }
  expect(x).toBe(y);
}


describe.runIf(root)('tsnet link show reads what ip made', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('linkshow');
    populateLinks(ns);
    quiesce(ns);
  });
  afterAll(destroyAll);

  const FILTERS = ['', 'dev veth0', 'veth2', 'dev lo', 'dev br0', 'dev mv0', 'dev veth3', 'up', 'master br0', 'nomaster',
    'type veth', 'type bridge', 'type bridge_slave', 'type macvlan', 'group 5', 'group default', 'group 0', 'dev veth1 up',
    'up type veth', 'master br0 type bridge_slave'];
  const MODES = ['', '-s', '-s -s', '-d', '-br', '-o', '-j', '-j -p', '-j -d', '-j -s'];
  const SHOW = MODES.flatMap((m) => FILTERS.map((f) => `${m} link show ${f}`.trim().replace(/\s+/g, ' ')));
  const MORE = [
    'link', 'l', 'link sh', 'l sh', 'li show lo', 'link list', 'link lst', 'link ls dev veth0', 'l sh dev veth2',
    '-d l sh lo', '--json l sh lo', '-json -pretty l sh lo', '-p l sh lo', '-j -p -d link show dev veth2',
    '-j -p -d link show dev br0', '-j -p -d link show dev mv0', '-j -p -s -s link show dev veth0', '-j -s -s link',
    '-d -o link', '-o -s link show dev veth0', '-d -s link show dev veth1', '-br -d link', '-br -s link',
    '-s -s -h link show dev veth0', '-h -s link', '-iec -s link show dev veth1', '-4 link', '-6 link', '-0 link',
    '-f link link show dev veth0', '-N link show dev veth0', '-r link show dev veth0', '-c=always link', '-c=always -br link',
    '-c=always -d link show dev br0', '-c=never link', '-t link show dev lo', '-stats -details link show dev veth3',
    'link show dev veth0 dev veth0', 'link show group 5 up', '-j link show type vlan', '-j -p link show type dummy',
    'link show type vlan', '-br link show type bond',
  ];
  it.each([...SHOW, ...MORE])('%s', (c) => {
    const { t, i } = same(ns, c);
    expect(t).toEqual(i);
  });

  it('l s dev lo is set, not show: a silent no-op for both', () => {
    const { t, i } = same(ns, 'l s dev lo');
    expect(i).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(t).toEqual(i);
  });
});

/** tsnet in A, ip in B: same output, same links afterwards (read through ip). */
function changeCase(c: string): void {
  withTwins('linkch', populateLinks, (a, b) => {
    const t = a.tsnet(c), i = b.ip(c);
    expect(t).toEqual(asTsnet(i));
    expectSameState(a, b);
  });
}

describe.runIf(root)('link set: tsnet changes what ip changes', () => {
  afterAll(destroyAll);

  const SET = [
    'link set veth0 down', 'link set dev veth0 down', 'link set veth3 up', 'link set dev veth3 up', 'l s dev veth3 up', 'l s veth0 down',
    'link set dev br0 up', 'link set mv0 up', 'link set veth1 down', 'link set dev veth0 down up', 'link set veth0 up down',
    'link change dev veth0 down', 'link set veth0 name vx', 'link set dev veth2 name port0', 'link set veth0 name veth0',
    'link set veth0 address 02:00:00:00:00:99', 'link set veth0 addr 02:00:00:00:00:98', 'link set dev br0 address 02:00:00:00:00:bb',
    'link set veth0 broadcast ff:ff:ff:ff:ff:fe', 'link set veth0 brd 02:ff:ff:ff:ff:ff',
    'link set veth0 mtu 1400', 'link set veth0 mtu 68', 'link set veth0 mtu 65535', 'link set dev br0 mtu 1400', 'link set veth2 mtu 9000',
    'link set veth0 txqueuelen 50', 'link set veth0 txqlen 0', 'link set veth0 qlen 7', 'link set veth0 txq 9',
    'link set veth0 master br0', 'link set dev veth3 master br0', 'link set veth2 nomaster', 'link set veth0 master br0 up',
    'link set veth2 master br0', 'link set veth0 nomaster', 'link set mv0 master br0',
    'link set veth0 arp off', 'link set veth3 arp on', 'link set veth0 multicast off', 'link set veth3 multicast on',
    'link set veth0 allmulticast on', 'link set veth0 allmulticast off', 'link set veth0 promisc on', 'link set veth2 promisc off',
    'link set veth0 arp off multicast off allmulticast on promisc on', 'link set veth0 dynamic on', 'link set veth0 trailers on',
    'link set veth0 alias hello', 'link set veth0 alias other', 'link set veth1 alias x', 'link set veth0 group 7',
    'link set veth1 group default', 'link set veth0 group 4294967295',
    'link set veth0 mtu 1400 txqlen 5 address 02:00:00:00:00:77 name foo up', 'link set dev veth0 mtu 1400 mtu 1300',
    'link set veth2 type bridge_slave cost 5 hairpin on priority 7', 'link set veth2 type bridge_slave learning off flood off',
    'link set br0 type bridge stp_state 1 priority 4096', 'link set br0 type bridge forward_delay 400 ageing_time 1000',
    'link set br0 type bridge vlan_filtering 1', 'link set mv0 type macvlan mode private', 'link set veth0 type veth',
    'link set veth0 mode dormant', 'link set veth0 state dormant', 'link set veth0 addrgenmode none', 'link set veth0 carrier off',
    'link set dev lo down', 'link set dev lo mtu 1500',
  ];
  it.each(SET)('%s', (c) => changeCase(c));

  it('link set DEV netns NAME: the link leaves, arrives, reads the same everywhere', () => {
    const [a, b] = [Netns.create('linknsa'), Netns.create('linknsa')];
    for (const ns of [a, b]) populateLinks(ns);
    const [ta, tb] = [Netns.create('linknst'), Netns.create('linknst')];
    for (const ns of [ta, tb]) setup(ns, QUIET);
    const t = a.tsnet(`link set veth3 netns ${ta.name}`), i = b.ip(`link set veth3 netns ${tb.name}`);
    expect(i).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(t).toEqual(i);
    // The link's other end is named by its namespace, which differs between the twins.
    const named = (ns: Netns, other: Netns) => linkState(ns).replaceAll(other.name, 'OTHER');
    expect(named(a, ta)).toBe(named(b, tb));
    expect(named(ta, a)).toBe(named(tb, b));
    expect(tb.ip('-br link show dev veth3').code).toBe(0);
    for (const ns of [a, ta]) {
      for (const c of ['link', '-d link', '-j -d link', '-br link']) {
        const { t: tt, i: ii } = same(ns, c);
        expect(tt).toEqual(ii);
      }
    }
    // And back, by tsnet in the target.
    expect(ta.tsnet(`link set dev veth3 netns ${a.name}`)).toEqual(tb.ip(`link set dev veth3 netns ${b.name}`));
    expectSameState(a, b);
    expectSameState(ta, tb);
  });
});

describe.runIf(root)('link add and delete: tsnet makes what ip makes', () => {
  afterAll(destroyAll);

  const ADD = [
    'link add v5 address 02:00:00:00:05:01 type veth peer name v6 address 02:00:00:00:05:02',
    'link add name v5 address 02:00:00:00:05:01 type veth peer name v6 address 02:00:00:00:05:02',
    'link add dev v5 address 02:00:00:00:05:01 type veth peer v6 address 02:00:00:00:05:02',
    'link add v5 address 02:00:00:00:05:01 mtu 1400 txqlen 7 type veth peer name v6 address 02:00:00:00:05:02 mtu 1300',
    'link add v5 address 02:00:00:00:05:01 up type veth peer name v6 address 02:00:00:00:05:02',
    'link add v5 address 02:00:00:00:05:01 group 5 alias a5 type veth peer name v6 address 02:00:00:00:05:02 group 6',
    'link add v5 address 02:00:00:00:05:01 master br0 type veth peer name v6 address 02:00:00:00:05:02',
    'link add br1 address 02:00:00:00:00:b1 type bridge',
    'link add name br1 address 02:00:00:00:00:b1 mtu 1400 type bridge',
    'link add br1 address 02:00:00:00:00:b1 type bridge forward_delay 500 vlan_filtering 1 stp_state 1 priority 100',
    'link add br1 address 02:00:00:00:00:b1 type bridge ageing_time 1000 hello_time 300 max_age 2500 mcast_snooping 0',
    'link add mv1 link veth0 address 02:00:00:00:00:45 type macvlan mode bridge',
    'link add mv1 link veth0 address 02:00:00:00:00:45 type macvlan mode private',
    'link add mv1 link veth0 address 02:00:00:00:00:45 type macvlan mode vepa',
    'link add mv1 link veth0 address 02:00:00:00:00:45 type macvlan',
    'link add link veth3 name mv1 address 02:00:00:00:00:45 mtu 1300 type macvlan mode bridge',
    'link add dummy0 type dummy', 'link add dummy0 address 02:00:00:00:00:d0 type dummy',
    'link add link veth0 name veth0.10 type vlan id 10', 'link add link veth0 name veth0.10 type vlan id 10 protocol 802.1ad',
    'link add bond0 type bond', 'link add bond0 type bond mode active-backup miimon 100',
    'link add bond0 type bond mode 802.3ad lacp_rate fast xmit_hash_policy layer3+4',
    'link delete veth0', 'link del veth0', 'link del dev veth2', 'link delete dev veth3', 'link del br0', 'link delete mv0',
    'link del veth1', 'link del veth0 type veth', 'link del br0 type bridge', 'l d veth0', 'link del dev mv0 type macvlan',
  ];
  it.each(ADD)('%s', (c) => changeCase(c));
});

describe.runIf(root)('link errors are ip\'s', () => {
  afterAll(destroyAll);

  const ERRORS = [
    'link set nosuchdev up', 'link set dev nosuchdev up', 'link show nosuchdev', 'link show dev nosuchdev', '-j link show dev nosuchdev',
    'link del nosuchdev', 'link delete dev nosuchdev', 'link show master nosuchdev', 'link show master veth0', 'link show vrf nosuchdev',
    'link set veth0 address zz:00:00:00:00:01', 'link set veth0 address 02:00:00:00:01', 'link set veth0 address 02:00:00:00:00:01:02',
    'link set veth0 address 01:00:00:00:00:01', 'link set veth0 address', 'link set veth0 broadcast zz',
    'link set veth0 mtu abc', 'link set veth0 mtu 10', 'link set veth0 mtu 70000', 'link set veth0 mtu -1', 'link set veth0 mtu',
    'link set veth0 mtu 0', 'link set br0 mtu 67', 'link set veth0 txqlen x', 'link set veth0 txqueuelen -1',
    'link set veth0 name veth1', 'link set veth0 name a/b', 'link set veth0 name abcdefghijklmnopq', 'link set veth0 name', 'link set veth0 name lo',
    'link set veth0 master nosuchdev', 'link set veth0 master veth1', 'link set veth0 master mv0', 'link set br0 master br0',
    'link set veth0 master bond0', 'link set veth0 master', 'link set veth0 netns nosuchns', 'link set veth0 netns',
    'link set veth0 arp maybe', 'link set veth0 promisc', 'link set veth0 multicast 1', 'link set veth0 group bogus',
    'link set veth0 alias', 'link set veth0 bogus', 'link set veth0 up bogus', 'link set', 'link s', 'link set dev', 'link change',
    'link bogus', 'link help', 'link add help', 'link set help', 'link show help', 'link show type', 'link show group bogus',
    'link show dev veth0 dev veth1', 'link show up bogus',
    'link add veth0 type veth peer name vq', 'link add v5 address 02:00:00:00:05:01 type veth peer name veth0',
    'link add br0 type bridge', 'link add foo0', 'link add', 'link add foo0 type nosuchkind', 'link add foo0 type',
    'link add name a1 dev a2 type veth', 'link add v5 address zz type veth', 'link add v5 mtu abc type veth',
    'link add mv1 link nosuch type macvlan', 'link add mv1 link veth0 type macvlan mode nope', 'link add mv1 type macvlan',
    'link add br1 type bridge stp_state x', 'link add br1 type bridge bogus 1', 'link add bond0 type bond mode foo',
    'link add bond0 type bond miimon x', 'link add link veth0 name veth0.10 type vlan', 'link add link veth0 name veth0.10 type vlan id x',
    'link add v5 type veth peer name v6 peer name v7', 'link add abcdefghijklmnopq type bridge',
    'link del', 'link del veth0 veth1', 'link set veth2 type bridge_slave cost x', 'link set br0 type bridge priority x',
    'link set veth0 type bridge_slave cost 5', 'link set veth0 type nosuchkind',
  ];
  it.each(ERRORS)('%s', (c) => changeCase(c));
});

describe.runIf(root)('state made by tsnet, read by ip and by tsnet', () => {
  afterAll(destroyAll);

  it('the whole fixture, through tsnet in A and ip in B, is the same state', () => {
    const [a, b] = [Netns.create('linkmk'), Netns.create('linkmk')];
    for (const ns of [a, b]) setup(ns, QUIET);
    // The fixture's own lines, as ip commands without the "ip ".
    const steps = [...FIXTURE_LINKS, ...MORE].map((l) => l.slice(3)).concat('link set veth0 promisc on allmulticast on');
    for (const s of steps) {
      const t = a.tsnet(s), i = b.ip(s);
      expect({ s, ...t }).toEqual({ s, ...i });
    }
    expectSameState(a, b);
    quiesce(a);
    // tsnet reads back its own work as ip reads it.
    for (const c of ['link', '-d link', '-j -d link', '-br link', '-o link', 'link show master br0', '-d link show type macvlan']) {
      const { t, i } = same(a, c);
      expect(t).toEqual(i);
    }
  });
});
