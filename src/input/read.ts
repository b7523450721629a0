// readInput: bytes of a file or stdin → netlink buffers, whatever form they came in. It picks the
// reader (raw, hex text, pcap/pcapng), runs it, and turns every failure into an InputError.
import { InputError } from './errors.js';
import type { InputFormat, InputPacket, ReadResult } from './packet.js';
import { captureFormat, readPcap } from './pcap.js';
import { parseHexText } from './text.js';

/** Options of readInput. */
export interface ReadOptions {
  /** Name of the input in `where` and in error messages, e.g. the file name. Default "input". */
  source?: string;
}

/** The most a gzip-compressed input may expand to. */
const MAX_GUNZIP = 1024 * 1024 * 1024;

/** True for gzip data (magic 1f 8b). */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(bytes: Uint8Array, source: string): Uint8Array {
  try {
    // zlib is loaded only for compressed input.
    const out = process.getBuiltinModule('node:zlib').gunzipSync(bytes, { maxOutputLength: MAX_GUNZIP });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    throw new InputError(`${source}: the input is gzip-compressed but could not be decompressed (${(err as Error).message})`);
  }
}

/**
 * The text of `bytes` if they can be a hex dump: valid UTF-8 with no NUL and no control
 * characters other than tab, line ends, form feed, vertical tab and ESC (colour codes). Raw
 * netlink is never text: nlmsg_len's top byte is 0 for any message under 16 MiB.
 */
export function asText(bytes: Uint8Array): string | undefined {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20 && b !== 9 && b !== 10 && b !== 11 && b !== 12 && b !== 13 && b !== 0x1b) return undefined;
    if (b === 0x7f) return undefined;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function readRaw(bytes: Uint8Array, source: string): ReadResult {
  const warnings: string[] = [];
  if (bytes.length < 16) {
    warnings.push(`the input is ${bytes.length} bytes, shorter than one netlink message header (16)`);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
    const le = view.getUint32(0, true);
    const be = view.getUint32(0, false);
    const plausible = (n: number): boolean => n >= 16 && n <= bytes.length;
    if (!plausible(le) && !plausible(be)) {
      warnings.push(`the input does not start with a netlink message header (its first 4 bytes as nlmsg_len: ${le}, the input is ${bytes.length} bytes)`);
    }
  }
  return { packets: [{ data: bytes, index: 0, where: source }], format: 'raw', warnings };
}

function readHex(text: string, source: string, auto: boolean): ReadResult {
  try {
    const parsed = parseHexText(text, { source });
    const packets = parsed.packets.map((p, index): InputPacket => {
      const packet: InputPacket = { data: p.bytes, index, where: `${source} packet ${index + 1} (line ${p.line})` };
      if (p.protocol !== undefined) packet.protocol = p.protocol;
      if (p.direction !== undefined) packet.direction = p.direction;
      return packet;
    });
    return { packets, format: 'hex', hexStyle: parsed.style, warnings: parsed.warnings };
  } catch (err) {
    if (auto && err instanceof InputError) {
      throw new InputError(`${err.message} (the input is text, so it was read as hex; give the format if it is something else)`, err.line === undefined ? {} : { line: err.line });
    }
    throw err;
  }
}

/**
 * Read `bytes` as `format` (default `auto`) into netlink buffers.
 *
 * `auto` decides by content: gzip data is decompressed first (a `.pcap.gz`); then a pcap or
 * pcapng magic number means a capture; text (valid UTF-8 without NUL or other control
 * characters) means hex, in any form parseHexText reads; anything else is raw. `pcap` also
 * accepts gzip-compressed captures; `raw` and `hex` take the bytes as they are.
 *
 * Raw input is one buffer, the whole input (concatenated messages, as a recording of
 * recv() results or an rtmon file holds them). Hex input has one buffer per paragraph, dump or
 * literal (see text.ts). A capture has one buffer per netlink packet, with its protocol,
 * direction and time.
 *
 * Throws InputError (never anything else) with a one-line message for empty input and for input
 * that is not what `format` says or is damaged; see `InputError.partial` for damaged captures.
 */
export function readInput(bytes: Uint8Array, format: InputFormat = 'auto', options: ReadOptions = {}): ReadResult {
  const source = options.source ?? 'input';
  try {
    return read(bytes, format, source);
  } catch (err) {
    if (err instanceof InputError) throw err;
    // A reader bug must still reach the user as one clear line, not a stack trace.
    throw new InputError(`${source}: could not read the input (${(err as Error)?.message ?? String(err)})`);
  }
}

function read(input: Uint8Array, format: InputFormat, source: string): ReadResult {
  if (input.length === 0) throw new InputError(`${source}: empty input`, { offset: 0 });
  let bytes = input;
  let note: string | undefined;
  if ((format === 'auto' || format === 'pcap') && isGzip(bytes)) {
    bytes = gunzip(bytes, source);
    note = 'the input was gzip-compressed';
    if (bytes.length === 0) throw new InputError(`${source}: empty input (after gzip decompression)`, { offset: 0 });
  }
  const withNote = (r: ReadResult): ReadResult => (note === undefined ? r : { ...r, warnings: [note, ...r.warnings] });
  switch (format) {
    case 'raw':
      return readRaw(bytes, source);
    case 'pcap':
      return withNote(readPcap(bytes, { source }));
    case 'hex': {
      const text = asText(bytes);
      if (text === undefined) {
        throw new InputError(`${source}: not hex text: the input holds binary bytes (NUL, control characters or invalid UTF-8)`, { offset: 0 });
      }
      return readHex(text, source, false);
    }
    case 'auto': {
      if (captureFormat(bytes) !== undefined) return withNote(readPcap(bytes, { source }));
      const text = asText(bytes);
      if (text !== undefined) return withNote(readHex(text, source, true));
      return withNote(readRaw(bytes, source));
    }
    default:
      throw new InputError(`${source}: unknown input format ${JSON.stringify(format)} (use auto, raw, hex or pcap)`);
  }
}
