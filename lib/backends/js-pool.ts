/**
 * Pure TypeScript max pooling, bit-exact with PyTorch and with the native kernels.
 *
 * Two strategies, both scanning taps under PyTorch's rule (`v > max || isNaN(v)`: the first maximum wins, the
 * last NaN wins), starting from -Infinity and the index of the window's first in-bounds tap:
 * - direct (`poolDirect`): each window is scanned in place. Tap ranges are clipped once per row and column, so
 *   there is no per-tap bounds check, and the interior of the common 2x2 and 3x3 windows is unrolled;
 * - rows first (`poolRowsFirst`), for stride-1 windows of 9 taps or more (SPPF's 5x5): each input row is reduced
 *   once per output column, then each window combines its kH reduced rows in order. That is the same selection
 *   (the rule is associative as a "select" operation), with row work shared by vertically overlapping windows.
 *
 * The maximum itself is taken with `Math.max`, which compiles to branch-free code. It agrees with the scan rule
 * except when the window holds a NaN (which NaN's bits) or the maximum is a zero (`Math.max(-0, +0)` is `+0`, the
 * rule keeps the first): a result that is NaN or zero is therefore recomputed with the exact scan. Any other
 * maximum has one bit pattern, and its index is the first tap equal to it.
 *
 * Positions are tracked as offsets into the input, so the plane-local index is `offset - planeBase`, and a NaN's
 * exact bits are copied from there (a round trip through a JS number may quiet a signalling NaN).
 *
 * Scratch memory is module-level and only grows, so a call allocates nothing but its result. It is used only
 * within one synchronous call.
 */
import type { PoolPlan } from '../geometry';
import type { DType, FloatArray, IndexArray, ValueArray } from '../tensor';
import { poolGeneric } from './js-generic';

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

/** First tap of a window at or after 0: its start stepped by the dilation (PyTorch's index rule). */
function firstTap(start: number, d: number): number {
  return start >= 0 ? start : start + Math.ceil(-start / d) * d;
}

/**
 * Writes per-output tap ranges `[first, end)` along one axis, clipped to `[0, size)`, into `into` at `at`
 * (firsts) and `at + outSize` (ends).
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
    into[at + o] = firstTap(start, d);
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

/** Stores one result: the value (NaN bits copied from its source) and, if wanted, its plane-local index. */
function store(
  input: FloatArray,
  output: FloatArray,
  idx64: BigInt64Array | null,
  idx32: Int32Array | null,
  o: number,
  m: number,
  at: number,
  base: number,
): void {
  if (m === m) output[o] = m;
  else copyBits(input, at, output, o);
  if (idx64) idx64[o] = BigInt(at - base);
  else if (idx32) idx32[o] = at - base;
}

/**
 * Pools planes `[planeStart, planeEnd)` (all by default). float32 / float64 NCHW take the fast paths below; other
 * dtypes and NHWC the general scan of `js-generic.ts`.
 */
export function poolJs(
  plan: PoolPlan,
  input: ValueArray,
  output: ValueArray,
  indices: IndexArray | null,
  planeStart = 0,
  planeEnd = plan.planes,
  dtype?: DType,
): void {
  // No planes (an empty batch): nothing to read or write, and no scratch sized by huge planes.
  if (planeEnd <= planeStart) return;
  const float = input instanceof Float32Array || input instanceof Float64Array;
  if (!float || plan.layout === 'NHWC') {
    poolGeneric(plan, input, output, indices, dtype ?? defaultDType(input), planeStart, planeEnd);
    return;
  }
  poolFloat(plan, input, output as FloatArray, indices, planeStart, planeEnd);
}

/** The dtype an array has when the caller did not say (a Uint16Array is uint16). */
function defaultDType(input: ValueArray): DType {
  if (input instanceof Int8Array) return 'int8';
  if (input instanceof Uint8Array) return 'uint8';
  if (input instanceof Int16Array) return 'int16';
  if (input instanceof Uint16Array) return 'uint16';
  if (input instanceof Int32Array) return 'int32';
  return input instanceof Float32Array ? 'float32' : 'float64';
}

function poolFloat(
  plan: PoolPlan,
  input: FloatArray,
  output: FloatArray,
  indices: IndexArray | null,
  planeStart: number,
  planeEnd: number,
): void {
  const rowsFirst = plan.stride[0] === 1 && plan.stride[1] === 1 && plan.kernel[0] * plan.kernel[1] >= 9;
  (rowsFirst ? poolRowsFirst : poolDirect)(plan, input, output, indices, planeStart, planeEnd);
}

/** Exact scan of one window (PyTorch's rule); returns the winning offset, `start` if no tap wins. */
function scanWindow(
  input: FloatArray,
  start: number,
  rowEnd: number,
  rowStep: number,
  w0: number,
  w1: number,
  dW: number,
) {
  let m = Number.NEGATIVE_INFINITY;
  let at = start;
  for (let row = start - w0; row < rowEnd; row += rowStep) {
    for (let p = row + w0, end = row + w1; p < end; p += dW) {
      const v = input[p];
      if (v > m || v !== v) {
        m = v;
        at = p;
      }
    }
  }
  return at;
}

/** Offset of the first tap equal to `m` (a maximum that is neither NaN nor zero, so bit-unique). */
function findFirst(
  input: FloatArray,
  m: number,
  start: number,
  rowEnd: number,
  rowStep: number,
  w0: number,
  w1: number,
  dW: number,
) {
  for (let row = start - w0; row < rowEnd; row += rowStep) {
    for (let p = row + w0, end = row + w1; p < end; p += dW) {
      if (input[p] === m) return p;
    }
  }
  return start;
}

function poolDirect(
  plan: PoolPlan,
  input: FloatArray,
  output: FloatArray,
  indices: IndexArray | null,
  planeStart: number,
  planeEnd: number,
): void {
  const { H, W, OH, OW } = plan;
  const kH = plan.kernel[0];
  const kW = plan.kernel[1];
  const dH = plan.dilation[0];
  const dW = plan.dilation[1];
  const ints = i32Scratch(2 * OH + 2 * OW);
  tapRanges(ints, 0, OH, H, kH, plan.stride[0], plan.padding[0], dH);
  tapRanges(ints, 2 * OH, OW, W, kW, plan.stride[1], plan.padding[1], dW);
  const colFirst = 2 * OH;
  const colEnd = 2 * OH + OW;
  // Unrolled interior: 2x2 or 3x3 windows without dilation whose taps are all inside the input.
  const unroll = kH === kW && (kH === 2 || kH === 3) && dH === 1 && dW === 1 ? kH : 0;
  const idx64 = indices instanceof BigInt64Array ? indices : null;
  const idx32 = indices instanceof Int32Array ? indices : null;
  const rowStep = dH * W;

  // Output columns whose taps are all inside the input: [owLo, owHi), stepping sW input columns each.
  const sW = plan.stride[1];
  let owLo = 0;
  while (owLo < OW && ints[colFirst + owLo] !== owLo * sW - plan.padding[1]) owLo++;
  let owHi = OW;
  while (owHi > owLo && ints[colEnd + owHi - 1] - ints[colFirst + owHi - 1] !== (kW - 1) * dW + 1) owHi--;

  for (let plane = planeStart; plane < planeEnd; plane++) {
    const base = plane * H * W;
    let o = plane * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = ints[oh];
      const h1 = ints[OH + oh];
      const rowEnd = base + Math.max(h1, h0) * W;
      const fullRows = unroll !== 0 && h1 - h0 === unroll;
      for (let ow = 0; ow < OW; ow++, o++) {
        if (fullRows && ow === owLo && owHi > owLo) {
          // The unrolled interior of this output row.
          let r = base + h0 * W + ints[colFirst + ow];
          for (let end = o + owHi - owLo; o < end; o++, r += sW) {
            const m =
              unroll === 2
                ? Math.max(input[r], input[r + 1], input[r + W], input[r + W + 1])
                : Math.max(
                    input[r],
                    input[r + 1],
                    input[r + 2],
                    input[r + W],
                    input[r + W + 1],
                    input[r + W + 2],
                    input[r + 2 * W],
                    input[r + 2 * W + 1],
                    input[r + 2 * W + 2],
                  );
            if (m === m && m !== 0 && !indices) output[o] = m;
            else {
              const w = r - base - h0 * W;
              finish(input, output, idx64, idx32, o, m, r, rowEnd, W, w, w + unroll, 1, base);
            }
          }
          ow = owHi - 1;
          o--;
          continue;
        }
        const w0 = ints[colFirst + ow];
        const w1 = ints[colEnd + ow];
        const r = base + h0 * W + w0;
        let m = Number.NEGATIVE_INFINITY;
        for (let row = r - w0; row < rowEnd; row += rowStep) {
          for (let p = row + w0, end = row + w1; p < end; p += dW) m = Math.max(m, input[p]);
        }
        finish(input, output, idx64, idx32, o, m, r, rowEnd, rowStep, w0, w1, dW, base);
      }
    }
  }
}

/**
 * Stores a window's result given its `Math.max` maximum `m`: exact unless `m` is NaN or zero, which rescan the
 * window with the rule; the index is the first tap equal to `m`.
 */
function finish(
  input: FloatArray,
  output: FloatArray,
  idx64: BigInt64Array | null,
  idx32: Int32Array | null,
  o: number,
  m: number,
  start: number,
  rowEnd: number,
  rowStep: number,
  w0: number,
  w1: number,
  dW: number,
  base: number,
): void {
  if (m === m && m !== 0) {
    output[o] = m;
    if (idx64 || idx32) {
      const at = findFirst(input, m, start, rowEnd, rowStep, w0, w1, dW);
      if (idx64) idx64[o] = BigInt(at - base);
      else if (idx32) idx32[o] = at - base;
    }
  } else {
    // A NaN or a zero is in the window, so some tap won the scan.
    const at = scanWindow(input, start, rowEnd, rowStep, w0, w1, dW);
    store(input, output, idx64, idx32, o, input[at], at, base);
  }
}

function poolRowsFirst(
  plan: PoolPlan,
  input: FloatArray,
  output: FloatArray,
  indices: IndexArray | null,
  planeStart: number,
  planeEnd: number,
): void {
  const { H, W, OH, OW } = plan;
  const dH = plan.dilation[0];
  const dW = plan.dilation[1];
  const ints = i32Scratch(2 * OH + 2 * OW);
  tapRanges(ints, 0, OH, H, plan.kernel[0], plan.stride[0], plan.padding[0], dH);
  const colAt = 2 * OH;
  tapRanges(ints, colAt, OW, W, plan.kernel[1], plan.stride[1], plan.padding[1], dW);
  const colEnd = colAt + OW;
  // Float64 scratch: each input row's maxima per output column (H*OW), then one output row's maxima (OW).
  const floats = f64Scratch(H * OW + OW);
  const accAt = H * OW;
  const idx64 = indices instanceof BigInt64Array ? indices : null;
  const idx32 = indices instanceof Int32Array ? indices : null;
  const rowStep = dH * W;

  for (let plane = planeStart; plane < planeEnd; plane++) {
    const base = plane * H * W;
    // Pass 1: reduce every input row over each output column's taps.
    for (let h = 0; h < H; h++) {
      const row = base + h * W;
      const dst = h * OW;
      for (let ow = 0; ow < OW; ow++) {
        let m = Number.NEGATIVE_INFINITY;
        for (let p = row + ints[colAt + ow], end = row + ints[colEnd + ow]; p < end; p += dW) m = Math.max(m, input[p]);
        floats[dst + ow] = m;
      }
    }
    // Pass 2: combine the reduced rows of each window.
    let o = plane * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = ints[oh];
      const h1 = ints[OH + oh];
      for (let ow = 0; ow < OW; ow++) floats[accAt + ow] = Number.NEGATIVE_INFINITY;
      for (let h = h0; h < h1; h += dH) {
        const src = h * OW;
        for (let ow = 0; ow < OW; ow++) floats[accAt + ow] = Math.max(floats[accAt + ow], floats[src + ow]);
      }
      const rowEnd = base + Math.max(h1, h0) * W;
      for (let ow = 0; ow < OW; ow++, o++) {
        const m = floats[accAt + ow];
        const w0 = ints[colAt + ow];
        const w1 = ints[colEnd + ow];
        finish(input, output, idx64, idx32, o, m, base + h0 * W + w0, rowEnd, rowStep, w0, w1, dW, base);
      }
    }
  }
}
