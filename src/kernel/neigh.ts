// Neighbour messages: RTM_NEWNEIGH/DELNEIGH/GETNEIGH requests and the
// decoding of RTM_NEWNEIGH answers into the port's Neighbour values.
import type { Neighbour, NeighbourChange, NeighbourDumpFilter } from '../backend.js';
import {
  NDA_CACHEINFO, NDA_DST, NDA_FLAGS_EXT, NDA_IFINDEX, NDA_LLADDR, NDA_MASTER, NDA_PROBES, NDA_PROTOCOL,
  NDMSG_LEN, NLMSG_HDRLEN, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH,
} from '../wire/rtnl-constants.js';
import { type Ndmsg, nlmsgType, parseNdmsg, u32At } from '../wire/nlmsg.js';
import { AttrList } from '../wire/nlattr.js';
import { type KernelRequest, request } from './request.js';

function ndmsg(type: number, flags: number, m: Ndmsg): KernelRequest {
  const r = request(type, flags);
  r.ndmsg(m);
  return r;
}

export function neighbourChangeRequest(del: boolean, nlFlags: number, c: NeighbourChange): Uint8Array {
  const r = ndmsg(del ? RTM_DELNEIGH : RTM_NEWNEIGH, nlFlags,
    { family: c.family, ifindex: c.ifindex, state: c.state, flags: c.flags, type: 0 });
  // Attribute order as ip sends them: protocol (parsed inline), dst, flags_ext, lladdr.
  if (c.protocol !== undefined) r.attrU8(NDA_PROTOCOL, c.protocol);
  r.attr(NDA_DST, c.dst);
  if (c.flagsExt) r.attrU32(NDA_FLAGS_EXT, c.flagsExt);
  if (c.lladdr) r.attr(NDA_LLADDR, c.lladdr);
  return r.finish();
}

export function neighbourGetRequest(family: number, ifindex: number, dst: Uint8Array, ndmFlags: number): Uint8Array {
  return ndmsg(RTM_GETNEIGH, 0, { family, ifindex, state: 0, flags: ndmFlags, type: 0 }).attr(NDA_DST, dst).finish();
}

export function neighbourDumpRequest(f: NeighbourDumpFilter): Uint8Array {
  const r = ndmsg(RTM_GETNEIGH, 0, { family: f.family, ifindex: 0, state: 0, flags: f.ndmFlags ?? 0, type: 0 });
  if (f.ifindex) r.attrU32(NDA_IFINDEX, f.ifindex);
  if (f.master) r.attrU32(NDA_MASTER, f.master);
  return r.finish();
}

// One attribute list for every message of a dump: decoding allocates no table per entry.
const tb = new AttrList();

/**
 * Decodes an RTM_NEWNEIGH (or, from the monitor, DELNEIGH/GETNEIGH) message
 * into a fully initialised record (one shape for every entry keeps this hot
 * loop cheap); byte arrays are views into `buf`. A short fixed-size
 * attribute is left out rather than read past its end.
 */
export function decodeNeighbour(buf: Uint8Array, off: number, len: number): Neighbour | undefined {
  const t = nlmsgType(buf, off);
  if ((t !== RTM_NEWNEIGH && t !== RTM_DELNEIGH && t !== RTM_GETNEIGH) || len < NLMSG_HDRLEN + NDMSG_LEN) return undefined;
  const b = off + NLMSG_HDRLEN;
  const n: Neighbour = {
    family: 0, ifindex: 0, state: 0, flags: 0, type: 0,
    dst: undefined, lladdr: undefined, cacheinfo: undefined, probes: undefined, protocol: undefined, flagsExt: undefined,
  };
  parseNdmsg(buf, b, n);
  tb.reset(buf, b + NDMSG_LEN, off + len);
  let i: number;
  if ((i = tb.index(NDA_DST)) >= 0) n.dst = tb.payload(i);
  if ((i = tb.index(NDA_LLADDR)) >= 0) n.lladdr = tb.payload(i);
  if ((i = tb.index(NDA_CACHEINFO)) >= 0 && tb.payloadLength(i) >= 16) {
    const o = tb.payloadOffset(i);
    n.cacheinfo = { confirmed: u32At(buf, o), used: u32At(buf, o + 4), updated: u32At(buf, o + 8), refcnt: u32At(buf, o + 12) };
  }
  if ((i = tb.index(NDA_PROBES)) >= 0 && tb.payloadLength(i) >= 4) n.probes = u32At(buf, tb.payloadOffset(i));
  if ((i = tb.index(NDA_PROTOCOL)) >= 0 && tb.payloadLength(i) >= 1) n.protocol = buf[tb.payloadOffset(i)];
  if ((i = tb.index(NDA_FLAGS_EXT)) >= 0 && tb.payloadLength(i) >= 4) n.flagsExt = u32At(buf, tb.payloadOffset(i));
  return n;
}
