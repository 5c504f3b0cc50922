// The link kinds the front knows, one line each (ip's linkutil_list). A new
// kind is its file in this directory plus its line here.
export { bond } from './bond.js';
export { bondSlave } from './bond_slave.js';
export { bridge } from './bridge.js';
export { bridgeSlave } from './bridge_slave.js';
export { dummy } from './dummy.js';
export { macvlan, macvtap } from './macvlan.js';
export { veth } from './veth.js';
export { vlan } from './vlan.js';
export { vxlan } from './vxlan.js';
