#include "pin.h"

namespace maxpool2d {
namespace {

Napi::Function find_mark_function(Napi::Env env) {
  Napi::Object global = env.Global();
  Napi::Value process = global.Get("process");
  if (!process.IsObject()) return Napi::Function();
  Napi::Value get_builtin = process.As<Napi::Object>().Get("getBuiltinModule");
  if (!get_builtin.IsFunction()) return Napi::Function();
  Napi::Value module = get_builtin.As<Napi::Function>().Call(process, {Napi::String::New(env, "node:worker_threads")});
  if (!module.IsObject()) return Napi::Function();
  Napi::Value mark = module.As<Napi::Object>().Get("markAsUntransferable");
  return mark.IsFunction() ? mark.As<Napi::Function>() : Napi::Function();
}

// Where ArrayBuffer.prototype.transfer exists, a marked buffer must refuse it; otherwise marking pins nothing.
bool mark_blocks_transfer(Napi::Env env, const Napi::Function& mark) {
  Napi::Value ctor = env.Global().Get("ArrayBuffer");
  if (!ctor.IsObject()) return false;
  Napi::Value proto = ctor.As<Napi::Object>().Get("prototype");
  if (!proto.IsObject()) return false;
  Napi::Value transfer = proto.As<Napi::Object>().Get("transfer");
  if (!transfer.IsFunction()) return true;  // Node 20: postMessage is the only way to detach, and it clones
  Napi::ArrayBuffer probe = Napi::ArrayBuffer::New(env, 8);
  mark.Call({probe});
  try {
    transfer.As<Napi::Function>().Call(probe, {});
  } catch (const Napi::Error&) {
    return true;  // "ArrayBuffer is not detachable": the mark is V8's detach key
  }
  return false;
}

}  // namespace

BufferPinner::BufferPinner(Napi::Env env) {
  try {
    Napi::Function mark = find_mark_function(env);
    if (!mark.IsEmpty() && mark_blocks_transfer(env, mark)) mark_ = Napi::Persistent(mark);
  } catch (const Napi::Error&) {
    // Something in the lookup threw (a patched global, say): async calls copy instead.
  }
}

bool BufferPinner::pin(const Napi::Value& typed_array) {
  napi_env env = typed_array.Env();
  napi_value buffer = nullptr;
  if (napi_get_typedarray_info(env, typed_array, nullptr, nullptr, nullptr, &buffer, nullptr) != napi_ok) {
    return false;
  }
  bool is_array_buffer = false;
  if (napi_is_arraybuffer(env, buffer, &is_array_buffer) != napi_ok) return false;
  if (!is_array_buffer) return true;  // a SharedArrayBuffer: it can grow but never detach or shrink
  if (mark_.IsEmpty()) return false;
  Napi::Object array_buffer = Napi::Value(typed_array.Env(), buffer).As<Napi::Object>();
  try {
    if (array_buffer.Get("resizable").ToBoolean().Value()) return false;  // resize() could shrink it under us
    mark_.Call({array_buffer});
  } catch (const Napi::Error&) {
    return false;
  }
  return true;
}

}  // namespace maxpool2d
