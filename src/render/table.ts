// The table view, for people at a terminal. Per message: a header line (listen metadata, type,
// flags named in context, seq, pid, len), the fixed header on one line, the error if any, then
// the attributes as aligned columns NAME TYPE LEN VALUE with nested attributes indented under
// their parent. Values use the text view's syntax (so what you read is what you grep), with the
// raw number after enum and flag names. Given a width, nothing exceeds it: long values wrap (at
// most maxValueLines lines, then an ellipsis), long names are cut with an ellipsis.
import type { DecodedAttr, DecodedMessage } from '../model/decode.js';
import { attrKey } from '../model/json.js';
import { toHex } from '../model/values.js';
import {
  attrValueText,
  displayWidth,
  ellipsize,
  errorTokens,
  flagsText,
  formatValue,
  markText,
  messageProblems,
  metaTokens,
  pad,
  plain,
  rawText,
  splitLine,
  typeToken,
  wrap,
  type Paint,
} from './format.js';
import { palette, type Palette } from './palette.js';
import type { MessageRecord, OutputRecord, Renderer } from './record.js';
import { describeFailure, formatUeventText } from './text.js';

/** Options of {@link tableRenderer}. */
export interface TableRendererOptions {
  /** Colour the output (ANSI). Default false. */
  color?: boolean;
  /**
   * Terminal width in columns: no line is longer (for widths of 40 and more). Undefined: no
   * limit, every value on one line (for pipes and files).
   */
  width?: number;
  /** Lines a value may wrap to before it is cut with an ellipsis. Default 4. */
  maxValueLines?: number;
}

/** A piece of a line and how it is painted. */
interface Token {
  text: string;
  paint?: Paint;
}

const INDENT = '  ';
const CONTINUATION = '    ';
const GAP = '  ';

/**
 * Lay tokens out on lines no wider than `width` (unlimited when undefined), separated by one
 * space; a token too long for a line is split with {@link splitLine}. Painting happens after the
 * layout, on each piece, so escape codes never count towards the width.
 */
function flow(tokens: readonly Token[], width: number | undefined, first = INDENT, cont = CONTINUATION): string[] {
  if (width === undefined) return [first + tokens.map((t) => (t.paint ?? plain)(t.text)).join(' ')];
  const lines: string[] = [];
  let line = first;
  let used = displayWidth(first);
  let empty = true;
  const contWidth = Math.max(1, width - displayWidth(cont));
  const push = () => {
    lines.push(line);
    line = cont;
    used = displayWidth(cont);
    empty = true;
  };
  for (const t of tokens) {
    const paint = t.paint ?? plain;
    const w = displayWidth(t.text);
    if (used + (empty ? 0 : 1) + w <= width) {
      line += (empty ? '' : ' ') + paint(t.text);
      used += (empty ? 0 : 1) + w;
      empty = false;
      continue;
    }
    if (!empty) push();
    if (w <= width - used) {
      line += paint(t.text);
      used += w;
      empty = false;
      continue;
    }
    // Too long for any line: fill this one and carry on below.
    let [head, rest] = splitLine(t.text, width - used);
    line += paint(head);
    used += displayWidth(head);
    empty = false;
    while (rest) {
      push();
      [head, rest] = splitLine(rest, contWidth);
      line += paint(head);
      used += displayWidth(head);
      empty = false;
    }
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

/** Words of a prose text as tokens, all painted alike. */
function words(text: string, paint?: Paint): Token[] {
  return text.split(' ').map((w) => ({ text: w, paint }));
}

/** One attribute row, before layout. */
interface Row {
  depth: number;
  name: string;
  type: string;
  len: string;
  value: string;
  nameStyle: Paint;
  valueStyle: Paint;
}

function collectRows(attrs: readonly DecodedAttr[], depth: number, inArray: boolean, p: Palette, out: Row[], mark?: MessageRecord['mark']): void {
  for (const a of attrs) {
    const unknown = a.name === undefined && !inArray;
    const row: Row = {
      depth,
      name: inArray ? `[${a.type}]` : attrKey(a),
      type: a.kind,
      len: String(a.length),
      value: '',
      nameStyle: unknown ? p.unknown : a.children ? p.nest : plain,
      valueStyle: plain,
    };
    if (a.children) {
      if (a.children.length === 0) row.value = a.kind === 'nest-array' ? '[]' : '{}';
    } else {
      row.value = attrValueText(a);
      const raw = rawText(a);
      if (raw !== undefined) row.value += ` (${raw})`;
      if (a.kind === 'string') row.valueStyle = p.string;
    }
    if (a.malformed) {
      row.value += `${row.value ? ' ' : ''}(malformed: ${a.malformed})`;
      row.valueStyle = p.malformed;
    }
    if (mark?.attr === a) {
      row.value += `${row.value ? ' ' : ''}${markText(mark.note)}`;
      row.valueStyle = p.error;
    }
    out.push(row);
    // Members of an array or keyed by index are named [index].
    if (a.children) collectRows(a.children, depth + 1, a.kind === 'nest-array' || a.indexKeyed === true, p, out, mark);
  }
}

/** The attribute table of a message (no lines when it has no attributes). */
function attrTable(attrs: readonly DecodedAttr[], width: number | undefined, maxValueLines: number, p: Palette, mark?: MessageRecord['mark']): string[] {
  const rows: Row[] = [];
  collectRows(attrs, 0, false, p, rows, mark);
  if (!rows.length) return [];
  const nameOf = (r: Row) => '  '.repeat(r.depth) + r.name;
  let nameW = Math.max(4, ...rows.map((r) => displayWidth(nameOf(r))));
  const typeW = Math.max(4, ...rows.map((r) => displayWidth(r.type)));
  const lenW = Math.max(3, ...rows.map((r) => r.len.length));
  let valueW = Infinity;
  if (width !== undefined) {
    const avail = width - INDENT.length - 3 * GAP.length - typeW - lenW;
    // Names give way first, down to 8 columns, so values keep at least 24.
    nameW = Math.min(nameW, Math.max(8, avail - 24));
    valueW = Math.max(1, avail - nameW);
  }
  const lines = [INDENT + p.dim([pad('NAME', nameW), pad('TYPE', typeW), pad('LEN', lenW, true), 'VALUE'].join(GAP))];
  for (const r of rows) {
    const name = width === undefined ? nameOf(r) : ellipsize(nameOf(r), nameW);
    const values = width === undefined ? [r.value] : wrap(r.value, valueW, Math.max(1, maxValueLines));
    const left = r.nameStyle(name) + ' '.repeat(nameW - displayWidth(name)) + GAP + pad(r.type, typeW) + GAP + pad(r.len, lenW, true);
    const blank = ' '.repeat(nameW + typeW + lenW + 2 * GAP.length);
    values.forEach((v, i) => {
      const line = INDENT + (i === 0 ? left : blank) + (v ? GAP + r.valueStyle(v) : '');
      lines.push(line);
    });
  }
  return lines;
}

/** The lines of one message. */
function messageLines(r: MessageRecord, width: number | undefined, maxValueLines: number, p: Palette): string[] {
  const d: DecodedMessage = r.decoded;
  const failed = d.ack !== undefined && d.ack.errno < 0;
  const head: Token[] = metaTokens(r).map((text) => ({ text, paint: p.dim }));
  head.push({ text: typeToken(d), paint: failed ? (s) => p.error(p.type(s)) : p.type });
  head.push(
    { text: `flags=${flagsText(d.flags)}` },
    { text: `seq=${d.header.sequence}` },
    { text: `pid=${d.header.pid}` },
    { text: `len=${d.header.length}` },
  );
  const lines = flow(head, width, '');
  if (d.genl) lines.push(...flow([{ text: 'genlmsghdr:', paint: p.dim }, { text: `cmd=${d.genl.cmd}` }, { text: `version=${d.genl.version}` }], width));
  if (d.fixed) {
    const fields: Token[] = [{ text: `${d.fixed.name}:`, paint: p.dim }];
    for (const [k, v] of Object.entries(d.fixed.fields)) fields.push({ text: `${k}=${formatValue(v)}` });
    if (d.fixed.extra) fields.push({ text: `_extra=${toHex(d.fixed.extra)}` });
    lines.push(...flow(fields, width));
  }
  const err = errorTokens(d);
  if (err.length) lines.push(...flow(err.map((text) => ({ text, paint: failed ? p.error : d.ack!.errno === 0 ? p.ok : plain })), width));
  lines.push(...attrTable(d.attrs, width, maxValueLines, p, r.mark));
  if (d.payload) {
    const hex = toHex(d.payload) || '""';
    lines.push(INDENT + p.dim(`payload (${d.payload.length} bytes):`));
    const hexLines = width === undefined ? [hex] : wrap(hex, width - CONTINUATION.length, Math.max(1, maxValueLines));
    lines.push(...hexLines.map((l) => CONTINUATION + l));
  }
  if (d.text !== undefined) lines.push(...flow(words(`text: ${d.text}`, plain), width));
  for (const problem of messageProblems(d)) lines.push(...flow(words(`malformed: ${problem}`, p.malformed), width));
  return lines;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** The one-line note for a non-message record. */
function noteTokens(r: Exclude<OutputRecord, MessageRecord>, p: Palette): Token[] {
  switch (r.record) {
    case 'overrun': {
      const t = metaTokens({ time: r.time });
      const buf = r.rcvbuf !== undefined ? ` (receive buffer ${r.rcvbuf} bytes)` : '';
      return [...t.map((text) => ({ text, paint: p.dim })), ...words(`! overrun: the kernel dropped messages after ${plural(r.received, 'message')} received${buf}`, p.warn)];
    }
    case 'dump_interrupted': {
      const what = r.action === 'retry' ? 'retrying' : r.action === 'fail' ? 'giving up' : 'the output may be inconsistent';
      return words(`! dump interrupted (attempt ${r.attempt}): the kernel's table changed during the dump; ${what}`, p.warn);
    }
    case 'summary':
      return words(`${plural(r.messages, 'message')}, ${plural(r.errors, 'error')}, ${plural(r.overruns, 'overrun')} in ${r.elapsed} s`, p.dim);
    case 'uevent':
      return words(formatUeventText(r), (s: string) => s);
    default:
      return words(`! ${String((r as { record: unknown }).record)}`, p.warn);
  }
}

/** The table renderer. Messages are separated by a blank line. */
export function tableRenderer(options: TableRendererOptions = {}): Renderer {
  const p = palette(options.color === true);
  const width = options.width !== undefined && Number.isFinite(options.width) && options.width > 0 ? Math.floor(options.width) : undefined;
  const maxValueLines = options.maxValueLines ?? 4;
  let first = true;
  return {
    render(record) {
      let lines: string[];
      try {
        lines = record.record === 'message' ? messageLines(record, width, maxValueLines, p) : flow(noteTokens(record, p), width, '');
      } catch (e) {
        lines = flow(words(`! render error: ${describeFailure(e)}`, p.malformed), width, '');
      }
      const text = (first ? '' : '\n') + lines.join('\n') + '\n';
      first = false;
      return text;
    },
  };
}
