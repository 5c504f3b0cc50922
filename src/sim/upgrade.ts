// State files before format 4 kept every kind's state on the link itself
// (peer, macvlanMode, kindData, the bond's and its slaves' fields, ...). A
// world read from one is brought to today's shape before anything looks
// at it: each kind's state in `info`, a master's state on a slave in
// `slave`. Format 4 links pass untouched.
import type { SimLink, World } from './world.js';

/** The fields of format 3 that moved, by where they went. */
const TO_INFO: Record<string, string> = {
  peer: 'peer', macvlanMode: 'mode', kindData: 'data', activeSlave: 'activeSlave', randomMac: 'randomMac', slaves: 'slaves',
  miiNext: 'miiNext', peerNotif: 'peerNotif', primaryName: 'primaryName', primarySlave: 'primarySlave', forcePrimary: 'forcePrimary',
};
const TO_SLAVE: Record<string, string> = {
  slaveData: 'data', permMac: 'permMac', miiUp: 'miiUp', linkFailures: 'linkFailures', miiState: 'miiState', miiDelay: 'miiDelay',
  bondBackup: 'bondBackup',
};

function move(l: SimLink, fields: Record<string, string>, to: 'info' | 'slave'): void {
  const flat = l as unknown as Record<string, unknown>;
  for (const [old, now] of Object.entries(fields)) {
    if (!(old in flat)) continue;
    if (flat[old] !== undefined) ((l[to] ??= {}) as Record<string, unknown>)[now] = flat[old];
    delete flat[old];
  }
}

/** Moves a format 3 world's kind fields where format 4 keeps them (in place); returns the world. */
export function upgradeLinks(w: World): World {
  for (const h of w.hosts) {
    for (const l of h.links) {
      move(l, TO_INFO, 'info');
      move(l, TO_SLAVE, 'slave');
    }
  }
  return w;
}
