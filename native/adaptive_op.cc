#include "adaptive_op.h"

#include <cmath>
#include <limits>
#include <string>

#include "format.h"
#include "thread_pool.h"

namespace maxpool2d {
namespace {

constexpr double kMaxFieldValue = 9007199254740992.0;  // 2^53, as for the other plans
constexpr int64_t kTasksPerThread = 4;

const char* const kAdaptiveFieldNames[kAdaptivePlanLength] = {"planes", "H", "W", "OH", "OW"};

// PyTorch's bin bounds (AdaptivePooling.h), in exact integer arithmetic: floor(a*c/b) and ceil((a+1)*c/b)
// for output position a of b over an input of c. The plan check keeps b*c within int64.
inline int64_t bin_start(int64_t a, int64_t b, int64_t c) { return (a / b) * c + ((a % b) * c) / b; }
inline int64_t bin_end(int64_t a, int64_t b, int64_t c) { return 1 + ((a + 1) * c - 1) / b; }

// A block of work: planes [plane_begin, plane_end), output rows [row_begin, row_end) of each.
struct AdaptiveTask {
  int64_t plane_begin, plane_end, row_begin, row_end;
};

template <typename T, typename I>
void adaptive_block(const AdaptiveCall& call, const AdaptiveTask& task) {
  const AdaptivePlan& plan = call.plan;
  const int64_t H = plan.in_h, W = plan.in_w, OH = plan.out_h, OW = plan.out_w;
  for (int64_t p = task.plane_begin; p < task.plane_end; ++p) {
    const T* in = static_cast<const T*>(call.input) + p * plan.in_plane_size;
    T* out = static_cast<T*>(call.output) + p * plan.out_plane_size;
    I* idx = call.indices ? static_cast<I*>(call.indices) + p * plan.out_plane_size : nullptr;
    for (int64_t oh = task.row_begin; oh < task.row_end; ++oh) {
      const int64_t h0 = bin_start(oh, OH, H), h1 = bin_end(oh, OH, H);
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t w0 = bin_start(ow, OW, W), w1 = bin_end(ow, OW, W);
        T m = -std::numeric_limits<T>::infinity();
        int64_t mi = h0 * W + w0;
        for (int64_t h = h0; h < h1; ++h) {
          const T* row = in + h * W;
          for (int64_t w = w0; w < w1; ++w) {
            const T v = row[w];
            if (v > m || v != v) {
              m = v;
              mi = h * W + w;
            }
          }
        }
        out[oh * OW + ow] = m;
        if (idx) idx[oh * OW + ow] = static_cast<I>(mi);
      }
    }
  }
}

template <typename T>
void adaptive_task(const AdaptiveCall& call, const AdaptiveTask& task) {
  if (call.index_type == IndexType::kInt32) {
    adaptive_block<T, int32_t>(call, task);
  } else {
    adaptive_block<T, int64_t>(call, task);  // kInt64, or kNone with call.indices null
  }
}

void run_task(const AdaptiveCall& call, const AdaptiveTask& task) {
  if (call.value_type == ValueType::kFloat32) {
    adaptive_task<float>(call, task);
  } else {
    adaptive_task<double>(call, task);
  }
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

void run_adaptive(const AdaptiveCall& call, int max_threads) noexcept {
  const AdaptivePlan& plan = call.plan;
  if (plan.output_length == 0) return;
  const int threads = threads_for_work(adaptive_work(plan), max_threads);
  if (threads == 1) {
    run_task(call, {0, plan.planes, 0, plan.out_h});
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
    run_task(call, {plane_task * plan.planes / plane_tasks, (plane_task + 1) * plan.planes / plane_tasks,
                    row_block * plan.out_h / row_blocks, (row_block + 1) * plan.out_h / row_blocks});
  };
  parallel_for(plane_tasks * row_blocks, threads, TaskRef(task));
}

}  // namespace maxpool2d
