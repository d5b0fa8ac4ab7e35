#include "adaptive_op.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "format.h"
#include "thread_pool.h"

namespace maxpool2d {
namespace {

constexpr double kMaxFieldValue = 9007199254740992.0;  // 2^53, as for the other plans
constexpr int64_t kTasksPerThread = 4;

const char* const kAdaptiveFieldNames[kAdaptivePlanLength] = {"planes", "H", "W", "OH", "OW"};

// The adaptive kernel build for the environment's active ISA (setIsa lowers it with the pool kernels').
AdaptiveFn adaptive_kernel_for(const KernelTable& kernels) {
#if defined(__x86_64__) || defined(_M_X64)
  if (std::strcmp(kernels.name, "avx512") == 0) return adaptive_planes_avx512;
  if (std::strcmp(kernels.name, "avx2") == 0) return adaptive_planes_avx2;
#endif
  (void)kernels;
  return adaptive_planes;
}

// Elements read: each plane's bins cover at most (H + OH) x (W + OW) taps. Saturating.
int64_t adaptive_work(const AdaptivePlan& plan) {
  int64_t rows = 0, cols = 0, taps = 0, work = 0;
  if (__builtin_add_overflow(plan.in_h, plan.out_h, &rows) || __builtin_add_overflow(plan.in_w, plan.out_w, &cols) ||
      __builtin_mul_overflow(rows, cols, &taps) || __builtin_mul_overflow(plan.planes, taps, &work)) {
    return INT64_MAX;
  }
  return work;
}

}  // namespace

PlanError decode_adaptive_plan(const double* fields, AdaptivePlan* plan) {
  int64_t* const targets[kAdaptivePlanLength] = {&plan->planes, &plan->in_h, &plan->in_w, &plan->out_h,
                                                 &plan->out_w};
  for (int i = 0; i < kAdaptivePlanLength; ++i) {
    const int64_t min_value = i == kAdaptiveInH || i == kAdaptiveInW ? 1 : 0;
    const double v = fields[i];
    if (!(v >= static_cast<double>(min_value) && v <= kMaxFieldValue) || std::floor(v) != v) {
      return {"plan[" + std::to_string(i) + "] (" + kAdaptiveFieldNames[i] + ") must be an integer in [" +
              std::to_string(min_value) + ", 2^53]. Received " + format_number(v)};
    }
    *targets[i] = static_cast<int64_t>(v);
  }
  if (__builtin_mul_overflow(plan->in_h, plan->in_w, &plan->in_plane_size) ||
      __builtin_mul_overflow(plan->planes, plan->in_plane_size, &plan->input_length)) {
    return {"plan sizes overflow 64-bit integers: planes * H * W"};
  }
  if (__builtin_mul_overflow(plan->out_h, plan->out_w, &plan->out_plane_size) ||
      __builtin_mul_overflow(plan->planes, plan->out_plane_size, &plan->output_length)) {
    return {"plan sizes overflow 64-bit integers: planes * OH * OW"};
  }
  // bin_end computes (a + 1) * c with a + 1 <= b: b * c must fit.
  int64_t reach = 0;
  if (__builtin_mul_overflow(plan->out_h, plan->in_h, &reach) ||
      __builtin_mul_overflow(plan->out_w, plan->in_w, &reach)) {
    return {"plan geometry is too large: OH * H or OW * W overflows 64-bit integers"};
  }
  return {};
}

void run_adaptive(const KernelTable& kernels, const AdaptiveCall& call, int max_threads) noexcept {
  const AdaptivePlan& plan = call.plan;
  if (plan.output_length == 0) return;
  // Bins that tile the input (H % OH == 0, W % OW == 0) are MaxPool2d windows with k = s = H / OH, W / OW, no
  // padding: the same scan from the same start, so the forward kernels (tuned per ISA and dtype) run them.
  if (plan.in_h % plan.out_h == 0 && plan.in_w % plan.out_w == 0 && !(plan.out_h == 1 && plan.out_w == 1)) {
    PoolCall pool{};
    const int64_t kh = plan.in_h / plan.out_h, kw = plan.in_w / plan.out_w;
    pool.plan.planes = plan.planes;
    pool.plan.geom = PoolGeom{plan.in_h, plan.in_w, plan.out_h, plan.out_w, kh, kw, kh, kw, 0, 0, 1, 1};
    pool.plan.in_plane_size = plan.in_plane_size;
    pool.plan.out_plane_size = plan.out_plane_size;
    pool.plan.input_length = plan.input_length;
    pool.plan.output_length = plan.output_length;
    pool.value_type = call.value_type;
    pool.index_type = call.index_type;
    pool.input = call.input;
    pool.output = call.output;
    pool.indices = call.indices;
    pool.channels = 0;
    run_pool(kernels, pool, max_threads);
    return;
  }
  const AdaptiveFn kernel = adaptive_kernel_for(kernels);
  const AdaptiveGeom geom{plan.in_h, plan.in_w, plan.out_h, plan.out_w};
  int64_t* const idx64 = call.index_type == IndexType::kInt64 ? static_cast<int64_t*>(call.indices) : nullptr;
  int32_t* const idx32 = call.index_type == IndexType::kInt32 ? static_cast<int32_t*>(call.indices) : nullptr;
  auto run_block = [&](int64_t p0, int64_t p1, int64_t oh0, int64_t oh1) {
    kernel(call.value_type, geom, call.input, call.output, idx64, idx32, p0, p1, oh0, oh1);
  };
  const int threads = threads_for_work(adaptive_work(plan), max_threads);
  if (threads == 1) {
    run_block(0, plan.planes, 0, plan.out_h);
    return;
  }
  // Planes first; with fewer planes than tasks wanted, output rows too (each task writes its own rows).
  const int64_t wanted = threads * kTasksPerThread;
  const int64_t plane_tasks = plan.planes >= wanted ? wanted : plan.planes;
  int64_t row_blocks = 1;
  if (plan.planes < wanted) {
    const int64_t blocks = (wanted + plan.planes - 1) / plan.planes;
    row_blocks = blocks < plan.out_h ? blocks : plan.out_h;
  }
  auto task = [&](int64_t t) {
    const int64_t plane_task = t / row_blocks, row_block = t % row_blocks;
    run_block(plane_task * plan.planes / plane_tasks, (plane_task + 1) * plan.planes / plane_tasks,
              row_block * plan.out_h / row_blocks, (row_block + 1) * plan.out_h / row_blocks);
  };
  parallel_for(plane_tasks * row_blocks, threads, TaskRef(task));
}

}  // namespace maxpool2d
