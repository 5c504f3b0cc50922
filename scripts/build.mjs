// Bundles the CLI into dist/ with esbuild: one CommonJS file for the fast
// path (bin/run.js loads it without oclif), and the oclif command files.
// The bundle's first line carries a build id (a hash of its text); a few
// listings (kernel, then model) then leave V8's code cache for that build
// beside it, which bin/run.js reads. Without the cache tsnet still runs, only
// slower.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
