// `tsnet ntable` (ip/ipntable.c of iproute2 6.1): the neighbour tables'
// parameters. `show` dumps RTM_GETNEIGHTBL (one message per table with its
// thresholds, config, stats and default parms, then one per device's parms)
// and prints each with print_ntable()'s layout; `change` sends one
// RTM_SETNEIGHTBL with the attributes in the order the words came.
import { progName } from '../lib/progname.js';
import { NetlinkError, type RtMessage } from '../backend.js';
import {
  NDTA_CONFIG, NDTA_GC_INTERVAL, NDTA_NAME, NDTA_PARMS, NDTA_STATS, NDTA_THRESH1, NDTA_THRESH2, NDTA_THRESH3,
  NDTMSG_LEN, NDTPA_ANYCAST_DELAY, NDTPA_APP_PROBES, NDTPA_BASE_REACHABLE_TIME, NDTPA_DELAY_PROBE_TIME, NDTPA_GC_STALETIME,
  NDTPA_IFINDEX, NDTPA_LOCKTIME, NDTPA_MCAST_PROBES, NDTPA_PROXY_DELAY, NDTPA_PROXY_QLEN, NDTPA_QUEUE_LEN,
  NDTPA_REACHABLE_TIME, NDTPA_REFCNT, NDTPA_RETRANS_TIME, NDTPA_UCAST_PROBES, NLM_F_REPLACE, RTM_GETNEIGHTBL,
  RTM_NEWNEIGHTBL, RTM_SETNEIGHTBL,
} from '../wire/rtnl-constants.js';
import { type Attrs, type LinkAttr, attrStr, attrU32, attrU64, encodeU64, parseAttrs } from '../wire/nlattr.js';
import { Color, type Output } from '../lib/output.js';
import { parseUnsigned } from '../lib/inet.js';
import type { Context } from './context.js';
import { Args, Exit, duparg, invarg, matches } from './matches.js';
import { familyName, netlinkErrorLine } from './common.js';

const usageText = (): string => `Usage: ${progName()} ntable change name NAME [ dev DEV ]
        [ thresh1 VAL ] [ thresh2 VAL ] [ thresh3 VAL ] [ gc_int MSEC ]
        [ PARMS ]
Usage: ${progName()} ntable show [ dev DEV ] [ name NAME ]
PARMS := [ base_reachable MSEC ] [ retrans MSEC ] [ gc_stale MSEC ]
         [ delay_probe MSEC ] [ queue LEN ]
         [ app_probes VAL ] [ ucast_probes VAL ] [ mcast_probes VAL ]
         [ anycast_delay MSEC ] [ proxy_delay MSEC ] [ proxy_queue LEN ]
         [ locktime MSEC ]`;

function usage(): never {
  throw new Exit(255, [usageText()]);
}

export function doNtable(ctx: Context, words: string[]): number {
  if (words.length === 0) return show(ctx, []);
  const [verb, ...rest] = words;
  if (matches(verb, 'change') || matches(verb, 'chg')) return change(ctx, rest);
  if (matches(verb, 'show') || matches(verb, 'lst') || matches(verb, 'list')) return show(ctx, rest);
  if (matches(verb, 'help')) usage();
  throw new Exit(255, [`Command "${verb}" is unknown, try "${progName()} ntable help".`]);
}

/** struct ndtmsg: the family, then padding. */
function ndtmsg(family: number): Uint8Array {
  const h = new Uint8Array(NDTMSG_LEN);
  h[0] = family;
  return h;
}

/**
 * get_u64(): strtoull base 0 over the whole word. A minus sign wraps as
 * strtoull's does (-1 is 2^64 - 1); beyond 64 bits is ERANGE, refused.
 */
export function parseU64(s: string): bigint | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const d = m[2];
  const v = /^0[xX]/.test(d) ? BigInt(d) : d.length > 1 && d[0] === '0' ? BigInt('0o' + d.slice(1)) : BigInt(d);
  if (v > 0xffffffffffffffffn) return undefined;
  return m[1] === '-' ? (-v) & 0xffffffffffffffffn : v;
}

const u32 = (type: number, value: number): LinkAttr => ({ type, kind: 'u32', value });

/** The table attributes `change` takes: keyword, attribute, 64 bits (a time in ms) or 32. */
const TABLE_KEYS: Record<string, [number, boolean]> = {
  thresh1: [NDTA_THRESH1, false], thresh2: [NDTA_THRESH2, false], thresh3: [NDTA_THRESH3, false], gc_int: [NDTA_GC_INTERVAL, true],
};

/** The PARMS keywords: keyword, NDTPA_* attribute, 64 bits or 32. */
const PARMS_KEYS: Record<string, [number, boolean]> = {
  base_reachable: [NDTPA_BASE_REACHABLE_TIME, true], retrans: [NDTPA_RETRANS_TIME, true], gc_stale: [NDTPA_GC_STALETIME, true],
  delay_probe: [NDTPA_DELAY_PROBE_TIME, true], queue: [NDTPA_QUEUE_LEN, false], app_probes: [NDTPA_APP_PROBES, false],
  ucast_probes: [NDTPA_UCAST_PROBES, false], mcast_probes: [NDTPA_MCAST_PROBES, false], anycast_delay: [NDTPA_ANYCAST_DELAY, true],
  proxy_delay: [NDTPA_PROXY_DELAY, true], proxy_queue: [NDTPA_PROXY_QLEN, false], locktime: [NDTPA_LOCKTIME, true],
};

/** The keywords of each verb, for completion (objects/ntable.ts). */
export const CHANGE_KEYWORDS = ['name', 'dev', ...Object.keys(TABLE_KEYS), ...Object.keys(PARMS_KEYS)];

function value(key: string, v: string, wide: boolean): LinkAttr['value'] {
  const bad = () => invarg(`"${key}" value is invalid`, v);
  if (wide) return encodeU64(parseU64(v) ?? bad());
  return parseUnsigned(v) ?? bad();
}

/** ipntable_modify(): one RTM_SETNEIGHTBL, NLM_F_REPLACE; ip's checks in ip's order. */
function change(ctx: Context, words: string[]): number {
  const attrs: LinkAttr[] = [];
  const parms: LinkAttr[] = [];
  let name: string | undefined;
  let tableChange = false;
  let parmsChange = false;
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'name') {
      const v = a.next();
      if (name !== undefined) duparg('NAME', v);
      name = v;
      attrs.push({ type: NDTA_NAME, kind: 'bytes', value: Buffer.from(v + '\0') });
    } else if (Object.hasOwn(TABLE_KEYS, w)) {
      const [type, wide] = TABLE_KEYS[w];
      const v = a.next();
      tableChange = true;
      const x = value(w, v, wide);
      attrs.push(wide ? { type, kind: 'bytes', value: x as Uint8Array } : u32(type, x as number));
    } else if (w === 'dev') {
      const v = a.next();
      const index = nameToIndex(ctx, v);
      if (!index) {
        ctx.err(`Cannot find device "${v}"`);
        return 1;
      }
      parms.push(u32(NDTPA_IFINDEX, index));
    } else if (Object.hasOwn(PARMS_KEYS, w)) {
      const [type, wide] = PARMS_KEYS[w];
      const v = a.next();
      const x = value(w, v, wide);
      parms.push(wide ? { type, kind: 'bytes', value: x as Uint8Array } : u32(type, x as number));
      parmsChange = true;
    } else {
      invarg('unknown', w);
    }
  }
  if (name === undefined) throw new Exit(255, ['Error: argument "NAME" is required']);
  if (!tableChange && !parmsChange) throw new Exit(255, ['Not enough information: changeable attributes required.']);
  if (parms.length) attrs.push({ type: NDTA_PARMS, kind: 'nest', value: parms });
  try {
    ctx.rtnl.rtRequest({ type: RTM_SETNEIGHTBL, flags: NLM_F_REPLACE, header: ndtmsg(ctx.opts.family), attrs });
  } catch (e) {
    if (e instanceof NetlinkError) throw new Exit(2, [netlinkErrorLine(e)]);
    throw e;
  }
  return 0;
}

/**
 * ll_name_to_index(): a device of this namespace, else "ifN" read as index N
 * (ll_idx_a2n(), sscanf "if%u": whether or not there is such a device, so the
 * kernel answers for it).
 */
function nameToIndex(ctx: Context, name: string): number {
  const i = ctx.nameToIndex(name);
  if (i) return i;
  const m = /^if(\d+)/.exec(name);
  return m ? Number(m[1]) >>> 0 : 0;
}

/** filter.index when `dev none` asks for the tables' own parms only. */
const NONE_DEV = -1;

/** ipntable_show(): one dump, every table printed that passes the name and dev filters. */
function show(ctx: Context, words: string[]): number {
  let index = 0;
  let name: string | undefined;
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'dev') {
      const v = a.next();
      if (v === 'none') index = NONE_DEV;
      else if (!(index = nameToIndex(ctx, v))) invarg('"DEV" is invalid', v);
    } else if (w === 'name') {
      name = a.next();
    } else {
      invarg('unknown', w);
    }
  }
  const out = ctx.out;
  const messages: RtMessage[] = [];
  ctx.rtnl.rtDump({ type: RTM_GETNEIGHTBL, flags: 0, header: ndtmsg(ctx.opts.family), attrs: [] }, (m) => {
    messages.push({ type: m.type, header: m.header.slice(), attrs: parseAttrs(copyAttrs(m.attrs)) });
  });
  out.startListing();
  for (const m of messages) printNtable(ctx, out, m, { family: ctx.opts.family, index, name });
  out.endListing();
  return 0;
}

/** The attributes of a dump message as bytes of their own (the receive buffer is reused). */
function copyAttrs(attrs: Attrs): Uint8Array {
  const parts: number[] = [];
  for (const [type, v] of attrs) {
    const len = 4 + v.length;
    parts.push(len & 0xff, len >> 8, type & 0xff, type >> 8, ...v);
    while (parts.length % 4) parts.push(0);
  }
  return Uint8Array.from(parts);
}

interface Filter { family: number; index: number; name?: string }

/** ntable_strtime_delta(): the local time `msec` ago, "(error)" for 0. */
export function strtimeDelta(msec: number, nowSec = Math.floor(Date.now() / 1000)): string {
  if (msec === 0) return '(error)';
  const d = new Date((nowSec - Math.floor(msec / 1000)) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** print_ntable(): one table or one device's parms. */
function printNtable(ctx: Context, out: Output, m: RtMessage, f: Filter): void {
  if (m.type !== RTM_NEWNEIGHTBL) return;
  const family = m.header[0] ?? 0;
  if (f.family && f.family !== family) return;
  const tb = m.attrs;
  const nameAttr = tb.get(NDTA_NAME);
  const tableName = nameAttr ? attrStr(nameAttr) : undefined;
  if (tableName !== undefined && f.name !== undefined && f.name !== tableName) return;
  const parmsAttr = tb.get(NDTA_PARMS);
  const tpb = parmsAttr ? parseAttrs(parmsAttr) : undefined;
  if (tpb) {
    const ifAttr = tpb.get(NDTPA_IFINDEX);
    if (ifAttr) {
      if (f.index && f.index !== attrU32(ifAttr)) return;
    } else if (f.index && f.index !== NONE_DEV) return;
  }
  const nl = out.lineBreak;
  out.openObject();
  out.string('family', `${familyName(family)} `, familyName(family));
  if (tableName !== undefined) out.string('name', `${tableName} `, tableName);
  out.nl();
  const t1 = tb.get(NDTA_THRESH1), t2 = tb.get(NDTA_THRESH2), t3 = tb.get(NDTA_THRESH3), gc = tb.get(NDTA_GC_INTERVAL);
  const any = t1 || t2 || t3 || gc;
  if (any) out.fp('    ');
  if (t1) uint(out, 'thresh1', 'thresh1', attrU32(t1));
  if (t2) uint(out, 'thresh2', 'thresh2', attrU32(t2));
  if (t3) uint(out, 'thresh3', 'thresh3', attrU32(t3));
  if (gc) u64v(out, 'gc_interval', 'gc_int', attrU64(gc));
  if (any) out.nl();
  const stats = ctx.opts.stats > 0;
  const config = tb.get(NDTA_CONFIG);
  if (config && stats) printConfig(out, config);
  if (tpb) printParms(ctx, out, tpb, nl);
  const st = tb.get(NDTA_STATS);
  if (st && stats) printStats(out, st, nl);
  out.fp('\n');
  out.closeObject();
}

function uint(out: Output, key: string, word: string, v: number): void {
  out.uint(key, `${word} ${v} `, v);
}

function u64v(out: Output, key: string, word: string, v: bigint): void {
  out.raw(key, `${word} ${v} `, String(v));
}

/** print_ndtconfig(): struct ndt_config. */
function printConfig(out: Output, b: Uint8Array): void {
  const c = new Uint8Array(32);
  c.set(b.subarray(0, 32));
  const v = dv(c);
  out.fp('    ');
  uint(out, 'key_length', 'config key_len', v.getUint16(0, true));
  uint(out, 'entry_size', 'entry_size', v.getUint16(2, true));
  uint(out, 'entries', 'entries', v.getUint32(4, true));
  out.nl();
  const flush = strtimeDelta(v.getUint32(8, true));
  out.string('last_flush', `        last_flush ${flush} `, flush);
  const rand = strtimeDelta(v.getUint32(12, true));
  out.string('last_rand', `last_rand ${rand} `, rand);
  out.nl();
  out.fp('        ');
  uint(out, 'hash_rnd', 'hash_rnd', v.getUint32(16, true));
  const mask = v.getUint32(20, true);
  // print_0xhex(): "%08llx" in text, "%#llx" in JSON (so 0 is "0").
  out.string('hash_mask', `hash_mask ${mask.toString(16).padStart(8, '0')} `, mask ? `0x${mask.toString(16)}` : '0');
  uint(out, 'hash_chain_gc', 'hash_chain_gc', v.getUint32(24, true));
  uint(out, 'proxy_qlen', 'proxy_qlen', v.getUint32(28, true));
  out.nl();
}

/** print_ndtparams(): the NDTPA_* a message carries, in ip's lines. */
function printParms(ctx: Context, out: Output, tpb: Attrs, nl: string): void {
  const ifAttr = tpb.get(NDTPA_IFINDEX);
  if (ifAttr) {
    out.fp('    dev ');
    const dev = ctx.indexToName(attrU32(ifAttr));
    out.string('dev', `${dev} `, dev, Color.IFNAME);
    out.nl();
  }
  out.fp('    ');
  const u = (type: number, key: string) => {
    const b = tpb.get(type);
    if (b) uint(out, key, key, attrU32(b));
  };
  const w = (type: number, key: string) => {
    const b = tpb.get(type);
    if (b) u64v(out, key, key, attrU64(b));
  };
  u(NDTPA_REFCNT, 'refcnt');
  w(NDTPA_REACHABLE_TIME, 'reachable');
  w(NDTPA_BASE_REACHABLE_TIME, 'base_reachable');
  w(NDTPA_RETRANS_TIME, 'retrans');
  out.fp(`${nl}    `);
  w(NDTPA_GC_STALETIME, 'gc_stale');
  w(NDTPA_DELAY_PROBE_TIME, 'delay_probe');
  u(NDTPA_QUEUE_LEN, 'queue');
  out.fp(`${nl}    `);
  u(NDTPA_APP_PROBES, 'app_probes');
  u(NDTPA_UCAST_PROBES, 'ucast_probes');
  u(NDTPA_MCAST_PROBES, 'mcast_probes');
  out.fp(`${nl}    `);
  w(NDTPA_ANYCAST_DELAY, 'anycast_delay');
  w(NDTPA_PROXY_DELAY, 'proxy_delay');
  u(NDTPA_PROXY_QLEN, 'proxy_queue');
  w(NDTPA_LOCKTIME, 'locktime');
  out.nl();
}

/** The fields of struct ndt_stats in order, each a u64; `null` marks where ip breaks the line. */
const STATS: (string | null)[] = [
  'allocs', 'destroys', 'hash_grows', null, 'res_failed', 'lookups', 'hits', null, 'rcv_probes_mcast', 'rcv_probes_ucast',
  null, 'periodic_gc_runs', 'forced_gc_runs', null, 'table_fulls',
];

/** print_ndtstats(): struct ndt_stats. */
function printStats(out: Output, b: Uint8Array, nl: string): void {
  const c = new Uint8Array(88);
  c.set(b.subarray(0, 88));
  const v = dv(c);
  out.fp('    stats ');
  let i = 0;
  for (const key of STATS) {
    if (key === null) {
      out.fp(`${nl}    `);
      continue;
    }
    u64v(out, key, key, v.getBigUint64(8 * i++, true));
  }
  out.nl();
}
