// Netlink messages: struct nlmsghdr, the NLMSG_ERROR/DONE payloads, and the
// fixed rtnetlink headers that follow nlmsghdr (struct ifinfomsg, ifaddrmsg,
// ndmsg). Each has a representation (a plain object), parse (bytes -> value or
// WireError) and emit (value -> bytes at an offset of a given buffer). A
// MessageWriter builds a whole request in a buffer it is given. Pure byte
// work, no I/O, no globals; numbers are little-endian (host order, x86/arm).
import {
  IFADDRMSG_LEN, IFA_ADDRESS, IFA_ANYCAST, IFA_BROADCAST, IFA_CACHEINFO, IFA_FLAGS, IFA_LABEL, IFA_LOCAL, IFA_RT_PRIORITY, IFINFOMSG_LEN, NDA_CACHEINFO, NDA_DST, NDA_FLAGS_EXT, NDA_LLADDR, NDA_MAX, NDA_PROBES, NDA_PROTOCOL,
  NDMSG_LEN, NLA_HDRLEN, NLA_TYPE_MASK, NLMSGERR_ATTR_MSG, NLMSG_HDRLEN, NLM_F_ACK_TLVS, NLM_F_CAPPED, RTM_DELNEIGH,
  RTM_GETNEIGH, RTM_NEWNEIGH, RTMSG_LEN,
} from './rtnl-constants.js';
import { AttrList, AttrWriter, nlaAlign } from './nlattr.js';
import { WireError } from './error.js';

export function u16At(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
export function u32At(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
function putU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

function truncated(what: string, have: number, want: number): WireError {
  return new WireError('truncated', `${what}: ${have} bytes, ${want} needed`);
}

// ---- struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32 ----

export interface Nlmsghdr {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

// Field reads without a check, for loops that have checked the message with
// nlmsgCheck (the dump path reads thousands of messages).
export function nlmsgLen(b: Uint8Array, off: number): number { return u32At(b, off); }
export function nlmsgType(b: Uint8Array, off: number): number { return u16At(b, off + 4); }
export function nlmsgFlags(b: Uint8Array, off: number): number { return u16At(b, off + 6); }
export function nlmsgSeq(b: Uint8Array, off: number): number { return u32At(b, off + 8); }
/** Sets the nlmsg_flags and nlmsg_seq of the message at the start of `b` (a socket stamps each request it sends). */
export function stampNlmsg(b: Uint8Array, flags: number, seq: number): void {
  putU16(b, 6, flags);
  putU32(b, 8, seq);
}

/**
 * The checked view: the length of the message at b[off, end) when its
 * header is whole and its nlmsg_len lies within `end` (NLMSG_OK()), else a
 * WireError.
 */
export function nlmsgCheck(b: Uint8Array, off: number, end = b.length): number | WireError {
  if (end - off < NLMSG_HDRLEN) return truncated('nlmsghdr', end - off, NLMSG_HDRLEN);
  const len = u32At(b, off);
  if (len < NLMSG_HDRLEN) return new WireError('malformed', `nlmsg_len ${len} is under the header's ${NLMSG_HDRLEN}`);
  if (off + len > end) return truncated(`message of nlmsg_len ${len}`, end - off, len);
  return len;
}

export function parseNlmsghdr(b: Uint8Array, off = 0): Nlmsghdr | WireError {
  if (b.length - off < NLMSG_HDRLEN) return truncated('nlmsghdr', b.length - off, NLMSG_HDRLEN);
  return { len: u32At(b, off), type: u16At(b, off + 4), flags: u16At(b, off + 6), seq: u32At(b, off + 8), pid: u32At(b, off + 12) };
}

export function emitNlmsghdr(h: Nlmsghdr, b: Uint8Array, off = 0): number {
  putU32(b, off, h.len);
  putU16(b, off + 4, h.type);
  putU16(b, off + 6, h.flags);
  putU32(b, off + 8, h.seq);
  putU32(b, off + 12, h.pid);
  return NLMSG_HDRLEN;
}

/** Where the message after the one at `off` (of nlmsg_len `len`) starts (NLMSG_NEXT()). */
export function nlmsgNext(off: number, len: number): number {
  return off + nlaAlign(len);
}

// ---- NLMSG_ERROR (struct nlmsgerr) and NLMSG_DONE payloads ----

export interface Nlmsgerr {
  /** The kernel's (negative) errno, 0 for an ACK. */
  error: number;
  /** NLMSGERR_ATTR_MSG, the extended-ACK text, when the kernel sent one. */
  extack?: string;
}

/**
 * An NLMSG_ERROR message at b[off, off+len): the error and the extended-ACK
 * text. The TLVs follow struct nlmsgerr: the error and the echoed request,
 * whole or, with NLM_F_CAPPED, its nlmsghdr only.
 */
export function parseNlmsgerr(b: Uint8Array, off: number, len: number): Nlmsgerr | WireError {
  if (len < NLMSG_HDRLEN + 4) return truncated('nlmsgerr', len - NLMSG_HDRLEN, 4);
  const error = u32At(b, off + NLMSG_HDRLEN) | 0;
  const flags = nlmsgFlags(b, off);
  if (!(flags & NLM_F_ACK_TLVS)) return { error };
  let p = off + NLMSG_HDRLEN + 4;
  if (p + NLMSG_HDRLEN > off + len) return { error };
  p += flags & NLM_F_CAPPED ? NLMSG_HDRLEN : nlaAlign(u32At(b, p));
  return { error, extack: extackText(b, p, off + len) };
}

/** An NLMSG_DONE message: the dump's int status (negative errno) and extended-ACK text. */
export function parseNlmsgDone(b: Uint8Array, off: number, len: number): Nlmsgerr {
  if (len < NLMSG_HDRLEN + 4) return { error: 0 };
  const error = u32At(b, off + NLMSG_HDRLEN) | 0;
  if (!(nlmsgFlags(b, off) & NLM_F_ACK_TLVS)) return { error };
  return { error, extack: extackText(b, off + NLMSG_HDRLEN + 4, off + len) };
}

function extackText(b: Uint8Array, start: number, end: number): string | undefined {
  if (start >= end) return undefined;
  const s = new AttrList(b, start, end).str(NLMSGERR_ATTR_MSG);
  return s ? s : undefined;
}

// ---- struct ifinfomsg: family u8, pad u8, type u16, index s32, flags u32, change u32 ----

export interface Ifinfomsg {
  family: number;
  /** ARPHRD_* */
  type: number;
  index: number;
  /** IFF_* */
  flags: number;
  change: number;
}

export function parseIfinfomsg(b: Uint8Array, off = 0): Ifinfomsg | WireError {
  if (b.length - off < IFINFOMSG_LEN) return truncated('ifinfomsg', b.length - off, IFINFOMSG_LEN);
  return {
    family: b[off], type: u16At(b, off + 2), index: u32At(b, off + 4) | 0,
    flags: u32At(b, off + 8), change: u32At(b, off + 12),
  };
}

export function emitIfinfomsg(m: Ifinfomsg, b: Uint8Array, off = 0): number {
  b[off] = m.family;
  b[off + 1] = 0;
  putU16(b, off + 2, m.type);
  putU32(b, off + 4, m.index);
  putU32(b, off + 8, m.flags);
  putU32(b, off + 12, m.change);
  return IFINFOMSG_LEN;
}

// ---- struct ifaddrmsg: family u8, prefixlen u8, flags u8, scope u8, index u32 ----

export interface Ifaddrmsg {
  family: number;
  prefixlen: number;
  /** IFA_F_* (the low 8 bits; IFA_FLAGS carries all 32). */
  flags: number;
  scope: number;
  index: number;
}

export function parseIfaddrmsg(b: Uint8Array, off = 0): Ifaddrmsg | WireError {
  if (b.length - off < IFADDRMSG_LEN) return truncated('ifaddrmsg', b.length - off, IFADDRMSG_LEN);
  return { family: b[off], prefixlen: b[off + 1], flags: b[off + 2], scope: b[off + 3], index: u32At(b, off + 4) | 0 };
}

export function emitIfaddrmsg(m: Ifaddrmsg, b: Uint8Array, off = 0): number {
  b[off] = m.family;
  b[off + 1] = m.prefixlen;
  b[off + 2] = m.flags;
  b[off + 3] = m.scope;
  putU32(b, off + 4, m.index);
  return IFADDRMSG_LEN;
}

// ---- struct ndmsg: family u8, pad u8, pad u16, ifindex s32, state u16, flags u8, type u8 ----

export interface Ndmsg {
  family: number;
  ifindex: number;
  /** NUD_* */
  state: number;
  /** NTF_* */
  flags: number;
  /** RTN_* */
  type: number;
}

/**
 * Reads an ndmsg into `out` (a fresh object if none): a dump fills each
 * entry's own record, with no object in between.
 */
export function parseNdmsg<T extends Ndmsg = Ndmsg>(b: Uint8Array, off = 0, out?: T): T | WireError {
  if (b.length - off < NDMSG_LEN) return truncated('ndmsg', b.length - off, NDMSG_LEN);
  const m = out ?? ({} as T);
  m.family = b[off];
  m.ifindex = u32At(b, off + 4) | 0;
  m.state = u16At(b, off + 8);
  m.flags = b[off + 10];
  m.type = b[off + 11];
  return m;
}

export function emitNdmsg(m: Ndmsg, b: Uint8Array, off = 0): number {
  b.fill(0, off, off + 4);
  b[off] = m.family;
  putU32(b, off + 4, m.ifindex);
  putU16(b, off + 8, m.state);
  b[off + 10] = m.flags;
  b[off + 11] = m.type;
  return NDMSG_LEN;
}

/** An RTM_NEWNEIGH/DELNEIGH/GETNEIGH message decoded: the ndmsg and the attributes ip prints (the port's Neighbour). */
export interface NeighbourMessage extends Ndmsg {
  dst: Uint8Array | undefined;
  lladdr: Uint8Array | undefined;
  /** nda_cacheinfo, in USER_HZ ticks. */
  cacheinfo: { confirmed: number; used: number; updated: number; refcnt: number } | undefined;
  probes: number | undefined;
  protocol: number | undefined;
  flagsExt: number | undefined;
}

/**
 * An RTM_NEWNEIGH/DELNEIGH/GETNEIGH message read in place: the ndmsg's
 * fields, and where the attributes ip prints lie in `buf` (payload offsets,
 * -1 when absent). Numbers only: one view serves every message of a dump
 * (reset() per message), so a 10,000-entry listing makes no object, view or
 * string per entry. A short fixed-size attribute is left out rather than
 * read past its end.
 *
 * It walks the attributes itself instead of through AttrList (one pass with
 * a switch: a `neigh show` of 10,000 entries spends much of its time here),
 * with AttrList's rules: the RTA_OK() stop, and the first of a repeated type
 * (iproute2's parse_rtattr_flags).
 */
export class NeighbourView implements Ndmsg {
  buf: Uint8Array = new Uint8Array(0);
  family = 0;
  ifindex = 0;
  state = 0;
  flags = 0;
  type = 0;
  /** NDA_DST's payload offset and length. */
  dst = -1;
  dstLen = 0;
  /** NDA_LLADDR's payload offset and length. */
  lladdr = -1;
  lladdrLen = 0;
  /** NDA_CACHEINFO's payload offset (struct nda_cacheinfo: confirmed, used, updated, refcnt; u32 each). */
  cacheinfo = -1;
  /** NDA_PROBES, NDA_PROTOCOL and NDA_FLAGS_EXT's values, -1 when absent. */
  probes = -1;
  protocol = -1;
  flagsExt = -1;

  /** Reads the message at buf[off, off+len); false when it is no neighbour message or too short for its ndmsg. */
  reset(buf: Uint8Array, off: number, len: number): boolean {
    const t = buf[off + 4] | (buf[off + 5] << 8);
    if ((t !== RTM_NEWNEIGH && t !== RTM_DELNEIGH && t !== RTM_GETNEIGH) || len < NLMSG_HDRLEN + NDMSG_LEN) return false;
    const b = off + NLMSG_HDRLEN;
    this.buf = buf;
    this.family = buf[b];
    this.ifindex = buf[b + 4] | (buf[b + 5] << 8) | (buf[b + 6] << 16) | (buf[b + 7] << 24);
    this.state = buf[b + 8] | (buf[b + 9] << 8);
    this.flags = buf[b + 10];
    this.type = buf[b + 11];
    let dst = -1, dstLen = 0, lladdr = -1, lladdrLen = 0, cacheinfo = -1, probes = -1, protocol = -1, flagsExt = -1;
    const end = off + len;
    let seen = 0; // bit per attribute type (NDA_MAX < 32)
    for (let p = b + NDMSG_LEN; p + NLA_HDRLEN <= end;) {
      const alen = buf[p] | (buf[p + 1] << 8);
      if (alen < NLA_HDRLEN || p + alen > end) break;
      const type = (buf[p + 2] | (buf[p + 3] << 8)) & NLA_TYPE_MASK;
      const o = p + NLA_HDRLEN, l = alen - NLA_HDRLEN;
      if (type <= NDA_MAX && !(seen & (1 << type))) {
        seen |= 1 << type;
        switch (type) {
          case NDA_DST: dst = o; dstLen = l; break;
          case NDA_LLADDR: lladdr = o; lladdrLen = l; break;
          case NDA_CACHEINFO: if (l >= 16) cacheinfo = o; break;
          case NDA_PROBES: if (l >= 4) probes = u32At(buf, o); break;
          case NDA_PROTOCOL: if (l >= 1) protocol = buf[o]; break;
          case NDA_FLAGS_EXT: if (l >= 4) flagsExt = u32At(buf, o); break;
        }
      }
      p += (alen + 3) & ~3;
    }
    this.dst = dst;
    this.dstLen = dstLen;
    this.lladdr = lladdr;
    this.lladdrLen = lladdrLen;
    this.cacheinfo = cacheinfo;
    this.probes = probes;
    this.protocol = protocol;
    this.flagsExt = flagsExt;
    return true;
  }
}

/**
 * Decodes an RTM_NEWNEIGH (or, from the monitor, DELNEIGH/GETNEIGH) message
 * into a fully initialised record (one shape for every entry); byte arrays
 * are views into `buf`.
 */
export function decodeNeighbour(buf: Uint8Array, off: number, len: number): NeighbourMessage | undefined {
  const v = new NeighbourView();
  if (!v.reset(buf, off, len)) return undefined;
  const ci = v.cacheinfo;
  return {
    family: v.family, ifindex: v.ifindex, state: v.state, flags: v.flags, type: v.type,
    dst: v.dst >= 0 ? new Uint8Array(buf.buffer, buf.byteOffset + v.dst, v.dstLen) : undefined,
    lladdr: v.lladdr >= 0 ? new Uint8Array(buf.buffer, buf.byteOffset + v.lladdr, v.lladdrLen) : undefined,
    cacheinfo: ci >= 0 ? { confirmed: u32At(buf, ci), used: u32At(buf, ci + 4), updated: u32At(buf, ci + 8), refcnt: u32At(buf, ci + 12) } : undefined,
    probes: v.probes >= 0 ? v.probes : undefined,
    protocol: v.protocol >= 0 ? v.protocol : undefined,
    flagsExt: v.flagsExt >= 0 ? v.flagsExt : undefined,
  };
}

let viewed: Uint8Array | undefined, viewWords: Uint32Array | undefined;

/**
 * The bytes of `buf` as 32-bit words in host order (netlink's own), for the
 * dump readers: netlink lays out messages and attributes on 4-byte bounds, so an
 * attribute's header, or a 32-bit value, is one word. In the interpreter a
 * typed-array read costs as much as a handful of other steps: one read instead
 * of four. Undefined if buf does not start on a 4-byte bound. The last buffer's
 * view is kept (a dump hands over the same receive buffer again and again).
 */
export function wordView(buf: Uint8Array): Uint32Array | undefined {
  if (buf !== viewed) {
    viewed = buf;
    viewWords = (buf.byteOffset & 3) === 0 ? new Uint32Array(buf.buffer, buf.byteOffset, buf.length >> 2) : undefined;
  }
  return viewWords;
}

/** A copy of buf[off, off+len) that starts on a 4-byte bound, for a reader that needs wordView(). */
export function alignedCopy(buf: Uint8Array, off: number, len: number): Uint8Array {
  const c = new Uint8Array(len);
  c.set(buf.subarray(off, off + len));
  return c;
}

/**
 * An RTM_NEWADDR/DELADDR message read in place, as NeighbourView: the
 * ifaddrmsg's fields (`flags` from IFA_FLAGS when it is there), and the
 * payload offset (-1: absent) and length of each attribute ip prints. One
 * view serves every message of a dump. `odd` marks what a reader of this
 * view does not handle (a short IFA_FLAGS): it then reads the message
 * through AttrList.
 */
export class AddressView {
  buf: Uint8Array = new Uint8Array(0);
  /** buf as words (wordView): a 32-bit value at byte offset o (a multiple of 4) is words[o >> 2]. */
  words: Uint32Array = new Uint32Array(0);
  type = 0;
  family = 0;
  prefixlen = 0;
  flags = 0;
  scope = 0;
  index = 0;
  address = -1;
  addressLen = 0;
  local = -1;
  localLen = 0;
  label = -1;
  labelLen = 0;
  broadcast = -1;
  broadcastLen = 0;
  anycast = -1;
  anycastLen = 0;
  cacheinfo = -1;
  cacheinfoLen = 0;
  rtPriority = -1;
  rtPriorityLen = 0;
  odd = false;

  /** Reads the message at buf[off, off+len); false when it is too short for its ifaddrmsg. */
  reset(buf: Uint8Array, off: number, len: number): boolean {
    if (len < NLMSG_HDRLEN + IFADDRMSG_LEN) return false;
    const w = wordView(buf);
    if (!w || off & 3) return this.reset(alignedCopy(buf, off, len), 0, len);
    const h = off + NLMSG_HDRLEN;
    this.buf = buf;
    this.words = w;
    this.type = buf[off + 4] | (buf[off + 5] << 8);
    this.family = buf[h];
    this.prefixlen = buf[h + 1];
    let flags = buf[h + 2];
    this.scope = buf[h + 3];
    this.index = w[(h + 4) >> 2] | 0;
    let address = -1, addressLen = 0, local = -1, localLen = 0, label = -1, labelLen = 0, broadcast = -1, broadcastLen = 0;
    let anycast = -1, anycastLen = 0, cacheinfo = -1, cacheinfoLen = 0, rtPriority = -1, rtPriorityLen = 0, odd = false;
    const end = off + len;
    let seen = 0; // bit per attribute type below 32 (the first of a repeated type counts, as AttrList)
    for (let p = h + IFADDRMSG_LEN; p + NLA_HDRLEN <= end;) {
      const hd = w[p >> 2];
      const alen = hd & 0xffff;
      if (alen < NLA_HDRLEN || p + alen > end) break;
      const type = (hd >>> 16) & NLA_TYPE_MASK;
      const o = p + NLA_HDRLEN, l = alen - NLA_HDRLEN;
      if (type < 32 && !(seen & (1 << type))) {
        seen |= 1 << type;
        switch (type) {
          case IFA_ADDRESS: address = o; addressLen = l; break;
          case IFA_LOCAL: local = o; localLen = l; break;
          case IFA_LABEL: label = o; labelLen = l; break;
          case IFA_BROADCAST: broadcast = o; broadcastLen = l; break;
          case IFA_ANYCAST: anycast = o; anycastLen = l; break;
          case IFA_CACHEINFO: cacheinfo = o; cacheinfoLen = l; break;
          case IFA_RT_PRIORITY: rtPriority = o; rtPriorityLen = l; break;
          case IFA_FLAGS: if (l >= 4) flags = w[o >> 2]; else odd = true; break;
        }
      }
      p += (alen + 3) & ~3;
    }
    this.flags = flags;
    this.address = address;
    this.addressLen = addressLen;
    this.local = local;
    this.localLen = localLen;
    this.label = label;
    this.labelLen = labelLen;
    this.broadcast = broadcast;
    this.broadcastLen = broadcastLen;
    this.anycast = anycast;
    this.anycastLen = anycastLen;
    this.cacheinfo = cacheinfo;
    this.cacheinfoLen = cacheinfoLen;
    this.rtPriority = rtPriority;
    this.rtPriorityLen = rtPriorityLen;
    this.odd = odd;
    return true;
  }
}

// ---- struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type (u8 each), flags u32 ----

export interface Rtmsg {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  /** The low 8 bits of the table id (RTA_TABLE carries all 32). */
  table: number;
  /** RTPROT_* */
  protocol: number;
  /** RT_SCOPE_* */
  scope: number;
  /** RTN_* */
  type: number;
  /** RTM_F_* and RTNH_F_* */
  flags: number;
}

export function parseRtmsg(b: Uint8Array, off = 0): Rtmsg | WireError {
  if (b.length - off < RTMSG_LEN) return truncated('rtmsg', b.length - off, RTMSG_LEN);
  return {
    family: b[off], dstLen: b[off + 1], srcLen: b[off + 2], tos: b[off + 3], table: b[off + 4],
    protocol: b[off + 5], scope: b[off + 6], type: b[off + 7], flags: u32At(b, off + 8),
  };
}

export function emitRtmsg(m: Rtmsg, b: Uint8Array, off = 0): number {
  b[off] = m.family;
  b[off + 1] = m.dstLen;
  b[off + 2] = m.srcLen;
  b[off + 3] = m.tos;
  b[off + 4] = m.table;
  b[off + 5] = m.protocol;
  b[off + 6] = m.scope;
  b[off + 7] = m.type;
  putU32(b, off + 8, m.flags);
  return RTMSG_LEN;
}

// ---- a whole request ----

/**
 * Builds one message in the buffer it is given: nlmsghdr (seq and pid left
 * 0 for the transport to set), one fixed header, then attributes; finish()
 * writes nlmsg_len and returns the bytes (a view into `buffer`).
 */
export class MessageWriter extends AttrWriter {
  constructor(type: number, flags: number, buffer?: Uint8Array) {
    super(buffer, 0);
    this.ensure(NLMSG_HDRLEN);
    emitNlmsghdr({ len: 0, type, flags, seq: 0, pid: 0 }, this.buffer, 0);
    this.len = NLMSG_HDRLEN;
  }

  /** Appends a fixed header given as bytes (zero-padded to 4). */
  header(bytes: Uint8Array): this {
    const at = this.room(bytes.length);
    this.buffer.set(bytes, at);
    return this;
  }

  ifinfomsg(m: Ifinfomsg): this {
    const at = this.room(IFINFOMSG_LEN); // first: it may replace this.buffer
    emitIfinfomsg(m, this.buffer, at);
    return this;
  }
  ifaddrmsg(m: Ifaddrmsg): this {
    const at = this.room(IFADDRMSG_LEN); // first: it may replace this.buffer
    emitIfaddrmsg(m, this.buffer, at);
    return this;
  }
  ndmsg(m: Ndmsg): this {
    const at = this.room(NDMSG_LEN); // first: it may replace this.buffer
    emitNdmsg(m, this.buffer, at);
    return this;
  }

  finish(): Uint8Array {
    putU32(this.buffer, 0, this.len);
    return this.bytes();
  }

  /** Reserves n bytes (aligned, zeroed) and returns where they start. */
  private room(n: number): number {
    const at = this.len;
    const end = at + nlaAlign(n);
    this.ensure(end);
    this.buffer.fill(0, at, end);
    this.len = end;
    return at;
  }
}
