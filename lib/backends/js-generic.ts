/**
 * The JS backend's general pooling path: every dtype and both layouts, one exact scan per window.
 *
 * Used for what the float fast paths in `js-pool.ts` do not cover: integer and half dtypes, and NHWC. Each window
 * scans its in-bounds taps in row-major order under PyTorch's rule (`v > max || isNaN(v)`, starting from -Infinity:
 * ties keep the first tap, the last NaN wins, padding is never selected). Halves are compared by their decoded
 * value (`-0 == +0`), integers as they are. The winner's element is copied bit for bit; a window with no in-bounds
 * tap yields -Infinity (floats, halves) or the type's lowest value (integers, PyTorch's start value for them), and
 * the index of the window's first tap position, as the float kernels do.
 *
 * Layouts differ only in strides: NCHW plane `(n, c)` starts at `(n * C + c) * H * W` with taps one element
 * apart; NHWC starts at `n * H * W * C + c` with taps `C` elements apart. Indices are `h * W + w` either way.
 */
import type { PoolPlan } from '../geometry';
import { bf16Table, f16Table, NEG_INF_BITS } from '../half';
import type { DType, IndexArray, ValueArray } from '../tensor';

/** Start value of an integer window (PyTorch: `numeric_limits<T>::min()`), i.e. an empty window's result. */
const LOWEST: Partial<Record<DType, number>> = {
  int8: -128,
  uint8: 0,
  int16: -32768,
  uint16: 0,
  int32: -(2 ** 31),
};

function firstTap(start: number, d: number): number {
  return start >= 0 ? start : start + Math.ceil(-start / d) * d;
}

/** Word views for copying float elements bit for bit (a JS number may quiet a signalling NaN). */
function words(a: ValueArray): Uint32Array | null {
  if (a instanceof Float32Array || a instanceof Float64Array)
    return new Uint32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
  return null;
}

/** Pools planes `[planeStart, planeEnd)` (plane = `n * C + c`) of any dtype and layout. */
export function poolGeneric(
  plan: PoolPlan,
  input: ValueArray,
  output: ValueArray,
  indices: IndexArray | null,
  dtype: DType,
  planeStart = 0,
  planeEnd = plan.planes,
): void {
  const { C, H, W, OH, OW } = plan;
  const [kH, kW] = plan.kernel;
  const [sH, sW] = plan.stride;
  const [pH, pW] = plan.padding;
  const [dH, dW] = plan.dilation;
  const nhwc = plan.layout === 'NHWC';
  const cs = nhwc ? C : 1;
  const dec = dtype === 'float16' ? f16Table() : dtype === 'bfloat16' ? bf16Table() : null;
  const empty =
    dtype === 'float16' || dtype === 'bfloat16' ? NEG_INF_BITS[dtype] : (LOWEST[dtype] ?? Number.NEGATIVE_INFINITY);
  const inWords = words(input);
  const outWords = words(output);
  const wordsPer = input instanceof Float64Array ? 2 : 1;
  const idx64 = indices instanceof BigInt64Array ? indices : null;
  const idx32 = indices instanceof Int32Array ? indices : null;

  for (let plane = planeStart; plane < planeEnd; plane++) {
    const n = Math.floor(plane / C);
    const c = plane - n * C;
    const inBase = nhwc ? n * H * W * C + c : plane * H * W;
    const outBase = nhwc ? n * OH * OW * C + c : plane * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      const hs = oh * sH - pH;
      const h0 = firstTap(hs, dH);
      const h1 = Math.min(hs + (kH - 1) * dH + 1, H);
      for (let ow = 0; ow < OW; ow++) {
        const ws = ow * sW - pW;
        const w0 = firstTap(ws, dW);
        const w1 = Math.min(ws + (kW - 1) * dW + 1, W);
        let m = Number.NEGATIVE_INFINITY;
        let best = -1;
        for (let h = h0; h < h1; h += dH) {
          for (let w = w0; w < w1; w += dW) {
            const pos = h * W + w;
            const raw = input[inBase + pos * cs];
            const v = dec ? dec[raw] : raw;
            if (v > m || v !== v) {
              m = v;
              best = pos;
            }
          }
        }
        const o = outBase + (oh * OW + ow) * cs;
        if (best < 0) output[o] = empty;
        else if (inWords && outWords) {
          const from = (inBase + best * cs) * wordsPer;
          outWords[o * wordsPer] = inWords[from];
          if (wordsPer === 2) outWords[o * 2 + 1] = inWords[from + 1];
        } else output[o] = input[inBase + best * cs];
        const index = best < 0 ? h0 * W + w0 : best;
        if (idx64) idx64[o] = BigInt(index);
        else if (idx32) idx32[o] = index;
      }
    }
  }
}
