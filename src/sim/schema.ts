// The state file's shape, checked once when it is read (store.ts): a file of
// the wrong shape is reported with the first place that is wrong, instead of
// failing later with a JavaScript message, or worse, being written back. One
// schema for every format: only the neighbour tables differ (format 1 objects,
// 2 rows, 3 text, which table.ts checks line by line when it is first read).
// Fields a newer tsnet may add are not checked.
import { parseIPv4, parseIPv6 } from '../lib/inet.js';
import { STAT_FIELDS } from './netstats.js';

/** 'int' | 'num' (finite) | 'str' | 'bool' | 'any', with '?' when the field may be absent. */
type Scalar = string;
class ListOf {
  constructor(readonly of: Type, readonly optional: boolean) {}
}
interface Shape { [field: string]: Type | Maybe }
type Type = Scalar | ListOf | Shape;

const list = (t: Type, optional = false) => new ListOf(t, optional);
/** An object that may be absent (fields newer tsnets add). */
class Maybe {
  constructor(readonly of: Type) {}
}
type AnyType = Type | Maybe;

const PARAMS: Shape = Object.fromEntries([
  'base_reachable_time_ms', 'delay_first_probe_time_ms', 'retrans_time_ms', 'ucast_solicit', 'mcast_solicit', 'app_solicit',
  'mcast_resolicit', 'gc_stale_time_ms', 'locktime_ms', 'unres_qlen', 'unres_qlen_bytes', 'proxy_delay_ms', 'proxy_qlen',
  'arp_accept', 'arp_ignore', 'promote_secondaries', 'forwarding', 'proxy_arp', 'anycast_delay_ms', 'interval_probe_time_ms',
].map((k) => [k, 'num?']));

/** A neighbour table of a host (SimNeighTable): thresholds, defaults, counters. */
const NEIGH_TABLE: Shape = {
  thresh1: 'int', thresh2: 'int', thresh3: 'int', gc_interval_ms: 'num', defaults: PARAMS, reachable_time_ms: 'num',
  lastFlush: 'num', hashShift: 'int', hashRnd: 'int', rng: 'int',
  stats: Object.fromEntries(['allocs', 'destroys', 'hash_grows', 'res_failed', 'lookups', 'hits', 'rcv_probes_mcast', 'rcv_probes_ucast',
    'periodic_gc_runs', 'forced_gc_runs', 'table_fulls'].map((k) => [k, 'int'])),
};

const ADDRESS: Shape = {
  family: 'int', local: 'str', prefixlen: 'int', secondary: 'bool?', label: 'str?', peer: 'str?', broadcast: 'str?', anycast: 'str?',
  scope: 'int?', flags: 'int?', metric: 'int?', proto: 'int?', created: 'num?', updated: 'num?', validUntil: 'num?',
  preferredUntil: 'num?', tentative: 'bool?', dadUntil: 'num?',
};

/** A route added over rtnetlink (fib.ts); the kernel's own are derived from the addresses, not stored. */
const ROUTE: Shape = {
  family: 'int', table: 'int', dst: 'str', plen: 'int', tos: 'int?', type: 'int', proto: 'int', scope: 'int', priority: 'int?',
  gateway: 'str?', oif: 'int?', prefsrc: 'str?', flags: 'int?', metrics: list(list('int'), true), pref: 'int?',
};

const LINK: Shape = {
  index: 'int', name: 'str', type: 'int', mac: 'str', broadcast: 'str', flags: 'int', mtu: 'int', segment: 'str?', carrier: 'bool',
  addresses: list(ADDRESS), params: PARAMS, reachable_time_ms: 'num', master: 'int?', kind: 'str?', peer: 'int?', link: 'int?',
  macvlanMode: 'int?', kindData: 'str?', slaveData: 'str?', txqlen: 'int?', group: 'int?', alias: 'str?', linkmode: 'int?',
  promiscuity: 'int?', allmulti: 'int?', carrierChanges: 'int?', wasUp: 'bool?', addrGenMode: 'int?', activeSlave: 'int?',
  randomMac: 'bool?', slaves: list('int', true), permMac: 'str?', miiUp: 'bool?', linkFailures: 'int?', miiState: 'int?',
  miiDelay: 'int?', bondBackup: 'bool?', miiNext: 'num?', peerNotif: 'int?', primaryName: 'str?', primarySlave: 'int?',
  forcePrimary: 'bool?', inet6Ready: 'bool?', created: 'num?', carrierSeen: 'bool?',
  nd: new Maybe({ params: PARAMS, reachable_time_ms: 'num' }),
  stats: new Maybe(Object.fromEntries(STAT_FIELDS.map((k) => [k, 'int']))),
};

const PACKET: Shape = { src: 'str', dst: 'str', proto: 'str' };

/** A neighbour entry as format 1 (and a table never written as text) holds it. */
const NEIGHBOUR: Shape = {
  family: 'int', ifindex: 'int', dst: 'str', state: 'int', flags: 'int', flagsExt: 'int', protocol: 'int', lladdr: 'str?',
  confirmed: 'num', used: 'num', updated: 'num', probes: 'int', timer: 'num?', queue: list(PACKET), dropped: 'int',
};

const HOST: Shape = {
  name: 'str', links: list(LINK), proxies: list({ family: 'int', ifindex: 'int', dst: 'str', flags: 'int', protocol: 'int' }),
  gateway: 'str?', silent: 'bool?', delay_ms: 'num?', icmpSent: 'any?', udpIn: 'int?', routes: list(ROUTE, true), suppressed: list(ROUTE, true), tables: list(list('int'), true),
  ntables: new Maybe({ arp: new Maybe(NEIGH_TABLE), nd: new Maybe(NEIGH_TABLE) }),
};

const WORLD: Shape = {
  version: 'int', now: 'num', rng: 'int', hosts: list(HOST), periodicAt: 'num', lastRand: 'num?', capture: 'str?',
  frames: list({ at: 'num', segment: 'str', from: { host: 'str', ifindex: 'int' }, bytes: 'str', ip: 'any?', proxyRedo: 'any?' }),
  timeline: list({ t: 'num', host: 'str', text: 'str', fn: 'str?' }),
};

const NAMES: Record<string, string> = { int: 'a whole number', num: 'a number', str: 'text', bool: 'true or false', any: 'a value' };

function found(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v === null || typeof v === 'object') return String(v === null ? 'null' : 'an object');
  const s = JSON.stringify(v);
  return s.length > 20 ? `${s.slice(0, 20)}...` : s;
}

function scalarOk(kind: string, v: unknown): boolean {
  switch (kind) {
    case 'int': return Number.isInteger(v);
    case 'num': return typeof v === 'number' && Number.isFinite(v);
    case 'str': return typeof v === 'string';
    case 'bool': return typeof v === 'boolean';
    default: return true;
  }
}

/** The first place where `v` is not of type `t`, as "where: expected X, found Y"; undefined if it fits. */
function check(v: unknown, t: AnyType, where: string): string | undefined {
  if (t instanceof Maybe) return v === undefined ? undefined : check(v, t.of, where);
  if (typeof t === 'string') {
    const optional = t.endsWith('?');
    const kind = optional ? t.slice(0, -1) : t;
    if (v === undefined && optional) return undefined;
    return scalarOk(kind, v) && v !== undefined ? undefined : `${where}: expected ${NAMES[kind]}, found ${found(v)}`;
  }
  if (t instanceof ListOf) {
    if (v === undefined && t.optional) return undefined;
    if (!Array.isArray(v)) return `${where}: expected a list, found ${found(v)}`;
    for (let i = 0; i < v.length; i++) {
      const e = check(v[i], t.of, `${where}[${i}]`);
      if (e) return e;
    }
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return `${where}: expected an object, found ${found(v)}`;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(t)) {
    const e = check(o[k], t[k], where ? `${where}.${k}` : k);
    if (e) return e;
  }
  return undefined;
}

/** A format 2 table row: 15 fields, the ones that matter typed. */
function checkRow(r: unknown, where: string): string | undefined {
  if (!Array.isArray(r) || r.length !== 15) return `${where}: expected a row of 15 fields, found ${found(r)}`;
  const kinds = ['int', 'int', 'str', 'int', 'int', 'int', 'int', 'any', 'num', 'num', 'num', 'int', 'any', 'any', 'int'];
  for (let i = 0; i < 15; i++) if (!scalarOk(kinds[i], r[i])) return `${where}[${i}]: expected ${NAMES[kinds[i]]}, found ${found(r[i])}`;
  return undefined;
}

/** An added route's addresses must be of its family, its prefix no longer than the family's (the FIB reads them as such). */
function routeError(r: { family: number; dst: string; plen: number; gateway?: string; prefsrc?: string }, where: string): string | undefined {
  if (r.family !== 2 && r.family !== 10) return `${where}.family: expected 2 or 10, found ${found(r.family)}`;
  const parse = r.family === 2 ? parseIPv4 : parseIPv6;
  for (const k of ['dst', 'gateway', 'prefsrc'] as const) {
    const v = r[k];
    if (v !== undefined && (!parse(v) || (r.family === 2 && !/^\d+\.\d+\.\d+\.\d+$/.test(v)))) return `${where}.${k}: expected an IPv${r.family === 2 ? 4 : 6} address, found ${found(v)}`;
  }
  if (r.plen < 0 || r.plen > (r.family === 2 ? 32 : 128)) return `${where}.plen: expected a prefix length, found ${found(r.plen)}`;
  return undefined;
}

/**
 * What is wrong with a parsed state file of format `version` (1..3), or
 * undefined: the world, and each host's neighbour table in its format.
 */
export function stateShapeError(w: unknown, maxVersion: number): string | undefined {
  const e = check(w, WORLD, '');
  if (e) return e;
  const world = w as { version: number; hosts: { neighbours?: unknown }[] };
  if (world.version < 1 || world.version > maxVersion) return `version: expected 1 to ${maxVersion}, found ${world.version}`;
  for (let i = 0; i < world.hosts.length; i++) {
    const routes = (world.hosts[i] as { routes?: Parameters<typeof routeError>[0][] }).routes ?? [];
    for (let j = 0; j < routes.length; j++) {
      const err = routeError(routes[j], `hosts[${i}].routes[${j}]`);
      if (err) return err;
    }
    const n = world.hosts[i].neighbours, where = `hosts[${i}].neighbours`;
    if (typeof n === 'string' && world.version >= 3) continue;
    if (!Array.isArray(n)) return `${where}: expected ${world.version >= 3 ? 'a table (text)' : 'a list'}, found ${found(n)}`;
    for (let j = 0; j < n.length; j++) {
      const err = world.version === 2 ? checkRow(n[j], `${where}[${j}]`) : check(n[j], NEIGHBOUR, `${where}[${j}]`);
      if (err) return err;
    }
  }
  return undefined;
}
