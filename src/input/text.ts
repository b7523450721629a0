// Hex text in the forms people paste, turned back into netlink buffers. parseHexText recognises
// one form for the whole text (the first of this list found in it, in this order), then reads it:
//
//   libmnl     mnl_nlmsg_fprintf() dumps, e.g. from `nft --debug=mnl` (text-mnl.ts)
//   strace     `strace -e read=all -e write=all` dumps: ` | 00000  34 00 00 00 …` (text-dumps.ts)
//   hexdump-C  `hexdump -C` / `hd`: `00000000  34 00 00 00 …  |4...|`
//   wireshark  Wireshark "Copy as Hex Dump", `tshark -x`: `0000  34 00 00 00 …   4...`
//   xxd        `xxd`, `xxd -g1`, `xxd -u`, `xxd -a`: `00000000: 3400 0000 …  4...`
//   od         `od -t x1`, `od -A x -t x1z`, `od -x`, `od` (octal words), plain `hexdump`
//   string     quoted byte strings: strace `"\x34\x00"`/`"4\0\0\0"`, Python `b'4\x00'`, Go/C/Rust
//              `"\x34\x00"` (text-literals.ts)
//   buffer     Node's `<Buffer 34 00 00 00 …>`
//   array      Go `[]byte{0x34, 0x0}`, C `{0x34, 0x00}` (`xxd -i`), Python/JS/Go `[52, 0, 0, 0]`
//              (numbers without 0x are decimal there, as in source code; Java's negative bytes
//              are accepted)
//   plain      hex digits: `34000000…`, `34 00 00 00`, `0x34 0x00`, `\x34\x00`, `34:00:00:00`,
//              `34-00`, with `#`, `//` and `/* */` comments
//
// Packets: every form splits at blank lines (one paragraph = one buffer); besides, each dump of
// the offset forms, each strace iovec dump, each Node Buffer, each innermost [ ]/{ } list and each
// run of string literals not separated by other text is a buffer of its own. A buffer may hold
// several netlink messages back to back, as one recv() returns them.
//
// Pasted from Wireshark, a packet starts with the 16-byte LINKTYPE_NETLINK pseudo-header
// (ARPHRD_NETLINK = 0x0338 in bytes 2–3, big-endian). That can never be the start of a netlink
// message in practice (it would mean nlmsg_len ≥ 0x38030000), so when it is there and a
// plausible message follows, it is cut off and its netlink protocol and direction are kept.
import { InputError } from './errors.js';
import { TextContext, hexValue, isBlank, isCommentLine, showChar, splitLines, type TextPacket } from './text-common.js';
import { CANONICAL_LINE, STRACE_BUFFER_LINE, STRACE_LINE, XXD_LINE, parseOffsetDump, splitOdLine } from './text-dumps.js';
import { parseStringLiterals } from './text-literals.js';
import { MNL_ATTR, MNL_SEPARATOR, MNL_WORD, parseMnlDump } from './text-mnl.js';
import { ByteWriter } from './writer.js';

export type { TextPacket } from './text-common.js';

/** The text forms parseHexText reads; see the list at the top of text.ts. */
export type HexStyle =
  | 'libmnl'
  | 'strace'
  | 'hexdump-C'
  | 'wireshark'
  | 'xxd'
  | 'od'
  | 'string'
  | 'buffer'
  | 'array'
  | 'plain';

/** What parseHexText found. */
export interface HexParseResult {
  /** Every packet's bytes, concatenated. */
  bytes: Uint8Array;
  /** The form that was recognised. */
  style: HexStyle;
  /** The buffers, in text order, each with the line it starts on. */
  packets: TextPacket[];
  /** Things noticed but not fatal, one line each (see ReadResult.warnings). */
  warnings: string[];
}

/** Options of parseHexText. */
export interface HexParseOptions {
  /** Name of the input for error messages, e.g. a file name. Default "input". */
  source?: string;
}

// --- detection ----------------------------------------------------------------------------------

const ANSI_SGR = /\x1b\[[0-9;]*m/g;

/** Form of one line, by the order of precedence; undefined for a line that says nothing. */
function lineStyle(line: string): HexStyle | undefined {
  if (MNL_SEPARATOR.test(line) || MNL_WORD.test(line) || MNL_ATTR.test(line) || /^\|\s*\d{10}\s*\|\s*\|\s*message length/.test(line)) return 'libmnl';
  if (STRACE_LINE.test(line) || STRACE_BUFFER_LINE.test(line)) return 'strace';
  const canonical = CANONICAL_LINE.exec(line);
  if (canonical !== null) {
    if (canonical[1]!.length >= 8 && line.includes('|')) return 'hexdump-C';
    if (/^0+$/.test(canonical[1]!)) return canonical[1]!.length === 4 ? 'wireshark' : 'hexdump-C';
  }
  if (XXD_LINE.test(line) && /^[0-9a-fA-F]{8,16}: [0-9a-fA-F]/.test(line)) return 'xxd';
  const od = /^0{6,7} /.test(line) ? splitOdLine(line) : undefined;
  if (od !== undefined && od.values.length > 0 && /^0+$/.test(od.offset)) return 'od';
  if (line.includes('<Buffer')) return 'buffer';
  // a quote can only be a string literal: plain hex has none and lists skip them
  const code = line.replace(/\s(?:#|\/\/).*$/, ''); // not in a trailing comment
  if (/["']/.test(code)) {
    const escape = /\\(?:[xX][0-9a-fA-F]|[0-7nrtvfabe\\"'?])/.test(code);
    const outside = code.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '');
    if (escape || /(?:^|[^A-Za-z0-9_])[bB]["']/.test(code) || !/[[{]/.test(outside)) return 'string';
  }
  if (/[[{]/.test(code)) return 'array';
  return undefined;
}

const PRECEDENCE: readonly HexStyle[] = ['libmnl', 'strace', 'hexdump-C', 'wireshark', 'xxd', 'od', 'string', 'buffer', 'array', 'plain'];

/** The form of the whole text: the highest-precedence form any line has, else plain. */
export function detectHexStyle(lines: readonly string[]): HexStyle {
  let best = PRECEDENCE.length - 1;
  for (const line of lines) {
    if (isBlank(line) || isCommentLine(line)) continue;
    const style = lineStyle(line);
    if (style === undefined) continue;
    best = Math.min(best, PRECEDENCE.indexOf(style));
    if (best === 0) break;
  }
  return PRECEDENCE[best]!;
}

// --- plain hex ----------------------------------------------------------------------------------

/**
 * Plain hex, one buffer per paragraph. Separators: whitespace , : ; -. A group of digits must
 * have an even length unless it ends its line (a long hex string wrapped at any column); the
 * paragraph as a whole must have an even number of digits.
 */
function parsePlain(lines: readonly string[], ctx: TextContext): void {
  const w = new ByteWriter();
  let packetLine = 0;
  let nibble = -1; // high nibble waiting for its low one
  let oddAt: { line: number; column: number } | undefined; // where the pending odd digit started
  let inComment = 0; // line where an open /* comment started
  const flush = (line: number): void => {
    if (nibble >= 0) {
      ctx.fail(oddAt!.line, oddAt!.column, `odd number of hex digits: the group starting here leaves one digit over at the end of its paragraph (line ${line - 1})`);
    }
    ctx.emit(w, packetLine);
    packetLine = 0;
  };
  const takeByteToken = (line: number, column: number, value: number): void => {
    if (nibble >= 0) ctx.fail(oddAt!.line, oddAt!.column, 'odd number of hex digits before this byte');
    if (packetLine === 0) packetLine = line;
    w.push(value);
  };

  lines.forEach((text, index) => {
    const line = index + 1;
    if (inComment === 0 && isBlank(text)) return flush(line);
    let i = 0;
    while (i < text.length) {
      if (inComment > 0) {
        const end = text.indexOf('*/', i);
        if (end < 0) return;
        inComment = 0;
        i = end + 2;
        continue;
      }
      const c = text.charCodeAt(i);
      const ch = text[i]!;
      if (ch === ' ' || ch === '\t' || ch === ',' || ch === ':' || ch === ';' || ch === '-' || ch === '\f' || ch === '\v') {
        i++;
        continue;
      }
      if (ch === '#' || (ch === '/' && text[i + 1] === '/')) return;
      if (ch === '/' && text[i + 1] === '*') {
        inComment = line;
        i += 2;
        continue;
      }
      // 0x prefix (0x44, Go's 0x0, or a whole 0x4400… string) and \x prefix (\x44\x00)
      const prefixed = (ch === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) || (ch === '\\' && text[i + 1] === 'x');
      if (prefixed && hexValue(text.charCodeAt(i + 2)) >= 0) {
        let j = i + 2;
        while (hexValue(text.charCodeAt(j)) >= 0 && (ch === '0' || j < i + 4)) j++;
        const digits = j - i - 2;
        if (digits === 1) takeByteToken(line, i + 1, hexValue(text.charCodeAt(i + 2)));
        else if (digits % 2 !== 0) ctx.fail(line, i + 1, `${text.slice(i, j)} has an odd number of hex digits`);
        else for (let k = i + 2; k < j; k += 2) takeByteToken(line, i + 1, hexValue(text.charCodeAt(k)) * 16 + hexValue(text.charCodeAt(k + 1)));
        i = j;
        continue;
      }
      let v = hexValue(c);
      if (v < 0 && ch === '*' && /^\s*\*\s*$/.test(text)) {
        ctx.fail(line, i + 1, `'*' (od/hexdump: "same as the line before") cannot be expanded without the offset column; dump with od -v, or keep the offsets`);
      }
      if (v < 0) ctx.fail(line, i + 1, `${showChar(ch)} is not a hex digit`);
      // a run of hex digits
      const start = i;
      if (packetLine === 0) packetLine = line;
      if (nibble < 0) oddAt = { line, column: start + 1 };
      while (v >= 0) {
        if (nibble < 0) nibble = v;
        else {
          w.push(nibble * 16 + v);
          nibble = -1;
        }
        v = hexValue(text.charCodeAt(++i));
      }
      if (nibble >= 0 && !endsLine(text, i)) {
        ctx.fail(oddAt!.line, oddAt!.column, `odd number of hex digits in ${JSON.stringify(text.slice(oddAt!.line === line ? oddAt!.column - 1 : start, i))}`);
      }
    }
  });
  flush(lines.length + 1);
}

/** True when only blanks or a comment follow index `i` of `text`. */
function endsLine(text: string, i: number): boolean {
  let j = i;
  while (text[j] === ' ' || text[j] === '\t') j++;
  return j >= text.length || text[j] === '#' || (text[j] === '/' && text[j + 1] === '/');
}

// --- Node Buffers -------------------------------------------------------------------------------

/** `<Buffer 44 00 00 00 … 12 more bytes>`: one buffer per `<Buffer …>`. */
function parseNodeBuffers(lines: readonly string[], ctx: TextContext): void {
  const w = new ByteWriter();
  lines.forEach((text, index) => {
    const line = index + 1;
    for (const m of text.matchAll(/<Buffer((?: [0-9a-f]{2})*)( \.\.\. (\d+) more bytes?)?>/g)) {
      for (const hex of m[1]!.trim().split(' ')) if (hex !== '') w.push(parseInt(hex, 16));
      if (m[2] !== undefined) ctx.warn(line, `Node cut this Buffer short (${m[3]} more bytes not shown); print it with buf.toString('hex') to see all of it`);
      ctx.emit(w, line);
    }
  });
  if (ctx.packets.length === 0) ctx.fail(1, undefined, 'no complete <Buffer …> found');
}

// --- array literals -----------------------------------------------------------------------------

/**
 * Numbers inside [ ] or { }: each innermost list with numbers is one buffer. Outside lists
 * everything is ignored (`unsigned int x_len = 93;`, `req :=`); so are longer identifiers inside
 * them (`(byte)`), string and character literals, and comments. A `[…]` directly followed by a
 * type (`[16]byte{…}`) or holding a `;` (Rust's `[u8; 48]`) is a type, not data.
 *
 * Numbers with 0x (0b, 0o) are read as such; numbers without a prefix are decimal, as in source
 * code and as Go's %v, Python's list() and Java's Arrays.toString print bytes (Java's negative
 * bytes wrap). One exception: a list whose unprefixed numbers include hex letters or a leading
 * zero (`[44, 00, f1]`, Rust's {:x?} / {:02x?}) is read as hex, with a warning.
 */
function parseArrays(lines: readonly string[], ctx: TextContext): void {
  interface Group { close: string; column: number; tokens: { text: string; at: number }[]; semicolon: boolean }
  const stack: Group[] = [];
  let inComment = false;
  const text = lines.join('\n');
  // line/column of an index into `text`, for messages
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const where = (at: number): [number, number] => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return [lo + 1, at - lineStarts[lo]! + 1];
  };
  const fail: (at: number, message: string) => never = (at, message) => {
    const [line, column] = where(at);
    return ctx.fail(line, column, message);
  };
  const closeGroup = (group: Group): void => {
    if (group.tokens.length === 0) return;
    const isBareHex = (t: string): boolean => t.length <= 2 && hexValue(t.charCodeAt(0)) >= 0 && (t.length === 1 || hexValue(t.charCodeAt(1)) >= 0);
    const hex = group.tokens.some((t) => isBareHex(t.text) && (/[a-fA-F]/.test(t.text) || (t.text.length === 2 && t.text[0] === '0')));
    const line = where(group.column)[0];
    if (hex) ctx.warn(line, 'numbers without 0x but with hex digits or leading zeros (Rust {:x?}?): read as hex');
    const w = new ByteWriter();
    for (const t of group.tokens) w.push(hex && isBareHex(t.text) ? parseInt(t.text, 16) : arrayByte(t.text, t.at, fail));
    ctx.packets.push({ bytes: w.take(), line });
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (inComment) {
      const end = text.indexOf('*/', i);
      if (end < 0) break;
      inComment = false;
      i = end + 2;
    } else if (ch === '/' && text[i + 1] === '*') {
      inComment = true;
      i += 2;
    } else if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (ch === '"' || ch === "'" || ch === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== ch && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (ch === '[' || ch === '{') {
      stack.push({ close: ch === '[' ? ']' : '}', column: i, tokens: [], semicolon: false });
      i++;
    } else if (ch === ']' || ch === '}') {
      const group = stack.pop();
      if (group === undefined || group.close !== ch) fail(i, `${showChar(ch)} does not close anything`);
      i++;
      // `[16]byte{…}` (Go) and `[u8; 48]` (Rust) are types; so is Rust's `[0u8; 16]` repeat, near enough
      const isType = ch === ']' && (group.semicolon || /^[ \t]*[A-Za-z_*[]/.test(text.slice(i, i + 40)));
      if (!isType) closeGroup(group);
    } else if (isWordChar(text.charCodeAt(i)) || (ch === '-' && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (isWordChar(text.charCodeAt(j))) j++;
      const group = stack[stack.length - 1];
      if (group !== undefined) {
        const token = text.slice(i, j);
        // identifiers (byte, uint8, …) are skipped, but one or two hex letters are a bare hex byte
        const number = ch === '-' || isDigit(text.charCodeAt(i)) || (token.length <= 2 && hexValue(token.charCodeAt(0)) >= 0 && (token.length === 1 || hexValue(token.charCodeAt(1)) >= 0));
        if (number) group.tokens.push({ text: token, at: i });
      }
      i = j;
    } else {
      if (ch === ';' && stack.length > 0) stack[stack.length - 1]!.semicolon = true;
      i++;
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1]!;
    fail(open.column, `${showChar(open.close === ']' ? '[' : '{')} is never closed`);
  }
  if (ctx.packets.length === 0) ctx.fail(1, undefined, 'no numbers inside [ ] or { } found');
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** [0-9A-Za-z_] */
function isWordChar(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** A number token of an array literal as a byte: 0x.., 0o.., 0b.., decimal; -128..-1 wrap. */
function arrayByte(token: string, at: number, fail: (at: number, message: string) => never): number {
  // the common cases first: 0x44, 0x0, 68
  if (token.length <= 4 && token[0] === '0' && (token[1] === 'x' || token[1] === 'X')) {
    const hi = hexValue(token.charCodeAt(2));
    const lo = token.length === 4 ? hexValue(token.charCodeAt(3)) : 0;
    if (hi >= 0 && lo >= 0) return token.length === 4 ? hi * 16 + lo : hi;
  }
  if (token.length <= 3 && isDigit(token.charCodeAt(0)) && (token.length < 2 || isDigit(token.charCodeAt(1))) && (token.length < 3 || isDigit(token.charCodeAt(2)))) {
    const v = Number(token);
    if (v <= 255) return v;
  }
  const body = token.replace(/_/g, '').replace(/(?:u8|i8|U|u|L|l)+$/, '');
  let value = Number.NaN;
  if (/^-?0[xX][0-9a-fA-F]+$/.test(body) || /^-?0[bB][01]+$/.test(body) || /^-?0[oO][0-7]+$/.test(body)) {
    value = body.startsWith('-') ? -Number(body.slice(1)) : Number(body);
  } else if (/^-?[0-9]+$/.test(body)) {
    value = parseInt(body, 10);
  }
  if (Number.isNaN(value)) fail(at, `${JSON.stringify(token)} is not a number`);
  if (value < -128 || value > 255) fail(at, `${token} does not fit in a byte`);
  return value & 0xff;
}

// --- pseudo-header ------------------------------------------------------------------------------

/**
 * A pasted packet without its LINKTYPE_NETLINK pseudo-header (see the file comment), or
 * undefined when it has none.
 */
function stripPseudoHeader(packet: TextPacket): TextPacket | undefined {
  const b = packet.bytes;
  if (b.length < 32 || b[2] !== 0x03 || b[3] !== 0x38) return undefined;
  const nlmsgLen = (b[16]! | (b[17]! << 8) | (b[18]! << 16) | (b[19]! << 24)) >>> 0;
  const nlmsgLenBE = ((b[16]! << 24) | (b[17]! << 16) | (b[18]! << 8) | b[19]!) >>> 0;
  const fits = (n: number): boolean => n >= 16 && n <= b.length - 16;
  if (!fits(nlmsgLen) && !fits(nlmsgLenBE)) return undefined;
  const out: TextPacket = { bytes: b.subarray(16), line: packet.line, protocol: (b[14]! << 8) | b[15]! };
  const pkttype = (b[0]! << 8) | b[1]!;
  if (pkttype === 7) out.direction = 'to-kernel';
  if (pkttype === 6) out.direction = 'to-user';
  return out;
}

// --- entry point --------------------------------------------------------------------------------

/**
 * Read hex text in any of the forms listed at the top of this file. The form is detected from the
 * text; colour codes (ANSI SGR), a byte-order mark and CR line ends are ignored. Returns every
 * buffer found (one per paragraph, dump, list or literal run) and their concatenation.
 *
 * Throws InputError, naming the line and column, for text with no bytes in it, characters that
 * are not hex, an odd number of hex digits, unclosed literals or lists, values that do not fit in
 * a byte, and strace output that shows decoded netlink messages instead of their bytes.
 */
export function parseHexText(text: string, options: HexParseOptions = {}): HexParseResult {
  const ctx = new TextContext(options.source ?? 'input');
  const clean = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(ANSI_SGR, '');
  const lines = splitLines(clean);
  const style = detectHexStyle(lines);
  if (style === 'string' && /\bnlmsg_len=\d/.test(clean)) {
    throw new InputError(
      `${ctx.source}: this is strace's decoded view of netlink messages, not their bytes; run strace with -e read=all -e write=all (and -s 65536) to get hex dumps`,
    );
  }
  switch (style) {
    case 'libmnl':
      parseMnlDump(lines, ctx);
      break;
    case 'strace':
    case 'hexdump-C':
    case 'wireshark':
    case 'xxd':
    case 'od':
      parseOffsetDump(style, lines, ctx);
      break;
    case 'string':
      parseStringLiterals(lines, ctx);
      break;
    case 'buffer':
      parseNodeBuffers(lines, ctx);
      break;
    case 'array':
      parseArrays(lines, ctx);
      break;
    case 'plain':
      parsePlain(lines, ctx);
      break;
  }
  if (ctx.packets.length === 0) {
    throw new InputError(`${ctx.source}: no hex bytes found${clean.trim() === '' ? ' (the text is empty)' : ''}`);
  }
  let stripped = 0;
  const packets = ctx.packets.map((p) => {
    const bare = stripPseudoHeader(p);
    if (bare === undefined) return p;
    stripped++;
    return bare;
  });
  if (stripped > 0) {
    const which = stripped === packets.length ? (stripped === 1 ? 'the packet starts' : `all ${stripped} packets start`) : `${stripped} of ${packets.length} packets start`;
    ctx.warn(0, `${which} with the 16-byte LINKTYPE_NETLINK pseudo-header of a capture (copied from Wireshark?); cut off, its netlink protocol kept`);
  }
  const total = packets.reduce((n, p) => n + p.bytes.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of packets) {
    bytes.set(p.bytes, at);
    at += p.bytes.length;
  }
  return { bytes, style, packets, warnings: ctx.warnings };
}
