// The libmnl views. `mnl` is formatMnl as is. `mnl-annotated` is the same lines, each followed
// (after a TAB) by what the decoder made of the bytes it shows: the nlmsghdr fields by name, the
// family header's fields, each attribute header's constant and short name, and each
// attribute's value on its first data line, indented by nest depth. Lines are matched to the
// model by byte offset (walkMnl's offsets and DecodedAttr.offset both count from the start of
// the message), so libmnl's quirks (flat nests, vanishing type-0 attributes) never misplace a
// name: a line whose offset the decoder does not know simply has no annotation.
import type { StructSpec } from '../families/schema.js';
import type { DecodedAttr, DecodedMessage } from '../model/decode.js';
import { HOST_LITTLE_ENDIAN, NLA_HDRLEN, NLMSG_HDRLEN, nlaAlign } from '../netlink/align.js';
import { parseAck } from '../netlink/ack.js';
import { HeaderType } from '../netlink/message.js';
import { toHex } from '../model/values.js';
import { attrValueText, bare, markText, flagsText, formatValue, messageProblems, metaTokens, plain, quote, typeToken, type Paint } from './format.js';
import { formatMnl, walkMnl, type MnlLineKind } from './mnl.js';
import { palette, type Palette } from './palette.js';
import type { MessageRecord, OutputRecord, Renderer } from './record.js';
import { describeFailure, fixedText, formatNoteText } from './text.js';

/** Options of {@link mnlRenderer}. */
export interface MnlRendererOptions {
  /** libmnl 1.0.4/1.0.5's ANSI colours on attribute-header lines. Default false. */
  color?: boolean;
}

/** Options of {@link annotateMnl} and {@link annotatedMnlRenderer}. */
export interface AnnotatedMnlOptions extends MnlRendererOptions {
  /**
   * The layout of a message's fixed header, to name its fields on the "extra header" line that
   * holds them (the model has values, not offsets). The caller, who decoded the message, knows
   * the family: `(d) => d.fixed && family.structs[d.fixed.name]`. Without it, the first extra
   * header line carries the whole fixed header.
   */
  structLayout?: (decoded: DecodedMessage) => StructSpec | undefined;
}

const SCALAR_SIZE: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8, uint: 4, sint: 4 };

/** NLMSGERR_ATTR_* names, by type. */
const EXT_ACK_NAMES: Record<number, string> = {
  1: 'NLMSGERR_ATTR_MSG',
  2: 'NLMSGERR_ATTR_OFFS',
  3: 'NLMSGERR_ATTR_COOKIE',
  4: 'NLMSGERR_ATTR_POLICY',
  5: 'NLMSGERR_ATTR_MISS_TYPE',
  6: 'NLMSGERR_ATTR_MISS_NEST',
};

/** An annotation and its colour. */
interface Note {
  text: string;
  paint: Paint;
}

/** What to write after each kind of line, by byte offset from the start of the message. */
interface Notes {
  header: Map<number, Note>;
  /** Attribute headers (on attr lines, and on data lines inside a nest libmnl shows flat). */
  attr: Map<number, Note>;
  /** First data word of each leaf attribute. */
  value: Map<number, Note>;
  extra: Map<number, Note>;
  control: Map<number, Note>;
  /** Problems that name an offset ("… at offset 40: …"). */
  problems: Map<number, string[]>;
  /** Problems that fit no line: written on the closing separator. */
  unplaced: string[];
  /** Listen metadata, on the opening separator. */
  meta?: string;
}

const indent = (depth: number) => '  '.repeat(depth);

function attrNotes(attrs: readonly DecodedAttr[], depth: number, inArray: boolean, notes: Notes, p: Palette, mark?: MessageRecord['mark']): void {
  for (const a of attrs) {
    let label = inArray ? `[${a.type}]` : a.constant ? `${a.constant} ${a.name}` : `(unknown type ${a.type})`;
    if (a.malformed) label += ` (malformed: ${a.malformed})`;
    const marked = mark?.attr === a;
    if (marked) label += `  ${markText(mark.note)}`;
    notes.attr.set(a.offset, { text: indent(depth) + label, paint: marked ? p.error : a.malformed ? p.malformed : a.name || inArray ? p.nest : p.unknown });
    if (a.children) attrNotes(a.children, depth + 1, a.kind === 'nest-array' || a.indexKeyed === true, notes, p, mark);
    else if (a.length > NLA_HDRLEN) notes.value.set(a.offset + NLA_HDRLEN, { text: indent(depth) + attrValueText(a), paint: a.kind === 'string' ? p.string : plain });
  }
}

/** Field names of the fixed header on the words that hold them. */
function fixedNotes(d: DecodedMessage, base: number, layout: StructSpec | undefined, notes: Notes): void {
  const fx = d.fixed;
  if (!fx) return;
  if (!layout) {
    notes.extra.set(base, { text: `${fx.name} ${fixedText(d)}`, paint: plain });
    return;
  }
  const words = new Map<number, string[]>();
  let off = 0;
  for (const f of layout.fields) {
    const size = SCALAR_SIZE[f.type] ?? f.size ?? 0;
    const word = base + off - (off % 4);
    if (f.type !== 'pad') {
      // Bit-fields are shown by their own names (the field's name only for stray bits).
      const names = f.bits ? [...f.bits.map((b) => b.name), ...(f.name in fx.fields ? [f.name] : [])] : [f.name];
      const list = words.get(word) ?? [];
      for (const n of names) list.push(`${n}=${n in fx.fields ? formatValue(fx.fields[n]) : '(missing)'}`);
      words.set(word, list);
    }
    off += size;
  }
  const first = Math.min(...words.keys());
  for (const [word, list] of words) notes.extra.set(word, { text: (word === first ? `${fx.name} ` : '') + list.join(' '), paint: plain });
}

/** The NLMSG_ERROR / NLMSG_DONE payload, word by word. */
function ackNotes(r: MessageRecord, notes: Notes, p: Palette): void {
  const d = r.decoded;
  if (!d.ack) return;
  const data = r.bytes.subarray(NLMSG_HDRLEN, Math.max(NLMSG_HDRLEN, Math.min(d.header.length, r.bytes.length)));
  const ack = parseAck({ header: d.header, data });
  const bad = d.ack.errno < 0 ? p.error : plain;
  if (data.length >= 4) notes.control.set(NLMSG_HDRLEN, { text: `error=${d.ack.errno} ${bare(d.ack.name)} ${quote(d.ack.text)}`, paint: bad });
  const q = ack.request;
  if (q) {
    const at = NLMSG_HDRLEN + 4;
    notes.control.set(at, { text: `request len=${q.length}`, paint: plain });
    notes.control.set(at + 4, { text: `request type=${q.type} flags=0x${q.flags.toString(16).padStart(4, '0')}`, paint: plain });
    notes.control.set(at + 8, { text: `request seq=${q.sequence}`, paint: plain });
    notes.control.set(at + 12, { text: `request pid=${q.pid}`, paint: plain });
    if (ack.requestData?.length) notes.control.set(at + NLMSG_HDRLEN, { text: `request payload (${ack.requestData.length} bytes)`, paint: plain });
  }
  if (ack.tlvOffset === undefined) return;
  const x = d.ack.extAck;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let off = ack.tlvOffset; off + NLA_HDRLEN <= data.length; ) {
    const len = view.getUint16(off, HOST_LITTLE_ENDIAN);
    const type = view.getUint16(off + 2, HOST_LITTLE_ENDIAN) & 0x3fff;
    if (len < NLA_HDRLEN) break;
    let value = '';
    switch (type) {
      case 1: value = x.message !== undefined ? quote(x.message) : ''; break;
      case 2: value = x.offset !== undefined ? `${x.offset}${d.ack.badAttr ? ` (${d.ack.badAttr})` : ''}` : ''; break;
      case 3: value = x.cookie ? bare(toHex(x.cookie)) : ''; break;
      case 4: value = d.ack.policy ? formatValue(d.ack.policy) : x.policy ? formatValue(Object.fromEntries(Object.entries(x.policy).filter(([, v]) => v !== undefined))) : ''; break;
      case 5: value = x.missingType !== undefined ? String(x.missingType) : ''; break;
      case 6: value = x.missingNest !== undefined ? String(x.missingNest) : ''; break;
    }
    const name = EXT_ACK_NAMES[type] ?? `(ext-ack type ${type})`;
    notes.control.set(NLMSG_HDRLEN + off, { text: value ? `${name} ${value}` : name, paint: bad });
    off += nlaAlign(len);
  }
}

function collectNotes(r: MessageRecord, options: AnnotatedMnlOptions, p: Palette): Notes {
  const d = r.decoded;
  const notes: Notes = { header: new Map(), attr: new Map(), value: new Map(), extra: new Map(), control: new Map(), problems: new Map(), unplaced: [] };
  const meta = metaTokens(r);
  if (meta.length) notes.meta = meta.join(' ');
  const failed = d.ack !== undefined && d.ack.errno < 0;
  notes.header.set(0, { text: `len=${d.header.length}`, paint: plain });
  notes.header.set(4, { text: `${typeToken(d)} flags=${flagsText(d.flags)}`, paint: failed ? p.error : p.type });
  notes.header.set(8, { text: `seq=${d.header.sequence}`, paint: plain });
  notes.header.set(12, { text: `pid=${d.header.pid}`, paint: plain });
  let base = NLMSG_HDRLEN;
  if (d.genl) {
    notes.extra.set(base, { text: `genlmsghdr cmd=${d.genl.cmd} version=${d.genl.version}`, paint: plain });
    base += 4;
  }
  fixedNotes(d, base, d.fixed ? options.structLayout?.(d) : undefined, notes);
  attrNotes(d.attrs, 0, false, notes, p, r.mark);
  if (d.header.type < HeaderType.MinType) ackNotes(r, notes, p);
  for (const problem of messageProblems(d)) {
    const m = /at offset (\d+)/.exec(problem);
    if (m) {
      const at = Number(m[1]);
      notes.problems.set(at - (at % 4), [...(notes.problems.get(at - (at % 4)) ?? []), problem]);
    } else {
      notes.unplaced.push(problem);
    }
  }
  return notes;
}

function noteFor(kind: MnlLineKind, offset: number, notes: Notes): Note | undefined {
  switch (kind) {
    case 'header': return notes.header.get(offset);
    case 'attr': return notes.attr.get(offset);
    case 'data': return notes.attr.get(offset) ?? notes.value.get(offset);
    // A header size libmnl labels too long (not a multiple of 4) shows attributes as "extra".
    case 'extra': return notes.extra.get(offset) ?? notes.attr.get(offset) ?? notes.value.get(offset);
    // A control type a protocol owns (connector's NLMSG_DONE) has a fixed header, not an ack.
    case 'control': return notes.control.get(offset) ?? notes.extra.get(offset);
    default: return undefined;
  }
}

/**
 * One message in libmnl's layout with a column of annotations (see the file comment). Every
 * line is formatMnl's line, then, when there is something to say, a TAB and the annotation.
 * A message libmnl would not print (nlmsg_len disagreeing with its bytes) gives one `#` line
 * saying so, which no libmnl line can be mistaken for.
 */
export function annotateMnl(r: MessageRecord, options: AnnotatedMnlOptions = {}): string {
  const p = palette(options.color === true);
  const notes = collectNotes(r, options, p);
  const out: string[] = [];
  let separators = 0;
  walkMnl(r.bytes, { color: options.color === true, extraHeaderSize: r.extraHeaderSize }, (kind, offset, text) => {
    // Only the first message's lines are this record's (trailing bytes may parse as another).
    const mine = separators < 3;
    let note: Note | undefined;
    const extra: string[] = [];
    if (mine) {
      if (kind === 'separator') {
        separators++;
        if (separators === 1 && notes.meta) note = { text: notes.meta, paint: p.dim };
        if (separators === 3) {
          // Whatever was not placed on a line of its own.
          extra.push(...notes.unplaced, ...[...notes.problems.values()].flat());
          notes.problems.clear();
        }
      } else {
        note = noteFor(kind, offset, notes);
        const problems = kind === 'header' ? undefined : notes.problems.get(offset);
        if (problems) {
          extra.push(...problems);
          notes.problems.delete(offset);
        }
      }
    }
    const parts: string[] = [];
    if (note) parts.push(note.paint(note.text));
    if (extra.length) parts.push(p.malformed(extra.map((x) => `malformed: ${x}`).join('; ')));
    out.push(parts.length ? `${text}\t${parts.join(' ')}` : text);
  });
  if (out.length === 0) {
    return `# ${typeToken(r.decoded)} seq=${r.decoded.header.sequence} not shown by libmnl: nlmsg_len=${r.decoded.header.length}, ${r.bytes.length} bytes\n`;
  }
  return out.join('\n') + '\n';
}

/** The note for a non-message record in the libmnl views: only what signals lost or inconsistent data. */
function mnlNote(record: Exclude<OutputRecord, MessageRecord>, p: Palette): string {
  return record.record === 'summary' ? '' : p.warn(formatNoteText(record)) + '\n';
}

/**
 * The libmnl renderer: each message exactly as mnl_nlmsg_fprintf prints it, with the record's
 * extra header size. Overrun and dump-interrupted records give a `#` line; summaries nothing.
 */
export function mnlRenderer(options: MnlRendererOptions = {}): Renderer {
  const p = palette(options.color === true);
  return {
    render(record) {
      try {
        if (record.record !== 'message') return mnlNote(record, p);
        return formatMnl(record.bytes, { color: options.color === true, extraHeaderSize: record.extraHeaderSize });
      } catch (e) {
        return `# render error: ${describeFailure(e)}\n`;
      }
    },
  };
}

/** The annotated libmnl renderer (see {@link annotateMnl}). */
export function annotatedMnlRenderer(options: AnnotatedMnlOptions = {}): Renderer {
  const p = palette(options.color === true);
  return {
    render(record) {
      try {
        if (record.record !== 'message') return mnlNote(record, p);
        return annotateMnl(record, options);
      } catch (e) {
        return `# render error: ${describeFailure(e)}\n`;
      }
    },
  };
}
