// The topology the model starts from and the peers on its LANs: a host is
// lo plus Ethernet links, each plugged into a named segment; `tsnet sim
// peer` adds and removes the other hosts. Links as the kernel has them once
// they have been up for a while (lo's addresses, IPv6 link-locals done).
import { linkLocalFor } from './addrconf.js';
import { drawReachableTime } from './clock.js';
import { defaultRoute } from './fib.js';
import { DEFAULT_PARAMS } from './neighbour.js';
import { IFF_BROADCAST, IFF_LOOPBACK, IFF_LOWER_UP, IFF_MULTICAST, IFF_RUNNING, IFF_UP } from '../wire/rtnl-constants.js';
import { STATE_VERSION, type SimHost, type SimLink, type World } from './world.js';

export const LINK_FLAGS_UP = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP;

function loopback(w: World): SimLink {
  return {
    index: 1, name: 'lo', type: 772, mac: '00:00:00:00:00:00', broadcast: '00:00:00:00:00:00',
    flags: IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP, mtu: 65536, carrier: true,
    // As the kernel has them once lo is up: 127.0.0.1/8, then ::1 (IFAPROT_KERNEL_LO).
    addresses: [{ family: 2, local: '127.0.0.1', prefixlen: 8 }, { family: 10, local: '::1', prefixlen: 128, scope: 254, proto: 1 }],
    params: { ...DEFAULT_PARAMS }, inet6Ready: true,
    reachable_time_ms: drawReachableTime(w, DEFAULT_PARAMS.base_reachable_time_ms),
  };
}

export function ethernet(w: World, index: number, name: string, mac: string, segment: string, addr?: string, plen = 24): SimLink {
  return {
    index, name, type: 1, mac, broadcast: 'ff:ff:ff:ff:ff:ff', flags: LINK_FLAGS_UP, mtu: 1500, segment, carrier: true,
    // Up with carrier for a while: its link-local (IFAPROT_KERNEL_LL) has passed DAD.
    addresses: [...(addr ? [{ family: 2, local: addr, prefixlen: plen }] : []), { family: 10, local: linkLocalFor(mac), prefixlen: 64, scope: 253, proto: 3 }],
    params: { ...DEFAULT_PARAMS }, inet6Ready: true,
    reachable_time_ms: drawReachableTime(w, DEFAULT_PARAMS.base_reachable_time_ms),
  };
}

export function makeHost(w: World, name: string, links: SimLink[] = []): SimHost {
  return { name, links: [loopback(w), ...links], neighbours: [], proxies: [] };
}

/**
 * The topology `tsnet --dry-run` starts from: host "host" with eth0
 * 10.0.0.2/24 on segment lan0, a gateway 10.0.0.1 and three peers.
 */
export function defaultWorld(seed = 1): World {
  // Spread the seed over 32 bits so that small seeds do not start the generator near 0.
  const w: World = { version: STATE_VERSION, now: 0, rng: Math.imul(seed >>> 0 || 1, 0x9e3779b1) >>> 0 || 1, hosts: [], frames: [], timeline: [], periodicAt: 15000, lastRand: 0 };
  const host = makeHost(w, 'host', [ethernet(w, 2, 'eth0', '02:00:00:00:00:02', 'lan0', '10.0.0.2')]);
  host.routes = [defaultRoute('10.0.0.1', 2)];
  w.hosts.push(host);
  const peer = (name: string, ip: string, mac: string) => {
    const p = makeHost(w, name, [ethernet(w, 2, 'eth0', mac, 'lan0', ip)]);
    p.delay_ms = 0.2;
    w.hosts.push(p);
  };
  peer('gw', '10.0.0.1', '02:00:00:00:00:01');
  peer('peer3', '10.0.0.3', '02:00:00:00:00:03');
  peer('peer4', '10.0.0.4', '02:00:00:00:00:04');
  peer('peer5', '10.0.0.5', '02:00:00:00:00:05');
  return w;
}

export function findHost(w: World, name: string): SimHost | undefined {
  return w.hosts.find((h) => h.name === name);
}
