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
  EAGAIN, EINTR, MSG_DONTWAIT, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, POLLIN, SOCK_CLOEXEC, SOCK_RAW,
  SOL_NETLINK, SOL_SOCKET, SO_RCVBUF, SO_RCVBUFFORCE, SO_SNDBUF, libc,
} from './libc.js';
import { AF_NETLINK, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSG_MIN_TYPE, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../wire/rtnl-constants.js';
import {
  nlmsgCheck, nlmsgFlags, nlmsgNext, nlmsgSeq, nlmsgType, parseNlmsgDone, parseNlmsgerr, parseNlmsghdr, stampNlmsg,
} from '../wire/nlmsg.js';
import { isWireError } from '../wire/error.js';
import type * as Describe from '../wire/describe.js';
import { NetlinkError } from '../backend.js';
import { EPROTO } from '../errno.js';

const RECV_SIZE = 1 << 20;

/** Called for each message of a reply: the buffer, the message's offset and length. */
/** One message at buf[off, off+len); `received` is how much of buf the last recv filled (dumps only). */
export type MessageHandler = (buf: Buffer, off: number, len: number, received?: number) => void;

/**
 * --trace on the running kernel: each request and answer decoded (level 1;
 * a dump's messages are counted), and at level 2 the request's bytes and
 * each dumped message too.
 */
export interface NetlinkTrace {
  level: number;
  line(text: string): void;
  /** The decoder, wire/describe.ts: loaded only by a run that traces (its tables cost every other run ~0.5 ms). */
  describe: Pick<typeof Describe, 'describeNlmsg' | 'hexGroups' | 'rtmName'>;
}

export class NetlinkSocket {
  readonly fd: number;
  /** True while a dump's messages are being handed out (the socket is not free for another request). */
  dumping = false;
  private seq = Math.floor(Date.now() / 1000) & 0x7fffffff;
  private readonly rbuf = Buffer.allocUnsafe(RECV_SIZE);
  private readonly rbuf32 = new Uint32Array(this.rbuf.buffer, this.rbuf.byteOffset, RECV_SIZE >> 2);
  private readonly rbuf16 = new Uint16Array(this.rbuf.buffer, this.rbuf.byteOffset, RECV_SIZE >> 1);

  constructor(protocol = 0, private readonly trace?: NetlinkTrace) {
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

  private send(msg: Uint8Array, flags: number): number {
    const seq = ++this.seq;
    const h = msg.length < NLMSG_HDRLEN ? parseNlmsghdr(msg) : undefined;
    if (h && isWireError(h)) throw h;
    stampNlmsg(msg, nlmsgFlags(msg, 0) | flags | NLM_F_REQUEST, seq);
    if (this.trace) {
      this.trace.line(`netlink request: ${this.trace.describe.describeNlmsg(msg)}`);
      if (this.trace.level >= 2) this.trace.line(`netlink request bytes: ${this.trace.describe.hexGroups(msg)}`);
    }
    const c = libc();
    const bytes = Buffer.from(msg.buffer, msg.byteOffset, msg.length);
    for (;;) {
      const n = c.sendto(this.fd, bytes, bytes.length, 0, null, 0);
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
  request(msg: Uint8Array, onReply?: MessageHandler): void {
    const seq = this.send(msg, NLM_F_ACK);
    for (;;) {
      const n = this.recv();
      const buf = this.rbuf;
      for (let off = 0; off < n;) {
        const len = nlmsgCheck(buf, off, n);
        if (isWireError(len)) return;
        if (nlmsgSeq(buf, off) === seq) {
          this.trace?.line(`netlink answer: ${this.trace.describe.describeNlmsg(buf.subarray(off, off + len))}`);
          if (nlmsgType(buf, off) === NLMSG_ERROR) {
            const e = parseNlmsgerr(buf, off, len);
            if (isWireError(e)) throw new NetlinkError(EPROTO, undefined, e.message);
            if (e.error !== 0) throw new NetlinkError(-e.error, e.extack);
            const ext = e.extack;
            if (ext) process.stderr.write(`Warning: ${ext}${ext.endsWith('.') ? '' : '.'}\n`);
            return;
          }
          if (onReply) onReply(Buffer.from(buf.subarray(off, off + len)), 0, len);
        }
        off = nlmsgNext(off, len);
      }
    }
  }

  /**
   * Sends a dump request and hands each message to `onMessage` until
   * NLMSG_DONE. `buf` is the socket's receive buffer: views into it are
   * valid only during the call (a handler copies what it keeps).
   */
  dump(msg: Uint8Array, onMessage: MessageHandler): void {
    this.dumping = true;
    try {
      this.dumpAll(this.send(msg, NLM_F_DUMP), onMessage);
    } finally {
      this.dumping = false;
    }
  }

  private dumpAll(seq: number, onMessage: MessageHandler): void {
    let count = 0, last = 0;
    // The headers are read through 32- and 16-bit views (messages start 4-aligned, NLMSG_ALIGN):
    // a step each instead of a call and four byte reads, for each of 10,000 messages.
    const h32 = this.rbuf32, h16 = this.rbuf16;
    for (;;) {
      const n = this.recv();
      const buf = this.rbuf;
      for (let off = 0; off < n;) {
        const len = h32[off >> 2];
        if (n - off < NLMSG_HDRLEN || len < NLMSG_HDRLEN || len > n - off) return; // nlmsgCheck()'s failures
        if (h32[(off >> 2) + 2] === seq) {
          const type = h16[(off >> 1) + 2];
          if (type >= NLMSG_MIN_TYPE && !this.trace) {
            onMessage(buf, off, len, n);
            off += (len + 3) & ~3;
            continue;
          }
          if (this.trace && (type === NLMSG_DONE || type === NLMSG_ERROR)) {
            if (count) this.trace.line(`netlink answer: ${count} ${this.trace.describe.rtmName(last)} message(s) with NLM_F_MULTI`);
            this.trace.line(`netlink answer: ${this.trace.describe.describeNlmsg(buf.subarray(off, off + len))}`);
          } else if (this.trace) {
            count++;
            last = type;
            if (this.trace.level >= 2) this.trace.line(`netlink answer: ${this.trace.describe.describeNlmsg(buf.subarray(off, off + len))}`);
          }
          if (type === NLMSG_DONE) {
            const e = parseNlmsgDone(buf, off, len);
            if (e.error < 0) throw new NetlinkError(-e.error, e.extack);
            return;
          }
          if (type === NLMSG_ERROR) {
            const e = parseNlmsgerr(buf, off, len);
            if (isWireError(e)) throw new NetlinkError(EPROTO, undefined, e.message);
            if (e.error !== 0) throw new NetlinkError(-e.error, e.extack);
            return;
          }
          onMessage(buf, off, len, n);
        }
        off += (len + 3) & ~3;
      }
    }
  }
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
        for (let off = 0; off < n;) {
          const len = nlmsgCheck(this.rbuf, off, n);
          if (isWireError(len)) break;
          onMessage(this.rbuf, off, len);
          off = nlmsgNext(off, len);
        }
      }
    }
    c.close(this.fd);
  }

  stop(): void {
    this.stopped = true;
  }
}
