// npm run bench: tsnet against ip and `node -e 0`, measured in one run so the
// ratios hold whatever else the machine is doing. Needs root (namespaces);
// every namespace it makes is deleted at the end, also on failure.
// Other benches (arp codec, arping RTT, model) live beside this file as
// bench-*.mjs and run after this one when present.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsnet = join(root, 'bin', 'run.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const made = [];
const tmp = mkdtempSync(join(tmpdir(), 'tsnet-bench-'));

function sh(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.status}`);
  return r.stdout;
}

function netns(name) {
  sh('ip', ['netns', 'add', name]);
  made.push(name);
  sh('ip', ['-n', name, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
  sh('ip', ['-n', name, 'link', 'set', 'v0', 'up']);
  sh('ip', ['-n', name, 'link', 'set', 'v1', 'up']);
  return name;
}

function delNetns(name) {
  spawnSync('ip', ['netns', 'del', name]);
  made.splice(made.indexOf(name), 1);
}

/** Wall time of one run of a command, in ms. */
function once(cmd, args, input) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median wall time of several commands, interleaved run by run so drift hits all alike. */
function race(cases, runs = RUNS) {
  const times = cases.map(() => []);
  for (let i = 0; i < runs; i++) cases.forEach(([cmd, args], k) => times[k].push(once(cmd, args)));
  return times.map(median);
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;
const rows = [];
/** Figures the other benches compare with, passed in their environment. */
const shared = {};
function row(what, value, goal, ok) {
  rows.push({ what, value, goal, ok });
  console.log(`${ok === undefined ? '    ' : ok ? 'ok  ' : 'MISS'} ${what}: ${value}${goal ? `   (goal ${goal})` : ''}`);
}

try {
  if (process.getuid?.() !== 0) {
    console.log('bench: needs root (it makes network namespaces); skipped');
    process.exit(0);
  }
  console.log(`tsnet bench, ${RUNS} runs per figure, medians\n`);

  // 1. Start-up: a small table.
  const small = netns(`tsn-bench-s${process.pid}`);
  for (let i = 1; i <= 5; i++) sh('ip', ['-n', small, 'neigh', 'add', `10.9.0.${i}`, 'lladdr', `02:00:00:00:00:0${i}`, 'dev', 'v0']);
  const [node0, tsSmall, ipSmall] = race([
    ['node', ['-e', '0']],
    ['node', [tsnet, '-n', small, 'neigh', 'show']],
    ['ip', ['-n', small, 'neigh', 'show']],
  ]);
  row('node -e 0', fmt(node0));
  row('ip neigh show (5 entries)', fmt(ipSmall));
  row('tsnet neigh show (5 entries)', `${fmt(tsSmall)} = ${(tsSmall / node0).toFixed(2)} x node -e 0`, '<= 1.25 x', tsSmall / node0 <= 1.25);

  // 2. 10,000 neighbours: extra time over an empty table, tsnet vs ip.
  const empty = netns(`tsn-bench-e${process.pid}`);
  const big = netns(`tsn-bench-b${process.pid}`);
  const lines = [];
  for (let i = 0; i < 10000; i++) {
    const a = `10.${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    const mac = `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    lines.push(`neigh add ${a} lladdr ${mac} dev v0 nud permanent`);
  }
  const batchFile = join(tmp, 'neigh-10000.batch');
  writeFileSync(batchFile, lines.join('\n') + '\n');
  sh('ip', ['-n', big, '-batch', batchFile]);
  const count = sh('ip', ['-n', big, 'neigh', 'show']).split('\n').filter(Boolean).length;
  const [tsEmpty, ipEmpty, tsBig, ipBig] = race([
    ['node', [tsnet, '-n', empty, 'neigh', 'show']],
    ['ip', ['-n', empty, 'neigh', 'show']],
    ['node', [tsnet, '-n', big, 'neigh', 'show']],
    ['ip', ['-n', big, 'neigh', 'show']],
  ], Math.max(10, RUNS / 2));
  const tsExtra = tsBig - tsEmpty, ipExtra = ipBig - ipEmpty;
  row(`ip neigh show, ${count} entries vs empty`, `${fmt(ipBig)} - ${fmt(ipEmpty)} = +${fmt(ipExtra)}`);
  shared.BENCH_TSNET_10K_MS = tsBig.toFixed(1);
  row(`tsnet neigh show, ${count} entries vs empty`, `${fmt(tsBig)} - ${fmt(tsEmpty)} = +${fmt(tsExtra)} = ${(tsExtra / ipExtra).toFixed(2)} x ip's extra`, '<= 2 x', tsExtra <= 2 * ipExtra);
  delNetns(big);

  // 3. -batch of 10,000 neigh add, each tool into a fresh namespace.
  const batchRuns = Math.max(3, Math.round(RUNS / 6));
  const ipB = [], tsB = [];
  for (let i = 0; i < batchRuns; i++) {
    const a = netns(`tsn-bench-ia${process.pid}`);
    ipB.push(once('ip', ['-n', a, '-batch', batchFile]));
    delNetns(a);
    const b = netns(`tsn-bench-ta${process.pid}`);
    tsB.push(once('node', [tsnet, '-n', b, '-batch', batchFile]));
    delNetns(b);
  }
  const ipBatch = median(ipB), tsBatch = median(tsB);
  row('ip -batch, 10000 neigh add', fmt(ipBatch));
  row('tsnet -batch, 10000 neigh add', `${fmt(tsBatch)} = ${(tsBatch / ipBatch).toFixed(2)} x ip`, '<= 1.5 x', tsBatch <= 1.5 * ipBatch);

  // 4. addr show with 1,000 addresses on one device, and 5. link show with 200 veth pairs:
  // each as extra time over the empty namespace, tsnet's against ip's.
  const extra = (what, full, args) => {
    const [tsE, ipE, tsF, ipF] = race([
      ['node', [tsnet, '-n', empty, ...args]],
      ['ip', ['-n', empty, ...args]],
      ['node', [tsnet, '-n', full, ...args]],
      ['ip', ['-n', full, ...args]],
    ], Math.max(10, RUNS / 2));
    const t = tsF - tsE, i = ipF - ipE;
    row(`ip ${args.join(' ')}, ${what} vs empty`, `${fmt(ipF)} - ${fmt(ipE)} = +${fmt(i)}`);
    row(`tsnet ${args.join(' ')}, ${what} vs empty`, `${fmt(tsF)} - ${fmt(tsE)} = +${fmt(t)} = ${(t / i).toFixed(2)} x ip's extra`, '<= 2 x', t <= 2 * i);
  };
  const addrs = netns(`tsn-bench-a${process.pid}`);
  const addrFile = join(tmp, 'addr-1000.batch');
  writeFileSync(addrFile, Array.from({ length: 1000 }, (_, i) => `addr add 10.20.${i >> 7}.${(i & 127) + 1}/16 dev v0`).join('\n') + '\n');
  sh('ip', ['-n', addrs, '-batch', addrFile]);
  extra('1000 addresses', addrs, ['addr', 'show']);
  delNetns(addrs);
  const links = netns(`tsn-bench-l${process.pid}`);
  const linkFile = join(tmp, 'link-200.batch');
  writeFileSync(linkFile, Array.from({ length: 200 }, (_, i) => `link add a${i} type veth peer name b${i}`).join('\n') + '\n');
  sh('ip', ['-n', links, '-batch', linkFile]);
  extra('200 veth pairs', links, ['link', 'show']);
  delNetns(links);
} finally {
  for (const n of [...made]) delNetns(n);
  rmSync(tmp, { recursive: true, force: true });
}

// The other benches, each printing its own figures.
for (const f of readdirSync(join(root, 'scripts')).filter((f) => /^bench-.*\.mjs$/.test(f)).sort()) {
  console.log(`\n== ${f}`);
  const r = spawnSync('node', [join(root, 'scripts', f)], { stdio: 'inherit', env: { ...process.env, ...shared } });
  if (r.status !== 0) console.log(`${f} exited ${r.status}`);
}
const missed = rows.filter((r) => r.ok === false).length;
console.log(`\n${missed ? `${missed} goal(s) missed` : 'all goals met'}`);
if (!existsSync(tsnet)) process.exit(1);
