// The row layout of LinkTable (link-lines.ts): per link, slots of an Int32Array.
// A module of its own so that the bundle has these as numbers in the code:
// esbuild writes another module's exported constants in place (and folds
// `1 << LINK`), while a module's own constants stay variables that the
// interpreter looks up at every use, in a loop run for every attribute.

/** Numbers: the attribute's value, present if its HAS_ bit is set in slot HAS. */
export const INDEX = 0, TYPE = 1, FLAGS = 2, HAS = 3, LINK = 4, MTU = 5, MASTER = 6, OPER = 7, MODE = 8, GROUP = 9,
  TXQLEN = 10, EVENT = 11, PROTO_DOWN = 12;
/** Bytes: their offset in the kept bytes (-1: absent) and their length. */
export const NAME = 13, NAME_LEN = 14, QDISC = 15, QDISC_LEN = 16, ADDR = 17, ADDR_LEN = 18, BRD = 19, BRD_LEN = 20;
/** The whole message's offset in LinkTable's `full` (links the fast line cannot print), else -1; its length. */
export const FULL = 21, FULL_LEN = 22;
export const SLOTS = 23;

export const HAS_LINK = 1 << LINK, HAS_MTU = 1 << MTU, HAS_MASTER = 1 << MASTER, HAS_OPER = 1 << OPER, HAS_MODE = 1 << MODE,
  HAS_GROUP = 1 << GROUP, HAS_TXQLEN = 1 << TXQLEN, HAS_EVENT = 1 << EVENT, HAS_PROTO_DOWN = 1 << PROTO_DOWN;
