// The neighbour state machine, after net/core/neighbour.c: __neigh_update()
// (override, admin and weak-override rules), __neigh_event_send() (a packet
// meets an entry), neigh_timer_handler() (REACHABLE/DELAY/PROBE/INCOMPLETE
// timers and the probe limit), and neigh_periodic_work() (reachable_time
// redraws and garbage collection); the netlink side, neigh_add() and
// neigh_delete() with their admin rules, is neigh-netlink.ts. Times are
// virtual milliseconds.
import { NetlinkError } from '../backend.js';
import {
  AF_INET, AF_INET6, IFF_LOOPBACK, IFF_NOARP, NTF_EXT_LEARNED, NUD_DELAY, NUD_FAILED, NUD_INCOMPLETE, NUD_NOARP, NUD_NONE, NUD_PERMANENT, NUD_PROBE,
  NUD_REACHABLE, NUD_STALE,
} from '../wire/rtnl-constants.js';
import { EINVAL, ENOBUFS, EPERM } from '../errno.js';
import { drawReachableTime } from './clock.js';
import { toNum } from './route.js';
import { SKB_TRUESIZE_FULL, admitNeighbour, deviceParms, entriesOf, stat, tableOf } from './neigh-table.js';
import type { Packet, SimHost, SimLink, SimNeighbour, World } from './world.js';
import type { KFn, Note, Where } from './kfn.js';
import { refused } from './refusal.js';

/**
 * The truesize a queued small UDP datagram is charged, as measured on the
 * reference kernel (6.18, x86_64): unres_qlen 3, 20 and 25 let 7, 50 and 62
 * one-byte datagrams wait, which only 830..836 bytes each explain.
 */
export const SMALL_PACKET_TRUESIZE = 832;

// The defaults and the queue's unit live with the table's state (neigh-table.ts).
export { DEFAULT_PARAMS, SKB_TRUESIZE_FULL } from './neigh-table.js';

/**
 * What became of a packet that waited in an entry's queue, once it left it
 * (`sim send` reports it: a packet "queued" and then dropped is not "queued").
 * Kept beside the packets, not in them: the state file stays as it is.
 */
export const packetFate = new WeakMap<Packet, string>();

export const NUD_IN_TIMER = NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE;
export const NUD_VALID = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;
export const NUD_CONNECTED = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE;

export const F_OVERRIDE = 1, F_WEAK_OVERRIDE = 2, F_ADMIN = 0x80000000;

const NAMES: [number, string][] = [
  [NUD_INCOMPLETE, 'INCOMPLETE'], [NUD_REACHABLE, 'REACHABLE'], [NUD_STALE, 'STALE'], [NUD_DELAY, 'DELAY'],
  [NUD_PROBE, 'PROBE'], [NUD_FAILED, 'FAILED'], [NUD_NOARP, 'NOARP'], [NUD_PERMANENT, 'PERMANENT'],
];

const SINGLE = new Map<number, string>([[0, 'NONE'], ...NAMES]);

export function stateName(s: number): string {
  const one = SINGLE.get(s);
  if (one !== undefined) return one;
  return NAMES.filter(([b]) => s & b).map(([, n]) => n).join(',');
}

/** What the model tells the outside: state changes (for --trace and the timeline) and probes to send. */
export interface NeighEnv {
  w: World;
  host: SimHost;
  /** Records a change with its cause, in the kernel's terms, and the kernel function that makes it. */
  note: Note;
  /** Explains a non-event (what did not happen, and why) in the trace only, not on the timeline. */
  explain?: Note;
  /** Sends an ARP request for `n` (unicast to its lladdr when `unicast`); `what` says which probe it is. */
  solicit(n: SimNeighbour, link: SimLink, unicast: boolean, what: string): void;
  /** Puts an IP packet on the wire to `n`'s link-layer address. */
  transmit(n: SimNeighbour, link: SimLink, p: Packet): void;
  /** A queued packet was dropped: the sender gets an ICMP host unreachable (locally, through lo). */
  unreachable(p: Packet): void;
}

export function linkOf(host: SimHost, ifindex: number): SimLink {
  const links = host.links;
  for (let i = 0; i < links.length; i++) if (links[i].index === ifindex) return links[i];
  throw new Error(`no link ${ifindex} on ${host.name}`);
}

function label(env: NeighEnv, n: SimNeighbour): string {
  return `${n.dst} dev ${linkOf(env.host, n.ifindex).name}`;
}

function setState(env: NeighEnv, n: SimNeighbour, to: number, why: string, fn: Where): void {
  if (n.state !== to) env.note(`${label(env, n)}: ${stateName(n.state)} -> ${stateName(to)} (${why})`, fn);
  n.state = to;
}

/**
 * neigh_alloc() + arp_constructor(): a new entry looks confirmed long ago
 * (now - 2·base_reachable_time). Its first state follows the address type:
 * a broadcast address (or any address while the host has no IPv4 address
 * at all, when the kernel has no local table to ask) is NOARP at the
 * device's broadcast address; loopback and NOARP devices are NOARP at their
 * own; anything else starts in NONE, unresolved.
 */
export function createNeighbour(env: NeighEnv, family: number, ifindex: number, dst: string, exemptFromGc = false): SimNeighbour {
  const link = linkOf(env.host, ifindex);
  const now = env.w.now;
  // neigh_alloc(): a full table refuses the entry (__neigh_create() on a loopback device is exempt from gc).
  if (!admitNeighbour(env.w, env.host, family, exemptFromGc || (link.flags & IFF_LOOPBACK) !== 0, env.note)) throw new NetlinkError(ENOBUFS);
  const n: SimNeighbour = {
    family, ifindex, dst, state: NUD_NONE, flags: 0, flagsExt: 0, protocol: 0, lladdr: undefined,
    confirmed: now - 2 * link.params.base_reachable_time_ms, used: now, updated: now, probes: 0, queue: [], dropped: 0,
  };
  if (family === AF_INET) {
    if (link.type === 772 || link.flags & IFF_NOARP) {
      n.state = NUD_NOARP;
      n.lladdr = link.mac;
    } else if (isBroadcastFor(env.host, dst)) {
      n.state = NUD_NOARP;
      n.lladdr = link.broadcast;
    }
  }
  env.host.neighbours.push(n);
  return n;
}

function isBroadcastFor(host: SimHost, dst: string): boolean {
  const v4 = host.links.flatMap((l) => l.addresses.filter((a) => a.family === AF_INET));
  if (v4.length === 0 || dst === '0.0.0.0' || dst === '255.255.255.255') return true;
  const d = toNum(dst);
  return v4.some((a) => {
    if (a.prefixlen >= 31) return false;
    const host = (1 << (32 - a.prefixlen)) - 1;
    return ((toNum(a.local) | host) >>> 0) === d;
  });
}


export function lookup(host: SimHost, family: number, ifindex: number, dst: string): SimNeighbour | undefined {
  return host.neighbours.find((n) => n.family === family && n.ifindex === ifindex && n.dst === dst);
}

/** neigh_lookup(): lookup() as the kernel's callers that count it do (lookups, and hits when found). */
export function countedLookup(env: { w: World; host: SimHost }, family: number, ifindex: number, dst: string): SimNeighbour | undefined {
  const n = lookup(env.host, family, ifindex, dst);
  stat(env.w, env.host, family, 'lookups');
  if (n) stat(env.w, env.host, family, 'hits');
  return n;
}

/** neigh_event_ns() / __neigh_lookup(creat): a counted lookup, and a new entry when there is none; undefined when the table is full. */
export function lookupOrCreate(env: NeighEnv, family: number, ifindex: number, dst: string): SimNeighbour | undefined {
  const n = countedLookup(env, family, ifindex, dst);
  if (n) return n;
  try {
    return createNeighbour(env, family, ifindex, dst);
  } catch (e) {
    if (e instanceof NetlinkError) return undefined;
    throw e;
  }
}

/**
 * __neigh_update(). Returns the refusal for a netlink caller (a packet's
 * caller ignores it, as arp_process() does), or undefined.
 */
export function neighUpdate(
  env: NeighEnv, n: SimNeighbour, lladdr: string | undefined, next: number, flags: number, why: string, caller: KFn | readonly KFn[],
): NetlinkError | undefined {
  const fn: Where = [...(typeof caller === 'string' ? [caller] : caller), '__neigh_update'];
  const old = n.state;
  const link = linkOf(env.host, n.ifindex);
  const now = env.w.now;
  if (!(flags & F_ADMIN) && old & (NUD_NOARP | NUD_PERMANENT)) return refused(EPERM, `${label(env, n)} is ${stateName(old)}: only the administrator changes it`);
  if (!(next & NUD_VALID)) {
    n.timer = undefined;
    setState(env, n, next, why, fn);
    if (old & (NUD_INCOMPLETE | NUD_PROBE) && next & NUD_FAILED) invalidate(env, n);
    return undefined;
  }
  let ll = lladdr;
  if (ll === undefined) {
    if (!(old & NUD_VALID)) {
      return refused(EINVAL, `${label(env, n)} is ${stateName(old)}, without a link-layer address, and the request gives no NDA_LLADDR`, 'No link layer address given');
    }
    ll = n.lladdr;
  }
  if (next & NUD_CONNECTED) n.confirmed = now;
  const changedAddr = ll !== n.lladdr;
  if (old & NUD_VALID) {
    if (changedAddr && !(flags & F_OVERRIDE)) {
      if (flags & F_WEAK_OVERRIDE && old & NUD_CONNECTED) {
        ll = n.lladdr;
        next = NUD_STALE;
      } else {
        const noOverride = flags & F_ADMIN
          ? 'no override: the entry exists and NLM_F_REPLACE was not set'
          : `no override: updated ${+(now - n.updated).toFixed(3)}ms ago, within locktime ${link.params.locktime_ms}ms, and not a gratuitous ARP`;
        env.note(`${label(env, n)}: ${ll} ignored, ${stateName(old)} entry keeps ${n.lladdr} (${noOverride})`, fn);
        return undefined;
      }
    } else if (!changedAddr && next === NUD_STALE && !(flags & F_ADMIN)) {
      next = old;
    }
  }
  if (next !== old || ll !== n.lladdr) n.updated = now;
  if (next !== old) {
    n.timer = undefined;
    if (next & NUD_PROBE) n.probes = 0;
    if (next & NUD_IN_TIMER) n.timer = now + (next & NUD_REACHABLE ? link.reachable_time_ms : 0);
    setState(env, n, next, why, fn);
  }
  if (ll !== n.lladdr) {
    if (n.lladdr !== undefined) env.note(`${label(env, n)}: lladdr ${n.lladdr} -> ${ll}`, fn);
    n.lladdr = ll;
    if (!(next & NUD_CONNECTED)) n.confirmed = now - 2 * link.params.base_reachable_time_ms;
  }
  if (next !== old && !(old & NUD_VALID) && n.queue.length) {
    env.note(`${label(env, n)}: ${n.queue.length} queued packet(s) sent to ${n.lladdr}`, fn);
    const q = n.queue;
    n.queue = [];
    // They leave through the entry's output path: on a STALE entry that is neigh_event_send() again (-> DELAY).
    for (const p of q) {
      packetFate.set(p, `queued, then sent to ${n.lladdr} at ${+(env.w.now / 1000).toFixed(3)}s when ${n.dst} resolved`);
      eventSend(env, n, p);
    }
  }
  return undefined;
}

/** neigh_invalidate(): an entry failed (res_failed); its queued packets are dropped, each with an ICMP host unreachable. */
function invalidate(env: NeighEnv, n: SimNeighbour): void {
  stat(env.w, env.host, n.family, 'res_failed');
  if (!n.queue.length) return;
  env.note(`${label(env, n)}: ${n.queue.length} queued packet(s) dropped (host unreachable)`, 'neigh_invalidate');
  const q = n.queue;
  n.dropped += q.length;
  n.queue = [];
  for (const p of q) {
    packetFate.set(p, `queued, then dropped at ${+(env.w.now / 1000).toFixed(3)}s: ${n.dst} did not resolve (${stateName(n.state)}; ICMP host unreachable)`);
    env.unreachable(p);
  }
}

function maxProbes(link: SimLink, n: SimNeighbour): number {
  const p = link.params;
  return p.ucast_solicit + p.app_solicit + (n.state & NUD_INCOMPLETE ? p.mcast_solicit : p.mcast_resolicit);
}

/** neigh_probe(): one solicitation, unicast once the entry has an address (PROBE), else broadcast. */
function probe(env: NeighEnv, n: SimNeighbour, link: SimLink): void {
  const unicast = n.probes < link.params.ucast_solicit && n.lladdr !== undefined && !(n.state & NUD_INCOMPLETE);
  n.probes++;
  const { count, of, start } = probeCount(link, n);
  // The reader's count, then the kernel's own (neigh->probes, what NDA_PROBES reports), explained on the first probe.
  const kernel = count === 1 && start
    ? `; the kernel counts it neigh->probes ${n.probes}: an INCOMPLETE entry's counter starts at ucast_solicit ${start}`
    : `; neigh->probes ${n.probes}`;
  env.solicit(n, link, unicast, `${unicast ? 'unicast' : 'broadcast'} probe ${count} of ${of} for ${n.dst}${kernel}`);
}

/**
 * Probes as a reader counts them: __neigh_event_send() starts an INCOMPLETE
 * entry's neigh->probes at ucast_solicit (the unicast probes it never sends),
 * neigh_timer_handler() a PROBE entry's at 0; both stop at neigh_max_probes().
 */
function probeCount(link: SimLink, n: SimNeighbour): { count: number; of: number; start: number } {
  const start = n.state & NUD_INCOMPLETE ? link.params.ucast_solicit : 0;
  return { count: n.probes - start, of: maxProbes(link, n) - start, start };
}

/**
 * A packet for `n`'s address (neigh_event_send): marks the entry used; a
 * NONE/FAILED entry starts resolving, a STALE one waits in DELAY.
 */
export function eventSend(env: NeighEnv, n: SimNeighbour, pkt?: Packet): 'sent' | 'queued' | 'dropped' {
  const now = env.w.now;
  const link = linkOf(env.host, n.ifindex);
  const p = link.params;
  n.used = now;
  if (n.state & (NUD_REACHABLE | NUD_PERMANENT | NUD_NOARP | NUD_DELAY | NUD_PROBE)) {
    if (pkt) env.transmit(n, link, pkt);
    return 'sent';
  }
  if (!(n.state & (NUD_STALE | NUD_INCOMPLETE))) {
    if (p.mcast_solicit + p.app_solicit) {
      n.probes = p.ucast_solicit;
      setState(env, n, NUD_INCOMPLETE, `packet to resolve; ${p.mcast_solicit} broadcast probe(s), retrans_time ${p.retrans_time_ms}ms`, '__neigh_event_send');
      n.updated = now;
      n.timer = now + Math.max(p.retrans_time_ms, 10);
      if (pkt) n.queue.push(pkt);
      probe(env, n, link);
      return 'queued';
    }
    setState(env, n, NUD_FAILED, 'no probes allowed (mcast_solicit + app_solicit = 0)', '__neigh_event_send');
    n.updated = now;
    return 'dropped';
  }
  if (n.state & NUD_STALE) {
    setState(env, n, NUD_DELAY, `packet sent using a stale entry; delay_first_probe_time ${p.delay_first_probe_time_ms / 1000}s`, '__neigh_event_send');
    n.updated = now;
    n.timer = now + p.delay_first_probe_time_ms;
    if (pkt) env.transmit(n, link, pkt);
    return 'sent';
  }
  // INCOMPLETE: wait in the queue, which is limited in bytes (each packet
  // charged its truesize): the oldest are dropped until the new one fits.
  if (!pkt) return 'queued';
  const limit = p.unres_qlen_bytes ?? p.unres_qlen * SKB_TRUESIZE_FULL;
  while (n.queue.length && (n.queue.length + 1) * SMALL_PACKET_TRUESIZE > limit) {
    const old = n.queue.shift()!;
    packetFate.set(old, `queued, then dropped at ${+(now / 1000).toFixed(3)}s: unres_qlen_bytes ${limit} full, a newer packet took its place`);
    n.dropped++;
    env.note(`${label(env, n)}: unres_qlen_bytes ${limit} full (${n.queue.length + 1} packets of truesize ${SMALL_PACKET_TRUESIZE}), oldest queued packet dropped`, '__neigh_event_send');
  }
  n.queue.push(pkt);
  return 'queued';
}

/** neigh_timer_handler() for one entry whose timer is due. */
export function timerFired(env: NeighEnv, n: SimNeighbour): void {
  const now = env.w.now;
  const link = linkOf(env.host, n.ifindex);
  const p = link.params;
  n.timer = undefined;
  if (!(n.state & NUD_IN_TIMER)) return;
  let next = now + 1000;
  if (n.state & NUD_REACHABLE) {
    if (now <= n.confirmed + link.reachable_time_ms) next = n.confirmed + link.reachable_time_ms;
    else if (now <= n.used + p.delay_first_probe_time_ms) {
      setState(env, n, NUD_DELAY, `reachable_time ${link.reachable_time_ms}ms ran out, used recently`, 'neigh_timer_handler');
      n.updated = now;
      next = now + p.delay_first_probe_time_ms;
    } else {
      setState(env, n, NUD_STALE, `reachable_time ${link.reachable_time_ms}ms ran out, not used since`, 'neigh_timer_handler');
      n.updated = now;
    }
  } else if (n.state & NUD_DELAY) {
    if (now <= n.confirmed + p.delay_first_probe_time_ms) {
      setState(env, n, NUD_REACHABLE, 'confirmed during delay_first_probe_time', 'neigh_timer_handler');
      n.updated = now;
      next = n.confirmed + link.reachable_time_ms;
    } else {
      setState(env, n, NUD_PROBE, `not confirmed within delay_first_probe_time ${p.delay_first_probe_time_ms / 1000}s`, 'neigh_timer_handler');
      n.updated = now;
      n.probes = 0;
      next = now + Math.max(p.retrans_time_ms, 10);
    }
  } else {
    next = now + Math.max(p.retrans_time_ms, 10);
  }
  if (n.state & (NUD_INCOMPLETE | NUD_PROBE) && n.probes >= maxProbes(link, n)) {
    const { count, start } = probeCount(link, n);
    setState(env, n, NUD_FAILED, `no answer to ${count} probe(s)` +
      `; neigh->probes ${n.probes} reached neigh_max_probes ${maxProbes(link, n)}${start ? ` (counted from ucast_solicit ${start})` : ''}`, 'neigh_timer_handler');
    n.updated = now;
    invalidate(env, n);
    return;
  }
  if (n.state & NUD_IN_TIMER) n.timer = Math.max(next, now + 1);
  if (n.state & (NUD_INCOMPLETE | NUD_PROBE)) probe(env, n, link);
}

/**
 * neigh_periodic_work(), run for each table every base_reachable_time/2 of
 * its defaults (15 s): it counts periodic_gc_runs; every 300 s each parms'
 * reachable_time is redrawn (the table's defaults and every device's); and
 * once the table holds gc_thresh1 entries or more, an entry that is FAILED,
 * or unused for its device's gc_stale_time, is removed (PERMANENT,
 * timer-holding and externally learned ones excepted).
 */
export function periodicWork(env: NeighEnv): void {
  const w = env.w;
  const now = w.now;
  const redraw = now - (w.lastRand ?? 0) >= 300000;
  if (redraw) w.lastRand = now;
  for (const family of [AF_INET, AF_INET6]) {
    const t = tableOf(w, env.host, family);
    t.stats.periodic_gc_runs++;
    if (redraw) {
      // The IPv4 devices draw from the world's generator, as they always have; the rest from the table's own.
      t.reachable_time_ms = drawReachableTime(t, t.defaults.base_reachable_time_ms);
      for (const l of env.host.links) {
        const d = deviceParms(w, env.host, l, family);
        d.set(drawReachableTime(family === AF_INET ? w : t, d.p.base_reachable_time_ms));
      }
    }
    const entries = entriesOf(env.host, family);
    const gcStale = (n: SimNeighbour) => deviceParms(w, env.host, linkOf(env.host, n.ifindex), family).p.gc_stale_time_ms;
    if (entries < t.thresh1) {
      if (env.explain) {
        const could = env.host.neighbours.filter((n) => n.family === family && gcCandidate(n, now, gcStale(n)));
        if (could.length) {
          env.explain(`gc skipped: the table holds ${entries} entries, below gc_thresh1 ${t.thresh1}, so ` +
            `${could.map((n) => `${label(env, n)} (${n.state === NUD_FAILED ? 'FAILED' : 'unused for gc_stale_time'})`).join(', ')} stay${could.length === 1 ? 's' : ''}`,
          'neigh_periodic_work');
        }
      }
      continue;
    }
    env.host.neighbours = env.host.neighbours.filter((n) => {
      if (n.family !== family || n.state & (NUD_PERMANENT | NUD_IN_TIMER) || n.flags & NTF_EXT_LEARNED) return true;
      if (n.used < n.confirmed && n.confirmed <= now) n.used = n.confirmed;
      const stale = gcStale(n);
      if (gcCandidate(n, now, stale)) {
        env.note(`${label(env, n)}: garbage collected (${n.state === NUD_FAILED ? 'FAILED' : `unused for gc_stale_time ${stale / 1000}s`}; ${entries} entries >= gc_thresh1 ${t.thresh1})`,
          'neigh_periodic_work');
        t.stats.destroys++;
        return false;
      }
      return true;
    });
  }
}

/** Would neigh_periodic_work() remove this entry (its device's gc_stale_time given), were the table at gc_thresh1 or above? */
function gcCandidate(n: SimNeighbour, now: number, gcStaleMs: number): boolean {
  if (n.state & (NUD_PERMANENT | NUD_IN_TIMER) || n.flags & NTF_EXT_LEARNED) return false;
  const used = n.used < n.confirmed && n.confirmed <= now ? n.confirmed : n.used;
  return n.state === NUD_FAILED || now > used + gcStaleMs;
}
