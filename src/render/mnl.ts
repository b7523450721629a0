// The libmnl hex dump: a byte-for-byte reimplementation of what libmnl 1.0.4/1.0.5's
// mnl_nlmsg_fprintf(fd, buf, len, extra_header_size) prints, as specified in
// research/tools-survey.md §a. It knows no netlink family; the caller says how many bytes of
// each message are the family's fixed ("extra") header.
//
// Layout, per message: a 6-line header block, one line per 4-byte payload word, a closing
// separator. Every line is a 16-character left cell, a TAB, an 18-character right cell; data
// lines add a TAB and an ASCII column. The word classification reproduces libmnl's C integer
// behaviour on purpose (see classifyWords below), including its surprises: attributes of type 0
// vanish, an nla_len of 0 silences the rest of the message, nests are shown flat, and an extra
// header size that is not a multiple of 4 labels every remaining word "extra header".
//
// Two deliberate deviations, both where C's behaviour is undefined:
// * a message whose nlmsg_len is >= 2^31 ends the dump (libmnl compares it as a negative int,
//   accepts it, and reads far outside the buffer);
// * bytes past the end of the buffer (the last word of an unpadded final message) read as 0x00.

import { endianness } from 'node:os';

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
   * the default is this machine's order (os.endianness()). Set it to render a capture taken on a
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

const SEPARATOR = '----------------\t------------------';
const LABEL_CONTROL = '|                |';
const LABEL_EXTRA = '|  extra header  |';
const LABEL_ATTR = '\t|len |flags| type|';
const LABEL_DATA = '|      data      |\t';
const SGR_LEN = '\x1b[1;31m';
const SGR_FLAGS = '\x1b[1;32m';
const SGR_TYPE = '\x1b[1;34m';
const SGR_RESET = '\x1b[0m';

/** Two lowercase hex digits for each byte value. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** The ASCII-column cell for each byte value: a space, then the byte if isprint() in the C locale, else a space. */
const ASCII: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  b >= 0x20 && b <= 0x7e ? ' ' + String.fromCharCode(b) : '  ',
);
/** The two flag characters of an attribute header, indexed by (nla_type >> 14). */
const ATTR_FLAGS: readonly string[] = ['--', '-B', 'N-', 'NB'];

function pad10(n: number): string {
  return String(n).padStart(10, '0');
}

function pad5(n: number): string {
  return String(n).padStart(5, '0');
}

/**
 * How many payload words libmnl labels "extra header" for a given extra_header_size, following
 * its size_t arithmetic (it subtracts 4 per word until the counter is 0, so any size that is not
 * a multiple of 4, or a negative size wrapped to size_t, never reaches 0).
 */
export function mnlExtraHeaderWords(size: number): number {
  if (Number.isNaN(size)) return 0;
  if (!Number.isFinite(size)) return Infinity;
  const n = Math.trunc(size);
  if (n < 0 || n % 4 !== 0) return Infinity;
  return n / 4;
}

/** The 4 header lines between the separators, for a header read from the buffer. */
function headerLines(h: MnlMessageHeader): [string, string, string, string] {
  const f = h.flags;
  const flagChars =
    (f & 0x1 ? 'R' : '-') + (f & 0x2 ? 'M' : '-') + (f & 0x4 ? 'A' : '-') + (f & 0x8 ? 'E' : '-');
  return [
    '|  ' + pad10(h.length) + '  |\t| message length |',
    '| ' + pad5(h.type) + ' | ' + flagChars + ' |\t|  type | flags  |',
    '|  ' + pad10(h.sequence) + '  |\t| sequence number|',
    '|  ' + pad10(h.pid) + '  |\t|     port ID    |',
  ];
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
 * nlmsg_len.
 */
export function walkMnl(buf: Uint8Array, options: MnlOptions | undefined, visit: MnlLineVisitor): void {
  const n = buf.length;
  const littleEndian = (options?.byteOrder ?? endianness()) === 'LE';
  const color = options?.color === true;
  const ehsOption = options?.extraHeaderSize ?? 0;
  const fixedWords = typeof ehsOption === 'number' ? mnlExtraHeaderWords(ehsOption) : 0;

  const u32 = (p: number): number =>
    littleEndian
      ? (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0
      : ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
  const u16 = (p: number): number =>
    littleEndian ? buf[p]! | (buf[p + 1]! << 8) : (buf[p]! << 8) | buf[p + 1]!;

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

    const [lenLine, typeLine, seqLine, pidLine] = headerLines(header);
    visit('separator', start, SEPARATOR);
    visit('header', start, lenLine);
    visit('header', start + 4, typeLine);
    visit('header', start + 8, seqLine);
    visit('header', start + 12, pidLine);
    visit('separator', start, SEPARATOR);

    const control = header.type < NLMSG_MIN_TYPE;
    let extraWords = 0;
    if (!control) {
      extraWords =
        typeof ehsOption === 'number'
          ? fixedWords
          : mnlExtraHeaderWords(
              ehsOption(header, buf.subarray(start + NLMSG_HDRLEN, Math.min(start + length, n))),
            );
    }
    classifyWords(buf, start, length, control, extraWords, littleEndian, color, visit);
    visit('separator', start, SEPARATOR);

    const aligned = (length + 3) & ~3; // length < 2^31 here, so no overflow
    start += aligned;
    remaining -= aligned;
  }
}

/**
 * Print the payload words of one message (offsets 16, 20, … below nlmsg_len). Each word is
 * classified by the first rule that matches:
 * 1. control message → blank label;
 * 2. extra-header words left → "extra header";
 * 3. no attribute payload pending and (type & 0x3fff) != 0 → attribute header; unless NESTED is
 *    set, the pending payload becomes align4(nla_len) − 4 (−4 for nla_len 0, which mutes the
 *    rest of the message, as libmnl's signed counter never returns to 0);
 * 4. payload pending → data line;
 * 5. otherwise nothing (type-0 attribute headers and words after an nla_len of 0).
 */
function classifyWords(
  buf: Uint8Array,
  start: number,
  length: number,
  control: boolean,
  extraWords: number,
  littleEndian: boolean,
  color: boolean,
  visit: MnlLineVisitor,
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
      visit('control', p, wordCell(b0, b1, b2, b3) + LABEL_CONTROL);
    } else if (extra > 0) {
      extra--;
      visit('extra', p, wordCell(b0, b1, b2, b3) + LABEL_EXTRA);
    } else {
      const nlaType = littleEndian ? b2 | (b3 << 8) : (b2 << 8) | b3;
      if (pending === 0 && (nlaType & NLA_TYPE_MASK) !== 0) {
        const nlaLen = littleEndian ? b0 | (b1 << 8) : (b0 << 8) | b1;
        visit('attr', p, attrCell(nlaLen, nlaType, color) + LABEL_ATTR);
        if ((nlaType & NLA_F_NESTED) === 0) pending = ((nlaLen + 3) & ~3) - 4;
      } else if (pending > 0) {
        pending -= 4;
        visit(
          'data',
          p,
          wordCell(b0, b1, b2, b3) + LABEL_DATA + ASCII[b0]! + ASCII[b1]! + ASCII[b2]! + ASCII[b3]!,
        );
      }
    }
  }
}

/** The left cell of a word line plus its TAB: `| xx xx xx xx  |⇥`. */
function wordCell(b0: number, b1: number, b2: number, b3: number): string {
  return '| ' + HEX[b0]! + ' ' + HEX[b1]! + ' ' + HEX[b2]! + ' ' + HEX[b3]! + '  |\t';
}

/** The left cell of an attribute-header line: `|NNNNN|FB|TTTTT|`, optionally coloured. */
function attrCell(nlaLen: number, nlaType: number, color: boolean): string {
  const len = pad5(nlaLen);
  const flags = ATTR_FLAGS[nlaType >>> 14]!;
  const type = pad5(nlaType & NLA_TYPE_MASK);
  return color
    ? '|' + SGR_LEN + len + SGR_RESET + '|' + SGR_FLAGS + flags + SGR_RESET + '|' + SGR_TYPE + type + SGR_RESET + '|'
    : '|' + len + '|' + flags + '|' + type + '|';
}

/**
 * Render a buffer of one or more netlink messages exactly as libmnl's mnl_nlmsg_fprintf does
 * (plain form by default, libmnl 1.0.4/1.0.5's coloured form with `color: true`). Every line,
 * the last included, ends in "\n"; a buffer with no printable message gives "". See
 * {@link walkMnl} for the walk's rules and edge behaviour. The only failure is a dump too large
 * for one JavaScript string (hundreds of MB); stream such dumps with walkMnl.
 */
export function formatMnl(buf: Uint8Array, options?: MnlOptions): string {
  const lines: string[] = [];
  walkMnl(buf, options, (_kind, _offset, text) => {
    lines.push(text);
  });
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
