// The neighbour table's netlink side, after net/core/neighbour.c:
// neigh_add() and neigh_delete() with their admin rules (NLM_F_CREATE,
// EXCL and REPLACE; NTF_USE; NTF_PROXY for the proxy table, pneigh_*),
// neigh_get(), and neigh_dump_table() with neigh_fill_info() (what an entry
// reports: ages in USER_HZ, the reference a timer holds). The same
// refusals as the kernel, as NetlinkError values.
import { type Neighbour, type NeighbourChange, type NeighbourDumpFilter, NetlinkError } from '../backend.js';
import {
  AF_INET, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NTF_EXT_LEARNED, NTF_PROXY, NTF_ROUTER, NTF_USE, NUD_FAILED, NUD_PERMANENT,
} from '../wire/rtnl-constants.js';
import { EEXIST, EINVAL, ENODEV, ENOENT } from '../errno.js';
import { formatAddress, hexColon } from '../lib/inet.js';
import { addressBytes, macBytes } from './text.js';
import {
  F_ADMIN, F_OVERRIDE, type NeighEnv, NUD_IN_TIMER, NUD_VALID, countedLookup, createNeighbour, eventSend, lookup, neighUpdate, stateName,
} from './neighbour.js';
import { stat } from './neigh-table.js';
import { eachUnreadNewestFirst } from './table.js';
import type { SimHost, SimNeighbour, World } from './world.js';
import { refused, whyRefused } from './refusal.js';

const USER_HZ_MS = 10;
/** NTF_ROUTER and NTF_EXT_LEARNED: the flags neigh_add() copies from the request. */
const NTF_COPIED = NTF_ROUTER | NTF_EXT_LEARNED;

function checkDevice(host: SimHost, ifindex: number): void {
  if (!host.links.some((l) => l.index === ifindex)) throw refused(ENODEV, `no device has ifindex ${ifindex}`);
}

/** pneigh_lookup(create) for `neigh add proxy`: a new proxy entry goes first. */
function pneighAdd(host: SimHost, c: NeighbourChange, dst: string): void {
  const p = host.proxies.find((x) => x.family === c.family && x.dst === dst && x.ifindex === c.ifindex);
  if (p) {
    p.flags = c.flags & ~NTF_PROXY;
    if (c.protocol) p.protocol = c.protocol;
  } else {
    host.proxies.unshift({ family: c.family, ifindex: c.ifindex, dst, flags: c.flags & ~NTF_PROXY, protocol: c.protocol ?? 0 });
  }
}

/** neigh_add(): create, replace or change one entry. */
export function neighAdd(env: NeighEnv, c: NeighbourChange, nlFlags: number): void {
  const host = env.host;
  if (c.dst.length !== (c.family === AF_INET ? 4 : 16)) {
    throw refused(EINVAL, `NDA_DST has ${c.dst.length} bytes, not the ${c.family === AF_INET ? 4 : 16} of the family's address`, 'Invalid network address');
  }
  const dst = formatAddress(c.family, c.dst);
  if (c.flags & NTF_PROXY) {
    pneighAdd(host, c, dst);
    return;
  }
  checkDevice(host, c.ifindex);
  let lladdr: string | undefined;
  if (c.lladdr) {
    if (c.lladdr.length < 6) throw refused(EINVAL, `NDA_LLADDR has ${c.lladdr.length} bytes, fewer than the device's address length 6`, 'Invalid link address');
    lladdr = hexColon(c.lladdr.subarray(0, 6));
  }
  let n = countedLookup(env, c.family, c.ifindex, dst);
  const existed = n !== undefined;
  const dev = host.links.find((l) => l.index === c.ifindex)!.name;
  if (!n) {
    if (!(nlFlags & NLM_F_CREATE)) throw refused(ENOENT, `no entry for ${dst} dev ${dev}, and NLM_F_CREATE was not set`);
    // A permanent or externally learned entry is made exempt from gc (no forced gc, never a full table).
    n = createNeighbour(env, c.family, c.ifindex, dst, (c.state & NUD_PERMANENT) !== 0 || (c.flags & NTF_EXT_LEARNED) !== 0);
  } else if (nlFlags & NLM_F_EXCL) {
    throw refused(EEXIST, `an entry for ${dst} dev ${dev} exists (${stateName(n.state)}) and NLM_F_EXCL was set`);
  }
  n.flags = (n.flags & ~NTF_COPIED) | (c.flags & NTF_COPIED);
  if (c.protocol) n.protocol = c.protocol;
  if (c.flagsExt !== undefined) n.flagsExt = c.flagsExt;
  if (c.flags & NTF_USE) {
    eventSend(env, n);
    return;
  }
  let flags = F_ADMIN | F_OVERRIDE;
  // An existing entry is overridden only with NLM_F_REPLACE.
  if (existed && !(nlFlags & NLM_F_REPLACE)) flags &= ~F_OVERRIDE;
  // As on the kernel, an entry created for a refused request stays (in NONE).
  const err = neighUpdate(env, n, lladdr, c.state, flags, 'set by the administrator (RTM_NEWNEIGH)', 'neigh_add');
  if (err) throw existed ? err : new RefusedButKept(err);
}

/**
 * A refusal after which the kernel keeps what it did first (neigh_add()
 * created the entry before __neigh_update() refused it): the model's state
 * is saved although the command failed.
 */
export class RefusedButKept extends NetlinkError {
  readonly why?: string;

  constructor(err: NetlinkError) {
    super(err.errno, err.extack);
    this.why = whyRefused(err);
  }
}

/** neigh_delete(): the entry goes FAILED (queued packets dropped) and is removed; pneigh_delete() for a proxy entry. */
export function neighDelete(env: NeighEnv, c: NeighbourChange): void {
  const host = env.host;
  const dst = formatAddress(c.family, c.dst);
  if (c.flags & NTF_PROXY) {
    const i = host.proxies.findIndex((x) => x.family === c.family && x.dst === dst && x.ifindex === c.ifindex);
    if (i < 0) throw refused(ENOENT, `no proxy entry for ${dst} on ifindex ${c.ifindex}`);
    host.proxies.splice(i, 1);
    return;
  }
  checkDevice(host, c.ifindex);
  const n = countedLookup(env, c.family, c.ifindex, dst);
  const dev = host.links.find((l) => l.index === c.ifindex)!.name;
  if (!n) throw refused(ENOENT, `no entry for ${dst} dev ${dev}`);
  neighUpdate(env, n, undefined, NUD_FAILED, F_OVERRIDE | F_ADMIN, 'deleted by the administrator (RTM_DELNEIGH)', 'neigh_delete');
  host.neighbours.splice(host.neighbours.indexOf(n), 1);
  stat(env.w, host, n.family, 'destroys');
  env.note(`${dst} dev ${dev}: removed`, 'neigh_delete');
}

/** neigh_get(): one entry, or one proxy entry with NTF_PROXY. */
export function neighGet(host: SimHost, now: number, family: number, ifindex: number, dst: Uint8Array, ndmFlags: number, w?: World): Neighbour {
  const text = formatAddress(family, dst);
  if (ndmFlags & NTF_PROXY) {
    const p = host.proxies.find((x) => x.family === family && x.dst === text && (!ifindex || x.ifindex === ifindex));
    if (!p) throw new NetlinkError(ENOENT, 'Proxy neighbour entry not found');
    return { family, ifindex: p.ifindex, state: 0, flags: p.flags | NTF_PROXY, type: 0, dst, protocol: p.protocol || undefined };
  }
  checkDevice(host, ifindex);
  const n = w ? countedLookup({ w, host }, family, ifindex, text) : lookup(host, family, ifindex, text);
  if (!n) throw new NetlinkError(ENOENT, 'Neighbour entry not found');
  return neighFillInfo(n, now);
}

/** neigh_dump_table() / pneigh_dump_table(): the entries the filter lets through, as the dump lists them. */
export function neighDump(host: SimHost, now: number, filter: NeighbourDumpFilter, each: (n: Neighbour) => void): void {
  if (filter.ndmFlags && filter.ndmFlags & NTF_PROXY) {
    for (const p of host.proxies) {
      if (filter.family && p.family !== filter.family) continue;
      if (filter.ifindex && p.ifindex !== filter.ifindex) continue;
      each({ family: p.family, ifindex: p.ifindex, state: 0, flags: p.flags | NTF_PROXY, type: 0, dst: addressBytes(p.family, p.dst), protocol: p.protocol || undefined });
    }
    return;
  }
  const visit = (n: SimNeighbour) => {
    if (filter.family && n.family !== filter.family) return;
    if (filter.ifindex && n.ifindex !== filter.ifindex) return;
    if (filter.master) {
      const m = host.links.find((l) => l.index === n.ifindex)?.master;
      if (filter.master === -1 ? m !== undefined : m !== filter.master) return;
    }
    each(neighFillInfo(n, now));
  };
  // The kernel lists a bucket's newest entry first; the model lists newest first overall.
  if (eachUnreadNewestFirst(host, visit)) return;
  for (let i = host.neighbours.length - 1; i >= 0; i--) visit(host.neighbours[i]);
}

/** neigh_fill_info(): one entry as RTM_NEWNEIGH reports it at virtual time `now`. */
export function neighFillInfo(n: SimNeighbour, now: number): Neighbour {
  return new ModelNeighbour(
    n.family, n.ifindex, n.state, n.flags, n.dst, n.state & NUD_VALID ? n.lladdr : undefined,
    // A pending timer holds a reference on the entry, as in the kernel.
    { confirmed: ticks(now - n.confirmed), used: ticks(now - n.used), updated: ticks(now - n.updated), refcnt: n.state & NUD_IN_TIMER ? 1 : 0 },
    n.probes, n.protocol || undefined, n.flagsExt || undefined,
  );
}

/** An age in ms as nda_cacheinfo's USER_HZ ticks. */
const ticks = (ms: number) => Math.max(0, Math.floor(ms / USER_HZ_MS));

/**
 * An entry as the model answers it. The model holds its addresses as the
 * text ip prints, and hands that over; the bytes are made only when asked
 * for (a prefix filter, a flush), not for each of 100,000 entries listed.
 */
class ModelNeighbour implements Neighbour {
  readonly type = 1;
  constructor(
    readonly family: number, readonly ifindex: number, readonly state: number, readonly flags: number,
    readonly dstText: string, readonly lladdrText: string | undefined,
    readonly cacheinfo: NonNullable<Neighbour['cacheinfo']>, readonly probes: number,
    readonly protocol: number | undefined, readonly flagsExt: number | undefined,
  ) {}

  get dst(): Uint8Array {
    return addressBytes(this.family, this.dstText);
  }

  get lladdr(): Uint8Array | undefined {
    return this.lladdrText === undefined ? undefined : macBytes(this.lladdrText);
  }
}
