// Where in the kernel each step of the model happens: every event the model
// notes names the function (and its file, as in Linux 6.1) that makes that
// transition, so a reader of the trace can open the source at the right
// place. One table, one key per function; an event carries its key (or a
// caller -> callee pair) as data (TimelineEvent.fn), and kernelTag() turns it
// into the short tag `--trace` prints. Steps that are not the kernel's (the
// simulated world: peers moving, cables, arping's own frames) name what
// does them instead, marked as such.

/** Function -> source file (Linux 6.1 tree), or, for the simulated world, the tsnet command. */
export const KFN = {
  // net/core/neighbour.c
  __neigh_event_send: 'net/core/neighbour.c',
  __neigh_update: 'net/core/neighbour.c',
  neigh_timer_handler: 'net/core/neighbour.c',
  neigh_invalidate: 'net/core/neighbour.c',
  neigh_probe: 'net/core/neighbour.c',
  neigh_periodic_work: 'net/core/neighbour.c',
  neigh_forced_gc: 'net/core/neighbour.c',
  neigh_alloc: 'net/core/neighbour.c',
  neigh_add: 'net/core/neighbour.c',
  neigh_delete: 'net/core/neighbour.c',
  neigh_get: 'net/core/neighbour.c',
  neigh_dump_info: 'net/core/neighbour.c',
  neightbl_set: 'net/core/neighbour.c',
  neigh_proxy_process: 'net/core/neighbour.c',
  pneigh_enqueue: 'net/core/neighbour.c',
  neigh_event_ns: 'net/core/neighbour.c',
  // net/ipv4/arp.c
  arp_process: 'net/ipv4/arp.c',
  arp_solicit: 'net/ipv4/arp.c',
  arp_send_dst: 'net/ipv4/arp.c',
  arp_ignore: 'net/ipv4/arp.c',
  arp_fwd_proxy: 'net/ipv4/arp.c',
  arp_is_garp: 'net/ipv4/arp.c',
  arp_error_report: 'net/ipv4/arp.c',
  parp_redo: 'net/ipv4/arp.c',
  // the IPv4 output and ICMP paths
  ip_finish_output2: 'net/ipv4/ip_output.c',
  __ipv4_confirm_neigh: 'include/net/arp.h',
  icmp_send: 'net/ipv4/icmp.c',
  udp_queue_rcv_skb: 'net/ipv4/udp.c',
  ip_forward: 'net/ipv4/ip_forward.c',
  // the FIB: net/ipv4/fib_*.c, net/ipv6/route.c
  fib_table_lookup: 'net/ipv4/fib_trie.c',
  fib_table_insert: 'net/ipv4/fib_trie.c',
  fib_table_delete: 'net/ipv4/fib_trie.c',
  inet_rtm_newroute: 'net/ipv4/fib_frontend.c',
  inet_rtm_delroute: 'net/ipv4/fib_frontend.c',
  inet_rtm_getroute: 'net/ipv4/route.c',
  fib_add_ifaddr: 'net/ipv4/fib_frontend.c',
  fib_del_ifaddr: 'net/ipv4/fib_frontend.c',
  fib_sync_down_dev: 'net/ipv4/fib_semantics.c',
  ip6_route_add: 'net/ipv6/route.c',
  ip6_route_del: 'net/ipv6/route.c',
  inet6_rtm_getroute: 'net/ipv6/route.c',
  // net/ipv4/devinet.c
  inet_rtm_newaddr: 'net/ipv4/devinet.c',
  inet_rtm_deladdr: 'net/ipv4/devinet.c',
  inet_dump_ifaddr: 'net/ipv4/devinet.c',
  __inet_insert_ifa: 'net/ipv4/devinet.c',
  __inet_del_ifa: 'net/ipv4/devinet.c',
  check_lifetime: 'net/ipv4/devinet.c',
  inetdev_event: 'net/ipv4/devinet.c',
  inet_set_link_af: 'net/ipv4/devinet.c',
  inetdev_send_gratuitous_arp: 'net/ipv4/devinet.c',
  // net/ipv6/addrconf.c
  inet6_rtm_newaddr: 'net/ipv6/addrconf.c',
  inet6_addr_add: 'net/ipv6/addrconf.c',
  inet6_addr_del: 'net/ipv6/addrconf.c',
  inet6_rtm_deladdr: 'net/ipv6/addrconf.c',
  inet6_dump_ifaddr: 'net/ipv6/addrconf.c',
  addrconf_dad_completed: 'net/ipv6/addrconf.c',
  addrconf_ifdown: 'net/ipv6/addrconf.c',
  addrconf_addr_gen: 'net/ipv6/addrconf.c',
  init_loopback: 'net/ipv6/addrconf.c',
  addrconf_verify_rtnl: 'net/ipv6/addrconf.c',
  // net/core/rtnetlink.c and net/core/dev.c
  rtnl_newlink: 'net/core/rtnetlink.c',
  rtnl_dellink: 'net/core/rtnetlink.c',
  rtnl_setlink: 'net/core/rtnetlink.c',
  do_setlink: 'net/core/rtnetlink.c',
  rtnl_getlink: 'net/core/rtnetlink.c',
  rtnl_create_link: 'net/core/rtnetlink.c',
  rtnl_dump_ifinfo: 'net/core/rtnetlink.c',
  rtnetlink_rcv_msg: 'net/core/rtnetlink.c',
  dev_set_mtu: 'net/core/dev.c',
  dev_change_name: 'net/core/dev.c',
  dev_change_flags: 'net/core/dev.c',
  dev_change_carrier: 'net/core/dev.c',
  dev_set_mac_address: 'net/core/dev.c',
  unregister_netdevice_many: 'net/core/dev.c',
  // link kinds
  veth_newlink: 'drivers/net/veth.c',
  veth_open: 'drivers/net/veth.c',
  veth_close: 'drivers/net/veth.c',
  br_dev_newlink: 'net/bridge/br_netlink.c',
  br_add_if: 'net/bridge/br_if.c',
  br_del_if: 'net/bridge/br_if.c',
  macvlan_newlink: 'drivers/net/macvlan.c',
  vxlan_newlink: 'drivers/net/vxlan/vxlan_core.c',
  // drivers/net/bonding
  bond_newlink: 'drivers/net/bonding/bond_netlink.c',
  bond_enslave: 'drivers/net/bonding/bond_main.c',
  __bond_release_one: 'drivers/net/bonding/bond_main.c',
  bond_mii_monitor: 'drivers/net/bonding/bond_main.c',
  bond_miimon_inspect: 'drivers/net/bonding/bond_main.c',
  bond_miimon_commit: 'drivers/net/bonding/bond_main.c',
  bond_select_active_slave: 'drivers/net/bonding/bond_main.c',
  bond_change_active_slave: 'drivers/net/bonding/bond_main.c',
  bond_set_carrier: 'drivers/net/bonding/bond_main.c',
  bond_option_active_slave_set: 'drivers/net/bonding/bond_options.c',
  bond_changelink: 'drivers/net/bonding/bond_netlink.c',
  bond_arp_monitor: 'drivers/net/bonding/bond_main.c',
  bond_loadbalance_arp_mon: 'drivers/net/bonding/bond_main.c',
  bond_activebackup_arp_mon: 'drivers/net/bonding/bond_main.c',
  bond_ab_arp_commit: 'drivers/net/bonding/bond_main.c',
  bond_ab_arp_probe: 'drivers/net/bonding/bond_main.c',
  bond_arp_send_all: 'drivers/net/bonding/bond_main.c',
  // a bond's traffic (bond-xmit.ts)
  bond_start_xmit: 'drivers/net/bonding/bond_main.c',
  bond_tx_drop: 'drivers/net/bonding/bonding.h',
  bond_xmit_roundrobin: 'drivers/net/bonding/bond_main.c',
  bond_xmit_roundrobin_slave_get: 'drivers/net/bonding/bond_main.c',
  bond_xmit_activebackup: 'drivers/net/bonding/bond_main.c',
  bond_xmit_broadcast: 'drivers/net/bonding/bond_main.c',
  bond_3ad_xor_xmit: 'drivers/net/bonding/bond_main.c',
  bond_xmit_3ad_xor_slave_get: 'drivers/net/bonding/bond_main.c',
  bond_handle_frame: 'drivers/net/bonding/bond_main.c',
  bond_should_deliver_exact_match: 'drivers/net/bonding/bond_main.c',
  // not the kernel: the simulated world and user space
  'sim peer': 'sim',
  'sim carrier': 'sim',
  'sim set': 'sim',
  'sim send': 'sim',
  arping: 'iputils',
} as const;

export type KFn = keyof typeof KFN;

/** Where a step happens: one function, or a chain of calls down to the one that makes the change. */
export type Where = KFn | readonly KFn[];

/** Records an event with its text and where it happens. */
export type Note = (text: string, fn: Where) => void;

/** The form an event keeps (TimelineEvent.fn): "caller>callee" or one name. */
export function whereKey(fn: Where): string {
  return typeof fn === 'string' ? fn : fn.join('>');
}

function one(name: string): string {
  const file = (KFN as Record<string, string>)[name];
  if (file === 'sim') return `tsnet ${name}, not the kernel`;
  if (file === 'iputils') return `${name} (user space, iputils)`;
  return `${name}() ${file?.slice(file.lastIndexOf('/') + 1) ?? '?'}`;
}

/** The short tag of an event: "[arp_process() arp.c -> __neigh_update() neighbour.c]". */
export function kernelTag(key: string): string {
  return `[${key.split('>').map(one).join(' -> ')}]`;
}
