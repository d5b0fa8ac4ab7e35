#include "async_ops.h"

#include <cstring>
#include <memory>
#include <string>

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

// JS may detach (transfer) or shrink a buffer while the work runs, and Node-API cannot pin its memory: the
// kernels therefore never touch JS memory off the JS thread. The input is copied in when the call is made, the
// results are written to private memory and copied out when the Promise settles, after checking that the
// caller's buffer still has its length. That costs a copy of each on the JS thread, not a crash.
class PrivateBytes {
 public:
  PrivateBytes() = default;
  PrivateBytes(const void* from, size_t bytes) : bytes_(bytes), data_(new uint8_t[bytes ? bytes : 1]) {
    if (from != nullptr && bytes != 0) std::memcpy(data_.get(), from, bytes);
  }
  void* get() const { return data_.get(); }
  size_t size() const { return bytes_; }

 private:
  size_t bytes_ = 0;
  std::unique_ptr<uint8_t[]> data_;
};

size_t typed_array_element_size(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;
  }
}

// Copies `from` into the typed array held by `ref`, or returns false if it no longer has `from.size()` bytes.
bool copy_out(const Napi::ObjectReference& ref, const PrivateBytes& from) {
  if (ref.IsEmpty() || from.size() == 0) return true;
  Napi::Value value = ref.Value();
  if (!value.IsTypedArray()) return false;
  // The C API reads SharedArrayBuffer-backed arrays too; `data` already includes the view's offset.
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(value.Env(), value, &type, &length, &data, nullptr, nullptr) != napi_ok) return false;
  if (data == nullptr || length * typed_array_element_size(type) != from.size()) return false;
  std::memcpy(data, from.get(), from.size());
  return true;
}

Napi::Value detached_error(Napi::Env env, const char* op) {
  return make_range_error(env, kErrBufferLength,
                          std::string("an output buffer was detached or resized while ") + op + " was running")
      .Value();
}

int64_t index_bytes(IndexType type) { return type == IndexType::kInt64 ? 8 : type == IndexType::kInt32 ? 4 : 0; }

class PoolWorker final : public BufferedWorker {
 public:
  PoolWorker(const Napi::CallbackInfo& info, const KernelTable& kernels, const PoolCall& call, int threads)
      : BufferedWorker(info, "maxpool2d:maxPool2dAsync"),
        kernels_(kernels),
        call_(call),
        threads_(threads),
        input_(call.input, static_cast<size_t>(call.plan.input_length * elem_size(call.value_type))),
        output_(nullptr, static_cast<size_t>(call.plan.output_length * elem_size(call.value_type))),
        indices_(nullptr, static_cast<size_t>(call.plan.output_length * index_bytes(call.index_type))),
        output_ref_(info[1].IsObject() ? Napi::Persistent(info[1].As<Napi::Object>()) : Napi::ObjectReference()),
        indices_ref_(info[2].IsObject() ? Napi::Persistent(info[2].As<Napi::Object>()) : Napi::ObjectReference()) {
    call_.input = input_.get();
    call_.output = output_.get();
    call_.indices = call.indices != nullptr ? indices_.get() : nullptr;
  }

 private:
  void Execute() override { run_pool(kernels_, call_, threads_); }  // private memory only, no napi

  void settle() override {
    const bool ok = copy_out(output_ref_, output_) && (call_.indices == nullptr || copy_out(indices_ref_, indices_));
    if (ok) {
      BufferedWorker::settle();
    } else {
      deferred_.Reject(detached_error(Env(), "maxPool2dAsync"));
    }
  }

  const KernelTable& kernels_;
  PoolCall call_;
  const int threads_;
  PrivateBytes input_, output_, indices_;
  Napi::ObjectReference output_ref_, indices_ref_;
};

class UnpoolWorker final : public BufferedWorker {
 public:
  UnpoolWorker(const Napi::CallbackInfo& info, const UnpoolCall& call, int threads)
      : BufferedWorker(info, "maxpool2d:maxUnpool2dAsync"),
        call_(call),
        threads_(threads),
        input_(call.input, static_cast<size_t>(call.plan.input_length * elem_size(call.value_type))),
        indices_(call.indices, static_cast<size_t>(call.plan.input_length * index_bytes(call.index_type))),
        output_(nullptr, static_cast<size_t>(call.plan.output_length * elem_size(call.value_type))),
        output_ref_(info[2].IsObject() ? Napi::Persistent(info[2].As<Napi::Object>()) : Napi::ObjectReference()) {
    call_.input = input_.get();
    call_.indices = indices_.get();
    call_.output = output_.get();
  }

 private:
  void Execute() override { bad_ = run_unpool(call_, threads_); }  // private memory only, no napi

  void settle() override {
    if (bad_.position >= 0) {
      // The caller's output was never written: it stays untouched.
      deferred_.Reject(make_range_error(Env(), kErrInvalidIndex, describe_bad_index(call_.plan, bad_)).Value());
    } else if (!copy_out(output_ref_, output_)) {
      deferred_.Reject(detached_error(Env(), "maxUnpool2dAsync"));
    } else {
      BufferedWorker::settle();
    }
  }

  UnpoolCall call_;
  const int threads_;
  PrivateBytes input_, indices_, output_;
  Napi::ObjectReference output_ref_;
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
