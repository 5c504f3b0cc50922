// Number <-> name tables that ip reads from /etc/iproute2 (rt_names.c):
// built-in defaults, then the file and its .d/*.conf drop-ins, read only
// when a name is first needed.
import { readdirSync, readFileSync } from 'node:fs';
import { strtoul } from '../lib/inet.js';

const CONFDIR = '/etc/iproute2';

class NameTable {
  private loaded = false;
  constructor(private readonly file: string, private readonly tab: Map<number, string>) {}

  private load(): void {
    this.loaded = true;
    readTable(`${CONFDIR}/${this.file}`, this.tab);
    let names: string[] = [];
    try {
      names = readdirSync(`${CONFDIR}/${this.file}.d`);
    } catch {
      return;
    }
    for (const n of names) {
      if (n[0] !== '.' && n.length > 5 && n.endsWith('.conf')) readTable(`${CONFDIR}/${this.file}.d/${n}`, this.tab);
    }
  }

  /** rtnl_*_n2a(): the name, or the number in decimal (always with -N). */
  name(id: number, numeric: boolean): string {
    if (id < 0 || id > 255 || numeric) return String(id);
    if (!this.tab.has(id) && !this.loaded) this.load();
    return this.tab.get(id) ?? String(id);
  }

  /** The name the table holds for `id`, if any (no numeric fallback). */
  known(id: number): string | undefined {
    if (!this.tab.has(id) && !this.loaded) this.load();
    return this.tab.get(id);
  }

  /** The number of a name in the table, with no numeric fallback. */
  named(arg: string): number | undefined {
    if (!this.loaded) this.load();
    for (const [k, v] of this.tab) if (v === arg) return k;
    return undefined;
  }

  /** rtnl_*_a2n(): a known name, or a number 0..255. */
  id(arg: string): number | undefined {
    if (!this.loaded) this.load();
    for (const [k, v] of this.tab) if (v === arg) return k;
    const r = strtoul(arg);
    if (!r || r.rest !== '' || r.value > 255) return undefined;
    return r.value;
  }
}

function readTable(path: string, tab: Map<number, string>): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  for (const raw of text.split('\n')) {
    const line = raw.trimStart();
    if (line === '' || line[0] === '#') continue;
    const m = /^(0x[0-9a-fA-F]+|\d+)\s+([^\s#]+)/.exec(line);
    if (!m) continue;
    tab.set(Number(m[1]), m[2]);
  }
}

export const rtProtocols = new NameTable('rt_protos', new Map([
  [0, 'unspec'], [1, 'redirect'], [2, 'kernel'], [3, 'boot'], [4, 'static'], [8, 'gated'], [9, 'ra'],
  [10, 'mrt'], [11, 'zebra'], [12, 'bird'], [42, 'babel'], [13, 'dnrouted'], [14, 'xorp'], [15, 'ntk'],
  [16, 'dhcp'], [18, 'keepalived'], [186, 'bgp'], [187, 'isis'], [188, 'ospf'], [189, 'rip'], [192, 'eigrp'],
]));

/** rt_scopes: the address scopes (rtnl_rtscope_n2a/a2n). */
export const rtScopes = new NameTable('rt_scopes', new Map([
  [0, 'global'], [255, 'nowhere'], [254, 'host'], [253, 'link'], [200, 'site'],
]));

/** rt_dsfield: names of TOS / DS field values (rtnl_dsfield_a2n). */
export const rtDsfields = new NameTable('rt_dsfield', new Map());

/** group: device groups (rtnl_group_n2a/a2n); any u32 is a valid number. */
export const linkGroups = new NameTable('group', new Map([[0, 'default']]));

/** rtnl_group_n2a(): the name, or the number of a group outside the table. */
export function groupName(id: number, numeric: boolean): string {
  return id >= 0 && id <= 255 ? linkGroups.name(id, numeric) : String(id);
}

/** rtnl_group_a2n(): a group name or any integer; undefined when neither. */
export function groupId(arg: string): number | undefined {
  const id = linkGroups.id(arg);
  if (id !== undefined) return id;
  // strtol() into an int: values past INT_MAX wrap, and a negative result is refused.
  const r = strtoul(arg);
  if (!r || r.rest !== '' || arg.trimStart()[0] === '-') return undefined;
  const n = r.value | 0;
  return n < 0 ? undefined : n;
}

/** rt_tables: routing table names (rtnl_rttable_n2a/a2n); ids are u32, names only up to 255. */
export const rtTables = new NameTable('rt_tables', new Map([[253, 'default'], [254, 'main'], [255, 'local']]));

/** rtnl_rttable_a2n(): a name in rt_tables or any u32. */
export function tableId(arg: string): number | undefined {
  const n = rtTables.named(arg);
  if (n !== undefined) return n;
  const r = strtoul(arg);
  if (!r || r.rest !== '' || r.value > 0xffffffff) return undefined;
  return r.value;
}

/** rt_realms: route realms (rtnl_rtrealm_n2a/a2n). */
export const rtRealms = new NameTable('rt_realms', new Map([[0, 'cosmos']]));

/** rtnl_dsfield_n2a(): a name from rt_dsfield, else 0x%02x. */
export function dsfieldName(id: number, numeric: boolean): string {
  const n = numeric ? undefined : rtDsfields.known(id);
  return n ?? `0x${id.toString(16).padStart(2, '0')}`;
}

/** rtnl_dsfield_a2n(): a name from rt_dsfield, else hexadecimal (base 16, 0x allowed) up to 255. */
export function dsfieldId(arg: string): number | undefined {
  const n = rtDsfields.named(arg);
  if (n !== undefined) return n;
  const r = strtoul(arg, 16);
  if (!r || r.rest !== '' || r.value > 255) return undefined;
  return r.value;
}

let ipProtocols: Map<string, number> | undefined;

/** inet_proto_a2n(): a number, or a name (or alias) from /etc/protocols; -1 when neither. */
export function ipProtocolId(arg: string): number {
  const n = strtoul(arg);
  if (n && n.rest === '' && n.value <= 255) return n.value;
  if (!ipProtocols) {
    ipProtocols = new Map();
    let text = '';
    try {
      text = readFileSync('/etc/protocols', 'utf8');
    } catch { /* no file: numbers only */ }
    for (const line of text.split('\n')) {
      const m = /^([^\s#]+)\s+(\d+)([^#]*)/.exec(line);
      if (!m) continue;
      for (const name of [m[1], ...m[3].trim().split(/\s+/)]) if (name && !ipProtocols.has(name)) ipProtocols.set(name, Number(m[2]));
    }
  }
  return ipProtocols.get(arg) ?? -1;
}
