// The one error type of the wire codecs: bytes that cannot be what they claim
// to be (too short, a length that points past the end) or a value that cannot
// be encoded. Decoders return it (or, for attribute getters whose callers
// cannot check, throw it); encoders throw it rather than write wrong bytes.

export type WireErrorKind = 'truncated' | 'malformed' | 'too-long';

export class WireError extends Error {
  constructor(readonly kind: WireErrorKind, message: string) {
    super(`netlink: ${message}`);
    this.name = 'WireError';
  }
}

export function isWireError(x: unknown): x is WireError {
  return x instanceof WireError;
}
