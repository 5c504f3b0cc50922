// The model against the kernel for addresses and links: each script runs on
// a namespace shaped like the model's host (eth0 02:00:00:00:00:02 with
// 10.0.0.2/24) and on the model (--dry-run, a fresh state), command by
// command; stdout, stderr and exit codes must agree, and so must the IPv4
// addresses (`-4 -o addr`) and the links' state (`-br link`) after each step.
// IPv6 is left out: the kernel adds link-local addresses the model does not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Netns, canRunKernelTests, destroyAll, run, TSNET, words } from './harness.js';

const root = canRunKernelTests();
const dir = mkdtempSync(join(tmpdir(), 'tsnet-simaddr-'));

const SCRIPTS: Record<string, string[]> = {
  'primary and secondaries, in the kernel\'s order': [
    'addr add 10.0.0.10/24 dev eth0', 'addr add 10.0.0.11/24 dev eth0 label eth0:vip', 'addr add 192.0.2.1/24 dev eth0',
    'addr add 10.0.0.12/24 dev eth0 scope link', 'addr add 10.0.0.2/24 dev eth0', 'addr add 10.0.0.2/25 dev eth0',
    'addr add 172.16.0.1/16 dev eth0 scope link', 'addr add 127.3.0.1/8 dev eth0',
  ],
  'deleting a primary with promote_secondaries=0 drops its secondaries': [
    'addr add 10.0.0.10/24 dev eth0', 'addr add 10.0.0.11/24 dev eth0', 'addr add 192.0.2.1/24 dev eth0',
    'addr del 10.0.0.2/24 dev eth0', 'addr del 10.0.0.10/24 dev eth0', 'addr del 10.0.0.99/24 dev eth0',
  ],
  'deleting a primary with promote_secondaries=1 promotes the first secondary': [
    'link set dev eth0 inet promote_secondaries on', 'addr add 10.0.0.10/24 dev eth0', 'addr add 10.0.0.11/24 dev eth0',
    'addr add 192.0.2.1/24 dev eth0', 'addr del 10.0.0.2/24 dev eth0', 'addr del 10.0.0.10/24 dev eth0',
    'link set dev eth0 inet promote_secondaries off', 'addr add 10.0.0.12/24 dev eth0', 'addr del 10.0.0.11/24 dev eth0',
  ],
  'a keepalived VIP: /32 and labelled secondary up and down, wildcard delete': [
    'addr add 10.0.0.100/32 dev eth0', 'addr add 10.0.0.101/24 dev eth0 label eth0:1', 'addr del 10.0.0.100/32 dev eth0',
    'addr add 10.0.0.100 dev eth0', 'addr del 10.0.0.100 dev eth0', 'addr del 10.0.0.101/24 dev eth0 label eth0:2',
    'addr del 10.0.0.101/24 dev eth0 label eth0:1',
  ],
  'refusals: existing address, scope clash, bad label, no such address': [
    'addr add 10.0.0.2/24 dev eth0', 'addr add 10.0.0.5/24 dev eth0 scope host', 'addr add 10.0.0.5/24 dev eth0 label eth0:waytoolongname1',
    'addr del 10.0.0.7/24 dev eth0', 'addr replace 10.0.0.2/24 dev eth0 valid_lft 100 preferred_lft 50', 'addr change 10.0.0.8/24 dev eth0',
  ],
  'flush: secondaries only, then everything, with -s': [
    'addr add 10.0.0.10/24 dev eth0', 'addr add 10.0.0.11/24 dev eth0', 'addr add 192.0.2.1/24 dev eth0',
    '-s addr flush dev eth0 secondary', '-s -s -4 addr flush dev eth0', '-s -4 addr flush dev eth0',
  ],
  'links: veth pair, carrier and operstate, rename, mtu range, master, delete': [
    'link add v0 address 02:00:00:00:10:01 type veth peer name v1 address 02:00:00:00:10:02', 'link set v0 up',
    'link set v1 up', 'link set v1 down', 'link set v1 name w1', 'link set v0 mtu 10', 'link set v0 mtu 70000',
    'link set v0 mtu 9000', 'link set v0 name eth0', 'link add br0 address 02:00:00:00:10:b0 type bridge',
    'link set w1 master br0', 'link set w1 master v0', 'link set br0 up', 'link set w1 up', 'link set w1 nomaster',
    'link add v2 type veth peer name w1', 'link add x0 type nosuchkind', 'link del v0', 'link del lo',
  ],
};

/** The model's host, made in a namespace: eth0 on a veth whose other end sits, up, in a second namespace. */
function kernelHost(): Netns {
  const [host, lan] = [Netns.create('sfa'), Netns.create('sfl')];
  // veth makes the peer first: eth0 takes index 2, as in the model.
  host.sh('ip link add p0 address 02:00:00:00:00:01 type veth peer name eth0 address 02:00:00:00:00:02');
  host.sh(`ip link set p0 netns ${lan.name}`);
  lan.sh('ip link set p0 up');
  host.sh('ip link set eth0 up');
  host.sh('ip addr add 10.0.0.2/24 dev eth0');
  return host;
}

describe.runIf(root)('the model agrees with the kernel on addresses and links', () => {
  afterAll(() => {
    destroyAll();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, script] of Object.entries(SCRIPTS)) {
    it(name, () => {
      const ns = kernelHost();
      const state = join(dir, `${name.replace(/\W+/g, '-')}.json`);
      const model = (args: string[]) => run(TSNET, ['--dry-run', '--state', state, ...args], { env: { TSNET_FORBID_KERNEL: '1' } });
      // The kernel namespace's eth0 is a veth whose peer lives elsewhere ("eth0@if4 ... link-netns"): compare names only.
      const links = (s: string) => s.replace(/@\S+/g, '').replace(/^(\S+)\s+(\S+)\s+\S+\s+(<.*>)/gm, '$1 $2 $3');
      // The model's NIC is no veth: its own line differs in kind; addresses and the veths made here are compared.
      const addrs = (s: string) => s.split('\n').filter((l) => !/^\d+: lo /.test(l)).join('\n').replace(/^(\d+): (\S+)@\S+/gm, '$1: $2')
        .replace(/_lft \d+sec/g, '_lft Nsec');
      for (const line of script) {
        const args = words(line);
        const k = ns.tsnet(args), m = model(args);
        expect({ line, out: m.stdout, err: m.stderr, code: m.code }).toEqual({ line, out: k.stdout, err: k.stderr, code: k.code });
        // The kernel applies some changes a moment later (linkwatch sets a bridge's carrier), and
        // its lifetimes count real seconds: read it again for a while before a difference counts.
        const want = { addrs: addrs(model(['-4', '-o', 'addr']).stdout), links: links(model(['-br', 'link']).stdout) };
        let got = { addrs: '', links: '' };
        for (let k = 0; k < 15; k++) {
          got = { addrs: addrs(ns.tsnet('-4 -o addr').stdout), links: links(ns.tsnet('-br link').stdout) };
          if (got.addrs === want.addrs && got.links === want.links) break;
          run('sleep', ['0.2']);
        }
        expect({ line, ...want }).toEqual({ line, ...got });
      }
    }, 60000);
  }
});
