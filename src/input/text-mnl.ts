// libmnl's mnl_nlmsg_fprintf() dump read back into bytes (the format is specified in
// research/tools-survey.md §a and printed by src/render/mnl.ts). Colour codes must be stripped
// before this runs (text.ts does); tabs may have become spaces in a paste, and a third,
// hand-written annotation column after the cells is ignored.
//
// What the dump shows is rebuilt exactly: the header block gives nlmsg_len, nlmsg_type, seq and
// pid; every `| xx xx xx xx  |` cell gives four bytes; every attribute-header line
// (`|00009|--|00003|`) gives nla_len and nla_type with the N and B flag bits. Header fields and
// attribute headers are written in this machine's byte order, as libmnl read them.
//
// What it cannot show is reported in warnings:
// * nlmsg_flags bits other than REQUEST, MULTI, ACK and ECHO (libmnl prints only those four);
// * words libmnl skipped (attributes of type 0, everything after an nla_len of 0): the message is
//   then shorter than its nlmsg_len and is filled with zero bytes up to it, so that the messages
//   after it stay where they were.
import { HOST_LITTLE_ENDIAN } from '../netlink/align.js';
import { TextContext, isBlank } from './text-common.js';
import { ByteWriter } from './writer.js';

/** `----------------⇥------------------` */
export const MNL_SEPARATOR = /^-{16}\s+-{18}\s*$/;
/** `| 44 00 00 00  |⇥|  extra header  |` and the other word lines. */
export const MNL_WORD = /^\|\s?([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2})\s+\|\s*\|/;
/** `|00009|--|00003|⇥|len |flags| type|` */
export const MNL_ATTR = /^\|(\d{5})\|([N-])([B-])\|(\d{5})\|\s*\|len \|flags\| type\|/;
const MNL_LENGTH = /^\|\s*(\d{1,10})\s*\|\s*\|\s*message length\s*\|/;
const MNL_TYPE_FLAGS = /^\|\s*(\d{1,5})\s*\|\s*([R-])([M-])([A-])([E-])\s*\|\s*\|\s*type\s*\|\s*flags\s*\|/;
const MNL_SEQUENCE = /^\|\s*(\d{1,10})\s*\|\s*\|\s*sequence number\s*\|/;
const MNL_PORT = /^\|\s*(\d{1,10})\s*\|\s*\|\s*port ID\s*\|/;

/** The largest shortfall that is zero-filled; beyond it the header cannot be right. */
const MAX_MISSING = 1024 * 1024;

interface Header {
  line: number;
  length?: number;
  type?: number;
  flags?: number;
  seq?: number;
  pid?: number;
}

function u32(w: ByteWriter, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, HOST_LITTLE_ENDIAN);
  w.pushBytes(b);
}

function u16(w: ByteWriter, v: number): void {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, HOST_LITTLE_ENDIAN);
  w.pushBytes(b);
}

/** Read a libmnl dump into ctx.packets: one packet per blank-line-separated block. */
export function parseMnlDump(lines: readonly string[], ctx: TextContext): void {
  const w = new ByteWriter();
  let packetLine = 0;
  let header: Header | undefined; // the message being read, from its "message length" line
  let messageStart = 0; // writer offset of that message
  let headerWritten = false;
  let ignored = 0;
  let firstIgnored = 0;
  let flagsWarned = false;

  const writeHeader = (): void => {
    if (header === undefined || headerWritten) return;
    const { line, length, type, flags, seq, pid } = header;
    if (type === undefined || flags === undefined || seq === undefined || pid === undefined || length === undefined) {
      const missing = [type === undefined && 'type/flags', seq === undefined && 'sequence number', pid === undefined && 'port ID']
        .filter(Boolean)
        .join(', ');
      ctx.fail(line, undefined, `libmnl header block is incomplete (missing ${missing})`);
    }
    u32(w, length);
    u16(w, type);
    u16(w, flags);
    u32(w, seq);
    u32(w, pid);
    headerWritten = true;
  };
  const endMessage = (): void => {
    if (header === undefined) return;
    writeHeader();
    const length = header.length!;
    const shown = w.length - messageStart;
    const want = length + ((4 - (length % 4)) % 4);
    if (length < 16) ctx.warn(header.line, `message length ${length} is shorter than a netlink header`);
    if (shown < want) {
      const missing = want - shown;
      if (missing > MAX_MISSING) ctx.fail(header.line, undefined, `message length ${length}, but the dump shows only ${shown} bytes of it`);
      ctx.fill(header.line, missing);
      ctx.warn(header.line, `the dump shows ${shown} of this message's ${want} bytes (libmnl hides attributes of type 0 and everything after an nla_len of 0); the other ${missing} are filled with zeros at its end`);
      w.pushZeros(missing);
    }
    header = undefined;
    headerWritten = false;
  };
  const flush = (): void => {
    endMessage();
    ctx.emit(w, packetLine);
    packetLine = 0;
  };

  lines.forEach((text, index) => {
    const line = index + 1;
    if (isBlank(text)) return flush();
    if (MNL_SEPARATOR.test(text)) {
      if (packetLine === 0) packetLine = line;
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = MNL_LENGTH.exec(text)) !== null) {
      endMessage();
      const length = Number(m[1]);
      if (length > 0xffffffff) ctx.fail(line, undefined, `message length ${m[1]} does not fit in 32 bits`);
      header = { line, length };
      messageStart = w.length;
      if (packetLine === 0) packetLine = line;
      return;
    }
    if ((m = MNL_TYPE_FLAGS.exec(text)) !== null) {
      if (header === undefined || headerWritten) ctx.fail(line, undefined, 'type/flags line outside a libmnl header block');
      const type = Number(m[1]);
      if (type > 0xffff) ctx.fail(line, undefined, `message type ${m[1]} does not fit in 16 bits`);
      header.type = type;
      header.flags = (m[2] === 'R' ? 1 : 0) | (m[3] === 'M' ? 2 : 0) | (m[4] === 'A' ? 4 : 0) | (m[5] === 'E' ? 8 : 0);
      if (!flagsWarned) {
        ctx.warn(0, 'libmnl dumps show only the REQUEST, MULTI, ACK and ECHO flags; other nlmsg_flags bits (DUMP, CREATE, EXCL, …) read as 0');
        flagsWarned = true;
      }
      return;
    }
    for (const [re, field] of [[MNL_SEQUENCE, 'seq'], [MNL_PORT, 'pid']] as const) {
      if ((m = re.exec(text)) !== null) {
        if (header === undefined || headerWritten) ctx.fail(line, undefined, `${field === 'seq' ? 'sequence number' : 'port ID'} line outside a libmnl header block`);
        const v = Number(m[1]);
        if (v > 0xffffffff) ctx.fail(line, undefined, `${m[1]} does not fit in 32 bits`);
        header[field] = v;
        return;
      }
    }
    if ((m = MNL_WORD.exec(text)) !== null) {
      writeHeader();
      if (packetLine === 0) packetLine = line;
      for (let k = 1; k <= 4; k++) w.push(parseInt(m[k]!, 16));
      return;
    }
    if ((m = MNL_ATTR.exec(text)) !== null) {
      writeHeader();
      if (packetLine === 0) packetLine = line;
      const len = Number(m[1]);
      const type = Number(m[4]);
      if (len > 0xffff) ctx.fail(line, undefined, `attribute length ${m[1]} does not fit in 16 bits`);
      if (type > 0x3fff) ctx.fail(line, undefined, `attribute type ${m[4]} does not fit in 14 bits`);
      u16(w, len);
      u16(w, type | (m[2] === 'N' ? 0x8000 : 0) | (m[3] === 'B' ? 0x4000 : 0));
      return;
    }
    if (ignored++ === 0) firstIgnored = line;
  });
  flush();
  if (ignored > 0) {
    const what = ignored === 1 ? '1 line that is' : `${ignored} lines that are`;
    ctx.warn(0, `ignored ${what} not part of the libmnl dump (first: line ${firstIgnored})`);
  }
}
