// Netlink messages: the 16-byte struct nlmsghdr and its payload, marshalled and unmarshalled
// under the kernel's rules. A message's nlmsg_len is its exact length; the next message starts
// at NLMSG_ALIGN(nlmsg_len); the last message of a datagram may be unpadded. Parsing never reads
// past the bytes received.
import { HOST_LITTLE_ENDIAN, NLMSG_HDRLEN, nlmsgAlign } from './align.js';
import { DecodeError } from './errors.js';

/** struct nlmsghdr. All fields are unsigned; `type` and `flags` are 16-bit, the rest 32-bit. */
export interface Header {
  /** nlmsg_len: header plus payload, padding excluded. */
  length: number;
  /** nlmsg_type: a control type (below 0x10) or a family's message type. */
  type: number;
  /** nlmsg_flags. */
  flags: number;
  /** nlmsg_seq. */
  sequence: number;
  /** nlmsg_pid: the sender's port ID (0 from the kernel). */
  pid: number;
}

/** A netlink message: header and payload (family header plus attributes). */
export interface Message {
  header: Header;
  data: Uint8Array;
}

/** A message to send: header fields left out or 0 are filled in (see Conn.send). */
export interface MessageInit {
  header?: Partial<Header>;
  data?: Uint8Array;
}

/** nlmsg_flags bits. Bits 0x100–0x800 mean different things by message kind (see names). */
export const HeaderFlags = {
  /** NLM_F_REQUEST: a request; the kernel ignores messages without it (but still ACKs). */
  Request: 0x1,
  /** NLM_F_MULTI: part of a multipart reply ended by DONE. */
  Multi: 0x2,
  /** NLM_F_ACK: ask for an ACK (an NLMSG_ERROR with errno 0). */
  Acknowledge: 0x4,
  /** NLM_F_ECHO: echo the request to the sender's multicast listeners. */
  Echo: 0x8,
  /** NLM_F_DUMP_INTR: the dump was inconsistent because the object set changed. */
  DumpInterrupted: 0x10,
  /** NLM_F_DUMP_FILTERED: the kernel applied the request's dump filter. */
  DumpFiltered: 0x20,
  /** NLM_F_ROOT (GET): return the whole table. */
  Root: 0x100,
  /** NLM_F_MATCH (GET): return all matching entries. */
  Match: 0x200,
  /** NLM_F_ATOMIC (GET): atomic snapshot (obsolete). */
  Atomic: 0x400,
  /** NLM_F_DUMP = ROOT|MATCH. */
  Dump: 0x300,
  /** NLM_F_REPLACE (NEW): replace an existing object. */
  Replace: 0x100,
  /** NLM_F_EXCL (NEW): fail if the object exists. */
  Excl: 0x200,
  /** NLM_F_CREATE (NEW): create if missing. */
  Create: 0x400,
  /** NLM_F_APPEND (NEW): add to the end of a list. */
  Append: 0x800,
  /** NLM_F_NONREC (DEL): do not delete recursively. */
  NonRecursive: 0x100,
  /** NLM_F_BULK (DEL): bulk delete. */
  Bulk: 0x200,
  /** NLM_F_CAPPED (ACK): the echoed request was cut to its header. */
  Capped: 0x100,
  /** NLM_F_ACK_TLVS (ACK): extended-ACK TLVs follow. */
  AcknowledgeTLVs: 0x200,
} as const;

/** Control message types (below NLMSG_MIN_TYPE, they are the same in every family). */
export const HeaderType = {
  /** NLMSG_NOOP: nothing; ignore. */
  Noop: 0x1,
  /** NLMSG_ERROR: an error, or an ACK when errno is 0. */
  Error: 0x2,
  /** NLMSG_DONE: end of a multipart reply. */
  Done: 0x3,
  /** NLMSG_OVERRUN: data lost (unused by the kernel). */
  Overrun: 0x4,
  /** NLMSG_MIN_TYPE: family message types start here. */
  MinType: 0x10,
} as const;

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`header ${name} must be an integer 0..${max}, got ${value}`);
  }
}

/** Throws RangeError unless every header field fits its wire width. */
export function checkHeader(h: Header): void {
  checkField('length', h.length, 0xffffffff);
  checkField('type', h.type, 0xffff);
  checkField('flags', h.flags, 0xffff);
  checkField('sequence', h.sequence, 0xffffffff);
  checkField('pid', h.pid, 0xffffffff);
}

/** Bytes a message occupies in a datagram: header, payload, and padding to 4 bytes. */
export function messageSize(m: Message): number {
  return nlmsgAlign(NLMSG_HDRLEN + m.data.length);
}

/** Write `m` at `off` of `out` (which must have messageSize(m) bytes there). */
function writeMessage(out: Uint8Array, view: DataView, off: number, m: Message): void {
  const h = m.header;
  view.setUint32(off, h.length, HOST_LITTLE_ENDIAN);
  view.setUint16(off + 4, h.type, HOST_LITTLE_ENDIAN);
  view.setUint16(off + 6, h.flags, HOST_LITTLE_ENDIAN);
  view.setUint32(off + 8, h.sequence, HOST_LITTLE_ENDIAN);
  view.setUint32(off + 12, h.pid, HOST_LITTLE_ENDIAN);
  out.set(m.data, off + NLMSG_HDRLEN);
}

/**
 * Marshal one message: header, payload, zero padding to 4 bytes. The header is written as it
 * is — a `length` that disagrees with the payload is sent as given, which lets a caller craft
 * malformed messages on purpose (Conn.send fills a zero length in before marshalling).
 */
export function marshalMessage(m: Message): Uint8Array {
  return marshalMessages([m]);
}

/** Marshal messages back to back into one buffer (one datagram), each padded to 4 bytes. */
export function marshalMessages(messages: readonly Message[]): Uint8Array {
  let size = 0;
  for (const m of messages) {
    checkHeader(m.header);
    size += messageSize(m);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let off = 0;
  for (const m of messages) {
    writeMessage(out, view, off, m);
    off += messageSize(m);
  }
  return out;
}

/** Read the header at `off` of `view` (the caller made sure 16 bytes are there). */
export function readHeader(view: DataView, off: number): Header {
  return {
    length: view.getUint32(off, HOST_LITTLE_ENDIAN),
    type: view.getUint16(off + 4, HOST_LITTLE_ENDIAN),
    flags: view.getUint16(off + 6, HOST_LITTLE_ENDIAN),
    sequence: view.getUint32(off + 8, HOST_LITTLE_ENDIAN),
    pid: view.getUint32(off + 12, HOST_LITTLE_ENDIAN),
  };
}

/** The messages of a buffer, and the first framing problem if there was one. */
export interface ParsedMessages {
  /** Every well-formed message before the problem (or all of them). */
  messages: Message[];
  /** Byte offset of each message within the buffer, parallel to `messages`. */
  offsets: number[];
  /** The first problem: a length below 16, a length past the end, or stray trailing bytes. */
  malformed?: DecodeError;
}

/**
 * Split a buffer (a datagram, or a file of concatenated messages) into messages. Each
 * message's `data` is a view of the payload, nlmsg_len − 16 bytes, padding excluded. Parsing
 * stops at the first problem, which is returned, not thrown, so the messages before it are kept.
 */
export function parseMessages(buf: Uint8Array): ParsedMessages {
  const reader = new MessageReader(buf);
  const messages: Message[] = [];
  const offsets: number[] = [];
  for (let m = reader.next(); m; m = reader.next()) {
    messages.push(m);
    offsets.push(reader.offset);
  }
  return reader.malformed ? { messages, offsets, malformed: reader.malformed } : { messages, offsets };
}

/**
 * The messages of a buffer one at a time, as parseMessages splits them, without holding them
 * all: a file of 100k messages is read with one message alive at a time.
 */
export class MessageReader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  #next = 0;
  /** Byte offset of the message next() returned last. */
  offset = 0;
  /** The framing problem that ended the messages, once next() has met it. */
  malformed: DecodeError | undefined = undefined;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** The next message; undefined at the end of the buffer or at a problem (see `malformed`). */
  next(): Message | undefined {
    const buf = this.#buf;
    const off = this.#next;
    if (off >= buf.length || this.malformed) return undefined;
    const rest = buf.length - off;
    if (rest < NLMSG_HDRLEN) {
      this.malformed = new DecodeError(`malformed message at offset ${off}: ${rest} trailing byte${rest === 1 ? '' : 's'}, too short for a 16-byte header`, off);
      return undefined;
    }
    const header = readHeader(this.#view, off);
    if (header.length < NLMSG_HDRLEN || header.length > rest) {
      const why =
        header.length < NLMSG_HDRLEN
          ? `nlmsg_len ${header.length} is shorter than the 16-byte header`
          : `nlmsg_len ${header.length} runs past the end (${rest} bytes left)`;
      this.malformed = new DecodeError(`malformed message at offset ${off}: ${why}`, off);
      return undefined;
    }
    this.offset = off;
    // An unpadded last message is fine: clamp the aligned step to the buffer.
    this.#next = Math.min(off + nlmsgAlign(header.length), buf.length);
    // A view made by the constructor: subarray looks up the species and costs twice as much.
    return { header, data: new Uint8Array(buf.buffer, buf.byteOffset + off + NLMSG_HDRLEN, header.length - NLMSG_HDRLEN) };
  }
}

/** Parse exactly one message; throws DecodeError if the buffer is not one well-formed message. */
export function unmarshalMessage(buf: Uint8Array): Message {
  const { messages, malformed } = parseMessages(buf);
  if (malformed) throw malformed;
  if (messages.length !== 1) {
    throw new DecodeError(`expected one message, found ${messages.length}`, 0);
  }
  return messages[0]!;
}

/** The kind of message whose context decides what flag bits 0x100–0x800 mean. */
export type FlagContext = 'get' | 'new' | 'del' | 'ack' | 'other' | undefined;

/**
 * The flag context of a control message (type below 16): NLMSG_DONE ends a dump the way an ACK
 * (NLMSG_ERROR) ends a request, with the same CAPPED/ACK_TLVS bits; the others have none.
 */
export function controlFlagContext(type: number): FlagContext {
  return type === HeaderType.Error || type === HeaderType.Done ? 'ack' : undefined;
}

// The six bits that mean the same on every message.
const COMMON_FLAGS: readonly [number, string][] = [
  [HeaderFlags.Request, 'request'],
  [HeaderFlags.Multi, 'multi'],
  [HeaderFlags.Acknowledge, 'ack'],
  [HeaderFlags.Echo, 'echo'],
  [HeaderFlags.DumpInterrupted, 'dump_intr'],
  [HeaderFlags.DumpFiltered, 'dump_filtered'],
];

// Bits 0x100 and up, by context.
const CONTEXT_FLAGS: Readonly<Record<string, readonly [number, string][]>> = {
  get: [[HeaderFlags.Root, 'root'], [HeaderFlags.Match, 'match'], [HeaderFlags.Atomic, 'atomic']],
  new: [[HeaderFlags.Replace, 'replace'], [HeaderFlags.Excl, 'excl'], [HeaderFlags.Create, 'create'], [HeaderFlags.Append, 'append']],
  del: [[HeaderFlags.NonRecursive, 'nonrec'], [HeaderFlags.Bulk, 'bulk']],
  ack: [[HeaderFlags.Capped, 'capped'], [HeaderFlags.AcknowledgeTLVs, 'ack_tlvs']],
};

/**
 * Names of the set flag bits, in context: GET requests name ROOT/MATCH/ATOMIC (ROOT|MATCH reads
 * "dump"), NEW requests REPLACE/EXCL/CREATE/APPEND, DEL requests NONREC/BULK, NLMSG_ERROR and
 * NLMSG_DONE CAPPED/ACK_TLVS. Bits without a name in the context are given as one hex token ("0x300").
 */
export function flagNames(flags: number, context: FlagContext): string[] {
  const out: string[] = [];
  let rest = flags;
  for (const [bit, name] of COMMON_FLAGS) {
    if (flags & bit) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (context === 'get' && (rest & HeaderFlags.Dump) === HeaderFlags.Dump) {
    out.push('dump');
    rest &= ~HeaderFlags.Dump;
  }
  for (const [bit, name] of (context && CONTEXT_FLAGS[context]) || []) {
    if (rest & bit) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push(`0x${rest.toString(16)}`);
  return out;
}
