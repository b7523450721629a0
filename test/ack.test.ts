// NLMSG_ERROR / NLMSG_DONE payloads and extended-ACK TLVs (src/netlink/ack.ts, NetlinkError in
// src/netlink/errors.ts). The kernel layouts are built byte by byte after the real-kernel
// observations in /work/shared/research/mdlayher-netlink.md §6 (Linux 6.18): the capped error
// whose echoed nlmsg_len still states the original request length (the Go package's bug), the
// uncapped error whose TLVs start at 4 + NLMSG_ALIGN(echoed length), success ACKs of 36 bytes,
// and dump errors in DONE (flags 0x202). Malformed payloads must be reported, never thrown.

import { describe, expect, it } from 'vitest';
import {
  ExtAckAttr,
  PolicyAttr,
  checkDumpConsistent,
  isDumpInterrupted,
  messageError,
  parseAck,
  parseExtAck,
} from '../src/netlink/ack.js';
import { DumpInterruptedError, NetlinkError } from '../src/netlink/errors.js';
import { parseMessages, type Header, type Message } from '../src/netlink/message.js';
import { ack as nltestAck, error as nltestError } from '../src/netlink/nltest.js';
import { LE, concat, cstr, nla, nlmsghdr, s32, u16, u32, u64 } from './helpers/bytes.js';

/** The NetlinkError a message carries; fails the test when it carries something else. */
function kernelError(m: Message, sent?: Message): NetlinkError | undefined {
  const e = messageError(m, sent);
  if (e !== undefined) expect(e).toBeInstanceOf(NetlinkError);
  return e as NetlinkError | undefined;
}

// ---------------------------------------------------------------------------------------------
// Hand-built wire bytes (host byte order, as the kernel sends them): builders in helpers/bytes.ts.

/** A whole datagram: header (nlmsg_len = 16 + payload) then payload, parsed as received. */
function received(type: number, flags: number, seq: number, pid: number, payload: number[] | Uint8Array): Message {
  const p = [...payload];
  const bytes = concat(nlmsghdr(16 + p.length, type, flags, seq, pid), p);
  const { messages, malformed } = parseMessages(bytes);
  expect(malformed).toBeUndefined();
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_GETLINK = 18;
const IFLA_IFNAME = 3;
const IFLA_IFALIAS = 20;
const NLA_F_NESTED = 0x8000;
const NL_ATTR_TYPE_STRING = 11;

// ---------------------------------------------------------------------------------------------
// The RTM_GETLINK request with an overlong IFLA_IFNAME (research notes §6), and the kernel's
// ext-ack for it: MSG, OFFS=32, POLICY{type=STRING(11), max_len=15}.

const SEQ = 1234;
const PID = 4242;
const ifinfomsg = new Array<number>(16).fill(0);
const ifnameAttr = nla(IFLA_IFNAME, cstr('a'.repeat(23))); // nla_len 28, at offset 32 of the request
const request60 = concat(nlmsghdr(60, RTM_GETLINK, 0x5, SEQ, PID), ifinfomsg, ifnameAttr);
const request264 = concat(nlmsghdr(264, RTM_GETLINK, 0x5, SEQ, PID), ifinfomsg, ifnameAttr, nla(IFLA_IFALIAS, new Array<number>(200).fill(0x62)));
const POLICY_MSG = 'Attribute failed policy validation';
const kernelTLVs = [
  ...nla(ExtAckAttr.Msg, cstr(POLICY_MSG)), // 4 + 35 -> 40 with padding
  ...nla(ExtAckAttr.Offset, u32(32)), // 8
  ...nla(ExtAckAttr.Policy | NLA_F_NESTED, [...nla(PolicyAttr.Type, u32(NL_ATTR_TYPE_STRING)), ...nla(PolicyAttr.MaxLength, u32(15))]), // 20
];
const kernelExtAck = { message: POLICY_MSG, offset: 32, policy: { type: 11, maxLength: 15 } };

function requestMessage(bytes: Uint8Array): Message {
  return parseMessages(bytes).messages[0]!;
}

describe('sanity of the hand-built request', () => {
  it('is 60 (and 264) bytes with IFLA_IFNAME at offset 32', () => {
    expect(request60.length).toBe(60);
    expect(request264.length).toBe(264);
    expect(kernelTLVs.length).toBe(68);
    expect([...request60.subarray(32, 36)]).toEqual([...u16(28), ...u16(IFLA_IFNAME)]);
  });
});

describe('NLMSG_ERROR: real-kernel layouts (RTM_GETLINK, overlong IFLA_IFNAME, errno -34)', () => {
  const reqHeader: Header = { length: 60, type: RTM_GETLINK, flags: 0x5, sequence: SEQ, pid: PID };

  it('default socket: flags 0, length 80, the full request echoed', () => {
    const m = received(NLMSG_ERROR, 0, SEQ, PID, [...s32(-34), ...request60]);
    expect(m.header.length).toBe(80);
    const a = parseAck(m);
    expect(a.errno).toBe(-34);
    expect(a.request).toEqual(reqHeader);
    expect([...a.requestData!]).toEqual([...request60.subarray(16)]);
    expect(a.extAck).toEqual({});
    expect(a.tlvOffset).toBeUndefined();
    expect(a.malformed).toBeUndefined();
  });

  it('EXT_ACK: flags 0x200, TLVs at 4 + 60', () => {
    const m = received(NLMSG_ERROR, 0x200, SEQ, PID, [...s32(-34), ...request60, ...kernelTLVs]);
    const a = parseAck(m);
    expect(a.errno).toBe(-34);
    expect(a.request).toEqual(reqHeader);
    expect([...a.requestData!]).toEqual([...request60.subarray(16)]);
    expect(a.tlvOffset).toBe(64);
    expect(a.extAck).toEqual(kernelExtAck);
    expect(a.malformed).toBeUndefined();
  });

  it('CAP_ACK: flags 0x100, length 36, the echoed length still says 60', () => {
    const m = received(NLMSG_ERROR, 0x100, SEQ, PID, [...s32(-34), ...request60.subarray(0, 16)]);
    expect(m.header.length).toBe(36);
    const a = parseAck(m);
    expect(a.errno).toBe(-34);
    expect(a.request).toEqual(reqHeader);
    expect(a.requestData).toBeUndefined();
    expect(a.extAck).toEqual({});
    expect(a.malformed).toBeUndefined();
  });

  it('CAP_ACK + EXT_ACK: flags 0x300, TLVs at offset 20 although the echoed length says 60', () => {
    const m = received(NLMSG_ERROR, 0x300, SEQ, PID, [...s32(-34), ...request60.subarray(0, 16), ...kernelTLVs]);
    const a = parseAck(m);
    expect(a.errno).toBe(-34);
    expect(a.request).toEqual(reqHeader);
    expect(a.requestData).toBeUndefined();
    expect(a.tlvOffset).toBe(20);
    expect(a.extAck).toEqual(kernelExtAck);
    expect(a.malformed).toBeUndefined();
  });

  it('CAP_ACK + EXT_ACK with a 264-byte request: the real errno and the TLVs (the Go bug)', () => {
    const m = received(NLMSG_ERROR, 0x300, SEQ, PID, [...s32(-34), ...request264.subarray(0, 16), ...kernelTLVs]);
    expect(m.data.length).toBe(4 + 16 + 68);
    const a = parseAck(m);
    expect(a.errno).toBe(-34);
    expect(a.request!.length).toBe(264);
    expect(a.tlvOffset).toBe(20);
    expect(a.extAck).toEqual(kernelExtAck);
    expect(a.malformed).toBeUndefined();

    const err = kernelError(m);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err!.errno).toBe(-34);
    expect(err!.code).toBe('ERANGE');
    expect(err!.extAck).toEqual(kernelExtAck);
  });

  it('uncapped EXT_ACK with the 264-byte request echoed in full', () => {
    const m = received(NLMSG_ERROR, 0x200, SEQ, PID, [...s32(-34), ...request264, ...kernelTLVs]);
    const a = parseAck(m);
    expect(a.tlvOffset).toBe(4 + 264);
    expect(a.requestData!.length).toBe(248);
    expect(a.extAck).toEqual(kernelExtAck);
  });

  it('messageError gives a NetlinkError with every field', () => {
    const m = received(NLMSG_ERROR, 0x200, SEQ, PID, [...s32(-34), ...request60, ...kernelTLVs]);
    const sent = requestMessage(request60);
    const err = kernelError(m, sent);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toBeInstanceOf(Error);
    expect(err!.name).toBe('NetlinkError');
    expect(err!.errno).toBe(-34);
    expect(err!.code).toBe('ERANGE');
    expect(err!.message).toBe('ERANGE: Numerical result out of range: Attribute failed policy validation (offset 32)');
    expect(err!.extAck).toEqual(kernelExtAck);
    expect(err!.sequence).toBe(SEQ);
    expect(err!.request).toEqual(reqHeader);
    expect(err!.reply).toBe(m);
    expect(err!.sent).toBe(sent);
    // The offset points at IFLA_IFNAME in the request as sent.
    expect([...request60.subarray(err!.extAck.offset! + 2, err!.extAck.offset! + 4)]).toEqual([...u16(IFLA_IFNAME)]);
  });

  it('nltest.error() produces the same bytes as the kernel, capped and uncapped', () => {
    const req = requestMessage(request60);
    const tlvs = Uint8Array.from(kernelTLVs);
    const uncapped = nltestError(-34, req, { tlvs });
    const kernelUncapped = received(NLMSG_ERROR, 0x200, SEQ, PID, [...s32(-34), ...request60, ...kernelTLVs]);
    expect(uncapped.header).toEqual(kernelUncapped.header);
    expect([...uncapped.data]).toEqual([...kernelUncapped.data]);

    const capped = nltestError(34, req, { capped: true, tlvs });
    const kernelCapped = received(NLMSG_ERROR, 0x300, SEQ, PID, [...s32(-34), ...request60.subarray(0, 16), ...kernelTLVs]);
    expect(capped.header).toEqual(kernelCapped.header);
    expect([...capped.data]).toEqual([...kernelCapped.data]);
    expect(parseAck(capped).extAck).toEqual(kernelExtAck);
  });
});

describe('NLMSG_ERROR: uncapped with an unaligned echoed length', () => {
  // A request whose nlmsg_len is 21 (5-byte payload): the echoed copy is padded to 24, so the
  // TLVs start at 4 + NLMSG_ALIGN(21) = 28, not at 4 + 21 = 25.
  const req21 = concat(nlmsghdr(21, 0x10, 0x5, 7, 99), [1, 2, 3, 4, 5]);
  const tlvs = [...nla(ExtAckAttr.Msg, cstr('bad')), ...nla(ExtAckAttr.Offset, u32(16))];

  it.each([
    { name: 'zero padding (as the kernel sends)', padding: [0, 0, 0] },
    { name: 'non-zero padding is skipped, not parsed', padding: [0xff, 0xff, 0xff] },
  ])('$name', ({ padding }) => {
    const m = received(NLMSG_ERROR, 0x200, 7, 99, [...s32(-22), ...req21, ...padding, ...tlvs]);
    const a = parseAck(m);
    expect(a.errno).toBe(-22);
    expect(a.request).toEqual({ length: 21, type: 0x10, flags: 0x5, sequence: 7, pid: 99 });
    expect([...a.requestData!]).toEqual([1, 2, 3, 4, 5]);
    expect(a.tlvOffset).toBe(28);
    expect(a.extAck).toEqual({ message: 'bad', offset: 16 });
    expect(a.malformed).toBeUndefined();
  });

  it('nltest.error() lays out the same bytes', () => {
    const m = nltestError(-22, requestMessage(req21), { tlvs: Uint8Array.from(tlvs) });
    expect([...m.data]).toEqual([...s32(-22), ...req21, 0, 0, 0, ...tlvs]);
    expect(m.header.flags).toBe(0x200);
    expect(parseAck(m).extAck).toEqual({ message: 'bad', offset: 16 });
  });

  it('an unpadded echoed request at the very end (no TLVs) is fine', () => {
    const a = parseAck(received(NLMSG_ERROR, 0, 7, 99, [...s32(-22), ...req21]));
    expect(a.errno).toBe(-22);
    expect([...a.requestData!]).toEqual([1, 2, 3, 4, 5]);
    expect(a.malformed).toBeUndefined();
  });
});

describe('success ACKs', () => {
  const ping = concat(nlmsghdr(20, 0x10, 0x5, 1, 77), [0, 0, 0, 0]);

  it('capped ACK: length 36, flags 0x100, errno 0, echoed header', () => {
    const m = received(NLMSG_ERROR, 0x100, 1, 77, [...s32(0), ...ping.subarray(0, 16)]);
    expect(m.header.length).toBe(36);
    const a = parseAck(m);
    expect(a).toEqual({ errno: 0, request: { length: 20, type: 0x10, flags: 0x5, sequence: 1, pid: 77 }, requestData: undefined, extAck: {} });
    expect(messageError(m)).toBeUndefined();
  });

  it('an ACK is capped even without NLM_F_CAPPED (older kernels): the echoed length is not trusted', () => {
    const m = received(NLMSG_ERROR, 0, 1, 77, [...s32(0), ...nlmsghdr(500, 0x10, 0x5, 1, 77)]);
    const a = parseAck(m);
    expect(a.errno).toBe(0);
    expect(a.requestData).toBeUndefined();
    expect(a.malformed).toBeUndefined();
  });

  it('capped ACK with TLVs (flags 0x300): a warning and a cookie are kept', () => {
    const tlvs = [...nla(ExtAckAttr.Msg, cstr('warning: something deprecated')), ...nla(ExtAckAttr.Cookie, [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4])];
    const m = received(NLMSG_ERROR, 0x300, 1, 77, [...s32(0), ...ping.subarray(0, 16), ...tlvs]);
    const a = parseAck(m);
    expect(a.errno).toBe(0);
    expect(a.tlvOffset).toBe(20);
    expect(a.extAck).toEqual({ message: 'warning: something deprecated', cookie: Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]) });
    expect(messageError(m)).toBeUndefined();
  });

  it('nltest.ack() is the 36-byte capped ACK', () => {
    const m = nltestAck(requestMessage(ping));
    expect(m.header).toEqual({ length: 36, type: NLMSG_ERROR, flags: 0x100, sequence: 1, pid: 77 });
    expect([...m.data]).toEqual([...s32(0), ...ping.subarray(0, 16)]);
    expect(parseAck(m).errno).toBe(0);
  });
});

describe('NLMSG_DONE', () => {
  it('a dump error: flags 0x202, errno -22, MSG at offset 4', () => {
    const text = 'Invalid values in header for FIB dump request';
    const payload = [0xea, 0xff, 0xff, 0xff, ...nla(ExtAckAttr.Msg, cstr(text))];
    if (!LE) payload.splice(0, 4, ...s32(-22));
    const m = received(NLMSG_DONE, 0x202, 5, 0, payload);
    const a = parseAck(m);
    expect(a.errno).toBe(-22);
    expect(a.tlvOffset).toBe(4);
    expect(a.extAck).toEqual({ message: text });
    expect(a.request).toBeUndefined();
    const err = kernelError(m);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err!.errno).toBe(-22);
    expect(err!.code).toBe('EINVAL');
    expect(err!.message).toBe(`EINVAL: Invalid argument: ${text}`);
    expect(err!.sequence).toBe(5);
    expect(err!.request).toBeUndefined();
  });

  it.each([
    { name: 'the usual DONE: 4 zero bytes, flags Multi', flags: 0x2, payload: [0, 0, 0, 0], errno: 0 },
    { name: 'empty payload', flags: 0x2, payload: [], errno: 0 },
    { name: 'empty payload with ACK_TLVS', flags: 0x202, payload: [], errno: 0 },
    { name: '4 bytes with ACK_TLVS but no TLVs', flags: 0x202, payload: s32(-5), errno: -5 },
    { name: 'errno without ACK_TLVS: trailing bytes ignored', flags: 0x2, payload: [...s32(-5), ...nla(1, cstr('x'))], errno: -5 },
  ])('$name', ({ flags, payload, errno }) => {
    const m = received(NLMSG_DONE, flags, 1, 0, payload);
    const a = parseAck(m);
    expect(a.errno).toBe(errno);
    expect(a.extAck).toEqual({});
    expect(a.malformed).toBeUndefined();
    expect(a.tlvOffset).toBeUndefined();
    const err = kernelError(m);
    if (errno === 0) expect(err).toBeUndefined();
    else expect(err!.errno).toBe(errno);
  });

  it.each([1, 2, 3])('a %d-byte payload is too short for an errno: malformed, not thrown', (n) => {
    const m = received(NLMSG_DONE, 0x2, 1, 0, new Array<number>(n).fill(0xff));
    const a = parseAck(m);
    expect(a.errno).toBe(0);
    expect(a.malformed).toContain(`DONE payload of ${n} bytes is too short for an errno`);
    expect(() => messageError(m)).not.toThrow();
  });

  it('broken TLVs after the errno: malformed with the offset in the message, errno kept', () => {
    const payload = [...s32(-22), ...nla(ExtAckAttr.Msg, cstr('ok')), ...u16(2), ...u16(1)];
    const m = received(NLMSG_DONE, 0x202, 1, 0, payload);
    const a = parseAck(m);
    expect(a.errno).toBe(-22);
    expect(a.extAck.message).toBe('ok');
    // 16 (nlmsghdr) + 4 (errno) + 8 (MSG) = 28
    expect(a.extAck.malformed).toContain('offset 28');
    const err = kernelError(m);
    expect(err!.errno).toBe(-22);
    expect(err!.extAck.malformed).toContain('offset 28');
  });
});

describe('parseExtAck: every TLV', () => {
  it('MSG: trailing NULs trimmed', () => {
    expect(parseExtAck(Uint8Array.from(nla(1, [...cstr('hello'), 0, 0])))).toEqual({ message: 'hello' });
  });

  it('OFFS, MISS_TYPE, MISS_NEST: u32', () => {
    const tlvs = Uint8Array.from([...nla(2, u32(48)), ...nla(5, u32(3)), ...nla(6, u32(32))]);
    expect(parseExtAck(tlvs)).toEqual({ offset: 48, missingType: 3, missingNest: 32 });
  });

  it('COOKIE: bytes, copied out of the buffer', () => {
    const tlvs = Uint8Array.from(nla(3, [1, 2, 3, 4, 5]));
    const ack = parseExtAck(tlvs);
    expect(ack.cookie).toEqual(Uint8Array.from([1, 2, 3, 4, 5]));
    tlvs[4] = 0x99;
    expect(ack.cookie![0]).toBe(1);
  });

  it('POLICY: every field, signed and unsigned 64-bit bounds as bigint, PAD ignored', () => {
    const policy = [
      ...nla(PolicyAttr.Type, u32(4)),
      ...nla(PolicyAttr.Pad, []),
      ...nla(PolicyAttr.MinValueSigned, u64(-5n)),
      ...nla(PolicyAttr.MaxValueSigned, u64(2n ** 63n - 1n)),
      ...nla(PolicyAttr.MinValueUnsigned, u64(0n)),
      ...nla(PolicyAttr.MaxValueUnsigned, u64(2n ** 64n - 1n)),
      ...nla(PolicyAttr.MinLength, u32(1)),
      ...nla(PolicyAttr.MaxLength, u32(15)),
      ...nla(PolicyAttr.PolicyIndex, u32(3)),
      ...nla(PolicyAttr.PolicyMaxType, u32(60)),
      ...nla(PolicyAttr.Bitfield32Mask, u32(0xff0f)),
      ...nla(PolicyAttr.Mask, u64(0xff00ff00ff00n)),
    ];
    expect(parseExtAck(Uint8Array.from(nla(4 | NLA_F_NESTED, policy)))).toEqual({
      policy: {
        type: 4,
        minValueSigned: -5n,
        maxValueSigned: 2n ** 63n - 1n,
        minValueUnsigned: 0n,
        maxValueUnsigned: 2n ** 64n - 1n,
        minLength: 1,
        maxLength: 15,
        policyIndex: 3,
        policyMaxType: 60,
        bitfield32Mask: 0xff0f,
        mask: 0xff00ff00ff00n,
      },
    });
  });

  it('POLICY without NLA_F_NESTED is parsed too', () => {
    expect(parseExtAck(Uint8Array.from(nla(4, nla(1, u32(11)))))).toEqual({ policy: { type: 11 } });
  });

  it('the MIN_VALUE_S bound is signed: most negative s64', () => {
    const ack = parseExtAck(Uint8Array.from(nla(4, nla(2, u64(-(2n ** 63n))))));
    expect(ack.policy!.minValueSigned).toBe(-(2n ** 63n));
  });

  it('unknown TLVs are kept (type masked), in order', () => {
    const tlvs = Uint8Array.from([...nla(99, [1, 2, 3]), ...nla(1, cstr('m')), ...nla(0x8000 | 7, []), ...nla(0x3fff, [9])]);
    const ack = parseExtAck(tlvs);
    expect(ack.message).toBe('m');
    expect(ack.unknown).toEqual([
      { type: 99, data: Uint8Array.from([1, 2, 3]) },
      { type: 7, data: new Uint8Array(0) },
      { type: 0x3fff, data: Uint8Array.from([9]) },
    ]);
  });

  it('all TLVs together, as a kernel error for a missing attribute would send them', () => {
    const tlvs = Uint8Array.from([
      ...nla(1, cstr('Missing required attribute')),
      ...nla(3, [7, 7]),
      ...nla(5, u32(3)),
      ...nla(6, u32(36)),
    ]);
    expect(parseExtAck(tlvs)).toEqual({ message: 'Missing required attribute', cookie: Uint8Array.from([7, 7]), missingType: 3, missingNest: 36 });
  });

  it('empty TLV area', () => {
    expect(parseExtAck(new Uint8Array(0))).toEqual({});
  });

  it('the later of two duplicate TLVs wins', () => {
    expect(parseExtAck(Uint8Array.from([...nla(2, u32(1)), ...nla(2, u32(2))])).offset).toBe(2);
  });

  const broken: { name: string; tlvs: number[]; keep: object; at: number; text: string }[] = [
    { name: 'nla_len 2', tlvs: [...nla(1, cstr('first')), ...u16(2), ...u16(2)], keep: { message: 'first' }, at: 12, text: 'length 2 is shorter' },
    { name: 'nla_len 0', tlvs: [...u16(0), ...u16(2), ...u32(0)], keep: {}, at: 0, text: 'length 0 is shorter' },
    { name: 'length past the end', tlvs: [...nla(2, u32(8)), ...nla(1, cstr('abc'), { len: 40 })], keep: { offset: 8 }, at: 8, text: 'runs past the end' },
    { name: '3 stray bytes', tlvs: [...nla(2, u32(8)), 1, 2, 3], keep: { offset: 8 }, at: 8, text: '3 bytes left over' },
    { name: 'OFFS of 2 bytes', tlvs: [...nla(1, cstr('m')), ...nla(2, [1, 2])], keep: { message: 'm' }, at: 8, text: 'not a u32' },
    { name: 'MISS_TYPE of 8 bytes', tlvs: [...nla(5, u64(1n))], keep: {}, at: 0, text: 'not a u32' },
    { name: 'POLICY with a 2-byte TYPE', tlvs: [...nla(1, cstr('m')), ...nla(4, nla(1, [1, 2]))], keep: { message: 'm', policy: {} }, at: 12, text: 'not a u32' },
    { name: 'POLICY with a broken nest', tlvs: [...nla(4, [...nla(7, u32(15)), ...u16(1), ...u16(1)])], keep: { policy: { maxLength: 15 } }, at: 12, text: 'length 1 is shorter' },
  ];
  it.each(broken)('malformed, never thrown: $name', ({ tlvs, keep, at, text }) => {
    const base = 36;
    let ack: ReturnType<typeof parseExtAck> | undefined;
    expect(() => (ack = parseExtAck(Uint8Array.from(tlvs), base))).not.toThrow();
    const { malformed, ...rest } = ack!;
    expect(rest).toEqual(keep);
    expect(malformed).toContain(`offset ${base + at}`);
    expect(malformed).toContain(text);
  });
});

describe('NLMSG_ERROR: malformed payloads are reported, never thrown', () => {
  it.each([0, 1, 2, 3])('%d-byte payload: too short for an errno', (n) => {
    const m = received(NLMSG_ERROR, 0, 1, 0, new Array<number>(n).fill(0xff));
    let a: ReturnType<typeof parseAck> | undefined;
    expect(() => (a = parseAck(m))).not.toThrow();
    expect(a!.errno).toBe(0);
    expect(a!.malformed).toBe(`error payload of ${n} bytes is too short for an errno`);
    expect(() => messageError(m)).not.toThrow();
  });

  it.each([4, 5, 12, 19])('%d-byte payload: errno kept, echoed header too short', (n) => {
    const payload = [...s32(-22), ...new Array<number>(n - 4).fill(0)];
    const m = received(NLMSG_ERROR, 0x300, 1, 0, payload);
    const a = parseAck(m);
    expect(a.errno).toBe(-22);
    expect(a.request).toBeUndefined();
    expect(a.malformed).toBe(`error payload of ${n} bytes is too short for the echoed request header`);
    const err = kernelError(m);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err!.errno).toBe(-22);
    expect(err!.extAck.malformed).toBe(a.malformed);
  });

  it('uncapped: the echoed length claims more than is present', () => {
    const m = received(NLMSG_ERROR, 0x200, 1, 0, [...s32(-1), ...request60.subarray(0, 36)]);
    const a = parseAck(m);
    expect(a.errno).toBe(-1);
    expect(a.request!.length).toBe(60);
    expect(a.requestData).toBeUndefined();
    expect(a.extAck).toEqual({});
    expect(a.malformed).toBe('echoed request claims 60 bytes but only 36 are present');
    const err = kernelError(m);
    expect(err!.code).toBe('EPERM');
    expect(err!.extAck.malformed).toBe(a.malformed);
  });

  it('uncapped: an echoed length of 0xffffffff', () => {
    const a = parseAck(received(NLMSG_ERROR, 0x200, 1, 0, [...s32(-1), ...nlmsghdr(0xffffffff, 0, 0, 0, 0), ...kernelTLVs]));
    expect(a.errno).toBe(-1);
    expect(a.malformed).toContain('claims 4294967295 bytes');
  });

  it('uncapped: an echoed length below 16 is treated as a bare header', () => {
    const a = parseAck(received(NLMSG_ERROR, 0x200, 1, 0, [...s32(-1), ...nlmsghdr(3, 0, 0, 0, 0), ...nla(2, u32(4))]));
    expect(a.errno).toBe(-1);
    expect(a.requestData!.length).toBe(0);
    expect(a.tlvOffset).toBe(20);
    expect(a.extAck).toEqual({ offset: 4 });
  });

  it('capped with a broken TLV: errno and earlier TLVs kept, malformed offset counted from the message start', () => {
    const tlvs = [...nla(ExtAckAttr.Msg, cstr('x')), ...nla(ExtAckAttr.Offset, u32(32), { len: 200 })];
    const m = received(NLMSG_ERROR, 0x300, 1, 0, [...s32(-34), ...request264.subarray(0, 16), ...tlvs]);
    const a = parseAck(m);
    expect(a.errno).toBe(-34);
    expect(a.extAck.message).toBe('x');
    expect(a.extAck.offset).toBeUndefined();
    // 16 + 4 + 16 + 8 = 44
    expect(a.extAck.malformed).toContain('offset 44');
    expect(a.extAck.malformed).toContain('runs past the end');
    const err = kernelError(m);
    expect(err!.errno).toBe(-34);
    expect(err!.message).toContain(': x');
  });

  it('uncapped with a broken TLV: offset counted past the aligned echoed request', () => {
    const tlvs = [...nla(ExtAckAttr.Offset, u32(32)), 0xff];
    const a = parseAck(received(NLMSG_ERROR, 0x200, 1, 0, [...s32(-34), ...request60, ...tlvs]));
    expect(a.extAck.offset).toBe(32);
    // 16 + 4 + 60 + 8 = 88
    expect(a.extAck.malformed).toContain('offset 88: 1 byte left over');
  });

  it('TLV bytes without NLM_F_ACK_TLVS are ignored', () => {
    const a = parseAck(received(NLMSG_ERROR, 0x100, 1, 0, [...s32(-34), ...request60.subarray(0, 16), ...kernelTLVs]));
    expect(a.errno).toBe(-34);
    expect(a.extAck).toEqual({});
    expect(a.tlvOffset).toBeUndefined();
  });

  it('NLM_F_ACK_TLVS with no bytes after the header: no TLVs, no complaint', () => {
    const a = parseAck(received(NLMSG_ERROR, 0x300, 1, 0, [...s32(-34), ...request60.subarray(0, 16)]));
    expect(a.extAck).toEqual({});
    expect(a.malformed).toBeUndefined();
  });
});

describe('other message types and NetlinkError details', () => {
  it.each([
    ['NOOP', 1],
    ['OVERRUN', 4],
    ['a family message', 0x10],
    ['RTM_NEWLINK', 16],
  ])('%s is not an ack: errno 0, no error', (_name, type) => {
    const m = received(type, 0x2, 1, 0, s32(-22));
    expect(parseAck(m)).toEqual({ errno: 0, extAck: {} });
    expect(messageError(m)).toBeUndefined();
  });

  it('errno text covers ext-ack message, offset and missing type', () => {
    const tlvs = [...nla(1, cstr('Missing attribute')), ...nla(2, u32(40)), ...nla(5, u32(3))];
    const err = kernelError(received(NLMSG_ERROR, 0x300, 9, 0, [...s32(-22), ...request60.subarray(0, 16), ...tlvs]));
    expect(err!.message).toBe('EINVAL: Invalid argument: Missing attribute (offset 40) (missing attribute type 3)');
    expect(err!.sequence).toBe(9);
  });

  it('without TLVs the text is just the errno', () => {
    const err = kernelError(received(NLMSG_ERROR, 0x100, 9, 0, [...s32(-2), ...request60.subarray(0, 16)]));
    expect(err!.message).toBe('ENOENT: No such file or directory');
    expect(err!.extAck).toEqual({});
  });

  it('kernel-internal errnos are named (ENOTSUPP, 524), and Linux codes Node lacks too', () => {
    const err = kernelError(received(NLMSG_ERROR, 0x100, 9, 0, [...s32(-524), ...request60.subarray(0, 16)]));
    expect(err!.errno).toBe(-524);
    expect(err!.code).toBe('ENOTSUPP');
    expect(err!.message).toBe('ENOTSUPP: Operation not supported (kernel-internal ENOTSUPP)');
    const badmsg = messageError(received(NLMSG_ERROR, 0x100, 9, 0, [...s32(-74), ...request60.subarray(0, 16)]));
    expect(badmsg!.code).toBe('EBADMSG');
    expect(badmsg!.message).toBe('EBADMSG: Bad message');
  });

  it.each([
    [-4095, 'E4095', 'Unknown error 4095'],
    [-4094, 'E4094', 'Unknown error 4094'],
    [-3008, 'E3008', 'Unknown error 3008'],
  ])('errno %d is not named after libuv\'s own codes (EOF, UNKNOWN, EAI_*)', (errno, code, text) => {
    const err = kernelError(received(NLMSG_DONE, 0x2, 9, 0, s32(errno)));
    expect(err!.errno).toBe(errno);
    expect(err!.code).toBe(code);
    expect(err!.message).toBe(`${code}: ${text}`);
  });

  it('NetlinkError normalises a positive errno to negative', () => {
    const e = new NetlinkError({ errno: 34 });
    expect(e.errno).toBe(-34);
    expect(e.code).toBe('ERANGE');
    expect(e.extAck).toEqual({});
    expect(e.sequence).toBe(0);
  });
});

describe('NLM_F_DUMP_INTR', () => {
  it('is seen on data messages and on DONE', () => {
    const data = received(16, 0x12, 1, 0, [1, 2, 3, 4]);
    const done = received(NLMSG_DONE, 0x12, 1, 0, s32(0));
    const clean = received(16, 0x2, 1, 0, [1, 2, 3, 4]);
    expect(isDumpInterrupted(data)).toBe(true);
    expect(isDumpInterrupted(done)).toBe(true);
    expect(isDumpInterrupted(clean)).toBe(false);
    expect(() => checkDumpConsistent([clean, clean])).not.toThrow();
    let thrown: unknown;
    try {
      checkDumpConsistent([clean, done]);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DumpInterruptedError);
    expect((thrown as DumpInterruptedError).messages).toEqual([clean, done]);
  });
});
