// ipaddr_modify() of ip/ipaddress.c (6.1): add/change/replace/del. Beyond ip:
// a warning when deleting a primary takes its secondaries with it (or
// promotes one).
import { AF_INET, AF_INET6, AF_UNSPEC, NetlinkError, type RtMessage, type RtRequest } from '../backend.js';
import { type LinkAttr, attrStr } from '../wire/nlattr.js';
import { familyNameVerbose, netlinkErrorLine, nodev } from './common.js';
import type { Context } from './context.js';
import { type InetPrefix, formatAddress, parseAddress, parsePrefix, parseUnsigned, prefixMatch } from '../lib/inet.js';
import { ifInfoHeader, inetConf } from './link-print.js';
import { Args, Exit, duparg, duparg2, invarg, matches } from './matches.js';
import { rtScopes } from './names.js';
import { type AddrFilter, FLAG_DATA, dumpAddresses, ifa, ifaHeader, sameBytes } from './addr-print.js';
import {
  IFA_ADDRESS, IFA_ANYCAST, IFA_BROADCAST, IFA_CACHEINFO, IFA_FLAGS, IFA_F_MCAUTOJOIN, IFA_F_SECONDARY, IFA_LABEL, IFA_LOCAL,
  IFA_PROTO, IFA_RT_PRIORITY, IFLA_EXT_MASK, INFINITY_LIFE_TIME, IPV4_DEVCONF_PROMOTE_SECONDARIES, RTEXT_FILTER_SKIP_STATS,
  RTEXT_FILTER_VF, RTM_DELADDR, RTM_GETLINK,
} from '../wire/rtnl-constants.js';

function lifetime(s: string): number | undefined {
  return s === 'forever' ? INFINITY_LIFE_TIME : parseUnsigned(s);
}

/** get_prefix()/get_addr(): exit 1 with ip's message on a bad one. */
function prefixOrExit(arg: string, family: number, isPrefix: boolean): InetPrefix {
  const p = isPrefix ? parsePrefix(arg, family) : parseAddress(arg, family);
  if (!p || (!isPrefix && p.bitlen === -2 && family === AF_UNSPEC)) {
    throw new Exit(1, [`Error: ${familyNameVerbose(family)} ${isPrefix ? 'prefix' : 'address'} is expected rather than "${arg}".`]);
  }
  return p;
}

/** ipaddr_modify(): add/change/replace/del with ip's attribute order and messages. */
export async function modify(ctx: Context, cmd: number, nlFlags: number, words: string[], usage: () => never): Promise<number> {
  let family = ctx.opts.family;
  let prefixlen = 0, scope = 0, scoped = false, ifaFlags = 0;
  let dev: string | undefined, lclArg: string | undefined;
  let lcl: InetPrefix | undefined, peer: InetPrefix | undefined;
  let localLen = 0, peerLen = 0, brdLen = 0, anyLen = 0;
  let valid = INFINITY_LIFE_TIME, preferred = INFINITY_LIFE_TIME;
  let validGiven = false, preferredGiven = false;
  const attrs: LinkAttr[] = [];
  const bytes = (type: number, value: Uint8Array): LinkAttr => ({ type, kind: 'bytes', value });
  /** An address attribute (broadcast, anycast): its length; the first address decides the family. */
  const addressAttr = (type: number, v: string): number => {
    const b = prefixOrExit(v, family, false);
    if (family === AF_UNSPEC) family = b.family;
    attrs.push(bytes(type, b.data));
    return b.bytelen;
  };
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'peer' || w === 'remote') {
      const v = a.next();
      if (peerLen) duparg('peer', v);
      peer = prefixOrExit(v, family, true);
      peerLen = peer.bytelen;
      if (family === AF_UNSPEC) family = peer.family;
      attrs.push(bytes(IFA_ADDRESS, peer.data));
      prefixlen = peer.bitlen;
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const v = a.next();
      if (brdLen) duparg('broadcast', v);
      if (v === '+') brdLen = -1;
      else if (v === '-') brdLen = -2;
      else brdLen = addressAttr(IFA_BROADCAST, v);
    } else if (w === 'anycast') {
      const v = a.next();
      if (anyLen) duparg('anycast', v);
      anyLen = addressAttr(IFA_ANYCAST, v);
    } else if (w === 'scope') {
      const v = a.next();
      const s = rtScopes.id(v);
      if (s === undefined) invarg('invalid scope value.', v);
      scope = s;
      scoped = true;
    } else if (w === 'dev') dev = a.next();
    else if (w === 'label') attrs.push(bytes(IFA_LABEL, Buffer.from(a.next() + '\0')));
    else if (matches(w, 'metric') || matches(w, 'priority') || matches(w, 'preference')) {
      const v = a.next();
      const n = parseUnsigned(v);
      if (n === undefined) invarg('"metric" value is invalid\n', v);
      attrs.push({ type: IFA_RT_PRIORITY, kind: 'u32', value: n });
    } else if (w === 'proto' || w === 'protocol') {
      // tsnet extension (ip 6.1 lacks it): IFA_PROTO, a number or kernel_lo/kernel_ra/kernel_ll.
      const v = a.next();
      const n = ['unspec', 'kernel_lo', 'kernel_ra', 'kernel_ll'].indexOf(v);
      const p = n >= 0 ? n : parseUnsigned(v);
      if (p === undefined || p > 255) invarg('"protocol" value is invalid\n', v);
      attrs.push({ type: IFA_PROTO, kind: 'u8', value: p });
    } else if (matches(w, 'valid_lft')) {
      if (validGiven) duparg('valid_lft', a.words[a.i + 1] ?? '');
      const v = a.next();
      validGiven = true;
      const n = lifetime(v);
      if (n === undefined) invarg('valid_lft value', v);
      valid = n;
    } else if (matches(w, 'preferred_lft')) {
      if (preferredGiven) duparg('preferred_lft', a.words[a.i + 1] ?? '');
      const v = a.next();
      preferredGiven = true;
      const n = lifetime(v);
      if (n === undefined) invarg('preferred_lft value', v);
      preferred = n;
    } else if (FLAG_DATA.some(([n]) => n === w)) {
      const [name, mask, readonly, v6only] = FLAG_DATA.find(([n]) => n === w)!;
      if (readonly) ctx.err(`Warning: ${name} option is not mutable from userspace`);
      else if (v6only && family !== AF_INET6) ctx.err(`Warning: ${name} option can be set only for IPv6 addresses`);
      else ifaFlags |= mask;
    } else {
      let v = w;
      if (w === 'local') v = a.next();
      if (matches(v, 'help')) usage();
      if (localLen) duparg2('local', v);
      lclArg = v;
      lcl = prefixOrExit(v, family, true);
      if (family === AF_UNSPEC) family = lcl.family;
      attrs.push(bytes(IFA_LOCAL, lcl.data));
      localLen = lcl.bytelen;
    }
  }
  let headerFlags = 0;
  if (ifaFlags <= 0xff) headerFlags = ifaFlags;
  else attrs.push({ type: IFA_FLAGS, kind: 'u32', value: ifaFlags });
  if (dev === undefined) {
    ctx.err('Not enough information: "dev" argument is required.');
    return 1;
  }
  if (peerLen === 0 && localLen && lcl) {
    if (cmd === RTM_DELADDR && lcl.family === AF_INET && !lcl.prefixGiven) {
      ctx.err(`Warning: Executing wildcard deletion to stay compatible with old scripts.
         Explicitly specify the prefix length (${lclArg}/${localLen * 8}) to avoid this warning.
         This special behaviour is likely to disappear in further releases,
         fix your scripts!`);
    } else {
      peer = lcl;
      attrs.push(bytes(IFA_ADDRESS, lcl.data));
    }
  }
  if (prefixlen === 0) prefixlen = lcl ? lcl.bitlen : 0;
  if (brdLen < 0 && cmd !== RTM_DELADDR) {
    if (family !== AF_INET) {
      ctx.err('Broadcast can be set only for IPv4 addresses');
      return 1;
    }
    const base = peer ?? lcl;
    if (base && base.bitlen <= 30) {
      const b = Uint8Array.from(base.data);
      let v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      for (let k = 31; k >= base.bitlen; k--) {
        const bit = 1 << (31 - k);
        v = brdLen === -1 ? (v | bit) >>> 0 : (v & ~bit) >>> 0;
      }
      attrs.push(bytes(IFA_BROADCAST, Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255)));
    }
  }
  if (!scoped && cmd !== RTM_DELADDR) scope = lcl && lcl.family === AF_INET && lcl.bytelen >= 1 && lcl.data[0] === 127 ? 254 : 0;
  const index = ctx.nameToIndex(dev);
  if (!index) return nodev(ctx, dev);
  if (validGiven || preferredGiven) {
    if (!valid) {
      ctx.err('valid_lft is zero');
      return 1;
    }
    if (valid < preferred) {
      ctx.err('preferred_lft is greater than valid_lft');
      return 1;
    }
    const ci = new Uint8Array(16);
    const dv = new DataView(ci.buffer);
    dv.setUint32(0, preferred, true);
    dv.setUint32(4, valid, true);
    attrs.push(bytes(IFA_CACHEINFO, ci));
  }
  if (ifaFlags & IFA_F_MCAUTOJOIN && !(lcl && isMulticast(lcl))) {
    ctx.err('autojoin needs multicast address');
    return 1;
  }
  const req: RtRequest = { type: cmd, flags: nlFlags, header: ifaHeader(family, prefixlen, headerFlags, scope, index), attrs };
  // An extra beyond ip's output: only for a person at a terminal, or asked for
  // with -X; a script reads exactly ip's stderr (a test suite fails on any).
  const extras = ctx.opts.extras || process.stderr.isTTY === true;
  const warning = extras && cmd === RTM_DELADDR && family === AF_INET && !ctx.opts.force ? secondaryFate(ctx, req) : undefined;
  try {
    ctx.rtnl.rtRequest(req);
  } catch (e) {
    if (e instanceof NetlinkError) {
      ctx.err(netlinkErrorLine(e));
      return 2;
    }
    throw e;
  }
  if (warning) ctx.err(warning);
  return 0;
}

function isMulticast(p: InetPrefix): boolean {
  return p.family === AF_INET ? (p.data[0] & 0xf0) === 0xe0 : p.family === AF_INET6 ? p.data[0] === 0xff : false;
}

/**
 * What deleting this IPv4 address does to the others, in the kernel's terms
 * (inet_rtm_deladdr picks the first address that matches, __inet_del_ifa
 * then drops or promotes the secondaries of a primary): the warning line,
 * or undefined when the address is not a primary with secondaries.
 */
function secondaryFate(ctx: Context, req: RtRequest): string | undefined {
  const index = new DataView(req.header.buffer, req.header.byteOffset).getInt32(4, true);
  const prefixlen = req.header[1];
  const want = new Map(req.attrs.map((x) => [x.type, x.kind === 'bytes' ? x.value : undefined]));
  let addrs: RtMessage[];
  let conf: Uint32Array | undefined;
  try {
    addrs = dumpAddresses(ctx, { family: AF_INET, ifindex: index } as AddrFilter).filter((m) => ifa(m).index === index);
    const [link] = ctx.rtnl.rtRequest({ type: RTM_GETLINK, flags: 0, header: ifInfoHeader(AF_UNSPEC, index), attrs: [{ type: IFLA_EXT_MASK, kind: 'u32', value: RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS }] });
    conf = link ? inetConf(link.attrs) : undefined;
  } catch {
    return undefined;
  }
  const local = want.get(IFA_LOCAL);
  const address = want.get(IFA_ADDRESS);
  const label = want.get(IFA_LABEL);
  const victim = addrs.find((m) => {
    const mLocal = m.attrs.get(IFA_LOCAL);
    if (local && (!mLocal || !sameBytes(local, mLocal, 4))) return false;
    if (label && attrStr(label) !== attrStr(m.attrs.get(IFA_LABEL) ?? new Uint8Array(0))) return false;
    if (address) {
      const mAddr = m.attrs.get(IFA_ADDRESS);
      if (ifa(m).prefixlen !== prefixlen || !mAddr || !prefixMatch(address, mAddr, prefixlen)) return false;
    }
    return true;
  });
  if (!victim || ifa(victim).flags & IFA_F_SECONDARY) return undefined;
  const v = ifa(victim);
  const vAddr = victim.attrs.get(IFA_ADDRESS)!;
  const secondaries = addrs.filter((m) => {
    const i = ifa(m);
    const mAddr = m.attrs.get(IFA_ADDRESS);
    return i.flags & IFA_F_SECONDARY && i.prefixlen === v.prefixlen && mAddr && prefixMatch(mAddr, vAddr, v.prefixlen);
  });
  if (!secondaries.length) return undefined;
  const text = (m: RtMessage) => `${formatAddress(AF_INET, m.attrs.get(IFA_LOCAL)!)}/${ifa(m).prefixlen}`;
  const dev = ctx.indexToName(index);
  const promote = conf !== undefined && conf.length >= IPV4_DEVCONF_PROMOTE_SECONDARIES && conf[IPV4_DEVCONF_PROMOTE_SECONDARIES - 1] !== 0;
  if (promote) return `Warning: deleting primary ${text(victim)} on ${dev} promotes ${text(secondaries[0])} to primary (promote_secondaries is on).`;
  return `Warning: deleting primary ${text(victim)} on ${dev} also deletes its secondaries ${secondaries.map(text).join(' ')} (promote_secondaries is off).`;
}
