/* Module entry: exports the addon's functions and its ABI version. */
#include <string.h>

#include "lh.h"

int lh_get_string(napi_env env, napi_value v, char *out, size_t cap, size_t *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) return -1;
  /* Ask for the length first so an over-long string is reported, not silently truncated into another name. */
  if (napi_get_value_string_utf8(env, v, NULL, 0, len) != napi_ok || *len >= cap) {
    if (cap > 0) out[0] = '\0';
    *len = cap; /* callers treat len >= their limit as "too long" */
    return 0;
  }
  return napi_get_value_string_utf8(env, v, out, cap, len) == napi_ok ? 0 : -1;
}

int lh_get_buffer(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_buffer = false;
  if (napi_is_buffer(env, v, &is_buffer) != napi_ok || !is_buffer) return -1;
  return napi_get_buffer_info(env, v, data, len) == napi_ok ? 0 : -1;
}

int lh_get_u32(napi_env env, napi_value v, uint32_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return -1;
  return napi_get_value_uint32(env, v, out) == napi_ok ? 0 : -1;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"packetOpen", NULL, lh_packet_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetSend", NULL, lh_packet_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"icmpOpen", NULL, lh_icmp_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"icmpSend", NULL, lh_icmp_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpOpen", NULL, lh_udp_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpSend", NULL, lh_udp_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpClose", NULL, lh_udp_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unixDgramSend", NULL, lh_unix_dgram_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, lh_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setRef", NULL, lh_set_ref, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value abi;
  LH_CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  LH_CHECK(env, napi_create_uint32(env, LH_ABI_VERSION, &abi));
  LH_CHECK(env, napi_set_named_property(env, exports, "abiVersion", abi));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
