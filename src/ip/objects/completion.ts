// `tsnet completion bash|zsh` (tsnet's own): a shell completion script, and
// `tsnet __complete CWORD WORD...`, which the script asks. Code: ../complete.ts.
import type { RawCommand } from '../object.js';

export const completion: RawCommand = {
  names: ['completion', 'autocomplete', '__complete'],
  command: 'completion',
  summary: 'Print a bash or zsh completion script: eval "$(tsnet completion bash)".',
  synopsis: 'completion { bash | zsh }',
  run: async (argv, env) => (await import('../complete.js')).runCompletion(argv, env),
};
