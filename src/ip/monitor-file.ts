// `ip monitor file FILE`: the saved netlink messages that rtmon (and
// generate_nlmsg in iproute2's testsuite) write, read as rtnl_from_file()
// (lib/libnetlink.c, 6.1) reads them: an nlmsghdr, then its payload padded to
// 4 bytes, message after message, up to 16 KiB each, until the end of the file.
// The one module of `monitor` that opens a file.
import { readFileSync } from 'node:fs';
import { strerror } from '../errno.js';
import { nlaAlign } from '../wire/nlattr.js';
import { u32At } from '../wire/nlmsg.js';
import { NLMSG_HDRLEN } from '../wire/rtnl-constants.js';
import { Exit } from './matches.js';

const EISDIR = 21;

/** rtnl_from_file()'s buffer: a longer message is malformed. */
const BUFSIZE = 16384;

/** The file's bytes; fopen()'s failure as ip reports it (perror, exit 255). */
export function readMessageFile(name: string): Uint8Array {
  try {
    return readFileSync(name);
  } catch (e) {
    const errno = -((e as NodeJS.ErrnoException).errno ?? -2);
    // fopen() opens a directory; its first fread() fails.
    if (errno === EISDIR) throw new Exit(1, [`rtnl_from_file: fread: ${strerror(errno)}`]);
    throw new Exit(255, [`Cannot fopen: ${strerror(errno)}`]);
  }
}

/**
 * Each message in turn, as a view of the whole message (its nlmsg_len
 * bytes); then `{ error }` with ip's line if the file ends inside a message
 * or a length is out of range (ip stops there and exits 1).
 */
export function* savedMessages(b: Uint8Array): Generator<Uint8Array | { error: string }> {
  for (let off = 0; off < b.length;) {
    if (b.length - off < NLMSG_HDRLEN) {
      yield { error: 'rtnl-from_file: truncated message' };
      return;
    }
    const len = u32At(b, off) | 0;
    const payload = len - NLMSG_HDRLEN;
    if (payload < 0 || len > BUFSIZE) {
      // ftell(): where the reading stands, just after the header.
      yield { error: `!!!malformed message: len=${len} @${off + NLMSG_HDRLEN}` };
      return;
    }
    const end = off + NLMSG_HDRLEN + nlaAlign(payload);
    if (end > b.length) {
      yield { error: 'rtnl-from_file: truncated message' };
      return;
    }
    yield b.subarray(off, off + len);
    off = end;
  }
}
