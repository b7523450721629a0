// Output as bytes: a growable buffer that the compact JSON writer and the CLI's stdout write
// into. A 100k-message dump is ~40 MB of JSON; building it as strings cost string joins, a
// flatten and a UTF-8 encode per chunk, and garbage for all of it. Writing bytes in place
// costs one copy, and the pieces that repeat (keys, message heads, enum names) are encoded once.

/**
 * Text as UTF-8 bytes, to be written again and again. A plain Uint8Array (not a Buffer): the
 * pieces copied in the hot loop are all of one kind, which keeps the copy monomorphic.
 */
export function utf8(s: string): Uint8Array {
  const b = Buffer.from(s, 'utf8');
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const HEX = utf8('0123456789abcdef');

// Shorter copies are done byte by byte: TypedArray.set costs more than the loop below this.
const SHORT_COPY = 24;

/**
 * A growable buffer of UTF-8 bytes. Writers append; `pos` may be set back to an earlier value
 * to discard what was written since (the compact JSON writer declines a message that way).
 * {@link take} hands the written bytes over and starts a fresh buffer, so a stream may keep
 * them while writing goes on.
 */
export class ByteSink {
  /** The buffer; bytes [0, pos) are written. Replaced when it grows or is taken. */
  buf: Buffer;
  /** Bytes written. */
  pos = 0;
  readonly #initial: number;

  constructor(initial = 1 << 17) {
    this.#initial = initial;
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Make room for n more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** One byte (an ASCII character code). */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.reserve(1);
    this.buf[this.pos++] = c;
  }

  /** Bytes made once with {@link utf8}. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const buf = this.buf;
    let p = this.pos;
    if (n < SHORT_COPY) {
      for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    } else {
      buf.set(b, p);
      p += n;
    }
    this.pos = p;
  }

  /** Bytes [start, end) of `src`, as they are. */
  range(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const buf = this.buf;
    let p = this.pos;
    if (n < SHORT_COPY) {
      for (let i = start; i < end; i++) buf[p++] = src[i]!;
    } else {
      buf.set(src.subarray(start, end), p);
      p += n;
    }
    this.pos = p;
  }

  /** Bytes [start, end) of `src` as lowercase hex digits. */
  hex(src: Uint8Array, start: number, end: number): void {
    const n = (end - start) * 2;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) {
      const v = src[i]!;
      buf[p++] = HEX[v >> 4]!;
      buf[p++] = HEX[v & 15]!;
    }
    this.pos = p;
  }

  /** A string as UTF-8 (as it is: no quoting). */
  text(s: string): void {
    const n = s.length;
    if (n < SHORT_COPY) {
      if (this.pos + n > this.buf.length) this.reserve(n);
      const buf = this.buf;
      const p = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p + i] = c;
      }
      if (i === n) {
        this.pos = p + n;
        return;
      }
    }
    // Anything longer, or not ASCII: the encoder (at most 3 bytes per UTF-16 unit).
    this.reserve(n * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** A number 0–255 in decimal (a byte of an address). */
  octet(v: number): void {
    if (this.pos + 3 > this.buf.length) this.reserve(3);
    const buf = this.buf;
    let p = this.pos;
    if (v >= 100) {
      const h = (v / 100) | 0;
      buf[p++] = 48 + h;
      v -= h * 100;
      const t = (v / 10) | 0;
      buf[p++] = 48 + t;
      buf[p++] = 48 + v - t * 10;
    } else if (v >= 10) {
      const t = (v / 10) | 0;
      buf[p++] = 48 + t;
      buf[p++] = 48 + v - t * 10;
    } else {
      buf[p++] = 48 + v;
    }
    this.pos = p;
  }

  /** A non-negative integer in decimal (any number: larger or fractional ones via String). */
  uint(n: number): void {
    if (n < 10 && n >= 0 && (n | 0) === n) {
      this.byte(48 + n);
      return;
    }
    if (!(n > 0 && n <= 0xffffffff) || Math.floor(n) !== n) {
      this.text(String(n));
      return;
    }
    let digits = 2;
    for (let t = 100; t <= n; t *= 10) digits++;
    if (this.pos + digits > this.buf.length) this.reserve(digits);
    const buf = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    // Below 2^31 integer division is `| 0`; above, Math.floor.
    while (n >= 0x80000000) {
      const q = Math.floor(n / 10);
      buf[--p] = 48 + (n - q * 10);
      n = q;
    }
    while (n >= 10) {
      const q = (n / 10) | 0;
      buf[--p] = 48 + (n - q * 10);
      n = q;
    }
    buf[--p] = 48 + n;
  }

  /** Any integer, number or bigint, in decimal. */
  int(n: number | bigint): void {
    if (typeof n === 'bigint') this.text(n.toString());
    else if (n >= 0) this.uint(n);
    else this.text(String(n));
  }

  /** The bytes written, as text (tests and callers that want a string). */
  toString(): string {
    return this.buf.toString('utf8', 0, this.pos);
  }

  /**
   * Hand the bytes written over (a view of the current buffer, which is not written again)
   * and go on in `next` — a buffer taken earlier that its taker is done with — or a new one.
   */
  take(next?: Buffer): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = next ?? Buffer.allocUnsafe(this.#initial);
    this.pos = 0;
    return out;
  }
}
