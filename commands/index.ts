// oclif's view of tsnet: one command class per command of the object
// registry (src/ip/registry.ts), made here, so a new object needs no file in
// this directory. oclif finds them through package.json's
// `"commands": { "strategy": "explicit", ... }`. Every class runs the same
// main() as the fast path, on the whole command line: bin/run.js (with
// TSNET_OCLIF=1) passes oclif `ID -- ARGV...` (oclifArgv below), so global
// options before the object (`--dry-run`, `-n NAME`, `-j`) and ip's
// prefix-matched words reach the front untouched, and oclif's own --help and
// --version handling never sees them.
import { Command } from '@oclif/core';
import { commandOf } from '../src/cli.js';
import { main } from '../src/entry.js';
import { OBJECTS, RAW_COMMANDS } from '../src/ip/registry.js';

interface Described {
  names: readonly string[];
  command: string;
  summary: string;
  synopsis: string;
}

function commandClass(c: Described, hidden = false): typeof Command {
  return class extends Command {
    static summary = c.summary;
    static usage = c.synopsis;
    static hidden = hidden;
    // The words are ip's grammar, parsed by the front, not oclif flags.
    static strict = false;

    async run(): Promise<void> {
      // From bin/run.js: `--` then the whole command line. Called by oclif directly: the words after the id.
      const argv = this.argv[0] === '--' ? this.argv.slice(1) : [...c.names.slice(0, 1), ...this.argv];
      // The front parses them (oclif would warn that this command did not).
      this.parsed = true;
      process.exitCode = await main(argv);
    }
  };
}

/** The command for a line that names no object tsnet implements (usage, -batch, errors): the front answers. */
const FRONT = 'tsnet';

export const COMMANDS: Record<string, typeof Command> = Object.fromEntries([
  ...[...OBJECTS, ...RAW_COMMANDS].map((c) => [c.command, commandClass(c)]),
  [FRONT, commandClass({ names: [], command: FRONT, summary: 'Any tsnet command line.', synopsis: '[ OPTIONS ] OBJECT ...' }, true)],
]);

/** What bin/run.js hands oclif for tsnet's argv: the command's id, then `--` and the whole command line. */
export function oclifArgv(argv: string[]): string[] {
  return [commandOf(argv) ?? FRONT, '--', ...argv];
}
