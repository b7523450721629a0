// The decoded model as plain JSON-ready objects: attributes keyed by short snake_case name,
// repeated attributes (and those described as `multi`) as arrays, nests as objects, nest-arrays
// as arrays, or as objects keyed by index where the index means something (indexKeyed,
// `elements` sets), unknown attributes under their type number as hex, never dropped. bigint
// values stay bigint here; the JSON writer prints them exactly. The encoder takes this shape
// back (model/encode.ts).
import type { DecodedAttr, DecodedMessage } from './decode.js';
import { toHex } from './values.js';

/** A JSON-ready value (bigint allowed: the writer prints it exactly). */
export type JsonValue = number | bigint | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The key of an attribute in the compact object: its short name, or unknown_N for a type the
 * description does not know (a name, not a bare number, so objects keep the wire order).
 */
export function attrKey(a: DecodedAttr): string {
  return a.name ?? `unknown_${a.type}`;
}

/** Attributes as an object: { ifname: "lo", mtu: 65536, linkinfo: { kind: "veth" }, unknown_43: "0a00" }. */
export function attrsToObject(attrs: readonly DecodedAttr[]): Record<string, JsonValue> {
  return keyed(attrs, attrKey);
}

/**
 * Members keyed by index: { "1": {…}, "5": {…} }. Integer-like keys iterate in ascending
 * order whatever the insertion order (so in JSON text too); the kernel writes these tables in
 * ascending order, and the lossless view keeps the wire order.
 */
function indexedToObject(members: readonly DecodedAttr[]): Record<string, JsonValue> {
  return keyed(members, (a) => String(a.type));
}

function keyed(attrs: readonly DecodedAttr[], key: (a: DecodedAttr) => string): Record<string, JsonValue> {
  const counts = new Map<string, number>();
  for (const a of attrs) counts.set(key(a), (counts.get(key(a)) ?? 0) + 1);
  const out: Record<string, JsonValue> = {};
  for (const a of attrs) {
    const k = key(a);
    const v = attrJsonValue(a);
    // A repeated attribute becomes an array of its values, in order; one that the description
    // says may repeat is an array even when it appears once.
    if (counts.get(k)! > 1 || a.multi) ((out[k] ??= []) as JsonValue[]).push(v);
    else out[k] = v;
  }
  return out;
}

/** One attribute's value in the compact object: a nest as an object, a leaf as its value. */
export function attrJsonValue(a: DecodedAttr): JsonValue {
  if (a.children) {
    if (a.indexKeyed) return indexedToObject(a.children);
    if (a.kind === 'nest-array') return a.children.map((c) => attrJsonValue(c));
    return attrsToObject(a.children);
  }
  return a.value ?? toHex(a.data);
}

/** Every attribute with its number, flags, length, bytes and value (the lossless view). */
export function attrsToList(attrs: readonly DecodedAttr[]): Record<string, JsonValue>[] {
  return attrs.map((a) => {
    const o: Record<string, JsonValue> = { type: a.type };
    if (a.name) o.name = a.name;
    if (a.constant) o.constant = a.constant;
    const flags: string[] = [];
    if (a.nestedFlag) flags.push('nested');
    if (a.netByteOrder) flags.push('net_byteorder');
    if (flags.length) o.flags = flags;
    o.len = a.length;
    o.offset = a.offset;
    o.bytes = toHex(a.data);
    if (a.padding) o.pad = toHex(a.padding);
    if (a.children) o.attrs = attrsToList(a.children);
    else if (a.value !== undefined) o.value = a.value;
    if (a.raw !== undefined) o.raw = a.raw;
    if (a.malformed) o.malformed = a.malformed;
    return o;
  });
}

/** Options of {@link messageToObject}. */
export interface MessageObjectOptions {
  /**
   * Add `attr_list` (every attribute with type number, flags, offset and bytes) and
   * `header_bytes` (the fixed header as received, padding included).
   */
  lossless?: boolean;
  /** Write the fields into this object (after what it already holds) instead of a new one. */
  into?: Record<string, JsonValue>;
}

/** One decoded message as a JSON-ready object (the NDJSON record of a message). */
export function messageToObject(d: DecodedMessage, opts: MessageObjectOptions = {}): Record<string, JsonValue> {
  const h = d.header;
  const o: Record<string, JsonValue> = opts.into ?? {};
  o.record = 'message';
  o.protocol = d.protocol;
  if (d.family) o.family = d.family;
  o.type = d.type.constant ?? d.type.name ?? h.type;
  o.type_num = h.type;
  o.flags = d.flags;
  o.seq = h.sequence;
  o.pid = h.pid;
  o.len = h.length;
  if (d.genl) o.genl = { cmd: d.genl.cmd, version: d.genl.version };
  if (d.fixed) {
    const hdr: Record<string, JsonValue> = { ...d.fixed.fields };
    if (d.fixed.extra) hdr._extra = toHex(d.fixed.extra);
    o.header = hdr;
  }
  if (d.ack) {
    const e: Record<string, JsonValue> = { errno: d.ack.errno, name: d.ack.name, text: d.ack.text };
    const x = d.ack.extAck;
    if (x.message !== undefined) e.msg = x.message;
    if (x.offset !== undefined) e.offset = x.offset;
    if (d.ack.badAttr) e.bad_attr = d.ack.badAttr;
    if (x.cookie) e.cookie = toHex(x.cookie);
    // Named as nlctrl's policy dumps name them; the library's camelCase form if it did not decode.
    if (d.ack.policy) e.policy = { ...d.ack.policy };
    else if (x.policy) e.policy = { ...x.policy };
    if (x.missingType !== undefined) e.miss_type = x.missingType;
    if (x.missingNest !== undefined) e.miss_nest = x.missingNest;
    o.error = e;
  }
  o.attrs = attrsToObject(d.attrs);
  if (opts.lossless) {
    o.attr_list = attrsToList(d.attrs);
    // What `header` cannot say (padding content, text that is not UTF-8), kept as bytes.
    if (d.fixed) o.header_bytes = toHex(d.fixed.bytes);
  }
  if (d.payload) o.payload = toHex(d.payload);
  if (d.text !== undefined) o.text = d.text;
  if (d.malformed.length) o.malformed = d.malformed;
  return o;
}
