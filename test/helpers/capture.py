#!/usr/bin/env python3
"""Capture real kernel netlink traffic for the libmnl renderer tests (test/mnl.test.ts).

Prints one line per captured buffer:  NAME EHS HEX
  NAME  what it is (a request we sent, or the n-th datagram of a reply), no spaces;
  EHS   the extra header size to dump it with (the family's fixed header size);
  HEX   the bytes, exactly as sent or as received in one recv() call.

With --mutate (only ever run inside a throwaway network namespace, e.g. `unshare -n`), it first
brings lo up and adds an address and a dummy link (best effort), so the dumps have something
to show. Without it, it only reads.
"""
import os
import socket
import struct
import sys

NETLINK_ROUTE = 0
NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11

NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_DUMP = 0x300

NLMSG_ERROR = 2
NLMSG_DONE = 3
RTM_NEWLINK, RTM_GETLINK = 16, 18
RTM_NEWADDR, RTM_GETADDR = 20, 22
RTM_GETROUTE = 26
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
IFLA_IFNAME, IFLA_LINKINFO, IFLA_INFO_KIND = 3, 18, 1
IFA_LOCAL, IFA_ADDRESS = 2, 1
NLA_F_NESTED = 0x8000

seq = 1000


def attr(kind, payload):
    """One attribute, padded to 4 bytes."""
    data = struct.pack("=HH", 4 + len(payload), kind) + payload
    return data + b"\0" * (-len(data) % 4)


def message(kind, flags, payload):
    global seq
    seq += 1
    return struct.pack("=IHHII", 16 + len(payload), kind, flags, seq, 0) + payload


def emit(name, ehs, data):
    sys.stdout.write("%s %d %s\n" % (name, ehs, data.hex()))


def converse(sock, name, ehs, request):
    """Send one request and record every datagram of the reply until DONE or an error/ACK."""
    emit(name + "-request", ehs, request)
    sock.send(request)
    n = 0
    while True:
        data = sock.recv(1 << 20)
        emit("%s-reply%d" % (name, n), ehs, data)
        n += 1
        off = 0
        final = False
        while off + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, off)
            if kind in (NLMSG_DONE, NLMSG_ERROR):
                final = True
            if length < 16:
                break
            off += (length + 3) & ~3
        if final or n > 200:
            return


def route_socket(ext_ack=False, cap_ack=False):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    sock.bind((0, 0))
    if ext_ack:
        sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    if cap_ack:
        sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    sock.settimeout(5)
    return sock


def ifinfomsg(index=0, flags=0, change=0):
    return struct.pack("=BxHiII", 0, 0, index, flags, change)


def main():
    mutate = "--mutate" in sys.argv[1:]
    rt = route_socket(ext_ack=True)

    if mutate:
        # lo up (gives 127.0.0.1, ::1 and their local routes), an extra address, a dummy link.
        converse(rt, "newlink-lo-up", 16, message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ifinfomsg(1, 1, 1)))
        ifa = struct.pack("=BBBBi", socket.AF_INET, 24, 0, 0, 1)
        addr = socket.inet_aton("192.0.2.1")
        converse(rt, "newaddr", 8, message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                                           ifa + attr(IFA_LOCAL, addr) + attr(IFA_ADDRESS, addr)))
        linkinfo = attr(IFLA_LINKINFO | NLA_F_NESTED, attr(IFLA_INFO_KIND, b"dummy"))
        converse(rt, "newlink-dummy", 16, message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                                                  ifinfomsg() + attr(IFLA_IFNAME, b"nlctl0\0") + linkinfo))

    converse(rt, "getlink-dump", 16, message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, ifinfomsg()))
    converse(rt, "getaddr-dump", 8, message(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, struct.pack("=BBBBi", 0, 0, 0, 0, 0)))
    converse(rt, "getroute-dump", 12, message(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, struct.pack("=BBBBBBBBI", 0, 0, 0, 0, 0, 0, 0, 0, 0)))

    # An extended ACK: IFLA_IFNAME longer than IFNAMSIZ-1 fails policy validation.
    bad = ifinfomsg() + attr(IFLA_IFNAME, b"an-interface-name-far-too-long\0")
    converse(rt, "getlink-extack", 16, message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, bad))
    capped = route_socket(ext_ack=True, cap_ack=True)
    converse(capped, "getlink-extack-capped", 16, message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, bad))

    genl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    genl.bind((0, 0))
    genl.settimeout(5)
    converse(genl, "genl-getfamily-dump", 4, message(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_DUMP, struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
