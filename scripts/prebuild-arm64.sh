#!/bin/sh
# Cross-compiles the addon for linux-arm64 on an x86-64 host and stores it where node-gyp-build looks:
# prebuilds/linux-arm64/maxpool2d.node (stripped). Needs Debian's cross toolchain:
#   apt-get install -y g++-aarch64-linux-gnu
# The build goes to build/cross-arm64, which node-gyp-build never loads (it only reads build/Release and
# build/Debug), so a native x64 build in build/Release is left alone.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

for tool in aarch64-linux-gnu-g++ aarch64-linux-gnu-strip; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "prebuild-arm64: $tool not found; install it with: apt-get install -y g++-aarch64-linux-gnu" >&2
    exit 1
  fi
done

build_dir=build/cross-arm64
node node_modules/cmake-js/bin/cmake-js rebuild --arch=arm64 --out "$build_dir" \
  --CDCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64-linux-gnu.cmake"

mkdir -p prebuilds/linux-arm64
aarch64-linux-gnu-strip --strip-all -o prebuilds/linux-arm64/maxpool2d.node "$build_dir/Release/maxpool2d.node"
echo "prebuild-arm64: wrote prebuilds/linux-arm64/maxpool2d.node"
