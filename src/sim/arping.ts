// The arping port on the model: the packet socket is a tap on the host's
// link, frames go onto the simulated LAN (so the peers' caches react as the
// kernel's would), and time is virtual, so `tsnet --dry-run arping` ends at
// once with simulated round-trip times.
import type { ArpingDevice, ArpingFrame, ArpingPort, ArpingSocket } from '../arping/port.js';
import { parseIPv4, parseLladdr } from '../lib/inet.js';
import { ETH_HLEN, decodeArp, ipToString, isArpError, macAt } from '../wire/arp.js';
import type { Engine } from './engine.js';
import { routeFor, sourceFor } from './route.js';
import type { SimHost } from './world.js';
import { EADDRNOTAVAIL, EINVAL, ENODEV } from '../errno.js';

/** Network is unreachable (errno.ts names the errnos the front prints). */
const ENETUNREACH = 101;
/** An arping without -c or -w would run until Ctrl-C; on virtual time it stops here. */
const MAX_VIRTUAL_MS = 60000;

const mac = (s: string) => parseLladdr(s) as Uint8Array;
const ip = (b: Uint8Array) => `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;

class SimArpingSocket implements ArpingSocket {
  mac: Uint8Array = new Uint8Array(0);
  private ifindex = 0;
  private readonly inbox: ArpingFrame[] = [];
  private interrupted = false;
  private readonly started: number;

  constructor(private readonly engine: Engine, private readonly host: SimHost, private readonly warn: (s: string) => void) {
    this.started = engine.w.now;
  }

  bind(ifindex: number): number {
    const link = this.host.links.find((l) => l.index === ifindex);
    if (!link) return ENODEV;
    this.ifindex = ifindex;
    this.mac = link.type === 772 ? new Uint8Array(0) : mac(link.mac);
    this.engine.tap(this.host, ifindex, (bytes, pkttype) => {
      this.inbox.push({ payload: bytes.subarray(ETH_HLEN), pkttype, at: BigInt(Math.round(this.engine.w.now * 1e6)) });
    });
    return 0;
  }

  send(payload: Uint8Array, to: Uint8Array): bigint | { errno: number } {
    const link = this.host.links.find((l) => l.index === this.ifindex)!;
    const f = decodeArp(payload);
    if (isArpError(f)) return { errno: EINVAL };
    f.ethDst = macAt(to, 0);
    f.ethSrc = macAt(this.mac, 0);
    this.engine.send(this.host, link, f, `arping: ${f.op === 2 ? 'reply' : 'request'} for ${ipToString(f.tpa)}`, 'arping');
    return BigInt(Math.round(this.engine.w.now * 1e6));
  }

  async next(deadline: bigint | undefined): Promise<ArpingFrame | 'timeout' | 'interrupted'> {
    const limit = this.started + MAX_VIRTUAL_MS;
    const until = deadline === undefined ? limit : Math.min(Number(deadline) / 1e6, limit);
    for (;;) {
      if (this.interrupted) return 'interrupted';
      const f = this.inbox.shift();
      if (f) return f;
      const at = this.engine.nextEventAt();
      if (at > until) {
        this.engine.advanceTo(until);
        if (until >= limit && (deadline === undefined || Number(deadline) / 1e6 > limit)) {
          this.warn(`dry-run: stopped after ${MAX_VIRTUAL_MS / 1000} s of virtual time (give -c or -w)\n`);
          return 'interrupted';
        }
        return 'timeout';
      }
      this.engine.advanceTo(at);
    }
  }

  interrupt(): void {
    this.interrupted = true;
  }

  close(): void {
    this.engine.untap(this.host, this.ifindex);
  }
}

export class SimArpingPort implements ArpingPort {
  constructor(private readonly engine: Engine, private readonly host: SimHost, private readonly warn: (s: string) => void) {}

  devices(): ArpingDevice[] {
    return this.host.links.map((l) => ({
      name: l.name, ifindex: l.index, flags: l.flags, mac: mac(l.mac), broadcast: mac(l.broadcast),
    }));
  }

  routeDevice(dst: Uint8Array): ArpingDevice | undefined {
    const r = routeFor(this.host, ip(dst));
    return r && this.devices().find((d) => d.ifindex === r.link.index);
  }

  sourceFor(dst: Uint8Array, device: string): Uint8Array | { errno: number } {
    const link = this.host.links.find((l) => l.name === device);
    const s = link && sourceFor(link, ip(dst));
    return s ? parseIPv4(s)! : { errno: ENETUNREACH };
  }

  canBind(src: Uint8Array): number {
    const a = ip(src);
    return this.host.links.some((l) => l.addresses.some((x) => x.local === a)) ? 0 : EADDRNOTAVAIL;
  }

  open(): ArpingSocket {
    return new SimArpingSocket(this.engine, this.host, this.warn);
  }

  now(): bigint {
    return BigInt(Math.round(this.engine.w.now * 1e6));
  }
}
