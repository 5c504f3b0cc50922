// macvlan (drivers/net/macvlan.c): a link on a lower device, on its
// segment, whose carrier and operstate follow the lower device's
// (netif_stacked_transfer_operstate).
import { NetlinkError } from '../../backend.js';
import { EINVAL } from '../../errno.js';
import { type LinkAttr, attrU32, parseAttrs } from '../../wire/nlattr.js';
import { type LinkKindOps, isUp } from './ops.js';

const IFLA_LINK = 5, IFLA_MACVLAN_MODE = 1;
/** MACVLAN_MODE_VEPA, the default. */
const MODE_VEPA = 4;

const u32 = (type: number, value: number): LinkAttr => ({ type, kind: 'u32', value });

export const macvlan: LinkKindOps = {
  kind: 'macvlan', minMtu: 68, maxMtu: 65535, queues: 1, tsoMax: 524280, stacked: true, countsCarrier: true,

  /** macvlan_common_newlink(): a lower device is required. */
  newlink(ctx, l, tb, data) {
    const lower = tb.get(IFLA_LINK);
    if (!lower) throw new NetlinkError(EINVAL);
    const low = ctx.link(attrU32(lower));
    l.link = low.index;
    l.segment = low.segment;
    const mode = data ? parseAttrs(data).get(IFLA_MACVLAN_MODE) : undefined;
    if (mode) l.macvlanMode = attrU32(mode);
    ctx.note(`macvlan ${l.name} on ${low.name} created`);
    // The lower device's carrier from the start, off counted as a change.
    l.carrierSeen = ctx.carrier(l);
    l.carrierChanges = l.carrierSeen ? 0 : 1;
  },

  /** IFLA_MACVLAN_MODE, FLAGS, BC_QUEUE_LEN, BC_QUEUE_LEN_USED, BC_CUTOFF... as macvlan_fill_info() reports a new one. */
  fillInfo: (_ctx, l) => [u32(1, l.macvlanMode ?? MODE_VEPA), { type: 2, kind: 'u16', value: 0 }, u32(6, 0), u32(7, 1000), u32(8, 1000)],

  carrier(ctx, l) {
    const lower = ctx.host.links.find((x) => x.index === l.link);
    return lower !== undefined && isUp(lower) && ctx.carrier(lower);
  },

  iflink: (l) => l.link,
};
