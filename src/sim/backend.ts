// The Backend port answered by the model: the same requests as the kernel,
// the same errors (errno and extended-ACK text), values computed the way
// neigh_fill_info() reports them. `-n NAME` picks the simulated host.
import {
  type Backend, type LinkRef, type MonitorEvent, type MonitorTopics, type Neighbour, type NeighbourChange, type NeighbourDumpFilter,
  NetlinkError, type RtMessage, type RtRequest, type SimView, type Watch,
} from '../backend.js';
import { IFF_UP, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, RTM_GETLINK, RTM_GETNEIGHTBL, RTM_GETROUTE } from '../wire/rtnl-constants.js';
import { describeNlmsg, rtmName } from '../wire/describe.js';
import { watchModel } from './watch.js';
import { SimRtnl } from './rtnetlink.js';
import type { KFn } from './kfn.js';
import {
  type TraceSink, neighChangeBytes, neighDumpBytes, neighGetBytes, neighMessageBytes, rtRequestBytes, traceOutcome, traceReplies,
  traceRequest,
} from './nltrace.js';
import { ENOENT, EOPNOTSUPP } from '../errno.js';
import { Engine } from './engine.js';
import { runSimCommand } from './commands.js';
import { SimArpingPort } from './arping.js';
import { writeAll } from '../lib/output.js';
import { RefusedButKept, neighAdd, neighDelete, neighDump, neighFillInfo, neighGet } from './neigh-netlink.js';
import type { SimHost, SimNeighbour, World } from './world.js';
import { findHost } from './lan.js';
import { upgradeLinks } from './upgrade.js';
import { bondOf } from './bond-state.js';
import { SimNetns, isNsidRequest, nsidRequest } from './netns.js';

/** What the model answers for the kernel's release (bond show prints it as the driver's version). */
const MODEL_RELEASE = '6.1.0-tsnet-model';

export class SimBackend implements Backend {
  readonly engine: Engine;
  private readonly hostName: string;
  private firstHost: SimHost;
  /** Set by anything that changes the model; a read-only command leaves the state file alone. */
  dirty = false;
  /** A refused request left a change behind, as the kernel's does (see RefusedButKept and rtRequest). */
  private keptOnRefusal = false;
  /** The changes of state rtnetlink requests noted so far. */
  private changes = 0;

  constructor(
    readonly world: World, hostName: string, private readonly traceOut?: (line: string) => void, private readonly onClose?: (dirty: boolean, failed: boolean) => void,
    /** The state file and how to read it again, for `monitor` (which must not hold the lock). */
    private readonly source?: { file: string; reload: () => World },
    /** 1: --trace; 2: --trace --trace (adds the bytes). */
    traceLevel = 1,
  ) {
    upgradeLinks(world);
    this.engine = new Engine(world, traceOut, traceLevel);
    const h = findHost(world, hostName);
    if (!h) throw new NetlinkError(ENOENT, undefined, `no simulated host "${hostName}" (tsnet sim show lists them)`);
    this.hostName = hostName;
    this.firstHost = h;
  }

  /** The host chosen with -n: looked up again once `sim reset` has replaced the world's hosts (a batch goes on with the new one). */
  get host(): SimHost {
    if (this.world.hosts.includes(this.firstHost)) return this.firstHost;
    return (this.firstHost = findHost(this.world, this.hostName) ?? this.firstHost);
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

  /** Where the request and answer lines go: the trace, when one is read. */
  private readonly sink: TraceSink = { line: (text, fn, level) => this.engine.traceOnly(this.host, text, fn, level) };

  /** Runs one request's handler, tracing the request (its bytes built the way the kernel backend builds them) and how it ended. */
  private traced<T>(bytes: () => Uint8Array, run: (fn: KFn) => T, dumped?: (r: T) => { count: number; what: string }): T {
    if (!this.engine.tracing) return run('rtnetlink_rcv_msg');
    const fn = traceRequest(this.sink, bytes());
    try {
      const r = run(fn);
      traceOutcome(this.sink, fn, undefined, dumped?.(r));
      return r;
    } catch (e) {
      traceOutcome(this.sink, fn, e);
      throw e;
    }
  }

  neighbourDump(filter: NeighbourDumpFilter, each: (n: Neighbour) => void): void {
    let count = 0;
    this.traced(() => neighDumpBytes(filter), (fn) => neighDump(this.host, this.world.now, filter, (n) => {
      count++;
      if (this.engine.tracing && this.engine.traceLevel >= 2) this.sink.line(`netlink answer: ${describeNlmsg(neighMessageBytes(n))}`, fn);
      each(n);
    }), () => ({ count, what: 'RTM_NEWNEIGH' }));
  }

  neighbourGet(family: number, ifindex: number, dst: Uint8Array, ndmFlags: number): Neighbour {
    // neigh_get() counts a lookup (and a hit) in the table's statistics.
    this.dirty = true;
    return this.traced(() => neighGetBytes(family, ifindex, dst, ndmFlags), () => neighGet(this.host, this.world.now, family, ifindex, dst, ndmFlags, this.world));
  }

  neighbourAdd(c: NeighbourChange, nlFlags: number): void {
    this.dirty = true;
    this.traced(() => neighChangeBytes(false, nlFlags, c), () => {
      try {
        neighAdd(this.engine.env(this.host), c, nlFlags);
      } catch (e) {
        if (e instanceof RefusedButKept) this.keptOnRefusal = true;
        throw e;
      }
    });
  }

  neighbourDelete(c: NeighbourChange): void {
    this.dirty = true;
    this.traced(() => neighChangeBytes(true, 0, c), () => neighDelete(this.engine.env(this.host), c));
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

  /** The model's namespaces are its hosts (netns.ts). */
  netns(): SimNetns {
    return new SimNetns({
      world: this.world,
      changed: () => { this.dirty = true; },
      // Another host of the same model: what it changes is this run's change.
      hostBackend: (name) => new SimBackend(this.world, name, this.traceOut, (dirty) => { if (dirty) this.dirty = true; }, undefined, this.engine.traceLevel),
    });
  }

  rtDump(req: RtRequest, each: (m: RtMessage) => void): void {
    // The first look at the neighbour tables makes their state (hash keys, the IPv6 parms' draws): kept from then on.
    if (req.type === RTM_GETNEIGHTBL) this.dirty = true;
    if (isNsidRequest(req)) return nsidRequest(req, true).forEach(each);
    const flags = NLM_F_REQUEST | NLM_F_DUMP;
    let count = 0, type = 0;
    this.traced(() => rtRequestBytes(req, flags), (fn) => this.rtnl().dump(req, (m) => {
      count++;
      type = m.type;
      if (this.engine.tracing && this.engine.traceLevel >= 2) traceReplies(this.sink, [m], fn);
      each(m);
    }), () => ({ count, what: count ? rtmName(type) : 'answer' }));
  }

  rtRequest(req: RtRequest): RtMessage[] {
    if (isNsidRequest(req)) return nsidRequest(req, false);
    if (req.type !== RTM_GETLINK && req.type !== RTM_GETROUTE) this.dirty = true;
    const changesBefore = this.changes;
    const flags = NLM_F_REQUEST | NLM_F_ACK | req.flags;
    try {
      return this.traced(() => rtRequestBytes(req, flags), (fn) => {
        const replies = this.rtnl().request(req);
        if (this.engine.tracing) traceReplies(this.sink, replies, fn);
        return replies;
      });
    } catch (e) {
      // do_setlink() is not transactional: what it did before the refusal stays (a refused
      // `master` has already released the old one), so the model keeps it too.
      if (this.changes !== changesBefore) this.keptOnRefusal = true;
      throw e;
    }
  }

  /** The handlers of this host. */
  private rtnl(): SimRtnl {
    // Every note is a change of state (even while answering a dump: a lifetime ran out, a slave failed).
    return new SimRtnl(this.world, this.host, (text, fn) => {
      this.dirty = true;
      this.changes++;
      this.engine.note(this.host, text, fn);
    }, (link, f, why, fn) => this.engine.send(this.host, link, f, why, fn));
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

  simulate(words: string[], write: (text: string) => void, view: SimView = {}): number {
    this.dirty = true;
    return runSimCommand(this, words, write, view);
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
