// Portable reference kernel: NCHW max pooling, float32 / float64, with optional int64 / int32 indices.
// Compiled without ISA flags; it is the path every other kernel is checked against.
#include <cmath>
#include <limits>

#include "kernel_api.h"
#include "stream_copy.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>  // SSE2: part of x86-64 itself
#endif

namespace maxpool2d {
namespace {

// First tap of a window at or after 0: the window start stepped by the dilation (PyTorch's index rule).
inline int64_t first_tap(int64_t start, int64_t d) {
  if (start >= 0) return start;
  return start + ((-start + d - 1) / d) * d;
}

// One past the last tap of a window, clipped to the input.
inline int64_t end_tap(int64_t start, int64_t k, int64_t d, int64_t n) {
  const int64_t e = start + (k - 1) * d + 1;
  return e < n ? e : n;
}

template <typename T, typename I>
void pool_plane(const PoolGeom& g, const T* in, T* out, I* idx, int64_t oh0, int64_t oh1) {
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    const int64_t hs = oh * g.sH - g.pH;
    const int64_t h0 = first_tap(hs, g.dH);
    const int64_t h1 = end_tap(hs, g.kH, g.dH, g.H);
    for (int64_t ow = 0; ow < g.OW; ++ow) {
      const int64_t ws = ow * g.sW - g.pW;
      const int64_t w0 = first_tap(ws, g.dW);
      const int64_t w1 = end_tap(ws, g.kW, g.dW, g.W);
      T m = -std::numeric_limits<T>::infinity();
      int64_t mi = h0 * g.W + w0;
      for (int64_t h = h0; h < h1; h += g.dH) {
        const T* row = in + h * g.W;
        for (int64_t w = w0; w < w1; w += g.dW) {
          const T v = row[w];
          if (v > m || v != v) {
            m = v;
            mi = h * g.W + w;
          }
        }
      }
      out[oh * g.OW + ow] = m;
      if (idx) idx[oh * g.OW + ow] = static_cast<I>(mi);
    }
  }
}

template <typename T>
void pool(const PoolGeom& g, const T* in, T* out, int64_t* idx64, int32_t* idx32, int64_t oh0, int64_t oh1) {
  if (idx64) {
    pool_plane<T, int64_t>(g, in, out, idx64, oh0, oh1);
  } else if (idx32) {
    pool_plane<T, int32_t>(g, in, out, idx32, oh0, oh1);
  } else {
    pool_plane<T, int64_t>(g, in, out, static_cast<int64_t*>(nullptr), oh0, oh1);
  }
}

void pool_f32(const PoolGeom& g, const float* in, float* out, int64_t* i64, int32_t* i32, int64_t a, int64_t b) {
  pool<float>(g, in, out, i64, i32, a, b);
}
void pool_f64(const PoolGeom& g, const double* in, double* out, int64_t* i64, int32_t* i32, int64_t a, int64_t b) {
  pool<double>(g, in, out, i64, i32, a, b);
}

#if defined(__x86_64__) || defined(_M_X64)
void stream_copy(void* dst, const void* src, size_t bytes) {
  stream_copy_blocks<16>(dst, src, bytes, [](char* d, const char* s) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(d), _mm_loadu_si128(reinterpret_cast<const __m128i*>(s)));
  });
}
constexpr StreamCopyFn kStreamCopy = stream_copy;
#else
constexpr StreamCopyFn kStreamCopy = nullptr;
#endif

}  // namespace

const KernelTable kScalarKernels = {"scalar", pool_f32, pool_f64, kStreamCopy};

}  // namespace maxpool2d
