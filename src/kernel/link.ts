// Link messages: the RTM_GETLINK dump, decoded to the port's LinkRef.
import type { LinkRef } from '../backend.js';
import {
  IFINFOMSG_LEN, IFLA_ADDRESS, IFLA_BROADCAST, IFLA_EXT_MASK, IFLA_IFNAME, IFLA_MASTER, NLMSG_HDRLEN, RTEXT_FILTER_VF,
  RTM_GETLINK, RTM_NEWLINK,
} from '../wire/rtnl-constants.js';
import { isWireError } from '../wire/error.js';
import { nlmsgType, parseIfinfomsg } from '../wire/nlmsg.js';
import { AttrList } from '../wire/nlattr.js';
import { request } from './request.js';

export function linkDumpRequest(): Uint8Array {
  return request(RTM_GETLINK, 0)
    .ifinfomsg({ family: 0, type: 0, index: 0, flags: 0, change: 0 })
    .attrU32(IFLA_EXT_MASK, RTEXT_FILTER_VF)
    .finish();
}

const tb = new AttrList();

export function decodeLinkRef(buf: Uint8Array, off: number, len: number): LinkRef | undefined {
  if (nlmsgType(buf, off) !== RTM_NEWLINK || len < NLMSG_HDRLEN + IFINFOMSG_LEN) return undefined;
  const b = off + NLMSG_HDRLEN;
  const ifi = parseIfinfomsg(buf, b);
  if (isWireError(ifi)) return undefined;
  tb.reset(buf, b + IFINFOMSG_LEN, off + len);
  const l: LinkRef = { index: ifi.index, type: ifi.type, flags: ifi.flags, name: tb.str(IFLA_IFNAME) ?? '' };
  const master = tb.u32(IFLA_MASTER);
  if (master !== undefined) l.master = master;
  // Copies: the dump's buffer is reused.
  const address = tb.get(IFLA_ADDRESS);
  if (address) l.address = address.slice();
  const broadcast = tb.get(IFLA_BROADCAST);
  if (broadcast) l.broadcast = broadcast.slice();
  return l;
}
