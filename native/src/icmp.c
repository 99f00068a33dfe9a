/* ICMP echo sockets for the server's ping check. An IP-level socket rather than ICMP framed over AF_PACKET: the
 * kernel routes the request and resolves the target's MAC with ARP, which a frame-level pinger would have to redo.
 * SOCK_RAW needs CAP_NET_RAW (which a server that opens AF_PACKET sockets has anyway); SOCK_DGRAM "ping sockets"
 * work unprivileged where net.ipv4.ping_group_range admits the caller's group. mode: 0 = raw, falling back to
 * dgram on EPERM/EACCES; 1 = raw only; 2 = dgram only. The echo messages and their checksums are built in TS. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip_icmp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lh.h"

/* From <linux/icmp.h>, which cannot be included next to <net/if.h> (both define struct ifreq). Stable kernel ABI. */
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
struct icmp_filter {
  uint32_t data;
};
#endif

/* icmpOpen(ifname: string ("" = any), mode: 0|1|2, callback(err, messages[], sourceAddrs[]))
 *   -> { handle, raw: boolean }. Raw sockets deliver the IPv4 header before the ICMP message; dgram ones do not. */
napi_value lh_icmp_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  LH_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char ifname[IFNAMSIZ + 8];
  size_t namelen = 0;
  uint32_t mode = 0;
  napi_valuetype cbtype = napi_undefined;
  if (argc < 3 || lh_get_string(env, argv[0], ifname, sizeof ifname, &namelen) || lh_get_u32(env, argv[1], &mode) ||
      mode > 2 || napi_typeof(env, argv[2], &cbtype) != napi_ok || cbtype != napi_function)
    return lh_throw_type(env, "icmpOpen(ifname: string, mode: 0|1|2, callback: Function)");
  if (namelen >= IFNAMSIZ) return lh_throw_errno(env, "if_nametoindex", ENODEV, ifname);

  int raw = mode != 2;
  int fd = socket(AF_INET, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd < 0 && mode == 0 && (errno == EPERM || errno == EACCES)) {
    int raw_errno = errno;
    raw = 0;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    /* Both refused: the raw socket's EPERM says best what is missing. */
    if (fd < 0 && (errno == EPERM || errno == EACCES)) errno = raw_errno;
  }
  if (fd < 0) return lh_throw_errno(env, "socket", errno, raw ? "SOCK_RAW IPPROTO_ICMP" : "SOCK_DGRAM IPPROTO_ICMP");

  if (raw) {
    /* A raw ICMP socket gets a copy of every ICMP message the host receives; keep only echo replies. */
    struct icmp_filter filter = {.data = ~(1U << ICMP_ECHOREPLY)};
    if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) < 0) {
      int err = errno;
      close(fd);
      return lh_throw_errno(env, "setsockopt", err, "ICMP_FILTER");
    }
  }
  int ifindex = 0;
  if (namelen > 0) {
    if ((ifindex = (int)if_nametoindex(ifname)) == 0 ||
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)namelen) < 0) {
      int err = errno ? errno : ENODEV;
      close(fd);
      return lh_throw_errno(env, ifindex ? "setsockopt" : "if_nametoindex", err, ifname);
    }
  }

  napi_value handle, result, v;
  if (!lh_sock_start(env, LH_KIND_ICMP, fd, ifindex, argv[2], &handle)) return NULL;
  LH_CHECK(env, napi_create_object(env, &result));
  LH_CHECK(env, napi_set_named_property(env, result, "handle", handle));
  LH_CHECK(env, napi_get_boolean(env, raw, &v));
  LH_CHECK(env, napi_set_named_property(env, result, "raw", v));
  return result;
}

/* icmpSend(handle, address: string, message: Buffer) -> bytes sent. */
napi_value lh_icmp_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  LH_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char addr[64];
  size_t addrlen = 0;
  void *data = NULL;
  size_t len = 0;
  if (argc < 3 || lh_get_string(env, argv[1], addr, sizeof addr, &addrlen) || lh_get_buffer(env, argv[2], &data, &len))
    return lh_throw_type(env, "icmpSend(handle, address: string, message: Buffer)");
  lh_sock *s = lh_sock_unwrap(env, argv[0]);
  if (!s) return NULL;
  if (s->kind != LH_KIND_ICMP) return lh_throw_type(env, "icmpSend: not an ICMP socket");
  if (s->fd < 0) return lh_throw_errno(env, "sendto", EBADF, "socket is closed");

  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  if (inet_pton(AF_INET, addr, &to.sin_addr) != 1) return lh_throw_errno(env, "inet_pton", EINVAL, addr);
  ssize_t sent = sendto(s->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to);
  if (sent < 0) return lh_throw_errno(env, "sendto", errno, addr);
  napi_value result;
  LH_CHECK(env, napi_create_uint32(env, (uint32_t)sent, &result));
  return result;
}
