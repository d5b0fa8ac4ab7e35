// Module init and the export table. Each JS environment (main thread, every Worker) gets its own
// AddonState; the thread pool and the CPU detection behind it are process-wide and napi-free.
#include <napi.h>

#include <exception>
#include <string>

#include "args.h"
#include "async_ops.h"
#include "dispatch.h"
#include "errors.h"
#include "malloc_tuning.h"
#include "pin.h"
#include "pool_op.h"
#include "thread_pool.h"
#include "unpool_op.h"
#include "backward_op.h"
#include "adaptive_op.h"

namespace maxpool2d {
namespace {

// Per-environment state, freed by node-addon-api when the environment is torn down.
struct AddonState {
  const KernelTable* kernels;  // the ISA this environment's calls run with (setIsa changes it)
  BufferPinner pinner;         // how async calls keep this environment's buffers in place
};

AddonState& state_of(Napi::Env env) {
  AddonState* state = env.GetInstanceData<AddonState>();
  if (state == nullptr) throw_internal_error(env, "addon state missing");
  return *state;
}

Napi::Value max_pool_2d(const Napi::CallbackInfo& info) {
  int threads = 0;
  const PoolCall call = parse_pool_args(info, &threads);
  run_pool(*state_of(info.Env()).kernels, call, call_thread_count(threads));
  return info.Env().Undefined();
}

Napi::Value max_unpool_2d(const Napi::CallbackInfo& info) {
  int threads = 0;
  const UnpoolCall call = parse_unpool_args(info, &threads);
  const BadIndex bad = run_unpool(call, call_thread_count(threads));
  if (bad.position >= 0) throw_range_error(info.Env(), kErrInvalidIndex, describe_bad_index(call.plan, bad));
  return info.Env().Undefined();
}

Napi::Value max_pool_2d_async(const Napi::CallbackInfo& info) {
  int threads = 0;
  const PoolCall call = parse_pool_args(info, &threads, /*allow_fresh_outputs=*/true);
  AddonState& state = state_of(info.Env());
  return queue_pool(info, state.pinner, *state.kernels, call, call_thread_count(threads));
}

Napi::Value max_unpool_2d_async(const Napi::CallbackInfo& info) {
  int threads = 0;
  const UnpoolCall call = parse_unpool_args(info, &threads, /*allow_fresh_output=*/true);
  return queue_unpool(info, state_of(info.Env()).pinner, call, call_thread_count(threads));
}

Napi::Value isa(const Napi::CallbackInfo& info) {
  check_arg_count(info, 0, "isa()");
  return Napi::String::New(info.Env(), state_of(info.Env()).kernels->name);
}

Napi::Value supported_isas(const Napi::CallbackInfo& info) {
  check_arg_count(info, 0, "supportedIsas()");
  const auto& tables = supported_kernels();
  Napi::Array names = Napi::Array::New(info.Env(), tables.size());
  for (size_t i = 0; i < tables.size(); ++i) names.Set(static_cast<uint32_t>(i), tables[i]->name);
  return names;
}

Napi::Value set_isa(const Napi::CallbackInfo& info) {
  check_arg_count(info, 1, "setIsa(name)");
  const std::string name = parse_string(info[0], "name");
  const KernelTable* table = find_supported_kernels(name);
  if (table == nullptr) {
    std::string supported;
    for (const KernelTable* t : supported_kernels()) supported += std::string(supported.empty() ? "" : ", ") + t->name;
    throw_range_error(info.Env(), kErrOutOfRange,
                      "ISA \"" + name + "\" is not supported here. Supported: " + supported);
  }
  state_of(info.Env()).kernels = table;
  return Napi::String::New(info.Env(), table->name);
}

Napi::Value malloc_tuning(const Napi::CallbackInfo& info) {
  check_arg_count(info, 0, "mallocTuning()");
  return Napi::String::New(info.Env(), malloc_tuning_state());
}

Napi::Value get_num_threads(const Napi::CallbackInfo& info) {
  check_arg_count(info, 0, "getNumThreads()");
  return Napi::Number::New(info.Env(), default_thread_count());
}

Napi::Value set_num_threads(const Napi::CallbackInfo& info) {
  check_arg_count(info, 1, "setNumThreads(n)");
  set_default_thread_count(parse_thread_count(info[0], "n", 1));
  return info.Env().Undefined();
}

Napi::Value max_pool_2d_backward(const Napi::CallbackInfo& info) {
  int threads = 0;
  const PoolBackwardCall call = parse_pool_backward_args(info, &threads);
  const BadIndex bad = run_pool_backward(call, call_thread_count(threads));
  if (bad.position >= 0) throw_range_error(info.Env(), kErrInvalidIndex, describe_bad_pool_index(call.plan, bad));
  return info.Env().Undefined();
}

Napi::Value max_unpool_2d_backward(const Napi::CallbackInfo& info) {
  int threads = 0;
  const UnpoolBackwardCall call = parse_unpool_backward_args(info, &threads);
  const BadIndex bad = run_unpool_backward(call, call_thread_count(threads));
  if (bad.position >= 0) throw_range_error(info.Env(), kErrInvalidIndex, describe_bad_index(call.plan, bad));
  return info.Env().Undefined();
}

Napi::Value adaptive_max_pool_2d(const Napi::CallbackInfo& info) {
  int threads = 0;
  const AdaptiveCall call = parse_adaptive_args(info, &threads);
  run_adaptive(*state_of(info.Env()).kernels, call, call_thread_count(threads));
  return info.Env().Undefined();
}

Napi::Value adaptive_max_pool_2d_async(const Napi::CallbackInfo& info) {
  int threads = 0;
  const AdaptiveCall call = parse_adaptive_args(info, &threads, /*allow_fresh_outputs=*/true);
  AddonState& state = state_of(info.Env());
  return queue_adaptive(info, state.pinner, *state.kernels, call, call_thread_count(threads));
}

Napi::Value max_pool_2d_backward_async(const Napi::CallbackInfo& info) {
  int threads = 0;
  const PoolBackwardCall call = parse_pool_backward_args(info, &threads, /*allow_fresh_output=*/true);
  return queue_pool_backward(info, state_of(info.Env()).pinner, call, call_thread_count(threads));
}

Napi::Value max_unpool_2d_backward_async(const Napi::CallbackInfo& info) {
  int threads = 0;
  const UnpoolBackwardCall call = parse_unpool_backward_args(info, &threads, /*allow_fresh_output=*/true);
  return queue_unpool_backward(info, state_of(info.Env()).pinner, call, call_thread_count(threads));
}

// node-addon-api turns Napi::Error into a JS exception; anything else (std::bad_alloc from a message
// string, say) must not escape into Node, which would abort. It becomes a coded Error instead.
template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    return Fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_internal_error(info.Env(), e.what());
  }
}

template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
void export_function(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, guarded<Fn>, name));
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  tune_malloc_once();
  env.SetInstanceData(new AddonState{&best_kernels(), BufferPinner(env)});
  export_function<max_pool_2d>(env, exports, "maxPool2d");
  export_function<max_unpool_2d>(env, exports, "maxUnpool2d");
  export_function<max_pool_2d_async>(env, exports, "maxPool2dAsync");
  export_function<max_unpool_2d_async>(env, exports, "maxUnpool2dAsync");
  export_function<isa>(env, exports, "isa");
  export_function<supported_isas>(env, exports, "supportedIsas");
  export_function<set_isa>(env, exports, "setIsa");
  export_function<malloc_tuning>(env, exports, "mallocTuning");
  export_function<get_num_threads>(env, exports, "getNumThreads");
  export_function<set_num_threads>(env, exports, "setNumThreads");
  export_function<max_pool_2d_backward>(env, exports, "maxPool2dBackward");
  export_function<max_unpool_2d_backward>(env, exports, "maxUnpool2dBackward");
  export_function<adaptive_max_pool_2d>(env, exports, "adaptiveMaxPool2d");
  export_function<adaptive_max_pool_2d_async>(env, exports, "adaptiveMaxPool2dAsync");
  export_function<max_pool_2d_backward_async>(env, exports, "maxPool2dBackwardAsync");
  export_function<max_unpool_2d_backward_async>(env, exports, "maxUnpool2dBackwardAsync");
  return exports;
}

}  // namespace
}  // namespace maxpool2d

// NODE_API_MODULE pastes the name into an identifier, so it needs an unqualified one.
static Napi::Object init_maxpool2d(Napi::Env env, Napi::Object exports) { return maxpool2d::init(env, exports); }
NODE_API_MODULE(maxpool2d, init_maxpool2d)
