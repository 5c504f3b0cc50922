// Shell completion: `tsnet completion bash|zsh` prints a script that asks
// `tsnet __complete CWORD WORD...` for the candidates at the cursor. The
// objects, verbs, keywords and what follows each keyword come from the
// object registry (each object's module says them); devices and namespaces
// are asked of the backend the typed options select (the model's under
// --dry-run).
import { writeAll } from '../lib/output.js';
import { matches } from './matches.js';
import { rtProtocols } from './names.js';
import { LINK_KIND_IDS } from './kinds/registry.js';
import type { CompletionEnv, Values, Verb } from './object.js';
import { OBJECTS, RAW_COMMANDS, objectNamed, rawCommand, resolveObject } from './registry.js';

/** ip's global options, and what follows those that take a value. */
const GLOBAL_OPTIONS: Readonly<Record<string, Values | null>> = {
  '-json': null, '-pretty': null, '-stats': null, '-details': null, '-4': null, '-6': null, '-0': null,
  '-family': ['inet', 'inet6', 'link', 'mpls', 'bridge'], '-oneline': null, '-brief': null, '-color': null,
  '-netns': 'namespaces', '-batch': 'free', '-force': null, '-Numeric': null, '-Version': null, '-help': null,
  '-timestamp': null, '-tshort': null, '--dry-run': null, '--trace': null, '--state': 'free', '--extras': null,
};
/** The short spellings scripts use for options that take a value. */
const OPTION_ALIASES: Readonly<Record<string, string>> = { '-n': '-netns', '-b': '-batch', '-f': '-family' };

function optionValues(word: string): Values | null | undefined {
  return GLOBAL_OPTIONS[OPTION_ALIASES[word] ?? word];
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
export function completions(words: string[], cword: number, env: CompletionEnv): string[] {
  const cur = words[cword - 1] ?? '';
  const before = words.slice(0, cword - 1);
  // The global options before the object, which also choose the backend asked for devices.
  const options: string[] = [];
  let i = 0;
  while (i < before.length && before[i].startsWith('-')) {
    const takesValue = optionValues(before[i]);
    // An option whose value is still being typed chooses nothing yet.
    if (!takesValue || i + 1 < before.length) options.push(...before.slice(i, takesValue ? i + 2 : i + 1));
    i += takesValue ? 2 : 1;
  }
  const pick = (values: Values): string[] => {
    const list = values === 'devices' ? env.devices(options) : values === 'namespaces' ? env.namespaces(options)
      : values === 'peers' ? env.namespaces(options).filter((h) => h !== selectedHost(options))
        : values === 'protocols' ? protocolNames() : values === 'linkKinds' ? LINK_KIND_IDS : values === 'free' ? [] : values;
    return list.filter((w) => w.startsWith(cur));
  };
  if (i > before.length) return pick(optionValues(before[before.length - 1]) ?? []);
  if (i === before.length) {
    if (cur.startsWith('-')) return pick(Object.keys(GLOBAL_OPTIONS));
    // The last name of each object: "neighbour", ip's own spelling; `completion` only first on the line.
    return pick([...OBJECTS.map((o) => o.names[o.names.length - 1]), ...(i === 0 ? RAW_COMMANDS.map((c) => c.command) : [])]);
  }
  if (i === 0 && rawCommand(before[0])?.command === 'completion') return before.length === 1 ? pick(['bash', 'zsh']) : [];
  const name = resolveObject(before[i]);
  const obj = name === undefined ? undefined : objectNamed(name);
  if (!obj) return [];
  if (obj.modelOnly) options.push('--dry-run');
  let verb: Verb | undefined = Object.hasOwn(obj.verbs, '') ? obj.verbs[''] : undefined;
  let rest = before.slice(i + 1);
  if (!verb) {
    if (rest.length === 0) return pick(Object.keys(obj.verbs));
    const v = Object.keys(obj.verbs).find((k) => matches(rest[0], k));
    verb = v === undefined ? undefined : obj.verbs[v];
    rest = rest.slice(1);
  }
  while (verb?.sub) {
    if (rest.length === 0) return pick(Object.keys(verb.sub));
    const v: string | undefined = Object.keys(verb.sub).find((k) => k === rest[0]);
    verb = v === undefined ? undefined : verb.sub[v];
    rest = rest.slice(1);
  }
  if (!verb) return [];
  const at = verbPosition(verb, rest);
  if (at.value) return pick(at.value);
  const list = pick(Object.keys(verb.keywords));
  for (const w of at.next ? pick(at.next) : []) if (!list.includes(w)) list.push(w);
  return list;
}

/** The host -n names among these options (the model's "host" without one). */
function selectedHost(options: string[]): string {
  let host = 'host';
  for (let k = 0; k < options.length; k++) if (OPTION_ALIASES[options[k]] === '-netns' || options[k] === '-netns') host = options[++k] ?? host;
  return host;
}

/** Where the cursor is within a verb: right after a keyword that takes `value`, or at positional word `next`. */
function verbPosition(verb: Verb, rest: string[]): { value?: Values; next?: Values } {
  let positional = 0;
  for (let k = 0; k < rest.length; k++) {
    const v = Object.hasOwn(verb.keywords, rest[k]) ? verb.keywords[rest[k]] : undefined;
    if (v === undefined) positional++;
    else if (v !== null) {
      if (k === rest.length - 1) return { value: v };
      k++;
    }
  }
  return { next: verb.args?.[positional] };
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
export function runCompletion(argv: string[], env: CompletionEnv): number {
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
  const list = completions(argv.slice(2), cword, env);
  if (list.length) writeAll(1, list.join('\n') + '\n');
  return 0;
}
