/* The polled-socket core shared by the packet and ICMP sockets: a non-blocking fd watched by a libuv uv_poll_t on
 * Node's own loop, so reading never blocks the event loop; each wakeup drains at most LH_BATCH datagrams and hands
 * them to JS in one call. Closing is explicit (close()), and also happens on env teardown (worker exit) through an
 * async cleanup hook, and on GC of a never-closed handle at teardown. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lh.h"

/* Bounded work per wakeup keeps one busy socket from starving timers and other sockets; libuv polls level-triggered,
 * so anything left in the queue wakes us again on the next loop turn. */
#define LH_BATCH 64
/* Datagrams read per recvmmsg call: under a storm one system call brings a whole batch. */
#define LH_MMSG 32
/* Per datagram: a jumbo frame (9000-byte MTU) and more. ISC dhcpd reads into less; a longer datagram is dropped as
 * truncated, never delivered cut short. */
#define LH_SLOT 9216
#define LH_BUF_SIZE (LH_MMSG * LH_SLOT)

static const napi_type_tag lh_sock_tag = {0x6c6561736568f1d1ULL, 0x9a3c2b7e0d4e55a1ULL};

static void maybe_free(lh_sock *s) {
  if (s->finalized && s->poll_closed && s->hook == NULL) {
    free(s->buf);
    free(s);
  }
}

static void on_poll_closed(uv_handle_t *h) {
  lh_sock *s = h->data;
  s->poll_closed = 1;
  if (s->hook_running) {
    /* We were closed by the env cleanup hook: it is finished only now. */
    napi_async_cleanup_hook_handle hook = s->hook;
    s->hook = NULL;
    s->hook_running = 0;
    napi_remove_async_cleanup_hook(hook);
  }
  maybe_free(s);
}

/* Releases the OS side (poll + fd) without touching JS, so it is safe from finalizers and env cleanup. */
static void release_os(lh_sock *s) {
  if (s->fd < 0) return;
  if (s->poll_started) {
    uv_poll_stop(&s->poll); /* libuv requires the poll to stop before its fd is closed */
    close(s->fd);
    s->fd = -1;
    uv_close((uv_handle_t *)&s->poll, on_poll_closed);
  } else {
    close(s->fd);
    s->fd = -1;
    s->poll_closed = 1;
  }
}

static void drop_js_refs(napi_env env, lh_sock *s) {
  if (s->callback) napi_delete_reference(env, s->callback), s->callback = NULL;
  if (s->self) napi_delete_reference(env, s->self), s->self = NULL;
  if (s->async_ctx) napi_async_destroy(env, s->async_ctx), s->async_ctx = NULL;
}

static void on_env_cleanup(napi_async_cleanup_hook_handle hook, void *arg) {
  lh_sock *s = arg;
  if (s->fd >= 0 && s->poll_started) {
    s->hook_running = 1; /* on_poll_closed removes the hook once libuv has let go of the handle */
    release_os(s);
    return;
  }
  release_os(s);
  s->hook = NULL;
  napi_remove_async_cleanup_hook(hook);
  maybe_free(s);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  lh_sock *s = data;
  s->finalized = 1;
  /* While open, s->self keeps the handle alive, so an open socket reaches here only at env teardown. */
  release_os(s);
  if (s->callback) napi_delete_reference(env, s->callback), s->callback = NULL;
  maybe_free(s);
}

static uint32_t meta_of(lh_sock *s, struct msghdr *msg) {
  if (s->kind == LH_KIND_ICMP) {
    const struct sockaddr_in *from = msg->msg_name;
    return msg->msg_namelen >= sizeof *from ? ntohl(from->sin_addr.s_addr) : 0;
  }
  /* Packet sockets: tp_status from PACKET_AUXDATA tells whether the kernel left the checksum unfinished. */
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA &&
        c->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
      struct tpacket_auxdata aux;
      memcpy(&aux, CMSG_DATA(c), sizeof aux);
      return aux.tp_status;
    }
  }
  return 0;
}

static void deliver(lh_sock *s, napi_value error, napi_value frames, napi_value metas) {
  napi_env env = s->env;
  napi_value fn, recv, result;
  napi_value argv[3] = {error, frames, metas};
  if (!s->callback || napi_get_reference_value(env, s->callback, &fn) != napi_ok || fn == NULL) return;
  napi_get_global(env, &recv); /* napi_make_callback needs an object receiver; undefined throws */
  if (napi_make_callback(env, s->async_ctx, recv, fn, 3, argv, &result) == napi_pending_exception) {
    /* A throwing handler behaves like any throwing event listener: it becomes an uncaughtException. */
    napi_value exc;
    if (napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
  }
}

static void on_poll(uv_poll_t *h, int status, int events) {
  (void)events; /* only UV_READABLE is requested */
  lh_sock *s = h->data;
  if (s->fd < 0) return;
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;

  napi_value frames, metas, error;
  napi_get_undefined(env, &error);
  napi_create_array(env, &frames);
  napi_create_array(env, &metas);
  uint32_t n = 0;
  int err = status < 0 ? -status : 0;
  if (status < 0) {
    /* libuv reports POLLERR as EBADF and stops polling. For a packet socket that is the link going down (the kernel
     * sets ENETDOWN on it): read and clear the pending error, report that, and poll again so the socket serves once
     * the link is back. Only a pending error is cleared and retried: anything else would poll in a busy loop. */
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr != 0 &&
        uv_poll_start(&s->poll, UV_READABLE, on_poll) == 0)
      err = soerr;
  }

  struct mmsghdr msgs[LH_MMSG];
  struct iovec iovs[LH_MMSG];
  struct sockaddr_storage froms[LH_MMSG];
  union {
    char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    struct cmsghdr align;
  } controls[LH_MMSG];
  for (int done = 0; done < LH_BATCH && err == 0;) {
    int want = LH_BATCH - done < LH_MMSG ? LH_BATCH - done : LH_MMSG;
    for (int k = 0; k < want; k++) {
      iovs[k] = (struct iovec){.iov_base = s->buf + (size_t)k * LH_SLOT, .iov_len = LH_SLOT};
      msgs[k].msg_hdr = (struct msghdr){.msg_name = &froms[k],
                                        .msg_namelen = sizeof froms[k],
                                        .msg_iov = &iovs[k],
                                        .msg_iovlen = 1,
                                        .msg_control = &controls[k],
                                        .msg_controllen = sizeof controls[k]};
      msgs[k].msg_len = 0;
    }
    int got = recvmmsg(s->fd, msgs, (unsigned)want, MSG_DONTWAIT | MSG_TRUNC, NULL);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
      break;
    }
    for (int k = 0; k < got; k++) {
      size_t len = msgs[k].msg_len;
      if (len > LH_SLOT || (msgs[k].msg_hdr.msg_flags & MSG_TRUNC)) continue; /* oversized: drop, never truncate */
      napi_value frame, meta;
      if (napi_create_buffer_copy(env, len, iovs[k].iov_base, NULL, &frame) != napi_ok) break;
      napi_create_uint32(env, meta_of(s, &msgs[k].msg_hdr), &meta);
      napi_set_element(env, frames, n, frame);
      napi_set_element(env, metas, n, meta);
      n++;
    }
    done += got;
    if (got < want) break; /* the queue is empty */
  }
  if (err) error = lh_errno_error(env, "recvmmsg", err, NULL);
  if (n > 0 || err) deliver(s, error, frames, metas);
  napi_close_handle_scope(env, scope);
}

/* Takes ownership of fd (closes it on failure) and starts polling it. */
napi_value lh_sock_start(napi_env env, lh_kind kind, int fd, int ifindex, napi_value callback, napi_value *external) {
  lh_sock *s = calloc(1, sizeof *s);
  unsigned char *buf = malloc(LH_BUF_SIZE);
  if (!s || !buf) {
    free(s), free(buf), close(fd);
    return lh_throw_errno(env, "malloc", ENOMEM, NULL);
  }
  s->env = env, s->kind = kind, s->fd = fd, s->ifindex = ifindex, s->buf = buf;

  uv_loop_t *loop;
  napi_value name;
  int rc = UV_EINVAL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || (rc = uv_poll_init(loop, &s->poll, fd)) != 0) {
    close(fd), free(buf), free(s);
    return lh_throw_errno(env, "uv_poll_init", -rc, NULL);
  }
  s->poll.data = s;
  s->poll_started = 1;
  if (napi_create_external(env, s, on_finalize, NULL, external) != napi_ok) {
    /* Without an external nobody can close it: release right here. */
    s->finalized = 1;
    release_os(s);
    return lh_throw_errno(env, "napi_create_external", ENOMEM, NULL);
  }
  napi_type_tag_object(env, *external, &lh_sock_tag);
  napi_create_reference(env, callback, 1, &s->callback);
  napi_create_reference(env, *external, 1, &s->self); /* an open socket is never collected */
  napi_create_string_utf8(env, kind == LH_KIND_PACKET ? "LeaseholdPacketSocket" : "LeaseholdIcmpSocket",
                          NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, *external, name, &s->async_ctx);
  napi_add_async_cleanup_hook(env, on_env_cleanup, s, &s->hook);
  if ((rc = uv_poll_start(&s->poll, UV_READABLE, on_poll)) != 0) {
    if (s->hook) napi_remove_async_cleanup_hook(s->hook), s->hook = NULL;
    release_os(s);
    drop_js_refs(env, s);
    return lh_throw_errno(env, "uv_poll_start", -rc, NULL);
  }
  return *external;
}

lh_sock *lh_sock_unwrap(napi_env env, napi_value external) {
  bool ours = false;
  void *data = NULL;
  napi_valuetype t;
  if (napi_typeof(env, external, &t) != napi_ok || t != napi_external ||
      napi_check_object_type_tag(env, external, &lh_sock_tag, &ours) != napi_ok || !ours ||
      napi_get_value_external(env, external, &data) != napi_ok) {
    lh_throw_type(env, "expected a leasehold socket handle");
    return NULL;
  }
  return data;
}

/* close(handle): idempotent. */
napi_value lh_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  LH_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  lh_sock *s = argc >= 1 ? lh_sock_unwrap(env, argv[0]) : (lh_throw_type(env, "close(handle)"), NULL);
  if (!s) return NULL;
  if (s->fd >= 0) {
    if (s->hook && !s->hook_running) napi_remove_async_cleanup_hook(s->hook), s->hook = NULL;
    release_os(s);
    drop_js_refs(env, s);
  }
  return NULL;
}

/* setRef(handle, bool): whether an open socket keeps the process alive (like net.Socket#ref/unref). */
napi_value lh_set_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  bool on = true;
  LH_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_bool(env, argv[1], &on) != napi_ok) return lh_throw_type(env, "setRef(handle, bool)");
  lh_sock *s = lh_sock_unwrap(env, argv[0]);
  if (!s) return NULL;
  if (s->fd >= 0) {
    if (on)
      uv_ref((uv_handle_t *)&s->poll);
    else
      uv_unref((uv_handle_t *)&s->poll);
  }
  return NULL;
}
