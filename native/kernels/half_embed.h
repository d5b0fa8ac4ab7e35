// float16 / bfloat16 NCHW pooling through a float32 kernel: the input rows a call reads are converted to
// float32 in a per-thread scratch plane, the active float32 kernel (kernel_api.h) pools them, and its results
// are converted back. This is exact because the conversion is an embedding that the pooling rule cannot tell
// from the half values themselves:
//  - numbers and infinities become the float32 of the same value (exact; -0 stays -0, so -0 == +0 ties and
//    keeps the first, as the rule does on the half values);
//  - a NaN becomes the quiet float32 NaN 0x7fc00000 | bits, carrying the half's 16 bits in its low mantissa.
//    The float32 kernels copy the winning NaN's bits unchanged, so the half's exact bits (signalling NaNs
//    and payloads included) come back from the low 16 bits; a NaN never goes through a float16 rounding.
//  - every number that comes back is a value of the half type, so the reverse conversion is exact too; an
//    empty window's -inf comes back as the half -inf (0xfc00 / 0xff80), the generic kernel's value.
// Indices are written by the float32 kernel directly (positions do not depend on the element type).
//
// Included by one baseline TU (maxpool_half.cc, scalar converters) and by the AVX-512 generic TU (vector
// converters): everything here has internal linkage, and no std template is instantiated.
#pragma once
#include <cstdint>
#include <cstring>
#include <new>

#include "generic_kernels.h"
#include "half_bits.h"

namespace maxpool2d {
namespace {

constexpr uint32_t kHalfNanEmbed = 0x7fc00000u;

// Scalar embeddings (branch-free, so the row loops vectorise).
inline uint32_t f16_embed(uint16_t h) {
  const uint32_t mag = h & 0x7fffu;
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  // Normal and infinity: rebias the exponent (infinity's all-ones exponent separately).
  const uint32_t normal = (mag << 13) + ((127 - 15) << 23);
  const uint32_t inf = 0x7f800000u;
  // Subnormal and zero: the mantissa times 2^-24 (exact in float32).
  const uint32_t sub = bits_of_float(static_cast<float>(mag) * 0x1.0p-24f);
  const uint32_t value = mag >= 0x0400u ? (mag >= 0x7c00u ? inf : normal) : sub;
  return mag > 0x7c00u ? (kHalfNanEmbed | h) : (sign | value);
}

inline uint16_t f16_unembed(uint32_t b) {
  const uint32_t a = b & 0x7fffffffu;
  const uint32_t sign = (b >> 16) & 0x8000u;
  const uint32_t normal = (a >> 13) - ((127 - 15) << 10);
  // Subnormal and zero: an integer below 1024 (the operand is zeroed for the other lanes, so the float ->
  // integer conversion never overflows).
  const uint32_t sub = static_cast<uint32_t>(float_of_bits(a < 0x38800000u ? a : 0u) * 0x1.0p24f);
  const uint32_t mag = a >= 0x7f800000u ? 0x7c00u : (a >= 0x38800000u ? normal : sub);
  return static_cast<uint16_t>(a > 0x7f800000u ? (b & 0xffffu) : (sign | mag));
}

inline uint32_t bf16_embed(uint16_t h) {
  return (h & 0x7fffu) > 0x7f80u ? (kHalfNanEmbed | h) : static_cast<uint32_t>(h) << 16;
}

inline uint16_t bf16_unembed(uint32_t b) {
  return static_cast<uint16_t>((b & 0x7fffffffu) > 0x7f800000u ? (b & 0xffffu) : (b >> 16));
}

// Scalar row converters (the baseline TU's Conv for half_via_f32).
// (Bits move through memcpy, not through a uint32_t view of the float scratch: no aliasing question.)
struct ScalarHalfConv {
  static void embed(bool bf16, const uint16_t* __restrict src, float* __restrict dst, int64_t n) {
    if (bf16) {
      for (int64_t i = 0; i < n; ++i) dst[i] = float_of_bits(bf16_embed(src[i]));
    } else {
      for (int64_t i = 0; i < n; ++i) dst[i] = float_of_bits(f16_embed(src[i]));
    }
  }
  static void unembed(bool bf16, const float* __restrict src, uint16_t* __restrict dst, int64_t n) {
    if (bf16) {
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16_unembed(bits_of_float(src[i]));
    } else {
      for (int64_t i = 0; i < n; ++i) dst[i] = f16_unembed(bits_of_float(src[i]));
    }
  }
};

// A float32 scratch plane per thread, kept between calls up to kKeep elements (larger ones are freed after
// the call, so a huge tensor does not pin memory in every pool thread).
class HalfScratch {
 public:
  static constexpr int64_t kKeep = int64_t(1) << 22;  // 16 MiB
  ~HalfScratch() { delete[] p_; }
  // n elements, or null when the allocation fails (the caller falls back to the generic kernel).
  float* get(int64_t n) {
    if (n <= cap_) return p_;
    delete[] p_;
    p_ = new (std::nothrow) float[static_cast<size_t>(n)];
    cap_ = p_ ? n : 0;
    return p_;
  }
  void trim() {
    if (cap_ > kKeep) {
      delete[] p_;
      p_ = nullptr;
      cap_ = 0;
    }
  }

 private:
  float* p_ = nullptr;
  int64_t cap_ = 0;
};

// Pools rows [oh0, oh1) of one half plane with `f32`. Returns false (nothing written) when the scratch cannot
// be allocated.
template <class Conv>
bool half_via_f32(bool bf16, PoolF32Fn f32, const PoolGeom& g, const uint16_t* in, uint16_t* out, int64_t* idx64,
                  int32_t* idx32, int64_t oh0, int64_t oh1) {
  if (oh0 >= oh1) return true;
  static thread_local HalfScratch scratch;
  const int64_t plane = g.H * g.W, out_plane = g.OH * g.OW;
  float* buf = scratch.get(plane + out_plane);
  if (!buf) return false;
  // Input rows the windows of [oh0, oh1) reach, and beyond them the rows a float32 kernel's full-width loads
  // may run into (they read past a row's end by less than `span` elements, results discarded): converted
  // too, so every float the kernel reads is a defined value. The rest of the scratch plane is never read.
  // (The first window's start, clipped: with dilation a later window may reach rows above the first's taps.)
  int64_t h0 = oh0 * g.sH - g.pH;
  if (h0 < 0) h0 = 0;
  int64_t h1 = (oh1 - 1) * g.sH - g.pH + (g.kH - 1) * g.dH + 1;
  if (h0 > g.H) h0 = g.H;
  if (h1 > g.H) h1 = g.H;
  if (h1 < h0) h1 = h0;
  const int64_t span = g.sW >= g.W ? plane : 32 * (g.sW + 2) + (g.kW - 1) * g.dW;
  const int64_t extra = span / (g.W > 0 ? g.W : 1) + 2;
  h1 = extra >= g.H - h1 ? g.H : h1 + extra;
  Conv::embed(bf16, in + h0 * g.W, buf + h0 * g.W, (h1 - h0) * g.W);
  float* fout = buf + plane;
  f32(g, buf, fout, idx64, idx32, oh0, oh1);
  Conv::unembed(bf16, fout + oh0 * g.OW, out + oh0 * g.OW, (oh1 - oh0) * g.OW);
  scratch.trim();
  return true;
}

}  // namespace
}  // namespace maxpool2d
