// Opens the model behind --dry-run: lock the state file, load it (or start
// from the default topology), and save it when the command is done.
import type { Backend } from '../backend.js';
import type { GlobalOptions } from '../ip/options.js';
import { writeAll } from '../lib/output.js';
import { SimBackend } from './backend.js';
import { existsSync } from 'node:fs';
import { load, lock, save, statePath } from './store.js';

export function openSimBackend(opts: GlobalOptions): Backend {
  const file = statePath(opts.state);
  const unlock = lock(file);
  try {
    const fresh = !existsSync(file);
    const world = load(file);
    const trace = opts.trace ? (line: string) => writeAll(2, line + '\n') : undefined;
    let closed = false;
    return new SimBackend(world, opts.netns ?? 'host', trace, (dirty) => {
      if (closed) return;
      closed = true;
      try {
        // A first run saves the starting world too, so the next one finds the same.
        if (dirty || fresh) save(file, world);
      } finally {
        unlock();
      }
    }, { file, reload: () => load(file) });
  } catch (e) {
    unlock();
    throw e;
  }
}
