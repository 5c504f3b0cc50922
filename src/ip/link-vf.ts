// The VFs of an SR-IOV device as print_linkinfo() lists them (print_vfinfo()
// in ip/ipaddress.c, 6.1): one "vf N" line per IFLA_VF_INFO of
// IFLA_VFINFO_LIST. Each member struct starts with its u32 vf number.
import { type Attrs, parseAttrs } from '../wire/nlattr.js';
import { u16At, u32At } from '../wire/nlmsg.js';
import {
  IFF_POINTOPOINT, IFLA_VF_BROADCAST, IFLA_VF_INFO, IFLA_VF_LINK_STATE, IFLA_VF_LINK_STATE_AUTO, IFLA_VF_LINK_STATE_ENABLE,
  IFLA_VF_MAC, IFLA_VF_RATE, IFLA_VF_RSS_QUERY_EN, IFLA_VF_SPOOFCHK, IFLA_VF_TRUST, IFLA_VF_TX_RATE, IFLA_VF_VLAN,
  IFLA_VF_VLAN_LIST,
} from '../wire/rtnl-constants.js';
import { formatLladdr } from '../lib/inet.js';
import { Color } from '../lib/output.js';
import type { Context } from './context.js';
import type { IfInfo } from './link-print.js';
import { sl } from './link-stats.js';
import { linkTypeName } from './ll-types.js';
import { protoName } from './kinds/llproto.js';

const ARPHRD_ETHER = 1, ETH_ALEN = 6, INFINIBAND_ALEN = 20;
const ETH_P_8021Q = 0x8100;

/** The VF list; returns how many VF_INFO members it held (ip warns when that is not IFLA_NUM_VF). */
export function printVfList(ctx: Context, ifi: IfInfo, list: Uint8Array): number {
  const out = ctx.out;
  let count = 0;
  out.openArray('vfinfo_list');
  for (const [type, value] of parseAttrs(list)) {
    out.openObject();
    if (type === IFLA_VF_INFO) printVfInfo(ctx, ifi, parseAttrs(value));
    else ctx.err(`BUG: rta type is ${type}`);
    out.closeObject();
    count++;
  }
  out.closeArray();
  return count;
}

function printVfInfo(ctx: Context, ifi: IfInfo, vf: Attrs): void {
  const out = ctx.out;
  const u32 = (t: number, at: number) => {
    const v = vf.get(t);
    return v && v.length >= at + 4 ? u32At(v, at) : 0;
  };
  const setting = (t: number, key: string, on: string, off: string) => {
    const v = vf.get(t);
    if (!v) return;
    const s = u32(t, 4) | 0;
    if (s !== -1) out.bool(key, s ? on : off, s !== 0);
  };
  const alen = ifi.type === ARPHRD_ETHER ? ETH_ALEN : INFINIBAND_ALEN;
  out.fp(`${sl(ctx)}    `);
  const n = u32(IFLA_VF_MAC, 0) | 0;
  out.uint('vf', `vf ${n} `, n);
  const t = linkTypeName(ifi.type, ctx.opts.numeric > 0);
  out.string('link_type', `    link/${t} `, t);
  const mac = formatLladdr((vf.get(IFLA_VF_MAC) ?? new Uint8Array(4 + alen)).subarray(4, 4 + alen), ifi.type);
  out.string('address', mac, mac, Color.MAC);
  const brd = vf.get(IFLA_VF_BROADCAST);
  if (brd) {
    if (ifi.flags & IFF_POINTOPOINT) {
      out.fp(' peer ');
      if (out.json) out.bool('link_pointtopoint', '', true);
    } else out.fp(' brd ');
    const s = formatLladdr(brd.subarray(0, alen), ifi.type);
    out.string('broadcast', s, s, Color.MAC);
  }
  const vlans = vf.get(IFLA_VF_VLAN_LIST);
  if (vlans) {
    // struct ifla_vf_vlan_info: vf, vlan, qos, then the protocol in network order.
    out.openArray('vlan_list');
    for (const [, info] of parseAttrs(vlans)) {
      out.openObject();
      const vlan = u32At(info, 4) | 0, qos = u32At(info, 8) | 0, proto = info.length >= 14 ? u16At(info, 12) : 0;
      if (vlan) out.uint('vlan', `, vlan ${vlan}`, vlan);
      if (qos) out.uint('qos', `, qos ${qos}`, qos);
      const be = ((proto & 0xff) << 8) | (proto >> 8);
      if (proto && be !== ETH_P_8021Q) {
        const p = protoName(info.subarray(12, 14));
        out.string('protocol', `, vlan protocol ${p}`, p);
      }
      out.closeObject();
    }
    out.closeArray();
  } else {
    const vlan = u32(IFLA_VF_VLAN, 4) | 0, qos = u32(IFLA_VF_VLAN, 8) | 0;
    if (vlan) out.uint('vlan', `, vlan ${vlan}`, vlan);
    if (qos) out.uint('qos', `, qos ${qos}`, qos);
  }
  const txRate = u32(IFLA_VF_TX_RATE, 4);
  if (txRate) out.uint('tx_rate', `, tx rate ${txRate} (Mbps)`, txRate);
  if (vf.get(IFLA_VF_RATE)) {
    const min = u32(IFLA_VF_RATE, 4), max = u32(IFLA_VF_RATE, 8);
    if (out.json) {
      out.openObject('rate');
      out.uint('max_tx', '', max);
      out.uint('min_tx', '', min);
      out.closeObject();
    } else {
      if (max) out.fp(`, max_tx_rate ${max}Mbps`);
      if (min) out.fp(`, min_tx_rate ${min}Mbps`);
    }
  }
  setting(IFLA_VF_SPOOFCHK, 'spoofchk', ', spoof checking on', ', spoof checking off');
  // (IFLA_VF_IB_NODE_GUID and IFLA_VF_IB_PORT_GUID, InfiniBand's, are not printed.)
  if (vf.get(IFLA_VF_LINK_STATE)) {
    const s = u32(IFLA_VF_LINK_STATE, 4);
    const name = s === IFLA_VF_LINK_STATE_AUTO ? 'auto' : s === IFLA_VF_LINK_STATE_ENABLE ? 'enable' : 'disable';
    out.string('link_state', `, link-state ${name}`, name);
  }
  setting(IFLA_VF_TRUST, 'trust', ', trust on', ', trust off');
  setting(IFLA_VF_RSS_QUERY_EN, 'query_rss_en', ', query_rss on', ', query_rss off');
  // (IFLA_VF_STATS, printed by ip with -s, is not printed.)
}
