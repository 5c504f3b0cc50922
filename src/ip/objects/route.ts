// `tsnet route` (ip route): the routing tables. Code: ../route.ts.
import { type IpObject, type Values, onUse } from '../object.js';

const TYPES = ['unicast', 'local', 'broadcast', 'multicast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'nat'];
const TABLE = ['local', 'main', 'default', 'all'];
const SCOPE = ['host', 'link', 'global'];
const PROTO: Values = 'protocols';
const SELECTOR = {
  table: [...TABLE, 'cache'], vrf: 'devices', proto: PROTO, protocol: PROTO, type: TYPES, scope: [...SCOPE, 'all'],
  dev: 'devices', oif: 'devices', iif: 'devices', via: 'free', src: 'free', metric: 'free', mark: 'free', realms: 'free',
  from: 'free', to: 'free', root: 'free', match: 'free', exact: 'free', tos: 'free', cloned: null, cached: null,
} as const satisfies Record<string, Values | null>;
const ROUTE = {
  to: 'free', via: 'free', dev: 'devices', src: 'free', from: 'free', metric: 'free', table: TABLE.slice(0, 3),
  proto: PROTO, protocol: PROTO, scope: SCOPE, tos: 'free', onlink: null, mtu: 'free', advmss: 'free', hoplimit: 'free',
  window: 'free', cwnd: 'free', initcwnd: 'free', initrwnd: 'free', ssthresh: 'free', rtt: 'free', rttvar: 'free',
  rto_min: 'free', reordering: 'free', features: ['ecn'], quickack: ['0', '1'], congctl: 'free', realms: 'free',
  pref: ['low', 'medium', 'high'], expires: 'free', fastopen_no_cookie: ['0', '1'], nexthop: null, weight: 'free',
  nhid: 'free', 'ttl-propagate': ['enabled', 'disabled'], ...Object.fromEntries(TYPES.map((t) => [t, 'free'])),
} as const satisfies Record<string, Values | null>;
const GET = {
  from: 'free', iif: 'devices', oif: 'devices', dev: 'devices', tos: 'free', mark: 'free', uid: 'free',
  ipproto: 'free', sport: 'free', dport: 'free', fibmatch: null, connected: null, to: 'free',
} as const satisfies Record<string, Values | null>;

export const route: IpObject = {
  names: ['route'],
  command: 'route',
  summary: 'Show and manage the routing tables (IPv4 and IPv6), as ip route.',
  synopsis: 'route { add | del | change | append | replace | prepend | show | flush | get | help } ...',
  optionsAfter: true,
  verbs: {
    add: { keywords: ROUTE },
    del: { keywords: ROUTE },
    change: { keywords: ROUTE },
    replace: { keywords: ROUTE },
    append: { keywords: ROUTE },
    prepend: { keywords: ROUTE },
    show: { keywords: SELECTOR },
    list: { keywords: SELECTOR },
    flush: { keywords: SELECTOR },
    get: { keywords: GET },
    help: { keywords: {} },
  },
  run: onUse(() => import('../route.js'), (m) => m.doRoute),
};
