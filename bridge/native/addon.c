/* The bridge's native addon: SRTP (srtp/), DTLS (dtls/) and the UDP socket (udp/) on the OpenSSL inside the node binary. */
#include <openssl/crypto.h>

#include "common/napi-args.h"

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value version;
  if (convene_srtp_init(env, exports) == NULL || convene_dtls_init(env, exports) == NULL ||
      convene_udp_init(env, exports) == NULL)
    return NULL;
  CHECK(napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &version));
  CHECK(napi_set_named_property(env, exports, "openssl", version));
  return exports;
}
