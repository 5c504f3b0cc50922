// The process entry bin/run.js loads: wires the front to the kernel or the
// model. Each backend's code is loaded only by a run that uses it: a kernel
// `neigh show` never initialises the model, and `--dry-run` never the netlink code.
import type { Backend } from './backend.js';
import { run } from './cli.js';
import type { GlobalOptions } from './ip/options.js';
import { switchNetns } from './kernel/netns.js';

async function loadBackend(model: boolean): Promise<(opts: GlobalOptions) => Backend> {
  if (model) {
    const { openSimBackend } = await import('./sim/open.js');
    return (opts) => openSimBackend(opts);
  }
  const { KernelBackend } = await import('./kernel/backend.js');
  return () => new KernelBackend();
}

export function main(argv: string[]): Promise<number> {
  return run(argv, { loadBackend, switchNetns });
}
