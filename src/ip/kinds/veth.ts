// The veth kind (ip/link_veth.c of iproute2 6.1): `peer` and the peer's own
// link words (name, address, mtu, ...), which are the link grammar itself,
// as a VETH_INFO_PEER attribute holding an ifinfomsg and its attributes.
import { progName } from '../../lib/progname.js';
import { type LinkAttr, encodeAttrs } from '../../wire/nlattr.js';
import { duparg } from '../matches.js';
import { VETH_INFO_PEER } from '../../wire/rtnl-constants.js';
import type { LinkKind, ParseEnv } from './kind.js';

// ip's text names ip; tsnet's names tsnet, as every usage does (the rest is ip's).
const vethUsage = (): string => `Usage: ${progName()} link <options> type veth [peer <options>]
To get <options> type 'ip link add help'`;

/** veth_parse_opt() */
function parseVeth(words: string[], env: ParseEnv): LinkAttr[] | number {
  if (words[0] !== 'peer') {
    // ip prints this usage with printf(): on stdout, even as an error.
    env.print(vethUsage());
    return 1;
  }
  const p = env.parseLink(words.slice(1));
  if (typeof p === 'number') return p;
  if (p.type !== undefined) duparg('type', p.type);
  const body = encodeAttrs(p.attrs);
  const value = new Uint8Array(p.ifinfo.length + body.length);
  value.set(p.ifinfo);
  value.set(body, p.ifinfo.length);
  return [{ type: VETH_INFO_PEER, kind: 'bytes', value }];
}

export const veth: LinkKind = {
  id: 'veth', parse: parseVeth, keywords: ['peer'],
  get help() { return vethUsage(); },
};
