/**
 * Pure TypeScript max pooling, bit-exact with PyTorch and with the native kernels.
 *
 * Rows first: each input row is reduced once to its per-output-column maxima (value and column), then each
 * output row combines its kH reduced rows in order. Reducing rows before columns keeps PyTorch's scan-order
 * rule (`v > max || isNaN(v)`: first maximum wins, last NaN wins) and shares row work between vertically
 * overlapping windows. Tap ranges are computed once per call, so the loops have no per-tap bounds checks.
 */
import type { PoolPlan } from '../geometry';
import type { FloatArray, IndexArray } from '../tensor';

/** First tap of a window at or after 0: its start stepped by the dilation (PyTorch's index rule). */
function firstTap(start: number, d: number): number {
  return start >= 0 ? start : start + Math.ceil(-start / d) * d;
}

/** Per-output tap ranges `[first, end)` along one axis, clipped to `[0, size)`. */
function tapRanges(outSize: number, size: number, k: number, s: number, p: number, d: number) {
  const first = new Int32Array(outSize);
  const end = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * s - p;
    first[o] = firstTap(start, d);
    end[o] = Math.min(start + (k - 1) * d + 1, size);
  }
  return { first, end };
}

/** A 32-bit word view of a float array, to copy NaN payloads bit for bit. */
function wordsOf(a: FloatArray): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
}

export function poolJs(plan: PoolPlan, input: FloatArray, output: FloatArray, indices: IndexArray | null): void {
  const { H, W, OH, OW, planes } = plan;
  const [, kW] = plan.kernel;
  const [, sW] = plan.stride;
  const [, pW] = plan.padding;
  const [dH, dW] = plan.dilation;
  const rows = tapRanges(OH, H, plan.kernel[0], plan.stride[0], plan.padding[0], dH);
  const cols = tapRanges(OW, W, kW, sW, pW, dW);
  const wFirst = cols.first;
  const wEnd = cols.end;
  // Row maxima of the whole plane: value and the column it came from.
  const rowMax = new Float64Array(H * OW);
  const rowArg = new Int32Array(H * OW);
  const accMax = new Float64Array(OW);
  const accIdx = new Float64Array(OW);
  const words = input instanceof Float32Array ? 1 : 2;
  const inWords = wordsOf(input);
  const outWords = wordsOf(output);
  const idx64 = indices instanceof BigInt64Array ? indices : null;
  const idx32 = indices instanceof Int32Array ? indices : null;
  const planeSize = H * W;
  const outPlaneSize = OH * OW;

  for (let plane = 0; plane < planes; plane++) {
    const inBase = plane * planeSize;
    const outBase = plane * outPlaneSize;
    // Pass 1: reduce every input row over each output column's taps.
    for (let h = 0; h < H; h++) {
      const row = inBase + h * W;
      const dst = h * OW;
      for (let ow = 0; ow < OW; ow++) {
        const w0 = wFirst[ow];
        const w1 = wEnd[ow];
        let m = Number.NEGATIVE_INFINITY;
        let a = w0;
        for (let w = w0; w < w1; w += dW) {
          const v = input[row + w];
          if (v > m || v !== v) {
            m = v;
            a = w;
          }
        }
        rowMax[dst + ow] = m;
        rowArg[dst + ow] = a;
      }
    }
    // Pass 2: combine the reduced rows of each window in order.
    for (let oh = 0; oh < OH; oh++) {
      const h0 = rows.first[oh];
      const h1 = rows.end[oh];
      const startRow = h0 * W;
      for (let ow = 0; ow < OW; ow++) {
        accMax[ow] = Number.NEGATIVE_INFINITY;
        accIdx[ow] = startRow + wFirst[ow];
      }
      for (let h = h0; h < h1; h += dH) {
        const src = h * OW;
        const rowStart = h * W;
        for (let ow = 0; ow < OW; ow++) {
          const v = rowMax[src + ow];
          if (v > accMax[ow] || v !== v) {
            accMax[ow] = v;
            accIdx[ow] = rowStart + rowArg[src + ow];
          }
        }
      }
      const o = outBase + oh * OW;
      for (let ow = 0; ow < OW; ow++) {
        const m = accMax[ow];
        if (m === m) {
          output[o + ow] = m;
        } else {
          // Copy the NaN's exact bits: a round trip through a JS number may quiet a signalling NaN.
          const from = (inBase + accIdx[ow]) * words;
          const to = (o + ow) * words;
          outWords[to] = inWords[from];
          if (words === 2) outWords[to + 1] = inWords[from + 1];
        }
      }
      if (idx64) {
        for (let ow = 0; ow < OW; ow++) idx64[o + ow] = BigInt(accIdx[ow]);
      } else if (idx32) {
        for (let ow = 0; ow < OW; ow++) idx32[o + ow] = accIdx[ow];
      }
    }
  }
}
