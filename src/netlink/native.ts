// The contract between the TypeScript library and the native socket shim (native/), and the
// loader that finds the compiled addon. The shim makes system calls on AF_NETLINK sockets and
// nothing else: it never parses a message. Every method reports failure as a negative errno
// (so that EAGAIN, which is normal on a non-blocking socket, costs no exception); only a wrong
// argument from JavaScript throws (TypeError or RangeError).

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What one recvmsg call saw. */
export interface NativeReceived {
  /** Real length of the datagram (MSG_TRUNC is always passed, so this may exceed the buffer). */
  n: number;
  /** msg_flags returned by recvmsg (MSG_TRUNC set when the buffer was too small). */
  flags: number;
  /** Port ID of the sender (0 for the kernel). */
  portid: number;
  /** Multicast group mask of the sender address. */
  groups: number;
  /** Group number from a NETLINK_PKTINFO control message, when the option is on. */
  group?: number;
  /** Peer namespace ID from a NETLINK_LISTEN_ALL_NSID control message, when the option is on. */
  nsid?: number;
}

/** One open AF_NETLINK socket owned by the shim. The fd itself is never exposed. */
export interface NativeSocket {
  /** The netlink protocol number the socket was opened for. */
  readonly protocol: number;
  /** True once close() has run. Every other call then returns -EBADF. */
  readonly closed: boolean;
  /** bind(2) with sockaddr_nl{portid, groups}. Returns 0 or -errno. */
  bind(portid: number, groups: number): number;
  /** getsockname(2): the bound address, or -errno. */
  getsockname(): { portid: number; groups: number } | number;
  /** sendto(2) of one datagram to sockaddr_nl{portid, groups}. Returns bytes sent or -errno. */
  send(data: Uint8Array, portid: number, groups: number): number;
  /**
   * recvmsg(2) into `buffer` (null or empty: a zero-length read, useful with MSG_PEEK to learn
   * the size). MSG_TRUNC is always added to `flags`. Returns what was seen, or -errno
   * (-EAGAIN when nothing is queued).
   */
  recv(buffer: Uint8Array | null, flags: number): NativeReceived | number;
  /**
   * The next queued datagram, received on the thread pool without blocking into a buffer of
   * `size` bytes (1…64 MiB): the callback gets -errno (-EAGAIN: nothing queued), or what recv()
   * returns plus `data` (its n bytes) — without `data` when it did not fit, and then it is still
   * queued (flags 0), or was cut short (MSG_TRUNC in flags: another reader took the datagram
   * peeked at). Returns 0 when started, -EBUSY while one is running, -EBADF when closed. A dump
   * gains by it: the kernel builds the next datagram inside recvmsg, on that thread, meanwhile.
   */
  recvAsync(size: number, callback: (result: (NativeReceived & { data?: Uint8Array }) | number) => void): number;
  /** setsockopt(2) with an int value. Returns 0 or -errno. */
  setsockopt(level: number, name: number, value: number): number;
  /** getsockopt(2) of an int option. Returns { value } or -errno. */
  getsockopt(level: number, name: number): { value: number } | number;
  /** getsockopt(2) of a byte option of at most `size` bytes (e.g. NETLINK_LIST_MEMBERSHIPS). */
  getsockoptBytes(level: number, name: number, size: number): Uint8Array | number;
  /** SO_ATTACH_FILTER with a classic BPF program: 8 bytes per instruction, host order. */
  attachFilter(program: Uint8Array): number;
  /** SO_DETACH_FILTER. Returns 0 or -errno. */
  detachFilter(): number;
  /**
   * Start watching for readability on the environment's event loop; `onReadable(status)` is
   * called with 0 or -errno each time the socket is readable (level-triggered: data left
   * unread triggers it again). Calling poll again replaces the callback. After a receive-queue
   * overrun the shim re-arms the watch and reports 0, so the next recv returns -ENOBUFS and
   * watching goes on. Returns -errno if the event loop refuses the fd; on a closed socket it
   * does nothing.
   */
  poll(onReadable: (status: number) => void): number | void;
  /** Stop watching. Harmless when not watching. */
  stopPoll(): void;
  /** Keep the event loop alive while polling (the default). */
  ref(): void;
  /** Let the event loop exit even while polling. */
  unref(): void;
  /** Stop polling and close the fd. Idempotent; returns 0 or -errno of close(2). */
  close(): number;
}

/**
 * The result of opening a socket: the handle, or the failing call ('open', 'setns', 'socket',
 * or 'pthread_create' for the namespace thread) and its negative errno.
 */
export type NativeOpenResult = { socket: NativeSocket } | { errno: number; syscall: string };

/** Constants read from the C headers at build time (some differ between architectures). */
export interface NativeConstants {
  AF_NETLINK: number;
  SOL_NETLINK: number;
  SOL_SOCKET: number;
  SO_RCVBUF: number;
  SO_SNDBUF: number;
  SO_RCVBUFFORCE: number;
  SO_SNDBUFFORCE: number;
  SO_ATTACH_FILTER: number;
  SO_DETACH_FILTER: number;
  NETLINK_ADD_MEMBERSHIP: number;
  NETLINK_DROP_MEMBERSHIP: number;
  NETLINK_PKTINFO: number;
  NETLINK_BROADCAST_ERROR: number;
  NETLINK_NO_ENOBUFS: number;
  NETLINK_LISTEN_ALL_NSID: number;
  NETLINK_LIST_MEMBERSHIPS: number;
  NETLINK_CAP_ACK: number;
  NETLINK_EXT_ACK: number;
  NETLINK_GET_STRICT_CHK: number;
  MSG_PEEK: number;
  MSG_TRUNC: number;
  MSG_DONTWAIT: number;
  EAGAIN: number;
  EINTR: number;
  EBADF: number;
  ENOBUFS: number;
}

/** The addon's exports. */
export interface NativeAddon {
  /**
   * Open a non-blocking, close-on-exec AF_NETLINK socket for `protocol` (0–31 and beyond: the
   * kernel decides). With `netnsPath` the socket is created inside that network namespace, on a
   * short-lived thread, so the calling thread never changes namespace.
   */
  open(protocol: number, netnsPath?: string): NativeOpenResult;
  constants: NativeConstants;
}

/**
 * Load the compiled shim, from the first of these files that exists (node-gyp-build style):
 * NLCTL_NATIVE (an explicit .node file, for tests and packagers); build/Release/nlctl_native.node
 * at the package root (a local source build wins); prebuilds/<platform>-<arch>/nlctl_native.node
 * (shipped in the npm tarball, built at pack time). A file that exists but fails to load is an
 * error, not a reason to try the next one: a broken local build must not hide behind the prebuilt.
 */
export function loadNative(): NativeAddon {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/netlink or dist/netlink: the package root is two levels up either way — and from
  // dist/cli, where the CLI's bundle (dist/cli/nlctl.cjs) runs this code with its own URL.
  const root = resolve(here, '..', '..');
  const candidates = [
    process.env.NLCTL_NATIVE,
    join(root, 'build', 'Release', 'nlctl_native.node'),
    join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'nlctl_native.node'),
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  const require = createRequire(import.meta.url);
  for (const path of candidates) {
    if (existsSync(path)) {
      // require() keeps the module cache, so repeated loads are cheap.
      return require(path) as NativeAddon;
    }
  }
  const err = new Error(
    `the native socket shim is not built for ${process.platform}-${process.arch}: in a checkout run \`npm run build:native\`; ` +
      'for an installed package \`npm rebuild nlctl --allow-scripts=nlctl\` (add -g for a global install; needs a C++ compiler, make and python3). Looked in ' +
      candidates.join(', '),
  ) as NodeJS.ErrnoException;
  err.code = 'ERR_NLCTL_NATIVE_MISSING';
  throw err;
}
