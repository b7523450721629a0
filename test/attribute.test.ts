// Netlink attributes (src/netlink/attribute.ts): the encoder's integer widths, byte orders,
// strings, flags and nests; the decoder's framing under the kernel's nla_ok rules (nla_len 0–3
// and lengths past the end stop the walk with an offset), its sticky error, exact-size getters,
// NLA_F_NET_BYTEORDER, nesting offsets, and round trips. Expected bytes are written by hand.

import { describe, expect, it } from 'vitest';
import {
  AttributeDecoder,
  AttributeEncoder,
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  NLA_TYPE_MASK,
  marshalAttributes,
  unmarshalAttributes,
  type ByteOrder,
} from '../src/netlink/attribute.js';
import { DecodeError } from '../src/netlink/errors.js';
import { LE, concat, nla, text, u16 } from './helpers/bytes.js';

// ---------------------------------------------------------------------------------------------
// Hand-built wire bytes: builders in helpers/bytes.ts, plus integers in a chosen byte order.

/** Integer bytes given big-endian, put in the requested order. */
function ordered(beBytes: number[], order: ByteOrder): number[] {
  const little = order === 'host' ? LE : order === 'little';
  return little ? [...beBytes].reverse() : [...beBytes];
}

function decodeOne(buf: Uint8Array, opts?: { byteOrder?: ByteOrder }): AttributeDecoder {
  const ad = new AttributeDecoder(buf, opts);
  expect(ad.next()).toBe(true);
  return ad;
}

// ---------------------------------------------------------------------------------------------

describe('constants', () => {
  it('match linux/netlink.h', () => {
    expect(NLA_F_NESTED).toBe(0x8000);
    expect(NLA_F_NET_BYTEORDER).toBe(0x4000);
    expect(NLA_TYPE_MASK).toBe(0x3fff);
  });
});

type IntMethod = 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'int8' | 'int16' | 'int32' | 'int64';

// value, and its two's-complement bytes big-endian.
const intCases: { method: IntMethod; value: number | bigint; be: number[] }[] = [
  { method: 'uint8', value: 0, be: [0x00] },
  { method: 'uint8', value: 0x7f, be: [0x7f] },
  { method: 'uint8', value: 255, be: [0xff] },
  { method: 'uint16', value: 0, be: [0, 0] },
  { method: 'uint16', value: 0x1234, be: [0x12, 0x34] },
  { method: 'uint16', value: 0xffff, be: [0xff, 0xff] },
  { method: 'uint32', value: 0, be: [0, 0, 0, 0] },
  { method: 'uint32', value: 0xdeadbeef, be: [0xde, 0xad, 0xbe, 0xef] },
  { method: 'uint32', value: 0xffffffff, be: [0xff, 0xff, 0xff, 0xff] },
  { method: 'uint64', value: 0, be: [0, 0, 0, 0, 0, 0, 0, 0] },
  { method: 'uint64', value: 0x0102030405060708n, be: [1, 2, 3, 4, 5, 6, 7, 8] },
  { method: 'uint64', value: Number.MAX_SAFE_INTEGER, be: [0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] },
  { method: 'uint64', value: 2 ** 63, be: [0x80, 0, 0, 0, 0, 0, 0, 0] },
  { method: 'uint64', value: 2n ** 64n - 1n, be: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] },
  { method: 'int8', value: 0, be: [0] },
  { method: 'int8', value: -1, be: [0xff] },
  { method: 'int8', value: 127, be: [0x7f] },
  { method: 'int8', value: -128, be: [0x80] },
  { method: 'int16', value: -2, be: [0xff, 0xfe] },
  { method: 'int16', value: 32767, be: [0x7f, 0xff] },
  { method: 'int16', value: -32768, be: [0x80, 0x00] },
  { method: 'int32', value: -1, be: [0xff, 0xff, 0xff, 0xff] },
  { method: 'int32', value: 0x7fffffff, be: [0x7f, 0xff, 0xff, 0xff] },
  { method: 'int32', value: -0x80000000, be: [0x80, 0, 0, 0] },
  { method: 'int32', value: -34, be: [0xff, 0xff, 0xff, 0xde] },
  { method: 'int64', value: -1n, be: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] },
  { method: 'int64', value: -5, be: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb] },
  { method: 'int64', value: 2n ** 63n - 1n, be: [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] },
  { method: 'int64', value: -(2n ** 63n), be: [0x80, 0, 0, 0, 0, 0, 0, 0] },
  { method: 'int64', value: 0x0102030405060708n, be: [1, 2, 3, 4, 5, 6, 7, 8] },
];

function encodeInt(ae: AttributeEncoder, method: IntMethod, type: number, value: number | bigint): void {
  (ae[method] as (t: number, v: number | bigint) => AttributeEncoder)(type, value);
}

function decodeInt(ad: AttributeDecoder, method: IntMethod): number | bigint {
  return (ad[method] as () => number | bigint)();
}

function expectedDecoded(method: IntMethod, value: number | bigint): number | bigint {
  return method.endsWith('64') ? BigInt(value) : Number(value);
}

describe('AttributeEncoder: integers', () => {
  const orders: ByteOrder[] = ['host', 'big', 'little'];
  for (const order of orders) {
    it.each(intCases)(`${order}: $method($value)`, ({ method, value, be }) => {
      const ae = new AttributeEncoder({ byteOrder: order });
      encodeInt(ae, method, 7, value);
      expect(ae.encode()).toEqual(nla(7, ordered(be, order)));
    });
  }

  it.each(intCases)('NLA_F_NET_BYTEORDER in the type forces big-endian: $method($value)', ({ method, value, be }) => {
    for (const order of orders) {
      const ae = new AttributeEncoder({ byteOrder: order });
      encodeInt(ae, method, 7 | NLA_F_NET_BYTEORDER, value);
      expect(ae.encode()).toEqual(nla(7 | NLA_F_NET_BYTEORDER, be));
    }
  });

  it('the byte order can be changed between attributes', () => {
    const ae = new AttributeEncoder({ byteOrder: 'little' });
    ae.uint16(1, 0x0102);
    ae.byteOrder = 'big';
    ae.uint16(2, 0x0102);
    expect(ae.encode()).toEqual(concat(nla(1, [2, 1]), nla(2, [1, 2])));
  });

  const rangeErrors: { method: IntMethod; value: number | bigint }[] = [
    { method: 'uint8', value: 256 },
    { method: 'uint8', value: -1 },
    { method: 'uint16', value: 0x10000 },
    { method: 'uint16', value: -1 },
    { method: 'uint32', value: 2 ** 32 },
    { method: 'uint32', value: -1 },
    { method: 'uint64', value: 2n ** 64n },
    { method: 'uint64', value: 2 ** 64 },
    { method: 'uint64', value: -1n },
    { method: 'int8', value: 128 },
    { method: 'int8', value: -129 },
    { method: 'int16', value: 32768 },
    { method: 'int16', value: -32769 },
    { method: 'int32', value: 2 ** 31 },
    { method: 'int32', value: -(2 ** 31) - 1 },
    { method: 'int64', value: 2n ** 63n },
    { method: 'int64', value: -(2n ** 63n) - 1n },
  ];
  it.each(rangeErrors)('$method($value) is a RangeError', ({ method, value }) => {
    const ae = new AttributeEncoder();
    expect(() => encodeInt(ae, method, 1, value)).toThrow(RangeError);
    expect(ae.encode()).toEqual(new Uint8Array(0));
  });

  const typeErrors: { method: IntMethod; value: unknown }[] = [
    { method: 'uint8', value: 1.5 },
    { method: 'uint16', value: NaN },
    { method: 'uint32', value: Infinity },
    { method: 'uint64', value: 0.5 },
    { method: 'int8', value: '1' },
    { method: 'int32', value: -Infinity },
    { method: 'int64', value: null },
  ];
  it.each(typeErrors)('$method($value) is a TypeError', ({ method, value }) => {
    expect(() => encodeInt(new AttributeEncoder(), method, 1, value as number)).toThrow(TypeError);
  });

  it('accepts bigint for every width', () => {
    const ae = new AttributeEncoder({ byteOrder: 'big' });
    encodeInt(ae, 'uint8', 1, 200n);
    encodeInt(ae, 'int16', 2, -2n);
    encodeInt(ae, 'uint32', 3, 0xfffffffen);
    expect(ae.encode()).toEqual(concat(nla(1, [200]), nla(2, [0xff, 0xfe]), nla(3, [0xff, 0xff, 0xff, 0xfe])));
  });
});

describe('AttributeEncoder: NLA_UINT / NLA_SINT pick 4 or 8 bytes', () => {
  const uintCases: { value: number | bigint; be: number[] }[] = [
    { value: 0, be: [0, 0, 0, 0] },
    { value: 1n, be: [0, 0, 0, 1] },
    { value: 0xffffffff, be: [0xff, 0xff, 0xff, 0xff] },
    { value: 0x100000000, be: [0, 0, 0, 1, 0, 0, 0, 0] },
    { value: 0x100000000n, be: [0, 0, 0, 1, 0, 0, 0, 0] },
    { value: 2n ** 64n - 1n, be: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] },
  ];
  it.each(uintCases)('uint($value)', ({ value, be }) => {
    const ae = new AttributeEncoder({ byteOrder: 'big' }).uint(5, value);
    const bytes = ae.encode();
    expect(bytes).toEqual(nla(5, be));
    const ad = decodeOne(bytes, { byteOrder: 'big' });
    expect(ad.uint()).toBe(BigInt(value));
    expect(ad.err()).toBeUndefined();
  });

  const sintCases: { value: number | bigint; be: number[] }[] = [
    { value: 0, be: [0, 0, 0, 0] },
    { value: -1, be: [0xff, 0xff, 0xff, 0xff] },
    { value: 0x7fffffff, be: [0x7f, 0xff, 0xff, 0xff] },
    { value: -0x80000000, be: [0x80, 0, 0, 0] },
    { value: 0x80000000, be: [0, 0, 0, 0, 0x80, 0, 0, 0] },
    { value: -0x80000001n, be: [0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff] },
    { value: 2n ** 63n - 1n, be: [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] },
    { value: -(2n ** 63n), be: [0x80, 0, 0, 0, 0, 0, 0, 0] },
  ];
  it.each(sintCases)('sint($value)', ({ value, be }) => {
    const bytes = new AttributeEncoder({ byteOrder: 'big' }).sint(6, value).encode();
    expect(bytes).toEqual(nla(6, be));
    const ad = decodeOne(bytes, { byteOrder: 'big' });
    expect(ad.sint()).toBe(BigInt(value));
    expect(ad.err()).toBeUndefined();
  });

  it.each([
    ['uint', -1, RangeError],
    ['uint', -1n, RangeError],
    ['uint', 2n ** 64n, RangeError],
    ['uint', 1.5, TypeError],
    ['sint', 2n ** 63n, RangeError],
    ['sint', -(2n ** 63n) - 1n, RangeError],
    ['sint', 0.25, TypeError],
  ] as const)('%s(%s) throws', (method, value, cls) => {
    expect(() => new AttributeEncoder()[method](1, value)).toThrow(cls);
  });

  it('the decoder reads NLA_UINT/NLA_SINT of either width, in host order', () => {
    const buf = concat(
      nla(1, ordered([0, 0, 0, 7], 'host')),
      nla(2, ordered([0, 0, 0, 1, 0, 0, 0, 2], 'host')),
      nla(3, ordered([0xff, 0xff, 0xff, 0xf9], 'host')),
      nla(4, ordered([0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff], 'host')),
    );
    const ad = new AttributeDecoder(buf);
    const got: bigint[] = [];
    while (ad.next()) got.push(ad.type() <= 2 ? ad.uint() : ad.sint());
    expect(ad.err()).toBeUndefined();
    expect(got).toEqual([7n, 0x100000002n, -7n, -0x100000001n]);
  });

  it.each([0, 1, 2, 3, 5, 6, 7, 9, 16])('uint()/sint() of a %d-byte payload is an error and 0n', (n) => {
    for (const getter of ['uint', 'sint'] as const) {
      const ad = decodeOne(nla(9, new Array<number>(n).fill(1)));
      expect(ad[getter]()).toBe(0n);
      expect(ad.err()).toBeInstanceOf(DecodeError);
      expect(ad.err()!.offset).toBe(0);
      expect(ad.err()!.message).toContain(`${getter} (4 or 8 bytes)`);
    }
  });
});

describe('AttributeEncoder: strings, bytes, flags, do, attribute', () => {
  it.each([
    { name: 'ifname', value: 'eth0', payload: [...text('eth0'), 0] },
    { name: 'empty string is one NUL', value: '', payload: [0] },
    { name: 'three chars + NUL = 4 bytes, no padding', value: 'abc', payload: [0x61, 0x62, 0x63, 0] },
    { name: 'UTF-8', value: 'é✓', payload: [0xc3, 0xa9, 0xe2, 0x9c, 0x93, 0] },
    { name: 'embedded NUL kept', value: 'a\0b', payload: [0x61, 0, 0x62, 0] },
  ])('string: $name', ({ value, payload }) => {
    expect(new AttributeEncoder().string(3, value).encode()).toEqual(nla(3, payload));
  });

  it('string: a non-string is a TypeError', () => {
    expect(() => new AttributeEncoder().string(3, 5 as unknown as string)).toThrow(TypeError);
  });

  it('bytes: raw payload, copied at the call', () => {
    const src = Uint8Array.from([1, 2, 3]);
    const ae = new AttributeEncoder().bytes(10, src).bytes(11, new Uint8Array(0));
    src[0] = 99;
    expect(ae.encode()).toEqual(concat(nla(10, [1, 2, 3]), nla(11, [])));
  });

  it('bytes: a non-Uint8Array is a TypeError', () => {
    expect(() => new AttributeEncoder().bytes(1, [1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('flag: on writes an empty attribute, off writes nothing, default is on', () => {
    const ae = new AttributeEncoder().flag(1, true).flag(2, false).flag(3);
    expect(ae.encode()).toEqual(concat(nla(1, []), nla(3, [])));
    const ad = new AttributeDecoder(ae.encode());
    const seen: [number, boolean][] = [];
    while (ad.next()) seen.push([ad.type(), ad.flag()]);
    expect(seen).toEqual([
      [1, true],
      [3, true],
    ]);
    expect(ad.err()).toBeUndefined();
  });

  it('do: the payload is what fn returns', () => {
    expect(new AttributeEncoder().do(4, () => Uint8Array.from([5, 6])).encode()).toEqual(nla(4, [5, 6]));
  });

  it('attribute: a raw attribute with explicit length and flags is written as given', () => {
    const ae = new AttributeEncoder()
      .attribute({ type: 0xc001, data: Uint8Array.from([1, 2]) })
      .attribute({ type: 2, length: 3, data: Uint8Array.from([7]) })
      .attribute({ type: 3, length: 200, data: Uint8Array.from([8]) });
    expect(ae.encode()).toEqual(concat(nla(0xc001, [1, 2]), nla(2, [7], { len: 3 }), nla(3, [8], { len: 200 })));
  });

  it('attribute: an explicit length over 65535 fails at encode', () => {
    const ae = new AttributeEncoder().attribute({ type: 1, length: 0x10000, data: new Uint8Array(1) });
    expect(() => ae.encode()).toThrow(RangeError);
  });

  it('length() counts headers and padding', () => {
    const ae = new AttributeEncoder();
    expect(ae.length()).toBe(0);
    ae.uint8(1, 1); // 4 + 1 + 3
    expect(ae.length()).toBe(8);
    ae.string(2, 'abc'); // 4 + 4
    ae.uint64(3, 1n); // 4 + 8
    ae.flag(4); // 4
    ae.nested(5, (n) => n.uint16(1, 2)); // 4 + (4 + 2 + 2)
    expect(ae.length()).toBe(8 + 8 + 12 + 4 + 12);
    expect(ae.encode().length).toBe(44);
  });

  it.each([
    ['uint8', (ae: AttributeEncoder, t: number) => ae.uint8(t, 1)],
    ['uint64', (ae: AttributeEncoder, t: number) => ae.uint64(t, 1)],
    ['uint', (ae: AttributeEncoder, t: number) => ae.uint(t, 1)],
    ['string', (ae: AttributeEncoder, t: number) => ae.string(t, 'x')],
    ['bytes', (ae: AttributeEncoder, t: number) => ae.bytes(t, new Uint8Array(1))],
    ['flag', (ae: AttributeEncoder, t: number) => ae.flag(t)],
    ['nested', (ae: AttributeEncoder, t: number) => ae.nested(t, () => {})],
    ['attribute', (ae: AttributeEncoder, t: number) => ae.attribute({ type: t, data: new Uint8Array(0) })],
  ] as const)('%s: a type outside 0..65535 is a RangeError', (_name, add) => {
    for (const t of [-1, 0x10000, 1.5, NaN]) expect(() => add(new AttributeEncoder(), t)).toThrow(RangeError);
    expect(() => add(new AttributeEncoder(), 0xffff)).not.toThrow();
  });
});

describe('AttributeEncoder: nests', () => {
  it('nested sets NLA_F_NESTED and wraps the child encoding', () => {
    const bytes = new AttributeEncoder()
      .string(3, 'veth0')
      .nested(18, (li) => {
        li.string(1, 'veth');
        li.nested(2, (data) => data.nested(1, (peer) => peer.string(3, 'p')));
      })
      .encode();
    const peer = nla(1 | NLA_F_NESTED, nla(3, [0x70, 0]));
    const data = nla(2 | NLA_F_NESTED, peer);
    const linkinfo = nla(18 | NLA_F_NESTED, concat(nla(1, [...text('veth'), 0]), data));
    expect(bytes).toEqual(concat(nla(3, [...text('veth0'), 0]), linkinfo));
  });

  it('an empty nest is a 4-byte attribute', () => {
    expect(new AttributeEncoder().nested(9, () => {}).encode()).toEqual(nla(9 | NLA_F_NESTED, []));
  });

  it.each(['big', 'little', 'host'] as const)('nested encoders inherit byte order %s', (order) => {
    const bytes = new AttributeEncoder({ byteOrder: order })
      .nested(1, (n) => n.uint32(2, 0x01020304).nested(3, (m) => m.uint16(4, 0x0506)))
      .encode();
    const inner = nla(3 | NLA_F_NESTED, nla(4, ordered([5, 6], order)));
    expect(bytes).toEqual(nla(1 | NLA_F_NESTED, concat(nla(2, ordered([1, 2, 3, 4], order)), inner)));
  });

  it('a nest keeps a type that already has flags', () => {
    expect(new AttributeEncoder().nested(0x4001, () => {}).encode()).toEqual(nla(0xc001, []));
  });
});

describe('oversize data', () => {
  it('65531 bytes is the largest payload (nla_len 65535)', () => {
    const bytes = new AttributeEncoder().bytes(1, new Uint8Array(65531)).encode();
    expect(bytes.length).toBe(4 + 65532);
    expect([...bytes.subarray(0, 4)]).toEqual([...u16(65535), ...u16(1)]);
    const ad = decodeOne(bytes);
    expect(ad.length()).toBe(65535);
    expect(ad.bytes().length).toBe(65531);
  });

  it.each([
    ['bytes 65532', () => new AttributeEncoder().bytes(1, new Uint8Array(65532))],
    ['bytes 70000', () => new AttributeEncoder().bytes(1, new Uint8Array(70000))],
    ['string of 65531 chars (65532 with NUL)', () => new AttributeEncoder().string(1, 'x'.repeat(65531))],
    ['do returning 65532 bytes', () => new AttributeEncoder().do(1, () => new Uint8Array(65532))],
    ['a nest whose content exceeds 65531', () => new AttributeEncoder().nested(1, (n) => n.bytes(2, new Uint8Array(65528)))],
    ['marshalAttributes with 65532 bytes', () => marshalAttributes([{ type: 1, data: new Uint8Array(65532) }])],
    ['attribute() with 65532 bytes, at encode', () => new AttributeEncoder().attribute({ type: 1, data: new Uint8Array(65532) }).encode()],
  ])('%s is a RangeError', (_name, fn) => {
    expect(fn).toThrow(RangeError);
  });

  it('a string of 65530 chars fits exactly', () => {
    expect(new AttributeEncoder().string(1, 'x'.repeat(65530)).encode().length).toBe(4 + 65532);
  });

  it('a nest of 65528 bytes (the largest multiple of 4 that fits) is accepted', () => {
    // Nest content is always padded to 4, so 4 + 65524 = 65528 is the biggest that fits.
    expect(() => new AttributeEncoder().nested(1, (n) => n.bytes(2, new Uint8Array(65524))).encode()).not.toThrow();
  });
});

describe('marshalAttributes', () => {
  it('computes unpadded nla_len, pads with zeros, keeps raw types', () => {
    const out = marshalAttributes([
      { type: 1, data: Uint8Array.from([0xaa]) },
      { type: 0xffff, data: new Uint8Array(0) },
      { type: 2 | NLA_F_NESTED, data: Uint8Array.from([1, 2, 3, 4, 5]) },
      { type: 3, length: 0, data: Uint8Array.from([6, 7]) },
    ]);
    expect(out).toEqual(
      concat(
        u16(5), u16(1), [0xaa, 0, 0, 0],
        u16(4), u16(0xffff),
        u16(9), u16(0x8002), [1, 2, 3, 4, 5, 0, 0, 0],
        u16(6), u16(3), [6, 7, 0, 0],
      ),
    );
  });

  it('writes an explicit wrong length as given', () => {
    expect(marshalAttributes([{ type: 1, length: 2, data: Uint8Array.from([1, 2, 3, 4]) }])).toEqual(
      concat(u16(2), u16(1), [1, 2, 3, 4]),
    );
  });

  it.each([-1, 0x10000, 4.5])('an explicit length of %s is a RangeError', (length) => {
    expect(() => marshalAttributes([{ type: 1, length, data: new Uint8Array(0) }])).toThrow(RangeError);
  });

  it.each([-1, 0x10000])('type %s is a RangeError', (type) => {
    expect(() => marshalAttributes([{ type, data: new Uint8Array(0) }])).toThrow(RangeError);
  });

  it('an empty list is an empty buffer', () => {
    expect(marshalAttributes([])).toEqual(new Uint8Array(0));
  });
});

describe('AttributeDecoder: walking', () => {
  it('reports type, flags, length, offset, position, payload', () => {
    const buf = concat(nla(1, [0xaa]), nla(0x8002, nla(1, [1, 2, 3, 4])), nla(0x4003, [0, 0, 0, 9]));
    const ad = new AttributeDecoder(buf);
    const seen: unknown[] = [];
    while (ad.next()) {
      seen.push({
        type: ad.type(),
        flags: ad.typeFlags(),
        length: ad.length(),
        offset: ad.offset(),
        position: ad.position(),
        data: [...ad.bytes()],
        attr: { ...ad.attribute(), data: [...ad.attribute().data] },
      });
    }
    expect(ad.err()).toBeUndefined();
    expect(seen).toEqual([
      { type: 1, flags: 0, length: 5, offset: 0, position: 8, data: [0xaa], attr: { length: 5, type: 1, data: [0xaa] } },
      {
        type: 2,
        flags: 0x8000,
        length: 12,
        offset: 8,
        position: 20,
        data: [...nla(1, [1, 2, 3, 4])],
        attr: { length: 12, type: 0x8002, data: [...nla(1, [1, 2, 3, 4])] },
      },
      { type: 3, flags: 0x4000, length: 8, offset: 20, position: 28, data: [0, 0, 0, 9], attr: { length: 8, type: 0x4003, data: [0, 0, 0, 9] } },
    ]);
  });

  it('type 0xffff: type() masks to 0x3fff, typeFlags() gives both flags', () => {
    const ad = decodeOne(nla(0xffff, []));
    expect(ad.type()).toBe(0x3fff);
    expect(ad.typeFlags()).toBe(0xc000);
    expect(ad.attribute().type).toBe(0xffff);
  });

  it.each([
    [0x0000, 0, 0],
    [0x3fff, 0x3fff, 0],
    [0x4000, 0, 0x4000],
    [0x8000, 0, 0x8000],
    [0x8123, 0x123, 0x8000],
    [0x7fff, 0x3fff, 0x4000],
  ])('raw type %#x -> type %#x, flags %#x', (raw, type, flags) => {
    const ad = decodeOne(nla(raw, [1]));
    expect(ad.type()).toBe(type);
    expect(ad.typeFlags()).toBe(flags);
  });

  it('an empty buffer has no attributes and no error', () => {
    const ad = new AttributeDecoder(new Uint8Array(0));
    expect(ad.next()).toBe(false);
    expect(ad.err()).toBeUndefined();
    expect(ad.count()).toBe(0);
  });

  it('payload views alias the input', () => {
    const buf = nla(1, [1, 2, 3, 4]);
    const ad = decodeOne(buf);
    const b = ad.bytes();
    buf[4] = 0x55;
    expect(b[0]).toBe(0x55);
  });

  it('works on a view with a non-zero byteOffset and never reads the bytes after it', () => {
    const inner = concat(nla(1, ordered([0, 0, 0, 42], 'host')), nla(2, [7], { pad: false }));
    const big = new Uint8Array(inner.length + 16).fill(0xee);
    big.set(inner, 5);
    const ad = new AttributeDecoder(big.subarray(5, 5 + inner.length));
    expect(ad.next()).toBe(true);
    expect(ad.uint32()).toBe(42);
    expect(ad.next()).toBe(true);
    expect([...ad.bytes()]).toEqual([7]);
    expect(ad.uint8()).toBe(7);
    expect(ad.next()).toBe(false);
    expect(ad.err()).toBeUndefined();
  });

  it('a length that fits the underlying buffer but not the view is past the end', () => {
    const big = concat(nla(1, [1, 2, 3, 4]), [0, 0, 0, 0]);
    const ad = new AttributeDecoder(big.subarray(0, 6));
    expect(ad.next()).toBe(false);
    expect(ad.err()!.offset).toBe(0);
  });
});

describe('AttributeDecoder: framing follows the kernel (nla_ok)', () => {
  const good = nla(1, [1, 2, 3, 4]); // 8 bytes
  const cases: { name: string; buf: Uint8Array; before: number; offset: number; text: string }[] = [
    { name: 'nla_len 0 (the kernel stops; Go would skip it)', buf: concat(u16(0), u16(1)), before: 0, offset: 0, text: 'length 0 is shorter' },
    { name: 'nla_len 0 followed by more data', buf: concat(u16(0), u16(1), good), before: 0, offset: 0, text: 'length 0 is shorter' },
    { name: 'nla_len 1', buf: concat(u16(1), u16(1), [0, 0, 0, 0]), before: 0, offset: 0, text: 'length 1 is shorter' },
    { name: 'nla_len 2', buf: concat(u16(2), u16(1)), before: 0, offset: 0, text: 'length 2 is shorter' },
    { name: 'nla_len 3', buf: concat(u16(3), u16(1)), before: 0, offset: 0, text: 'length 3 is shorter' },
    { name: 'nla_len 0 after a good attribute', buf: concat(good, u16(0), u16(2)), before: 1, offset: 8, text: 'length 0 is shorter' },
    { name: 'nla_len 3 after two good attributes', buf: concat(good, good, u16(3), u16(2), [0, 0, 0, 0]), before: 2, offset: 16, text: 'length 3 is shorter' },
    { name: 'length past the end by one', buf: nla(1, [1, 2, 3, 4], { len: 9 }), before: 0, offset: 0, text: 'length 9 runs past the end (8 bytes left)' },
    { name: 'length past the end after a good one', buf: concat(good, nla(2, [1, 2, 3, 4], { len: 0xffff })), before: 1, offset: 8, text: 'runs past the end' },
    { name: '1 trailing byte', buf: concat(good, [9]), before: 1, offset: 8, text: '1 byte left over' },
    { name: '2 trailing bytes', buf: concat(good, [9, 9]), before: 1, offset: 8, text: '2 bytes left over' },
    { name: '3 trailing bytes', buf: concat(good, [9, 9, 9]), before: 1, offset: 8, text: '3 bytes left over' },
    { name: 'only 3 bytes', buf: Uint8Array.from([5, 0, 1]), before: 0, offset: 0, text: '3 bytes left over' },
    { name: 'trailing bytes after the padding of an unpadded-length attribute', buf: concat(nla(1, [1]), [9, 9]), before: 1, offset: 8, text: '2 bytes left over' },
  ];

  it.each(cases)('$name', ({ buf, before, offset, text }) => {
    const ad = new AttributeDecoder(buf);
    let n = 0;
    while (ad.next()) n++;
    expect(n).toBe(before);
    const err = ad.err();
    expect(err).toBeInstanceOf(DecodeError);
    expect(err!.offset).toBe(offset);
    expect(err!.message).toContain(`offset ${offset}`);
    expect(err!.message).toContain(text);
    // Sticky: next() keeps returning false with the same error.
    expect(ad.next()).toBe(false);
    expect(ad.err()).toBe(err);
    expect(ad.count()).toBe(before);
    // unmarshalAttributes throws the same problem.
    let thrown: unknown;
    try {
      unmarshalAttributes(buf);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DecodeError);
    expect((thrown as DecodeError).offset).toBe(offset);
  });

  it.each([
    { name: 'single unpadded attribute', buf: nla(1, [1, 2, 3, 4, 5], { pad: false }), want: [[1, [1, 2, 3, 4, 5]]] },
    { name: 'unpadded last of three', buf: concat(good, nla(2, []), nla(3, [7], { pad: false })), want: [[1, [1, 2, 3, 4]], [2, []], [3, [7]]] },
    { name: 'unpadded string as the last attribute', buf: nla(3, [...text('eth0'), 0], { pad: false }), want: [[3, [...text('eth0'), 0]]] },
  ])('accepts an unpadded last attribute: $name', ({ buf, want }) => {
    expect(buf.length % 4).not.toBe(0);
    const attrs = unmarshalAttributes(buf);
    expect(attrs.map((a) => [a.type, [...a.data]])).toEqual(want);
  });

  it('unmarshalAttributes gives raw types, exact lengths and payloads', () => {
    const attrs = unmarshalAttributes(concat(nla(0x8001, nla(2, [5])), nla(0xffff, []), nla(3, [1, 2, 3])));
    expect(attrs.map((a) => ({ ...a, data: [...a.data] }))).toEqual([
      { length: 12, type: 0x8001, data: [...nla(2, [5])] },
      { length: 4, type: 0xffff, data: [] },
      { length: 7, type: 3, data: [1, 2, 3] },
    ]);
    expect(unmarshalAttributes(new Uint8Array(0))).toEqual([]);
  });
});

describe('AttributeDecoder: getters', () => {
  const orders: ByteOrder[] = ['host', 'big', 'little'];
  for (const order of orders) {
    it.each(intCases)(`${order}: $method reads $value`, ({ method, value, be }) => {
      const ad = decodeOne(nla(1, ordered(be, order)), { byteOrder: order });
      expect(decodeInt(ad, method)).toBe(expectedDecoded(method, value));
      expect(ad.err()).toBeUndefined();
    });
  }

  it.each(intCases.filter((c) => c.be.length > 1))(
    'NLA_F_NET_BYTEORDER forces a big-endian read whatever byteOrder says: $method($value)',
    ({ method, value, be }) => {
      for (const order of orders) {
        const ad = decodeOne(nla(1 | NLA_F_NET_BYTEORDER, be), { byteOrder: order });
        expect(decodeInt(ad, method)).toBe(expectedDecoded(method, value));
        expect(ad.err()).toBeUndefined();
      }
    },
  );

  it('NLA_F_NET_BYTEORDER also applies to uint()/sint()', () => {
    const buf = concat(nla(1 | NLA_F_NET_BYTEORDER, [0, 0, 1, 2]), nla(2 | NLA_F_NET_BYTEORDER, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]));
    const ad = new AttributeDecoder(buf, { byteOrder: 'little' });
    ad.next();
    expect(ad.uint()).toBe(0x102n);
    ad.next();
    expect(ad.sint()).toBe(-2n);
    expect(ad.err()).toBeUndefined();
  });

  it('the same bytes read differently with byteOrder big and little (no flag)', () => {
    const buf = nla(1, [0x01, 0x02, 0x03, 0x04]);
    expect(decodeOne(buf, { byteOrder: 'big' }).uint32()).toBe(0x01020304);
    expect(decodeOne(buf, { byteOrder: 'little' }).uint32()).toBe(0x04030201);
    expect(decodeOne(buf).uint32()).toBe(LE ? 0x04030201 : 0x01020304);
  });

  const sizeCases: { getter: IntMethod | 'flag'; size: number; zero: unknown; kind: string }[] = [
    { getter: 'uint8', size: 1, zero: 0, kind: 'u8' },
    { getter: 'uint16', size: 2, zero: 0, kind: 'u16' },
    { getter: 'uint32', size: 4, zero: 0, kind: 'u32' },
    { getter: 'uint64', size: 8, zero: 0n, kind: 'u64' },
    { getter: 'int8', size: 1, zero: 0, kind: 's8' },
    { getter: 'int16', size: 2, zero: 0, kind: 's16' },
    { getter: 'int32', size: 4, zero: 0, kind: 's32' },
    { getter: 'int64', size: 8, zero: 0n, kind: 's64' },
    { getter: 'flag', size: 0, zero: false, kind: 'flag' },
  ];
  for (const { getter, size, zero, kind } of sizeCases) {
    const wrong = [0, 1, 2, 3, 4, 5, 7, 8, 9, 12].filter((n) => n !== size);
    it.each(wrong)(`${getter} of a %d-byte payload sets err() and returns ${String(zero)}`, (n) => {
      // Put a good attribute first so that the error offset is not 0.
      const buf = concat(nla(1, [1, 2, 3, 4]), nla(7, new Array<number>(n).fill(0xff)), nla(3, new Array<number>(size).fill(1)));
      const ad = new AttributeDecoder(buf, { baseOffset: 100 });
      ad.next();
      ad.next();
      const got = (ad[getter] as () => unknown)();
      expect(got).toBe(zero);
      const err = ad.err();
      expect(err).toBeInstanceOf(DecodeError);
      expect(err!.offset).toBe(108);
      expect(err!.message).toContain('offset 108');
      expect(err!.message).toContain(`attribute 7 is not a ${kind}; payload length ${n}`);
      // Sticky: iteration stops, and even a correctly sized getter gives a zero value.
      expect(ad.next()).toBe(false);
      expect(ad.err()).toBe(err);
    });
  }

  it('after an error, a right-sized getter returns zero and the first error is kept', () => {
    const buf = concat(nla(1, [1, 2]), nla(2, [0, 0, 0, 5]));
    const ad = new AttributeDecoder(buf);
    ad.next();
    expect(ad.uint32()).toBe(0);
    const first = ad.err();
    expect(first!.message).toContain('not a u32');
    expect(ad.uint16()).toBe(0); // right size, but the decoder has failed
    expect(ad.uint64()).toBe(0n);
    expect(ad.flag()).toBe(false);
    expect(ad.err()).toBe(first);
    expect(ad.next()).toBe(false);
  });

  it.each([
    { name: 'one trailing NUL', payload: [...text('eth0'), 0], want: 'eth0' },
    { name: 'several trailing NULs', payload: [...text('eth0'), 0, 0, 0], want: 'eth0' },
    { name: 'no NUL', payload: text('abc'), want: 'abc' },
    { name: 'embedded NUL kept', payload: [0x61, 0, 0x62, 0], want: 'a\0b' },
    { name: 'leading NUL kept', payload: [0, 0x61, 0], want: '\0a' },
    { name: 'only NULs', payload: [0, 0, 0], want: '' },
    { name: 'empty payload', payload: [], want: '' },
    { name: 'UTF-8', payload: [0xc3, 0xa9, 0], want: 'é' },
  ])('string(): $name', ({ payload, want }) => {
    const ad = decodeOne(nla(3, payload));
    expect(ad.string()).toBe(want);
    expect(ad.err()).toBeUndefined();
  });

  it('string() does not read the padding or the next attribute', () => {
    const buf = concat(nla(1, text('ab')), nla(2, text('cd')));
    buf[6] = 0x78; // a non-zero padding byte
    const ad = decodeOne(buf);
    expect(ad.string()).toBe('ab');
  });
});

describe('AttributeDecoder: offsets, nesting, do, count', () => {
  it('error offsets include baseOffset', () => {
    const ad = new AttributeDecoder(concat(nla(1, [1, 2, 3, 4]), u16(2), u16(1)), { baseOffset: 36 });
    expect(ad.next()).toBe(true);
    expect(ad.offset()).toBe(36);
    expect(ad.next()).toBe(false);
    expect(ad.err()!.offset).toBe(44);
    expect(ad.err()!.message).toMatch(/^malformed attribute at offset 44: attribute length 2 is shorter/);
  });

  it('nested(): child offsets count from the enclosing buffer, two levels deep', () => {
    // outer at 8: header 8..12; middle at 12: header 12..16; inner good at 16 (8 bytes), inner bad at 24.
    const inner = concat(nla(1, [0, 0, 0, 1]), u16(1), u16(2), [0, 0, 0, 0]);
    const middle = nla(0x8002, inner);
    const buf = concat(nla(1, [9, 9, 9, 9]), nla(0x8003, middle));
    const ad = new AttributeDecoder(buf, { baseOffset: 20 });
    const offsets: number[] = [];
    ad.next();
    offsets.push(ad.offset());
    ad.next();
    offsets.push(ad.offset());
    ad.nested((m) => {
      expect(m.next()).toBe(true);
      offsets.push(m.offset());
      m.nested((i) => {
        while (i.next()) offsets.push(i.offset());
        expect(i.err()!.offset).toBe(20 + 24);
      });
      expect(m.err()!.offset).toBe(44);
      expect(m.next()).toBe(false);
    });
    expect(offsets).toEqual([20, 28, 32, 36]);
    const err = ad.err();
    expect(err).toBeInstanceOf(DecodeError);
    expect(err!.offset).toBe(44);
    expect(err!.message).toContain('offset 44: attribute length 1 is shorter');
    expect(ad.next()).toBe(false);
  });

  it('nested(): a getter error in the child becomes the parent error', () => {
    const buf = concat(nla(0x8001, concat(nla(1, [1, 2]))), nla(2, [0, 0, 0, 0]));
    const ad = new AttributeDecoder(buf, { baseOffset: 4 });
    ad.next();
    ad.nested((n) => {
      n.next();
      expect(n.uint32()).toBe(0);
    });
    expect(ad.err()!.offset).toBe(4 + 4);
    expect(ad.err()!.message).toContain('not a u32');
    expect(ad.next()).toBe(false);
  });

  it('nested(): no error leaves the parent clean and iteration continues', () => {
    const buf = concat(nla(0x8001, concat(nla(1, [1]), nla(2, [2]))), nla(3, [3]));
    const ad = new AttributeDecoder(buf);
    const got: number[] = [];
    while (ad.next()) {
      if (ad.type() === 1) ad.nested((n) => { while (n.next()) got.push(n.uint8()); });
      else got.push(ad.uint8());
    }
    expect(ad.err()).toBeUndefined();
    expect(got).toEqual([1, 2, 3]);
  });

  it('nested(): NLA_F_NESTED is not required (the kernel does not always set it)', () => {
    const ad = decodeOne(nla(5, nla(1, [...text('x'), 0])));
    let s = '';
    ad.nested((n) => {
      n.next();
      s = n.string();
    });
    expect(s).toBe('x');
    expect(ad.err()).toBeUndefined();
  });

  it.each(['big', 'little'] as const)('nested(): the child inherits byteOrder %s', (order) => {
    const ad = decodeOne(nla(0x8001, nla(2, [0x01, 0x02])), { byteOrder: order });
    let v = -1;
    ad.nested((n) => {
      expect(n.byteOrder).toBe(order);
      n.next();
      v = n.uint16();
    });
    expect(v).toBe(order === 'big' ? 0x0102 : 0x0201);
  });

  it('nested(): does nothing after an error', () => {
    const ad = decodeOne(nla(0x8001, nla(2, [1])));
    ad.uint32(); // wrong size: error
    let called = false;
    ad.nested(() => (called = true));
    expect(called).toBe(false);
  });

  it('do(): fn sees the payload; returned or thrown errors become the decoder error', () => {
    const buf = concat(nla(1, [1, 2, 3]), nla(2, [4]));
    const seen: number[][] = [];
    const a = new AttributeDecoder(buf, { baseOffset: 10 });
    a.next();
    a.do((p) => void seen.push([...p]));
    expect(a.err()).toBeUndefined();
    a.next();
    a.do(() => new Error('bad thing'));
    expect(seen).toEqual([[1, 2, 3]]);
    expect(a.err()).toBeInstanceOf(DecodeError);
    expect(a.err()!.message).toBe('bad thing');
    expect(a.err()!.offset).toBe(18);
    expect(a.next()).toBe(false);

    const b = new AttributeDecoder(buf);
    b.next();
    b.do(() => {
      throw new TypeError('thrown');
    });
    expect(b.err()!.message).toBe('thrown');
    expect(b.err()!.offset).toBe(0);

    const c = new AttributeDecoder(buf);
    const mine = new DecodeError('mine', 77);
    c.next();
    c.do(() => mine);
    expect(c.err()).toBe(mine);

    let called = false;
    c.do(() => void (called = true));
    expect(called).toBe(false);
  });

  it('count(): every well-formed attribute from the start, without moving the iterator', () => {
    const buf = concat(nla(1, [1]), nla(2, []), nla(3, [1, 2, 3, 4, 5]), nla(4, [4]));
    const ad = new AttributeDecoder(buf);
    expect(ad.count()).toBe(4);
    ad.next();
    ad.next();
    expect(ad.count()).toBe(4);
    expect(ad.next()).toBe(true);
    expect(ad.type()).toBe(3);
    expect(ad.next()).toBe(true);
    expect(ad.type()).toBe(4);
    expect(ad.next()).toBe(false);
    // A malformed tail: only the ones before it are counted.
    expect(new AttributeDecoder(concat(nla(1, [1]), nla(2, [2]), [0, 0])).count()).toBe(2);
  });
});

describe('round trip: encoder → decoder', () => {
  const orders: ByteOrder[] = ['host', 'big', 'little'];
  for (const order of orders) {
    it(`every integer case and more, byte order ${order}`, () => {
      const ae = new AttributeEncoder({ byteOrder: order });
      intCases.forEach((c, i) => encodeInt(ae, c.method, i + 1, c.value));
      const extra: [IntMethod, number | bigint][] = [];
      for (let i = 0; i < 64; i++) {
        extra.push(['uint64', 1n << BigInt(i)]);
        extra.push(['int64', -(1n << BigInt(i))]);
        if (i < 32) extra.push(['uint32', 2 ** i], ['int32', -(2 ** i)]);
        if (i < 16) extra.push(['uint16', 2 ** i], ['int16', -(2 ** i)]);
        if (i < 8) extra.push(['uint8', 2 ** i], ['int8', -(2 ** i)]);
      }
      extra.forEach(([m, v], i) => encodeInt(ae, m, 1000 + i, v));
      ae.string(2000, 'hello, wörld');
      ae.flag(2001);
      ae.uint(2002, 2n ** 40n);
      ae.sint(2003, -7);
      ae.nested(2004, (n) => n.uint32(1, 0xcafef00d).nested(2, (m) => m.int16(3, -300)));

      const ad = new AttributeDecoder(ae.encode(), { byteOrder: order });
      const all = [...intCases.map((c) => [c.method, c.value] as const), ...extra];
      let i = 0;
      while (ad.next()) {
        const t = ad.type();
        if (t <= intCases.length) {
          const [m, v] = all[t - 1]!;
          expect(decodeInt(ad, m)).toBe(expectedDecoded(m, v));
        } else if (t >= 1000 && t < 2000) {
          const [m, v] = extra[t - 1000]!;
          expect(decodeInt(ad, m)).toBe(expectedDecoded(m, v));
        } else if (t === 2000) expect(ad.string()).toBe('hello, wörld');
        else if (t === 2001) expect(ad.flag()).toBe(true);
        else if (t === 2002) expect(ad.uint()).toBe(2n ** 40n);
        else if (t === 2003) expect(ad.sint()).toBe(-7n);
        else if (t === 2004) {
          expect(ad.typeFlags()).toBe(NLA_F_NESTED);
          ad.nested((n) => {
            n.next();
            expect(n.uint32()).toBe(0xcafef00d);
            n.next();
            n.nested((m) => {
              m.next();
              expect(m.int16()).toBe(-300);
            });
          });
        }
        i++;
      }
      expect(ad.err()).toBeUndefined();
      expect(i).toBe(all.length + 5);
    });
  }

  it('marshal → unmarshal keeps types (flags included) and payloads', () => {
    const attrs = [
      { type: 0, data: new Uint8Array(0) },
      { type: 1, data: Uint8Array.from([1]) },
      { type: 0x8002, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7]) },
      { type: 0xffff, data: new Uint8Array(300).fill(7) },
    ];
    const back = unmarshalAttributes(marshalAttributes(attrs));
    expect(back.map((a) => ({ type: a.type, length: a.length, data: [...a.data] }))).toEqual(
      attrs.map((a) => ({ type: a.type, length: 4 + a.data.length, data: [...a.data] })),
    );
  });
});
