// The contract between the addon (dispatch, threads, safety checks) and the per-ISA kernels.
//
// Each ISA translation unit (maxpool_nchw_<isa>.cc, compiled with its own -m flags) defines one
// `const KernelTable k<Isa>Kernels` in namespace maxpool2d. The addon picks one table at load time.
//
// Semantics every kernel must reproduce bit for bit (PyTorch 1.13, see ../shared/golden/SEMANTICS.md):
//  - output (oh, ow) scans taps h = oh*sH - pH + i*dH (i < kH), w = ow*sW - pW + j*dW (j < kW), h outer, w inner,
//    skipping taps outside [0,H) x [0,W) (padding is never selected);
//  - it starts from max = -inf, idx = h0*W + w0 where h0 (w0) is the window start stepped by dH (dW) until >= 0
//    (that is the first in-bounds tap, or a position outside the input when the window has none);
//  - a tap v replaces (max, idx) when `v > max || v != v` (ties keep the first; NaN keeps the last NaN).
//    Reducing each row of the window first and then the rows in order gives the same result, bit for bit.
//
// Memory safety contract: the addon has checked that `in` holds H*W elements and `out` / `idx` hold OH*OW,
// and that every plan field is in range (k, s, d >= 1; p >= 0). It has NOT checked that OH/OW follow the
// output-size formula, so a kernel must clip every tap to [0,H) x [0,W) for any OH/OW, never assume it.
#pragma once
#include <cstddef>
#include <cstdint>

namespace maxpool2d {

struct PoolGeom {
  int64_t H, W;    // input plane
  int64_t OH, OW;  // output plane
  int64_t kH, kW, sH, sW, pH, pW, dH, dW;
  // Not geometry, a hint (pool_op.cc sets it): the input is too large for the caches, the call pools the whole
  // plane, and the next plane follows it in memory, so a kernel may prefetch that plane while it pools this one.
  bool prefetch_next_plane = false;
};

// Pools output rows [oh0, oh1) of one plane. Exactly one of idx64 / idx32 may be non-null (or neither:
// values only). Pointers are plane bases (in: H*W, out/idx: OH*OW).
using PoolF32Fn = void (*)(const PoolGeom& g, const float* in, float* out, int64_t* idx64, int32_t* idx32,
                           int64_t oh0, int64_t oh1);
using PoolF64Fn = void (*)(const PoolGeom& g, const double* in, double* out, int64_t* idx64, int32_t* idx32,
                           int64_t oh0, int64_t oh1);

// Copies `bytes` from src to dst with streaming (non-temporal) stores where dst is aligned for them: the
// destination lines are not read before they are written and do not fill the caches. The caller fences (sfence)
// before anyone else may read dst.
using StreamCopyFn = void (*)(void* dst, const void* src, size_t bytes);

struct KernelTable {
  const char* name;  // "scalar" | "avx2" | "avx512" | "neon"
  PoolF32Fn pool_f32;
  PoolF64Fn pool_f64;
  StreamCopyFn stream_copy;  // null where there are no streaming stores: outputs are then written directly
};

extern const KernelTable kScalarKernels;
#if defined(__x86_64__) || defined(_M_X64)
extern const KernelTable kAvx2Kernels;
extern const KernelTable kAvx512Kernels;
#endif
#if defined(__aarch64__)
extern const KernelTable kNeonKernels;
#endif

}  // namespace maxpool2d
