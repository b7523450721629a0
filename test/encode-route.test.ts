// Both ways: what decodes also encodes. Real kernel replies go bytes → model → JSON → model →
// bytes unchanged, and requests built from names and human-written values change real objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeaderFlags, dial, marshalMessages, type Message } from '../src/index.js';
import { loadFamily, type FamilySpec } from '../src/families/index.js';
import { decodeMessage } from '../src/model/decode.js';
import { EncodeError, encodeAttrs, encodeMessage, flagsFromNames, type MessageInput } from '../src/model/encode.js';
import { attrsToObject, messageToObject } from '../src/model/json.js';
import { createNetns } from './helpers/netns.js';

const ns = createNetns('nlctl-encode');
let route: FamilySpec;

beforeAll(async () => {
  route = (await loadFamily('route'))!;
  ns.exec('ip link add nle0 type veth peer name nle1 && ip link set nle0 address 02:00:00:00:00:0a');
});
afterAll(() => ns.destroy());

/** JSON as a file or a pipe would carry it: bigint written as digits, read back as strings. */
function viaJson(o: unknown): MessageInput {
  return JSON.parse(JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as MessageInput;
}

async function links(): Promise<Message[]> {
  const c = dial(0, { netns: ns.name });
  try {
    const r = await c.execute({ header: { type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump }, data: new Uint8Array(16) }, { timeout: 5000 });
    return r.filter((m) => m.header.type === 16);
  } finally {
    c.close();
  }
}

describe('round trip', () => {
  it('gives back the exact bytes of every link message: bytes → model → JSON → model → bytes', async () => {
    const msgs = await links();
    expect(msgs.length).toBe(3);
    for (const m of msgs) {
      const o = viaJson(messageToObject(decodeMessage(m, { protocol: 0, family: route }), { lossless: true }));
      const { header, data } = encodeMessage(route, o);
      const rebuilt = marshalMessages([{ header: { ...header, length: 16 + data.length, sequence: m.header.sequence, pid: m.header.pid }, data }]);
      expect(Buffer.from(rebuilt).toString('hex')).toBe(Buffer.from(marshalMessages([m])).toString('hex'));
    }
  });

  it('encodes the compact form back to the same values', async () => {
    const [m] = (await links()).filter((x) => attrsToObject(decodeMessage(x, { protocol: 0, family: route }).attrs).ifname === 'nle0');
    const d = decodeMessage(m!, { protocol: 0, family: route });
    const compact = attrsToObject(d.attrs.filter((a) => a.name && !a.children && a.kind !== 'unknown'));
    const again = decodeMessage(
      { header: { ...m!.header, length: 0 }, data: new Uint8Array([...m!.data.subarray(0, 16), ...encodeAttrs(route, route.sets.link, viaJson(compact) as never)]) },
      { protocol: 0, family: route },
    );
    expect(attrsToObject(again.attrs)).toEqual(compact);
  });
});

describe('requests from names and human values', () => {
  it('changes a real link: RTM_NEWLINK with ifindex, mtu and address', async () => {
    const index = (JSON.parse(ns.exec('ip -j link show nle0')) as { ifindex: number }[])[0]!.ifindex;
    const req = encodeMessage(route, {
      type: 'newlink',
      flags: ['request', 'ack'],
      header: { family: 'unspec', index },
      attrs: { mtu: 1280, address: '02:00:00:00:00:0b' },
    });
    const c = dial(0, { netns: ns.name, strict: true });
    try {
      const replies = await c.execute(req, { timeout: 5000 });
      expect(replies.at(-1)!.header.type).toBe(2);
    } finally {
      c.close();
    }
    const ip = (JSON.parse(ns.exec('ip -j link show nle0')) as { mtu: number; address: string }[])[0]!;
    expect(ip.mtu).toBe(1280);
    expect(ip.address).toBe('02:00:00:00:00:0b');
  });

  it('uses header_bytes as given, padded to 4 only when attributes follow', () => {
    const alone = encodeMessage(route, { type: 'getnetconf', flags: ['request', 'dump'], header_bytes: '02' });
    expect(Buffer.from(alone.data).toString('hex')).toBe('02');
    const withAttrs = encodeMessage(route, { type: 'getnetconf', header_bytes: '02', attrs: { ifindex: 1 } });
    expect(Buffer.from(withAttrs.data).toString('hex')).toBe('02000000' + '0800010001000000');
    // By field, a short header is padded even alone (iproute2 sends a netconf dump that way).
    const byField = encodeMessage(route, { type: 'getnetconf', flags: ['request', 'dump'], header: { family: 'inet' } });
    expect(Buffer.from(byField.data).toString('hex')).toBe('02000000');
    expect(() => encodeMessage(route, { type: 'newaddr', header_bytes: '0218000001000000', attrs: { local: '192.0.2.1/24' } })).toThrow(
      'local: a prefix length goes into a header field: give the header by field, not as header_bytes',
    );
  });

  it('takes addresses with a prefix as a human writes them (192.0.2.1/24): the length goes to the header', async () => {
    ns.exec('ip link set nle0 up && ip link set nle1 up');
    const index = (JSON.parse(ns.exec('ip -j link show nle0')) as { ifindex: number }[])[0]!.ifindex;
    const send = async (input: MessageInput) => {
      const c = dial(0, { netns: ns.name, strict: true });
      try {
        await c.execute(encodeMessage(route, input), { timeout: 5000 });
      } finally {
        c.close();
      }
    };
    await send({ type: 'newaddr', flags: ['request', 'ack', 'create', 'excl'], header: { family: 'inet', index }, attrs: { local: '192.0.2.77/24', address: '192.0.2.77/24' } });
    const addr = (JSON.parse(ns.exec('ip -j -4 addr show nle0')) as { addr_info: { local: string; prefixlen: number }[] }[])[0]!.addr_info;
    expect(addr).toEqual([expect.objectContaining({ local: '192.0.2.77', prefixlen: 24 })]);
    await send({
      type: 'newroute',
      flags: ['request', 'ack', 'create', 'excl'],
      header: { family: 'inet', table: 'main', protocol: 'static', scope: 'universe', type: 'unicast' },
      attrs: { dst: '198.51.100.0/25', gateway: '192.0.2.1', oif: index },
    });
    expect(JSON.parse(ns.exec('ip -j route show 198.51.100.0/25'))).toEqual([expect.objectContaining({ dst: '198.51.100.0/25', gateway: '192.0.2.1' })]);
    // A header that says otherwise is an error, not a guess.
    expect(() => encodeMessage(route, { type: 'newaddr', header: { family: 'inet', prefixlen: 16 }, attrs: { local: '192.0.2.78/24' } })).toThrow(/says \/24, the header's prefixlen says 16/);
  });

  it('adds a multipath route from the JSON shape -j prints: RTA_MULTIPATH by hop, ip -j route shows it', async () => {
    ns.exec(
      'ip link add nlm0 type veth peer name nlm1 && ip link add nlm2 type veth peer name nlm3 && ' +
        'for d in nlm0 nlm1 nlm2 nlm3; do ip link set $d up; done && ip addr add 10.20.1.1/24 dev nlm0 && ip addr add 10.20.2.1/24 dev nlm2',
    );
    const links = JSON.parse(ns.exec('ip -j link show')) as { ifindex: number; ifname: string }[];
    const index = (name: string) => links.find((l) => l.ifname === name)!.ifindex;
    // The request as JSON text, as `nlctl execute --attrs` takes it: hops are weight minus one.
    const input = viaJson({
      type: 'newroute',
      flags: ['request', 'ack', 'create', 'excl'],
      header: { family: 'inet', dst_len: 24, table: 'main', protocol: 'static', scope: 'universe', type: 'unicast' },
      attrs: {
        dst: '100.64.0.0',
        multipath: [
          { flags: [], hops: 0, ifindex: index('nlm0'), attrs: { gateway: '10.20.1.2' } },
          { flags: ['onlink'], hops: 4, ifindex: index('nlm2'), attrs: { gateway: '10.20.2.2' } },
        ],
      },
    });
    const c = dial(0, { netns: ns.name, strict: true });
    try {
      const replies = await c.execute(encodeMessage(route, input), { timeout: 5000 });
      expect(replies.at(-1)!.header.type).toBe(2);
    } finally {
      c.close();
    }
    const [ip] = JSON.parse(ns.exec('ip -j route show 100.64.0.0/24')) as { protocol: string; nexthops: { gateway: string; dev: string; weight: number; flags: string[] }[] }[];
    expect(ip!.protocol).toBe('static');
    expect(ip!.nexthops).toEqual([
      { gateway: '10.20.1.2', dev: 'nlm0', weight: 1, flags: [] },
      { gateway: '10.20.2.2', dev: 'nlm2', weight: 5, flags: ['onlink'] },
    ]);
  });

  it('accepts type and flag names in the forms people write', () => {
    expect(flagsFromNames(['request', 'dump'])).toBe(0x301);
    expect(flagsFromNames('request|ack|create|excl')).toBe(0x605);
    expect(flagsFromNames('NLM_F_REQUEST,0x20')).toBe(0x21);
    expect(encodeMessage(route, { type: 'RTM_GETLINK', flags: 'request|dump' }).header).toMatchObject({ type: 18, flags: 0x301 });
    expect(encodeMessage(route, { type: 18 }).header.flags).toBe(1);
    expect(encodeMessage(route, { type: 'getlink' }).data).toHaveLength(16);
  });

  it('says what is wrong, and where, for values it cannot encode', () => {
    expect(() => encodeMessage(route, { type: 'nosuch' })).toThrow(EncodeError);
    expect(() => encodeMessage(route, { type: 'newlink', attrs: { mtu: 'big' } })).toThrow(/mtu: expected an integer/);
    expect(() => encodeMessage(route, { type: 'newlink', attrs: { mtu: 2 ** 40 } })).toThrow(/mtu: .* does not fit in u32/);
    expect(() => encodeMessage(route, { type: 'newlink', attrs: { nosuch: 1 } })).toThrow(/nosuch: unknown attribute in link/);
    expect(() => encodeMessage(route, { type: 'newlink', attrs: { address: 'zz:zz' } })).toThrow(/address: cannot read/);
    expect(() => encodeMessage(route, { type: 'newlink', header: { type: 'nosuch' } })).toThrow(/header.type: "nosuch" is not one of/);
    expect(() => encodeMessage(route, { type: 'newlink', flags: ['sideways'] })).toThrow(/unknown flag "sideways"/);
  });

  it('writes enum and flag names of the fixed header as numbers', () => {
    const { data } = encodeMessage(route, { type: 'newlink', header: { family: 'inet6', type: 'ether', flags: ['up', 'broadcast'], change: '0xffffffff' } });
    const d = decodeMessage({ header: { length: 16 + data.length, type: 16, flags: 1, sequence: 1, pid: 0 }, data }, { protocol: 0, family: route });
    expect(d.fixed!.fields).toMatchObject({ family: 'inet6', type: 'ether', flags: ['up', 'broadcast'] });
    expect(d.fixed!.raw.change).toBe(0xffffffff);
  });
});
