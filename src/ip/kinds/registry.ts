// get_link_kind() (ip/iplink.c): a link kind by its name, from the list in
// index.ts. link.ts, link-print.ts and completion look kinds up here and
// never switch on a kind's name.
import * as kinds from './index.js';
import type { LinkKind } from './kind.js';

export type { LinkKind, ParseEnv, PrintEnv } from './kind.js';

const BY_ID = new Map<string, LinkKind>(Object.values(kinds).map((k) => [k.id, k]));

/** The kind named `id` (`bridge`, `bridge_slave`, ...), if tsnet knows it. */
export function linkKind(id: string): LinkKind | undefined {
  return BY_ID.get(id);
}

/** Every kind's name, sorted: what `type` completes to. */
export const LINK_KIND_IDS: readonly string[] = [...BY_ID.keys()].sort();

/** The words after `type ID`, for completion ([] for a kind tsnet does not know). */
export function kindKeywords(id: string): readonly string[] {
  return BY_ID.get(id)?.keywords ?? [];
}
