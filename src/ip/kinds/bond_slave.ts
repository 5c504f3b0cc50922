// The bond_slave kind (ip/iplink_bond_slave.c of iproute2 6.1): a bond
// slave's `type bond_slave queue_id N prio N`, and what -d prints of its
// IFLA_INFO_SLAVE_DATA.
import { type Attrs, type LinkAttr, attrS32, attrU16, attrU8 } from '../../wire/nlattr.js';
import { hexColon, parseInteger, parseUnsigned } from '../../lib/inet.js';
import type { Output } from '../../lib/output.js';
import { Exit, incomplete, invarg, matches } from '../matches.js';
import {
  IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE, IFLA_BOND_SLAVE_AD_AGGREGATOR_ID, IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE,
  IFLA_BOND_SLAVE_LINK_FAILURE_COUNT, IFLA_BOND_SLAVE_MII_STATUS, IFLA_BOND_SLAVE_PERM_HWADDR, IFLA_BOND_SLAVE_PRIO,
  IFLA_BOND_SLAVE_QUEUE_ID, IFLA_BOND_SLAVE_STATE,
} from '../../wire/rtnl-constants.js';
import type { LinkKind } from './kind.js';

export const BOND_SLAVE_USAGE = 'Usage: ... bond_slave [ queue_id ID ] [ prio PRIORITY ]';

/** bond_slave_parse_opt(): `type bond_slave queue_id N prio N`. */
export function parseBondSlaveOptions(words: string[]): LinkAttr[] {
  const out: LinkAttr[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (matches(w, 'queue_id')) {
      if (++i >= words.length) incomplete();
      const v = parseUnsigned(words[i], 0xffff);
      if (v === undefined) invarg('queue_id is invalid', words[i]);
      out.push({ type: IFLA_BOND_SLAVE_QUEUE_ID, kind: 'u16', value: v });
    } else if (w === 'prio') {
      if (++i >= words.length) incomplete();
      const v = parseInteger(words[i]);
      if (v === undefined) invarg('prio is invalid', words[i]);
      out.push({ type: IFLA_BOND_SLAVE_PRIO, kind: 'u32', value: v >>> 0 });
    } else {
      throw new Exit(1, matches(w, 'help') ? [BOND_SLAVE_USAGE] : [`bond_slave: unknown option "${w}"?`, BOND_SLAVE_USAGE]);
    }
  }
  return out;
}

const SLAVE_STATES = ['ACTIVE', 'BACKUP'];
const MII_STATUS = ['UP', 'GOING_DOWN', 'DOWN', 'GOING_BACK'];
const LACP_BITS = ['active', 'short_timeout', 'aggregating', 'in_sync', 'collecting', 'distributing', 'defaulted', 'expired'];

/** bond_slave_print_opt(): a slave's info_slave_data. */
export function printBondSlaveInfo(out: Output, data: Attrs): void {
  const st = data.get(IFLA_BOND_SLAVE_STATE);
  if (st) {
    const v = attrU8(st);
    if (v >= SLAVE_STATES.length) out.uint('state_index', `state ${v} `, v);
    else out.string('state', `state ${SLAVE_STATES[v]} `, SLAVE_STATES[v]);
  }
  const mii = data.get(IFLA_BOND_SLAVE_MII_STATUS);
  if (mii) {
    const v = attrU8(mii);
    if (v >= MII_STATUS.length) out.uint('mii_status_index', `mii_status ${v} `, v);
    else out.string('mii_status', `mii_status ${MII_STATUS[v]} `, MII_STATUS[v]);
  }
  const lfc = data.get(IFLA_BOND_SLAVE_LINK_FAILURE_COUNT);
  if (lfc) { const v = attrS32(lfc); out.uint('link_failure_count', `link_failure_count ${v} `, v); }
  const perm = data.get(IFLA_BOND_SLAVE_PERM_HWADDR);
  if (perm) { const s = hexColon(perm); out.string('perm_hwaddr', `perm_hwaddr ${s} `, s); }
  const q = data.get(IFLA_BOND_SLAVE_QUEUE_ID);
  if (q) { const v = attrU16(q); out.uint('queue_id', `queue_id ${v} `, v); }
  const prio = data.get(IFLA_BOND_SLAVE_PRIO);
  if (prio) { const v = attrS32(prio); out.uint('prio', `prio ${v} `, v); }
  const agg = data.get(IFLA_BOND_SLAVE_AD_AGGREGATOR_ID);
  if (agg) { const v = attrU16(agg); out.uint('ad_aggregator_id', `ad_aggregator_id ${v} `, v); }
  for (const [t, key] of [[IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE, 'ad_actor_oper_port_state'],
    [IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE, 'ad_partner_oper_port_state']] as const) {
    const b = data.get(t);
    if (!b) continue;
    let state = attrU8(b);
    out.uint(key, `${key} ${state} `, state);
    // ip's open_json_array(PRINT_ANY, name) prints the name in text too: "..._str <active,aggregating> ".
    out.openArray(`${key}_str`);
    out.fp(`${key}_str <`);
    for (let bit = 0; bit < 8; bit++) {
      if (!(state & (1 << bit))) continue;
      state &= ~(1 << bit);
      out.string(null, state ? `${LACP_BITS[bit]},` : LACP_BITS[bit], LACP_BITS[bit]);
    }
    out.closeArray();
    out.fp('> ');
  }
}

export const bondSlave: LinkKind = {
  id: 'bond_slave',
  parse: (words) => parseBondSlaveOptions(words),
  print: printBondSlaveInfo,
  help: BOND_SLAVE_USAGE,
  keywords: ['queue_id', 'prio'],
};
