// Errors as one clear line: what failed, why, and what to try. Exit status as iproute2 has it:
// 1 for usage and invalid input, 2 when the kernel said no or a system call failed.
import { DecodeError, DumpInterruptedError, NetlinkError, isSystemError } from '../netlink/errors.js';
import { EncodeError } from '../model/encode.js';
import { PROTOCOLS } from '../families/protocols.js';
import { UsageError, protocolName } from './resolve.js';

/** Exit statuses. */
export const EXIT = { ok: 0, usage: 1, kernel: 2 } as const;

const HINTS: Record<string, string> = {
  EPERM: 'this needs privileges (CAP_NET_ADMIN, or CAP_SYS_ADMIN to enter a namespace): run as root',
  EACCES: 'permission denied: run as root',
  EPROTONOSUPPORT: 'this kernel does not support that netlink protocol',
  ENOENT: 'no such object',
  ESRCH: 'no such object',
  ENODEV: 'no such device',
  EEXIST: 'it already exists (use -F request,ack,replace to change it)',
  EBUSY: 'the kernel is busy with another dump on this socket',
  EOPNOTSUPP: 'the kernel does not support this operation',
};

/** "8 (iscsi)": a protocol number with its name, when it has one. */
function protocolLabel(protocol: number | undefined): string {
  if (protocol === undefined) return '(unknown)';
  const name = protocolName(protocol);
  return name === String(protocol) ? name : `${protocol} (${name})`;
}

/** What the kernel checks before a socket may join a multicast group of `protocol`. */
function groupCapability(protocol: number | undefined): string {
  // Audit's multicast log is guarded by CAP_AUDIT_READ; the others by CAP_NET_ADMIN (or are open).
  return protocol === PROTOCOLS.audit ? 'CAP_AUDIT_READ' : 'CAP_NET_ADMIN';
}

/** The message line and exit status for an error that ended a command. */
export function describeError(err: unknown, verbose: boolean): { message: string; status: number } {
  if (err instanceof UsageError || err instanceof EncodeError) return { message: err.message, status: EXIT.usage };
  if (err instanceof Error && (err as { code?: string }).code === 'ERR_NLCTL_INPUT') return { message: err.message, status: EXIT.usage };
  // An installation problem, said with its cure.
  if (err instanceof Error && (err as { code?: string }).code === 'ERR_NLCTL_NATIVE_MISSING') return { message: err.message, status: EXIT.kernel };
  if (err instanceof NetlinkError) {
    const family = (err as NetlinkError & { familyCode?: string }).familyCode;
    let msg = family ? `the kernel said ${family} (error ${-err.errno})` : `the kernel said ${err.code} (${err.message.split(': ')[1] ?? ''})`;
    if (err.extAck.message) msg += `: ${err.extAck.message}`;
    const path = (err as NetlinkError & { badAttr?: string }).badAttr;
    if (path) msg += ` [attribute ${path}]`;
    else if (err.extAck.offset !== undefined) msg += ` [offset ${err.extAck.offset}]`;
    if (err.extAck.missingType !== undefined) msg += ` [missing attribute type ${err.extAck.missingType}]`;
    // What to try, for the errors whose cure is not in the kernel's own message.
    if (['EPERM', 'EACCES', 'EEXIST', 'EBUSY', 'EOPNOTSUPP'].includes(err.code)) msg += ` — ${HINTS[err.code]}`;
    return { message: msg, status: EXIT.kernel };
  }
  if (err instanceof DumpInterruptedError) return { message: 'the dump was interrupted (NLM_F_DUMP_INTR) and may be inconsistent; try again or use --on-intr retry', status: EXIT.kernel };
  if (err instanceof DecodeError) return { message: `malformed netlink data: ${err.message}`, status: EXIT.kernel };
  if (isSystemError(err)) {
    const hint = HINTS[err.code];
    const why = err.message.split(': ')[1]?.split(',')[0] ?? '';
    let msg = `${err.syscall} failed: ${err.code} (${why})`;
    if (err.syscall === 'open' && err.code === 'ENOENT') msg = `no such network namespace (${err.message.split(', open ')[1] ?? ''})`;
    else if (err.syscall === 'socket' && err.code === 'EPROTONOSUPPORT') msg = `netlink protocol ${protocolLabel(err.protocol)}: ${hint}`;
    else if (err.group !== undefined) {
      // Which group, and what joining it takes.
      msg = `joining group ${err.group} failed: ${err.code} (${why})`;
      if (err.code === 'EINVAL') msg += ' — the family has no such group';
      else if (err.code === 'EPERM' || err.code === 'EACCES') msg = `joining group ${err.group} needs ${groupCapability(err.protocol)} — run as root`;
      else if (hint) msg += ` — ${hint}`;
    } else if (hint) msg += ` — ${hint}`;
    return { message: msg, status: EXIT.kernel };
  }
  if (err instanceof Error && err.name === 'TimeoutError') return { message: 'timed out waiting for the kernel', status: EXIT.kernel };
  const text = err instanceof Error ? (verbose ? err.stack ?? err.message : err.message) : String(err);
  return { message: `internal error: ${text}${verbose ? '' : ' (NLCTL_DEBUG=1 or -v for details)'}`, status: EXIT.kernel };
}
