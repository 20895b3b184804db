/* SRTP/SRTCP contexts of one endpoint with the OpenSSL inside node: AES_CM_128_HMAC_SHA1_80 (RFC 3711)
 * and AEAD_AES_128_GCM (RFC 7714). Mirrors bridge/src/srtp/node-srtp-transform.ts byte for byte. */
#ifndef CONVENE_SRTP_H
#define CONVENE_SRTP_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

/* The SRTP_ERR_* codes of srtp-transform.ts. */
#define SRTP_ERR_AUTH (-1)
#define SRTP_ERR_REPLAY (-2) /* also: protect refused an index already used (RFC 7714 §8: never reuse a nonce) */
#define SRTP_ERR_MALFORMED (-3)
/* Not SRTP results: the binding turns these into exceptions. */
#define SRTP_E_DST_SMALL (-100)
#define SRTP_E_NOMEM (-101)
#define SRTP_E_CRYPTO (-102)

/* Session keys of one direction as the binding receives them, salts padded to 14 bytes. */
#define SRTP_DIR_KEYS_LEN (16 + 20 + 14 + 16 + 20 + 14)
#define SRTP_KEYS_LEN (2 * SRTP_DIR_KEYS_LEN)

/* Receive state of one SSRC: ROC estimate and replay window (replay-window.ts, 1024 packets). */
#define SRTP_WINDOW 1024
typedef struct {
  int64_t roc;
  int64_t highest;
  int32_t highest_seq;
  uint8_t seen[SRTP_WINDOW / 8];
} srtp_window;

/* Send state of one SSRC (RTP and RTCP share it, as in the TS): the RTP indices already used, in a replay window
 * as on the receive side, so no index is ever protected twice under one key (libsrtp without allow_repeat_tx). */
typedef struct {
  srtp_window sent;
  uint32_t rtcp_index;
} srtp_out;

/* SSRC -> entry, open addressing; entries never move within one call. */
typedef struct {
  uint32_t *keys;
  uint32_t *slots; /* 0 = empty, else entry index + 1 */
  uint32_t cap;
  uint32_t count;
  uint8_t *entries;
  uint32_t entries_cap;
  size_t esize;
} srtp_table;

typedef struct {
  EVP_CIPHER_CTX *rtp;
  EVP_CIPHER_CTX *rtcp;
  EVP_MAC_CTX *rtp_mac;
  EVP_MAC_CTX *rtcp_mac;
  uint8_t rtp_salt[14];
  uint8_t rtcp_salt[14];
} srtp_dir;

typedef struct {
  int gcm;
  srtp_dir local;
  srtp_dir remote;
  srtp_table out;
  srtp_table in_rtp;
  srtp_table in_rtcp;
  uint8_t *scratch; /* GCM plaintext before its tag verified */
  size_t scratch_len;
  uint8_t *in_copy; /* the source when it partly overlaps the destination */
  size_t in_copy_len;
  uint32_t handle; /* in the env's registry (registry.h), set by the binding */
} srtp_ctx;

/* streams.c */
void srtp_table_init(srtp_table *t, size_t esize);
void srtp_table_free(srtp_table *t);
/* The entry of an SSRC, or NULL. */
void *srtp_table_find(const srtp_table *t, uint32_t ssrc);
/* Adds a copy of entry under an SSRC that is not in the table; returns the stored entry or NULL. */
void *srtp_table_add(srtp_table *t, uint32_t ssrc, const void *entry);
void srtp_window_init(srtp_window *w);
/* The packet index (ROC * 65536 + seq) a sequence number most likely belongs to. */
int64_t srtp_window_estimate(const srtp_window *w, int32_t seq);
/* 1 when index is new and inside the window. */
int srtp_window_check(const srtp_window *w, int64_t index);
/* Records an authenticated packet. */
void srtp_window_accept(srtp_window *w, int64_t index);

/* srtp.c. Returns NULL when OpenSSL or memory fails. keys: SRTP_KEYS_LEN bytes, local then remote. */
srtp_ctx *srtp_ctx_new(int gcm, const uint8_t *keys);
void srtp_ctx_free(srtp_ctx *c);

/* Each reads len bytes at s and writes at d (dcap bytes free; d == s or disjoint); returns the length written,
 * an SRTP_ERR_* code, or an SRTP_E_* failure. */
int srtp_protect_rtp(srtp_ctx *c, const uint8_t *s, int len, uint8_t *d, size_t dcap);
int srtp_unprotect_rtp(srtp_ctx *c, const uint8_t *s, int len, uint8_t *d, size_t dcap);
int srtp_protect_rtcp(srtp_ctx *c, const uint8_t *s, int len, uint8_t *d, size_t dcap);
int srtp_unprotect_rtcp(srtp_ctx *c, const uint8_t *s, int len, uint8_t *d, size_t dcap);

/* One of the four calls above. */
typedef int (*srtp_op)(srtp_ctx *, const uint8_t *, int, uint8_t *, size_t);
/* op on len bytes at s into d (dcap bytes): in place as it is, a partial overlap through a copy of the input
 * (node:crypto too reads before it writes); SRTP_E_NOMEM when that copy cannot be made. */
int srtp_apply(srtp_ctx *c, srtp_op op, const uint8_t *s, size_t len, uint8_t *d, size_t dcap);

#endif
