// A synchronous rtnetlink socket over libc (koffi), with extended ACKs.
//
// Why not the `netlink` npm package's transport: requiring it costs ~60 ms
// (measured here; node itself starts in ~90 ms), it reports errors only as
// text (no errno), never asks for extended ACKs, and it aborts the process
// (SIGABRT, uncatchable) when its socket overflows. A CLI does one request at
// a time, so a blocking socket read right after the send is both the simplest
// and the fastest transport: the kernel has queued the answer before
// sendto() returns. Dumps are read to NLMSG_DONE before the next request, so
// at most one request is ever in flight and the receive buffer cannot overflow.
import {
  AF_NETLINK, EAGAIN, EINTR, MSG_DONTWAIT, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, POLLIN, SOCK_CLOEXEC, SOCK_RAW,
  SOL_NETLINK, SOL_SOCKET, SO_RCVBUF, SO_RCVBUFFORCE, SO_SNDBUF, libc,
} from './libc.js';
import {
  NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_DUMP, NLM_F_REQUEST,
  NLMSGERR_ATTR_MSG, align4, u16, u32,
} from './rtnl.js';
import { NetlinkError } from '../backend.js';

const RECV_SIZE = 1 << 20;

/** Called for each message of a reply: the buffer, the message's offset and length. */
/** One message at buf[off, off+len); `received` is how much of buf the last recv filled (dumps only). */
export type MessageHandler = (buf: Buffer, off: number, len: number, received?: number) => void;

export class NetlinkSocket {
  readonly fd: number;
  /** True while a dump's messages are being handed out (the socket is not free for another request). */
  dumping = false;
  private seq = Math.floor(Date.now() / 1000) & 0x7fffffff;
  private readonly rbuf = Buffer.allocUnsafe(RECV_SIZE);

  constructor(protocol = 0) {
    const c = libc();
    const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (fd < 0) throw new NetlinkError(c.errno(), undefined, 'Cannot open netlink socket');
    this.fd = fd;
    const one = Buffer.alloc(4);
    one.writeInt32LE(1);
    c.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4);
    c.setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, one, 4);
    const size = Buffer.alloc(4);
    size.writeInt32LE(32768);
    c.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, size, 4);
    size.writeInt32LE(RECV_SIZE);
    c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
    const sa = Buffer.alloc(12);
    sa.writeUInt16LE(AF_NETLINK, 0);
    if (c.bind(fd, sa, 12) < 0) {
      const e = c.errno();
      c.close(fd);
      throw new NetlinkError(e, undefined, 'Cannot bind netlink socket');
    }
  }

  close(): void {
    libc().close(this.fd);
  }

  private send(msg: Buffer, flags: number): number {
    const seq = ++this.seq;
    msg.writeUInt16LE(msg.readUInt16LE(6) | flags | NLM_F_REQUEST, 6);
    msg.writeUInt32LE(seq, 8);
    const c = libc();
    for (;;) {
      const n = c.sendto(this.fd, msg, msg.length, 0, null, 0);
      if (n >= 0) return seq;
      const e = c.errno();
      if (e !== EINTR) throw new NetlinkError(e);
    }
  }

  private recv(): number {
    const c = libc();
    for (;;) {
      const n = c.recvfrom(this.fd, this.rbuf, RECV_SIZE, 0, null, null);
      if (n >= 0) return n;
      const e = c.errno();
      if (e !== EINTR) throw new NetlinkError(e);
    }
  }

  /**
   * Sends a request with NLM_F_ACK and waits for its acknowledgement. Reply
   * messages that come before the ACK (an RTM_GET answer) go to `onReply`.
   * A negative ACK throws NetlinkError with the errno and the kernel's
   * extended-ACK message.
   */
  request(msg: Buffer, onReply?: MessageHandler): void {
    const seq = this.send(msg, NLM_F_ACK);
    for (;;) {
      const n = this.recv();
      let off = 0;
      const buf = this.rbuf;
      while (off + 16 <= n) {
        const len = u32(buf, off);
        if (len < 16 || off + len > n) return;
        const type = u16(buf, off + 4);
        if (u32(buf, off + 8) === seq) {
          if (type === NLMSG_ERROR) {
            const err = -(u32(buf, off + 16) | 0);
            const ext = extackMessage(this.rbuf, off, len);
            if (err !== 0) throw new NetlinkError(err, ext);
            if (ext) process.stderr.write(`Warning: ${ext}${ext.endsWith('.') ? '' : '.'}\n`);
            return;
          }
          if (onReply) onReply(Buffer.from(this.rbuf.subarray(off, off + len)), 0, len);
        }
        off += align4(len);
      }
    }
  }

  /**
   * Sends a dump request and hands each message to `onMessage` until
   * NLMSG_DONE. `buf` is the socket's receive buffer: views into it are
   * valid only during the call (a handler copies what it keeps).
   */
  dump(msg: Buffer, onMessage: MessageHandler): void {
    this.dumping = true;
    try {
      this.dumpAll(this.send(msg, NLM_F_DUMP), onMessage);
    } finally {
      this.dumping = false;
    }
  }

  private dumpAll(seq: number, onMessage: MessageHandler): void {
    for (;;) {
      const n = this.recv();
      const buf = this.rbuf;
      let off = 0;
      while (off + 16 <= n) {
        const len = u32(buf, off);
        if (len < 16 || off + len > n) return;
        if (u32(buf, off + 8) === seq) {
          const type = u16(buf, off + 4);
          if (type === NLMSG_DONE) {
            const err = len >= 20 ? -buf.readInt32LE(off + 16) : 0;
            if (err > 0) throw new NetlinkError(err, extackMessage(buf, off, len, 4));
            return;
          }
          if (type === NLMSG_ERROR) {
            const err = -buf.readInt32LE(off + 16);
            if (err !== 0) throw new NetlinkError(err, extackMessage(buf, off, len));
            return;
          }
          onMessage(buf, off, len, n);
        }
        off += align4(len);
      }
    }
  }
}

/**
 * The NLMSGERR_ATTR_MSG text of an error or DONE message, if the kernel sent
 * one. `fixed` is the payload before the TLVs: struct nlmsgerr (plus the
 * echoed request unless NLM_F_CAPPED), or the int of a DONE message.
 */
function extackMessage(buf: Buffer, off: number, len: number, fixed?: number): string | undefined {
  const flags = buf.readUInt16LE(off + 6);
  if (!(flags & NLM_F_ACK_TLVS)) return undefined;
  let p = off + 16;
  if (fixed !== undefined) p += fixed;
  else {
    p += 4; // error
    const inner = buf.readUInt32LE(p);
    p += flags & NLM_F_CAPPED ? 16 : align4(inner);
  }
  const end = off + len;
  while (p + 4 <= end) {
    const alen = buf.readUInt16LE(p);
    const type = buf.readUInt16LE(p + 2) & 0x3fff;
    if (alen < 4 || p + alen > end) break;
    if (type === NLMSGERR_ATTR_MSG) {
      let e = p + alen;
      while (e > p + 4 && buf[e - 1] === 0) e--;
      const s = buf.toString('utf8', p + 4, e);
      return s.length ? s : undefined;
    }
    p += align4(alen);
  }
  return undefined;
}

/**
 * A socket subscribed to rtnetlink multicast groups (ip monitor). Waiting
 * happens in poll() on a worker thread, so timers and signals keep working;
 * the messages are then read without blocking and handed out one by one.
 */
export class NetlinkListener {
  private readonly fd: number;
  private readonly rbuf = Buffer.allocUnsafe(RECV_SIZE);
  private stopped = false;

  /** `groups` are RTNLGRP_* numbers. */
  constructor(groups: number[]) {
    const c = libc();
    const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new NetlinkError(c.errno(), undefined, 'Cannot open netlink socket');
    this.fd = fd;
    const size = Buffer.alloc(4);
    size.writeInt32LE(RECV_SIZE);
    // A burst (a big flush) must not overflow it: take a large buffer, forced when root.
    if (c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) < 0) c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
    let mask = 0;
    for (const g of groups) if (g <= 32) mask |= 1 << (g - 1);
    const sa = Buffer.alloc(12);
    sa.writeUInt16LE(AF_NETLINK, 0);
    sa.writeUInt32LE(mask >>> 0, 8);
    if (c.bind(fd, sa, 12) < 0) {
      const e = c.errno();
      c.close(fd);
      throw new NetlinkError(e, undefined, 'Cannot bind netlink socket');
    }
  }

  /** Reads until stop(); `onError` hears receive errors (ENOBUFS: events were lost) and listening goes on. */
  async listen(onMessage: MessageHandler, onError: (errno: number) => void): Promise<void> {
    const c = libc();
    const pfd = Buffer.alloc(8);
    pfd.writeInt32LE(this.fd, 0);
    pfd.writeInt16LE(POLLIN, 4);
    while (!this.stopped) {
      pfd.writeInt16LE(0, 6);
      const r = await c.pollAsync(pfd, 1, 200);
      if (this.stopped) break;
      if (r <= 0) continue;
      for (;;) {
        const n = c.recvfrom(this.fd, this.rbuf, RECV_SIZE, MSG_DONTWAIT, null, null);
        if (n < 0) {
          const e = c.errno();
          if (e === EAGAIN || e === EINTR) break;
          onError(e);
          break;
        }
        for (let off = 0; off + 16 <= n;) {
          const len = u32(this.rbuf, off);
          if (len < 16 || off + len > n) break;
          onMessage(this.rbuf, off, len);
          off += align4(len);
        }
      }
    }
    c.close(this.fd);
  }

  stop(): void {
    this.stopped = true;
  }
}
