# Built by bridge/native/build.js (npm postinstall) with the node-gyp bundled in npm. OpenSSL is not linked:
# its symbols (libcrypto and libssl) resolve against the node binary, which exports them, and headers come from
# node's include dir. One addon: SRTP (srtp/), DTLS (dtls/) and the
# UDP socket (udp/: recvmmsg/sendmmsg on node's libuv loop).
{
  "targets": [
    {
      "target_name": "convene_native",
      "sources": [
        "addon.c",
        "common/napi-args.c",
        "srtp/binding.c",
        "srtp/srtp.c",
        "srtp/streams.c",
        "srtp/registry.c",
        "dtls/binding.c",
        "dtls/dtls.c",
        "udp/binding.c",
        "udp/udp.c"
      ],
      "cflags": ["-O2", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["OPENSSL_API_COMPAT=30000", "OPENSSL_NO_DEPRECATED"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O2", "-Wall"] }
    }
  ]
}
