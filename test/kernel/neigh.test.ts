// tsnet neigh against live `ip neigh` on the same kernel state: stdout,
// stderr and exit status must be the same bytes, in every output mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, canRunKernelTests, destroyAll, ipTextAsTsnet, run, same, setup, TSNET } from './harness.js';

const root = canRunKernelTests();

/** The state of ../shared/reference/iproute2/setup.sh, plus a second device and protocols. */
function populate(ns: Netns): void {
  for (const l of [
    'ip link add veth0 type veth peer name veth1',
    'ip link set veth0 address 02:00:00:00:00:01',
    'ip link set veth1 address 02:00:00:00:00:02',
    'ip link set veth0 up',
    'ip link set veth1 up',
    'ip neigh add 192.0.2.10 lladdr 02:aa:bb:cc:dd:01 dev veth0 nud permanent',
    'ip neigh add 192.0.2.11 lladdr 02:aa:bb:cc:dd:02 dev veth0 nud stale',
    'ip neigh add 192.0.2.12 lladdr 02:aa:bb:cc:dd:03 dev veth0 nud reachable',
    'ip neigh add 192.0.2.13 lladdr 02:aa:bb:cc:dd:04 dev veth0 nud noarp',
    'ip neigh add 192.0.2.14 dev veth0 nud incomplete',
    'ip neigh add 192.0.2.15 lladdr 02:aa:bb:cc:dd:05 dev veth0 nud delay',
    'ip neigh add 192.0.2.16 lladdr 02:aa:bb:cc:dd:06 dev veth0 nud probe',
    'ip neigh add 192.0.2.17 lladdr 02:aa:bb:cc:dd:07 dev veth0 nud failed',
    'ip neigh add 192.0.2.18 dev veth0 nud none',
    'ip neigh add 192.0.2.19 lladdr 02:aa:bb:cc:dd:09 dev veth0 router',
    'ip neigh add 192.0.2.20 lladdr 02:aa:bb:cc:dd:0a dev veth0 extern_learn',
    'ip neigh add 192.0.2.21 lladdr 02:aa:bb:cc:dd:0b dev veth0 protocol zebra',
    'ip neigh add 192.0.2.22 lladdr 02:aa:bb:cc:dd:0c dev veth0 protocol 77',
    'ip neigh add 192.0.2.23 dev veth0 managed',
    'ip neigh add proxy 192.0.2.99 dev veth0',
    'ip neigh add 2001:db8::10 lladdr 02:aa:bb:cc:dd:10 dev veth0 router nud reachable',
    'ip neigh add 2001:db8::11 lladdr 02:aa:bb:cc:dd:11 dev veth0 nud stale',
    'ip neigh add 198.51.100.1 lladdr 02:aa:bb:cc:dd:21 dev veth1 nud permanent',
    'ip neigh add 198.51.100.2 lladdr 02:aa:bb:cc:dd:22 dev veth1 nud stale',
  ]) ns.sh(l);
}

describe.runIf(root)('tsnet neigh reads what ip reads', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('neigh');
    populate(ns);
  });
  afterAll(destroyAll);

  const commands = [
    'neigh', 'neigh show', 'neigh list', 'neigh lst', 'neighbour ls', 'neighbor show', 'n s', 'n l', 'ne sh', 'n',
    'neigh show nud all', 'neigh show nud none', 'neigh show nud noarp', 'neigh show nud permanent',
    'neigh show nud perm', 'neigh show nud reach', 'neigh show nud stale nud failed', 'neigh show nud incomplete',
    'neigh show nud 4', 'neigh show nud 0x80', 'neigh show proxy', 'neigh show dev veth0', 'neigh show dev veth1',
    'neigh show dev veth0 nud permanent', 'neigh show to 192.0.2.0/28', 'neigh show 192.0.2.10',
    'neigh show to 2001:db8::/32', 'neigh show to 198.51.100.0/255.255.255.0', 'neigh show to default',
    'neigh show unused', 'neigh show nomaster', 'neigh show protocol zebra', 'neigh show protocol 77',
    'neigh show protocol all', 'neigh show proto zebra', 'neigh show to 10/8',
    '-4 neigh', '-6 neigh', '-f inet neigh', '-family inet6 neigh', '-0 neigh',
    '-s neigh', '-s -s neigh', '-stats neigh show nud all', '-br neigh', '-brief neigh show dev veth0',
    '-o neigh', '-j neigh', '-json neigh show nud all', '-j -p neigh', '-j -p neigh show dev veth0 nud permanent',
    '-j -s neigh', '-j -br neigh', '-j neigh show proxy', '-j -p neigh show nud none', '-N neigh show protocol all',
    '-c=always neigh', '-c -br neigh', '-color=never neigh', '-t neigh', '-d neigh', '-r neigh', '-h neigh',
    'neigh get 192.0.2.10 dev veth0', 'neigh get 2001:db8::10 dev veth0', 'neigh get proxy 192.0.2.99 dev veth0',
    'neigh get to 192.0.2.11 dev veth0', '-s neigh get 192.0.2.10 dev veth0',
  ];
  for (const c of commands) {
    it(c, () => {
      const { t, i } = same(ns, c);
      expect(t).toEqual(i);
    });
  }

  it('empty listings: text and JSON', () => {
    for (const c of ['neigh show dev lo', '-j neigh show dev lo', '-j -p neigh show dev lo']) {
      const { t, i } = same(ns, c);
      expect(t).toEqual(i);
    }
    expect(ns.tsnet('-j -p neigh show dev lo').stdout).toBe('[ ]\n');
  });

  it('takes global options after the object too (tsnet extension)', () => {
    for (const c of ['neigh show dev veth1 -j -s', 'neigh -j -s show dev veth1']) {
      const { t, i } = same(ns, c, 3, '-j -s neigh show dev veth1');
      expect(t).toEqual(i);
    }
  });

  it('prints JSON for -j neigh get (ip 6.1 prints text there)', () => {
    const r = ns.tsnet('-j neigh get 192.0.2.10 dev veth0');
    expect(r.code).toBe(0);
    const listed = JSON.parse(ns.ip('-j neigh show 192.0.2.10').stdout);
    expect(JSON.parse(r.stdout)).toEqual(listed);
  });
});

describe.runIf(root)('tsnet neigh errors are ip\'s', () => {
  // Twin namespaces made alike: a case that changes state changes both the same way.
  let a: Netns, b: Netns;
  beforeAll(() => {
    [a, b] = [Netns.create('neigherr'), Netns.create('neigherr')];
    for (const ns of [a, b]) {
      ns.sh('ip link add veth0 type veth peer name veth1');
      ns.sh('ip link set veth0 up');
      ns.sh('ip neigh add 192.0.2.10 lladdr 02:aa:bb:cc:dd:01 dev veth0');
    }
  });
  afterAll(destroyAll);

  const cases = [
    'neigh add 192.0.2.50 lladdr 02:aa:bb:cc:dd:50 dev nosuchdev',
    'neigh show dev nosuchdev',
    'neigh get 192.0.2.10 dev nosuchdev',
    'neigh add 192.0.2.50 lladdr zz:bb:cc:dd:ee:ff dev veth0',
    'neigh add 192.0.2.50 lladdr 1ff:aa:bb:cc:dd:ee dev veth0',
    'neigh add 192.0.2.50 lladdr 02:aa dev veth0',
    'neigh add 192.0.2.10 lladdr 02:aa:bb:cc:dd:01 dev veth0',
    'neigh add 192.0.2.10 lladdr 02:aa:bb:cc:dd:99 dev veth0',
    'neigh change 192.0.2.77 lladdr 02:aa:bb:cc:dd:01 dev veth0',
    'neigh del 192.0.2.77 dev veth0',
    'neigh del 192.0.2.77',
    'neigh add 192.0.2.300 lladdr 02:aa:bb:cc:dd:01 dev veth0',
    'neigh add foo lladdr 02:aa:bb:cc:dd:01 dev veth0',
    'neigh add 192.0.2.51 lladdr 02:aa:bb:cc:dd:01 dev veth0 nud bogus',
    'neigh add 192.0.2.51 lladdr 02:aa:bb:cc:dd:01 dev veth0 nud 3',
    'neigh add 192.0.2.51 lladdr 02:aa:bb:cc:dd:01 dev veth0 bogus',
    'neigh add 192.0.2.51 lladdr 02:aa:bb:cc:dd:01 lladdr 02:aa:bb:cc:dd:02 dev veth0',
    'neigh add 192.0.2.51 dev veth0 protocol nosuchproto',
    'neigh add dev veth0',
    'neigh add 192.0.2.51 lladdr',
    'neigh add 192.0.2.53 lladdr null dev veth0',
    'neigh add any dev veth0',
    'neigh get 192.0.2.222 dev veth0',
    'neigh get 192.0.2.10',
    'neigh get 192.0.2.10 192.0.2.11 dev veth0',
    'neigh flush',
    'neigh bogus',
    'neigh dev veth0',
    'neigh show nud bogus',
    'neigh show to bogus',
    'neigh show to 192.0.2.0/33',
    'neigh show dev veth0 dev veth1',
    'neigh show master nosuchdev',
    'neigh show vrf nosuchdev',
    'neigh show protocol bogus',
    'neigh help',
    'neigh add help',
    'neigh show help',
    '-4 neigh add 2001:db8::98 lladdr 02:aa:bb:cc:dd:01 dev veth0',
    '-6 neigh show to 192.0.2.0/24',
    '-0 neigh show to 192.0.2.0/24',
    'bogus',
    '-x neigh',
    '--bogus neigh',
    '-f bogus neigh',
  ];
  for (const c of cases) {
    it(c, () => {
      const t = a.tsnet(c);
      const i = b.ip(c);
      expect(t).toEqual({ stdout: ipTextAsTsnet(i.stdout), stderr: ipTextAsTsnet(i.stderr), code: i.code });
    });
  }

  // tsnet's object list differs from ip's; the rest of the usage text and the status are ip's.
  for (const c of ['help', '-help', '-batch', '-family', '-h']) {
    it(`${c} prints the usage, status 255`, () => {
      const t = a.tsnet(c);
      const i = b.ip(c);
      expect(t.code).toBe(i.code);
      expect(t.stdout).toBe(i.stdout);
      if (c !== '-h') {
        expect(t.stderr.split('\n').slice(0, 2)).toEqual(ipTextAsTsnet(i.stderr).split('\n').slice(0, 2));
        // The OPTIONS block, but for its last line where tsnet adds --dry-run and friends.
        const options = (u: string) => u.slice(u.indexOf('       OPTIONS :=')).split('\n').slice(0, -2);
        expect(options(t.stderr)).toEqual(options(i.stderr));
      }
    });
  }
});

describe.runIf(root)('what tsnet writes, ip reads back', () => {
  let a: Netns, b: Netns;
  const setup = (ns: Netns) => {
    ns.sh('ip link add veth0 type veth peer name veth1');
    ns.sh('ip link set veth0 up');
    ns.sh('ip link set veth1 up');
  };
  beforeAll(() => {
    a = Netns.create('neighw');
    b = Netns.create('neighw');
    setup(a);
    setup(b);
  });
  afterAll(destroyAll);

  /**
   * The same change made by tsnet in A and by ip in B leaves the same table.
   * Dump order differs between namespaces (per-table hash seed), and the
   * kernel's own ff02:: entries come and go with IPv6 autoconfiguration.
   */
  const table = (ns: Netns) => [ns.ip('neigh show nud all').stdout, ns.ip('neigh show proxy').stdout]
    .join('').split('\n').filter((l) => l && !l.startsWith('ff02::')).sort();
  const steps = [
    'neigh add 10.0.0.3 lladdr 0:0:0:0:0:1 dev veth0 nud perm',
    'neigh add 10.0.0.4 lladdr 02:00:00:00:00:04 dev veth0 nud stale router',
    'neigh add 10.0.0.5 dev veth0 nud incomplete',
    'neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev veth0 nud noarp protocol bgp',
    'neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev veth1 extern_learn',
    'neigh add 10.0.0.8 lladdr 10.1.2.3 dev veth0',
    'neigh add 10.0.0.9 lladdr 02:aa:bb:cc:dd:ee:ff:11 dev veth0',
    'neigh add 2001:db8::3 lladdr 02:00:00:00:00:03 dev veth0 nud reachable',
    'neigh add proxy 10.0.0.99 dev veth0',
    'neigh replace 10.0.0.3 lladdr 02:00:00:00:00:33 dev veth0',
    'neigh replace 10.0.0.10 lladdr 02:00:00:00:00:10 dev veth0 nud stale',
    'neigh change 10.0.0.4 lladdr 02:00:00:00:00:44 dev veth0',
    'neigh chg 10.0.0.4 dev veth0 nud failed',
    'neigh del 10.0.0.5 dev veth0',
    'neigh delete proxy 10.0.0.99 dev veth0',
    'neigh d 2001:db8::3 dev veth0',
  ];
  for (const s of steps) {
    it(s, () => {
      const t = a.tsnet(s);
      const i = b.ip(s);
      expect(t).toEqual(i);
      expect(table(a)).toEqual(table(b));
    });
  }
});

describe.runIf(root)('flush', () => {
  let ns: Netns;
  // One `ip -batch` makes the 62 entries within milliseconds, so the ages that -s -s prints
  // (whole seconds since made) are those of one moment, however loaded the machine is.
  const fillLines = ['ip neigh flush nud all'];
  for (let i = 1; i <= 60; i++) {
    fillLines.push(`ip neigh replace 10.1.0.${i} lladdr 02:00:00:00:01:${(i % 256).toString(16).padStart(2, '0')} dev veth0 nud ${i % 3 ? 'stale' : 'permanent'}`);
  }
  fillLines.push('ip neigh replace 10.1.1.1 dev veth0 nud failed', 'ip neigh replace 10.1.1.2 lladdr 02:00:00:00:02:02 dev veth1 nud reachable');
  const fill = () => setup(ns, fillLines);
  beforeAll(() => {
    ns = Netns.create('flush');
    // No IPv6 here: its multicast entries would appear between the two runs.
    ns.sh('sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1');
    ns.sh('ip link add veth0 type veth peer name veth1');
    ns.sh('ip link set veth0 up');
    ns.sh('ip link set veth1 up');
  });
  afterAll(destroyAll);

  // Same namespace, same entries made the same way: same dump order for both tools.
  for (const c of ['neigh flush dev veth0', '-s neigh flush dev veth0', '-s -s neigh flush dev veth0',
    '-s neigh flush to 10.1.0.0/26', '-s -s neigh flush nud all', 'neigh flush all', '-s neigh flush dev veth0 nud failed',
    '-s -s -j neigh flush dev veth1', '-s neigh flush to 192.0.2.0/24']) {
    it(c, () => {
      fill();
      const t = ns.tsnet(c);
      const afterT = ns.ip('neigh show nud all').stdout;
      fill();
      const i = ns.ip(c);
      const afterI = ns.ip('neigh show nud all').stdout;
      expect(t).toEqual(i);
      expect(afterT).toEqual(afterI);
    });
  }
});

describe.runIf(root)('without privileges', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('noroot');
    ns.sh('ip link add veth0 type veth peer name veth1');
    ns.sh('ip link set veth0 up');
    ns.sh('ip neigh add 192.0.2.10 lladdr 02:aa:bb:cc:dd:01 dev veth0 nud stale');
  });
  afterAll(destroyAll);

  const nobody = ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups'];
  for (const c of ['neigh show', 'neigh add 192.0.2.11 lladdr 02:aa:bb:cc:dd:02 dev veth0', 'neigh flush dev veth0',
    'neigh del 192.0.2.10 dev veth0', '-s neigh flush all']) {
    it(c, () => {
      const t = ns.exec([...nobody, TSNET, ...c.split(' ')]);
      const i = ns.exec([...nobody, 'ip', ...c.split(' ')]);
      expect(t).toEqual(i);
    });
  }

  it('-n as a user fails as ip does', () => {
    const t = run('setpriv', [...nobody.slice(1), TSNET, '-n', ns.name, 'neigh']);
    const i = run('setpriv', [...nobody.slice(1), 'ip', '-n', ns.name, 'neigh']);
    expect(t).toEqual(i);
  });
});
