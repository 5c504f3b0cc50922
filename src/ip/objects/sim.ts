// `tsnet sim` (tsnet's own): the model's commands, always on the model. Code: ../sim.ts.
import { type IpObject, onUse } from '../object.js';

/** The neighbour and inet parameters `sim set DEV PARAM VALUE` takes (the model's NeighParams and devconf). */
export const SIM_PARAMS = [
  'base_reachable_time_ms', 'delay_first_probe_time_ms', 'retrans_time_ms', 'ucast_solicit', 'mcast_solicit',
  'app_solicit', 'mcast_resolicit', 'gc_stale_time_ms', 'locktime_ms', 'unres_qlen', 'unres_qlen_bytes',
  'proxy_delay_ms', 'proxy_qlen', 'arp_accept', 'arp_ignore', 'promote_secondaries', 'forwarding', 'proxy_arp',
];

export const sim: IpObject = {
  names: ['sim'],
  command: 'sim',
  summary: 'Drive the --dry-run model: time, traffic, peers, parameters, timeline, charts, pcap.',
  synopsis: 'sim { show | reset | timeline | chart | pcap | send | advance | peer | set | carrier | help } ...',
  optionsAfter: true,
  modelOnly: true,
  verbs: {
    show: { keywords: {} },
    reset: { keywords: { empty: null, seed: 'free' } },
    timeline: { keywords: { host: 'namespaces', last: 'free', kernel: null }, args: ['free'] },
    chart: { keywords: { host: 'namespaces', width: 'free', svg: 'free' }, args: ['free'] },
    pcap: { keywords: { host: 'namespaces', dev: 'devices' }, args: ['free'] },
    send: { keywords: { dev: 'devices', count: 'free', interval: 'free', confirm: null }, args: ['free'] },
    advance: { keywords: {}, args: ['free'] },
    peer: {
      keywords: {},
      sub: {
        add: { keywords: { ip: 'free', mac: 'free', segment: 'free', silent: null, delay: 'free' }, args: ['free'] },
        del: { keywords: {}, args: ['peers'] },
        silent: { keywords: {}, args: ['namespaces', ['on', 'off']] },
        garp: { keywords: { ip: 'free', reply: null }, args: ['namespaces'] },
        move: { keywords: { to: 'namespaces' }, args: ['free'] },
      },
    },
    set: { keywords: {}, args: ['devices', SIM_PARAMS, 'free'] },
    carrier: { keywords: {}, args: ['devices', ['on', 'off']] },
    help: { keywords: {} },
  },
  run: onUse(() => import('../sim.js'), (m) => m.doSim),
};
