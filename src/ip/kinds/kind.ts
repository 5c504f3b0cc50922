// What one link kind is to the front: iproute2's `struct link_util`
// (ip/ip_common.h). Each kind lives in its own file here, as ip's
// iplink_<kind>.c does, and registry.ts finds it by name; link.ts and
// link-print.ts never name a kind.
import type { Attrs, LinkAttr } from '../../wire/nlattr.js';
import type { Output } from '../../lib/output.js';

/** What a kind's parser may ask of the command around it. */
export interface ParseEnv {
  /** ll_name_to_index(): 0 when there is no such link. */
  ifindex(name: string): number;
  /** ip's set_op: an RTM_NEWLINK without NLM_F_CREATE (`ip link set`), where fewer words are required. */
  setOp: boolean;
  /** ip's preferred_family (-4, -6, -f). */
  family: number;
  /**
   * iplink_parse() of a nested link's words (veth's peer): its ifinfomsg,
   * attributes and `type` if one was given, or an exit code when the words
   * were refused (already said).
   */
  parseLink(words: string[]): { ifinfo: Uint8Array; attrs: LinkAttr[]; type?: string } | number;
  /** A line on stderr that does not end the command (ip's fprintf(stderr) before going on). */
  warn(line: string): void;
  /** A line on stdout (ip's printf() from a parser: veth's usage goes there). */
  print(line: string): void;
}

/** What a kind's printer may ask. */
export interface PrintEnv {
  /** ll_index_to_name(). */
  ifname(index: number): string;
}

export interface LinkKind {
  /** The name after `type` and in IFLA_INFO_KIND (`bridge_slave` for the slave side of bridge). */
  readonly id: string;
  /**
   * parse_opt(): the words after `type ID` as IFLA_INFO_DATA (IFLA_INFO_SLAVE_DATA for
   * a *_slave id) attributes in ip's order. Bad words throw an Exit with ip's
   * message and code; a number is an exit code whose message is already out.
   * Absent: the words are taken and ignored, as ip does for a link_util without one.
   */
  parse?(words: string[], env: ParseEnv): LinkAttr[] | number;
  /**
   * print_opt(): the -d text after "    ID " and the JSON members of info_data
   * (info_slave_data), through one walk of `out`. Absent: ip prints no info_data.
   */
  print?(out: Output, data: Attrs, env: PrintEnv): void;
  /** print_help(): what `ip link help ID` prints on stdout (and parse errors on stderr). */
  readonly help?: string;
  /** The keywords after `type ID`, for completion. */
  readonly keywords: readonly string[];
}
