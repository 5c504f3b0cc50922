// ip addr flush (rounds of dump and delete), and save/restore/showdump in
// ip's binary format (ip/ipaddress.c, 6.1).
import { readFileSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { AF_UNSPEC, NLM_F_CREATE, NetlinkError, type RtMessage } from '../backend.js';
import { EADDRNOTAVAIL, EEXIST, strerror } from '../errno.js';
import { type Attrs, type LinkAttr, parseAttrs } from '../wire/nlattr.js';
import { MessageWriter, emitNlmsghdr, nlmsgFlags, nlmsgLen, nlmsgNext, nlmsgType } from '../wire/nlmsg.js';
import { netlinkErrorLine } from './common.js';
import type { Context } from './context.js';
import { newLinkFilter, sl } from './link-print.js';
import { Exit } from './matches.js';
import { type AddrFilter, addrPasses, dumpAddresses, ifa, printAddrInfo } from './addr-print.js';
import { IFADDRMSG_LEN, IFA_F_SECONDARY, NLMSG_HDRLEN, NLM_F_MULTI, NLM_F_REQUEST, RTM_DELADDR } from '../wire/rtnl-constants.js';

/** The first u32 of `ip addr save`'s output. */
const SAVE_MAGIC = 0x47361222;

/** The attributes of a received message as a request's, in the kernel's order (flush, restore). */
export function asRequestAttrs(tb: Attrs): LinkAttr[] {
  return [...tb].map(([type, value]) => ({ type, kind: 'bytes', value }));
}

/** ipaddr_flush(): rounds of dump + delete until nothing matches (or -l rounds). */
export function flush(ctx: Context, f: AddrFilter): number {
  f.flushing = true;
  const out = ctx.out;
  // ip opens no JSON writer for a flush: with -j too, -s -s lists the addresses as text.
  out.json = false;
  const stats = ctx.opts.stats;
  const max = ctx.opts.loops;
  let round = 0;
  const done = () => {
    if (stats) out.fp(round === 0 ? 'Nothing to flush.\n' : `*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
    return 0;
  };
  while (max === 0 || round < max) {
    let victims: RtMessage[];
    try {
      victims = dumpAddresses(ctx, f).filter((m) => addrPasses(ctx, m, f));
    } catch (e) {
      if (e instanceof NetlinkError) throw new Exit(1, ['Flush terminated']);
      throw e;
    }
    if (stats > 1) for (const m of victims) printAddrInfo(ctx, m, f);
    if (victims.length === 0) return done();
    round++;
    for (const m of victims) {
      try {
        ctx.rtnl.rtRequest({ type: RTM_DELADDR, flags: 0, header: m.header, attrs: asRequestAttrs(m.attrs) });
      } catch (e) {
        if (!(e instanceof NetlinkError)) throw e;
        // The kernel may already have dropped it with its primary: ip ignores that.
        if (e.errno === EADDRNOTAVAIL) continue;
        out.flush();
        ctx.err(`Failed to send flush request: ${strerror(e.errno)}`);
        return 1;
      }
    }
    if (stats) out.fp(`\n*** Round ${round}, deleting ${victims.length} addresses ***\n`);
    // Flushing primaries only: one round, or the promoted secondaries would go next.
    if (!(f.flags & IFA_F_SECONDARY) && f.flagmask & IFA_F_SECONDARY) return done();
  }
  out.flush();
  ctx.err(`*** Flush remains incomplete after ${max} rounds. ***`);
  return 1;
}

/** One message as ip writes it to a save file: nlmsghdr + ifaddrmsg + attributes. */
function encodeMessage(m: RtMessage, seq: number): Buffer {
  const flags = m.nlFlags ?? NLM_F_MULTI;
  const b = new MessageWriter(m.type, flags).header(m.header).attrs(asRequestAttrs(m.attrs)).finish();
  emitNlmsghdr({ len: b.length, type: m.type, flags, seq, pid: 0 }, b);
  return Buffer.from(b.buffer, b.byteOffset, b.length);
}

/** ip addr save: the magic, then every matching address as the kernel sent it. */
export function save(ctx: Context, f: AddrFilter): number {
  if (isatty(1)) {
    ctx.err('Not sending a binary stream to stdout');
    return 1;
  }
  const seq = Math.floor(Date.now() / 1000) >>> 0;
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0].writeUInt32LE(SAVE_MAGIC, 0);
  // ip's dump asks for the family of -4/-6 and the device, and saves what comes (no other filter).
  for (const m of dumpAddresses(ctx, { ...f, family: ctx.opts.family })) {
    if (f.ifindex && ifa(m).index !== f.ifindex) continue;
    parts.push(encodeMessage(m, seq));
  }
  ctx.out.flush();
  writeBinary(Buffer.concat(parts));
  return 0;
}

function writeBinary(b: Buffer): void {
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(1, b, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

/** rtnl_from_file(): the messages of a save file; undefined when the magic is wrong. */
function readSaved(ctx: Context): { header: Buffer; type: number; flags: number; body: Buffer }[] {
  if (isatty(0)) throw new Exit(255, ['Can\'t restore address dump from a terminal']);
  let data: Buffer;
  try {
    data = readFileSync(0);
  } catch {
    data = Buffer.alloc(0);
  }
  // fread(&magic, 4, 1): a short file fills part of the u32 and counts 0 elements.
  let magic = 0;
  for (let i = Math.min(4, data.length) - 1; i >= 0; i--) magic = ((magic << 8) | data[i]) >>> 0;
  if (magic !== SAVE_MAGIC || data.length < 4) {
    throw new Exit(255, [`Magic mismatch (${data.length >= 4 ? 1 : 0} elems, ${magic.toString(16)} magic)`]);
  }
  const msgs = [];
  for (let p = 4; p + NLMSG_HDRLEN <= data.length;) {
    const len = nlmsgLen(data, p);
    if (len < NLMSG_HDRLEN || p + len > data.length) {
      ctx.err(len < NLMSG_HDRLEN ? `!!!malformed message: len=${len}` : '!!!program error: message truncated');
      break;
    }
    const h = p + NLMSG_HDRLEN;
    msgs.push({
      header: data.subarray(h, h + IFADDRMSG_LEN), type: nlmsgType(data, p), flags: nlmsgFlags(data, p),
      body: data.subarray(h + IFADDRMSG_LEN, p + len),
    });
    p = nlmsgNext(p, len);
  }
  return msgs;
}

/** ip addr restore: each saved address as RTM_NEWADDR with NLM_F_CREATE; existing ones are fine. */
export function restore(ctx: Context): number {
  for (const m of readSaved(ctx)) {
    try {
      ctx.rtnl.rtRequest({ type: m.type, flags: (m.flags | NLM_F_CREATE) & ~(NLM_F_REQUEST | NLM_F_MULTI), header: m.header, attrs: asRequestAttrs(parseAttrs(m.body)) });
    } catch (e) {
      if (!(e instanceof NetlinkError)) throw e;
      // rtnl_talk() reports every refusal; restore_handler forgives only EEXIST.
      ctx.err(netlinkErrorLine(e));
      if (e.errno !== EEXIST) return 255;
    }
  }
  return 0;
}

/** ip addr showdump: the addresses of a save file, each under "if<N>:". */
export function showDump(ctx: Context): number {
  const msgs = readSaved(ctx);
  const out = ctx.out;
  // ip does not reset its filter for showdump: no one-line "N: dev" prefix even with -o.
  const f: AddrFilter = { ...newLinkFilter(false, AF_UNSPEC), scope: 0, scopemask: 0, flags: 0, flagmask: 0, oneline: false, flushing: false };
  out.startListing();
  out.openObject();
  out.openArray('addr_info');
  for (const s of msgs) {
    const m: RtMessage = { type: s.type, header: s.header, attrs: parseAttrs(s.body) };
    const index = s.header.readInt32LE(4);
    out.openObject();
    out.uint('index', `if${index}:`, index);
    out.fp(sl(ctx));
    printAddrInfo(ctx, m, f);
    out.closeObject();
  }
  out.closeArray();
  out.closeObject();
  out.endListing();
  return 0;
}
