// The tsnet executable that the kernel and lab suites call: $TSNET_BIN, else
// bin/tsnet, the command users get (the build's Bun-compiled executable where
// there is one, else the Node bundle). TSNET_BIN=bin/run.js runs the suites
// on the Node bundle instead.
import { resolve } from 'node:path';

/** Tests run from the repository root (npm test, vitest). */
export const TSNET = resolve(process.env.TSNET_BIN ?? 'bin/tsnet');
