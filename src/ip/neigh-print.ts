// print_neigh() of ip/ipneigh.c (6.1): one neighbour entry, text or JSON, for
// `neigh show/get/flush` and the monitor; and the NUD state names both ways.
import {
  AF_BRIDGE, AF_INET, AF_INET6, NTF_EXT_LEARNED, NTF_EXT_MANAGED, NTF_OFFLOADED, NTF_PROXY, NTF_ROUTER,
  NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_NOARP, NUD_NONE, NUD_PERMANENT, NUD_PROBE, NUD_REACHABLE, NUD_STALE,
  type Neighbour,
} from '../backend.js';
import type { Context } from './context.js';
import { matches } from './matches.js';
import { formatAddress, formatLladdr, parseUnsigned } from '../lib/inet.js';
import { rtProtocols } from './names.js';
import { familyColor } from './common.js';
import { Color } from '../lib/output.js';

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
