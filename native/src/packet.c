/* AF_PACKET sockets bound to one interface, with a classic BPF program (built and unit-tested in
 * src/io/bpf.ts) attached before the socket receives anything. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lh.h"

#define LH_BPF_MAX_INSNS 4096 /* the kernel's BPF_MAXINSNS */

static napi_value fail(napi_env env, int fd, const char *syscall, int err, const char *detail) {
  close(fd);
  return lh_throw_errno(env, syscall, err, detail);
}

/* packetOpen(ifname, ethertype, filter: Buffer, callback(err, frames[], tpStatus[]))
 *   -> { handle, ifindex, mac: Buffer(6), hwtype } */
napi_value lh_packet_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  LH_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char ifname[IFNAMSIZ + 8];
  size_t namelen = 0;
  uint32_t ethertype = 0;
  void *prog = NULL;
  size_t proglen = 0;
  napi_valuetype cbtype = napi_undefined;
  if (argc < 4 || lh_get_string(env, argv[0], ifname, sizeof ifname, &namelen) ||
      lh_get_u32(env, argv[1], &ethertype) || ethertype == 0 || ethertype > 0xffff ||
      lh_get_buffer(env, argv[2], &prog, &proglen) || napi_typeof(env, argv[3], &cbtype) != napi_ok ||
      cbtype != napi_function)
    return lh_throw_type(env, "packetOpen(ifname: string, ethertype: number, filter: Buffer, callback: Function)");
  if (proglen == 0 || proglen % sizeof(struct sock_filter) != 0 ||
      proglen / sizeof(struct sock_filter) > LH_BPF_MAX_INSNS)
    return lh_throw_errno(env, "packetOpen", EINVAL, "filter must be 1..4096 sock_filter records of 8 bytes");
  if (namelen == 0 || namelen >= IFNAMSIZ) return lh_throw_errno(env, "if_nametoindex", ENODEV, ifname);

  /* Protocol 0: the socket receives nothing until bind() names the protocol, so no unfiltered frame can be queued
   * in the window before the filter is attached. */
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return lh_throw_errno(env, "socket", errno, "AF_PACKET");

  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, ifname, namelen);
  if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) return fail(env, fd, "if_nametoindex", errno, ifname);
  int ifindex = ifr.ifr_ifindex;
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) return fail(env, fd, "ioctl", errno, "SIOCGIFHWADDR");
  unsigned hwtype = (unsigned short)ifr.ifr_hwaddr.sa_family;
  unsigned char mac[6];
  memcpy(mac, ifr.ifr_hwaddr.sa_data, sizeof mac);

  struct sock_fprog fprog = {.len = (unsigned short)(proglen / sizeof(struct sock_filter)),
                             .filter = (struct sock_filter *)prog};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) < 0)
    return fail(env, fd, "setsockopt", errno, "SO_ATTACH_FILTER");
  int one = 1;
  /* tp_status per frame: TP_STATUS_CSUMNOTREADY marks frames whose UDP checksum the kernel never finished. */
  if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0)
    return fail(env, fd, "setsockopt", errno, "PACKET_AUXDATA");

  /* A storm arrives faster than one event-loop turn drains it: a deep queue (4 MiB, beyond rmem_max as root) turns
   * bursts into latency instead of silent drops. Best effort: without CAP_NET_ADMIN the default stays. */
  int rcvbuf = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons((uint16_t)ethertype);
  sll.sll_ifindex = ifindex;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) return fail(env, fd, "bind", errno, ifname);

  napi_value handle, result, v;
  if (!lh_sock_start(env, LH_KIND_PACKET, fd, ifindex, argv[3], &handle)) return NULL;
  void *macdata;
  LH_CHECK(env, napi_create_object(env, &result));
  LH_CHECK(env, napi_set_named_property(env, result, "handle", handle));
  LH_CHECK(env, napi_create_int32(env, ifindex, &v));
  LH_CHECK(env, napi_set_named_property(env, result, "ifindex", v));
  LH_CHECK(env, napi_create_uint32(env, hwtype, &v));
  LH_CHECK(env, napi_set_named_property(env, result, "hwtype", v));
  LH_CHECK(env, napi_create_buffer_copy(env, sizeof mac, mac, &macdata, &v));
  LH_CHECK(env, napi_set_named_property(env, result, "mac", v));
  return result;
}

/* packetSend(handle, frame: Buffer) -> bytes sent. The frame is complete (Ethernet header included); the
 * destination address given to the kernel is the frame's own destination MAC and EtherType. */
napi_value lh_packet_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  LH_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data = NULL;
  size_t len = 0;
  if (argc < 2 || lh_get_buffer(env, argv[1], &data, &len)) return lh_throw_type(env, "packetSend(handle, frame)");
  lh_sock *s = lh_sock_unwrap(env, argv[0]);
  if (!s) return NULL;
  if (s->kind != LH_KIND_PACKET) return lh_throw_type(env, "packetSend: not a packet socket");
  if (s->fd < 0) return lh_throw_errno(env, "sendto", EBADF, "socket is closed");
  if (len < ETH_HLEN) return lh_throw_errno(env, "sendto", EINVAL, "frame shorter than an Ethernet header");

  const unsigned char *frame = data;
  struct sockaddr_ll to;
  memset(&to, 0, sizeof to);
  to.sll_family = AF_PACKET;
  to.sll_ifindex = s->ifindex;
  to.sll_halen = ETH_ALEN;
  memcpy(to.sll_addr, frame, ETH_ALEN);
  memcpy(&to.sll_protocol, frame + 12, 2); /* already in network byte order */
  ssize_t sent = sendto(s->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to);
  if (sent < 0) return lh_throw_errno(env, "sendto", errno, NULL);
  napi_value result;
  LH_CHECK(env, napi_create_uint32(env, (uint32_t)sent, &result));
  return result;
}
