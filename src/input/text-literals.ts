// Quoted byte strings as programs print them: strace (`"D\0\0\0\20\0\5\6"`, `-x`, `-xx`),
// Python (`b'D\x00\x00\x00'`), Go/C/Rust (`"\x44\x00"`, `b"\x44"`). Escapes follow C and Python:
// \xHH (one or two digits), octal \O to \OOO, \n \r \t \v \f \a \b \e \\ \' \" \?; other characters
// stand for their UTF-8 bytes. A `r`/`R` prefix (Python raw string) turns escapes off.
//
// Grouping into packets: literals separated only by whitespace or `+` form one buffer, as in C
// and Python concatenation (a paste wrapped over several lines stays one buffer); a comma or any
// other text between two literals starts a new one (`[b'..', b'..']`, one strace line per
// syscall), and so does a blank line. Text outside the quotes is otherwise ignored, and `#` or
// `//` outside quotes starts a comment.
import { TextContext, isBlank, showChar } from './text-common.js';
import { ByteWriter } from './writer.js';

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  n: 10, r: 13, t: 9, v: 11, f: 12, a: 7, b: 8, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63,
};

/** Append the UTF-8 bytes of code point `cp`. */
function pushUtf8(w: ByteWriter, cp: number): void {
  if (cp < 0x80) w.push(cp);
  else if (cp < 0x800) {
    w.push(0xc0 | (cp >> 6));
    w.push(0x80 | (cp & 63));
  } else if (cp < 0x10000) {
    w.push(0xe0 | (cp >> 12));
    w.push(0x80 | ((cp >> 6) & 63));
    w.push(0x80 | (cp & 63));
  } else {
    w.push(0xf0 | (cp >> 18));
    w.push(0x80 | ((cp >> 12) & 63));
    w.push(0x80 | ((cp >> 6) & 63));
    w.push(0x80 | (cp & 63));
  }
}

/**
 * Decode the literal whose opening quote is at `start` of `text` into `w`; returns the index after
 * the closing quote. `raw` leaves backslashes alone.
 */
function readLiteral(text: string, start: number, raw: boolean, line: number, w: ByteWriter, ctx: TextContext): number {
  const quote = text[start]!;
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === quote) return i + 1;
    if (ch !== '\\' || raw) {
      const cp = text.codePointAt(i)!;
      pushUtf8(w, cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const esc = text[i + 1];
    if (esc === undefined) break;
    if (esc === 'x' || esc === 'X') {
      let j = i + 2;
      let v = 0;
      while (j < i + 4 && /[0-9a-fA-F]/.test(text[j] ?? '')) v = v * 16 + parseInt(text[j++]!, 16);
      if (j === i + 2) ctx.fail(line, i + 1, `\\x must be followed by hex digits`);
      w.push(v);
      i = j;
    } else if (esc >= '0' && esc <= '7') {
      let j = i + 1;
      let v = 0;
      while (j < i + 4 && text[j]! >= '0' && text[j]! <= '7') v = v * 8 + Number(text[j++]);
      if (v > 255) ctx.fail(line, i + 1, `octal escape \\${text.slice(i + 1, j)} is larger than a byte`);
      w.push(v);
      i = j;
    } else if (SIMPLE_ESCAPES[esc] !== undefined) {
      w.push(SIMPLE_ESCAPES[esc]);
      i += 2;
    } else {
      ctx.fail(line, i + 1, `unsupported escape \\${esc} in a string literal`);
    }
  }
  return ctx.fail(line, start + 1, `string literal is not closed on this line`);
}

/** Read every quoted literal of `lines` into ctx.packets (grouped as the file comment says). */
export function parseStringLiterals(lines: readonly string[], ctx: TextContext): void {
  const w = new ByteWriter();
  let packetLine = 0;
  let joinable = false; // only whitespace or '+' since the last literal
  let sawLiteral = false; // joinable literal seen (so an empty literal still counts)
  const flush = (): void => {
    ctx.emit(w, packetLine);
    packetLine = 0;
    joinable = false;
    sawLiteral = false;
  };
  lines.forEach((text, index) => {
    const line = index + 1;
    if (isBlank(text)) {
      flush();
      return;
    }
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '"' || ch === "'") {
        if (!joinable && sawLiteral) flush();
        if (packetLine === 0) packetLine = line;
        const prefix = /[A-Za-z]*$/.exec(text.slice(Math.max(0, i - 3), i))![0];
        i = readLiteral(text, i, /r/i.test(prefix), line, w, ctx);
        if (text.startsWith('...', i)) {
          ctx.warn(line, 'this string was cut short by strace ("..." after it); run strace with -s 65536 to see all of it');
          i += 3;
        }
        joinable = true;
        sawLiteral = true;
      } else if (ch === '#' || (ch === '/' && text[i + 1] === '/')) {
        break;
      } else {
        if (ch !== '+' && !/\s/.test(ch) && !/[A-Za-z]/.test(ch)) joinable = false;
        else if (/[A-Za-z]/.test(ch) && !/^[bBrRuUfFL8]+['"]/.test(text.slice(i, i + 4))) joinable = false;
        i++;
      }
    }
  });
  flush();
  if (ctx.packets.length === 0) ctx.fail(1, undefined, `no string literal found (${showChar('"')} or ${showChar("'")})`);
}
