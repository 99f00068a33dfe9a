# Built by native/build.sh (npm run build:native). This file lives in native/ rather than the repository root on
# purpose: a root binding.gyp makes `npm ci` run an implicit `node-gyp rebuild` (npm's "gypfile" default) before
# build.sh has resolved the local Node headers, which would try to download them and fail offline.
{
  "targets": [
    {
      "target_name": "leasehold_native",
      "sources": ["src/addon.c", "src/errors.c", "src/sock.c", "src/packet.c", "src/icmp.c", "src/udp.c", "src/unixdgram.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra"]
    }
  ]
}
