// The object registry: ip.c's object table (first prefix match wins, in ip's
// order), which of those tsnet implements, and tsnet's own commands. Dispatch
// and -batch (main.ts), `tsnet help` (the usage below), completion
// (complete.ts) and the oclif command classes (commands/index.ts) read it.
// A new object: its module under objects/ and its line here.
import { progName } from '../lib/progname.js';
import { Exit, matches } from './matches.js';
import type { IpObject, RawCommand } from './object.js';
import { address } from './objects/addr.js';
import { arping } from './objects/arping.js';
import { bond } from './objects/bond.js';
import { completion } from './objects/completion.js';
import { link } from './objects/link.js';
import { monitor } from './objects/monitor.js';
import { neigh } from './objects/neigh.js';
import { netns } from './objects/netns.js';
import { ntable } from './objects/ntable.js';
import { route } from './objects/route.js';
import { sim } from './objects/sim.js';

/** do_help(): ip's usage, as `tsnet help` and a bad global option print it. */
const help: IpObject = {
  names: ['help'],
  command: 'help',
  summary: 'Print the usage: objects and global options.',
  synopsis: 'help',
  optionsAfter: true,
  verbs: {},
  run: async () => usageExit(),
};

/** ip.c's cmds[] in its order, then tsnet's own objects; undefined: an object tsnet does not implement. */
const TABLE: readonly (readonly [string, IpObject | undefined])[] = [
  ['address', address], ['addrlabel', undefined], ['maddress', undefined], ['route', route], ['rule', undefined],
  ['neighbor', neigh], ['neighbour', neigh], ['ntable', ntable], ['ntbl', ntable], ['link', link],
  ['l2tp', undefined], ['fou', undefined], ['ila', undefined], ['macsec', undefined], ['tunnel', undefined],
  ['tunl', undefined], ['tuntap', undefined], ['tap', undefined], ['token', undefined], ['tcpmetrics', undefined],
  ['tcp_metrics', undefined], ['monitor', monitor], ['xfrm', undefined], ['mroute', undefined], ['mrule', undefined],
  ['netns', netns], ['netconf', undefined], ['vrf', undefined], ['sr', undefined], ['nexthop', undefined],
  ['mptcp', undefined], ['ioam', undefined], ['help', help], ['stats', undefined],
  ['bond', bond], ['arping', arping], ['sim', sim],
];

/** The objects tsnet implements, in the order `tsnet help` lists them (and oclif and completion offer them). */
export const OBJECTS: readonly IpObject[] = [address, link, neigh, route, ntable, netns, monitor, help, arping, bond, sim];

/** Commands outside ip's grammar, matched by their full name before any global option. */
export const RAW_COMMANDS: readonly RawCommand[] = [completion];

/** A batch names the same few objects again and again. */
const resolved = new Map<string, string | undefined>();

/** The ip object a word names, by ip's first-match prefix rule (implemented or not). */
export function resolveObject(word: string): string | undefined {
  let r = resolved.get(word);
  if (r === undefined && !resolved.has(word)) {
    r = TABLE.find(([name]) => matches(word, name))?.[0];
    resolved.set(word, r);
  }
  return r;
}

const byName = new Map(TABLE);

/** The implementation of an object resolveObject() named, or undefined when tsnet has none. */
export function objectNamed(name: string): IpObject | undefined {
  return byName.get(name);
}

/** The command that takes the whole command line when `word` comes first (`completion`). */
export function rawCommand(word: string | undefined): RawCommand | undefined {
  return word === undefined ? undefined : RAW_COMMANDS.find((c) => c.names.includes(word));
}

/** "address | link | neighbor | ..." wrapped as ip wraps its OBJECT list (80 columns, 19 spaces in). */
function objectList(): string {
  const names = OBJECTS.flatMap((o) => o.names);
  const lines: string[] = [];
  let line = 'where  OBJECT := {';
  for (let i = 0; i < names.length; i++) {
    const word = ` ${names[i]}${i < names.length - 1 ? ' |' : ' }'}`;
    if (line.length + word.length > 80) {
      lines.push(line);
      line = ' '.repeat(18);
    }
    line += word;
  }
  lines.push(line);
  return lines.join('\n');
}

/** ip's global options (ip.c's usage()); tsnet's own follow them in its usage. */
const OPTIONS = `       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]`;

/** ip 6.1's usage word for word: what a script that runs tsnet as `ip` reads. */
const IP_USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |
                   link | macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
${OPTIONS}}`;

export function usage(): string {
  if (progName() === 'ip') return IP_USAGE;
  return `Usage: tsnet [ OPTIONS ] OBJECT { COMMAND | help }
       tsnet [ -force ] -batch filename
${RAW_COMMANDS.map((c) => `       tsnet ${c.synopsis}\n`).join('')}${objectList()}
${OPTIONS} | --dry-run | --trace | --state FILE | -X }`;
}

export function usageExit(): never {
  throw new Exit(255, [usage()]);
}
