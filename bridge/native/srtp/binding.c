/* Node-API binding of srtp.c (added to the addon by convene_srtp_init): class SrtpContext(gcm, keys) with protectRtp/unprotectRtp/protectRtcp/unprotectRtcp
 * (src, off, len, dst, dstOff) -> length or SRTP_ERR_*, and handle() -> its number in the env's registry
 * (registry.h, the addon's instance data), which a UdpSocket's sendSrtp takes. Bad arguments throw
 * TypeError/RangeError, never crash. */
#include <stdbool.h>
#include <stdint.h>

#include "../common/napi-args.h"
#include "binding.h"
#include "registry.h"
#include "srtp.h"

bool srtp_napi_failed(napi_env env, int r) {
  if (r == SRTP_E_DST_SMALL)
    napi_throw_range_error(env, "ERR_BUFFER_TOO_SMALL", "dst has too little room after dstOff");
  else if (r == SRTP_E_NOMEM || r == SRTP_E_CRYPTO)
    napi_throw_error(env, "ERR_SRTP_INTERNAL", r == SRTP_E_NOMEM ? "out of memory" : "OpenSSL failed");
  else
    return false;
  return true;
}

static napi_value call(napi_env env, napi_callback_info info, srtp_op op) {
  size_t argc = 5;
  napi_value argv[5], self, result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  srtp_ctx *c = napi_args_unwrap(env, self, "SrtpContext");
  if (c == NULL) return NULL;
  if (argc < 5) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "expected (src, off, len, dst, dstOff)");
    return NULL;
  }
  uint8_t *src, *dst;
  size_t src_len, dst_len, off, len, dst_off;
  if (!napi_args_bytes(env, argv[0], "src must be a Buffer", &src, &src_len) ||
      !napi_args_size(env, argv[1], "off must be an integer >= 0", &off) ||
      !napi_args_size(env, argv[2], "len must be an integer >= 0", &len) ||
      !napi_args_bytes(env, argv[3], "dst must be a Buffer", &dst, &dst_len) ||
      !napi_args_size(env, argv[4], "dstOff must be an integer >= 0", &dst_off))
    return NULL;
  if (off + len > src_len) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "off + len is beyond src");
    return NULL;
  }
  if (dst_off > dst_len) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "dstOff is beyond dst");
    return NULL;
  }
  int r = srtp_apply(c, op, src + off, len, dst + dst_off, dst_len - dst_off);
  if (srtp_napi_failed(env, r)) return NULL;
  CHECK(napi_create_int32(env, r, &result));
  return result;
}

static napi_value protect_rtp(napi_env env, napi_callback_info info) { return call(env, info, srtp_protect_rtp); }
static napi_value unprotect_rtp(napi_env env, napi_callback_info info) { return call(env, info, srtp_unprotect_rtp); }
static napi_value protect_rtcp(napi_env env, napi_callback_info info) { return call(env, info, srtp_protect_rtcp); }
static napi_value unprotect_rtcp(napi_env env, napi_callback_info info) {
  return call(env, info, srtp_unprotect_rtcp);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  srtp_ctx *c = data;
  srtp_registry_remove(hint, c->handle);
  srtp_ctx_free(c);
}

static napi_value get_handle(napi_env env, napi_callback_info info) {
  napi_value self, out;
  CHECK(napi_get_cb_info(env, info, NULL, NULL, &self, NULL));
  srtp_ctx *c = napi_args_unwrap(env, self, "SrtpContext");
  if (c == NULL) return NULL;
  CHECK(napi_create_uint32(env, c->handle, &out));
  return out;
}

static void registry_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  srtp_registry_free(data);
}

/* new SrtpContext(gcm: boolean, keys: Buffer of SRTP_KEYS_LEN derived session keys, local then remote). */
static napi_value construct(napi_env env, napi_callback_info info) {
  napi_value argv[2], self;
  if (!napi_args_construct(env, info, 2, argv, &self, "expected (gcm, keys)")) return NULL;
  bool gcm = false;
  if (!napi_args_bool(env, argv[0], "gcm must be a boolean", &gcm)) return NULL;
  uint8_t *keys;
  size_t keys_len;
  if (!napi_args_bytes(env, argv[1], "keys must be a Buffer", &keys, &keys_len)) return NULL;
  if (keys_len != SRTP_KEYS_LEN) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "keys must hold 200 bytes of session keys");
    return NULL;
  }
  srtp_ctx *c = srtp_ctx_new(gcm, keys);
  if (c == NULL) {
    napi_throw_error(env, "ERR_SRTP_INTERNAL", "could not create the OpenSSL contexts");
    return NULL;
  }
  srtp_registry *reg = NULL;
  if (napi_get_instance_data(env, (void **)&reg) != napi_ok || reg == NULL ||
      (c->handle = srtp_registry_add(reg, c)) == 0) {
    srtp_ctx_free(c);
    napi_throw_error(env, "ERR_SRTP_INTERNAL", "could not register the context");
    return NULL;
  }
  if (napi_wrap(env, self, c, finalize, reg, NULL) != napi_ok) {
    srtp_registry_remove(reg, c->handle);
    srtp_ctx_free(c);
    return NULL;
  }
  return self;
}

napi_value convene_srtp_init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"protectRtp", NULL, protect_rtp, NULL, NULL, NULL, napi_default_method, NULL},
      {"unprotectRtp", NULL, unprotect_rtp, NULL, NULL, NULL, napi_default_method, NULL},
      {"protectRtcp", NULL, protect_rtcp, NULL, NULL, NULL, napi_default_method, NULL},
      {"unprotectRtcp", NULL, unprotect_rtcp, NULL, NULL, NULL, napi_default_method, NULL},
      {"handle", NULL, get_handle, NULL, NULL, NULL, napi_default_method, NULL},
  };
  napi_value cls;
  srtp_registry *reg = srtp_registry_new();
  if (reg == NULL) return NULL;
  if (napi_set_instance_data(env, reg, registry_finalize, NULL) != napi_ok) {
    srtp_registry_free(reg);
    return NULL;
  }
  CHECK(napi_define_class(env, "SrtpContext", NAPI_AUTO_LENGTH, construct, NULL, 5, methods, &cls));
  CHECK(napi_set_named_property(env, exports, "SrtpContext", cls));
  return exports;
}
