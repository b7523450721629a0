// The library against the real kernel, in scratch network namespaces (CI runs as root).
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttributeDecoder,
  AttributeEncoder,
  ConnOption,
  HeaderFlags,
  HeaderType,
  NetlinkError,
  dial,
  listen,
  parseAck,
  type Message,
} from '../src/index.js';
import { createNetns } from './helpers/netns.js';
import { openSocket, type Socket } from '../src/netlink/socket.js';
import { publicCopy, removePublicCopy } from './helpers/public-copy.js';
import { join } from 'node:path';

const ROUTE = 0;
const GENERIC = 16;
const USERSOCK = 2;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_GETROUTE = 26;
const IFLA_IFNAME = 3;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
const GENL_ID_CTRL = 16;
const RTNLGRP_LINK = 1;
const { Request, Acknowledge, Dump } = HeaderFlags;

/** An ifinfomsg of zeros (16 bytes) followed by attributes. */
function ifinfo(attrs: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(16 + attrs.length);
  out.set(attrs, 16);
  return out;
}

function linkName(m: Message): string | undefined {
  const ad = new AttributeDecoder(m.data.subarray(16));
  let name: string | undefined;
  while (ad.next()) if (ad.type() === IFLA_IFNAME) name = ad.string();
  expect(ad.err()).toBeUndefined();
  return name;
}

function getFamilyRequest(name: string): { header: { type: number; flags: number }; data: Uint8Array } {
  const attrs = new AttributeEncoder().string(CTRL_ATTR_FAMILY_NAME, name).encode();
  const data = new Uint8Array(4 + attrs.length);
  data.set([CTRL_CMD_GETFAMILY, 1, 0, 0]);
  data.set(attrs, 4);
  return { header: { type: GENL_ID_CTRL, flags: Request | Acknowledge }, data };
}

const ns = createNetns('nlctl-kernel');
afterAll(() => {
  ns.destroy();
  removePublicCopy();
});

describe('generic netlink', () => {
  it('answers a ping (a control message with ACK) with one capped ACK', async () => {
    const c = dial(GENERIC, { netns: ns.name });
    try {
      const replies = await c.execute({ header: { type: HeaderType.Noop, flags: Request | Acknowledge } }, { timeout: 5000 });
      expect(replies).toHaveLength(1);
      expect(replies[0]!.header).toMatchObject({ type: HeaderType.Error, length: 36 });
      expect(replies[0]!.header.flags & HeaderFlags.Capped).toBeTruthy();
      expect(parseAck(replies[0]!).errno).toBe(0);
    } finally {
      c.close();
    }
  });

  it('resolves nlctrl through CTRL_CMD_GETFAMILY, reply and ACK, twice in a row (no stray ACK)', async () => {
    const c = dial(GENERIC);
    try {
      for (let i = 0; i < 2; i++) {
        const replies = await c.execute(getFamilyRequest('nlctrl'), { timeout: 5000 });
        expect(replies.map((m) => m.header.type)).toEqual([GENL_ID_CTRL, HeaderType.Error]);
        const ad = new AttributeDecoder(replies[0]!.data.subarray(4));
        let id = 0;
        while (ad.next()) if (ad.type() === CTRL_ATTR_FAMILY_ID) id = ad.uint16();
        expect(id).toBe(GENL_ID_CTRL);
      }
    } finally {
      c.close();
    }
  });

  it('reports ENOENT for an unknown family', async () => {
    const c = dial(GENERIC, { strict: true });
    try {
      const err = await c.execute(getFamilyRequest('no-such-fam'), { timeout: 5000 }).catch((e) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err.code).toBe('ENOENT');
    } finally {
      c.close();
    }
  });

  it('explains a name longer than GENL_NAMSIZ with the policy it failed', async () => {
    const c = dial(GENERIC);
    try {
      const err = await c.execute(getFamilyRequest('a-family-name-too-long'), { timeout: 5000 }).catch((e) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err.code).toBe('EINVAL');
      expect(err.extAck).toMatchObject({ message: 'Attribute failed policy validation', offset: 20, policy: { maxLength: 15 } });
    } finally {
      c.close();
    }
  });
});

describe('rtnetlink', () => {
  beforeAll(() => {
    ns.exec('ip link add nlk0 type veth peer name nlk1');
  });

  it('dumps links across datagrams and matches ip -j link', async () => {
    const c = dial(ROUTE, { netns: ns.name, strict: true });
    try {
      const replies = await c.execute({ header: { type: RTM_GETLINK, flags: Request | Dump }, data: ifinfo() }, { timeout: 5000 });
      expect(replies.at(-1)!.header.type).toBe(HeaderType.Done);
      const names = replies.filter((m) => m.header.type === RTM_NEWLINK).map(linkName).sort();
      const ip = (JSON.parse(ns.exec('ip -j link show')) as { ifname: string }[]).map((l) => l.ifname).sort();
      expect(names).toEqual(ip);
      expect(names).toEqual(['lo', 'nlk0', 'nlk1']);
    } finally {
      c.close();
    }
  });

  it('streams a dump through receiveIter', async () => {
    const c = dial(ROUTE, { netns: ns.name });
    try {
      c.send({ header: { type: RTM_GETLINK, flags: Request | Dump }, data: ifinfo() });
      let n = 0;
      for await (const m of c.receiveIter({ timeout: 5000 })) if (m.header.type === RTM_NEWLINK) n++;
      expect(n).toBe(3);
    } finally {
      c.close();
    }
  });

  it('points at the offending attribute with extended ACK, capped or not (Go capped-ack bug)', async () => {
    const longName = new AttributeEncoder().string(IFLA_IFNAME, 'x'.repeat(40)).encode();
    for (const capped of [false, true]) {
      const c = dial(ROUTE, { netns: ns.name, strict: true });
      try {
        if (capped) c.setOption(ConnOption.CapAcknowledge, true);
        const err = await c.execute({ header: { type: RTM_GETLINK, flags: Request | Acknowledge }, data: ifinfo(longName) }, { timeout: 5000 }).catch((e) => e);
        expect(err).toBeInstanceOf(NetlinkError);
        expect(err.code).toBe('ERANGE');
        expect(err.extAck.message).toMatch(/policy/i);
        expect(err.extAck.offset).toBe(32); // 16 nlmsghdr + 16 ifinfomsg: the IFLA_IFNAME attribute
        expect(err.extAck.policy).toMatchObject({ maxLength: 15 });
        expect(Boolean(err.reply.header.flags & HeaderFlags.Capped)).toBe(capped);
      } finally {
        c.close();
      }
    }
  });

  it('reports a dump error carried in DONE (strict route dump with a bad header)', async () => {
    const c = dial(ROUTE, { netns: ns.name, strict: true });
    try {
      const rtmsg = new Uint8Array(12);
      rtmsg[1] = 1; // rtm_dst_len is not a valid dump filter
      const err = await c.execute({ header: { type: RTM_GETROUTE, flags: Request | Dump }, data: rtmsg }, { timeout: 5000 }).catch((e) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err.code).toBe('EINVAL');
      expect(err.reply.header.type).toBe(HeaderType.Done);
      expect(err.extAck.message).toMatch(/dump request/i);
    } finally {
      c.close();
    }
  });

  it('receives RTM_NEWLINK on the link group with its group number when a link appears', async () => {
    const l = listen(ROUTE, { netns: ns.name, groups: [RTNLGRP_LINK] });
    try {
      expect(l.conn.groups()).toContain(RTNLGRP_LINK);
      ns.exec('ip link add nlm0 type veth peer name nlm1');
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 5000);
      const names: string[] = [];
      for await (const ev of l.events({ signal: ac.signal })) {
        if (ev.kind !== 'message' || ev.message.header.type !== RTM_NEWLINK) continue;
        expect(ev.group).toBe(RTNLGRP_LINK);
        names.push(linkName(ev.message)!);
        if (names.includes('nlm0') && names.includes('nlm1')) break;
      }
      clearTimeout(timer);
      expect(names).toEqual(expect.arrayContaining(['nlm0', 'nlm1']));
    } finally {
      l.close();
      ns.exec('ip link del nlm0');
    }
  });

  it('reports ENOBUFS when a tiny receive buffer overflows, then keeps working', async () => {
    const c = dial(ROUTE, { netns: ns.name });
    try {
      c.setReadBuffer(1024);
      c.joinGroup(RTNLGRP_LINK);
      const cmds = Array.from({ length: 15 }, (_, i) => `link add nlo${i} type veth peer name nlp${i}`).join('\n');
      execFileSync('ip', ['-n', ns.name, '-batch', '-'], { input: cmds + '\n' });
      let overrun = false;
      let after = 0;
      for (;;) {
        try {
          const d = await c.receiveDatagram({ timeout: 500 });
          if (overrun) after += d.messages.length;
        } catch (err) {
          if ((err as { code?: string }).code === 'ENOBUFS') {
            overrun = true;
            continue;
          }
          break; // the timeout: the queue is empty
        }
      }
      expect(overrun).toBe(true);
      // The socket still works: a fresh request is answered.
      const r = await c.execute({ header: { type: RTM_GETLINK, flags: Request }, data: ifinfo(new AttributeEncoder().string(IFLA_IFNAME, 'lo').encode()) }, { timeout: 5000 });
      expect(linkName(r[0]!)).toBe('lo');
      expect(after).toBeGreaterThanOrEqual(0);
    } finally {
      c.close();
      execFileSync('ip', ['-n', ns.name, '-batch', '-'], {
        input: Array.from({ length: 15 }, (_, i) => `link del nlo${i}`).join('\n') + '\n',
      });
    }
  });

  it('joins groups above 32 by number', () => {
    const c = dial(ROUTE, { netns: ns.name });
    try {
      c.joinGroup(36); // RTNLGRP_STATS
      expect(c.groups()).toContain(36);
      c.leaveGroup(36);
      expect(c.groups()).not.toContain(36);
    } finally {
      c.close();
    }
  });
});

describe('a dump read ahead on the thread pool', () => {
  // 5000 routes: about ten datagrams of 32 KiB, so most of the dump is read ahead.
  const ROUTES = 5000;
  beforeAll(() => {
    ns.exec(
      'ip link add nlra0 type veth peer name nlra1 && ip link set nlra0 up && ip link set nlra1 up && ip addr add 172.31.0.1/24 dev nlra0 && ' +
        `for i in $(seq 0 ${ROUTES - 1}); do echo "route add 10.77.$((i / 256)).$((i % 256))/32 via 172.31.0.2 dev nlra0"; done | ip -batch -`,
    );
  });

  // RTM_GETROUTE for AF_INET (an rtmsg of zeros but rtm_family).
  const getroute = { header: { type: RTM_GETROUTE, flags: Request | Dump }, data: Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) };
  const bytesOf = (ms: Message[]) => ms.map((m) => Buffer.from(m.data).toString('hex'));

  /** A socket that counts the read-aheads Conn asks it for. */
  function counting(): { socket: Socket; aheads: () => number } {
    const s = openSocket(ROUTE, { netnsPath: ns.path });
    let n = 0;
    const socket: Socket = {
      get pid() {
        return s.pid;
      },
      send: (d, p, g) => s.send(d, p, g),
      receive: (b) => s.receive(b),
      receiveAhead: (b) => {
        n++;
        return s.receiveAhead!(b);
      },
      watch: (f) => s.watch(f),
      unwatch: () => s.unwatch(),
      close: () => s.close(),
    };
    return { socket, aheads: () => n };
  }

  it('gives a slow reader every message in the order a plain read gives them, and the connection stays usable', async () => {
    const plain = dial(ROUTE, { netns: ns.name });
    const { socket, aheads } = counting();
    const c = dial(ROUTE, { socket });
    try {
      const reference = (await plain.execute(getroute, { timeout: 5000 })).filter((m) => m.header.type !== HeaderType.Done);
      c.send(getroute);
      const got: Message[] = [];
      for await (const batch of c.receiveBatches({ timeout: 5000 })) {
        got.push(...batch.filter((m) => m.header.type !== HeaderType.Done));
        // The reader is slow: the next datagram is read on the thread pool meanwhile.
        await new Promise((r) => setTimeout(r, 2));
      }
      expect(got.length).toBeGreaterThan(ROUTES);
      expect(bytesOf(got)).toEqual(bytesOf(reference));
      expect(aheads()).toBeGreaterThan(3);
      // Nothing was left behind: the next request on the connection gets its own answer.
      const links = await c.execute({ header: { type: RTM_GETLINK, flags: Request | Dump }, data: ifinfo() }, { timeout: 5000 });
      expect(links.filter((m) => m.header.type === RTM_NEWLINK).map(linkName)).toContain('nlra0');
    } finally {
      plain.close();
      c.close();
    }
  });

  it('a reader that leaves early with a read-ahead in flight: the rest is discarded, the next answer is right', async () => {
    const { socket, aheads } = counting();
    const c = dial(ROUTE, { socket });
    try {
      for (let round = 0; round < 3; round++) {
        c.send(getroute);
        for await (const batch of c.receiveBatches({ timeout: 5000 })) {
          expect(batch.length).toBeGreaterThan(0);
          break;
        }
        const links = await c.execute({ header: { type: RTM_GETLINK, flags: Request | Dump }, data: ifinfo() }, { timeout: 5000 });
        expect(links.at(-1)!.header.type).toBe(HeaderType.Done);
        expect(links.filter((m) => m.header.type === RTM_NEWLINK).map(linkName)).toContain('nlra0');
      }
      expect(aheads()).toBeGreaterThan(0);
    } finally {
      c.close();
    }
  });

  it('a buffer size the thread pool read does not take (fractional, above 64 MiB) reads on the JS thread instead', async () => {
    for (const bufferSize of [128 << 20, 40000.5]) {
      const c = dial(ROUTE, { netns: ns.name, bufferSize });
      try {
        c.send(getroute);
        let n = 0;
        for await (const batch of c.receiveBatches({ timeout: 5000 })) {
          n += batch.length;
          await new Promise((r) => setTimeout(r, 1));
        }
        expect(n).toBeGreaterThan(ROUTES);
      } finally {
        c.close();
      }
    }
  });

  it('close() while a read-ahead is in flight ends the reader with EBADF', async () => {
    const c = dial(ROUTE, { netns: ns.name });
    c.send(getroute);
    const it = c.receiveBatches({ timeout: 5000 });
    expect((await it.next()).done).toBe(false);
    c.close();
    await expect(it.next()).rejects.toMatchObject({ code: 'EBADF' });
  });
});

describe('Conn against the kernel', () => {
  it('close wakes a pending receive', async () => {
    const c = dial(ROUTE, { netns: ns.name });
    const p = c.receiveDatagram();
    setTimeout(() => c.close(), 20);
    await expect(p).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('keeps namespaces apart: a link made in one is not seen from another', async () => {
    const other = createNetns('nlctl-other');
    try {
      other.exec('ip link add nli0 type veth peer name nli1');
      const names = async (netns: string) => {
        const c = dial(ROUTE, { netns });
        try {
          const r = await c.execute({ header: { type: RTM_GETLINK, flags: Request | Dump }, data: ifinfo() }, { timeout: 5000 });
          return r.filter((m) => m.header.type === RTM_NEWLINK).map(linkName);
        } finally {
          c.close();
        }
      };
      expect(await names(other.path)).toContain('nli0');
      expect(await names(ns.name)).not.toContain('nli0');
    } finally {
      other.destroy();
    }
  });

  it('uses an explicit port ID and gets replies addressed to it', async () => {
    const pid = 0x7e000000 + (process.pid & 0xffff);
    const c = dial(GENERIC, { pid });
    try {
      expect(c.pid).toBe(pid);
      const r = await c.execute({ header: { type: HeaderType.Noop, flags: Request | Acknowledge } }, { timeout: 5000 });
      expect(r[0]!.header.pid).toBe(pid);
    } finally {
      c.close();
    }
  });

  it('reads back the buffer sizes the kernel doubled, and the options it accepted', () => {
    const c = dial(ROUTE, { netns: ns.name, strict: true });
    try {
      c.setReadBuffer(65536);
      expect(c.readBuffer()).toBe(131072);
      c.setWriteBuffer(65536);
      expect(c.writeBuffer()).toBe(131072);
      expect(c.getOption(ConnOption.ExtendedAcknowledge)).toBe(true);
      expect(c.getOption(ConnOption.GetStrictCheck)).toBe(true);
      for (const o of Object.values(ConnOption)) {
        c.setOption(o, true);
        expect(c.getOption(o)).toBe(true);
        c.setOption(o, false);
        expect(c.getOption(o)).toBe(false);
      }
    } finally {
      c.close();
    }
  });

  it('drops replies with a BPF filter and delivers them again once it is removed', async () => {
    const c = dial(GENERIC);
    try {
      c.setBPF([{ code: 0x06, jt: 0, jf: 0, k: 0 }]); // ret #0: drop everything
      await expect(c.execute({ header: { type: HeaderType.Noop, flags: Request | Acknowledge } }, { timeout: 200 })).rejects.toThrow();
      c.removeBPF();
      const r = await c.execute({ header: { type: HeaderType.Noop, flags: Request | Acknowledge } }, { timeout: 5000 });
      expect(r).toHaveLength(1);
    } finally {
      c.close();
    }
  });

  it('receives an unaligned, unpadded datagram sent to itself (NETLINK_USERSOCK)', async () => {
    const c = dial(USERSOCK, { netns: ns.name });
    try {
      const bytes = new Uint8Array(21); // nlmsg_len 21: not a multiple of 4, and no padding sent
      new DataView(bytes.buffer).setUint32(0, 21, true);
      new DataView(bytes.buffer).setUint16(4, 0x10, true);
      bytes[20] = 0xab;
      c.sendRaw(bytes, { pid: c.pid });
      const d = await c.receiveDatagram({ timeout: 5000 });
      expect(d.data.length).toBe(21);
      expect(d.portid).toBe(c.pid);
      expect(d.messages).toHaveLength(1);
      expect(d.messages[0]!.header.length).toBe(21);
      expect(Array.from(d.messages[0]!.data)).toEqual([0, 0, 0, 0, 0xab]);
    } finally {
      c.close();
    }
  });
});

describe('permissions', () => {
  it('an unprivileged user cannot enter a namespace: EPERM from setns', () => {
    // The child runs the built library from a copy an ordinary user can read.
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', `
        const { dial } = await import(${JSON.stringify(join(publicCopy(), 'dist', 'index.js'))});
        try { dial(0, { netns: ${JSON.stringify(ns.path)} }); console.log('opened'); }
        catch (e) { console.log(JSON.stringify({ code: e.code, syscall: e.syscall, message: e.message })); }
      `],
      { encoding: 'utf8', cwd: publicCopy() },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out).toMatchObject({ code: 'EPERM', syscall: 'setns' });
  });
});

describe('a wait with a timeout and a signal', () => {
  it('ends at the timeout even when the garbage collector runs while it waits', () => {
    // Both limits make one AbortSignal.any(), which holds its sources weakly: a timeout signal
    // nobody else holds was collected and the wait never ended. A request without
    // NLM_F_REQUEST is never answered, so only the timeout can end this one.
    const r = spawnSync(
      process.execPath,
      ['--expose-gc', '--input-type=module', '-e', `
        const { dial } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)});
        const c = dial(0);
        const started = Date.now();
        const collect = setInterval(() => globalThis.gc(), 20);
        try {
          await c.execute({ header: { type: 16, flags: 0x600 }, data: new Uint8Array(16) }, { timeout: 400, signal: new AbortController().signal });
          console.log('answered');
        } catch (e) {
          console.log(e.name, Date.now() - started);
        } finally {
          clearInterval(collect);
          c.close();
        }
      `],
      { encoding: 'utf8', timeout: 10_000 },
    );
    expect(r.signal, 'the wait did not end').toBeNull();
    const [name, ms] = r.stdout.trim().split(' ');
    expect(name).toBe('TimeoutError');
    expect(Number(ms)).toBeGreaterThanOrEqual(390);
    expect(Number(ms)).toBeLessThan(5000);
  });
});

describe('NLDEBUG', () => {
  it('prints what a connection sends and receives in the libmnl layout, read from the environment', () => {
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `
        const { dial, HeaderFlags } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)});
        const c = dial(16);
        await c.execute({ header: { type: 1, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 4242 } });
        c.close();
      `],
      { encoding: 'utf8', env: { ...process.env, NLDEBUG: 'level=1,format=mnl,color=never' } },
    );
    expect(r.status, r.stderr).toBe(0);
    const blocks = r.stderr.split('----------------\t------------------\n').filter((b) => b.trim());
    // The request (type 1, R-A-) and the capped ACK (type 2), each a header block.
    expect(r.stderr).toContain('| 00001 | R-A- |\t|  type | flags  |\n|  0000004242  |\t| sequence number|');
    expect(r.stderr).toContain('|  0000000036  |\t| message length |\n| 00002 | ---- |\t|  type | flags  |');
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(r.stderr).not.toContain('\x1b[');
  });

  it('stays silent without NLDEBUG and prints text lines with format=text', () => {
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `
        const { dial, HeaderFlags } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).pathname)});
        const c = dial(16);
        await c.execute({ header: { type: 1, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 7 } });
        c.close();
      `], { encoding: 'utf8', env: { ...process.env, NLDEBUG: '', ...env } });
    expect(run({}).stderr).toBe('');
    const text = run({ NLDEBUG: 'format=text' }).stderr;
    expect(text).toMatch(/^nl: send: \{len=16 type=1 flags=request\|ack seq=7 pid=\d+\}\n/);
    expect(text).toMatch(/nl: recv: \{len=36 type=2 flags=capped seq=7 pid=\d+\} 00000000/);
  });
});
