// The shapes that every input reader returns: one InputPacket per netlink buffer found in the
// input (a pcap record, a hex paragraph, the whole of a raw file), gathered in a ReadResult.

/**
 * How `decode` should read its input:
 * - `auto`: pcap/pcapng by their magic number, gzip is unpacked first, text is a hex dump, anything
 *   else is raw bytes (see readInput);
 * - `raw`: the input is one buffer of netlink messages, as sent or received;
 * - `hex`: the input is text in one of the forms parseHexText understands;
 * - `pcap`: the input is a classic pcap or a pcapng capture (gzip-compressed or not).
 */
export type InputFormat = 'auto' | 'raw' | 'hex' | 'pcap';

/** The format a ReadResult was actually read as. */
export type ReadFormat = 'raw' | 'hex' | 'pcap' | 'pcapng';

/**
 * One netlink buffer: what one send or receive carried, i.e. zero or more netlink messages back
 * to back. The bytes are not checked here; decoding the messages is the caller's job.
 */
export interface InputPacket {
  /**
   * The netlink bytes. For pcap and raw input this is a view into the input buffer (no copy), so
   * keep the input alive and unmodified while the packets are in use.
   */
  data: Uint8Array;
  /**
   * Netlink protocol number (NETLINK_ROUTE = 0, NETLINK_GENERIC = 16, …) recorded by the capture,
   * when the input says: pcap link-layer header, or a pseudo-header found in pasted hex.
   */
  protocol?: number;
  /**
   * Who the message went to, from the capture's packet type: `to-kernel` (PACKET_KERNEL, a
   * request) or `to-user` (PACKET_USER, a reply or notification). Absent when unknown.
   */
  direction?: 'to-kernel' | 'to-user';
  /** Capture time, to the millisecond (pcap/pcapng only). */
  time?: Date;
  /**
   * Capture time in nanoseconds since the Unix epoch, exact to the file's resolution (finer
   * resolutions are truncated to nanoseconds). Present whenever `time` is, and also when the time
   * is outside Date's range.
   */
  timestampNs?: bigint;
  /**
   * 0-based position of the packet in the input. For captures, records skipped as not netlink
   * still count, so `index + 1` is the frame number Wireshark shows.
   */
  index: number;
  /** Where the packet came from, for messages: e.g. "dump.pcap packet 3", "paste.txt packet 2 (line 14)". */
  where: string;
}

/** What readInput found. */
export interface ReadResult {
  /** The netlink buffers, in input order. A capture without packets gives an empty list. */
  packets: InputPacket[];
  /** How the input was read. */
  format: ReadFormat;
  /** For hex input: the text form that was recognised (see HexStyle in text.ts). */
  hexStyle?: string;
  /**
   * Things the reader noticed but did not stop for (one line each): truncated strings, skipped
   * non-netlink packets, information a text form cannot carry, …
   */
  warnings: string[];
}
