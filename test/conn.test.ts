// Conn logic over the nltest fake transport: no kernel needed.
import { describe, expect, it } from 'vitest';
import {
  AttributeEncoder,
  ConnOption,
  DumpInterruptedError,
  HeaderFlags,
  HeaderType,
  NetlinkError,
  Listener,
  notifications,
  systemError,
  type Message,
} from '../src/index.js';
import { FakeSocket, PID, ack, dial, error, multipart } from '../src/netlink/nltest.js';
import { Conn } from '../src/netlink/conn.js';
import { marshalMessages } from '../src/netlink/message.js';
import type { Datagram, Socket } from '../src/netlink/socket.js';

const { Request, Acknowledge, Multi, Dump, DumpInterrupted } = HeaderFlags;

function reply(req: Message, type: number, payload = new Uint8Array(4), flags = 0): Message {
  return { header: { length: 16 + payload.length, type, flags, sequence: req.header.sequence, pid: PID }, data: payload };
}

describe('Conn.send', () => {
  it('fills zero header fields and counts sequences up by one', () => {
    const conn = dial(() => null);
    const a = conn.send({ header: { type: 16 }, data: new Uint8Array([1, 2, 3, 4, 5]) });
    const b = conn.send({ header: { type: 16 } });
    expect(a.header).toMatchObject({ length: 21, type: 16, flags: Request, pid: PID });
    expect(b.header.sequence).toBe((a.header.sequence + 1) >>> 0);
    expect(b.header.length).toBe(16);
  });

  it('keeps explicit header fields, including a deliberately wrong length', () => {
    const sock = new FakeSocket(() => null);
    const conn = dial(() => null, { socket: sock });
    const m = conn.send({ header: { length: 99, type: 20, flags: 0x305, sequence: 7, pid: 42 } });
    expect(m.header).toEqual({ length: 99, type: 20, flags: 0x305, sequence: 7, pid: 42 });
    expect(new DataView(sock.sent[0]!.buffer).getUint32(0, true)).toBe(99);
  });

  it('sendMessages puts a batch in one datagram', () => {
    const sock = new FakeSocket(() => null);
    const conn = dial(() => null, { socket: sock });
    const sent = conn.sendMessages([{ header: { type: 16 } }, { header: { type: 17 }, data: new Uint8Array(3) }]);
    expect(sock.sent).toHaveLength(1);
    expect(sock.sent[0]!.length).toBe(16 + 20); // second message padded to 20
    expect(sent[1]!.header.sequence).toBe((sent[0]!.header.sequence + 1) >>> 0);
  });

  it('rejects header values that do not fit', () => {
    const conn = dial(() => null);
    expect(() => conn.send({ header: { type: 0x10000 } })).toThrow(RangeError);
    expect(() => conn.send({ header: { sequence: -1 } })).toThrow(RangeError);
  });
});

describe('Conn.execute', () => {
  it('returns a single reply when no ACK was asked', async () => {
    const conn = dial((reqs) => reqs && [reply(reqs[0]!, 16)]);
    const r = await conn.execute({ header: { type: 18, flags: Request } });
    expect(r.map((m) => m.header.type)).toEqual([16]);
  });

  it('waits for the ACK that follows a reply, so the next request is not confused (Go #167)', async () => {
    const conn = dial((reqs) => reqs && [reply(reqs[0]!, 16), ack(reqs[0]!)]);
    const first = await conn.execute({ header: { type: 18, flags: Request | Acknowledge } });
    expect(first.map((m) => m.header.type)).toEqual([16, HeaderType.Error]);
    const second = await conn.execute({ header: { type: 18, flags: Request | Acknowledge } });
    expect(second.map((m) => m.header.type)).toEqual([16, HeaderType.Error]);
    expect(second[0]!.header.sequence).toBe((first[0]!.header.sequence + 1) >>> 0);
  });

  it('collects a multipart dump across datagrams, DONE included', async () => {
    const conn = dial((reqs) => reqs && multipart([1, 2, 3, 4, 5].map(() => reply(reqs[0]!, 16))));
    const r = await conn.execute({ header: { type: 18, flags: Request | Dump } });
    expect(r).toHaveLength(6);
    expect(r.at(-1)!.header.type).toBe(HeaderType.Done);
    expect(r.slice(0, 5).every((m) => m.header.flags & Multi)).toBe(true);
  });

  it('replyAfterAck: waits past the ACK for the answer, in either order (audit)', async () => {
    // The kernel's order: the ACK, then the answer from another context.
    const after = dial((reqs) => reqs && [ack(reqs[0]!), reply(reqs[0]!, 1000)]);
    const r = await after.execute({ header: { type: 1000, flags: Request | Acknowledge } }, { replyAfterAck: true, timeout: 1000 });
    expect(r.map((m) => m.header.type)).toEqual([HeaderType.Error, 1000]);
    // The answer can win the race.
    const before = dial((reqs) => reqs && [reply(reqs[0]!, 1000), ack(reqs[0]!)]);
    expect((await before.execute({ header: { type: 1000, flags: Request | Acknowledge } }, { replyAfterAck: true, timeout: 1000 })).map((m) => m.header.type)).toEqual([1000, HeaderType.Error]);
    // Without it, the ACK ends execute and the answer is left for the next reader: what the option is for.
    const plain = dial((reqs) => reqs && [ack(reqs[0]!), reply(reqs[0]!, 1000)]);
    expect((await plain.execute({ header: { type: 1000, flags: Request | Acknowledge } })).map((m) => m.header.type)).toEqual([HeaderType.Error]);
    // Without NLM_F_ACK the option changes nothing: the answer alone.
    const noAck = dial((reqs) => reqs && [reply(reqs[0]!, 1000)]);
    expect((await noAck.execute({ header: { type: 1000, flags: Request } }, { replyAfterAck: true, timeout: 1000 })).map((m) => m.header.type)).toEqual([1000]);
  });

  it('replyAfterAck: a multipart answer after the ACK is read to its DONE; an error ends the wait', async () => {
    const conn = dial((reqs) => reqs && [ack(reqs[0]!), ...multipart([reply(reqs[0]!, 1013), reply(reqs[0]!, 1013)])]);
    const r = await conn.execute({ header: { type: 1013, flags: Request | Acknowledge } }, { replyAfterAck: true, timeout: 1000 });
    expect(r.map((m) => m.header.type)).toEqual([HeaderType.Error, 1013, 1013, HeaderType.Done]);
    const refused = dial((reqs) => reqs && [error(-1, reqs[0]!)]);
    const err = await refused.execute({ header: { type: 1000, flags: Request | Acknowledge } }, { replyAfterAck: true, timeout: 1000 }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EPERM');
  });

  it('takes a non-dump reply flagged NLM_F_MULTI without DONE as complete (ctnetlink GET_STATS)', async () => {
    const conn = dial((reqs) => reqs && [reply(reqs[0]!, 0x104, new Uint8Array(4), Multi)]);
    const r = await conn.execute({ header: { type: 0x104, flags: Request } }, { timeout: 1000 });
    expect(r).toHaveLength(1);
  });

  it('turns an error reply into a NetlinkError with the extended ACK and the request', async () => {
    const tlvs = new AttributeEncoder().string(1, 'Attribute failed policy validation').uint32(2, 32).encode();
    const conn = dial((reqs) => reqs && [error(-34, reqs[0]!, { tlvs })]);
    const err = await conn.execute({ header: { type: 18 }, data: new Uint8Array(40) }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.errno).toBe(-34);
    expect(err.code).toBe('ERANGE');
    expect(err.extAck).toMatchObject({ message: 'Attribute failed policy validation', offset: 32 });
    expect(err.sent.header.type).toBe(18);
    expect(err.message).toContain('Attribute failed policy validation');
  });

  it('never takes a truncated NLMSG_ERROR for an ACK', async () => {
    const conn = dial((reqs) => reqs && [{ header: { length: 18, type: HeaderType.Error, flags: 0, sequence: reqs[0]!.header.sequence, pid: PID }, data: new Uint8Array(2) }]);
    await expect(conn.execute({ header: { type: 18, flags: Request | Acknowledge } })).rejects.toMatchObject({ name: 'DecodeError' });
  });

  it('reports an error carried in DONE (dump errors)', async () => {
    const conn = dial((reqs) => {
      if (!reqs) return null;
      const done = multipart([reply(reqs[0]!, 24)])[1]!;
      new DataView(done.data.buffer).setInt32(0, -22, true);
      return [done];
    });
    const err = await conn.execute({ header: { type: 26, flags: Request | Dump } }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EINVAL');
  });

  it('surfaces NLM_F_DUMP_INTR set only on DONE, with every message', async () => {
    const conn = dial((reqs) => {
      if (!reqs) return null;
      const msgs = multipart([reply(reqs[0]!, 16), reply(reqs[0]!, 16)]);
      msgs.at(-1)!.header.flags |= DumpInterrupted;
      return msgs;
    });
    const err = await conn.execute({ header: { type: 18, flags: Request | Dump } }).catch((e) => e);
    expect(err).toBeInstanceOf(DumpInterruptedError);
    expect(err.messages).toHaveLength(3);
    const again = await conn.execute({ header: { type: 18, flags: Request | Dump } }, { dumpInterrupted: 'ignore' });
    expect(again).toHaveLength(3);
  });

  it('sets multicast traffic aside instead of taking it for the reply', async () => {
    const sock: FakeSocket = new FakeSocket((reqs) => {
      if (!reqs) return null;
      // A notification lands before the answer.
      sock.inject([{ header: { length: 20, type: 16, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(4) }], 1);
      return [reply(reqs[0]!, 16, new Uint8Array([9, 9, 9, 9]))];
    });
    const conn = new Conn(0, sock, { debug: '' });
    const r = await conn.execute({ header: { type: 18 } });
    expect(r).toHaveLength(1);
    expect(Array.from(r[0]!.data)).toEqual([9, 9, 9, 9]);
    const d = await conn.receiveDatagram({ timeout: 1000 });
    expect(d.groups).toBe(1);
    expect(d.messages[0]!.header.sequence).toBe(0);
  });

  it('skips stale replies to an abandoned request', async () => {
    let pending: Message | undefined;
    const sock: FakeSocket = new FakeSocket((reqs) => {
      if (!reqs) return null;
      if (!pending) {
        pending = reqs[0]; // never answered in time
        return null;
      }
      return [reply(pending, 16), reply(reqs[0]!, 16, new Uint8Array([7, 0, 0, 0]))];
    });
    const conn = new Conn(0, sock, { debug: '' });
    await expect(conn.execute({ header: { type: 18 } }, { timeout: 20 })).rejects.toThrow(/timeout|aborted/i);
    const r = await conn.execute({ header: { type: 18 } }, { timeout: 1000 });
    expect(r).toHaveLength(1);
    expect(r[0]!.data[0]).toBe(7);
  });

  it('serialises concurrent executes so replies never cross', async () => {
    const conn = dial((reqs) => reqs && multipart([reply(reqs[0]!, 16), reply(reqs[0]!, 16), reply(reqs[0]!, 16)]));
    const results = await Promise.all(Array.from({ length: 20 }, () => conn.execute({ header: { type: 18, flags: Request | Dump } })));
    for (const r of results) {
      expect(r).toHaveLength(4);
      expect(new Set(r.map((m) => m.header.sequence)).size).toBe(1);
    }
    expect(new Set(results.map((r) => r[0]!.header.sequence)).size).toBe(20);
  });

  it('aborts with the signal reason', async () => {
    const conn = dial(() => null);
    const ac = new AbortController();
    const p = conn.execute({ header: { type: 18 } }, { signal: ac.signal });
    ac.abort(new Error('stop now'));
    await expect(p).rejects.toThrow('stop now');
  });
});

describe('Conn.receiveIter', () => {
  it('streams a multipart reply and stops after DONE', async () => {
    const conn = dial((reqs) => reqs && multipart([1, 2, 3].map(() => reply(reqs[0]!, 16))));
    conn.send({ header: { type: 18, flags: Request | Dump } });
    const seen: number[] = [];
    for await (const m of conn.receiveIter()) seen.push(m.header.type);
    expect(seen).toEqual([16, 16, 16, HeaderType.Done]);
  });

  it('drains the rest of a multipart reply when the consumer leaves early', async () => {
    const conn = dial((reqs) => reqs && multipart([1, 2, 3, 4, 5, 6].map(() => reply(reqs[0]!, 16))));
    conn.send({ header: { type: 18, flags: Request | Dump } });
    for await (const m of conn.receiveIter()) {
      expect(m.header.type).toBe(16);
      break;
    }
    // The next request gets its own reply, not leftovers.
    const r = await conn.execute({ header: { type: 18, flags: Request | Dump } });
    expect(r).toHaveLength(7);
  });

  it('receive() throws DumpInterruptedError carrying the messages', async () => {
    const conn = dial((reqs) => {
      if (!reqs) return null;
      const msgs = multipart([reply(reqs[0]!, 16)]);
      msgs[0]!.header.flags |= DumpInterrupted;
      return msgs;
    });
    conn.send({ header: { type: 18, flags: Request | Dump } });
    const err = await conn.receive().catch((e) => e);
    expect(err).toBeInstanceOf(DumpInterruptedError);
    expect(err.messages).toHaveLength(2);
  });
});

describe('read-ahead (a transport with receiveAhead)', () => {
  /**
   * A transport that holds one part of a dump, then reads ahead as `ahead` says; after that the
   * dump's DONE is queued for receive().
   */
  function transport(ahead: () => Promise<Datagram | null>): { socket: Socket; calls: () => number } {
    let part: Uint8Array | undefined;
    let seq = 0;
    let calls = 0;
    const socket: Socket = {
      pid: PID,
      send(bytes) {
        seq = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
        const m: Message = { header: { length: 20, type: 16, flags: Multi, sequence: seq, pid: PID }, data: new Uint8Array(4) };
        part = marshalMessages([m]);
      },
      receive() {
        const d = part;
        part = undefined;
        return d ? { data: d, portid: 0, groups: 0 } : null;
      },
      receiveAhead() {
        calls++;
        part = marshalMessages([{ header: { length: 20, type: HeaderType.Done, flags: Multi, sequence: seq, pid: PID }, data: new Uint8Array(4) }]);
        return ahead();
      },
      watch() {},
      unwatch() {},
      close() {},
    };
    return { socket, calls: () => calls };
  }

  it('a timeout ends a wait for a read-ahead the thread pool never gets to', async () => {
    const { socket, calls } = transport(() => new Promise(() => {}));
    const conn = new Conn(0, socket);
    conn.send({ header: { type: 18, flags: Request | Dump } });
    const it = conn.receiveBatches({ timeout: 50 });
    expect((await it.next()).value).toHaveLength(1);
    await expect(it.next()).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(calls()).toBe(1);
  });

  it('a failed read-ahead reaches the reader as its error (the rest of the dump is then discarded)', async () => {
    const { socket } = transport(() => Promise.reject(systemError('recvmsg', -105)));
    const conn = new Conn(0, socket);
    conn.send({ header: { type: 18, flags: Request | Dump } });
    const it = conn.receiveBatches({ timeout: 1000 });
    expect((await it.next()).value).toHaveLength(1);
    await expect(it.next()).rejects.toMatchObject({ code: 'ENOBUFS' });
  });
});

describe('Conn lifecycle and features', () => {
  it('close wakes a pending receive with EBADF and later calls fail with EBADF', async () => {
    const conn = dial(() => null);
    const p = conn.receiveDatagram();
    setTimeout(() => conn.close(), 5);
    await expect(p).rejects.toMatchObject({ code: 'EBADF', syscall: 'recvmsg' });
    expect(() => conn.send({ header: { type: 16 } })).toThrow(/EBADF/);
    expect(() => conn.joinGroup(1)).toThrow(/EBADF/);
    await expect(conn.receive()).rejects.toMatchObject({ code: 'EBADF' });
    conn.close(); // idempotent
  });

  it('passes options, groups, buffers and BPF to the transport', () => {
    const sock = new FakeSocket(() => null);
    const conn = new Conn(0, sock, { debug: '' });
    conn.joinGroup(40);
    conn.joinGroup(1);
    expect(conn.groups()).toEqual([1, 40]);
    conn.leaveGroup(40);
    expect(conn.groups()).toEqual([1]);
    conn.setOption(ConnOption.CapAcknowledge, true);
    expect(conn.getOption(ConnOption.CapAcknowledge)).toBe(true);
    expect(() => conn.setOption('nope' as ConnOption, true)).toThrow(TypeError);
    conn.setReadBuffer(8192);
    expect(conn.readBuffer()).toBe(16384);
    conn.setBPF([{ code: 0x06, jt: 0, jf: 0, k: 0xffffffff }]);
    expect(Array.from(sock.bpf!)).toEqual([6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    expect(() => conn.setBPF([])).toThrow(RangeError);
    expect(() => conn.setBPF([{ code: 0x10000, jt: 0, jf: 0, k: 0 }])).toThrow(RangeError);
    conn.removeBPF();
    expect(sock.bpf).toBeUndefined();
    expect(() => conn.joinGroup(0)).toThrow(RangeError);
  });

  it('says "not supported" for features a transport lacks', () => {
    const minimal = {
      pid: 5,
      send() {},
      receive: () => null,
      watch() {},
      unwatch() {},
      close() {},
    };
    const conn = new Conn(0, minimal, { debug: '' });
    expect(conn.pid).toBe(5);
    for (const call of [() => conn.joinGroup(1), () => conn.setOption(ConnOption.PacketInfo, true), () => conn.readBuffer(), () => conn.removeBPF()]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_NETLINK_NOT_SUPPORTED' }));
    }
  });
});

describe('notifications', () => {
  it('delivers notifications with their group and reports an overrun without stopping', async () => {
    const sock = new FakeSocket(() => null);
    const conn = new Conn(0, sock, { debug: '' });
    conn.setOption(ConnOption.PacketInfo, true);
    const l = new Listener(conn);
    const ac = new AbortController();
    const seen: string[] = [];
    setTimeout(() => {
      sock.inject([{ header: { length: 16, type: 16, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(0) }], 1);
      sock.injectError(systemError('recvmsg', -105));
      sock.inject([{ header: { length: 16, type: 17, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array(0) }], 40);
    }, 5);
    await l.handle(
      (ev) => {
        seen.push(ev.kind === 'message' ? `${ev.message.header.type}@${ev.group}` : ev.kind);
        if (seen.length === 3) ac.abort();
      },
      { signal: ac.signal },
    );
    expect(seen).toEqual(['16@1', 'overrun', '17@40']);
  });

  it('ends quietly when the connection closes', async () => {
    const conn = dial(() => null);
    setTimeout(() => conn.close(), 5);
    const events = [];
    for await (const ev of notifications(conn)) events.push(ev);
    expect(events).toEqual([]);
  });
});

describe('NLDEBUG', () => {
  it('prints sends and receives in text format to the configured writer', async () => {
    const out: string[] = [];
    const conn = dial((reqs) => reqs && [ack(reqs[0]!)], { debug: { level: 1, format: 'text', write: (s) => out.push(s) } });
    await conn.execute({ header: { type: 0, flags: Request | Acknowledge, sequence: 1234 } });
    expect(out[0]).toBe('nl: send: {len=16 type=0 flags=request|ack seq=1234 pid=1}\n');
    expect(out[1]).toMatch(/^nl: recv: \{len=36 type=2 flags=capped seq=1234 pid=1\} 00000000/);
  });

  it('prints libmnl blocks in mnl format', async () => {
    const out: string[] = [];
    const conn2 = dial((reqs) => reqs && [ack(reqs[0]!)], { family: 16, debug: { level: 1, format: 'mnl', color: false, write: (s) => out.push(s) } });
    await conn2.execute({ header: { type: 0x10, flags: Request | Acknowledge, sequence: 1 }, data: new Uint8Array([3, 1, 0, 0]) });
    expect(out[0]).toContain('|  0000000020  |\t| message length |');
    expect(out[0]).toContain('| 03 01 00 00  |\t|  extra header  |');
    expect(out[1]).toContain('| 00002 | ---- |\t|  type | flags  |');
  });

  it('never throws on a bad setting', () => {
    expect(() => dial(() => null, { debug: 'level=x,format=zzz,,=,a=b=c' })).not.toThrow();
  });
});
