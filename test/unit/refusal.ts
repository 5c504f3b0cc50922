// What a model call refused with: its errno and extended-ACK text (fails when the call went through).
import { NetlinkError } from '../../src/backend.js';

export function refusal(f: () => unknown): { errno: number; extack?: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof NetlinkError) return { errno: e.errno, extack: e.extack };
    throw e;
  }
  throw new Error('not refused');
}
