// `tsnet netns` against `ip netns` (ip 6.1): stdout, stderr, exit status and
// the state each command leaves (the files under /run/netns, the mounts ip
// makes there, the nsids), case by case from the same starting state.
//
// Isolation: each tool's whole run is one shell script inside a mount and
// network namespace of its own (unshare -m -n), with a tmpfs over /run and an
// overlay over /etc (for /etc/netns/NAME). So /run/netns starts absent, the
// namespaces made (all named tsn-netns-*) are seen by nothing else and are
// freed when the script ends, however it ends, and the namespaces of other
// tests on the machine are never listed nor touched. Every case runs in a
// fresh network namespace of its own (its nsids start from none), after the
// previous case's namespaces and mounts have been removed.
// tsnet runs as `ip` (a symlink named ip to bin/tsnet) so that the texts that
// name the program are ip's, byte for byte.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TSNET, canRunKernelTests, run } from './harness.js';

const root = canRunKernelTests();

interface Case {
  /** Shell lines run first with the system's ip (output discarded). */
  setup?: string[];
  /** The command line after the tool, as the shell reads it. */
  cmd: string;
  /** A batch file's text ($B in cmd names it). */
  batch?: string;
  /** Instead of `$T cmd`: a shell fragment that runs $T itself ($S is stdbuf -oL for ip, whose stdout is otherwise a full buffer). */
  raw?: string;
  /** Shell lines after the command, run with the system's ip, whose output is part of the state. */
  after?: string[];
}

const N = 'tsn-netns';
const add = (...names: string[]) => names.map((n) => `ip netns add ${N}-${n}`);
const cases: Case[] = [];
const c = (cmd: string, setup: string[] = [], extra: Partial<Case> = {}) => cases.push({ cmd, setup, ...extra });

// ---- listing ----
const listed = [...add('a', 'b', 'c'), `ip netns set ${N}-b 5`, `ip netns set ${N}-c auto`];
for (const opts of ['', '-j ', '-j -p ', '-p ']) {
  for (const verb of ['', 'list']) {
    c(`${opts}netns ${verb}`.trim());
    c(`${opts}netns ${verb}`.trim(), add('a', 'b', 'c'));
    c(`${opts}netns ${verb}`.trim(), listed);
  }
}
for (const verb of ['show', 'lst', 'l', 'li', 'sh', 's', 'ls', 'lis']) c(`netns ${verb}`, listed);
c('netns list extra words are ignored', add('a'));
c('netns list', ['mkdir -p /run/netns']);
c('netns list', ['mkdir -p /run/netns', 'touch /run/netns/tsn-netns-plainfile']);
c('-j netns list', ['mkdir -p /run/netns', 'touch /run/netns/tsn-netns-plainfile']);
c('netns list', [...add('a'), 'ip netns set tsn-netns-a 0', 'mkdir /run/netns/tsn-netns-dir']);
// A veth whose peer is in a named namespace: link show names it (get_name_from_nsid), and a
// /run/netns entry that is no namespace is refused by the kernel, which ip prints and goes on.
const peered = [...add('a'), `ip link add ${N}-v address 02:00:00:00:00:01 type veth peer name ${N}-p address 02:00:00:00:00:02 netns ${N}-a`];
for (const cmd of ['link show', `-n ${N}-a link show`, '-j link show', '-br link show']) {
  c(cmd, peered);
  c(cmd, [...peered, 'touch /run/netns/tsn-netns-plainfile']);
}
// A live monitor makes the map at its start (the refusal is printed before any event); a file's does not.
for (const obj of ['route', 'neigh', 'file /dev/null']) {
  c(`monitor ${obj} (a plain file in /run/netns)`, [...peered, 'touch /run/netns/tsn-netns-plainfile'], {
    raw: `$S $T monitor ${obj} & p=$!; sleep 1; kill -TERM $p; wait $p 2>/dev/null`,
  });
}
for (let n = 1; n <= 12; n++) c('netns list', add(...Array.from({ length: n }, (_, i) => `m${i}`)).concat(n % 3 ? [] : [`ip netns set ${N}-m1 ${n}`]));

// ---- add, attach, delete ----
c('netns add');
c(`netns add ${N}-a`);
c(`netns add ${N}-a`, ['mkdir -p /run/netns']);
c(`netns add ${N}-a`, ['mkdir -p /run/netns', 'mount --bind /run/netns /run/netns']);
c(`netns add ${N}-a`, add('b'));
c(`netns add ${N}-a`, add('a'));
c(`netns add ${N}-a ${N}-ignored`);
c(`netns a ${N}-a`);
c(`netns ad ${N}-a`);
for (const bad of ['""', '.', '..', 'a/b', '/abs', 'x/', `${'n'.repeat(256)}`, `"${'é'.repeat(128)}"`]) {
  c(`netns add ${bad}`);
  c(`netns del ${bad}`);
  c(`netns exec ${bad} true`);
  c(`netns set ${bad} 1`);
  c(`netns pids ${bad}`);
  c(`netns attach ${bad} 1`);
  c(`netns identify ${bad}`);
  c(`-all netns del ${bad}`, add('a'));
}
for (const good of [`${N}-${'n'.repeat(245)}`, `${N}-sp\\ ace`, `${N}-ü`, `${N}-.hidden`, `${N}--x`, `${N}-a.b`]) {
  c(`netns add ${good}`);
  c(`netns add ${good}`, [`ip netns add ${good}`]);
  c(`netns del ${good}`, [`ip netns add ${good}`]);
  c(`netns list`, [`ip netns add ${good}`]);
}
c('netns del');
c(`netns del ${N}-a`);
c(`netns del ${N}-a`, add('a'));
c(`netns del ${N}-a`, add('a', 'b'));
c(`netns delete ${N}-a`, add('a'));
c(`netns d ${N}-a`, add('a'));
c(`netns de ${N}-a ${N}-b`, add('a', 'b'));
c(`netns del ${N}-a`, ['mkdir -p /run/netns', 'touch /run/netns/tsn-netns-a']);
c(`netns del ${N}-a`, ['mkdir -p /run/netns/tsn-netns-a']);
c(`netns del ${N}-a`, [...add('a'), 'mount --bind /run/netns/tsn-netns-a /run/netns/tsn-netns-a']);
c('-all netns del', add('a', 'b', 'c'));
c('-all netns delete', []);
c('-all netns del', ['mkdir -p /run/netns']);
c(`-all netns del ${N}-a`, add('a', 'b'));
c('-a netns d', add('a'));
c('netns attach');
c(`netns attach ${N}-a`);
c(`netns attach ${N}-a 0`);
c(`netns attach ${N}-a -0`);
c(`netns attach ${N}-a abc`);
c(`netns attach ${N}-a 12x`);
c(`netns attach ${N}-a 99999999`);
c(`netns attach ${N}-a 4194999`);
c(`netns attach ${N}-a 2147483648`);
c(`netns attach ${N}-a -1`);
c(`netns attach ${N}-a 1`);
c(`netns attach ${N}-a $$`);
c(`netns attach ${N}-a $$`, add('a'));
c(`netns attach ${N}-b $$`, add('a'));
c(`netns at ${N}-a $$ extra`);

// ---- set and list-id ----
for (const v of ['0', '1', '5', '2147483647', 'auto', '0x10', '010', '-1', '-0', 'x', '', '2147483648', '1x', ' 7']) {
  c(`netns set ${N}-a '${v}'`, add('a'));
  c(`netns list-id`, [...add('a'), `ip netns set ${N}-a '${v}' || true`]);
}
c('netns set');
c(`netns set ${N}-a`, add('a'));
c(`netns set ${N}-a 3`);
c(`netns set ${N}-b 3`, [...add('a', 'b'), `ip netns set ${N}-a 3`]);
c(`netns set ${N}-a 4`, [...add('a'), `ip netns set ${N}-a 3`]);
c(`netns set ${N}-a 3`, [...add('a'), `ip netns set ${N}-a 3`]);
c(`netns set ${N}-a auto`, [...add('a'), `ip netns set ${N}-a 3`]);
c(`netns se ${N}-a auto extra`, add('a'));
for (const setup of [[], add('a'), [...add('a', 'b', 'c'), `ip netns set ${N}-a 2`, `ip netns set ${N}-c 0`], [...add('a', 'b'), `ip netns set ${N}-a auto`, `ip netns set ${N}-b auto`]]) {
  for (const args of ['', 'nsid 0', 'nsid 2', 'nsid 9', 'target-nsid 0', 'target-nsid 2', 'target-nsid 2 nsid 0', 'nsid 0 target-nsid 2',
    'nsid', 'target-nsid', 'nsid x', 'nsid -1', 'nsid -1 more', 'target-nsid -3', 'target-nsid -3 x', 'nsid 1 nsid 2', 'target-nsid 1 target-nsid 1',
    'bogus', 'nsid 0x2', 'nsid 02']) {
    c(`netns list-id ${args}`.trim(), setup);
  }
  c('-j netns list-id', setup);
  c('-j netns list-id nsid 2', setup);
  c('-j -p netns list-id', setup);
}
c(`-n ${N}-a netns list-id`, [...add('a', 'b'), `ip netns set ${N}-a 1`, `ip -n ${N}-a netns set ${N}-b 7`, `ip -n ${N}-a netns set ${N}-a 4`]);
c(`-n ${N}-a netns list`, [...add('a', 'b'), `ip -n ${N}-a netns set ${N}-b 7`]);
c(`-n ${N}-a netns list-id target-nsid 1`, [...add('a', 'b'), `ip netns set ${N}-a 1`, `ip netns set ${N}-b 2`, `ip -n ${N}-a netns set ${N}-b 7`]);
c(`netns list-id target-nsid 1`, [...add('a', 'b'), `ip netns set ${N}-a 1`, `ip netns set ${N}-b 2`, `ip -n ${N}-a netns set ${N}-b 7`]);

// ---- identify, pids ----
c('netns identify');
c('netns identify', add('a'));
c('netns identify $$', add('a'));
c('netns identify abc');
c('netns identify 1 2');
c('netns identify 999999999');
c('netns identify ""');
c('netns id', add('a'));
c('-j netns identify');
c(`netns exec ${N}-a ip netns identify`, add('a'));
c(`netns exec ${N}-a ip netns identify`, [...add('a'), `ip netns attach ${N}-b $$`]);
c('netns pids');
c(`netns pids ${N}-a`);
c(`netns pids ${N}-a`, add('a'));
c(`netns pids ${N}-a x`, add('a'));
c(`netns p ${N}-a`, add('a'));
c(`-j netns pids ${N}-a`, add('a'));

// ---- exec ----
c('netns exec');
c(`netns exec ${N}-a`, add('a'));
c(`netns exec ${N}-a true`);
c(`netns exec ${N}-a true`, ['mkdir -p /run/netns', 'touch /run/netns/tsn-netns-a']);
for (const code of [0, 1, 2, 3, 42, 127, 255]) c(`netns exec ${N}-a sh -c 'exit ${code}'`, add('a'));
for (const sig of ['TERM', 'INT', 'KILL', 'HUP', 'USR1']) c(`netns exec ${N}-a sh -c 'kill -${sig} $$'`, add('a'));
c(`netns exec ${N}-a tsn-netns-no-such-command`, add('a'));
c(`netns exec ${N}-a /etc/passwd`, add('a'));
c(`netns exec ${N}-a /etc`, add('a'));
c(`netns exec ${N}-a ip -br link`, add('a'));
c(`netns exec ${N}-a ip -br addr`, add('a'));
c(`netns exec ${N}-a ls /sys/class/net`, add('a'));
c(`netns exec ${N}-a sh -c 'ip link add tsn-v0 type veth peer name tsn-v1 && ls /sys/class/net'`, add('a'));
c(`netns exec ${N}-a sh -c 'grep -c " /sys sysfs" /proc/self/mounts; grep " /sys " /proc/self/mounts | cut -d" " -f1-3'`, add('a'));
c(`netns exec ${N}-a cat /etc/hosts`, [...add('a'), `mkdir -p /etc/netns/${N}-a`, `echo '10.9.9.9 tsn-netns-host' > /etc/netns/${N}-a/hosts`]);
c(`netns exec ${N}-a cat /etc/tsn-netns-missing`, [...add('a'), `mkdir -p /etc/netns/${N}-a`, `echo x > /etc/netns/${N}-a/tsn-netns-missing`]);
c(`netns exec ${N}-a sh -c 'env | grep -v ^[TS]='`, add('a'));
c(`netns exec ${N}-a sh -c 'echo out; echo err >&2; exit 4'`, add('a'));
c(`netns exec ${N}-a sh -c 'cat /proc/self/status | grep -E "^(Cap|NoNewPrivs|Seccomp)"'`, add('a'));
c(`netns exec ${N}-a sh -c 'test "$(readlink /proc/self/ns/mnt)" != "$M" && echo own-mount-ns'`, [...add('a'), 'export M=$(readlink /proc/self/ns/mnt)']);
c(`netns exec ${N}-a sh -c 'test "$(readlink /proc/self/ns/net)" = "$(readlink /run/netns/${N}-a 2>&1)" || stat -L -c %i /proc/self/ns/net /run/netns/${N}-a | uniq | wc -l'`, add('a'));
c(`netns exec ${N}-a ip netns list`, add('a', 'b'));
c(`netns exec ${N}-a ip netns add ${N}-c`, add('a'));
c(`netns exec ${N}-a ip netns del ${N}-b`, add('a', 'b'));
c(`netns exec ${N}-a -- true`, add('a'));
c(`netns e ${N}-a echo hi`, add('a'));
c(`netns ex ${N}-a echo hi there`, add('a'));
c(`-n ${N}-a netns exec ${N}-b ip -br link`, [...add('a', 'b'), `ip -n ${N}-b link add tsn-d0 address 02:00:00:00:00:20 type veth peer name tsn-d1 address 02:00:00:00:00:21`]);
c(`-all netns exec ip -br link`, [...add('a', 'b'), `ip -n ${N}-b link set lo up`]);
c(`-all netns exec sh -c 'exit 3'`, add('a', 'b'));
c(`-all netns exec`, add('a'));
c(`-all netns exec true`);
c(`-all netns exec echo hi`, ['mkdir -p /run/netns']);
c(`-all netns exec tsn-netns-no-such-command`, add('a', 'b'));
c(`-all netns exec sh -c 'kill -TERM $$'`, add('a', 'b'));
c(`-j -all netns exec echo x`, add('a'));

// ---- monitor: in the background while names come and go, then ended as Ctrl-C or kill would ----
// `wait` has its stderr elsewhere: sh prints "Hangup" or "Terminated" there when the job is still
// alive as the wait starts, a race between the shell and the tool's exit, not the tool's output.
const monitor = (setup: string[], between: string, sig = 'TERM') => c(`netns monitor (${between}; ${sig})`, setup, {
  raw: `$S $T netns monitor & p=$!; sleep 1.5; ${between}; sleep 0.5; kill -${sig} $p; wait $p 2>/dev/null`,
});
monitor([], `ip netns add ${N}-m; ip netns del ${N}-m`);
monitor(add('a'), `ip netns add ${N}-m; ip netns del ${N}-a; ip netns del ${N}-m`);
monitor(['mkdir -p /run/netns'], `touch /run/netns/${N}-f; rm /run/netns/${N}-f; ip netns add ${N}-m`, 'KILL');
monitor([], `ip netns attach ${N}-m $$; ip netns del ${N}-m`, 'HUP');

// ---- help, unknown, usage ----
for (const w of ['help', 'h', 'he', 'foo', 'lis', 'list-i', 'list-idx', 'Add', 'del-all', 'execute', 'attac']) c(`netns ${w}`);
c('netns help me');
c('netns foo bar');
c('netns foo ..');

// ---- -batch (with neigh and address lines) ----
const batch = (text: string, opts = '') => c(`${opts}-batch $B`, [], { batch: text });
batch(`netns add ${N}-b1
netns add ${N}-b2
netns list
netns set ${N}-b1 3
netns list-id
netns exec ${N}-b1 ip -br link
link add tsn-v0 address 02:00:00:00:00:10 type veth peer name tsn-v1 address 02:00:00:00:00:11
addr add 10.7.0.1/24 dev tsn-v0
neigh add 10.7.0.2 lladdr 02:00:00:00:00:02 dev tsn-v0 nud permanent
neigh show dev tsn-v0
addr show dev tsn-v0
link set tsn-v1 netns ${N}-b1
netns exec ${N}-b1 ip -br link
netns del ${N}-b2
netns list
`);
batch(`netns add ${N}-b1
netns exec ${N}-b1 sh -c 'exit 3'
netns list
`);
batch(`netns add ${N}-b1
netns exec ${N}-b1 sh -c 'exit 3'
netns list
`, '-force ');
batch(`netns add ${N}-b1
netns add ${N}-b1
netns list
`, '-force ');
batch(`netns add ${N}-b1
netns del ${N}-b1
netns del ${N}-b1
neigh show
`, '-force ');
batch(`netns add ${N}-b1
netns add ..
netns list
`, '-force ');
batch(`netns add ${N}-b1
netns exec ${N}-b1 sh -c 'kill -TERM $$'
netns list
`);
batch(`netns add ${N}-b1
netns exec ${N}-b1 ip link set lo up
netns exec ${N}-b1 ip -br addr
netns exec ${N}-b1 tsn-netns-nope
netns list
`, '-force ');

/** The state a case leaves: /run/netns's entries in directory order, its mounts (ids renamed by order of appearance), nsids. */
const STATE = `
  echo "## dir"; [ -d /run/netns ] && find /run/netns -maxdepth 1 -printf '%P %m %u %y\\n'
  echo "## mounts"; awk 'seen && $5 ~ "^/run/netns" { $1 = $2 = $3 = ""; print } / - tmpfs tsn-netns-run / { seen = 1 }' /proc/self/mountinfo
  echo "## nsids"; /usr/sbin/ip netns list-id 2>&1
`;

/** Removes what a case made (all inside the script's own mount namespace). */
const RESET = `
  if [ -d /run/netns ]; then
    umount -l /run/netns/* /run/netns/.[!.]* 2>/dev/null; while umount -l /run/netns 2>/dev/null; do :; done; rm -rf /run/netns
  fi
  if [ -d /etc/netns ]; then rm -rf /etc/netns; fi
`;

/** The script that runs cases [from, to) with one tool. */
function script(tool: string, dir: string, from: number, to: number): string {
  const lines = [
    'set +e',
    'mount -t tmpfs tsn-netns-run /run',
    `mount -t tmpfs tsn-netns-ov ${dir}/ov && mkdir ${dir}/ov/u ${dir}/ov/w`,
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/ov/u,workdir=${dir}/ov/w /etc`,
  ];
  cases.forEach((k, i) => {
    if (i < from || i >= to) return;
    const out = `${dir}/${tool}/${i}`;
    if (k.batch !== undefined) writeFileSync(`${dir}/batch-${i}`, k.batch);
    lines.push(`unshare -n sh -c '${[
      ...(k.setup ?? []).map((l) => `{ ${l}; } >/dev/null 2>&1`),
      k.raw !== undefined
        ? `B=${dir}/batch-${i}; { ${k.raw}; } >${out}.out 2>${out}.err; echo $? >${out}.rc`
        : `B=${dir}/batch-${i}; $T ${k.cmd} >${out}.out 2>${out}.err; echo $? >${out}.rc`,
      `{ ${STATE} } >${out}.state 2>&1`,
    ].join('\n').replace(/'/g, `'"'"'`)}'`);
    lines.push(RESET);
  });
  return lines.join('\n');
}

describe.runIf(root)('netns: tsnet against ip 6.1', () => {
  let dir: string;
  const results: Record<string, { out: string; err: string; rc: string; state: string }[]> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsn-netns-'));
    mkdirSync(join(dir, 'ov'));
    mkdirSync(join(dir, 'bin'));
    // tsnet under the name ip: its texts then name the program as ip's do.
    symlinkSync(TSNET, join(dir, 'bin', 'ip'));
    // Each tool's cases run in a few scripts side by side (tsnet's start-up is most of the time):
    // every script has mount and network namespaces of its own.
    const CHUNKS = 2;
    const size = Math.ceil(cases.length / CHUNKS);
    const tools = [['ip', '/usr/sbin/ip', 'stdbuf -oL'], ['tsnet', join(dir, 'bin', 'ip'), '']] as const;
    for (const [tool] of tools) mkdirSync(join(dir, tool));
    await Promise.all(tools.flatMap(([tool, path, stdbuf]) => Array.from({ length: CHUNKS }, async (_, k) => {
      const file = join(dir, `${tool}-${k}.sh`);
      writeFileSync(file, script(tool, join(dir), k * size, (k + 1) * size));
      const r = await runAsync('unshare', ['-m', '--propagation', 'private', 'sh', file], { ...process.env, T: path, S: stdbuf });
      if (r.code !== 0) throw new Error(`${tool} script ${k}: ${r.code} ${r.stderr}`);
    })));
    for (const [tool] of tools) {
      results[tool] = cases.map((_, i) => {
        const f = (ext: string) => readFileSync(join(dir, tool, `${i}.${ext}`), 'utf8');
        return { out: f('out'), err: f('err'), rc: f('rc'), state: f('state').replace(/net:\[\d+\]/g, 'net:[N]') };
      });
    }
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`runs ${cases.length} cases`, () => {
    expect(cases.length).toBeGreaterThan(300);
  });

  it.each(cases.map((k, i) => [i, k.cmd, k.setup?.length ?? 0] as const))('case %i: %s (after %i setup lines)', (i) => {
    const ipR = results.ip[i], ts = results.tsnet[i];
    expect({ ...ts, state: renumber(ts.state) }).toEqual({ ...ipR, state: renumber(ipR.state) });
  });

  it('makes the mounts ip makes: a shared /run/netns bound onto itself, each namespace bound on its file', () => {
    const i = cases.findIndex((k) => k.cmd === `netns add ${N}-a` && !k.setup?.length);
    const st = results.tsnet[i].state;
    expect(st).toMatch(/ \/netns \/run\/netns rw\S* shared:\d+ - tmpfs tsn-netns-run/);
    expect(st).toMatch(/ net:\[N\] \/run\/netns\/tsn-netns-a rw shared:\d+ - nsfs nsfs/);
  });

  it('gives the command its own /sys and /etc/netns files', () => {
    const sysfs = cases.findIndex((k) => k.cmd.includes('ls /sys/class/net') && k.cmd.includes('veth'));
    expect(results.tsnet[sysfs].out).toBe('lo\ntsn-v0\ntsn-v1\n');
    const hosts = cases.findIndex((k) => k.cmd.endsWith('cat /etc/hosts'));
    expect(results.tsnet[hosts].out).toBe('10.9.9.9 tsn-netns-host\n');
  });
});

function runAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/** Peer-group numbers (shared:N) by order of appearance: the same sharing, whatever numbers the kernel gave. */
function renumber(s: string): string {
  const seen = new Map<string, number>();
  return s.replace(/shared:(\d+)/g, (_, n: string) => {
    if (!seen.has(n)) seen.set(n, seen.size + 1);
    return `shared:${seen.get(n)}`;
  });
}

describe.runIf(root)('netns: the model\'s new namespace against the kernel\'s', () => {
  const name = `tsn-netns-fid-${process.pid}`;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsn-netns-fid-'));
  });
  afterAll(() => {
    run('ip', ['netns', 'del', name]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('netns add gives the same namespace: lo down, then up with its addresses, then down again', () => {
    const model = (args: string[]) => run(TSNET, ['--state', join(dir, 'state.json'), '--dry-run', ...args]);
    expect(run('ip', ['netns', 'add', name]).code).toBe(0);
    expect(model(['netns', 'add', name]).code).toBe(0);
    const steps = ['link', '-d link', '-j -d link', 'addr', '-j addr', 'neigh show nud all', '-s link', 'link set lo up', 'addr', '-j addr', 'link', '-s link',
      'link set lo down', 'addr', 'link', 'link set lo up', '-br addr'];
    for (const step of steps) {
      const args = step.split(' ');
      const k = run('ip', ['-n', name, ...args]);
      const m = model(['-n', name, ...args]);
      expect({ step, ...m }).toEqual({ step, ...k });
    }
  });
});
