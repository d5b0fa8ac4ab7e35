// float16 / bfloat16 NCHW through the active float32 kernel (half_embed.h), with scalar row converters that
// the compiler vectorises at the baseline ISA. Used on every ISA without a vector converter of its own.
#include "half_embed.h"

namespace maxpool2d {

void pool_nchw_half(ElemType type, PoolF32Fn f32, const PoolGeom& g, const void* in, void* out, int64_t* idx64,
                    int32_t* idx32, int64_t oh0, int64_t oh1) {
  const bool bf16 = type == ElemType::kBFloat16;
  if (!half_via_f32<ScalarHalfConv>(bf16, f32, g, static_cast<const uint16_t*>(in), static_cast<uint16_t*>(out),
                                    idx64, idx32, oh0, oh1)) {
    pool_nchw_generic(type, g, in, out, idx64, idx32, oh0, oh1);
  }
}

}  // namespace maxpool2d
