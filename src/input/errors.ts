// The one error the input readers throw. Whatever bytes arrive, a reader either returns packets
// or throws an InputError whose message is one line saying what is wrong and where; any other
// exception escaping a reader is a bug.
import type { ReadResult } from './packet.js';

/** Extra facts attached to an InputError. */
export interface InputErrorDetails {
  /** Byte offset of the problem in the (decompressed) input, for binary formats. */
  offset?: number;
  /** 1-based line of the problem, for text input. */
  line?: number;
  /**
   * What was read before the problem, for damaged captures: a capture cut short still yields the
   * packets before the cut, so a caller may decode those and then report the error.
   */
  partial?: ReadResult;
}

/**
 * Input that cannot be read: empty, not a format nlctl knows, malformed or truncated. The
 * message is a single line that names the source and the place, e.g.
 * `dump.pcap: packet 3 at byte 1234: record says 60 captured bytes, only 12 remain (file cut short?)`.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** Stable code for callers and exit-status mapping. */
  readonly code = 'ERR_NLCTL_INPUT';
  /** Byte offset of the problem, when the input is binary. */
  readonly offset?: number;
  /** 1-based line of the problem, when the input is text. */
  readonly line?: number;
  /** Packets read before the problem (damaged captures only). */
  readonly partial?: ReadResult;

  constructor(message: string, details: InputErrorDetails = {}) {
    super(message);
    if (details.offset !== undefined) this.offset = details.offset;
    if (details.line !== undefined) this.line = details.line;
    if (details.partial !== undefined) this.partial = details.partial;
  }
}
