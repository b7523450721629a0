// Netlink protocol numbers and the size of each protocol's fixed ("extra") header per message
// type: data, looked up by the debugger and renderers that must know where attributes start.
// Sizes are sizeof() of the kernel UAPI structs on Linux (struct sizes do not vary by arch for
// these). Structs of 1 byte (rtgenmsg, netconfmsg) are given as 4, their aligned size.

/** Netlink protocol numbers by short name (linux/netlink.h). */
export const PROTOCOLS: Readonly<Record<string, number>> = {
  route: 0,
  unused: 1,
  usersock: 2,
  firewall: 3,
  sock_diag: 4,
  nflog: 5,
  xfrm: 6,
  selinux: 7,
  iscsi: 8,
  audit: 9,
  fib_lookup: 10,
  connector: 11,
  netfilter: 12,
  ip6_fw: 13,
  dnrtmsg: 14,
  kobject_uevent: 15,
  generic: 16,
  scsitransport: 18,
  ecryptfs: 19,
  rdma: 20,
  crypto: 21,
  smc: 22,
};

/**
 * rtnetlink message types come in blocks of four (NEW, DEL, GET, SET) from RTM_BASE = 16; each
 * block shares one fixed header. Keyed by the block's first type.
 */
const ROUTE_HEADER_BY_BLOCK: Readonly<Record<number, number>> = {
  16: 16, // link: ifinfomsg
  20: 8, // addr: ifaddrmsg
  24: 12, // route: rtmsg
  28: 12, // neigh: ndmsg
  32: 12, // rule: fib_rule_hdr
  36: 20, // qdisc: tcmsg
  40: 20, // tclass: tcmsg
  44: 20, // tfilter: tcmsg
  48: 4, // action: tcamsg
  52: 12, // prefix: prefixmsg
  56: 8, // multicast: ifaddrmsg
  60: 8, // anycast: ifaddrmsg
  64: 4, // neightbl: ndtmsg
  68: 16, // nduseropt: nduseroptmsg
  72: 12, // addrlabel: ifaddrlblmsg
  76: 4, // dcb: dcbmsg
  80: 4, // netconf: netconfmsg (1 byte, aligned)
  84: 8, // mdb: br_port_msg
  88: 4, // nsid: rtgenmsg (1 byte, aligned)
  92: 12, // stats: if_stats_msg
  100: 20, // chain: tcmsg
  104: 8, // nexthop: nhmsg
  108: 16, // linkprop: ifinfomsg
  112: 8, // vlan: br_vlan_msg
  116: 8, // nexthop bucket: nhmsg
  120: 8, // tunnel: tunnel_msg
};

/**
 * sock_diag (SOCK_DIAG_BY_FAMILY = 20): the header depends on the direction and on the address
 * family in the payload's first byte. [request, reply] sizes by family.
 */
const SOCK_DIAG_HEADERS: Readonly<Record<number, readonly [number, number]>> = {
  1: [24, 16], // AF_UNIX: unix_diag_req, unix_diag_msg
  2: [56, 72], // AF_INET: inet_diag_req_v2, inet_diag_msg
  10: [56, 72], // AF_INET6
  16: [20, 28], // AF_NETLINK: netlink_diag_req, netlink_diag_msg
  17: [20, 16], // AF_PACKET: packet_diag_req, packet_diag_msg
};

/** Fixed header of every message of these protocols (generic: genlmsghdr; netfilter: nfgenmsg). */
const HEADER_BY_PROTOCOL: Readonly<Record<number, number>> = {
  16: 4,
  12: 4,
};

/**
 * Size of the fixed header that follows nlmsghdr for a message of `type` in `protocol`
 * (`request`: NLM_F_REQUEST is set; `firstByte`: the payload's first byte, which selects the
 * sock_diag header). 0 when unknown or for control messages (types below 16).
 */
export function fixedHeaderSize(protocol: number, type: number, request = true, firstByte?: number): number {
  if (type < 16) return 0;
  if (protocol === 0) return ROUTE_HEADER_BY_BLOCK[type & ~3] ?? 0;
  if (protocol === 4) {
    if (type !== 20 && type !== 21) return 0;
    const sizes = SOCK_DIAG_HEADERS[firstByte ?? 2] ?? SOCK_DIAG_HEADERS[2]!;
    return request ? sizes[0] : sizes[1];
  }
  return HEADER_BY_PROTOCOL[protocol] ?? 0;
}
