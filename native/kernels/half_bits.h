// Float bit casts and the exact float16 -> float decode, shared by the generic kernels, the half embedding and the
// backward op. Everything is in an anonymous namespace, so each translation unit (each built with its own ISA
// flags) gets its own copy and no inline function is shared across ISAs.
#pragma once

#include <cstdint>
#include <cstring>

namespace maxpool2d {
namespace {

inline float float_of_bits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline uint32_t bits_of_float(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

// Branch-free float16 -> float (the FP16 library's method, as c10::Half): exact for every input; a NaN stays a NaN
// (its payload may change, which does not matter where results copy the input's bits).
inline float f16_to_float(uint16_t h) {
  const uint32_t w = static_cast<uint32_t>(h) << 16;
  const uint32_t sign = w & 0x80000000u;
  const uint32_t two_w = w + w;
  // Normal, inf and NaN: rebias the exponent by multiplying by 2^-112.
  const float normalized = float_of_bits((two_w >> 4) + (0xe0u << 23)) * 0x1.0p-112f;
  // Subnormal and zero: the mantissa as the low bits of 0.5's significand, minus 0.5.
  const float denormalized = float_of_bits((two_w >> 17) | (126u << 23)) - 0.5f;
  const uint32_t magnitude = two_w < (1u << 27) ? bits_of_float(denormalized) : bits_of_float(normalized);
  return float_of_bits(sign | magnitude);
}

}  // namespace
}  // namespace maxpool2d
