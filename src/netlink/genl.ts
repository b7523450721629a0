// Generic netlink basics, as the Go package genetlink offers them: the 4-byte genlmsghdr, and
// family lookup through the kernel's controller (nlctrl, family ID 16). Generic families get
// their IDs and multicast group IDs at run time, so anything that names them asks here first.
import { AttributeDecoder, AttributeEncoder } from './attribute.js';
import type { Conn, WaitOptions } from './conn.js';
import { HeaderFlags, type Message } from './message.js';

/** The controller's fixed family ID (GENL_ID_CTRL). */
export const GENL_ID_CTRL = 16;
/** Size of struct genlmsghdr. */
export const GENL_HDRLEN = 4;

const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
const CTRL_ATTR_VERSION = 3;
const CTRL_ATTR_HDRSIZE = 4;
const CTRL_ATTR_MAXATTR = 5;
const CTRL_ATTR_OPS = 6;
const CTRL_ATTR_MCAST_GROUPS = 7;
const CTRL_ATTR_OP_ID = 1;
const CTRL_ATTR_OP_FLAGS = 2;
const CTRL_ATTR_MCAST_GRP_NAME = 1;
const CTRL_ATTR_MCAST_GRP_ID = 2;

/** A generic netlink family as the controller describes it. */
export interface GenlFamily {
  id: number;
  name: string;
  version: number;
  /** Size of the family's own header after genlmsghdr. */
  hdrSize: number;
  maxAttr: number;
  /** Commands the family accepts, with their GENL_* flags. */
  ops: { id: number; flags: number }[];
  /** Multicast groups by name and ID. */
  groups: { name: string; id: number }[];
}

/** A genlmsghdr: command, version, two reserved bytes. */
export function genlHeader(cmd: number, version = 1): Uint8Array {
  return new Uint8Array([cmd, version, 0, 0]);
}

/** Read a controller reply (CTRL_CMD_NEWFAMILY) into a GenlFamily; undefined if it is not one. */
export function parseFamily(m: Message): GenlFamily | undefined {
  if (m.header.type !== GENL_ID_CTRL || m.data.length < GENL_HDRLEN) return undefined;
  const f: GenlFamily = { id: 0, name: '', version: 0, hdrSize: 0, maxAttr: 0, ops: [], groups: [] };
  const ad = new AttributeDecoder(m.data.subarray(GENL_HDRLEN));
  while (ad.next()) {
    switch (ad.type()) {
      case CTRL_ATTR_FAMILY_ID: f.id = ad.uint16(); break;
      case CTRL_ATTR_FAMILY_NAME: f.name = ad.string(); break;
      case CTRL_ATTR_VERSION: f.version = ad.uint32(); break;
      case CTRL_ATTR_HDRSIZE: f.hdrSize = ad.uint32(); break;
      case CTRL_ATTR_MAXATTR: f.maxAttr = ad.uint32(); break;
      case CTRL_ATTR_OPS:
        ad.nested((ops) => {
          while (ops.next()) {
            const op = { id: 0, flags: 0 };
            ops.nested((o) => {
              while (o.next()) {
                if (o.type() === CTRL_ATTR_OP_ID) op.id = o.uint32();
                else if (o.type() === CTRL_ATTR_OP_FLAGS) op.flags = o.uint32();
              }
            });
            f.ops.push(op);
          }
        });
        break;
      case CTRL_ATTR_MCAST_GROUPS:
        ad.nested((groups) => {
          while (groups.next()) {
            const g = { name: '', id: 0 };
            groups.nested((n) => {
              while (n.next()) {
                if (n.type() === CTRL_ATTR_MCAST_GRP_NAME) g.name = n.string();
                else if (n.type() === CTRL_ATTR_MCAST_GRP_ID) g.id = n.uint32();
              }
            });
            f.groups.push(g);
          }
        });
        break;
    }
  }
  return ad.err() || !f.name ? undefined : f;
}

/** Ask the controller for one family by name. Rejects with NetlinkError ENOENT when unknown. */
export async function getFamily(conn: Conn, name: string, opts?: WaitOptions): Promise<GenlFamily> {
  const data = new Uint8Array([...genlHeader(CTRL_CMD_GETFAMILY), ...new AttributeEncoder().string(CTRL_ATTR_FAMILY_NAME, name).encode()]);
  // Request only (no ACK): the reply itself confirms, as the Go package does.
  const replies = await conn.execute({ header: { type: GENL_ID_CTRL, flags: HeaderFlags.Request }, data }, opts);
  for (const m of replies) {
    const f = parseFamily(m);
    if (f) return f;
  }
  throw new Error(`generic netlink: no family record in the controller's reply for ${name}`);
}

/** Every generic netlink family the kernel has registered. */
export async function listFamilies(conn: Conn, opts?: WaitOptions): Promise<GenlFamily[]> {
  const replies = await conn.execute(
    { header: { type: GENL_ID_CTRL, flags: HeaderFlags.Request | HeaderFlags.Dump }, data: genlHeader(CTRL_CMD_GETFAMILY) },
    opts,
  );
  return replies.map(parseFamily).filter((f): f is GenlFamily => f !== undefined);
}
