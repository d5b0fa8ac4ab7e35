// Integer / half NCHW kernels and the NHWC kernel (see generic_kernels.h). No ISA flags: the hot loops are
// branch-free selects over contiguous elements, which GCC and Clang vectorise at -O3 for the baseline ISA.
// maxpool_generic_avx2.cc compiles this file again with AVX2 flags and MAXPOOL2D_GENERIC_AVX2 defined, giving
// the *_avx2 entry points. Everything else here has internal linkage, and no std template is instantiated
// (no std::vector: the linker could merge an AVX2 copy of it into baseline code).
#include <cstring>
#include <limits>

#include "generic_kernels.h"
#include "half_bits.h"

#ifdef MAXPOOL2D_GENERIC_AVX2
#define MAXPOOL2D_GENERIC_NAME(name) name##_avx2
#else
#define MAXPOOL2D_GENERIC_NAME(name) name
#endif

namespace maxpool2d {
namespace {

// A heap scratch array (uninitialised), freed on scope exit.
template <typename T>
class Scratch {
 public:
  explicit Scratch(int64_t n) : p_(n > 0 ? new T[static_cast<size_t>(n)] : nullptr) {}
  ~Scratch() { delete[] p_; }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  T* data() { return p_; }
  T& operator[](int64_t i) { return p_[i]; }

 private:
  T* p_;
};

inline int64_t first_tap(int64_t start, int64_t d) {
  if (start >= 0) return start;
  return start + ((-start + d - 1) / d) * d;
}

inline int64_t end_tap(int64_t start, int64_t k, int64_t d, int64_t n) {
  const int64_t e = start + (k - 1) * d + 1;
  return e < n ? e : n;
}


inline float bf16_to_float(uint16_t h) { return float_of_bits(static_cast<uint32_t>(h) << 16); }

struct F16 {};
struct BF16 {};

// Per-dtype storage type, comparison type and start value.
template <typename Tag>
struct Elem {
  using Store = Tag;
  using Acc = Tag;
  static constexpr bool kHalf = false;
  static Acc load(Store v) { return v; }
  static Acc start() {
    return std::numeric_limits<Acc>::has_infinity ? -std::numeric_limits<Acc>::infinity()
                                                  : std::numeric_limits<Acc>::lowest();
  }
};
template <>
struct Elem<F16> {
  using Store = uint16_t;
  using Acc = float;
  static constexpr bool kHalf = true;
  static constexpr uint16_t kNegInf = 0xfc00;
  static Acc load(Store v) { return f16_to_float(v); }
  static Acc start() { return -std::numeric_limits<float>::infinity(); }
};
template <>
struct Elem<BF16> {
  using Store = uint16_t;
  using Acc = float;
  static constexpr bool kHalf = true;
  static constexpr uint16_t kNegInf = 0xff80;
  static Acc load(Store v) { return bf16_to_float(v); }
  static Acc start() { return -std::numeric_limits<float>::infinity(); }
};

// PyTorch's rule, branch-free; `v != v` is constant false for integers.
template <typename A>
inline bool takes(A v, A m) {
  return (v > m) | (v != v);
}

// The stored result of a window: integers and floats store the running maximum itself (its bits are the
// winner's); halves store the winner's bits, or -inf when nothing beat -inf (which is also the bits of a
// winning -inf).
template <typename Tag>
inline typename Elem<Tag>::Store result(typename Elem<Tag>::Acc m, const typename Elem<Tag>::Store* plane,
                                        int64_t mi, int64_t stride) {
  if constexpr (Elem<Tag>::kHalf) {
    return m == -std::numeric_limits<float>::infinity() ? Elem<Tag>::kNegInf : plane[mi * stride];
  } else {
    (void)plane;
    (void)mi;
    (void)stride;
    return m;
  }
}

// NCHW: for each output row, the output columns whose taps all lie inside the input are reduced tap by tap
// across columns (contiguous when sW == 1), the border columns window by window. For one column the taps
// are still visited row by row, left to right. Positions (indices, a half's bits) are found afterwards.
template <typename Tag, typename I, bool kTrack>
void nchw_rows(const PoolGeom& g, const typename Elem<Tag>::Store* in, typename Elem<Tag>::Store* out, I* idx,
               int64_t oh0, int64_t oh1) {
  using E = Elem<Tag>;
  using A = typename E::Acc;
  const int64_t OW = g.OW;
  Scratch<A> m(OW);
  // Halves: each input row is converted to float once (a contiguous, vectorisable loop), then scanned as floats.
  Scratch<A> converted(E::kHalf ? g.W : 0);
  // Interior columns [lo, hi): ow * sW - pW >= 0 and ow * sW - pW + (kW - 1) * dW <= W - 1.
  int64_t lo = (g.pW + g.sW - 1) / g.sW;
  const int64_t last = g.W - 1 - (g.kW - 1) * g.dW + g.pW;
  int64_t hi = last < 0 ? 0 : last / g.sW + 1;
  if (lo > OW) lo = OW;
  if (hi > OW) hi = OW;
  if (hi < lo) hi = lo;
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    const int64_t hs = oh * g.sH - g.pH;
    const int64_t h0 = first_tap(hs, g.dH), h1 = end_tap(hs, g.kH, g.dH, g.H);
    for (int64_t ow = 0; ow < OW; ++ow) m[ow] = E::start();
    // Pass 1: the maxima alone (branch-free selects; plain max for integers).
    for (int64_t h = h0; h < h1; h += g.dH) {
      const typename E::Store* row = in + h * g.W;
      const A* values;
      if constexpr (E::kHalf) {
        A* __restrict c = converted.data();
        for (int64_t w = 0; w < g.W; ++w) c[w] = E::load(row[w]);
        values = c;
      } else {
        values = row;
      }
      auto border = [&](int64_t ow) {
        const int64_t ws = ow * g.sW - g.pW;
        for (int64_t w = first_tap(ws, g.dW), w1 = end_tap(ws, g.kW, g.dW, g.W); w < w1; w += g.dW) {
          const A v = values[w];
          m[ow] = takes(v, m[ow]) ? v : m[ow];
        }
      };
      for (int64_t ow = 0; ow < lo; ++ow) border(ow);
      A* __restrict mp = m.data();
      for (int64_t j = 0; j < g.kW; ++j) {
        const int64_t off = j * g.dW - g.pW;
        for (int64_t ow = lo; ow < hi; ++ow) {
          const A v = values[ow * g.sW + off];
          mp[ow] = takes(v, mp[ow]) ? v : mp[ow];
        }
      }
      for (int64_t ow = hi > lo ? hi : lo; ow < OW; ++ow) border(ow);
    }
    // Pass 2 (indices, or the bits of a half): the rule's winner is the last NaN when the maximum is NaN, else
    // the first tap equal to the maximum (ties keep the first; -0 == +0 picks the first zero, as the rule does).
    // No tap equal means no tap won: the window's first position, as the rule starts with.
    auto locate = [&](int64_t ow) -> int64_t {
      const int64_t ws = ow * g.sW - g.pW;
      const int64_t w0 = first_tap(ws, g.dW), w1 = end_tap(ws, g.kW, g.dW, g.W);
      int64_t pos = h0 * g.W + w0;
      const A mv = m[ow];
      if (mv != mv) {
        for (int64_t h = h0; h < h1; h += g.dH) {
          for (int64_t w = w0; w < w1; w += g.dW) {
            const A v = E::load(in[h * g.W + w]);
            if (v != v) pos = h * g.W + w;
          }
        }
        return pos;
      }
      for (int64_t h = h0; h < h1; h += g.dH) {
        for (int64_t w = w0; w < w1; w += g.dW) {
          if (E::load(in[h * g.W + w]) == mv) return h * g.W + w;
        }
      }
      return pos;
    };
    typename E::Store* o = out + oh * OW;
    for (int64_t ow = 0; ow < OW; ++ow) {
      const int64_t pos = kTrack ? locate(ow) : 0;
      o[ow] = result<Tag>(m[ow], in, pos, 1);
      if (idx) idx[oh * OW + ow] = static_cast<I>(pos);
    }
  }
}

// Whether every position a window may name (up to one dilation step past the input) fits in int32, so the
// positions can be tracked in 32-bit lanes.
inline bool positions_fit_int32(const PoolGeom& g) {
  int64_t rows = 0, cols = 0, span = 0;
  return !__builtin_add_overflow(g.H, g.dH, &rows) && !__builtin_add_overflow(g.W, g.dW, &cols) &&
         !__builtin_mul_overflow(rows, cols, &span) && span < INT32_MAX;
}

template <typename Tag>
void nchw(const PoolGeom& g, const void* in, void* out, int64_t* idx64, int32_t* idx32, int64_t oh0, int64_t oh1) {
  using S = typename Elem<Tag>::Store;
  const S* i = static_cast<const S*>(in);
  S* o = static_cast<S*>(out);
  if (idx64) {
    nchw_rows<Tag, int64_t, true>(g, i, o, idx64, oh0, oh1);
  } else if (idx32) {
    nchw_rows<Tag, int32_t, true>(g, i, o, idx32, oh0, oh1);
  } else {
    // Halves need the winner's position to copy its bits.
    nchw_rows<Tag, int64_t, Elem<Tag>::kHalf>(g, i, o, static_cast<int64_t*>(nullptr), oh0, oh1);
  }
}

// NHWC: one output pixel at a time, its C channels reduced together over the window's taps (in the rule's
// order), so the inner loop runs over contiguous channels.
template <typename Tag, typename I, typename P, bool kTrack>
void nhwc_rows(const PoolGeom& g, int64_t C, const typename Elem<Tag>::Store* in, typename Elem<Tag>::Store* out,
               I* idx, int64_t r0, int64_t r1) {
  using E = Elem<Tag>;
  using A = typename E::Acc;
  using S = typename E::Store;
  Scratch<A> m(C);
  Scratch<P> mi(kTrack ? C : 0);
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t n = r / g.OH, oh = r % g.OH;
    const S* image = in + n * g.H * g.W * C;
    const int64_t hs = oh * g.sH - g.pH;
    const int64_t h0 = first_tap(hs, g.dH), h1 = end_tap(hs, g.kH, g.dH, g.H);
    for (int64_t ow = 0; ow < g.OW; ++ow) {
      const int64_t ws = ow * g.sW - g.pW;
      const int64_t w0 = first_tap(ws, g.dW), w1 = end_tap(ws, g.kW, g.dW, g.W);
      A* __restrict mp = m.data();
      P* __restrict ip = mi.data();
      for (int64_t c = 0; c < C; ++c) mp[c] = E::start();
      if (kTrack) {
        for (int64_t c = 0; c < C; ++c) ip[c] = static_cast<P>(h0 * g.W + w0);
      }
      for (int64_t h = h0; h < h1; h += g.dH) {
        for (int64_t w = w0; w < w1; w += g.dW) {
          const P pos = static_cast<P>(h * g.W + w);
          const S* __restrict px = image + static_cast<int64_t>(pos) * C;
          if (kTrack) {
            for (int64_t c = 0; c < C; ++c) {
              const A v = E::load(px[c]);
              const bool t = takes(v, mp[c]);
              mp[c] = t ? v : mp[c];
              ip[c] = t ? pos : ip[c];
            }
          } else {
            for (int64_t c = 0; c < C; ++c) {
              const A v = E::load(px[c]);
              mp[c] = takes(v, mp[c]) ? v : mp[c];
            }
          }
        }
      }
      const int64_t o = ((n * g.OH + oh) * g.OW + ow) * C;
      for (int64_t c = 0; c < C; ++c) {
        out[o + c] = result<Tag>(mp[c], image + c, kTrack ? ip[c] : 0, C);
        if (idx) idx[o + c] = static_cast<I>(ip[c]);
      }
    }
  }
}

template <typename Tag>
void nhwc(const PoolGeom& g, int64_t C, const void* in, void* out, int64_t* idx64, int32_t* idx32, int64_t r0,
          int64_t r1) {
  using S = typename Elem<Tag>::Store;
  const S* i = static_cast<const S*>(in);
  S* o = static_cast<S*>(out);
  const bool narrow = positions_fit_int32(g);
  if (idx64) {
    if (narrow) {
      nhwc_rows<Tag, int64_t, int32_t, true>(g, C, i, o, idx64, r0, r1);
    } else {
      nhwc_rows<Tag, int64_t, int64_t, true>(g, C, i, o, idx64, r0, r1);
    }
  } else if (idx32) {
    nhwc_rows<Tag, int32_t, int32_t, true>(g, C, i, o, idx32, r0, r1);
  } else if (narrow) {
    nhwc_rows<Tag, int64_t, int32_t, Elem<Tag>::kHalf>(g, C, i, o, static_cast<int64_t*>(nullptr), r0, r1);
  } else {
    nhwc_rows<Tag, int64_t, int64_t, Elem<Tag>::kHalf>(g, C, i, o, static_cast<int64_t*>(nullptr), r0, r1);
  }
}

}  // namespace

#ifndef MAXPOOL2D_GENERIC_AVX2
int elem_size(ElemType type) {
  switch (type) {
    case ElemType::kInt8:
    case ElemType::kUint8: return 1;
    case ElemType::kInt16:
    case ElemType::kUint16:
    case ElemType::kFloat16:
    case ElemType::kBFloat16: return 2;
    case ElemType::kFloat64: return 8;
    default: return 4;
  }
}

#endif

void MAXPOOL2D_GENERIC_NAME(pool_nchw_generic)(ElemType type, const PoolGeom& g, const void* in, void* out,
                                               int64_t* idx64, int32_t* idx32, int64_t oh0, int64_t oh1) {
  switch (type) {
    case ElemType::kInt8: return nchw<int8_t>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kUint8: return nchw<uint8_t>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kInt16: return nchw<int16_t>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kUint16: return nchw<uint16_t>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kInt32: return nchw<int32_t>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kFloat16: return nchw<F16>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kBFloat16: return nchw<BF16>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kFloat32: return nchw<float>(g, in, out, idx64, idx32, oh0, oh1);
    case ElemType::kFloat64: return nchw<double>(g, in, out, idx64, idx32, oh0, oh1);
  }
}

void MAXPOOL2D_GENERIC_NAME(pool_nhwc)(ElemType type, const PoolGeom& g, int64_t C, const void* in, void* out,
                                       int64_t* idx64, int32_t* idx32, int64_t r0, int64_t r1) {
  switch (type) {
    case ElemType::kInt8: return nhwc<int8_t>(g, C, in, out, idx64, idx32, r0, r1);
    case ElemType::kUint8: return nhwc<uint8_t>(g, C, in, out, idx64, idx32, r0, r1);
    case ElemType::kInt16: return nhwc<int16_t>(g, C, in, out, idx64, idx32, r0, r1);
    case ElemType::kUint16: return nhwc<uint16_t>(g, C, in, out, idx64, idx32, r0, r1);
    case ElemType::kInt32: return nhwc<int32_t>(g, C, in, out, idx64, idx32, r0, r1);
    case ElemType::kFloat16: return nhwc<F16>(g, C, in, out, idx64, idx32, r0, r1);
    case ElemType::kBFloat16: return nhwc<BF16>(g, C, in, out, idx64, idx32, r0, r1);
    case ElemType::kFloat32: return nhwc<float>(g, C, in, out, idx64, idx32, r0, r1);
    case ElemType::kFloat64: return nhwc<double>(g, C, in, out, idx64, idx32, r0, r1);
  }
}

}  // namespace maxpool2d
