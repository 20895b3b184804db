/* The socket side of udp.h: no Node-API here (binding.c drives it). */
#define _GNU_SOURCE
#include "udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
  if (bind(u->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    int e = errno;
    close(u->fd);
    u->fd = -1;
    return -e;
  }
  return 0;
}

int udp_core_alloc_tx(udp_core *u, int batch, int tx_cap) {
  u->batch = batch;
  u->tx_cap = tx_cap;
  u->rmsg = calloc((size_t)batch, sizeof(struct mmsghdr));
  u->riov = calloc((size_t)batch, sizeof(struct iovec));
  u->raddr = calloc((size_t)batch, sizeof(struct sockaddr_in));
  u->tx = malloc((size_t)tx_cap * UDP_TX_SLOT);
  u->tmsg = calloc((size_t)tx_cap, sizeof(struct mmsghdr));
  u->tiov = calloc((size_t)tx_cap, sizeof(struct iovec));
  u->taddr = calloc((size_t)tx_cap, sizeof(struct sockaddr_in));
  if (!u->rmsg || !u->riov || !u->raddr || !u->tx || !u->tmsg || !u->tiov || !u->taddr) return -ENOMEM;
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
  free(u->tx);
  free(u->tmsg);
  free(u->tiov);
  free(u->taddr);
  u->rmsg = NULL;
  u->riov = NULL;
  u->raddr = NULL;
  u->tx = NULL;
  u->tmsg = NULL;
  u->tiov = NULL;
  u->taddr = NULL;
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
    h->msg_control = NULL;
    h->msg_controllen = 0;
    h->msg_flags = 0;
  }
  int n = recvmmsg(u->fd, u->rmsg, (unsigned)u->batch, MSG_DONTWAIT, NULL);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
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
  if (!u->in_batch || len > UDP_TX_SLOT) return send_one(u, p, len, addr, port);
  if (u->tx_count == u->tx_cap) udp_core_flush(u);
  int i = u->tx_count++;
  memcpy(u->tx + (size_t)i * UDP_TX_SLOT, p, len);
  u->tiov[i].iov_len = len;
  u->taddr[i].sin_addr.s_addr = htonl(addr);
  u->taddr[i].sin_port = htons(port);
  return 1;
}

void udp_core_flush(udp_core *u) {
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
  u->tx_count = 0;
}
