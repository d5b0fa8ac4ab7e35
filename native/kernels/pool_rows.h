// Shared x86 row-pooling driver: the ISA-independent part of the AVX2 / AVX-512 kernels.
//
// Each ISA translation unit defines vector traits (see maxpool_nchw_avx2.cc / maxpool_nchw_avx512.cc) and
// instantiates RowPool<Traits, ...> from here. Everything in this header lives in an anonymous namespace, so
// every translation unit gets its own copy compiled with its own -m flags (no COMDAT can be shared between
// an AVX-512 TU and another TU). No std:: templates are used.
//
// Algorithm for output rows [oh0, oh1) of one plane:
//  - Vectorised across output columns: one vector = L consecutive output columns ow0 .. ow0+L-1.
//  - Each window row is reduced first over its kW taps in order (horizontal), then the row results are
//    combined in row order (vertical). With the update rule "replace when v > m or v is NaN", which is
//    associative in this order, this is bit-identical to PyTorch's row-major scan (ties keep the first
//    tap including -0/+0, a NaN wins and the last NaN is kept, SNaN payloads are copied unchanged).
//  - Taps: stride 1 = unaligned loads; stride 2 = two loads + even/odd de-interleave; other strides =
//    masked gather. A vector whose loads all fall inside [0, W) of the row is "interior": plain loads and
//    the first tap initialises the result. Other vectors (padding, ragged edges, columns past the input,
//    lanes past OW) load with -inf outside [0, W) and start from (-inf, first in-bounds tap), which is the
//    reference's start state; padding is never selected because -inf never replaces.
//  - Nothing is read outside [0, W) of an in-bounds row, except AVX2 full-width loads that the traits
//    prove lie inside the plane (the extra lanes are replaced by -inf). Rows outside [0, H) are never read.
//  - When consecutive output rows share input rows (dilation 1, stride < kernel), the horizontal row
//    results (value + index) are kept in a small stack ring, one slot per window row, and every input row
//    is reduced once per column chunk. Otherwise rows are reduced and combined in registers.
//  - Indices: int32 lanes for float32 (calls whose indices could exceed INT32_MAX use the scalar kernel),
//    int64 lanes for float64. They are computed as (h*W) + ws(lane) + tap offset, with the tap offset
//    tracked per lane, and widened / narrowed at the store.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernel_api.h"

#ifndef MAXPOOL2D_X86_RING_BYTES
#define MAXPOOL2D_X86_RING_BYTES 24576
#endif

namespace maxpool2d {
namespace {

static inline int64_t pr_max(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t pr_min(int64_t a, int64_t b) { return a < b ? a : b; }

// First tap of a window at or after 0: the window start stepped by the dilation (PyTorch's index rule).
static inline int64_t pr_first_tap(int64_t start, int64_t d) {
  if (start >= 0) return start;
  return start + ((-start + d - 1) / d) * d;
}

// One past the last tap of a window, clipped to the input.
static inline int64_t pr_end_tap(int64_t start, int64_t k, int64_t d, int64_t n) {
  const int64_t e = start + (k - 1) * d + 1;
  return e < n ? e : n;
}

static inline float pr_ninf(float) { return -__builtin_inff(); }
static inline double pr_ninf(double) { return -__builtin_inf(); }

struct PoolCtx {
  int64_t H, W, OW, kH, kW, sH, sW, pH, pW, dH, dW;
  int64_t span;  // elements [ws0, ws0 + span) touched by the loads of one vector (interior test)
};

// Windows with no in-bounds row: -inf and the reference's start index h0*W + first column tap.
template <typename T, typename IT>
static void pr_fill_empty(const PoolCtx& c, T* orow, IT* irow, int64_t h0, int64_t c0, int64_t c1) {
  const T ninf = pr_ninf(T());
  for (int64_t ow = c0; ow < c1; ++ow) {
    orow[ow] = ninf;
    if (irow) irow[ow] = static_cast<IT>(h0 * c.W + pr_first_tap(ow * c.sW - c.pW, c.dW));
  }
}

// VT: vector traits. SW: 1, 2, or 0 (any stride, gather). KW: compile-time kernel width or 0 (runtime).
// IDX: track indices.
template <class VT, int SW, int KW, bool IDX>
struct RowPool {
  typedef typename VT::T T;
  typedef typename VT::V V;
  typedef typename VT::IV IV;
  typedef typename VT::M M;
  typedef typename VT::IS IS;  // storage type of one index lane
  static constexpr int L = VT::L;

  // Per-call state.
  struct Job {
    PoolCtx c;
    const T* in;
    const T* pe;     // end of the input plane
    int64_t nv;      // vectors covering [0, OW)
    int64_t vA, vB;  // interior vectors [vA, vB): all loads inside [0, W) of the row
    IV iotas;        // lane -> column offset of the window start (lane * sW, in the lane order of the taps)
  };

  static inline __attribute__((always_inline)) void tap(V b, int64_t off, V& m, IV& ci) {
    if (IDX) {
      const M k = VT::upd(m, b);
      m = VT::sel(k, m, b);
      ci = VT::seli(k, ci, VT::iset(off));
    } else {
      m = VT::op(m, b);
    }
  }

  static inline __attribute__((always_inline)) void comb(V& m, IV& I, V b, IV Ib) {
    if (IDX) {
      const M k = VT::upd(m, b);
      m = VT::sel(k, m, b);
      I = VT::seli(k, I, Ib);
    } else {
      m = VT::op(m, b);
    }
  }

  // Per-lane offset (from ws) of the first in-bounds column tap, for vectors that start from -inf.
  static inline IV first_off(const PoolCtx& c, IV colbase) {
    if (c.dW == 1) return VT::neg_clamp(colbase);  // max(0, -ws)
    int64_t a[L];
    VT::to_arr(colbase, a);
    for (int l = 0; l < L; ++l) a[l] = pr_first_tap(a[l], c.dW) - a[l];
    return VT::from_arr(a);
  }

  // Reduce one input row over the kW taps of the vector whose lane-0 window starts at column ws0.
  // Returns the max in m and the winning tap's offset from ws (per lane) in ci.
  template <bool MASKED>
  static inline __attribute__((always_inline)) void hred(const Job& jb, const T* row, int64_t ws0, IV colbase,
                                                         V& m, IV& ci) {
    const int64_t kW = KW > 0 ? KW : jb.c.kW;
    const int64_t dW = jb.c.dW;
    const int64_t W = jb.c.W;
    const T* pb = jb.in;
    const T* pe = jb.pe;
    (void)pb;
    (void)pe;
    (void)W;
    m = VT::ninf();
    ci = VT::iset(0);
    if (MASKED && IDX) ci = first_off(jb.c, colbase);
#define PR_LOAD(o) (MASKED ? VT::load_rng(row + (o), -(o), W - (o), pb, pe) : VT::loadu(row + (o)))
    if (SW == 1) {
#pragma GCC unroll 8
      for (int64_t j = 0; j < kW; ++j) {
        const int64_t o = ws0 + j * dW;
        const V b = PR_LOAD(o);
        if (!MASKED && j == 0) {
          m = b;
        } else {
          tap(b, j * dW, m, ci);
        }
      }
    } else if (SW == 2) {
      if (dW == 1) {
#pragma GCC unroll 4
        for (int64_t j = 0; j < kW; j += 2) {
          const int64_t o = ws0 + j;
          const V a = PR_LOAD(o);
          const V b = PR_LOAD(o + L);
          const V e = VT::ev(a, b);
          if (!MASKED && j == 0) {
            m = e;
          } else {
            tap(e, j, m, ci);
          }
          if (j + 1 < kW) tap(VT::od(a, b), j + 1, m, ci);
        }
      } else {
#pragma GCC unroll 8
        for (int64_t j = 0; j < kW; ++j) {
          const int64_t o = ws0 + j * dW;
          const V e = VT::ev(PR_LOAD(o), PR_LOAD(o + L));
          if (!MASKED && j == 0) {
            m = e;
          } else {
            tap(e, j * dW, m, ci);
          }
        }
      }
    } else {
#pragma GCC unroll 8
      for (int64_t j = 0; j < kW; ++j) {
        const V b = VT::gather(row, VT::iadd(colbase, VT::iset(j * dW)), W);
        if (!MASKED && j == 0) {
          m = b;
        } else {
          tap(b, j * dW, m, ci);
        }
      }
    }
#undef PR_LOAD
  }

  template <typename IT>
  static inline __attribute__((always_inline)) void put(T* o, IT* io, V m, IV I, int n) {
    if (VT::kPerm2 && SW == 2) {
      m = VT::unperm(m);
      if (IDX) I = VT::unperm_i(I);
    }
    VT::store(o, m, n);
    if (IDX) VT::store_idx(io, I, n);
  }

  // ---------------------------------------------------------------- ring path: horizontal pass of one row
  // Row h, vectors [v0, v1) (global vector numbers), written to dv / di at (v - vbase) * L.
  static __attribute__((noinline)) void hpass_masked(const Job& jb, int64_t h, int64_t v0, int64_t v1,
                                                     int64_t vbase, T* dv, IS* di) {
    const T* row = jb.in + h * jb.c.W;
    for (int64_t v = v0; v < v1; ++v) {
      const int64_t ws0 = v * L * jb.c.sW - jb.c.pW;
      const IV colbase = VT::iadd(VT::iset(ws0), jb.iotas);
      V m;
      IV ci;
      hred<true>(jb, row, ws0, colbase, m, ci);
      const int64_t o = (v - vbase) * L;
      VT::vst(dv + o, m);
      if (IDX) VT::ist(di + o, VT::iadd(VT::iadd(colbase, ci), VT::iset(h * jb.c.W)));
    }
  }

  static void hpass(const Job& jb, int64_t h, int64_t v0, int64_t v1, T* dv, IS* di) {
    const int64_t a = pr_min(pr_max(jb.vA, v0), v1);
    const int64_t b = pr_max(pr_min(jb.vB, v1), a);
    if (v0 < a) hpass_masked(jb, h, v0, a, v0, dv, di);
    const T* row = jb.in + h * jb.c.W;
    const int64_t step = L * jb.c.sW;
    int64_t ws0 = a * step - jb.c.pW;
    T* pv = dv + (a - v0) * L;
    IS* pi = IDX ? di + (a - v0) * L : nullptr;
    const IV hw = VT::iset(h * jb.c.W);
    for (int64_t v = a; v < b; ++v, ws0 += step, pv += L) {
      const IV colbase = VT::iadd(VT::iset(ws0), jb.iotas);
      V m;
      IV ci;
      hred<false>(jb, row, ws0, colbase, m, ci);
      VT::vst(pv, m);
      if (IDX) {
        VT::ist(pi, VT::iadd(VT::iadd(colbase, ci), hw));
        pi += L;
      }
    }
    if (b < v1) hpass_masked(jb, h, b, v1, v0, dv, di);
  }

  // ---------------------------------------------------------------- ring path: vertical pass
  // Folds ring rows rv[0..nr) (value) / ri (index) for vectors covering columns [c0, c1) of the chunk that
  // starts at column cA, writes output row orow / irow.
  template <int NR, typename IT>
  static void vpass(T* orow, IT* irow, T* const* rv, IS* const* ri, int64_t nr_rt, int64_t cA, int64_t cB) {
    const int64_t nr = NR > 0 ? NR : nr_rt;
    int64_t ow0 = cA;
    for (; ow0 + L <= cB; ow0 += L) {
      const int64_t col = ow0 - cA;
      V m = VT::vld(rv[0] + col);
      IV I = VT::iset(0);
      if (IDX) I = VT::ild(ri[0] + col);
#pragma GCC unroll 8
      for (int64_t r = 1; r < nr; ++r) comb(m, I, VT::vld(rv[r] + col), IDX ? VT::ild(ri[r] + col) : I);
      put(orow + ow0, IDX ? irow + ow0 : nullptr, m, I, L);
    }
    if (ow0 < cB) {
      const int64_t col = ow0 - cA;
      V m = VT::vld(rv[0] + col);
      IV I = VT::iset(0);
      if (IDX) I = VT::ild(ri[0] + col);
      for (int64_t r = 1; r < nr; ++r) comb(m, I, VT::vld(rv[r] + col), IDX ? VT::ild(ri[r] + col) : I);
      put(orow + ow0, IDX ? irow + ow0 : nullptr, m, I, static_cast<int>(cB - ow0));
    }
  }

  // Ring of horizontal row results (dH == 1, sH < kH): each input row is reduced once per column chunk.
  template <typename IT>
  static void run_ring(const Job& jb, T* out, IT* idx, int64_t oh0, int64_t oh1, unsigned char* scratch,
                       int64_t chunk) {
    const PoolCtx& c = jb.c;
    const int64_t OW = c.OW, R = c.kH;
    T* rvb = reinterpret_cast<T*>(scratch);
    IS* rib = reinterpret_cast<IS*>(scratch + sizeof(T) * R * chunk);
    for (int64_t cA = 0; cA < OW; cA += chunk) {
      const int64_t cB = pr_min(OW, cA + chunk);
      const int64_t v0 = cA / L, v1 = (cB + L - 1) / L;
      int64_t hnext = -1;             // rows < hnext of this chunk are in the ring
      int64_t hprev = -1, sprev = 0;  // last h0 and its ring slot (h0 % R, tracked without division)
      for (int64_t oh = oh0; oh < oh1; ++oh) {
        const int64_t hs = oh * c.sH - c.pH;
        const int64_t h0 = pr_max(hs, 0);
        const int64_t h1 = pr_min(hs + c.kH, c.H);
        T* orow = out + oh * OW;
        IT* irow = IDX ? idx + oh * OW : nullptr;
        if (h0 >= h1) {
          pr_fill_empty(c, orow, irow, h0, cA, cB);
          continue;
        }
        // ring slot of rows h0 .. h1-1 (R <= 64); h0 grows by less than R per output row
        int64_t s0;
        if (hprev < 0 || h0 - hprev >= R) {
          s0 = h0 % R;
        } else {
          s0 = sprev + (h0 - hprev);
          if (s0 >= R) s0 -= R;
        }
        hprev = h0;
        sprev = s0;
        T* rv[64];
        IS* ri[64];
        const int64_t nr = h1 - h0;
        for (int64_t r = 0, sr = s0; r < nr; ++r) {
          rv[r] = rvb + sr * chunk;
          ri[r] = IDX ? rib + sr * chunk : nullptr;
          if (++sr == R) sr = 0;
        }
        for (int64_t h = pr_max(h0, hnext); h < h1; ++h) hpass(jb, h, v0, v1, rv[h - h0], ri[h - h0]);
        hnext = pr_max(hnext, h1);
        switch (nr) {
          case 2: vpass<2>(orow, irow, rv, ri, nr, cA, cB); break;
          case 3: vpass<3>(orow, irow, rv, ri, nr, cA, cB); break;
          case 5: vpass<5>(orow, irow, rv, ri, nr, cA, cB); break;
          default: vpass<0>(orow, irow, rv, ri, nr, cA, cB); break;
        }
      }
    }
  }

  // ---------------------------------------------------------------- direct path (no row sharing)
  template <bool MASKED, int NR, typename IT>
  static inline __attribute__((always_inline)) void dvec(const Job& jb, const T* const* rows, const int64_t* hw,
                                                         int64_t nr_rt, int64_t v, T* orow, IT* irow) {
    const int64_t nr = NR > 0 ? NR : nr_rt;
    const int64_t ow0 = v * L;
    const int64_t ws0 = ow0 * jb.c.sW - jb.c.pW;
    const IV colbase = VT::iadd(VT::iset(ws0), jb.iotas);
    V m;
    IV ci, I = VT::iset(0);
    hred<MASKED>(jb, rows[0], ws0, colbase, m, ci);
    if (IDX) I = VT::iadd(VT::iadd(colbase, ci), VT::iset(hw[0]));
#pragma GCC unroll 8
    for (int64_t r = 1; r < nr; ++r) {
      V b;
      IV cb;
      hred<MASKED>(jb, rows[r], ws0, colbase, b, cb);
      comb(m, I, b, IDX ? VT::iadd(VT::iadd(colbase, cb), VT::iset(hw[r])) : I);
    }
    put(orow + ow0, IDX ? irow + ow0 : nullptr, m, I, static_cast<int>(pr_min(L, jb.c.OW - ow0)));
  }

  template <int NR, typename IT>
  static __attribute__((noinline)) void drow_masked(const Job& jb, const T* const* rows, const int64_t* hw,
                                                    int64_t nr, int64_t v0, int64_t v1, T* orow, IT* irow) {
    for (int64_t v = v0; v < v1; ++v) dvec<true, NR>(jb, rows, hw, nr, v, orow, irow);
  }

  template <int NR, typename IT>
  static void drow(const Job& jb, const T* const* rows, const int64_t* hw, int64_t nr, T* orow, IT* irow) {
    if (jb.vA > 0) drow_masked<NR>(jb, rows, hw, nr, 0, jb.vA, orow, irow);
    int64_t v = jb.vA;
    const int64_t full = pr_min(jb.vB, jb.c.OW / L);  // interior vectors with all L lanes stored
    for (; v < full; ++v) dvec<false, NR>(jb, rows, hw, nr, v, orow, irow);
    for (; v < jb.vB; ++v) dvec<false, NR>(jb, rows, hw, nr, v, orow, irow);
    if (jb.vB < jb.nv) drow_masked<NR>(jb, rows, hw, nr, jb.vB, jb.nv, orow, irow);
  }

  template <typename IT>
  static void run_direct(const Job& jb, T* out, IT* idx, int64_t oh0, int64_t oh1) {
    const PoolCtx& c = jb.c;
    const int64_t W = c.W, OW = c.OW;
    for (int64_t oh = oh0; oh < oh1; ++oh) {
      const int64_t hs = oh * c.sH - c.pH;
      const int64_t h0 = pr_first_tap(hs, c.dH);
      const int64_t h1 = pr_end_tap(hs, c.kH, c.dH, c.H);
      T* orow = out + oh * OW;
      IT* irow = IDX ? idx + oh * OW : nullptr;
      if (h0 >= h1) {
        pr_fill_empty(c, orow, irow, h0, 0, OW);
        continue;
      }
      const T* rows[64];
      int64_t hw[64];
      int64_t nr = 0;
      int64_t h = h0;
      // more than 64 window rows: fold the first rows into the output, then the rest into it (rare)
      for (; h < h1 && nr < 64; h += c.dH, ++nr) {
        rows[nr] = jb.in + h * W;
        hw[nr] = h * W;
      }
      if (h < h1) {
        run_direct_tall(jb, orow, irow, h0, h1);
        continue;
      }
      switch (nr) {
        case 1: drow<1>(jb, rows, hw, nr, orow, irow); break;
        case 2: drow<2>(jb, rows, hw, nr, orow, irow); break;
        case 3: drow<3>(jb, rows, hw, nr, orow, irow); break;
        default: drow<0>(jb, rows, hw, nr, orow, irow); break;
      }
    }
  }

  // Windows taller than 64 rows: per vector, all rows in order (slow path, correctness only).
  template <typename IT>
  static __attribute__((noinline)) void run_direct_tall(const Job& jb, T* orow, IT* irow, int64_t h0, int64_t h1) {
    const PoolCtx& c = jb.c;
    for (int64_t v = 0; v < jb.nv; ++v) {
      const int64_t ow0 = v * L;
      const int64_t ws0 = ow0 * c.sW - c.pW;
      const IV colbase = VT::iadd(VT::iset(ws0), jb.iotas);
      V m;
      IV ci, I = VT::iset(0);
      hred<true>(jb, jb.in + h0 * c.W, ws0, colbase, m, ci);
      if (IDX) I = VT::iadd(VT::iadd(colbase, ci), VT::iset(h0 * c.W));
      for (int64_t h = h0 + c.dH; h < h1; h += c.dH) {
        V b;
        IV cb;
        hred<true>(jb, jb.in + h * c.W, ws0, colbase, b, cb);
        comb(m, I, b, IDX ? VT::iadd(VT::iadd(colbase, cb), VT::iset(h * c.W)) : I);
      }
      put(orow + ow0, IDX ? irow + ow0 : nullptr, m, I, static_cast<int>(pr_min(L, c.OW - ow0)));
    }
  }

  template <typename IT>
  static void run(const PoolCtx& c, const T* in, T* out, IT* idx, int64_t oh0, int64_t oh1) {
    Job jb;
    jb.c = c;
    jb.in = in;
    jb.pe = in + c.H * c.W;
    jb.nv = (c.OW + L - 1) / L;
    jb.iotas = VT::iota_s(c.sW, SW == 2);
    const int64_t step = L * c.sW;
    jb.vA = pr_min((c.pW + step - 1) / step, jb.nv);
    const int64_t room = c.W + c.pW - c.span;
    jb.vB = room < 0 ? jb.vA : pr_max(pr_min(room / step + 1, jb.nv), jb.vA);
    alignas(64) unsigned char scratch[MAXPOOL2D_X86_RING_BYTES];
    if (c.dH == 1 && c.sH < c.kH && c.kH <= 64 && oh1 - oh0 > 1) {
      const int64_t per_col = c.kH * static_cast<int64_t>(sizeof(T) + (IDX ? sizeof(IS) : 0));
      int64_t chunk = (static_cast<int64_t>(sizeof(scratch)) / per_col) / L * L;
      const int64_t need = jb.nv * L;
      if (chunk > need) chunk = need;
      if (chunk >= L) {
        run_ring<IT>(jb, out, idx, oh0, oh1, scratch, chunk);
        return;
      }
    }
    run_direct<IT>(jb, out, idx, oh0, oh1);
  }
};

// Picks the stride / width specialisation. Returns false when the scalar kernel must be used.
template <class VT, bool IDX, int SW>
static void pr_dispatch_kw(const PoolCtx& c, const typename VT::T* in, typename VT::T* out, int64_t* i64,
                           int32_t* i32, int64_t oh0, int64_t oh1) {
#define PR_RUN(KW)                                                       \
  do {                                                                   \
    if (!IDX)                                                            \
      RowPool<VT, SW, KW, IDX>::template run<int64_t>(c, in, out, nullptr, oh0, oh1); \
    else if (i64)                                                        \
      RowPool<VT, SW, KW, IDX>::template run<int64_t>(c, in, out, i64, oh0, oh1);     \
    else                                                                 \
      RowPool<VT, SW, KW, IDX>::template run<int32_t>(c, in, out, i32, oh0, oh1);     \
  } while (0)
  switch (c.kW) {
    case 2: PR_RUN(2); break;
    case 3: PR_RUN(3); break;
    case 5: PR_RUN(5); break;
    default: PR_RUN(0); break;
  }
#undef PR_RUN
}

template <class VT, bool IDX>
static void pr_dispatch_sw(const PoolCtx& c, const typename VT::T* in, typename VT::T* out, int64_t* i64,
                           int32_t* i32, int64_t oh0, int64_t oh1) {
  if (c.sW == 1)
    pr_dispatch_kw<VT, IDX, 1>(c, in, out, i64, i32, oh0, oh1);
  else if (c.sW == 2)
    pr_dispatch_kw<VT, IDX, 2>(c, in, out, i64, i32, oh0, oh1);
  else
    pr_dispatch_kw<VT, IDX, 0>(c, in, out, i64, i32, oh0, oh1);
}

// Entry point shared by the ISA TUs. Returns false if the geometry must go to the scalar kernel.
template <class VT>
static bool pr_pool(const PoolGeom& g, const typename VT::T* in, typename VT::T* out, int64_t* i64,
                    int32_t* i32, int64_t oh0, int64_t oh1) {
  if (oh0 >= oh1 || g.OW <= 0) return true;
  if (g.H <= 0 || g.W <= 0) return false;  // nothing to read: the scalar kernel just fills
  const int L = VT::L;
  // Lane arithmetic is int32 for float32 (indices, gather offsets): keep every valid lane's value small.
  if (sizeof(typename VT::IS) == 4) {
    const double lim = static_cast<double>(g.H) * static_cast<double>(g.W) +
                       static_cast<double>(g.OW + L) * static_cast<double>(g.sW) +
                       static_cast<double>(g.kW + 1) * static_cast<double>(g.dW) + static_cast<double>(g.pW) +
                       static_cast<double>(g.W);
    if (lim >= 2147483647.0) return false;
  }
  // Guard against absurd kernels (the loops are linear in kW / kH anyway; this keeps int math trivially safe).
  if (g.kW > (int64_t(1) << 24) || g.dW > (int64_t(1) << 24) || g.sW > (int64_t(1) << 24)) return false;
  PoolCtx c;
  c.H = g.H;
  c.W = g.W;
  c.OW = g.OW;
  c.kH = g.kH;
  c.kW = g.kW;
  c.sH = g.sH;
  c.sW = g.sW;
  c.pH = g.pH;
  c.pW = g.pW;
  c.dH = g.dH;
  c.dW = g.dW;
  if (c.sW == 1)
    c.span = (c.kW - 1) * c.dW + L;
  else if (c.sW == 2)
    c.span = (c.dW == 1 ? ((c.kW - 1) & ~int64_t(1)) : (c.kW - 1) * c.dW) + 2 * L;
  else
    c.span = (L - 1) * c.sW + (c.kW - 1) * c.dW + 1;
  if (i64 || i32)
    pr_dispatch_sw<VT, true>(c, in, out, i64, i32, oh0, oh1);
  else
    pr_dispatch_sw<VT, false>(c, in, out, i64, i32, oh0, oh1);
  return true;
}

}  // namespace
}  // namespace maxpool2d
