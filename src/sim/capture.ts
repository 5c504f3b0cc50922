// The frames each host's links sent and received, with their bytes, for
// `tsnet sim pcap` (and what the model's trace shows in hex). Kept in the
// world as text, a line a frame: `TIME HOST IFINDEX in|out HEX` (virtual
// ms), oldest first, the oldest dropped beyond a bound, so that the state
// file stays small whatever the traffic.
import type { SimHost, SimLink, World } from './world.js';

/** About 1,800 ARP frames; trimmed to three quarters when passed. */
const MAX_CHARS = 200_000;

export interface CapturedFrame {
  t: number;
  host: string;
  ifindex: number;
  dir: 'in' | 'out';
  bytes: Uint8Array;
}

export function record(w: World, host: SimHost, link: SimLink, dir: 'in' | 'out', t: number, bytes: Uint8Array): void {
  let c = (w.capture ?? '') + `${t} ${host.name} ${link.index} ${dir} ${Buffer.from(bytes).toString('hex')}\n`;
  if (c.length > MAX_CHARS) {
    const cut = c.indexOf('\n', c.length - Math.floor(MAX_CHARS * 0.75));
    c = c.slice(cut + 1);
  }
  w.capture = c;
}

/** The frames kept for `host` (on the link `ifindex`, when given), in time order (a sent frame is stamped when it leaves). */
export function framesOf(w: World, host: string, ifindex?: number): CapturedFrame[] {
  const out: CapturedFrame[] = [];
  for (const line of (w.capture ?? '').split('\n')) {
    const f = line.split(' ');
    if (f.length !== 5 || f[1] !== host || (ifindex !== undefined && Number(f[2]) !== ifindex)) continue;
    out.push({ t: Number(f[0]), host: f[1], ifindex: Number(f[2]), dir: f[3] === 'in' ? 'in' : 'out', bytes: Uint8Array.from(Buffer.from(f[4], 'hex')) });
  }
  // Stable: frames of the same time keep the order they were kept in.
  return out.sort((a, b) => a.t - b.t);
}
