// print_neigh() of ip/ipneigh.c (6.1): one neighbour entry, text or JSON, for
// `neigh show/get/flush` and the monitor; and the NUD state names both ways.
import {
  AF_BRIDGE, AF_INET, AF_INET6, NTF_EXT_LEARNED, NTF_EXT_MANAGED, NTF_OFFLOADED, NTF_PROXY, NTF_ROUTER,
  NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_NOARP, NUD_NONE, NUD_PERMANENT, NUD_PROBE, NUD_REACHABLE, NUD_STALE,
  type Neighbour,
} from '../backend.js';
import type { Context } from './context.js';
import { matches } from './matches.js';
import { formatAddress, formatLladdr, parseUnsigned, putHexColon6, putIPv4 } from '../lib/inet.js';
import { rtProtocols } from './names.js';
import { familyColor } from './common.js';
import { Color, TextBytes, ascii } from '../lib/output.js';
import type { NeighbourView } from '../wire/nlmsg.js';

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

/** stateText() and a line's end as bytes, by state value. */
const stateEnds = new Map<number, Buffer>();
const LLADDR = ascii('lladdr '), ROUTER = ascii('router '), PROXY = ascii('proxy '), MANAGED = ascii('managed '), EXTERN_LEARN = ascii('extern_learn '),
  OFFLOAD = ascii('offload '), NL = ascii('\n');

/** NDA_DST's text for any length but 4 (that one is written as bytes), as printNeighbour() makes it. */
function dstTextOf(v: NeighbourView): string {
  const dst = v.buf.subarray(v.dst, v.dst + v.dstLen);
  return formatAddress(v.family === AF_BRIDGE ? (v.dstLen === 16 ? AF_INET6 : AF_INET) : v.family, dst);
}

/**
 * printNeighbour()'s common listing (plain text, not brief, no stats) for
 * entries read in place: each line's bytes are written straight into the
 * output (TextBytes), the same fields in the same order, with no string made
 * per entry: IPv4 addresses and MACs from byte tables, the rest copied
 * whole ("dev NAME lladdr " per device, the state and the line's end per
 * state). Returns the printer of one entry; `filterIndex` hides the device.
 */
export function neighbourLinePrinter(ctx: Context, filterIndex: number): (v: NeighbourView) => void {
  const t = ctx.out.bytes();
  const numeric = ctx.opts.numeric > 0;
  /** "dev NAME " and "dev NAME lladdr " of the last device seen. */
  let devIndex = 0;
  let dev = NL, devLladdr = NL;
  /** A field without a byte form: its text, through TextBytes (which may flush). */
  const text = (p: number, s: string): number => {
    t.pos = p;
    t.text(s);
    return t.pos;
  };
  return (v) => {
    const o = t.buf, b = v.buf, ifindex = v.ifindex;
    let p = t.pos;
    if (v.dst >= 0) {
      p = v.dstLen === 4 ? putIPv4(o, p, b, v.dst) : text(p, dstTextOf(v));
      o[p++] = 32;
    }
    const showDev = !filterIndex && ifindex;
    if (showDev && ifindex !== devIndex) {
      devIndex = ifindex;
      const name = ctx.indexToName(ifindex);
      dev = Buffer.from(`dev ${name} `);
      devLladdr = Buffer.from(`dev ${name} lladdr `);
    }
    if (v.lladdr >= 0) {
      p += (showDev ? devLladdr : LLADDR).copy(o, p);
      p = v.lladdrLen === 6 ? putHexColon6(o, p, b, v.lladdr)
        : text(p, formatLladdr(b.subarray(v.lladdr, v.lladdr + v.lladdrLen), ctx.indexToType(ifindex)));
      o[p++] = 32;
    } else if (showDev) p += dev.copy(o, p);
    const flags = v.flags, flagsExt = v.flagsExt;
    if (flags & (NTF_ROUTER | NTF_PROXY | NTF_EXT_LEARNED | NTF_OFFLOADED) || flagsExt > 0) {
      if (flags & NTF_ROUTER) p += ROUTER.copy(o, p);
      if (flags & NTF_PROXY) p += PROXY.copy(o, p);
      if (flagsExt > 0 && flagsExt & NTF_EXT_MANAGED) p += MANAGED.copy(o, p);
      if (flags & NTF_EXT_LEARNED) p += EXTERN_LEARN.copy(o, p);
      if (flags & NTF_OFFLOADED) p += OFFLOAD.copy(o, p);
    }
    const state = v.state;
    if (v.protocol > 0) {
      p = text(p, `${state ? stateText(state) : ''}proto ${rtProtocols.name(v.protocol, numeric)} \n`);
    } else {
      let end = stateEnds.get(state);
      if (end === undefined) stateEnds.set(state, (end = ascii(`${state ? stateText(state) : ''}\n`)));
      p += end.copy(o, p);
    }
    t.pos = p;
    if (p > TextBytes.FLUSH_AT) t.flush();
  };
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
