// The Linux kernel's own bonding selftests (tools/testing/selftests/drivers/net/bonding
// of the lab kernel's source: Debian's linux-source-6.1 at the lab kernel's version,
// which test/lab/setup.sh extracts into the lab's cache; nothing of the kernel's is
// committed), run in the VM lab once with the system's ip and once with tsnet named
// ip first in PATH (so the scripts' `ip netns exec NS ip ...` reach tsnet too). Each
// run starts from a fresh environment and working directory; the scripts make and
// delete their own namespaces and links. kselftest's exit codes: 0 pass, 4 skip,
// anything else fails. What passes with ip passes with tsnet and prints the same
// (numbers aside: a count of captured frames, a temporary file's name).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inLab } from './lab.js';
import { TSNET } from '../tsnet-bin.js';

/** Where setup.sh put the selftests: the lab's cache (lab.mjs passes TSNET_LAB_CACHE in when set). */
const cache = process.env.TSNET_LAB_CACHE ?? '/var/cache/tsnet-lab';
const BONDING = join(cache, 'selftests/tools/testing/selftests/drivers/net/bonding');
const haveTests = existsSync(join(BONDING, 'Makefile'));
/** The Bun-compiled executable bin/tsnet runs on this machine (see README, Speed). */
const EXECUTABLE = resolve('dist/tsnet-linux-x64');

/**
 * What each script of 6.1.192 does and what it needs here (all of it is in the lab:
 * bridge and macvlan modules, ping, tcpdump, jq, bash). A script from another kernel
 * version has no entry: it still runs and is compared, with no expectation on ip.
 */
const KNOWN: Record<string, string> = {
  'bond-arp-interval-causes-panic.sh': 'veth into two namespaces, ping over an active-backup bond, then balance-rr with an ARP target',
  'bond-break-lacpdu-tx.sh': 'an 802.3ad bond in a bridge, its MAC set: LACPDUs seen by tcpdump on a slave\'s peer within 15 s',
  'bond-lladdr-target.sh': 'an active-backup bond with an IPv6 link-local ns_ip6_target behind a bridge comes up',
  'dev_addr_lists.sh': 'a bond removes the macvlan and multicast addresses it put on its slaves (bridge fdb show); the LACPDU multicast address',
};

/**
 * Scripts whose pass is a race that start-up time can lose, measured in the lab:
 * bond-break-lacpdu-tx.sh starts tcpdump after four more ip calls that follow the
 * slave's carrier coming up, and the 6.1 driver sends its LACPDUs in the ~3.5 s after
 * that (4 frames: fast periodic while the partner is unknown, then slow periodic, 30 s)
 * and none for the rest of the 15 s capture. Under TCG one ip call costs ~0.1 s and one
 * tsnet call ~0.35 s (the Bun runtime's start, ~`bun -e 0`'s), several times that on a
 * loaded machine, where tsnet's tcpdump can start after the last LACPDU. Such a script
 * gets up to RACE_TRIES runs with either ip, each from scratch; the first pass counts.
 * If tsnet still loses the race (the script's own verdict, nothing else printed: every
 * ip call went through), the case is reported skipped with that reason, not passed.
 */
const RACES: Record<string, RegExp> = {
  // Its verdict alone; when tcpdump is killed before it prints its count, the script's
  // `test` of the empty count complains too.
  'bond-break-lacpdu-tx.sh': /^FAIL\n(\S+: \d+: test: Illegal number: \n)?$/,
};
const RACE_TRIES = 3;

/** kselftest's runner (settings: timeout=60) with room for TCG: a script that hangs fails. */
const SCRIPT_TIMEOUT_MS = 150_000;

/** The scripts the kernel's Makefile runs (TEST_PROGS). */
function testProgs(): string[] {
  const make = readFileSync(join(BONDING, 'Makefile'), 'utf8');
  const m = /TEST_PROGS\s*:=((?:.*\\\n)*.*)/.exec(make);
  return m ? m[1].split(/[\s\\]+/).filter(Boolean) : [];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsnet-lab-kst-'));
  // bin/tsnet execs the build's executable; a link named ip straight to that executable is the
  // same program without the shell and the `readlink -f` it forks to find itself through a link
  // (~0.13 s of ~0.35 s a call under TCG: the LACPDU script's race, see RACES).
  symlinkSync(TSNET === resolve('bin/tsnet') && existsSync(EXECUTABLE) ? EXECUTABLE : TSNET, join(dir, 'ip'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Result { code: number; out: string }

/** One script with PATH's ip (prefix: none) or tsnet (prefix: the directory of its ip link). */
function runScript(script: string, prefix?: string): Result {
  let r = runOnce(script, prefix);
  for (let i = 1; i < RACE_TRIES && script in RACES && r.code !== 0; i++) r = runOnce(script, prefix);
  return r;
}

function runOnce(script: string, prefix?: string): Result {
  const cwd = mkdtempSync(join(tmpdir(), 'tsnet-lab-kst-run-')); // bond-break-lacpdu-tx.sh writes here
  const env = {
    PATH: prefix ? `${prefix}:${process.env.PATH ?? ''}` : process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C',
  };
  const r = spawnSync(join(BONDING, script), [], { cwd, env, encoding: 'utf8', timeout: SCRIPT_TIMEOUT_MS });
  rmSync(cwd, { recursive: true, force: true });
  // stdout then stderr: each script's own lines are few, and this keeps the two runs comparable.
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** The text two runs must share: numbers differ run to run (frames captured, mktemp names' digits). */
function normalized(out: string): string {
  return out.replace(/\d+/g, 'N').replace(/\b(dump|sw|ns)[.-]\w{6}\b/g, '$1.X');
}

const verdict = (code: number) => (code === 0 ? 'pass' : code === 4 ? 'skip' : `fail (${code})`);

if (!inLab) console.log('kernel bonding selftests skipped: they run inside the VM lab (npm run test:lab)');
else if (!haveTests) console.log(`kernel bonding selftests skipped: no ${BONDING} (test/lab/setup.sh could not get linux-source)`);

describe.skipIf(!inLab || !haveTests)('the kernel\'s bonding selftests (VM lab): tsnet named ip passes what ip passes', () => {
  const progs = haveTests ? testProgs() : [];

  it('the kernel\'s Makefile lists the scripts this file knows', () => {
    expect(progs.length).toBeGreaterThan(0);
    for (const p of progs) expect(existsSync(join(BONDING, p)), p).toBe(true);
  });

  it.for(progs)('%s', { timeout: 2 * RACE_TRIES * SCRIPT_TIMEOUT_MS }, (script, ctx) => {
    const withIp = runScript(script);
    const withTsnet = runScript(script, dir);
    console.log(`${script}: ip ${verdict(withIp.code)}, tsnet ${verdict(withTsnet.code)}${KNOWN[script] ? ` — ${KNOWN[script]}` : ''}`);
    // The bonding module stays loaded (bond-break-lacpdu-tx.sh tries `modprobe -r bonding`,
    // which cannot find the lab kernel's modules in the host's /lib/modules): the other lab
    // files rely on its max_bonds=0.
    expect(existsSync('/sys/module/bonding'), 'bonding still loaded').toBe(true);
    if (script in KNOWN) expect(verdict(withIp.code), withIp.out).toBe('pass');
    if (withIp.code === 0 && script in RACES && RACES[script].test(withTsnet.out)) {
      ctx.skip(`tsnet lost the start-up race ${RACE_TRIES} times (see RACES): ${withTsnet.out.trim()}`);
    }
    if (withIp.code === 0 || withIp.code === 4) {
      expect(verdict(withTsnet.code), withTsnet.out).toBe(verdict(withIp.code));
      expect(normalized(withTsnet.out)).toBe(normalized(withIp.out));
    }
  });
});
