// Bundles the CLI into dist/ with esbuild: one CommonJS file for the fast
// path (bin/run.js loads it without oclif), and the oclif command files.
// Where Bun's binary is installed (the `bun` devDependency brings it on Linux
// x64 with glibc), the same bundle is also compiled into one executable,
// dist/tsnet-linux-x64, that bin/tsnet runs instead of node: Bun starts in
// ~10 ms where node takes ~70 ms (see the README's Speed section).
// The bundle's first line carries a build id (a hash of its text); a few
// listings (kernel, then model) then leave V8's code cache for that build
// beside it, which bin/run.js reads. Without the cache tsnet still runs, only
// slower.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['koffi', '@oclif/core'], logLevel: 'warning' };

const front = await build({ ...common, entryPoints: ['src/entry.ts'], outfile: 'dist/tsnet.cjs', minifyWhitespace: true, minifySyntax: true, write: false });
const text = front.outputFiles[0].text;
const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
const cache = `dist/v8cache-${id}.bin`;
mkdirSync('dist', { recursive: true });
for (const f of readdirSync('dist')) if (f.startsWith('v8cache-') && join('dist', f) !== cache) rmSync(join('dist', f));
// Tests may be running tsnet from dist/ meanwhile (the package test builds again): rename into place.
writeFileSync('dist/tsnet.cjs.tmp', `// tsnet build ${id}\n${text}`);
renameSync('dist/tsnet.cjs.tmp', 'dist/tsnet.cjs');
rmSync('dist/commands', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: readdirSync('commands').filter((f) => f.endsWith('.ts')).map((f) => `commands/${f}`),
  outdir: 'dist/commands',
});

// The code cache holds what the runs compiled: start-up, the neighbour, address and link
// listings on the kernel, then the model's (each run starts from the cache so far and adds to it).
// The same bundle as before keeps its cache.
if (!existsSync(cache)) {
  const state = mkdtempSync(join(tmpdir(), 'tsnet-build-'));
  try {
    for (const args of [['neigh', 'show'], ['addr', 'show'], ['link', 'show'], ['--dry-run', '--state', join(state, 'state.json'), 'neigh', 'show']]) {
      spawnSync(process.execPath, ['bin/run.js', ...args], { stdio: 'ignore', env: { ...process.env, TSNET_V8CACHE_OUT: cache } });
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

// The single-file executable: Bun compiles the same bundle, with its bytecode, into a copy of
// its runtime. Its libc calls go through bun:ffi (src/kernel/libc-bun.ts), as koffi's native
// module cannot load from inside it. .env and bunfig.toml in the user's directory must not
// change what tsnet does, so the executable does not read them. Built again only when the
// bundle changed (the build id is kept beside it); without Bun, only the Node bundle is made.
const exe = 'dist/tsnet-linux-x64';
/** node's modules that the executable requires at first use (see lazyBuiltins). */
const LAZY_BUILTINS = ['node:fs', 'node:tty', 'node:dns/promises', 'node:os', 'node:path', 'node:buffer', 'node:child_process'];
const bun = findBun();
if (!bun) {
  rmSync(exe, { force: true });
  rmSync(`${exe}.build`, { force: true });
  console.log('build: no Bun binary (the `bun` devDependency brings it on Linux x64/glibc; TSNET_NO_BUN=1 skips it): Node bundle only');
} else {
  // --compile-jit-policy=10: JavaScriptCore compiles a function to machine code only after ten
  // times the usual number of calls. A short run then interprets its start-up loops (tables of
  // 256 strings and such) instead of paying for the JIT (measured: ~2 ms CPU of a ~16 ms
  // `neigh show`), and a 10,000-entry listing is no slower.
  const flags = ['--compile', '--bytecode', '--compile-jit-policy=10', '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig', '--external', 'koffi'];
  const front = lazyBuiltins(text);
  const key = createHash('sha256').update(`${front}\n${statSync(bun).size} ${flags.join(' ')}`).digest('hex').slice(0, 16);
  if (!existsSync(exe) || readText(`${exe}.build`) !== key) {
    writeFileSync('dist/bun-front.cjs', front);
    writeFileSync('dist/bun-entry.cjs', "require('./bun-front.cjs').main(process.argv.slice(2), process.argv0).then((code) => process.exit(code));\n");
    const r = spawnSync(bun, ['build', 'dist/bun-entry.cjs', ...flags, '--outfile', `${exe}.tmp`], { stdio: ['ignore', 'ignore', 'inherit'] });
    rmSync('dist/bun-entry.cjs');
    rmSync('dist/bun-front.cjs');
    if (r.status !== 0) throw new Error(`bun build --compile failed (${r.status ?? r.signal})`);
    // bin/tsnet runs it with a JavaScriptCore option set in its environment; a Bun that does not
    // know the option refuses to start, so the build stops here rather than every call later.
    const probe = spawnSync(`${exe}.tmp`, ['-V'], { encoding: 'utf8', env: { ...process.env, BUN_JSC_useWarmUpMarkedBlocks: '0' } });
    if (probe.status !== 0 || probe.stderr) throw new Error(`build: the executable does not start as bin/tsnet runs it: ${probe.stderr || probe.status}`);
    renameSync(`${exe}.tmp`, exe);
    writeFileSync(`${exe}.build`, key);
  }
}

/**
 * Under Bun, requiring some of node's modules costs milliseconds each (node:tty ~4 ms,
 * node:dns/promises ~1.5 ms, node:fs ~2 ms: Bun builds them in JavaScript at first use), and
 * the bundle requires them at its start although most runs never call them (a kernel command
 * writes and opens namespaces through libc under Bun: see writeThrough in src/lib/output.ts). In the executable's copy
 * of the bundle they are required at first use instead. esbuild's CommonJS output only
 * reads named imports as properties of the required module at the call (`(0, m.f)(...)`),
 * so a proxy that requires on first property read behaves the same; any other use
 * (a default or namespace import through __toESM) stops the build.
 */
function lazyBuiltins(bundle) {
  let out = bundle;
  for (const m of LAZY_BUILTINS) {
    if (out.includes(`__toESM(require("${m}")`)) throw new Error(`build: ${m} is imported whole; it cannot be required lazily`);
    out = out.replaceAll(`require("${m}")`, `lazyBuiltin("${m}")`);
  }
  // A function declaration, appended: hoisted, and the bundle's "use strict" stays first.
  return `${out}\nfunction lazyBuiltin(id){let m;return new Proxy({},{get:(_,k)=>(m??=require(id))[k]})}\n`;
}

/**
 * Bun's own binary, if installed for this machine (Linux x64, glibc): the `bun` package's
 * install script moves it from @oven/bun-linux-x64/bin/bun to bun/bin/bun.exe; where npm
 * did not run that script, it is still in the first place.
 */
function findBun() {
  if (process.platform !== 'linux' || process.arch !== 'x64' || process.env.TSNET_NO_BUN) return undefined;
  const req = createRequire(import.meta.url);
  const places = [];
  try {
    const pkg = req.resolve('bun/package.json');
    places.push(join(dirname(pkg), 'bin', 'bun.exe'));
    places.push(join(dirname(createRequire(pkg).resolve('@oven/bun-linux-x64/package.json')), 'bin', 'bun'));
  } catch {
    // not installed (or not for this platform)
  }
  return places.find(isElf);
}

function isElf(file) {
  let fd;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    return head.toString('latin1') === '\x7fELF';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readText(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
