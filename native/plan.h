// The plans lib/plan.ts packs into a Float64Array, decoded and checked in plain C++ (no napi), so the
// same checks can serve a future async path. Native re-checks memory safety only: field ranges and
// 64-bit sizes. It never re-derives PyTorch's output-size rule (that lives once, in lib/geometry.ts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kernels/kernel_api.h"

namespace maxpool2d {

// Field order of the pool plan: [planes, H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW].
enum PoolPlanField : int {
  kPoolPlanes, kPoolInH, kPoolInW, kPoolOutH, kPoolOutW,
  kPoolKernelH, kPoolKernelW, kPoolStrideH, kPoolStrideW,
  kPoolPadH, kPoolPadW, kPoolDilationH, kPoolDilationW,
  kPoolPlanLength
};

// Field order of the unpool plan: [planes, IH, IW, OH, OW].
enum UnpoolPlanField : int {
  kUnpoolPlanes, kUnpoolInH, kUnpoolInW, kUnpoolOutH, kUnpoolOutW,
  kUnpoolPlanLength
};

struct PoolPlan {
  int64_t planes;
  PoolGeom geom;
  int64_t in_plane_size;   // H * W
  int64_t out_plane_size;  // OH * OW
  int64_t input_length;    // planes * H * W
  int64_t output_length;   // planes * OH * OW (also the indices length)
};

struct UnpoolPlan {
  int64_t planes;
  int64_t in_h, in_w, out_h, out_w;
  int64_t in_plane_size;   // IH * IW
  int64_t out_plane_size;  // OH * OW
  int64_t input_length;    // planes * IH * IW (also the indices length)
  int64_t output_length;   // planes * OH * OW
};

// Why a plan was rejected; empty `message` means it was accepted. Every rejection is a RangeError.
struct PlanError {
  std::string message;
  explicit operator bool() const { return !message.empty(); }
};

// `fields` must hold kPoolPlanLength / kUnpoolPlanLength doubles (the caller checks the array length).
PlanError decode_pool_plan(const double* fields, PoolPlan* plan);
PlanError decode_unpool_plan(const double* fields, UnpoolPlan* plan);

}  // namespace maxpool2d
