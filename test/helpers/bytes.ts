// Hand-built netlink wire bytes for the tests: byte concatenation, host-order integers, padding,
// struct nlmsghdr / struct nlattr builders and strings. Written independently of src/ so that
// expected bytes never come from the code under test.
//
// Every builder returns a plain Uint8Array (never a Buffer: vitest's toEqual tells the two
// apart). Inputs may be a Uint8Array or an array of byte values, so tables of literal bytes can
// be mixed with built pieces; spread a result (`[...u32(1)]`) where a number[] is wanted.
// Netlink headers and integer attributes are in host byte order, taken from os.endianness().

import { endianness } from 'node:os';

/** True when the host is little-endian (os.endianness() is 'LE'): the order of netlink headers. */
export const LE = endianness() === 'LE';

/** Bytes accepted by the builders: a Uint8Array or an array of byte values (0–255). */
export type ByteSource = Uint8Array | readonly number[];

function toBytes(b: ByteSource): Uint8Array {
  return b instanceof Uint8Array ? b : Uint8Array.from(b);
}

/** All parts joined into one new Uint8Array (zero parts give an empty one). */
export function concat(...parts: ByteSource[]): Uint8Array {
  const arrays = parts.map(toBytes);
  const out = new Uint8Array(arrays.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of arrays) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** `n` rounded up to a multiple of 4 (NLMSG_ALIGN / NLA_ALIGN), computed independently of src/. */
export function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/**
 * `bytes` followed by zero bytes up to a multiple of 4. A Uint8Array that is already aligned is
 * returned as is (not copied); anything else gives a new Uint8Array.
 */
export function pad4(bytes: ByteSource): Uint8Array {
  const b = toBytes(bytes);
  return b.length % 4 === 0 ? b : concat(b, new Uint8Array(align4(b.length) - b.length));
}

/** Bytes of an integer written out little-endian (least significant first), put in host order. */
export function host(leBytes: ByteSource): Uint8Array {
  const b = Uint8Array.from(leBytes);
  return LE ? b : b.reverse();
}

/** A u16 in host order (the low 16 bits of `v`), as in nla_len, nla_type, nlmsg_type, nlmsg_flags. */
export function u16(v: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v & 0xffff, LE);
  return b;
}

/** A u32 in host order (the low 32 bits of `v`, so negative values wrap), as in nlmsg_len. */
export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, LE);
  return b;
}

/** An s32 in host order (two's complement), as in the errno of NLMSG_ERROR and NLMSG_DONE. */
export function s32(v: number): Uint8Array {
  return u32(v >>> 0);
}

/** A 64-bit integer in host order: `v` taken modulo 2^64, so negative values are two's complement. */
export function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), LE);
  return b;
}

/** The UTF-8 bytes of `s`, without a terminating NUL. */
export function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** The UTF-8 bytes of `s` followed by one NUL, as the kernel sends NLA_NUL_STRING / NLA_STRING. */
export function cstr(s: string): Uint8Array {
  return concat(text(s), [0]);
}

/** A 16-byte struct nlmsghdr in host order, with every field as given (nlmsg_len is not checked). */
export function nlmsghdr(length: number, type: number, flags: number, seq: number, pid: number): Uint8Array {
  return concat(u32(length), u16(type), u16(flags), u32(seq), u32(pid));
}

/** Header fields for nlmsg(); omitted numbers are 0. */
export interface NlmsgFields {
  type: number;
  flags?: number;
  seq?: number;
  pid?: number;
  /** nlmsg_len to write instead of the real length (16 + payload). */
  len?: number;
}

/** A netlink message: nlmsghdr + payload, zero-padded to 4 bytes unless `pad` is false. */
export function nlmsg(h: NlmsgFields, payload: ByteSource = [], pad = true): Uint8Array {
  const p = toBytes(payload);
  const msg = concat(nlmsghdr(h.len ?? 16 + p.length, h.type, h.flags ?? 0, h.seq ?? 0, h.pid ?? 0), p);
  return pad ? pad4(msg) : msg;
}

/** Options for nla(). */
export interface NlaOptions {
  /** nla_len to write instead of the real, unpadded length (4 + payload). */
  len?: number;
  /** false leaves out the zero padding after the payload (an unpadded last attribute). */
  pad?: boolean;
}

/**
 * One attribute (struct nlattr): host-order nla_len and nla_type (written as given, flag bits
 * included), the payload, then zero padding to 4 bytes unless `opts.pad` is false.
 */
export function nla(type: number, payload: ByteSource = [], opts: NlaOptions = {}): Uint8Array {
  const p = toBytes(payload);
  const attr = concat(u16(opts.len ?? 4 + p.length), u16(type), p);
  return opts.pad === false ? attr : pad4(attr);
}
