// readInput: choosing the reader (auto), raw input, gzip, and the errors every format shares.

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError, asText, readInput, type InputFormat } from '../src/input/index.js';

const dir = new URL('./fixtures/input/', import.meta.url);
const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const sample = bytesOf('sample.bin');

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('auto', () => {
  it('binary netlink is raw: one packet, the whole input, a view of it', () => {
    const r = readInput(sample, 'auto', { source: 'dump.bin' });
    expect(r).toEqual({ packets: [{ data: sample, index: 0, where: 'dump.bin' }], format: 'raw', warnings: [] });
    expect(r.packets[0]!.data.buffer).toBe(sample.buffer);
  });

  it('a Buffer that is a slice of a larger pool (byteOffset > 0) reads the same', () => {
    const pool = Buffer.concat([Buffer.alloc(13, 0xee), Buffer.from(bytesOf('text2pcap.pcap')), Buffer.from(sample)]);
    const pcap = pool.subarray(13, pool.length - sample.length);
    expect(readInput(pcap).packets.map((p) => hex(p.data))).toEqual(readInput(bytesOf('text2pcap.pcap')).packets.map((p) => hex(p.data)));
    const raw = pool.subarray(pool.length - sample.length);
    expect(readInput(raw)).toEqual({ packets: [{ data: raw, index: 0, where: 'input' }], format: 'raw', warnings: [] });
  });

  it('text is hex; a capture is a capture', () => {
    expect(readInput(utf8(hex(sample))).format).toBe('hex');
    expect(readInput(bytesOf('text2pcap.pcapng')).format).toBe('pcapng');
    expect(readInput(bytesOf('text2pcap.pcap')).format).toBe('pcap');
  });

  it('gzip is unpacked first (a .pcap.gz, a .txt.gz)', () => {
    const pcap = readInput(gzipSync(bytesOf('text2pcap.pcap')));
    expect(pcap.format).toBe('pcap');
    expect(pcap.packets).toHaveLength(3);
    expect(pcap.warnings).toEqual(['the input was gzip-compressed']);
    const text = readInput(gzipSync(bytesOf('sample.xxd.txt')), 'auto');
    expect(text.format).toBe('hex');
    expect(hex(text.packets[0]!.data)).toBe(hex(sample));
    expect(readInput(gzipSync(bytesOf('text2pcap.pcap')), 'pcap').packets).toHaveLength(3);
  });

  it('broken gzip is an InputError', () => {
    const gz = gzipSync(sample).subarray(0, 12);
    expect(errorOf(() => readInput(gz, 'auto', { source: 'x.gz' })).message).toMatch(/^x\.gz: the input is gzip-compressed but could not be decompressed \(.+\)$/);
  });

  it('text that is not hex: the hex error, and a hint that auto read it as hex', () => {
    expect(errorOf(() => readInput(utf8('hello world\n'), 'auto', { source: 'notes.txt' })).message).toBe(
      "notes.txt: line 1, column 1: 'h' is not a hex digit (the input is text, so it was read as hex; give the format if it is something else)",
    );
  });

  it('what counts as text', () => {
    expect(asText(utf8('44 00\t\r\n\x1b[1m\f\v'))).toBe('44 00\t\r\n\x1b[1m\f\v');
    expect(asText(utf8('é ✓'))).toBe('é ✓');
    expect(asText(Uint8Array.of(0x34, 0x00))).toBeUndefined(); // NUL
    expect(asText(Uint8Array.of(0x34, 0x01))).toBeUndefined(); // control character
    expect(asText(Uint8Array.of(0x34, 0xff))).toBeUndefined(); // not UTF-8
  });
});

describe('raw', () => {
  it('takes any bytes as they are, text included', () => {
    const r = readInput(utf8('4400'), 'raw');
    expect(hex(r.packets[0]!.data)).toBe(hex(utf8('4400')));
  });

  it('warns when the input cannot start with a netlink header', () => {
    expect(readInput(Uint8Array.of(1, 2, 3), 'raw').warnings).toEqual(['the input is 3 bytes, shorter than one netlink message header (16)']);
    expect(readInput(new Uint8Array(20).fill(0xff), 'raw').warnings).toEqual(['the input does not start with a netlink message header (its first 4 bytes as nlmsg_len: 4294967295, the input is 20 bytes)']);
    expect(readInput(sample, 'raw').warnings).toEqual([]);
  });
});

describe('errors every format shares', () => {
  it.each(['auto', 'raw', 'hex', 'pcap'] as InputFormat[])('empty input (%s)', (format) => {
    const e = errorOf(() => readInput(new Uint8Array(0), format, { source: 'empty.bin' }));
    expect(e.message).toBe('empty.bin: empty input');
    expect(e.code).toBe('ERR_NLCTL_INPUT');
    expect(e.name).toBe('InputError');
    expect(e).toBeInstanceOf(Error);
  });

  it('hex given binary bytes', () => {
    expect(errorOf(() => readInput(sample, 'hex')).message).toBe('input: not hex text: the input holds binary bytes (NUL, control characters or invalid UTF-8)');
  });

  it('pcap given text', () => {
    expect(errorOf(() => readInput(utf8('4400'), 'pcap')).message).toBe(
      'input: not a pcap or pcapng capture (it starts with 34 34 30 30; a pcap starts with d4 c3 b2 a1 or a1 b2 c3 d4, a pcapng with 0a 0d 0d 0a)',
    );
  });

  it('an unknown format name', () => {
    expect(errorOf(() => readInput(sample, 'json' as InputFormat)).message).toBe('input: unknown input format "json" (use auto, raw, hex or pcap)');
  });

  it.each([
    ['zz', "input: line 1, column 1: 'z' is not a hex digit"],
    ['4400 0', 'input: line 1, column 6: odd number of hex digits: the group starting here leaves one digit over at the end of its paragraph (line 1)'],
  ])('hex %j', (text, message) => {
    expect(errorOf(() => readInput(utf8(text), 'hex')).message).toBe(message);
  });
});
