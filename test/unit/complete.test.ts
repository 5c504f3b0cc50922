// Shell completion candidates: objects, verbs, keywords and values by ip's grammar.
import { describe, expect, it } from 'vitest';
import { completionScript, completions } from '../../src/ip/complete.js';
import { SIM_PARAMS } from '../../src/ip/objects/sim.js';
import { DEFAULT_PARAMS } from '../../src/sim/neighbour.js';

/** A backend's answers: the devices and namespaces the typed options select. */
const env = {
  devices: (options: string[]) => (options.includes('--dry-run') ? ['eth0', 'lo'] : ['lo', 'veth0']),
  namespaces: (options: string[]) => (options.includes('--dry-run') ? ['gw', 'host', 'peer3'] : ['blue']),
};

describe('completions', () => {
  it('offers objects, and global options after a dash', () => {
    expect(completions(['n'], 1, env)).toEqual(['neighbour', 'ntable']);
    expect(completions(['-j', 'a'], 2, env)).toEqual(['address', 'arping']);
    expect(completions(['-js'], 1, env)).toEqual(['-json']);
  });

  it('skips option values before the object', () => {
    expect(completions(['-n', 'blue', 'neigh', 'fl'], 4, env)).toEqual(['flush']);
  });

  it('resolves abbreviated objects and verbs as ip does', () => {
    expect(completions(['n', 's', 'pr'], 3, env)).toEqual(['proxy', 'protocol']);
    expect(completions(['neigh', 'add', '10.0.0.1', 'll'], 4, env)).toEqual(['lladdr']);
  });

  it('offers ntable\'s verbs, keywords, table names and devices', () => {
    expect(completions(['ntable', ''], 2, env)).toEqual(['show', 'change', 'help']);
    expect(completions(['ntable', 'change', 'name', 'a'], 4, env)).toEqual(['arp_cache']);
    expect(completions(['ntable', 'change', 'name', 'arp_cache', 'base'], 5, env)).toEqual(['base_reachable']);
    expect(completions(['--dry-run', 'ntbl', 'show', 'dev', ''], 5, env)).toEqual(['eth0', 'lo']);
  });

  it('offers NUD states after nud and nothing after lladdr', () => {
    expect(completions(['neigh', 'show', 'nud', 's'], 4, env)).toEqual(['stale']);
    expect(completions(['neigh', 'show', 'nud', ''], 4, env)).toContain('all');
    expect(completions(['neigh', 'add', '10.0.0.1', 'lladdr', ''], 5, env)).toEqual([]);
  });

  it('offers device names after dev', () => {
    expect(completions(['neigh', 'show', 'dev', 'l'], 4, env)).toContain('lo');
  });

  it('never offers a word the verb rejects: nud all only where a filter takes it', () => {
    expect(completions(['neigh', 'add', '10.0.0.1', 'nud', ''], 5, env)).not.toContain('all');
    expect(completions(['neigh', 'flush', 'nud', 'a'], 4, env)).toEqual(['all']);
  });

  it('asks the backend the options select for devices and namespaces (the model under --dry-run)', () => {
    expect(completions(['--dry-run', 'neigh', 'show', 'dev', ''], 5, env)).toEqual(['eth0', 'lo']);
    expect(completions(['-n', ''], 2, env)).toEqual(['blue']);
    expect(completions(['--dry-run', '-n', ''], 3, env)).toEqual(['gw', 'host', 'peer3']);
    // sim always runs on the model.
    expect(completions(['sim', 'set', ''], 3, env)).toEqual(['eth0', 'lo']);
  });

  it('completes sim verbs and their parameters, and arping options', () => {
    expect(completions(['sim', 'a'], 2, env)).toEqual(['advance']);
    expect(completions(['sim', 'set', 'eth0', 'ucast'], 4, env)).toEqual(['ucast_solicit']);
    expect(completions(['arping', '-'], 2, env)).toContain('-U');
    expect(completions(['arping', '-I', ''], 3, env)).toEqual(['lo', 'veth0']);
  });

  it('takes a word that names an Object property for what it is, a word', () => {
    expect(completions(['neigh', 'add', 'constructor', 'toString', ''], 5, env)).toContain('lladdr');
  });

  it('offers exactly the parameters the model takes', () => {
    expect([...SIM_PARAMS].sort()).toEqual(Object.keys(DEFAULT_PARAMS).sort());
  });

  it('prints scripts for bash and zsh only', () => {
    expect(completionScript('bash')).toMatch(/complete -o default -F _tsnet tsnet/);
    expect(completionScript('zsh')).toMatch(/^#compdef tsnet/);
    expect(completionScript('fish')).toBeUndefined();
  });
});
