// The native socket shim on its own: argument checking, the real kernel (CI runs as root), network
// namespaces, the poll callback's corner cases, Workers, and a garbage-calling child that must
// never crash (also run under valgrind).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants, endianness, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadNative,
  type NativeReceived,
  type NativeSocket,
} from '../src/netlink/native.js';
import { publicCopy, removePublicCopy } from './helpers/public-copy.js';
import { createNetns, type Netns } from './helpers/netns.js';

const native = loadNative();
const C = native.constants;
const here = dirname(fileURLToPath(import.meta.url));
const ADDON = process.env.NLCTL_NATIVE || resolve(here, '..', 'build', 'Release', 'nlctl_native.node');

const ROUTE = 0;
const GENERIC = 16;
const NLMSG_NOOP = 1;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const IFLA_IFNAME = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const RTNLGRP_LINK = 1;
const LE = endianness() === 'LE';

// ---- helpers ----

const opened: NativeSocket[] = [];
const namespaces: Netns[] = [];
const haveValgrind = spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0;
let garbageNs: Netns; // where the garbage-calling children open their sockets
let valgrindRun: Promise<ChildResult> | undefined; // started in beforeAll, checked by the last test
let valgrindDir: string | undefined;

function openOk(protocol: number, netnsPath?: string): NativeSocket {
  const r = native.open(protocol, netnsPath);
  if (!('socket' in r)) throw new Error(`open(${protocol}, ${netnsPath}) failed: ${JSON.stringify(r)}`);
  opened.push(r.socket);
  return r.socket;
}

function scratchNetns(): Netns {
  const ns = createNetns('nlctl-native');
  namespaces.push(ns);
  return ns;
}

/** A netlink message in host byte order: 16-byte nlmsghdr plus payload. */
function nlmsg(type: number, flags: number, seq: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(16 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, out.length, LE);
  v.setUint16(4, type, LE);
  v.setUint16(6, flags, LE);
  v.setUint32(8, seq, LE);
  v.setUint32(12, 0, LE);
  out.set(payload, 16);
  return out;
}

/** NLMSG_NOOP with REQUEST|ACK: the kernel answers with an NLMSG_ERROR of error 0 (36 bytes). */
const ping = (seq = 1): Uint8Array => nlmsg(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, seq);

interface Header {
  len: number;
  type: number;
  flags: number;
  seq: number;
  offset: number;
}

/** Walks the nlmsghdrs of one datagram. */
function headers(buf: Uint8Array): Header[] {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Header[] = [];
  for (let off = 0; off + 16 <= buf.length; ) {
    const len = v.getUint32(off, LE);
    if (len < 16 || off + len > buf.length) break;
    out.push({ len, type: v.getUint16(off + 4, LE), flags: v.getUint16(off + 6, LE), seq: v.getUint32(off + 8, LE), offset: off });
    off += (len + 3) & ~3;
  }
  return out;
}

function received(r: NativeReceived | number): NativeReceived {
  if (typeof r === 'number') throw new Error(`recv failed with ${r}`);
  return r;
}

/** Resolves with the status of the next poll callback (and stops polling), or rejects. */
function readable(sock: NativeSocket, ms = 3000): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      sock.stopPoll();
      reject(new Error('socket did not become readable'));
    }, ms);
    sock.poll((status) => {
      clearTimeout(timer);
      sock.stopPoll();
      resolvePromise(status);
    });
  });
}

/** Waits until readable, then reads one whole datagram (peek for its size first). */
async function recvDatagram(sock: NativeSocket): Promise<{ data: Uint8Array; info: NativeReceived }> {
  for (;;) {
    const peek = sock.recv(null, C.MSG_PEEK);
    if (peek === -C.EAGAIN) {
      await readable(sock);
      continue;
    }
    const size = received(peek).n;
    const buf = new Uint8Array(Math.max(size, 32768));
    const info = received(sock.recv(buf, 0));
    expect(info.flags & C.MSG_TRUNC).toBe(0);
    return { data: buf.subarray(0, info.n), info };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or a rejection naming what did not happen within `ms`. */
function within<T>(promise: Promise<T>, what: string, ms = 3000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `prefix... node [nodeArgs] -e script` asynchronously (the test's event loop keeps running). */
function runChild(
  script: string,
  opts: { prefix?: string[]; nodeArgs?: string[]; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Promise<ChildResult> {
  const argv = [...(opts.prefix ?? []), process.execPath, ...(opts.nodeArgs ?? []), '-e', script];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, NLCTL_ADDON: ADDON, ...opts.env },
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

function expectCleanExit(r: ChildResult): void {
  const detail = `exit ${r.code} signal ${r.signal}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  expect(r.signal, detail).toBeNull();
  expect(r.code, detail).toBe(0);
}

afterAll(async () => {
  removePublicCopy();
  for (const s of opened) s.close();
  // Let a still-running valgrind child finish (or be killed by its timeout) before its
  // namespace goes away.
  await valgrindRun?.catch(() => undefined);
  for (const ns of namespaces) ns.destroy();
  if (valgrindDir) rmSync(valgrindDir, { recursive: true, force: true });
});

// ---- constants ----

describe('constants', () => {
  it('come from the headers and agree with Node where Node knows them', () => {
    expect(C.AF_NETLINK).toBe(16);
    expect(C.SOL_NETLINK).toBe(270);
    expect(C.EAGAIN).toBe(osConstants.errno.EAGAIN);
    expect(C.EINTR).toBe(osConstants.errno.EINTR);
    expect(C.EBADF).toBe(osConstants.errno.EBADF);
    expect(C.ENOBUFS).toBe(osConstants.errno.ENOBUFS);
    for (const [name, value] of Object.entries(C)) {
      expect(Number.isInteger(value), name).toBe(true);
    }
    expect(Object.isFrozen(C)).toBe(true);
  });
});

// ---- argument validation ----

describe('argument validation', () => {
  it('open() checks protocol and netnsPath', () => {
    const open = native.open as (...args: unknown[]) => unknown;
    expect(() => open()).toThrow(TypeError);
    expect(() => open('0')).toThrow(TypeError);
    expect(() => open(0n)).toThrow(TypeError);
    expect(() => open(null)).toThrow(TypeError);
    expect(() => open(-1)).toThrow(RangeError);
    expect(() => open(1.5)).toThrow(RangeError);
    expect(() => open(NaN)).toThrow(RangeError);
    expect(() => open(Infinity)).toThrow(RangeError);
    expect(() => open(2 ** 31)).toThrow(RangeError);
    expect(() => open(0, 5)).toThrow(TypeError);
    expect(() => open(0, null)).toThrow(TypeError);
    expect(() => open(0, {})).toThrow(TypeError);
    expect(() => open(0, '/run/netns/a\0b')).toThrow(TypeError);
    // The kernel, not the shim, decides which protocol numbers exist.
    expect(open(2 ** 31 - 1)).toEqual({ errno: -osConstants.errno.EPROTONOSUPPORT, syscall: 'socket' });
  });

  type Case = [args: unknown[], error: typeof TypeError | typeof RangeError];
  const cases: Record<string, Case[]> = {
    bind: [
      [[], TypeError],
      [['0', 0], TypeError],
      [[0], TypeError],
      [[0n, 0], TypeError],
      [[-1, 0], RangeError],
      [[2 ** 32, 0], RangeError],
      [[0, 0.5], RangeError],
      [[NaN, 0], RangeError],
      [[0, -Infinity], RangeError],
    ],
    send: [
      [[[1, 2], 0, 0], TypeError],
      [[null, 0, 0], TypeError],
      [[new Uint16Array(8), 0, 0], TypeError],
      [[new ArrayBuffer(16), 0, 0], TypeError],
      [[new DataView(new ArrayBuffer(16)), 0, 0], TypeError],
      [[new Uint8Array(16)], TypeError],
      [[new Uint8Array(16), -1, 0], RangeError],
      [[new Uint8Array(16), 0, 2 ** 32], RangeError],
    ],
    recv: [
      [[], TypeError],
      [[undefined, 0], TypeError],
      [[new ArrayBuffer(4), 0], TypeError],
      [[new Int8Array(4), 0], TypeError],
      [['abc', 0], TypeError],
      [[null], TypeError],
      [[null, '0'], TypeError],
      [[null, -1], RangeError],
      [[null, 2 ** 31], RangeError],
      [[null, 0.25], RangeError],
    ],
    setsockopt: [
      [[1, 1], TypeError],
      [['1', 1, 1], TypeError],
      [[1, 1, true], TypeError],
      [[2 ** 31, 1, 1], RangeError],
      [[1, -(2 ** 31) - 1, 1], RangeError],
      [[1, 1, 2 ** 31], RangeError],
      [[1, 1, 1.5], RangeError],
    ],
    getsockopt: [
      [[1], TypeError],
      [[{}, 1], TypeError],
      [[1, 2 ** 31], RangeError],
      [[NaN, 1], RangeError],
    ],
    getsockoptBytes: [
      [[1, 1], TypeError],
      [[1, 1, '4'], TypeError],
      [[1, 1, -1], RangeError],
      [[1, 1, 65537], RangeError],
      [[1, 1, 3.5], RangeError],
      [[2 ** 31, 1, 4], RangeError],
    ],
    attachFilter: [
      [[], TypeError],
      [[null], TypeError],
      [[[6, 0, 0, 0, 0, 0, 0, 0]], TypeError],
      [[new Uint32Array(2)], TypeError],
      [[new Uint8Array(0)], RangeError],
      [[new Uint8Array(7)], RangeError],
      [[new Uint8Array(12)], RangeError],
      [[new Uint8Array(8 * 4097)], RangeError],
    ],
    poll: [
      [[], TypeError],
      [[123], TypeError],
      [[{}], TypeError],
    ],
    recvAsync: [
      [[], TypeError],
      [['64', () => {}], TypeError],
      [[64n, () => {}], TypeError],
      [[64], TypeError],
      [[64, {}], TypeError],
      [[0, () => {}], RangeError],
      [[-1, () => {}], RangeError],
      [[1.5, () => {}], RangeError],
      [[NaN, () => {}], RangeError],
      [[Infinity, () => {}], RangeError],
      [[64 * 1024 * 1024 + 1, () => {}], RangeError],
    ],
  };

  for (const closed of [false, true]) {
    for (const [method, list] of Object.entries(cases)) {
      it(`${method}() throws on bad arguments (${closed ? 'closed' : 'open'} socket)`, () => {
        const s = openOk(GENERIC);
        if (closed) s.close();
        const fn = (s as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!;
        for (const [args, error] of list) {
          expect(() => fn.apply(s, args), `${method}(${String(args)})`).toThrow(error);
        }
        s.close();
      });
    }
  }

  it('methods refuse a `this` that is not a socket, and the class cannot be constructed', () => {
    const s = openOk(GENERIC);
    const proto = Object.getPrototypeOf(s) as Record<string, unknown>;
    for (const name of ['bind', 'getsockname', 'recv', 'recvAsync', 'close', 'poll', 'stopPoll', 'ref', 'unref', 'detachFilter']) {
      const fn = proto[name] as (...a: unknown[]) => unknown;
      for (const self of [{}, Object.create(proto), null, undefined, 5, Buffer.alloc(8), new Uint8Array(8)]) {
        expect(() => fn.call(self, 0, 0), name).toThrow(TypeError);
      }
    }
    for (const getter of ['closed', 'protocol']) {
      const get = Object.getOwnPropertyDescriptor(proto, getter)!.get!;
      expect(() => get.call({})).toThrow(TypeError);
    }
    const Ctor = proto.constructor as new (...a: unknown[]) => unknown;
    expect(() => new Ctor()).toThrow(TypeError);
    expect(() => new Ctor(3, 16)).toThrow(TypeError);
    expect(() => (Ctor as unknown as (...a: unknown[]) => unknown)(3)).toThrow(TypeError);
    class Sub extends (Ctor as new () => object) {}
    expect(() => new Sub()).toThrow(TypeError);
    // The fd is never exposed.
    expect(Object.keys(s)).toEqual([]);
    s.close();
  });

  it('a closed socket answers -EBADF everywhere, close() is idempotent, poll() is a silent no-op', async () => {
    const s = openOk(GENERIC);
    expect(s.closed).toBe(false);
    expect(s.close()).toBe(0);
    expect(s.close()).toBe(0);
    expect(s.closed).toBe(true);
    expect(s.protocol).toBe(GENERIC);
    const EBADF = -C.EBADF;
    expect(s.bind(0, 0)).toBe(EBADF);
    expect(s.getsockname()).toBe(EBADF);
    expect(s.send(ping(), 0, 0)).toBe(EBADF);
    expect(s.recv(null, 0)).toBe(EBADF);
    expect(s.recv(new Uint8Array(64), C.MSG_PEEK)).toBe(EBADF);
    expect(s.setsockopt(C.SOL_NETLINK, C.NETLINK_EXT_ACK, 1)).toBe(EBADF);
    expect(s.getsockopt(C.SOL_NETLINK, C.NETLINK_EXT_ACK)).toBe(EBADF);
    expect(s.getsockoptBytes(C.SOL_NETLINK, C.NETLINK_LIST_MEMBERSHIPS, 16)).toBe(EBADF);
    expect(s.attachFilter(new Uint8Array(8))).toBe(EBADF);
    expect(s.detachFilter()).toBe(EBADF);
    expect(s.recvAsync(64, () => {})).toBe(EBADF);
    let called = 0;
    expect(s.poll(() => called++)).toBeUndefined();
    expect(s.stopPoll()).toBeUndefined();
    expect(s.ref()).toBeUndefined();
    expect(s.unref()).toBeUndefined();
    await sleep(30);
    expect(called).toBe(0);
  });
});

// ---- the real kernel ----

describe('real kernel', () => {
  it('opens NETLINK_ROUTE and NETLINK_GENERIC; bind(0, 0) gets a port ID', () => {
    for (const protocol of [ROUTE, GENERIC]) {
      const s = openOk(protocol);
      expect(s.protocol).toBe(protocol);
      expect(s.closed).toBe(false);
      expect(s.bind(0, 0)).toBe(0);
      const name = s.getsockname();
      if (typeof name === 'number') throw new Error(`getsockname: ${name}`);
      expect(name.portid).toBeGreaterThan(0);
      expect(name.groups).toBe(0);
      // A second bind to another address is refused by the kernel, reported as -errno.
      expect(s.bind(name.portid + 1, 0)).toBeLessThan(0);
      expect(s.close()).toBe(0);
    }
  });

  it('a genl ping is answered with an ACK, seen through poll, peek and recv', async () => {
    const s = openOk(GENERIC);
    expect(s.bind(0, 0)).toBe(0);
    expect(s.recv(null, C.MSG_PEEK)).toBe(-C.EAGAIN);
    expect(s.recv(new Uint8Array(64), 0)).toBe(-C.EAGAIN);
    expect(s.send(ping(1), 0, 0)).toBe(16);
    expect(await readable(s)).toBe(0);

    const peek = received(s.recv(null, C.MSG_PEEK));
    expect(peek.n).toBe(36);
    expect(peek.flags & C.MSG_TRUNC).toBe(C.MSG_TRUNC);
    expect(peek.portid).toBe(0);
    expect(peek.group).toBeUndefined();
    expect(peek.nsid).toBeUndefined();

    const buf = new Uint8Array(64);
    const r = received(s.recv(buf, 0));
    expect(r).toEqual({ n: 36, flags: 0, portid: 0, groups: 0 });
    const [h] = headers(buf.subarray(0, r.n));
    expect(h).toMatchObject({ len: 36, type: NLMSG_ERROR, seq: 1 });
    expect(new DataView(buf.buffer).getInt32(16, LE)).toBe(0); // error 0: an ACK
    expect(s.recv(buf, 0)).toBe(-C.EAGAIN);
  });

  it('recvAsync reads a datagram on the thread pool: EAGAIN when none, EBUSY while one runs, data when it fits', async () => {
    const s = openOk(GENERIC);
    expect(s.bind(0, 0)).toBe(0);
    const once = (size: number) =>
      new Promise<Parameters<Parameters<NativeSocket['recvAsync']>[1]>[0]>((done, fail) => {
        const r = s.recvAsync(size, done);
        if (r !== 0) fail(new Error(`recvAsync returned ${r}`));
      });
    expect(await once(64)).toBe(-C.EAGAIN);
    s.send(ping(3), 0, 0);
    await readable(s);
    const pending = once(64);
    // One at a time: a second call while the first runs is refused, not queued.
    expect(s.recvAsync(64, () => {})).toBe(-osConstants.errno.EBUSY);
    const r = await pending;
    if (typeof r === 'number') throw new Error(`recvAsync failed with ${r}`);
    expect(r).toMatchObject({ n: 36, portid: 0, groups: 0 });
    expect(r.data).toBeInstanceOf(Uint8Array);
    // A plain Uint8Array, as recv() callers build theirs: not a Buffer, whose slice() is a view.
    expect(Buffer.isBuffer(r.data)).toBe(false);
    expect(r.data!.length).toBe(36);
    expect(headers(r.data!)[0]).toMatchObject({ len: 36, type: NLMSG_ERROR, seq: 3 });
    expect(s.recv(new Uint8Array(64), 0)).toBe(-C.EAGAIN);
  });

  it('recvAsync leaves a datagram that does not fit queued, for a recv with a big enough buffer', async () => {
    const s = openOk(GENERIC);
    s.send(ping(4), 0, 0);
    await readable(s);
    const r = await new Promise<Parameters<Parameters<NativeSocket['recvAsync']>[1]>[0]>((done) => s.recvAsync(20, done));
    if (typeof r === 'number') throw new Error(`recvAsync failed with ${r}`);
    expect(r.n).toBe(36);
    expect(r.data).toBeUndefined();
    const buf = new Uint8Array(64);
    expect(received(s.recv(buf, 0)).n).toBe(36);
    expect(headers(buf.subarray(0, 36))[0]!.seq).toBe(4);
  });

  it('close() during a recvAsync: the callback gets EBADF and the fd is closed once the thread is done', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 0; i < 50; i++) {
      const s = openOk(GENERIC);
      s.send(ping(i), 0, 0);
      const r = new Promise<unknown>((done) => expect(s.recvAsync(64, done)).toBe(0));
      expect(s.close()).toBe(0);
      expect(s.closed).toBe(true);
      // Whether the thread ran before or after close(), the caller hears that the socket is closed.
      expect(await r).toBe(-C.EBADF);
    }
    expect(fds()).toBe(before);
  });

  it('a too-small buffer reports MSG_TRUNC and the real length, and the datagram is gone', async () => {
    const s = openOk(GENERIC);
    s.send(ping(7), 0, 0);
    await readable(s);
    const small = new Uint8Array(20);
    const r = received(s.recv(small, 0));
    expect(r.n).toBe(36);
    expect(r.flags & C.MSG_TRUNC).toBe(C.MSG_TRUNC);
    expect(new DataView(small.buffer).getUint32(0, LE)).toBe(36);
    expect(s.recv(small, 0)).toBe(-C.EAGAIN);
    // A Buffer at an odd offset inside a larger ArrayBuffer works as well.
    s.send(ping(8), 0, 0);
    await readable(s);
    const backing = new Uint8Array(100);
    const view = backing.subarray(3, 3 + 36);
    expect(received(s.recv(view, 0)).n).toBe(36);
    expect(new DataView(backing.buffer).getUint32(3, LE)).toBe(36);
  });

  it('int socket options round-trip; SO_RCVBUF is doubled by the kernel', () => {
    const s = openOk(GENERIC);
    expect(s.setsockopt(C.SOL_NETLINK, C.NETLINK_EXT_ACK, 1)).toBe(0);
    expect(s.getsockopt(C.SOL_NETLINK, C.NETLINK_EXT_ACK)).toEqual({ value: 1 });
    expect(s.setsockopt(C.SOL_NETLINK, C.NETLINK_EXT_ACK, 0)).toBe(0);
    expect(s.getsockopt(C.SOL_NETLINK, C.NETLINK_EXT_ACK)).toEqual({ value: 0 });
    expect(s.setsockopt(C.SOL_SOCKET, C.SO_RCVBUF, 8192)).toBe(0);
    expect(s.getsockopt(C.SOL_SOCKET, C.SO_RCVBUF)).toEqual({ value: 16384 });
    // Unknown options are the kernel's business: -ENOPROTOOPT, not an exception.
    expect(s.getsockopt(C.SOL_NETLINK, 9999)).toBe(-osConstants.errno.ENOPROTOOPT);
    expect(s.setsockopt(C.SOL_NETLINK, 9999, 1)).toBe(-osConstants.errno.ENOPROTOOPT);
  });

  it('getsockoptBytes(NETLINK_LIST_MEMBERSHIPS) shows a joined group', () => {
    const s = openOk(ROUTE);
    expect(s.setsockopt(C.SOL_NETLINK, C.NETLINK_ADD_MEMBERSHIP, RTNLGRP_LINK)).toBe(0);
    const bytes = s.getsockoptBytes(C.SOL_NETLINK, C.NETLINK_LIST_MEMBERSHIPS, 64);
    if (typeof bytes === 'number') throw new Error(`getsockoptBytes: ${bytes}`);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBeGreaterThanOrEqual(4);
    expect(bytes.length % 4).toBe(0);
    expect(bytes[0]! & 1).toBe(1);
    // The kernel reports the length it needs; the shim never returns more than was asked for.
    const none = s.getsockoptBytes(C.SOL_NETLINK, C.NETLINK_LIST_MEMBERSHIPS, 0);
    expect(none).toEqual(new Uint8Array(0));
    expect(s.setsockopt(C.SOL_NETLINK, C.NETLINK_DROP_MEMBERSHIP, RTNLGRP_LINK)).toBe(0);
    const after = s.getsockoptBytes(C.SOL_NETLINK, C.NETLINK_LIST_MEMBERSHIPS, 64);
    if (typeof after === 'number') throw new Error(`getsockoptBytes: ${after}`);
    expect(after[0]! & 1).toBe(0);
  });

  it('a drop-everything BPF filter stops the ACK; detaching lets it through again', async () => {
    const s = openOk(GENERIC);
    s.bind(0, 0);
    // One classic BPF instruction, `ret #0` (BPF_RET|BPF_K = 0x06, k = 0), in host order.
    const program = new Uint8Array(8);
    const v = new DataView(program.buffer);
    v.setUint16(0, 0x06, LE);
    v.setUint8(2, 0);
    v.setUint8(3, 0);
    v.setUint32(4, 0, LE);
    expect(s.attachFilter(program)).toBe(0);
    expect(s.send(ping(21), 0, 0)).toBe(16);
    await sleep(100);
    expect(s.recv(null, C.MSG_PEEK)).toBe(-C.EAGAIN);
    expect(s.detachFilter()).toBe(0);
    expect(s.detachFilter()).toBe(-osConstants.errno.ENOENT);
    expect(s.send(ping(22), 0, 0)).toBe(16);
    const { data } = await recvDatagram(s);
    expect(headers(data)[0]).toMatchObject({ type: NLMSG_ERROR, seq: 22 });
    // The kernel's verifier rejects an invalid program (a jump out of range) with -EINVAL.
    const bad = new Uint8Array(8);
    new DataView(bad.buffer).setUint16(0, 0x05, LE); // BPF_JMP|BPF_JA
    new DataView(bad.buffer).setUint32(4, 100, LE);
    expect(s.attachFilter(bad)).toBe(-osConstants.errno.EINVAL);
  });

  it('ref()/unref() before and while polling do not disturb delivery', async () => {
    const s = openOk(GENERIC);
    s.unref();
    s.ref();
    s.send(ping(31), 0, 0);
    const seen = await new Promise<number>((res) => {
      s.poll(() => {
        s.unref();
        s.ref();
        s.unref();
        res(received(s.recv(new Uint8Array(64), 0)).n);
        s.stopPoll();
        s.stopPoll();
      });
    });
    expect(seen).toBe(36);
  });

  it('calling poll() again replaces the callback', async () => {
    const s = openOk(GENERIC);
    const calls: string[] = [];
    s.poll(() => calls.push('first'));
    const done = new Promise<void>((res) => {
      s.poll(() => {
        calls.push('second');
        s.recv(new Uint8Array(64), 0);
        s.stopPoll();
        res();
      });
    });
    s.send(ping(41), 0, 0);
    await done;
    expect(calls).toEqual(['second']);
  });

  it('close() from inside the poll callback is safe and ends the callbacks', async () => {
    const s = openOk(GENERIC);
    let calls = 0;
    s.send(ping(51), 0, 0);
    s.send(ping(52), 0, 0);
    await new Promise<void>((res) => {
      s.poll((status) => {
        calls++;
        expect(status).toBe(0);
        // Data is left unread on purpose: level-triggered polling would call again if the
        // watch survived the close.
        expect(s.close()).toBe(0);
        expect(s.close()).toBe(0);
        expect(s.recv(null, 0)).toBe(-C.EBADF);
        s.poll(() => calls++); // silently ignored on a closed socket
        res();
      });
    });
    await sleep(50);
    expect(calls).toBe(1);
    expect(s.closed).toBe(true);
  });

  it('stopPoll() from inside the callback, then poll() again, keeps working', async () => {
    const s = openOk(GENERIC);
    s.send(ping(61), 0, 0);
    const statuses: number[] = [];
    await new Promise<void>((res) => {
      s.poll((status) => {
        statuses.push(status);
        s.stopPoll();
        s.recv(new Uint8Array(64), 0);
        s.send(ping(62), 0, 0);
        s.poll((again) => {
          statuses.push(again);
          s.recv(new Uint8Array(64), 0);
          s.stopPoll();
          res();
        });
      });
    });
    expect(statuses).toEqual([0, 0]);
  });
});

// ---- network namespaces ----

describe('network namespaces', () => {
  let dumpNs: Netns;
  let eventNs: Netns;
  beforeAll(() => {
    dumpNs = scratchNetns();
    eventNs = scratchNetns();
  });

  async function dumpLinks(s: NativeSocket, seq: number): Promise<string[]> {
    expect(s.send(nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, new Uint8Array(16)), 0, 0)).toBe(32);
    const names: string[] = [];
    for (;;) {
      const { data } = await recvDatagram(s);
      for (const h of headers(data)) {
        expect(h.seq).toBe(seq);
        if (h.type === NLMSG_DONE) return names;
        expect(h.type).toBe(RTM_NEWLINK);
        // The interface name, to make failures readable: walk the attributes after ifinfomsg.
        const v = new DataView(data.buffer, data.byteOffset);
        let name = '?';
        for (let a = h.offset + 32; a + 4 <= h.offset + h.len; ) {
          const alen = v.getUint16(a, LE);
          if (alen < 4) break;
          if (v.getUint16(a + 2, LE) === IFLA_IFNAME) {
            name = Buffer.from(data.subarray(a + 4, a + alen)).toString().replace(/\0+$/, '');
          }
          a += (alen + 3) & ~3;
        }
        names.push(name);
      }
    }
  }

  it('a socket opened with netnsPath lives in that namespace; this thread never moves', async () => {
    const before = readlinkSync('/proc/thread-self/ns/net');
    const s = openOk(ROUTE, dumpNs.path);
    expect(readlinkSync('/proc/thread-self/ns/net')).toBe(before);
    expect(await dumpLinks(s, 100)).toEqual(['lo']);
    // The same dump from a socket of this namespace sees the host's interfaces instead.
    const host = openOk(ROUTE);
    const hostLinks = await dumpLinks(host, 101);
    expect(hostLinks.length).toBeGreaterThanOrEqual(1);
    expect(readlinkSync('/proc/thread-self/ns/net')).toBe(before);
  });

  it('reports the failing step of a namespace open', () => {
    expect(native.open(ROUTE, `/run/netns/nlctl-native-missing-${process.pid}`)).toEqual({ errno: -2, syscall: 'open' });
    expect(native.open(ROUTE, '')).toEqual({ errno: -2, syscall: 'open' });
    // A file that is not a network namespace: setns refuses it.
    expect(native.open(ROUTE, '/dev/null')).toEqual({ errno: -osConstants.errno.EINVAL, syscall: 'setns' });
    expect(native.open(ROUTE, '/proc/self/ns/uts')).toEqual({ errno: -osConstants.errno.EINVAL, syscall: 'setns' });
    // A valid namespace with a protocol the kernel does not have: the socket() step fails.
    expect(native.open(2 ** 31 - 1, dumpNs.path)).toEqual({
      errno: -osConstants.errno.EPROTONOSUPPORT,
      syscall: 'socket',
    });
    // /proc/PID/ns/net works as a path too (our own namespace here).
    const s = openOk(GENERIC, `/proc/${process.pid}/ns/net`);
    expect(s.bind(0, 0)).toBe(0);
  });

  it('an unprivileged user gets EPERM from setns', async () => {
    const script = `
      const a = require(process.env.NLCTL_ADDON);
      const plain = a.open(0);
      console.log(JSON.stringify({ uid: process.getuid(), ns: a.open(0, process.env.NS), plain: 'socket' in plain }));
    `;
    const r = await runChild(script, {
      prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
      // The addon from a copy an ordinary user can read (the work tree may be root-only).
      env: { NS: dumpNs.path, NLCTL_ADDON: join(publicCopy(), 'build', 'Release', 'nlctl_native.node') },
      cwd: publicCopy(),
    });
    expectCleanExit(r);
    expect(JSON.parse(r.stdout)).toEqual({ uid: 65534, ns: { errno: -1, syscall: 'setns' }, plain: true });
  });

  it('NETLINK_PKTINFO labels a multicast datagram with its group', async () => {
    const s = openOk(ROUTE, eventNs.path);
    expect(s.bind(0, 0)).toBe(0);
    expect(s.setsockopt(C.SOL_NETLINK, C.NETLINK_PKTINFO, 1)).toBe(0);
    expect(s.setsockopt(C.SOL_NETLINK, C.NETLINK_ADD_MEMBERSHIP, RTNLGRP_LINK)).toBe(0);
    eventNs.ip('link', 'add', 'nlpk0', 'type', 'veth', 'peer', 'name', 'nlpk1');
    const { data, info } = await recvDatagram(s);
    expect(info.group).toBe(RTNLGRP_LINK);
    expect(info.groups).toBe(1 << (RTNLGRP_LINK - 1));
    expect(info.portid).toBe(0);
    expect(headers(data)[0]!.type).toBe(RTM_NEWLINK);
    // Without the option, no group is reported.
    expect(s.setsockopt(C.SOL_NETLINK, C.NETLINK_PKTINFO, 0)).toBe(0);
    eventNs.ip('link', 'del', 'nlpk0');
    for (;;) {
      const r = s.recv(new Uint8Array(32768), 0);
      if (r === -C.EAGAIN) break;
      expect(received(r).group).toBeUndefined();
    }
  });

  it('a receive-queue overrun (POLLERR) is reported as readable, recv returns -ENOBUFS, the watch survives', async () => {
    const s = openOk(ROUTE, eventNs.path);
    s.bind(0, 0);
    expect(s.setsockopt(C.SOL_SOCKET, C.SO_RCVBUF, 1)).toBe(0); // the kernel's minimum
    expect(s.setsockopt(C.SOL_NETLINK, C.NETLINK_ADD_MEMBERSHIP, RTNLGRP_LINK)).toBe(0);
    for (let i = 0; i < 3; i++) eventNs.ip('link', 'add', `nlob${i}`, 'type', 'veth', 'peer', 'name', `nloc${i}`);

    const statuses: number[] = [];
    const results: (number | string)[] = [];
    let wake: (() => void) | undefined;
    s.poll((status) => {
      statuses.push(status);
      for (;;) {
        const r = s.recv(new Uint8Array(32768), 0);
        if (r === -C.EAGAIN) break;
        results.push(typeof r === 'number' ? r : 'msg');
      }
      wake?.();
    });
    await within(new Promise<void>((res) => (wake = res)), 'the overrun to be reported');
    expect(results[0]).toBe(-C.ENOBUFS);
    expect(results).toContain('msg');
    // Still watching after the error: a new event arrives through the same poll.
    results.length = 0;
    const next = new Promise<void>((res) => (wake = res));
    eventNs.ip('link', 'del', 'nlob0');
    await within(next, 'an event after the overrun');
    expect(results).toContain('msg');
    expect(statuses.every((st) => st === 0)).toBe(true);
    s.stopPoll();
  });
});

// ---- child processes: exceptions, Workers, GC, garbage ----

const PING_JS = `
  const LE = require('os').endianness() === 'LE';
  function ping(seq) {
    const b = new Uint8Array(16), v = new DataView(b.buffer);
    v.setUint32(0, 16, LE); v.setUint16(4, 1, LE); v.setUint16(6, 5, LE); v.setUint32(8, seq, LE);
    return b;
  }
`;

// Calls everything with everything, on open, polling and closed sockets, with GC in between.
// Only TypeError and RangeError may come out; any other outcome (a crash, another exception, a
// result of the wrong shape) fails. Data sent to the kernel is either the harmless NOOP ping or
// garbage shorter than a netlink header, and the sockets live in a scratch namespace.
// A Worker that polls a socket. Modes: 'poll' keeps pinging itself until terminated; 'spin' is
// terminated while stuck inside the poll callback; 'exit' lets the Worker end on its own with the
// socket still open and polling (unref'd), which only the environment cleanup hook can tidy up;
// 'async' is terminated with a recvAsync always in flight on the thread pool.
const WORKER_JS = `
  ${PING_JS}
  const { parentPort, workerData } = require('worker_threads');
  const a = require(workerData.addon);
  const s = a.open(16).socket;
  a.open(0); // never closed, never polled
  let first = true;
  if (workerData.mode === 'async') {
    // A receive always running on the thread pool when the Worker is terminated.
    const again = () => s.recvAsync(64, (r) => {
      if (first) parentPort.postMessage('ready');
      first = false;
      if (r !== -11) s.send(ping(3), 0, 0);
      again();
    });
    s.send(ping(1), 0, 0);
    again();
  } else s.poll(() => {
    if (workerData.mode === 'spin') { parentPort.postMessage('ready'); for (;;) {} }
    s.recv(new Uint8Array(64), 0);
    if (first) parentPort.postMessage('ready');
    first = false;
    if (workerData.mode === 'exit') { s.unref(); return; }
    setTimeout(() => s.send(ping(2), 0, 0), 1);
  });
  s.send(ping(1), 0, 0);
`;

const GARBAGE_JS = `
  ${PING_JS}
  const a = require(process.env.NLCTL_ADDON);
  const NS = process.env.NLCTL_NS;
  const iterations = Number(process.env.NLCTL_ITERATIONS);
  let seed = Number(process.env.NLCTL_SEED) >>> 0 || 1;
  function rnd() { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 4294967296; }
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  function detached() {
    const u = new Uint8Array(24);
    structuredClone(u.buffer, { transfer: [u.buffer] });
    return u;
  }
  function shrunk() {
    try { const ab = new ArrayBuffer(64, { maxByteLength: 64 }); const u = new Uint8Array(ab, 16, 32); ab.resize(8); return u; }
    catch { return detached(); }
  }
  function short() { const u = new Uint8Array(Math.floor(rnd() * 16)); for (let i = 0; i < u.length; i++) u[i] = rnd() * 256; return u; }
  function program() { const n = 1 + Math.floor(rnd() * 4); const u = new Uint8Array(8 * n); for (let i = 0; i < u.length; i++) u[i] = rnd() * 256; return u; }
  const C = a.constants;
  const numbers = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53,
    -(2 ** 31), -(2 ** 31) - 1, Number.MAX_VALUE, C.SOL_SOCKET, C.SOL_NETLINK, C.SO_RCVBUF, C.NETLINK_ADD_MEMBERSHIP,
    C.NETLINK_PKTINFO, C.NETLINK_LIST_MEMBERSHIPS, C.NETLINK_LISTEN_ALL_NSID, C.MSG_PEEK, C.MSG_DONTWAIT, 16, 65536, 65537];
  const things = () => [undefined, null, true, '0', '', {}, [], [1, 2], () => {}, Symbol('s'), 10n,
    new Uint8Array(0), new Uint8Array(7), new Uint8Array(8), new Uint8Array(8 * 4096), new Uint8Array(8 * 4097),
    new Uint8Array(40000), ping(1), ping(2).subarray(0, 15), new Uint8Array(ping(3).buffer.slice(0)), short(), program(),
    detached(), shrunk(), new Uint16Array(4), new Float64Array(2), new DataView(new ArrayBuffer(8)), new ArrayBuffer(8),
    '/dev/null', '/run/netns/does-not-exist', '/proc/self/ns/net'];
  const arg = () => (rnd() < 0.5 ? pick(numbers) : pick(things()));
  const methods = ['bind', 'getsockname', 'send', 'recv', 'recvAsync', 'setsockopt', 'getsockopt', 'getsockoptBytes',
    'attachFilter', 'detachFilter', 'poll', 'stopPoll', 'ref', 'unref', 'close'];
  const fail = (what, e) => { console.error('UNEXPECTED', what, e); process.exit(1); };
  function call(what, fn) {
    try {
      const r = fn();
      if (!(r === undefined || typeof r === 'number' || (typeof r === 'object' && r !== null))) fail(what, 'result ' + String(r));
      return r;
    } catch (e) {
      if (!(e instanceof TypeError || e instanceof RangeError)) fail(what, e);
    }
  }
  let opens = 0;
  function fresh() {
    opens++;
    const r = a.open(pick([0, 16]), NS);
    if (!r.socket) fail('open', JSON.stringify(r));
    return r.socket;
  }
  const pool = [];
  for (let i = 0; i < 6; i++) pool.push(fresh());
  let proto = Object.getPrototypeOf(pool[0]);
  const cb = (s) => () => {
    const r = rnd();
    if (r < 0.2) call('cb close', () => s.close());
    else if (r < 0.3) call('cb stopPoll', () => s.stopPoll());
    else if (r < 0.4) call('cb poll', () => s.poll(cb(s)));
    for (let i = 0; i < 64 && !s.closed; i++) if (call('cb recv', () => s.recv(pick([null, new Uint8Array(64), new Uint8Array(40000)]), 0)) === -C.EAGAIN) break;
  };
  (async () => {
    for (let i = 0; i < iterations; i++) {
      const s = pick(pool);
      const m = pick(methods);
      const r = rnd();
      if (r < 0.02 && opens < 200) {
        // Replace a socket: close it, or just drop it (a polling one stays alive, pinned).
        const k = Math.floor(rnd() * pool.length);
        if (rnd() < 0.5) pool[k].close();
        pool[k] = fresh();
      } else if (r < 0.05) {
        const g = call('open', () => a.open(arg(), arg()));
        if (g && g.socket) g.socket.close();
      } else if (r < 0.08) {
        call('wrong this', () => proto[m].call(pick([{}, pick(pool), Object.create(proto), 5, null]), arg(), arg(), arg()));
      } else if (r < 0.1) {
        call('new', () => new proto.constructor(arg()));
      } else if (m === 'poll') {
        call('poll', () => s.poll(rnd() < 0.8 ? cb(s) : arg()));
      } else if (m === 'send' && rnd() < 0.5) {
        call('send ping', () => s.send(ping(i), 0, 0));
      } else if (m === 'send') {
        call('send', () => s.send(pick([short(), ping(i), arg()]), arg(), arg()));
      } else if (m === 'recvAsync' && rnd() < 0.7) {
        // A real callback that does more with the socket: reads, closes, starts another.
        call('recvAsync', () => s.recvAsync(pick([1, 16, 64, 40000, arg()]), (res) => {
          if (!(typeof res === 'number' || (typeof res === 'object' && res !== null))) fail('recvAsync result', res);
          const r = rnd();
          if (r < 0.2) call('recvAsync cb close', () => s.close());
          else if (r < 0.5) call('recvAsync cb again', () => s.recvAsync(64, () => {}));
        }));
      } else {
        call(m, () => s[m](arg(), arg(), arg()));
      }
      if (i % 200 === 0) {
        if (globalThis.gc) gc();
        await new Promise((res) => setImmediate(res));
      }
    }
    for (const s of pool) s.close();
    console.log('done', opens);
    // Dropped-but-polling sockets are still open; process.exit does not wait for them.
    process.exit(0);
  })().catch((e) => fail('async', e));
`;


// V8's garbage collector scans the machine stack conservatively, which reads uninitialised stack
// slots on purpose; that one report is not ours. Everything else (invalid reads and writes, use
// after free, uninitialised values anywhere else) still fails the run.
const VALGRIND_SUPPRESSIONS = `{
   v8-conservative-stack-scan
   Memcheck:Cond
   fun:*IteratePointersInStack*
}
`;

beforeAll(() => {
  garbageNs = scratchNetns();
  // Started before everything else so that valgrind (slow: about 10 s just to start Node) runs
  // alongside the other tests; its result is checked by the last test.
  if (haveValgrind) {
    valgrindDir = mkdtempSync(join(tmpdir(), 'nlctl-native-'));
    const supp = join(valgrindDir, 'node.supp');
    writeFileSync(supp, VALGRIND_SUPPRESSIONS);
    valgrindRun = runChild(GARBAGE_JS, {
      prefix: ['valgrind', '--error-exitcode=1', '--quiet', '--leak-check=no', `--suppressions=${supp}`],
      nodeArgs: ['--expose-gc'],
      env: { NLCTL_NS: garbageNs.path, NLCTL_ITERATIONS: '1500', NLCTL_SEED: String(process.pid) },
      timeoutMs: 55000,
    });
  }
});

describe('child processes', () => {

  it('an exception thrown by the poll callback reaches process "uncaughtException"', async () => {
    const script = `
      ${PING_JS}
      const a = require(process.env.NLCTL_ADDON);
      const s = a.open(16).socket;
      let caught = 0;
      process.on('uncaughtException', (e) => {
        caught++;
        console.log('caught:' + e.message);
        // The socket still works after the callback threw.
        const r = s.recv(new Uint8Array(64), 0);
        console.log('recv:' + (typeof r === 'object' ? r.n : r));
        s.close();
      });
      process.on('exit', (code) => console.log('exit:' + code + ':' + caught));
      s.poll(() => { throw new Error('boom from poll'); });
      s.send(ping(1), 0, 0);
    `;
    const r = await runChild(script);
    expectCleanExit(r);
    expect(r.stdout.trim().split('\n')).toEqual(['caught:boom from poll', 'recv:36', 'exit:0:1']);
  });

  it('without a handler, that exception ends the process like any uncaught exception (no abort)', async () => {
    const script = `
      ${PING_JS}
      const a = require(process.env.NLCTL_ADDON);
      const s = a.open(16).socket;
      s.poll(() => { throw new Error('unhandled boom'); });
      s.send(ping(1), 0, 0);
    `;
    const r = await runChild(script);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unhandled boom');
  });

  it('a polling socket is not garbage-collected; a dropped idle socket is finalized and its fd closed', async () => {
    const script = `
      ${PING_JS}
      const fs = require('fs');
      const a = require(process.env.NLCTL_ADDON);
      const fds = () => fs.readdirSync('/proc/self/fd').length;
      const tick = () => new Promise((res) => setImmediate(res));
      (async () => {
        const before = fds();
        for (let i = 0; i < 200; i++) a.open(16);
        const opened = fds();
        for (let i = 0; i < 5; i++) { gc(); await tick(); }
        const after = fds();
        console.log(JSON.stringify({ opened: opened - before, left: after - before }));

        const sender = a.open(16).socket;
        sender.bind(0, 0);
        let port;
        (() => {
          const s = a.open(16).socket;
          s.bind(0, 0);
          port = s.getsockname().portid;
          s.poll(() => {
            const r = s.recv(new Uint8Array(64), 0);
            console.log('got:' + r.n);
            s.close();
            sender.close();
          });
        })();
        for (let i = 0; i < 5; i++) { gc(); await tick(); }
        sender.send(new Uint8Array(20), port, 0);
      })();
    `;
    const r = await runChild(script, { nodeArgs: ['--expose-gc'] });
    expectCleanExit(r);
    const [counts, got] = r.stdout.trim().split('\n');
    const c = JSON.parse(counts!) as { opened: number; left: number };
    expect(c.opened).toBe(200);
    expect(c.left).toBeLessThan(20);
    expect(got).toBe('got:20');
  });

  it('Workers can use the addon and be terminated (even inside a callback) or exit with sockets open', async () => {
    const script = `
      ${PING_JS}
      const { Worker } = require('worker_threads');
      const a = require(process.env.NLCTL_ADDON);
      const workerCode = ${JSON.stringify(WORKER_JS)};
      const fs = require('fs');
      // Sockets of this process (the child opens no other kind; Workers add pipes and eventfds).
      const fds = () => fs.readdirSync('/proc/self/fd').filter((fd) => {
        try { return fs.readlinkSync('/proc/self/fd/' + fd).startsWith('socket:'); } catch { return false; }
      }).length;
      (async () => {
        const fdsBefore = fds();
        const probe = a.open(16).socket; // the counter does see our sockets
        if (fds() !== fdsBefore + 1) throw new Error('cannot count socket fds');
        probe.close();
        for (let round = 0; round < 3; round++) {
          for (const mode of ['poll', 'spin', 'exit', 'async']) {
            const w = new Worker(workerCode, { eval: true, workerData: { addon: process.env.NLCTL_ADDON, mode } });
            const exit = new Promise((res) => w.once('exit', res));
            await new Promise((res, rej) => { w.once('message', res); w.once('error', rej); });
            if (mode !== 'exit') await w.terminate();
            const code = await exit;
            if (mode === 'exit' && code !== 0) throw new Error('worker exit code ' + code);
          }
        }
        // Every socket the Workers left open was closed when their environment went away.
        if (fds() !== fdsBefore) throw new Error('socket fd leak: ' + fdsBefore + ' -> ' + fds());
        // The main thread is unaffected.
        const s = a.open(16).socket;
        s.poll(() => { console.log('main:' + s.recv(new Uint8Array(64), 0).n); s.close(); });
        s.send(ping(9), 0, 0);
        // And it may end with a socket still open and polling (unref'd): the cleanup hook closes it.
        const t = a.open(0).socket;
        t.poll(() => {});
        t.unref();
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const r = await runChild(script, { timeoutMs: 30000 });
    expectCleanExit(r);
    expect(r.stdout.trim()).toBe('main:36');
  }, 40000);

  it('calling every method with garbage never crashes the process', async () => {
    const r = await runChild(GARBAGE_JS, {
      nodeArgs: ['--expose-gc'],
      env: { NLCTL_NS: garbageNs.path, NLCTL_ITERATIONS: '30000', NLCTL_SEED: String(Date.now() >>> 0) },
      timeoutMs: 30000,
    });
    expectCleanExit(r);
    expect(r.stdout).toMatch(/^done \d+/);
  }, 40000);

  it.runIf(haveValgrind)(
    'the garbage run is clean under valgrind (no invalid reads/writes)',
    async () => {
      const r = await valgrindRun!;
      expectCleanExit(r);
      expect(r.stdout).toMatch(/^done \d+/);
    },
    60000,
  );
});
