// `tsnet neigh`: ip neigh's grammar, filters, printer and messages (ipneigh.c, 6.1).
import { NetlinkError, type Neighbour, type NeighbourChange } from '../backend.js';
import {
  AF_BRIDGE, AF_INET, AF_INET6, AF_PACKET, AF_UNSPEC, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE,
  NTF_EXT_LEARNED, NTF_EXT_MANAGED, NTF_OFFLOADED, NTF_PROXY, NTF_ROUTER, NTF_USE, NUD_DELAY, NUD_FAILED,
  NUD_INCOMPLETE, NUD_NOARP, NUD_NONE, NUD_PERMANENT, NUD_PROBE, NUD_REACHABLE, NUD_STALE, NDMSG_LEN, NLA_HDRLEN,
  NLMSG_HDRLEN,
} from '../wire/rtnl-constants.js';
import { nlaAlign } from '../wire/nlattr.js';
import type { Context } from './context.js';
import { Args, Exit, duparg, duparg2, invarg, matches } from './matches.js';
import { type InetPrefix, formatAddress, formatLladdr, parseAddress, parseLladdr, parsePrefix, parseUnsigned, prefixMatch } from '../lib/inet.js';
import { Color } from '../lib/output.js';
import { rtProtocols } from './names.js';
import { familyNameVerbose, netlinkErrorLine, nodev } from './common.js';

const USAGE = `Usage: tsnet neigh { add | del | change | replace }
                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }
                [ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]
                [ protocol PROTO ]

	tsnet neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
				  [ vrf NAME ] [ nomaster ]
	tsnet neigh get { ADDR | proxy ADDR } dev DEV

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale }`;

function usage(): never {
  throw new Exit(255, [USAGE]);
}

const MAX_ROUNDS = 10;
/** ip collects flush deletes in a 3584-byte buffer and sends it when full. */
const FLUSH_BUFFER = 4096 - 512;

/** nud_state_a2n(): names (three of them by prefix) or a single-bit number below 0x100. */
export function nudStateFromName(arg: string): number | undefined {
  if (matches(arg, 'permanent')) return NUD_PERMANENT;
  if (matches(arg, 'reachable')) return NUD_REACHABLE;
  if (arg === 'noarp') return NUD_NOARP;
  if (arg === 'none') return NUD_NONE;
  if (arg === 'stale') return NUD_STALE;
  if (arg === 'incomplete') return NUD_INCOMPLETE;
  if (arg === 'delay') return NUD_DELAY;
  if (arg === 'probe') return NUD_PROBE;
  if (matches(arg, 'failed')) return NUD_FAILED;
  const n = parseUnsigned(arg);
  if (n === undefined || n >= 0x100 || (n & (n - 1)) !== 0) return undefined;
  return n;
}

/** print_neigh_state()'s order. */
const STATE_BITS = [NUD_INCOMPLETE, NUD_REACHABLE, NUD_STALE, NUD_DELAY, NUD_PROBE, NUD_FAILED, NUD_NOARP, NUD_PERMANENT];
const STATE_NAMES = ['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT'];
const STATE_TEXT = STATE_NAMES.map((s) => s + ' ');
const stateTexts = new Map<number, string>();

/** "STALE ", "REACHABLE " ...: the text of a state value, computed once per value. */
function stateText(state: number): string {
  let t = stateTexts.get(state);
  if (t === undefined) {
    t = '';
    for (let i = 0; i < STATE_BITS.length; i++) if (state & STATE_BITS[i]) t += STATE_TEXT[i];
    stateTexts.set(state, t);
  }
  return t;
}

export function doNeigh(ctx: Context, words: string[]): number {
  if (words.length === 0) return showOrFlush(ctx, [], false);
  const [verb, ...rest] = words;
  if (matches(verb, 'add')) return modify(ctx, false, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(verb, 'change') || verb === 'chg') return modify(ctx, false, NLM_F_REPLACE, rest);
  if (matches(verb, 'replace')) return modify(ctx, false, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(verb, 'delete')) return modify(ctx, true, 0, rest);
  if (matches(verb, 'get')) return get(ctx, rest);
  if (matches(verb, 'show') || matches(verb, 'lst') || matches(verb, 'list')) return showOrFlush(ctx, rest, false);
  if (matches(verb, 'flush')) return showOrFlush(ctx, rest, true);
  if (matches(verb, 'help')) usage();
  throw new Exit(255, [`Command "${verb}" is unknown, try "tsnet neigh help".`]);
}

function getAddr(arg: string, family: number): InetPrefix {
  const p = parseAddress(arg, family);
  if (!p) throw new Exit(1, [`Error: ${familyNameVerbose(family)} address is expected rather than "${arg}".`]);
  return p;
}

function modify(ctx: Context, del: boolean, nlFlags: number, words: string[]): number {
  const family = ctx.opts.family;
  let state = NUD_PERMANENT;
  let ndmFlags = 0;
  let flagsExt = 0;
  let dev: string | undefined;
  let dst: InetPrefix | undefined;
  let devOk = false;
  let lla: string | undefined;
  let protocol: number | undefined;
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (matches(w, 'lladdr')) {
      const v = a.next();
      if (lla !== undefined) duparg('lladdr', v);
      lla = v;
    } else if (w === 'nud') {
      const v = a.next();
      const s = nudStateFromName(v);
      if (s === undefined) invarg('nud state is bad', v);
      state = s;
    } else if (matches(w, 'proxy')) {
      const v = a.next();
      if (matches(v, 'help')) usage();
      if (dst) duparg('address', v);
      dst = getAddr(v, family);
      devOk = true;
      ndmFlags |= NTF_PROXY;
    } else if (w === 'router') ndmFlags |= NTF_ROUTER;
    else if (w === 'use') ndmFlags |= NTF_USE;
    else if (w === 'managed') {
      flagsExt |= NTF_EXT_MANAGED;
      state = NUD_NONE;
    } else if (matches(w, 'extern_learn')) ndmFlags |= NTF_EXT_LEARNED;
    else if (w === 'dev') {
      dev = a.next();
      devOk = true;
    } else if (matches(w, 'protocol')) {
      const v = a.next();
      const p = rtProtocols.id(v);
      if (p === undefined) invarg('"protocol" value is invalid\n', v);
      protocol = p;
    } else {
      let v = w;
      if (v === 'to') v = a.next();
      if (matches(v, 'help')) v = a.next();
      if (dst) duparg2('to', v);
      dst = getAddr(v, family);
    }
  }
  if (!devOk || !dst || dst.family === AF_UNSPEC) {
    throw new Exit(255, ['Device and destination are required arguments.']);
  }
  const change: NeighbourChange = {
    family: dst.family, ifindex: 0, state, flags: ndmFlags, dst: dst.data,
  };
  if (protocol !== undefined) change.protocol = protocol;
  if (flagsExt) change.flagsExt = flagsExt;
  if (lla !== undefined && lla !== 'null') {
    const ll = parseLladdr(lla);
    if (typeof ll === 'string') {
      ctx.err(`"${ll}" is invalid lladdr.`);
      return 1;
    }
    change.lladdr = ll;
  }
  if (dev !== undefined) {
    change.ifindex = ctx.nameToIndex(dev);
    if (!change.ifindex) return nodev(ctx, dev);
  }
  try {
    if (del) ctx.backend.neighbourDelete(change);
    else ctx.backend.neighbourAdd(change, nlFlags);
  } catch (e) {
    // ip exits here (exit(2)), which also ends a batch, -force or not.
    if (e instanceof NetlinkError) throw new Exit(2, [netlinkErrorLine(e)]);
    throw e;
  }
  return 0;
}

function get(ctx: Context, words: string[]): number {
  const family = ctx.opts.family;
  let dev: string | undefined;
  let dst: InetPrefix | undefined;
  let devOk = false;
  let ndmFlags = 0;
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'dev') {
      dev = a.next();
      devOk = true;
    } else if (matches(w, 'proxy')) {
      const v = a.next();
      if (matches(v, 'help')) usage();
      if (dst) duparg('address', v);
      dst = getAddr(v, family);
      devOk = true;
      ndmFlags |= NTF_PROXY;
    } else {
      let v = w;
      if (v === 'to') v = a.next();
      if (matches(v, 'help')) usage();
      if (dst) duparg2('to', v);
      dst = getAddr(v, family);
    }
  }
  if (!devOk || !dst || dst.family === AF_UNSPEC) {
    ctx.err('Device and address are required arguments.');
    return 1;
  }
  let ifindex = 0;
  if (dev !== undefined) {
    ifindex = ctx.nameToIndex(dev);
    if (!ifindex) return nodev(ctx, dev);
  }
  let n: Neighbour;
  try {
    n = ctx.backend.neighbourGet(dst.family, ifindex, dst.data, ndmFlags);
  } catch (e) {
    if (e instanceof NetlinkError) {
      ctx.err(netlinkErrorLine(e));
      return 2;
    }
    throw e;
  }
  // ip 6.1 ignores -j here; tsnet prints JSON as ip 6.2 and later do.
  ctx.out.startListing();
  printNeighbour(ctx, n, 0);
  ctx.out.endListing();
  return 0;
}

interface NeighFilter {
  family: number;
  index: number;
  state: number;
  unusedOnly: boolean;
  pfx?: InetPrefix;
  master: number;
  protocol: number;
  ndmFlags: number;
}

function showOrFlush(ctx: Context, words: string[], flush: boolean): number {
  const f: NeighFilter = {
    family: ctx.opts.family, index: 0, state: ~0, unusedOnly: false, master: 0, protocol: 0, ndmFlags: 0,
  };
  let filterDev: string | undefined;
  let stateGiven = false;
  if (flush) {
    if (words.length === 0) {
      ctx.err('Flush requires arguments.');
      return 1;
    }
    f.state = ~(NUD_PERMANENT | NUD_NOARP);
  } else f.state = 0xff & ~NUD_NOARP;

  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'dev') {
      const v = a.next();
      if (filterDev !== undefined) duparg('dev', v);
      filterDev = v;
    } else if (w === 'master') {
      const v = a.next();
      const idx = ctx.nameToIndex(v);
      if (!idx) invarg('Device does not exist\n', v);
      f.master = idx;
    } else if (w === 'vrf') {
      const v = a.next();
      const idx = ctx.nameToIndex(v);
      if (!idx || ctx.link(idx)?.kind !== 'vrf') invarg('Not a valid VRF name\n', v);
      f.master = idx;
    } else if (w === 'nomaster') f.master = -1;
    else if (w === 'unused') f.unusedOnly = true;
    else if (w === 'nud') {
      const v = a.next();
      if (!stateGiven) {
        stateGiven = true;
        f.state = 0;
      }
      let s = nudStateFromName(v);
      if (s === undefined) {
        if (v !== 'all') invarg('nud state is bad', v);
        s = ~0;
        if (flush) s &= ~NUD_NOARP;
      }
      if (s === 0) s = 0x100;
      f.state |= s;
    } else if (w === 'proxy') f.ndmFlags = NTF_PROXY;
    else if (matches(w, 'protocol')) {
      const v = a.next();
      let p = rtProtocols.id(v);
      if (p === undefined) {
        if (v !== 'all') invarg('invalid "protocol"\n', v);
        p = 0;
      }
      f.protocol = p;
    } else {
      let v = w;
      if (v === 'to') v = a.next();
      if (matches(v, 'help')) usage();
      if (f.family === AF_PACKET) {
        throw new Exit(1, [`Error: "${v}" may be inet prefix, but it is not allowed in this context.`]);
      }
      const p = parsePrefix(v, f.family);
      if (!p) throw new Exit(1, [`Error: ${familyNameVerbose(f.family)} prefix is expected rather than "${v}".`]);
      f.pfx = p;
      if (f.family === AF_UNSPEC) f.family = p.family;
    }
  }

  if (filterDev !== undefined) {
    f.index = ctx.nameToIndex(filterDev);
    if (!f.index) return nodev(ctx, filterDev);
  }

  const dump = (each: (n: Neighbour) => void): void => {
    try {
      ctx.backend.neighbourDump({ family: f.family, ifindex: f.index, master: f.master, ndmFlags: f.ndmFlags }, each);
    } catch (e) {
      if (e instanceof NetlinkError) throw new Exit(1, [netlinkErrorLine(e), 'Dump terminated']);
      throw e;
    }
  };

  if (flush) return flushRounds(ctx, f, dump);

  const out = ctx.out;
  ctx.link(0); // load the link names before the dump, not from inside it
  out.startListing();
  dump((n) => {
    if (passes(f, n)) printNeighbour(ctx, n, f.index);
  });
  out.endListing();
  return 0;
}

function flushRounds(ctx: Context, f: NeighFilter, dump: (each: (n: Neighbour) => void) => void): number {
  const stats = ctx.opts.stats;
  // ip prints flushed entries as text even with -j (no JSON object is open during a flush).
  const wasJson = ctx.out.json;
  ctx.out.json = false;
  try {
    for (let round = 0; round < MAX_ROUNDS;) {
      let chunk: Neighbour[] = [];
      let used = 0;
      let flushed = 0;
      // Collected first, deleted after: deleting while the kernel is still dumping would skew the dump.
      const found: Neighbour[] = [];
      dump((n) => {
        if (passes(f, n)) found.push(copyNeighbour(n));
      });
      for (const n of found) {
        const len = messageLength(n);
        if (used + len > FLUSH_BUFFER) {
          sendFlush(ctx, chunk, true);
          chunk = [];
          used = 0;
        }
        chunk.push(n);
        used += len;
        flushed++;
        if (stats >= 2) printNeighbour(ctx, n, f.index);
      }
      if (flushed === 0) {
        if (stats) {
          if (round === 0) ctx.out.fp('Nothing to flush.\n');
          else ctx.out.fp(`*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
        }
        return 0;
      }
      round++;
      sendFlush(ctx, chunk, false);
      if (stats) ctx.out.fp(`\n*** Round ${round}, deleting ${flushed} entries ***\n`);
      f.state &= ~NUD_FAILED;
    }
    ctx.out.fp(`*** Flush not complete bailing out after ${MAX_ROUNDS} rounds\n`);
    return 1;
  } finally {
    ctx.out.json = wasJson;
  }
}

function sendFlush(ctx: Context, chunk: Neighbour[], midDump: boolean): void {
  try {
    ctx.backend.neighbourFlush(chunk);
  } catch (e) {
    if (!(e instanceof NetlinkError)) throw e;
    const lines = [`Failed to send flush request: ${netlinkErrorLine(e, true)}`];
    if (midDump) lines.push('Flush terminated');
    throw new Exit(1, lines);
  }
}

/** Detaches an entry from the receive buffer its arrays may view. */
function copyNeighbour(n: Neighbour): Neighbour {
  const c = { ...n };
  const dst = n.dst, lladdr = n.lladdr;
  if (dst) c.dst = dst.slice();
  if (lladdr) c.lladdr = lladdr.slice();
  return c;
}

/** The size of the RTM_NEWNEIGH message the kernel sent for `n` (ip copies it into its flush buffer). */
function messageLength(n: Neighbour): number {
  let len = NLMSG_HDRLEN + NDMSG_LEN;
  if (n.dst) len += NLA_HDRLEN + nlaAlign(n.dst.length);
  if (n.lladdr) len += NLA_HDRLEN + nlaAlign(n.lladdr.length);
  if (n.probes !== undefined) len += 8;
  if (n.cacheinfo) len += 20;
  if (n.protocol !== undefined) len += 8;
  if (n.flagsExt !== undefined) len += 8;
  return len;
}

/** The filters print_neigh() applies to each dumped entry. */
function passes(f: NeighFilter, n: Neighbour): boolean {
  if (f.family && f.family !== n.family) return false;
  if (f.index && f.index !== n.ifindex) return false;
  if (!(f.state & n.state) && !(n.flags & NTF_PROXY) && !(n.flags & NTF_EXT_LEARNED) && (n.state || !(f.state & 0x100))) {
    return false;
  }
  const p = f.pfx;
  if (p && p.family !== AF_UNSPEC && p.bitlen > 0 && n.dst) {
    const fam = n.dst.length === 4 ? AF_INET : n.dst.length === 16 ? AF_INET6 : -1;
    if (fam !== p.family) return false;
    if (!prefixMatch(n.dst, p.data, p.bitlen)) return false;
  }
  if (f.protocol && f.protocol !== (n.protocol ?? 0)) return false;
  if (f.unusedOnly && n.cacheinfo && n.cacheinfo.refcnt) return false;
  return true;
}

function familyColor(family: number): Color {
  return family === AF_INET ? Color.INET : family === AF_INET6 ? Color.INET6 : Color.NONE;
}

/**
 * print_neigh(): one entry, text or JSON. `filterIndex` hides the device
 * (a `dev` filter); `kind` is set by the monitor for deletions and misses.
 */
export function printNeighbour(ctx: Context, n: Neighbour, filterIndex: number, kind?: 'deleted' | 'miss'): void {
  const out = ctx.out;
  out.openObject();
  if (kind === 'deleted') out.bool('deleted', 'Deleted ', true);
  else if (kind === 'miss') out.null('miss', 'miss ');

  let dstText = n.dstText;
  let family = n.family;
  if (dstText === undefined && n.dst) {
    if (family === AF_BRIDGE) family = n.dst.length === 16 ? AF_INET6 : AF_INET;
    dstText = formatAddress(family, n.dst);
  }
  const lladdr = n.lladdrText ?? (n.lladdr ? formatLladdr(n.lladdr, ctx.indexToType(n.ifindex)) : undefined);
  const showDev = !filterIndex && n.ifindex;

  if (out.plainText && !ctx.opts.brief && !ctx.opts.stats && !kind) {
    // The common listing, built as one line: the same fields in the same
    // order as below, without a printer call per field (10,000-entry tables).
    let line = dstText !== undefined ? dstText + ' ' : '';
    if (showDev) line += 'dev ' + ctx.indexToName(n.ifindex) + ' ';
    if (lladdr !== undefined) line += 'lladdr ' + lladdr + ' ';
    if (n.flags & (NTF_ROUTER | NTF_PROXY | NTF_EXT_LEARNED | NTF_OFFLOADED) || n.flagsExt) {
      if (n.flags & NTF_ROUTER) line += 'router ';
      if (n.flags & NTF_PROXY) line += 'proxy ';
      if ((n.flagsExt ?? 0) & NTF_EXT_MANAGED) line += 'managed ';
      if (n.flags & NTF_EXT_LEARNED) line += 'extern_learn ';
      if (n.flags & NTF_OFFLOADED) line += 'offload ';
    }
    if (n.state) line += stateText(n.state);
    if (n.protocol) line += `proto ${rtProtocols.name(n.protocol, ctx.opts.numeric > 0)} `;
    out.fp(line + '\n');
    return;
  }

  if (ctx.opts.brief) {
    if (dstText !== undefined) out.string('dst', dstText.padEnd(39) + ' ', dstText, familyColor(family));
    if (showDev) {
      const name = ctx.indexToName(n.ifindex);
      out.string('dev', name.padEnd(16) + ' ', name, Color.IFNAME);
    }
    if (lladdr !== undefined) out.string('lladdr', lladdr, lladdr, Color.MAC);
    out.fp('\n');
    out.closeObject();
    return;
  }

  if (dstText !== undefined) out.string('dst', dstText + ' ', dstText, familyColor(family));
  if (showDev) {
    const name = ctx.indexToName(n.ifindex);
    out.fp('dev ');
    out.string('dev', name + ' ', name, Color.IFNAME);
  }
  if (lladdr !== undefined) {
    out.fp('lladdr ');
    out.string('lladdr', lladdr + ' ', lladdr, Color.MAC);
  }
  const flagsExt = n.flagsExt ?? 0;
  if (n.flags & NTF_ROUTER) out.null('router', 'router ');
  if (n.flags & NTF_PROXY) out.null('proxy', 'proxy ');
  if (flagsExt & NTF_EXT_MANAGED) out.null('managed', 'managed ');
  if (n.flags & NTF_EXT_LEARNED) out.null('extern_learn', 'extern_learn ');
  if (n.flags & NTF_OFFLOADED) out.null('offload', 'offload ');

  if (ctx.opts.stats) {
    const ci = n.cacheinfo;
    if (ci) {
      // USER_HZ is 100: ip divides the clock_t values to whole seconds.
      if (ci.refcnt) out.uint('refcnt', ` ref ${ci.refcnt}`, ci.refcnt);
      const used = Math.floor(ci.used / 100), confirmed = Math.floor(ci.confirmed / 100), updated = Math.floor(ci.updated / 100);
      out.uint('used', ` used ${used}`, used);
      out.uint('confirmed', `/${confirmed}`, confirmed);
      out.uint('updated', `/${updated}`, updated);
    }
    if (n.probes !== undefined) out.uint('probes', `probes ${n.probes} `, n.probes);
  }

  if (n.state) {
    out.openArray('state');
    for (let i = 0; i < STATE_NAMES.length; i++) {
      if (n.state & STATE_BITS[i]) out.string(null, STATE_TEXT[i], STATE_NAMES[i]);
    }
    out.closeArray();
  }
  if (n.protocol) {
    const p = rtProtocols.name(n.protocol, ctx.opts.numeric > 0);
    out.string('protocol', `proto ${p} `, p);
  }
  out.fp('\n');
  out.closeObject();
}
