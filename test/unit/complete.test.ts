// Shell completion candidates: objects, verbs, keywords and values by ip's grammar.
import { describe, expect, it } from 'vitest';
import { completionScript, completions } from '../../src/ip/complete.js';
import { SIM_PARAMS } from '../../src/ip/objects/sim.js';
import { DEFAULT_PARAMS } from '../../src/sim/neighbour.js';
import { ntable } from '../../src/ip/objects/ntable.js';
import { CHANGE_KEYWORDS } from '../../src/ip/ntable.js';

/** A backend's answers: the devices and namespaces the typed options select. */
const env = {
  devices: (options: string[]) => (options.includes('--dry-run') ? ['eth0', 'lo'] : ['lo', 'veth0']),
  namespaces: (options: string[]) => (options.includes('--dry-run') ? ['gw', 'host', 'peer3'] : ['blue']),
};

describe('completions', () => {
  it('offers objects, and global options after a dash', () => {
    expect(completions(['n'], 1, env)).toEqual(['neighbour', 'ntable', 'netns']);
    expect(completions(['ne'], 1, env)).toEqual(['neighbour', 'netns']);
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
    // The grammar completion offers is the one `ntable change` parses (the descriptor cannot import the parser: lazy loading).
    expect(Object.keys(ntable.verbs.change.keywords).sort()).toEqual([...CHANGE_KEYWORDS].sort());
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

  it('completes sim peer\'s own verbs and what follows them; a peer to delete is never the host -n names', () => {
    expect(completions(['sim', 'peer', ''], 3, env)).toEqual(['add', 'del', 'silent', 'garp', 'move']);
    expect(completions(['sim', 'peer', 'del', ''], 4, env)).toEqual(['gw', 'peer3']);
    expect(completions(['-n', 'gw', 'sim', 'peer', 'del', ''], 6, env)).toEqual(['host', 'peer3']);
    expect(completions(['sim', 'peer', 'silent', 'gw', ''], 5, env)).toEqual(['on', 'off']);
    expect(completions(['sim', 'peer', 'move', '10.0.0.100', ''], 5, env)).toEqual(['to']);
    expect(completions(['sim', 'peer', 'move', '10.0.0.100', 'to', 'p'], 6, env)).toEqual(['peer3']);
    expect(completions(['sim', 'peer', 'add', 'p9', ''], 5, env)).toEqual(['ip', 'mac', 'segment', 'silent', 'delay']);
    expect(completions(['sim', 'peer', 'garp', 'gw', ''], 5, env)).toEqual(['ip', 'reply']);
    expect(completions(['sim', 'timeline', 'host', ''], 4, env)).toEqual(['gw', 'host', 'peer3']);
    expect(completions(['sim', 'carrier', 'eth0', ''], 4, env)).toEqual(['on', 'off']);
    expect(completions(['sim', 'send', '10.0.0.3', 'dev', ''], 5, env)).toEqual(['eth0', 'lo']);
  });

  it('offers completion first on the line only, then its shells', () => {
    expect(completions(['c'], 1, env)).toEqual(['completion']);
    expect(completions(['-j', 'c'], 2, env)).toEqual([]);
    expect(completions(['completion', ''], 2, env)).toEqual(['bash', 'zsh']);
    expect(completions(['completion', 'bash', ''], 3, env)).toEqual([]);
  });

  it('completes arping\'s options and what follows those that take a value', () => {
    const all = completions(['arping', '-'], 2, env);
    for (const o of ['-f', '-q', '-b', '-D', '-U', '-A', '-V', '-c', '-w', '-i', '-I', '-s']) expect(all).toContain(o);
    expect(completions(['--dry-run', 'arping', '-I', ''], 4, env)).toEqual(['eth0', 'lo']);
    expect(completions(['arping', '-c', ''], 3, env)).toEqual([]);
  });

  it('monitor: its objects, file, and devices after dev', () => {
    expect(completions(['monitor', ''], 2, env)).toEqual(['all', 'neigh', 'route', 'link', 'address', 'file', 'help']);
    expect(completions(['monitor', 'neigh', 'dev', ''], 4, env)).toEqual(['lo', 'veth0']);
  });

  it('takes a word that names an Object property for what it is, a word', () => {
    expect(completions(['neigh', 'add', 'constructor', 'toString', ''], 5, env)).toContain('lladdr');
  });

  it('offers exactly the parameters the model takes', () => {
    expect([...SIM_PARAMS].sort()).toEqual(Object.keys(DEFAULT_PARAMS).sort());
  });

  it('completes netns verbs, namespace names (the model\'s hosts under --dry-run) and list-id keywords', () => {
    expect(completions(['netns', 'l'], 2, env)).toEqual(['list', 'list-id']);
    expect(completions(['netns', 'exec', ''], 3, env)).toEqual(['blue']);
    expect(completions(['--dry-run', 'netns', 'del', ''], 4, env)).toEqual(['gw', 'host', 'peer3']);
    expect(completions(['netns', 'set', 'blue', ''], 4, env)).toEqual(['auto']);
    expect(completions(['netns', 'list-id', ''], 3, env)).toEqual(['target-nsid', 'nsid']);
  });

  it('prints scripts for bash and zsh only', () => {
    expect(completionScript('bash')).toMatch(/complete -o default -F _tsnet tsnet/);
    expect(completionScript('zsh')).toMatch(/^#compdef tsnet/);
    expect(completionScript('fish')).toBeUndefined();
  });
});
