// Value formatting shared by the human renderers (text, table, annotated mnl): one spelling of
// every decoded value, so `grep mtu=1500` finds the same thing in every view. Nothing here
// knows a family: names come from the decoded model.
import type { DecodedAttr, DecodedMessage, Value } from '../model/decode.js';
import { messageToObject, type JsonValue } from '../model/json.js';
import { toHex } from '../model/values.js';
import { HeaderType } from '../netlink/message.js';
import { isoTime, quote } from '../model/jsontext.js';

export { isoTime, quote };

/** Colours a piece of text; the identity when colour is off. */
export type Paint = (text: string) => string;

/** The identity {@link Paint}. */
export const plain: Paint = (s) => s;

// What may stay unquoted: names, numbers, addresses, hex. Anything else (spaces, quotes,
// brackets, '=') would make the line ambiguous to split, so it is quoted.
const BARE = /^[A-Za-z0-9_.:/@+%-]+$/;

/** A string that is not text (enum name, address, hex): bare when safe, quoted otherwise. */
export function bare(s: string): string {
  return BARE.test(s) ? s : quote(s);
}

/**
 * A decoded value in the text syntax: strings bare when safe (enum names, addresses, hex),
 * numbers and bigints exactly, arrays `[a,b]`, objects `{k=v k=v}`.
 */
export function formatValue(v: Value | JsonValue | undefined): string {
  switch (typeof v) {
    case 'string':
      return bare(v);
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'undefined':
      return '""';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return `[${v.map(formatValue).join(',')}]`;
      if (v instanceof Uint8Array) return bare(toHex(v));
      return `{${Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => `${bare(k)}=${formatValue(x)}`)
        .join(' ')}}`;
  }
}

/** A leaf attribute's value: text attributes quoted, everything else as {@link formatValue}. */
export function attrValueText(a: DecodedAttr): string {
  const v = a.value ?? toHex(a.data);
  if (a.kind === 'string' && typeof v === 'string' && !a.malformed) return quote(v);
  return formatValue(v);
}

/** The raw number behind an enum or flags value, for views that show both. */
export function rawText(a: DecodedAttr): string | undefined {
  if (a.raw === undefined) return undefined;
  return Array.isArray(a.value) ? `0x${a.raw.toString(16)}` : String(a.raw);
}

/** The message type as its first token: the kernel constant, the name, or type=N. */
export function typeToken(d: DecodedMessage): string {
  return d.type.constant ?? d.type.name ?? `type=${d.header.type}`;
}

/** Header flag names joined with commas (0 when none): one token. */
export function flagsText(flags: readonly string[]): string {
  return flags.length ? flags.join(',') : '0';
}

/** Listen metadata tokens: time, group, nsid (empty when the record has none). */
export function metaTokens(r: { time?: Date; group?: number; groupName?: string; nsid?: number; mark?: unknown }): string[] {
  const out: string[] = [];
  // A request shown beside the kernel's error says it is ours.
  if (r.mark) out.push('sent');
  const t = isoTime(r.time);
  if (t) out.push(t);
  if (r.group !== undefined) out.push(`group=${r.groupName ? `${bare(r.groupName)}(${r.group})` : r.group}`);
  if (r.nsid !== undefined) out.push(`nsid=${r.nsid}`);
  return out;
}

/**
 * The error or ACK part of a message as `key=value` tokens, from the same object the JSON view
 * carries: `error=-22`, `EINVAL`, `"Invalid argument"`, then the ext-ack fields (msg, offset,
 * bad_attr, cookie, policy, miss_type, miss_nest). Empty for messages that are neither.
 */
export function errorTokens(d: DecodedMessage): string[] {
  if (!d.ack) return [];
  const e = messageToObject(d).error as Record<string, JsonValue> | undefined;
  if (!e) return [];
  // A clean DONE says nothing worth a column.
  if (d.header.type !== HeaderType.Error && d.ack.errno === 0 && Object.keys(e).length <= 3) return [];
  const out = [`error=${d.ack.errno}`, bare(d.ack.name), quote(d.ack.text)];
  for (const [k, v] of Object.entries(e)) {
    if (k === 'errno' || k === 'name' || k === 'text' || v === undefined) continue;
    out.push(`${k}=${typeof v === 'string' && k === 'msg' ? quote(v) : formatValue(v)}`);
  }
  for (const u of d.ack.extAck.unknown ?? []) out.push(`ext_ack_${u.type}=${bare(toHex(u.data)) || '""'}`);
  return out;
}

/**
 * The message-level problems that are not already shown next to their attribute (the decoder
 * lists a malformed attribute both on the attribute and in the message's list).
 */
export function messageProblems(d: DecodedMessage): string[] {
  const shown = new Set<string>();
  const visit = (attrs: readonly DecodedAttr[] | undefined) => {
    for (const a of attrs ?? []) {
      if (a.malformed) shown.add(`${a.constant} at offset ${a.offset}: ${a.malformed}`);
      visit(a.children);
    }
  };
  visit(d.attrs);
  return d.malformed.filter((m) => !shown.has(m));
}

// ---------------------------------------------------------------------------------------------
// Terminal width: enough of wcwidth for what reaches a table (ASCII names and quoted strings
// that may hold any Unicode), so columns line up and no line exceeds its width.

const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\ufe00-\ufe0f]/u;

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Columns one character (code point) takes on a terminal: 0, 1 or 2. */
export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(ch)) return 0;
  return isWide(cp) ? 2 : 1;
}

/** Columns a string (without escape sequences) takes on a terminal. */
export function displayWidth(s: string): number {
  // Fast path: printable ASCII is one column per character.
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

/** The longest prefix of `s` that fits in `width` columns. */
export function sliceWidth(s: string, width: number): string {
  let w = 0;
  let out = '';
  for (const ch of s) {
    const cw = charWidth(ch);
    if (w + cw > width) break;
    w += cw;
    out += ch;
  }
  return out;
}

/** `s` cut to `width` columns, ending in an ellipsis when it was cut. */
export function ellipsize(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width <= 0) return '';
  return sliceWidth(s, width - 1) + '…';
}

/** `s` padded with spaces to `width` columns (on the right, or on the left with `right`). */
export function pad(s: string, width: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
}

/**
 * Split off the first line of `s` for a line of `width` columns (at least 1): at the last space
 * that fits (the space is dropped), else after the last comma that fits (so `[a,b,c]` splits
 * between items), else at the width. Returns [line, rest]; rest is '' when everything fit.
 */
export function splitLine(s: string, width: number): [string, string] {
  const w = Math.max(1, Math.floor(width));
  if (displayWidth(s) <= w) return [s, ''];
  const head = sliceWidth(s, w);
  const space = s[head.length] === ' ' ? head.length : head.lastIndexOf(' ');
  if (space > 0) return [s.slice(0, space), s.slice(space + 1)];
  const comma = head.lastIndexOf(',');
  if (comma >= 0 && comma + 1 < head.length) return [s.slice(0, comma + 1), s.slice(comma + 1)];
  // Nothing to break at: cut at the width (one whole character at least, even a wide one).
  const cut = head.length || String.fromCodePoint(s.codePointAt(0)!).length;
  return [s.slice(0, cut), s.slice(cut)];
}

/**
 * Break `s` into lines of at most `width` columns (see {@link splitLine}). At most `maxLines`
 * lines; when the text does not fit, the last line ends in an ellipsis.
 */
export function wrap(s: string, width: number, maxLines = Infinity): string[] {
  const w = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  let rest = s;
  while (rest.length && lines.length < maxLines) {
    const [line, more] = splitLine(rest, w);
    lines.push(line);
    rest = more;
  }
  if (rest.length && lines.length) {
    const last = lines.length - 1;
    lines[last] = ellipsize(lines[last]! + ' ' + rest, w);
  }
  if (!lines.length) lines.push('');
  return lines;
}

/** The words that point at a marked attribute (see MessageRecord.mark). */
export function markText(note: string): string {
  return `<-- ${note}`;
}
