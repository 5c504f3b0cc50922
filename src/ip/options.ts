// ip's global options (ip.c main()): same names, same first-match order, so
// `-b` is batch, `-br` brief, `-h` human, `-n` netns, `-c` colour.
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_PACKET, AF_UNSPEC } from '../backend.js';
import { Exit, matches } from './matches.js';
import { usageExit } from './registry.js';

export interface GlobalOptions {
  family: number;
  human: number;
  iec: number;
  stats: number;
  details: number;
  resolve: number;
  oneline: number;
  timestamp: number;
  tshort: number;
  force: number;
  batch?: string;
  brief: number;
  json: number;
  pretty: number;
  rcvbuf?: number;
  color: 'never' | 'auto' | 'always';
  netns?: string;
  numeric: number;
  all: boolean;
  echo: number;
  loops: number;
  version: boolean;
  help: boolean;
  /** tsnet: run against the model instead of the kernel. */
  dryRun: boolean;
  /**
   * tsnet: explain each step on stderr: the model's changes with the kernel
   * function that makes them, and every rtnetlink request and answer decoded
   * (without --dry-run: the kernel's). 1: --trace; 2: --trace twice or
   * --trace=2, which adds the bytes (requests in hex, frames as tcpdump -xx).
   */
  trace: number;
  /** tsnet: the model's state file. */
  state?: string;
  /** tsnet: -X/--extras, print what tsnet adds to ip's output (e.g. inet devconf in addr show). */
  extras: boolean;
}

export function defaultOptions(): GlobalOptions {
  return {
    family: AF_UNSPEC, human: 0, iec: 0, stats: 0, details: 0, resolve: 0, oneline: 0, timestamp: 0,
    tshort: 0, force: 0, brief: 0, json: 0, pretty: 0, color: 'never', numeric: 0, all: false, echo: 0,
    loops: 10, version: false, help: false, dryRun: false, trace: 0, extras: false,
  };
}

export function readFamily(name: string): number {
  switch (name) {
    case 'inet': return AF_INET;
    case 'inet6': return AF_INET6;
    case 'link': return AF_PACKET;
    case 'mpls': return AF_MPLS;
    case 'bridge': return AF_BRIDGE;
    default: return AF_UNSPEC;
  }
}


/**
 * Parses one option word (and its value from `next`) into `o`. Returns false
 * when the word is not a global option. Errors exit as ip's do.
 */
export function parseOption(word: string, next: () => string | undefined, o: GlobalOptions): boolean {
  let opt = word;
  if (opt[1] === '-') opt = opt.slice(1);
  // tsnet's own options, spelled in full so they cannot shadow ip's prefixes.
  if (opt === '-dry-run') { o.dryRun = true; return true; }
  if (opt === '-trace') { o.trace++; return true; }
  if (opt === '-trace=1' || opt === '-trace=2') { o.trace = Number(opt.slice(7)); return true; }
  if (opt === '-extras' || word === '-X') { o.extras = true; return true; }
  if (opt === '-state') {
    const v = next();
    if (v === undefined) usageExit();
    o.state = v;
    return true;
  }
  if (matches(opt, '-loops')) {
    const v = next();
    if (v === undefined) usageExit();
    o.loops = parseInt(v, 10) || 0;
  } else if (matches(opt, '-family')) {
    const v = next();
    if (v === undefined || v === 'help') usageExit();
    o.family = readFamily(v);
    if (o.family === AF_UNSPEC) throw new Exit(255, [`Error: argument "${v}" is wrong: invalid protocol family`]);
  } else if (opt === '-4') o.family = AF_INET;
  else if (opt === '-6') o.family = AF_INET6;
  else if (opt === '-0') o.family = AF_PACKET;
  else if (opt === '-M') o.family = AF_MPLS;
  else if (opt === '-B') o.family = AF_BRIDGE;
  else if (matches(opt, '-human') || matches(opt, '-human-readable')) o.human++;
  else if (matches(opt, '-iec')) o.iec++;
  else if (matches(opt, '-stats') || matches(opt, '-statistics')) o.stats++;
  else if (matches(opt, '-details')) o.details++;
  else if (matches(opt, '-resolve')) o.resolve++;
  else if (matches(opt, '-oneline')) o.oneline++;
  else if (matches(opt, '-timestamp')) o.timestamp++;
  else if (matches(opt, '-tshort')) { o.timestamp++; o.tshort++; }
  else if (matches(opt, '-Version')) o.version = true;
  else if (matches(opt, '-force')) o.force++;
  else if (matches(opt, '-batch')) {
    const v = next();
    if (v === undefined) usageExit();
    o.batch = v;
  } else if (matches(opt, '-brief')) o.brief++;
  else if (matches(opt, '-json')) o.json++;
  else if (matches(opt, '-pretty')) o.pretty++;
  else if (matches(opt, '-rcvbuf')) {
    const v = next();
    if (v === undefined) usageExit();
    if (!/^\d+$/.test(v)) throw new Exit(255, [`Invalid rcvbuf size '${v}'`]);
    o.rcvbuf = Number(v);
  } else if (matchesColor(opt, o)) { /* set */ }
  else if (matches(opt, '-help')) o.help = true;
  else if (matches(opt, '-netns')) {
    const v = next();
    if (v === undefined) throw new Exit(255, ['Command line is not complete. Try option "help"']);
    o.netns = v;
  } else if (matches(opt, '-Numeric')) o.numeric++;
  else if (matches(opt, '-all')) o.all = true;
  else if (opt === '-echo') o.echo++;
  else return false;
  return true;
}

function matchesColor(opt: string, o: GlobalOptions): boolean {
  const eq = opt.indexOf('=');
  const name = eq >= 0 ? opt.slice(0, eq) : opt;
  const val = eq >= 0 ? opt.slice(eq + 1) : '';
  if (!matches(name, '-color')) return false;
  if (val === '' || val === 'always') o.color = 'always';
  else if (val === 'auto') o.color = 'auto';
  else if (val === 'never') o.color = 'never';
  else return false;
  return true;
}

/**
 * The global options in `o` that ip itself takes, as words for the system
 * ip a command is handed to (-batch, -force and tsnet's own are left out:
 * the batch stays tsnet's, one line at a time; -n see below).
 */
export function ipOptionWords(o: GlobalOptions): string[] {
  const w: string[] = [];
  const family: Record<number, string> = { [AF_INET]: '-4', [AF_INET6]: '-6', [AF_PACKET]: '-0', [AF_MPLS]: '-M', [AF_BRIDGE]: '-B' };
  if (family[o.family]) w.push(family[o.family]);
  const counted: [number, string][] = [
    [o.human, '-h'], [o.iec, '-iec'], [o.stats, '-s'], [o.details, '-d'], [o.resolve, '-r'], [o.oneline, '-o'],
    [o.tshort ? 0 : o.timestamp, '-t'], [o.tshort, '-ts'], [o.brief, '-br'], [o.json, '-j'], [o.pretty, '-p'],
    [o.numeric, '-N'], [o.echo, '-echo'],
  ];
  for (const [n, word] of counted) for (let i = 0; i < n; i++) w.push(word);
  if (o.all) w.push('-a');
  if (o.loops !== 10) w.push('-l', String(o.loops));
  if (o.rcvbuf !== undefined) w.push('-rc', String(o.rcvbuf));
  if (o.color !== 'never') w.push(`-c=${o.color}`);
  // -n NAME is not passed on: this process has already entered that
  // namespace and the child inherits it. ip -n would also move the child into
  // a mount namespace of its own, where a `netns add` mount would be lost to
  // the next line of a batch.
  return w;
}
