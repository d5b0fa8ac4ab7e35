// maxPool2dAsync / maxUnpool2dAsync: the call is parsed and checked on the JS thread (errors throw
// synchronously), then runs on a libuv worker, which hands the planes to the shared thread pool; the
// Promise settles back on the JS thread.
#pragma once

#include <napi.h>

#include "kernels/kernel_api.h"
#include "pool_op.h"
#include "unpool_op.h"

namespace maxpool2d {

// `info` supplies the JS buffers to keep alive until the Promise settles (arguments 0..2). They must not
// be detached (transferred) meanwhile: Node-API cannot pin an ArrayBuffer's memory.
Napi::Promise queue_pool(const Napi::CallbackInfo& info, const KernelTable& kernels, const PoolCall& call,
                         int threads);
Napi::Promise queue_unpool(const Napi::CallbackInfo& info, const UnpoolCall& call, int threads);

}  // namespace maxpool2d
