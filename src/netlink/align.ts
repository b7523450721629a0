// Alignment and fixed sizes of the netlink wire format (linux/netlink.h).

/** Messages start on 4-byte boundaries (NLMSG_ALIGNTO). */
export const NLMSG_ALIGNTO = 4;
/** Size of struct nlmsghdr. */
export const NLMSG_HDRLEN = 16;
/** Attributes start on 4-byte boundaries (NLA_ALIGNTO). */
export const NLA_ALIGNTO = 4;
/** Size of struct nlattr. */
export const NLA_HDRLEN = 4;
/** Largest attribute payload: nla_len is a u16 that includes the 4-byte header. */
export const NLA_MAX_PAYLOAD = 0xffff - NLA_HDRLEN;

/** Round a message length up to the next 4-byte boundary (NLMSG_ALIGN). Safe for any u32. */
export function nlmsgAlign(length: number): number {
  return length + ((4 - (length % 4)) % 4);
}

/** Round an attribute length up to the next 4-byte boundary (NLA_ALIGN). */
export function nlaAlign(length: number): number {
  return length + ((4 - (length % 4)) % 4);
}

/**
 * True when this host stores integers little-endian. Netlink headers and most attributes are in
 * host byte order, so every DataView read in the library passes this flag.
 */
export const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
