// tsnet addr against live `ip addr` (iproute2 6.1) on the same kernel state:
// stdout, stderr and exit status must be the same bytes, in every listing
// mode and filter; changes made by tsnet in one namespace and by ip in its
// twin must leave the same state (read back through ip); errors, flush,
// save/restore both ways, promote_secondaries (with tsnet's one-line warning)
// and a keepalived-style VIP move between two namespaces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NO_DAD, Netns, QUIET_IPV6 as QUIET, TSNET, asTsnet, canRunKernelTests, destroyAll, populate, quiesce, run, same, setup, withTwins,
} from './harness.js';

const root = canRunKernelTests();


/** Addresses as ip lists them, lifetimes' seconds blanked (they tick between twins). */
function addrState(ns: Netns): string {
  return [ns.ip('addr').stdout, ns.ip('-d -j addr').stdout].join('\n')
    .replace(/_lft \d+sec/g, '_lft Nsec').replace(/"(valid|preferred)_life_time":\d+/g, '"$1_life_time":N');
}

describe.runIf(root)('tsnet addr show reads what ip reads', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('addrshow');
    populate(ns);
    quiesce(ns);
  });
  afterAll(destroyAll);

  const FILTERS = [
    '', 'dev veth0', 'veth1', 'dev lo', 'dev mv0', 'dev br0', 'dev veth3',
    'scope host', 'scope link', 'scope global', 'scope 200', 'scope all',
    'to 192.0.2.0/24', 'to 192.0.2.3', 'to 2001:db8::/32', 'to 10/8', 'to 198.51.100.0/255.255.255.0',
    'label veth0:*', 'label br0:x', 'label lo', 'label *',
    'up', 'primary', 'secondary', 'dynamic', 'permanent', 'deprecated', '-deprecated', 'tentative', '-tentative',
    'nodad', 'noprefixroute', 'home', 'mngtmpaddr',
    'type veth', 'type bridge', 'type macvlan', 'type bridge_slave', 'master br0', 'nomaster', 'group 5',
    'dev veth0 secondary', 'dev veth0 to 198.51.100.0/24', 'dev veth1 scope link', 'up primary to 192.0.2.0/24',
  ];
  // Every filter in plain, -j and -br; the core ones in every mode.
  const CORE = ['', 'dev veth0', 'dev lo', 'dev mv0', 'scope link', 'to 192.0.2.0/24', 'label veth0:*', 'up', 'primary', 'secondary',
    'dynamic', 'permanent', 'tentative', 'type bridge_slave', 'master br0', 'nomaster', 'group 5'];
  const MODES = ['-s', '-d', '-o', '-j -p', '-j -br'];
  const cmd = (m: string, f: string) => `${m} addr show ${f}`.trim().replace(/\s+/g, ' ');
  const SHOW = [...['', '-j', '-br'].flatMap((m) => FILTERS.map((f) => cmd(m, f))), ...MODES.flatMap((m) => CORE.map((f) => cmd(m, f)))];
  const MORE = [
    'addr', 'a', 'a s', 'addr sh', 'ad lst', 'address list', 'addr ls', 'a dev lo', 'a s dev lo',
    '-4 addr', '-6 addr', '-0 addr', '-4 addr show dev veth0', '-6 addr show dev veth1', '-f inet addr show secondary',
    '-family inet6 addr show scope link', '-f link addr', '-4 -o addr', '-6 -o addr show dev veth0', '-br -4 addr',
    '-br -6 addr', '-j -4 addr', '-j -6 addr show dynamic', '-j -p -4 addr show dev veth0', '-4 -j -br addr',
    '-s -s addr show dev veth0', '-j -s addr show dev veth0', '-j -p -s -d addr show dev veth1', '-d -o addr show dev mv0',
    '-o -s addr show dev veth0', '-br -s addr', '-N addr show dev veth0', '-h -s addr show dev veth1',
    '-c=always addr show dev veth0', '-c=always -br addr', '-c=never addr', '-t addr show dev lo', '-j -d addr show dev br0',
    '-j addr show dev veth0 label veth0:*', '-br addr show label veth0:*', '-o addr show label veth0:*',
    '-4 addr show to 0/0', '-6 addr show to ::/0', 'addr show to 192.0.2.1/32', 'addr show to 0/0 scope link',
  ];
  it.each([...SHOW, ...MORE])('%s', (c) => {
    const { t, i } = same(ns, c);
    expect(t).toEqual(i);
  });

  it('empty listings: text and JSON', () => {
    for (const c of ['addr show dev veth3', '-4 addr show dev veth3', '-j -4 addr show dev veth3', '-j -p -4 addr show dev veth3',
      '-br -4 addr show dev veth3', 'addr show to 233.252.0.0/24', '-j addr show to 233.252.0.0/24', '-j -p addr show label nomatch']) {
      const { t, i } = same(ns, c);
      expect(t).toEqual(i);
    }
    expect(ns.tsnet('-j -p -4 addr show dev veth3').stdout).toBe('[ ]\n');
  });
});

/** Twin namespaces made alike, for commands that change state. */
function baseline(ns: Netns): void {
  setup(ns, [
    ...QUIET, NO_DAD,
    'ip link add veth0 address 02:00:00:00:00:01 type veth peer name veth1 address 02:00:00:00:00:02',
    'ip link add br0 address 02:00:00:00:00:b0 type bridge',
    'ip link set veth0 up', 'ip link set veth1 up',
    'ip addr add 192.0.2.1/24 dev veth0', 'ip addr add 192.0.2.2/24 dev veth0', 'ip addr add 192.0.2.3/24 dev veth0 label veth0:1',
    'ip addr add 198.51.100.1/24 brd + dev veth0', 'ip addr add 10.1.1.1 peer 10.1.1.2/32 dev veth1',
    'ip addr add 2001:db8::1/64 dev veth0 nodad',
  ]);
}

/** tsnet in A, ip in B; output and resulting addresses must be the same. */
function changeCase(c: string, prep: string[] = []): void {
  withTwins('addrch', (ns) => {
    baseline(ns);
    for (const p of prep) ns.sh(p);
  }, (a, b) => {
    const t = a.tsnet(c), i = b.ip(c);
    expect(t).toEqual(asTsnet(i));
    expect(addrState(a)).toBe(addrState(b));
  });
}

describe.runIf(root)('addr add, change, replace, del: tsnet changes what ip changes', () => {
  afterAll(destroyAll);

  const ADD = [
    'addr add 192.0.2.9/24 dev veth0', 'addr add 203.0.113.9/24 dev veth0', 'a add 203.0.113.9/24 dev veth0',
    'addr add 10.9.9.9 dev veth0', 'addr add 2001:db8:7::1 dev veth0 nodad',
    'addr add 127.1.2.3/8 dev veth0', 'addr add 127.0.0.2/8 dev lo', 'addr add 127.5.5.5 dev veth0',
    'addr add 10.9.0.1 peer 10.9.0.2/32 dev veth0', 'addr add 10.9.0.1/24 peer 10.9.0.2 dev veth0', 'addr add local 10.9.0.3/24 dev veth0',
    'addr add 203.0.113.9/24 brd + dev veth0', 'addr add 203.0.113.9/24 broadcast + dev veth0', 'addr add 203.0.113.9/24 brd - dev veth0',
    'addr add 203.0.113.9/24 broadcast 203.0.113.200 dev veth0', 'addr add 203.0.113.9/31 brd + dev veth0',
    'addr add 203.0.113.9/30 brd + dev veth0', 'addr add 203.0.113.9/24 dev veth0 label veth0:vip', 'addr add 203.0.113.9/24 dev veth0 label foo',
    'addr add 203.0.113.9/24 dev veth0 scope link', 'addr add 203.0.113.9/24 dev veth0 scope host', 'addr add 203.0.113.9/24 dev veth0 scope 77',
    'addr add 203.0.113.9/24 dev veth0 scope global', 'addr add 203.0.113.9/24 dev veth0 metric 20', 'addr add 203.0.113.9/24 dev veth0 priority 20',
    'addr add 203.0.113.9/24 dev veth0 valid_lft 1000 preferred_lft 500', 'addr add 203.0.113.9/24 dev veth0 valid_lft 1000 preferred_lft 0',
    'addr add 203.0.113.9/24 dev veth0 valid_lft forever preferred_lft 100', 'addr add 203.0.113.9/24 dev veth0 preferred_lft 100',
    'addr add 2001:db8:5::1/64 dev veth0 nodad', 'addr add 2001:db8:5::1/64 dev veth0 nodad noprefixroute',
    'addr add 2001:db8:5::1/64 dev veth0 nodad home', 'addr add 2001:db8:5::1/64 dev veth0 nodad mngtmpaddr',
    'addr add 2001:db8:5::1/64 dev veth0 nodad home mngtmpaddr noprefixroute valid_lft 1000 preferred_lft 600',
    'addr add 2001:db8:5::1/64 dev veth0', 'addr add 2001:db8:5::1/128 dev veth0 nodad', 'addr add 2001:db8:5::1/64 peer 2001:db8:5::2 dev veth0 nodad',
    'addr add 2001:db8:5::1/64 dev veth0 nodad scope link', 'addr add 2001:db8:5::1/64 dev veth0 nodad metric 300',
    'addr add 224.0.0.5/32 dev veth0 autojoin', 'addr add 203.0.113.9/24 dev veth1', 'addr add 192.0.2.4/24 dev veth0 secondary',
    'addr add 192.0.2.5/24 dev veth0 nodad', 'addr add dev veth0 203.0.113.10/24', '-4 addr add 203.0.113.11/24 dev veth0',
    'addr add 203.0.113.9/24 dev br0', 'addr add 192.0.2.1/16 dev veth0',
  ];
  const MODIFY = [
    'addr replace 192.0.2.1/24 dev veth0', 'addr replace 192.0.2.1/24 dev veth0 valid_lft 100 preferred_lft 50',
    'addr replace 192.0.2.77/24 dev veth0 label veth0:7', 'addr replace 192.0.2.2/24 dev veth0 metric 9',
    'addr change 192.0.2.1/24 dev veth0 valid_lft 100 preferred_lft 50', 'addr change 192.0.2.1/24 dev veth0 metric 5',
    'addr chg 192.0.2.2/24 dev veth0 preferred_lft 0', 'addr change 192.0.2.77/24 dev veth0',
    'addr change 2001:db8::1/64 dev veth0 noprefixroute', 'addr replace 2001:db8::1/64 dev veth0 home nodad',
    'addr change 198.51.100.1/24 dev veth0 brd 198.51.100.7', 'addr replace 10.1.1.1 peer 10.1.1.2/32 dev veth1 scope link',
  ];
  const DEL = [
    'addr del 192.0.2.3/24 dev veth0', 'addr del 192.0.2.2/24 dev veth0', 'addr delete 198.51.100.1/24 dev veth0',
    'addr d 198.51.100.1/24 dev veth0', 'addr del 192.0.2.2 dev veth0', 'addr del 198.51.100.1 dev veth0', 'addr del 192.0.2.99 dev veth0',
    'addr del 10.1.1.1 peer 10.1.1.2/32 dev veth1', 'addr del 10.1.1.1/32 dev veth1', 'addr del 2001:db8::1/64 dev veth0',
    'addr del 2001:db8::1 dev veth0', 'addr del 192.0.2.3/24 dev veth0 label veth0:1', 'addr del 192.0.2.3/24 dev veth0 label veth0:9',
    'addr del 192.0.2.2/16 dev veth0', 'addr del 192.0.2.2/24 dev veth1', 'addr del 192.0.2.99/24 dev veth0', '-6 addr del 2001:db8::1/64 dev veth0',
    'addr del 192.0.2.2/24 dev veth0 scope link', 'addr del 192.0.2.3/24 dev veth0 scope global',
  ];
  it.each([...ADD, ...MODIFY, ...DEL])('%s', (c) => changeCase(c));

  it.each([
    ['addr add 192.0.2.9/24 dev veth0 label veth0:9', 'addr show label veth0:9'],
    ['addr add 10.9.9.9 dev veth0', 'addr show to 10.9.9.9/32'],
    ['addr add 127.1.2.3/8 dev veth0', '-o addr show scope host'],
    ['addr change 192.0.2.1/24 dev veth0 valid_lft 1000 preferred_lft 0', 'addr show deprecated'],
    ['addr add 2001:db8:5::1/64 dev veth0 nodad home mngtmpaddr noprefixroute', '-j -p addr show to 2001:db8:5::/48'],
  ])('made by tsnet, read by both: %s', (c, show) => {
    const ns = Netns.create('addrrd');
    try {
      baseline(ns);
      expect(ns.tsnet(c)).toEqual({ stdout: '', stderr: '', code: 0 });
      const { t, i } = same(ns, show);
      expect(t).toEqual(i);
      expect(i.stdout).not.toBe('');
    } finally {
      ns.destroy();
    }
  });
});

describe.runIf(root)('addr errors are ip\'s', () => {
  afterAll(destroyAll);

  const ERRORS = [
    'addr add 192.0.2.60/24 dev nosuchdev', 'addr show dev nosuchdev', 'addr show nosuchdev', '-j addr show dev nosuchdev',
    'addr del 192.0.2.60/24 dev nosuchdev', 'addr flush dev nosuchdev', 'addr show master nosuchdev', 'addr show vrf nosuchdev',
    'addr add 192.0.2.300/24 dev veth0', 'addr add 192.0.2.60/33 dev veth0', 'addr add foo dev veth0', 'addr add 2001:db8::zz/64 dev veth0',
    'addr add 2001:db8::5/129 dev veth0', 'addr add 192.0.2.60/-1 dev veth0', 'addr add 192.0.2.60/ dev veth0',
    'addr add 192.0.2.1/24 dev veth0', 'addr add 192.0.2.2/24 dev veth0', 'addr add 2001:db8::1/64 dev veth0',
    'addr del 192.0.2.99/24 dev veth0', 'addr del 192.0.2.99 dev veth0', 'addr del 2001:db8::99/64 dev veth0', 'addr del 10.9.9.9 dev veth0',
    'addr add 192.0.2.61/24', 'addr del 192.0.2.61/24', 'addr add dev veth0', 'addr add', 'addr del',
    'addr add 192.0.2.61/24 dev veth0 secondary', 'addr add 192.0.2.62/24 dev veth0 nodad', 'addr add 192.0.2.62/24 dev veth0 home',
    'addr add 192.0.2.62/24 dev veth0 mngtmpaddr', 'addr add 192.0.2.62/24 dev veth0 noprefixroute',
    'addr add 192.0.2.63/24 dev veth0 valid_lft 10 preferred_lft 20', 'addr add 192.0.2.64/24 dev veth0 valid_lft 0',
    'addr add 192.0.2.64/24 dev veth0 valid_lft x', 'addr add 192.0.2.64/24 dev veth0 preferred_lft -1',
    'addr add 2001:db8::5/64 dev veth0 broadcast +', 'addr add 2001:db8::5/64 dev veth0 brd 1.2.3.4',
    'addr add 192.0.2.65/24 dev veth0 scope bogus', 'addr add 192.0.2.65/24 dev veth0 scope 300', 'addr show scope bogus',
    'addr add 192.0.2.66/24 dev veth0 metric x', 'addr add 192.0.2.66/24 dev veth0 bogus', 'addr add 192.0.2.66/24 dev veth0 dev veth1',
    'addr add 192.0.2.67/24 dev veth0 label veth0:toolongname12345', 'addr add 192.0.2.68/24 peer 1.2.3.4 peer 1.2.3.5 dev veth0',
    'addr add 192.0.2.68/24 dev veth0 peer 2001:db8::1', 'addr add 192.0.2.68/24 brd 2001:db8::1 dev veth0',
    'addr add 192.0.2.69 192.0.2.70 dev veth0', 'addr add 192.0.2.69/24 dev veth0 label', 'addr add 192.0.2.69/24 dev',
    '-6 addr add 192.0.2.70/24 dev veth0', '-4 addr add 2001:db8::70/64 dev veth0', '-6 addr show to 192.0.2.0/24',
    'addr show to bogus', 'addr show to 192.0.2.0/33', 'addr show label', 'addr show scope', 'addr show type nosuchkind',
    'addr show dev veth0 dev veth1', 'addr show group bogus', 'addr flush', 'addr flush bogus', 'addr bogus', 'addr help',
    'addr add help', 'addr show help', 'a x', 'addr show dev', 'address', 'addr show up dev veth0 bogusword',
  ];
  it.each(ERRORS)('%s', (c) => changeCase(c));
});

describe.runIf(root)('addr flush', () => {
  let ns: Netns;
  /** Resets veth0/veth1 to the same addresses, added the same way, so both tools see the same dump. */
  const fill = () => setup(ns, [
    'ip addr flush dev veth0', 'ip addr flush dev veth1',
    'ip addr add 192.0.2.1/24 dev veth0', 'ip addr add 192.0.2.2/24 dev veth0', 'ip addr add 192.0.2.3/24 dev veth0 label veth0:1',
    'ip addr add 198.51.100.1/24 brd + dev veth0', 'ip addr add 198.51.100.2/24 dev veth0 label veth0:2',
    'ip addr add 203.0.113.1/24 dev veth0 scope link', 'ip addr add 10.0.0.1/8 dev veth1', 'ip addr add 10.0.0.2/8 dev veth1',
    'ip addr add 2001:db8::1/64 dev veth0 nodad', 'ip addr add 2001:db8::2/64 dev veth0 nodad noprefixroute',
    'ip addr add fe80::1/64 dev veth0 nodad', 'ip addr add 2001:db8:1::1/64 dev veth1 nodad',
    'ip addr add 100.64.0.1/24 dev veth1 valid_lft 100000 preferred_lft 100000',
    ...Array.from({ length: 40 }, (_, k) => `ip addr add 100.64.${k + 1}.1/24 dev veth1 label veth1:${k + 1}`),
  ]);
  beforeAll(() => {
    ns = Netns.create('addrflush');
    setup(ns, [...QUIET, 'ip link add veth0 address 02:00:00:00:00:01 type veth peer name veth1 address 02:00:00:00:00:02',
      'ip link set veth0 addrgenmode none', 'ip link set veth1 addrgenmode none', 'ip link set veth0 up', 'ip link set veth1 up']);
  });
  afterAll(destroyAll);

  const FLUSH = [
    'addr flush dev veth0', 'addr flush veth0', 'addr flush dev veth1', 'addr flush dev veth0 secondary', 'addr flush dev veth0 primary',
    'addr flush to 192.0.2.0/24', 'addr flush to 10/8', 'addr flush label veth0:*', 'addr flush label veth1:1*', 'addr flush scope link',
    'addr flush scope global dev veth0', 'addr flush permanent dev veth1', 'addr flush dynamic', 'addr flush up', 'addr flush noprefixroute',
    '-4 addr flush dev veth0', '-6 addr flush dev veth0', '-4 addr flush label veth1*', 'a f dev veth0', 'addr flush all',
    '-s addr flush dev veth0', '-s addr flush dev veth1', '-s addr flush dev veth0 secondary', '-s -s addr flush dev veth0',
    '-s -s addr flush dev veth0 secondary', '-s -s addr flush to 198.51.100.0/24', '-s -s -4 addr flush dev veth1',
    '-s addr flush dev lo scope global', '-s addr flush to 233.252.0.0/24', '-s -s addr flush to 233.252.0.0/24',
    'addr flush to 233.252.0.0/24', '-j -s -s addr flush dev veth0', '-o -s -s addr flush dev veth0 secondary',
    '-s -s -6 addr flush dev veth0', 'addr flush dev veth0 to 192.0.2.2/32',
  ];
  it.each(FLUSH)('%s', (c) => {
    const once = () => {
      fill();
      const t = ns.tsnet(c);
      const afterT = ns.ip('addr').stdout;
      fill();
      const i = ns.ip(c);
      const afterI = ns.ip('addr').stdout;
      return { t, i, afterT, afterI };
    };
    // A lifetime's second may tick between the fill and the flush: one more try before a mismatch counts.
    let r = once();
    if (JSON.stringify(r.t) !== JSON.stringify(asTsnet(r.i)) || r.afterT !== r.afterI) r = once();
    expect(r.t).toEqual(asTsnet(r.i));
    expect(r.afterT).toBe(r.afterI);
  });
});

describe.runIf(root)('addr save and restore, both ways', () => {
  const dir = join(tmpdir(), `tsnet-addr-save-${process.pid}`);
  let src: Netns;
  /** Links as in the source namespace, in the same order (save records ifindex), down: no link-local addresses. */
  const fresh = () => {
    const ns = Netns.create('addrrs');
    setup(ns, [...QUIET,
      'ip link add veth0 address 02:00:00:00:00:01 type veth peer name veth1 address 02:00:00:00:00:02',
      'ip link add veth2 address 02:00:00:00:00:03 type veth peer name veth3 address 02:00:00:00:00:04']);
    return ns;
  };
  const sh = (line: string) => run('sh', ['-c', line]);
  const listing = (ns: Netns) => ns.ip('addr').stdout.replace(/_lft \d+sec/g, '_lft Nsec');

  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    src = Netns.create('addrsrc');
    setup(src, [...QUIET, NO_DAD,
      'ip link add veth0 address 02:00:00:00:00:01 type veth peer name veth1 address 02:00:00:00:00:02',
      'ip link add veth2 address 02:00:00:00:00:03 type veth peer name veth3 address 02:00:00:00:00:04',
      'ip link set veth0 up', 'ip link set veth1 up',
      'ip addr add 192.0.2.1/24 dev veth0', 'ip addr add 192.0.2.2/24 dev veth0', 'ip addr add 192.0.2.3/24 dev veth0 label veth0:1',
      'ip addr add 198.51.100.1/24 brd + dev veth0', 'ip addr add 10.1.1.1 peer 10.1.1.2/32 dev veth1', 'ip addr add 10.0.0.1/8 dev veth1 scope link',
      'ip addr add 203.0.113.5/24 dev veth2 metric 50', 'ip addr add 203.0.113.6/24 dev veth2 valid_lft 100000 preferred_lft 50000',
      'ip addr add 2001:db8::1/64 dev veth0 nodad', 'ip addr add 2001:db8:1::1/64 dev veth2 nodad noprefixroute home',
    ]);
  });
  afterAll(() => {
    destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([['-4', ''], ['-4', 'dev veth0'], ['-6', 'dev veth0'], ['-4', 'to 192.0.2.0/24'], ['', 'dev veth2'], ['-4', 'secondary']])(
    'ip %s addr save %s -> tsnet addr restore, and tsnet save -> ip restore, in fresh namespaces',
    (opts, filter) => {
      const fIp = join(dir, 'ip.bin'), fTs = join(dir, 'ts.bin');
      expect(sh(`ip -n ${src.name} ${opts} addr save ${filter} > ${fIp}`).code).toBe(0);
      const ts = sh(`${TSNET} -n ${src.name} ${opts} addr save ${filter} > ${fTs}`);
      expect(ts).toEqual({ stdout: '', stderr: '', code: 0 });
      // ip's binary stream, message for message (the headers' sequence numbers and port ids aside,
      // and the lifetimes left, which may tick between the two saves).
      const strip = (x: Buffer) => {
        const c = Buffer.from(x);
        for (let p = 4; p + 16 <= c.length && c.readUInt32LE(p) >= 16; p += c.readUInt32LE(p)) {
          c.fill(0, p + 8, p + 16);
          for (let q = p + 24; q + 4 <= p + c.readUInt32LE(p); q += (c.readUInt16LE(q) + 3) & ~3) {
            if (c.readUInt16LE(q) < 4) break;
            if (c.readUInt16LE(q + 2) === 6 /* IFA_CACHEINFO */) c.fill(0, q + 4, q + 12);
          }
        }
        return c;
      };
      const [a, b] = [readFileSync(fIp), readFileSync(fTs)];
      expect(b.length).toBe(a.length);
      expect(strip(b).equals(strip(a))).toBe(true);

      // ip's file restored by tsnet and by ip; tsnet's file restored by ip and by tsnet: four namespaces alike.
      const [x, y, z, w] = [fresh(), fresh(), fresh(), fresh()];
      const tx = sh(`${TSNET} -n ${x.name} addr restore < ${fIp}`);
      const iy = sh(`ip -n ${y.name} addr restore < ${fIp}`);
      const iz = sh(`ip -n ${z.name} addr restore < ${fTs}`);
      const tw = sh(`${TSNET} -n ${w.name} addr restore < ${fTs}`);
      expect(tx).toEqual(iy);
      expect(iz).toEqual(iy);
      expect(tw).toEqual(iy);
      expect(listing(x)).toBe(listing(y));
      expect(listing(z)).toBe(listing(y));
      expect(listing(w)).toBe(listing(y));
      // What was saved is there: the source's IPv4 addresses of the saved links, line for line.
      const v4 = (ns: Netns) => ns.ip(`-4 -o addr show ${filter.startsWith('dev') ? filter : ''}`).stdout.split('\n')
        .filter((l) => !l.includes(' lo ') && !l.startsWith('1:')).map((l) => l.replace(/_lft \d+sec/g, '_lft Nsec')).join('\n');
      if (opts === '-4' && filter === '') expect(v4(x)).toBe(v4(src));
      // Restoring the same file again: every address exists; the tools report it alike.
      expect(sh(`${TSNET} -n ${x.name} addr restore < ${fIp}`)).toEqual(sh(`ip -n ${y.name} addr restore < ${fIp}`));
      expect(listing(x)).toBe(listing(y));
      for (const ns of [x, y, z, w]) ns.destroy();
    },
  );

  it('a full save (lo and link-local addresses too) restored into a namespace that has lo: ip\'s messages and status', () => {
    const f = join(dir, 'full.bin');
    expect(sh(`ip -n ${src.name} addr save > ${f}`).code).toBe(0);
    const [x, y] = [fresh(), fresh()];
    for (const ns of [x, y]) { ns.sh('ip link set veth0 up'); ns.sh('ip link set veth1 up'); }
    const t = sh(`${TSNET} -n ${x.name} addr restore < ${f}`);
    const i = sh(`ip -n ${y.name} addr restore < ${f}`);
    expect(t).toEqual(i);
    expect(listing(x)).toBe(listing(y));
  });

  it('showdump prints a saved file as ip does, text and JSON; bad input fails alike', () => {
    const f = join(dir, 'dump.bin');
    expect(sh(`ip -n ${src.name} addr save > ${f}`).code).toBe(0);
    for (const o of ['', '-j', '-j -p', '-o', '-4']) {
      // Inside the namespace: showdump names interfaces by the indexes of the namespace it runs in.
      expect(sh(`${TSNET} -n ${src.name} ${o} addr showdump < ${f}`)).toEqual(sh(`ip -n ${src.name} ${o} addr showdump < ${f}`));
    }
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'not a saved address stream\n');
    for (const input of ['/dev/null', junk]) {
      for (const verb of ['restore', 'showdump']) {
        const t = sh(`${TSNET} -n ${src.name} addr ${verb} < ${input}`), i = sh(`ip -n ${src.name} addr ${verb} < ${input}`);
        expect(t).toEqual(asTsnet(i));
      }
    }
  });
});

describe.runIf(root)('deleting a primary: promote_secondaries, and tsnet\'s warning', () => {
  afterAll(destroyAll);

  /** veth0 with 192.0.2.1/24 primary, .2 and .3 (label veth0:1) secondaries, and another subnet. */
  function prepare(promote: 0 | 1): [Netns, Netns] {
    const pair = [Netns.create('addrps'), Netns.create('addrps')] as [Netns, Netns];
    for (const n of pair) {
      setup(n, [...QUIET,
        'ip link add veth0 address 02:00:00:00:00:01 type veth peer name veth1 address 02:00:00:00:00:02',
        'ip link set veth0 up',
        `sysctl -w net.ipv4.conf.veth0.promote_secondaries=${promote}`,
        'ip addr add 192.0.2.1/24 dev veth0', 'ip addr add 192.0.2.2/24 dev veth0', 'ip addr add 192.0.2.3/24 dev veth0 label veth0:1',
        'ip addr add 198.51.100.1/24 dev veth0', 'ip addr add 198.51.100.2/24 dev veth0',
      ]);
    }
    return pair;
  }
  const v4 = (ns: Netns) => ns.ip('-4 -o addr show dev veth0').stdout;

  it.each([0, 1] as const)('promote_secondaries=%i: a script (stderr not a terminal) sees exactly ip\'s stdout, stderr and status', (promote) => {
    const [a, b] = prepare(promote);
    expect(a.tsnet('addr del 192.0.2.1/24 dev veth0')).toEqual(b.ip('addr del 192.0.2.1/24 dev veth0'));
    expect(addrState(a)).toBe(addrState(b));
  });

  it.each([0, 1] as const)('promote_secondaries=%i: -X tsnet addr del leaves what ip leaves, with one warning line', (promote) => {
    const [a, b] = prepare(promote);
    const t = a.tsnet('-X addr del 192.0.2.1/24 dev veth0');
    const i = b.ip('addr del 192.0.2.1/24 dev veth0');
    expect(t.stdout).toBe(i.stdout);
    expect(t.code).toBe(i.code);
    expect(i).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(v4(a)).toBe(v4(b));
    expect(addrState(a)).toBe(addrState(b));
    if (promote) {
      expect(v4(b)).toMatch(/inet 192\.0\.2\.2\/24 scope global veth0\\/);
      expect(v4(b)).toMatch(/inet 192\.0\.2\.3\/24 scope global secondary veth0:1\\/);
      expect(t.stderr).toBe(`${i.stderr}Warning: deleting primary 192.0.2.1/24 on veth0 promotes 192.0.2.2/24 to primary (promote_secondaries is on).\n`);
    } else {
      expect(v4(b)).not.toMatch(/192\.0\.2\./);
      expect(v4(b)).toMatch(/198\.51\.100\.2\/24 scope global secondary veth0/);
      expect(t.stderr).toBe(`${i.stderr}Warning: deleting primary 192.0.2.1/24 on veth0 also deletes its secondaries 192.0.2.2/24 192.0.2.3/24 (promote_secondaries is off).\n`);
    }
  });

  it.each([0, 1] as const)('promote_secondaries=%i: with -force there is no warning; all else is ip\'s', (promote) => {
    const [a, b] = prepare(promote);
    const t = a.tsnet('-X -force addr del 192.0.2.1/24 dev veth0');
    const i = b.ip('-force addr del 192.0.2.1/24 dev veth0');
    expect(t).toEqual(i);
    expect(addrState(a)).toBe(addrState(b));
  });

  it.each([0, 1] as const)('promote_secondaries=%i: no warning for a secondary, a lone primary, a missing address, IPv6', (promote) => {
    const [a, b] = prepare(promote);
    a.sh('ip addr add 203.0.113.1/24 dev veth0');
    b.sh('ip addr add 203.0.113.1/24 dev veth0');
    for (const c of ['addr del 192.0.2.3/24 dev veth0', 'addr del 198.51.100.2/24 dev veth0', 'addr del 203.0.113.1/24 dev veth0',
      'addr del 192.0.2.9/24 dev veth0', 'addr del 203.0.113.1/24 dev veth0', 'addr del 198.51.100.1/24 dev veth0',
      'addr flush dev veth0 to 192.0.2.2/32']) {
      const t = a.tsnet(c), i = b.ip(c);
      expect(t).toEqual(asTsnet(i));
      expect(addrState(a)).toBe(addrState(b));
    }
  });

  it('the sysctl set by tsnet link set ... inet promote_secondaries decides; -X addr show says which', () => {
    const [a, b] = prepare(0);
    const sysctl = (ns: Netns) => ns.exec(['cat', '/proc/sys/net/ipv4/conf/veth0/promote_secondaries']).stdout.trim();
    expect(a.tsnet('link set dev veth0 inet promote_secondaries on')).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(sysctl(a)).toBe('1');
    const x = a.tsnet('-X addr show dev veth0');
    const plain = a.ip('addr show dev veth0').stdout.split('\n');
    expect(x.code).toBe(0);
    expect(x.stdout.split('\n')).toEqual([...plain.slice(0, 2), '    inet promote_secondaries on', ...plain.slice(2)]);
    expect(a.tsnet('addr show dev veth0').stdout).toBe(a.ip('addr show dev veth0').stdout);
    // The kernel now promotes: ip itself deletes the primary and 192.0.2.2 stays.
    a.sh('ip addr del 192.0.2.1/24 dev veth0');
    expect(v4(a)).toMatch(/inet 192\.0\.2\.2\/24 scope global veth0\\/);
    // And off again.
    expect(b.tsnet('link set dev veth0 inet promote_secondaries on').code).toBe(0);
    expect(b.tsnet('link set dev veth0 inet promote_secondaries off')).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(sysctl(b)).toBe('0');
    const y = b.tsnet('-X addr show dev veth0').stdout.split('\n');
    expect(y[2]).toBe('    inet promote_secondaries off');
    expect(y.filter((_, k) => k !== 2).join('\n')).toBe(b.ip('addr show dev veth0').stdout);
    b.sh('ip addr del 192.0.2.1/24 dev veth0');
    expect(v4(b)).not.toMatch(/192\.0\.2\./);
  });
});

describe.runIf(root)('keepalived-style VIP move between two namespaces', () => {
  afterAll(destroyAll);

  it('192.0.2.100/32 and a /24 secondary: up on A, down on A, up on B; ip sees each step, the peer reaches the VIP', () => {
    const [a, b] = [Netns.create('vipa'), Netns.create('vipb')];
    for (const ns of [a, b]) setup(ns, QUIET);
    a.sh('ip link add ha address 02:00:00:00:0a:01 type veth peer name hb address 02:00:00:00:0b:01');
    a.sh(`ip link set hb netns ${b.name}`);
    a.sh('ip link set ha up');
    b.sh('ip link set hb up');
    a.sh('ip addr add 192.0.2.11/24 dev ha');
    b.sh('ip addr add 192.0.2.12/24 dev hb');
    const ok = { stdout: '', stderr: '', code: 0 };
    const v4 = (ns: Netns, dev: string) => ns.ip(`-4 -o addr show dev ${dev}`).stdout.replace(/^\d+: /gm, '');
    const agree = (ns: Netns) => {
      for (const c of ['-4 addr', '-br -4 addr', '-j -4 addr']) {
        const { t, i } = same(ns, c);
        expect(t).toEqual(i);
      }
    };
    const arping = (from: Netns, dev: string) => from.exec(['arping', '-c', '1', '-w', '3', '-I', dev, '192.0.2.100']);

    // MASTER on A.
    expect(a.tsnet('addr add 192.0.2.100/32 dev ha')).toEqual(ok);
    expect(a.tsnet('addr add 192.0.2.101/24 dev ha')).toEqual(ok);
    expect(v4(a, 'ha')).toBe([
      'ha    inet 192.0.2.11/24 scope global ha\\       valid_lft forever preferred_lft forever',
      'ha    inet 192.0.2.100/32 scope global ha\\       valid_lft forever preferred_lft forever',
      'ha    inet 192.0.2.101/24 scope global secondary ha\\       valid_lft forever preferred_lft forever', ''].join('\n'));
    agree(a);
    const before = arping(b, 'hb');
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/reply from 192\.0\.2\.100 \[02:00:00:00:0A:01\]/i);

    // A steps down: no warning (the /32 has no secondaries, the /24 is one).
    expect(a.tsnet('addr del 192.0.2.100/32 dev ha')).toEqual(ok);
    expect(a.tsnet('addr del 192.0.2.101/24 dev ha')).toEqual(ok);
    expect(v4(a, 'ha')).toBe('ha    inet 192.0.2.11/24 scope global ha\\       valid_lft forever preferred_lft forever\n');
    agree(a);
    expect(arping(b, 'hb').code).not.toBe(0);

    // B takes over.
    expect(b.tsnet('addr add 192.0.2.100/32 dev hb')).toEqual(ok);
    expect(b.tsnet('addr add 192.0.2.101/24 dev hb')).toEqual(ok);
    expect(v4(b, 'hb')).toBe([
      'hb    inet 192.0.2.12/24 scope global hb\\       valid_lft forever preferred_lft forever',
      'hb    inet 192.0.2.100/32 scope global hb\\       valid_lft forever preferred_lft forever',
      'hb    inet 192.0.2.101/24 scope global secondary hb\\       valid_lft forever preferred_lft forever', ''].join('\n'));
    agree(b);
    const after = arping(a, 'ha');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/reply from 192\.0\.2\.100 \[02:00:00:00:0B:01\]/i);
    // Adding it again on B is ip's error.
    const [t, i] = [b.tsnet('addr add 192.0.2.100/32 dev hb'), b.ip('addr add 192.0.2.100/32 dev hb')];
    expect(t).toEqual(i);
    expect(i.stderr).toBe('Error: ipv4: Address already assigned.\n');
  });
});
