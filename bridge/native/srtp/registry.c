/* See registry.h. */
#include "registry.h"

#include <stdlib.h>

#define INDEX_BITS 20
#define INDEX_MASK ((1u << INDEX_BITS) - 1)
#define MAX_SLOTS (INDEX_MASK - 1)
#define GENERATIONS 2048u /* 11 bits: handles stay below 2^31 */

struct srtp_registry {
  srtp_ctx **items;
  uint16_t *gens;
  uint32_t *free_list;
  uint32_t nfree;
  uint32_t len;
  uint32_t cap;
};

srtp_registry *srtp_registry_new(void) { return calloc(1, sizeof(srtp_registry)); }

void srtp_registry_free(srtp_registry *r) {
  if (r == NULL) return;
  free(r->items);
  free(r->gens);
  free(r->free_list);
  free(r);
}

static int grow(srtp_registry *r) {
  uint32_t cap = r->cap == 0 ? 64 : r->cap * 2;
  if (cap > MAX_SLOTS) cap = MAX_SLOTS;
  if (cap <= r->cap) return 0;
  srtp_ctx **items = realloc(r->items, cap * sizeof(*items));
  if (items == NULL) return 0;
  r->items = items;
  uint16_t *gens = realloc(r->gens, cap * sizeof(*gens));
  if (gens == NULL) return 0;
  r->gens = gens;
  uint32_t *free_list = realloc(r->free_list, cap * sizeof(*free_list));
  if (free_list == NULL) return 0;
  r->free_list = free_list;
  for (uint32_t i = r->cap; i < cap; i++) {
    r->items[i] = NULL;
    r->gens[i] = 0;
  }
  r->cap = cap;
  return 1;
}

uint32_t srtp_registry_add(srtp_registry *r, srtp_ctx *c) {
  uint32_t i;
  if (r->nfree > 0) {
    i = r->free_list[--r->nfree];
  } else {
    if (r->len == r->cap && !grow(r)) return 0;
    i = r->len++;
  }
  r->items[i] = c;
  return ((uint32_t)r->gens[i] << INDEX_BITS) | (i + 1);
}

srtp_ctx *srtp_registry_get(const srtp_registry *r, uint32_t handle) {
  uint32_t i = (handle & INDEX_MASK) - 1; /* handle 0 wraps to a huge index */
  if (r == NULL || i >= r->len || r->gens[i] != (handle >> INDEX_BITS)) return NULL;
  return r->items[i];
}

void srtp_registry_remove(srtp_registry *r, uint32_t handle) {
  if (srtp_registry_get(r, handle) == NULL) return;
  uint32_t i = (handle & INDEX_MASK) - 1;
  r->items[i] = NULL;
  /* A slot whose generations are used up is retired, never reused: a stale handle can never find a later context.
   * (2048 lives per slot, up to 2^20 slots.) */
  if (r->gens[i] + 1u == GENERATIONS) return;
  r->gens[i]++;
  r->free_list[r->nfree++] = i;
}
