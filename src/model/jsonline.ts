// The compact JSON of a message written straight from its bytes into a ByteSink: the same text
// as stringifyJson(messageToObject(decodeMessage(m, ctx))), without building the decoded model,
// the object or any string first. A 100k-route dump spends most of its time there, so the
// NDJSON view asks this first and uses the general path for anything it declines. What repeats
// from message to message (keys, message heads, enum names, a fixed header equal to the last
// one) is encoded once and copied.
//
// It declines (returns false, nothing written) whenever the message is not plain: control messages, generic
// netlink, undescribed types, text payloads, anything malformed, a repeated attribute (which the
// object turns into an array), nests deeper than MAX_DEPTH. Within a message, an attribute it
// has no writer for (nest-arrays, `elements` sets, anything a newer description adds) is decoded
// by the general decoder and written with the general JSON writer, so both paths give one text.
// test/jsonline.test.ts holds the two paths to that, on kernel replies and on random bytes.
import type { AttrSetSpec, AttrSpec, FamilySpec, IntType, MessageSpec, StructField, StructSpec } from '../families/schema.js';
import { HOST_LITTLE_ENDIAN, NLA_HDRLEN, nlaAlign } from '../netlink/align.js';
import { NLA_F_NET_BYTEORDER, NLA_TYPE_MASK } from '../netlink/attribute.js';
import { HeaderFlags, HeaderType, flagNames, type Message } from '../netlink/message.js';
import {
  INT_SIZE,
  attrLittleEndian,
  bytesAs,
  decodeAttrs,
  decodeStruct,
  displayBytes,
  messageFrom,
  messageLayout,
  messageSpec,
  fieldLittleEndian,
  readInt,
  scalarDisplay,
  selectorPaths,
  structValue,
  tableEntry,
  textEnd,
  type DecodeContext,
  type DecodedAttr,
  type Value,
} from './decode.js';
import { attrJsonValue, attrsToObject } from './json.js';
import { ByteSink, utf8 } from './bytesink.js';
import { quote, stringifyJson } from './jsontext.js';

/** Nests deeper than this go to the general path (it has no limit; this writer's stamps do). */
const MAX_DEPTH = 16;

// Attribute writers, by described type.
const enum Kind {
  Int, // fixed-size integers
  VarInt, // uint / sint: 4 or 8 bytes
  String,
  Flag,
  Pad,
  Bitfield32,
  Binary,
  Nest,
  SubMessage, // a nest whose set a sibling selects
  General, // written by the general decoder
  Decline, // needs what this writer does not have (the fixed header or request as a selector)
}

// The AttrSpec members this writer understands. A description that uses any other (a feature
// added later) sends that attribute to the general path rather than being half-understood.
const KNOWN_ATTR_KEYS = new Set(['name', 'constant', 'type', 'nested', 'struct', 'arrayOf', 'byteOrder', 'display', 'enum', 'flags', 'subMessage', 'undescribed', 'multi', 'netByteOrder', 'prefixLength']);
const KNOWN_SET_KEYS = new Set(['name', 'attrs']);
const KNOWN_STRUCT_FIELD_KEYS = new Set(['name', 'type', 'size', 'byteOrder', 'display', 'enum', 'flags']);

// Plans are classes with every member set in the constructor: the writer reads them 100k times
// a dump, and one shape per kind keeps those reads monomorphic (the descriptions' own objects
// come in many shapes). What the hot path needs from a description is read out here, once.

/** How an attribute is written, worked out from its description. */
class AttrPlan {
  readonly spec: AttrSpec;
  /** `"name":`, encoded. */
  readonly key: Uint8Array;
  kind: Kind;
  /** Bytes of a fixed-size integer. */
  readonly size: number;
  /** Its integer type, for readInt (Kind.Int, Kind.VarInt; an array's element type). */
  readonly intType: IntType;
  /** Byte order without NLA_F_NET_BYTEORDER (the flag makes it big-endian): see littleFor. */
  readonly little: boolean;
  /** An attribute that may repeat: an array in the object, even once. */
  readonly multi: boolean;
  /** Kind.Binary: 4 bytes written as a dotted quad. */
  readonly ipv4: boolean;
  /** The nested set's plan (Kind.Nest), made when first needed. */
  nested: SetPlan | undefined = undefined;
  /** Kind.SubMessage: the types of the selector sibling in this set. */
  selectorTypes: number[] | undefined = undefined;
  /** JSON of enum and flag values already seen (null: the value is a plain number). */
  readonly texts: Map<number | bigint, Uint8Array> | null;

  constructor(spec: AttrSpec) {
    this.spec = spec;
    this.key = utf8(quote(spec.name) + ':');
    this.kind = Kind.General;
    this.size = INT_SIZE[spec.type] ?? 0;
    this.intType = (spec.type === 'binary' ? spec.arrayOf ?? 'u32' : spec.type) as IntType;
    this.little = attrLittleEndian(spec, false);
    this.multi = !!spec.multi; // truthy, as the general decoder reads it
    this.ipv4 = (spec.display === 'ipv4' || spec.display === 'ip') && !spec.struct && !spec.arrayOf;
    this.texts = spec.enum || spec.flags || spec.display === 'hex' ? new Map() : null;
  }

  /** Whether an attribute of this kind with header type `rawType` holds little-endian integers. */
  littleFor(rawType: number): boolean {
    return this.little && (rawType & NLA_F_NET_BYTEORDER) === 0;
  }
}

/** How an attribute set is written. */
class SetPlan {
  /** The set's name in the family (undefined: not described, every attribute unknown). */
  readonly name: string | undefined;
  /** Plans by attribute type. */
  readonly attrs: (AttrPlan | undefined)[] = [];
  /** The whole set is written by the general path (an `elements` set, or unknown members). */
  readonly general: boolean;

  constructor(name: string | undefined, general: boolean) {
    this.name = name;
    this.general = general;
  }
}

/** Everything made once per family description. */
class FamilyPlan {
  readonly family: FamilySpec;
  readonly sets = new Map<string, SetPlan>();
  readonly unknownSet = new SetPlan(undefined, false);
  /** Struct writers: false when a struct uses something this writer does not know. */
  readonly structs = new Map<string, StructPlan | false>();
  /** What is the same for every message of a type, flags, direction and protocol. */
  readonly messages = new Map<number, MessagePlan | null>();
  /** The buffer the last message lay in, and its Bytes. */
  lastBuffer: ArrayBufferLike | undefined = undefined;
  lastBytes: Bytes | undefined = undefined;
  /**
   * Some attribute of the family is selected by the fixed header or the request, which the
   * general decode of a region here does not have: such families write no region that way.
   */
  readonly contextSelectors: boolean;
  /** Duplicate detection: one stamp array per nesting depth, and the generation counter. */
  readonly stamps: Uint32Array[] = [];
  generation = 0;

  constructor(family: FamilySpec) {
    this.family = family;
    this.contextSelectors = hasContextSelectors(family);
  }
}

const PLANS = new WeakMap<FamilySpec, FamilyPlan>();
// The last family asked for: a dump asks for the same one 100k times (this pins at most one
// description beyond the WeakMap).
let lastPlan: FamilyPlan | undefined;

function familyPlan(family: FamilySpec): FamilyPlan {
  if (lastPlan?.family === family) return lastPlan;
  let fp = PLANS.get(family);
  if (!fp) {
    fp = new FamilyPlan(family);
    PLANS.set(family, fp);
  }
  return (lastPlan = fp);
}

function hasContextSelectors(family: FamilySpec): boolean {
  for (const set of Object.values(family.sets)) {
    for (const spec of Object.values(set.attrs)) {
      if (spec.subMessage && selectorPaths(spec.subMessage).some((p) => p.includes('.'))) return true;
    }
  }
  return false;
}

function setPlan(fp: FamilyPlan, name: string | undefined): SetPlan {
  if (name === undefined) return fp.unknownSet;
  let plan = fp.sets.get(name);
  if (plan) return plan;
  const set: AttrSetSpec | undefined = fp.family.sets[name];
  if (!set) {
    plan = new SetPlan(name, false);
  } else {
    plan = new SetPlan(name, Object.keys(set).some((k) => !KNOWN_SET_KEYS.has(k)));
    const byName = new Map<string, number[]>();
    for (const [t, spec] of Object.entries(set.attrs)) byName.set(spec.name, [...(byName.get(spec.name) ?? []), Number(t)]);
    for (const [t, spec] of Object.entries(set.attrs)) plan.attrs[Number(t)] = attrPlan(spec, byName);
  }
  fp.sets.set(name, plan);
  return plan;
}

function attrPlan(spec: AttrSpec, byName: Map<string, number[]>): AttrPlan {
  const plan = new AttrPlan(spec);
  // A name JavaScript would order first in an object (an integer) changes the key order.
  if (Object.keys(spec).some((k) => !KNOWN_ATTR_KEYS.has(k)) || /^(0|[1-9]\d*)$/.test(spec.name)) return plan;
  // A selector in the fixed header or the request: the general path has them, this writer not.
  const selectors = spec.subMessage ? selectorPaths(spec.subMessage) : [];
  if (selectors.some((p) => p.includes('.'))) {
    plan.kind = Kind.Decline;
    return plan;
  }
  if (selectors.length > 1) return plan;
  switch (spec.type) {
    case 'u8': case 's8': case 'u16': case 's16': case 'u32': case 's32': case 'u64': case 's64':
      plan.kind = Kind.Int;
      break;
    case 'uint': case 'sint':
      plan.kind = Kind.VarInt;
      break;
    case 'string': plan.kind = Kind.String; break;
    case 'flag': plan.kind = Kind.Flag; break;
    case 'pad': plan.kind = Kind.Pad; break;
    case 'bitfield32': plan.kind = Kind.Bitfield32; break;
    case 'binary':
      // Arrays of structs (with or without attributes after each) are the general path's.
      plan.kind = spec.subMessage || (spec.arrayOf !== undefined && !(spec.arrayOf in INT_SIZE)) ? Kind.General : Kind.Binary;
      break;
    case 'nest':
      if (spec.subMessage) {
        plan.kind = spec.subMessage.sets && !spec.subMessage.structs ? Kind.SubMessage : Kind.General;
        if (plan.kind === Kind.SubMessage) plan.selectorTypes = byName.get(spec.subMessage.selector as string) ?? [];
      } else {
        plan.kind = Kind.Nest;
      }
      break;
    default:
      break; // nest-array and anything newer: the general path
  }
  return plan;
}

/** What a message of one type, flags, direction and protocol is written with. */
class MessagePlan {
  readonly spec: MessageSpec;
  /** The members from "protocol" to "flags", as text. */
  readonly head: string;
  /**
   * The members from "protocol" to `"len":`, encoded, for the sequence number and port ID of
   * the last message (the same for every message of a dump): one copy per message.
   */
  prefix: Uint8Array = new Uint8Array(0);
  seq = -1;
  pid = -1;
  /** The layout, unless it depends on each message (variants chosen by the first byte). */
  readonly layout: Layout | undefined;

  constructor(spec: MessageSpec, head: string, layout: Layout | undefined) {
    this.spec = spec;
    this.head = head;
    this.layout = layout;
  }
}

/** A message layout made ready: its fixed header's writer and its attribute set's. */
class Layout {
  /** The fixed header (none: undefined); sp false when this writer cannot write it. */
  readonly header: { st: StructSpec; sp: StructPlan | false } | undefined;
  readonly attrs: SetPlan | undefined;
  /**
   * The fixed header of the last message, its bytes and its JSON from `,"header":` to
   * `,"attrs":`: the headers of a dump's messages are mostly alike (every route of a table),
   * and comparing 12 bytes beats writing nine fields. Only for layouts kept in a plan.
   */
  readonly lastRaw: Uint8Array | undefined;
  lastJson: Uint8Array | undefined = undefined;

  constructor(fp: FamilyPlan, layout: { header?: string; attrs?: string }, kept: boolean) {
    const st = layout.header !== undefined ? fp.family.structs[layout.header] : undefined;
    this.header = st ? { st, sp: structPlan(fp, layout.header!) } : undefined;
    this.attrs = layout.attrs ? setPlan(fp, layout.attrs) : undefined;
    this.lastRaw = kept && this.header?.sp ? new Uint8Array(this.header.st.size) : undefined;
  }
}

/** One field of a struct writer. */
interface FieldPlan {
  field: StructField;
  /** `"name":` (after the first field: `,"name":`), encoded. */
  key: Uint8Array;
  /** Offset in the struct and size. */
  off: number;
  size: number;
  little: boolean;
  /** JSON of enum and flag values already seen. */
  texts?: Map<number | bigint, Uint8Array>;
}

/** A struct writer: its fields, pads left out. */
interface StructPlan {
  size: number;
  fields: FieldPlan[];
}

/** A struct this writer can write field by field, or false. */
function structPlan(fp: FamilyPlan, name: string): StructPlan | false {
  let plan = fp.structs.get(name);
  if (plan === undefined) {
    plan = false;
    const st: StructSpec | undefined = fp.family.structs[name];
    // Every field known, and all of them inside sizeof (else decodeStruct reports some missing).
    const fits = st !== undefined && st.fields.reduce((sum, f) => sum + (INT_SIZE[f.type] ?? f.size ?? 0), 0) <= st.size;
    const plain = (f: StructField) => f.type in INT_SIZE || f.type === 'pad' || f.type === 'binary';
    if (fits && st.fields.every((f) => Object.keys(f).every((k) => KNOWN_STRUCT_FIELD_KEYS.has(k)) && plain(f))) {
      const fields: FieldPlan[] = [];
      let off = 0;
      for (const f of st.fields) {
        const size = INT_SIZE[f.type] ?? f.size ?? 0;
        if (f.type !== 'pad') {
          fields.push({ field: f, key: utf8((fields.length ? ',' : '') + quote(f.name) + ':'), off, size, little: fieldLittleEndian(f), texts: f.enum || f.flags || f.display === 'hex' ? new Map() : undefined });
        }
        off += size;
      }
      plan = { size: st.size, fields };
    }
    fp.structs.set(name, plan);
  }
  return plan;
}

// Value texts kept per enum-valued field or attribute: enough for every name an enum has and
// the few numbers flags take in practice, without growing on hostile input.
const TEXT_CACHE_LIMIT = 512;

// Message plans kept per family (type × flags × direction × protocol seen).
const MESSAGE_CACHE_LIMIT = 4096;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DOT = 0x2e;
const TRUE = utf8('true');
const UNKNOWN = utf8('"unknown_');
const QUOTE_COLON = utf8('":');
const HEADER = utf8(',"header":');
const ATTRS = utf8(',"attrs":');
const EMPTY_ATTRS = utf8(',"attrs":{}');
const VALUE = utf8('{"value":');
const SELECTOR = utf8(',"selector":');

/** The JSON of an enum or flags value, from the cache when seen before. */
function namedJson(fp: FamilyPlan, spec: { enum?: string; flags?: string }, texts: Map<number | bigint, Uint8Array>, v: number | bigint): Uint8Array {
  let t = texts.get(v);
  if (t === undefined) {
    t = utf8(valueJson(scalarDisplay(fp.family, spec, v)));
    if (texts.size < TEXT_CACHE_LIMIT) texts.set(v, t);
  }
  return t;
}

/** A decoded value's JSON text. */
function valueJson(v: Value): string {
  switch (typeof v) {
    case 'number': return String(v);
    case 'string': return quote(v);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    default: return stringifyJson(v);
  }
}

/**
 * What a walk reads: the whole buffer a message lies in (a datagram, a file), so one Buffer and
 * one DataView serve all the messages in it. Offsets are from the start of that buffer.
 */
interface Bytes {
  buf: Buffer;
  view: DataView;
  /** Where the message payload starts (attribute offsets in the model count from there). */
  base: number;
}

/**
 * A string attribute as a JSON string. Printable ASCII without `"` and `\` (names, mostly)
 * is its own JSON: copied as it is; anything else is decoded and quoted as the general path does.
 */
function writeText(sink: ByteSink, b: Bytes, data: number, size: number): void {
  const buf = b.buf;
  const e = textEnd(buf, data, size);
  for (let i = data; i < e; i++) {
    const c = buf[i]!;
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
      sink.text(quote(buf.toString('utf8', data, e)));
      return;
    }
  }
  sink.byte(QUOTE);
  sink.range(buf, data, e);
  sink.byte(QUOTE);
}

/** The 4 bytes at `off` as a dotted quad in quotes (IPv4 addresses are most of a route dump). */
function writeIPv4(sink: ByteSink, buf: Uint8Array, off: number): void {
  sink.byte(QUOTE);
  sink.octet(buf[off]!);
  sink.byte(DOT);
  sink.octet(buf[off + 1]!);
  sink.byte(DOT);
  sink.octet(buf[off + 2]!);
  sink.byte(DOT);
  sink.octet(buf[off + 3]!);
  sink.byte(QUOTE);
}

/** Bytes as a quoted hex string. */
function writeHex(sink: ByteSink, buf: Uint8Array, start: number, end: number): void {
  sink.byte(QUOTE);
  sink.hex(buf, start, end);
  sink.byte(QUOTE);
}

/**
 * A struct's fields as a JSON object, as decodeStruct gives them (the struct fits: the
 * callers check). Bytes past the struct are not read.
 */
function writeStruct(sink: ByteSink, fp: FamilyPlan, st: StructPlan, b: Bytes, start: number): void {
  const buf = b.buf;
  sink.byte(OPEN_BRACE);
  for (let i = 0; i < st.fields.length; i++) {
    const p = st.fields[i]!;
    const f = p.field;
    const off = start + p.off;
    sink.bytes(p.key);
    if (f.type === 'binary') {
      const shown = bytesAs(f.display, buf.subarray(off, off + p.size));
      if (shown === undefined) writeHex(sink, buf, off, off + p.size);
      else sink.text(quote(shown));
    } else {
      const v = readInt(b.view, off, f.type as IntType, p.size, p.little);
      if (p.texts) sink.bytes(namedJson(fp, f, p.texts, v));
      else sink.int(v);
    }
  }
  sink.byte(CLOSE_BRACE);
}

/**
 * A message's fixed header from `,"header":` up to `,"attrs":` (when the layout has attributes),
 * copied from the last message's when its bytes are the same.
 */
function writeHeader(sink: ByteSink, fp: FamilyPlan, layout: Layout, sp: StructPlan, b: Bytes, start: number): void {
  const raw = layout.lastRaw;
  const buf = b.buf;
  const n = sp.size;
  if (raw && layout.lastJson) {
    let i = 0;
    while (i < n && raw[i] === buf[start + i]) i++;
    if (i === n) {
      sink.bytes(layout.lastJson);
      return;
    }
  }
  const mark = sink.pos;
  sink.bytes(HEADER);
  writeStruct(sink, fp, sp, b, start);
  if (layout.attrs) sink.bytes(ATTRS);
  if (raw) {
    for (let i = 0; i < n; i++) raw[i] = buf[start + i]!;
    // A copy: the sink's buffer goes out and is written again.
    layout.lastJson = new Uint8Array(sink.buf.subarray(mark, sink.pos));
  }
}

/**
 * The attributes in [start, end) of the payload as a JSON object; false to decline (what was
 * written is then the caller's to discard).
 */
function writeAttrs(sink: ByteSink, fp: FamilyPlan, plan: SetPlan, b: Bytes, start: number, end: number, depth: number): boolean {
  if (plan.general) return writeGeneralRegion(sink, fp, plan.name, b, start, end);
  if (depth >= MAX_DEPTH) return false;
  const stamps = (fp.stamps[depth] ??= new Uint32Array(NLA_TYPE_MASK + 1));
  const gen = (fp.generation = (fp.generation + 1) >>> 0 || 1);
  const { view } = b;
  sink.byte(OPEN_BRACE);
  let first = true;
  let general: DecodedAttr[] | undefined;
  for (let off = start; off < end; ) {
    if (end - off < NLA_HDRLEN) return false;
    const len = view.getUint16(off, HOST_LITTLE_ENDIAN);
    const rawType = view.getUint16(off + 2, HOST_LITTLE_ENDIAN);
    if (len < NLA_HDRLEN || len > end - off) return false;
    const type = rawType & NLA_TYPE_MASK;
    // A repeated attribute becomes an array in the object: the general path does that.
    if (stamps[type] === gen) return false;
    stamps[type] = gen;
    if (!first) sink.byte(COMMA);
    first = false;
    const ap = plan.attrs[type];
    if (!ap) {
      sink.bytes(UNKNOWN);
      sink.uint(type);
      sink.bytes(QUOTE_COLON);
      writeHex(sink, b.buf, off + NLA_HDRLEN, off + len);
    } else {
      if (ap.kind === Kind.Decline) return false;
      sink.bytes(ap.key);
      // An attribute that may repeat is an array even once (a repeat went the general way).
      const multi = ap.multi;
      if (multi) sink.byte(OPEN_BRACKET);
      if (ap.kind === Kind.General) {
        general ??= generalAttrs(fp, plan.name, b, start, end);
        const a = general?.find((x) => x.offset === off - b.base);
        if (!a) return false;
        sink.text(stringifyJson(attrJsonValue(a)));
      } else if (!writeAttr(sink, fp, plan, ap, b, off, len, rawType, start, end, depth)) {
        return false;
      }
      if (multi) sink.byte(CLOSE_BRACKET);
    }
    off = Math.min(off + nlaAlign(len), end);
  }
  sink.byte(CLOSE_BRACE);
  return true;
}

/** One attribute's value as JSON (never Kind.General); false to decline. */
function writeAttr(sink: ByteSink, fp: FamilyPlan, plan: SetPlan, ap: AttrPlan, b: Bytes, off: number, len: number, rawType: number, start: number, end: number, depth: number): boolean {
  const data = off + NLA_HDRLEN;
  const size = len - NLA_HDRLEN;
  const little = ap.littleFor(rawType);
  switch (ap.kind) {
    case Kind.Int:
    case Kind.VarInt: {
      if (ap.kind === Kind.Int ? size !== ap.size : size !== 4 && size !== 8) return false;
      const n = readInt(b.view, data, ap.intType, size, little);
      const texts = ap.texts;
      if (texts !== null) sink.bytes(namedJson(fp, ap.spec, texts, n));
      else sink.int(n);
      return true;
    }
    case Kind.String:
      writeText(sink, b, data, size);
      return true;
    case Kind.Flag:
      if (size !== 0) return false;
      sink.bytes(TRUE);
      return true;
    case Kind.Pad:
      writeHex(sink, b.buf, data, data + size);
      return true;
    case Kind.Bitfield32:
      if (size !== 8) return false;
      sink.bytes(VALUE);
      sink.uint(b.view.getUint32(data, HOST_LITTLE_ENDIAN));
      sink.bytes(SELECTOR);
      sink.uint(b.view.getUint32(data + 4, HOST_LITTLE_ENDIAN));
      sink.byte(CLOSE_BRACE);
      return true;
    case Kind.Binary: {
      if (size === 4 && ap.ipv4) {
        writeIPv4(sink, b.buf, data);
        return true;
      }
      const spec = ap.spec;
      const bytes = b.buf.subarray(data, data + size);
      if (spec.struct) {
        const st = fp.family.structs[spec.struct];
        if (st) {
          const d = decodeStruct(fp.family, st, bytes);
          if (d.problems?.length || d.missing) return false;
          sink.text(stringifyJson(structValue(d)));
          return true;
        }
      }
      if (spec.arrayOf) {
        const step = INT_SIZE[spec.arrayOf] ?? 4;
        if (size % step !== 0) return false;
        sink.byte(OPEN_BRACKET);
        for (let o = 0; o < size; o += step) {
          if (o) sink.byte(COMMA);
          sink.int(readInt(b.view, data + o, ap.intType, step, little));
        }
        sink.byte(CLOSE_BRACKET);
        return true;
      }
      sink.text(valueJson(displayBytes(spec, bytes)));
      return true;
    }
    case Kind.Nest:
      // A nest that does not parse is malformed (flagged or not): the general path says so.
      return writeAttrs(sink, fp, (ap.nested ??= setPlan(fp, ap.spec.nested)), b, data, data + size, depth + 1);
    case Kind.SubMessage: {
      // The set the selector's value picks: by the value as shown, else by its raw number.
      const sets = ap.spec.subMessage!.sets!;
      const sel = selectorValue(fp, plan, ap, b, start, end);
      const setName = sel ? tableEntry(sets, sel) : undefined;
      if (!setName) {
        writeHex(sink, b.buf, data, data + size);
        return true;
      }
      return writeAttrs(sink, fp, setPlan(fp, setName), b, data, data + size, depth + 1);
    }
    default:
      return false;
  }
}

/**
 * The first sibling named by a sub-message's selector (IFLA_INFO_KIND for IFLA_INFO_DATA),
 * wherever it is in the region, as the general decoder reads it: [value as shown, raw number
 * behind an enum or flags value]; undefined when there is none or it has no value (a nest).
 */
function selectorValue(fp: FamilyPlan, plan: SetPlan, ap: AttrPlan, b: Bytes, start: number, end: number): [Value, number | bigint | undefined] | undefined {
  const types = ap.selectorTypes!;
  for (let off = start; off + NLA_HDRLEN <= end; ) {
    const len = b.view.getUint16(off, HOST_LITTLE_ENDIAN);
    if (len < NLA_HDRLEN || len > end - off) return undefined;
    const rawType = b.view.getUint16(off + 2, HOST_LITTLE_ENDIAN);
    const sel = plan.attrs[rawType & NLA_TYPE_MASK];
    if (sel && types.includes(rawType & NLA_TYPE_MASK)) {
      const data = off + NLA_HDRLEN;
      const size = len - NLA_HDRLEN;
      if (sel.kind === Kind.String) return [b.buf.toString('utf8', data, textEnd(b.buf, data, size)), undefined];
      if ((sel.kind === Kind.Int && size === sel.size) || (sel.kind === Kind.VarInt && (size === 4 || size === 8))) {
        const n = readInt(b.view, data, sel.intType, size, sel.littleFor(rawType));
        return [scalarDisplay(fp.family, sel.spec, n), sel.spec.enum || sel.spec.flags ? n : undefined];
      }
      // Any other selector: the general path knows what it reads.
      const a = generalAttrs(fp, plan.name, b, start, end)?.find((x) => x.offset === off - b.base);
      return a?.value === undefined ? undefined : [a.value, a.raw];
    }
    off += nlaAlign(len);
  }
  return undefined;
}

/** The region decoded by the general decoder; undefined when it is malformed there. */
function generalAttrs(fp: FamilyPlan, setName: string | undefined, b: Bytes, start: number, end: number): DecodedAttr[] | undefined {
  if (fp.contextSelectors) return undefined;
  // Offsets relative to the payload, as the writer's (absolute) offsets minus base.
  const { attrs, malformed } = decodeAttrs(fp.family, setName, b.buf.subarray(start, end), start - b.base);
  return malformed.length ? undefined : attrs;
}

function writeGeneralRegion(sink: ByteSink, fp: FamilyPlan, setName: string | undefined, b: Bytes, start: number, end: number): boolean {
  const attrs = generalAttrs(fp, setName, b, start, end);
  if (!attrs) return false;
  sink.text(stringifyJson(attrsToObject(attrs)));
  return true;
}

/**
 * Write the members of a message's compact JSON object (see messageToObject) from `"protocol"`
 * to `"attrs"`, without braces — exactly what the general path writes — into `sink`. Returns
 * false, with nothing written, when the message is not one this writer takes (see the file
 * comment); never throws.
 */
export function writeMessageJsonMembers(sink: ByteSink, m: Message, ctx: DecodeContext): boolean {
  const mark = sink.pos;
  try {
    if (writeMembers(sink, m, ctx)) return true;
  } catch {
    // Whatever went wrong, the general path decodes the message and says what is malformed.
  }
  sink.pos = mark;
  return false;
}

/** {@link writeMessageJsonMembers} as a string (undefined: declined), for tests and one-offs. */
export function messageJsonMembers(m: Message, ctx: DecodeContext): string | undefined {
  const sink = new ByteSink(1024);
  return writeMessageJsonMembers(sink, m, ctx) ? sink.toString() : undefined;
}

function writeMembers(sink: ByteSink, m: Message, ctx: DecodeContext): boolean {
  const h = m.header;
  const family = ctx.family;
  if (h.type < HeaderType.MinType || ctx.protocol === 16 || !family) return false;
  const fp = familyPlan(family);
  // The plan depends on the type, the flags, whether it came by multicast (which entry) and the
  // protocol it prints (below 64 in practice; others are not cached).
  const key = ((h.type * 0x10000 + h.flags) * 2 + (ctx.multicast ? 1 : 0)) * 64 + ctx.protocol;
  const cacheable = ctx.protocol >= 0 && ctx.protocol < 64;
  let mp = cacheable ? fp.messages.get(key) : undefined;
  if (mp === undefined) {
    mp = messagePlan(fp, ctx, h.type, h.flags);
    // Bounded: a hostile capture may carry every flag combination.
    if (cacheable && fp.messages.size < MESSAGE_CACHE_LIMIT) fp.messages.set(key, mp);
  }
  if (mp === null) return false;
  const data = m.data;
  let b = fp.lastBytes;
  if (fp.lastBuffer !== data.buffer || !b) {
    b = { buf: Buffer.from(data.buffer, 0, data.buffer.byteLength), view: new DataView(data.buffer), base: 0 };
    fp.lastBuffer = data.buffer;
    fp.lastBytes = b;
  }
  const base = (b.base = data.byteOffset);
  const end = base + data.length;
  if (h.sequence !== mp.seq || h.pid !== mp.pid) {
    mp.seq = h.sequence;
    mp.pid = h.pid;
    mp.prefix = utf8(`${mp.head},"seq":${h.sequence},"pid":${h.pid},"len":`);
  }
  sink.bytes(mp.prefix);
  sink.uint(h.length);
  const layout = mp.layout ?? new Layout(fp, messageLayout(mp.spec, (h.flags & HeaderFlags.Request) !== 0, data[0], h.flags), false);
  let attrStart = base;
  if (layout.header) {
    const { st, sp } = layout.header;
    if (!sp || data.length < st.size) return false;
    writeHeader(sink, fp, layout, sp, b, base);
    attrStart = base + Math.min(nlaAlign(st.size), data.length);
    if (layout.attrs) return writeAttrs(sink, fp, layout.attrs, b, attrStart, end, 0);
  } else if (layout.attrs) {
    sink.bytes(ATTRS);
    return writeAttrs(sink, fp, layout.attrs, b, attrStart, end, 0);
  }
  // No attribute set: only an empty remainder is plain (a payload or text goes the general way).
  if (attrStart < end) return false;
  sink.bytes(EMPTY_ATTRS);
  return true;
}

/** The plan of a message type as it came (null: the type is not described). */
function messagePlan(fp: FamilyPlan, ctx: DecodeContext, type: number, flags: number): MessagePlan | null {
  const spec = messageSpec(fp.family, type, messageFrom(flags, ctx.multicast));
  if (!spec) return null;
  const head = `"protocol":${ctx.protocol},"family":${quote(fp.family.name)},"type":${quote(spec.constant ?? spec.name)},"type_num":${type},"flags":${stringifyJson(flagNames(flags, spec.kind))}`;
  return new MessagePlan(spec, head, spec.variants ? undefined : new Layout(fp, spec, true));
}
