// `tsnet neigh` (ip neigh): the neighbour (ARP/NDP) tables. Code: ../neigh.ts.
import { type IpObject, type Values, onUse } from '../object.js';

const NUD = ['permanent', 'noarp', 'stale', 'reachable', 'none', 'incomplete', 'delay', 'probe', 'failed'];
const CHANGE = {
  lladdr: 'free', nud: NUD, proxy: 'free', dev: 'devices', router: null, use: null, managed: null,
  extern_learn: null, protocol: 'protocols',
} as const satisfies Record<string, Values | null>;
// show/flush also take `nud all` (nud_state_a2n() is not asked for "all" on add).
const FILTER = {
  proxy: null, to: 'free', dev: 'devices', nud: [...NUD, 'all'], vrf: 'devices', master: 'devices', nomaster: null,
  unused: null, protocol: 'protocols',
} as const satisfies Record<string, Values | null>;

export const neigh: IpObject = {
  names: ['neighbor', 'neighbour'],
  command: 'neigh',
  summary: 'Show and manage the neighbour (ARP/NDP) tables, as ip neigh.',
  synopsis: 'neigh { add | del | change | replace | show | flush | get | help } ...',
  optionsAfter: true,
  verbs: {
    add: { keywords: CHANGE },
    del: { keywords: { proxy: 'free', dev: 'devices' } },
    change: { keywords: CHANGE },
    replace: { keywords: CHANGE },
    show: { keywords: FILTER },
    flush: { keywords: FILTER },
    get: { keywords: { proxy: 'free', dev: 'devices' } },
    help: { keywords: {} },
  },
  run: onUse(() => import('../neigh.js'), (m) => m.doNeigh),
};
