// The link requests `tsnet bond` makes (ip link add/set/del with linkinfo),
// as RtRequests in ip 6.1's attribute order (see the strace captures in
// /work/shared/reference/bond), and the linkinfo of a link message decoded
// for the bond printers. Any backend answers them: they are rtnetlink.
import type { BondLink, LinkChange, RtMessage, RtRequest } from '../backend.js';
import { type LinkAttr, attrStr, attrU32, attrU8, parseAttrs } from '../wire/nlattr.js';
import {
  IFF_UP, IFLA_ADDRESS, IFLA_CARRIER, IFLA_EXT_MASK, IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_INFO_SLAVE_DATA,
  IFLA_INFO_SLAVE_KIND, IFLA_LINKINFO, IFLA_MASTER, IFLA_OPERSTATE, IFLA_PERM_ADDRESS, NLM_F_CREATE, NLM_F_EXCL,
  RTEXT_FILTER_VF, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK,
} from '../wire/rtnl-constants.js';
import { ifInfo, ifInfoHeader } from './link-print.js';

/** The dump that `ip link show` (AF_UNSPEC) sends. */
export const LINK_DUMP: RtRequest = {
  type: RTM_GETLINK, flags: 0, header: ifInfoHeader(0, 0),
  attrs: [{ type: IFLA_EXT_MASK, kind: 'u32', value: RTEXT_FILTER_VF }],
};

/** ip link add NAME type KIND [DATA]: NLM_F_CREATE|NLM_F_EXCL; the kind without its NUL, as ip sends it. */
export function linkAddRequest(name: string, kind: string, data: LinkAttr[]): RtRequest {
  const info: LinkAttr[] = [{ type: IFLA_INFO_KIND, kind: 'bytes', value: Buffer.from(kind) }];
  if (data.length) info.push({ type: IFLA_INFO_DATA, kind: 'nest', value: data });
  return {
    type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, header: ifInfoHeader(0, 0),
    attrs: [{ type: IFLA_IFNAME, kind: 'bytes', value: Buffer.from(name + '\0') }, { type: IFLA_LINKINFO, kind: 'nest', value: info }],
  };
}

/** ip link set DEV [up|down] [master M|nomaster] [type KIND DATA | type KIND_slave DATA]. */
export function linkSetRequest(ifindex: number, c: LinkChange): RtRequest {
  const attrs: LinkAttr[] = [];
  if (c.master !== undefined) attrs.push({ type: IFLA_MASTER, kind: 'u32', value: c.master });
  if (c.kind !== undefined) {
    const info: LinkAttr[] = [{ type: IFLA_INFO_KIND, kind: 'bytes', value: Buffer.from(c.kind) }];
    if (c.data?.length) info.push({ type: IFLA_INFO_DATA, kind: 'nest', value: c.data });
    attrs.push({ type: IFLA_LINKINFO, kind: 'nest', value: info });
  } else if (c.slaveKind !== undefined) {
    // ip 6.1 sends `type bond_slave` as IFLA_INFO_KIND "bond_slave" (no NUL) + IFLA_INFO_SLAVE_DATA.
    const info: LinkAttr[] = [{ type: IFLA_INFO_KIND, kind: 'bytes', value: Buffer.from(c.slaveKind) }];
    if (c.slaveData?.length) info.push({ type: IFLA_INFO_SLAVE_DATA, kind: 'nest', value: c.slaveData });
    attrs.push({ type: IFLA_LINKINFO, kind: 'nest', value: info });
  }
  const up = c.up === undefined ? 0 : c.up ? IFF_UP : 0;
  return { type: RTM_NEWLINK, flags: 0, header: ifInfoHeader(0, ifindex, up, c.up === undefined ? 0 : IFF_UP), attrs };
}

export function linkDelRequest(ifindex: number): RtRequest {
  return { type: RTM_DELLINK, flags: 0, header: ifInfoHeader(0, ifindex), attrs: [] };
}

/** A link message with its linkinfo, for the bond printers. */
export function bondLink(m: RtMessage): BondLink | undefined {
  const tb = m.attrs;
  const name = tb.get(IFLA_IFNAME);
  if (m.type !== RTM_NEWLINK || !name) return undefined;
  const i = ifInfo(m);
  const l: BondLink = { index: i.index, type: i.type, flags: i.flags, name: attrStr(name) };
  const v = (t: number) => tb.get(t);
  if (v(IFLA_MASTER)) l.master = attrU32(v(IFLA_MASTER)!);
  if (v(IFLA_ADDRESS)) l.address = v(IFLA_ADDRESS)!.slice();
  if (v(IFLA_PERM_ADDRESS)) l.permAddress = v(IFLA_PERM_ADDRESS)!.slice();
  if (v(IFLA_OPERSTATE)) l.operstate = attrU8(v(IFLA_OPERSTATE)!);
  if (v(IFLA_CARRIER)) l.carrier = attrU8(v(IFLA_CARRIER)!) !== 0;
  const li = v(IFLA_LINKINFO);
  if (li) {
    const info = parseAttrs(li);
    const kind = info.get(IFLA_INFO_KIND);
    if (kind) l.kind = attrStr(kind);
    const data = info.get(IFLA_INFO_DATA);
    if (data) l.data = parseAttrs(data);
    const sk = info.get(IFLA_INFO_SLAVE_KIND);
    if (sk) l.slaveKind = attrStr(sk);
    const sd = info.get(IFLA_INFO_SLAVE_DATA);
    if (sd) l.slaveData = parseAttrs(sd);
  }
  return l;
}
