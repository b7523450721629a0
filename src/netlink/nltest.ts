// nltest: a fake netlink transport for testing code that uses Conn without a kernel, in the
// spirit of the Go package's nltest. A function plays the kernel: it receives each batch of
// requests and returns the replies. Importable as 'nlctl/nltest'.
import { HOST_LITTLE_ENDIAN, NLMSG_HDRLEN } from './align.js';
import { Conn, type Config } from './conn.js';
import { systemError } from './errors.js';
import { HeaderFlags, HeaderType, marshalMessages, parseMessages, type Message } from './message.js';
import type { ConnOption, Datagram, Socket } from './socket.js';

/** Port ID of every fake socket. */
export const PID = 1;

/**
 * Plays the kernel. Called with the messages of each datagram sent, and with null when a
 * reader finds nothing queued (return messages then to emulate a multicast notification).
 * Return the reply messages, an Error to fail the next receive with it, or nothing.
 */
export type Func = (requests: Message[] | null) => Message[] | Error | null | undefined | void;

/**
 * In-memory transport. Replies of a send are queued as datagrams; multipart replies are split
 * over two datagrams so that callers must loop as they would with the kernel.
 */
export class FakeSocket implements Socket {
  readonly pid: number = PID;
  /** Every datagram sent, as bytes. */
  readonly sent: Uint8Array[] = [];
  readonly #fn: Func;
  readonly #queue: (Datagram | Error)[] = [];
  readonly #groups = new Set<number>();
  readonly #options = new Map<ConnOption, boolean>();
  #watcher: ((err?: Error) => void) | undefined;
  #closed = false;
  #rcvbuf = 212992;
  #sndbuf = 212992;
  /** The attached BPF program bytes, if any. */
  bpf: Uint8Array | undefined;

  constructor(fn: Func) {
    this.#fn = fn;
  }

  #checkOpen(syscall: string): void {
    if (this.#closed) throw systemError(syscall, 9);
  }

  #enqueue(result: ReturnType<Func>, groups = 0, group?: number): void {
    if (result instanceof Error) {
      this.#queue.push(result);
    } else if (result && result.length) {
      // As the kernel does, an ACK that follows a reply travels in a datagram of its own.
      let body = result;
      const tail: Message[][] = [];
      const last = result[result.length - 1]!;
      if (result.length > 1 && last.header.type === HeaderType.Error) {
        body = result.slice(0, -1);
        tail.push([last]);
      }
      const multi = body.some((m) => m.header.flags & HeaderFlags.Multi && m.header.type !== HeaderType.Done);
      const half = Math.ceil(body.length / 2);
      const parts = multi && body.length > 1 ? [body.slice(0, half), body.slice(half), ...tail] : [body, ...tail];
      for (const part of parts) {
        const d: Datagram = { data: marshalMessages(part), portid: 0, groups };
        if (group !== undefined) d.group = group;
        this.#queue.push(d);
      }
    }
    this.#kick();
  }

  #kick(): void {
    if (this.#watcher && this.#queue.length) {
      const w = this.#watcher;
      setImmediate(() => {
        if (this.#watcher === w && this.#queue.length) w();
      });
    }
  }

  send(data: Uint8Array): void {
    this.#checkOpen('sendto');
    this.sent.push(data.slice());
    // Like the kernel, stop at a malformed message and act on the ones before it.
    const { messages } = parseMessages(data);
    if (messages.length) this.#enqueue(this.#fn(messages));
  }

  receive(): Datagram | null {
    this.#checkOpen('recvmsg');
    if (this.#queue.length === 0) {
      const r = this.#fn(null);
      if (r instanceof Error || (r && r.length)) this.#enqueue(r, 1);
    }
    const next = this.#queue.shift();
    if (next === undefined) return null;
    if (next instanceof Error) throw next;
    return next;
  }

  /** Deliver messages as a multicast notification on `group` (bitmask bit group−1 for groups ≤ 32). */
  inject(messages: Message[], group = 1): void {
    this.#enqueue(messages, group <= 32 ? 1 << (group - 1) : 0, this.#options.get('packet-info') ? group : undefined);
  }

  /** Make the next receive fail with this error (e.g. systemError('recvmsg', -105) for ENOBUFS). */
  injectError(err: Error): void {
    this.#queue.push(err);
    this.#kick();
  }

  watch(onReadable: (err?: Error) => void): void {
    this.#watcher = onReadable;
    this.#kick();
  }

  unwatch(): void {
    this.#watcher = undefined;
  }

  close(): void {
    this.#closed = true;
    this.#watcher = undefined;
  }

  joinGroup(group: number): void {
    this.#checkOpen('setsockopt');
    this.#groups.add(group);
  }
  leaveGroup(group: number): void {
    this.#checkOpen('setsockopt');
    this.#groups.delete(group);
  }
  memberships(): number[] {
    this.#checkOpen('getsockopt');
    return [...this.#groups].sort((a, b) => a - b);
  }
  setOption(option: ConnOption, on: boolean): void {
    this.#checkOpen('setsockopt');
    this.#options.set(option, on);
  }
  getOption(option: ConnOption): boolean {
    this.#checkOpen('getsockopt');
    return this.#options.get(option) ?? false;
  }
  setReadBuffer(bytes: number): void {
    this.#checkOpen('setsockopt');
    this.#rcvbuf = bytes * 2;
  }
  readBuffer(): number {
    this.#checkOpen('getsockopt');
    return this.#rcvbuf;
  }
  setWriteBuffer(bytes: number): void {
    this.#checkOpen('setsockopt');
    this.#sndbuf = bytes * 2;
  }
  writeBuffer(): number {
    this.#checkOpen('getsockopt');
    return this.#sndbuf;
  }
  setBPF(program: Uint8Array): void {
    this.#checkOpen('setsockopt');
    this.bpf = program.slice();
  }
  removeBPF(): void {
    this.#checkOpen('setsockopt');
    this.bpf = undefined;
  }
}

/** A Conn over a FakeSocket driven by `fn`. `family` defaults to 0; debugging is off unless configured. */
export function dial(fn: Func, config: Config & { family?: number } = {}): Conn {
  const socket = config.socket ?? new FakeSocket(fn);
  return new Conn(config.family ?? 0, socket, { debug: '', ...config, socket });
}

/**
 * Mark messages as one multipart reply: every message gets NLM_F_MULTI and a DONE (errno 0)
 * with the last one's sequence and pid is appended. Fewer than one message gives just the DONE
 * only when `seq` is given; an empty array is returned unchanged otherwise.
 */
export function multipart(messages: Message[], seq?: number): Message[] {
  const last = messages[messages.length - 1];
  const sequence = last?.header.sequence ?? seq;
  if (sequence === undefined) return messages;
  const out = messages.map((m) => ({ header: { ...m.header, flags: m.header.flags | HeaderFlags.Multi }, data: m.data }));
  out.push({
    header: { length: NLMSG_HDRLEN + 4, type: HeaderType.Done, flags: HeaderFlags.Multi, sequence, pid: last?.header.pid ?? PID },
    data: new Uint8Array(4),
  });
  return out;
}

/**
 * The NLMSG_ERROR the kernel would send for `request` with `errno` (negative or positive):
 * errno, the echoed header, the echoed payload unless `capped` (success ACKs are always capped),
 * then `tlvs` (already-marshalled extended-ACK attributes) with NLM_F_ACK_TLVS.
 */
export function error(errno: number, request: Message, options: { capped?: boolean; tlvs?: Uint8Array } = {}): Message {
  const e = -Math.abs(errno);
  const capped = options.capped ?? e === 0;
  const echoed = capped ? new Uint8Array(0) : request.data;
  const pad = (4 - (echoed.length % 4)) % 4;
  const tlvs = options.tlvs ?? new Uint8Array(0);
  const data = new Uint8Array(4 + NLMSG_HDRLEN + echoed.length + pad + tlvs.length);
  const view = new DataView(data.buffer);
  view.setInt32(0, e, HOST_LITTLE_ENDIAN);
  data.set(marshalMessages([{ header: request.header, data: new Uint8Array(0) }]).subarray(0, NLMSG_HDRLEN), 4);
  // The echoed header keeps the request's own length, as the kernel's does.
  view.setUint32(4, request.header.length, HOST_LITTLE_ENDIAN);
  data.set(echoed, 4 + NLMSG_HDRLEN);
  data.set(tlvs, 4 + NLMSG_HDRLEN + echoed.length + pad);
  let flags = 0;
  if (capped) flags |= HeaderFlags.Capped;
  if (tlvs.length) flags |= HeaderFlags.AcknowledgeTLVs;
  return {
    header: { length: NLMSG_HDRLEN + data.length, type: HeaderType.Error, flags, sequence: request.header.sequence, pid: request.header.pid },
    data,
  };
}

/** The ACK (errno 0) the kernel sends for `request` when NLM_F_ACK is set. */
export function ack(request: Message): Message {
  return error(0, request);
}

/**
 * Wrap `fn` so that request i must have type types[i] and flags flags[i] (0 skips a check);
 * a mismatch makes the fake fail the next receive with an Error saying what differed.
 */
export function checkRequest(types: number[], flags: number[], fn: Func): Func {
  return (reqs) => {
    if (reqs) {
      for (let i = 0; i < reqs.length; i++) {
        const h = reqs[i]!.header;
        if (types[i] && h.type !== types[i]) return new Error(`nltest: request ${i}: type ${h.type}, want ${types[i]}`);
        if (flags[i] && h.flags !== flags[i]) return new Error(`nltest: request ${i}: flags 0x${h.flags.toString(16)}, want 0x${flags[i]!.toString(16)}`);
      }
    }
    return fn(reqs);
  };
}
