// Neighbour messages: RTM_NEWNEIGH/DELNEIGH/GETNEIGH requests and the
// decoding of RTM_NEWNEIGH answers into the port's Neighbour values.
import type { Neighbour, NeighbourChange, NeighbourDumpFilter } from '../backend.js';
import {
  NDA_CACHEINFO, NDA_DST, NDA_FLAGS_EXT, NDA_IFINDEX, NDA_LLADDR, NDA_MASTER, NDA_MAX,
  NDA_PROBES, NDA_PROTOCOL, NDMSG_LEN, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH, Request, u16, u32,
} from './rtnl.js';

// struct ndmsg: family u8, pad u8, pad u16, ifindex s32, state u16, flags u8, type u8
function ndmsg(type: number, flags: number, family: number, ifindex: number, state: number, ndmFlags: number): Request {
  return new Request(type, flags, NDMSG_LEN).u8(0, family).i32(4, ifindex).u16(8, state).u8(10, ndmFlags);
}

export function neighbourChangeRequest(del: boolean, nlFlags: number, c: NeighbourChange): Buffer {
  const r = ndmsg(del ? RTM_DELNEIGH : RTM_NEWNEIGH, nlFlags, c.family, c.ifindex, c.state, c.flags);
  // Attribute order as ip sends them: protocol (parsed inline), dst, flags_ext, lladdr.
  if (c.protocol !== undefined) r.attrU8(NDA_PROTOCOL, c.protocol);
  r.attr(NDA_DST, c.dst);
  if (c.flagsExt) r.attrU32(NDA_FLAGS_EXT, c.flagsExt);
  if (c.lladdr) r.attr(NDA_LLADDR, c.lladdr);
  return r.finish();
}

export function neighbourGetRequest(family: number, ifindex: number, dst: Uint8Array, ndmFlags: number): Buffer {
  return ndmsg(RTM_GETNEIGH, 0, family, ifindex, 0, ndmFlags).attr(NDA_DST, dst).finish();
}

export function neighbourDumpRequest(f: NeighbourDumpFilter): Buffer {
  const r = ndmsg(RTM_GETNEIGH, 0, f.family, 0, 0, f.ndmFlags ?? 0);
  if (f.ifindex) r.attrU32(NDA_IFINDEX, f.ifindex);
  if (f.master) r.attrU32(NDA_MASTER, f.master);
  return r.finish();
}

/**
 * Decodes an RTM_NEWNEIGH (or, from the monitor, DELNEIGH/GETNEIGH) message. Attributes are read in one pass straight
 * into a fully initialised record (one shape for every entry keeps this hot
 * loop cheap); byte arrays are views into `buf`.
 */
export function decodeNeighbour(buf: Buffer, off: number, len: number): Neighbour | undefined {
  const t = u16(buf, off + 4);
  if ((t !== RTM_NEWNEIGH && t !== RTM_DELNEIGH && t !== RTM_GETNEIGH) || len < 16 + NDMSG_LEN) return undefined;
  const b = off + 16;
  const n: Neighbour = {
    family: buf[b], ifindex: u32(buf, b + 4) | 0, state: u16(buf, b + 8), flags: buf[b + 10], type: buf[b + 11],
    dst: undefined, lladdr: undefined, cacheinfo: undefined, probes: undefined, protocol: undefined, flagsExt: undefined,
  };
  const end = off + len;
  let seen = 0; // bit per attribute type (NDA_MAX < 32)
  for (let p = b + NDMSG_LEN; p + 4 <= end;) {
    const alen = u16(buf, p);
    if (alen < 4 || p + alen > end) break;
    const type = u16(buf, p + 2) & 0x3fff;
    const o = p + 4;
    // The first instance of an attribute wins, as in the kernel's and ip's parsers.
    if (type <= NDA_MAX && !(seen & (1 << type))) {
      seen |= 1 << type;
      switch (type) {
        case NDA_DST: n.dst = new Uint8Array(buf.buffer, buf.byteOffset + o, alen - 4); break;
        case NDA_LLADDR: n.lladdr = new Uint8Array(buf.buffer, buf.byteOffset + o, alen - 4); break;
        case NDA_CACHEINFO:
          n.cacheinfo = { confirmed: u32(buf, o), used: u32(buf, o + 4), updated: u32(buf, o + 8), refcnt: u32(buf, o + 12) };
          break;
        case NDA_PROBES: n.probes = u32(buf, o); break;
        case NDA_PROTOCOL: n.protocol = buf[o]; break;
        case NDA_FLAGS_EXT: n.flagsExt = u32(buf, o); break;
      }
    }
    p += (alen + 3) & ~3;
  }
  return n;
}
