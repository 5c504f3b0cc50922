// Bundles the CLI into dist/ with esbuild: one CommonJS file for the fast
// path (bin/run.js loads it without oclif), and the oclif command files.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['koffi', '@oclif/core'], logLevel: 'warning' };

await build({ ...common, entryPoints: ['src/entry.ts'], outfile: 'dist/tsnet.cjs', minifyWhitespace: true, minifySyntax: true });
await build({
  ...common,
  entryPoints: readdirSync('commands').filter((f) => f.endsWith('.ts')).map((f) => `commands/${f}`),
  outdir: 'dist/commands',
});
