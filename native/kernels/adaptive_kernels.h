// Adaptive max pooling kernels (adaptive_kernel.cc), every dtype, NCHW. One source compiled three times on x86-64:
// without ISA flags (adaptive_planes; also the only build elsewhere, e.g. AArch64 where NEON is baseline), with
// AVX2 flags (adaptive_planes_avx2) and with AVX-512 flags (adaptive_planes_avx512). adaptive_op.cc picks the build
// that matches the environment's active kernel table, so setIsa() lowers this op's ISA too.
//
// Bins (PyTorch, aten/src/ATen/native/AdaptivePooling.h): output row i of OH covers input rows
// [floor(i*H/OH), ceil((i+1)*H/OH)), likewise for columns. Each bin's result is what a row-major scan gives from
// (-inf or the integer type's lowest value, the bin's first element) with `v > max || v != v`: the first maximum,
// or the last NaN when there is one (halves compare by value, -0 == +0). The winner's bits are copied exactly.
//
// Algorithm, per output row: a vertical pass reduces the bin's input rows column by column (vectorised across
// columns: each column keeps its best key and the row it came from), then each bin combines its columns under the
// scan's total order (any NaN beats a number, a later NaN beats an earlier one; a larger number wins, equal numbers
// keep the earlier index). 1x1 output (global max pooling) reduces the plane as rows of one key vector. (Bins that
// tile the input never come here: adaptive_op.cc runs them as MaxPool2d windows on the forward kernels.)
#pragma once
#include <cstdint>

#include "generic_kernels.h"

namespace maxpool2d {

struct AdaptiveGeom {
  int64_t H, W, OH, OW;  // H, W >= 1
};

// Pools output rows [oh0, oh1) of planes [p0, p1). `in`, `out`, `idx64` / `idx32` are the tensors' bases
// (plane p starts at p*H*W in `in`, p*OH*OW in `out` and the indices). At most one index pointer is set.
using AdaptiveFn = void (*)(ElemType type, const AdaptiveGeom& g, const void* in, void* out, int64_t* idx64,
                            int32_t* idx32, int64_t p0, int64_t p1, int64_t oh0, int64_t oh1);

void adaptive_planes(ElemType type, const AdaptiveGeom& g, const void* in, void* out, int64_t* idx64, int32_t* idx32,
                     int64_t p0, int64_t p1, int64_t oh0, int64_t oh1);
#if defined(__x86_64__) || defined(_M_X64)
void adaptive_planes_avx2(ElemType type, const AdaptiveGeom& g, const void* in, void* out, int64_t* idx64,
                          int32_t* idx32, int64_t p0, int64_t p1, int64_t oh0, int64_t oh1);
void adaptive_planes_avx512(ElemType type, const AdaptiveGeom& g, const void* in, void* out, int64_t* idx64,
                            int32_t* idx32, int64_t p0, int64_t p1, int64_t oh0, int64_t oh1);
#endif

}  // namespace maxpool2d
