// The text view: one line per message, strace-like, made for grep and awk. Tokens are
// space-separated `key=value`; strings are quoted with JSON escapes, nests are `{…}`, arrays and
// flag sets `[a,b]`, unknown attributes go by the JSON view's key with hex bytes, and malformed
// parts stay in place with a "(malformed: …)" note. Attributes appear in wire order (a repeated
// attribute appears as often as it was sent). Non-message records are `#` lines.
import type { DecodedAttr, DecodedMessage } from '../model/decode.js';
import { attrKey } from '../model/json.js';
import { toHex } from '../model/values.js';
import { attrValueText, errorTokens, markText, flagsText, formatValue, isoTime, messageProblems, metaTokens, quote, typeToken } from './format.js';
import { palette, type Palette } from './palette.js';
import type { MessageRecord, OutputRecord, Renderer, UeventRecord } from './record.js';

/** Options of {@link textRenderer}. */
export interface TextRendererOptions {
  /** Colour the type, errors, strings and malformed parts (ANSI). Default false. */
  color?: boolean;
}

function attrBody(a: DecodedAttr, p: Palette, mark?: MessageRecord['mark']): string {
  let body: string;
  if (a.children) {
    // Members keyed by index read as index=value, as the JSON view keys them.
    body = a.indexKeyed
      ? `{${a.children.map((c) => `${c.type}=${attrBody(c, p, mark)}`).join(' ')}}`
      : a.kind === 'nest-array'
        ? `[${a.children.map((c) => (c.children && !c.indexKeyed ? `{${c.children.map((x) => attrText(x, p, mark)).join(' ')}}` : attrBody(c, p, mark))).join(',')}]`
        : `{${a.children.map((c) => attrText(c, p, mark)).join(' ')}}`;
  } else {
    const t = attrValueText(a);
    body = a.kind === 'string' && !a.malformed ? p.string(t) : t;
  }
  if (a.malformed) body += ' ' + p.malformed(`(malformed: ${a.malformed})`);
  if (mark?.attr === a) body += ' ' + p.error(markText(mark.note));
  return body;
}

/** One attribute as `name=value`, keyed as in the JSON view (unknown attributes by type number). */
export function attrText(a: DecodedAttr, p: Palette = palette(false), mark?: MessageRecord['mark']): string {
  return `${a.name ?? p.unknown(attrKey(a))}=${attrBody(a, p, mark)}`;
}

/** The fixed header as `{field=value …}` (bytes past the described struct as `_extra`). */
export function fixedText(d: DecodedMessage): string | undefined {
  if (!d.fixed) return undefined;
  const fields = { ...d.fixed.fields };
  if (d.fixed.extra) fields._extra = toHex(d.fixed.extra);
  return formatValue(fields);
}

/**
 * One message as a text line (no newline): listen metadata, type, flags, seq, pid, len, the
 * generic netlink header, the fixed header in braces, the error, attributes, leftover payload
 * and the problems met while decoding.
 */
export function formatMessageText(r: MessageRecord, p: Palette = palette(false)): string {
  const d = r.decoded;
  const failed = d.ack !== undefined && d.ack.errno < 0;
  const tokens = [...metaTokens(r), failed ? p.error(p.type(typeToken(d))) : p.type(typeToken(d))];
  tokens.push(`flags=${flagsText(d.flags)}`, `seq=${d.header.sequence}`, `pid=${d.header.pid}`, `len=${d.header.length}`);
  if (d.genl) tokens.push(`cmd=${d.genl.cmd}`, `version=${d.genl.version}`);
  const fixed = fixedText(d);
  if (fixed) tokens.push(fixed);
  const err = errorTokens(d);
  if (err.length) tokens.push(...err.map((t) => (failed ? p.error(t) : t)));
  for (const a of d.attrs) tokens.push(attrText(a, p, r.mark));
  if (d.payload) tokens.push(`payload=${toHex(d.payload) || '""'}`);
  if (d.text !== undefined) tokens.push(`text=${quote(d.text)}`);
  const problems = messageProblems(d);
  if (problems.length) tokens.push(p.malformed(`malformed=[${problems.map(quote).join(',')}]`));
  return tokens.join(' ');
}

/** A non-message record as a `#` note line (no newline). */
export function formatNoteText(r: Exclude<OutputRecord, MessageRecord>): string {
  switch (r.record) {
    case 'overrun': {
      const t = isoTime(r.time);
      return `# overrun: the kernel dropped messages (receive queue full)${t ? ` time=${t}` : ''} received=${r.received}${r.rcvbuf !== undefined ? ` rcvbuf=${r.rcvbuf}` : ''}`;
    }
    case 'dump_interrupted':
      return `# dump interrupted: the kernel's table changed during the dump, it may be inconsistent action=${r.action} attempt=${r.attempt}`;
    case 'summary':
      return `# summary: messages=${r.messages} errors=${r.errors} overruns=${r.overruns} elapsed=${r.elapsed}`;
    case 'uevent':
      return formatUeventText(r);
    default:
      return `# ${formatValue(String((r as { record: unknown }).record))}`;
  }
}

/** A kobject uevent on one line: time, group, source, action, devpath, then KEY="VALUE" pairs. */
export function formatUeventText(r: UeventRecord): string {
  const t = isoTime(r.time);
  const tokens = [...(t ? [t] : []), ...(r.group !== undefined ? [`group=${r.group}`] : []), `uevent source=${r.event.source}`];
  if (r.event.action !== undefined) tokens.push(`action=${quote(r.event.action)}`);
  if (r.event.devpath !== undefined) tokens.push(`devpath=${quote(r.event.devpath)}`);
  for (const [k, v] of Object.entries(r.event.env)) tokens.push(`${quote(k).slice(1, -1)}=${quote(v)}`);
  if (r.event.malformed.length) tokens.push(`malformed=[${r.event.malformed.map(quote).join(',')}]`);
  return tokens.join(' ');
}

/** Whatever went wrong inside a renderer, as text: a renderer must never throw. */
export function describeFailure(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'unknown error';
  }
}

/** The text renderer: one line per record. */
export function textRenderer(options: TextRendererOptions = {}): Renderer {
  const p = palette(options.color === true);
  return {
    render(record) {
      try {
        if (record.record === 'message') return formatMessageText(record, p) + '\n';
        const note = formatNoteText(record);
        return (record.record === 'summary' ? p.dim(note) : p.warn(note)) + '\n';
      } catch (e) {
        return `# render error: ${describeFailure(e)}\n`;
      }
    },
  };
}
