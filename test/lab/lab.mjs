#!/usr/bin/env node
// The VM lab's driver: `npm run lab -- <command>`.
//   setup                  install packages, fetch the kernel, build the initramfs (cached)
//   run [opts] -- CMD...   boot the lab and run CMD in the host's root (chrooted, same cwd);
//                          CMD's stdout/stderr stream through, its exit code is ours.
//     --time               print "lab: boot X s, command Y s, total Z s, exit N" on stderr
//     --timeout S          kill the VM after S seconds (default 900), exit 124
//     --console            show the VM's serial console (kernel and init messages)
//   clean                  remove the cache
// Environment: TSNET_LAB_CACHE (default /var/cache/tsnet-lab when root, else .lab-cache/).
// Inside the VM, TSNET_LAB=1 is set, the root is the host's (read-only over 9p, with a
// tmpfs overlay on top so writes stay in the VM) and bonding/dummy/veth/8021q are loaded.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

export function cacheDir() {
  if (process.env.TSNET_LAB_CACHE) return process.env.TSNET_LAB_CACHE;
  return process.getuid?.() === 0 ? '/var/cache/tsnet-lab' : path.join(repo, '.lab-cache');
}

export function setup() {
  const r = spawnSync('bash', [path.join(here, 'setup.sh'), cacheDir()], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`lab setup failed (exit ${r.status})`);
}

// Environment passed into the VM: what a test run needs, not the host's whole env.
const PASS_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'CI', 'NODE_OPTIONS', 'TSNET_LAB_VERBOSE', 'TSNET_BIN', 'TSNET_LAB_CACHE'];

function shQuote(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

/**
 * Boots the lab and runs argv (an array: exec'd; a string: run by sh -c) in cwd.
 * onStdout/onStderr receive output as it arrives (polled from the 9p share).
 * Resolves to { stdout, stderr, code, bootMs, cmdMs, totalMs, console }.
 */
export async function run(argv, { cwd = process.cwd(), timeoutS = 900, env = {}, onStdout, onStderr, showConsole = false } = {}) {
  setup();
  const cache = cacheDir();
  const io = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnet-lab-'));
  const envLines = [];
  for (const k of PASS_ENV) if (process.env[k] !== undefined) envLines.push(`export ${k}=${shQuote(process.env[k])}`);
  for (const [k, v] of Object.entries({ TSNET_LAB: '1', ...env })) envLines.push(`export ${k}=${shQuote(v)}`);
  const cmd = typeof argv === 'string' ? `exec /bin/sh -c ${shQuote(argv)}` : `exec ${argv.map(shQuote).join(' ')}`;
  fs.writeFileSync(path.join(io, 'cmd.sh'), `${envLines.join('\n')}\ncd ${shQuote(cwd)} || exit 125\n${cmd}\n`);
  const qemuArgs = [
    '-accel', 'tcg', '-cpu', 'max', '-m', '4G', '-smp', '2', '-nographic', '-no-reboot', '-nic', 'none',
    '-kernel', path.join(cache, 'vmlinuz'), '-initrd', path.join(cache, 'initrd.img'),
    '-append', `console=ttyS0 quiet panic=-1 lab.io=${io}`,
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-virtfs', `local,path=${io},mount_tag=labio,security_model=none`,
  ];
  const t0 = Date.now();
  let bootMs = -1;
  const q = spawn('qemu-system-x86_64', qemuArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let consoleText = '';
  const onConsole = (b) => {
    consoleText += b.toString();
    if (showConsole) process.stderr.write(b);
  };
  q.stdout.on('data', onConsole);
  q.stderr.on('data', onConsole);
  const offsets = { stdout: 0, stderr: 0 };
  const chunks = { stdout: [], stderr: [] };
  const pump = () => {
    if (bootMs < 0) {
      try {
        if (fs.readFileSync(path.join(io, 'booted'), 'utf8').startsWith('run')) bootMs = Date.now() - t0;
      } catch { /* not yet */ }
    }
    for (const name of ['stdout', 'stderr']) {
      let fd;
      try { fd = fs.openSync(path.join(io, name), 'r'); } catch { continue; }
      try {
        const size = fs.fstatSync(fd).size;
        if (size > offsets[name]) {
          const buf = Buffer.alloc(size - offsets[name]);
          fs.readSync(fd, buf, 0, buf.length, offsets[name]);
          offsets[name] = size;
          chunks[name].push(buf);
          (name === 'stdout' ? onStdout : onStderr)?.(buf);
        }
      } finally { fs.closeSync(fd); }
    }
  };
  const timer = setInterval(pump, 200);
  let timedOut = false;
  const killer = setTimeout(() => { timedOut = true; q.kill('SIGKILL'); }, timeoutS * 1000);
  await new Promise((resolve) => q.on('exit', resolve));
  clearInterval(timer);
  clearTimeout(killer);
  pump();
  const totalMs = Date.now() - t0;
  let code;
  try { code = Number(fs.readFileSync(path.join(io, 'rc'), 'utf8').trim()); } catch { code = timedOut ? 124 : 125; }
  const result = {
    stdout: Buffer.concat(chunks.stdout).toString(), stderr: Buffer.concat(chunks.stderr).toString(),
    code, bootMs, cmdMs: bootMs >= 0 ? totalMs - bootMs : -1, totalMs, console: consoleText,
  };
  if (code === 125 || code === 124) result.stderr += `lab: the VM did not run the command to the end${timedOut ? ' (timeout)' : ''}; its console:\n${consoleText}`;
  fs.rmSync(io, { recursive: true, force: true });
  return result;
}

async function main(args) {
  const verb = args.shift();
  if (verb === 'setup') { setup(); return 0; }
  if (verb === 'clean') { fs.rmSync(cacheDir(), { recursive: true, force: true }); return 0; }
  if (verb === 'run') {
    let time = false, timeoutS = 900, showConsole = false;
    while (args.length && args[0] !== '--') {
      const a = args.shift();
      if (a === '--time') time = true;
      else if (a === '--console') showConsole = true;
      else if (a === '--timeout') timeoutS = Number(args.shift());
      else { args.unshift(a); break; }
    }
    if (args[0] === '--') args.shift();
    if (!args.length) { console.error('Usage: npm run lab -- run [--time] [--timeout S] [--console] -- CMD [ARG...]'); return 255; }
    const r = await run(args.length === 1 ? args[0] : args, {
      timeoutS, showConsole,
      onStdout: (b) => process.stdout.write(b), onStderr: (b) => process.stderr.write(b),
    });
    if (r.code === 125 || r.code === 124) process.stderr.write(r.stderr.slice(r.stderr.lastIndexOf('lab: the VM')));
    if (time) console.error(`lab: boot ${(r.bootMs / 1000).toFixed(1)} s, command ${(r.cmdMs / 1000).toFixed(1)} s, total ${(r.totalMs / 1000).toFixed(1)} s, exit ${r.code}`);
    return r.code;
  }
  console.error('Usage: npm run lab -- { setup | run [--time] [--timeout S] [--console] -- CMD [ARG...] | clean }');
  return 255;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((c) => process.exit(c), (e) => { console.error(`lab: ${e.message}`); process.exit(1); });
}
