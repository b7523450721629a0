// The libmnl hex dump: a byte-for-byte reimplementation of what libmnl 1.0.4/1.0.5's
// mnl_nlmsg_fprintf(fd, buf, len, extra_header_size) prints, as specified in
// research/tools-survey.md §a. It knows no netlink family; the caller says how many bytes of
// each message are the family's fixed ("extra") header.
//
// Layout, per message: a 6-line header block, one line per 4-byte payload word, a closing
// separator. Every line is a 16-character left cell, a TAB, an 18-character right cell; data
// lines add a TAB and an ASCII column. The word classification reproduces libmnl's C integer
// behaviour on purpose (see writePayload below), including its surprises: attributes of type 0
// vanish, an nla_len of 0 silences the rest of the message, nests are shown flat, and an extra
// header size that is not a multiple of 4 labels every remaining word "extra header".
//
// Two deliberate deviations, both where C's behaviour is undefined:
// * a message whose nlmsg_len is >= 2^31 ends the dump (libmnl compares it as a negative int,
//   accepts it, and reads far outside the buffer);
// * bytes past the end of the buffer (the last word of an unpadded final message) read as 0x00.

import { HOST_LITTLE_ENDIAN } from '../netlink/align.js';

/** The fields of a netlink message header, as read in the dump's byte order. */
export interface MnlMessageHeader {
  /** nlmsg_len: total message length in bytes, header included. */
  length: number;
  /** nlmsg_type. */
  type: number;
  /** nlmsg_flags (all 16 bits, though the dump shows only REQUEST, MULTI, ACK and ECHO). */
  flags: number;
  /** nlmsg_seq. */
  sequence: number;
  /** nlmsg_pid (port ID). */
  pid: number;
}

/**
 * Extra (family) header size in bytes, either one number for every message or a function that
 * picks it per message. The function gets the message header and the message payload (the bytes
 * after the 16-byte nlmsghdr, cut at nlmsg_len and at the end of the buffer). It is called once
 * for each printed message whose type is >= 16; control messages (NOOP, ERROR, DONE, OVERRUN,
 * types below 16) never use an extra header, so it is not called for them.
 *
 * The value follows libmnl's size_t arithmetic: a multiple of 4 gives that many bytes (size/4
 * words) of "extra header" lines; any other value, including a negative one (which C would wrap
 * to a huge size_t), labels every payload word of the message "extra header". Fractions are
 * truncated; NaN counts as 0. Always pass the 4-aligned size (4 for rtgenmsg/netconfmsg, not 1)
 * unless you want that quirk.
 */
export type MnlExtraHeaderSize =
  | number
  | ((header: MnlMessageHeader, payload: Uint8Array) => number);

/** Options for {@link formatMnl} and {@link walkMnl}. */
export interface MnlOptions {
  /**
   * Emit libmnl 1.0.4/1.0.5's ANSI colour codes (SGR bold red/green/blue around the length,
   * flags and type fields) on attribute-header lines. Released libmnl always does this; libmnl's
   * git master does it only on a terminal. Default false (the plain form).
   */
  color?: boolean;
  /** Extra (family) header size; see {@link MnlExtraHeaderSize}. Default 0. */
  extraHeaderSize?: MnlExtraHeaderSize;
  /**
   * Byte order of the u32/u16 header and attribute fields. libmnl reads them in host order, so
   * the default is this machine's order. Set it to render a capture taken on a
   * machine of the other order.
   */
  byteOrder?: 'LE' | 'BE';
}

/**
 * What one output line shows:
 * - `separator`: a dashed line opening or closing a message's block;
 * - `header`: one of the 4 nlmsghdr lines (length, type and flags, sequence, port ID);
 * - `control`: a payload word of a control message (type < 16), shown with an empty label;
 * - `extra`: a word of the family's extra header;
 * - `attr`: a word read as an attribute header (nla_len, N/B flags, type);
 * - `data`: a word of attribute payload, with its ASCII column.
 */
export type MnlLineKind = 'separator' | 'header' | 'control' | 'extra' | 'attr' | 'data';

/**
 * Receives the dump one line at a time, in order. `offset` is the byte offset in the buffer the
 * line describes: the message start for a separator, the field for a header line (start + 0, 4,
 * 8 or 12), the 4-byte word for every other kind. `text` is the line without its newline.
 */
export type MnlLineVisitor = (kind: MnlLineKind, offset: number, text: string) => void;

/** Size of struct nlmsghdr; also the smallest message libmnl accepts. */
const NLMSG_HDRLEN = 16;
/** nlmsg_type values below this are control messages (NLMSG_MIN_TYPE). */
const NLMSG_MIN_TYPE = 0x10;
const NLA_F_NESTED = 0x8000;
const NLA_F_NET_BYTEORDER = 0x4000;
const NLA_TYPE_MASK = 0x3fff;

// ---------------------------------------------------------------------------------------------
// Line templates. Every line is copied from a template and its variable fields are patched in
// place, so rendering is a few byte stores per line and the output is one ASCII buffer.

/** A line with the byte positions of its variable fields. */
interface Template {
  bytes: Uint8Array;
  /** Start of each field, in the order the fields were declared. */
  at: number[];
}

/**
 * Build a template from parts: a string is literal text, a number n is a field of n bytes
 * (filled with '0' in the template).
 */
function template(...parts: Array<string | number>): Template {
  let text = '';
  const at: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') {
      at.push(text.length);
      text += '0'.repeat(part);
    } else {
      text += part;
    }
  }
  return { bytes: Uint8Array.from(text + '\n', (c) => c.charCodeAt(0)), at };
}

const SGR_LEN = '\x1b[1;31m';
const SGR_FLAGS = '\x1b[1;32m';
const SGR_TYPE = '\x1b[1;34m';
const SGR_RESET = '\x1b[0m';

const SEPARATOR = template('----------------\t------------------');
const LENGTH_LINE = template('|  ', 10, '  |\t| message length |');
const TYPE_LINE = template('| ', 5, ' | ', 4, ' |\t|  type | flags  |');
const SEQUENCE_LINE = template('|  ', 10, '  |\t| sequence number|');
const PID_LINE = template('|  ', 10, '  |\t|     port ID    |');
/** Word lines: fields are the 4 hex pairs (2 bytes each) and, for data, the 4 ASCII cells. */
const CONTROL_LINE = template('| ', 2, ' ', 2, ' ', 2, ' ', 2, '  |\t|                |');
const EXTRA_LINE = template('| ', 2, ' ', 2, ' ', 2, ' ', 2, '  |\t|  extra header  |');
const DATA_LINE = template('| ', 2, ' ', 2, ' ', 2, ' ', 2, '  |\t|      data      |\t ', 1, ' ', 1, ' ', 1, ' ', 1);
/** Attribute headers: fields are nla_len (5 digits), the N/B flags (2), the type (5 digits). */
const ATTR_LINE = template('|', 5, '|', 2, '|', 5, '|\t|len |flags| type|');
const ATTR_LINE_COLOR = template(
  '|', SGR_LEN, 5, SGR_RESET, '|', SGR_FLAGS, 2, SGR_RESET, '|', SGR_TYPE, 5, SGR_RESET, '|\t|len |flags| type|',
);
/** The longest line any template produces. */
const MAX_LINE = ATTR_LINE_COLOR.bytes.length;

/** ASCII codes of the lowercase hex digits of each byte value b: high digit at 2b, low at 2b+1. */
const HEX_DIGITS = Uint8Array.from({ length: 512 }, (_, i) => '0123456789abcdef'.charCodeAt(i & 1 ? (i >> 1) & 15 : i >> 5));
/** The ASCII column's character for each byte: itself if isprint() in the C locale, else a space. */
const PRINTABLE = Uint8Array.from({ length: 256 }, (_, b) => (b >= 0x20 && b <= 0x7e ? b : 0x20));

/** A growable ASCII output buffer. */
class Output {
  bytes: Buffer;
  pos = 0;

  constructor(expected: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(256, expected));
  }

  /** Copy a template to the end and return where it starts (room for it is made first). */
  line(t: Template): number {
    const start = this.pos;
    if (start + MAX_LINE > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(this.bytes.length * 2 + MAX_LINE);
      bigger.set(this.bytes.subarray(0, start));
      this.bytes = bigger;
    }
    this.bytes.set(t.bytes, start);
    this.pos = start + t.bytes.length;
    return start;
  }

  /** Write n as `width` zero-padded decimal digits at `at` (n has at most `width` digits). */
  decimal(at: number, width: number, n: number): void {
    for (let i = at + width - 1; i >= at; i--) {
      this.bytes[i] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    }
  }

  /** Write a byte as two lowercase hex digits at `at`. */
  hex(at: number, b: number): void {
    this.bytes[at] = HEX_DIGITS[b * 2]!;
    this.bytes[at + 1] = HEX_DIGITS[b * 2 + 1]!;
  }

  /** The text from `start` to the end, without the final newline. */
  textFrom(start: number): string {
    return this.bytes.toString('latin1', start, this.pos - 1);
  }
}

/**
 * How many payload words libmnl labels "extra header" for a given extra_header_size, following
 * its size_t arithmetic (it subtracts 4 per word until the counter is 0, so any size that is not
 * a multiple of 4, or a negative size wrapped to size_t, never reaches 0 and labels every word).
 */
export function mnlExtraHeaderWords(size: number): number {
  if (typeof size !== 'number' || Number.isNaN(size)) return 0; // also a stray non-number from JS
  if (!Number.isFinite(size)) return Infinity;
  const n = Math.trunc(size);
  if (n < 0 || n % 4 !== 0) return Infinity;
  return n / 4;
}

/** Called after each line is written, with its kind, byte offset and where it starts in out. */
type LineHook = (kind: MnlLineKind, offset: number, lineStart: number) => void;

/**
 * The renderer: walks the messages like mnl_nlmsg_fprintf and appends every line to `out`.
 * `hook` (for walkMnl) sees each line as soon as it is written.
 */
function render(buf: Uint8Array, options: MnlOptions | undefined, out: Output, hook?: LineHook): void {
  const n = buf.length;
  const littleEndian = options?.byteOrder === undefined ? HOST_LITTLE_ENDIAN : options.byteOrder === 'LE';
  const attrLine = options?.color === true ? ATTR_LINE_COLOR : ATTR_LINE;
  const ehsOption = options?.extraHeaderSize ?? 0;
  const ehsOf = typeof ehsOption === 'function' ? ehsOption : undefined;
  const fixedWords = ehsOf === undefined ? mnlExtraHeaderWords(ehsOption as number) : 0;

  // Header fields: always inside the buffer, as a message needs 16 bytes to be printed.
  const u32 = (p: number): number =>
    littleEndian
      ? (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0
      : ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
  const u16 = (p: number): number => (littleEndian ? buf[p]! | (buf[p + 1]! << 8) : (buf[p]! << 8) | buf[p + 1]!);

  let start = 0;
  let remaining = n;
  while (remaining >= NLMSG_HDRLEN) {
    const length = u32(start);
    if (length < NLMSG_HDRLEN || length > remaining) break; // also stops at length >= 2^31
    const header: MnlMessageHeader = {
      length,
      type: u16(start + 4),
      flags: u16(start + 6),
      sequence: u32(start + 8),
      pid: u32(start + 12),
    };

    writeHeader(out, header, start, hook);

    const control = header.type < NLMSG_MIN_TYPE;
    let extraWords = 0;
    if (!control) {
      extraWords =
        ehsOf === undefined
          ? fixedWords
          : mnlExtraHeaderWords(ehsOf(header, buf.subarray(start + NLMSG_HDRLEN, Math.min(start + length, n))));
    }
    writePayload(out, buf, start, length, control, extraWords, littleEndian, attrLine, hook);

    const closing = out.line(SEPARATOR);
    hook?.('separator', start, closing);

    const aligned = (length + 3) & ~3; // length < 2^31 here, so no overflow
    start += aligned;
    remaining -= aligned;
  }
}

/** The 6-line header block. Only the REQUEST, MULTI, ACK and ECHO flags are shown. */
function writeHeader(out: Output, h: MnlMessageHeader, start: number, hook?: LineHook): void {
  let at = out.line(SEPARATOR);
  hook?.('separator', start, at);

  at = out.line(LENGTH_LINE);
  out.decimal(at + LENGTH_LINE.at[0]!, 10, h.length);
  hook?.('header', start, at);

  at = out.line(TYPE_LINE);
  out.decimal(at + TYPE_LINE.at[0]!, 5, h.type);
  const f = at + TYPE_LINE.at[1]!;
  out.bytes[f] = h.flags & 0x1 ? 0x52 /* R */ : 0x2d;
  out.bytes[f + 1] = h.flags & 0x2 ? 0x4d /* M */ : 0x2d;
  out.bytes[f + 2] = h.flags & 0x4 ? 0x41 /* A */ : 0x2d;
  out.bytes[f + 3] = h.flags & 0x8 ? 0x45 /* E */ : 0x2d;
  hook?.('header', start + 4, at);

  at = out.line(SEQUENCE_LINE);
  out.decimal(at + SEQUENCE_LINE.at[0]!, 10, h.sequence);
  hook?.('header', start + 8, at);

  at = out.line(PID_LINE);
  out.decimal(at + PID_LINE.at[0]!, 10, h.pid);
  hook?.('header', start + 12, at);

  at = out.line(SEPARATOR);
  hook?.('separator', start, at);
}

/**
 * The payload words of one message (offsets 16, 20, … below nlmsg_len). Each word is
 * classified by the first rule that matches:
 * 1. control message → blank label;
 * 2. extra-header words left → "extra header";
 * 3. no attribute payload pending and (type & 0x3fff) != 0 → attribute header; unless NESTED is
 *    set, the pending payload becomes align4(nla_len) − 4 (−4 for nla_len 0, which mutes the
 *    rest of the message, as libmnl's signed counter never returns to 0);
 * 4. payload pending → data line;
 * 5. otherwise nothing (type-0 attribute headers and words after an nla_len of 0).
 */
function writePayload(
  out: Output,
  buf: Uint8Array,
  start: number,
  length: number,
  control: boolean,
  extraWords: number,
  littleEndian: boolean,
  attrLine: Template,
  hook?: LineHook,
): void {
  const n = buf.length;
  const end = start + length;
  let extra = extraWords;
  let pending = 0; // libmnl's signed "rem": attribute payload bytes still to show

  for (let p = start + NLMSG_HDRLEN; p < end; p += 4) {
    let b0: number, b1: number, b2: number, b3: number;
    if (p + 3 < n) {
      b0 = buf[p]!;
      b1 = buf[p + 1]!;
      b2 = buf[p + 2]!;
      b3 = buf[p + 3]!;
    } else {
      // The last word of an unpadded final message: bytes past the buffer read as 0x00.
      b0 = p < n ? buf[p]! : 0;
      b1 = p + 1 < n ? buf[p + 1]! : 0;
      b2 = p + 2 < n ? buf[p + 2]! : 0;
      b3 = 0;
    }

    if (control) {
      writeWord(out, CONTROL_LINE, b0, b1, b2, b3);
      hook?.('control', p, out.pos - CONTROL_LINE.bytes.length);
    } else if (extra > 0) {
      extra--;
      writeWord(out, EXTRA_LINE, b0, b1, b2, b3);
      hook?.('extra', p, out.pos - EXTRA_LINE.bytes.length);
    } else {
      const nlaType = littleEndian ? b2 | (b3 << 8) : (b2 << 8) | b3;
      if (pending === 0 && (nlaType & NLA_TYPE_MASK) !== 0) {
        const nlaLen = littleEndian ? b0 | (b1 << 8) : (b0 << 8) | b1;
        const at = out.line(attrLine);
        out.decimal(at + attrLine.at[0]!, 5, nlaLen);
        out.bytes[at + attrLine.at[1]!] = nlaType & NLA_F_NESTED ? 0x4e /* N */ : 0x2d;
        out.bytes[at + attrLine.at[1]! + 1] = nlaType & NLA_F_NET_BYTEORDER ? 0x42 /* B */ : 0x2d;
        out.decimal(at + attrLine.at[2]!, 5, nlaType & NLA_TYPE_MASK);
        hook?.('attr', p, at);
        if ((nlaType & NLA_F_NESTED) === 0) pending = ((nlaLen + 3) & ~3) - 4;
      } else if (pending > 0) {
        pending -= 4;
        const at = writeWord(out, DATA_LINE, b0, b1, b2, b3);
        out.bytes[at + DATA_LINE.at[4]!] = PRINTABLE[b0]!;
        out.bytes[at + DATA_LINE.at[5]!] = PRINTABLE[b1]!;
        out.bytes[at + DATA_LINE.at[6]!] = PRINTABLE[b2]!;
        out.bytes[at + DATA_LINE.at[7]!] = PRINTABLE[b3]!;
        hook?.('data', p, at);
      }
    }
  }
}

/** A word line from `t` with the 4 bytes in hex; returns where the line starts. */
function writeWord(out: Output, t: Template, b0: number, b1: number, b2: number, b3: number): number {
  const at = out.line(t);
  out.hex(at + t.at[0]!, b0);
  out.hex(at + t.at[1]!, b1);
  out.hex(at + t.at[2]!, b2);
  out.hex(at + t.at[3]!, b3);
  return at;
}

/**
 * Walk a buffer of netlink messages the way mnl_nlmsg_fprintf does and hand each output line to
 * `visit`. Use it to stream very large dumps or to annotate lines; {@link formatMnl} is the
 * simple string form. Never reads outside `buf` (missing bytes count as 0x00) and never throws
 * on its own; an exception thrown by `visit` or by an extraHeaderSize function propagates.
 *
 * Messages are printed while at least 16 bytes remain, nlmsg_len >= 16 and nlmsg_len fits in
 * what remains; the first message that fails ends the dump silently (so does nlmsg_len >= 2^31,
 * where libmnl itself would read out of bounds). The next message starts at the 4-aligned
 * nlmsg_len. Control messages (type < 16) show every payload word with an empty label.
 */
export function walkMnl(buf: Uint8Array, options: MnlOptions | undefined, visit: MnlLineVisitor): void {
  const out = new Output(MAX_LINE * 8);
  render(buf, options, out, (kind, offset, lineStart) => {
    const text = out.textFrom(lineStart);
    out.pos = 0; // one line at a time: the buffer never grows
    visit(kind, offset, text);
  });
}

/**
 * Render a buffer of one or more netlink messages exactly as libmnl's mnl_nlmsg_fprintf does
 * (plain form by default, libmnl 1.0.4/1.0.5's coloured form with `color: true`). Every line,
 * the last included, ends in "\n"; a buffer with no printable message gives "". See
 * {@link walkMnl} for the walk's rules and edge behaviour. The only failure is a dump too large
 * for one JavaScript string (about 500 MB of text, from roughly 30 MB of messages); stream such
 * dumps with walkMnl.
 */
export function formatMnl(buf: Uint8Array, options?: MnlOptions): string {
  // The text is about 12 to 17 times the input; start near that and grow by doubling.
  const out = new Output(Math.min(buf.length * 14 + 512, 64 << 20));
  render(buf, options, out);
  return out.bytes.toString('latin1', 0, out.pos);
}
