// Kernels for what the per-ISA float tables (kernel_api.h) do not cover: the integer and half dtypes in NCHW,
// and every dtype in NHWC. One translation unit (maxpool_generic.cc) compiled without ISA flags; its inner
// loops are written branch-free over contiguous memory so the compiler vectorises them at the baseline ISA.
//
// Semantics are kernel_api.h's, with these per-dtype rules (PyTorch):
//  - integers: compared as they are; a window starts from the type's lowest value (an empty window yields it);
//  - float16 / bfloat16: compared by value after conversion to float (-0 == +0; `v > m || v != v`); the
//    winner's exact bits are stored; an empty window yields -inf.
#pragma once
#include <cstdint>

#include "kernel_api.h"

namespace maxpool2d {

enum class ElemType : int { kFloat32, kFloat64, kInt8, kUint8, kInt16, kUint16, kInt32, kFloat16, kBFloat16 };

// Bytes per element of `type`.
int elem_size(ElemType type);

// NCHW, one plane, output rows [oh0, oh1): integer and half types only (floats use the ISA tables).
void pool_nchw_generic(ElemType type, const PoolGeom& g, const void* in, void* out, int64_t* idx64,
                       int32_t* idx32, int64_t oh0, int64_t oh1);

// NHWC, every dtype: `in` holds N*H*W*C elements, `out` / idx N*OH*OW*C. Pools output rows r in [r0, r1),
// where r = n * OH + oh, vectorised across the C contiguous channels.
void pool_nhwc(ElemType type, const PoolGeom& g, int64_t C, const void* in, void* out, int64_t* idx64,
               int32_t* idx32, int64_t r0, int64_t r1);

// NCHW float16 / bfloat16, one plane, through the float32 kernel `f32` (maxpool_half.cc, see half_embed.h):
// exact, and as fast as `f32` plus two conversion passes. Falls back to pool_nchw_generic without memory.
void pool_nchw_half(ElemType type, PoolF32Fn f32, const PoolGeom& g, const void* in, void* out, int64_t* idx64,
                    int32_t* idx32, int64_t oh0, int64_t oh1);

#if defined(__x86_64__) || defined(_M_X64)
// AVX-512 (F/BW/VL/DQ) kernels (maxpool_generic_avx512.cc), only for CPUs with them: the integer types in
// NCHW natively (returns false for a type or geometry it leaves to the generic kernels), and the halves
// through `f32` with vector converters.
bool pool_nchw_int_avx512(ElemType type, const PoolGeom& g, const void* in, void* out, int64_t* idx64,
                          int32_t* idx32, int64_t oh0, int64_t oh1);
// NHWC on AVX-512 (maxpool_nhwc_avx512.cc): every dtype with channel vectors in registers, stride-1 rows
// (sH == 1, 9+ taps) through a separable rows-first pass; calls whose positions could exceed int32 go to
// pool_nhwc_avx2.
void pool_nhwc_avx512(ElemType type, const PoolGeom& g, int64_t C, const void* in, void* out, int64_t* idx64,
                      int32_t* idx32, int64_t r0, int64_t r1);
// Whether pool_nhwc_avx512 takes the separable path for (type, g): then channel ranges split work without the
// overlap that row ranges cost (each row range recomputes kH - 1 rows), see pool_op.cc.
bool pool_nhwc_avx512_separable(ElemType type, const PoolGeom& g);
// pool_nhwc_avx512 for channels [c0, c1) of every pixel only (0 <= c0 <= c1 <= C; C stays the pixel stride).
// Only for calls pool_nhwc_avx512_separable accepts.
void pool_nhwc_avx512_channels(ElemType type, const PoolGeom& g, int64_t C, int64_t c0, int64_t c1, const void* in,
                               void* out, int64_t* idx64, int32_t* idx32, int64_t r0, int64_t r1);
void pool_nchw_half_avx512(ElemType type, PoolF32Fn f32, const PoolGeom& g, const void* in, void* out,
                           int64_t* idx64, int32_t* idx32, int64_t oh0, int64_t oh1);

// The same, compiled with -mavx2 -mfma (maxpool_generic_avx2.cc): only for CPUs with AVX2 + FMA.
void pool_nchw_generic_avx2(ElemType type, const PoolGeom& g, const void* in, void* out, int64_t* idx64,
                            int32_t* idx32, int64_t oh0, int64_t oh1);
void pool_nhwc_avx2(ElemType type, const PoolGeom& g, int64_t C, const void* in, void* out, int64_t* idx64,
                    int32_t* idx32, int64_t r0, int64_t r1);
#endif

}  // namespace maxpool2d
