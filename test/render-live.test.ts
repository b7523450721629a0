// The renderers on real kernel replies, captured in a scratch network namespace: a link dump,
// an extended-ACK error pointing at an attribute, and nlctrl's description of itself.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeaderFlags, NetlinkError, dial, type Message } from '../src/index.js';
import { loadFamily, type FamilySpec } from '../src/families/index.js';
import { decodeMessage, type DecodeContext } from '../src/model/decode.js';
import { marshalMessages } from '../src/netlink/message.js';
import { createRenderer, type OutputFormat } from '../src/render/index.js';
import { formatMnl } from '../src/render/mnl.js';
import type { MessageRecord } from '../src/render/record.js';
import { concat, cstr, nla, nlmsg } from './helpers/bytes.js';
import { createNetns } from './helpers/netns.js';

const ns = createNetns('nlctl-render');
let route: FamilySpec;
let nlctrl: FamilySpec;
let links: MessageRecord[];

const RTM_GETLINK = 18;
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

function toRecord(m: Message, ctx: DecodeContext, extraHeaderSize: number): MessageRecord {
  const decoded = decodeMessage(m, ctx);
  const bytes = marshalMessages([m]).subarray(0, 16 + m.data.length);
  return { record: 'message', decoded, bytes, direction: 'received', extraHeaderSize: m.header.type < 16 ? 0 : extraHeaderSize };
}

function hasJq(): boolean {
  try {
    execFileSync('jq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  route = (await loadFamily('route'))!;
  nlctrl = (await loadFamily('nlctrl'))!;
  ns.exec('ip link add nlr0 type veth peer name nlr1 && ip link set nlr0 mtu 1400 address 02:00:00:00:00:09 && ip link set lo up');
  const c = dial(0, { netns: ns.name, strict: true });
  try {
    const replies = await c.execute({ header: { type: RTM_GETLINK, flags: HeaderFlags.Request | HeaderFlags.Dump }, data: new Uint8Array(16) }, { timeout: 5000 });
    links = replies.map((m) => toRecord(m, { protocol: 0, family: route }, 16));
  } finally {
    c.close();
  }
});
afterAll(() => ns.destroy());

describe('a live link dump', () => {
  it('json: one object per line, jq-style access to names and numbers', () => {
    const r = createRenderer('json', {});
    const out = links.map((x) => r.render(x)).join('');
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(links.length);
    const objs = lines.map((l) => JSON.parse(l) as Record<string, any>);
    const lo = objs.find((o) => o.attrs?.ifname === 'lo')!;
    expect(lo.attrs.mtu).toBe(65536);
    expect(lo.header.index).toBe(1);
    expect(lo.header.flags).toContain('up');
    expect(lo.type).toBe('RTM_NEWLINK');
    expect(lo.flags).toEqual(['multi']);
    const veth = objs.find((o) => o.attrs?.ifname === 'nlr0')!;
    expect(veth.attrs.mtu).toBe(1400);
    expect(veth.attrs.address).toBe('02:00:00:00:00:09');
    expect(veth.attrs.linkinfo.kind).toBe('veth');
    expect(objs.at(-1)).toMatchObject({ record: 'message', type: 'NLMSG_DONE' });
    // Every link the kernel has is there, with ip's MTU.
    const ip = JSON.parse(ns.exec('ip -j link show')) as { ifname: string; mtu: number }[];
    for (const want of ip) expect(objs.find((o) => o.attrs?.ifname === want.ifname)?.attrs.mtu, want.ifname).toBe(want.mtu);
    if (hasJq()) {
      const jq = execFileSync('jq', ['-c', 'select(.attrs.ifname == "lo") | [.attrs.mtu, .attrs.linkinfo, .header.type]'], { input: out, encoding: 'utf8' });
      expect(jq.trim()).toBe('[65536,null,"loopback"]');
    }
  });

  it('text: one line per message, grep-able', () => {
    const r = createRenderer('text', {});
    const out = links.map((x) => r.render(x)).join('');
    expect(out.trimEnd().split('\n')).toHaveLength(links.length);
    const lo = out.split('\n').find((l) => l.includes(' ifname="lo" '))!;
    expect(lo).toMatch(/^RTM_NEWLINK flags=multi seq=\d+ pid=\d+ len=\d+ \{family=unspec type=loopback index=1 flags=\[up,loopback,running,lower_up\] change=\[\]\} /);
    expect(lo).toContain(' mtu=65536 ');
    expect(out).toMatch(/ ifname="nlr0" .* mtu=1400 .* address=02:00:00:00:00:09 .* linkinfo=\{kind="veth"[ }]/);
  });

  it('table: every line fits 80 columns, coloured or not', () => {
    for (const color of [false, true]) {
      const r = createRenderer('table', { width: 80, color });
      const out = links.map((x) => r.render(x)).join('');
      for (const line of out.split('\n')) expect(stripAnsi(line).length, line).toBeLessThanOrEqual(80);
      expect(stripAnsi(out)).toMatch(/\n {2}ifname +string +7 +"lo"\n/);
      expect(stripAnsi(out)).toMatch(/\n {2}mtu +u32 +8 +65536\n/);
    }
  });

  it('mnl is formatMnl; mnl-annotated adds a column and names every attribute', () => {
    for (const color of [false, true]) {
      const mnl = createRenderer('mnl', { color });
      const ann = createRenderer('mnl-annotated', { color, structLayout: (d) => (d.fixed ? route.structs[d.fixed.name] : undefined) });
      for (const x of links) {
        const plain = formatMnl(x.bytes, { extraHeaderSize: x.extraHeaderSize, color });
        expect(mnl.render(x)).toBe(plain);
        const a = ann.render(x).split('\n');
        const m = plain.split('\n');
        expect(a).toHaveLength(m.length);
        a.forEach((line, i) => expect(line === m[i] || line.startsWith(m[i]! + '\t'), line).toBe(true));
        // Every top-level attribute header line carries its constant and name.
        if (!color) {
          for (const attr of x.decoded.attrs) {
            if (!attr.constant) continue;
            expect(a.some((l) => l.endsWith(`\t${attr.constant} ${attr.name}`) || l.includes(`\t${attr.constant} ${attr.name} (malformed`)), attr.constant).toBe(true);
          }
        }
      }
    }
    const lo = links.find((x) => x.decoded.attrs.some((a) => a.value === 'lo'))!;
    const text = createRenderer('mnl-annotated', {}).render(lo);
    expect(text).toMatch(/\|00007\|--\|00003\|\t\|len \|flags\| type\|\tIFLA_IFNAME ifname\n\| 6c 6f 00 00 {2}\|\t\| {6}data {6}\|\t l o {4}\t"lo"\n/);
    expect(text).toMatch(/\tIFLA_MTU mtu\n\| 00 00 01 00 {2}\|\t\| {6}data {6}\|\t {8}\t65536\n/);
  });
});

describe('a live extended-ACK error', () => {
  it('names the attribute the kernel points at in every view', async () => {
    const IFLA_IFNAME = 3;
    const request = nlmsg({ type: RTM_GETLINK, flags: HeaderFlags.Request | HeaderFlags.Acknowledge }, concat(new Uint8Array(16), nla(IFLA_IFNAME, cstr('x'.repeat(40)))));
    const sent: Message = { header: { length: request.length, type: RTM_GETLINK, flags: 5, sequence: 0, pid: 0 }, data: request.subarray(16) };
    const c = dial(0, { netns: ns.name, strict: true });
    let err: NetlinkError;
    try {
      err = await c.execute({ header: { type: RTM_GETLINK, flags: 5 }, data: sent.data }, { timeout: 5000 }).then(
        () => expect.fail('the kernel accepted a 40-character name'),
        (e: NetlinkError) => e,
      );
    } finally {
      c.close();
    }
    expect(err).toBeInstanceOf(NetlinkError);
    const req = decodeMessage(sent, { protocol: 0, family: route });
    const rec = toRecord(err.reply!, { protocol: 0, family: route, request: req }, 0);

    const o = JSON.parse(createRenderer('json', {}).render(rec)) as Record<string, any>;
    expect(o.type).toBe('NLMSG_ERROR');
    expect(o.error).toMatchObject({ errno: -34, name: 'ERANGE', text: 'Numerical result out of range', offset: 32, bad_attr: 'ifname' });
    expect(o.error.msg).toMatch(/policy/i);
    expect(o.error.policy).toEqual({ max_length: 15, type: 'string' }); // as nlctrl's policy dumps name them

    const text = createRenderer('text', {}).render(rec);
    expect(text).toMatch(/^NLMSG_ERROR flags=\S+ seq=\d+ pid=\d+ len=\d+ error=-34 ERANGE "Numerical result out of range" msg="[^"]*policy[^"]*" offset=32 bad_attr=ifname /i);

    const table = createRenderer('table', { width: 80 }).render(rec);
    for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(table).toContain('error=-34 ERANGE "Numerical result out of range"');

    const ann = createRenderer('mnl-annotated', {}).render(rec);
    expect(ann).toContain('\terror=-34 ERANGE "Numerical result out of range"\n');
    expect(ann).toContain('\tNLMSGERR_ATTR_OFFS 32 (ifname)\n');
    expect(ann).toMatch(/\tNLMSGERR_ATTR_POLICY \{[^}]*max_length=15/);
  });
});

describe('live generic netlink', () => {
  it('shows nlctrl’s operations (a nest-array) in every view', async () => {
    const c = dial(16);
    let replies: Message[];
    try {
      replies = await c.execute({ header: { type: 16, flags: HeaderFlags.Request }, data: concat([3, 1, 0, 0], nla(2, cstr('nlctrl'))) }, { timeout: 5000 });
    } finally {
      c.close();
    }
    const rec = toRecord(replies[0]!, { protocol: 16, genlFamilies: new Map([[16, nlctrl]]) }, 4);
    const o = JSON.parse(createRenderer('json', {}).render(rec)) as Record<string, any>;
    expect(o).toMatchObject({ family: 'nlctrl', type: 'CTRL_CMD_NEWFAMILY', genl: { cmd: 1 } });
    expect(o.attrs.family_name).toBe('nlctrl');
    expect(o.attrs.family_id).toBe(16);
    expect(Array.isArray(o.attrs.ops)).toBe(true);
    expect(o.attrs.ops[0]).toHaveProperty('id');
    expect(createRenderer('text', {}).render(rec)).toMatch(/ family_name="nlctrl" .*ops=\[\{id=\d+ flags=\[/);
    const table = createRenderer('table', { width: 80 }).render(rec);
    for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(table).toMatch(/\n {2}ops +nest-array +\d+\n {4}\[1\] +nest +\d+\n {6}id +u32 +8 +\d+\n/);
    for (const format of ['mnl', 'mnl-annotated'] as OutputFormat[]) expect(createRenderer(format, {}).render(rec)).toContain('|  extra header  |');
  });
});
