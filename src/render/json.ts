// The JSON view: one object per record per line (NDJSON), or indented with `pretty`. The
// message shape is model/json.ts's messageToObject; this file adds the record's listen metadata
// and writes JSON itself, because JSON.stringify cannot print a u64 (bigint) as an exact number
// and Node 20 has no JSON.rawJSON.
import { messageToObject, type JsonValue } from '../model/json.js';
import { toHex } from '../model/values.js';
import { isoTime, quote } from './format.js';
import type { MessageRecord, OutputRecord, Renderer } from './record.js';

/** Options of {@link stringifyJson}. */
export interface StringifyOptions {
  /** Indent nested values by this many spaces (true: 2), like JSON.stringify's third argument. */
  pretty?: boolean | number;
}

/**
 * JSON text of a value, like JSON.stringify but with bigints as exact numbers (no quotes):
 * 18446744073709551615n → 18446744073709551615. Also: Uint8Array as a hex string, Date as an
 * ISO string (null when invalid), non-finite numbers as null, undefined members left out (and
 * undefined array items as null), cycles as the string "[circular]". Strings are escaped as
 * JSON.stringify does, plus \uXXXX for DEL, C1 controls, U+2028/2029 and bidi overrides. Never
 * throws.
 */
export function stringifyJson(value: unknown, options: StringifyOptions = {}): string {
  const indent = options.pretty === true ? 2 : typeof options.pretty === 'number' ? Math.max(0, Math.min(10, Math.floor(options.pretty))) : 0;
  const step = ' '.repeat(indent);
  const parents = new Set<object>();

  const write = (v: unknown, depth: number): string | undefined => {
    switch (typeof v) {
      case 'string':
        return quote(v);
      case 'number':
        return Number.isFinite(v) ? String(v) : 'null';
      case 'bigint':
        return v.toString();
      case 'boolean':
        return v ? 'true' : 'false';
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (v === null) return 'null';
    if (v instanceof Uint8Array) return quote(toHex(v));
    if (v instanceof Date) {
      const t = isoTime(v);
      return t === undefined ? 'null' : quote(t);
    }
    const obj = v as object;
    if (parents.has(obj)) return quote('[circular]');
    parents.add(obj);
    try {
      if (!indent) {
        // Compact output (NDJSON): plain concatenation, no intermediate arrays.
        if (Array.isArray(obj)) {
          let out = '[';
          for (let i = 0; i < obj.length; i++) out += (i ? ',' : '') + (write(obj[i], depth + 1) ?? 'null');
          return out + ']';
        }
        let out = '{';
        let first = true;
        for (const k in obj) {
          if (!Object.hasOwn(obj, k)) continue;
          const text = write((obj as Record<string, unknown>)[k], depth + 1);
          if (text === undefined) continue;
          out += (first ? '' : ',') + quote(k) + ':' + text;
          first = false;
        }
        return out + '}';
      }
      const inner = '\n' + step.repeat(depth + 1);
      const outer = '\n' + step.repeat(depth);
      const sep = ': ';
      if (Array.isArray(obj)) {
        if (obj.length === 0) return '[]';
        const items = obj.map((x) => write(x, depth + 1) ?? 'null');
        return `[${inner}${items.join(',' + inner)}${outer}]`;
      }
      const members: string[] = [];
      for (const [k, x] of Object.entries(obj)) {
        const text = write(x, depth + 1);
        if (text !== undefined) members.push(quote(k) + sep + text);
      }
      if (members.length === 0) return '{}';
      return `{${inner}${members.join(',' + inner)}${outer}}`;
    } finally {
      parents.delete(obj);
    }
  };

  return write(value, 0) ?? 'null';
}

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

function addMeta(o: Record<string, JsonValue>, r: MessageRecord): void {
  const t = isoTime(r.time);
  if (t !== undefined) o.time = t;
  if (r.group !== undefined) o.group = r.group;
  if (r.groupName !== undefined) o.group_name = r.groupName;
  if (r.nsid !== undefined) o.nsid = r.nsid;
}

/** The JSON renderer: one object per record, one line each (indented with `pretty`). Never coloured. */
export function jsonRenderer(options: JsonRendererOptions = {}): Renderer {
  const pretty = options.pretty === true;
  return {
    render(record) {
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
    },
  };
}
