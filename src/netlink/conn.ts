// Conn: a netlink connection, modelled on the Go package's Conn and fixing what it gets wrong.
//
// All socket calls are non-blocking and run on the event loop thread; waiting happens through
// the transport's readability watcher. Receiving is serialised (one reader at a time, so two
// readers never split a multipart reply) while sending never waits for a reader. Execute reads
// until its request is answered for good — through the ACK when one was asked for — so no stray
// ACK is ever left queued for the next request.
import { HOST_LITTLE_ENDIAN, NLMSG_HDRLEN } from './align.js';
import { checkDumpConsistent, isDumpInterrupted, messageError } from './ack.js';
import { createDebugger, type DebugOptions, type Debugger } from './debug.js';
import { DumpInterruptedError, systemError } from './errors.js';
import {
  HeaderFlags,
  HeaderType,
  checkHeader,
  marshalMessages,
  parseMessages,
  type Message,
  type MessageInit,
} from './message.js';
import { ConnOption, openSocket, type Datagram, type Socket } from './socket.js';

/** How dial sets a connection up. Every field is optional. */
export interface Config {
  /** Multicast groups 1–32 as a bind() bitmask (bit n−1 is group n). Use joinGroup for others. */
  groups?: number;
  /** Network namespace to open the socket in: a path (/run/netns/x, /proc/PID/ns/net) or a name under /run/netns. */
  netns?: string;
  /** Port ID to bind; 0 or absent lets the kernel choose. */
  pid?: number;
  /** Turn on NETLINK_EXT_ACK and NETLINK_GET_STRICT_CHK; dial fails if the kernel refuses. */
  strict?: boolean;
  /** Ask for extended ACKs even when not strict (best effort). Default true. */
  extendedAcknowledge?: boolean;
  /** Smallest receive buffer handed to the kernel, in bytes. Default 32768: the kernel sizes dump datagrams by it. */
  bufferSize?: number;
  /**
   * Datagrams are not netlink messages (NETLINK_KOBJECT_UEVENT sends text): receive them as
   * bytes with an empty `messages` list. Default: true for protocol 15, false otherwise.
   */
  rawDatagrams?: boolean;
  /** Debug output; overrides the NLDEBUG environment variable read at dial time. */
  debug?: DebugOptions | string;
  /** Use this transport instead of a kernel socket (tests: see nltest). `family` is then only recorded. */
  socket?: Socket;
}

/** Cancellation for operations that wait. */
export interface WaitOptions {
  /** Abort the wait; the operation rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Give up after this many milliseconds (rejects with a TimeoutError DOMException). */
  timeout?: number;
}

/** Options of receive operations that may see an interrupted dump. */
export interface ReceiveOptions extends WaitOptions {
  /** What to do when NLM_F_DUMP_INTR is seen: throw DumpInterruptedError (default) or pass the flags through. */
  dumpInterrupted?: 'throw' | 'ignore';
}

/** Options of {@link Conn.execute}. */
export interface ExecuteOptions extends ReceiveOptions {
  /**
   * The answer comes after the ACK (audit answers its queries from another context, once the
   * request is done): with NLM_F_ACK set, execute then waits for both — the ACK and a data
   * reply, up to its DONE when it is multipart — in whichever order they arrive. Without
   * NLM_F_ACK it changes nothing. Only for requests that always get an answer: otherwise the
   * wait ends only with the timeout or signal.
   */
  replyAfterAck?: boolean;
}

/** A received datagram split into messages, with its sender and control data. */
export interface ReceivedDatagram extends Omit<Datagram, 'data'> {
  messages: Message[];
  /** The raw bytes, for renderers that show them as they were. */
  data: Uint8Array;
}

/** Where a datagram goes: port ID 0 and no groups is the kernel. */
export interface Destination {
  /** Destination port ID. */
  pid?: number;
  /** Destination multicast bitmask (groups 1–32). */
  groups?: number;
}

/** A classic BPF instruction (struct sock_filter). */
export interface BPFInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** NETLINK_KOBJECT_UEVENT: its datagrams are text, not netlink messages. */
const KOBJECT_UEVENT = 15;

/** Default smallest receive buffer (see Config.bufferSize). */
export const DEFAULT_BUFFER_SIZE = 32768;
/**
 * Datagrams read per readiness wake-up before yielding to the event loop. Small enough that a
 * slow consumer does not make the connection hold much of a dump in memory ahead of it.
 */
const DRAIN_BUDGET = 8;
/** Datagrams kept for later readers when Execute meets multicast traffic. */
const MAX_UNSOLICITED = 4096;

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

type Queued = ReceivedDatagram | { error: Error };

function notSupported(op: string): Error {
  return Object.assign(new Error(`netlink ${op}: operation not supported by this socket`), {
    code: 'ERR_NETLINK_NOT_SUPPORTED',
  });
}

function resolveNetns(netns: string): string {
  return netns.includes('/') ? netns : `/run/netns/${netns}`;
}

/**
 * A signal that aborts with a TimeoutError after `ms`, like AbortSignal.timeout(), but safe to
 * combine with AbortSignal.any(): that holds its sources weakly, and a timeout signal nothing
 * else references can be collected before it fires, leaving the wait without its limit
 * (nodejs/node#57736). Here the timer's closure keeps the signal alive; the timer is unref'd,
 * so it never keeps the process alive.
 */
export function timeoutSignal(ms: number): AbortSignal {
  const ac = new AbortController();
  setTimeout(() => ac.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms).unref();
  return ac.signal;
}

function waitSignal(opts?: WaitOptions): AbortSignal | undefined {
  const signals: AbortSignal[] = [];
  if (opts?.signal) signals.push(opts.signal);
  if (opts?.timeout !== undefined) signals.push(timeoutSignal(opts.timeout));
  if (signals.length === 0) return undefined;
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/**
 * Open a netlink connection for protocol `family` (0 = NETLINK_ROUTE, 16 = NETLINK_GENERIC, …).
 * Throws a Node-style system error when the socket cannot be created, bound or configured.
 */
export function dial(family: number, config: Config = {}): Conn {
  if (!Number.isInteger(family) || family < 0 || family > 0x7fffffff) {
    throw new RangeError(`netlink family must be a non-negative integer, got ${family}`);
  }
  const socket =
    config.socket ??
    openSocket(family, {
      netnsPath: config.netns === undefined ? undefined : resolveNetns(config.netns),
      pid: config.pid,
      groups: config.groups,
    });
  const conn = new Conn(family, socket, config);
  try {
    if (config.strict) {
      conn.setOption(ConnOption.ExtendedAcknowledge, true);
      conn.setOption(ConnOption.GetStrictCheck, true);
    } else if (config.extendedAcknowledge !== false && socket.setOption) {
      try {
        socket.setOption(ConnOption.ExtendedAcknowledge, true);
      } catch {
        // Kernels before 4.12 lack EXT_ACK; errors then simply carry no TLVs.
      }
    }
  } catch (err) {
    conn.close();
    throw err;
  }
  return conn;
}

/**
 * A netlink connection. Create one with {@link dial}. Methods that wait return promises; the
 * rest are synchronous system calls that throw Node-style system errors.
 */
export class Conn {
  /** The netlink protocol number this connection was dialed for. */
  readonly family: number;
  readonly #sock: Socket;
  readonly #bufferSize: number;
  readonly #debug: Debugger;
  readonly #raw: boolean;
  #seq: number;
  #closed = false;
  #queue: Queued[] = [];
  #waiter: Waiter | undefined;
  #lock: Promise<void> = Promise.resolve();
  /** A read-ahead in flight (see #readAhead): its datagram joins the queue when it lands. */
  #ahead: Promise<void> | undefined;

  /** Use {@link dial}; this constructor is for custom transports. */
  constructor(family: number, socket: Socket, config: Config = {}) {
    this.family = family;
    this.#sock = socket;
    this.#bufferSize = Math.max(config.bufferSize ?? DEFAULT_BUFFER_SIZE, NLMSG_HDRLEN);
    this.#debug = createDebugger(config.debug ?? process.env.NLDEBUG, family);
    this.#raw = config.rawDatagrams ?? family === KOBJECT_UEVENT;
    // A random start makes replies to an earlier process's requests unlikely to match. Not a
    // secret (the kernel checks the port ID): Math.random does, and node:crypto is not loaded.
    this.#seq = Math.floor(Math.random() * 0xffffffff);
  }

  /** Port ID of the socket (the kernel's choice unless Config.pid was given). Unsigned. */
  get pid(): number {
    return this.#sock.pid;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #assertOpen(syscall: string): void {
    if (this.#closed) throw systemError(syscall, 9 /* EBADF */);
  }

  #nextSequence(): number {
    this.#seq = (this.#seq + 1) >>> 0;
    if (this.#seq === 0) this.#seq = 1; // 0 means "no sequence" to validators
    return this.#seq;
  }

  /**
   * Fill a message's zero or missing header fields: length = 16 + payload, flags = REQUEST,
   * sequence = the next number, pid = this connection's port ID. Returns a new message.
   */
  complete(m: MessageInit): Message {
    const data = m.data ?? new Uint8Array(0);
    const h = m.header ?? {};
    const message: Message = {
      header: {
        length: h.length || NLMSG_HDRLEN + data.length,
        type: h.type ?? 0,
        flags: h.flags || HeaderFlags.Request,
        sequence: h.sequence || this.#nextSequence(),
        pid: h.pid || this.pid,
      },
      data,
    };
    checkHeader(message.header);
    return message;
  }

  /** Send one message (zero fields filled in, see complete()). Returns the message as sent. */
  send(m: MessageInit): Message {
    return this.sendMessages([m])[0]!;
  }

  /** Send several messages as one datagram (a batch). Returns them as sent. */
  sendMessages(ms: readonly MessageInit[]): Message[] {
    this.#assertOpen('sendto');
    const done = ms.map((m) => this.complete(m));
    const bytes = marshalMessages(done);
    this.#debug.send(done, bytes);
    try {
      this.#sock.send(bytes);
    } catch (err) {
      this.#debug.error('send', err);
      throw err;
    }
    return done;
  }

  /**
   * Send bytes exactly as given (crafted or replayed datagrams), to the kernel or — with `to` —
   * to another socket's port ID or multicast groups (user-to-user protocols like USERSOCK).
   */
  sendRaw(bytes: Uint8Array, to: Destination = {}): void {
    this.#assertOpen('sendto');
    this.#debug.send(parseMessages(bytes).messages, bytes);
    try {
      this.#sock.send(bytes, to.pid ?? 0, to.groups ?? 0);
    } catch (err) {
      this.#debug.error('send', err);
      throw err;
    }
  }

  // Wait for exclusive use of the receive side; call the returned function to give it up.
  async #acquire(): Promise<() => void> {
    const prev = this.#lock;
    let release!: () => void;
    this.#lock = new Promise<void>((r) => (release = r));
    await prev;
    return release;
  }

  // Run `fn` with exclusive use of the receive side.
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.#acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  // Read what is queued in the kernel without blocking, up to the budget.
  #drain(): void {
    for (let i = 0; i < DRAIN_BUDGET; i++) {
      let d: Datagram | null;
      try {
        d = this.#sock.receive(this.#bufferSize);
      } catch (err) {
        this.#failedReceive(err);
        // ENOBUFS reports a loss but the socket goes on; anything else ends this drain.
        if ((err as { code?: string }).code !== 'ENOBUFS') return;
        continue;
      }
      if (d === null) return;
      this.#accept(d);
    }
  }

  // Queue a datagram that was read: its messages, and a framing problem after them.
  #accept(d: Datagram): void {
    if (this.#raw) {
      this.#queue.push({ ...d, messages: [] });
      return;
    }
    const parsed = parseMessages(d.data);
    const rd: ReceivedDatagram = { ...d, messages: parsed.messages };
    this.#debug.recv(rd);
    this.#queue.push(rd);
    if (parsed.malformed) this.#queue.push({ error: parsed.malformed });
  }

  /**
   * Start reading the next datagram on another thread, if the transport can: called while a
   * dump goes on, before its caller gets the part in hand, so the kernel builds the next part
   * (inside recvmsg) while the caller works. Only one at a time, and nothing is read on this
   * thread meanwhile (#nextQueued waits for it), so datagrams keep their order.
   */
  #readAhead(): void {
    if (this.#ahead || this.#closed || !this.#sock.receiveAhead) return;
    // Never rejects: whatever happens becomes a queue entry, so nobody has to await it.
    this.#ahead = this.#sock.receiveAhead(this.#bufferSize).then(
      (d) => {
        this.#ahead = undefined;
        try {
          if (d && !this.#closed) this.#accept(d);
        } catch (err) {
          this.#queue.push({ error: err as Error });
        }
      },
      (err: unknown) => {
        this.#ahead = undefined;
        if (!this.#closed) this.#failedReceive(err);
      },
    );
  }

  /** A receive failed: the reader meets the error in turn, and NLDEBUG shows it. */
  #failedReceive(err: unknown): void {
    this.#queue.push({ error: err as Error });
    try {
      this.#debug.error('receive', err);
    } catch {
      // a debug writer's failure must not lose the error
    }
  }

  /** Wait for the read-ahead in flight, or until `signal` aborts (then reject with its reason). */
  async #awaitAhead(ahead: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) return ahead;
    signal.throwIfAborted();
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([ahead, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Wait for the next datagram (or queued error). Tries a non-blocking read first, so a
   * burst of datagrams costs no event-loop round trip each.
   */
  async #nextQueued(signal?: AbortSignal): Promise<Queued> {
    for (;;) {
      if (this.#closed) throw systemError('recvmsg', 9 /* EBADF */);
      const q = this.#queue.shift();
      if (q) return q;
      // A read-ahead owns the next datagram: wait for it (it never blocks in the kernel, but the
      // thread pool may be busy, so a timeout or abort still ends the wait) before reading here.
      if (this.#ahead) {
        await this.#awaitAhead(this.#ahead, signal);
        continue;
      }
      this.#drain();
      if (this.#queue.length > 0) continue;
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          this.#stopWaiting();
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiter = {
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          reject: (e) => {
            signal?.removeEventListener('abort', onAbort);
            reject(e);
          },
        };
        this.#sock.watch((err) => {
          const w = this.#waiter;
          this.#stopWaiting();
          if (err) w?.reject(err);
          else w?.resolve();
        });
      });
    }
  }

  #stopWaiting(): void {
    this.#waiter = undefined;
    if (!this.#closed) this.#sock.unwatch();
  }

  /**
   * Receive the next datagram as it arrived: its messages (no multipart handling), the sender
   * address, and the control data (multicast group, nsid). Rejects with the socket error
   * (ENOBUFS after an overrun — the socket stays usable), a DecodeError for malformed bytes, or
   * the abort reason.
   */
  receiveDatagram(opts?: WaitOptions): Promise<ReceivedDatagram> {
    const signal = waitSignal(opts);
    return this.#exclusive(async () => {
      const q = await this.#nextQueued(signal);
      if ('error' in q) throw q.error;
      return q;
    });
  }

  /**
   * Stream the messages of one reply as they arrive: one datagram, or — when a message has
   * NLM_F_MULTI — every datagram up to and including the DONE that ends it. DONE is yielded too,
   * so its flags and TLVs are never lost. A kernel error in the reply is thrown as NetlinkError;
   * NLM_F_DUMP_INTR is thrown as DumpInterruptedError after the last message unless
   * `dumpInterrupted: 'ignore'`. Leaving the loop early reads and discards the rest of a
   * multipart reply, so the next reader starts clean.
   */
  receiveIter(opts?: ReceiveOptions): AsyncIterableIterator<Message> {
    return flatten(this.receiveBatches(opts));
  }

  /**
   * Like receiveIter, one datagram's messages at a time: the cheapest way through a large dump.
   * A batch that holds an error yields the messages before it, then throws.
   */
  async *receiveBatches(opts?: ReceiveOptions): AsyncGenerator<Message[], void, undefined> {
    const signal = waitSignal(opts);
    const release = await this.#acquire();
    let finished = false;
    let interrupted = false;
    try {
      let multi = false;
      do {
        const q = await this.#nextQueued(signal);
        if ('error' in q) throw q.error;
        const batch: Message[] = [];
        let failure: Error | undefined;
        for (const m of q.messages) {
          if (m.header.flags & HeaderFlags.Multi) multi = true;
          if (m.header.flags & HeaderFlags.DumpInterrupted) interrupted = true;
          failure = messageError(m);
          if (failure) break;
          batch.push(m);
          if (m.header.type === HeaderType.Done) break;
        }
        finished = failure !== undefined || batch.at(-1)?.header.type === HeaderType.Done || !multi;
        // More of the reply is coming: have it read while this part is handled.
        if (!finished) this.#readAhead();
        if (batch.length) yield batch;
        if (failure) throw failure;
      } while (!finished);
      if (interrupted && opts?.dumpInterrupted !== 'ignore') throw new DumpInterruptedError([]);
    } finally {
      try {
        if (!finished && !this.#closed) await this.#discardUntilDone(signal);
      } finally {
        release();
      }
    }
  }

  async #discardUntilDone(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const q = await this.#nextQueued(signal);
      if ('error' in q) return;
      if (q.messages.some((m) => m.header.type === HeaderType.Done || messageError(m))) return;
    }
  }

  /** Receive one reply (see receiveIter) as an array. */
  async receive(opts?: ReceiveOptions): Promise<Message[]> {
    const out: Message[] = [];
    for await (const m of this.receiveIter({ ...opts, dumpInterrupted: 'ignore' })) out.push(m);
    if (opts?.dumpInterrupted !== 'ignore') checkDumpConsistent(out);
    return out;
  }

  /**
   * Send a request and resolve to every message of its reply: data messages, the DONE that ends
   * a dump, and the ACK when NLM_F_ACK was set (execute waits for it, so nothing is left
   * queued). Messages that are not replies to this request — multicast notifications, stale
   * replies to an abandoned request — are set aside, not mistaken for the answer.
   * With `replyAfterAck` the answer that follows the ACK is waited for too (audit's queries).
   * Rejects with NetlinkError when the kernel refuses (extAck filled in, `sent` set), with
   * DumpInterruptedError (carrying every message) when NLM_F_DUMP_INTR was seen, or with the
   * socket error or abort reason.
   */
  execute(m: MessageInit, opts?: ExecuteOptions): Promise<Message[]> {
    const signal = waitSignal(opts);
    return this.#exclusive(async () => {
      const sent = this.send(m);
      const wantAck = (sent.header.flags & HeaderFlags.Acknowledge) !== 0;
      // rtnetlink and nfnetlink start a dump on either bit of NLM_F_DUMP (ROOT or MATCH).
      const isDump = (sent.header.flags & HeaderFlags.Dump) !== 0;
      // An answer that follows the ACK: wait for the ACK and a complete data reply, in any order.
      const afterAck = wantAck && opts?.replyAfterAck === true;
      let acked = false;
      let answered = false;
      let multi = false;
      const replies: Message[] = [];
      const setAside: Queued[] = [];
      try {
        for (;;) {
          const q = await this.#nextQueued(signal);
          if ('error' in q) throw q.error;
          // Multicast traffic is never a reply; keep it for notification readers.
          if (q.groups !== 0 || q.group !== undefined) {
            if (setAside.length < MAX_UNSOLICITED) setAside.push(q);
            continue;
          }
          let done = false;
          let skipped = 0;
          for (const r of q.messages) {
            const h = r.header;
            if (h.sequence !== sent.header.sequence || (h.pid !== 0 && h.pid !== this.pid && sent.header.pid !== 0)) {
              skipped++;
              continue;
            }
            replies.push(r);
            const err = messageError(r, sent);
            if (err) throw err;
            if (afterAck) {
              // The ACK and the answer (one message, or a multipart one to its DONE) in either order.
              if (r.header.type === HeaderType.Error) acked = true;
              else if (r.header.flags & HeaderFlags.Multi) multi = true;
              if (r.header.type !== HeaderType.Error && (!multi || r.header.type === HeaderType.Done)) answered = true;
              if (acked && answered) {
                done = true;
                break;
              }
              continue;
            }
            if (r.header.type === HeaderType.Error || r.header.type === HeaderType.Done) {
              done = true;
              break;
            }
            // A dump ends with DONE. Any other request is answered in one datagram (a few
            // subsystems set NLM_F_MULTI on it anyway and send no DONE), then the ACK if asked.
            if (!wantAck && (!isDump || !(r.header.flags & HeaderFlags.Multi))) done = true;
          }
          if (skipped) this.#debug.note(`skipped ${skipped} message(s) not answering seq ${sent.header.sequence}`);
          if (done) break;
        }
      } finally {
        if (setAside.length) this.#queue.unshift(...setAside);
      }
      if (opts?.dumpInterrupted !== 'ignore' && replies.some(isDumpInterrupted)) {
        throw new DumpInterruptedError(replies);
      }
      return replies;
    });
  }

  #feature<K extends keyof Socket>(name: K, op: string): NonNullable<Socket[K]> {
    this.#assertOpen('setsockopt');
    const f = this.#sock[name];
    if (typeof f !== 'function') throw notSupported(op);
    return (f as (...a: unknown[]) => unknown).bind(this.#sock) as NonNullable<Socket[K]>;
  }

  /** Join multicast group `group` (a number, 1 and up — groups above 32 too). */
  joinGroup(group: number): void {
    checkGroup(group);
    this.#feature('joinGroup', 'join-group')(group);
  }

  /** Leave multicast group `group`. */
  leaveGroup(group: number): void {
    checkGroup(group);
    this.#feature('leaveGroup', 'leave-group')(group);
  }

  /** Group numbers this socket is a member of (NETLINK_LIST_MEMBERSHIPS). */
  groups(): number[] {
    return this.#feature('memberships', 'list-memberships')();
  }

  /** Turn a boolean socket option on or off. */
  setOption(option: ConnOption, on: boolean): void {
    if (!Object.values(ConnOption).includes(option)) throw new TypeError(`unknown netlink socket option ${String(option)}`);
    this.#feature('setOption', 'set-option')(option, on);
  }

  /** Read a boolean socket option back from the kernel. */
  getOption(option: ConnOption): boolean {
    if (!Object.values(ConnOption).includes(option)) throw new TypeError(`unknown netlink socket option ${String(option)}`);
    return this.#feature('getOption', 'get-option')(option);
  }

  /** Set SO_RCVBUF (SO_RCVBUFFORCE first, which needs CAP_NET_ADMIN). The kernel doubles it. */
  setReadBuffer(bytes: number): void {
    checkBufferSize(bytes);
    this.#feature('setReadBuffer', 'set-read-buffer')(bytes);
  }

  /** The receive buffer size (as the kernel reports it: twice what was set). */
  readBuffer(): number {
    return this.#feature('readBuffer', 'read-buffer')();
  }

  /** Set SO_SNDBUF (SO_SNDBUFFORCE first). The kernel doubles it. */
  setWriteBuffer(bytes: number): void {
    checkBufferSize(bytes);
    this.#feature('setWriteBuffer', 'set-write-buffer')(bytes);
  }

  /** The send buffer size (as the kernel reports it). */
  writeBuffer(): number {
    return this.#feature('writeBuffer', 'write-buffer')();
  }

  /**
   * Attach a classic BPF filter. It sees each message's raw bytes from the nlmsghdr on (loads
   * are big-endian, so host-order fields need care). Replaces any earlier filter.
   */
  setBPF(program: readonly BPFInstruction[]): void {
    if (program.length === 0) throw new RangeError('a BPF program needs at least one instruction');
    const bytes = new Uint8Array(program.length * 8);
    const view = new DataView(bytes.buffer);
    program.forEach((ins, i) => {
      const o = i * 8;
      for (const [name, v, max] of [['code', ins.code, 0xffff], ['jt', ins.jt, 0xff], ['jf', ins.jf, 0xff], ['k', ins.k, 0xffffffff]] as const) {
        if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`BPF instruction ${i}: ${name} must be 0..${max}`);
      }
      view.setUint16(o, ins.code, HOST_LITTLE_ENDIAN);
      view.setUint8(o + 2, ins.jt);
      view.setUint8(o + 3, ins.jf);
      view.setUint32(o + 4, ins.k >>> 0, HOST_LITTLE_ENDIAN);
    });
    this.#feature('setBPF', 'set-bpf')(bytes);
  }

  /** Detach the BPF filter. */
  removeBPF(): void {
    this.#feature('removeBPF', 'remove-bpf')();
  }

  /**
   * Close the socket. A pending receive rejects with EBADF; later calls fail with EBADF.
   * Calling close again does nothing.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sock.close();
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(systemError('recvmsg', 9 /* EBADF */, '(connection closed)'));
  }
}

function checkGroup(group: number): void {
  if (!Number.isInteger(group) || group < 1 || group > 0xffffffff) {
    throw new RangeError(`multicast group must be an integer 1..4294967295, got ${group}`);
  }
}

function checkBufferSize(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > 0x7fffffff) {
    throw new RangeError(`buffer size must be an integer 0..2147483647, got ${bytes}`);
  }
}

/**
 * Messages one by one from batches. While a batch has messages left, next() hands out an
 * already-settled promise: per-message iteration then costs far less than an async generator.
 */
function flatten<T>(batches: AsyncGenerator<T[], void, undefined>): AsyncIterableIterator<T> {
  let buf: T[] = [];
  let i = 0;
  const it: AsyncIterableIterator<T> = {
    next(): Promise<IteratorResult<T>> {
      if (i < buf.length) return Promise.resolve({ value: buf[i++]!, done: false });
      return batches.next().then((r) => {
        if (r.done) return { value: undefined, done: true };
        buf = r.value;
        i = 0;
        return it.next();
      });
    },
    return(): Promise<IteratorResult<T>> {
      buf = [];
      return batches.return(undefined).then(() => ({ value: undefined, done: true }));
    },
    throw(err: unknown): Promise<IteratorResult<T>> {
      buf = [];
      return batches.throw(err).then(() => ({ value: undefined, done: true }));
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}
