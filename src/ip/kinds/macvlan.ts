// The macvlan and macvtap kinds (ip/iplink_macvlan.c of iproute2 6.1, one
// file for both as in ip): `type macvlan ...` as IFLA_MACVLAN_* attributes,
// and what -d prints of them.
import { type Attrs, type LinkAttr, attrS32, attrU16, attrU32, parseAttrs } from '../../wire/nlattr.js';
import { hexColon, parseUnsigned } from '../../lib/inet.js';
import { type Output, writeAll } from '../../lib/output.js';
import { Args, Exit, matches } from '../matches.js';
import {
  IFLA_MACVLAN, MACVLAN_FLAG_NODST, MACVLAN_FLAG_NOPROMISC, MACVLAN_MODE_PASSTHRU, MACVLAN_MODE_SOURCE,
} from '../../wire/rtnl-constants.js';
import type { LinkKind } from './kind.js';
import { badLladdr, bytes, llAddr, u16, u32 } from './util.js';


const MACVLAN_MODES: Record<number, string> = { 1: 'private', 2: 'vepa', 4: 'bridge', 8: 'passthru', 16: 'source' };

/** macvlan_print_opt(): attributes shorter than their type are taken as absent. */
function printMacvlan(out: Output, tb: Attrs): void {
  const m = tb.get(IFLA_MACVLAN.MODE);
  if (!m || m.length < 4) return;
  const mode = attrU32(m);
  const name = MACVLAN_MODES[mode] ?? 'unknown';
  out.string('mode', `mode ${name} `, name);
  const fl = tb.get(IFLA_MACVLAN.FLAGS);
  const flags = fl && fl.length >= 2 ? attrU16(fl) : 0;
  if (flags & MACVLAN_FLAG_NOPROMISC) out.bool('nopromisc', 'nopromisc ', true);
  if (flags & MACVLAN_FLAG_NODST) out.bool('nodst', 'nodst ', true);
  for (const [t, key] of [[IFLA_MACVLAN.BC_QUEUE_LEN, 'bcqueuelen'], [IFLA_MACVLAN.BC_QUEUE_LEN_USED, 'usedbcqueuelen']] as const) {
    const b = tb.get(t);
    if (b && b.length >= 4) out.uint(key, `${key} ${attrU32(b)} `, attrU32(b));
  }
  if (mode !== MACVLAN_MODE_SOURCE) return;
  const cnt = tb.get(IFLA_MACVLAN.MACADDR_COUNT);
  if (!cnt || cnt.length < 4) return;
  const count = attrS32(cnt);
  out.uint('macaddr_count', `remotes (${count}) `, count);
  const data = tb.get(IFLA_MACVLAN.MACADDR_DATA);
  if (!data) return;
  out.openArray('macaddr_data');
  for (const [type, addr] of parseAttrs(data)) {
    if (type !== IFLA_MACVLAN.MACADDR || addr.length < 6) continue;
    const s = hexColon(addr.subarray(0, 6));
    out.string(null, s + ' ', s);
  }
  out.closeArray();
}

const MACVLAN_MODE_WORDS: Record<string, number> = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 };
const MACADDR_MODES: Record<string, number> = { add: 0, del: 1, flush: 2, set: 3 };

const macvlanUsage = (kind: string) => `Usage: ... ${kind} mode MODE [flag MODE_FLAG] MODE_OPTS [bcqueuelen BC_QUEUE_LEN]

MODE: private | vepa | bridge | passthru | source
MODE_FLAG: null | nopromisc | nodst
MODE_OPTS: for mode "source":
	macaddr { { add | del } <macaddr> | set [ <macaddr> [ <macaddr>  ... ] ] | flush }
BC_QUEUE_LEN: Length of the rx queue for broadcast/multicast: [0-4294967295]`;

/** macvlan_parse_opt(); mode and flags go last, as ip adds them after the loop. */
function parseMacvlan(kind: string, args: string[]): LinkAttr[] {
  const usage = macvlanUsage(kind);
  // Own copy: lladdr parsing rewrites a word as ip does in place.
  const words = [...args];
  const out: LinkAttr[] = [];
  let mode = 0, flags = 0, hasFlags = false;
  for (const a = new Args(words); a.more; a.i++) {
    const w = a.cur;
    if (matches(w, 'mode')) {
      const v = a.next();
      if (!Object.hasOwn(MACVLAN_MODE_WORDS, v)) {
        throw new Exit(1, [`Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "${v}"`]);
      }
      mode = MACVLAN_MODE_WORDS[v];
    } else if (matches(w, 'flag')) {
      const v = a.next();
      if (v === 'nopromisc') flags |= MACVLAN_FLAG_NOPROMISC;
      else if (v === 'nodst') flags |= MACVLAN_FLAG_NODST;
      else if (v !== 'null') throw new Exit(1, [`Error: argument of "flag" must be "nopromisc", "nodst" or "null", not "${v}"`]);
      hasFlags = true;
    } else if (matches(w, 'macaddr')) {
      const v = a.next();
      if (!Object.hasOwn(MACADDR_MODES, v)) throw new Exit(1, [usage]);
      const macMode = MACADDR_MODES[v];
      out.push(u32(IFLA_MACVLAN.MACADDR_MODE, macMode));
      if (v === 'add' || v === 'del') {
        const r = llAddr(a.next(), 6);
        if ('bad' in r) throw new Exit(1, [badLladdr(r.bad)]);
        if (r.len !== 6) throw new Exit(1);
        out.push(bytes(IFLA_MACVLAN.MACADDR, r.bytes));
      } else if (v === 'set') {
        const list: LinkAttr[] = [];
        while (a.i + 1 < words.length) {
          const next = words[a.i + 1];
          const r = llAddr(next, 6);
          if ('bad' in r || r.len !== 6) {
            // Not an address: ip says so when a part is bad, and goes on with this word,
            // which ll_addr_a2n() has cut at its first ':' in place.
            if ('bad' in r) writeAll(2, badLladdr(r.bad) + '\n');
            if (!next.includes('.')) words[a.i + 1] = next.split(':')[0];
            break;
          }
          a.i++;
          list.push(bytes(IFLA_MACVLAN.MACADDR, r.bytes));
        }
        out.push({ type: IFLA_MACVLAN.MACADDR_DATA, kind: 'nest', value: list });
      }
    } else if (matches(w, 'nopromisc')) {
      flags |= MACVLAN_FLAG_NOPROMISC;
      hasFlags = true;
    } else if (matches(w, 'nodst')) {
      flags |= MACVLAN_FLAG_NODST;
      hasFlags = true;
    } else if (matches(w, 'bcqueuelen')) {
      const v = a.next();
      const n = parseUnsigned(v, 0xffffffff);
      if (n === undefined) throw new Exit(1, [`Error: argument of "bcqueuelen" must be a positive integer [0-4294967295], not "${v}"`]);
      out.push(u32(IFLA_MACVLAN.BC_QUEUE_LEN, n));
    } else if (matches(w, 'help')) {
      throw new Exit(1, [usage]);
    } else {
      throw new Exit(1, [`${kind}: unknown option "${w}"?`, usage]);
    }
  }
  if (mode) out.push(u32(IFLA_MACVLAN.MODE, mode));
  if (hasFlags) {
    if (flags & MACVLAN_FLAG_NOPROMISC && mode !== MACVLAN_MODE_PASSTHRU) {
      throw new Exit(1, [`${kind}: nopromisc flag only valid in passthru mode`, usage]);
    }
    out.push(u16(IFLA_MACVLAN.FLAGS, flags));
  }
  return out;
}

const KEYWORDS = ['mode', 'flag', 'macaddr', 'nopromisc', 'nodst', 'bcqueuelen'];

export const macvlan: LinkKind = {
  id: 'macvlan',
  parse: (words) => parseMacvlan('macvlan', words),
  print: printMacvlan,
  help: macvlanUsage('macvlan'),
  keywords: KEYWORDS,
};

export const macvtap: LinkKind = { ...macvlan, id: 'macvtap', parse: (words) => parseMacvlan('macvtap', words), help: macvlanUsage('macvtap') };
