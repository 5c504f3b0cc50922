// tsnet as a drop-in ip (issue 14): under the name `ip` it names itself ip in
// every text ip 6.1 prints (help, usage errors, -V), byte for byte; objects it
// does not implement are handed to the system's ip, alone or in a -batch;
// extras on stderr only for a terminal or with -X.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, canRunKernelTests, destroyAll, run, TSNET, words } from './harness.js';

const root = canRunKernelTests();
let dir: string;
let asIp: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsnet-dropin-'));
  asIp = join(dir, 'bin', 'ip');
  run('mkdir', ['-p', dirname(asIp)]);
  symlinkSync(TSNET, asIp);
});
afterAll(() => {
  destroyAll();
  rmSync(dir, { recursive: true, force: true });
});

/** Every help and usage text of the objects tsnet implements, and ip's own errors that name the program. */
const TEXTS = [
  'help', '', '-V', '-Version', '-Z', '-help', 'foo', 'neigh help', 'neighbour help', 'n h', 'neigh foo', 'neigh add', 'neigh del',
  'neigh get', 'neigh add 10.0.0.1', 'addr help', 'a help', 'address foo', 'addr add', 'addr add 10.0.0.1/24', 'addr del',
  'link help', 'link foo', 'link add', 'link set', 'link add type bridge help', 'link add type bridge_slave help',
  'link add type bond help', 'link add type bond_slave help', 'link add type vlan help', 'link add type veth help',
  'link help bond', 'monitor help', 'monitor foo', '-f foo neigh',
];

describe.runIf(root)('under the name ip, ip 6.1\'s texts byte for byte', () => {
  it.each(TEXTS)('ip %s', (c) => {
    expect(run(asIp, words(c))).toEqual(run('ip', words(c)));
  });

  it('the kernel selftests\' probe finds "ip neigh get"; under its own name it says tsnet', () => {
    expect(run('sh', ['-c', `"${asIp}" neigh help 2>&1 | grep -q 'ip neigh get'`]).code).toBe(0);
    const own = run(TSNET, ['neigh', 'help']);
    expect(own.stderr).toMatch(/^Usage: tsnet neigh /);
    expect(run(TSNET, ['-V']).stdout).toMatch(/^tsnet utility, iproute2-6\.1\.0 compatible, tsnet /);
  });
});

describe.runIf(root)('objects tsnet does not implement go to the system\'s ip', () => {
  let a: Netns, b: Netns;
  const nsNames: string[] = [];
  beforeAll(() => {
    a = Netns.create('dropin');
    b = Netns.create('dropin');
  });
  afterAll(() => {
    for (const n of nsNames) run('ip', ['netns', 'del', n]);
  });

  /** The same batch through `tsnet -n A` and `ip -n B` (from the same file path); the namespace it adds named per run. */
  function batch(text: string, opts: string[] = [], suffix = '', [na, nb] = [a, b]) {
    const file = join(dir, 'mixed.batch');
    const go = (prog: string, ns: Netns, extra: string) => {
      const name = `tsn-dropin-${process.pid}-${extra}${suffix}`;
      nsNames.push(name);
      writeFileSync(file, text.replaceAll('NEWNS', name));
      const r = run(prog, ['-n', ns.name, ...opts, '-batch', file]);
      const names = /tsn-dropin-\d+-[ti]f?/g;
      return { ...r, stdout: r.stdout.replace(names, 'NEWNS'), stderr: r.stderr.replace(names, 'NEWNS') };
    };
    return [go(TSNET, na, 't'), go('ip', nb, 'i')];
    // (suffix: a suffix for the namespace's name, new for each batch)
  }

  it('a mixed batch (netns, route, neigh, addr lines) gives ip\'s output and exit status; Command failed FILE:N stays', () => {
    // No link is up: the carrier's timing (linkdown, LOWERLAYERDOWN) would differ between runs.
    const text = `netns add NEWNS
netns set NEWNS 7
netns list-id
link add v0 address 02:00:00:00:00:01 type veth peer name v1
addr add 10.9.0.1/24 dev v0
route add 10.10.0.0/16 dev lo
route add 10.11.0.0/16 dev lo table 7
route show
neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent
neigh show dev v0
addr show dev v0
route get 10.10.1.1
route add 10.11.0.0/16 dev nosuch
neigh show
`;
    const [t, i] = batch(text);
    expect(i.code).not.toBe(0);
    expect(i.stderr).toMatch(/Command failed .*:13/);
    expect(t).toEqual(i);
    // -force goes on after the failing line; -j reaches the handed-over lines.
    const [tf, jf] = batch(text.replace('NEWNS 7', 'NEWNS 8').replace('link add v0 address 02:00:00:00:00:01 type veth peer name v1\n', ''), ['-force', '-j'], 'f', [Netns.create('dropin'), Netns.create('dropin')]);
    expect(tf).toEqual(jf);
  });

  it('a handed-over line that fails ends the batch as in ip\'s: exit() (usage, 255) at once even with -force; a failed command with Command failed FILE:N', () => {
    const [c, d] = [Netns.create('dropin'), Netns.create('dropin')];
    const file = join(dir, 'failing.batch');
    const cases = [
      'rule nosuch\nlink show lo\n', // ip exits 255 (usage): no Command failed, -force does not go on
      'neigh show\nroute get 300.1.1.1\nlink show lo\n', // ip exit(1)s: the same, with status 1
      'route add 10.1.0.0/16 dev lo\nroute add 10.1.0.0/16 dev lo\nroute show\nlink show lo\n', // EEXIST: Command failed FILE:2
      'route add 10.2.0.0/16 dev nosuch\nneigh show\n', // Cannot find device: Command failed FILE:1
      'route add 10.3.0.0/16 dev lo proto "static"\n\n# a comment\nroute show table \'main\' dev lo\nrule nosuch\nlink show lo\n',
      'link show lo\nroute show table nosuch\nlink show lo\n',
    ];
    for (const text of cases) {
      for (const force of [[], ['-force']]) {
        writeFileSync(file, text);
        const results = [[TSNET, c], ['ip', d]].map(([prog, ns]) => {
          (ns as Netns).exec(['ip', 'route', 'flush', 'dev', 'lo']);
          return run(prog as string, ['-n', (ns as Netns).name, ...force, '-batch', file]);
        });
        expect(results[0], `${force.join('')} ${text}`).toEqual(results[1]);
        if (text.startsWith('rule nosuch')) expect(results[0]).toMatchObject({ code: 255, stderr: 'Command "nosuch" is unknown, try "ip rule help".\n' });
        if (text.startsWith('route add 10.1.')) expect(results[0].stderr).toBe(`RTNETLINK answers: File exists\nCommand failed ${file}:2\n`);
        // The same lines from standard input.
        const fromStdin = [[TSNET, c], ['ip', d]].map(([prog, ns]) => {
          (ns as Netns).exec(['ip', 'route', 'flush', 'dev', 'lo']);
          return run(prog as string, ['-n', (ns as Netns).name, ...force, '-batch', '-'], { input: text });
        });
        expect(fromStdin[0], `stdin ${force.join('')} ${text}`).toEqual(fromStdin[1]);
      }
    }
  });

  it('one command: stdout, stderr and status passed through, with the global options ip takes', () => {
    const [c, d] = [Netns.create('dropin'), Netns.create('dropin')];
    for (const ns of [c, d]) ['ip link add v2 type veth peer name v3', 'ip addr add 10.7.0.1/24 dev v2', 'ip link set v2 up'].forEach((l) => ns.sh(l));
    for (const w of ['-j route show', '-4 route show table all', 'route add 10.99.0.0/16 dev v2', 'ro sh', 'rule nosuch',
      'rule show', '-d -s route show', 'tunnel show', 'maddr show dev lo', '-br route']) {
      expect(run(TSNET, ['-n', c.name, ...words(w)])).toEqual(run('ip', ['-n', d.name, ...words(w)]));
    }
  });

  it('under --dry-run such a line is an error that names the object as not modelled', () => {
    expect(run(TSNET, ['--dry-run', 'rule', 'list'])).toEqual({
      stdout: '', stderr: 'Object "rule" is not modelled by tsnet --dry-run.\n', code: 1,
    });
  });

  it('never runs tsnet itself as the system ip: with only tsnet named ip on PATH, a clear error', () => {
    // PATH: tsnet named ip, and node and readlink alone (the launcher runs them).
    const nodeDir = join(dir, 'node-only');
    run('mkdir', ['-p', nodeDir]);
    symlinkSync(process.execPath, join(nodeDir, 'node'));
    symlinkSync(run('sh', ['-c', 'command -v readlink']).stdout.trim(), join(nodeDir, 'readlink'));
    const r = run(asIp, ['rule', 'list'], { env: { PATH: `${dirname(asIp)}:${nodeDir}` } });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Object "rule" is not implemented by tsnet, and there is no system ip on PATH to run it.\n');
    expect(r.code).toBe(1);
  });
});

describe.runIf(root)('extras on stderr: only at a terminal or with -X', () => {
  it('deleting a primary with secondaries: a script sees ip\'s silence, a terminal and -X the warning', () => {
    const ns = Netns.create('dropin');
    ns.sh('ip link add v0 type veth peer name v1');
    const prime = () => ['10.8.0.1/24', '10.8.0.2/24'].forEach((p) => ns.sh(`ip addr add ${p} dev v0`));
    const warning = 'Warning: deleting primary 10.8.0.1/24 on v0 also deletes its secondaries 10.8.0.2/24 (promote_secondaries is off).';
    ns.sh('sysctl -qw net.ipv4.conf.v0.promote_secondaries=0');
    prime();
    expect(ns.tsnet('addr del 10.8.0.1/24 dev v0')).toEqual({ stdout: '', stderr: '', code: 0 });
    prime();
    expect(ns.tsnet('-X addr del 10.8.0.1/24 dev v0').stderr).toBe(`${warning}\n`);
    prime();
    // script(1) gives the command a terminal for stdout and stderr.
    const tty = run('script', ['-qec', `${TSNET} -n ${ns.name} addr del 10.8.0.1/24 dev v0`, '/dev/null']);
    expect(tty.stdout.replace(/\r/g, '')).toBe(`${warning}\n`);
  });
});
