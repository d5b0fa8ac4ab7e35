// ARM NEON (aarch64) kernel: NCHW max pooling, float32 / float64, with optional int64 / int32 indices.
//
// One call pools output rows [oh0, oh1) of one plane, vectorised across output columns (4 x float32,
// 2 x float64 per vector):
//  - Interior: the columns whose every load lies inside [0, W) of the row, including the extra elements a
//    de-interleaving load reads past the last tap. Stride s <= 4 takes each tap's lanes from one vld{s}q
//    (lane l = element l*s; with stride 2 and dilation 1, taps j and j+1 share one vld2q); larger strides use
//    lane loads. No bounds checks.
//  - Borders (padding, ragged right edge, OH/OW past the output-size formula): the same vector reduction over
//    a copy of each window row padded with -inf, each lane starting from the reference's state (-inf, index
//    of its first tap column). Rows whose window has no in-bounds row, OW < L, and very wide windows are
//    scalar. Nothing outside [0, W) of an in-bounds row [0, H) is ever read.
//  - Each window row is reduced first (taps in order), then the row results are combined in row order.
//    With the update rule "replace when v > m or v is NaN" this is bit-identical to PyTorch's row-major
//    scan: ties keep the first tap (-0/+0 included), a NaN wins and the last NaN is kept, NaN payloads
//    (signalling ones too) are copied unchanged.
//  - When windows overlap vertically (stride < dilated height), each input row's reductions are computed
//    once per column chunk into a small stack ring (one slot per row of the window span) and reused by every
//    output row that covers it.
//  - Update rule: mask = (v > m) | ~(v == v) (FCMGT, FCMEQ, ORN); m = BSL(mask, v, m); indices the same way.
//    vmaxq (FMAX) is not used: it orders -0 below +0 and picks NaNs by its own rules.
//  - Indices: int32 lanes for float32 (calls whose indices might not fit take the scalar path), int64
//    lanes for float64; widened / narrowed at the store. Only requested indices are computed.
#include "kernel_api.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

// Bytes of stack used for the row ring (per call). Overridable for tests (to force many column chunks).
#ifndef MAXPOOL2D_NEON_RING_BYTES
#define MAXPOOL2D_NEON_RING_BYTES 24576
#endif
// Largest index the int32 index lanes (float32) may hold. Overridable for tests (to reach the fallbacks).
#ifndef MAXPOOL2D_NEON_INDEX_LIMIT
#define MAXPOOL2D_NEON_INDEX_LIMIT 2147483647
#endif

namespace maxpool2d {
namespace {

constexpr int64_t kRingBytes = MAXPOOL2D_NEON_RING_BYTES;
constexpr int64_t kMaxRingRows = 256;
constexpr int64_t kMaxScratch = 256;  // elements of the padded row copy of one border group
constexpr int64_t kInt32Max = MAXPOOL2D_NEON_INDEX_LIMIT;

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

inline float neg_inf(float) { return -__builtin_inff(); }
inline double neg_inf(double) { return -__builtin_inf(); }

// ---------------------------------------------------------------------------------------------------
// Vector traits.

struct F32 {
  using T = float;
  using V = float32x4_t;
  using IV = int32x4_t;
  using M = uint32x4_t;
  using Ix = int32_t;  // index lane type
  static constexpr int64_t L = 4;

  static inline V ninf() { return vdupq_n_f32(-__builtin_inff()); }
  static inline M mask(V v, V m) { return vornq_u32(vcgtq_f32(v, m), vceqq_f32(v, v)); }
  static inline V sel(M k, V a, V b) { return vbslq_f32(k, a, b); }
  static inline IV seli(M k, IV a, IV b) { return vbslq_s32(k, a, b); }
  static inline IV dupi(int64_t x) { return vdupq_n_s32(static_cast<int32_t>(x)); }
  static inline IV addi(IV a, IV b) { return vaddq_s32(a, b); }
  // Lane offsets {0, s, 2s, 3s}; only used when every index fits int32 (the int64 products avoid overflow).
  static inline IV iota(int64_t s) {
    const int32_t t[4] = {0, static_cast<int32_t>(s), static_cast<int32_t>(2 * s), static_cast<int32_t>(3 * s)};
    return vld1q_s32(t);
  }
  template <int S>
  static inline V load(const float* p, int64_t s) {
    if constexpr (S == 1) {
      return vld1q_f32(p);
    } else if constexpr (S == 2) {
      return vld2q_f32(p).val[0];
    } else if constexpr (S == 3) {
      return vld3q_f32(p).val[0];
    } else if constexpr (S == 4) {
      return vld4q_f32(p).val[0];
    } else {
      V v = vdupq_n_f32(0.0f);
      v = vld1q_lane_f32(p, v, 0);
      v = vld1q_lane_f32(p + s, v, 1);
      v = vld1q_lane_f32(p + 2 * s, v, 2);
      v = vld1q_lane_f32(p + 3 * s, v, 3);
      return v;
    }
  }
  static inline void ld2pair(const float* p, V& even, V& odd) {
    const float32x4x2_t t = vld2q_f32(p);
    even = t.val[0];
    odd = t.val[1];
  }
  static inline V ld(const float* p) { return vld1q_f32(p); }
  static inline void st(float* p, V v) { vst1q_f32(p, v); }
  static inline IV ldi(const int32_t* p) { return vld1q_s32(p); }
  static inline void sti(int32_t* p, IV v) { vst1q_s32(p, v); }
  static inline void store_idx(int64_t* p, IV i) {
    vst1q_s64(p, vmovl_s32(vget_low_s32(i)));
    vst1q_s64(p + 2, vmovl_high_s32(i));
  }
  static inline void store_idx(int32_t* p, IV i) { vst1q_s32(p, i); }
};

struct F64 {
  using T = double;
  using V = float64x2_t;
  using IV = int64x2_t;
  using M = uint64x2_t;
  using Ix = int64_t;
  static constexpr int64_t L = 2;

  static inline V ninf() { return vdupq_n_f64(-__builtin_inf()); }
  static inline M mask(V v, V m) { return vornq_u64(vcgtq_f64(v, m), vceqq_f64(v, v)); }
  static inline V sel(M k, V a, V b) { return vbslq_f64(k, a, b); }
  static inline IV seli(M k, IV a, IV b) { return vbslq_s64(k, a, b); }
  static inline IV dupi(int64_t x) { return vdupq_n_s64(x); }
  static inline IV addi(IV a, IV b) { return vaddq_s64(a, b); }
  static inline IV iota(int64_t s) {
    const int64_t t[2] = {0, s};
    return vld1q_s64(t);
  }
  template <int S>
  static inline V load(const double* p, int64_t s) {
    if constexpr (S == 1) {
      return vld1q_f64(p);
    } else if constexpr (S == 2) {
      return vld2q_f64(p).val[0];
    } else if constexpr (S == 3) {
      return vld3q_f64(p).val[0];
    } else if constexpr (S == 4) {
      return vld4q_f64(p).val[0];
    } else {
      V v = vdupq_n_f64(0.0);
      v = vld1q_lane_f64(p, v, 0);
      v = vld1q_lane_f64(p + s, v, 1);
      return v;
    }
  }
  static inline void ld2pair(const double* p, V& even, V& odd) {
    const float64x2x2_t t = vld2q_f64(p);
    even = t.val[0];
    odd = t.val[1];
  }
  static inline V ld(const double* p) { return vld1q_f64(p); }
  static inline void st(double* p, V v) { vst1q_f64(p, v); }
  static inline IV ldi(const int64_t* p) { return vld1q_s64(p); }
  static inline void sti(int64_t* p, IV v) { vst1q_s64(p, v); }
  static inline void store_idx(int64_t* p, IV i) { vst1q_s64(p, i); }
  static inline void store_idx(int32_t* p, IV i) { vst1_s32(p, vmovn_s64(i)); }
};

// Elements a vector load of stride S reads from its first tap (vld{S}q reads L*S; lane loads less).
template <class Tr, int S>
inline int64_t load_span(int64_t s) {
  if constexpr (S >= 1 && S <= 4) {
    return Tr::L * S;
  } else {
    return (Tr::L - 1) * s + 1;
  }
}

// Geometry copied into locals, so that index stores (int64) cannot be assumed to alias it.
struct Geo {
  int64_t H, W, OW, kH, kW, sH, sW, pH, pW, dH, dW;
  explicit Geo(const PoolGeom& g)
      : H(g.H), W(g.W), OW(g.OW), kH(g.kH), kW(g.kW), sH(g.sH), sW(g.sW), pH(g.pH), pW(g.pW), dH(g.dH), dW(g.dW) {}
};

// ---------------------------------------------------------------------------------------------------
// Scalar columns [a, b) of one output row (borders, tails, and whole rows without vector work).

template <typename T, typename OI>
inline void scalar_cols(const Geo& g, const T* in, T* orow, OI* irow, int64_t h0, int64_t h1, int64_t a,
                        int64_t b) {
  for (int64_t ow = a; ow < b; ++ow) {
    const int64_t ws = ow * g.sW - g.pW;
    const int64_t w0 = first_tap(ws, g.dW);
    const int64_t w1 = end_tap(ws, g.kW, g.dW, g.W);
    T m = neg_inf(T());
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
    orow[ow] = m;
    if (irow) irow[ow] = static_cast<OI>(mi);
  }
}

template <typename T, typename OI>
void scalar_rows(const PoolGeom& gp, const T* in, T* out, OI* idx, int64_t oh0, int64_t oh1) {
  const Geo g(gp);
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    const int64_t hs = oh * g.sH - g.pH;
    const int64_t h0 = first_tap(hs, g.dH);
    const int64_t h1 = end_tap(hs, g.kH, g.dH, g.H);
    scalar_cols<T, OI>(g, in, out + oh * g.OW, idx ? idx + oh * g.OW : nullptr, h0, h1, 0, g.OW);
  }
}

// ---------------------------------------------------------------------------------------------------
// Vector building blocks.

// Index output of the interior: exactly one of i64 / i32 is set when IDX.
template <class Tr>
inline void store_index(int64_t* i64, int32_t* i32, int64_t at, typename Tr::IV mi) {
  if (i64) {
    Tr::store_idx(i64 + at, mi);
  } else {
    Tr::store_idx(i32 + at, mi);
  }
}

template <class Tr, bool IDX>
inline void merge(typename Tr::V& m, typename Tr::IV& mi, typename Tr::V v, typename Tr::IV vi) {
  const typename Tr::M k = Tr::mask(v, m);
  m = Tr::sel(k, v, m);
  if constexpr (IDX) mi = Tr::seli(k, vi, mi);
}

// Reduces one window row for L consecutive outputs. p: first tap of lane 0; ib: index of each lane's first
// tap; dWi: dW broadcast. Result in (m, mi).
// S == 2 with KW > 0 is only dispatched for dW == 1: taps j and j+1 are then the even and odd halves of one
// de-interleaving load, which halves the loads (its last load ends where the generic one would).
template <class Tr, bool IDX, int S, int KW>
inline void row_reduce(const typename Tr::T* p, int64_t kW_rt, int64_t dW, int64_t sW, typename Tr::IV ib,
                       typename Tr::IV dWi, typename Tr::V& m, typename Tr::IV& mi) {
  using V = typename Tr::V;
  using IV = typename Tr::IV;
  if constexpr (S == 2 && KW > 0) {
    V even, odd;
    Tr::ld2pair(p, even, odd);
    m = even;
    if constexpr (IDX) mi = ib;
    IV vi = Tr::addi(ib, dWi);
    merge<Tr, IDX>(m, mi, odd, vi);
    for (int j = 2; j < KW; j += 2) {
      Tr::ld2pair(p + j, even, odd);
      vi = Tr::addi(vi, dWi);
      merge<Tr, IDX>(m, mi, even, vi);
      if (j + 1 < KW) {
        vi = Tr::addi(vi, dWi);
        merge<Tr, IDX>(m, mi, odd, vi);
      }
    }
  } else {
    const int64_t kW = KW > 0 ? KW : kW_rt;
    m = Tr::template load<S>(p, sW);
    if constexpr (IDX) mi = ib;
    IV vi = ib;
    for (int64_t j = 1; j < kW; ++j) {
      p += dW;
      const V v = Tr::template load<S>(p, sW);
      if constexpr (IDX) vi = Tr::addi(vi, dWi);
      merge<Tr, IDX>(m, mi, v, vi);
    }
  }
}

// Interior output columns [cv0, cv1) (a multiple of L wide) of rows [oh0, oh1), every window row reduced
// directly from the input (no reuse between output rows).
template <class Tr, bool IDX, int S, int KW>
void interior_direct(const PoolGeom& gp, const typename Tr::T* in, typename Tr::T* out, int64_t* i64, int32_t* i32,
                     int64_t oh0, int64_t oh1, int64_t cv0, int64_t cv1) {
  using IV = typename Tr::IV;
  using V = typename Tr::V;
  const Geo g(gp);
  const IV lane = Tr::iota(g.sW);
  const IV dWi = Tr::dupi(g.dW);
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    const int64_t hs = oh * g.sH - g.pH;
    const int64_t h0 = first_tap(hs, g.dH);
    const int64_t h1 = end_tap(hs, g.kH, g.dH, g.H);
    if (h0 >= h1) continue;
    typename Tr::T* orow = out + oh * g.OW;
    for (int64_t c = cv0; c < cv1; c += Tr::L) {
      const int64_t ws = c * g.sW - g.pW;
      V m;
      IV mi = lane;
      row_reduce<Tr, IDX, S, KW>(in + h0 * g.W + ws, g.kW, g.dW, g.sW,
                                 IDX ? Tr::addi(Tr::dupi(h0 * g.W + ws), lane) : lane, dWi, m, mi);
      for (int64_t h = h0 + g.dH; h < h1; h += g.dH) {
        V v;
        IV vi = lane;
        row_reduce<Tr, IDX, S, KW>(in + h * g.W + ws, g.kW, g.dW, g.sW,
                                   IDX ? Tr::addi(Tr::dupi(h * g.W + ws), lane) : lane, dWi, v, vi);
        merge<Tr, IDX>(m, mi, v, vi);
      }
      Tr::st(orow + c, m);
      if constexpr (IDX) store_index<Tr>(i64, i32, oh * g.OW + c, mi);
    }
  }
}

// Same result as interior_direct, with each input row's row-reductions computed once per column chunk and
// kept in a ring of R = (kH-1)*dH+1 slots (slot h % R). chunk: columns per chunk (multiple of L).
template <class Tr, bool IDX, int S, int KW>
void interior_ring(const PoolGeom& gp, const typename Tr::T* in, typename Tr::T* out, int64_t* i64, int32_t* i32,
                   int64_t oh0, int64_t oh1, int64_t cv0, int64_t cv1, int64_t R, int64_t chunk) {
  using T = typename Tr::T;
  using Ix = typename Tr::Ix;
  using IV = typename Tr::IV;
  using V = typename Tr::V;
  const Geo g(gp);
  alignas(16) unsigned char buf[kRingBytes];
  T* vals = reinterpret_cast<T*>(buf);
  Ix* idxs = reinterpret_cast<Ix*>(buf + static_cast<size_t>(R * chunk) * sizeof(T));
  int64_t tags[kMaxRingRows];
  const IV lane = Tr::iota(g.sW);
  const IV dWi = Tr::dupi(g.dW);

  for (int64_t cs = cv0; cs < cv1; cs += chunk) {
    const int64_t ce = cs + chunk < cv1 ? cs + chunk : cv1;
    for (int64_t r = 0; r < R; ++r) tags[r] = -1;
    for (int64_t oh = oh0; oh < oh1; ++oh) {
      const int64_t hs = oh * g.sH - g.pH;
      const int64_t h0 = first_tap(hs, g.dH);
      const int64_t h1 = end_tap(hs, g.kH, g.dH, g.H);
      if (h0 >= h1) continue;
      // Fill the ring with the rows this output row needs and does not have yet.
      for (int64_t h = h0; h < h1; h += g.dH) {
        const int64_t slot = h % R;
        if (tags[slot] == h) continue;
        tags[slot] = h;
        const T* row = in + h * g.W;
        T* sv = vals + slot * chunk;
        Ix* si = idxs + slot * chunk;
        for (int64_t c = cs; c < ce; c += Tr::L) {
          const int64_t ws = c * g.sW - g.pW;
          V m;
          IV mi = lane;
          row_reduce<Tr, IDX, S, KW>(row + ws, g.kW, g.dW, g.sW,
                                     IDX ? Tr::addi(Tr::dupi(h * g.W + ws), lane) : lane, dWi, m, mi);
          Tr::st(sv + (c - cs), m);
          if constexpr (IDX) Tr::sti(si + (c - cs), mi);
        }
      }
      // Combine the rows in order.
      T* orow = out + oh * g.OW;
      const int64_t s0 = h0 % R;
      for (int64_t c = cs; c < ce; c += Tr::L) {
        const int64_t off = c - cs;
        V m = Tr::ld(vals + s0 * chunk + off);
        IV mi = lane;
        if constexpr (IDX) mi = Tr::ldi(idxs + s0 * chunk + off);
        for (int64_t h = h0 + g.dH; h < h1; h += g.dH) {
          const int64_t sl = h % R;
          IV vi = lane;
          if constexpr (IDX) vi = Tr::ldi(idxs + sl * chunk + off);
          merge<Tr, IDX>(m, mi, Tr::ld(vals + sl * chunk + off), vi);
        }
        Tr::st(orow + c, m);
        if constexpr (IDX) store_index<Tr>(i64, i32, oh * g.OW + c, mi);
      }
    }
  }
}

// Scalar columns [a, b) of one output row, with whichever index output is set (or none).
template <typename T>
inline void scalar_cols_any(const Geo& g, const T* in, T* orow, int64_t* i64, int32_t* i32, int64_t at, int64_t h0,
                            int64_t h1, int64_t a, int64_t b) {
  if (i32) {
    scalar_cols<T, int32_t>(g, in, orow, i32 + at, h0, h1, a, b);
  } else {
    scalar_cols<T, int64_t>(g, in, orow, i64 ? i64 + at : nullptr, h0, h1, a, b);
  }
}

// Elements of the -inf padded row copy one border group reads: (kW-1)*dW + span; or -1 when that is more
// than kMaxScratch (those borders stay scalar).
template <class Tr, int S>
inline int64_t border_len(const Geo& g) {
  if (g.kW > kMaxScratch || g.dW > kMaxScratch || g.sW > kMaxScratch) return -1;
  const int64_t len = (g.kW - 1) * g.dW + load_span<Tr, S>(g.sW);
  return len <= kMaxScratch ? len : -1;
}

// Border output columns [a, b) of one output row (in-bounds window rows [h0, h1)), vectorised over a copy of
// each window row padded with -inf. Groups start at a, a+L, ...; one that would pass OW starts at OW-L
// instead and recomputes some columns of its neighbour, with the same bits. Each lane starts from the
// reference's state (-inf, h*W + first tap column) and merges every tap: padding (-inf) never replaces.
// Needs OW >= L. out_at: offset of this output row in the index output.
template <class Tr, bool IDX, int S>
void border_range(const Geo& g, const typename Tr::T* in, typename Tr::T* orow, int64_t* i64, int32_t* i32,
                  int64_t out_at, int64_t h0, int64_t h1, int64_t a, int64_t b, int64_t len,
                  typename Tr::T* scratch) {
  using T = typename Tr::T;
  using IV = typename Tr::IV;
  using V = typename Tr::V;
  using Ix = typename Tr::Ix;
  constexpr int64_t L = Tr::L;
  const IV lane = Tr::iota(g.sW);
  const IV dWi = Tr::dupi(g.dW);
  const T ninf = neg_inf(T());
  for (int64_t c0 = a; c0 < b; c0 += L) {
    const int64_t c = c0 + L > g.OW ? g.OW - L : c0;
    const int64_t ws = c * g.sW - g.pW;
    // First tap column of each lane (PyTorch's starting index, possibly outside the row).
    Ix w0[L];
    int64_t w0max = 0;
    for (int64_t l = 0; l < L; ++l) {
      const int64_t w = first_tap(ws + l * g.sW, g.dW);
      w0[l] = static_cast<Ix>(w);
      if (w > w0max) w0max = w;
    }
    if (IDX && sizeof(Ix) == 4 && (h1 - 1) * g.W + w0max > kInt32Max) {
      scalar_cols_any<T>(g, in, orow, i64, i32, out_at, h0, h1, c, c + L);
      continue;
    }
    IV w0v = lane;
    if constexpr (IDX) w0v = Tr::ldi(w0);
    // Scratch slots [lo, hi) come from the row, the rest is -inf (the same for every row of the group).
    const int64_t lo = ws < 0 ? (-ws < len ? -ws : len) : 0;
    int64_t hi = g.W - ws < len ? g.W - ws : len;
    if (hi < lo) hi = lo;
    for (int64_t q = 0; q < lo; ++q) scratch[q] = ninf;
    for (int64_t q = hi; q < len; ++q) scratch[q] = ninf;
    V m = Tr::ninf();
    IV mi = lane;
    for (int64_t h = h0; h < h1; h += g.dH) {
      const T* src = in + h * g.W + ws;
      for (int64_t q = lo; q < hi; ++q) scratch[q] = src[q];
      V rm = Tr::ninf();
      IV ri = lane, ti = lane;
      if constexpr (IDX) {
        ri = Tr::addi(Tr::dupi(h * g.W), w0v);
        ti = Tr::addi(Tr::dupi(h * g.W + ws), lane);
      }
      const T* p = scratch;
      for (int64_t j = 0; j < g.kW; ++j, p += g.dW) {
        merge<Tr, IDX>(rm, ri, Tr::template load<S>(p, g.sW), ti);
        if constexpr (IDX) ti = Tr::addi(ti, dWi);
      }
      if (h == h0) {
        m = rm;
        mi = ri;
      } else {
        merge<Tr, IDX>(m, mi, rm, ri);
      }
    }
    Tr::st(orow + c, m);
    if constexpr (IDX) store_index<Tr>(i64, i32, out_at + c, mi);
  }
}

// Output columns outside the interior [cv0, cv1) of rows [oh0, oh1), and whole rows whose window has no
// in-bounds row (scalar).
template <class Tr, bool IDX, int S>
void borders(const PoolGeom& gp, const typename Tr::T* in, typename Tr::T* out, int64_t* i64, int32_t* i32,
             int64_t oh0, int64_t oh1, int64_t cv0, int64_t cv1) {
  using T = typename Tr::T;
  const Geo g(gp);
  const int64_t len = border_len<Tr, S>(g);
  const bool vec = g.OW >= Tr::L && len > 0;
  alignas(16) T scratch[kMaxScratch];
  // With no interior (cv0 == cv1 == 0) the first range is empty and the second is the whole row.
  const int64_t ranges[2][2] = {{0, cv0}, {cv1, g.OW}};
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    const int64_t hs = oh * g.sH - g.pH;
    const int64_t h0 = first_tap(hs, g.dH);
    const int64_t h1 = end_tap(hs, g.kH, g.dH, g.H);
    T* orow = out + oh * g.OW;
    const int64_t at = oh * g.OW;
    if (h0 >= h1) {
      scalar_cols_any<T>(g, in, orow, i64, i32, at, h0, h1, 0, g.OW);
      continue;
    }
    for (const auto& r : ranges) {
      if (r[0] >= r[1]) continue;
      if (vec) {
        border_range<Tr, IDX, S>(g, in, orow, i64, i32, at, h0, h1, r[0], r[1], len, scratch);
      } else {
        scalar_cols_any<T>(g, in, orow, i64, i32, at, h0, h1, r[0], r[1]);
      }
    }
  }
}

// One (stride, kernel width) specialisation: borders, then the interior (ring or direct).
template <class Tr, bool IDX, int S, int KW>
void pool_spec(const PoolGeom& g, const typename Tr::T* in, typename Tr::T* out, int64_t* i64, int32_t* i32,
               int64_t oh0, int64_t oh1) {
  using T = typename Tr::T;
  constexpr int64_t L = Tr::L;
  // Interior vector groups: first column c with c*sW - pW >= 0, and every load of the group inside the row:
  // c*sW - pW + (kW-1)*dW + span - 1 <= W - 1, and c + L <= OW.
  // The guards keep every product below small multiples of W + pW (no overflow for any plan).
  int64_t cv0 = 0, cv1 = 0;
  if (g.OW >= L && g.sW <= g.W && g.kW - 1 <= (g.W + g.pW) / g.dW) {
    const int64_t span = load_span<Tr, S>(g.sW);
    const int64_t c_lo = (g.pW + g.sW - 1) / g.sW;
    const int64_t num = g.W - 1 + g.pW - (g.kW - 1) * g.dW - (span - 1);
    int64_t c_hi = num >= 0 ? num / g.sW : -1;  // last allowed group start
    if (c_hi > g.OW - L) c_hi = g.OW - L;
    if (c_hi >= c_lo) {
      cv0 = c_lo;
      cv1 = c_lo + ((c_hi - c_lo) / L + 1) * L;
    }
  }
  borders<Tr, IDX, S>(g, in, out, i64, i32, oh0, oh1, cv0, cv1);
  if (cv1 <= cv0) return;
  // Interior. Reuse row reductions across output rows when windows overlap vertically.
  const int64_t R = g.kH <= kMaxRingRows && g.dH <= kMaxRingRows ? (g.kH - 1) * g.dH + 1 : kMaxRingRows + 1;
  if (g.kH > 1 && g.sH < R && oh1 - oh0 > 1 && R <= kMaxRingRows) {
    const int64_t per_col = static_cast<int64_t>(sizeof(T) + (IDX ? sizeof(typename Tr::Ix) : 0));
    const int64_t chunk = (kRingBytes / (R * per_col)) / L * L;
    // Chunks narrower than a few vectors cost more in re-reads than the reuse saves.
    if (chunk >= L && (chunk >= 4 * L || chunk >= cv1 - cv0)) {
      interior_ring<Tr, IDX, S, KW>(g, in, out, i64, i32, oh0, oh1, cv0, cv1, R, chunk);
      return;
    }
  }
  interior_direct<Tr, IDX, S, KW>(g, in, out, i64, i32, oh0, oh1, cv0, cv1);
}

template <class Tr, bool IDX>
void pool_dispatch(const PoolGeom& g, const typename Tr::T* in, typename Tr::T* out, int64_t* i64, int32_t* i32,
                   int64_t oh0, int64_t oh1) {
  if (g.sW == 1) {
    if (g.kW == 3) return pool_spec<Tr, IDX, 1, 3>(g, in, out, i64, i32, oh0, oh1);
    if (g.kW == 5) return pool_spec<Tr, IDX, 1, 5>(g, in, out, i64, i32, oh0, oh1);
    return pool_spec<Tr, IDX, 1, 0>(g, in, out, i64, i32, oh0, oh1);
  }
  if (g.sW == 2) {
    if (g.kW == 2 && g.dW == 1) return pool_spec<Tr, IDX, 2, 2>(g, in, out, i64, i32, oh0, oh1);
    if (g.kW == 3 && g.dW == 1) return pool_spec<Tr, IDX, 2, 3>(g, in, out, i64, i32, oh0, oh1);
    return pool_spec<Tr, IDX, 2, 0>(g, in, out, i64, i32, oh0, oh1);
  }
  if (g.sW == 3) return pool_spec<Tr, IDX, 3, 0>(g, in, out, i64, i32, oh0, oh1);
  if (g.sW == 4) return pool_spec<Tr, IDX, 4, 0>(g, in, out, i64, i32, oh0, oh1);
  return pool_spec<Tr, IDX, 0, 0>(g, in, out, i64, i32, oh0, oh1);
}

template <class Tr>
void pool(const PoolGeom& g, const typename Tr::T* in, typename Tr::T* out, int64_t* idx64, int32_t* idx32,
          int64_t oh0, int64_t oh1) {
  using T = typename Tr::T;
  if (oh0 >= oh1 || g.OW <= 0) return;
  if (idx64 || idx32) {
    // int32 index lanes (float32) need every in-plane index to fit.
    if (sizeof(typename Tr::Ix) == 4 && g.H * g.W > kInt32Max) {
      if (idx64) return scalar_rows<T, int64_t>(g, in, out, idx64, oh0, oh1);
      return scalar_rows<T, int32_t>(g, in, out, idx32, oh0, oh1);
    }
    if (idx64) return pool_dispatch<Tr, true>(g, in, out, idx64, nullptr, oh0, oh1);
    return pool_dispatch<Tr, true>(g, in, out, nullptr, idx32, oh0, oh1);
  }
  pool_dispatch<Tr, false>(g, in, out, nullptr, nullptr, oh0, oh1);
}

void pool_f32(const PoolGeom& g, const float* in, float* out, int64_t* i64, int32_t* i32, int64_t a, int64_t b) {
  pool<F32>(g, in, out, i64, i32, a, b);
}
void pool_f64(const PoolGeom& g, const double* in, double* out, int64_t* i64, int32_t* i32, int64_t a, int64_t b) {
  pool<F64>(g, in, out, i64, i32, a, b);
}

}  // namespace

const KernelTable kNeonKernels = {"neon", pool_f32, pool_f64, nullptr};

}  // namespace maxpool2d
#endif  // __aarch64__
