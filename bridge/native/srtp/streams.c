/* Per-SSRC state of srtp.c: SSRC tables and the receive replay window (replay-window.ts). */
#include <stdlib.h>
#include <string.h>

#include "srtp.h"

/* ---- SSRC tables ---- */

void srtp_table_init(srtp_table *t, size_t esize) {
  memset(t, 0, sizeof(*t));
  t->esize = esize;
}

void srtp_table_free(srtp_table *t) {
  free(t->keys);
  free(t->slots);
  free(t->entries);
}

static uint32_t srtp_table_hash(uint32_t ssrc, uint32_t cap) { return (ssrc * 2654435761u) & (cap - 1); }

void *srtp_table_find(const srtp_table *t, uint32_t ssrc) {
  if (t->cap == 0) return NULL;
  for (uint32_t i = srtp_table_hash(ssrc, t->cap);; i = (i + 1) & (t->cap - 1)) {
    if (t->slots[i] == 0) return NULL;
    if (t->keys[i] == ssrc) return t->entries + (size_t)(t->slots[i] - 1) * t->esize;
  }
}

static int srtp_table_grow(srtp_table *t) {
  uint32_t cap = t->cap == 0 ? 16 : t->cap * 2;
  uint32_t *keys = calloc(cap, sizeof(uint32_t));
  uint32_t *slots = calloc(cap, sizeof(uint32_t));
  if (keys == NULL || slots == NULL) {
    free(keys);
    free(slots);
    return 0;
  }
  for (uint32_t i = 0; i < t->cap; i++) {
    if (t->slots[i] == 0) continue;
    uint32_t j = srtp_table_hash(t->keys[i], cap);
    while (slots[j] != 0) j = (j + 1) & (cap - 1);
    keys[j] = t->keys[i];
    slots[j] = t->slots[i];
  }
  free(t->keys);
  free(t->slots);
  t->keys = keys;
  t->slots = slots;
  t->cap = cap;
  return 1;
}

/* Adds a copy of entry under an SSRC that is not in the table; returns the stored entry or NULL. */
void *srtp_table_add(srtp_table *t, uint32_t ssrc, const void *entry) {
  if ((t->count + 1) * 2 > t->cap && !srtp_table_grow(t)) return NULL;
  if (t->count == t->entries_cap) {
    uint32_t n = t->entries_cap == 0 ? 4 : t->entries_cap * 2;
    uint8_t *e = realloc(t->entries, (size_t)n * t->esize);
    if (e == NULL) return NULL;
    t->entries = e;
    t->entries_cap = n;
  }
  uint8_t *at = t->entries + (size_t)t->count * t->esize;
  memcpy(at, entry, t->esize);
  uint32_t j = srtp_table_hash(ssrc, t->cap);
  while (t->slots[j] != 0) j = (j + 1) & (t->cap - 1);
  t->keys[j] = ssrc;
  t->slots[j] = ++t->count;
  return at;
}

/* ---- replay window (replay-window.ts) ---- */

void srtp_window_init(srtp_window *w) {
  memset(w, 0, sizeof(*w));
  w->highest = -1;
  w->highest_seq = -1;
}

int64_t srtp_window_estimate(const srtp_window *w, int32_t seq) {
  if (w->highest_seq < 0) return seq;
  int64_t v = w->roc;
  if (w->highest_seq < 32768) {
    if (seq - w->highest_seq > 32768 && v > 0) v--;
  } else if (w->highest_seq - 32768 > seq) {
    v++;
  }
  return v * 65536 + seq;
}

static int srtp_window_seen(const srtp_window *w, int64_t i) {
  uint32_t b = (uint32_t)(i % SRTP_WINDOW);
  return (w->seen[b >> 3] >> (b & 7)) & 1;
}

static void srtp_window_mark(srtp_window *w, int64_t i, int on) {
  uint32_t b = (uint32_t)(i % SRTP_WINDOW);
  if (on)
    w->seen[b >> 3] |= (uint8_t)(1u << (b & 7));
  else
    w->seen[b >> 3] &= (uint8_t)~(1u << (b & 7));
}

int srtp_window_check(const srtp_window *w, int64_t index) {
  if (index > w->highest) return 1;
  if (w->highest - index >= SRTP_WINDOW) return 0;
  return !srtp_window_seen(w, index);
}

void srtp_window_accept(srtp_window *w, int64_t index) {
  if (index > w->highest) {
    if (w->highest < 0 || index - w->highest >= SRTP_WINDOW) {
      memset(w->seen, 0, sizeof(w->seen)); /* the TS clears every slot but index's, which is set below */
    } else {
      for (int64_t i = w->highest + 1; i < index; i++) srtp_window_mark(w, i, 0);
    }
    w->highest = index;
    w->roc = index / 65536;
    w->highest_seq = (int32_t)(index % 65536);
  }
  srtp_window_mark(w, index, 1);
}
