#include "backward_op.h"

#include <atomic>
#include <cstring>
#include <limits>

#include "thread_pool.h"

namespace maxpool2d {
namespace {

int64_t index_at(IndexType type, const void* indices, int64_t position) {
  return type == IndexType::kInt64 ? static_cast<const int64_t*>(indices)[position]
                                   : static_cast<const int32_t*>(indices)[position];
}

// Flat position of the first index outside [0, limit) in [begin, end), or -1. (A branch-free blocked
// variant measured twice as slow at baseline x86-64, which has no 64-bit vector compare.)
template <typename I>
int64_t first_bad_in(const I* indices, int64_t begin, int64_t end, int64_t limit) {
  for (int64_t i = begin; i < end; ++i) {
    const int64_t v = indices[i];
    if (v < 0 || v >= limit) return i;
  }
  return -1;
}

// The first index outside [0, limit) over `planes` planes of `plane_size` indices, checked in parallel
// over planes; -1 when all are valid.
int64_t first_bad_position(IndexType type, const void* indices, int64_t planes, int64_t plane_size, int64_t limit,
                           int threads) {
  std::atomic<int64_t> first{INT64_MAX};
  auto check_plane = [&](int64_t p) {
    const int64_t begin = p * plane_size, end = begin + plane_size;
    if (begin > first.load(std::memory_order_relaxed)) return;  // an earlier plane already failed
    const int64_t bad = type == IndexType::kInt64
                            ? first_bad_in(static_cast<const int64_t*>(indices), begin, end, limit)
                            : first_bad_in(static_cast<const int32_t*>(indices), begin, end, limit);
    if (bad < 0) return;
    int64_t seen = first.load(std::memory_order_relaxed);
    while (bad < seen && !first.compare_exchange_weak(seen, bad, std::memory_order_relaxed)) {
    }
  };
  parallel_for(planes, threads, TaskRef(check_plane));
  const int64_t position = first.load(std::memory_order_relaxed);
  return position == INT64_MAX ? -1 : position;
}

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

template <typename T, typename I>
void pool_backward_plane(const PoolBackwardCall& call, int64_t p) {
  const PoolPlan& plan = call.plan;
  const T* grad_output = static_cast<const T*>(call.grad_output) + p * plan.out_plane_size;
  const I* indices = static_cast<const I*>(call.indices) + p * plan.out_plane_size;
  T* grad_input = static_cast<T*>(call.grad_input) + p * plan.in_plane_size;
  std::memset(grad_input, 0, static_cast<size_t>(plan.in_plane_size) * sizeof(T));  // +0.0
  for (int64_t i = 0; i < plan.out_plane_size; ++i) {
    T& acc = grad_input[indices[i]];
    acc = add_grad(acc, grad_output[i]);
  }
}

template <typename T>
void pool_backward_plane(const PoolBackwardCall& call, int64_t p) {
  if (call.index_type == IndexType::kInt64) {
    pool_backward_plane<T, int64_t>(call, p);
  } else {
    pool_backward_plane<T, int32_t>(call, p);
  }
}

// Copies values as integers of the same width: NaN payloads move untouched.
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

// planes * (per_plane_a + per_plane_b), saturating: a work estimate for threads_for_work.
int64_t saturating_work(int64_t planes, int64_t per_plane_a, int64_t per_plane_b) {
  int64_t per_plane = 0, work = 0;
  if (__builtin_add_overflow(per_plane_a, per_plane_b, &per_plane) ||
      __builtin_mul_overflow(planes, per_plane, &work)) {
    return INT64_MAX;
  }
  return work;
}

}  // namespace

BadIndex run_pool_backward(const PoolBackwardCall& call, int max_threads) noexcept {
  const PoolPlan& plan = call.plan;
  // Every index read twice (check, accumulate) plus the zero-fill of grad_input.
  const int64_t doubled = plan.out_plane_size > INT64_MAX / 2 ? INT64_MAX : 2 * plan.out_plane_size;
  const int threads = threads_for_work(saturating_work(plan.planes, doubled, plan.in_plane_size), max_threads);
  if (plan.out_plane_size > 0) {
    const int64_t bad =
        first_bad_position(call.index_type, call.indices, plan.planes, plan.out_plane_size, plan.in_plane_size,
                           threads);
    if (bad >= 0) return {bad, index_at(call.index_type, call.indices, bad)};
  }
  // Whole planes per task: within a plane the adds run in index order on one thread.
  auto backward_plane = [&](int64_t p) {
    if (call.value_type == ValueType::kFloat32) {
      pool_backward_plane<float>(call, p);
    } else {
      pool_backward_plane<double>(call, p);
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
  if (plan.in_plane_size == 0 || plan.planes == 0) return {};
  // An empty grad_output plane: any index at all is out of range.
  if (plan.out_plane_size == 0) return {0, index_at(call.index_type, call.indices, 0)};
  const int threads =
      threads_for_work(saturating_work(plan.planes, plan.in_plane_size, plan.in_plane_size), max_threads);
  const int64_t bad = first_bad_position(call.index_type, call.indices, plan.planes, plan.in_plane_size,
                                         plan.out_plane_size, threads);
  if (bad >= 0) return {bad, index_at(call.index_type, call.indices, bad)};
  auto gather_plane = [&](int64_t p) {
    if (call.value_type == ValueType::kFloat32) {
      unpool_backward_plane<uint32_t>(call, p);
    } else {
      unpool_backward_plane<uint64_t>(call, p);
    }
  };
  parallel_for(plan.planes, threads, TaskRef(gather_plane));
  return {};
}

}  // namespace maxpool2d
