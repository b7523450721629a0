// A growable byte buffer for the text readers: amortised O(1) appends, so turning a 40 MB hex
// dump into bytes stays linear (no string or array concatenation per byte).

/** Bytes appended one at a time or in runs; `take()` hands out the result and starts over. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  /** Number of bytes written since the last take(). */
  length = 0;

  /** Append one byte (the low 8 bits of `b`). */
  push(b: number): void {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
  }

  /** Append a run of bytes. */
  pushBytes(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.buf.length) this.grow(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Append `count` zero bytes. */
  pushZeros(count: number): void {
    if (this.length + count > this.buf.length) this.grow(count);
    this.buf.fill(0, this.length, this.length + count);
    this.length += count;
  }

  /** Forget everything after the first `length` bytes. */
  truncate(length: number): void {
    if (length < this.length) this.length = length;
  }

  /** The last `count` bytes written (a view: copy it before writing more). */
  tail(count: number): Uint8Array {
    return this.buf.subarray(this.length - count, this.length);
  }

  /** A copy of the bytes written so far; the writer is then empty. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }

  private grow(extra: number): void {
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}
