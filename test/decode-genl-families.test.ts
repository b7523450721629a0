// The generic netlink descriptions (ethtool, tcp_metrics, mptcp_pm, TASKSTATS, devlink,
// wireguard) on real kernel replies where this kernel has the family, and on hand-built
// messages where it has not.
//
// Live families: the family ID is asked of the controller by name (CTRL_CMD_GETFAMILY), real
// requests go out on a generic netlink socket — inside a scratch network namespace for the
// per-namespace families — and every reply is decoded with the generated description and
// checked against what iproute2 says (`ip -j link`, `ip tcp_metrics`, `ip mptcp`) or what the
// process knows about itself (TASKSTATS). No decoded reply may carry a `malformed` note.
//
// devlink and wireguard are not registered here: messages are built with AttributeEncoder from
// the header's numbers and must decode to the names and values put in, and encode back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttributeDecoder, AttributeEncoder, HeaderFlags, dial, type Message } from '../src/index.js';
import type { FamilySpec, MessageSpec } from '../src/families/schema.js';
import { family as devlink } from '../src/families/generated/devlink.js';
import { family as ethtool } from '../src/families/generated/ethtool.js';
import { family as mptcp } from '../src/families/generated/mptcp_pm.js';
import { family as taskstats } from '../src/families/generated/taskstats.js';
import { family as tcpMetrics } from '../src/families/generated/tcp_metrics.js';
import { family as wireguard } from '../src/families/generated/wireguard.js';
import { messageSpec, decodeMessage, type DecodedAttr, type DecodedMessage } from '../src/model/decode.js';
import { encodeMessage } from '../src/model/encode.js';
import { attrsToObject, type JsonValue } from '../src/model/json.js';
import { runtimeFamily } from '../src/model/genl.js';
import { LE, concat } from './helpers/bytes.js';
import { createNetns, type Netns } from './helpers/netns.js';

const NETLINK_GENERIC = 16;
const AF_INET = 2;
const AF_INET6 = 10;
const NLA_F_NESTED = 0x8000;

// Numbers written out from the UAPI headers (linux/genetlink.h, ethtool_netlink.h,
// tcp_metrics.h, mptcp.h, taskstats.h, devlink.h, wireguard.h), so that the wire numbers the
// tests use do not come from the generated descriptions under test.
const GENL_ID_CTRL = 16;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
const CTRL_ATTR_MCAST_GROUPS = 7;
const CTRL_ATTR_MCAST_GRP_NAME = 1;
const CTRL_ATTR_MCAST_GRP_ID = 2;

const ETHTOOL_MSG_STRSET_GET = 1;
const ETHTOOL_MSG_LINKINFO_GET = 2;
const ETHTOOL_MSG_LINKSTATE_GET = 6;
const ETHTOOL_MSG_FEATURES_GET = 11;
const ETHTOOL_MSG_FEATURES_SET = 12;
const ETHTOOL_MSG_PRIVFLAGS_GET = 13;
// Kernel → user numbers of the same replies.
const ETHTOOL_MSG_STRSET_GET_REPLY = 1;
const ETHTOOL_MSG_LINKINFO_GET_REPLY = 2;
const ETHTOOL_MSG_LINKSTATE_GET_REPLY = 6;
const ETHTOOL_MSG_FEATURES_GET_REPLY = 11;
const ETHTOOL_MSG_FEATURES_SET_REPLY = 12;
const ETHTOOL_MSG_FEATURES_NTF = 13;
const ETHTOOL_A_HEADER = 1; // ETHTOOL_A_<MSG>_HEADER is 1 in every message
const ETHTOOL_A_HEADER_DEV_INDEX = 1;
const ETHTOOL_A_HEADER_DEV_NAME = 2;
const ETHTOOL_A_HEADER_FLAGS = 3;
const ETHTOOL_FLAG_COMPACT_BITSETS = 1 << 0;
const ETHTOOL_FLAG_STATS = 1 << 2;
const ETHTOOL_A_FEATURES_WANTED = 3;
const ETHTOOL_A_BITSET_BITS = 3;
const ETHTOOL_A_BITSET_BITS_BIT = 1;
const ETHTOOL_A_BITSET_BIT_NAME = 2;
const ETHTOOL_A_BITSET_BIT_VALUE = 3;
const ETHTOOL_A_STRSET_STRINGSETS = 2;
const ETHTOOL_A_STRINGSETS_STRINGSET = 1;
const ETHTOOL_A_STRINGSET_ID = 1;
const ETH_SS_FEATURES = 4;

const TCP_METRICS_CMD_GET = 1;
const TCP_METRICS_ATTR_ADDR_IPV4 = 1;

const MPTCP_PM_CMD_ADD_ADDR = 1;
const MPTCP_PM_CMD_GET_ADDR = 3;
const MPTCP_PM_CMD_GET_LIMITS = 6;
const MPTCP_PM_CMD_SUBFLOW_CREATE = 10;
const MPTCP_EVENT_SUB_ESTABLISHED = 10;
const MPTCP_EVENT_SUB_PRIORITY = 13;
const MPTCP_PM_ATTR_ADDR = 1;
const MPTCP_PM_ATTR_TOKEN = 4;
const MPTCP_PM_ADDR_ATTR_FAMILY = 1;
const MPTCP_PM_ADDR_ATTR_ID = 2;
const MPTCP_PM_ADDR_ATTR_ADDR4 = 3;
const MPTCP_PM_ADDR_ATTR_ADDR6 = 4;
const MPTCP_PM_ADDR_ATTR_FLAGS = 6;
const MPTCP_PM_ADDR_FLAG_SUBFLOW = 1 << 1;
const MPTCP_ATTR_TOKEN = 1;
const MPTCP_ATTR_FAMILY = 2;
const MPTCP_ATTR_LOC_ID = 3;
const MPTCP_ATTR_REM_ID = 4;
const MPTCP_ATTR_SADDR4 = 5;
const MPTCP_ATTR_DADDR4 = 7;
const MPTCP_ATTR_SPORT = 9;
const MPTCP_ATTR_DPORT = 10;
const MPTCP_ATTR_BACKUP = 11;
const MPTCP_ATTR_IF_IDX = 15;

const TASKSTATS_CMD_GET = 1;
const TASKSTATS_CMD_NEW = 2;
const TASKSTATS_CMD_ATTR_PID = 1;
const TASKSTATS_CMD_ATTR_TGID = 2;

const DEVLINK_CMD_PORT_GET = 5;
const DEVLINK_CMD_INFO_GET = 51;
const DEVLINK_ATTR_BUS_NAME = 1;
const DEVLINK_ATTR_DEV_NAME = 2;
const DEVLINK_ATTR_PORT_INDEX = 3;
const DEVLINK_ATTR_PORT_TYPE = 4;
const DEVLINK_ATTR_PORT_NETDEV_IFINDEX = 6;
const DEVLINK_ATTR_PORT_NETDEV_NAME = 7;
const DEVLINK_ATTR_ESWITCH_MODE = 25;
const DEVLINK_ATTR_PAD = 61;
const DEVLINK_ATTR_PORT_FLAVOUR = 77;
const DEVLINK_ATTR_PORT_NUMBER = 78;
const DEVLINK_ATTR_INFO_DRIVER_NAME = 98;
const DEVLINK_ATTR_INFO_SERIAL_NUMBER = 99;
const DEVLINK_ATTR_INFO_VERSION_FIXED = 100;
const DEVLINK_ATTR_INFO_VERSION_RUNNING = 101;
const DEVLINK_ATTR_INFO_VERSION_NAME = 103;
const DEVLINK_ATTR_INFO_VERSION_VALUE = 104;
const DEVLINK_ATTR_STATS = 129;
const DEVLINK_ATTR_STATS_RX_PACKETS = 0;
const DEVLINK_ATTR_STATS_RX_BYTES = 1;
const DEVLINK_ATTR_NETNS_ID = 140;
const DEVLINK_ATTR_PORT_FUNCTION = 145;
const DEVLINK_ATTR_PORT_LANES = 147;
const DEVLINK_ATTR_PORT_SPLITTABLE = 148;
const DEVLINK_ATTR_NESTED_DEVLINK = 175;
const DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR = 1;
const DEVLINK_PORT_FN_ATTR_STATE = 2;
const DEVLINK_PORT_TYPE_ETH = 2;
const DEVLINK_PORT_FLAVOUR_PHYSICAL = 0;
const DEVLINK_ESWITCH_MODE_SWITCHDEV = 1;
const DEVLINK_PORT_FN_STATE_ACTIVE = 1;

const WG_CMD_GET_DEVICE = 0;
const WG_CMD_SET_DEVICE = 1;
const WGDEVICE_A_IFINDEX = 1;
const WGDEVICE_A_IFNAME = 2;
const WGDEVICE_A_PRIVATE_KEY = 3;
const WGDEVICE_A_PUBLIC_KEY = 4;
const WGDEVICE_A_FLAGS = 5;
const WGDEVICE_A_LISTEN_PORT = 6;
const WGDEVICE_A_FWMARK = 7;
const WGDEVICE_A_PEERS = 8;
const WGDEVICE_F_REPLACE_PEERS = 1 << 0;
const WGPEER_A_UNSPEC = 0;
const WGPEER_A_PUBLIC_KEY = 1;
const WGPEER_A_PRESHARED_KEY = 2;
const WGPEER_A_FLAGS = 3;
const WGPEER_A_ENDPOINT = 4;
const WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL = 5;
const WGPEER_A_LAST_HANDSHAKE_TIME = 6;
const WGPEER_A_RX_BYTES = 7;
const WGPEER_A_TX_BYTES = 8;
const WGPEER_A_ALLOWEDIPS = 9;
const WGPEER_A_PROTOCOL_VERSION = 10;
const WGPEER_F_REPLACE_ALLOWEDIPS = 1 << 1;
const WGALLOWEDIP_A_FAMILY = 1;
const WGALLOWEDIP_A_IPADDR = 2;
const WGALLOWEDIP_A_CIDR_MASK = 3;

type Obj = Record<string, JsonValue>;

/** A genlmsghdr: command, version, reserved. */
function genlhdr(cmd: number, version = 1): Uint8Array {
  return Uint8Array.from([cmd, version, 0, 0]);
}

/** What the controller says about a family: its ID and multicast groups. */
interface Resolved {
  id: number;
  groups: Map<string, number>;
}

/** Ask the controller (CTRL_CMD_GETFAMILY by name) for a family's ID and groups. */
async function resolveFamily(name: string, netns?: string): Promise<Resolved> {
  const c = dial(NETLINK_GENERIC, netns ? { netns } : {});
  try {
    const data = concat(genlhdr(CTRL_CMD_GETFAMILY), new AttributeEncoder().string(CTRL_ATTR_FAMILY_NAME, name).encode());
    const replies = await c.execute({ header: { type: GENL_ID_CTRL, flags: HeaderFlags.Request }, data }, { timeout: 5000 });
    const reply = replies.find((m) => m.header.type === GENL_ID_CTRL);
    if (!reply) throw new Error(`no controller reply for ${name}`);
    const out: Resolved = { id: 0, groups: new Map() };
    const ad = new AttributeDecoder(reply.data.subarray(4));
    while (ad.next()) {
      if (ad.type() === CTRL_ATTR_FAMILY_ID) out.id = ad.uint16();
      else if (ad.type() === CTRL_ATTR_MCAST_GROUPS) {
        ad.nested((groups) => {
          while (groups.next()) {
            let gname = '';
            let gid = 0;
            groups.nested((g) => {
              while (g.next()) {
                if (g.type() === CTRL_ATTR_MCAST_GRP_NAME) gname = g.string();
                else if (g.type() === CTRL_ATTR_MCAST_GRP_ID) gid = g.uint32();
              }
            });
            out.groups.set(gname, gid);
          }
        });
      }
    }
    if (ad.err()) throw ad.err();
    if (!out.id) throw new Error(`no CTRL_ATTR_FAMILY_ID for ${name}`);
    return out;
  } finally {
    c.close();
  }
}

/** Send one generic netlink request and return the family's messages of the answer. */
async function genl(id: number, cmd: number, attrs: Uint8Array, opts: { netns?: string; flags?: number } = {}): Promise<Message[]> {
  const c = dial(NETLINK_GENERIC, opts.netns ? { netns: opts.netns } : {});
  try {
    const flags = HeaderFlags.Request | (opts.flags ?? 0);
    const replies = await c.execute({ header: { type: id, flags }, data: concat(genlhdr(cmd), attrs) }, { timeout: 5000 });
    return replies.filter((m) => m.header.type === id);
  } finally {
    c.close();
  }
}

function decodeWith(spec: FamilySpec, id: number, m: Message, multicast?: boolean): DecodedMessage {
  return decodeMessage(m, { protocol: NETLINK_GENERIC, genlFamilies: new Map([[id, spec]]), multicast });
}

/** Every attribute of a decoded tree. */
function allAttrs(attrs: readonly DecodedAttr[]): DecodedAttr[] {
  return attrs.flatMap((a) => [a, ...allAttrs(a.children ?? [])]);
}

/** A decoded message with no malformed note anywhere. */
function expectClean(d: DecodedMessage): void {
  expect(d.malformed).toEqual([]);
  expect(allAttrs(d.attrs).filter((a) => a.malformed).map((a) => `${a.constant}: ${a.malformed}`)).toEqual([]);
}

/** The attribute `name` of a decoded list (the first one). */
function attr(attrs: readonly DecodedAttr[] | undefined, name: string): DecodedAttr {
  const a = attrs?.find((x) => x.name === name);
  if (!a) throw new Error(`no attribute ${name} in [${(attrs ?? []).map((x) => x.name ?? x.type).join(', ')}]`);
  return a;
}

/** The BIT entries of a decoded verbose bit set (one repeated attribute: an object when alone). */
function bitsOf(bitset: JsonValue | undefined): Obj[] {
  // BIT is `multi`: an array however many bits there are.
  const bits = ((bitset as Obj | undefined)?.bits as Obj | undefined)?.bit;
  expect(bits === undefined || Array.isArray(bits)).toBe(true);
  return (bits ?? []) as Obj[];
}

/** An incoming message (as the kernel sends it: no NLM_F_REQUEST) with this genl payload. */
function incoming(id: number, cmd: number, attrs: Uint8Array, flags = 0): Message {
  const data = concat(genlhdr(cmd), attrs);
  return { header: { length: 16 + data.length, type: id, flags, sequence: 1, pid: 0 }, data };
}

describe('ethtool description', () => {
  const isKernelToUser = (m: MessageSpec) => /_(REPLY|NTF)$/.test(m.constant);

  it('names both numberings, and a message takes the entry of its direction', () => {
    const toKernel = ethtool.messages.filter((m) => !isKernelToUser(m));
    const toUser = ethtool.messages.filter(isKernelToUser);
    expect(toKernel.map((m) => m.constant)).toContain('ETHTOOL_MSG_FEATURES_SET');
    expect(toUser.map((m) => m.constant)).toContain('ETHTOOL_MSG_FEATURES_NTF');
    // Every entry says which way it runs, and the names say the same.
    for (const m of toKernel) expect(m.from, m.constant).toBe('user');
    for (const m of toUser) expect(m.from, m.constant).toBe('kernel');
    // A request of a number takes its user → kernel entry; a reply or notification (unicast or
    // multicast) takes the kernel → user entry of that number, or none when there is none.
    for (const u of toKernel) expect(messageSpec(ethtool, u.value, 'user'), u.constant).toBe(u);
    const values = new Set(ethtool.messages.map((m) => m.value));
    for (const v of values) {
      const k = toUser.find((m) => m.value === v);
      expect(messageSpec(ethtool, v, 'kernel'), `kernel ${v}`).toBe(k);
      expect(messageSpec(ethtool, v, 'multicast'), `multicast ${v}`).toBe(k);
    }
    // Names are unique, so either can be asked for by name.
    const names = ethtool.messages.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('decodes a request and a reply of the same number with different sets', () => {
    const id = 0x55;
    const hdr = new AttributeEncoder().nested(ETHTOOL_A_HEADER, (h) => h.string(ETHTOOL_A_HEADER_DEV_NAME, 'eth0')).encode();
    // 13 going in is PRIVFLAGS_GET; coming out it is FEATURES_NTF.
    const req = incoming(id, ETHTOOL_MSG_PRIVFLAGS_GET, hdr, HeaderFlags.Request);
    const ntf = incoming(
      id,
      ETHTOOL_MSG_FEATURES_NTF,
      concat(
        hdr,
        new AttributeEncoder()
          .nested(4 /* ETHTOOL_A_FEATURES_ACTIVE */, (b) =>
            b.nested(ETHTOOL_A_BITSET_BITS, (bits) =>
              bits.nested(ETHTOOL_A_BITSET_BITS_BIT, (bit) => bit.uint32(1, 7).string(ETHTOOL_A_BITSET_BIT_NAME, 'rx-gro').flag(ETHTOOL_A_BITSET_BIT_VALUE)),
            ),
          )
          .encode(),
      ),
    );
    const dr = decodeWith(ethtool, id, req);
    const dn = decodeWith(ethtool, id, ntf, true);
    expectClean(dr);
    expectClean(dn);
    // Each named as the kernel names it in its direction.
    expect(dr.type.constant).toBe('ETHTOOL_MSG_PRIVFLAGS_GET');
    expect(dn.type.constant).toBe('ETHTOOL_MSG_FEATURES_NTF');
    expect(decodeWith(ethtool, id, ntf).type.constant).toBe('ETHTOOL_MSG_FEATURES_NTF');
    expect(attrsToObject(dr.attrs)).toEqual({ header: { dev_name: 'eth0' } });
    expect(dr.attrs[0]!.constant).toBe('ETHTOOL_A_PRIVFLAGS_HEADER');
    // One bit, still an array (BIT is multi).
    expect(attrsToObject(dn.attrs)).toEqual({ header: { dev_name: 'eth0' }, active: { bits: { bit: [{ index: 7, name: 'rx-gro', value: true }] } } });
    expect(dn.attrs[1]!.constant).toBe('ETHTOOL_A_FEATURES_ACTIVE');
  });
  it('decodes STATS_GET_REPLY: counters by the group their GRP_ID names, histograms', () => {
    const id = 0x55;
    // linux/ethtool_netlink.h and linux/ethtool.h.
    const ETHTOOL_MSG_STATS_GET_REPLY = 33;
    const ETHTOOL_A_STATS_HEADER = 2;
    const ETHTOOL_A_STATS_GRP = 4;
    const [GRP_PAD, GRP_ID, GRP_SS_ID, GRP_STAT, GRP_HIST_RX, BKT_LOW, BKT_HI, HIST_VAL] = [1, 2, 3, 4, 5, 7, 8, 9];
    const [ETHTOOL_STATS_ETH_MAC, ETHTOOL_STATS_RMON] = [1, 3];
    const [ETH_SS_STATS_ETH_MAC, ETH_SS_STATS_RMON] = [18, 20];
    const [ETH_MAC_2_TX_PKT, ETH_MAC_8_TX_BYTES, RMON_UNDERSIZE] = [0, 6, 0];
    const attrs = new AttributeEncoder()
      .nested(ETHTOOL_A_STATS_HEADER, (h) => h.uint32(ETHTOOL_A_HEADER_DEV_INDEX, 2).string(ETHTOOL_A_HEADER_DEV_NAME, 'eth0'))
      .nested(ETHTOOL_A_STATS_GRP, (g) =>
        g
          .uint32(GRP_ID, ETHTOOL_STATS_ETH_MAC)
          .uint32(GRP_SS_ID, ETH_SS_STATS_ETH_MAC)
          .bytes(GRP_PAD, new Uint8Array(0))
          .nested(GRP_STAT, (st) => st.uint64(ETH_MAC_2_TX_PKT, 100n))
          .nested(GRP_STAT, (st) => st.uint64(ETH_MAC_8_TX_BYTES, 2000n)),
      )
      .nested(ETHTOOL_A_STATS_GRP, (g) =>
        g
          .uint32(GRP_ID, ETHTOOL_STATS_RMON)
          .uint32(GRP_SS_ID, ETH_SS_STATS_RMON)
          .nested(GRP_STAT, (st) => st.uint64(RMON_UNDERSIZE, 7n))
          .nested(GRP_HIST_RX, (hi) => hi.uint32(BKT_LOW, 0).uint32(BKT_HI, 64).uint64(HIST_VAL, 5n)),
      )
      .encode();
    const d = decodeWith(ethtool, id, incoming(id, ETHTOOL_MSG_STATS_GET_REPLY, attrs));
    expectClean(d);
    for (const a of allAttrs(d.attrs)) expect(a.kind, `${a.type}`).not.toBe('unknown');
    expect(attrsToObject(d.attrs)).toEqual({
      header: { dev_index: 2, dev_name: 'eth0' },
      grp: [
        { id: 'eth_mac', ss_id: 'stats_eth_mac', pad: '', stat: [{ '2_tx_pkt': 100n }, { '8_tx_bytes': 2000n }] },
        { id: 'rmon', ss_id: 'stats_rmon', stat: { undersize: 7n }, hist_rx: [{ hist_bkt_low: 0, hist_bkt_hi: 64, hist_val: 5n }] },
      ],
    });
  });
});

describe('ethtool on a veth pair', () => {
  let ns: Netns;
  let eth: Resolved;

  // Namespaces are made in beforeAll, so that a filtered run (-t) that skips the block makes none.
  beforeAll(async () => {
    ns = createNetns('nlctl-ethtool');
    ns.ip('link', 'set', 'lo', 'up');
    // nv0–nv1 both up (carrier on both); nv2 up but its peer nv3 down (no carrier).
    ns.ip('link', 'add', 'nv0', 'type', 'veth', 'peer', 'name', 'nv1');
    ns.ip('link', 'add', 'nv2', 'type', 'veth', 'peer', 'name', 'nv3');
    for (const d of ['nv0', 'nv1', 'nv2']) ns.ip('link', 'set', d, 'up');
    eth = await resolveFamily('ethtool', ns.name);
  });

  afterAll(() => ns?.destroy());

  interface IpLink {
    ifindex: number;
    ifname: string;
    flags: string[];
  }
  const ipLinks = (): IpLink[] => JSON.parse(ns.ip('-j', 'link', 'show'));

  const header = (dev: string, flags = 0) =>
    new AttributeEncoder().nested(ETHTOOL_A_HEADER, (h) => h.string(ETHTOOL_A_HEADER_DEV_NAME, dev).uint32(ETHTOOL_A_HEADER_FLAGS, flags)).encode();

  it('LINKINFO_GET: the reply names the device ip knows', async () => {
    const [reply, ...rest] = await genl(eth.id, ETHTOOL_MSG_LINKINFO_GET, header('nv0'), { netns: ns.name });
    expect(rest).toEqual([]);
    expect(reply!.data[0]).toBe(ETHTOOL_MSG_LINKINFO_GET_REPLY);
    const d = decodeWith(ethtool, eth.id, reply!);
    expectClean(d);
    expect(d.family).toBe('ethtool');
    const o = attrsToObject(d.attrs);
    const link = ipLinks().find((l) => l.ifname === 'nv0')!;
    expect(o.header).toEqual({ dev_index: link.ifindex, dev_name: 'nv0' });
    expect(attr(d.attrs, 'header').constant).toBe('ETHTOOL_A_LINKINFO_HEADER');
    // veth reports a twisted-pair port with an internal transceiver (its ethtool ksettings).
    expect(o).toMatchObject({ port: 'tp', transceiver: 'internal' });
    for (const name of ['port', 'phyaddr', 'tp_mdix', 'tp_mdix_ctrl', 'transceiver']) expect(attr(d.attrs, name).kind).not.toBe('unknown');
  });

  it('LINKSTATE_GET: carrier as ip -j link says (LOWER_UP), one device and a dump', async () => {
    const links = ipLinks();
    for (const dev of ['nv0', 'nv2', 'nv3']) {
      const [reply] = await genl(eth.id, ETHTOOL_MSG_LINKSTATE_GET, header(dev), { netns: ns.name });
      expect(reply!.data[0]).toBe(ETHTOOL_MSG_LINKSTATE_GET_REPLY);
      const d = decodeWith(ethtool, eth.id, reply!);
      expectClean(d);
      const l = links.find((x) => x.ifname === dev)!;
      expect(attrsToObject(d.attrs)).toMatchObject({ header: { dev_index: l.ifindex, dev_name: dev }, link: l.flags.includes('LOWER_UP') ? 1 : 0 });
    }
    expect(links.find((x) => x.ifname === 'nv0')!.flags).toContain('LOWER_UP');
    expect(links.find((x) => x.ifname === 'nv2')!.flags).not.toContain('LOWER_UP');

    // A dump answers for every device of the namespace.
    const replies = await genl(eth.id, ETHTOOL_MSG_LINKSTATE_GET, new Uint8Array(0), { netns: ns.name, flags: HeaderFlags.Dump });
    const seen = replies.map((m) => {
      const d = decodeWith(ethtool, eth.id, m);
      expectClean(d);
      expect(d.flags).toContain('multi');
      const o = attrsToObject(d.attrs) as { header: Obj; link: number };
      return { ifindex: o.header.dev_index, ifname: o.header.dev_name, link: o.link };
    });
    expect(seen.sort((a, b) => Number(a.ifindex) - Number(b.ifindex))).toEqual(
      links.map((l) => ({ ifindex: l.ifindex, ifname: l.ifname, link: l.flags.includes('LOWER_UP') ? 1 : 0 })).sort((a, b) => a.ifindex - b.ifindex),
    );
  });

  /**
   * Whether feature `name` (bit `index`) is on in a decoded bit set: verbose (a NOMASK set lists
   * only the bits that are on; otherwise VALUE marks them) or compact (VALUE: u32 words in host
   * order, shown as hex).
   */
  function featureOn(bitset: JsonValue | undefined, name: string, index: number): boolean {
    const o = bitset as Obj;
    if (typeof o.value === 'string') {
      const words = Buffer.from(o.value, 'hex');
      const word = LE ? words.readUInt32LE((index >> 5) * 4) : words.readUInt32BE((index >> 5) * 4);
      return ((word >>> (index & 31)) & 1) === 1;
    }
    const bit = bitsOf(bitset).find((b) => b.name === name);
    if (bit) expect(bit.index).toBe(index);
    return o.nomask === true ? bit !== undefined : bit?.value === true;
  }

  it('FEATURES_GET (verbose bit sets): every bit named as in the ETH_SS_FEATURES string set', async () => {
    const [reply] = await genl(eth.id, ETHTOOL_MSG_FEATURES_GET, header('nv0'), { netns: ns.name });
    expect(reply!.data[0]).toBe(ETHTOOL_MSG_FEATURES_GET_REPLY);
    const d = decodeWith(ethtool, eth.id, reply!);
    expectClean(d);
    expect(d.attrs.map((a) => a.name)).toEqual(['header', 'hw', 'wanted', 'active', 'nochange']);
    for (const a of d.attrs.slice(1)) {
      expect(a.kind).toBe('nest');
      for (const c of allAttrs(a.children!)) expect(c.kind, c.constant).not.toBe('unknown');
    }

    // The feature names, by index, from STRSET_GET.
    const strsetReq = concat(
      header('nv0'),
      new AttributeEncoder()
        .nested(ETHTOOL_A_STRSET_STRINGSETS, (s) => s.nested(ETHTOOL_A_STRINGSETS_STRINGSET, (ss) => ss.uint32(ETHTOOL_A_STRINGSET_ID, ETH_SS_FEATURES)))
        .encode(),
    );
    const [sreply] = await genl(eth.id, ETHTOOL_MSG_STRSET_GET, strsetReq, { netns: ns.name });
    expect(sreply!.data[0]).toBe(ETHTOOL_MSG_STRSET_GET_REPLY);
    const sd = decodeWith(ethtool, eth.id, sreply!);
    expectClean(sd);
    const [stringset] = (attrsToObject(sd.attrs).stringsets as Obj).stringset as Obj[];
    expect(stringset!.id).toBe('features');
    const strings = (stringset!.strings as Obj).string as Obj[];
    expect(strings.length).toBe(stringset!.count);
    const featureName = new Map(strings.map((s) => [Number(s.index), String(s.value)]));

    const o = attrsToObject(d.attrs) as Record<string, Obj>;
    for (const set of ['hw', 'wanted', 'active', 'nochange']) {
      expect(o[set]!.size).toBe(stringset!.count);
      for (const bit of bitsOf(o[set])) expect(bit.name).toBe(featureName.get(Number(bit.index)));
    }
    // HW is sent against the mask of every feature (all listed, VALUE on the changeable ones);
    // WANTED, ACTIVE and NOCHANGE as lists (NOMASK: a listed bit is on).
    expect(bitsOf(o.hw).length).toBe(stringset!.count);
    expect([o.hw!.nomask, o.wanted!.nomask, o.active!.nomask, o.nochange!.nomask]).toEqual([undefined, true, true, true]);
    // Software GRO can be changed on a veth; veth checksums on receive.
    const index = (name: string) => [...featureName].find(([, n]) => n === name)![0];
    expect(featureOn(o.hw, 'rx-gro', index('rx-gro'))).toBe(true);
    expect(featureOn(o.active, 'rx-checksum', index('rx-checksum'))).toBe(true);

    // The same with ETHTOOL_FLAG_COMPACT_BITSETS: bitmaps, shown as hex, that agree.
    const [creply] = await genl(eth.id, ETHTOOL_MSG_FEATURES_GET, header('nv0', ETHTOOL_FLAG_COMPACT_BITSETS), { netns: ns.name });
    const cd = decodeWith(ethtool, eth.id, creply!);
    expectClean(cd);
    const co = attrsToObject(cd.attrs) as Record<string, Obj>;
    expect(co.hw).toEqual({ size: stringset!.count, value: expect.stringMatching(/^[0-9a-f]+$/), mask: expect.stringMatching(/^[0-9a-f]+$/) });
    for (const set of ['hw', 'wanted', 'active', 'nochange']) {
      for (const [i, name] of featureName) if (name) expect(featureOn(co[set], name, i), `${set} ${name}`).toBe(featureOn(o[set], name, i));
    }
  });

  it('FEATURES_SET: the reply (12) and the monitor notification (13) decode as features', async () => {
    const monitorGroup = eth.groups.get('monitor');
    expect(monitorGroup).toBeDefined();
    const [before] = await genl(eth.id, ETHTOOL_MSG_FEATURES_GET, header('nv0'), { netns: ns.name });
    const bo = attrsToObject(decodeWith(ethtool, eth.id, before!).attrs) as Record<string, Obj>;
    const gro = Number(bitsOf(bo.hw).find((b) => b.name === 'rx-gro')!.index);
    const wasOn = featureOn(bo.active, 'rx-gro', gro);
    const mon = dial(NETLINK_GENERIC, { netns: ns.name });
    try {
      mon.joinGroup(monitorGroup!);
      // Flip rx-gro: WANTED lists the bit, with VALUE to turn it on.
      const req = concat(
        header('nv0'),
        new AttributeEncoder()
          .nested(ETHTOOL_A_FEATURES_WANTED, (b) =>
            b.nested(ETHTOOL_A_BITSET_BITS, (bits) => bits.nested(ETHTOOL_A_BITSET_BITS_BIT, (bit) => bit.string(ETHTOOL_A_BITSET_BIT_NAME, 'rx-gro').flag(ETHTOOL_A_BITSET_BIT_VALUE, !wasOn))),
          )
          .encode(),
      );
      const [reply] = await genl(eth.id, ETHTOOL_MSG_FEATURES_SET, req, { netns: ns.name });
      expect(reply!.data[0]).toBe(ETHTOOL_MSG_FEATURES_SET_REPLY);
      const d = decodeWith(ethtool, eth.id, reply!);
      expectClean(d);
      const o = attrsToObject(d.attrs) as Record<string, Obj>;
      expect(o.header).toMatchObject({ dev_name: 'nv0' });
      // ACTIVE carries what changed (against a mask): rx-gro, now flipped.
      expect(bitsOf(o.active).map((b) => b.name)).toContain('rx-gro');
      expect(featureOn(o.active, 'rx-gro', gro)).toBe(!wasOn);

      // The notification: command 13, which is PRIVFLAGS_GET in the other direction.
      let ntf: Message | undefined;
      while (!ntf) {
        const dg = await mon.receiveDatagram({ timeout: 5000 });
        ntf = dg.messages.find((m) => m.header.type === eth.id && m.data[0] === ETHTOOL_MSG_FEATURES_NTF);
      }
      const dn = decodeWith(ethtool, eth.id, ntf);
      expectClean(dn);
      expect(dn.attrs.map((a) => a.constant)).toEqual([
        'ETHTOOL_A_FEATURES_HEADER',
        'ETHTOOL_A_FEATURES_HW',
        'ETHTOOL_A_FEATURES_WANTED',
        'ETHTOOL_A_FEATURES_ACTIVE',
        'ETHTOOL_A_FEATURES_NOCHANGE',
      ]);
      // Notifications carry compact bit sets.
      const no = attrsToObject(dn.attrs) as Record<string, Obj>;
      expect(no.header).toMatchObject({ dev_name: 'nv0' });
      expect(featureOn(no.active, 'rx-gro', gro)).toBe(!wasOn);
      expect(featureOn(no.wanted, 'rx-gro', gro)).toBe(!wasOn);
    } finally {
      mon.close();
    }

    // Read back with a GET.
    const [after] = await genl(eth.id, ETHTOOL_MSG_FEATURES_GET, header('nv0'), { netns: ns.name });
    expect(featureOn((attrsToObject(decodeWith(ethtool, eth.id, after!).attrs) as Obj).active, 'rx-gro', gro)).toBe(!wasOn);
  });

  it('every other *_GET this header knows: each answer decodes clean (or is refused)', async () => {
    const answered: string[] = [];
    const gets = ethtool.messages.filter((m) => /^ETHTOOL_MSG_\w+_GET$/.test(m.constant));
    for (const m of gets) {
      for (const flags of [0, ETHTOOL_FLAG_STATS]) {
        let replies: Message[];
        try {
          replies = await genl(eth.id, m.value, header('nv0', flags), { netns: ns.name });
        } catch (e) {
          // Not every GET applies to a veth (no PHY, module, FEC, …).
          expect((e as { code?: string }).code, `${m.constant}: ${String(e)}`).toMatch(/^(EOPNOTSUPP|ENODATA|ENODEV|EINVAL|ENOENT)$/);
          continue;
        }
        for (const r of replies) {
          const d = decodeWith(ethtool, eth.id, r);
          expectClean(d);
          expect(d.attrs[0]!.name, m.constant).toBe('header');
          expect(attrsToObject(d.attrs).header, m.constant).toMatchObject({ dev_name: 'nv0' });
        }
        answered.push(`${m.name}${flags ? '+stats' : ''}`);
      }
    }
    // veth answers at least these.
    expect(answered).toEqual(expect.arrayContaining(['strset_get', 'linkinfo_get', 'linkmodes_get', 'linkstate_get', 'features_get', 'channels_get', 'tsinfo_get']));
  });

  it('decodes the requests themselves with the user → kernel sets', () => {
    const req: Message = { header: { length: 0, type: eth.id, flags: HeaderFlags.Request, sequence: 1, pid: 0 }, data: concat(genlhdr(ETHTOOL_MSG_LINKSTATE_GET), header('nv0', ETHTOOL_FLAG_COMPACT_BITSETS)) };
    const d = decodeWith(ethtool, eth.id, req);
    expectClean(d);
    expect(attrsToObject(d.attrs)).toEqual({ header: { dev_name: 'nv0', flags: ['compact_bitsets'] } });
    expect(d.attrs[0]!.constant).toBe('ETHTOOL_A_LINKSTATE_HEADER');
  });

  it('finds devices by index too (ETHTOOL_A_HEADER_DEV_INDEX)', async () => {
    const l = ipLinks().find((x) => x.ifname === 'nv1')!;
    const hdr = new AttributeEncoder().nested(ETHTOOL_A_HEADER, (h) => h.uint32(ETHTOOL_A_HEADER_DEV_INDEX, l.ifindex)).encode();
    const [reply] = await genl(eth.id, ETHTOOL_MSG_LINKSTATE_GET, hdr, { netns: ns.name });
    const d = decodeWith(ethtool, eth.id, reply!);
    expectClean(d);
    expect(attrsToObject(d.attrs)).toMatchObject({ header: { dev_index: l.ifindex, dev_name: 'nv1' }, link: 1 });
  });
});

describe('tcp_metrics after TCP connections on loopback', () => {
  let ns: Netns;
  let scratch: string;
  let tm: Resolved;

  // A TCP exchange over IPv4 and IPv6 loopback; the kernel caches metrics when they close.
  const TRAFFIC = `
const net = require('node:net');
function tcp(host) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((s) => s.on('data', (d) => s.end(d)));
    srv.listen(0, host, () => {
      const c = net.connect(srv.address().port, host, () => c.write('hello'));
      c.on('data', () => {});
      c.on('error', reject);
      c.on('close', () => srv.close(() => resolve()));
    });
  });
}
(async () => { await tcp('127.0.0.1'); await tcp('::1'); })();
`;

  beforeAll(async () => {
    ns = createNetns('nlctl-tcpm');
    scratch = mkdtempSync(join(tmpdir(), 'nlctl-tcpm-'));
    ns.ip('link', 'set', 'lo', 'up');
    const script = join(scratch, 'traffic.cjs');
    writeFileSync(script, TRAFFIC);
    ns.exec(`'${process.execPath}' '${script}'`);
    tm = await resolveFamily('tcp_metrics', ns.name);
  });

  afterAll(() => {
    ns?.destroy();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** `ip tcp_metrics show`: destination, source and the metrics it prints, per line. */
  function ipTcpMetrics(): { addr: string; source: string; vals: Record<string, number> }[] {
    return ns
      .ip('tcp_metrics', 'show')
      .split('\n')
      .filter((l) => l.trim())
      .map((line) => {
        const words = line.trim().split(/\s+/);
        const out = { addr: words[0]!, source: '', vals: {} as Record<string, number> };
        for (let i = 1; i < words.length - 1; i++) {
          const [k, v] = [words[i]!, words[i + 1]!];
          if (k === 'source') out.source = v;
          else if (['cwnd', 'ssthresh', 'reordering'].includes(k)) out.vals[k] = Number(v);
          else if ((k === 'rtt' || k === 'rttvar') && /us$/.test(v)) out.vals[`${k}_us`] = Number(v.slice(0, -2));
        }
        return out;
      });
  }

  it('GET dump: the same entries, addresses and metrics as ip tcp_metrics show', async () => {
    const replies = await genl(tm.id, TCP_METRICS_CMD_GET, new Uint8Array(0), { netns: ns.name, flags: HeaderFlags.Dump });
    const ours = replies.map((m) => {
      const d = decodeWith(tcpMetrics, tm.id, m);
      expectClean(d);
      expect(d.genl!.cmd).toBe(TCP_METRICS_CMD_GET);
      for (const a of allAttrs(d.attrs)) expect(a.kind, `${a.type}`).not.toBe('unknown');
      const o = attrsToObject(d.attrs) as Obj;
      expect(typeof o.age).toBe('bigint');
      const vals = o.vals as Record<string, number>;
      // The kernel sends the smoothed RTT and its variation as it keeps them, scaled by 8 and 4,
      // in µs and (divided by 1000, at least 1) in ms; iproute2 prints the µs ones scaled back.
      expect(vals.rtt).toBe(Math.max(1, Math.floor(vals.rtt_us! / 1000)));
      expect(vals.rttvar).toBe(Math.max(1, Math.floor(vals.rttvar_us! / 1000)));
      const printed: Record<string, number> = { rtt_us: vals.rtt_us! >> 3, rttvar_us: vals.rttvar_us! >> 2 };
      for (const k of ['cwnd', 'ssthresh', 'reordering']) if (vals[k] !== undefined) printed[k] = vals[k]!;
      return { addr: String(o.addr_ipv4 ?? o.addr_ipv6), source: String(o.saddr_ipv4 ?? o.saddr_ipv6), vals: printed };
    });
    const theirs = ipTcpMetrics();
    const key = (e: { addr: string; source: string }) => `${e.addr} ${e.source}`;
    expect(ours.map(key).sort()).toEqual(expect.arrayContaining(['127.0.0.1 127.0.0.1', '::1 ::1']));
    expect(ours.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(theirs.sort((a, b) => key(a).localeCompare(key(b))));
  });

  it('GET one entry by address', async () => {
    const req = new AttributeEncoder().bytes(TCP_METRICS_ATTR_ADDR_IPV4, Uint8Array.from([127, 0, 0, 1])).encode();
    const [reply] = await genl(tm.id, TCP_METRICS_CMD_GET, req, { netns: ns.name });
    const d = decodeWith(tcpMetrics, tm.id, reply!);
    expectClean(d);
    expect(attrsToObject(d.attrs)).toMatchObject({ addr_ipv4: '127.0.0.1', saddr_ipv4: '127.0.0.1', vals: { cwnd: expect.any(Number) } });
    // The request as the kernel sees it.
    const dr = decodeWith(tcpMetrics, tm.id, { header: { length: 0, type: tm.id, flags: HeaderFlags.Request, sequence: 0, pid: 0 }, data: concat(genlhdr(TCP_METRICS_CMD_GET), req) });
    expect(attrsToObject(dr.attrs)).toEqual({ addr_ipv4: '127.0.0.1' });
  });
});

describe('mptcp_pm endpoints and limits', () => {
  let ns: Netns;
  let pm: Resolved;

  beforeAll(async () => {
    ns = createNetns('nlctl-mptcp');
    ns.ip('link', 'add', 'nv0', 'type', 'veth', 'peer', 'name', 'nv1');
    ns.ip('mptcp', 'limits', 'set', 'subflows', '3', 'add_addr_accepted', '2');
    ns.ip('mptcp', 'endpoint', 'add', '10.1.1.2', 'dev', 'nv0', 'id', '6', 'subflow', 'backup');
    ns.ip('mptcp', 'endpoint', 'add', '10.1.1.3', 'port', '1234', 'id', '8', 'signal');
    pm = await resolveFamily('mptcp_pm', ns.name);
  });

  afterAll(() => ns?.destroy());

  it('GET_LIMITS: the limits ip mptcp limits show prints', async () => {
    const [reply] = await genl(pm.id, MPTCP_PM_CMD_GET_LIMITS, new Uint8Array(0), { netns: ns.name });
    expect(reply!.data[0]).toBe(MPTCP_PM_CMD_GET_LIMITS);
    const d = decodeWith(mptcp, pm.id, reply!);
    expectClean(d);
    const o = attrsToObject(d.attrs);
    const words = ns.ip('mptcp', 'limits', 'show').trim().split(/\s+/);
    const ip: Record<string, number> = {};
    for (let i = 0; i + 1 < words.length; i += 2) ip[words[i]!] = Number(words[i + 1]);
    expect(o).toEqual({ rcv_add_addrs: ip.add_addr_accepted, subflows: ip.subflows });
    expect(o).toEqual({ rcv_add_addrs: 2, subflows: 3 });
  });

  it('ADD_ADDR, then a GET_ADDR dump matches ip mptcp endpoint show', async () => {
    // fd00::7 id 7 subflow — sent by us, not by ip. (A port would need the address to be local:
    // the kernel listens on it.)
    const add = new AttributeEncoder()
      .nested(MPTCP_PM_ATTR_ADDR, (a) =>
        a
          .uint16(MPTCP_PM_ADDR_ATTR_FAMILY, AF_INET6)
          .bytes(MPTCP_PM_ADDR_ATTR_ADDR6, Uint8Array.from([0xfd, 0, ...new Array(13).fill(0), 7]))
          .uint8(MPTCP_PM_ADDR_ATTR_ID, 7)
          .uint32(MPTCP_PM_ADDR_ATTR_FLAGS, MPTCP_PM_ADDR_FLAG_SUBFLOW),
      )
      .encode();
    const ack = await genl(pm.id, MPTCP_PM_CMD_ADD_ADDR, add, { netns: ns.name, flags: HeaderFlags.Acknowledge });
    expect(ack).toEqual([]); // only the ACK, which is not a family message
    const dreq = decodeWith(mptcp, pm.id, { header: { length: 0, type: pm.id, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 }, data: concat(genlhdr(MPTCP_PM_CMD_ADD_ADDR), add) });
    expectClean(dreq);
    expect(attrsToObject(dreq.attrs)).toEqual({ addr: { family: 'inet6', addr6: 'fd00::7', id: 7, flags: ['subflow'] } });

    const replies = await genl(pm.id, MPTCP_PM_CMD_GET_ADDR, new Uint8Array(0), { netns: ns.name, flags: HeaderFlags.Dump });
    const nv0 = (JSON.parse(ns.ip('-j', 'link', 'show', 'nv0')) as { ifindex: number }[])[0]!.ifindex;
    const ours = replies.map((m) => {
      expect(m.data[0]).toBe(MPTCP_PM_CMD_GET_ADDR);
      const d = decodeWith(mptcp, pm.id, m);
      expectClean(d);
      for (const a of allAttrs(d.attrs)) expect(a.kind, `${a.type}`).not.toBe('unknown');
      const e = (attrsToObject(d.attrs) as { addr: Obj }).addr;
      // The shape of `ip -j mptcp endpoint show`.
      const out: Obj = { address: e.addr4 ?? e.addr6! };
      if (e.port) out.port = e.port;
      out.id = e.id!;
      for (const f of e.flags as string[]) out[f] = true;
      if (e.if_idx) {
        expect(e.if_idx).toBe(nv0);
        out.dev = 'nv0';
      }
      expect(e.family).toBe(e.addr4 ? 'inet' : 'inet6');
      return out;
    });
    const theirs = JSON.parse(ns.ip('-j', 'mptcp', 'endpoint', 'show')) as Obj[];
    const byId = (a: Obj, b: Obj) => Number(a.id) - Number(b.id);
    expect(ours.sort(byId)).toEqual(theirs.sort(byId));
    expect(ours.map((e) => e.id)).toEqual([6, 7, 8]);
  });

  it('tells events (multicast) from commands and their replies', () => {
    const id = 0x66;
    // Command 10 going in: SUBFLOW_CREATE with MPTCP_PM_ATTR_*.
    const req = new AttributeEncoder()
      .uint32(MPTCP_PM_ATTR_TOKEN, 0x01020304)
      .nested(MPTCP_PM_ATTR_ADDR, (a) => a.uint16(MPTCP_PM_ADDR_ATTR_FAMILY, AF_INET).bytes(MPTCP_PM_ADDR_ATTR_ADDR4, Uint8Array.from([10, 0, 0, 1])).uint8(MPTCP_PM_ADDR_ATTR_ID, 1))
      .encode();
    const dr = decodeWith(mptcp, id, incoming(id, MPTCP_PM_CMD_SUBFLOW_CREATE, req, HeaderFlags.Request));
    expectClean(dr);
    expect(attrsToObject(dr.attrs)).toEqual({ token: 0x01020304, addr: { family: 'inet', addr4: '10.0.0.1', id: 1 } });

    // Number 10 coming out: the event SUB_ESTABLISHED with MPTCP_ATTR_* (big-endian ports).
    const ev = new AttributeEncoder()
      .uint32(MPTCP_ATTR_TOKEN, 0x01020304)
      .uint16(MPTCP_ATTR_FAMILY, AF_INET)
      .uint8(MPTCP_ATTR_LOC_ID, 0)
      .uint8(MPTCP_ATTR_REM_ID, 2)
      .bytes(MPTCP_ATTR_SADDR4, Uint8Array.from([10, 0, 0, 1]))
      .bytes(MPTCP_ATTR_DADDR4, Uint8Array.from([10, 0, 0, 2]))
      .bytes(MPTCP_ATTR_SPORT, Uint8Array.from([0x9c, 0x40]))
      .bytes(MPTCP_ATTR_DPORT, Uint8Array.from([0x00, 0x50]))
      .uint8(MPTCP_ATTR_BACKUP, 1)
      .int32(MPTCP_ATTR_IF_IDX, 3)
      .encode();
    const expected = { token: 0x01020304, family: 'inet', loc_id: 0, rem_id: 2, saddr4: '10.0.0.1', daddr4: '10.0.0.2', sport: 40000, dport: 80, backup: 1, if_idx: 3 };
    const de = decodeWith(mptcp, id, incoming(id, MPTCP_EVENT_SUB_ESTABLISHED, ev), true);
    expectClean(de);
    expect(de.type.constant).toBe('MPTCP_EVENT_SUB_ESTABLISHED');
    expect(attrsToObject(de.attrs)).toEqual(expected);
    // The same number unicast from the kernel is the command's (a reply), named so.
    expect(decodeWith(mptcp, id, incoming(id, MPTCP_EVENT_SUB_ESTABLISHED, req)).type.constant).toBe('MPTCP_PM_CMD_SUBFLOW_CREATE');
    // SUB_PRIORITY has no command of its number: an event however it arrives.
    for (const multicast of [true, false]) {
      const dp = decodeWith(mptcp, id, incoming(id, MPTCP_EVENT_SUB_PRIORITY, ev), multicast);
      expectClean(dp);
      expect(dp.type.constant).toBe('MPTCP_EVENT_SUB_PRIORITY');
      expect(attrsToObject(dp.attrs)).toEqual(expected);
    }
    // Every event entry is multicast only; the commands run both ways.
    for (const m of mptcp.messages) expect(m.from, m.constant).toBe(m.constant.startsWith('MPTCP_EVENT_') ? 'multicast' : undefined);
  });
});

describe('TASKSTATS for this process', () => {
  let ts: Resolved;

  beforeAll(async () => {
    ts = await resolveFamily('TASKSTATS');
  });

  it('CMD_GET by pid: an AGGR_PID with this pid and its struct taskstats', async () => {
    const req = new AttributeEncoder().uint32(TASKSTATS_CMD_ATTR_PID, process.pid).encode();
    const [reply, ...rest] = await genl(ts.id, TASKSTATS_CMD_GET, req);
    expect(rest).toEqual([]);
    expect(reply!.data[0]).toBe(TASKSTATS_CMD_NEW);
    const d = decodeWith(taskstats, ts.id, reply!);
    expectClean(d);
    expect(d.family).toBe('TASKSTATS');
    const aggr = attr(d.attrs, 'aggr_pid');
    expect(aggr.constant).toBe('TASKSTATS_TYPE_AGGR_PID');
    expect(attr(aggr.children, 'pid').value).toBe(process.pid);
    const st = attr(aggr.children, 'stats').value as Record<string, JsonValue>;
    // The version and what this process knows about itself.
    expect(st.version).toBeGreaterThanOrEqual(13);
    expect(st.ac_pid).toBe(process.pid);
    expect(st.ac_tgid).toBe(process.pid);
    expect(st.ac_ppid).toBe(process.ppid);
    expect(st.ac_uid).toBe(process.getuid!());
    expect(st.ac_gid).toBe(process.getgid!());
    // char ac_comm[32]: text, trailing NULs dropped.
    expect(st.ac_comm).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
    expect(st.ac_sched).toBe('normal');
    expect(BigInt(st.ac_btime as number)).toBe(st.ac_btime64);
    const started = Date.now() / 1000 - process.uptime();
    expect(Math.abs(Number(st.ac_btime) - started)).toBeLessThanOrEqual(3);
    expect(Number(st.nvcsw)).toBeGreaterThan(0);
    // A newer kernel's longer struct (a higher version) keeps its tail as bytes.
    const size = attr(aggr.children, 'stats').data.length;
    expect(size).toBeGreaterThanOrEqual(416); // sizeof(struct taskstats), version 13
    expect(st._extra).toBe(size > 416 ? Buffer.from(attr(aggr.children, 'stats').data.subarray(416)).toString('hex') : undefined);
  });

  it('CMD_GET by tgid: an AGGR_TGID', async () => {
    const req = new AttributeEncoder().uint32(TASKSTATS_CMD_ATTR_TGID, process.pid).encode();
    const [reply] = await genl(ts.id, TASKSTATS_CMD_GET, req);
    const d = decodeWith(taskstats, ts.id, reply!);
    expectClean(d);
    const aggr = attr(d.attrs, 'aggr_tgid');
    expect(attr(aggr.children, 'tgid').value).toBe(process.pid);
    expect(attr(aggr.children, 'stats').value).toMatchObject({ version: expect.any(Number) });
    // The request, decoded as the kernel sees it.
    const dr = decodeWith(taskstats, ts.id, incoming(ts.id, TASKSTATS_CMD_GET, req, HeaderFlags.Request));
    expect(attrsToObject(dr.attrs)).toEqual({ tgid: process.pid });
  });
});

describe('devlink (hand-built)', () => {
  const id = 0x30;

  it('decodes DEVLINK_CMD_INFO_GET with repeated version nests, and encodes it back', () => {
    const attrs = new AttributeEncoder()
      .string(DEVLINK_ATTR_BUS_NAME, 'pci')
      .string(DEVLINK_ATTR_DEV_NAME, '0000:01:00.0')
      .string(DEVLINK_ATTR_INFO_DRIVER_NAME, 'mlx5_core')
      .string(DEVLINK_ATTR_INFO_SERIAL_NUMBER, 'MT2034X12345')
      .nested(DEVLINK_ATTR_INFO_VERSION_FIXED, (v) => v.string(DEVLINK_ATTR_INFO_VERSION_NAME, 'fw.psid').string(DEVLINK_ATTR_INFO_VERSION_VALUE, 'MT_0000000359'))
      .nested(DEVLINK_ATTR_INFO_VERSION_RUNNING, (v) => v.string(DEVLINK_ATTR_INFO_VERSION_NAME, 'fw.version').string(DEVLINK_ATTR_INFO_VERSION_VALUE, '22.36.1010'))
      .nested(DEVLINK_ATTR_INFO_VERSION_RUNNING, (v) => v.string(DEVLINK_ATTR_INFO_VERSION_NAME, 'fw').string(DEVLINK_ATTR_INFO_VERSION_VALUE, '22.36.1010'))
      .encode();
    const m = incoming(id, DEVLINK_CMD_INFO_GET, attrs);
    const d = decodeWith(devlink, id, m);
    expectClean(d);
    expect(d.family).toBe('devlink');
    const o = attrsToObject(d.attrs);
    expect(o).toEqual({
      bus_name: 'pci',
      dev_name: '0000:01:00.0',
      info_driver_name: 'mlx5_core',
      info_serial_number: 'MT2034X12345',
      // Version nests are multi: arrays even when there is one.
      info_version_fixed: [{ info_version_name: 'fw.psid', info_version_value: 'MT_0000000359' }],
      info_version_running: [
        { info_version_name: 'fw.version', info_version_value: '22.36.1010' },
        { info_version_name: 'fw', info_version_value: '22.36.1010' },
      ],
    });
    expect(d.attrs.map((a) => a.constant)).toContain('DEVLINK_ATTR_INFO_VERSION_RUNNING');
    const again = encodeMessage(devlink, { type: 'info_get', flags: 0, attrs: o }, { genlFamilyId: id });
    expect(again.data).toEqual(m.data);
  });

  it('decodes DEVLINK_CMD_PORT_GET: handle, port enums, function, stats with pads, nested devlink', () => {
    const attrs = new AttributeEncoder()
      .string(DEVLINK_ATTR_BUS_NAME, 'pci')
      .string(DEVLINK_ATTR_DEV_NAME, '0000:01:00.0')
      .uint32(DEVLINK_ATTR_PORT_INDEX, 65535)
      .uint16(DEVLINK_ATTR_PORT_TYPE, DEVLINK_PORT_TYPE_ETH)
      .uint32(DEVLINK_ATTR_PORT_NETDEV_IFINDEX, 5)
      .string(DEVLINK_ATTR_PORT_NETDEV_NAME, 'eth0')
      .uint16(DEVLINK_ATTR_PORT_FLAVOUR, DEVLINK_PORT_FLAVOUR_PHYSICAL)
      .uint32(DEVLINK_ATTR_PORT_NUMBER, 1)
      .uint8(DEVLINK_ATTR_PORT_SPLITTABLE, 0)
      .uint32(DEVLINK_ATTR_PORT_LANES, 4)
      .nested(DEVLINK_ATTR_PORT_FUNCTION, (f) => f.bytes(DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, Uint8Array.from([2, 0, 0, 0, 0, 9])).uint8(DEVLINK_PORT_FN_ATTR_STATE, DEVLINK_PORT_FN_STATE_ACTIVE))
      .uint16(DEVLINK_ATTR_ESWITCH_MODE, DEVLINK_ESWITCH_MODE_SWITCHDEV)
      .nested(DEVLINK_ATTR_STATS, (s) =>
        s.bytes(DEVLINK_ATTR_PAD, new Uint8Array(0)).uint64(DEVLINK_ATTR_STATS_RX_PACKETS, 123n).bytes(DEVLINK_ATTR_PAD, new Uint8Array(0)).uint64(DEVLINK_ATTR_STATS_RX_BYTES, 45678n),
      )
      .nested(DEVLINK_ATTR_NESTED_DEVLINK, (n) => n.string(DEVLINK_ATTR_BUS_NAME, 'auxiliary').string(DEVLINK_ATTR_DEV_NAME, 'mlx5_core.eth.0').int32(DEVLINK_ATTR_NETNS_ID, -1))
      .encode();
    const m = incoming(id, DEVLINK_CMD_PORT_GET, attrs);
    const d = decodeWith(devlink, id, m);
    expectClean(d);
    for (const a of allAttrs(d.attrs)) expect(a.kind, `${a.type}`).not.toBe('unknown');
    const o = attrsToObject(d.attrs);
    expect(o).toEqual({
      bus_name: 'pci',
      dev_name: '0000:01:00.0',
      port_index: 65535,
      port_type: 'eth',
      port_netdev_ifindex: 5,
      port_netdev_name: 'eth0',
      port_flavour: 'physical',
      port_number: 1,
      port_splittable: 0,
      port_lanes: 4,
      port_function: { hw_addr: '02:00:00:00:00:09', state: 'active' },
      eswitch_mode: 'switchdev',
      stats: { pad: ['', ''], rx_packets: 123n, rx_bytes: 45678n },
      nested_devlink: { bus_name: 'auxiliary', dev_name: 'mlx5_core.eth.0', netns_id: -1 },
    });
    expect(attr(d.attrs, 'port_type').raw).toBe(DEVLINK_PORT_TYPE_ETH);
    // Back to bytes, except that the two pads become one list: same attributes, pads grouped.
    const back = decodeWith(devlink, id, { ...m, data: encodeMessage(devlink, { type: 'port_get', flags: 0, attrs: o }, { genlFamilyId: id }).data });
    expectClean(back);
    expect(attrsToObject(back.attrs)).toEqual(o);
  });

  it('names every command', () => {
    expect(devlink.messages.find((x) => x.value === DEVLINK_CMD_INFO_GET)).toMatchObject({ constant: 'DEVLINK_CMD_INFO_GET', name: 'info_get', kind: 'get' });
    expect(devlink.messages.find((x) => x.value === DEVLINK_CMD_PORT_GET)).toMatchObject({ constant: 'DEVLINK_CMD_PORT_GET', name: 'port_get' });
    const values = devlink.messages.map((x) => x.value);
    expect(new Set(values).size).toBe(values.length);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });
});

describe('wireguard (hand-built)', () => {
  const id = 0x31;
  const key = (b: number) => Uint8Array.from({ length: 32 }, (_, i) => (b + i) & 0xff);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  /** struct sockaddr_in 192.0.2.1:51820. */
  const endpoint = Uint8Array.from([...host16(AF_INET), 0xca, 0x6c, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  function host16(v: number): number[] {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, true);
    return [...b];
  }

  /** A GET_DEVICE dump part as the kernel builds it: peers and allowed IPs in nests of type 0. */
  function device(): Uint8Array {
    const ts = concat(new Uint8Array(new BigInt64Array([1700000000n]).buffer), new Uint8Array(new BigInt64Array([123456789n]).buffer));
    const peer = new AttributeEncoder()
      .bytes(WGPEER_A_PUBLIC_KEY, key(0x40))
      .bytes(WGPEER_A_PRESHARED_KEY, new Uint8Array(32))
      .bytes(WGPEER_A_LAST_HANDSHAKE_TIME, ts)
      .uint16(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25)
      .bytes(WGPEER_A_UNSPEC, new Uint8Array(0))
      .uint64(WGPEER_A_TX_BYTES, 1234n)
      .uint64(WGPEER_A_RX_BYTES, 5678n)
      .uint32(WGPEER_A_PROTOCOL_VERSION, 1)
      .bytes(WGPEER_A_ENDPOINT, endpoint)
      .nested(WGPEER_A_ALLOWEDIPS, (ips) =>
        ips
          .nested(0, (a) => a.bytes(WGALLOWEDIP_A_IPADDR, Uint8Array.from([10, 0, 0, 0])).uint8(WGALLOWEDIP_A_CIDR_MASK, 24).uint16(WGALLOWEDIP_A_FAMILY, AF_INET))
          .nested(0, (a) => a.bytes(WGALLOWEDIP_A_IPADDR, Uint8Array.from([0xfd, 0, ...new Array(14).fill(0)])).uint8(WGALLOWEDIP_A_CIDR_MASK, 64).uint16(WGALLOWEDIP_A_FAMILY, AF_INET6)),
      )
      .encode();
    return new AttributeEncoder()
      .uint16(WGDEVICE_A_LISTEN_PORT, 51820)
      .uint32(WGDEVICE_A_FWMARK, 0x10)
      .uint32(WGDEVICE_A_IFINDEX, 7)
      .string(WGDEVICE_A_IFNAME, 'wg0')
      .bytes(WGDEVICE_A_PRIVATE_KEY, key(0x20))
      .bytes(WGDEVICE_A_PUBLIC_KEY, key(0x30))
      .nested(WGDEVICE_A_PEERS, (ps) => ps.bytes(NLA_F_NESTED | 0, peer))
      .encode();
  }

  it('decodes GET_DEVICE: keys as hex, ports, peers and allowed IPs as arrays, the handshake time', () => {
    const m = incoming(id, WG_CMD_GET_DEVICE, device(), HeaderFlags.Multi);
    const d = decodeWith(wireguard, id, m);
    expectClean(d);
    for (const a of allAttrs(d.attrs)) expect(a.kind, `${a.type}`).not.toBe('unknown');
    const o = attrsToObject(d.attrs);
    const want = {
      listen_port: 51820,
      fwmark: 0x10,
      ifindex: 7,
      ifname: 'wg0',
      private_key: hex(key(0x20)),
      public_key: hex(key(0x30)),
      peers: [
        {
          public_key: hex(key(0x40)),
          preshared_key: '00'.repeat(32),
          last_handshake_time: { tv_sec: 1700000000n, tv_nsec: 123456789n },
          persistent_keepalive_interval: 25,
          pad: '',
          tx_bytes: 1234n,
          rx_bytes: 5678n,
          protocol_version: 1,
          endpoint: hex(endpoint),
          allowedips: [
            { ipaddr: '10.0.0.0', cidr_mask: 24, family: 'inet' },
            { ipaddr: 'fd00::', cidr_mask: 64, family: 'inet6' },
          ],
        },
      ],
    };
    expect(o).toEqual(want);
    // Encoded back from names (element types become indexes 1, 2, …, which the kernel ignores).
    const again = encodeMessage(wireguard, { type: 'get_device', flags: ['multi'], attrs: o }, { genlFamilyId: id });
    const back = decodeWith(wireguard, id, { header: { ...m.header, flags: again.header.flags }, data: again.data });
    expectClean(back);
    expect(attrsToObject(back.attrs)).toEqual(want);
  });

  it('decodes a SET_DEVICE request with flags', () => {
    const attrs = new AttributeEncoder()
      .string(WGDEVICE_A_IFNAME, 'wg0')
      .uint32(WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS)
      .nested(WGDEVICE_A_PEERS, (ps) =>
        ps.nested(0, (p) =>
          p
            .bytes(WGPEER_A_PUBLIC_KEY, key(0x40))
            .uint32(WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS)
            .nested(WGPEER_A_ALLOWEDIPS, (ips) => ips.nested(0, (a) => a.uint16(WGALLOWEDIP_A_FAMILY, AF_INET).bytes(WGALLOWEDIP_A_IPADDR, Uint8Array.from([192, 0, 2, 0])).uint8(WGALLOWEDIP_A_CIDR_MASK, 24))),
        ),
      )
      .encode();
    const d = decodeWith(wireguard, id, incoming(id, WG_CMD_SET_DEVICE, attrs, HeaderFlags.Request | HeaderFlags.Acknowledge));
    expectClean(d);
    expect(attrsToObject(d.attrs)).toEqual({
      ifname: 'wg0',
      flags: ['replace_peers'],
      peers: [{ public_key: hex(key(0x40)), flags: ['replace_allowedips'], allowedips: [{ family: 'inet', ipaddr: '192.0.2.0', cidr_mask: 24 }] }],
    });
  });
});

describe('generated descriptions', () => {
  it('carry the kernel family names and no fixed header', () => {
    expect([ethtool, devlink, taskstats, tcpMetrics, mptcp, wireguard].map((f) => [f.name, f.protocol, f.messages.some((m) => m.header)])).toEqual([
      ['ethtool', 16, false],
      ['devlink', 16, false],
      ['TASKSTATS', 16, false],
      ['tcp_metrics', 16, false],
      ['mptcp_pm', 16, false],
      ['wireguard', 16, false],
    ]);
  });

  it('resolve through the controller for the families this kernel has', async () => {
    const live = execFileSync('genl', ['ctrl', 'list'], { encoding: 'utf8' });
    for (const name of ['ethtool', 'tcp_metrics', 'mptcp_pm', 'TASKSTATS']) {
      const r = await resolveFamily(name);
      expect(live).toContain(`Name: ${name}\n\tID: 0x${r.id.toString(16)}`);
    }
  });
});

describe('messages no description covers', () => {
  it('shows the attributes of an undescribed generic netlink family after genlmsghdr', () => {
    const bare = runtimeFamily({ id: 0x30, name: 'nosuchdesc', version: 1, hdrSize: 0, maxAttr: 3, ops: [], groups: [] }, undefined);
    const attrs = new AttributeEncoder().uint32(1, 7).string(2, 'x').encode();
    const d = decodeWith(bare, 0x30, incoming(0x30, 1, attrs));
    expect(d.type.name).toBe('nosuchdesc');
    expect(d.payload).toBeUndefined();
    expect(d.attrs.map((a) => [a.type, a.value])).toEqual([[1, '07000000'], [2, '7800']]);
  });

  it('finds the attributes after an unknown fixed header (auto), and keeps the header bytes', () => {
    // 12 bytes of some family header, then two attributes.
    const data = concat(Uint8Array.from([2, 32, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]), new AttributeEncoder().uint32(15, 254).bytes(1, Uint8Array.from([10, 0, 0, 1])).encode());
    const d = decodeMessage({ header: { length: 16 + data.length, type: 99, flags: 0, sequence: 1, pid: 0 }, data }, { protocol: 31, rawAttrOffset: 'auto' });
    expect(d.attrs.map((a) => a.type)).toEqual([15, 1]);
    expect(Buffer.from(d.payload!).toString('hex')).toBe('02200000fe04000100000000');
    // Bytes that are not attributes anywhere stay bytes.
    const junk = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(decodeMessage({ header: { length: 24, type: 99, flags: 0, sequence: 1, pid: 0 }, data: junk }, { protocol: 31, rawAttrOffset: 'auto' }).payload).toEqual(junk);
  });
});
