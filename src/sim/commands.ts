// `tsnet sim`: drives the model. Topology (reset, peers, addresses moving
// between them), traffic from the host, the virtual clock, per-device
// parameters, and views (tables, the timeline). Only ever runs on the model.
import { AF_INET, NUD_INCOMPLETE, RT_TABLE_MAIN } from '../wire/rtnl-constants.js';
import { addedRoutes } from './fib.js';
import { hexColon, parseIPv4 } from '../lib/inet.js';
import { writeAll } from '../lib/output.js';
import type { Engine } from './engine.js';
import { DEFAULT_PARAMS, SKB_TRUESIZE_FULL, stateName } from './neighbour.js';
import type { NeighParams, SimHost, World } from './world.js';
import { drawReachableTime } from './clock.js';
import { defaultWorld, ethernet, findHost, makeHost } from './lan.js';
import { startingWorld } from './engine.js';
import { linkKind } from './kinds/index.js';
import { vethPeer } from './kinds/veth.js';

export const SIM_USAGE = `Usage: tsnet sim { show | reset [ empty ] [ seed N ] | timeline [ ADDR ] [ host NAME ] [ last N ] }
       tsnet sim send DST [ dev DEV ] [ count N ] [ interval TIME ] [ confirm ]
       tsnet sim advance TIME                  TIME := N{ms|s|m|h}
       tsnet sim peer add NAME ip ADDR [ mac LLADDR ] [ segment SEG ] [ silent ] [ delay MS ]
       tsnet sim peer { del NAME | silent NAME on|off | garp NAME [ ip ADDR ] [ reply ] }
       tsnet sim peer move ADDR to NAME        (a VIP move: the new holder sends a gratuitous ARP)
       tsnet sim set DEV PARAM VALUE           (on the host chosen with -n, default "host")
       tsnet sim carrier DEV on|off            (a cable pulled or plugged; a veth: its peer end down or up)
PARAM := { base_reachable_time_ms | delay_first_probe_time_ms | retrans_time_ms | ucast_solicit |
           mcast_solicit | app_solicit | mcast_resolicit | gc_stale_time_ms | locktime_ms | unres_qlen |
           unres_qlen_bytes | proxy_delay_ms | proxy_qlen | arp_accept | arp_ignore | promote_secondaries |
           forwarding | proxy_arp }`;

/** What a `tsnet sim` command works on: the world, the host chosen with -n, and the engine that runs them. */
export interface SimSession {
  readonly world: World;
  readonly host: SimHost;
  readonly engine: Engine;
}

class SimUsage extends Error {}

function usage(msg?: string): never {
  throw new SimUsage(msg ? `${msg}\n${SIM_USAGE}` : SIM_USAGE);
}

/** 30s, 5m, 250ms, 1h, or plain milliseconds. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) return undefined;
  const v = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(v * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60000 : 3600000));
}

/**
 * The most one command may move the virtual clock, and send: the model works
 * through every timer and periodic run on the way (a week is a few tenths of
 * a second on the starting world), so an absurd time would run until killed.
 */
const MAX_ADVANCE_MS = 168 * 3600000;
const MAX_SEND_COUNT = 10000;

/** A plain text table: header, rule, rows; columns as wide as their longest cell. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

const fmtTime = (ms: number) => `${(ms / 1000).toFixed(3)}s`;

function neighRows(w: World, h: SimHost): string[][] {
  return h.neighbours.map((n) => [
    n.dst, h.links.find((l) => l.index === n.ifindex)?.name ?? '?', n.lladdr && !(n.state & NUD_INCOMPLETE) ? n.lladdr : '',
    stateName(n.state), n.timer !== undefined ? `in ${fmtTime(n.timer - w.now)}` : '', String(n.probes), n.queue.length ? String(n.queue.length) : '',
  ]);
}

function show(b: SimSession, write: (s: string) => void): void {
  const w = b.world;
  write(`virtual time ${fmtTime(w.now)}; ${w.frames.length} frame(s) in flight\n\n`);
  write(table(['host', 'link', 'mac', 'segment', 'addresses', 'answers'], w.hosts.flatMap((h) => h.links.filter((l) => l.type !== 772).map((l) => [
    h.name, l.name, l.mac, l.segment ?? '', l.addresses.map((a) => `${a.local}/${a.prefixlen}`).join(' '),
    h.silent ? 'no' : `yes${h.delay_ms ? ` after ${h.delay_ms}ms` : ''}`,
  ]))));
  for (const h of w.hosts) {
    const gateway = addedRoutes(h).find((r) => r.family === AF_INET && r.plen === 0 && r.table === RT_TABLE_MAIN)?.gateway;
    write(`\n${h.name}: neighbour table${gateway ? ` (default via ${gateway})` : ''}\n`);
    const rows = neighRows(w, h);
    write(rows.length ? table(['address', 'dev', 'lladdr', 'state', 'timer', 'probes', 'queued'], rows) : '(empty)\n');
    if (h.udpIn) write(`${h.name}: ${h.udpIn} UDP datagram(s) received\n`);
  }
  const host = b.host;
  write(`\n${host.name}: parameters\n`);
  const links = host.links.filter((l) => l.type !== 772);
  const keys = Object.keys(links[0]?.params ?? {}) as (keyof NeighParams)[];
  write(table(['parameter', ...links.map((l) => l.name)], [
    ...keys.map((k) => [k, ...links.map((l) => String(l.params[k]))]),
    ['reachable_time_ms (drawn)', ...links.map((l) => String(l.reachable_time_ms))],
  ]));
}

function timeline(w: World, words: string[], write: (s: string) => void): void {
  let addr: string | undefined, host: string | undefined, last = 50;
  for (let i = 0; i < words.length; i++) {
    if (words[i] === 'host') host = words[++i];
    else if (words[i] === 'last') last = Number(words[++i]) || 50;
    else addr = words[i];
  }
  const ev = w.timeline.filter((e) => (!host || e.host === host) && (!addr || e.text.includes(addr)));
  for (const e of ev.slice(-last)) write(`${fmtTime(e.t).padStart(10)}  ${e.host.padEnd(6)}  ${e.text}\n`);
  if (!ev.length) write('(nothing happened yet)\n');
}

function peerCommand(b: SimSession, words: string[], write: (s: string) => void): void {
  const w = b.world;
  const [verb, name, ...rest] = words;
  if (!verb || !name) usage();
  const engine = b.engine;
  if (verb === 'add') {
    if (findHost(w, name)) usage(`sim: there is a host "${name}" already`);
    let ip: string | undefined, mac: string | undefined, segment = 'lan0', silent = false, delay = 0.2;
    for (let i = 0; i < rest.length; i++) {
      const k = rest[i];
      if (k === 'ip') ip = rest[++i];
      else if (k === 'mac') mac = rest[++i];
      else if (k === 'segment') segment = rest[++i];
      else if (k === 'silent') silent = true;
      else if (k === 'delay') delay = Number(rest[++i]);
      else usage(`sim: unknown word "${k}"`);
    }
    const [addr, plen] = (ip ?? '').split('/');
    if (!ip || !parseIPv4(addr)) usage('sim: peer add needs "ip ADDR"');
    mac ??= `02:00:00:${hexColon(parseIPv4(addr)!.subarray(1))}`;
    const p = makeHost(w, name, [ethernet(w, 2, 'eth0', mac, segment, addr, plen ? Number(plen) : 24)]);
    p.silent = silent;
    p.delay_ms = Number.isFinite(delay) ? delay : 0.2;
    w.hosts.push(p);
    write(`peer ${name} ${addr} ${mac} on ${segment}\n`);
    return;
  }
  if (verb === 'move') {
    const addr = name;
    if (rest[0] !== 'to' || !rest[1]) usage();
    const to = findHost(w, rest[1]);
    if (!to) usage(`sim: no host "${rest[1]}"`);
    for (const h of w.hosts) for (const l of h.links) l.addresses = l.addresses.filter((a) => a.local !== addr);
    const link = to.links.find((l) => l.type !== 772)!;
    link.addresses.push({ family: AF_INET, local: addr, prefixlen: 24, secondary: link.addresses.some((a) => a.family === AF_INET) });
    engine.note(to, `takes over ${addr}`);
    engine.garp(to, link, addr);
    engine.advanceTo(w.now + 1);
    write(`${addr} moved to ${to.name}; it sent a gratuitous ARP\n`);
    return;
  }
  const p = findHost(w, name);
  if (!p) usage(`sim: no host "${name}"`);
  if (verb === 'del') {
    if (p === b.host) usage('sim: the host itself cannot be removed');
    w.hosts.splice(w.hosts.indexOf(p), 1);
    write(`peer ${name} removed\n`);
  } else if (verb === 'silent') {
    p.silent = rest[0] !== 'off';
    write(`peer ${name} ${p.silent ? 'does not answer' : 'answers'} ARP\n`);
  } else if (verb === 'garp') {
    const link = p.links.find((l) => l.type !== 772)!;
    let addr = link.addresses.find((a) => a.family === AF_INET)?.local, reply = false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === 'ip') addr = rest[++i];
      else if (rest[i] === 'reply') reply = true;
    }
    if (!addr) usage('sim: the peer has no address');
    engine.garp(p, link, addr, reply);
    engine.advanceTo(w.now + 1);
    write(`${name} sent a gratuitous ARP ${reply ? 'reply' : 'request'} for ${addr}\n`);
  } else usage();
}

/**
 * The carrier of DEV as the world outside would change it: a dummy's or a
 * NIC's cable, a veth's peer end (its carrier needs both ends up). Bonds,
 * bridges and macvlans take theirs from other links.
 */
function setCarrier(b: SimSession, dev: string | undefined, state: string | undefined, write: (s: string) => void): void {
  const link = b.host.links.find((l) => l.name === dev);
  if (!link) usage(`sim: no device "${dev}" on ${b.host.name}`);
  if (state !== 'on' && state !== 'off') usage('sim: carrier needs on or off');
  const on = state === 'on';
  if (link.kind === 'veth') {
    const peer = b.host.links.find((l) => l.index === vethPeer(link));
    if (!peer) usage(`sim: ${dev} has no peer`);
    peer.flags = on ? peer.flags | 1 : peer.flags & ~1;
    if (on) peer.wasUp = true;
    b.engine.note(b.host, `${peer.name} ${on ? 'up' : 'down'} (sim carrier: ${dev} ${on ? 'gets' : 'loses'} its carrier)`);
    write(`${dev}: peer ${peer.name} ${on ? 'up' : 'down'}\n`);
    return;
  }
  if (link.type === 772 || (link.kind !== undefined && !linkKind(link.kind)?.changeCarrier)) usage(`sim: the carrier of ${dev} (${link.kind ?? 'loopback'}) follows other links`);
  if (link.carrier !== on) link.carrierChanges = (link.carrierChanges ?? 0) + 1;
  link.carrier = on;
  b.engine.note(b.host, `${dev}: carrier ${state} (sim carrier)`);
  write(`${dev}: carrier ${state}\n`);
}

/** Runs one `tsnet sim` command on the model; returns the exit status. */
export function runSimCommand(b: SimSession, words: string[], write: (s: string) => void): number {
  try {
    const [verb, ...rest] = words;
    const w = b.world;
    switch (verb) {
      case undefined:
      case 'show':
        show(b, write);
        break;
      case 'reset': {
        // "empty": no traffic yet, every table empty (as a fresh set of namespaces).
        const empty = rest.includes('empty');
        const si = rest.indexOf('seed');
        const seed = si >= 0 ? Number(rest[si + 1]) : 1;
        const fresh = (empty ? defaultWorld : startingWorld)(Number.isFinite(seed) ? seed : 1);
        Object.assign(w, fresh);
        write('model reset: host (eth0 10.0.0.2/24, default via 10.0.0.1), gw 10.0.0.1, peer3 10.0.0.3, peer4 10.0.0.4, peer5 10.0.0.5 on lan0\n');
        break;
      }
      case 'advance': {
        const d = rest[0] !== undefined ? parseDuration(rest[0]) : undefined;
        if (d === undefined) usage('sim: advance needs a time such as 30s, 5m or 250ms');
        if (!(d <= MAX_ADVANCE_MS)) usage('sim: advance needs a time of at most 168h (repeat it to go further)');
        b.engine.advanceTo(w.now + d);
        write(`virtual time ${fmtTime(w.now)}\n`);
        break;
      }
      case 'send': {
        const dst = rest[0];
        if (!dst || !parseIPv4(dst)) usage('sim: send needs an IPv4 destination');
        let dev: string | undefined, count = 1, interval = 1000, confirm = false;
        for (let i = 1; i < rest.length; i++) {
          if (rest[i] === 'dev') dev = rest[++i];
          else if (rest[i] === 'confirm') confirm = true;
          else if (rest[i] === 'count') {
            count = Number(rest[++i]);
            if (!Number.isInteger(count) || count < 1 || count > MAX_SEND_COUNT) usage(`sim: send count needs a whole number from 1 to ${MAX_SEND_COUNT}`);
          } else if (rest[i] === 'interval') {
            const t = rest[++i] !== undefined ? parseDuration(rest[i]) : undefined;
            if (t === undefined) usage('sim: send interval needs a time such as 1s or 200ms');
            interval = t;
          } else usage(`sim: unknown word "${rest[i]}"`);
        }
        if (!((count - 1) * interval <= MAX_ADVANCE_MS)) usage('sim: send would run past 168h of virtual time; send fewer or more often');
        for (let i = 0; i < count; i++) {
          if (i) b.engine.advanceTo(w.now + interval);
          if (confirm) b.engine.confirmNeighbour(b.host, dst, dev);
          write(b.engine.hostSend(b.host, dst, dev) + '\n');
        }
        // Let the answers (sub-millisecond on the simulated LAN) arrive.
        b.engine.advanceTo(w.now + 1);
        break;
      }
      case 'timeline':
        timeline(w, rest, write);
        break;
      case 'peer':
        peerCommand(b, rest, write);
        break;
      case 'set': {
        const [dev, param, value] = rest;
        const link = b.host.links.find((l) => l.name === dev);
        if (!link) usage(`sim: no device "${dev}" on ${b.host.name}`);
        if (!param || !(param in DEFAULT_PARAMS)) usage(`sim: unknown parameter "${param}"`);
        const v = Number(value);
        if (!Number.isInteger(v) || v < 0) usage(`sim: "${value}" is not a whole number`);
        link.params[param as keyof NeighParams] = v;
        if (param === 'base_reachable_time_ms') link.reachable_time_ms = drawReachableTime(w, v);
        // The kernel keeps the queue limit in bytes; each sysctl rewrites the other's value.
        if (param === 'unres_qlen') link.params.unres_qlen_bytes = v * SKB_TRUESIZE_FULL;
        if (param === 'unres_qlen_bytes') link.params.unres_qlen = Math.floor(v / SKB_TRUESIZE_FULL);
        b.engine.note(b.host, `${dev}: ${param} = ${v}`);
        write(`${b.host.name} ${dev} ${param} ${v}\n`);
        break;
      }
      case 'carrier':
        setCarrier(b, rest[0], rest[1], write);
        break;
      case 'help':
        usage();
        break;
      default:
        usage(`sim: unknown command "${verb}"`);
    }
    return 0;
  } catch (e) {
    if (e instanceof SimUsage) {
      writeAll(2, e.message + '\n');
      return 255;
    }
    throw e;
  }
}

