#include "napi-args.h"

#include <math.h>
#include <stdio.h>

bool napi_args_bytes(napi_env env, napi_value v, const char *name, uint8_t **data, size_t *len) {
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

bool napi_args_size(napi_env env, napi_value v, const char *name, size_t *out) {
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

bool napi_args_string(napi_env env, napi_value v, const char *name, char *buf, size_t cap) {
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", name);
    return false;
  }
  if (n + 1 > cap) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", name);
    return false;
  }
  return napi_get_value_string_utf8(env, v, buf, cap, &n) == napi_ok;
}

bool napi_args_bool(napi_env env, napi_value v, const char *name, bool *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_boolean || napi_get_value_bool(env, v, out) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", name);
    return false;
  }
  return true;
}

/* The methods carry the class signature, so V8 refuses a `this` of another class ("Illegal invocation")
 * before we get here; the unwrap check is a second line. */
void *napi_args_unwrap(napi_env env, napi_value self, const char *class_name) {
  void *p = NULL;
  if (napi_unwrap(env, self, &p) != napi_ok || p == NULL) {
    char msg[80];
    snprintf(msg, sizeof msg, "not a live %s", class_name);
    napi_throw_type_error(env, "ERR_INVALID_THIS", msg);
    return NULL;
  }
  return p;
}

bool napi_args_construct(napi_env env, napi_callback_info info, size_t want, napi_value *argv, napi_value *self,
                         const char *usage) {
  size_t argc = want;
  napi_value target;
  if (napi_get_cb_info(env, info, &argc, argv, self, NULL) != napi_ok ||
      napi_get_new_target(env, info, &target) != napi_ok)
    return false;
  if (target == NULL) {
    napi_throw_type_error(env, "ERR_CONSTRUCT_CALL_REQUIRED", "a constructor needs new");
    return false;
  }
  if (argc < want) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", usage);
    return false;
  }
  return true;
}
