/* Node-API binding of udp.c (added to the addon by convene_udp_init):
 *   new UdpSocket(bindAddress, port, bufferBytes, batch, sendSlots, onBatch, gso)
 *     .port() .rx() -> Buffer of batch receive slots (2048 bytes each)
 *     .meta() -> Uint32Array (len, addr, port, age us) per slot, then the cursor JavaScript writes (udp.h)
 *     .delay() -> Float64Array of 2 x UDP_DELAY_BUCKETS: kernel receipt -> sendmmsg, per packet sent in a batch;
 *                 then kernel receipt -> recvmmsg, per datagram received (the wait in the socket)
 *     .send(buf, off, len, addr, port) -> 1 queued/sent, 0 dropped   .counters() -> number[]   .close()
 *     .sendSrtp(ctx, src, off, len, dst, dstOff, addr, port) -> SrtpContext protectRtp(src, off, len, dst, dstOff)
 *       with the context whose handle() is ctx, then send(dst, dstOff, n, addr, port): one call per receiver of a
 *       forwarded packet instead of two -> n, or SRTP_ERR_* (< 0, nothing sent)
 * A libuv poll handle on node's loop watches the socket: on readability it receives up to `batch` datagrams with
 * one recvmmsg, calls onBatch(count) once, and sends what onBatch queued with sendmmsg before it returns.
 * Bad arguments throw, never crash. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "../common/napi-args.h"
#include "../srtp/binding.h"
#include "../srtp/registry.h"
#include "../srtp/srtp.h"
#include "udp.h"

/* Batches handled per readability before node's loop gets a turn (timers, other sockets). */
#define ROUNDS_PER_POLL 8

/* Memory JavaScript sees (the receive slots, meta, the histograms) and the socket writes into, with two owners:
 * the socket and the JavaScript object(s) over it. Freed when both have let go, so JavaScript detaching or
 * transferring the ArrayBuffer (postMessage, structuredClone) never leaves the socket writing into freed memory. */
typedef struct {
  int refs;
  int pad[3]; /* keeps the data 16-byte aligned */
} shared_head;

static void *shared_alloc(size_t n) {
  shared_head *s = calloc(1, sizeof(shared_head) + n);
  if (s == NULL) return NULL;
  s->refs = 1;
  return s + 1;
}

static void shared_release(void *p) {
  if (p == NULL) return;
  shared_head *s = (shared_head *)p - 1;
  if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) free(s);
}

static void shared_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  shared_release(data);
}

/* JavaScript's owner of p: a Buffer (buffer) or an ArrayBuffer, whose finalizer releases it. */
static napi_status shared_expose(napi_env env, void *p, size_t n, int buffer, napi_value *out) {
  __atomic_add_fetch(&((shared_head *)p - 1)->refs, 1, __ATOMIC_ACQ_REL);
  napi_status st = buffer ? napi_create_external_buffer(env, n, p, shared_finalize, NULL, out)
                          : napi_create_external_arraybuffer(env, p, n, shared_finalize, NULL, out);
  if (st != napi_ok) shared_release(p);
  return st;
}

typedef struct {
  udp_core core;
  uv_poll_t poll;
  napi_env env;
  napi_ref self_ref; /* strong while open: the socket lives while it polls */
  napi_ref cb_ref;
  napi_ref rx_ref;
  napi_ref meta_ref;
  napi_ref delay_ref;
  napi_async_context async;
  const srtp_registry *srtp; /* the env's SRTP contexts (srtp/binding.c), for sendSrtp */
  void *rx_mem, *meta_mem, *delay_mem; /* the socket's own references (shared_*) */
  napi_async_cleanup_hook_handle cleanup; /* closes the socket if the env (a worker) ends with it open */
  int open;
  int poll_inited;
  int poll_started;
} udp_holder;

static void call_batch(udp_holder *h, int n) {
  napi_env env = h->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, arg, result;
  if (napi_get_reference_value(env, h->cb_ref, &cb) == napi_ok &&
      napi_get_reference_value(env, h->self_ref, &recv) == napi_ok && napi_create_int32(env, n, &arg) == napi_ok) {
    h->core.in_batch = 1;
    h->core.meta[(size_t)h->core.batch * UDP_META_FIELDS] = (uint32_t)h->core.batch; /* no datagram yet */
    napi_status st = napi_make_callback(env, h->async, recv, cb, 1, &arg, &result);
    h->core.in_batch = 0;
    if (st == napi_pending_exception) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
  if (h->open) udp_core_flush(&h->core);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  udp_holder *h = p->data;
  /* libuv reports an error (and stops the handle) only on POLLERR, which this socket never raises: without
   * IP_RECVERR an unconnected UDP socket keeps no ICMP error, and it asks for no transmit timestamps. */
  if (status < 0 || !(events & UV_READABLE)) return;
  for (int round = 0; round < ROUNDS_PER_POLL && h->open; round++) {
    int n = udp_core_receive(&h->core);
    if (n <= 0) break;
    call_batch(h, n);
    if (n < h->core.batch) break;
  }
}

static void on_closed(uv_handle_t *p) {
  udp_holder *h = p->data;
  napi_env env = h->env;
  napi_delete_reference(env, h->cb_ref);
  napi_delete_reference(env, h->rx_ref);
  napi_delete_reference(env, h->meta_ref);
  napi_delete_reference(env, h->delay_ref);
  napi_async_destroy(env, h->async);
  h->cb_ref = h->rx_ref = h->meta_ref = h->delay_ref = NULL;
  napi_delete_reference(env, h->self_ref); /* now the object may be collected; finalize frees h */
  h->self_ref = NULL;
  /* Unregisters the hook, or, when the env's teardown called it, tells node the close is done. */
  if (h->cleanup != NULL) napi_remove_async_cleanup_hook(h->cleanup);
  h->cleanup = NULL;
}

static void do_close(udp_holder *h) {
  if (!h->open) return;
  h->open = 0;
  if (h->core.tx_count > 0) udp_core_flush(&h->core);
  /* libuv: stop watching a descriptor before it is closed; a handle that was initialised is closed through libuv */
  if (h->poll_started) uv_poll_stop(&h->poll);
  udp_core_free(&h->core);
  if (h->poll_inited)
    uv_close((uv_handle_t *)&h->poll, on_closed);
  else
    on_closed((uv_handle_t *)&h->poll);
}

/* The env is ending (a worker thread stopped or exited) with the socket open: close it through libuv while the
 * loop still runs, or node aborts on closing a loop with a live poll handle and then frees the handle's memory. */
static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void *arg) {
  udp_holder *h = arg;
  h->cleanup = handle;
  do_close(h);
}

static void free_holder(udp_holder *h) {
  shared_release(h->rx_mem);
  shared_release(h->meta_mem);
  shared_release(h->delay_mem);
  free(h);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  udp_holder *h = data;
  if (h->open) { /* environment teardown with the socket open: the loop is gone, just release memory */
    h->open = 0;
    udp_core_free(&h->core);
  }
  free_holder(h);
}

static udp_holder *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  udp_holder *h = napi_args_unwrap(env, self, "UdpSocket");
  if (h != NULL && !h->open) {
    napi_throw_error(env, "ERR_SOCKET_CLOSED", "the socket is closed");
    return NULL;
  }
  return h;
}

static napi_value construct(napi_env env, napi_callback_info info) {
  napi_value argv[7], self, rx, meta_ab, meta, delay_ab, delay;
  if (!napi_args_construct(env, info, 7, argv, &self,
                           "expected (bindAddress, port, bufferBytes, batch, sendSlots, onBatch, gso)"))
    return NULL;
  bool gso = false;
  if (!napi_args_bool(env, argv[6], "gso must be a boolean", &gso)) return NULL;
  char addr[64];
  size_t port, buffer_bytes, batch, slots;
  if (!napi_args_string(env, argv[0], "bindAddress must be an IPv4 address", addr, sizeof addr) ||
      !napi_args_size(env, argv[1], "port must be 0..65535", &port) ||
      !napi_args_size(env, argv[2], "bufferBytes must be an integer >= 0", &buffer_bytes) ||
      !napi_args_size(env, argv[3], "batch must be 1..1024", &batch) ||
      !napi_args_size(env, argv[4], "sendSlots must be 1..65536", &slots))
    return NULL;
  napi_valuetype t;
  CHECK(napi_typeof(env, argv[5], &t));
  if (t != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "onBatch must be a function");
    return NULL;
  }
  if (port > 65535 || batch < 1 || batch > 1024 || slots < 1 || slots > 65536) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "port, batch or sendSlots out of range");
    return NULL;
  }
  udp_holder *h = calloc(1, sizeof(udp_holder));
  if (h == NULL) {
    napi_throw_error(env, "ERR_MEMORY", "out of memory");
    return NULL;
  }
  int e = udp_core_open(&h->core, addr, (int)port, (int)buffer_bytes);
  if (e == 0) e = udp_core_alloc_tx(&h->core, (int)batch, (int)slots);
  if (e != 0) {
    udp_core_free(&h->core);
    free(h);
    napi_value code, msg, err;
    napi_create_string_utf8(env, e == -EADDRINUSE ? "EADDRINUSE" : "ERR_SOCKET", NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, strerror(-e), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, code, msg, &err);
    napi_throw(env, err);
    return NULL;
  }
  h->env = env;
  void *reg = NULL;
  h->srtp = napi_get_instance_data(env, &reg) == napi_ok ? reg : NULL;
  h->open = 1;
  h->core.gso = gso;
  size_t meta_cells = batch * UDP_META_FIELDS + 1;
  h->rx_mem = shared_alloc(batch * UDP_RX_SLOT);
  h->meta_mem = shared_alloc(meta_cells * 4);
  h->delay_mem = shared_alloc(UDP_HIST_DOUBLES * sizeof(double));
  if (h->rx_mem == NULL || h->meta_mem == NULL || h->delay_mem == NULL ||
      shared_expose(env, h->rx_mem, batch * UDP_RX_SLOT, 1, &rx) != napi_ok ||
      shared_expose(env, h->meta_mem, meta_cells * 4, 0, &meta_ab) != napi_ok ||
      napi_create_typedarray(env, napi_uint32_array, meta_cells, meta_ab, 0, &meta) != napi_ok ||
      shared_expose(env, h->delay_mem, UDP_HIST_DOUBLES * sizeof(double), 0, &delay_ab) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, UDP_HIST_DOUBLES, delay_ab, 0, &delay) != napi_ok ||
      napi_create_reference(env, rx, 1, &h->rx_ref) != napi_ok ||
      napi_create_reference(env, meta, 1, &h->meta_ref) != napi_ok ||
      napi_create_reference(env, delay, 1, &h->delay_ref) != napi_ok ||
      napi_create_reference(env, argv[5], 1, &h->cb_ref) != napi_ok) {
    udp_core_free(&h->core);
    free_holder(h);
    return NULL;
  }
  h->core.rx = h->rx_mem;
  h->core.meta = h->meta_mem;
  h->core.meta[batch * UDP_META_FIELDS] = (uint32_t)batch;
  h->core.delay = h->delay_mem;
  napi_value name;
  CHECK(napi_create_string_utf8(env, "convene:udp", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, self, name, &h->async));
  if (napi_wrap(env, self, h, finalize, NULL, NULL) != napi_ok) {
    udp_core_free(&h->core);
    free_holder(h);
    return NULL;
  }
  CHECK(napi_create_reference(env, self, 1, &h->self_ref));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  h->poll.data = h;
  /* Before the handle exists: a close that fails to start below still completes (on_closed) before the env ends. */
  if (napi_add_async_cleanup_hook(env, on_env_cleanup, h, &h->cleanup) != napi_ok) h->cleanup = NULL;
  h->poll_inited = uv_poll_init(loop, &h->poll, h->core.fd) == 0;
  if (!h->poll_inited || uv_poll_start(&h->poll, UV_READABLE, on_poll) != 0) {
    do_close(h);
    napi_throw_error(env, "ERR_SOCKET", "could not watch the socket");
    return NULL;
  }
  h->poll_started = 1;
  return self;
}

static napi_value get_port(napi_env env, napi_callback_info info) {
  udp_holder *h = unwrap(env, info, NULL, NULL);
  if (h == NULL) return NULL;
  struct sockaddr_in sa;
  socklen_t n = sizeof(sa);
  napi_value out;
  if (getsockname(h->core.fd, (struct sockaddr *)&sa, &n) != 0) sa.sin_port = 0;
  CHECK(napi_create_uint32(env, ntohs(sa.sin_port), &out));
  return out;
}

static napi_value get_ref(napi_env env, napi_callback_info info, int which) {
  udp_holder *h = unwrap(env, info, NULL, NULL);
  if (h == NULL) return NULL;
  napi_value out;
  CHECK(napi_get_reference_value(env, which == 0 ? h->rx_ref : which == 1 ? h->meta_ref : h->delay_ref, &out));
  return out;
}
static napi_value get_delay(napi_env env, napi_callback_info info) { return get_ref(env, info, 2); }
static napi_value get_rx(napi_env env, napi_callback_info info) { return get_ref(env, info, 0); }
static napi_value get_meta(napi_env env, napi_callback_info info) { return get_ref(env, info, 1); }

/* send(buf, off, len, addr, port): hot path, checked but without the helpers' strings on success. */
static napi_value do_send(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], out;
  udp_holder *h = unwrap(env, info, &argc, argv);
  if (h == NULL) return NULL;
  uint8_t *buf;
  size_t buf_len, off, len, port;
  uint32_t addr = 0;
  if (argc < 5 || !napi_args_bytes(env, argv[0], "buf must be a Buffer", &buf, &buf_len) ||
      !napi_args_size(env, argv[1], "off must be an integer >= 0", &off) ||
      !napi_args_size(env, argv[2], "len must be an integer >= 0", &len) ||
      !napi_args_size(env, argv[4], "port must be 0..65535", &port))
    return NULL;
  if (napi_get_value_uint32(env, argv[3], &addr) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "addr must be an IPv4 address as a uint32");
    return NULL;
  }
  if (off + len > buf_len || port > 65535) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "off + len beyond buf, or port out of range");
    return NULL;
  }
  CHECK(napi_get_boolean(env, udp_core_send(&h->core, buf + off, len, addr, (uint16_t)port) == 1, &out));
  return out;
}

/* sendSrtp(ctx, src, off, len, dst, dstOff, addr, port): see the top of the file. */
static napi_value do_send_srtp(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8], out;
  udp_holder *h = unwrap(env, info, &argc, argv);
  if (h == NULL) return NULL;
  uint32_t handle = 0, addr = 0;
  uint8_t *src, *dst;
  size_t src_len, dst_len, off, len, dst_off, port;
  if (argc < 8) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "expected (ctx, src, off, len, dst, dstOff, addr, port)");
    return NULL;
  }
  if (napi_get_value_uint32(env, argv[0], &handle) != napi_ok ||
      napi_get_value_uint32(env, argv[6], &addr) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "ctx must be an SrtpContext handle, addr a uint32");
    return NULL;
  }
  if (!napi_args_bytes(env, argv[1], "src must be a Buffer", &src, &src_len) ||
      !napi_args_size(env, argv[2], "off must be an integer >= 0", &off) ||
      !napi_args_size(env, argv[3], "len must be an integer >= 0", &len) ||
      !napi_args_bytes(env, argv[4], "dst must be a Buffer", &dst, &dst_len) ||
      !napi_args_size(env, argv[5], "dstOff must be an integer >= 0", &dst_off) ||
      !napi_args_size(env, argv[7], "port must be 0..65535", &port))
    return NULL;
  if (off + len > src_len || dst_off > dst_len || port > 65535) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "off + len beyond src, dstOff beyond dst, or port out of range");
    return NULL;
  }
  srtp_ctx *c = srtp_registry_get(h->srtp, handle);
  if (c == NULL) {
    napi_throw_range_error(env, "ERR_INVALID_HANDLE", "ctx is not the handle of a live SrtpContext");
    return NULL;
  }
  uint8_t *d = dst + dst_off;
  int r = srtp_apply(c, srtp_protect_rtp, src + off, len, d, dst_len - dst_off);
  if (srtp_napi_failed(env, r)) return NULL;
  if (r > 0) udp_core_send(&h->core, d, (size_t)r, addr, (uint16_t)port);
  CHECK(napi_create_int32(env, r, &out));
  return out;
}

static napi_value get_counters(napi_env env, napi_callback_info info) {
  napi_value self, out, v;
  CHECK(napi_get_cb_info(env, info, NULL, NULL, &self, NULL));
  udp_holder *h = napi_args_unwrap(env, self, "UdpSocket");
  if (h == NULL) return NULL;
  CHECK(napi_create_array_with_length(env, UDP_C_COUNT, &out));
  for (uint32_t i = 0; i < UDP_C_COUNT; i++) {
    CHECK(napi_create_double(env, h->core.counters[i], &v));
    CHECK(napi_set_element(env, out, i, v));
  }
  return out;
}

static napi_value do_close_js(napi_env env, napi_callback_info info) {
  napi_value self;
  CHECK(napi_get_cb_info(env, info, NULL, NULL, &self, NULL));
  udp_holder *h = napi_args_unwrap(env, self, "UdpSocket");
  if (h == NULL) return NULL;
  do_close(h);
  return NULL;
}

napi_value convene_udp_init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"port", NULL, get_port, NULL, NULL, NULL, napi_default_method, NULL},
      {"rx", NULL, get_rx, NULL, NULL, NULL, napi_default_method, NULL},
      {"meta", NULL, get_meta, NULL, NULL, NULL, napi_default_method, NULL},
      {"delay", NULL, get_delay, NULL, NULL, NULL, napi_default_method, NULL},
      {"send", NULL, do_send, NULL, NULL, NULL, napi_default_method, NULL},
      {"sendSrtp", NULL, do_send_srtp, NULL, NULL, NULL, napi_default_method, NULL},
      {"counters", NULL, get_counters, NULL, NULL, NULL, napi_default_method, NULL},
      {"close", NULL, do_close_js, NULL, NULL, NULL, napi_default_method, NULL},
  };
  napi_value cls;
  CHECK(napi_define_class(env, "UdpSocket", NAPI_AUTO_LENGTH, construct, NULL, 8, methods, &cls));
  CHECK(napi_set_named_property(env, exports, "UdpSocket", cls));
  return exports;
}
