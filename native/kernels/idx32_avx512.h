// int32 index lanes in one zmm: the index half of the AVX-512 row-driver traits (pool_rows.h) for 16-lane
// vectors, shared by the float32 traits (maxpool_nchw_avx512.cc) and the integer ones with indices
// (maxpool_generic_avx512.cc), which inherit it. Include only from TUs compiled with the AVX-512 flags.
// kVshufpsOrder: stride-2 lanes come in vshufps order (lane p holds column 0 1 8 9 2 3 10 11 4 5 12 13 6 7 14 15),
// which iota_s then follows when asked (`perm`).
#pragma once
#include <immintrin.h>

#include <cstdint>

namespace maxpool2d {
namespace {

template <bool kVshufpsOrder>
struct ZIdx32 {
  typedef __m512i IV;
  typedef int32_t IS;

  static inline IV seli(__mmask16 k, IV a, IV b) { return _mm512_mask_blend_epi32(k, a, b); }
  static inline IV iset(int64_t x) { return _mm512_set1_epi32(static_cast<int32_t>(x)); }
  static inline IV iadd(IV a, IV b) { return _mm512_add_epi32(a, b); }
  static inline IV iota_s(int64_t s, bool perm) {
    const __m512i io = perm && kVshufpsOrder
                           ? _mm512_setr_epi32(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15)
                           : _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm512_mullo_epi32(io, _mm512_set1_epi32(static_cast<int32_t>(s)));
  }
  static inline IV neg_clamp(IV x) {
    return _mm512_max_epi32(_mm512_setzero_si512(), _mm512_sub_epi32(_mm512_setzero_si512(), x));
  }
  static inline void to_arr(IV x, int64_t* a) {
    alignas(64) int32_t t[16];
    _mm512_store_si512(t, x);
    for (int l = 0; l < 16; ++l) a[l] = t[l];
  }
  static inline IV from_arr(const int64_t* a) {
    alignas(64) int32_t t[16];
    for (int l = 0; l < 16; ++l) t[l] = static_cast<int32_t>(a[l]);
    return _mm512_load_si512(t);
  }
  static inline void ist(IS* p, IV v) { _mm512_storeu_si512(p, v); }
  static inline IV ild(const IS* p) { return _mm512_loadu_si512(p); }
  // The first n (0..16) lanes, widened to int64 / as they are.
  static inline void store_idx(int64_t* p, IV v, int n) {
    const __m512i lo = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(v));
    const __m512i hi = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(v, 1));
    if (n == 16) {
      _mm512_storeu_si512(p, lo);
      _mm512_storeu_si512(p + 8, hi);
    } else {
      _mm512_mask_storeu_epi64(p, static_cast<__mmask8>(n >= 8 ? 0xFFu : (1u << n) - 1u), lo);
      _mm512_mask_storeu_epi64(p + 8, static_cast<__mmask8>(n > 8 ? (1u << (n - 8)) - 1u : 0u), hi);
    }
  }
  static inline void store_idx(int32_t* p, IV v, int n) {
    if (n == 16)
      _mm512_storeu_si512(p, v);
    else
      _mm512_mask_storeu_epi32(p, static_cast<__mmask16>((1u << n) - 1u), v);
  }
};

}  // namespace
}  // namespace maxpool2d
