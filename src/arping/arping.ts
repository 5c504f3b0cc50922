// tsnet arping: iputils arping 20221126's options, checks, probe loop,
// output and exit codes (read from its arping.c), over an ArpingPort.
// Texts, numbers and exit statuses are iputils's byte for byte; `-j` is
// tsnet's own (one JSON object per reply, then a summary).
import { strerror } from '../errno.js';
import { formatIPv4 } from '../lib/inet.js';
import { IFF_LOOPBACK, IFF_NOARP, IFF_UP } from '../wire/rtnl-constants.js';
import { ARPOP_REPLY, ARPOP_REQUEST, ARP_LEN, encodeArp, ipAt, macAt } from '../wire/arp.js';
import type { ArpingDevice, ArpingPort, ArpingSocket } from './port.js';
import { VERSION } from '../version.js';

export const USAGE = `
Usage:
  arping [options] <destination>

Options:
  -f            quit on first reply
  -q            be quiet
  -b            keep on broadcasting, do not unicast
  -D            duplicate address detection mode
  -U            unsolicited ARP mode, update your neighbours
  -A            ARP answer mode, update your neighbours
  -V            print version and exit
  -c <count>    how many packets to send
  -w <timeout>  how long to wait for a reply
  -i <interval> set interval between packets (default: 1 second)
  -I <device>   which ethernet device to use
  -s <source>   source ip address
  <destination> dns name or ip address

For more details see arping(8).
`;

const PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2;
const INT_MAX = 2147483647;
const NS = 1000000000n;

/** What arping writes: stdout, stderr, and (for -j) JSON records. */
export interface ArpingOutput {
  out(s: string): void;
  err(s: string): void;
}

/** error(status, errnum, fmt): "arping: msg[: strerror]" on stderr, then exit. */
class ArpingExit extends Error {
  constructor(readonly code: number) {
    super(`arping exit ${code}`);
  }
}

export interface ArpingOptions {
  broadcastOnly: boolean;
  dad: boolean;
  unsolicited: boolean;
  advert: boolean;
  quiet: boolean;
  quitOnReply: boolean;
  count: number;
  timeout: number;
  interval: number;
  device?: string;
  source?: string;
  target?: string;
  json: boolean;
}

/** strtol_or_err(): a whole decimal number in [min, max], or iputils's message and exit 1. */
function numberArg(s: string, min: number, max: number, o: ArpingOutput): number {
  const m = /^\s*[+-]?\d+$/.exec(s);
  if (!m) {
    o.err(`arping: invalid argument: '${s}'\n`);
    throw new ArpingExit(1);
  }
  const v = Number(s.trim());
  if (!Number.isSafeInteger(v) || Math.abs(v) > 9223372036854775807) {
    o.err(`arping: invalid argument: '${s}': Numerical result out of range\n`);
    throw new ArpingExit(1);
  }
  if (v < min || v > max) {
    o.err(`arping: invalid argument: '${s}': out of range: ${min} <= value <= ${max}\n`);
    throw new ArpingExit(1);
  }
  return v;
}

function usage(o: ArpingOutput): never {
  o.err(USAGE);
  throw new ArpingExit(2);
}

/** getopt("h?bfDUAqc:w:i:s:I:V") with glibc's argument permutation; -j is tsnet's. */
export function parseArgs(argv: string[], o: ArpingOutput): ArpingOptions {
  const opts: ArpingOptions = {
    broadcastOnly: false, dad: false, unsolicited: false, advert: false, quiet: false, quitOnReply: false,
    count: -1, timeout: 0, interval: 1, json: false,
  };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (a[0] !== '-' || a.length === 1) {
      rest.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if ('cwisI'.includes(c)) {
        let v = a.slice(j + 1);
        if (v === '') {
          if (i + 1 >= argv.length) {
            o.err(`arping: option requires an argument -- '${c}'\n`);
            usage(o);
          }
          v = argv[++i];
        }
        if (c === 'c') opts.count = numberArg(v, 1, INT_MAX, o);
        else if (c === 'w') opts.timeout = numberArg(v, 0, INT_MAX, o);
        else if (c === 'i') opts.interval = numberArg(v, 0, INT_MAX, o);
        else if (c === 's') opts.source = v;
        else opts.device = v;
        break;
      }
      switch (c) {
        case 'b': opts.broadcastOnly = true; break;
        case 'D': opts.dad = true; opts.quitOnReply = true; break;
        case 'U': opts.unsolicited = true; break;
        case 'A': opts.advert = true; opts.unsolicited = true; break;
        case 'q': opts.quiet = true; break;
        case 'f': opts.quitOnReply = true; break;
        case 'j': opts.json = true; break;
        case 'V':
          o.out(`arping from tsnet ${VERSION} (iputils 20221126 compatible)\n`);
          throw new ArpingExit(0);
        case 'h':
        case '?':
          usage(o);
          break;
        default:
          o.err(`arping: invalid option -- '${c}'\n`);
          usage(o);
      }
    }
  }
  if (rest.length !== 1) usage(o);
  opts.target = rest[0];
  // -j: standard output carries only JSON; iputils's text goes away as with -q.
  if (opts.json) opts.quiet = true;
  if (opts.device === '') opts.device = undefined;
  return opts;
}

/** inet_aton(): up to four parts, each decimal, octal (0) or hex (0x), the last filling the rest. */
export function inetAton(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length > 4 || parts.some((p) => !/^(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9]\d*)$/.test(p))) return undefined;
  const nums = parts.map((p) => (/^0[xX]/.test(p) ? parseInt(p.slice(2) || '0', 16) : p.length > 1 && p[0] === '0' ? parseInt(p, 8) : Number(p)));
  const last = nums[nums.length - 1];
  const lead = nums.slice(0, -1);
  if (lead.some((n) => n > 255) || last >= 2 ** (8 * (5 - nums.length))) return undefined;
  const out = new Uint8Array(4);
  lead.forEach((n, i) => { out[i] = n; });
  for (let i = 3, v = last; i >= lead.length; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}

const hexUpper = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(':');
const hexLower = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** iputils's RTT text: microseconds rounded oddly (it adds half a millisecond below 1 ms, as it always has). */
export function rttText(deltaNs: bigint): string {
  const sec = deltaNs / NS;
  const nsec = deltaNs % NS;
  let usecs = Number(sec) * 1000000 + Math.trunc((Number(nsec) + 500) / 1000);
  const msecs = Math.trunc((usecs + 500) / 1000);
  usecs -= msecs * 1000 - 500;
  return ` ${msecs}.${String(usecs).padStart(3, '0')}ms`;
}

/** Resolves a name as getaddrinfo would; an error text like gai_strerror()'s. */
export type Resolver = (name: string) => Promise<Uint8Array | string>;

export async function arping(argv: string[], port: ArpingPort, o: ArpingOutput, resolve: Resolver): Promise<number> {
  let sock: ArpingSocket | undefined;
  try {
    const opts = parseArgs(argv, o);
    // iputils opens its packet socket before anything else (a user without CAP_NET_RAW stops here).
    const opened = port.open();
    if (!('bind' in opened)) fail(o, 2, `socket: ${strerror(opened.errno)}`);
    sock = opened;
    return await run(opts, port, o, resolve, opened);
  } catch (e) {
    if (e instanceof ArpingExit) return e.code;
    throw e;
  } finally {
    sock?.close();
  }
}

function fail(o: ArpingOutput, code: number, msg: string): never {
  o.err(`arping: ${msg}\n`);
  throw new ArpingExit(code);
}

async function run(opts: ArpingOptions, port: ArpingPort, o: ArpingOutput, resolve: Resolver, sock: ArpingSocket): Promise<number> {
  const target = opts.target!;
  let gdst: Uint8Array | undefined = inetAton(target);
  if (!gdst) {
    const r = await resolve(target);
    if (typeof r === 'string') fail(o, 2, `${target}: ${r}`);
    gdst = r;
  }
  // Interface: -I, or where the route to the target leaves.
  let devName = opts.device;
  if (!devName) {
    const d = port.routeDevice(gdst);
    if (!d) fail(o, 1, 'NETLINK_ROUTE unexpected iov element');
    devName = d.name;
  }
  let device: ArpingDevice | undefined;
  let n = 0;
  for (const d of port.devices()) {
    if (d.name !== devName) continue;
    if (!(d.flags & IFF_UP)) {
      if (!opts.quiet) o.out(`Interface "${devName}" is down\n`);
      throw new ArpingExit(2);
    }
    if (d.flags & (IFF_NOARP | IFF_LOOPBACK)) {
      if (!opts.quiet) o.out(`Interface "${devName}" is not ARPable\n`);
      throw new ArpingExit(opts.dad ? 0 : 2);
    }
    if (!d.mac?.length || !d.broadcast) continue;
    device = d;
    if (n++) break;
  }
  if (!device) fail(o, 2, `Device ${devName} not available.`);

  let gsrc: Uint8Array = new Uint8Array(4);
  if (opts.source !== undefined) {
    const s = inetAton(opts.source);
    if (!s) fail(o, 2, `invalid source ${opts.source}`);
    gsrc = s;
  }
  if (!opts.dad && opts.unsolicited && opts.source === undefined) gsrc = gdst;
  if (!opts.dad || opts.source !== undefined) {
    if (opts.source !== undefined || gsrc.some((x) => x !== 0)) {
      const e = port.canBind(gsrc, device.name);
      if (e) fail(o, 2, `bind: ${strerror(e)}`);
    } else if (!opts.dad) {
      const s = port.sourceFor(gdst, device.name, true);
      if (!(s instanceof Uint8Array)) fail(o, 2, `connect: ${strerror(s.errno)}`);
      gsrc = s;
    }
  }
  const bound = sock.bind(device.ifindex);
  if (bound) fail(o, 2, `bind: ${strerror(bound)}`);
  if (sock.mac.length === 0) {
    if (!opts.quiet) o.out(`Interface "${device.name}" is not ARPable (no ll address)\n`);
    throw new ArpingExit(opts.dad ? 0 : 2);
  }
  let he = device.broadcast!.length === sock.mac.length ? device.broadcast!.slice() : new Uint8Array(sock.mac.length).fill(0xff);
  if (device.broadcast!.length !== sock.mac.length && !opts.quiet) o.err('WARNING: using default broadcast address.\n');

  if (!opts.quiet) o.out(`ARPING ${formatIPv4(gdst)} from ${formatIPv4(gsrc)} ${device.name}\n`);
  if (opts.source === undefined && gsrc.every((x) => x === 0) && !opts.dad) fail(o, 2, 'no source address in not-DAD mode');

  const me = sock.mac;
  let sent = 0, brdSent = 0, received = 0, brdRecv = 0, reqRecv = 0;
  let unicasting = false;
  let last = 0n;
  const payload = new Uint8Array(ARP_LEN);
  const send = () => {
    encodeArp({
      ethDst: macAt(he, 0), ethSrc: macAt(me, 0), op: opts.advert ? ARPOP_REPLY : ARPOP_REQUEST, sha: macAt(me, 0),
      spa: ipAt(gsrc, 0), tha: macAt(opts.advert ? me : he, 0), tpa: ipAt(gdst, 0),
    }, payload);
    const t = sock.send(payload, he);
    if (typeof t === 'bigint') {
      last = t;
      sent++;
      if (!unicasting) brdSent++;
    }
  };

  // Signals end the loop; the statistics are printed as iputils does.
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    sock.interrupt();
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGQUIT'] as const) process.on(s, onSignal);
  try {
    const start = port.now();
    send();
    const interval = BigInt(opts.interval) * NS;
    const deadline = opts.timeout ? start + BigInt(opts.timeout) * NS : undefined;
    let expires = 1n; // timerfd's total_expires
    let nextTick = interval ? start + interval : undefined;
    loop: for (;;) {
      const wake = nextTick === undefined ? deadline : deadline === undefined ? nextTick : (nextTick < deadline ? nextTick : deadline);
      const ev = await sock.next(wake);
      if (ev === 'interrupted' || interrupted) break;
      if (ev === 'timeout') {
        // iputils polls its interval timer before its timeout timer: a tick due with the deadline still sends.
        const now = port.now();
        if (nextTick !== undefined && now >= nextTick) {
          const exp = (now - nextTick) / interval + 1n;
          nextTick += exp * interval;
          expires += exp;
          if (opts.count > 0 && BigInt(opts.count) < expires) break;
          send();
        }
        if (deadline !== undefined && now >= deadline) break;
        continue;
      }
      // recv_pack()
      const f = ev.payload;
      if (ev.pkttype !== PACKET_HOST && ev.pkttype !== PACKET_BROADCAST && ev.pkttype !== PACKET_MULTICAST) continue;
      const op = (f[6] << 8) | f[7];
      if (op !== ARPOP_REQUEST && op !== ARPOP_REPLY) continue;
      if (((f[0] << 8) | f[1]) !== 1 || ((f[2] << 8) | f[3]) !== 0x0800 || f[5] !== 4 || f[4] !== me.length) continue;
      const hl = f[4];
      if (f.length < 8 + 2 * (4 + hl)) continue;
      const sha = f.subarray(8, 8 + hl);
      const srcIp = f.subarray(8 + hl, 12 + hl);
      const tha = f.subarray(12 + hl, 12 + 2 * hl);
      const dstIp = f.subarray(12 + 2 * hl, 16 + 2 * hl);
      if (!opts.dad) {
        if (!sameBytes(srcIp, gdst) || !sameBytes(gsrc, dstIp) || !sameBytes(tha, me)) continue;
      } else {
        if (!sameBytes(srcIp, gdst) || sameBytes(sha, me)) continue;
        if (gsrc.some((x) => x !== 0) && !sameBytes(gsrc, dstIp)) continue;
      }
      // A reply to an earlier request that arrives after a later send (or a clock step) is not a negative time.
      const rttNs = ev.at > last ? ev.at - last : 0n;
      if (opts.json) {
        o.out(JSON.stringify({
          type: op === ARPOP_REPLY ? 'reply' : 'request', unicast: ev.pkttype === PACKET_HOST, from: formatIPv4(srcIp),
          mac: hexLower(sha), for: formatIPv4(dstIp), for_mac: hexLower(tha), rtt_ms: Number(rttNs) / 1e6,
        }) + '\n');
      } else if (!opts.quiet) {
        let line = `${ev.pkttype === PACKET_HOST ? 'Unicast' : 'Broadcast'} ${op === ARPOP_REPLY ? 'reply' : 'request'} from ${formatIPv4(srcIp)} [${hexUpper(sha)}] `;
        let forPrinted = false;
        if (!sameBytes(dstIp, gsrc)) {
          line += `for ${formatIPv4(dstIp)} `;
          forPrinted = true;
        }
        if (!sameBytes(tha, me)) line += `${forPrinted ? '' : 'for '}[${hexUpper(tha)}]`;
        o.out(line + rttText(rttNs) + '\n');
      }
      received++;
      if (opts.timeout && received === opts.count) break loop;
      if (ev.pkttype !== PACKET_HOST) brdRecv++;
      if (op === ARPOP_REQUEST) reqRecv++;
      if (opts.quitOnReply || (opts.count === 0 && received === sent)) break loop;
      if (!opts.broadcastOnly) {
        he = sha.slice();
        unicasting = true;
      }
    }
  } finally {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGQUIT'] as const) process.removeListener(s, onSignal);
  }

  // finish()
  let rc = 0;
  if (opts.json) {
    o.out(JSON.stringify({ type: 'summary', sent, broadcasts: brdSent, received, requests: reqRecv, broadcast_replies: brdRecv }) + '\n');
  } else if (!opts.quiet) {
    let s = `Sent ${sent} probes (${brdSent} broadcast(s))\nReceived ${received} response(s)`;
    if (brdRecv || reqRecv) {
      s += ' (';
      if (reqRecv) s += `${reqRecv} request(s)`;
      if (brdRecv) s += `${reqRecv ? ', ' : ''}${brdRecv} broadcast(s)`;
      s += ')';
    }
    o.out(s + '\n');
  }
  if (opts.dad) rc = received ? 1 : 0;
  else if (opts.unsolicited) rc = 0;
  else rc = received ? 0 : 1;
  if (opts.unsolicited) { /* nothing more */ }
  else if (opts.dad && opts.quitOnReply) rc |= brdSent !== received ? 0 : 1;
  else if (opts.timeout && !(opts.count > 0)) rc |= received > 0 ? 0 : 1;
  else rc |= sent !== received ? 1 : 0;
  return rc;
}
