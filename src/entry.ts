// The process entry bin/run.js loads: wires the front to the kernel or the model.
import { run } from './cli.js';
import { KernelBackend } from './kernel/backend.js';
import { switchNetns } from './kernel/netns.js';
import { openSimBackend } from './sim/open.js';

export function main(argv: string[]): Promise<number> {
  return run(argv, {
    openBackend: (opts) => (opts.dryRun ? openSimBackend(opts) : new KernelBackend()),
    switchNetns,
  });
}
