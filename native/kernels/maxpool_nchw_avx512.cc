// PLACEHOLDER: forwards to the scalar kernel until the avx512 kernel lands.
#include "kernel_api.h"
#if defined(__x86_64__) || defined(_M_X64)
namespace maxpool2d {
namespace {
void pool_f32(const PoolGeom& g, const float* in, float* out, int64_t* i64, int32_t* i32, int64_t a, int64_t b) {
  kScalarKernels.pool_f32(g, in, out, i64, i32, a, b);
}
void pool_f64(const PoolGeom& g, const double* in, double* out, int64_t* i64, int32_t* i32, int64_t a, int64_t b) {
  kScalarKernels.pool_f64(g, in, out, i64, i32, a, b);
}
}  // namespace
const KernelTable kAvx512Kernels = {"avx512", pool_f32, pool_f64};
}  // namespace maxpool2d
#endif
