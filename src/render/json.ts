// The JSON view: one object per record per line (NDJSON), or indented with `pretty`. The
// message shape is model/json.ts's messageToObject; this file adds the record's listen metadata
// and writes JSON itself, because JSON.stringify cannot print a u64 (bigint) as an exact number
// and Node 20 has no JSON.rawJSON.
import { messageToObject, type JsonValue } from '../model/json.js';
import { toHex } from '../model/values.js';
import { utf8 } from '../model/bytesink.js';
import { isoTime, quote, stringifyJson } from '../model/jsontext.js';

export { stringifyJson, type StringifyOptions } from '../model/jsontext.js';
import type { MessageRecord, OutputRecord, Renderer } from './record.js';

/** One value as a line of NDJSON (or an indented block with `pretty`), newline included. */
export function writeJsonLine(value: unknown, pretty = false): string {
  return stringifyJson(value, { pretty }) + '\n';
}

/** Options of {@link recordToObject} and {@link jsonRenderer}. */
export interface JsonRendererOptions {
  /** Indent (pretty-print) each record. Default false: one line per record. */
  pretty?: boolean;
  /** Add `attr_list` to messages: every attribute with type number, flags, offset and bytes. */
  lossless?: boolean;
}

/**
 * A record as the JSON object the NDJSON stream carries. Every object starts with `record`
 * (message, overrun, dump_interrupted, summary). Messages are messageToObject's shape with the
 * listen metadata right after `record`: `time` (ISO 8601), `group`, `group_name`, `nsid`.
 */
export function recordToObject(r: OutputRecord, options: Pick<JsonRendererOptions, 'lossless'> = {}): Record<string, JsonValue> {
  switch (r.record) {
    case 'message': {
      const o: Record<string, JsonValue> = { record: 'message' };
      addMeta(o, r);
      // Fields are written straight into o, after the metadata: no copy per message.
      messageToObject(r.decoded, { lossless: options.lossless === true, into: o });
      // The lossless view also carries the whole message as it was, for replay and comparison.
      if (options.lossless) o.bytes = toHex(r.bytes);
      return o;
    }
    case 'overrun': {
      const o: Record<string, JsonValue> = { record: 'overrun', time: isoTime(r.time) ?? null, received: r.received };
      if (r.rcvbuf !== undefined) o.rcvbuf = r.rcvbuf;
      return o;
    }
    case 'dump_interrupted':
      return { record: 'dump_interrupted', action: r.action, attempt: r.attempt };
    case 'summary':
      return { record: 'summary', messages: r.messages, errors: r.errors, overruns: r.overruns, elapsed: r.elapsed };
    case 'uevent': {
      const o: Record<string, JsonValue> = { record: 'uevent' };
      const t = isoTime(r.time);
      if (t !== undefined) o.time = t;
      if (r.group !== undefined) o.group = r.group;
      o.source = r.event.source;
      if (r.event.action !== undefined) o.action = r.event.action;
      if (r.event.devpath !== undefined) o.devpath = r.event.devpath;
      o.env = { ...r.event.env };
      if (r.event.malformed.length) o.malformed = [...r.event.malformed];
      return o;
    }
    default:
      // Not a record this version knows: say so rather than print nothing.
      return { record: String((r as { record: unknown }).record) };
  }
}

// A message record's listen metadata: JSON key and value, in the order the object carries them.
const META: readonly (readonly [key: string, value: (r: MessageRecord) => JsonValue | undefined])[] = [
  ['time', (r) => isoTime(r.time)],
  ['group', (r) => r.group],
  ['group_name', (r) => r.groupName],
  ['nsid', (r) => r.nsid],
];

function addMeta(o: Record<string, JsonValue>, r: MessageRecord): void {
  for (const [key, value] of META) {
    const v = value(r);
    if (v !== undefined) o[key] = v;
  }
}

/** The listen metadata members as addMeta puts them in the object, each with a leading comma. */
function metaJson(r: MessageRecord): string {
  let out = '';
  for (const [key, value] of META) {
    const v = value(r);
    if (v !== undefined) out += `,${quote(key)}:${stringifyJson(v)}`;
  }
  return out;
}

/** The JSON renderer: one object per record, one line each (indented with `pretty`). Never coloured. */
export function jsonRenderer(options: JsonRendererOptions = {}): Renderer {
  const pretty = options.pretty === true;
  const compact = !pretty && options.lossless !== true;
  const render = (record: OutputRecord): string => {
    try {
      return writeJsonLine(recordToObject(record, options), pretty);
    } catch (e) {
      // Still one parseable object, saying what went wrong.
      let why = 'unknown error';
      try {
        why = e instanceof Error ? e.message : String(e);
      } catch {
        // keep the generic text
      }
      return writeJsonLine({ record: 'render_error', error: why });
    }
  };
  return {
    render,
    renderTo(record, sink) {
      // A message the model writes straight from its bytes: no object, no string.
      if (compact && record.record === 'message' && record.writeCompactJson) {
        const mark = sink.pos;
        try {
          sink.bytes(MESSAGE_START);
          const meta = metaJson(record);
          if (meta) sink.text(meta);
          sink.byte(0x2c);
          if (record.writeCompactJson(sink)) {
            sink.bytes(MESSAGE_END);
            return;
          }
        } catch {
          // the general path below says what went wrong
        }
        sink.pos = mark;
      }
      sink.text(render(record));
    },
  };
}

const MESSAGE_START = utf8('{"record":"message"');
const MESSAGE_END = utf8('}\n');
