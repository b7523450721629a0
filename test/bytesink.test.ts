// ByteSink: what the NDJSON output is written into. Every writer must give exactly the bytes
// the string path gave (String(n), UTF-8 of the text), whatever the buffer size and growth.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSink, utf8 } from '../src/model/bytesink.js';

describe('ByteSink', () => {
  it('writes integers as String does', () => {
    const integer = fc.oneof(
      fc.nat(),
      fc.integer(),
      fc.bigInt(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(Math.trunc),
      fc.constantFrom(0, -0, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER),
    );
    fc.assert(
      fc.property(integer, (n) => {
        const s = new ByteSink(1);
        if (typeof n === 'number' && n >= 0) s.uint(n);
        else s.int(n);
        expect(s.toString()).toBe(Object.is(n, -0) ? '0' : String(n));
      }),
      { numRuns: 3000 },
    );
    // Not an integer: as String gives it.
    const s = new ByteSink(1);
    s.uint(1.5);
    expect(s.toString()).toBe('1.5');
  });

  it('writes every octet as its decimal digits', () => {
    const s = new ByteSink(2);
    for (let v = 0; v < 256; v++) {
      s.octet(v);
      s.byte(0x2c);
    }
    expect(s.toString()).toBe(Array.from({ length: 256 }, (_, v) => `${v},`).join(''));
  });

  it('writes text as UTF-8, short, long, ASCII or not, lone surrogates as U+FFFD', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('\ud800', 'a\udc00b', 'x'.repeat(100))), { maxLength: 8 }), (parts) => {
        const s = new ByteSink(3);
        for (const p of parts) s.text(p);
        expect(Buffer.from(s.buf.subarray(0, s.pos)).equals(Buffer.from(parts.join(''), 'utf8'))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('copies bytes, ranges and hex, growing as needed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 64 }), (src, a, b, initial) => {
        const start = src.length ? a % src.length : 0;
        const end = start + (src.length - start ? b % (src.length - start + 1) : 0);
        const s = new ByteSink(initial);
        s.bytes(src);
        s.range(src, start, end);
        s.hex(src, start, end);
        const want = Buffer.concat([src, src.subarray(start, end), Buffer.from(Buffer.from(src.subarray(start, end)).toString('hex'))]);
        expect(Buffer.from(s.buf.subarray(0, s.pos)).equals(want)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('hands written bytes over and goes on in the buffer given back, or a new one', () => {
    const s = new ByteSink(8);
    s.bytes(utf8('first chunk'));
    const first = s.take();
    expect(first.toString()).toBe('first chunk');
    expect(s.pos).toBe(0);
    s.text('second');
    // The first chunk is not written again after it was taken.
    expect(first.toString()).toBe('first chunk');
    expect(s.take().toString()).toBe('second');
    const spare = Buffer.alloc(16);
    s.take(spare);
    s.text('third');
    expect(s.buf).toBe(spare);
    expect(s.toString()).toBe('third');
  });

  it('discards what was written after a mark when pos is set back', () => {
    const s = new ByteSink(4);
    s.text('kept');
    const mark = s.pos;
    s.text(' and a long tail that makes the buffer grow');
    s.pos = mark;
    s.text('!');
    expect(s.toString()).toBe('kept!');
  });
});
