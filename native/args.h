// Turns the JS arguments of each binding function into plain C++ calls, checking everything a caller
// could get wrong: arity, TypedArray kinds, matching dtypes, plan fields, every buffer length against
// the plan, index width limits and overlapping buffers. Each failure throws a coded TypeError or
// RangeError (errors.h); nothing that passes here can make a kernel touch memory out of bounds.
#pragma once

#include <napi.h>

#include <cstddef>
#include <string>

#include "adaptive_op.h"
#include "backward_op.h"
#include "pool_op.h"
#include "unpool_op.h"

namespace maxpool2d {

// Throws a TypeError unless the call got exactly `expected` arguments. `signature` names them.
void check_arg_count(const Napi::CallbackInfo& info, size_t expected, const char* signature);
// Throws a TypeError unless the call got between `min_count` and `max_count` arguments.
void check_arg_count(const Napi::CallbackInfo& info, size_t min_count, size_t max_count, const char* signature);

// maxPool2d(input, output, indices, plan, threads, dtype?, channels?). `threads` gets the per-call cap
// (0 = default); `dtype` re-reads a Uint16Array as float16 / bfloat16; `channels` > 0 means NHWC.
// With `allow_fresh_outputs` (the async form), output may be null and indices "int64" / "int32": the call
// then comes back with null pointers for them, and the caller allocates buffers of the plan's length.
PoolCall parse_pool_args(const Napi::CallbackInfo& info, int* threads, bool allow_fresh_outputs = false);

// maxUnpool2d(input, indices, output, plan, threads, dtype?, channels?); output may be null as above.
UnpoolCall parse_unpool_args(const Napi::CallbackInfo& info, int* threads, bool allow_fresh_output = false);

// An integer in [min_value, kMaxThreads]; `name` appears in the error message.
int parse_thread_count(const Napi::Value& value, const char* name, int min_value);

// A JS string.
std::string parse_string(const Napi::Value& value, const char* name);

// maxPool2dBackward(gradOutput, indices, gradInput, plan, threads, dtype?): float32 / float64, or a Uint16Array
// of float16 / bfloat16 bits named by `dtype`; `plan` is the forward's pool plan.
PoolBackwardCall parse_pool_backward_args(const Napi::CallbackInfo& info, int* threads, bool allow_fresh_output = false);

// maxUnpool2dBackward(gradOutput, indices, gradInput, plan, threads, dtype?): any value dtype (a gather);
// `plan` is the unpool's plan.
UnpoolBackwardCall parse_unpool_backward_args(const Napi::CallbackInfo& info, int* threads,
                                              bool allow_fresh_output = false);

// adaptiveMaxPool2d(input, output, indices, plan, threads, dtype?): every value dtype maxPool2d takes; `plan`
// is [planes, H, W, OH, OW].
AdaptiveCall parse_adaptive_args(const Napi::CallbackInfo& info, int* threads, bool allow_fresh_outputs = false);

}  // namespace maxpool2d
