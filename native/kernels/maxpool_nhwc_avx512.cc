// AVX-512 (F/BW/VL/DQ) NHWC kernel for every dtype (generic_kernels.h).
//
// One output pixel at a time, its C contiguous channels in blocks of up to 4 vectors kept in registers while
// the window's taps are scanned in the rule's order (h outer, w inner): every input element is loaded once per
// window and nothing but the input and the output touches memory (the generic NHWC kernel goes through a
// channel scratch array on every tap).
//  - float32 / float64 (and the halves, loaded through their float32 embedding, see half_embed.h, and stored back from
//    it, so the winner's exact bits come back): values only m = fixupimm(max(v, m), v), which is
//    "replace when v > m || v != v" (as ZF32); with indices mask = (v > m) | (v != v) and masked blends.
//  - integers: values only a plain vpmax over full 512-bit vectors; with indices 16 lanes, compare-greater
//    masks and blends (ties keep the first).
//  - indices: int32 lanes of h*W + w (16 per zmm; 8 per ymm for float64; the call goes to the generic kernel
//    when positions could exceed int32), starting from the window's first position, widened at the store for
//    int64.
// Channel tails use masked loads / stores. Stride-1 rows with 9+ taps take the separable path below (input rows
// reduced once into a ring, then folded per output row); pool_op.cc splits those calls by channel ranges.
#include "generic_kernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <climits>
#include <new>
#include <type_traits>

#include "avx512_lanes.h"

namespace maxpool2d {
namespace {

// int32 index lanes: 16 in a zmm (float32, the halves, the integer types' index traits), 8 in a ymm (float64).
struct Idx16 {
  typedef __m512i IV;
  typedef __mmask16 IM;
  static inline IV set1(int64_t x) { return _mm512_set1_epi32(static_cast<int32_t>(x)); }
  static inline IV blend(IM k, IV a, IV b) { return _mm512_mask_blend_epi32(k, a, b); }
  static inline void store(int64_t* p, IV v, IM m) {
    if (m == 0xffff) {
      _mm512_storeu_si512(p, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(v)));
      _mm512_storeu_si512(p + 8, _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(v, 1)));
      return;
    }
    _mm512_mask_storeu_epi64(p, static_cast<__mmask8>(m), _mm512_cvtepi32_epi64(_mm512_castsi512_si256(v)));
    _mm512_mask_storeu_epi64(p + 8, static_cast<__mmask8>(m >> 8),
                             _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(v, 1)));
  }
  static inline void store(int32_t* p, IV v, IM m) {
    if (m == 0xffff) _mm512_storeu_si512(p, v);
    else _mm512_mask_storeu_epi32(p, m, v);
  }
};
struct Idx8 {
  typedef __m256i IV;
  typedef __mmask8 IM;
  static inline IV set1(int64_t x) { return _mm256_set1_epi32(static_cast<int32_t>(x)); }
  static inline IV blend(IM k, IV a, IV b) { return _mm256_mask_blend_epi32(k, a, b); }
  static inline void store(int64_t* p, IV v, IM m) {
    if (m == 0xff) _mm512_storeu_si512(p, _mm512_cvtepi32_epi64(v));
    else _mm512_mask_storeu_epi64(p, m, _mm512_cvtepi32_epi64(v));
  }
  static inline void store(int32_t* p, IV v, IM m) {
    if (m == 0xff) _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
    else _mm256_mask_storeu_epi32(p, m, v);
  }
};

// float64 lanes: the same rule as float32 (fixupimm for values, compare masks with indices).
struct NDouble {
  typedef double T;
  typedef __m512d V;
  typedef __mmask8 M;
  typedef Idx8 X;
  static constexpr int L = 8;
  static inline V ninf() { return _mm512_set1_pd(-__builtin_inf()); }
  static inline V load(const T* p) { return _mm512_loadu_pd(p); }
  static inline V loadm(const T* p, M m) { return _mm512_mask_loadu_pd(ninf(), m, p); }
  static inline void storem(T* p, M m, V v) {
    if (m == 0xff) _mm512_storeu_pd(p, v);
    else _mm512_mask_storeu_pd(p, m, v);
  }
  static inline V vmax(V m, V v) { return _mm512_fixupimm_pd(_mm512_max_pd(v, m), v, _mm512_set1_epi64(0x11), 0); }
  static inline M gt(V v, V m) {
    return static_cast<M>(_mm512_cmp_pd_mask(v, m, _CMP_GT_OQ) | _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q));
  }
  static inline V blend(M k, V m, V v) { return _mm512_mask_blend_pd(k, m, v); }
};

// float32 lanes, and the halves through their embedding.
template <int kHalf>  // 0: float32, 1: float16, 2: bfloat16
struct NFloat {
  typedef typename std::conditional<kHalf == 0, float, uint16_t>::type T;
  typedef __m512 V;
  typedef __mmask16 M;
  typedef Idx16 X;
  static constexpr int L = 16;
  static inline V ninf() { return _mm512_set1_ps(-__builtin_inff()); }
  // Halves to float32 lanes on every tap, so cheaper than Avx512HalfConv's converters (same values, same
  // order): bfloat16 is the float32 with the same upper bits (shifted in and out; max, fixupimm and blends
  // copy NaN bits unchanged, so a signalling NaN comes back as it went in); float16 converts, and a NaN (which
  // the conversion quiets) becomes half_embed.h's 0x7fc00000 | bits in one masked or.
  static inline V widen(__m256i h) {
    if constexpr (kHalf == 2) {
      return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    } else {
      const __m512 f = _mm512_cvtph_ps(h);
      const __mmask16 nan = _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q);
      if (__builtin_expect(nan == 0, 1)) return f;  // NaNs are rare: skip the widening that embeds their bits
      return _mm512_castsi512_ps(_mm512_mask_or_epi32(_mm512_castps_si512(f), nan, _mm512_cvtepu16_epi32(h),
                                                      _mm512_set1_epi32(kHalfNanEmbed)));
    }
  }
  static inline V load(const T* p) {
    if constexpr (kHalf == 0) return _mm512_loadu_ps(p);
    else return widen(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static inline V loadm(const T* p, M m) {
    if constexpr (kHalf == 0) return _mm512_mask_loadu_ps(ninf(), m, p);
    else return _mm512_mask_mov_ps(ninf(), m, widen(_mm256_maskz_loadu_epi16(m, p)));
  }
  static inline void storem(T* p, M m, V v) {
    if constexpr (kHalf == 0) {
      if (m == 0xffff) _mm512_storeu_ps(p, v);
      else _mm512_mask_storeu_ps(p, m, v);
    }
    else if constexpr (kHalf == 2)
      _mm256_mask_storeu_epi16(p, m, _mm512_cvtepi32_epi16(_mm512_srli_epi32(_mm512_castps_si512(v), 16)));
    else _mm256_mask_storeu_epi16(p, m, Avx512HalfConv::unembed16(false, v));
  }
  static inline V vmax(V m, V v) { return _mm512_fixupimm_ps(_mm512_max_ps(v, m), v, _mm512_set1_epi32(0x11), 0); }
  static inline M gt(V v, V m) {
    return static_cast<M>(_mm512_cmp_ps_mask(v, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q));
  }
  static inline V blend(M k, V m, V v) { return _mm512_mask_blend_ps(k, m, v); }
};

// Integer lanes over one of avx512_lanes.h's width wrappers.
template <class O>
struct NInt {
  typedef typename O::T T;
  typedef typename O::V V;
  typedef typename O::M M;
  typedef Idx16 X;  // index traits (IDX) have 16 lanes
  static constexpr int L = static_cast<int>(sizeof(V) / sizeof(T));
  static inline V ninf() { return O::set1(zi_lowest<T>()); }
  static inline V load(const T* p) { return O::loadu(p); }
  static inline V loadm(const T* p, M m) { return O::mload(ninf(), m, p); }
  static inline void storem(T* p, M m, V v) { O::mstore(p, m, v); }
  static inline V vmax(V m, V v) { return O::max(m, v); }
  static inline M gt(V v, V m) { return O::gt(v, m); }
  static inline V blend(M k, V m, V v) { return O::blend(k, m, v); }
};

struct Window {
  int64_t h0, h1, w0, w1, dH, dW, W, C;
};

// Folds tap v (with index pos) into one channel vector's running (max, index): "v > m || v != v", in tap order.
template <class K, bool IDX>
inline __attribute__((always_inline)) void take(typename K::V& m, typename K::X::IV& ix, typename K::V v,
                                                typename K::X::IV pos) {
  if (IDX) {
    const typename K::M k = K::gt(v, m);
    m = K::blend(k, m, v);
    ix = K::X::blend(static_cast<typename K::X::IM>(k), ix, pos);
  } else {
    m = K::vmax(m, v);
  }
}

// NB vectors of channels [c, c + NB * L) (lanes past `n` channels masked) of one output pixel.
template <class K, bool IDX, int NB, typename I>
inline __attribute__((always_inline)) void block(const Window& win, const typename K::T* image, int64_t c, int64_t n,
                                                 typename K::T* out, I* idx) {
  typedef typename K::V V;
  typedef typename K::M M;
  typedef typename K::X X;
  typedef typename X::IM IM;
  constexpr int L = K::L;
  M mask[NB];
  for (int b = 0; b < NB; ++b) mask[b] = static_cast<M>(zi_bits(0, n - b * L, L));
  const bool full = n >= NB * L;
  V m[NB];
  typename X::IV ix[NB];
  const typename X::IV first = X::set1(win.h0 * win.W + win.w0);
  for (int b = 0; b < NB; ++b) {
    m[b] = K::ninf();
    ix[b] = first;
  }
  for (int64_t h = win.h0; h < win.h1; h += win.dH) {
    for (int64_t w = win.w0; w < win.w1; w += win.dW) {
      const typename K::T* p = image + (h * win.W + w) * win.C + c;
      const typename X::IV pos = X::set1(h * win.W + w);
      for (int b = 0; b < NB; ++b) {
        take<K, IDX>(m[b], ix[b], full ? K::load(p + b * L) : K::loadm(p + b * L, mask[b]), pos);
      }
    }
  }
  for (int b = 0; b < NB; ++b) {
    K::storem(out + c + b * L, mask[b], m[b]);
    if (IDX) X::store(idx + c + b * L, ix[b], static_cast<IM>(mask[b]));
  }
}

inline int64_t nh_first_tap(int64_t start, int64_t d) { return start >= 0 ? start : start + ((-start + d - 1) / d) * d; }
inline int64_t nh_end_tap(int64_t start, int64_t k, int64_t d, int64_t n) {
  const int64_t e = start + (k - 1) * d + 1;
  return e < n ? e : n;
}

// Output rows r = n * OH + oh in [r0, r1). IDX traits have 16 lanes (one zmm of int32 indices per vector).
template <class K, bool IDX, typename I>
// noinline: its own function per instantiation (inlined into nhwc_type next to the separable path, int16 values
// ran ~15% slower on 1x64x112x112 k3s2p1).
__attribute__((noinline)) void nhwc_rows(const PoolGeom& g, int64_t C, int64_t c0, int64_t c1,
                                         const typename K::T* in, typename K::T* out, I* idx, int64_t r0, int64_t r1) {
  static_assert(!IDX || K::L == static_cast<int>(sizeof(typename K::X::IV) / 4), "one int32 index per lane");
  constexpr int L = K::L;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t n = r / g.OH, oh = r % g.OH;
    const typename K::T* image = in + n * g.H * g.W * C;
    const int64_t hs = oh * g.sH - g.pH;
    Window win;
    win.h0 = nh_first_tap(hs, g.dH);
    win.h1 = nh_end_tap(hs, g.kH, g.dH, g.H);
    win.dH = g.dH;
    win.dW = g.dW;
    win.W = g.W;
    win.C = C;
    for (int64_t ow = 0; ow < g.OW; ++ow) {
      const int64_t ws = ow * g.sW - g.pW;
      win.w0 = nh_first_tap(ws, g.dW);
      win.w1 = nh_end_tap(ws, g.kW, g.dW, g.W);
      const int64_t o = ((n * g.OH + oh) * g.OW + ow) * C;
      typename K::T* po = out + o;
      I* pi = IDX ? idx + o : nullptr;
      int64_t c = c0;
      // float64 (8 lanes): up to 8 vectors, so 64 channels are one pass over the window.
      if (L == 8)
        for (; c + 8 * L <= c1; c += 8 * L) block<K, IDX, 8>(win, image, c, 8 * L, po, pi);
      for (; c + 4 * L <= c1; c += 4 * L) block<K, IDX, 4>(win, image, c, 4 * L, po, pi);
      for (; c < c1; c += L) block<K, IDX, 1>(win, image, c, c1 - c, po, pi);
    }
  }
}

// ---------------------------------------------------------------------------------- separable path
// Stride-1 rows (sH == 1, e.g. 5x5 stride 1 / SPPF): consecutive output rows share kH - 1 input rows, so each
// input row is reduced once over its kW taps per output column ("row result", in the scan order w ascending)
// into a ring of `span` = (kH - 1) * dH + 1 rows of OW x (NB vectors), and each output row folds the row results
// of its window rows in h order. Per lane this is the row-reduce-then-fold order kernel_api.h states is exact
// under `v > m || v != v`; a row result starts from (-inf, h*W + w0) like the direct kernel, so the fold of a
// window starts from (-inf, h0*W + w0) and padding never wins. Channels go in chunks of up to 4 vectors (the
// ring stays small), output rows inner so the ring is reused across the task's rows.
template <class K, bool IDX>
struct SepRing {
  typedef typename K::V V;
  typedef typename K::X::IV IV;
  V* val;
  IV* ix;
  int64_t* key;  // per slot: n * H + h of the row result it holds, or -1
};

// Row result of input row h of image `image` (channels [c, c + NB*L), n channels valid) into slot `sv` / `si`.
template <class K, bool IDX, int NB>
inline __attribute__((always_inline)) void sep_row(const PoolGeom& g, int64_t C, const typename K::T* image,
                                                   int64_t h, int64_t c, int64_t n, typename K::V* sv,
                                                   typename K::X::IV* si) {
  typedef typename K::V V;
  typedef typename K::M M;
  typedef typename K::X X;
  constexpr int L = K::L;
  M mask[NB];
  for (int b = 0; b < NB; ++b) mask[b] = static_cast<M>(zi_bits(0, n - b * L, L));
  const bool full = n >= NB * L;
  const typename K::T* row = image + h * g.W * C + c;
  // The next output row wants input row h + 1: its slice of the pixel this column's window reaches last is
  // prefetched (the slices are short runs at a C stride, which the hardware prefetchers follow poorly).
  const typename K::T* next = h + 1 < g.H ? row + g.W * C : nullptr;
  const int64_t slice_bytes = (n < NB * L ? n : NB * L) * static_cast<int64_t>(sizeof(typename K::T));
  for (int64_t ow = 0; ow < g.OW; ++ow) {
    const int64_t ws = ow * g.sW - g.pW;
    const int64_t w0 = nh_first_tap(ws, g.dW), w1 = nh_end_tap(ws, g.kW, g.dW, g.W);
    if (next && w1 > 0) {
      const char* q = reinterpret_cast<const char*>(next + (w1 - 1) * C);
      for (int64_t off = 0; off < slice_bytes; off += 64) _mm_prefetch(q + off, _MM_HINT_T0);
    }
    V m[NB];
    typename X::IV ix[NB];
    const typename X::IV first = X::set1(h * g.W + w0);
    for (int b = 0; b < NB; ++b) {
      m[b] = K::ninf();
      ix[b] = first;
    }
    for (int64_t w = w0; w < w1; w += g.dW) {
      const typename K::T* p = row + w * C;
      const typename X::IV pos = X::set1(h * g.W + w);
      for (int b = 0; b < NB; ++b) {
        take<K, IDX>(m[b], ix[b], full ? K::load(p + b * L) : K::loadm(p + b * L, mask[b]), pos);
      }
    }
    for (int b = 0; b < NB; ++b) {
      sv[ow * NB + b] = m[b];
      if (IDX) si[ow * NB + b] = ix[b];
    }
  }
}

template <class K, bool IDX, int NB, typename I>
void sep_chunk(const PoolGeom& g, int64_t C, const typename K::T* in, typename K::T* out, I* idx, int64_t r0,
               int64_t r1, int64_t c, int64_t n, const SepRing<K, IDX>& ring, int64_t span) {
  typedef typename K::V V;
  typedef typename K::M M;
  typedef typename K::X X;
  typedef typename X::IM IM;
  constexpr int L = K::L;
  M mask[NB];
  for (int b = 0; b < NB; ++b) mask[b] = static_cast<M>(zi_bits(0, n - b * L, L));
  const int64_t slot_elems = g.OW * NB;
  for (int64_t s = 0; s < span; ++s) ring.key[s] = -1;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t img = r / g.OH, oh = r % g.OH;
    const typename K::T* image = in + img * g.H * g.W * C;
    const int64_t hs = oh * g.sH - g.pH;
    const int64_t h0 = nh_first_tap(hs, g.dH), h1 = nh_end_tap(hs, g.kH, g.dH, g.H);
    for (int64_t h = h0; h < h1; h += g.dH) {
      const int64_t s = h % span;
      if (ring.key[s] != img * g.H + h) {
        sep_row<K, IDX, NB>(g, C, image, h, c, n, ring.val + s * slot_elems, IDX ? ring.ix + s * slot_elems : nullptr);
        ring.key[s] = img * g.H + h;
      }
    }
    typename K::T* po = out + r * g.OW * C + c;
    I* pi = IDX ? idx + r * g.OW * C + c : nullptr;
    for (int64_t ow = 0; ow < g.OW; ++ow) {
      V m[NB];
      typename X::IV ix[NB];
      if (h0 < h1) {
        const V* sv = ring.val + (h0 % span) * slot_elems + ow * NB;
        for (int b = 0; b < NB; ++b) m[b] = sv[b];
        if (IDX) {
          const typename X::IV* si = ring.ix + (h0 % span) * slot_elems + ow * NB;
          for (int b = 0; b < NB; ++b) ix[b] = si[b];
        }
        for (int64_t h = h0 + g.dH; h < h1; h += g.dH) {
          const int64_t off = (h % span) * slot_elems + ow * NB;
          for (int b = 0; b < NB; ++b) {
            take<K, IDX>(m[b], ix[b], ring.val[off + b], IDX ? ring.ix[off + b] : ix[b]);
          }
        }
      } else {  // no window row inside the input: (-inf, h0*W + w0), as the direct kernel
        const int64_t ws = ow * g.sW - g.pW;
        for (int b = 0; b < NB; ++b) {
          m[b] = K::ninf();
          ix[b] = X::set1(h0 * g.W + nh_first_tap(ws, g.dW));
        }
      }
      for (int b = 0; b < NB; ++b) {
        K::storem(po + ow * C + b * L, mask[b], m[b]);
        if (IDX) X::store(pi + ow * C + b * L, ix[b], static_cast<IM>(mask[b]));
      }
    }
  }
}

// Ring bytes above which the separable path is not taken (the direct kernel has no scratch).
constexpr int64_t kSepMaxBytes = int64_t(4) << 20;

// Whether the separable path pays: stride-1 rows and a window of several taps per row and column.
inline bool sep_wanted(const PoolGeom& g) {
  return g.sH == 1 && g.kH >= 2 && g.kW >= 2 && g.kH * g.kW >= 9;
}

// Returns false (nothing written) when the ring does not fit kSepMaxBytes or cannot be allocated.
template <class K, bool IDX, typename I>
bool nhwc_sep(const PoolGeom& g, int64_t C, int64_t c0, int64_t c1, const typename K::T* in, typename K::T* out,
              I* idx, int64_t r0, int64_t r1) {
  typedef typename K::V V;
  typedef typename K::X::IV IV;
  constexpr int L = K::L;
  constexpr int NB = 4;
  const int64_t span = (g.kH - 1) * g.dH + 1;
  const int64_t per_slot = g.OW * NB * static_cast<int64_t>(sizeof(V) + (IDX ? sizeof(IV) : 0));
  if (g.OW <= 0 || per_slot > kSepMaxBytes / span) return false;
  const int64_t elems = span * g.OW * NB;
  V* val = new (std::nothrow) V[static_cast<size_t>(elems)];
  IV* ix = IDX ? new (std::nothrow) IV[static_cast<size_t>(elems)] : nullptr;
  int64_t* key = new (std::nothrow) int64_t[static_cast<size_t>(span)];
  const bool ok = val && key && (!IDX || ix);
  if (ok) {
    const SepRing<K, IDX> ring{val, ix, key};
    int64_t c = c0;
    for (; c + NB * L <= c1; c += NB * L) sep_chunk<K, IDX, NB>(g, C, in, out, idx, r0, r1, c, NB * L, ring, span);
    for (; c < c1; c += L) sep_chunk<K, IDX, 1>(g, C, in, out, idx, r0, r1, c, c1 - c, ring, span);
  }
  delete[] val;
  delete[] ix;
  delete[] key;
  return ok;
}

template <class Kv, class Ki>
void nhwc_type(const PoolGeom& g, int64_t C, int64_t c0, int64_t c1, const void* in, void* out, int64_t* idx64,
               int32_t* idx32, int64_t r0, int64_t r1) {
  typedef typename Kv::T T;
  const T* x = static_cast<const T*>(in);
  T* y = static_cast<T*>(out);
  if (sep_wanted(g)) {
    const bool done = idx64   ? nhwc_sep<Ki, true>(g, C, c0, c1, x, y, idx64, r0, r1)
                      : idx32 ? nhwc_sep<Ki, true>(g, C, c0, c1, x, y, idx32, r0, r1)
                              : nhwc_sep<Kv, false>(g, C, c0, c1, x, y, static_cast<int32_t*>(nullptr), r0, r1);
    if (done) return;
  }
  if (idx64)
    nhwc_rows<Ki, true>(g, C, c0, c1, x, y, idx64, r0, r1);
  else if (idx32)
    nhwc_rows<Ki, true>(g, C, c0, c1, x, y, idx32, r0, r1);
  else
    nhwc_rows<Kv, false>(g, C, c0, c1, x, y, static_cast<int32_t*>(nullptr), r0, r1);
}

// Whether every position a window may name (up to one dilation step past the input) fits int32 lanes.
inline bool nh_positions_fit(const PoolGeom& g) {
  int64_t rows = 0, cols = 0, span = 0;
  return !__builtin_add_overflow(g.H, g.dH, &rows) && !__builtin_add_overflow(g.W, g.dW, &cols) &&
         !__builtin_mul_overflow(rows, cols, &span) && span < INT32_MAX;
}

}  // namespace

// The types the channel-register kernel takes (the rest go to pool_nhwc_avx2).
static bool nhwc_avx512_type(ElemType type) {
  switch (type) {
    case ElemType::kFloat32:
    case ElemType::kFloat64:
    case ElemType::kFloat16:
    case ElemType::kBFloat16:
    case ElemType::kInt8:
    case ElemType::kUint8:
    case ElemType::kInt16:
    case ElemType::kUint16:
    case ElemType::kInt32: return true;
  }
  return false;
}

bool pool_nhwc_avx512_separable(ElemType type, const PoolGeom& g) {
  return nhwc_avx512_type(type) && nh_positions_fit(g) && sep_wanted(g);
}

void pool_nhwc_avx512_channels(ElemType type, const PoolGeom& g, int64_t C, int64_t c0, int64_t c1, const void* in,
                               void* out, int64_t* idx64, int32_t* idx32, int64_t r0, int64_t r1) {
  switch (type) {
    case ElemType::kFloat32: return nhwc_type<NFloat<0>, NFloat<0>>(g, C, c0, c1, in, out, idx64, idx32, r0, r1);
    case ElemType::kFloat64: return nhwc_type<NDouble, NDouble>(g, C, c0, c1, in, out, idx64, idx32, r0, r1);
    case ElemType::kFloat16: return nhwc_type<NFloat<1>, NFloat<1>>(g, C, c0, c1, in, out, idx64, idx32, r0, r1);
    case ElemType::kBFloat16: return nhwc_type<NFloat<2>, NFloat<2>>(g, C, c0, c1, in, out, idx64, idx32, r0, r1);
    case ElemType::kInt8: return nhwc_type<NInt<ZS8x64>, NInt<ZS8x16>>(g, C, c0, c1, in, out, idx64, idx32, r0, r1);
    case ElemType::kUint8: return nhwc_type<NInt<ZU8x64>, NInt<ZU8x16>>(g, C, c0, c1, in, out, idx64, idx32, r0, r1);
    case ElemType::kInt16:
      return nhwc_type<NInt<ZS16x32>, NInt<ZS16x16>>(g, C, c0, c1, in, out, idx64, idx32, r0, r1);
    case ElemType::kUint16:
      return nhwc_type<NInt<ZU16x32>, NInt<ZU16x16>>(g, C, c0, c1, in, out, idx64, idx32, r0, r1);
    case ElemType::kInt32: return nhwc_type<NInt<ZS32x16>, NInt<ZS32x16>>(g, C, c0, c1, in, out, idx64, idx32, r0, r1);
  }
}

void pool_nhwc_avx512(ElemType type, const PoolGeom& g, int64_t C, const void* in, void* out, int64_t* idx64,
                      int32_t* idx32, int64_t r0, int64_t r1) {
  if (nh_positions_fit(g) && nhwc_avx512_type(type)) {
    return pool_nhwc_avx512_channels(type, g, C, 0, C, in, out, idx64, idx32, r0, r1);
  }
  pool_nhwc_avx2(type, g, C, in, out, idx64, idx32, r0, r1);
}

}  // namespace maxpool2d
#endif
