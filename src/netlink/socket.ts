// The transport under a Conn. `Socket` is the contract (the real kernel socket and the nltest
// fake both implement it); `openSocket` gives the real one, on top of the native shim. The
// transport does I/O only: no message parsing, no retries, no sequence logic — that is Conn's.
import { systemError } from './errors.js';
import { loadNative, type NativeConstants, type NativeSocket } from './native.js';

/** One received datagram with its sender address and control messages. */
export interface Datagram {
  /** The datagram's bytes (owned; not shared with any buffer the transport reuses). */
  data: Uint8Array;
  /** Sender port ID: 0 for the kernel. */
  portid: number;
  /** Sender group mask: non-zero when the datagram was multicast. */
  groups: number;
  /** Multicast group number (NETLINK_PKTINFO), when that option is on. */
  group?: number;
  /** Peer namespace ID (NETLINK_LISTEN_ALL_NSID), when that option is on. */
  nsid?: number;
}

/** Boolean socket options (SOL_NETLINK), by name. */
export const ConnOption = {
  /** NETLINK_PKTINFO: report each message's multicast group. */
  PacketInfo: 'packet-info',
  /** NETLINK_BROADCAST_ERROR: report multicast delivery failures to the sender. */
  BroadcastError: 'broadcast-error',
  /** NETLINK_NO_ENOBUFS: do not report receive-queue overruns (messages are still lost). */
  NoENOBUFS: 'no-enobufs',
  /** NETLINK_LISTEN_ALL_NSID: receive multicasts of every peer namespace, tagged with its nsid. */
  ListenAllNSID: 'listen-all-nsid',
  /** NETLINK_CAP_ACK: errors echo only the request header, not its payload. */
  CapAcknowledge: 'cap-ack',
  /** NETLINK_EXT_ACK: errors and ACKs carry extended-ACK TLVs. */
  ExtendedAcknowledge: 'ext-ack',
  /** NETLINK_GET_STRICT_CHK: strict checking of GET and dump requests. */
  GetStrictCheck: 'get-strict-check',
} as const;

/** One of the ConnOption values. */
export type ConnOption = (typeof ConnOption)[keyof typeof ConnOption];

/**
 * What a Conn needs from a transport. Required members do the I/O; optional ones are features a
 * transport may lack (Conn then fails those calls with ERR_NETLINK_NOT_SUPPORTED).
 */
export interface Socket {
  /** Port ID the socket is bound to. */
  readonly pid: number;
  /** Send one datagram to port `portid` (0: the kernel) and multicast `groups`. Throws a system error. */
  send(data: Uint8Array, portid?: number, groups?: number): void;
  /**
   * Take one queued datagram without blocking, or null when none is queued. `minBuffer` is the
   * smallest receive buffer to hand the kernel (it sizes dump datagrams by it). Throws a system
   * error (ENOBUFS after an overrun; the socket stays usable).
   */
  receive(minBuffer: number): Datagram | null;
  /**
   * Take the next queued datagram on another thread, without blocking: null when none is
   * queued or it needs a bigger buffer than `minBuffer` (receive() then takes it). Rejects with
   * a system error. Conn reads the rest of a dump this way while the caller handles a part.
   */
  receiveAhead?(minBuffer: number): Promise<Datagram | null>;
  /** Call `onReadable` whenever a receive may succeed, until unwatch(). */
  watch(onReadable: (err?: Error) => void): void;
  /** Stop calling the watcher. */
  unwatch(): void;
  /** Close; later calls fail with EBADF. Idempotent. */
  close(): void;
  joinGroup?(group: number): void;
  leaveGroup?(group: number): void;
  /** Group numbers joined (NETLINK_LIST_MEMBERSHIPS). */
  memberships?(): number[];
  setOption?(option: ConnOption, on: boolean): void;
  getOption?(option: ConnOption): boolean;
  setReadBuffer?(bytes: number): void;
  readBuffer?(): number;
  setWriteBuffer?(bytes: number): void;
  writeBuffer?(): number;
  /** Attach a classic BPF program: 8 bytes per instruction in host order. */
  setBPF?(program: Uint8Array): void;
  removeBPF?(): void;
}

/** The largest buffer the shim's recvAsync takes (64 MiB). */
const MAX_AHEAD_BUFFER = 64 * 1024 * 1024;

/** A datagram lost to a short buffer: never handed out as a stub. */
function truncated(n: number, buffer: number): Error {
  return Object.assign(new Error(`netlink message truncated: ${n} bytes, buffer ${buffer}`), { code: 'ERR_NETLINK_TRUNCATED' });
}

/** A datagram from its bytes and what recvmsg said about it. */
function datagram(data: Uint8Array, r: { portid: number; groups: number; group?: number; nsid?: number }): Datagram {
  const d: Datagram = { data, portid: r.portid, groups: r.groups };
  if (r.group !== undefined) d.group = r.group;
  if (r.nsid !== undefined) d.nsid = r.nsid;
  return d;
}

/** Options of {@link openSocket}. */
export interface OpenSocketOptions {
  /** Path of a network-namespace file to create the socket in. */
  netnsPath?: string;
  /** Port ID to bind (0: the kernel picks). */
  pid?: number;
  /** Multicast bitmask to bind (groups 1–32). */
  groups?: number;
}

function optionNumber(c: NativeConstants, option: ConnOption): number {
  switch (option) {
    case ConnOption.PacketInfo: return c.NETLINK_PKTINFO;
    case ConnOption.BroadcastError: return c.NETLINK_BROADCAST_ERROR;
    case ConnOption.NoENOBUFS: return c.NETLINK_NO_ENOBUFS;
    case ConnOption.ListenAllNSID: return c.NETLINK_LISTEN_ALL_NSID;
    case ConnOption.CapAcknowledge: return c.NETLINK_CAP_ACK;
    case ConnOption.ExtendedAcknowledge: return c.NETLINK_EXT_ACK;
    case ConnOption.GetStrictCheck: return c.NETLINK_GET_STRICT_CHK;
  }
  throw new TypeError(`unknown netlink socket option ${String(option)}`);
}

/** The real transport: an AF_NETLINK socket through the native shim. */
class KernelSocket implements Socket {
  readonly pid: number;
  readonly #s: NativeSocket;
  readonly #c: NativeConstants;
  /** The netlink protocol, for errors that depend on it (who may join which group). */
  readonly #protocol: number;
  #scratch = new Uint8Array(0);

  constructor(s: NativeSocket, c: NativeConstants, pid: number, protocol: number) {
    this.#s = s;
    this.#c = c;
    this.pid = pid;
    this.#protocol = protocol;
  }

  #check(syscall: string, r: number): number {
    if (r < 0) throw systemError(syscall, r);
    return r;
  }

  send(data: Uint8Array, portid = 0, groups = 0): void {
    this.#check('sendto', this.#s.send(data, portid, groups));
  }

  receive(minBuffer: number): Datagram | null {
    const c = this.#c;
    // Peek for the size first: a datagram read into a short buffer is lost for good.
    const peek = this.#s.recv(null, c.MSG_PEEK);
    if (typeof peek === 'number') {
      if (peek === -c.EAGAIN) return null;
      throw systemError('recvmsg', peek);
    }
    const want = Math.max(peek.n, minBuffer);
    if (this.#scratch.length < want) this.#scratch = new Uint8Array(want);
    const r = this.#s.recv(this.#scratch, 0);
    if (typeof r === 'number') {
      if (r === -c.EAGAIN) return null;
      throw systemError('recvmsg', r);
    }
    // Cannot happen after the peek unless the queue changed under us; never hand out a stub.
    if (r.n > this.#scratch.length) throw truncated(r.n, this.#scratch.length);
    // Copy out of the reusable scratch buffer so messages own their bytes.
    return datagram(this.#scratch.slice(0, r.n), r);
  }

  receiveAhead(minBuffer: number): Promise<Datagram | null> {
    const c = this.#c;
    // A shim built before recvAsync existed (NLCTL_NATIVE, a stale build), or a buffer size it
    // does not take: read on this thread instead.
    const size = Math.max(Math.ceil(minBuffer), 1);
    if (typeof this.#s.recvAsync !== 'function' || !(size <= MAX_AHEAD_BUFFER)) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const started = this.#s.recvAsync(size, (r) => {
        if (typeof r === 'number') {
          if (r === -c.EAGAIN) resolve(null);
          else reject(systemError('recvmsg', r));
        } else if (r.data) {
          resolve(datagram(r.data, r));
        } else if (r.flags & c.MSG_TRUNC) {
          reject(truncated(r.n, size));
        } else {
          resolve(null); // too big for this buffer: receive() takes it
        }
      });
      if (started < 0) reject(systemError('recvmsg', started));
    });
  }

  watch(onReadable: (err?: Error) => void): void {
    const r = this.#s.poll((status) => onReadable(status < 0 ? systemError('poll', status) : undefined));
    if (typeof r === 'number' && r < 0) throw systemError('poll', r);
  }

  unwatch(): void {
    this.#s.stopPoll();
  }

  close(): void {
    this.#s.close();
  }

  joinGroup(group: number): void {
    const r = this.#s.setsockopt(this.#c.SOL_NETLINK, this.#c.NETLINK_ADD_MEMBERSHIP, group);
    if (r < 0) throw systemError('setsockopt', r, `NETLINK_ADD_MEMBERSHIP ${group}`, { group, protocol: this.#protocol });
  }

  leaveGroup(group: number): void {
    const r = this.#s.setsockopt(this.#c.SOL_NETLINK, this.#c.NETLINK_DROP_MEMBERSHIP, group);
    if (r < 0) throw systemError('setsockopt', r, `NETLINK_DROP_MEMBERSHIP ${group}`, { group, protocol: this.#protocol });
  }

  memberships(): number[] {
    // The kernel fills a bitmap of u32 words, one bit per group; ask for room for 32768 groups.
    const r = this.#s.getsockoptBytes(this.#c.SOL_NETLINK, this.#c.NETLINK_LIST_MEMBERSHIPS, 4096);
    if (typeof r === 'number') throw systemError('getsockopt', r);
    const view = new DataView(r.buffer, r.byteOffset, r.byteLength);
    const out: number[] = [];
    for (let w = 0; w + 4 <= r.length; w += 4) {
      const word = view.getUint32(w, true) >>> 0;
      if (word === 0) continue;
      for (let bit = 0; bit < 32; bit++) if (word & (1 << bit)) out.push(w * 8 + bit + 1);
    }
    return out;
  }

  setOption(option: ConnOption, on: boolean): void {
    this.#check('setsockopt', this.#s.setsockopt(this.#c.SOL_NETLINK, optionNumber(this.#c, option), on ? 1 : 0));
  }

  getOption(option: ConnOption): boolean {
    const r = this.#s.getsockopt(this.#c.SOL_NETLINK, optionNumber(this.#c, option));
    if (typeof r === 'number') throw systemError('getsockopt', r);
    return r.value !== 0;
  }

  // FORCE variants ignore rmem_max/wmem_max but need CAP_NET_ADMIN; fall back to the plain ones.
  #setBuffer(force: number, plain: number, bytes: number): void {
    const c = this.#c;
    if (this.#s.setsockopt(c.SOL_SOCKET, force, bytes) === 0) return;
    this.#check('setsockopt', this.#s.setsockopt(c.SOL_SOCKET, plain, bytes));
  }

  setReadBuffer(bytes: number): void {
    this.#setBuffer(this.#c.SO_RCVBUFFORCE, this.#c.SO_RCVBUF, bytes);
  }

  readBuffer(): number {
    const r = this.#s.getsockopt(this.#c.SOL_SOCKET, this.#c.SO_RCVBUF);
    if (typeof r === 'number') throw systemError('getsockopt', r);
    return r.value;
  }

  setWriteBuffer(bytes: number): void {
    this.#setBuffer(this.#c.SO_SNDBUFFORCE, this.#c.SO_SNDBUF, bytes);
  }

  writeBuffer(): number {
    const r = this.#s.getsockopt(this.#c.SOL_SOCKET, this.#c.SO_SNDBUF);
    if (typeof r === 'number') throw systemError('getsockopt', r);
    return r.value;
  }

  setBPF(program: Uint8Array): void {
    this.#check('setsockopt', this.#s.attachFilter(program));
  }

  removeBPF(): void {
    this.#check('setsockopt', this.#s.detachFilter());
  }
}

/**
 * Open, bind and name a real AF_NETLINK socket for `protocol`. Throws a Node-style system error
 * naming the failing call (socket, setns, open, bind, getsockname); the fd is closed on failure.
 */
export function openSocket(protocol: number, options: OpenSocketOptions = {}): Socket {
  const native = loadNative();
  const opened = native.open(protocol, options.netnsPath);
  if ('errno' in opened) {
    const detail = opened.syscall === 'socket' ? `(protocol ${protocol})` : options.netnsPath;
    throw systemError(opened.syscall, opened.errno, detail, opened.syscall === 'socket' ? { protocol } : {});
  }
  const s = opened.socket;
  try {
    const b = s.bind(options.pid ?? 0, options.groups ?? 0);
    if (b < 0) throw systemError('bind', b);
    const name = s.getsockname();
    if (typeof name === 'number') throw systemError('getsockname', name);
    return new KernelSocket(s, native.constants, name.portid, protocol);
  } catch (err) {
    s.close();
    throw err;
  }
}
