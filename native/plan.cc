#include "plan.h"

#include <cmath>

#include "format.h"

namespace maxpool2d {
namespace {

// The largest integer a JS number holds exactly; plan fields above it cannot be trusted to round-trip.
constexpr double kMaxFieldValue = 9007199254740992.0;  // 2^53

// Kernels compute h * W + w and window reaches in int64. Keeping every such value below 2^62 leaves the
// SIMD kernels headroom (a vector width or a stride added past the end) without signed overflow.
constexpr int64_t kMaxIndexReach = int64_t{1} << 62;

const char* const kPoolFieldNames[kPoolPlanLength] = {"planes", "H",  "W",  "OH", "OW", "kH", "kW",
                                                      "sH",     "sW", "pH", "pW", "dH", "dW"};
const char* const kUnpoolFieldNames[kUnpoolPlanLength] = {"planes", "IH", "IW", "OH", "OW"};

// Reads plan[i] as an integer in [min_value, 2^53]; NaN and infinities fail the range test too.
PlanError read_field(const double* fields, int i, const char* name, int64_t min_value, int64_t* out) {
  const double v = fields[i];
  if (!(v >= static_cast<double>(min_value) && v <= kMaxFieldValue) || std::floor(v) != v) {
    return {"plan[" + std::to_string(i) + "] (" + name + ") must be an integer in [" +
            std::to_string(min_value) + ", 2^53]. Received " + format_number(v)};
  }
  *out = static_cast<int64_t>(v);
  return {};
}

PlanError size_overflow(const char* product) {
  return {std::string("plan sizes overflow 64-bit integers: ") + product};
}

// One past the furthest row (or column) any kernel may touch or name for one spatial dim:
// (out - 1) * stride + (kernel - 1) * dilation, plus one dilation step for the first-tap search.
bool index_reach(int64_t out, int64_t stride, int64_t kernel, int64_t dilation, int64_t* reach) {
  int64_t window_starts = 0, window_span = 0;
  return !__builtin_mul_overflow(out > 0 ? out - 1 : 0, stride, &window_starts) &&
         !__builtin_mul_overflow(kernel - 1, dilation, &window_span) &&
         !__builtin_add_overflow(window_starts, window_span, reach) &&
         !__builtin_add_overflow(*reach, dilation + 1, reach);
}

// Rejects plans whose window arithmetic (h * W + w over every reachable tap) would leave int64.
PlanError check_index_reach(const PoolGeom& g) {
  int64_t reach_h = 0, reach_w = 0, reach = 0;
  const bool fits = index_reach(g.OH, g.sH, g.kH, g.dH, &reach_h) &&
                    index_reach(g.OW, g.sW, g.kW, g.dW, &reach_w) &&
                    !__builtin_mul_overflow(reach_h, g.W > 0 ? g.W : 1, &reach) &&
                    !__builtin_add_overflow(reach, reach_w, &reach) && reach <= kMaxIndexReach;
  if (fits) return {};
  return {"plan geometry is too large: output size, stride, kernel and dilation reach past 2^62 input "
          "elements"};
}

}  // namespace

PlanError decode_pool_plan(const double* fields, PoolPlan* plan) {
  PoolGeom& g = plan->geom;
  int64_t* const targets[kPoolPlanLength] = {&plan->planes, &g.H,  &g.W,  &g.OH, &g.OW, &g.kH, &g.kW,
                                             &g.sH,         &g.sW, &g.pH, &g.pW, &g.dH, &g.dW};
  for (int i = 0; i < kPoolPlanLength; ++i) {
    const bool at_least_one = i == kPoolKernelH || i == kPoolKernelW || i == kPoolStrideH ||
                              i == kPoolStrideW || i == kPoolDilationH || i == kPoolDilationW;
    if (PlanError e = read_field(fields, i, kPoolFieldNames[i], at_least_one ? 1 : 0, targets[i])) return e;
  }
  if (__builtin_mul_overflow(g.H, g.W, &plan->in_plane_size) ||
      __builtin_mul_overflow(plan->planes, plan->in_plane_size, &plan->input_length)) {
    return size_overflow("planes * H * W");
  }
  if (__builtin_mul_overflow(g.OH, g.OW, &plan->out_plane_size) ||
      __builtin_mul_overflow(plan->planes, plan->out_plane_size, &plan->output_length)) {
    return size_overflow("planes * OH * OW");
  }
  return check_index_reach(g);
}

PlanError decode_unpool_plan(const double* fields, UnpoolPlan* plan) {
  int64_t* const targets[kUnpoolPlanLength] = {&plan->planes, &plan->in_h, &plan->in_w, &plan->out_h,
                                               &plan->out_w};
  for (int i = 0; i < kUnpoolPlanLength; ++i) {
    if (PlanError e = read_field(fields, i, kUnpoolFieldNames[i], 0, targets[i])) return e;
  }
  if (__builtin_mul_overflow(plan->in_h, plan->in_w, &plan->in_plane_size) ||
      __builtin_mul_overflow(plan->planes, plan->in_plane_size, &plan->input_length)) {
    return size_overflow("planes * IH * IW");
  }
  if (__builtin_mul_overflow(plan->out_h, plan->out_w, &plan->out_plane_size) ||
      __builtin_mul_overflow(plan->planes, plan->out_plane_size, &plan->output_length)) {
    return size_overflow("planes * OH * OW");
  }
  return {};
}

}  // namespace maxpool2d
