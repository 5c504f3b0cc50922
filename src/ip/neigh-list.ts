// ip neigh show and flush (ip/ipneigh.c, 6.1): the filter words, the listing,
// and flush's rounds of dump and delete.
import {
  AF_INET, AF_INET6, AF_PACKET, AF_UNSPEC, NTF_EXT_LEARNED, NTF_PROXY, NUD_FAILED, NUD_NOARP, NUD_PERMANENT,
  NetlinkError, type Neighbour,
} from '../backend.js';
import { NDMSG_LEN, NLA_HDRLEN, NLMSG_HDRLEN } from '../wire/rtnl-constants.js';
import { nlaAlign } from '../wire/nlattr.js';
import type { Context } from './context.js';
import { Args, Exit, duparg, invarg, matches } from './matches.js';
import { type InetPrefix, parsePrefix, prefixMatch } from '../lib/inet.js';
import { rtProtocols } from './names.js';
import { familyNameVerbose, masterArg, netlinkErrorLine, nodev, vrfArg } from './common.js';
import { neighbourLinePrinter, nudStateFromName, printNeighbour } from './neigh-print.js';
import { u32At } from '../wire/nlmsg.js';

const MAX_ROUNDS = 10;
/** ip collects flush deletes in a 3584-byte buffer and sends it when full. */
const FLUSH_BUFFER = 4096 - 512;

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

export function showOrFlush(ctx: Context, words: string[], flush: boolean, usage: () => never): number {
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
    } else if (w === 'master') f.master = masterArg(ctx, a.next());
    else if (w === 'vrf') f.master = vrfArg(ctx, a.next());
    else if (w === 'nomaster') f.master = -1;
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
  const b = ctx.backend;
  if (b.neighbourDumpInPlace && out.plainText && !ctx.opts.brief && !ctx.opts.stats) {
    // The common listing, each entry read and printed in place (see neighbourLinePrinter).
    const print = neighbourLinePrinter(ctx, f.index);
    const filter = { family: f.family, ifindex: f.index, master: f.master, ndmFlags: f.ndmFlags };
    try {
      b.neighbourDumpInPlace(filter, (v) => {
        const dst = f.pfx && v.dst >= 0 ? v.buf.subarray(v.dst, v.dst + v.dstLen) : undefined;
        const refcnt = f.unusedOnly && v.cacheinfo >= 0 ? u32At(v.buf, v.cacheinfo + 12) : 0;
        if (passesFields(f, v.family, v.ifindex, v.state, v.flags, dst, v.protocol < 0 ? 0 : v.protocol, refcnt)) print(v);
      });
    } catch (e) {
      if (e instanceof NetlinkError) throw new Exit(1, [netlinkErrorLine(e), 'Dump terminated']);
      throw e;
    }
  } else {
    dump((n) => {
      if (passes(f, n)) printNeighbour(ctx, n, f.index);
    });
  }
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
  return passesFields(f, n.family, n.ifindex, n.state, n.flags, n.dst, n.protocol ?? 0, n.cacheinfo?.refcnt ?? 0);
}

/** passes() on an entry's fields (`dst` is needed only for a prefix filter; `refcnt` only for `unused`). */
function passesFields(f: NeighFilter, family: number, ifindex: number, state: number, flags: number, dst: Uint8Array | undefined,
  protocol: number, refcnt: number): boolean {
  if (f.family && f.family !== family) return false;
  if (f.index && f.index !== ifindex) return false;
  if (!(f.state & state) && !(flags & NTF_PROXY) && !(flags & NTF_EXT_LEARNED) && (state || !(f.state & 0x100))) {
    return false;
  }
  const p = f.pfx;
  if (p && p.family !== AF_UNSPEC && p.bitlen > 0 && dst) {
    const fam = dst.length === 4 ? AF_INET : dst.length === 16 ? AF_INET6 : -1;
    if (fam !== p.family) return false;
    if (!prefixMatch(dst, p.data, p.bitlen)) return false;
  }
  if (f.protocol && f.protocol !== protocol) return false;
  if (f.unusedOnly && refcnt) return false;
  return true;
}
