// `tsnet ntable` (ip ntable): the neighbour tables' parameters (thresholds, timers,
// probe counts, queue lengths), per table and per device. Code: ../ntable.ts.
import { type IpObject, type Values, onUse } from '../object.js';

const PARMS = {
  base_reachable: 'free', retrans: 'free', gc_stale: 'free', delay_probe: 'free', queue: 'free', app_probes: 'free',
  ucast_probes: 'free', mcast_probes: 'free', anycast_delay: 'free', proxy_delay: 'free', proxy_queue: 'free',
  locktime: 'free',
} as const satisfies Record<string, Values | null>;
const TABLES = ['arp_cache', 'ndisc_cache'];

export const ntable: IpObject = {
  // ip's other name, ntbl, is its line in the registry's table; completion and help offer this one.
  names: ['ntable'],
  command: 'ntable',
  summary: 'Show and change the neighbour tables\' parameters, as ip ntable.',
  synopsis: 'ntable { show [ dev DEV ] [ name NAME ] | change name NAME [ dev DEV ] [ thresh1 N ] ... [ PARMS ] | help }',
  optionsAfter: true,
  verbs: {
    show: { keywords: { dev: 'devices', name: TABLES } },
    change: {
      keywords: { name: TABLES, dev: 'devices', thresh1: 'free', thresh2: 'free', thresh3: 'free', gc_int: 'free', ...PARMS },
    },
    help: { keywords: {} },
  },
  run: onUse(() => import('../ntable.js'), (m) => m.doNtable),
};
