// dummy (drivers/net/dummy.c): no ARP, no multicast, a carrier user space
// may set (dummy_change_carrier) and no operstate of its own.
import type { LinkKindOps } from './ops.js';
import { toHex } from '../text.js';
import { IFF_MULTICAST, IFF_NOARP } from '../../wire/rtnl-constants.js';

export const dummy: LinkKindOps = {
  kind: 'dummy', minMtu: 0, maxMtu: 0, queues: 1, tsoMax: 65536, noOperstate: true, changeCarrier: true,

  newlink(ctx, l, _tb, data) {
    if (data && data.length) l.info = { data: toHex(data) };
    l.flags = (l.flags & ~IFF_MULTICAST) | IFF_NOARP;
    ctx.note(`dummy ${l.name} created`, ['rtnl_newlink', 'rtnl_create_link']);
  },
};
