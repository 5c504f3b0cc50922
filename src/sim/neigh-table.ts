// A neighbour table's own state, after struct neigh_table and struct
// neigh_parms of net/core/neighbour.c: the thresholds and gc_interval, the
// table's default parms (tbl->parms, which a new device copies), its
// counters (struct neigh_statistics), the hash size, and each device's
// IPv6 parms (in6_dev->nd_parms; the IPv4 ones are the link's `params`).
// A leaf module: the NUD machine (neighbour.ts), arp.ts and the netlink
// side (ntable.ts) count their events here.
import type { Note } from './kfn.js';
import { AF_INET, AF_INET6, IFF_LOOPBACK, NTF_EXT_LEARNED, NUD_FAILED, NUD_NOARP, NUD_PERMANENT } from '../wire/rtnl-constants.js';
import { drawReachableTime, nextRandom } from './clock.js';
import type { NeighParams, NeighStats, SimHost, SimLink, SimNeighTable, SimNeighbour, TableParms, World } from './world.js';

/**
 * SKB_TRUESIZE(ETH_FRAME_LEN): writing unres_qlen stores unres_qlen times this
 * in unres_qlen_bytes (read on the reference kernel: unres_qlen 1 gives 2090).
 */
export const SKB_TRUESIZE_FULL = 2090;

export const DEFAULT_PARAMS: NeighParams = {
  base_reachable_time_ms: 30000,
  delay_first_probe_time_ms: 5000,
  retrans_time_ms: 1000,
  ucast_solicit: 3,
  mcast_solicit: 3,
  app_solicit: 0,
  mcast_resolicit: 0,
  gc_stale_time_ms: 60000,
  locktime_ms: 1000,
  // The default is SK_WMEM_MAX bytes, 101 full-size frames.
  unres_qlen: 101,
  unres_qlen_bytes: 212992,
  proxy_delay_ms: 800,
  proxy_qlen: 64,
  arp_accept: 0,
  arp_ignore: 0,
  promote_secondaries: 0,
  forwarding: 0,
  proxy_arp: 0,
};

/** The neighbour parameters proper (what NDTPA_* carry), apart from the IPv4 devconf values NeighParams also holds. */
export const PARMS_KEYS = [
  'base_reachable_time_ms', 'retrans_time_ms', 'gc_stale_time_ms', 'delay_first_probe_time_ms', 'unres_qlen', 'unres_qlen_bytes',
  'app_solicit', 'ucast_solicit', 'mcast_solicit', 'mcast_resolicit', 'anycast_delay_ms', 'proxy_delay_ms', 'proxy_qlen',
  'locktime_ms', 'interval_probe_time_ms',
] as const satisfies readonly (keyof TableParms)[];

/** arp_tbl's and nd_tbl's defaults (arp.c, ndisc.c): ND differs in locktime (0). */
const ARP_DEFAULTS: TableParms = {
  base_reachable_time_ms: 30000, retrans_time_ms: 1000, gc_stale_time_ms: 60000, delay_first_probe_time_ms: 5000,
  unres_qlen: 101, unres_qlen_bytes: 212992, app_solicit: 0, ucast_solicit: 3, mcast_solicit: 3, mcast_resolicit: 0,
  anycast_delay_ms: 1000, proxy_delay_ms: 800, proxy_qlen: 64, locktime_ms: 1000, interval_probe_time_ms: 5000,
};
const ND_DEFAULTS: TableParms = { ...ARP_DEFAULTS, locktime_ms: 0 };

/** The two tables in neigh_tables[] order, with what struct neigh_table fixes: id, key_len, entry_size. */
export const TABLES = [
  { family: AF_INET, id: 'arp_cache', keyLen: 4, entrySize: 336, defaults: ARP_DEFAULTS },
  { family: AF_INET6, id: 'ndisc_cache', keyLen: 16, entrySize: 352, defaults: ND_DEFAULTS },
] as const;

export type TableInfo = (typeof TABLES)[number];

export const STAT_KEYS = [
  'allocs', 'destroys', 'hash_grows', 'res_failed', 'lookups', 'hits', 'rcv_probes_mcast', 'rcv_probes_ucast',
  'periodic_gc_runs', 'forced_gc_runs', 'table_fulls',
] as const satisfies readonly (keyof NeighStats)[];

/** get_random_u32() | 1, as neigh_get_hash_rnd() draws a hash table's key. */
function hashRnd(g: { rng: number }): number {
  return ((nextRandom(g) * 0x100000000) >>> 0 | 1) >>> 0;
}

/** A seed of the table's own generator, from the world's state and the table's name, without drawing from the world. */
function seed(w: World, host: SimHost, id: string): number {
  let h = w.rng ^ 0x811c9dc5;
  for (const c of `${host.name}/${id}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h >>> 0 || 1;
}

const zeroStats = () => Object.fromEntries(STAT_KEYS.map((k) => [k, 0])) as unknown as NeighStats;

/** neigh_table_init(): thresholds 128/512/1024, gc_interval 30 s, hash of 8 buckets, counters at 0. */
function newTable(w: World, host: SimHost, t: TableInfo): SimNeighTable {
  const g = { rng: seed(w, host, t.id) };
  const reachable = drawReachableTime(g, t.defaults.base_reachable_time_ms);
  return {
    thresh1: 128, thresh2: 512, thresh3: 1024, gc_interval_ms: 30000,
    defaults: { ...t.defaults }, reachable_time_ms: reachable, lastFlush: w.now, hashShift: 3, hashRnd: hashRnd(g),
    stats: zeroStats(), rng: g.rng,
  };
}

/** The host's table of this family (made when first asked for: an older state file has none). */
export function tableOf(w: World, host: SimHost, family: number): SimNeighTable {
  const tables = (host.ntables ??= {});
  const key = family === AF_INET6 ? 'nd' : 'arp';
  const t = tables[key];
  if (t) return t;
  return (tables[key] = newTable(w, host, family === AF_INET6 ? TABLES[1] : TABLES[0]));
}

/** Counts one event of neigh_statistics (NEIGH_CACHE_STAT_INC). */
export function stat(w: World, host: SimHost, family: number, key: keyof NeighStats): void {
  tableOf(w, host, family).stats[key]++;
}

/**
 * A device's parms for a table: the link's `params` (IPv4, with the devconf
 * values beside) or its nd parms, made from the table's defaults when first
 * asked for (as neigh_parms_alloc() copies tbl->parms), with their own
 * reachable_time draw.
 */
export function deviceParms(w: World, host: SimHost, link: SimLink, family: number): { p: TableParms; reachable: number; set(ms: number): void } {
  const t = tableOf(w, host, family);
  if (family === AF_INET6) {
    const nd = (link.nd ??= { params: { ...t.defaults }, reachable_time_ms: drawReachableTime(t, t.defaults.base_reachable_time_ms) });
    for (const k of PARMS_KEYS) nd.params[k] ??= t.defaults[k];
    return { p: nd.params as TableParms, reachable: nd.reachable_time_ms, set: (ms) => (nd.reachable_time_ms = ms) };
  }
  const p = link.params as NeighParams & Partial<TableParms>;
  p.anycast_delay_ms ??= t.defaults.anycast_delay_ms;
  p.interval_probe_time_ms ??= t.defaults.interval_probe_time_ms;
  return { p: p as TableParms, reachable: link.reachable_time_ms, set: (ms) => (link.reachable_time_ms = ms) };
}

/** The parms a new device starts with: a copy of the table's defaults (neigh_parms_alloc()). */
export function newLinkParams(host: SimHost | undefined): NeighParams {
  if (!host?.ntables?.arp) return { ...DEFAULT_PARAMS };
  const d = host.ntables.arp.defaults;
  return { ...DEFAULT_PARAMS, ...d };
}

/**
 * What an entry on the gc list is (neigh_update_gc_list()): not permanent,
 * not externally learned, not made exempt on a loopback device.
 */
function onGcList(host: SimHost, n: SimNeighbour): boolean {
  if (n.state & NUD_PERMANENT || n.flags & NTF_EXT_LEARNED) return false;
  const l = host.links.find((x) => x.index === n.ifindex);
  return !(l && l.flags & IFF_LOOPBACK);
}

/** tbl->entries: every entry of the table's family. */
export function entriesOf(host: SimHost, family: number): number {
  let c = 0;
  for (const n of host.neighbours) if (n.family === family) c++;
  return c;
}

/** tbl->gc_entries. */
export function gcEntriesOf(host: SimHost, family: number): number {
  let c = 0;
  for (const n of host.neighbours) if (n.family === family && onGcList(host, n)) c++;
  return c;
}

/**
 * neigh_forced_gc(): once the gc list holds gc_thresh3 entries (or
 * gc_thresh2 and the last flush is over 5 s old), the oldest entries that
 * are FAILED or NOARP, or were not updated in the last 5 s, go, until the
 * list is down to gc_thresh2. Returns how many went.
 */
function forcedGc(w: World, host: SimHost, family: number, note: Note): number {
  const t = tableOf(w, host, family);
  t.stats.forced_gc_runs++;
  const listed = gcEntriesOf(host, family) + 1;
  const maxClean = listed - t.thresh2;
  let shrunk = 0;
  const keep: SimNeighbour[] = [];
  // The gc list is in the order entries joined it: the table's order, oldest first.
  for (const n of host.neighbours) {
    if (shrunk < maxClean && n.family === family && onGcList(host, n)
      && (n.state === NUD_FAILED || n.state === NUD_NOARP || n.updated < w.now - 5000 || n.updated > w.now)) {
      shrunk++;
      t.stats.destroys++;
      note(`${n.dst} ifindex ${n.ifindex}: removed by forced gc (${listed} entries on the gc list, gc_thresh2 ${t.thresh2})`, 'neigh_forced_gc');
      continue;
    }
    keep.push(n);
  }
  host.neighbours = keep;
  t.lastFlush = w.now;
  return shrunk;
}

/**
 * neigh_alloc()'s admission: counts `allocs` and grows the hash as
 * ___neigh_create() does; false when the table is full (table_fulls),
 * after a forced gc that freed nothing.
 */
export function admitNeighbour(w: World, host: SimHost, family: number, exempt: boolean, note: Note): boolean {
  const t = tableOf(w, host, family);
  // gc_entries <= entries: a table below gc_thresh2 needs no closer count.
  if (!exempt && entriesOf(host, family) >= Math.min(t.thresh2, t.thresh3)) {
    const entries = gcEntriesOf(host, family);
    if (entries >= t.thresh3 || (entries >= t.thresh2 && w.now > t.lastFlush + 5000)) {
      if (!forcedGc(w, host, family, note) && entries >= t.thresh3) {
        t.stats.table_fulls++;
        note(`${family === AF_INET ? 'arp' : 'ndisc'}_cache: neighbor table overflow! (${entries} entries >= gc_thresh3 ${t.thresh3})`, 'neigh_alloc');
        return false;
      }
    }
  }
  t.stats.allocs++;
  // ___neigh_create(): with the new one counted, more entries than buckets doubles the hash.
  if (entriesOf(host, family) + 1 > 1 << t.hashShift) {
    t.hashShift++;
    t.hashRnd = hashRnd(t);
    t.stats.hash_grows++;
  }
  return true;
}
