// The drop-in's fall-through: a command for an ip object tsnet does not
// implement (netns, route, rule, tunnel ...) runs the system's ip, so a script
// or a -batch file that mixes objects keeps working on the real kernel. The
// ip found on PATH is never tsnet itself (a symlink named ip to tsnet's
// launcher or executable is skipped), and a tsnet started by such a
// hand-over (a wrapper script named ip) refuses to hand over again.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Set in the system ip's environment: the pid of the tsnet that handed over. */
const HANDED_OVER = 'TSNET_HANDED_OVER_BY';

/** dev:ino of a path's target, or undefined when it does not exist. */
function identity(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** tsnet's own files: the launcher, bin/run.js, the executable. */
function ownFiles(): Set<string> {
  const paths = [process.execPath, resolve(dirname(process.execPath), '../bin/tsnet')];
  const script = process.argv[1];
  if (script) paths.push(script, join(dirname(script), 'tsnet'));
  return new Set(paths.map(identity).filter((i): i is string => i !== undefined));
}

/** The first `ip` on PATH that is not tsnet, or undefined. */
export function findSystemIp(): string | undefined {
  if (process.env[HANDED_OVER] === String(process.ppid)) return undefined;
  const own = ownFiles();
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir || '.', 'ip');
    try {
      accessSync(candidate, constants.X_OK);
      if (!statSync(candidate).isFile()) continue;
      const id = identity(realpathSync(candidate));
      if (id !== undefined && !own.has(id)) return candidate;
    } catch {
      // not there or not runnable: the next PATH entry
    }
  }
  return undefined;
}

/**
 * Runs `ip ARGS` with this process's stdin, stdout and stderr; returns its
 * exit status (128 + the signal's number when a signal ended it, as a shell
 * reports it), or undefined when there is no system ip.
 */
export function runSystemIp(args: string[]): number | undefined {
  const ip = findSystemIp();
  if (ip === undefined) return undefined;
  const r = spawnSync(ip, args, { stdio: 'inherit', env: { ...process.env, [HANDED_OVER]: String(process.pid) } });
  if (r.error) return undefined;
  if (r.status !== null) return r.status;
  return 128 + (r.signal ? osConstants.signals[r.signal] : 0);
}
