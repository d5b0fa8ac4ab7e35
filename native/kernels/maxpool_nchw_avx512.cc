// AVX-512 (F/BW/VL/DQ) kernel: NCHW max pooling, float32 (16 lanes) / float64 (8 lanes), optional
// int64 / int32 indices. The row driver is shared with the AVX2 kernel (pool_rows.h); this file only
// defines the vector traits.
//  - Values-only update: m = fixupimm(max(v, m), v) -- max(v, m) keeps m on ties and when either is NaN,
//    fixupimm then substitutes v where v is a NaN. That is exactly "replace when v > m || v != v".
//  - Value+index update: mask = cmp(v, m, GT_OQ) | cmp(v, v, UNORD_Q), masked blends of value and index.
//  - Edge vectors use masked loads (fault-suppressing), filling -inf outside the row.
//  - Stride 2 de-interleaves with vshufps / vshufpd; the lane order is undone once per stored vector.
//  - NaN payloads (quiet and signalling) are copied bit for bit: vmaxps returns an operand unchanged and
//    fixupimm response 1 copies the source as is.
#include "kernel_api.h"
#include "stream_copy.h"

#if defined(__x86_64__) || defined(_M_X64)
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 headers initialise their "undefined" vectors with themselves (__m512 __Y = __Y), which
// -Wmaybe-uninitialized reports at every inlined intrinsic.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "idx32_avx512.h"
#include "pool_rows.h"
#include "same_s1_avx512.h"

namespace maxpool2d {
namespace {

static inline __mmask16 z_rmask16(int64_t lo, int64_t hi) {
  if (lo < 0) lo = 0;
  if (hi > 16) hi = 16;
  if (hi <= lo) return 0;
  return static_cast<__mmask16>(((1u << hi) - 1u) & ~((1u << lo) - 1u));
}

static inline __mmask8 z_rmask8(int64_t lo, int64_t hi) {
  if (lo < 0) lo = 0;
  if (hi > 8) hi = 8;
  if (hi <= lo) return 0;
  return static_cast<__mmask8>(((1u << hi) - 1u) & ~((1u << lo) - 1u));
}

struct ZF32 : ZIdx32<true> {
  typedef float T;
  typedef __m512 V;
  typedef __mmask16 M;
  static constexpr int L = 16;
  static constexpr bool kPerm2 = true;  // stride-2 lanes in vshufps order

  static inline V ninf() { return _mm512_set1_ps(-__builtin_inff()); }
  static inline V loadu(const T* p) { return _mm512_loadu_ps(p); }
  typedef __mmask16 LM;  // lane mask of a partial load
  static inline LM lmask(int64_t lo, int64_t hi) { return z_rmask16(lo, hi); }
  static inline LM land(LM a, LM b) { return static_cast<LM>(a & b); }
  static inline LM lmask_bits(uint32_t bits) { return static_cast<LM>(bits); }
  static inline V load_m(const T* p, LM m, const T*, const T*) { return _mm512_mask_loadu_ps(ninf(), m, p); }
  // Stride-2 de-interleave with in-lane shuffles (cheaper than vpermt2ps); lane p then holds output
  // column 0 1 8 9 2 3 10 11 4 5 12 13 6 7 14 15 (p = 0..15), undone once per stored vector by unperm().
  static inline V ev(V a, V b) { return _mm512_shuffle_ps(a, b, 0x88); }
  static inline V od(V a, V b) { return _mm512_shuffle_ps(a, b, 0xDD); }
  static inline V gather(const T* row, IV w, int64_t W) {
    const M k = _mm512_cmpge_epi32_mask(w, _mm512_setzero_si512()) &
                _mm512_cmplt_epi32_mask(w, _mm512_set1_epi32(static_cast<int32_t>(W)));
    return _mm512_mask_i32gather_ps(ninf(), k, w, row, 4);
  }
  static inline V op(V m, V b) { return _mm512_fixupimm_ps(_mm512_max_ps(b, m), b, _mm512_set1_epi32(0x11), 0); }
  static inline M upd(V m, V b) {
    return static_cast<M>(_mm512_cmp_ps_mask(b, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q));
  }
  static inline V sel(M k, V m, V b) { return _mm512_mask_blend_ps(k, m, b); }
  static inline __m512i unperm_idx() { return _mm512_setr_epi32(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15); }
  static inline V unperm(V v) { return _mm512_permutexvar_ps(unperm_idx(), v); }
  // The even lanes of the next column: lane p (output column c(p), vshufps order) gets column c(p) + 1's, and
  // column 16's is `next` (element 32 of the pair's row). Lanes hold columns 0 1 8 9 2 3 10 11 4 5 12 13 6 7 14 15.
  static constexpr bool kNextEven = true;
  static inline V next_even(V e, T next) {
    const __m512i idx = _mm512_setr_epi32(1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 2, 15, 16);
    return _mm512_permutex2var_ps(e, idx, _mm512_set1_ps(next));
  }
  static inline IV unperm_i(IV v) { return _mm512_permutexvar_epi32(unperm_idx(), v); }
  static inline void vst(T* p, V v) { _mm512_storeu_ps(p, v); }
  static inline V vld(const T* p) { return _mm512_loadu_ps(p); }
  static inline void store(T* p, V v, int n) {
    if (n == 16)
      _mm512_storeu_ps(p, v);
    else
      _mm512_mask_storeu_ps(p, z_rmask16(0, n), v);
  }
};

struct ZF64 {
  typedef double T;
  typedef __m512d V;
  typedef __m512i IV;  // int64 lanes
  typedef __mmask8 M;
  typedef int64_t IS;
  static constexpr int L = 8;
  static constexpr bool kPerm2 = true;  // stride-2 lanes in vshufpd order

  static inline V ninf() { return _mm512_set1_pd(-__builtin_inf()); }
  static inline V loadu(const T* p) { return _mm512_loadu_pd(p); }
  typedef __mmask8 LM;  // lane mask of a partial load
  static inline LM lmask(int64_t lo, int64_t hi) { return z_rmask8(lo, hi); }
  static inline LM land(LM a, LM b) { return static_cast<LM>(a & b); }
  static inline LM lmask_bits(uint32_t bits) { return static_cast<LM>(bits); }
  static inline V load_m(const T* p, LM m, const T*, const T*) { return _mm512_mask_loadu_pd(ninf(), m, p); }
  // Lane p holds output column 0 4 1 5 2 6 3 7 after ev/od; undone by unperm().
  static inline V ev(V a, V b) { return _mm512_shuffle_pd(a, b, 0x00); }
  static inline V od(V a, V b) { return _mm512_shuffle_pd(a, b, 0xFF); }
  static inline V gather(const T* row, IV w, int64_t W) {
    const M k = _mm512_cmpge_epi64_mask(w, _mm512_setzero_si512()) & _mm512_cmplt_epi64_mask(w, _mm512_set1_epi64(W));
    return _mm512_mask_i64gather_pd(ninf(), k, w, row, 8);
  }
  static inline V op(V m, V b) { return _mm512_fixupimm_pd(_mm512_max_pd(b, m), b, _mm512_set1_epi64(0x11), 0); }
  static inline M upd(V m, V b) {
    return static_cast<M>(_mm512_cmp_pd_mask(b, m, _CMP_GT_OQ) | _mm512_cmp_pd_mask(b, b, _CMP_UNORD_Q));
  }
  static inline V sel(M k, V m, V b) { return _mm512_mask_blend_pd(k, m, b); }
  static inline IV seli(M k, IV a, IV b) { return _mm512_mask_blend_epi64(k, a, b); }
  static inline IV iset(int64_t x) { return _mm512_set1_epi64(x); }
  static inline IV iadd(IV a, IV b) { return _mm512_add_epi64(a, b); }
  static inline IV iota_s(int64_t s, bool perm) {
    const __m512i io = perm ? _mm512_setr_epi64(0, 4, 1, 5, 2, 6, 3, 7) : _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm512_mullo_epi64(io, _mm512_set1_epi64(s));
  }
  static inline IV neg_clamp(IV x) { return _mm512_max_epi64(_mm512_setzero_si512(), _mm512_sub_epi64(_mm512_setzero_si512(), x)); }
  static inline void to_arr(IV x, int64_t* a) { _mm512_storeu_si512(a, x); }
  static inline IV from_arr(const int64_t* a) { return _mm512_loadu_si512(a); }
  static inline __m512i unperm_idx() { return _mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7); }
  // As ZF32::next_even; lanes hold columns 0 4 1 5 2 6 3 7, and column 8's element is `next`.
  static constexpr bool kNextEven = true;
  static inline V next_even(V e, T next) {
    return _mm512_permutex2var_pd(e, _mm512_setr_epi64(2, 3, 4, 5, 6, 7, 1, 8), _mm512_set1_pd(next));
  }
  static inline V unperm(V v) { return _mm512_permutexvar_pd(unperm_idx(), v); }
  static inline IV unperm_i(IV v) { return _mm512_permutexvar_epi64(unperm_idx(), v); }
  static inline void vst(T* p, V v) { _mm512_storeu_pd(p, v); }
  static inline V vld(const T* p) { return _mm512_loadu_pd(p); }
  static inline void ist(IS* p, IV v) { _mm512_storeu_si512(p, v); }
  static inline IV ild(const IS* p) { return _mm512_loadu_si512(p); }
  static inline void store(T* p, V v, int n) {
    if (n == 8)
      _mm512_storeu_pd(p, v);
    else
      _mm512_mask_storeu_pd(p, z_rmask8(0, n), v);
  }
  static inline void store_idx(int64_t* p, IV v, int n) {
    if (n == 8)
      _mm512_storeu_si512(p, v);
    else
      _mm512_mask_storeu_epi64(p, z_rmask8(0, n), v);
  }
  static inline void store_idx(int32_t* p, IV v, int n) {
    if (n == 8)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm512_cvtepi64_epi32(v));
    else
      _mm512_mask_cvtepi64_storeu_epi32(p, z_rmask8(0, n), v);
  }
};

void pool_f32(const PoolGeom& g, const float* in, float* out, int64_t* i64, int32_t* i32, int64_t a, int64_t b) {
  if (i64 == nullptr && i32 == nullptr && same_s1_pool_f32(g, in, out, a, b)) return;
  if (!pr_pool<ZF32>(g, in, out, i64, i32, a, b)) kScalarKernels.pool_f32(g, in, out, i64, i32, a, b);
}
void pool_f64(const PoolGeom& g, const double* in, double* out, int64_t* i64, int32_t* i32, int64_t a, int64_t b) {
  if (!pr_pool<ZF64>(g, in, out, i64, i32, a, b)) kScalarKernels.pool_f64(g, in, out, i64, i32, a, b);
}

void stream_copy(void* dst, const void* src, size_t bytes) {
  stream_copy_blocks<64>(dst, src, bytes, [](char* d, const char* s) {
    _mm512_stream_si512(reinterpret_cast<__m512i*>(d), _mm512_loadu_si512(s));
  });
}

}  // namespace

const KernelTable kAvx512Kernels = {"avx512", pool_f32, pool_f64, stream_copy};

}  // namespace maxpool2d
#endif
