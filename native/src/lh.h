/* Shared declarations of the Leasehold packet addon. The addon only moves bytes: every frame, checksum and BPF
 * program is built in TypeScript (src/io/), so this C stays small and has nothing protocol-specific to get wrong. */
#ifndef LH_H
#define LH_H

#include <node_api.h>
#include <uv.h>

/* Bumped whenever the JS-visible surface changes, so src/io/native.ts can refuse a stale build. */
#define LH_ABI_VERSION 2

typedef enum { LH_KIND_PACKET = 1, LH_KIND_ICMP = 2 } lh_kind;

/* One polled socket. Lifetime: freed only when the JS external is finalized, the uv_poll handle has finished
 * closing and no env cleanup hook is pending, whichever happens last (see sock.c). */
typedef struct lh_sock {
  napi_env env;
  lh_kind kind;
  int fd;
  int ifindex;
  int poll_started;
  int poll_closed;
  int finalized;
  uv_poll_t poll;
  napi_ref callback;
  napi_ref self;
  napi_async_context async_ctx;
  napi_async_cleanup_hook_handle hook;
  int hook_running;
  unsigned char *buf;
} lh_sock;

/* errors.c */
napi_value lh_errno_error(napi_env env, const char *syscall, int err, const char *detail);
napi_value lh_throw_errno(napi_env env, const char *syscall, int err, const char *detail);
napi_value lh_throw_type(napi_env env, const char *msg);

/* sock.c */
napi_value lh_sock_start(napi_env env, lh_kind kind, int fd, int ifindex, napi_value callback, napi_value *external);
lh_sock *lh_sock_unwrap(napi_env env, napi_value external);
napi_value lh_close(napi_env env, napi_callback_info info);
napi_value lh_set_ref(napi_env env, napi_callback_info info);

/* packet.c, icmp.c */
napi_value lh_packet_open(napi_env env, napi_callback_info info);
napi_value lh_packet_send(napi_env env, napi_callback_info info);
napi_value lh_icmp_open(napi_env env, napi_callback_info info);
napi_value lh_icmp_send(napi_env env, napi_callback_info info);

/* udp.c */
napi_value lh_udp_open(napi_env env, napi_callback_info info);
napi_value lh_udp_send(napi_env env, napi_callback_info info);
napi_value lh_udp_close(napi_env env, napi_callback_info info);

/* unixdgram.c */
napi_value lh_unix_dgram_send(napi_env env, napi_callback_info info);

/* Argument helpers (addon.c). */
int lh_get_string(napi_env env, napi_value v, char *out, size_t cap, size_t *len);
int lh_get_buffer(napi_env env, napi_value v, void **data, size_t *len);
int lh_get_u32(napi_env env, napi_value v, uint32_t *out);

#define LH_CHECK(env, call)                                                                   \
  do {                                                                                        \
    if ((call) != napi_ok) {                                                                  \
      const napi_extended_error_info *lh_info_ = NULL;                                        \
      napi_get_last_error_info((env), &lh_info_);                                             \
      bool lh_pending_ = false;                                                               \
      napi_is_exception_pending((env), &lh_pending_);                                         \
      if (!lh_pending_)                                                                       \
        napi_throw_error((env), NULL,                                                         \
                         lh_info_ && lh_info_->error_message ? lh_info_->error_message        \
                                                             : "leasehold_native: N-API call failed"); \
      return NULL;                                                                            \
    }                                                                                         \
  } while (0)

#endif
