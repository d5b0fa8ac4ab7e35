// The adaptive kernel (adaptive_kernel.cc) compiled with AVX2 flags: adaptive_planes_avx2. Used when the
// environment's kernel table is avx2 (adaptive_op.cc), so only on CPUs dispatch.cc found AVX2 + FMA on.
#define MAXPOOL2D_ADAPTIVE_ISA_AVX2 1
#include "adaptive_kernel.cc"
