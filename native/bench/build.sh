#!/usr/bin/env bash
# Builds the standalone kernel check/benchmark (native/bench/kernel_bench.cc) with g++ directly, compiling
# each kernel TU with its own ISA flags (the same per-file flags as the addon build).
#   OUT=dir (default /tmp/maxpool2d-kernel-bench)  CXX=g++  EXTRA_CXXFLAGS=...
# Produces $OUT/kernel_bench and $OUT/kernel_bench_smallring (ring buffer of 1 KiB: many column chunks).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
k="$here/../kernels"
out="${OUT:-/tmp/maxpool2d-kernel-bench}"
CXX="${CXX:-g++}"
mkdir -p "$out"
common="-std=c++17 -O3 -g -Wall -Wextra ${EXTRA_CXXFLAGS:-}"
avx2="-mavx2 -mfma"
avx512="-mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx2 -mfma"

build() {  # $1 = suffix, $2 = extra defines for the SIMD TUs
  "$CXX" $common -c "$k/maxpool_nchw_scalar.cc" -o "$out/scalar$1.o"
  "$CXX" $common $2 $avx2 -c "$k/maxpool_nchw_avx2.cc" -o "$out/avx2$1.o"
  "$CXX" $common $2 $avx512 -c "$k/maxpool_nchw_avx512.cc" -o "$out/avx512$1.o"
  "$CXX" $common -c "$here/kernel_bench.cc" -o "$out/kernel_bench$1.o"
  "$CXX" -o "$out/kernel_bench$1" "$out/kernel_bench$1.o" "$out/scalar$1.o" "$out/avx2$1.o" "$out/avx512$1.o"
}
build "" ""
build "_smallring" "-DMAXPOOL2D_X86_SCRATCH_BYTES=2048"
echo "built $out/kernel_bench and $out/kernel_bench_smallring"
