/**
 * Pure TypeScript max unpooling: validate every index, then zero-fill and scatter.
 */
import { MaxPoolRangeError } from '../errors';
import type { UnpoolPlan } from '../geometry';
import type { FloatArray, IndexArray } from '../tensor';

/** Throws a RangeError naming the first index outside `[0, OH * OW)`; writes nothing. */
export function checkUnpoolIndices(plan: UnpoolPlan, indices: IndexArray): void {
  const limit = plan.OH * plan.OW;
  if (indices instanceof Int32Array) {
    for (let i = 0; i < indices.length; i++) {
      const v = indices[i];
      if (v < 0 || v >= limit) throw badIndex(plan, i, v);
    }
  } else {
    const big = BigInt(limit);
    for (let i = 0; i < indices.length; i++) {
      const v = indices[i];
      if (v < 0n || v >= big) throw badIndex(plan, i, v);
    }
  }
}

function badIndex(plan: UnpoolPlan, position: number, value: number | bigint): MaxPoolRangeError {
  return new MaxPoolRangeError(
    'ERR_MAXPOOL2D_INVALID_INDEX',
    `indices[${position}] = ${value} is out of range for an output plane of ${plan.OH}x${plan.OW} ` +
      `(${plan.OH * plan.OW} elements)`,
  );
}

function wordsOf(a: FloatArray): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
}

/** Scatters planes `[planeStart, planeEnd)`; the indices must have been checked and the output zero-filled. */
export function scatterJs(
  plan: UnpoolPlan,
  input: FloatArray,
  indices: IndexArray,
  output: FloatArray,
  planeStart = 0,
  planeEnd = plan.planes,
): void {
  const inPlane = plan.IH * plan.IW;
  const outPlane = plan.OH * plan.OW;
  // Copy through 32-bit words so NaN payloads survive exactly.
  const words = input instanceof Float32Array ? 1 : 2;
  const src = wordsOf(input);
  const dst = wordsOf(output);
  for (let p = planeStart; p < planeEnd; p++) {
    const inBase = p * inPlane;
    const outBase = p * outPlane;
    for (let i = 0; i < inPlane; i++) {
      const to = (outBase + Number(indices[inBase + i])) * words;
      const from = (inBase + i) * words;
      dst[to] = src[from];
      if (words === 2) dst[to + 1] = src[from + 1];
    }
  }
}

export function unpoolJs(plan: UnpoolPlan, input: FloatArray, indices: IndexArray, output: FloatArray): void {
  checkUnpoolIndices(plan, indices);
  output.fill(0);
  scatterJs(plan, input, indices, output);
}
