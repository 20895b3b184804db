// The two headers bench/mediasoup/build-worker.ts adds to mediasoup's worker so it builds against Debian 12's
// libraries: libsrtp2 (mediasoup calls libsrtp3's separate-buffer, size_t signatures) and liburing 2.3 (it asks
// for the library's version and uses io_uring_prep_sendto, both from 2.4).

/** Found as `<srtp.h>` ahead of libsrtp2's: the libsrtp3 calls as thin wrappers over libsrtp2's in-place ones. */
export const SRTP_COMPAT_H = `/* Convene bench: libsrtp3 calls of mediasoup's worker on Debian's libsrtp2. */
#ifndef CONVENE_SRTP3_COMPAT_H
#define CONVENE_SRTP3_COMPAT_H
#include <srtp2/srtp.h>
#include <stddef.h>
#include <string.h>

#define srtp_err_status_buffer_small ((srtp_err_status_t)100)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)101)

static inline srtp_err_status_t convene_srtp_protect(srtp_t ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                                     size_t *out_len, size_t mki_index) {
  (void)mki_index;
  if (in_len + SRTP_MAX_TRAILER_LEN > *out_len) return srtp_err_status_buffer_small;
  if (out != in) memmove(out, in, in_len);
  int len = (int)in_len;
  srtp_err_status_t err = (srtp_protect)(ctx, out, &len);
  *out_len = (size_t)len;
  return err;
}

static inline srtp_err_status_t convene_srtp_protect_rtcp(srtp_t ctx, const uint8_t *in, size_t in_len,
                                                          uint8_t *out, size_t *out_len, size_t mki_index) {
  (void)mki_index;
  if (in_len + SRTP_MAX_TRAILER_LEN + 4 > *out_len) return srtp_err_status_buffer_small;
  if (out != in) memmove(out, in, in_len);
  int len = (int)in_len;
  srtp_err_status_t err = (srtp_protect_rtcp)(ctx, out, &len);
  *out_len = (size_t)len;
  return err;
}

static inline srtp_err_status_t convene_srtp_unprotect(srtp_t ctx, const uint8_t *in, size_t in_len, uint8_t *out,
                                                       size_t *out_len) {
  if (out != in) memmove(out, in, in_len);
  int len = (int)in_len;
  srtp_err_status_t err = (srtp_unprotect)(ctx, out, &len);
  *out_len = (size_t)len;
  return err;
}

static inline srtp_err_status_t convene_srtp_unprotect_rtcp(srtp_t ctx, const uint8_t *in, size_t in_len,
                                                            uint8_t *out, size_t *out_len) {
  if (out != in) memmove(out, in, in_len);
  int len = (int)in_len;
  srtp_err_status_t err = (srtp_unprotect_rtcp)(ctx, out, &len);
  *out_len = (size_t)len;
  return err;
}

#define srtp_protect convene_srtp_protect
#define srtp_protect_rtcp convene_srtp_protect_rtcp
#define srtp_unprotect convene_srtp_unprotect
#define srtp_unprotect_rtcp convene_srtp_unprotect_rtcp
#define srtp_stream_remove srtp_remove_stream
#endif
`;

/** Forced in front of every file that sees liburing: two liburing 2.4 helpers on top of Debian's 2.3. */
export const URING_COMPAT_H = `/* Convene bench: liburing 2.4 helpers mediasoup's worker calls, for Debian's liburing 2.3. */
#ifndef CONVENE_URING_COMPAT_H
#define CONVENE_URING_COMPAT_H
#include <liburing.h>
#if !defined(IO_URING_VERSION_MAJOR)
static inline int io_uring_major_version(void) { return 2; }
static inline int io_uring_minor_version(void) { return 3; }
static inline void io_uring_prep_sendto(struct io_uring_sqe *sqe, int sockfd, const void *buf, size_t len, int flags,
                                        const struct sockaddr *addr, socklen_t addrlen) {
  io_uring_prep_send(sqe, sockfd, buf, len, flags);
  io_uring_prep_send_set_addr(sqe, addr, addrlen);
}
#endif
#endif
`;
