// Notifications: subscribe to multicast groups and receive what the kernel broadcasts, through
// an async iterator or a handler callback. An overrun (ENOBUFS: the receive queue overflowed and
// messages were lost) is delivered as an event and listening goes on, because the socket stays
// usable and a listener wants to know it missed something rather than die.
import { dial, type Config, type Conn, type WaitOptions } from './conn.js';
import { isSystemError, type SystemError } from './errors.js';
import type { Message } from './message.js';
import { ConnOption } from './socket.js';

/** A message that arrived on a multicast group. */
export interface Notification {
  kind: 'message';
  message: Message;
  /** Group number (NETLINK_PKTINFO), when known. */
  group?: number;
  /** Peer namespace ID (NETLINK_LISTEN_ALL_NSID), when known. */
  nsid?: number;
  /** Sender port ID (0: the kernel). */
  portid: number;
  /** When the datagram was read. */
  time: Date;
}

/** The kernel dropped messages because the receive queue was full. */
export interface Overrun {
  kind: 'overrun';
  /** The ENOBUFS error as the socket reported it. */
  error: SystemError;
  time: Date;
}

/** A datagram that is not netlink messages (NETLINK_KOBJECT_UEVENT's text events). */
export interface RawNotification {
  kind: 'raw';
  data: Uint8Array;
  group?: number;
  nsid?: number;
  portid: number;
  time: Date;
}

/** What a listener yields. */
export type NotificationEvent = Notification | RawNotification | Overrun;

/**
 * Yield every message arriving on `conn`, datagram by datagram, with its group and nsid, until
 * the signal aborts (the iterator then ends quietly) or the connection closes. ENOBUFS becomes
 * an Overrun event; other errors are thrown.
 */
export async function* notifications(conn: Conn, opts: WaitOptions = {}): AsyncGenerator<NotificationEvent, void, undefined> {
  for (;;) {
    let d;
    try {
      d = await conn.receiveDatagram(opts);
    } catch (err) {
      if (isSystemError(err, 'ENOBUFS')) {
        yield { kind: 'overrun', error: err, time: new Date() };
        continue;
      }
      if (opts.signal?.aborted || conn.closed) return;
      throw err;
    }
    const time = new Date();
    if (d.messages.length === 0) {
      const r: RawNotification = { kind: 'raw', data: d.data, portid: d.portid, time };
      if (d.group !== undefined) r.group = d.group;
      if (d.nsid !== undefined) r.nsid = d.nsid;
      yield r;
      continue;
    }
    for (const message of d.messages) {
      const n: Notification = { kind: 'message', message, portid: d.portid, time };
      if (d.group !== undefined) n.group = d.group;
      if (d.nsid !== undefined) n.nsid = d.nsid;
      yield n;
    }
  }
}

/** How {@link listen} sets up its connection. */
export interface ListenConfig extends Omit<Config, 'groups'> {
  /** Group numbers to join (any number ≥ 1; joined by membership, so groups above 32 work). */
  groups: number[];
  /** Receive buffer to ask for, in bytes. Default 64 MiB, so bursts are absorbed. */
  readBuffer?: number;
  /** Also receive notifications of every peer namespace that has an nsid. Needs CAP_NET_BROADCAST. */
  allNamespaces?: boolean;
}

/**
 * Default receive buffer of a listener: 64 MiB (the kernel doubles it), enough to absorb a
 * burst such as 100k routes added at once (about 830 bytes of kernel buffer per event) while
 * the listener catches up. Root may exceed rmem_max (SO_RCVBUFFORCE); others get rmem_max.
 */
export const DEFAULT_LISTEN_BUFFER = 64 * 1024 * 1024;

/**
 * A subscription to multicast groups of one protocol. Iterate it, or give it a handler:
 *
 *     const l = listen(0, { groups: [1] });            // RTNLGRP_LINK
 *     for await (const ev of l) console.log(ev);
 *     // or: await l.handle((ev) => …, { signal });
 */
export class Listener implements AsyncIterable<NotificationEvent> {
  /** The underlying connection (for options, BPF, or closing). */
  readonly conn: Conn;

  constructor(conn: Conn) {
    this.conn = conn;
  }

  /** Events until close() (or the signal of handle()). */
  [Symbol.asyncIterator](): AsyncIterator<NotificationEvent> {
    return notifications(this.conn);
  }

  /** Events until the signal aborts or the listener closes. */
  events(opts?: WaitOptions): AsyncGenerator<NotificationEvent, void, undefined> {
    return notifications(this.conn, opts);
  }

  /**
   * Call `handler` for every event until the signal aborts or the listener closes. A handler
   * that returns a promise is awaited before the next event (back-pressure: the kernel queue
   * absorbs the wait, and an overrun is reported if it fills).
   */
  async handle(handler: (event: NotificationEvent) => void | Promise<void>, opts?: WaitOptions): Promise<void> {
    for await (const ev of notifications(this.conn, opts)) await handler(ev);
  }

  /** Close the connection; iteration ends. */
  close(): void {
    this.conn.close();
  }
}

/**
 * Dial protocol `family`, join `config.groups`, turn on NETLINK_PKTINFO (so each event knows
 * its group) and raise the receive buffer. Throws when a group cannot be joined (e.g. EPERM
 * for a group that needs privileges).
 */
export function listen(family: number, config: ListenConfig): Listener {
  const { groups, readBuffer, allNamespaces, ...rest } = config;
  const conn = dial(family, rest);
  try {
    conn.setOption(ConnOption.PacketInfo, true);
    if (allNamespaces) conn.setOption(ConnOption.ListenAllNSID, true);
    try {
      conn.setReadBuffer(readBuffer ?? DEFAULT_LISTEN_BUFFER);
    } catch (err) {
      if (readBuffer !== undefined) throw err; // only the default is best effort
    }
    for (const g of groups) conn.joinGroup(g);
  } catch (err) {
    conn.close();
    throw err;
  }
  return new Listener(conn);
}
