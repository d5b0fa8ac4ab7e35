#include "unpool_op.h"

#include <atomic>
#include <cstring>

#include "thread_pool.h"

namespace maxpool2d {
namespace {

int64_t index_at(IndexType type, const void* indices, int64_t position) {
  return type == IndexType::kInt64 ? static_cast<const int64_t*>(indices)[position]
                                   : static_cast<const int32_t*>(indices)[position];
}

// Lowers `first` to `position` if it is smaller (several threads may report a bad index).
void keep_smallest(std::atomic<int64_t>& first, int64_t position) {
  int64_t seen = first.load(std::memory_order_relaxed);
  while (position < seen && !first.compare_exchange_weak(seen, position, std::memory_order_relaxed)) {
  }
}

// Flat position of the first index outside [0, limit) in [begin, end), or -1. Blocks of 64 are screened branch-free:
// v is outside [0, limit) exactly when v or limit - 1 - v is negative, and the sign bit of their OR needs only
// subtractions and ORs (in uint64_t, so a huge negative v wraps instead of overflowing), which even baseline
// x86-64 (SSE2, no 64-bit vector compare) vectorizes. A block whose OR has the sign bit set is then scanned in order
// for the first bad index. (The plain early-exit loop ran at about one cycle per index.)
template <typename I>
int64_t first_bad_in(const I* indices, int64_t begin, int64_t end, int64_t limit) {
  constexpr int64_t kBlock = 64;
  const uint64_t last = static_cast<uint64_t>(limit) - 1;  // limit 0: every index is bad, and is found so
  int64_t i = begin;
  for (; i + kBlock <= end; i += kBlock) {
    uint64_t any = 0;
    for (int64_t j = 0; j < kBlock; ++j) {
      const uint64_t v = static_cast<uint64_t>(static_cast<int64_t>(indices[i + j]));
      any |= v | (last - v);
    }
    if (any >> 63 != 0) break;
  }
  for (; i < end; ++i) {
    const int64_t v = indices[i];
    if (v < 0 || v >= limit) return i;
  }
  return -1;
}

template <typename T, typename I>
void unpool_plane(const UnpoolCall& call, int64_t p) {
  const UnpoolPlan& plan = call.plan;
  const T* input = static_cast<const T*>(call.input) + p * plan.in_plane_size;
  const I* indices = static_cast<const I*>(call.indices) + p * plan.in_plane_size;
  T* output = static_cast<T*>(call.output) + p * plan.out_plane_size;
  // All-zero bytes are +0.0 for IEEE floats. Zeroing right before the scatter keeps the plane cache-hot.
  std::memset(output, 0, static_cast<size_t>(plan.out_plane_size) * sizeof(T));
  for (int64_t i = 0; i < plan.in_plane_size; ++i) output[indices[i]] = input[i];
}

template <typename T>
void unpool_plane(const UnpoolCall& call, int64_t p) {
  if (call.index_type == IndexType::kInt64) {
    unpool_plane<T, int64_t>(call, p);
  } else {
    unpool_plane<T, int32_t>(call, p);
  }
}

// NHWC: image n, every channel at once. Each (n, c) plane is still scattered in input order.
template <typename T, typename I>
void unpool_image(const UnpoolCall& call, int64_t n) {
  const UnpoolPlan& plan = call.plan;
  const int64_t C = call.channels;
  const T* input = static_cast<const T*>(call.input) + n * plan.in_plane_size * C;
  const I* indices = static_cast<const I*>(call.indices) + n * plan.in_plane_size * C;
  T* output = static_cast<T*>(call.output) + n * plan.out_plane_size * C;
  std::memset(output, 0, static_cast<size_t>(plan.out_plane_size * C) * sizeof(T));
  for (int64_t i = 0; i < plan.in_plane_size; ++i) {
    for (int64_t c = 0; c < C; ++c) output[indices[i * C + c] * C + c] = input[i * C + c];
  }
}

template <typename T>
void unpool_image(const UnpoolCall& call, int64_t n) {
  if (call.index_type == IndexType::kInt64) {
    unpool_image<T, int64_t>(call, n);
  } else {
    unpool_image<T, int32_t>(call, n);
  }
}

// Values are only copied, so any dtype moves as an unsigned integer of its size (bits exact).
template <template <typename> class Fn>
void by_size(const UnpoolCall& call, int64_t unit) {
  switch (elem_size(call.value_type)) {
    case 1: return Fn<uint8_t>::run(call, unit);
    case 2: return Fn<uint16_t>::run(call, unit);
    case 4: return Fn<uint32_t>::run(call, unit);
    default: return Fn<uint64_t>::run(call, unit);
  }
}

template <typename T>
struct PlaneFn {
  static void run(const UnpoolCall& call, int64_t p) { unpool_plane<T>(call, p); }
};

template <typename T>
struct ImageFn {
  static void run(const UnpoolCall& call, int64_t n) { unpool_image<T>(call, n); }
};

}  // namespace

BadIndex first_bad_index(IndexType type, const void* indices, int64_t planes, int64_t plane_size, int64_t limit,
                         int threads) {
  std::atomic<int64_t> first{INT64_MAX};
  auto check_plane = [&](int64_t p) {
    const int64_t begin = p * plane_size, end = begin + plane_size;
    if (begin > first.load(std::memory_order_relaxed)) return;  // an earlier plane already failed
    const int64_t bad = type == IndexType::kInt64
                            ? first_bad_in(static_cast<const int64_t*>(indices), begin, end, limit)
                            : first_bad_in(static_cast<const int32_t*>(indices), begin, end, limit);
    if (bad >= 0) keep_smallest(first, bad);
  };
  parallel_for(planes, threads, TaskRef(check_plane));
  const int64_t position = first.load(std::memory_order_relaxed);
  if (position == INT64_MAX) return {};
  return {position, index_at(type, indices, position)};
}

int64_t plane_work(int64_t planes, int64_t a, int64_t b, int64_t c) {
  int64_t per_plane = 0, work = 0;
  if (__builtin_add_overflow(a, b, &per_plane) || __builtin_add_overflow(per_plane, c, &per_plane) ||
      __builtin_mul_overflow(planes, per_plane, &work)) {
    return INT64_MAX;
  }
  return work;
}

BadIndex run_unpool(const UnpoolCall& call, int max_threads) noexcept {
  const UnpoolPlan& plan = call.plan;
  // Work per plane: every index read twice (check, scatter) plus the output zero-fill.
  const int threads =
      threads_for_work(plane_work(plan.planes, plan.in_plane_size, plan.in_plane_size, plan.out_plane_size),
                       max_threads);
  // (An empty output plane: any index at all is out of range, and there is nothing to write.)
  const BadIndex bad = first_bad_index(call.index_type, call.indices, plan.planes, plan.in_plane_size,
                                       plan.out_plane_size, threads);
  if (bad.position >= 0 || plan.out_plane_size == 0) return bad;

  if (call.channels > 0) {
    auto scatter_image = [&](int64_t n) { by_size<ImageFn>(call, n); };
    parallel_for(plan.planes / call.channels, threads, TaskRef(scatter_image));
    return {};
  }
  auto scatter_plane = [&](int64_t p) { by_size<PlaneFn>(call, p); };
  parallel_for(plan.planes, threads, TaskRef(scatter_plane));
  return {};
}

std::string describe_bad_index(const UnpoolPlan& plan, const BadIndex& bad) {
  return "indices[" + std::to_string(bad.position) + "] = " + std::to_string(bad.value) +
         " is out of range for an output plane of " + std::to_string(plan.out_h) + "x" + std::to_string(plan.out_w) +
         " (" + std::to_string(plan.out_plane_size) + " elements)";
}

}  // namespace maxpool2d
