#!/usr/bin/env node
'use strict';
// tsnet's entry. Commands go straight to the bundled front (dist/tsnet.cjs):
// loading oclif costs more than node's own start-up, and ip's grammar
// (options before the object, -br, -4, prefix-matched objects) is not
// oclif's. TSNET_OCLIF=1 runs the same commands through oclif's command
// classes in commands/ instead (same output; slower start).
const argv = process.argv.slice(2);
if (process.env.TSNET_OCLIF === '1') {
  const { oclifArgv } = require('../dist/commands/index.js');
  const oclif = require('@oclif/core');
  // The command classes are the build's JavaScript (dist/commands): nothing for oclif to
  // transpile, also when NODE_ENV says development or test (it would look for typescript).
  oclif.settings.enableAutoTranspile = false;
  oclif.execute({ dir: __dirname, args: oclifArgv(argv) }).catch((e) => {
    process.stderr.write(`tsnet: ${e.message}\n`);
    process.exit(1);
  });
} else {
  loadFront().main(argv, process.argv[1]).then((code) => process.exit(code));
}

/**
 * Loads dist/tsnet.cjs with the V8 code cache that the build made for it
 * (dist/v8cache-BUILD.bin): compiling the bundle is a tenth of a short run.
 * The build id on the bundle's first line names the cache, so a stale one is
 * never used; V8 itself refuses a cache from another node version, and then
 * this is a plain load. TSNET_V8CACHE_OUT=FILE writes the cache (the build);
 * TSNET_V8CACHE_SAY=1 tells on stderr whether a cache was used.
 */
function loadFront() {
  const fs = require('node:fs'), path = require('node:path'), vm = require('node:vm'), Module = require('node:module');
  const file = path.join(__dirname, '..', 'dist', 'tsnet.cjs');
  const source = fs.readFileSync(file, 'utf8');
  const id = /^\/\/ tsnet build ([0-9a-f]+)\n/.exec(source.slice(0, 64));
  let cachedData;
  if (id) {
    try {
      cachedData = fs.readFileSync(path.join(path.dirname(file), `v8cache-${id[1]}.bin`));
    } catch {
      // no cache: compile as usual
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const m = { exports: {} };
  script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file));
  if (process.env.TSNET_V8CACHE_SAY) process.stderr.write(`v8 cache: ${!cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used'}\n`);
  const out = process.env.TSNET_V8CACHE_OUT;
  if (out) {
    process.on('exit', () => {
      fs.writeFileSync(`${out}.tmp`, script.createCachedData());
      fs.renameSync(`${out}.tmp`, out);
    });
  }
  return m.exports;
}
