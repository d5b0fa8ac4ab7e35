#include "async_ops.h"

#include "errors.h"

namespace maxpool2d {
namespace {

constexpr size_t kBufferArgs = 3;  // input, output / indices, indices / output

// Shared by both ops: a Promise, and strong references to the call's buffers so GC cannot free them
// while Execute reads and writes their memory on another thread.
class BufferedWorker : public Napi::AsyncWorker {
 public:
  BufferedWorker(const Napi::CallbackInfo& info, const char* resource_name)
      : Napi::AsyncWorker(info.Env(), resource_name), deferred_(Napi::Promise::Deferred::New(info.Env())) {
    for (size_t i = 0; i < kBufferArgs; ++i) {
      if (info[i].IsObject()) buffers_[i] = Napi::Persistent(info[i].As<Napi::Object>());
    }
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  // Runs on the JS thread once Execute is done; resolves or rejects the Promise.
  virtual void settle() { deferred_.Resolve(Env().Undefined()); }

  Napi::Promise::Deferred deferred_;

 private:
  // Replaces node-addon-api's completion, which rethrows a failed resolve out of a C callback (an abort).
  // That happens when a Worker is torn down with calls in flight: Node still completes the queued work
  // but can no longer run JS. Nobody is left to observe the Promise then, so the failure is dropped.
  void OnWorkComplete(Napi::Env env, napi_status status) override {
    if (status != napi_cancelled) {
      try {
        Napi::HandleScope scope(env);
        settle();
      } catch (...) {
      }
    }
    Destroy();
  }

  Napi::ObjectReference buffers_[kBufferArgs];
};

class PoolWorker final : public BufferedWorker {
 public:
  PoolWorker(const Napi::CallbackInfo& info, const KernelTable& kernels, const PoolCall& call, int threads)
      : BufferedWorker(info, "maxpool2d:maxPool2dAsync"), kernels_(kernels), call_(call), threads_(threads) {}

 private:
  void Execute() override { run_pool(kernels_, call_, threads_); }  // no napi off the JS thread

  const KernelTable& kernels_;
  const PoolCall call_;
  const int threads_;
};

class UnpoolWorker final : public BufferedWorker {
 public:
  UnpoolWorker(const Napi::CallbackInfo& info, const UnpoolCall& call, int threads)
      : BufferedWorker(info, "maxpool2d:maxUnpool2dAsync"), call_(call), threads_(threads) {}

 private:
  void Execute() override { bad_ = run_unpool(call_, threads_); }  // no napi off the JS thread

  void settle() override {
    if (bad_.position < 0) {
      BufferedWorker::settle();
    } else {
      deferred_.Reject(make_range_error(Env(), kErrInvalidIndex, describe_bad_index(call_.plan, bad_)).Value());
    }
  }

  const UnpoolCall call_;
  const int threads_;
  BadIndex bad_;
};

// Once queued, an AsyncWorker deletes itself after settling; before that it is ours to free.
template <typename Worker>
Napi::Promise queue(Worker* worker) {
  Napi::Promise promise = worker->promise();
  try {
    worker->Queue();
  } catch (...) {
    delete worker;
    throw;
  }
  return promise;
}

}  // namespace

Napi::Promise queue_pool(const Napi::CallbackInfo& info, const KernelTable& kernels, const PoolCall& call,
                         int threads) {
  return queue(new PoolWorker(info, kernels, call, threads));
}

Napi::Promise queue_unpool(const Napi::CallbackInfo& info, const UnpoolCall& call, int threads) {
  return queue(new UnpoolWorker(info, call, threads));
}

}  // namespace maxpool2d
