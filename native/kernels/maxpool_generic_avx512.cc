// AVX-512 (F/BW/VL/DQ) kernels for the dtypes the float tables do not cover, NCHW (generic_kernels.h):
//  - int8 / uint8 / int16 / uint16 / int32 through the shared row driver (pool_rows.h) with integer vector
//    traits. Values only: full 512-bit vectors (64 / 32 / 16 lanes) and a plain vpmax{s,u}{b,w,d}, which is
//    the rule exactly (no NaN; ties keep either, they are the same bits). With indices: 16 lanes, the values
//    in an xmm / ymm / zmm, a compare-greater mask (ties keep the first) and masked blends of the value and
//    of 16 int32 index lanes (widened at the store for int64 indices).
//    Stride-2 taps de-interleave with vpackus (in-lane), the lane order undone once per stored vector; the
//    8- and 16-bit traits have no gather, so strides above 2 go to the generic kernel.
//    Edge vectors load with the type's lowest value outside the row (masked, fault-suppressing loads), the
//    rule's start value, so padding never wins.
//  - float16 / bfloat16 through the float32 kernel (half_embed.h) with vcvtph2ps / vcvtps2ph converters.
#include "generic_kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "avx512_lanes.h"
#include "idx32_avx512.h"
#include "pool_rows.h"

namespace maxpool2d {
namespace {

// Stride-2 de-interleave of two vectors (a = columns [0, L), b = [L, 2L) of the pair stream) into the even /
// odd elements. 8 / 16 bits: vpackus of the low / high halves of each 16 / 32-bit pair, in 128-bit lanes; for
// 512-bit vectors the 8-byte chunks then come in column order 0 4 1 5 2 6 3 7 (undone by zi_unperm64), for
// 256-bit ones a vpermq puts them in order, for 128-bit ones they already are. 32 bits: vshufps, as ZF32.
inline __m512i zi_ev8(__m512i a, __m512i b) {
  const __m512i lo = _mm512_set1_epi16(0x00ff);
  return _mm512_packus_epi16(_mm512_and_si512(a, lo), _mm512_and_si512(b, lo));
}
inline __m512i zi_od8(__m512i a, __m512i b) {
  return _mm512_packus_epi16(_mm512_srli_epi16(a, 8), _mm512_srli_epi16(b, 8));
}
inline __m512i zi_ev16(__m512i a, __m512i b) {
  const __m512i lo = _mm512_set1_epi32(0xffff);
  return _mm512_packus_epi32(_mm512_and_si512(a, lo), _mm512_and_si512(b, lo));
}
inline __m512i zi_od16(__m512i a, __m512i b) {
  return _mm512_packus_epi32(_mm512_srli_epi32(a, 16), _mm512_srli_epi32(b, 16));
}
inline __m512i zi_unperm64(__m512i v) { return _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7), v); }
inline __m128i zi_ev8(__m128i a, __m128i b) {
  const __m128i lo = _mm_set1_epi16(0x00ff);
  return _mm_packus_epi16(_mm_and_si128(a, lo), _mm_and_si128(b, lo));
}
inline __m128i zi_od8(__m128i a, __m128i b) { return _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8)); }
inline __m256i zi_ev16(__m256i a, __m256i b) {
  const __m256i lo = _mm256_set1_epi32(0xffff);
  return _mm256_permute4x64_epi64(_mm256_packus_epi32(_mm256_and_si256(a, lo), _mm256_and_si256(b, lo)), 0xD8);
}
inline __m256i zi_od16(__m256i a, __m256i b) {
  return _mm256_permute4x64_epi64(_mm256_packus_epi32(_mm256_srli_epi32(a, 16), _mm256_srli_epi32(b, 16)), 0xD8);
}
inline __m512i zi_ev32(__m512i a, __m512i b) {
  return _mm512_castps_si512(_mm512_shuffle_ps(_mm512_castsi512_ps(a), _mm512_castsi512_ps(b), 0x88));
}
inline __m512i zi_od32(__m512i a, __m512i b) {
  return _mm512_castps_si512(_mm512_shuffle_ps(_mm512_castsi512_ps(a), _mm512_castsi512_ps(b), 0xDD));
}
// vshufps lane order (see ZF32): lane p holds column 0 1 8 9 2 3 10 11 4 5 12 13 6 7 14 15.
inline __m512i zi_unperm32(__m512i v) {
  return _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15), v);
}
// The even / odd elements of T for vectors of either width (the overload of V's width).
template <typename T, typename V>
inline V zi_ev(V a, V b) {
  if constexpr (sizeof(T) == 1) return zi_ev8(a, b);
  else if constexpr (sizeof(T) == 2) return zi_ev16(a, b);
  else return zi_ev32(a, b);
}
template <typename T, typename V>
inline V zi_od(V a, V b) {
  if constexpr (sizeof(T) == 1) return zi_od8(a, b);
  else if constexpr (sizeof(T) == 2) return zi_od16(a, b);
  else return zi_od32(a, b);
}

// ---------------------------------------------------------------------------------- values-only traits
// Full 512-bit vectors; no index lanes (IV is a placeholder the driver computes and never stores; the index
// mode is not compiled for these traits: pr_pool<..., true, false>).
template <class O>
struct ZIntValues {
  typedef typename O::T T;
  typedef __m512i V;
  typedef __m512i IV;
  typedef typename O::M M;
  typedef typename O::M LM;
  typedef int32_t IS;
  static constexpr int L = static_cast<int>(64 / sizeof(T));
  static constexpr bool kPerm2 = true;
  static constexpr bool kNoGather = true;
  // Compile-time widths (pool_rows.h): the stride-2 ones for the 8-bit types, none for the wider ones (size).
  static constexpr int kWidths = sizeof(T) == 1 ? 1 : 0;

  static inline V ninf() { return O::set1(zi_lowest<T>()); }
  static inline V loadu(const T* p) { return O::loadu(p); }
  static inline LM lmask(int64_t lo, int64_t hi) { return static_cast<LM>(zi_bits(lo, hi, L)); }
  static inline LM land(LM a, LM b) { return static_cast<LM>(a & b); }
  static inline LM lmask_bits(uint64_t bits) { return static_cast<LM>(bits); }
  static inline V load_m(const T* p, LM m, const T*, const T*) { return O::mload(ninf(), m, p); }
  static inline V ev(V a, V b) { return zi_ev<T>(a, b); }
  static inline V od(V a, V b) { return zi_od<T>(a, b); }
  static inline V unperm(V v) {
    if constexpr (sizeof(T) == 4) return zi_unperm32(v);
    else return zi_unperm64(v);
  }
  static inline V gather(const T*, IV, int64_t) { return ninf(); }  // never called (kNoGather)
  static inline V op(V m, V b) { return O::max(m, b); }
  static inline M upd(V m, V b) { return O::gt(b, m); }
  static inline V sel(M k, V m, V b) { return O::blend(k, m, b); }
  // Index placeholders.
  static inline IV seli(M, IV a, IV) { return a; }
  static inline IV iset(int64_t) { return _mm512_setzero_si512(); }
  static inline IV iadd(IV a, IV) { return a; }
  static inline IV iota_s(int64_t, bool) { return _mm512_setzero_si512(); }
  static inline IV neg_clamp(IV x) { return x; }
  static inline void to_arr(IV, int64_t* a) {
    for (int l = 0; l < L; ++l) a[l] = 0;
  }
  static inline IV from_arr(const int64_t*) { return _mm512_setzero_si512(); }
  static inline IV unperm_i(IV v) { return v; }
  static inline void ist(IS*, IV) {}
  static inline IV ild(const IS*) { return _mm512_setzero_si512(); }
  static inline void store_idx(int64_t*, IV, int) {}
  static inline void store_idx(int32_t*, IV, int) {}

  static inline void vst(T* p, V v) { O::storeu(p, v); }
  static inline V vld(const T* p) { return O::loadu(p); }
  static inline void store(T* p, V v, int n) {
    if (n == L)
      O::storeu(p, v);
    else
      O::mstore(p, lmask(0, n), v);
  }
};

// ---------------------------------------------------------------------------------- index traits
// 16 lanes: the values in O's vector, the indices in one zmm of int32 (as ZF32).
template <class O>
struct ZIntIndexed : ZIdx32<sizeof(typename O::T) == 4> {
  typedef typename O::T T;
  typedef typename O::V V;
  typedef __m512i IV;
  typedef __mmask16 M;
  typedef __mmask16 LM;
  typedef int32_t IS;
  static constexpr int L = 16;
  static constexpr bool kPerm2 = sizeof(T) == 4;  // vshufps order; the 8 / 16-bit de-interleaves are in order
  static constexpr int kWidths = sizeof(T) == 1 ? 1 : 0;  // as ZIntValues

  static inline V ninf() { return O::set1(zi_lowest<T>()); }
  static inline V loadu(const T* p) { return O::loadu(p); }
  static inline LM lmask(int64_t lo, int64_t hi) { return static_cast<LM>(zi_bits(lo, hi, L)); }
  static inline LM land(LM a, LM b) { return static_cast<LM>(a & b); }
  static inline LM lmask_bits(uint64_t bits) { return static_cast<LM>(bits); }
  static inline V load_m(const T* p, LM m, const T*, const T*) { return O::mload(ninf(), m, p); }
  static inline V ev(V a, V b) { return zi_ev<T>(a, b); }
  static inline V od(V a, V b) { return zi_od<T>(a, b); }
  static inline V unperm(V v) {
    if constexpr (sizeof(T) == 4) return zi_unperm32(v);
    else return v;
  }
  static inline IV unperm_i(IV v) {
    if constexpr (sizeof(T) == 4) return zi_unperm32(v);
    else return v;
  }
  static inline V gather(const T* row, IV w, int64_t W) {
    if constexpr (sizeof(T) == 4) {
      const M k = _mm512_cmpge_epi32_mask(w, _mm512_setzero_si512()) &
                  _mm512_cmplt_epi32_mask(w, _mm512_set1_epi32(static_cast<int32_t>(W)));
      return _mm512_mask_i32gather_epi32(ninf(), k, w, row, 4);
    } else {
      (void)row;
      (void)w;
      (void)W;
      return ninf();  // never called (kNoGather below)
    }
  }
  static inline V op(V m, V b) { return O::max(m, b); }
  static inline M upd(V m, V b) { return O::gt(b, m); }
  static inline V sel(M k, V m, V b) { return O::blend(k, m, b); }
  static inline void vst(T* p, V v) { O::storeu(p, v); }
  static inline V vld(const T* p) { return O::loadu(p); }
  static inline void store(T* p, V v, int n) {
    if (n == L)
      O::storeu(p, v);
    else
      O::mstore(p, lmask(0, n), v);
  }
};

// The 8 / 16-bit index traits: no gather of bytes / words inside the row.
template <class O>
struct ZIntIndexedNoGather : ZIntIndexed<O> {
  static constexpr bool kNoGather = true;
};

template <class Values, class Indexed>
bool pool_int(const PoolGeom& g, const void* in, void* out, int64_t* i64, int32_t* i32, int64_t oh0, int64_t oh1) {
  typedef typename Values::T T;
  const T* x = static_cast<const T*>(in);
  T* y = static_cast<T*>(out);
  if (i64 || i32) return pr_pool<Indexed, false, true>(g, x, y, i64, i32, oh0, oh1);
  return pr_pool<Values, true, false>(g, x, y, nullptr, nullptr, oh0, oh1);
}

}  // namespace

bool pool_nchw_int_avx512(ElemType type, const PoolGeom& g, const void* in, void* out, int64_t* idx64,
                          int32_t* idx32, int64_t oh0, int64_t oh1) {
  switch (type) {
    case ElemType::kInt8:
      return pool_int<ZIntValues<ZS8x64>, ZIntIndexedNoGather<ZS8x16>>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kUint8:
      return pool_int<ZIntValues<ZU8x64>, ZIntIndexedNoGather<ZU8x16>>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kInt16:
      return pool_int<ZIntValues<ZS16x32>, ZIntIndexedNoGather<ZS16x16>>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kUint16:
      return pool_int<ZIntValues<ZU16x32>, ZIntIndexedNoGather<ZU16x16>>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kInt32:
      return pool_int<ZIntValues<ZS32x16>, ZIntIndexed<ZS32x16>>(g, in, out, idx64, idx32, oh0, oh1);
    default: return false;
  }
}

void pool_nchw_half_avx512(ElemType type, PoolF32Fn f32, const PoolGeom& g, const void* in, void* out,
                           int64_t* idx64, int32_t* idx32, int64_t oh0, int64_t oh1) {
  const bool bf16 = type == ElemType::kBFloat16;
  if (!half_via_f32<Avx512HalfConv>(bf16, f32, g, static_cast<const uint16_t*>(in), static_cast<uint16_t*>(out),
                                    idx64, idx32, oh0, oh1)) {
    pool_nchw_generic_avx2(type, g, in, out, idx64, idx32, oh0, oh1);
  }
}

}  // namespace maxpool2d
#endif
