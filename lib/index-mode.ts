/**
 * Index conventions. PyTorch counts each index within its (n, c) plane: `h * W + w` ('plane'). 'flat' counts the
 * offset into the whole tensor in its own layout: ONNX's `((n * C + c) * H + h) * W + w` for NCHW, and for NHWC
 * `((n * H + h) * W + w) * C + c` (TensorFlow's `max_pool_with_argmax` with `include_batch_in_index`). Both
 * backends compute plane indices; the 'flat' mode of the public API and the exported converters translate
 * exactly, in either direction.
 */
import { describe, MaxPoolRangeError, typeError } from './errors';
import { type Layout, maxPoolIndex, type PoolPlan, readLayout, readShape, type UnpoolPlan } from './geometry';
import { readIndexTensor } from './input';
import { allocIndex, type IndexArray, type IndexTensor } from './tensor';

/** How indices count: `'plane'` (PyTorch, the default) or `'flat'` (ONNX `MaxPool` / `MaxUnpool`). */
export type IndexMode = 'plane' | 'flat';

/** Reads the `indexMode` option (default `'plane'`). */
export function readIndexMode(value: unknown): IndexMode {
  if (value === undefined || value === null) return 'plane';
  if (value !== 'plane' && value !== 'flat') throw typeError('indexMode', "'plane' or 'flat'", value);
  return value;
}

const INT32_MAX = 2 ** 31 - 1;
const TWO32 = 2 ** 32;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * How one index tensor lines up with the tensor it points into: `planes` (n, c) planes of `perPlane` indices
 * each, pointing into planes of `area` (H * W) elements.
 */
export interface IndexLayout {
  planes: number;
  perPlane: number;
  area: number;
  /** Channels, to name (n, c) in error messages (and to interleave them for NHWC). */
  C: number;
  /**
   * `'NHWC'`: the index tensor is `[N, OH, OW, C]` and flat indices are `((n * H + h) * W + w) * C + c`;
   * default `'NCHW'`: planes follow each other and flat indices are `((n * C + c) * H + h) * W + w`.
   */
  layout?: Layout;
}

/** A 64-bit index array seen as 32-bit words (little-endian: low word first). */
function words(data: BigInt64Array): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
}

/** Stores a non-negative safe integer as element `i` of a little-endian 64-bit word view (no float modulo). */
function writeWords(d: Uint32Array, i: number, v: number): void {
  if (v < TWO32) {
    d[2 * i] = v;
    d[2 * i + 1] = 0;
  } else {
    const hi = Math.floor(v / TWO32);
    d[2 * i] = v - hi * TWO32;
    d[2 * i + 1] = hi;
  }
}

function planeName(layout: IndexLayout, p: number): string {
  return `(n ${Math.floor(p / layout.C)}, c ${p % layout.C})`;
}

/**
 * Element `i` of an index array as a number: exact for -2^53 < v < 2^53; any negative 64-bit value reads as -1
 * and any value past 2^53 - 1 as Infinity (both refused by every caller).
 */
function readIndex(src: IndexArray): (i: number) => number {
  if (src instanceof Int32Array) return (i) => src[i];
  if (LITTLE_ENDIAN) {
    const s = words(src);
    return (i) => {
      const hi = s[2 * i + 1];
      if (hi >= 0x80000000) return -1;
      if (hi > 0x1fffff) return Number.POSITIVE_INFINITY;
      const v = hi * TWO32 + s[2 * i];
      return v > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : v;
    };
  }
  return (i) => {
    const v = src[i];
    if (v < 0n) return -1;
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
  };
}

/** Stores a non-negative safe integer as element `i` of an index array. */
function writeIndex(dst: IndexArray): (i: number, v: number) => void {
  if (dst instanceof Int32Array) {
    return (i, v) => {
      dst[i] = v;
    };
  }
  if (LITTLE_ENDIAN) {
    const d = words(dst);
    return (i, v) => writeWords(d, i, v);
  }
  return (i, v) => {
    dst[i] = BigInt(v);
  };
}

/** planeToFlatData for NHWC: element i = ((n * perPlane + j) * C + c) gets `((n * area + src[i]) * C + c)`. */
function planeToFlatNhwc(src: IndexArray, dst: IndexArray, layout: IndexLayout, name: string): void {
  const { planes, perPlane, area, C } = layout;
  const N = C === 0 ? 0 : planes / C;
  const get = readIndex(src);
  const set = writeIndex(dst);
  const int32 = src instanceof Int32Array;
  for (let n = 0, i = 0; n < N; n++) {
    const base = n * area * C;
    for (let j = 0; j < perPlane; j++) {
      for (let c = 0; c < C; c++, i++) {
        const v = get(i);
        if (v < 0) {
          throw new MaxPoolRangeError(
            'ERR_MAXPOOL2D_INVALID_INDEX',
            `${name}.data[${i}] must be a non-negative plane index, but got ${describe(src[i])}`,
          );
        }
        const flat = base + v * C + c;
        if (int32 && flat > INT32_MAX) {
          throw new MaxPoolRangeError(
            'ERR_OUT_OF_RANGE',
            `${name}.data[${i}] = ${v} in plane (n ${n}, c ${c}) gives flat index ${flat}, past 2^31 - 1; ` +
              'use BigInt64Array indices',
          );
        }
        if (!(flat <= Number.MAX_SAFE_INTEGER)) throw tooLarge64(name, i, src[i] as bigint);
        set(i, flat);
      }
    }
  }
}

/** flatToPlaneData for NHWC: checks every index first, then writes `(src[i] - n * area * C - c) / C`. */
function flatToPlaneNhwc(src: IndexArray, dst: IndexArray, layout: IndexLayout, name: string): void {
  const { planes, perPlane, area, C } = layout;
  const N = C === 0 ? 0 : planes / C;
  const get = readIndex(src);
  for (let n = 0, i = 0; n < N; n++) {
    const base = n * area * C;
    for (let j = 0; j < perPlane; j++) {
      for (let c = 0; c < C; c++, i++) {
        const q = get(i) - base - c;
        if (!(q >= 0 && q % C === 0 && q / C < area)) {
          throw new MaxPoolRangeError(
            'ERR_MAXPOOL2D_INVALID_INDEX',
            `${name}.data[${i}] = ${src[i]} is not a flat index into its own plane (n ${n}, c ${c}): ` +
              `it must be ${base + c} + k * ${C} with 0 <= k < ${area}`,
          );
        }
      }
    }
  }
  const set = writeIndex(dst);
  for (let n = 0, i = 0; n < N; n++) {
    const base = n * area * C;
    for (let j = 0; j < perPlane; j++) {
      for (let c = 0; c < C; c++, i++) set(i, (get(i) - base - c) / C);
    }
  }
}

/**
 * Writes `src[i] + p * area` (p: the plane of element i) to `dst`, which may be `src` itself. Negative plane
 * indices are refused; so is a flat index past 2^31 - 1 in an `Int32Array` or past 2^53 - 1 in a `BigInt64Array`.
 */
export function planeToFlatData(src: IndexArray, dst: IndexArray, layout: IndexLayout, name = 'indices'): void {
  if (layout.layout === 'NHWC') {
    planeToFlatNhwc(src, dst, layout, name);
    return;
  }
  const { planes, perPlane, area } = layout;
  const negative = (i: number, v: number | bigint) =>
    new MaxPoolRangeError(
      'ERR_MAXPOOL2D_INVALID_INDEX',
      `${name}.data[${i}] must be a non-negative plane index, but got ${describe(v)}`,
    );
  if (src instanceof Int32Array) {
    const out = dst as Int32Array;
    for (let p = 0, i = 0; p < planes; p++) {
      const base = p * area;
      for (let end = i + perPlane; i < end; i++) {
        const v = src[i];
        if (v < 0) throw negative(i, v);
        const flat = v + base;
        if (flat > INT32_MAX) {
          throw new MaxPoolRangeError(
            'ERR_OUT_OF_RANGE',
            `${name}.data[${i}] = ${v} in plane ${planeName(layout, p)} gives flat index ${flat}, past 2^31 - 1; ` +
              'use BigInt64Array indices',
          );
        }
        out[i] = flat;
      }
    }
    return;
  }
  const out = dst as BigInt64Array;
  if (!LITTLE_ENDIAN) {
    for (let p = 0, i = 0; p < planes; p++) {
      const base = BigInt(p * area);
      for (let end = i + perPlane; i < end; i++) {
        const v = src[i];
        if (v < 0n) throw negative(i, v);
        const flat = v + base;
        if (flat > BigInt(Number.MAX_SAFE_INTEGER)) throw tooLarge64(name, i, v);
        out[i] = flat;
      }
    }
    return;
  }
  // Little-endian: read and write through 32-bit words (BigInt conversions cost ~10x more per element).
  const s = words(src);
  const d = words(out);
  for (let p = 0, i = 0; p < planes; p++) {
    const base = p * area;
    for (let end = i + perPlane; i < end; i++) {
      const lo = s[2 * i];
      const hi = s[2 * i + 1];
      if (hi >= 0x80000000) throw negative(i, src[i]);
      const flat = hi * TWO32 + lo + base;
      if (hi > 0x1fffff || flat > Number.MAX_SAFE_INTEGER) throw tooLarge64(name, i, src[i]);
      writeWords(d, i, flat);
    }
  }
}

function tooLarge64(name: string, i: number, v: bigint): MaxPoolRangeError {
  return new MaxPoolRangeError(
    'ERR_MAXPOOL2D_INVALID_INDEX',
    `${name}.data[${i}] = ${v} is too large for a plane index (its flat index would pass 2^53 - 1)`,
  );
}

/**
 * Writes `src[i] - p * area` to `dst` (which may be `src`), after checking that every flat index lies in the
 * plane of its own element: `p * area <= src[i] < (p + 1) * area`. Nothing is written when a check fails.
 */
export function flatToPlaneData(src: IndexArray, dst: IndexArray, layout: IndexLayout, name = 'indices'): void {
  if (layout.layout === 'NHWC') {
    flatToPlaneNhwc(src, dst, layout, name);
    return;
  }
  const { planes, perPlane, area } = layout;
  const bad = (i: number, p: number, v: number | bigint) =>
    new MaxPoolRangeError(
      'ERR_MAXPOOL2D_INVALID_INDEX',
      `${name}.data[${i}] = ${v} is not a flat index into its own plane ${planeName(layout, p)}: ` +
        `it must lie in [${p * area}, ${(p + 1) * area})`,
    );
  // Check everything first, so that an error leaves dst (possibly src) untouched.
  if (src instanceof Int32Array) {
    for (let p = 0, i = 0; p < planes; p++) {
      const lo = p * area;
      const hi = lo + area;
      for (let end = i + perPlane; i < end; i++) {
        const v = src[i];
        if (v < lo || v >= hi) throw bad(i, p, v);
      }
    }
    const out = dst as Int32Array;
    for (let p = 0, i = 0; p < planes; p++) {
      const lo = p * area;
      for (let end = i + perPlane; i < end; i++) out[i] = src[i] - lo;
    }
    return;
  }
  const out = dst as BigInt64Array;
  if (!LITTLE_ENDIAN) {
    for (let p = 0, i = 0; p < planes; p++) {
      const lo = BigInt(p * area);
      const hi = lo + BigInt(area);
      for (let end = i + perPlane; i < end; i++) {
        const v = src[i];
        if (v < lo || v >= hi) throw bad(i, p, v);
      }
    }
    for (let p = 0, i = 0; p < planes; p++) {
      const lo = BigInt(p * area);
      for (let end = i + perPlane; i < end; i++) out[i] = src[i] - lo;
    }
    return;
  }
  const s = words(src);
  for (let p = 0, i = 0; p < planes; p++) {
    const lo = p * area;
    const hi = lo + area;
    for (let end = i + perPlane; i < end; i++) {
      const h = s[2 * i + 1];
      // h >= 2^21 covers negatives and anything past 2^53, which no plane of a real tensor reaches.
      const v = h * TWO32 + s[2 * i];
      if (h > 0x1fffff || v < lo || v >= hi) throw bad(i, p, src[i]);
    }
  }
  const d = words(out);
  for (let p = 0, i = 0; p < planes; p++) {
    const base = p * area;
    for (let end = i + perPlane; i < end; i++) writeWords(d, i, s[2 * i + 1] * TWO32 + s[2 * i] - base);
  }
}

/** Checks an index tensor against the shape of the tensor it points into and returns how they line up. */
function layoutOf(indices: unknown, inputShape: unknown, options: unknown) {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  const tensorLayout = readLayout((options as { layout?: unknown }).layout);
  const idx = readIndexTensor(indices, 'indices');
  const target = readShape(inputShape, 'inputShape', tensorLayout);
  const own = readShape(idx.shape, 'indices.shape', tensorLayout);
  if (own.batched !== target.batched || own.N !== target.N || own.C !== target.C) {
    const lead =
      tensorLayout === 'NHWC' ? (target.batched ? 'N and the last C' : 'last C') : target.batched ? 'N, C' : 'C';
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_SHAPE_MISMATCH',
      `indices.shape must have the rank and the leading ${lead} of inputShape ${describe(inputShape)}, ` +
        `but got ${describe(idx.shape)}`,
    );
  }
  const planes = own.N * own.C;
  const perPlane = own.H * own.W;
  const length = planes * perPlane;
  if (idx.data.length !== length) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
      `indices.data.length must be ${length} for shape ${describe(idx.shape)}, but got ${idx.data.length}`,
    );
  }
  const layout: IndexLayout = { planes, perPlane, area: target.H * target.W, C: target.C, layout: tensorLayout };
  return { idx, layout, total: planes * layout.area };
}

/**
 * The largest flat index an `Int32Array` may need for a tensor of `total` elements is `total - 1`; refuses
 * tensors where that could pass 2^31 - 1.
 */
export function checkInt32Flat(total: number, shape: readonly number[]): void {
  if (total - 1 > INT32_MAX) {
    throw new MaxPoolRangeError(
      'ERR_OUT_OF_RANGE',
      `Int32Array flat indices cannot address a tensor of shape ${describe(shape)} ` +
        `(${total} elements; flat indices could exceed 2^31 - 1); use BigInt64Array / indexDtype 'int64'`,
    );
  }
}

/** Options of the index converters. */
export interface IndexConvertOptions {
  /**
   * Layout of the indices and of `inputShape`: `'NCHW'` (default; flat = `((n * C + c) * H + h) * W + w`, ONNX's)
   * or `'NHWC'` (flat = `((n * H + h) * W + w) * C + c`, TensorFlow's `max_pool_with_argmax` with
   * `include_batch_in_index`).
   */
  layout?: Layout;
}

/**
 * Converts PyTorch's per-plane indices (`h * W + w` within each (n, c) plane) into flat indices: ONNX's
 * `((n * C + c) * H + h) * W + w`, or with `{ layout: 'NHWC' }` the offset into the channels-last tensor,
 * `((n * H + h) * W + w) * C + c`. `inputShape` is the shape of the tensor the indices point into: the pooled
 * input (or the unpooled output), `[N, C, H, W]` or `[C, H, W]` (`[N, H, W, C]` / `[H, W, C]` for NHWC).
 * Returns a new tensor of the same dtype and shape. `Int32Array` indices are refused for a tensor whose flat
 * indices could exceed 2^31 - 1.
 *
 * @example
 * ```ts
 * const x = { data: Float32Array.from({ length: 32 }, (_, i) => i), shape: [1, 2, 4, 4] };
 * const [, idx] = maxPool2d(x, { kernelSize: 2, returnIndices: true });
 * idx.data;                                   // [5n, 7n, 13n, 15n, 5n, 7n, 13n, 15n]
 * planeToFlatIndices(idx, x.shape).data;      // [5n, 7n, 13n, 15n, 21n, 23n, 29n, 31n]
 * ```
 */
export function planeToFlatIndices<I extends IndexArray>(
  indices: { data: I; shape: readonly number[] },
  inputShape: readonly number[],
  options: IndexConvertOptions = {},
): IndexTensor<I> {
  const { idx, layout, total } = layoutOf(indices, inputShape, options);
  if (idx.dtype === 'int32') checkInt32Flat(total, inputShape);
  const data = allocIndex(idx.dtype, idx.data.length) as I;
  planeToFlatData(idx.data, data, layout);
  return { data, shape: idx.shape.slice(), dtype: idx.dtype };
}

/**
 * Converts flat indices into PyTorch's per-plane indices, the inverse of `planeToFlatIndices` (same `layout`
 * option). Every index must point into the (n, c) plane of its own element, else a RangeError names the first one
 * that does not.
 *
 * @example
 * ```ts
 * flatToPlaneIndices({ data: new BigInt64Array([5n, 21n]), shape: [1, 2, 1, 1] }, [1, 2, 4, 4]).data; // [5n, 5n]
 * ```
 */
export function flatToPlaneIndices<I extends IndexArray>(
  indices: { data: I; shape: readonly number[] },
  inputShape: readonly number[],
  options: IndexConvertOptions = {},
): IndexTensor<I> {
  const { idx, layout } = layoutOf(indices, inputShape, options);
  const data = allocIndex(idx.dtype, idx.data.length) as I;
  flatToPlaneData(idx.data, data, layout);
  return { data, shape: idx.shape.slice(), dtype: idx.dtype };
}

/**
 * For `maxPool2d({ indexMode: 'flat', indexDtype: 'int32' })`: refuses an input whose flat indices could pass
 * 2^31 - 1 (the last plane's offset plus the largest index the plan can report, see `maxPoolIndex`).
 */
export function checkInt32FlatPool(plan: PoolPlan): void {
  const area = plan.H * plan.W;
  const largest =
    plan.layout === 'NHWC'
      ? ((plan.N - 1) * area + maxPoolIndex(plan)) * plan.C + plan.C - 1
      : (plan.planes - 1) * area + maxPoolIndex(plan);
  if (plan.planes > 0 && largest > INT32_MAX) {
    throw new MaxPoolRangeError(
      'ERR_OUT_OF_RANGE',
      `indexDtype 'int32' cannot hold flat indices of a ${plan.layout === 'NHWC' ? `${plan.N}x${plan.H}x${plan.W}x${plan.C}` : `${plan.N}x${plan.C}x${plan.H}x${plan.W}`} input ` +
        "(they could exceed 2^31 - 1); use 'int64'",
    );
  }
}

/** Turns the plane indices a backend wrote for `plan` into flat ones, in place. */
export function poolIndicesToFlat(plan: PoolPlan, indices: IndexArray): void {
  const area = plan.H * plan.W;
  const layout = { planes: plan.planes, perPlane: plan.OH * plan.OW, area, C: plan.C, layout: plan.layout };
  planeToFlatData(indices, indices, layout);
}

/** Flat indices handed to `maxUnpool2d` as a fresh plane-index array for `plan` (the caller's stay untouched). */
export function unpoolIndicesToPlane(plan: UnpoolPlan, indices: IndexArray): IndexArray {
  const plane = indices instanceof Int32Array ? new Int32Array(indices.length) : new BigInt64Array(indices.length);
  const area = plan.OH * plan.OW;
  const layout = { planes: plan.planes, perPlane: plan.IH * plan.IW, area, C: plan.C, layout: plan.layout };
  flatToPlaneData(indices, plane, layout);
  return plane;
}
