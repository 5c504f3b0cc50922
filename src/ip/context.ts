// What every command of the front gets: the global options, the printer, the
// backend (created on first use, so `help` never loads the FFI) and ip's
// link-name cache (ll_map.c): one link dump per run, shared by a batch.
import type { Backend, LinkRef } from '../backend.js';
import { writeAll, type Output } from '../lib/output.js';
import { Exit } from './matches.js';
import { netlinkErrorLine } from './common.js';
import type { GlobalOptions } from './options.js';

/**
 * Runs the system's ip with global options and a command's words, as one
 * command or as one line of a batch (`inBatch`). `status` is ip's exit
 * status; `ended`: ip ended by exit() rather than by a failed command, which
 * in ip's own batch ends the batch at once (even with -force) with no
 * "Command failed" line.
 */
export type HandOverHook = (options: string[], words: string[], inBatch: boolean) => Promise<{ status: number; ended: boolean } | undefined>;

export class Context {
  /** Set while a -batch runs (a handed-over line then runs as a batch line of the system's ip). */
  inBatch = false;
  private linkCache?: Map<number, LinkRef>;
  private nameCache?: Map<string, LinkRef>;
  private backendInstance?: Backend;
  private lastIndex = -1;
  private lastLink?: LinkRef;
  /** Links a listing dumped, not yet in the caches: made on the first lookup (rememberLinksLater). */
  private pendingLinks?: () => LinkRef[];
  /** ip's do_link: set by a link listing, kept for the lines after it in a batch (as ip 6.1 keeps it). */
  doLink = false;

  constructor(
    readonly opts: GlobalOptions,
    readonly out: Output,
    private readonly makeBackend: () => Backend,
    /** Runs the system's ip (the drop-in's fall-through); undefined: there is none. */
    readonly handOver: HandOverHook = async () => undefined,
    /** Opens the model for a `sim` line of a batch that runs on the kernel. */
    private readonly makeModel?: () => Promise<Backend>,
  ) {}

  get backend(): Backend {
    return (this.backendInstance ??= this.makeBackend());
  }

  private modelInstance?: Backend;

  /** The model, whatever the backend: `tsnet sim` always runs on it (opened once per run). */
  async model(): Promise<Backend | undefined> {
    if (this.opts.dryRun) return this.backend;
    return (this.modelInstance ??= await this.makeModel?.());
  }

  /** The model if a `sim` line of a kernel batch opened it (for closing at exit). */
  get modelIfOpen(): Backend | undefined {
    return this.modelInstance;
  }

  /** The backend's raw rtnetlink port (links, addresses, bonds). */
  get rtnl(): Required<Pick<Backend, 'rtDump' | 'rtRequest'>> {
    const b = this.backend;
    if (!b.rtDump || !b.rtRequest) throw new Exit(1, ['tsnet: this backend does not answer link and address requests']);
    return b as Required<Pick<Backend, 'rtDump' | 'rtRequest'>>;
  }

  /** The backend if a command opened one (for closing at exit). */
  get backendIfOpen(): Backend | undefined {
    return this.backendInstance;
  }

  /** Writes one line to stderr, after whatever stdout holds, so the two stay in order. */
  err(line: string): void {
    this.out.flush();
    writeAll(2, line + '\n');
  }

  /** Forgets the link cache (after a command that adds, renames or deletes links). */
  invalidateLinks(): void {
    this.linkCache = undefined;
    this.nameCache = undefined;
    this.lastLink = undefined;
    this.pendingLinks = undefined;
  }

  /** Loads the links; `keep`: the ones already known stay as they were (ll_map.c asks only for the missing one). */
  private loadLinks(keep = false): void {
    this.takePendingLinks();
    if (!keep || !this.linkCache || !this.nameCache) {
      this.linkCache = new Map();
      this.nameCache = new Map();
    }
    for (const l of this.backend.links()) {
      if (this.linkCache.has(l.index)) continue;
      this.linkCache.set(l.index, l);
      this.nameCache.set(l.name, l);
    }
  }

  /**
   * ll_remember_index(): links seen in a listing's own dump answer later
   * name lookups (NAME@PEER, master NAME) without a second dump. A miss still
   * loads the full table.
   */
  rememberLinks(links: LinkRef[]): void {
    this.takePendingLinks();
    if (!this.linkCache) {
      this.linkCache = new Map();
      this.nameCache = new Map();
    }
    for (const l of links) {
      this.linkCache.set(l.index, l);
      this.nameCache!.set(l.name, l);
    }
    this.lastLink = undefined;
  }

  /**
   * rememberLinks() of links whose records cost something to make (a listing
   * that prints its lines from the dump's bytes): made when a lookup needs them.
   */
  rememberLinksLater(make: () => LinkRef[]): void {
    this.takePendingLinks();
    this.pendingLinks = make;
    this.lastLink = undefined;
  }

  private takePendingLinks(): void {
    const make = this.pendingLinks;
    if (!make) return;
    this.pendingLinks = undefined;
    this.rememberLinks(make());
  }

  /** ll_remember_index() of an RTM_DELLINK: the link is forgotten, so a later lookup asks the backend. */
  forgetLink(index: number): void {
    this.takePendingLinks();
    const l = this.linkCache?.get(index);
    if (!l) return;
    this.linkCache!.delete(index);
    if (this.nameCache?.get(l.name) === l) this.nameCache.delete(l.name);
    this.lastLink = undefined;
  }

  /** netns_map_init(): the nsid-to-name map made now, its refusals printed now (a live monitor does it at start). */
  netnsMapInit(): void {
    this.netnsName(-1);
  }

  /** get_name_from_nsid(): the name of the namespace the kernel knows by this nsid, or undefined. */
  netnsName(nsid: number): string | undefined {
    return this.backend.namespaceOfNsid?.(nsid, (e) => this.err(netlinkErrorLine(e)));
  }

  /** ll_name_to_index(): 0 when there is no such device. */
  nameToIndex(name: string): number {
    this.takePendingLinks();
    if (!this.nameCache) this.loadLinks();
    const l = this.nameCache!.get(name);
    if (l) return l.index;
    // ip also accepts "if<N>" for a device it knows only by number.
    const m = /^if(\d+)$/.exec(name);
    return m && this.linkCache!.has(Number(m[1])) ? Number(m[1]) : 0;
  }

  link(index: number): LinkRef | undefined {
    // Most entries of a listing share a device: remember the last answer.
    if (index === this.lastIndex && this.lastLink) return this.lastLink;
    this.takePendingLinks();
    if (!this.linkCache) this.loadLinks();
    let l = this.linkCache!.get(index);
    if (!l && index > 0) {
      this.loadLinks(true);
      l = this.linkCache!.get(index);
    }
    this.lastIndex = index;
    this.lastLink = l;
    return l;
  }

  /** ll_index_to_name(): "if<N>" for an index it cannot name. */
  indexToName(index: number): string {
    if (index === 0) return '*';
    return this.link(index)?.name ?? `if${index}`;
  }

  indexToType(index: number): number {
    return this.link(index)?.type ?? -1;
  }
}
