/* DTLS-SRTP sessions on OpenSSL (see dtls.h). OpenSSL does the whole protocol: record layer, handshake in both
 * roles, CertificateVerify, Finished, alerts, retransmission. What is ours: feeding it datagrams, the
 * fingerprint check in the certificate verify callback, and collecting what it writes. */
#include "dtls.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct dtls_identity {
  SSL_CTX *ctx;
  X509 *cert;
  EVP_PKEY *key;
  uint8_t fingerprint[32];
  int refs;
};

typedef struct {
  const EVP_MD *md;
  uint8_t digest[DTLS_MAX_DIGEST];
  unsigned int len;
} expected_fp;

struct dtls_session {
  dtls_identity *id;
  SSL *ssl;
  int state;
  int mtu;
  char error[DTLS_ERROR_LEN];
  int nfp;
  expected_fp fp[DTLS_MAX_FINGERPRINTS];
  int nout;
  uint8_t *out[DTLS_OUT_SLOTS];
  size_t out_len[DTLS_OUT_SLOTS];
  int nin;
  uint8_t *in[DTLS_IN_SLOTS];
  size_t in_len[DTLS_IN_SLOTS];
  dtls_counters counters;
};

/* Browsers offer ECDHE with AES-GCM and ChaCha20 first; the CBC suites are there for older peers. */
static const char *CIPHERS = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                             "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                             "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                             "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

static BIO_METHOD *out_method;
static pthread_once_t out_method_once = PTHREAD_ONCE_INIT;

static void set_error(dtls_session *s, const char *msg) {
  if (s->error[0] == '\0') snprintf(s->error, sizeof s->error, "%s", msg);
}

/* Also empties the thread's error queue: an error left there would make a later, unrelated OpenSSL call that
 * reads the queue (SSL_get_error) misreport. */
static void error_from_openssl(char *buf, size_t len, const char *what) {
  unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (e == 0) {
    snprintf(buf, len, "%s", what);
    return;
  }
  char reason[120];
  ERR_error_string_n(e, reason, sizeof reason);
  snprintf(buf, len, "%s: %s", what, reason);
}

/* ---- the outgoing BIO: every write is one datagram ---- */

static int out_write(BIO *b, const char *data, int len) {
  dtls_session *s = BIO_get_data(b);
  if (s == NULL || len < 0) return -1;
  s->counters.datagrams_out++;
  /* A full queue or an oversize write is dropped: the peer's retransmission, or ours, repairs it. */
  if (s->nout >= DTLS_OUT_SLOTS || len > DTLS_OUT_BYTES) return len;
  uint8_t *copy = malloc(len > 0 ? (size_t)len : 1);
  if (copy == NULL) return len;
  memcpy(copy, data, (size_t)len);
  s->out[s->nout] = copy;
  s->out_len[s->nout] = (size_t)len;
  s->nout++;
  return len;
}

static long out_ctrl(BIO *b, int cmd, long num, void *ptr) {
  (void)num;
  (void)ptr;
  dtls_session *s = BIO_get_data(b);
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return s != NULL ? s->mtu : 1200;
    default:
      return 0; /* pending bytes, MTU overhead, peek mode: none of them apply to a write-only queue */
  }
}

static int out_create(BIO *b) {
  BIO_set_init(b, 1);
  return 1;
}

static void make_out_method(void) {
  BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "convene-dtls-out");
  if (m == NULL) return;
  if (!BIO_meth_set_write(m, out_write) || !BIO_meth_set_ctrl(m, out_ctrl) || !BIO_meth_set_create(m, out_create)) {
    BIO_meth_free(m);
    return;
  }
  out_method = m;
}

/* ---- the identity: one key and certificate, one SSL_CTX ---- */

static int verify_peer(X509_STORE_CTX *xctx, void *arg);
static void on_info(const SSL *ssl, int where, int ret);
static unsigned int next_timeout_us(SSL *ssl, unsigned int previous_us);

static X509 *self_signed(EVP_PKEY *key, const char *common_name, int days) {
  X509 *x = X509_new();
  if (x == NULL) return NULL;
  uint64_t serial = 0;
  int ok = X509_set_version(x, X509_VERSION_3) && RAND_bytes((unsigned char *)&serial, sizeof serial) == 1 &&
           ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial >> 1) &&
           X509_gmtime_adj(X509_getm_notBefore(x), -86400L) != NULL &&
           X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400L) != NULL &&
           X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                                      (const unsigned char *)common_name, -1, -1, 0) &&
           X509_set_issuer_name(x, X509_get_subject_name(x)) && X509_set_pubkey(x, key) &&
           X509_sign(x, key, EVP_sha256()) > 0;
  if (!ok) {
    X509_free(x);
    return NULL;
  }
  return x;
}

dtls_identity *dtls_identity_new(const char *common_name, int days, const char *profiles, char *err, size_t errlen) {
  pthread_once(&out_method_once, make_out_method);
  ERR_clear_error();
  if (out_method == NULL) {
    snprintf(err, errlen, "could not create the datagram BIO method");
    return NULL;
  }
  dtls_identity *id = calloc(1, sizeof *id);
  if (id == NULL) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  id->refs = 1;
  id->key = EVP_EC_gen("P-256");
  id->cert = id->key != NULL ? self_signed(id->key, common_name, days) : NULL;
  id->ctx = id->cert != NULL ? SSL_CTX_new(DTLS_method()) : NULL;
  if (id->ctx == NULL) {
    error_from_openssl(err, errlen, "could not create the DTLS certificate");
    dtls_identity_free(id);
    return NULL;
  }
  SSL_CTX *ctx = id->ctx;
  unsigned int n = 0;
  int ok = X509_digest(id->cert, EVP_sha256(), id->fingerprint, &n) && n == 32 &&
           SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) &&
           SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) && SSL_CTX_use_certificate(ctx, id->cert) == 1 &&
           SSL_CTX_use_PrivateKey(ctx, id->key) == 1 && SSL_CTX_check_private_key(ctx) == 1 &&
           SSL_CTX_set_cipher_list(ctx, CIPHERS) == 1 && SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") == 1 &&
           SSL_CTX_set_tlsext_use_srtp(ctx, profiles) == 0; /* this one returns 0 on success */
  if (!ok) {
    error_from_openssl(err, errlen, "could not configure DTLS");
    dtls_identity_free(id);
    return NULL;
  }
  /* Both roles demand the peer's certificate; verify_peer replaces chain building with the fingerprint check
   * (self-signed certificates, RFC 8122 §5). OpenSSL itself insists on a valid CertificateVerify. */
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  SSL_CTX_set_cert_verify_callback(ctx, verify_peer, NULL);
  SSL_CTX_set_read_ahead(ctx, 1);
  /* No encrypt-then-MAC: with it, OpenSSL 3.0's DTLS takes a CBC record whose MAC fails as fatal, so one record
   * spoofed from the peer's address would end a session on a CBC suite; without it such records are discarded, as
   * DTLS wants (RFC 6347 §4.1.2.7). AEAD suites, which browsers use, are not affected either way. */
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_ENCRYPT_THEN_MAC);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_info_callback(ctx, on_info);
  return id;
}

void dtls_identity_free(dtls_identity *id) {
  if (id == NULL || --id->refs > 0) return;
  SSL_CTX_free(id->ctx);
  X509_free(id->cert);
  EVP_PKEY_free(id->key);
  free(id);
}

void dtls_identity_fingerprint(const dtls_identity *id, uint8_t out[32]) { memcpy(out, id->fingerprint, 32); }

int dtls_identity_der(const dtls_identity *id, uint8_t *out) {
  uint8_t *p = out;
  return i2d_X509(id->cert, out != NULL ? &p : NULL);
}

/* ---- sessions ---- */

dtls_session *dtls_session_new(dtls_identity *id, int is_server, int mtu) {
  dtls_session *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  s->mtu = mtu;
  s->state = DTLS_S_CONNECTING;
  s->ssl = SSL_new(id->ctx);
  BIO *rbio = BIO_new(BIO_s_mem());
  BIO *wbio = BIO_new(out_method);
  if (s->ssl == NULL || rbio == NULL || wbio == NULL) {
    BIO_free(rbio);
    BIO_free(wbio);
    SSL_free(s->ssl);
    free(s);
    ERR_clear_error();
    return NULL;
  }
  BIO_set_mem_eof_return(rbio, -1); /* empty means "wait for more", not end of stream */
  BIO_set_data(wbio, s);
  SSL_set_bio(s->ssl, rbio, wbio);
  SSL_set_app_data(s->ssl, s);
  DTLS_set_timer_cb(s->ssl, next_timeout_us);
  SSL_set_mtu(s->ssl, mtu);
  DTLS_set_link_mtu(s->ssl, mtu);
  if (is_server)
    SSL_set_accept_state(s->ssl);
  else
    SSL_set_connect_state(s->ssl);
  id->refs++;
  s->id = id;
  return s;
}

int dtls_session_expect(dtls_session *s, const char *hash, const uint8_t *digest, size_t len) {
  const char *name = strcmp(hash, "sha-256") == 0   ? "SHA256"
                     : strcmp(hash, "sha-384") == 0 ? "SHA384"
                     : strcmp(hash, "sha-512") == 0 ? "SHA512"
                                                    : NULL;
  const EVP_MD *md = name != NULL ? EVP_get_digestbyname(name) : NULL;
  if (md == NULL || s->nfp >= DTLS_MAX_FINGERPRINTS || len != (size_t)EVP_MD_get_size(md)) return -1;
  expected_fp *f = &s->fp[s->nfp++];
  f->md = md;
  f->len = (unsigned int)len;
  memcpy(f->digest, digest, len);
  return 0;
}

void dtls_out_clear(dtls_session *s) {
  for (int i = 0; i < s->nout; i++) free(s->out[i]);
  s->nout = 0;
}

void dtls_in_clear(dtls_session *s) {
  for (int i = 0; i < s->nin; i++) free(s->in[i]);
  s->nin = 0;
}

void dtls_session_free(dtls_session *s) {
  if (s == NULL) return;
  dtls_out_clear(s);
  dtls_in_clear(s);
  BIO_set_data(SSL_get_wbio(s->ssl), NULL);
  SSL_free(s->ssl);
  dtls_identity_free(s->id);
  OPENSSL_cleanse(s->fp, sizeof s->fp);
  free(s);
}

static int verify_peer(X509_STORE_CTX *xctx, void *arg) {
  (void)arg;
  SSL *ssl = X509_STORE_CTX_get_ex_data(xctx, SSL_get_ex_data_X509_STORE_CTX_idx());
  dtls_session *s = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
  X509 *peer = X509_STORE_CTX_get0_cert(xctx);
  if (s == NULL || peer == NULL) return 0;
  for (int i = 0; i < s->nfp; i++) {
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(peer, s->fp[i].md, digest, &n) && n == s->fp[i].len &&
        CRYPTO_memcmp(digest, s->fp[i].digest, n) == 0)
      return 1;
  }
  set_error(s, "peer certificate does not match the signalled fingerprint");
  X509_STORE_CTX_set_error(xctx, X509_V_ERR_CERT_REJECTED);
  return 0;
}

static void on_info(const SSL *ssl, int where, int ret) {
  if ((where & SSL_CB_ALERT) == 0 || (where & SSL_CB_READ) == 0) return;
  dtls_session *s = SSL_get_app_data(ssl);
  if (s == NULL || (ret & 0xff) == SSL_AD_CLOSE_NOTIFY) return;
  char msg[DTLS_ERROR_LEN];
  snprintf(msg, sizeof msg, "peer sent %s alert: %s", (ret >> 8) == SSL3_AL_FATAL ? "fatal" : "warning",
           SSL_alert_desc_string_long(ret));
  if ((ret >> 8) == SSL3_AL_FATAL) set_error(s, msg);
}

/* Retransmission timer: 250 ms, doubling, at most 3 s. RFC 6347 §4.2.4.1 suggests 1 s to start; a media session
 * that lost its first flight should not wait that long, and browsers retransmit sooner too. */
static unsigned int next_timeout_us(SSL *ssl, unsigned int previous_us) {
  (void)ssl;
  if (previous_us == 0) return 250000;
  return previous_us >= 1500000 ? 3000000 : previous_us * 2;
}

static void fail(dtls_session *s, const char *what) {
  char msg[DTLS_ERROR_LEN];
  error_from_openssl(msg, sizeof msg, what);
  set_error(s, msg);
  s->state = DTLS_S_FAILED;
}

/* Keeps one application data record for the bridge to take; a full queue drops it (SCTP retransmits). */
static void keep_incoming(dtls_session *s, const uint8_t *data, int n) {
  s->counters.app_data_bytes += (uint64_t)n;
  uint8_t *copy = s->nin < DTLS_IN_SLOTS ? malloc((size_t)n) : NULL;
  if (copy == NULL) {
    s->counters.app_data_dropped++;
    return;
  }
  memcpy(copy, data, (size_t)n);
  s->in[s->nin] = copy;
  s->in_len[s->nin] = (size_t)n;
  s->nin++;
}

/* Runs OpenSSL on whatever the memory BIO holds: the handshake until it finishes, then reads (alerts,
 * retransmitted Finished, application data). */
static int drive(dtls_session *s) {
  if (s->state != DTLS_S_CONNECTING && s->state != DTLS_S_CONNECTED) return s->state;
  ERR_clear_error();
  if (s->state == DTLS_S_CONNECTING) {
    int r = SSL_do_handshake(s->ssl);
    if (r != 1) {
      int e = SSL_get_error(s->ssl, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) fail(s, "handshake failed");
      ERR_clear_error();
      return s->state;
    }
    if (SSL_get_selected_srtp_profile(s->ssl) == NULL) {
      SSL_shutdown(s->ssl);
      fail(s, "peer negotiated no SRTP profile");
      return s->state;
    }
    s->state = DTLS_S_CONNECTED;
  }
  uint8_t buf[DTLS_IN_BYTES];
  for (;;) {
    int n = SSL_read(s->ssl, buf, sizeof buf);
    if (n > 0) {
      keep_incoming(s, buf, n);
      continue;
    }
    int e = SSL_get_error(s->ssl, n);
    if (e == SSL_ERROR_ZERO_RETURN) {
      set_error(s, "peer sent close_notify");
      s->state = DTLS_S_CLOSED;
    } else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      fail(s, "connection failed");
    }
    break;
  }
  OPENSSL_cleanse(buf, sizeof buf);
  ERR_clear_error();
  return s->state;
}

int dtls_start(dtls_session *s) { return drive(s); }

/* The shortest a protected record of the negotiated suite can be: AES-GCM's explicit nonce and tag, ChaCha20-
 * Poly1305's tag, or CBC's IV, one block and a SHA-1 MAC at least. */
static size_t min_protected_record(const SSL *ssl) {
  const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
  if (c == NULL) return 0;
  switch (SSL_CIPHER_get_cipher_nid(c)) {
  case NID_aes_128_gcm:
  case NID_aes_256_gcm:
    return EVP_GCM_TLS_EXPLICIT_IV_LEN + EVP_GCM_TLS_TAG_LEN;
  case NID_chacha20_poly1305:
    return 16;
  default:
    return 48;
  }
}

/* After the handshake, OpenSSL takes a protected record shorter than its suite's overhead as a fatal error, where
 * a bad tag is silently discarded (RFC 6347 §4.1.2.7). One forged record from a spoofed address would end the
 * session and, with it, the endpoint's media. Such records are dropped here; the rest of the datagram goes on. */
static int write_records(dtls_session *s, BIO *rbio, const uint8_t *buf, size_t len) {
  if (s->state != DTLS_S_CONNECTED) return BIO_write(rbio, buf, (int)len) == (int)len;
  size_t min = min_protected_record(s->ssl), off = 0;
  while (off + 13 <= len) {
    size_t epoch = ((size_t)buf[off + 3] << 8) | buf[off + 4];
    size_t body = ((size_t)buf[off + 11] << 8) | buf[off + 12];
    size_t end = off + 13 + body;
    if (end > len) break; /* truncated: OpenSSL discards what is left */
    if (epoch != 0 && body < min) s->counters.records_discarded++;
    else if (BIO_write(rbio, buf + off, (int)(end - off)) != (int)(end - off)) return 0;
    off = end;
  }
  return off >= len || BIO_write(rbio, buf + off, (int)(len - off)) == (int)(len - off);
}

int dtls_feed(dtls_session *s, const uint8_t *buf, size_t len) {
  if (s->state != DTLS_S_CONNECTING && s->state != DTLS_S_CONNECTED) return s->state;
  s->counters.datagrams_in++;
  if (len == 0 || len > 65535) return s->state;
  BIO *rbio = SSL_get_rbio(s->ssl);
  (void)BIO_reset(rbio); /* one datagram at a time: whatever OpenSSL left unread of the last one is junk */
  if (!write_records(s, rbio, buf, len)) return s->state;
  return drive(s);
}

int dtls_handle_timeout(dtls_session *s) {
  if (s->state != DTLS_S_CONNECTING) return s->state;
  ERR_clear_error();
  int r = (int)DTLSv1_handle_timeout(s->ssl);
  if (r > 0)
    s->counters.retransmits++;
  else if (r < 0)
    fail(s, "handshake timed out");
  ERR_clear_error();
  return s->state;
}

void dtls_close(dtls_session *s) {
  if (s->state == DTLS_S_CONNECTED) {
    ERR_clear_error();
    SSL_shutdown(s->ssl); /* writes close_notify into the out queue */
    ERR_clear_error();
  }
  if (s->state == DTLS_S_CONNECTING || s->state == DTLS_S_CONNECTED) {
    set_error(s, "closed");
    s->state = DTLS_S_CLOSED;
  }
}

int dtls_state(const dtls_session *s) { return s->state; }

const char *dtls_error(const dtls_session *s) { return s->error; }

int dtls_srtp_profile(const dtls_session *s) {
  if (s->state != DTLS_S_CONNECTED) return 0;
  SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(s->ssl);
  return p != NULL ? (int)p->id : 0;
}

int dtls_export_srtp(dtls_session *s, uint8_t *out, size_t len) {
  if (s->state != DTLS_S_CONNECTED) return -1;
  static const char label[] = "EXTRACTOR-dtls_srtp";
  int ok = SSL_export_keying_material(s->ssl, out, len, label, sizeof label - 1, NULL, 0, 0) == 1;
  ERR_clear_error();
  return ok ? 0 : -1;
}

int dtls_write(dtls_session *s, const uint8_t *buf, size_t len) {
  if (s->state != DTLS_S_CONNECTED || len == 0 || len > DTLS_IN_BYTES) return -1;
  ERR_clear_error();
  int r = SSL_write(s->ssl, buf, (int)len);
  ERR_clear_error();
  return r == (int)len ? 0 : -1;
}

int dtls_in_count(const dtls_session *s) { return s->nin; }

const uint8_t *dtls_in_data(const dtls_session *s, int i, size_t *len) {
  if (i < 0 || i >= s->nin) return NULL;
  *len = s->in_len[i];
  return s->in[i];
}

int dtls_out_count(const dtls_session *s) { return s->nout; }

const uint8_t *dtls_out_data(const dtls_session *s, int i, size_t *len) {
  if (i < 0 || i >= s->nout) return NULL;
  *len = s->out_len[i];
  return s->out[i];
}

const dtls_counters *dtls_session_counters(const dtls_session *s) { return &s->counters; }
