// The generic encoder: the inverse of the decoder. Values are accepted in the forms the decoder
// prints and a human writes — names of enum values and flags, addresses as text
// (192.0.2.1, 2001:db8::1, 02:00:00:00:00:09), hex for bytes, numbers or numeric strings for
// integers — so output can be fed back. Two inputs:
//   the compact object ({ ifname: "veth0", linkinfo: { kind: "veth" } }), typed by the family;
//   the lossless list (attr_list: type numbers, flags and bytes), which gives back the exact bytes.
// The compact object of a kernel message encodes back to its bytes, except for what that form
// does not record: NLA_F_NESTED (always set on nests here, as strict kernels want it in
// requests; the kernel leaves it off many), the order of a repeated attribute among others
// (its values are grouped), padding content and non-canonical lengths.
import { HOST_LITTLE_ENDIAN, NLA_HDRLEN, nlaAlign } from '../netlink/align.js';
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER } from '../netlink/attribute.js';
import type { AttrSetSpec, AttrSpec, DisplayHint, EnumSpec, FamilySpec, IntType, MessageSpec, StructField, StructSpec, SubMessage } from '../families/schema.js';
import type { JsonValue } from './json.js';
import { INT_SIZE, bitPositions, isOpenStruct, messageLayout, selectCase, selectorPaths } from './decode.js';
import { fromHex, parseIP, parseIPv4, parseIPv6, parseMac } from './values.js';

/** A value the encoder cannot use, with the path of the attribute it was given for. */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  readonly code = 'ERR_NLCTL_ENCODE';
  /** Dotted attribute path, e.g. linkinfo.kind. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

const INT_BITS: Record<string, number> = { u8: 8, s8: 8, u16: 16, s16: 16, u32: 32, s32: 32, u64: 64, s64: 64 };

/** Resolve an integer given as a number, bigint, numeric string (decimal or 0x), or a name of `e`. */
export function toBigInt(path: string, v: JsonValue, e?: EnumSpec): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    if (/^-?(0x[0-9a-f]+|\d+)$/i.test(v)) return v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v);
    if (e) {
      const want = v.toLowerCase();
      for (const [num, name] of Object.entries(e.values)) if (name.toLowerCase() === want) return BigInt(num);
      throw new EncodeError(path, `"${v}" is not one of ${Object.values(e.values).join(', ')}`);
    }
  }
  throw new EncodeError(path, `expected an integer, got ${JSON.stringify(String(v))}`);
}

/** Flags given as an array of names (and hex tokens), a single name, or a number. */
function flagsToBigInt(path: string, v: JsonValue, e: EnumSpec | undefined): bigint {
  if (Array.isArray(v)) return v.reduce<bigint>((acc, item) => acc | toBigInt(path, item, e), 0n);
  return toBigInt(path, v, e);
}

/** An integer of `type` in `byteOrder`; EncodeError (naming `path`) when it does not fit. */
export function writeInt(path: string, type: IntType, value: bigint, byteOrder: 'big' | 'little' | 'host', size?: number): Uint8Array {
  const bits = type === 'uint' || type === 'sint' ? (size ?? 4) * 8 : INT_BITS[type]!;
  const signed = type.startsWith('s');
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (value < min || value > max) throw new EncodeError(path, `${value} does not fit in ${signed ? 's' : 'u'}${bits}`);
  const out = new Uint8Array(bits / 8);
  const view = new DataView(out.buffer);
  const little = byteOrder === 'host' ? HOST_LITTLE_ENDIAN : byteOrder === 'little';
  const u = BigInt.asUintN(bits, value);
  if (bits === 8) view.setUint8(0, Number(u));
  else if (bits === 16) view.setUint16(0, Number(u), little);
  else if (bits === 32) view.setUint32(0, Number(u), little);
  else view.setBigUint64(0, u, little);
  return out;
}

/** The byte arrays one after another. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** One attribute: header, payload, padding. */
export function attribute(type: number, payload: Uint8Array, length = NLA_HDRLEN + payload.length): Uint8Array {
  const out = new Uint8Array(NLA_HDRLEN + nlaAlign(payload.length));
  const view = new DataView(out.buffer);
  view.setUint16(0, length, HOST_LITTLE_ENDIAN);
  view.setUint16(2, type, HOST_LITTLE_ENDIAN);
  out.set(payload, NLA_HDRLEN);
  return out;
}

function isObject(v: JsonValue | undefined): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The keys an object of struct `st` may have: its fields, their bit-fields, and `_extra`. */
function structKeys(st: StructSpec): Set<string> {
  const keys = new Set(['_extra']);
  for (const f of st.fields) {
    if (f.type !== 'pad') keys.add(f.name);
    for (const b of f.bits ?? []) keys.add(b.name);
  }
  return keys;
}

/**
 * The first of `names` whose struct has a field for every key of `obj`: how the encoder
 * chooses a struct when the value that selects it is not in the input (a union member by its
 * fields, tcp_info by tcpi's fields).
 */
function structByKeys(family: FamilySpec | undefined, names: readonly string[], obj: Record<string, JsonValue>): string | undefined {
  return names.find((n) => {
    const st = family?.structs[n];
    if (!st) return false;
    const keys = structKeys(st);
    return Object.keys(obj).every((k) => keys.has(k));
  });
}

/** Pack an integer field's bit-fields (and, given as the field itself, the bits none covers). */
function packBits(family: FamilySpec | undefined, f: StructField, obj: Record<string, JsonValue>, path: string): bigint {
  const positions = bitPositions(f);
  let n = obj[f.name] === undefined ? 0n : toBigInt(`${path}.${f.name}`, obj[f.name]!);
  f.bits!.forEach((b, i) => {
    const v = obj[b.name];
    if (v === undefined) return;
    const x = toBigInt(`${path}.${b.name}`, v, b.enum ? family?.enums[b.enum] : undefined);
    if (x < 0n || x >= 1n << BigInt(b.width)) throw new EncodeError(`${path}.${b.name}`, `${x} does not fit in ${b.width} bits`);
    n |= x << BigInt(positions[i]!);
  });
  const bits = INT_SIZE[f.type]! * 8;
  return f.type.startsWith('s') ? BigInt.asIntN(bits, n) : BigInt.asUintN(bits, n);
}

/**
 * Encode a struct from an object of its fields, the inverse of decodeStruct: missing fields
 * are 0, `_extra` hex is appended, a key that names no field is an EncodeError (a typo must not
 * become a silent 0). A length field left out is filled in with its region's size. A struct
 * field's struct is the one its selector's values choose; when a selector is a length field
 * left out, the case whose struct has every field the value names is taken.
 */
export function encodeStruct(family: FamilySpec | undefined, st: StructSpec, value: JsonValue, path: string, depth = 0): Uint8Array {
  if (value !== undefined && value !== null && !isObject(value)) throw new EncodeError(path, `expected an object of ${st.name} fields`);
  const obj = (value ?? {}) as Record<string, JsonValue>;
  const keys = structKeys(st);
  for (const k of Object.keys(obj)) if (!keys.has(k)) throw new EncodeError(`${path}.${k}`, `${st.name} has no field ${k}`);
  const parts: Uint8Array[] = [];
  const index: Record<string, number> = {};
  const values: Record<string, number | bigint> = {};
  // Length fields not given: filled in once their region is encoded.
  const pending: StructField[] = [];
  for (const f of st.fields) {
    const p = `${path}.${f.name}`;
    const v = obj[f.name];
    index[f.name] = parts.length;
    switch (f.type) {
      case 'pad':
        parts.push(new Uint8Array(f.size ?? 0));
        break;
      case 'binary': {
        const size = f.size ?? 0;
        // The form the selector's value chooses; when that value is not known yet (it comes
        // later, or from the struct this one is in), any form a case allows.
        const chosen = selectCase(f.select, values)?.display;
        const forms = chosen ? [chosen] : (f.select?.cases.map((c) => c.display).filter((d): d is DisplayHint => d !== undefined) ?? []);
        const form = typeof v === 'string' ? forms.find((d) => parseAs(d, v) !== undefined) : undefined;
        const bytes = v === undefined ? new Uint8Array(size) : bytesOf(p, { display: f.display }, v, form ?? chosen);
        const fixed = new Uint8Array(size);
        fixed.set(bytes.subarray(0, size));
        parts.push(fixed);
        break;
      }
      case 'string': {
        const size = f.size ?? 0;
        if (v !== undefined && typeof v !== 'string') throw new EncodeError(p, `expected text, got ${typeof v}`);
        const text = Buffer.from(v ?? '', 'utf8');
        if (text.length > size) throw new EncodeError(p, `${JSON.stringify(v)} is ${text.length} bytes, more than char[${size}] holds`);
        const fixed = new Uint8Array(size);
        fixed.set(text);
        parts.push(fixed);
        break;
      }
      case 'struct':
        parts.push(encodeRegion(family, st, f, v, values, obj, p, depth));
        break;
      default: {
        if (v === undefined && f.lengthOf) {
          pending.push(f);
          parts.push(new Uint8Array(INT_SIZE[f.type]!));
          break;
        }
        const n = f.bits
          ? packBits(family, f, obj, path)
          : v === undefined
            ? 0n
            : f.flags
              ? flagsToBigInt(p, v, family?.enums[f.flags])
              : toBigInt(p, v, f.enum ? family?.enums[f.enum] : undefined);
        values[f.name] = n;
        parts.push(writeInt(p, f.type, n, f.byteOrder ?? 'host'));
      }
    }
  }
  for (const f of pending) parts[index[f.name]!] = writeInt(`${path}.${f.name}`, f.type as IntType, BigInt(parts[index[f.lengthOf!]!]!.length), f.byteOrder ?? 'host');
  if (typeof obj._extra === 'string') parts.push(fromHex(obj._extra) ?? new Uint8Array(0));
  return concat(parts);
}

/** The bytes of a struct field's region: the chosen struct's encoding, padded to a fixed size. */
function encodeRegion(
  family: FamilySpec | undefined,
  st: StructSpec,
  f: StructField,
  v: JsonValue | undefined,
  values: Record<string, number | bigint>,
  obj: Record<string, JsonValue>,
  path: string,
  depth: number,
): Uint8Array {
  // Cases the given selector values allow; a length field left out allows any.
  const open = (by: string) => values[by] === undefined && obj[by] === undefined && st.fields.some((x) => x.name === by && x.lengthOf === f.name);
  const cases = (f.select?.cases ?? []).filter((c) => c.when.every((w, i) => open(f.select!.by[i]!) || Number(values[f.select!.by[i]!]) === w));
  let bytes: Uint8Array;
  if (typeof v === 'string') {
    bytes = bytesOf(path, {}, v); // the bytes as the decoder showed them when no struct applied
  } else {
    const names = cases.map((c) => c.struct).filter((n): n is string => n !== undefined);
    const name = (isObject(v) && names.length > 1 ? structByKeys(family, names, v) : names[0]) ?? (cases.length ? undefined : f.struct);
    if (!name && names.length > 1) throw new EncodeError(path, `no struct among ${names.join(', ')} has the fields ${Object.keys(v as object).join(', ')}`);
    const inner = name ? family?.structs[name] : undefined;
    if (!inner || depth >= 8) {
      if (v === undefined) bytes = new Uint8Array(0);
      else throw new EncodeError(path, `no struct known for these ${f.select?.by.join(', ') ?? ''} values; give the bytes as hex`);
    } else {
      bytes = encodeStruct(family, inner, v ?? {}, path, depth + 1);
    }
  }
  if (f.size === undefined) return bytes;
  if (bytes.length > f.size) throw new EncodeError(path, `${bytes.length} bytes do not fit in ${f.size}`);
  const fixed = new Uint8Array(f.size);
  fixed.set(bytes);
  return fixed;
}

function parseAs(display: DisplayHint | undefined, v: string): Uint8Array | undefined {
  switch (display) {
    case 'mac': return parseMac(v);
    case 'ipv4': return parseIPv4(v);
    case 'ipv6': return parseIPv6(v);
    case 'ip': return parseIP(v);
    case 'uuid': return fromHex(v.replace(/-/g, ''));
    default: return undefined;
  }
}

/** Bytes from a display form (the `chosen` one first, then the field's own): address text, MAC, or hex. */
function bytesOf(path: string, spec: { display?: DisplayHint }, v: JsonValue, chosen?: DisplayHint): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string') throw new EncodeError(path, `expected text, got ${typeof v}`);
  const bytes = (chosen && parseAs(chosen, v)) ?? parseAs(spec.display, v) ?? fromHex(v);
  if (!bytes) throw new EncodeError(path, `cannot read ${JSON.stringify(v)} as ${chosen ?? spec.display ?? 'hex'}`);
  return bytes;
}

/** The selecting value an encoder can see: a sibling attribute's (header and request paths are the decoder's). */
function siblingSelector(sm: SubMessage, siblings: Record<string, JsonValue>): JsonValue | undefined {
  for (const path of selectorPaths(sm)) {
    if (!path.includes('.') && siblings[path] !== undefined) return siblings[path];
  }
  return undefined;
}

function payloadOf(family: FamilySpec | undefined, spec: AttrSpec, v: JsonValue, path: string, siblings: Record<string, JsonValue>): Uint8Array {
  const order = spec.byteOrder ?? 'host';
  switch (spec.type) {
    case 'u8': case 's8': case 'u16': case 's16': case 'u32': case 's32': case 'u64': case 's64': {
      const n = spec.flags ? flagsToBigInt(path, v, family?.enums[spec.flags]) : toBigInt(path, v, spec.enum ? family?.enums[spec.enum] : undefined);
      return writeInt(path, spec.type, n, order);
    }
    case 'uint': case 'sint': {
      const n = spec.flags ? flagsToBigInt(path, v, family?.enums[spec.flags]) : toBigInt(path, v, spec.enum ? family?.enums[spec.enum] : undefined);
      const small = spec.type === 'uint' ? n >= 0n && n <= 0xffffffffn : n >= -0x80000000n && n <= 0x7fffffffn;
      return writeInt(path, spec.type, n, order, small ? 4 : 8);
    }
    case 'string': {
      if (typeof v !== 'string') throw new EncodeError(path, 'expected a string');
      const text = Buffer.from(v, 'utf8');
      const out = new Uint8Array(text.length + 1);
      out.set(text);
      return out;
    }
    case 'flag':
      return new Uint8Array(0);
    case 'pad':
      return typeof v === 'string' ? (fromHex(v) ?? new Uint8Array(0)) : new Uint8Array(0);
    case 'bitfield32': {
      const o = (v ?? {}) as Record<string, JsonValue>;
      return concat([writeInt(path, 'u32', toBigInt(path, o.value ?? 0), 'host'), writeInt(path, 'u32', toBigInt(path, o.selector ?? 0), 'host')]);
    }
    case 'binary': {
      let structName = spec.struct;
      const table = spec.subMessage?.structs;
      if (table && isObject(v)) {
        // The sibling that selects the struct when it is given, else the struct the fields fit.
        const sel = siblingSelector(spec.subMessage!, siblings);
        structName = (sel !== undefined ? table[String(sel)] : undefined) ?? structByKeys(family, [...new Set(Object.values(table))], v) ?? structName;
      }
      if (structName && family?.structs[structName] && isObject(v)) {
        return encodeStruct(family, family.structs[structName]!, v, path);
      }
      if (spec.arrayOf && Array.isArray(v)) {
        const st = family?.structs[spec.arrayOf];
        if (st) return spec.elementAttrs ? structsWithAttrs(family!, spec, st, v, path) : concat(v.map((x, i) => encodeStruct(family, st, x, `${path}[${i}]`)));
        return concat(v.map((x, i) => writeInt(`${path}[${i}]`, spec.arrayOf as IntType, toBigInt(`${path}[${i}]`, x), order)));
      }
      return bytesOf(path, spec, v);
    }
    case 'nest':
    case 'nest-array': {
      let setName = spec.nested;
      if (spec.subMessage) {
        const sel = siblingSelector(spec.subMessage, siblings);
        setName = sel !== undefined && sel !== null && typeof sel !== 'object' ? spec.subMessage.sets?.[String(sel)] : undefined;
        if (!setName) {
          if (typeof v === 'string') return bytesOf(path, {}, v);
          throw new EncodeError(path, `no format known for ${String(spec.subMessage.selector)} ${JSON.stringify(sel)}`);
        }
      }
      const set = setName ? family?.sets[setName] : undefined;
      if (typeof v === 'string') return bytesOf(path, {}, v); // opaque hex, as decoded when unknown
      if (spec.type === 'nest-array') {
        if (spec.indexKeyed) return encodeIndexed(family, set, v, path);
        if (!Array.isArray(v)) throw new EncodeError(path, 'expected an array');
        // Elements are typed by their index; the kernel counts them from 1.
        return concat(v.map((el, i) => attribute((i + 1) | NLA_F_NESTED, encodeNest(family, set, el, `${path}[${i}]`))));
      }
      return encodeNest(family, set, v, path);
    }
  }
}

/** A nest's content: attributes by name, or members by index when the set is an `elements` set. */
function encodeNest(family: FamilySpec | undefined, set: AttrSetSpec | undefined, v: JsonValue, path: string): Uint8Array {
  if (set?.elements) return encodeIndexed(family, family?.sets[set.elements], v, path);
  return encodeAttrs(family, set, v, path);
}

/**
 * Members keyed by index ({ "3": {…}, "7": {…} }): each a nest of type = the index holding
 * `set`; an array under one key repeats that index. Keys may also be written unknown_N.
 */
function encodeIndexed(family: FamilySpec | undefined, set: AttrSetSpec | undefined, v: JsonValue, path: string): Uint8Array {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new EncodeError(path, 'expected an object keyed by index');
  const parts: Uint8Array[] = [];
  for (const [key, el] of Object.entries(v)) {
    const m = /^(?:unknown_)?(\d+)$/.exec(key);
    const index = m ? Number(m[1]) : NaN;
    if (!(index <= 0x3fff)) throw new EncodeError(`${path}.${key}`, 'expected an index (0 to 16383)');
    for (const item of Array.isArray(el) ? el : [el]) parts.push(attribute(index | NLA_F_NESTED, encodeNest(family, set, item, `${path}.${key}`)));
  }
  return concat(parts);
}

/**
 * Structs each followed by attributes (struct rtnexthop in RTA_MULTIPATH): every element's
 * struct fields, its `attrs` encoded with the element set, and its length field set to the
 * length of both (the struct rounded up to 4, as RTNH_LENGTH does, plus the attributes).
 */
function structsWithAttrs(family: FamilySpec, spec: AttrSpec, st: StructSpec, v: JsonValue[], path: string): Uint8Array {
  const set = family.sets[spec.elementAttrs!];
  return concat(
    v.map((el, i) => {
      const p = `${path}[${i}]`;
      if (!el || typeof el !== 'object' || Array.isArray(el)) throw new EncodeError(p, `expected an object of struct ${st.name}'s fields and attrs`);
      const { attrs, ...fields } = el as Record<string, JsonValue>;
      const body = attrs === undefined ? new Uint8Array(0) : encodeAttrs(family, set, attrs, `${p}.attrs`);
      const head = nlaAlign(st.size);
      const struct = encodeStruct(family, st, { ...fields, [spec.elementLength!]: head + body.length }, p);
      return concat([struct, new Uint8Array(head - st.size), body]);
    }),
  );
}

function specByName(set: AttrSetSpec | undefined, key: string): [number, AttrSpec | undefined] {
  const unknown = /^(?:unknown_)?(\d+)$/.exec(key);
  if (unknown) return [Number(unknown[1]), set?.attrs[unknown[1]!]];
  if (set) for (const [num, a] of Object.entries(set.attrs)) if (a.name === key || a.constant === key) return [Number(num), a];
  return [-1, undefined];
}

/**
 * Encode a compact attribute object with a family's attribute set. Keys are short names (or
 * constants, or unknown_N / N for attributes the set does not know, whose values are hex);
 * arrays of a non-array type encode a repeated attribute. Nests get NLA_F_NESTED.
 */
export function encodeAttrs(family: FamilySpec | undefined, set: AttrSetSpec | undefined, value: JsonValue, path = ''): Uint8Array {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new EncodeError(path || 'attrs', 'expected an object of attributes');
  const obj = value as Record<string, JsonValue>;
  const parts: Uint8Array[] = [];
  for (const [key, v] of Object.entries(obj)) {
    const p = path ? `${path}.${key}` : key;
    const [num, spec] = specByName(set, key);
    if (num < 0) throw new EncodeError(p, `unknown attribute${set ? ` in ${set.name}` : ''}`);
    // An array repeats the attribute, except where an array is the value itself: then an array
    // of arrays repeats it (as the decoder shows a repeated one). [] is no attribute for a
    // `multi` one, else one with an empty value.
    const arrayValued = !!spec && ((spec.type === 'nest-array' && !spec.indexKeyed) || !!spec.arrayOf || !!spec.flags);
    const repeated = Array.isArray(v) && (!arrayValued || (v.every(Array.isArray) && (v.length > 0 || !!spec?.multi)));
    for (const item of repeated ? (v as JsonValue[]) : [v]) {
      if (!spec || spec.undescribed) {
        parts.push(attribute(num, bytesOf(p, {}, item)));
        continue;
      }
      if (spec.type === 'flag' && item === false) continue;
      const isNest = spec.type === 'nest' || spec.type === 'nest-array';
      const payload = payloadOf(family, spec, item, p, obj);
      // Nests carry NLA_F_NESTED (strict kernels require it). NLA_F_NET_BYTEORDER only where
      // the description says the kernel wants it (ipset); other big-endian families go without.
      parts.push(attribute(num | (isNest && typeof item !== 'string' ? NLA_F_NESTED : 0) | (spec.netByteOrder ? NLA_F_NET_BYTEORDER : 0), payload));
    }
  }
  return concat(parts);
}

/** One entry of the lossless attribute list (as messageToObject's attr_list prints it). */
export interface LosslessAttr {
  type: number;
  flags?: string[];
  len: number;
  bytes?: string;
  /** The padding after the payload as it was, when not the usual zeros (see DecodedAttr.padding). */
  pad?: string;
  attrs?: LosslessAttr[];
}

/**
 * Rebuild the bytes of a lossless attribute list: each attribute's type, flags, length and
 * payload bytes as recorded (children are used only for an entry without `bytes`).
 */
export function encodeLossless(list: readonly LosslessAttr[]): Uint8Array {
  return concat(
    list.map((a) => {
      let t = a.type;
      if (a.flags?.includes('nested')) t |= NLA_F_NESTED;
      if (a.flags?.includes('net_byteorder')) t |= NLA_F_NET_BYTEORDER;
      const payload = typeof a.bytes === 'string' ? (fromHex(a.bytes) ?? new Uint8Array(0)) : encodeLossless(a.attrs ?? []);
      const length = typeof a.bytes === 'string' ? a.len : NLA_HDRLEN + payload.length;
      const pad = typeof a.pad === 'string' ? fromHex(a.pad) : undefined;
      if (!pad) return attribute(t, payload, length);
      // The padding as recorded: other content, or none at all where the message ended.
      const whole = attribute(t, payload, length).subarray(0, NLA_HDRLEN + payload.length);
      return concat([whole, pad]);
    }),
  );
}


/**
 * Addresses written with a prefix (`192.0.2.1/24`) where the description says which header
 * field holds the prefix length (AttrSpec.prefixLength): the attributes without it, and the
 * header with the length filled in. A header that already says another length is an error.
 */
export function splitPrefixes(
  set: AttrSetSpec | undefined,
  attrs: Record<string, JsonValue>,
  header: Record<string, JsonValue>,
): { attrs: Record<string, JsonValue>; header: Record<string, JsonValue> } {
  let outAttrs = attrs;
  let outHeader = header;
  // Which attribute set a header field, to say so when another disagrees.
  const setBy: Record<string, string> = {};
  for (const spec of Object.values(set?.attrs ?? {})) {
    const v = attrs[spec.name];
    if (!spec.prefixLength || typeof v !== 'string' || !v.includes('/')) continue;
    const [addr, len] = [v.slice(0, v.lastIndexOf('/')), v.slice(v.lastIndexOf('/') + 1)];
    if (!/^\d{1,3}$/.test(len)) throw new EncodeError(spec.name, `${JSON.stringify(v)}: the prefix length must be a number`);
    // Compared with what is being built, so two addresses (IFA_LOCAL, IFA_ADDRESS) must agree too.
    const given = outHeader[spec.prefixLength];
    if (given !== undefined && Number(given) !== Number(len)) {
      const other = setBy[spec.prefixLength] ? `${setBy[spec.prefixLength]} says /${String(given)}` : `the header's ${spec.prefixLength} says ${String(given)}`;
      throw new EncodeError(spec.name, `${JSON.stringify(v)} says /${len}, ${other}`);
    }
    outAttrs = { ...outAttrs, [spec.name]: addr };
    outHeader = { ...outHeader, [spec.prefixLength]: Number(len) };
    setBy[spec.prefixLength] = spec.name;
  }
  return { attrs: outAttrs, header: outHeader };
}

/** A message as a human (or the decoder's JSON) writes it. */
export interface MessageInput {
  /** Message type: short name (newlink), constant (RTM_NEWLINK) or number. Generic netlink: the command. */
  type: string | number;
  /** Flag names (request, ack, dump, create, …), hex tokens, or a number. Default: request. */
  flags?: JsonValue;
  seq?: number;
  pid?: number;
  /** The fixed header's fields. */
  header?: JsonValue;
  /** Attributes, compact form. */
  attrs?: JsonValue;
  /** Attributes, lossless form (exact bytes); used instead of attrs when present. */
  attr_list?: JsonValue;
  /**
   * The fixed header as hex, alignment padding included (the lossless form); used instead of
   * header when present, so padding content and odd bytes come back as they were.
   */
  header_bytes?: JsonValue;
}

const FLAG_BITS: Record<string, number> = {
  request: 0x1, multi: 0x2, ack: 0x4, echo: 0x8, dump_intr: 0x10, dump_filtered: 0x20,
  root: 0x100, match: 0x200, atomic: 0x400, dump: 0x300,
  replace: 0x100, excl: 0x200, create: 0x400, append: 0x800,
  nonrec: 0x100, bulk: 0x200, capped: 0x100, ack_tlvs: 0x200,
};

/** nlmsg_flags from names (any context's), hex tokens, or a number. */
export function flagsFromNames(v: JsonValue, path = 'flags'): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[|,]/) : undefined;
  if (!items) throw new EncodeError(path, 'expected flag names or a number');
  let out = 0;
  for (const item of items) {
    const name = String(item).trim().toLowerCase().replace(/^nlm_f_/, '');
    if (name === '') continue;
    if (name in FLAG_BITS) out |= FLAG_BITS[name]!;
    else if (/^(0x[0-9a-f]+|\d+)$/.test(name)) out |= Number(name);
    else throw new EncodeError(path, `unknown flag "${item}" (known: ${Object.keys(FLAG_BITS).join(', ')})`);
  }
  return out;
}

/**
 * The layout (header struct, attribute set) to encode a message of `spec` with: the variant its
 * direction, dump flags and header's first byte choose (see messageLayout). The first byte is
 * found by encoding `header` — field values, or the header's bytes — with the message's own
 * struct, or, when it has none, with each variant's struct in turn (sock_diag's variants all
 * start with the address family) until one encodes to a byte that selects that very variant.
 */
export function layoutFor(family: FamilySpec, spec: MessageSpec, flags: number, header: JsonValue | Uint8Array): { header?: string; attrs?: string } {
  const isRequest = (flags & FLAG_BITS.request!) !== 0;
  const firstByte = (structName: string | undefined): number | undefined => {
    if (header instanceof Uint8Array) return header[0];
    return structName && family.structs[structName] ? encodeStruct(family, family.structs[structName]!, header, 'header')[0] : undefined;
  };
  if (spec.header || header instanceof Uint8Array) return messageLayout(spec, isRequest, firstByte(spec.header), flags);
  for (const v of spec.variants ?? []) {
    if (!v.header || v.firstByte === undefined) continue;
    let first: number | undefined;
    try {
      first = firstByte(v.header);
    } catch {
      continue; // fields this variant's struct does not have: not this one
    }
    if (messageLayout(spec, isRequest, first, flags) === v) return v;
  }
  return messageLayout(spec, isRequest, undefined, flags);
}

/**
 * Build a message's type, flags and payload (fixed header then attributes) from `input` with
 * the family's description. Returns the pieces Conn.send takes; zero sequence and pid are left
 * for the connection to fill in. Generic netlink payloads start with the genlmsghdr of the
 * command (version from `genlVersion`, default 1); the caller supplies the family ID as type.
 */
export function encodeMessage(
  family: FamilySpec,
  input: MessageInput,
  options: { genlFamilyId?: number; genlVersion?: number } = {},
): { header: { type: number; flags: number; sequence: number; pid: number }; data: Uint8Array } {
  const want = typeof input.type === 'string' ? input.type.toLowerCase() : input.type;
  const spec = family.messages.find((m) => m.value === want || m.name === want || m.constant.toLowerCase() === want);
  if (!spec) throw new EncodeError('type', `no message ${JSON.stringify(input.type)} in ${family.name}`);
  const flags = input.flags === undefined ? FLAG_BITS.request! : flagsFromNames(input.flags);
  let headerBytes: Uint8Array | undefined;
  if (typeof input.header_bytes === 'string') {
    headerBytes = fromHex(input.header_bytes);
    if (!headerBytes) throw new EncodeError('header_bytes', 'expected hex');
  }
  const body = encodeBody(family, spec, flags, {
    header: input.header,
    headerBytes,
    attrs: input.attrs,
    attrList: input.attr_list !== undefined ? (input.attr_list as unknown as LosslessAttr[]) : undefined,
  });
  const genl = options.genlFamilyId !== undefined;
  return {
    header: { type: genl ? options.genlFamilyId! : spec.value, flags, sequence: input.seq ?? 0, pid: input.pid ?? 0 },
    data: genl ? concat([new Uint8Array([spec.value, options.genlVersion ?? 1, 0, 0]), body]) : body,
  };
}

/** What {@link encodeBody} makes a payload of. */
export interface BodyInput {
  /** The fixed header's fields. */
  header?: JsonValue;
  /** The fixed header as bytes, used instead of `header` (which is then not read). */
  headerBytes?: Uint8Array;
  /** What `headerBytes` is called where it came from (for errors). Default header_bytes. */
  headerBytesName?: string;
  /** Attributes, compact form. */
  attrs?: JsonValue;
  /** Attributes, lossless form (exact bytes); used instead of `attrs` when present. */
  attrList?: readonly LosslessAttr[];
  /** Attributes already encoded, appended after the others. */
  raw?: readonly Uint8Array[];
}

/**
 * A message's payload after any genlmsghdr — the fixed header, then the attributes — with the
 * layout (header struct, attribute set) `layoutFor` picks. Addresses written with a prefix
 * move the length into the header field the description names (splitPrefixes). A header given
 * by field is padded to 4 bytes, attributes or not (the kernel reads what follows the aligned
 * header as attributes: a 17-byte netconf dump request is "invalid data after header"), except
 * one that ends in an open region (cn_msg), which is the whole payload; header bytes are used
 * as given, padded only when attributes follow them.
 */
export function encodeBody(family: FamilySpec, spec: MessageSpec, flags: number, input: BodyInput): Uint8Array {
  const layout = layoutFor(family, spec, flags, input.headerBytes ?? input.header ?? {});
  let header = input.headerBytes ? {} : input.header ?? {};
  let attrs = input.attrs;
  if (isObject(attrs) && input.attrList === undefined && layout.header) {
    const given = attrs;
    const split = splitPrefixes(layout.attrs ? family.sets[layout.attrs] : undefined, given, isObject(header) ? header : {});
    if (split.attrs !== given) {
      if (input.headerBytes) {
        const moved = Object.keys(given).filter((k) => split.attrs[k] !== given[k]);
        throw new EncodeError(moved.join(', '), `a prefix length goes into a header field: give the header by field, not as ${input.headerBytesName ?? 'header_bytes'}`);
      }
      attrs = split.attrs;
      header = split.header;
    }
  }
  const set = layout.attrs ? family.sets[layout.attrs] : undefined;
  const encoded = input.attrList !== undefined ? encodeLossless(input.attrList) : attrs !== undefined ? encodeAttrs(family, set, attrs) : new Uint8Array(0);
  const raw = input.raw ?? [];
  const parts: Uint8Array[] = [];
  if (input.headerBytes) {
    parts.push(input.headerBytes);
    if (encoded.length || raw.length) parts.push(padding(input.headerBytes.length));
  } else if (layout.header) {
    const st = family.structs[layout.header]!;
    const hdr = encodeStruct(family, st, header, 'header');
    parts.push(hdr);
    if (!isOpenStruct(st)) parts.push(padding(hdr.length));
  }
  return concat([...parts, encoded, ...raw]);
}

/** Zero bytes from `length` up to the next multiple of 4. */
function padding(length: number): Uint8Array {
  return new Uint8Array((4 - (length % 4)) % 4);
}
