// A device's traffic counters (struct rtnl_link_stats64 as dev_get_stats()
// reports them): packets and bytes each way counted by the device as it
// sends and receives (the length of the whole frame, without FCS), drops,
// and rx_nohandler (a frame no protocol took: a bond's inactive slave). A
// bond reports what its slaves counted while enslaved (bond_get_stats()),
// so counting on a slave counts on its bond too.
import type { SimHost, SimLink } from './world.js';

/** The counters the model keeps, by their rtnl_link_stats64 field names. */
export interface LinkStats {
  rx_packets: number;
  tx_packets: number;
  rx_bytes: number;
  tx_bytes: number;
  rx_dropped: number;
  tx_dropped: number;
  rx_nohandler: number;
}

export const STAT_FIELDS = ['rx_packets', 'tx_packets', 'rx_bytes', 'tx_bytes', 'rx_dropped', 'tx_dropped', 'rx_nohandler'] as const;

/** The position of each counter in struct rtnl_link_stats64 (and, the same, struct rtnl_link_stats). */
export const STAT_OFFSETS: Record<keyof LinkStats, number> = {
  rx_packets: 0, tx_packets: 1, rx_bytes: 2, tx_bytes: 3, rx_dropped: 6, tx_dropped: 7, rx_nohandler: 23,
};

function bump(l: SimLink, k: keyof LinkStats, by: number): void {
  const s = (l.stats ??= { rx_packets: 0, tx_packets: 0, rx_bytes: 0, tx_bytes: 0, rx_dropped: 0, tx_dropped: 0, rx_nohandler: 0 });
  s[k] += by;
}

/** The link and, when it is a bond's slave, its bond (bond_get_stats() folds the slaves' counts in). */
function andMaster(host: SimHost, l: SimLink): SimLink[] {
  const m = l.master === undefined ? undefined : host.links.find((x) => x.index === l.master);
  return m?.kind === 'bond' ? [l, m] : [l];
}

export function countTx(host: SimHost, l: SimLink, len: number): void {
  for (const d of andMaster(host, l)) {
    bump(d, 'tx_packets', 1);
    bump(d, 'tx_bytes', len);
  }
}

export function countRx(host: SimHost, l: SimLink, len: number): void {
  for (const d of andMaster(host, l)) {
    bump(d, 'rx_packets', 1);
    bump(d, 'rx_bytes', len);
  }
}

/** A drop the device itself counts: tx_dropped (a bond with no slave to send by), rx_dropped, rx_nohandler. */
export function countDrop(host: SimHost, l: SimLink, k: 'tx_dropped' | 'rx_dropped' | 'rx_nohandler'): void {
  for (const d of andMaster(host, l)) bump(d, k, 1);
}
