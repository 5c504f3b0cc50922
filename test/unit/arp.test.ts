// The Ethernet/ARP codec: one fixed frame taken apart and put together
// (iputils's first probe, from ../shared/reference/arping/FRAMES.md), and
// properties over random values and random bytes.
import fc from 'fast-check';
import { rttText } from '../../src/arping/arping.js';
import { describe, expect, it } from 'vitest';
import {
  ARPOP_REPLY, ARPOP_REQUEST, type ArpFrame, BROADCAST_MAC, FRAME_LEN, decodeArp, decodeArpFrame, describeArp, encodeArpFrame,
  hexDump, ipFromString, ipToString, isArpError, macFromString, macToString, opcodeName,
} from '../../src/wire/arp.js';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));
const PROBE = hex('ffff ffff ffff 0200 0000 0a01 0806 0001 0800 0604 0001 0200 0000 0a01 0a09 0001 ffff ffff ffff 0a09 0002');
const MAC_A = 0x020000000a01;

describe('ARP frame', () => {
  it('decodes iputils\'s broadcast probe', () => {
    const f = decodeArpFrame(PROBE);
    expect(isArpError(f)).toBe(false);
    const a = f as ArpFrame;
    expect(a.op).toBe(ARPOP_REQUEST);
    expect(a.ethDst).toBe(BROADCAST_MAC);
    expect(a.ethSrc).toBe(MAC_A);
    expect(a.sha).toBe(MAC_A);
    expect(ipToString(a.spa)).toBe('10.9.0.1');
    expect(macToString(a.tha)).toBe('ff:ff:ff:ff:ff:ff');
    expect(a.tpa).toBe(ipFromString('10.9.0.2'));
    expect(macFromString('02:00:00:00:0a:01')).toBe(MAC_A);
  });

  it('encodes it back byte for byte', () => {
    const out = new Uint8Array(FRAME_LEN);
    expect(encodeArpFrame(decodeArpFrame(PROBE) as ArpFrame, out)).toBe(42);
    expect(out).toEqual(PROBE);
  });

  it('describes and dumps it', () => {
    expect(describeArp(decodeArpFrame(PROBE) as ArpFrame)).toBe('02:00:00:00:0a:01 > ff:ff:ff:ff:ff:ff: ARP, Request who-has 10.9.0.2 tell 10.9.0.1');
    expect(hexDump(PROBE).split('\n')[0]).toBe('\t0x0000:  ffff ffff ffff 0200 0000 0a01 0806 0001');
    expect(opcodeName(ARPOP_REPLY)).toBe('reply');
    expect(opcodeName(8)).toBe('inarp-request');
  });

  it('reports what is wrong instead of throwing', () => {
    expect(decodeArpFrame(PROBE.subarray(0, 41))).toEqual({ error: 'truncated', length: 41 });
    const ip = PROBE.slice();
    ip[13] = 0x00;
    expect(decodeArpFrame(ip)).toEqual({ error: 'not-arp', ethertype: 0x0800 });
    const op = PROBE.slice();
    op[21] = 7;
    expect(decodeArpFrame(op)).toEqual({ error: 'unknown-opcode', op: 7 });
    const hw = PROBE.slice();
    hw[18] = 8;
    expect(decodeArpFrame(hw)).toEqual({ error: 'unsupported-hardware', htype: 1, hlen: 8 });
    expect(decodeArp(new Uint8Array(3))).toEqual({ error: 'truncated', length: 3 });
  });
});

const mac = fc.integer({ min: 0, max: 2 ** 48 - 1 });
const ipv4 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const frame = fc.record({ ethDst: mac, ethSrc: mac, op: fc.constantFrom(1, 2, 3, 4, 8, 9), sha: mac, spa: ipv4, tha: mac, tpa: ipv4 });

describe('ARP codec properties', () => {
  it('decode(encode(x)) == x', () => {
    fc.assert(fc.property(frame, (f) => {
      const out = new Uint8Array(FRAME_LEN);
      encodeArpFrame(f, out);
      expect(decodeArpFrame(out)).toEqual(f);
    }), { numRuns: 2000 });
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
      decodeArpFrame(b);
      decodeArp(b);
    }), { numRuns: 5000 });
  });
});

describe('arping RTT text and -j number (issue 17, item 5)', () => {
  it('the text is the -j figure rounded to microseconds plus iputils\'s 0.5 ms, and never negative', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), (ns) => {
      const text = rttText(ns);
      expect(text).toMatch(/^ \d+\.\d{3}ms$/);
      const shown = Number(text.slice(1, -2));
      expect(Math.abs(shown - (Number(ns) / 1e6 + 0.5))).toBeLessThanOrEqual(0.0015);
    }));
  });
});
