#!/bin/sh
# Stands in for node-gyp when prebuildify runs (prebuildify --napi --strip --node-gyp <this script>):
# prebuildify 6 has no cmake-js backend, so this drops node-gyp's arguments (cmake-js would read its
# --target as a CMake target) and builds with cmake-js into build/Release, where prebuildify looks.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
host_arch=$(node -p process.arch)
arch=$host_arch
for a in "$@"; do
  case "$a" in --arch=*) arch="${a#--arch=}" ;; esac
done

# cmake-js --arch does not cross-compile on Linux: it would label a host binary as $arch.
if [ "$arch" != "$host_arch" ]; then
  echo "prebuildify-cmake-js: cannot build for $arch on $host_arch here; for arm64 use scripts/prebuild-arm64.sh" >&2
  exit 1
fi

cd "$root"
exec node node_modules/cmake-js/bin/cmake-js rebuild --arch="$arch"
