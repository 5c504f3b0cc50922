// The bond option encoder and printers, without a kernel: the request bytes of
// `ip link add bond0 type bond mode active-backup miimon 100` as strace saw ip
// 6.1 send them (/work/shared/reference/bond), and the -d / -j -d printing.
import { describe, expect, it } from 'vitest';
import { Exit } from '../../src/ip/matches.js';
import { Output } from '../../src/lib/output.js';
import { parseBondOptions, printBondInfo } from '../../src/ip/kinds/bond.js';
import { parseBondSlaveOptions, printBondSlaveInfo } from '../../src/ip/kinds/bond_slave.js';
import { linkAddRequest as addRequest, linkSetRequest as setRequest } from '../../src/ip/link-requests.js';
import { rtRequestBytes } from '../../src/kernel/backend.js';

const linkAddRequest = (...a: Parameters<typeof addRequest>) => rtRequestBytes(addRequest(...a));
const linkSetRequest = (...a: Parameters<typeof setRequest>) => rtRequestBytes(setRequest(...a));
import { encodeAttrs, parseAttrs } from '../../src/wire/nlattr.js';

const noDev = () => 0;

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

describe('bond options', () => {
  it('encodes as ip 6.1 does (strace of ip link add bond0 type bond mode active-backup miimon 100)', () => {
    const want = hex(`4c000000 1000 0506 7de7026b 00000000
      00000000 00000000 00000000 00000000
      0a000300 626f6e64 30000000 20001200
      08000100 626f6e64 14000200 05000100
      01000000 08000300 64000000`);
    const got = linkAddRequest('bond0', 'bond', parseBondOptions(['mode', 'active-backup', 'miimon', '100'], noDev));
    expect(got.length).toBe(want.length);
    // Flags and sequence are the socket's (REQUEST|ACK added at send); the rest is ours.
    expect(got.subarray(16).toString("hex")).toBe(want.subarray(16).toString("hex"));
    expect(got.readUInt16LE(4)).toBe(16);
    expect(got.readUInt16LE(6) | 0x5).toBe(0x605);
  });

  it('keeps ip order and types, arp_ip_target as a nest', () => {
    const a = parseBondOptions(['mi', '5', 'arp_ip_target', '10.0.0.1,10.0.0.2', 'lacp_active', 'off', 'ad_actor_sys_prio', '9'], noDev);
    expect(a).toEqual([
      { type: 3, kind: 'u32', value: 5 },
      { type: 8, kind: 'nest', value: [{ type: 0, kind: 'bytes', value: Uint8Array.of(10, 0, 0, 1) }, { type: 1, kind: 'bytes', value: Uint8Array.of(10, 0, 0, 2) }] },
      { type: 29, kind: 'u8', value: 0 },
      { type: 24, kind: 'u16', value: 9 },
    ]);
  });

  it("has ip's messages and exit codes", () => {
    const err = (w: string[]) => {
      try {
        parseBondOptions(w, noDev);
      } catch (e) {
        return [(e as Exit).code, (e as Exit).lines[0]];
      }
      return undefined;
    };
    expect(err(['mode', 'foo'])).toEqual([255, 'Error: argument "foo" is wrong: invalid mode']);
    expect(err(['num_grat_arp', '300'])).toEqual([255, 'Error: argument "300" is wrong: invalid num_grat_arp|num_unsol_na']);
    expect(err(['primary', 'eth9'])).toEqual([1, 'Cannot find device "eth9"']);
    expect(err(['what'])).toEqual([1, 'bond: unknown command "what"?']);
    expect(err(['miimon'])).toEqual([255, 'Command line is not complete. Try option "help"']);
    expect(parseBondSlaveOptions(['queue_id', '2', 'prio', '-1'])).toEqual([{ type: 5, kind: 'u16', value: 2 }, { type: 9, kind: 'u32', value: 0xffffffff }]);
  });
});

describe('bond printers', () => {
  const data = parseAttrs(encodeAttrs([
    { type: 1, kind: 'u8', value: 1 }, { type: 2, kind: 'u32', value: 3 }, { type: 3, kind: 'u32', value: 100 },
    { type: 8, kind: 'nest', value: [{ type: 0, kind: 'bytes', value: Uint8Array.of(10, 0, 0, 1) }, { type: 1, kind: 'bytes', value: Uint8Array.of(10, 0, 0, 2) }] },
    { type: 9, kind: 'u32', value: 0 }, { type: 16, kind: 'u8', value: 1 }, { type: 21, kind: 'u8', value: 0 },
  ]));

  it('prints -d text and -j JSON as ip', () => {
    const t = new Output(false, false);
    printBondInfo(t, data, (i) => `eth${i}`);
    expect(t.take()).toBe('mode active-backup active_slave eth3 miimon 100 arp_ip_target 10.0.0.1,10.0.0.2 arp_validate none num_grat_arp 1 lacp_rate slow ');
    const j = new Output(true, false);
    j.openObject();
    printBondInfo(j, data, (i) => `eth${i}`);
    j.closeObject();
    expect(j.take()).toBe('{"mode":"active-backup","active_slave":"eth3","miimon":100,"arp_ip_target":["10.0.0.1","10.0.0.2"],"arp_validate":null,"num_peer_notif":1,"ad_lacp_rate":"slow"}');
  });

  it('prints the LACP port state of a slave', () => {
    const sd = parseAttrs(encodeAttrs([{ type: 1, kind: 'u8', value: 0 }, { type: 2, kind: 'u8', value: 1 }, { type: 7, kind: 'u8', value: 0x3d }]));
    const t = new Output(false, false);
    printBondSlaveInfo(t, sd);
    expect(t.take()).toBe('state ACTIVE mii_status GOING_DOWN ad_actor_oper_port_state 61 ad_actor_oper_port_state_str <active,aggregating,in_sync,collecting,distributing> ');
    const j = new Output(true, false);
    j.openObject();
    printBondSlaveInfo(j, sd);
    j.closeObject();
    expect(j.take()).toBe('{"state":"ACTIVE","mii_status":"GOING_DOWN","ad_actor_oper_port_state":61,"ad_actor_oper_port_state_str":["active","aggregating","in_sync","collecting","distributing"]}');
  });
});

describe('bond_slave request', () => {
  it('encodes as ip 6.1 does (strace of ip link set va type bond_slave queue_id 2)', () => {
    const want = hex(`40000000 1000 0500 82e7026b 00000000
      00000000 06000000 00000000 00000000
      20001200 0e000100 626f6e64 5f736c61
      76650000 0c000500 06000500 02000000`);
    const got = linkSetRequest(6, { slaveKind: 'bond_slave', slaveData: parseBondSlaveOptions(['queue_id', '2']) });
    expect(got.subarray(16).toString("hex")).toBe(want.subarray(16).toString("hex"));
    expect(got.length).toBe(want.length);
  });
});
