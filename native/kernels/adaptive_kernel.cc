// Adaptive max pooling, every dtype (see adaptive_kernels.h for the rule and the algorithm). No ISA flags here:
// adaptive_kernel_avx2.cc / adaptive_kernel_avx512.cc include this file again with MAXPOOL2D_ADAPTIVE_ISA set to
// avx2 / avx512 and their own -m flags. The hot loop (the vertical pass) is a branch-free select over contiguous
// columns, which GCC and Clang vectorise at -O3 for whichever ISA the translation unit is built for. Everything
// but the entry point has internal linkage, and no std template is instantiated (an AVX-512 copy of one could
// be merged into baseline code by the linker).
#include <cstring>
#include <new>

#include "adaptive_kernels.h"

// Bytes per key vector: one register of the translation unit's ISA (SSE2 / NEON: 16).
#if defined(MAXPOOL2D_ADAPTIVE_ISA_AVX512)
#define MAXPOOL2D_ADAPTIVE_NAME adaptive_planes_avx512
#define MAXPOOL2D_ADAPTIVE_VECTOR 64
#elif defined(MAXPOOL2D_ADAPTIVE_ISA_AVX2)
#define MAXPOOL2D_ADAPTIVE_NAME adaptive_planes_avx2
#define MAXPOOL2D_ADAPTIVE_VECTOR 32
#else
#define MAXPOOL2D_ADAPTIVE_NAME adaptive_planes
#define MAXPOOL2D_ADAPTIVE_VECTOR 16
#endif

namespace maxpool2d {
namespace {

// Comparison keys. A key orders elements as the scan compares them; `nan(k)` says the element is a NaN. Keys are
// 4 or 8 bytes wide (narrow integers and halves widen to int32), and I is the signed integer of the key's width:
// the row numbers of the vertical pass live in I lanes beside the keys. vkey / vnan are the same on one register
// of keys (GCC / Clang vector extensions, MAXPOOL2D_ADAPTIVE_VECTOR bytes).
template <typename T, typename K, typename I, int B>
struct VecOf {
  static constexpr int L = B / sizeof(K);
  typedef K VK __attribute__((vector_size(B)));
  typedef I VI __attribute__((vector_size(B)));
  typedef T VS __attribute__((vector_size(L * sizeof(T))));
  // L elements at p as keys (converted lane by lane when T is narrower than K).
  static inline VK load(const T* p) {
    VS raw;
    std::memcpy(&raw, p, sizeof raw);
    return __builtin_convertvector(raw, VK);
  }
};

// float / double / int32: the value itself (k != k is false for integers).
template <typename T, typename IT>
struct PlainKey {
  using S = T;   // storage
  using K = T;   // key
  using I = IT;  // row-number lanes
  template <int B>
  using Vec = VecOf<S, K, I, B>;
  static inline K key(S v) { return v; }
  static inline bool nan(K k) { return k != k; }
  template <int B>
  static inline typename Vec<B>::VK vkey(const S* p) {
    return Vec<B>::load(p);
  }
  template <int B>
  static inline typename Vec<B>::VI vnan(typename Vec<B>::VK k) {
    return k != k;
  }
};

// int8 / uint8 / int16 / uint16: widened to int32.
template <typename T>
struct WideKey {
  using S = T;
  using K = int32_t;
  using I = int32_t;
  template <int B>
  using Vec = VecOf<S, K, I, B>;
  static inline K key(S v) { return v; }
  static inline bool nan(K) { return false; }
  template <int B>
  static inline typename Vec<B>::VK vkey(const S* p) {
    return Vec<B>::load(p);
  }
  template <int B>
  static inline typename Vec<B>::VI vnan(typename Vec<B>::VK) {
    return typename Vec<B>::VI{};
  }
};

// float16 / bfloat16 bits: sign-magnitude mapped to a signed integer (-0 and +0 both 0, order kept), every NaN
// to 0x7fff, above every number (the largest magnitude below a NaN is the infinity, kInf).
template <int kInf>
struct HalfKey {
  using S = uint16_t;
  using K = int32_t;
  using I = int32_t;
  template <int B>
  using Vec = VecOf<S, K, I, B>;
  static inline K key(S b) {
    const int32_t mag = b & 0x7fff;
    return mag > kInf ? 0x7fff : (b & 0x8000) ? -mag : mag;
  }
  static inline bool nan(K k) { return k == 0x7fff; }
  template <int B>
  static inline typename Vec<B>::VK vkey(const S* p) {
    using VK = typename Vec<B>::VK;
    const VK raw = Vec<B>::load(p);
    const VK mag = raw & 0x7fff;
    const VK k = (raw & 0x8000) != 0 ? -mag : mag;
    return mag > kInf ? 0x7fff + VK{} : k;
  }
  template <int B>
  static inline typename Vec<B>::VI vnan(typename Vec<B>::VK k) {
    return k == 0x7fff;
  }
};

// The scan's update rule on keys: a later element replaces the current one.
template <class Tr>
inline bool replaces(typename Tr::K v, typename Tr::K m) {
  return v > m || Tr::nan(v);
}

// The scan's total order on (key, index) pairs of different positions: is (v, i) the better result?
template <class Tr>
inline bool better(typename Tr::K v, int64_t i, typename Tr::K m, int64_t mi) {
  if (Tr::nan(v)) return !Tr::nan(m) || i > mi;
  if (Tr::nan(m)) return false;
  return v > m || (v == m && i < mi);
}

// Columns [w0, n) of the vertical pass in vectors of B bytes of keys, each walking all the rows with its state in
// registers (through memory, every row would wait on the previous row's stores). Returns the first column left.
template <class Tr, int B>
inline int64_t vertical_vectors(const typename Tr::S* __restrict in, int64_t stride, int64_t r0, int64_t r1,
                                int64_t w0, int64_t n, typename Tr::K* __restrict km, typename Tr::I* __restrict ri) {
  using I = typename Tr::I;
  using VK = typename Tr::template Vec<B>::VK;
  using VI = typename Tr::template Vec<B>::VI;
  constexpr int L = Tr::template Vec<B>::L;
  for (; w0 + L <= n; w0 += L) {
    VK m = Tr::template vkey<B>(in + r0 * stride + w0);
    VI r = VI{} + static_cast<I>(r0);
    for (int64_t h = r0 + 1; h < r1; ++h) {
      const VK v = Tr::template vkey<B>(in + h * stride + w0);
      const VI u = (v > m) | Tr::template vnan<B>(v);
      m = u ? v : m;
      r = u ? VI{} + static_cast<I>(h) : r;
    }
    std::memcpy(km + w0, &m, sizeof m);
    std::memcpy(ri + w0, &r, sizeof r);
  }
  return w0;
}

// Column-wise reduction of rows [r0, r1) (r1 > r0, r1 fits in I) of `n` columns `stride` apart: km[w], ri[w]
// become the best key of column w and the row it came from (a row-major scan of one column): full vectors,
// then (wider ISAs) half vectors, then a row-major select loop for the last columns.
template <class Tr>
inline void vertical(const typename Tr::S* __restrict in, int64_t stride, int64_t r0, int64_t r1, int64_t n,
                     typename Tr::K* __restrict km, typename Tr::I* __restrict ri) {
  using K = typename Tr::K;
  using I = typename Tr::I;
  constexpr int kFull = MAXPOOL2D_ADAPTIVE_VECTOR, kHalf = kFull > 16 ? kFull / 2 : kFull;
  int64_t w0 = vertical_vectors<Tr, kFull>(in, stride, r0, r1, 0, n, km, ri);
  if (kHalf != kFull) w0 = vertical_vectors<Tr, kHalf>(in, stride, r0, r1, w0, n, km, ri);
  if (w0 == n) return;
  const typename Tr::S* row = in + r0 * stride;
  for (int64_t w = w0; w < n; ++w) {
    km[w] = Tr::key(row[w]);
    ri[w] = static_cast<I>(r0);
  }
  for (int64_t h = r0 + 1; h < r1; ++h) {
    row = in + h * stride;
    const I hh = static_cast<I>(h);
    for (int64_t w = w0; w < n; ++w) {
      const K v = Tr::key(row[w]);
      const K m = km[w];
      const bool u = replaces<Tr>(v, m);
      km[w] = u ? v : m;
      ri[w] = u ? hh : ri[w];
    }
  }
}

template <typename S>
inline void store(const S* plane, int64_t at, S* out, int64_t o, int64_t* idx64, int32_t* idx32) {
  std::memcpy(out + o, plane + at, sizeof(S));  // bits exact (NaN payloads)
  if (idx64) idx64[o] = at;
  if (idx32) idx32[o] = static_cast<int32_t>(at);
}

// Bin bounds walked without division: start(i) = floor(i*n/out) = q, with r = i*n mod out.
struct BinWalk {
  int64_t q, r, dq, dr, out;
  BinWalk(int64_t i, int64_t out_size, int64_t n)
      : q(i * n / out_size), r(i * n % out_size), dq(n / out_size), dr(n % out_size), out(out_size) {}
  // [begin, end) of bin i, then advances to bin i + 1.
  inline void next(int64_t* begin, int64_t* end) {
    *begin = q;
    q += dq;
    r += dr;
    if (r >= out) {
      ++q;
      r -= out;
    }
    *end = q + (r != 0);
  }
};

// The reference scan of one bin (run's fallback).
template <class Tr>
int64_t scan_bin(const typename Tr::S* plane, int64_t W, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
  using K = typename Tr::K;
  K m = Tr::key(plane[h0 * W + w0]);
  int64_t at = h0 * W + w0;
  for (int64_t h = h0; h < h1; ++h) {
    for (int64_t w = (h == h0 ? w0 + 1 : w0); w < w1; ++w) {
      const K v = Tr::key(plane[h * W + w]);
      if (replaces<Tr>(v, m)) {
        m = v;
        at = h * W + w;
      }
    }
  }
  return at;
}

// Scratch for the vertical pass: on the stack up to kStackColumns columns, else on the heap.
constexpr int64_t kStackColumns = 1024;

template <class Tr>
void run(const AdaptiveGeom& g, const void* input, void* output, int64_t* idx64, int32_t* idx32, int64_t p0,
         int64_t p1, int64_t oh0, int64_t oh1) {
  using S = typename Tr::S;
  using K = typename Tr::K;
  const int64_t H = g.H, W = g.W, OH = g.OH, OW = g.OW;
  const int64_t in_plane = H * W, out_plane = OH * OW;
  const S* in = static_cast<const S*>(input);
  S* out = static_cast<S*>(output);
  const bool global = OH == 1 && OW == 1;
  // 1x1 output: the plane as rows of one key vector (a 7x7 float plane fills three 16-lane rows).
  constexpr int64_t kGlobalWidth = Tr::template Vec<MAXPOOL2D_ADAPTIVE_VECTOR>::L;

  // The reference scan, bin by bin: for geometries the vectorised passes do not take (row numbers must fit in I
  // lanes: int32 unless the keys are 8 bytes wide) and when the heap scratch cannot be had.
  auto scan_planes = [&]() {
    for (int64_t p = p0; p < p1; ++p) {
      const S* plane = in + p * in_plane;
      BinWalk rows(oh0, OH, H);
      for (int64_t oh = oh0; oh < oh1; ++oh) {
        int64_t h0, h1;
        rows.next(&h0, &h1);
        BinWalk cols(0, OW, W);
        for (int64_t ow = 0; ow < OW; ++ow) {
          int64_t w0, w1;
          cols.next(&w0, &w1);
          const int64_t o = p * out_plane + oh * OW + ow;
          store(plane, scan_bin<Tr>(plane, W, h0, h1, w0, w1), out, o, idx64, idx32);
        }
      }
    }
  };
  constexpr int64_t kMaxRow = sizeof(typename Tr::I) == 4 ? INT32_MAX : INT64_MAX;
  if (H > kMaxRow || (global && in_plane / kGlobalWidth > kMaxRow)) return scan_planes();

  const int64_t columns = global ? kGlobalWidth : W;
  using I = typename Tr::I;
  K stack_km[kStackColumns];
  I stack_ri[kStackColumns];
  K* km = stack_km;
  I* ri = stack_ri;
  char* heap = nullptr;
  if (columns > kStackColumns) {
    const size_t keys = (static_cast<size_t>(columns) * sizeof(K) + 7) & ~size_t{7};
    heap = new (std::nothrow) char[keys + static_cast<size_t>(columns) * sizeof(I)];
    if (heap == nullptr) return scan_planes();  // no exception may leave the kernel
    km = reinterpret_cast<K*>(heap);
    ri = reinterpret_cast<I*>(heap + keys);
  }

  for (int64_t p = p0; p < p1; ++p) {
    const S* plane = in + p * in_plane;
    if (global) {
      // Rows of kGlobalWidth contiguous elements (row-major order = memory order), then the tail.
      const int64_t rows = in_plane / kGlobalWidth;
      K bk;
      int64_t bi;
      int64_t tail = rows * kGlobalWidth;
      if (rows > 0) {
        vertical<Tr>(plane, kGlobalWidth, 0, rows, kGlobalWidth, km, ri);
        bk = km[0];
        bi = static_cast<int64_t>(ri[0]) * kGlobalWidth;
        for (int64_t l = 1; l < kGlobalWidth; ++l) {
          const int64_t i = static_cast<int64_t>(ri[l]) * kGlobalWidth + l;
          const bool b = better<Tr>(km[l], i, bk, bi);
          bk = b ? km[l] : bk;
          bi = b ? i : bi;
        }
      } else {
        bk = Tr::key(plane[0]);
        bi = 0;
        tail = 1;
      }
      for (int64_t i = tail; i < in_plane; ++i) {  // later than every reduced element: the scan's own rule
        const K v = Tr::key(plane[i]);
        const bool b = replaces<Tr>(v, bk);
        bk = b ? v : bk;
        bi = b ? i : bi;
      }
      store(plane, bi, out, p, idx64, idx32);
      continue;
    }
    BinWalk rows(oh0, OH, H);
    for (int64_t oh = oh0; oh < oh1; ++oh) {
      int64_t h0, h1;
      rows.next(&h0, &h1);
      vertical<Tr>(plane, W, h0, h1, W, km, ri);
      BinWalk cols(0, OW, W);
      const int64_t o_row = p * out_plane + oh * OW;
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t w0, w1;
        cols.next(&w0, &w1);
        K bk = km[w0];
        int64_t bi = static_cast<int64_t>(ri[w0]) * W + w0;
        for (int64_t w = w0 + 1; w < w1; ++w) {
          const int64_t i = static_cast<int64_t>(ri[w]) * W + w;
          const bool b = better<Tr>(km[w], i, bk, bi);
          bk = b ? km[w] : bk;
          bi = b ? i : bi;
        }
        store(plane, bi, out, o_row + ow, idx64, idx32);
      }
    }
  }
  delete[] heap;
}

}  // namespace

void MAXPOOL2D_ADAPTIVE_NAME(ElemType type, const AdaptiveGeom& g, const void* in, void* out, int64_t* idx64,
                             int32_t* idx32, int64_t p0, int64_t p1, int64_t oh0, int64_t oh1) {
  switch (type) {
    case ElemType::kFloat32: return run<PlainKey<float, int32_t>>(g, in, out, idx64, idx32, p0, p1, oh0, oh1);
    case ElemType::kFloat64: return run<PlainKey<double, int64_t>>(g, in, out, idx64, idx32, p0, p1, oh0, oh1);
    case ElemType::kInt8: return run<WideKey<int8_t>>(g, in, out, idx64, idx32, p0, p1, oh0, oh1);
    case ElemType::kUint8: return run<WideKey<uint8_t>>(g, in, out, idx64, idx32, p0, p1, oh0, oh1);
    case ElemType::kInt16: return run<WideKey<int16_t>>(g, in, out, idx64, idx32, p0, p1, oh0, oh1);
    case ElemType::kUint16: return run<WideKey<uint16_t>>(g, in, out, idx64, idx32, p0, p1, oh0, oh1);
    case ElemType::kInt32: return run<PlainKey<int32_t, int32_t>>(g, in, out, idx64, idx32, p0, p1, oh0, oh1);
    case ElemType::kFloat16: return run<HalfKey<0x7c00>>(g, in, out, idx64, idx32, p0, p1, oh0, oh1);
    case ElemType::kBFloat16: return run<HalfKey<0x7f80>>(g, in, out, idx64, idx32, p0, p1, oh0, oh1);
  }
}

}  // namespace maxpool2d
