// The counters of `ip -s link` (__print_link_stats() and print_stats64() in
// ip/ipaddress.c of iproute2 6.1): text columns sized to the numbers, -h/-iec
// scaling, and the stats64 JSON object.
import { type Attrs, attrU32 } from '../wire/nlattr.js';
import { IFLA_CARRIER_CHANGES, IFLA_STATS, IFLA_STATS64 } from '../wire/rtnl-constants.js';
import type { Context } from './context.js';

/** The newline between parts of one entry: `\` with -o (ip's _SL_). */
export function sl(ctx: Context): string {
  return ctx.opts.oneline ? '\\' : '\n';
}

// struct rtnl_link_stats64, in order.
const S = {
  rx_packets: 0, tx_packets: 1, rx_bytes: 2, tx_bytes: 3, rx_errors: 4, tx_errors: 5, rx_dropped: 6, tx_dropped: 7,
  multicast: 8, collisions: 9, rx_length_errors: 10, rx_over_errors: 11, rx_crc_errors: 12, rx_frame_errors: 13,
  rx_fifo_errors: 14, rx_missed_errors: 15, tx_aborted_errors: 16, tx_carrier_errors: 17, tx_fifo_errors: 18,
  tx_heartbeat_errors: 19, tx_window_errors: 20, rx_compressed: 21, tx_compressed: 22, rx_nohandler: 23,
  rx_otherhost_dropped: 24,
};
const STATS64_FIELDS = 25;

/** get_rtnl_link_stats_rta(): the counters (u64 or the old u32 struct) and the JSON key ip uses. */
function readStats(tb: Attrs): { s: number[]; key: string } | undefined {
  const s64 = tb.get(IFLA_STATS64);
  const s32 = s64 ? undefined : tb.get(IFLA_STATS);
  if (!s64 && !s32) return undefined;
  const s: number[] = new Array(STATS64_FIELDS).fill(0);
  if (s64) {
    for (let i = 0; i < STATS64_FIELDS && i * 8 + 8 <= s64.length; i++) {
      s[i] = attrU32(s64.subarray(i * 8)) + attrU32(s64.subarray(i * 8 + 4)) * 2 ** 32;
    }
    return { s, key: 'stats64' };
  }
  for (let i = 0; i < 24 && i * 4 + 4 <= s32!.length; i++) s[i] = attrU32(s32!.subarray(i * 4));
  return { s, key: 'stats' };
}

/** print_num(): a counter in its column, scaled with -h. */
function num(ctx: Context, width: number, count: number): string {
  const base = ctx.opts.iec ? 1024 : 1000;
  if (!ctx.opts.human || count < base) return String(count).padStart(width) + ' ';
  const prefixes = 'kMGTPE';
  let p = 0;
  let powi = 1;
  for (;;) {
    powi *= base;
    if (Math.floor(count / base) < powi) break;
    if (p + 1 >= prefixes.length) break;
    p++;
  }
  let precision = 2;
  let powj = 1;
  for (; precision > 0; precision--) {
    powj *= 10;
    if (Math.floor(count / powi) < powj) break;
  }
  const s = (count / powi).toFixed(precision) + prefixes[p] + (ctx.opts.iec ? 'i' : '');
  return s.padStart(width) + ' ';
}

/** __print_link_stats() / print_stats64() */
export function printLinkStats(ctx: Context, tb: Attrs): void {
  const st = readStats(tb);
  if (!st) return;
  const { s } = st;
  const out = ctx.out;
  const c = tb.get(IFLA_CARRIER_CHANGES);
  const carrier = c ? attrU32(c) : undefined;
  const two = ctx.opts.stats > 1;
  if (out.json) {
    out.openObject(st.key);
    const put = (k: string, i: number) => out.uint(k, '', s[i]);
    out.openObject('rx');
    put('bytes', S.rx_bytes); put('packets', S.rx_packets); put('errors', S.rx_errors); put('dropped', S.rx_dropped);
    put('over_errors', S.rx_over_errors); put('multicast', S.multicast);
    if (s[S.rx_compressed]) put('compressed', S.rx_compressed);
    if (two) {
      put('length_errors', S.rx_length_errors); put('crc_errors', S.rx_crc_errors);
      put('frame_errors', S.rx_frame_errors); put('fifo_errors', S.rx_fifo_errors);
      put('missed_errors', S.rx_missed_errors);
      if (s[S.rx_nohandler]) put('nohandler', S.rx_nohandler);
      if (s[S.rx_otherhost_dropped]) put('otherhost', S.rx_otherhost_dropped);
    }
    out.closeObject();
    out.openObject('tx');
    put('bytes', S.tx_bytes); put('packets', S.tx_packets); put('errors', S.tx_errors); put('dropped', S.tx_dropped);
    put('carrier_errors', S.tx_carrier_errors); put('collisions', S.collisions);
    if (s[S.tx_compressed]) put('compressed', S.tx_compressed);
    if (two) {
      put('aborted_errors', S.tx_aborted_errors); put('fifo_errors', S.tx_fifo_errors);
      put('window_errors', S.tx_window_errors); put('heartbeat_errors', S.tx_heartbeat_errors);
      if (carrier !== undefined) out.uint('carrier_changes', '', carrier);
    }
    out.closeObject();
    out.closeObject();
    return;
  }
  const cols = ['*X errors:'.length, 7, 6, 7, 7, 7, 10, 9];
  const size = (...vals: number[]) => {
    if (ctx.opts.human) return;
    vals.forEach((v, i) => { cols[i] = Math.max(cols[i], String(v).length); });
  };
  size(s[S.rx_bytes], s[S.rx_packets], s[S.rx_errors], s[S.rx_dropped], s[S.rx_missed_errors], s[S.multicast], s[S.rx_compressed], 0);
  if (two) size(0, s[S.rx_length_errors], s[S.rx_crc_errors], s[S.rx_frame_errors], s[S.rx_fifo_errors], s[S.rx_over_errors], s[S.rx_nohandler], s[S.rx_otherhost_dropped]);
  size(s[S.tx_bytes], s[S.tx_packets], s[S.tx_errors], s[S.tx_dropped], s[S.tx_carrier_errors], s[S.collisions], s[S.tx_compressed], 0);
  if (two) size(0, 0, s[S.tx_aborted_errors], s[S.tx_fifo_errors], s[S.tx_window_errors], s[S.tx_heartbeat_errors], carrier ?? 0, 0);
  const r = (w: number, t: string) => t.padStart(w);
  const nl = sl(ctx);
  let t = `    RX: ${r(cols[0] - 4, 'bytes')} ${r(cols[1], 'packets')} ${r(cols[2], 'errors')} ${r(cols[3], 'dropped')} ${r(cols[4], 'missed')} ${r(cols[5], 'mcast')} ${r(cols[6], s[S.rx_compressed] ? 'compressed' : '')}${nl}`;
  t += '    ' + num(ctx, cols[0], s[S.rx_bytes]) + num(ctx, cols[1], s[S.rx_packets]) + num(ctx, cols[2], s[S.rx_errors]) +
    num(ctx, cols[3], s[S.rx_dropped]) + num(ctx, cols[4], s[S.rx_missed_errors]) + num(ctx, cols[5], s[S.multicast]);
  if (s[S.rx_compressed]) t += num(ctx, cols[6], s[S.rx_compressed]);
  if (two) {
    const nh = s[S.rx_nohandler], oh = s[S.rx_otherhost_dropped];
    t += `${nl}    RX errors:${r(cols[0] - 10, '')} ${r(cols[1], 'length')} ${r(cols[2], 'crc')} ${r(cols[3], 'frame')} ${r(cols[4], 'fifo')} ${r(cols[5], 'overrun')}${r(nh ? cols[6] + 1 : 0, nh ? ' nohandler' : '')}${r(oh ? cols[7] + 1 : 0, oh ? ' otherhost' : '')}${nl}`;
    t += ''.padStart(cols[0] + 5) + num(ctx, cols[1], s[S.rx_length_errors]) + num(ctx, cols[2], s[S.rx_crc_errors]) +
      num(ctx, cols[3], s[S.rx_frame_errors]) + num(ctx, cols[4], s[S.rx_fifo_errors]) + num(ctx, cols[5], s[S.rx_over_errors]);
    if (nh) t += num(ctx, cols[6], nh);
    if (oh) t += num(ctx, cols[7], oh);
  }
  t += nl;
  t += `    TX: ${r(cols[0] - 4, 'bytes')} ${r(cols[1], 'packets')} ${r(cols[2], 'errors')} ${r(cols[3], 'dropped')} ${r(cols[4], 'carrier')} ${r(cols[5], 'collsns')} ${r(cols[6], s[S.tx_compressed] ? 'compressed' : '')}${nl}`;
  t += '    ' + num(ctx, cols[0], s[S.tx_bytes]) + num(ctx, cols[1], s[S.tx_packets]) + num(ctx, cols[2], s[S.tx_errors]) +
    num(ctx, cols[3], s[S.tx_dropped]) + num(ctx, cols[4], s[S.tx_carrier_errors]) + num(ctx, cols[5], s[S.collisions]);
  if (s[S.tx_compressed]) t += num(ctx, cols[6], s[S.tx_compressed]);
  if (two) {
    t += `${nl}    TX errors:${r(cols[0] - 10, '')} ${r(cols[1], 'aborted')} ${r(cols[2], 'fifo')} ${r(cols[3], 'window')} ${r(cols[4], 'heartbt')} ${r(cols[5], carrier !== undefined ? 'transns' : '')}${nl}`;
    t += ''.padStart(cols[0] + 5) + num(ctx, cols[1], s[S.tx_aborted_errors]) + num(ctx, cols[2], s[S.tx_fifo_errors]) +
      num(ctx, cols[3], s[S.tx_window_errors]) + num(ctx, cols[4], s[S.tx_heartbeat_errors]);
    if (carrier !== undefined) t += num(ctx, cols[5], carrier);
  }
  out.fp(t);
}
