// Opens the model behind --dry-run.
import type { Backend } from '../backend.js';
import type { GlobalOptions } from '../ip/options.js';

export function openSimBackend(_opts: GlobalOptions): Backend {
  throw new Error('--dry-run: the model is not built yet');
}
