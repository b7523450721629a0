// YNL spec files as family descriptions. The kernel describes many netlink families in YAML
// (Documentation/netlink/specs/*.yaml, the "YNL" format, at the genetlink, genetlink-c,
// genetlink-legacy and netlink-raw levels); familyFromYnl turns one such file into the
// FamilySpec the generic codec (decode.ts, encode.ts) works from, so `--spec FILE.yaml` decodes
// and encodes any family the kernel describes.
//
// What maps to what:
//   attribute-sets    → sets; attribute values count from 1 (or on from an explicit `value`);
//                       names become snake_case (family-name → family_name) and constants are
//                       derived like the kernel's C names (name-prefix + UPPER_SNAKE);
//                       multi-attr → multi; indexed-array → nest-array; nest-type-value → an
//                       indexKeyed nest-array (and `elements` sets for its further levels);
//                       display-hint hex on an unsigned integer → display hex;
//   definitions       → enums (enum: values from value-start, default 0; flags: bits
//                       1 << (index + value-start)) and structs (fixed headers, binary content;
//                       a member with `struct` is a nested struct, a string member a char[len]);
//   operations        → messages (unified or directional message IDs, fixed headers);
//   sub-messages      → subMessage selectors of nests;
//   mcast-groups      → groups.
// Every problem is reported as a YnlSpecError naming the spec key that is wrong.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type {
  AttrSetSpec,
  AttrSpec,
  DisplayHint,
  FamilySpec,
  GroupSpec,
  IntType,
  MessageSpec,
  MessageVariant,
  StructField,
  StructSpec,
} from '../families/schema.js';

/** The schema levels of YNL specs (the `protocol` key). */
export type YnlProtocol = 'genetlink' | 'genetlink-c' | 'genetlink-legacy' | 'netlink-raw';

/** A YNL spec nlctl cannot use: `key` is the dotted path of the offending spec key. */
export class YnlSpecError extends Error {
  override readonly name = 'YnlSpecError';
  readonly code = 'ERR_NLCTL_YNL';
  /**
   * Path of the wrong key, e.g. `attribute-sets[ctrl-attrs].attributes[ops].nested-attributes`
   * (list items by their name when they have one, else by index); `(yaml)` for text that is
   * not YAML and `(input)` for input that is not text.
   */
  readonly key: string;
  /** Where the spec came from (YnlOptions.source), when known. */
  readonly source: string | undefined;
  constructor(key: string, message: string, source?: string) {
    super(`${source ? `${source}: ` : ''}${key}: ${message}`);
    this.key = key;
    this.source = source;
  }
}

/** Options of {@link familyFromYnl}. */
export interface YnlOptions {
  /**
   * Netlink protocol number. Default: 16 (NETLINK_GENERIC) for the genetlink levels, the spec's
   * `protonum` for netlink-raw (which then must have one).
   */
  protocol?: number;
  /** Fixed generic netlink family ID. Default: 16 for nlctrl (GENL_ID_CTRL), none otherwise. */
  genlId?: number;
  /** Where the text came from (a file name), to start error messages with. */
  source?: string;
}

type Obj = { [key: string]: unknown };

const INT_TYPES: ReadonlySet<string> = new Set(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'uint', 'sint']);
const FIXED_INT_SIZE: Readonly<Record<string, number>> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };
const ATTR_TYPES = [
  'unused', 'pad', 'flag', 'binary', 'bitfield32', 'uint', 'sint', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64',
  'string', 'nest', 'indexed-array', 'array-nest', 'nest-type-value', 'sub-message',
] as const;
const MEMBER_TYPES = ['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'string', 'binary', 'pad'] as const;
const PROTOCOLS: readonly YnlProtocol[] = ['genetlink', 'genetlink-c', 'genetlink-legacy', 'netlink-raw'];
/** NLA_TYPE_MASK: the largest attribute type a netlink attribute header can carry. */
const MAX_ATTR_VALUE = 0x3fff;
/** Highest bit a flags entry may name (wire values are at most 64 bits; definitions may be wider). */
const MAX_FLAG_BIT = 1023;
/** GENL_ID_CTRL: the controller's fixed family ID. */
const GENL_ID_CTRL = 16;

function isObj(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A value as an error message shows it. */
function show(v: unknown): string {
  if (v === undefined || v === null) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  return String(v);
}

/** Names as a short list for "known: …" hints. */
function known(names: Iterable<string>): string {
  const all = [...names];
  if (all.length === 0) return 'none defined';
  return `known: ${all.slice(0, 12).join(', ')}${all.length > 12 ? `, … (${all.length} in all)` : ''}`;
}

/** YNL kebab-case name → nlctl's snake_case short name (family-name → family_name). */
function snake(name: string): string {
  return name.replace(/[- ]/g, '_');
}

/** A kernel-style C constant: upper case, dashes as underscores (ctrl-attr- + family-id → CTRL_ATTR_FAMILY_ID). */
function cName(name: string): string {
  return name.toUpperCase().replace(/[- ]/g, '_');
}

/**
 * How a display hint shows bytes in nlctl's model: addresses by their length (as YNL formats
 * ipv4 and ipv6 hints), MACs (and FDDI addresses) colon-separated, UUIDs grouped; hex is the
 * default anyway, and hints this version does not know are ignored (they only change looks).
 */
function displayOf(hint: string | undefined): DisplayHint | undefined {
  switch (hint) {
    case 'mac':
    case 'fddi':
      return 'mac';
    case 'ipv4':
    case 'ipv6':
    case 'ipv4-or-v6':
      return 'ip';
    case 'uuid':
      return 'uuid';
    default:
      return undefined;
  }
}

/** display-hint hex on an unsigned integer without names: shown as "0x…". */
function hexInt(type: string, hint: string | undefined, ref: { enum?: string; flags?: string }): boolean {
  return hint === 'hex' && type.startsWith('u') && !ref.enum && !ref.flags;
}

/** A big-endian u32 shown as an IPv4 address: nlctl keeps it as 4 address bytes. */
function isAddressInt(type: string, byteOrder: string | undefined, hint: string | undefined): boolean {
  return type === 'u32' && byteOrder === 'big' && (hint === 'ipv4' || hint === 'ipv4-or-v6');
}

/** Which kind of request a message is, guessed from its name, for naming context-dependent flags. */
function kindOf(name: string): MessageSpec['kind'] {
  const words = name.toLowerCase().split(/[-_]/);
  for (const w of words) {
    if (w === 'get' || w === 'dump' || w === 'list') return 'get';
    if (w === 'new' || w === 'add' || w === 'create') return 'new';
    if (w === 'del' || w === 'delete' || w === 'remove') return 'del';
  }
  const first = words[0] ?? '';
  if (first.startsWith('get')) return 'get';
  if (first.startsWith('new')) return 'new';
  if (first.startsWith('del')) return 'del';
  return 'other';
}

/** Reads typed values out of the parsed YAML, failing with the key's path. */
class Reader {
  constructor(readonly source: string | undefined) {}

  fail(key: string, message: string): never {
    throw new YnlSpecError(key, message, this.source);
  }

  /** An own property (null counts as absent: `key:` with nothing after it). */
  raw(o: Obj, k: string): unknown {
    if (!Object.hasOwn(o, k)) return undefined;
    const v = o[k];
    return v === null ? undefined : v;
  }

  str(o: Obj, k: string, path: string, required: true): string;
  str(o: Obj, k: string, path: string, required?: boolean): string | undefined;
  str(o: Obj, k: string, path: string, required = false): string | undefined {
    const v = this.raw(o, k);
    if (v === undefined) {
      if (required) this.fail(at(path, k), 'is required');
      return undefined;
    }
    if (typeof v !== 'string') this.fail(at(path, k), `expected a string, got ${show(v)}`);
    return v;
  }

  /** A name: a non-empty string that can serve as an object key. */
  name(o: Obj, k: string, path: string): string {
    const v = this.str(o, k, path, true);
    if (v.trim() === '') this.fail(at(path, k), 'must not be empty');
    if (snake(v) === '__proto__') this.fail(at(path, k), `${show(v)} cannot be used as a name`);
    return v;
  }

  /** A reference to something else in the spec: a non-empty string when present. */
  ref(o: Obj, k: string, path: string): string | undefined {
    const v = this.str(o, k, path);
    if (v !== undefined && v.trim() === '') this.fail(at(path, k), 'must not be empty');
    return v;
  }

  int(o: Obj, k: string, path: string, min: number, max: number): number | undefined {
    const v = this.raw(o, k);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(at(path, k), `expected an integer, got ${show(v)}`);
    if (v < min || v > max) this.fail(at(path, k), `${v} is out of range (${min}…${max})`);
    return v;
  }

  bool(o: Obj, k: string, path: string): boolean {
    const v = this.raw(o, k);
    if (v === undefined) return false;
    if (typeof v !== 'boolean') this.fail(at(path, k), `expected true or false, got ${show(v)}`);
    return v;
  }

  list(o: Obj, k: string, path: string, required = false): unknown[] {
    const v = this.raw(o, k);
    if (v === undefined) {
      if (required) this.fail(at(path, k), 'is required');
      return [];
    }
    if (!Array.isArray(v)) this.fail(at(path, k), `expected a list, got ${show(v)}`);
    return v;
  }

  map(o: Obj, k: string, path: string, required = false): Obj | undefined {
    const v = this.raw(o, k);
    if (v === undefined) {
      if (required) this.fail(at(path, k), 'is required');
      return undefined;
    }
    if (!isObj(v)) this.fail(at(path, k), `expected a mapping, got ${show(v)}`);
    return v;
  }

  /** The mapping items of list `k`, each with its path (`k[name]`, or `k[index]` without a name). */
  items(o: Obj, k: string, path: string, required = false): { item: Obj; path: string }[] {
    return this.list(o, k, path, required).map((item, i) => {
      const name = isObj(item) && typeof item.name === 'string' && item.name !== '' ? item.name : String(i);
      const p = `${at(path, k)}[${name}]`;
      if (!isObj(item)) this.fail(p, `expected a mapping, got ${show(item)}`);
      return { item, path: p };
    });
  }

  /** One of `choices`. */
  oneOf<T extends string>(o: Obj, k: string, path: string, choices: readonly T[], what: string): T | undefined {
    const v = this.str(o, k, path);
    if (v === undefined) return undefined;
    if (!(choices as readonly string[]).includes(v)) this.fail(at(path, k), `unknown ${what} ${show(v)} (known: ${choices.join(', ')})`);
    return v as T;
  }
}

function at(path: string, k: string): string {
  return path ? `${path}.${k}` : k;
}

/** A definitions entry of type enum or flags. */
interface EnumDef {
  ynl: string;
  out: string;
  path: string;
  flags: boolean;
  /** Entries in order: short name and raw value (the bit number for flags). */
  entries: { name: string; value: number; path: string }[];
  /** Name of the derived flags version (for enum-as-flags), once made. */
  asFlags?: string;
}

/** An attribute set before its attributes are typed. */
interface SetDef {
  ynl: string;
  out: string;
  path: string;
  /** Prefix of the attributes' C constants. */
  prefix: string;
  subsetOf?: string;
  /** Attributes by YNL name: value, the (merged, for subsets) YAML, and path. */
  attrs: Map<string, { value: number; item: Obj; path: string }>;
}

/** An operation with its message IDs and layout. */
interface OpDef {
  ynl: string;
  path: string;
  item: Obj;
  isAsync: boolean;
  isCall: boolean;
  /** C constant (prefix + name). */
  constant: string;
  /** Message ID from user space to the kernel. */
  req?: number;
  /** Message ID from the kernel. */
  rsp?: number;
  header?: string;
  attrs?: string;
}

class Converter {
  readonly r: Reader;
  readonly family: string;
  readonly protocolLevel: YnlProtocol;
  readonly consts = new Map<string, number | string | undefined>();
  readonly enumDefs = new Map<string, EnumDef>();
  readonly structYaml = new Map<string, { item: Obj; path: string }>();
  readonly structs = new Map<string, StructSpec>();
  readonly structOut = new Map<string, string>();
  readonly setDefs = new Map<string, SetDef>();
  readonly subMessages = new Map<string, Record<string, string>>();
  readonly out: FamilySpec;
  /** Output names in use, by record, to catch two YNL names that map to one snake_case name. */
  readonly taken = { enums: new Map<string, string>(), structs: new Map<string, string>(), sets: new Map<string, string>() };

  constructor(readonly doc: Obj, readonly options: YnlOptions) {
    this.r = new Reader(options.source);
    const r: Reader = this.r;
    this.family = r.name(doc, 'name', '');
    this.protocolLevel = r.oneOf(doc, 'protocol', '', PROTOCOLS, 'protocol') ?? 'genetlink';
    const raw = this.protocolLevel === 'netlink-raw';
    const protonum = r.int(doc, 'protonum', '', 0, 0x7fffffff);
    for (const k of ['protocol', 'genlId'] as const) {
      const v = options[k];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 0 || v > 0x7fffffff)) r.fail(`(options.${k})`, `expected a non-negative integer, got ${show(v)}`);
    }
    const protocol = options.protocol ?? (raw ? protonum : GENL_ID_CTRL);
    if (protocol === undefined) r.fail('protonum', 'a netlink-raw spec needs its protocol number (or pass options.protocol)');
    // Keys read only to check their type: they carry nothing nlctl uses.
    r.str(doc, 'doc', '');
    r.str(doc, 'uapi-header', '');
    r.int(doc, 'version', '', 0, 0xff);
    r.map(doc, 'kernel-family', '');
    this.out = { name: this.family, protocol, messages: [], structs: {}, sets: {}, enums: {}, groups: [] };
    const genlId = options.genlId ?? (!raw && this.family === 'nlctrl' ? GENL_ID_CTRL : undefined);
    if (genlId !== undefined) this.out.genlId = genlId;
  }

  claim(kind: keyof Converter['taken'], out: string, ynl: string, path: string): void {
    const prev = this.taken[kind].get(out);
    if (prev !== undefined) this.r.fail(path, `${show(ynl)} and ${show(prev)} both become ${show(out)}: names must differ in more than - and _`);
    this.taken[kind].set(out, ynl);
  }

  run(): FamilySpec {
    this.definitions();
    this.resolveStructs();
    this.attributeSets();
    this.readSubMessages();
    this.typeAttributes();
    this.operations();
    this.groups();
    return this.out;
  }

  // ---- definitions ----------------------------------------------------------------------

  definitions(): void {
    const r: Reader = this.r;
    const seen = new Set<string>();
    for (const { item, path } of r.items(this.doc, 'definitions', '')) {
      const name = r.name(item, 'name', path);
      if (seen.has(name)) r.fail(at(path, 'name'), `${show(name)} is defined twice`);
      seen.add(name);
      const type = r.oneOf(item, 'type', path, ['const', 'enum', 'flags', 'struct'] as const, 'definition type');
      if (type === undefined) r.fail(at(path, 'type'), 'is required');
      r.str(item, 'doc', path);
      r.str(item, 'header', path);
      if (type === 'const') {
        // A const may leave its value to a C header (`header:`); such a const has no number here.
        const v = r.raw(item, 'value');
        if (typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v))) this.consts.set(name, v);
        else if (v === undefined) this.consts.set(name, undefined);
        else r.fail(at(path, 'value'), `expected an integer or a string, got ${show(v)}`);
      } else if (type === 'struct') {
        this.claim('structs', snake(name), name, at(path, 'name'));
        this.structYaml.set(name, { item, path });
        this.structOut.set(name, snake(name));
      } else {
        this.enumDef(name, type === 'flags', item, path);
      }
    }
  }

  enumDef(name: string, flags: boolean, item: Obj, path: string): void {
    const r: Reader = this.r;
    const out = snake(name);
    this.claim('enums', out, name, at(path, 'name'));
    r.str(item, 'name-prefix', path);
    const start = this.number(item, 'value-start', path) ?? 0;
    const def: EnumDef = { ynl: name, out, path, flags, entries: [] };
    let next = start;
    r.list(item, 'entries', path, true).forEach((e, i) => {
      const label = typeof e === 'string' || typeof e === 'number' ? String(e) : isObj(e) && typeof e.name === 'string' && e.name !== '' ? e.name : String(i);
      const p = `${at(path, 'entries')}[${label}]`;
      let entryName: string;
      let value = next;
      if ((typeof e === 'string' && e.trim() !== '') || typeof e === 'number') entryName = String(e);
      else if (isObj(e)) {
        entryName = r.name(e, 'name', p);
        value = r.int(e, 'value', p, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ?? next;
        r.str(e, 'doc', p);
      } else r.fail(p, `expected a name or a mapping with a name, got ${show(e)}`);
      if (flags && (value < 0 || value > MAX_FLAG_BIT)) r.fail(p, `flag bit ${value} is outside 0…${MAX_FLAG_BIT}`);
      def.entries.push({ name: snake(entryName), value, path: p });
      next = value + 1;
    });
    const values: Record<string, string> = {};
    for (const e of def.entries) {
      const key = flags ? String(1n << BigInt(e.value)) : String(e.value);
      values[key] ??= e.name;
    }
    this.enumDefs.set(name, def);
    this.out.enums[out] = flags ? { name: out, flags: true, values } : { name: out, values };
  }

  /** An integer given as a number, a numeric string, or the name of a const (optionally "NAME - 1"). */
  number(o: Obj, k: string, path: string): number | undefined {
    const v = this.r.raw(o, k);
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    if (typeof v === 'string') {
      const t = v.trim();
      if (/^-?\d+$/.test(t) || /^0x[0-9a-f]+$/i.test(t)) {
        const n = Number(t);
        if (Number.isSafeInteger(n)) return n;
      }
      const m = /^([A-Za-z0-9_-]+)(\s*-\s*1)?$/.exec(t);
      if (m) {
        const name = this.constName(m[1]!);
        if (name === undefined) this.r.fail(at(path, k), `no const definition named ${show(m[1])} (${known(this.consts.keys())})`);
        const c = this.consts.get(name);
        if (typeof c === 'number') return m[2] ? c - 1 : c;
        if (c === undefined) this.r.fail(at(path, k), `const ${show(name)} has no value in the spec (only in a C header)`);
      }
    }
    this.r.fail(at(path, k), `expected an integer or the name of an integer const, got ${show(v)}`);
  }

  /** The const a reference names: as written, or C-style (IFNAMSIZ for ifnamsiz). */
  constName(name: string): string | undefined {
    if (this.consts.has(name)) return name;
    for (const k of this.consts.keys()) if (cName(k) === cName(name)) return k;
    return undefined;
  }

  /** `enum: x` (with enum-as-flags) → the enum or flags field of an attribute or struct field. */
  enumRef(item: Obj, path: string): { enum?: string; flags?: string } {
    const r: Reader = this.r;
    const name = r.ref(item, 'enum', path);
    const asFlags = r.bool(item, 'enum-as-flags', path);
    if (name === undefined) return {};
    const def = this.enumDefs.get(name);
    if (!def) r.fail(at(path, 'enum'), `no enum or flags definition named ${show(name)} (${known(this.enumDefs.keys())})`);
    if (def.flags) return { flags: def.out };
    if (!asFlags) return { enum: def.out };
    if (!def.asFlags) {
      // The same entries as bits: entry value n names bit 1 << n.
      let out = `${def.out}_as_flags`;
      while (this.taken.enums.has(out)) out += '_';
      this.taken.enums.set(out, `${def.ynl} (as flags)`);
      const values: Record<string, string> = {};
      for (const e of def.entries) {
        if (e.value < 0 || e.value > MAX_FLAG_BIT) r.fail(e.path, `used as flags (by ${path}), but bit ${e.value} is outside 0…${MAX_FLAG_BIT}`);
        values[String(1n << BigInt(e.value))] ??= e.name;
      }
      this.out.enums[out] = { name: out, flags: true, values };
      def.asFlags = out;
    }
    return { flags: def.asFlags };
  }

  // ---- structs --------------------------------------------------------------------------

  resolveStructs(): void {
    for (const name of this.structYaml.keys()) this.struct(name, []);
  }

  /** Build (once) the struct named `name`; `stack` holds the structs being built, to catch loops. */
  struct(name: string, stack: string[]): StructSpec {
    const done = this.structs.get(name);
    if (done) return done;
    const r: Reader = this.r;
    const def = this.structYaml.get(name)!;
    if (stack.includes(name)) r.fail(def.path, `struct ${show(name)} contains itself (${[...stack, name].join(' → ')})`);
    const fields: StructField[] = [];
    let size = 0;
    for (const { item, path } of r.items(def.item, 'members', def.path)) {
      const fname = snake(r.name(item, 'name', path));
      if (fields.some((f) => f.name === fname)) r.fail(at(path, 'name'), `struct ${show(name)} has two members named ${show(fname)}`);
      const type = r.oneOf(item, 'type', path, MEMBER_TYPES, 'struct member type');
      if (type === undefined) r.fail(at(path, 'type'), 'is required');
      r.str(item, 'doc', path);
      const byteOrder = this.byteOrder(item, path);
      const display = r.str(item, 'display-hint', path);
      const ref = this.enumRef(item, path);
      const nested = r.ref(item, 'struct', path);
      if (nested !== undefined && !this.structYaml.has(nested)) {
        r.fail(at(path, 'struct'), `no struct definition named ${show(nested)} (${known(this.structYaml.keys())})`);
      }
      const len = this.number(item, 'len', path);
      if (len !== undefined && (len < 0 || len > 0xffff)) r.fail(at(path, 'len'), `length ${len} is out of range (0…65535)`);
      let f: StructField;
      if (isAddressInt(type, byteOrder, display)) {
        f = { name: fname, type: 'binary', size: 4, display: 'ip' };
        size += 4;
      } else if (Object.hasOwn(FIXED_INT_SIZE, type)) {
        f = { name: fname, type: type as IntType, ...ref };
        if (byteOrder) f.byteOrder = byteOrder;
        if (hexInt(type, display, ref)) f.display = 'hex';
        size += FIXED_INT_SIZE[type]!;
      } else if (nested !== undefined && type === 'binary' && len === undefined) {
        // A struct member: shown as a nested object.
        const inner = this.struct(nested, [...stack, name]);
        f = { name: fname, type: 'struct', struct: inner.name, size: inner.size };
        size += inner.size;
      } else if (type === 'string' && len !== undefined) {
        // char[len]: text, trailing NULs dropped.
        f = { name: fname, type: 'string', size: len };
        size += len;
      } else {
        // Binary members (and string and struct members given a len) are fixed-size bytes.
        const bytes = len;
        if (bytes === undefined) r.fail(at(path, 'len'), `a ${type} member needs a len${type === 'binary' ? ' (or a struct)' : ''}`);
        f = { name: fname, type: type === 'pad' ? 'pad' : 'binary', size: bytes };
        // Struct fields show addresses and MACs; anything else stays hex.
        const shown = displayOf(display);
        if ((shown === 'mac' || shown === 'ip') && f.type === 'binary') f.display = shown;
        size += bytes;
      }
      fields.push(f);
    }
    const out = this.structOut.get(name)!;
    const st: StructSpec = { name: out, size, fields };
    this.structs.set(name, st);
    this.out.structs[out] = st;
    return st;
  }

  byteOrder(item: Obj, path: string): 'big' | 'little' | undefined {
    const v = this.r.oneOf(item, 'byte-order', path, ['big-endian', 'little-endian'] as const, 'byte order');
    return v === undefined ? undefined : v === 'big-endian' ? 'big' : 'little';
  }

  structRef(item: Obj, k: string, path: string): string | undefined {
    const name = this.r.ref(item, k, path);
    if (name === undefined) return undefined;
    if (!this.structYaml.has(name)) this.r.fail(at(path, k), `no struct definition named ${show(name)} (${known(this.structYaml.keys())})`);
    return this.structOut.get(name);
  }

  // ---- attribute sets -------------------------------------------------------------------

  attributeSets(): void {
    const r: Reader = this.r;
    const all = r.items(this.doc, 'attribute-sets', '', true);
    // Full sets first: subsets take their attributes' values (and names) from them.
    for (const pass of ['full', 'subset'] as const) {
      for (const { item, path } of all) {
        const subsetOf = r.ref(item, 'subset-of', path);
        if ((subsetOf !== undefined) !== (pass === 'subset')) continue;
        const name = r.name(item, 'name', path);
        if (this.setDefs.has(name)) r.fail(at(path, 'name'), `attribute set ${show(name)} is defined twice`);
        const out = snake(name);
        this.claim('sets', out, name, at(path, 'name'));
        r.str(item, 'doc', path);
        r.str(item, 'enum-name', path);
        const def: SetDef = { ynl: name, out, path, prefix: '', attrs: new Map() };
        if (subsetOf === undefined) {
          const dflt = name === this.family ? `${this.family}-a-` : `${this.family}-a-${name}-`;
          def.prefix = r.str(item, 'name-prefix', path) ?? dflt;
          this.fullSet(def, item);
        } else {
          const main = this.setDefs.get(subsetOf);
          if (!main || main.subsetOf !== undefined) {
            const fulls = [...this.setDefs.values()].filter((s) => s.subsetOf === undefined).map((s) => s.ynl);
            r.fail(at(path, 'subset-of'), `no attribute set named ${show(subsetOf)} to be a subset of (${known(fulls)})`);
          }
          if (r.str(item, 'name-prefix', path) !== undefined) r.fail(at(path, 'name-prefix'), 'a subset takes its names from its set; it cannot have a name-prefix');
          def.subsetOf = subsetOf;
          def.prefix = main.prefix;
          for (const { item: a, path: ap } of r.items(item, 'attributes', path, true)) {
            const an = r.name(a, 'name', ap);
            const base = main.attrs.get(an);
            if (!base) r.fail(at(ap, 'name'), `set ${show(subsetOf)} has no attribute ${show(an)} (${known(main.attrs.keys())})`);
            if (def.attrs.has(an)) r.fail(at(ap, 'name'), `attribute ${show(an)} is listed twice`);
            def.attrs.set(an, { value: base.value, item: { ...base.item, ...a }, path: ap });
          }
        }
        this.setDefs.set(name, def);
      }
    }
  }

  fullSet(def: SetDef, item: Obj): void {
    const r: Reader = this.r;
    const byValue = new Map<number, string>();
    let next = 1;
    for (const { item: a, path } of r.items(item, 'attributes', def.path, true)) {
      const an = r.name(a, 'name', path);
      if (def.attrs.has(an)) r.fail(at(path, 'name'), `attribute ${show(an)} is defined twice`);
      const value = r.int(a, 'value', path, 0, MAX_ATTR_VALUE) ?? next;
      if (value > MAX_ATTR_VALUE) r.fail(path, `attribute value ${value} (counted on from the previous one) exceeds ${MAX_ATTR_VALUE}`);
      const dup = byValue.get(value);
      if (dup !== undefined) r.fail(at(path, 'value'), `value ${value} is already used by attribute ${show(dup)}`);
      byValue.set(value, an);
      def.attrs.set(an, { value, item: a, path });
      next = value + 1;
    }
  }

  setRef(item: Obj, k: string, path: string): SetDef | undefined {
    const name = this.r.ref(item, k, path);
    if (name === undefined) return undefined;
    const def = this.setDefs.get(name);
    if (!def) this.r.fail(at(path, k), `no attribute set named ${show(name)} (${known(this.setDefs.keys())})`);
    return def;
  }

  readSubMessages(): void {
    const r: Reader = this.r;
    for (const { item, path } of r.items(this.doc, 'sub-messages', '')) {
      const name = r.name(item, 'name', path);
      if (this.subMessages.has(name)) r.fail(at(path, 'name'), `sub-message ${show(name)} is defined twice`);
      // Formats by selector value; null prototype, since the values come from the wire.
      const sets = Object.create(null) as Record<string, string>;
      for (const { item: f, path: fp } of r.items(item, 'formats', path, true)) {
        const v = r.raw(f, 'value');
        if (typeof v !== 'string' && !(typeof v === 'number' && Number.isSafeInteger(v))) {
          r.fail(at(fp, 'value'), v === undefined ? 'is required' : `expected a string, got ${show(v)}`);
        }
        const set = this.setRef(f, 'attribute-set', fp);
        const header = this.structRef(f, 'fixed-header', fp);
        // A format with a fixed header is not a plain attribute set: its content stays bytes.
        if (set && header === undefined) sets[String(v)] ??= set.out;
      }
      this.subMessages.set(name, sets);
    }
  }

  // ---- attributes -----------------------------------------------------------------------

  typeAttributes(): void {
    for (const def of this.setDefs.values()) {
      const set: AttrSetSpec = { name: def.out, attrs: {} };
      this.out.sets[def.out] = set;
      for (const [name, a] of def.attrs) {
        const spec = this.attribute(def, name, a.item, a.path);
        if (spec) set.attrs[String(a.value)] = spec;
      }
    }
  }

  attribute(set: SetDef, name: string, item: Obj, path: string): AttrSpec | undefined {
    const r: Reader = this.r;
    const type = r.str(item, 'type', path);
    if (type === undefined) r.fail(at(path, 'type'), 'is required');
    if (!(ATTR_TYPES as readonly string[]).includes(type)) r.fail(at(path, 'type'), `unknown attribute type ${show(type)} (known: ${ATTR_TYPES.join(', ')})`);
    // Every reference is checked, whatever the type uses.
    r.str(item, 'doc', path);
    const multi = r.bool(item, 'multi-attr', path);
    r.map(item, 'checks', path);
    const nested = this.setRef(item, 'nested-attributes', path);
    const struct = this.structRef(item, 'struct', path);
    const ref = this.enumRef(item, path);
    const byteOrder = this.byteOrder(item, path);
    const display = r.str(item, 'display-hint', path);
    const subType = r.oneOf(item, 'sub-type', path, ATTR_TYPES, 'sub-type');
    if (type === 'unused') return undefined;

    const spec: AttrSpec = { name: snake(name), constant: cName(set.prefix + name), type: 'binary' };
    if (multi) spec.multi = true;
    if (isAddressInt(type, byteOrder, display)) {
      // Kept as its 4 bytes, so it reads (and is written) as an address.
      spec.display = 'ip';
      return spec;
    }
    if (INT_TYPES.has(type)) {
      spec.type = type as IntType;
      if (byteOrder) spec.byteOrder = byteOrder;
      Object.assign(spec, ref);
      if (hexInt(type, display, ref)) spec.display = 'hex';
      return spec;
    }
    switch (type) {
      case 'string':
      case 'flag':
      case 'pad':
      case 'bitfield32':
        spec.type = type;
        return spec;
      case 'binary': {
        if (struct !== undefined) spec.struct = struct;
        else if (subType !== undefined && INT_TYPES.has(subType) && subType !== 'uint' && subType !== 'sint') {
          // A binary array of fixed-size scalars (genetlink-legacy).
          spec.arrayOf = subType as IntType;
          if (byteOrder) spec.byteOrder = byteOrder;
        } else {
          const shown = displayOf(display);
          if (shown) spec.display = shown;
        }
        return spec;
      }
      case 'nest':
        spec.type = 'nest';
        if (nested) spec.nested = nested.out;
        return spec;
      case 'array-nest':
      case 'indexed-array': {
        const sub = type === 'array-nest' ? 'nest' : subType;
        if (sub === undefined) r.fail(at(path, 'sub-type'), 'an indexed-array needs a sub-type');
        if (sub === 'nest') {
          if (!nested) r.fail(at(path, 'nested-attributes'), 'an indexed-array of nests needs nested-attributes');
          spec.type = 'nest-array';
          spec.nested = nested.out;
        } else {
          // Elements are attributes typed by their index holding one scalar each: the model has
          // no array of typed scalars, so they show as members of an undescribed nest.
          spec.type = 'nest';
        }
        return spec;
      }
      case 'nest-type-value': {
        if (!nested) r.fail(at(path, 'nested-attributes'), 'a nest-type-value needs nested-attributes');
        const levels = r.list(item, 'type-value', path);
        levels.forEach((l, i) => {
          if (typeof l !== 'string') r.fail(`${at(path, 'type-value')}[${i}]`, `expected a name, got ${show(l)}`);
        });
        spec.type = 'nest-array';
        // The type is the value: kept as the key (indexKeyed).
        spec.indexKeyed = true;
        // One level: members typed by the value, holding the nested set (a nest-array). Each
        // further level is an `elements` set between them.
        let inner = nested.out;
        for (let level = levels.length - 1; level >= 1; level--) {
          let synth = `${set.out}.${snake(name)}${level > 1 ? `.${level}` : ''}`;
          while (this.taken.sets.has(synth)) synth += '_';
          this.taken.sets.set(synth, `${set.ynl}.${name} (level ${level + 1})`);
          this.out.sets[synth] = { name: synth, attrs: {}, elements: inner };
          inner = synth;
        }
        spec.nested = inner;
        return spec;
      }
      case 'sub-message': {
        const sm = r.ref(item, 'sub-message', path);
        const selector = r.ref(item, 'selector', path);
        if (sm === undefined) r.fail(at(path, 'sub-message'), 'is required');
        if (selector === undefined) r.fail(at(path, 'selector'), 'is required');
        const sets = this.subMessages.get(sm);
        if (!sets) r.fail(at(path, 'sub-message'), `no sub-message named ${show(sm)} (${known(this.subMessages.keys())})`);
        spec.type = 'nest';
        spec.subMessage = { selector: snake(selector), sets };
        return spec;
      }
    }
    return r.fail(at(path, 'type'), `unknown attribute type ${show(type)}`);
  }

  // ---- operations -----------------------------------------------------------------------

  operations(): void {
    const r: Reader = this.r;
    const ops = r.map(this.doc, 'operations', '', true)!;
    const model = r.oneOf(ops, 'enum-model', 'operations', ['unified', 'directional'] as const, 'enum-model') ?? 'unified';
    const prefix = r.str(ops, 'name-prefix', 'operations') ?? `${this.family}-cmd-`;
    const asyncPrefix = r.str(ops, 'async-prefix', 'operations') ?? prefix;
    const defaultHeader = this.structRef(ops, 'fixed-header', 'operations');
    r.str(ops, 'enum-name', 'operations');
    r.str(ops, 'async-enum', 'operations');
    const raw = this.protocolLevel === 'netlink-raw';
    const maxValue = raw ? 0xffff : 0xff;

    const list = r.items(ops, 'list', 'operations', true);
    const defs: OpDef[] = [];
    const byName = new Map<string, OpDef>();
    for (const { item, path } of list) {
      const name = r.name(item, 'name', path);
      if (byName.has(name)) r.fail(at(path, 'name'), `operation ${show(name)} is defined twice`);
      const isAsync = r.raw(item, 'notify') !== undefined || r.raw(item, 'event') !== undefined;
      const isCall = r.raw(item, 'do') !== undefined || r.raw(item, 'dump') !== undefined;
      const op: OpDef = { ynl: name, path, item, isAsync, isCall, constant: cName((isAsync ? asyncPrefix : prefix) + name) };
      const header = this.structRef(item, 'fixed-header', path) ?? defaultHeader;
      if (header !== undefined) op.header = header;
      const set = this.setRef(item, 'attribute-set', path);
      if (set) op.attrs = set.out;
      r.str(item, 'doc', path);
      r.str(item, 'mcgrp', path);
      byName.set(name, op);
      defs.push(op);
    }
    // Notifications share their attribute set with the operation they name; message bodies
    // list attributes of the operation's set.
    for (const op of defs) {
      const notify = r.ref(op.item, 'notify', op.path);
      if (notify !== undefined) {
        const target = byName.get(notify);
        if (!target) r.fail(at(op.path, 'notify'), `no operation named ${show(notify)} (${known(byName.keys())})`);
        op.attrs ??= target.attrs;
      }
      this.checkBodies(op);
    }

    if (model === 'unified') {
      let next = 1;
      for (const op of defs) {
        const v = r.int(op.item, 'value', op.path, 0, maxValue) ?? next;
        if (v > maxValue) r.fail(op.path, `message value ${v} (counted on from the previous one) exceeds ${maxValue}`);
        op.req = op.rsp = v;
        next = v + 1;
      }
    } else {
      // Requests and replies are counted separately: a call takes the next request ID (and a
      // reply ID when it has a reply); a notification or event takes a reply ID only.
      let req = 1;
      let rsp = 1;
      for (const op of defs) {
        if (op.isAsync) {
          rsp = r.int(op.item, 'value', op.path, 0, maxValue) ?? rsp;
          op.rsp = rsp++;
        } else if (op.isCall) {
          const modeKey = r.raw(op.item, 'do') !== undefined ? 'do' : 'dump';
          const mode = r.map(op.item, modeKey, op.path)!;
          const mp = at(op.path, modeKey);
          const request = r.map(mode, 'request', mp);
          const reply = r.map(mode, 'reply', mp);
          req = (request && r.int(request, 'value', at(mp, 'request'), 0, maxValue)) ?? req;
          if (reply) rsp = r.int(reply, 'value', at(mp, 'reply'), 0, maxValue) ?? rsp;
          op.req = req++;
          if (reply) op.rsp = rsp++;
        } else {
          r.fail(op.path, 'a directional operation needs do, dump, notify or event');
        }
        if ((op.req ?? 0) > maxValue || (op.rsp ?? 0) > maxValue) r.fail(op.path, `message value (counted on from the previous one) exceeds ${maxValue}`);
      }
    }

    // One message per ID: named by the request that uses it (else by the reply), with
    // per-direction layouts when a request and a reply of that ID differ.
    const byValue = new Map<number, { req?: OpDef; rsp?: OpDef }>();
    for (const op of defs) {
      if (op.req !== undefined) {
        const e = byValue.get(op.req) ?? {};
        e.req ??= op;
        byValue.set(op.req, e);
      }
      if (op.rsp !== undefined) {
        const e = byValue.get(op.rsp) ?? {};
        e.rsp ??= op;
        byValue.set(op.rsp, e);
      }
    }
    for (const [value, { req, rsp }] of byValue) {
      const primary = (req ?? rsp)!;
      const replyOnly = !req && model === 'directional' && !primary.isAsync;
      const m: MessageSpec = {
        constant: primary.constant + (replyOnly ? '_REPLY' : ''),
        name: snake(primary.ynl) + (replyOnly ? '_reply' : ''),
        value,
        kind: kindOf(primary.ynl),
      };
      if (primary.header !== undefined) m.header = primary.header;
      if (primary.attrs !== undefined) m.attrs = primary.attrs;
      if (req && rsp && (req.header !== rsp.header || req.attrs !== rsp.attrs)) {
        const variant = (request: boolean, op: OpDef): MessageVariant => {
          const v: MessageVariant = { request };
          if (op.header !== undefined) v.header = op.header;
          if (op.attrs !== undefined) v.attrs = op.attrs;
          return v;
        };
        m.variants = [variant(true, req), variant(false, rsp)];
      }
      this.out.messages.push(m);
    }
  }

  /** do/dump/event bodies: mappings whose attribute lists name attributes of the op's set. */
  checkBodies(op: OpDef): void {
    const r: Reader = this.r;
    const set = op.attrs === undefined ? undefined : [...this.setDefs.values()].find((s) => s.out === op.attrs);
    const checkList = (o: Obj, p: string) => {
      r.list(o, 'attributes', p).forEach((a, i) => {
        const ap = `${at(p, 'attributes')}[${i}]`;
        if (typeof a !== 'string') r.fail(ap, `expected an attribute name, got ${show(a)}`);
        if (!set) r.fail(ap, `lists attribute ${show(a)} but the operation has no attribute-set`);
        if (!set.attrs.has(a)) r.fail(ap, `set ${show(set.ynl)} has no attribute ${show(a)}`);
      });
    };
    for (const modeKey of ['do', 'dump'] as const) {
      const mode = r.map(op.item, modeKey, op.path);
      if (!mode) continue;
      const mp = at(op.path, modeKey);
      for (const dir of ['request', 'reply'] as const) {
        const body = r.map(mode, dir, mp);
        if (body) checkList(body, at(mp, dir));
      }
    }
    const event = r.map(op.item, 'event', op.path);
    if (event) checkList(event, at(op.path, 'event'));
  }

  // ---- multicast groups -----------------------------------------------------------------

  groups(): void {
    const r: Reader = this.r;
    const mcast = r.map(this.doc, 'mcast-groups', '');
    if (!mcast) return;
    const raw = this.protocolLevel === 'netlink-raw';
    const seen = new Set<string>();
    for (const { item, path } of r.items(mcast, 'list', 'mcast-groups', true)) {
      const name = r.name(item, 'name', path);
      if (seen.has(name)) r.fail(at(path, 'name'), `group ${show(name)} is listed twice`);
      seen.add(name);
      const value = r.int(item, 'value', path, 0, 0xffffffff);
      if (raw && value === undefined) r.fail(at(path, 'value'), 'a netlink-raw group needs its number');
      // Generic netlink groups get their IDs at run time (runtimeFamily fills them in): 0 here.
      const g: GroupSpec = { name, value: raw ? value! : 0 };
      g.constant = r.str(item, 'c-define-name', path) ?? cName(`${this.family}-mcgrp-${name}`);
      this.out.groups.push(g);
    }
  }
}

/**
 * Convert the text of a YNL spec (the kernel's Documentation/netlink/specs/*.yaml format, any
 * of the genetlink, genetlink-c, genetlink-legacy and netlink-raw levels) to a FamilySpec for
 * the generic decoder and encoder.
 *
 * Generic netlink families get protocol 16 and, for nlctrl, genlId 16; other families' IDs
 * (and multicast group IDs, given as 0) are the kernel's to assign: combine the result with the
 * live family through runtimeFamily (src/model/genl.ts). netlink-raw specs take their protocol
 * from `protonum` (or options.protocol).
 *
 * Throws only YnlSpecError, whose `key` names the offending spec key (its message starts with
 * options.source when given).
 */
export function familyFromYnl(text: string, options: YnlOptions = {}): FamilySpec {
  options ??= {};
  const source = typeof options.source === 'string' ? options.source : undefined;
  if (typeof text !== 'string') throw new YnlSpecError('(input)', `expected the text of a YAML file, got ${show(text)}`, source);
  let doc: unknown;
  try {
    doc = parse(text, { logLevel: 'error', uniqueKeys: true, maxAliasCount: 100_000 });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new YnlSpecError('(yaml)', `not valid YAML: ${why.split('\n')[0]}`, source);
  }
  if (!isObj(doc)) throw new YnlSpecError('(top level)', `a YNL spec is a mapping (name, protocol, attribute-sets, operations, …), got ${show(doc)}`, source);
  return new Converter(doc, { ...options, source }).run();
}

/**
 * Read a YNL spec file and convert it (see {@link familyFromYnl}); error messages start with the
 * file's path. Rejects with the file system's error when the file cannot be read.
 */
export async function familyFromYnlFile(path: string, options: YnlOptions = {}): Promise<FamilySpec> {
  const text = readFileSync(path, 'utf8');
  return familyFromYnl(text, { source: path, ...options });
}
