// One max-pool call as plain data, and its split into (plane x output-row range) tasks on the thread
// pool. No napi here: args.cc builds a PoolCall after checking every length against the plan.
#pragma once

#include <cstdint>

#include "kernels/generic_kernels.h"
#include "kernels/kernel_api.h"
#include "plan.h"

namespace maxpool2d {

// Element type of the values (float32 / float64 run the ISA tables; the others, and NHWC, the generic TU).
using ValueType = ElemType;
enum class IndexType { kNone, kInt64, kInt32 };

// Bytes of one index of `type` (0 for none).
inline int64_t index_bytes(IndexType type) {
  return type == IndexType::kInt64 ? 8 : type == IndexType::kInt32 ? 4 : 0;
}

struct PoolCall {
  PoolPlan plan;
  ValueType value_type;
  IndexType index_type;
  const void* input;  // plan.input_length values
  void* output;       // plan.output_length values
  void* indices;      // plan.output_length indices, or null with IndexType::kNone
  int64_t channels;   // 0: NCHW planes; C >= 1: NHWC, plan.planes = N * C
  // The output and indices were allocated for this call (no `out`, no `indicesOut`): memory no cache holds, which
  // large outputs in small planes get with streaming stores (see pool_op.cc).
  bool fresh_output = false;
};

// Runs `call` with `kernels` on up to `max_threads` threads (fewer for small work).
void run_pool(const KernelTable& kernels, const PoolCall& call, int max_threads) noexcept;

}  // namespace maxpool2d
