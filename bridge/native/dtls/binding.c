/* Node-API binding of dtls.c (added to the addon by convene_dtls_init):
 *   new DtlsIdentity(commonName, days, srtpProfiles)  .fingerprint() -> 32-byte sha-256, .der() -> Buffer
 *   new DtlsConnection(identity, isServer, mtu)        .expect(hash, digest), .start(), .feed(buf, off, len),
 *     .handleTimeout(), .close(), .takeOutgoing(), .takeIncoming(), .write(buf), .error(), .srtpProfile(),
 *     .exportSrtp(len), .counters(), .free()
 * start/feed/handleTimeout return the state (0 connecting, 1 connected, 2 closed, 3 failed); what OpenSSL wrote
 * waits in takeOutgoing(), one Buffer per datagram; application data received waits in takeIncoming(), one Buffer
 * per record. Bad arguments throw, never crash. */
#include <stdlib.h>
#include <string.h>

#include "../common/napi-args.h"
#include "dtls.h"

/* Tags make sure a DtlsConnection is built on a DtlsIdentity and on nothing else that wraps a pointer. */
static const napi_type_tag IDENTITY_TAG = {0x636f6e76656e6564ULL, 0x746c732d69640001ULL};

typedef struct {
  dtls_session *s; /* NULL once freed */
} connection_holder;

static void identity_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  dtls_identity_free(data);
}

static napi_value identity_construct(napi_env env, napi_callback_info info) {
  napi_value argv[3], self;
  if (!napi_args_construct(env, info, 3, argv, &self, "expected (commonName, days, srtpProfiles)")) return NULL;
  char cn[65], profiles[128];
  size_t days = 0;
  if (!napi_args_string(env, argv[0], "commonName must be a string of at most 64 bytes", cn, sizeof cn) ||
      !napi_args_size(env, argv[1], "days must be an integer >= 1", &days) ||
      !napi_args_string(env, argv[2], "srtpProfiles must be a string", profiles, sizeof profiles))
    return NULL;
  if (days < 1 || days > 3650) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "days must be 1..3650");
    return NULL;
  }
  char err[DTLS_ERROR_LEN];
  dtls_identity *id = dtls_identity_new(cn, (int)days, profiles, err, sizeof err);
  if (id == NULL) {
    napi_throw_error(env, "ERR_DTLS_INTERNAL", err);
    return NULL;
  }
  if (napi_wrap(env, self, id, identity_finalize, NULL, NULL) != napi_ok) {
    dtls_identity_free(id);
    return NULL;
  }
  CHECK(napi_type_tag_object(env, self, &IDENTITY_TAG));
  return self;
}

static napi_value identity_fingerprint(napi_env env, napi_callback_info info) {
  napi_value self, out;
  CHECK(napi_get_cb_info(env, info, NULL, NULL, &self, NULL));
  dtls_identity *id = napi_args_unwrap(env, self, "DtlsIdentity");
  if (id == NULL) return NULL;
  uint8_t fp[32];
  dtls_identity_fingerprint(id, fp);
  CHECK(napi_create_buffer_copy(env, sizeof fp, fp, NULL, &out));
  return out;
}

static napi_value identity_der(napi_env env, napi_callback_info info) {
  napi_value self, out;
  CHECK(napi_get_cb_info(env, info, NULL, NULL, &self, NULL));
  dtls_identity *id = napi_args_unwrap(env, self, "DtlsIdentity");
  if (id == NULL) return NULL;
  int n = dtls_identity_der(id, NULL);
  void *data = NULL;
  if (n <= 0) {
    napi_throw_error(env, "ERR_DTLS_INTERNAL", "could not encode the certificate");
    return NULL;
  }
  CHECK(napi_create_buffer(env, (size_t)n, &data, &out));
  dtls_identity_der(id, data);
  return out;
}

static void connection_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  connection_holder *h = data;
  dtls_session_free(h->s);
  free(h);
}

static napi_value connection_construct(napi_env env, napi_callback_info info) {
  napi_value argv[3], self;
  if (!napi_args_construct(env, info, 3, argv, &self, "expected (identity, isServer, mtu)")) return NULL;
  bool tagged = false;
  napi_valuetype t;
  if (napi_typeof(env, argv[0], &t) != napi_ok || t != napi_object ||
      napi_check_object_type_tag(env, argv[0], &IDENTITY_TAG, &tagged) != napi_ok || !tagged) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "identity must be a DtlsIdentity");
    return NULL;
  }
  dtls_identity *id = napi_args_unwrap(env, argv[0], "DtlsIdentity");
  bool is_server = false;
  size_t mtu = 0;
  if (id == NULL || !napi_args_bool(env, argv[1], "isServer must be a boolean", &is_server) ||
      !napi_args_size(env, argv[2], "mtu must be an integer", &mtu))
    return NULL;
  if (mtu < 256 || mtu > DTLS_OUT_BYTES) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "mtu must be 256..1500");
    return NULL;
  }
  connection_holder *h = calloc(1, sizeof *h);
  if (h == NULL || (h->s = dtls_session_new(id, is_server, (int)mtu)) == NULL) {
    free(h);
    napi_throw_error(env, "ERR_DTLS_INTERNAL", "could not create the DTLS session");
    return NULL;
  }
  if (napi_wrap(env, self, h, connection_finalize, NULL, NULL) != napi_ok) {
    dtls_session_free(h->s);
    free(h);
    return NULL;
  }
  return self;
}

/* The live session of `this`, or NULL with an exception pending. */
static dtls_session *session_of(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  connection_holder *h = napi_args_unwrap(env, self, "DtlsConnection");
  if (h == NULL) return NULL;
  if (h->s == NULL) {
    napi_throw_error(env, "ERR_INVALID_STATE", "DtlsConnection is freed");
    return NULL;
  }
  return h->s;
}

static napi_value int_value(napi_env env, int v) {
  napi_value out;
  CHECK(napi_create_int32(env, v, &out));
  return out;
}

static napi_value connection_expect(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  dtls_session *s = session_of(env, info, &argc, argv);
  if (s == NULL) return NULL;
  char hash[16];
  uint8_t *digest;
  size_t len;
  if (argc < 2 || !napi_args_string(env, argv[0], "hash must be a short string", hash, sizeof hash) ||
      !napi_args_bytes(env, argv[1], "digest must be a Buffer", &digest, &len))
    return NULL;
  CHECK(napi_get_boolean(env, dtls_session_expect(s, hash, digest, len) == 0, &out));
  return out;
}

static napi_value connection_start(napi_env env, napi_callback_info info) {
  dtls_session *s = session_of(env, info, NULL, NULL);
  return s == NULL ? NULL : int_value(env, dtls_start(s));
}

static napi_value connection_feed(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  dtls_session *s = session_of(env, info, &argc, argv);
  if (s == NULL) return NULL;
  uint8_t *buf;
  size_t buf_len, off, len;
  if (argc < 3 || !napi_args_bytes(env, argv[0], "buf must be a Buffer", &buf, &buf_len) ||
      !napi_args_size(env, argv[1], "off must be an integer >= 0", &off) ||
      !napi_args_size(env, argv[2], "len must be an integer >= 0", &len))
    return NULL;
  if (off + len > buf_len) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "off + len is beyond buf");
    return NULL;
  }
  return int_value(env, dtls_feed(s, buf + off, len));
}

static napi_value connection_handle_timeout(napi_env env, napi_callback_info info) {
  dtls_session *s = session_of(env, info, NULL, NULL);
  return s == NULL ? NULL : int_value(env, dtls_handle_timeout(s));
}

static napi_value connection_close(napi_env env, napi_callback_info info) {
  dtls_session *s = session_of(env, info, NULL, NULL);
  if (s == NULL) return NULL;
  dtls_close(s);
  return int_value(env, dtls_state(s));
}

typedef int (*queue_count)(const dtls_session *);
typedef const uint8_t *(*queue_data)(const dtls_session *, int, size_t *);
typedef void (*queue_clear)(dtls_session *);

/* One queue of the session as an array of Buffers (emptied), or undefined when it is empty. */
static napi_value take_queue(napi_env env, dtls_session *s, queue_count count, queue_data data_of,
                             queue_clear clear) {
  napi_value out;
  int n = count(s);
  if (n == 0) {
    CHECK(napi_get_undefined(env, &out));
    return out;
  }
  CHECK(napi_create_array_with_length(env, (size_t)n, &out));
  for (int i = 0; i < n; i++) {
    size_t len = 0;
    const uint8_t *data = data_of(s, i, &len);
    napi_value buf;
    CHECK(napi_create_buffer_copy(env, len, data, NULL, &buf));
    CHECK(napi_set_element(env, out, (uint32_t)i, buf));
  }
  clear(s);
  return out;
}

/* The application data records received since the last take, or undefined when there are none. */
static napi_value connection_take_incoming(napi_env env, napi_callback_info info) {
  dtls_session *s = session_of(env, info, NULL, NULL);
  return s == NULL ? NULL : take_queue(env, s, dtls_in_count, dtls_in_data, dtls_in_clear);
}

/* Sends one application data record; false when not connected or OpenSSL refused it. */
static napi_value connection_write(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  dtls_session *s = session_of(env, info, &argc, argv);
  if (s == NULL) return NULL;
  uint8_t *buf;
  size_t len;
  if (argc < 1 || !napi_args_bytes(env, argv[0], "buf must be a Buffer", &buf, &len)) return NULL;
  CHECK(napi_get_boolean(env, dtls_write(s, buf, len) == 0, &out));
  return out;
}

/* The datagrams OpenSSL wrote since the last take, or undefined when there are none. */
static napi_value connection_take_outgoing(napi_env env, napi_callback_info info) {
  dtls_session *s = session_of(env, info, NULL, NULL);
  return s == NULL ? NULL : take_queue(env, s, dtls_out_count, dtls_out_data, dtls_out_clear);
}

static napi_value connection_error(napi_env env, napi_callback_info info) {
  dtls_session *s = session_of(env, info, NULL, NULL);
  if (s == NULL) return NULL;
  napi_value out;
  CHECK(napi_create_string_utf8(env, dtls_error(s), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value connection_srtp_profile(napi_env env, napi_callback_info info) {
  dtls_session *s = session_of(env, info, NULL, NULL);
  return s == NULL ? NULL : int_value(env, dtls_srtp_profile(s));
}

static napi_value connection_export_srtp(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  dtls_session *s = session_of(env, info, &argc, argv);
  if (s == NULL) return NULL;
  size_t len = 0;
  if (argc < 1 || !napi_args_size(env, argv[0], "len must be an integer", &len)) return NULL;
  if (len == 0 || len > 256) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "len must be 1..256");
    return NULL;
  }
  uint8_t material[256];
  if (dtls_export_srtp(s, material, len) != 0) {
    CHECK(napi_get_undefined(env, &out));
    return out;
  }
  napi_status st = napi_create_buffer_copy(env, len, material, NULL, &out);
  memset(material, 0, sizeof material);
  return st == napi_ok ? out : NULL;
}

static napi_value connection_counters(napi_env env, napi_callback_info info) {
  dtls_session *s = session_of(env, info, NULL, NULL);
  if (s == NULL) return NULL;
  const dtls_counters *c = dtls_session_counters(s);
  double values[6] = {(double)c->datagrams_in,    (double)c->datagrams_out,     (double)c->retransmits,
                      (double)c->app_data_bytes,  (double)c->app_data_dropped, (double)c->records_discarded};
  napi_value out;
  CHECK(napi_create_array_with_length(env, 6, &out));
  for (uint32_t i = 0; i < 6; i++) {
    napi_value v;
    CHECK(napi_create_double(env, values[i], &v));
    CHECK(napi_set_element(env, out, i, v));
  }
  return out;
}

/* Releases the OpenSSL session at once instead of at garbage collection; later calls throw. */
static napi_value connection_free(napi_env env, napi_callback_info info) {
  napi_value self, out;
  CHECK(napi_get_cb_info(env, info, NULL, NULL, &self, NULL));
  connection_holder *h = napi_args_unwrap(env, self, "DtlsConnection");
  if (h == NULL) return NULL;
  dtls_session_free(h->s);
  h->s = NULL;
  CHECK(napi_get_undefined(env, &out));
  return out;
}

#define METHOD(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_default_method, NULL}

napi_value convene_dtls_init(napi_env env, napi_value exports) {
  napi_property_descriptor identity_methods[] = {
      METHOD("fingerprint", identity_fingerprint),
      METHOD("der", identity_der),
  };
  napi_property_descriptor connection_methods[] = {
      METHOD("expect", connection_expect),
      METHOD("start", connection_start),
      METHOD("feed", connection_feed),
      METHOD("handleTimeout", connection_handle_timeout),
      METHOD("close", connection_close),
      METHOD("takeOutgoing", connection_take_outgoing),
      METHOD("takeIncoming", connection_take_incoming),
      METHOD("write", connection_write),
      METHOD("error", connection_error),
      METHOD("srtpProfile", connection_srtp_profile),
      METHOD("exportSrtp", connection_export_srtp),
      METHOD("counters", connection_counters),
      METHOD("free", connection_free),
  };
  napi_value identity, connection;
  CHECK(napi_define_class(env, "DtlsIdentity", NAPI_AUTO_LENGTH, identity_construct, NULL, 2, identity_methods,
                          &identity));
  CHECK(napi_define_class(env, "DtlsConnection", NAPI_AUTO_LENGTH, connection_construct, NULL, 13,
                          connection_methods, &connection));
  CHECK(napi_set_named_property(env, exports, "DtlsIdentity", identity));
  CHECK(napi_set_named_property(env, exports, "DtlsConnection", connection));
  return exports;
}
