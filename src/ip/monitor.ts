// `tsnet monitor`: ip monitor's grammar and output (ipmonitor.c, 6.1) for the
// objects tsnet knows. Runs until a signal ends it, as ip's: ip installs no
// handler, so SIGINT/SIGTERM end it by the signal (130/143 in a shell), and a
// reader that goes away ends it by SIGPIPE (141). `file FILE` prints saved
// messages instead. Live or saved, every message goes through accept() (ip's
// accept_msg()), the one place that picks its printer.
import { progName } from '../lib/progname.js';
import type { MonitorEvent, MonitorTopics, RtMessage } from '../backend.js';
import {
  AF_INET, AF_INET6, AF_UNSPEC, IFADDRMSG_LEN, IFINFOMSG_LEN, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSG_NOOP,
  NETCONFMSG_LEN, RTM_DELADDR, RTM_DELLINK, RTM_DELNEIGH, RTM_DELNETCONF, RTM_GETNEIGH, RTM_NEWADDR, RTM_NEWLINK,
  RTM_DELROUTE, RTM_NEWNEIGH, RTM_NEWNETCONF, RTM_NEWROUTE, RTMSG_LEN,
} from '../wire/rtnl-constants.js';
import { decodeNeighbour, nlmsgFlags, nlmsgType, u32At } from '../wire/nlmsg.js';
import { nlaAlign, parseAttrs } from '../wire/nlattr.js';
import { strerror } from '../errno.js';
import type { Context } from './context.js';
import { readMessageFile, savedMessages } from './monitor-file.js';
import { Args, Exit, invarg, matches } from './matches.js';
import { stdoutClosed } from '../lib/output.js';
import { type EndingSignal, dieBy, sigintIgnoredAtStart } from '../lib/signals.js';

const usageText = (): string => `Usage: ${progName()} monitor [ all | OBJECTS ] [ FILE ] [ label ] [ all-nsid ]
                  [ dev DEVICE ]
OBJECTS :=  address | link | mroute | neigh | netconf |
            nexthop | nsid | prefix | route | rule | stats
FILE := file FILENAME`;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** asctime() without its newline, in local time. */
function asctime(now: Date): string {
  const hms = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  return `${WEEKDAYS[now.getDay()]} ${MONTHS[now.getMonth()]}${String(now.getDate()).padStart(3)} ${hms} ${now.getFullYear()}`;
}

/** print_timestamp(): asctime() and microseconds, or -ts's ISO-like short form. */
export function timestamp(now: Date, micros: number, short: boolean): string {
  if (short) {
    const hms = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
    return `[${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}T${hms}.${String(micros).padStart(6, '0')}] `;
  }
  return `Timestamp: ${asctime(now)} ${micros} usec\n`;
}

/** NLMSG_TSTAMP: the time stamp rtmon writes before its dump and before each event. */
const NLMSG_TSTAMP = 15;

/** A saved message as the live watch hands it over; undefined for a type no printer of tsnet reads. */
function savedEvent(m: Uint8Array): MonitorEvent | undefined {
  const type = nlmsgType(m, 0);
  if (type === RTM_NEWNEIGH || type === RTM_DELNEIGH || type === RTM_GETNEIGH) {
    const n = decodeNeighbour(m, 0, m.length);
    return n && { object: 'neigh', msgType: type, neighbour: n };
  }
  const object = type === RTM_NEWLINK || type === RTM_DELLINK ? 'link' : type === RTM_NEWADDR || type === RTM_DELADDR ? 'addr'
    : type === RTM_NEWROUTE || type === RTM_DELROUTE ? 'route' : type === RTM_NEWNETCONF || type === RTM_DELNETCONF ? 'netconf' : undefined;
  if (!object) return undefined;
  const headerLen = object === 'link' ? IFINFOMSG_LEN : object === 'addr' ? IFADDRMSG_LEN : object === 'route' ? RTMSG_LEN : NETCONFMSG_LEN;
  const message: RtMessage = {
    type, nlFlags: nlmsgFlags(m, 0),
    header: m.subarray(NLMSG_HDRLEN, NLMSG_HDRLEN + Math.min(headerLen, m.length - NLMSG_HDRLEN)),
    attrs: parseAttrs(m.subarray(Math.min(m.length, NLMSG_HDRLEN + nlaAlign(headerLen)))),
  };
  return { object, msgType: type, message };
}

export async function doMonitor(ctx: Context, words: string[]): Promise<number> {
  let label = false;
  let ifindex = 0;
  let file: string | undefined;
  const wanted = { link: false, addr: false, neigh: false, route: false, other: false };
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (matches(w, 'file')) file = a.next();
    else if (matches(w, 'label')) label = true;
    else if (matches(w, 'link')) wanted.link = true;
    else if (matches(w, 'address')) wanted.addr = true;
    else if (matches(w, 'route')) wanted.route = true;
    else if (matches(w, 'mroute') || matches(w, 'prefix') || matches(w, 'netconf') ||
      matches(w, 'rule') || matches(w, 'nsid') || matches(w, 'nexthop') || w === 'stats') wanted.other = true;
    else if (matches(w, 'neigh')) wanted.neigh = true;
    else if (w === 'all') label = true;
    else if (matches(w, 'all-nsid')) { /* tsnet listens in one namespace; nothing to add */ }
    else if (matches(w, 'help')) throw new Exit(255, [usageText()]);
    else if (w === 'dev') {
      const v = a.next();
      ifindex = ctx.nameToIndex(v);
      if (!ifindex) invarg('Device does not exist\n', v);
    } else {
      throw new Exit(255, [`Argument "${w}" is unknown, try "${progName()} monitor help".`]);
    }
  }
  const all = !wanted.link && !wanted.addr && !wanted.neigh && !wanted.route && !wanted.other;
  const fam = ctx.opts.family;
  // The objects asked for choose what the kernel sends; a file's messages are printed whatever they are.
  const topics: MonitorTopics = {
    link: all || wanted.link || file !== undefined,
    addr4: ((all || wanted.addr) && (fam === AF_UNSPEC || fam === AF_INET)) || file !== undefined,
    addr6: ((all || wanted.addr) && (fam === AF_UNSPEC || fam === AF_INET6)) || file !== undefined,
    neigh: all || wanted.neigh || file !== undefined,
    route4: ((all || wanted.route) && (fam === AF_UNSPEC || fam === AF_INET)) || file !== undefined,
    route6: ((all || wanted.route) && (fam === AF_UNSPEC || fam === AF_INET6)) || file !== undefined,
  };
  const json = ctx.out.json;
  const accept = await acceptor(ctx, topics, label, ifindex, file !== undefined);
  if (file !== undefined) {
    try {
      return fromFile(ctx, file, accept);
    } finally {
      // ip's monitor prints text without opening a JSON writer; a batch's next line may open one.
      ctx.out.json = json;
    }
  }
  const backend = ctx.backend;
  if (!backend.watch) throw new Exit(1, ['tsnet monitor: this backend cannot stream events']);
  const out = ctx.out;
  const onEvent = (e: MonitorEvent) => {
    accept(e);
    out.flush();
    if (stdoutClosed()) stop('SIGPIPE');
  };
  let endedBy: EndingSignal | undefined;
  // An event (a closed pipe) may come while watch() is still starting: the watch is then stopped at once.
  const running: { w?: ReturnType<NonNullable<typeof backend.watch>> } = {};
  const stop = (sig: EndingSignal) => {
    endedBy ??= sig;
    running.w?.stop();
  };
  const onInt = () => stop('SIGINT'), onTerm = () => stop('SIGTERM');
  ctx.netnsMapInit();
  const w = running.w = backend.watch(topics, onEvent, (errno) => ctx.err(`netlink receive error ${strerror(errno)} (${errno})`));
  if (endedBy) w.stop();
  // Started with SIGINT ignored, ip keeps running on it: no handler then.
  const onSigint = !sigintIgnoredAtStart();
  if (onSigint) process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  await w.done;
  process.removeListener('SIGINT', onInt);
  process.removeListener('SIGTERM', onTerm);
  out.flush();
  if (endedBy) {
    // What the command holds is let go first (the model's lock, sockets), then the signal ends the process.
    ctx.backendIfOpen?.close(false);
    dieBy(endedBy);
  }
  return 0;
}

/**
 * accept_msg(): prints one message, live or saved, through its object's
 * printer (loaded here for the topics asked for: `monitor neigh` loads no
 * link or address printer; netconf's for saved messages only, tsnet watches
 * no netconf events), after -t's time stamp and the label.
 */
async function acceptor(ctx: Context, topics: MonitorTopics, label: boolean, ifindex: number, saved: boolean): Promise<(e: MonitorEvent) => void> {
  const fam = ctx.opts.family;
  ctx.link(0); // names for the devices that already exist
  // ip monitor prints neighbour events as text even with -j.
  ctx.out.json = false;
  const out = ctx.out;
  const header = (name: string) => {
    if (ctx.opts.timestamp) {
      const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
      out.fp(timestamp(new Date(Math.floor(us / 1000)), us % 1e6, ctx.opts.tshort > 0));
    }
    if (label) out.fp(name);
  };
  const [neigh, links, addrs, routes, netconf] = await Promise.all([
    topics.neigh ? import('./neigh-print.js') : undefined,
    topics.link || topics.addr4 || topics.addr6 ? import('./link-print.js') : undefined,
    topics.addr4 || topics.addr6 ? import('./addr-print.js') : undefined,
    topics.route4 || topics.route6 ? import('./route-print.js') : undefined,
    saved ? import('./netconf-print.js') : undefined,
  ]);
  // ipaddr_reset_filter(1, ifindex) and iproute_reset_filter(ifindex): the listing filters, empty but for the device.
  const linkFilter = links && { ...links.newLinkFilter(false, AF_UNSPEC), ifindex, showQueue: false };
  const addrFilter = addrs?.monitorAddrFilter(ifindex);
  const routeFilter = routes?.newRouteFilter(ifindex);
  return (e) => {
    if (e.object === 'neigh') {
      if (!neigh) return;
      const n = e.neighbour;
      if (fam && n.family !== fam) return;
      if (ifindex && n.ifindex !== ifindex) return;
      header('[NEIGH]');
      neigh.printNeighbour(ctx, n, ifindex, e.msgType === RTM_DELNEIGH ? 'deleted' : e.msgType === RTM_GETNEIGH ? 'miss' : undefined);
    } else if (e.object === 'link') {
      if (!links || !linkFilter) return;
      const ref = links.linkRef(e.message);
      if (e.msgType === RTM_DELLINK) ctx.forgetLink(links.ifInfo(e.message).index);
      else if (ref) ctx.rememberLinks([ref]);
      header('[LINK]');
      links.printLinkInfo(ctx, e.message, linkFilter);
    } else if (e.object === 'addr') {
      if (!addrs || !addrFilter) return;
      header('[ADDR]');
      addrs.printAddrInfo(ctx, e.message, addrFilter);
    } else if (e.object === 'route') {
      // A cached (cloned) route is not a FIB change: ip monitor skips it.
      if (!routes || !routeFilter || routes.isCloned(e.message)) return;
      header('[ROUTE]');
      routes.printRoute(ctx, e.message, routeFilter);
    } else {
      if (!netconf) return;
      header('[NETCONF]');
      netconf.printNetconf(ctx, e.message, ifindex);
    }
  };
}

/** rtnl_from_file() with accept_msg(): the saved messages in order; 1 when the file ends inside one. */
function fromFile(ctx: Context, name: string, accept: (e: MonitorEvent) => void): number {
  const out = ctx.out;
  let rc = 0;
  const unprinted = new Set<number>();
  for (const m of savedMessages(readMessageFile(name))) {
    if (!(m instanceof Uint8Array)) {
      ctx.err(m.error);
      return 1;
    }
    const type = nlmsgType(m, 0);
    const e = savedEvent(m);
    if (e) accept(e);
    else if (type === NLMSG_TSTAMP) {
      // print_nlmsg_timestamp(): the saved seconds in local time, and the microseconds.
      const secs = m.length >= NLMSG_HDRLEN + 4 ? u32At(m, NLMSG_HDRLEN) : 0;
      const usecs = m.length >= NLMSG_HDRLEN + 8 ? u32At(m, NLMSG_HDRLEN + 4) : 0;
      out.fp(`Timestamp: ${asctime(new Date(secs * 1000))} ${usecs} us\n`);
    } else if (type === NLMSG_ERROR || type === NLMSG_NOOP || type === NLMSG_DONE) {
      // ignored, as ip ignores them
    } else if (KNOWN_TO_IP.has(type)) {
      // A message ip prints and tsnet has no printer for: said once per type, and the status tells.
      if (!unprinted.has(type)) ctx.err(`tsnet monitor: saved message type ${type} (${KNOWN_TO_IP.get(type)}) is not printed by tsnet`);
      unprinted.add(type);
      rc = 1;
    } else {
      const flags = nlmsgFlags(m, 0), len = m.length;
      const hex = (n: number) => n.toString(16).padStart(8, '0');
      ctx.err(`Unknown message: type=0x${hex(type)}(${type}) flags=0x${hex(flags)}(${flags}) len=0x${hex(len)}(${len})`);
    }
    out.flush();
  }
  return rc;
}

/** The other message types ip's accept_msg() prints (rules, nexthops, prefixes ...). */
const KNOWN_TO_IP = new Map<number, string>([
  [104, 'RTM_NEWNEXTHOP'], [105, 'RTM_DELNEXTHOP'],
  [116, 'RTM_NEWNEXTHOPBUCKET'], [117, 'RTM_DELNEXTHOPBUCKET'], [72, 'RTM_NEWADDRLABEL'], [73, 'RTM_DELADDRLABEL'],
  [52, 'RTM_NEWPREFIX'], [32, 'RTM_NEWRULE'], [33, 'RTM_DELRULE'],
  [88, 'RTM_NEWNSID'], [89, 'RTM_DELNSID'], [92, 'RTM_NEWSTATS'],
]);
