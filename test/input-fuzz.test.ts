// Property tests (fast-check) for the input readers:
// * any bytes and any text, in every format, give packets or an InputError with a one-line
//   message, never another exception and never a hang;
// * damaged captures (truncated at every length elsewhere, here mutated at random) likewise;
// * bytes written out in each text form by an independent formatter (and by the real xxd,
//   hexdump and od where installed) read back to the same bytes;
// * random captures from our writer read back to exactly their packets and timestamps;
// * big inputs (a 100k-message capture, 20 MB of hex) are read in linear time.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, parseHexText, readInput, readPcap, type HexParseResult, type InputFormat, type ReadResult } from '../src/input/index.js';
import {
  LINKTYPE_NETLINK,
  cat,
  cooked,
  epb,
  idb,
  shb,
  writePcap,
} from './fixtures/input/capture-writer.js';
import { LE } from './helpers/bytes.js';

const RUNS = 1000;
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/input/${name}`, import.meta.url)));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const h2 = (n: number): string => n.toString(16).padStart(2, '0');

/** Run `fn`; it must return or throw an InputError with a one-line message. */
function readsOrRefuses(fn: () => ReadResult | HexParseResult): void {
  try {
    const r = fn();
    if ('format' in r) {
      r.packets.forEach((p, i) => {
        expect(p.data).toBeInstanceOf(Uint8Array);
        expect(typeof p.where).toBe('string');
        if (i > 0) expect(p.index).toBeGreaterThan(r.packets[i - 1]!.index);
      });
    } else {
      expect(r.bytes.length).toBe(r.packets.reduce((n, p) => n + p.bytes.length, 0));
    }
    for (const w of r.warnings) expect(w).not.toContain('\n');
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    expect(err.message).not.toContain('\n');
    expect(err.message.length).toBeGreaterThan(0);
  }
}

describe('never anything but packets or an InputError', () => {
  const formats: InputFormat[] = ['auto', 'raw', 'hex', 'pcap'];

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(...formats), (bytes, format) => {
        readsOrRefuses(() => readInput(bytes, format));
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('random bytes after a capture magic number', () => {
    const magics = [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0xa1, 0xb2, 0xcd, 0x34], [0x0a, 0x0d, 0x0d, 0x0a]];
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 400 }), (magic, rest) => {
        readsOrRefuses(() => readInput(cat(magic, rest), 'auto'));
      }),
      { numRuns: RUNS * 4 },
    );
  });

  // Text made of the pieces the text readers look for, so that random text reaches deep into them.
  const pieces = [
    '0', '4', 'a', 'F', 'g', 'x', '0x', '\\x', '\\', '"', "'", 'b\'', ' ', '  ', '   ', '\t', '\n', '\n\n', '\r\n',
    ':', ',', ';', '-', '#', '//', '/*', '*/', '*', '|', '[', ']', '{', '}', '(', ')', '<Buffer', '>', '...',
    '00000000: ', '00000010  ', '0000  ', '0000000 ', '0000020 ', ' | 00000  ', ' * 4 bytes in buffer 0', ' * 1 bytes in buffer 1',
    '----------------\t------------------', '|  0000000020  |\t| message length |', '| 00016 | R-A- |\t|  type | flags  |',
    '|  0000000001  |\t| sequence number|', '|  0000000002  |\t|     port ID    |', '| 44 00 00 00  |\t|      data      |',
    '|00008|N-|00003|\t|len |flags| type|', '\x1b[1;31m', '44 00 00 00 ', 'ff', '104', '000104', 'nlmsg_len=1', '0xfff', '-1', '256', 'é',
  ];
  const hexishText = fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join(''));

  it('random hex-ish text', () => {
    fc.assert(
      fc.property(hexishText, (text) => {
        readsOrRefuses(() => parseHexText(text));
        readsOrRefuses(() => readInput(new TextEncoder().encode(text), 'auto'));
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('random unicode text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        readsOrRefuses(() => parseHexText(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated captures (flipped, inserted and deleted bytes)', () => {
    const files = [fixture('text2pcap.pcap'), fixture('text2pcap.pcapng'), fixture('editcap-nsec.pcap')];
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('flip', 'insert', 'delete', 'set-ff'),
      value: fc.integer({ min: 0, max: 255 }),
      count: fc.integer({ min: 1, max: 8 }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.array(mutation, { minLength: 1, maxLength: 4 }), (file, mutations) => {
        let b: Uint8Array = file.slice();
        for (const m of mutations) {
          const at = m.at % (b.length + 1);
          if (m.kind === 'flip' && at < b.length) b[at] = b[at]! ^ m.value;
          else if (m.kind === 'set-ff') b.fill(0xff, at, at + m.count);
          else if (m.kind === 'insert') b = cat(b.subarray(0, at), new Uint8Array(m.count).fill(m.value), b.subarray(at));
          else b = cat(b.subarray(0, at), b.subarray(at + m.count));
        }
        readsOrRefuses(() => readInput(b, 'auto'));
        readsOrRefuses(() => readInput(b, 'pcap'));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('hexdump offsets that would expand to gigabytes are refused, not allocated', () => {
    const e = (() => {
      try {
        parseHexText('00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\nffffffff0\n');
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toMatch(/more than any netlink buffer holds/);
  });
});

// --- independent formatters ---------------------------------------------------------------------

const ascii = (b: number): string => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');

/** Lines of 16 bytes with their offsets. */
function rows(b: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (let off = 0; off < b.length; off += 16) out.push([off, b.subarray(off, off + 16)]);
  return out;
}

/** `hexdump -C`, with `*` for repeated lines and the end offset. */
function hexdumpC(b: Uint8Array): string {
  const lines: string[] = [];
  let prev = '';
  let starred = false;
  for (const [off, row] of rows(b)) {
    const key = hex(row);
    if (key === prev && row.length === 16) {
      if (!starred) lines.push('*');
      starred = true;
      continue;
    }
    prev = key;
    starred = false;
    const cells = [...row].map(h2);
    const area = `${cells.slice(0, 8).join(' ')}  ${cells.slice(8).join(' ')}`.padEnd(48);
    lines.push(`${off.toString(16).padStart(8, '0')}  ${area}  |${[...row].map(ascii).join('')}|`);
  }
  lines.push(b.length.toString(16).padStart(8, '0'));
  return lines.join('\n');
}

/** `xxd` (-g2). */
function xxd(b: Uint8Array): string {
  return rows(b)
    .map(([off, row]) => {
      const groups: string[] = [];
      for (let i = 0; i < row.length; i += 2) groups.push(hex(row.subarray(i, i + 2)));
      return `${off.toString(16).padStart(8, '0')}: ${groups.join(' ').padEnd(39)}  ${[...row].map(ascii).join('')}`;
    })
    .join('\n');
}

/** `od -x`: octal offsets, 2-byte words in host order, `*`, end offset. */
function odX(b: Uint8Array): string {
  const lines: string[] = [];
  let prev = '';
  for (const [off, row] of rows(b)) {
    const key = hex(row);
    if (key === prev && row.length === 16) {
      if (lines[lines.length - 1] !== '*') lines.push('*');
      continue;
    }
    prev = key;
    const words: string[] = [];
    for (let i = 0; i < row.length; i += 2) {
      const lo = row[i]!;
      const hi = row[i + 1] ?? 0;
      words.push(LE ? h2(hi) + h2(lo) : h2(lo) + h2(hi));
    }
    lines.push(`${off.toString(8).padStart(7, '0')} ${words.join(' ')}`);
  }
  lines.push(b.length.toString(8).padStart(7, '0'));
  return lines.join('\n');
}

/** strace -e write=FD: ` * N bytes in buffer 0`, then ` | 00000  xx … ascii |`. */
function straceDump(b: Uint8Array): string {
  const lines = [`sendmsg(3, {...}, 0) = ${b.length}`, ` * ${b.length} bytes in buffer 0`];
  for (const [off, row] of rows(b)) {
    const cells = [...row].map(h2);
    const area = `${cells.slice(0, 8).join(' ')}  ${cells.slice(8).join(' ')}`.padEnd(49);
    lines.push(` | ${off.toString(16).padStart(5, '0')}  ${area} ${[...row].map(ascii).join('').padEnd(16)} |`);
  }
  return lines.join('\n');
}

/** Python's repr() of bytes. */
function pythonRepr(b: Uint8Array): string {
  const quote = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  let s = '';
  for (const x of b) {
    if (x === 0x5c) s += '\\\\';
    else if (x === quote.charCodeAt(0)) s += `\\${quote}`;
    else if (x === 9) s += '\\t';
    else if (x === 10) s += '\\n';
    else if (x === 13) s += '\\r';
    else if (x >= 0x20 && x < 0x7f) s += String.fromCharCode(x);
    else s += `\\x${h2(x)}`;
  }
  return `b${quote}${s}${quote}`;
}

/** strace's default string: printable as is, \t\n\v\f\r, octal otherwise (3 digits before a digit). */
function straceString(b: Uint8Array): string {
  let s = '';
  b.forEach((x, i) => {
    const next = b[i + 1];
    if (x === 0x22 || x === 0x5c) s += `\\${String.fromCharCode(x)}`;
    else if (x >= 0x20 && x < 0x7f) s += String.fromCharCode(x);
    else if (x === 9) s += '\\t';
    else if (x === 10) s += '\\n';
    else if (x === 11) s += '\\v';
    else if (x === 12) s += '\\f';
    else if (x === 13) s += '\\r';
    else s += `\\${next !== undefined && next >= 0x30 && next <= 0x37 ? x.toString(8).padStart(3, '0') : x.toString(8)}`;
  });
  return `write(3, "${s}", ${b.length}) = ${b.length}`;
}

const formatters: [string, (b: Uint8Array) => string][] = [
  ['hexdump -C', hexdumpC],
  ['xxd', xxd],
  ['od -x', odX],
  ['strace dump', straceDump],
  ['python repr', pythonRepr],
  ['strace string', straceString],
  ['Go %#v', (b) => `[]byte{${[...b].map((x) => `0x${x.toString(16)}`).join(', ')}}`],
  ['Go %v', (b) => `[${[...b].join(' ')}]`],
  ['plain, 16 per line', (b) => hex(b).replace(/(.{32})/g, '$1\n')],
  ['0x, comma separated', (b) => [...b].map((x) => `0x${h2(x)}`).join(', ')],
  ['Node Buffer', (b) => `<Buffer ${[...b].map(h2).join(' ')}>`],
];

// Bytes that hit the forms' special cases: runs of zeros (hexdump's '*'), quotes, backslashes, digits.
const interesting = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }),
  fc.array(fc.oneof(fc.constant(new Uint8Array(16)), fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.constantFrom(Uint8Array.of(0x22, 0x27, 0x5c), Uint8Array.of(0, 0x31, 0x37, 1))), { minLength: 1, maxLength: 12 }).map((parts) => cat(...parts)),
);

/**
 * An od/hexdump dump whose second line is a `*` does not say whether its offsets are octal (od)
 * or hex (hexdump); the reader then guesses, says so, and may be wrong.
 */
function ambiguous(r: HexParseResult): boolean {
  return r.warnings.some((w) => w.includes('fit both hexadecimal (hexdump) and octal (od)'));
}

describe('round trips through every text form', () => {
  it.each(formatters)('%s', (_name, format) => {
    fc.assert(
      fc.property(interesting, (bytes) => {
        const r = parseHexText(format(bytes));
        if (ambiguous(r)) return;
        expect(hex(r.bytes)).toBe(hex(bytes));
      }),
      { numRuns: RUNS },
    );
  });

  const has = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
  const tools: [string, string[]][] = [
    ['xxd', []],
    ['xxd', ['-g1']],
    ['hexdump', ['-C']],
    ['hexdump', []],
    ['od', ['-x']],
    ['od', ['-A', 'x', '-t', 'x1z']],
    ['od', []],
  ];
  it.each(tools)('the real %s %j (where installed)', (tool, args) => {
    if (!has(tool)) return; // the committed fixtures cover the real tools everywhere else
    fc.assert(
      fc.property(interesting, (bytes) => {
        const r = parseHexText(spawnSync(tool, args, { input: bytes, encoding: 'utf8' }).stdout);
        if (ambiguous(r)) return;
        expect(hex(r.bytes)).toBe(hex(bytes));
      }),
      { numRuns: 40 },
    );
  });
});

describe('random captures read back exactly', () => {
  const packet = fc.record({
    data: fc.uint8Array({ maxLength: 64 }),
    protocol: fc.integer({ min: 0, max: 31 }),
    pkttype: fc.constantFrom(0, 4, 6, 7),
    seconds: fc.integer({ min: 0, max: 0xffffffff }),
    fraction: fc.integer({ min: 0, max: 999_999_999 }),
  });

  it('classic pcap', () => {
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 8 }), fc.boolean(), fc.boolean(), (packets, little, nano) => {
        const records = packets.map((p) => ({ frame: cooked(p.data, p.protocol, p.pkttype), seconds: p.seconds, fraction: nano ? p.fraction : p.fraction % 1_000_000 }));
        const r = readPcap(writePcap(records, { little, nano }));
        expect(r.packets.map((p) => [hex(p.data), p.protocol, p.direction, p.timestampNs, p.index])).toEqual(
          packets.map((p, i) => [
            hex(p.data),
            p.protocol,
            p.pkttype === 7 ? 'to-kernel' : p.pkttype === 6 ? 'to-user' : undefined,
            BigInt(p.seconds) * 1_000_000_000n + BigInt(records[i]!.fraction) * (nano ? 1n : 1000n),
            i,
          ]),
        );
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('pcapng', () => {
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 8 }), fc.boolean(), fc.integer({ min: 0, max: 9 }), (packets, little, tsresol) => {
        const units = 10n ** BigInt(tsresol);
        const file = cat(
          shb(little),
          idb(little, LINKTYPE_NETLINK, { tsresol }),
          ...packets.map((p) => epb(little, 0, BigInt(p.seconds) * units + (BigInt(p.fraction) * units) / 1_000_000_000n, cooked(p.data, p.protocol, p.pkttype))),
        );
        const r = readPcap(file);
        expect(r.packets.map((p) => [hex(p.data), p.protocol, p.timestampNs])).toEqual(
          packets.map((p) => [hex(p.data), p.protocol, BigInt(p.seconds) * 1_000_000_000n + ((BigInt(p.fraction) * units) / 1_000_000_000n) * (1_000_000_000n / units)]),
        );
      }),
      { numRuns: RUNS / 2 },
    );
  });
});

describe('big inputs are read in linear time', () => {
  // A 180-byte RTM_NEWLINK-sized message repeated: 100k of them is a ~21 MB capture.
  const message = new Uint8Array(180);
  new DataView(message.buffer).setUint32(0, 180, LE);

  it('a 100k-packet pcap (~21 MB)', () => {
    const records = Array.from({ length: 100_000 }, (_, i) => ({ frame: cooked(message, 0, 6), seconds: 1700000000 + i, fraction: i }));
    const file = writePcap(records, { little: true });
    expect(file.length).toBeGreaterThan(20_000_000);
    const start = performance.now();
    const r = readInput(file);
    const ms = performance.now() - start;
    expect(r.packets).toHaveLength(100_000);
    expect(r.packets[99_999]!.timestampNs).toBe(1700099999n * 1_000_000_000n + 99_999n * 1000n);
    expect(ms).toBeLessThan(5000);
  });

  it('20 MB of hex in one line, and the same as xxd', () => {
    const bytes = new Uint8Array(10_000_000);
    for (let i = 0; i + 180 <= bytes.length; i += 180) bytes.set(message, i);
    const plain = hex(bytes);
    let start = performance.now();
    expect(parseHexText(plain).bytes.length).toBe(bytes.length);
    expect(performance.now() - start).toBeLessThan(10_000);
    const dump = xxd(bytes.subarray(0, 4_000_000)); // ~17 MB of text
    start = performance.now();
    expect(parseHexText(dump).bytes.length).toBe(4_000_000);
    expect(performance.now() - start).toBeLessThan(10_000);
  }, 60_000);

  it('pathological text does not go quadratic', () => {
    for (const text of ['"'.repeat(1 << 20), '['.repeat(1 << 20), `[${'1'.repeat(1 << 20)}]`, ' '.repeat(1 << 20) + 'x', '0'.repeat((1 << 20) + 1), '| 00000  '.repeat(1 << 17), `b'${'\\x0'.repeat(1 << 18)}'`]) {
      const start = performance.now();
      readsOrRefuses(() => parseHexText(text));
      expect(performance.now() - start).toBeLessThan(3000);
    }
  });
});
