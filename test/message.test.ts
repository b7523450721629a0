// Netlink message framing (src/netlink/message.ts, src/netlink/align.ts): struct nlmsghdr in
// host byte order, NLMSG_ALIGN stepping, unaligned nlmsg_len and unpadded last messages, and the
// malformed cases parseMessages must report (with the messages before them) instead of throwing.
// Expected bytes are written out by hand here, never produced by the code under test.

import { describe, expect, it } from 'vitest';
import {
  NLA_ALIGNTO,
  NLA_HDRLEN,
  NLA_MAX_PAYLOAD,
  NLMSG_ALIGNTO,
  NLMSG_HDRLEN,
  nlaAlign,
  nlmsgAlign,
} from '../src/netlink/align.js';
import { DecodeError } from '../src/netlink/errors.js';
import {
  HeaderFlags,
  HeaderType,
  checkHeader,
  marshalMessage,
  marshalMessages,
  messageSize,
  parseMessages,
  unmarshalMessage,
  type Header,
  type Message,
} from '../src/netlink/message.js';
import { concat, host, nlmsghdr } from './helpers/bytes.js';

// ---------------------------------------------------------------------------------------------
// Hand-built wire bytes: builders in helpers/bytes.ts.

function seqBytes(n: number, start = 1): number[] {
  return Array.from({ length: n }, (_, i) => (start + i) & 0xff);
}

function hdr(length: number, type = 0x10, flags = 0, sequence = 0, pid = 0): Header {
  return { length, type, flags, sequence, pid };
}

// ---------------------------------------------------------------------------------------------

describe('alignment constants and NLMSG_ALIGN / NLA_ALIGN', () => {
  it('has the sizes of linux/netlink.h', () => {
    expect(NLMSG_ALIGNTO).toBe(4);
    expect(NLMSG_HDRLEN).toBe(16);
    expect(NLA_ALIGNTO).toBe(4);
    expect(NLA_HDRLEN).toBe(4);
    expect(NLA_MAX_PAYLOAD).toBe(65531);
  });

  const cases: [number, number][] = [
    [0, 0],
    [1, 4],
    [2, 4],
    [3, 4],
    [4, 4],
    [5, 8],
    [15, 16],
    [16, 16],
    [17, 20],
    [20, 20],
    [21, 24],
    [36, 36],
    [65531, 65532],
    [65535, 65536],
    [0xfffffffc, 0xfffffffc],
    [0xfffffffd, 0x100000000],
    [0xffffffff, 0x100000000],
  ];
  it.each(cases)('NLMSG_ALIGN(%d) = %d', (n, want) => {
    expect(nlmsgAlign(n)).toBe(want);
  });
  it.each(cases.filter(([n]) => n <= 0xffff))('NLA_ALIGN(%d) = %d', (n, want) => {
    expect(nlaAlign(n)).toBe(want);
  });
});

describe('header and type constants', () => {
  it.each([
    ['Request', 0x1],
    ['Multi', 0x2],
    ['Acknowledge', 0x4],
    ['Echo', 0x8],
    ['DumpInterrupted', 0x10],
    ['DumpFiltered', 0x20],
    ['Root', 0x100],
    ['Match', 0x200],
    ['Atomic', 0x400],
    ['Dump', 0x300],
    ['Replace', 0x100],
    ['Excl', 0x200],
    ['Create', 0x400],
    ['Append', 0x800],
    ['NonRecursive', 0x100],
    ['Bulk', 0x200],
    ['Capped', 0x100],
    ['AcknowledgeTLVs', 0x200],
  ] as const)('HeaderFlags.%s = %#x', (name, value) => {
    expect(HeaderFlags[name]).toBe(value);
  });
  it.each([
    ['Noop', 1],
    ['Error', 2],
    ['Done', 3],
    ['Overrun', 4],
    ['MinType', 0x10],
  ] as const)('HeaderType.%s = %d', (name, value) => {
    expect(HeaderType[name]).toBe(value);
  });
});

describe('marshalMessage: header layout', () => {
  const cases: { name: string; m: Message; want: Uint8Array }[] = [
    {
      name: 'header only, all zero',
      m: { header: hdr(16, 0), data: new Uint8Array(0) },
      want: concat(nlmsghdr(16, 0, 0, 0, 0)),
    },
    {
      name: 'distinct bytes in every field',
      m: { header: { length: 20, type: 0x1234, flags: 0x0305, sequence: 0x01020304, pid: 0xdeadbeef }, data: Uint8Array.from([9, 8, 7, 6]) },
      want: concat(
        host([0x14, 0x00, 0x00, 0x00]),
        host([0x34, 0x12]),
        host([0x05, 0x03]),
        host([0x04, 0x03, 0x02, 0x01]),
        host([0xef, 0xbe, 0xad, 0xde]),
        [9, 8, 7, 6],
      ),
    },
    {
      name: 'every field at its maximum',
      m: { header: { length: 16, type: 0xffff, flags: 0xffff, sequence: 0xffffffff, pid: 0xffffffff }, data: new Uint8Array(0) },
      want: concat(nlmsghdr(16, 0xffff, 0xffff, 0xffffffff, 0xffffffff)),
    },
    {
      name: 'RTM_GETLINK dump request (request|dump) with an rtgenmsg',
      m: { header: { length: 17, type: 18, flags: 0x301, sequence: 1, pid: 0 }, data: Uint8Array.from([0]) },
      // nlmsg_len 17 is the exact length; the datagram is padded to 20 with zeros.
      want: concat(nlmsghdr(17, 18, 0x301, 1, 0), [0, 0, 0, 0]),
    },
    {
      name: 'unaligned payload of 5 bytes is padded with 3 zero bytes',
      m: { header: hdr(21, 0x10, 0x5, 7, 42), data: Uint8Array.from([1, 2, 3, 4, 5]) },
      want: concat(nlmsghdr(21, 0x10, 0x5, 7, 42), [1, 2, 3, 4, 5, 0, 0, 0]),
    },
  ];
  it.each(cases)('$name', ({ m, want }) => {
    expect(marshalMessage(m)).toEqual(want);
    expect(marshalMessages([m])).toEqual(want);
  });

  it.each(Array.from({ length: 10 }, (_, n) => n))('payload of %d bytes: exact nlmsg_len, zero padding to 4', (n) => {
    const data = Uint8Array.from(seqBytes(n, 0xa0));
    const out = marshalMessage({ header: hdr(16 + n, 0x20, 0, 3, 4), data });
    const padded = Math.ceil((16 + n) / 4) * 4;
    expect(out.length).toBe(padded);
    expect(messageSize({ header: hdr(16 + n), data })).toBe(padded);
    expect(out).toEqual(concat(nlmsghdr(16 + n, 0x20, 0, 3, 4), data, new Uint8Array(padded - 16 - n)));
  });

  it('does not copy a payload alias: later changes to the source do not leak into the output', () => {
    const data = Uint8Array.from([1, 2, 3, 4]);
    const out = marshalMessage({ header: hdr(20), data });
    data[0] = 99;
    expect(out[16]).toBe(1);
  });

  it('marshals a payload that is a view into a larger buffer (byteOffset ≠ 0)', () => {
    const big = Uint8Array.from([0xee, 0xee, 1, 2, 3, 0xee]);
    const out = marshalMessage({ header: hdr(19), data: big.subarray(2, 5) });
    expect(out).toEqual(concat(nlmsghdr(19, 0x10, 0, 0, 0), [1, 2, 3, 0]));
  });
});

describe('marshalMessage: an explicit wrong length is written as given', () => {
  const cases: { name: string; length: number; data: number[] }[] = [
    { name: 'zero length (Conn.send fills it, marshal does not)', length: 0, data: [1, 2, 3, 4] },
    { name: 'shorter than the header', length: 8, data: [] },
    { name: 'one byte more than the payload', length: 21, data: [1, 2, 3, 4] },
    { name: 'far longer than the payload', length: 100, data: [1, 2, 3, 4] },
    { name: 'shorter than the payload', length: 16, data: [1, 2, 3, 4, 5, 6, 7, 8] },
    { name: 'maximum u32', length: 0xffffffff, data: [] },
  ];
  it.each(cases)('$name', ({ length, data }) => {
    const out = marshalMessage({ header: hdr(length, 0x10, 1, 2, 3), data: Uint8Array.from(data) });
    // The buffer is sized from the payload, not from the stated length.
    const size = Math.ceil((16 + data.length) / 4) * 4;
    expect(out).toEqual(concat(nlmsghdr(length, 0x10, 1, 2, 3), data, new Uint8Array(size - 16 - data.length)));
  });

  it('a too-long stated length is then reported by parseMessages as running past the end', () => {
    const out = marshalMessage({ header: hdr(100), data: Uint8Array.from([1, 2, 3, 4]) });
    const r = parseMessages(out);
    expect(r.messages).toEqual([]);
    expect(r.malformed).toBeInstanceOf(DecodeError);
    expect(r.malformed!.offset).toBe(0);
  });
});

describe('header field range checks', () => {
  const bad: { name: string; field: keyof Header; value: number }[] = [
    { name: 'negative length', field: 'length', value: -1 },
    { name: 'length 2^32', field: 'length', value: 2 ** 32 },
    { name: 'fractional length', field: 'length', value: 16.5 },
    { name: 'NaN length', field: 'length', value: NaN },
    { name: 'type 0x10000', field: 'type', value: 0x10000 },
    { name: 'negative type', field: 'type', value: -1 },
    { name: 'fractional type', field: 'type', value: 1.5 },
    { name: 'flags 0x10000', field: 'flags', value: 0x10000 },
    { name: 'negative flags', field: 'flags', value: -0x100 },
    { name: 'sequence 2^32', field: 'sequence', value: 2 ** 32 },
    { name: 'negative sequence', field: 'sequence', value: -1 },
    { name: 'infinite sequence', field: 'sequence', value: Infinity },
    { name: 'pid 2^32', field: 'pid', value: 2 ** 32 },
    { name: 'negative pid', field: 'pid', value: -5 },
    { name: 'NaN pid', field: 'pid', value: NaN },
  ];
  it.each(bad)('$name throws RangeError', ({ field, value }) => {
    const header = { ...hdr(16), [field]: value };
    expect(() => checkHeader(header)).toThrow(RangeError);
    expect(() => checkHeader(header)).toThrow(field);
    expect(() => marshalMessage({ header, data: new Uint8Array(0) })).toThrow(RangeError);
    // A bad header anywhere in a batch fails the whole batch.
    const good = { header: hdr(16), data: new Uint8Array(0) };
    expect(() => marshalMessages([good, good, { header, data: new Uint8Array(0) }])).toThrow(RangeError);
  });

  it.each([
    ['length', 0],
    ['length', 0xffffffff],
    ['type', 0xffff],
    ['flags', 0xffff],
    ['sequence', 0xffffffff],
    ['pid', 0xffffffff],
  ] as const)('%s = %d is accepted', (field, value) => {
    expect(() => checkHeader({ ...hdr(16), [field]: value })).not.toThrow();
  });
});

describe('parseMessages: well-formed input', () => {
  const cases: {
    name: string;
    buf: Uint8Array;
    want: { header: Header; data: number[] }[];
    offsets: number[];
  }[] = [
    { name: 'empty buffer', buf: new Uint8Array(0), want: [], offsets: [] },
    {
      name: 'header-only message',
      buf: concat(nlmsghdr(16, 3, 2, 5, 0)),
      want: [{ header: hdr(16, 3, 2, 5, 0), data: [] }],
      offsets: [0],
    },
    {
      name: 'aligned message (DONE with errno 0)',
      buf: concat(nlmsghdr(20, 3, 2, 9, 100), [0, 0, 0, 0]),
      want: [{ header: hdr(20, 3, 2, 9, 100), data: [0, 0, 0, 0] }],
      offsets: [0],
    },
    {
      name: 'unaligned nlmsg_len 21, padded to 24 (padding excluded from data)',
      buf: concat(nlmsghdr(21, 0x10, 1, 1, 1), [1, 2, 3, 4, 5], [0xaa, 0xbb, 0xcc]),
      want: [{ header: hdr(21, 0x10, 1, 1, 1), data: [1, 2, 3, 4, 5] }],
      offsets: [0],
    },
    {
      name: 'unaligned nlmsg_len 21, unpadded last message (buffer of 21 bytes)',
      buf: concat(nlmsghdr(21, 0x10, 1, 1, 1), [1, 2, 3, 4, 5]),
      want: [{ header: hdr(21, 0x10, 1, 1, 1), data: [1, 2, 3, 4, 5] }],
      offsets: [0],
    },
    {
      name: 'unaligned first message: the next one starts at NLMSG_ALIGN(21) = 24',
      buf: concat(nlmsghdr(21, 0x10, 0, 1, 0), [1, 2, 3, 4, 5], [0, 0, 0], nlmsghdr(20, 0x11, 0, 2, 0), [6, 7, 8, 9]),
      want: [
        { header: hdr(21, 0x10, 0, 1, 0), data: [1, 2, 3, 4, 5] },
        { header: hdr(20, 0x11, 0, 2, 0), data: [6, 7, 8, 9] },
      ],
      offsets: [0, 24],
    },
    {
      name: 'three messages, the last one unpadded (nlmsg_len 18)',
      buf: concat(
        nlmsghdr(16, 0x10, 0, 1, 0),
        nlmsghdr(23, 0x10, 0, 2, 0),
        seqBytes(7),
        [0],
        nlmsghdr(18, 0x10, 0, 3, 0),
        [0xfe, 0xfd],
      ),
      want: [
        { header: hdr(16, 0x10, 0, 1, 0), data: [] },
        { header: hdr(23, 0x10, 0, 2, 0), data: seqBytes(7) },
        { header: hdr(18, 0x10, 0, 3, 0), data: [0xfe, 0xfd] },
      ],
      offsets: [0, 16, 40],
    },
    {
      name: 'kernel multipart reply: data message then DONE',
      buf: concat(nlmsghdr(24, 16, 2, 77, 4242), seqBytes(8), nlmsghdr(20, 3, 2, 77, 4242), [0, 0, 0, 0]),
      want: [
        { header: hdr(24, 16, 2, 77, 4242), data: seqBytes(8) },
        { header: hdr(20, 3, 2, 77, 4242), data: [0, 0, 0, 0] },
      ],
      offsets: [0, 24],
    },
  ];

  it.each(cases)('$name', ({ buf, want, offsets }) => {
    const r = parseMessages(buf);
    expect(r.malformed).toBeUndefined();
    expect(r.offsets).toEqual(offsets);
    expect(r.messages.map((m) => ({ header: m.header, data: [...m.data] }))).toEqual(want);
  });

  it('works on a view with a non-zero byteOffset and never reads the bytes around it', () => {
    const inner = concat(nlmsghdr(21, 0x10, 1, 0x01020304, 5), [1, 2, 3, 4, 5]);
    const big = new Uint8Array(8 + inner.length + 8).fill(0xee);
    big.set(inner, 8);
    const view = big.subarray(8, 8 + inner.length);
    const r = parseMessages(view);
    expect(r.malformed).toBeUndefined();
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]!.header).toEqual(hdr(21, 0x10, 1, 0x01020304, 5));
    expect([...r.messages[0]!.data]).toEqual([1, 2, 3, 4, 5]);
  });

  it('a length that fits the underlying ArrayBuffer but not the view is past the end', () => {
    const inner = concat(nlmsghdr(24, 0x10, 0, 0, 0), [1, 2, 3, 4, 5]);
    const big = new Uint8Array(64).fill(0xee);
    big.set(inner, 4);
    const r = parseMessages(big.subarray(4, 4 + inner.length));
    expect(r.messages).toEqual([]);
    expect(r.malformed).toBeInstanceOf(DecodeError);
    expect(r.malformed!.offset).toBe(0);
    expect(r.malformed!.message).toContain('past the end');
  });

  it('message data is a view of the buffer (no copy), bounded by nlmsg_len', () => {
    const buf = concat(nlmsghdr(22, 0x10, 0, 0, 0), [1, 2, 3, 4, 5, 6], [0, 0]);
    const m = parseMessages(buf).messages[0]!;
    expect(m.data.buffer).toBe(buf.buffer);
    expect(m.data.byteOffset).toBe(16);
    expect(m.data.length).toBe(6);
    buf[16] = 0x42;
    expect(m.data[0]).toBe(0x42);
  });
});

describe('parseMessages: malformed input keeps the earlier messages and reports the offset', () => {
  const msg20 = concat(nlmsghdr(20, 0x10, 0, 1, 0), [1, 2, 3, 4]);
  const cases: { name: string; buf: Uint8Array; kept: number; offset: number; text: string }[] = [
    { name: 'nlmsg_len 0', buf: concat(nlmsghdr(0, 0x10, 0, 0, 0)), kept: 0, offset: 0, text: 'nlmsg_len 0 is shorter' },
    { name: 'nlmsg_len 15', buf: concat(nlmsghdr(15, 0x10, 0, 0, 0), [0, 0, 0, 0]), kept: 0, offset: 0, text: 'nlmsg_len 15 is shorter' },
    { name: 'nlmsg_len 1 after a good message', buf: concat(msg20, nlmsghdr(1, 0x10, 0, 0, 0)), kept: 1, offset: 20, text: 'nlmsg_len 1 is shorter' },
    { name: 'nlmsg_len past the end by one byte', buf: concat(nlmsghdr(21, 0x10, 0, 0, 0), [1, 2, 3, 4]), kept: 0, offset: 0, text: 'nlmsg_len 21 runs past the end (20 bytes left)' },
    { name: 'second message runs past the end', buf: concat(msg20, nlmsghdr(100, 0x10, 0, 0, 0), [1, 2, 3, 4]), kept: 1, offset: 20, text: 'runs past the end (20 bytes left)' },
    { name: 'nlmsg_len 0xffffffff', buf: concat(msg20, msg20, nlmsghdr(0xffffffff, 0x10, 0, 0, 0)), kept: 2, offset: 40, text: 'past the end' },
    { name: 'a lone stray byte', buf: Uint8Array.from([0x10]), kept: 0, offset: 0, text: '1 trailing byte,' },
    { name: '15 bytes: not even a header', buf: Uint8Array.from(seqBytes(15)), kept: 0, offset: 0, text: '15 trailing bytes' },
    { name: 'stray bytes after the padding of an unaligned message', buf: concat(nlmsghdr(21, 0x10, 0, 0, 0), [1, 2, 3, 4, 5], [0, 0, 0], [9, 9, 9, 9, 9]), kept: 1, offset: 24, text: '5 trailing bytes' },
    ...Array.from({ length: 15 }, (_, i) => i + 1).map((n) => ({
      name: `${n} trailing byte(s) after a good message`,
      buf: concat(msg20, seqBytes(n, 0x80)),
      kept: 1,
      offset: 20,
      text: `${n} trailing byte${n === 1 ? '' : 's'}`,
    })),
  ];

  it.each(cases)('$name', ({ buf, kept, offset, text }) => {
    let r: ReturnType<typeof parseMessages> | undefined;
    expect(() => (r = parseMessages(buf))).not.toThrow();
    expect(r!.messages).toHaveLength(kept);
    expect(r!.offsets).toHaveLength(kept);
    for (const m of r!.messages) expect(m.header.length).toBe(16 + m.data.length);
    expect(r!.malformed).toBeInstanceOf(DecodeError);
    expect(r!.malformed!.code).toBe('ERR_NETLINK_MALFORMED');
    expect(r!.malformed!.offset).toBe(offset);
    expect(r!.malformed!.message).toContain(`offset ${offset}`);
    expect(r!.malformed!.message).toContain(text);
  });

  it('stops at the first problem: a good message after it is not returned', () => {
    const r = parseMessages(concat(msg20, nlmsghdr(8, 0x10, 0, 0, 0), msg20));
    expect(r.messages).toHaveLength(1);
    expect(r.malformed!.offset).toBe(20);
  });

  it('the kept messages are the right ones', () => {
    const second = concat(nlmsghdr(18, 0x22, 1, 2, 3), [7, 8], [0, 0]);
    const r = parseMessages(concat(msg20, second, [1, 2, 3]));
    expect(r.offsets).toEqual([0, 20]);
    expect(r.messages.map((m) => m.header)).toEqual([hdr(20, 0x10, 0, 1, 0), hdr(18, 0x22, 1, 2, 3)]);
    expect([...r.messages[1]!.data]).toEqual([7, 8]);
    expect(r.malformed!.offset).toBe(40);
  });
});

describe('unmarshalMessage', () => {
  it('parses exactly one message', () => {
    const m = unmarshalMessage(concat(nlmsghdr(19, 0x1234, 0x5, 99, 7), [1, 2, 3], [0]));
    expect(m.header).toEqual(hdr(19, 0x1234, 0x5, 99, 7));
    expect([...m.data]).toEqual([1, 2, 3]);
  });

  it.each([
    { name: 'empty buffer', buf: new Uint8Array(0), offset: 0, text: 'found 0' },
    { name: 'two messages', buf: concat(nlmsghdr(16, 1, 0, 0, 0), nlmsghdr(16, 1, 0, 0, 0)), offset: 0, text: 'found 2' },
    { name: 'short header', buf: Uint8Array.from(seqBytes(12)), offset: 0, text: 'trailing' },
    { name: 'length past the end', buf: concat(nlmsghdr(32, 1, 0, 0, 0)), offset: 0, text: 'past the end' },
    { name: 'trailing bytes', buf: concat(nlmsghdr(16, 1, 0, 0, 0), [1, 2]), offset: 16, text: '2 trailing bytes' },
  ])('$name throws DecodeError', ({ buf, offset, text }) => {
    let thrown: unknown;
    try {
      unmarshalMessage(buf);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DecodeError);
    expect((thrown as DecodeError).offset).toBe(offset);
    expect((thrown as DecodeError).message).toContain(text);
  });
});

describe('marshalMessages of several messages', () => {
  it('concatenates, padding each message to 4 bytes', () => {
    const msgs: Message[] = [
      { header: hdr(17, 0x10, 0x1, 1, 0), data: Uint8Array.from([0xa1]) },
      { header: hdr(16, 0x11, 0x5, 2, 0), data: new Uint8Array(0) },
      { header: hdr(22, 0x12, 0x301, 3, 0), data: Uint8Array.from([1, 2, 3, 4, 5, 6]) },
      { header: hdr(20, 0x13, 0, 4, 0), data: Uint8Array.from([9, 9, 9, 9]) },
    ];
    const out = marshalMessages(msgs);
    expect(out).toEqual(
      concat(
        nlmsghdr(17, 0x10, 0x1, 1, 0), [0xa1, 0, 0, 0],
        nlmsghdr(16, 0x11, 0x5, 2, 0),
        nlmsghdr(22, 0x12, 0x301, 3, 0), [1, 2, 3, 4, 5, 6, 0, 0],
        nlmsghdr(20, 0x13, 0, 4, 0), [9, 9, 9, 9],
      ),
    );
    const r = parseMessages(out);
    expect(r.malformed).toBeUndefined();
    expect(r.offsets).toEqual([0, 20, 36, 60]);
    expect(r.messages.map((m) => m.header)).toEqual(msgs.map((m) => m.header));
    expect(r.messages.map((m) => [...m.data])).toEqual(msgs.map((m) => [...m.data]));
  });

  it('an empty list gives an empty buffer', () => {
    expect(marshalMessages([])).toEqual(new Uint8Array(0));
  });

  it('the sum of messageSize is the buffer length', () => {
    const msgs: Message[] = [0, 1, 2, 3, 4, 5, 13].map((n) => ({ header: hdr(16 + n), data: new Uint8Array(n) }));
    expect(msgs.map(messageSize)).toEqual([16, 20, 20, 20, 20, 24, 32]);
    expect(marshalMessages(msgs).length).toBe(16 + 20 * 4 + 24 + 32);
  });
});
