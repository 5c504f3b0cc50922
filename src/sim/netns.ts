// The model's network namespaces: its hosts. "host" is the machine tsnet
// runs on (the initial namespace, which has no name under /run/netns); every
// other host is a named namespace, as `ip netns add` would have made it.
// `netns add` makes an empty one (lo only, down, as net/core/net_namespace.c
// and loopback_net_init() leave a new namespace), `netns del` removes one
// with its links. The model assigns no nsids and has no processes: `set`,
// `attach`, `identify` and `pids` say so and fail.
import type { Backend, NetnsPort, RtMessage, RtRequest } from '../backend.js';
import { NetlinkError } from '../backend.js';
import { EEXIST, EINVAL, ENOENT, EOPNOTSUPP, strerror } from '../errno.js';
import { IFF_LOOPBACK, NETNSA_NSID, NETNSA_TARGET_NSID, RTM_GETNSID, RTM_NEWNSID } from '../wire/rtnl-constants.js';
import { drawReachableTime } from './clock.js';
import { findHost } from './lan.js';
import { DEFAULT_PARAMS } from './neighbour.js';
import type { SimHost, World } from './world.js';

/** The name the kernel's messages give the directory (ip's NETNS_RUN_DIR). */
const RUN_DIR = '/run/netns';
/** The host that stands for the initial namespace. */
export const INIT_HOST = 'host';

/** A new namespace as the kernel makes it: lo, down, no addresses, never up (qdisc noop). */
export function emptyNamespace(w: World, name: string): SimHost {
  return {
    name, neighbours: [], proxies: [],
    links: [{
      index: 1, name: 'lo', type: 772, mac: '00:00:00:00:00:00', broadcast: '00:00:00:00:00:00', flags: IFF_LOOPBACK, mtu: 65536,
      carrier: true, addresses: [], params: { ...DEFAULT_PARAMS }, reachable_time_ms: drawReachableTime(w, DEFAULT_PARAMS.base_reachable_time_ms),
    }],
  };
}

/** What the port needs of the backend it belongs to. */
export interface ModelSession {
  readonly world: World;
  /** Notes a change (the state file is saved). */
  changed(): void;
  /** A backend on another host of the same model. */
  hostBackend(name: string): Backend;
}

const noModel = (what: string) => `tsnet --dry-run: the model has no processes; "netns ${what}" has nothing to act on`;

export class SimNetns implements NetnsPort {
  constructor(private readonly s: ModelSession) {}

  names(): string[] {
    return this.s.world.hosts.filter((h) => h.name !== INIT_HOST).map((h) => h.name);
  }

  nsidOf(): number {
    return -1;
  }

  add(name: string, pid: number | undefined, err: (line: string) => void): boolean {
    if (pid !== undefined) {
      err(noModel('attach'));
      return false;
    }
    const w = this.s.world;
    if (findHost(w, name)) {
      err(`Cannot create namespace file "${RUN_DIR}/${name}": ${strerror(EEXIST)}`);
      return false;
    }
    w.hosts.push(emptyNamespace(w, name));
    this.s.changed();
    return true;
  }

  remove(name: string, err: (line: string) => void): boolean {
    const w = this.s.world;
    const h = name === INIT_HOST ? undefined : findHost(w, name);
    if (!h) {
      err(`Cannot remove namespace file "${RUN_DIR}/${name}": ${strerror(ENOENT)}`);
      return false;
    }
    // cleanup_net(): its devices go with it; frames it had sent are not delivered.
    w.hosts.splice(w.hosts.indexOf(h), 1);
    w.frames = w.frames.filter((f) => f.from.host !== name && f.proxyRedo?.host !== name);
    this.s.changed();
    return true;
  }

  setNsid(name: string, _nsid: number, err: (line: string) => void): boolean {
    if (name === INIT_HOST || !findHost(this.s.world, name)) {
      err(`Cannot open network namespace "${name}": ${strerror(ENOENT)}`);
      return false;
    }
    throw new NetlinkError(EOPNOTSUPP, 'the model assigns no nsids');
  }

  identify(_pid: string, err: (line: string) => void): undefined {
    err(noModel('identify'));
    return undefined;
  }

  pids(_name: string, err: (line: string) => void): undefined {
    err(noModel('pids'));
    return undefined;
  }

  exec(): 'setup' {
    // The front runs tsnet commands through modelHost(); nothing else runs on the model.
    return 'setup';
  }

  modelHost(name: string, err: (line: string) => void): Backend | undefined {
    if (!findHost(this.s.world, name)) {
      err(`Cannot open network namespace "${name}": ${strerror(ENOENT)}`);
      return undefined;
    }
    return this.s.hostBackend(name);
  }
}

/**
 * RTM_GETNSID and RTM_NEWNSID on the model: no namespace has an nsid, so a
 * dump is empty and a lookup by nsid finds none (the kernel's answers then).
 */
export function nsidRequest(req: RtRequest, dump: boolean): RtMessage[] {
  const has = (type: number) => req.attrs.some((a) => a.type === type);
  if (has(NETNSA_TARGET_NSID)) throw new NetlinkError(EINVAL, 'Invalid target network namespace id');
  if (req.type === RTM_NEWNSID) throw new NetlinkError(EOPNOTSUPP, 'the model assigns no nsids');
  if (dump) return [];
  throw new NetlinkError(has(NETNSA_NSID) ? ENOENT : EINVAL, 'Peer netns reference is invalid');
}

export const isNsidRequest = (req: RtRequest) => req.type === RTM_GETNSID || req.type === RTM_NEWNSID;
