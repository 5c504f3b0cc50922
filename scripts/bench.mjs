// npm run bench: tsnet against ip, measured in one run so the ratios hold
// whatever else the machine is doing. Needs root (namespaces); every
// namespace it makes is deleted at the end, also on failure.
// tsnet is the command users get, bin/tsnet (the Bun-compiled executable where
// the build made one), or $TSNET_BIN as for the tests; the Node bundle's
// start-up and `node -e 0` are measured beside it for reference.
// The figures, their goals and whether each is met are written as JSON to
// bench/results.json (or $BENCH_OUT), with the commit they were measured on:
// commit that file to compare figures across commits (git log -p bench/results.json).
// Other benches (arp codec, arping RTT, model) live beside this file as
// bench-*.mjs and run after this one when present.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsnet = resolve(root, process.env.TSNET_BIN ?? 'bin/tsnet');
const nodeFront = join(root, 'bin', 'run.js');
const exe = join(root, 'dist', 'tsnet-linux-x64');
const out = resolve(root, process.env.BENCH_OUT ?? 'bench/results.json');
const runtime = tsnet.endsWith('.js') ? 'node' : existsSync(exe) && !process.env.TSNET_NODE ? 'bun executable' : 'node (no executable built)';
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

/** The neighbour entries of every namespace together (/proc/net/stat/arp_cache: the ARP table is one). */
function arpEntries() {
  return parseInt(readFileSync('/proc/net/stat/arp_cache', 'utf8').split('\n')[1].trim().split(/\s+/)[0], 16);
}
const arpBase = arpEntries();
const sleepMs = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Deletes a namespace and waits until the kernel is done with it. The cleanup runs on a kernel
 * thread after `ip netns del` returns, holding the RTNL lock the next figure's dumps take: with a
 * batch's 10,000 entries still going, the next figure's medians moved by milliseconds (an addr
 * show run read 3.8x ip's extra, the run before and after it 1.0x). Its entries leaving the ARP
 * table mark most of it (waited for up to 2 s: a batch's 10,000 take longer to be freed, and the
 * bench would take minutes); a short pause covers the devices.
 */
function delNetns(name) {
  spawnSync('ip', ['netns', 'del', name]);
  made.splice(made.indexOf(name), 1);
  for (let i = 0; i < 40 && arpEntries() > arpBase; i++) sleepMs(50);
  sleepMs(300);
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
/** One printed line; `figure` (ms and ratios, the goal as a number) goes into the JSON. */
function row(what, value, goal, ok, figure = {}) {
  rows.push({ what, ...figure, ...(goal ? { goal, ok } : {}) });
  console.log(`${ok === undefined ? '    ' : ok ? 'ok  ' : 'MISS'} ${what}: ${value}${goal ? `   (goal ${goal})` : ''}`);
}
const r2 = (x) => Math.round(x * 100) / 100;

try {
  if (process.getuid?.() !== 0) {
    console.log('bench: needs root (it makes network namespaces); skipped');
    process.exit(0);
  }
  console.log(`tsnet bench, ${RUNS} runs per figure, medians; tsnet = ${tsnet} (${runtime})\n`);

  // 1. Start-up: a small table, the cost of one call in a script's loop.
  const small = netns(`tsn-bench-s${process.pid}`);
  for (let i = 1; i <= 5; i++) sh('ip', ['-n', small, 'neigh', 'add', `10.9.0.${i}`, 'lladdr', `02:00:00:00:00:0${i}`, 'dev', 'v0']);
  const [node0, nodeSmall, tsSmall, ipSmall] = race([
    ['node', ['-e', '0']],
    ['node', [nodeFront, '-n', small, 'neigh', 'show']],
    [tsnet, ['-n', small, 'neigh', 'show']],
    ['ip', ['-n', small, 'neigh', 'show']],
  ], 2 * RUNS);
  row('node -e 0', fmt(node0), undefined, undefined, { name: 'node-e0', ms: r2(node0) });
  row('ip neigh show (5 entries)', fmt(ipSmall), undefined, undefined, { name: 'ip-startup', ms: r2(ipSmall) });
  row('tsnet neigh show (5 entries), Node bundle', `${fmt(nodeSmall)} = ${(nodeSmall / ipSmall).toFixed(2)} x ip = ${(nodeSmall / node0).toFixed(2)} x node -e 0`, undefined, undefined,
    { name: 'node-bundle-startup', ms: r2(nodeSmall), ratio: r2(nodeSmall / ipSmall) });
  row('tsnet neigh show (5 entries)', `${fmt(tsSmall)} = ${(tsSmall / ipSmall).toFixed(2)} x ip`, '<= 5 x ip', tsSmall <= 5 * ipSmall,
    { name: 'startup', ms: r2(tsSmall), ip_ms: r2(ipSmall), ratio: r2(tsSmall / ipSmall), goal_ratio: 5 });

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
    [tsnet, ['-n', empty, 'neigh', 'show']],
    ['ip', ['-n', empty, 'neigh', 'show']],
    [tsnet, ['-n', big, 'neigh', 'show']],
    ['ip', ['-n', big, 'neigh', 'show']],
  ], RUNS);
  const tsExtra = tsBig - tsEmpty, ipExtra = ipBig - ipEmpty;
  row(`ip neigh show, ${count} entries vs empty`, `${fmt(ipBig)} - ${fmt(ipEmpty)} = +${fmt(ipExtra)}`);
  shared.BENCH_TSNET_10K_MS = tsBig.toFixed(1);
  row(`tsnet neigh show, ${count} entries vs empty`, `${fmt(tsBig)} - ${fmt(tsEmpty)} = +${fmt(tsExtra)} = ${(tsExtra / ipExtra).toFixed(2)} x ip's extra`, '<= 1.5 x', tsExtra <= 1.5 * ipExtra,
    { name: 'neigh-10k', extra_ms: r2(tsExtra), ip_extra_ms: r2(ipExtra), ms: r2(tsBig), ip_ms: r2(ipBig), ratio: r2(tsExtra / ipExtra), goal_ratio: 1.5 });
  delNetns(big);

  // 3. -batch of 10,000 neigh add, each tool into a fresh namespace.
  const batchRuns = Math.max(3, Math.round(RUNS / 6));
  const ipB = [], tsB = [];
  for (let i = 0; i < batchRuns; i++) {
    const a = netns(`tsn-bench-ia${process.pid}`);
    ipB.push(once('ip', ['-n', a, '-batch', batchFile]));
    delNetns(a);
    const b = netns(`tsn-bench-ta${process.pid}`);
    tsB.push(once(tsnet, ['-n', b, '-batch', batchFile]));
    delNetns(b);
  }
  const ipBatch = median(ipB), tsBatch = median(tsB);
  row('ip -batch, 10000 neigh add', fmt(ipBatch));
  row('tsnet -batch, 10000 neigh add', `${fmt(tsBatch)} = ${(tsBatch / ipBatch).toFixed(2)} x ip`, '<= 1.25 x', tsBatch <= 1.25 * ipBatch,
    { name: 'batch-10k', ms: r2(tsBatch), ip_ms: r2(ipBatch), ratio: r2(tsBatch / ipBatch), goal_ratio: 1.25 });

  // 4. addr show with 1,000 addresses on one device, and 5. link show with 200 veth pairs:
  // each as extra time over the empty namespace, tsnet's against ip's.
  const extra = (name, what, full, args) => {
    const [tsE, ipE, tsF, ipF] = race([
      [tsnet, ['-n', empty, ...args]],
      ['ip', ['-n', empty, ...args]],
      [tsnet, ['-n', full, ...args]],
      ['ip', ['-n', full, ...args]],
    ], RUNS);
    const t = tsF - tsE, i = ipF - ipE;
    row(`ip ${args.join(' ')}, ${what} vs empty`, `${fmt(ipF)} - ${fmt(ipE)} = +${fmt(i)}`);
    row(`tsnet ${args.join(' ')}, ${what} vs empty`, `${fmt(tsF)} - ${fmt(tsE)} = +${fmt(t)} = ${(t / i).toFixed(2)} x ip's extra`, '<= 2 x', t <= 2 * i,
      { name, extra_ms: r2(t), ip_extra_ms: r2(i), ms: r2(tsF), ip_ms: r2(ipF), ratio: r2(t / i), goal_ratio: 2 });
  };
  const addrs = netns(`tsn-bench-a${process.pid}`);
  const addrFile = join(tmp, 'addr-1000.batch');
  writeFileSync(addrFile, Array.from({ length: 1000 }, (_, i) => `addr add 10.20.${i >> 7}.${(i & 127) + 1}/16 dev v0`).join('\n') + '\n');
  sh('ip', ['-n', addrs, '-batch', addrFile]);
  extra('addr-1k', '1000 addresses', addrs, ['addr', 'show']);
  delNetns(addrs);
  const links = netns(`tsn-bench-l${process.pid}`);
  const linkFile = join(tmp, 'link-200.batch');
  writeFileSync(linkFile, Array.from({ length: 200 }, (_, i) => `link add a${i} type veth peer name b${i}`).join('\n') + '\n');
  sh('ip', ['-n', links, '-batch', linkFile]);
  extra('link-200', '200 veth pairs', links, ['link', 'show']);
  delNetns(links);
  // 6. route show of 10,000 routes (one device, main table).
  const routes = netns(`tsn-bench-r${process.pid}`);
  const routeFile = join(tmp, 'route-10000.batch');
  writeFileSync(routeFile, Array.from({ length: 10000 }, (_, i) => `route add 10.${30 + (i >> 16)}.${(i >> 8) & 255}.${i & 255} dev v0`).join('\n') + '\n');
  sh('ip', ['-n', routes, '-batch', routeFile]);
  extra('route-10k', '10000 routes', routes, ['route', 'show']);
  delNetns(routes);
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
if (rows.length) {
  const git = (...a) => spawnSync('git', ['-C', root, ...a], { encoding: 'utf8' }).stdout.trim();
  const result = {
    commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '', date: new Date().toISOString(),
    runs: RUNS, tsnet: runtime, machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map(r2) },
    figures: rows.filter((r) => r.name),
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`results: ${out}`);
}
if (!existsSync(tsnet)) process.exit(1);
