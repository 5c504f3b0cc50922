// The state file's neighbour table text: every entry the model can hold
// comes back the same, in both ways of reading it, and a broken line is
// refused with the line in the message.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attachTable, eachUnreadNewestFirst, encodeTable, unreadTable } from '../../src/sim/table.js';
import { type SimHost, type SimNeighbour } from '../../src/sim/world.js';

const host = (): SimHost => ({ name: 'h', links: [], neighbours: [], proxies: [] }) as SimHost;

// -0 comes back as 0, as it does through JSON.
const time = fc.oneof(fc.integer({ min: -1e9, max: 1e12 }), fc.double({ min: -1e6, max: 1e9, noNaN: true, noDefaultInfinity: true }).map((x) => x + 0));
const entry: fc.Arbitrary<SimNeighbour> = fc.record({
  family: fc.constantFrom(2, 10),
  ifindex: fc.integer({ min: 1, max: 1 << 20 }),
  dst: fc.oneof(fc.ipV4(), fc.ipV6()),
  state: fc.integer({ min: 0, max: 0xff }),
  flags: fc.integer({ min: 0, max: 0xff }),
  flagsExt: fc.integer({ min: 0, max: 3 }),
  protocol: fc.integer({ min: 0, max: 255 }),
  lladdr: fc.option(fc.constantFrom('02:00:00:00:00:01', 'aa:bb:cc:dd:ee:ff', '00:00:00:00:00:00'), { nil: undefined }),
  confirmed: time, used: time, updated: time,
  probes: fc.integer({ min: 0, max: 100 }),
  timer: fc.option(time, { nil: undefined }),
  queue: fc.array(fc.record({ src: fc.ipV4(), dst: fc.ipV4(), proto: fc.constantFrom('udp', 'icmp') }), { maxLength: 3 }),
  dropped: fc.integer({ min: 0, max: 1000 }),
}) as fc.Arbitrary<SimNeighbour>;

describe('the neighbour table as text', () => {
  it('gives back every entry, as objects and to the dump, newest first there', () => {
    fc.assert(fc.property(fc.array(entry, { maxLength: 20 }), (list) => {
      const text = encodeTable(list);
      const walked: SimNeighbour[] = [];
      const a = host();
      attachTable(a, text, 'f');
      expect(eachUnreadNewestFirst(a, (n) => walked.push({ ...n, queue: [...n.queue] }))).toBe(true);
      expect(walked).toEqual([...list].reverse());
      expect(unreadTable(a)).toBe(text);
      expect(a.neighbours).toEqual(list);
      expect(unreadTable(a)).toBeUndefined();
      expect(eachUnreadNewestFirst(a, () => undefined)).toBe(false);
    }), { numRuns: 300 });
  });

  it('refuses a broken line, names it and the file, and keeps refusing (so no save writes it)', () => {
    const good = '2 2 10.0.0.1 2 0 0 0 02:00:00:00:00:01 -5 0.2 7 3 - 0';
    const broken = [
      '2 2 10.0.0.1 2 0 0 0 02:00:00:00:00:01 -5 0.2 7 3 -', // a field short
      '2 2 10.0.0.1 2 0 0 0 02:00:00:00:00:01 -5 0.2 7 3 - 0 ', // a space at the end
      '2 2 10.0.0.1 2 0 0 0 02:00:00:00:00:01 -5 x 7 3 - 0',
      '2 2 10.0.0.1 2 0 0 0 02:00:00:00:00:01 -5 0.2 7 3 - 0 [{',
      '2 2 10.0.0.1 2 0 0 0 02:00:00:00:00:01 -5 0.2 7 3 - 0 {}',
      '2 2  2 0 0 0 02:00:00:00:00:01 -5 0.2 7 3 - 0',
      '-',
    ];
    for (const line of broken) {
      const a = host();
      attachTable(a, `${good}\n${line}`, '/tmp/s.json');
      const message = `the model's state /tmp/s.json has a broken neighbour table line: ${JSON.stringify(line)}; it was left as it is: move it away or use --state FILE`;
      expect(() => a.neighbours, line).toThrow(message);
      expect(() => unreadTable(a)).toThrow(message);
      const b = host();
      attachTable(b, `${good}\n${line}`, '/tmp/s.json');
      expect(() => eachUnreadNewestFirst(b, () => undefined), line).toThrow(message);
      expect(() => b.neighbours).toThrow(message);
    }
  });
});
