#!/usr/bin/env bash
# Cross-compiles native/bench/neon_check.cc with the scalar and NEON kernels for aarch64 and runs it under
# qemu-aarch64-static: kNeonKernels vs kScalarKernels, bit for bit, over random geometries.
#
#   native/bench/neon_check.sh [cases=20000] [seed=1] [--bench]
#
# Two builds run: the default one, and one with a 512-byte row ring (MAXPOOL2D_NEON_RING_BYTES) and int32
# index lanes capped at 700 (MAXPOOL2D_NEON_INDEX_LIMIT), so that the column-chunked ring path and the
# fallbacks for planes whose indices do not fit int32 lanes are exercised on small planes too.
# Needs: apt-get install -y g++-aarch64-linux-gnu qemu-user-static
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/.cache/neon-check"
CXX="${CXX_AARCH64:-aarch64-linux-gnu-g++}"
QEMU="${QEMU_AARCH64:-qemu-aarch64-static}"
cases="${1:-20000}"
seed="${2:-1}"
bench=""
for a in "$@"; do [ "$a" = "--bench" ] && bench="--bench"; done
[ "$cases" = "--bench" ] && cases=20000
[ "$seed" = "--bench" ] && seed=1

command -v "$CXX" >/dev/null || { echo "neon_check: $CXX not found (apt-get install -y g++-aarch64-linux-gnu)" >&2; exit 2; }
command -v "$QEMU" >/dev/null || { echo "neon_check: $QEMU not found (apt-get install -y qemu-user-static)" >&2; exit 2; }
mkdir -p "$out"

srcs=("$root/native/bench/neon_check.cc" "$root/native/kernels/maxpool_nchw_scalar.cc"
      "$root/native/kernels/maxpool_nchw_neon.cc")
flags=(-std=c++17 -O3 -Wall -Wextra -Werror -static -I"$root/native/kernels")

"$CXX" "${flags[@]}" -o "$out/neon_check" "${srcs[@]}"
"$CXX" "${flags[@]}" -DMAXPOOL2D_NEON_RING_BYTES=512 -DMAXPOOL2D_NEON_INDEX_LIMIT=700 \
  -o "$out/neon_check_small" "${srcs[@]}"

echo "== default ring"
"$QEMU" "$out/neon_check" "$cases" "$seed" $bench
echo "== 512-byte ring, int32 index lanes limited to 700"
"$QEMU" "$out/neon_check_small" "$cases" "$((seed + 1000))"
