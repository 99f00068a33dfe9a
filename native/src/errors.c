/* System errors in Node's own shape (code = errno name, errno = -n, syscall), so callers branch on err.code
 * ("EPERM": fall back to UDP sockets, "ENODEV": bad interface name) exactly as they do for fs or net errors. */
#include <stdio.h>
#include <string.h>

#include "lh.h"

napi_value lh_errno_error(napi_env env, const char *syscall, int err, const char *detail) {
  char name[64], text[128], msg[384];
  /* libuv reports errors as -errno on Unix and knows every name Node prints. */
  uv_err_name_r(-err, name, sizeof name);
  uv_strerror_r(-err, text, sizeof text);
  if (detail && detail[0])
    snprintf(msg, sizeof msg, "%s %s: %s (%s)", syscall, name, text, detail);
  else
    snprintf(msg, sizeof msg, "%s %s: %s", syscall, name, text);

  napi_value code, message, error, errno_v, syscall_v;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message) != napi_ok) return NULL;
  if (napi_create_error(env, code, message, &error) != napi_ok) return NULL;
  if (napi_create_int32(env, -err, &errno_v) == napi_ok) napi_set_named_property(env, error, "errno", errno_v);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_v) == napi_ok)
    napi_set_named_property(env, error, "syscall", syscall_v);
  return error;
}

napi_value lh_throw_errno(napi_env env, const char *syscall, int err, const char *detail) {
  napi_value error = lh_errno_error(env, syscall, err, detail);
  if (error) napi_throw(env, error);
  return NULL;
}

napi_value lh_throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}
