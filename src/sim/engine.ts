// Runs the model forward: frames cross segments, ARP is processed as
// net/ipv4/arp.c's arp_process() does, timers fire in time order, and the
// periodic work runs every 300 s. Every change is noted with its cause on
// the host's timeline (and, with --trace, on stderr as it happens).
import { AF_INET, NUD_REACHABLE, NUD_STALE } from '../backend.js';
import { parseIPv4 } from '../lib/inet.js';
import {
  ARPOP_REPLY, ARPOP_REQUEST, type ArpFrame, BROADCAST_MAC, FRAME_LEN, decodeArpFrame, describeArp, encodeArpFrame, hexDump,
  ipFromString, ipToString, isArpError, macFromString, macToString,
} from '../wire/arp.js';
import { bondTickAt, bondTicks } from './bond.js';
import { carrierOf } from './rtnl.js';
import { F_OVERRIDE, type NeighEnv, createNeighbour, eventSend, lookup, neighUpdate, periodicWork, timerFired } from './neighbour.js';
import type { Packet, SimHost, SimLink, SimNeighbour, World } from './world.js';
import { nextRandom } from './clock.js';
import { defaultWorld } from './lan.js';

/** neigh_periodic_work's period: base_reachable_time/2 of the table's defaults. */
const PERIODIC_MS = 15000;
const BROADCAST = 'ff:ff:ff:ff:ff:ff';


export class Engine {
  /** Packet sockets open on a host's link (arping): they see the frames that reach it. */
  private readonly taps = new Map<string, (bytes: Uint8Array, pkttype: number) => void>();

  constructor(readonly w: World, private readonly traceOut?: (line: string) => void) {}

  tap(host: SimHost, ifindex: number, cb: (bytes: Uint8Array, pkttype: number) => void): void {
    this.taps.set(`${host.name}/${ifindex}`, cb);
  }

  untap(host: SimHost, ifindex: number): void {
    this.taps.delete(`${host.name}/${ifindex}`);
  }

  /** Is someone reading the trace (--trace)? */
  get tracing(): boolean {
    return this.traceOut !== undefined;
  }

  /** A line for the trace only (what was asked), not an event of the timeline. */
  traceOnly(host: SimHost, text: string): void {
    this.traceOut?.(`[${(this.w.now / 1000).toFixed(3)}s] ${host.name}: ${text}`);
  }

  /** Records a line on the timeline (and the trace). */
  note(host: SimHost, text: string): void {
    const tl = this.w.timeline;
    tl.push({ t: this.w.now, host: host.name, text });
    // Keep the last 5000 events; trim in batches, not on every push.
    if (tl.length > 6000) tl.splice(0, tl.length - 5000);
    this.traceOut?.(`[${(this.w.now / 1000).toFixed(3)}s] ${host.name}: ${text}`);
  }

  env(host: SimHost): NeighEnv {
    return {
      w: this.w,
      host,
      note: (text) => this.note(host, text),
      solicit: (n, link, unicast) => this.solicit(host, n, link, unicast),
      transmit: (n, link, p) => this.transmit(host, n, link, p),
      unreachable: (p) => this.unreachable(host, p),
    };
  }

  /** An IP packet leaves `link` for `n`'s link-layer address. */
  private transmit(host: SimHost, n: SimNeighbour, link: SimLink, p: Packet): void {
    if (!link.segment || !link.carrier || link.type === 772) return;
    this.w.frames.push({
      at: this.w.now + (host.delay_ms ?? 0), segment: link.segment, from: { host: host.name, ifindex: link.index },
      bytes: '', ip: { ...p, toMac: n.lladdr ?? BROADCAST },
    });
  }

  /**
   * A locally sent packet died in a failed entry's queue: the ICMP host
   * unreachable reaches the sender through lo, which (as seen on the
   * kernel) leaves a NOARP entry for 0.0.0.0 on lo.
   */
  private unreachable(host: SimHost, p: Packet): void {
    this.note(host, `ICMP host unreachable for ${p.dst} delivered locally to ${p.src}`);
    const env = this.env(host);
    const n = lookup(host, AF_INET, 1, '0.0.0.0') ?? createNeighbour(env, AF_INET, 1, '0.0.0.0');
    n.used = this.w.now;
  }

  /** An IP packet arrives: UDP to a closed port draws an ICMP port unreachable (at most one a second per peer). */
  private receiveIp(host: SimHost, p: Packet): void {
    if (p.proto !== 'udp') return;
    host.udpIn = (host.udpIn ?? 0) + 1;
    const sent = (host.icmpSent ??= {});
    if (sent[p.src] !== undefined && this.w.now - sent[p.src] < 1000) return;
    sent[p.src] = this.w.now;
    // icmp_send() answers from the address the packet was sent to.
    this.hostSend(host, p.src, undefined, 'icmp', p.dst);
  }

  private solicit(host: SimHost, n: SimNeighbour, link: SimLink, unicast: boolean): void {
    // arp_solicit() (arp_announce 0): the source of the newest queued packet if it is ours, else inet_select_addr().
    const queued = n.queue[n.queue.length - 1]?.src;
    const src = queued && link.addresses.some((a) => a.local === queued) ? queued : sourceFor(link, n.dst);
    const f: ArpFrame = {
      ethDst: macFromString(unicast && n.lladdr ? n.lladdr : BROADCAST), ethSrc: macFromString(link.mac), op: ARPOP_REQUEST,
      sha: macFromString(link.mac), spa: ipFromString(src ?? '0.0.0.0'), tha: 0, tpa: ipFromString(n.dst),
    };
    this.send(host, link, f, `${unicast ? 'unicast' : 'broadcast'} probe ${n.probes} for ${n.dst}`);
  }

  /** Puts a frame on the link's segment; it arrives after the sender's delay. */
  send(host: SimHost, link: SimLink, f: ArpFrame, why: string): void {
    const bytes = new Uint8Array(FRAME_LEN);
    encodeArpFrame(f, bytes);
    this.note(host, `${link.name} sends ${describeArp(f)} (${why})`);
    if (this.traceOut) this.traceOut(hexDump(bytes));
    if (!link.segment || !link.carrier) return;
    this.w.frames.push({
      at: this.w.now + (host.delay_ms ?? 0), segment: link.segment, from: { host: host.name, ifindex: link.index },
      bytes: Buffer.from(bytes).toString('hex'),
    });
  }

  /** Delivers one frame to every other up link on its segment. */
  private deliver(fr: World['frames'][number]): void {
    if (fr.proxyRedo) {
      this.proxyRedo(fr);
      return;
    }
    if (fr.ip) {
      const ip = fr.ip;
      for (const host of this.w.hosts) {
        for (const link of host.links) {
          if (link.segment !== fr.segment || !link.carrier || !(link.flags & 1) || link.mac !== ip.toMac) continue;
          if (link.addresses.some((a) => a.local === ip.dst)) this.receiveIp(host, ip);
        }
      }
      return;
    }
    const bytes = Buffer.from(fr.bytes, 'hex');
    const f = decodeArpFrame(bytes);
    if (isArpError(f)) return;
    const dst = macToString(f.ethDst);
    for (const host of this.w.hosts) {
      for (const link of host.links) {
        if (link.segment !== fr.segment || !link.carrier || !(link.flags & 1)) continue;
        if (host.name === fr.from.host && link.index === fr.from.ifindex) continue;
        if (dst !== BROADCAST && dst !== link.mac) continue;
        // PACKET_HOST 0 or PACKET_BROADCAST 1, as a packet socket on the link would see it.
        this.taps.get(`${host.name}/${link.index}`)?.(bytes, dst === link.mac ? 0 : 1);
        this.arpProcess(host, link, f, dst === link.mac);
      }
    }
  }

  /**
   * arp_process(): answer requests for our address (or, as a proxy, for an
   * address routed through another device), learn or refresh the sender.
   * `enqueued`: a proxied request coming back from the proxy queue.
   */
  arpProcess(host: SimHost, link: SimLink, f: ArpFrame, pktHost: boolean, enqueued = false): void {
    const env = this.env(host);
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
      this.note(host, ignored
        ? `ARP request for ${tip} on ${link.name} not answered (${ignored})`
        : `ARP request for ${tip} on ${link.name} answered although ${tip} is on another device (arp_ignore 0: any local address)`);
    }
    if (sip === '0.0.0.0') {
      // Duplicate address detection: answer, learn nothing.
      if (local && !ignored && !host.silent) this.reply(host, link, f, tip);
      return;
    }
    if (local && ignored) return;
    if (local && !host.silent) {
      const n = lookup(host, AF_INET, link.index, sip) ?? createNeighbour(env, AF_INET, link.index, sip);
      neighUpdate(env, n, sha, NUD_STALE, F_OVERRIDE, `ARP request from ${sip} for our ${tip}`);
      this.reply(host, link, f, tip);
      return;
    }
    if (f.op === ARPOP_REQUEST && ownSender) this.note(host, `ARP request from ${sip} on ${link.name} not answered: ${sip} is our own address (martian source)`);
    if (f.op === ARPOP_REQUEST && !local && !ownSender) {
      const proxy = proxyVerdict(host, link, tip);
      if (proxy?.answer) {
        // The sender is learnt first (neigh_event_ns), whether the answer goes now or later.
        const n = lookup(host, AF_INET, link.index, sip) ?? createNeighbour(env, AF_INET, link.index, sip);
        neighUpdate(env, n, sha, NUD_STALE, F_OVERRIDE, `ARP request from ${sip} for ${tip}, which we proxy`);
        const delay = link.params.proxy_delay_ms;
        if (enqueued || pktHost || !delay) {
          const when = enqueued ? 'out of the proxy queue' : pktHost ? 'at once: unicast to us' : 'at once: proxy_delay 0';
          this.note(host, `ARP request for ${tip} on ${link.name} answered by proxy ${when} (${proxy.why})`);
          this.reply(host, link, f, tip);
        } else {
          this.proxyEnqueue(host, link, f, tip, proxy.why);
        }
        return;
      }
      if (proxy) this.note(host, `ARP request for ${tip} on ${link.name} not proxied (${proxy.why})`);
    }
    let n = lookup(host, AF_INET, link.index, sip);
    const accept = link.params.arp_accept === 1 || (link.params.arp_accept === 2 && sameSubnet(link, sip));
    const isGarp = sip === tip && (f.op !== ARPOP_REPLY || f.tha === f.sha);
    if (!n && accept && (isGarp || f.op === ARPOP_REPLY) && !ownSender) {
      n = createNeighbour(env, AF_INET, link.index, sip);
      this.note(host, `${sip} dev ${link.name}: created from ${isGarp ? 'gratuitous ARP' : 'unsolicited reply'} (arp_accept ${link.params.arp_accept})`);
    } else if (!n && isGarp) {
      this.note(host, `${sip} dev ${link.name}: gratuitous ARP ignored, no entry (${ownSender ? `${sip} is our own address` : `arp_accept ${link.params.arp_accept}`})`);
    }
    if (!n) return;
    const override = this.w.now > n.updated + link.params.locktime_ms || isGarp;
    const state = f.op === ARPOP_REPLY && pktHost ? NUD_REACHABLE : NUD_STALE;
    const why = f.op === ARPOP_REPLY
      ? (pktHost ? `ARP reply from ${sip}` : `broadcast ARP reply from ${sip}`)
      : `${isGarp ? 'gratuitous ' : ''}ARP request from ${sip}`;
    neighUpdate(env, n, sha, state, override ? F_OVERRIDE : 0, why);
  }

  /**
   * pneigh_enqueue(): a broadcast request to proxy waits a random time below
   * proxy_delay (so that the real owner, if any, answers first), then is
   * processed again; past proxy_qlen waiting requests it is dropped.
   */
  private proxyEnqueue(host: SimHost, link: SimLink, f: ArpFrame, tip: string, why: string): void {
    const p = link.params;
    const waiting = this.w.frames.filter((x) => x.proxyRedo?.host === host.name && x.proxyRedo.ifindex === link.index).length;
    if (waiting > p.proxy_qlen) {
      this.note(host, `ARP request for ${tip} on ${link.name} dropped: ${waiting} already wait in the proxy queue (proxy_qlen ${p.proxy_qlen})`);
      return;
    }
    const wait = Math.floor(nextRandom(this.w) * p.proxy_delay_ms);
    const bytes = new Uint8Array(FRAME_LEN);
    encodeArpFrame(f, bytes);
    this.w.frames.push({
      at: this.w.now + wait, segment: link.segment ?? '', from: { host: host.name, ifindex: link.index },
      bytes: Buffer.from(bytes).toString('hex'), proxyRedo: { host: host.name, ifindex: link.index },
    });
    this.note(host, `ARP request for ${tip} on ${link.name} to be answered by proxy in ${wait}ms (${why}; broadcast, so a random delay below proxy_delay ${p.proxy_delay_ms}ms)`);
  }

  /** neigh_proxy_process(): a queued request is processed again, if its device still runs. */
  private proxyRedo(fr: World['frames'][number]): void {
    const host = this.w.hosts.find((h) => h.name === fr.proxyRedo!.host);
    const link = host?.links.find((l) => l.index === fr.proxyRedo!.ifindex);
    if (!host || !link || !(link.flags & 1)) return;
    const f = decodeArpFrame(Buffer.from(fr.bytes, 'hex'));
    if (!isArpError(f)) this.arpProcess(host, link, f, false, true);
  }

  private reply(host: SimHost, link: SimLink, req: ArpFrame, tip: string): void {
    const f: ArpFrame = {
      ethDst: req.sha, ethSrc: macFromString(link.mac), op: ARPOP_REPLY, sha: macFromString(link.mac), spa: ipFromString(tip),
      tha: req.sha, tpa: req.spa,
    };
    this.send(host, link, f, `reply to ${ipToString(req.spa)}`);
  }

  /** The earliest pending event: a frame, a neighbour timer, or the periodic work. */
  nextEventAt(): number {
    let t = this.w.periodicAt;
    for (const f of this.w.frames) if (f.at < t) t = f.at;
    for (const h of this.w.hosts) for (const n of h.neighbours) if (n.timer !== undefined && n.timer < t) t = n.timer;
    for (const h of this.w.hosts) t = Math.min(t, bondTickAt(h));
    return t;
  }

  /** Runs every event up to and including time `t`, then sets the clock to `t`. */
  advanceTo(t: number): void {
    for (;;) {
      const at = this.nextEventAt();
      if (at > t) break;
      this.w.now = Math.max(this.w.now, at);
      const due = this.w.frames.filter((f) => f.at <= this.w.now);
      if (due.length) {
        this.w.frames = this.w.frames.filter((f) => f.at > this.w.now);
        for (const f of due) this.deliver(f);
        continue;
      }
      let fired = false;
      for (const h of this.w.hosts) {
        for (const n of [...h.neighbours]) {
          if (n.timer !== undefined && n.timer <= this.w.now) {
            timerFired(this.env(h), n);
            fired = true;
          }
        }
      }
      for (const h of this.w.hosts) {
        if (bondTickAt(h) > this.w.now) continue;
        // The bonds' MII monitor; a failover's gratuitous ARPs leave by the new active slave.
        bondTicks({ w: this.w, host: h, note: (text) => this.note(h, text), send: (l, f, why) => this.send(h, l, f, why), carrier: (l) => carrierOf(this.w, h, l) });
        fired = true;
      }
      if (!fired && this.w.periodicAt <= this.w.now) {
        for (const h of this.w.hosts) periodicWork(this.env(h));
        this.w.periodicAt = this.w.now + PERIODIC_MS;
      }
    }
    this.w.now = Math.max(this.w.now, t);
  }

  /**
   * The host sends one packet to `dst`: the connected route or the default
   * gateway picks the neighbour, which then meets neigh_event_send().
   */
  hostSend(host: SimHost, dst: string, devName?: string, proto: Packet['proto'] = 'udp', from?: string): string {
    const route = routeFor(host, dst, devName);
    if (!route) return `${dst}: no route (Network is unreachable)`;
    const env = this.env(host);
    const n = lookup(host, AF_INET, route.link.index, route.via) ?? createNeighbour(env, AF_INET, route.link.index, route.via);
    const src = from ?? sourceFor(route.link, dst) ?? '0.0.0.0';
    const r = eventSend(env, n, { src, dst, proto });
    const text = `${proto === 'udp' ? 'UDP packet' : 'ICMP port unreachable'} to ${dst}${route.via !== dst ? ` via ${route.via}` : ''} dev ${route.link.name}: ${r}`;
    this.note(host, text);
    return text;
  }

  /**
   * MSG_CONFIRM (what TCP's forward progress does too): the sender vouches
   * that the path to `dst` works, so an existing entry for the next hop is
   * confirmed now (dst_confirm_neigh); a DELAY entry then goes back to
   * REACHABLE when its timer fires, without a probe.
   */
  confirmNeighbour(host: SimHost, dst: string, devName?: string): void {
    const route = routeFor(host, dst, devName);
    const n = route && lookup(host, AF_INET, route.link.index, route.via);
    if (!n) return;
    n.confirmed = this.w.now;
    this.note(host, `${n.dst} dev ${route.link.name}: confirmed by the sender (MSG_CONFIRM)`);
  }

  /** A peer announces its address (as arping -U does): a gratuitous ARP request. */
  garp(host: SimHost, link: SimLink, addr: string, reply = false): void {
    const f: ArpFrame = {
      ethDst: BROADCAST_MAC, ethSrc: macFromString(link.mac), op: reply ? ARPOP_REPLY : ARPOP_REQUEST,
      sha: macFromString(link.mac), spa: ipFromString(addr), tha: reply ? macFromString(link.mac) : BROADCAST_MAC, tpa: ipFromString(addr),
    };
    this.send(host, link, f, `gratuitous ARP ${reply ? 'reply' : 'request'} for ${addr}`);
  }
}

/**
 * The world a first `tsnet --dry-run` finds: the default topology, where the
 * host has just talked to its gateway (so its table is not empty).
 */
export function startingWorld(seed = 1): World {
  const w = defaultWorld(seed);
  const e = new Engine(w);
  e.hostSend(w.hosts[0], '10.0.0.1');
  e.advanceTo(1);
  return w;
}

function toNum(a: string): number {
  const b = parseIPv4(a)!;
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

function inSubnet(addr: string, local: string, plen: number): boolean {
  if (plen === 0) return true;
  const mask = plen >= 32 ? 0xffffffff : (~((1 << (32 - plen)) - 1)) >>> 0;
  return ((toNum(addr) & mask) >>> 0) === ((toNum(local) & mask) >>> 0);
}

function sameSubnet(link: SimLink, addr: string): boolean {
  return link.addresses.some((a) => a.family === AF_INET && inSubnet(addr, a.local, a.prefixlen));
}

/** The source address the kernel would pick on `link` for `dst` (inet_select_addr: same subnet first). */
export function sourceFor(link: SimLink, dst: string): string | undefined {
  const v4 = link.addresses.filter((a) => a.family === AF_INET && !a.secondary);
  return (v4.find((a) => inSubnet(dst, a.local, a.prefixlen)) ?? v4[0])?.local;
}

/** The longest prefix of `link`'s connected subnets that holds `addr` (-1: none). */
function prefixFor(link: SimLink, addr: string): number {
  let best = -1;
  for (const a of link.addresses) if (a.family === AF_INET && a.prefixlen > best && inSubnet(addr, a.local, a.prefixlen)) best = a.prefixlen;
  return best;
}

export function routeFor(host: SimHost, dst: string, devName?: string): { link: SimLink; via: string } | undefined {
  const links = host.links.filter((l) => l.type !== 772 && l.flags & 1 && (!devName || l.name === devName));
  // The most specific connected route wins, as in the FIB.
  let direct: SimLink | undefined, longest = -1;
  for (const l of links) {
    const plen = prefixFor(l, dst);
    if (plen > longest) [direct, longest] = [l, plen];
  }
  if (direct) return { link: direct, via: dst };
  if (devName && links[0]) return { link: links[0], via: dst };
  if (host.gateway) {
    const gw = links.find((l) => sameSubnet(l, host.gateway!));
    if (gw) return { link: gw, via: host.gateway };
  }
  return undefined;
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
  const route = routeFor(host, tip);
  if (!route) return { answer: false, why: `${reason}, but there is no route to ${tip}` };
  if (isSubnetBroadcast(route.link, tip)) return { answer: false, why: `${reason}, but ${tip} is a broadcast address` };
  if (route.link === link) return { answer: false, why: `${reason}, but the route to ${tip} leaves through ${link.name} itself` };
  return { answer: true, why: `${reason}, route to ${tip} via ${route.link.name}` };
}

function isSubnetBroadcast(link: SimLink, addr: string): boolean {
  return link.addresses.some((a) => a.family === AF_INET && a.prefixlen < 31 && inSubnet(addr, a.local, a.prefixlen) &&
    ((toNum(addr) | ((1 << (32 - a.prefixlen)) - 1)) >>> 0) === toNum(addr));
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
