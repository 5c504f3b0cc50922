// `tsnet netns` (ip netns): named network namespaces, their nsids, commands
// run inside them; under --dry-run, the model's hosts. Code: ../netns.ts.
import { type IpObject, onUse } from '../object.js';

export const netns: IpObject = {
  names: ['netns'],
  command: 'netns',
  summary: 'Manage named network namespaces (the model\'s hosts under --dry-run), as ip netns.',
  synopsis: 'netns { list | add NAME | attach NAME PID | set NAME NETNSID | delete [NAME] | identify [PID] | pids NAME | exec [NAME] cmd ... | list-id | help }',
  // `exec NAME cmd ...` hands every word to the command: no option is taken after the object (as ip).
  optionsAfter: false,
  verbs: {
    list: { keywords: {} },
    add: { keywords: {}, args: ['free'] },
    attach: { keywords: {}, args: ['namespaces', 'free'] },
    set: { keywords: {}, args: ['namespaces', ['auto']] },
    delete: { keywords: {}, args: ['namespaces'] },
    identify: { keywords: {}, args: ['free'] },
    pids: { keywords: {}, args: ['namespaces'] },
    exec: { keywords: {}, args: ['namespaces', 'free'] },
    monitor: { keywords: {} },
    'list-id': { keywords: { 'target-nsid': 'free', nsid: 'free' } },
    help: { keywords: {} },
  },
  run: onUse(() => import('../netns.js'), (m) => m.doNetns),
};
