// The netfilter (nfnetlink) description on real kernel replies: conntrack entries made by real
// traffic in a scratch namespace, dumped over ctnetlink and checked field by field against
// /proc/net/nf_conntrack; conntrack statistics; the nf_tables ruleset that made the kernel track
// the traffic (sent with the encoder, read back); ipset; and hand-built big-endian attributes.
//
// A fresh namespace tracks nothing until something asks for conntrack (nf_ct_netns_get): here an
// nf_tables rule `ct mark set 42` in an inet output chain, installed over netlink, does that and
// also marks every connection, so CTA_MARK has something to show.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeaderFlags, HeaderType, dial, type Message } from '../src/index.js';
import { family } from '../src/families/generated/netfilter.js';
import { decodeMessage, type DecodedAttr, type DecodedMessage } from '../src/model/decode.js';
import { encodeMessage } from '../src/model/encode.js';
import { attrsToObject, type JsonValue } from '../src/model/json.js';
import { formatIPv6, parseIPv6 } from '../src/model/values.js';
import { concat, cstr, nla, u32 } from './helpers/bytes.js';
import { createNetns } from './helpers/netns.js';

const NETLINK_NETFILTER = 12;

// From linux/netfilter/nfnetlink.h and friends, written out here so that the expected wire
// numbers do not come from the generated description under test.
const NFNL_SUBSYS_CTNETLINK = 1;
const NFNL_SUBSYS_IPSET = 6;
const NFNL_SUBSYS_NFTABLES = 10;
const IPCTNL_MSG_CT_NEW = 0;
const IPCTNL_MSG_CT_GET = 1;
const IPCTNL_MSG_CT_GET_STATS_CPU = 4;
const IPCTNL_MSG_CT_GET_STATS = 5;
const AF_INET = 2;
const AF_INET6 = 10;
const NFPROTO_INET = 1;
const NF_INET_LOCAL_OUT = 3;
const IPS_SEEN_REPLY = 0x2;
const IPS_ASSURED = 0x4;
const IPS_CONFIRMED = 0x8;
const NLA_F_NESTED = 0x8000;
const NLA_F_NET_BYTEORDER = 0x4000;
const MARK = 42;
/** The entry the test injects over ctnetlink. */
const INJECTED = { src: '192.0.2.1', dst: '192.0.2.2', sport: 1111, dport: 2222, timeout: 300, mark: 0x0a0b0c0d, zone: 5 };

const ns = createNetns('nlctl-nf');
const scratch = mkdtempSync(join(tmpdir(), 'nlctl-nf-'));
/** Ports the traffic script used, by name. */
let ports: { tcp4: number; tcp6: number; udp4: number; udp4Unreplied: number };

type Obj = Record<string, JsonValue>;

function decode(m: Message): DecodedMessage {
  return decodeMessage(m, { protocol: NETLINK_NETFILTER, family });
}

/** A 4-byte struct nfgenmsg: family, version 0, res_id (network order). */
function nfgenmsg(fam: number, resId = 0): Uint8Array {
  return Uint8Array.from([fam, 0, resId >> 8, resId & 0xff]);
}

async function request(type: number, flags: number, data: Uint8Array): Promise<Message[]> {
  const c = dial(NETLINK_NETFILTER, { netns: ns.name });
  try {
    return await c.execute({ header: { type, flags }, data }, { timeout: 5000 });
  } finally {
    c.close();
  }
}

/** Every attribute of a decoded tree (for checks that nothing is unknown or malformed). */
function allAttrs(attrs: readonly DecodedAttr[]): DecodedAttr[] {
  return attrs.flatMap((a) => [a, ...allAttrs(a.children ?? [])]);
}

/** Send an nf_tables transaction (batch begin … end) and wait for every message's ACK. */
async function nftBatch(msgs: { type: string; header: Obj; attrs: Obj }[]): Promise<void> {
  const c = dial(NETLINK_NETFILTER, { netns: ns.name });
  try {
    const begin = encodeMessage(family, { type: 'batch_begin', flags: ['request'], header: { res_id: NFNL_SUBSYS_NFTABLES } });
    const end = encodeMessage(family, { type: 'batch_end', flags: ['request'], header: { res_id: NFNL_SUBSYS_NFTABLES } });
    const body = msgs.map((m) => encodeMessage(family, { ...m, flags: ['request', 'ack', 'create'] }));
    const sent = c.sendMessages([begin, ...body, end]);
    const want = new Set(sent.slice(1, -1).map((m) => m.header.sequence));
    while (want.size) {
      const dg = await c.receiveDatagram({ timeout: 5000 });
      for (const m of dg.messages) {
        if (m.header.type !== HeaderType.Error) continue;
        const d = decode(m);
        expect(d.ack!.errno, `nf_tables ACK for seq ${m.header.sequence}: ${d.ack!.name} ${d.ack!.extAck.message ?? ''}`).toBe(0);
        want.delete(m.header.sequence);
      }
    }
  } finally {
    c.close();
  }
}

// Traffic inside the namespace: a TCP exchange over IPv4 and IPv6 loopback, a UDP request and
// reply, and a UDP datagram nobody answers. Prints the ports it used.
const TRAFFIC = `
const net = require('node:net');
const dgram = require('node:dgram');
function tcp(host) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((s) => s.on('data', (d) => s.end(d)));
    srv.listen(0, host, () => {
      const port = srv.address().port;
      const c = net.connect(port, host, () => c.write('hello'));
      c.on('data', () => {});
      c.on('error', reject);
      c.on('close', () => srv.close(() => resolve(port)));
    });
  });
}
function udp(reply) {
  return new Promise((resolve) => {
    const srv = dgram.createSocket('udp4');
    srv.on('message', (msg, from) => srv.send(msg, from.port, from.address));
    srv.bind(0, '127.0.0.1', () => {
      const port = srv.address().port;
      const c = dgram.createSocket('udp4');
      const done = () => { c.close(); srv.close(); resolve(port); };
      if (!reply) { srv.close(); c.send('x', port, '127.0.0.1', () => setTimeout(() => { c.close(); resolve(port); }, 100)); return; }
      c.on('message', done);
      c.send('ping', port, '127.0.0.1');
    });
  });
}
(async () => {
  const out = { tcp4: await tcp('127.0.0.1'), tcp6: await tcp('::1'), udp4: await udp(true), udp4Unreplied: await udp(false) };
  process.stdout.write(JSON.stringify(out));
})();
`;

beforeAll(async () => {
  ns.exec('ip link set lo up');
  // Counters and start times, so CTA_COUNTERS_* and CTA_TIMESTAMP are sent (and shown in /proc).
  ns.exec('echo 1 > /proc/sys/net/netfilter/nf_conntrack_acct && echo 1 > /proc/sys/net/netfilter/nf_conntrack_timestamp');
  // table inet nlctl { chain out { type filter hook output priority 0; ct mark set 42 } }
  const value = Buffer.from(u32(MARK)).toString('hex'); // register contents are host order
  await nftBatch([
    { type: 'newtable', header: { nfgen_family: NFPROTO_INET }, attrs: { name: 'nlctl' } },
    {
      type: 'newchain',
      header: { nfgen_family: NFPROTO_INET },
      attrs: { table: 'nlctl', name: 'out', hook: { hooknum: NF_INET_LOCAL_OUT, priority: 0 }, type: 'filter' },
    },
    {
      type: 'newrule',
      header: { nfgen_family: NFPROTO_INET },
      attrs: {
        table: 'nlctl',
        chain: 'out',
        expressions: {
          elem: [
            { name: 'immediate', data: { dreg: 'reg_1', data: { value } } },
            { name: 'ct', data: { key: 'mark', sreg: 'reg_1' } },
          ],
        },
      },
    },
  ]);
  const script = join(scratch, 'traffic.cjs');
  writeFileSync(script, TRAFFIC);
  ports = JSON.parse(ns.exec(`'${process.execPath}' '${script}'`));

  // One more entry, injected over ctnetlink (what conntrack -I does), built by the encoder from
  // the description: big-endian ports, mark, zone and timeout on the way in.
  const created = encodeMessage(family, {
    type: 'ct_new',
    flags: ['request', 'ack', 'create', 'excl'],
    header: { nfgen_family: 'inet' },
    attrs: {
      tuple_orig: { ip: { v4_src: INJECTED.src, v4_dst: INJECTED.dst }, proto: { num: 'udp', src_port: INJECTED.sport, dst_port: INJECTED.dport } },
      tuple_reply: { ip: { v4_src: INJECTED.dst, v4_dst: INJECTED.src }, proto: { num: 'udp', src_port: INJECTED.dport, dst_port: INJECTED.sport } },
      // The kernel insists on IPS_CONFIRMED being set (it is not changeable). A number, not
      // ['seen_reply', 'assured', 'confirmed']: encodeAttrs takes an array as a repeated attribute.
      status: IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED,
      timeout: INJECTED.timeout,
      mark: INJECTED.mark,
      zone: INJECTED.zone,
    },
  });
  const ack = await request(created.header.type, created.header.flags, created.data);
  expect(decode(ack.at(-1)!).ack).toMatchObject({ errno: 0 });
});

afterAll(() => {
  ns.destroy();
  rmSync(scratch, { recursive: true, force: true });
});

/** One line of /proc/net/nf_conntrack. */
interface ProcEntry {
  l3: string;
  l4: string;
  l4num: number;
  timeout: number;
  state?: string;
  orig: Record<string, string>;
  reply: Record<string, string>;
  origCounters?: { packets: bigint; bytes: bigint };
  replyCounters?: { packets: bigint; bytes: bigint };
  flags: string[];
  mark?: number;
  zone?: number;
  deltaTime?: number;
}

function normalizeAddr(a: string): string {
  return a.includes(':') ? formatIPv6(parseIPv6(a)!) : a;
}

function parseProc(text: string): ProcEntry[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const t = line.trim().split(/\s+/);
      const e: ProcEntry = { l3: t[0]!, l4: t[2]!, l4num: Number(t[3]), timeout: Number(t[4]), orig: {}, reply: {}, flags: [] };
      let tuples = 0;
      let counters = 0;
      for (const tok of t.slice(5)) {
        const kv = tok.match(/^([a-z-]+)=(.*)$/);
        if (/^\[.*\]$/.test(tok)) e.flags.push(tok.slice(1, -1));
        else if (!kv) e.state = tok;
        else {
          const [, k, v] = kv as unknown as [string, string, string];
          if (k === 'src') tuples++;
          if (['src', 'dst', 'sport', 'dport', 'type', 'code', 'id'].includes(k)) (tuples === 1 ? e.orig : e.reply)[k] = k === 'src' || k === 'dst' ? normalizeAddr(v) : v;
          else if (k === 'packets') {
            counters++;
            (counters === 1 ? (e.origCounters = { packets: BigInt(v), bytes: 0n }) : (e.replyCounters = { packets: BigInt(v), bytes: 0n }));
          } else if (k === 'bytes') (counters === 1 ? e.origCounters! : e.replyCounters!).bytes = BigInt(v);
          else if (k === 'mark') e.mark = Number(v);
          else if (k === 'zone') e.zone = Number(v);
          else if (k === 'delta-time') e.deltaTime = Number(v);
        }
      }
      return e;
    });
}

/** The decoded tuple as /proc prints it. */
function tupleOf(t: Obj): Record<string, string> {
  const ip = t.ip as Obj;
  const proto = t.proto as Obj;
  const out: Record<string, string> = { src: String(ip.v4_src ?? ip.v6_src), dst: String(ip.v4_dst ?? ip.v6_dst) };
  if (proto.src_port !== undefined) out.sport = String(proto.src_port);
  if (proto.dst_port !== undefined) out.dport = String(proto.dst_port);
  return out;
}

async function ctDump(fam: number): Promise<DecodedMessage[]> {
  const msgs = await request((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET, HeaderFlags.Request | HeaderFlags.Dump, nfgenmsg(fam));
  return msgs.filter((m) => m.header.type !== HeaderType.Done).map(decode);
}

describe('netfilter: conntrack entries (ctnetlink dump vs /proc/net/nf_conntrack)', () => {
  let v4: DecodedMessage[];
  let v6: DecodedMessage[];
  let proc: ProcEntry[];

  beforeAll(async () => {
    v4 = await ctDump(AF_INET);
    v6 = await ctDump(AF_INET6);
    proc = parseProc(ns.exec('cat /proc/net/nf_conntrack'));
  });

  it('made the kernel track the traffic', () => {
    const origPorts = proc.map((e) => Number(e.orig.dport));
    for (const p of Object.values(ports)) expect(origPorts).toContain(p);
    expect(proc.filter((e) => e.l3 === 'ipv4')).toHaveLength(v4.length);
    expect(proc.filter((e) => e.l3 === 'ipv6')).toHaveLength(v6.length);
    expect(v4.length).toBeGreaterThanOrEqual(3);
    expect(v6.length).toBeGreaterThanOrEqual(1);
  });

  it('decodes every entry without malformed or unknown parts', () => {
    for (const d of [...v4, ...v6]) {
      expect(d.type).toMatchObject({ name: 'ct_new', constant: 'IPCTNL_MSG_CT_NEW', value: (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW });
      // A dump filtered by address family says so (NLM_F_DUMP_FILTERED).
      expect(d.flags).toContain('multi');
      for (const f of d.flags) expect(['multi', 'dump_filtered']).toContain(f);
      expect(d.malformed).toEqual([]);
      for (const a of allAttrs(d.attrs)) {
        expect(a.malformed, a.constant).toBeUndefined();
        expect(a.kind, `attribute type ${a.type}`).not.toBe('unknown');
      }
    }
    expect(v4.map((d) => d.fixed!.fields)).toEqual(v4.map(() => ({ nfgen_family: 'inet', version: 0, res_id: 0 })));
    expect(v6.map((d) => d.fixed!.fields)).toEqual(v6.map(() => ({ nfgen_family: 'inet6', version: 0, res_id: 0 })));
  });

  it('matches tuples, protocol, state, status, timeout, mark and counters field by field', () => {
    const checked = new Set<string>();
    for (const d of [...v4, ...v6]) {
      const o = attrsToObject(d.attrs);
      const orig = tupleOf(o.tuple_orig as Obj);
      const l4 = ((o.tuple_orig as Obj).proto as Obj).num;
      const p = proc.find((e) => e.l4 === l4 && JSON.stringify(e.orig) === JSON.stringify(orig));
      expect(p, `a /proc line for ${l4} ${JSON.stringify(orig)}`).toBeDefined();
      const e = p!;
      checked.add(`${l4} ${JSON.stringify(orig)}`);
      expect(tupleOf(o.tuple_reply as Obj)).toEqual(e.reply);
      expect(e.l3).toBe(d.fixed!.fields.nfgen_family === 'inet' ? 'ipv4' : 'ipv6');
      const proto = d.attrs.find((a) => a.name === 'tuple_orig')!.children!.find((a) => a.name === 'proto')!.children!.find((a) => a.name === 'num')!;
      expect(proto.raw).toBe(e.l4num);

      // Status bits: /proc shows [UNREPLIED] without IPS_SEEN_REPLY and [ASSURED] with IPS_ASSURED.
      const status = o.status as string[];
      expect(status).toContain('confirmed');
      expect(status.includes('seen_reply')).toBe(!e.flags.includes('UNREPLIED'));
      expect(status.includes('assured')).toBe(e.flags.includes('ASSURED'));
      const raw = d.attrs.find((a) => a.name === 'status')!.raw as number;
      expect(raw & 0x8).toBe(0x8); // IPS_CONFIRMED, read big-endian

      // Seconds left: both read the same timer a moment apart.
      expect(typeof o.timeout).toBe('number');
      expect(Math.abs((o.timeout as number) - e.timeout)).toBeLessThanOrEqual(2);
      expect(o.timeout as number).toBeGreaterThan(0);
      expect(o.timeout as number).toBeLessThanOrEqual(432000);

      expect(o.mark).toBe(e.mark);
      const injected = orig.src === INJECTED.src;
      expect(o.mark).toBe(injected ? INJECTED.mark : MARK);
      expect(o.zone ?? 0).toBe(e.zone ?? 0);
      expect(typeof o.id).toBe('number');
      expect(typeof o.use).toBe('number');

      // Counters are u64 in network order.
      expect(o.counters_orig).toEqual({ packets: e.origCounters!.packets, bytes: e.origCounters!.bytes });
      expect(o.counters_reply).toEqual({ packets: e.replyCounters!.packets, bytes: e.replyCounters!.bytes });

      // Start time: wall-clock nanoseconds; /proc prints the age in seconds.
      const start = (o.timestamp as Obj).start as bigint;
      const ageS = Number(BigInt(Date.now()) * 1_000_000n - start) / 1e9;
      expect(Math.abs(ageS - e.deltaTime!)).toBeLessThanOrEqual(2);

      if (e.l4 === 'tcp') {
        const tcp = (o.protoinfo as Obj).tcp as Obj;
        expect(String(tcp.state).toUpperCase()).toBe(e.state);
        expect(Object.keys(tcp.flags_original as Obj)).toEqual(['flags', 'mask']);
        expect(Array.isArray((tcp.flags_original as Obj).flags)).toBe(true);
      }
    }
    expect(checked.size).toBe(proc.length);
  });

  it('shows the kinds of traffic the script made', () => {
    const byPort = (fam: DecodedMessage[], num: string, port: number) =>
      fam.map((d) => attrsToObject(d.attrs)).find((o) => {
        const proto = (o.tuple_orig as Obj).proto as Obj;
        return proto.num === num && proto.dst_port === port;
      })!;
    const tcp4 = byPort(v4, 'tcp', ports.tcp4);
    expect((tcp4.tuple_orig as Obj).ip).toEqual({ v4_src: '127.0.0.1', v4_dst: '127.0.0.1' });
    expect(tcp4.status).toEqual(expect.arrayContaining(['seen_reply', 'assured', 'confirmed']));
    const tcp6 = byPort(v6, 'tcp', ports.tcp6);
    expect((tcp6.tuple_orig as Obj).ip).toEqual({ v6_src: '::1', v6_dst: '::1' });
    expect(((tcp6.tuple_orig as Obj).proto as Obj).num).toBe('tcp');
    const udp = byPort(v4, 'udp', ports.udp4);
    expect(((udp.tuple_orig as Obj).proto as Obj).num).toBe('udp');
    expect(udp.status).toContain('seen_reply');
    expect(udp.protoinfo).toBeUndefined();
    const lonely = byPort(v4, 'udp', ports.udp4Unreplied);
    expect(lonely.status).not.toContain('seen_reply');
    expect(lonely.counters_reply).toEqual({ packets: 0n, bytes: 0n });
    const injected = byPort(v4, 'udp', INJECTED.dport);
    expect(injected).toMatchObject({
      tuple_orig: { ip: { v4_src: INJECTED.src, v4_dst: INJECTED.dst }, proto: { num: 'udp', src_port: INJECTED.sport, dst_port: INJECTED.dport } },
      tuple_reply: { ip: { v4_src: INJECTED.dst, v4_dst: INJECTED.src }, proto: { num: 'udp', src_port: INJECTED.dport, dst_port: INJECTED.sport } },
      mark: INJECTED.mark,
      zone: INJECTED.zone,
    });
    expect(injected.status).toEqual(expect.arrayContaining(['seen_reply', 'assured', 'confirmed']));
    expect(injected.timeout as number).toBeLessThanOrEqual(INJECTED.timeout);
    expect(injected.timeout as number).toBeGreaterThan(INJECTED.timeout - 30);
    expect(proc.find((e) => e.orig.src === INJECTED.src)).toMatchObject({ mark: INJECTED.mark, zone: INJECTED.zone });
  });
});

describe('netfilter: conntrack statistics', () => {
  it('decodes IPCTNL_MSG_CT_GET_STATS_CPU: one message per CPU, res_id the CPU number', async () => {
    const msgs = await request((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS_CPU, HeaderFlags.Request | HeaderFlags.Dump, nfgenmsg(0));
    const decoded = msgs.filter((m) => m.header.type !== HeaderType.Done).map(decode);
    expect(decoded.length).toBeGreaterThanOrEqual(1);
    let inserted = 0;
    for (const d of decoded) {
      expect(d.type).toMatchObject({ name: 'ct_get_stats_cpu', value: (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS_CPU });
      expect(d.malformed).toEqual([]);
      const o = attrsToObject(d.attrs);
      for (const k of ['found', 'invalid', 'insert', 'insert_failed', 'drop', 'early_drop', 'error', 'search_restart']) {
        expect(typeof o[k], k).toBe('number');
      }
      for (const a of d.attrs) expect(a.kind).toBe('u32');
      inserted += o.insert as number;
    }
    // res_id is the CPU number in network order: distinct, small.
    const cpuIds = decoded.map((d) => d.fixed!.fields.res_id as number);
    expect(new Set(cpuIds).size).toBe(decoded.length);
    for (const id of cpuIds) expect(id).toBeLessThan(Math.max(cpus().length, 1) * 64);
    // Recent kernels count only ctnetlink insertions as "insert" (the injected entry); either way
    // a handful, not the millions a little-endian misreading of 1 would give.
    expect(inserted).toBeGreaterThanOrEqual(1);
    expect(inserted).toBeLessThan(100);
  });

  it('decodes IPCTNL_MSG_CT_GET_STATS like /proc/sys/net/netfilter', async () => {
    // The kernel answers with one NLM_F_MULTI message and no DONE, so read one datagram.
    const c = dial(NETLINK_NETFILTER, { netns: ns.name });
    let m: Message;
    try {
      const sent = c.send({ header: { type: (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS, flags: HeaderFlags.Request }, data: nfgenmsg(0) });
      const dg = await c.receiveDatagram({ timeout: 5000 });
      m = dg.messages.find((x) => x.header.sequence === sent.header.sequence)!;
    } finally {
      c.close();
    }
    const d = decode(m);
    expect(d.type).toMatchObject({ name: 'ct_get_stats', constant: 'IPCTNL_MSG_CT_GET_STATS' });
    expect(d.malformed).toEqual([]);
    const o = attrsToObject(d.attrs);
    const count = Number(ns.exec('cat /proc/sys/net/netfilter/nf_conntrack_count'));
    const max = Number(ns.exec('cat /proc/sys/net/netfilter/nf_conntrack_max'));
    expect(o).toEqual({ entries: count, max_entries: max });
    expect(count).toBeGreaterThanOrEqual(5);
  });
});

describe('netfilter: nf_tables', () => {
  async function nftDump(type: number): Promise<Obj[]> {
    const msgs = await request((NFNL_SUBSYS_NFTABLES << 8) | type, HeaderFlags.Request | HeaderFlags.Dump, nfgenmsg(NFPROTO_INET));
    const decoded = msgs.filter((m) => m.header.type !== HeaderType.Done).map(decode);
    for (const d of decoded) {
      expect(d.malformed).toEqual([]);
      expect(d.fixed!.fields.nfgen_family).toBe('nfproto_inet');
    }
    return decoded.map((d) => attrsToObject(d.attrs));
  }

  it('reads back the table, chain and rule the test installed', async () => {
    const [table] = await nftDump(1); // NFT_MSG_GETTABLE
    expect(table).toMatchObject({ name: 'nlctl', flags: [], use: 1 });
    expect(typeof table!.handle).toBe('bigint');
    expect(table!.handle as bigint).toBeLessThan(1n << 32n);

    const [chain] = await nftDump(4); // NFT_MSG_GETCHAIN
    expect(chain).toMatchObject({ table: 'nlctl', name: 'out', hook: { hooknum: NF_INET_LOCAL_OUT, priority: 0 }, policy: 'accept', type: 'filter', use: 1 });
    expect(chain!.flags).toEqual(['base']);

    const [rule] = await nftDump(7); // NFT_MSG_GETRULE
    expect(rule).toMatchObject({ table: 'nlctl', chain: 'out' });
    expect((rule!.expressions as Obj).elem).toEqual([
      { name: 'immediate', data: { dreg: 'reg_1', data: { value: Buffer.from(u32(MARK)).toString('hex') } } },
      { name: 'ct', data: { key: 'mark', sreg: 'reg_1' } },
    ]);
  });

  it('names the transaction messages', () => {
    const begin = decode({ header: { length: 20, type: 0x10, flags: 1, sequence: 1, pid: 0 }, data: nfgenmsg(0, NFNL_SUBSYS_NFTABLES) });
    expect(begin.type).toMatchObject({ name: 'batch_begin', constant: 'NFNL_MSG_BATCH_BEGIN' });
    expect(begin.fixed!.fields).toEqual({ nfgen_family: 'unspec', version: 0, res_id: NFNL_SUBSYS_NFTABLES });
    expect(family.messages.find((m) => m.value === 0x11)!.name).toBe('batch_end');
    const names = new Map(family.messages.map((m) => [m.value, m.name]));
    expect(names.get((NFNL_SUBSYS_NFTABLES << 8) | 0)).toBe('newtable');
    expect(names.get((NFNL_SUBSYS_NFTABLES << 8) | 6)).toBe('newrule');
    expect(names.get((2 << 8) | 1)).toBe('exp_get');
    expect(names.get((3 << 8) | 1)).toBe('nfqnl_msg_verdict');
    expect(names.get((4 << 8) | 0)).toBe('nfulnl_msg_packet');
    expect(names.get((NFNL_SUBSYS_IPSET << 8) | 7)).toBe('ipset_cmd_list');
    expect(new Set(family.messages.map((m) => m.name)).size).toBe(family.messages.length);
    expect(family.groups.find((g) => g.value === 3)).toMatchObject({ name: 'conntrack-destroy', constant: 'NFNLGRP_CONNTRACK_DESTROY' });
  });
});

describe('netfilter: ipset', () => {
  const IPSET_CMD_PROTOCOL = 1;
  const IPSET_CMD_ADD = 9;
  const IPSET_CMD_LIST = 7;
  const IPSET_ATTR_PROTOCOL = 1;
  const IPSET_ATTR_SETNAME = 2;
  const IPSET_ATTR_DATA = 7;
  const IPSET_ATTR_IP = 1;
  const IPSET_ATTR_IPADDR_IPV4 = 1;
  const protocol = (v: number) => nla(IPSET_ATTR_PROTOCOL, [v]);

  it('decodes the protocol reply, a created set and its element', async () => {
    const [p] = await request((NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_PROTOCOL, HeaderFlags.Request, concat(nfgenmsg(AF_INET), protocol(6)));
    const pd = decode(p!);
    expect(pd.type.name).toBe('ipset_cmd_protocol');
    expect(pd.malformed).toEqual([]);
    const po = attrsToObject(pd.attrs);
    expect(po.protocol).toBeGreaterThanOrEqual(6);
    expect(po.protocol_min).toBeLessThanOrEqual(po.protocol as number);

    // Created and filled with the encoder: ipset wants NLA_F_NET_BYTEORDER on its integers and
    // addresses (a timeout without it is IPSET_ERR_PROTOCOL), which the description asks for.
    const create = encodeMessage(family, {
      type: 'ipset_cmd_create',
      flags: ['request', 'ack', 'create'],
      header: { nfgen_family: AF_INET },
      attrs: { protocol: po.protocol as number, setname: 'nlctl', typename: 'hash:ip', revision: 0, family: 'inet', data: { timeout: 600 } },
    });
    await request(create.header.type, create.header.flags, create.data);
    const add = encodeMessage(family, {
      type: 'ipset_cmd_add',
      flags: ['request', 'ack'],
      header: { nfgen_family: AF_INET },
      attrs: { protocol: po.protocol as number, setname: 'nlctl', data: { ip: { ipv4: '192.0.2.7' }, timeout: 300 } },
    });
    await request(add.header.type, add.header.flags, add.data);

    const list = await request(
      (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_LIST,
      HeaderFlags.Request | HeaderFlags.Dump,
      concat(nfgenmsg(AF_INET), protocol(po.protocol as number), nla(IPSET_ATTR_SETNAME, cstr('nlctl'))),
    );
    const decoded = list.filter((m) => m.header.type !== HeaderType.Done).map(decode);
    for (const d of decoded) expect(d.malformed).toEqual([]);
    const sets = decoded.map((d) => attrsToObject(d.attrs));
    const header = sets.find((o) => o.data !== undefined)!;
    expect(header).toMatchObject({ setname: 'nlctl', typename: 'hash:ip', family: 'inet' });
    const data = header.data as Obj;
    expect(data.elements).toBe(1);
    expect(data.references).toBe(0);
    expect(data.maxelem).toBe(65536); // the kernel's default, read big-endian
    expect(Number.isInteger(Math.log2(data.hashsize as number))).toBe(true);
    // ADT's DATA is multi: the element list is an array even with one element.
    expect(data.timeout).toBe(600);
    const elements = sets.filter((o) => o.adt !== undefined).flatMap((o) => (o.adt as Obj).data as Obj[]);
    expect(elements).toEqual([{ ip: { ipv4: '192.0.2.7' }, timeout: expect.any(Number) }]);
    expect((elements[0]!.timeout as number) > 250 && (elements[0]!.timeout as number) <= 300).toBe(true);
    // The compact JSON encodes back to the kernel's bytes but for one flag bit: the kernel
    // marks its integers NLA_F_NET_BYTEORDER (kept), but not the addresses of the elements it
    // lists, which it wants marked in requests (so the encoder marks them).
    for (const [i, m] of list.filter((x) => x.header.type !== HeaderType.Done).entries()) {
      const again = encodeMessage(family, { type: m.header.type, flags: m.header.flags, header: decoded[i]!.fixed!.fields as Obj, attrs: sets[i]! });
      const addrs = new Set(allAttrs(decoded[i]!.attrs).filter((a) => a.name === 'ipv4').map((a) => a.offset - 16 + 3));
      const unmarked = Uint8Array.from(again.data, (b, off) => (addrs.has(off) ? b & ~0x40 : b));
      expect(Buffer.from(unmarked).toString('hex')).toBe(Buffer.from(m.data).toString('hex'));
    }
    // The kernel marks its integers with NLA_F_NET_BYTEORDER.
    const maxelem = allAttrs(decoded.flatMap((d) => d.attrs)).find((a) => a.name === 'maxelem')!;
    expect(maxelem.netByteOrder).toBe(true);
  });
});

describe('netfilter: ipset errors', () => {
  it("names ipset's own error codes: a timeout without NLA_F_NET_BYTEORDER is IPSET_ERR_PROTOCOL", async () => {
    const create = encodeMessage(family, {
      type: 'ipset_cmd_create',
      flags: ['request', 'ack', 'create'],
      header: { nfgen_family: AF_INET },
      attrs: { protocol: 7, setname: 'nlctl-bad', typename: 'hash:ip', revision: 0, family: 'inet', data: { timeout: 600 } },
    });
    // The same request with the flag cleared on the timeout (IPSET_ATTR_DATA → IPSET_ATTR_TIMEOUT).
    const sent: Message = { header: { length: 16 + create.data.length, ...create.header }, data: create.data };
    const timeout = allAttrs(decode(sent).attrs).find((a) => a.name === 'timeout')!;
    expect(timeout.netByteOrder).toBe(true);
    const bad = Uint8Array.from(create.data);
    new DataView(bad.buffer).setUint16(timeout.offset - 16 + 2, timeout.type, true);
    const c = dial(NETLINK_NETFILTER, { netns: ns.name });
    try {
      const err = await c.execute({ header: { type: create.header.type, flags: create.header.flags }, data: bad }, { timeout: 5000 }).then(
        () => undefined,
        (e: unknown) => e as { errno: number; reply?: Message },
      );
      expect(err?.errno).toBe(-4097);
      const d = decode(err!.reply!);
      expect(d.ack).toMatchObject({ errno: -4097, name: 'IPSET_ERR_PROTOCOL' });
    } finally {
      c.close();
    }
    // An errno is still an errno.
    const enoent: Message = { header: { length: 20, type: 2, flags: 0, sequence: 1, pid: 0 }, data: Uint8Array.from([0xfe, 0xff, 0xff, 0xff]) };
    expect(decode(enoent).ack?.name).toBe('ENOENT');
  });
});

describe('netfilter: hand-built messages', () => {
  /** be16 / be32 / be64 bytes. */
  const be16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
  const be32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
  const be64 = (v: bigint) => [...be32(Number(v >> 32n)), ...be32(Number(v & 0xffffffffn))];

  function message(type: number, payload: Uint8Array): Message {
    return { header: { length: 16 + payload.length, type, flags: 0, sequence: 7, pid: 0 }, data: payload };
  }

  it('reads CTA_* integers in network byte order', () => {
    const payload = concat(
      nfgenmsg(AF_INET, 0x1234),
      nla(1 | NLA_F_NESTED, concat( // CTA_TUPLE_ORIG
        nla(1 | NLA_F_NESTED, concat(nla(1, [192, 0, 2, 1]), nla(2, [198, 51, 100, 2]))), // CTA_TUPLE_IP: V4_SRC, V4_DST
        nla(2 | NLA_F_NESTED, concat(nla(1, [6]), nla(2, be16(8080)), nla(3, be16(443)))), // CTA_TUPLE_PROTO: NUM, SRC_PORT, DST_PORT
        nla(3, be16(0x0102)), // CTA_TUPLE_ZONE
      )),
      nla(3, be32(0x0000000e)), // CTA_STATUS: SEEN_REPLY|ASSURED|CONFIRMED
      nla(7, be32(300)), // CTA_TIMEOUT
      nla(8 | NLA_F_NET_BYTEORDER, be32(0x01020304)), // CTA_MARK, flagged as well
      nla(9 | NLA_F_NESTED, concat(nla(1, be64(0x100000002n)), nla(2, be64(1500n)))), // CTA_COUNTERS_ORIG
      nla(18, be16(5)), // CTA_ZONE
      nla(4 | NLA_F_NESTED, nla(1 | NLA_F_NESTED, concat(nla(1, [3]), nla(4, [0x03, 0x01])))), // CTA_PROTOINFO_TCP: STATE, FLAGS_ORIGINAL
      nla(25 | NLA_F_NESTED, concat(nla(1, u32(3)), nla(2 | NLA_F_NET_BYTEORDER, be32(5)))), // CTA_FILTER: host order unless flagged
      nla(26, be32(0x00000004)), // CTA_STATUS_MASK
    );
    const d = decode(message((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW, payload));
    expect(d.malformed).toEqual([]);
    expect(d.type.name).toBe('ct_new');
    expect(d.fixed!.fields).toEqual({ nfgen_family: 'inet', version: 0, res_id: 0x1234 });
    const o = attrsToObject(d.attrs);
    expect(o).toEqual({
      tuple_orig: {
        ip: { v4_src: '192.0.2.1', v4_dst: '198.51.100.2' },
        proto: { num: 'tcp', src_port: 8080, dst_port: 443 },
        zone: 0x0102,
      },
      status: ['seen_reply', 'assured', 'confirmed'],
      timeout: 300,
      mark: 0x01020304,
      counters_orig: { packets: 0x100000002n, bytes: 1500n },
      zone: 5,
      protoinfo: { tcp: { state: 'established', flags_original: { flags: ['window_scale', 'sack_perm'], mask: ['window_scale'] } } },
      filter: { orig_flags: 3, reply_flags: 5 },
      status_mask: ['assured'],
    });
    expect(d.attrs.find((a) => a.name === 'status')!.raw).toBe(0x0e);
    expect(d.attrs.find((a) => a.name === 'mark')!.netByteOrder).toBe(true);
  });

  it('reads signed big-endian verdicts and keeps short integers as malformed bytes', () => {
    const verdict = (code: number) => nla(2 | NLA_F_NESTED, nla(1, be32(code >>> 0))); // NFTA_DATA_VERDICT { CODE }
    const payload = concat(
      nfgenmsg(NFPROTO_INET),
      nla(1, cstr('t')), // NFTA_RULE_TABLE
      nla(4 | NLA_F_NESTED, concat( // NFTA_RULE_EXPRESSIONS
        nla(1 | NLA_F_NESTED, concat(nla(1, cstr('immediate')), nla(2 | NLA_F_NESTED, concat(nla(1, be32(0)), nla(2 | NLA_F_NESTED, verdict(-3)))))),
        nla(1 | NLA_F_NESTED, concat(nla(1, cstr('immediate')), nla(2 | NLA_F_NESTED, concat(nla(1, be32(0)), nla(2 | NLA_F_NESTED, verdict(1)))))),
      )),
      nla(3, be64(0x1_0000_0001n)), // NFTA_RULE_HANDLE
    );
    const d = decode(message((NFNL_SUBSYS_NFTABLES << 8) | 6, payload));
    expect(d.malformed).toEqual([]);
    const o = attrsToObject(d.attrs);
    expect(o.handle).toBe(0x1_0000_0001n);
    expect(((o.expressions as Obj).elem as Obj[]).map((e) => ((e.data as Obj).data as Obj).verdict)).toEqual([{ code: 'nft_jump' }, { code: 'accept' }]);

    const short = decode(message((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW, concat(nfgenmsg(AF_INET), nla(7, be16(300)))));
    expect(short.attrs[0]!.malformed).toMatch(/expected 4 bytes/);
    expect(short.attrs[0]!.value).toBe('012c');
    expect(short.malformed).toHaveLength(1);
  });

  it('uses host order for the header fields of other structs only where the kernel does', () => {
    // NFQA_PACKET_HDR: packed { __be32 packet_id; __be16 hw_protocol; __u8 hook; }
    const payload = concat(nfgenmsg(AF_INET, 3), nla(1, [0, 0, 1, 0, 0x08, 0x00, 1]), nla(3, be32(7)));
    const d = decode(message((3 << 8) | 0, payload));
    expect(d.type.name).toBe('nfqnl_msg_packet');
    expect(attrsToObject(d.attrs)).toEqual({ packet_hdr: { packet_id: 256, hw_protocol: 0x0800, hook: 1 }, mark: 7 });
    expect(d.fixed!.fields.res_id).toBe(3);
  });
});
