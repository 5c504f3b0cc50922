// `tsnet arping` (iputils arping): the words after it are arping's own argv. Code: ../arping.ts.
import { type IpObject, onUse } from '../object.js';

export const arping: IpObject = {
  names: ['arping'],
  command: 'arping',
  summary: 'Send ARP requests to a neighbour, as iputils arping.',
  synopsis: 'arping [ -fqbDUAV ] [ -c count ] [ -w timeout ] [ -i interval ] [ -I device ] [ -s source ] destination',
  optionsAfter: false,
  verbs: {
    '': {
      keywords: {
        '-f': null, '-q': null, '-b': null, '-D': null, '-U': null, '-A': null, '-V': null, '-c': 'free', '-w': 'free',
        '-i': 'free', '-I': 'devices', '-s': 'free',
      },
    },
  },
  run: onUse(() => import('../arping.js'), (m) => m.doArping),
};
