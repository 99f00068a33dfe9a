/* The raw transport's UDP socket (ISC's "fallback" socket): bound to the server port so the kernel does not answer
 * unicast requests with ICMP port-unreachable, and used to send replies to relays and to clients with an address
 * (the kernel routes those). It never needs to receive — the packet sockets already deliver every request with its
 * interface — so a BPF program that accepts nothing is attached before bind: the kernel drops the copies without
 * queueing them or waking the event loop. Sends are synchronous and non-blocking (a full send buffer is reported
 * as EAGAIN, a UDP loss like any other), so a reply costs one sendto and no callback. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lh.h"

static const napi_type_tag lh_udp_tag = {0x6c656173756470a1ULL, 0x3b7d0e4c9a1f2e55ULL};

typedef struct {
  int fd;
} lh_udp;

static void udp_finalize(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  lh_udp *u = data;
  if (u->fd >= 0) close(u->fd);
  free(u);
}

static lh_udp *udp_unwrap(napi_env env, napi_value v) {
  bool ok = false;
  void *data = NULL;
  if (napi_check_object_type_tag(env, v, &lh_udp_tag, &ok) != napi_ok || !ok ||
      napi_get_value_external(env, v, &data) != napi_ok) {
    lh_throw_type(env, "not a UDP socket handle");
    return NULL;
  }
  return data;
}

/* udpOpen(port, address: u32 host order (0 = any)) -> handle */
napi_value lh_udp_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  LH_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t port = 0, address = 0;
  if (argc < 2 || lh_get_u32(env, argv[0], &port) || port == 0 || port > 0xffff || lh_get_u32(env, argv[1], &address))
    return lh_throw_type(env, "udpOpen(port: 1..65535, address: number)");
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return lh_throw_errno(env, "socket", errno, "AF_INET SOCK_DGRAM");
  struct sock_filter reject = BPF_STMT(BPF_RET | BPF_K, 0);
  struct sock_fprog prog = {.len = 1, .filter = &reject};
  int one = 1;
  const char *what = NULL;
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) what = "SO_ATTACH_FILTER";
  else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) what = "SO_REUSEADDR";
  else if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0) what = "SO_BROADCAST";
  if (what) {
    int err = errno;
    close(fd);
    return lh_throw_errno(env, "setsockopt", err, what);
  }
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t)port);
  sin.sin_addr.s_addr = htonl(address);
  if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
    int err = errno;
    close(fd);
    return lh_throw_errno(env, "bind", err, NULL);
  }
  lh_udp *u = malloc(sizeof *u);
  if (!u) {
    close(fd);
    return lh_throw_errno(env, "malloc", ENOMEM, NULL);
  }
  u->fd = fd;
  napi_value handle;
  if (napi_create_external(env, u, udp_finalize, NULL, &handle) != napi_ok) {
    close(fd);
    free(u);
    return lh_throw_errno(env, "napi_create_external", ENOMEM, NULL);
  }
  LH_CHECK(env, napi_type_tag_object(env, handle, &lh_udp_tag));
  return handle;
}

/* udpSend(handle, payload: Buffer, address: u32 host order, port) -> bytes sent; throws the errno Error. */
napi_value lh_udp_send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  LH_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data = NULL;
  size_t len = 0;
  uint32_t address = 0, port = 0;
  if (argc < 4 || lh_get_buffer(env, argv[1], &data, &len) || lh_get_u32(env, argv[2], &address) ||
      lh_get_u32(env, argv[3], &port) || port == 0 || port > 0xffff)
    return lh_throw_type(env, "udpSend(handle, payload: Buffer, address: number, port: number)");
  lh_udp *u = udp_unwrap(env, argv[0]);
  if (!u) return NULL;
  if (u->fd < 0) return lh_throw_errno(env, "sendto", EBADF, "socket is closed");
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons((uint16_t)port);
  to.sin_addr.s_addr = htonl(address);
  ssize_t sent;
  do sent = sendto(u->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to);
  while (sent < 0 && errno == EINTR);
  if (sent < 0) return lh_throw_errno(env, "sendto", errno, NULL);
  napi_value result;
  LH_CHECK(env, napi_create_uint32(env, (uint32_t)sent, &result));
  return result;
}

/* udpClose(handle): closes now (idempotent); the finalizer frees the rest. */
napi_value lh_udp_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  LH_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return lh_throw_type(env, "udpClose(handle)");
  lh_udp *u = udp_unwrap(env, argv[0]);
  if (!u) return NULL;
  if (u->fd >= 0) close(u->fd);
  u->fd = -1;
  return NULL;
}
