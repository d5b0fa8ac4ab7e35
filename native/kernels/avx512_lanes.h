// AVX-512 (F/BW/VL/DQ) lane operations shared by the generic-dtype kernels (maxpool_generic_avx512.cc,
// maxpool_nhwc_avx512.cc): per (integer type, width) wrappers of the intrinsics, and the float16 / bfloat16
// float32-embedding converters (half_embed.h). Include only from TUs compiled with the AVX-512 flags; every
// definition has internal linkage.
#pragma once
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 headers initialise their "undefined" vectors with themselves (see maxpool_nchw_avx512.cc).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "half_embed.h"

namespace maxpool2d {
namespace {

inline uint64_t zi_bits(int64_t lo, int64_t hi, int64_t L) {  // bits [lo, hi) of [0, L)
  if (lo < 0) lo = 0;
  if (hi > L) hi = L;
  if (hi <= lo) return 0;
  const uint64_t below_hi = hi >= 64 ? ~uint64_t(0) : (uint64_t(1) << hi) - 1;
  return below_hi & ~((uint64_t(1) << lo) - 1);
}

// ---------------------------------------------------------------------------------- per-width operations
// One struct per (element type, vector width): the handful of intrinsics the traits below need.
#define ZI_OPS(NAME, E, VEC, MASK, SET1, LOADU, STOREU, MLOAD, MSTORE, MAX, CMPGT, BLEND)          \
  struct NAME {                                                                                     \
    typedef E T;                                                                                    \
    typedef VEC V;                                                                                  \
    typedef MASK M;                                                                                 \
    static inline V set1(E x) { return SET1(x); }                                                   \
    static inline V loadu(const E* p) { return LOADU(reinterpret_cast<const V*>(p)); }            \
    static inline void storeu(E* p, V v) { STOREU(reinterpret_cast<V*>(p), v); }                  \
    static inline V mload(V src, M m, const E* p) { return MLOAD(src, m, p); }                      \
    static inline void mstore(E* p, M m, V v) { MSTORE(p, m, v); }                                  \
    static inline V max(V a, V b) { return MAX(a, b); }                                             \
    static inline M gt(V a, V b) { return CMPGT(a, b); }                                            \
    static inline V blend(M m, V a, V b) { return BLEND(m, a, b); }                                 \
  };

// 512-bit (values only, full width).
ZI_OPS(ZS8x64, int8_t, __m512i, __mmask64, _mm512_set1_epi8, _mm512_loadu_si512, _mm512_storeu_si512,
       _mm512_mask_loadu_epi8, _mm512_mask_storeu_epi8, _mm512_max_epi8, _mm512_cmpgt_epi8_mask,
       _mm512_mask_blend_epi8)
ZI_OPS(ZU8x64, uint8_t, __m512i, __mmask64, _mm512_set1_epi8, _mm512_loadu_si512, _mm512_storeu_si512,
       _mm512_mask_loadu_epi8, _mm512_mask_storeu_epi8, _mm512_max_epu8, _mm512_cmpgt_epu8_mask,
       _mm512_mask_blend_epi8)
ZI_OPS(ZS16x32, int16_t, __m512i, __mmask32, _mm512_set1_epi16, _mm512_loadu_si512, _mm512_storeu_si512,
       _mm512_mask_loadu_epi16, _mm512_mask_storeu_epi16, _mm512_max_epi16, _mm512_cmpgt_epi16_mask,
       _mm512_mask_blend_epi16)
ZI_OPS(ZU16x32, uint16_t, __m512i, __mmask32, _mm512_set1_epi16, _mm512_loadu_si512, _mm512_storeu_si512,
       _mm512_mask_loadu_epi16, _mm512_mask_storeu_epi16, _mm512_max_epu16, _mm512_cmpgt_epu16_mask,
       _mm512_mask_blend_epi16)
ZI_OPS(ZS32x16, int32_t, __m512i, __mmask16, _mm512_set1_epi32, _mm512_loadu_si512, _mm512_storeu_si512,
       _mm512_mask_loadu_epi32, _mm512_mask_storeu_epi32, _mm512_max_epi32, _mm512_cmpgt_epi32_mask,
       _mm512_mask_blend_epi32)
// 16 lanes of 8 / 16 bits (with indices: one zmm of int32 indices per vector).
ZI_OPS(ZS8x16, int8_t, __m128i, __mmask16, _mm_set1_epi8, _mm_loadu_si128, _mm_storeu_si128, _mm_mask_loadu_epi8,
       _mm_mask_storeu_epi8, _mm_max_epi8, _mm_cmpgt_epi8_mask, _mm_mask_blend_epi8)
ZI_OPS(ZU8x16, uint8_t, __m128i, __mmask16, _mm_set1_epi8, _mm_loadu_si128, _mm_storeu_si128, _mm_mask_loadu_epi8,
       _mm_mask_storeu_epi8, _mm_max_epu8, _mm_cmpgt_epu8_mask, _mm_mask_blend_epi8)
ZI_OPS(ZS16x16, int16_t, __m256i, __mmask16, _mm256_set1_epi16, _mm256_loadu_si256, _mm256_storeu_si256,
       _mm256_mask_loadu_epi16, _mm256_mask_storeu_epi16, _mm256_max_epi16, _mm256_cmpgt_epi16_mask,
       _mm256_mask_blend_epi16)
ZI_OPS(ZU16x16, uint16_t, __m256i, __mmask16, _mm256_set1_epi16, _mm256_loadu_si256, _mm256_storeu_si256,
       _mm256_mask_loadu_epi16, _mm256_mask_storeu_epi16, _mm256_max_epu16, _mm256_cmpgt_epu16_mask,
       _mm256_mask_blend_epi16)
#undef ZI_OPS

template <typename E>
inline E zi_lowest() {
  return E(E(0) - 1) > E(0) ? E(0) : E(E(1) << (sizeof(E) * 8 - 1));
}


// ---------------------------------------------------------------------------------- half converters
struct Avx512HalfConv {
  // 16 halves -> their float32 embedding (half_embed.h): the value, or 0x7fc00000 | bits for a NaN.
  static inline __m512 embed16(bool bf16, __m256i h) {
    const __m512i wide = _mm512_cvtepu16_epi32(h);
    const __m512 f = bf16 ? _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16)) : _mm512_cvtph_ps(h);
    const __mmask16 nan = _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q);
    return _mm512_mask_mov_ps(f, nan, _mm512_castsi512_ps(_mm512_or_si512(wide, _mm512_set1_epi32(kHalfNanEmbed))));
  }
  static inline __m256i unembed16(bool bf16, __m512 f) {
    const __m512i b = _mm512_castps_si512(f);
    const __mmask16 nan = _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q);
    // Numbers came from the half type: the rounding mode does not matter, the conversion is exact.
    const __m256i h = bf16 ? _mm512_cvtepi32_epi16(_mm512_srli_epi32(b, 16))
                           : _mm512_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm256_mask_blend_epi16(nan, h, _mm512_cvtepi32_epi16(b));
  }
  static void embed(bool bf16, const uint16_t* src, float* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      _mm512_storeu_ps(dst + i, embed16(bf16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i))));
    }
    if (i < n) {
      const __mmask16 m = static_cast<__mmask16>(zi_bits(0, n - i, 16));
      _mm512_mask_storeu_ps(dst + i, m, embed16(bf16, _mm256_maskz_loadu_epi16(m, src + i)));
    }
  }
  static void unembed(bool bf16, const float* src, uint16_t* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), unembed16(bf16, _mm512_loadu_ps(src + i)));
    }
    if (i < n) {
      const __mmask16 m = static_cast<__mmask16>(zi_bits(0, n - i, 16));
      _mm256_mask_storeu_epi16(dst + i, m, unembed16(bf16, _mm512_maskz_loadu_ps(m, src + i)));
    }
  }
};

}  // namespace
}  // namespace maxpool2d
