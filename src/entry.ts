// The process entry bin/run.js loads: wires the front to the kernel or the
// model. The model's code is loaded only by a run that uses it: a kernel
// `neigh show` never initialises it. (The kernel backend stays a static
// import: its dump loops measured faster so than behind a lazy load.)
import type { Backend } from './backend.js';
import { run } from './cli.js';
import type { GlobalOptions } from './ip/options.js';
import { KernelBackend } from './kernel/backend.js';
import type { NetlinkTrace } from './kernel/netlink.js';
import { writeAll } from './lib/output.js';
import { switchNetns } from './kernel/netns.js';
import type { HandedOver } from './kernel/system-ip.js';
import { setProgName } from './lib/progname.js';

async function loadBackend(model: boolean, trace: boolean): Promise<(opts: GlobalOptions) => Backend> {
  if (model) {
    const { openSimBackend } = await import('./sim/open.js');
    return (opts) => openSimBackend(opts);
  }
  const describe = trace ? await import('./wire/describe.js') : undefined;
  return (opts) => new KernelBackend(opts.trace && describe ? kernelTrace(opts.trace, describe) : undefined);
}

/** --trace without --dry-run: the kernel's own requests and answers, decoded, on stderr. */
function kernelTrace(level: number, describe: NetlinkTrace['describe']): NetlinkTrace {
  return { level, line: (text) => writeAll(2, `kernel: ${text}\n`), describe };
}

/**
 * `invokedAs`: the name the process was started by (process.argv0 of the
 * executable, bin/run.js's path under node). bin/tsnet's own $0 wins: it
 * passes it in TSNET_ARGV0, which is dropped here so no child inherits it.
 */
async function handOver(options: string[], words: string[], inBatch: boolean): Promise<HandedOver | undefined> {
  const { runSystemIp, runSystemIpBatchLine } = await import('./kernel/system-ip.js');
  return inBatch ? runSystemIpBatchLine(options, words) : runSystemIp([...options, ...words]);
}

export function main(argv: string[], invokedAs?: string): Promise<number> {
  setProgName(process.env.TSNET_ARGV0 ?? invokedAs);
  delete process.env.TSNET_ARGV0;
  // bin/tsnet's setting for this run's JavaScriptCore only.
  delete process.env.BUN_JSC_useWarmUpMarkedBlocks;
  return run(argv, { loadBackend, switchNetns, handOver });
}
