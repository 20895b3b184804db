/* SRTP contexts by number, per env (a worker thread has its own): a UdpSocket's sendSrtp finds an endpoint's
 * context from a number, without touching a JavaScript object. handle = generation << 20 | (index + 1), so 0 is
 * never a handle and a freed slot's old handle stops matching once the slot is reused; a slot is retired after its
 * 2048th context, so an old handle never matches again. */
#ifndef CONVENE_SRTP_REGISTRY_H
#define CONVENE_SRTP_REGISTRY_H

#include <stdint.h>

#include "srtp.h"

typedef struct srtp_registry srtp_registry;

srtp_registry *srtp_registry_new(void);
void srtp_registry_free(srtp_registry *r);
/* A handle for c, or 0 when out of memory or slots. */
uint32_t srtp_registry_add(srtp_registry *r, srtp_ctx *c);
void srtp_registry_remove(srtp_registry *r, uint32_t handle);
/* The live context of a handle, or NULL. */
srtp_ctx *srtp_registry_get(const srtp_registry *r, uint32_t handle);

#endif
