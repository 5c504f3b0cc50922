// The process entry bin/run.js loads: wires the front to the kernel or the
// model. The model's code is loaded only by a run that uses it: a kernel
// `neigh show` never initialises it. (The kernel backend stays a static
// import: its dump loops measured faster so than behind a lazy load.)
import type { Backend } from './backend.js';
import { run } from './cli.js';
import type { GlobalOptions } from './ip/options.js';
import { KernelBackend } from './kernel/backend.js';
import { switchNetns } from './kernel/netns.js';

async function loadBackend(model: boolean): Promise<(opts: GlobalOptions) => Backend> {
  if (model) {
    const { openSimBackend } = await import('./sim/open.js');
    return (opts) => openSimBackend(opts);
  }
  return () => new KernelBackend();
}

export function main(argv: string[]): Promise<number> {
  return run(argv, { loadBackend, switchNetns });
}
