/* Argument checks shared by the addon's bindings: bad arguments throw TypeError/RangeError, never crash. */
#ifndef CONVENE_NAPI_ARGS_H
#define CONVENE_NAPI_ARGS_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHECK(call)                                                                                                    \
  do {                                                                                                                 \
    if ((call) != napi_ok) return NULL;                                                                                \
  } while (0)

/* A Uint8Array (Buffer) argument: its bytes and length. */
bool napi_args_bytes(napi_env env, napi_value v, const char *name, uint8_t **data, size_t *len);
/* An integer argument in 0..2^31-1. */
bool napi_args_size(napi_env env, napi_value v, const char *name, size_t *out);
/* A string argument of at most cap-1 bytes, NUL-terminated into buf. */
bool napi_args_string(napi_env env, napi_value v, const char *name, char *buf, size_t cap);
/* A boolean argument. */
bool napi_args_bool(napi_env env, napi_value v, const char *name, bool *out);
/* The wrapped native pointer of `self`, or a thrown TypeError naming the class. */
void *napi_args_unwrap(napi_env env, napi_value self, const char *class_name);

/* A constructor's arguments: `this` and `want` arguments, or a thrown TypeError (called without `new`, or with
 * fewer arguments; `usage` names them). */
bool napi_args_construct(napi_env env, napi_callback_info info, size_t want, napi_value *argv, napi_value *self,
                         const char *usage);

/* Each part of the addon adds its classes to the exports. */
napi_value convene_srtp_init(napi_env env, napi_value exports);
napi_value convene_dtls_init(napi_env env, napi_value exports);
napi_value convene_udp_init(napi_env env, napi_value exports);

#endif
