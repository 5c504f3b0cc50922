// tsnet ntable against live `ip ntable` (iproute2 6.1) on the same kernel
// state: stdout, stderr and exit status must be the same bytes for every
// listing mode and selector, every bad word, and every change; a change made
// by tsnet in one namespace and by ip in its twin must leave the same
// parameters (read back through ip).
//
// The tables themselves are global on this kernel: their thresholds, config
// (entries, hash) and stats count every namespace's entries, and other test
// runs move them at any time. A listing that shows them (-s) must match ip's
// exactly at one of a few tries, else with those counters blanked (its
// layout still compared byte for byte). Changes run inside namespaces, where
// the kernel refuses the table-wide ones (thresh1-3, gc_int, and the default
// parms without a dev: ENOENT outside init_net), so no test here can move
// the global gc thresholds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, type Result, asTsnet, canRunKernelTests, destroyAll, run, same, setup } from './harness.js';

const root = canRunKernelTests();

const LINKS = [
  'sysctl -qw net.ipv6.conf.default.accept_ra=0', 'sysctl -qw net.ipv6.conf.default.router_solicitations=0',
  'ip link add va type veth peer name vb', 'ip link add br0 type bridge', 'ip link set va up',
];

/** The counters of the global tables, blanked (text and JSON). */
const VOLATILE = 'entries|allocs|destroys|hash_grows|res_failed|lookups|hits|rcv_probes_mcast|rcv_probes_ucast|periodic_gc_runs|forced_gc_runs|table_fulls|hash_rnd';
function masked(s: string): string {
  return s
    .replace(new RegExp(`\\b(${VOLATILE}) \\d+`, 'g'), '$1 N')
    .replace(new RegExp(`"(${VOLATILE}|key_length)": ?\\d+`, 'g'), '"$1":N')
    .replace(/hash_mask [0-9a-f]{8}/g, 'hash_mask M').replace(/"hash_mask": ?"[0-9a-fx]+"/g, '"hash_mask":"M"')
    .replace(/last_(flush|rand) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\(error\))/g, 'last_$1 T')
    .replace(/"last_(flush|rand)": ?"[^"]*"/g, '"last_$1":"T"')
    // The table's own (default) reachable_time is redrawn every 300 s.
    .replace(/reachable \d+ base/g, 'reachable R base').replace(/"reachable": ?\d+/g, '"reachable":R');
}

const equal = (a: Result, b: Result) => a.stdout === b.stdout && a.stderr === b.stderr && a.code === b.code;

/** Exact at one of a few tries; for listings with the global counters, else equal with them blanked. */
function expectSame(ns: Netns, cmd: string): void {
  const { t, i } = same(ns, cmd, 3);
  if (equal(t, i)) return;
  expect({ ...t, stdout: masked(t.stdout) }).toEqual({ ...i, stdout: masked(i.stdout) });
}

describe.runIf(root)('tsnet ntable show prints what ip prints', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('ntshow');
    setup(ns, LINKS);
  });
  afterAll(destroyAll);

  const SELECTORS = [
    '', 'dev va', 'dev vb', 'dev lo', 'dev br0', 'dev none', 'name arp_cache', 'name ndisc_cache', 'name nothing',
    'name arp_cache dev va', 'dev vb name ndisc_cache', 'dev none name arp_cache', 'name ndisc_cache dev none',
    'dev va dev vb', 'name arp_cache name ndisc_cache', 'dev if1', 'name ""',
  ];
  const MODES = ['', '-s', '-j', '-j -p', '-o', '-4', '-6', '-s -j', '-s -j -p', '-s -o', '-4 -s', '-6 -j', '-c=always', '-s -s'];
  const cmd = (m: string, verb: string, s: string) => `${m} ntable ${verb} ${s}`.trim().replace(/\s+/g, ' ');
  // Each selector alone in text and JSON, each mode with a few; the whole product runs as one batch per mode below.
  const SHOW = [...['', '-j'].flatMap((m) => SELECTORS.map((s) => cmd(m, 'show', s))),
    ...MODES.filter((m) => m && m !== '-j').flatMap((m) => ['', 'dev va', 'name ndisc_cache', 'dev none'].map((s) => cmd(m, 'show', s)))];
  const SPELLINGS = [
    'ntable', 'ntbl', 'ntable show', 'ntable sh', 'ntable s', 'ntable list', 'ntable lst', 'ntable l', 'ntable ls',
    'ntbl list dev va', 'nt s dev lo', '-f inet ntable', '-f inet6 ntable show', '-family inet ntable show dev va',
    '-j ntbl', '-p -j ntable', '-stat ntable show name arp_cache', '-o -j ntable', '-N ntable', '-d ntable', '-r ntable',
  ];
  it.each([...SHOW, ...SPELLINGS])('%s', (c) => {
    expectSame(ns, c);
  });

  const BAD = [
    'ntable show dev', 'ntable show name', 'ntable show dev nosuch', 'ntable show foo', 'ntable show dev va foo',
    'ntable show nam arp_cache', 'ntable show DEV va', 'ntable show dev ""', 'ntable foo', 'ntable shows', 'ntable c0',
    'ntable help', 'ntable h', 'ntable he', 'ntable help me', 'ntable show help', '-j ntable foo', '-0 ntable', '-M ntable',
    '-B ntable show', '-4 ntable show dev nosuch',
  ];
  it.each(BAD)('error: %s', (c) => {
    expectSame(ns, c);
  });

  it('a batch of every selector in every mode, one process each', () => {
    const lines = SELECTORS.filter((s) => !s.includes('""')).map((s) => `ntable show ${s}`).join('\n') + '\n';
    for (const m of MODES) {
      const opts = m ? m.split(' ') : [];
      let t: Result | undefined, i: Result | undefined;
      for (let k = 0; k < 3; k++) {
        i = asTsnet(ns.ip([...opts, '-batch', '-'], lines));
        t = ns.tsnet([...opts, '-batch', '-'], lines);
        if (equal(t, i)) break;
      }
      expect(t!.stdout.length).toBeGreaterThan(0);
      if (!equal(t!, i!)) expect({ ...t!, stdout: masked(t!.stdout) }).toEqual({ ...i!, stdout: masked(i!.stdout) });
    }
  });

  it('the listing has both tables, each its defaults first, then every device of this namespace', () => {
    const blocks = ns.tsnet('ntable show').stdout.split('\n\n').filter(Boolean);
    const devs = (table: string) => blocks.filter((b) => b.startsWith(table)).map((b) => /dev (\S+)/.exec(b)?.[1] ?? '(defaults)');
    for (const table of ['inet arp_cache', 'inet6 ndisc_cache']) {
      const d = devs(table);
      expect(d[0]).toBe('(defaults)');
      expect(d.slice(1).sort()).toEqual(['br0', 'lo', 'va', 'vb']);
    }
  });
});

describe.runIf(root)('tsnet ntable change does what ip does', () => {
  let a: Netns, b: Netns;
  beforeAll(() => {
    a = Netns.create('ntchg');
    b = Netns.create('ntchg');
    setup(a, LINKS);
    setup(b, LINKS);
  });
  afterAll(destroyAll);

  /** Every per-device parameter: the names ip takes; msec ones are u64, the rest u32. */
  const MSEC = ['base_reachable', 'retrans', 'gc_stale', 'delay_probe', 'anycast_delay', 'proxy_delay', 'locktime'];
  const COUNT = ['queue', 'app_probes', 'ucast_probes', 'mcast_probes', 'proxy_queue'];
  const MSEC_VALUES = ['0', '1', '3', '250', '1001', '30000', '0x10', '010', '-1', '4294967295', '4294967296', '18446744073709551615',
    '18446744073709551616', 'abc', '1.5', '12ms', ''];
  const COUNT_VALUES = ['0', '1', '7', '101', '0x20', '017', '4294967295', '4294967296', '-1', 'x', '3 '];
  const CHANGES: string[] = [
    ...MSEC.flatMap((k) => MSEC_VALUES.map((v) => `ntable change name arp_cache dev va ${k} ${v}`)),
    ...COUNT.flatMap((k) => COUNT_VALUES.map((v) => `ntable change name arp_cache dev vb ${k} ${v}`)),
    ...MSEC.map((k) => `ntable change name ndisc_cache dev va ${k} 2000`),
    ...COUNT.map((k) => `ntable change name ndisc_cache dev lo ${k} 5`),
    // Several at once, in ip's order and another; the same keyword twice (the kernel keeps the last).
    'ntable change name arp_cache dev va base_reachable 5000 retrans 500 gc_stale 20000 delay_probe 2000 queue 9 app_probes 1 ucast_probes 2 mcast_probes 4 anycast_delay 900 proxy_delay 700 proxy_queue 32 locktime 600',
    'ntable change name arp_cache locktime 100 dev vb queue 3',
    'ntable change name arp_cache dev va queue 4 queue 5',
    'ntable change name arp_cache dev va dev vb ucast_probes 6',
    'ntbl chg name arp_cache dev br0 gc_stale 1234',
    'ntable c name ndisc_cache dev br0 retrans 999',
    // Table-wide changes and the default parms: refused outside init_net (ENOENT), parms before the refusal kept.
    'ntable change name arp_cache thresh1 5', 'ntable change name arp_cache thresh2 5', 'ntable change name arp_cache thresh3 5',
    'ntable change name arp_cache gc_int 5', 'ntable change name ndisc_cache thresh1 64 thresh2 128',
    'ntable change name arp_cache queue 5', 'ntable change name ndisc_cache retrans 100',
    'ntable change name arp_cache dev va queue 11 thresh1 100', 'ntable change name arp_cache dev vb gc_int 100 base_reachable 4000',
    'ntable change name arp_cache thresh1 x', 'ntable change name arp_cache thresh1 -1', 'ntable change name arp_cache thresh2 4294967296',
    'ntable change name arp_cache gc_int -1', 'ntable change name arp_cache gc_int 0x', 'ntable change name arp_cache thresh3',
    // Family: -4/-6 pick the table too.
    '-4 ntable change name arp_cache dev va queue 12', '-6 ntable change name arp_cache dev va queue 13',
    '-6 ntable change name ndisc_cache dev va queue 14', '-4 ntable change name ndisc_cache dev va queue 15',
    '-0 ntable change name arp_cache dev va queue 16',
    // Names and devices.
    'ntable change name nosuch dev va queue 1', 'ntable change name ARP_CACHE dev va queue 1', 'ntable change name arp dev va queue 1',
    'ntable change name "" dev va queue 1', 'ntable change name arp_cache dev nosuch queue 1', 'ntable change name arp_cache dev none queue 1',
    'ntable change name arp_cache dev if3 queue 17', 'ntable change name arp_cache dev if99 queue 17',
    // What ip refuses before asking.
    'ntable change', 'ntable change name', 'ntable change name arp_cache', 'ntable change name arp_cache dev va',
    'ntable change dev va queue 3', 'ntable change queue 3', 'ntable change name arp_cache name ndisc_cache queue 3',
    'ntable change name arp_cache dev va queue', 'ntable change name arp_cache dev', 'ntable change name arp_cache foo 3',
    'ntable change name arp_cache dev va qu 3', 'ntable change name arp_cache dev va Queue 3', 'ntable change name arp_cache dev va base_reachable_time 3',
    'ntable change name arp_cache dev va mcast_reprobes 3', 'ntable change name arp_cache dev va help', 'ntable change help',
    'ntable change name arp_cache dev nosuch foo', 'ntable change name arp_cache foo dev nosuch', 'ntable change name arp_cache dev va queue x dev nosuch',
    'ntable chang name arp_cache dev va queue 18', 'ntable ch name arp_cache dev va queue 19', 'ntable chg name arp_cache dev va queue 20',
  ];

  /** What ip reads back from a namespace: every table and device, reachable_time blanked (a fresh random draw). */
  const state = (ns: Netns) => [ns.ip('ntable show').stdout, ns.ip('-j ntable show').stdout].join('\n')
    .replace(/reachable \d+ base/g, 'reachable R base').replace(/"reachable":\d+/g, '"reachable":R');

  it.each(CHANGES)('%s', (c) => {
    const args = c.match(/"[^"]*"|\S+/g)!.map((w) => w.replace(/^"(.*)"$/, '$1'));
    const t = a.tsnet(args);
    const i = asTsnet(b.ip(args));
    expect(t).toEqual(i);
    expect(state(a)).toBe(state(b));
  });

  it('a base_reachable change redraws reachable_time within [base/2, 3 base/2)', () => {
    for (const base of [1000, 4000, 60000]) {
      expect(a.tsnet(`ntable change name arp_cache dev va base_reachable ${base}`).code).toBe(0);
      b.ip(`ntable change name arp_cache dev va base_reachable ${base}`);
      const out = a.ip('-j ntable show dev va name arp_cache').stdout;
      const p = JSON.parse(out)[0];
      expect(p.base_reachable).toBe(base);
      expect(p.reachable).toBeGreaterThanOrEqual(base / 2);
      expect(p.reachable).toBeLessThan(1.5 * base + 4);
    }
  });

  it('a batch of changes: the same status and state as ip\'s batch', () => {
    const lines = ['ntable change name arp_cache dev va queue 21', 'ntable change name ndisc_cache dev vb retrans 3000',
      'ntable change name arp_cache dev va locktime 2000 proxy_delay 300', 'ntable show dev va'].join('\n') + '\n';
    const t = a.tsnet(['-batch', '-'], lines);
    const i = asTsnet(b.ip(['-batch', '-'], lines));
    // The twins drew their reachable_time apart.
    const r = (x: Result) => ({ ...x, stdout: x.stdout.replace(/reachable \d+ base/g, 'reachable R base') });
    expect(r(t)).toEqual(r(i));
    expect(state(a)).toBe(state(b));
    const bad = 'ntable change name arp_cache dev va queue 22\nntable change name nosuch dev va queue 1\nntable change name arp_cache dev va queue 23\n';
    for (const force of [[], ['-force']]) {
      const t2 = a.tsnet([...force, '-batch', '-'], bad);
      const i2 = asTsnet(b.ip([...force, '-batch', '-'], bad));
      expect(t2).toEqual(i2);
      expect(state(a)).toBe(state(b));
    }
  });
});

describe.runIf(root)('the global tables are left alone', () => {
  it('thresholds read in the root namespace are what they were (no test here changes them)', () => {
    const th = run('ip', ['ntable', 'show', 'dev', 'none']).stdout.match(/thresh1 \d+ thresh2 \d+ thresh3 \d+/g);
    expect(th?.length).toBe(2);
    const t = run(process.env.TSNET_BIN ?? 'bin/tsnet', ['ntable', 'show', 'dev', 'none']).stdout.match(/thresh1 \d+ thresh2 \d+ thresh3 \d+/g);
    expect(t).toEqual(th);
  });
});
