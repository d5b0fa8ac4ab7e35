// AVX2 (+FMA) kernel: NCHW max pooling, float32 (8 lanes) / float64 (4 lanes), optional int64 / int32
// indices. The row driver is shared with the AVX-512 kernel (pool_rows.h); this file only defines the
// vector traits.
//  - Values-only update: m = blendv(max(v, m), v, unord(v, v)) -- max(v, m) keeps m on ties and when either
//    is NaN; the blend then takes v where v is a NaN: exactly "replace when v > m || v != v".
//  - Value+index update: mask = cmp(v, m, GT_OQ) | cmp(v, v, UNORD_Q), blendv of value and index.
//  - Stride 2 de-interleaves with one in-lane shuffle per tap; the lanes stay in a fixed permuted order
//    (undone by one vpermq at the store).
//  - Edge vectors never rely on vmaskmov fault suppression (AMD documents it as implementation dependent):
//    a full-width load is used only when it lies inside the plane, then lanes outside the row are set to
//    -inf; otherwise the lanes are copied one by one. Gathers clamp masked-off offsets to 0 (a valid column).
//    Partial stores go through a stack buffer.
#include "kernel_api.h"
#include "stream_copy.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "pool_rows.h"

namespace maxpool2d {
namespace {

static inline int64_t y_clampl(int64_t x, int64_t lim) { return x < -1 ? -1 : (x > lim ? lim : x); }

static inline bool y_inside(const void* p, size_t bytes, const void* pb, const void* pe) {
  const uintptr_t u = reinterpret_cast<uintptr_t>(p);
  return u >= reinterpret_cast<uintptr_t>(pb) && u + bytes <= reinterpret_cast<uintptr_t>(pe) &&
         u + bytes >= u;
}

struct YF32 {
  typedef float T;
  typedef __m256 V;
  typedef __m256i IV;
  typedef __m256 M;
  typedef int32_t IS;
  static constexpr int L = 8;
  static constexpr bool kPerm2 = true;

  static inline V ninf() { return _mm256_set1_ps(-__builtin_inff()); }
  static inline V loadu(const T* p) { return _mm256_loadu_ps(p); }
  static inline __m256i lanes_in(int64_t lo, int64_t hi) {
    const __m256i io = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    lo = y_clampl(lo, 9);
    hi = y_clampl(hi, 9);
    return _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(hi)), io),
                            _mm256_cmpgt_epi32(io, _mm256_set1_epi32(static_cast<int32_t>(lo - 1))));
  }
  typedef __m256i LM;  // lane mask of a partial load
  static inline LM lmask(int64_t lo, int64_t hi) { return lanes_in(lo, hi); }
  static inline LM land(LM a, LM b) { return _mm256_and_si256(a, b); }
  static inline LM lmask_bits(uint32_t bits) {
    const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32(static_cast<int32_t>(bits)), bit), bit);
  }
  // Lanes of m from p, -inf elsewhere. Full-width load only when it lies inside the plane [pb, pe).
  static inline V load_m(const T* p, LM m, const T* pb, const T* pe) {
    if (y_inside(p, sizeof(T) * L, pb, pe)) return _mm256_blendv_ps(ninf(), _mm256_loadu_ps(p), _mm256_castsi256_ps(m));
    return load_slow(p, m);
  }
  static __attribute__((noinline)) V load_slow(const T* p, LM m) {
    const int bits = _mm256_movemask_ps(_mm256_castsi256_ps(m));
    alignas(32) T t[L];
    for (int l = 0; l < L; ++l) t[l] = ((bits >> l) & 1) ? p[l] : -__builtin_inff();
    return _mm256_load_ps(t);
  }
  // Lane order after ev/od: output columns 0 1 4 5 2 3 6 7.
  static inline V ev(V a, V b) { return _mm256_shuffle_ps(a, b, 0x88); }
  static inline V od(V a, V b) { return _mm256_shuffle_ps(a, b, 0xDD); }
  // k3 s2 third tap: lane p (column c(p)) gets column c(p) + 1's even element; column 8's is `next`.
  static constexpr bool kNextEven = true;
  static inline V next_even(V e, T next) {
    const V shifted = _mm256_permutevar8x32_ps(e, _mm256_setr_epi32(1, 4, 3, 6, 5, 2, 7, 0));
    return _mm256_blend_ps(shifted, _mm256_set1_ps(next), 0x80);
  }
  static inline V gather(const T* row, IV w, int64_t W) {
    const __m256i ok = _mm256_and_si256(_mm256_cmpgt_epi32(w, _mm256_set1_epi32(-1)),
                                        _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(W)), w));
    return _mm256_mask_i32gather_ps(ninf(), row, _mm256_and_si256(w, ok), _mm256_castsi256_ps(ok), 4);
  }
  static inline V op(V m, V b) {
    return _mm256_blendv_ps(_mm256_max_ps(b, m), b, _mm256_cmp_ps(b, b, _CMP_UNORD_Q));
  }
  static inline M upd(V m, V b) { return _mm256_or_ps(_mm256_cmp_ps(b, m, _CMP_GT_OQ), _mm256_cmp_ps(b, b, _CMP_UNORD_Q)); }
  static inline V sel(M k, V m, V b) { return _mm256_blendv_ps(m, b, k); }
  static inline IV seli(M k, IV a, IV b) { return _mm256_blendv_epi8(a, b, _mm256_castps_si256(k)); }
  static inline IV iset(int64_t x) { return _mm256_set1_epi32(static_cast<int32_t>(x)); }
  static inline IV iadd(IV a, IV b) { return _mm256_add_epi32(a, b); }
  static inline IV iota_s(int64_t s, bool perm) {
    const __m256i io = perm ? _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7) : _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_mullo_epi32(io, _mm256_set1_epi32(static_cast<int32_t>(s)));
  }
  static inline IV neg_clamp(IV x) {
    return _mm256_max_epi32(_mm256_setzero_si256(), _mm256_sub_epi32(_mm256_setzero_si256(), x));
  }
  static inline void to_arr(IV x, int64_t* a) {
    alignas(32) int32_t t[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(t), x);
    for (int l = 0; l < 8; ++l) a[l] = t[l];
  }
  static inline IV from_arr(const int64_t* a) {
    alignas(32) int32_t t[8];
    for (int l = 0; l < 8; ++l) t[l] = static_cast<int32_t>(a[l]);
    return _mm256_load_si256(reinterpret_cast<const __m256i*>(t));
  }
  static inline V unperm(V v) { return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8)); }
  static inline IV unperm_i(IV v) { return _mm256_permute4x64_epi64(v, 0xD8); }
  static inline void vst(T* p, V v) { _mm256_storeu_ps(p, v); }
  static inline V vld(const T* p) { return _mm256_loadu_ps(p); }
  static inline void ist(IS* p, IV v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static inline IV ild(const IS* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static inline void store(T* p, V v, int n) {
    if (n == L) {
      _mm256_storeu_ps(p, v);
      return;
    }
    alignas(32) T t[L];
    _mm256_store_ps(t, v);
    for (int l = 0; l < n; ++l) p[l] = t[l];
  }
  static inline void store_idx(int64_t* p, IV v, int n) {
    const __m256i lo = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(v));
    const __m256i hi = _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1));
    if (n == L) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), lo);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + 4), hi);
      return;
    }
    alignas(32) int64_t t[L];
    _mm256_store_si256(reinterpret_cast<__m256i*>(t), lo);
    _mm256_store_si256(reinterpret_cast<__m256i*>(t + 4), hi);
    for (int l = 0; l < n; ++l) p[l] = t[l];
  }
  static inline void store_idx(int32_t* p, IV v, int n) {
    if (n == L) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
      return;
    }
    alignas(32) int32_t t[L];
    _mm256_store_si256(reinterpret_cast<__m256i*>(t), v);
    for (int l = 0; l < n; ++l) p[l] = t[l];
  }
};

struct YF64 {
  typedef double T;
  typedef __m256d V;
  typedef __m256i IV;  // int64 lanes
  typedef __m256d M;
  typedef int64_t IS;
  static constexpr int L = 4;
  static constexpr bool kPerm2 = true;

  static inline V ninf() { return _mm256_set1_pd(-__builtin_inf()); }
  static inline V loadu(const T* p) { return _mm256_loadu_pd(p); }
  static inline __m256i lanes_in(int64_t lo, int64_t hi) {
    const __m256i io = _mm256_setr_epi64x(0, 1, 2, 3);
    lo = y_clampl(lo, 5);
    hi = y_clampl(hi, 5);
    return _mm256_and_si256(_mm256_cmpgt_epi64(_mm256_set1_epi64x(hi), io),
                            _mm256_cmpgt_epi64(io, _mm256_set1_epi64x(lo - 1)));
  }
  typedef __m256i LM;  // lane mask of a partial load
  static inline LM lmask(int64_t lo, int64_t hi) { return lanes_in(lo, hi); }
  static inline LM land(LM a, LM b) { return _mm256_and_si256(a, b); }
  static inline LM lmask_bits(uint32_t bits) {
    const __m256i bit = _mm256_setr_epi64x(1, 2, 4, 8);
    return _mm256_cmpeq_epi64(_mm256_and_si256(_mm256_set1_epi64x(bits), bit), bit);
  }
  static inline V load_m(const T* p, LM m, const T* pb, const T* pe) {
    if (y_inside(p, sizeof(T) * L, pb, pe)) return _mm256_blendv_pd(ninf(), _mm256_loadu_pd(p), _mm256_castsi256_pd(m));
    return load_slow(p, m);
  }
  static __attribute__((noinline)) V load_slow(const T* p, LM m) {
    const int bits = _mm256_movemask_pd(_mm256_castsi256_pd(m));
    alignas(32) T t[L];
    for (int l = 0; l < L; ++l) t[l] = ((bits >> l) & 1) ? p[l] : -__builtin_inf();
    return _mm256_load_pd(t);
  }
  // Lane order after ev/od: output columns 0 2 1 3.
  static inline V ev(V a, V b) { return _mm256_shuffle_pd(a, b, 0x0); }
  static inline V od(V a, V b) { return _mm256_shuffle_pd(a, b, 0xF); }
  static inline V gather(const T* row, IV w, int64_t W) {
    const __m256i ok = _mm256_and_si256(_mm256_cmpgt_epi64(w, _mm256_set1_epi64x(-1)),
                                        _mm256_cmpgt_epi64(_mm256_set1_epi64x(W), w));
    return _mm256_mask_i64gather_pd(ninf(), row, _mm256_and_si256(w, ok), _mm256_castsi256_pd(ok), 8);
  }
  static inline V op(V m, V b) {
    return _mm256_blendv_pd(_mm256_max_pd(b, m), b, _mm256_cmp_pd(b, b, _CMP_UNORD_Q));
  }
  static inline M upd(V m, V b) { return _mm256_or_pd(_mm256_cmp_pd(b, m, _CMP_GT_OQ), _mm256_cmp_pd(b, b, _CMP_UNORD_Q)); }
  static inline V sel(M k, V m, V b) { return _mm256_blendv_pd(m, b, k); }
  static inline IV seli(M k, IV a, IV b) { return _mm256_blendv_epi8(a, b, _mm256_castpd_si256(k)); }
  static inline IV iset(int64_t x) { return _mm256_set1_epi64x(x); }
  static inline IV iadd(IV a, IV b) { return _mm256_add_epi64(a, b); }
  static inline IV iota_s(int64_t s, bool perm) {
    return perm ? _mm256_setr_epi64x(0, 2 * s, s, 3 * s) : _mm256_setr_epi64x(0, s, 2 * s, 3 * s);
  }
  static inline IV neg_clamp(IV x) {
    const __m256i n = _mm256_sub_epi64(_mm256_setzero_si256(), x);
    return _mm256_and_si256(n, _mm256_cmpgt_epi64(n, _mm256_setzero_si256()));
  }
  static inline void to_arr(IV x, int64_t* a) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(a), x); }
  static inline IV from_arr(const int64_t* a) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a)); }
  static inline V unperm(V v) { return _mm256_permute4x64_pd(v, 0xD8); }
  static inline IV unperm_i(IV v) { return _mm256_permute4x64_epi64(v, 0xD8); }
  static inline void vst(T* p, V v) { _mm256_storeu_pd(p, v); }
  static inline V vld(const T* p) { return _mm256_loadu_pd(p); }
  static inline void ist(IS* p, IV v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static inline IV ild(const IS* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static inline void store(T* p, V v, int n) {
    if (n == L) {
      _mm256_storeu_pd(p, v);
      return;
    }
    alignas(32) T t[L];
    _mm256_store_pd(t, v);
    for (int l = 0; l < n; ++l) p[l] = t[l];
  }
  static inline void store_idx(int64_t* p, IV v, int n) {
    if (n == L) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
      return;
    }
    alignas(32) int64_t t[L];
    _mm256_store_si256(reinterpret_cast<__m256i*>(t), v);
    for (int l = 0; l < n; ++l) p[l] = t[l];
  }
  static inline void store_idx(int32_t* p, IV v, int n) {
    const __m128i x = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0)));
    if (n == L) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), x);
      return;
    }
    alignas(16) int32_t t[4];
    _mm_store_si128(reinterpret_cast<__m128i*>(t), x);
    for (int l = 0; l < n; ++l) p[l] = t[l];
  }
};

void pool_f32(const PoolGeom& g, const float* in, float* out, int64_t* i64, int32_t* i32, int64_t a, int64_t b) {
  if (!pr_pool<YF32>(g, in, out, i64, i32, a, b)) kScalarKernels.pool_f32(g, in, out, i64, i32, a, b);
}
void pool_f64(const PoolGeom& g, const double* in, double* out, int64_t* i64, int32_t* i32, int64_t a, int64_t b) {
  if (!pr_pool<YF64>(g, in, out, i64, i32, a, b)) kScalarKernels.pool_f64(g, in, out, i64, i32, a, b);
}

void stream_copy(void* dst, const void* src, size_t bytes) {
  stream_copy_blocks<32>(dst, src, bytes, [](char* d, const char* s) {
    _mm256_stream_si256(reinterpret_cast<__m256i*>(d), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s)));
  });
}

}  // namespace

const KernelTable kAvx2Kernels = {"avx2", pool_f32, pool_f64, stream_copy};

}  // namespace maxpool2d
#endif
