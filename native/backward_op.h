// The backward passes as plain data (no napi): max_pool2d's gradient, a scatter-add of grad_output at the
// forward's indices, and max_unpool2d's gradient, a gather. Both check every index before writing anything
// and run whole planes per task, so each plane is accumulated sequentially in index order (PyTorch's order:
// results do not depend on the thread count).
#pragma once

#include <cstdint>
#include <string>

#include "plan.h"
#include "pool_op.h"
#include "unpool_op.h"

namespace maxpool2d {

// maxPool2dBackward: `plan` is the forward's plan. grad_input is planes x H x W; grad_output and indices
// are planes x OH x OW.
struct PoolBackwardCall {
  PoolPlan plan;
  ValueType value_type;
  IndexType index_type;     // kInt64 or kInt32
  const void* grad_output;  // plan.output_length values
  const void* indices;      // plan.output_length plane-local indices into H x W
  void* grad_input;         // plan.input_length values
};

// Checks every index against [0, H*W); on a bad one returns the first (by flat position) and writes
// nothing. Otherwise zero-fills grad_input, adds grad_output[p][i] into grad_input[p][indices[p][i]] for
// i in order, and returns {-1, 0}. value_type: float32, float64, float16 or bfloat16 (each half add is a
// float add rounded back to the half type, as PyTorch's CPU kernel accumulates in the tensor's type).
BadIndex run_pool_backward(const PoolBackwardCall& call, int max_threads) noexcept;

// "indices[5] = 41 is out of range for an input plane of 6x6 (36 elements)" (the same words as lib/).
std::string describe_bad_pool_index(const PoolPlan& plan, const BadIndex& bad);

// maxUnpool2dBackward: `plan` is the unpool's plan. grad_output is the unpool's output (planes x OH x OW);
// indices and grad_input have the unpool's input shape (planes x IH x IW).
struct UnpoolBackwardCall {
  UnpoolPlan plan;
  ValueType value_type;
  IndexType index_type;     // kInt64 or kInt32
  const void* grad_output;  // plan.output_length values
  const void* indices;      // plan.input_length plane-local indices into OH x OW
  void* grad_input;         // plan.input_length values
};

// Checks every index against [0, OH*OW) (describe_bad_index words the failure); on success writes
// grad_input[p][i] = grad_output[p][indices[p][i]], bit for bit, for any value type.
BadIndex run_unpool_backward(const UnpoolBackwardCall& call, int max_threads) noexcept;

}  // namespace maxpool2d
