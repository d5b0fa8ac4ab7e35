// adaptiveMaxPool2d as plain data (no napi): the plan lib/adaptive.ts packs, its checks, and the kernel,
// threaded over planes (and output rows when planes are few).
//
// Bins follow PyTorch (aten/src/ATen/native/AdaptivePooling.h): output row i of OH covers input rows
// [floor(i*H/OH), ceil((i+1)*H/OH)), likewise for columns. Each bin scans rows then columns in order from
// -inf (integers: the type's lowest value) and the bin's first element with `v > max || v != v`, as MaxPool2d
// does; every dtype of the forward (halves compare by value). The kernels are in kernels/adaptive_kernel.cc.
#pragma once

#include <cstdint>

#include "kernels/adaptive_kernels.h"
#include "kernels/kernel_api.h"
#include "plan.h"
#include "pool_op.h"

namespace maxpool2d {

// Field order of the adaptive plan: [planes, H, W, OH, OW].
enum AdaptivePlanField : int {
  kAdaptivePlanes, kAdaptiveInH, kAdaptiveInW, kAdaptiveOutH, kAdaptiveOutW,
  kAdaptivePlanLength
};

struct AdaptivePlan {
  int64_t planes;
  int64_t in_h, in_w, out_h, out_w;
  int64_t in_plane_size;   // H * W
  int64_t out_plane_size;  // OH * OW
  int64_t input_length;    // planes * H * W
  int64_t output_length;   // planes * OH * OW (also the indices length)
};

// Checks that every field is an integer in range (H, W >= 1, so every bin is non-empty and inside the
// input; OH, OW >= 0) and that sizes and the bin arithmetic (OH * H, OW * W) fit in int64.
// `fields` holds kAdaptivePlanLength doubles.
PlanError decode_adaptive_plan(const double* fields, AdaptivePlan* plan);

struct AdaptiveCall {
  AdaptivePlan plan;
  ValueType value_type;
  IndexType index_type;  // kNone: values only
  const void* input;     // plan.input_length values
  void* output;          // plan.output_length values
  void* indices;         // plan.output_length plane-local indices, or null
};

// Runs `call` with the adaptive kernel build matching `kernels` (the environment's active ISA).
void run_adaptive(const KernelTable& kernels, const AdaptiveCall& call, int max_threads) noexcept;

}  // namespace maxpool2d
