// Kernel-test harness: network namespaces this test run owns, commands run
// inside them, and tsnet compared with the live reference tools.
//
//   const ns = Netns.create('neigh');          // ip netns add tsn-neigh-<pid>-<n>
//   ns.sh('ip link add v0 type veth peer name v1');
//   const [t, i] = ns.compare('neigh show');    // tsnet -n NS ... vs ip -n NS ...
//   expect(t).toEqual(i);
//   destroyAll();                               // afterAll; also runs at exit
//
// Every namespace made here is deleted in afterAll (call destroyAll) and
// again at process exit, so a failing test leaves nothing behind. Tests skip
// (saying why, once) when not root.
import { spawn, spawnSync } from 'node:child_process';
import { TSNET } from '../tsnet-bin.js';

/** Tests run from the repository root (npm test, vitest). */
export const REPO = process.cwd();
export { TSNET };
export const isRoot = process.getuid?.() === 0;

export interface Result {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a program to completion; never throws for a non-zero exit. */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Result {
  const r = spawnSync(cmd, args, {
    input: opts.input, encoding: 'utf8', env: { ...process.env, ...opts.env }, maxBuffer: 1 << 28,
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? 128 + 1 };
}

/** Splits a command line on spaces (tests write plain words). */
export const words = (s: string): string[] => s.split(' ').filter(Boolean);

/**
 * ip's texts that name the program, as tsnet prints them: `try "ip help"`,
 * `Usage: ip neigh` ... tsnet names itself there and nowhere else.
 */
export function ipTextAsTsnet(s: string): string {
  return s
    .replace(/"ip (-?help)"/g, '"tsnet $1"')
    .replace(/"ip (\w+) help"/g, '"tsnet $1 help"')
    .replace(/Usage: ip /g, 'Usage: tsnet ')
    .replace(/^(\s+)ip /gm, '$1tsnet ');
}

const made = new Set<string>();
let counter = 0;

export class Netns {
  private constructor(readonly name: string) {}

  static create(tag: string): Netns {
    const name = `tsn-${tag}-${process.pid}-${++counter}`;
    const r = run('ip', ['netns', 'add', name]);
    if (r.code !== 0) throw new Error(`ip netns add ${name}: ${r.stderr}`);
    made.add(name);
    const ns = new Netns(name);
    ns.sh('ip link set lo up');
    return ns;
  }

  /** Runs a command line inside the namespace; throws if it fails. */
  sh(line: string): string {
    const r = this.exec(words(line));
    if (r.code !== 0) throw new Error(`${this.name}: ${line}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** Runs argv inside the namespace. */
  exec(argv: string[], input?: string): Result {
    return run('ip', ['netns', 'exec', this.name, ...argv], { input });
  }

  /** `ip -n NS <args>` */
  ip(args: string | string[], input?: string): Result {
    return run('ip', ['-n', this.name, ...(typeof args === 'string' ? words(args) : args)], { input });
  }

  /** `tsnet -n NS <args>` */
  tsnet(args: string | string[], input?: string): Result {
    return run(TSNET, ['-n', this.name, ...(typeof args === 'string' ? words(args) : args)], { input });
  }

  /** The same command through tsnet and ip; ip's program-naming texts mapped to tsnet's. */
  compare(args: string | string[], input?: string): [Result, Result] {
    const t = this.tsnet(args, input);
    const i = this.ip(args, input);
    return [t, { stdout: ipTextAsTsnet(i.stdout), stderr: ipTextAsTsnet(i.stderr), code: i.code }];
  }

  destroy(): void {
    run('ip', ['netns', 'del', this.name]);
    made.delete(this.name);
  }
}

/**
 * Two namespaces made alike by `prepare`, for commands that change state
 * (tsnet acts in one, ip in the other); both are deleted afterwards, also
 * when the body fails.
 */
export function withTwins(tag: string, prepare: (ns: Netns) => void, body: (a: Netns, b: Netns) => void): void {
  const a = Netns.create(tag), b = Netns.create(tag);
  try {
    prepare(a);
    prepare(b);
    body(a, b);
  } finally {
    a.destroy();
    b.destroy();
  }
}

/** Deletes every namespace this process made. */
export function destroyAll(): void {
  for (const n of made) run('ip', ['netns', 'del', n]);
  made.clear();
}

process.on('exit', destroyAll);

let told = false;
/** True when kernel tests can run; says once why they are skipped otherwise. */
export function canRunKernelTests(): boolean {
  if (!isRoot && !told) {
    told = true;
    console.log('kernel tests skipped: they need root (network namespaces)');
  }
  return isRoot;
}

/**
 * Runs set-up lines in a namespace, fast: consecutive `ip` lines go through
 * one `ip -batch -`, consecutive sysctl lines through one sysctl. Throws if
 * any fails.
 */
export function setup(ns: Netns, lines: string[]): void {
  for (let k = 0; k < lines.length;) {
    const kind = lines[k]!.startsWith('ip ') ? 'ip' : lines[k]!.startsWith('sysctl ') ? 'sysctl' : 'other';
    let end = k + 1;
    while (end < lines.length && kind !== 'other' && lines[end]!.startsWith(`${kind} `)) end++;
    const group = lines.slice(k, end);
    if (kind === 'ip') {
      const r = ns.ip(['-batch', '-'], `${group.map((l) => l.slice(3)).join('\n')}\n`);
      if (r.code !== 0) throw new Error(`${ns.name}: ${r.stderr}`);
    } else if (kind === 'sysctl') {
      ns.sh(`sysctl -q ${group.map((l) => l.replace(/^sysctl -q?w? ?/, '')).join(' ')}`);
    } else {
      ns.sh(group[0]!);
    }
    k = end;
  }
}

/** ip's result with its program-naming texts as tsnet prints them. */
export const asTsnet = (i: Result): Result => ({ stdout: ipTextAsTsnet(i.stdout), stderr: ipTextAsTsnet(i.stderr), code: i.code });

/**
 * Runs a command through both tools. Kernel state ticks on its own (lifetimes
 * counting down, a managed entry's probe every second), so ip reads the state
 * just before and just after tsnet does, and tsnet must print exactly what ip
 * printed at one of those two moments. A few back-to-back retries follow
 * before a mismatch counts, for a run slow enough to straddle two ticks.
 * `ipArgs` is for a tsnet extension spelled differently from ip's command.
 */
export function same(ns: Netns, args: string, tries = 3, ipArgs = args): { t: Result; i: Result } {
  const equal = (a: Result, b: Result) => a.stdout === b.stdout && a.stderr === b.stderr && a.code === b.code;
  let t: Result, i: Result;
  for (let k = 0; ; k++) {
    const before = asTsnet(ns.ip(ipArgs));
    t = ns.tsnet(args);
    if (equal(t, before)) return { t, i: before };
    i = asTsnet(ns.ip(ipArgs));
    if (equal(t, i) || k >= tries) return { t, i };
  }
}

/** Waits until the kernel has stopped talking on its own (DAD, MLD): counters and addresses stay put. */
export function quiesce(ns: Netns): void {
  const snap = () => ns.ip('-s -s link').stdout + ns.ip('addr').stdout.replace(/_lft \d+sec/g, '');
  let last = snap();
  for (let stable = 0, k = 0; stable < 3 && k < 40; k++) {
    run('sleep', ['0.5']);
    const now = snap();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
}

/** No router solicitations or RAs: IPv6 stays quiet once DAD and MLD are done. */
export const QUIET_IPV6 = ['sysctl -qw net.ipv6.conf.default.accept_ra=0', 'sysctl -qw net.ipv6.conf.default.router_solicitations=0'];
/** No DAD either: IPv6 addresses are never tentative. */
export const NO_DAD = 'sysctl -qw net.ipv6.conf.default.accept_dad=0';

/**
 * The links of ../shared/reference/iproute2/setup.sh with fixed MACs: a veth
 * pair up, a second pair with one end in a bridge, a macvlan, an alias and a
 * group. The shared kernel fixture of the link and address tests.
 */
export const FIXTURE_LINKS = [
  'ip link add veth0 address 02:00:00:00:00:01 type veth peer name veth1 address 02:00:00:00:00:02',
  'ip link add veth2 address 02:00:00:00:00:03 type veth peer name veth3 address 02:00:00:00:00:04',
  'ip link add br0 address 02:00:00:00:00:b0 type bridge',
  'ip link set veth2 master br0',
  'ip link add mv0 link veth1 address 02:00:00:00:00:44 type macvlan mode bridge',
  'ip link set veth0 up', 'ip link set veth1 up',
  'ip link set veth0 alias uplink', 'ip link set veth1 group 5',
];

/**
 * Addresses on FIXTURE_LINKS so that every address filter has something to
 * find: primaries and secondaries, a label, brd +, lifetimes, a peer, scope
 * link and a numeric scope, a metric, loopback, the IPv6 flags.
 */
export const FIXTURE_ADDRESSES = [
  'ip addr add 192.0.2.1/24 dev veth0',
  'ip addr add 192.0.2.2/24 dev veth0',
  'ip addr add 192.0.2.3/24 dev veth0 label veth0:1',
  'ip addr add 198.51.100.1/24 brd + dev veth0',
  'ip addr add 198.51.100.9/24 dev veth0 valid_lft 100000 preferred_lft 0',
  'ip addr add 10.0.0.1/8 dev veth1 scope link',
  'ip addr add 10.1.1.1 peer 10.1.1.2/32 dev veth1',
  'ip addr add 203.0.113.5/24 dev veth1 metric 50',
  'ip addr add 127.1.0.1/8 dev lo',
  'ip addr add 2001:db8::1/64 dev veth0 nodad',
  'ip addr add 2001:db8:1::1/64 dev veth0 nodad valid_lft 100000 preferred_lft 50000 noprefixroute',
  'ip addr add 2001:db8:2::1/64 dev veth1 nodad home mngtmpaddr',
  'ip addr add 172.16.0.1/16 dev veth2',
  'ip addr add 172.17.0.1/16 broadcast 172.17.255.254 dev br0 label br0:x',
  'ip addr add 10.2.0.1/24 dev mv0 scope 200',
  'ip addr add 2001:db8:9::1/64 dev mv0',
];

/**
 * Makes the shared fixture in a namespace: quiet IPv6 (and `sysctls`, which
 * must come before the links to apply to them), FIXTURE_LINKS, then
 * FIXTURE_ADDRESSES unless `addresses` is false, then `more`.
 */
export function populate(ns: Netns, o: { sysctls?: string[]; addresses?: boolean; more?: string[] } = {}): void {
  setup(ns, [...QUIET_IPV6, ...(o.sysctls ?? []), ...FIXTURE_LINKS, ...(o.addresses === false ? [] : FIXTURE_ADDRESSES), ...(o.more ?? [])]);
}

/** Starts a monitor (or any long-running command); resolves to its stdout+stderr once it has exited. */
export function listen(cmd: string, args: string[]): { stop: () => Promise<string> } {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  p.stdout.on('data', (d) => { text += d; });
  p.stderr.on('data', (d) => { text += d; });
  const exited = new Promise<string>((resolve) => p.on('close', () => resolve(text)));
  // ip ignores SIGINT when started in the background by a non-interactive shell; both stop on SIGTERM.
  return { stop: () => { p.kill('SIGTERM'); return exited; } };
}
