// Where records go: stdout, written as they arrive, with back-pressure honoured and a broken
// pipe (`nlctl dump … | head`) turned into a quiet stop; human status to stderr only when it is
// a terminal and not silenced.
import { HOST_LITTLE_ENDIAN } from '../netlink/align.js';
import { fixedHeaderSize } from '../families/protocols.js';
import { decodeMessage, type DecodeContext, type DecodedMessage } from '../model/decode.js';
import { ByteSink } from '../model/bytesink.js';
import { writeMessageJsonMembers } from '../model/jsonline.js';
import { HeaderType, marshalMessages, type Message } from '../netlink/message.js';
import type { MessageRecord, OutputRecord, Renderer, SummaryRecord } from '../render/record.js';
import type { Target } from './resolve.js';

/** Output is written in chunks of about this many bytes. */
const CHUNK = 65536;

/** Chunk buffers kept for reuse (more are made while a slow reader holds them). */
const SPARE_BUFFERS = 4;

/** The stdout side of a command. */
export class Output {
  readonly #renderer: Renderer;
  readonly #stream: NodeJS.WriteStream;
  readonly #abort = new AbortController();
  #broken = false;
  #failure: Error | undefined;
  #ended = false;
  /** Bytes rendered and not yet written. */
  readonly #pending = new ByteSink(CHUNK * 2);
  /** Buffers the stream is done with, for the next chunks. */
  readonly #spare: Buffer[] = [];
  #scheduled = false;
  /** Messages (and uevents) written. */
  messages = 0;
  /** Of those, kernel errors (NLMSG_ERROR with a negative error). */
  errors = 0;

  constructor(renderer: Renderer, stream: NodeJS.WriteStream = process.stdout) {
    this.#renderer = renderer;
    this.#stream = stream;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      // The reader went away: stop producing, quietly (exit 0), as ripgrep and ip do. Any other
      // failure (a full disk) stops too, and end() reports it.
      this.#broken = true;
      if (err.code !== 'EPIPE') this.#failure ??= err;
      this.#abort.abort(err);
    });
  }

  /** The totals that end a JSON dump or listen: what was written since `started` (Date.now()). */
  summary(started: number, overruns = 0): SummaryRecord {
    return { record: 'summary', messages: this.messages, errors: this.errors, overruns, elapsed: (Date.now() - started) / 1000 };
  }

  /** Aborts when stdout breaks; pass it to waits so a command stops at once. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** True once stdout failed: after EPIPE (a quiet stop) or another write error (see end()). */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Render one record and queue its bytes. They go out in chunks — at 64 KiB, or on the next
   * turn of the event loop — so a 100k-message dump costs a few hundred writes, not 100k, and
   * a listener's lines still appear at once. Returns a promise only when the caller must wait
   * (the stream is full): hot loops write `const wait = out.write(r); if (wait) await wait;`
   * and pay no microtask per message.
   */
  write(record: OutputRecord): Promise<void> | undefined {
    if (this.#broken || this.#ended) return undefined;
    if (record.record === 'message' || record.record === 'uevent') this.messages++;
    if (record instanceof LazyMessageRecord && record.failed) this.errors++;
    const pending = this.#pending;
    if (this.#renderer.renderTo) this.#renderer.renderTo(record, pending);
    else pending.text(this.#renderer.render(record));
    if (pending.pos === 0) return undefined;
    if (pending.pos >= CHUNK) return this.#flush();
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.#flush();
      });
    }
    return undefined;
  }

  async #flush(): Promise<void> {
    const pending = this.#pending;
    if (pending.pos === 0) return;
    // The stream keeps the bytes until they are written: the buffer is used again only after.
    const whole = pending.buf;
    const bytes = pending.take(this.#spare.pop());
    if (this.#broken) return;
    let back = false;
    const giveBack = (): void => {
      if (!back && this.#spare.length < SPARE_BUFFERS) this.#spare.push(whole);
      back = true;
    };
    const more = this.#stream.write(bytes, (err) => {
      if (!err) giveBack();
    });
    // stdout on Linux writes files, pipes and terminals synchronously: nothing left queued means
    // the bytes are out, and the buffer is free now (the callback comes only on a later tick,
    // which a loop that never waits would not see).
    if (this.#stream.writableLength === 0) giveBack();
    if (!more) await this.#drained();
  }

  /**
   * Write what is queued and what the renderer keeps for the end. Safe to call twice. Rejects
   * with the error stdout failed with, other than EPIPE (which ends quietly).
   */
  async end(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      if (!this.#broken) this.#pending.text(this.#renderer.end?.() ?? '');
      await this.#flush();
    }
    if (this.#failure) throw this.#failure;
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#stream.off('drain', done);
        this.#abort.signal.removeEventListener('abort', done);
        resolve();
      };
      this.#stream.once('drain', done);
      this.#abort.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Human status lines on stderr: only on a terminal, never with -q. */
export function statusWriter(quiet: boolean): (line: string) => void {
  if (quiet || !process.stderr.isTTY) return () => {};
  return (line) => {
    process.stderr.write(`${line}\n`);
  };
}

/**
 * Size of a message's family header (libmnl's "extra header"): the struct the decoder chose
 * (variants included, rounded up to 4), genlmsghdr plus the family's own for generic netlink,
 * else the per-protocol table.
 */
export function extraHeaderSize(target: Target, m: Message, decoded: DecodedMessage): number {
  if (m.header.type < 16) return 0;
  if (target.protocol === 16) return 4 + (target.genl?.id === m.header.type ? target.genl.live.hdrSize : 0);
  const st = decoded.fixed ? target.family?.structs[decoded.fixed.name] : undefined;
  if (st) return st.size % 4 ? st.size + (4 - (st.size % 4)) : st.size;
  return fixedHeaderSize(target.protocol, m.header.type, (m.header.flags & 1) !== 0, m.data[0]);
}

/**
 * A message record that decodes on first use: the NDJSON view of a plain message never needs
 * the model (writeCompactJson writes it from the bytes), and the bytes are rebuilt only for the
 * views that show them (mnl, lossless JSON).
 */
export class LazyMessageRecord implements MessageRecord {
  // Fields are declared, not initialised in the class body: a dump makes 100k of these, and
  // assignments in the constructor cost less than class-field definitions. Plain (not #private)
  // fields, all set in the constructor: one object shape.
  declare record: 'message';
  declare direction: 'sent' | 'received';
  // Set only when given: most records have none of them.
  declare time?: Date;
  declare group?: number;
  declare groupName?: string;
  declare nsid?: number;
  declare portid?: number;
  declare mark?: MessageRecord['mark'];
  declare private readonly target: Target;
  declare private readonly m: Message;
  declare private readonly ctx: DecodeContext;
  declare private decodedMessage: DecodedMessage | undefined;
  declare private messageBytes: Uint8Array | undefined;
  declare private ehs: number | undefined;
  /** Whether writeCompactJson wrote the message (then it was never decoded). */
  declare private written: boolean;

  constructor(target: Target, m: Message, direction: 'sent' | 'received', ctx: DecodeContext, extra?: Partial<MessageRecord>) {
    this.record = 'message';
    this.direction = direction;
    this.target = target;
    this.m = m;
    this.ctx = ctx;
    this.decodedMessage = undefined;
    this.messageBytes = undefined;
    this.ehs = undefined;
    this.written = false;
    if (extra) {
      if (extra.time !== undefined) this.time = extra.time;
      if (extra.group !== undefined) this.group = extra.group;
      if (extra.groupName !== undefined) this.groupName = extra.groupName;
      if (extra.nsid !== undefined) this.nsid = extra.nsid;
      if (extra.portid !== undefined) this.portid = extra.portid;
      if (extra.mark !== undefined) this.mark = extra.mark;
      if (extra.extraHeaderSize !== undefined) this.ehs = extra.extraHeaderSize;
    }
  }

  get decoded(): DecodedMessage {
    return (this.decodedMessage ??= decodeMessage(this.m, this.ctx));
  }

  get bytes(): Uint8Array {
    return (this.messageBytes ??= marshalMessages([this.m]).subarray(0, 16 + this.m.data.length));
  }

  get extraHeaderSize(): number {
    return (this.ehs ??= extraHeaderSize(this.target, this.m, this.decoded));
  }

  set extraHeaderSize(n: number) {
    this.ehs = n;
  }

  writeCompactJson(sink: ByteSink): boolean {
    if (this.decodedMessage) return false;
    return (this.written = writeMessageJsonMembers(sink, this.m, this.ctx));
  }

  /** An NLMSG_ERROR with a negative error, read from the bytes (no decoding). */
  get failed(): boolean {
    const m = this.m;
    return m.header.type === HeaderType.Error && m.data.length >= 4 && new DataView(m.data.buffer, m.data.byteOffset, 4).getInt32(0, HOST_LITTLE_ENDIAN) < 0;
  }

  /** Whether decoding met a problem (a message writeCompactJson wrote is never malformed). */
  get malformed(): boolean {
    return !this.written && this.decoded.malformed.length > 0;
  }
}

/** Decode a message into a record for the renderers (decoded when a renderer first asks). */
export function messageRecord(
  target: Target,
  m: Message,
  direction: 'sent' | 'received',
  extra?: Partial<MessageRecord>,
  request?: DecodeContext['request'],
  rawAttrOffset: number | 'auto' = 'auto',
): LazyMessageRecord {
  return new LazyMessageRecord(target, m, direction, recordContext(target, request, rawAttrOffset, extra?.group !== undefined && extra.group > 0), extra);
}

// The last context made, and for which target: every message of a dump shares one (contexts
// are read-only), and comparing beats a lookup 100k times.
let lastTarget: Target | undefined;
let lastContext: DecodeContext | undefined;

function recordContext(target: Target, request: DecodeContext['request'], rawAttrOffset: number | 'auto', multicast: boolean): DecodeContext {
  const family = target.protocol === 16 ? undefined : target.family;
  const last = lastTarget === target ? lastContext : undefined;
  if (last && last.request === request && last.rawAttrOffset === rawAttrOffset && last.multicast === multicast && last.protocol === target.protocol && last.family === family && last.genlFamilies === target.genlFamilies) return last;
  const ctx: DecodeContext = {
    protocol: target.protocol,
    family,
    genlFamilies: target.genlFamilies,
    request,
    rawAttrOffset,
    multicast,
  };
  lastTarget = target;
  lastContext = ctx;
  return ctx;
}
