// maxPool2dAsync / maxUnpool2dAsync: the call is parsed and checked on the JS thread (errors throw
// synchronously), then runs on a libuv worker, which hands the planes to the shared thread pool; the
// Promise settles back on the JS thread.
//
// Buffers: the kernels use the caller's memory directly when `pinner` can pin it (pin.h), else a private copy.
// Outputs the call leaves to the addon (null output, "int64" / "int32" indices) are allocated here and seen by
// nobody until the Promise resolves. maxPool2dAsync resolves with [output, indices or null], maxUnpool2dAsync
// with the output. The same holds for the adaptive and gradient ops.
#pragma once

#include <napi.h>

#include "adaptive_op.h"
#include "backward_op.h"
#include "kernels/kernel_api.h"
#include "pin.h"
#include "pool_op.h"
#include "unpool_op.h"

namespace maxpool2d {

// `info` holds the call's buffers (arguments 0..2); references to them are kept until the Promise settles.
Napi::Promise queue_pool(const Napi::CallbackInfo& info, BufferPinner& pinner, const KernelTable& kernels,
                         const PoolCall& call, int threads);
Napi::Promise queue_unpool(const Napi::CallbackInfo& info, BufferPinner& pinner, const UnpoolCall& call,
                           int threads);

// adaptiveMaxPool2dAsync resolves with [output, indices or null]; the gradients with gradInput (a bad index
// rejects with the sync form's RangeError, gradInput untouched).
Napi::Promise queue_adaptive(const Napi::CallbackInfo& info, BufferPinner& pinner, const KernelTable& kernels,
                             const AdaptiveCall& call, int threads);
Napi::Promise queue_pool_backward(const Napi::CallbackInfo& info, BufferPinner& pinner, const PoolBackwardCall& call,
                                  int threads);
Napi::Promise queue_unpool_backward(const Napi::CallbackInfo& info, BufferPinner& pinner,
                                    const UnpoolBackwardCall& call, int threads);

}  // namespace maxpool2d
