/* DTLS 1.2 for DTLS-SRTP (RFC 5764) on the OpenSSL inside the node binary, over memory: datagrams in through a
 * memory BIO, datagrams out through a BIO that keeps their boundaries. No sockets, no threads, no timers: the
 * bridge feeds datagrams and calls dtls_handle_timeout from its own timer. */
#ifndef CONVENE_DTLS_H
#define CONVENE_DTLS_H

#include <stddef.h>
#include <stdint.h>

#define DTLS_MAX_FINGERPRINTS 4
#define DTLS_MAX_DIGEST 64
#define DTLS_OUT_SLOTS 16
#define DTLS_OUT_BYTES 1500
#define DTLS_IN_SLOTS 16
#define DTLS_IN_BYTES 16384
#define DTLS_ERROR_LEN 160

/* Session states, as dtls_feed and friends return them. */
#define DTLS_S_CONNECTING 0
#define DTLS_S_CONNECTED 1
#define DTLS_S_CLOSED 2
#define DTLS_S_FAILED 3

typedef struct dtls_identity dtls_identity;
typedef struct dtls_session dtls_session;

/* A fresh P-256 key and self-signed certificate (SHA-256, valid `days`), with the SSL_CTX for both roles;
 * profiles is an OpenSSL SRTP profile list ("SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"). NULL on failure. */
dtls_identity *dtls_identity_new(const char *common_name, int days, const char *profiles, char *err, size_t errlen);
void dtls_identity_free(dtls_identity *id);
/* sha-256 of the certificate's DER into out (32 bytes). */
void dtls_identity_fingerprint(const dtls_identity *id, uint8_t out[32]);
/* The certificate's DER: its length, and a copy into out when out is not NULL. */
int dtls_identity_der(const dtls_identity *id, uint8_t *out);

/* A session in one role. The peer's certificate must match one of the expected digests (hash names sha-256,
 * sha-384, sha-512); it is checked while the handshake runs, before any key can be exported. The session holds a
 * reference on the identity. mtu bounds every datagram it writes. */
dtls_session *dtls_session_new(dtls_identity *id, int is_server, int mtu);
/* Adds one expected fingerprint; returns 0, or -1 for an unknown hash name or a digest of the wrong length. */
int dtls_session_expect(dtls_session *s, const char *hash, const uint8_t *digest, size_t len);
void dtls_session_free(dtls_session *s);

/* The client sends its ClientHello; the server waits. Returns the state. */
int dtls_start(dtls_session *s);
/* One datagram from the peer. Returns the state after it. */
int dtls_feed(dtls_session *s, const uint8_t *buf, size_t len);
/* Retransmits the last flight if its timer ran out. Returns the state. */
int dtls_handle_timeout(dtls_session *s);
/* Sends close_notify once (when connected) and moves to closed. */
void dtls_close(dtls_session *s);

int dtls_state(const dtls_session *s);
/* Why the session failed or closed; empty while it has not. */
const char *dtls_error(const dtls_session *s);
/* The negotiated SRTP protection profile id (RFC 5764 §4.1.2), 0 before connected. */
int dtls_srtp_profile(const dtls_session *s);
/* RFC 5764 §4.2 keying material ("EXTRACTOR-dtls_srtp"), only once connected; returns 0 or -1. */
int dtls_export_srtp(dtls_session *s, uint8_t *out, size_t len);

/* Datagrams written since the last take: count, then each one's bytes (valid until the next call into s). */
int dtls_out_count(const dtls_session *s);
const uint8_t *dtls_out_data(const dtls_session *s, int i, size_t *len);
void dtls_out_clear(dtls_session *s);

/* Application data (SCTP packets, RFC 8261) received since the last take: count, then each record's bytes. At most
 * DTLS_IN_SLOTS records wait; more in one call are dropped and counted. */
int dtls_in_count(const dtls_session *s);
const uint8_t *dtls_in_data(const dtls_session *s, int i, size_t *len);
void dtls_in_clear(dtls_session *s);
/* Sends application data as one record, only once connected (the datagram waits in the out queue); 0 or -1. */
int dtls_write(dtls_session *s, const uint8_t *buf, size_t len);

/* What a session counted, for metrics: datagrams fed, datagrams dropped by OpenSSL's record layer is not visible,
 * so the bridge counts what it fed and what failed. */
typedef struct {
  uint64_t datagrams_in;
  uint64_t datagrams_out;
  uint64_t retransmits;
  uint64_t app_data_bytes;   /* application data received after the handshake */
  uint64_t app_data_dropped; /* application data records dropped: the in queue was full or the record too big */
  uint64_t records_discarded; /* records after the handshake too short to be protected: dropped before OpenSSL */
} dtls_counters;
const dtls_counters *dtls_session_counters(const dtls_session *s);

#endif
