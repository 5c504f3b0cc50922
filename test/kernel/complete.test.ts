// Shell completion through the command users get (`tsnet __complete`, as the
// bash and zsh scripts ask it): -n offers the namespaces of /run/netns (the
// model's hosts under --dry-run), dev the devices of the namespace or model
// the options select; and every word offered where the grammar takes fixed
// words is one the command then accepts (run on the model).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netns, TSNET, canRunKernelTests, destroyAll, run } from './harness.js';

const root = canRunKernelTests();
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tsnet-complete-')); });
afterAll(() => {
  destroyAll();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh model state per call site that asks for one. */
const model = (name: string) => ({ XDG_STATE_HOME: join(dir, name) });

/** `tsnet __complete` at the last word of `words`. */
function complete(words: string[], env: NodeJS.ProcessEnv = model('default')): string[] {
  const r = run(TSNET, ['__complete', String(words.length), ...words], { env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

describe.runIf(root)('completion against the system and the model', () => {
  it('-n: the namespaces of /run/netns; under --dry-run the model\'s hosts', () => {
    const ns = Netns.create('compl');
    const prefix = ns.name.slice(0, -2);
    const offered = complete(['-n', prefix]);
    expect(offered).toContain(ns.name);
    const listed = readdirSync('/run/netns').filter((n) => n.startsWith(prefix));
    expect([...offered].sort()).toEqual(listed.sort());
    expect(complete(['--dry-run', '-n', ''])).toEqual(['host', 'gw', 'peer3', 'peer4', 'peer5']);
  });

  it('dev: the devices of the namespace -n names, or of the model under --dry-run, never the host\'s', () => {
    const ns = Netns.create('compl');
    ns.sh('ip link add cv0 type veth peer name cv1');
    expect(complete(['-n', ns.name, 'neigh', 'show', 'dev', ''])).toEqual(['cv0', 'cv1', 'lo']);
    expect(complete(['-n', ns.name, 'arping', '-I', 'c'])).toEqual(['cv0', 'cv1']);
    const modelDevs = complete(['--dry-run', 'neigh', 'show', 'dev', '']);
    expect(modelDevs).toEqual(['eth0', 'lo']);
    expect(complete(['--dry-run', '-n', 'gw', 'link', 'show', 'dev', ''])).toEqual(['eth0', 'lo']);
    expect(complete(['sim', 'carrier', ''])).toEqual(['eth0', 'lo']);
    // A device the model made is offered under --dry-run, and only there.
    const env = model('made');
    expect(run(TSNET, ['--dry-run', 'link', 'add', 'kd9', 'type', 'dummy'], { env }).code).toBe(0);
    expect(complete(['--dry-run', 'link', 'set', 'dev', 'k'], env)).toEqual(['kd9']);
    expect(complete(['-n', ns.name, 'link', 'set', 'dev', 'k'], env)).toEqual([]);
  });

  it('every NUD state offered after nud is one the verb takes (no "nud all" after add)', () => {
    const env = model('nud');
    for (const verb of ['add', 'change', 'replace']) {
      const states = complete(['--dry-run', 'neigh', verb, '10.0.0.77', 'lladdr', '02:00:00:00:00:77', 'dev', 'eth0', 'nud', ''], env);
      expect(states).not.toContain('all');
      expect(states.length).toBeGreaterThan(5);
      for (const s of states) {
        run(TSNET, ['--dry-run', 'neigh', 'del', '10.0.0.77', 'dev', 'eth0'], { env });
        const r = run(TSNET, ['--dry-run', 'neigh', verb === 'change' ? 'replace' : verb, '10.0.0.77', 'lladdr', '02:00:00:00:00:77', 'dev', 'eth0', 'nud', s], { env });
        expect(r, `${verb} nud ${s}`).toEqual({ stdout: '', stderr: '', code: 0 });
      }
    }
    for (const verb of ['show', 'flush']) {
      const states = complete(['--dry-run', 'neigh', verb, 'nud', ''], env);
      expect(states).toContain('all');
      for (const s of states) expect(run(TSNET, ['--dry-run', 'neigh', verb, 'nud', s], { env }).code, `${verb} nud ${s}`).toBe(0);
    }
  });

  it('sim: every verb, peer and value offered is taken', () => {
    const env = model('sim');
    expect(complete(['sim', ''], env)).toEqual(['show', 'reset', 'timeline', 'chart', 'pcap', 'send', 'advance', 'peer', 'set', 'carrier', 'help']);
    for (const v of complete(['sim', 'carrier', 'eth0', ''], env)) expect(run(TSNET, ['sim', 'carrier', 'eth0', v], { env }).code).toBe(0);
    for (const p of complete(['sim', 'set', 'eth0', ''], env)) {
      const value = /^(arp_accept|arp_ignore|promote_secondaries|forwarding|proxy_arp)$/.test(p) ? '1' : '3';
      expect(run(TSNET, ['sim', 'set', 'eth0', p, value], { env }), p).toMatchObject({ code: 0, stderr: '' });
    }
    for (const h of complete(['sim', 'timeline', 'host', ''], env)) expect(run(TSNET, ['sim', 'timeline', 'host', h], { env }).code).toBe(0);
    for (const h of complete(['sim', 'peer', 'silent', ''], env)) {
      for (const v of complete(['sim', 'peer', 'silent', h, ''], env)) expect(run(TSNET, ['sim', 'peer', 'silent', h, v], { env }).code).toBe(0);
    }
    const peers = complete(['sim', 'peer', 'del', ''], env);
    expect(peers).not.toContain('host');
    for (const p of peers) expect(run(TSNET, ['sim', 'peer', 'del', p], { env }), p).toMatchObject({ code: 0, stderr: '' });
    expect(complete(['sim', 'peer', 'del', ''], env)).toEqual([]);
  });

  it('arping: every option offered is one arping takes', () => {
    const opts = complete(['arping', '-']);
    expect(opts).toEqual(expect.arrayContaining(['-f', '-q', '-b', '-D', '-U', '-A', '-V', '-c', '-w', '-i', '-I', '-s']));
    for (const o of opts) {
      // -V prints the version; the others run one round on the model (a value where the option takes one).
      const value = ({ '-c': ['1'], '-w': ['1'], '-i': ['1'], '-I': ['eth0'], '-s': ['10.0.0.2'] } as Record<string, string[]>)[o] ?? [];
      const r = run(TSNET, ['--dry-run', 'arping', o, ...value, ...(o === '-c' ? [] : ['-c', '1']), '10.0.0.1'], { env: model('arping') });
      expect(r.stderr, o).not.toMatch(/invalid option|usage/i);
    }
  });
});
