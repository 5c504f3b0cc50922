// The RTT tsnet arping measures (-j, unrounded) against the wire: the peer's
// capture sees each request arrive and the reply leave. Median over 50
// probes; goal: within 0.1 ms. Needs root and tcpdump; namespaces are
// deleted at the end.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// The command users get (the executable where built), or $TSNET_BIN, as in bench.mjs.
const tsnet = resolve(process.env.TSNET_BIN ?? 'bin/tsnet');
const N = Number(process.env.BENCH_ARPING_PROBES ?? 50);
const A = `tsn-brtt-a${process.pid}`, B = `tsn-brtt-b${process.pid}`;
const sh = (...a) => {
  const r = spawnSync(a[0], a.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${a.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

if (process.getuid?.() !== 0 || spawnSync('tcpdump', ['--version']).status !== 0) {
  console.log('bench-arping: needs root and tcpdump; skipped');
  process.exit(0);
}
try {
  sh('ip', 'netns', 'add', A);
  sh('ip', 'netns', 'add', B);
  sh('ip', '-n', A, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', B);
  sh('ip', '-n', A, 'addr', 'add', '10.9.0.1/24', 'dev', 'va');
  sh('ip', '-n', B, 'addr', 'add', '10.9.0.2/24', 'dev', 'vb');
  sh('ip', '-n', A, 'link', 'set', 'va', 'up');
  sh('ip', '-n', B, 'link', 'set', 'vb', 'up');
  const cap = spawn('ip', ['netns', 'exec', B, 'tcpdump', '-l', '-tt', '-n', '-i', 'vb', 'arp'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  cap.stdout.on('data', (d) => (text += d));
  await new Promise((r) => { cap.stderr.on('data', (d) => { if (String(d).includes('listening')) r(); }); setTimeout(r, 5000); });
  const measured = [];
  for (let i = 0; i < N; i++) {
    const out = sh('ip', 'netns', 'exec', A, tsnet, 'arping', '-j', '-f', '-c', '1', '10.9.0.2');
    measured.push(JSON.parse(out.split('\n')[0]).rtt_ms);
  }
  await new Promise((r) => setTimeout(r, 300));
  cap.kill('SIGINT');
  await new Promise((r) => cap.on('close', r));
  // Pair each request from 10.9.0.1 with the reply that follows it.
  const wire = [];
  let req;
  for (const l of text.split('\n')) {
    const t = Number(l.split(' ')[0]);
    if (/Request who-has 10\.9\.0\.2 .*tell 10\.9\.0\.1/.test(l)) req = t;
    else if (/Reply 10\.9\.0\.2 is-at/.test(l) && req !== undefined) { wire.push((t - req) * 1000); req = undefined; }
  }
  const m = median(measured), w = median(wire);
  console.log(`     arping RTT, median of ${measured.length} probes: tsnet -j ${m.toFixed(3)} ms; wire (peer's capture, request in -> reply out) ${w.toFixed(3)} ms over ${wire.length} pairs`);
  console.log(`${Math.abs(m - w) <= 0.1 ? 'ok  ' : 'MISS'} arping RTT difference: ${(m - w).toFixed(3)} ms   (goal within 0.1 ms)`);
} finally {
  spawnSync('ip', ['netns', 'del', A]);
  spawnSync('ip', ['netns', 'del', B]);
}
