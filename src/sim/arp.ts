// ARP as net/ipv4/arp.c does it: arp_process() answers requests for a local
// address (arp_ignore decides which device answers), answers for others as
// a proxy (proxy_arp or a proxy entry, forwarding on, a route out of another
// device; a broadcast request waits in the proxy queue, pneigh_enqueue()),
// learns or refreshes the sender (arp_accept decides whether a gratuitous
// ARP creates an entry); arp_solicit() sends the probes the neighbour
// state machine asks for. Frames leave through env.send (engine.ts).
import { AF_INET, NUD_REACHABLE, NUD_STALE, RTN_BROADCAST, RTN_UNICAST } from '../wire/rtnl-constants.js';
import {
  ARPOP_REPLY, ARPOP_REQUEST, type ArpFrame, FRAME_LEN, encodeArpFrame, ipFromString, ipToString, macFromString, macToString,
} from '../wire/arp.js';
import { nextRandom } from './clock.js';
import { F_OVERRIDE, type NeighEnv, countedLookup, lookup, lookupOrCreate, neighUpdate } from './neighbour.js';
import { describeRoute, fibLookup } from './fib.js';
import { inSubnet, sameSubnet, sourceFor } from './route.js';
import type { SimHost, SimLink, SimNeighbour } from './world.js';
import type { Where } from './kfn.js';

const BROADCAST = 'ff:ff:ff:ff:ff:ff';

/** What ARP needs of the model: the neighbour table's env, and a way to put a frame on a link's segment. */
export interface ArpEnv extends NeighEnv {
  send(link: SimLink, f: ArpFrame, why: string, fn: Where): void;
}

/** arp_solicit(): a request for `n`, broadcast or (PROBE) unicast to its address. */
export function arpSolicit(env: ArpEnv, n: SimNeighbour, link: SimLink, unicast: boolean, what: string): void {
  // arp_solicit() (arp_announce 0): the source of the newest queued packet if it is ours, else inet_select_addr().
  const queued = n.queue[n.queue.length - 1]?.src;
  const src = queued && link.addresses.some((a) => a.local === queued) ? queued : sourceFor(link, n.dst);
  const f: ArpFrame = {
    ethDst: macFromString(unicast && n.lladdr ? n.lladdr : BROADCAST), ethSrc: macFromString(link.mac), op: ARPOP_REQUEST,
    sha: macFromString(link.mac), spa: ipFromString(src ?? '0.0.0.0'), tha: 0, tpa: ipFromString(n.dst),
  };
  env.send(link, f, what, ['neigh_probe', 'arp_solicit']);
}

/**
 * arp_process(): answer requests for our address (or, as a proxy, for an
 * address routed through another device), learn or refresh the sender.
 * `enqueued`: a proxied request coming back from the proxy queue.
 */
export function arpProcess(env: ArpEnv, link: SimLink, f: ArpFrame, pktHost: boolean, enqueued = false): void {
  const host = env.host;
  const sip = ipToString(f.spa), tip = ipToString(f.tpa);
  const sha = macToString(f.sha);
  // tip is local (RTN_LOCAL) when any device of the host has it; arp_ignore then decides
  // whether this device answers for it.
  const ownSender = isLocalAddress(host, sip);
  // A request whose sender is one of our own addresses fails ip_route_input() (a martian
  // source, accept_local 0): no answer and no proxy answer, only an existing entry is updated.
  const local = f.op === ARPOP_REQUEST && !tip.startsWith('127.') && !ownSender && isLocalAddress(host, tip);
  const ignored = local ? arpIgnore(link, sip, tip) : undefined;
  // Say so when arp_ignore makes a difference: a request left unanswered, or answered for another device's address.
  if (local && (ignored || !onLink(link, tip))) {
    env.note(ignored
      ? `ARP request for ${tip} on ${link.name} not answered (${ignored})`
      : `ARP request for ${tip} on ${link.name} answered although ${tip} is on another device (arp_ignore 0: any local address)`, ['arp_process', 'arp_ignore']);
  }
  if (sip === '0.0.0.0') {
    // Duplicate address detection: answer, learn nothing.
    if (local && !ignored && !host.silent) arpReply(env, link, f, tip);
    return;
  }
  if (local && ignored) return;
  if (local && host.silent) env.explain?.(`ARP request for ${tip} from ${sip} on ${link.name} not answered: this host is silent (sim peer silent, as arp_ignore 8)`, 'arp_process');
  if (local && !host.silent) {
    // neigh_event_ns(): a counted lookup; without an entry (a full table) no answer goes.
    const n = lookupOrCreate(env, AF_INET, link.index, sip);
    if (!n) return;
    neighUpdate(env, n, sha, NUD_STALE, F_OVERRIDE, `ARP request from ${sip} for our ${tip}`, ['arp_process', 'neigh_event_ns']);
    arpReply(env, link, f, tip);
    return;
  }
  if (f.op === ARPOP_REQUEST && ownSender) env.note(`ARP request from ${sip} on ${link.name} not answered: ${sip} is our own address (martian source)`, 'arp_process');
  if (f.op === ARPOP_REQUEST && !local && !ownSender) {
    const proxy = proxyVerdict(host, link, tip);
    if (proxy?.answer) {
      // The sender is learnt first (neigh_event_ns), whether the answer goes now or later.
      const n = lookupOrCreate(env, AF_INET, link.index, sip);
      if (n) neighUpdate(env, n, sha, NUD_STALE, F_OVERRIDE, `ARP request from ${sip} for ${tip}, which we proxy`, ['arp_process', 'neigh_event_ns']);
      const delay = link.params.proxy_delay_ms;
      if (enqueued || pktHost || !delay) {
        const when = enqueued ? 'out of the proxy queue' : pktHost ? 'at once: unicast to us' : 'at once: proxy_delay 0';
        env.note(`ARP request for ${tip} on ${link.name} answered by proxy ${when} (${proxy.why})`, enqueued ? ['neigh_proxy_process', 'parp_redo', 'arp_process'] : 'arp_process');
        arpReply(env, link, f, tip);
      } else {
        proxyEnqueue(env, link, f, tip, proxy.why);
      }
      return;
    }
    if (proxy) env.note(`ARP request for ${tip} on ${link.name} not proxied (${proxy.why})`, 'arp_process');
    else if (!host.silent) {
      const known = lookup(host, AF_INET, link.index, sip);
      env.explain?.(`ARP request for ${tip} from ${sip} on ${link.name} not answered: ${tip} is not a local address, ` +
        `proxy_arp ${link.params.proxy_arp} and no proxy entry for it${known ? `; only our entry for ${sip} is refreshed` : ''}`, 'arp_process');
    }
  }
  // __neigh_lookup(creat 0), then a second one that creates when arp_accept lets the frame make an entry.
  let n = countedLookup(env, AF_INET, link.index, sip);
  const accept = link.params.arp_accept === 1 || (link.params.arp_accept === 2 && sameSubnet(link, sip));
  const isGarp = sip === tip && (f.op !== ARPOP_REPLY || f.tha === f.sha);
  if (!n && accept && (isGarp || f.op === ARPOP_REPLY) && !ownSender) {
    n = lookupOrCreate(env, AF_INET, link.index, sip);
    if (!n) return;
    env.note(`${sip} dev ${link.name}: created from ${isGarp ? 'gratuitous ARP' : 'unsolicited reply'} (arp_accept ${link.params.arp_accept})`, 'arp_process');
  } else if (!n && isGarp) {
    env.note(`${sip} dev ${link.name}: gratuitous ARP ignored, no entry (${ownSender ? `${sip} is our own address` : `arp_accept ${link.params.arp_accept}`})`, 'arp_process');
  }
  if (!n) return;
  const withinLocktime = env.w.now <= n.updated + link.params.locktime_ms;
  const override = !withinLocktime || isGarp;
  if (isGarp && withinLocktime && n.lladdr !== undefined && n.lladdr !== sha) {
    env.note(`${sip} dev ${link.name}: gratuitous ARP overrides ${n.lladdr} although the entry was updated ${+(env.w.now - n.updated).toFixed(3)}ms ago, ` +
      `within locktime ${link.params.locktime_ms}ms (arp_is_garp: a gratuitous ARP always may)`, ['arp_process', 'arp_is_garp']);
  }
  const state = f.op === ARPOP_REPLY && pktHost ? NUD_REACHABLE : NUD_STALE;
  const why = f.op === ARPOP_REPLY
    ? (pktHost ? `ARP reply from ${sip}` : `broadcast ARP reply from ${sip}`)
    : `${isGarp ? 'gratuitous ' : ''}ARP request from ${sip}`;
  neighUpdate(env, n, sha, state, override ? F_OVERRIDE : 0, why, 'arp_process');
}

/**
 * pneigh_enqueue(): a broadcast request to proxy waits a random time below
 * proxy_delay (so that the real owner, if any, answers first), then is
 * processed again; past proxy_qlen waiting requests it is dropped.
 */
function proxyEnqueue(env: ArpEnv, link: SimLink, f: ArpFrame, tip: string, why: string): void {
  const host = env.host;
  const p = link.params;
  const waiting = env.w.frames.filter((x) => x.proxyRedo?.host === host.name && x.proxyRedo.ifindex === link.index).length;
  if (waiting > p.proxy_qlen) {
    env.note(`ARP request for ${tip} on ${link.name} dropped: ${waiting} already wait in the proxy queue (proxy_qlen ${p.proxy_qlen})`, 'pneigh_enqueue');
    return;
  }
  const wait = Math.floor(nextRandom(env.w) * p.proxy_delay_ms);
  const bytes = new Uint8Array(FRAME_LEN);
  encodeArpFrame(f, bytes);
  env.w.frames.push({
    at: env.w.now + wait, segment: link.segment ?? '', from: { host: host.name, ifindex: link.index },
    bytes: Buffer.from(bytes).toString('hex'), proxyRedo: { host: host.name, ifindex: link.index },
  });
  env.note(`ARP request for ${tip} on ${link.name} to be answered by proxy in ${wait}ms (${why}; broadcast, so a random delay below proxy_delay ${p.proxy_delay_ms}ms)`, ['arp_process', 'pneigh_enqueue']);
}

function arpReply(env: ArpEnv, link: SimLink, req: ArpFrame, tip: string): void {
  const f: ArpFrame = {
    ethDst: req.sha, ethSrc: macFromString(link.mac), op: ARPOP_REPLY, sha: macFromString(link.mac), spa: ipFromString(tip),
    tha: req.sha, tpa: req.spa,
  };
  env.send(link, f, `reply to ${ipToString(req.spa)}`, ['arp_process', 'arp_send_dst']);
}

/**
 * Would the host answer a request for the non-local `tip` arriving on
 * `link` as a proxy (arp_process after ip_route_input)? Undefined when no
 * proxying applies at all (no proxy entry for tip, proxy_arp off), else the
 * verdict and why. It needs forwarding on the receiving device, a unicast
 * route to tip, leaving through another device, and proxy_arp on the
 * receiving device or a proxy entry (`neigh add proxy`) for tip on it.
 */
export function proxyVerdict(host: SimHost, link: SimLink, tip: string): { answer: boolean; why: string } | undefined {
  const p = link.params;
  const entry = host.proxies.find((x) => x.family === AF_INET && x.dst === tip && (x.ifindex === 0 || x.ifindex === link.index));
  if (!entry && !p.proxy_arp) return undefined;
  const reason = p.proxy_arp ? `proxy_arp on ${link.name}` : `proxy entry ${tip} dev ${link.name}`;
  if (!p.forwarding) return { answer: false, why: `${reason}, but forwarding is off on ${link.name}` };
  // ip_route_input(tip) from this device: a unicast route, out of another device (__mkroute_input refuses
  // an ARP request routed back out of the device it came in on).
  const route = fibLookup(host, AF_INET, tip);
  if (!route) return { answer: false, why: `${reason}, but there is no route to ${tip}` };
  const out = host.links.find((l) => l.index === route.oif);
  if (route.type === RTN_BROADCAST) return { answer: false, why: `${reason}, but ${tip} is a broadcast address` };
  if (route.type !== RTN_UNICAST) return { answer: false, why: `${reason}, but the route to ${tip} is not unicast (${describeRoute(host, route)})` };
  if (!out || out === link) return { answer: false, why: `${reason}, but the route to ${tip} leaves through ${link.name} itself` };
  return { answer: true, why: `${reason}, route to ${tip} via ${out.name}` };
}

function isLocalAddress(host: SimHost, addr: string): boolean {
  return host.links.some((l) => onLink(l, addr));
}

function onLink(link: SimLink, tip: string): boolean {
  return link.addresses.some((a) => a.family === AF_INET && a.local === tip);
}

/**
 * arp_ignore(): why this device does not answer a request for a local
 * address, or undefined when it does. 0: any local address; 1: only an
 * address of this device; 2: also the sender in that address's subnet.
 */
function arpIgnore(link: SimLink, sip: string, tip: string): string | undefined {
  const mode = link.params.arp_ignore;
  if (mode === 0) return undefined;
  if (mode >= 8) return `arp_ignore ${mode}: no replies`;
  if (mode === 1 || mode === 2) {
    const a = link.addresses.find((x) => x.family === AF_INET && x.local === tip);
    if (!a) return `arp_ignore ${mode}: ${tip} is not on ${link.name}`;
    if (mode === 2 && !inSubnet(sip, tip, a.prefixlen)) return `arp_ignore 2: sender ${sip} is not in ${tip}/${a.prefixlen}`;
  }
  return undefined;
}
