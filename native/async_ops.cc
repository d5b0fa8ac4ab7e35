#include "async_ops.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "errors.h"
#include "thread_pool.h"

namespace maxpool2d {
namespace {

size_t element_bytes(napi_typedarray_type type) {
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

napi_typedarray_type typed_array_type(const Napi::Value& array) {
  napi_typedarray_type type = napi_float64_array;
  napi_get_typedarray_info(array.Env(), array, &type, nullptr, nullptr, nullptr, nullptr);
  return type;
}

struct FreeDeleter {
  void operator()(uint8_t* p) const { std::free(p); }
};
using PrivateMemory = std::unique_ptr<uint8_t, FreeDeleter>;

PrivateMemory allocate_private(size_t bytes) { return PrivateMemory(static_cast<uint8_t*>(std::malloc(bytes ? bytes : 1))); }

// A TypedArray of `length` elements that only this call can see until its Promise settles, so nobody can
// detach it meanwhile. V8 owns the memory (it is freed off the JS thread, and the result stays transferable);
// it is not zeroed (napi_create_buffer): every kernel writes every element. The pages are first touched by the
// kernel, off the JS thread.
Napi::Value fresh_typed_array(Napi::Env env, napi_typedarray_type type, size_t length) {
  napi_value bytes = nullptr, buffer = nullptr, array = nullptr;
  const size_t byte_length = length * element_bytes(type);
  if (napi_create_buffer(env, byte_length, nullptr, &bytes) != napi_ok) {
    // Too large for this runtime or for the memory left: the same coded RangeError as the JS layer's check.
    napi_value ignored = nullptr;
    napi_get_and_clear_last_exception(env, &ignored);
    throw_range_error(env, kErrOutOfRange,
                      "output of " + std::to_string(length) + " elements (" + std::to_string(byte_length) +
                          " bytes) cannot be allocated");
  }
  NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, bytes, nullptr, nullptr, nullptr, &buffer, nullptr),
                       Napi::Value());
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, length, buffer, 0, &array), Napi::Value());
  return Napi::Value(env, array);
}

// One buffer of an async call as the kernel sees it off the JS thread:
//  - the caller's memory itself, when pinned (pin.h);
//  - else a private copy: taken at the call for inputs, copied out at settle for outputs (after checking the
//    caller's buffer still has its length);
//  - or, for an output the caller left to the addon, a fresh TypedArray nobody else has seen.
class StagedBuffer {
 public:
  StagedBuffer() = default;

  static StagedBuffer input(BufferPinner& pinner, const Napi::Value& array, const void* data, size_t bytes) {
    StagedBuffer b(array, bytes);
    if (pinner.pin(array)) {
      b.data_ = const_cast<void*>(data);
    } else {
      b.memory_ = allocate_private(bytes);
      if (!b.memory_) throw_range_error(array.Env(), kErrOutOfRange, "cannot allocate a copy of the input");
      if (bytes != 0) std::memcpy(b.memory_.get(), data, bytes);
      b.data_ = b.memory_.get();
    }
    return b;
  }

  // An output of `length` elements of `type`: the caller's (`data`, from `array`) when given, else fresh.
  static StagedBuffer output(BufferPinner& pinner, const Napi::Value& array, void* data, napi_typedarray_type type,
                             size_t length) {
    if (data == nullptr) return fresh(array.Env(), type, length);
    const size_t bytes = length * element_bytes(type);
    StagedBuffer b(array, bytes);
    if (pinner.pin(array)) {
      b.data_ = data;
    } else {
      b.memory_ = allocate_private(bytes);
      if (!b.memory_) throw_range_error(array.Env(), kErrOutOfRange, "cannot allocate the output");
      b.data_ = b.memory_.get();
      b.copy_out_ = true;
    }
    return b;
  }

  static StagedBuffer fresh(Napi::Env env, napi_typedarray_type type, size_t length) {
    Napi::Value array = fresh_typed_array(env, type, length);
    StagedBuffer b(array, length * element_bytes(type));
    napi_get_typedarray_info(env, array, nullptr, nullptr, &b.data_, nullptr, nullptr);
    return b;
  }

  void* data() const { return data_; }

  // JS thread, at settle: the array to resolve with.
  Napi::Value value() const { return ref_.Value(); }

  // JS thread, at settle: copies a private output out. False if the caller's buffer lost its length.
  bool finish() {
    if (!copy_out_ || bytes_ == 0) return true;
    Napi::Value array = ref_.Value();
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (!array.IsTypedArray() ||
        napi_get_typedarray_info(array.Env(), array, &type, &length, &data, nullptr, nullptr) != napi_ok ||
        data == nullptr || length * element_bytes(type) != bytes_) {
      return false;
    }
    std::memcpy(data, memory_.get(), bytes_);
    return true;
  }

 private:
  StagedBuffer(const Napi::Value& array, size_t bytes)
      : ref_(Napi::Persistent(array.As<Napi::Object>())), bytes_(bytes) {}

  Napi::ObjectReference ref_;  // the caller's array, kept alive (and with it its memory) until settle
  PrivateMemory memory_;
  void* data_ = nullptr;
  size_t bytes_ = 0;
  bool copy_out_ = false;
};

// A Promise settled from the JS thread once Execute is done.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char* resource_name)
      : Napi::AsyncWorker(env, resource_name), deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  virtual void settle() = 0;

  Napi::Value detached_error(const char* op) {
    return make_range_error(Env(), kErrBufferLength,
                            std::string("an output buffer was detached or resized while ") + op + " was running")
        .Value();
  }

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
};

napi_typedarray_type index_array_type(IndexType type) {
  return type == IndexType::kInt64 ? napi_bigint64_array : napi_int32_array;
}

// maxPool2dAsync / adaptiveMaxPool2dAsync: input in; output and optional indices out (given, or fresh).
template <typename Call, void (*Run)(const KernelTable&, const Call&, int)>
class ForwardWorker final : public PromiseWorker {
 public:
  ForwardWorker(const Napi::CallbackInfo& info, BufferPinner& pinner, const KernelTable& kernels, const Call& call,
                int threads, const char* resource_name, const char* op)
      : PromiseWorker(info.Env(), resource_name), kernels_(kernels), call_(call), threads_(threads), op_(op) {
    const napi_typedarray_type type = typed_array_type(info[0]);
    const size_t in_bytes = static_cast<size_t>(call.plan.input_length) * element_bytes(type);
    const size_t out_length = static_cast<size_t>(call.plan.output_length);
    input_ = StagedBuffer::input(pinner, info[0], call.input, in_bytes);
    output_ = StagedBuffer::output(pinner, info[1], call.output, type, out_length);
    if (call.index_type != IndexType::kNone) {
      indices_ = StagedBuffer::output(pinner, info[2], call.indices, index_array_type(call.index_type), out_length);
    }
    call_.input = input_.data();
    call_.output = output_.data();
    call_.indices = call.index_type != IndexType::kNone ? indices_.data() : nullptr;
  }

 private:
  void Execute() override {  // no napi here
    BackgroundScope background;
    Run(kernels_, call_, threads_);
  }

  void settle() override {
    const bool has_indices = call_.index_type != IndexType::kNone;
    if (!output_.finish() || (has_indices && !indices_.finish())) {
      deferred_.Reject(detached_error(op_));
    } else {
      Napi::Array result = Napi::Array::New(Env(), 2);
      result.Set(0u, output_.value());
      result.Set(1u, has_indices ? indices_.value() : Env().Null());
      deferred_.Resolve(result);
    }
  }

  const KernelTable& kernels_;
  Call call_;
  const int threads_;
  const char* op_;
  StagedBuffer input_, output_, indices_;
};

using PoolWorker = ForwardWorker<PoolCall, run_pool>;
using AdaptiveWorker = ForwardWorker<AdaptiveCall, run_adaptive>;

class UnpoolWorker final : public PromiseWorker {
 public:
  UnpoolWorker(const Napi::CallbackInfo& info, BufferPinner& pinner, const UnpoolCall& call, int threads)
      : PromiseWorker(info.Env(), "maxpool2d:maxUnpool2dAsync"), call_(call), threads_(threads) {
    const napi_typedarray_type type = typed_array_type(info[0]);
    const size_t in_length = static_cast<size_t>(call.plan.input_length);
    const size_t out_length = static_cast<size_t>(call.plan.output_length);
    input_ = StagedBuffer::input(pinner, info[0], call.input, in_length * element_bytes(type));
    indices_ = StagedBuffer::input(pinner, info[1], call.indices, in_length * index_bytes(call.index_type));
    output_ = StagedBuffer::output(pinner, info[2], call.output, type, out_length);
    call_.input = input_.data();
    call_.indices = indices_.data();
    call_.output = output_.data();
  }

 private:
  void Execute() override {  // no napi here
    BackgroundScope background;
    bad_ = run_unpool(call_, threads_);
  }

  void settle() override {
    if (bad_.position >= 0) {
      // The output was never written: it stays untouched.
      deferred_.Reject(make_range_error(Env(), kErrInvalidIndex, describe_bad_index(call_.plan, bad_)).Value());
    } else if (!output_.finish()) {
      deferred_.Reject(detached_error("maxUnpool2dAsync"));
    } else {
      deferred_.Resolve(output_.value());
    }
  }

  UnpoolCall call_;
  const int threads_;
  StagedBuffer input_, indices_, output_;
  BadIndex bad_;
};

// maxPool2dBackward / maxUnpool2dBackward: (gradOutput, indices) in, gradInput out, a bad index rejects.
template <typename Call, BadIndex (*Run)(const Call&, int), std::string (*Describe)(const decltype(Call::plan)&,
                                                                                    const BadIndex&)>
class GradientWorker final : public PromiseWorker {
 public:
  GradientWorker(const Napi::CallbackInfo& info, BufferPinner& pinner, const Call& call, int threads,
                 const char* resource_name, const char* op)
      : PromiseWorker(info.Env(), resource_name), call_(call), threads_(threads), op_(op) {
    const napi_typedarray_type type = typed_array_type(info[0]);
    const size_t grad_length = static_cast<size_t>(grad_output_length(call.plan));
    const size_t in_length = static_cast<size_t>(grad_input_length(call.plan));
    grad_output_ = StagedBuffer::input(pinner, info[0], call.grad_output, grad_length * element_bytes(type));
    indices_ = StagedBuffer::input(pinner, info[1], call.indices, indices_length(call.plan) * index_bytes(call.index_type));
    grad_input_ = StagedBuffer::output(pinner, info[2], call.grad_input, type, in_length);
    call_.grad_output = grad_output_.data();
    call_.indices = indices_.data();
    call_.grad_input = grad_input_.data();
  }

 private:
  // Pool backward: gradOutput and indices are the pool's output (OH x OW), gradInput its input. Unpool backward:
  // gradOutput is the unpool's output, indices and gradInput its input.
  static int64_t grad_output_length(const PoolPlan& plan) { return plan.output_length; }
  static int64_t grad_input_length(const PoolPlan& plan) { return plan.input_length; }
  static size_t indices_length(const PoolPlan& plan) { return static_cast<size_t>(plan.output_length); }
  static int64_t grad_output_length(const UnpoolPlan& plan) { return plan.output_length; }
  static int64_t grad_input_length(const UnpoolPlan& plan) { return plan.input_length; }
  static size_t indices_length(const UnpoolPlan& plan) { return static_cast<size_t>(plan.input_length); }

  void Execute() override {  // no napi here
    BackgroundScope background;
    bad_ = Run(call_, threads_);
  }

  void settle() override {
    if (bad_.position >= 0) {
      deferred_.Reject(make_range_error(Env(), kErrInvalidIndex, Describe(call_.plan, bad_)).Value());
    } else if (!grad_input_.finish()) {
      deferred_.Reject(detached_error(op_));
    } else {
      deferred_.Resolve(grad_input_.value());
    }
  }

  Call call_;
  const int threads_;
  const char* op_;
  StagedBuffer grad_output_, indices_, grad_input_;
  BadIndex bad_;
};

using PoolBackwardWorker = GradientWorker<PoolBackwardCall, run_pool_backward, describe_bad_pool_index>;
using UnpoolBackwardWorker = GradientWorker<UnpoolBackwardCall, run_unpool_backward, describe_bad_index>;

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

Napi::Promise queue_pool(const Napi::CallbackInfo& info, BufferPinner& pinner, const KernelTable& kernels,
                         const PoolCall& call, int threads) {
  return queue(new PoolWorker(info, pinner, kernels, call, threads, "maxpool2d:maxPool2dAsync", "maxPool2dAsync"));
}

Napi::Promise queue_unpool(const Napi::CallbackInfo& info, BufferPinner& pinner, const UnpoolCall& call,
                           int threads) {
  return queue(new UnpoolWorker(info, pinner, call, threads));
}

Napi::Promise queue_adaptive(const Napi::CallbackInfo& info, BufferPinner& pinner, const KernelTable& kernels,
                             const AdaptiveCall& call, int threads) {
  return queue(new AdaptiveWorker(info, pinner, kernels, call, threads, "maxpool2d:adaptiveMaxPool2dAsync",
                                  "adaptiveMaxPool2dAsync"));
}

Napi::Promise queue_pool_backward(const Napi::CallbackInfo& info, BufferPinner& pinner, const PoolBackwardCall& call,
                                  int threads) {
  return queue(new PoolBackwardWorker(info, pinner, call, threads, "maxpool2d:maxPool2dBackwardAsync",
                                            "maxPool2dBackwardAsync"));
}

Napi::Promise queue_unpool_backward(const Napi::CallbackInfo& info, BufferPinner& pinner,
                                    const UnpoolBackwardCall& call, int threads) {
  return queue(new UnpoolBackwardWorker(info, pinner, call, threads, "maxpool2d:maxUnpool2dBackwardAsync",
                                              "maxUnpool2dBackwardAsync"));
}

}  // namespace maxpool2d
