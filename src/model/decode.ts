// The generic decoder: one netlink message plus its family's description → the decoded-message
// model every renderer uses. It names and types everything the description knows and keeps
// everything it does not (unknown attributes as bytes, extra fixed-header bytes, malformed
// parts annotated), and never throws on any input.
import { HOST_LITTLE_ENDIAN, NLA_HDRLEN, NLMSG_HDRLEN, nlaAlign } from '../netlink/align.js';
import { parseAck } from '../netlink/ack.js';
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK } from '../netlink/attribute.js';
import { errnoName, errnoText, type ExtAck } from '../netlink/errors.js';
import { HeaderFlags, HeaderType, controlFlagContext, flagNames, type Header, type Message } from '../netlink/message.js';
import type { AttrSetSpec, AttrSpec, DisplayHint, EnumSpec, FamilySpec, FieldCase, FieldSelect, IntType, MessageFrom, MessageSpec, StructField, StructSpec, SubMessage } from '../families/schema.js';
import { attrsToObject } from './json.js';
import { family as nlctrl } from '../families/generated/generic.js';
import { formatIP, formatIPv4, formatIPv6, formatMac, toHex } from './values.js';

/** A decoded value. 64-bit integers stay bigint; unknown bytes become hex text. */
export type Value = number | bigint | string | boolean | Value[] | { [key: string]: Value };

/** One attribute, losslessly: where it was, what it was, and what it means. */
export interface DecodedAttr {
  /** Type number with the flag bits masked off. */
  type: number;
  /** Short name from the description (undefined when the number is unknown). */
  name?: string;
  /** The kernel constant, e.g. IFLA_IFNAME. */
  constant?: string;
  /** NLA_F_NESTED was set. */
  nestedFlag: boolean;
  /** NLA_F_NET_BYTEORDER was set. */
  netByteOrder: boolean;
  /** nla_len. */
  length: number;
  /** Offset of the attribute header from the start of the message. */
  offset: number;
  /** The payload. */
  data: Uint8Array;
  /** The described type, or 'unknown'. */
  kind: AttrSpec['type'] | 'unknown';
  /** The decoded value (for nests: undefined; see children). */
  value?: Value;
  /** The raw number behind an enum or flags value. */
  raw?: number | bigint;
  /** Decoded children of a nest. */
  children?: DecodedAttr[];
  /**
   * The children's types are indexes that mean something (an indexKeyed nest-array, or a nest
   * of an `elements` set): JSON keys them by index instead of listing them.
   */
  indexKeyed?: boolean;
  /** The description says the attribute may repeat: JSON shows it as an array even once. */
  multi?: boolean;
  /**
   * The bytes between the payload and the next 4-byte boundary, only when they are not the
   * usual zeros: other content, or fewer because the region ends first (a message may end
   * right after an unaligned attribute). The lossless view keeps them, to give every byte back.
   */
  padding?: Uint8Array;
  /**
   * Set when the payload does not fit its description: the value is then hex, or, for a struct
   * shorter than described, the fields it holds.
   */
  malformed?: string;
}

/** The fixed header that follows nlmsghdr. */
export interface DecodedFixedHeader {
  /** Struct name, e.g. ifinfomsg. */
  name: string;
  fields: Record<string, Value>;
  /** Raw numbers behind enum and flag fields. */
  raw: Record<string, number | bigint>;
  /**
   * The bytes the struct was read from, padding included (of a message's fixed header: up to
   * where its attributes start, so with the alignment padding after a short struct).
   */
  bytes: Uint8Array;
  /** Bytes beyond the described struct (a newer kernel's longer header). */
  extra?: Uint8Array;
  /** Fields the message was too short to hold (dotted inside a nested struct: data.what). */
  missing?: string[];
  /**
   * Other disagreements: a length field that claims more bytes than there are, a char array
   * that is not UTF-8 (shown as hex).
   */
  problems?: string[];
}

/** An NLMSG_ERROR or DONE payload. */
export interface DecodedAck {
  errno: number;
  /** Errno name (OK for 0). */
  name: string;
  text: string;
  request?: Header;
  extAck: ExtAck;
  /** Dotted path of the attribute extAck.offset points at, when the request is known. */
  badAttr?: string;
  /**
   * The policy the offending attribute failed (NLMSGERR_ATTR_POLICY), named as nlctrl names
   * policies: { type: "string", max_length: 15 }.
   */
  policy?: Record<string, Value>;
}

/** One decoded message. */
export interface DecodedMessage {
  /** Netlink protocol number. */
  protocol: number;
  /** Family name when described (route, nlctrl, …). */
  family?: string;
  header: Header;
  /** The message type: its number, and name/constant when known. */
  type: { value: number; name?: string; constant?: string };
  /** Flag names in the message's context (get/new/del/ack; see flagNames), unknown bits as hex. */
  flags: string[];
  /** genlmsghdr of a generic netlink message. */
  genl?: { cmd: number; version: number; reserved: number };
  fixed?: DecodedFixedHeader;
  attrs: DecodedAttr[];
  /** Payload bytes not decoded as header or attributes (unknown message types). */
  payload?: Uint8Array;
  /** A text payload (audit records), when the description says the payload is text. */
  text?: string;
  ack?: DecodedAck;
  /** Problems met while decoding; the message is still shown. */
  malformed: string[];
}

/** What the decoder needs besides the message. */
export interface DecodeContext {
  /** Netlink protocol number of the socket or capture. */
  protocol: number;
  /** The protocol's description (route), when there is one. */
  family?: FamilySpec;
  /** Generic netlink: descriptions by family ID (nlctrl is 16). */
  genlFamilies?: ReadonlyMap<number, FamilySpec>;
  /** Offset of the message within its datagram or file (for offsets in annotations). */
  offset?: number;
  /**
   * The request a reply answers: lets an ext-ack offset be named as an attribute path, and
   * sub-message selectors read it (INET_DIAG_INFO is tcp_info when TCP sockets were asked for).
   */
  request?: DecodedMessage;
  /**
   * For messages no description covers: try the payload as attributes from this offset (the
   * family header's size, when known), or with `auto` from the first 4-byte boundary (up to
   * 64 bytes in) where the rest parses as attributes to the end. When they do not parse, the
   * payload stays bytes. Generic netlink messages of undescribed commands are tried with `auto`
   * when nothing is given (their attributes follow genlmsghdr and the family's header).
   */
  rawAttrOffset?: number | 'auto';
  /**
   * The message arrived on a multicast group (listen): of the entries of its number, those
   * described `from: multicast` fit it best (mptcp_pm's events share numbers with commands).
   */
  multicast?: boolean;
}

/** Sizes of the fixed-size integer types. */
export const INT_SIZE: Readonly<Record<string, number>> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

/** Read an integer of `type` (`size` bytes for uint/sint); 64-bit values are bigint. */
export function readInt(view: DataView, off: number, type: IntType, size: number, little: boolean): number | bigint {
  switch (type) {
    case 'u8': return view.getUint8(off);
    case 's8': return view.getInt8(off);
    case 'u16': return view.getUint16(off, little);
    case 's16': return view.getInt16(off, little);
    case 'u32': return view.getUint32(off, little);
    case 's32': return view.getInt32(off, little);
    case 'u64': return view.getBigUint64(off, little);
    case 's64': return view.getBigInt64(off, little);
    case 'uint': return size === 4 ? view.getUint32(off, little) : view.getBigUint64(off, little);
    case 'sint': return size === 4 ? view.getInt32(off, little) : view.getBigInt64(off, little);
  }
}

/** An enum value's name, or the number itself when the enum does not know it. */
function enumValue(e: EnumSpec | undefined, v: number | bigint): Value {
  if (!e) return v;
  return e.values[String(v)] ?? v;
}

// A flag set's bits that fit in 32 bits, as [bit, name] pairs, made once per set: the common
// case is then plain 32-bit arithmetic over a small array (BigInt and for…in cost a lot per
// message). Weakly keyed, so descriptions loaded at run time do not pin memory.
const BITS32 = new WeakMap<EnumSpec, readonly (readonly [number, string])[]>();
function bits32(e: EnumSpec): readonly (readonly [number, string])[] {
  let list = BITS32.get(e);
  if (!list) {
    list = Object.entries(e.values)
      .map(([bit, name]) => [Number(bit), name] as const)
      .filter(([b]) => b !== 0 && b <= 0xffffffff && Number.isInteger(b));
    BITS32.set(e, list);
  }
  return list;
}

/** The names of a flag set's bits that are set, unknown bits as one hex token. */
function flagsValue(e: EnumSpec | undefined, v: number | bigint): Value {
  if (!e) return v;
  if (typeof v === 'number' && v >= 0 && v <= 0xffffffff) {
    const out: string[] = [];
    if (v === 0) return out;
    let rest = v;
    for (const [b, name] of bits32(e)) {
      if (((v & b) >>> 0) === b) {
        out.push(name);
        rest = (rest & ~b) >>> 0;
      }
    }
    if (rest) out.push(`0x${rest.toString(16)}`);
    return out;
  }
  const n = BigInt(v);
  const out: string[] = [];
  let rest = n;
  for (const [bit, name] of Object.entries(e.values)) {
    const b = BigInt(bit);
    if (b !== 0n && (n & b) === b) {
      out.push(name);
      rest &= ~b;
    }
  }
  if (rest) out.push(`0x${rest.toString(16)}`);
  return out;
}

/** An integer as the description shows it: an enum's name, a flag set's names, hex, or the number. */
export function scalarDisplay(family: FamilySpec | undefined, spec: { enum?: string; flags?: string; display?: DisplayHint }, v: number | bigint): Value {
  if (spec.enum) return enumValue(family?.enums[spec.enum], v);
  if (spec.flags) return flagsValue(family?.enums[spec.flags], v);
  if (spec.display === 'hex') return `0x${v.toString(16)}`;
  return v;
}

// Strict UTF-8 that keeps a leading BOM, so the text encodes back to the same bytes.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Where text in [start, start + size) of `buf` ends: trailing NULs dropped (C strings, char arrays). */
export function textEnd(buf: Uint8Array, start: number, size: number): number {
  let e = start + size;
  while (e > start && buf[e - 1] === 0) e--;
  return e;
}

/**
 * A char[N] field: the text with trailing NULs dropped (what follows an embedded NUL stays, so
 * it writes back the same), or undefined when the bytes are not UTF-8.
 */
function charArray(b: Uint8Array): string | undefined {
  try {
    return UTF8.decode(b.subarray(0, textEnd(b, 0, b.length)));
  } catch {
    return undefined;
  }
}

/**
 * True when the struct ends in a region without a size (cn_msg's data): it takes the rest of
 * the bytes it is given, or what its length field says.
 */
export function isOpenStruct(st: StructSpec): boolean {
  const last = st.fields[st.fields.length - 1];
  return last !== undefined && last.type === 'struct' && last.size === undefined;
}

/** The case of `sel` that the raw values of earlier fields choose, if any. */
export function selectCase(sel: FieldSelect | undefined, values: Readonly<Record<string, number | bigint>>): FieldCase | undefined {
  if (!sel) return undefined;
  return sel.cases.find((c) =>
    c.when.every((w, i) => {
      const v = values[sel.by[i]!];
      return v !== undefined && Number(v) === w;
    }),
  );
}

/**
 * The bit positions of an integer field's bit-fields, as GCC lays them out: declaration order
 * from the least significant bit on little-endian hosts, from the most significant on big-endian.
 */
export function bitPositions(f: StructField): number[] {
  const total = INT_SIZE[f.type]! * 8;
  let used = 0;
  return (f.bits ?? []).map((b) => {
    const pos = HOST_LITTLE_ENDIAN ? used : total - used - b.width;
    used += b.width;
    return pos;
  });
}

/** Split an integer into its bit-fields; bits none covers show under the field's own name. */
function splitBits(family: FamilySpec | undefined, f: StructField, v: number | bigint, out: DecodedFixedHeader, prefix: string): void {
  const total = INT_SIZE[f.type]! * 8;
  const n = BigInt.asUintN(total, BigInt(v));
  let covered = 0n;
  const positions = bitPositions(f);
  f.bits!.forEach((b, i) => {
    const mask = (1n << BigInt(b.width)) - 1n;
    const x = Number((n >> BigInt(positions[i]!)) & mask);
    covered |= mask << BigInt(positions[i]!);
    if (b.enum) out.raw[prefix + b.name] = x;
    out.fields[b.name] = b.enum ? enumValue(family?.enums[b.enum], x) : x;
  });
  const rest = n & ~covered;
  if (rest) out.fields[f.name] = total > 32 ? rest : Number(rest);
}

/**
 * A struct field's bytes by a display hint, or undefined when the hint does not fit them. A
 * field longer than 4 bytes read as `ipv4` holds the address in its first 4, the rest zero
 * (inet_diag_sockid's addresses).
 */
export function bytesAs(display: StructField['display'], b: Uint8Array): string | undefined {
  switch (display) {
    case undefined: case 'hex': return toHex(b);
    case 'mac': return formatMac(b);
    case 'uuid': return b.length === 16 ? formatUuid(b) : undefined;
    case 'ipv4': return b.length >= 4 && b.subarray(4).every((x) => x === 0) ? formatIPv4(b) : undefined;
    case 'ipv6': return b.length === 16 ? formatIPv6(b) : undefined;
    case 'ip': return formatIP(b);
  }
}

function formatUuid(b: Uint8Array): string {
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Nested structs deeper than this are shown as bytes (a description that refers to itself). */
const MAX_STRUCT_DEPTH = 8;

/**
 * Decode bytes as a struct. Short input leaves fields missing; long input keeps extra bytes.
 * Struct fields decode their region with the struct their selector chooses (nested objects);
 * the bytes a chosen union member leaves unused are dropped when zero, else kept as `_extra`.
 */
/** A decoded struct as a value: its fields, and bytes past the described struct as `_extra` hex. */
export function structValue(d: { fields: Record<string, Value>; extra?: Uint8Array }): Record<string, Value> {
  const v: Record<string, Value> = { ...d.fields };
  if (d.extra) v._extra = toHex(d.extra);
  return v;
}

/** Whether a struct field's integers are little-endian: as described, else the host's order. */
export function fieldLittleEndian(f: StructField): boolean {
  return f.byteOrder ? f.byteOrder === 'little' : HOST_LITTLE_ENDIAN;
}

export function decodeStruct(family: FamilySpec | undefined, st: StructSpec, data: Uint8Array): DecodedFixedHeader {
  return decodeStructAt(family, st, data, '', 0);
}

/**
 * The raw integers of a struct's fields that sit at fixed offsets and fit in `data`: what
 * selectors read, so a field may be chosen by one that comes after it (xfrm_selector's
 * addresses by its family, which follows them).
 */
function fixedValues(st: StructSpec, data: Uint8Array, view: DataView): Record<string, number | bigint> {
  const out: Record<string, number | bigint> = {};
  let off = 0;
  for (const f of st.fields) {
    const size = INT_SIZE[f.type] ?? f.size;
    if (size === undefined || off + size > data.length) break;
    if (f.type in INT_SIZE) out[f.name] = readInt(view, off, f.type as IntType, size, fieldLittleEndian(f));
    off += size;
  }
  return out;
}

// Structs in which (or in whose nested structs) a field is chosen by others: only they need
// their integers read ahead. Made once per struct: a route header has none, and is decoded
// 100k times in a dump.
const SELECTING = new WeakMap<StructSpec, boolean>();
function hasSelectors(family: FamilySpec | undefined, st: StructSpec, depth = 0): boolean {
  let known = SELECTING.get(st);
  if (known === undefined) {
    known = depth < MAX_STRUCT_DEPTH && st.fields.some((f) => f.select !== undefined || (f.struct !== undefined && family?.structs[f.struct] !== undefined && hasSelectors(family, family.structs[f.struct]!, depth + 1)));
    SELECTING.set(st, known);
  }
  return known;
}

function decodeStructAt(
  family: FamilySpec | undefined,
  st: StructSpec,
  data: Uint8Array,
  prefix: string,
  depth: number,
  outer: Readonly<Record<string, number | bigint>> = {},
): DecodedFixedHeader {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: DecodedFixedHeader = { name: st.name, fields: {}, raw: {}, bytes: data };
  // Raw integers selectors read: this struct's own (before and after the field), then those of
  // the struct it is in (xfrm_id's address by the family of the SA holding it). Also the lengths
  // that length fields give.
  const values: Record<string, number | bigint> = hasSelectors(family, st) ? { ...outer, ...fixedValues(st, data, view) } : {};
  const lengths: Record<string, number> = {};
  let off = 0;
  for (const f of st.fields) {
    let size = INT_SIZE[f.type] ?? f.size;
    if (size === undefined) {
      // The open region at the end: its length field's value, else the rest.
      const rest = Math.max(0, data.length - off);
      const claimed = lengths[f.name];
      size = claimed ?? rest;
      if (claimed !== undefined && claimed > rest) {
        (out.problems ??= []).push(`${prefix}${f.name}: its length says ${claimed} bytes, ${rest} are there`);
        size = rest;
      }
    }
    if (off + size > data.length) {
      if (f.type !== 'pad') (out.missing ??= []).push(prefix + f.name);
      off += size;
      continue;
    }
    const b = data.subarray(off, off + size);
    off += size;
    switch (f.type) {
      case 'pad':
        break;
      case 'binary': {
        // A chosen form that does not fit the bytes (IPv4 with a non-zero tail) yields to the field's own.
        const chosen = selectCase(f.select, values)?.display;
        out.fields[f.name] = (chosen && bytesAs(chosen, b)) ?? bytesAs(f.display, b) ?? toHex(b);
        break;
      }
      case 'string': {
        const text = charArray(b);
        if (text === undefined) (out.problems ??= []).push(`${prefix}${f.name}: char[${size}] is not UTF-8`);
        out.fields[f.name] = text ?? toHex(b);
        break;
      }
      case 'struct': {
        const name = selectCase(f.select, values)?.struct ?? f.struct;
        const inner = name ? family?.structs[name] : undefined;
        if (!inner || depth >= MAX_STRUCT_DEPTH) {
          out.fields[f.name] = toHex(b);
          break;
        }
        const open = isOpenStruct(inner);
        const d = decodeStructAt(family, inner, open ? b : b.subarray(0, Math.min(inner.size, b.length)), `${prefix}${f.name}.`, depth + 1, values);
        const v: Record<string, Value> = { ...d.fields };
        const tail = open ? (d.extra ?? b.subarray(b.length)) : b.subarray(Math.min(inner.size, b.length));
        // A union's unused bytes are zero (shown only when not); a region sized by a length
        // field has no padding, so whatever follows the struct in it is shown.
        if (tail.length && (f.size === undefined || tail.some((x) => x !== 0))) v._extra = toHex(tail);
        out.fields[f.name] = v;
        Object.assign(out.raw, d.raw);
        if (d.missing) (out.missing ??= []).push(...d.missing);
        if (d.problems) (out.problems ??= []).push(...d.problems);
        break;
      }
      default: {
        const little = fieldLittleEndian(f);
        const v = readInt(view, off - size, f.type, size, little);
        values[f.name] = v;
        if (f.lengthOf) lengths[f.lengthOf] = Number(v);
        if (f.bits) {
          splitBits(family, f, v, out, prefix);
          break;
        }
        if (f.enum || f.flags) out.raw[prefix + f.name] = v;
        out.fields[f.name] = scalarDisplay(family, f, v);
      }
    }
  }
  const end = isOpenStruct(st) ? off : st.size;
  if (data.length > end) out.extra = data.subarray(end);
  return out;
}

/**
 * Whether an attribute's integers are little-endian: not when NLA_F_NET_BYTEORDER is set or
 * the description says big-endian; the description's order otherwise, else the host's.
 */
export function attrLittleEndian(spec: AttrSpec, netByteOrderFlag: boolean): boolean {
  return netByteOrderFlag || spec.byteOrder === 'big' ? false : spec.byteOrder === 'little' ? true : HOST_LITTLE_ENDIAN;
}

/** A binary attribute's bytes through its display hint (address, MAC, UUID), else hex. */
export function displayBytes(spec: AttrSpec, b: Uint8Array): Value {
  switch (spec.display) {
    case 'mac': return formatMac(b);
    case 'ipv4': return b.length === 4 ? formatIPv4(b) : toHex(b);
    case 'ipv6': return b.length === 16 ? formatIPv6(b) : toHex(b);
    case 'ip': return formatIP(b);
    case 'uuid': return b.length === 16 ? formatUuid(b) : toHex(b);
    default: return toHex(b);
  }
}

interface Walk {
  family: FamilySpec | undefined;
  buf: Uint8Array;
  view: DataView;
  /** Offset of buf[0] from the start of the message. */
  base: number;
  depth: number;
  /** The message's fixed header and the request it answers: where sub-message selectors look. */
  header?: DecodedFixedHeader;
  request?: DecodedMessage;
}

/** A selecting value: as shown, and the raw number behind an enum name. */
type Selected = [value: Value, raw: number | bigint | undefined];

function fromHeader(h: DecodedFixedHeader | undefined, field: string): Selected | undefined {
  const v = h?.fields[field];
  return v === undefined ? undefined : [v, h!.raw[field]];
}

function fromAttrs(attrs: readonly DecodedAttr[] | undefined, name: string): Selected | undefined {
  const a = attrs?.find((x) => x.name === name);
  return a?.value === undefined ? undefined : [a.value, a.raw];
}

/**
 * The value a sub-message selector finds (see SubMessage.selector): the first of its places
 * that has one, as [shown value, raw number].
 */
function selectorValue(sm: SubMessage, w: Walk, siblings: readonly DecodedAttr[]): Selected | undefined {
  for (const path of selectorPaths(sm)) {
    const found = path.startsWith('header.')
      ? fromHeader(w.header, path.slice('header.'.length))
      : path.startsWith('request.header.')
        ? fromHeader(w.request?.fixed, path.slice('request.header.'.length))
        : path.startsWith('request.attrs.')
          ? fromAttrs(w.request?.attrs, path.slice('request.attrs.'.length))
          : fromAttrs(siblings, path);
    if (found) return found;
  }
  return undefined;
}

/** The entry of `table` a sub-message selector picks: by the shown value, else the raw number. */
function subMessageTarget(sm: SubMessage, table: Record<string, string> | undefined, w: Walk, siblings: readonly DecodedAttr[]): string | undefined {
  const sel = table && selectorValue(sm, w, siblings);
  return sel ? tableEntry(table, sel) : undefined;
}

/** The entry of a sub-message's table for a selector's [shown value, raw number]: by the value as shown, else by the number. */
export function tableEntry<T>(table: Readonly<Record<string, T>>, [shown, raw]: readonly [Value, number | bigint | undefined]): T | undefined {
  return (typeof shown === 'string' || typeof shown === 'number' || typeof shown === 'bigint' ? table[String(shown)] : undefined) ?? (raw !== undefined ? table[String(raw)] : undefined);
}

/** A sub-message's selector as a list of places (it may name one or several). */
export function selectorPaths(sm: SubMessage): readonly string[] {
  return typeof sm.selector === 'string' ? [sm.selector] : sm.selector;
}

/** Split a region into attributes (lenient: stops at a malformed one and reports it). */
function walkAttrs(w: Walk, set: AttrSetSpec | undefined, malformed: string[], indexed = false): DecodedAttr[] {
  const out: DecodedAttr[] = [];
  const deferred: [DecodedAttr, AttrSpec][] = [];
  let off = 0;
  const { buf, view } = w;
  while (off < buf.length) {
    const rest = buf.length - off;
    if (rest < NLA_HDRLEN) {
      malformed.push(`${rest} byte(s) left over after the last attribute at offset ${w.base + off}`);
      break;
    }
    const len = view.getUint16(off, HOST_LITTLE_ENDIAN);
    const rawType = view.getUint16(off + 2, HOST_LITTLE_ENDIAN);
    if (len < NLA_HDRLEN || len > rest) {
      malformed.push(`attribute at offset ${w.base + off}: length ${len} ${len < NLA_HDRLEN ? 'is shorter than its header' : `runs past the end (${rest} bytes left)`}`);
      break;
    }
    const type = rawType & NLA_TYPE_MASK;
    const data = buf.subarray(off + NLA_HDRLEN, off + len);
    const spec = indexed || set?.elements ? undefined : set?.attrs[String(type)];
    const a: DecodedAttr = {
      type,
      nestedFlag: (rawType & NLA_F_NESTED) !== 0,
      netByteOrder: (rawType & NLA_F_NET_BYTEORDER) !== 0,
      length: len,
      offset: w.base + off,
      data,
      kind: spec ? spec.type : 'unknown',
    };
    if (spec) {
      a.name = spec.name;
      a.constant = spec.constant;
      if (spec.multi) a.multi = true;
    }
    if (indexed || set?.elements) {
      // A nest-array element (or a member of an `elements` set): its type is an index and its
      // content is the element set.
      a.kind = 'nest';
      const inner = indexed ? set : w.family?.sets[set!.elements!];
      a.children = walkAttrs({ ...w, buf: data, view: new DataView(data.buffer, data.byteOffset, data.byteLength), base: a.offset + NLA_HDRLEN, depth: w.depth + 1 }, inner, malformed);
      // Content that is itself an `elements` set (the next level of a table) is keyed by index.
      if (inner?.elements) a.indexKeyed = true;
    } else if (spec?.subMessage) {
      // Its format depends on a sibling that may come later (RTA_ENCAP before RTA_ENCAP_TYPE).
      deferred.push([a, spec]);
    } else {
      decodeValue(w, a, spec, out, malformed);
    }
    out.push(a);
    const next = Math.min(off + nlaAlign(len), buf.length);
    let odd = next - off < nlaAlign(len);
    for (let i = off + len; !odd && i < next; i++) odd = buf[i] !== 0;
    if (odd) a.padding = buf.subarray(off + len, next);
    off = next;
  }
  for (const [a, spec] of deferred) decodeValue(w, a, spec, out, malformed);
  return out;
}

function decodeValue(w: Walk, a: DecodedAttr, spec: AttrSpec | undefined, siblings: DecodedAttr[], malformed: string[]): void {
  const { family } = w;
  const b = a.data;
  if (!spec) {
    a.value = toHex(b);
    return;
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const little = attrLittleEndian(spec, a.netByteOrder);
  const bad = (why: string) => {
    a.malformed = why;
    a.value = toHex(b);
    malformed.push(`${spec.constant} at offset ${a.offset}: ${why}`);
  };
  switch (spec.type) {
    case 'u8': case 's8': case 'u16': case 's16': case 'u32': case 's32': case 'u64': case 's64': {
      const size = INT_SIZE[spec.type]!;
      if (b.length !== size) return bad(`expected ${size} bytes for ${spec.type}, got ${b.length}`);
      const v = readInt(view, 0, spec.type, size, little);
      a.value = scalarDisplay(family, spec, v);
      if (spec.enum || spec.flags) a.raw = v;
      return;
    }
    case 'uint': case 'sint': {
      if (b.length !== 4 && b.length !== 8) return bad(`expected 4 or 8 bytes for ${spec.type}, got ${b.length}`);
      const v = readInt(view, 0, spec.type, b.length, little);
      a.value = scalarDisplay(family, spec, v);
      if (spec.enum || spec.flags) a.raw = v;
      return;
    }
    case 'string': {
      a.value = Buffer.from(b.buffer, b.byteOffset, textEnd(b, 0, b.length)).toString('utf8');
      return;
    }
    case 'flag':
      if (b.length !== 0) return bad(`a flag carries no payload, got ${b.length} bytes`);
      a.value = true;
      return;
    case 'pad':
      a.value = toHex(b);
      return;
    case 'bitfield32':
      if (b.length !== 8) return bad(`expected 8 bytes for bitfield32, got ${b.length}`);
      a.value = { value: view.getUint32(0, HOST_LITTLE_ENDIAN), selector: view.getUint32(4, HOST_LITTLE_ENDIAN) };
      return;
    case 'binary': {
      const structName = (spec.subMessage && subMessageTarget(spec.subMessage, spec.subMessage.structs, w, siblings)) || spec.struct;
      if (structName) {
        const st = family?.structs[structName];
        if (st) {
          const d = decodeStruct(family, st, b);
          // A field that does not read as described (a length past the end, a char array that
          // is not UTF-8): the bytes as they are, so they still encode back the same.
          if (d.problems) return bad(d.problems[0]!);
          a.value = structValue(d);
          // Shorter than described (an older kernel's struct): the fields it has, annotated,
          // since the encoder would write the missing ones as zeros.
          if (d.missing) {
            a.malformed = `${b.length} bytes, shorter than struct ${st.name}'s ${st.size} (missing ${d.missing.join(', ')})`;
            malformed.push(`${spec.constant} at offset ${a.offset}: ${a.malformed}`);
          }
          return;
        }
      }
      if (spec.arrayOf) {
        const size = INT_SIZE[spec.arrayOf];
        if (size === undefined) {
          const st = family?.structs[spec.arrayOf];
          if (!st) break;
          const r = spec.elementAttrs ? structsWithAttrs(w, a, spec, st) : structArray(family, st, b);
          if (typeof r === 'string') return bad(r);
          a.value = r;
          return;
        }
        if (b.length % size !== 0) return bad(`${b.length} bytes is not a whole number of ${spec.arrayOf}`);
        const vals: Value[] = [];
        for (let o = 0; o < b.length; o += size) vals.push(readInt(view, o, spec.arrayOf as IntType, size, little));
        a.value = vals;
        return;
      }
      a.value = displayBytes(spec, b);
      return;
    }
    case 'nest':
    case 'nest-array': {
      let setName = spec.nested;
      if (spec.subMessage) {
        setName = subMessageTarget(spec.subMessage, spec.subMessage.sets, w, siblings);
        if (!setName) {
          a.value = toHex(b);
          return;
        }
      }
      const set = setName ? family?.sets[setName] : undefined;
      const nestMalformed: string[] = [];
      const child: Walk = { ...w, buf: b, view, base: a.offset + NLA_HDRLEN, depth: w.depth + 1 };
      const children = walkAttrs(child, set, nestMalformed, spec.type === 'nest-array');
      if (nestMalformed.length && !a.nestedFlag) {
        // Described as a nest but the bytes do not parse as attributes: show them as they are.
        return bad(`does not parse as nested attributes (${nestMalformed[0]})`);
      }
      malformed.push(...nestMalformed);
      a.children = children;
      // A nest-array's set is its elements' content; a nest's set may be an `elements` set.
      if (spec.type === 'nest-array' ? spec.indexKeyed : set?.elements) a.indexKeyed = true;
      return;
    }
  }
  // A description naming what the family does not define: bytes.
  a.value = toHex(b);
}

/** An array of structs back to back (NHA_GROUP, XFRMA_TMPL); a problem as text. */
function structArray(family: FamilySpec | undefined, st: StructSpec, b: Uint8Array): Value[] | string {
  if (st.size === 0 || b.length % st.size !== 0) return `${b.length} bytes is not a whole number of struct ${st.name} (${st.size} bytes)`;
  const out: Value[] = [];
  for (let off = 0; off < b.length; off += st.size) {
    const d = decodeStruct(family, st, b.subarray(off, off + st.size));
    if (d.problems) return `element ${out.length}: ${d.problems[0]}`;
    out.push(d.fields);
  }
  return out;
}

/**
 * Structs each followed by attributes, the struct's length field covering both (struct
 * rtnexthop in RTA_MULTIPATH): each element is the struct's fields, without the length (the
 * encoder computes it), and `attrs`, the attributes as the compact JSON object. Elements start
 * on 4-byte boundaries. Any problem makes the whole attribute malformed: the text says which.
 */
function structsWithAttrs(w: Walk, a: DecodedAttr, spec: AttrSpec, st: StructSpec): Value[] | string {
  const b = a.data;
  const set = w.family?.sets[spec.elementAttrs!];
  const lenField = spec.elementLength!;
  const head = nlaAlign(st.size);
  const out: Value[] = [];
  let off = 0;
  while (off < b.length) {
    const rest = b.length - off;
    if (rest < st.size) return `${rest} byte(s) after element ${out.length}, fewer than struct ${st.name}'s ${st.size}`;
    const d = decodeStruct(w.family, st, b.subarray(off, off + st.size));
    if (d.problems) return `element ${out.length}: ${d.problems[0]}`;
    const len = Number(d.fields[lenField]);
    if (!(len >= st.size && len <= rest)) return `element ${out.length}: ${lenField} ${len} is ${len < st.size ? `shorter than struct ${st.name}` : `past the end (${rest} bytes left)`}`;
    const region = b.subarray(Math.min(off + head, off + len), off + len);
    const problems: string[] = [];
    const view = new DataView(region.buffer, region.byteOffset, region.byteLength);
    const attrs = walkAttrs({ ...w, buf: region, view, base: a.offset + NLA_HDRLEN + off + head, depth: w.depth + 1 }, set, problems);
    if (problems.length) return `element ${out.length}: ${problems[0]}`;
    const el: Record<string, Value> = { ...d.fields };
    delete el[lenField];
    el.attrs = attrsToObject(attrs) as Record<string, Value>;
    out.push(el);
    off += nlaAlign(len);
  }
  return out;
}

// Message specs by type number, made once per description (a family has dozens).
const MESSAGE_INDEX = new WeakMap<FamilySpec, Map<number, MessageSpec[]>>();

/** How well an entry's `from` fits a message from `from`: higher is better, 0 does not fit. */
function fromFit(entry: MessageFrom | undefined, from: MessageFrom): number {
  if (entry === from) return 4;
  if (entry === 'kernel' && from === 'multicast') return 3; // notifications are kernel messages
  if (entry === undefined) return 2;
  // A kernel message whose group is not known (a capture) may still be a multicast one.
  if (entry === 'multicast' && from === 'kernel') return 1;
  return 0;
}

/**
 * The description of message type (or generic netlink command) `type` for a message from
 * `from` (default: the kernel), if the family has one: of the entries of that number, the
 * first that fits best (see MessageSpec.from).
 */
export function messageSpec(family: FamilySpec | undefined, type: number, from: MessageFrom = 'kernel'): MessageSpec | undefined {
  if (!family) return undefined;
  let index = MESSAGE_INDEX.get(family);
  if (!index) {
    index = new Map();
    for (const m of family.messages) {
      const list = index.get(m.value);
      if (list) list.push(m);
      else index.set(m.value, [m]);
    }
    MESSAGE_INDEX.set(family, index);
  }
  const list = index.get(type);
  if (!list) return undefined;
  if (list.length === 1) return fromFit(list[0]!.from, from) ? list[0] : undefined;
  let best: MessageSpec | undefined;
  let fit = 0;
  for (const m of list) {
    const f = fromFit(m.from, from);
    if (f > fit) {
      best = m;
      fit = f;
    }
  }
  return best;
}

/** Where a message comes from, for messageSpec: its NLM_F_REQUEST flag and the group it came on. */
export function messageFrom(flags: number, multicast: boolean | undefined): MessageFrom {
  return flags & HeaderFlags.Request ? 'user' : multicast ? 'multicast' : 'kernel';
}

/**
 * The NLMSGERR_ATTR_POLICY of an ACK's TLVs (from `start` of its payload), decoded with the
 * attribute set nlctrl describes policies with (the kernel writes both the same way).
 */
function extAckPolicy(data: Uint8Array, start: number): Record<string, Value> | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let off = start; off + NLA_HDRLEN <= data.length; ) {
    const len = view.getUint16(off, HOST_LITTLE_ENDIAN);
    if (len < NLA_HDRLEN || off + len > data.length) return undefined;
    if ((view.getUint16(off + 2, HOST_LITTLE_ENDIAN) & NLA_TYPE_MASK) === NLMSGERR_ATTR_POLICY) {
      const { attrs, malformed } = decodeAttrs(nlctrl, 'policy_type', data.subarray(off + NLA_HDRLEN, off + len), NLMSG_HDRLEN + off + NLA_HDRLEN);
      return malformed.length ? undefined : (attrsToObject(attrs) as Record<string, Value>);
    }
    off += nlaAlign(len);
  }
  return undefined;
}

/** NLMSGERR_ATTR_POLICY (linux/netlink.h). */
const NLMSGERR_ATTR_POLICY = 4;

/** An error's name: the family's own code (IPSET_ERR_PROTOCOL) where it has one, else errno's. */
function ackName(family: FamilySpec | undefined, errno: number): string {
  const own = family?.errors !== undefined && errno < 0 ? family.enums[family.errors]?.values[String(-errno)] : undefined;
  return own ? own.toUpperCase() : errnoName(errno);
}

const CONTROL_NAMES: Record<number, [string, string]> = {
  [HeaderType.Noop]: ['noop', 'NLMSG_NOOP'],
  [HeaderType.Error]: ['error', 'NLMSG_ERROR'],
  [HeaderType.Done]: ['done', 'NLMSG_DONE'],
  [HeaderType.Overrun]: ['overrun', 'NLMSG_OVERRUN'],
};

/**
 * The header and attribute set of a message: the first variant that matches its direction and
 * first payload byte (the address family of sock_diag, bridge and IPv6 link messages), else
 * the message's own.
 */
export function messageLayout(spec: MessageSpec, isRequest: boolean, firstByte: number | undefined, flags = 0): { header?: string; attrs?: string } {
  const isDump = isRequest && (flags & 0x300) !== 0;
  return (
    spec.variants?.find(
      (v) =>
        (v.request === undefined || v.request === isRequest) &&
        (v.dump === undefined || v.dump === isDump) &&
        (v.firstByte === undefined || firstByte === v.firstByte),
    ) ?? spec
  );
}

/** Decode one message. Never throws: problems are listed in `malformed`. */
export function decodeMessage(m: Message, ctx: DecodeContext): DecodedMessage {
  const h = m.header;
  const base = NLMSG_HDRLEN;
  const out: DecodedMessage = { protocol: ctx.protocol, header: h, type: { value: h.type }, flags: [], attrs: [], malformed: [] };

  // A control type is the protocol's own message when its description lists it (connector).
  const ownControl = h.type < HeaderType.MinType && ctx.protocol !== 16 && messageSpec(ctx.family, h.type, messageFrom(h.flags, ctx.multicast)) !== undefined;
  if (h.type < HeaderType.MinType && !ownControl) {
    const names = CONTROL_NAMES[h.type];
    if (names) out.type = { value: h.type, name: names[0], constant: names[1] };
    if (ctx.family) out.family = ctx.family.name;
    out.flags = flagNames(h.flags, controlFlagContext(h.type));
    if (h.type === HeaderType.Error || h.type === HeaderType.Done) {
      const a = parseAck(m);
      out.ack = { errno: a.errno, name: ackName(ctx.family, a.errno), text: errnoText(a.errno), extAck: a.extAck };
      if (a.request) out.ack.request = a.request;
      if (a.malformed) out.malformed.push(a.malformed);
      if (a.extAck.malformed) out.malformed.push(a.extAck.malformed);
      if (a.extAck.offset !== undefined && ctx.request) {
        const path = attrPathAt(ctx.request, a.extAck.offset);
        if (path) out.ack.badAttr = path;
      }
      if (a.extAck.policy && a.tlvOffset !== undefined) {
        const policy = extAckPolicy(m.data, a.tlvOffset);
        if (policy) out.ack.policy = policy;
      }
    } else if (m.data.length) {
      out.payload = m.data;
    }
    return out;
  }

  // Generic netlink: the type is a family ID, then a 4-byte genlmsghdr selects the command.
  let family = ctx.family;
  let data = m.data;
  let dataBase = base;
  let spec: MessageSpec | undefined;
  if (ctx.protocol === 16) {
    family = ctx.genlFamilies?.get(h.type);
    if (data.length >= 4) {
      out.genl = { cmd: data[0]!, version: data[1]!, reserved: data[2]! | (data[3]! << 8) };
      spec = messageSpec(family, data[0]!, messageFrom(h.flags, ctx.multicast));
    } else {
      out.malformed.push(`generic netlink message of ${data.length} payload bytes has no genlmsghdr`);
    }
    data = data.subarray(4);
    dataBase += 4;
    // The nlmsg_type is the family ID; the command names the message.
    if (spec) out.type = { value: h.type, name: spec.name, constant: spec.constant };
    else if (family) out.type = { value: h.type, name: family.name };
  } else {
    spec = messageSpec(family, h.type, messageFrom(h.flags, ctx.multicast));
    if (spec) out.type = { value: h.type, name: spec.name, constant: spec.constant };
  }
  if (family) out.family = family.name;
  out.flags = flagNames(h.flags, spec?.kind);

  if (!spec) {
    const given = ctx.rawAttrOffset ?? (ctx.protocol === 16 ? 'auto' : undefined);
    // With auto: the first aligned offset from which the rest is attributes, to the end.
    const offsets = given === 'auto' ? Array.from({ length: Math.min(16, Math.floor(data.length / 4)) + 1 }, (_, i) => i * 4) : given !== undefined ? [given] : [];
    for (const at of offsets) {
      if (data.length <= at) break;
      const body = data.subarray(at);
      const problems: string[] = [];
      const attrs = walkAttrs({ family, buf: body, view: new DataView(body.buffer, body.byteOffset, body.byteLength), base: dataBase + at, depth: 0 }, undefined, problems);
      if (problems.length === 0 && attrs.length > 0) {
        out.attrs = attrs;
        if (at > 0) out.payload = data.subarray(0, at);
        return out;
      }
    }
    if (data.length) out.payload = data;
    return out;
  }
  const layout = messageLayout(spec, (h.flags & HeaderFlags.Request) !== 0, data[0], h.flags);
  let attrStart = 0;
  if (layout.header) {
    const st = family!.structs[layout.header];
    if (st) {
      // A struct that ends in an open region (cn_msg and its data) takes the whole payload.
      const open = isOpenStruct(st);
      out.fixed = decodeStruct(family, st, open ? data : data.subarray(0, Math.min(st.size, data.length)));
      // Attributes start at the next 4-byte boundary (1-byte headers such as rtgenmsg).
      attrStart = open ? data.length : Math.min(nlaAlign(st.size), data.length);
      out.fixed.bytes = data.subarray(0, attrStart);
      const missing = out.fixed.missing;
      if (missing && !open) out.malformed.push(`${st.name} is ${data.length} bytes, shorter than its ${st.size}`);
      else if (missing) out.malformed.push(`${st.name}: the payload (${data.length} bytes) ends before ${missing.join(', ')}`);
      for (const p of out.fixed.problems ?? []) out.malformed.push(`${st.name}: ${p}`);
    }
  }
  const attrBytes = data.subarray(attrStart);
  if (layout.attrs) {
    const set = family!.sets[layout.attrs];
    const view = new DataView(attrBytes.buffer, attrBytes.byteOffset, attrBytes.byteLength);
    out.attrs = walkAttrs({ family, buf: attrBytes, view, base: dataBase + attrStart, depth: 0, header: out.fixed, request: ctx.request }, set, out.malformed);
  } else if (attrBytes.length) {
    if (spec.payload === 'text') {
      // Text records (audit): shown as text, trailing NULs dropped.
      out.text = Buffer.from(attrBytes.buffer, attrBytes.byteOffset, textEnd(attrBytes, 0, attrBytes.length)).toString('utf8');
    } else {
      out.payload = attrBytes;
    }
  }
  return out;
}

/**
 * The chain of attributes from the top level down to the one that starts at, or innermost
 * contains, byte `offset` of a decoded message; empty when the offset is in no attribute.
 */
function attrChainAt(msg: DecodedMessage, offset: number): DecodedAttr[] {
  const chain: DecodedAttr[] = [];
  let attrs: DecodedAttr[] | undefined = msg.attrs;
  while (attrs) {
    const a: DecodedAttr | undefined = attrs.find((x) => offset >= x.offset && offset < x.offset + Math.max(x.length, NLA_HDRLEN));
    if (!a) break;
    chain.push(a);
    // An offset at the attribute's own header names it, not its first child.
    attrs = offset > a.offset ? a.children : undefined;
  }
  return chain;
}

/**
 * The dotted path (linkinfo.kind) of the attribute that starts at, or contains, byte `offset`
 * of a decoded message; undefined when the offset is in no attribute.
 */
export function attrPathAt(msg: DecodedMessage, offset: number): string | undefined {
  const chain = attrChainAt(msg, offset);
  return chain.length ? chain.map((a) => a.name ?? String(a.type)).join('.') : undefined;
}

/** The attribute that starts at, or innermost contains, byte `offset` (an ext-ack offset). */
export function attrAt(msg: DecodedMessage, offset: number): DecodedAttr | undefined {
  return attrChainAt(msg, offset).at(-1);
}

/**
 * Decode a region of attributes (`bytes`, which starts `base` bytes into its message) with the
 * attribute set `setName` of `family` (unknown attributes when the set is not described).
 * Never throws: problems are returned in `malformed`.
 */
export function decodeAttrs(family: FamilySpec | undefined, setName: string | undefined, bytes: Uint8Array, base: number): { attrs: DecodedAttr[]; malformed: string[] } {
  const malformed: string[] = [];
  const set = setName ? family?.sets[setName] : undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const attrs = walkAttrs({ family, buf: bytes, view, base, depth: 0 }, set, malformed);
  return { attrs, malformed };
}
