// The Ethernet/ARP codec: one fixed frame taken apart and put together
// (iputils's first probe, from ../shared/reference/arping/FRAMES.md), and
// properties over random values and random bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARPOP_REPLY, ARPOP_REQUEST, type ArpFrame, FRAME_LEN, decodeArp, decodeArpFrame, describeArp, encodeArpFrame, hexDump,
  isArpError, opcodeName,
} from '../../src/wire/arp.js';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));
const PROBE = hex('ffff ffff ffff 0200 0000 0a01 0806 0001 0800 0604 0001 0200 0000 0a01 0a09 0001 ffff ffff ffff 0a09 0002');
const MAC_A = hex('020000000a01');

describe('ARP frame', () => {
  it('decodes iputils\'s broadcast probe', () => {
    const f = decodeArpFrame(PROBE);
    expect(isArpError(f)).toBe(false);
    const a = f as ArpFrame;
    expect(a.op).toBe(ARPOP_REQUEST);
    expect(a.ethDst).toEqual(hex('ffffffffffff'));
    expect(a.ethSrc).toEqual(MAC_A);
    expect(a.sha).toEqual(MAC_A);
    expect(a.spa).toEqual(Uint8Array.of(10, 9, 0, 1));
    expect(a.tha).toEqual(hex('ffffffffffff'));
    expect(a.tpa).toEqual(Uint8Array.of(10, 9, 0, 2));
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

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const frame = fc.record({
  ethDst: bytes(6), ethSrc: bytes(6), op: fc.constantFrom(1, 2, 3, 4, 8, 9),
  sha: bytes(6), spa: bytes(4), tha: bytes(6), tpa: bytes(4),
});

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
