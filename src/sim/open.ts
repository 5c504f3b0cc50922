// Opens the model behind --dry-run: lock the state file, load it (or start
// from the default topology), and save it when the command is done, all under
// the one lock, so that concurrent runs never lose each other's changes.
import type { Backend } from '../backend.js';
import { writeAll } from '../lib/output.js';
import { SimBackend } from './backend.js';
import { existsSync } from 'node:fs';
import { StateError, load, lock, save, statePath } from './store.js';

/** What opening the model depends on (the front's global options carry these, by the same names). */
export interface SimOptions {
  /** The state file (--state); the default one when undefined. */
  state?: string;
  /** --trace: explain each step on stderr (2: with the bytes). */
  trace: number;
  /** -n: the simulated host the command runs on; "host" when undefined. */
  netns?: string;
}

export function openSimBackend(opts: SimOptions): Backend {
  const file = statePath(opts.state);
  const held = lock(file);
  try {
    const fresh = !existsSync(file);
    const world = load(file);
    const trace = opts.trace ? (line: string) => writeAll(2, line + '\n') : undefined;
    let closed = false;
    const backend = new SimBackend(world, opts.netns ?? 'host', trace, (dirty, failed) => {
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
    }, { file, reload: () => load(file) }, Math.min(opts.trace, 2) || 1);
    // The model's "namespaces" are its hosts (what -n names under --dry-run).
    return Object.assign(backend, { namespaces: () => world.hosts.map((h) => h.name) });
  } catch (e) {
    held.release();
    throw e;
  }
}
