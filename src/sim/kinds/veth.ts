// veth (drivers/net/veth.c): a pair of links joined like a wire. The peer
// is made first (it takes the lower index), both are born down with their
// carrier off, each has carrier while both ends are up (veth_open/close),
// and deleting one end deletes both.
import { NetlinkError } from '../../backend.js';
import { EEXIST } from '../../errno.js';
import { attrStr, parseAttrs } from '../../wire/nlattr.js';
import { IFINFOMSG_LEN, IFLA_IFNAME, VETH_INFO_PEER } from '../../wire/rtnl-constants.js';
import { type KindCtx, type LinkKindOps, isUp } from './ops.js';
import type { KindInfo, SimLink } from '../world.js';


/** A veth's own state: its other end. */
interface VethInfo extends KindInfo {
  peer?: number;
}

/** The ifindex of a veth's other end. */
export function vethPeer(l: SimLink): number | undefined {
  return (l.info as VethInfo | undefined)?.peer;
}

function peerOf(ctx: KindCtx, l: SimLink): SimLink | undefined {
  const peer = vethPeer(l);
  return ctx.host.links.find((x) => x.index === peer);
}

export const veth: LinkKindOps = {
  kind: 'veth', minMtu: 68, maxMtu: 65535, queues: 2, tsoMax: 524280, stacked: true, countsCarrier: true,

  /** veth_newlink(). */
  newlink(ctx, l, _tb, data) {
    const peerInfo = data ? parseAttrs(data).get(VETH_INFO_PEER) : undefined;
    const ptb = parseAttrs(peerInfo ? peerInfo.subarray(IFINFOMSG_LEN) : new Uint8Array(0));
    const pname = ptb.get(IFLA_IFNAME) ? attrStr(ptb.get(IFLA_IFNAME)!) : ctx.freeName('veth%d');
    if (ctx.host.links.some((x) => x.name === pname)) throw new NetlinkError(EEXIST);
    const peer = ctx.alloc(pname, 'veth', ptb);
    ctx.host.links.push(peer);
    l.index = ctx.nextIndex();
    const info = (p: number): VethInfo => ({ peer: p });
    l.info = info(peer.index);
    peer.info = info(l.index);
    // Born with the carrier off: one change already, on both ends.
    for (const end of [l, peer]) {
      end.carrierChanges = 1;
      end.carrierSeen = false;
    }
    // A veth pair is a wire: its own segment joins the two ends.
    l.segment = peer.segment = `veth:${ctx.host.name}:${peer.index}`;
    ctx.note(`veth pair ${l.name} (${l.index}) <-> ${pname} (${peer.index}) created, both down`, ['rtnl_newlink', 'veth_newlink']);
  },

  dellink(ctx, l) {
    const peer = peerOf(ctx, l);
    return peer ? [peer] : [];
  },

  carrier(ctx, l) {
    const peer = peerOf(ctx, l);
    return peer !== undefined && isUp(peer) && isUp(l);
  },

  upDown(ctx, l) {
    const peer = peerOf(ctx, l);
    if (peer && isUp(peer)) ctx.note(`${peer.name}: carrier ${isUp(l) ? 'on' : 'off'} (its veth peer ${l.name} went ${isUp(l) ? 'up' : 'down'})`, isUp(l) ? 'veth_open' : 'veth_close');
  },

  iflink: vethPeer,
};
