// The drop-in's fall-through: a command for an ip object tsnet does not
// implement (netns, route, rule, tunnel ...) runs the system's ip, so a script
// or a -batch file that mixes objects keeps working on the real kernel. The
// ip found on PATH is never tsnet itself (a symlink named ip to tsnet's
// launcher or executable is skipped), and a tsnet started by such a
// hand-over (a wrapper script named ip) refuses to hand over again.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
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

/** How a handed-over command ended: its status, and whether ip ended by exit() (a batch ends with it). */
export interface HandedOver {
  status: number;
  ended: boolean;
}

/** A process's end as a shell reports it: 128 + the signal's number when a signal ended it. */
function statusOf(r: ReturnType<typeof spawnSync>): number {
  if (r.status !== null) return r.status;
  return 128 + (r.signal ? osConstants.signals[r.signal] : 0);
}

/**
 * Runs `ip ARGS` with this process's stdin, stdout and stderr; returns its
 * exit status, or undefined when there is no system ip.
 */
export function runSystemIp(args: string[]): HandedOver | undefined {
  const ip = findSystemIp();
  if (ip === undefined) return undefined;
  const r = spawnSync(ip, args, { stdio: 'inherit', env: { ...process.env, [HANDED_OVER]: String(process.pid) } });
  if (r.error) return undefined;
  const status = statusOf(r);
  return { status, ended: status === 255 };
}

/**
 * The words as one line of an ip batch file (makeargs() splits it back), or
 * undefined when a word cannot be written so: a comment sign or a newline cut
 * the line, a word with both kinds of quotes has no spelling.
 */
function batchLine(words: string[]): string | undefined {
  const out: string[] = [];
  for (const w of words) {
    if (w.includes('#') || w.includes('\n') || (w.includes('"') && w.includes("'"))) return undefined;
    if (w !== '' && !/[ \t\r"']/.test(w)) out.push(w);
    else out.push(w.includes('"') ? `'${w}'` : `"${w}"`);
  }
  // The space keeps a word that ends in a backslash from joining the next line.
  return `${out.join(' ')} \n`;
}

/**
 * One line of a tsnet batch, run as a one-line batch of the system's ip, so
 * that ip tells the two ways a command fails in a batch apart: a command that
 * returns a failure gets ip's "Command failed" line (taken off here: the
 * caller prints its own with its file and line, and goes on with -force),
 * and one that ends ip by exit() (usage errors, exit 255; some exit 1) ends
 * the caller's batch too, with that status. The child's stderr is passed on
 * after it ends.
 */
export function runSystemIpBatchLine(options: string[], words: string[]): HandedOver | undefined {
  const line = batchLine(words);
  if (line === undefined) return runSystemIp([...options, ...words]);
  const ip = findSystemIp();
  if (ip === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tsnet-line-'));
  try {
    const file = join(dir, 'batch');
    writeFileSync(file, line);
    const r = spawnSync(ip, [...options, '-batch', file], {
      stdio: ['inherit', 'inherit', 'pipe'], env: { ...process.env, [HANDED_OVER]: String(process.pid) }, maxBuffer: 1 << 30,
    });
    if (r.error) return undefined;
    let stderr = r.stderr.toString('latin1');
    const failed = `Command failed ${file}:1\n`;
    const returned = stderr.endsWith(failed);
    if (returned) stderr = stderr.slice(0, -failed.length);
    if (stderr) writeSync(2, Buffer.from(stderr, 'latin1'));
    const status = statusOf(r);
    return { status, ended: status !== 0 && !returned };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
