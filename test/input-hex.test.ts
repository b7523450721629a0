// Hex text in the forms people paste. The first half reads the output of real tools, generated
// once by test/fixtures/input/generate.sh (commands in test/fixtures/input/README.md) from known
// buffers, and checks the bytes exactly; the second half covers hand-written forms, packet
// splitting and the error messages.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError, parseHexText, readInput } from '../src/input/index.js';
import { formatMnl } from '../src/render/mnl.js';
import { LE, concat, nla, nlmsg, u32 } from './helpers/bytes.js';

const dir = new URL('./fixtures/input/', import.meta.url);
const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));
const textOf = (name: string): string => readFileSync(new URL(name, dir), 'utf8');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const sample = bytesOf('sample.bin'); // RTM_NEWLINK request + NLMSG_ERROR (research/tools-survey.md §a.5)
const zeros = bytesOf('zeros.bin'); // 93 bytes, a run of zeros, odd length
const getlink = bytesOf('getlink.bin'); // RTM_GETLINK request, 48 bytes

/** The InputError that `fn` throws (fails the test if it throws nothing or something else). */
function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

/** Read text as `--format hex` would. */
function readHex(text: string, source = 'paste') {
  return readInput(new TextEncoder().encode(text), 'hex', { source });
}

describe('output of real tools (fixtures)', () => {
  // [fixture, the bytes it shows, style detected, number of packets, line the packet starts on]
  const cases: [string, Uint8Array, string, number, number?][] = [];
  for (const [base, bin] of [['sample', sample], ['zeros', zeros]] as const) {
    cases.push(
      [`${base}.xxd.txt`, bin, 'xxd', 1],
      [`${base}.xxd-g1-u.txt`, bin, 'xxd', 1],
      [`${base}.xxd-p.txt`, bin, 'plain', 1],
      [`${base}.xxd-i.txt`, bin, 'array', 1], // `unsigned char x[] = {` is line 1
      [`${base}.hexdump-C.txt`, bin, 'hexdump-C', 1],
      [`${base}.hexdump.txt`, bin, 'od', 1],
      [`${base}.od.txt`, bin, 'od', 1],
      [`${base}.od-x.txt`, bin, 'od', 1],
      [`${base}.od-t-x1.txt`, bin, 'od', 1],
      [`${base}.od-A-x-t-x1z.txt`, bin, 'od', 1],
      [`${base}.od-A-d-t-x4.txt`, bin, 'od', 1],
      [`${base}.od-b.txt`, bin, 'od', 1],
      [`${base}.python-repr.txt`, bin, 'string', 1],
      [`${base}.python-list.txt`, bin, 'array', 1],
    );
  }
  cases.push(
    ['zeros.xxd-a.txt', zeros, 'xxd', 1],
    ['sample.strace.txt', sample, 'string', 1],
    ['sample.strace-x.txt', sample, 'string', 1],
    ['sample.strace-xx.txt', sample, 'string', 1],
    ['sample.strace-write-dump.txt', sample, 'strace', 1, 2], // line 1 is the write() call
    ['sample.java.txt', sample, 'array', 1],
    ['getlink.node-buffer.txt', getlink, 'buffer', 1],
    ['getlink.node-uint8array.txt', getlink, 'array', 1],
  );

  it.each(cases)('%s', (name, bin, style, count, line = 1) => {
    const r = readInput(bytesOf(name), 'auto', { source: name });
    expect(r.format).toBe('hex');
    expect(r.hexStyle).toBe(style);
    expect(r.warnings).toEqual([]);
    expect(r.packets).toHaveLength(count);
    expect(hex(r.packets[0]!.data)).toBe(hex(bin));
    expect(r.packets[0]!.where).toBe(`${name} packet 1 (line ${line})`);
  });

  it('the fixtures really use the features they are meant to test', () => {
    expect(textOf('zeros.hexdump-C.txt')).toMatch(/^\*$/m); // hexdump's repeat line
    expect(textOf('zeros.od-x.txt')).toMatch(/^0000175$/m); // octal end offset (125), padded word before it
    expect(textOf('zeros.xxd-a.txt')).toMatch(/^\*$/m);
    expect(textOf('sample.strace.txt')).toContain('"D\\0\\0\\0\\20\\0\\5\\6\\0\\361Se'); // strace's octal escapes
    expect(textOf('sample.java.txt')).toContain(', -15, '); // Java's signed bytes
  });

  it('Rust {:?}, {:x?} and {:#04x?}: three paragraphs, three packets', () => {
    const r = readInput(bytesOf('sample.rust.txt'), 'auto');
    expect(r.hexStyle).toBe('array');
    expect(r.packets.map((p) => hex(p.data))).toEqual([hex(sample), hex(sample), hex(sample)]);
    expect(r.packets.map((p) => p.where)).toEqual(['input packet 1 (line 1)', 'input packet 2 (line 3)', 'input packet 3 (line 5)']);
    expect(r.warnings).toEqual(['line 3: numbers without 0x but with hex digits or leading zeros (Rust {:x?}?): read as hex']);
  });

  it('strace cut the string short: the bytes it shows, and a warning', () => {
    const r = readInput(bytesOf('sample.strace-cut.txt'), 'auto');
    expect(hex(r.packets[0]!.data)).toBe(hex(sample.subarray(0, 32)));
    expect(r.warnings).toEqual(['line 1: this string was cut short by strace ("..." after it); run strace with -s 65536 to see all of it']);
  });

  it('Node cut the Buffer short: the bytes it shows, and a warning', () => {
    const r = readInput(bytesOf('sample.node-cut.txt'), 'auto');
    expect(hex(r.packets[0]!.data)).toBe(hex(sample.subarray(0, 50)));
    expect(r.warnings).toEqual(["line 1: Node cut this Buffer short (78 more bytes not shown); print it with buf.toString('hex') to see all of it"]);
  });

  it('strace -e read=all -e write=all of `ip link show lo`: one packet per sendmsg/recvmsg', () => {
    const text = textOf('ip-link-show-lo.strace.txt');
    const r = readInput(bytesOf('ip-link-show-lo.strace.txt'), 'auto', { source: 'strace.txt' });
    expect(r.hexStyle).toBe('strace');
    expect(r.warnings).toEqual([]);
    const announced = [...text.matchAll(/^ \* (\d+) bytes in buffer 0$/gm)].map((m) => Number(m[1]));
    expect(announced).toHaveLength(5);
    expect(r.packets.map((p) => p.data.length)).toEqual(announced);
    const lines = text.split('\n');
    for (const p of r.packets) {
      // the packet starts at the dump after a " * N bytes" line
      const line = Number(/\(line (\d+)\)$/.exec(p.where)![1]);
      expect(lines[line - 1]).toMatch(/^ \* \d+ bytes in buffer 0$/);
      // and holds whole netlink messages: their aligned lengths add up to the packet
      const view = new DataView(p.data.buffer, p.data.byteOffset, p.data.byteLength);
      let off = 0;
      while (off < p.data.length) off += (view.getUint32(off, LE) + 3) & ~3;
      expect(off).toBe(p.data.length);
    }
    // the RTM_GETLINK request (type 18) ends with IFLA_IFNAME "lo"
    const request = r.packets[1]!.data;
    expect(new DataView(request.buffer, request.byteOffset).getUint16(4, LE)).toBe(18);
    expect(hex(request.subarray(-8))).toBe('070003006c6f0000');
  });

  it('tshark -x of an nlmon capture: the pseudo-header is cut off, protocol and direction kept', () => {
    const r = readInput(bytesOf('text2pcap.tshark-x.txt'), 'auto');
    expect(r.hexStyle).toBe('wireshark');
    expect(r.packets.map((p) => [hex(p.data), p.protocol, p.direction])).toEqual([
      [hex(sample.subarray(0, 68)), 0, 'to-kernel'],
      [hex(sample.subarray(68)), 0, 'to-user'],
      [hex(getlink), 16, 'to-kernel'],
    ]);
    expect(r.warnings).toEqual(['all 3 packets start with the 16-byte LINKTYPE_NETLINK pseudo-header of a capture (copied from Wireshark?); cut off, its netlink protocol kept']);
  });
});

describe('libmnl dumps', () => {
  /** sample with the nlmsg_flags bits libmnl does not show cleared. */
  function visibleFlagsOnly(b: Uint8Array): Uint8Array {
    const out = b.slice();
    const view = new DataView(out.buffer);
    for (let off = 0; off < out.length; off += (view.getUint32(off, LE) + 3) & ~3) {
      view.setUint16(off + 6, view.getUint16(off + 6, LE) & 0xf, LE);
    }
    return out;
  }

  it('libmnl 1.0.4 output (colour codes) reads back into the buffer it printed', () => {
    const r = readInput(bytesOf('sample.mnl.txt'), 'auto', { source: 'nft.txt' });
    expect(r.hexStyle).toBe('libmnl');
    expect(r.packets).toHaveLength(1);
    expect(hex(r.packets[0]!.data)).toBe(hex(visibleFlagsOnly(sample)));
    expect(r.warnings).toEqual(['libmnl dumps show only the REQUEST, MULTI, ACK and ECHO flags; other nlmsg_flags bits (DUMP, CREATE, EXCL, …) read as 0']);
  });

  it('the plain form, with tabs turned into spaces and a hand-written third column', () => {
    const text = formatMnl(sample, { extraHeaderSize: 16 })
      .replace(/\t/g, '    ')
      .replace('|len |flags| type|', '|len |flags| type|\t+ IFLA_IFNAME');
    expect(hex(parseHexText(text).bytes)).toBe(hex(visibleFlagsOnly(sample)));
  });

  it('nft-style output: other lines are ignored with a warning, blank lines separate packets', () => {
    const a = formatMnl(getlink, { extraHeaderSize: 16 });
    const text = `ip filter output\n${a}\n${a}`;
    const r = parseHexText(text);
    expect(r.packets.map((p) => [hex(p.bytes), p.line])).toEqual([[hex(getlink), 2], [hex(getlink), a.split('\n').length + 2]]);
    expect(r.warnings).toContain('ignored 1 line that is not part of the libmnl dump (first: line 1)');
  });

  it('words libmnl hides (a type-0 attribute) are zero-filled at the end of the message, with a warning', () => {
    const msg = nlmsg({ type: 16, flags: 1 }, concat(new Uint8Array(16), nla(0, u32(7)), nla(3, [0x6c, 0x6f, 0])));
    const text = formatMnl(msg, { extraHeaderSize: 16 });
    const r = parseHexText(text);
    expect(r.bytes.length).toBe(msg.length);
    // the type-0 attribute's header and its data word (07 00 00 00: type 0 again) are both hidden
    expect(r.warnings).toContain(`line 2: the dump shows ${msg.length - 8} of this message's ${msg.length} bytes (libmnl hides attributes of type 0 and everything after an nla_len of 0); the other 8 are filled with zeros at its end`);
  });

  it('round trip through src/render/mnl.ts for messages whose every word is shown', () => {
    const msgs = concat(
      nlmsg({ type: 16, flags: 5, seq: 0xffffffff, pid: 42 }, concat(new Uint8Array(16), nla(3, [100, 117, 109, 48, 0]), nla(0x8012, nla(1, [1, 2, 3])), nla(0x4005, u32(9)))),
      nlmsg({ type: 3, flags: 2, seq: 1, pid: 2 }, u32(0)),
    );
    for (const color of [false, true]) expect(hex(parseHexText(formatMnl(msgs, { extraHeaderSize: 16, color })).bytes)).toBe(hex(msgs));
  });

  it('an incomplete header block is an error naming the line', () => {
    const text = formatMnl(getlink, { extraHeaderSize: 16 }).split('\n');
    text.splice(3, 1); // drop the sequence number line
    expect(errorOf(() => readHex(text.join('\n'))).message).toBe('paste: line 2: libmnl header block is incomplete (missing sequence number)');
  });
});

describe('hand-written forms', () => {
  const msgHex = hex(getlink);
  const spaced = msgHex.replace(/(..)/g, '$1 ').trim();

  it.each([
    ['one string', msgHex],
    ['bytes separated by spaces', spaced],
    ['upper case, CRLF, byte-order mark', `\ufeff${msgHex.slice(0, 40).toUpperCase()}\r\n${msgHex.slice(40).toUpperCase()}\r\n`],
    ['wrapped at an odd column', `${msgHex.slice(0, 41)}\n${msgHex.slice(41)}`],
    ['0x prefixed bytes', spaced.replace(/(\w\w)/g, '0x$1')],
    ['one 0x prefix', `0x${msgHex}`],
    ['colon separated', spaced.replace(/ /g, ':')],
    ['dash separated', spaced.replace(/ /g, '-')],
    ['\\x escapes without quotes', spaced.replace(/(\w\w) ?/g, '\\x$1')],
    ['# and // comments', `# RTM_GETLINK\n${msgHex.slice(0, 32)} // nlmsghdr\n${msgHex.slice(32)} # the rest`],
    ['/* */ comments', `/* header */ ${msgHex.slice(0, 32)} /* spanning\nlines */ ${msgHex.slice(32)}`],
    ['words of 4 bytes', msgHex.replace(/(.{8})/g, '$1 ')],
    ['ANSI colour codes', `\x1b[1;31m${msgHex.slice(0, 10)}\x1b[0m${msgHex.slice(10)}`],
  ])('plain hex: %s', (_name, text) => {
    const r = readHex(text);
    expect(r.hexStyle).toBe('plain');
    expect(r.packets.map((p) => hex(p.data))).toEqual([msgHex]);
  });

  it.each([
    ['Go %#v', `[]byte{${[...getlink].map((b) => `0x${b.toString(16)}`).join(', ')}}`],
    ['Go composite literal over lines', `req := []byte{\n\t${[...getlink].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(',\n\t')},\n}`],
    ['Go array type', `var req = [48]byte{${[...getlink].join(', ')}}`],
    ['Go %v', `[${[...getlink].join(' ')}]`],
    ['C with comments', `/* RTM_GETLINK */\nstatic const unsigned char req[] = {\n  ${[...getlink].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')} // done\n};\nunsigned int req_len = 48;`],
    ['Java with casts', `new byte[]{${[...getlink].map((b) => `(byte) 0x${b.toString(16)}`).join(', ')}}`],
    ['Rust with suffixes', `let req: [u8; 48] = [${[...getlink].map((b) => `${b}u8`).join(', ')}];`],
  ])('array literal: %s', (_name, text) => {
    const r = readHex(text);
    expect(r.hexStyle).toBe('array');
    expect(r.packets.map((p) => hex(p.data))).toEqual([msgHex]);
  });

  it.each([
    ['Python b\'\' with implicit concatenation', `(b'0\\x00\\x00\\x00\\x12\\x00\\x01\\x00'\n b'${[...getlink.subarray(8)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}')`],
    ['Go string with +', `"${[...getlink.subarray(0, 20)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}" +\n\t"${[...getlink.subarray(20)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}"`],
    ['octal and simple escapes', `"0\\0\\0\\0\\22\\0\\1\\0\\1${'\\0'.repeat(23)}\\b\\0\\35\\0\\t\\0\\0\\0\\a\\0\\3\\0lo\\0\\0"`],
  ])('string literal: %s', (_name, text) => {
    const r = readHex(text);
    expect(r.hexStyle).toBe('string');
    expect(r.packets.map((p) => hex(p.data))).toEqual([msgHex]);
  });

  it('a Python list of bytes is one packet per literal', () => {
    const r = readHex(`[b'\\x01\\x02', b'\\x03']`);
    expect(r.packets.map((p) => hex(p.data))).toEqual(['0102', '03']);
  });

  it('a raw Python string keeps its backslashes', () => {
    expect(hex(readHex(`rb'\\x41' b'\\x41'`).packets[0]!.data)).toBe(hex(new TextEncoder().encode('\\x41A')));
  });

  it('blank lines separate packets; one paragraph may hold several messages', () => {
    const two = hex(sample);
    const r = readHex(`# request and reply, as one recv() returned them\n${two}\n\n\n# another\n${msgHex}\n`);
    expect(r.packets.map((p) => [hex(p.data), p.where])).toEqual([
      [two, 'paste packet 1 (line 2)'],
      [msgHex, 'paste packet 2 (line 6)'],
    ]);
  });

  it('two hexdump -C dumps pasted together are two packets (the offset goes back to 0)', () => {
    const dump = (b: Uint8Array): string => {
      const lines: string[] = [];
      for (let off = 0; off < b.length; off += 16) {
        const chunk = [...b.subarray(off, off + 16)].map((x) => x.toString(16).padStart(2, '0'));
        lines.push(`${off.toString(16).padStart(8, '0')}  ${chunk.slice(0, 8).join(' ')}  ${chunk.slice(8).join(' ')}  |................|`);
      }
      lines.push(b.length.toString(16).padStart(8, '0'));
      return lines.join('\n');
    };
    const r = readHex(`${dump(getlink)}\n${dump(sample)}`);
    expect(r.hexStyle).toBe('hexdump-C');
    expect(r.packets.map((p) => hex(p.data))).toEqual([msgHex, hex(sample)]);
  });

  it("Wireshark's Copy as Hex + ASCII Dump (three spaces after the offset)", () => {
    const rows = [0, 16, 32].map((off) => `${off.toString(16).padStart(4, '0')}   ${[...getlink.subarray(off, off + 16)].map((x) => x.toString(16).padStart(2, '0')).join(' ')}   ................`);
    const r = readHex(rows.join('\n'));
    expect(r.hexStyle).toBe('wireshark');
    expect(hex(r.packets[0]!.data)).toBe(msgHex);
  });

  it('a dump without an ASCII column, and its end offset line', () => {
    const r = readHex('00000000  44 00 00 00 10 00\n00000006\n');
    expect(r.hexStyle).toBe('hexdump-C');
    expect(hex(r.packets[0]!.data)).toBe('440000001000');
  });

  it('strace iovecs: buffer 1 continues the sendmsg that buffer 0 started', () => {
    const text = [
      'sendmsg(3, {msg_iov=[{iov_base=..., iov_len=4}, {iov_base=..., iov_len=2}]}, 0) = 6',
      ' * 4 bytes in buffer 0',
      ' | 00000  01 02 03 04                                       ....             |',
      ' * 2 bytes in buffer 1',
      ' | 00000  05 06                                             ..               |',
      'recvmsg(3, ...) = 3',
      ' * 3 bytes in buffer 0',
      ' | 00000  07 08 09                                          ...              |',
    ].join('\n');
    const r = readHex(text);
    expect(r.hexStyle).toBe('strace');
    expect(r.packets.map((p) => hex(p.data))).toEqual(['010203040506', '070809']);
    expect(r.warnings).toEqual([]);
  });

  it('dump oddities are warnings: a missing start, a gap, a wrong strace size', () => {
    const r = readHex(['00000010: 4142 4344  ABCD', '00000020: 4546  EF'].join('\n'));
    expect(hex(r.packets[0]!.data)).toBe('414243444546');
    expect(r.warnings).toEqual([
      'line 1: the dump starts at offset 16; the 16 bytes before it are not in the text',
      'line 2: offset jumps from 20 to 32: 12 bytes are not in the text',
    ]);
    const s = readHex([' * 5 bytes in buffer 0', ' | 00000  01 02 03 04                                       ....             |'].join('\n'));
    expect(s.warnings).toEqual(['line 1: strace announced 5 bytes but its dump shows 4']);
  });
});

describe('errors say what and where', () => {
  it.each([
    ['garbage', 'zz', "paste: line 1, column 1: 'z' is not a hex digit"],
    ['garbage after hex', '4400 zz00', "paste: line 1, column 6: 'z' is not a hex digit"],
    ['odd number of digits', '44 000 11', 'paste: line 1, column 4: odd number of hex digits in "000"'],
    ['odd number at the end of a line', '44 000', 'paste: line 1, column 4: odd number of hex digits: the group starting here leaves one digit over at the end of its paragraph (line 1)'],
    ['odd number at the end', '4400\n000', 'paste: line 2, column 1: odd number of hex digits: the group starting here leaves one digit over at the end of its paragraph (line 2)'],
    ['odd 0x string', '0x440', 'paste: line 1, column 1: 0x440 has an odd number of hex digits'],
    ['only comments', '# nothing here\n', 'paste: no hex bytes found'],
    ['blank text', ' \n\t\n', 'paste: no hex bytes found (the text is empty)'],
    ['od repeat without offsets', '44 00\n*\n', 'paste: line 2, column 1: \'*\' (od/hexdump: "same as the line before") cannot be expanded without the offset column; dump with od -v, or keep the offsets'],
    ['unclosed string', `b'\\x44\\x00`, 'paste: line 1, column 2: string literal is not closed on this line'],
    ['unsupported escape', `b'\\x44\\q'`, 'paste: line 1, column 7: unsupported escape \\q in a string literal'],
    ['octal escape too big', `"\\777"`, 'paste: line 1, column 2: octal escape \\777 is larger than a byte'],
    ['array value too big', '[]byte{0x44, 0x100}', 'paste: line 1, column 14: 0x100 does not fit in a byte'],
    ['unclosed array', '{0x44, 0x00', "paste: line 1, column 1: '{' is never closed"],
    ['stray bracket', '{0x44}}', "paste: line 1, column 7: '}' does not close anything"],
    ['bracket in plain hex', '0x44 }', "paste: line 1, column 6: '}' is not a hex digit"],
    ['bad xxd line', '00000000: 4400 0g00  D...', 'paste: line 1: xxd line has something other than hex digits before its text column: "4400 0g00  D..."'],
    ['strace decoded output', 'sendmsg(3, {msg_iov=[{iov_base=[{nlmsg_len=20, nlmsg_type=RTM_GETLINK}, "\\x01"]}]}, 0) = 20', "paste: this is strace's decoded view of netlink messages, not their bytes; run strace with -e read=all -e write=all (and -s 65536) to get hex dumps"],
  ])('%s', (_name, text, message) => {
    const e = errorOf(() => readHex(text));
    expect(e.message).toBe(message);
    expect(e.code).toBe('ERR_NLCTL_INPUT');
    expect(e.message).not.toContain('\n');
  });

  it('the error carries the line number', () => {
    expect(errorOf(() => readHex('4400\n\n44 zz')).line).toBe(3);
  });

  it('parseHexText throws the same errors without a source name', () => {
    expect(errorOf(() => parseHexText('zz')).message).toBe("input: line 1, column 1: 'z' is not a hex digit");
  });
});
