// Every example of the README's Examples section, run as a user would type
// it: the model's (--dry-run, tsnet sim) on a fresh state, the others inside
// a network namespace shaped like the README's host (eth0 10.0.0.2/24, a
// gateway 10.0.0.1 and a peer 10.0.0.3 on the LAN). Each must exit 0; a
// README change that breaks an example fails here.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { Netns, REPO, TSNET, canRunKernelTests, destroyAll } from './harness.js';

const root = canRunKernelTests();

/** The `tsnet ...` lines of the sh blocks under "## Examples", comments cut. */
function examples(): string[] {
  const text = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('## Examples'), text.indexOf('\n## ', text.indexOf('## Examples') + 5));
  const lines: string[] = [];
  for (const block of section.split('```sh\n').slice(1)) {
    for (const raw of block.slice(0, block.indexOf('```')).split('\n')) {
      // A comment starts at "  #" (the jq filter and quoted texts have no such run).
      const line = raw.replace(/\s{2,}#.*$/, '').trim();
      if (line.startsWith('tsnet ')) lines.push(line);
    }
  }
  return lines;
}

describe.runIf(root)('the README examples work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsnet-readme-'));
  afterAll(() => {
    destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  // `tsnet` on PATH, as after npm install -g.
  const bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'tsnet'), `#!/bin/sh\nexec ${TSNET} "$@"\n`);
  chmodSync(join(bin, 'tsnet'), 0o755);
  writeFileSync(join(dir, 'commands.txt'), 'neigh show\naddr show dev lo\n');
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, XDG_STATE_HOME: join(dir, 'state') };

  let host: Netns;
  const lines = examples();

  it('finds the examples', () => {
    expect(lines.length).toBeGreaterThan(25);
  });

  it.each(lines.map((l, i) => [i + 1, l] as const))('%i: %s', (_n, line) => {
    if (!host) {
      const lan = Netns.create('rdl');
      host = Netns.create('rdh');
      lan.sh('ip link add br0 type bridge');
      lan.sh('ip link set br0 up');
      lan.sh('ip addr add 10.0.0.1/24 dev br0');
      lan.sh('ip link add p3 type veth peer name q3');
      lan.sh('ip link set q3 master br0');
      lan.sh('ip link set q3 up');
      lan.sh('ip link add p2 address 02:00:00:00:00:01 type veth peer name eth0 address 02:00:00:00:00:02');
      lan.sh(`ip link set eth0 netns ${host.name}`);
      lan.sh('ip link set p2 master br0');
      lan.sh('ip link set p2 up');
      host.sh('ip link set eth0 up');
      host.sh('ip addr add 10.0.0.2/24 dev eth0');
    }
    const model = line.includes('--dry-run') || line.startsWith('tsnet sim');
    const cmd = line.replace(/-n blue /, `-n ${host.name} `);
    if (line.startsWith('tsnet monitor')) {
      // A monitor runs until interrupted: let it listen a moment, then stop it as Ctrl-C would
      // (straight to the process: a shell in between would not pass the signal on).
      const r = spawnSync('ip', ['netns', 'exec', host.name, TSNET, ...line.split(' ').slice(1)], { cwd: dir, env, encoding: 'utf8', timeout: 1500, killSignal: 'SIGINT' });
      // It ends by the signal, as ip monitor does (130 in a shell).
      expect({ line, status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ line, status: null, signal: 'SIGINT', stderr: '' });
      return;
    }
    // -e: in a line of several commands, each must succeed.
    const argv = model ? ['sh', '-ec', cmd] : ['ip', 'netns', 'exec', host.name, 'sh', '-ec', cmd];
    const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, env, encoding: 'utf8', timeout: 30000 });
    expect({ line, status: r.status, stderr: r.status ? r.stderr : '' }).toEqual({ line, status: 0, stderr: '' });
  });
});
