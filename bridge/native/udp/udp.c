/* The socket side of udp.h: no Node-API here (binding.c drives it). */
#define _GNU_SOURCE
#include "udp.h"
#include <time.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/udp.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
/* Linux's UDP_MAX_SEGMENTS, and the largest UDP payload. */
#define GSO_MAX_SEGMENTS 64
#define GSO_MAX_BYTES 65507
#define GSO_CTL CMSG_SPACE(sizeof(uint16_t))

int udp_core_open(udp_core *u, const char *bind_addr, int port, int buffer_bytes) {
  memset(u, 0, sizeof(*u));
  u->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (u->fd < 0) return -errno;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1) {
    close(u->fd);
    u->fd = -1;
    return -EINVAL;
  }
  /* As dgram does: ask, and keep whatever the kernel grants (net.core.rmem_max caps it). */
  if (buffer_bytes > 0) {
    setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof(buffer_bytes));
    setsockopt(u->fd, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof(buffer_bytes));
  }
  /* The kernel's receive time of each datagram: arrival times for transport-cc feedback that do not depend on
   * when the event loop got round to the batch. Best effort: without it the age is 0. */
  int on = 1;
  setsockopt(u->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
  if (bind(u->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    int e = errno;
    close(u->fd);
    u->fd = -1;
    return -e;
  }
  return 0;
}

int udp_core_alloc_tx(udp_core *u, int batch, int tx_cap) {
  u->gso_max_seg = UDP_TX_SLOT;
  u->batch = batch;
  u->tx_cap = tx_cap;
  u->rmsg = calloc((size_t)batch, sizeof(struct mmsghdr));
  u->riov = calloc((size_t)batch, sizeof(struct iovec));
  u->raddr = calloc((size_t)batch, sizeof(struct sockaddr_in));
  u->rctl = calloc((size_t)batch, UDP_RX_CTL);
  u->rx_ns = calloc((size_t)batch, sizeof(int64_t));
  u->tx_src = calloc((size_t)tx_cap, sizeof(int32_t));
  u->tx = malloc((size_t)tx_cap * UDP_TX_SLOT);
  u->tmsg = calloc((size_t)tx_cap, sizeof(struct mmsghdr));
  u->tiov = calloc((size_t)tx_cap, sizeof(struct iovec));
  u->taddr = calloc((size_t)tx_cap, sizeof(struct sockaddr_in));
  u->gmsg = calloc((size_t)tx_cap, sizeof(struct mmsghdr));
  u->giov = calloc((size_t)tx_cap, sizeof(struct iovec));
  u->gctl = calloc((size_t)tx_cap, GSO_CTL);
  u->gdone = calloc((size_t)tx_cap, 1);
  if (!u->rmsg || !u->riov || !u->raddr || !u->rctl || !u->rx_ns || !u->tx_src || !u->tx || !u->tmsg || !u->tiov || !u->taddr || !u->gmsg || !u->giov ||
      !u->gctl || !u->gdone)
    return -ENOMEM;
  for (int i = 0; i < tx_cap; i++) {
    u->tiov[i].iov_base = u->tx + (size_t)i * UDP_TX_SLOT;
    u->tmsg[i].msg_hdr.msg_iov = &u->tiov[i];
    u->tmsg[i].msg_hdr.msg_iovlen = 1;
    u->tmsg[i].msg_hdr.msg_name = &u->taddr[i];
    u->tmsg[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
    u->taddr[i].sin_family = AF_INET;
  }
  return 0;
}

void udp_core_free(udp_core *u) {
  if (u->fd >= 0) close(u->fd);
  u->fd = -1;
  free(u->rmsg);
  free(u->riov);
  free(u->raddr);
  free(u->rctl);
  free(u->rx_ns);
  free(u->tx_src);
  free(u->tx);
  free(u->tmsg);
  free(u->tiov);
  free(u->taddr);
  free(u->gmsg);
  free(u->giov);
  free(u->gctl);
  free(u->gdone);
  u->gmsg = NULL;
  u->giov = NULL;
  u->gctl = NULL;
  u->gdone = NULL;
  u->rmsg = NULL;
  u->riov = NULL;
  u->raddr = NULL;
  u->rctl = NULL;
  u->rx_ns = NULL;
  u->tx_src = NULL;
  u->tx = NULL;
  u->tmsg = NULL;
  u->tiov = NULL;
  u->taddr = NULL;
}

static int64_t ns_of(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec; }

/* Microseconds between the kernel's receive timestamp of a datagram and `now` (same clock), 0 without one;
 * the timestamp itself (ns) into *at, 0 without one. */
static uint32_t age_us(struct msghdr *h, const struct timespec *now, int64_t *at) {
  *at = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    struct timespec ts;
    memcpy(&ts, CMSG_DATA(c), sizeof ts);
    *at = ns_of(&ts);
    int64_t us = (int64_t)(now->tv_sec - ts.tv_sec) * 1000000 + (now->tv_nsec - ts.tv_nsec) / 1000;
    if (us <= 0) return 0;
    return us > 0xffffffffLL ? 0xffffffffu : (uint32_t)us;
  }
  return 0;
}

int udp_core_receive(udp_core *u) {
  for (int i = 0; i < u->batch; i++) {
    u->riov[i].iov_base = u->rx + (size_t)i * UDP_RX_SLOT;
    u->riov[i].iov_len = UDP_RX_SLOT;
    struct msghdr *h = &u->rmsg[i].msg_hdr;
    h->msg_iov = &u->riov[i];
    h->msg_iovlen = 1;
    h->msg_name = &u->raddr[i];
    h->msg_namelen = sizeof(struct sockaddr_in);
    h->msg_control = u->rctl + (size_t)i * UDP_RX_CTL;
    h->msg_controllen = UDP_RX_CTL;
    h->msg_flags = 0;
  }
  int n = recvmmsg(u->fd, u->rmsg, (unsigned)u->batch, MSG_DONTWAIT, NULL);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  for (int i = 0; i < n; i++) {
    uint32_t *m = u->meta + (size_t)i * UDP_META_FIELDS;
    uint32_t len = u->rmsg[i].msg_len;
    /* Truncated: longer than any datagram we accept; handed on as length 0, which every classifier drops. */
    if (u->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
      u->counters[UDP_C_TRUNCATED_IN]++;
      len = 0;
    }
    m[0] = len;
    m[1] = ntohl(u->raddr[i].sin_addr.s_addr);
    m[2] = ntohs(u->raddr[i].sin_port);
    m[3] = age_us(&u->rmsg[i].msg_hdr, &now, &u->rx_ns[i]);
    if (u->delay != NULL && u->rx_ns[i] != 0) u->delay[UDP_WAIT_OFFSET + udp_delay_bucket((double)m[3])]++;
    u->counters[UDP_C_DATAGRAMS_IN]++;
    u->counters[UDP_C_BYTES_IN] += len;
  }
  if (n > 0) u->counters[UDP_C_BATCHES]++;
  return n;
}

static int send_one(udp_core *u, const uint8_t *p, size_t len, uint32_t addr, uint16_t port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(addr);
  sa.sin_port = htons(port);
  ssize_t r = sendto(u->fd, p, len, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa));
  if (r >= 0) return 1;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
    u->counters[UDP_C_SEND_BUFFER_FULL]++;
  } else {
    u->counters[UDP_C_SEND_ERRORS]++;
  }
  return 0;
}

int udp_core_send(udp_core *u, const uint8_t *p, size_t len, uint32_t addr, uint16_t port) {
  if (u->fd < 0) return 0;
  u->counters[UDP_C_DATAGRAMS_OUT]++;
  u->counters[UDP_C_BYTES_OUT] += (double)len;
  if (!u->in_batch) return send_one(u, p, len, addr, port);
  if (len > UDP_TX_SLOT) { /* too long for a slot: after what is queued, so one destination's order holds */
    udp_core_flush(u);
    return send_one(u, p, len, addr, port);
  }
  if (u->tx_count == u->tx_cap) udp_core_flush(u);
  int i = u->tx_count++;
  uint32_t cursor = u->meta[(size_t)u->batch * UDP_META_FIELDS];
  u->tx_src[i] = cursor < (uint32_t)u->batch ? (int32_t)cursor : -1;
  memcpy(u->tx + (size_t)i * UDP_TX_SLOT, p, len);
  u->tiov[i].iov_len = len;
  u->taddr[i].sin_addr.s_addr = htonl(addr);
  u->taddr[i].sin_port = htons(port);
  return 1;
}

static void flush_plain(udp_core *u) {
  int done = 0;
  while (done < u->tx_count) {
    int r = sendmmsg(u->fd, u->tmsg + done, (unsigned)(u->tx_count - done), MSG_DONTWAIT);
    u->counters[UDP_C_SENDMMSG_CALLS]++;
    if (r > 0) {
      done += r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      /* The send buffer is full: drop what is left of this batch, count it, never wait. */
      u->counters[UDP_C_SEND_BUFFER_FULL] += u->tx_count - done;
      break;
    }
    /* An error that belongs to the first datagram (ICMP unreachable reported late, EPERM...): skip it. */
    u->counters[UDP_C_SEND_ERRORS]++;
    done++;
  }
}

static int same_dest(const struct sockaddr_in *a, const struct sockaddr_in *b) {
  return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/* Groups the queue: each group is a run of packets to one destination in queue order, all of the first one's
 * size but the last (which may be shorter), as UDP_SEGMENT wants; order per destination is kept. Returns the
 * group count; gmsg[g].msg_len holds the group's packet count until sendmmsg overwrites it. */
static int build_groups(udp_core *u) {
  int groups = 0, seg_at = 0;
  memset(u->gdone, 0, (size_t)u->tx_count);
  for (int i = 0; i < u->tx_count; i++) {
    if (u->gdone[i]) continue;
    size_t seg = u->tiov[i].iov_len, total = 0;
    int n = 0, first_iov = seg_at;
    /* Above the learned limit a packet goes alone: sent plainly, the kernel fragments it for a small MTU. */
    int most = seg <= u->gso_max_seg ? GSO_MAX_SEGMENTS : 1;
    for (int j = i; j < u->tx_count && n < most; j++) {
      if (u->gdone[j] || !same_dest(&u->taddr[i], &u->taddr[j])) continue;
      size_t len = u->tiov[j].iov_len;
      if (len > seg || total + len > GSO_MAX_BYTES) break; /* it starts a later group: order kept */
      u->giov[seg_at++] = u->tiov[j];
      u->gdone[j] = 1;
      total += len;
      n++;
      if (len < seg) break; /* a shorter one can only be last */
    }
    struct msghdr *h = &u->gmsg[groups].msg_hdr;
    memset(h, 0, sizeof(*h));
    h->msg_name = &u->taddr[i];
    h->msg_namelen = sizeof(struct sockaddr_in);
    h->msg_iov = &u->giov[first_iov];
    h->msg_iovlen = (size_t)n;
    if (n > 1) {
      uint8_t *ctl = u->gctl + (size_t)groups * GSO_CTL;
      memset(ctl, 0, GSO_CTL);
      h->msg_control = ctl;
      h->msg_controllen = GSO_CTL;
      struct cmsghdr *cm = CMSG_FIRSTHDR(h);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = UDP_SEGMENT;
      cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t s16 = (uint16_t)seg;
      memcpy(CMSG_DATA(cm), &s16, sizeof s16);
    }
    u->gmsg[groups].msg_len = (unsigned)n;
    groups++;
  }
  return groups;
}

/* Sends groups [from, groups) one datagram at a time (the kernel refused to segment). */
static void send_groups_plainly(udp_core *u, int from, int groups) {
  for (int g = from; g < groups; g++) {
    struct msghdr *h = &u->gmsg[g].msg_hdr;
    const struct sockaddr_in *sa = h->msg_name;
    for (size_t k = 0; k < h->msg_iovlen; k++) {
      if (sendto(u->fd, h->msg_iov[k].iov_base, h->msg_iov[k].iov_len, MSG_DONTWAIT, (const struct sockaddr *)sa,
                 sizeof(*sa)) >= 0)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
        u->counters[UDP_C_SEND_BUFFER_FULL]++;
      else
        u->counters[UDP_C_SEND_ERRORS]++;
    }
  }
}

int udp_delay_bucket(double us) {
  /* 2^(k/8) for k = 0..7 */
  static const double step[8] = {1.0, 1.0905077326652577, 1.189207115002721, 1.2968395546510096,
                                 1.4142135623730951, 1.5422108254079407, 1.6817928305074290, 1.8340080864093424};
  if (!(us >= 1)) return 0;
  if (us >= 0x1p62) return UDP_DELAY_BUCKETS - 1;
  /* The octave from the integer part's highest bit (per packet: no loop over octaves), then its eighth. */
  int e = 63 - __builtin_clzll((unsigned long long)us);
  double base = (double)(1ULL << e);
  int k = 7;
  while (k > 0 && us < base * step[k]) k--;
  int b = e * 8 + k;
  return b < UDP_DELAY_BUCKETS ? b : UDP_DELAY_BUCKETS - 1;
}

/* Each queued packet that came from handling a received datagram: kernel receipt -> now (after its sendmmsg). */
static void record_delays(udp_core *u) {
  if (u->delay == NULL) return;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  int64_t at = ns_of(&now);
  for (int i = 0; i < u->tx_count; i++) {
    int32_t src = u->tx_src[i];
    if (src < 0 || u->rx_ns[src] == 0) continue;
    u->delay[udp_delay_bucket((double)(at - u->rx_ns[src]) / 1000.0)]++;
  }
}

static void flush_grouped(udp_core *u, int groups);

void udp_core_flush(udp_core *u) {
  if (u->tx_count == 0) return;
  int groups = u->gso && u->tx_count > 1 ? build_groups(u) : u->tx_count;
  if (groups == u->tx_count) /* nothing to coalesce */
    flush_plain(u);
  else
    flush_grouped(u, groups);
  record_delays(u);
  u->tx_count = 0;
}

static void flush_grouped(udp_core *u, int groups) {
  int done = 0;
  while (done < groups) {
    int r = sendmmsg(u->fd, u->gmsg + done, (unsigned)(groups - done), MSG_DONTWAIT);
    u->counters[UDP_C_SENDMMSG_CALLS]++;
    if (r > 0) {
      for (int g = done; g < done + r; g++)
        if (u->gmsg[g].msg_hdr.msg_iovlen > 1) u->counters[UDP_C_GSO_SENDS] += (double)u->gmsg[g].msg_hdr.msg_iovlen;
      done += r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    size_t first = u->gmsg[done].msg_hdr.msg_iovlen;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      for (int g = done; g < groups; g++) u->counters[UDP_C_SEND_BUFFER_FULL] += (double)u->gmsg[g].msg_hdr.msg_iovlen;
      break;
    }
    if (r < 0 && first > 1 && errno == EMSGSIZE) {
      /* A segment plus headers exceeds the route's MTU (a tunnel, a small-MTU path): this group goes out one
       * datagram at a time, which the kernel may fragment, and segments this large are not grouped again. */
      size_t seg = u->gmsg[done].msg_hdr.msg_iov[0].iov_len;
      if (seg > 0 && seg - 1 < u->gso_max_seg) u->gso_max_seg = seg - 1;
      send_groups_plainly(u, done, done + 1);
      done++;
      continue;
    }
    if (r < 0 && first > 1 && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT)) {
      /* The kernel or the route cannot segment: never again on this socket; the rest goes out plainly. */
      u->gso = 0;
      send_groups_plainly(u, done, groups);
      break;
    }
    u->counters[UDP_C_SEND_ERRORS] += (double)first;
    done++;
  }
}
