// Every renderer survives every decoded message: random and half-structured bytes decoded with
// decodeMessage (route, nlctrl, connector, no description), random listen metadata, every format, colour on
// and off. Beyond not throwing: JSON parses, text stays on one line, tables keep their width,
// the libmnl views keep libmnl's lines.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFamily, type FamilySpec } from '../src/families/index.js';
import { decodeMessage } from '../src/model/decode.js';
import { createRenderer, type OutputFormat } from '../src/render/index.js';
import { displayWidth } from '../src/render/format.js';
import { formatMnl } from '../src/render/mnl.js';
import type { MessageRecord, OutputRecord } from '../src/render/record.js';
import { concat, nla, nlmsghdr, s32, u16 } from './helpers/bytes.js';

let route: FamilySpec;
let nlctrl: FamilySpec;
let connector: FamilySpec;
beforeAll(async () => {
  route = (await loadFamily('route'))!;
  nlctrl = (await loadFamily('nlctrl'))!;
  connector = (await loadFamily('connector'))!;
});

/** The description decoding uses for a protocol of the cases (connector: nested structs in a control type). */
const familyOf = (protocol: number): FamilySpec | undefined => (protocol === 0 ? route : protocol === 11 ? connector : undefined);

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

// ---------------------------------------------------------------------------------------------
// Arbitraries: attributes that are mostly well framed (so decoding gets deep), with random
// types, flag bits, nesting, wrong lengths and random payloads.

const attrType = fc.oneof(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 0xffff }));

const attrs: fc.Arbitrary<Uint8Array> = fc.letrec<{ list: Uint8Array; attr: Uint8Array }>((tie) => ({
  list: fc.array(tie('attr'), { maxLength: 6 }).map((a) => concat(...a)),
  attr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(attrType, fc.uint8Array({ maxLength: 24 })).map(([t, p]) => nla(t, p)),
    fc.tuple(attrType, tie('list')).map(([t, p]) => nla(t | 0x8000, p)),
    fc.tuple(attrType, tie('list')).map(([t, p]) => nla(t, p)),
    // A wrong nla_len, or an unpadded attribute.
    fc.tuple(attrType, fc.uint8Array({ maxLength: 12 }), fc.integer({ min: 0, max: 0xffff })).map(([t, p, len]) => nla(t, p, { len })),
    fc.tuple(attrType, fc.uint8Array({ maxLength: 7 })).map(([t, p]) => nla(t, p, { pad: false })),
  ),
})).list;

const payload = fc.oneof(
  fc.uint8Array({ maxLength: 96 }),
  // A fixed header of plausible size, then attributes.
  fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 20 }), attrs).map(([h, a]) => concat(h, a)),
  fc.tuple(fc.constantFrom(4, 8, 12, 16, 20), fc.uint8Array({ minLength: 20, maxLength: 20 }), attrs).map(([n, h, a]) => concat(h.subarray(0, n), a)),
);

// NLMSG_ERROR / DONE payloads: errno, echoed header, ext-ack TLVs.
const ackPayload = fc
  .tuple(fc.integer({ min: -200, max: 5 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.option(fc.uint8Array({ maxLength: 16 })), attrs)
  .map(([errno, hdr, body, tlvs]) => concat(s32(errno), hdr, body ?? [], tlvs));

const messageType = fc.oneof(fc.constantFrom(1, 2, 3, 4, 16, 17, 18, 19, 20, 24, 28, 32, 36, 44, 64, 88, 104), fc.integer({ min: 0, max: 0xffff }));

interface Case {
  protocol: 0 | 16 | 9 | 11;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  data: Uint8Array;
  /** nlmsg_len to claim instead of the real one. */
  lenOverride: number | null;
  /** Cut the record's bytes short. */
  cut: number | null;
  ehs: number;
  meta: { time?: Date; group?: number; groupName?: string; nsid?: number };
}

const meta = fc.record(
  {
    time: fc.oneof(fc.date({ noInvalidDate: false }), fc.constant(new Date(NaN))),
    group: fc.integer({ min: 0, max: 0xffffffff }),
    groupName: fc.string({ unit: 'binary', maxLength: 12 }),
    nsid: fc.integer({ min: -1, max: 1000 }),
  },
  { requiredKeys: [] },
);

const cases: fc.Arbitrary<Case> = fc.record({
  protocol: fc.constantFrom(0 as const, 16 as const, 9 as const, 11 as const),
  type: messageType,
  flags: fc.oneof(fc.constantFrom(0, 2, 0x100, 0x300, 0x301, 0x605, 0x12), fc.integer({ min: 0, max: 0xffff })),
  seq: fc.integer({ min: 0, max: 0xffffffff }),
  pid: fc.integer({ min: 0, max: 0xffffffff }),
  data: fc.oneof(payload, ackPayload),
  lenOverride: fc.option(fc.integer({ min: 0, max: 400 }), { freq: 8 }),
  cut: fc.option(fc.integer({ min: 0, max: 200 }), { freq: 8 }),
  ehs: fc.oneof(fc.constantFrom(0, 4, 8, 12, 16, 20), fc.integer({ min: -3, max: 40 })),
  meta,
});

function toRecord(c: Case): MessageRecord {
  const length = c.lenOverride ?? 16 + c.data.length;
  const header = { length, type: c.type, flags: c.flags, sequence: c.seq, pid: c.pid };
  const decoded = decodeMessage(
    { header, data: c.data },
    { protocol: c.protocol, family: familyOf(c.protocol), genlFamilies: new Map([[16, nlctrl]]) },
  );
  let bytes = concat(nlmsghdr(length, c.type, c.flags, c.seq, c.pid), c.data);
  if (c.cut !== null) bytes = bytes.subarray(0, c.cut);
  return { record: 'message', decoded, bytes, direction: 'received', extraHeaderSize: c.ehs, ...c.meta };
}

const FORMATS: OutputFormat[] = ['table', 'json', 'text', 'mnl', 'mnl-annotated'];

function checkAll(r: OutputRecord): void {
  for (const format of FORMATS) {
    for (const color of [false, true]) {
      for (const width of format === 'table' ? [80, 40, undefined] : [undefined]) {
        const out = createRenderer(format, { color, width, pretty: color, lossless: true, structLayout: (d) => (d.fixed ? familyOf(d.protocol)?.structs[d.fixed.name] : undefined) }).render(r);
        expect(typeof out).toBe('string');
        if (format === 'json') {
          expect(out).not.toContain('\x1b');
          expect(() => JSON.parse(out)).not.toThrow();
          expect((JSON.parse(out) as { record: string }).record).toBe(r.record);
        }
        if (format === 'text') expect(out.indexOf('\n')).toBe(out.length - 1);
        if (!color) expect(out).not.toContain('\x1b');
        if (format === 'table' && width !== undefined) {
          // Terminal columns: wide characters count 2, combining marks 0.
          for (const line of out.split('\n')) expect(displayWidth(stripAnsi(line)), line).toBeLessThanOrEqual(width);
        }
        if (r.record === 'message' && (format === 'mnl' || format === 'mnl-annotated')) {
          const mnl = formatMnl(r.bytes, { color, extraHeaderSize: r.extraHeaderSize });
          if (format === 'mnl') expect(out).toBe(mnl);
          else if (mnl === '') expect(out).toMatch(/^# [^\n]*\n$/);
          else {
            const want = mnl.split('\n');
            const got = out.split('\n');
            expect(got).toHaveLength(want.length);
            got.forEach((line, i) => expect(line === want[i] || line.startsWith(want[i]! + '\t')).toBe(true));
          }
        }
      }
    }
  }
}

describe('fuzz', () => {
  it('every renderer survives any decoded message', () => {
    fc.assert(fc.property(cases, (c) => checkAll(toRecord(c))), { numRuns: 400 });
  });

  it('and every other record', () => {
    const other: fc.Arbitrary<OutputRecord> = fc.oneof(
      fc.record({ record: fc.constant('overrun' as const), time: fc.date({ noInvalidDate: false }), received: fc.nat(), rcvbuf: fc.option(fc.nat(), { nil: undefined }) }),
      fc.record({ record: fc.constant('dump_interrupted' as const), action: fc.constantFrom('warn' as const, 'retry' as const, 'fail' as const), attempt: fc.nat() }),
      fc.record({ record: fc.constant('summary' as const), messages: fc.nat(), errors: fc.nat(), overruns: fc.nat(), elapsed: fc.double({ noNaN: false }) }),
    );
    fc.assert(fc.property(other, (r) => checkAll(r)), { numRuns: 200 });
  });

  it('survives models no decoder would produce', () => {
    // Hand-made oddities: values of unexpected shapes, missing names, a nest-array with leaves.
    const base = toRecord({ protocol: 0, type: 16, flags: 0, seq: 0, pid: 0, data: new Uint8Array(16), lenOverride: null, cut: null, ehs: 16, meta: {} });
    const d = base.decoded;
    d.attrs = [
      { type: 1, nestedFlag: false, netByteOrder: true, length: 4, offset: 32, data: new Uint8Array(), kind: 'binary', value: { a: [1n, { b: 'x y' }], '': '' } },
      { type: 2, name: 'arr', nestedFlag: true, netByteOrder: false, length: 8, offset: 36, data: u16(1), kind: 'nest-array', children: [{ type: 1, nestedFlag: false, netByteOrder: false, length: 4, offset: 40, data: new Uint8Array(), kind: 'nest' }] },
      { type: 3, name: 'weird', nestedFlag: false, netByteOrder: false, length: 0, offset: -8, data: nla(1, []), kind: 'unknown', raw: -1n, value: ['\u0000', -0, 1e300] },
    ];
    d.malformed.push('at offset 99999: nowhere');
    checkAll(base);
  });
});
