// Baseline for bench/route-dump.mjs: dump the IPv4 routes of the current network namespace with
// libmnl and walk every attribute, timed in-process. Run it inside the namespace
// (`ip netns exec NAME build/bench/mnl_route_dump`). It prints one JSON object:
//
//   {"seconds":…,"routes":…,"messages":…,"datagrams":…,"u32sum":…,"bytes":…,"bytesum":…}
//
// `routes` counts RTM_NEWROUTE messages of table main (RT_TABLE_MAIN, 254), the set that
// `ip route show` prints. Every message is walked, whatever its table. The walk classifies
// attributes exactly as the JavaScript walk in route-dump.mjs does, so the checksums (u32sum:
// 32-bit wrapping sum of integer attributes; bytes: payload bytes of opaque attributes; bytesum:
// sum of their first bytes) must agree between the two — that proves both saw and read the same
// attributes.
//
// Build: cc -O2 -o build/bench/mnl_route_dump bench/mnl_route_dump.c -lmnl
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

// The kernel never builds a dump datagram larger than 32 KiB (netlink_recvmsg caps
// max_recvmsg_len there); iproute2 reads with 32 KiB too. Anything smaller than the
// datagram would truncate it, so use twice that to be safe.
#define RECV_BUFFER_SIZE (64 * 1024)

struct walk {
  uint64_t routes;    // RTM_NEWROUTE in table main
  uint64_t messages;  // every message received, DONE included
  uint64_t datagrams;
  uint32_t u32sum;    // wrapping sum of every integer attribute read
  uint64_t bytes;     // payload bytes of opaque attributes
  uint64_t bytesum;   // sum of the first byte of each non-empty opaque attribute
  uint32_t table;     // table of the message being walked
  int bad;            // an attribute failed validation
};

static void die(const char *what) {
  fprintf(stderr, "mnl_route_dump: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int is_u32_attr(uint16_t type) {
  switch (type) {
    case RTA_IIF:
    case RTA_OIF:
    case RTA_PRIORITY:
    case RTA_FLOW:
    case RTA_TABLE:
    case RTA_MARK:
    case RTA_EXPIRES:
    case RTA_UID:
      return 1;
    default:
      return 0;
  }
}

static int is_u8_attr(uint16_t type) {
  return type == RTA_PREF || type == RTA_TTL_PROPAGATE || type == RTA_IP_PROTO;
}

static void take_bytes(struct walk *w, const struct nlattr *a) {
  uint16_t n = mnl_attr_get_payload_len(a);
  w->bytes += n;
  if (n > 0) w->bytesum += *(const uint8_t *)mnl_attr_get_payload(a);
}

// RTA_METRICS: a nest of RTAX_* attributes, all u32 except RTAX_CC_ALGO (a string).
static int metric_cb(const struct nlattr *a, void *data) {
  struct walk *w = data;
  if (mnl_attr_get_type(a) == RTAX_CC_ALGO) {
    take_bytes(w, a);
    return MNL_CB_OK;
  }
  if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) {
    w->bad = 1;
    return MNL_CB_ERROR;
  }
  w->u32sum += mnl_attr_get_u32(a);
  return MNL_CB_OK;
}

static int route_attr_cb(const struct nlattr *a, void *data);

// RTA_MULTIPATH: struct rtnexthop records, each followed by its own route attributes.
static int walk_multipath(struct walk *w, const struct nlattr *a) {
  const uint8_t *p = mnl_attr_get_payload(a);
  size_t left = mnl_attr_get_payload_len(a);
  while (left >= sizeof(struct rtnexthop)) {
    const struct rtnexthop *nh = (const struct rtnexthop *)p;
    if (nh->rtnh_len < sizeof(struct rtnexthop) || nh->rtnh_len > left) return -1;
    w->u32sum += (uint32_t)nh->rtnh_ifindex;
    // mnl_attr_parse_payload walks a bare attribute area.
    if (mnl_attr_parse_payload(p + sizeof *nh, nh->rtnh_len - sizeof *nh, route_attr_cb, w) < 0)
      return -1;
    size_t step = RTNH_ALIGN(nh->rtnh_len);
    if (step >= left) break;
    p += step;
    left -= step;
  }
  return 0;
}

static int route_attr_cb(const struct nlattr *a, void *data) {
  struct walk *w = data;
  uint16_t type = mnl_attr_get_type(a);
  if (is_u32_attr(type)) {
    if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) goto bad;
    uint32_t v = mnl_attr_get_u32(a);
    if (type == RTA_TABLE) w->table = v;
    w->u32sum += v;
  } else if (is_u8_attr(type)) {
    if (mnl_attr_validate(a, MNL_TYPE_U8) < 0) goto bad;
    w->u32sum += mnl_attr_get_u8(a);
  } else if (type == RTA_METRICS) {
    if (mnl_attr_parse_nested(a, metric_cb, w) < 0) goto bad;
  } else if (type == RTA_MULTIPATH) {
    if (walk_multipath(w, a) < 0) goto bad;
  } else {
    take_bytes(w, a);  // RTA_DST, RTA_GATEWAY, RTA_PREFSRC, RTA_CACHEINFO, …
  }
  return MNL_CB_OK;
bad:
  w->bad = 1;
  return MNL_CB_ERROR;
}

static int route_cb(const struct nlmsghdr *nlh, void *data) {
  struct walk *w = data;
  w->messages++;
  if (nlh->nlmsg_type != RTM_NEWROUTE) return MNL_CB_OK;
  const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
  w->table = rtm->rtm_table;
  if (mnl_attr_parse(nlh, sizeof *rtm, route_attr_cb, w) < 0) {
    w->bad = 1;
    return MNL_CB_ERROR;
  }
  if (w->table == RT_TABLE_MAIN) w->routes++;
  return MNL_CB_OK;
}

// mnl_cb_run hands DONE to its control callback table; count it as the JS side does.
static int done_cb(const struct nlmsghdr *nlh, void *data) {
  (void)nlh;
  ((struct walk *)data)->messages++;
  return MNL_CB_STOP;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void) {
  static char buf[RECV_BUFFER_SIZE];
  struct walk w = {0};

  struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
  if (nl == NULL) die("mnl_socket_open");
  if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) die("mnl_socket_bind");
  unsigned int portid = mnl_socket_get_portid(nl);

  double t0 = now();

  // Same request as the library sends: RTM_GETROUTE, REQUEST|DUMP, a zeroed rtmsg with
  // rtm_family = AF_INET and no attributes.
  struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  unsigned int seq = (unsigned int)time(NULL);
  nlh->nlmsg_seq = seq;
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
  rtm->rtm_family = AF_INET;
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) die("mnl_socket_sendto");

  mnl_cb_t ctl[NLMSG_MIN_TYPE] = {0};
  ctl[NLMSG_DONE] = done_cb;
  int ret;
  do {
    ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
    if (n < 0) die("mnl_socket_recvfrom");
    w.datagrams++;
    ret = mnl_cb_run2(buf, (size_t)n, seq, portid, route_cb, &w, ctl, NLMSG_MIN_TYPE);
  } while (ret > MNL_CB_STOP);

  double t1 = now();
  if (ret < 0 || w.bad) {
    fprintf(stderr, "mnl_route_dump: dump or walk failed: %s\n", w.bad ? "bad attribute" : strerror(errno));
    return 1;
  }
  mnl_socket_close(nl);

  printf("{\"seconds\":%.9f,\"routes\":%" PRIu64 ",\"messages\":%" PRIu64 ",\"datagrams\":%" PRIu64
         ",\"u32sum\":%" PRIu32 ",\"bytes\":%" PRIu64 ",\"bytesum\":%" PRIu64 "}\n",
         t1 - t0, w.routes, w.messages, w.datagrams, w.u32sum, w.bytes, w.bytesum);
  return 0;
}
