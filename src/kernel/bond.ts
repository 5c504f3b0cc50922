// The link requests `tsnet bond` needs (RTM_NEWLINK/SETLINK/DELLINK with
// IFLA_LINKINFO) and the decoding of a link's linkinfo for the bond printers.
// Encoded as ip 6.1 encodes `ip link add/set/del` (see the strace captures in
// /work/shared/reference/bond). The general link calls belong with `tsnet link`;
// this is the minimal subset, to be unified with it.
import type { BondLink, LinkChange } from '../backend.js';
import type { LinkAttr } from '../wire/nlattr.js';
import { parseAttrs } from '../wire/nlattr.js';
import {
  AttrTable, IFINFOMSG_LEN, IFLA_ADDRESS, IFLA_IFNAME, IFLA_MASTER, IFLA_MAX, NLM_F_CREATE, NLM_F_EXCL,
  RTM_DELLINK, RTM_NEWLINK, Request,
} from './rtnl.js';

const IFLA_OPERSTATE = 16, IFLA_CARRIER = 33, IFLA_LINKINFO = 18, IFLA_PERM_ADDRESS = 54;
const IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, IFLA_INFO_SLAVE_KIND = 4, IFLA_INFO_SLAVE_DATA = 5;
const IFF_UP = 0x1;

/** ip link add NAME type KIND [DATA]: RTM_NEWLINK, NLM_F_CREATE|NLM_F_EXCL. */
export function linkAddRequest(name: string, kind: string, data: LinkAttr[]): Buffer {
  const r = new Request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, IFINFOMSG_LEN).attrStr(IFLA_IFNAME, name);
  const li = r.beginNest(IFLA_LINKINFO);
  r.attr(IFLA_INFO_KIND, Buffer.from(kind)); // ip sends the kind without its NUL
  if (data.length) {
    const d = r.beginNest(IFLA_INFO_DATA);
    r.attrs(data);
    r.endNest(d);
  }
  r.endNest(li);
  return r.finish();
}

/** ip link set DEV [up|down] [master M|nomaster] [type KIND DATA | type KIND_slave DATA]: RTM_NEWLINK on the index. */
export function linkSetRequest(ifindex: number, c: LinkChange): Buffer {
  const r = new Request(RTM_NEWLINK, 0, IFINFOMSG_LEN).i32(4, ifindex);
  if (c.up !== undefined) r.u32(8, c.up ? IFF_UP : 0).u32(12, IFF_UP);
  if (c.master !== undefined) r.attrU32(IFLA_MASTER, c.master);
  if (c.kind !== undefined) {
    const li = r.beginNest(IFLA_LINKINFO);
    r.attr(IFLA_INFO_KIND, Buffer.from(c.kind));
    if (c.data?.length) {
      const d = r.beginNest(IFLA_INFO_DATA);
      r.attrs(c.data);
      r.endNest(d);
    }
    r.endNest(li);
  } else if (c.slaveKind !== undefined) {
    const li = r.beginNest(IFLA_LINKINFO);
    // ip 6.1 sends `type bond_slave` as IFLA_INFO_KIND "bond_slave" (no NUL) + IFLA_INFO_SLAVE_DATA.
    r.attr(IFLA_INFO_KIND, Buffer.from(c.slaveKind));
    if (c.slaveData?.length) {
      const d = r.beginNest(IFLA_INFO_SLAVE_DATA);
      r.attrs(c.slaveData);
      r.endNest(d);
    }
    r.endNest(li);
  }
  return r.finish();
}

export function linkDelRequest(ifindex: number): Buffer {
  return new Request(RTM_DELLINK, 0, IFINFOMSG_LEN).i32(4, ifindex).finish();
}

const tb = new AttrTable(IFLA_MAX);
const info = new AttrTable(8);

/** A RTM_NEWLINK message with its linkinfo (copies: the dump buffer is reused). */
export function decodeBondLink(buf: Buffer, off: number, len: number): BondLink | undefined {
  if (buf.readUInt16LE(off + 4) !== RTM_NEWLINK || len < 16 + IFINFOMSG_LEN) return undefined;
  const b = off + 16;
  tb.parse(buf, b + IFINFOMSG_LEN, off + len);
  const l: BondLink = {
    index: buf.readInt32LE(b + 4),
    type: buf.readUInt16LE(b + 2),
    flags: buf.readUInt32LE(b + 8),
    name: tb.has(IFLA_IFNAME) ? tb.str(buf, IFLA_IFNAME) : '',
  };
  if (tb.has(IFLA_MASTER)) l.master = tb.u32(buf, IFLA_MASTER);
  if (tb.has(IFLA_ADDRESS)) l.address = tb.view(buf, IFLA_ADDRESS)!.slice();
  if (tb.has(IFLA_PERM_ADDRESS)) l.permAddress = tb.view(buf, IFLA_PERM_ADDRESS)!.slice();
  if (tb.has(IFLA_OPERSTATE)) l.operstate = tb.u8(buf, IFLA_OPERSTATE);
  if (tb.has(IFLA_CARRIER)) l.carrier = tb.u8(buf, IFLA_CARRIER) !== 0;
  if (tb.has(IFLA_LINKINFO)) {
    const s = tb.off[IFLA_LINKINFO];
    info.parse(buf, s, s + tb.len[IFLA_LINKINFO]);
    if (info.has(IFLA_INFO_KIND)) l.kind = info.str(buf, IFLA_INFO_KIND);
    if (info.has(IFLA_INFO_DATA)) l.data = parseAttrs(info.view(buf, IFLA_INFO_DATA)!.slice());
    if (info.has(IFLA_INFO_SLAVE_KIND)) l.slaveKind = info.str(buf, IFLA_INFO_SLAVE_KIND);
    if (info.has(IFLA_INFO_SLAVE_DATA)) l.slaveData = parseAttrs(info.view(buf, IFLA_INFO_SLAVE_DATA)!.slice());
  }
  return l;
}
