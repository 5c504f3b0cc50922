// rtnetlink requests sent as-is to a namespace's kernel and to a model's
// host, answers decoded attribute by attribute: what the fidelity tests of
// the FIB compare (no front involved: the `tsnet route` printer is another
// piece of work, and bytes are stricter than text anyway).
//
// The kernel side enters the namespace on this thread (setns), opens its
// netlink socket there, talks, closes it and comes back: a socket stays in
// the namespace it was opened in, and nothing else of the test process runs
// meanwhile.
import { closeSync, openSync } from 'node:fs';
import { type RtMessage, type RtRequest, NetlinkError } from '../../src/backend.js';
import { KernelBackend } from '../../src/kernel/backend.js';
import { CLONE_NEWNET, libc } from '../../src/kernel/libc.js';
import { SimBackend } from '../../src/sim/backend.js';
import { load, save } from '../../src/sim/store.js';
import { AF_INET, AF_INET6, RTMSG_LEN } from '../../src/wire/rtnl-constants.js';
import { type LinkAttr, attrU32, parseAttrs } from '../../src/wire/nlattr.js';
import { formatAddress } from '../../src/lib/inet.js';

/** An answer or a refusal, in a form that compares well. */
export type Outcome = { messages: Decoded[] } | { errno: number; extack?: string };

export interface Decoded {
  type: number;
  flags?: number;
  rtm: { family: number; dst_len: number; src_len: number; tos: number; table: number; protocol: number; scope: number; type: number; flags: number };
  attrs: [string, string][];
}

const RTA_NAMES: Record<number, string> = {
  1: 'DST', 2: 'SRC', 3: 'IIF', 4: 'OIF', 5: 'GATEWAY', 6: 'PRIORITY', 7: 'PREFSRC', 8: 'METRICS', 9: 'MULTIPATH', 11: 'FLOW',
  12: 'CACHEINFO', 15: 'TABLE', 16: 'MARK', 17: 'MFC_STATS', 18: 'VIA', 19: 'NEWDST', 20: 'PREF', 21: 'ENCAP_TYPE', 22: 'ENCAP',
  23: 'EXPIRES', 25: 'UID', 26: 'TTL_PROPAGATE', 27: 'IP_PROTO', 28: 'SPORT', 29: 'DPORT', 30: 'NH_ID',
};

/** One attribute as text: addresses as addresses, 4-byte values as numbers, the rest in hex. */
function attrText(family: number, type: number, v: Uint8Array): string {
  if ([1, 2, 5, 7].includes(type)) return formatAddress(family, v);
  if (type === 8) return [...parseAttrs(v)].map(([t, x]) => `${t}=${attrU32(x)}`).join(',');
  if (type === 12) {
    // rta_cacheinfo: clntref, lastuse, expires, error, used, id, ts, tsage: expires and used vary by nature.
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    return `error=${dv.getInt32(12, true)} expires=${dv.getInt32(8, true) ? 'set' : 0}`;
  }
  if (v.length === 4) return String(attrU32(v));
  if (v.length === 1) return String(v[0]);
  return Buffer.from(v).toString('hex');
}

export function decode(m: RtMessage): Decoded {
  const h = m.header;
  const rtm = { family: h[0], dst_len: h[1], src_len: h[2], tos: h[3], table: h[4], protocol: h[5], scope: h[6], type: h[7], flags: new DataView(h.buffer, h.byteOffset, 12).getUint32(8, true) };
  const attrs: [string, string][] = [];
  for (const [t, v] of m.attrs) attrs.push([RTA_NAMES[t] ?? String(t), attrText(rtm.family, t, v)]);
  return { type: m.type, flags: m.nlFlags, rtm, attrs };
}

/** A struct rtmsg. */
export function rtmsg(o: Partial<Decoded['rtm']> & { family: number }): Uint8Array {
  const b = new Uint8Array(RTMSG_LEN);
  b.set([o.family, o.dst_len ?? 0, o.src_len ?? 0, o.tos ?? 0, o.table ?? 0, o.protocol ?? 0, o.scope ?? 0, o.type ?? 0]);
  new DataView(b.buffer).setUint32(8, o.flags ?? 0, true);
  return b;
}

/** An address attribute. */
export function addrAttr(type: number, family: number, text: string): LinkAttr {
  const bytes = family === AF_INET
    ? Uint8Array.from(text.split('.').map(Number))
    : Uint8Array.from(Buffer.from(expand6(text), 'hex'));
  return { type, kind: 'bytes', value: bytes };
}

function expand6(s: string): string {
  const [a, b = ''] = s.split('::');
  const hs = (x: string) => (x ? x.split(':') : []);
  const head = hs(a), tail = s.includes('::') ? hs(b) : [];
  const mid = Array(8 - head.length - tail.length).fill('0');
  return [...head, ...(s.includes('::') ? mid : []), ...tail].map((x) => x.padStart(4, '0')).join('');
}

function outcome(fn: () => RtMessage[]): Outcome {
  try {
    return { messages: fn().map(decode) };
  } catch (e) {
    if (e instanceof NetlinkError) return e.extack ? { errno: e.errno, extack: e.extack } : { errno: e.errno };
    throw e;
  }
}

/** Runs `fn` with a kernel backend opened inside namespace `ns`. */
export function inNetns<T>(ns: string, fn: (b: KernelBackend) => T): T {
  const c = libc();
  const home = openSync('/proc/thread-self/ns/net', 'r');
  const there = openSync(`/var/run/netns/${ns}`, 'r');
  try {
    if (c.setns(there, CLONE_NEWNET) < 0) throw new Error(`setns ${ns}: ${c.errno()}`);
    const b = new KernelBackend();
    try {
      return fn(b);
    } finally {
      (b as unknown as { sock?: { close(): void }; aux?: { close(): void } }).sock?.close();
      (b as unknown as { aux?: { close(): void } }).aux?.close();
    }
  } finally {
    c.setns(home, CLONE_NEWNET);
    closeSync(there);
    closeSync(home);
  }
}

/** The two sides of a comparison: a namespace and a model's state file (host "host"). */
export class Sides {
  constructor(readonly ns: string, readonly state: string) {}

  private model<T>(fn: (b: SimBackend) => T): T {
    const w = load(this.state);
    const b = new SimBackend(w, 'host');
    try {
      return fn(b);
    } finally {
      save(this.state, w);
    }
  }

  request(req: RtRequest): { kernel: Outcome; model: Outcome } {
    return {
      kernel: inNetns(this.ns, (b) => outcome(() => b.rtRequest(req))),
      model: this.model((b) => outcome(() => b.rtRequest(req))),
    };
  }

  dump(req: RtRequest): { kernel: Outcome; model: Outcome } {
    const collect = (b: { rtDump(r: RtRequest, each: (m: RtMessage) => void): void }) => () => {
      const out: RtMessage[] = [];
      b.rtDump(req, (m) => out.push({ ...m, header: m.header.slice(), attrs: parseAttrs(encodeBack(m)) }));
      return out;
    };
    return { kernel: inNetns(this.ns, (b) => outcome(collect(b))), model: this.model((b) => outcome(collect(b))) };
  }
}

/** A message's attributes copied out of a receive buffer. */
function encodeBack(m: RtMessage): Uint8Array {
  const parts: number[] = [];
  for (const [t, v] of m.attrs) {
    const len = 4 + v.length;
    parts.push(len & 0xff, len >> 8, t & 0xff, t >> 8, ...v);
    while (parts.length % 4) parts.push(0);
  }
  return Uint8Array.from(parts);
}

export const FAMILIES = [AF_INET, AF_INET6];
