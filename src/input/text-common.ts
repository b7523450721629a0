// Plumbing shared by the text readers (text.ts and the text-*.ts form parsers): the packet list
// they fill, warnings, and errors that name the line.
import { InputError } from './errors.js';
import type { ByteWriter } from './writer.js';

/** One buffer found in text: its bytes and the 1-based line where it starts. */
export interface TextPacket {
  bytes: Uint8Array;
  line: number;
  /** Netlink protocol, when a capture pseudo-header was found in the bytes (see text.ts). */
  protocol?: number;
  /** Direction from that pseudo-header, when it says. */
  direction?: 'to-kernel' | 'to-user';
}

/**
 * Ceiling on the bytes a text form may make up rather than spell out (hexdump's `*` repeat
 * lines, zero-filled words of a libmnl dump): netlink buffers are small, and a bogus offset must
 * not allocate gigabytes.
 */
export const MAX_FILL = 16 * 1024 * 1024;

/** Where a text reader puts packets and warnings; `fail` throws an InputError naming the line. */
export class TextContext {
  readonly packets: TextPacket[] = [];
  readonly warnings: string[] = [];
  /** Bytes made up so far (checked against MAX_FILL). */
  filled = 0;

  constructor(readonly source: string) {}

  /** Throw an InputError for 1-based `line` (and `column`, when known). */
  fail(line: number, column: number | undefined, message: string): never {
    const at = column === undefined ? `line ${line}` : `line ${line}, column ${column}`;
    throw new InputError(`${this.source}: ${at}: ${message}`, { line });
  }

  /** Record a warning about 1-based `line` (0 = the input as a whole). */
  warn(line: number, message: string): void {
    this.warnings.push(line > 0 ? `line ${line}: ${message}` : message);
  }

  /** Move the writer's bytes, if any, into a new packet that starts at `line`. */
  emit(writer: ByteWriter, line: number): void {
    if (writer.length > 0) this.packets.push({ bytes: writer.take(), line });
  }

  /** Account for `count` made-up bytes at `line`; fails past MAX_FILL. */
  fill(line: number, count: number): void {
    this.filled += count;
    if (this.filled > MAX_FILL) {
      this.fail(line, undefined, `this would fill in ${count} bytes that the text does not show; that is more than any netlink buffer holds`);
    }
  }
}

/** The text split into lines (LF, CRLF or CR), without the line ends. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** True for a line with nothing but spaces and tabs. */
export function isBlank(line: string): boolean {
  return /^\s*$/.test(line);
}

/** True for a line that is a comment as a whole: it starts with `#` or `//`. */
export function isCommentLine(line: string): boolean {
  return /^\s*(?:#|\/\/)/.test(line);
}

/** Value of hex digit `c` (a char code), or -1. */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** A character for a message: printable as is, anything else as a \u escape. */
export function showChar(ch: string): string {
  return /^[\x21-\x7e]$/.test(ch) ? `'${ch}'` : JSON.stringify(ch);
}
