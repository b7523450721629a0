// src/render/mnl.ts against the real libmnl (the oracle in test/oracle/mnl_dump.c, which colours
// attribute headers like every released libmnl): the spec's vectors, random netlink-ish
// buffers, live kernel replies, and robustness. Requires libmnl-dev; without it these tests fail
// with instructions instead of skipping.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMnl, mnlExtraHeaderWords, walkMnl, type MnlLineKind, type MnlMessageHeader } from '../src/render/mnl.js';
import { LE, concat, nla, nlmsg, pad4, text, u16, u32 } from './helpers/bytes.js';
import { ORACLE_UNDEFINED, runOracle, stripAnsi, type OracleCase } from './helpers/oracle.js';

// ---------------------------------------------------------------------------------------------
// Building messages in host byte order (what libmnl reads): builders in helpers/bytes.ts.

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

const NESTED = 0x8000;
const BYTEORDER = 0x4000;

function hex(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
}

// ---------------------------------------------------------------------------------------------
// Comparing with the oracle.

interface NamedCase extends OracleCase {
  name: string;
}

/** formatMnl's colour and plain output must equal libmnl's output and its ANSI-stripped form. */
function expectSameAsLibmnl(cases: readonly NamedCase[]): void {
  const outputs = runOracle(cases);
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const oracle = outputs[i]!;
    if (oracle === ORACLE_UNDEFINED) {
      failures.push(`${c.name}: libmnl's behaviour is undefined for this case`);
      return;
    }
    const colour = formatMnl(c.bytes, { extraHeaderSize: c.ehs, color: true });
    const plain = formatMnl(c.bytes, { extraHeaderSize: c.ehs });
    if (colour !== oracle) failures.push(describeDiff(c, 'colour', colour, oracle));
    else if (plain !== stripAnsi(oracle)) failures.push(describeDiff(c, 'plain', plain, stripAnsi(oracle)));
  });
  expect(failures.slice(0, 5), `${failures.length} of ${cases.length} cases differ from libmnl`).toEqual([]);
}

function describeDiff(c: NamedCase, form: string, ours: string, theirs: string): string {
  const a = ours.split('\n');
  const b = theirs.split('\n');
  let line = 0;
  while (line < a.length && a[line] === b[line]) line++;
  return (
    `${c.name} (${form}, ehs ${c.ehs}, hex ${Buffer.from(c.bytes).toString('hex')}): first difference at ` +
    `line ${line + 1}\n  ours:   ${JSON.stringify(a[line])}\n  libmnl: ${JSON.stringify(b[line])}`
  );
}

/** libmnl's message walk, replayed: where the dump would hit an nlmsg_len >= 2^31, if anywhere. */
function undefinedAt(buf: Uint8Array): number | undefined {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let start = 0;
  let rem = buf.length;
  while (rem >= 16) {
    const len = view.getUint32(start, LE);
    if (len >= 2 ** 31) return start;
    if (len < 16 || len > rem) return undefined;
    start += (len + 3) & ~3;
    rem -= (len + 3) & ~3;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// 1. The spec's vectors (research/tools-survey.md §a.5, §a.6).

/** §a.5 worked example, little-endian as printed in the spec. */
const WORKED_EXAMPLE_HEX =
  '440000001000050600f1536500000000000000000000000001000000010000000900030064756d300000000008000400' +
  '78050000100012800a00010064756d6d790000003c0000000200000300f1536592100000efffffff4400000010000506' +
  '00f15365000000001000010046696c6520657869737473000800020024000000';

/** §a.5 RTM_NEWROUTE request captured with strace, little-endian. */
const NEWROUTE_HEX =
  '2c00000018000506dd33046b0000000002180000fe0300010000000008000100c6336400080005000a000001';

const genlGetFamily = (): Uint8Array =>
  nlmsg({ type: 0x10, flags: 0x5, seq: 1234 }, concat(bytes(3, 2, 0, 0), nla(2, text('nlctrl\0'))));

const specVectors: NamedCase[] = [
  { name: 'genl-getfamily-ehs0', ehs: 0, bytes: genlGetFamily() },
  { name: 'genl-getfamily-ehs4', ehs: 4, bytes: genlGetFamily() },
  {
    name: 'rtgenmsg-ehs1-underflow',
    ehs: 1,
    bytes: nlmsg({ type: 18, flags: 0x301, seq: 7 }, concat(bytes(17, 0, 0, 0), nla(29, u32(1)))),
  },
  {
    name: 'type0-attribute-misparse',
    ehs: 0,
    bytes: nlmsg({ type: 16 }, concat(nla(0, text('ABCD')), nla(3, text('eth0\0')), nla(4, u32(1500)))),
  },
  {
    name: 'nested-array-index0',
    ehs: 0,
    bytes: nlmsg(
      { type: 16 },
      nla(5 | NESTED, concat(nla(0 | NESTED, nla(1, u32(10))), nla(1 | NESTED, nla(1, u32(11))))),
    ),
  },
  {
    name: 'nla-len-0-stall',
    ehs: 0,
    bytes: nlmsg({ type: 16 }, concat(nla(2, new Uint8Array(0), { len: 0 }), nla(3, text('lo\0')), nla(4, u32(65536)))),
  },
  {
    name: 'nla-len-3',
    ehs: 0,
    bytes: nlmsg({ type: 16 }, concat(nla(1, bytes(0xaa, 0xbb, 0xcc, 0xdd), { len: 3 }).subarray(0, 4), nla(4, u32(9000)))),
  },
  {
    name: 'nlmsg-len-not-aligned',
    ehs: 0,
    bytes: nlmsg({ type: 16, len: 21 }, concat(nla(1, bytes(0x61)).subarray(0, 5), bytes(0x78, 0x79, 0x7a))),
  },
  {
    name: 'nlmsg-len-not-aligned-unpadded-end (nlctl: 0x00 past the buffer)',
    ehs: 0,
    bytes: nlmsg({ type: 16 }, nla(1, bytes(0x61)).subarray(0, 5), false),
  },
  {
    name: 'second-message-truncated',
    ehs: 0,
    bytes: concat(nlmsg({ type: 16, seq: 1 }), nlmsg({ type: 16, seq: 2, len: 32 })),
  },
  { name: 'nlmsg-done-ehs4', ehs: 4, bytes: nlmsg({ type: 3, flags: 0x2, seq: 9, pid: 77 }, u32(0)) },
  {
    name: 'ascii-column-and-byteorder-flag',
    ehs: 0,
    bytes: nlmsg({ type: 16 }, nla(1 | BYTEORDER, bytes(0x20, 0x7e, 0x7f, 0x80))),
  },
  {
    name: 'nested-and-byteorder-flags',
    ehs: 0,
    bytes: nlmsg({ type: 16 }, nla(1 | NESTED | BYTEORDER, nla(2, u32(0x01020304)))),
  },
  {
    name: 'message-shorter-than-extra-header',
    ehs: 16,
    bytes: nlmsg({ type: 16, flags: 0x1 }, bytes(1, 2, 3, 4, 5, 6, 7, 8)),
  },
  { name: 'empty-payload', ehs: 0, bytes: nlmsg({ type: 16, flags: 0xf, seq: 4294967295, pid: 4294967295 }) },
  { name: 'datalen-below-16', ehs: 0, bytes: nlmsg({ type: 16 }).subarray(0, 15) },
  { name: 'datalen-0', ehs: 0, bytes: new Uint8Array(0) },
  {
    name: 'dump-two-messages',
    ehs: 8,
    bytes: concat(
      nlmsg(
        { type: 20, flags: 0x2, seq: 1700000000, pid: 4242 },
        concat(
          bytes(2, 8, 0x80, 0xfe, 1, 0, 0, 0),
          nla(1, bytes(127, 0, 0, 1)),
          nla(2, bytes(127, 0, 0, 1)),
          nla(3, text('lo\0')),
          nla(8, u32(0x80)),
        ),
      ),
      nlmsg({ type: 3, flags: 0x2, seq: 1700000000, pid: 4242 }, u32(0)),
    ),
  },
  // More corners of the same rules.
  {
    name: 'ehs-6-runs-away',
    ehs: 6,
    bytes: nlmsg({ type: 16 }, concat(bytes(1, 2, 3, 4, 5, 6, 0, 0), nla(3, text('x\0')))),
  },
  {
    name: 'nla-len-4-flag-attribute-then-header',
    ehs: 0,
    bytes: nlmsg({ type: 16 }, concat(nla(7), nla(8, u32(1)))),
  },
  {
    name: 'nla-len-65535',
    ehs: 0,
    bytes: nlmsg({ type: 16 }, concat(nla(1, new Uint8Array(0), { len: 65535 }), u32(0x41424344), nla(2, u32(1)))),
  },
  {
    name: 'nlmsg-len-below-16-stops',
    ehs: 0,
    bytes: concat(nlmsg({ type: 16 }), nlmsg({ type: 16, len: 15 }, u32(1)), nlmsg({ type: 16 })),
  },
  {
    name: 'nlmsg-len-shorter-than-data',
    ehs: 0,
    bytes: concat(nlmsg({ type: 20, len: 20 }, concat(nla(1, u32(5)))).subarray(0, 24), nlmsg({ type: 3 }, u32(0))),
  },
  {
    name: 'all-printable-and-high-bytes',
    ehs: 0,
    bytes: nlmsg({ type: 16 }, nla(1, Uint8Array.from({ length: 256 }, (_, i) => i))),
  },
  {
    name: 'extack-error-message',
    ehs: 16,
    bytes: nlmsg(
      { type: 2, flags: 0x300, seq: 5, pid: 6 },
      concat(u32(-22 >>> 0), nlmsg({ type: 18, flags: 0x5, seq: 5 }), nla(1, text('bad name\0')), nla(2, u32(36))),
    ),
  },
  {
    name: 'large-type-and-flags',
    ehs: 4,
    bytes: nlmsg({ type: 65535, flags: 0xfff0, seq: 1, pid: 2 }, concat(u32(0xffffffff), nla(0x3fff, u32(1)))),
  },
];
if (LE) {
  specVectors.push(
    { name: 'worked-example (§a.5)', ehs: 16, bytes: hex(WORKED_EXAMPLE_HEX) },
    { name: 'rtm-newroute-request (§a.5)', ehs: 12, bytes: hex(NEWROUTE_HEX) },
  );
}

const T = '\t';
const SEP = `----------------${T}------------------`;

/** §a.5's plain output, line by line. */
const WORKED_EXAMPLE_PLAIN = [
  SEP,
  `|  0000000068  |${T}| message length |`,
  `| 00016 | R-A- |${T}|  type | flags  |`,
  `|  1700000000  |${T}| sequence number|`,
  `|  0000000000  |${T}|     port ID    |`,
  SEP,
  `| 00 00 00 00  |${T}|  extra header  |`,
  `| 00 00 00 00  |${T}|  extra header  |`,
  `| 01 00 00 00  |${T}|  extra header  |`,
  `| 01 00 00 00  |${T}|  extra header  |`,
  `|00009|--|00003|${T}|len |flags| type|`,
  `| 64 75 6d 30  |${T}|      data      |${T} d u m 0`,
  `| 00 00 00 00  |${T}|      data      |${T}        `,
  `|00008|--|00004|${T}|len |flags| type|`,
  `| 78 05 00 00  |${T}|      data      |${T} x      `,
  `|00016|N-|00018|${T}|len |flags| type|`,
  `|00010|--|00001|${T}|len |flags| type|`,
  `| 64 75 6d 6d  |${T}|      data      |${T} d u m m`,
  `| 79 00 00 00  |${T}|      data      |${T} y      `,
  SEP,
  SEP,
  `|  0000000060  |${T}| message length |`,
  `| 00002 | ---- |${T}|  type | flags  |`,
  `|  1700000000  |${T}| sequence number|`,
  `|  0000004242  |${T}|     port ID    |`,
  SEP,
  `| ef ff ff ff  |${T}|                |`,
  `| 44 00 00 00  |${T}|                |`,
  `| 10 00 05 06  |${T}|                |`,
  `| 00 f1 53 65  |${T}|                |`,
  `| 00 00 00 00  |${T}|                |`,
  `| 10 00 01 00  |${T}|                |`,
  `| 46 69 6c 65  |${T}|                |`,
  `| 20 65 78 69  |${T}|                |`,
  `| 73 74 73 00  |${T}|                |`,
  `| 08 00 02 00  |${T}|                |`,
  `| 24 00 00 00  |${T}|                |`,
  SEP,
];

describe('libmnl format: spec vectors', () => {
  it('matches libmnl on every vector of §a.5 and §a.6, coloured and plain', () => {
    expectSameAsLibmnl(specVectors);
  });

  it.each(specVectors)('$name does not depend on the batch it runs in', (c) => {
    expectSameAsLibmnl([c]);
  });

  it('prints the §a.5 worked example exactly (plain form)', () => {
    const out = formatMnl(hex(WORKED_EXAMPLE_HEX), { extraHeaderSize: 16, byteOrder: 'LE' });
    expect(out).toBe(WORKED_EXAMPLE_PLAIN.join('\n') + '\n');
  });

  it('prints the §a.5 worked example exactly (colour form: 38 lines, 1545 bytes)', () => {
    const out = formatMnl(hex(WORKED_EXAMPLE_HEX), { extraHeaderSize: 16, byteOrder: 'LE', color: true });
    expect(out.split('\n')).toHaveLength(39); // 38 lines + the empty string after the last \n
    expect(Buffer.byteLength(out)).toBe(1545);
    expect(out.split('\n')[10]).toBe(
      `|\x1b[1;31m00009\x1b[0m|\x1b[1;32m--\x1b[0m|\x1b[1;34m00003\x1b[0m|${T}|len |flags| type|`,
    );
    expect(stripAnsi(out)).toBe(WORKED_EXAMPLE_PLAIN.join('\n') + '\n');
  });

  it('prints the §a.5 RTM_NEWROUTE request with its rtmsg as 3 extra-header words', () => {
    const lines = formatMnl(hex(NEWROUTE_HEX), { extraHeaderSize: 12, byteOrder: 'LE' }).split('\n');
    expect(lines.slice(6, 14)).toEqual([
      `| 02 18 00 00  |${T}|  extra header  |`,
      `| fe 03 00 01  |${T}|  extra header  |`,
      `| 00 00 00 00  |${T}|  extra header  |`,
      `|00008|--|00001|${T}|len |flags| type|`,
      `| c6 33 64 00  |${T}|      data      |${T}   3 d  `,
      `|00008|--|00005|${T}|len |flags| type|`,
      `| 0a 00 00 01  |${T}|      data      |${T}        `,
      SEP,
    ]);
  });

  it('documents the quirks with exact lines', () => {
    const find = (name: string): string[] => {
      const c = specVectors.find((v) => v.name === name)!;
      return formatMnl(c.bytes, { extraHeaderSize: c.ehs }).split('\n');
    };
    // A type-0 attribute vanishes and its payload "ABCD" is read as a header.
    expect(find('type0-attribute-misparse')[6]).toBe(`|16961|-B|01091|${T}|len |flags| type|`);
    // 0x20 prints as a space, 0x7e as '~', 0x7f and 0x80 as spaces.
    expect(find('ascii-column-and-byteorder-flag').slice(6, 8)).toEqual([
      `|00008|-B|00001|${T}|len |flags| type|`,
      `| 20 7e 7f 80  |${T}|      data      |${T}   ~    `,
    ]);
    // nla_len 0: the header prints, then nothing until the closing separator.
    expect(find('nla-len-0-stall').slice(6)).toEqual([`|00000|--|00002|${T}|len |flags| type|`, SEP, '']);
    // Element 0 of a nested array disappears; element 1 shows.
    expect(find('nested-array-index0').slice(6, 11)).toEqual([
      `|00028|N-|00005|${T}|len |flags| type|`,
      `|00008|--|00001|${T}|len |flags| type|`,
      `| 0a 00 00 00  |${T}|      data      |${T}        `,
      `|00012|N-|00001|${T}|len |flags| type|`,
      `|00008|--|00001|${T}|len |flags| type|`,
    ]);
    // Control messages ignore the extra header size.
    expect(find('nlmsg-done-ehs4')[6]).toBe(`| 00 00 00 00  |${T}|                |`);
    // Fewer than 16 bytes: nothing at all.
    expect(find('datalen-below-16')).toEqual(['']);
  });
});

// ---------------------------------------------------------------------------------------------
// API details: walkMnl, the extra-header function, byte order.

describe('libmnl format: API', () => {
  it('walkMnl reports each line with its kind and byte offset', () => {
    const seen: Array<[MnlLineKind, number]> = [];
    walkMnl(hex(WORKED_EXAMPLE_HEX), { extraHeaderSize: 16, byteOrder: 'LE' }, (kind, offset) => {
      seen.push([kind, offset]);
    });
    expect(seen.slice(0, 12)).toEqual([
      ['separator', 0],
      ['header', 0],
      ['header', 4],
      ['header', 8],
      ['header', 12],
      ['separator', 0],
      ['extra', 16],
      ['extra', 20],
      ['extra', 24],
      ['extra', 28],
      ['attr', 32],
      ['data', 36],
    ]);
    expect(seen.filter(([k]) => k === 'control').map(([, o]) => o)).toEqual(
      Array.from({ length: 11 }, (_, i) => 68 + 16 + 4 * i),
    );
    expect(seen.at(-1)).toEqual(['separator', 68]);
  });

  it('asks an extraHeaderSize function once per non-control message, with header and payload', () => {
    const buf = hex(WORKED_EXAMPLE_HEX);
    const calls: Array<[MnlMessageHeader, string]> = [];
    const out = formatMnl(buf, {
      byteOrder: 'LE',
      extraHeaderSize: (h, payload) => {
        calls.push([h, Buffer.from(payload).toString('hex')]);
        return 16;
      },
    });
    expect(out).toBe(formatMnl(buf, { extraHeaderSize: 16, byteOrder: 'LE' }));
    expect(calls).toEqual([
      [{ length: 68, type: 16, flags: 0x605, sequence: 1700000000, pid: 0 }, WORKED_EXAMPLE_HEX.slice(32, 136)],
    ]);
  });

  it('picks the extra header size per message type (rtnetlink), matching libmnl per message', () => {
    const link = nlmsg({ type: 16, flags: 2 }, concat(new Uint8Array(16), nla(3, text('lo\0'))));
    const addr = nlmsg({ type: 20, flags: 2 }, concat(bytes(2, 8, 0, 0, 1, 0, 0, 0), nla(1, bytes(127, 0, 0, 1))));
    const route = nlmsg({ type: 24, flags: 2 }, concat(bytes(2, 8, 0, 0, 254, 2, 0, 1, 0, 0, 0, 0), nla(1, bytes(127, 0, 0, 0))));
    const done = nlmsg({ type: 3, flags: 2 }, u32(0));
    const ehsByType: Record<number, number> = { 16: 16, 20: 8, 24: 12 };
    const out = formatMnl(concat(link, addr, route, done), {
      extraHeaderSize: (h) => ehsByType[h.type] ?? 0,
    });
    const oracle = runOracle([
      { ehs: 16, bytes: link },
      { ehs: 8, bytes: addr },
      { ehs: 12, bytes: route },
      { ehs: 0, bytes: done },
    ]);
    expect(out).toBe(stripAnsi(oracle.join('')));
  });

  it('follows size_t arithmetic for odd, negative and unusual extra header sizes', () => {
    expect([0, 4, 16, 1, 2, 3, 6, -1, -4, NaN, Infinity, 7.9, 8.5].map(mnlExtraHeaderWords)).toEqual([
      0, 1, 4, Infinity, Infinity, Infinity, Infinity, Infinity, Infinity, 0, Infinity, Infinity, 2,
    ]);
  });

  it('reads fields in the requested byte order (host order by default)', () => {
    const le = hex('14000000 1000 0100 01000000 02000000 08000300 41424344');
    const be = hex('00000014 0010 0001 00000001 00000002 00080003 41424344');
    const fromLE = formatMnl(le, { byteOrder: 'LE' });
    expect(formatMnl(be, { byteOrder: 'BE' })).toBe(fromLE);
    expect(formatMnl(LE ? le : be)).toBe(fromLE);
    expect(fromLE).toContain(`|00008|--|00003|${T}|len |flags| type|`);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Random netlink-ish buffers against libmnl.

interface AttrSpec {
  type: number;
  nested: boolean;
  byteorder: boolean;
  /** How nla_len is written: the real length, 0, 1..3, or anything. */
  lenMode: 'exact' | 'zero' | 'small' | 'any';
  odd: number;
  padded: boolean;
  body: Uint8Array | AttrSpec[];
}

const attrType = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 8 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x3fff }) },
);

const { attr: attrArb } = fc.letrec<{ attr: AttrSpec; attrs: AttrSpec[] }>((tie) => ({
  attr: fc.record({
    type: attrType,
    nested: fc.boolean(),
    byteorder: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    lenMode: fc.constantFrom<AttrSpec['lenMode']>('exact', 'exact', 'exact', 'exact', 'exact', 'zero', 'small', 'any'),
    odd: fc.integer({ min: 0, max: 65535 }),
    padded: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    body: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'attrs', withCrossShrink: true },
      fc.uint8Array({ maxLength: 12 }),
      tie('attrs') as fc.Arbitrary<AttrSpec[]>,
    ),
  }),
  attrs: fc.array(tie('attr') as fc.Arbitrary<AttrSpec>, { maxLength: 3, depthIdentifier: 'attrs' }),
}));

function encodeAttr(a: AttrSpec): Uint8Array {
  const payload = a.body instanceof Uint8Array ? a.body : concat(...a.body.map(encodeAttr));
  const len =
    a.lenMode === 'exact' ? 4 + payload.length : a.lenMode === 'zero' ? 0 : a.lenMode === 'small' ? 1 + (a.odd % 3) : a.odd;
  const type = a.type | (a.nested ? NESTED : 0) | (a.byteorder ? BYTEORDER : 0);
  const raw = concat(u16(len), u16(type), payload);
  return a.padded ? pad4(raw) : raw;
}

interface MessageSpec {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  extra: Uint8Array;
  attrs: AttrSpec[];
  junk: Uint8Array;
  lenMode: 'exact' | 'delta' | 'short' | 'any' | 'huge';
  delta: number;
  anyLen: number;
  padded: boolean;
}

const u32Arb = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((x) => x >>> 0);

const messageArb: fc.Arbitrary<MessageSpec> = fc.record({
  type: fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }, // control messages
    { weight: 4, arbitrary: fc.integer({ min: 16, max: 30 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) },
  ),
  flags: fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 65535 })),
  seq: fc.oneof(fc.constant(0), u32Arb),
  pid: fc.oneof(fc.constant(0), u32Arb),
  extra: fc.uint8Array({ maxLength: 24 }),
  attrs: fc.array(attrArb, { maxLength: 5 }),
  junk: fc.oneof({ weight: 4, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 9 }) }),
  lenMode: fc.oneof(
    { weight: 12, arbitrary: fc.constant<MessageSpec['lenMode']>('exact') },
    { weight: 3, arbitrary: fc.constantFrom<MessageSpec['lenMode']>('delta', 'short', 'any') },
    { weight: 1, arbitrary: fc.constant<MessageSpec['lenMode']>('huge') },
  ),
  delta: fc.integer({ min: -9, max: 9 }),
  anyLen: fc.nat({ max: 0x7fffffff }),
  padded: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});

function encodeMessage(m: MessageSpec): Uint8Array {
  const payload = concat(m.extra, ...m.attrs.map(encodeAttr), m.junk);
  const exact = 16 + payload.length;
  const len = {
    exact,
    delta: Math.max(0, exact + m.delta),
    short: m.anyLen % 17,
    any: m.anyLen % 512,
    huge: 0x80000000 + m.anyLen,
  }[m.lenMode];
  return nlmsg({ type: m.type, flags: m.flags, seq: m.seq, pid: m.pid, len }, payload, m.padded);
}

const caseArb: fc.Arbitrary<OracleCase> = fc
  .record({
    messages: fc.array(messageArb, { minLength: 1, maxLength: 4 }),
    ehs: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(0, 4, 8, 12, 16, 20, 24) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 24 }) },
    ),
    tail: fc.oneof(
      { weight: 4, arbitrary: fc.constant<{ cut: number; junk: Uint8Array }>({ cut: -1, junk: new Uint8Array(0) }) },
      { weight: 1, arbitrary: fc.record({ cut: fc.nat({ max: 400 }), junk: fc.constant(new Uint8Array(0)) }) },
      { weight: 1, arbitrary: fc.record({ cut: fc.constant(-1), junk: fc.uint8Array({ minLength: 1, maxLength: 24 }) }) },
    ),
  })
  .map(({ messages, ehs, tail }) => {
    let buf = concat(...messages.map(encodeMessage), tail.junk);
    if (tail.cut >= 0) buf = buf.subarray(0, tail.cut % (buf.length + 1));
    return { ehs, bytes: buf };
  });

/** One case against libmnl; a libmnl-undefined case is checked against its defined prefix. */
function compareCases(cases: readonly OracleCase[]): string[] {
  const oracleInputs = cases.map((c) => {
    const stop = undefinedAt(c.bytes);
    return stop === undefined ? c : { ehs: c.ehs, bytes: c.bytes.subarray(0, stop) };
  });
  const outputs = runOracle(oracleInputs);
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const named = { ...c, name: `case ${i}` };
    const oracle = outputs[i]!;
    const colour = formatMnl(c.bytes, { extraHeaderSize: c.ehs, color: true });
    const plain = formatMnl(c.bytes, { extraHeaderSize: c.ehs });
    if (oracle === ORACLE_UNDEFINED) failures.push(`case ${i}: oracle says undefined after trimming`);
    else if (colour !== oracle) failures.push(describeDiff(named, 'colour', colour, oracle));
    else if (plain !== stripAnsi(oracle)) failures.push(describeDiff(named, 'plain', plain, stripAnsi(oracle)));
  });
  return failures;
}

describe('libmnl format: random buffers (fast-check)', () => {
  const BATCHES = 4;
  const PER_BATCH = 2500;

  it.each(Array.from({ length: BATCHES }, (_, i) => i))(
    `batch %i: ${PER_BATCH} random buffers render exactly as libmnl`,
    (batch) => {
      const seed = (Date.now() ^ (batch * 0x9e3779b9)) | 0;
      const cases = fc.sample(caseArb, { numRuns: PER_BATCH, seed });
      const undefinedCount = cases.filter((c) => undefinedAt(c.bytes) !== undefined).length;
      expect(undefinedCount).toBeLessThan(PER_BATCH / 4); // the generator mostly stays defined
      const failures = compareCases(cases);
      if (failures.length > 0) {
        // Re-run the same seed one case at a time so that fast-check shrinks the failure.
        fc.assert(
          fc.property(caseArb, (c) => {
            expect(compareCases([c])).toEqual([]);
          }),
          { seed, numRuns: PER_BATCH },
        );
      }
      expect(failures.slice(0, 3), `seed ${seed}: ${failures.length} failures`).toEqual([]);
    },
    60_000,
  );

  it('stops at a message with nlmsg_len >= 2^31 (where libmnl reads out of bounds)', () => {
    const first = nlmsg({ type: 16 }, nla(1, u32(1)));
    const huge = nlmsg({ type: 16, len: 0x80000000 }, nla(1, u32(2)));
    const max = nlmsg({ type: 16, len: 0xffffffff }, nla(1, u32(2)));
    expect(formatMnl(concat(first, huge))).toBe(formatMnl(first));
    expect(formatMnl(concat(first, max, first))).toBe(formatMnl(first));
    expect(formatMnl(huge)).toBe('');
    expect(runOracle([{ ehs: 0, bytes: concat(first, huge) }])).toEqual([ORACLE_UNDEFINED]);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Real kernel replies, captured with raw netlink sockets in a scratch network namespace.

const captureScript = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'capture.py');

interface Capture {
  name: string;
  ehs: number;
  bytes: Uint8Array;
}

function captureKernelTraffic(): { captures: Capture[] } {
  // In a private netns the script may change things (lo up, an address); otherwise it only reads.
  let run = spawnSync('unshare', ['-n', 'python3', captureScript, '--mutate'], { encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) {
    run = spawnSync('python3', [captureScript], { encoding: 'utf8', timeout: 20_000 });
  }
  if (run.error || run.status !== 0) {
    throw new Error(`cannot capture netlink traffic with python3 ${captureScript}: ${run.error ?? run.stderr}`);
  }
  const captures = run.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [name, ehs, data] = line.split(' ');
      return { name: name!, ehs: Number(ehs), bytes: hex(data ?? '') };
    });
  return { captures };
}

let captured: ReturnType<typeof captureKernelTraffic> | undefined;
const traffic = (): ReturnType<typeof captureKernelTraffic> => (captured ??= captureKernelTraffic());

describe('libmnl format: real kernel replies', () => {
  it('captured the expected conversations', () => {
    const { captures } = traffic();
    const names = captures.map((c) => c.name);
    for (const name of [
      'getlink-dump-reply0',
      'getaddr-dump-reply0',
      'getroute-dump-reply0',
      'genl-getfamily-dump-reply0',
      'getlink-extack-reply0',
      'getlink-extack-capped-reply0',
    ]) {
      expect(names).toContain(name);
    }
    const extack = captures.find((c) => c.name === 'getlink-extack-reply0')!.bytes;
    const view = new DataView(extack.buffer, extack.byteOffset, extack.byteLength);
    expect(view.getUint16(4, LE)).toBe(2); // NLMSG_ERROR
    expect(view.getUint16(6, LE) & 0x200).toBe(0x200); // NLM_F_ACK_TLVS
    expect(view.getInt32(16, LE)).toBeLessThan(0);
  }, 30_000);

  it('renders every captured request and reply datagram exactly as libmnl', () => {
    const { captures } = traffic();
    expectSameAsLibmnl(captures.map((c) => ({ name: c.name, ehs: c.ehs, bytes: c.bytes })));
  }, 30_000);

  it('renders the whole rtnetlink conversation with a per-type extra header size', () => {
    const rt = traffic().captures.filter((c) => !c.name.startsWith('genl'));
    const ehsByType = (h: MnlMessageHeader): number => (h.type >= 16 && h.type < 28 ? [16, 8, 12][(h.type - 16) >> 2]! : 0);
    const out = formatMnl(concat(...rt.map((c) => c.bytes)), { extraHeaderSize: ehsByType, color: true });
    expect(out).toBe(runOracle(rt).join(''));
  }, 30_000);

  it.each(['getlink-dump-reply0', 'getaddr-dump-reply0', 'getroute-dump-reply0'])(
    'renders every prefix of %s exactly as libmnl (0x00 past the end)',
    (name) => {
      const dump = traffic().captures.find((c) => c.name === name)!;
      const prefixes = Array.from({ length: dump.bytes.length + 1 }, (_, n) => ({
        name: `${name} prefix ${n}`,
        ehs: dump.ehs,
        bytes: dump.bytes.subarray(0, n),
      }));
      expectSameAsLibmnl(prefixes);
    },
    30_000,
  );
});

// ---------------------------------------------------------------------------------------------
// 4. Robustness: never throws, never reads outside the buffer.

/** The line kind, judged from the text alone. */
function kindOfLine(line: string): MnlLineKind {
  if (line === SEP) return 'separator';
  const headerCells = ['| message length |', '|  type | flags  |', '| sequence number|', '|     port ID    |'];
  if (headerCells.some((cell) => line.endsWith(cell))) return 'header';
  if (line.endsWith('|                |')) return 'control';
  if (line.endsWith('|  extra header  |')) return 'extra';
  if (line.endsWith('|len |flags| type|')) return 'attr';
  if (line.includes('|      data      |')) return 'data';
  throw new Error(`unknown line ${JSON.stringify(line)}`);
}

describe('libmnl format: robustness', () => {
  it('does not throw on any prefix of real dumps, with any extra header size', () => {
    const { captures } = traffic();
    for (const c of captures.filter((x) => x.bytes.length > 500)) {
      for (let n = 0; n <= c.bytes.length; n++) {
        const prefix = c.bytes.subarray(0, n);
        expect(() => formatMnl(prefix, { extraHeaderSize: n % 25, color: n % 2 === 0 })).not.toThrow();
      }
    }
  }, 30_000);

  it('does not throw on random bytes, odd views, or unusual options', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat({ max: 8 }),
        fc.oneof(fc.integer(), fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 60)),
        fc.constantFrom<'LE' | 'BE'>('LE', 'BE'),
        (data, skip, ehs, byteOrder) => {
          // A view into a larger buffer: bytes beyond the view must not leak into the dump.
          const backing = new Uint8Array(data.length + 16).fill(0xab);
          backing.set(data, skip);
          const view = backing.subarray(skip, skip + data.length);
          const out = formatMnl(view, { extraHeaderSize: ehs, byteOrder, color: true });
          expect(out).toBe(formatMnl(Uint8Array.from(view), { extraHeaderSize: ehs, byteOrder, color: true }));
          expect(() => formatMnl(view, { extraHeaderSize: () => ehs, byteOrder })).not.toThrow();
          // walkMnl yields the same lines, each with the kind its text shows.
          const lines: string[] = [];
          walkMnl(view, { extraHeaderSize: ehs, byteOrder, color: true }, (kind, offset, line) => {
            expect(offset).toBeGreaterThanOrEqual(0);
            expect(offset).toBeLessThan(view.length);
            expect(kindOfLine(line)).toBe(kind);
            lines.push(line + '\n');
          });
          expect(lines.join('')).toBe(out);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('renders a 100k-message dump in full (speed is measured by the benchmark, not here)', () => {
    const one = nlmsg(
      { type: 20, flags: 2, pid: 4242 },
      concat(bytes(2, 8, 0x80, 0xfe, 1, 0, 0, 0), nla(1, u32(1)), nla(2, u32(2)), nla(3, text('lo\0')), nla(8, u32(0x80))),
    );
    const count = 100_000;
    const dump = new Uint8Array(one.length * count);
    const view = new DataView(dump.buffer);
    for (let i = 0; i < count; i++) {
      dump.set(one, i * one.length);
      view.setUint32(i * one.length + 8, i, LE); // nlmsg_seq
    }
    const out = formatMnl(dump, { extraHeaderSize: 8, color: true });
    expect(out.split('\n')).toHaveLength(count * 17 + 1);
    expect(out.slice(-17 * 37 * 2)).toContain('|  0000099999  |');
  }, 30_000);
});
