// `tsnet monitor`: ip monitor's grammar and output (ipmonitor.c, 6.1) for the
// objects tsnet knows. Runs until a signal ends it, as ip's: ip installs no
// handler, so SIGINT/SIGTERM end it by the signal (130/143 in a shell), and a
// reader that goes away ends it by SIGPIPE (141).
import { progName } from '../lib/progname.js';
import type { MonitorEvent, MonitorTopics } from '../backend.js';
import { AF_INET, AF_INET6, AF_UNSPEC, RTM_DELNEIGH, RTM_GETNEIGH } from '../wire/rtnl-constants.js';
import { strerror } from '../errno.js';
import type { Context } from './context.js';
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

/** print_timestamp(): asctime() and microseconds, or -ts's ISO-like short form. */
export function timestamp(now: Date, micros: number, short: boolean): string {
  const hms = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  if (short) {
    return `[${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}T${hms}.${String(micros).padStart(6, '0')}] `;
  }
  const asc = `${WEEKDAYS[now.getDay()]} ${MONTHS[now.getMonth()]}${String(now.getDate()).padStart(3)} ${hms} ${now.getFullYear()}`;
  return `Timestamp: ${asc} ${micros} usec\n`;
}

export async function doMonitor(ctx: Context, words: string[]): Promise<number> {
  let label = false;
  let ifindex = 0;
  const wanted = { link: false, addr: false, neigh: false, route: false, other: false };
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (matches(w, 'file')) {
      a.next();
      throw new Exit(1, ['tsnet monitor: reading saved netlink messages ("file") is not supported']);
    } else if (matches(w, 'label')) label = true;
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
  const topics: MonitorTopics = {
    link: all || wanted.link,
    addr4: (all || wanted.addr) && (fam === AF_UNSPEC || fam === AF_INET),
    addr6: (all || wanted.addr) && (fam === AF_UNSPEC || fam === AF_INET6),
    neigh: all || wanted.neigh,
    route4: (all || wanted.route) && (fam === AF_UNSPEC || fam === AF_INET),
    route6: (all || wanted.route) && (fam === AF_UNSPEC || fam === AF_INET6),
  };
  const backend = ctx.backend;
  if (!backend.watch) throw new Exit(1, ['tsnet monitor: this backend cannot stream events']);
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
  // The printers of the topics asked for only: `monitor neigh` loads no link or address printer.
  const [neigh, links, addrs, routes] = await Promise.all([
    topics.neigh ? import('./neigh-print.js') : undefined,
    topics.link || topics.addr4 || topics.addr6 ? import('./link-print.js') : undefined,
    topics.addr4 || topics.addr6 ? import('./addr-print.js') : undefined,
    topics.route4 || topics.route6 ? import('./route-print.js') : undefined,
  ]);
  // ipaddr_reset_filter(1, ifindex): the listing filters, empty but for the device, one-line addresses.
  const linkFilter = links && { ...links.newLinkFilter(false, AF_UNSPEC), ifindex, showQueue: false };
  const addrFilter = addrs?.monitorAddrFilter(ifindex);
  const routeFilter = routes?.newRouteFilter(ifindex);
  const onEvent = (e: MonitorEvent) => {
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
      if (ref && e.msgType === 16) ctx.rememberLinks([ref]);
      header('[LINK]');
      links.printLinkInfo(ctx, e.message, linkFilter);
    } else if (e.object === 'route') {
      if (!routes || !routeFilter || routes.isCloned(e.message)) return;
      header('[ROUTE]');
      routes.printRoute(ctx, e.message, routeFilter);
    } else {
      if (!addrs || !addrFilter) return;
      header('[ADDR]');
      addrs.printAddrInfo(ctx, e.message, addrFilter);
    }
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
