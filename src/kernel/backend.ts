// The Backend port implemented on the running kernel over rtnetlink.
import type { Backend, LinkRef, Neighbour, NeighbourChange, NeighbourDumpFilter } from '../backend.js';
import { NetlinkSocket } from './netlink.js';
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

  close(): void {
    this.sock?.close();
    this.aux?.close();
    this.sock = this.aux = undefined;
  }
}
