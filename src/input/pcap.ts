// Captures: classic pcap and pcapng, as `tcpdump -i nlmon0 -w` and Wireshark write them.
//
// Classic pcap: a 24-byte file header (magic a1b2c3d4 for microsecond or a1b23c4d for nanosecond
// timestamps, in either byte order; a1b2cd34 is the old "modified pcap" with 24-byte records),
// then records of a 16-byte header + captured bytes. One link type for the whole file.
//
// pcapng: blocks of (type, total length, body, total length). A Section Header Block (0x0a0d0d0a)
// sets the byte order (0x1a2b3c4d) and starts a new list of interfaces; Interface Description
// Blocks give each interface's link type, snap length and timestamp resolution (if_tsresol,
// if_tsoffset); Enhanced, Simple and (obsolete) Packet Blocks carry packets; every other block is
// skipped.
//
// Link types that carry netlink:
// * 253 NETLINK (nlmon): a 16-byte pseudo-header, the Linux "cooked" header: packet type (u16),
//   ARPHRD (u16, 824 = ARPHRD_NETLINK), address length (u16), address (8 bytes), protocol (u16,
//   the netlink protocol number); all big-endian. Packet type 6 is PACKET_USER (to user space),
//   7 is PACKET_KERNEL (to the kernel).
// * 113 LINUX_SLL (`tcpdump -i any`): the same header; packets whose ARPHRD is not 824 are other
//   traffic and are skipped.
// * 276 LINUX_SLL2 (newer `-i any`): protocol (u16), reserved (u16), ifindex (u32), ARPHRD (u16),
//   packet type (u8), address length (u8), address (8 bytes); skipped unless ARPHRD is 824.
// Any other link type is an error (classic pcap) or its packets are skipped (pcapng, where one
// file may hold several interfaces), with an error if no netlink packet is left.
//
// Damage: a file cut short (a record header or packet running past the end) or a block whose
// lengths disagree throws InputError, with the packets read before it in `partial`. Problems
// confined to one packet (shorter than its pseudo-header, not netlink) are warnings.
import { InputError } from './errors.js';
import type { InputPacket, ReadResult } from './packet.js';

/** ARPHRD_NETLINK, the hardware type nlmon reports. */
const ARPHRD_NETLINK = 824;
const LINKTYPE_NETLINK = 253;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

/** Names of link types people are likely to feed in by mistake (tcpdump.org/linktypes.html). */
const LINKTYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'NULL (BSD loopback)',
  1: 'ETHERNET',
  101: 'RAW (raw IP)',
  105: 'IEEE802_11 (Wi-Fi)',
  113: 'LINUX_SLL',
  127: 'IEEE802_11_RADIOTAP',
  189: 'USB_LINUX',
  220: 'USB_LINUX_MMAPPED',
  228: 'IPV4',
  229: 'IPV6',
  239: 'NFLOG',
  249: 'NETANALYZER',
  253: 'NETLINK',
  276: 'LINUX_SLL2',
};

/** "link type 1 (ETHERNET)". */
export function linkTypeName(linkType: number): string {
  const name = LINKTYPE_NAMES[linkType];
  return name === undefined ? `link type ${linkType}` : `link type ${linkType} (${name})`;
}

/** True for link types whose packets may be netlink. */
function carriesNetlink(linkType: number): boolean {
  return linkType === LINKTYPE_NETLINK || linkType === LINKTYPE_LINUX_SLL || linkType === LINKTYPE_LINUX_SLL2;
}

/** Which capture format `bytes` starts with, by magic number; undefined for neither. */
export function captureFormat(bytes: Uint8Array): 'pcap' | 'pcapng' | undefined {
  if (bytes.length < 4) return undefined;
  const be = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const le = ((bytes[3]! << 24) | (bytes[2]! << 16) | (bytes[1]! << 8) | bytes[0]!) >>> 0;
  if (be === 0x0a0d0d0a) return 'pcapng';
  for (const m of [be, le]) if (m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xa1b2cd34) return 'pcap';
  return undefined;
}

/** Options of readPcap. */
export interface PcapOptions {
  /** Name of the input for `where` and error messages. Default "input". */
  source?: string;
}

/** The netlink part of one captured packet, or why it has none. */
type Unwrapped =
  | { data: Uint8Array; protocol: number; direction?: 'to-kernel' | 'to-user'; odd?: string }
  | { skip: string };

function be16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function directionOf(pkttype: number): 'to-kernel' | 'to-user' | undefined {
  return pkttype === 7 ? 'to-kernel' : pkttype === 6 ? 'to-user' : undefined;
}

/** Strip the link-layer header of `linkType` off `frame`. */
function unwrap(linkType: number, frame: Uint8Array): Unwrapped {
  if (linkType === LINKTYPE_NETLINK || linkType === LINKTYPE_LINUX_SLL) {
    if (frame.length < 16) return { skip: `${frame.length} bytes, shorter than the 16-byte link-layer header` };
    const arphrd = be16(frame, 2);
    if (arphrd !== ARPHRD_NETLINK && linkType === LINKTYPE_LINUX_SLL) return { skip: 'not netlink' };
    const out: Unwrapped = { data: frame.subarray(16), protocol: be16(frame, 14) };
    const direction = directionOf(be16(frame, 0));
    if (direction !== undefined) out.direction = direction;
    if (arphrd !== ARPHRD_NETLINK) out.odd = `its pseudo-header says ARPHRD ${arphrd}, not ${ARPHRD_NETLINK} (ARPHRD_NETLINK)`;
    return out;
  }
  if (linkType === LINKTYPE_LINUX_SLL2) {
    if (frame.length < 20) return { skip: `${frame.length} bytes, shorter than the 20-byte link-layer header` };
    if (be16(frame, 8) !== ARPHRD_NETLINK) return { skip: 'not netlink' };
    const out: Unwrapped = { data: frame.subarray(20), protocol: be16(frame, 0) };
    const direction = directionOf(frame[10]!);
    if (direction !== undefined) out.direction = direction;
    return out;
  }
  return { skip: `not netlink (${linkTypeName(linkType)})` };
}

/** Nanoseconds since the epoch as a Date, or undefined outside Date's range. */
function toDate(ns: bigint): Date | undefined {
  const ms = Number(ns / 1_000_000n) - (ns < 0n && ns % 1_000_000n !== 0n ? 1 : 0);
  return Math.abs(ms) <= 8.64e15 ? new Date(ms) : undefined;
}

/** Collects packets, skips and warnings while a capture is walked. */
class Collector {
  readonly packets: InputPacket[] = [];
  readonly warnings: string[] = [];
  /** Frame number of the next packet record (1-based, as Wireshark counts). */
  frame = 1;
  private readonly skipped = new Map<string, { count: number; first: number }>();
  private readonly odd = new Map<string, { count: number; first: number }>();

  constructor(
    readonly source: string,
    readonly format: 'pcap' | 'pcapng',
  ) {}

  /** One packet record: `frame` bytes on an interface of `linkType`, captured at `ns`. */
  add(linkType: number, frame: Uint8Array, ns: bigint | undefined, originalLength: number): void {
    const number = this.frame++;
    const where = `${this.source} packet ${number}`;
    const u = unwrap(linkType, frame);
    if ('skip' in u) {
      const seen = this.skipped.get(u.skip) ?? { count: 0, first: number };
      seen.count++;
      this.skipped.set(u.skip, seen);
      return;
    }
    const packet: InputPacket = { data: u.data, protocol: u.protocol, index: number - 1, where };
    if (u.direction !== undefined) packet.direction = u.direction;
    if (ns !== undefined) {
      packet.timestampNs = ns;
      const time = toDate(ns);
      if (time !== undefined) packet.time = time;
    }
    if (u.odd !== undefined) {
      const seen = this.odd.get(u.odd) ?? { count: 0, first: number };
      seen.count++;
      this.odd.set(u.odd, seen);
    }
    if (originalLength > frame.length) {
      this.warnings.push(`${where}: only ${frame.length} of its ${originalLength} bytes were captured (snap length); its last message is cut short`);
    }
    this.packets.push(packet);
  }

  /** The result so far, with summary warnings. */
  result(): ReadResult {
    const warnings = [...this.warnings];
    for (const [reason, { count, first }] of this.skipped) {
      warnings.push(`skipped ${count} packet${count === 1 ? '' : 's'} (first: packet ${first}): ${reason}`);
    }
    for (const [reason, { count, first }] of this.odd) {
      warnings.push(`${count} packet${count === 1 ? '' : 's'} (first: packet ${first}): ${reason}; read as netlink anyway`);
    }
    if (this.frame === 1) warnings.push('the capture holds no packets');
    return { packets: [...this.packets], format: this.format, warnings };
  }

  /** Throw an InputError at byte `offset`, carrying what was read so far. */
  fail(offset: number, message: string): never {
    throw new InputError(`${this.source}: ${message}`, { offset, partial: this.result() });
  }

  /** Error out if records existed but none was netlink. */
  requireNetlink(linkTypes: Iterable<number>): void {
    if (this.packets.length > 0 || this.frame === 1) return;
    const kinds = [...new Set(linkTypes)].map(linkTypeName).join(', ');
    const reasons = [...this.skipped.keys()].join('; ');
    throw new InputError(`${this.source}: no netlink packets in this ${this.format} capture (${kinds}): ${reasons}; capture on an nlmon device (ip link add nlmon0 type nlmon)`, { partial: this.result() });
  }
}

/**
 * Read a classic pcap or pcapng capture (by magic number) into netlink packets. `data` of each
 * packet is a view into `bytes`. Throws InputError for a file that is neither, a truncated or
 * corrupt file (with `partial`), or a link type that cannot carry netlink.
 */
export function readPcap(bytes: Uint8Array, options: PcapOptions = {}): ReadResult {
  const source = options.source ?? 'input';
  const format = captureFormat(bytes);
  if (format === 'pcap') return readClassic(bytes, source);
  if (format === 'pcapng') return readPcapng(bytes, source);
  if (bytes.length === 0) throw new InputError(`${source}: empty input`, { offset: 0 });
  const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new InputError(`${source}: not a pcap or pcapng capture (it starts with ${magic}; a pcap starts with d4 c3 b2 a1 or a1 b2 c3 d4, a pcapng with 0a 0d 0d 0a)`, { offset: 0 });
}

function readClassic(bytes: Uint8Array, source: string): ReadResult {
  const out = new Collector(source, 'pcap');
  if (bytes.length < 24) out.fail(bytes.length, `pcap file header is cut short: ${bytes.length} of its 24 bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLE = view.getUint32(0, true);
  const little = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d || magicLE === 0xa1b2cd34;
  const magic = view.getUint32(0, little);
  const nano = magic === 0xa1b23c4d;
  const recordHeader = magic === 0xa1b2cd34 ? 24 : 16;
  const major = view.getUint16(4, little);
  if (major !== 2) out.warnings.push(`pcap version ${major}.${view.getUint16(6, little)} (expected 2.4); reading it as 2.4`);
  const linkType = view.getUint32(20, little) & 0xffff;
  if (!carriesNetlink(linkType)) {
    throw new InputError(
      `${source}: pcap ${linkTypeName(linkType)} is not netlink; nlctl reads captures of link type 253 (NETLINK), as tcpdump -i nlmon0 writes them (also 113/276, Linux cooked, for their netlink packets)`,
      { offset: 20 },
    );
  }
  let off = 24;
  while (off < bytes.length) {
    const frame = out.frame;
    if (bytes.length - off < recordHeader) {
      out.fail(off, `packet ${frame} at byte ${off}: its record header is cut short (${bytes.length - off} of ${recordHeader} bytes; the capture was cut off?)`);
    }
    const seconds = view.getUint32(off, little);
    const fraction = view.getUint32(off + 4, little);
    const captured = view.getUint32(off + 8, little);
    const original = view.getUint32(off + 12, little);
    const start = off + recordHeader;
    if (captured > bytes.length - start) {
      out.fail(off, `packet ${frame} at byte ${off}: its record says ${captured} captured bytes, but only ${bytes.length - start} remain (the capture was cut off?)`);
    }
    const ns = BigInt(seconds) * 1_000_000_000n + BigInt(fraction) * (nano ? 1n : 1000n);
    out.add(linkType, bytes.subarray(start, start + captured), ns, original);
    off = start + captured;
  }
  out.requireNetlink([linkType]);
  return out.result();
}

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second. */
  unitsPerSecond: bigint;
  /** if_tsoffset: seconds to add. */
  offsetSeconds: bigint;
}

/** Options of an IDB: if_tsresol (9) and if_tsoffset (14); malformed options end the list. */
function readInterfaceOptions(view: DataView, from: number, to: number, little: boolean, iface: Interface): string | undefined {
  let off = from;
  while (off + 4 <= to) {
    const code = view.getUint16(off, little);
    const length = view.getUint16(off + 2, little);
    if (code === 0) return undefined;
    const value = off + 4;
    if (value + length > to) return `an option runs past the end of its block`;
    if (code === 9 && length >= 1) {
      const r = view.getUint8(value);
      iface.unitsPerSecond = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
    } else if (code === 14 && length >= 8) {
      iface.offsetSeconds = view.getBigInt64(value, little);
    }
    off = value + length + ((4 - (length % 4)) % 4);
  }
  return undefined;
}

function readPcapng(bytes: Uint8Array, source: string): ReadResult {
  const out = new Collector(source, 'pcapng');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little = true;
  let interfaces: Interface[] = [];
  const linkTypes: number[] = [];
  let off = 0;
  while (off < bytes.length) {
    const left = bytes.length - off;
    if (left < 12) out.fail(off, `block at byte ${off} is cut short (${left} bytes; a block is at least 12; the capture was cut off?)`);
    let type = view.getUint32(off, little);
    if (type === 0x0a0d0d0a) {
      if (left < 28) out.fail(off, `section header block at byte ${off} is cut short (${left} of at least 28 bytes)`);
      const order = view.getUint32(off + 8, true);
      if (order === 0x1a2b3c4d) little = true;
      else if (order === 0x4d3c2b1a) little = false;
      else out.fail(off + 8, `section header block at byte ${off} has a bad byte-order magic (0x${order.toString(16).padStart(8, '0')})`);
      type = view.getUint32(off, little);
    } else if (off === 0) {
      out.fail(0, 'pcapng capture does not start with a section header block');
    }
    const length = view.getUint32(off + 4, little);
    if (length < 12 || length % 4 !== 0) out.fail(off + 4, `block at byte ${off} has an impossible length ${length} (at least 12 and a multiple of 4)`);
    if (length > left) out.fail(off, `block at byte ${off} says it is ${length} bytes, but only ${left} remain (the capture was cut off?)`);
    if (view.getUint32(off + length - 4, little) !== length) {
      out.fail(off + length - 4, `block at byte ${off}: its trailing length ${view.getUint32(off + length - 4, little)} differs from its leading length ${length} (corrupt capture)`);
    }
    const body = off + 8;
    const end = off + length - 4; // end of body and options
    switch (type) {
      case 0x0a0d0d0a: {
        const major = view.getUint16(body + 4, little);
        if (major !== 1) out.fail(body + 4, `section header block at byte ${off}: pcapng version ${major} (nlctl reads version 1)`);
        interfaces = [];
        break;
      }
      case 1: {
        if (length < 20) out.fail(off, `interface description block at byte ${off} is too short (${length} bytes)`);
        const iface: Interface = { linkType: view.getUint16(body, little), snapLength: view.getUint32(body + 4, little), unitsPerSecond: 1_000_000n, offsetSeconds: 0n };
        const problem = readInterfaceOptions(view, body + 8, end, little, iface);
        if (problem !== undefined) out.warnings.push(`interface ${interfaces.length} (block at byte ${off}): ${problem}; its remaining options are ignored`);
        interfaces.push(iface);
        linkTypes.push(iface.linkType);
        break;
      }
      case 6: // Enhanced Packet Block
      case 2: {
        // (obsolete) Packet Block: interface u16, drops u16, then as EPB
        if (length < 32) out.fail(off, `packet block at byte ${off} is too short (${length} bytes)`);
        const id = type === 6 ? view.getUint32(body, little) : view.getUint16(body, little);
        const iface = interfaces[id];
        if (iface === undefined) out.fail(off, `packet ${out.frame} (block at byte ${off}) names interface ${id}, but this section describes ${interfaces.length} interface${interfaces.length === 1 ? '' : 's'}`);
        const ts = (BigInt(view.getUint32(body + 4, little)) << 32n) | BigInt(view.getUint32(body + 8, little));
        const captured = view.getUint32(body + 12, little);
        const original = view.getUint32(body + 16, little);
        const data = body + 20;
        if (captured > end - data) out.fail(off, `packet ${out.frame} (block at byte ${off}) says ${captured} captured bytes, but its block holds only ${end - data}`);
        const ns = (ts * 1_000_000_000n) / iface.unitsPerSecond + iface.offsetSeconds * 1_000_000_000n;
        out.add(iface.linkType, bytes.subarray(data, data + captured), ns, original);
        break;
      }
      case 3: {
        // Simple Packet Block: original length, then the packet; interface 0, no timestamp
        if (length < 16) out.fail(off, `simple packet block at byte ${off} is too short (${length} bytes)`);
        const iface = interfaces[0];
        if (iface === undefined) out.fail(off, `packet ${out.frame} (simple packet block at byte ${off}) comes before any interface description`);
        const original = view.getUint32(body, little);
        let captured = Math.min(original, end - (body + 4));
        if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
        out.add(iface.linkType, bytes.subarray(body + 4, body + 4 + captured), undefined, original);
        break;
      }
      default:
        break; // name resolution, statistics, journal, custom, …: nothing for netlink
    }
    off += length;
  }
  out.requireNetlink(linkTypes);
  return out.result();
}
