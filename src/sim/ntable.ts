// The neighbour tables' netlink side, after net/core/neighbour.c:
// neightbl_dump_info() (each table with neightbl_fill_info(): thresholds,
// ndt_config, ndt_stats and the default parms; then each device's parms with
// neightbl_fill_param_info(), newest device first) and neightbl_set() (the
// table by name and family, the parms by NDTPA_IFINDEX, each attribute in
// turn, the table-wide values last). Times are kept as the kernel keeps
// them, in jiffies of a HZ=250 kernel (the reference machine's), so a value
// set reads back as the kernel would report it (1001 ms reads 1004).
import { NetlinkError, type RtMessage, type RtRequest } from '../backend.js';
import {
  AF_INET, NDTA_CONFIG, NDTA_GC_INTERVAL, NDTA_NAME, NDTA_PARMS, NDTA_STATS, NDTA_THRESH1, NDTA_THRESH2, NDTA_THRESH3,
  NDTPA_ANYCAST_DELAY, NDTPA_APP_PROBES, NDTPA_BASE_REACHABLE_TIME, NDTPA_DELAY_PROBE_TIME, NDTPA_GC_STALETIME, NDTPA_IFINDEX,
  NDTPA_INTERVAL_PROBE_TIME_MS, NDTPA_LOCKTIME, NDTPA_MCAST_PROBES, NDTPA_MCAST_REPROBES, NDTPA_PROXY_DELAY, NDTPA_PROXY_QLEN,
  NDTPA_QUEUE_LEN, NDTPA_QUEUE_LENBYTES, NDTPA_REACHABLE_TIME, NDTPA_REFCNT, NDTPA_RETRANS_TIME, NDTPA_UCAST_PROBES,
  NDT_CONFIG_LEN, NDT_STATS_LEN, RTM_NEWNEIGHTBL,
} from '../wire/rtnl-constants.js';
import { type LinkAttr, encodeAttrs, encodeU64, parseAttrs } from '../wire/nlattr.js';
import { EINVAL, ENOENT, ERANGE } from '../errno.js';
import { drawReachableTime } from './clock.js';
import { SKB_TRUESIZE_FULL, STAT_KEYS, TABLES, type TableInfo, deviceParms, entriesOf, tableOf } from './neigh-table.js';
import { NUD_IN_TIMER } from './neighbour.js';
import type { SimHost, SimLink, TableParms, World } from './world.js';
import type { Note } from './kfn.js';

/** The reference kernel's tick: 4 ms (CONFIG_HZ=250). */
const TICK_MS = 4;

/**
 * nla_get_msecs() then jiffies_to_msecs(): what a time set over netlink reads
 * back as. msecs_to_jiffies() takes an unsigned int (the u64 is cut to 32
 * bits), rounds up to a tick, and makes a "negative" one MAX_JIFFY_OFFSET,
 * which the int parms field keeps as -2 jiffies: 4294967288 ms.
 */
export function msecsThroughJiffies(v: bigint): number {
  const m = Number(v & 0xffffffffn);
  if (m >= 0x80000000) return 4294967288;
  return Math.ceil(m / TICK_MS) * TICK_MS;
}

/** NEIGH_VAR_SET(QUEUE_LEN_BYTES, n * SKB_TRUESIZE(ETH_FRAME_LEN)): the product as the int field keeps it. */
export function queueBytes(n: number): number {
  return Number(BigInt.asIntN(32, BigInt(n) * BigInt(SKB_TRUESIZE_FULL)));
}

/** NDTPA_QUEUE_LEN as reported: QUEUE_LEN_BYTES / SKB_TRUESIZE(ETH_FRAME_LEN) in unsigned long, cut to 32 bits. */
function queueLen(bytes: number): number {
  return Number(BigInt.asUintN(32, BigInt.asUintN(64, BigInt(bytes)) / BigInt(SKB_TRUESIZE_FULL)));
}

const u32 = (type: number, value: number): LinkAttr => ({ type, kind: 'u32', value: value >>> 0 });
const msecs = (type: number, ms: number): LinkAttr => ({ type, kind: 'bytes', value: encodeU64(BigInt(Math.max(0, Math.floor(ms)))) });
const str = (type: number, s: string): LinkAttr => ({ type, kind: 'bytes', value: Buffer.from(s + '\0') });

/** A reported time: whole ticks (jiffies_to_msecs()). */
const ticks = (ms: number) => Math.floor(ms / TICK_MS) * TICK_MS;

/** neightbl_fill_parms(): one parms set in the kernel's attribute order. */
function fillParms(p: TableParms, reachable: number, refcnt: number, ifindex?: number): LinkAttr {
  const a: LinkAttr[] = [];
  if (ifindex !== undefined) a.push(u32(NDTPA_IFINDEX, ifindex));
  a.push(
    u32(NDTPA_REFCNT, refcnt), u32(NDTPA_QUEUE_LENBYTES, p.unres_qlen_bytes), u32(NDTPA_QUEUE_LEN, queueLen(p.unres_qlen_bytes)),
    u32(NDTPA_PROXY_QLEN, p.proxy_qlen), u32(NDTPA_APP_PROBES, p.app_solicit), u32(NDTPA_UCAST_PROBES, p.ucast_solicit),
    u32(NDTPA_MCAST_PROBES, p.mcast_solicit), u32(NDTPA_MCAST_REPROBES, p.mcast_resolicit),
    msecs(NDTPA_REACHABLE_TIME, ticks(reachable)), msecs(NDTPA_BASE_REACHABLE_TIME, p.base_reachable_time_ms),
    msecs(NDTPA_GC_STALETIME, p.gc_stale_time_ms), msecs(NDTPA_DELAY_PROBE_TIME, p.delay_first_probe_time_ms),
    msecs(NDTPA_RETRANS_TIME, p.retrans_time_ms), msecs(NDTPA_ANYCAST_DELAY, p.anycast_delay_ms),
    msecs(NDTPA_PROXY_DELAY, p.proxy_delay_ms), msecs(NDTPA_LOCKTIME, p.locktime_ms),
    msecs(NDTPA_INTERVAL_PROBE_TIME_MS, p.interval_probe_time_ms),
  );
  return { type: NDTA_PARMS, kind: 'nest', value: a };
}

function message(family: number, attrs: LinkAttr[]): RtMessage {
  const header = new Uint8Array(4);
  header[0] = family;
  return { type: RTM_NEWNEIGHTBL, header, attrs: parseAttrs(encodeAttrs(attrs)) };
}

/** The proxy queue's length (tbl->proxy_queue.qlen): the host's requests waiting to be answered by proxy. */
function proxyQueued(w: World, host: SimHost, family: number): number {
  return family === AF_INET ? w.frames.filter((f) => f.proxyRedo?.host === host.name).length : 0;
}

/** A table's parms are held by each entry on the device (neigh_parms_clone()): refcnt is 1 + those. */
function refcnt(host: SimHost, family: number, ifindex: number): number {
  let c = 1;
  for (const n of host.neighbours) if (n.family === family && n.ifindex === ifindex) c++;
  return c;
}

/** neightbl_fill_info(): the table itself. */
function fillInfo(w: World, host: SimHost, info: TableInfo): RtMessage {
  const t = tableOf(w, host, info.family);
  const config = new Uint8Array(NDT_CONFIG_LEN);
  const c = new DataView(config.buffer);
  c.setUint16(0, info.keyLen, true);
  c.setUint16(2, info.entrySize, true);
  c.setUint32(4, entriesOf(host, info.family), true);
  c.setUint32(8, ticks(w.now - t.lastFlush) >>> 0, true);
  c.setUint32(12, ticks(w.now - (w.lastRand ?? 0)) >>> 0, true);
  c.setUint32(16, t.hashRnd >>> 0, true);
  c.setUint32(20, (1 << t.hashShift) - 1, true);
  c.setUint32(24, 0, true);
  c.setUint32(28, proxyQueued(w, host, info.family), true);
  const stats = new Uint8Array(NDT_STATS_LEN);
  const s = new DataView(stats.buffer);
  STAT_KEYS.forEach((k, i) => s.setBigUint64(8 * i, BigInt(t.stats[k] ?? 0), true));
  return message(info.family, [
    str(NDTA_NAME, info.id), msecs(NDTA_GC_INTERVAL, t.gc_interval_ms), u32(NDTA_THRESH1, t.thresh1), u32(NDTA_THRESH2, t.thresh2),
    u32(NDTA_THRESH3, t.thresh3), { type: NDTA_CONFIG, kind: 'bytes', value: config }, { type: NDTA_STATS, kind: 'bytes', value: stats },
    // The defaults are held by no device's entries: tbl->parms' own reference (and the table's).
    fillParms(t.defaults, t.reachable_time_ms, 1),
  ]);
}

/**
 * The devices in tbl->parms_list order: neigh_parms_alloc() puts a new one
 * first, so the newest device comes first (a veth pair's two ends may come
 * in either order on the kernel, as each family's notifier saw them).
 */
function devicesNewestFirst(host: SimHost): SimLink[] {
  return [...host.links].sort((a, b) => b.index - a.index);
}

/** neightbl_dump_info(): for each table of the family asked for (0: both), the table, then each device's parms. */
export function neightblDump(w: World, host: SimHost, family: number, each: (m: RtMessage) => void): void {
  for (const info of TABLES) {
    if (family && info.family !== family) continue;
    each(fillInfo(w, host, info));
    for (const l of devicesNewestFirst(host)) {
      const d = deviceParms(w, host, l, info.family);
      each(message(info.family, [str(NDTA_NAME, info.id), fillParms(d.p, d.reachable, refcnt(host, info.family, l.index), l.index)]));
    }
  }
}

/** The last attribute of each type (nla_parse keeps the last of a repeated type). */
function lastOf(b: Uint8Array): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  for (const [t, v] of parseAttrs(b)) m.set(t, v);
  return m;
}

function getU32(v: Uint8Array): number {
  if (v.length < 4) throw new NetlinkError(ERANGE);
  return (v[0] | v[1] << 8 | v[2] << 16 | v[3] << 24) >>> 0;
}

function getU64(v: Uint8Array): bigint {
  if (v.length < 8) throw new NetlinkError(ERANGE);
  return new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0, true);
}

/** What one NDTPA_* attribute sets, by the keys of the model's parms; undefined for the read-only ones. */
const SETTERS: Record<number, (p: TableParms, v: Uint8Array) => string | undefined> = {
  [NDTPA_QUEUE_LEN]: (p, v) => { p.unres_qlen_bytes = queueBytes(getU32(v)); p.unres_qlen = queueLen(p.unres_qlen_bytes); return 'unres_qlen'; },
  [NDTPA_QUEUE_LENBYTES]: (p, v) => { p.unres_qlen_bytes = getU32(v) | 0; p.unres_qlen = queueLen(p.unres_qlen_bytes); return 'unres_qlen_bytes'; },
  [NDTPA_PROXY_QLEN]: (p, v) => { p.proxy_qlen = getU32(v) | 0; return 'proxy_qlen'; },
  [NDTPA_APP_PROBES]: (p, v) => { p.app_solicit = getU32(v) | 0; return 'app_solicit'; },
  [NDTPA_UCAST_PROBES]: (p, v) => { p.ucast_solicit = getU32(v) | 0; return 'ucast_solicit'; },
  [NDTPA_MCAST_PROBES]: (p, v) => { p.mcast_solicit = getU32(v) | 0; return 'mcast_solicit'; },
  [NDTPA_MCAST_REPROBES]: (p, v) => { p.mcast_resolicit = getU32(v) | 0; return 'mcast_resolicit'; },
  [NDTPA_BASE_REACHABLE_TIME]: (p, v) => { p.base_reachable_time_ms = msecsThroughJiffies(getU64(v)); return 'base_reachable_time_ms'; },
  [NDTPA_GC_STALETIME]: (p, v) => { p.gc_stale_time_ms = msecsThroughJiffies(getU64(v)); return 'gc_stale_time_ms'; },
  [NDTPA_DELAY_PROBE_TIME]: (p, v) => { p.delay_first_probe_time_ms = msecsThroughJiffies(getU64(v)); return 'delay_first_probe_time_ms'; },
  [NDTPA_INTERVAL_PROBE_TIME_MS]: (p, v) => { p.interval_probe_time_ms = msecsThroughJiffies(getU64(v)); return 'interval_probe_time_ms'; },
  [NDTPA_RETRANS_TIME]: (p, v) => { p.retrans_time_ms = msecsThroughJiffies(getU64(v)); return 'retrans_time_ms'; },
  [NDTPA_ANYCAST_DELAY]: (p, v) => { p.anycast_delay_ms = msecsThroughJiffies(getU64(v)); return 'anycast_delay_ms'; },
  [NDTPA_PROXY_DELAY]: (p, v) => { p.proxy_delay_ms = msecsThroughJiffies(getU64(v)); return 'proxy_delay_ms'; },
  [NDTPA_LOCKTIME]: (p, v) => { p.locktime_ms = msecsThroughJiffies(getU64(v)); return 'locktime_ms'; },
};

/**
 * What a change does to the entries that exist, for --trace: the kernel
 * changes the parms only; entries read them at their next timer or packet.
 */
function consequence(w: World, host: SimHost, family: number, ifindex: number | undefined, key: string, value: number, reachable: number): string {
  const mine = host.neighbours.filter((n) => n.family === family && (ifindex === undefined || n.ifindex === ifindex));
  const timed = mine.filter((n) => n.state & NUD_IN_TIMER && n.timer !== undefined).length;
  switch (key) {
    case 'base_reachable_time_ms':
      return `reachable_time redrawn now: ${reachable}ms; ${timed} entr${timed === 1 ? 'y keeps its' : 'ies keep their'} armed timer, the new time counts from each entry's next timer (a REACHABLE entry stays REACHABLE until then)`;
    case 'gc_stale_time_ms':
      return `${mine.length} entr${mine.length === 1 ? 'y' : 'ies'} judged by it at the next periodic gc (every ${tableOf(w, host, family).defaults.base_reachable_time_ms / 2000}s, only with gc_thresh1 entries or more)`;
    case 'delay_first_probe_time_ms': case 'retrans_time_ms':
      return `${timed === 1 ? '1 armed timer keeps its' : `${timed} armed timers keep their`} expiry; the new ${value}ms applies from the next one`;
    case 'unres_qlen': case 'unres_qlen_bytes':
      return 'packets already queued stay; the limit applies to the next packet queued';
    case 'ucast_solicit': case 'mcast_solicit': case 'app_solicit': case 'mcast_resolicit':
      return 'entries now probing count their probes against the new limit at their next timer';
    default:
      return 'no entry changes now';
  }
}

/**
 * neightbl_set(): RTM_SETNEIGHTBL. The parms are changed attribute by
 * attribute before the table-wide values are looked at, so a refused
 * threshold (ENOENT outside init_net) leaves them changed; the model's hosts
 * are each a machine's init_net, where the thresholds may change.
 */
export function neightblSet(w: World, host: SimHost, req: RtRequest, note: Note): void {
  const tb = lastOf(encodeAttrs(req.attrs));
  const name = tb.get(NDTA_NAME);
  if (!name) throw new NetlinkError(EINVAL);
  const family = req.header[0] ?? 0;
  let nameText = Buffer.from(name).toString('latin1');
  // nla_strcmp(): the attribute's string up to its NUL.
  const nul = nameText.indexOf('\0');
  if (nul >= 0) nameText = nameText.slice(0, nul);
  const info = TABLES.find((t) => (!family || t.family === family) && t.id === nameText);
  if (!info) throw new NetlinkError(ENOENT);
  const t = tableOf(w, host, info.family);
  const parms = tb.get(NDTA_PARMS);
  if (parms) {
    const tbp = lastOf(parms);
    const ifAttr = tbp.get(NDTPA_IFINDEX);
    const ifindex = ifAttr ? getU32(ifAttr) : 0;
    const link = ifindex ? host.links.find((l) => l.index === ifindex) : undefined;
    if (ifindex && !link) throw new NetlinkError(ENOENT);
    const d = link ? deviceParms(w, host, link, info.family) : { p: t.defaults, reachable: t.reachable_time_ms, set: (ms: number) => (t.reachable_time_ms = ms) };
    const where = `${info.id} ${link ? `dev ${link.name}` : 'default'}`;
    // The kernel walks the attributes by type, 1 to NDTPA_MAX.
    for (const type of [...tbp.keys()].sort((a, b) => a - b)) {
      const set = SETTERS[type];
      if (!set) continue;
      const key = set(d.p, tbp.get(type)!) as keyof TableParms;
      let reachable = d.reachable;
      if (type === NDTPA_BASE_REACHABLE_TIME) {
        // Redrawn at once (neigh_rand_reach_time()), else only the periodic work's next redraw would apply it.
        reachable = ticks(drawReachableTime(info.family === AF_INET && link ? w : t, d.p.base_reachable_time_ms));
        d.set(reachable);
      }
      note(`${where}: ${key} = ${d.p[key]} (RTM_SETNEIGHTBL); ${consequence(w, host, info.family, link?.index, key, d.p[key], reachable)}`, 'neightbl_set');
    }
  }
  const t1 = tb.get(NDTA_THRESH1), t2 = tb.get(NDTA_THRESH2), t3 = tb.get(NDTA_THRESH3), gc = tb.get(NDTA_GC_INTERVAL);
  if (t1) t.thresh1 = getU32(t1);
  if (t2) t.thresh2 = getU32(t2);
  if (t3) t.thresh3 = getU32(t3);
  if (gc) t.gc_interval_ms = msecsThroughJiffies(getU64(gc));
  if (t1 || t2 || t3 || gc) {
    const n = entriesOf(host, info.family);
    note(`${info.id}: gc_thresh1 ${t.thresh1} gc_thresh2 ${t.thresh2} gc_thresh3 ${t.thresh3} gc_interval ${t.gc_interval_ms}ms (RTM_SETNEIGHTBL); `
      + `${n} entr${n === 1 ? 'y' : 'ies'} now: ${n >= t.thresh1 ? 'the next periodic gc removes the stale and FAILED ones' : 'below gc_thresh1, periodic gc keeps them all'}`
      + `${n >= t.thresh2 ? '; the next new entry runs a forced gc' : ''}`, 'neightbl_set');
  }
}
