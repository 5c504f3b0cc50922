// Neighbour messages: RTM_NEWNEIGH/DELNEIGH/GETNEIGH requests and the
// decoding of RTM_NEWNEIGH answers into the port's Neighbour values (the
// decoder is the wire codec's: `monitor file` reads saved messages with it too).
import type { NeighbourChange, NeighbourDumpFilter } from '../backend.js';
import {
  NDA_DST, NDA_FLAGS_EXT, NDA_IFINDEX, NDA_LLADDR, NDA_MASTER, NDA_PROTOCOL, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH,
} from '../wire/rtnl-constants.js';
import type { Ndmsg } from '../wire/nlmsg.js';
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

export { decodeNeighbour } from '../wire/nlmsg.js';
