// oclif's view of `tsnet neigh` (for `tsnet commands` and shell completion).
// The words are ip's keyword grammar, parsed by src/ip, not oclif flags.
import { Command } from '@oclif/core';
import { main } from '../src/entry.js';

export default class Neigh extends Command {
  static summary = 'Show and manage the neighbour (ARP/NDP) tables, as ip neigh.';
  static usage = 'neigh { add | del | change | replace | show | flush | get | help } ...';
  static strict = false;

  async run(): Promise<void> {
    process.exitCode = await main(['neigh', ...this.argv]);
  }
}
