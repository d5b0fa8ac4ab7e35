// One max-unpool call as plain data: validate every index, then zero-fill and scatter, threaded over
// whole planes (so duplicate indices resolve in input order, as in PyTorch). No napi here.
#pragma once

#include <cstdint>
#include <string>

#include "plan.h"
#include "pool_op.h"

namespace maxpool2d {

struct UnpoolCall {
  UnpoolPlan plan;
  ValueType value_type;
  IndexType index_type;  // kInt64 or kInt32
  const void* input;     // plan.input_length values
  const void* indices;   // plan.input_length plane-local indices
  void* output;          // plan.output_length values
  int64_t channels;      // 0: NCHW planes; C >= 1: NHWC, plan.planes = N * C
};

// The first index outside [0, OH*OW), by flat position in `indices`; position < 0 when all are valid.
struct BadIndex {
  int64_t position = -1;
  int64_t value = 0;
};

// The first index outside [0, limit) among `planes` planes of `plane_size` indices, by flat position (checked in
// parallel over planes on up to `threads` threads); position < 0 when all are valid. The one index check of
// maxUnpool2d and both backward ops (backward_op.cc).
BadIndex first_bad_index(IndexType type, const void* indices, int64_t planes, int64_t plane_size, int64_t limit,
                         int threads);

// planes * (a + b + c), saturating at INT64_MAX: a per-plane work estimate for threads_for_work.
int64_t plane_work(int64_t planes, int64_t a, int64_t b, int64_t c);

// Checks every index first; on a bad one returns it and leaves the output untouched. Otherwise writes
// the output and returns {-1, 0}.
BadIndex run_unpool(const UnpoolCall& call, int max_threads) noexcept;

// "indices[5] = 41 is out of range for an output plane of 7x5 (35 elements)": one wording for the sync
// and async paths.
std::string describe_bad_index(const UnpoolPlan& plan, const BadIndex& bad);

}  // namespace maxpool2d
