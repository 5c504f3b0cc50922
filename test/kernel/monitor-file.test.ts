// `tsnet monitor file FILE` against `ip monitor file FILE`: saved netlink
// messages (rtmon's file of a namespace's changes: links, addresses,
// neighbours, netconf; iproute2 testsuite's
// generated SR-IOV link, broken files) printed by both from the same file,
// compared byte for byte with the exit status.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, TSNET, canRunKernelTests, destroyAll, run, words } from './harness.js';
import { vfLinkMessage } from './saved-messages.js';

const root = canRunKernelTests();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsnet-monfile-')); });
afterAll(() => {
  destroyAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The saved messages whose types are in `keep` (rtmon also saves routes and netconf, which tsnet does not print). */
function only(b: Buffer, keep: Set<number>): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off + 16 <= b.length;) {
    const len = b.readUInt32LE(off), end = off + ((len + 3) & ~3);
    if (keep.has(b.readUInt16LE(off + 4))) parts.push(b.subarray(off, end));
    off = end;
  }
  return Buffer.concat(parts);
}

/** nlmsghdr + payload, as rtmon writes one message. */
function message(type: number, payload: Buffer, flags = 0): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + payload.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags, 6);
  return Buffer.concat([h, payload, Buffer.alloc((-payload.length) & 3)]);
}

describe.runIf(root)('monitor file: saved messages, as ip monitor file prints them', () => {
  let ns: Netns;
  let saved: string, lan: string;
  beforeAll(async () => {
    ns = Netns.create('monfile');
    saved = join(dir, 'rtmon.nl');
    // rtmon saves a dump of the links, then every event, each after a time stamp.
    const rtmon = spawn('ip', ['netns', 'exec', ns.name, 'rtmon', 'file', saved], { stdio: 'ignore' });
    await sleep(500);
    for (const l of [
      'ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02', 'ip link set v0 up',
      'ip link set v1 up', 'ip addr add 10.5.0.1/24 dev v0', 'ip addr add 10.5.0.2/24 dev v0 label v0:sec',
      'ip -6 addr add 2001:db8::1/64 dev v0 nodad', 'ip neigh add 10.5.0.9 lladdr 02:00:00:00:00:09 dev v0',
      'ip neigh replace 10.5.0.9 lladdr 02:00:00:00:00:0a dev v0 nud stale', 'ip -6 neigh add 2001:db8::9 lladdr 02:00:00:00:00:09 dev v1',
      'ip neigh del 10.5.0.9 dev v0', 'ip link set v0 mtu 1400', 'ip link add br0 type bridge', 'ip link set v1 master br0',
      'ip addr del 10.5.0.1/24 dev v0', 'ip link set v1 nomaster', 'ip link del br0', 'ip link del v0',
    ]) ns.sh(l);
    await sleep(300);
    rtmon.kill('SIGTERM');
    await new Promise((r) => rtmon.on('close', r));
    lan = join(dir, 'lan.nl');
    // NLMSG_TSTAMP, links, addresses, neighbours, netconf.
    writeFileSync(lan, only(readFileSync(saved), new Set([15, 16, 17, 20, 21, 28, 29, 30, 80, 81])));
  });

  /** `args` with `file PATH` where it says FILE, or at its end. */
  const same = (args: string, file: string, prog = TSNET) => {
    const at = args.includes('FILE') ? args : `${args} FILE`;
    const argv = words(at).flatMap((w) => (w === 'FILE' ? ['file', file] : [w]));
    const t = ns.exec([prog, ...argv]);
    const i = ns.exec(['ip', ...argv]);
    expect(t).toEqual(i);
    return i;
  };

  it.each([
    'monitor', 'monitor label', 'monitor all', '-d monitor', '-o monitor', '-s monitor', '-4 monitor', '-6 monitor',
    '-4 monitor neigh', '-6 monitor label', 'monitor link', 'monitor neigh label', '-j monitor', '-br monitor',
    'monitor FILE dev lo', 'monitor dev v1 FILE', 'monitor address FILE label', '-d -s monitor label', '-N monitor',
  ])('%s (file of links, addresses, neighbours): the same bytes', (args) => {
    const i = same(args, lan);
    if (!args.includes('dev')) expect(i.stdout).toMatch(args.startsWith('-6') ? /2001:db8::9/ : /10\.5\.0\.9/);
  });

  it('a whole rtmon file: what tsnet prints is ip\'s; a type it cannot print (routes, unless tsnet prints them) is named once, status 1', () => {
    const t = ns.exec([TSNET, 'monitor', 'file', saved]);
    const i = ns.exec(['ip', 'monitor', 'file', saved]);
    expect(i.code).toBe(0);
    const named = t.stderr.split('\n').filter(Boolean);
    for (const l of named) expect(l).toMatch(/^tsnet monitor: saved message type \d+ \(RTM_\w+\) is not printed by tsnet$/);
    expect(new Set(named).size).toBe(named.length);
    expect(t.code).toBe(named.length ? 1 : 0);
    // tsnet's lines are ip's, in ip's order.
    const ipLines = i.stdout.split('\n');
    let at = 0;
    for (const l of t.stdout.split('\n')) {
      const k = ipLines.indexOf(l, at);
      expect(k, l).toBeGreaterThanOrEqual(0);
      at = k + 1;
    }
    expect(t.stdout).toMatch(/^inet6? \S+ forwarding off /m);
    if (!named.length) expect(t.stdout).toBe(i.stdout);
  });

  it('iproute2 testsuite\'s SR-IOV link (generate_nlmsg): its VF list with -d, the same bytes', () => {
    const vf = join(dir, 'dev_wo_vf_rate.nl');
    writeFileSync(vf, vfLinkMessage());
    for (const a of ['-d monitor', 'monitor', '-d -j monitor', '-o -d monitor', '-d monitor label']) {
      const i = same(a, vf);
      if (a.startsWith('-d monitor')) expect(i.stdout).toContain('vf 1     link/ether 00:26:6c:ff:b5:c0, spoof checking on, link-state auto');
    }
    // VFs with more set: vlan, qos, rates, trust, and a list that says 3 VFs but holds 2.
    const more = join(dir, 'vf-more.nl');
    writeFileSync(more, vfLinkMessage({ vlan: 7, qos: 3, txRate: 100, rate: [10, 200], trust: 1, linkState: 1, numVf: 3 }));
    for (const a of ['-d monitor', '-d -j monitor', 'monitor', '-d -o monitor']) same(a, more);
  });

  it('broken and odd files: ip\'s errors and status', () => {
    const good = readFileSync(lan);
    const files: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['short-header', good.subarray(0, 10)],
      ['short-payload', good.subarray(0, 40)],
      ['malformed', Buffer.concat([message(16, Buffer.alloc(0)).fill(0, 0, 4).fill(8, 0, 1)])],
      ['huge', Buffer.concat([good.subarray(0, 24), Buffer.from([0, 0, 1, 0])]).fill(0xff, 1, 3)],
      ['unknown-type', Buffer.concat([message(64, Buffer.alloc(20)), message(1, Buffer.alloc(0)), good])],
      ['done-error-noop', Buffer.concat([message(3, Buffer.alloc(4)), message(2, Buffer.alloc(20)), good])],
    ];
    for (const [name, bytes] of files) {
      const f = join(dir, `${name}.nl`);
      writeFileSync(f, bytes);
      same('monitor', f);
    }
    same('monitor', join(dir, 'nonexistent.nl'));
    same('monitor', dir);
    same('monitor', '');
  });

  it('in a -j batch: the file as text, the lines after it as JSON (ip 6.1 fails them: its monitor closed the socket)', () => {
    const vf = join(dir, 'batch-vf.nl');
    writeFileSync(vf, vfLinkMessage());
    const batch = join(dir, 'monitor.batch');
    writeFileSync(batch, `monitor file ${vf}\nlink show dev lo\n`);
    const t = ns.exec([TSNET, '-j', '-batch', batch]);
    const i = ns.exec(['ip', '-j', '-batch', batch]);
    expect(i).toMatchObject({ code: 1, stderr: 'request send failed: Bad file descriptor\n' });
    expect(t.code).toBe(0);
    expect(t.stderr).toBe('');
    // The file's lines are ip's; then the link as `ip -j link show dev lo` prints it.
    expect(t.stdout).toBe(i.stdout + ns.exec(['ip', '-j', 'link', 'show', 'dev', 'lo']).stdout);
  });

  it('under --dry-run the file is printed the same (names come from the file and the model)', () => {
    const vf = join(dir, 'dev_wo_vf_rate.nl');
    const t = run(TSNET, ['--dry-run', '-d', 'monitor', 'file', vf], { env: { XDG_STATE_HOME: join(dir, 'state') } });
    expect(t).toEqual(run('ip', ['-d', 'monitor', 'file', vf]));
  });
});
