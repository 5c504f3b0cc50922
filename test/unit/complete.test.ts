// Shell completion candidates: objects, verbs, keywords and values by ip's grammar.
import { describe, expect, it } from 'vitest';
import { completionScript, completions } from '../../src/ip/complete.js';

describe('completions', () => {
  it('offers objects, and global options after a dash', () => {
    expect(completions(['n'], 1)).toEqual(['neighbour']);
    expect(completions(['-j', 'a'], 2)).toEqual(['address', 'arping']);
    expect(completions(['-js'], 1)).toEqual(['-json']);
  });

  it('skips option values before the object', () => {
    expect(completions(['-n', 'blue', 'neigh', 'fl'], 4)).toEqual(['flush']);
  });

  it('resolves abbreviated objects and verbs as ip does', () => {
    expect(completions(['n', 's', 'pr'], 3)).toEqual(['proxy', 'protocol']);
    expect(completions(['neigh', 'add', '10.0.0.1', 'll'], 4)).toEqual(['lladdr']);
  });

  it('offers NUD states after nud and nothing after lladdr', () => {
    expect(completions(['neigh', 'show', 'nud', 's'], 4)).toEqual(['stale']);
    expect(completions(['neigh', 'show', 'nud', ''], 4)).toContain('all');
    expect(completions(['neigh', 'add', '10.0.0.1', 'lladdr', ''], 5)).toEqual([]);
  });

  it('offers device names after dev', () => {
    expect(completions(['neigh', 'show', 'dev', 'l'], 4)).toContain('lo');
  });

  it('prints scripts for bash and zsh only', () => {
    expect(completionScript('bash')).toMatch(/complete -o default -F _tsnet tsnet/);
    expect(completionScript('zsh')).toMatch(/^#compdef tsnet/);
    expect(completionScript('fish')).toBeUndefined();
  });
});
