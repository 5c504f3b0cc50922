// `tsnet link` (ip link): network devices. Code: ../link.ts.
import { type IpObject, onUse } from '../object.js';

/** `type` offers the kinds tsnet parses and prints (src/ip/kinds; looked up only when completing). */
const KINDS = 'linkKinds';
const ON_OFF = ['on', 'off'];

export const link: IpObject = {
  names: ['link'],
  command: 'link',
  summary: 'Show and manage network devices, as ip link.',
  synopsis: 'link { add | set | delete | show | help } ...',
  optionsAfter: true,
  verbs: {
    show: { keywords: { dev: 'devices', group: 'free', up: null, master: 'devices', nomaster: null, vrf: 'devices', type: KINDS } },
    set: {
      keywords: {
        dev: 'devices', up: null, down: null, name: 'free', address: 'free', broadcast: 'free', mtu: 'free',
        txqueuelen: 'free', master: 'devices', nomaster: null, arp: ON_OFF, multicast: ON_OFF, allmulticast: ON_OFF,
        promisc: ON_OFF, alias: 'free', netns: 'namespaces', group: 'free', type: KINDS, inet: 'free',
      },
    },
    add: { keywords: { link: 'devices', name: 'free', txqueuelen: 'free', address: 'free', broadcast: 'free', mtu: 'free', type: KINDS } },
    delete: { keywords: { dev: 'devices', group: 'free', type: KINDS } },
    help: { keywords: {} },
  },
  run: onUse(() => import('../link.js'), (m) => m.doLink),
};
