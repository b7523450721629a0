// Netlink attributes (struct nlattr): type-length-value records, 4-byte aligned, that follow a
// message's fixed header. AttributeDecoder walks them with a sticky error, as the Go package
// does; AttributeEncoder builds them. Framing follows the kernel (nla_ok): an attribute whose
// nla_len is below 4 or runs past the end stops the walk, and the problem is reported with its
// offset rather than thrown mid-loop or silently skipped.
import { HOST_LITTLE_ENDIAN, NLA_HDRLEN, NLA_MAX_PAYLOAD, nlaAlign } from './align.js';
import { DecodeError } from './errors.js';

/** Type flag: the payload is itself a list of attributes. */
export const NLA_F_NESTED = 0x8000;
/** Type flag: integer payload is in network (big-endian) byte order. */
export const NLA_F_NET_BYTEORDER = 0x4000;
/** Mask that removes both flags from nla_type. */
export const NLA_TYPE_MASK = 0x3fff;

/** Byte order of integer payloads: the host's (netlink's default), big-endian, or little-endian. */
export type ByteOrder = 'host' | 'big' | 'little';

/** One attribute as it is on the wire. `type` is the raw 16-bit nla_type, flags included. */
export interface Attribute {
  /** nla_len: 4 + payload length, padding excluded. */
  length: number;
  /** Raw nla_type including NLA_F_NESTED / NLA_F_NET_BYTEORDER. */
  type: number;
  /** The payload (a view into the decoded buffer). */
  data: Uint8Array;
}

/** An attribute to marshal; `length` 0 or absent means 4 + data.length. */
export interface AttributeInit {
  length?: number;
  type: number;
  data: Uint8Array;
}

function littleFor(order: ByteOrder): boolean {
  return order === 'host' ? HOST_LITTLE_ENDIAN : order === 'little';
}

function checkType(type: number): void {
  if (!Number.isInteger(type) || type < 0 || type > 0xffff) {
    throw new RangeError(`attribute type must be an integer 0..65535, got ${type}`);
  }
}

/**
 * Marshal attributes back to back, each padded to 4 bytes. A zero `length` is computed; an
 * explicit one is written as given (so malformed attributes can be crafted on purpose), but it
 * must fit nla_len's 16 bits.
 */
export function marshalAttributes(attrs: readonly AttributeInit[]): Uint8Array {
  let size = 0;
  for (const a of attrs) {
    checkType(a.type);
    if (a.data.length > NLA_MAX_PAYLOAD) {
      throw new RangeError(`attribute ${a.type & NLA_TYPE_MASK}: ${a.data.length} bytes do not fit in an attribute`);
    }
    if (a.length !== undefined && (!Number.isInteger(a.length) || a.length < 0 || a.length > 0xffff)) {
      throw new RangeError(`attribute length must be an integer 0..65535, got ${a.length}`);
    }
    size += NLA_HDRLEN + nlaAlign(a.data.length);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let off = 0;
  for (const a of attrs) {
    view.setUint16(off, a.length || NLA_HDRLEN + a.data.length, HOST_LITTLE_ENDIAN);
    view.setUint16(off + 2, a.type, HOST_LITTLE_ENDIAN);
    out.set(a.data, off + NLA_HDRLEN);
    off += NLA_HDRLEN + nlaAlign(a.data.length);
  }
  return out;
}

/**
 * Split a buffer into attributes. Throws DecodeError on the first framing problem (a length
 * below 4, a length past the end, or 1–3 stray trailing bytes). An unpadded last attribute is
 * accepted. Use AttributeDecoder to keep the attributes before a problem.
 */
export function unmarshalAttributes(data: Uint8Array): Attribute[] {
  const out: Attribute[] = [];
  const ad = new AttributeDecoder(data);
  while (ad.next()) out.push(ad.attribute());
  const err = ad.err();
  if (err) throw err;
  return out;
}

/** Options of {@link AttributeDecoder}. */
export interface AttributeDecoderOptions {
  /** Byte order of integers without NLA_F_NET_BYTEORDER. Default: host. */
  byteOrder?: ByteOrder;
  /** Offset of `data` within the enclosing buffer, used in error messages. Default 0. */
  baseOffset?: number;
}

/**
 * Iterates over attributes with a sticky error:
 *
 *     const ad = new AttributeDecoder(msg.data.subarray(16));
 *     while (ad.next()) {
 *       switch (ad.type()) {
 *         case IFLA_IFNAME: name = ad.string(); break;
 *         case IFLA_MTU: mtu = ad.uint32(); break;
 *       }
 *     }
 *     if (ad.err()) throw ad.err();
 *
 * next() stops at the end or at the first problem; a getter whose attribute has the wrong size
 * records an error and returns a zero value. Integers of attributes that carry
 * NLA_F_NET_BYTEORDER are read big-endian whatever `byteOrder` says, because that is what the
 * flag means. Payload views alias the input; copy them to keep them beyond its life.
 */
export class AttributeDecoder {
  /** Byte order of integers without NLA_F_NET_BYTEORDER; nested decoders inherit it. */
  byteOrder: ByteOrder;
  readonly #buf: Uint8Array;
  #lazyView: DataView | undefined;
  readonly #base: number;
  #off = 0;
  #cur = -1; // offset of the current attribute's header, -1 before the first next()
  #len = 0;
  #type = 0;
  #err: DecodeError | undefined;

  constructor(data: Uint8Array, options?: AttributeDecoderOptions) {
    this.#buf = data;
    this.byteOrder = options?.byteOrder ?? 'host';
    this.#base = options?.baseOffset ?? 0;
  }

  // The walk reads headers with byte arithmetic; a DataView is made only for wider values,
  // because building one per decoder costs more than the walk itself on large dumps.
  get #view(): DataView {
    return (this.#lazyView ??= new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength));
  }

  #u16(off: number): number {
    const b = this.#buf;
    return HOST_LITTLE_ENDIAN ? b[off]! | (b[off + 1]! << 8) : (b[off]! << 8) | b[off + 1]!;
  }

  /** Advance to the next attribute. False at the end or after an error (see err()). */
  next(): boolean {
    if (this.#err) return false;
    const rest = this.#buf.length - this.#off;
    if (rest === 0) return false;
    if (rest < NLA_HDRLEN) {
      return this.#fail(`${rest} byte${rest === 1 ? '' : 's'} left over after the last attribute`, this.#off);
    }
    const len = this.#u16(this.#off);
    if (len < NLA_HDRLEN) {
      return this.#fail(`attribute length ${len} is shorter than its 4-byte header`, this.#off);
    }
    if (len > rest) {
      return this.#fail(`attribute length ${len} runs past the end (${rest} bytes left)`, this.#off);
    }
    this.#cur = this.#off;
    this.#len = len;
    this.#type = this.#u16(this.#off + 2);
    // The last attribute may be unpadded: clamp the aligned step to what is there.
    this.#off = Math.min(this.#off + nlaAlign(len), this.#buf.length);
    return true;
  }

  #fail(message: string, off: number): false {
    this.#err = new DecodeError(`malformed attribute at offset ${this.#base + off}: ${message}`, this.#base + off);
    return false;
  }

  /** The first problem met, or undefined. Check it once after the loop. */
  err(): DecodeError | undefined {
    return this.#err;
  }

  /** Type of the current attribute with the flag bits masked off. */
  type(): number {
    return this.#type & NLA_TYPE_MASK;
  }

  /** Flag bits (NLA_F_NESTED, NLA_F_NET_BYTEORDER) of the current attribute's type. */
  typeFlags(): number {
    return this.#type & ~NLA_TYPE_MASK;
  }

  /** nla_len of the current attribute (header included, padding excluded). */
  length(): number {
    return this.#len;
  }

  /** Offset of the current attribute's header, counted from the decoder's base offset. */
  offset(): number {
    return this.#base + Math.max(this.#cur, 0);
  }

  /** Offset just past the last attribute read (where a trailing problem would start). */
  position(): number {
    return this.#base + this.#off;
  }

  /** The current attribute as an Attribute record (raw type, view of the payload). */
  attribute(): Attribute {
    return { length: this.#len, type: this.#type, data: this.bytes() };
  }

  /** Payload of the current attribute, as a view into the input (empty before the first next()). */
  bytes(): Uint8Array {
    if (this.#cur < 0) return this.#buf.subarray(0, 0);
    const start = this.#cur + NLA_HDRLEN;
    return this.#buf.subarray(start, this.#cur + this.#len);
  }

  #payloadLength(): number {
    return this.#len - NLA_HDRLEN;
  }

  #sized(size: number, kind: string): boolean {
    if (this.#err) return false;
    if (this.#payloadLength() === size) return true;
    this.#fail(`attribute ${this.type()} is not a ${kind}; payload length ${this.#payloadLength()}`, this.#cur);
    return false;
  }

  #little(): boolean {
    return (this.#type & NLA_F_NET_BYTEORDER) !== 0 ? false : littleFor(this.byteOrder);
  }

  /** Payload as an unsigned 8-bit integer (exactly 1 byte). */
  uint8(): number {
    return this.#sized(1, 'u8') ? this.#buf[this.#cur + NLA_HDRLEN]! : 0;
  }
  /** Payload as an unsigned 16-bit integer (exactly 2 bytes). */
  uint16(): number {
    return this.#sized(2, 'u16') ? this.#view.getUint16(this.#cur + NLA_HDRLEN, this.#little()) : 0;
  }
  /** Payload as an unsigned 32-bit integer (exactly 4 bytes). */
  uint32(): number {
    if (!this.#sized(4, 'u32')) return 0;
    const b = this.#buf;
    const o = this.#cur + NLA_HDRLEN;
    return this.#little()
      ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
      : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
  /** Payload as an unsigned 64-bit integer (exactly 8 bytes). */
  uint64(): bigint {
    return this.#sized(8, 'u64') ? this.#view.getBigUint64(this.#cur + NLA_HDRLEN, this.#little()) : 0n;
  }
  /** Payload as a signed 8-bit integer (exactly 1 byte). */
  int8(): number {
    return this.#sized(1, 's8') ? this.#view.getInt8(this.#cur + NLA_HDRLEN) : 0;
  }
  /** Payload as a signed 16-bit integer (exactly 2 bytes). */
  int16(): number {
    return this.#sized(2, 's16') ? this.#view.getInt16(this.#cur + NLA_HDRLEN, this.#little()) : 0;
  }
  /** Payload as a signed 32-bit integer (exactly 4 bytes). */
  int32(): number {
    return this.#sized(4, 's32') ? this.#view.getInt32(this.#cur + NLA_HDRLEN, this.#little()) : 0;
  }
  /** Payload as a signed 64-bit integer (exactly 8 bytes). */
  int64(): bigint {
    return this.#sized(8, 's64') ? this.#view.getBigInt64(this.#cur + NLA_HDRLEN, this.#little()) : 0n;
  }

  /** NLA_UINT: an unsigned integer of 4 or 8 bytes (the kernel picks the smaller that fits). */
  uint(): bigint {
    const n = this.#payloadLength();
    if (n === 4) return BigInt(this.uint32());
    if (n === 8) return this.uint64();
    this.#sized(-1, 'uint (4 or 8 bytes)');
    return 0n;
  }

  /** NLA_SINT: a signed integer of 4 or 8 bytes. */
  sint(): bigint {
    const n = this.#payloadLength();
    if (n === 4) return BigInt(this.int32());
    if (n === 8) return this.int64();
    this.#sized(-1, 'sint (4 or 8 bytes)');
    return 0n;
  }

  /** Payload as UTF-8 text with trailing NULs removed (embedded NULs are kept). */
  string(): string {
    const b = this.bytes();
    let end = b.length;
    while (end > 0 && b[end - 1] === 0) end--;
    return Buffer.from(b.buffer, b.byteOffset, end).toString('utf8');
  }

  /** A flag attribute: true when present with an empty payload. */
  flag(): boolean {
    return this.#sized(0, 'flag');
  }

  /**
   * Decode the current attribute's payload as nested attributes with `fn`. The child inherits
   * the byte order; its error (if any) becomes this decoder's error. NLA_F_NESTED is not
   * required, because the kernel does not set it consistently.
   */
  nested(fn: (nested: AttributeDecoder) => void): void {
    if (this.#err) return;
    const child = new AttributeDecoder(this.bytes(), {
      byteOrder: this.byteOrder,
      baseOffset: this.#base + this.#cur + NLA_HDRLEN,
    });
    fn(child);
    const err = child.err();
    if (err && !this.#err) this.#err = err;
  }

  /** Hand the raw payload to `fn`; an Error it returns or throws becomes the decoder's error. */
  do(fn: (payload: Uint8Array) => Error | void): void {
    if (this.#err) return;
    let e: unknown;
    try {
      e = fn(this.bytes());
    } catch (thrown) {
      e = thrown;
    }
    if (e instanceof DecodeError) this.#err = e;
    else if (e instanceof Error) this.#err = new DecodeError(e.message, this.offset());
  }

  /** Count the well-formed attributes left from the start, without disturbing the iteration. */
  count(): number {
    const probe = new AttributeDecoder(this.#buf);
    let n = 0;
    while (probe.next()) n++;
    return n;
  }
}

/** Options of {@link AttributeEncoder}. */
export interface AttributeEncoderOptions {
  /** Byte order of integers written. Default: host. Nested encoders inherit it. */
  byteOrder?: ByteOrder;
}

/**
 * Builds attributes in order:
 *
 *     const ae = new AttributeEncoder();
 *     ae.string(IFLA_IFNAME, 'veth0');
 *     ae.nested(IFLA_LINKINFO, (li) => li.string(IFLA_INFO_KIND, 'veth'));
 *     const bytes = ae.encode();
 *
 * Every method validates its value and throws TypeError/RangeError at the call, so a bad value
 * is reported where it was written. nested() sets NLA_F_NESTED, which strict kernel policies
 * require.
 */
export class AttributeEncoder {
  /** Byte order of integers written; nested encoders inherit it. */
  byteOrder: ByteOrder;
  readonly #attrs: AttributeInit[] = [];

  constructor(options: AttributeEncoderOptions = {}) {
    this.byteOrder = options.byteOrder ?? 'host';
  }

  #int(type: number, size: 1 | 2 | 4 | 8, signed: boolean, value: number | bigint): this {
    checkType(type);
    const bits = BigInt(size * 8);
    let v: bigint;
    if (typeof value === 'bigint') v = value;
    else if (typeof value === 'number' && Number.isInteger(value)) v = BigInt(value);
    else throw new TypeError(`attribute ${type & NLA_TYPE_MASK}: ${String(value)} is not an integer`);
    const min = signed ? -(1n << (bits - 1n)) : 0n;
    const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    if (v < min || v > max) {
      throw new RangeError(`attribute ${type & NLA_TYPE_MASK}: ${v} does not fit in ${signed ? 's' : 'u'}${bits}`);
    }
    const data = new Uint8Array(size);
    const view = new DataView(data.buffer);
    const little = (type & NLA_F_NET_BYTEORDER) !== 0 ? false : littleFor(this.byteOrder);
    if (size === 1) view.setUint8(0, Number(BigInt.asUintN(8, v)));
    else if (size === 2) view.setUint16(0, Number(BigInt.asUintN(16, v)), little);
    else if (size === 4) view.setUint32(0, Number(BigInt.asUintN(32, v)), little);
    else view.setBigUint64(0, BigInt.asUintN(64, v), little);
    this.#attrs.push({ type, data });
    return this;
  }

  /** Append an unsigned 8-bit integer. */
  uint8(type: number, value: number): this {
    return this.#int(type, 1, false, value);
  }
  /** Append an unsigned 16-bit integer. */
  uint16(type: number, value: number): this {
    return this.#int(type, 2, false, value);
  }
  /** Append an unsigned 32-bit integer. */
  uint32(type: number, value: number): this {
    return this.#int(type, 4, false, value);
  }
  /** Append an unsigned 64-bit integer. */
  uint64(type: number, value: number | bigint): this {
    return this.#int(type, 8, false, value);
  }
  /** Append a signed 8-bit integer. */
  int8(type: number, value: number): this {
    return this.#int(type, 1, true, value);
  }
  /** Append a signed 16-bit integer. */
  int16(type: number, value: number): this {
    return this.#int(type, 2, true, value);
  }
  /** Append a signed 32-bit integer. */
  int32(type: number, value: number): this {
    return this.#int(type, 4, true, value);
  }
  /** Append a signed 64-bit integer. */
  int64(type: number, value: number | bigint): this {
    return this.#int(type, 8, true, value);
  }
  /** Append an NLA_UINT: 4 bytes when the value fits in 32 bits, else 8. */
  uint(type: number, value: number | bigint): this {
    const v = typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value) : NaN;
    return typeof v === 'bigint' && v >= 0n && v <= 0xffffffffn
      ? this.#int(type, 4, false, v)
      : this.#int(type, 8, false, value);
  }
  /** Append an NLA_SINT: 4 bytes when the value fits in 32 bits, else 8. */
  sint(type: number, value: number | bigint): this {
    const v = typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value) : NaN;
    return typeof v === 'bigint' && v >= -0x80000000n && v <= 0x7fffffffn
      ? this.#int(type, 4, true, v)
      : this.#int(type, 8, true, value);
  }
  /** Append a NUL-terminated UTF-8 string. */
  string(type: number, value: string): this {
    if (typeof value !== 'string') throw new TypeError(`attribute ${type}: expected a string`);
    const text = Buffer.from(value, 'utf8');
    const data = new Uint8Array(text.length + 1);
    data.set(text);
    return this.bytes(type, data);
  }
  /** Append raw bytes. */
  bytes(type: number, value: Uint8Array): this {
    checkType(type);
    if (!(value instanceof Uint8Array)) throw new TypeError(`attribute ${type}: expected a Uint8Array`);
    if (value.length > NLA_MAX_PAYLOAD) {
      throw new RangeError(`attribute ${type & NLA_TYPE_MASK}: ${value.length} bytes do not fit in an attribute`);
    }
    this.#attrs.push({ type, data: value.slice() });
    return this;
  }
  /** Append an empty flag attribute when `on` is true; nothing when false. */
  flag(type: number, on = true): this {
    return on ? this.bytes(type, new Uint8Array(0)) : this;
  }
  /** Append a nest (NLA_F_NESTED set) whose content `fn` writes into a child encoder. */
  nested(type: number, fn: (nested: AttributeEncoder) => void): this {
    checkType(type);
    const child = new AttributeEncoder({ byteOrder: this.byteOrder });
    fn(child);
    return this.bytes(type | NLA_F_NESTED, child.encode());
  }
  /** Append an attribute whose payload `fn` produces. */
  do(type: number, fn: () => Uint8Array): this {
    return this.bytes(type, fn());
  }
  /** Append a complete raw attribute (explicit length and flags allowed). */
  attribute(attr: AttributeInit): this {
    checkType(attr.type);
    this.#attrs.push({ length: attr.length, type: attr.type, data: attr.data.slice() });
    return this;
  }
  /** Bytes the encoded attributes will occupy. */
  length(): number {
    let n = 0;
    for (const a of this.#attrs) n += NLA_HDRLEN + nlaAlign(a.data.length);
    return n;
  }
  /** The attributes as bytes. */
  encode(): Uint8Array {
    return marshalAttributes(this.#attrs);
  }
}
