#!/bin/sh
# Builds native/build/Release/leasehold_native.node from source with the node-gyp that ships inside npm, against
# the headers of the Node that runs it: never downloads headers or prebuilt binaries (the machines have no network
# but the package registries). Run as `npm run build:native`; install.sh does so before `npm run build`.
set -eu
cd "$(dirname "$0")"

# npm exports npm_config_node_gyp to scripts; outside npm, use the copy bundled with the npm on PATH.
gyp="${npm_config_node_gyp:-}"
if [ -z "$gyp" ] || [ ! -f "$gyp" ]; then
  npm_cli="$(readlink -f "$(command -v npm)" 2>/dev/null || true)" # …/npm/bin/npm-cli.js
  gyp="$(dirname "$(dirname "$npm_cli")")/node_modules/node-gyp/bin/node-gyp.js"
fi
if [ ! -f "$gyp" ]; then
  gyp="$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js"
fi
if [ ! -f "$gyp" ]; then
  echo "build.sh: node-gyp not found (looked for npm's bundled copy at $gyp)" >&2
  exit 1
fi

# Headers: an explicit nodedir wins; else the installation prefix of this node (/usr for Debian's and NodeSource's
# packages, which ship include/node/node_api.h); else node-gyp's own cache, which must already be populated.
nodedir="${npm_config_nodedir:-}"
if [ -z "$nodedir" ]; then
  prefix="$(node -p 'require("node:path").resolve(process.execPath, "..", "..")')"
  if [ -f "$prefix/include/node/node_api.h" ]; then nodedir="$prefix"; fi
fi

if [ -n "$nodedir" ]; then
  exec node "$gyp" rebuild --nodedir="$nodedir"
else
  exec node "$gyp" rebuild
fi
