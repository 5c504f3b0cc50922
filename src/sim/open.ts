// Opens the model behind --dry-run: lock the state file, load it (or start
// from the default topology), and save it when the command is done, all under
// the one lock, so that concurrent runs never lose each other's changes.
import type { Backend } from '../backend.js';
import type { GlobalOptions } from '../ip/options.js';
import { writeAll } from '../lib/output.js';
import { SimBackend } from './backend.js';
import { existsSync } from 'node:fs';
import { StateError, load, lock, save, statePath } from './store.js';

export function openSimBackend(opts: GlobalOptions): Backend {
  const file = statePath(opts.state);
  const held = lock(file);
  try {
    const fresh = !existsSync(file);
    const world = load(file);
    const trace = opts.trace ? (line: string) => writeAll(2, line + '\n') : undefined;
    let closed = false;
    return new SimBackend(world, opts.netns ?? 'host', trace, (dirty, failed) => {
      if (closed) return;
      closed = true;
      try {
        // A failed command leaves the file as it was (whatever it did to the model meanwhile).
        if (failed) return;
        if (dirty) {
          if (held.cannotSave) throw new StateError(`cannot save the model's state ${file}: ${held.cannotSave}; use --state FILE (or TSNET_STATE) with a folder you can write`);
          save(file, world);
        } else if (fresh && !held.cannotSave) {
          // A first run saves the starting world too, so the next one finds the same; the next
          // run would make the same world again, so a failure here is not this command's.
          try {
            save(file, world);
          } catch {
            // nothing asked for was lost
          }
        }
      } finally {
        held.release();
      }
    }, { file, reload: () => load(file) });
  } catch (e) {
    held.release();
    throw e;
  }
}
