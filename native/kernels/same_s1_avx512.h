// Stride-1 "same" max pooling, float32 values only, AVX-512: odd k <= 13, padding (k - 1) / 2 on both axes,
// dilation 1, so OH == H and OW == W (SPPF's 5x5, SPP's 9x9 / 13x13, 3x3 stride 1). Included by
// maxpool_nchw_avx512.cc only, so it is compiled with that file's -m flags.
//
// Both passes treat a band of rows as one flat array, so rows narrower than a vector (SPPF's 20x20) waste no
// lanes and no row has a ragged tail:
//  - horizontal: for 16 flat positions at a time, tap o in [-p, p] is a load whose lanes that leave their row
//    are kept out of the max (interior vectors: plain loads and a masked max; vectors at the plane's ends:
//    masked loads filling -inf). The masks depend only on the position's column, which repeats every
//    P = W / gcd(W, 16) vectors: one table per thread for the (W, k) last seen;
//  - vertical: tap r of flat position s is s + r*W of the horizontal results; it is valid exactly when that
//    lies inside the band's rows, which start and end at the input's clipped window rows. The band sits between
//    p*W + 16 elements of -inf on either side, so taps past its ends (rows outside the plane) need no masks:
//    every vector runs the same plain loads (SPPF 512x20x20, one thread: 91 -> 77 us; 256x40x40 146 -> 132).
// Update rule: PyTorch's "replace when v > m || v != v" scanned in row-major order equals reducing each row in
// tap order and then the rows in order. With no NaN in play it is vmaxps(v, m): ties keep m, the earlier tap,
// so -0 / +0 come out as PyTorch's first-tap rule has them. The horizontal pass tests every input element of
// the band for NaN on the way (its centre tap loads each exactly once); if one is found the function returns
// false and the caller runs the exact path over the same rows, which rewrites them all.
#pragma once
#include <immintrin.h>

#include <cstdint>

#include "kernel_api.h"

namespace maxpool2d {
namespace {

static constexpr int64_t kSameS1MaxK = 13;
static constexpr int64_t kSameS1MaxP = 64;
static constexpr int64_t kSameS1Scratch = 8192;  // floats of horizontal results per band (32 KiB of stack)

struct SameS1Table {
  int64_t W = -1, k = -1, P = 0;
  __mmask16 m[kSameS1MaxP][kSameS1MaxK];  // [phase][tap]: lanes whose tap stays inside the row
};

static inline __mmask16 same_s1_range(int64_t lo, int64_t hi) {
  if (lo < 0) lo = 0;
  if (hi > 16) hi = 16;
  if (hi <= lo) return 0;
  return static_cast<__mmask16>(((1u << hi) - 1u) & ~((1u << lo) - 1u));
}

static const SameS1Table* same_s1_table(int64_t W, int64_t k) {
  static thread_local SameS1Table t;
  if (t.W == W && t.k == k) return &t;
  int64_t a = W, b = 16;
  while (b != 0) {
    const int64_t r = a % b;
    a = b;
    b = r;
  }
  const int64_t P = W / a;
  if (P > kSameS1MaxP) return nullptr;
  const int64_t p = (k - 1) / 2;
  for (int64_t q = 0; q < P; ++q) {
    for (int64_t j = 0; j < k; ++j) {
      unsigned bits = 0;
      for (int l = 0; l < 16; ++l) {
        const int64_t col = (q * 16 + l) % W + j - p;
        if (col >= 0 && col < W) bits |= 1u << l;
      }
      t.m[q][j] = static_cast<__mmask16>(bits);
    }
  }
  t.W = W;
  t.k = k;
  t.P = P;
  return &t;
}

// Horizontal pass over a band of n flat elements that starts at a row start: s[i] = max over the row's taps of
// in[i + o]. Returns a mask with a bit set if any element read as a centre tap was NaN (lanes past the band
// included: a false alarm only sends the band to the exact path). `before` / `after`: readable elements of the
// plane before in[0] / after in[n - 1] (the plain loads of interior vectors may reach p elements past either end
// of the band; the lanes that do are masked out of the max).
template <int K>
static inline __mmask16 same_s1_rows(const SameS1Table& t, int64_t k_rt, const float* in, int64_t n, int64_t before,
                                     int64_t after, float* s) {
  const int64_t k = K > 0 ? K : k_rt;
  const int64_t p = (k - 1) / 2;
  const __m512 ninf = _mm512_set1_ps(-__builtin_inff());
  __mmask16 nan = 0;
  int64_t q = 0;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16* m = t.m[q];
    const float* x = in + i - p;
    if (i - p >= -before && i + 16 + p <= n + after) {
      __m512 acc = _mm512_mask_mov_ps(ninf, m[0], _mm512_loadu_ps(x));
      for (int64_t j = 1; j < k; ++j) {
        const __m512 v = _mm512_loadu_ps(x + j);
        if (j == p) nan = static_cast<__mmask16>(nan | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q));
        acc = _mm512_mask_max_ps(acc, m[j], v, acc);
      }
      if (p == 0) nan = static_cast<__mmask16>(nan | _mm512_cmp_ps_mask(acc, acc, _CMP_UNORD_Q));
      _mm512_storeu_ps(s + i, acc);
      if (++q == t.P) q = 0;
      continue;
    }
    const __mmask16 keep = i + 16 <= n ? static_cast<__mmask16>(0xFFFF) : same_s1_range(0, n - i);
    __m512 acc = _mm512_mask_loadu_ps(ninf, static_cast<__mmask16>(m[0] & keep), x);
    for (int64_t j = 1; j < k; ++j) {
      const __m512 v = _mm512_mask_loadu_ps(ninf, static_cast<__mmask16>(m[j] & keep), x + j);
      if (j == p) nan = static_cast<__mmask16>(nan | _mm512_mask_cmp_ps_mask(keep, v, v, _CMP_UNORD_Q));
      acc = _mm512_max_ps(v, acc);
    }
    if (p == 0) nan = static_cast<__mmask16>(nan | _mm512_mask_cmp_ps_mask(keep, acc, acc, _CMP_UNORD_Q));
    _mm512_storeu_ps(s + i, acc);
    if (++q == t.P) q = 0;
  }
  return nan;
}

// Vertical pass: out[j] = max over r in [-p, p] of s[j0 + j + r*W] for j < n. Taps outside [0, ns) read the -inf
// the caller put in the p*W + 16 elements on either side of the band, so every vector takes the same plain loads.
template <int K>
static void same_s1_cols(int64_t k_rt, int64_t W, const float* s, int64_t j0, int64_t n, float* out) {
  const int64_t k = K > 0 ? K : k_rt;
  const int64_t p = (k - 1) / 2;
  for (int64_t j = 0; j < n; j += 16) {
    const float* x = s + j0 + j - p * W;
    __m512 acc = _mm512_loadu_ps(x);
    for (int64_t r = 1; r < k; ++r) acc = _mm512_max_ps(_mm512_loadu_ps(x + r * W), acc);
    if (n - j >= 16)
      _mm512_storeu_ps(out + j, acc);
    else
      _mm512_mask_storeu_ps(out + j, same_s1_range(0, n - j), acc);
  }
}

// -inf elements on either side of a band in the scratch (the vertical pass's reach past the band, plus a vector).
static inline int64_t same_s1_pad(int64_t W, int64_t k) { return (k - 1) / 2 * W + 16; }

// Output rows per band: what the scratch holds once the padding and the band's p extra input rows at each end are
// taken out (below 1: the rows are too wide for this path).
static inline int64_t same_s1_band_rows(int64_t W, int64_t k) {
  return (kSameS1Scratch - 2 * same_s1_pad(W, k)) / W - (k - 1);
}

template <int K>
static bool same_s1_run(const PoolGeom& g, const SameS1Table& t, const float* in, float* out, int64_t oh0,
                        int64_t oh1) {
  const int64_t H = g.H, W = g.W, k = g.kH, p = (k - 1) / 2;
  const int64_t pad = same_s1_pad(W, k);
  const int64_t rows = same_s1_band_rows(W, k);
  alignas(64) float buf[kSameS1Scratch + 16];
  float* const s = buf + pad;
  const __m512 ninf = _mm512_set1_ps(-__builtin_inff());
  for (int64_t i = 0; i < pad; i += 16) _mm512_storeu_ps(buf + i, ninf);  // may reach into s: rewritten below
  for (int64_t b0 = oh0; b0 < oh1; b0 += rows) {
    const int64_t b1 = b0 + rows < oh1 ? b0 + rows : oh1;
    const int64_t ha = b0 - p > 0 ? b0 - p : 0;
    const int64_t hb = b1 + p < H ? b1 + p : H;
    const int64_t ns = (hb - ha) * W;
    if (same_s1_rows<K>(t, k, in + ha * W, ns, ha * W, (H - hb) * W, s) != 0) return false;
    for (int64_t i = 0; i < pad; i += 16) _mm512_storeu_ps(s + ns + i, ninf);
    same_s1_cols<K>(k, W, s, (b0 - ha) * W, (b1 - b0) * W, out + b0 * W);
  }
  return true;
}

// True if it pooled output rows [oh0, oh1); false if the geometry is not its case or the input rows hold a
// NaN (then the caller runs the exact path, which rewrites every row).
static bool same_s1_pool_f32(const PoolGeom& g, const float* in, float* out, int64_t oh0, int64_t oh1) {
  const int64_t k = g.kH;
  if (g.kW != k || k % 2 == 0 || k > kSameS1MaxK || g.sH != 1 || g.sW != 1 || g.dH != 1 || g.dW != 1) return false;
  if (g.pH != (k - 1) / 2 || g.pW != (k - 1) / 2 || g.OH != g.H || g.OW != g.W || g.H <= 0 || g.W <= 0) return false;
  if (same_s1_band_rows(g.W, k) < 1) return false;  // rows too wide for a band
  if (oh0 < 0 || oh1 > g.OH || oh0 >= oh1) return false;
  const SameS1Table* t = same_s1_table(g.W, k);
  if (t == nullptr) return false;
  switch (k) {
    case 3: return same_s1_run<3>(g, *t, in, out, oh0, oh1);
    case 5: return same_s1_run<5>(g, *t, in, out, oh0, oh1);
    default: return same_s1_run<0>(g, *t, in, out, oh0, oh1);
  }
}

}  // namespace
}  // namespace maxpool2d
