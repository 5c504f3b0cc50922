// What the object registry (registry.ts) knows about each object: one module
// per object under objects/ fills an IpObject. Dispatch, -batch, `tsnet help`,
// shell completion and the oclif command classes all read the registry, so a
// new object is its module plus one registry line.
import type { Context } from './context.js';

/**
 * What completion offers after a keyword or at a positional word: fixed
 * words, or a list looked up when asked (the backend's devices, the network
 * namespaces or the model's hosts, the model's hosts but the one -n names
 * (`peers`: what `sim peer del` may remove), rt_protocols, the link kinds of
 * src/ip/kinds), or `free` (a value nothing can guess: an address, a number).
 */
export type Values = readonly string[] | 'devices' | 'namespaces' | 'peers' | 'protocols' | 'linkKinds' | 'free';

/** One verb's words for completion: each keyword with what follows it (null: nothing, a flag). */
export interface Verb {
  keywords: Readonly<Record<string, Values | null>>;
  /** What the verb's non-keyword words can be, in order (`sim set DEV PARAM`). */
  args?: readonly Values[];
  /** Its own verbs, one of which comes next (`sim peer add`); then keywords and args are theirs. */
  sub?: Readonly<Record<string, Verb>>;
}

export interface IpObject {
  /** Its names in ip.c's cmds[] spelling (`neighbor`, `neighbour`); `tsnet help` lists them. */
  names: readonly string[];
  /** The name of its oclif command (`tsnet neigh`). */
  command: string;
  /** One line for the oclif command list. */
  summary: string;
  /** The command line's shape, for oclif's help. */
  synopsis: string;
  /** tsnet extension: global options may also follow the object word. False: every word is the object's (arping). */
  optionsAfter: boolean;
  /** Always runs on the model (--dry-run implied). */
  modelOnly?: boolean;
  /** Completion's grammar: verb -> keywords; an object without verbs has the one verb ''. */
  verbs: Readonly<Record<string, Verb>>;
  /** Runs the words after the object; loads the object's code on first use (onUse). */
  run: Runner;
}

export type Runner = (ctx: Context, words: string[]) => number | Promise<number>;

/**
 * An object's runner that loads its module on first use and keeps it: a
 * batch of 10,000 lines asks the module loader once, and once loaded a
 * synchronous command's line runs without a promise.
 */
export function onUse<M>(load: () => Promise<M>, runner: (m: M) => Runner): Runner {
  let run: Runner | undefined;
  return (ctx, words) => (run ? run(ctx, words) : load().then((m) => (run ??= runner(m))(ctx, words)));
}

/** A command outside ip's grammar (`completion`): it takes the whole command line, before any global option. */
export interface RawCommand {
  names: readonly string[];
  command: string;
  summary: string;
  synopsis: string;
  run(argv: string[], env: CompletionEnv): Promise<number>;
}

/** What completion may ask the system or the model, through the front's port. */
export interface CompletionEnv {
  /** Device names of the backend these options select (kernel, a netns, or the model). */
  devices(options: string[]): string[];
  /** Network namespace names (/run/netns), or under --dry-run the model's hosts. */
  namespaces(options: string[]): string[];
}
