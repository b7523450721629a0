// The nlctrl (generic netlink controller) and sock_diag descriptions on real kernel replies,
// checked against iproute2: `genl ctrl list`, `genl ctrl policy`, `ss -tan`, `ss -tni`, `ss -xa`; and the
// sub-message selectors (INET_DIAG_INFO by the request) on hand-built bytes.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeaderFlags, dial, type Message } from '../src/index.js';
import type { AttrSpec, FamilySpec } from '../src/families/schema.js';
import { family as nlctrl } from '../src/families/generated/generic.js';
import { family as sockDiag } from '../src/families/generated/sock_diag.js';
import { decodeMessage, type DecodedAttr, type DecodedMessage } from '../src/model/decode.js';
import { encodeMessage, type MessageInput } from '../src/model/encode.js';
import { attrsToObject, messageToObject, type JsonValue } from '../src/model/json.js';
import { concat, cstr, nla, u32 } from './helpers/bytes.js';
import { createNetns } from './helpers/netns.js';

// ---------------------------------------------------------------------------------------------
// nlctrl

const CTRL = 16; // GENL_ID_CTRL
const CTRL_CMD_GETFAMILY = 3;
const CTRL_CMD_GETPOLICY = 10;
const CTRL_ATTR_FAMILY_NAME = 2;

interface GenlFamilyText {
  name: string;
  id: number;
  version: number;
  hdrsize: number;
  maxattr: number;
  ops: { id: number; flags?: number; words: string[] }[];
  groups: { name: string; id: number }[];
}

/** Parse `genl ctrl list` (iproute2 6.1 text). */
function genlCtrlList(): GenlFamilyText[] {
  const out: GenlFamilyText[] = [];
  let inGroups = false;
  const lines = execFileSync('genl', ['ctrl', 'list'], { encoding: 'utf8' }).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const cur = out.at(-1);
    let m: RegExpExecArray | null;
    if ((m = /^Name: (\S+)/.exec(line))) {
      out.push({ name: m[1]!, id: 0, version: 0, hdrsize: 0, maxattr: 0, ops: [], groups: [] });
      inGroups = false;
    } else if ((m = /^\s+ID: 0x([0-9a-f]+)\s+Version: 0x([0-9a-f]+)\s+header size: (\d+)\s+max attribs: (\d+)/.exec(line))) {
      Object.assign(cur!, { id: parseInt(m[1]!, 16), version: parseInt(m[2]!, 16), hdrsize: Number(m[3]), maxattr: Number(m[4]) });
    } else if (/^\s+commands supported:/.test(line)) inGroups = false;
    else if (/^\s+multicast groups:/.test(line)) inGroups = true;
    else if (inGroups && (m = /^\s+#\d+:\s+ID-0x([0-9a-f]+)\s+name: (\S+)/.exec(line))) cur!.groups.push({ id: parseInt(m[1]!, 16), name: m[2]! });
    else if (!inGroups && (m = /^\s+#\d+:\s+ID-0x([0-9a-f]+)/.exec(line))) cur!.ops.push({ id: parseInt(m[1]!, 16), words: [] });
    else if ((m = /^\s+Capabilities \(0x([0-9a-f]+)\):/.exec(line))) {
      const op = cur!.ops.at(-1)!;
      op.flags = parseInt(m[1]!, 16);
      op.words = (lines[i + 1] ?? '').split(';').map((w) => w.trim()).filter(Boolean);
    }
  }
  return out;
}

/** A policy entry as `genl ctrl policy` prints it. */
interface PolicyEntry {
  type: string;
  range?: string;
  minLen?: number;
  maxLen?: number;
  policy?: number;
  maxattr?: number;
}

/** Parse `genl ctrl policy name X`: per-op policy indexes and policy[i]:attr[j] entries. */
function genlCtrlPolicy(name: string): { ops: Map<number, string>; attrs: Map<string, PolicyEntry> } {
  let text = '';
  try {
    text = execFileSync('genl', ['ctrl', 'policy', 'name', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    text = (e as { stdout?: string }).stdout ?? '';
  }
  const ops = new Map<number, string>();
  const attrs = new Map<string, PolicyEntry>();
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /op (\d+) policies:(.*)$/.exec(line))) ops.set(Number(m[1]), m[2]!.trim());
    else if ((m = /policy\[(\d+)\]:attr\[(\d+)\]: type=(\S+)(.*)$/.exec(line))) {
      const rest = m[4]!;
      const e: PolicyEntry = { type: m[3]! };
      let t: RegExpExecArray | null;
      if ((t = /range:\[(-?\d+),(-?\d+)\]/.exec(rest))) e.range = `${t[1]},${t[2]}`;
      if ((t = /min len:(\d+)/.exec(rest))) e.minLen = Number(t[1]);
      if ((t = /max len:(\d+)/.exec(rest))) e.maxLen = Number(t[1]);
      if ((t = /policy:(\d+)/.exec(rest))) e.policy = Number(t[1]);
      if ((t = /maxattr:(\d+)/.exec(rest))) e.maxattr = Number(t[1]);
      attrs.set(`${m[1]}:${m[2]}`, e);
    }
  }
  return { ops, attrs };
}

async function ctrlDump(cmd: number, attrs: Uint8Array = new Uint8Array()): Promise<Message[]> {
  const c = dial(16);
  try {
    const data = concat([cmd, 1, 0, 0], attrs);
    const replies = await c.execute({ header: { type: CTRL, flags: HeaderFlags.Request | HeaderFlags.Dump }, data }, { timeout: 5000 });
    return replies.filter((m) => m.header.type === CTRL);
  } finally {
    c.close();
  }
}

function child(a: DecodedAttr, name: string): DecodedAttr | undefined {
  return a.children?.find((c) => c.name === name);
}

describe('nlctrl', () => {
  it('decodes CTRL_CMD_GETFAMILY replies like genl ctrl list', async () => {
    const decoded = (await ctrlDump(CTRL_CMD_GETFAMILY)).map((m) => decodeMessage(m, { protocol: 16, genlFamilies: new Map([[CTRL, nlctrl]]) }));
    const genl = genlCtrlList();
    expect(decoded.length).toBe(genl.length);
    const byWord: Record<string, string> = { 'requires admin permission': 'admin_perm', 'can doit': 'cmd_cap_do', 'can dumpit': 'cmd_cap_dump', 'has policy': 'cmd_cap_haspol' };
    for (const want of genl) {
      const d = decoded.find((x) => attrsToObject(x.attrs).family_name === want.name)!;
      expect(d, want.name).toBeDefined();
      expect(d.malformed).toEqual([]);
      expect(d.family).toBe('nlctrl');
      expect(d.genl!.cmd).toBe(1); // replies are CTRL_CMD_NEWFAMILY
      expect(d.attrs.every((a) => a.kind !== 'unknown' && !a.malformed)).toBe(true);
      const o = attrsToObject(d.attrs);
      expect({ id: o.family_id, version: o.version, hdrsize: o.hdrsize, maxattr: o.maxattr }).toEqual({
        id: want.id,
        version: want.version,
        hdrsize: want.hdrsize,
        maxattr: want.maxattr,
      });
      const groups = (o.mcast_groups ?? []) as JsonValue[];
      expect(groups).toEqual(want.groups.map((g) => ({ name: g.name, id: g.id })));
      // Ops: IDs and flags, as numbers and as names.
      const opsAttr = d.attrs.find((a) => a.name === 'ops');
      const ops = (opsAttr?.children ?? []).map((e) => ({ id: child(e, 'id')!.value, flags: child(e, 'flags')!.raw, names: child(e, 'flags')!.value as string[] }));
      expect(ops.map((op) => op.id)).toEqual(want.ops.map((op) => op.id));
      ops.forEach((op, i) => {
        // genl prints capabilities only for families of version 2 and later.
        if (want.ops[i]!.flags !== undefined) expect(op.flags).toBe(want.ops[i]!.flags);
        for (const w of want.ops[i]!.words) if (byWord[w]) expect(op.names).toContain(byWord[w]);
        expect(op.names.some((n) => n.startsWith('0x'))).toBe(false);
      });
    }
    const ctrl = decoded.find((x) => x.header.type === CTRL && attrsToObject(x.attrs).family_id === CTRL)!;
    expect(attrsToObject(ctrl.attrs)).toMatchObject({ family_name: 'nlctrl', mcast_groups: [{ name: 'notify', id: CTRL }] });
  });

  it('decodes CTRL_CMD_GETPOLICY for nlctrl without malformed parts, types by name', async () => {
    const replies = await ctrlDump(CTRL_CMD_GETPOLICY, nla(CTRL_ATTR_FAMILY_NAME, cstr('nlctrl')));
    expect(replies.length).toBeGreaterThan(0);
    // The description as generated: the attribute-type level is bytes (see generic.yaml).
    for (const m of replies) {
      const d = decodeMessage(m, { protocol: 16, genlFamilies: new Map([[CTRL, nlctrl]]) });
      expect(d.malformed).toEqual([]);
      expect(d.genl!.cmd).toBe(CTRL_CMD_GETPOLICY);
      expect(attrsToObject(d.attrs).family_id).toBe(CTRL);
    }
    // With the second index level: every NL_POLICY_TYPE_ATTR_* named and typed.
    const spec = nlctrl;
    const types = new Map<string, Record<string, JsonValue>>();
    for (const m of replies) {
      const d = decodeMessage(m, { protocol: 16, genlFamilies: new Map([[CTRL, spec]]) });
      expect(d.malformed).toEqual([]);
      for (const p of d.attrs.find((a) => a.name === 'policy')?.children ?? []) {
        for (const a of p.children ?? []) {
          expect(a.children!.every((c) => c.name && !c.malformed)).toBe(true);
          types.set(`${p.type}:${a.type}`, attrsToObject(a.children!));
        }
      }
    }
    // ctrl_policy_family: CTRL_ATTR_FAMILY_ID is NLA_U16, CTRL_ATTR_FAMILY_NAME NLA_NUL_STRING.
    expect(types.get('0:1')).toMatchObject({ type: 'u16', min_value_u: 0n, max_value_u: 65535n });
    expect(types.get('0:2')).toMatchObject({ type: 'nul_string', max_length: 15 });
  });

  it('decodes the policies of every family like genl ctrl policy', async () => {
    const spec = nlctrl;
    let compared = 0;
    for (const fam of genlCtrlList()) {
      const want = genlCtrlPolicy(fam.name);
      let replies: Message[] = [];
      try {
        replies = await ctrlDump(CTRL_CMD_GETPOLICY, nla(CTRL_ATTR_FAMILY_NAME, cstr(fam.name)));
      } catch {
        // No policy to dump (the kernel says EOPNOTSUPP/ENODATA): genl shows nothing either.
      }
      const ops = new Map<number, string>();
      const attrs = new Map<string, PolicyEntry>();
      for (const m of replies) {
        for (const s of [nlctrl, spec]) {
          const d = decodeMessage(m, { protocol: 16, genlFamilies: new Map([[CTRL, s]]) });
          expect(d.malformed, fam.name).toEqual([]);
          if (s !== spec) continue;
          for (const op of d.attrs.find((a) => a.name === 'op_policy')?.children ?? []) {
            const o = attrsToObject(op.children!);
            ops.set(op.type, [o.do !== undefined ? `do=${o.do}` : '', o.dump !== undefined ? `dump=${o.dump}` : ''].filter(Boolean).join(' '));
          }
          for (const p of d.attrs.find((a) => a.name === 'policy')?.children ?? []) {
            for (const a of p.children ?? []) {
              const o = attrsToObject(a.children!);
              const e: PolicyEntry = { type: typeof o.type === 'string' ? o.type.toUpperCase() : 'unknown' };
              if (o.min_value_u !== undefined) e.range = `${o.min_value_u},${o.max_value_u}`;
              if (o.min_value_s !== undefined) e.range = `${o.min_value_s},${o.max_value_s}`;
              if (o.min_length !== undefined) e.minLen = o.min_length as number;
              if (o.max_length !== undefined) e.maxLen = o.max_length as number;
              if (o.policy_idx !== undefined) e.policy = o.policy_idx as number;
              if (o.policy_maxtype !== undefined) e.maxattr = o.policy_maxtype as number;
              attrs.set(`${p.type}:${a.type}`, e);
            }
          }
        }
      }
      expect(ops, fam.name).toEqual(want.ops);
      expect(attrs, fam.name).toEqual(want.attrs);
      compared += attrs.size;
    }
    expect(compared).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// sock_diag

const SOCK_DIAG_BY_FAMILY = 20;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const IPPROTO_TCP = 6;
const INET_DIAG_PROTOCOL = 10;

const ns = createNetns('nlctl-diag');
const port = 40000 + (process.pid % 20000);
const unixPath = `/tmp/nlctl-diag-${process.pid}.sock`;
let server: ChildProcess | undefined;

beforeAll(async () => {
  rmSync(unixPath, { force: true });
  ns.exec('ip link set lo up');
  // A TCP listener, one connection to it (both ends in this process), an IPv6 TCP listener on
  // ::1 (the next port), and a unix listener with
  // one connection, all owned by uid 65534 so that ss shows the uid.
  const script = `
    const net = require('net');
    process.setgid(65534); process.setuid(65534);
    const srv = net.createServer((s) => {}).listen(${port}, '127.0.0.1', () => {
      const c = net.connect(${port}, '127.0.0.1', () => {
        const us = net.createServer(() => {}).listen(${JSON.stringify(unixPath)}, () => {
          net.connect(${JSON.stringify(unixPath)}, () => {
            net.createServer(() => {}).listen(${port + 1}, '::1', () => console.log('ready'));
          });
        });
      });
    });
    setInterval(() => {}, 1000);`;
  server = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    server!.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
    server!.on('exit', (code) => reject(new Error(`listener exited with ${code}`)));
    setTimeout(() => reject(new Error('listener did not start')), 10_000);
  });
});

afterAll(() => {
  if (server?.pid) server.kill();
  rmSync(unixPath, { force: true });
  ns.destroy();
});

async function diagDump(req: Uint8Array): Promise<DecodedMessage[]> {
  const c = dial(4, { netns: ns.name });
  try {
    const request = { header: { type: SOCK_DIAG_BY_FAMILY, flags: HeaderFlags.Request | HeaderFlags.Dump }, data: req };
    const replies = await c.execute(request, { timeout: 5000 });
    // Replies are decoded knowing the request, as nlctl dump does (INET_DIAG_INFO depends on it).
    const sent = decodeMessage({ header: { ...request.header, length: 16 + req.length, sequence: 0, pid: 0 }, data: req }, { protocol: 4, family: sockDiag });
    return replies.filter((m) => m.header.type === SOCK_DIAG_BY_FAMILY).map((m) => decodeMessage(m, { protocol: 4, family: sockDiag, request: sent }));
  } finally {
    c.close();
  }
}

/** ss state words → our tcp_state names. */
const SS_STATE: Record<string, string> = {
  ESTAB: 'established',
  'SYN-SENT': 'syn_sent',
  'SYN-RECV': 'syn_recv',
  'FIN-WAIT-1': 'fin_wait1',
  'FIN-WAIT-2': 'fin_wait2',
  'TIME-WAIT': 'time_wait',
  UNCONN: 'close',
  'CLOSE-WAIT': 'close_wait',
  'LAST-ACK': 'last_ack',
  LISTEN: 'listen',
  CLOSING: 'closing',
};

/** ss -tni's second line: `key:value` tokens and bare words (ts, sack, app_limited, the CC name). */
function ssInfo(line: string): { kv: Map<string, string>; words: Set<string> } {
  const kv = new Map<string, string>();
  const words = new Set<string>();
  for (const t of line.trim().split(/\s+/)) {
    const i = t.indexOf(':');
    if (i > 0) kv.set(t.slice(0, i), t.slice(i + 1));
    else words.add(t);
  }
  return { kv, words };
}

describe('sock_diag', () => {
  it('decodes an inet_diag_req_v2 request and the TCP replies like ss -tan', async () => {
    // inet_diag_req_v2: AF_INET, IPPROTO_TCP, all 8 requestable extensions, every state.
    const req = concat([AF_INET, IPPROTO_TCP, 0xff, 0], u32(0xffffffff), new Uint8Array(48));
    const asRequest = decodeMessage(
      { header: { length: 16 + req.length, type: SOCK_DIAG_BY_FAMILY, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 1, pid: 0 }, data: req },
      { protocol: 4, family: sockDiag },
    );
    expect(asRequest.type).toMatchObject({ name: 'diag_by_family', constant: 'SOCK_DIAG_BY_FAMILY' });
    expect(asRequest.flags).toEqual(['request', 'dump']);
    expect(asRequest.fixed).toMatchObject({ name: 'inet_diag_req_v2', fields: { family: 'inet', protocol: 'tcp', ext: 0xff, states: 0xffffffff, sport: 0, src: '0.0.0.0' } });
    expect(asRequest.malformed).toEqual([]);

    const decoded = await diagDump(req);
    // ss -tanHe: State Recv-Q Send-Q Local:Port Peer:Port [timer:…] [uid:N] ino:N sk:hex …
    const ss = ns
      .exec('ss -4tanHe')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim().split(/\s+/));
    expect(ss.length).toBe(3); // the listener and both ends of the connection
    expect(decoded.length).toBe(ss.length);
    for (const cols of ss) {
      const [state, , , local, peer] = cols;
      const ino = Number(cols.find((c) => c.startsWith('ino:'))!.slice(4));
      const uid = Number(cols.find((c) => c.startsWith('uid:'))?.slice(4) ?? 0);
      const sk = BigInt('0x' + cols.find((c) => c.startsWith('sk:'))!.slice(3));
      const [laddr, lport] = [local!.slice(0, local!.lastIndexOf(':')), local!.slice(local!.lastIndexOf(':') + 1)];
      const [paddr, pport] = [peer!.slice(0, peer!.lastIndexOf(':')), peer!.slice(peer!.lastIndexOf(':') + 1)];
      const d = decoded.find((x) => x.fixed!.fields.inode === ino && x.fixed!.fields.sport === Number(lport))!;
      expect(d, cols.join(' ')).toBeDefined();
      expect(d.type).toMatchObject({ name: 'diag_by_family' });
      expect(d.malformed).toEqual([]);
      const f = d.fixed!.fields;
      expect(d.fixed!.name).toBe('inet_diag_msg');
      expect(f.family).toBe('inet');
      expect(f.state).toBe(SS_STATE[state!]);
      // The 16-byte addresses of an AF_INET socket, shown by the family as IPv4.
      expect(f.src).toBe(laddr);
      expect(pport === '*' ? 0 : Number(pport)).toBe(f.dport);
      expect(f.dst).toBe(paddr === '*' ? '0.0.0.0' : paddr);
      expect(f.uid).toBe(uid);
      expect(uid).toBe(65534);
      // idiag_cookie[0] is the low word; shown as the host-order bytes.
      const cookie = Buffer.from(String(f.cookie), 'hex');
      expect(cookie.readUInt32LE(0) === Number(sk & 0xffffffffn) || cookie.readUInt32BE(0) === Number(sk & 0xffffffffn)).toBe(true);
      // The attributes: every one known, typed, not malformed.
      expect(d.attrs.every((a) => a.kind !== 'unknown' && !a.malformed)).toBe(true);
      const o = attrsToObject(d.attrs);
      expect(o.meminfo).toMatchObject({ rmem: expect.any(Number), wmem: expect.any(Number) });
      expect(o.cong).toMatch(/^[a-z0-9_]+$/);
      expect(o.shutdown).toBe(0);
      expect((o.skmeminfo as number[]).length).toBeGreaterThanOrEqual(8);
      // tcp_info, chosen by the request's protocol (the reply does not say it).
      expect(d.attrs.find((a) => a.name === 'info')!.value).toMatchObject({ state: f.state, snd_cwnd: expect.any(Number) });
      expect(typeof o.tos).toBe('number');
    }
    expect(decoded.map((d) => d.fixed!.fields.state).sort()).toEqual(['established', 'established', 'listen']);
  });

  it('decodes INET_DIAG_INFO as tcp_info field by field like ss -tni, and IPv6 addresses by family', async () => {
    const req = concat([AF_INET, IPPROTO_TCP, 0xff, 0], u32(0xffffffff), new Uint8Array(48));
    const decoded = await diagDump(req);
    // ss -4taniHe: the socket line, then a tab-indented line of tcp_info and friends.
    const out = ns.exec('ss -4taniHe').split('\n').filter(Boolean);
    const pairs: [string[], string][] = [];
    for (let i = 0; i + 1 < out.length; i += 2) pairs.push([out[i]!.trim().split(/\s+/), out[i + 1]!]);
    expect(pairs.length).toBe(3);
    let compared = 0;
    for (const [cols, line2] of pairs) {
      const ino = Number(cols.find((c) => c.startsWith('ino:'))!.slice(4));
      const local = cols[3]!;
      const d = decoded.find((x) => x.fixed!.fields.inode === ino && x.fixed!.fields.sport === Number(local.slice(local.lastIndexOf(':') + 1)))!;
      const info = d.attrs.find((a) => a.name === 'info')!;
      expect(info.malformed).toBeUndefined();
      const t = info.value as Record<string, number | bigint | string | string[]>;
      const { kv, words } = ssInfo(line2);
      // The congestion control's name, and the options ss shows by name.
      expect(words.has(String(attrsToObject(d.attrs).cong))).toBe(true);
      expect(words.has('ts')).toBe((t.options as string[]).includes('timestamps'));
      expect(words.has('sack')).toBe((t.options as string[]).includes('sack'));
      expect(words.has('app_limited')).toBe(t.delivery_rate_app_limited === 1);
      if (kv.has('wscale')) expect(kv.get('wscale')).toBe(`${t.snd_wscale},${t.rcv_wscale}`);
      // ss shows milliseconds (%g) of tcp_info's microseconds.
      const ms = (v: unknown) => Number(v) / 1000;
      if (kv.has('rto')) expect(Number(kv.get('rto'))).toBeCloseTo(ms(t.rto), 6);
      if (kv.has('rtt')) {
        const [rtt, rttvar] = kv.get('rtt')!.split('/').map(Number);
        expect(rtt).toBeCloseTo(ms(t.rtt), 6);
        expect(rttvar).toBeCloseTo(ms(t.rttvar), 6);
        compared++;
      }
      if (kv.has('minrtt')) expect(Number(kv.get('minrtt'))).toBeCloseTo(ms(t.min_rtt), 6);
      const same: [string, string][] = [
        ['mss', 'snd_mss'], ['pmtu', 'pmtu'], ['rcvmss', 'rcv_mss'], ['advmss', 'advmss'], ['cwnd', 'snd_cwnd'],
        ['ssthresh', 'snd_ssthresh'], ['bytes_acked', 'bytes_acked'], ['bytes_received', 'bytes_received'],
        ['segs_out', 'segs_out'], ['segs_in', 'segs_in'], ['data_segs_out', 'data_segs_out'], ['data_segs_in', 'data_segs_in'],
        ['delivered', 'delivered'], ['rcv_space', 'rcv_space'], ['rcv_ssthresh', 'rcv_ssthresh'], ['snd_wnd', 'snd_wnd'],
      ];
      for (const [ssKey, ours] of same) if (kv.has(ssKey)) expect(String(t[ours]), `${ssKey} of ${local}`).toBe(kv.get(ssKey));
      expect(kv.get('cwnd')).toBe(String(t.snd_cwnd));
    }
    expect(compared).toBe(2); // both ends of the connection have an RTT; the listener none

    // An IPv6 listener on ::1: the same 16 bytes, shown as IPv6.
    const v6 = await diagDump(concat([AF_INET6, IPPROTO_TCP, 0xff, 0], u32(0xffffffff), new Uint8Array(48)));
    const ss6 = ns.exec('ss -6tanHe').trim().split(/\s+/);
    expect(v6).toHaveLength(1);
    expect(v6[0]!.fixed!.fields).toMatchObject({ family: 'inet6', state: 'listen', src: '::1', dst: '::', sport: port + 1 });
    expect(`[${v6[0]!.fixed!.fields.src}]:${port + 1}`).toBe(ss6[3]);
    expect(v6[0]!.attrs.find((a) => a.name === 'info')!.value).toMatchObject({ state: 'listen' });
  });

  it('chooses INET_DIAG_INFO by the request, else by the reply\'s INET_DIAG_PROTOCOL; encodes it back', async () => {
    const req = concat([AF_INET, IPPROTO_TCP, 0xff, 0], u32(0xffffffff), new Uint8Array(48));
    const c = dial(4, { netns: ns.name });
    let replies: Message[];
    try {
      replies = (await c.execute({ header: { type: SOCK_DIAG_BY_FAMILY, flags: HeaderFlags.Request | HeaderFlags.Dump }, data: req }, { timeout: 5000 })).filter((m) => m.header.type === SOCK_DIAG_BY_FAMILY);
    } finally {
      c.close();
    }
    const reqMsg = decodeMessage({ header: { length: 16 + req.length, type: SOCK_DIAG_BY_FAMILY, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 1, pid: 0 }, data: req }, { protocol: 4, family: sockDiag });
    for (const m of replies) {
      // With the request: tcp_info by name. Without it the reply alone does not say (as of 6.18
      // the kernel sends no INET_DIAG_PROTOCOL for TCP), so the bytes stay bytes.
      const withReq = decodeMessage(m, { protocol: 4, family: sockDiag, request: reqMsg });
      const alone = decodeMessage(m, { protocol: 4, family: sockDiag });
      const info = withReq.attrs.find((a) => a.name === 'info')!;
      expect(typeof info.value).toBe('object');
      const protoAttr = alone.attrs.find((a) => a.name === 'protocol');
      expect(typeof alone.attrs.find((a) => a.name === 'info')!.value).toBe(protoAttr ? 'object' : 'string');
      // bytes → JSON → bytes: the struct is found again from its fields.
      const o = JSON.parse(JSON.stringify(messageToObject(withReq), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as MessageInput;
      const again = encodeMessage(sockDiag, { ...o, flags: m.header.flags });
      expect(Buffer.from(again.data).toString('hex')).toBe(Buffer.from(m.data).toString('hex'));
    }
    // The reply's own INET_DIAG_PROTOCOL is used when there is no request: here, added by hand.
    const m = replies[0]!;
    const withProto = concat(m.data, nla(INET_DIAG_PROTOCOL, [IPPROTO_TCP]));
    const d = decodeMessage({ header: { ...m.header, length: 16 + withProto.length }, data: withProto }, { protocol: 4, family: sockDiag });
    expect(d.attrs.find((a) => a.name === 'info')!.value).toMatchObject({ snd_cwnd: expect.any(Number) });
  });

  it('decodes unix_diag replies like ss -xa', async () => {
    // unix_diag_req: AF_UNIX, every state, show name, VFS, peer, icons, rqlen, meminfo, uid.
    const UDIAG_SHOW = 0x7f;
    const req = concat([AF_UNIX, 0, 0, 0], u32(0xffffffff), u32(0), u32(UDIAG_SHOW), u32(0xffffffff), u32(0xffffffff));
    const asRequest = decodeMessage(
      { header: { length: 16 + req.length, type: SOCK_DIAG_BY_FAMILY, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 1, pid: 0 }, data: req },
      { protocol: 4, family: sockDiag },
    );
    expect(asRequest.fixed).toMatchObject({ name: 'unix_diag_req', fields: { family: 'unix', show: ['name', 'vfs', 'peer', 'icons', 'rqlen', 'meminfo', 'uid'] } });
    expect(asRequest.malformed).toEqual([]);

    const decoded = await diagDump(req);
    // ss -xaH: Netid State Recv-Q Send-Q Local Port Peer Port
    const ss = ns
      .exec('ss -xaH')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim().split(/\s+/));
    expect(decoded.length).toBe(ss.length);
    expect(decoded.length).toBeGreaterThanOrEqual(3); // listener, client, accepted end
    for (const [netid, state, , , local, ino, , peerIno] of ss) {
      const d = decoded.find((x) => x.fixed!.fields.ino === Number(ino))!;
      expect(d, `${local} ${ino}`).toBeDefined();
      expect(d.malformed).toEqual([]);
      expect(d.fixed!.name).toBe('unix_diag_msg');
      expect(d.fixed!.fields.family).toBe('unix');
      expect(d.fixed!.fields.type).toBe({ u_str: 'stream', u_dgr: 'dgram', u_seq: 'seqpacket' }[netid!]);
      expect(d.fixed!.fields.state).toBe(SS_STATE[state!]);
      expect(d.attrs.every((a) => a.kind !== 'unknown' && !a.malformed)).toBe(true);
      const o = attrsToObject(d.attrs);
      if (local !== '*') expect(o.name).toBe(local);
      if (peerIno !== '*' && peerIno !== '0') expect(o.peer).toBe(Number(peerIno));
      expect(o.uid).toBe(65534);
      expect(o.rqlen).toMatchObject({ rqueue: expect.any(Number), wqueue: expect.any(Number) });
      expect((o.meminfo as number[]).length).toBeGreaterThanOrEqual(8);
    }
    // The listener and the accepted end carry the path (the accepted socket shares its address).
    const named = decoded.filter((d) => attrsToObject(d.attrs).name === unixPath);
    expect(named.map((d) => d.fixed!.fields.state).sort()).toEqual(['established', 'listen']);
    const listener = named.find((d) => d.fixed!.fields.state === 'listen')!;
    expect(attrsToObject(listener.attrs).vfs).toMatchObject({ ino: expect.any(Number), dev: expect.any(Number) });
  });

  it('decodes netlink_diag replies like ss -f netlink -a', async () => {
    // netlink_diag_req: AF_NETLINK, NDIAG_PROTO_ALL, show meminfo, groups and flags.
    const req = concat([AF_NETLINK, 0xff, 0, 0], u32(0), u32(0x1 | 0x2 | 0x8), u32(0xffffffff), u32(0xffffffff));
    const asRequest = decodeMessage(
      { header: { length: 16 + req.length, type: SOCK_DIAG_BY_FAMILY, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 1, pid: 0 }, data: req },
      { protocol: 4, family: sockDiag },
    );
    expect(asRequest.fixed).toMatchObject({ name: 'netlink_diag_req', fields: { family: 'netlink', protocol: 'ndiag_proto_all', show: ['meminfo', 'groups', 'flags'] } });
    expect(asRequest.malformed).toEqual([]);

    const decoded = await diagDump(req);
    for (const d of decoded) {
      expect(d.malformed).toEqual([]);
      expect(d.fixed!.name).toBe('netlink_diag_msg');
      expect(d.attrs.every((a) => a.kind !== 'unknown' && !a.malformed)).toBe(true);
      const o = attrsToObject(d.attrs);
      expect((o.meminfo as number[]).length).toBeGreaterThanOrEqual(8);
      expect(Array.isArray(o.flags)).toBe(true);
    }
    // The kernel's own sockets (port 0), by ss's short protocol names.
    const SS_PROTO: Record<string, string> = { rtnl: 'route', tcpdiag: 'sock_diag', xfrm: 'xfrm', audit: 'audit', fiblookup: 'fib_lookup', nft: 'netfilter', uevent: 'kobject_uevent', genl: 'generic' };
    const ssKernel = ns
      .exec('ss -f netlink -aH')
      .split('\n')
      .map((l) => /\s(\S+):kernel\s/.exec(l)?.[1])
      .filter((p): p is string => p !== undefined)
      .map((p) => SS_PROTO[p] ?? p)
      .sort();
    const ours = decoded.filter((d) => d.fixed!.fields.portid === 0).map((d) => String(d.fixed!.fields.protocol)).sort();
    expect(ours).toEqual(ssKernel);
    expect(ours).toContain('route');
    for (const d of decoded.filter((x) => x.fixed!.fields.portid === 0)) {
      // Kernel sockets are SOCK_DGRAM; ndiag_state is sk_state, which a socket that was never
      // connected keeps at TCP_CLOSE (7, ss: UNCONN), not NETLINK_UNCONNECTED (0).
      expect(d.fixed!.fields.type).toBe('dgram');
      expect([7, 'unconnected']).toContain(d.fixed!.fields.state);
    }
    // Our own query socket is in the dump too.
    expect(decoded.some((d) => d.fixed!.fields.protocol === 'sock_diag' && d.fixed!.fields.portid !== 0)).toBe(true);
  });
});

describe('sub-message selectors', () => {
  const INET_DIAG_INFO = 2;
  const INET_DIAG_REQ_PROTOCOL = 3;
  const IPPROTO_MPTCP = 262;
  const SCTP = 132;
  const replyMsg = (attrs: Uint8Array): Message => {
    const data = concat([AF_INET, 10, 0, 0], new Uint8Array(68), attrs);
    return { header: { length: 16 + data.length, type: SOCK_DIAG_BY_FAMILY, flags: 2, sequence: 1, pid: 0 }, data };
  };
  const requestMsg = (protocol: number, attrs: Uint8Array = new Uint8Array()): DecodedMessage => {
    const data = concat([AF_INET, protocol, 0xff, 0], u32(0xffffffff), new Uint8Array(48), attrs);
    return decodeMessage({ header: { length: 16 + data.length, type: SOCK_DIAG_BY_FAMILY, flags: 0x301, sequence: 1, pid: 0 }, data }, { protocol: 4, family: sockDiag });
  };

  it('INET_DIAG_REQ_PROTOCOL wins over sdiag_protocol (MPTCP: 262 does not fit in a byte)', () => {
    // struct mptcp_info: 6 bytes of counts, 2 of padding, flags, token, three u64, three u8.
    const info = concat([3, 1, 0, 8, 8, 8, 0, 0], u32(0), u32(0xdeadbeef), new Uint8Array(24), [1, 8, 1, 0, 0, 0, 0, 0]);
    const m = replyMsg(nla(INET_DIAG_INFO, info));
    const d = decodeMessage(m, { protocol: 4, family: sockDiag, request: requestMsg(IPPROTO_TCP, nla(INET_DIAG_REQ_PROTOCOL, u32(IPPROTO_MPTCP))) });
    expect(d.attrs[0]!.value).toEqual({
      subflows: 3, add_addr_signal: 1, add_addr_accepted: 0, subflows_max: 8, add_addr_signal_max: 8, add_addr_accepted_max: 8,
      flags: 0, token: 0xdeadbeef, write_seq: 0n, snd_una: 0n, rcv_nxt: 0n, local_addr_used: 1, local_addr_max: 8, csum_enabled: 1,
    });
    // sctp_info by sdiag_protocol alone.
    const sctp = decodeMessage(replyMsg(nla(INET_DIAG_INFO, concat(u32(7), new Uint8Array(364)))), { protocol: 4, family: sockDiag, request: requestMsg(SCTP) });
    expect(sctp.attrs[0]!.value).toMatchObject({ tag: 7, p_state: 'inactive', p_address: '00'.repeat(128) });
    // A protocol with no struct (UDP): bytes.
    expect(typeof decodeMessage(m, { protocol: 4, family: sockDiag, request: requestMsg(17) }).attrs[0]!.value).toBe('string');
  });

  it('a selector in the message header (header.FIELD), and a sibling selector by raw number', () => {
    const fam: FamilySpec = {
      name: 't',
      protocol: 30,
      messages: [{ constant: 'T_MSG', name: 'msg', value: 16, header: 'hdr', attrs: 'top' }],
      structs: {
        hdr: { name: 'hdr', size: 4, fields: [{ name: 'kind', type: 'u32' }] },
        a: { name: 'a', size: 4, fields: [{ name: 'x', type: 'u32' }] },
        b: { name: 'b', size: 2, fields: [{ name: 'y', type: 'u16' }] },
      },
      sets: {
        top: {
          name: 'top',
          attrs: {
            '1': { name: 'body', constant: 'T_BODY', type: 'binary', subMessage: { selector: ['nosuch', 'header.kind'], structs: { '1': 'a', '2': 'b' } } },
            '2': { name: 'sel', constant: 'T_SEL', type: 'u8', enum: 'e' },
            '3': { name: 'other', constant: 'T_OTHER', type: 'binary', subMessage: { selector: 'sel', structs: { '9': 'b' } } },
          },
        },
      },
      enums: { e: { name: 'e', values: { '1': 'one' } } },
      groups: [],
    };
    const msg = (kind: number, attrs: Uint8Array): Message => {
      const data = concat(u32(kind), attrs);
      return { header: { length: 16 + data.length, type: 16, flags: 0, sequence: 1, pid: 0 }, data };
    };
    const body = nla(1, u32(0x01020304));
    expect(decodeMessage(msg(1, body), { protocol: 30, family: fam }).attrs[0]!.value).toEqual({ x: 0x01020304 });
    expect(decodeMessage(msg(2, body), { protocol: 30, family: fam }).attrs[0]!.value).toMatchObject({ y: expect.any(Number), _extra: expect.any(String) });
    // No struct for kind 3: the bytes as they are.
    expect(decodeMessage(msg(3, body), { protocol: 30, family: fam }).attrs[0]!.value).toBe(Buffer.from(u32(0x01020304)).toString('hex'));
    // The sibling's value has no name in its enum (9): its number selects.
    const d = decodeMessage(msg(0, concat(nla(3, [5, 0]), nla(2, [9]))), { protocol: 30, family: fam });
    expect(d.attrs[0]!.value).toEqual({ y: 5 });
  });
});
