/* The bridge's UDP socket in the addon: recvmmsg a batch into pre-allocated slots on readability (a libuv poll
 * handle on node's loop, no thread), hand JavaScript the batch in one call, and send what JavaScript queued
 * during the batch with sendmmsg at its end. IPv4, like the dgram socket it replaces. */
#ifndef CONVENE_UDP_H
#define CONVENE_UDP_H

#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Receive slot: a datagram longer than this arrives truncated and is dropped (MSG_TRUNC) and counted. */
#define UDP_RX_SLOT 2048
/* Send slot: RTP/RTCP after SRTP (1500 + 20) and DTLS records fit. */
#define UDP_TX_SLOT 1536
/* Per received datagram: length, IPv4 address (host order), port, and how long before the batch was handed on the
 * kernel received it, in microseconds (SO_TIMESTAMPNS; 0 when the kernel gave no timestamp). */
#define UDP_META_FIELDS 4
/* Room for one SCM_TIMESTAMPNS control message per receive slot. */
#define UDP_RX_CTL 64
/* The delay histogram: time from the kernel's receipt of a datagram to the sendmmsg that sent what JavaScript
 * queued while handling it, 8 buckets per octave of microseconds (bucket k holds [2^(k/8), 2^((k+1)/8)) us,
 * bucket 0 also everything under 1 us, the last everything above), the bench's latency histogram's layout. */
#define UDP_DELAY_BUCKETS 192
/* The histogram array holds two of them: the forwarding delay above, then the receive wait (the same layout): per
 * received datagram, its kernel receipt -> the recvmmsg that handed it to JavaScript. Packets waiting in the socket
 * are what a busy or descheduled bridge adds; the rest of the forwarding delay is its own handling. */
#define UDP_WAIT_OFFSET UDP_DELAY_BUCKETS
#define UDP_HIST_DOUBLES (2 * UDP_DELAY_BUCKETS)

/* Counters, in the order counters() returns them. */
enum {
  UDP_C_DATAGRAMS_IN,
  UDP_C_BYTES_IN,
  UDP_C_DATAGRAMS_OUT,
  UDP_C_BYTES_OUT,
  UDP_C_SEND_ERRORS,
  UDP_C_SEND_BUFFER_FULL, /* dropped: the socket's send buffer was full (EAGAIN), never blocked on */
  UDP_C_BATCHES,
  UDP_C_SENDMMSG_CALLS,
  UDP_C_TRUNCATED_IN,
  UDP_C_GSO_SENDS, /* datagrams that left as segments of a UDP_SEGMENT send (several to one destination) */
  UDP_C_COUNT
};

typedef struct {
  int fd;
  int batch;     /* receive slots */
  int tx_cap;    /* send slots */
  int tx_count;  /* queued in this batch */
  int in_batch;  /* JavaScript is handling a batch: sends are queued, flushed at its end */
  uint8_t *rx;   /* batch * UDP_RX_SLOT, a Buffer JavaScript holds */
  uint32_t *meta; /* batch * UDP_META_FIELDS + 1, a Uint32Array JavaScript holds; the last cell is the cursor:
                     the index of the datagram JavaScript is handling, written by JavaScript before each one */
  int64_t *rx_ns; /* per receive slot: the kernel's receive time (CLOCK_REALTIME ns), 0 when it gave none */
  int32_t *tx_src; /* per send slot: the receive slot whose handling queued it */
  double *delay; /* UDP_HIST_DOUBLES, a Float64Array JavaScript holds (and may zero): delay, then receive wait */
  struct mmsghdr *rmsg;
  struct iovec *riov;
  struct sockaddr_in *raddr;
  uint8_t *rctl; /* batch * UDP_RX_CTL: each slot's receive timestamp */
  uint8_t *tx;
  struct mmsghdr *tmsg;
  struct iovec *tiov;
  struct sockaddr_in *taddr;
  int gso;              /* UDP_SEGMENT for runs of packets to one destination; cleared if the kernel refuses */
  size_t gso_max_seg;   /* the largest segment grouped: lowered when a route's MTU refused a group (EMSGSIZE) */
  struct mmsghdr *gmsg; /* one per group of the flush being built */
  struct iovec *giov;   /* the groups' segments, in order */
  uint8_t *gctl;        /* one cmsg (UDP_SEGMENT) per group */
  uint8_t *gdone;       /* per queued packet: already in a group */
  double counters[UDP_C_COUNT];
} udp_core;

/* Socket, bind, buffers. Returns 0 or -errno. */
int udp_core_open(udp_core *u, const char *bind_addr, int port, int buffer_bytes);
/* Allocates the send side (rx and meta are JavaScript-owned and set by the binding). Returns 0 or -ENOMEM. */
int udp_core_alloc_tx(udp_core *u, int batch, int tx_cap);
void udp_core_free(udp_core *u);
/* One recvmmsg into the receive slots; returns the datagram count (meta filled), 0 when none, -errno on error. */
int udp_core_receive(udp_core *u);
/* The delay bucket of `us` microseconds: floor(8 log2 us), clamped to the histogram (the bench's layout). */
int udp_delay_bucket(double us);
/* Queues a copy (in a batch) or sends now (outside one). Returns 1 sent/queued, 0 dropped (counted). */
int udp_core_send(udp_core *u, const uint8_t *p, size_t len, uint32_t addr, uint16_t port);
/* sendmmsg whatever is queued (with gso, runs of equal-sized packets to one destination as one UDP_SEGMENT
 * send); a full send buffer drops (counted) the rest, never blocks. */
void udp_core_flush(udp_core *u);

#endif
