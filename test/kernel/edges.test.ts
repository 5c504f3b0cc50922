// ip's edges where tsnet used to differ (issue 17, item 8), each checked
// against live ip 6.1 in a namespace: -batch keeps do_link from the line
// before, a trailing -ts after the object is the command's word, `a --` is an
// unknown command, and monitor ends by the signal that stopped it.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, TSNET, canRunKernelTests, destroyAll } from './harness.js';

const root = canRunKernelTests();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(root)('ip edges', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create('edge');
    ns.sh('ip link add v0 type veth peer name v1');
    ns.sh('ip addr add 192.0.2.1/24 dev v0');
    ns.sh('ip neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev v0');
  });
  afterAll(destroyAll);

  const batches = [
    'link show dev lo\naddr show dev lo\n', 'link show dev lo\naddr\n', 'link\naddr show dev v0\nneigh show\n',
    'link show dev lo\naddr show to 127.0.0.0/8\n', 'addr show dev lo\nlink show dev lo\naddr show dev lo\n',
    'link show dev lo\naddr flush dev lo label nothing\n', 'link show dev lo\n-br addr\n',
  ];
  it.each(batches)('-batch keeps what a line set, as ip 6.1: %j', (input) => {
    const [t, i] = ns.compare(['-batch', '-'], input);
    expect(t).toEqual(i);
  });

  it.each([['-force', 'l', 'change', '-ts'], ['link', 'set', '-j'], ['a', '--'], ['neigh', 'show', 'dev', '-j']].map((a) => [a.join(' '), a] as const))('%s: the last word is the command\'s, as in ip', (_name, args) => {
    const [t, i] = ns.compare(args);
    expect(t).toEqual(i);
    expect(t.code).not.toBe(0);
  });

  /** Starts a monitor; resolves to how it ended. */
  function start(cmd: string, args: string[]) {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => p.on('close', (code, signal) => r({ code, signal })));
    return { p, ended };
  }
  it.each(['SIGINT', 'SIGTERM'] as const)('monitor ends by %s as ip does (130/143 in a shell)', async (sig) => {
    const ip = start('ip', ['-n', ns.name, 'monitor']);
    const ts = start(TSNET, ['-n', ns.name, 'monitor']);
    await sleep(1500);
    ip.p.kill(sig);
    ts.p.kill(sig);
    expect(await ts.ended).toEqual(await ip.ended);
    expect((await ts.ended).signal).toBe(sig);
  }, 20000);

  // node resets every signal disposition at start-up, so only the executable (bin/tsnet's default) can see it.
  it.skipIf(TSNET.endsWith('run.js') || !!process.env.TSNET_NODE)('monitor started with SIGINT ignored keeps running on SIGINT, as ip does', async () => {
    const both = ['ip', TSNET].map((prog) => start('sh', ['-c', `trap '' INT; exec ${prog} -n ${ns.name} monitor`]));
    await sleep(1500);
    for (const m of both) m.p.kill('SIGINT');
    await sleep(700);
    expect(both.map((m) => m.p.exitCode === null && m.p.signalCode === null)).toEqual([true, true]);
    for (const m of both) m.p.kill('SIGTERM');
    expect((await Promise.all(both.map((m) => m.ended))).map((e) => e.signal)).toEqual(['SIGTERM', 'SIGTERM']);
  }, 20000);

  it('monitor ends by SIGPIPE when its reader has gone (141), as ip does', async () => {
    const line = (prog: string) => `${prog} -n ${ns.name} monitor | true; echo \${PIPESTATUS[0]}`;
    const ip = start('bash', ['-c', line('ip')]);
    const ts = start('bash', ['-c', line(TSNET)]);
    let out = '';
    ts.p.stdout.on('data', (d) => { out += d; });
    let ipOut = '';
    ip.p.stdout.on('data', (d) => { ipOut += d; });
    await sleep(1500);
    ns.sh('ip link set v0 up');
    ns.sh('ip link set v0 down');
    await Promise.all([ip.ended, ts.ended]);
    expect(ipOut).toBe('141\n');
    expect(out).toBe('141\n');
  }, 20000);
});
