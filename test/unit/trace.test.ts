// The trace as a teacher reads it: every line names the kernel function
// that makes the step (checked over every fidelity scenario, replayed on the
// model with --trace), no request is shown only as hex at the first level,
// the rtnetlink describer names types, flags and nested attributes, refusals
// say why, non-events are explained, and probes are counted as a reader
// counts them with the kernel's counter beside.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TSNET } from '../tsnet-bin.js';
import { KFN } from '../../src/sim/kfn.js';
import { describeAck, describeNlmsg, describeRtMessage, nlmsgFlagNames } from '../../src/wire/describe.js';
import {
  NLMSG_ERROR, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_MULTI, NLM_F_REPLACE, NLM_F_REQUEST, RTM_DELNEIGH,
  RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWNEIGHTBL, RTM_NEWROUTE,
} from '../../src/wire/rtnl-constants.js';
import { MessageWriter } from '../../src/wire/nlmsg.js';
import { SimBackend } from '../../src/sim/backend.js';
import { defaultWorld, findHost } from '../../src/sim/lan.js';
import { lookup } from '../../src/sim/neighbour.js';
import { NUD_FAILED, NUD_PERMANENT } from '../../src/wire/rtnl-constants.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** A line of the model's trace: "[12.345s] host: text [tag]". */
const TRACE_LINE = /^\[\d+\.\d{3}s\] [\w-]+: (.*)$/;
/** The tag at the end of a line: "[fn() file -> fn() file]" or "[tsnet sim peer, not the kernel]". */
const TAG = /\[([^[\]]+)\]$/;

/** The functions a tag names; each must be a key of kfn.ts's table. */
function tagNames(tag: string): string[] {
  return tag.split(' -> ').map((part) => {
    const m = /^(\S+)\(\) \S+$/.exec(part) ?? /^tsnet (.+), not the kernel$/.exec(part) ?? /^(\S+) \(user space, iputils\)$/.exec(part);
    return m ? m[1] : `?${part}`;
  });
}

// ---- the fidelity scenarios, replayed on the model with --trace ----

type Step = Record<string, unknown> & { check?: string };
interface Scenario { name: string; steps: Step[] }

const dir = join('test', 'scenarios');
const scenarios: Scenario[] = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Scenario);
const PEER_IP: Record<string, string> = { gw: '10.0.0.1', peer3: '10.0.0.3', peer4: '10.0.0.4', peer5: '10.0.0.5' };

/** The tsnet words of one step, as test/kernel/sim-fidelity.test.ts's ModelLab plays it. */
function modelWords(s: Step): { args: string[]; host?: string; input?: string } | undefined {
  const str = (k: string) => s[k] as string;
  if ('neigh' in s) return { args: ['--dry-run', 'neigh', ...str('neigh').split(' ')] };
  if ('send' in s) {
    return { args: ['sim', 'send', str('send'), 'count', String(s.count ?? 1), 'interval', '0', ...(s.confirm ? ['confirm'] : [])], host: s.from as string | undefined };
  }
  if ('wait' in s) return { args: ['sim', 'advance', `${s.wait as number}ms`] };
  if ('garp' in s) {
    return { args: ['--dry-run', '-n', str('garp'), 'arping', '-q', s.reply ? '-A' : '-U', '-c', '1', '-I', 'eth0', (s.ip as string) ?? PEER_IP[str('garp')]] };
  }
  if ('set' in s) return { args: ['sim', 'set', (s.dev as string) ?? 'eth0', str('set'), String(s.value)], host: s.node as string | undefined };
  if ('silent' in s) return { args: ['sim', 'peer', 'silent', str('silent'), s.on ? 'on' : 'off'] };
  if ('move' in s) return { args: ['sim', 'peer', 'move', str('move'), 'to', str('to')] };
  if ('ip' in s) return { args: ['--dry-run', ...str('ip').split(/\s+/)], host: s.on as string | undefined };
  if ('batch' in s) {
    const [a, b] = s.each as [number, number];
    const input = Array.from({ length: b - a + 1 }, (_, k) => str('batch').replaceAll('{i}', String(a + k))).join('\n') + '\n';
    return { args: ['--dry-run', '-batch', '-'], host: s.on as string | undefined, input };
  }
  if ('arping' in s) return { args: ['--dry-run', 'arping', ...str('args').split(/\s+/), '-I', 'eth0', str('arping')], host: str('from') };
  if ('check' in s) return { args: ['--dry-run', 'neigh', 'show', 'nud', 'all'], host: s.on as string | undefined };
  return undefined;
}

const tmp = mkdtempSync(join(tmpdir(), 'tsnet-trace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const played = new Map<string, string[]>();

/** Plays a scenario on a fresh model with --trace (or --trace=2); returns every stderr line (once per scenario and level). */
function traceOf(sc: Scenario, level = 1): string[] {
  const key = `${sc.name}/${level}`;
  if (!played.has(key)) played.set(key, play(sc, level));
  return played.get(key)!;
}

function play(sc: Scenario, level: number): string[] {
  const state = join(tmp, `${sc.name}-${level}.json`);
  const run = (args: string[], host?: string, input?: string) =>
    spawnSync(TSNET, ['--state', state, ...(level > 1 ? ['--trace=2'] : ['--trace']), ...(host ? ['-n', host] : []), ...args], { input, encoding: 'utf8' });
  run(['sim', 'reset', 'empty']);
  const lines: string[] = [];
  for (const s of sc.steps) {
    const w = modelWords(s);
    if (!w) continue;
    lines.push(...run(w.args, w.host, w.input).stderr.split('\n').filter(Boolean));
  }
  return lines;
}

describe('every trace line of the fidelity scenarios names its kernel function', () => {
  const known = new Set(Object.keys(KFN));
  for (const sc of scenarios) {
    it(sc.name, () => {
      const lines = traceOf(sc).filter((l) => TRACE_LINE.test(l));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) {
        const tag = TAG.exec(l);
        expect({ line: l, tagged: tag !== null }).toEqual({ line: l, tagged: true });
        const unknown = tagNames(tag![1]).filter((n) => !known.has(n));
        expect({ line: l, unknown }).toEqual({ line: l, unknown: [] });
      }
    });
  }
});

/** A line whose words after "host: " are only hex: 8-digit groups, or tcpdump -xx's "0x0000:  ffff ..." rows. */
const HEX_ONLY = /(^|: )([0-9a-f]{8} )+[0-9a-f]{1,8}( \[.*\])?$|^\s*0x[0-9a-f]{4}:\s/;

describe('no request is printed only as hex at the first trace level', () => {
  // Scenarios with admin requests (neigh add/del/replace, ip addr/link, batches), and one with frames.
  const chosen = scenarios.filter((sc) => sc.steps.some((s) => 'neigh' in s || 'ip' in s || 'batch' in s)).slice(0, 6);

  it('the scenarios chosen send requests of their own', () => {
    expect(chosen.length).toBeGreaterThan(2);
  });

  for (const sc of chosen) {
    it(sc.name, () => {
      const lines = traceOf(sc);
      const requests = lines.filter((l) => l.includes('netlink request: '));
      expect(requests.length).toBeGreaterThan(0);
      for (const l of requests) expect(l).toMatch(/netlink request: RTM_[A-Z]+ NLM_F_REQUEST[A-Z_|]* (ndmsg|ifaddrmsg|ifinfomsg) \{ /);
      expect(lines.filter((l) => HEX_ONLY.test(l))).toEqual([]);
      expect(lines.filter((l) => l.includes('bytes: '))).toEqual([]);
    });
  }

  it('--trace=2 adds the bytes: each request in hex, each frame as tcpdump -xx rows', () => {
    const lines = traceOf(scenarios.find((x) => x.name.startsWith('12-'))!, 2);
    const bytes = lines.filter((l) => l.includes('netlink request bytes: '));
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.length).toBe(lines.filter((l) => l.includes('netlink request: ')).length);
    const frames = traceOf(scenarios.find((x) => x.name.startsWith('01-'))!, 2);
    expect(frames.some((l) => /^\s*0x0000:\s+[0-9a-f]{4} /.test(l))).toBe(true);
  });
});

// ---- the describer ----

describe('rtnetlink describer', () => {
  it('names nlmsg flags by what they mean for the message type', () => {
    expect(nlmsgFlagNames(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)).toBe('NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL');
    expect(nlmsgFlagNames(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE | NLM_F_CREATE)).toBe('NLM_F_REQUEST|NLM_F_ACK|NLM_F_REPLACE|NLM_F_CREATE');
    expect(nlmsgFlagNames(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP)).toBe('NLM_F_REQUEST|NLM_F_DUMP');
    // The same high bits mean other things on a DEL request and on an ACK.
    expect(nlmsgFlagNames(RTM_DELNEIGH, NLM_F_REQUEST | 0x100)).toBe('NLM_F_REQUEST|NLM_F_NONREC');
    expect(nlmsgFlagNames(NLMSG_ERROR, 0x300)).toBe('NLM_F_CAPPED|NLM_F_ACK_TLVS');
    expect(nlmsgFlagNames(RTM_NEWLINK, NLM_F_MULTI | 0x8000)).toBe('NLM_F_MULTI|0x8000');
    expect(nlmsgFlagNames(RTM_NEWLINK, 0)).toBe('0');
  });

  it('decodes RTM_NEWLINK with IFLA_LINKINFO nesting (ip link add bond0 type bond mode active-backup miimon 100, as strace saw it)', () => {
    const bytes = hex(`4c000000 1000 0506 7de7026b 00000000 00000000 00000000 00000000 00000000
      0a000300 626f6e64 30000000 20001200 08000100 626f6e64 14000200 05000100 01000000 08000300 64000000`);
    expect(describeNlmsg(bytes)).toBe('RTM_NEWLINK NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL ' +
      'ifinfomsg { ifi_family AF_UNSPEC ifi_type 0 ifi_index 0 ifi_flags 0 ifi_change 0 } IFLA_IFNAME "bond0" ' +
      'IFLA_LINKINFO { IFLA_INFO_KIND "bond" IFLA_INFO_DATA { IFLA_BOND_MODE 1 IFLA_BOND_MIIMON 100 } }');
  });

  it('decodes RTM_NEWNEIGH: ndmsg fields by name, NDA_DST and NDA_LLADDR', () => {
    const bytes = hex(`30000000 1c00 0506 00000000 00000000 02000000 02000000 8000 00 01 08000100 0a000003 0a000200 00000000 00010000`);
    expect(describeNlmsg(bytes)).toBe('RTM_NEWNEIGH NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL ' +
      'ndmsg { ndm_family AF_INET ndm_ifindex 2 ndm_state NUD_PERMANENT ndm_flags 0 ndm_type RTN_UNICAST } NDA_DST 10.0.0.3 NDA_LLADDR 00:00:00:00:00:01');
  });

  it('decodes IFLA_AF_SPEC by family and a veth peer\'s own ifinfomsg', () => {
    const w = new MessageWriter(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK).ifinfomsg({ family: 0, type: 0, index: 3, flags: 1, change: 1 });
    const af = w.beginNest(26);
    const inet = w.beginNest(2);
    const conf = w.beginNest(1);
    w.attrU32(20, 1);
    w.endNest(conf);
    w.endNest(inet);
    w.endNest(af);
    expect(describeNlmsg(w.finish())).toBe('RTM_NEWLINK NLM_F_REQUEST|NLM_F_ACK ifinfomsg { ifi_family AF_UNSPEC ifi_type 0 ifi_index 3 ' +
      'ifi_flags IFF_UP ifi_change IFF_UP } IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { IPV4_DEVCONF_PROMOTE_SECONDARIES 1 } } }');
  });

  it('decodes types other helpers add (routes, neighbour tables) through the same tables, unknown numbers named generically', () => {
    const route = new MessageWriter(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE)
      .header(Uint8Array.from([2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0])).attr(1, Uint8Array.from([10, 1, 0, 0])).attrU32(4, 2).attrU32(99, 7).finish();
    expect(describeNlmsg(route)).toBe('RTM_NEWROUTE NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE rtmsg { rtm_family AF_INET rtm_dst_len 24 rtm_src_len 0 ' +
      'rtm_tos 0 rtm_table RT_TABLE_MAIN rtm_protocol RTPROT_BOOT rtm_scope RT_SCOPE_UNIVERSE rtm_type RTN_UNICAST rtm_flags 0x0 } ' +
      'RTA_DST 10.1.0.0 RTA_OIF 2 RTA_99 7');
    const tbl = new MessageWriter(RTM_NEWNEIGHTBL, NLM_F_REQUEST).header(Uint8Array.from([2, 0, 0, 0])).attrStr(1, 'arp_cache').attrU32(2, 128).finish();
    expect(describeNlmsg(tbl)).toBe('RTM_NEWNEIGHTBL NLM_F_REQUEST ndtmsg { family AF_INET } NDTA_NAME "arp_cache" NDTA_THRESH1 128');
    expect(describeRtMessage(200, NLM_F_REQUEST, Uint8Array.from([1, 2, 3, 4]), new Uint8Array(0))).toBe('RTM type 200 NLM_F_REQUEST header (4 bytes) 01020304');
  });

  it('decodes acknowledgements, with the extended ACK', () => {
    expect(describeAck(0)).toBe('NLMSG_ERROR error 0 (ACK)');
    expect(describeAck(17, 'ipv4: Address already assigned')).toBe('NLMSG_ERROR error -17 EEXIST NLMSGERR_ATTR_MSG "ipv4: Address already assigned"');
  });
});

// ---- the model's trace, driven directly ----

function traced(): { b: SimBackend; lines: string[] } {
  const lines: string[] = [];
  const b = new SimBackend(defaultWorld(), 'host', (l) => lines.push(l));
  return { b, lines };
}

const ip = (s: string) => Uint8Array.from(s.split('.').map(Number));

describe('refusals say why, in the request\'s terms', () => {
  it('EEXIST: an entry exists and NLM_F_EXCL was set', () => {
    const { b, lines } = traced();
    b.engine.hostSend(b.host, '10.0.0.1');
    b.engine.advanceTo(1);
    expect(() => b.neighbourAdd({ family: 2, ifindex: 2, state: NUD_PERMANENT, flags: 0, dst: ip('10.0.0.1'), lladdr: new Uint8Array(6) }, NLM_F_CREATE | NLM_F_EXCL)).toThrow();
    expect(lines.some((l) => l.includes('netlink request: RTM_NEWNEIGH NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL ndmsg {'))).toBe(true);
    expect(lines).toContain('[0.001s] host: netlink answer: NLMSG_ERROR error -17 EEXIST: an entry for 10.0.0.1 dev eth0 exists (REACHABLE) and NLM_F_EXCL was set [neigh_add() neighbour.c]');
  });

  it('ENOENT: no entry, and NLM_F_CREATE was not set (change); no entry (delete); ENODEV: no such ifindex', () => {
    const { b, lines } = traced();
    const change = { family: 2, ifindex: 2, state: NUD_PERMANENT, flags: 0, dst: ip('10.0.0.7'), lladdr: new Uint8Array(6) };
    expect(() => b.neighbourAdd(change, NLM_F_REPLACE)).toThrow();
    expect(() => b.neighbourDelete(change)).toThrow();
    expect(() => b.neighbourAdd({ ...change, ifindex: 9 }, NLM_F_CREATE)).toThrow();
    const answers = lines.filter((l) => l.includes('netlink answer:'));
    expect(answers[0]).toContain('ENOENT: no entry for 10.0.0.7 dev eth0, and NLM_F_CREATE was not set');
    expect(answers[1]).toContain('ENOENT: no entry for 10.0.0.7 dev eth0 [neigh_delete() neighbour.c]');
    expect(answers[2]).toContain('ENODEV: no device has ifindex 9');
  });
});

describe('refusals of address and link requests say why too', () => {
  it('EEXIST for an address already there, EADDRNOTAVAIL for one that is not, EEXIST for a link name taken', () => {
    const state = join(tmp, 'refusals.json');
    const run = (...args: string[]) => spawnSync(TSNET, ['--state', state, '--dry-run', '--trace', ...args], { encoding: 'utf8' });
    spawnSync(TSNET, ['--state', state, 'sim', 'reset', 'empty']);
    const add = run('addr', 'add', '10.0.0.2/24', 'dev', 'eth0');
    expect(add.status).toBe(2);
    expect(add.stderr).toMatch(/netlink answer: NLMSG_ERROR error -17 EEXIST NLMSGERR_ATTR_MSG "ipv4: Address already assigned": 10\.0\.0\.2\/24 is already on eth0 and NLM_F_EXCL was set \[inet_rtm_newaddr\(\) devinet\.c\]/);
    expect(run('addr', 'del', '10.0.0.99/24', 'dev', 'eth0').stderr).toContain('EADDRNOTAVAIL NLMSGERR_ATTR_MSG "ipv4: Address not found": no IPv4 address on eth0 matches 10.0.0.99');
    expect(run('link', 'add', 'eth0', 'type', 'dummy').stderr).toContain('EEXIST: a link named eth0 exists (ifindex 2) and NLM_F_EXCL was set [rtnl_newlink() rtnetlink.c]');
  });
});

describe('non-events are explained', () => {
  it('gc skipped: a FAILED entry stays while the table is below gc_thresh1', () => {
    const { b, lines } = traced();
    findHost(b.world, 'host')!.links[1].params.mcast_solicit = 0;
    b.engine.hostSend(b.host, '10.0.0.9'); // no probes allowed: FAILED at once
    expect(lookup(b.host, 2, 2, '10.0.0.9')?.state).toBe(NUD_FAILED);
    b.engine.advanceTo(b.world.periodicAt);
    expect(lines.some((l) => /host: gc skipped: the table holds \d+ entries, below gc_thresh1 128, so 10\.0\.0\.9 dev eth0 \(FAILED\) stays \[neigh_periodic_work\(\) neighbour\.c\]$/.test(l))).toBe(true);
  });

  it('an ARP request not for us: not a local address, no proxy_arp, no proxy entry', () => {
    const { b, lines } = traced();
    b.engine.hostSend(b.host, '10.0.0.3');
    b.engine.advanceTo(1);
    expect(lines).toContain('[0.000s] peer4: ARP request for 10.0.0.3 from 10.0.0.2 on eth0 not answered: 10.0.0.3 is not a local address, proxy_arp 0 and no proxy entry for it [arp_process() arp.c]');
  });

  it('a gratuitous ARP overrides within locktime; an ordinary reply there is refused', () => {
    const { b, lines } = traced();
    const w = b.world;
    const e = b.engine;
    e.hostSend(b.host, '10.0.0.3');
    e.advanceTo(w.now + 1); // REACHABLE, updated just now
    const peer4 = findHost(w, 'peer4')!;
    const link = peer4.links.find((l) => l.type !== 772)!;
    e.garp(peer4, link, '10.0.0.3', true); // a gratuitous reply claiming 10.0.0.3 at peer4's MAC
    e.advanceTo(w.now + 1);
    expect(lines.some((l) => l.includes('host: 10.0.0.3 dev eth0: gratuitous ARP overrides 02:00:00:00:00:03 although the entry was updated 1ms ago, within locktime 1000ms (arp_is_garp: a gratuitous ARP always may) [arp_process() arp.c -> arp_is_garp() arp.c]'))).toBe(true);
    expect(lookup(b.host, 2, 2, '10.0.0.3')?.lladdr).toBe('02:00:00:00:00:04');
    // peer3 answers a unicast request of its own; the host's entry was updated 1 ms ago: refused by locktime.
    const peer3 = findHost(w, 'peer3')!;
    const l3 = peer3.links.find((l) => l.type !== 772)!;
    e.send(peer3, l3, {
      ethDst: 0x020000000002, ethSrc: 0x020000000003, op: 2, sha: 0x020000000003, spa: 0x0a000003, tha: 0x020000000002, tpa: 0x0a000002,
    }, 'a late reply', 'arp_send_dst');
    e.advanceTo(w.now + 1);
    expect(lines.some((l) => l.includes('host: 10.0.0.3 dev eth0: 02:00:00:00:00:03 ignored, STALE entry keeps 02:00:00:00:00:04 (no override: updated 1ms ago, within locktime 1000ms, and not a gratuitous ARP)'))).toBe(true);
  });

  it('sim send does not call "queued" a packet that was then dropped', () => {
    const state = join(tmp, 'dropped.json');
    const run = (...args: string[]) => spawnSync(TSNET, ['--state', state, ...args], { encoding: 'utf8' });
    run('sim', 'reset', 'empty');
    run('sim', 'peer', 'silent', 'peer3', 'on');
    run('sim', 'set', 'eth0', 'unres_qlen', '1');
    const r = run('sim', 'send', '10.0.0.3', 'count', '4', 'interval', '0');
    const out = r.stdout.split('\n').filter(Boolean);
    expect(out).toHaveLength(4);
    expect(out[0]).toMatch(/^UDP packet to 10\.0\.0\.3 dev eth0: queued, then dropped at 0s: unres_qlen_bytes 2090 full, a newer packet took its place$/);
    expect(out[3]).toBe('UDP packet to 10.0.0.3 dev eth0: queued (10.0.0.3 is INCOMPLETE)');
    const later = run('sim', 'send', '10.0.0.4');
    expect(later.stdout).toMatch(/^UDP packet to 10\.0\.0\.4 dev eth0: queued, then sent to 02:00:00:00:00:04 at [\d.]+s when 10\.0\.0\.4 resolved\n$/);
  });
});

describe('probes are counted as a reader counts them, the kernel\'s counter beside', () => {
  it('INCOMPLETE: probe 1 of 3 is neigh->probes 4 (said once), and FAILED names both counts', () => {
    const { b, lines } = traced();
    b.engine.hostSend(b.host, '10.0.0.99');
    b.engine.advanceTo(5000);
    const probes = lines.filter((l) => l.includes('who-has 10.0.0.99'));
    expect(probes.map((l) => /\((.*)\) \[/.exec(l)![1])).toEqual([
      'broadcast probe 1 of 3 for 10.0.0.99; the kernel counts it neigh->probes 4: an INCOMPLETE entry\'s counter starts at ucast_solicit 3',
      'broadcast probe 2 of 3 for 10.0.0.99; neigh->probes 5',
      'broadcast probe 3 of 3 for 10.0.0.99; neigh->probes 6',
    ]);
    expect(lines.some((l) => l.includes('INCOMPLETE -> FAILED (no answer to 3 probe(s); neigh->probes 6 reached neigh_max_probes 6 (counted from ucast_solicit 3)) [neigh_timer_handler() neighbour.c]'))).toBe(true);
  });

  it('PROBE: the counter starts at 0, so the counts agree', () => {
    const { b, lines } = traced();
    b.engine.hostSend(b.host, '10.0.0.3');
    b.engine.advanceTo(1);
    findHost(b.world, 'peer3')!.silent = true;
    b.engine.advanceTo(60000);
    b.engine.hostSend(b.host, '10.0.0.3'); // STALE -> DELAY, then PROBE unanswered
    b.engine.advanceTo(b.world.now + 10000);
    const probes = lines.filter((l) => l.includes('host: ') && l.includes('unicast probe'));
    expect(probes[0]).toContain('(unicast probe 1 of 3 for 10.0.0.3; neigh->probes 1)');
    expect(lines.some((l) => l.includes('PROBE -> FAILED (no answer to 3 probe(s); neigh->probes 3 reached neigh_max_probes 3)'))).toBe(true);
  });
});
