#include "errors.h"

namespace maxpool2d {
namespace {

Napi::Error with_code(Napi::Error error, const char* code) {
  error.Set("code", code);
  return error;
}

}  // namespace

Napi::Error make_range_error(Napi::Env env, const char* code, const std::string& message) {
  return with_code(Napi::RangeError::New(env, message), code);
}

void throw_type_error(Napi::Env env, const char* code, const std::string& message) {
  throw with_code(Napi::TypeError::New(env, message), code);
}

void throw_range_error(Napi::Env env, const char* code, const std::string& message) {
  throw make_range_error(env, code, message);
}

void throw_internal_error(Napi::Env env, const std::string& message) {
  throw with_code(Napi::Error::New(env, "maxpool2d internal error: " + message), kErrInternal);
}

}  // namespace maxpool2d
