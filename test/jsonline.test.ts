// The compact JSON writer (model/jsonline.ts) against the general path it stands in for:
// whenever messageJsonMembers writes a message, its text must be exactly what
// stringifyJson(messageToObject(decodeMessage(m))) gives. Checked on kernel replies of every
// route dump and on random messages built from every described family, and the writer must
// actually take the plain messages (a writer that always declines would pass the rest).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describedFamilies, loadFamily, type FamilySpec } from '../src/families/index.js';
import type { AttrSetSpec } from '../src/families/schema.js';
import { decodeMessage, type DecodeContext } from '../src/model/decode.js';
import { messageToObject } from '../src/model/json.js';
import { ByteSink } from '../src/model/bytesink.js';
import { messageJsonMembers, writeMessageJsonMembers } from '../src/model/jsonline.js';
import { stringifyJson } from '../src/model/jsontext.js';
import { dial } from '../src/netlink/conn.js';
import { HeaderFlags, type Message } from '../src/netlink/message.js';
import { LE, align4, concat } from './helpers/bytes.js';
import { createNetns, type Netns } from './helpers/netns.js';

/** The general path's members: the object's JSON without `{"record":"message",` and `}`. */
function general(m: Message, ctx: DecodeContext): string {
  const text = stringifyJson(messageToObject(decodeMessage(m, ctx)));
  const prefix = '{"record":"message",';
  expect(text.startsWith(prefix)).toBe(true);
  return text.slice(prefix.length, -1);
}

// One long-lived sink, as stdout's: every chunk is taken and its buffer overwritten, so text the
// writer remembers from earlier messages (a fixed header) must be its own copy.
const shared = new ByteSink(4096);

/** Write through the shared sink, then hand the chunk over and scribble on it. */
function throughShared(m: Message, ctx: DecodeContext): string | undefined {
  const wrote = writeMessageJsonMembers(shared, m, ctx);
  const text = wrote ? shared.toString() : undefined;
  if (!wrote) expect(shared.pos).toBe(0);
  shared.take().fill(0x78);
  return text;
}

/** Compare the two paths on one message; true when the writer took it. */
function same(m: Message, ctx: DecodeContext): boolean {
  const fast = messageJsonMembers(m, ctx);
  expect(throughShared(m, ctx)).toBe(fast);
  if (fast === undefined) return false;
  expect(fast).toBe(general(m, ctx));
  return true;
}

describe('on kernel replies', () => {
  // Made in beforeAll, not while collecting: a run that filters these tests out makes none.
  let ns: Netns;
  let route: FamilySpec;
  beforeAll(async () => {
    ns = createNetns('nlctl-jsonline');
    route = (await loadFamily('route'))!;
    ns.exec(
      [
        'ip link set lo up',
        'ip link add jl0 type veth peer name jl1',
        'ip link add jlbr0 type bridge',
        'ip link set jl1 master jlbr0',
        'ip link add jlvx0 type vxlan id 42 dstport 4789 local 192.0.2.1',
        'ip link set jl0 up; ip link set jl1 up; ip link set jlbr0 up',
        'ip addr add 192.0.2.1/24 dev jl0',
        'ip addr add 2001:db8::1/64 dev jl0 nodad',
        'ip route add 198.51.100.0/24 via 192.0.2.2 dev jl0 metric 7',
        'ip route add 203.0.113.0/24 nexthop via 192.0.2.2 weight 1 nexthop via 192.0.2.3 weight 2',
        'ip route add 2001:db8:1::/64 via 2001:db8::2 dev jl0',
        'ip neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev jl0',
        'ip rule add fwmark 0x10 table 100 priority 1000',
      ].join(' && '),
    );
  });
  afterAll(() => ns?.destroy());

  // RTM_GET* with an AF_UNSPEC header of the right size for each.
  const dumps: [string, number, number][] = [
    ['getlink', 18, 16],
    ['getaddr', 22, 8],
    ['getroute', 26, 12],
    ['getneigh', 30, 12],
    ['getrule', 34, 12],
    ['getnetconf', 82, 4],
  ];
  it.each(dumps)('%s: every message the writer takes is the general text, and it takes the plain ones', async (_name, type, headerSize) => {
    const conn = await dial(0, { netns: ns.path });
    try {
      const replies = await conn.execute({ header: { type, flags: HeaderFlags.Request | HeaderFlags.Dump }, data: new Uint8Array(headerSize) });
      const ctx: DecodeContext = { protocol: 0, family: route };
      let taken = 0;
      for (const m of replies) if (same(m, ctx)) taken++;
      expect(replies.length).toBeGreaterThan(0);
      // Links carry repeated or general-path parts (af_spec, prop_list) more often; the rest are plain.
      expect(taken / replies.length).toBeGreaterThanOrEqual(type === 18 ? 0.5 : 0.75);
    } finally {
      conn.close();
    }
  });
});

describe('what the writer remembers', () => {
  it('writes a fixed header equal to the last one from its own copy, whatever became of the output buffer', async () => {
    const route = (await loadFamily('route'))!;
    const ctx: DecodeContext = { protocol: 0, family: route };
    // RTM_NEWROUTE for 10.0.0.N/32 in table main: the same rtmsg every time, a different RTA_DST.
    const rtmsg = Uint8Array.of(2, 32, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0);
    const route4 = (n: number): Message => {
      const data = concat(rtmsg, attr(15, Uint8Array.of(254, 0, 0, 0)), attr(1, Uint8Array.of(10, 0, 0, n)));
      return { header: { length: 16 + data.length, type: 24, flags: HeaderFlags.Multi, sequence: 1, pid: 2 }, data };
    };
    const texts = [1, 2, 3].map((n) => throughShared(route4(n), ctx));
    for (const [i, t] of texts.entries()) {
      expect(t).toBe(general(route4(i + 1), ctx));
      expect(t).toContain('"header":{"family":"inet","dst_len":32,');
      expect(t).toContain(`"dst":"10.0.0.${i + 1}"`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Random messages from the descriptions: attribute streams whose types come from the message's
// set (and some unknown ones), with payloads of the sizes the types want and of random sizes,
// nested where the description nests, so both well-formed and malformed messages appear.

const u16 = (v: number) => {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, LE);
  return b;
};

function attr(type: number, data: Uint8Array): Uint8Array {
  const pad = new Uint8Array(align4(4 + data.length) - 4 - data.length);
  return concat(u16(4 + data.length), u16(type), data, pad);
}

const SIZES: Record<string, number[]> = {
  u8: [1], s8: [1], u16: [2], s16: [2], u32: [4], s32: [4], u64: [8], s64: [8], uint: [4, 8], sint: [4, 8],
  flag: [0], bitfield32: [8], string: [1, 5, 16], binary: [4, 6, 16], pad: [0, 4],
};

function setArb(family: FamilySpec, set: AttrSetSpec | undefined, depth: number): fc.Arbitrary<Uint8Array> {
  const types = set ? Object.keys(set.attrs).map(Number) : [];
  const one: fc.Arbitrary<Uint8Array> = fc
    .record({
      type: types.length ? fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...types) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }) }) : fc.integer({ min: 0, max: 300 }),
      pick: fc.nat(),
      random: fc.uint8Array({ maxLength: 24 }),
      weird: fc.integer({ min: 0, max: 9 }),
      flagBits: fc.constantFrom(0, 0x8000, 0x4000),
    })
    .chain(({ type, pick, random, weird, flagBits }) => {
      const spec = set?.attrs[String(type)];
      if (spec && (spec.type === 'nest' || spec.type === 'nest-array') && depth < 3 && weird > 1) {
        const inner = spec.nested ? family.sets[spec.nested] : undefined;
        return fc.array(setArb(family, inner, depth + 1), { maxLength: 3 }).map((kids) => attr(type | 0x8000, concat(...kids)));
      }
      const sizes = spec ? (SIZES[spec.type] ?? [4]) : [4];
      // Mostly the size the type wants, sometimes anything.
      const size = weird === 0 ? random.length : sizes[pick % sizes.length]!;
      const data = new Uint8Array(size);
      data.set(random.subarray(0, size));
      if (spec?.type === 'string' && size > 0 && weird !== 1) {
        for (let i = 0; i < size - 1; i++) data[i] = 0x61 + (data[i]! % 26);
        data[size - 1] = 0;
      }
      return fc.constant(attr(type | flagBits, data));
    });
  return fc.array(one, { maxLength: 6 }).map((parts) => concat(...parts));
}

describe('on random messages of every described family', () => {
  it.each(describedFamilies())('%s: the writer and the general path agree, byte for byte', async (name) => {
    const family = (await loadFamily(name))!;
    if (family.protocol === 16) {
      // Generic netlink goes the general way (the writer declines it): say so and stop.
      expect(family.messages.length).toBeGreaterThan(0);
      return;
    }
    const msgs = family.messages.filter((m) => m.value >= 16);
    if (msgs.length === 0) {
      // Only control-type messages (connector's NLMSG_DONE): the writer declines those.
      expect(family.messages.every((m) => m.value < 16)).toBe(true);
      return;
    }
    const message = fc
      .record({
        spec: fc.constantFrom(...msgs),
        flags: fc.constantFrom(0, HeaderFlags.Request, HeaderFlags.Request | HeaderFlags.Dump, HeaderFlags.Multi),
        header: fc.uint8Array({ minLength: 0, maxLength: 64 }),
        which: fc.nat(),
      })
      .chain(({ spec, flags, header, which }) => {
        // Any of the message's layouts (the decoder picks by direction and first byte).
        const variants = [spec, ...(spec.variants ?? [])];
        const layout = variants[which % variants.length]!;
        const st = layout.header ? family.structs[layout.header] : undefined;
        // Mostly a header of the right size, sometimes a short or long one.
        const hdr = st ? header.subarray(0, which % 7 === 0 ? header.length : st.size) : new Uint8Array(0);
        const fixed = concat(hdr, new Uint8Array(st && hdr.length === st.size ? align4(st.size) - st.size : 0));
        const set = layout.attrs ? family.sets[layout.attrs] : undefined;
        return setArb(family, set, 0).map((attrs): Message => {
          const data = concat(fixed, attrs);
          return { header: { length: 16 + data.length, type: spec.value, flags, sequence: 7, pid: 99 }, data };
        });
      });
    let taken = 0;
    fc.assert(
      fc.property(message, (m) => {
        if (same(m, { protocol: family.protocol, family })) taken++;
      }),
      { numRuns: 1000 },
    );
    // Plain messages come up often enough that the writer must have taken some.
    // A family without attribute sets (audit, selinux: structs and text only) has nothing here.
    if (Object.keys(family.sets).length) expect(taken).toBeGreaterThan(0);
  });
});

describe('on random attributes of every attribute set', () => {
  // Each set in turn is made the attribute set of a one-message family, so nested sets that
  // random top-level messages rarely reach are written at the top too. Generic netlink sets
  // are included this way (the writer declines generic netlink messages themselves).
  it.each(describedFamilies())('%s: every set agrees with the general path', async (name) => {
    const family = (await loadFamily(name))!;
    let taken = 0;
    for (const setName of Object.keys(family.sets)) {
      const probe: FamilySpec = { ...family, protocol: 0, messages: [{ constant: 'PROBE', name: 'probe', value: 100, attrs: setName }] };
      fc.assert(
        fc.property(setArb(probe, family.sets[setName], 0), (attrs) => {
          const m: Message = { header: { length: 16 + attrs.length, type: 100, flags: 0, sequence: 1, pid: 2 }, data: attrs };
          if (same(m, { protocol: 0, family: probe })) taken++;
        }),
        { numRuns: 60 },
      );
    }
    // A family without attribute sets (audit, selinux: structs and text only) has nothing here.
    if (Object.keys(family.sets).length) expect(taken).toBeGreaterThan(0);
  });
});
