// `tsnet sim`: drives the model. Topology (reset, peers, addresses moving
// between them), traffic from the host, the virtual clock, per-device
// parameters, and views (tables, the timeline, charts of states over time,
// a capture of the frames). Every verb prints JSON under -j; on a terminal the
// views are tables the front draws. Only ever runs on the model.
import { AF_INET, NUD_INCOMPLETE, RT_TABLE_MAIN } from '../wire/rtnl-constants.js';
import { addedRoutes } from './fib.js';
import { kernelTag } from './kfn.js';
import { hexColon, parseIPv4, parseIPv6 } from '../lib/inet.js';
import { writeAll } from '../lib/output.js';
import type { SimView } from '../backend.js';
import type { Engine, SendResult } from './engine.js';
import { DEFAULT_PARAMS, SKB_TRUESIZE_FULL, stateName } from './neighbour.js';
import type { NeighParams, SimHost, TimelineEvent, World } from './world.js';
import { drawReachableTime } from './clock.js';
import { PARMS_KEYS, tableOf } from './neigh-table.js';
import { defaultWorld, ethernet, findHost, makeHost } from './lan.js';
import { startingWorld } from './engine.js';
import { linkKind } from './kinds/index.js';
import { vethPeer } from './kinds/veth.js';
import { historyOf, type Row } from './history.js';
import { seconds, spanOf, svgChart, textChart } from './chart.js';
import { framesOf } from './capture.js';
import { encodePcap } from '../wire/pcap.js';
import { writeFileSync } from 'node:fs';

/** Each verb's line of the usage: an error prints its verb's, `sim help` all of them. */
const VERB_USAGE: Record<string, string[]> = {
  show: ['tsnet sim show'],
  reset: ['tsnet sim reset [ empty ] [ seed N ]'],
  timeline: ['tsnet sim timeline [ ADDR | DEV ] [ host NAME ] [ last N ] [ kernel ]'],
  chart: ['tsnet sim chart [ ADDR | DEV ]... [ host NAME ] [ width N ] [ svg FILE ]'],
  pcap: ['tsnet sim pcap FILE [ host NAME ] [ dev DEV ]'],
  send: ['tsnet sim send DST [ dev DEV ] [ count N ] [ interval TIME ] [ confirm ]'],
  advance: ['tsnet sim advance TIME                  TIME := N{ms|s|m|h}'],
  peer: [
    'tsnet sim peer add NAME ip ADDR [ mac LLADDR ] [ segment SEG ] [ silent ] [ delay MS ]',
    'tsnet sim peer { del NAME | silent NAME on|off | garp NAME [ ip ADDR ] [ reply ] }',
    'tsnet sim peer move ADDR to NAME        (a VIP move: the new holder sends a gratuitous ARP)',
  ],
  set: ['tsnet sim set { DEV | default } PARAM VALUE  (on the host -n names; the values ntable show / change has)'],
  carrier: ['tsnet sim carrier DEV on|off            (a cable pulled or plugged; a veth: its peer end down or up)'],
};

const PARAM_USAGE = `PARAM := { base_reachable_time_ms | delay_first_probe_time_ms | retrans_time_ms | ucast_solicit |
           mcast_solicit | app_solicit | mcast_resolicit | gc_stale_time_ms | locktime_ms | unres_qlen |
           unres_qlen_bytes | proxy_delay_ms | proxy_qlen | arp_accept | arp_ignore | promote_secondaries |
           forwarding | proxy_arp }`;

const usageLines = (lines: string[]) => lines.map((l, i) => `${i ? '      ' : 'Usage:'} ${l}`).join('\n');

export const SIM_USAGE = `${usageLines(Object.values(VERB_USAGE).flat())}\n${PARAM_USAGE}`;

/** What a `tsnet sim` command works on: the world, the host chosen with -n, and the engine that runs them. */
export interface SimSession {
  readonly world: World;
  readonly host: SimHost;
  readonly engine: Engine;
}

class SimUsage extends Error {
  constructor(message: string, readonly code = 255) {
    super(message);
  }
}

/** The verb the command being run is, for its usage line. */
let currentVerb: string | undefined;

/** A usage error: the message, then the usage of the verb it is about (every verb's when none). */
function usage(msg?: string): never {
  const lines = currentVerb && VERB_USAGE[currentVerb] ? usageLines(VERB_USAGE[currentVerb]) + (currentVerb === 'set' ? `\n${PARAM_USAGE}` : '') : SIM_USAGE;
  throw new SimUsage(msg ? `${msg}\n${lines}` : lines);
}

/** A failure that is not the command line's (nothing to chart, a file that cannot be written): one line, exit 1. */
function failure(msg: string): never {
  throw new SimUsage(msg, 1);
}

/**
 * 30s, 5m, 250ms, 1h; a plain 0. A bare number other than 0 is refused,
 * so that `advance 10` cannot silently mean 10 ms.
 */
export function parseDuration(s: string): number | 'unitless' | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) return undefined;
  const v = Number(m[1]);
  if (!m[2]) return v === 0 ? 0 : 'unitless';
  const unit = m[2];
  return Math.round(v * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60000 : 3600000));
}

/** A duration or the usage error that says what is wrong with it. */
function duration(word: string | undefined, what: string): number {
  const d = word !== undefined ? parseDuration(word) : undefined;
  if (d === 'unitless') usage(`sim: ${what} ${word}: which unit? say ${word}ms, ${word}s, ${word}m or ${word}h`);
  if (d === undefined) usage(`sim: ${what} needs a time such as 30s, 5m or 250ms`);
  return d;
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

const fmtTime = seconds;

/** What one command prints: text (tables drawn for a terminal, or plain) or one JSON value. */
class Printer {
  constructor(readonly write: (s: string) => void, readonly view: SimView) {}

  get json(): boolean {
    return this.view.json === true;
  }

  table(head: string[], rows: string[][]): string {
    return (this.view.table ?? table)(head, rows);
  }

  /** The command's JSON answer (only under -j). */
  value(v: unknown): void {
    this.write(JSON.stringify(v, null, this.view.pretty ? 4 : undefined) + '\n');
  }

  /** A line of text (only without -j). */
  text(s: string): void {
    if (!this.json) this.write(s);
  }
}

/** The events noted since `mark` (the last event before the command). */
function eventsSince(w: World, mark: TimelineEvent | undefined): TimelineEvent[] {
  return w.timeline.slice(mark ? w.timeline.lastIndexOf(mark) + 1 : 0);
}

function neighbourJson(w: World, h: SimHost) {
  return h.neighbours.map((n) => ({
    dst: n.dst, dev: h.links.find((l) => l.index === n.ifindex)?.name ?? null,
    ...(n.lladdr && !(n.state & NUD_INCOMPLETE) ? { lladdr: n.lladdr } : {}),
    state: stateName(n.state), ...(n.timer !== undefined ? { timer_ms: n.timer - w.now } : {}), probes: n.probes, queued: n.queue.length,
  }));
}

/** The gateway of the host's IPv4 default route in table main, if one was added. */
function defaultGateway(h: SimHost): string | undefined {
  return addedRoutes(h).find((r) => r.family === AF_INET && r.plen === 0 && r.table === RT_TABLE_MAIN)?.gateway;
}

function neighRows(w: World, h: SimHost): string[][] {
  return neighbourJson(w, h).map((n) => [
    n.dst, n.dev ?? '?', n.lladdr ?? '', n.state, n.timer_ms !== undefined ? `in ${fmtTime(n.timer_ms)}` : '', String(n.probes), n.queued ? String(n.queued) : '',
  ]);
}

const ethernets = (h: SimHost) => h.links.filter((l) => l.type !== 772);

function show(b: SimSession, p: Printer): void {
  const w = b.world;
  const links = ethernets(b.host);
  const params = Object.fromEntries(links.map((l) => [l.name, { ...l.params, reachable_time_ms: l.reachable_time_ms }]));
  if (p.json) {
    p.value({
      time_ms: w.now, frames_in_flight: w.frames.length,
      hosts: w.hosts.map((h) => ({
        name: h.name, ...(defaultGateway(h) ? { gateway: defaultGateway(h) } : {}), answers: !h.silent, ...(h.delay_ms ? { delay_ms: h.delay_ms } : {}),
        udp_in: h.udpIn ?? 0,
        links: ethernets(h).map((l) => ({ name: l.name, mac: l.mac, ...(l.segment ? { segment: l.segment } : {}), addresses: l.addresses.map((a) => `${a.local}/${a.prefixlen}`) })),
        neighbours: neighbourJson(w, h),
      })),
      parameters: { host: b.host.name, devices: params },
    });
    return;
  }
  p.write(`virtual time ${fmtTime(w.now)}; ${w.frames.length} frame(s) in flight\n\n`);
  p.write(p.table(['host', 'link', 'mac', 'segment', 'addresses', 'answers'], w.hosts.flatMap((h) => ethernets(h).map((l) => [
    h.name, l.name, l.mac, l.segment ?? '', l.addresses.map((a) => `${a.local}/${a.prefixlen}`).join(' '),
    h.silent ? 'no' : `yes${h.delay_ms ? ` after ${h.delay_ms}ms` : ''}`,
  ]))));
  for (const h of w.hosts) {
    const gateway = defaultGateway(h);
    p.write(`\n${h.name}: neighbour table${gateway ? ` (default via ${gateway})` : ''}\n`);
    const rows = neighRows(w, h);
    p.write(rows.length ? p.table(['address', 'dev', 'lladdr', 'state', 'timer', 'probes', 'queued'], rows) : '(empty)\n');
    if (h.udpIn) p.write(`${h.name}: ${h.udpIn} UDP datagram(s) received\n`);
  }
  p.write(`\n${b.host.name}: parameters\n`);
  const keys = Object.keys(DEFAULT_PARAMS) as (keyof NeighParams)[];
  p.write(p.table(['parameter', ...links.map((l) => l.name)], [
    ...keys.map((k) => [k, ...links.map((l) => String(l.params[k] ?? ''))]),
    ['reachable_time_ms (drawn)', ...links.map((l) => String(l.reachable_time_ms))],
  ]));
}

const isAddress = (s: string) => parseIPv4(s) !== undefined || parseIPv6(s) !== undefined || /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(s);

/**
 * Does `text` name the address `addr` as a whole word? 10.0.0.1 is in
 * "10.0.0.1 dev eth0" and "10.0.0.1/24", not in "10.0.0.100" nor "110.0.0.1".
 */
export function mentions(text: string, addr: string): boolean {
  const word = /[0-9A-Za-z:]/;
  for (let i = text.indexOf(addr); i >= 0; i = text.indexOf(addr, i + 1)) {
    const before = i > 0 ? text[i - 1] : '';
    const after = text[i + addr.length] ?? '';
    const next = text[i + addr.length + 1] ?? '';
    if (before && (word.test(before) || before === '.')) continue;
    if (after && (word.test(after) || (after === '.' && word.test(next)))) continue;
    return true;
  }
  return false;
}

/** Does `text` name the device `dev` as a whole word ("kd1:", "dev kd1", "(slave kd1)"; not "kd10" nor "kd1.5")? */
export function mentionsDevice(text: string, dev: string): boolean {
  const word = /[\w-]/;
  for (let i = text.indexOf(dev); i >= 0; i = text.indexOf(dev, i + 1)) {
    const before = i > 0 ? text[i - 1] : '';
    const after = text[i + dev.length] ?? '';
    if (before && (word.test(before) || before === '.')) continue;
    if (after && (word.test(after) || (after === '.' && word.test(text[i + dev.length + 1] ?? '')))) continue;
    return true;
  }
  return false;
}

function hostNamed(w: World, name: string | undefined): SimHost {
  const h = name !== undefined ? findHost(w, name) : undefined;
  if (!h) usage(name === undefined ? 'sim: host needs a NAME' : `sim: no host "${name}" (sim show lists them)`);
  return h;
}

function timeline(b: SimSession, words: string[], p: Printer): void {
  const w = b.world;
  let addr: string | undefined, dev: string | undefined, host: string | undefined, last = 50, kernel = false;
  for (let i = 0; i < words.length; i++) {
    if (words[i] === 'host') host = hostNamed(w, words[++i]).name;
    else if (words[i] === 'kernel') kernel = true;
    else if (words[i] === 'last') {
      last = Number(words[++i]);
      if (!Number.isInteger(last) || last < 1) usage(`sim: last needs a whole number of events, not "${words[i] ?? ''}"`);
    } else if (addr !== undefined || dev !== undefined) usage(`sim: timeline takes one address or device ("${addr ?? dev}" and "${words[i]}")`);
    else if (isAddress(words[i])) addr = words[i];
    else if (w.hosts.some((h) => h.links.some((l) => l.name === words[i]))) dev = words[i];
    else usage(`sim: "${words[i]}" is neither an address nor a device`);
  }
  const ev = w.timeline.filter((e) => (!host || e.host === host) && (!addr || mentions(e.text, addr)) && (!dev || mentionsDevice(e.text, dev))).slice(-last);
  if (p.json) return p.value(ev);
  if (!ev.length) {
    p.write('(nothing happened yet)\n');
    return;
  }
  // `kernel`: where in the kernel each event happens, the tag --trace prints.
  const where = (e: (typeof ev)[number]) => (e.fn ? kernelTag(e.fn) : '');
  if (p.view.table) {
    p.write(p.table(['time', 'host', 'event', ...(kernel ? ['kernel'] : [])], ev.map((e) => [fmtTime(e.t), e.host, e.text, ...(kernel ? [where(e)] : [])])));
    return;
  }
  for (const e of ev) p.write(`${fmtTime(e.t).padStart(10)}  ${e.host.padEnd(6)}  ${e.text}${kernel && e.fn ? ` ${where(e)}` : ''}\n`);
}

/** `sim chart`: the chosen entries' and slaves' states over time, on the terminal and as SVG. */
function chart(b: SimSession, words: string[], p: Printer): void {
  const w = b.world;
  let host = b.host, width: number | undefined, svg: string | undefined;
  const picks: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const k = words[i];
    if (k === 'host') host = hostNamed(w, words[++i]);
    else if (k === 'width') {
      width = Number(words[++i]);
      if (!Number.isInteger(width) || width < 10 || width > 1000) usage(`sim: width needs a whole number of columns from 10 to 1000, not "${words[i] ?? ''}"`);
    } else if (k === 'svg') {
      svg = words[++i];
      if (!svg) usage('sim: svg needs a FILE');
    } else picks.push(k);
  }
  for (const k of picks) if (!isAddress(k) && !host.links.some((l) => l.name === k)) usage(`sim: "${k}" is neither an address nor a device of ${host.name}`);
  const all = historyOf(w, host);
  let rows: Row[] = all;
  if (picks.length) {
    rows = all.filter((r) => picks.some((k) => r.key === k || r.bond === k));
    const missing = picks.filter((k) => !all.some((r) => r.key === k || r.bond === k));
    if (missing.length) failure(`sim: no state changes of ${missing.join(', ')} on ${host.name}'s timeline`);
  }
  const span = spanOf(rows, w.now);
  if (svg !== undefined) {
    try {
      writeFileSync(svg, svgChart(rows, span, host.name));
    } catch (e) {
      failure(`sim: cannot write ${svg}: ${(e as Error).message}`);
    }
  }
  if (p.json) {
    p.value({ host: host.name, from_ms: span.from, to_ms: span.to, rows: rows.map((r) => ({ ...r })), ...(svg !== undefined ? { svg } : {}) });
    return;
  }
  const label = Math.max(0, ...rows.map((r) => r.name.length)) + 2;
  const cols = width ?? (p.view.columns ? Math.max(20, p.view.columns - label - 1) : 60);
  p.write(textChart(rows, span, host.name, cols));
  if (svg !== undefined) p.write(`\nthe chart as SVG: ${svg}\n`);
}

/** `sim pcap FILE`: the frames a host's links (or one link) sent and received, as a libpcap file. */
function pcap(b: SimSession, words: string[], p: Printer): void {
  const w = b.world;
  const [file, ...rest] = words;
  if (!file) usage('sim: pcap needs a FILE');
  let host = b.host, devName: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === 'host') host = hostNamed(w, rest[++i]);
    else if (rest[i] === 'dev') {
      devName = rest[++i];
      if (!devName) usage('sim: dev needs a DEV');
    } else usage(`sim: unknown word "${rest[i]}"`);
  }
  const link = devName !== undefined ? host.links.find((l) => l.name === devName) : undefined;
  if (devName !== undefined && !link) usage(`sim: no device "${devName}" on ${host.name}`);
  const frames = framesOf(w, host.name, link?.index);
  try {
    writeFileSync(file, encodePcap(frames.map((f) => ({ ms: f.t, bytes: f.bytes }))));
  } catch (e) {
    failure(`sim: cannot write ${file}: ${(e as Error).message}`);
  }
  const devOf = (ifindex: number) => host.links.find((l) => l.index === ifindex)?.name ?? `if${ifindex}`;
  if (p.json) {
    p.value({
      file, host: host.name, ...(devName ? { dev: devName } : {}),
      frames: frames.map((f) => ({ t: f.t, dev: devOf(f.ifindex), direction: f.dir, length: f.bytes.length, hex: Buffer.from(f.bytes).toString('hex') })),
    });
    return;
  }
  p.write(`${frames.length} frame(s) of ${host.name}${devName ? ` ${devName}` : ''} written to ${file} (pcap, Ethernet, virtual time)\n`);
}

function peerCommand(b: SimSession, words: string[], p: Printer): void {
  const w = b.world;
  const [verb, name, ...rest] = words;
  if (!verb) usage('sim: peer needs add, del, silent, garp or move');
  if (!name) usage(`sim: peer ${verb} needs a ${verb === 'move' ? 'ADDR' : 'NAME'}`);
  const engine = b.engine;
  const mark = w.timeline[w.timeline.length - 1];
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
    const peer = makeHost(w, name, [ethernet(w, 2, 'eth0', mac, segment, addr, plen ? Number(plen) : 24)]);
    peer.silent = silent;
    peer.delay_ms = Number.isFinite(delay) ? delay : 0.2;
    w.hosts.push(peer);
    if (p.json) p.value({ peer: name, ip: addr, mac, segment, answers: !silent, delay_ms: peer.delay_ms });
    else p.write(`peer ${name} ${addr} ${mac} on ${segment}\n`);
    return;
  }
  if (verb === 'move') {
    const addr = name;
    if (!parseIPv4(addr)) usage(`sim: "${addr}" is not an IPv4 address`);
    if (rest[0] !== 'to' || !rest[1]) usage('sim: peer move needs "to NAME"');
    const to = findHost(w, rest[1]);
    if (!to) usage(`sim: no host "${rest[1]}"`);
    for (const h of w.hosts) for (const l of h.links) l.addresses = l.addresses.filter((a) => a.local !== addr);
    const link = to.links.find((l) => l.type !== 772)!;
    link.addresses.push({ family: AF_INET, local: addr, prefixlen: 24, secondary: link.addresses.some((a) => a.family === AF_INET) });
    engine.note(to, `takes over ${addr}`, 'sim peer');
    engine.garp(to, link, addr);
    engine.advanceTo(w.now + 1);
    if (p.json) p.value({ ip: addr, to: to.name, time_ms: w.now, events: eventsSince(w, mark) });
    else p.write(`${addr} moved to ${to.name}; it sent a gratuitous ARP\n`);
    return;
  }
  if (!['del', 'silent', 'garp'].includes(verb)) usage(`sim: peer ${verb}: unknown; add, del, silent, garp or move`);
  const peer = findHost(w, name);
  if (!peer) usage(`sim: no host "${name}"`);
  if (verb === 'del') {
    if (peer === b.host) usage('sim: the host itself cannot be removed');
    w.hosts.splice(w.hosts.indexOf(peer), 1);
    if (p.json) p.value({ peer: name, removed: true });
    else p.write(`peer ${name} removed\n`);
  } else if (verb === 'silent') {
    if (rest[0] !== undefined && rest[0] !== 'on' && rest[0] !== 'off') usage(`sim: silent takes on or off, not "${rest[0]}"`);
    peer.silent = rest[0] !== 'off';
    if (p.json) p.value({ peer: name, answers: !peer.silent });
    else p.write(`peer ${name} ${peer.silent ? 'does not answer' : 'answers'} ARP\n`);
  } else {
    const link = peer.links.find((l) => l.type !== 772)!;
    let addr = link.addresses.find((a) => a.family === AF_INET)?.local, reply = false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === 'ip') addr = rest[++i];
      else if (rest[i] === 'reply') reply = true;
      else usage(`sim: unknown word "${rest[i]}"`);
    }
    if (!addr) usage('sim: the peer has no address');
    if (!parseIPv4(addr)) usage(`sim: "${addr}" is not an IPv4 address`);
    engine.garp(peer, link, addr, reply);
    engine.advanceTo(w.now + 1);
    if (p.json) p.value({ peer: name, ip: addr, op: reply ? 'reply' : 'request', time_ms: w.now, events: eventsSince(w, mark) });
    else p.write(`${name} sent a gratuitous ARP ${reply ? 'reply' : 'request'} for ${addr}\n`);
  }
}

/**
 * The carrier of DEV as the world outside would change it: a dummy's or a
 * NIC's cable, a veth's peer end (its carrier needs both ends up). Bonds,
 * bridges and macvlans take theirs from other links.
 */
function setCarrier(b: SimSession, dev: string | undefined, state: string | undefined, p: Printer): void {
  if (!dev) usage('sim: carrier needs a DEV');
  const link = b.host.links.find((l) => l.name === dev);
  if (!link) usage(`sim: no device "${dev}" on ${b.host.name}`);
  if (state !== 'on' && state !== 'off') usage('sim: carrier needs on or off');
  const on = state === 'on';
  if (link.kind === 'veth') {
    const peer = b.host.links.find((l) => l.index === vethPeer(link));
    if (!peer) usage(`sim: ${dev} has no peer`);
    peer.flags = on ? peer.flags | 1 : peer.flags & ~1;
    if (on) peer.wasUp = true;
    b.engine.note(b.host, `${peer.name} ${on ? 'up' : 'down'} (sim carrier: ${dev} ${on ? 'gets' : 'loses'} its carrier)`, 'sim carrier');
    if (p.json) p.value({ host: b.host.name, dev, carrier: state, peer: peer.name, peer_up: on });
    else p.write(`${dev}: peer ${peer.name} ${on ? 'up' : 'down'}\n`);
    return;
  }
  if (link.type === 772 || (link.kind !== undefined && !linkKind(link.kind)?.changeCarrier)) usage(`sim: the carrier of ${dev} (${link.kind ?? 'loopback'}) follows other links`);
  if (link.carrier !== on) link.carrierChanges = (link.carrierChanges ?? 0) + 1;
  link.carrier = on;
  b.engine.note(b.host, `${dev}: carrier ${state} (sim carrier)`, 'sim carrier');
  if (p.json) p.value({ host: b.host.name, dev, carrier: state });
  else p.write(`${dev}: carrier ${state}\n`);
}

function send(b: SimSession, rest: string[], p: Printer): void {
  const w = b.world;
  const dst = rest[0];
  if (!dst || !parseIPv4(dst)) usage('sim: send needs an IPv4 destination');
  let dev: string | undefined, count = 1, interval = 1000, confirm = false;
  for (let i = 1; i < rest.length; i++) {
    if (rest[i] === 'dev') dev = rest[++i];
    else if (rest[i] === 'confirm') confirm = true;
    else if (rest[i] === 'count') {
      count = Number(rest[++i]);
      if (!Number.isInteger(count) || count < 1 || count > MAX_SEND_COUNT) usage(`sim: send count needs a whole number from 1 to ${MAX_SEND_COUNT}`);
    } else if (rest[i] === 'interval') interval = duration(rest[++i], 'send interval');
    else usage(`sim: unknown word "${rest[i]}"`);
  }
  if (!((count - 1) * interval <= MAX_ADVANCE_MS)) usage('sim: send would run past 168h of virtual time; send fewer or more often');
  const mark = w.timeline[w.timeline.length - 1];
  const sent: (SendResult & { t: number; fate(): string })[] = [];
  for (let i = 0; i < count; i++) {
    if (i) b.engine.advanceTo(w.now + interval);
    if (confirm) b.engine.confirmNeighbour(b.host, dst, dev);
    sent.push({ t: w.now, ...b.engine.hostSendPacket(b.host, dst, dev) });
  }
  // Let the answers (sub-millisecond on the simulated LAN) arrive.
  b.engine.advanceTo(w.now + 1);
  if (p.json) {
    p.value({
      host: b.host.name, time_ms: w.now,
      packets: sent.map(({ text: _text, fate: _fate, ...r }) => r),
      events: eventsSince(w, mark),
    });
  } else {
    // Each packet's fate by now: a queued one may have left, or been dropped, meanwhile.
    for (const s of sent) p.write(s.fate() + '\n');
  }
}

/** Runs one `tsnet sim` command on the model; returns the exit status. */
export function runSimCommand(b: SimSession, words: string[], write: (s: string) => void, view: SimView = {}): number {
  const p = new Printer(write, view);
  try {
    const [verb, ...rest] = words;
    currentVerb = verb;
    const w = b.world;
    // Every verb answers in JSON but help, whose answer is the usage: refused before anything is done.
    if (p.json && verb === 'help') failure('sim help: no JSON output (the usage is text); run it without -j');
    switch (verb) {
      case undefined:
      case 'show':
        if (rest.length) usage(`sim: show takes nothing ("${rest[0]}")`);
        show(b, p);
        break;
      case 'reset': {
        // "empty": no traffic yet, every table empty (as a fresh set of namespaces).
        let empty = false, seed = 1;
        for (let i = 0; i < rest.length; i++) {
          if (rest[i] === 'empty') empty = true;
          else if (rest[i] === 'seed') {
            seed = Number(rest[++i]);
            if (!Number.isInteger(seed) || seed < 0) usage(`sim: seed needs a whole number, not "${rest[i] ?? ''}"`);
          } else usage(`sim: unknown word "${rest[i]}"`);
        }
        const fresh = (empty ? defaultWorld : startingWorld)(seed);
        // Replaced whole: fields a fresh world does not have (the capture) go too.
        for (const k of Object.keys(w)) delete (w as unknown as Record<string, unknown>)[k];
        Object.assign(w, fresh);
        if (p.json) p.value({ reset: true, empty, seed, time_ms: w.now, hosts: w.hosts.map((h) => h.name) });
        else p.write('model reset: host (eth0 10.0.0.2/24, default via 10.0.0.1), gw 10.0.0.1, peer3 10.0.0.3, peer4 10.0.0.4, peer5 10.0.0.5 on lan0\n');
        break;
      }
      case 'advance': {
        if (rest.length > 1) usage(`sim: advance takes one TIME ("${rest[1]}")`);
        const d = duration(rest[0], 'advance');
        if (!(d <= MAX_ADVANCE_MS)) usage('sim: advance needs a time of at most 168h (repeat it to go further)');
        const from = w.now, mark = w.timeline[w.timeline.length - 1];
        b.engine.advanceTo(w.now + d);
        if (p.json) p.value({ from_ms: from, time_ms: w.now, events: eventsSince(w, mark) });
        else p.write(`virtual time ${fmtTime(w.now)}\n`);
        break;
      }
      case 'send':
        send(b, rest, p);
        break;
      case 'timeline':
        timeline(b, rest, p);
        break;
      case 'chart':
        chart(b, rest, p);
        break;
      case 'pcap':
        pcap(b, rest, p);
        break;
      case 'peer':
        peerCommand(b, rest, p);
        break;
      case 'set': {
        const [dev, param, value] = rest;
        if (dev === 'default') {
          // arp_cache's own parms (tbl->parms), as `ntable change name arp_cache PARAM` sets them: what new devices copy.
          const t = tableOf(w, b.host, AF_INET);
          if (!param || !(PARMS_KEYS as readonly string[]).includes(param)) usage(`sim: unknown table parameter "${param}"`);
          const v = Number(value);
          if (!Number.isInteger(v) || v < 0) usage(`sim: "${value}" is not a whole number`);
          const key = param as (typeof PARMS_KEYS)[number];
          t.defaults[key] = v;
          if (key === 'base_reachable_time_ms') t.reachable_time_ms = drawReachableTime(t, v);
          if (key === 'unres_qlen') t.defaults.unres_qlen_bytes = v * SKB_TRUESIZE_FULL;
          if (key === 'unres_qlen_bytes') t.defaults.unres_qlen = Math.floor(v / SKB_TRUESIZE_FULL);
          b.engine.note(b.host, `arp_cache default: ${param} = ${v} (for devices made from now on)`, 'sim set');
          if (p.json) p.value({ host: b.host.name, dev: 'default', param, value: v });
          else p.write(`${b.host.name} default ${param} ${v}\n`);
          break;
        }
        const link = b.host.links.find((l) => l.name === dev);
        if (!link) usage(`sim: no device "${dev ?? ''}" on ${b.host.name}`);
        if (!param || !(param in DEFAULT_PARAMS)) usage(`sim: unknown parameter "${param ?? ''}"`);
        const v = Number(value);
        if (!Number.isInteger(v) || v < 0) usage(`sim: "${value ?? ''}" is not a whole number`);
        link.params[param as keyof NeighParams] = v;
        if (param === 'base_reachable_time_ms') link.reachable_time_ms = drawReachableTime(w, v);
        // The kernel keeps the queue limit in bytes; each sysctl rewrites the other's value.
        if (param === 'unres_qlen') link.params.unres_qlen_bytes = v * SKB_TRUESIZE_FULL;
        if (param === 'unres_qlen_bytes') link.params.unres_qlen = Math.floor(v / SKB_TRUESIZE_FULL);
        b.engine.note(b.host, `${dev}: ${param} = ${v}`, 'sim set');
        if (p.json) p.value({ host: b.host.name, dev, param, value: v });
        else p.write(`${b.host.name} ${dev} ${param} ${v}\n`);
        break;
      }
      case 'carrier':
        setCarrier(b, rest[0], rest[1], p);
        break;
      case 'help':
        currentVerb = undefined;
        usage();
        break;
      default:
        currentVerb = undefined;
        usage(`sim: unknown command "${verb}"`);
    }
    return 0;
  } catch (e) {
    if (e instanceof SimUsage) {
      writeAll(2, e.message + '\n');
      return e.code;
    }
    throw e;
  } finally {
    currentVerb = undefined;
  }
}
