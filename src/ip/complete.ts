// Shell completion: `tsnet completion bash|zsh` prints a script that asks
// `tsnet __complete CWORD WORD...` for the candidates at the cursor. The
// grammar below is ip's (objects, verbs, keywords) plus the values a user
// looks up: device names, NUD states, protocols, families, link kinds.
import { readdirSync } from 'node:fs';
import { writeAll } from '../lib/output.js';
import { resolveObject } from './main.js';
import { matches } from './matches.js';
import { rtProtocols } from './names.js';
import { LINK_KIND_IDS } from './kinds/registry.js';

const GLOBAL_OPTIONS = [
  '-json', '-pretty', '-stats', '-details', '-4', '-6', '-0', '-family', '-oneline', '-brief', '-color',
  '-netns', '-batch', '-force', '-Numeric', '-Version', '-help', '-timestamp', '-tshort', '--dry-run', '--trace', '--state', '--extras',
];
const OBJECTS = ['address', 'link', 'neighbour', 'monitor', 'bond', 'arping', 'sim', 'help'];
const NUD = ['permanent', 'noarp', 'stale', 'reachable', 'none', 'incomplete', 'delay', 'probe', 'failed'];

/** verb → keywords, per object (ip's usage texts). */
const GRAMMAR: Record<string, Record<string, string[]>> = {
  neighbour: {
    add: ['lladdr', 'nud', 'proxy', 'dev', 'router', 'use', 'managed', 'extern_learn', 'protocol'],
    del: ['proxy', 'dev'],
    change: ['lladdr', 'nud', 'proxy', 'dev', 'router', 'use', 'managed', 'extern_learn', 'protocol'],
    replace: ['lladdr', 'nud', 'proxy', 'dev', 'router', 'use', 'managed', 'extern_learn', 'protocol'],
    show: ['proxy', 'to', 'dev', 'nud', 'vrf', 'master', 'nomaster', 'unused', 'protocol'],
    flush: ['proxy', 'to', 'dev', 'nud', 'vrf', 'master', 'nomaster', 'unused', 'protocol'],
    get: ['proxy', 'dev'],
    help: [],
  },
  address: {
    add: ['dev', 'peer', 'broadcast', 'anycast', 'label', 'scope', 'metric', 'proto', 'valid_lft', 'preferred_lft',
      'home', 'nodad', 'mngtmpaddr', 'noprefixroute', 'autojoin'],
    del: ['dev', 'peer', 'label', 'scope'],
    change: ['dev', 'broadcast', 'label', 'scope', 'metric', 'valid_lft', 'preferred_lft'],
    replace: ['dev', 'peer', 'broadcast', 'anycast', 'label', 'scope', 'metric', 'proto', 'valid_lft', 'preferred_lft'],
    show: ['dev', 'scope', 'to', 'label', 'up', 'primary', 'secondary', 'dynamic', 'permanent', 'tentative',
      'deprecated', 'dadfailed', 'master', 'nomaster', 'vrf', 'type', 'proto', 'group'],
    flush: ['dev', 'scope', 'to', 'label', 'up', 'primary', 'secondary', 'dynamic', 'permanent'],
    save: ['dev', 'scope', 'to', 'label'],
    restore: [],
    showdump: [],
    help: [],
  },
  link: {
    show: ['dev', 'group', 'up', 'master', 'nomaster', 'vrf', 'type'],
    set: ['dev', 'up', 'down', 'name', 'address', 'broadcast', 'mtu', 'txqueuelen', 'master', 'nomaster', 'arp',
      'multicast', 'allmulticast', 'promisc', 'alias', 'netns', 'group', 'type', 'inet'],
    add: ['link', 'name', 'txqueuelen', 'address', 'broadcast', 'mtu', 'type'],
    delete: ['dev', 'group', 'type'],
    help: [],
  },
  monitor: { all: ['label', 'dev'], neigh: ['label', 'dev'], link: ['label', 'dev'], address: ['label', 'dev'] },
  bond: { add: ['mode', 'miimon'], del: [], enslave: [], release: [], set: ['active', 'primary', 'mode', 'miimon'], show: [] },
};

/** Keywords followed by a value, and what that value can be. */
function valuesAfter(keyword: string): string[] | undefined {
  switch (keyword) {
    case 'dev': case 'master': case 'link': case 'vrf': case 'active': case 'primary': case '-I':
      return deviceNames();
    case 'nud': return [...NUD, 'all'];
    case 'protocol': case 'proto': return protocolNames();
    case '-family': case '-f': return ['inet', 'inet6', 'link', 'mpls', 'bridge'];
    case 'type': return [...LINK_KIND_IDS];
    case 'scope': return ['host', 'link', 'global'];
    case 'mode': return ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'];
    case 'up': case 'down': return undefined;
    case 'arp': case 'multicast': case 'allmulticast': case 'promisc': return ['on', 'off'];
    case 'lladdr': case 'to': case 'name': case 'address': case 'mtu': case 'label': case 'broadcast':
    case 'peer': case 'metric': case 'valid_lft': case 'preferred_lft': case 'txqueuelen': case 'alias':
    case 'group': case 'netns': case 'miimon': case '-netns': case '-n': case '-batch': case '-b': case '--state':
      return [];
    default: return undefined;
  }
}

function deviceNames(): string[] {
  try {
    return readdirSync('/sys/class/net').sort();
  } catch {
    return [];
  }
}

function protocolNames(): string[] {
  const names: string[] = [];
  for (let i = 0; i < 256; i++) {
    const n = rtProtocols.name(i, false);
    if (n !== String(i)) names.push(n);
  }
  return names;
}

/** Candidates for word number `cword` (1-based, as bash's COMP_CWORD) of `words`. */
export function completions(words: string[], cword: number): string[] {
  const cur = words[cword - 1] ?? '';
  const before = words.slice(0, cword - 1);
  const pick = (list: string[]) => list.filter((w) => w.startsWith(cur));
  const prev = before[before.length - 1];
  if (prev !== undefined) {
    const v = valuesAfter(prev);
    if (v !== undefined) return pick(v);
  }
  // Skip the global options (and their values) before the object.
  let i = 0;
  while (i < before.length && before[i].startsWith('-')) {
    i += valuesAfter(before[i]) !== undefined ? 2 : 1;
  }
  if (i >= before.length) return cur.startsWith('-') ? pick(GLOBAL_OPTIONS) : pick(OBJECTS);
  let obj = resolveObject(before[i]);
  if (obj === 'neighbor') obj = 'neighbour';
  const verbs = obj ? GRAMMAR[obj] : undefined;
  if (!verbs) return [];
  if (i + 1 >= before.length) return pick(Object.keys(verbs));
  const verbWord = before[i + 1];
  const verb = Object.keys(verbs).find((v) => matches(verbWord, v));
  return verb ? pick(verbs[verb]) : [];
}

export function completionScript(shell: string): string | undefined {
  if (shell === 'bash') {
    return `# tsnet completion for bash: eval "$(tsnet completion bash)"
_tsnet() {
  local IFS=$'\\n'
  COMPREPLY=( $(tsnet __complete "$COMP_CWORD" "\${COMP_WORDS[@]:1}" 2>/dev/null) )
}
complete -o default -F _tsnet tsnet
`;
  }
  if (shell === 'zsh') {
    return `#compdef tsnet
# tsnet completion for zsh: eval "$(tsnet completion zsh)" (after compinit)
_tsnet() {
  local -a c
  c=( \${(f)"$(tsnet __complete $((CURRENT - 1)) \${words[2,-1]} 2>/dev/null)"} )
  compadd -- $c
}
compdef _tsnet tsnet
`;
  }
  return undefined;
}

/** `tsnet completion SHELL` (alias `autocomplete`) and `tsnet __complete CWORD WORD...`. Returns the exit status. */
export function runCompletion(argv: string[]): number {
  if (argv[0] !== '__complete') {
    const s = completionScript(argv[1] ?? 'bash');
    if (!s) {
      writeAll(2, 'Usage: tsnet completion { bash | zsh }\n');
      return 255;
    }
    writeAll(1, s);
    return 0;
  }
  const cword = Number(argv[1]);
  const list = completions(argv.slice(2), cword);
  if (list.length) writeAll(1, list.join('\n') + '\n');
  return 0;
}
