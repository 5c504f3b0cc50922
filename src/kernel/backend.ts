// The Backend port implemented on the running kernel over rtnetlink.
import { readFileSync } from 'node:fs';
import type {
  Backend, NetlinkError, RtMessage, RtRequest, LinkRef, MonitorEvent, MonitorTopics, Neighbour, NeighbourChange, NeighbourDumpFilter, Watch,
} from '../backend.js';
import { NetlinkListener, NetlinkSocket, type NetlinkTrace } from './netlink.js';
import { KernelArpingPort } from './packet.js';
import {
  IFADDRMSG_LEN, IFINFOMSG_LEN, NLMSG_HDRLEN, RTMSG_LEN, RTM_DELADDR, RTM_DELLINK, RTM_DELNEIGH, RTM_DELROUTE,
  RTM_GETNEIGH, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWROUTE, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE, RTNLGRP_LINK, RTNLGRP_NEIGH,
} from '../wire/rtnl-constants.js';
import { NeighbourView, nlmsgFlags, nlmsgType } from '../wire/nlmsg.js';
import { AttrList, nlaAlign, parseAttrs } from '../wire/nlattr.js';
import { request } from './request.js';
import { decodeLinkRef, linkDumpRequest } from './link.js';
import { netnsFd, netnsNames, nsidNames } from './netns.js';
import { KernelNetns } from './netns-ops.js';
import { decodeNeighbour, neighbourChangeRequest, neighbourDumpRequest, neighbourGetRequest } from './neigh.js';

export class KernelBackend implements Backend {
  private sock?: NetlinkSocket;
  /** Used for requests made from inside a dump's callback (a dump holds its socket until DONE). */
  private aux?: NetlinkSocket;

  /** `trace`: --trace, the requests and answers decoded on stderr (stdout and the exit status stay as they are). */
  constructor(private readonly trace?: NetlinkTrace) {}

  private get nl(): NetlinkSocket {
    const s = (this.sock ??= new NetlinkSocket(0, this.trace));
    return s.dumping ? (this.aux ??= new NetlinkSocket(0, this.trace)) : s;
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

  rtDumpTransient(req: RtRequest, each: (m: RtMessage) => void): void {
    const headerLen = req.header.length;
    const header = new Uint8Array(headerLen);
    const attrs = new AttrList();
    const m: RtMessage = { type: 0, nlFlags: 0, header, attrs };
    this.nl.dump(rtRequestBytes(req), (buf, off, len) => {
      const h = off + NLMSG_HDRLEN;
      m.type = nlmsgType(buf, off);
      m.nlFlags = nlmsgFlags(buf, off);
      const n = Math.min(headerLen, len - NLMSG_HDRLEN);
      header.fill(0);
      for (let i = 0; i < n; i++) header[i] = buf[h + i];
      attrs.reset(buf, Math.min(h + nlaAlign(headerLen), off + len), off + len);
      each(m);
    });
  }

  rtDumpInPlace(req: RtRequest, each: (buf: Uint8Array, off: number, len: number) => void): void {
    this.nl.dump(rtRequestBytes(req), each);
  }

  rtRequest(req: RtRequest): RtMessage[] {
    const out: RtMessage[] = [];
    this.nl.request(rtRequestBytes(req), (buf, off, len) => out.push(rtMessage(Uint8Array.prototype.slice.call(buf, off, off + len), 0, len, req.header.length)));
    return out;
  }

  namespaces(): string[] {
    return netnsNames();
  }

  namespaceFd(name: string): number | undefined {
    return netnsFd(name);
  }

  private nsids?: Map<number, string>;

  netns(): KernelNetns {
    return new KernelNetns((req) => this.rtRequest(req));
  }

  namespaceOfNsid(nsid: number, refused?: (e: NetlinkError) => void): string | undefined {
    return (this.nsids ??= nsidNames((req) => this.rtRequest(req), refused)).get(nsid);
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

  neighbourDumpInPlace(filter: NeighbourDumpFilter, each: (v: NeighbourView) => void): void {
    const v = new NeighbourView();
    this.nl.dump(neighbourDumpRequest(filter), (buf, off, len) => {
      if (v.reset(buf, off, len)) each(v);
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
    if (topics.route4) groups.push(RTNLGRP_IPV4_ROUTE);
    if (topics.route6) groups.push(RTNLGRP_IPV6_ROUTE);
    const l = new NetlinkListener(groups);
    const done = l.listen((buf, off, len) => {
      const type = nlmsgType(buf, off);
      if (type === RTM_NEWNEIGH || type === RTM_DELNEIGH || type === RTM_GETNEIGH) {
        const n = decodeNeighbour(buf, off, len);
        if (n) each({ object: 'neigh', msgType: type, neighbour: n });
      } else if (type === RTM_NEWLINK || type === RTM_DELLINK || type === RTM_NEWADDR || type === RTM_DELADDR) {
        const link = type === RTM_NEWLINK || type === RTM_DELLINK;
        const message = rtMessage(Uint8Array.prototype.slice.call(buf, off, off + len), 0, len, link ? IFINFOMSG_LEN : IFADDRMSG_LEN);
        each({ object: link ? 'link' : 'addr', msgType: type, message });
      } else if (type === RTM_NEWROUTE || type === RTM_DELROUTE) {
        each({ object: 'route', msgType: type, message: rtMessage(Uint8Array.prototype.slice.call(buf, off, off + len), 0, len, RTMSG_LEN) });
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
  const b = request(req.type, req.flags).header(req.header).attrs(req.attrs).finish();
  return Buffer.from(b.buffer, b.byteOffset, b.length);
}

/** A message's parts as views into `b` (which the caller owns and keeps). */
function rtMessage(b: Uint8Array, off: number, len: number, headerLen: number): RtMessage {
  const h = off + NLMSG_HDRLEN;
  return {
    type: nlmsgType(b, off),
    nlFlags: nlmsgFlags(b, off),
    header: b.subarray(h, h + Math.min(headerLen, len - NLMSG_HDRLEN)),
    attrs: parseAttrs(b.subarray(h + nlaAlign(headerLen), off + len)),
  };
}
