// A refusal of the model's kernel with the reason in the request's own
// terms ("an entry for 10.0.0.7 exists and NLM_F_EXCL was set"), for the
// trace; the front sees only the errno and extended ACK, as from the kernel.
import { NetlinkError } from '../backend.js';

export function refused(errno: number, why: string, extack?: string): NetlinkError {
  return Object.assign(new NetlinkError(errno, extack), { why });
}

/** The reason a refusal carries, if the model gave one. */
export function whyRefused(e: unknown): string | undefined {
  const why = (e as { why?: unknown } | undefined)?.why;
  return typeof why === 'string' ? why : undefined;
}
