// The generic kernels (maxpool_generic.cc) compiled with AVX2 flags: wider integer max / select vectors and
// AVX2 float conversions. Used when the active kernel table is avx2 or avx512 (pool_op.cc), so only on CPUs
// dispatch.cc found AVX2 + FMA on.
#define MAXPOOL2D_GENERIC_AVX2 1
#include "maxpool_generic.cc"
