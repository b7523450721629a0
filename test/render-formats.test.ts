// The renderers on hand-built messages: golden output for each format, the JSON writer's exact
// bigints, the 80-column table, colour on and off, the libmnl views against formatMnl.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFamily, type FamilySpec } from '../src/families/index.js';
import { decodeMessage, type DecodedMessage } from '../src/model/decode.js';
import { annotateMnl, createRenderer, formatMessageText, loadRenderer, recordToObject, stringifyJson, type OutputFormat } from '../src/render/index.js';
import { formatMnl } from '../src/render/mnl.js';
import type { MessageRecord, OutputRecord } from '../src/render/record.js';
import { LE, concat, cstr, nla, nlmsg, s32, u16, u32, u64 } from './helpers/bytes.js';

// ---------------------------------------------------------------------------------------------
// A JSON reader that keeps integers beyond 2^53 exact (as bigint), to check what jq would see.

type J = null | boolean | number | bigint | string | J[] | { [k: string]: J };

function parseJson(text: string): J {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const value = (): J => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: Record<string, J> = {};
      ws();
      if (text[i] === '}') return i++, o;
      for (;;) {
        ws();
        const k = value() as string;
        ws();
        if (text[i++] !== ':') throw new SyntaxError(`expected : at ${i}`);
        Object.defineProperty(o, k, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') i++;
        else if (text[i++] === '}') return o;
        else throw new SyntaxError(`bad object at ${i}`);
      }
    }
    if (c === '[') {
      i++;
      const a: J[] = [];
      ws();
      if (text[i] === ']') return i++, a;
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i++] === ']') return a;
        else throw new SyntaxError(`bad array at ${i}`);
      }
    }
    if (c === '"') {
      const m = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(text.slice(i));
      if (!m) throw new SyntaxError(`bad string at ${i}`);
      i += m[0].length;
      return JSON.parse(m[0]) as string;
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (m) {
      i += m[0].length;
      if (!m[1] && !m[2]) {
        const n = BigInt(m[0]);
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      return Number(m[0]);
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) return (i += word.length), v;
    }
    throw new SyntaxError(`unexpected ${c} at ${i}`);
  };
  const v = value();
  ws();
  if (i !== text.length) throw new SyntaxError(`trailing text at ${i}`);
  return v;
}

/** jq-style path access: at(o, 'attrs', 'mtu'). */
function at(o: J, ...path: (string | number)[]): J | undefined {
  let cur: J | undefined = o;
  for (const k of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, J>)[k] : undefined;
  return cur;
}

// ---------------------------------------------------------------------------------------------
// Hand-built messages (route family).

let route: FamilySpec;
let nlctrl: FamilySpec;
beforeAll(async () => {
  route = (await loadFamily('route'))!;
  nlctrl = (await loadFamily('nlctrl'))!;
});

function headerOf(bytes: Uint8Array) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { length: v.getUint32(0, LE), type: v.getUint16(4, LE), flags: v.getUint16(6, LE), sequence: v.getUint32(8, LE), pid: v.getUint32(12, LE) };
}

const EHS: Record<number, number> = { 16: 16, 24: 12 };

function record(bytes: Uint8Array, extra: Partial<MessageRecord> = {}, request?: DecodedMessage): MessageRecord {
  const header = headerOf(bytes);
  const decoded = decodeMessage({ header, data: bytes.subarray(16, header.length) }, { protocol: 0, family: route, request });
  return { record: 'message', decoded, bytes: bytes.subarray(0, header.length), direction: 'received', extraHeaderSize: EHS[header.type] ?? 0, ...extra };
}

// ifinfomsg of lo: AF_UNSPEC, ARPHRD_LOOPBACK, index 1, up|loopback|running|lower_up.
const IFI_LO = concat([0, 0], u16(772), s32(1), u32(0x10049), u32(0));

const linkBytes = () =>
  nlmsg({ type: 16, flags: 2, seq: 7 }, concat(IFI_LO, nla(3, cstr('lo')), nla(4, u32(65536)), nla(18, nla(1, cstr('veth'))), nla(200, [0x0a, 0x0b, 0x0c, 0x0d])));
const linkRecord = () => record(linkBytes(), { time: new Date(Date.UTC(2024, 4, 1, 12, 0, 0, 123)), group: 1, groupName: 'link', nsid: 3 });

// RTM_NEWROUTE 10.1.2.0/24 table main, proto static, with RTA_EXPIRES = 2^64 - 1.
const routeRecord = () =>
  record(nlmsg({ type: 24, seq: 9 }, concat([2, 24, 0, 0, 254, 4, 0, 1], u32(0), nla(1, [10, 1, 2, 0]), nla(15, u32(254)), nla(23, u64(0xffffffffffffffffn)))));

// RTM_NEWLINK request with an unknown link kind, and the kernel's capped error pointing at it.
const requestBytes = () => nlmsg({ type: 16, flags: 0x605, seq: 1, pid: 1234 }, concat(IFI_LO, nla(18, nla(1, cstr('nosuch')))));
function errorRecord(): MessageRecord {
  const req = record(requestBytes()).decoded;
  const body = concat(s32(-22), requestBytes().subarray(0, 16), nla(1, cstr('Unknown device type')), nla(2, u32(36)));
  return record(nlmsg({ type: 2, flags: 0x300, seq: 1, pid: 1234 }, body), {}, req);
}

// An IFLA_MTU of 2 bytes, then a good attribute, then one whose length runs past the end.
const malformedRecord = () => record(nlmsg({ type: 16, seq: 3 }, concat(IFI_LO, nla(4, [1, 2]), nla(3, cstr('x')), u16(40), u16(3), [1, 2, 3, 4])));

// nlctrl's NEWFAMILY with a nest-array of ops (generic netlink, protocol 16).
function genlRecord(): MessageRecord {
  const op = (id: number, flags: number) => concat(nla(1, u32(id)), nla(2, u32(flags)));
  const bytes = nlmsg({ type: 16, seq: 5 }, concat([1, 2, 0, 0], nla(1, u16(16)), nla(2, cstr('nlctrl')), nla(6, concat(nla(1, op(3, 0x0e)), nla(2, op(10, 0x0c))))));
  const header = headerOf(bytes);
  const decoded = decodeMessage({ header, data: bytes.subarray(16) }, { protocol: 16, genlFamilies: new Map([[16, nlctrl]]) });
  return { record: 'message', decoded, bytes, direction: 'received', extraHeaderSize: 4 };
}

const notes: OutputRecord[] = [
  { record: 'overrun', time: new Date(Date.UTC(2024, 4, 1, 12, 0, 1)), received: 1234, rcvbuf: 212992 },
  { record: 'dump_interrupted', action: 'retry', attempt: 1 },
  { record: 'summary', messages: 10, errors: 1, overruns: 0, elapsed: 0.25 },
];

const render = (format: OutputFormat, r: OutputRecord, options = {}) => createRenderer(format, options).render(r);
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

// ---------------------------------------------------------------------------------------------

describe('text', () => {
  it('prints one grep-able line per message', () => {
    expect(render('text', linkRecord())).toBe(
      '2024-05-01T12:00:00.123Z group=link(1) nsid=3 RTM_NEWLINK flags=multi seq=7 pid=0 len=72 ' +
        '{family=unspec type=loopback index=1 flags=[up,loopback,running,lower_up] change=[]} ' +
        'ifname="lo" mtu=65536 linkinfo={kind="veth"} unknown_200=0a0b0c0d\n',
    );
    expect(render('text', routeRecord())).toBe(
      'RTM_NEWROUTE flags=0 seq=9 pid=0 len=56 {family=inet dst_len=24 src_len=0 tos=0 table=main protocol=static scope=universe type=unicast flags=[]} ' +
        'dst=10.1.2.0 table=main expires=18446744073709551615\n',
    );
  });

  it('prints errors with their ext-ack fields and the attribute they point at', () => {
    expect(render('text', errorRecord())).toBe(
      'NLMSG_ERROR flags=capped,ack_tlvs seq=1 pid=1234 len=68 error=-22 EINVAL "Invalid argument" msg="Unknown device type" offset=36 bad_attr=linkinfo.kind\n',
    );
  });

  it('keeps malformed parts in place, annotated', () => {
    expect(render('text', malformedRecord())).toBe(
      'RTM_NEWLINK flags=0 seq=3 pid=0 len=56 {family=unspec type=loopback index=1 flags=[up,loopback,running,lower_up] change=[]} ' +
        'mtu=0102 (malformed: expected 4 bytes for u32, got 2) ifname="x" ' +
        'malformed=["attribute at offset 48: length 40 runs past the end (8 bytes left)"]\n',
    );
  });

  it('writes nest-arrays as arrays and the generic netlink header', () => {
    expect(render('text', genlRecord())).toBe(
      'CTRL_CMD_NEWFAMILY flags=0 seq=5 pid=0 len=84 cmd=1 version=2 family_id=16 family_name="nlctrl" ' +
        'ops=[{id=3 flags=[cmd_cap_do,cmd_cap_dump,cmd_cap_haspol]},{id=10 flags=[cmd_cap_dump,cmd_cap_haspol]}]\n',
    );
  });

  it('escapes strings so a hostile name cannot act on the terminal', () => {
    const r = record(nlmsg({ type: 16 }, concat(IFI_LO, nla(3, cstr('a"b\x1b[2J\u009b\u202e')))));
    expect(formatMessageText(r)).toContain('ifname="a\\"b\\u001b[2J\\u009b\\u202e"');
  });

  it('prints non-message records as # notes', () => {
    expect(notes.map((n) => render('text', n)).join('')).toBe(
      '# overrun: the kernel dropped messages (receive queue full) time=2024-05-01T12:00:01.000Z received=1234 rcvbuf=212992\n' +
        "# dump interrupted: the kernel's table changed during the dump, it may be inconsistent action=retry attempt=1\n" +
        '# summary: messages=10 errors=1 overruns=0 elapsed=0.25\n',
    );
  });
});

describe('json', () => {
  it('writes one object per line, readable jq-style, with listen metadata', () => {
    const line = render('json', linkRecord());
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    const o = parseJson(line);
    expect(at(o, 'record')).toBe('message');
    expect(at(o, 'time')).toBe('2024-05-01T12:00:00.123Z');
    expect([at(o, 'group'), at(o, 'group_name'), at(o, 'nsid')]).toEqual([1, 'link', 3]);
    expect([at(o, 'type'), at(o, 'type_num'), at(o, 'flags'), at(o, 'seq'), at(o, 'pid'), at(o, 'len')]).toEqual(['RTM_NEWLINK', 16, ['multi'], 7, 0, 72]);
    expect(at(o, 'family')).toBe('route');
    expect(at(o, 'header')).toEqual({ family: 'unspec', type: 'loopback', index: 1, flags: ['up', 'loopback', 'running', 'lower_up'], change: [] });
    expect(at(o, 'attrs', 'mtu')).toBe(65536);
    expect(at(o, 'attrs', 'ifname')).toBe('lo');
    expect(at(o, 'attrs', 'linkinfo', 'kind')).toBe('veth');
    expect(at(o, 'attrs', 'unknown_200')).toBe('0a0b0c0d');
    // The object is exactly the model's JSON shape with the metadata after `record`.
    expect(Object.keys(o as object).slice(0, 6)).toEqual(['record', 'time', 'group', 'group_name', 'nsid', 'protocol']);
  });

  it('prints u64 values exactly, without quotes', () => {
    const line = render('json', routeRecord());
    expect(line).toContain('"expires":18446744073709551615');
    expect(at(parseJson(line), 'attrs', 'expires')).toBe(18446744073709551615n);
    // And in the human views.
    expect(render('text', routeRecord())).toContain('expires=18446744073709551615');
    expect(render('table', routeRecord(), { width: 80 })).toContain('18446744073709551615');
  });

  it('carries errno, name, message and the ext-ack fields of errors', () => {
    const o = parseJson(render('json', errorRecord()));
    expect(at(o, 'type')).toBe('NLMSG_ERROR');
    expect(at(o, 'error')).toEqual({ errno: -22, name: 'EINVAL', text: 'Invalid argument', msg: 'Unknown device type', offset: 36, bad_attr: 'linkinfo.kind' });
  });

  it('keeps repeated attributes as arrays and malformed ones as hex with the problems listed', () => {
    const twice = record(nlmsg({ type: 16 }, concat(IFI_LO, nla(200, [1]), nla(200, [2]))));
    expect(at(parseJson(render('json', twice)), 'attrs', 'unknown_200')).toEqual(['01', '02']);
    const o = parseJson(render('json', malformedRecord()));
    expect(at(o, 'attrs', 'mtu')).toBe('0102');
    expect(at(o, 'malformed')).toEqual(['IFLA_MTU at offset 32: expected 4 bytes for u32, got 2', 'attribute at offset 48: length 40 runs past the end (8 bytes left)']);
  });

  it('has a lossless view with every attribute’s number, flags and bytes', () => {
    const o = parseJson(render('json', routeRecord(), { lossless: true }));
    expect(at(o, 'attr_list', 2)).toEqual({ type: 23, name: 'expires', constant: 'RTA_EXPIRES', len: 12, offset: 44, bytes: 'ffffffffffffffff', value: 18446744073709551615n });
    const g = parseJson(render('json', genlRecord(), { lossless: true }));
    expect(at(g, 'family')).toBe('nlctrl');
    expect(at(g, 'genl')).toEqual({ cmd: 1, version: 2 });
    expect(at(g, 'attrs', 'ops')).toEqual([{ id: 3, flags: ['cmd_cap_do', 'cmd_cap_dump', 'cmd_cap_haspol'] }, { id: 10, flags: ['cmd_cap_dump', 'cmd_cap_haspol'] }]);
    expect(at(g, 'attr_list', 2, 'attrs', 0, 'attrs', 0)).toMatchObject({ type: 1, name: 'id', value: 3 });
  });

  it('indents with pretty, exactly as JSON.stringify would', () => {
    const pretty = render('json', linkRecord(), { pretty: true });
    expect(pretty).toBe(JSON.stringify(JSON.parse(pretty), null, 2) + '\n');
    expect(pretty.split('\n').length).toBeGreaterThan(10);
  });

  it('says what every record is', () => {
    expect(notes.map((n) => render('json', n)).join('')).toBe(
      '{"record":"overrun","time":"2024-05-01T12:00:01.000Z","received":1234,"rcvbuf":212992}\n' +
        '{"record":"dump_interrupted","action":"retry","attempt":1}\n' +
        '{"record":"summary","messages":10,"errors":1,"overruns":0,"elapsed":0.25}\n',
    );
    expect(recordToObject({ record: 'overrun', time: new Date(NaN), received: 0 })).toEqual({ record: 'overrun', time: null, received: 0 });
  });

  it('is never coloured', () => {
    for (const r of [linkRecord(), errorRecord(), ...notes]) expect(render('json', r, { color: true })).not.toContain('\x1b');
  });
});

describe('stringifyJson', () => {
  it('equals JSON.stringify on plain JSON values, compact and indented', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(stringifyJson(v)).toBe(JSON.stringify(v));
        expect(stringifyJson(v, { pretty: true })).toBe(JSON.stringify(v, null, 2));
      }),
    );
  });

  it('reads back exactly with a bigint-aware reader, bigints and all', () => {
    // What such a reader sees: integers beyond 2^53 as bigint, everything else as JSON.parse does.
    const seen = (v: unknown): unknown => {
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v;
      if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v) && !/e/.test(String(v)) ? BigInt(String(v)) : v === 0 ? 0 : v;
      if (Array.isArray(v)) return v.map(seen);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, seen(x)]));
      return v;
    };
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ unit: 'grapheme' }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, fc.boolean(), (v, pretty) => {
        const text = stringifyJson(v, { pretty });
        expect(() => JSON.parse(text)).not.toThrow();
        expect(parseJson(text)).toEqual(seen(v));
      }),
    );
  });

  it('prints bigints exactly and the non-JSON values safely', () => {
    expect(stringifyJson({ a: 18446744073709551615n, b: -9223372036854775808n, c: [1n] })).toBe('{"a":18446744073709551615,"b":-9223372036854775808,"c":[1]}');
    expect(stringifyJson({ a: undefined, b: NaN, c: Infinity, d: [undefined], e: new Uint8Array([1, 0xff]), f: new Date(0) })).toBe(
      '{"b":null,"c":null,"d":[null],"e":"01ff","f":"1970-01-01T00:00:00.000Z"}',
    );
    expect(stringifyJson('\u0085\u2028\x7f')).toBe('"\\u0085\\u2028\\u007f"');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(stringifyJson(cyclic)).toBe('{"self":"[circular]"}');
    expect(stringifyJson(undefined)).toBe('null');
  });
});

describe('table', () => {
  it('shows a header line and the attributes as aligned columns, nests indented', () => {
    expect(render('table', linkRecord(), { width: 80 })).toBe(
      [
        '2024-05-01T12:00:00.123Z group=link(1) nsid=3 RTM_NEWLINK flags=multi seq=7',
        '    pid=0 len=72',
        '  ifinfomsg: family=unspec type=loopback index=1',
        '    flags=[up,loopback,running,lower_up] change=[]',
        '  NAME         TYPE     LEN  VALUE',
        '  ifname       string     7  "lo"',
        '  mtu          u32        8  65536',
        '  linkinfo     nest      16',
        '    kind       string     9  "veth"',
        '  unknown_200  unknown    8  0a0b0c0d',
        '',
      ].join('\n'),
    );
  });

  it('shows errors, enum numbers and malformed parts', () => {
    expect(render('table', errorRecord(), { width: 80 })).toBe(
      [
        'NLMSG_ERROR flags=capped,ack_tlvs seq=1 pid=1234 len=68',
        '  error=-22 EINVAL "Invalid argument" msg="Unknown device type" offset=36',
        '    bad_attr=linkinfo.kind',
        '',
      ].join('\n'),
    );
    expect(render('table', routeRecord(), { width: 80 })).toContain('  table    u32       8  main (254)\n');
    expect(render('table', malformedRecord(), { width: 80 })).toBe(
      [
        'RTM_NEWLINK flags=0 seq=3 pid=0 len=56',
        '  ifinfomsg: family=unspec type=loopback index=1',
        '    flags=[up,loopback,running,lower_up] change=[]',
        '  NAME    TYPE    LEN  VALUE',
        '  mtu     u32       6  0102 (malformed: expected 4 bytes for u32, got 2)',
        '  ifname  string    6  "x"',
        '  malformed: attribute at offset 48: length 40 runs past the end (8 bytes left)',
        '',
      ].join('\n'),
    );
    expect(render('table', genlRecord(), { width: 80 })).toContain(
      [
        '  genlmsghdr: cmd=1 version=2',
        '  NAME         TYPE        LEN  VALUE',
        '  family_id    u16           6  16',
        '  family_name  string       11  "nlctrl"',
        '  ops          nest-array   44',
        '    [1]        nest         20',
        '      id       u32           8  3',
        '      flags    u32           8  [cmd_cap_do,cmd_cap_dump,cmd_cap_haspol] (0xe)',
        '    [2]        nest         20',
      ].join('\n'),
    );
  });

  it('fits 80 columns: long values wrap, then end in an ellipsis; long names are cut', () => {
    const long = 'x'.repeat(300);
    const r = record(
      nlmsg({ type: 16 }, concat(IFI_LO, nla(20, cstr(long)), nla(200, new Uint8Array(120).fill(0xab)), nla(18, nla(1, cstr('a b c '.repeat(20)))), nla(48, u32(1)))),
    );
    const out = render('table', r, { width: 80 });
    const lines = out.split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    // ifalias (300 characters) and the 120-byte unknown attribute take 4 lines and are cut.
    expect(lines.filter((l) => l.endsWith('…'))).toHaveLength(2);
    expect(lines.filter((l) => /^ +(unknown_200 +unknown +124 +)?[ab]+…?$/.test(l))).toHaveLength(4);
    // A value that fits in 4 lines wraps at spaces and loses nothing.
    const k = lines.findIndex((l) => /^ +kind +string +125 /.test(l));
    const more = lines.slice(k + 1).findIndex((l) => !/^ {20,}\S/.test(l));
    const kind = lines.slice(k, k + 1 + more).map((l, i) => (i === 0 ? l.replace(/^ +kind +string +125 +/, '') : l.trim()));
    expect(kind.length).toBeGreaterThan(1);
    expect(kind.join(' ')).toBe(`"${'a b c '.repeat(20)}"`);
    expect(out).toContain('  carrier_down_count  u32        8  1\n');
    // A narrow terminal cuts names too; no limit puts every value on one line.
    const narrow = render('table', r, { width: 40 }).split('\n');
    for (const l of narrow) expect(l.length, l).toBeLessThanOrEqual(40);
    expect(narrow).toContain('  carrier…  u32        8  1');
    const wide = render('table', r).split('\n');
    expect(wide.some((l) => l.endsWith(`"${long}"`))).toBe(true);
    expect(wide.join('\n')).not.toContain('…');
  });

  it('prints non-message records as one-line notes', () => {
    const t = createRenderer('table', { width: 80 });
    expect(notes.map((n) => t.render(n)).join('')).toBe(
      '2024-05-01T12:00:01.000Z ! overrun: the kernel dropped messages after 1234\n' +
        '    messages received (receive buffer 212992 bytes)\n' +
        "\n! dump interrupted (attempt 1): the kernel's table changed during the dump;\n    retrying\n" +
        '\n10 messages, 1 error, 0 overruns in 0.25 s\n',
    );
  });
});

describe('colour', () => {
  it('is used only when asked for, and changes nothing but escapes', () => {
    for (const format of ['table', 'text', 'mnl', 'mnl-annotated'] as const) {
      for (const r of [linkRecord(), errorRecord(), malformedRecord(), ...notes]) {
        const off = render(format, r, { width: 80 });
        expect(off).not.toContain('\x1b');
        const on = render(format, r, { width: 80, color: true });
        // libmnl colours attribute headers only, and an error has none.
        if (r.record === 'message' && !(format === 'mnl' && r.decoded.attrs.length === 0)) expect(on, format).toContain('\x1b[');
        expect(stripAnsi(on)).toBe(off);
      }
    }
  });
});

describe('mnl and mnl-annotated', () => {
  it('mnl is formatMnl of the message with its extra header size', () => {
    for (const r of [linkRecord(), routeRecord(), errorRecord(), malformedRecord(), genlRecord()]) {
      expect(render('mnl', r)).toBe(formatMnl(r.bytes, { extraHeaderSize: r.extraHeaderSize }));
      expect(render('mnl', r, { color: true })).toBe(formatMnl(r.bytes, { extraHeaderSize: r.extraHeaderSize, color: true }));
    }
    expect(render('mnl', notes[2]!)).toBe('');
    expect(render('mnl', notes[0]!)).toMatch(/^# overrun: /);
  });

  it('annotated adds a column to libmnl’s lines and changes none of them', () => {
    for (const r of [linkRecord(), routeRecord(), errorRecord(), malformedRecord(), genlRecord()]) {
      for (const color of [false, true]) {
        const mnl = formatMnl(r.bytes, { extraHeaderSize: r.extraHeaderSize, color }).split('\n');
        const ann = render('mnl-annotated', r, { color }).split('\n');
        expect(ann).toHaveLength(mnl.length);
        ann.forEach((line, i) => {
          expect(line.startsWith(mnl[i]!)).toBe(true);
          expect(line === mnl[i] || line[mnl[i]!.length] === '\t').toBe(true);
        });
      }
    }
  });

  it('names headers, fixed-header fields, attributes and values', () => {
    const structLayout = (d: DecodedMessage) => (d.fixed ? route.structs[d.fixed.name] : undefined);
    expect(annotateMnl(linkRecord(), { structLayout })).toBe(
      [
        '----------------\t------------------\t2024-05-01T12:00:00.123Z group=link(1) nsid=3',
        '|  0000000072  |\t| message length |\tlen=72',
        '| 00016 | -M-- |\t|  type | flags  |\tRTM_NEWLINK flags=multi',
        '|  0000000007  |\t| sequence number|\tseq=7',
        '|  0000000000  |\t|     port ID    |\tpid=0',
        '----------------\t------------------',
        '| 00 00 04 03  |\t|  extra header  |\tifinfomsg family=unspec type=loopback',
        '| 01 00 00 00  |\t|  extra header  |\tindex=1',
        '| 49 00 01 00  |\t|  extra header  |\tflags=[up,loopback,running,lower_up]',
        '| 00 00 00 00  |\t|  extra header  |\tchange=[]',
        '|00007|--|00003|\t|len |flags| type|\tIFLA_IFNAME ifname',
        '| 6c 6f 00 00  |\t|      data      |\t l o    \t"lo"',
        '|00008|--|00004|\t|len |flags| type|\tIFLA_MTU mtu',
        '| 00 00 01 00  |\t|      data      |\t        \t65536',
        '|00016|--|00018|\t|len |flags| type|\tIFLA_LINKINFO linkinfo',
        '| 09 00 01 00  |\t|      data      |\t        \t  IFLA_INFO_KIND kind',
        '| 76 65 74 68  |\t|      data      |\t v e t h\t  "veth"',
        '| 00 00 00 00  |\t|      data      |\t        ',
        '|00008|--|00200|\t|len |flags| type|\t(unknown type 200)',
        '| 0a 0b 0c 0d  |\t|      data      |\t        \t0a0b0c0d',
        '----------------\t------------------',
        '',
      ].join('\n'),
    );
    // Without the layout, the whole fixed header goes on its first word.
    expect(annotateMnl(linkRecord())).toContain(
      '| 00 00 04 03  |\t|  extra header  |\tifinfomsg {family=unspec type=loopback index=1 flags=[up,loopback,running,lower_up] change=[]}\n| 01 00 00 00  |\t|  extra header  |\n',
    );
  });

  it('annotates errors word by word and malformed attributes where they are', () => {
    const err = render('mnl-annotated', errorRecord()).split('\n');
    expect(err.slice(6, 13)).toEqual([
      '| ea ff ff ff  |\t|                |\terror=-22 EINVAL "Invalid argument"',
      '| 30 00 00 00  |\t|                |\trequest len=48',
      '| 10 00 05 06  |\t|                |\trequest type=16 flags=0x0605',
      '| 01 00 00 00  |\t|                |\trequest seq=1',
      '| d2 04 00 00  |\t|                |\trequest pid=1234',
      '| 18 00 01 00  |\t|                |\tNLMSGERR_ATTR_MSG "Unknown device type"',
      '| 55 6e 6b 6e  |\t|                |',
    ]);
    expect(err).toContain('| 08 00 02 00  |\t|                |\tNLMSGERR_ATTR_OFFS 36 (linkinfo.kind)');
    const bad = render('mnl-annotated', malformedRecord());
    expect(bad).toContain('|00006|--|00004|\t|len |flags| type|\tIFLA_MTU mtu (malformed: expected 4 bytes for u32, got 2)\n| 01 02 00 00  |\t|      data      |\t        \t0102\n');
    expect(bad).toContain('|00040|--|00003|\t|len |flags| type|\tmalformed: attribute at offset 48: length 40 runs past the end (8 bytes left)\n');
  });

  it('says so when libmnl would show nothing for a message', () => {
    const r = linkRecord();
    const short: MessageRecord = { ...r, bytes: r.bytes.subarray(0, 40) };
    expect(render('mnl', short)).toBe('');
    expect(render('mnl-annotated', short)).toBe('# RTM_NEWLINK seq=7 not shown by libmnl: nlmsg_len=72, 40 bytes\n');
  });
});

describe('loadRenderer', () => {
  it('gives each format the renderer createRenderer gives, loading only its module', async () => {
    const formats: OutputFormat[] = ['table', 'json', 'text', 'mnl', 'mnl-annotated'];
    for (const format of formats) {
      for (const options of [{}, { color: true, width: 80 }, { pretty: true }, { lossless: true }]) {
        // Renderers keep state between records (a table's blank lines): compare whole streams.
        const lazy = await loadRenderer(format, options);
        const eager = createRenderer(format, options);
        for (const r of [malformedRecord(), genlRecord(), ...notes]) expect(lazy.render(r), `${format} ${JSON.stringify(options)}`).toBe(eager.render(r));
        expect(lazy.end?.()).toBe(eager.end?.());
      }
    }
  });

  it('rejects a format it does not know, also one named like an Object member', async () => {
    for (const bad of ['yaml', 'toString', 'constructor', '']) {
      await expect(loadRenderer(bad as OutputFormat)).rejects.toThrow(RangeError);
      expect(() => createRenderer(bad as OutputFormat)).toThrow(RangeError);
    }
  });
});
