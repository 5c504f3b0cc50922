// `tsnet monitor` (ip monitor): rtnetlink events as they happen. Code: ../monitor.ts.
import { type IpObject, onUse } from '../object.js';

const WORDS = { label: null, dev: 'devices', 'all-nsid': null, file: 'free' } as const;

export const monitor: IpObject = {
  names: ['monitor'],
  command: 'monitor',
  summary: 'Watch link, address, neighbour and route events, or print saved ones (file FILE), as ip monitor.',
  synopsis: 'monitor [ all | address | link | neigh | route ] [ file FILE ] [ label ] [ dev DEVICE ]',
  optionsAfter: true,
  verbs: {
    all: { keywords: WORDS },
    neigh: { keywords: WORDS },
    route: { keywords: WORDS },
    link: { keywords: WORDS },
    address: { keywords: WORDS },
    file: { keywords: WORDS, args: ['free'] },
    help: { keywords: {} },
  },
  run: onUse(() => import('../monitor.js'), (m) => m.doMonitor),
};
