// The model's link kinds, by IFLA_INFO_KIND: one file each (kinds/<kind>.ts,
// its rtnl_link_ops roles), one line here. A kind not listed is refused
// as the kernel refuses a kind it has no module for.
import { bond } from './bond.js';
import { bridge } from './bridge.js';
import { dummy } from './dummy.js';
import { macvlan } from './macvlan.js';
import type { LinkKindOps } from './ops.js';
import { veth } from './veth.js';
import { vxlan } from './vxlan.js';

const KINDS = new Map<string, LinkKindOps>([bond, bridge, dummy, macvlan, veth, vxlan].map((k) => [k.kind, k]));

/** The kind of that name (undefined: not one the model knows). */
export function linkKind(name: string | undefined): LinkKindOps | undefined {
  return name === undefined ? undefined : KINDS.get(name);
}
