// ipaddr_list_flush_or_save() of ip/ipaddress.c (6.1): the listing that
// `addr show` and `link show` share (links, then each link's addresses),
// and the filter words that `addr flush` and `addr save` read too.
import { AF_PACKET, AF_UNSPEC, type Backend, NetlinkError, type LinkRef, type RtMessage } from '../backend.js';
import { LinkTable } from './link-lines.js';
import { interpreted } from '../lib/jit.js';
import { type Attrs, type LinkAttr } from '../wire/nlattr.js';
import { familyNameVerbose, masterArg, netlinkErrorLine, vrfArg } from './common.js';
import type { Context } from './context.js';
import { parsePrefix } from '../lib/inet.js';
import { ifInfo, ifInfoHeader, inetConf, linkRef, newLinkFilter, printLinkInfo, printLinkStats, sl } from './link-print.js';
import {
  IFA_ADDRESS, IFA_LOCAL, IFF_UP, IFLA_EXT_MASK, IFLA_IFNAME, IFLA_INFO_KIND, IFLA_LINKINFO, IFLA_MASTER,
  IPV4_DEVCONF_PROMOTE_SECONDARIES, RTEXT_FILTER_SKIP_STATS, RTEXT_FILTER_VF, RTM_GETLINK,
} from '../wire/rtnl-constants.js';
import { Args, Exit, duparg2, invarg, matches } from './matches.js';
import { groupId, rtScopes } from './names.js';
import { type AddrFilter, type AddrLines, FLAG_DATA, dumpAddressLines, dumpAddresses, ifa, labelMatches, prefixMatches, printAddrInfo } from './addr-print.js';
import { flush, save } from './addr-save.js';

/** get_filter(): a flag name, `-name` for its absence; dynamic and primary are the inverses. */
function applyFlagFilter(f: AddrFilter, word: string): boolean {
  let inv = false;
  let arg = word;
  if (arg[0] === '-') {
    inv = true;
    arg = arg.slice(1);
  }
  if (arg === 'dynamic') {
    inv = !inv;
    arg = 'permanent';
  } else if (arg === 'primary') {
    inv = !inv;
    arg = 'secondary';
  }
  const d = FLAG_DATA.find(([n]) => n === arg);
  if (!d) return false;
  if (inv) f.flags &= ~d[1];
  else f.flags |= d[1];
  f.flagmask |= d[1];
  return true;
}

type Action = 'list' | 'flush' | 'save' | 'link';

/**
 * ipaddr_list_flush_or_save() (and ipaddr_list_link() for `link`). `usage`
 * answers `help` among the filter words: ip link's or ip address's.
 */
export async function listLinksAndAddresses(ctx: Context, words: string[], action: Action, usage: () => never): Promise<number> {
  // ipaddr_list_link() sets ip's global do_link, which the lines after it in a batch keep: ip 6.1
  // then prints `addr show dev lo` as a link (its one-device RTM_GETLINK path) and addresses with "mode".
  if (action === 'link') ctx.doLink = true;
  const doLink = ctx.doLink;
  const family = action === 'link' ? AF_PACKET : ctx.opts.family;
  const f: AddrFilter = {
    ...newLinkFilter(doLink, family), scope: 0, scopemask: 0, flags: 0, flagmask: 0,
    oneline: ctx.opts.oneline > 0, flushing: false,
  };
  if (action === 'flush') {
    if (words.length === 0) {
      ctx.err('Flush requires arguments.');
      return 1;
    }
    if (f.family === AF_PACKET) {
      ctx.err('Cannot flush link addresses.');
      return 1;
    }
  }
  let filterDev: string | undefined;
  const a = new Args(words);
  for (; a.more; a.advance()) {
    const w = a.cur;
    if (w === 'to') {
      const v = a.next();
      const p = parsePrefix(v, f.family);
      if (!p) throw new Exit(1, [`Error: ${familyNameVerbose(f.family)} prefix is expected rather than "${v}".`]);
      f.pfx = p;
      if (f.family === AF_UNSPEC) f.family = p.family;
    } else if (w === 'scope') {
      const v = a.next();
      f.scopemask = -1;
      const s = rtScopes.id(v);
      if (s === undefined) {
        if (v !== 'all') invarg('invalid "scope"\n', v);
        f.scope = 255;
        f.scopemask = 0;
      } else f.scope = s;
    } else if (w === 'up') f.up = true;
    else if (applyFlagFilter(f, w)) { /* set */ }
    else if (w === 'label') f.label = a.next();
    else if (w === 'group') {
      const v = a.next();
      const g = groupId(v);
      if (g === undefined) invarg('Invalid "group" value\n', v);
      f.group = g;
    } else if (w === 'master') f.master = masterArg(ctx, a.next());
    else if (w === 'vrf') f.master = vrfArg(ctx, a.next());
    else if (w === 'nomaster') f.master = -1;
    else if (w === 'type') {
      const v = a.next();
      if (v.length >= 6 && v.endsWith('_slave')) f.slaveKind = v.slice(0, -6);
      else f.kind = v;
    } else {
      let d = w;
      if (w === 'dev') d = a.next();
      else if (matches(w, 'help')) usage();
      if (filterDev !== undefined) duparg2('dev', d);
      filterDev = d;
    }
  }
  if (filterDev !== undefined) {
    f.ifindex = ctx.nameToIndex(filterDev);
    if (f.ifindex <= 0) {
      ctx.err(`Device "${filterDev}" does not exist.`);
      return 1;
    }
  }
  if (action === 'flush') return flush(ctx, f);
  if (action === 'save') return save(ctx, f);

  const out = ctx.out;
  out.startListing();
  try {
    if (filterDev !== undefined && f.group === -1 && doLink) {
      // iplink_get(): one RTM_GETLINK by name.
      const [m] = ctx.rtnl.rtRequest({
        type: RTM_GETLINK, flags: 0, header: ifInfoHeader(AF_PACKET, 0),
        attrs: [
          { type: IFLA_IFNAME, kind: 'bytes', value: Buffer.from(filterDev + '\0') },
          { type: IFLA_EXT_MASK, kind: 'u32', value: RTEXT_FILTER_VF },
        ],
      });
      if (m) {
        out.openObject();
        printLinkInfo(ctx, m, f);
        out.closeObject();
      }
      out.endListing();
      return 0;
    }
    if (action === 'link' && !f.ifindex && out.plainText && !ctx.opts.brief && !ctx.opts.details && !ctx.opts.stats &&
      !ctx.opts.extras && f.kind === undefined && f.slaveKind === undefined && f.label === undefined) {
      const b = ctx.rtnl as Backend;
      if (b.rtDumpInPlace) {
        // The common `link show`: the links read in place and printed as bytes (LinkTable).
        const table = new LinkTable();
        const attrs: LinkAttr[] = [{ type: IFLA_EXT_MASK, kind: 'u32', value: RTEXT_FILTER_VF }];
        if (f.master) attrs.push({ type: IFLA_MASTER, kind: 'u32', value: f.master >>> 0 });
        interpreted(() => {
          b.rtDumpInPlace!({ type: RTM_GETLINK, flags: 0, header: ifInfoHeader(family, 0), attrs }, (buf, off, len) => table.add(buf, off, len));
          ctx.rememberLinksLater(() => table.refs());
          table.print(ctx, f);
        });
        out.endListing();
        return 0;
      }
    }
    const links: RtMessage[] = [];
    if (f.ifindex) {
      const mask = RTEXT_FILTER_VF | (ctx.opts.stats ? 0 : RTEXT_FILTER_SKIP_STATS);
      links.push(...ctx.rtnl.rtRequest({
        type: RTM_GETLINK, flags: 0, header: ifInfoHeader(f.family, f.ifindex),
        attrs: [{ type: IFLA_EXT_MASK, kind: 'u32', value: mask }],
      }));
    } else {
      // rtnl_linkdump_req_filter_fn(): the filter attributes go only with AF_UNSPEC/AF_PACKET; other
      // families reach their own dump handler, which takes a bare ifinfomsg.
      const attrs: LinkAttr[] = [];
      if (family === AF_UNSPEC || family === AF_PACKET) {
        attrs.push({ type: IFLA_EXT_MASK, kind: 'u32', value: RTEXT_FILTER_VF });
        if (f.master) attrs.push({ type: IFLA_MASTER, kind: 'u32', value: f.master >>> 0 });
        if (f.kind !== undefined) attrs.push({ type: IFLA_LINKINFO, kind: 'nest', value: [{ type: IFLA_INFO_KIND, kind: 'bytes', value: Buffer.from(f.kind) }] });
      }
      ctx.rtnl.rtDump({ type: RTM_GETLINK, flags: 0, header: ifInfoHeader(family, 0), attrs }, (m) => links.push(m));
    }
    const refs: LinkRef[] = [];
    for (const m of links) {
      const r = linkRef(m);
      if (r) refs.push(r);
    }
    ctx.rememberLinks(refs);
    let addrs: RtMessage[] = [];
    // Plain text: the addresses' lines, made during the dump (no message kept).
    let lines: AddrLines | undefined;
    let noLink = false;
    if (f.family !== AF_PACKET) {
      noLink = f.oneline;
      if (out.plainText && !ctx.opts.brief) lines = dumpAddressLines(ctx, f);
      else addrs = dumpAddresses(ctx, f);
      if (lines) filterLinksByLines(links, lines, f);
      else filterLinks(ctx, links, addrs, f);
    }
    for (const m of links) {
      const ifi = ifInfo(m);
      out.openObject();
      let res = 0;
      if (ctx.opts.brief || !noLink) res = printLinkInfo(ctx, m, f);
      if (res >= 0 && ctx.opts.extras && !ctx.opts.brief && !out.json) printExtras(ctx, m.attrs);
      if (res >= 0 && f.family !== AF_PACKET) {
        out.openArray('addr_info');
        if (lines && !(f.up && !(ifi.flags & IFF_UP))) {
          // The lines hold only addresses that pass the filters (family included).
          lines.print(out, ifi.index);
        }
        for (const am of addrs) {
          const a = ifa(am);
          if (a.index !== ifi.index || (f.family && f.family !== a.family)) continue;
          if (f.up && !(ifi.flags & IFF_UP)) continue;
          out.openObject();
          printAddrInfo(ctx, am, f);
          out.closeObject();
        }
        out.closeArray();
        if (ctx.opts.brief) out.fp('\n');
      }
      if (res > 0 && !doLink && ctx.opts.stats) {
        printLinkStats(ctx, m.attrs);
        out.fp(sl(ctx));
      }
      out.closeObject();
    }
  } catch (e) {
    if (e instanceof NetlinkError) {
      out.endListing();
      throw new Exit(1, [netlinkErrorLine(e), 'Dump terminated']);
    }
    throw e;
  }
  out.endListing();
  return 0;
}

/** tsnet -X: the device's inet settings that decide what `addr del` does. */
function printExtras(ctx: Context, tb: Attrs): void {
  const conf = inetConf(tb);
  if (!conf || conf.length < IPV4_DEVCONF_PROMOTE_SECONDARIES) return;
  ctx.out.fp(`    inet promote_secondaries ${conf[IPV4_DEVCONF_PROMOTE_SECONDARIES - 1] ? 'on' : 'off'}\n`);
}

/** filterLinks() for the lines of a plain-text listing, whose filtering is already done. */
function filterLinksByLines(links: RtMessage[], lines: AddrLines, f: AddrFilter): void {
  const keep = links.filter((l) => {
    const shown = lines.shown(ifInfo(l).index);
    return shown > 0 || (shown < 0 && (f.family === AF_UNSPEC || f.family === AF_PACKET));
  });
  links.length = 0;
  links.push(...keep);
}

/** ipaddr_filter(): drops links none of whose addresses pass (links without any stay, unless a family was asked). */
function filterLinks(ctx: Context, links: RtMessage[], addrs: RtMessage[], f: AddrFilter): void {
  const keep = links.filter((l) => {
    const index = ifInfo(l).index;
    let missing = true;
    for (const am of addrs) {
      const i = ifa(am);
      if (i.index !== index) continue;
      missing = false;
      if (f.family && f.family !== i.family) continue;
      if ((f.scope ^ i.scope) & f.scopemask) continue;
      if ((f.flags ^ i.flags) & f.flagmask) continue;
      if (!labelMatches(ctx, f, i.index, am.attrs)) continue;
      if (!prefixMatches(f, i.family, am.attrs.get(IFA_LOCAL) ?? am.attrs.get(IFA_ADDRESS))) continue;
      return true;
    }
    return missing && (f.family === AF_UNSPEC || f.family === AF_PACKET);
  });
  links.length = 0;
  links.push(...keep);
}
