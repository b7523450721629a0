// The compact JSON of a message written straight from its bytes: the same text as
// stringifyJson(messageToObject(decodeMessage(m, ctx))), without building the decoded model and
// the object first. A 100k-route dump spends most of its time there, so the NDJSON view asks
// this first and uses the general path for anything it declines.
//
// It declines (returns undefined) whenever the message is not plain: control messages, generic
// netlink, undescribed types, text payloads, anything malformed, a repeated attribute (which the
// object turns into an array), nests deeper than MAX_DEPTH. Within a message, an attribute it
// has no writer for (nest-arrays, `elements` sets, anything a newer description adds) is decoded
// by the general decoder and written with the general JSON writer, so both paths give one text.
// test/jsonline.test.ts holds the two paths to that, on kernel replies and on random bytes.
import type { AttrSetSpec, AttrSpec, FamilySpec, IntType, StructField, StructSpec } from '../families/schema.js';
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
  readInt,
  scalarDisplay,
  type DecodeContext,
  type DecodedAttr,
  type Value,
} from './decode.js';
import { attrJsonValue, attrsToObject } from './json.js';
import { quote, stringifyJson } from './jsontext.js';
import { formatIPv4At } from './values.js';

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

interface AttrPlan {
  spec: AttrSpec;
  /** `"name":`, ready to write. */
  key: string;
  kind: Kind;
  /** Bytes of a fixed-size integer. */
  size: number;
  /** The nested set's plan (Kind.Nest), made when first needed. */
  nested?: SetPlan;
  /** Kind.SubMessage: the types of the selector sibling in this set. */
  selectorTypes?: number[];
  /** JSON text of enum and flag values already seen. */
  texts?: Map<number | bigint, string>;
}

interface SetPlan {
  /** The set's name in the family (undefined: not described, every attribute unknown). */
  name: string | undefined;
  /** Plans by attribute type. */
  attrs: (AttrPlan | undefined)[];
  /** The whole set is written by the general path (an `elements` set, or unknown members). */
  general: boolean;
}

/** Everything made once per family description. */
interface FamilyPlan {
  family: FamilySpec;
  sets: Map<string, SetPlan>;
  unknownSet: SetPlan;
  /** Struct writers: false when a struct uses something this writer does not know. */
  structs: Map<string, StructPlan | false>;
  /** The members from "protocol" to "flags", by message type and flags. */
  heads: Map<number, string>;
  /** `,"seq":…,"pid":…` of the last message: the same for every message of a dump. */
  lastSeq: number;
  lastPid: number;
  lastSeqPid: string;
  /** The buffer the last message lay in, and its Bytes. */
  lastBuffer?: ArrayBufferLike;
  lastBytes?: Bytes;
  /**
   * Some attribute of the family is selected by the fixed header or the request, which the
   * general decode of a region here does not have: such families write no region that way.
   */
  contextSelectors: boolean;
  /** Duplicate detection: one stamp array per nesting depth, and the generation counter. */
  stamps: Uint32Array[];
  generation: number;
}

const PLANS = new WeakMap<FamilySpec, FamilyPlan>();

function familyPlan(family: FamilySpec): FamilyPlan {
  let fp = PLANS.get(family);
  if (!fp) {
    fp = { family, sets: new Map(), unknownSet: { name: undefined, attrs: [], general: false }, structs: new Map(), heads: new Map(), contextSelectors: hasContextSelectors(family), stamps: [], generation: 0, lastSeq: -1, lastPid: -1, lastSeqPid: '' };
    PLANS.set(family, fp);
  }
  return fp;
}

function hasContextSelectors(family: FamilySpec): boolean {
  for (const set of Object.values(family.sets)) {
    for (const spec of Object.values(set.attrs)) {
      const sel = spec.subMessage?.selector;
      if (sel !== undefined && (typeof sel === 'string' ? [sel] : sel).some((p) => p.includes('.'))) return true;
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
    plan = { name, attrs: [], general: false };
  } else {
    plan = { name, attrs: [], general: Object.keys(set).some((k) => !KNOWN_SET_KEYS.has(k)) };
    const byName = new Map<string, number[]>();
    for (const [t, spec] of Object.entries(set.attrs)) byName.set(spec.name, [...(byName.get(spec.name) ?? []), Number(t)]);
    for (const [t, spec] of Object.entries(set.attrs)) plan.attrs[Number(t)] = attrPlan(spec, byName);
  }
  fp.sets.set(name, plan);
  return plan;
}

function attrPlan(spec: AttrSpec, byName: Map<string, number[]>): AttrPlan {
  const plan: AttrPlan = { spec, key: quote(spec.name) + ':', kind: Kind.General, size: INT_SIZE[spec.type] ?? 0 };
  if (spec.enum || spec.flags || spec.display === 'hex') plan.texts = new Map();
  // A name JavaScript would order first in an object (an integer) changes the key order.
  if (Object.keys(spec).some((k) => !KNOWN_ATTR_KEYS.has(k)) || /^(0|[1-9]\d*)$/.test(spec.name)) return plan;
  // A selector in the fixed header or the request: the general path has them, this writer not.
  const selectors = spec.subMessage ? (typeof spec.subMessage.selector === 'string' ? [spec.subMessage.selector] : spec.subMessage.selector) : [];
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

/** One field of a struct writer. */
interface FieldPlan {
  field: StructField;
  /** `"name":`, ready to write. */
  key: string;
  /** Offset in the struct and size. */
  off: number;
  size: number;
  little: boolean;
  /** JSON text of enum and flag values already seen. */
  texts?: Map<number | bigint, string>;
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
          const little = f.byteOrder ? f.byteOrder === 'little' : HOST_LITTLE_ENDIAN;
          fields.push({ field: f, key: quote(f.name) + ':', off, size, little, texts: f.enum || f.flags || f.display === 'hex' ? new Map() : undefined });
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

// Message heads kept per family (type × flags × direction × protocol seen).
const HEAD_CACHE_LIMIT = 4096;

/** The JSON of an enum or flags value, from the cache when seen before. */
function namedJson(fp: FamilyPlan, spec: { enum?: string; flags?: string }, texts: Map<number | bigint, string>, v: number | bigint): string {
  let t = texts.get(v);
  if (t === undefined) {
    t = valueJson(scalarDisplay(fp.family, spec, v));
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

/** A string attribute's text, trailing NULs dropped, as the decoder reads it. */
function textAt(b: Bytes, data: number, size: number): string {
  let e = data + size;
  while (e > data && b.buf[e - 1] === 0) e--;
  return b.buf.toString('utf8', data, e);
}

/**
 * A struct's fields as a JSON object, as decodeStruct gives them (the struct fits: the
 * callers check). Bytes past the struct are not read.
 */
function structJson(fp: FamilyPlan, st: StructPlan, b: Bytes, start: number): string {
  let out = '{';
  for (let i = 0; i < st.fields.length; i++) {
    const p = st.fields[i]!;
    const f = p.field;
    const off = start + p.off;
    let v: string;
    if (f.type === 'binary') {
      const bytes = b.buf.subarray(off, off + p.size);
      v = quote(bytesAs(f.display, bytes) ?? b.buf.toString('hex', off, off + p.size));
    } else {
      const n = readInt(b.view, off, f.type as IntType, p.size, p.little);
      v = p.texts ? namedJson(fp, f, p.texts, n) : typeof n === 'number' ? String(n) : n.toString();
    }
    out += (i ? ',' : '') + p.key + v;
  }
  return out + '}';
}

/**
 * The attributes in [start, end) of the payload as a JSON object, or undefined to decline.
 */
function attrsJson(fp: FamilyPlan, plan: SetPlan, b: Bytes, start: number, end: number, depth: number): string | undefined {
  if (plan.general) return generalRegion(fp, plan.name, b, start, end);
  if (depth >= MAX_DEPTH) return undefined;
  const stamps = (fp.stamps[depth] ??= new Uint32Array(NLA_TYPE_MASK + 1));
  const gen = (fp.generation = (fp.generation + 1) >>> 0 || 1);
  const { view } = b;
  let out = '{';
  let general: DecodedAttr[] | undefined;
  for (let off = start; off < end; ) {
    if (end - off < NLA_HDRLEN) return undefined;
    const len = view.getUint16(off, HOST_LITTLE_ENDIAN);
    const rawType = view.getUint16(off + 2, HOST_LITTLE_ENDIAN);
    if (len < NLA_HDRLEN || len > end - off) return undefined;
    const type = rawType & NLA_TYPE_MASK;
    // A repeated attribute becomes an array in the object: the general path does that.
    if (stamps[type] === gen) return undefined;
    stamps[type] = gen;
    const ap = plan.attrs[type];
    let v: string | undefined;
    if (!ap) {
      v = `"${b.buf.toString('hex', off + NLA_HDRLEN, off + len)}"`;
      out += (out.length > 1 ? ',"unknown_' : '"unknown_') + type + '":' + v;
    } else {
      if (ap.kind === Kind.Decline) return undefined;
      if (ap.kind === Kind.General) {
        general ??= generalAttrs(fp, plan.name, b, start, end);
        const a = general?.find((x) => x.offset === off - b.base);
        v = a ? stringifyJson(attrJsonValue(a)) : undefined;
      } else {
        v = attrJson(fp, plan, ap, b, off, len, rawType, start, end, depth);
      }
      if (v === undefined) return undefined;
      // An attribute that may repeat is an array even once (a repeat went the general way).
      out += (out.length > 1 ? ',' : '') + ap.key + (ap.spec.multi ? `[${v}]` : v);
    }
    off = Math.min(off + nlaAlign(len), end);
  }
  return out + '}';
}

/** One attribute's value as JSON (never Kind.General), or undefined to decline. */
function attrJson(fp: FamilyPlan, plan: SetPlan, ap: AttrPlan, b: Bytes, off: number, len: number, rawType: number, start: number, end: number, depth: number): string | undefined {
  const { spec } = ap;
  const data = off + NLA_HDRLEN;
  const size = len - NLA_HDRLEN;
  const little = attrLittleEndian(spec, (rawType & NLA_F_NET_BYTEORDER) !== 0);
  switch (ap.kind) {
    case Kind.Int:
    case Kind.VarInt: {
      if (ap.kind === Kind.Int ? size !== ap.size : size !== 4 && size !== 8) return undefined;
      const n = readInt(b.view, data, spec.type as IntType, size, little);
      return ap.texts ? namedJson(fp, spec, ap.texts, n) : typeof n === 'number' ? String(n) : n.toString();
    }
    case Kind.String:
      return quote(textAt(b, data, size));
    case Kind.Flag:
      return size === 0 ? 'true' : undefined;
    case Kind.Pad:
      return `"${b.buf.toString('hex', data, data + size)}"`;
    case Kind.Bitfield32:
      if (size !== 8) return undefined;
      return `{"value":${b.view.getUint32(data, HOST_LITTLE_ENDIAN)},"selector":${b.view.getUint32(data + 4, HOST_LITTLE_ENDIAN)}}`;
    case Kind.Binary: {
      // IPv4 addresses are most of a route dump: digits and dots need no quoting.
      if (size === 4 && (spec.display === 'ipv4' || spec.display === 'ip') && !spec.struct && !spec.arrayOf) return `"${formatIPv4At(b.buf, data)}"`;
      const bytes = b.buf.subarray(data, data + size);
      if (spec.struct) {
        const st = fp.family.structs[spec.struct];
        if (st) {
          const d = decodeStruct(fp.family, st, bytes);
          if (d.problems?.length || d.missing) return undefined;
          const v: Record<string, Value> = { ...d.fields };
          if (d.extra) v._extra = Buffer.from(d.extra.buffer, d.extra.byteOffset, d.extra.byteLength).toString('hex');
          return stringifyJson(v);
        }
      }
      if (spec.arrayOf) {
        const step = INT_SIZE[spec.arrayOf] ?? 4;
        if (size % step !== 0) return undefined;
        let out = '[';
        for (let o = 0; o < size; o += step) out += (o ? ',' : '') + valueJson(readInt(b.view, data + o, spec.arrayOf as IntType, step, little));
        return out + ']';
      }
      return valueJson(displayBytes(spec, bytes));
    }
    case Kind.Nest:
      // A nest that does not parse is malformed (flagged or not): the general path says so.
      return attrsJson(fp, (ap.nested ??= setPlan(fp, spec.nested)), b, data, data + size, depth + 1);
    case Kind.SubMessage: {
      // The set the selector's value picks: by the value as shown, else by its raw number.
      const sets = spec.subMessage!.sets!;
      const sel = selectorValue(fp, plan, ap, b, start, end);
      const shown = sel?.[0];
      const setName =
        (typeof shown === 'string' || typeof shown === 'number' || typeof shown === 'bigint' ? sets[String(shown)] : undefined) ??
        (sel?.[1] !== undefined ? sets[String(sel[1])] : undefined);
      if (!setName) return `"${b.buf.toString('hex', data, data + size)}"`;
      return attrsJson(fp, setPlan(fp, setName), b, data, data + size, depth + 1);
    }
    default:
      return undefined;
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
      if (sel.kind === Kind.String) return [textAt(b, data, size), undefined];
      if ((sel.kind === Kind.Int && size === sel.size) || (sel.kind === Kind.VarInt && (size === 4 || size === 8))) {
        const n = readInt(b.view, data, sel.spec.type as IntType, size, attrLittleEndian(sel.spec, (rawType & NLA_F_NET_BYTEORDER) !== 0));
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

function generalRegion(fp: FamilyPlan, setName: string | undefined, b: Bytes, start: number, end: number): string | undefined {
  const attrs = generalAttrs(fp, setName, b, start, end);
  return attrs ? stringifyJson(attrsToObject(attrs)) : undefined;
}

/**
 * The members of a message's compact JSON object (see messageToObject) from `"protocol"` to
 * `"attrs"`, without braces — exactly what the general path writes — or undefined when the
 * message is not one this writer takes (see the file comment); never throws.
 */
export function messageJsonMembers(m: Message, ctx: DecodeContext): string | undefined {
  try {
    return members(m, ctx);
  } catch {
    // Whatever went wrong, the general path decodes the message and says what is malformed.
    return undefined;
  }
}

function members(m: Message, ctx: DecodeContext): string | undefined {
  const h = m.header;
  const family = ctx.family;
  if (h.type < HeaderType.MinType || ctx.protocol === 16 || !family) return undefined;
  const spec = messageSpec(family, h.type, messageFrom(h.flags, ctx.multicast));
  if (!spec) return undefined;
  const data = m.data;
  const fp = familyPlan(family);
  let b = fp.lastBytes;
  if (fp.lastBuffer !== data.buffer || !b) {
    b = { buf: Buffer.from(data.buffer, 0, data.buffer.byteLength), view: new DataView(data.buffer), base: 0 };
    fp.lastBuffer = data.buffer;
    fp.lastBytes = b;
  }
  const base = (b.base = data.byteOffset);
  const end = base + data.length;
  // The head depends on the type, the flags, whether it came by multicast (which entry) and
  // the protocol it prints (below 64 in practice; others are not cached).
  const headKey = ((h.type * 0x10000 + h.flags) * 2 + (ctx.multicast ? 1 : 0)) * 64 + ctx.protocol;
  const cacheable = ctx.protocol >= 0 && ctx.protocol < 64;
  let head = cacheable ? fp.heads.get(headKey) : undefined;
  if (head === undefined) {
    head = `"protocol":${ctx.protocol},"family":${quote(family.name)},"type":${quote(spec.constant ?? spec.name)},"type_num":${h.type},"flags":${stringifyJson(flagNames(h.flags, spec.kind))}`;
    // Bounded: a hostile capture may carry every flag combination.
    if (cacheable && fp.heads.size < HEAD_CACHE_LIMIT) fp.heads.set(headKey, head);
  }
  if (h.sequence !== fp.lastSeq || h.pid !== fp.lastPid) {
    fp.lastSeq = h.sequence;
    fp.lastPid = h.pid;
    fp.lastSeqPid = `,"seq":${h.sequence},"pid":${h.pid}`;
  }
  let out = `${head}${fp.lastSeqPid},"len":${h.length}`;
  const layout = spec.variants ? messageLayout(spec, (h.flags & HeaderFlags.Request) !== 0, data[0], h.flags) : spec;
  let attrStart = base;
  if (layout.header) {
    const st = family.structs[layout.header];
    if (st) {
      const sp = structPlan(fp, layout.header);
      if (!sp || data.length < st.size) return undefined;
      out += `,"header":${structJson(fp, sp, b, base)}`;
      attrStart = base + Math.min(nlaAlign(st.size), data.length);
    }
  }
  if (layout.attrs) {
    const attrs = attrsJson(fp, setPlan(fp, layout.attrs), b, attrStart, end, 0);
    if (attrs === undefined) return undefined;
    return `${out},"attrs":${attrs}`;
  }
  // No attribute set: only an empty remainder is plain (a payload or text goes the general way).
  return attrStart < end ? undefined : `${out},"attrs":{}`;
}
