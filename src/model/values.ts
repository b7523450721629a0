// Values in the forms people read and write: IP addresses, MAC addresses, hex. Both ways, so
// that what the decoder prints can be fed back to the encoder.

/** Lowercase hex of the bytes, no separators. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Parse hex written as "0a0b", "0a:0b", "0a 0b" or "0x0a0b"; undefined when it is not hex. */
export function fromHex(text: string): Uint8Array | undefined {
  const clean = text.replace(/^0x/i, '').replace(/[\s:.-]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/** MAC (or any link-layer address) as colon-separated hex: 02:00:00:00:00:09. */
export function formatMac(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Dotted quad of 4 bytes. */
export function formatIPv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** RFC 5952 text of 16 bytes: lowercase, the longest run (≥ 2) of zero groups as "::". */
export function formatIPv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // IPv4-mapped addresses read best with a dotted tail (::ffff:192.0.2.1), as iproute2 prints them.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(b.subarray(12, 16))}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** An address by its length: 4 bytes IPv4, 16 bytes IPv6, anything else hex. */
export function formatIP(b: Uint8Array): string {
  if (b.length === 4) return formatIPv4(b);
  if (b.length === 16) return formatIPv6(b);
  return toHex(b);
}

/** Parse a dotted quad; undefined when it is not one. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return new Uint8Array(parts);
}

/** Parse IPv6 text (with "::" and an optional dotted tail); undefined when it is not IPv6. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  let tail: Uint8Array | undefined;
  let t = text;
  const dot = t.lastIndexOf(':');
  if (t.slice(dot + 1).includes('.')) {
    tail = parseIPv4(t.slice(dot + 1));
    if (!tail) return undefined;
    t = t.slice(0, dot + 1) + '0:0';
  }
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0 || (halves.length === 2 && missing < 1)) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/** Parse an IPv4 or IPv6 address. */
export function parseIP(text: string): Uint8Array | undefined {
  return parseIPv4(text) ?? parseIPv6(text);
}

/** Parse a MAC written as aa:bb:cc:dd:ee:ff (or with - separators). */
export function parseMac(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F]{1,2}([:-][0-9a-fA-F]{1,2})*$/.test(text)) return undefined;
  return new Uint8Array(text.split(/[:-]/).map((x) => parseInt(x, 16)));
}
