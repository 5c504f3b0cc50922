#!/usr/bin/env node
'use strict';
// tsnet's entry. Commands go straight to the bundled front (dist/tsnet.cjs):
// loading oclif costs more than node's own start-up, and ip's grammar
// (options before the object, -br, -4, prefix-matched objects) is not
// oclif's. TSNET_OCLIF=1 runs the same commands through oclif's command
// classes in commands/ instead (same output; slower start).
const argv = process.argv.slice(2);
if (process.env.TSNET_OCLIF === '1') {
  require('@oclif/core').execute({ dir: __dirname, args: argv }).catch((e) => {
    process.stderr.write(`tsnet: ${e.message}\n`);
    process.exit(1);
  });
} else {
  require('../dist/tsnet.cjs').main(argv).then((code) => process.exit(code));
}
