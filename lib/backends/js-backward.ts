/**
 * Pure TypeScript backward passes, the reference for native/backward_op.cc:
 * - max pooling: zero-fill, then `gradInput[p][indices[p][i]] += gradOutput[p][i]` for i in order, plane by
 *   plane (PyTorch's order, so the float sums round the same way); float16 / bfloat16 add in float32 and round
 *   back to the half type after every add, as PyTorch's CPU kernel does (it accumulates in the tensor's type);
 * - max unpooling: the gather `gradInput[p][i] = gradOutput[p][indices[p][i]]`, copied bit for bit (any dtype).
 * Every index is checked before anything is written.
 */
import type { PoolPlan, UnpoolPlan } from '../geometry';
import { bf16FromFloat, bf16Table, f16FromFloat, f16Table } from '../half';
import type { DType, FloatArray, HalfDType, IndexArray, ValueArray } from '../tensor';
import { checkPlaneIndices, checkUnpoolIndices } from './js-unpool';

/** Throws a RangeError naming the first index outside `[0, H * W)`; writes nothing. */
export function checkPoolBackwardIndices(plan: PoolPlan, indices: IndexArray): void {
  checkPlaneIndices(indices, plan.H, plan.W, 'input');
}

function wordsOf(a: ValueArray): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
}

/**
 * Stores the NaN that `acc + g` gives on x86-64 (`addss acc, g`), which native/backward_op.cc writes out the
 * same way so that neither the JIT's operand order nor the CPU's default NaN can change the bits:
 * a NaN `acc` stays (nothing to store); else a NaN `g` is stored quieted; else (inf + -inf) the negative quiet NaN.
 */
function storeNaNSum(acc: number, src: Uint32Array, from: number, dst: Uint32Array, to: number, words: number) {
  if (acc !== acc) return;
  const hi = words - 1;
  const gIsNaN =
    words === 1
      ? (src[from] & 0x7fffffff) > 0x7f800000
      : (src[from + 1] & 0x7fffffff) > 0x7ff00000 || ((src[from + 1] & 0x7fffffff) === 0x7ff00000 && src[from] !== 0);
  if (gIsNaN) {
    if (words === 2) dst[to] = src[from];
    dst[to + hi] = src[from + hi] | (words === 1 ? 0x00400000 : 0x00080000);
  } else {
    if (words === 2) dst[to] = 0;
    dst[to + hi] = words === 1 ? 0xffc00000 : 0xfff80000;
  }
}

/**
 * Zero-fills planes `[planeStart, planeEnd)` of `gradInput` and accumulates `gradOutput` into them; the
 * indices must have been checked. A float32 sum is computed in float64 and rounded once on the store, which
 * equals float32 addition (double rounding is harmless for a single add).
 */
export function poolBackwardJs(
  plan: PoolPlan,
  gradOutput: FloatArray,
  indices: IndexArray,
  gradInput: FloatArray,
  planeStart = 0,
  planeEnd = plan.planes,
): void {
  const inPlane = plan.H * plan.W;
  const outPlane = plan.OH * plan.OW;
  const words = gradOutput instanceof Float32Array ? 1 : 2;
  const src = wordsOf(gradOutput);
  const dst = wordsOf(gradInput);
  const idx32 = indices instanceof Int32Array ? indices : null;
  const idx64 = indices instanceof BigInt64Array ? indices : null;
  gradInput.fill(0, planeStart * inPlane, planeEnd * inPlane);
  for (let p = planeStart; p < planeEnd; p++) {
    const inBase = p * inPlane;
    const outBase = p * outPlane;
    for (let i = outBase, end = outBase + outPlane; i < end; i++) {
      const at = inBase + (idx32 ? idx32[i] : Number(idx64![i]));
      const acc = gradInput[at];
      const sum = acc + gradOutput[i];
      if (sum === sum) gradInput[at] = sum;
      else storeNaNSum(acc, src, i * words, dst, at * words, words);
    }
  }
}

/**
 * `poolBackwardJs` for float16 / bfloat16 bits: each add is the float32 sum of the two decoded values (a double
 * sum rounded once to float32 is the float32 sum) rounded to the half type. A NaN sum is stored as the
 * conversion gives it: bfloat16 0x7fc0; float16 0x7e00 with the sign of x86-64's NaN (native/backward_op.cc:
 * a NaN accumulator's, else a NaN gradient's, else negative for inf + -inf).
 */
export function poolBackwardHalfJs(
  plan: PoolPlan,
  gradOutput: Uint16Array,
  indices: IndexArray,
  gradInput: Uint16Array,
  dtype: HalfDType,
  planeStart = 0,
  planeEnd = plan.planes,
): void {
  const inPlane = plan.H * plan.W;
  const outPlane = plan.OH * plan.OW;
  const f16 = dtype === 'float16';
  const dec = f16 ? f16Table() : bf16Table();
  const enc = f16 ? f16FromFloat : bf16FromFloat;
  const idx32 = indices instanceof Int32Array ? indices : null;
  const idx64 = indices instanceof BigInt64Array ? indices : null;
  gradInput.fill(0, planeStart * inPlane, planeEnd * inPlane);
  for (let p = planeStart; p < planeEnd; p++) {
    const inBase = p * inPlane;
    const outBase = p * outPlane;
    for (let i = outBase, end = outBase + outPlane; i < end; i++) {
      const at = inBase + (idx32 ? idx32[i] : Number(idx64![i]));
      const acc = gradInput[at];
      const g = gradOutput[i];
      const sum = dec[acc] + dec[g];
      if (sum === sum) gradInput[at] = enc(Math.fround(sum));
      else if (!f16) gradInput[at] = 0x7fc0;
      else {
        const a = dec[acc];
        const sign = a !== a ? acc & 0x8000 : dec[g] !== dec[g] ? g & 0x8000 : 0x8000;
        gradInput[at] = sign | 0x7e00;
      }
    }
  }
}

/** Checks, zero-fills and accumulates: the JS backend's `maxPool2dBackward`. */
export function maxPool2dBackwardJs(
  plan: PoolPlan,
  gradOutput: ValueArray,
  indices: IndexArray,
  gradInput: ValueArray,
  dtype: DType,
): void {
  checkPoolBackwardIndices(plan, indices);
  if (dtype === 'float16' || dtype === 'bfloat16') {
    poolBackwardHalfJs(plan, gradOutput as Uint16Array, indices, gradInput as Uint16Array, dtype);
  } else poolBackwardJs(plan, gradOutput as FloatArray, indices, gradInput as FloatArray);
}

/** Gathers planes `[planeStart, planeEnd)` of any dtype; the indices must have been checked. */
export function unpoolBackwardJs(
  plan: UnpoolPlan,
  gradOutput: ValueArray,
  indices: IndexArray,
  gradInput: ValueArray,
  planeStart = 0,
  planeEnd = plan.planes,
): void {
  const inPlane = plan.IH * plan.IW;
  const outPlane = plan.OH * plan.OW;
  // Floats through 32-bit words so NaN payloads survive exactly; integer (and half) elements as they are.
  const float = gradOutput instanceof Float32Array || gradOutput instanceof Float64Array;
  const words = gradOutput instanceof Float64Array ? 2 : 1;
  const src = float ? wordsOf(gradOutput) : gradOutput;
  const dst = float ? wordsOf(gradInput) : gradInput;
  for (let p = planeStart; p < planeEnd; p++) {
    const inBase = p * inPlane;
    const outBase = p * outPlane;
    for (let i = inBase, end = inBase + inPlane; i < end; i++) {
      const from = (outBase + Number(indices[i])) * words;
      const to = i * words;
      dst[to] = src[from];
      if (words === 2) dst[to + 1] = src[from + 1];
    }
  }
}

/** Checks (the unpool's wording: an index into the output plane) and gathers. */
export function maxUnpool2dBackwardJs(
  plan: UnpoolPlan,
  gradOutput: ValueArray,
  indices: IndexArray,
  gradInput: ValueArray,
): void {
  checkUnpoolIndices(plan, indices);
  unpoolBackwardJs(plan, gradOutput, indices, gradInput);
}
