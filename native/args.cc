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

// The optional `freshOutput` flag of maxPool2d: undefined is false.
bool fresh_output_flag(const Napi::Value& value) {
  if (value.IsUndefined()) return false;
  if (!value.IsBoolean()) {
    throw_type_error(value.Env(), kErrInvalidArgType,
                     "The \"freshOutput\" argument must be of type boolean. Received " + describe(value));
  }
  return value.As<Napi::Boolean>().Value();
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

namespace {

// Where an op takes its index buffer: maxPool2d / adaptiveMaxPool2d write it (input, output, indices | null, ...);
// maxUnpool2d and the backward ops read it (values, indices, written values, ...).
enum class IndicesAt { kWritten, kRead };

// One op's argument layout: the signature for arity errors, the names of arguments 0-2 and the value kinds.
struct OpShape {
  const char* signature;
  size_t max_args;  // 5 plus the optional trailing ones
  IndicesAt indices_at;
  const char* names[3];  // in argument order
  const char* values_expected;
  std::initializer_list<napi_typedarray_type> value_kinds;
};

// Arguments 0-4 of any op: values, indices and plan read and checked for kinds (the two value buffers share a
// TypedArray kind), the plan copied into `fields`, the thread count into `threads`.
struct OpArgs {
  ArrayArg in;   // the values read
  ArrayArg out;  // the values written
  ArrayArg idx;
  bool has_idx = true;                     // an index array was passed
  bool fresh_out = false;                  // async: output null, the addon allocates it
  IndexType fresh_idx = IndexType::kNone;  // async: indices "int64" / "int32", the addon allocates them
};

// `allow_fresh` (async forms): the written values may be null and written indices "int64" / "int32".
OpArgs read_op_args(const Napi::CallbackInfo& info, const OpShape& op, double* fields, size_t field_count,
                    int* threads, bool allow_fresh = false) {
  check_arg_count(info, 5, op.max_args, op.signature);
  OpArgs args;
  args.in = typed_array_arg(info[0], op.names[0], op.values_expected, op.value_kinds);
  const size_t out_at = op.indices_at == IndicesAt::kWritten ? 1 : 2;
  args.fresh_out = allow_fresh && info[out_at].IsNull();
  if (!args.fresh_out) {
    args.out = typed_array_arg(info[out_at], op.names[out_at], op.values_expected, op.value_kinds);
    check_same_type(info[out_at], args.out, op.names[out_at], args.in, op.names[0]);
  }
  if (op.indices_at == IndicesAt::kWritten) {
    if (allow_fresh && info[2].IsString()) {
      args.fresh_idx = fresh_index_type(info[2]);
      args.has_idx = false;
    } else {
      args.has_idx = !info[2].IsNull();
      if (args.has_idx) args.idx = index_array_arg(info[2], op.names[2], "a BigInt64Array, an Int32Array or null");
    }
  } else {
    args.idx = index_array_arg(info[1], op.names[1], "a BigInt64Array or Int32Array");
  }
  read_plan(info[3], fields, field_count);
  *threads = parse_thread_count(info[4], "threads", 0);
  return args;
}

// Element counts each buffer must have, with the plan formula the message names.
struct Lengths {
  int64_t in;
  const char* in_formula;
  int64_t out;
  const char* out_formula;
  int64_t idx;
  const char* idx_formula;
};

// Lengths in argument order, then no written buffer may overlap another one.
void check_buffers(Napi::Env env, const OpShape& op, const OpArgs& args, const Lengths& n) {
  // A fresh buffer (fresh_out, fresh_idx) does not exist yet: the addon allocates it at the plan's length.
  check_length(env, args.in, op.names[0], n.in, n.in_formula);
  if (op.indices_at == IndicesAt::kWritten) {
    if (!args.fresh_out) check_length(env, args.out, op.names[1], n.out, n.out_formula);
    if (args.has_idx) {
      check_length(env, args.idx, op.names[2], n.idx, n.idx_formula);
      check_disjoint(env, args.in, op.names[0], args.idx, op.names[2]);
      if (!args.fresh_out) check_disjoint(env, args.out, op.names[1], args.idx, op.names[2]);
    }
    if (!args.fresh_out) check_disjoint(env, args.in, op.names[0], args.out, op.names[1]);
  } else {
    check_length(env, args.idx, op.names[1], n.idx, n.idx_formula);
    if (!args.fresh_out) {
      check_length(env, args.out, op.names[2], n.out, n.out_formula);
      check_disjoint(env, args.in, op.names[0], args.out, op.names[2]);
      check_disjoint(env, args.idx, op.names[1], args.out, op.names[2]);
    }
  }
}

// The index width of the call: of the index array passed, or asked for (fresh), or none.
IndexType indices_type(const OpArgs& args) {
  if (args.fresh_idx != IndexType::kNone) return args.fresh_idx;
  return args.has_idx ? index_type_of(args.idx) : IndexType::kNone;
}

// An Int32Array holds indices up to 2^31 - 1: refuses one that must address a larger plane.
void check_index_width(Napi::Env env, const OpArgs& args, const char* plane, int64_t h, int64_t w, int64_t size,
                       int64_t limit, const char* limit_text) {
  if (indices_type(args) != IndexType::kInt32 || size <= limit) return;
  throw_range_error(env, kErrOutOfRange,
                    std::string("Int32Array indices cannot address an ") + plane + " of " + std::to_string(h) + "x" +
                        std::to_string(w) + " (" + std::to_string(size) + " elements, more than " + limit_text +
                        "); pass a BigInt64Array");
}

const char* const kValueKinds =
    "a Float32Array, Float64Array, Int8Array, Uint8Array, Int16Array, Uint16Array or Int32Array";
#define MAXPOOL2D_VALUE_KINDS                                                                                   \
  {napi_float32_array, napi_float64_array, napi_int8_array, napi_uint8_array, napi_int16_array, napi_uint16_array, \
   napi_int32_array}

const OpShape kPoolShape{"maxPool2d(input, output, indices, plan, threads, dtype?, channels?, freshOutput?)", 8,
                         IndicesAt::kWritten, {"input", "output", "indices"}, kValueKinds, MAXPOOL2D_VALUE_KINDS};
const OpShape kUnpoolShape{"maxUnpool2d(input, indices, output, plan, threads, dtype?, channels?)", 7,
                           IndicesAt::kRead, {"input", "indices", "output"}, kValueKinds, MAXPOOL2D_VALUE_KINDS};
const OpShape kAdaptiveShape{"adaptiveMaxPool2d(input, output, indices, plan, threads, dtype?)", 6,
                             IndicesAt::kWritten, {"input", "output", "indices"}, kValueKinds, MAXPOOL2D_VALUE_KINDS};
// The pool's gradient exists for the floating dtypes: float32, float64, and float16 / bfloat16 bits.
const OpShape kPoolBackwardShape{"maxPool2dBackward(gradOutput, indices, gradInput, plan, threads, dtype?)", 6,
                                 IndicesAt::kRead, {"gradOutput", "indices", "gradInput"},
                                 "a Float32Array, Float64Array or Uint16Array (float16 / bfloat16 bits)",
                                 {napi_float32_array, napi_float64_array, napi_uint16_array}};
// The unpool's gradient is a gather: it copies any dtype.
const OpShape kUnpoolBackwardShape{"maxUnpool2dBackward(gradOutput, indices, gradInput, plan, threads, dtype?)", 6,
                                   IndicesAt::kRead, {"gradOutput", "indices", "gradInput"}, kValueKinds,
                                   MAXPOOL2D_VALUE_KINDS};
#undef MAXPOOL2D_VALUE_KINDS

void throw_plan_error(Napi::Env env, const PlanError& error) { throw_range_error(env, kErrOutOfRange, error.message); }

}  // namespace

PoolCall parse_pool_args(const Napi::CallbackInfo& info, int* threads, bool allow_fresh_outputs) {
  double fields[kPoolPlanLength];
  const OpArgs args = read_op_args(info, kPoolShape, fields, kPoolPlanLength, threads, allow_fresh_outputs);
  PoolCall call{};
  if (PlanError error = decode_pool_plan(fields, &call.plan)) throw_plan_error(info.Env(), error);
  const PoolPlan& plan = call.plan;
  check_index_width(info.Env(), args, "input plane", plan.geom.H, plan.geom.W, plan.in_plane_size, INT32_MAX,
                    "2^31 - 1");
  check_buffers(info.Env(), kPoolShape, args,
                {plan.input_length, "planes * H * W", plan.output_length, "planes * OH * OW", plan.output_length,
                 "planes * OH * OW"});
  call.value_type = value_type_of(args.in, optional_arg(info, 5));
  call.channels = channels_of(optional_arg(info, 6), plan.planes);
  call.index_type = indices_type(args);
  call.input = args.in.data;
  call.output = args.out.data;  // null when fresh: the caller allocates it
  // Fresh: every buffer the call writes is allocated for it (the async form's null output and index dtype), or
  // the caller says so.
  call.fresh_output = (args.fresh_out && !args.has_idx) || fresh_output_flag(optional_arg(info, 7));
  call.indices = args.has_idx ? args.idx.data : nullptr;
  return call;
}

UnpoolCall parse_unpool_args(const Napi::CallbackInfo& info, int* threads, bool allow_fresh_output) {
  double fields[kUnpoolPlanLength];
  const OpArgs args = read_op_args(info, kUnpoolShape, fields, kUnpoolPlanLength, threads, allow_fresh_output);
  UnpoolCall call{};
  if (PlanError error = decode_unpool_plan(fields, &call.plan)) throw_plan_error(info.Env(), error);
  const UnpoolPlan& plan = call.plan;
  // An Int32Array holds indices up to 2^31 - 1, which covers an output plane of 2^31 elements.
  check_index_width(info.Env(), args, "output plane", plan.out_h, plan.out_w, plan.out_plane_size,
                    int64_t{1} << 31, "2^31");
  check_buffers(info.Env(), kUnpoolShape, args,
                {plan.input_length, "planes * IH * IW", plan.output_length, "planes * OH * OW", plan.input_length,
                 "planes * IH * IW"});
  call.value_type = value_type_of(args.in, optional_arg(info, 5));
  call.channels = channels_of(optional_arg(info, 6), plan.planes);
  call.index_type = index_type_of(args.idx);
  call.input = args.in.data;
  call.indices = args.idx.data;
  call.output = args.out.data;
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

PoolBackwardCall parse_pool_backward_args(const Napi::CallbackInfo& info, int* threads, bool allow_fresh_output) {
  double fields[kPoolPlanLength];
  const OpArgs args = read_op_args(info, kPoolBackwardShape, fields, kPoolPlanLength, threads, allow_fresh_output);
  PoolBackwardCall call{};
  if (PlanError error = decode_pool_plan(fields, &call.plan)) throw_plan_error(info.Env(), error);
  const PoolPlan& plan = call.plan;
  check_buffers(info.Env(), kPoolBackwardShape, args,
                {plan.output_length, "planes * OH * OW", plan.input_length, "planes * H * W", plan.output_length,
                 "planes * OH * OW"});
  call.value_type = value_type_of(args.in, optional_arg(info, 5));
  if (call.value_type == ValueType::kUint16) {
    throw_type_error(info.Env(), kErrInvalidArgType,
                     "The \"dtype\" argument must be \"float16\" or \"bfloat16\" for a Uint16Array gradient (there "
                     "is no integer gradient)");
  }
  call.index_type = index_type_of(args.idx);
  call.grad_output = args.in.data;
  call.indices = args.idx.data;
  call.grad_input = args.out.data;
  return call;
}

UnpoolBackwardCall parse_unpool_backward_args(const Napi::CallbackInfo& info, int* threads,
                                              bool allow_fresh_output) {
  double fields[kUnpoolPlanLength];
  const OpArgs args = read_op_args(info, kUnpoolBackwardShape, fields, kUnpoolPlanLength, threads, allow_fresh_output);
  UnpoolBackwardCall call{};
  if (PlanError error = decode_unpool_plan(fields, &call.plan)) throw_plan_error(info.Env(), error);
  const UnpoolPlan& plan = call.plan;
  check_buffers(info.Env(), kUnpoolBackwardShape, args,
                {plan.output_length, "planes * OH * OW", plan.input_length, "planes * IH * IW", plan.input_length,
                 "planes * IH * IW"});
  call.value_type = value_type_of(args.in, optional_arg(info, 5));
  call.index_type = index_type_of(args.idx);
  call.grad_output = args.in.data;
  call.indices = args.idx.data;
  call.grad_input = args.out.data;
  return call;
}

AdaptiveCall parse_adaptive_args(const Napi::CallbackInfo& info, int* threads, bool allow_fresh_outputs) {
  double fields[kAdaptivePlanLength];
  const OpArgs args = read_op_args(info, kAdaptiveShape, fields, kAdaptivePlanLength, threads, allow_fresh_outputs);
  AdaptiveCall call{};
  if (PlanError error = decode_adaptive_plan(fields, &call.plan)) throw_plan_error(info.Env(), error);
  const AdaptivePlan& plan = call.plan;
  check_index_width(info.Env(), args, "input plane", plan.in_h, plan.in_w, plan.in_plane_size, INT32_MAX,
                    "2^31 - 1");
  check_buffers(info.Env(), kAdaptiveShape, args,
                {plan.input_length, "planes * H * W", plan.output_length, "planes * OH * OW", plan.output_length,
                 "planes * OH * OW"});
  call.value_type = value_type_of(args.in, optional_arg(info, 5));
  call.index_type = indices_type(args);
  call.input = args.in.data;
  call.output = args.out.data;
  call.indices = args.has_idx ? args.idx.data : nullptr;
  return call;
}

}  // namespace maxpool2d
