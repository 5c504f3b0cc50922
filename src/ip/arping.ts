// `tsnet arping ...`: the words after `arping` are arping's own argv.
import { lookup } from 'node:dns/promises';
import { arping } from '../arping/arping.js';
import type { Context } from './context.js';
import { Exit } from './matches.js';
import { writeAll } from '../lib/output.js';

/** getaddrinfo() for IPv4, with gai_strerror()'s texts for the usual failures. */
async function resolve(name: string): Promise<Uint8Array | string> {
  try {
    const r = await lookup(name, { family: 4 });
    return Uint8Array.from(r.address.split('.').map(Number));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND') return 'Name or service not known';
    if (code === 'EAI_AGAIN') return 'Temporary failure in name resolution';
    return 'System error';
  }
}

export async function doArping(ctx: Context, words: string[]): Promise<number> {
  const b = ctx.backend;
  if (!b.arpingPort) throw new Exit(1, ['tsnet arping: not available on this backend']);
  const port = b.arpingPort();
  const out = ctx.out;
  const argv = ctx.opts.json ? ['-j', ...words] : words;
  try {
    return await arping(argv, port, {
    out: (s) => {
      out.fp(s);
      out.flush();
    },
    err: (s) => {
      out.flush();
      writeAll(2, s);
    },
    }, resolve);
  } finally {
    port.close?.();
  }
}
