// Runs the model forward on its virtual clock: frames cross segments (ARP
// goes to arp.ts's arp_process(), IP to the host it is for), neighbour
// timers and the bonds' MII monitor fire in time order, and the periodic
// work runs every 15 s. Every change is noted with its cause on the host's
// timeline (and, with --trace, on stderr as it happens).
import { AF_INET, IFF_SLAVE } from '../wire/rtnl-constants.js';
import { NetlinkError } from '../backend.js';
import {
  ARPOP_REPLY, ARPOP_REQUEST, type ArpFrame, BROADCAST_MAC, FRAME_LEN, decodeArpFrame, describeArp, encodeArpFrame, hexDump,
  ipFromString, isArpError, macFromString, macToString,
} from '../wire/arp.js';
import { type ArpEnv, arpProcess, arpSolicit } from './arp.js';
import { bondTickAt, bondTicks } from './bond.js';
import { arpTickAt, arpTicks, bondRecvProbe } from './bond-arpmon.js';
import { carrierOf } from './dev.js';
import { createNeighbour, eventSend, lookup, packetFate, periodicWork, stateName, timerFired } from './neighbour.js';
import { routeFor, routeSource } from './route.js';
import type { Packet, SimHost, SimLink, SimNeighbour, World } from './world.js';
import { defaultWorld } from './lan.js';
import { type Note, type Where, kernelTag, whereKey } from './kfn.js';
import { record } from './capture.js';
import { encodeIpv4Frame } from '../wire/ipv4.js';
import { bondReceive, bondXmit } from './bond-xmit.js';
import { countDrop, countRx, countTx } from './netstats.js';
import { nextRandom } from './clock.js';

/** neigh_periodic_work's period: base_reachable_time/2 of the table's defaults. */
const PERIODIC_MS = 15000;
const BROADCAST = 'ff:ff:ff:ff:ff:ff';


/** What one packet the host sent met: its next hop and device, and the entry's answer. */
export interface SendResult {
  dst: string;
  via?: string;
  dev?: string;
  src?: string;
  result: 'sent' | 'queued' | 'dropped' | 'no route';
  text: string;
}

export class Engine {
  /** Packet sockets open on a host's link (arping): they see the frames that reach it. */
  private readonly taps = new Map<string, (bytes: Uint8Array, pkttype: number) => void>();

  /**
   * `traceLevel`: 1 (--trace) decodes everything; 2 (--trace --trace, or
   * --trace=2) adds the bytes: frames as tcpdump -xx shows them, requests in hex.
   */
  constructor(readonly w: World, private readonly traceOut?: (line: string) => void, readonly traceLevel = 1) {}

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

  /**
   * A line for the trace only (what was asked, what was answered), not an
   * event of the timeline; `level` 2 lines show only with --trace --trace.
   */
  traceOnly(host: SimHost, text: string, fn?: Where, level = 1): void {
    if (level > this.traceLevel) return;
    this.traceOut?.(`[${(this.w.now / 1000).toFixed(3)}s] ${host.name}: ${text}${fn ? ` ${kernelTag(whereKey(fn))}` : ''}`);
  }

  /** Records a line on the timeline (and the trace), with where in the kernel it happens. */
  note(host: SimHost, text: string, fn: Where): void {
    const tl = this.w.timeline;
    const key = whereKey(fn);
    tl.push({ t: this.w.now, host: host.name, text, fn: key });
    // Keep the last 5000 events; trim in batches, not on every push.
    if (tl.length > 6000) tl.splice(0, tl.length - 5000);
    this.traceOut?.(`[${(this.w.now / 1000).toFixed(3)}s] ${host.name}: ${text} ${kernelTag(key)}`);
  }

  /** The note function of one host. */
  noter(host: SimHost): Note {
    return (text, fn) => this.note(host, text, fn);
  }

  env(host: SimHost): ArpEnv {
    const env: ArpEnv = {
      w: this.w,
      host,
      note: this.noter(host),
      send: (link, f, why, fn) => this.send(host, link, f, why, fn),
      solicit: (n, link, unicast, what) => arpSolicit(env, n, link, unicast, what),
      explain: (text, fn) => this.traceOnly(host, text, fn),
      transmit: (n, link, p) => this.transmit(host, n, link, p),
      unreachable: (p) => this.unreachable(host, p),
    };
    return env;
  }

  /** An IP packet leaves `link` for `n`'s link-layer address. */
  private transmit(host: SimHost, n: SimNeighbour, link: SimLink, p: Packet): void {
    if (link.type === 772) return;
    const toMac = n.lladdr ?? BROADCAST;
    const bytes = encodeIpv4Frame({ srcMac: link.mac, dstMac: toMac, ...p });
    const wire = { bytes: '', ip: { ...p, toMac } };
    if (link.kind === 'bond') this.bondSend(host, link, bytes, `${p.proto === 'udp' ? 'UDP' : 'ICMP'} ${p.src} > ${p.dst}`, 'ip_finish_output2', wire);
    else this.leave(host, link, bytes, wire);
  }

  /**
   * A frame leaves by `link` (a device that is not a bond): onto its segment
   * after the sender's delay, counted as sent; a dummy counts it and drops it.
   */
  private leave(host: SimHost, link: SimLink, bytes: Uint8Array, wire: { bytes: string; ip?: World['frames'][number]['ip'] }): void {
    if (!link.carrier || !(link.flags & 1)) return;
    // A dummy is plugged into nothing: dummy_xmit() counts the frame (a tap sees it) and frees it.
    if (!link.segment && link.kind !== 'dummy') return;
    const at = this.w.now + (host.delay_ms ?? 0);
    record(this.w, host, link, 'out', at, bytes);
    countTx(host, link, bytes.length);
    if (!link.segment) return;
    this.w.frames.push({ at, segment: link.segment, from: { host: host.name, ifindex: link.index }, ...wire });
  }

  /**
   * The bond sends a frame (bond_start_xmit()): a tap on the bond sees it,
   * the mode picks the slaves it leaves by, the timeline says which; with
   * no slave to send by it is dropped and counted (tx_dropped).
   */
  private bondSend(host: SimHost, bond: SimLink, bytes: Uint8Array, what: string, fn: Where, wire: { bytes: string; ip?: World['frames'][number]['ip'] }): void {
    const choice = bondXmit(host, bond, bytes, () => nextRandom(this.w));
    record(this.w, host, bond, 'out', this.w.now + (host.delay_ms ?? 0), bytes);
    const chain = [...(typeof fn === 'string' ? [fn] : fn), ...choice.fn];
    if (!choice.slaves.length) {
      countDrop(host, bond, 'tx_dropped');
      this.note(host, `${bond.name} drops ${what}: no slave to send it by (${choice.why})`, [...(typeof fn === 'string' ? [fn] : fn), 'bond_tx_drop']);
      return;
    }
    this.note(host, `${bond.name} sends ${what} by ${choice.slaves.map((s) => s.name).join(' ')} (${choice.why})`, chain);
    for (const s of choice.slaves) this.leave(host, s, bytes, wire);
  }

  /**
   * A frame reaches `link` (it passed the MAC filter): counted, seen by taps;
   * on a bond's slave, bond_handle_frame() hands it to the bond or drops it.
   * Returns the device the stack takes it from (undefined: dropped).
   */
  private arrive(host: SimHost, link: SimLink, bytes: Uint8Array, pkttype: number, arp?: ArpFrame): SimLink | undefined {
    record(this.w, host, link, 'in', this.w.now, bytes);
    countRx(host, link, bytes.length);
    this.taps.get(`${host.name}/${link.index}`)?.(bytes, pkttype);
    if (!(link.flags & IFF_SLAVE)) return link;
    // bond_handle_frame(): the bond's recv_probe (the ARP monitor's) sees the frame before the slave delivers it, or not.
    this.slaveReceived(host, link, arp);
    const v = bondReceive(host, link, bytes);
    if ('drop' in v) {
      countDrop(host, link, 'rx_nohandler');
      this.traceOnly(host, `${link.name}: dropped: ${v.drop}`, ['bond_handle_frame', 'bond_should_deliver_exact_match']);
      return undefined;
    }
    record(this.w, host, v.to, 'in', this.w.now, bytes);
    this.taps.get(`${host.name}/${v.to.index}`)?.(bytes, pkttype);
    return v.to;
  }

  /** A unicast frame for another MAC on a wire (a veth pair): the device counts it, the stack drops it (PACKET_OTHERHOST). */
  private otherHost(host: SimHost, link: SimLink, segment: string, bytes: Uint8Array): void {
    if (segment.startsWith('veth:')) countRx(host, link, bytes.length);
  }

  /**
   * A locally sent packet died in a failed entry's queue: the ICMP host
   * unreachable reaches the sender through lo, which (as seen on the
   * kernel) leaves a NOARP entry for 0.0.0.0 on lo.
   */
  private unreachable(host: SimHost, p: Packet): void {
    this.note(host, `ICMP host unreachable for ${p.dst} delivered locally to ${p.src}`, ['arp_error_report', 'icmp_send']);
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

  /** Puts a frame on the link's segment; it arrives after the sender's delay. */
  send(host: SimHost, link: SimLink, f: ArpFrame, why: string, fn: Where): void {
    const bytes = new Uint8Array(FRAME_LEN);
    encodeArpFrame(f, bytes);
    const wire = { bytes: Buffer.from(bytes).toString('hex') };
    if (link.kind === 'bond') this.bondSend(host, link, bytes, `${describeArp(f)} (${why})`, fn, wire);
    else this.note(host, `${link.name} sends ${describeArp(f)} (${why})`, fn);
    if (this.traceOut && this.traceLevel >= 2) this.traceOut(hexDump(bytes));
    if (link.kind !== 'bond') this.leave(host, link, bytes, wire);
  }

  /** Delivers one frame to every other up link on its segment. */
  private deliver(fr: World['frames'][number]): void {
    if (fr.proxyRedo) {
      this.proxyRedo(fr);
      return;
    }
    if (fr.ip) {
      const ip = fr.ip;
      let bytes: Uint8Array | undefined;
      for (const host of this.w.hosts) {
        for (const link of host.links) {
          if (link.segment !== fr.segment || !link.carrier || !(link.flags & 1)) continue;
          if (host.name === fr.from.host && link.index === fr.from.ifindex) continue;
          // The frame as it was sent: its source MAC is the sending link's.
          bytes ??= encodeIpv4Frame({ srcMac: this.senderMac(fr) ?? BROADCAST, dstMac: ip.toMac, ...ip });
          if (link.mac !== ip.toMac) {
            this.otherHost(host, link, fr.segment, bytes);
            continue;
          }
          const dev = this.arrive(host, link, bytes, 0);
          if (!dev) continue;
          // Any local address is this host's (the weak host model), whatever device it is on.
          if (host.links.some((l) => l.addresses.some((a) => a.local === ip.dst))) this.receiveIp(host, ip);
          else this.forward(host, dev, { src: ip.src, dst: ip.dst, proto: ip.proto, ttl: ip.ttl });
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
        if (dst !== BROADCAST && dst !== link.mac) {
          this.otherHost(host, link, fr.segment, bytes);
          continue;
        }
        // PACKET_HOST 0 or PACKET_BROADCAST 1, as a packet socket on the link would see it.
        const dev = this.arrive(host, link, bytes, dst === link.mac ? 0 : 1, f);
        if (dev) this.arpProcess(host, dev, f, dst === dev.mac);
      }
    }
  }

  /**
   * A frame arrived on a bond's slave (`arp`: the ARP frame; undefined: an
   * IP one): the bond's recv_probe sees it first (bond_handle_frame() calls
   * it before deciding whether the slave delivers), as the ARP monitor needs.
   */
  private slaveReceived(host: SimHost, link: SimLink, arp: ArpFrame | undefined): void {
    if (link.master === undefined) return;
    bondRecvProbe(this.bondEnv(host), link, arp);
  }

  /** What the bonding code needs of a host: its timeline, the segments, the links' carrier. */
  private bondEnv(h: SimHost) {
    return { w: this.w, host: h, note: this.noter(h), send: (l: SimLink, f: ArpFrame, why: string, fn: Where) => this.send(h, l, f, why, fn), carrier: (l: SimLink) => carrierOf(this.w, h, l) };
  }

  private senderMac(fr: World['frames'][number]): string | undefined {
    return this.w.hosts.find((h) => h.name === fr.from.host)?.links.find((l) => l.index === fr.from.ifindex)?.mac;
  }

  /** arp_process() on `host`'s `link` (`enqueued`: out of the proxy queue). */
  arpProcess(host: SimHost, link: SimLink, f: ArpFrame, pktHost: boolean, enqueued = false): void {
    arpProcess(this.env(host), link, f, pktHost, enqueued);
  }

  /** neigh_proxy_process(): a queued request is processed again, if its device still runs. */
  private proxyRedo(fr: World['frames'][number]): void {
    const host = this.w.hosts.find((h) => h.name === fr.proxyRedo!.host);
    const link = host?.links.find((l) => l.index === fr.proxyRedo!.ifindex);
    if (!host || !link || !(link.flags & 1)) return;
    const f = decodeArpFrame(Buffer.from(fr.bytes, 'hex'));
    if (!isArpError(f)) this.arpProcess(host, link, f, false, true);
  }

  /** The earliest pending event: a frame, a neighbour timer, or the periodic work. */
  nextEventAt(): number {
    let t = this.w.periodicAt;
    for (const f of this.w.frames) if (f.at < t) t = f.at;
    for (const h of this.w.hosts) for (const n of h.neighbours) if (n.timer !== undefined && n.timer < t) t = n.timer;
    for (const h of this.w.hosts) t = Math.min(t, bondTickAt(h), arpTickAt(h));
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
        // The bonds' ARP monitor: probes out of the slaves, slaves judged by what they heard.
        if (arpTickAt(h) > this.w.now) continue;
        arpTicks(this.bondEnv(h));
        fired = true;
      }
      for (const h of this.w.hosts) {
        if (bondTickAt(h) > this.w.now) continue;
        // The bonds' MII monitor; a failover's gratuitous ARPs leave by the new active slave.
        bondTicks({ w: this.w, host: h, note: this.noter(h), send: (l, f, why, fn) => this.send(h, l, f, why, fn), carrier: (l) => carrierOf(this.w, h, l) });
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
    return this.hostSendPacket(host, dst, devName, proto, from).fate();
  }

  /**
   * hostSend(), with what happened as data (the route's next hop and device;
   * sent, queued, dropped or no route) and a way to ask later what became of
   * the packet: "sent", "queued" while it still waits, or what happened to it since.
   */
  hostSendPacket(host: SimHost, dst: string, devName?: string, proto: Packet['proto'] = 'udp', from?: string): SendResult & { fate(): string } {
    const route = routeFor(host, dst, devName);
    if (!route) {
      const text = `${dst}: no route (Network is unreachable)`;
      return { dst, result: 'no route', text, fate: () => text };
    }
    this.traceOnly(host, `to ${dst}: ${route.why}`, 'fib_table_lookup');
    const what = `${proto === 'udp' ? 'UDP packet' : 'ICMP port unreachable'} to ${dst}`;
    if (route.link.type === 772) {
      const text = `${what}: a local address, delivered through lo (no neighbour)`;
      this.note(host, text, 'ip_finish_output2');
      return { dst, dev: route.link.name, result: 'sent', text, fate: () => text };
    }
    const env = this.env(host);
    let n = lookup(host, AF_INET, route.link.index, route.via);
    if (!n) {
      try {
        n = createNeighbour(env, AF_INET, route.link.index, route.via);
      } catch (e) {
        // neigh_alloc() refused: the table is full, the packet is dropped (ENOBUFS).
        if (!(e instanceof NetlinkError)) throw e;
        const text = `${what} dev ${route.link.name}: dropped (neighbour table full)`;
        this.note(host, text, 'neigh_alloc');
        return { dst, via: route.via, dev: route.link.name, result: 'dropped', text, fate: () => text };
      }
    }
    const src = from ?? routeSource(host, route.link, route.route, dst) ?? '0.0.0.0';
    const pkt: Packet = { src, dst, proto };
    const r = eventSend(env, n, pkt);
    const head = `${what}${route.via !== dst ? ` via ${route.via}` : ''} dev ${route.link.name}`;
    const why = r === 'dropped' ? ` (${n.dst} is ${stateName(n.state)} and no probes are allowed)` : '';
    const text = `${head}: ${r}${why}`;
    this.note(host, text, r === 'sent' ? ['__neigh_event_send', 'ip_finish_output2'] : '__neigh_event_send');
    return {
      dst, via: route.via, dev: route.link.name, src, result: r, text,
      fate: () => r === 'queued' ? `${head}: ${packetFate.get(pkt) ?? `queued (${n.dst} is ${stateName(n.state)})`}` : text,
    };
  }

  /**
   * ip_forward(): a packet for another host reached this one's MAC; with
   * forwarding on the device it came in on, it leaves by its route, through
   * that route's next hop (which may need resolving first).
   */
  private forward(host: SimHost, inLink: SimLink, p: Packet): void {
    if (!inLink.params.forwarding) return;
    // ip_forward(): a packet with no hop left dies here (the model sends no time-exceeded).
    const ttl = (p.ttl ?? 64) - 1;
    if (ttl <= 0) {
      this.note(host, `packet from ${p.src} to ${p.dst} dropped: TTL exceeded`, 'ip_forward');
      return;
    }
    p = { src: p.src, dst: p.dst, proto: p.proto, ttl };
    const route = routeFor(host, p.dst);
    if (!route || route.link.type === 772) return;
    this.traceOnly(host, `forwarding ${p.dst} from ${inLink.name}: ${route.why}`, ['ip_forward', 'fib_table_lookup']);
    const env = this.env(host);
    const n = lookup(host, AF_INET, route.link.index, route.via) ?? createNeighbour(env, AF_INET, route.link.index, route.via);
    const r = eventSend(env, n, p);
    this.note(host, `forwarded packet from ${p.src} to ${p.dst}${route.via !== p.dst ? ` via ${route.via}` : ''} dev ${route.link.name}: ${r}`, ['ip_forward', '__neigh_event_send']);
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
    this.note(host, `${n.dst} dev ${route.link.name}: confirmed by the sender (MSG_CONFIRM)`, '__ipv4_confirm_neigh');
  }

  /** A peer announces its address (as arping -U does): a gratuitous ARP request. */
  garp(host: SimHost, link: SimLink, addr: string, reply = false): void {
    const f: ArpFrame = {
      ethDst: BROADCAST_MAC, ethSrc: macFromString(link.mac), op: reply ? ARPOP_REPLY : ARPOP_REQUEST,
      sha: macFromString(link.mac), spa: ipFromString(addr), tha: reply ? macFromString(link.mac) : BROADCAST_MAC, tpa: ipFromString(addr),
    };
    this.send(host, link, f, `gratuitous ARP ${reply ? 'reply' : 'request'} for ${addr}`, 'arping');
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

