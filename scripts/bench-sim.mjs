// The model's speed: neighbour events per second (goal >= 1 M/s), and
// `tsnet --dry-run neigh show` of a 100,000-entry table (goal <= 2 x real
// `tsnet neigh show` of 10,000, which bench.mjs measures in the same run
// and passes in BENCH_TSNET_10K_MS).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'tsnet-bench-sim-'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
try {
  const out = join(dir, 'sim.cjs');
  await build({
    stdin: { contents: "export * from './src/sim/neighbour.ts'; export * from './src/sim/lan.ts'; export { Engine } from './src/sim/engine.ts'; export { save } from './src/sim/store.ts';", resolveDir: process.cwd(), loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error',
  });
  const sim = createRequire(import.meta.url)(out);

  // 1. State-machine events: entries driven through NONE -> INCOMPLETE -> REACHABLE -> STALE -> DELAY -> PROBE ...
  const w = sim.defaultWorld(3);
  const e = new sim.Engine(w);
  const host = w.hosts[0];
  const env = e.env(host);
  const link = host.links[1];
  const entries = [];
  for (let i = 0; i < 1000; i++) {
    const n = sim.createNeighbour(env, 2, 2, `10.1.${i >> 8}.${i & 255}`);
    entries.push(n);
  }
  let events = 0;
  const t0 = process.hrtime.bigint();
  for (let round = 0; round < 200; round++) {
    for (const n of entries) {
      sim.neighUpdate(env, n, '02:00:00:00:00:09', 2, 0x80000000 | 1, 'bench', 'neigh_add'); // admin update to REACHABLE
      w.now += 1;
      sim.eventSend(env, n); // used
      n.timer = w.now;
      w.now += link.reachable_time_ms + 10;
      sim.timerFired(env, n); // -> STALE
      sim.eventSend(env, n); // -> DELAY
      events += 4;
    }
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = events / s;
  console.log(`${rate >= 1e6 ? 'ok  ' : 'MISS'} model neighbour events: ${(rate / 1e6).toFixed(2)} M/s (${events} in ${(s * 1000).toFixed(0)} ms)   (goal >= 1 M/s)`);

  // 2. --dry-run neigh show of 100,000 entries.
  const big = sim.defaultWorld(5);
  const h = big.hosts[0];
  for (let i = 0; i < 100000; i++) {
    h.neighbours.push({
      family: 2, ifindex: 2, dst: `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, state: 0x80, flags: 0, flagsExt: 0, protocol: 0,
      lladdr: `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
      confirmed: 0, used: 0, updated: 0, probes: 0, queue: [], dropped: 0,
    });
  }
  const state = join(dir, 'state.json');
  sim.save(state, big); // as a user's run leaves it
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync('node', ['bin/run.js', '--state', state, '--dry-run', 'neigh', 'show'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error('dry-run neigh show failed');
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const dry = median(times);
  const real = Number(process.env.BENCH_TSNET_10K_MS);
  if (real) console.log(`${dry <= 2 * real ? 'ok  ' : 'MISS'} tsnet --dry-run neigh show, 100000 entries: ${dry.toFixed(1)} ms = ${(dry / real).toFixed(2)} x real tsnet neigh show of 10000 (${real} ms)   (goal <= 2 x)`);
  else console.log(`     tsnet --dry-run neigh show, 100000 entries: ${dry.toFixed(1)} ms   (goal <= 2 x tsnet neigh show of 10000 entries: run npm run bench for the ratio)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
