// The schema features of issue 3 on hand-built bytes, with a small family of its own: arrays of
// structs, structs followed by their own attributes (the RTA_MULTIPATH shape), nested struct
// and char[N] fields, hex integers, `multi` attributes, index-keyed nest-arrays and `elements`
// sets. Each both ways: bytes → model → JSON → bytes, and what is malformed is annotated.
// Expected bytes are built with test/helpers/bytes.ts, never by the code under test.
import { describe, expect, it } from 'vitest';
import { decodeMessage, type DecodedMessage } from '../src/model/decode.js';
import { EncodeError, encodeAttrs, encodeMessage, type MessageInput } from '../src/model/encode.js';
import { attrsToObject, messageToObject, type JsonValue } from '../src/model/json.js';
import { createRenderer } from '../src/render/index.js';
import { concat, cstr, nla, s32, text, u16, u32 } from './helpers/bytes.js';
import { fam } from './helpers/feature-family.js';

const NESTED = 0x8000;

/** Decode `attrs` as an F_NEW message (hdr x = 0). */
function decodeAttrs(attrs: Uint8Array, type = 16, header: Uint8Array = u32(0)): DecodedMessage {
  const data = concat(header, attrs);
  return decodeMessage({ header: { length: 16 + data.length, type, flags: 0, sequence: 1, pid: 0 }, data }, { protocol: 99, family: fam });
}

/** JSON text and back, as a pipe carries it (bigints as digit strings). */
function viaJson<T>(o: T): T {
  return JSON.parse(JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as T;
}

/** The message's compact JSON encoded again: must be the same bytes. */
function expectRoundTrip(d: DecodedMessage, data: Uint8Array): void {
  expect(d.malformed).toEqual([]);
  const o = viaJson(messageToObject(d)) as unknown as MessageInput;
  expect(Buffer.from(encodeMessage(fam, o).data).toString('hex')).toBe(Buffer.from(data).toString('hex'));
}

const pair = (id: number, weight: number, flags: number, tag: number) => concat(u32(id), [weight, flags], u16(tag));
const hop = (len: number, flags: number, hops: number, ifindex: number) => concat(u16(len), [flags, hops], s32(ifindex));

describe('arrays of structs (arrayOf: <struct>)', () => {
  it('decode to an array of objects, one element or many, and encode back', () => {
    const one = nla(3, pair(1, 0, 0x80, 0));
    const d1 = decodeAttrs(one);
    expect(attrsToObject(d1.attrs)).toEqual({ pairs: [{ id: 1, weight: 0, flags: '0x80', tag: 0 }] });
    expectRoundTrip(d1, concat(u32(0), one));
    const two = nla(3, concat(pair(1, 0, 0, 0), pair(2, 2, 1, 7)));
    const d2 = decodeAttrs(two);
    expect(attrsToObject(d2.attrs).pairs).toEqual([
      { id: 1, weight: 0, flags: '0x0', tag: 0 },
      { id: 2, weight: 2, flags: '0x1', tag: 7 },
    ]);
    expectRoundTrip(d2, concat(u32(0), two));
    // An empty attribute is an empty array; two are an array of arrays, which repeats.
    expect(attrsToObject(decodeAttrs(nla(3)).attrs)).toEqual({ pairs: [] });
    const empties = decodeAttrs(concat(nla(3), nla(3)));
    expect(attrsToObject(empties.attrs)).toEqual({ pairs: [[], []] });
    expectRoundTrip(empties, concat(u32(0), nla(3), nla(3)));
    expect(encodeAttrs(fam, fam.sets.top, { pairs: [] })).toEqual(nla(3));
  });

  it('a length that is not a whole number of structs is malformed and shown as hex', () => {
    const d = decodeAttrs(nla(3, concat(pair(1, 0, 0, 0), [1, 2, 3])));
    expect(d.attrs[0]!.malformed).toBe('11 bytes is not a whole number of struct pair (8 bytes)');
    expect(d.malformed).toEqual(['F_PAIRS at offset 20: 11 bytes is not a whole number of struct pair (8 bytes)']);
    expect(attrsToObject(d.attrs).pairs).toBe('0100000000000000010203');
    // The hex encodes back to the same bytes.
    expect(encodeAttrs(fam, fam.sets.top, viaJson(attrsToObject(d.attrs)))).toEqual(nla(3, concat(pair(1, 0, 0, 0), [1, 2, 3])));
  });
});

describe('structs followed by attributes (elementAttrs, elementLength)', () => {
  // Two hops as the kernel writes RTA_MULTIPATH: struct, then attributes, len covering both.
  const gw1 = nla(12, [192, 0, 2, 2]);
  const gw2 = concat(nla(12, [198, 18, 0, 2]), nla(1, u32(1400)));
  const hops = concat(hop(8 + gw1.length, 0, 0, 3), gw1, hop(8 + gw2.length, 4, 1, 5), gw2);

  it('decode each element as its fields (not the length) and attrs; encode computes the length', () => {
    const d = decodeAttrs(nla(4, hops));
    expect(attrsToObject(d.attrs)).toEqual({
      hops: [
        { flags: [], hops: 0, ifindex: 3, attrs: { gw: '192.0.2.2' } },
        { flags: ['onlink'], hops: 1, ifindex: 5, attrs: { gw: '198.18.0.2', mtu: 1400 } },
      ],
    });
    expectRoundTrip(d, concat(u32(0), nla(4, hops)));
    // As a person writes it: the length left out (and ignored if given), attrs optional.
    const typed = encodeAttrs(fam, fam.sets.top, { hops: [{ ifindex: 3, attrs: { gw: '192.0.2.2' } }, { len: 999, ifindex: 7 }] });
    expect(typed).toEqual(nla(4, concat(hop(8 + gw1.length, 0, 0, 3), gw1, hop(8, 0, 0, 7))));
  });

  it('an element may itself hold such an array (the attribute set is the parent set)', () => {
    const innerHops = nla(4, concat(hop(8 + gw1.length, 0, 0, 9), gw1));
    const outer = nla(4, concat(hop(8 + innerHops.length, 0, 0, 1), innerHops));
    const d = decodeAttrs(outer);
    expect(attrsToObject(d.attrs)).toEqual({ hops: [{ flags: [], hops: 0, ifindex: 1, attrs: { hops: [{ flags: [], hops: 0, ifindex: 9, attrs: { gw: '192.0.2.2' } }] } }] });
    expectRoundTrip(d, concat(u32(0), outer));
  });

  it.each([
    ['a length shorter than the struct', concat(hop(4, 0, 0, 3), gw1), /^element 0: len 4 is shorter than struct hop$/],
    ['a length past the end', concat(hop(200, 0, 0, 3), gw1), /^element 0: len 200 is past the end \(16 bytes left\)$/],
    ['bytes after the last element', concat(hop(16, 0, 0, 3), gw1, [1, 2, 3, 4]), /^4 byte\(s\) after element 1, fewer than struct hop's 8$/],
    ['attributes that do not parse', concat(hop(16, 0, 0, 3), u16(40), u16(12), [1, 2, 3, 4]), /^element 0: attribute at offset \d+: length 40 runs past the end \(8 bytes left\)$/],
  ])('%s is malformed, the attribute shown as hex', (_what, payload, why) => {
    const d = decodeAttrs(nla(4, payload));
    const a = d.attrs[0]!;
    expect(a.malformed).toMatch(why);
    expect(d.malformed).toEqual([`F_HOPS at offset 20: ${a.malformed}`]);
    expect(attrsToObject(d.attrs).hops).toBe(Buffer.from(payload).toString('hex'));
    expect(encodeAttrs(fam, fam.sets.top, viaJson(attrsToObject(d.attrs)))).toEqual(nla(4, payload));
  });

  it('says what is wrong with an element it cannot encode', () => {
    expect(() => encodeAttrs(fam, fam.sets.top, { hops: [5] })).toThrow(/^hops\[0\]: expected an object of struct hop's fields and attrs$/);
    expect(() => encodeAttrs(fam, fam.sets.top, { hops: [{ attrs: { nosuch: 1 } }] })).toThrow(/^hops\[0\]\.attrs\.nosuch: unknown attribute in top$/);
  });
});

describe('nested struct and char[N] fields', () => {
  const outer = (name: Uint8Array, mark: number) => concat(name, [10, 0, 0, 1], [0x1f, 0x90, 0, 0], u32(mark), [2, 0, 0, 0]);

  it('decode as a nested object and text (trailing NULs dropped), and encode back', () => {
    const bytes = outer(concat(text('eth0'), new Uint8Array(4)), 0xff00);
    const d = decodeAttrs(nla(5, bytes));
    expect(attrsToObject(d.attrs)).toEqual({ outer: { name: 'eth0', in: { addr: '10.0.0.1', port: 8080 }, mark: '0xff00', kind: 'two' } });
    expectRoundTrip(d, concat(u32(0), nla(5, bytes)));
    // As a fixed header: enum raw numbers of nested fields by dotted path.
    const h = decodeAttrs(new Uint8Array(0), 17, bytes);
    expect(h.fixed!.fields).toEqual({ name: 'eth0', in: { addr: '10.0.0.1', port: 8080 }, mark: '0xff00', kind: 'two' });
    expect(h.fixed!.raw).toEqual({ kind: 2 });
    expectRoundTrip(h, bytes);
  });

  it('keep what follows an embedded NUL, and a full-length name with no NUL', () => {
    for (const name of [concat(text('ab'), [0], text('cd'), [0, 0, 0]), text('12345678')]) {
      const d = decodeAttrs(nla(5, outer(name, 0)));
      expect((attrsToObject(d.attrs).outer as Record<string, JsonValue>).name).toBe(Buffer.from(name).toString('utf8').replace(/\0+$/, ''));
      expectRoundTrip(d, concat(u32(0), nla(5, outer(name, 0))));
    }
  });

  it('a name that is not UTF-8 makes the attribute malformed (hex), the header annotated', () => {
    const bad = concat([0xff, 0xfe], new Uint8Array(6));
    const d = decodeAttrs(nla(5, outer(bad, 0)));
    expect(d.attrs[0]!.malformed).toBe('name: char[8] is not UTF-8');
    expect(attrsToObject(d.attrs).outer).toBe(Buffer.from(outer(bad, 0)).toString('hex'));
    expect(encodeAttrs(fam, fam.sets.top, viaJson(attrsToObject(d.attrs)))).toEqual(nla(5, outer(bad, 0)));
    const h = decodeAttrs(new Uint8Array(0), 17, outer(bad, 0));
    expect(h.fixed!.fields.name).toBe('fffe000000000000');
    expect(h.malformed).toEqual(['outer: name: char[8] is not UTF-8']);
  });

  it('a struct shorter than described shows the fields it has, annotated', () => {
    const d = decodeAttrs(nla(5, outer(text('eth0xxxx'), 1).subarray(0, 12)));
    // A nested struct the bytes do not cover whole is missing whole.
    expect(attrsToObject(d.attrs).outer).toEqual({ name: 'eth0xxxx' });
    expect(d.attrs[0]!.malformed).toBe("12 bytes, shorter than struct outer's 24 (missing in, mark, kind)");
    expect(d.malformed).toHaveLength(1);
  });

  it('the lossless form keeps what header cannot say: padding content (header_bytes)', () => {
    const bytes = outer(text('eth0\0\0\0\0'), 1);
    bytes[23] = 0xee; // in the trailing pad
    const d = decodeAttrs(new Uint8Array(0), 17, bytes);
    expect(d.malformed).toEqual([]);
    const o = viaJson(messageToObject(d, { lossless: true })) as unknown as Record<string, JsonValue>;
    expect(o.header_bytes).toBe(Buffer.from(bytes).toString('hex'));
    expect(encodeMessage(fam, o as unknown as MessageInput).data).toEqual(bytes);
    // The compact form writes pads as zeros.
    delete o.header_bytes;
    expect(encodeMessage(fam, o as unknown as MessageInput).data[23]).toBe(0);
  });

  it('refuses text that does not fit and values of the wrong kind', () => {
    expect(() => encodeAttrs(fam, fam.sets.top, { outer: { name: 'ninechars' } })).toThrow(/^outer\.name: "ninechars" is 9 bytes, more than char\[8\] holds$/);
    expect(() => encodeAttrs(fam, fam.sets.top, { outer: { name: 7 } })).toThrow(/^outer\.name: expected text, got number$/);
    expect(() => encodeAttrs(fam, fam.sets.top, { outer: { in: { port: 'x' } } })).toThrow(EncodeError);
    // Missing fields are zeros; nested ones too.
    expect(encodeAttrs(fam, fam.sets.top, { outer: { in: { port: 1 } } })).toEqual(nla(5, concat(new Uint8Array(12), [0, 1, 0, 0], new Uint8Array(8))));
  });
});

describe('hex integers (display: hex)', () => {
  it('show "0x…" and take it back, as well as plain numbers', () => {
    const d = decodeAttrs(nla(6, u32(0x7)));
    expect(attrsToObject(d.attrs)).toEqual({ mark: '0x7' });
    expect(d.attrs[0]!.raw).toBeUndefined();
    expectRoundTrip(d, concat(u32(0), nla(6, u32(7))));
    expect(encodeAttrs(fam, fam.sets.top, { mark: 7 })).toEqual(nla(6, u32(7)));
    expect(encodeAttrs(fam, fam.sets.top, { mark: '0xFFFFFFFF' })).toEqual(nla(6, u32(0xffffffff)));
    expect(() => encodeAttrs(fam, fam.sets.top, { mark: '0x100000000' })).toThrow(/does not fit in u32/);
  });
});

describe('multi attributes', () => {
  it('are arrays in JSON however many there are, and take one value or an array', () => {
    expect(attrsToObject(decodeAttrs(nla(7, cstr('a0'))).attrs)).toEqual({ alt: ['a0'] });
    const two = concat(nla(7, cstr('a0')), nla(7, cstr('a1')));
    const d = decodeAttrs(two);
    expect(attrsToObject(d.attrs)).toEqual({ alt: ['a0', 'a1'] });
    expectRoundTrip(d, concat(u32(0), two));
    expect(encodeAttrs(fam, fam.sets.top, { alt: 'a0' })).toEqual(nla(7, cstr('a0')));
    expect(encodeAttrs(fam, fam.sets.top, { alt: [] })).toEqual(new Uint8Array(0));
  });

  it('whose value is itself an array: an array of arrays repeats, a flat array is one attribute', () => {
    const d = decodeAttrs(nla(11, concat(u16(1), u16(2))));
    expect(attrsToObject(d.attrs)).toEqual({ words: [[1, 2]] });
    expectRoundTrip(d, concat(u32(0), nla(11, concat(u16(1), u16(2)))));
    expect(encodeAttrs(fam, fam.sets.top, { words: [[1], [2, 3]] })).toEqual(concat(nla(11, u16(1)), nla(11, concat(u16(2), u16(3)))));
    expect(encodeAttrs(fam, fam.sets.top, { words: [1, 2] })).toEqual(nla(11, concat(u16(1), u16(2))));
  });
});

describe('index-keyed members (indexKeyed nest-arrays, elements sets)', () => {
  const entry = (a: number) => nla(1, u32(a));

  it('an indexKeyed nest-array is an object keyed by index; a plain one an array', () => {
    const table = nla(8 | NESTED, concat(nla(3 | NESTED, entry(30)), nla(7 | NESTED, concat(entry(70), nla(2, cstr('x'))))));
    const list = nla(9 | NESTED, concat(nla(1 | NESTED, entry(1)), nla(2 | NESTED, entry(2))));
    const d = decodeAttrs(concat(table, list));
    expect(attrsToObject(d.attrs)).toEqual({ table: { 3: { a: 30 }, 7: { a: 70, b: 'x' } }, list: [{ a: 1 }, { a: 2 }] });
    expectRoundTrip(d, concat(u32(0), table, list));
  });

  it('a nest of an elements set, and an indexKeyed nest-array of one, are keyed at every level', () => {
    const tables = nla(10 | NESTED, concat(nla(5 | NESTED, entry(5)), nla(6 | NESTED, entry(6))));
    const grid = nla(13 | NESTED, nla(2 | NESTED, concat(nla(1 | NESTED, entry(21)), nla(4 | NESTED, entry(24)))));
    const d = decodeAttrs(concat(tables, grid));
    expect(d.attrs[0]!.indexKeyed).toBe(true);
    expect(attrsToObject(d.attrs)).toEqual({ tables: { 5: { a: 5 }, 6: { a: 6 } }, grid: { 2: { 1: { a: 21 }, 4: { a: 24 } } } });
    expectRoundTrip(d, concat(u32(0), tables, grid));
    // The text and table views name members by index, as JSON keys them.
    const record = { record: 'message' as const, decoded: d, bytes: new Uint8Array(0), direction: 'received' as const, extraHeaderSize: 4 };
    expect(createRenderer('text', {}).render(record)).toContain('tables={5={a=5} 6={a=6}} grid={2={1={a=21} 4={a=24}}}');
    expect(createRenderer('table', {}).render(record)).toMatch(/\n {4}\[5\] +nest +12\n {6}a +u32 +8 +5\n/);
  });

  it('a repeated index is an array under its key; keys come out in ascending order', () => {
    const table = nla(8 | NESTED, concat(nla(9 | NESTED, entry(1)), nla(2 | NESTED, entry(2)), nla(9 | NESTED, entry(3))));
    const o = attrsToObject(decodeAttrs(table).attrs);
    expect(o).toEqual({ table: { 2: { a: 2 }, 9: [{ a: 1 }, { a: 3 }] } });
    expect(Object.keys(o.table as object)).toEqual(['2', '9']);
    // Encoded in key order, the repeats together.
    expect(encodeAttrs(fam, fam.sets.top, o)).toEqual(nla(8 | NESTED, concat(nla(2 | NESTED, entry(2)), nla(9 | NESTED, entry(1)), nla(9 | NESTED, entry(3)))));
  });

  it('refuses keys that are not indexes', () => {
    expect(() => encodeAttrs(fam, fam.sets.top, { table: { a: {} } })).toThrow(/^table\.a: expected an index \(0 to 16383\)$/);
    expect(() => encodeAttrs(fam, fam.sets.top, { tables: { 16384: {} } })).toThrow(/^tables\.16384: expected an index/);
    expect(() => encodeAttrs(fam, fam.sets.top, { table: 5 })).toThrow(/^table: expected an object keyed by index$/);
    // An array repeats the attribute, as for any other.
    expect(encodeAttrs(fam, fam.sets.top, { table: [{ 1: {} }, {}] })).toEqual(concat(nla(8 | NESTED, nla(1 | NESTED)), nla(8 | NESTED)));
    // unknown_N, as older output printed members of an elements set, is taken too.
    expect(encodeAttrs(fam, fam.sets.top, { tables: { unknown_5: { a: 5 } } })).toEqual(nla(10 | NESTED, nla(5 | NESTED, entry(5))));
  });
});
