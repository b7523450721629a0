// Captures: classic pcap (both byte orders, micro- and nanosecond, "modified"), pcapng (both byte
// orders, if_tsresol / if_tsoffset, EPB / SPB / obsolete PB, unknown blocks, several sections and
// interfaces), the link types that carry netlink, and damaged files. Files come from our own
// writer (test/fixtures/input/capture-writer.ts) and from text2pcap/editcap (Wireshark 4.0.17;
// see test/fixtures/input/README.md), whose timestamps tshark confirmed.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError, readInput, readPcap, type ReadResult } from '../src/input/index.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NETLINK,
  PACKET_KERNEL,
  PACKET_USER,
  block,
  cat,
  cooked,
  cooked2,
  epb,
  idb,
  opb,
  shb,
  spb,
  writePcap,
} from './fixtures/input/capture-writer.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/input/${name}`, import.meta.url)));
const sample = fixture('sample.bin');
const message1 = sample.subarray(0, 68); // RTM_NEWLINK request
const message2 = sample.subarray(68); // NLMSG_ERROR
const getlink = fixture('getlink.bin');

/** The error readPcap/readInput throws for `bytes` (fails the test if there is none). */
function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

/** Packets reduced to what the tests compare. */
function summary(r: ReadResult) {
  return r.packets.map((p) => ({
    data: Buffer.from(p.data).toString('hex'),
    protocol: p.protocol,
    direction: p.direction,
    ns: p.timestampNs,
    ms: p.time?.getTime(),
    index: p.index,
    where: p.where,
  }));
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('real-tool captures (text2pcap, editcap)', () => {
  // tshark -r text2pcap.pcapng -T fields -e frame.time_epoch: 1700000000.123456000,
  // 1700000000.654321000, 1700000001.000001000 (test/fixtures/input/text2pcap.tshark-fields.tsv)
  const expected = [
    { data: hex(message1), protocol: 0, direction: 'to-kernel', ns: 1700000000123456000n, ms: 1700000000123, index: 0, where: 'cap packet 1' },
    { data: hex(message2), protocol: 0, direction: 'to-user', ns: 1700000000654321000n, ms: 1700000000654, index: 1, where: 'cap packet 2' },
    { data: hex(getlink), protocol: 16, direction: 'to-kernel', ns: 1700000001000001000n, ms: 1700000001000, index: 2, where: 'cap packet 3' },
  ];

  it.each([
    ['text2pcap.pcap', 'pcap'],
    ['text2pcap.pcapng', 'pcapng'],
    ['editcap-nsec.pcap', 'pcap'],
  ] as const)('%s', (name, format) => {
    const r = readInput(fixture(name), 'auto', { source: 'cap' });
    expect(r.format).toBe(format);
    expect(r.warnings).toEqual([]);
    expect(summary(r)).toEqual(expected);
  });

  it('the nanosecond file really is one (magic a1b23c4d)', () => {
    expect(hex(fixture('editcap-nsec.pcap').subarray(0, 4))).toBe('4d3cb2a1');
  });

  it('explicit pcap format and readPcap agree with auto', () => {
    const bytes = fixture('text2pcap.pcapng');
    expect(summary(readInput(bytes, 'pcap', { source: 'cap' }))).toEqual(expected);
    expect(summary(readPcap(bytes, { source: 'cap' }))).toEqual(expected);
  });
});

describe('classic pcap from our writer', () => {
  const records = [
    { frame: cooked(message1, 0, PACKET_KERNEL), seconds: 1700000000, fraction: 1 },
    { frame: cooked(message2, 12, PACKET_USER), seconds: 1700000005, fraction: 999_999 },
    { frame: cooked(getlink, 16, 4), seconds: 0, fraction: 0 },
  ];

  it.each([true, false])('microsecond, little-endian=%s', (little) => {
    const r = readPcap(writePcap(records, { little }));
    expect(r.format).toBe('pcap');
    expect(summary(r)).toEqual([
      { data: hex(message1), protocol: 0, direction: 'to-kernel', ns: 1700000000000001000n, ms: 1700000000000, index: 0, where: 'input packet 1' },
      { data: hex(message2), protocol: 12, direction: 'to-user', ns: 1700000005999999000n, ms: 1700000005999, index: 1, where: 'input packet 2' },
      { data: hex(getlink), protocol: 16, direction: undefined, ns: 0n, ms: 0, index: 2, where: 'input packet 3' },
    ]);
  });

  it.each([true, false])('nanosecond, little-endian=%s', (little) => {
    const r = readPcap(writePcap([{ frame: cooked(message1, 9), seconds: 1700000000, fraction: 123_456_789 }], { little, nano: true }));
    expect(r.packets[0]!.timestampNs).toBe(1700000000123456789n);
    expect(r.packets[0]!.time).toEqual(new Date(1700000000123));
    expect(r.packets[0]!.protocol).toBe(9);
  });

  it('the big-endian magic is d4 c3 b2 a1 / a1 b2 c3 d4 as written', () => {
    expect(hex(writePcap([], { little: true }).subarray(0, 4))).toBe('d4c3b2a1');
    expect(hex(writePcap([], { little: false }).subarray(0, 4))).toBe('a1b2c3d4');
  });

  it('"modified pcap" (a1b2cd34) with 24-byte record headers', () => {
    const r = readPcap(writePcap(records, { little: true, modified: true }));
    expect(r.packets.map((p) => hex(p.data))).toEqual([hex(message1), hex(message2), hex(getlink)]);
  });

  it('a capture without packets is empty, with a warning', () => {
    const r = readPcap(writePcap([], { little: true }));
    expect(r.packets).toEqual([]);
    expect(r.warnings).toEqual(['the capture holds no packets']);
  });

  it('a packet cut by the snap length is kept, with a warning', () => {
    const r = readPcap(writePcap([{ frame: cooked(message1.subarray(0, 20), 0), seconds: 1, fraction: 0, originalLength: 84 }], { little: true }));
    expect(hex(r.packets[0]!.data)).toBe(hex(message1.subarray(0, 20)));
    expect(r.warnings).toEqual(['input packet 1: only 36 of its 84 bytes were captured (snap length); its last message is cut short']);
  });

  it('data is a view into the input (no copy)', () => {
    const file = writePcap(records, { little: true });
    const r = readPcap(file);
    expect(r.packets[0]!.data.buffer).toBe(file.buffer);
  });

  it('LINUX_SLL (tcpdump -i any): netlink packets kept, others skipped with a warning', () => {
    const ip = cat([0, 0, 0, 1, 0, 6], new Uint8Array(8), [0x08, 0x00], new Uint8Array(20));
    const r = readPcap(writePcap([
      { frame: ip, seconds: 1, fraction: 0 },
      { frame: cooked(message1, 0, PACKET_KERNEL), seconds: 2, fraction: 0 },
      { frame: ip, seconds: 3, fraction: 0 },
    ], { little: true, linkType: LINKTYPE_LINUX_SLL }));
    expect(r.packets.map((p) => [p.index, p.where, hex(p.data), p.protocol])).toEqual([[1, 'input packet 2', hex(message1), 0]]);
    expect(r.warnings).toEqual(['skipped 2 packets (first: packet 1): not netlink']);
  });

  it('LINUX_SLL2: protocol from bytes 0–1, ARPHRD from 8–9, packet type from byte 10', () => {
    const r = readPcap(writePcap([
      { frame: cooked2(getlink, 16, PACKET_USER), seconds: 1, fraction: 0 },
      { frame: cooked2(new Uint8Array(28), 0x0800, 0, 1), seconds: 2, fraction: 0 },
    ], { little: false, linkType: LINKTYPE_LINUX_SLL2 }));
    expect(r.packets.map((p) => [hex(p.data), p.protocol, p.direction])).toEqual([[hex(getlink), 16, 'to-user']]);
    expect(r.warnings).toEqual(['skipped 1 packet (first: packet 2): not netlink']);
  });

  it('LINUX_SLL with no netlink packet at all is an error that says why', () => {
    const ip = cat([0, 0, 0, 1, 0, 6], new Uint8Array(8), [0x08, 0x00], new Uint8Array(20));
    const e = errorOf(() => readPcap(writePcap([{ frame: ip, seconds: 1, fraction: 0 }], { little: true, linkType: LINKTYPE_LINUX_SLL }), { source: 'any.pcap' }));
    expect(e.message).toBe('any.pcap: no netlink packets in this pcap capture (link type 113 (LINUX_SLL)): not netlink; capture on an nlmon device (ip link add nlmon0 type nlmon)');
  });

  it('NETLINK packets with another ARPHRD are read, with a warning; short ones are skipped', () => {
    const r = readPcap(writePcap([
      { frame: cooked(message1, 0, 4, 772), seconds: 1, fraction: 0 },
      { frame: new Uint8Array(5), seconds: 2, fraction: 0 },
    ], { little: true }));
    expect(r.packets.map((p) => hex(p.data))).toEqual([hex(message1)]);
    expect(r.warnings).toEqual([
      'skipped 1 packet (first: packet 2): 5 bytes, shorter than the 16-byte link-layer header',
      '1 packet (first: packet 1): its pseudo-header says ARPHRD 772, not 824 (ARPHRD_NETLINK); read as netlink anyway',
    ]);
  });
});

describe('pcapng from our writer', () => {
  it.each([true, false])('EPB, default microsecond resolution, little-endian=%s', (little) => {
    const file = cat(
      shb(little),
      idb(little, LINKTYPE_NETLINK, { name: 'nlmon0' }),
      epb(little, 0, 1700000000_000001n, cooked(message1, 0, PACKET_KERNEL)),
      epb(little, 0, 1700000000_500000n, cooked(message2, 0, PACKET_USER)),
    );
    const r = readPcap(file, { source: 'ng' });
    expect(r.format).toBe('pcapng');
    expect(r.warnings).toEqual([]);
    expect(summary(r)).toEqual([
      { data: hex(message1), protocol: 0, direction: 'to-kernel', ns: 1700000000000001000n, ms: 1700000000000, index: 0, where: 'ng packet 1' },
      { data: hex(message2), protocol: 0, direction: 'to-user', ns: 1700000000500000000n, ms: 1700000000500, index: 1, where: 'ng packet 2' },
    ]);
  });

  it.each([
    ['nanoseconds (tsresol 9)', 9, undefined, 1700000000_123456789n, 1700000000123456789n],
    ['milliseconds (tsresol 3)', 3, undefined, 1700000000_123n, 1700000000123000000n],
    ['2^-10 s (tsresol 0x8a)', 0x8a, undefined, 1024n * 3n + 512n, 3500000000n],
    ['picoseconds (tsresol 12), truncated to ns', 12, undefined, 1_000_000_000_001_999n, 1_000_000_000_001n],
    ['seconds with if_tsoffset 1700000000', 0, 1700000000n, 5n, 1700000005000000000n],
  ])('timestamps in %s', (_name, tsresol, tsoffset, ts, ns) => {
    const o: { tsresol: number; tsoffset?: bigint } = { tsresol };
    if (tsoffset !== undefined) o.tsoffset = tsoffset;
    const file = cat(shb(true), idb(true, LINKTYPE_NETLINK, o), epb(true, 0, ts, cooked(getlink, 0)));
    const p = readPcap(file).packets[0]!;
    expect(p.timestampNs).toBe(ns);
    expect(p.time?.getTime()).toBe(Number(ns / 1_000_000n));
  });

  it('timestamps beyond the range of Date keep timestampNs and have no time', () => {
    const file = cat(shb(true), idb(true, LINKTYPE_NETLINK, { tsresol: 0 }), epb(true, 0, 0xffffffffffffffffn, cooked(getlink, 0)));
    const p = readPcap(file).packets[0]!;
    expect(p.timestampNs).toBe(18446744073709551615n * 1_000_000_000n);
    expect(p.time).toBeUndefined();
  });

  it('Simple Packet Blocks (no time, snap length applies) and obsolete Packet Blocks', () => {
    const file = cat(
      shb(false),
      idb(false, LINKTYPE_NETLINK, { snapLength: 16 + 20 }),
      spb(false, cooked(message1, 0), 84),
      opb(false, 0, 7_000_000n, cooked(getlink, 16)),
    );
    const r = readPcap(file);
    expect(summary(r).map(({ data, protocol, ns }) => ({ data, protocol, ns }))).toEqual([
      { data: hex(message1.subarray(0, 20)), protocol: 0, ns: undefined },
      { data: hex(getlink), protocol: 16, ns: 7_000_000_000n },
    ]);
  });

  it('skips unknown blocks, reads several sections with their own byte order and interfaces', () => {
    const file = cat(
      shb(true),
      block(0x0bad, Uint8Array.of(1, 2, 3), true), // custom
      idb(true, LINKTYPE_ETHERNET),
      idb(true, LINKTYPE_NETLINK),
      block(5, new Uint8Array(16), true), // interface statistics
      epb(true, 1, 1_000_000n, cooked(message1, 0)),
      epb(true, 0, 2_000_000n, new Uint8Array(60)), // Ethernet: skipped
      shb(false),
      idb(false, LINKTYPE_NETLINK, { tsresol: 9 }),
      epb(false, 0, 3_000_000_000n, cooked(message2, 4)),
    );
    const r = readPcap(file);
    expect(r.packets.map((p) => [p.index, hex(p.data), p.protocol, p.timestampNs])).toEqual([
      [0, hex(message1), 0, 1_000_000_000n],
      [2, hex(message2), 4, 3_000_000_000n],
    ]);
    expect(r.warnings).toEqual(['skipped 1 packet (first: packet 2): not netlink (link type 1 (ETHERNET))']);
  });

  it('only non-netlink interfaces: an error naming the link types', () => {
    const file = cat(shb(true), idb(true, LINKTYPE_ETHERNET), epb(true, 0, 0n, new Uint8Array(60)));
    expect(errorOf(() => readPcap(file, { source: 'eth.pcapng' })).message).toBe(
      'eth.pcapng: no netlink packets in this pcapng capture (link type 1 (ETHERNET)): not netlink (link type 1 (ETHERNET)); capture on an nlmon device (ip link add nlmon0 type nlmon)',
    );
  });
});

describe('damaged and wrong captures', () => {
  const good = writePcap([
    { frame: cooked(message1, 0), seconds: 1, fraction: 0 },
    { frame: cooked(message2, 0), seconds: 2, fraction: 0 },
  ], { little: true });

  it('wrong link type: names it', () => {
    const e = errorOf(() => readInput(writePcap([], { little: true, linkType: LINKTYPE_ETHERNET }), 'auto', { source: 'eth.pcap' }));
    expect(e.message).toBe('eth.pcap: pcap link type 1 (ETHERNET) is not netlink; nlctl reads captures of link type 253 (NETLINK), as tcpdump -i nlmon0 writes them (also 113/276, Linux cooked, for their netlink packets)');
    expect(e.code).toBe('ERR_NLCTL_INPUT');
    expect(e.offset).toBe(20);
    const unknown = errorOf(() => readPcap(writePcap([], { little: false, linkType: 147 })));
    expect(unknown.message).toContain('pcap link type 147 is not netlink');
  });

  it('truncated file header', () => {
    const e = errorOf(() => readInput(good.subarray(0, 10), 'pcap', { source: 'x.pcap' }));
    expect(e.message).toBe('x.pcap: pcap file header is cut short: 10 of its 24 bytes');
    expect(e.partial?.packets).toEqual([]);
  });

  it('truncated record header: keeps the packets before it', () => {
    const firstEnd = 24 + 16 + 16 + 68;
    const e = errorOf(() => readPcap(good.subarray(0, firstEnd + 5), { source: 'x.pcap' }));
    expect(e.message).toBe(`x.pcap: packet 2 at byte ${firstEnd}: its record header is cut short (5 of 16 bytes; the capture was cut off?)`);
    expect(e.offset).toBe(firstEnd);
    expect(e.partial?.packets.map((p) => hex(p.data))).toEqual([hex(message1)]);
  });

  it('truncated packet', () => {
    const e = errorOf(() => readPcap(good.subarray(0, good.length - 1), { source: 'x.pcap' }));
    const at = 24 + 16 + 16 + 68;
    expect(e.message).toBe(`x.pcap: packet 2 at byte ${at}: its record says 76 captured bytes, but only 75 remain (the capture was cut off?)`);
    expect(e.partial?.packets).toHaveLength(1);
  });

  it('pcapng: truncated block, bad lengths, bad byte-order magic, packet before any interface', () => {
    const ng = cat(shb(true), idb(true, LINKTYPE_NETLINK), epb(true, 0, 0n, cooked(message1, 0)));
    expect(errorOf(() => readPcap(ng.subarray(0, ng.length - 4))).message).toBe(`input: block at byte 48 says it is 116 bytes, but only 112 remain (the capture was cut off?)`);
    const badTrailer = ng.slice();
    badTrailer[ng.length - 4] = 0x99;
    expect(errorOf(() => readPcap(badTrailer)).message).toBe('input: block at byte 48: its trailing length 153 differs from its leading length 116 (corrupt capture)');
    const badLength = ng.slice();
    badLength[4] = 27;
    expect(errorOf(() => readPcap(badLength)).message).toBe('input: block at byte 0 has an impossible length 27 (at least 12 and a multiple of 4)');
    const badOrder = ng.slice();
    badOrder[8] = 0;
    expect(errorOf(() => readPcap(badOrder)).message).toBe('input: section header block at byte 0 has a bad byte-order magic (0x1a2b3c00)');
    const orphan = cat(shb(true), epb(true, 0, 0n, cooked(message1, 0)));
    expect(errorOf(() => readPcap(orphan)).message).toBe('input: packet 1 (block at byte 28) names interface 0, but this section describes 0 interfaces');
    const spbFirst = cat(shb(true), spb(true, cooked(message1, 0)));
    expect(errorOf(() => readPcap(spbFirst)).message).toBe('input: packet 1 (simple packet block at byte 28) comes before any interface description');
  });

  it('not a capture at all', () => {
    expect(errorOf(() => readPcap(Uint8Array.of(1, 2, 3, 4, 5))).message).toBe(
      'input: not a pcap or pcapng capture (it starts with 01 02 03 04; a pcap starts with d4 c3 b2 a1 or a1 b2 c3 d4, a pcapng with 0a 0d 0d 0a)',
    );
    expect(errorOf(() => readInput(Uint8Array.of(1, 2, 3, 4, 5), 'pcap')).message).toContain('not a pcap or pcapng capture');
  });

  it('every truncation of every capture is either packets or an InputError carrying a prefix of them', () => {
    const files = [fixture('text2pcap.pcap'), fixture('text2pcap.pcapng'), fixture('editcap-nsec.pcap'), good];
    for (const file of files) {
      const full = readPcap(file).packets.map((p) => hex(p.data));
      for (let n = 0; n < file.length; n++) {
        // auto needs the 4-byte magic to know a capture; 'pcap' is told
        for (const format of n >= 4 ? (['pcap', 'auto'] as const) : (['pcap'] as const)) {
          let got: string[];
          try {
            got = readInput(file.subarray(0, n), format).packets.map((p) => hex(p.data));
          } catch (err) {
            expect(err).toBeInstanceOf(InputError);
            got = (err as InputError).partial?.packets.map((p) => hex(p.data)) ?? [];
          }
          // what a prefix yields is whole packets of the full file, in order
          expect(full.slice(0, got.length)).toEqual(got);
        }
      }
    }
  });
});
