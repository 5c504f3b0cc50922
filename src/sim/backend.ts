// The Backend port answered by the model: the same requests as the kernel,
// the same errors (errno and extended-ACK text), values computed the way
// neigh_fill_info() reports them. `-n NAME` picks the simulated host.
import {
  AF_INET, AF_INET6, type Backend, type LinkRef, NTF_PROXY, NTF_USE, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NUD_FAILED,
  type MonitorEvent, type MonitorTopics, type Neighbour, type NeighbourChange, type NeighbourDumpFilter, NetlinkError,
  type RtMessage, type RtRequest, type Watch,
} from '../backend.js';
import { watchModel } from './watch.js';
import { SimRtnl, macBytes, requestHex } from './rtnl.js';
import { EEXIST, EINVAL, ENODEV, ENOENT, EOPNOTSUPP } from '../errno.js';
import { formatAddress, hexColon, parseIPv4, parseIPv6 } from '../lib/inet.js';
import { Engine } from './engine.js';
import { runSimCommand } from './commands.js';
import { SimArpingPort } from './arping.js';
import { writeAll } from '../lib/output.js';
import { F_ADMIN, F_OVERRIDE, NUD_IN_TIMER, NUD_VALID, createNeighbour, eventSend, lookup, neighUpdate } from './neigh.js';
import { type SimHost, type SimNeighbour, type World, findHost } from './world.js';
import { eachUnreadNewestFirst } from './table.js';

const USER_HZ_MS = 10;
/** What the model answers for the kernel's release (bond show prints it as the driver's version). */
const MODEL_RELEASE = '6.1.0-tsnet-model';
const NLM_F_REQUEST = 0x1, NLM_F_ACK = 0x4, NLM_F_DUMP = 0x300, RTM_GETLINK = 18;
const RTM_NAMES: Record<number, string> = {
  16: 'RTM_NEWLINK', 17: 'RTM_DELLINK', 18: 'RTM_GETLINK', 20: 'RTM_NEWADDR', 21: 'RTM_DELADDR', 22: 'RTM_GETADDR',
};

export class SimBackend implements Backend {
  readonly engine: Engine;
  readonly host: SimHost;
  /** Set by anything that changes the model; a read-only command leaves the state file alone. */
  dirty = false;

  constructor(
    readonly world: World, hostName: string, trace?: (line: string) => void, private readonly onClose?: (dirty: boolean, failed: boolean) => void,
    /** The state file and how to read it again, for `monitor` (which must not hold the lock). */
    private readonly source?: { file: string; reload: () => World },
  ) {
    this.engine = new Engine(world, trace);
    const h = findHost(world, hostName);
    if (!h) throw new NetlinkError(ENOENT, undefined, `no simulated host "${hostName}" (tsnet sim show lists them)`);
    this.host = h;
  }

  links(): LinkRef[] {
    return this.host.links.map((l) => ({ index: l.index, name: l.name, type: l.type, flags: l.flags, master: l.master }));
  }

  /**
   * Streams the model's changes as another tsnet run saves them: the lock is
   * let go first (this run saves nothing), so the others can run meanwhile.
   */
  watch(topics: MonitorTopics, each: (e: MonitorEvent) => void): Watch {
    if (!this.source) throw new NetlinkError(EOPNOTSUPP, 'the model can be watched only through its state file');
    this.close();
    return watchModel(this.source.file, this.host.name, this.world, this.source.reload, topics, (w, n) => this.entry(n, w), each);
  }

  private entry(n: SimNeighbour, w: World = this.world): Neighbour {
    const now = w.now;
    return new ModelNeighbour(
      n.family, n.ifindex, n.state, n.flags, n.dst, n.state & NUD_VALID ? n.lladdr : undefined,
      // A pending timer holds a reference on the entry, as in the kernel.
      { confirmed: ticks(now - n.confirmed), used: ticks(now - n.used), updated: ticks(now - n.updated), refcnt: n.state & NUD_IN_TIMER ? 1 : 0 },
      n.probes, n.protocol || undefined, n.flagsExt || undefined,
    );
  }

  neighbourDump(filter: NeighbourDumpFilter, each: (n: Neighbour) => void): void {
    const h = this.host;
    if (filter.ndmFlags && filter.ndmFlags & NTF_PROXY) {
      for (const p of h.proxies) {
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
        const m = h.links.find((l) => l.index === n.ifindex)?.master;
        if (filter.master === -1 ? m !== undefined : m !== filter.master) return;
      }
      each(this.entry(n));
    };
    // The kernel lists a bucket's newest entry first; the model lists newest first overall.
    if (eachUnreadNewestFirst(h, visit)) return;
    for (let i = h.neighbours.length - 1; i >= 0; i--) visit(h.neighbours[i]);
  }

  neighbourGet(family: number, ifindex: number, dst: Uint8Array, ndmFlags: number): Neighbour {
    const text = formatAddress(family, dst);
    if (ndmFlags & NTF_PROXY) {
      const p = this.host.proxies.find((x) => x.family === family && x.dst === text && (!ifindex || x.ifindex === ifindex));
      if (!p) throw new NetlinkError(ENOENT, 'Proxy neighbour entry not found');
      return { family, ifindex: p.ifindex, state: 0, flags: p.flags | NTF_PROXY, type: 0, dst, protocol: p.protocol || undefined };
    }
    this.checkDevice(ifindex);
    const n = lookup(this.host, family, ifindex, text);
    if (!n) throw new NetlinkError(ENOENT, 'Neighbour entry not found');
    return this.entry(n);
  }

  private checkDevice(ifindex: number): void {
    if (!this.host.links.some((l) => l.index === ifindex)) throw new NetlinkError(ENODEV);
  }

  private trace(what: string, c: NeighbourChange, nlFlags: number): void {
    this.engine.note(this.host, `netlink ${what} ${formatAddress(c.family, c.dst)} ifindex ${c.ifindex} state 0x${c.state.toString(16)} flags 0x${c.flags.toString(16)}${nlFlags ? ` nlmsg_flags 0x${nlFlags.toString(16)}` : ''}`);
  }

  /** neigh_add(): create, replace or change one entry. */
  neighbourAdd(c: NeighbourChange, nlFlags: number): void {
    this.dirty = true;
    this.trace('RTM_NEWNEIGH', c, nlFlags);
    if (c.dst.length !== (c.family === AF_INET ? 4 : 16)) throw new NetlinkError(EINVAL, 'Invalid network address');
    const dst = formatAddress(c.family, c.dst);
    if (c.flags & NTF_PROXY) {
      const p = this.host.proxies.find((x) => x.family === c.family && x.dst === dst && x.ifindex === c.ifindex);
      if (p) {
        p.flags = c.flags & ~NTF_PROXY;
        if (c.protocol) p.protocol = c.protocol;
      } else {
        this.host.proxies.unshift({ family: c.family, ifindex: c.ifindex, dst, flags: c.flags & ~NTF_PROXY, protocol: c.protocol ?? 0 });
      }
      return;
    }
    this.checkDevice(c.ifindex);
    let lladdr: string | undefined;
    if (c.lladdr) {
      if (c.lladdr.length < 6) throw new NetlinkError(EINVAL, 'Invalid link address');
      lladdr = hexColon(c.lladdr.subarray(0, 6));
    }
    const env = this.engine.env(this.host);
    let n = lookup(this.host, c.family, c.ifindex, dst);
    const existed = n !== undefined;
    if (!n) {
      if (!(nlFlags & NLM_F_CREATE)) throw new NetlinkError(ENOENT);
      n = createNeighbour(env, c.family, c.ifindex, dst);
    } else if (nlFlags & NLM_F_EXCL) {
      throw new NetlinkError(EEXIST);
    }
    n.flags = (n.flags & ~0x90) | (c.flags & 0x90); // NTF_ROUTER, NTF_EXT_LEARNED
    if (c.protocol) n.protocol = c.protocol;
    if (c.flagsExt !== undefined) n.flagsExt = c.flagsExt;
    if (c.flags & NTF_USE) {
      eventSend(env, n);
      return;
    }
    let flags = F_ADMIN | F_OVERRIDE;
    // An existing entry is overridden only with NLM_F_REPLACE (neigh_add()).
    if (existed && !(nlFlags & NLM_F_REPLACE)) flags &= ~F_OVERRIDE;
    const err = neighUpdate(env, n, lladdr, c.state, flags, 'set by the administrator (RTM_NEWNEIGH)');
    if (err) {
      // As on the kernel, an entry created for a refused request stays (in NONE).
      const [code, msg] = err.split(':');
      throw new NetlinkError(code === 'EINVAL' ? EINVAL : 1, msg);
    }
  }

  /** neigh_delete(): the entry goes FAILED (queued packets dropped) and is removed. */
  neighbourDelete(c: NeighbourChange): void {
    this.dirty = true;
    this.trace('RTM_DELNEIGH', c, 0);
    const dst = formatAddress(c.family, c.dst);
    if (c.flags & NTF_PROXY) {
      const i = this.host.proxies.findIndex((x) => x.family === c.family && x.dst === dst && x.ifindex === c.ifindex);
      if (i < 0) throw new NetlinkError(ENOENT);
      this.host.proxies.splice(i, 1);
      return;
    }
    this.checkDevice(c.ifindex);
    const n = lookup(this.host, c.family, c.ifindex, dst);
    if (!n) throw new NetlinkError(ENOENT);
    const env = this.engine.env(this.host);
    neighUpdate(env, n, undefined, NUD_FAILED, F_OVERRIDE | F_ADMIN, 'deleted by the administrator (RTM_DELNEIGH)');
    this.host.neighbours.splice(this.host.neighbours.indexOf(n), 1);
    env.note(`${dst} dev ${this.host.links.find((l) => l.index === n.ifindex)!.name}: removed`);
  }

  neighbourFlush(entries: Neighbour[]): void {
    this.dirty = true;
    let first: unknown;
    for (const e of entries) {
      try {
        this.neighbourDelete({ family: e.family, ifindex: e.ifindex, state: e.state, flags: e.flags, dst: e.dst ?? new Uint8Array(0) });
      } catch (err) {
        first ??= err;
      }
    }
    if (first) throw first;
  }

  rtDump(req: RtRequest, each: (m: RtMessage) => void): void {
    this.rtnl(req, NLM_F_REQUEST | NLM_F_DUMP).dump(req, each);
  }

  rtRequest(req: RtRequest): RtMessage[] {
    if (req.type !== RTM_GETLINK) this.dirty = true;
    return this.rtnl(req, NLM_F_REQUEST | NLM_F_ACK | req.flags).request(req);
  }

  /** The handlers of this host; with --trace, the request's bytes first (what the kernel would have read). */
  private rtnl(req: RtRequest, nlFlags: number): SimRtnl {
    if (this.engine.tracing) this.engine.traceOnly(this.host, `netlink ${RTM_NAMES[req.type] ?? req.type}: ${requestHex(req, nlFlags)}`);
    // Every note is a change of state (even while answering a dump: a lifetime ran out, a slave failed).
    return new SimRtnl(this.world, this.host, (text) => {
      this.dirty = true;
      this.engine.note(this.host, text);
    }, (link, f, why) => this.engine.send(this.host, link, f, why));
  }

  /** The few system files tsnet reads (for bond show): the model's release, a veth's speed and duplex, a bond's slaves in enslave order. */
  readSystemFile(path: string): string | undefined {
    if (path === '/proc/sys/kernel/osrelease') return `${MODEL_RELEASE}\n`;
    // A running veth reports 10000 Mb/s full duplex (veth_get_link_ksettings); the model's other links report none.
    const sd = /^\/sys\/class\/net\/([^/]+)\/(speed|duplex)$/.exec(path);
    if (sd) {
      const l = this.host.links.find((x) => x.name === sd[1]);
      return l?.kind === 'veth' && l.flags & 1 ? (sd[2] === 'speed' ? '10000\n' : 'full\n') : undefined;
    }
    const m = /^\/sys\/class\/net\/([^/]+)\/bonding\/slaves$/.exec(path);
    const bond = m ? this.host.links.find((l) => l.name === m[1] && l.kind === 'bond') : undefined;
    if (!bond) return undefined;
    return (bond.slaves ?? []).map((i) => this.host.links.find((l) => l.index === i)?.name).filter(Boolean).join(' ') + '\n';
  }

  arpingPort(): SimArpingPort {
    this.dirty = true;
    return new SimArpingPort(this.engine, this.host, (s) => writeAll(2, s));
  }

  simulate(words: string[], write: (text: string) => void): number {
    this.dirty = true;
    return runSimCommand(this, words, write);
  }

  /** Hands the state to be saved (src/sim/open.ts decides where) once the command is done; a failed one saves nothing. */
  close(failed = false): void {
    this.onClose?.(this.dirty, failed);
  }
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

/** The model's own address texts back to bytes (always well formed). */
function addressBytes(family: number, text: string): Uint8Array {
  return (family === AF_INET6 ? parseIPv6(text) : parseIPv4(text)) ?? new Uint8Array(0);
}

