// What renderers receive: a stream of records. Every record says what it is (`record`), so a
// consumer of the NDJSON output can switch on it. Renderers know no family: a message record
// carries the decoded model (names already resolved) and its raw bytes.
import type { ByteSink } from '../model/bytesink.js';
import type { DecodedAttr, DecodedMessage } from '../model/decode.js';
import type { Uevent } from '../model/uevent.js';

/** A netlink message, decoded, with where it came from. */
export interface MessageRecord {
  record: 'message';
  decoded: DecodedMessage;
  /** The message's bytes, nlmsghdr included (padding excluded). */
  bytes: Uint8Array;
  /** Sent by us (execute, --dry-run) or received. */
  direction: 'sent' | 'received';
  /** Size of the family header, for the libmnl layout (ehs). */
  extraHeaderSize: number;
  /** When it was received (listen, dump) or read (decode of a pcap). */
  time?: Date;
  /** Multicast group it arrived on (NETLINK_PKTINFO). */
  group?: number;
  /** Group name, when the family names it. */
  groupName?: string;
  /** Peer namespace ID (NETLINK_LISTEN_ALL_NSID). */
  nsid?: number;
  /** Sender port ID (0: the kernel). */
  portid?: number;
  /**
   * An attribute of this message to point at, with why: the one a kernel error's ext-ack
   * offset names, when the request is shown next to the error. Human views mark it.
   */
  mark?: { attr: DecodedAttr; note: string };
  /**
   * Write the message's compact JSON members (what messageToObject gives, as the JSON writer
   * writes it, from "protocol" to "attrs", without braces) into `sink` straight from the bytes,
   * when the model can; false (nothing written) means: render `decoded`. Lets NDJSON skip
   * building the model.
   */
  writeCompactJson?(sink: ByteSink): boolean;
}

/** The kernel dropped messages: the receive queue overflowed (ENOBUFS). */
export interface OverrunRecord {
  record: 'overrun';
  time: Date;
  /** Messages received before the overrun was reported. */
  received: number;
  /** The socket's receive buffer, to say how much was absorbed. */
  rcvbuf?: number;
}

/** A dump finished with NLM_F_DUMP_INTR: it may be inconsistent. */
export interface DumpInterruptedRecord {
  record: 'dump_interrupted';
  /** What was done about it: warn (printed), retry (another dump follows), fail. */
  action: 'warn' | 'retry' | 'fail';
  attempt: number;
}

/** Totals at the end of a command. */
export interface SummaryRecord {
  record: 'summary';
  messages: number;
  errors: number;
  overruns: number;
  /** Seconds from start to end. */
  elapsed: number;
}

/** A kobject uevent (NETLINK_KOBJECT_UEVENT): text, not a netlink message. */
export interface UeventRecord {
  record: 'uevent';
  time?: Date;
  group?: number;
  event: Uevent;
}

/** Any record a renderer may receive. */
export type OutputRecord = MessageRecord | OverrunRecord | DumpInterruptedRecord | SummaryRecord | UeventRecord;

/** A renderer: turns records into text for a stream. */
export interface Renderer {
  /** Text for one record (may be empty). Must never throw. */
  render(record: OutputRecord): string;
  /** Text to print after the last record (tables may need to close). */
  end?(): string;
  /**
   * Write one record's bytes into `sink` (what render gives, UTF-8 encoded), where a renderer
   * can do that without making the text first. Must never throw.
   */
  renderTo?(record: OutputRecord, sink: ByteSink): void;
}
