// kobject uevents (NETLINK_KOBJECT_UEVENT). These datagrams are not netlink messages: the kernel
// sends "ACTION@DEVPATH" and then KEY=VALUE pairs, each NUL-terminated; udev re-broadcasts
// events (multicast group 2) behind a binary envelope that starts with "libudev\0" and points at
// the same KEY=VALUE list. Both are decoded here; nothing is ever dropped or thrown.

/** A decoded uevent. */
export interface Uevent {
  /** Who sent it: the kernel (group 1) or udev's envelope (group 2). */
  source: 'kernel' | 'udev';
  /** ACTION (add, remove, change, bind, …): from the header, or from the ACTION key. */
  action?: string;
  /** DEVPATH: from the header, or from the DEVPATH key. */
  devpath?: string;
  /** Every KEY=VALUE pair in order (a repeated key keeps its last value). */
  env: Record<string, string>;
  /** udev envelope fields. */
  udev?: {
    magic: number;
    headerSize: number;
    propertiesOffset: number;
    propertiesLength: number;
    subsystemHash: number;
    devtypeHash: number;
    tagBloomHi: number;
    tagBloomLo: number;
  };
  /** Problems met (text that is not KEY=VALUE, an envelope that points past the end, …). */
  malformed: string[];
}

const UDEV_PREFIX = 'libudev\0';
/** udev writes its magic in network byte order. */
const UDEV_MAGIC = 0xfeedcafe;
const UDEV_HEADER_SIZE = 40;

function splitNul(b: Uint8Array): string[] {
  const out = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8').split('\0');
  if (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

function parsePairs(fields: string[], ev: Uevent): void {
  for (const f of fields) {
    if (f === '') continue;
    const eq = f.indexOf('=');
    if (eq <= 0) {
      ev.malformed.push(`not a KEY=VALUE pair: ${JSON.stringify(f)}`);
      continue;
    }
    ev.env[f.slice(0, eq)] = f.slice(eq + 1);
  }
}

/** Decode one uevent datagram. */
export function decodeUevent(data: Uint8Array): Uevent {
  const head = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, UDEV_PREFIX.length)).toString('latin1');
  if (head === UDEV_PREFIX) return decodeUdev(data);
  const ev: Uevent = { source: 'kernel', env: {}, malformed: [] };
  const fields = splitNul(data);
  const first = fields.shift();
  if (first === undefined) {
    ev.malformed.push('empty datagram');
    return ev;
  }
  const at = first.indexOf('@');
  if (at > 0) {
    ev.action = first.slice(0, at);
    ev.devpath = first.slice(at + 1);
  } else {
    ev.malformed.push(`no ACTION@DEVPATH header: ${JSON.stringify(first)}`);
    fields.unshift(first);
  }
  parsePairs(fields, ev);
  ev.action ??= ev.env.ACTION;
  ev.devpath ??= ev.env.DEVPATH;
  return ev;
}

function decodeUdev(data: Uint8Array): Uevent {
  const ev: Uevent = { source: 'udev', env: {}, malformed: [] };
  if (data.length < UDEV_HEADER_SIZE) {
    ev.malformed.push(`udev envelope of ${data.length} bytes is shorter than its ${UDEV_HEADER_SIZE}-byte header`);
    return ev;
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // udev writes the magic big-endian and the other fields in host order.
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const u32 = (off: number) => view.getUint32(off, little);
  ev.udev = {
    magic: view.getUint32(8, false),
    headerSize: u32(12),
    propertiesOffset: u32(16),
    propertiesLength: u32(20),
    subsystemHash: u32(24),
    devtypeHash: u32(28),
    tagBloomHi: u32(32),
    tagBloomLo: u32(36),
  };
  if (ev.udev.magic !== UDEV_MAGIC) ev.malformed.push(`udev magic 0x${ev.udev.magic.toString(16)}, expected 0x${UDEV_MAGIC.toString(16)}`);
  const { propertiesOffset: off, propertiesLength: len } = ev.udev;
  if (off > data.length || off + len > data.length) {
    ev.malformed.push(`properties at ${off}+${len} run past the end (${data.length} bytes)`);
    return ev;
  }
  parsePairs(splitNul(data.subarray(off, off + len)), ev);
  ev.action = ev.env.ACTION;
  ev.devpath = ev.env.DEVPATH;
  return ev;
}
