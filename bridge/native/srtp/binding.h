/* What srtp/binding.c shares with the other bindings (udp/binding.c's sendSrtp). */
#ifndef CONVENE_SRTP_BINDING_H
#define CONVENE_SRTP_BINDING_H

#include <stdbool.h>

#include "../common/napi-args.h"

/* True, with a RangeError or Error thrown, when r is an SRTP_E_* failure; false for a length or SRTP_ERR_* code. */
bool srtp_napi_failed(napi_env env, int r);

#endif
