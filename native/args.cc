#include "args.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "errors.h"
#include "format.h"
#include "thread_pool.h"

namespace maxpool2d {
namespace {

// A TypedArray argument as napi reports it; `data` already includes the view's byteOffset.
struct ArrayArg {
  napi_typedarray_type type = napi_float64_array;
  void* data = nullptr;
  size_t length = 0;
};

const char* typed_array_name(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

size_t element_size(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;
  }
}

bool read_typed_array(const Napi::Value& value, ArrayArg* out) {
  if (!value.IsTypedArray()) return false;
  if (napi_get_typedarray_info(value.Env(), value, &out->type, &out->length, &out->data, nullptr, nullptr) !=
      napi_ok) {
    throw_internal_error(value.Env(), "napi_get_typedarray_info failed");
  }
  return true;
}

// Node-style description of what the caller passed, for "Received ..." in messages.
std::string describe(const Napi::Value& value) {
  ArrayArg array;
  if (read_typed_array(value, &array)) return std::string("an instance of ") + typed_array_name(array.type);
  if (value.IsNull()) return "null";
  if (value.IsUndefined()) return "undefined";
  if (value.IsNumber()) return "type number (" + format_number(value.As<Napi::Number>().DoubleValue()) + ")";
  if (value.IsBoolean()) return value.As<Napi::Boolean>().Value() ? "type boolean (true)" : "type boolean (false)";
  if (value.IsString()) return "type string";
  if (value.IsBigInt()) return "type bigint";
  if (value.IsSymbol()) return "type symbol";
  if (value.IsFunction()) return "type function";
  if (value.IsArray()) return "an instance of Array";
  if (value.IsArrayBuffer()) return "an instance of ArrayBuffer";
  return "an object";
}

// Reads a TypedArray whose kind is one of `allowed`; otherwise throws a TypeError saying `expected`.
ArrayArg typed_array_arg(const Napi::Value& value, const char* name, const char* expected,
                         std::initializer_list<napi_typedarray_type> allowed) {
  ArrayArg array;
  if (read_typed_array(value, &array)) {
    for (napi_typedarray_type type : allowed) {
      if (array.type == type) return array;
    }
  }
  throw_type_error(value.Env(), kErrInvalidArgType,
                   std::string("The \"") + name + "\" argument must be " + expected + ". Received " +
                       describe(value));
}

ArrayArg value_array_arg(const Napi::Value& value, const char* name) {
  return typed_array_arg(value, name,
                         "a Float32Array, Float64Array, Int8Array, Uint8Array, Int16Array, Uint16Array or Int32Array",
                         {napi_float32_array, napi_float64_array, napi_int8_array, napi_uint8_array, napi_int16_array,
                          napi_uint16_array, napi_int32_array});
}

ArrayArg index_array_arg(const Napi::Value& value, const char* name, const char* expected) {
  return typed_array_arg(value, name, expected, {napi_bigint64_array, napi_int32_array});
}

// Input and output must hold the same float dtype: the kernels have no converting variants.
void check_same_type(const Napi::Value& value, const ArrayArg& array, const char* name, const ArrayArg& like,
                     const char* like_name) {
  if (array.type == like.type) return;
  throw_type_error(value.Env(), kErrInvalidArgType,
                   std::string("The \"") + name + "\" argument must be a " + typed_array_name(like.type) +
                       ", like \"" + like_name + "\". Received " + describe(value));
}

// Copies the plan out first: it may be a view into the same memory as an output buffer.
void read_plan(const Napi::Value& value, double* fields, size_t field_count) {
  const ArrayArg plan = typed_array_arg(value, "plan", "a Float64Array", {napi_float64_array});
  if (plan.length != field_count) {
    throw_range_error(value.Env(), kErrBufferLength,
                      "The \"plan\" argument must have " + std::to_string(field_count) + " elements. Received " +
                          std::to_string(plan.length));
  }
  std::memcpy(fields, plan.data, field_count * sizeof(double));
}

void check_length(Napi::Env env, const ArrayArg& array, const char* name, int64_t expected, const char* formula) {
  if (array.length == static_cast<uint64_t>(expected)) return;
  throw_range_error(env, kErrBufferLength,
                    std::string("The \"") + name + "\" argument must have " + std::to_string(expected) +
                        " elements (" + formula + " from the plan). Received " + std::to_string(array.length));
}

// Kernels read one buffer while writing another; overlapping memory would make results depend on the
// order of writes (and on the thread split), so it is refused outright.
void check_disjoint(Napi::Env env, const ArrayArg& a, const char* a_name, const ArrayArg& b, const char* b_name) {
  if (a.length == 0 || b.length == 0) return;
  const uintptr_t a_begin = reinterpret_cast<uintptr_t>(a.data), a_end = a_begin + a.length * element_size(a.type);
  const uintptr_t b_begin = reinterpret_cast<uintptr_t>(b.data), b_end = b_begin + b.length * element_size(b.type);
  if (a_begin < b_end && b_begin < a_end) {
    throw_range_error(env, kErrAliasing,
                      std::string("The \"") + a_name + "\" and \"" + b_name +
                          "\" arguments share memory; pass non-overlapping buffers");
  }
}

ValueType array_value_type(const ArrayArg& array) {
  switch (array.type) {
    case napi_float32_array: return ValueType::kFloat32;
    case napi_int8_array: return ValueType::kInt8;
    case napi_uint8_array: return ValueType::kUint8;
    case napi_int16_array: return ValueType::kInt16;
    case napi_uint16_array: return ValueType::kUint16;
    case napi_int32_array: return ValueType::kInt32;
    default: return ValueType::kFloat64;
  }
}

const char* const kDTypeNames[] = {"float32", "float64", "int8",   "uint8",   "int16",
                                   "uint16",  "int32",   "float16", "bfloat16"};

// The value type of `array` given the optional dtype argument `value` (undefined: the array's own type). Only
// a Uint16Array may be re-read, as "float16" or "bfloat16" bits; any other mismatch is a TypeError.
ValueType value_type_of(const ArrayArg& array, const Napi::Value& value) {
  const ValueType own = array_value_type(array);
  if (value.IsUndefined()) return own;
  if (!value.IsString()) {
    throw_type_error(value.Env(), kErrInvalidArgType,
                     "The \"dtype\" argument must be a string or undefined. Received " + describe(value));
  }
  const std::string name = value.As<Napi::String>().Utf8Value();
  for (int i = 0; i < 9; ++i) {
    if (name != kDTypeNames[i]) continue;
    const ValueType named = static_cast<ValueType>(i);
    if (named == own) return own;
    if (own == ValueType::kUint16 && (named == ValueType::kFloat16 || named == ValueType::kBFloat16)) return named;
    break;
  }
  throw_type_error(value.Env(), kErrInvalidArgType,
                   std::string("The \"dtype\" argument must name the input's element type (\"") +
                       kDTypeNames[static_cast<int>(own)] + "\"" +
                       (own == ValueType::kUint16 ? ", \"float16\" or \"bfloat16\"" : "") + "). Received \"" + name +
                       "\"");
}

// The optional channels argument: 0 (NCHW) or C >= 1 dividing `planes` (NHWC).
int64_t channels_of(const Napi::Value& value, int64_t planes) {
  if (value.IsUndefined()) return 0;
  if (!value.IsNumber()) {
    throw_type_error(value.Env(), kErrInvalidArgType,
                     "The \"channels\" argument must be of type number. Received " + describe(value));
  }
  const double c = value.As<Napi::Number>().DoubleValue();
  if (!(c >= 0 && c <= 9007199254740992.0) || std::floor(c) != c ||
      (c > 0 && planes % static_cast<int64_t>(c) != 0)) {
    throw_range_error(value.Env(), kErrOutOfRange,
                      "The value of \"channels\" is out of range. It must be 0 or an integer dividing planes (" +
                          std::to_string(planes) + "). Received " + format_number(c));
  }
  return static_cast<int64_t>(c);
}

// Arguments 5 and 6 when the call has them.
Napi::Value optional_arg(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() ? info[i] : info.Env().Undefined();
}

IndexType index_type_of(const ArrayArg& array) {
  return array.type == napi_bigint64_array ? IndexType::kInt64 : IndexType::kInt32;
}

// The index width an async call asks the addon to allocate: "int64" or "int32".
IndexType fresh_index_type(const Napi::Value& value) {
  const std::string name = value.As<Napi::String>().Utf8Value();
  if (name == "int64") return IndexType::kInt64;
  if (name == "int32") return IndexType::kInt32;
  throw_type_error(value.Env(), kErrInvalidArgType,
                   "The \"indices\" argument must be a BigInt64Array, an Int32Array, null, \"int64\" or \"int32\". "
                   "Received \"" + name + "\"");
}

}  // namespace

void check_arg_count(const Napi::CallbackInfo& info, size_t min_count, size_t max_count, const char* signature) {
  if (info.Length() >= min_count && info.Length() <= max_count) return;
  throw_type_error(info.Env(), kErrArgCount,
                   std::string(signature) + " takes " + std::to_string(min_count) + " to " +
                       std::to_string(max_count) + " arguments. Received " + std::to_string(info.Length()));
}

void check_arg_count(const Napi::CallbackInfo& info, size_t expected, const char* signature) {
  if (info.Length() == expected) return;
  throw_type_error(info.Env(), kErrArgCount,
                   std::string(signature) + " takes " + std::to_string(expected) + " argument" +
                       (expected == 1 ? "" : "s") + ". Received " + std::to_string(info.Length()));
}

PoolCall parse_pool_args(const Napi::CallbackInfo& info, int* threads, bool allow_fresh_outputs) {
  check_arg_count(info, 5, 7, "maxPool2d(input, output, indices, plan, threads, dtype?, channels?)");
  const Napi::Env env = info.Env();
  const ArrayArg input = value_array_arg(info[0], "input");
  // Async calls may leave the outputs to the addon: null output, and "int64" / "int32" for the indices.
  const bool fresh_output = allow_fresh_outputs && info[1].IsNull();
  ArrayArg output;
  if (!fresh_output) {
    output = value_array_arg(info[1], "output");
    check_same_type(info[1], output, "output", input, "input");
  }
  IndexType index_type = IndexType::kNone;
  ArrayArg indices;
  const bool fresh_indices = allow_fresh_outputs && info[2].IsString();
  if (fresh_indices) {
    index_type = fresh_index_type(info[2]);
  } else if (!info[2].IsNull()) {
    indices = index_array_arg(info[2], "indices", "a BigInt64Array, an Int32Array or null");
    index_type = index_type_of(indices);
  }
  const bool has_indices = index_type != IndexType::kNone;
  double fields[kPoolPlanLength];
  read_plan(info[3], fields, kPoolPlanLength);
  *threads = parse_thread_count(info[4], "threads", 0);

  PoolCall call{};
  if (PlanError error = decode_pool_plan(fields, &call.plan)) throw_range_error(env, kErrOutOfRange, error.message);
  const PoolPlan& plan = call.plan;
  if (index_type == IndexType::kInt32 && plan.in_plane_size > INT32_MAX) {
    throw_range_error(env, kErrOutOfRange,
                      "Int32Array indices cannot address an input plane of " + std::to_string(plan.geom.H) + "x" +
                          std::to_string(plan.geom.W) + " (" + std::to_string(plan.in_plane_size) +
                          " elements, more than 2^31 - 1); pass a BigInt64Array");
  }
  check_length(env, input, "input", plan.input_length, "planes * H * W");
  if (!fresh_output) {
    check_length(env, output, "output", plan.output_length, "planes * OH * OW");
    check_disjoint(env, input, "input", output, "output");
  }
  if (has_indices && !fresh_indices) {
    check_length(env, indices, "indices", plan.output_length, "planes * OH * OW");
    check_disjoint(env, input, "input", indices, "indices");
    if (!fresh_output) check_disjoint(env, output, "output", indices, "indices");
  }

  call.value_type = value_type_of(input, optional_arg(info, 5));
  call.channels = channels_of(optional_arg(info, 6), plan.planes);
  call.index_type = index_type;
  call.input = input.data;
  call.output = output.data;  // null when fresh: the caller allocates
  call.indices = indices.data;
  return call;
}

UnpoolCall parse_unpool_args(const Napi::CallbackInfo& info, int* threads, bool allow_fresh_output) {
  check_arg_count(info, 5, 7, "maxUnpool2d(input, indices, output, plan, threads, dtype?, channels?)");
  const Napi::Env env = info.Env();
  const ArrayArg input = value_array_arg(info[0], "input");
  const ArrayArg indices = index_array_arg(info[1], "indices", "a BigInt64Array or Int32Array");
  const bool fresh_output = allow_fresh_output && info[2].IsNull();  // async: the addon allocates it
  ArrayArg output;
  if (!fresh_output) {
    output = value_array_arg(info[2], "output");
    check_same_type(info[2], output, "output", input, "input");
  }
  double fields[kUnpoolPlanLength];
  read_plan(info[3], fields, kUnpoolPlanLength);
  *threads = parse_thread_count(info[4], "threads", 0);

  UnpoolCall call{};
  if (PlanError error = decode_unpool_plan(fields, &call.plan)) throw_range_error(env, kErrOutOfRange, error.message);
  const UnpoolPlan& plan = call.plan;
  // An Int32Array holds indices up to 2^31 - 1, which covers an output plane of 2^31 elements.
  if (indices.type == napi_int32_array && plan.out_plane_size > (int64_t{1} << 31)) {
    throw_range_error(env, kErrOutOfRange,
                      "Int32Array indices cannot address an output plane of " + std::to_string(plan.out_h) + "x" +
                          std::to_string(plan.out_w) + " (" + std::to_string(plan.out_plane_size) +
                          " elements, more than 2^31); pass a BigInt64Array");
  }
  check_length(env, input, "input", plan.input_length, "planes * IH * IW");
  check_length(env, indices, "indices", plan.input_length, "planes * IH * IW");
  if (!fresh_output) {
    check_length(env, output, "output", plan.output_length, "planes * OH * OW");
    check_disjoint(env, input, "input", output, "output");
    check_disjoint(env, indices, "indices", output, "output");
  }

  call.value_type = value_type_of(input, optional_arg(info, 5));
  call.channels = channels_of(optional_arg(info, 6), plan.planes);
  call.index_type = index_type_of(indices);
  call.input = input.data;
  call.indices = indices.data;
  call.output = output.data;
  return call;
}

int parse_thread_count(const Napi::Value& value, const char* name, int min_value) {
  if (!value.IsNumber()) {
    throw_type_error(value.Env(), kErrInvalidArgType,
                     std::string("The \"") + name + "\" argument must be of type number. Received " + describe(value));
  }
  const double n = value.As<Napi::Number>().DoubleValue();
  if (!(n >= min_value && n <= kMaxThreads) || std::floor(n) != n) {
    throw_range_error(value.Env(), kErrOutOfRange,
                      std::string("The value of \"") + name + "\" is out of range. It must be an integer >= " +
                          std::to_string(min_value) + " and <= " + std::to_string(kMaxThreads) + ". Received " +
                          format_number(n));
  }
  return static_cast<int>(n);
}

std::string parse_string(const Napi::Value& value, const char* name) {
  if (!value.IsString()) {
    throw_type_error(value.Env(), kErrInvalidArgType,
                     std::string("The \"") + name + "\" argument must be of type string. Received " + describe(value));
  }
  return value.As<Napi::String>().Utf8Value();
}

// The backward and adaptive ops run float32 / float64 only.
namespace {

ArrayArg float_array_arg(const Napi::Value& value, const char* name) {
  return typed_array_arg(value, name, "a Float32Array or Float64Array", {napi_float32_array, napi_float64_array});
}

ValueType float_type_of(const ArrayArg& array) {
  return array.type == napi_float32_array ? ValueType::kFloat32 : ValueType::kFloat64;
}

}  // namespace

PoolBackwardCall parse_pool_backward_args(const Napi::CallbackInfo& info, int* threads) {
  check_arg_count(info, 5, "maxPool2dBackward(gradOutput, indices, gradInput, plan, threads)");
  const Napi::Env env = info.Env();
  const ArrayArg grad_output = float_array_arg(info[0], "gradOutput");
  const ArrayArg indices = index_array_arg(info[1], "indices", "a BigInt64Array or Int32Array");
  const ArrayArg grad_input = float_array_arg(info[2], "gradInput");
  check_same_type(info[2], grad_input, "gradInput", grad_output, "gradOutput");
  double fields[kPoolPlanLength];
  read_plan(info[3], fields, kPoolPlanLength);
  *threads = parse_thread_count(info[4], "threads", 0);

  PoolBackwardCall call{};
  if (PlanError error = decode_pool_plan(fields, &call.plan)) throw_range_error(env, kErrOutOfRange, error.message);
  const PoolPlan& plan = call.plan;
  check_length(env, grad_output, "gradOutput", plan.output_length, "planes * OH * OW");
  check_length(env, indices, "indices", plan.output_length, "planes * OH * OW");
  check_length(env, grad_input, "gradInput", plan.input_length, "planes * H * W");
  check_disjoint(env, grad_output, "gradOutput", grad_input, "gradInput");
  check_disjoint(env, indices, "indices", grad_input, "gradInput");

  call.value_type = float_type_of(grad_output);
  call.index_type = index_type_of(indices);
  call.grad_output = grad_output.data;
  call.indices = indices.data;
  call.grad_input = grad_input.data;
  return call;
}

UnpoolBackwardCall parse_unpool_backward_args(const Napi::CallbackInfo& info, int* threads) {
  check_arg_count(info, 5, "maxUnpool2dBackward(gradOutput, indices, gradInput, plan, threads)");
  const Napi::Env env = info.Env();
  const ArrayArg grad_output = float_array_arg(info[0], "gradOutput");
  const ArrayArg indices = index_array_arg(info[1], "indices", "a BigInt64Array or Int32Array");
  const ArrayArg grad_input = float_array_arg(info[2], "gradInput");
  check_same_type(info[2], grad_input, "gradInput", grad_output, "gradOutput");
  double fields[kUnpoolPlanLength];
  read_plan(info[3], fields, kUnpoolPlanLength);
  *threads = parse_thread_count(info[4], "threads", 0);

  UnpoolBackwardCall call{};
  if (PlanError error = decode_unpool_plan(fields, &call.plan)) throw_range_error(env, kErrOutOfRange, error.message);
  const UnpoolPlan& plan = call.plan;
  check_length(env, grad_output, "gradOutput", plan.output_length, "planes * OH * OW");
  check_length(env, indices, "indices", plan.input_length, "planes * IH * IW");
  check_length(env, grad_input, "gradInput", plan.input_length, "planes * IH * IW");
  check_disjoint(env, grad_output, "gradOutput", grad_input, "gradInput");
  check_disjoint(env, indices, "indices", grad_input, "gradInput");

  call.value_type = float_type_of(grad_output);
  call.index_type = index_type_of(indices);
  call.grad_output = grad_output.data;
  call.indices = indices.data;
  call.grad_input = grad_input.data;
  return call;
}

AdaptiveCall parse_adaptive_args(const Napi::CallbackInfo& info, int* threads) {
  check_arg_count(info, 5, "adaptiveMaxPool2d(input, output, indices, plan, threads)");
  const Napi::Env env = info.Env();
  const ArrayArg input = float_array_arg(info[0], "input");
  const ArrayArg output = float_array_arg(info[1], "output");
  check_same_type(info[1], output, "output", input, "input");
  const bool has_indices = !info[2].IsNull();
  ArrayArg indices;
  if (has_indices) indices = index_array_arg(info[2], "indices", "a BigInt64Array, an Int32Array or null");
  double fields[kAdaptivePlanLength];
  read_plan(info[3], fields, kAdaptivePlanLength);
  *threads = parse_thread_count(info[4], "threads", 0);

  AdaptiveCall call{};
  if (PlanError error = decode_adaptive_plan(fields, &call.plan)) {
    throw_range_error(env, kErrOutOfRange, error.message);
  }
  const AdaptivePlan& plan = call.plan;
  if (has_indices && indices.type == napi_int32_array && plan.in_plane_size > INT32_MAX) {
    throw_range_error(env, kErrOutOfRange,
                      "Int32Array indices cannot address an input plane of " + std::to_string(plan.in_h) + "x" +
                          std::to_string(plan.in_w) + " (" + std::to_string(plan.in_plane_size) +
                          " elements, more than 2^31 - 1); pass a BigInt64Array");
  }
  check_length(env, input, "input", plan.input_length, "planes * H * W");
  check_length(env, output, "output", plan.output_length, "planes * OH * OW");
  if (has_indices) {
    check_length(env, indices, "indices", plan.output_length, "planes * OH * OW");
    check_disjoint(env, input, "input", indices, "indices");
    check_disjoint(env, output, "output", indices, "indices");
  }
  check_disjoint(env, input, "input", output, "output");

  call.value_type = float_type_of(input);
  call.index_type = has_indices ? index_type_of(indices) : IndexType::kNone;
  call.input = input.data;
  call.output = output.data;
  call.indices = has_indices ? indices.data : nullptr;
  return call;
}

}  // namespace maxpool2d
