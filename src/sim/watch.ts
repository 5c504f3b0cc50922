// `tsnet --dry-run monitor`: the model's notifications. Each tsnet command is
// its own process, so the monitor watches the state file: when another run
// saves a new world, the difference from the last one becomes the messages
// the kernel would have multicast (RTM_NEWLINK/DELLINK, NEWADDR/DELADDR,
// NEWNEIGH/DELNEIGH), printed by ip monitor's printers. Changes made within
// one command are seen as their end result; `tsnet sim timeline` has every step.
import { statSync } from 'node:fs';
import type { MonitorEvent, MonitorTopics, Neighbour, Watch } from '../backend.js';
import {
  AF_INET, AF_INET6, IFA_CACHEINFO, IFLA_CARRIER_CHANGES, IFLA_STATS64, NUD_FAILED, RTM_DELADDR, RTM_DELLINK, RTM_DELNEIGH,
  RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH,
} from '../wire/rtnl-constants.js';
import { addrMessage, linkMessage } from './rtnetlink.js';
import type { SimHost, World } from './world.js';
import { findHost } from './lan.js';

const POLL_MS = 100;

interface Snapshot {
  links: Map<number, { key: string; event: MonitorEvent; del: MonitorEvent }>;
  addrs: Map<string, { key: string; event: MonitorEvent; del: MonitorEvent }>;
  neigh: Map<string, { key: string; event: MonitorEvent; del: MonitorEvent }>;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** What a host shows now, as the messages that would describe each object. */
function snapshot(w: World, h: SimHost, neighbour: (w: World, n: SimHost['neighbours'][number]) => Neighbour): Snapshot {
  const s: Snapshot = { links: new Map(), addrs: new Map(), neigh: new Map() };
  for (const l of h.links) {
    const m = linkMessage(w, h, l);
    // Counters and timers aside, a link message changes when the link does.
    const key = [...m.attrs].filter(([t]) => t !== IFLA_STATS64 && t !== IFLA_CARRIER_CHANGES).map(([t, v]) => `${t}:${hex(v)}`).join(' ') + hex(m.header);
    s.links.set(l.index, { key, event: { object: 'link', msgType: RTM_NEWLINK, message: m }, del: { object: 'link', msgType: RTM_DELLINK, message: linkMessage(w, h, l, RTM_DELLINK) } });
    for (const a of l.addresses) {
      const am = addrMessage(w, l, a);
      const id = `${l.index}|${a.family}|${a.local}|${a.prefixlen}`;
      const akey = hex(am.header) + [...am.attrs].filter(([t]) => t !== IFA_CACHEINFO).map(([t, v]) => `${t}:${hex(v)}`).join(' ');
      s.addrs.set(id, { key: akey, event: { object: 'addr', msgType: RTM_NEWADDR, message: am }, del: { object: 'addr', msgType: RTM_DELADDR, message: addrMessage(w, l, a, RTM_DELADDR) } });
    }
  }
  for (const n of h.neighbours) {
    const e = neighbour(w, n);
    const id = `${n.family}|${n.ifindex}|${n.dst}`;
    // An entry is deleted through FAILED (neigh_delete), so RTM_DELNEIGH reports it FAILED, without lladdr.
    s.neigh.set(id, { key: `${n.state}|${n.lladdr ?? ''}|${n.flags}|${n.flagsExt}|${n.protocol}`, event: { object: 'neigh', msgType: RTM_NEWNEIGH, neighbour: e }, del: { object: 'neigh', msgType: RTM_DELNEIGH, neighbour: { ...e, dst: e.dst, state: NUD_FAILED, lladdr: undefined, lladdrText: undefined } } });
  }
  return s;
}

function diff<T extends { key: string; event: MonitorEvent; del: MonitorEvent }>(a: Map<string | number, T>, b: Map<string | number, T>, out: MonitorEvent[]): void {
  for (const [id, now] of b) if (a.get(id)?.key !== now.key) out.push(now.event);
  for (const [id, was] of a) if (!b.has(id)) out.push(was.del);
}

/**
 * Polls the state file; on each new version, reports what changed on the
 * host. `reload` reads the saved world (the writer renames into place, so a
 * read never sees half a file).
 */
export function watchModel(
  file: string, hostName: string, first: World, reload: () => World, topics: MonitorTopics,
  neighbour: (w: World, n: SimHost['neighbours'][number]) => Neighbour, each: (e: MonitorEvent) => void,
): Watch {
  const host = (w: World) => findHost(w, hostName);
  let last = snapshot(first, host(first)!, neighbour);
  const mtime = () => {
    try {
      return statSync(file).mtimeMs;
    } catch {
      return 0;
    }
  };
  let seen = mtime();
  let finish!: () => void;
  const done = new Promise<void>((resolve) => { finish = resolve; });
  const timer = setInterval(() => {
    const t = mtime();
    if (t === seen) return;
    seen = t;
    let w: World;
    try {
      w = reload();
    } catch {
      return; // a state being replaced; the next poll reads it
    }
    const h = host(w);
    if (!h) return;
    const next = snapshot(w, h, neighbour);
    const events: MonitorEvent[] = [];
    if (topics.link) diff(last.links, next.links, events);
    if (topics.addr4 || topics.addr6) {
      const addrEvents: MonitorEvent[] = [];
      diff(last.addrs, next.addrs, addrEvents);
      for (const e of addrEvents) {
        const fam = e.object === 'addr' ? e.message.header[0] : 0;
        if ((fam === AF_INET && topics.addr4) || (fam === AF_INET6 && topics.addr6)) events.push(e);
      }
    }
    if (topics.neigh) diff(last.neigh, next.neigh, events);
    last = next;
    for (const e of events) each(e);
  }, POLL_MS);
  return { done, stop: () => { clearInterval(timer); finish(); } };
}
