// `tsnet addr` (ip/ipaddress.c of iproute2 6.1): the verb table. The listing
// that `link show` shares is addr-list.ts, the printer addr-print.ts,
// add/change/replace/del addr-modify.ts, flush/save/restore addr-save.ts.
import { progName } from '../lib/progname.js';
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../backend.js';
import type { Context } from './context.js';
import { Exit, matches } from './matches.js';
import { TYPES_USAGE } from './link-usage.js';
import { listLinksAndAddresses } from './addr-list.js';
import { modify } from './addr-modify.js';
import { RTM_DELADDR, RTM_NEWADDR } from '../wire/rtnl-constants.js';
import { restore, showDump } from './addr-save.js';

const usageText = (): string => `Usage: ${progName()} address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       ${progName()} address del IFADDR dev IFNAME [mngtmpaddr]
       ${progName()} address {save|flush} [ dev IFNAME ] [ scope SCOPE-ID ]
                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]
       ${progName()} address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                         [ nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [up] [ vrf NAME ] ]
       ${progName()} address {showdump|restore}
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary |
           [-]tentative | [-]deprecated | [-]dadfailed | temporary |
           CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS
${TYPES_USAGE}`;

function usage(): never {
  throw new Exit(255, [usageText()]);
}

export async function doAddr(ctx: Context, words: string[]): Promise<number> {
  if (words.length === 0) return listLinksAndAddresses(ctx, [], 'list', usage);
  const [verb, ...rest] = words;
  if (matches(verb, 'add')) return modify(ctx, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, rest, usage);
  if (matches(verb, 'change') || verb === 'chg') return modify(ctx, RTM_NEWADDR, NLM_F_REPLACE, rest, usage);
  if (matches(verb, 'replace')) return modify(ctx, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, rest, usage);
  if (matches(verb, 'delete')) return modify(ctx, RTM_DELADDR, 0, rest, usage);
  if (matches(verb, 'list') || matches(verb, 'show') || matches(verb, 'lst')) return listLinksAndAddresses(ctx, rest, 'list', usage);
  if (matches(verb, 'flush')) return listLinksAndAddresses(ctx, rest, 'flush', usage);
  if (matches(verb, 'save')) return listLinksAndAddresses(ctx, rest, 'save', usage);
  if (matches(verb, 'showdump')) return showDump(ctx);
  if (matches(verb, 'restore')) return restore(ctx);
  if (matches(verb, 'help')) usage();
  throw new Exit(255, [`Command "${verb}" is unknown, try "${progName()} address help".`]);
}
