// `tsnet neigh` (ip/ipneigh.c, 6.1): the verb table, add/change/replace/del
// and get. show/flush are neigh-list.ts, the printer neigh-print.ts.
import { progName } from '../lib/progname.js';
import {
  AF_UNSPEC, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NTF_EXT_LEARNED, NTF_EXT_MANAGED, NTF_PROXY, NTF_ROUTER, NTF_USE,
  NUD_NONE, NUD_PERMANENT, NetlinkError, type Neighbour, type NeighbourChange,
} from '../backend.js';
import type { Context } from './context.js';
import { Args, Exit, duparg, duparg2, invarg, matches } from './matches.js';
import { type InetPrefix, parseAddress, parseLladdr } from '../lib/inet.js';
import { rtProtocols } from './names.js';
import { familyNameVerbose, netlinkErrorLine, nodev } from './common.js';
import { showOrFlush } from './neigh-list.js';
import { nudStateFromName, printNeighbour } from './neigh-print.js';

const usageText = (): string => `Usage: ${progName()} neigh { add | del | change | replace }
                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }
                [ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]
                [ protocol PROTO ]

	${progName()} neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
				  [ vrf NAME ] [ nomaster ]
	${progName()} neigh get { ADDR | proxy ADDR } dev DEV

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale }`;

function usage(): never {
  throw new Exit(255, [usageText()]);
}


export function doNeigh(ctx: Context, words: string[]): number {
  if (words.length === 0) return showOrFlush(ctx, [], false, usage);
  const [verb, ...rest] = words;
  if (matches(verb, 'add')) return modify(ctx, false, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(verb, 'change') || verb === 'chg') return modify(ctx, false, NLM_F_REPLACE, rest);
  if (matches(verb, 'replace')) return modify(ctx, false, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(verb, 'delete')) return modify(ctx, true, 0, rest);
  if (matches(verb, 'get')) return get(ctx, rest);
  if (matches(verb, 'show') || matches(verb, 'lst') || matches(verb, 'list')) return showOrFlush(ctx, rest, false, usage);
  if (matches(verb, 'flush')) return showOrFlush(ctx, rest, true, usage);
  if (matches(verb, 'help')) usage();
  throw new Exit(255, [`Command "${verb}" is unknown, try "${progName()} neigh help".`]);
}

function getAddr(arg: string, family: number): InetPrefix {
  const p = parseAddress(arg, family);
  if (!p) throw new Exit(1, [`Error: ${familyNameVerbose(family)} address is expected rather than "${arg}".`]);
  return p;
}

/** `proxy ADDR`: the address of a proxy entry; `help` and a second address end as ip's do. */
function proxyAddr(v: string, dst: InetPrefix | undefined, family: number): InetPrefix {
  if (matches(v, 'help')) usage();
  if (dst) duparg('address', v);
  return getAddr(v, family);
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
      dst = proxyAddr(a.next(), dst, family);
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
      dst = proxyAddr(a.next(), dst, family);
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

