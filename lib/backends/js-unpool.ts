/**
 * Pure TypeScript max unpooling: validate every index, then zero-fill and scatter.
 */
import { MaxPoolRangeError } from '../errors';
import type { UnpoolPlan } from '../geometry';
import type { IndexArray, ValueArray } from '../tensor';

/**
 * Throws a RangeError naming the first index outside a `height x width` plane (`[0, height * width)`); writes
 * nothing. `planeName` says which plane in the message ("input" for pool backward, "output" for unpool).
 */
export function checkPlaneIndices(indices: IndexArray, height: number, width: number, planeName: string): void {
  const limit = height * width;
  const bad = (position: number, value: number | bigint) =>
    new MaxPoolRangeError(
      'ERR_MAXPOOL2D_INVALID_INDEX',
      `indices[${position}] = ${value} is out of range for an ${planeName} plane of ${height}x${width} ` +
        `(${limit} elements)`,
    );
  if (indices instanceof Int32Array) {
    for (let i = 0; i < indices.length; i++) {
      const v = indices[i];
      if (v < 0 || v >= limit) throw bad(i, v);
    }
  } else {
    const big = BigInt(limit);
    for (let i = 0; i < indices.length; i++) {
      const v = indices[i];
      if (v < 0n || v >= big) throw bad(i, v);
    }
  }
}

/** Throws a RangeError naming the first index outside `[0, OH * OW)`; writes nothing. */
export function checkUnpoolIndices(plan: UnpoolPlan, indices: IndexArray): void {
  checkPlaneIndices(indices, plan.OH, plan.OW, 'output');
}

/** 32-bit word views of float arrays (copied through words so NaN payloads survive); null for other dtypes. */
function wordsOf(a: ValueArray): Uint32Array | null {
  if (!(a instanceof Float32Array || a instanceof Float64Array)) return null;
  return new Uint32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
}

/** Scatters planes `[planeStart, planeEnd)`; the indices must have been checked and the output zero-filled. */
export function scatterJs(
  plan: UnpoolPlan,
  input: ValueArray,
  indices: IndexArray,
  output: ValueArray,
  planeStart = 0,
  planeEnd = plan.planes,
): void {
  const inPlane = plan.IH * plan.IW;
  const outPlane = plan.OH * plan.OW;
  // Floats copy through 32-bit words so NaN payloads survive exactly; other dtypes copy exactly as they are.
  const words = input instanceof Float64Array ? 2 : 1;
  const src = wordsOf(input);
  const dst = wordsOf(output);
  // NHWC: plane (n, c) holds elements C apart, starting at n * size * C + c.
  const C = plan.C;
  const cs = plan.layout === 'NHWC' ? C : 1;
  for (let p = planeStart; p < planeEnd; p++) {
    const n = Math.floor(p / C);
    const c = p - n * C;
    const inBase = cs === 1 ? p * inPlane : n * inPlane * C + c;
    const outBase = cs === 1 ? p * outPlane : n * outPlane * C + c;
    for (let i = 0; i < inPlane; i++) {
      const to = outBase + Number(indices[inBase + i * cs]) * cs;
      const from = inBase + i * cs;
      if (src && dst) {
        dst[to * words] = src[from * words];
        if (words === 2) dst[to * 2 + 1] = src[from * 2 + 1];
      } else output[to] = input[from];
    }
  }
}

export function unpoolJs(plan: UnpoolPlan, input: ValueArray, indices: IndexArray, output: ValueArray): void {
  checkUnpoolIndices(plan, indices);
  output.fill(0);
  scatterJs(plan, input, indices, output);
}
