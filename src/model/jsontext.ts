// JSON text: the one writer of it. JSON.stringify cannot print a u64 (bigint) as an exact number
// (and Node 20 has no JSON.rawJSON), and leaves characters raw that a terminal acts on; this
// writer does neither. The model's compact message writer and every renderer use it.
import { toHex } from './values.js';

/** A Date as an ISO string; undefined when it is not a valid date (never throws). */
export function isoTime(t: Date | undefined): string | undefined {
  if (!(t instanceof Date) || Number.isNaN(t.getTime())) return undefined;
  return t.toISOString();
}

// Characters a terminal may act on (DEL, C1 controls, line/paragraph separators, bidi
// overrides): escaped even though JSON allows them raw, so a hostile interface name cannot
// move the cursor or reorder the line it is printed on.
const UNSAFE = /[\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A string in double quotes with JSON escapes, plus \uXXXX for terminal-active characters
 * JSON leaves raw. The result is valid JSON for the same string.
 */
export function quote(s: string): string {
  // Most strings (names, addresses) are plain printable ASCII: nothing to escape.
  if (PLAIN.test(s)) return `"${s}"`;
  return JSON.stringify(s).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Printable ASCII without the two characters JSON escapes.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

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

