// ll_type_n2a() (lib/ll_types.c of iproute2 6.1): the names of ARPHRD_*
// link types, as `link/ether` in a link's second line.

const ARPHRD_NAMES = new Map<number, string>([
  [0, 'netrom'], [1, 'ether'], [2, 'eether'], [3, 'ax25'], [4, 'pronet'], [5, 'chaos'], [6, 'ieee802'],
  [7, 'arcnet'], [8, 'atalk'], [15, 'dlci'], [19, 'atm'], [23, 'metricom'], [24, 'ieee1394'], [32, 'infiniband'],
  [256, 'slip'], [257, 'cslip'], [258, 'slip6'], [259, 'cslip6'], [260, 'rsrvd'], [264, 'adapt'], [270, 'rose'],
  [271, 'x25'], [272, 'hwx25'], [280, 'can'], [512, 'ppp'], [513, 'hdlc'], [516, 'lapb'], [517, 'ddcmp'],
  [518, 'rawhdlc'], [768, 'ipip'], [769, 'tunnel6'], [770, 'frad'], [771, 'skip'], [772, 'loopback'],
  [773, 'ltalk'], [774, 'fddi'], [775, 'bif'], [776, 'sit'], [777, 'ip/ddp'], [778, 'gre'], [779, 'pimreg'],
  [780, 'hippi'], [781, 'ash'], [782, 'econet'], [783, 'irda'], [784, 'fcpp'], [785, 'fcal'], [786, 'fcpl'],
  [787, 'fcfb0'], [788, 'fcfb1'], [789, 'fcfb2'], [790, 'fcfb3'], [791, 'fcfb4'], [792, 'fcfb5'], [793, 'fcfb6'],
  [794, 'fcfb7'], [795, 'fcfb8'], [796, 'fcfb9'], [797, 'fcfb10'], [798, 'fcfb11'], [799, 'fcfb12'], [800, 'tr'],
  [801, 'ieee802.11'], [802, 'ieee802.11/prism'], [803, 'ieee802.11/radiotap'], [804, 'ieee802.15.4'],
  [805, 'ieee802.15.4/monitor'], [820, 'phonet'], [821, 'phonet_pipe'], [822, 'caif'], [823, 'gre6'],
  [824, 'netlink'], [825, '6lowpan'], [0xfffe, 'none'], [0xffff, 'void'],
]);

/** ll_type_n2a(): the name, or [N] (always with -N). */
export function linkTypeName(type: number, numeric = false): string {
  return (numeric ? undefined : ARPHRD_NAMES.get(type)) ?? `[${type}]`;
}
