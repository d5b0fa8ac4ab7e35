/**
 * Pure TypeScript adaptive max pooling, the reference for native/kernels/adaptive_kernel.cc: each output scans
 * its bin (PyTorch's bounds, `adaptiveBins`) rows then columns from -Infinity and the bin's first element,
 * replacing the maximum when `v > max || isNaN(v)`. Integers compare as they are (bins are never empty, so the
 * start value never shows); float16 / bfloat16 bits by their decoded value. The winner's bits are copied exactly.
 */
import type { AdaptivePlan } from '../adaptive';
import { bf16Table, f16Table } from '../half';
import type { DType, FloatArray, IndexArray, ValueArray } from '../tensor';

/**
 * PyTorch's bins for `out` outputs over `size` inputs (aten/src/ATen/native/AdaptivePooling.h):
 * `[start, end)` with `start = floor(i * size / out)`, `end = ceil((i + 1) * size / out)`, exact: a double
 * quotient floors correctly while `out * size` stays below 2^50, BigInt beyond. Returns `out` starts, then `out` ends.
 */
export function adaptiveBins(out: number, size: number): Float64Array {
  const bins = new Float64Array(2 * out);
  if (out * size < 2 ** 50) {
    for (let i = 0; i < out; i++) {
      bins[i] = Math.floor((i * size) / out);
      bins[out + i] = Math.floor(((i + 1) * size + out - 1) / out);
    }
  } else {
    const b = BigInt(out);
    const c = BigInt(size);
    for (let i = 0; i < out; i++) {
      const a = BigInt(i);
      bins[i] = Number((a * c) / b);
      bins[out + i] = Number(((a + 1n) * c + b - 1n) / b);
    }
  }
  return bins;
}

/** Copies element `from` of `src` to element `to` of `dst` bit for bit (keeps NaN payloads). */
function copyBits(src: FloatArray, from: number, dst: FloatArray, to: number): void {
  const words = src instanceof Float32Array ? 1 : 2;
  const a = new Uint32Array(src.buffer, src.byteOffset + from * 4 * words, words);
  const b = new Uint32Array(dst.buffer, dst.byteOffset + to * 4 * words, words);
  b.set(a);
}

/**
 * Pools planes `[planeStart, planeEnd)` (all by default); writes plane-local indices when `indices` is set. Halves
 * compare decoded values, every other dtype its elements; the winner is copied bit for bit (a float NaN through an
 * integer view: a JS number may not keep its payload).
 */
export function adaptiveJs(
  plan: AdaptivePlan,
  input: ValueArray,
  output: ValueArray,
  indices: IndexArray | null,
  dtype: DType,
  planeStart = 0,
  planeEnd = plan.planes,
): void {
  const { H, W, OH, OW } = plan;
  const rows = adaptiveBins(OH, H);
  const cols = adaptiveBins(OW, W);
  const float = input instanceof Float32Array || input instanceof Float64Array;
  const dec = dtype === 'float16' ? f16Table() : dtype === 'bfloat16' ? bf16Table() : null;
  const idx64 = indices instanceof BigInt64Array ? indices : null;
  const idx32 = indices instanceof Int32Array ? indices : null;
  for (let plane = planeStart; plane < planeEnd; plane++) {
    const base = plane * H * W;
    let o = plane * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = rows[oh];
      const h1 = rows[OH + oh];
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = cols[ow];
        const w1 = cols[OW + ow];
        let m = Number.NEGATIVE_INFINITY;
        let at = base + h0 * W + w0;
        for (let h = h0; h < h1; h++) {
          const row = base + h * W;
          for (let p = row + w0, end = row + w1; p < end; p++) {
            const v = dec ? dec[input[p]] : input[p];
            if (v > m || v !== v) {
              m = v;
              at = p;
            }
          }
        }
        if (float && m !== m) copyBits(input as FloatArray, at, output as FloatArray, o);
        else output[o] = input[at];
        if (idx64) idx64[o] = BigInt(at - base);
        else if (idx32) idx32[o] = at - base;
      }
    }
  }
}
