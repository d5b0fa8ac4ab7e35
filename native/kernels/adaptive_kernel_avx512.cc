// The adaptive kernel (adaptive_kernel.cc) compiled with AVX-512 flags: adaptive_planes_avx512. Used when the
// environment's kernel table is avx512 (adaptive_op.cc), so only on CPUs dispatch.cc found AVX-512 F/BW/VL/DQ on.
#define MAXPOOL2D_ADAPTIVE_ISA_AVX512 1
#include "adaptive_kernel.cc"
