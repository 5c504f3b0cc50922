// The bridge_slave kind (ip/iplink_bridge_slave.c of iproute2 6.1): a bridge
// port's `type bridge_slave ...` as IFLA_BRPORT_* attributes, and what -d
// prints of IFLA_INFO_SLAVE_DATA.
import { type Attrs, type LinkAttr, attrU16, attrU32, attrU8 } from '../../wire/nlattr.js';
import { parseUnsigned } from '../../lib/inet.js';
import type { Output } from '../../lib/output.js';
import { Args, Exit, invarg, matches } from '../matches.js';
import { type Field, printField, printFields } from './fields.js';
import { IFLA_BRPORT } from '../../wire/rtnl-constants.js';
import type { LinkKind, ParseEnv, PrintEnv } from './kind.js';
import { flag, parseOnOff, u16, u32, u8 } from './util.js';


const PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];
const FWD_MASK_NAMES: Record<number, string> = { 0: 'stp', 2: 'lacp', 14: 'lldp' };

const PORT_HEAD: Field[] = [
  [IFLA_BRPORT.PRIORITY, 'u16', 'priority'], [IFLA_BRPORT.COST, 's32', 'cost'], [IFLA_BRPORT.MODE, 'onoff', 'hairpin'],
  [IFLA_BRPORT.GUARD, 'onoff', 'guard'], [IFLA_BRPORT.PROTECT, 'onoff', 'root_block'], [IFLA_BRPORT.FAST_LEAVE, 'onoff', 'fastleave'],
  [IFLA_BRPORT.LEARNING, 'onoff', 'learning'], [IFLA_BRPORT.UNICAST_FLOOD, 'onoff', 'flood'], [IFLA_BRPORT.ID, 'hex', 'id', 'port_id'],
  [IFLA_BRPORT.NO, 'hex', 'no', 'port_no'], [IFLA_BRPORT.DESIGNATED_PORT, 'u16', 'designated_port'],
  [IFLA_BRPORT.DESIGNATED_COST, 'u16', 'designated_cost'], [IFLA_BRPORT.BRIDGE_ID, 'id', 'bridge_id', 'designated_bridge'],
  [IFLA_BRPORT.ROOT_ID, 'id', 'root_id', 'designated_root'], [IFLA_BRPORT.HOLD_TIMER, 'timer', 'hold_timer'],
  [IFLA_BRPORT.MESSAGE_AGE_TIMER, 'timer', 'message_age_timer'], [IFLA_BRPORT.FORWARD_DELAY_TIMER, 'timer', 'forward_delay_timer'],
  [IFLA_BRPORT.TOPOLOGY_CHANGE_ACK, 'u8', 'topology_change_ack'], [IFLA_BRPORT.CONFIG_PENDING, 'u8', 'config_pending'],
  [IFLA_BRPORT.PROXYARP, 'onoff', 'proxy_arp'], [IFLA_BRPORT.PROXYARP_WIFI, 'onoff', 'proxy_arp_wifi'],
  [IFLA_BRPORT.MULTICAST_ROUTER, 'u8', 'multicast_router', 'mcast_router'],
];
const PORT_FLOODS: Field[] = [
  [IFLA_BRPORT.MCAST_FLOOD, 'onoff', 'mcast_flood'], [IFLA_BRPORT.BCAST_FLOOD, 'onoff', 'bcast_flood'],
  [IFLA_BRPORT.MCAST_TO_UCAST, 'onoff', 'mcast_to_unicast'], [IFLA_BRPORT.NEIGH_SUPPRESS, 'onoff', 'neigh_suppress'],
];
const PORT_TAIL: Field[] = [
  [IFLA_BRPORT.VLAN_TUNNEL, 'onoff', 'vlan_tunnel'], [IFLA_BRPORT.ISOLATED, 'onoff', 'isolated'], [IFLA_BRPORT.LOCKED, 'onoff', 'locked'],
];

/** bridge_slave_print_opt() */
function printBridgeSlave(out: Output, tb: Attrs, env: PrintEnv): void {
  const st = tb.get(IFLA_BRPORT.STATE);
  if (st) {
    const s = attrU8(st);
    if (s < PORT_STATES.length) out.string('state', `state ${PORT_STATES[s]} `, PORT_STATES[s]);
    else out.uint('state_index', `state (${s}) `, s);
  }
  printFields(out, tb, PORT_HEAD);
  // Text only: the JSON has it once already, as "fastleave".
  const fast = tb.get(IFLA_BRPORT.FAST_LEAVE);
  if (fast) out.fp(`mcast_fast_leave ${attrU8(fast) ? 'on' : 'off'} `);
  printFields(out, tb, PORT_FLOODS);
  const fm = tb.get(IFLA_BRPORT.GROUP_FWD_MASK);
  if (fm) {
    const mask = attrU16(fm);
    printField(out, fm, 'hex', 'group_fwd_mask', 'group_fwd_mask');
    const names: string[] = [];
    for (let i = 0; i < 16; i++) if (mask & (1 << i)) names.push(FWD_MASK_NAMES[i] ?? `0x${(1 << i).toString(16)}`);
    const s = names.length ? names.join(',') : '0x0';
    out.string('group_fwd_mask_str', `group_fwd_mask_str ${s} `, s);
  }
  printFields(out, tb, PORT_TAIL);
  const backup = tb.get(IFLA_BRPORT.BACKUP_PORT);
  if (backup) {
    const n = env.ifname(attrU32(backup));
    out.string('backup_port', `backup_port ${n} `, n);
  }
}

const BRIDGE_SLAVE_USAGE = `Usage: ... bridge_slave [ fdb_flush ]
			[ state STATE ]
			[ priority PRIO ]
			[ cost COST ]
			[ guard {on | off} ]
			[ hairpin {on | off} ]
			[ fastleave {on | off} ]
			[ root_block {on | off} ]
			[ learning {on | off} ]
			[ flood {on | off} ]
			[ proxy_arp {on | off} ]
			[ proxy_arp_wifi {on | off} ]
			[ mcast_router MULTICAST_ROUTER ]
			[ mcast_fast_leave {on | off} ]
			[ mcast_flood {on | off} ]
			[ bcast_flood {on | off} ]
			[ mcast_to_unicast {on | off} ]
			[ group_fwd_mask MASK ]
			[ neigh_suppress {on | off} ]
			[ vlan_tunnel {on | off} ]
			[ isolated {on | off} ]
			[ locked {on | off} ]
			[ backup_port DEVICE ] [ nobackup_port ]`;

type SlaveOpt = readonly [word: string, how: 'u8' | 'u16' | 'u32' | 'onoff' | 'flag' | 'dev' | 'nodev', type: number, err?: string];

// bridge_slave_parse_opt()'s tests in its order (prefixes take the first match).
const BRIDGE_SLAVE_OPTS: SlaveOpt[] = [
  ['fdb_flush', 'flag', IFLA_BRPORT.FLUSH], ['state', 'u8', IFLA_BRPORT.STATE, 'state is invalid'],
  ['priority', 'u16', IFLA_BRPORT.PRIORITY, 'priority is invalid'], ['cost', 'u32', IFLA_BRPORT.COST, 'cost is invalid'],
  ['hairpin', 'onoff', IFLA_BRPORT.MODE], ['guard', 'onoff', IFLA_BRPORT.GUARD], ['root_block', 'onoff', IFLA_BRPORT.PROTECT],
  ['fastleave', 'onoff', IFLA_BRPORT.FAST_LEAVE], ['learning', 'onoff', IFLA_BRPORT.LEARNING],
  ['flood', 'onoff', IFLA_BRPORT.UNICAST_FLOOD], ['mcast_flood', 'onoff', IFLA_BRPORT.MCAST_FLOOD],
  ['bcast_flood', 'onoff', IFLA_BRPORT.BCAST_FLOOD], ['mcast_to_unicast', 'onoff', IFLA_BRPORT.MCAST_TO_UCAST],
  ['proxy_arp', 'onoff', IFLA_BRPORT.PROXYARP], ['proxy_arp_wifi', 'onoff', IFLA_BRPORT.PROXYARP_WIFI],
  ['mcast_router', 'u8', IFLA_BRPORT.MULTICAST_ROUTER, 'invalid mcast_router'],
  ['mcast_fast_leave', 'onoff', IFLA_BRPORT.FAST_LEAVE], ['neigh_suppress', 'onoff', IFLA_BRPORT.NEIGH_SUPPRESS],
  ['group_fwd_mask', 'u16', IFLA_BRPORT.GROUP_FWD_MASK, 'invalid group_fwd_mask'],
  ['vlan_tunnel', 'onoff', IFLA_BRPORT.VLAN_TUNNEL], ['isolated', 'onoff', IFLA_BRPORT.ISOLATED], ['locked', 'onoff', IFLA_BRPORT.LOCKED],
  ['backup_port', 'dev', IFLA_BRPORT.BACKUP_PORT], ['nobackup_port', 'nodev', IFLA_BRPORT.BACKUP_PORT],
];

/** bridge_slave_parse_opt() */
function parseBridgeSlave(words: string[], env: ParseEnv): LinkAttr[] {
  const out: LinkAttr[] = [];
  for (const a = new Args(words); a.more; a.i++) {
    const w = a.cur;
    const opt = BRIDGE_SLAVE_OPTS.find(([name]) => matches(w, name));
    if (!opt) {
      if (matches(w, 'help')) throw new Exit(1, [BRIDGE_SLAVE_USAGE]);
      throw new Exit(1, [`bridge_slave: unknown option "${w}"?`, BRIDGE_SLAVE_USAGE]);
    }
    const [name, how, type, err = ''] = opt;
    if (how === 'flag') { out.push(flag(type)); continue; }
    if (how === 'nodev') { out.push(u32(type, 0)); continue; }
    const v = a.next();
    switch (how) {
      case 'u8': out.push(u8(type, parseUnsigned(v, 0xff) ?? invarg(err, v))); break;
      case 'u16': out.push(u16(type, parseUnsigned(v, 0xffff) ?? invarg(err, v))); break;
      case 'u32': out.push(u32(type, parseUnsigned(v, 0xffffffff) ?? invarg(err, v))); break;
      case 'onoff': out.push(u8(type, parseOnOff(name, v))); break;
      case 'dev': {
        const idx = env.ifindex(v);
        // ip's message ends in "\n" of its own: a blank line follows.
        if (!idx) throw new Exit(255, [`Error: argument "${v}" is wrong: Device does not exist`, '']);
        out.push(u32(type, idx));
        break;
      }
    }
  }
  return out;
}

export const bridgeSlave: LinkKind = {
  id: 'bridge_slave',
  parse: parseBridgeSlave,
  print: printBridgeSlave,
  help: BRIDGE_SLAVE_USAGE,
  keywords: BRIDGE_SLAVE_OPTS.map(([name]) => name),
};
