// The trace of the model's rtnetlink traffic: each request as the bytes the
// kernel would have read (built the way the kernel backend builds them),
// decoded by the one describer (src/wire/describe.ts), with the handler that
// answers it; each answer decoded too, a refusal with its reason in the
// request's terms. The hex of a request only at the second trace level.
import type { Neighbour, NeighbourChange, NeighbourDumpFilter, RtMessage, RtRequest } from '../backend.js';
import {
  AF_INET6, NDA_CACHEINFO, NDA_DST, NDA_FLAGS_EXT, NDA_IFINDEX, NDA_LLADDR, NDA_MASTER, NDA_PROBES, NDA_PROTOCOL, NLM_F_ACK,
  NLM_F_DUMP, NLM_F_MULTI, NLM_F_REQUEST,
  RTM_DELADDR, RTM_DELLINK, RTM_DELNEIGH, RTM_GETADDR, RTM_GETLINK, RTM_GETNEIGH, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH,
  RTM_SETLINK,
} from '../wire/rtnl-constants.js';
import { MessageWriter } from '../wire/nlmsg.js';
import { describeAck, describeNlmsg, describeRtMessage, hexGroups } from '../wire/describe.js';
import { NetlinkError } from '../backend.js';
import type { KFn } from './kfn.js';
import { whyRefused } from './refusal.js';
import { addressBytes, macBytes } from './text.js';

/** What writes the trace: a line (with its handler's tag), and the level asked for. */
export interface TraceSink {
  line(text: string, fn?: KFn, level?: number): void;
}

/** RTM_NEWNEIGH / RTM_DELNEIGH as ip sends it: protocol, dst, flags_ext, lladdr. */
export function neighChangeBytes(del: boolean, nlFlags: number, c: NeighbourChange): Uint8Array {
  const w = new MessageWriter(del ? RTM_DELNEIGH : RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | nlFlags)
    .ndmsg({ family: c.family, ifindex: c.ifindex, state: c.state, flags: c.flags, type: 0 });
  if (c.protocol !== undefined) w.attrU8(NDA_PROTOCOL, c.protocol);
  w.attr(NDA_DST, c.dst);
  if (c.flagsExt) w.attrU32(NDA_FLAGS_EXT, c.flagsExt);
  if (c.lladdr) w.attr(NDA_LLADDR, c.lladdr);
  return w.finish();
}

export function neighDumpBytes(f: NeighbourDumpFilter): Uint8Array {
  const w = new MessageWriter(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP).ndmsg({ family: f.family, ifindex: 0, state: 0, flags: f.ndmFlags ?? 0, type: 0 });
  if (f.ifindex) w.attrU32(NDA_IFINDEX, f.ifindex);
  if (f.master) w.attrU32(NDA_MASTER, f.master);
  return w.finish();
}

export function neighGetBytes(family: number, ifindex: number, dst: Uint8Array, ndmFlags: number): Uint8Array {
  return new MessageWriter(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_ACK).ndmsg({ family, ifindex, state: 0, flags: ndmFlags, type: 0 }).attr(NDA_DST, dst).finish();
}

/** One entry of a neighbour dump as neigh_fill_info() writes it: dst, lladdr, cacheinfo, probes, protocol, flags_ext. */
export function neighMessageBytes(n: Neighbour): Uint8Array {
  const w = new MessageWriter(RTM_NEWNEIGH, NLM_F_MULTI).ndmsg({ family: n.family, ifindex: n.ifindex, state: n.state, flags: n.flags, type: n.type });
  const dst = n.dst ?? (n.dstText !== undefined ? addressBytes(n.family, n.dstText) : undefined);
  if (dst) w.attr(NDA_DST, dst);
  const ll = n.lladdr ?? (n.lladdrText !== undefined ? macBytes(n.lladdrText) : undefined);
  if (ll) w.attr(NDA_LLADDR, ll);
  if (n.cacheinfo) {
    const c = new Uint8Array(16);
    const v = new DataView(c.buffer);
    [n.cacheinfo.confirmed, n.cacheinfo.used, n.cacheinfo.updated, n.cacheinfo.refcnt].forEach((x, i) => v.setUint32(4 * i, x >>> 0, true));
    w.attr(NDA_CACHEINFO, c);
  }
  if (n.probes !== undefined) w.attrU32(NDA_PROBES, n.probes);
  if (n.protocol) w.attrU8(NDA_PROTOCOL, n.protocol);
  if (n.flagsExt) w.attrU32(NDA_FLAGS_EXT, n.flagsExt);
  return w.finish();
}

export function rtRequestBytes(req: RtRequest, nlFlags: number): Uint8Array {
  return new MessageWriter(req.type, nlFlags).header(req.header).attrs(req.attrs).finish();
}

/** The kernel function rtnetlink hands a message type to (doit, or dumpit for a dump). */
export function handlerOf(type: number, family: number, dump: boolean): KFn {
  const v6 = family === AF_INET6;
  switch (type) {
    case RTM_NEWNEIGH: return 'neigh_add';
    case RTM_DELNEIGH: return 'neigh_delete';
    case RTM_GETNEIGH: return dump ? 'neigh_dump_info' : 'neigh_get';
    case RTM_NEWADDR: return v6 ? 'inet6_rtm_newaddr' : 'inet_rtm_newaddr';
    case RTM_DELADDR: return v6 ? 'inet6_rtm_deladdr' : 'inet_rtm_deladdr';
    case RTM_GETADDR: return v6 ? 'inet6_dump_ifaddr' : 'inet_dump_ifaddr';
    case RTM_NEWLINK: return 'rtnl_newlink';
    case RTM_DELLINK: return 'rtnl_dellink';
    case RTM_SETLINK: return 'rtnl_setlink';
    case RTM_GETLINK: return dump ? 'rtnl_dump_ifinfo' : 'rtnl_getlink';
    default: return 'rtnetlink_rcv_msg';
  }
}

/** One request: decoded at the first level, its bytes at the second. Returns the handler that answers it. */
export function traceRequest(sink: TraceSink, bytes: Uint8Array): KFn {
  const type = bytes[4] | (bytes[5] << 8);
  const flags = bytes[6] | (bytes[7] << 8);
  const fn = handlerOf(type, bytes[16] ?? 0, (flags & NLM_F_DUMP) === NLM_F_DUMP);
  sink.line(`netlink request: ${describeNlmsg(bytes)}`, fn);
  sink.line(`netlink request bytes: ${hexGroups(bytes)}`, fn, 2);
  return fn;
}

/** The answers (RTM_GET replies, a dump's messages), decoded. */
export function traceReplies(sink: TraceSink, replies: readonly RtMessage[], fn: KFn): void {
  for (const m of replies) sink.line(`netlink answer: ${describeRtMessage(m.type, m.nlFlags ?? 0, m.header, [...m.attrs])}`, fn);
}

/** How a request ended: the ACK, or the refusal with the model's reason for it. */
export function traceOutcome(sink: TraceSink, fn: KFn, err?: unknown, dumped?: { count: number; what: string }): void {
  if (dumped) {
    sink.line(`netlink answer: ${dumped.count} ${dumped.what} message(s) with NLM_F_MULTI, then NLMSG_DONE`, fn);
    return;
  }
  if (err === undefined) {
    sink.line(`netlink answer: ${describeAck(0)}`, fn);
    return;
  }
  if (!(err instanceof NetlinkError)) return;
  const why = whyRefused(err);
  sink.line(`netlink answer: ${describeAck(err.errno, err.extack)}${why ? `: ${why}` : ''}`, fn);
}
