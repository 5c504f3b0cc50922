// The Backend port answered by the model: the same requests as the kernel,
// the same errors (errno and extended-ACK text), values computed the way
// neigh_fill_info() reports them. `-n NAME` picks the simulated host.
import {
  type Backend, type LinkRef, type MonitorEvent, type MonitorTopics, type Neighbour, type NeighbourChange, type NeighbourDumpFilter,
  NetlinkError, type RtMessage, type RtRequest, type Watch,
} from '../backend.js';
import {
  IFF_UP, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE, RTM_GETADDR, RTM_GETLINK, RTM_GETROUTE,
  RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE,
} from '../wire/rtnl-constants.js';
import { watchModel } from './watch.js';
import { SimRtnl, requestHex } from './rtnetlink.js';
import { ENOENT, EOPNOTSUPP } from '../errno.js';
import { formatAddress } from '../lib/inet.js';
import { Engine } from './engine.js';
import { runSimCommand } from './commands.js';
import { SimArpingPort } from './arping.js';
import { writeAll } from '../lib/output.js';
import { RefusedButKept, neighAdd, neighDelete, neighDump, neighFillInfo, neighGet } from './neigh-netlink.js';
import type { SimHost, SimNeighbour, World } from './world.js';
import { findHost } from './lan.js';
import { upgradeLinks } from './upgrade.js';
import { bondOf } from './bond-state.js';

/** What the model answers for the kernel's release (bond show prints it as the driver's version). */
const MODEL_RELEASE = '6.1.0-tsnet-model';
const RTM_NAMES: Record<number, string> = {
  [RTM_NEWLINK]: 'RTM_NEWLINK', [RTM_DELLINK]: 'RTM_DELLINK', [RTM_GETLINK]: 'RTM_GETLINK', [RTM_NEWADDR]: 'RTM_NEWADDR',
  [RTM_DELADDR]: 'RTM_DELADDR', [RTM_GETADDR]: 'RTM_GETADDR',
  [RTM_NEWROUTE]: 'RTM_NEWROUTE', [RTM_DELROUTE]: 'RTM_DELROUTE', [RTM_GETROUTE]: 'RTM_GETROUTE',
};

export class SimBackend implements Backend {
  readonly engine: Engine;
  readonly host: SimHost;
  /** Set by anything that changes the model; a read-only command leaves the state file alone. */
  dirty = false;
  /** A refused request left a change behind, as the kernel's does (see RefusedButKept and rtRequest). */
  private keptOnRefusal = false;
  /** The changes of state rtnetlink requests noted so far. */
  private changes = 0;

  constructor(
    readonly world: World, hostName: string, trace?: (line: string) => void, private readonly onClose?: (dirty: boolean, failed: boolean) => void,
    /** The state file and how to read it again, for `monitor` (which must not hold the lock). */
    private readonly source?: { file: string; reload: () => World },
  ) {
    upgradeLinks(world);
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
    const reload = this.source.reload;
    return watchModel(this.source.file, this.host.name, this.world, () => upgradeLinks(reload()), topics, (w, n) => this.entry(n, w), each);
  }

  private entry(n: SimNeighbour, w: World = this.world): Neighbour {
    return neighFillInfo(n, w.now);
  }

  neighbourDump(filter: NeighbourDumpFilter, each: (n: Neighbour) => void): void {
    neighDump(this.host, this.world.now, filter, each);
  }

  neighbourGet(family: number, ifindex: number, dst: Uint8Array, ndmFlags: number): Neighbour {
    return neighGet(this.host, this.world.now, family, ifindex, dst, ndmFlags);
  }

  private trace(what: string, c: NeighbourChange, nlFlags: number): void {
    this.engine.note(this.host, `netlink ${what} ${formatAddress(c.family, c.dst)} ifindex ${c.ifindex} state 0x${c.state.toString(16)} flags 0x${c.flags.toString(16)}${nlFlags ? ` nlmsg_flags 0x${nlFlags.toString(16)}` : ''}`);
  }

  neighbourAdd(c: NeighbourChange, nlFlags: number): void {
    this.dirty = true;
    this.trace('RTM_NEWNEIGH', c, nlFlags);
    try {
      neighAdd(this.engine.env(this.host), c, nlFlags);
    } catch (e) {
      if (e instanceof RefusedButKept) this.keptOnRefusal = true;
      throw e;
    }
  }

  neighbourDelete(c: NeighbourChange): void {
    this.dirty = true;
    this.trace('RTM_DELNEIGH', c, 0);
    neighDelete(this.engine.env(this.host), c);
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
    if (req.type !== RTM_GETLINK && req.type !== RTM_GETROUTE) this.dirty = true;
    const changesBefore = this.changes;
    try {
      return this.rtnl(req, NLM_F_REQUEST | NLM_F_ACK | req.flags).request(req);
    } catch (e) {
      // do_setlink() is not transactional: what it did before the refusal stays (a refused
      // `master` has already released the old one), so the model keeps it too.
      if (this.changes !== changesBefore) this.keptOnRefusal = true;
      throw e;
    }
  }

  /** The handlers of this host; with --trace, the request's bytes first (what the kernel would have read). */
  private rtnl(req: RtRequest, nlFlags: number): SimRtnl {
    if (this.engine.tracing) this.engine.traceOnly(this.host, `netlink ${RTM_NAMES[req.type] ?? req.type}: ${requestHex(req, nlFlags)}`);
    // Every note is a change of state (even while answering a dump: a lifetime ran out, a slave failed).
    return new SimRtnl(this.world, this.host, (text) => {
      this.dirty = true;
      this.changes++;
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
      return l?.kind === 'veth' && l.flags & IFF_UP ? (sd[2] === 'speed' ? '10000\n' : 'full\n') : undefined;
    }
    const m = /^\/sys\/class\/net\/([^/]+)\/bonding\/slaves$/.exec(path);
    const bond = m ? this.host.links.find((l) => l.name === m[1] && l.kind === 'bond') : undefined;
    if (!bond) return undefined;
    return (bondOf(bond).slaves ?? []).map((i) => this.host.links.find((l) => l.index === i)?.name).filter(Boolean).join(' ') + '\n';
  }

  arpingPort(): SimArpingPort {
    this.dirty = true;
    return new SimArpingPort(this.engine, this.host, (s) => writeAll(2, s));
  }

  simulate(words: string[], write: (text: string) => void): number {
    this.dirty = true;
    return runSimCommand(this, words, write);
  }

  /**
   * Hands the state to be saved (src/sim/open.ts decides where) once the
   * command is done; a failed one saves nothing, unless the model's kernel
   * kept a change while refusing the request, as the kernel does.
   */
  close(failed = false): void {
    this.onClose?.(this.dirty, failed && !this.keptOnRefusal);
  }
}
