// `tsnet netns` (ip netns, ipnetns.c of ip 6.1): named network namespaces,
// their nsids (RTM_GETNSID / RTM_NEWNSID) and commands run inside them.
// The files and mounts are the backend's (NetnsPort); the grammar, the
// printing and the exit statuses are here.
import { type NetnsPort, NetlinkError, type RtMessage, type RtRequest } from '../backend.js';
import { parseInteger } from '../lib/inet.js';
import { Output, writeAll } from '../lib/output.js';
import { progName } from '../lib/progname.js';
import { dieBySignal } from '../lib/signals.js';
import { attrS32 } from '../wire/nlattr.js';
import { NETNSA_CURRENT_NSID, NETNSA_NSID, NETNSA_TARGET_NSID, RTGENMSG_LEN, RTM_DELNSID, RTM_GETNSID, RTM_NEWNSID } from '../wire/rtnl-constants.js';
import { netlinkErrorLine } from './common.js';
import { Context } from './context.js';
import { Exit, duparg, invarg, matches } from './matches.js';
import { defaultOptions, parseOption } from './options.js';

const usageText = (): string => {
  const ip = progName();
  return `Usage:\t${ip} netns list
\t${ip} netns add NAME
\t${ip} netns attach NAME PID
\t${ip} netns set NAME NETNSID
\t${ip} [-all] netns delete [NAME]
\t${ip} netns identify [PID]
\t${ip} netns pids NAME
\t${ip} [-all] netns exec [NAME] cmd ...
\t${ip} netns monitor
\t${ip} netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]
NETNSID := auto | POSITIVE-INT`;
};

function usage(): never {
  throw new Exit(255, [usageText()]);
}

/** invalid_name(): empty, longer than NAME_MAX bytes, a path, or . and .. */
function invalidName(name: string): boolean {
  return !name || Buffer.byteLength(name) > 255 || name.includes('/') || name === '.' || name === '..';
}

/** is_pid(): digits only (the empty word too, as ip's loop lets it pass). */
const isPid = (s: string) => /^[0-9]*$/.test(s);

/** get_netnsid_from_name(): NAME's nsid, or -1; a refused request is reported as rtnl_talk() reports it. */
function nsidOf(ctx: Context, port: NetnsPort, name: string): number {
  try {
    return port.nsidOf(name);
  } catch (e) {
    if (!(e instanceof NetlinkError)) throw e;
    ctx.err(netlinkErrorLine(e));
    return -1;
  }
}

/** ip's return value -1 from a handler: do_cmd() negates it, the exit status is 1. */
const FAILED = 1;

export async function doNetns(ctx: Context, words: string[]): Promise<number> {
  const port = ctx.backend.netns?.();
  if (!port) throw new Exit(1, ['tsnet: this backend has no network namespaces']);
  const err = (line: string) => ctx.err(line);
  if (!words.length) {
    nsidMap(ctx, port);
    return list(ctx, port);
  }
  if (!ctx.opts.all && words.length > 1 && invalidName(words[1])) throw new Exit(255, [`Invalid netns name "${words[1]}"`]);
  const [verb, ...args] = words;
  if (matches(verb, 'list') || matches(verb, 'show') || matches(verb, 'lst')) {
    // netns_map_init() first: it asks for every nsid too (and reports the refusals too).
    nsidMap(ctx, port);
    return list(ctx, port);
  }
  if (matches(verb, 'list-id')) return listId(ctx, port, args);
  if (matches(verb, 'help')) usage();
  if (matches(verb, 'add')) return add(port, args, true, err);
  if (matches(verb, 'set')) return setNsid(port, args, err);
  if (matches(verb, 'delete')) {
    if (!args.length && !ctx.opts.all) return fail(err, 'No netns name specified');
    if (ctx.opts.all) return forEach(port, err, (n) => port.remove(n, err));
    return port.remove(args[0], err) ? 0 : FAILED;
  }
  if (matches(verb, 'identify')) return identify(ctx, port, args, err);
  if (matches(verb, 'pids')) return pids(ctx, port, args, err);
  if (matches(verb, 'exec')) return exec(ctx, port, args, err);
  if (matches(verb, 'monitor')) return monitor(ctx, port, err);
  if (matches(verb, 'attach')) return add(port, args, false, err);
  throw new Exit(255, [`Command "${verb}" is unknown, try "${progName()} netns help".`]);
}

function fail(err: (line: string) => void, line: string): number {
  err(line);
  return FAILED;
}

/** netns_foreach(): each name in directory order until one fails; a missing directory is an empty one. */
function forEach(port: NetnsPort, err: (line: string) => void, each: (name: string) => boolean): number {
  const names = port.names();
  if (names === undefined) return 0;
  for (const n of names) if (!each(n)) break;
  void err;
  return 0;
}

/** netns_list(): each name, with the nsid this namespace knows it by. */
function list(ctx: Context, port: NetnsPort): number {
  const names = port.names();
  if (names === undefined) return 0;
  const out = ctx.out;
  out.startListing();
  for (const n of names) {
    out.openObject();
    out.string('name', n, n);
    const id = nsidOf(ctx, port, n);
    if (id >= 0) out.uint('id', ` (id: ${id})`, id);
    out.fp('\n');
    out.closeObject();
  }
  out.endListing();
  return 0;
}

function add(port: NetnsPort, args: string[], create: boolean, err: (line: string) => void): number {
  if (create && args.length < 1) return fail(err, 'No netns name specified');
  let pid: number | undefined;
  if (!create) {
    if (args.length < 2) return fail(err, 'No netns name and PID specified');
    pid = parseInteger(args[1]);
    if (pid === undefined || pid === 0) return fail(err, `Invalid PID: ${args[1]}`);
  }
  return port.add(args[0], pid, err) ? 0 : FAILED;
}

function setNsid(port: NetnsPort, args: string[], err: (line: string) => void): number {
  if (args.length < 1) return fail(err, 'No netns name specified');
  if (args.length < 2) return fail(err, 'No nsid specified');
  let nsid = -1;
  if (args[1] !== 'auto') {
    const v = parseInteger(args[1]);
    if (v === undefined) invarg('Invalid "netnsid" value', args[1]);
    if (v < 0) invarg('"netnsid" value should be >= 0', args[1]);
    nsid = v;
  }
  try {
    return port.setNsid(args[0], nsid, err) ? 0 : FAILED;
  } catch (e) {
    if (!(e instanceof NetlinkError)) throw e;
    // rtnl_talk() failed: set_netnsid_from_name() returns -2.
    err(netlinkErrorLine(e));
    return 2;
  }
}

function identify(ctx: Context, port: NetnsPort, args: string[], err: (line: string) => void): number {
  if (args.length > 1) return fail(err, 'extra arguments specified');
  const pid = args.length ? args[0] : 'self';
  if (args.length && !isPid(pid)) return fail(err, `Specified string '${pid}' is not a pid`);
  const name = port.identify(pid, err);
  if (name === undefined) return FAILED;
  printf(ctx, `${name}\n`);
  return 0;
}

function pids(ctx: Context, port: NetnsPort, args: string[], err: (line: string) => void): number {
  if (args.length < 1) return fail(err, 'No netns name specified');
  if (args.length > 1) return fail(err, 'extra arguments specified');
  const found = port.pids(args[0], err);
  if (found === undefined) return FAILED;
  for (const p of found) printf(ctx, `${p}\n`);
  return 0;
}

/**
 * netns_monitor(): a line per name made or removed. ip's printf() reaches a
 * pipe only when its buffer fills; tsnet writes each line as it happens.
 */
async function monitor(ctx: Context, port: NetnsPort, err: (line: string) => void): Promise<number> {
  if (!port.monitor) return fail(err, 'tsnet --dry-run: the model\'s namespaces change only by tsnet runs; "netns monitor" has nothing to watch');
  const ok = await port.monitor((event, name) => {
    printf(ctx, `${event} ${name}\n`);
    ctx.out.flush();
  }, err);
  return ok ? 0 : FAILED;
}

/** printf() in ip, whatever the output mode: exec's and identify's lines are not JSON. */
function printf(ctx: Context, s: string): void {
  if (ctx.out.json) {
    ctx.out.flush();
    writeAll(1, s);
  } else ctx.out.fp(s);
}

/**
 * netns_exec(): the command's exit status. ip execs it (a batch line and
 * -all fork first, and a fork's child killed by a signal ends ip with 1).
 */
async function exec(ctx: Context, port: NetnsPort, args: string[], err: (line: string) => void): Promise<number> {
  const all = ctx.opts.all;
  if (args.length < 1 && !all) return fail(err, 'No netns name specified');
  if ((args.length < 2 && !all) || (args.length < 1 && all)) return fail(err, 'No command specified');
  const forked = all || ctx.opts.batch !== undefined;
  const run = async (name: string, argv: string[]): Promise<number | 'setup'> => {
    ctx.out.flush();
    const r = port.modelHost ? await execInModel(ctx, port, name, argv, err) : port.exec(name, argv, err);
    if (typeof r !== 'object') return r;
    if (forked) throw new Exit(1);
    // ip is the command: a signal that ends it ends ip.
    dieBySignal(r.signal as NodeJS.Signals, signalNumber(r.signal));
  };
  if (all) {
    for (const name of port.names() ?? []) {
      printf(ctx, `\nnetns: ${name}\n`);
      await run(name, args);
    }
    return 0;
  }
  const r = await run(args[0], args.slice(1));
  // A failed switch: cmd_exec() returns -1 and do_cmd() turns it into 255. In a batch ip's
  // forked child returns instead of exiting and runs the rest of the batch itself, so ip
  // reports the line twice (and runs later lines twice with -force); tsnet reports one failure.
  if (r === 'setup') return forked ? 1 : 255;
  return r;
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
};
const signalNumber = (s: string) => SIGNALS[s] ?? 0;

/**
 * The model: `netns exec HOST tsnet ARGS` runs the tsnet command on that
 * host's model, in this process (the model's lock is this run's); any other
 * program has no model to run on.
 */
async function execInModel(ctx: Context, port: NetnsPort, name: string, argv: string[], err: (line: string) => void): Promise<number | 'setup'> {
  const backend = port.modelHost!(name, err);
  if (!backend) return 'setup';
  const program = argv[0].slice(argv[0].lastIndexOf('/') + 1);
  if (program !== 'tsnet' && program !== 'ip') {
    err(`exec of "${argv[0]}" failed: the model runs only tsnet (or ip) commands on its hosts`);
    return 1;
  }
  const opts = { ...defaultOptions(), dryRun: true, state: ctx.opts.state, trace: ctx.opts.trace, netns: name };
  const words = argv.slice(1);
  let i = 0;
  const out = new Output(false, false);
  try {
    for (; i < words.length && words[i][0] === '-' && words[i] !== '--'; i++) {
      if (!parseOption(words[i], () => words[++i], opts)) throw new Exit(255, [`Option "${words[i]}" is unknown, try "${progName()} -help".`]);
    }
    if (words[i] === '--') i++;
    out.json = opts.json > 0;
    out.pretty = opts.pretty > 0;
    out.lineBreak = opts.oneline ? '\\' : '\n';
    const inner = opts.netns === name ? backend : port.modelHost!(opts.netns!, err);
    if (!inner) return 255;
    const innerCtx = new Context(opts, out, () => inner);
    if (i >= words.length) throw new Exit(255, ['tsnet: a command, please']);
    const { runCommand } = await import('./main.js');
    const rc = await runCommand(innerCtx, words.slice(i));
    out.flush();
    inner.close(rc !== 0);
    if (inner !== backend) backend.close(rc !== 0);
    return rc;
  } catch (e) {
    out.flush();
    if (!(e instanceof Exit)) throw e;
    for (const l of e.lines) err(l);
    return e.code;
  }
}

/** print_nsid(): one RTM_NEWNSID/DELNSID, with the name the nsid (or current-nsid) has here. */
function printNsid(ctx: Context, m: RtMessage, names: Map<number, string>, port: NetnsPort): void {
  if (m.type !== RTM_NEWNSID && m.type !== RTM_DELNSID) return;
  const id = m.attrs.get(NETNSA_NSID);
  if (!id) {
    ctx.err('BUG: NETNSA_NSID is missing print_nsid');
    return;
  }
  const out = ctx.out;
  out.openObject();
  if (m.type === RTM_DELNSID) out.bool('deleted', 'Deleted ', true);
  const nsid = attrS32(id);
  if (nsid < 0) out.fp('nsid unassigned ');
  else out.uint('nsid', `nsid ${nsid} `, nsid);
  const cur = m.attrs.get(NETNSA_CURRENT_NSID);
  const current = cur ? attrS32(cur) : undefined;
  if (current !== undefined) {
    if (current < 0) out.fp('current-nsid unassigned ');
    else out.uint('current-nsid', `current-nsid ${current} `, current);
  }
  const key = current ?? nsid;
  const name = names.get(key);
  if (name !== undefined) {
    out.string('name', `(iproute2 netns name: ${name})`, name);
    // netns_map_del(): a name is printed once.
    names.delete(key);
  } else if (m.type === RTM_NEWNSID && nsid >= 0) {
    // netns_get_name(): the first file with that nsid.
    const found = (port.names() ?? []).find((n) => nsidOf(ctx, port, n) === nsid);
    if (found !== undefined) {
      out.string('name', `(iproute2 netns name: ${found})`, found);
      names.set(nsid, found);
    }
  }
  out.fp('\n');
  out.closeObject();
}

/** netns_map_init(): nsid -> name over the directory, the first name of an nsid kept. */
function nsidMap(ctx: Context, port: NetnsPort): Map<number, string> {
  const m = new Map<number, string>();
  for (const n of port.names() ?? []) {
    const id = nsidOf(ctx, port, n);
    if (id >= 0 && !m.has(id)) m.set(id, n);
  }
  return m;
}

function listId(ctx: Context, port: NetnsPort, args: string[]): number {
  const names = nsidMap(ctx, port);
  let target = -1, nsid = -1;
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (w === 'target-nsid' || w === 'nsid') {
      if ((w === 'target-nsid' ? target : nsid) >= 0) duparg(w, w);
      i++;
      if (i >= args.length) throw new Exit(255, ['Command line is not complete. Try option "help"']);
      const v = parseInteger(args[i]);
      if (v === undefined) invarg(`"${w}" value is invalid`, args[i]);
      // ip names the word after the value here (NULL, printed "(null)", at the end).
      if (v < 0) invarg(`"${w}" value should be >= 0`, args[i + 1] ?? '(null)');
      if (w === 'target-nsid') target = v;
      else nsid = v;
    } else usage();
  }
  const attrs = target >= 0 ? [{ type: NETNSA_TARGET_NSID, kind: 'u32' as const, value: target }] : [];
  const { rtDump, rtRequest } = ctx.rtnl;
  if (nsid >= 0) {
    const req: RtRequest = { type: RTM_GETNSID, flags: 0, header: new Uint8Array(RTGENMSG_LEN), attrs: [{ type: NETNSA_NSID, kind: 'u32', value: nsid }, ...attrs] };
    let answer: RtMessage[];
    try {
      answer = rtRequest.call(ctx.backend, req);
    } catch (e) {
      if (!(e instanceof NetlinkError)) throw e;
      ctx.err(netlinkErrorLine(e));
      return 2;
    }
    ctx.out.startListing();
    for (const m of answer) printNsid(ctx, m, names, port);
    ctx.out.endListing();
    return 0;
  }
  ctx.out.startListing();
  try {
    rtDump.call(ctx.backend, { type: RTM_GETNSID, flags: 0, header: new Uint8Array(RTGENMSG_LEN), attrs }, (m) => printNsid(ctx, m, names, port));
  } catch (e) {
    if (!(e instanceof NetlinkError)) throw e;
    ctx.out.flush();
    throw new Exit(1, [netlinkErrorLine(e), 'Dump terminated']);
  }
  ctx.out.endListing();
  return 0;
}
