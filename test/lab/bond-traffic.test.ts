// The model's bond traffic against the real driver, in the VM lab: a bond
// kb0 over two veth slaves whose other ends sit in a peer namespace (the
// lab's kernel has no bridge module; in the model, which keeps each link on its host, the other ends
// stay on the host), the same tsnet commands on both, then UDP datagrams
// from port 50000 to port 9 of addresses the bond reaches by permanent
// entries (no ARP, IPv6 off: only these frames cross). What is compared is
// how many frames each peer end received (its RX counter): balance-rr's
// spread (with packets_per_slave), broadcast's copies, and balance-xor's
// slave per flow for layer2, layer2+3 and layer3+4. The flows are sent 1, 2
// and 4 times, so each slave's count says which flows it carried.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { inLab } from './lab.js';
import { TSNET } from '../tsnet-bin.js';

const dir = mkdtempSync(join(tmpdir(), 'tsnet-bondtx-'));
const PEER_MAC = '02:00:00:00:0e:01';

function sh(cmd: string): string {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
}

function tsnet(args: string[], state: string | undefined, input?: string) {
  const r = spawnSync(TSNET, [...(state ? ['--dry-run', '--state', state] : []), ...args], { encoding: 'utf8', input });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

/** The bond and its slaves, as tsnet makes them on both sides. */
function setup(opts: string, flows: [string, number][]): string[] {
  return [
    `link add kb0 address 02:00:00:00:0b:00 type bond ${opts}`,
    'link add lv1 type veth peer name lp1', 'link add lv2 type veth peer name lp2',
    'link set lv1 master kb0', 'link set lv2 master kb0', 'link set kb0 up', 'addr add 10.9.0.2/24 dev kb0',
    ...flows.map(([dst]) => `neigh add ${dst} lladdr ${PEER_MAC} dev kb0 nud permanent`),
  ];
}

/** RX packets of lp1 and lp2, from `-j -s link show` (tsnet's own, on the kernel or the model). */
function rx(state: string | undefined, netns?: string): number[] {
  const pre = netns ? ['-n', netns] : [];
  const out = tsnet([...pre, '-j', '-s', 'link', 'show'], state);
  const links = JSON.parse(out.stdout) as { ifname: string; stats64: { rx: { packets: number } } }[];
  return ['lp1', 'lp2'].map((n) => links.find((l) => l.ifname === n)?.stats64.rx.packets ?? -1);
}

/**
 * The driver: the peer namespace (the lab's kernel has no bridge module, so
 * the peer ends stay apart there; their RX counters count every frame), the
 * bond made by tsnet, the peer ends moved there; then the datagrams, pinned
 * to one CPU (rr_tx_counter is per CPU).
 */
function onKernel(opts: string, flows: [string, number][]): number[] {
  // The VM's own namespace is shared with the lab files that run after this one (the kernel's
  // dev_addr_lists.sh needs IPv6 there): its IPv6 switches are put back as they were.
  const ipv6Was = sh('sysctl -n net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6').split('\n');
  try {
    sh('sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1');
    sh('ip netns add lbp && ip -n lbp link set lo up && ip netns exec lbp sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1');
    const r = tsnet(['-batch', '-'], undefined, setup(opts, flows).join('\n') + '\n');
    expect(r.stderr).toBe('');
    for (const p of ['lp1', 'lp2']) sh(`ip link set ${p} netns lbp && ip -n lbp link set ${p} up`);
    sh('sleep 2');
    const before = rx(undefined, 'lbp');
    for (const [dst, n] of flows) {
      sh(`taskset -c 0 node -e "const s=require('dgram').createSocket('udp4');let n=${n};s.bind(50000,()=>{const go=()=>s.send('x',9,'${dst}',()=>--n?go():s.close());go();})"`);
    }
    sh('sleep 1');
    const after = rx(undefined, 'lbp');
    return after.map((v, i) => v - before[i]);
  } finally {
    spawnSync('sh', ['-c', 'ip link del kb0; ip link del lv1; ip link del lv2; ip netns del lbp; sleep 1'], { encoding: 'utf8' });
    sh(`sysctl -qw net.ipv6.conf.all.disable_ipv6=${ipv6Was[0]} net.ipv6.conf.default.disable_ipv6=${ipv6Was[1]}`);
  }
}

/** The model: the same commands on a fresh state, the peer ends brought up on the host, then sim send. */
function onModel(opts: string, flows: [string, number][], name: string): number[] {
  const state = join(dir, `${name.replace(/\W+/g, '_')}.json`);
  const r = tsnet(['-batch', '-'], state, [...setup(opts, flows), 'link set lp1 up', 'link set lp2 up'].join('\n') + '\n');
  expect(r.stderr).toBe('');
  const before = rx(state);
  for (const [dst, n] of flows) expect(tsnet(['sim', 'send', dst, 'count', String(n)], state).code).toBe(0);
  const after = rx(state);
  return after.map((v, i) => v - before[i]);
}

const FLOWS: [string, number][] = [['10.9.0.7', 1], ['10.9.0.8', 2], ['10.9.0.9', 4]];
const CASES: { name: string; opts: string; flows: [string, number][]; expected: number[] }[] = [
  { name: 'balance-rr spreads 6 over two slaves', opts: 'mode balance-rr', flows: [['10.9.0.7', 6]], expected: [3, 3] },
  { name: 'balance-rr packets_per_slave 2', opts: 'mode balance-rr packets_per_slave 2', flows: [['10.9.0.7', 5]], expected: [3, 2] },
  { name: 'broadcast sends on both', opts: 'mode broadcast', flows: [['10.9.0.7', 4]], expected: [4, 4] },
  { name: 'balance-xor layer2', opts: 'mode balance-xor xmit_hash_policy layer2', flows: FLOWS, expected: [0, 7] },
  { name: 'balance-xor layer2+3', opts: 'mode balance-xor xmit_hash_policy layer2+3', flows: FLOWS, expected: [5, 2] },
  { name: 'balance-xor layer3+4', opts: 'mode balance-xor xmit_hash_policy layer3+4', flows: FLOWS, expected: [6, 1] },
];

describe.skipIf(!inLab)('the model\'s bond traffic agrees with the driver', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CASES)('$name: frames per slave, driver and model', ({ name, opts, flows, expected }) => {
    const model = onModel(opts, flows, name);
    const kernel = onKernel(opts, flows);
    expect({ name, kernel, model }).toEqual({ name, kernel: expected, model: expected });
  }, 120_000);
});
