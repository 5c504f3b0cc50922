// The arping port on the running kernel: an AF_PACKET/SOCK_DGRAM socket for
// ARP (as iputils uses), interfaces and the route to a target over
// rtnetlink, and source selection with a UDP socket (connect + getsockname,
// or bind for -s), all through libc.
//
// Receiving never blocks the event loop: the socket is non-blocking, and
// waiting happens in poll() on a koffi worker thread. The arrival time is
// the kernel's own receive timestamp (SIOCGSTAMPNS), so the measured RTT
// does not include this process's wake-up latency; the send time is read on
// the same clock (CLOCK_REALTIME) before sendto(), since on a veth the reply
// can be stamped before sendto() returns: the RTT is then never negative.
import type { ArpingDevice, ArpingFrame, ArpingPort, ArpingSocket } from '../arping/port.js';
import { EAGAIN, EINTR, MSG_DONTWAIT, POLLIN, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOL_SOCKET, libc } from './libc.js';
import { NetlinkSocket } from './netlink.js';
import { decodeLinkRef, linkDumpRequest } from './link.js';
import { AF_INET, AF_PACKET, NLMSG_HDRLEN, RTA_DST, RTA_OIF, RTM_GETROUTE, RTM_NEWROUTE, RTMSG_LEN } from '../wire/rtnl-constants.js';
import { nlmsgType } from '../wire/nlmsg.js';
import { AttrList } from '../wire/nlattr.js';
import { request } from './request.js';
import { ETH_P_ARP } from '../wire/arp.js';

const SO_BINDTODEVICE = 25, SO_DONTROUTE = 5;
const SIOCGSTAMPNS = 0x8907;
const CLOCK_REALTIME = 0;
const SOCKADDR_LL = 20;

function sockaddrIn(addr: Uint8Array, port = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  b.set(addr, 4);
  return b;
}

/** A UDP socket bound to the device, as iputils makes one to pick or check the source address. */
function udpOn(device: string): number | { errno: number } {
  const c = libc();
  const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return { errno: c.errno() };
  // A failure here is only a warning in iputils; the source is then picked without the device.
  c.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(device + '\0'), device.length + 1);
  return fd;
}

/**
 * CLOCK_REALTIME, the clock of the kernel's receive stamps (SIOCGSTAMPNS): a send
 * time read on it and a reply's stamp need no conversion between clocks, which
 * (read at different moments, or with anything run between) made RTTs negative.
 */
function realtimeNs(): bigint {
  const ts = Buffer.alloc(16);
  libc().clock_gettime(CLOCK_REALTIME, ts);
  return timespecNs(ts);
}

/** A struct timespec's time in ns. */
function timespecNs(ts: Buffer): bigint {
  return ts.readBigInt64LE(0) * 1000000000n + ts.readBigInt64LE(8);
}

class PacketSocket implements ArpingSocket {
  mac: Uint8Array = new Uint8Array(0);
  private ifindex = 0;
  private interrupted = false;
  private readonly buf = Buffer.alloc(4096);
  private readonly from = Buffer.alloc(SOCKADDR_LL);
  private readonly fromLen = Buffer.alloc(4);
  private readonly pfd = Buffer.alloc(8);
  /** The struct timespec send() reads the clock into. */
  private readonly sentAt = Buffer.alloc(16);

  constructor(private readonly fd: number) {
    this.pfd.writeInt32LE(fd, 0);
    this.pfd.writeInt16LE(POLLIN, 4);
  }

  bind(ifindex: number): number {
    const c = libc();
    const sa = Buffer.alloc(SOCKADDR_LL);
    sa.writeUInt16LE(AF_PACKET, 0);
    sa.writeUInt16BE(ETH_P_ARP, 2);
    sa.writeInt32LE(ifindex, 4);
    if (c.bind(this.fd, sa, SOCKADDR_LL) < 0) return c.errno();
    const len = Buffer.alloc(4);
    len.writeUInt32LE(SOCKADDR_LL);
    if (c.getsockname(this.fd, sa, len) < 0) return c.errno();
    this.mac = Uint8Array.prototype.slice.call(sa, 12, 12 + sa[11]);
    this.ifindex = ifindex;
    // The kernel stamps a frame's arrival only once some socket has asked for stamps; the first
    // SIOCGSTAMPNS asks (and fails here: nothing has arrived). Asked only after the first reply,
    // that reply's stamp would be the time of the ioctl, after the wake-up.
    c.ioctl(this.fd, SIOCGSTAMPNS, this.sentAt);
    return 0;
  }

  send(payload: Uint8Array, to: Uint8Array): bigint | { errno: number } {
    const c = libc();
    const sa = Buffer.alloc(SOCKADDR_LL);
    sa.writeUInt16LE(AF_PACKET, 0);
    sa.writeUInt16BE(ETH_P_ARP, 2);
    sa.writeInt32LE(this.ifindex, 4);
    sa[11] = to.length;
    sa.set(to, 12);
    const frame = Buffer.from(payload);
    // The clock is read right before sendto and made a number after it: no JavaScript work in the RTT.
    c.clock_gettime(CLOCK_REALTIME, this.sentAt);
    const n = c.sendto(this.fd, frame, payload.length, 0, sa, SOCKADDR_LL);
    return n === payload.length ? timespecNs(this.sentAt) : { errno: c.errno() };
  }

  /** One frame if one is queued, with the kernel's stamp of its arrival (CLOCK_REALTIME, as send()'s time). */
  private tryRecv(): ArpingFrame | undefined {
    const c = libc();
    this.fromLen.writeUInt32LE(SOCKADDR_LL);
    const n = c.recvfrom(this.fd, this.buf, this.buf.length, MSG_DONTWAIT, this.from, this.fromLen);
    if (n < 0) return undefined;
    const ts = Buffer.alloc(16);
    const at = c.ioctl(this.fd, SIOCGSTAMPNS, ts) === 0 ? timespecNs(ts) : realtimeNs();
    return { payload: Uint8Array.prototype.slice.call(this.buf, 0, n), pkttype: this.from[10], at };
  }

  async next(deadline: bigint | undefined): Promise<ArpingFrame | 'timeout' | 'interrupted'> {
    const c = libc();
    for (;;) {
      if (this.interrupted) return 'interrupted';
      const f = this.tryRecv();
      if (f) return f;
      const e = c.errno();
      if (e !== EAGAIN && e !== EINTR) return 'interrupted';
      let wait = 100;
      if (deadline !== undefined) {
        const left = Number(deadline - process.hrtime.bigint()) / 1e6;
        if (left <= 0) return 'timeout';
        wait = Math.min(wait, Math.ceil(left));
      }
      this.pfd.writeInt16LE(0, 6);
      await c.pollAsync(this.pfd, 1, wait);
    }
  }

  interrupt(): void {
    this.interrupted = true;
  }

  close(): void {
    libc().close(this.fd);
  }
}

export class KernelArpingPort implements ArpingPort {
  private nl?: NetlinkSocket;

  private get netlink(): NetlinkSocket {
    return (this.nl ??= new NetlinkSocket());
  }

  devices(): ArpingDevice[] {
    const out: ArpingDevice[] = [];
    this.netlink.dump(linkDumpRequest(), (buf, off, len) => {
      const l = decodeLinkRef(buf, off, len);
      if (l) out.push({ name: l.name, ifindex: l.index, flags: l.flags, mac: l.address, broadcast: l.broadcast });
    });
    return out;
  }

  routeDevice(dst: Uint8Array): ArpingDevice | undefined {
    // rtmsg (12 bytes): family, rtm_dst_len 32 (our socket asks for strict checking, which wants it).
    const rtm = new Uint8Array(RTMSG_LEN);
    rtm[0] = AF_INET;
    rtm[1] = 32;
    const req = request(RTM_GETROUTE, 0).header(rtm).attr(RTA_DST, dst).finish();
    let oif = 0;
    try {
      this.netlink.request(req, (buf, off, len) => {
        if (nlmsgType(buf, off) !== RTM_NEWROUTE) return;
        oif = new AttrList(buf, off + NLMSG_HDRLEN + RTMSG_LEN, off + len).u32(RTA_OIF) ?? oif;
      });
    } catch {
      return undefined;
    }
    return this.devices().find((d) => d.ifindex === oif);
  }

  sourceFor(dst: Uint8Array, device: string, dontRoute: boolean): Uint8Array | { errno: number } {
    const c = libc();
    const fd = udpOn(device);
    if (typeof fd !== 'number') return fd;
    try {
      if (dontRoute) {
        const one = Buffer.alloc(4);
        one.writeInt32LE(1);
        c.setsockopt(fd, SOL_SOCKET, SO_DONTROUTE, one, 4);
      }
      if (c.connect(fd, sockaddrIn(dst, 1025), 16) < 0) return { errno: c.errno() };
      const sa = Buffer.alloc(16);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(16);
      if (c.getsockname(fd, sa, len) < 0) return { errno: c.errno() };
      return Uint8Array.prototype.slice.call(sa, 4, 8);
    } finally {
      c.close(fd);
    }
  }

  canBind(src: Uint8Array, device: string): number {
    const c = libc();
    const fd = udpOn(device);
    if (typeof fd !== 'number') return fd.errno;
    try {
      return c.bind(fd, sockaddrIn(src), 16) < 0 ? c.errno() : 0;
    } finally {
      c.close(fd);
    }
  }

  open(): ArpingSocket | { errno: number } {
    const c = libc();
    const fd = c.socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return { errno: c.errno() };
    return new PacketSocket(fd);
  }

  now(): bigint {
    return process.hrtime.bigint();
  }

  close(): void {
    this.nl?.close();
  }
}
