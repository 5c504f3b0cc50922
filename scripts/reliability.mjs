// The reliability campaign of issue 17, rerunnable: fixed seed, bounded counts.
//
//   node scripts/reliability.mjs            small (seconds; what `npm test` runs)
//   node scripts/reliability.mjs --full     the campaign's size (minutes)
//   options: --seed N, --json (one JSON object on stdout)
//
// Parts: fuzzed command lines against the model (exit codes in range, no
// stack trace, a failed command changes no state file) and, as root, against
// the kernel in a namespace of its own (a failed command changes no link or
// address); fuzzed frames and attribute blobs into the decoders of src/wire
// (no throw, encode/decode round trips exact, oversize refused); concurrent
// --dry-run writers (no lost update); arping RTTs on a veth pair (as root:
// none negative). Exits 1 if any defect was counted. Needs a build (dist/).
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');
const TSNET = join(REPO, 'bin', 'run.js');
const FRONT = join(REPO, 'dist', 'tsnet.cjs');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };

/** xorshift32: the same seed, the same campaign. */
function rng(seed) {
  let x = (seed >>> 0) || 1;
  const next = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 0x100000000; };
  return { next, int: (n) => Math.floor(next() * n), pick: (a) => a[Math.floor(next() * a.length)] };
}

// ---- fuzzed command lines (run in a worker process: its stdout and stderr go to files) ----

const OBJECTS = ['neigh', 'n', 'addr', 'a', 'link', 'l', 'bond', 'help', 'nosuch'];
const VERBS = ['add', 'del', 'delete', 'change', 'chg', 'replace', 'show', 'list', 'flush', 'set', 'get', 'save', 'help', 'enslave', 'zz', ''];
const WORDS = [
  'dev', 'eth0', 'eth9', 'lo', 'v0', 'x0', '10.0.0.3', '10.0.0.300', '10.0.0.50/24', '10.0.0.2/24', 'fe80::1/64', '::1', 'lladdr',
  '02:00:00:00:00:09', 'zz:zz', 'nud', 'permanent', 'stale', 'reachable', 'noarp', 'up', 'down', 'mtu', '1400', '-1', '0',
  '99999999999', 'type', 'dummy', 'veth', 'bridge', 'bond', 'name', 'peer', 'label', 'eth0:1', 'to', 'proxy', 'router', '--',
  '-ts', '-j', '-force', 'help', 'all', 'master', 'nomaster', 'address', 'broadcast', 'scope', 'link', 'host', 'txqueuelen',
  'alias', 'mode', 'active-backup', 'miimon', '100', 'arp', 'off', 'on', 'valid_lft', 'preferred_lft', 'forever', '"',
  'a'.repeat(300), '\u00e9', '',
];
const SIM = [
  ['sim', 'advance', '1s'], ['sim', 'advance', '50ms'], ['sim', 'advance', '99999999999999999999h'], ['sim', 'advance', 'soon'],
  ['sim', 'send', '10.0.0.3'], ['sim', 'send', '10.0.0.9', 'count', '3', 'interval', '1ms'], ['sim', 'send', '10.0.0.3', 'count', '99999999999'],
  ['sim', 'peer', 'move', '10.0.0.100', 'to', 'peer4'], ['sim', 'carrier', 'eth0', 'off'], ['sim', 'carrier', 'eth0', 'on'], ['sim', 'show'],
];
const GLOBALS = ['-j', '-s', '-d', '-4', '-6', '-o', '-br', '-p', '-force', '-ts'];

function commandLine(r, model) {
  if (model && r.next() < 0.15) return r.pick(SIM);
  const words = [];
  while (r.next() < 0.25) words.push(r.pick(GLOBALS));
  words.push(r.pick(OBJECTS));
  if (r.next() < 0.9) words.push(r.pick(VERBS));
  const n = r.int(9);
  for (let i = 0; i < n; i++) words.push(r.pick(WORDS));
  return (model ? ['--dry-run', ...words] : words).filter((w) => w !== '');
}

/** The kernel's links and addresses, without what changes by itself (operstate, carrier, counters). */
function kernelSnapshot() {
  const out = (a) => spawnSync('ip', a, { encoding: 'utf8' }).stdout;
  return (out(['-o', 'link', 'show']) + out(['-o', 'addr', 'show']))
    .replace(/ state \S+/g, '').replace(/<[^>]*>/g, (m) => m.replace(/,?(LOWER_UP|NO-CARRIER|M-DOWN)/g, ''));
}

/** The model's links and their addresses in a state file's text (its neighbour tables and log left out). */
function modelLinksAndAddresses(text) {
  try {
    return JSON.stringify(JSON.parse(text).hosts.map((h) => [h.name, h.links]));
  } catch {
    return text;
  }
}

async function worker(kind, seed, count, stateFile, resultFile) {
  const { main } = createRequire(import.meta.url)(FRONT);
  const r = rng(seed);
  const res = { lines: 0, badExit: 0, changedAfterFail: 0, examples: [] };
  const snapshot = kind === 'model' ? () => { try { return readFileSync(stateFile, 'latin1'); } catch { return '<none>'; } } : kernelSnapshot;
  // A request the kernel refuses (exit 2) may still leave a neighbour entry behind (neigh_add's NONE
  // entry), on the kernel as in the model: after such a refusal only the links and addresses must stay.
  const refusedSnapshot = kind === 'model' ? (text) => modelLinksAndAddresses(text) : (text) => text;
  for (let i = 0; i < count; i++) {
    const argv = commandLine(r, kind === 'model');
    const before = snapshot();
    const rc = await main(argv);
    res.lines++;
    if (![0, 1, 2, 255].includes(rc)) { res.badExit++; if (res.examples.length < 5) res.examples.push({ argv, rc }); }
    const after = snapshot();
    const changed = rc === 2 ? refusedSnapshot(after) !== refusedSnapshot(before) : after !== before;
    if (rc !== 0 && changed) { res.changedAfterFail++; if (res.examples.length < 5) res.examples.push({ argv, rc, changed: true }); }
  }
  writeFileSync(resultFile, JSON.stringify(res));
}

/** Runs a worker; returns its results and the stack traces its stderr holds. */
function runWorker(kind, seed, count, dir, prefix = []) {
  const stateFile = join(dir, `${kind}-state.json`), resultFile = join(dir, `${kind}-result.json`);
  const err = join(dir, `${kind}-stderr`);
  const cmd = [...prefix, process.execPath, import.meta.filename, '--worker', kind, String(seed), String(count), stateFile, resultFile];
  const r = spawnSync('sh', ['-c', '"$@" >/dev/null 2>"$0"', err, ...cmd], {
    stdio: 'ignore', env: { ...process.env, TSNET_STATE: stateFile, HOME: dir, TSNET_STATE_LOCK_WAIT_MS: '30000' }, timeout: 3600000,
  });
  const res = JSON.parse(readFileSync(resultFile, 'utf8'));
  const stderr = readFileSync(err, 'utf8');
  res.stackTraces = (stderr.match(/^\s+at .+:\d+:\d+\)?$/gm) ?? []).length;
  res.workerExit = r.status;
  return res;
}

// ---- the decoders of src/wire ----

async function codecs(count, seed, dir) {
  const out = join(dir, 'wire.cjs');
  await build({
    stdin: { contents: "export * from './src/wire/arp.ts'; export * from './src/wire/nlattr.ts'; export * from './src/wire/nlmsg.ts';", resolveDir: REPO, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error',
  });
  const w = createRequire(import.meta.url)(out);
  const r = rng(seed);
  const res = { frames: 0, blobs: 0, decoderThrows: 0, miscodes: 0, refused: 0, examples: [] };
  const bytes = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = r.int(256); return b; };
  const bad = (what, detail) => { if (res.examples.length < 5) res.examples.push({ what, detail }); };
  const randomAttrs = (depth) => {
    const list = [];
    const n = r.int(5);
    for (let i = 0; i < n; i++) {
      const type = 1 + r.int(40), k = r.int(depth < 2 ? 5 : 4);
      if (k === 0) list.push({ type, kind: 'u8', value: r.int(256) });
      else if (k === 1) list.push({ type, kind: 'u16', value: r.int(65536) });
      else if (k === 2) list.push({ type, kind: 'u32', value: r.int(2 ** 32) });
      else if (k === 3) list.push({ type, kind: 'bytes', value: bytes(r.next() < 0.002 ? 65520 + r.int(40) : r.int(24)) });
      else list.push({ type, kind: 'nest', value: randomAttrs(depth + 1) });
    }
    return list;
  };
  const width = { u8: 1, u16: 2, u32: 4 };
  const sameAttrs = (list, b) => {
    const got = [...w.parseAttrs(b)];
    if (got.length !== list.length) return false;
    return list.every((a, i) => {
      const [t, p] = got[i];
      if ((t & 0x3fff) !== a.type) return false;
      if (a.kind === 'nest') return sameAttrs(a.value, p);
      if (a.kind === 'bytes') return p.length === a.value.length && p.every((x, j) => x === a.value[j]);
      if (p.length !== width[a.kind]) return false;
      return (a.kind === 'u8' ? w.attrU8(p) : a.kind === 'u16' ? w.attrU16(p) : w.attrU32(p)) === a.value;
    });
  };
  // An attribute's 16-bit length counts its header and, for a nest, every aligned attribute inside.
  const size = (a) => 4 + (a.kind === 'nest' ? a.value.reduce((s, c) => s + ((size(c) + 3) & ~3), 0) : a.kind === 'bytes' ? a.value.length : width[a.kind]);
  const tooLong = (list) => list.some((a) => size(a) > 0xffff || (a.kind === 'nest' && tooLong(a.value)));
  for (let i = 0; i < count; i++) {
    // A frame: random bytes must decode to a frame or a typed error; a random frame must come back as it went.
    try {
      const f = w.decodeArpFrame(bytes(r.int(64)));
      if (!w.isArpError(f)) w.describeArp(f);
      w.decodeArp(bytes(r.int(40)));
    } catch (e) { res.decoderThrows++; bad('decodeArp', String(e)); }
    const frame = {
      ethDst: r.int(2 ** 48), ethSrc: r.int(2 ** 48), op: 1 + r.int(2), sha: r.int(2 ** 48), spa: r.int(2 ** 32), tha: r.int(2 ** 48), tpa: r.int(2 ** 32),
    };
    const fb = new Uint8Array(w.FRAME_LEN);
    w.encodeArpFrame(frame, fb);
    const back = w.decodeArpFrame(fb);
    if (w.isArpError(back) || Object.keys(frame).some((k) => back[k] !== frame[k])) { res.miscodes++; bad('arp round trip', frame); }
    res.frames++;
    // An attribute blob: random bytes must parse without a throw; random attributes must come back, oversize ones refused.
    try {
      const blob = bytes(r.int(96));
      for (const [, p] of w.parseAttrs(blob)) if (p.byteOffset + p.length > blob.byteOffset + blob.length) throw new Error('payload past the end');
      w.parseNlmsghdr(blob); w.parseIfinfomsg(blob); w.parseIfaddrmsg(blob); w.parseNdmsg(blob);
    } catch (e) { res.decoderThrows++; bad('parse', String(e)); }
    const list = randomAttrs(0);
    let enc;
    try { enc = w.encodeAttrs(list); } catch (e) {
      if (e instanceof w.WireError && tooLong(list)) res.refused++;
      else { res.miscodes++; bad('encodeAttrs threw', String(e)); }
    }
    if (enc && (tooLong(list) || !sameAttrs(list, enc))) { res.miscodes++; bad('attribute round trip', list.map((a) => [a.type, a.kind])); }
    res.blobs++;
  }
  return res;
}

// ---- concurrent writers ----

async function writers(n, dir) {
  const state = join(dir, 'writers.json');
  const env = { ...process.env, TSNET_STATE_LOCK_WAIT_MS: '30000' };
  spawnSync(process.execPath, [TSNET, '--state', state, '--dry-run', 'neigh', 'show'], { env });
  const ips = Array.from({ length: n }, (_, i) => `10.77.${i >> 8}.${i & 255}`);
  const codes = await Promise.all(ips.map((ip) => new Promise((done) => {
    const p = spawn(process.execPath, [TSNET, '--state', state, '--dry-run', 'neigh', 'add', ip, 'lladdr', '02:00:00:00:77:77', 'dev', 'eth0', 'nud', 'permanent'], { stdio: 'ignore', env });
    p.on('close', (code) => done(code));
  })));
  const shown = spawnSync(process.execPath, [TSNET, '--state', state, '--dry-run', 'neigh', 'show'], { encoding: 'utf8', env }).stdout;
  const present = ips.filter((ip) => shown.includes(`${ip} dev eth0 `)).length;
  return { writers: n, failedWriters: codes.filter((c) => c !== 0).length, lostUpdates: codes.filter((c) => c === 0).length - present };
}

// ---- arping RTTs on a veth pair (root) ----

function arpingRtts(n) {
  const tag = `tsn-rel-${process.pid}`, a = `${tag}-a`, b = `${tag}-b`;
  const sh = (line) => spawnSync('sh', ['-c', line], { encoding: 'utf8' });
  try {
    for (const l of [`ip netns add ${a}`, `ip netns add ${b}`, `ip -n ${a} link add va type veth peer name vb netns ${b}`,
      `ip -n ${a} addr add 10.9.7.1/24 dev va`, `ip -n ${b} addr add 10.9.7.2/24 dev vb`, `ip -n ${a} link set va up`, `ip -n ${b} link set vb up`]) {
      if (sh(l).status !== 0) return { skipped: `could not set up: ${l}` };
    }
    const script = `const m = require(${JSON.stringify(FRONT)}); (async () => { for (let i = 0; i < ${n}; i++) await m.main(['arping', '-j', '-c', '1', '-w', '5', '-I', 'va', '10.9.7.2']); })();`;
    const r = spawnSync('ip', ['netns', 'exec', a, process.execPath, '-e', script], { encoding: 'utf8', timeout: 600000 });
    const rtts = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((o) => o.rtt_ms !== undefined).map((o) => o.rtt_ms);
    return { replies: rtts.length, negativeRtts: rtts.filter((x) => !(x >= 0)).length, maxRttMs: Math.max(...rtts) };
  } finally {
    sh(`ip netns del ${a} 2>/dev/null; ip netns del ${b} 2>/dev/null`);
  }
}

// ---- the campaign ----

async function campaign() {
  const full = args.includes('--full');
  const seed = Number(opt('--seed', '17'));
  const n = full
    ? { model: 10000, kernel: 10000, codec: 1000000, writers: 50, replies: 200 }
    : { model: 150, kernel: 40, codec: 3000, writers: 10, replies: 10 };
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tsnet-reliability-'));
  const report = { seed, size: full ? 'full' : 'small' };
  const t0 = Date.now();
  try {
    report.model = runWorker('model', seed, n.model, dir);
    if (root) {
      const ns = `tsn-relk-${process.pid}`;
      spawnSync('ip', ['netns', 'add', ns]);
      try {
        spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', 'ip link set lo up; sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; ip link add eth0 type veth peer name eth9; ip addr add 10.0.0.2/24 dev eth0']);
        report.kernel = runWorker('kernel', seed + 1, n.kernel, dir, ['ip', 'netns', 'exec', ns]);
      } finally {
        spawnSync('ip', ['netns', 'del', ns]);
      }
    } else report.kernel = { skipped: 'not root' };
    report.codecs = await codecs(n.codec, seed + 2, dir);
    report.writers = await writers(n.writers, dir);
    report.arping = root ? arpingRtts(n.replies) : { skipped: 'not root' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report.seconds = Math.round((Date.now() - t0) / 1000);
  const defects = {
    'model: exit codes out of range': report.model.badExit, 'model: stack traces': report.model.stackTraces,
    'model: state file changed by a failed command': report.model.changedAfterFail,
    'kernel: exit codes out of range': report.kernel.badExit ?? 0, 'kernel: stack traces': report.kernel.stackTraces ?? 0,
    'kernel: links/addresses changed by a failed command': report.kernel.changedAfterFail ?? 0,
    'codecs: decoder throws': report.codecs.decoderThrows, 'codecs: miscodes': report.codecs.miscodes,
    'writers: lost updates': report.writers.lostUpdates, 'writers: failed': report.writers.failedWriters,
    'arping: negative RTTs': report.arping.negativeRtts ?? 0,
  };
  report.defects = Object.values(defects).reduce((a, b) => a + b, 0);
  if (args.includes('--json')) console.log(JSON.stringify(report));
  else {
    console.log(`reliability campaign, seed ${seed}, ${report.size} size, ${report.seconds} s`);
    console.log(`  model:   ${report.model.lines} command lines`);
    console.log(`  kernel:  ${report.kernel.lines !== undefined ? `${report.kernel.lines} command lines in a namespace` : report.kernel.skipped}`);
    console.log(`  codecs:  ${report.codecs.frames} frames, ${report.codecs.blobs} attribute blobs (${report.codecs.refused} oversize refused)`);
    console.log(`  writers: ${report.writers.writers} concurrent --dry-run neigh add`);
    console.log(`  arping:  ${report.arping.replies !== undefined ? `${report.arping.replies} replies on a veth pair (largest RTT ${report.arping.maxRttMs} ms)` : report.arping.skipped}`);
    for (const [what, count] of Object.entries(defects)) console.log(`  ${count ? 'FAIL' : 'ok  '} ${what}: ${count}`);
    for (const part of ['model', 'kernel', 'codecs']) for (const e of report[part].examples ?? []) console.log(`  example (${part}): ${JSON.stringify(e)}`);
  }
  process.exitCode = report.defects ? 1 : 0;
}

if (args[0] === '--worker') await worker(args[1], Number(args[2]), Number(args[3]), args[4], args[5]);
else await campaign();
