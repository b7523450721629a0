// The generic decoder on real rtnetlink replies, checked field by field against iproute2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeaderFlags, HeaderType, dial, type Message } from '../src/index.js';
import { loadFamily, type FamilySpec } from '../src/families/index.js';
import { attrPathAt, decodeMessage } from '../src/model/decode.js';
import { flagNames } from '../src/netlink/message.js';
import { attrsToObject, messageToObject, type JsonValue } from '../src/model/json.js';
import { formatIPv6, parseIPv6 } from '../src/model/values.js';
import { createNetns } from './helpers/netns.js';

const ns = createNetns('nlctl-decode');
let route: FamilySpec;

beforeAll(async () => {
  route = (await loadFamily('route'))!;
  ns.exec('ip link add nld0 type veth peer name nld1 && ip link set nld0 address 02:00:00:00:00:09 mtu 1400 && ip link set nld0 up && ip link set lo up');
});
afterAll(() => ns.destroy());

async function dump(type: number, header: Uint8Array): Promise<Message[]> {
  const c = dial(0, { netns: ns.name, strict: true });
  try {
    return await c.execute({ header: { type, flags: HeaderFlags.Request | HeaderFlags.Dump }, data: header }, { timeout: 5000 });
  } finally {
    c.close();
  }
}

describe('route: links', () => {
  it('decodes RTM_NEWLINK like ip -j link show', async () => {
    const msgs = (await dump(18, new Uint8Array(16))).filter((m) => m.header.type === 16);
    const decoded = msgs.map((m) => decodeMessage(m, { protocol: 0, family: route }));
    const ip = JSON.parse(ns.exec('ip -j link show')) as Record<string, unknown>[];
    expect(decoded).toHaveLength(ip.length);
    for (const want of ip) {
      const d = decoded.find((x) => x.fixed!.fields.index === want.ifindex)!;
      expect(d, `link ${want.ifname}`).toBeDefined();
      expect(d.type).toMatchObject({ name: 'newlink', constant: 'RTM_NEWLINK' });
      expect(d.malformed).toEqual([]);
      const attrs = attrsToObject(d.attrs);
      expect(attrs.ifname).toBe(want.ifname);
      expect(attrs.mtu).toBe(want.mtu);
      expect(attrs.txqlen).toBe(want.txqlen);
      expect(attrs.qdisc).toBe(want.qdisc);
      expect(String(attrs.operstate).toUpperCase()).toBe(want.operstate);
      expect(attrs.address).toBe(want.address);
      expect(attrs.broadcast).toBe(want.broadcast);
      expect(d.fixed!.fields.type).toBe(want.link_type);
      // ip hides IFF_RUNNING and adds words of its own (NO-CARRIER); every flag it shows is ours.
      const ours = (d.fixed!.fields.flags as string[]).map((f) => f.toUpperCase());
      for (const f of want.flags as string[]) if (!/^(NO-CARRIER|M-DOWN)$/.test(f)) expect(ours).toContain(f);
    }
  });

  it('names flags by context and keeps the numbers of enums', async () => {
    const [m] = (await dump(18, new Uint8Array(16))).filter((x) => x.header.type === 16);
    const d = decodeMessage(m!, { protocol: 0, family: route });
    expect(d.flags).toEqual(['multi']);
    expect(typeof d.fixed!.raw.type).toBe('number');
    const op = d.attrs.find((a) => a.name === 'operstate')!;
    expect(typeof op.raw).toBe('number');
    expect(flagNames(0x301, 'get')).toEqual(['request', 'dump']);
    expect(flagNames(0x605, 'new')).toEqual(['request', 'ack', 'excl', 'create']);
    expect(flagNames(0x300, 'ack')).toEqual(['capped', 'ack_tlvs']);
    expect(flagNames(0x1100, 'del')).toEqual(['nonrec', '0x1000']);
  });

  it('keeps unknown attributes, extra header bytes and malformed parts instead of dropping them', () => {
    // RTM_NEWLINK: an ifinfomsg 4 bytes longer than described, a known attribute, an unknown one, a short u32.
    const body = [
      ...new Array(16).fill(0), 0xde, 0xad, 0xbe, 0xef,
      8, 0, 4, 0, 0xdc, 5, 0, 0, // IFLA_MTU 1500
      8, 0, 0x3f, 0x3f & 0xff, 1, 2, 3, 4, // type 0x3f3f: unknown
      6, 0, 4, 0, 1, 2, 0, 0, // IFLA_MTU with 2 bytes
    ];
    const data = new Uint8Array(body);
    const d = decodeMessage({ header: { length: 16 + data.length, type: 16, flags: 0, sequence: 1, pid: 0 }, data }, { protocol: 0, family: route });
    // The longer header swallows the first 4 attribute bytes: that is what the description says.
    expect(d.fixed!.extra).toBeUndefined();
    const d2 = decodeMessage({ header: { length: 16 + 12, type: 16, flags: 0, sequence: 1, pid: 0 }, data: new Uint8Array(12) }, { protocol: 0, family: route });
    expect(d2.fixed!.missing).toEqual(['change']);
    expect(d2.malformed[0]).toMatch(/shorter/);
    const noHeader = new Uint8Array(body.slice(20));
    const full = new Uint8Array(16 + noHeader.length);
    full.set(noHeader, 16);
    const d3 = decodeMessage({ header: { length: 16 + full.length, type: 16, flags: 0, sequence: 1, pid: 0 }, data: full }, { protocol: 0, family: route });
    const o = attrsToObject(d3.attrs);
    expect(o.mtu).toEqual([1500, '0102']);
    expect(o[`unknown_${0x3f3f & 0x3fff}`]).toBe('01020304');
    expect(d3.attrs[2]!.malformed).toMatch(/expected 4 bytes/);
    expect(d3.malformed).toHaveLength(1);
  });

  it('points an extended-ACK offset at the attribute by path', () => {
    // A small family of its own: message 16 with a 4-byte header and a nest holding a string.
    const fam: FamilySpec = {
      name: 'test',
      protocol: 99,
      messages: [{ constant: 'T_NEW', name: 'new', value: 16, header: 'hdr', attrs: 'top', kind: 'new' }],
      structs: { hdr: { name: 'hdr', size: 4, fields: [{ name: 'x', type: 'u32' }] } },
      sets: {
        top: { name: 'top', attrs: { '1': { name: 'mtu', constant: 'T_MTU', type: 'u32' }, '2': { name: 'info', constant: 'T_INFO', type: 'nest', nested: 'info' } } },
        info: { name: 'info', attrs: { '1': { name: 'kind', constant: 'T_KIND', type: 'string' } } },
      },
      enums: {},
      groups: [],
    };
    // nlmsghdr | hdr (4) | mtu (8) at 20 | info (16) at 28 holding kind (9+3) at 32
    const data = new Uint8Array([0, 0, 0, 0, 8, 0, 1, 0, 0xdc, 5, 0, 0, 16, 0, 2, 0x80, 9, 0, 1, 0, 0x76, 0x65, 0x74, 0x68, 0, 0, 0, 0]);
    const req = decodeMessage({ header: { length: 16 + data.length, type: 16, flags: 5, sequence: 1, pid: 0 }, data }, { protocol: 99, family: fam });
    expect(req.malformed).toEqual([]);
    expect(attrPathAt(req, 20)).toBe('mtu');
    expect(attrPathAt(req, 28)).toBe('info');
    expect(attrPathAt(req, 32)).toBe('info.kind');
    expect(attrPathAt(req, 36)).toBe('info.kind');
    expect(attrPathAt(req, 8)).toBeUndefined();
    // An error reply naming offset 32 gets the path when the request is known.
    const err = new Uint8Array(4 + 16 + 12);
    const v = new DataView(err.buffer);
    v.setInt32(0, -22, true);
    v.setUint32(4, 16 + data.length, true);
    err.set([8, 0, 2, 0, 32, 0, 0, 0], 20);
    const reply = decodeMessage({ header: { length: 16 + err.length, type: 2, flags: 0x300, sequence: 1, pid: 0 }, data: err }, { protocol: 99, family: fam, request: req });
    expect(reply.ack).toMatchObject({ errno: -22, name: 'EINVAL', badAttr: 'info.kind' });
    expect(reply.flags).toEqual(['capped', 'ack_tlvs']);
  });

  it('serialises a message as one JSON-ready record', async () => {
    const msgs = await dump(18, new Uint8Array(16));
    const lo = msgs.map((m) => decodeMessage(m, { protocol: 0, family: route })).find((d) => attrsToObject(d.attrs).ifname === 'lo')!;
    const o = messageToObject(lo, { lossless: true });
    expect(o).toMatchObject({ record: 'message', family: 'route', type: 'RTM_NEWLINK', type_num: 16, flags: ['multi'] });
    expect((o.attrs as Record<string, unknown>).mtu).toBe(65536);
    expect((o.header as Record<string, unknown>).type).toBe('loopback');
    expect(Array.isArray(o.attr_list)).toBe(true);
    const done = msgs.at(-1)!;
    expect(done.header.type).toBe(HeaderType.Done);
    expect(messageToObject(decodeMessage(done, { protocol: 0, family: route }))).toMatchObject({ type: 'NLMSG_DONE', error: { errno: 0, name: 'OK' } });
  });
});

describe('route: addresses, routes, netconf', () => {
  beforeAll(() => {
    ns.exec('ip addr add 192.0.2.1/24 dev nld0 && ip addr add 2001:db8::1/64 dev nld0 nodad && ip route add 198.51.100.0/24 via 192.0.2.2 dev nld0 metric 7');
  });

  it('decodes RTM_NEWADDR like ip -j addr show', async () => {
    const msgs = (await dump(22, new Uint8Array(8))).filter((m) => m.header.type === 20);
    const ours = msgs.map((m) => decodeMessage(m, { protocol: 0, family: route }));
    for (const d of ours) expect(d.malformed).toEqual([]);
    const ip = JSON.parse(ns.exec('ip -j addr show')) as { ifindex: number; addr_info: { family: string; local: string; prefixlen: number; scope: string }[] }[];
    // ip calls RT_SCOPE_UNIVERSE "global"; we keep the kernel's name.
    const scope = (s: string) => (s === 'global' ? 'universe' : s);
    const want = ip.flatMap((l) => l.addr_info.map((a) => `${l.ifindex} ${a.family} ${a.local}/${a.prefixlen} ${scope(a.scope)}`)).sort();
    const got = ours
      .map((d) => {
        const f = d.fixed!.fields;
        const a = attrsToObject(d.attrs);
        return `${f.index} ${f.family} ${a.local ?? a.address}/${f.prefixlen} ${f.scope}`;
      })
      .sort();
    expect(got).toEqual(want);
  });

  it('decodes RTM_NEWROUTE like ip -j route show', async () => {
    const rtmsg = new Uint8Array(12);
    rtmsg[0] = 2; // AF_INET
    const msgs = (await dump(26, rtmsg)).filter((m) => m.header.type === 24);
    const ours = msgs.map((m) => decodeMessage(m, { protocol: 0, family: route }));
    for (const d of ours) expect(d.malformed).toEqual([]);
    const ip = JSON.parse(ns.exec('ip -j route show table main')) as { dst: string; gateway?: string; protocol: string; scope: string; metric?: number }[];
    const main = ours.filter((d) => attrsToObject(d.attrs).table === 254 || d.fixed!.fields.table === 'main');
    expect(main).toHaveLength(ip.length);
    const ext = main.map((d) => ({ ...d.fixed!.fields, ...attrsToObject(d.attrs) })).find((r) => r.dst === '198.51.100.0')!;
    expect(ext).toMatchObject({ gateway: '192.0.2.2', priority: 7, dst_len: 24 });
    const want = ip.find((r) => r.dst === '198.51.100.0/24')!;
    // ip -j leaves out the defaults (protocol boot, scope global = RT_SCOPE_UNIVERSE).
    expect(ext.protocol).toBe(want.protocol ?? 'boot');
    expect(ext.scope).toBe(want.scope === undefined || want.scope === 'global' ? 'universe' : want.scope);
  });

  it('decodes RTM_NEWNEIGH like ip -j neigh show', async () => {
    ns.exec('ip neigh add 192.0.2.5 lladdr 02:00:00:00:00:05 dev nld0 nud permanent && ip neigh add 192.0.2.6 lladdr 02:00:00:00:00:06 dev nld0 nud stale');
    const ndmsg = new Uint8Array(12);
    ndmsg[0] = 2; // AF_INET
    const ours = (await dump(30, ndmsg)).filter((m) => m.header.type === 28).map((m) => decodeMessage(m, { protocol: 0, family: route }));
    for (const d of ours) expect(d.malformed).toEqual([]);
    const ip = JSON.parse(ns.exec('ip -j -4 neigh show')) as { dst: string; lladdr?: string; state: string[] }[];
    const got = ours.map((d) => ({ ...d.fixed!.fields, ...attrsToObject(d.attrs) }));
    expect(got).toHaveLength(ip.length);
    for (const want of ip) {
      const n = got.find((g) => g.dst === want.dst)!;
      expect(n, want.dst).toBeDefined();
      expect(n.lladdr).toBe(want.lladdr);
      expect((n.state as string[]).map((x) => x.toUpperCase())).toEqual(want.state);
    }
  });

  it('decodes RTM_NEWRULE like ip -j rule show', async () => {
    ns.exec('ip rule add from 192.0.2.0/24 table 100 pref 1000 && ip rule add fwmark 0x7 table 101 pref 1001');
    const hdr = new Uint8Array(12);
    hdr[0] = 2; // AF_INET
    const ours = (await dump(34, hdr)).filter((m) => m.header.type === 32).map((m) => decodeMessage(m, { protocol: 0, family: route }));
    for (const d of ours) expect(d.malformed).toEqual([]);
    const ip = JSON.parse(ns.exec('ip -j -4 rule show')) as { priority: number; src?: string; srclen?: number; table: string; fwmark?: string }[];
    const got = ours.map((d) => ({ ...d.fixed!.fields, ...attrsToObject(d.attrs) }));
    // The kernel leaves FRA_PRIORITY out when it is 0 (the local rule); ip prints 0.
    const byNumber = (a: number, b: number) => a - b;
    expect(got.map((r) => (r.priority ?? 0) as number).sort(byNumber)).toEqual(ip.map((r) => r.priority).sort(byNumber));
    const from = got.find((r) => r.priority === 1000)!;
    expect(from).toMatchObject({ src: '192.0.2.0', src_len: 24, table: 100 });
    const mark = got.find((r) => r.priority === 1001)!;
    // Marks are shown in hex, as ip prints them.
    expect(mark.fwmark).toBe(ip.find((r) => r.priority === 1001)!.fwmark);
    expect(mark.fwmark).toBe('0x7');
    expect(mark.table).toBe(101);
  });

  it('decodes netconf replies, whose 1-byte header is followed by aligned attributes', async () => {
    // The kernel's strict check wants the 1-byte netconfmsg padded to 4 (NLMSG_ALIGN).
    const msgs = (await dump(82, new Uint8Array([2, 0, 0, 0]))).filter((m) => m.header.type === 80);
    expect(msgs.length).toBeGreaterThan(0);
    for (const m of msgs) {
      const d = decodeMessage(m, { protocol: 0, family: route });
      expect(d.malformed).toEqual([]);
      expect(d.attrs.length).toBeGreaterThan(0);
      expect(d.attrs.every((a) => a.name !== undefined)).toBe(true);
    }
  });
});

describe('route: multipath routes, nexthop groups, alternative names', () => {
  beforeAll(() => {
    ns.exec(
      [
        'ip link add nlm0 type veth peer name nlm1',
        'ip link add nlm2 type veth peer name nlm3',
        'for d in nlm0 nlm1 nlm2 nlm3; do ip link set $d up; done',
        'ip addr add 10.10.1.1/24 dev nlm0',
        'ip addr add 10.10.2.1/24 dev nlm2',
        'ip route add 203.0.113.0/24 nexthop via 10.10.1.2 dev nlm0 weight 1 nexthop via 10.10.2.2 dev nlm2 weight 2',
        'ip nexthop add id 1 via 10.10.1.2 dev nlm0',
        'ip nexthop add id 2 via 10.10.2.2 dev nlm2',
        'ip nexthop add id 10 group 1/2,3',
        'ip link property add dev nlm0 altname nlm-alt0',
        'ip link property add dev nlm2 altname nlm-alt2a',
        'ip link property add dev nlm2 altname nlm-alt2b',
      ].join(' && '),
    );
  });

  const ifname = (index: JsonValue) => (JSON.parse(ns.exec('ip -j link show')) as { ifindex: number; ifname: string }[]).find((l) => l.ifindex === index)?.ifname;

  it('decodes RTA_MULTIPATH (struct rtnexthop, each with its attributes) like ip -j route', async () => {
    const rtmsg = new Uint8Array(12);
    rtmsg[0] = 2; // AF_INET
    const ours = (await dump(26, rtmsg)).filter((m) => m.header.type === 24).map((m) => decodeMessage(m, { protocol: 0, family: route }));
    for (const d of ours) expect(d.malformed).toEqual([]);
    const mp = ours.map((d) => attrsToObject(d.attrs)).find((a) => a.dst === '203.0.113.0')!;
    const hops = mp.multipath as { flags: string[]; hops: number; ifindex: number; attrs: Record<string, JsonValue> }[];
    const [ip] = JSON.parse(ns.exec('ip -j route show 203.0.113.0/24')) as { nexthops: { gateway: string; dev: string; weight: number; flags: string[] }[] }[];
    expect(hops).toHaveLength(ip!.nexthops.length);
    hops.forEach((h, i) => {
      const want = ip!.nexthops[i]!;
      expect(h.attrs.gateway).toBe(want.gateway);
      expect(ifname(h.ifindex)).toBe(want.dev);
      // rtnh_hops is the weight minus one; ip shows the weight.
      expect(h.hops + 1).toBe(want.weight);
      expect(h.flags).toEqual(want.flags);
      // The length is framing: left out, as nla_len is.
      expect(h).not.toHaveProperty('len');
    });
  });

  it('decodes NHA_GROUP (an array of struct nexthop_grp) like ip -j nexthop', async () => {
    const ours = (await dump(106, new Uint8Array(8))).filter((m) => m.header.type === 104).map((m) => decodeMessage(m, { protocol: 0, family: route }));
    for (const d of ours) expect(d.malformed).toEqual([]);
    const ip = JSON.parse(ns.exec('ip -j nexthop show')) as { id: number; gateway?: string; dev?: string; group?: { id: number; weight?: number }[] }[];
    expect(ours).toHaveLength(ip.length);
    for (const want of ip) {
      const a = ours.map((d) => attrsToObject(d.attrs)).find((x) => x.id === want.id)!;
      if (want.group) {
        expect(a.group_type).toBe('mpath');
        // ip leaves out a weight of 1; the kernel keeps the weight minus one.
        expect((a.group as { id: number; weight: number }[]).map((g) => ({ id: g.id, weight: g.weight + 1 }))).toEqual(want.group.map((g) => ({ id: g.id, weight: g.weight ?? 1 })));
      } else {
        expect(a.gateway).toBe(want.gateway);
        expect(ifname(a.oif!)).toBe(want.dev);
      }
    }
  });

  it('shows IFLA_ALT_IFNAME (multi) as an array, one name or many, like ip -j link', async () => {
    const msgs = (await dump(18, new Uint8Array(16))).filter((m) => m.header.type === 16).map((m) => decodeMessage(m, { protocol: 0, family: route }));
    const ip = JSON.parse(ns.exec('ip -j link show')) as { ifname: string; altnames?: string[] }[];
    for (const name of ['nlm0', 'nlm2', 'nlm1']) {
      const a = attrsToObject(msgs.find((d) => attrsToObject(d.attrs).ifname === name)!.attrs);
      const want = ip.find((l) => l.ifname === name)!.altnames;
      expect((a.prop_list as Record<string, JsonValue> | undefined)?.alt_ifname, name).toEqual(want);
    }
    expect(ip.find((l) => l.ifname === 'nlm0')!.altnames).toEqual(['nlm-alt0']);
  });
});

describe('values', () => {
  it.each([
    ['::', '::'],
    ['::1', '::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::200:ff:fe00:9', 'fe80::200:ff:fe00:9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['1:0:0:2::3', '1:0:0:2::3'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
  ])('IPv6 %s reads back as %s', (text, canonical) => {
    expect(formatIPv6(parseIPv6(text)!)).toBe(canonical);
  });
});
