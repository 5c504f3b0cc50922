// `tsnet address` (ip address): protocol addresses. Code: ../addr.ts.
import { type IpObject, type Values, onUse } from '../object.js';

const SCOPE = ['host', 'link', 'global'];
const LIFETIME = { valid_lft: 'free', preferred_lft: 'free' } as const;
const FILTER = {
  dev: 'devices', scope: [...SCOPE, 'all'], to: 'free', label: 'free', up: null, primary: null, secondary: null,
  dynamic: null, permanent: null, tentative: null, deprecated: null, dadfailed: null,
} as const satisfies Record<string, Values | null>;

export const address: IpObject = {
  names: ['address'],
  command: 'addr',
  summary: 'Show and manage protocol (IPv4/IPv6) addresses, as ip address.',
  synopsis: 'addr { add | change | replace | del | show | flush | save | restore | showdump | help } ...',
  optionsAfter: true,
  verbs: {
    add: {
      keywords: {
        dev: 'devices', peer: 'free', broadcast: 'free', anycast: 'free', label: 'free', scope: SCOPE, metric: 'free',
        proto: 'free', ...LIFETIME, home: null, nodad: null, mngtmpaddr: null, noprefixroute: null, autojoin: null,
      },
    },
    del: { keywords: { dev: 'devices', peer: 'free', label: 'free', scope: SCOPE } },
    change: { keywords: { dev: 'devices', broadcast: 'free', label: 'free', scope: SCOPE, metric: 'free', ...LIFETIME } },
    replace: {
      keywords: {
        dev: 'devices', peer: 'free', broadcast: 'free', anycast: 'free', label: 'free', scope: SCOPE, metric: 'free',
        proto: 'free', ...LIFETIME,
      },
    },
    show: {
      keywords: {
        ...FILTER, master: 'devices', nomaster: null, vrf: 'devices', type: 'free', proto: 'free', group: 'free',
      },
    },
    flush: { keywords: FILTER },
    save: { keywords: { dev: 'devices', scope: [...SCOPE, 'all'], to: 'free', label: 'free' } },
    restore: { keywords: {} },
    showdump: { keywords: {} },
    help: { keywords: {} },
  },
  run: onUse(() => import('../addr.js'), (m) => m.doAddr),
};
