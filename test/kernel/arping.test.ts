// tsnet arping against iputils arping in namespaces: the same stdout (RTT
// figures masked), stderr and exit code; the same frames on the wire
// (captured in the peer namespace); the same effect on the peer's cache.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, type Result, TSNET, canRunKernelTests, destroyAll, run } from './harness.js';

const root = canRunKernelTests();
const hasArping = run('sh', ['-c', 'arping -V 2>&1']).stdout.includes('iputils');

/** RTT figures differ run to run; everything else must not. */
const mask = (r: Result): Result => ({ ...r, stdout: r.stdout.replace(/ \d+\.\d{3}ms$/gm, ' N.NNNms') });

describe.runIf(root && hasArping)('tsnet arping is iputils arping', () => {
  let a: Netns, b: Netns;
  beforeAll(() => {
    a = Netns.create('arp');
    b = Netns.create('arp');
    for (const ns of [a, b]) ns.sh('sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1');
    a.sh(`ip link add va type veth peer name vb netns ${b.name}`);
    a.sh('ip link set va address 02:00:00:00:0a:01');
    b.sh('ip link set vb address 02:00:00:00:0b:02');
    a.sh('ip addr add 10.9.0.1/24 dev va');
    b.sh('ip addr add 10.9.0.2/24 dev vb');
    b.sh('ip addr add 10.9.0.3/24 dev vb');
    a.sh('ip link set va up');
    b.sh('ip link set vb up');
    a.sh('ip link add vx type veth peer name vy'); // vx stays down
    a.sh('ip link set vy up');
    a.sh('ip link set vy arp off');
  });
  afterAll(destroyAll);

  const both = (args: string) => {
    const w = args.split(' ').filter(Boolean);
    const t = a.exec([TSNET, 'arping', ...w]);
    const i = a.exec(['arping', ...w]);
    return { t: mask(t), i: mask(i) };
  };

  const cases = [
    '-c 1 10.9.0.2', '-c 2 10.9.0.2', '-c 2 -I va 10.9.0.2', '-c 1 -w 1 10.9.0.99', '-w 2 -I va 10.9.0.99',
    '-w 2 10.9.0.2', '-c 2 -w 5 10.9.0.2', '-f 10.9.0.2', '-q -c 1 10.9.0.2', '-b -c 2 10.9.0.2',
    '-D -c 1 -I va 10.9.0.2', '-D -c 2 -I va 10.9.0.77', '-D -w 1 -I va 10.9.0.77', '-U -c 1 -I va 10.9.0.1',
    '-A -c 1 -I va 10.9.0.1', '-U -s 10.9.0.1 -c 1 -I va 10.9.0.2', '-s 10.9.0.1 -c 1 10.9.0.3', '-i 0 -c 3 -w 1 10.9.0.99',
    '-c 1 -I va 10.10.0.5', '10.9.0.2 -c 1', '-fqc1 10.9.0.2',
    // errors
    '-I lo 10.9.0.2', '-D -I lo 10.9.0.2', '-c 1 -I vx 10.9.0.2', '-D -c 1 -I vx 10.9.0.2', '-c 1 -I vy 10.9.0.2',
    '-I nosuch 10.9.0.2', '-c 0 10.9.0.2', '-c abc 10.9.0.2', '-w -1 10.9.0.2', '-i x 10.9.0.2',
    '-s 10.9.0.50 -c 1 10.9.0.2', '-s bogus 10.9.0.2', '-c 1 192.0.2.1', '10.9.0.2 10.9.0.3', '', '-h', '-x 10.9.0.2',
    '-c', '-c 1 no.such.host.invalid',
  ];
  for (const c of cases) {
    it(c || '(no arguments)', () => {
      const { t, i } = both(c);
      expect(t).toEqual(i);
    });
  }

  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Frames from our side that reach the peer while `cmd` runs, as tcpdump -xx shows them. */
  async function frames(cmd: string[]): Promise<string[]> {
    const cap = spawn('ip', ['netns', 'exec', b.name, 'tcpdump', '-l', '-n', '-xx', '-i', 'vb', 'arp and ether src 02:00:00:00:0a:01'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    cap.stdout.on('data', (d) => (text += d));
    await new Promise<void>((resolve) => {
      cap.stderr.on('data', (d) => { if (String(d).includes('listening')) resolve(); });
      setTimeout(resolve, 5000);
    });
    await new Promise((r) => spawn('ip', ['netns', 'exec', a.name, ...cmd], { stdio: 'ignore' }).on('close', r));
    await pause(300);
    cap.kill('SIGINT');
    await new Promise((r) => cap.on('close', r));
    return text.split('\n').filter((l) => l.startsWith('\t0x')).map((l) => l.trim());
  }

  for (const c of ['-c 2 10.9.0.2', '-D -c 1 -I va 10.9.0.77', '-U -c 1 -I va 10.9.0.1', '-A -c 1 -I va 10.9.0.1', '-b -c 2 10.9.0.2']) {
    it(`puts the same bytes on the wire: ${c}`, async () => {
      const w = c.split(' ');
      const t = await frames([TSNET, 'arping', ...w]);
      const i = await frames(['arping', ...w]);
      expect(i.length).toBeGreaterThan(0);
      expect(t).toEqual(i);
    });
  }

  for (const accept of [0, 1]) {
    for (const mode of ['-U', '-A']) {
      it(`changes the peer's cache as iputils does: ${mode} with arp_accept ${accept}`, () => {
        b.sh(`sysctl -qw net.ipv4.conf.vb.arp_accept=${accept}`);
        const after = (cmd: string[]) => {
          b.exec(['ip', 'neigh', 'flush', 'dev', 'vb']);
          b.exec(['ip', 'neigh', 'del', '10.9.0.1', 'dev', 'vb']);
          a.exec(cmd);
          return b.ip('neigh show dev vb').stdout;
        };
        const t = after([TSNET, 'arping', mode, '-c', '1', '-I', 'va', '10.9.0.1']);
        const i = after(['arping', mode, '-c', '1', '-I', 'va', '10.9.0.1']);
        expect(t).toEqual(i);
        if (accept) expect(t).toContain('10.9.0.1 lladdr 02:00:00:00:0a:01 STALE');
        else expect(t).toBe('');
      });
    }
  }

  it('prints the statistics on SIGINT, as iputils does', async () => {
    const sig = async (cmd: string[]) => {
      const p = spawn('ip', ['netns', 'exec', a.name, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      await new Promise((r) => setTimeout(r, 1600));
      p.kill('SIGINT');
      const code = await new Promise<number>((r) => p.on('close', (c) => r(c ?? -1)));
      return { out: out.replace(/ \d+\.\d{3}ms$/gm, ' N.NNNms'), code };
    };
    const t = await sig([TSNET, 'arping', '10.9.0.2']);
    const i = await sig(['arping', '10.9.0.2']);
    expect(t).toEqual(i);
    expect(t.out).toMatch(/Sent 2 probes \(1 broadcast\(s\)\)\nReceived 2 response\(s\)\n$/);
  });

  // iputils's binary carries cap_net_raw as a file capability, so it cannot be run without it
  // for comparison; its message for this case is error(2, errno, "socket") in arping.c.
  it('without CAP_NET_RAW says what iputils says', () => {
    const nobody = ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups'];
    const t = a.exec([...nobody, TSNET, 'arping', '-c', '1', '10.9.0.2']);
    expect(t).toEqual({ stdout: '', stderr: 'arping: socket: Operation not permitted\n', code: 2 });
  });

  it('-j prints one object per reply and a summary', () => {
    const r = a.exec([TSNET, 'arping', '-j', '-c', '2', '10.9.0.2']);
    const objs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(objs).toHaveLength(3);
    expect(objs[0]).toMatchObject({ type: 'reply', unicast: true, from: '10.9.0.2', mac: '02:00:00:00:0b:02', for: '10.9.0.1' });
    expect(objs[0].rtt_ms).toBeGreaterThan(0);
    expect(objs[2]).toEqual({ type: 'summary', sent: 2, broadcasts: 1, received: 2, requests: 0, broadcast_replies: 0 });
  });
});
