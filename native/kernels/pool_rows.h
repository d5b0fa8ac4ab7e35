// Shared x86 row-pooling driver: the ISA-independent part of the AVX2 / AVX-512 kernels.
//
// Each ISA translation unit defines vector traits (see maxpool_nchw_avx2.cc / maxpool_nchw_avx512.cc) and
// instantiates RowPool<Traits, ...> from here. Everything in this header lives in an anonymous namespace, so
// every translation unit gets its own copy compiled with its own -m flags (no COMDAT can be shared between
// an AVX-512 TU and another TU). No std:: templates are used.
//
// Algorithm for output rows [oh0, oh1) of one plane:
//  - Vectorised across output columns: one vector = L consecutive output columns.
//  - Each window row is reduced first over its kW taps in order (horizontal), then the row results are
//    combined in row order (vertical). With the update rule "replace when v > m or v is NaN", which is
//    associative in this order, this is bit-identical to PyTorch's row-major scan (ties keep the first
//    tap including -0/+0, a NaN wins and the last NaN is kept, NaN payloads are copied unchanged).
//  - Taps: stride 1 = unaligned loads; stride 2 = two loads + even/odd de-interleave (in-lane shuffles, the
//    lane order is undone once per stored vector; k3 without indices takes its third tap from the same pair,
//    see next_even); other strides = masked gather.
//  - Interior vectors (every tap of every lane below OW inside [0, W)) use plain loads, which may run past
//    the row end into the next row but never past the plane (vlim()). Edge vectors (padding, ragged ceil-mode
//    windows, columns past the input) load with -inf outside [0, W) of the row through load masks that are
//    computed once per call; with indices they start from (-inf, first in-bounds tap), the reference's start
//    state, so padding never wins. Rows outside [0, H) are never read. AVX2 has no fault-suppressing masked
//    load we rely on: its traits do a full-width load only when it lies inside the plane, else lane by lane.
//  - Strip path (square 2x2..5x5 windows, stride 1 or 2 < kernel, dilation 1): for the output rows whose
//    windows lie inside [0, H) vertically, each column vector walks down the plane keeping the horizontal
//    results of its last kH input rows in registers: every input row is reduced once per vector and only
//    the input and the output touch memory. That walk reads the plane column strip by column strip, which
//    the hardware prefetchers do not follow from DRAM: on inputs beyond the caches (PoolGeom's
//    prefetch_next_plane) every output row also prefetches a few lines of the next plane, in order, into L2
//    (prefetcht2; T0 evicted the plane being pooled from L1), so the whole next plane arrives while this one
//    is pooled. ResNet stem batch 8 (25.7 MB in), one thread: 2.6-2.9 ms -> 1.5-2.0 ms.
//  - Band path (dilation 1, stride < kernel otherwise, and the top / bottom rows of the strip cases): the
//    horizontal results of a band of input rows go to a stack scratch S (values + indices), then every output
//    row folds its kH rows of S. Stride 1 with OW == W whose rows do not fill whole vectors (e.g. SPPF 20x20)
//    runs both passes flat: the horizontal pass treats the band as one array with per-column load masks
//    (tables cached per thread), the vertical pass folds rows at fixed offsets over many output rows at once.
//  - Direct path (no shared rows, e.g. 2x2 stride 2, or dilated rows): per output row and vector, the window
//    rows are reduced and combined in registers; on planes of 128 KiB or more the input rows are software
//    prefetched about 8 KiB ahead.
//  - Indices: int32 lanes for float32 (calls whose indices could exceed INT32_MAX use the scalar kernel),
//    int64 lanes for float64, computed as h*W + ws(lane) + tap offset and widened / narrowed at the store.
//  - Stack use per call: the Job (edge masks, <= 5 KiB with AVX2), MAXPOOL2D_X86_SCRATCH_BYTES in the band
//    path and <= 4 KiB of masks in the edge helpers. Windows taller than 64 rows or wider than 64 columns go
//    to the scalar kernel.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernel_api.h"

// Bytes of stack scratch per call (band path). Overridable for tests (many bands / column chunks).
#ifndef MAXPOOL2D_X86_SCRATCH_BYTES
#define MAXPOOL2D_X86_SCRATCH_BYTES 32768
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

// Floor division for b > 0.
static inline int64_t pr_fdiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Kernel widths above this go to the scalar kernel (bounded per-vector load-mask buffers).
static constexpr int kPrMaxKW = 64;

static inline float pr_ninf(float) { return -__builtin_inff(); }
static inline double pr_ninf(double) { return -__builtin_inf(); }
// Integer element types (maxpool_generic_avx512.cc): a window starts from the type's lowest value.
static inline int8_t pr_ninf(int8_t) { return INT8_MIN; }
static inline uint8_t pr_ninf(uint8_t) { return 0; }
static inline int16_t pr_ninf(int16_t) { return INT16_MIN; }
static inline uint16_t pr_ninf(uint16_t) { return 0; }
static inline int32_t pr_ninf(int32_t) { return INT32_MIN; }

struct PoolCtx {
  int64_t H, W, OW, kH, kW, sH, sW, pH, pW, dH, dW;
  int64_t span;  // elements [ws0, ws0 + span) touched by the loads of one vector (interior test)
  bool prefetch_next_plane;
};

// Output row pointers (already offset to the first column written). Exactly one index pointer may be set.
template <typename T>
struct PrDst {
  T* o;
  int64_t* i64;
  int32_t* i32;
};

// Windows with no in-bounds row: -inf and the reference's start index h0*W + first column tap.
template <typename T>
static void pr_fill_empty(const PoolCtx& c, T* orow, int64_t* i64, int32_t* i32, int64_t h0, int64_t c0, int64_t c1) {
  const T ninf = pr_ninf(T());
  for (int64_t ow = c0; ow < c1; ++ow) {
    orow[ow] = ninf;
    const int64_t i = h0 * c.W + pr_first_tap(ow * c.sW - c.pW, c.dW);
    if (i64) i64[ow] = i;
    if (i32) i32[ow] = static_cast<int32_t>(i);
  }
}

// Whether VT provides next_even (the k3 s2 third tap out of the first tap's lanes): traits declare kNextEven.
template <class VT, class = void>
struct PrNextEven {
  static constexpr bool value = false;
};
template <class VT>
struct PrNextEven<VT, decltype(void(VT::kNextEven))> {
  static constexpr bool value = true;
};

// VT: vector traits. SW: 1, 2, or 0 (any stride, gather). KW: compile-time kernel width or 0 (runtime).
// IDX: track indices.
template <class VT, int SW, int KW, bool IDX>
struct RowPool {
  typedef typename VT::T T;
  typedef typename VT::V V;
  typedef typename VT::IV IV;
  typedef typename VT::M M;
  typedef typename VT::IS IS;  // storage type of one index lane
  typedef typename VT::LM LM;  // load mask
  typedef PrDst<T> Dst;
  static constexpr int L = VT::L;
  static constexpr int kTabV = 4;    // edge vectors per side with precomputed load masks
  static constexpr int kTabL = 16;   // loads per vector at most, for the per-call tables
  static constexpr int kMaxLoads = 2 * kPrMaxKW;  // loads per vector at most (stride 2, dilation > 1)
  static constexpr int kFlatP = 16;  // column phases at most in the flat horizontal pass
  static constexpr int kFlatK = 8;   // kernel width at most in the flat horizontal pass
  static constexpr bool kPerm = VT::kPerm2 && SW == 2;  // lanes kept in the de-interleave order
  static constexpr bool kStrip = KW > 0 && KW <= 5 && SW > 0 && SW <= 2 && SW < KW;  // strip path compiled

  // Horizontal stride as a compile-time constant where the specialisation fixes it (cheap divisions).
  static inline int64_t sw(const PoolCtx& c) { return SW > 0 ? SW : c.sW; }

  // Per-call state.
  struct Job {
    PoolCtx c;
    const T* in;
    const T* pe;     // end of the input plane
    int64_t nv;      // vectors covering [0, OW)
    // Interior vectors [vA, vB): every tap of every lane below OW lies in [0, W) of the row (no padding, no
    // clipping). Their plain loads may run past the row end (lanes >= OW, or the extra element of a stride-2
    // pair) into the next row; that is safe while it stays inside the plane: see vlim().
    int64_t vA, vB;
    IV iotas;        // lane -> column offset of the window start (lane * sW, in the lane order of the taps)
    // Load masks of the edge vectors (they do not depend on the row): vectors [0, tl) in slots 0.., vectors
    // [tr, nv) in slots kTabV.. ; nl = loads per vector (0: no table, masks computed per load).
    int64_t nl, tl, tr;
    bool tab_done;
    // Strip path, prefetch_next_plane: the next plane's lines not yet prefetched [pf, pf_end), pf_lines of them
    // per output row of one vector (pf == pf_end: none).
    mutable const char* pf;
    const char* pf_end;
    int64_t pf_lines;
    LM lm[2 * kTabV][kTabL];
  };

  // Flat horizontal pass tables (stride 1, OW == W): per column phase, tap masks and first-tap offsets.
  struct Flat {
    int64_t P;  // phases: vector q covers flat positions [q*L, q*L + L), phase q % P
    LM lm[kFlatP][kFlatK];
    IV ci0[kFlatP];
  };

  // ------------------------------------------------------------------------------------ tables
  // Offset from ws0 of load number li of a vector (the order hred issues them in).
  static inline int64_t load_off(const PoolCtx& c, int64_t li) {
    if (SW == 1) return li * c.dW;
    if (c.dW == 1) return (li >> 1) * 2 + (li & 1) * L;
    return (li >> 1) * c.dW + (li & 1) * L;
  }

  static void init_tab(Job& jb) {
    if (jb.tab_done) return;
    jb.tab_done = true;
    const PoolCtx& c = jb.c;
    const int64_t kW = KW > 0 ? KW : c.kW;
    jb.nl = SW == 1 ? kW : (SW == 2 ? (c.dW == 1 ? 2 * ((kW + 1) / 2) : 2 * kW) : 0);
    if (jb.nl > kTabL) jb.nl = 0;
    jb.tl = 0;
    jb.tr = jb.nv;
    if (jb.nl == 0) return;
    jb.tl = pr_min(jb.vA, kTabV);
    jb.tr = pr_max(jb.vB, jb.nv - kTabV);
    for (int64_t side = 0; side < 2; ++side) {
      const int64_t a = side ? jb.tr : 0, b = side ? jb.nv : jb.tl;
      for (int64_t v = a; v < b; ++v) {
        const int64_t slot = side ? kTabV + (v - jb.tr) : v;
        const int64_t ws0 = v * L * sw(c) - c.pW;
        for (int64_t li = 0; li < jb.nl; ++li) {
          const int64_t o = ws0 + load_off(c, li);
          jb.lm[slot][li] = VT::lmask(-o, c.W - o);
        }
      }
    }
  }

  // Interior vectors whose plain loads, in rows up to hmax, stay inside the plane: [vA, vlim(hmax)).
  static inline int64_t vlim(const Job& jb, int64_t hmax) {
    const int64_t room = (jb.c.H - hmax) * jb.c.W + jb.c.pW - jb.c.span;  // ws0 <= room for the last vector
    const int64_t step = L * sw(jb.c);
    const int64_t v = pr_fdiv(room, step) + 1;
    return pr_max(pr_min(v, jb.vB), jb.vA);
  }

  // Load masks of edge vector v: from the table, or built into buf (vectors beyond the table, many loads).
  static inline const LM* tab(const Job& jb, int64_t v, LM* buf) {
    if (v < jb.tl) return jb.lm[v];
    if (v >= jb.tr) return jb.lm[kTabV + (v - jb.tr)];
    return make_masks(jb, v, buf);
  }
  static __attribute__((noinline)) const LM* make_masks(const Job& jb, int64_t v, LM* buf) {
    const PoolCtx& c = jb.c;
    const int64_t kW = KW > 0 ? KW : c.kW;
    const int64_t nl = SW == 1 ? kW : (SW == 2 ? (c.dW == 1 ? 2 * ((kW + 1) / 2) : 2 * kW) : 0);
    const int64_t ws0 = v * L * c.sW - c.pW;
    for (int64_t li = 0; li < nl; ++li) {
      const int64_t o = ws0 + load_off(c, li);
      buf[li] = VT::lmask(-o, c.W - o);
    }
    return buf;
  }

  // ------------------------------------------------------------------------------------ updates
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
    return first_off_dil(c, colbase);
  }
  static __attribute__((noinline)) IV first_off_dil(const PoolCtx& c, IV colbase) {
    int64_t a[L];
    VT::to_arr(colbase, a);
    for (int l = 0; l < L; ++l) a[l] = pr_first_tap(a[l], c.dW) - a[l];
    return VT::from_arr(a);
  }

  // Reduce one row over the kW taps of the vector whose lane-0 window starts at row[ws0]. Returns the max
  // in m and the winning tap's offset from ws (per lane) in ci. MASKED: load number li goes through lm[li]
  // (-inf outside the mask); with indices the start offsets are *ci0 (or computed from colbase when null).
  template <bool MASKED>
  static inline __attribute__((always_inline)) void hred(const Job& jb, const T* row, int64_t ws0, IV colbase,
                                                         const LM* lm, const IV* ci0, V& m, IV& ci) {
    const int64_t kW = KW > 0 ? KW : jb.c.kW;
    const int64_t dW = KW > 0 ? 1 : jb.c.dW;  // width specialisations are for dilation 1
    const int64_t W = jb.c.W;
    const T* pb = jb.in;
    const T* pe = jb.pe;
    (void)pb;
    (void)pe;
    (void)W;
    (void)lm;
    (void)ci0;
    // The first tap starts the reduction, masked or not: a lane whose first tap is in bounds starts from
    // (tap, offset 0), which is the reference's start state after that tap; a lane whose first tap is
    // masked gets -inf and the offset of its first in-bounds tap (first_off / ci0: 0 when ws >= 0), which is
    // the reference's start state itself.
    const bool first_init = true;
    m = VT::ninf();
    ci = VT::iset(0);
    if (MASKED && IDX) ci = ci0 ? *ci0 : first_off(jb.c, colbase);
#define PR_LOAD(o, li) (!MASKED ? VT::loadu(row + (o)) : VT::load_m(row + (o), lm[li], pb, pe))
    if (SW == 1) {
      for (int64_t j = 0; j < kW; ++j) {
        const int64_t o = ws0 + j * dW;
        const V b = PR_LOAD(o, j);
        if (first_init && j == 0)
          m = b;
        else
          tap(b, j * dW, m, ci);
      }
    } else if (SW == 2) {
      if constexpr (PrNextEven<VT>::value && KW == 3 && !IDX) {
        // k3 s2, values: taps 0 and 1 are the even / odd lanes of one pair of loads; tap 2 is tap 0 of the
        // next column, permuted out of tap 0 plus one element instead of a second pair of loads, which cross
        // cache lines on most rows (AVX-512, one thread: ResNet stem 102 -> 85 us, AlexNet 34 -> 29). Edge
        // vectors read that element only inside the row (-inf outside), as their masked loads do; interior
        // vectors may read it as is (it lies inside the span their second pair would have loaded). The index
        // path is bound by its updates, not its loads: no gain there.
        const V a = PR_LOAD(ws0, 0);
        const V b = PR_LOAD(ws0 + L, 1);
        const V e = VT::ev(a, b);
        const int64_t o2 = ws0 + 2 * L;
        const T next = !MASKED || (o2 >= 0 && o2 < W) ? row[o2] : pr_ninf(T());
        m = e;
        tap(VT::od(a, b), 1, m, ci);
        tap(VT::next_even(e, next), 2, m, ci);
        return;
      }
      if (dW == 1) {
        for (int64_t j = 0; j < kW; j += 2) {
          const int64_t o = ws0 + j;
          const V a = PR_LOAD(o, j);
          const V b = PR_LOAD(o + L, j + 1);
          const V e = VT::ev(a, b);
          if (first_init && j == 0)
            m = e;
          else
            tap(e, j, m, ci);
          if (j + 1 < kW) tap(VT::od(a, b), j + 1, m, ci);
        }
      } else {
        for (int64_t j = 0; j < kW; ++j) {
          const int64_t o = ws0 + j * dW;
          const V e = VT::ev(PR_LOAD(o, 2 * j), PR_LOAD(o + L, 2 * j + 1));
          if (first_init && j == 0)
            m = e;
          else
            tap(e, j * dW, m, ci);
        }
      }
    } else {
      for (int64_t j = 0; j < kW; ++j) {
        const V b = VT::gather(row, VT::iadd(colbase, VT::iset(j * dW)), W);
        if (first_init && j == 0)
          m = b;
        else
          tap(b, j * dW, m, ci);
      }
    }
#undef PR_LOAD
  }

  static inline __attribute__((always_inline)) void put(const Dst& d, int64_t i, V m, IV I, int n) {
    if (kPerm) {
      m = VT::unperm(m);
      if (IDX) I = VT::unperm_i(I);
    }
    VT::store(d.o + i, m, n);
    if (IDX) {
      if (d.i64)
        VT::store_idx(d.i64 + i, I, n);
      else
        VT::store_idx(d.i32 + i, I, n);
    }
  }

  // ------------------------------------------------------------------------------------ horizontal passes
  // Row h, vectors [v0, v1) -> dv / di at (v - v0) * L. Edge vectors (masked loads) out of line.
  static __attribute__((noinline)) void hrow_edge(const Job& jb, const T* row, int64_t hW, int64_t v0, int64_t va,
                                                  int64_t vb, T* dv, IS* di) {
    LM buf[kMaxLoads];
    for (int64_t v = va; v < vb; ++v) {
      const int64_t ws0 = v * L * jb.c.sW - jb.c.pW;
      const IV colbase = VT::iadd(VT::iset(ws0), jb.iotas);
      V m;
      IV ci;
      hred<true>(jb, row, ws0, colbase, tab(jb, v, buf), nullptr, m, ci);
      const int64_t o = (v - v0) * L;
      VT::vst(dv + o, m);
      if (IDX) VT::ist(di + o, VT::iadd(VT::iadd(colbase, ci), VT::iset(hW)));
    }
  }

  static void hrow(const Job& jb, int64_t h, int64_t v0, int64_t v1, T* dv, IS* di) {
    const int64_t a = pr_min(pr_max(jb.vA, v0), v1);
    const int64_t b = pr_max(pr_min(vlim(jb, h), v1), a);
    const T* row = jb.in + h * jb.c.W;
    const int64_t hW = h * jb.c.W;
    if (v0 < a) hrow_edge(jb, row, hW, v0, v0, a, dv, di);
    const int64_t step = L * jb.c.sW;
    int64_t ws0 = a * step - jb.c.pW;
    T* pv = dv + (a - v0) * L;
    IS* pi = IDX ? di + (a - v0) * L : nullptr;
    const IV hw = VT::iset(hW);
    for (int64_t v = a; v < b; ++v, ws0 += step, pv += L) {
      const IV colbase = VT::iadd(VT::iset(ws0), jb.iotas);
      V m;
      IV ci;
      hred<false>(jb, row, ws0, colbase, nullptr, nullptr, m, ci);
      VT::vst(pv, m);
      if (IDX) {
        VT::ist(pi, VT::iadd(VT::iadd(colbase, ci), hw));
        pi += L;
      }
    }
    if (b < v1) hrow_edge(jb, row, hW, v0, b, v1, dv, di);
  }

  static inline uint64_t bits_range(int64_t lo, int64_t hi) {  // bits [lo, hi) of [0, L), L <= 64
    if (lo < 0) lo = 0;
    if (hi > L) hi = L;
    if (hi <= lo) return 0;
    const uint64_t below_hi = hi >= 64 ? ~uint64_t(0) : (uint64_t(1) << hi) - 1;
    return below_hi & ~((uint64_t(1) << lo) - 1);
  }

  // Flat tables for stride 1, OW == W (needs W >= L: a vector spans at most two rows). False if they do not
  // fit. Phase ph: lanes l at column c0 + l (first row part, l < W - c0) or c0 + l - W (next row).
  static bool init_flat(const Job& jb, Flat& ft) {
    const PoolCtx& c = jb.c;
    const int64_t kW = KW > 0 ? KW : c.kW;
    if (SW != 1 || kW > kFlatK || c.W < L) return false;
    ft.P = c.W / pr_min(c.W & -c.W, L);  // W / gcd(W, L), L a power of two
    if (ft.P > kFlatP) return false;
    int64_t c0 = 0;
    for (int64_t ph = 0; ph < ft.P; ++ph) {
      const int64_t split = c.W - c0;  // first lane of the next row
      for (int64_t j = 0; j < kW; ++j) {
        const int64_t d = j * c.dW - c.pW;
        // row part 1: 0 <= c0 + l + d < W, l < split; row part 2: 0 <= c0 + l - W + d < W, l >= split
        const uint64_t bits = bits_range(pr_max(-d - c0, 0), pr_min(c.W - d - c0, split)) |
                              bits_range(pr_max(c.W - c0 - d, split), 2 * c.W - c0 - d);
        ft.lm[ph][j] = VT::lmask_bits(bits);
      }
      if (IDX) {
        int64_t a[L];
        for (int l = 0; l < L; ++l) {
          const int64_t ws = (l < split ? c0 + l : c0 + l - c.W) - c.pW;
          a[l] = ws >= 0 ? 0 : (c.dW == 1 ? -ws : pr_first_tap(ws, c.dW) - ws);
        }
        ft.ci0[ph] = VT::from_arr(a);
      }
      c0 += L;
      if (c0 >= c.W) c0 -= c.W;
    }
    return true;
  }

  // The flat tables depend only on (W, pW, kW, dW): kept per thread for the next planes of the same call
  // pattern (building them costs about as much as pooling a 20x20 plane). Plain data, no constructor.
  struct FlatCache {
    int64_t W, pW, kW, dW;  // key; W == 0: empty
    bool ok;
    Flat ft;
  };
  static const Flat* get_flat(const Job& jb) {
    static thread_local FlatCache fc;
    const PoolCtx& c = jb.c;
    if (fc.W != c.W || fc.pW != c.pW || fc.kW != c.kW || fc.dW != c.dW) {
      fc.W = 0;  // invalid while rebuilding
      fc.ok = init_flat(jb, fc.ft);
      fc.pW = c.pW;
      fc.kW = c.kW;
      fc.dW = c.dW;
      fc.W = c.W;
    }
    return fc.ok ? &fc.ft : nullptr;
  }

  // Input rows [ha, hb) as one flat array -> dv / di (flat, stride W). Writes whole vectors (slack after n).
  static void hflat(const Job& jb, const Flat& ft, int64_t ha, int64_t hb, T* dv, IS* di) {
    const PoolCtx& c = jb.c;
    const int64_t kW = KW > 0 ? KW : c.kW;
    const T* base = jb.in + ha * c.W;
    const int64_t n = (hb - ha) * c.W;
    const IV iota = VT::iota_s(1, false);
    LM tl[kFlatK];
    int64_t ph = 0;
    for (int64_t i = 0; i < n; i += L) {
      const LM* lm = ft.lm[ph];
      if (i + L > n) {  // tail: also mask the lanes past the band (they could lie past the plane)
        const LM keep = VT::lmask(0, n - i);
        for (int64_t j = 0; j < kW; ++j) tl[j] = VT::land(lm[j], keep);
        lm = tl;
      }
      const IV colbase = VT::iadd(VT::iset(ha * c.W + i - c.pW), iota);  // flat index of each window start
      V m;
      IV ci;
      hred<true>(jb, base, i - c.pW, colbase, lm, &ft.ci0[ph], m, ci);
      VT::vst(dv + i, m);
      if (IDX) VT::ist(di + i, VT::iadd(colbase, ci));
      if (++ph == ft.P) ph = 0;
    }
  }

  // ------------------------------------------------------------------------------------ vertical pass
  // Folds nr source arrays (in row order) over n elements into d. Sources are readable up to a multiple of L.
  template <int NR>
  static void vfold(const Dst& d, T* const* sv, IS* const* si, int64_t nr_rt, int64_t n) {
    const int64_t nr = NR > 0 ? NR : nr_rt;
    int64_t i = 0;
    for (; i + L <= n; i += L) {
      V m = VT::vld(sv[0] + i);
      IV I = VT::iset(0);
      if (IDX) I = VT::ild(si[0] + i);
      for (int64_t r = 1; r < nr; ++r) comb(m, I, VT::vld(sv[r] + i), IDX ? VT::ild(si[r] + i) : I);
      put(d, i, m, I, L);
    }
    if (i < n) {
      V m = VT::vld(sv[0] + i);
      IV I = VT::iset(0);
      if (IDX) I = VT::ild(si[0] + i);
      for (int64_t r = 1; r < nr; ++r) comb(m, I, VT::vld(sv[r] + i), IDX ? VT::ild(si[r] + i) : I);
      put(d, i, m, I, static_cast<int>(n - i));
    }
  }

  static void vfold_any(const Dst& d, T* const* sv, IS* const* si, int64_t nr, int64_t n) {
    switch (nr) {
      case 2: vfold<2>(d, sv, si, nr, n); break;
      case 3: vfold<3>(d, sv, si, nr, n); break;
      case 5: vfold<5>(d, sv, si, nr, n); break;
      default: vfold<0>(d, sv, si, nr, n); break;
    }
  }

  // ------------------------------------------------------------------------------------ band path
  // dH == 1 and sH < kH: horizontal results of a band of input rows in scratch, then the vertical folds.
  static void run_band(Job& jb, T* out, int64_t* i64, int32_t* i32, int64_t oh0, int64_t oh1,
                       unsigned char* scratch, int64_t bytes) {
    const PoolCtx& c = jb.c;
    const int64_t OW = c.OW, kH = c.kH, sH = c.sH;
    const int64_t esz = static_cast<int64_t>(sizeof(T) + (IDX ? sizeof(IS) : 0));
    const Flat* ft = (SW == 1 && c.OW == c.W) ? get_flat(jb) : nullptr;
    bool flat = ft != nullptr;
    int64_t stride, cw, rows_cap;
    if (flat) {
      stride = c.W;
      cw = OW;
      rows_cap = (bytes / esz - L) / stride;  // L elements of slack for the tail vector
      if (rows_cap < kH + sH) flat = false;
    }
    if (!flat) {
      cw = jb.nv * L;  // chunk width, a multiple of L
      rows_cap = bytes / (cw * esz);
      const int64_t want = kH + 4 * sH;
      if (rows_cap < want) {
        cw = pr_max(L, (bytes / (want * esz)) / L * L);
        rows_cap = bytes / (cw * esz);
      }
      stride = cw;
      init_tab(jb);
    }
    // caller guarantees rows_cap >= kH (run() checks with cw = L)
    T* sv = reinterpret_cast<T*>(scratch);
    IS* si = reinterpret_cast<IS*>(scratch + sizeof(T) * rows_cap * stride + (flat ? sizeof(T) * L : 0));
    // flat vertical: output rows contiguous in S at stride OW
    const bool vflat = sH == 1 && stride == OW && !kPerm;
    const int64_t nb_max = (rows_cap - kH) / sH + 1;
    for (int64_t cA = 0; cA < OW; cA += cw) {
      const int64_t cB = pr_min(OW, cA + cw);
      const int64_t v0 = cA / L, v1 = (cB + L - 1) / L;
      for (int64_t b0 = oh0; b0 < oh1;) {
        const int64_t b1 = pr_min(oh1, b0 + nb_max);
        const int64_t ha = pr_max(b0 * sH - c.pH, 0);
        const int64_t hb = pr_min((b1 - 1) * sH - c.pH + kH, c.H);
        if (ha < hb) {
          if (flat)
            hflat(jb, *ft, ha, hb, sv, si);
          else
            for (int64_t h = ha; h < hb; ++h)
              hrow(jb, h, v0, v1, sv + (h - ha) * stride, IDX ? si + (h - ha) * stride : nullptr);
        }
        for (int64_t oh = b0; oh < b1;) {
          const int64_t hs = oh * sH - c.pH;
          const int64_t h0 = pr_max(hs, 0);
          const int64_t h1 = pr_min(hs + kH, c.H);
          Dst d = {out + oh * OW + cA, i64 ? i64 + oh * OW + cA : nullptr, i32 ? i32 + oh * OW + cA : nullptr};
          if (h0 >= h1) {
            pr_fill_empty(c, out + oh * OW, i64 ? i64 + oh * OW : nullptr, i32 ? i32 + oh * OW : nullptr, h0, cA, cB);
            ++oh;
            continue;
          }
          T* rv[64];
          IS* ri[64];
          int64_t oe = oh + 1;
          if (vflat && h1 - h0 == kH) {  // run of full windows: fold them all at once
            while (oe < b1 && oe * sH - c.pH + kH <= c.H) ++oe;
          }
          const int64_t nr = h1 - h0;
          for (int64_t r = 0; r < nr; ++r) {
            rv[r] = sv + (h0 + r - ha) * stride;
            ri[r] = IDX ? si + (h0 + r - ha) * stride : nullptr;
          }
          vfold_any(d, rv, ri, nr, (oe - oh - 1) * OW + (cB - cA));
          oh = oe;
        }
        b0 = b1;
      }
    }
  }

  // ------------------------------------------------------------------------------------ direct path
  template <bool MASKED, int NR>
  static inline __attribute__((always_inline)) void dvec(const Job& jb, const T* const* rows, const int64_t* hw,
                                                         int64_t nr_rt, int64_t v, const LM* lm, const Dst& d) {
    const int64_t nr = NR > 0 ? NR : nr_rt;
    const int64_t ow0 = v * L;
    const int64_t ws0 = ow0 * jb.c.sW - jb.c.pW;
    const IV colbase = VT::iadd(VT::iset(ws0), jb.iotas);
    V m;
    IV ci, I = VT::iset(0);
    hred<MASKED>(jb, rows[0], ws0, colbase, lm, nullptr, m, ci);
    if (IDX) I = VT::iadd(VT::iadd(colbase, ci), VT::iset(hw[0]));
    for (int64_t r = 1; r < nr; ++r) {
      V b;
      IV cb;
      hred<MASKED>(jb, rows[r], ws0, colbase, lm, nullptr, b, cb);
      comb(m, I, b, IDX ? VT::iadd(VT::iadd(colbase, cb), VT::iset(hw[r])) : I);
    }
    put(d, ow0, m, I, static_cast<int>(pr_min(L, jb.c.OW - ow0)));
  }

  static __attribute__((noinline)) void dedge(const Job& jb, const T* const* rows, const int64_t* hw, int64_t nr,
                                              int64_t va, int64_t vb, const Dst& d) {
    LM buf[kMaxLoads];
    for (int64_t v = va; v < vb; ++v) dvec<true, 0>(jb, rows, hw, nr, v, tab(jb, v, buf), d);
  }

  template <int NR>
  static void drow(const Job& jb, const T* const* rows, const int64_t* hw, int64_t nr, int64_t hlast, const Dst& d) {
    if (jb.vA > 0) dedge(jb, rows, hw, nr, 0, jb.vA, d);
    const int64_t vb = vlim(jb, hlast);
    for (int64_t v = jb.vA; v < vb; ++v) dvec<false, NR>(jb, rows, hw, nr, v, nullptr, d);
    if (vb < jb.nv) dedge(jb, rows, hw, nr, vb, jb.nv, d);
  }

  static void run_direct(Job& jb, T* out, int64_t* i64, int32_t* i32, int64_t oh0, int64_t oh1) {
    init_tab(jb);
    const PoolCtx& c = jb.c;
    const int64_t W = c.W, OW = c.OW;
    // Large planes usually mean tensors beyond the caches: prefetch the input rows of the output row about
    // 8 KiB ahead (the hardware prefetchers alone leave DRAM-bound 2x2 pooling well below stream bandwidth).
    // Small planes skip it (it costs more than it saves when the tensor is cache resident).
    const int64_t row_bytes = W * static_cast<int64_t>(sizeof(T));
    const bool prefetch = c.H * row_bytes >= 131072;
    const int64_t pf_ahead = pr_max(2, 8192 / pr_max(1, c.sH * row_bytes));
    for (int64_t oh = oh0; oh < oh1; ++oh) {
      if (prefetch && oh + pf_ahead < oh1) {
        const int64_t hs2 = (oh + pf_ahead) * c.sH - c.pH;
        const int64_t p0 = pr_first_tap(hs2, c.dH), p1 = pr_end_tap(hs2, c.kH, c.dH, c.H);
        for (int64_t h = p0; h < p1; h += c.dH) {
          const char* p = reinterpret_cast<const char*>(jb.in + h * W);
          for (int64_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(p + b, 0, 3);
        }
      }
      const int64_t hs = oh * c.sH - c.pH;
      const int64_t h0 = pr_first_tap(hs, c.dH);
      const int64_t h1 = pr_end_tap(hs, c.kH, c.dH, c.H);
      Dst d = {out + oh * OW, i64 ? i64 + oh * OW : nullptr, i32 ? i32 + oh * OW : nullptr};
      if (h0 >= h1) {
        pr_fill_empty(c, d.o, d.i64, d.i32, h0, 0, OW);
        continue;
      }
      const T* rows[64];  // kH <= 64 (checked by pr_pool)
      int64_t hw[64];
      int64_t nr = 0;
      for (int64_t h = h0; h < h1; h += c.dH, ++nr) {
        rows[nr] = jb.in + h * W;
        hw[nr] = h * W;
      }
      const int64_t hlast = h0 + (nr - 1) * c.dH;
      if (nr == 2)
        drow<2>(jb, rows, hw, nr, hlast, d);
      else
        drow<0>(jb, rows, hw, nr, hlast, d);
    }
  }

  // ------------------------------------------------------------------------------------ strip path
  // Square windows with compile-time size and stride (KW x KW, stride SW, dilation 1 vertically): output rows
  // [oa, ob) whose windows lie inside [0, H) vertically. Per column vector, walk down the rows keeping the
  // horizontal results of the last KW input rows in registers: every input row is reduced once per vector
  // and nothing goes through memory but the input and the output.
  template <bool MASKED>
  static inline __attribute__((always_inline)) void strip_row(const Job& jb, int64_t h, int64_t ws0, IV colbase,
                                                              const LM* lm, V& v, IV& iv) {
    IV ci;
    hred<MASKED>(jb, jb.in + h * jb.c.W, ws0, colbase, lm, nullptr, v, ci);
    iv = IDX ? VT::iadd(VT::iadd(colbase, ci), VT::iset(h * jb.c.W)) : ci;
  }

  // Named registers, not an array: GCC keeps arrays of vectors in memory here.
  template <bool MASKED>
  static inline __attribute__((always_inline)) void strip_vec(const Job& jb, int64_t v, const LM* lm, int64_t oa,
                                                              int64_t ob, const Dst& d0) {
    constexpr int KH = KW > 0 ? KW : 2;
    constexpr int SH = SW > 0 ? SW : 1;
    static_assert(KH <= 5 && SH < KH, "strip path: KW <= 5, SW < KW");
    const PoolCtx& c = jb.c;
    const int64_t OW = c.OW;
    const int64_t ow0 = v * L;
    const int n = static_cast<int>(pr_min(L, OW - ow0));
    const int64_t ws0 = ow0 * c.sW - c.pW;
    const IV colbase = VT::iadd(VT::iset(ws0), jb.iotas);
    V r0, r1, r2 = VT::ninf(), r3 = VT::ninf(), r4 = VT::ninf();
    IV i0, i1, i2 = VT::iset(0), i3 = VT::iset(0), i4 = VT::iset(0);
    int64_t hs = oa * SH - c.pH;
    strip_row<MASKED>(jb, hs, ws0, colbase, lm, r0, i0);
    strip_row<MASKED>(jb, hs + 1, ws0, colbase, lm, r1, i1);
    if (KH > 2) strip_row<MASKED>(jb, hs + 2, ws0, colbase, lm, r2, i2);
    if (KH > 3) strip_row<MASKED>(jb, hs + 3, ws0, colbase, lm, r3, i3);
    if (KH > 4) strip_row<MASKED>(jb, hs + 4, ws0, colbase, lm, r4, i4);
    for (int64_t oh = oa;;) {
      V m = r0;
      IV I = i0;
      comb(m, I, r1, i1);
      if (KH > 2) comb(m, I, r2, i2);
      if (KH > 3) comb(m, I, r3, i3);
      if (KH > 4) comb(m, I, r4, i4);
      put(d0, oh * OW + ow0, m, I, n);
      if (jb.pf < jb.pf_end) {
        for (int64_t li = 0; li < jb.pf_lines; ++li) __builtin_prefetch(jb.pf + li * 64, 0, 1);
        jb.pf += jb.pf_lines * 64;
      }
      if (++oh >= ob) break;
      hs += SH;
      if (SH == 1) {
        r0 = r1;
        i0 = i1;
        if (KH == 2) {
          strip_row<MASKED>(jb, hs + 1, ws0, colbase, lm, r1, i1);
        } else {
          r1 = r2;
          i1 = i2;
          if (KH == 3) {
            strip_row<MASKED>(jb, hs + 2, ws0, colbase, lm, r2, i2);
          } else {
            r2 = r3;
            i2 = i3;
            if (KH == 4) {
              strip_row<MASKED>(jb, hs + 3, ws0, colbase, lm, r3, i3);
            } else {
              r3 = r4;
              i3 = i4;
              strip_row<MASKED>(jb, hs + 4, ws0, colbase, lm, r4, i4);
            }
          }
        }
      } else if (SH == 2) {  // KH 3..5
        r0 = r2;
        i0 = i2;
        if (KH == 3) {
          strip_row<MASKED>(jb, hs + 1, ws0, colbase, lm, r1, i1);
          strip_row<MASKED>(jb, hs + 2, ws0, colbase, lm, r2, i2);
        } else if (KH == 4) {
          r1 = r3;
          i1 = i3;
          strip_row<MASKED>(jb, hs + 2, ws0, colbase, lm, r2, i2);
          strip_row<MASKED>(jb, hs + 3, ws0, colbase, lm, r3, i3);
        } else {
          r1 = r3;
          i1 = i3;
          r2 = r4;
          i2 = i4;
          strip_row<MASKED>(jb, hs + 3, ws0, colbase, lm, r3, i3);
          strip_row<MASKED>(jb, hs + 4, ws0, colbase, lm, r4, i4);
        }
      }
    }
  }

  static __attribute__((noinline)) void strip_edge(const Job& jb, int64_t va, int64_t vb, int64_t oa, int64_t ob,
                                                   const Dst& d0) {
    LM buf[kMaxLoads];
    for (int64_t v = va; v < vb; ++v) strip_vec<true>(jb, v, tab(jb, v, buf), oa, ob, d0);
  }

  // One band of output rows [oa, ob), all column vectors.
  static void strip_band(const Job& jb, const Dst& d0, int64_t oa, int64_t ob) {
    if (jb.vA > 0) strip_edge(jb, 0, jb.vA, oa, ob, d0);
    // Interior vectors whose loads would leave the plane in the last input rows: those rows masked.
    const int64_t vfull = vlim(jb, (ob - 1) * jb.c.sH - jb.c.pH + jb.c.kH - 1);
    for (int64_t v = jb.vA; v < vfull; ++v) strip_vec<false>(jb, v, nullptr, oa, ob, d0);
    for (int64_t v = vfull; v < jb.vB; ++v) {
      // output rows whose last input row keeps this vector's loads inside the plane
      const int64_t hmax = pr_fdiv(jb.c.H * jb.c.W - (v * L * sw(jb.c) - jb.c.pW) - jb.c.span, jb.c.W);
      int64_t ob1 = pr_fdiv(hmax - jb.c.kH + 1 + jb.c.pH, jb.c.sH) + 1;
      ob1 = pr_max(pr_min(ob1, ob), oa);
      if (ob1 - oa >= 1) strip_vec<false>(jb, v, nullptr, oa, ob1, d0);
      if (ob1 < ob) strip_edge(jb, v, v + 1, ob1, ob, d0);
    }
    if (jb.vB < jb.nv) strip_edge(jb, jb.vB, jb.nv, oa, ob, d0);
  }

  // Bands of output rows whose input rows fit in about 16 KiB, so the column strips of a band re-read the
  // band from L1 (each band re-reduces its first kH - sH input rows).
  static void run_strip(Job& jb, T* out, int64_t* i64, int32_t* i32, int64_t oa, int64_t ob) {
    init_tab(jb);
    const Dst d0 = {out, i64, i32};
    const int64_t row_bytes = jb.c.W * static_cast<int64_t>(sizeof(T)) * jb.c.sH;
    const int64_t nb = pr_max(8, 16384 / (row_bytes > 0 ? row_bytes : 1));
    for (int64_t b0 = oa; b0 < ob;) {
      int64_t b1 = pr_min(ob, b0 + nb);
      if (ob - b1 < nb / 2) b1 = ob;  // no short last band
      strip_band(jb, d0, b0, b1);
      b0 = b1;
    }
  }

  static void run_rows(Job& jb, T* out, int64_t* i64, int32_t* i32, int64_t oh0, int64_t oh1) {
    const PoolCtx& c = jb.c;
    if (oh0 >= oh1) return;
    const int64_t esz = static_cast<int64_t>(sizeof(T) + (IDX ? sizeof(IS) : 0));
    if (c.dH == 1 && c.sH < c.kH && oh1 - oh0 > 1 && MAXPOOL2D_X86_SCRATCH_BYTES / (L * esz) >= c.kH + 1) {
      alignas(64) unsigned char scratch[MAXPOOL2D_X86_SCRATCH_BYTES];
      run_band(jb, out, i64, i32, oh0, oh1, scratch, MAXPOOL2D_X86_SCRATCH_BYTES);
      return;
    }
    run_direct(jb, out, i64, i32, oh0, oh1);
  }

  static void run(const PoolCtx& c, const T* in, T* out, int64_t* i64, int32_t* i32, int64_t oh0, int64_t oh1) {
    Job jb;
    jb.c = c;
    jb.in = in;
    jb.pe = in + c.H * c.W;
    jb.nv = (c.OW + L - 1) / L;
    jb.iotas = VT::iota_s(c.sW, SW == 2);
    jb.tab_done = false;
    jb.pf = jb.pf_end = nullptr;
    jb.pf_lines = 0;
    if (c.prefetch_next_plane && oh1 > oh0) {
      const int64_t plane_bytes = c.H * c.W * static_cast<int64_t>(sizeof(T));
      const int64_t steps = jb.nv * (oh1 - oh0);  // strip steps if every row took the strip path
      jb.pf = reinterpret_cast<const char*>(jb.pe);
      jb.pf_end = jb.pf + plane_bytes;
      jb.pf_lines = (plane_bytes / 64 + steps - 1) / steps;
    }
    const int64_t step = L * sw(c);
    jb.vA = pr_min((c.pW + step - 1) / step, jb.nv);
    // last lane below OW of vector v: min(v*L + L, OW) - 1; its last tap must be < W
    const int64_t lastw = c.W - 1 + c.pW - (c.kW - 1) * c.dW;  // largest ow*sW allowed
    if (lastw < 0) {
      jb.vB = jb.vA;
    } else {
      const int64_t owmax = lastw / sw(c);  // largest ow whose window ends inside the row
      // vectors entirely below owmax, plus the last vector if all its valid lanes are
      int64_t vb = (owmax + 1) / L;
      if (vb < jb.nv && c.OW - 1 <= owmax && vb == jb.nv - 1) vb = jb.nv;
      jb.vB = pr_max(pr_min(vb, jb.nv), jb.vA);
    }
    // Stride-1 "same" pooling on rows that do not fill whole vectors runs better flat (band path).
    const bool prefer_flat = SW == 1 && c.sH == 1 && c.OW == c.W && c.W >= L && c.OW % L != 0;
    if constexpr (kStrip) {
      if (c.kH == KW && c.sH == SW && c.dH == 1 && !prefer_flat) {
      // strip path for the output rows whose windows are inside [0, H) vertically, rows path for the rest
      const int64_t oa = pr_max(oh0, (c.pH + c.sH - 1) / c.sH);
      const int64_t ob = pr_min(oh1, c.H - c.kH + c.pH < 0 ? 0 : (c.H - c.kH + c.pH) / c.sH + 1);
      if (ob - oa >= 2) {
        run_rows(jb, out, i64, i32, oh0, oa);
        run_strip(jb, out, i64, i32, oa, ob);
        run_rows(jb, out, i64, i32, ob, oh1);
        return;
      }
      }
    }
    run_rows(jb, out, i64, i32, oh0, oh1);
  }
};

// How many compile-time widths VT gets: traits may declare `kWidths` (default 2). 2: k3 / k5 at stride 1 and k2 / k3
// at stride 2; 1: only the stride-2 ones; 0: none (runtime width only). Each width is a full RowPool per traits,
// so the integer traits keep fewer to bound the binary's size (the band path serves the others).
template <class VT, class = void>
struct PrWidths {
  static constexpr int value = 2;
};
template <class VT>
struct PrWidths<VT, decltype(void(VT::kWidths))> {
  static constexpr int value = VT::kWidths;
};

// Picks the stride / width specialisation (kept small: every combination is compiled per dtype and ISA).
// The compile-time widths (KW > 0) are for horizontal dilation 1; dilated windows use the runtime width.
template <class VT, bool IDX>
static void pr_dispatch(const PoolCtx& c, const typename VT::T* in, typename VT::T* out, int64_t* i64,
                        int32_t* i32, int64_t oh0, int64_t oh1) {
  constexpr int widths = PrWidths<VT>::value;
  if (c.sW == 1) {
    if constexpr (widths >= 2) {
      if (c.dW == 1 && c.kW == 3) return RowPool<VT, 1, 3, IDX>::run(c, in, out, i64, i32, oh0, oh1);
      if (c.dW == 1 && c.kW == 5) return RowPool<VT, 1, 5, IDX>::run(c, in, out, i64, i32, oh0, oh1);
    }
    RowPool<VT, 1, 0, IDX>::run(c, in, out, i64, i32, oh0, oh1);
  } else if (c.sW == 2) {
    if constexpr (widths >= 1) {
      if (c.dW == 1 && c.kW == 2) return RowPool<VT, 2, 2, IDX>::run(c, in, out, i64, i32, oh0, oh1);
      if (c.dW == 1 && c.kW == 3) return RowPool<VT, 2, 3, IDX>::run(c, in, out, i64, i32, oh0, oh1);
    }
    RowPool<VT, 2, 0, IDX>::run(c, in, out, i64, i32, oh0, oh1);
  } else {
    RowPool<VT, 0, 0, IDX>::run(c, in, out, i64, i32, oh0, oh1);
  }
}

// Whether VT can gather (strides above 2): traits without a gather of T declare `kNoGather`.
template <class VT, class = void>
struct PrGathers {
  static constexpr bool value = true;
};
template <class VT>
struct PrGathers<VT, decltype(void(VT::kNoGather))> {
  static constexpr bool value = false;
};

// Entry point shared by the ISA TUs. Returns false if the geometry must go to the scalar kernel.
// kValues / kIndices: which of the two modes to compile (false: that mode returns false, nothing written).
template <class VT, bool kValues = true, bool kIndices = true>
static bool pr_pool(const PoolGeom& g, const typename VT::T* in, typename VT::T* out, int64_t* i64,
                    int32_t* i32, int64_t oh0, int64_t oh1) {
  if (!(i64 || i32) ? !kValues : !kIndices) return false;
  if (oh0 >= oh1 || g.OW <= 0) return true;
  if (g.H <= 0 || g.W <= 0) return false;  // nothing to read: the scalar kernel just fills
  if (!PrGathers<VT>::value && g.sW > 2) return false;  // strides above 2 need a gather of T
  const int L = VT::L;
  // Lane arithmetic is int32 for float32 (indices, gather offsets): keep every valid lane's value small.
  if (sizeof(typename VT::IS) == 4) {
    const double lim = static_cast<double>(g.H) * static_cast<double>(g.W) +
                       static_cast<double>(g.OW + L) * static_cast<double>(g.sW) +
                       static_cast<double>(g.kW + 1) * static_cast<double>(g.dW) + static_cast<double>(g.pW) +
                       static_cast<double>(g.W);
    if (lim >= 2147483647.0) return false;
  }
  // Windows taller than 64 rows (row pointer arrays) or wider than kPrMaxKW go to the scalar kernel.
  if (g.kH > 64 || g.kW > kPrMaxKW || g.dW > (int64_t(1) << 24) || g.sW > (int64_t(1) << 24)) return false;
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
  c.prefetch_next_plane = g.prefetch_next_plane;
  if (c.sW == 1)
    c.span = (c.kW - 1) * c.dW + L;
  else if (c.sW == 2)
    c.span = (c.dW == 1 ? ((c.kW - 1) & ~int64_t(1)) : (c.kW - 1) * c.dW) + 2 * L;
  else
    c.span = (L - 1) * c.sW + (c.kW - 1) * c.dW + 1;
  if constexpr (kIndices) {
    if (i64 || i32) {
      pr_dispatch<VT, true>(c, in, out, i64, i32, oh0, oh1);
      return true;
    }
  }
  if constexpr (kValues) pr_dispatch<VT, false>(c, in, out, nullptr, nullptr, oh0, oh1);
  return true;
}

}  // namespace
}  // namespace maxpool2d
