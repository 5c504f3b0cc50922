// `tsnet link`: ip link's grammar, requests and messages (ip/iplink.c of
// iproute2 6.1). Listing is shared with `tsnet addr` (src/ip/addr.ts), as in ip.
import { progName } from '../lib/progname.js';
import { NetlinkError } from '../backend.js';
import type { LinkAttr } from '../wire/nlattr.js';
import { netlinkErrorLine, nodev } from './common.js';
import type { Context } from './context.js';
import { writeAll } from '../lib/output.js';
import { parseInteger, parseLladdr, parseUnsigned } from '../lib/inet.js';
import {
  AF_INET, AF_INET6, ALTIFNAMSIZ, IFALIASZ, IFF_ALLMULTI, IFF_DYNAMIC, IFF_MULTICAST, IFF_NOARP, IFF_NOTRAILERS,
  IFF_PROMISC, IFF_UP, IFLA_ADDRESS, IFLA_AF_SPEC, IFLA_BROADCAST, IFLA_CARRIER, IFLA_GRO_MAX_SIZE, IFLA_GROUP,
  IFLA_GSO_MAX_SEGS, IFLA_GSO_MAX_SIZE, IFLA_IFALIAS, IFLA_IFNAME, IFLA_INET6_ADDR_GEN_MODE, IFLA_INET_CONF,
  IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_INFO_SLAVE_DATA, IFLA_LINK, IFLA_LINKINFO, IFLA_LINKMODE, IFLA_MASTER,
  IFLA_MTU, IFLA_NET_NS_FD, IFLA_NET_NS_PID, IFLA_NEW_IFINDEX, IFLA_NUM_RX_QUEUES, IFLA_NUM_TX_QUEUES,
  IFLA_OPERSTATE, IFLA_PROTO_DOWN, IFLA_TXQLEN, IFNAMSIZ, IF_OPER_NAMES, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE,
  RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK,
} from '../wire/rtnl-constants.js';
import { ifInfoHeader } from './link-print.js';
import { type ParseEnv, linkKind } from './kinds/registry.js';
import { Args, Exit, duparg, duparg2, invarg, matches } from './matches.js';
import { groupId } from './names.js';
import { listLinksAndAddresses } from './addr-list.js';
import { linkUsage as usage } from './link-usage.js';


/**
 * The IPv4 devconf settings `link set DEV inet NAME VALUE` changes over
 * rtnetlink (IFLA_AF_SPEC/AF_INET/IFLA_INET_CONF): a tsnet extension, ip 6.1
 * has no way to send them. Numbers are IPV4_DEVCONF_* (linux/ip.h).
 */
export const INET_CONF = new Map<string, number>([
  ['forwarding', 1], ['proxy_arp', 3], ['rp_filter', 8], ['arp_filter', 13], ['arp_announce', 18],
  ['arp_ignore', 19], ['promote_secondaries', 20], ['arp_accept', 21], ['arp_notify', 22],
  ['drop_gratuitous_arp', 31], ['arp_evict_nocarrier', 33],
]);

export async function doLink(ctx: Context, words: string[]): Promise<number> {
  if (words.length === 0) return listLinksAndAddresses(ctx, [], 'link', usage);
  const [verb, ...rest] = words;
  if (matches(verb, 'add')) return modify(ctx, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(verb, 'set') || matches(verb, 'change')) return modify(ctx, RTM_NEWLINK, 0, rest);
  if (matches(verb, 'replace')) return modify(ctx, RTM_NEWLINK, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(verb, 'delete')) return modify(ctx, RTM_DELLINK, 0, rest);
  if (matches(verb, 'show') || matches(verb, 'lst') || matches(verb, 'list')) return listLinksAndAddresses(ctx, rest, 'link', usage);
  if (matches(verb, 'help')) {
    // do_help(): a kind's print_help on stdout, else the usage.
    const help = rest.length ? linkKind(rest[0])?.help : undefined;
    if (help === undefined) usage();
    ctx.out.fp(help + '\n');
    return 0;
  }
  if (matches(verb, 'xstats') || matches(verb, 'afstats') || matches(verb, 'property')) {
    ctx.err(`tsnet does not implement "ip link ${verb}"; use ip link ${verb}.`);
    return 1;
  }
  throw new Exit(255, [`Command "${verb}" is unknown, try "${progName()} link help".`]);
}

function onOff(msg: string, value: string): never {
  throw new Exit(1, [`Error: argument of "${msg}" must be "on" or "off", not "${value}"`]);
}

/** check_ifname(): 1..15 bytes, no '/', ':' or whitespace. */
function validIfname(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name) < IFNAMSIZ && !/[/:\s]/.test(name);
}

/** get_integer(): strtol with base 0, whole word, int range. */
/** What iplink_parse() makes of the words: the ifinfomsg fields and attributes, and the `type` part. */
interface ParsedLink {
  flags: number;
  change: number;
  ifindex: number;
  attrs: LinkAttr[];
  type?: string;
  typeArgs: string[];
}

/** iplink_modify(): parse, add the linkinfo, send. */
async function modify(ctx: Context, cmd: number, nlFlags: number, words: string[]): Promise<number> {
  const creating = (nlFlags & NLM_F_CREATE) !== 0;
  const p = parseLink(ctx, words, creating);
  if (typeof p === 'number') return p;
  const { attrs, type, typeArgs } = p;
  if (type !== undefined) {
    const info: LinkAttr[] = [{ type: IFLA_INFO_KIND, kind: 'bytes', value: Buffer.from(type) }];
    const slave = type.endsWith('_slave') && type.indexOf('_') === type.length - 6;
    const kind = linkKind(type);
    if (kind && typeArgs.length) {
      // A kind without parse_opt takes its words and sends an empty data nest, as ip does.
      const data = kind.parse ? kind.parse(typeArgs, parseEnv(ctx, cmd === RTM_NEWLINK && !creating)) : [];
      if (typeof data === 'number') return data;
      info.push({ type: slave ? IFLA_INFO_SLAVE_DATA : IFLA_INFO_DATA, kind: 'nest', value: data });
    } else if (typeArgs.length) {
      if (matches(typeArgs[0], 'help')) usage();
      throw new Exit(1, [`Garbage instead of arguments "${typeArgs[0]} ...". Try "${progName()} link help".`]);
    }
    attrs.push({ type: IFLA_LINKINFO, kind: 'nest', value: info });
  } else if (creating) {
    ctx.err('Not enough information: "type" argument is required');
    return 1;
  }
  try {
    ctx.rtnl.rtRequest({ type: cmd, flags: nlFlags, header: ifInfoHeader(ctx.opts.family, p.ifindex, p.flags, p.change), attrs });
  } catch (e) {
    if (e instanceof NetlinkError) {
      ctx.err(netlinkErrorLine(e));
      return 2;
    }
    throw e;
  } finally {
    ctx.invalidateLinks();
  }
  return 0;
}

/** iplink_parse(): the words up to `type`, as ip checks and encodes them; a number is a failure's exit code. */
function parseLink(ctx: Context, words: string[], creating: boolean): ParsedLink | number {
  const a = new Args(words);
  const attrs: LinkAttr[] = [];
  let flags = 0, change = 0;
  let name: string | undefined, dev: string | undefined, link: string | undefined;
  let qlen = -1, mtu = -1, index = 0, group = -1, addrLen = 0;
  let netns = false, ntx = false, nrx = false;
  let type: string | undefined;
  const setFlag = (bit: number, on: boolean) => {
    change |= bit;
    flags = on ? flags | bit : flags & ~bit;
  };
  const onOffFlag = (keyword: string, bit: number, inverted = false) => {
    const v = a.next();
    if (v === 'on') setFlag(bit, !inverted);
    else if (v === 'off') setFlag(bit, inverted);
    else onOff(keyword, v);
  };
  const u32 = (t: number, v: number): LinkAttr => ({ type: t, kind: 'u32', value: v >>> 0 });
  const lladdr = (arg: string): Uint8Array => {
    const b = parseLladdr(arg);
    if (typeof b === 'string') throw new Exit(1, [`"${b}" is invalid lladdr.`]);
    return b;
  };
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'up') setFlag(IFF_UP, true);
    else if (w === 'down') setFlag(IFF_UP, false);
    else if (w === 'name') {
      const v = a.next();
      if (name !== undefined) duparg('name', v);
      if (!validIfname(v)) invarg('"name" not a valid ifname', v);
      name = v;
      dev ??= name;
    } else if (w === 'index') {
      const v = a.next();
      if (index) duparg('index', v);
      index = parseInt(v, 10) || 0;
      if (index <= 0) invarg('Invalid "index" value', v);
    } else if (matches(w, 'link')) link = a.next();
    else if (matches(w, 'address')) {
      const b = lladdr(a.next());
      addrLen = b.length;
      attrs.push({ type: IFLA_ADDRESS, kind: 'bytes', value: b });
    } else if (matches(w, 'broadcast') || w === 'brd') {
      attrs.push({ type: IFLA_BROADCAST, kind: 'bytes', value: lladdr(a.next()) });
    } else if (matches(w, 'txqueuelen') || w === 'qlen' || matches(w, 'txqlen')) {
      const v = a.next();
      if (qlen !== -1) duparg('txqueuelen', v);
      const n = parseInteger(v);
      if (n === undefined) invarg('Invalid "txqueuelen" value\n', v);
      qlen = n;
      attrs.push(u32(IFLA_TXQLEN, n));
    } else if (w === 'mtu') {
      const v = a.next();
      if (mtu !== -1) duparg('mtu', v);
      const n = parseInteger(v);
      if (n === undefined) invarg('Invalid "mtu" value\n', v);
      mtu = n;
      attrs.push(u32(IFLA_MTU, n));
    } else if (w === 'netns') {
      const v = a.next();
      if (netns) duparg('netns', v);
      netns = true;
      const fd = ctx.backend.namespaceFd?.(v);
      if (fd !== undefined) attrs.push(u32(IFLA_NET_NS_FD, fd));
      else {
        const pid = parseInteger(v);
        if (pid === undefined) invarg('Invalid "netns" value\n', v);
        attrs.push(u32(IFLA_NET_NS_PID, pid));
      }
    } else if (w === 'multicast') onOffFlag('multicast', IFF_MULTICAST);
    else if (w === 'allmulticast') onOffFlag('allmulticast', IFF_ALLMULTI);
    else if (w === 'promisc') onOffFlag('promisc', IFF_PROMISC);
    else if (w === 'trailers') onOffFlag('trailers', IFF_NOTRAILERS, true);
    else if (w === 'arp') onOffFlag('arp', IFF_NOARP, true);
    else if (w === 'carrier') {
      const v = a.next();
      if (v !== 'on' && v !== 'off') throw new Exit(1, [`Error: argument of "carrier" must be "on" or "off", not "${v}"`]);
      attrs.push({ type: IFLA_CARRIER, kind: 'u8', value: v === 'on' ? 1 : 0 });
    } else if (matches(w, 'master')) {
      const v = a.next();
      const i = ctx.nameToIndex(v);
      if (!i) invarg('Device does not exist\n', v);
      attrs.push(u32(IFLA_MASTER, i));
    } else if (matches(w, 'nomaster')) attrs.push(u32(IFLA_MASTER, 0));
    else if (matches(w, 'dynamic')) onOffFlag('dynamic', IFF_DYNAMIC);
    else if (matches(w, 'type')) {
      type = a.next();
      a.advance();
      break;
    } else if (matches(w, 'alias')) {
      const v = a.next();
      if (Buffer.byteLength(v) >= IFALIASZ) invarg('alias too long\n', v);
      attrs.push({ type: IFLA_IFALIAS, kind: 'bytes', value: Buffer.from(v) });
    } else if (w === 'group') {
      const v = a.next();
      if (group !== -1) duparg('group', v);
      const g = groupId(v);
      if (g === undefined) invarg('Invalid "group" value\n', v);
      group = g;
      attrs.push(u32(IFLA_GROUP, g));
    } else if (w === 'mode') {
      const v = a.next();
      const m = ['default', 'dormant'].indexOf(v);
      if (m < 0) invarg('Invalid link mode\n', v);
      attrs.push({ type: IFLA_LINKMODE, kind: 'u8', value: m });
    } else if (w === 'state') {
      const v = a.next();
      const st = IF_OPER_NAMES.findIndex((s) => s.toLowerCase() === v.toLowerCase());
      if (st < 0) invarg('Invalid operstate\n', v);
      attrs.push({ type: IFLA_OPERSTATE, kind: 'u8', value: st });
    } else if (matches(w, 'numtxqueues')) {
      const v = a.next();
      if (ntx) duparg('numtxqueues', v);
      ntx = true;
      const n = parseInteger(v);
      if (n === undefined) invarg('Invalid "numtxqueues" value\n', v);
      attrs.push(u32(IFLA_NUM_TX_QUEUES, n));
    } else if (matches(w, 'numrxqueues')) {
      const v = a.next();
      if (nrx) duparg('numrxqueues', v);
      nrx = true;
      const n = parseInteger(v);
      if (n === undefined) invarg('Invalid "numrxqueues" value\n', v);
      attrs.push(u32(IFLA_NUM_RX_QUEUES, n));
    } else if (matches(w, 'addrgenmode')) {
      const v = a.next();
      const m = ['eui64', 'none', 'stable_secret', 'random'].indexOf(v);
      if (m < 0) invarg('Invalid address generation mode\n', v);
      attrs.push({ type: IFLA_AF_SPEC, kind: 'nest', value: [{ type: AF_INET6, kind: 'nest', value: [{ type: IFLA_INET6_ADDR_GEN_MODE, kind: 'u8', value: m }] }] });
    } else if (w === 'protodown') {
      const v = a.next();
      if (v !== 'on' && v !== 'off') throw new Exit(1, [`Error: argument of "protodown" must be "on" or "off", not "${v}"`]);
      attrs.push({ type: IFLA_PROTO_DOWN, kind: 'u8', value: v === 'on' ? 1 : 0 });
    } else if (w === 'gso_max_size' || w === 'gro_max_size') {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg(`Invalid "${w}" value\n`, v);
      attrs.push(u32(w === 'gso_max_size' ? IFLA_GSO_MAX_SIZE : IFLA_GRO_MAX_SIZE, n));
    } else if (w === 'gso_max_segs') {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined || n > 65535) invarg('Invalid "gso_max_segs" value\n', v);
      attrs.push(u32(IFLA_GSO_MAX_SEGS, n));
    } else if (w === 'inet') {
      // tsnet extension: inet CONF VALUE (devconf over IFLA_INET_CONF).
      const key = a.next();
      const id = INET_CONF.get(key);
      if (id === undefined) invarg(`unknown inet setting; one of: ${[...INET_CONF.keys()].join(', ')}\n`, key);
      const v = a.next();
      const n = v === 'on' ? 1 : v === 'off' ? 0 : parseInteger(v);
      if (n === undefined) invarg(`Invalid "${key}" value\n`, v);
      attrs.push({ type: IFLA_AF_SPEC, kind: 'nest', value: [{ type: AF_INET, kind: 'nest', value: [{ type: IFLA_INET_CONF, kind: 'nest', value: [u32(id, n)] }] }] });
    } else {
      if (matches(w, 'help')) usage();
      let d = w;
      if (w === 'dev') d = a.next();
      if (dev !== name) duparg2('dev', d);
      // check_altifname(): an altname may be long (ALTIFNAMSIZ); the kernel judges the rest.
      if (Buffer.byteLength(d) >= ALTIFNAMSIZ || d.length === 0 || /[/\s]/.test(d)) invarg('"dev" not a valid ifname', d);
      dev = d;
    }
  }
  const typeArgs = a.words.slice(a.i);
  if (name === undefined) name = dev;
  else if (dev === undefined) dev = name;
  let rename = name !== undefined && name !== dev;

  if (dev !== undefined && addrLen && !creating) {
    const len = linkAddressLength(ctx, dev);
    if (len !== undefined && len !== addrLen) {
      ctx.err(`Invalid address length ${addrLen} - must be ${len} bytes`);
      return 1;
    }
  }
  if (index && !creating && !netns) throw new Exit(255, ['index can be used only when creating devices or when moving device to another netns.']);
  if (group !== -1 && dev === undefined) {
    if (typeArgs.length && type === undefined) throw new Exit(255, [`Garbage instead of arguments "${typeArgs[0]} ...". Try "${progName()} link help".`]);
    if (creating) throw new Exit(255, ['group cannot be used when creating devices.']);
    ctx.err('tsnet does not implement "ip link set group"; use ip link.');
    return 1;
  }
  let ifindex = 0;
  if (!creating) {
    if (dev === undefined) throw new Exit(255, ['Not enough information: "dev" argument is required.']);
    ifindex = ctx.nameToIndex(dev);
    if (!ifindex) return nodev(ctx, dev);
    if (index) attrs.push(u32(IFLA_NEW_IFINDEX, index));
  } else {
    if (rename) throw new Exit(255, ['both "name" and "dev" cannot be used when creating devices.']);
    rename = name !== undefined;
    if (link !== undefined) {
      const li = ctx.nameToIndex(link);
      if (!li) return nodev(ctx, link);
      attrs.push(u32(IFLA_LINK, li));
    }
    ifindex = index;
  }
  if (rename) attrs.push({ type: IFLA_IFNAME, kind: 'bytes', value: Buffer.from(name + '\0') });
  return { flags, change, ifindex, attrs, type, typeArgs };
}

/** What a kind's parser may ask of this command (see kinds/kind.ts). */
function parseEnv(ctx: Context, setOp: boolean): ParseEnv {
  return {
    ifindex: (name) => ctx.nameToIndex(name),
    setOp,
    family: ctx.opts.family,
    parseLink: (words) => {
      const p = parseLink(ctx, words, true);
      if (typeof p === 'number') return p;
      return { ifinfo: ifInfoHeader(0, p.ifindex, p.flags, p.change), attrs: p.attrs, type: p.type };
    },
    warn: (line) => ctx.err(line),
    print: (line) => {
      ctx.out.flush();
      writeAll(1, line + '\n');
    },
  };
}

/** nl_get_ll_addr_len(): the length of the device's current hardware address. */
function linkAddressLength(ctx: Context, dev: string): number | undefined {
  try {
    const [m] = ctx.rtnl.rtRequest({
      type: RTM_GETLINK, flags: 0, header: ifInfoHeader(0, 0),
      attrs: [{ type: IFLA_IFNAME, kind: 'bytes', value: Buffer.from(dev + '\0') }],
    });
    return m?.attrs.get(IFLA_ADDRESS)?.length;
  } catch {
    return undefined;
  }
}
