// Link messages: the RTM_GETLINK dump, decoded to the port's LinkRef.
import type { LinkRef } from '../backend.js';
import { AttrTable, IFINFOMSG_LEN, IFLA_ADDRESS, IFLA_IFNAME, IFLA_MASTER, IFLA_MAX, RTM_GETLINK, RTM_NEWLINK, Request } from './rtnl.js';

const IFLA_BROADCAST = 2;

const IFLA_EXT_MASK = 29;
const RTEXT_FILTER_VF = 1;

export function linkDumpRequest(): Buffer {
  // ifinfomsg: family u8, pad u8, type u16, index s32, flags u32, change u32
  return new Request(RTM_GETLINK, 0, IFINFOMSG_LEN).attrU32(IFLA_EXT_MASK, RTEXT_FILTER_VF).finish();
}

const tb = new AttrTable(IFLA_MAX);

export function decodeLinkRef(buf: Buffer, off: number, len: number): LinkRef | undefined {
  if (buf.readUInt16LE(off + 4) !== RTM_NEWLINK || len < 16 + IFINFOMSG_LEN) return undefined;
  const b = off + 16;
  tb.parse(buf, b + IFINFOMSG_LEN, off + len);
  const l: LinkRef = {
    index: buf.readInt32LE(b + 4),
    type: buf.readUInt16LE(b + 2),
    flags: buf.readUInt32LE(b + 8),
    name: tb.has(IFLA_IFNAME) ? tb.str(buf, IFLA_IFNAME) : '',
  };
  if (tb.has(IFLA_MASTER)) l.master = tb.u32(buf, IFLA_MASTER);
  // Copies: the dump's buffer is reused.
  if (tb.has(IFLA_ADDRESS)) l.address = tb.view(buf, IFLA_ADDRESS)!.slice();
  if (tb.has(IFLA_BROADCAST)) l.broadcast = tb.view(buf, IFLA_BROADCAST)!.slice();
  return l;
}
