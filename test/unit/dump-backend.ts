// Dumped rtnetlink messages made byte by byte, and a backend that answers link
// and address dumps with them, for the listings' differential tests: with
// rtDumpInPlace the listing takes its in-place path (views on the receive
// buffer), without it the general one (RtMessage per answer).
import type { Backend, LinkRef, RtMessage, RtRequest } from '../../src/backend.js';
import { AttrList } from '../../src/wire/nlattr.js';
import { Context } from '../../src/ip/context.js';
import { Output } from '../../src/lib/output.js';
import { defaultOptions } from '../../src/ip/options.js';

const RTM_NEWLINK = 16, RTM_GETLINK = 18, RTM_NEWADDR = 20, NLM_F_MULTI = 2;

export const u32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v >>> 0]).buffer);
export const str = (s: string): Uint8Array => new Uint8Array(Buffer.from(s + '\0'));
export const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
export const mac = (s: string): Uint8Array => new Uint8Array(s.split(':').map((x) => parseInt(x, 16)));

/** One attribute, padded to 4 bytes. */
export function attr(type: number, value: Uint8Array): Uint8Array {
  const a = new Uint8Array((4 + value.length + 3) & ~3);
  const v = new DataView(a.buffer);
  v.setUint16(0, 4 + value.length, true);
  v.setUint16(2, type, true);
  a.set(value, 4);
  return a;
}

/** A dump message: nlmsghdr, the fixed header, the attributes in the order given. */
function message(type: number, header: Uint8Array, attrs: Uint8Array[]): Uint8Array {
  const m = new Uint8Array(16 + header.length + attrs.reduce((n, a) => n + a.length, 0));
  const v = new DataView(m.buffer);
  v.setUint32(0, m.length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, NLM_F_MULTI, true);
  m.set(header, 16);
  let p = 16 + header.length;
  for (const a of attrs) {
    m.set(a, p);
    p += a.length;
  }
  return m;
}

/** RTM_NEWLINK: struct ifinfomsg (family 0, ARPHRD type, index, flags), then the attributes. */
export function link(index: number, type: number, flags: number, attrs: Uint8Array[]): Uint8Array {
  const h = new Uint8Array(16), v = new DataView(h.buffer);
  v.setUint16(2, type, true);
  v.setInt32(4, index, true);
  v.setUint32(8, flags, true);
  return message(RTM_NEWLINK, h, attrs);
}

/** RTM_NEWADDR: struct ifaddrmsg, then the attributes. */
export function address(family: number, prefixlen: number, flags: number, scope: number, index: number, attrs: Uint8Array[]): Uint8Array {
  const h = new Uint8Array(8);
  h[0] = family;
  h[1] = prefixlen;
  h[2] = flags;
  h[3] = scope;
  new DataView(h.buffer).setInt32(4, index, true);
  return message(RTM_NEWADDR, h, attrs);
}

/**
 * A backend whose link dumps answer `links` and whose address dumps answer
 * `addrs`; each dump's messages lie in one buffer from byte `at` of its
 * ArrayBuffer on (at = 2: every message off the 4-byte bound).
 */
export function dumpBackend(o: { links: Uint8Array[]; addrs?: Uint8Array[]; inPlace: boolean; at?: number; refs?: LinkRef[] }): Backend {
  const at = o.at ?? 0;
  const lay = (messages: Uint8Array[]) => {
    const total = messages.reduce((n, m) => n + ((m.length + 3) & ~3), 0);
    const buf = new Uint8Array(at + total);
    const spans: [number, number][] = [];
    let p = at;
    for (const m of messages) {
      buf.set(m, p);
      spans.push([p, m.length]);
      p += (m.length + 3) & ~3;
    }
    return { buf, spans, view: new Uint8Array(buf.buffer, at, total) };
  };
  const dumps = { links: lay(o.links), addrs: lay(o.addrs ?? []) };
  const of = (req: RtRequest) => (req.type === RTM_GETLINK ? dumps.links : dumps.addrs);
  const headerLen = (req: RtRequest) => (req.type === RTM_GETLINK ? 16 : 8);
  const b: Partial<Backend> = {
    links: (): LinkRef[] => o.refs ?? [],
    rtDump: (req: RtRequest, each: (m: RtMessage) => void) => {
      const { buf, spans } = of(req), n = headerLen(req);
      for (const [off, len] of spans) {
        each({ type: buf[off + 4] | (buf[off + 5] << 8), nlFlags: NLM_F_MULTI, header: buf.subarray(off + 16, off + 16 + n), attrs: new AttrList(buf, off + 16 + n, off + len) });
      }
    },
    rtRequest: () => [],
  };
  if (o.inPlace) b.rtDumpInPlace = (req, each) => { const { view, spans } = of(req); for (const [off, len] of spans) each(view, off - at, len); };
  return b as Backend;
}

/** Runs a command (doLink, doAddr) on the backend in-process: its stdout, or what it threw. */
export async function runOn(b: Backend, command: (ctx: Context, args: string[]) => Promise<number>, args: string[]): Promise<string> {
  const out = new Output(false, false);
  const ctx = new Context(defaultOptions(), out, () => b);
  try {
    const code = await command(ctx, args);
    return (code ? `exit ${code}\n` : '') + out.take();
  } catch (e) {
    return `threw: ${(e as Error).message}`;
  }
}
