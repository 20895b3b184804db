/* Node-API binding of srtp.c: class SrtpContext(gcm, keys) with protectRtp/unprotectRtp/protectRtcp/unprotectRtcp
 * (src, off, len, dst, dstOff) -> length or SRTP_ERR_*. Bad arguments throw TypeError/RangeError, never crash. */
#define NAPI_VERSION 8
#include <node_api.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <openssl/crypto.h>

#include "srtp.h"

typedef int (*srtp_op)(srtp_ctx *, const uint8_t *, int, uint8_t *, size_t);

#define CHECK(call)                                                                                                    \
  do {                                                                                                                 \
    if ((call) != napi_ok) return NULL;                                                                                \
  } while (0)

static bool get_bytes(napi_env env, napi_value v, const char *name, uint8_t **data, size_t *len) {
  napi_typedarray_type type;
  void *p = NULL;
  napi_value ab;
  size_t byte_offset;
  /* napi_get_typedarray_info answers napi_invalid_arg for anything but a typed array. */
  if (napi_get_typedarray_info(env, v, &type, len, &p, &ab, &byte_offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", name);
    return false;
  }
  *data = p;
  return true;
}

static bool get_size(napi_env env, napi_value v, const char *name, size_t *out) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok) { /* napi_number_expected for a non-number */
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", name);
    return false;
  }
  if (!(d >= 0 && d <= 2147483647.0) || d != floor(d)) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", name);
    return false;
  }
  *out = (size_t)d;
  return true;
}

/* The methods carry the class signature, so V8 refuses a `this` that is no SrtpContext ("Illegal invocation")
 * before we get here; the unwrap check is a second line. */
static srtp_ctx *unwrap(napi_env env, napi_value self) {
  void *p = NULL;
  if (napi_unwrap(env, self, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_THIS", "not an SrtpContext");
    return NULL;
  }
  return p;
}

static napi_value call(napi_env env, napi_callback_info info, srtp_op op) {
  size_t argc = 5;
  napi_value argv[5], self, result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  srtp_ctx *c = unwrap(env, self);
  if (c == NULL) return NULL;
  if (argc < 5) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "expected (src, off, len, dst, dstOff)");
    return NULL;
  }
  uint8_t *src, *dst;
  size_t src_len, dst_len, off, len, dst_off;
  if (!get_bytes(env, argv[0], "src must be a Buffer", &src, &src_len) ||
      !get_size(env, argv[1], "off must be an integer >= 0", &off) ||
      !get_size(env, argv[2], "len must be an integer >= 0", &len) ||
      !get_bytes(env, argv[3], "dst must be a Buffer", &dst, &dst_len) ||
      !get_size(env, argv[4], "dstOff must be an integer >= 0", &dst_off))
    return NULL;
  if (off + len > src_len) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "off + len is beyond src");
    return NULL;
  }
  if (dst_off > dst_len) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "dstOff is beyond dst");
    return NULL;
  }
  const uint8_t *s = src + off;
  uint8_t *d = dst + dst_off;
  size_t dcap = dst_len - dst_off;
  /* In place works as it is; a partial overlap reads a copy (node:crypto too reads before it writes). */
  if (s != d && len > 0 && dcap > 0 && d < s + len && s < d + dcap) {
    s = srtp_copy_input(c, s, len);
    if (s == NULL) {
      napi_throw_error(env, "ERR_MEMORY", "out of memory");
      return NULL;
    }
  }
  int r = op(c, s, (int)len, d, dcap);
  if (r == SRTP_E_DST_SMALL) {
    napi_throw_range_error(env, "ERR_BUFFER_TOO_SMALL", "dst has too little room after dstOff");
    return NULL;
  }
  if (r == SRTP_E_NOMEM || r == SRTP_E_CRYPTO) {
    napi_throw_error(env, "ERR_SRTP_INTERNAL", r == SRTP_E_NOMEM ? "out of memory" : "OpenSSL failed");
    return NULL;
  }
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
  (void)hint;
  srtp_ctx_free(data);
}

/* new SrtpContext(gcm: boolean, keys: Buffer of SRTP_KEYS_LEN derived session keys, local then remote). */
static napi_value construct(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self, target;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  CHECK(napi_get_new_target(env, info, &target));
  if (target == NULL) {
    napi_throw_type_error(env, "ERR_CONSTRUCT_CALL_REQUIRED", "SrtpContext needs new");
    return NULL;
  }
  bool gcm = false;
  napi_valuetype t;
  if (argc < 2 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_boolean ||
      napi_get_value_bool(env, argv[0], &gcm) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "gcm must be a boolean");
    return NULL;
  }
  uint8_t *keys;
  size_t keys_len;
  if (!get_bytes(env, argv[1], "keys must be a Buffer", &keys, &keys_len)) return NULL;
  if (keys_len != SRTP_KEYS_LEN) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "keys must hold 200 bytes of session keys");
    return NULL;
  }
  srtp_ctx *c = srtp_ctx_new(gcm, keys);
  if (c == NULL) {
    napi_throw_error(env, "ERR_SRTP_INTERNAL", "could not create the OpenSSL contexts");
    return NULL;
  }
  if (napi_wrap(env, self, c, finalize, NULL, NULL) != napi_ok) {
    srtp_ctx_free(c);
    return NULL;
  }
  return self;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor methods[] = {
      {"protectRtp", NULL, protect_rtp, NULL, NULL, NULL, napi_default_method, NULL},
      {"unprotectRtp", NULL, unprotect_rtp, NULL, NULL, NULL, napi_default_method, NULL},
      {"protectRtcp", NULL, protect_rtcp, NULL, NULL, NULL, napi_default_method, NULL},
      {"unprotectRtcp", NULL, unprotect_rtcp, NULL, NULL, NULL, napi_default_method, NULL},
  };
  napi_value cls, version;
  CHECK(napi_define_class(env, "SrtpContext", NAPI_AUTO_LENGTH, construct, NULL, 4, methods, &cls));
  CHECK(napi_set_named_property(env, exports, "SrtpContext", cls));
  CHECK(napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &version));
  CHECK(napi_set_named_property(env, exports, "openssl", version));
  return exports;
}
