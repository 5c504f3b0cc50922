// npm pack / publish: the package.json inside the tarball carries no
// scripts. Every script of this repository runs files that are not packed
// (scripts/, src/, test/), and npm lists a `prepare` of an installed tarball
// among the install scripts it warns about. `prepack` calls this with
// `strip` (after the build), `postpack` with `restore`; the checkout's own
// package.json is kept aside meanwhile and comes back as it was.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const MANIFEST = 'package.json', KEPT = '.package.json.unpacked';
const mode = process.argv[2];
if (mode === 'strip') {
  if (existsSync(KEPT)) {
    console.error(`${KEPT} exists: a pack did not finish; run \`node scripts/pack-manifest.mjs restore\` first`);
    process.exit(1);
  }
  const text = readFileSync(MANIFEST, 'utf8');
  writeFileSync(KEPT, text);
  const manifest = JSON.parse(text);
  delete manifest.scripts;
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
} else if (mode === 'restore') {
  if (existsSync(KEPT)) renameSync(KEPT, MANIFEST);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
