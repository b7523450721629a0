// Hex dumps with an offset column: xxd, hexdump -C, Wireshark/tshark -x, od and plain hexdump,
// and the `-e read=`/`-e write=` dumps of strace. Each line is read into (offset, bytes); the
// offsets then place the bytes, which is what lets these forms say more than their hex:
// * `*` (hexdump, od, xxd -a) stands for lines equal to the one before, up to the next offset;
// * a final line with only an offset gives the exact length (od and hexdump pad the last word);
// * an offset going back to 0 starts a new dump, so two dumps pasted together are two packets;
// * strace's ` * N bytes in buffer K` line starts a packet (K = 0) or continues it (the next
//   iovec of the same sendmsg/recvmsg), and any other line between dumps (the syscall) ends one.
// The ASCII column is never read: it can hold anything, including hex digits.
import { HOST_LITTLE_ENDIAN } from '../netlink/align.js';
import { TextContext, hexValue, isBlank, isCommentLine } from './text-common.js';
import { ByteWriter } from './writer.js';

/** The offset-column forms. */
export type DumpStyle = 'xxd' | 'hexdump-C' | 'wireshark' | 'od' | 'strace';

type DumpLine =
  | { kind: 'data'; offset: string; bytes: Uint8Array; line: number; width?: number }
  | { kind: 'end'; offset: string; line: number }
  | { kind: 'star'; line: number }
  | { kind: 'buffer'; index: number; size: number; line: number }
  | { kind: 'break' }
  | { kind: 'other'; line: number };

// --- recognisers, also used by text.ts to pick the form -----------------------------------------

/** `00000010: 6162 6364 …  abcd…` */
export const XXD_LINE = /^([0-9a-fA-F]{8,16}): ?(.*)$/;
/**
 * `00000010  61 62 63 64 …  |abcd…|` (hexdump -C), `0010  61 62 …   abcd…` (tshark -x) and
 * `0010   61 62 …   abcd…` (Wireshark's "Copy as Hex + ASCII Dump", three spaces).
 */
export const CANONICAL_LINE = /^([0-9a-fA-F]{4}|[0-9a-fA-F]{8,16}) {2,3}([0-9a-fA-F]{2}(?: .*)?)$/;
/** ` | 00010  61 62 63 64 …  abcd… |` (strace -e read=/write=). */
export const STRACE_LINE = /^\s*\| ([0-9a-f]{5,8})  ([0-9a-f]{2}(?: .*)?)$/;
/** ` * 52 bytes in buffer 0` (strace, before each iovec's dump). */
export const STRACE_BUFFER_LINE = /^\s*\* (\d+) bytes in buffer (\d+)\s*$/;
/** An offset alone: the end of a hexdump/od dump. */
const END_LINE = /^([0-9a-fA-F]{4,16})\s*$/;
/** `*` alone: lines equal to the previous one, up to the next offset. */
const STAR_LINE = /^\s*\*\s*$/;

/** Widths of od/hexdump value columns and how to read them: [radix, bytes per value]. */
const OD_WIDTHS: Readonly<Record<number, readonly [number, number]>> = {
  2: [16, 1], // od -t x1, od -A x -t x1z
  3: [8, 1], // od -b, od -t o1
  4: [16, 2], // hexdump (no options), od -x, od -t x2
  6: [8, 2], // od, od -o
  8: [16, 4], // od -t x4
  11: [8, 4], // od -t o4
  16: [16, 8], // od -t x8
};

/**
 * The value columns of an od/hexdump line (`0000020 6261 6463 …`): offset and values, or
 * undefined when the line is not one. A trailing od `-z` column (`  >abcd<`) is cut off first.
 */
export function splitOdLine(line: string): { offset: string; values: string[] } | undefined {
  if (!/^[0-9a-fA-F]{6,7}(?:\s|$)/.test(line)) return undefined;
  const z = line.indexOf('  >');
  const text = (z >= 0 ? line.slice(0, z) : line).trim();
  const tokens = text.split(/\s+/);
  const offset = tokens[0]!;
  if (!/^[0-9a-fA-F]{6,7}$/.test(offset)) return undefined;
  const values = tokens.slice(1);
  if (values.length === 0) return { offset, values };
  const width = values[0]!.length;
  const kind = OD_WIDTHS[width];
  if (kind === undefined) return undefined;
  const digits = kind[0] === 8 ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/;
  for (const v of values) if (v.length !== width || !digits.test(v)) return undefined;
  return { offset, values };
}

/** An od/hexdump line's values as bytes, each value written in this machine's byte order. */
function odBytes(values: string[]): Uint8Array {
  const [radix, size] = OD_WIDTHS[values[0]!.length]!;
  const out = new Uint8Array(values.length * size);
  values.forEach((v, i) => {
    let n = BigInt(radix === 16 ? `0x${v}` : `0o${v}`);
    for (let k = 0; k < size; k++) {
      const at = HOST_LITTLE_ENDIAN ? i * size + k : i * size + size - 1 - k;
      out[at] = Number(n & 0xffn);
      n >>= 8n;
    }
  });
  return out;
}

/**
 * Up to `max` two-digit hex byte tokens from the start of `text`, separated by one or two spaces;
 * stops at a wider gap or anything else (the ASCII column). Returns undefined if a token is
 * followed by junk, e.g. `4g`.
 */
function scanByteTokens(text: string, max: number): Uint8Array | undefined {
  const out: number[] = [];
  let i = 0;
  while (out.length < max && i < text.length) {
    let spaces = 0;
    while (text[i] === ' ') {
      spaces++;
      i++;
    }
    if (out.length > 0 && (spaces === 0 || spaces > 2)) break;
    const hi = hexValue(text.charCodeAt(i));
    const lo = hexValue(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) break;
    const after = text[i + 2];
    if (after !== undefined && after !== ' ') return out.length === 0 ? undefined : Uint8Array.from(out);
    out.push(hi * 16 + lo);
    i += 2;
  }
  return Uint8Array.from(out);
}

/** Read one line of `style` into a DumpLine; `ctx.fail`s on a dump line with bad hex. */
function readLine(style: DumpStyle, text: string, line: number, ctx: TextContext): DumpLine {
  if (isBlank(text)) return { kind: 'break' };
  if (isCommentLine(text)) return { kind: 'other', line };
  if (STAR_LINE.test(text)) return { kind: 'star', line };
  switch (style) {
    case 'xxd': {
      const m = XXD_LINE.exec(text);
      if (m === null) break;
      const gap = m[2]!.indexOf('  ');
      const hex = (gap >= 0 ? m[2]!.slice(0, gap) : m[2]!).replace(/ /g, '');
      if (!/^[0-9a-fA-F]*$/.test(hex)) ctx.fail(line, undefined, `xxd line has something other than hex digits before its text column: ${JSON.stringify(m[2]!.slice(0, 60))}`);
      if (hex.length % 2 !== 0) ctx.fail(line, undefined, `xxd line has an odd number of hex digits (${hex.length})`);
      return { kind: 'data', offset: m[1]!, bytes: Buffer.from(hex, 'hex'), line };
    }
    case 'hexdump-C':
    case 'wireshark': {
      const m = CANONICAL_LINE.exec(text);
      if (m === null) break;
      const bar = m[2]!.indexOf('|');
      const bytes = scanByteTokens(bar >= 0 ? m[2]!.slice(0, bar) : m[2]!, 16);
      if (bytes === undefined) ctx.fail(line, undefined, `not a hex byte: ${JSON.stringify(m[2]!.slice(0, 8))}`);
      return { kind: 'data', offset: m[1]!, bytes, line };
    }
    case 'strace': {
      const buffer = STRACE_BUFFER_LINE.exec(text);
      if (buffer !== null) return { kind: 'buffer', size: Number(buffer[1]), index: Number(buffer[2]), line };
      const m = STRACE_LINE.exec(text);
      if (m === null) return { kind: 'break' }; // a syscall line between dumps
      const bytes = scanByteTokens(m[2]!, 16);
      if (bytes === undefined) ctx.fail(line, undefined, `not a hex byte: ${JSON.stringify(m[2]!.slice(0, 8))}`);
      return { kind: 'data', offset: m[1]!, bytes, line };
    }
    case 'od': {
      const parts = splitOdLine(text);
      if (parts === undefined) break;
      if (parts.values.length === 0) return { kind: 'end', offset: parts.offset, line };
      return { kind: 'data', offset: parts.offset, bytes: odBytes(parts.values), line, width: parts.values[0]!.length };
    }
  }
  const end = END_LINE.exec(text);
  if (end !== null) return { kind: 'end', offset: end[1]!, line };
  return { kind: 'other', line };
}

/** Offset digits for each radix od may use. */
const RADIX_DIGITS: Readonly<Record<number, RegExp>> = { 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };

function parseOffset(text: string, radix: number): number {
  if (!RADIX_DIGITS[radix]!.test(text)) return Number.NaN;
  return parseInt(text, radix);
}

/** True when every offset of `lines` follows from the line before it, read in `radix`. */
function offsetsFit(lines: DumpLine[], radix: number): boolean {
  for (let i = 0; i < lines.length; i++) {
    const cur = lines[i]!;
    if (cur.kind !== 'data' && cur.kind !== 'end') continue;
    const got = parseOffset(cur.offset, radix);
    if (Number.isNaN(got)) return false;
    const prev = lines[i - 1];
    if (prev?.kind !== 'data' || got === 0) continue;
    const want = parseOffset(prev.offset, radix) + prev.bytes.length;
    // an end offset may be up to 7 bytes short of the line: od pads the last value
    if (cur.kind === 'end' ? got > want || got < want - 7 : got !== want) return false;
  }
  return true;
}

/**
 * The radix of an od/hexdump offset column: octal for od (unless -A x / -A d), hex for hexdump;
 * the one in which every offset follows from the line before it. When both fit (a dump whose
 * second line is a `*`), octal values mean od and hex values mean hexdump, with a warning.
 */
function guessRadix(lines: DumpLine[], ctx: TextContext): number {
  const fits = [16, 8, 10].filter((radix) => offsetsFit(lines, radix));
  if (fits.length <= 1) return fits[0] ?? 8;
  const offsets = lines.flatMap((l) => (l.kind === 'data' || l.kind === 'end' ? [l.offset] : []));
  if (offsets.every((o) => parseInt(o, 8) === parseInt(o, 16))) return fits[0]!; // all below 8
  const first = lines.find((l) => l.kind === 'data');
  const octalValues = first?.kind === 'data' && [3, 6, 11].includes(first.width ?? 0);
  const radix = octalValues && fits.includes(8) ? 8 : fits[0]!;
  const line = first?.kind === 'data' ? first.line : 0;
  ctx.warn(line, `the offsets fit both hexadecimal (hexdump) and octal (od); read as ${radix === 8 ? 'octal' : 'hexadecimal'} — if that is wrong, dump with hexdump -C or od -A x`);
  return radix;
}

/** Read a dump of `style` into ctx.packets (one packet per dump; see the file comment). */
export function parseOffsetDump(style: DumpStyle, lines: readonly string[], ctx: TextContext): void {
  const entries = lines.map((text, i) => readLine(style, text, i + 1, ctx));
  const radix = style === 'od' ? guessRadix(entries, ctx) : 16;
  const w = new ByteWriter();
  let packetLine = 0;
  let bufferStart = 0; // writer length where the current dump (strace: iovec) began
  let firstOffset = 0; // offset of that dump's first line
  let next = 0; // offset the next line should have
  let last: Uint8Array | undefined; // bytes of the previous line, for `*`
  let star = 0; // line of a pending `*`, or 0
  let expected: { size: number; line: number } | undefined; // strace's announced iovec size
  const ignored: number[] = [];

  const checkExpected = (): void => {
    if (expected === undefined) return;
    const got = w.length - bufferStart;
    if (got !== expected.size) ctx.warn(expected.line, `strace announced ${expected.size} bytes but its dump shows ${got}`);
    expected = undefined;
  };
  const startDump = (offset: number): void => {
    bufferStart = w.length;
    firstOffset = offset;
    next = offset;
    last = undefined;
    star = 0;
  };
  const flush = (): void => {
    checkExpected();
    ctx.emit(w, packetLine);
    packetLine = 0;
    startDump(0);
  };
  const fillTo = (offset: number, line: number): void => {
    const gap = offset - next;
    if (star === 0 || last === undefined || gap <= 0) return;
    ctx.fill(line, gap);
    for (let done = 0; done < gap; done += last.length) w.pushBytes(last.subarray(0, Math.min(last.length, gap - done)));
    if (gap % last.length !== 0) ctx.warn(star, `'*' stands for whole lines of ${last.length} bytes, but ${gap} bytes are missing up to offset ${offset}`);
    next = offset;
  };

  for (const e of entries) {
    switch (e.kind) {
      case 'break':
        flush();
        break;
      case 'other':
        ignored.push(e.line);
        break;
      case 'buffer':
        if (e.index === 0) flush();
        else checkExpected();
        startDump(0);
        expected = { size: e.size, line: e.line };
        if (packetLine === 0) packetLine = e.line;
        break;
      case 'star':
        if (last === undefined) ctx.warn(e.line, `'*' with no line before it to repeat; ignored`);
        else star = e.line;
        break;
      case 'data': {
        const offset = parseOffset(e.offset, radix);
        const inDump = w.length > bufferStart;
        if (star !== 0) {
          fillTo(offset, e.line);
          star = 0;
        } else if (inDump && offset === 0) {
          flush();
        } else if (offset !== next) {
          if (!inDump) {
            ctx.warn(e.line, `the dump starts at offset ${offset}; the ${offset} bytes before it are not in the text`);
          } else if (offset > next) {
            ctx.warn(e.line, `offset jumps from ${next} to ${offset}: ${offset - next} bytes are not in the text`);
          } else {
            ctx.warn(e.line, `offset goes back from ${next} to ${offset}; reading it as a new dump`);
            flush();
          }
          if (w.length === bufferStart) startDump(offset);
        }
        if (packetLine === 0) packetLine = e.line;
        w.pushBytes(e.bytes);
        next = offset + e.bytes.length;
        last = e.bytes.length > 0 ? e.bytes : last;
        break;
      }
      case 'end': {
        const offset = parseOffset(e.offset, radix);
        if (packetLine === 0) break; // an offset line on its own: nothing to end
        fillTo(offset, e.line);
        if (offset < next && offset >= firstOffset) w.truncate(bufferStart + offset - firstOffset);
        else if (offset > next) ctx.warn(e.line, `the dump ends at offset ${offset}, but only ${next} bytes are shown`);
        flush();
        break;
      }
    }
  }
  flush();
  if (ignored.length > 0) {
    const what = ignored.length === 1 ? '1 line that is' : `${ignored.length} lines that are`;
    ctx.warn(0, `ignored ${what} not part of the ${style} dump (line ${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? ', …' : ''})`);
  }
}
