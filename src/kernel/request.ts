// The kernel side's request buffer: requests are built and sent one at a time,
// so one scratch buffer serves them all (the codec writes into what it is
// given, and hands back a larger buffer when a request outgrows it).
import { MessageWriter } from '../wire/nlmsg.js';

let scratch: Uint8Array = new Uint8Array(8192);

/** A MessageWriter over the shared scratch buffer: its bytes are valid until the next request(). */
export function request(type: number, flags: number): KernelRequest {
  return new KernelRequest(type, flags);
}

export class KernelRequest extends MessageWriter {
  constructor(type: number, flags: number) {
    super(type, flags, scratch);
  }

  override finish(): Uint8Array {
    scratch = this.buffer;
    return super.finish();
  }
}
