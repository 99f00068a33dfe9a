/* Datagrams to a unix socket: sd_notify(3)'s NOTIFY_SOCKET and syslog's /dev/log. Node has no unix datagram
 * socket, so this is the one place that sends them. Each call opens an AF_UNIX SOCK_DGRAM socket, connects it to
 * the path, sends every buffer as its own datagram (sendmmsg, 64 a call) and closes it: nothing stays open, so
 * nothing can leak, and a receiver that was restarted (journald, rsyslog) is found again on the next call.
 *
 * A path that starts with '@' names a Linux abstract socket (the '@' stands for the leading NUL byte), as
 * NOTIFY_SOCKET may. The socket is non-blocking: a receiver whose queue is full makes the call return the number
 * of datagrams sent so far instead of waiting (glibc's syslog(3) would block the event loop there). An error before
 * the first datagram is thrown as a Node-style errno Error (ENOENT: no such socket, ECONNREFUSED: nobody listens,
 * EPROTOTYPE: a stream socket, EMSGSIZE: a datagram too long); after some were sent, the count is returned and
 * the error shows on the next call. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lh.h"

#define LH_DGRAM_BATCH 64
#define LH_DGRAM_MAX_COUNT 65536

/* Fills `addr` from a path ('@' = abstract); returns the address length, or 0 when the name does not fit. */
static socklen_t unix_address(const char *path, size_t len, struct sockaddr_un *addr) {
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (len == 0 || len > sizeof addr->sun_path - (path[0] == '@' ? 0 : 1)) return 0;
  memcpy(addr->sun_path, path, len);
  if (path[0] == '@') {
    addr->sun_path[0] = '\0';
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
  }
  if (strlen(path) != len) return 0; /* an embedded NUL would silently name another file */
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

/* unixDgramSend(path: string, data: Buffer | Buffer[]) -> datagrams sent */
napi_value lh_unix_dgram_send(napi_env env, napi_callback_info info) {
  static const char *usage = "unixDgramSend(path: string, data: Buffer | Buffer[])";
  size_t argc = 2;
  napi_value argv[2];
  LH_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
  size_t path_len = 0;
  if (argc < 2 || lh_get_string(env, argv[0], path, sizeof path, &path_len)) return lh_throw_type(env, usage);
  struct sockaddr_un addr;
  socklen_t addr_len = path_len >= sizeof path ? 0 : unix_address(path, path_len, &addr);
  if (addr_len == 0) return lh_throw_errno(env, "connect", ENAMETOOLONG, "not a usable unix socket name");

  bool is_array = false;
  uint32_t count = 1;
  LH_CHECK(env, napi_is_array(env, argv[1], &is_array));
  if (is_array) {
    LH_CHECK(env, napi_get_array_length(env, argv[1], &count));
    if (count > LH_DGRAM_MAX_COUNT) return lh_throw_type(env, "unixDgramSend: at most 65536 datagrams a call");
  }
  napi_value result;
  if (count == 0) {
    LH_CHECK(env, napi_create_uint32(env, 0, &result));
    return result;
  }
  struct iovec *iov = calloc(count, sizeof *iov);
  if (!iov) return lh_throw_errno(env, "calloc", ENOMEM, NULL);
  for (uint32_t i = 0; i < count; i++) {
    napi_value item = argv[1];
    if (is_array && napi_get_element(env, argv[1], i, &item) != napi_ok) {
      free(iov);
      return NULL;
    }
    if (lh_get_buffer(env, item, &iov[i].iov_base, &iov[i].iov_len)) {
      free(iov);
      return lh_throw_type(env, usage);
    }
  }

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int err = errno;
    free(iov);
    return lh_throw_errno(env, "socket", err, "AF_UNIX SOCK_DGRAM");
  }
  int rc;
  do rc = connect(fd, (struct sockaddr *)&addr, addr_len);
  while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int err = errno;
    close(fd);
    free(iov);
    return lh_throw_errno(env, "connect", err, path);
  }

  struct mmsghdr msgs[LH_DGRAM_BATCH];
  uint32_t sent = 0;
  int err = 0;
  while (sent < count) {
    unsigned int n = count - sent < LH_DGRAM_BATCH ? count - sent : LH_DGRAM_BATCH;
    memset(msgs, 0, sizeof msgs[0] * n);
    for (unsigned int i = 0; i < n; i++) {
      msgs[i].msg_hdr.msg_iov = &iov[sent + i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd, msgs, n, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    sent += (uint32_t)r;
    if ((unsigned int)r < n) break; /* the queue filled up mid-batch: the next send would say EAGAIN */
  }
  close(fd);
  free(iov);
  if (sent == 0 && err != 0 && err != EAGAIN && err != EWOULDBLOCK) return lh_throw_errno(env, "sendmmsg", err, path);
  LH_CHECK(env, napi_create_uint32(env, sent, &result));
  return result;
}
