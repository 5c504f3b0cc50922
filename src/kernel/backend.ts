// The Backend port implemented on the running kernel over rtnetlink.
import { readFileSync } from 'node:fs';
import type {
  Backend, RtMessage, RtRequest, LinkRef, MonitorEvent, MonitorTopics, Neighbour, NeighbourChange, NeighbourDumpFilter, Watch,
} from '../backend.js';
import { NetlinkListener, NetlinkSocket } from './netlink.js';
import { KernelArpingPort } from './packet.js';
import { RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH, Request, u16 } from './rtnl.js';
import { parseAttrs } from '../wire/nlattr.js';

const RTNLGRP_LINK = 1, RTNLGRP_NEIGH = 3, RTNLGRP_IPV4_IFADDR = 5, RTNLGRP_IPV6_IFADDR = 9;
import { decodeLinkRef, linkDumpRequest } from './link.js';
import { decodeNeighbour, neighbourChangeRequest, neighbourDumpRequest, neighbourGetRequest } from './neigh.js';

export class KernelBackend implements Backend {
  private sock?: NetlinkSocket;
  /** Used for requests made from inside a dump's callback (a dump holds its socket until DONE). */
  private aux?: NetlinkSocket;

  private get nl(): NetlinkSocket {
    const s = (this.sock ??= new NetlinkSocket());
    return s.dumping ? (this.aux ??= new NetlinkSocket()) : s;
  }

  links(): LinkRef[] {
    const out: LinkRef[] = [];
    this.nl.dump(linkDumpRequest(), (buf, off, len) => {
      const l = decodeLinkRef(buf, off, len);
      if (l) out.push(l);
    });
    return out;
  }

  rtDump(req: RtRequest, each: (m: RtMessage) => void): void {
    // One copy per received chunk (many messages), views into it per message:
    // a dump of 1,000 addresses then allocates a few buffers, not a thousand.
    let chunk = new Uint8Array(0);
    this.nl.dump(rtRequestBytes(req), (buf, off, len, received = off + len) => {
      if (off === 0) chunk = Uint8Array.prototype.slice.call(new Uint8Array(buf.buffer, buf.byteOffset, received));
      each(rtMessage(chunk, off, len, req.header.length));
    });
  }

  rtRequest(req: RtRequest): RtMessage[] {
    const out: RtMessage[] = [];
    this.nl.request(rtRequestBytes(req), (buf, off, len) => out.push(rtMessage(Uint8Array.prototype.slice.call(buf, off, off + len), 0, len, req.header.length)));
    return out;
  }

  readSystemFile(path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  }

  neighbourDump(filter: NeighbourDumpFilter, each: (n: Neighbour) => void): void {
    this.nl.dump(neighbourDumpRequest(filter), (buf, off, len) => {
      const n = decodeNeighbour(buf, off, len);
      if (n) each(n);
    });
  }

  neighbourGet(family: number, ifindex: number, dst: Uint8Array, ndmFlags: number): Neighbour {
    let found: Neighbour | undefined;
    this.nl.request(neighbourGetRequest(family, ifindex, dst, ndmFlags), (buf, off, len) => {
      found ??= decodeNeighbour(buf, off, len);
    });
    if (!found) throw new Error('no answer to RTM_GETNEIGH');
    return found;
  }

  neighbourAdd(change: NeighbourChange, nlFlags: number): void {
    this.nl.request(neighbourChangeRequest(false, nlFlags, change));
  }

  neighbourDelete(change: NeighbourChange): void {
    this.nl.request(neighbourChangeRequest(true, 0, change));
  }

  neighbourFlush(entries: Neighbour[]): void {
    for (const n of entries) {
      this.neighbourDelete({ family: n.family, ifindex: n.ifindex, state: n.state, flags: n.flags, dst: n.dst ?? new Uint8Array(0) });
    }
  }

  watch(topics: MonitorTopics, each: (e: MonitorEvent) => void, onLost: (errno: number) => void): Watch {
    const groups: number[] = [];
    if (topics.link) groups.push(RTNLGRP_LINK);
    if (topics.addr4) groups.push(RTNLGRP_IPV4_IFADDR);
    if (topics.addr6) groups.push(RTNLGRP_IPV6_IFADDR);
    if (topics.neigh) groups.push(RTNLGRP_NEIGH);
    const l = new NetlinkListener(groups);
    const done = l.listen((buf, off, len) => {
      const type = u16(buf, off + 4);
      if (type === RTM_NEWNEIGH || type === RTM_DELNEIGH || type === RTM_GETNEIGH) {
        const n = decodeNeighbour(buf, off, len);
        if (n) each({ object: 'neigh', msgType: type, neighbour: n });
      } else if (type === 16 || type === 17 || type === 20 || type === 21) {
        // RTM_NEWLINK/DELLINK (ifinfomsg, 16 bytes), RTM_NEWADDR/DELADDR (ifaddrmsg, 8).
        const message = rtMessage(Uint8Array.prototype.slice.call(buf, off, off + len), 0, len, type < 20 ? 16 : 8);
        each({ object: type < 20 ? 'link' : 'addr', msgType: type, message });
      }
    }, onLost);
    return { done, stop: () => l.stop() };
  }

  arpingPort(): KernelArpingPort {
    return new KernelArpingPort();
  }

  close(): void {
    this.sock?.close();
    this.aux?.close();
    this.sock = this.aux = undefined;
  }
}

/** The bytes of a request as the kernel gets them (nlmsghdr flags and seq are set at send). */
export function rtRequestBytes(req: RtRequest): Buffer {
  return new Request(req.type, req.flags, req.header.length).fixed(req.header).attrs(req.attrs).finish();
}

/** A message's parts as views into `b` (which the caller owns and keeps). */
function rtMessage(b: Uint8Array, off: number, len: number, headerLen: number): RtMessage {
  const h = off + 16;
  return {
    type: b[off + 4] | (b[off + 5] << 8),
    nlFlags: b[off + 6] | (b[off + 7] << 8),
    header: b.subarray(h, h + Math.min(headerLen, len - 16)),
    attrs: parseAttrs(b.subarray(h + ((headerLen + 3) & ~3), off + len)),
  };
}
