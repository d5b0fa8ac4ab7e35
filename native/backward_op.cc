#include "backward_op.h"

#include <cmath>
#include <cstring>

#include "kernels/half_bits.h"
#include "thread_pool.h"

namespace maxpool2d {
namespace {

// a + b, with NaN results written out so that they do not depend on how the compiler orders the operands
// or on the CPU's default NaN: x86-64 SSE's rule (`addss a, b`), which lib/backends/js-backward.ts repeats:
// a NaN `a` is kept; else a NaN `b` is returned quieted; else (inf + -inf) the negative quiet NaN.
template <typename T, typename Bits, Bits kQuiet, Bits kDefaultNaN>
inline T add_exact(T a, T b) {
  const T sum = a + b;
  if (sum == sum) return sum;
  if (a != a) return a;
  Bits bits;
  if (b != b) {
    std::memcpy(&bits, &b, sizeof bits);
    bits |= kQuiet;
  } else {
    bits = kDefaultNaN;
  }
  T out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

inline float add_grad(float a, float b) { return add_exact<float, uint32_t, 0x00400000u, 0xffc00000u>(a, b); }
inline double add_grad(double a, double b) {
  return add_exact<double, uint64_t, 0x0008000000000000ull, 0xfff8000000000000ull>(a, b);
}

// float16 <-> float, the FP16 library's conversions (c10::Half uses them): exact decode (f16_to_float, half_bits.h);
// encode rounds to nearest even, overflow to infinity, and every NaN to sign | 0x7e00.
inline uint16_t float_to_f16(float f) {
  float base = (std::fabs(f) * 0x1.0p+112f) * 0x1.0p-110f;
  const uint32_t w = bits_of_float(f);
  const uint32_t shl1_w = w + w;
  const uint32_t sign = w & 0x80000000u;
  uint32_t bias = shl1_w & 0xff000000u;
  if (bias < 0x71000000u) bias = 0x71000000u;
  base = float_of_bits((bias >> 1) + 0x07800000u) + base;
  const uint32_t bits = bits_of_float(base);
  const uint32_t nonsign = ((bits >> 13) & 0x00007c00u) + (bits & 0x00000fffu);
  return static_cast<uint16_t>((sign >> 16) | (shl1_w > 0xff000000u ? 0x7e00u : nonsign));
}

// bfloat16 <-> float as c10::BFloat16: decode = the upper half; encode rounds to nearest even, NaN -> 0x7fc0.
inline float bf16_to_float(uint16_t h) { return float_of_bits(static_cast<uint32_t>(h) << 16); }

inline uint16_t float_to_bf16(float f) {
  if (f != f) return 0x7fc0;
  const uint32_t u = bits_of_float(f);
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

// PyTorch's CPU kernel accumulates in the tensor's own type (`grad_input[maxindex] += grad_output[index]` on
// c10::Half / c10::BFloat16): each add is a float add rounded back to the half type.
struct F16Grad {
  uint16_t bits;
};
struct BF16Grad {
  uint16_t bits;
};
inline F16Grad add_grad(F16Grad a, F16Grad b) { return {float_to_f16(add_grad(f16_to_float(a.bits), f16_to_float(b.bits)))}; }
inline BF16Grad add_grad(BF16Grad a, BF16Grad b) {
  return {float_to_bf16(add_grad(bf16_to_float(a.bits), bf16_to_float(b.bits)))};
}

// Large planes zero-fill and scatter-add in one pass: the plane is zeroed in chunks just ahead of the first add that
// reaches them (a watermark), so each chunk is written while it sits in L1 instead of the whole plane being zeroed
// and then re-read from L2 / memory. Correct for any index order: every element is zeroed once, before its first
// add (indices below the watermark land in zeroed memory), and the rest of the plane after the last add. Measured
// (64 planes, float32, int64 indices, best of 60): k2s2 from 224x224 (196 KiB planes) 0.82-1.0 ms -> 0.80 ms;
// but k3s2p1 from 112x112 (49 KiB) 149 -> 170 us and 56x56 36 -> 41 us, so smaller planes memset first.
// Vector scatters cannot keep the add order of colliding indices, so the adds stay scalar.
constexpr int64_t kZeroChunkBytes = 8192;
constexpr int64_t kWatermarkPlaneBytes = 128 * 1024;

template <typename T, typename I>
void pool_backward_plane(const PoolBackwardCall& call, int64_t p) {
  const PoolPlan& plan = call.plan;
  const T* grad_output = static_cast<const T*>(call.grad_output) + p * plan.out_plane_size;
  const I* indices = static_cast<const I*>(call.indices) + p * plan.out_plane_size;
  T* grad_input = static_cast<T*>(call.grad_input) + p * plan.in_plane_size;
  constexpr int64_t kChunk = kZeroChunkBytes / static_cast<int64_t>(sizeof(T));
  if (plan.in_plane_size < kWatermarkPlaneBytes / static_cast<int64_t>(sizeof(T))) {
    std::memset(grad_input, 0, static_cast<size_t>(plan.in_plane_size) * sizeof(T));  // +0 in every type
    for (int64_t i = 0; i < plan.out_plane_size; ++i) {
      T& acc = grad_input[indices[i]];
      acc = add_grad(acc, grad_output[i]);
    }
    return;
  }
  int64_t zeroed = 0;  // grad_input[0, zeroed) is zero-filled
  for (int64_t i = 0; i < plan.out_plane_size; ++i) {
    const int64_t at = indices[i];
    if (at >= zeroed) {
      const int64_t to = at + kChunk < plan.in_plane_size ? at + kChunk : plan.in_plane_size;
      std::memset(grad_input + zeroed, 0, static_cast<size_t>(to - zeroed) * sizeof(T));
      zeroed = to;
    }
    T& acc = grad_input[at];
    acc = add_grad(acc, grad_output[i]);
  }
  std::memset(grad_input + zeroed, 0, static_cast<size_t>(plan.in_plane_size - zeroed) * sizeof(T));
}

template <typename T>
void pool_backward_plane(const PoolBackwardCall& call, int64_t p) {
  if (call.index_type == IndexType::kInt64) {
    pool_backward_plane<T, int64_t>(call, p);
  } else {
    pool_backward_plane<T, int32_t>(call, p);
  }
}

// Copies values as integers of the same width: NaN payloads move untouched. A scalar loop: AVX2 / AVX-512 gathers
// (vpgatherqps, 64 planes of 112x112 / 224x224 float32, int64 indices) measured 1.2-1.7x slower than it.
template <typename Bits, typename I>
void unpool_backward_plane(const UnpoolBackwardCall& call, int64_t p) {
  const UnpoolPlan& plan = call.plan;
  const Bits* grad_output = static_cast<const Bits*>(call.grad_output) + p * plan.out_plane_size;
  const I* indices = static_cast<const I*>(call.indices) + p * plan.in_plane_size;
  Bits* grad_input = static_cast<Bits*>(call.grad_input) + p * plan.in_plane_size;
  for (int64_t i = 0; i < plan.in_plane_size; ++i) grad_input[i] = grad_output[indices[i]];
}

template <typename Bits>
void unpool_backward_plane(const UnpoolBackwardCall& call, int64_t p) {
  if (call.index_type == IndexType::kInt64) {
    unpool_backward_plane<Bits, int64_t>(call, p);
  } else {
    unpool_backward_plane<Bits, int32_t>(call, p);
  }
}

}  // namespace

BadIndex run_pool_backward(const PoolBackwardCall& call, int max_threads) noexcept {
  const PoolPlan& plan = call.plan;
  // Every index read twice (check, accumulate) plus the zero-fill of grad_input.
  const int threads = threads_for_work(
      plane_work(plan.planes, plan.out_plane_size, plan.out_plane_size, plan.in_plane_size), max_threads);
  const BadIndex bad =
      first_bad_index(call.index_type, call.indices, plan.planes, plan.out_plane_size, plan.in_plane_size, threads);
  if (bad.position >= 0) return bad;
  // Whole planes per task: within a plane the adds run in index order on one thread.
  auto backward_plane = [&](int64_t p) {
    switch (call.value_type) {
      case ValueType::kFloat32: return pool_backward_plane<float>(call, p);
      case ValueType::kFloat64: return pool_backward_plane<double>(call, p);
      case ValueType::kFloat16: return pool_backward_plane<F16Grad>(call, p);
      default: return pool_backward_plane<BF16Grad>(call, p);  // kBFloat16 (args.cc admits no other type)
    }
  };
  parallel_for(plan.planes, threads, TaskRef(backward_plane));
  return {};
}

std::string describe_bad_pool_index(const PoolPlan& plan, const BadIndex& bad) {
  return "indices[" + std::to_string(bad.position) + "] = " + std::to_string(bad.value) +
         " is out of range for an input plane of " + std::to_string(plan.geom.H) + "x" +
         std::to_string(plan.geom.W) + " (" + std::to_string(plan.in_plane_size) + " elements)";
}

BadIndex run_unpool_backward(const UnpoolBackwardCall& call, int max_threads) noexcept {
  const UnpoolPlan& plan = call.plan;
  const int threads =
      threads_for_work(plane_work(plan.planes, plan.in_plane_size, plan.in_plane_size, 0), max_threads);
  // (An empty grad_output plane: any index at all is out of range.)
  const BadIndex bad =
      first_bad_index(call.index_type, call.indices, plan.planes, plan.in_plane_size, plan.out_plane_size, threads);
  if (bad.position >= 0 || plan.out_plane_size == 0) return bad;
  auto gather_plane = [&](int64_t p) {
    switch (elem_size(call.value_type)) {
      case 1: return unpool_backward_plane<uint8_t>(call, p);
      case 2: return unpool_backward_plane<uint16_t>(call, p);
      case 4: return unpool_backward_plane<uint32_t>(call, p);
      default: return unpool_backward_plane<uint64_t>(call, p);
    }
  };
  parallel_for(plan.planes, threads, TaskRef(gather_plane));
  return {};
}

}  // namespace maxpool2d
