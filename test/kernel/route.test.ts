// tsnet route against live `ip route` (iproute2 6.1) in network namespaces:
// every listing selector in every output mode, `get` with its options, every
// add option and route type, append/prepend/replace/change/del, flush with
// -s and -s -s, the errors and bad input; stdout, stderr, exit codes and,
// after changes, the kernel's route tables (read by ip) must be the same.
// Commands that do not end the process run many to a `-force -batch -` (one
// process per tool per group); a mismatch then reruns the group's commands
// one by one to name the one that differs. `monitor route` is compared too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NO_DAD, Netns, QUIET_IPV6, type Result, TSNET, asTsnet, canRunKernelTests, destroyAll, listen, run, setup, words,
} from './harness.js';

const root = canRunKernelTests();

/** Links with fixed MACs (so twins have the same IPv6 link-local routes); v2 has no carrier (linkdown). */
const LINKS = [
  ...QUIET_IPV6, NO_DAD,
  'ip link add v0 address 02:00:00:00:01:01 type veth peer name v1 address 02:00:00:00:01:02',
  'ip link add v2 address 02:00:00:00:01:03 type veth peer name v3 address 02:00:00:00:01:04',
  'ip link set v0 up', 'ip link set v1 up', 'ip link set v2 up',
  'ip addr add 10.0.0.1/24 dev v0', 'ip addr add 10.0.0.100/24 dev v0', 'ip addr add 192.168.5.1/24 dev v2',
  'ip addr add 2001:db8::1/64 dev v0 nodad', 'ip addr add 2001:db8:2::1/64 dev v2 nodad',
];

/** Routes of every kind the listing prints: gateways, metrics, types, tables, multipath, realms, tos, via inet6. */
const ROUTES = [
  'ip route add 10.1.0.0/16 via 10.0.0.2',
  'ip route add 10.2.0.0/16 dev v0 metric 5 mtu 1400 proto static',
  'ip route add 10.3.0.0/16 via 10.0.0.2 dev v0 src 10.0.0.1 metric 100 advmss 1300 hoplimit 30 window 1000 rtt 100ms rttvar 50ms initcwnd 10 initrwnd 20 ssthresh 5 cwnd 7 reordering 3 features ecn quickack 1 congctl lock reno rto_min 200ms mtu lock 1280',
  'ip route add blackhole 10.9.0.0/16', 'ip route add unreachable 10.10.0.0/16', 'ip route add prohibit 10.11.0.0/16',
  'ip route add throw 10.12.0.0/16',
  'ip route add 10.20.0.0/16 via 10.0.0.2 table 100', 'ip route add default via 10.0.0.254 table 100',
  'ip route add 10.21.0.0/16 dev v0 table 200 proto 99 scope 50', 'ip route add 10.22.0.0/16 dev v0 table 70000',
  'ip route add default via 10.0.0.254 metric 10',
  'ip route add 10.30.0.0/16 nexthop via 10.0.0.2 weight 1 nexthop via 10.0.0.3 weight 3',
  'ip route add 10.40.0.0/24 via 192.168.5.9 dev v2',
  'ip route add 10.50.0.0/16 via 172.16.0.1 dev v0 onlink',
  'ip route add 10.60.0.0/16 tos 0x10 via 10.0.0.2',
  'ip route add 10.70.0.0/16 via 10.0.0.2 realms 3/5', 'ip route add 10.71.0.0/16 via 10.0.0.2 realms 7',
  'ip route add local 10.80.0.1 dev v0',
  'ip route add 10.90.0.0/16 via inet6 fe80::1 dev v0',
  'ip route add 10.91.0.0/16 dev v0 proto kernel scope host',
  'ip route add 10.92.0.0/16 dev v0 proto bird',
  'ip route add 2001:db8:1::/48 via 2001:db8::2', 'ip route add 2001:db8:3::/48 dev v0 metric 10 pref high',
  'ip route add blackhole 2001:db8:9::/48', 'ip route add unreachable 2001:db8:a::/48',
  'ip route add prohibit 2001:db8:b::/48',
  'ip route add default via 2001:db8::fe',
  'ip route add 2001:db8:4::/48 nexthop via 2001:db8::2 nexthop via 2001:db8::3',
  'ip route add 2001:db8:5::/48 via 2001:db8::2 table 100',
  'ip route add 2001:db8:6::/48 dev v0 mtu 1400 hoplimit 10 proto static',
  'ip route add 2001:db8:7::/48 via 2001:db8::2 pref low metric 5',
];

const COMMON = [
  '', 'show', 'list', 'lst', 'sh', 'show table all', 'show table main', 'show table local', 'show table 100',
  'show table 200', 'show table 70000', 'show table 4242', 'show table default', 'show table 0', 'show proto static',
  'show proto kernel', 'show proto boot', 'show proto all', 'show proto 99', 'show protocol bird', 'show scope link',
  'show scope host', 'show scope global', 'show scope all', 'show scope 50', 'show table all scope 50',
  'show type unicast', 'show type blackhole', 'show type unreachable', 'show type prohibit', 'show type local',
  'show type broadcast', 'show type throw', 'show type multicast', 'show table all type local',
  'show table all type broadcast', 'show table all type multicast', 'show dev v0', 'show dev v2', 'show oif v0',
  'show dev lo table all', 'show table local dev lo', 'show metric 5', 'show metric 100', 'show metric 0',
  'show priority 10', 'show preference 1024', 'show table all scope host', 'show cached', 'show cloned',
  'show table cache', 'show default', 'show all', 'show any', 'show to default', 'show exact default',
  'show root default', 'show match default', 'show mark 0', 'show mark 5', 'show table all proto kernel',
  'show iif v0', 'show table 100 dev v0', 'show table all dev v2', 'show table all metric 256', 'show proto 0',
  'show type 6', 'show scope 253',
];

const V4 = [
  'show 10.1.0.0/16', 'show to 10.1.0.0/16', 'show root 10.0.0.0/8', 'show match 10.1.2.3', 'show match 10.30.1.1',
  'show exact 10.2.0.0/16', 'show 10.0.0.0/8', 'show root 10.0.0.0/16', 'show via 10.0.0.2', 'show via 10.0.0.0/24',
  'show via 10.0.0.254', 'show table all via 10.0.0.254', 'show src 10.0.0.1', 'show src 10.0.0.0/24',
  'show via inet6 fe80::1', 'show via inet 10.0.0.2', 'show table all root 10.0.0.0/8', 'show tos 0x10', 'show tos 10',
  'show dsfield 0', 'show realms 3/5', 'show realms 5', 'show realms 7', 'show realms 3/', 'show from 0.0.0.0/0',
  'show from root 0.0.0.0/0', 'show from match 10.0.0.0/8', 'show from exact 0/0', 'show to match 10.3.4.5',
  'show to exact 10.3.0.0/16', 'show to root 10.0.0.0/9', 'show table local 10.0.0.1', 'show table all 10.0.0.255',
  'show table local match 127.0.0.1', 'show 10.3.0.0/16 proto boot', 'show 10', 'show 10.1', 'show 10.0.0.0/255.0.0.0',
  'get 10.1.2.3', 'get 10.0.0.1', 'get 10.0.0.5', 'get 8.8.8.8', 'get 10.9.1.1', 'get 10.10.1.1', 'get 10.11.1.1',
  'get 10.12.1.1', 'get fibmatch 10.1.2.3', 'get fibmatch 10.2.3.4', 'get fibmatch 10.3.3.3', 'get 10.1.2.3 from 10.0.0.1',
  'get 10.0.0.5 oif v0', 'get 10.0.0.5 dev v0', 'get 10.1.2.3 mark 5', 'get 10.1.2.3 uid 1000',
  'get 10.1.2.3 ipproto tcp sport 80 dport 443', 'get 10.1.2.3 ipproto 17 dport 53', 'get 10.1.2.3 tos 0x10',
  'get 127.0.0.1', 'get 10.0.0.255', 'get 10.1.2.3/24', 'get 10.40.0.5', 'get to 10.30.0.1', 'get fibmatch 10.30.0.1',
  'get 10.80.0.1', 'get 10.50.1.1', 'get 10.90.1.1', 'get 10.60.1.1 tos 0x10', 'get 10.70.1.1',
  'get 10.1.2.3 from 10.0.0.9 iif v0', 'get 10.1.2.3 oif v2', 'get 192.168.5.5', 'get fibmatch 8.8.8.8', 'get 0.0.0.0',
  'get 10.1.2.3 connected', 'get 255.255.255.255', 'get 224.0.0.1', 'get 10.3.1.1', 'get 10.21.0.1',
];

const V6 = [
  'show 2001:db8:1::/48', 'show root 2001:db8::/32', 'show match 2001:db8:1::5', 'show via 2001:db8::2',
  'show exact 2001:db8:3::/48', 'show table all 2001:db8::/64', 'show table local ::1', 'show src ::/0',
  'show table all root fe80::/10', 'show match 2001:db8:4::1', 'show via inet6 2001:db8::fe', 'show table 100 ::/0',
  'get 2001:db8:1::5', 'get 2001:db8::1', 'get fibmatch 2001:db8:1::5', 'get 2001:db8:9::1', 'get 2001:db8:a::1',
  'get 2001:db8:b::1', 'get 2001:db8::5 from 2001:db8::1', 'get ::1', 'get 2001:db8:4::1', 'get 2001:db8:3::9',
  'get fibmatch 2001:db8:4::1', 'get 2001:db8:6::1', 'get 2001:db8:7::1', 'get 2001:db8::5 oif v0', 'get fe80::1 oif v0',
  'get 2001:db8:1::5/64', 'get 2001:db8:1::5 mark 3', 'get ff02::1', 'get 2001:db8:2::5',
];

const MODES = ['', '-d', '-s', '-s -s', '-j', '-j -p', '-o', '-4', '-6', '-6 -d', '-N', '-j -d', '-6 -j', '-d -s', '-4 -j -p', '-6 -o', '-d -d'];

/** The selectors a mode runs: IPv4 words are errors under -6 and the reverse; `-s` leaves out gets (lookups change use counters). */
function commandsFor(mode: string): string[] {
  const m = words(mode);
  const list = [...COMMON, ...(m.includes('-6') ? [] : V4), ...(m.includes('-4') ? [] : V6)];
  return list.filter((c) => !(m.includes('-s') && c.startsWith('get'))).map((c) => `route ${c}`);
}

const same = (a: Result, b: Result) => a.stdout === b.stdout && a.stderr === b.stderr && a.code === b.code;

function batch(tool: 'tsnet' | 'ip', ns: Netns, mode: string, lines: string[]): Result {
  const args = ['-n', ns.name, ...words(mode), '-force', '-batch', '-'];
  const r = run(tool === 'tsnet' ? TSNET : 'ip', args, { input: lines.join('\n') + '\n' });
  return tool === 'ip' ? asTsnet(r) : r;
}

/** When a batch differs, the first command whose own run differs (for the failure message). */
function culprit(ns: Netns, mode: string, lines: string[]): string {
  for (const l of lines) {
    const args = [...words(mode), ...words(l)];
    const t = ns.tsnet(args);
    const i = asTsnet(ns.ip(args));
    if (!same(t, i)) return `${mode} ${l}\n--- tsnet (${t.code})\n${t.stdout}${t.stderr}\n--- ip (${i.code})\n${i.stdout}${i.stderr}`;
  }
  return '(each command alone agrees)';
}

/** The first lines where two outputs part, with a little context. */
function firstDifference(a: string, b: string): string {
  const x = a.split('\n'), y = b.split('\n');
  let k = 0;
  while (k < x.length && k < y.length && x[k] === y[k]) k++;
  return `line ${k + 1}\n--- tsnet\n${x.slice(Math.max(0, k - 3), k + 3).join('\n')}\n--- ip\n${y.slice(Math.max(0, k - 3), k + 3).join('\n')}`;
}

function expectSameBatch(ns: Netns, mode: string, lines: string[]): void {
  const t = batch('tsnet', ns, mode, lines);
  const i = batch('ip', ns, mode, lines);
  if (!same(t, i)) {
    const c = culprit(ns, mode, lines);
    expect(c === '(each command alone agrees)' ? `${c}: stdout ${firstDifference(t.stdout, i.stdout)}\nstderr ${firstDifference(t.stderr, i.stderr)}` : c).toBe('');
  }
  expect(t).toEqual(i);
}

describe.skipIf(!root)('tsnet route vs ip route: listings and get', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('route');
    setup(ns, [...LINKS, ...ROUTES]);
  });
  afterAll(() => destroyAll());

  it('the fixture has the routes the cases look for', () => {
    const all = ns.ip('route show table all').stdout;
    for (const w of ['nexthop via 10.0.0.3', 'linkdown', 'realms 3/5', 'tos 0x10', 'via inet6 fe80::1', 'onlink', 'table 70000', 'rtt 100ms']) {
      expect(all).toContain(w);
    }
  });

  it.each(MODES.map((m) => [m || '(none)', commandsFor(m).length, m] as const))(
    'mode %s: %i commands, one batch per tool, same bytes', (_label, _n, mode) => {
      expectSameBatch(ns, mode, commandsFor(mode));
    }, 60000);

  const ERRORS = [
    'route help', 'route bogus', 'route show table bogus', 'route show table help', 'route show proto bogus',
    'route show scope bogus', 'route show type bogus', 'route show dev nosuch', 'route show iif nosuch', 'route show mark x',
    'route show metric x', 'route show 10.1.0.0/99', 'route show bogus', 'route show help', 'route show tos zz',
    'route show realms x', 'route show via', 'route show from', 'route show root', 'route show table', 'route show vrf x',
    'route flush', 'route get', 'route get help', 'route get 10.1.2.3 oif nosuch', 'route get 10.1.2.3 iif nosuch',
    'route get 10.1.2.3 from help', 'route get bogus', 'route get 10.1.2.3 mark x', 'route get 10.1.2.3 uid x',
    'route get 10.1.2.3 sport x', 'route get 10.1.2.3 dport 70000', 'route get 10.1.2.3 ipproto bogus',
    'route get 10.1.2.3 tos zz', 'route get 10.1.2.3 from', 'route get 10.1.2.3 from bogus', '-6 route get 10.1.2.3',
    '-4 route show 2001:db8::/32', '-4 route get 2001:db8::1', 'route get 10.1.2.3 vrf x', 'route add', 'route del',
    'route add via 10.0.0.2', 'route add 10.1.0.0/33', 'route add foo', 'route add 10.1.0.0/16 via 10.0.0.2 via 10.0.0.3',
    'route add 10.1.0.0/16 metric x', 'route add 10.1.0.0/16 scope bogus', 'route add 10.1.0.0/16 table bogus',
    'route add 10.1.0.0/16 proto bogus', 'route add 10.1.0.0/16 mtu x', 'route add 10.1.0.0/16 mtu lock x',
    'route add 10.1.0.0/16 hoplimit 300', 'route add 10.1.0.0/16 features foo', 'route add 10.1.0.0/16 quickack 2',
    'route add 10.1.0.0/16 quickack x', 'route add 10.1.0.0/16 rtt x', 'route add 10.1.0.0/16 rttvar 1x',
    'route add 10.1.0.0/16 rto_min y', 'route add 10.1.0.0/16 pref x', 'route add 10.1.0.0/16 ttl-propagate x',
    'route add 10.1.0.0/16 realms x/y', 'route add 10.1.0.0/16 tos zz', 'route add 10.1.0.0/16 10.2.0.0/16',
    'route add 10.1.0.0/16 via', 'route add 10.1.0.0/16 dev', 'route add 10.1.0.0/16 nexthop',
    'route add 10.1.0.0/16 nexthop via 10.0.0.2 bogus', 'route add 10.1.0.0/16 nexthop via 10.0.0.2 weight 0',
    'route add 10.1.0.0/16 nexthop via 10.0.0.2 dev nosuch', 'route add 10.1.0.0/16 nexthop via bogus',
    'route add help', 'route add blackhole help', 'route add to', 'route add 10.1.0.0/16 dev nosuch',
    'route add 10.1.0.0/16 window -1', 'route add 10.1.0.0/16 advmss x', 'route add 10.1.0.0/16 initcwnd x',
    'route add 10.1.0.0/16 fastopen_no_cookie 3', 'route add 10.1.0.0/16 expires x', 'route add 10.1.0.0/16 nhid x',
    'route add 10.1.0.0/16 src bogus', 'route add 10.1.0.0/16 via bogus', 'route add 10.1.0.0/16 from bogus',
    'route add 10.1.0.0/16 as bogus', '-6 route add 10.1.0.0/16', 'route add 2001:db8::/64 via 10.0.0.2',
    'route del 10.1.0.0/16 via 2001:db8::1', 'route add 10.1.0.0/16 vrf x', 'route add default via 10.0.0.2 metric',
    'route prepend', 'route append', 'route replace', 'route change', 'route test', 'route chg',
  ];
  it.each(ERRORS)('%s: same message and exit code', (cmd) => {
    const t = ns.tsnet(cmd);
    const i = asTsnet(ns.ip(cmd));
    expect(t).toEqual(i);
  });
});

/** Changes: tsnet in one twin, ip in the other, then the kernel's tables (read by ip) must agree. */
const CHANGES: Record<string, string[]> = {
  'add, every option and type': [
    'route add 10.100.0.0/16 via 10.0.0.2', 'route add 10.100.0.0/16 via 10.0.0.2',
    'route add 10.102.0.0/16 dev v0 src 10.0.0.1 proto static scope link metric 50 table 100',
    'route add 10.103.0.0/16 dev v0 mtu lock 1300 advmss 1200 hoplimit 64 window 100 rtt 1s rttvar 500ms rto_min 300ms initcwnd 4 initrwnd 8 ssthresh 20 cwnd 30 reordering 5 features ecn quickack 0 fastopen_no_cookie 1 congctl reno',
    'route add 10.103.1.0/24 dev v0 rtt 2.5 rttvar 7 rto_min 1.5s hoplimit lock 9 advmss lock 1000 window lock 5 cwnd lock 6 initcwnd lock 7 initrwnd lock 8 ssthresh lock 9 reordering lock 4 congctl lock cubic',
    'route add blackhole 10.104.0.0/16', 'route add unreachable 10.104.1.0/24', 'route add prohibit 10.104.2.0/24',
    'route add throw 10.104.3.0/24', 'route add local 10.105.0.1 dev v0', 'route add broadcast 10.106.0.255 dev v0',
    'route add type unicast 10.107.0.0/16 via 10.0.0.2', 'route add unicast 10.107.1.0/24 via 10.0.0.2',
    'route add multicast 224.1.0.0/16 dev v0', 'route add anycast 10.107.2.0/24 dev v0', 'route add nat 10.107.3.0/24 via 10.0.0.2',
    'route add 10.108.0.0/16 via 172.16.9.9 dev v0 onlink', 'route add 10.109.0.0/16 via 172.16.9.9',
    'route add 10.110.0.0/16 nexthop via 10.0.0.2 weight 2 nexthop via 10.0.0.3 dev v0',
    'route add 10.110.1.0/24 nexthop via 10.0.0.2 realms 4 nexthop dev v0 onlink',
    'route add 10.111.0.0/16 via inet6 fe80::1 dev v0', 'route add 10.112.0.0/16 via 10.0.0.2 realms 1/2 tos 8',
    'route add 10.113.0.0/16 dev v0 table 1000', 'route add 10.114.0.0/16 dev v0 proto 200 scope 100',
    'route add default via 10.0.0.254 metric 500', 'route add 10.115.0.0/16 dev nosuch',
    'route add 10.116.0.0/16 via 10.0.0.2 preference 7', 'route add 10.117.0.0/16 via 10.0.0.2 priority 8',
    'route add to 10.118.0.0/16 dev v0', 'route add 10.119.0.0/16 dev v0 table main', 'route add 10.120.0.0/16 dev v0 table local',
    'route add 10.121.0.1 dev v0', 'route add 10.122.0.0/16 via 10.0.0.2 src 10.0.0.100', 'route add 10.123.0.0/16 via 10.0.0.2 src 10.9.9.9',
    'route add 10.124.0.0/16 via 10.0.0.9 dev v2', 'route add 10.125.0.0/16 dev v0 scope host', 'route add 10.126.0.0/16 dev v0 scope global',
    'route add 10.127.0.0/16 dev v0 ttl-propagate enabled', 'route add 10.128.0.0/16 dev v0 nhid 5',
    'route add 10.129.0.0/16 via 10.0.0.2 expires 100', 'route add 10.130.0.0/16 dev v0 pref high',
    'route add 10.131.0.0/16 dev v0 from 10.0.0.0/24', 'route add 10.132.0.0/16 dev v0 as 10.5.5.5',
    'route add 10.133.0.0/16 dev v0 mtu 70000', 'route add 10.134.0.0/16 dev v0 tos 0x04 metric 3',
    'route add 10.134.0.0/16 dev v0 tos 0x04 metric 3',
  ],
  'append, prepend, replace, change, test, del': [
    'route add 10.100.0.0/16 via 10.0.0.2', 'route append 10.100.0.0/16 via 10.0.0.3',
    'route prepend 10.100.0.0/16 via 10.0.0.4', 'route append 10.100.0.0/16 via 10.0.0.3 metric 9',
    'route replace 10.100.0.0/16 via 10.0.0.5 metric 3', 'route change 10.100.0.0/16 via 10.0.0.6 metric 3',
    'route change 10.101.0.0/16 via 10.0.0.6', 'route chg 10.100.0.0/16 via 10.0.0.7', 'route replace 10.140.0.0/16 dev v0',
    'route test 10.141.0.0/16 dev v0', 'route test 10.100.0.0/16 dev v0',
    'route del 10.100.0.0/16 via 10.0.0.5 metric 3', 'route del 10.100.0.0/16', 'route delete 10.100.0.0/16 via 10.0.0.3',
    'route del 10.199.0.0/16', 'route add blackhole 10.150.0.0/16', 'route del blackhole 10.150.0.0/16',
    'route add unreachable 10.151.0.0/16', 'route del 10.151.0.0/16', 'route add 10.152.0.0/16 dev v0 table 100',
    'route del 10.152.0.0/16 table 100', 'route del 10.152.0.0/16 table 100', 'route del default via 10.0.0.254',
    'route add 10.153.0.0/16 dev v0 proto static', 'route del 10.153.0.0/16 proto kernel', 'route del 10.153.0.0/16 proto static',
    'route add 10.154.0.0/16 dev v0 scope link', 'route del 10.154.0.0/16 scope host', 'route d 10.154.0.0/16 dev v2',
    'route del 10.154.0.0/16 dev v0', 'route add local 10.155.0.1 dev v0', 'route del local 10.155.0.1 dev v0',
    'route del 10.0.0.0/24 dev v0', 'route replace 10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1',
    'route del table local 10.0.0.1', 'route add 10.156.0.0/16 via 10.0.0.2 metric 4 mtu 1000', 'route change 10.156.0.0/16 via 10.0.0.2 metric 4 mtu 900',
  ],
  'IPv6 changes': [
    'route add 2001:db8:100::/48 via 2001:db8::2', 'route add 2001:db8:100::/48 via 2001:db8::2',
    'route add 2001:db8:101::/48 dev v0 metric 10 pref low', 'route add unreachable 2001:db8:103::/48',
    'route add blackhole 2001:db8:103:1::/64', 'route add prohibit 2001:db8:103:2::/64', 'route add throw 2001:db8:103:3::/64',
    'route add 2001:db8:104::/48 nexthop via 2001:db8::2 nexthop via 2001:db8::3', 'route append 2001:db8:100::/48 via 2001:db8::3',
    'route prepend 2001:db8:100::/48 via 2001:db8::4', 'route replace 2001:db8:101::/48 via 2001:db8::5 metric 10',
    'route change 2001:db8:101::/48 dev v0 metric 10', 'route add 2001:db8:105::/48 via 2001:db8::2 table 100',
    'route add 2001:db8:106::/48 dev v0 mtu 1400 hoplimit 10 advmss 1200', 'route add 2001:db8:107::/48 dev v0 proto static metric 0',
    'route add local 2001:db8:108::1 dev v0', 'route add 2001:db8:109::/48 via fe80::1 dev v0', 'route add 2001:db8:10a::/48 via fe80::1',
    'route add 2001:db8:10b::/48 dev v0 pref 2', 'route add 2001:db8:10c::/48 via 10.0.0.2', 'route add ::/0 via 2001:db8::fe metric 7',
    'route del 2001:db8:100::/48 via 2001:db8::3', 'route del 2001:db8:100::/48', 'route del 2001:db8:1ff::/48',
    'route del unreachable 2001:db8:103::/48', 'route del 2001:db8:105::/48 table 100', 'route add 2001:db8:10d::/48 dev v0 from 2001:db8::/64',
    'route add 2001:db8:10e::/48 dev v0 scope link', 'route add 2001:db8:10f::/48 dev v0 table 300 proto 77',
  ],
};

const FLUSHES: [string, string][] = [
  ['', 'route flush proto static'], ['-s', 'route flush table 100'], ['-s -s', 'route flush dev v0'],
  ['-s', 'route flush 10.1.0.0/16'], ['-s', 'route flush 10.250.0.0/16'], ['', 'route flush table all type blackhole'],
  ['-s', 'route flush root 10.0.0.0/8 table all'], ['-6 -s', 'route flush proto boot'], ['-6 -s -s', 'route flush table all proto boot'],
  ['-s', 'route flush table cache'], ['-s', 'route flush cached'], ['-6 -s', 'route flush cache'], ['-4 -s', 'route flush table cache'],
  ['-s', 'route flush table 4242'], ['-s', 'route flush via 10.0.0.2'], ['-s', 'route flush table all metric 1024'],
  ['-s -s', 'route flush table main scope link'], ['-s', 'route flush type unreachable'], ['-6 -s', 'route flush table all type local dev v2'],
  ['-s', 'route flush dev v2 table all'], ['', 'route flush default'], ['-s', 'route flush table all'],
];

/** The kernel's route tables as ip prints them (the state both tools must leave behind). */
function tables(ns: Netns): string {
  // Sorted: twins bring their links up in their own time, so equal IPv6 link routes may be listed in either order.
  return ['-d route show table all', '-d -6 route show table all'].map((c) => ns.ip(c).stdout.split('\n').sort().join('\n')).join('\n---\n');
}

describe.skipIf(!root)('tsnet route vs ip route: changes, the kernel tables after them', () => {
  afterAll(() => destroyAll());
  let twins: [Netns, Netns];
  beforeAll(() => {
    twins = [Netns.create('routet'), Netns.create('routei')];
    for (const ns of twins) setup(ns, [...LINKS, ...ROUTES]);
  });

  for (const [name, lines] of Object.entries(CHANGES)) {
    it(`${name}: ${lines.length} commands in one batch per tool, same output, same tables`, () => {
      const [a, b] = twins;
      const mode = name.startsWith('IPv6') ? '-6' : '';
      const t = batch('tsnet', a, mode, lines);
      const i = batch('ip', b, mode, lines);
      expect(t).toEqual(i);
      expect(tables(a)).toBe(tables(b));
    }, 60000);
  }

  it.each(FLUSHES.map(([m, c]) => [`${m} ${c}`.trim(), m, c] as const))('%s: same output, same tables', (_n, mode, cmd) => {
    const [a, b] = twins;
    // Each flush starts from the full fixture again (whatever the earlier cases left).
    for (const ns of twins) {
      ns.ip('link del v0');
      ns.ip('link del v2');
      ns.ip('route flush table all');
      ns.ip('-6 route flush table all');
      setup(ns, [...LINKS, ...ROUTES]);
    }
    const args = [...words(mode), ...words(cmd)];
    const t = a.tsnet(args);
    const i = asTsnet(b.ip(args));
    expect(t).toEqual(i);
    expect(tables(a)).toBe(tables(b));
  }, 30000);
});

describe.skipIf(!root)('tsnet monitor route vs ip monitor route', () => {
  afterAll(() => destroyAll());
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  it.each([['route'], ['-4', 'route'], ['-6', 'route'], ['route', 'dev', 'v0'], ['label', 'route'], ['all']])(
    'monitor %s: same events, same bytes', async (...args) => {
      const ns = Netns.create('rmon');
      setup(ns, LINKS.filter((l) => !l.includes(' addr add ')));
      // IPv6 adds the links' own routes a moment after they come up: let that pass before listening.
      await sleep(1500);
      const opts = args.filter((w) => w.startsWith('-'));
      const rest = args.filter((w) => !w.startsWith('-'));
      const ip = listen('ip', ['-n', ns.name, ...opts, 'monitor', ...rest]);
      const ts = listen(TSNET, ['-n', ns.name, ...opts, 'monitor', ...rest]);
      await sleep(1500);
      setup(ns, [
        'ip addr add 10.0.0.1/24 dev v0', 'ip route add 10.5.0.0/16 via 10.0.0.3 metric 7', 'ip route add blackhole 10.6.0.0/16',
        'ip route add 2001:db8:5::/48 dev v0', 'ip route add 10.7.0.0/16 dev v2 table 100', 'ip route replace 10.5.0.0/16 via 10.0.0.4 metric 7',
        'ip route del 10.5.0.0/16', 'ip route flush table 100', 'ip addr add 2001:db8::1/64 dev v0 nodad', 'ip addr del 10.0.0.1/24 dev v0',
      ]);
      await sleep(1500);
      const [x, y] = await Promise.all([ip.stop(), ts.stop()]);
      if (!args.includes('-6')) expect(x).toContain('10.5.0.0/16');
      expect(y).toBe(x);
    }, 20000);
});
