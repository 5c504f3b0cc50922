// macvlan (drivers/net/macvlan.c): a link on a lower device, on its
// segment, whose carrier and operstate follow the lower device's
// (netif_stacked_transfer_operstate).
import { NetlinkError } from '../../backend.js';
import { EINVAL } from '../../errno.js';
import { type LinkAttr, attrU32, parseAttrs } from '../../wire/nlattr.js';
import { IFLA_LINK, IFLA_MACVLAN, MACVLAN_MODE_VEPA } from '../../wire/rtnl-constants.js';
import { type LinkKindOps, isUp } from './ops.js';
import type { KindInfo, SimLink } from '../world.js';


const u32 = (type: number, value: number): LinkAttr => ({ type, kind: 'u32', value });

/** A macvlan's own state: its mode (MACVLAN_MODE_*), when one was set. */
interface MacvlanInfo extends KindInfo {
  mode?: number;
}

function setMode(l: SimLink, data: Uint8Array | undefined): void {
  const mode = data ? parseAttrs(data).get(IFLA_MACVLAN.MODE) : undefined;
  if (mode) (l.info = (l.info ?? {}) as MacvlanInfo).mode = attrU32(mode);
}

export const macvlan: LinkKindOps = {
  kind: 'macvlan', minMtu: 68, maxMtu: 65535, queues: 1, tsoMax: 524280, stacked: true, countsCarrier: true,

  /** macvlan_common_newlink(): a lower device is required. */
  newlink(ctx, l, tb, data) {
    const lower = tb.get(IFLA_LINK);
    if (!lower) throw new NetlinkError(EINVAL);
    const low = ctx.link(attrU32(lower));
    l.link = low.index;
    l.segment = low.segment;
    setMode(l, data);
    ctx.note(`macvlan ${l.name} on ${low.name} created`, ['rtnl_newlink', 'macvlan_newlink']);
    // The lower device's carrier from the start, off counted as a change.
    l.carrierSeen = ctx.carrier(l);
    l.carrierChanges = l.carrierSeen ? 0 : 1;
  },

  /** macvlan_changelink(): a new mode. */
  changelink(_ctx, l, data, keep) {
    setMode(l, data);
    keep();
  },

  /** MODE (VEPA unless set), FLAGS, MACADDR_COUNT, BC_QUEUE_LEN, BC_QUEUE_LEN_USED, as macvlan_fill_info() reports them. */
  fillInfo: (_ctx, l) => [
    u32(IFLA_MACVLAN.MODE, (l.info as MacvlanInfo | undefined)?.mode ?? MACVLAN_MODE_VEPA), { type: IFLA_MACVLAN.FLAGS, kind: 'u16', value: 0 }, u32(IFLA_MACVLAN.MACADDR_COUNT, 0),
    u32(IFLA_MACVLAN.BC_QUEUE_LEN, 1000), u32(IFLA_MACVLAN.BC_QUEUE_LEN_USED, 1000),
  ],

  carrier(ctx, l) {
    const lower = ctx.host.links.find((x) => x.index === l.link);
    return lower !== undefined && isUp(lower) && ctx.carrier(lower);
  },

  iflink: (l) => l.link,
};
