/**
 * Pure TypeScript max pooling, bit-exact with PyTorch and with the native kernels.
 *
 * Rows first: each input row is reduced once to its per-output-column maxima (value and column), then each
 * output row combines its kH reduced rows in order. Reducing rows before columns keeps PyTorch's scan-order
 * rule (`v > max || isNaN(v)`: first maximum wins, last NaN wins) and shares row work between vertically
 * overlapping windows. Tap ranges are computed once per call, so the loops have no per-tap bounds checks.
 *
 * Scratch memory is module-level and only grows, so a call allocates nothing but its result: small calls are
 * dominated by allocation otherwise. It is only used within one synchronous call.
 */
import type { PoolPlan } from '../geometry';
import type { FloatArray, IndexArray } from '../tensor';

let scratchF64 = new Float64Array(256);
let scratchI32 = new Int32Array(256);

function f64Scratch(length: number): Float64Array {
  if (scratchF64.length < length) scratchF64 = new Float64Array(Math.max(length, scratchF64.length * 2));
  return scratchF64;
}

function i32Scratch(length: number): Int32Array {
  if (scratchI32.length < length) scratchI32 = new Int32Array(Math.max(length, scratchI32.length * 2));
  return scratchI32;
}

/**
 * Writes per-output tap ranges `[first, end)` along one axis, clipped to `[0, size)`, into `into` at `at`
 * (firsts) and `at + outSize` (ends). The first tap is the window start stepped by the dilation until >= 0:
 * PyTorch reports it as the index of a window with no in-bounds tap.
 */
function tapRanges(
  into: Int32Array,
  at: number,
  outSize: number,
  size: number,
  k: number,
  s: number,
  p: number,
  d: number,
) {
  for (let o = 0; o < outSize; o++) {
    const start = o * s - p;
    into[at + o] = start >= 0 ? start : start + Math.ceil(-start / d) * d;
    into[at + outSize + o] = Math.min(start + (k - 1) * d + 1, size);
  }
}

/** Copies element `from` of `src` to element `to` of `dst` bit for bit (keeps NaN payloads). */
function copyBits(src: FloatArray, from: number, dst: FloatArray, to: number): void {
  const words = src instanceof Float32Array ? 1 : 2;
  const a = new Uint32Array(src.buffer, src.byteOffset + from * 4 * words, words);
  const b = new Uint32Array(dst.buffer, dst.byteOffset + to * 4 * words, words);
  b.set(a);
}

/** Pools planes `[planeStart, planeEnd)` (all by default). */
export function poolJs(
  plan: PoolPlan,
  input: FloatArray,
  output: FloatArray,
  indices: IndexArray | null,
  planeStart = 0,
  planeEnd = plan.planes,
): void {
  const { H, W, OH, OW } = plan;
  const [dH, dW] = plan.dilation;
  // Int32 scratch: row firsts/ends (2*OH), column firsts/ends (2*OW), then the row argmax (H*OW).
  const ints = i32Scratch(2 * OH + 2 * OW + H * OW);
  tapRanges(ints, 0, OH, H, plan.kernel[0], plan.stride[0], plan.padding[0], dH);
  const colAt = 2 * OH;
  tapRanges(ints, colAt, OW, W, plan.kernel[1], plan.stride[1], plan.padding[1], dW);
  const colEnd = colAt + OW;
  const argAt = colAt + 2 * OW;
  // Float64 scratch: row maxima (H*OW), then the running window max and index (OW each).
  const floats = f64Scratch(H * OW + 2 * OW);
  const accAt = H * OW;
  const idxAt = accAt + OW;
  const idx64 = indices instanceof BigInt64Array ? indices : null;
  const idx32 = indices instanceof Int32Array ? indices : null;
  const planeSize = H * W;
  const outPlaneSize = OH * OW;

  for (let plane = planeStart; plane < planeEnd; plane++) {
    const inBase = plane * planeSize;
    const outBase = plane * outPlaneSize;
    // Pass 1: reduce every input row over each output column's taps.
    for (let h = 0; h < H; h++) {
      const row = inBase + h * W;
      const dst = h * OW;
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ints[colAt + ow];
        const w1 = ints[colEnd + ow];
        let m = Number.NEGATIVE_INFINITY;
        let a = w0;
        for (let w = w0; w < w1; w += dW) {
          const v = input[row + w];
          if (v > m || v !== v) {
            m = v;
            a = w;
          }
        }
        floats[dst + ow] = m;
        ints[argAt + dst + ow] = a;
      }
    }
    // Pass 2: combine the reduced rows of each window in order.
    for (let oh = 0; oh < OH; oh++) {
      const h0 = ints[oh];
      const h1 = ints[OH + oh];
      const startRow = h0 * W;
      for (let ow = 0; ow < OW; ow++) {
        floats[accAt + ow] = Number.NEGATIVE_INFINITY;
        floats[idxAt + ow] = startRow + ints[colAt + ow];
      }
      for (let h = h0; h < h1; h += dH) {
        const src = h * OW;
        const rowStart = h * W;
        for (let ow = 0; ow < OW; ow++) {
          const v = floats[src + ow];
          if (v > floats[accAt + ow] || v !== v) {
            floats[accAt + ow] = v;
            floats[idxAt + ow] = rowStart + ints[argAt + src + ow];
          }
        }
      }
      const o = outBase + oh * OW;
      for (let ow = 0; ow < OW; ow++) {
        const m = floats[accAt + ow];
        // A NaN's exact bits are copied: a round trip through a JS number may quiet a signalling NaN.
        if (m === m) output[o + ow] = m;
        else copyBits(input, inBase + floats[idxAt + ow], output, o + ow);
      }
      if (idx64) {
        for (let ow = 0; ow < OW; ow++) idx64[o + ow] = BigInt(floats[idxAt + ow]);
      } else if (idx32) {
        for (let ow = 0; ow < OW; ow++) idx32[o + ow] = floats[idxAt + ow];
      }
    }
  }
}
