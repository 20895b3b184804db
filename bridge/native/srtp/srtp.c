/* SRTP/SRTCP packet transforms; see srtp.h. Every branch follows node-srtp-transform.ts in the same order,
 * so both implementations return the same bytes and the same error codes. */
#include "srtp.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#define CM_TAG 10
#define GCM_TAG 16
#define MAX_STREAMS 256

static uint32_t rd32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static uint16_t rd16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* ---- crypto ---- */

/* RFC 3711 §4.1.1: IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16). */
static void ctr_iv(uint8_t iv[16], const uint8_t *salt, uint32_t ssrc, uint64_t index) {
  memcpy(iv, salt, 14);
  iv[14] = 0;
  iv[15] = 0;
  wr32(iv + 4, rd32(iv + 4) ^ ssrc);
  iv[8] ^= (uint8_t)(index >> 40);
  iv[9] ^= (uint8_t)(index >> 32);
  wr32(iv + 10, rd32(iv + 10) ^ (uint32_t)index);
}

/* RFC 7714 §8 and §9.1: (00 00 || SSRC || a(4) || b(2)) XOR salt, a/b being ROC/SEQ or 00 00/index. */
static void gcm_iv(uint8_t iv[12], const uint8_t *salt, uint32_t ssrc, uint32_t a, uint16_t b) {
  iv[0] = 0;
  iv[1] = 0;
  wr32(iv + 2, ssrc);
  wr32(iv + 6, a);
  iv[10] = (uint8_t)(b >> 8);
  iv[11] = (uint8_t)b;
  for (int i = 0; i < 12; i++) iv[i] ^= salt[i];
}

static int ctr(EVP_CIPHER_CTX *c, const uint8_t iv[16], const uint8_t *in, int n, uint8_t *out) {
  int ol = 0;
  if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1) return 0;
  return n == 0 || EVP_EncryptUpdate(c, out, &ol, in, n) == 1;
}

/* First 10 bytes of HMAC-SHA1 over a || b into tag. */
static int mac80(EVP_MAC_CTX *m, const uint8_t *a, size_t an, const uint8_t *b, size_t bn, uint8_t tag[20]) {
  size_t ol = 0;
  if (EVP_MAC_init(m, NULL, 0, NULL) != 1 || EVP_MAC_update(m, a, an) != 1) return 0;
  if (bn > 0 && EVP_MAC_update(m, b, bn) != 1) return 0;
  return EVP_MAC_final(m, tag, &ol, 20) == 1;
}

static int gcm_seal(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *aad, int an, const uint8_t *aad2,
                    int an2, const uint8_t *in, int n, uint8_t *out, uint8_t *tag) {
  int ol = 0;
  if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1 || EVP_EncryptUpdate(c, NULL, &ol, aad, an) != 1) return 0;
  if (an2 > 0 && EVP_EncryptUpdate(c, NULL, &ol, aad2, an2) != 1) return 0;
  if (n > 0 && EVP_EncryptUpdate(c, out, &ol, in, n) != 1) return 0;
  if (EVP_EncryptFinal_ex(c, out + ol, &ol) != 1) return 0;
  return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG, tag) == 1;
}

/* 1 when the tag verified and out holds the plaintext; 0 otherwise. */
static int gcm_open(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *aad, int an, const uint8_t *aad2,
                    int an2, const uint8_t *in, int n, uint8_t *out, const uint8_t *tag) {
  int ol = 0;
  if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) != 1) return 0;
  if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG, (void *)tag) != 1) return 0;
  if (EVP_DecryptUpdate(c, NULL, &ol, aad, an) != 1) return 0;
  if (an2 > 0 && EVP_DecryptUpdate(c, NULL, &ol, aad2, an2) != 1) return 0;
  if (n > 0 && EVP_DecryptUpdate(c, out, &ol, in, n) != 1) return 0;
  return EVP_DecryptFinal_ex(c, out + ol, &ol) == 1;
}

static uint8_t *scratch(srtp_ctx *c, size_t n) {
  if (n > c->scratch_len) {
    uint8_t *p = realloc(c->scratch, n);
    if (p == NULL) return NULL;
    c->scratch = p;
    c->scratch_len = n;
  }
  return c->scratch;
}

/* A copy of n bytes of s owned by the context (for a source that partly overlaps the destination), or NULL. */
static const uint8_t *copy_input(srtp_ctx *c, const uint8_t *s, size_t n) {
  if (n > c->in_copy_len) {
    uint8_t *p = realloc(c->in_copy, n);
    if (p == NULL) return NULL;
    c->in_copy = p;
    c->in_copy_len = n;
  }
  memcpy(c->in_copy, s, n);
  return c->in_copy;
}

int srtp_apply(srtp_ctx *c, srtp_op op, const uint8_t *s, size_t len, uint8_t *d, size_t dcap) {
  if (s != d && len > 0 && dcap > 0 && d < s + len && s < d + dcap) {
    s = copy_input(c, s, len);
    if (s == NULL) return SRTP_E_NOMEM;
  }
  return op(c, s, (int)len, d, dcap);
}

/* ---- contexts ---- */

static int dir_init(srtp_dir *d, int gcm, int encrypt, const uint8_t *k) {
  const EVP_CIPHER *cipher = gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr();
  d->rtp = EVP_CIPHER_CTX_new();
  d->rtcp = EVP_CIPHER_CTX_new();
  if (d->rtp == NULL || d->rtcp == NULL) return 0;
  int (*init)(EVP_CIPHER_CTX *, const EVP_CIPHER *, ENGINE *, const unsigned char *, const unsigned char *) =
      encrypt || !gcm ? EVP_EncryptInit_ex : EVP_DecryptInit_ex;
  if (init(d->rtp, cipher, NULL, k, NULL) != 1 || init(d->rtcp, cipher, NULL, k + 50, NULL) != 1) return 0;
  memcpy(d->rtp_salt, k + 36, 14);
  memcpy(d->rtcp_salt, k + 86, 14);
  if (gcm) return 1;
  EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  if (hmac == NULL) return 0;
  d->rtp_mac = EVP_MAC_CTX_new(hmac);
  d->rtcp_mac = EVP_MAC_CTX_new(hmac);
  EVP_MAC_free(hmac);
  if (d->rtp_mac == NULL || d->rtcp_mac == NULL) return 0;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0), OSSL_PARAM_END};
  return EVP_MAC_init(d->rtp_mac, k + 16, 20, params) == 1 && EVP_MAC_init(d->rtcp_mac, k + 66, 20, params) == 1;
}

static void dir_free(srtp_dir *d) {
  EVP_CIPHER_CTX_free(d->rtp);
  EVP_CIPHER_CTX_free(d->rtcp);
  EVP_MAC_CTX_free(d->rtp_mac);
  EVP_MAC_CTX_free(d->rtcp_mac);
}

srtp_ctx *srtp_ctx_new(int gcm, const uint8_t *keys) {
  srtp_ctx *c = calloc(1, sizeof(srtp_ctx));
  if (c == NULL) return NULL;
  c->gcm = gcm;
  srtp_table_init(&c->out, sizeof(srtp_out));
  srtp_table_init(&c->in_rtp, sizeof(srtp_window));
  srtp_table_init(&c->in_rtcp, sizeof(srtp_window));
  if (!dir_init(&c->local, gcm, 1, keys) || !dir_init(&c->remote, gcm, 0, keys + SRTP_DIR_KEYS_LEN)) {
    srtp_ctx_free(c);
    return NULL;
  }
  return c;
}

void srtp_ctx_free(srtp_ctx *c) {
  if (c == NULL) return;
  dir_free(&c->local);
  dir_free(&c->remote);
  srtp_table_free(&c->out);
  srtp_table_free(&c->in_rtp);
  srtp_table_free(&c->in_rtcp);
  OPENSSL_cleanse(c, offsetof(srtp_ctx, out)); /* the salts */
  free(c->scratch);
  free(c->in_copy);
  free(c);
}

/* ---- packets ---- */

/* rtpHeaderLength of srtp-transform.ts. */
static int rtp_header_len(const uint8_t *p, int len) {
  if (len < 12) return -1;
  int h = 12 + 4 * (p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (h + 4 > len) return -1;
    h += 4 + 4 * rd16(p + h + 2);
  }
  return h > len ? -1 : h;
}

/* The send state of an SSRC, created on first use; NULL when memory fails. */
static srtp_out *out_for(srtp_ctx *c, uint32_t ssrc) {
  srtp_out *st = srtp_table_find(&c->out, ssrc);
  if (st != NULL) return st;
  srtp_out fresh;
  srtp_window_init(&fresh.sent);
  fresh.rtcp_index = 0;
  return srtp_table_add(&c->out, ssrc, &fresh);
}

int srtp_protect_rtp(srtp_ctx *c, const uint8_t *s, int len, uint8_t *d, size_t dcap) {
  int h = rtp_header_len(s, len);
  if (h < 0 || s[0] >> 6 != 2) return SRTP_ERR_MALFORMED;
  int tag = c->gcm ? GCM_TAG : CM_TAG;
  if ((size_t)len + tag > dcap) return SRTP_E_DST_SMALL;
  uint32_t ssrc = rd32(s + 8);
  int32_t seq = rd16(s + 2);
  srtp_out *st = out_for(c, ssrc);
  if (st == NULL) return SRTP_E_NOMEM;
  /* The index the receiver will estimate (RFC 3711 Appendix A); one already used is refused, as libsrtp's
   * srtp_protect does without allow_repeat_tx: two packets under one GCM nonce would leak both. */
  int64_t index = srtp_window_estimate(&st->sent, seq);
  if (!srtp_window_check(&st->sent, index)) return SRTP_ERR_REPLAY;
  uint32_t roc = (uint32_t)(index / 65536);
  if (d != s) memcpy(d, s, (size_t)h);
  if (c->gcm) {
    uint8_t iv[12];
    gcm_iv(iv, c->local.rtp_salt, ssrc, roc, (uint16_t)seq);
    if (!gcm_seal(c->local.rtp, iv, s, h, NULL, 0, s + h, len - h, d + h, d + len)) return SRTP_E_CRYPTO;
    srtp_window_accept(&st->sent, index);
    return len + GCM_TAG;
  }
  uint8_t iv[16], rocb[4], mac[20];
  ctr_iv(iv, c->local.rtp_salt, ssrc, (uint64_t)index);
  if (!ctr(c->local.rtp, iv, s + h, len - h, d + h)) return SRTP_E_CRYPTO;
  wr32(rocb, roc);
  if (!mac80(c->local.rtp_mac, d, (size_t)len, rocb, 4, mac)) return SRTP_E_CRYPTO;
  memcpy(d + len, mac, CM_TAG);
  srtp_window_accept(&st->sent, index);
  return len + CM_TAG;
}

/* The receive window of an SSRC, or a fresh one in *tmp when the SSRC is new; NULL at the stream cap. */
static srtp_window *window_for(srtp_table *t, uint32_t ssrc, srtp_window *tmp) {
  srtp_window *w = srtp_table_find(t, ssrc);
  if (w != NULL) return w;
  if (t->count >= MAX_STREAMS) return NULL;
  srtp_window_init(tmp);
  return tmp;
}

/* Records an authenticated packet; stores the window of a new SSRC only now. */
static int window_commit(srtp_table *t, uint32_t ssrc, srtp_window *w, srtp_window *tmp, int64_t index) {
  srtp_window_accept(w, index);
  return w != tmp || srtp_table_add(t, ssrc, tmp) != NULL;
}

int srtp_unprotect_rtp(srtp_ctx *c, const uint8_t *s, int len, uint8_t *d, size_t dcap) {
  int tag = c->gcm ? GCM_TAG : CM_TAG;
  int h = rtp_header_len(s, len - tag);
  if (h < 0 || s[0] >> 6 != 2) return SRTP_ERR_MALFORMED;
  uint32_t ssrc = rd32(s + 8);
  int32_t seq = rd16(s + 2);
  srtp_window tmp;
  srtp_window *w = window_for(&c->in_rtp, ssrc, &tmp);
  if (w == NULL) return SRTP_ERR_MALFORMED;
  int64_t index = srtp_window_estimate(w, seq);
  if (!srtp_window_check(w, index)) return SRTP_ERR_REPLAY;
  int n = len - tag;
  if ((size_t)n > dcap) return SRTP_E_DST_SMALL;
  uint32_t roc = (uint32_t)(index / 65536);
  if (c->gcm) {
    uint8_t iv[12];
    uint8_t *plain = scratch(c, (size_t)(n - h) + 1);
    if (plain == NULL) return SRTP_E_NOMEM;
    if (d != s) memcpy(d, s, (size_t)h);
    gcm_iv(iv, c->remote.rtp_salt, ssrc, roc, (uint16_t)seq);
    if (!gcm_open(c->remote.rtp, iv, s, h, NULL, 0, s + h, n - h, plain, s + n)) return SRTP_ERR_AUTH;
    memcpy(d + h, plain, (size_t)(n - h));
  } else {
    uint8_t iv[16], rocb[4], mac[20];
    wr32(rocb, roc);
    if (!mac80(c->remote.rtp_mac, s, (size_t)n, rocb, 4, mac)) return SRTP_E_CRYPTO;
    if (CRYPTO_memcmp(mac, s + n, CM_TAG) != 0) return SRTP_ERR_AUTH;
    if (d != s) memcpy(d, s, (size_t)h);
    ctr_iv(iv, c->remote.rtp_salt, ssrc, (uint64_t)index);
    if (!ctr(c->remote.rtp, iv, s + h, n - h, d + h)) return SRTP_E_CRYPTO;
  }
  if (!window_commit(&c->in_rtp, ssrc, w, &tmp, index)) return SRTP_E_NOMEM;
  return n;
}

int srtp_protect_rtcp(srtp_ctx *c, const uint8_t *s, int len, uint8_t *d, size_t dcap) {
  if (len < 8 || s[0] >> 6 != 2) return SRTP_ERR_MALFORMED;
  int grow = c->gcm ? GCM_TAG + 4 : 4 + CM_TAG;
  if ((size_t)len + grow > dcap) return SRTP_E_DST_SMALL;
  uint32_t ssrc = rd32(s + 4);
  srtp_out *st = out_for(c, ssrc);
  if (st == NULL) return SRTP_E_NOMEM;
  /* The 31-bit SRTCP index would wrap to one already used: refuse, as libsrtp's key_expired (RFC 3711 §9.2). */
  if (st->rtcp_index == 0x7fffffff) return SRTP_ERR_REPLAY;
  uint32_t index = ++st->rtcp_index;
  uint8_t eindex[4];
  wr32(eindex, 0x80000000u | index);
  if (d != s) memcpy(d, s, 8);
  if (c->gcm) {
    uint8_t iv[12];
    gcm_iv(iv, c->local.rtcp_salt, ssrc, 0, 0);
    wr32(iv + 8, rd32(iv + 8) ^ index);
    if (!gcm_seal(c->local.rtcp, iv, s, 8, eindex, 4, s + 8, len - 8, d + 8, d + len)) return SRTP_E_CRYPTO;
    memcpy(d + len + GCM_TAG, eindex, 4);
    return len + GCM_TAG + 4;
  }
  uint8_t iv[16], mac[20];
  ctr_iv(iv, c->local.rtcp_salt, ssrc, index);
  if (!ctr(c->local.rtcp, iv, s + 8, len - 8, d + 8)) return SRTP_E_CRYPTO;
  memcpy(d + len, eindex, 4);
  if (!mac80(c->local.rtcp_mac, d, (size_t)len + 4, NULL, 0, mac)) return SRTP_E_CRYPTO;
  memcpy(d + len + 4, mac, CM_TAG);
  return len + 4 + CM_TAG;
}

int srtp_unprotect_rtcp(srtp_ctx *c, const uint8_t *s, int len, uint8_t *d, size_t dcap) {
  int tag = c->gcm ? GCM_TAG : CM_TAG;
  if (len < 8 + 4 + tag || s[0] >> 6 != 2) return SRTP_ERR_MALFORMED;
  uint32_t ssrc = rd32(s + 4);
  const uint8_t *eat = c->gcm ? s + len - 4 : s + len - tag - 4;
  uint32_t eindex = rd32(eat);
  uint32_t index = eindex & 0x7fffffff;
  srtp_window tmp;
  srtp_window *w = window_for(&c->in_rtcp, ssrc, &tmp);
  if (w == NULL) return SRTP_ERR_MALFORMED;
  if (!srtp_window_check(w, index)) return SRTP_ERR_REPLAY;
  int n = len - tag - 4;
  if ((size_t)n > dcap) return SRTP_E_DST_SMALL;
  if (c->gcm) {
    uint8_t iv[12];
    uint8_t *plain = scratch(c, (size_t)(n - 8) + 1);
    if (plain == NULL) return SRTP_E_NOMEM;
    gcm_iv(iv, c->remote.rtcp_salt, ssrc, 0, 0);
    wr32(iv + 8, rd32(iv + 8) ^ index);
    if (!gcm_open(c->remote.rtcp, iv, s, 8, eat, 4, s + 8, n - 8, plain, s + n)) return SRTP_ERR_AUTH;
    if (d != s) memcpy(d, s, 8);
    memcpy(d + 8, plain, (size_t)(n - 8));
  } else {
    uint8_t iv[16], mac[20];
    if (!mac80(c->remote.rtcp_mac, s, (size_t)n + 4, NULL, 0, mac)) return SRTP_E_CRYPTO;
    if (CRYPTO_memcmp(mac, s + n + 4, CM_TAG) != 0) return SRTP_ERR_AUTH;
    if (d != s) memcpy(d, s, 8);
    if (eindex & 0x80000000u) {
      ctr_iv(iv, c->remote.rtcp_salt, ssrc, index);
      if (!ctr(c->remote.rtcp, iv, s + 8, n - 8, d + 8)) return SRTP_E_CRYPTO;
    } else if (d != s) {
      memcpy(d + 8, s + 8, (size_t)(n - 8));
    }
  }
  if (!window_commit(&c->in_rtcp, ssrc, w, &tmp, index)) return SRTP_E_NOMEM;
  return n;
}
