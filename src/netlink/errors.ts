// The error classes of the library. Three kinds of failure reach a caller and each has its own
// class, so code can tell "the kernel said no" from "a system call failed" from "the bytes are
// malformed":
//   NetlinkError        the kernel answered with a negative errno (NLMSG_ERROR, or DONE in a dump)
//   a Node system error a system call on the socket failed (code, errno, syscall; like node:net)
//   DecodeError         bytes did not follow the wire format
import { LINUX_ERRNO } from './errno.js';
import type { Header, Message } from './message.js';

/** Name of a (negative or positive) Linux errno, e.g. -2 → "ENOENT"; unknown numbers → "E<n>". */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  if (n === 0) return 'OK';
  return LINUX_ERRNO.get(n)?.[0] ?? `E${n}`;
}

/** The C library's text for a Linux errno, e.g. -2 → "No such file or directory". */
export function errnoText(errno: number): string {
  const n = Math.abs(errno);
  if (n === 0) return 'Success';
  return LINUX_ERRNO.get(n)?.[1] ?? `Unknown error ${n}`;
}

/** Parsed NLMSGERR_ATTR_POLICY: what the kernel expected of the offending attribute. */
export interface ExtAckPolicy {
  /** NL_ATTR_TYPE_* of the expected attribute (see netlink_attribute_type). */
  type?: number;
  minValueSigned?: bigint;
  maxValueSigned?: bigint;
  minValueUnsigned?: bigint;
  maxValueUnsigned?: bigint;
  minLength?: number;
  maxLength?: number;
  policyIndex?: number;
  policyMaxType?: number;
  bitfield32Mask?: number;
  mask?: bigint;
}

/** Extended-ACK TLVs (NETLINK_EXT_ACK) of an error, ACK or DONE message. */
export interface ExtAck {
  /** NLMSGERR_ATTR_MSG: the kernel's explanation. */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: offset of the offending attribute, counted from the start of the request's nlmsghdr. */
  offset?: number;
  /** NLMSGERR_ATTR_COOKIE: opaque bytes a subsystem handed back. */
  cookie?: Uint8Array;
  /** NLMSGERR_ATTR_POLICY: the policy the offending attribute failed. */
  policy?: ExtAckPolicy;
  /** NLMSGERR_ATTR_MISS_TYPE: type number of a missing required attribute. */
  missingType?: number;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest that lacks it. */
  missingNest?: number;
  /** TLVs of unknown type, kept rather than dropped. */
  unknown?: { type: number; data: Uint8Array }[];
  /** Set when the TLV area was malformed; what was parsed before the problem is kept. */
  malformed?: string;
}

/** Options of {@link NetlinkError}. */
export interface NetlinkErrorInit {
  errno: number;
  extAck?: ExtAck;
  /** The echoed header of the request that failed (NLMSG_ERROR), when present. */
  request?: Header;
  /** The message that carried the error. */
  reply?: Message;
  /** The request as sent, when known: lets a caller map extAck.offset to an attribute. */
  sent?: Message;
}

/**
 * The kernel refused a request: an NLMSG_ERROR with a negative errno, or a DONE that ends a
 * dump with one. `errno` is negative, as on the wire and as in Node's system errors; `code` is
 * its name ("EINVAL"). The message text includes the extended-ACK message when there is one.
 */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  /** Negative errno, e.g. -22. */
  readonly errno: number;
  /** Errno name, e.g. "EINVAL". */
  readonly code: string;
  /** Extended-ACK details (empty object when the kernel sent none). */
  readonly extAck: ExtAck;
  /** Sequence number of the reply. */
  readonly sequence: number;
  /** Echoed request header (NLMSG_ERROR only). */
  readonly request?: Header;
  /** The reply message that carried the error. */
  readonly reply?: Message;
  /** The request as it was sent, when the error came from Conn.execute. */
  readonly sent?: Message;

  constructor(init: NetlinkErrorInit) {
    const errno = -Math.abs(init.errno);
    const extAck = init.extAck ?? {};
    let text = `${errnoName(errno)}: ${errnoText(errno)}`;
    if (extAck.message) text += `: ${extAck.message}`;
    if (extAck.offset !== undefined) text += ` (offset ${extAck.offset})`;
    if (extAck.missingType !== undefined) text += ` (missing attribute type ${extAck.missingType})`;
    super(text);
    this.errno = errno;
    this.code = errnoName(errno);
    this.extAck = extAck;
    this.sequence = init.reply?.header.sequence ?? 0;
    this.request = init.request;
    this.reply = init.reply;
    this.sent = init.sent;
  }
}

/**
 * A dump ended with NLM_F_DUMP_INTR set on one of its messages: the kernel's object set changed
 * while it was dumped, so the result may be inconsistent. `messages` holds everything that was
 * received, so a caller may use it anyway or retry.
 */
export class DumpInterruptedError extends Error {
  override readonly name = 'DumpInterruptedError';
  readonly code = 'ERR_NETLINK_DUMP_INTERRUPTED';
  /** Every message of the interrupted reply, DONE included. */
  readonly messages: Message[];
  constructor(messages: Message[]) {
    super('netlink dump was interrupted and may be inconsistent (NLM_F_DUMP_INTR)');
    this.messages = messages;
  }
}

/** Bytes that do not follow the netlink wire format. `offset` says where the problem starts. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly code = 'ERR_NETLINK_MALFORMED';
  /** Byte offset of the problem within the buffer that was being decoded. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** A Node-style system error, as node:net and node:fs raise them. */
export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  /** The multicast group a failed NETLINK_ADD_MEMBERSHIP / DROP_MEMBERSHIP was for. */
  group?: number;
  /** The netlink protocol a failed socket() was for. */
  protocol?: number;
}

/**
 * Build an error shaped like Node's own system errors: `code` ("ENOBUFS"), negative `errno`,
 * `syscall` ("recvmsg"), and the message "ENOBUFS: no buffer space available, recvmsg".
 */
export function systemError(syscall: string, errno: number, detail?: string, about: Pick<SystemError, 'group' | 'protocol'> = {}): SystemError {
  const n = -Math.abs(errno);
  const code = errnoName(n);
  const err = new Error(`${code}: ${errnoText(n)}, ${syscall}${detail ? ` ${detail}` : ''}`) as SystemError;
  err.code = code;
  err.errno = n;
  err.syscall = syscall;
  if (about.group !== undefined) err.group = about.group;
  if (about.protocol !== undefined) err.protocol = about.protocol;
  return err;
}

/** True when `err` is a system error with this code (e.g. isSystemError(e, 'ENOBUFS')). */
export function isSystemError(err: unknown, code?: string): err is SystemError {
  return (
    err instanceof Error &&
    typeof (err as SystemError).syscall === 'string' &&
    typeof (err as SystemError).code === 'string' &&
    (code === undefined || (err as SystemError).code === code)
  );
}
