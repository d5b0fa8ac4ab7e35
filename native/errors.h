// Coded JS errors. Every failure the binding reports is a TypeError, RangeError or Error carrying a
// Node-style `code`, so callers (and lib/errors.ts) can branch on the code instead of the message.
// The helpers throw Napi::Error, which node-addon-api turns into a pending JS exception.
#pragma once

#include <napi.h>

#include <string>

namespace maxpool2d {

// The code strings, shared with lib/errors.ts.
constexpr const char* kErrInvalidArgType = "ERR_INVALID_ARG_TYPE";        // TypeError: wrong JS kind
constexpr const char* kErrArgCount = "ERR_MAXPOOL2D_ARG_COUNT";            // TypeError: wrong arity
constexpr const char* kErrOutOfRange = "ERR_OUT_OF_RANGE";                 // RangeError: bad value
constexpr const char* kErrBufferLength = "ERR_MAXPOOL2D_BUFFER_LENGTH";    // RangeError: length != plan
constexpr const char* kErrAliasing = "ERR_MAXPOOL2D_ALIASING";             // RangeError: buffers overlap
constexpr const char* kErrInvalidIndex = "ERR_MAXPOOL2D_INVALID_INDEX";    // RangeError: unpool index
constexpr const char* kErrInternal = "ERR_MAXPOOL2D_INTERNAL";             // Error: should not happen

// A coded RangeError to reject a Promise with (async paths must not throw).
Napi::Error make_range_error(Napi::Env env, const char* code, const std::string& message);

[[noreturn]] void throw_type_error(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void throw_range_error(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void throw_internal_error(Napi::Env env, const std::string& message);

}  // namespace maxpool2d
