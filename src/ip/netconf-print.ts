// One RTM_NEWNETCONF/DELNETCONF message as ip monitor prints it
// (print_netconf() in ip/ipnetconf.c, 6.1): the family, the device, then each
// setting the message carries. tsnet prints these from saved messages
// (`monitor file`); it does not implement ip netconf.
import type { RtMessage } from '../backend.js';
import { attrU32 } from '../wire/nlattr.js';
import {
  NETCONFA_FORWARDING, NETCONFA_IFINDEX, NETCONFA_IFINDEX_ALL, NETCONFA_IFINDEX_DEFAULT, NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN,
  NETCONFA_INPUT, NETCONFA_MC_FORWARDING, NETCONFA_PROXY_NEIGH, NETCONFA_RP_FILTER, RTM_DELNETCONF,
} from '../wire/rtnl-constants.js';
import { Color } from '../lib/output.js';
import { familyName } from './common.js';
import type { Context } from './context.js';

const RP_FILTER = ['off', 'strict', 'loose'];

/** print_netconf() with ipnetconf_reset_filter(ifindex): false when the device filter drops it. */
export function printNetconf(ctx: Context, m: RtMessage, ifindexFilter: number): boolean {
  const out = ctx.out;
  const tb = m.attrs;
  const idx = tb.get(NETCONFA_IFINDEX);
  const ifindex = idx ? attrU32(idx) | 0 : 0;
  if (ifindexFilter && ifindexFilter !== ifindex) return false;
  out.openObject();
  if (m.type === RTM_DELNETCONF) out.bool('deleted', 'Deleted ', true);
  const family = familyName(m.header[0] ?? 0);
  out.string('family', `${family} `, family);
  if (idx) {
    const dev = ifindex === NETCONFA_IFINDEX_ALL ? 'all' : ifindex === NETCONFA_IFINDEX_DEFAULT ? 'default' : ctx.indexToName(ifindex >>> 0);
    out.string('interface', `${dev} `, dev, Color.IFNAME);
  }
  const onOff = (type: number, key: string) => {
    const v = tb.get(type);
    if (!v) return;
    const on = attrU32(v) !== 0;
    out.bool(key, `${key} ${on ? 'on' : 'off'} `, on);
  };
  onOff(NETCONFA_FORWARDING, 'forwarding');
  const rp = tb.get(NETCONFA_RP_FILTER);
  if (rp) {
    const v = attrU32(rp);
    if (v < RP_FILTER.length) out.string('rp_filter', `rp_filter ${RP_FILTER[v]} `, RP_FILTER[v]);
    else out.uint('rp_filter', `rp_filter ${v} `, v);
  }
  onOff(NETCONFA_MC_FORWARDING, 'mc_forwarding');
  onOff(NETCONFA_PROXY_NEIGH, 'proxy_neigh');
  onOff(NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN, 'ignore_routes_with_linkdown');
  onOff(NETCONFA_INPUT, 'input');
  out.closeObject();
  out.fp('\n');
  return true;
}
