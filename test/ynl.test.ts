// YNL spec files as input (src/model/ynl.ts): fixture specs written for these tests
// (test/fixtures/ynl/) are converted to FamilySpecs and checked three ways — against the
// hand-written descriptions, against the live kernel (nlctrl's family list and policies, and
// rtnetlink addresses and links in a scratch namespace, compared with genl and ip), and by
// encoding requests the kernel accepts — and broken specs must fail with a YnlSpecError that
// names the wrong key, never anything else.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeaderFlags, dial, genlHeader, getFamily, type Message } from '../src/index.js';
import { loadFamily } from '../src/families/index.js';
import type { FamilySpec } from '../src/families/schema.js';
import { decodeMessage, type DecodedMessage } from '../src/model/decode.js';
import { encodeAttrs, encodeMessage } from '../src/model/encode.js';
import { runtimeFamily } from '../src/model/genl.js';
import { attrsToObject, type JsonValue } from '../src/model/json.js';
import { YnlSpecError, familyFromYnl, familyFromYnlFile } from '../src/model/ynl.js';
import { concat, nla, u32 } from './helpers/bytes.js';
import { createNetns, type Netns } from './helpers/netns.js';

const fixturePath = (name: string) => fileURLToPath(new URL(`./fixtures/ynl/${name}`, import.meta.url));
const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');

const nlctrl = familyFromYnl(fixture('nlctrl.yaml'));
const rtAddr = familyFromYnl(fixture('rt-addr.yaml'));
const rtLink = familyFromYnl(fixture('rt-link.yaml'));

/** A whole message from an encodeMessage result, as the decoder takes it. */
function asMessage(enc: ReturnType<typeof encodeMessage>): Message {
  return { header: { ...enc.header, length: 16 + enc.data.length }, data: enc.data };
}

// ---------------------------------------------------------------------------------------------
// 1. nlctrl (genetlink-legacy) against the hand-written description and the live controller.

interface GenlText {
  name: string;
  id: number;
  version: number;
  ops: number[];
  groups: { name: string; id: number }[];
}

/** Parse `genl ctrl list` (iproute2's text output). */
function genlCtrlList(): GenlText[] {
  const out: GenlText[] = [];
  for (const line of execFileSync('genl', ['ctrl', 'list'], { encoding: 'utf8' }).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^Name: (\S+)/.exec(line))) out.push({ name: m[1]!, id: 0, version: 0, ops: [], groups: [] });
    else if ((m = /^\s+ID: 0x([0-9a-f]+)\s+Version: 0x([0-9a-f]+)/.exec(line))) {
      out.at(-1)!.id = parseInt(m[1]!, 16);
      out.at(-1)!.version = parseInt(m[2]!, 16);
    } else if ((m = /^\s+#\d+:\s+ID-0x([0-9a-f]+)\s+name: (\S+)/.exec(line))) out.at(-1)!.groups.push({ id: parseInt(m[1]!, 16), name: m[2]! });
    else if ((m = /^\s+#\d+:\s+ID-0x([0-9a-f]+)\s*$/.exec(line))) out.at(-1)!.ops.push(parseInt(m[1]!, 16));
  }
  return out;
}

async function genlDump(data: Uint8Array, flags = HeaderFlags.Request | HeaderFlags.Dump): Promise<Message[]> {
  const c = dial(16);
  try {
    return await c.execute({ header: { type: 16, flags }, data }, { timeout: 5000 });
  } finally {
    c.close();
  }
}

describe('YNL nlctrl (genetlink-legacy)', () => {
  it('converts to the same numbers, names and constants as the hand-written description', async () => {
    const builtin = (await loadFamily('nlctrl'))!;
    expect(nlctrl).toMatchObject({ name: 'nlctrl', protocol: 16, genlId: 16 });
    // Operations count from value 1 on; names, constants and values match the header.
    const msgs = (f: FamilySpec) => f.messages.map((m) => ({ value: m.value, name: m.name, constant: m.constant, kind: m.kind }));
    expect(msgs(nlctrl)).toEqual(msgs(builtin));
    expect(nlctrl.messages.find((m) => m.name === 'getfamily')).toMatchObject({ value: 3, constant: 'CTRL_CMD_GETFAMILY', attrs: 'ctrl_attrs' });
    // Every attribute of every set: same number, name, constant and type.
    const pairs: [string, string][] = [['ctrl_attrs', 'ctrl'], ['op_attrs', 'op'], ['mcast_group_attrs', 'mcast_grp'], ['policy_attrs', 'policy_type'], ['op_policy_attrs', 'op_policy']];
    for (const [ours, theirs] of pairs) {
      const strip = (set: FamilySpec['sets'][string]) =>
        Object.fromEntries(Object.entries(set.attrs).filter(([n]) => n !== '0').map(([n, a]) => [n, { name: a.name, constant: a.constant, type: a.type }]));
      expect(strip(nlctrl.sets[ours]!), ours).toEqual(strip(builtin.sets[theirs]!));
    }
    expect(nlctrl.sets.ctrl_attrs!.attrs['6']).toMatchObject({ type: 'nest-array', nested: 'op_attrs' });
    expect(nlctrl.sets.op_attrs!.attrs['2']).toMatchObject({ type: 'u32', flags: 'op_flags' });
    expect(nlctrl.enums.op_flags).toEqual(builtin.enums.op_flags);
    // The two-level policy table: policy index → attribute type → policy attributes.
    const policy = nlctrl.sets.ctrl_attrs!.attrs['8']!;
    expect(policy).toMatchObject({ type: 'nest-array' });
    expect(nlctrl.sets[policy.nested!]).toEqual({ name: policy.nested, attrs: {}, elements: 'policy_attrs' });
    expect(nlctrl.sets.ctrl_attrs!.attrs['9']).toMatchObject({ type: 'nest-array', nested: 'op_policy_attrs' });
    // genetlink groups get their IDs at run time.
    expect(nlctrl.groups).toEqual([{ name: 'notify', value: 0, constant: 'NLCTRL_MCGRP_NOTIFY' }]);
  });

  it('decodes the live family list like genl ctrl list, with nothing malformed', async () => {
    const replies = (await genlDump(genlHeader(3, 1))).filter((m) => m.header.type === 16);
    const builtin = (await loadFamily('nlctrl'))!;
    const decoded = replies.map((m) => decodeMessage(m, { protocol: 16, genlFamilies: new Map([[16, nlctrl]]) }));
    const theirs = genlCtrlList();
    expect(decoded).toHaveLength(theirs.length);
    for (const d of decoded) {
      expect(d.malformed).toEqual([]);
      expect(d.family).toBe('nlctrl');
      expect(d.type).toMatchObject({ name: 'newfamily', constant: 'CTRL_CMD_NEWFAMILY' });
      const attrs = attrsToObject(d.attrs);
      const want = theirs.find((t) => t.name === attrs.family_name);
      expect(want, String(attrs.family_name)).toBeDefined();
      expect(attrs.family_id).toBe(want!.id);
      expect(attrs.version).toBe(want!.version);
      const ops = (attrs.ops ?? []) as Record<string, JsonValue>[];
      expect(ops.map((o) => o.id)).toEqual(want!.ops);
      for (const o of ops) expect(Array.isArray(o.flags)).toBe(true);
      const groups = (attrs.mcast_groups ?? []) as Record<string, JsonValue>[];
      expect(groups.map((g) => ({ name: g.name, id: g.id }))).toEqual(want!.groups);
      // The YNL-derived description decodes exactly like the hand-written one.
      const other = decodeMessage({ header: d.header, data: replies[decoded.indexOf(d)]!.data }, { protocol: 16, genlFamilies: new Map([[16, builtin]]) });
      expect(attrs).toEqual(attrsToObject(other.attrs));
    }
    const ctrl = attrsToObject(decoded.find((d) => attrsToObject(d.attrs).family_name === 'nlctrl')!.attrs);
    expect((ctrl.ops as Record<string, JsonValue>[]).find((o) => o.id === 3)!.flags).toEqual(['cmd_cap_do', 'cmd_cap_dump', 'cmd_cap_haspol']);
  });

  it('encodes a GETPOLICY request the kernel answers, and decodes the two-level policy tables', async () => {
    const req = encodeMessage(nlctrl, { type: 'getpolicy', flags: ['request', 'dump'], attrs: { family_name: 'nlctrl' } }, { genlFamilyId: 16 });
    const replies = (await genlDump(req.data, req.header.flags)).filter((m) => m.header.type === 16);
    expect(replies.length).toBeGreaterThan(0);
    const builtin = (await loadFamily('nlctrl'))!;
    const seen = new Set<string>();
    for (const m of replies) {
      const d = decodeMessage(m, { protocol: 16, genlFamilies: new Map([[16, nlctrl]]) });
      expect(d.malformed).toEqual([]);
      expect(d.type.name).toBe('getpolicy');
      const attrs = attrsToObject(d.attrs);
      expect(attrs.family_id).toBe(16);
      expect(attrs).toEqual(attrsToObject(decodeMessage(m, { protocol: 16, genlFamilies: new Map([[16, builtin]]) }).attrs));
      for (const k of Object.keys(attrs)) seen.add(k);
      if (attrs.policy) {
        // { policy index: { attribute type: { type, … } } }, keyed by number at both levels
        const tables = Object.entries(attrs.policy as Record<string, Record<string, Record<string, JsonValue>>>);
        expect(tables.length).toBeGreaterThan(0);
        for (const [idx, table] of tables) {
          expect(idx).toMatch(/^\d+$/);
          for (const [type, p] of Object.entries(table)) {
            expect(type).toMatch(/^\d+$/);
            expect(typeof p.type).toBe('string');
          }
        }
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(['policy', 'op_policy']));
    // The tables by policy index and attribute type (each reply carries one entry): nlctrl's
    // GETFAMILY policy has CTRL_ATTR_FAMILY_ID as a u16 and CTRL_ATTR_FAMILY_NAME as a NUL string.
    const tables = new Map<number, Map<number, Record<string, JsonValue>>>();
    for (const m of replies) {
      const policy = decodeMessage(m, { protocol: 16, genlFamilies: new Map([[16, nlctrl]]) }).attrs.find((a) => a.name === 'policy');
      for (const idx of policy?.children ?? []) {
        for (const attr of idx.children ?? []) {
          if (!tables.has(idx.type)) tables.set(idx.type, new Map());
          tables.get(idx.type)!.set(attr.type, attrsToObject(attr.children ?? []));
        }
      }
    }
    expect([...tables.values()].some((t) => t.get(1)?.type === 'u16' && t.get(2)?.type === 'nul_string' && t.get(2)?.max_length === 15)).toBe(true);
  });

  it('encodes a GETFAMILY do request the kernel answers; runtimeFamily adds the live group IDs', async () => {
    const req = encodeMessage(nlctrl, { type: 'getfamily', attrs: { family_name: 'nlctrl' } }, { genlFamilyId: 16 });
    expect([...req.data.subarray(0, 4)]).toEqual([3, 1, 0, 0]);
    const [reply] = (await genlDump(req.data, req.header.flags)).filter((m) => m.header.type === 16);
    const d = decodeMessage(reply!, { protocol: 16, genlFamilies: new Map([[16, nlctrl]]) });
    expect(d.malformed).toEqual([]);
    const attrs = attrsToObject(d.attrs);
    expect(attrs).toMatchObject({ family_id: 16, family_name: 'nlctrl', mcast_groups: [{ name: 'notify', id: 16 }] });
    const c = dial(16);
    try {
      const live = runtimeFamily(await getFamily(c, 'nlctrl', { timeout: 5000 }), nlctrl);
      expect(live.groups).toEqual([{ name: 'notify', value: 16 }]);
      expect(live.sets).toBe(nlctrl.sets);
    } finally {
      c.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2. netlink-raw: rtnetlink addresses and links in a scratch namespace, against ip.

describe('YNL netlink-raw (rt-addr, rt-link) in a scratch namespace', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = createNetns('nlctl-ynl');
    ns.exec(
      [
        'ip link set lo up',
        'ip link add ynlbr0 type bridge priority 4660 forward_delay 800',
        'ip link add ynlv0 type veth peer name ynlv1',
        'ip link set ynlv0 master ynlbr0',
        'ip link set ynlbr0 up',
        'ip addr add 192.0.2.1/24 brd + dev ynlbr0 label ynlbr0:a',
        'ip addr add 2001:db8::1/64 dev ynlbr0 nodad noprefixroute',
      ].join(' && '),
    );
  });
  afterAll(() => ns?.destroy());

  async function rtDump(type: number, header: Uint8Array): Promise<Message[]> {
    const c = dial(0, { netns: ns.name });
    try {
      return await c.execute({ header: { type, flags: HeaderFlags.Request | HeaderFlags.Dump }, data: header }, { timeout: 5000 });
    } finally {
      c.close();
    }
  }

  async function rtDo(enc: ReturnType<typeof encodeMessage>): Promise<Message[]> {
    const c = dial(0, { netns: ns.name });
    try {
      return await c.execute(enc, { timeout: 5000 });
    } finally {
      c.close();
    }
  }

  it('converts directional operations, fixed headers and sparse enums', () => {
    expect(rtAddr).toMatchObject({ name: 'rt-addr', protocol: 0 });
    expect(rtAddr.genlId).toBeUndefined();
    expect(rtAddr.messages.map((m) => [m.value, m.constant, m.header, m.attrs])).toEqual([
      [20, 'RTM_NEWADDR', 'ifaddrmsg', 'addr_attrs'],
      [21, 'RTM_DELADDR', 'ifaddrmsg', 'addr_attrs'],
      [22, 'RTM_GETADDR', 'ifaddrmsg', 'addr_attrs'],
    ]);
    expect(rtAddr.structs.ifaddrmsg!.size).toBe(8);
    expect(rtAddr.enums.rt_scope!.values).toEqual({ 0: 'universe', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' });
    const asFlags = rtAddr.sets.addr_attrs!.attrs['8']!.flags!;
    expect(rtAddr.enums[asFlags]).toMatchObject({ flags: true });
    expect(rtAddr.enums[asFlags]!.values['128']).toBe('permanent');
    expect(rtAddr.groups).toEqual([
      { name: 'rtnlgrp-ipv4-ifaddr', value: 5, constant: 'RT_ADDR_MCGRP_RTNLGRP_IPV4_IFADDR' },
      { name: 'rtnlgrp-ipv6-ifaddr', value: 9, constant: 'RT_ADDR_MCGRP_RTNLGRP_IPV6_IFADDR' },
    ]);
    // Explicit values, counting on from them, unused values, pads and subsets.
    const link = rtLink.sets.link_attrs!.attrs;
    expect(Object.fromEntries(Object.entries(link).map(([n, a]) => [n, a.constant]))).toMatchObject({
      1: 'IFLA_ADDRESS', 3: 'IFLA_IFNAME', 10: 'IFLA_MASTER', 13: 'IFLA_TXQLEN', 16: 'IFLA_OPERSTATE', 17: 'IFLA_LINKMODE', 18: 'IFLA_LINKINFO', 20: 'IFLA_IFALIAS',
    });
    expect(link['8']).toBeUndefined(); // cost: unused
    expect(rtLink.sets.linkinfo_bridge_attrs!.attrs['40']).toMatchObject({ type: 'pad', constant: 'IFLA_BR_PAD' });
    expect(Object.keys(rtLink.sets.link_request!.attrs)).toEqual(['3', '4', '5', '18']);
    expect(rtLink.sets.link_request!.attrs['18']).toEqual(link['18']);
    expect(rtLink.structs.ifla_bridge_id).toEqual({
      name: 'ifla_bridge_id',
      size: 8,
      fields: [{ name: 'prio', type: 'binary', size: 2 }, { name: 'addr', type: 'binary', size: 6, display: 'mac' }],
    });
    expect({ ...rtLink.sets.linkinfo_attrs!.attrs['2']!.subMessage!.sets }).toEqual({ bridge: 'linkinfo_bridge_attrs', vlan: 'linkinfo_vlan_attrs' });
  });

  it('decodes a real RTM_GETADDR dump like ip -j addr', async () => {
    const replies = (await rtDump(22, new Uint8Array(8))).filter((m) => m.header.type === 20);
    const decoded = replies.map((m) => decodeMessage(m, { protocol: 0, family: rtAddr }));
    const ip = JSON.parse(ns.exec('ip -j addr')) as { ifindex: number; addr_info: Record<string, unknown>[] }[];
    const want = ip.flatMap((l) => l.addr_info.map((a): Record<string, unknown> => ({ ...a, ifindex: l.ifindex })));
    expect(decoded).toHaveLength(want.length);
    for (const w of want) {
      const d = decoded.find((x) => {
        const a = attrsToObject(x.attrs);
        return x.fixed!.fields.ifa_index === w.ifindex && (a.local ?? a.address) === w.local;
      });
      expect(d, `${String(w.local)}`).toBeDefined();
      expect(d!.malformed).toEqual([]);
      expect(d!.type).toMatchObject({ name: 'newaddr', constant: 'RTM_NEWADDR' });
      const f = d!.fixed!.fields;
      expect(f.ifa_family).toBe(w.family);
      expect(f.ifa_prefixlen).toBe(w.prefixlen);
      expect(f.ifa_scope).toBe(w.scope === 'global' ? 'universe' : w.scope);
      const a = attrsToObject(d!.attrs);
      if (w.label !== undefined) expect(a.label).toBe(w.label);
      if (w.broadcast !== undefined) expect(a.broadcast).toBe(w.broadcast);
      expect((a.cacheinfo as Record<string, JsonValue>).ifa_valid).toBe(w.valid_life_time);
      expect((a.cacheinfo as Record<string, JsonValue>).ifa_prefered).toBe(w.preferred_life_time);
      const flags = a.flags as string[];
      expect(flags).toContain('permanent');
      for (const name of ['nodad', 'noprefixroute']) expect(flags.includes(name), name).toBe(w[name] === true);
    }
  });

  it('encodes RTM_NEWADDR/RTM_DELADDR requests the kernel carries out', async () => {
    const index = (JSON.parse(ns.exec('ip -j link show ynlbr0')) as { ifindex: number }[])[0]!.ifindex;
    const add = encodeMessage(rtAddr, {
      type: 'newaddr',
      flags: ['request', 'ack', 'create', 'excl'],
      header: { ifa_family: 'inet', ifa_prefixlen: 28, ifa_index: index },
      attrs: { local: '198.51.100.7', address: '198.51.100.7', label: 'ynlbr0:b', flags: ['noprefixroute'] },
    });
    // The request decodes back to what was given.
    const back = decodeMessage(asMessage(add), { protocol: 0, family: rtAddr });
    expect(back.malformed).toEqual([]);
    expect(back.fixed!.fields).toMatchObject({ ifa_family: 'inet', ifa_prefixlen: 28, ifa_index: index });
    expect(attrsToObject(back.attrs)).toEqual({ local: '198.51.100.7', address: '198.51.100.7', label: 'ynlbr0:b', flags: ['noprefixroute'] });
    await rtDo(add);
    const shown = (JSON.parse(ns.exec('ip -j addr show dev ynlbr0')) as { addr_info: Record<string, unknown>[] }[])[0]!.addr_info;
    expect(shown).toContainEqual(expect.objectContaining({ family: 'inet', local: '198.51.100.7', prefixlen: 28, label: 'ynlbr0:b', noprefixroute: true }));
    await rtDo(encodeMessage(rtAddr, { type: 'deladdr', flags: ['request', 'ack'], header: { ifa_family: 'inet', ifa_prefixlen: 28, ifa_index: index }, attrs: { local: '198.51.100.7' } }));
    expect(ns.exec('ip -j addr show dev ynlbr0')).not.toContain('198.51.100.7');
  });

  it('decodes a real RTM_GETLINK dump, bridge link data through the sub-message, like ip -j -d link', async () => {
    const replies = (await rtDump(18, new Uint8Array(16))).filter((m) => m.header.type === 16);
    const decoded = replies.map((m) => decodeMessage(m, { protocol: 0, family: rtLink }));
    const ip = JSON.parse(ns.exec('ip -j -d link show')) as Record<string, unknown>[];
    expect(decoded).toHaveLength(ip.length);
    for (const want of ip) {
      const d = decoded.find((x) => x.fixed!.fields.ifi_index === want.ifindex)!;
      expect(d, String(want.ifname)).toBeDefined();
      expect(d.malformed).toEqual([]);
      expect(d.type).toMatchObject({ name: 'newlink', constant: 'RTM_NEWLINK' });
      const a = attrsToObject(d.attrs);
      expect(a.ifname).toBe(want.ifname);
      expect(a.mtu).toBe(want.mtu);
      expect(a.address).toBe(want.address);
      expect(a.txqlen).toBe(want.txqlen);
      expect(String(a.operstate).toUpperCase()).toBe(want.operstate);
      const ours = (d.fixed!.fields.ifi_flags as string[]).map((f) => f.toUpperCase());
      for (const f of want.flags as string[]) if (!/^(NO-CARRIER|M-DOWN)$/.test(f)) expect(ours).toContain(f);
      const info = want.linkinfo as { info_kind?: string; info_data?: Record<string, unknown> } | undefined;
      if (info?.info_kind) expect((a.linkinfo as Record<string, JsonValue>).kind).toBe(info.info_kind);
    }
    const br = attrsToObject(decoded.find((x) => attrsToObject(x.attrs).ifname === 'ynlbr0')!.attrs);
    const data = (br.linkinfo as Record<string, Record<string, JsonValue>>).data!;
    const ipData = (ip.find((l) => l.ifname === 'ynlbr0')!.linkinfo as { info_data: Record<string, unknown> }).info_data;
    for (const k of ['forward_delay', 'hello_time', 'max_age', 'ageing_time', 'stp_state', 'priority', 'root_port', 'root_path_cost', 'mcast_snooping'] as const) {
      expect(data[k], k).toBe(ipData[k]);
    }
    expect(data.priority).toBe(4660);
    expect(data.group_addr).toBe(ipData.group_addr);
    const id = data.bridge_id as Record<string, JsonValue>;
    // iproute2 prints the bridge ID's address bytes without zero padding (1234.a:f9:…).
    const unpadded = String(id.addr).split(':').map((b) => parseInt(b, 16).toString(16)).join(':');
    expect(`${id.prio}.${unpadded}`).toBe(ipData.bridge_id);
    expect(data.mcast_router).toBe(['disabled', 'temp_query', 'perm', 'temp'][ipData.mcast_router as number]);
    // The veth has link data this spec has no format for: kept as bytes, not malformed.
    const veth = attrsToObject(decoded.find((x) => attrsToObject(x.attrs).ifname === 'ynlv1')!.attrs);
    expect((veth.linkinfo as Record<string, JsonValue>).kind).toBe('veth');
  });

  it('encodes RTM_NEWLINK with bridge data through the sub-message, and the kernel creates it', async () => {
    const add = encodeMessage(rtLink, {
      type: 'newlink',
      flags: ['request', 'ack', 'create', 'excl'],
      attrs: { ifname: 'ynlbr1', mtu: 1400, linkinfo: { kind: 'bridge', data: { priority: 0x2345, forward_delay: 900, hello_time: 300 } } },
    });
    const back = decodeMessage(asMessage(add), { protocol: 0, family: rtLink });
    expect(back.malformed).toEqual([]);
    expect(attrsToObject(back.attrs)).toEqual({ ifname: 'ynlbr1', mtu: 1400, linkinfo: { kind: 'bridge', data: { priority: 0x2345, forward_delay: 900, hello_time: 300 } } });
    await rtDo(add);
    const [shown] = JSON.parse(ns.exec('ip -j -d link show ynlbr1')) as { mtu: number; linkinfo: { info_kind: string; info_data: Record<string, unknown> } }[];
    expect(shown!.mtu).toBe(1400);
    expect(shown!.linkinfo.info_kind).toBe('bridge');
    expect(shown!.linkinfo.info_data).toMatchObject({ priority: 0x2345, forward_delay: 900, hello_time: 300 });
    await rtDo(encodeMessage(rtLink, { type: 'dellink', flags: ['request', 'ack'], attrs: { ifname: 'ynlbr1' } }));
    expect(ns.exec('ip -j link show')).not.toContain('ynlbr1');
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Encoding from YNL-derived specs round-trips.

describe('YNL encoding round trips', () => {
  function roundTrip(family: FamilySpec, type: string, input: { header?: JsonValue; attrs: JsonValue }, genl = false): DecodedMessage {
    const enc = encodeMessage(family, { type, ...input }, genl ? { genlFamilyId: 16 } : {});
    const d = decodeMessage(asMessage(enc), genl ? { protocol: 16, genlFamilies: new Map([[16, family]]) } : { protocol: family.protocol, family });
    expect(d.malformed).toEqual([]);
    expect(attrsToObject(d.attrs)).toEqual(input.attrs);
    return d;
  }

  it('nlctrl: indexed arrays of nests, flags, strings', () => {
    const attrs = {
      family_id: 16,
      family_name: 'nlctrl',
      version: 2,
      ops: [{ id: 3, flags: ['cmd_cap_do', 'cmd_cap_dump', 'cmd_cap_haspol'] }, { id: 10, flags: ['cmd_cap_dump', 'cmd_cap_haspol'] }],
      mcast_groups: [{ name: 'notify', id: 16 }],
      // Keyed by command number (nest-type-value).
      op_policy: { 3: { do: 0, dump: 0 }, 10: { dump: 1 } },
    };
    const d = roundTrip(nlctrl, 'newfamily', { attrs }, true);
    expect(d.type).toMatchObject({ name: 'newfamily', constant: 'CTRL_CMD_NEWFAMILY' });
  });

  it('matches the bytes the hand-written nlctrl description encodes', async () => {
    const builtin = (await loadFamily('nlctrl'))!;
    const attrs = { family_name: 'nlctrl', ops: [{ id: 3, flags: ['cmd_cap_do'] }], mcast_groups: [{ name: 'notify', id: 16 }] };
    expect(encodeAttrs(nlctrl, nlctrl.sets.ctrl_attrs, attrs)).toEqual(encodeAttrs(builtin, builtin.sets.ctrl, attrs));
  });

  it('rt-addr: fixed header with enums and flags, struct attribute, enum-as-flags', () => {
    const header = { ifa_family: 'inet6', ifa_prefixlen: 64, ifa_flags: ['nodad', 'permanent'], ifa_scope: 'link', ifa_index: 7 };
    const d = roundTrip(rtAddr, 'newaddr', {
      header,
      attrs: { address: 'fe80::1', cacheinfo: { ifa_prefered: 100, ifa_valid: 200, cstamp: 0, tstamp: 0 }, flags: ['nodad', 'managetempaddr', 'stable_privacy'] },
    });
    expect(d.fixed!.fields).toEqual(header);
    expect(d.fixed!.raw).toEqual({ ifa_family: 10, ifa_flags: 0x82, ifa_scope: 253 });
  });

  it('rt-link: sub-message formats chosen by the selector, big-endian enum values, struct content', () => {
    // The mask has display-hint hex: "0x…".
    const vlan = { kind: 'vlan', data: { id: 100, protocol: '8021ad', flags: { flags: ['reorder_hdr'], mask: '0x1' } } };
    const d = roundTrip(rtLink, 'newlink', { header: { ifi_flags: ['up'], ifi_change: 1 }, attrs: { ifname: 'v100', link: 2, linkinfo: vlan } });
    expect(d.fixed!.fields).toMatchObject({ ifi_flags: ['up'], ifi_change: 1 });
    // IFLA_VLAN_PROTOCOL is big-endian on the wire: 0x88a8 → 88 a8.
    const enc = encodeAttrs(rtLink, rtLink.sets.linkinfo_vlan_attrs, { protocol: '8021ad' });
    expect([...enc]).toEqual([6, 0, 5, 0, 0x88, 0xa8, 0, 0]);
    roundTrip(rtLink, 'newlink', { attrs: { linkinfo: { kind: 'bridge', data: { priority: 1, fdb_flush: true, group_addr: '01:80:c2:00:00:00' } } } });
    // The subset set encodes with the full set's numbers.
    const sub = encodeMessage(rtLink, { type: 'dellink', attrs: { ifname: 'x' } });
    const full = encodeMessage(rtLink, { type: 'newlink', attrs: { ifname: 'x' } });
    expect(sub.data).toEqual(full.data);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Broken specs: a YnlSpecError naming the key, never a crash.

const MINIMAL = `
name: demo
doc: A minimal family.
definitions:
  - name: colour
    type: enum
    entries: [ red, green ]
  - name: hdr
    type: struct
    members:
      - name: a
        type: u32
attribute-sets:
  - name: main
    attributes:
      - name: a
        type: u32
        enum: colour
      - name: b
        type: nest
        nested-attributes: inner
  - name: inner
    attributes:
      - name: x
        type: string
operations:
  list:
    - name: get
      doc: Get it.
      attribute-set: main
      do:
        request:
          attributes: [ a ]
`;

/** MINIMAL with `edit` applied to its parsed form. */
function edited(edit: (doc: Record<string, any>) => void): string {
  const doc = parse(MINIMAL) as Record<string, any>;
  edit(doc);
  return stringify(doc);
}

function errorOf(text: unknown, options?: Parameters<typeof familyFromYnl>[1]): YnlSpecError {
  try {
    familyFromYnl(text as string, options);
  } catch (e) {
    expect(e).toBeInstanceOf(YnlSpecError);
    return e as YnlSpecError;
  }
  throw new Error('expected familyFromYnl to throw');
}

describe('YNL errors', () => {
  it('the minimal spec converts (the cases below each break one thing)', () => {
    const f = familyFromYnl(MINIMAL);
    expect(f.sets.main!.attrs['1']).toEqual({ name: 'a', constant: 'DEMO_A_MAIN_A', type: 'u32', enum: 'colour' });
    expect(f.messages).toEqual([{ constant: 'DEMO_CMD_GET', name: 'get', value: 1, kind: 'get', attrs: 'main' }]);
  });

  const cases: [string, string | (() => string), string, RegExp][] = [
    ['malformed YAML', 'name: [demo\nprotocol: genetlink', '(yaml)', /not valid YAML.*line/],
    ['duplicate keys', 'name: a\nname: b\n', '(yaml)', /not valid YAML/],
    ['a list at the top', '- name: demo\n', '(top level)', /mapping/],
    ['no name', () => edited((d) => delete d.name), 'name', /required/],
    ['an unknown protocol', () => edited((d) => (d.protocol = 'genetlink-new')), 'protocol', /unknown protocol "genetlink-new"/],
    ['netlink-raw without protonum', () => edited((d) => (d.protocol = 'netlink-raw')), 'protonum', /protocol number/],
    ['an unknown attribute type', () => edited((d) => (d['attribute-sets'][0].attributes[0].type = 'u33')), 'attribute-sets[main].attributes[a].type', /unknown attribute type "u33"/],
    ['a dangling nested-attributes', () => edited((d) => (d['attribute-sets'][0].attributes[1]['nested-attributes'] = 'innr')), 'attribute-sets[main].attributes[b].nested-attributes', /no attribute set named "innr".*inner/],
    ['a dangling enum', () => edited((d) => (d['attribute-sets'][0].attributes[0].enum = 'color')), 'attribute-sets[main].attributes[a].enum', /no enum or flags definition named "color"/],
    ['a dangling struct', () => edited((d) => Object.assign(d['attribute-sets'][1].attributes[0], { type: 'binary', struct: 'nope' })), 'attribute-sets[inner].attributes[x].struct', /no struct definition named "nope"/],
    ['attributes that are not a list', () => edited((d) => (d['attribute-sets'][1].attributes = { x: 1 })), 'attribute-sets[inner].attributes', /expected a list/],
    ['an attribute that is not a mapping', () => edited((d) => (d['attribute-sets'][1].attributes = ['x'])), 'attribute-sets[inner].attributes[0]', /expected a mapping/],
    ['two attributes with one value', () => edited((d) => (d['attribute-sets'][0].attributes[1].value = 1)), 'attribute-sets[main].attributes[b].value', /already used by attribute "a"/],
    ['an attribute value past NLA_TYPE_MASK', () => edited((d) => (d['attribute-sets'][0].attributes[0].value = 70000)), 'attribute-sets[main].attributes[a].value', /out of range/],
    ['a fractional value', () => edited((d) => (d['attribute-sets'][0].attributes[0].value = 1.5)), 'attribute-sets[main].attributes[a].value', /expected an integer/],
    ['names that differ only in - and _', () => edited((d) => d['attribute-sets'].push({ name: 'in-ner', attributes: [] }, { name: 'in_ner', attributes: [] })), 'attribute-sets[in_ner].name', /both become "in_ner"/],
    ['__proto__ as a name', () => edited((d) => d['attribute-sets'].push({ name: '__proto__', attributes: [] })), 'attribute-sets[__proto__].name', /cannot be used as a name/],
    ['a dangling operation attribute-set', () => edited((d) => (d.operations.list[0]['attribute-set'] = 'mian')), 'operations.list[get].attribute-set', /no attribute set named "mian"/],
    ['an operation listing an unknown attribute', () => edited((d) => (d.operations.list[0].do.request.attributes = ['a', 'zz'])), 'operations.list[get].do.request.attributes[1]', /no attribute "zz"/],
    ['a dangling fixed-header', () => edited((d) => (d.operations['fixed-header'] = 'hdrr')), 'operations.fixed-header', /no struct definition named "hdrr"/],
    ['a dangling notify', () => edited((d) => d.operations.list.push({ name: 'ntf', notify: 'gett' })), 'operations.list[ntf].notify', /no operation named "gett"/],
    ['an unknown enum-model', () => edited((d) => (d.operations['enum-model'] = 'split')), 'operations.enum-model', /unknown enum-model "split"/],
    ['a directional op without do, dump, notify or event', () => edited((d) => { d.operations['enum-model'] = 'directional'; d.operations.list.push({ name: 'resv' }); }), 'operations.list[resv]', /needs do, dump, notify or event/],
    ['a genetlink message value past 255', () => edited((d) => (d.operations.list[0].value = 256)), 'operations.list[get].value', /out of range/],
    ['no operations', () => edited((d) => delete d.operations), 'operations', /required/],
    ['an unknown definition type', () => edited((d) => (d.definitions[0].type = 'union')), 'definitions[colour].type', /unknown definition type "union"/],
    ['enum entries that are not a list', () => edited((d) => (d.definitions[0].entries = 'red')), 'definitions[colour].entries', /expected a list/],
    ['a flag bit past 1023', () => edited((d) => d.definitions.push({ name: 'fl', type: 'flags', 'value-start': 1023, entries: ['a', 'b'] })), 'definitions[fl].entries[b]', /flag bit 1024 is outside 0…1023/],
    ['a negative enum used as flags', () => edited((d) => { d.definitions[0]['value-start'] = -1; d['attribute-sets'][0].attributes[0]['enum-as-flags'] = true; }), 'definitions[colour].entries[red]', /used as flags \(by attribute-sets\[main\]\.attributes\[a\]\), but bit -1/],
    ['a value-start naming no const', () => edited((d) => (d.definitions[0]['value-start'] = 'first-colour')), 'definitions[colour].value-start', /no const definition named "first-colour"/],
    ['a struct member of unknown type', () => edited((d) => (d.definitions[1].members[0].type = 'u128')), 'definitions[hdr].members[a].type', /unknown struct member type "u128"/],
    ['a binary struct member without len', () => edited((d) => (d.definitions[1].members[0].type = 'binary')), 'definitions[hdr].members[a].len', /needs a len/],
    ['a struct that contains itself', () => edited((d) => d.definitions[1].members.push({ name: 'self', type: 'binary', struct: 'hdr' })), 'definitions[hdr]', /contains itself/],
    ['an indexed-array without sub-type', () => edited((d) => (d['attribute-sets'][0].attributes[1].type = 'indexed-array')), 'attribute-sets[main].attributes[b].sub-type', /needs a sub-type/],
    ['a sub-message naming no sub-message', () => edited((d) => d['attribute-sets'][1].attributes.push({ name: 'y', type: 'sub-message', 'sub-message': 'fmt', selector: 'x' })), 'attribute-sets[inner].attributes[y].sub-message', /no sub-message named "fmt"/],
    ['a sub-message without selector', () => edited((d) => { d['sub-messages'] = [{ name: 'fmt', formats: [{ value: 'a', 'attribute-set': 'inner' }] }]; d['attribute-sets'][1].attributes.push({ name: 'y', type: 'sub-message', 'sub-message': 'fmt' }); }), 'attribute-sets[inner].attributes[y].selector', /required/],
    ['a sub-message format naming no set', () => edited((d) => (d['sub-messages'] = [{ name: 'fmt', formats: [{ value: 'a', 'attribute-set': 'outer' }] }])), 'sub-messages[fmt].formats[0].attribute-set', /no attribute set named "outer"/],
    ['a subset of no set', () => edited((d) => d['attribute-sets'].push({ name: 'part', 'subset-of': 'mains', attributes: [{ name: 'a' }] })), 'attribute-sets[part].subset-of', /no attribute set named "mains"/],
    ['a subset attribute its set lacks', () => edited((d) => d['attribute-sets'].push({ name: 'part', 'subset-of': 'main', attributes: [{ name: 'c' }] })), 'attribute-sets[part].attributes[c].name', /has no attribute "c"/],
    ['a netlink-raw group without a value', () => edited((d) => Object.assign(d, { protocol: 'netlink-raw', protonum: 0, 'mcast-groups': { list: [{ name: 'g' }] } })), 'mcast-groups.list[g].value', /needs its number/],
    ['a display hint that is not text', () => edited((d) => (d['attribute-sets'][1].attributes[0]['display-hint'] = 4)), 'attribute-sets[inner].attributes[x].display-hint', /expected a string, got 4/],
    ['an empty reference', () => edited((d) => (d['attribute-sets'][0].attributes[1]['nested-attributes'] = ' ')), 'attribute-sets[main].attributes[b].nested-attributes', /must not be empty/],
    ['a len naming a const without a value', () => edited((d) => { d.definitions.push({ name: 'hidden', type: 'const', header: 'linux/x.h' }); d.definitions[1].members.push({ name: 'b', type: 'binary', len: 'hidden' }); }), 'definitions[hdr].members[b].len', /const "hidden" has no value/],
    ['a multi-attr that is not a boolean', () => edited((d) => (d['attribute-sets'][1].attributes[0]['multi-attr'] = 'yes')), 'attribute-sets[inner].attributes[x].multi-attr', /expected true or false/],
    ['text that is not text', () => 42 as unknown as string, '(input)', /expected the text/],
  ];

  it.each(cases)('%s → YnlSpecError naming the key', (_what, text, key, message) => {
    const err = errorOf(typeof text === 'function' ? text() : text);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('YnlSpecError');
    expect(err.code).toBe('ERR_NLCTL_YNL');
    expect(err.key).toBe(key);
    expect(err.message).toContain(`${key}: `);
    expect(err.message).toMatch(message);
  });

  it('starts messages with the source, and familyFromYnlFile names the file', async () => {
    expect(errorOf('- x', { source: 'specs/x.yaml' }).message).toMatch(/^specs\/x\.yaml: \(top level\): /);
    const dir = mkdtempSync(join(tmpdir(), 'nlctl-ynl-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, edited((d) => (d['attribute-sets'][0].attributes[0].type = 'u33')));
      const err = await familyFromYnlFile(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(YnlSpecError);
      expect((err as YnlSpecError).message).toBe(`${file}: attribute-sets[main].attributes[a].type: unknown attribute type "u33" (known: ${['unused', 'pad', 'flag', 'binary', 'bitfield32', 'uint', 'sint', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'string', 'nest', 'indexed-array', 'array-nest', 'nest-type-value', 'sub-message'].join(', ')})`);
      expect((err as YnlSpecError).source).toBe(file);
      expect(await familyFromYnlFile(fixturePath('nlctrl.yaml'))).toEqual(nlctrl);
      const missing = await familyFromYnlFile(join(dir, 'none.yaml')).catch((e: unknown) => e);
      expect((missing as NodeJS.ErrnoException).code).toBe('ENOENT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('options: protocol and genlId override, bad values are refused', () => {
    expect(familyFromYnl(MINIMAL, { genlId: 33 }).genlId).toBe(33);
    expect(familyFromYnl(MINIMAL).genlId).toBeUndefined();
    expect(familyFromYnl(fixture('rt-addr.yaml'), { protocol: 12 }).protocol).toBe(12);
    expect(errorOf(MINIMAL, { protocol: -1 }).key).toBe('(options.protocol)');
    expect(errorOf(MINIMAL, { genlId: 1.5 }).key).toBe('(options.genlId)');
    expect(familyFromYnl(MINIMAL, null as never).name).toBe('demo');
  });

  it('supports the rest of the YNL shapes it claims', () => {
    const f = familyFromYnl(`
name: misc
protocol: genetlink-c
definitions:
  - { name: ifnamsiz, type: const, value: 16 }
  - { name: from-header, type: const, header: linux/misc.h }
  - { name: numbered, type: enum, entries: [ 10, 20 ] }
  - { name: bits, type: flags, value-start: 2, entries: [ a, b ] }
  - { name: levels, type: enum, value-start: ifnamsiz, entries: [ x, { name: y, value: 40 }, z ] }
  - name: s
    type: struct
    members:
      - { name: name, type: string, len: ifnamsiz }
      - { name: n, type: u16, byte-order: big-endian }
      - { name: pad, type: pad, len: IFNAMSIZ - 1 }
      - { name: inner, type: binary, struct: t }
  - name: t
    type: struct
    members:
      - { name: v, type: u64 }
      - { name: addr, type: u32, byte-order: big-endian, display-hint: ipv4 }
      - { name: m, type: u32, display-hint: hex }
attribute-sets:
  - name: misc
    attributes:
      - { name: arr, type: binary, sub-type: u32 }
      - { name: idx, type: indexed-array, sub-type: u32 }
      - { name: bf, type: bitfield32 }
      - { name: u, type: uint, enum: bits }
      - { name: s, type: binary, struct: s }
      - { name: uu, type: binary, display-hint: uuid }
      - { name: hx, type: binary, display-hint: hex }
      - { name: old, type: array-nest, nested-attributes: misc }
      - { name: tv, type: nest-type-value, type-value: [ a, b, c ], nested-attributes: misc }
      - { name: sm, type: sub-message, sub-message: fmt, selector: uu }
      - { name: labels mask, type: binary }
      - { name: v4, type: u32, byte-order: big-endian, display-hint: ipv4 }
      - { name: v4h, type: u32, display-hint: ipv4 }
      - { name: either, type: binary, display-hint: ipv4-or-v6 }
      - { name: future, type: binary, display-hint: ipv7 }
      - { name: many, type: u32, multi-attr: true, display-hint: hex }
      - { name: hexflags, type: u32, enum: bits, display-hint: hex }
sub-messages:
  - name: fmt
    formats:
      - { value: plain, attribute-set: misc }
      - { value: with-header, fixed-header: s, attribute-set: misc }
      - { value: 7, attribute-set: misc }
operations:
  name-prefix: misc-op-
  async-prefix: misc-ntf-
  list:
    - { name: get, do: { request: { attributes: [ arr ] } }, attribute-set: misc }
    - { name: changed, notify: get }
    - { name: ev, event: { attributes: [ bf ] }, attribute-set: misc, value: 9 }
mcast-groups:
  list: [ { name: mon }, { name: other, c-define-name: MISC_OTHER_GRP } ]
`);
    expect(f.protocol).toBe(16);
    expect(f.enums.bits!.values).toEqual({ 4: 'a', 8: 'b' });
    expect(f.enums.levels!.values).toEqual({ 16: 'x', 40: 'y', 41: 'z' });
    expect(f.structs.s).toEqual({
      name: 's',
      size: 16 + 2 + 15 + 16,
      fields: [
        { name: 'name', type: 'string', size: 16 },
        { name: 'n', type: 'u16', byteOrder: 'big' },
        { name: 'pad', type: 'pad', size: 15 },
        { name: 'inner', type: 'struct', struct: 't', size: 16 },
      ],
    });
    expect(f.structs.t!.fields[1]).toEqual({ name: 'addr', type: 'binary', size: 4, display: 'ip' });
    expect(f.structs.t!.fields[2]).toEqual({ name: 'm', type: 'u32', display: 'hex' });
    expect(f.enums.numbered!.values).toEqual({ 0: '10', 1: '20' });
    const a = f.sets.misc!.attrs;
    expect(a['1']).toMatchObject({ name: 'arr', constant: 'MISC_A_ARR', type: 'binary', arrayOf: 'u32' });
    expect(a['2']).toEqual({ name: 'idx', constant: 'MISC_A_IDX', type: 'nest' });
    expect(a['3']!.type).toBe('bitfield32');
    expect(a['4']).toMatchObject({ type: 'uint', flags: 'bits' });
    expect(a['5']).toMatchObject({ type: 'binary', struct: 's' });
    expect(a['6']!.display).toBe('uuid');
    expect(a['7']!.display).toBeUndefined();
    expect(a['8']).toMatchObject({ type: 'nest-array', nested: 'misc' });
    // Three levels: the nest-array's elements hold a set whose members hold a set whose members hold misc.
    expect(a['9']).toMatchObject({ type: 'nest-array', nested: 'misc.tv', indexKeyed: true });
    expect(f.sets['misc.tv']).toEqual({ name: 'misc.tv', attrs: {}, elements: 'misc.tv.2' });
    expect(f.sets['misc.tv.2']).toEqual({ name: 'misc.tv.2', attrs: {}, elements: 'misc' });
    // Formats with a fixed header are not attribute sets: their content stays bytes.
    expect({ ...a['10']!.subMessage!.sets }).toEqual({ plain: 'misc', 7: 'misc' });
    expect(a['11']).toEqual({ name: 'labels_mask', constant: 'MISC_A_LABELS_MASK', type: 'binary' });
    // A big-endian u32 IPv4 address is kept as its bytes (it reads and encodes as an address);
    // in host order it stays a number.
    expect(a['12']).toEqual({ name: 'v4', constant: 'MISC_A_V4', type: 'binary', display: 'ip' });
    expect(a['13']).toEqual({ name: 'v4h', constant: 'MISC_A_V4H', type: 'u32' });
    expect(a['14']!.display).toBe('ip');
    expect(a['15']!.display).toBeUndefined();
    // multi-attr: an array even once; display-hint hex on an integer: "0x…" (not with names).
    expect(a['16']).toEqual({ name: 'many', constant: 'MISC_A_MANY', type: 'u32', multi: true, display: 'hex' });
    expect(a['17']).toEqual({ name: 'hexflags', constant: 'MISC_A_HEXFLAGS', type: 'u32', flags: 'bits' });
    const many = decodeMessage(
      { header: { length: 0, type: 0x10, flags: 0, sequence: 0, pid: 0 }, data: concat([1, 1, 0, 0], nla(16, u32(0x2a))) },
      { protocol: 16, genlFamilies: new Map([[0x10, f]]) },
    );
    expect(attrsToObject(many.attrs)).toEqual({ many: ['0x2a'] });
    const v4 = encodeAttrs(f, f.sets.misc, { v4: '192.0.2.1' });
    expect([...v4]).toEqual([8, 0, 12, 0, 192, 0, 2, 1]);
    expect(f.messages.map((m) => [m.value, m.constant, m.attrs])).toEqual([
      [1, 'MISC_OP_GET', 'misc'],
      [2, 'MISC_NTF_CHANGED', 'misc'],
      [9, 'MISC_NTF_EV', 'misc'],
    ]);
    expect(f.groups).toEqual([
      { name: 'mon', value: 0, constant: 'MISC_MCGRP_MON' },
      { name: 'other', value: 0, constant: 'MISC_OTHER_GRP' },
    ]);
  });

  it('directional IDs: requests and replies counted apart, per-direction layouts', () => {
    const f = familyFromYnl(`
name: dir
protocol: genetlink-legacy
attribute-sets:
  - { name: req-attrs, attributes: [ { name: a, type: u32 } ] }
  - { name: rsp-attrs, attributes: [ { name: b, type: u32 } ] }
operations:
  enum-model: directional
  list:
    - { name: x-get, attribute-set: req-attrs, do: { request: { value: 2 }, reply: { value: 1 } } }
    - { name: x-ntf, notify: x-get }
    - { name: y-get, attribute-set: rsp-attrs, do: { request: {}, reply: {} } }
    - { name: y-ntf, notify: y-get, value: 7 }
    - { name: z-set, attribute-set: req-attrs, do: { request: {} } }
`);
    // x-get: request 2, reply 1; x-ntf: reply 2; y-get: request 3, reply 3; y-ntf: reply 7;
    // z-set: request 4.
    expect(f.messages.map((m) => [m.value, m.name, m.attrs, m.variants])).toEqual([
      [2, 'x_get', 'req_attrs', undefined],
      [1, 'x_get_reply', 'req_attrs', undefined],
      [3, 'y_get', 'rsp_attrs', undefined],
      [7, 'y_ntf', 'rsp_attrs', undefined],
      [4, 'z_set', 'req_attrs', undefined],
    ]);
    // When one ID is a request of one op and a reply of another with another layout, the
    // direction picks the layout.
    const g = familyFromYnl(`
name: dir2
attribute-sets:
  - { name: one, attributes: [ { name: a, type: u32 } ] }
  - { name: two, attributes: [ { name: b, type: string } ] }
operations:
  enum-model: directional
  list:
    - { name: get-one, attribute-set: one, do: { request: { value: 5 } } }
    - { name: two-ntf, attribute-set: two, event: { attributes: [ b ] }, value: 5 }
`);
    expect(g.messages).toEqual([
      { constant: 'DIR2_CMD_GET_ONE', name: 'get_one', value: 5, kind: 'get', attrs: 'one', variants: [{ request: true, attrs: 'one' }, { request: false, attrs: 'two' }] },
    ]);
    const reply = decodeMessage(
      { header: { length: 28, type: 40, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array([5, 1, 0, 0, 8, 0, 1, 0, 0x68, 0x69, 0, 0]) },
      { protocol: 16, genlFamilies: new Map([[40, g]]) },
    );
    expect(attrsToObject(reply.attrs)).toEqual({ b: 'hi' });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: whatever the input, a FamilySpec whose references all resolve, or a YnlSpecError.

/** Every name a FamilySpec refers to exists in it. */
function checkConsistent(f: FamilySpec): void {
  for (const m of f.messages) {
    for (const l of [m, ...(m.variants ?? [])]) {
      if (l.header) expect(f.structs[l.header], `message ${m.name} header`).toBeDefined();
      if (l.attrs) expect(f.sets[l.attrs], `message ${m.name} attrs`).toBeDefined();
    }
  }
  for (const set of Object.values(f.sets)) {
    if (set.elements) expect(f.sets[set.elements]).toBeDefined();
    for (const a of Object.values(set.attrs)) {
      if (a.nested) expect(f.sets[a.nested], `${set.name}.${a.name} nested`).toBeDefined();
      if (a.struct) expect(f.structs[a.struct]).toBeDefined();
      if (a.enum) expect(f.enums[a.enum]).toBeDefined();
      if (a.flags) expect(f.enums[a.flags]?.flags).toBe(true);
      for (const s of Object.values(a.subMessage?.sets ?? {})) expect(f.sets[s]).toBeDefined();
    }
  }
  for (const st of Object.values(f.structs)) {
    let size = 0;
    for (const fl of st.fields) size += fl.size ?? { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 }[fl.type as string] ?? NaN;
    expect(size).toBe(st.size);
  }
  expect(() => JSON.stringify(f, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toThrow();
}

/** Convert, and check the outcome: a consistent spec or a YnlSpecError with a key. */
function convertOrExplain(text: unknown): void {
  let f: FamilySpec;
  try {
    f = familyFromYnl(text as string);
  } catch (e) {
    if (!(e instanceof YnlSpecError)) throw e;
    expect(e.key.length).toBeGreaterThan(0);
    expect(e.message).toContain(`${e.key}: `);
    return;
  }
  checkConsistent(f);
}

/** Paths to every node of a parsed document: [container, key] pairs. */
function nodes(root: unknown): [Record<string, unknown> | unknown[], string | number][] {
  const out: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), walk(x)));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.push([v as Record<string, unknown>, k]), walk(x));
  };
  walk(root);
  return out;
}

const interesting = fc.constantFrom<unknown>(
  null, [], {}, '', 0, 1, -1, 255, 256, 0x3fff, 0x4000, 2 ** 53, 1.5, true, '__proto__', 'constructor',
  'nest', 'u32', 'string', 'binary', 'indexed-array', 'nest-type-value', 'sub-message', 'unused', 'flags', 'enum', 'struct',
  'ctrl-attrs', 'op-attrs', 'addr-attrs', 'ifaddrmsg', 'ifa-flags', 'link-attrs', 'linkinfo-data-msg', 'kind', 'eth-alen',
  'directional', 'netlink-raw', 'big-endian', 'ipv4', ['a'], [{ name: 'a' }], { name: 'x', type: 'u8' },
);
const mutation = fc.record({
  target: fc.nat(),
  op: fc.constantFrom('set', 'delete', 'dup'),
  value: fc.oneof(interesting, fc.jsonValue({ maxDepth: 2 })),
});

describe('YNL properties', () => {
  it('mutated fixture specs convert consistently or fail with a YnlSpecError', { timeout: 120_000 }, () => {
    const docs = ['nlctrl.yaml', 'rt-addr.yaml', 'rt-link.yaml'].map((n) => parse(fixture(n)) as unknown);
    fc.assert(
      fc.property(fc.nat({ max: docs.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, muts) => {
        const doc = structuredClone(docs[which]);
        for (const m of muts) {
          const all = nodes(doc);
          if (all.length === 0) break;
          const [container, key] = all[m.target % all.length]!;
          if (m.op === 'delete') {
            if (Array.isArray(container)) container.splice(key as number, 1);
            else delete container[key as string];
          } else if (m.op === 'dup' && Array.isArray(container)) {
            container.push(structuredClone(container[key as number]));
          } else {
            (container as Record<string | number, unknown>)[key] = m.value;
          }
        }
        convertOrExplain(stringify(doc));
      }),
      { numRuns: 500 },
    );
  });

  it('random YAML-ish objects and random text never throw anything but a YnlSpecError', { timeout: 120_000 }, () => {
    const few = <T,>(arb: fc.Arbitrary<T>) => fc.array(arb, { maxLength: 4 });
    const some = <T,>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, required: (keyof T)[] = []) => fc.record(model, { requiredKeys: required });
    const member = some({ name: fc.string({ maxLength: 2 }), type: fc.constantFrom('u8', 'u32', 'binary', 'pad', 'string'), len: fc.oneof(fc.nat(8), interesting), struct: fc.constantFrom('s', 'x') }, ['name', 'type']);
    const definition = some({
      name: fc.constantFrom('e', 'f', 's', 'c'),
      type: fc.oneof(fc.constantFrom('enum', 'flags', 'struct', 'const'), interesting),
      entries: fc.oneof(few(fc.string({ maxLength: 3 })), interesting),
      members: fc.oneof(few(member), interesting),
      value: fc.oneof(fc.nat(70), interesting),
      'value-start': fc.oneof(fc.nat(70), fc.constantFrom('c', 'c - 1')),
    });
    const attribute = some(
      {
        name: fc.constantFrom('x', 'y', 'z'),
        type: fc.oneof(fc.constantFrom('u8', 'u64', 'nest', 'indexed-array', 'nest-type-value', 'sub-message', 'binary', 'unused', 'pad'), interesting),
        value: fc.oneof(fc.nat(5), interesting),
        'nested-attributes': fc.constantFrom('a', 'b', 'c'),
        'sub-type': fc.constantFrom('nest', 'u32', 'binary'),
        enum: fc.constantFrom('e', 'f', 's'),
        'enum-as-flags': fc.boolean(),
        struct: fc.constantFrom('s', 'e'),
        'sub-message': fc.constantFrom('m', 'n'),
        selector: fc.constantFrom('x', 'y'),
        'type-value': fc.array(fc.constantFrom('i', 'j'), { maxLength: 3 }),
        'display-hint': fc.constantFrom('ipv4', 'mac', 'hex', 'uuid', 'fddi'),
      },
      ['name'],
    );
    const set = some({ name: fc.constantFrom('a', 'b', 'a_b', 'a-b'), 'subset-of': fc.constantFrom('a', 'b'), attributes: few(attribute) }, ['name']);
    const format = some({ value: fc.oneof(fc.string({ maxLength: 2 }), fc.nat(3)), 'attribute-set': fc.constantFrom('a', 'b', 'q'), 'fixed-header': fc.constantFrom('s', 'q') }, ['value']);
    const op = some(
      {
        name: fc.constantFrom('g', 'h', 'n'),
        value: fc.oneof(fc.nat(300), interesting),
        'attribute-set': fc.constantFrom('a', 'b'),
        notify: fc.constantFrom('g', 'h', 'x'),
        do: some({ request: some({ value: fc.nat(30), attributes: few(fc.constantFrom('x', 'y', 'q')) }), reply: some({ value: fc.nat(30) }) }),
        event: some({ attributes: few(fc.constantFrom('x', 'q')) }),
      },
      ['name'],
    );
    const ynlish = some({
      name: fc.oneof(fc.string(), interesting),
      protocol: fc.oneof(fc.constantFrom('genetlink', 'genetlink-c', 'genetlink-legacy', 'netlink-raw'), interesting),
      protonum: fc.oneof(fc.nat(40), interesting),
      definitions: few(definition),
      'attribute-sets': few(set),
      'sub-messages': few(some({ name: fc.constantFrom('m', 'n'), formats: few(format) })),
      operations: some({ 'enum-model': fc.constantFrom('unified', 'directional'), 'fixed-header': fc.constantFrom('s', 'e'), list: few(op) }),
      'mcast-groups': some({ list: few(some({ name: fc.constantFrom('g1', 'g2'), value: fc.nat(40) }, ['name'])) }),
    });
    fc.assert(fc.property(ynlish, (doc) => convertOrExplain(stringify(doc))), { numRuns: 1000 });
    fc.assert(fc.property(fc.jsonValue(), (doc) => convertOrExplain(stringify(doc))), { numRuns: 500 });
    fc.assert(fc.property(fc.string(), (text) => convertOrExplain(text)), { numRuns: 500 });
    fc.assert(fc.property(fc.anything(), (v) => convertOrExplain(v)), { numRuns: 200 });
  });

  it('specs that convert decode random bytes without throwing', () => {
    for (const f of [nlctrl, rtAddr, rtLink]) {
      fc.assert(
        fc.property(fc.nat({ max: f.messages.length - 1 }), fc.uint8Array({ maxLength: 200 }), fc.boolean(), (i, bytes, request) => {
          const m = f.messages[i]!;
          const genl = f.protocol === 16;
          const data = genl ? new Uint8Array([m.value, 1, 0, 0, ...bytes]) : bytes;
          const msg: Message = { header: { length: 16 + data.length, type: genl ? 16 : m.value, flags: request ? 1 : 0, sequence: 0, pid: 0 }, data };
          const d = decodeMessage(msg, genl ? { protocol: 16, genlFamilies: new Map([[16, f]]) } : { protocol: f.protocol, family: f });
          expect(d.type.value).toBe(msg.header.type);
          expect(d.family).toBe(f.name);
        }),
        { numRuns: 300 },
      );
    }
  });
});
