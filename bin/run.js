#!/usr/bin/env node
'use strict';
// tsnet's entry. The ip-style objects and arping go straight to the bundled
// front (dist/tsnet.cjs): loading oclif costs more than node's own start-up,
// and ip's grammar (options before the object, -br, -4) is not oclif's.
// oclif serves its own command: `tsnet autocomplete` (shell completion).
const argv = process.argv.slice(2);
const OCLIF = new Set(['autocomplete']);
if (OCLIF.has(argv[0])) {
  require('@oclif/core').execute({ dir: __dirname }).catch((e) => {
    process.stderr.write(`tsnet: ${e.message}\n`);
    process.exit(1);
  });
} else {
  require('../dist/tsnet.cjs').main(argv).then((code) => process.exit(code));
}
