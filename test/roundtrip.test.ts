// Every family description both ways on what the kernel really sends. Replies are captured in
// scratch namespaces (links of several kinds, addresses, multipath routes, neighbours, rules,
// nexthop groups, qdiscs, netconf; sockets; conntrack entries; IPsec states and policies;
// ethtool on veths; nlctrl's families and policy tables; TASKSTATS, tcp_metrics, mptcp_pm;
// audit status), then each message goes
//
//   bytes → model → JSON text → model → bytes
//
// twice: through the lossless form (attr_list), which must give back the exact bytes, and
// through the compact form (`attrs`, what -j prints and --attrs takes), which must give back the
// same bytes except for the two attribute flag bits that form does not record: NLA_F_NESTED
// (the encoder sets it on every nest, as strict kernels want it in requests, while the kernel
// leaves it off many it writes) and NLA_F_NET_BYTEORDER (ipset sets it on its integers). Those
// bits are cleared on both sides before comparing, at the attribute headers the decoder found.
// Requests are built with the encoder from names, as a user would write them.
//
// devlink and wireguard are not registered on this kernel: nothing to capture (their
// hand-built messages round-trip in decode-genl-families.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeaderFlags, HeaderType, dial, marshalMessages, type Message } from '../src/index.js';
import { loadFamily, type FamilySpec } from '../src/families/index.js';
import { decodeMessage, type DecodeContext, type DecodedAttr } from '../src/model/decode.js';
import { encodeMessage, type MessageInput } from '../src/model/encode.js';
import { messageToObject, type JsonValue } from '../src/model/json.js';
import { getFamily } from '../src/netlink/genl.js';
import { LE, concat, u32 } from './helpers/bytes.js';
import { createNetns } from './helpers/netns.js';

const NLA_FLAG_BITS = 0xc000;

const ns = createNetns('nlctl-rt');
const scratch = mkdtempSync(join(tmpdir(), 'nlctl-rt-'));
let listener: ChildProcess | undefined;

/** JSON text and back, as a file or a pipe carries it: bigints as digit strings. */
function viaJson(o: unknown): MessageInput {
  return JSON.parse(JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as MessageInput;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The message's bytes with the flag bits of every attribute header in `attrs` cleared. */
function withoutFlagBits(m: Message, attrs: readonly DecodedAttr[]): string {
  const b = marshalMessages([m]).slice();
  const view = new DataView(b.buffer);
  const clear = (list: readonly DecodedAttr[]) => {
    for (const a of list) {
      view.setUint16(a.offset + 2, view.getUint16(a.offset + 2, LE) & ~NLA_FLAG_BITS, LE);
      if (a.children) clear(a.children);
    }
  };
  clear(attrs);
  return hex(b);
}

/** Totals, to show the tests compared something real. */
const seen = { messages: 0, exact: 0 };

/**
 * Both round trips of every data message in `msgs` (ACKs and DONE are left out), decoded with
 * `family` (a generic netlink family under its live ID).
 */
function roundTrip(what: string, family: FamilySpec, msgs: readonly Message[], genlId?: number): number {
  const ctx: DecodeContext = genlId !== undefined ? { protocol: 16, genlFamilies: new Map([[genlId, family]]) } : { protocol: family.protocol, family };
  let n = 0;
  for (const m of msgs) {
    if (m.header.type < HeaderType.MinType) continue;
    const d = decodeMessage(m, ctx);
    const where = `${what}: ${d.type.constant ?? d.type.value} seq ${m.header.sequence}`;
    expect(d.malformed, where).toEqual([]);
    const opts = genlId !== undefined ? { genlFamilyId: genlId, genlVersion: d.genl!.version } : {};

    // Lossless: the exact bytes, flag bits and all.
    const lossless = encodeMessage(family, viaJson(messageToObject(d, { lossless: true })), opts);
    expect({ type: lossless.header.type, flags: lossless.header.flags, seq: lossless.header.sequence, pid: lossless.header.pid }, where).toEqual({
      type: m.header.type,
      flags: m.header.flags,
      seq: m.header.sequence,
      pid: m.header.pid,
    });
    expect(hex(lossless.data), where).toBe(hex(m.data));

    // Compact: the same bytes but for the flag bits it does not record.
    const compact = encodeMessage(family, viaJson(messageToObject(d)), opts);
    const rebuilt: Message = { header: { ...m.header, length: 16 + compact.data.length }, data: compact.data };
    const again = decodeMessage(rebuilt, ctx);
    expect(again.malformed, where).toEqual([]);
    expect(withoutFlagBits(rebuilt, again.attrs), where).toBe(withoutFlagBits(m, d.attrs));
    if (hex(compact.data) === hex(m.data)) seen.exact++;
    n++;
  }
  seen.messages += n;
  return n;
}

/** One request (built by the encoder) in the namespace; every message of the answer. */
async function ask(protocol: number, req: { header: { type: number; flags: number }; data: Uint8Array }, netns: string | null = ns.name): Promise<Message[]> {
  const c = dial(protocol, netns !== null ? { netns } : {});
  try {
    return await c.execute(req, { timeout: 5000 });
  } finally {
    c.close();
  }
}

/** A dump request for `type` of `family`, from names. */
function dumpOf(family: FamilySpec, type: string, input: Omit<MessageInput, 'type'> = {}, genlId?: number) {
  return encodeMessage(family, { type, flags: ['request', 'dump'], ...input }, genlId !== undefined ? { genlFamilyId: genlId } : {});
}

/** The live ID of a generic netlink family in the namespace. */
async function genlId(name: string): Promise<number> {
  const c = dial(16, { netns: ns.name });
  try {
    return (await getFamily(c, name, { timeout: 5000 })).id;
  } finally {
    c.close();
  }
}

// TCP over IPv4 and IPv6 loopback, opened and closed (tcp_metrics keeps what it learnt), then a
// TCP listener with one connection and a unix listener, kept open for sock_diag.
const SOCKETS = `
const net = require('node:net');
const once = (host) => new Promise((resolve) => {
  const srv = net.createServer((s) => s.on('data', (d) => s.end(d))).listen(0, host, () => {
    const c = net.connect(srv.address().port, host, () => c.write('hi'));
    c.on('data', () => {});
    c.on('close', () => srv.close(resolve));
  });
});
(async () => {
  await once('127.0.0.1');
  await once('::1');
  const srv = net.createServer(() => {}).listen(0, '127.0.0.1', () => {
    net.connect(srv.address().port, '127.0.0.1', () => {
      net.createServer(() => {}).listen(process.argv[2], () => console.log('ready'));
    });
  });
  setInterval(() => {}, 1000);
})();
`;

beforeAll(async () => {
  ns.exec(
    [
      'ip link set lo up',
      'ip link add rt0 type veth peer name rt1',
      'ip link add rt2 type veth peer name rt3',
      'ip link add br0 type bridge',
      'ip link set rt1 master br0',
      'for d in rt0 rt1 rt2 rt3 br0; do ip link set $d up; done',
      'ip addr add 10.30.1.1/24 dev rt0',
      'ip addr add 10.30.2.1/24 dev rt2',
      'ip -6 addr add 2001:db8:30::1/64 dev rt0 nodad',
      'ip -6 addr add 2001:db8:31::1/64 dev rt2 nodad',
      'ip link add vx0 type vxlan id 42 dstport 4789 local 10.30.1.1 dev rt0',
      'ip tuntap add tn0 mode tun',
      'ip link property add dev rt0 altname rt-alt0',
      'ip route add 203.0.113.0/24 nexthop via 10.30.1.2 dev rt0 weight 1 nexthop via 10.30.2.2 dev rt2 weight 3',
      'ip -6 route add 2001:db8:99::/64 nexthop via 2001:db8:30::2 dev rt0 nexthop via 2001:db8:31::2 dev rt2',
      'ip neigh add 10.30.1.5 lladdr 02:00:00:00:00:05 dev rt0 nud permanent',
      'ip rule add fwmark 0x10/0xff table 100 pref 1000',
      'ip -6 rule add from 2001:db8::/32 table 101 pref 1001',
      'ip nexthop add id 1 via 10.30.1.2 dev rt0',
      'ip nexthop add id 2 via 10.30.2.2 dev rt2',
      'ip nexthop add id 10 group 1/2,3',
      'tc qdisc add dev rt2 root handle 1: htb',
      'tc class add dev rt2 parent 1: classid 1:1 htb rate 1mbit',
      // IPsec: no ESP/AH types are loaded here, so states are larval ones from ALLOCSPI (with a
      // mark); a policy with two templates.
      'ip xfrm state allocspi src 10.30.1.1 dst 10.30.1.2 proto esp mode tunnel reqid 7 mark 5 mask 0xff min 0x100 max 0x200 >/dev/null',
      'ip xfrm state allocspi src 10.30.1.1 dst 10.30.1.3 proto esp mode transport reqid 8 >/dev/null',
      'ip xfrm policy add src 10.40.0.0/24 dst 10.41.0.0/24 dir out priority 10 tmpl src 10.30.1.1 dst 10.30.1.2 proto esp reqid 7 mode tunnel tmpl src 10.30.1.1 dst 10.30.1.3 proto esp reqid 8 mode transport',
      'conntrack -I -s 192.0.2.1 -d 192.0.2.2 -p tcp --sport 1111 --dport 2222 --state ESTABLISHED -t 300 -u SEEN_REPLY,ASSURED --mark 7',
      'conntrack -I -s 192.0.2.1 -d 192.0.2.3 -p udp --sport 1111 --dport 53 -t 30',
      'ip mptcp endpoint add 10.30.1.1 dev rt0 signal',
      'ip mptcp limits set subflow 2 add_addr_accepted 2',
    ].join(' && '),
  );
  const script = join(scratch, 'sockets.cjs');
  writeFileSync(script, SOCKETS);
  listener = spawn('ip', ['netns', 'exec', ns.name, process.execPath, script, join(scratch, 'unix.sock')], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    listener!.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
    listener!.on('exit', (code) => reject(new Error(`socket script exited with ${code}`)));
    setTimeout(() => reject(new Error('socket script did not start')), 10_000);
  });
});

afterAll(() => {
  listener?.kill();
  ns.destroy();
  rmSync(scratch, { recursive: true, force: true });
});

describe('round trips of kernel replies, every described family', () => {
  it('route: links (veth, bridge, vxlan, tun), bridge ports, addresses, routes, neighbours, rules, nexthops, qdiscs, classes, netconf, stats', async () => {
    const route = (await loadFamily('route'))!;
    const index = (JSON.parse(ns.exec('ip -j link show rt2')) as { ifindex: number }[])[0]!.ifindex;
    const requests: [string, Omit<MessageInput, 'type'>][] = [
      ['getlink', {}],
      ['getlink', { header: { family: 'bridge' }, attrs: { ext_mask: ['brvlan'] } }],
      ['getaddr', {}],
      ['getroute', { header: { family: 'inet' } }],
      ['getroute', { header: { family: 'inet6' } }],
      ['getneigh', {}],
      ['getrule', { header: { family: 'inet' } }],
      ['getrule', { header: { family: 'inet6' } }],
      ['getnexthop', {}],
      ['getqdisc', {}],
      ['gettclass', { header: { ifindex: index } }],
      ['getnetconf', { header: { family: 'inet' } }],
      ['getstats', { header: { filter_mask: 1 } }],
    ];
    const counts: Record<string, number> = {};
    for (const [type, input] of requests) {
      const key = `${type} ${JSON.stringify(input)}`;
      counts[key] = roundTrip(key, route, await ask(0, dumpOf(route, type, input)));
      expect(counts[key], key).toBeGreaterThan(0);
    }
  });

  it('nlctrl: every family, and the policy tables of nlctrl and ethtool (keyed by index)', async () => {
    const nlctrl = (await loadFamily('nlctrl'))!;
    expect(roundTrip('getfamily', nlctrl, await ask(16, dumpOf(nlctrl, 'getfamily', {}, 16)), 16)).toBeGreaterThan(5);
    for (const name of ['nlctrl', 'ethtool']) {
      const msgs = await ask(16, dumpOf(nlctrl, 'getpolicy', { attrs: { family_name: name } }, 16));
      expect(roundTrip(`getpolicy ${name}`, nlctrl, msgs, 16)).toBeGreaterThan(3);
    }
  });

  it('sock_diag: inet (TCP), unix and netlink sockets', async () => {
    const diag = (await loadFamily('sock_diag'))!;
    const requests: Record<string, Uint8Array> = {
      // inet_diag_req_v2: AF_INET, TCP, every extension, every state.
      inet: concat([2, 6, 0xff, 0], u32(0xffffffff), new Uint8Array(48)),
      // unix_diag_req: AF_UNIX, every state, everything shown.
      unix: concat([1, 0, 0, 0], u32(0xffffffff), u32(0), u32(0x7f), u32(0xffffffff), u32(0xffffffff)),
      // netlink_diag_req: AF_NETLINK, every protocol, meminfo, groups and flags.
      netlink: concat([16, 0xff, 0, 0], u32(0), u32(0x1 | 0x2 | 0x8), u32(0xffffffff), u32(0xffffffff)),
    };
    for (const [what, data] of Object.entries(requests)) {
      const msgs = await ask(4, { header: { type: 20, flags: HeaderFlags.Request | HeaderFlags.Dump }, data });
      expect(roundTrip(`sock_diag ${what}`, diag, msgs), what).toBeGreaterThanOrEqual(1);
    }
  });

  it('netfilter: conntrack entries and statistics', async () => {
    const nf = (await loadFamily('netfilter'))!;
    expect(roundTrip('ct_get', nf, await ask(12, dumpOf(nf, 'ct_get', { header: { nfgen_family: 'inet' } })))).toBe(2);
    expect(roundTrip('ct_get_stats_cpu', nf, await ask(12, dumpOf(nf, 'ct_get_stats_cpu', { header: { nfgen_family: 'unspec' } })))).toBeGreaterThan(0);
    expect(roundTrip('ct_get_stats', nf, await ask(12, encodeMessage(nf, { type: 'ct_get_stats', header: { nfgen_family: 'unspec' } })))).toBe(1);
  });

  it('xfrm: states (nested selector, id, lifetimes), a policy with two templates, SPD/SAD info, default policies', async () => {
    const xfrm = (await loadFamily('xfrm'))!;
    const dump = (type: number) => ask(6, { header: { type, flags: HeaderFlags.Request | HeaderFlags.Dump }, data: new Uint8Array(0) });
    const sas = await dump(18);
    expect(roundTrip('getsa', xfrm, sas)).toBe(2);
    // SPIs in hex and marks as ip xfrm state prints them (it pads the SPI to 8 digits).
    const shown = ns.ip('xfrm', 'state', 'list');
    for (const m of sas.filter((x) => x.header.type === 16)) {
      const d = decodeMessage(m, { protocol: 6, family: xfrm });
      const spi = (d.fixed!.fields.id as Record<string, JsonValue>).spi as string;
      expect(shown).toContain(`spi 0x${spi.slice(2).padStart(8, '0')}`);
      const mark = (messageToObject(d).attrs as Record<string, JsonValue>).mark as Record<string, string> | undefined;
      if (mark) expect(shown).toContain(`mark ${mark.v}/${mark.m}`);
    }
    const pols = await dump(21);
    expect(roundTrip('getpolicy', xfrm, pols)).toBe(1);
    // The two templates, in the order ip gave them.
    const tmpl = messageToObject(decodeMessage(pols[0]!, { protocol: 6, family: xfrm })).attrs as Record<string, JsonValue>;
    expect((tmpl.tmpl as Record<string, JsonValue>[]).map((t) => t.reqid)).toEqual([7, 8]);
    for (const type of ['getspdinfo', 'getsadinfo', 'getdefault']) {
      const req = encodeMessage(xfrm, { type, header: {} });
      expect(roundTrip(type, xfrm, await ask(6, req)), type).toBe(1);
    }
  });

  it('ethtool: every *_GET dump the devices answer, and verbose bit sets of one device', async () => {
    const ethtool = (await loadFamily('ethtool'))!;
    const id = await genlId('ethtool');
    const answered: string[] = [];
    for (const m of ethtool.messages.filter((x) => x.constant.endsWith('_GET'))) {
      let msgs: Message[];
      try {
        // Compact bit sets: verbose ones do not fit a dump's datagram (the kernel says EMSGSIZE).
        msgs = await ask(16, dumpOf(ethtool, m.name, { attrs: { header: { flags: ['compact_bitsets'] } } }, id));
      } catch {
        continue; // not supported by this kernel or these devices
      }
      if (roundTrip(m.constant, ethtool, msgs, id) > 0) answered.push(m.name);
    }
    expect(answered, answered.join(' ')).toEqual(expect.arrayContaining(['strset_get', 'linkinfo_get', 'linkstate_get', 'features_get', 'channels_get']));
    // Verbose: repeated BIT nests (multi), for one device.
    const verbose = await ask(16, encodeMessage(ethtool, { type: 'features_get', attrs: { header: { dev_name: 'rt0' } } }, { genlFamilyId: id }));
    expect(roundTrip('features_get rt0', ethtool, verbose, id)).toBe(1);
    const o = messageToObject(decodeMessage(verbose[0]!, { protocol: 16, genlFamilies: new Map([[id, ethtool]]) })).attrs as Record<string, Record<string, Record<string, JsonValue[]>>>;
    expect(o.hw!.bits!.bit!.length).toBeGreaterThan(10);
  });

  it('TASKSTATS, tcp_metrics and mptcp_pm', async () => {
    const taskstats = (await loadFamily('TASKSTATS'))!;
    const tsId = await genlId('TASKSTATS');
    const ts = await ask(16, encodeMessage(taskstats, { type: 'get', attrs: { pid: process.pid } }, { genlFamilyId: tsId }));
    expect(roundTrip('taskstats', taskstats, ts, tsId)).toBe(1);

    const tm = (await loadFamily('tcp_metrics'))!;
    const tmId = await genlId('tcp_metrics');
    expect(roundTrip('tcp_metrics', tm, await ask(16, dumpOf(tm, 'get', {}, tmId)), tmId)).toBeGreaterThanOrEqual(2);

    const mptcp = (await loadFamily('mptcp_pm'))!;
    const mpId = await genlId('mptcp_pm');
    expect(roundTrip('get_addr', mptcp, await ask(16, dumpOf(mptcp, 'get_addr', {}, mpId)), mpId)).toBe(1);
    expect(roundTrip('get_limits', mptcp, await ask(16, encodeMessage(mptcp, { type: 'get_limits' }, { genlFamilyId: mpId })), mpId)).toBe(1);
  });

  it('audit: the status struct (AUDIT_GET)', async () => {
    const audit = (await loadFamily('audit'))!;
    // Audit is not per namespace: the host's socket answers. A kernel thread sends the answer
    // once the request is processed, so it may come after the ACK that ends execute().
    const c = dial(9);
    try {
      const replies = await c.execute(encodeMessage(audit, { type: 'get', flags: ['request', 'ack'] }), { timeout: 5000 });
      const msgs = replies.some((m) => m.header.type >= HeaderType.MinType) ? replies : await c.receive({ timeout: 5000 });
      expect(roundTrip('audit get', audit, msgs)).toBe(1);
    } finally {
      c.close();
    }
  });

  it('compared real messages, most of them byte for byte even in compact form', () => {
    expect(seen.messages).toBeGreaterThan(100);
    expect(seen.exact).toBeGreaterThan(0);
  });
});
