// The dummy kind (ip/iplink_dummy.c of iproute2 6.1): help only. Words after
// `type dummy` are taken and ignored, as ip does for a link_util without parse_opt.
import type { LinkKind } from './kind.js';

export const dummy: LinkKind = { id: 'dummy', help: 'Usage: ... dummy', keywords: [] };
