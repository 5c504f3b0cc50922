// The front's pure parts: ip's prefix rule, global options, addresses,
// link-layer addresses, NUD names, batch line splitting.
import { describe, expect, it } from 'vitest';
import { Exit, matches } from '../../src/ip/matches.js';
import { defaultOptions, parseOption } from '../../src/ip/options.js';
import {
  formatIPv4, formatIPv6, formatLladdr, parseAddress, parseIPv4, parseIPv6, parseLladdr, parsePrefix, parseUnsigned, prefixMatch,
} from '../../src/lib/inet.js';
import { nudStateFromName } from '../../src/ip/neigh-print.js';
import { batchLines, makeArgs } from '../../src/ip/main.js';
import { resolveObject } from '../../src/ip/registry.js';

describe('matches (ip\'s prefix rule)', () => {
  it('accepts a non-empty leading part only', () => {
    expect(matches('s', 'show')).toBe(true);
    expect(matches('show', 'show')).toBe(true);
    expect(matches('', 'show')).toBe(false);
    expect(matches('shows', 'show')).toBe(false);
    expect(matches('S', 'show')).toBe(false);
  });

  it('resolves objects in ip\'s table order', () => {
    expect(resolveObject('a')).toBe('address');
    expect(resolveObject('n')).toBe('neighbor');
    expect(resolveObject('ne')).toBe('neighbor');
    expect(resolveObject('l')).toBe('link');
    expect(resolveObject('m')).toBe('maddress');
    expect(resolveObject('mo')).toBe('monitor');
    expect(resolveObject('net')).toBe('netns');
    expect(resolveObject('ar')).toBe('arping');
    expect(resolveObject('b')).toBe('bond');
    expect(resolveObject('s')).toBe('sr');
    expect(resolveObject('si')).toBe('sim');
    expect(resolveObject('x1')).toBeUndefined();
  });
});

describe('global options in ip\'s first-match order', () => {
  const parse = (...w: string[]) => {
    const o = defaultOptions();
    let i = 0;
    const ok = parseOption(w[0], () => w[++i], o);
    return { ok, o };
  };
  it('-b is batch, -br brief, -h human, -n netns, -c colour, -fo force, -f family', () => {
    expect(parse('-b', 'f').o.batch).toBe('f');
    expect(parse('-br').o.brief).toBe(1);
    expect(parse('-h').o.human).toBe(1);
    expect(parse('-n', 'x').o.netns).toBe('x');
    expect(parse('-c').o.color).toBe('always');
    expect(parse('-c=auto').o.color).toBe('auto');
    expect(parse('-color=never').o.color).toBe('never');
    expect(parse('-fo').o.force).toBe(1);
    expect(parse('-f', 'inet6').o.family).toBe(10);
    expect(parse('--json').o.json).toBe(1);
    expect(parse('-s').o.stats).toBe(1);
    expect(parse('-statistics').o.stats).toBe(1);
    expect(parse('-N').o.numeric).toBe(1);
    expect(parse('-t').o.timestamp).toBe(1);
    expect(parse('-ts').o.tshort).toBe(1);
    expect(parse('-d').o.details).toBe(1);
  });
  it('rejects unknown options and bad values as ip does', () => {
    expect(parse('-x').ok).toBe(false);
    expect(parse('-c=sometimes').ok).toBe(false);
    expect(() => parse('-f', 'bogus')).toThrow(Exit);
    expect(() => parse('-b')).toThrow(Exit);
  });
});

describe('addresses', () => {
  it('reads IPv4 the way strtoul does', () => {
    expect(parseIPv4('10.0.0.1')).toEqual(Uint8Array.of(10, 0, 0, 1));
    expect(parseIPv4('10')).toEqual(Uint8Array.of(10, 0, 0, 0));
    expect(parseIPv4('10.1')).toEqual(Uint8Array.of(10, 1, 0, 0));
    expect(parseIPv4('0x0a.010.0.1')).toEqual(Uint8Array.of(10, 8, 0, 1));
    expect(parseIPv4('192.0.2.300')).toBeUndefined();
    expect(parseIPv4('1.2.3.4.5')).toBeUndefined();
    expect(parseIPv4('foo')).toBeUndefined();
    expect(parseIPv4('1.2.3.')).toBeUndefined();
  });

  it('reads IPv6 as inet_pton does', () => {
    expect(parseIPv6('::')).toEqual(new Uint8Array(16));
    expect(parseIPv6('2001:db8::1')?.[15]).toBe(1);
    expect(parseIPv6('::ffff:1.2.3.4')?.slice(10)).toEqual(Uint8Array.of(0xff, 0xff, 1, 2, 3, 4));
    expect(parseIPv6('1:2:3:4:5:6:7:8')?.[15]).toBe(8);
    expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIPv6('1::2::3')).toBeUndefined();
    expect(parseIPv6('12345::')).toBeUndefined();
    expect(parseIPv6('::1.2.3.04')).toBeUndefined();
  });

  it('writes IPv4 as inet_ntop does', () => {
    for (let v = 0; v < 256; v++) {
      const b = Uint8Array.of(v, 255 - v, (v * 7) & 255, v ^ 0xa5);
      expect(formatIPv4(b)).toBe(Array.from(b).join('.'));
    }
  });

  it('writes IPv6 as glibc inet_ntop does', () => {
    const f = (s: string) => formatIPv6(parseIPv6(s)!);
    expect(f('2001:0db8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(f('0:0:0:0:0:0:0:0')).toBe('::');
    expect(f('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(f('1:0:0:2:0:0:0:3')).toBe('1:0:0:2::3');
    expect(f('1:0:0:2:0:0:3:4')).toBe('1::2:0:0:3:4');
    expect(f('1:0:2:3:4:5:6:7')).toBe('1:0:2:3:4:5:6:7');
    expect(f('::ffff:10.1.2.3')).toBe('::ffff:10.1.2.3');
    expect(f('::10.1.2.3')).toBe('::10.1.2.3');
    expect(f('fe80::1:0:0')).toBe('fe80::1:0:0');
    expect(f('ff02::1:ff00:1')).toBe('ff02::1:ff00:1');
  });

  it('reads prefixes, netmasks and the special words', () => {
    expect(parsePrefix('192.0.2.0/24', 0)).toMatchObject({ family: 2, bitlen: 24 });
    expect(parsePrefix('192.0.2.0/255.255.255.0', 0)).toMatchObject({ bitlen: 24 });
    expect(parsePrefix('192.0.2.0/255.0.255.0', 0)).toBeUndefined();
    expect(parsePrefix('192.0.2.0/33', 0)).toBeUndefined();
    expect(parsePrefix('192.0.2.1', 0)).toMatchObject({ bitlen: 32 });
    expect(parsePrefix('default', 2)).toMatchObject({ family: 2, bitlen: 0 });
    expect(parseAddress('any', 0)).toMatchObject({ family: 0, bitlen: -2 });
    expect(parseAddress('2001:db8::1', 2)).toBeUndefined();
    expect(prefixMatch(Uint8Array.of(192, 0, 2, 200), Uint8Array.of(192, 0, 2, 0), 24)).toBe(true);
    expect(prefixMatch(Uint8Array.of(192, 0, 3, 1), Uint8Array.of(192, 0, 2, 0), 23)).toBe(true);
    expect(prefixMatch(Uint8Array.of(192, 0, 4, 1), Uint8Array.of(192, 0, 2, 0), 23)).toBe(false);
  });

  it('reads numbers as get_unsigned does', () => {
    expect(parseUnsigned('17')).toBe(17);
    expect(parseUnsigned('0x11')).toBe(17);
    expect(parseUnsigned('021')).toBe(17);
    expect(parseUnsigned('17x')).toBeUndefined();
    expect(parseUnsigned('-1')).toBeUndefined();
    expect(parseUnsigned('')).toBeUndefined();
  });
});

describe('link-layer addresses', () => {
  it('reads hex parts as sscanf("%x") and names the bad part', () => {
    expect(parseLladdr('0:0:0:0:0:1')).toEqual(Uint8Array.of(0, 0, 0, 0, 0, 1));
    expect(parseLladdr('02:AA:bb:0x1c:d:e')).toEqual(Uint8Array.of(2, 0xaa, 0xbb, 0x1c, 0xd, 0xe));
    expect(parseLladdr('zz:bb')).toBe('zz');
    expect(parseLladdr('1ff:aa')).toBe('1ff');
    expect(parseLladdr('10.1.2.3')).toEqual(Uint8Array.of(10, 1, 2, 3));
    expect(parseLladdr('10.1.2.300')).toBe('10.1.2.300');
  });

  it('writes hex bytes, or an IPv4 address for IPv4 tunnels', () => {
    expect(formatLladdr(Uint8Array.of(2, 0, 0, 0, 0, 0xab), 1)).toBe('02:00:00:00:00:ab');
    expect(formatLladdr(Uint8Array.of(10, 1, 2, 3), 768)).toBe('10.1.2.3');
    // Six bytes take a shortcut: every byte value in every place must still read as the long way writes it.
    for (let v = 0; v < 256; v++) {
      const b = Uint8Array.of(v, 255 - v, v ^ 0x5a, (v * 7) & 255, v >> 1, 0xff);
      expect(formatLladdr(b, 1)).toBe(Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'));
    }
    expect(formatLladdr(Uint8Array.of(1, 2, 3, 4, 5), 1)).toBe('01:02:03:04:05');
    expect(formatLladdr(new Uint8Array(0), 1)).toBe('');
  });
});

describe('NUD state names', () => {
  it('takes three names by prefix, the rest exactly, or one bit as a number', () => {
    expect(nudStateFromName('perm')).toBe(0x80);
    expect(nudStateFromName('reach')).toBe(0x02);
    expect(nudStateFromName('f')).toBe(0x20);
    expect(nudStateFromName('stale')).toBe(0x04);
    expect(nudStateFromName('stal')).toBeUndefined();
    expect(nudStateFromName('none')).toBe(0);
    expect(nudStateFromName('0x40')).toBe(0x40);
    expect(nudStateFromName('3')).toBeUndefined();
    expect(nudStateFromName('256')).toBeUndefined();
  });
});

describe('batch lines', () => {
  const lines = (t: string) => [...batchLines(t, () => undefined)];
  it('drops comments and blank lines, joins continuations, counts lines (a joined command has its last line\'s number)', () => {
    expect(lines('a b # c\n\n# x\nd \\\n e\nf\n')).toEqual([[1, ['a', 'b']], [5, ['d', 'e']], [6, ['f']]]);
  });
  it('does not continue a line that a comment cut', () => {
    expect(lines('a # b \\\nc\n')).toEqual([[1, ['a']], [2, ['c']]]);
  });
  it('groups quoted words', () => {
    expect(makeArgs(' x "a b" \'c d\' e')).toEqual(['x', 'a b', 'c d', 'e']);
    expect(() => makeArgs('x "a b')).toThrow(Exit);
  });
  it('splits at any run of blanks, as makeargs() does, whichever path makeArgs takes', () => {
    // Lines of words one space apart take a faster path: every mix of blanks must split alike.
    const blanks = ['', ' ', '  ', '\t', ' \t ', '\r'];
    for (const a of blanks) for (const b of blanks) for (const c of blanks) {
      const line = `${a}neigh${b === '' ? ' ' : b}add${c}`;
      expect(makeArgs(line)).toEqual(['neigh', 'add']);
    }
    expect(makeArgs('')).toEqual([]);
    expect(makeArgs(' ')).toEqual([]);
    expect(makeArgs('x')).toEqual(['x']);
  });
});
