// The audit, xfrm, selinux and connector descriptions: hand-built messages decoded field by
// field; AUDIT_GET, AUDIT_TTY_GET and AUDIT_GET_FEATURE against the running kernel; and xfrm
// policies, SPD/SAD counters and default policies read back from a scratch namespace.
//
// Wire numbers and struct offsets are written out here from the UAPI headers (linux/audit.h,
// linux/xfrm.h, linux/selinux_netlink.h, linux/connector.h, linux/cn_proc.h) so that the bytes
// never come from the generated descriptions under test.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttributeEncoder, HeaderFlags, HeaderType, dial, type Message } from '../src/index.js';
import { family as audit } from '../src/families/generated/audit.js';
import { family as xfrm } from '../src/families/generated/xfrm.js';
import { family as selinux } from '../src/families/generated/selinux.js';
import { family as connector } from '../src/families/generated/connector.js';
import type { FamilySpec } from '../src/families/schema.js';
import { decodeMessage, decodeStruct, type DecodedMessage } from '../src/model/decode.js';
import { encodeMessage, encodeStruct, type MessageInput } from '../src/model/encode.js';
import { attrsToObject, messageToObject } from '../src/model/json.js';
import { LE, concat } from './helpers/bytes.js';
import { createNetns, type Netns } from './helpers/netns.js';

const NETLINK_XFRM = 6;
const NETLINK_SELINUX = 7;
const NETLINK_AUDIT = 9;
const NETLINK_CONNECTOR = 11;

const AUDIT_GET = 1000;
const AUDIT_ADD_RULE = 1011;
const AUDIT_LIST_RULES = 1013;
const AUDIT_TTY_GET = 1016;
const AUDIT_GET_FEATURE = 1019;
const AUDIT_SYSCALL = 1300;
const AUDIT_FEATURE_VERSION = 1;
const AUDIT_FEATURE_BITMAP_ALL = 0x7f;

const XFRM_MSG_NEWSA = 16;
const XFRM_MSG_DELSA = 17;
const XFRM_MSG_GETSA = 18;
const XFRM_MSG_NEWPOLICY = 19;
const XFRM_MSG_GETPOLICY = 21;
const XFRM_MSG_ACQUIRE = 23;
const XFRM_MSG_EXPIRE = 24;
const XFRM_MSG_POLEXPIRE = 27;
const XFRM_MSG_FLUSHSA = 28;
const XFRM_MSG_FLUSHPOLICY = 29;
const XFRM_MSG_NEWAE = 30;
const XFRM_MSG_REPORT = 32;
const XFRM_MSG_GETSADINFO = 35;
const XFRM_MSG_NEWSPDINFO = 36;
const XFRM_MSG_GETSPDINFO = 37;
const XFRM_MSG_MAPPING = 38;
const XFRM_MSG_GETDEFAULT = 40;
const XFRMA_ALG_CRYPT = 2;
const XFRMA_ENCAP = 4;
const XFRMA_TMPL = 5;
const XFRMA_SA = 6;
const XFRMA_REPLAY_VAL = 10;
const XFRMA_COADDR = 14;
const XFRMA_LASTUSED = 15;
const XFRMA_POLICY_TYPE = 16;
const XFRMA_ALG_AUTH_TRUNC = 20;
const XFRMA_MARK = 21;
const XFRMA_REPLAY_ESN_VAL = 23;
const XFRMA_SA_EXTRA_FLAGS = 24;
const XFRMA_PROTO = 25;
const XFRMA_PAD = 27;
const XFRMA_IF_ID = 31;
const XFRMA_SPD_INFO = 1;
const XFRMA_SPD_IPV4_HTHRESH = 3;
const AF_INET = 2;
const IPPROTO_TCP = 6;
const IPPROTO_ESP = 50;
const IPSEC_PROTO_ANY = 255;
const XFRM_INF = 0xffffffffffffffffn;

const SELNL_MSG_SETENFORCE = 16;
const SELNL_MSG_POLICYLOAD = 17;

const NLMSG_DONE = 3;
const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
const PROC_CN_MCAST_LISTEN = 1;
const PROC_CN_MCAST_IGNORE = 2;
const PROC_EVENT_NONE = 0;
const PROC_EVENT_FORK = 0x1;
const PROC_EVENT_EXEC = 0x2;
const PROC_EVENT_UID = 0x4;
const PROC_EVENT_GID = 0x40;
const PROC_EVENT_SID = 0x80;
const PROC_EVENT_PTRACE = 0x100;
const PROC_EVENT_COMM = 0x200;
const PROC_EVENT_COREDUMP = 0x40000000;
const PROC_EVENT_EXIT = 0x80000000;

function message(type: number, data: Uint8Array, flags = 0, sequence = 1): Message {
  return { header: { length: 16 + data.length, type, flags, sequence, pid: 0 }, data };
}

/** JSON as a pipe carries it: bigint as digits, read back as strings. */
function viaJson(o: unknown): MessageInput {
  return JSON.parse(JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as MessageInput;
}

function decode(m: Message, protocol: number, family: FamilySpec): DecodedMessage {
  return decodeMessage(m, { protocol, family });
}

/** A zeroed struct of `size` bytes with host-order (or big-endian) writers. */
class Struct {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(off: number, v: number): this {
    this.view.setUint8(off, v);
    return this;
  }
  u16(off: number, v: number): this {
    this.view.setUint16(off, v, LE);
    return this;
  }
  be16(off: number, v: number): this {
    this.view.setUint16(off, v, false);
    return this;
  }
  u32(off: number, v: number): this {
    this.view.setUint32(off, v, LE);
    return this;
  }
  s32(off: number, v: number): this {
    this.view.setInt32(off, v, LE);
    return this;
  }
  be32(off: number, v: number): this {
    this.view.setUint32(off, v, false);
    return this;
  }
  u64(off: number, v: bigint): this {
    this.view.setBigUint64(off, v, LE);
    return this;
  }
  set(off: number, b: ArrayLike<number>): this {
    this.bytes.set(b, off);
    return this;
  }
}


/** xfrm_address_t of an IPv4 address: 4 bytes, then zeros. */
function addr4(a: number, b: number, c: number, d: number): Uint8Array {
  const out = new Uint8Array(16);
  out.set([a, b, c, d]);
  return out;
}

const hex = (b: ArrayLike<number>) => Buffer.from(Uint8Array.from(b)).toString('hex');
const cstring = (s: string, size: number) => {
  const out = new Uint8Array(size);
  out.set(Buffer.from(s));
  return out;
};

// ---- audit ---------------------------------------------------------------------------------

/** struct audit_status: eleven __u32 (44 bytes). */
function auditStatus(v: number[]): Uint8Array {
  const s = new Struct(44);
  v.forEach((x, i) => s.u32(i * 4, x));
  return s.bytes;
}

describe('audit', () => {
  it('names every message type, all above the control range', () => {
    expect(audit.protocol).toBe(NETLINK_AUDIT);
    const values = audit.messages.map((m) => m.value);
    expect(new Set(values).size).toBe(values.length);
    expect(Math.min(...values)).toBe(AUDIT_GET);
    expect(Math.max(...values)).toBe(2999); // AUDIT_LAST_USER_MSG2
    // linux/audit.h (6.1) has 102 message-type constants; AUDIT_FIRST_KERN_ANOM_MSG repeats
    // AUDIT_ANOM_PROMISCUOUS and AUDIT_LAST_KERN_ANOM_MSG only ends a range.
    expect(values.length).toBeGreaterThanOrEqual(100);
    const table: [number, string, string][] = [
      [1000, 'get', 'AUDIT_GET'],
      [1001, 'set', 'AUDIT_SET'],
      [1005, 'user', 'AUDIT_USER'],
      [1010, 'signal_info', 'AUDIT_SIGNAL_INFO'],
      [1013, 'list_rules', 'AUDIT_LIST_RULES'],
      [1018, 'set_feature', 'AUDIT_SET_FEATURE'],
      [1100, 'first_user_msg', 'AUDIT_FIRST_USER_MSG'],
      [1107, 'user_avc', 'AUDIT_USER_AVC'],
      [1124, 'user_tty', 'AUDIT_USER_TTY'],
      [1200, 'daemon_start', 'AUDIT_DAEMON_START'],
      [1300, 'syscall', 'AUDIT_SYSCALL'],
      [1302, 'path', 'AUDIT_PATH'],
      [1320, 'eoe', 'AUDIT_EOE'],
      [1327, 'proctitle', 'AUDIT_PROCTITLE'],
      [1339, 'dm_event', 'AUDIT_DM_EVENT'],
      [1400, 'avc', 'AUDIT_AVC'],
      [1419, 'mac_calipso_del', 'AUDIT_MAC_CALIPSO_DEL'],
      [1700, 'anom_promiscuous', 'AUDIT_ANOM_PROMISCUOUS'],
      [1807, 'integrity_policy_rule', 'AUDIT_INTEGRITY_POLICY_RULE'],
      [2000, 'kernel', 'AUDIT_KERNEL'],
      [2100, 'first_user_msg2', 'AUDIT_FIRST_USER_MSG2'],
    ];
    for (const [value, name, constant] of table) {
      const d = decode(message(value, new Uint8Array(0)), NETLINK_AUDIT, audit);
      expect(d.type, constant).toEqual({ value, name, constant });
      expect(d.family).toBe('audit');
    }
    expect(audit.groups).toEqual([{ name: 'readlog', value: 1, constant: 'AUDIT_NLGRP_READLOG' }]);
  });

  it('decodes the audit_status of an AUDIT_GET reply, and the empty request', () => {
    const status = auditStatus([0x81, 1, 1, 4242, 50, 8192, 3, 7, AUDIT_FEATURE_BITMAP_ALL, 60000, 12]);
    const d = decode(message(AUDIT_GET, status), NETLINK_AUDIT, audit);
    expect(d.type).toEqual({ value: AUDIT_GET, name: 'get', constant: 'AUDIT_GET' });
    expect(d.malformed).toEqual([]);
    expect(d.fixed!.name).toBe('audit_status');
    expect(d.fixed!.fields).toEqual({
      mask: ['enabled', 'backlog_wait_time_actual'],
      enabled: 1,
      failure: 'printk',
      pid: 4242,
      rate_limit: 50,
      backlog_limit: 8192,
      lost: 3,
      backlog: 7,
      feature_bitmap: ['backlog_limit', 'backlog_wait_time', 'executable_path', 'exclude_extend', 'sessionid_filter', 'lost_reset', 'filter_fs'],
      backlog_wait_time: 60000,
      backlog_wait_time_actual: 12,
    });
    expect(d.fixed!.raw).toEqual({ mask: 0x81, failure: 1, feature_bitmap: AUDIT_FEATURE_BITMAP_ALL });
    expect(d.fixed!.extra).toBeUndefined();
    expect(d.payload).toBeUndefined();

    // The request carries nothing: no struct is looked for.
    const req = decode(message(AUDIT_GET, new Uint8Array(0), HeaderFlags.Request | HeaderFlags.Acknowledge), NETLINK_AUDIT, audit);
    expect(req.type.name).toBe('get');
    expect(req.flags).toEqual(['request', 'ack']);
    expect(req.fixed).toBeUndefined();
    expect(req.payload).toBeUndefined();
    expect(req.malformed).toEqual([]);

    // A kernel before backlog_wait_time_actual answers with 40 bytes: shown, with what is missing.
    const old = decode(message(AUDIT_GET, status.subarray(0, 40)), NETLINK_AUDIT, audit);
    expect(old.fixed!.fields.backlog_wait_time).toBe(60000);
    expect(old.fixed!.missing).toEqual(['backlog_wait_time_actual']);
    expect(old.malformed).toHaveLength(1);
  });

  it('shows event records as text', () => {
    const line = 'arch=c000003e syscall=59 success=yes exit=0 a0=55d0 items=2 ppid=1 pid=42 comm="sh"';
    const d = decode(message(AUDIT_SYSCALL, new Uint8Array(Buffer.from(line))), NETLINK_AUDIT, audit);
    expect(d.type).toEqual({ value: AUDIT_SYSCALL, name: 'syscall', constant: 'AUDIT_SYSCALL' });
    expect(d.fixed).toBeUndefined();
    expect(d.attrs).toEqual([]);
    expect(d.text).toBe(line);
    expect(d.payload).toBeUndefined();
    expect(d.malformed).toEqual([]);

    // A user-space message inside the user range (libaudit's USER_LOGIN) has no name, but stays.
    const user = decode(message(1112, new Uint8Array(Buffer.from('op=login'))), NETLINK_AUDIT, audit);
    expect(user.type).toEqual({ value: 1112 });
    expect(Buffer.from(user.payload!).toString()).toBe('op=login');
  });

  it('decodes rules, TTY status and features', () => {
    // struct audit_rule_data: flags, action, field_count, mask[64], fields[64], values[64],
    // fieldflags[64], buflen (1040 bytes), then buflen bytes of strings.
    const rule = new Struct(1040)
      .u32(0, 4) // AUDIT_FILTER_EXIT
      .u32(4, 2) // AUDIT_ALWAYS
      .u32(8, 1)
      .u32(12 + 4, 1 << 27) // syscall 59: word 1, bit 27
      .u32(268, 210) // fields[0] = AUDIT_FILTERKEY
      .u32(524, 3) // values[0]: the key's length
      .u32(780, 0x40000000) // fieldflags[0] = AUDIT_EQUAL
      .u32(1036, 3);
    const d = decode(message(AUDIT_ADD_RULE, concat(rule.bytes, new Uint8Array(Buffer.from('ssh')))), NETLINK_AUDIT, audit);
    expect(d.type.name).toBe('add_rule');
    expect(d.malformed).toEqual([]);
    const f = d.fixed!.fields;
    expect(f.flags).toBe(4);
    expect(f.action).toBe('always');
    expect(f.field_count).toBe(1);
    expect(f.buflen).toBe(3);
    expect((f.mask as string).length).toBe(512);
    expect((f.mask as string).slice(8, 16)).toBe(hex(new Struct(4).u32(0, 1 << 27).bytes));
    expect((f.fields as string).slice(0, 8)).toBe(hex(new Struct(4).u32(0, 210).bytes));
    // The strings follow the struct.
    expect(Buffer.from(d.payload!).toString()).toBe('ssh');

    // AUDIT_LIST_RULES: the request is empty, the replies carry rules.
    const listReq = decode(message(AUDIT_LIST_RULES, new Uint8Array(0), HeaderFlags.Request | HeaderFlags.Acknowledge), NETLINK_AUDIT, audit);
    expect(listReq.fixed).toBeUndefined();
    expect(listReq.malformed).toEqual([]);
    const listReply = decode(message(AUDIT_LIST_RULES, rule.bytes, HeaderFlags.Multi), NETLINK_AUDIT, audit);
    expect(listReply.fixed!.fields.action).toBe('always');

    const tty = decode(message(AUDIT_TTY_GET, new Struct(8).u32(0, 1).u32(4, 0).bytes), NETLINK_AUDIT, audit);
    expect(tty.type.name).toBe('tty_get');
    expect(tty.fixed!.fields).toEqual({ enabled: 1, log_passwd: 0 });

    const feat = decode(message(AUDIT_GET_FEATURE, new Struct(16).u32(0, AUDIT_FEATURE_VERSION).u32(4, 3).u32(8, 2).u32(12, 1).bytes), NETLINK_AUDIT, audit);
    expect(feat.type.name).toBe('get_feature');
    expect(feat.fixed!.fields).toEqual({ vers: AUDIT_FEATURE_VERSION, mask: 3, features: 2, lock: 1 });
  });

  describe('against the running kernel', () => {
    /**
     * Ask the kernel and collect its answer. The audit subsystem ACKs a request before it
     * answers (the reply is sent by a kernel thread once the request is processed), which the
     * description says (reply: after-ack) and execute's replyAfterAck waits for.
     */
    async function ask(type: number): Promise<{ ack: Message; reply: Message }> {
      expect(audit.messages.find((m) => m.value === type)!.reply).toBe('after-ack');
      const c = dial(NETLINK_AUDIT);
      try {
        const replies = await c.execute({ header: { type, flags: HeaderFlags.Request | HeaderFlags.Acknowledge } }, { timeout: 5000, replyAfterAck: true });
        expect(replies).toHaveLength(2);
        const ack = replies.find((m) => m.header.type === HeaderType.Error)!;
        expect(ack, 'an ACK').toBeDefined();
        const reply = replies.find((m) => m.header.type === type);
        expect(reply, `a ${type} reply`).toBeDefined();
        expect(reply!.header.sequence).toBe(ack.header.sequence);
        return { ack, reply: reply! };
      } finally {
        c.close();
      }
    }

    it('AUDIT_GET: audit_status', async () => {
      const { ack, reply } = await ask(AUDIT_GET);
      expect(decode(ack, NETLINK_AUDIT, audit).ack!.errno).toBe(0);
      const d = decode(reply, NETLINK_AUDIT, audit);
      expect(d.type).toEqual({ value: AUDIT_GET, name: 'get', constant: 'AUDIT_GET' });
      expect(d.malformed).toEqual([]);
      expect(d.fixed!.name).toBe('audit_status');
      expect(d.fixed!.extra).toBeUndefined();
      const f = d.fixed!.fields;
      // 0 off, 1 on, 2 locked.
      expect([0, 1, 2]).toContain(f.enabled);
      expect(['silent', 'printk', 'panic']).toContain(f.failure);
      // No auditd, or a live one.
      expect(typeof f.pid).toBe('number');
      if (f.pid !== 0) expect(() => process.kill(f.pid as number, 0)).not.toThrow();
      // The kernel fills in no mask and reports every feature it has (6.1's seven at least).
      expect(f.mask).toEqual([]);
      expect(f.feature_bitmap).toEqual(expect.arrayContaining(['backlog_limit', 'backlog_wait_time', 'lost_reset', 'filter_fs']));
      expect(typeof f.backlog_limit).toBe('number');
      expect(typeof f.backlog_wait_time_actual).toBe('number');
    });

    it('AUDIT_GET_FEATURE: audit_features', async () => {
      const d = decode((await ask(AUDIT_GET_FEATURE)).reply, NETLINK_AUDIT, audit);
      expect(d.type.name).toBe('get_feature');
      expect(d.malformed).toEqual([]);
      expect(d.fixed!.fields.vers).toBe(AUDIT_FEATURE_VERSION);
    });

    it('AUDIT_TTY_GET: audit_tty_status', async () => {
      const d = decode((await ask(AUDIT_TTY_GET)).reply, NETLINK_AUDIT, audit);
      expect(d.type.name).toBe('tty_get');
      expect(d.malformed).toEqual([]);
      expect([0, 1]).toContain(d.fixed!.fields.enabled);
      expect([0, 1]).toContain(d.fixed!.fields.log_passwd);
    });
  });
});

// ---- xfrm ----------------------------------------------------------------------------------

/** struct xfrm_selector (56 bytes) at `off`. */
function selector(s: Struct, off: number, v: { daddr: Uint8Array; saddr: Uint8Array; dport: number; sport: number; family: number; plen: [number, number]; proto: number; ifindex: number; user: number }): void {
  s.set(off, v.daddr).set(off + 16, v.saddr);
  s.be16(off + 32, v.dport).be16(off + 34, 0xffff).be16(off + 36, v.sport).be16(off + 38, 0);
  s.u16(off + 40, v.family).u8(off + 42, v.plen[0]).u8(off + 43, v.plen[1]).u8(off + 44, v.proto);
  s.s32(off + 48, v.ifindex).u32(off + 52, v.user);
}

const SEL = { daddr: addr4(10, 1, 0, 0), saddr: addr4(10, 0, 0, 0), dport: 443, sport: 0, family: AF_INET, plen: [24, 16] as [number, number], proto: IPPROTO_TCP, ifindex: -1, user: 1000 };

/** struct xfrm_usersa_info (224 bytes). */
function usersaInfo(): Uint8Array {
  const s = new Struct(224);
  selector(s, 0, SEL);
  s.set(56, addr4(192, 0, 2, 2)).be32(72, 0x1234).u8(76, IPPROTO_ESP); // id
  s.set(80, addr4(192, 0, 2, 1)); // saddr
  for (let i = 0; i < 8; i++) s.u64(96 + i * 8, XFRM_INF); // lft
  s.u64(96, 1_000_000n);
  s.u64(160, 1000n).u64(168, 10n).u64(176, 1_700_000_000n).u64(184, 0n); // curlft
  s.u32(192, 32).u32(196, 2).u32(200, 1); // stats
  s.u32(204, 5).u32(208, 7).u16(212, AF_INET).u8(214, 1).u8(215, 32).u8(216, 1 | 128);
  return s.bytes;
}

/** struct xfrm_userpolicy_info (168 bytes). */
function userpolicyInfo(): Uint8Array {
  const s = new Struct(168);
  selector(s, 0, SEL);
  for (let i = 0; i < 8; i++) s.u64(56 + i * 8, XFRM_INF);
  s.u64(120, 99n);
  s.u32(152, 100).u32(156, 0x19).u8(160, 1).u8(161, 1).u8(162, 2).u8(163, 0);
  return s.bytes;
}

/** struct xfrm_user_tmpl (64 bytes). */
function userTmpl(): Uint8Array {
  return new Struct(64)
    .set(0, addr4(192, 0, 2, 2)).be32(16, 0).u8(20, IPPROTO_ESP)
    .u16(24, AF_INET).set(28, addr4(192, 0, 2, 1))
    .u32(44, 7).u8(48, 1).u8(49, 0).u8(50, 0)
    .u32(52, 0xffffffff).u32(56, 0xffffffff).u32(60, 0xffffffff).bytes;
}

/** SEL as decoded: struct xfrm_selector, a nested object. */
const SEL_FIELDS = {
  daddr: '10.1.0.0',
  saddr: '10.0.0.0',
  dport: 443,
  dport_mask: 0xffff,
  sport: 0,
  sport_mask: 0,
  family: 'inet',
  prefixlen_d: 24,
  prefixlen_s: 16,
  proto: 'tcp',
  ifindex: -1,
  user: 1000,
};

describe('xfrm', () => {
  it('names the message types and groups', () => {
    expect(xfrm.protocol).toBe(NETLINK_XFRM);
    const names = Object.fromEntries(xfrm.messages.map((m) => [m.value, m.name]));
    expect(names).toMatchObject({
      16: 'newsa', 17: 'delsa', 18: 'getsa', 19: 'newpolicy', 20: 'delpolicy', 21: 'getpolicy',
      22: 'allocspi', 23: 'acquire', 24: 'expire', 25: 'updpolicy', 26: 'updsa', 27: 'polexpire',
      28: 'flushsa', 29: 'flushpolicy', 30: 'newae', 31: 'getae', 32: 'report', 33: 'migrate',
      34: 'newsadinfo', 35: 'getsadinfo', 36: 'newspdinfo', 37: 'getspdinfo', 38: 'mapping',
      39: 'setdefault', 40: 'getdefault',
    });
    expect(xfrm.groups.map((g) => g.name)).toEqual(['acquire', 'expire', 'sa', 'policy', 'aevents', 'report', 'migrate', 'mapping']);
  });

  it('decodes XFRM_MSG_NEWSA: xfrm_usersa_info and its attributes', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    const authTrunc = new Struct(72 + 32).set(0, cstring('hmac(sha256)', 64)).u32(64, 256).u32(68, 128).set(72, key).bytes;
    const crypt = new Struct(68 + 16).set(0, cstring('cbc(aes)', 64)).u32(64, 128).set(68, key.subarray(0, 16)).bytes;
    const encap = new Struct(24).u16(0, 2).be16(2, 4500).be16(4, 4501).set(8, addr4(198, 51, 100, 1)).bytes;
    const esn = new Struct(24 + 4).u32(0, 1).u32(4, 10).u32(8, 9).u32(12, 0).u32(16, 0).u32(20, 32).u32(24, 0x1ff).bytes;
    const ae = new AttributeEncoder()
      .bytes(XFRMA_ALG_AUTH_TRUNC, authTrunc)
      .bytes(XFRMA_ALG_CRYPT, crypt)
      .bytes(XFRMA_ENCAP, encap)
      .bytes(XFRMA_MARK, new Struct(8).u32(0, 5).u32(4, 0xff).bytes)
      .uint32(XFRMA_SA_EXTRA_FLAGS, 1)
      .uint32(XFRMA_IF_ID, 9)
      .bytes(XFRMA_PAD, new Uint8Array(0))
      .uint64(XFRMA_LASTUSED, 1_700_000_123n)
      .bytes(XFRMA_REPLAY_ESN_VAL, esn)
      .bytes(XFRMA_COADDR, addr4(203, 0, 113, 9))
      .bytes(60, Uint8Array.from([1, 2, 3, 4])); // a type this description does not know
    const d = decode(message(XFRM_MSG_NEWSA, concat(usersaInfo(), ae.encode())), NETLINK_XFRM, xfrm);
    expect(d.type).toEqual({ value: XFRM_MSG_NEWSA, name: 'newsa', constant: 'XFRM_MSG_NEWSA' });
    expect(d.malformed).toEqual([]);
    expect(d.fixed!.name).toBe('xfrm_usersa_info');
    // Nested structs as objects; the SPI in hex, as ip xfrm shows it.
    expect(d.fixed!.fields).toEqual({
      sel: SEL_FIELDS,
      id: { daddr: '192.0.2.2', spi: '0x1234', proto: 'esp' },
      saddr: '192.0.2.1',
      lft: {
        soft_byte_limit: 1_000_000n,
        hard_byte_limit: XFRM_INF,
        soft_packet_limit: XFRM_INF,
        hard_packet_limit: XFRM_INF,
        soft_add_expires_seconds: XFRM_INF,
        hard_add_expires_seconds: XFRM_INF,
        soft_use_expires_seconds: XFRM_INF,
        hard_use_expires_seconds: XFRM_INF,
      },
      curlft: { bytes: 1000n, packets: 10n, add_time: 1_700_000_000n, use_time: 0n },
      stats: { replay_window: 32, replay: 2, integrity_failed: 1 },
      seq: 5,
      reqid: 7,
      family: 'inet',
      mode: 'tunnel',
      replay_window: 32,
      flags: ['noecn', 'esn'],
    });
    const a = attrsToObject(d.attrs);
    // char alg_name[64]: text, trailing NULs dropped.
    expect(a.alg_auth_trunc).toEqual({ alg_name: 'hmac(sha256)', alg_key_len: 256, alg_trunc_len: 128, _extra: hex(key) });
    expect(a.alg_crypt).toEqual({ alg_name: 'cbc(aes)', alg_key_len: 128, _extra: hex(key.subarray(0, 16)) });
    expect(a.encap).toEqual({ encap_type: 'espinudp', encap_sport: 4500, encap_dport: 4501, encap_oa: hex(addr4(198, 51, 100, 1)) });
    // Marks and interface IDs in hex, as ip xfrm shows them.
    expect(a.mark).toEqual({ v: '0x5', m: '0xff' });
    expect(a.sa_extra_flags).toEqual(['dont_encap_dscp']);
    expect(a.if_id).toBe('0x9');
    expect(a.lastused).toBe(1_700_000_123n);
    expect(a.replay_esn_val).toEqual({ bmp_len: 1, oseq: 10, seq: 9, oseq_hi: 0, seq_hi: 0, replay_window: 32, _extra: hex(new Struct(4).u32(0, 0x1ff).bytes) });
    expect(a.coaddr).toBe(hex(addr4(203, 0, 113, 9)));
    expect(a.unknown_60).toBe('01020304');
    expect(d.attrs.find((x) => x.type === XFRMA_PAD)!.name).toBe('pad');
  });

  it('decodes deletion notices, flushes and other SA messages', () => {
    // XFRM_MSG_DELSA: xfrm_usersa_id, then the whole state as XFRMA_SA.
    const id = new Struct(24).set(0, addr4(192, 0, 2, 2)).be32(16, 0xc0ffee).u16(20, AF_INET).u8(22, IPPROTO_ESP).bytes;
    const del = decode(message(XFRM_MSG_DELSA, concat(id, new AttributeEncoder().bytes(XFRMA_SA, usersaInfo()).encode())), NETLINK_XFRM, xfrm);
    expect(del.type.name).toBe('delsa');
    expect(del.malformed).toEqual([]);
    expect(del.fixed!.fields).toEqual({ daddr: '192.0.2.2', spi: '0xc0ffee', family: 'inet', proto: 'esp' });
    expect(attrsToObject(del.attrs).sa).toMatchObject({ id: { spi: '0x1234' }, reqid: 7, mode: 'tunnel', sel: { dport: 443 } });

    // XFRM_MSG_GETSA (a get, not a dump): the same id.
    const get = decode(message(XFRM_MSG_GETSA, id, HeaderFlags.Request), NETLINK_XFRM, xfrm);
    expect(get.flags).toEqual(['request']);
    expect(get.fixed!.fields.spi).toBe('0xc0ffee');

    // XFRM_MSG_FLUSHSA: a 1-byte xfrm_usersa_flush, padded to 4.
    const flush = decode(message(XFRM_MSG_FLUSHSA, Uint8Array.from([IPSEC_PROTO_ANY, 0, 0, 0])), NETLINK_XFRM, xfrm);
    expect(flush.fixed!.fields).toEqual({ proto: 'ipsec_proto_any' });
    expect(flush.attrs).toEqual([]);
    expect(flush.malformed).toEqual([]);

    // XFRM_MSG_FLUSHPOLICY: no header, attributes only.
    const flushPol = decode(message(XFRM_MSG_FLUSHPOLICY, new AttributeEncoder().bytes(XFRMA_POLICY_TYPE, Uint8Array.from([1, 0, 0, 0, 0, 0])).encode()), NETLINK_XFRM, xfrm);
    expect(flushPol.fixed).toBeUndefined();
    expect(attrsToObject(flushPol.attrs).policy_type).toEqual({ type: 'sub', reserved1: 0, reserved2: 0 });

    // XFRM_MSG_EXPIRE: xfrm_user_expire = the state, then `hard` at 224 (232 bytes).
    const expire = decode(message(XFRM_MSG_EXPIRE, concat(usersaInfo(), new Struct(8).u8(0, 1).bytes)), NETLINK_XFRM, xfrm);
    expect(expire.malformed).toEqual([]);
    expect(expire.fixed!.fields).toMatchObject({ state: { id: { spi: '0x1234' }, reqid: 7, flags: ['noecn', 'esn'] }, hard: 1 });

    // XFRM_MSG_NEWAE: xfrm_aevent_id (48 bytes) and the replay counters.
    const aeid = new Struct(48).set(0, id).set(24, addr4(192, 0, 2, 1)).u32(40, 1 | 2 | 16).u32(44, 7).bytes;
    const aev = decode(message(XFRM_MSG_NEWAE, concat(aeid, new AttributeEncoder().bytes(XFRMA_REPLAY_VAL, new Struct(12).u32(0, 3).u32(4, 4).u32(8, 0xf).bytes).encode())), NETLINK_XFRM, xfrm);
    expect(aev.fixed!.fields).toEqual({ sa_id: { daddr: '192.0.2.2', spi: '0xc0ffee', family: 'inet', proto: 'esp' }, saddr: hex(addr4(192, 0, 2, 1)), flags: ['rthr', 'rval', 'cr'], reqid: 7 });
    // Raw numbers behind enum and flag fields are keyed by dotted path.
    expect(aev.fixed!.raw).toMatchObject({ 'sa_id.family': AF_INET, 'sa_id.proto': IPPROTO_ESP, flags: 1 | 2 | 16 });
    expect(attrsToObject(aev.attrs).replay_val).toEqual({ oseq: 3, seq: 4, bitmap: 0xf });

    // XFRM_MSG_MAPPING: xfrm_user_mapping (64 bytes), ports in network order.
    const mapping = new Struct(64).set(0, id).u32(24, 7).set(28, addr4(198, 51, 100, 1)).set(44, addr4(198, 51, 100, 2)).be16(60, 4500).be16(62, 4501).bytes;
    const map = decode(message(XFRM_MSG_MAPPING, mapping), NETLINK_XFRM, xfrm);
    expect(map.fixed!.fields).toMatchObject({ id: { spi: '0xc0ffee' }, reqid: 7, old_saddr: hex(addr4(198, 51, 100, 1)), new_saddr: hex(addr4(198, 51, 100, 2)), old_sport: 4500, new_sport: 4501 });
    expect(map.malformed).toEqual([]);

    // XFRM_MSG_REPORT: proto, 3 bytes of padding, the selector at 4.
    const report = new Struct(60).u8(0, IPPROTO_ESP);
    selector(report, 4, SEL);
    const rep = decode(message(XFRM_MSG_REPORT, concat(report.bytes, new AttributeEncoder().bytes(XFRMA_COADDR, addr4(203, 0, 113, 9)).encode())), NETLINK_XFRM, xfrm);
    expect(rep.fixed!.fields).toEqual({ proto: 'esp', sel: SEL_FIELDS });
    expect(rep.malformed).toEqual([]);
  });

  it('decodes policies, acquires and policy expiry', () => {
    const tmpl = userTmpl();
    const pol = decode(message(XFRM_MSG_NEWPOLICY, concat(userpolicyInfo(), new AttributeEncoder().bytes(XFRMA_TMPL, tmpl).encode())), NETLINK_XFRM, xfrm);
    expect(pol.malformed).toEqual([]);
    expect(pol.fixed!.fields).toMatchObject({ sel: SEL_FIELDS, lft: { soft_byte_limit: XFRM_INF }, curlft: { bytes: 99n }, priority: 100, index: 0x19, dir: 'out', action: 'block', flags: ['icmp'], share: 'any' });
    // XFRMA_TMPL is an array of struct xfrm_user_tmpl, even with one template.
    expect(attrsToObject(pol.attrs).tmpl).toEqual([{
      id: { daddr: '192.0.2.2', spi: '0x0', proto: 'esp' }, family: 'inet', saddr: '192.0.2.1',
      reqid: 7, mode: 'tunnel', share: 'any', optional: 0, aalgos: 0xffffffff, ealgos: 0xffffffff, calgos: 0xffffffff,
    }]);
    // Two templates back to back: two elements; a length that is not a whole number of them is malformed.
    const two = decode(message(XFRM_MSG_NEWPOLICY, concat(userpolicyInfo(), new AttributeEncoder().bytes(XFRMA_TMPL, concat(tmpl, tmpl)).encode())), NETLINK_XFRM, xfrm);
    expect(two.malformed).toEqual([]);
    expect(attrsToObject(two.attrs).tmpl).toHaveLength(2);
    const cut = decode(message(XFRM_MSG_NEWPOLICY, concat(userpolicyInfo(), new AttributeEncoder().bytes(XFRMA_TMPL, tmpl.subarray(0, 60)).encode())), NETLINK_XFRM, xfrm);
    expect(cut.malformed).toEqual([expect.stringMatching(/^XFRMA_TMPL at offset \d+: 60 bytes is not a whole number of struct xfrm_user_tmpl \(64 bytes\)$/)]);
    expect(attrsToObject(cut.attrs).tmpl).toBe(hex(tmpl.subarray(0, 60)));

    // XFRM_MSG_ACQUIRE: xfrm_user_acquire = id, saddr, selector at 40, the policy at 96, then
    // aalgos, ealgos, calgos, seq (280 bytes).
    const acq = new Struct(280).set(0, addr4(192, 0, 2, 2)).u8(20, IPPROTO_ESP).set(24, addr4(192, 0, 2, 1));
    selector(acq, 40, SEL);
    acq.set(96, userpolicyInfo()).u32(264, 1).u32(268, 2).u32(272, 3).u32(276, 0xabc);
    const a = decode(message(XFRM_MSG_ACQUIRE, concat(acq.bytes, new AttributeEncoder().bytes(XFRMA_TMPL, tmpl).encode())), NETLINK_XFRM, xfrm);
    expect(a.malformed).toEqual([]);
    expect(a.fixed!.fields).toMatchObject({
      id: { proto: 'esp' }, saddr: hex(addr4(192, 0, 2, 1)), sel: { family: 'inet', dport: 443 },
      policy: { sel: { prefixlen_d: 24 }, priority: 100, index: 0x19, dir: 'out', action: 'block' },
      aalgos: 1, ealgos: 2, calgos: 3, seq: 0xabc,
    });
    expect(attrsToObject(a.attrs).tmpl).toMatchObject([{ reqid: 7 }]);

    // XFRM_MSG_POLEXPIRE: the policy, then `hard` at 168 (176 bytes).
    const pe = decode(message(XFRM_MSG_POLEXPIRE, concat(userpolicyInfo(), new Struct(8).u8(0, 1).bytes)), NETLINK_XFRM, xfrm);
    expect(pe.fixed!.fields).toMatchObject({ pol: { priority: 100, dir: 'out' }, hard: 1 });
    expect(pe.malformed).toEqual([]);
  });

  it('decodes SPD info: a bare __u32 of flags, then XFRMA_SPD_* attributes', () => {
    const spd = new AttributeEncoder()
      .bytes(XFRMA_SPD_INFO, new Struct(24).u32(0, 1).u32(4, 2).u32(8, 0).u32(12, 0).u32(16, 0).u32(20, 0).bytes)
      .bytes(XFRMA_SPD_IPV4_HTHRESH, Uint8Array.from([32, 24]));
    const d = decode(message(XFRM_MSG_NEWSPDINFO, concat(new Struct(4).u32(0, 0xffffffff).bytes, spd.encode())), NETLINK_XFRM, xfrm);
    expect(d.fixed!.fields).toEqual({ flags: 0xffffffff });
    expect(attrsToObject(d.attrs)).toEqual({ info: { incnt: 1, outcnt: 2, fwdcnt: 0, inscnt: 0, outscnt: 0, fwdscnt: 0 }, ipv4_hthresh: { lbits: 32, rbits: 24 } });
    const req = decode(message(XFRM_MSG_GETSADINFO, new Struct(4).bytes, HeaderFlags.Request), NETLINK_XFRM, xfrm);
    expect(req.fixed!.fields).toEqual({ flags: 0 });
    // XFRMA_PROTO (flush and dump filters) is a u8 IPsec protocol.
    const filt = decode(message(XFRM_MSG_FLUSHPOLICY, new AttributeEncoder().uint8(XFRMA_PROTO, IPPROTO_ESP).encode()), NETLINK_XFRM, xfrm);
    expect(attrsToObject(filt.attrs).proto).toBe('esp');
  });

  describe('against the running kernel', () => {
    // Made in beforeAll, not while collecting: a run that filters these tests out makes none.
    let ns: Netns;
    beforeAll(() => {
      ns = createNetns('nlctl-xfrm');
      ns.ip('xfrm', 'policy', 'add', 'src', '10.0.0.0/24', 'dst', '10.1.0.0/24', 'proto', 'tcp', 'dport', '443', 'dir', 'out', 'priority', '100',
        'mark', '5', 'mask', '0xff', 'tmpl', 'src', '192.0.2.1', 'dst', '192.0.2.2', 'proto', 'esp', 'reqid', '7', 'mode', 'tunnel');
      ns.ip('xfrm', 'policy', 'add', 'src', '10.1.0.0/24', 'dst', '10.0.0.0/24', 'dir', 'in', 'priority', '200', 'action', 'block');
    });
    afterAll(() => ns?.destroy());

    async function request(type: number, flags: number, data: Uint8Array): Promise<DecodedMessage[]> {
      const c = dial(NETLINK_XFRM, { netns: ns.name });
      try {
        const replies = await c.execute({ header: { type, flags: HeaderFlags.Request | flags }, data }, { timeout: 5000 });
        return replies.filter((m) => m.header.type >= HeaderType.MinType).map((m) => decode(m, NETLINK_XFRM, xfrm));
      } finally {
        c.close();
      }
    }

    it('dumps policies as ip xfrm policy added them', async () => {
      // A dump request has no struct, only (filter) attributes: built and read back so.
      const req = encodeMessage(xfrm, { type: 'getpolicy', flags: ['request', 'dump'] });
      expect(req.data).toHaveLength(0);
      const asSent = decode({ header: { length: 16, ...req.header }, data: req.data }, NETLINK_XFRM, xfrm);
      expect(asSent.fixed).toBeUndefined();
      expect(asSent.malformed).toEqual([]);
      const pols = await request(XFRM_MSG_GETPOLICY, HeaderFlags.Dump, new Uint8Array(0));
      expect(pols).toHaveLength(2);
      for (const p of pols) {
        expect(p.type.name).toBe('newpolicy');
        expect(p.malformed).toEqual([]);
        expect(p.fixed!.extra).toBeUndefined();
      }
      const out = pols.find((p) => p.fixed!.fields.dir === 'out')!;
      expect(out.fixed!.fields).toMatchObject({
        sel: {
          daddr: '10.1.0.0', saddr: '10.0.0.0', dport: 443, dport_mask: 0xffff,
          family: 'inet', prefixlen_d: 24, prefixlen_s: 24, proto: 'tcp',
        },
        lft: { soft_byte_limit: XFRM_INF, hard_packet_limit: XFRM_INF, hard_use_expires_seconds: 0n },
        curlft: { bytes: 0n },
        priority: 100, action: 'allow', share: 'any',
      });
      expect(out.fixed!.fields.index).not.toBe(0);
      const oa = attrsToObject(out.attrs);
      expect(oa.tmpl).toMatchObject([{ id: { daddr: '192.0.2.2', proto: 'esp' }, family: 'inet', saddr: '192.0.2.1', reqid: 7, mode: 'tunnel' }]);
      // ip xfrm policy prints the mark as "mark 0x5/0xff".
      expect(oa.mark).toEqual({ v: '0x5', m: '0xff' });
      expect(ns.ip('xfrm', 'policy', 'list', 'dir', 'out')).toContain(`mark ${(oa.mark as Record<string, string>).v}/${(oa.mark as Record<string, string>).m}`);
      expect(oa.policy_type).toMatchObject({ type: 'main' });
      // Addresses as ip xfrm prints them: the selector's by its family (which follows them), the
      // template's id.daddr by the template's family.
      const sel = out.fixed!.fields.sel as Record<string, unknown>;
      expect(ns.ip('xfrm', 'policy', 'list', 'dir', 'out')).toContain(`src ${String(sel.saddr)}/24 dst ${String(sel.daddr)}/24`);
      expect(ns.ip('xfrm', 'policy', 'list', 'dir', 'out')).toContain(`tmpl src 192.0.2.1 dst ${String(((oa.tmpl as Record<string, Record<string, unknown>>[])[0]!.id!).daddr)}`);

      const inp = pols.find((p) => p.fixed!.fields.dir === 'in')!;
      expect(inp.fixed!.fields).toMatchObject({ sel: { daddr: '10.0.0.0', proto: 0 }, priority: 200, action: 'block' });
      expect(attrsToObject(inp.attrs).tmpl).toBeUndefined();
    });

    it('reads SPD and SAD counters and the default policies', async () => {
      const [spd] = await request(XFRM_MSG_GETSPDINFO, 0, new Uint8Array(4));
      expect(spd!.type.name).toBe('newspdinfo');
      expect(spd!.malformed).toEqual([]);
      const sa = attrsToObject(spd!.attrs);
      expect(sa.info).toMatchObject({ incnt: 1, outcnt: 1, fwdcnt: 0 });
      // The kernel's default hash thresholds: 32/32 for IPv4, 128/128 for IPv6.
      expect(sa.ipv4_hthresh).toEqual({ lbits: 32, rbits: 32 });
      expect(sa.ipv6_hthresh).toEqual({ lbits: 128, rbits: 128 });
      expect(sa.hinfo).toMatchObject({ spdhcnt: expect.any(Number) });

      const [sad] = await request(XFRM_MSG_GETSADINFO, 0, new Uint8Array(4));
      expect(sad!.type.name).toBe('newsadinfo');
      expect(sad!.malformed).toEqual([]);
      expect(attrsToObject(sad!.attrs)).toMatchObject({ cnt: 0, hinfo: { sadhcnt: expect.any(Number), sadhmcnt: expect.any(Number) } });

      const [def] = await request(XFRM_MSG_GETDEFAULT, 0, new Uint8Array(3));
      expect(def!.type.name).toBe('getdefault');
      expect(def!.malformed).toEqual([]);
      expect(def!.fixed!.fields).toEqual({ in: 'accept', fwd: 'accept', out: 'accept' });
    });
  });
});

// ---- selinux -------------------------------------------------------------------------------

describe('selinux', () => {
  it('decodes SELNL_MSG_SETENFORCE and SELNL_MSG_POLICYLOAD', () => {
    expect(selinux.protocol).toBe(NETLINK_SELINUX);
    expect(selinux.groups).toEqual([{ name: 'avc', value: 1, constant: 'SELNLGRP_AVC' }]);
    const enforce = decode(message(SELNL_MSG_SETENFORCE, new Struct(4).s32(0, 1).bytes), NETLINK_SELINUX, selinux);
    expect(enforce.type).toEqual({ value: SELNL_MSG_SETENFORCE, name: 'setenforce', constant: 'SELNL_MSG_SETENFORCE' });
    expect(enforce.fixed).toMatchObject({ name: 'selnl_msg_setenforce', fields: { val: 1 } });
    expect(enforce.malformed).toEqual([]);
    const load = decode(message(SELNL_MSG_POLICYLOAD, new Struct(4).u32(0, 3).bytes), NETLINK_SELINUX, selinux);
    expect(load.type).toEqual({ value: SELNL_MSG_POLICYLOAD, name: 'policyload', constant: 'SELNL_MSG_POLICYLOAD' });
    expect(load.fixed).toMatchObject({ name: 'selnl_msg_policyload', fields: { seqno: 3 } });
    expect(load.malformed).toEqual([]);
  });
});

// ---- connector -----------------------------------------------------------------------------

describe('connector', () => {
  /** A process-events message body: struct cn_msg (20 bytes), then struct proc_event (40). */
  function procEvent(what: number, data: Uint8Array, seq = 17): Uint8Array {
    const cn = new Struct(20).u32(0, CN_IDX_PROC).u32(4, CN_VAL_PROC).u32(8, seq).u32(12, 0).u16(16, 40).u16(18, 0).bytes;
    const ev = new Struct(40).u32(0, what).u32(4, 2).u64(8, 123_456_789n).set(16, data).bytes;
    return concat(cn, ev);
  }
  /** A client's request body: struct cn_msg, then the __u32 proc_cn_mcast_op. */
  function mcastOp(op: number, len = 4): Uint8Array {
    return concat(new Struct(20).u32(0, CN_IDX_PROC).u32(4, CN_VAL_PROC).u32(8, 5).u32(12, 9).u16(16, len).bytes, new Struct(4).u32(0, op).bytes);
  }
  const dec = (data: Uint8Array, flags = 0) => decode(message(NLMSG_DONE, data, flags), NETLINK_CONNECTOR, connector);

  it('describes its one message type, NLMSG_DONE, and its groups', () => {
    expect(connector.protocol).toBe(NETLINK_CONNECTOR);
    expect(connector.messages).toEqual([{ constant: 'NLMSG_DONE', name: 'done', value: NLMSG_DONE, header: 'cn_msg', reply: 'none', kind: 'other' }]);
    expect(connector.enums.proc_cn_mcast_op!.values).toEqual({ 1: 'listen', 2: 'ignore' });
    expect(connector.groups.find((g) => g.name === 'proc')).toEqual({ name: 'proc', value: CN_IDX_PROC });
  });

  it('decodes every process event by `what`, the union member named', () => {
    const table: [number, Uint8Array, Record<string, unknown>][] = [
      [PROC_EVENT_FORK, new Struct(16).s32(0, 1).s32(4, 1).s32(8, 4242).s32(12, 4243).bytes, { parent_pid: 1, parent_tgid: 1, child_pid: 4242, child_tgid: 4243 }],
      [PROC_EVENT_EXEC, new Struct(8).s32(0, 4242).s32(4, 4242).bytes, { process_pid: 4242, process_tgid: 4242 }],
      [PROC_EVENT_UID, new Struct(16).s32(0, 7).s32(4, 7).u32(8, 1000).u32(12, 0).bytes, { process_pid: 7, process_tgid: 7, ruid: 1000, euid: 0 }],
      [PROC_EVENT_GID, new Struct(16).s32(0, 7).s32(4, 7).u32(8, 100).u32(12, 50).bytes, { process_pid: 7, process_tgid: 7, rgid: 100, egid: 50 }],
      [PROC_EVENT_SID, new Struct(8).s32(0, 9).s32(4, 9).bytes, { process_pid: 9, process_tgid: 9 }],
      [PROC_EVENT_PTRACE, new Struct(16).s32(0, 9).s32(4, 9).s32(8, 3).s32(12, 3).bytes, { process_pid: 9, process_tgid: 9, tracer_pid: 3, tracer_tgid: 3 }],
      [PROC_EVENT_COMM, new Struct(24).s32(0, 7).s32(4, 7).set(8, cstring('kworker/0:1', 16)).bytes, { process_pid: 7, process_tgid: 7, comm: 'kworker/0:1' }],
      [PROC_EVENT_COREDUMP, new Struct(16).s32(0, 9).s32(4, 9).s32(8, 1).s32(12, 1).bytes, { process_pid: 9, process_tgid: 9, parent_pid: 1, parent_tgid: 1 }],
      [PROC_EVENT_EXIT, new Struct(24).s32(0, 4242).s32(4, 4242).u32(8, 256).u32(12, 17).s32(16, 1).s32(20, 1).bytes, {
        process_pid: 4242, process_tgid: 4242, exit_code: 256, exit_signal: 17, parent_pid: 1, parent_tgid: 1,
      }],
      // The kernel's answer to a proc_cn_mcast_op: PROC_EVENT_NONE with event_data.ack.err.
      [PROC_EVENT_NONE, new Struct(4).u32(0, 1).bytes, { err: 1 }],
    ];
    const names: Record<number, string> = { [PROC_EVENT_NONE]: 'none', [PROC_EVENT_FORK]: 'fork', [PROC_EVENT_EXEC]: 'exec', [PROC_EVENT_UID]: 'uid', [PROC_EVENT_GID]: 'gid', [PROC_EVENT_SID]: 'sid', [PROC_EVENT_PTRACE]: 'ptrace', [PROC_EVENT_COMM]: 'comm', [PROC_EVENT_COREDUMP]: 'coredump', [PROC_EVENT_EXIT]: 'exit' };
    for (const [what, body, fields] of table) {
      const d = dec(procEvent(what, body));
      expect(d.type).toEqual({ value: NLMSG_DONE, name: 'done', constant: 'NLMSG_DONE' });
      expect(d.family).toBe('connector');
      expect(d.ack, 'not read as an errno').toBeUndefined();
      expect(d.malformed).toEqual([]);
      expect(d.fixed!.name).toBe('cn_msg');
      expect(d.fixed!.fields).toEqual({
        id_idx: 'proc', id_val: CN_VAL_PROC, seq: 17, ack: 0, len: 40, flags: 0,
        data: { what: names[what], cpu: 2, timestamp_ns: 123_456_789n, event_data: fields },
      });
      expect(d.fixed!.raw).toEqual({ id_idx: CN_IDX_PROC, 'data.what': what });
      expect(d.payload).toBeUndefined();
    }
  });

  it('decodes a client request by its length: the __u32 proc_cn_mcast_op', () => {
    const d = dec(mcastOp(PROC_CN_MCAST_LISTEN), HeaderFlags.Request);
    expect(d.malformed).toEqual([]);
    expect(d.fixed!.fields).toEqual({ id_idx: 'proc', id_val: CN_VAL_PROC, seq: 5, ack: 9, len: 4, flags: 0, data: { op: 'listen' } });
    // Clients send it with no flags at all, as the kernel does its events: still told apart.
    expect(dec(mcastOp(PROC_CN_MCAST_IGNORE)).fixed!.fields.data).toEqual({ op: 'ignore' });
  });

  it('shows what it cannot place as bytes, and says what is wrong', () => {
    // Another connector user (idx 7, dm): its data as bytes.
    const other = concat(new Struct(20).u32(0, 7).u32(4, 1).u16(16, 3).bytes, Uint8Array.from([1, 2, 3]));
    expect(dec(other).fixed!.fields.data).toBe('010203');
    expect(dec(other).malformed).toEqual([]);
    // A PROC_EVENT_* this description does not know (NONZERO_EXIT, kernel 6.6): union as bytes.
    const unknown = dec(procEvent(0x20000000, new Struct(24).s32(0, 5).bytes));
    expect((unknown.fixed!.fields.data as Record<string, unknown>).event_data).toBe(hex(new Struct(24).s32(0, 5).bytes));
    expect(unknown.malformed).toEqual([]);
    // A union member's unused bytes (16 here) are shown only when they are not all zero.
    const dirty = procEvent(PROC_EVENT_EXEC, concat(new Struct(8).s32(0, 1).s32(4, 1).bytes, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0xee])));
    expect(((dec(dirty).fixed!.fields.data as Record<string, unknown>).event_data as Record<string, unknown>)._extra).toBe('00000000000000ee0000000000000000');
    // len claims more than the message holds: the fields that are there, and a malformed note.
    const cut = dec(procEvent(PROC_EVENT_FORK, new Struct(16).s32(8, 42).bytes).subarray(0, 20 + 24));
    expect(cut.fixed!.fields.len).toBe(40);
    expect(cut.fixed!.missing).toEqual(['data.event_data']);
    expect(cut.malformed.join('\n')).toMatch(/length says 40 bytes, 24 are there/);
    // Bytes after the data len covers are kept, as the header's _extra.
    const long = dec(concat(mcastOp(PROC_CN_MCAST_LISTEN), Uint8Array.from([0xaa, 0xbb, 0xcc, 0xdd])));
    expect(long.fixed!.fields.data).toEqual({ op: 'listen' });
    expect(hex(long.fixed!.extra!)).toBe('aabbccdd');
    // Shorter than struct cn_msg.
    const short = dec(new Struct(10).u32(0, 1).bytes);
    expect(short.fixed!.missing).toEqual(['seq', 'ack', 'len', 'flags', 'data']);
    expect(short.malformed).toHaveLength(1);
    // Other protocols' NLMSG_DONE stays the end of a dump.
    expect(decodeMessage(message(NLMSG_DONE, new Struct(4).bytes), { protocol: NETLINK_AUDIT, family: audit }).ack).toMatchObject({ errno: 0 });
  });

  it('encodes a request from names, filling in len, and round-trips events: bytes → JSON → bytes', () => {
    const req = encodeMessage(connector, { type: 'done', flags: 0, header: { id_idx: 'proc', id_val: 1, seq: 5, ack: 9, data: { op: 'listen' } } });
    expect(req.header).toMatchObject({ type: NLMSG_DONE, flags: 0 });
    expect(hex(req.data)).toBe(hex(mcastOp(PROC_CN_MCAST_LISTEN)));
    // The union member follows from the fields given; len from its size.
    const fork = procEvent(PROC_EVENT_FORK, new Struct(16).s32(0, 1).s32(4, 1).s32(8, 4242).s32(12, 4243).bytes);
    const comm = procEvent(PROC_EVENT_COMM, new Struct(24).s32(0, 7).s32(4, 7).set(8, cstring('sh', 16)).bytes);
    const other = concat(new Struct(20).u32(0, 7).u32(4, 1).u16(16, 3).bytes, Uint8Array.from([1, 2, 3]));
    const extra = concat(mcastOp(PROC_CN_MCAST_IGNORE), Uint8Array.from([0xaa, 0xbb]));
    for (const bytes of [fork, comm, other, extra, mcastOp(PROC_CN_MCAST_LISTEN)]) {
      const o = viaJson(messageToObject(dec(bytes)));
      expect(hex(encodeMessage(connector, o).data)).toBe(hex(bytes));
    }
    // Typos are errors, not zeros.
    expect(() => encodeMessage(connector, { type: 'done', header: { id_idx: 'proc', id_val: 1, data: { opp: 'listen' } } })).toThrow(/no struct among proc_event, proc_cn_mcast has the fields opp/);
    expect(() => encodeMessage(connector, { type: 'done', header: { id_idx: 'proc', id_val: 1, len: 4, data: { opp: 'listen' } } })).toThrow(/proc_cn_mcast has no field opp/);
    expect(() => encodeMessage(connector, { type: 'done', header: { data: { comm: 'x'.repeat(17) } } })).toThrow();
  });

  describe('against the running kernel (initial namespace: connector has no other)', () => {
    it('PROC_CN_MCAST_LISTEN, then fork, exec, comm and exit events of a child decode by name', async () => {
      const c = dial(NETLINK_CONNECTOR, { groups: 1 << (CN_IDX_PROC - 1) });
      const send = (op: string) => c.send(encodeMessage(connector, { type: 'done', flags: 0, header: { id_idx: 'proc', id_val: CN_VAL_PROC, ack: 41, data: { op } } }));
      const events: DecodedMessage[] = [];
      try {
        send('listen');
        // The listen is acknowledged on the group: PROC_EVENT_NONE, ack 41 + 1, err 0.
        const ack = await nextEvent(c, (d) => d.data.what === 'none' && d.ack === 42, events);
        expect(ack.fixed!.fields).toMatchObject({ id_idx: 'proc', id_val: CN_VAL_PROC, len: 40, data: { what: 'none', event_data: { err: 0 } } });
        // A child that renames itself (a COMM event), then execs /bin/true.
        const child = spawn('/bin/sh', ['-c', 'printf nlctl-comm > /proc/$$/comm; exec /bin/true'], { stdio: 'ignore' });
        const pid = child.pid!;
        await nextEvent(c, (d) => d.data.what === 'exit' && (d.data.event_data as Record<string, unknown>).process_pid === pid, events);
        const mine = events.filter((e) => {
          const ev = (e.fixed!.fields.data as Record<string, Record<string, unknown>>).event_data!;
          return ev.process_pid === pid || ev.child_pid === pid;
        });
        for (const e of mine) expect(e.malformed).toEqual([]);
        const byWhat = (w: string) => mine.map((e) => e.fixed!.fields.data as Record<string, unknown>).find((d) => d.what === w)?.event_data;
        expect(byWhat('fork')).toMatchObject({ parent_tgid: process.pid, child_pid: pid, child_tgid: pid });
        expect(byWhat('comm')).toEqual({ process_pid: pid, process_tgid: pid, comm: 'nlctl-comm' });
        expect(byWhat('exec')).toEqual({ process_pid: pid, process_tgid: pid });
        expect(byWhat('exit')).toMatchObject({ process_pid: pid, process_tgid: pid, exit_code: 0, parent_tgid: process.pid });
        // spawn execs the shell, the shell renames itself and execs /bin/true, which exits.
        expect(mine.map((e) => (e.fixed!.fields.data as Record<string, unknown>).what)).toEqual(['fork', 'exec', 'comm', 'exec', 'exit']);
      } finally {
        // Undo the listen on this socket, so the kernel's count of listeners is as it was.
        send('ignore');
        c.close();
      }
    });
    const comm = new Struct(24).s32(0, 7).s32(4, 7).set(8, cstring('sh', 16)).bytes;
    expect(decodeStruct(connector, connector.structs.comm_proc_event!, comm).fields).toEqual({ process_pid: 7, process_tgid: 7, comm: 'sh' });
  });
});

/** Read events from `c` until one matches `want` (on its cn_msg and proc_event fields). */
async function nextEvent(c: ReturnType<typeof dial>, want: (d: { data: Record<string, unknown>; ack: unknown }) => boolean, into: DecodedMessage[]): Promise<DecodedMessage> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const dg = await c.receiveDatagram({ timeout: Math.max(1, deadline - Date.now()) });
    for (const m of dg.messages) {
      const d = decode(m, NETLINK_CONNECTOR, connector);
      into.push(d);
      const f = d.fixed?.fields;
      if (f && typeof f.data === 'object' && want({ data: f.data as Record<string, unknown>, ack: f.ack })) return d;
    }
  }
}

describe('NLMSG_DONE flags', () => {
  it('names CAPPED and ACK_TLVS on a DONE as on an ACK (a dump that ends with an extended ACK)', () => {
    // NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, error 0, then NLMSGERR_ATTR_MSG "hi".
    const data = Uint8Array.from([0, 0, 0, 0, 7, 0, 1, 0, 0x68, 0x69, 0, 0]);
    const d = decodeMessage({ header: { length: 16 + data.length, type: 3, flags: 0x202, sequence: 1, pid: 0 }, data }, { protocol: 0 });
    expect(d.flags).toEqual(['multi', 'ack_tlvs']);
    expect(d.ack?.extAck.message).toBe('hi');
  });
});

describe('xfrm addresses by a family field', () => {
  it('reads and writes xfrm_address_t as IPv4 or IPv6 text by the family that follows it, or by the holder', () => {
    const sel = xfrm.structs.xfrm_selector!;
    for (const [family, daddr, saddr] of [['inet', '10.1.0.0', '10.0.0.1'], ['inet6', '2001:db8::1', 'fe80::2']] as const) {
      const bytes = encodeStruct(xfrm, sel, { daddr, saddr, family }, 'sel');
      expect(decodeStruct(xfrm, sel, bytes).fields).toMatchObject({ daddr, saddr, family });
    }
    // xfrm_id has no family: the template holding it gives it.
    const tmpl = xfrm.structs.xfrm_user_tmpl!;
    const t = encodeStruct(xfrm, tmpl, { id: { daddr: '2001:db8::2', proto: 'esp' }, family: 'inet6', saddr: '2001:db8::3' }, 'tmpl');
    expect(decodeStruct(xfrm, tmpl, t).fields).toMatchObject({ id: { daddr: '2001:db8::2' }, saddr: '2001:db8::3' });
    // An unknown family leaves the bytes as they are.
    const odd = encodeStruct(xfrm, sel, { daddr: '0a010000000000000000000000000000', family: 99 }, 'sel');
    expect(decodeStruct(xfrm, sel, odd).fields.daddr).toBe('0a010000000000000000000000000000');
  });
});
