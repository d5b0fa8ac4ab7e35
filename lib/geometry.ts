/**
 * The single source of truth for parameters, validation and output shapes. Every backend receives a
 * `PoolPlan` / `UnpoolPlan` resolved here and never re-derives geometry.
 *
 * Rules follow PyTorch 1.13 (`aten/src/ATen/native/Pool.h`, `torch.nn.functional._unpool_output_size`), as
 * pinned by the golden vectors (see `test/fixtures/SEMANTICS.md`).
 */
import { describe, MaxPoolRangeError, rangeError, typeError } from './errors';

/** A spatial parameter: one number for both axes, or `[h, w]`. */
export type Size2 = number | readonly [number, number] | readonly number[];

/** Largest value accepted for any spatial parameter or dimension (PyTorch stores them as int). */
export const MAX_PARAM = 2 ** 31 - 1;

/** Pool parameters, each resolved to `[h, w]`. */
export interface PoolParams {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly ceilMode: boolean;
}

/** Options of `maxPool2d` that define the geometry. */
export interface PoolGeometryOptions {
  kernelSize: Size2;
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  ceilMode?: boolean;
}

/** Memory layout of a tensor: channels-first (PyTorch's default) or channels-last. */
export type Layout = 'NCHW' | 'NHWC';

/** Reads the `layout` option. */
export function readLayout(value: unknown): Layout {
  if (value === undefined || value === null) return 'NCHW';
  if (value !== 'NCHW' && value !== 'NHWC') throw typeError('layout', "'NCHW' or 'NHWC'", value);
  return value;
}

/** A resolved pooling call: input and output geometry for one input shape. */
export interface PoolPlan extends PoolParams {
  /** Whether the input was 4-D `[N, C, H, W]` (false: unbatched `[C, H, W]`). */
  readonly batched: boolean;
  /** `'NHWC'`: input and output are `[N, H, W, C]` / `[H, W, C]`; indices still count `h * W + w` per plane. */
  readonly layout: Layout;
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly OH: number;
  readonly OW: number;
  /** `N * C`: independent planes. */
  readonly planes: number;
  readonly inputLength: number;
  readonly outputLength: number;
  /** Output shape, same rank as the input. */
  readonly outputShape: number[];
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

/** Reads a number-or-pair parameter; TypeError on wrong types or pair length. */
export function readPair(value: unknown, name: string): [number, number] {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw typeError(name, 'an integer or a pair of integers', value);
    return [value, value];
  }
  if (Array.isArray(value)) {
    if (value.length === 1 && isInt(value[0])) return [value[0], value[0]];
    if (value.length !== 2) throw typeError(name, 'a single integer or a pair of two integers', value);
    if (!isInt(value[0]) || !isInt(value[1])) throw typeError(name, 'a pair of integers', value);
    return [value[0], value[1]];
  }
  throw typeError(name, 'an integer or a pair of integers', value);
}

function checkMin(pair: readonly [number, number], min: number, name: string, what: string): void {
  for (const v of pair) {
    if (v < min) throw rangeError(name, what, pair[0] === pair[1] ? v : pair);
    if (v > MAX_PARAM) throw rangeError(name, `at most ${MAX_PARAM}`, pair[0] === pair[1] ? v : pair);
  }
}

function readBool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw typeError(name, 'a boolean', value);
  return value;
}

/** Validates and resolves pool parameters (independent of the input shape). */
export function resolvePoolParams(options: PoolGeometryOptions): PoolParams {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  if (options.kernelSize === undefined) throw typeError('kernelSize', 'an integer or a pair of integers', undefined);
  const kernel = readPair(options.kernelSize, 'kernelSize');
  checkMin(kernel, 1, 'kernelSize', 'at least 1');
  const strideRaw = options.stride;
  const noStride =
    strideRaw === undefined || strideRaw === null || (Array.isArray(strideRaw) && strideRaw.length === 0);
  const stride = noStride ? kernel : readPair(strideRaw, 'stride');
  checkMin(stride, 1, 'stride', 'at least 1');
  const padding = options.padding === undefined ? ([0, 0] as [number, number]) : readPair(options.padding, 'padding');
  checkMin(padding, 0, 'padding', 'non-negative');
  const dilation =
    options.dilation === undefined ? ([1, 1] as [number, number]) : readPair(options.dilation, 'dilation');
  checkMin(dilation, 1, 'dilation', 'at least 1');
  for (let i = 0; i < 2; i++) {
    if (padding[i] * 2 > kernel[i]) {
      throw new MaxPoolRangeError(
        'ERR_OUT_OF_RANGE',
        `padding must be at most half of kernelSize, but got padding ${describe(padding)} for kernelSize ${describe(kernel)}`,
      );
    }
  }
  const ceilMode = readBool(options.ceilMode, 'ceilMode', false);
  return { kernel, stride, padding, dilation, ceilMode };
}

/**
 * PyTorch's output size along one dimension (`pooling_output_shape_pad_lr`): floor or ceil division, and in
 * ceil mode the last window is dropped when it would start inside the right padding.
 */
export function pooledSize(size: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0);
  let out = Math.floor(span / s) + 1;
  if (ceilMode && (out - 1) * s >= size + p) out -= 1;
  return out;
}

/** Validates an input shape: rank 3 or 4, non-negative integers, non-empty C/H/W. */
export function readShape(
  shape: unknown,
  name: string,
  layout: Layout = 'NCHW',
): { batched: boolean; N: number; C: number; H: number; W: number } {
  if (!Array.isArray(shape)) throw typeError(name, 'an array of 3 or 4 integers', shape);
  if (shape.length !== 3 && shape.length !== 4) {
    const forms = layout === 'NHWC' ? '3 ([H, W, C]) or 4 ([N, H, W, C])' : '3 ([C, H, W]) or 4 ([N, C, H, W])';
    throw rangeError(`${name}.length`, forms, shape.length);
  }
  for (let i = 0; i < shape.length; i++) {
    if (!isInt(shape[i])) throw typeError(`${name}[${i}]`, 'an integer', shape[i]);
    if (shape[i] < 0 || shape[i] > Number.MAX_SAFE_INTEGER) throw rangeError(`${name}[${i}]`, 'non-negative', shape[i]);
  }
  const batched = shape.length === 4;
  const first = batched ? 1 : 0;
  for (let i = first; i < shape.length; i++) {
    if (shape[i] === 0) throw rangeError(`${name}[${i}]`, 'non-zero (only the batch dimension may be empty)', 0);
  }
  const N = batched ? shape[0] : 1;
  if (layout === 'NHWC') return { batched, N, H: shape[first], W: shape[first + 1], C: shape[first + 2] };
  const C = shape[first];
  const H = shape[first + 1];
  const W = shape[first + 2];
  return { batched, N, C, H, W };
}

/** N*C*H*W, with a RangeError past 2^53. */
function count4(N: number, C: number, H: number, W: number, name: string): number {
  const n = N * C * H * W;
  if (!Number.isSafeInteger(n)) throw rangeError(name, 'a shape with at most 2^53 - 1 elements', [N, C, H, W]);
  return n;
}

/** Resolves one pooling call. Throws the same cases PyTorch rejects. */
export function planPool(shape: unknown, params: PoolParams, dataLength: number, layout: Layout = 'NCHW'): PoolPlan {
  const { batched, N, C, H, W } = readShape(shape, 'input.shape', layout);
  const [kH, kW] = params.kernel;
  const [sH, sW] = params.stride;
  const [pH, pW] = params.padding;
  const [dH, dW] = params.dilation;
  const OH = pooledSize(H, kH, sH, pH, dH, params.ceilMode);
  const OW = pooledSize(W, kW, sW, pW, dW, params.ceilMode);
  if (OH < 1 || OW < 1) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_OUTPUT_TOO_SMALL',
      `output size is too small: input ${H}x${W} with kernelSize ${describe(params.kernel)}, ` +
        `dilation ${describe(params.dilation)}, padding ${describe(params.padding)} gives ${OH}x${OW}`,
    );
  }
  const inputLength = count4(N, C, H, W, 'input.shape');
  if (dataLength !== inputLength) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
      `input.data.length must be ${inputLength} for shape ${describe(shape)}, but got ${dataLength}`,
    );
  }
  const outputShape = layoutShape(batched, layout, N, C, OH, OW);
  return {
    layout,
    kernel: params.kernel,
    stride: params.stride,
    padding: params.padding,
    dilation: params.dilation,
    ceilMode: params.ceilMode,
    batched,
    N,
    C,
    H,
    W,
    OH,
    OW,
    planes: N * C,
    inputLength,
    outputLength: count4(N, C, OH, OW, 'output shape'),
    outputShape,
  };
}

/** A shape in `layout`: `[N, C, H, W]` / `[N, H, W, C]`, without N when unbatched. */
function layoutShape(batched: boolean, layout: Layout, N: number, C: number, H: number, W: number): number[] {
  const inner = layout === 'NHWC' ? [H, W, C] : [C, H, W];
  return batched ? [N, ...inner] : inner;
}

/**
 * Largest index a pooling plan can produce (a window with no in-bounds tap reports a position stepped by the
 * dilation, which may lie past the input): used to refuse int32 indices that could overflow.
 */
export function maxPoolIndex(plan: PoolPlan): number {
  const [dH, dW] = plan.dilation;
  return (plan.H - 1 + dH) * plan.W + (plan.W - 1 + dW);
}

/** Unpool parameters, each resolved to `[h, w]`. */
export interface UnpoolParams {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

/** Options of `maxUnpool2d` that define the geometry. */
export interface UnpoolGeometryOptions {
  kernelSize: Size2;
  stride?: Size2 | null;
  padding?: Size2;
}

/** Validates and resolves unpool parameters. */
export function resolveUnpoolParams(options: UnpoolGeometryOptions): UnpoolParams {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  if (options.kernelSize === undefined) throw typeError('kernelSize', 'an integer or a pair of integers', undefined);
  const kernel = readPair(options.kernelSize, 'kernelSize');
  checkMin(kernel, 1, 'kernelSize', 'at least 1');
  const strideRaw = options.stride;
  const noStride =
    strideRaw === undefined || strideRaw === null || (Array.isArray(strideRaw) && strideRaw.length === 0);
  const stride = noStride ? kernel : readPair(strideRaw, 'stride');
  checkMin(stride, 1, 'stride', 'at least 1');
  const padding = options.padding === undefined ? ([0, 0] as [number, number]) : readPair(options.padding, 'padding');
  checkMin(padding, 0, 'padding', 'non-negative');
  return Object.freeze({ kernel, stride, padding });
}

/** A resolved unpooling call. */
export interface UnpoolPlan extends UnpoolParams {
  readonly batched: boolean;
  readonly layout: Layout;
  readonly N: number;
  readonly C: number;
  /** Pooled input plane. */
  readonly IH: number;
  readonly IW: number;
  /** Output plane. */
  readonly OH: number;
  readonly OW: number;
  readonly planes: number;
  readonly inputLength: number;
  readonly outputLength: number;
  readonly outputShape: number[];
}

/** Default unpooled size along one dimension: `(in - 1) * s - 2p + k`. */
export function unpooledSize(size: number, k: number, s: number, p: number): number {
  return (size - 1) * s - 2 * p + k;
}

/**
 * Resolves one unpooling call. `outputSize` may be `[H, W]` or a full `[N, C, H, W]` (PyTorch takes its
 * last two entries); each must lie strictly within `(default - stride, default + stride)`.
 */
export function planUnpool(
  shape: unknown,
  params: UnpoolParams,
  dataLength: number,
  indicesShape: unknown,
  indicesLength: number,
  outputSize?: readonly number[] | null,
  layout: Layout = 'NCHW',
): UnpoolPlan {
  const { batched, N, C, H, W } = readShape(shape, 'input.shape', layout);
  const ishape = indicesShape as number[];
  if (
    !Array.isArray(indicesShape) ||
    indicesShape.length !== (shape as number[]).length ||
    ishape.some((d, i) => d !== (shape as number[])[i])
  ) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_SHAPE_MISMATCH',
      `indices.shape must equal input.shape ${describe(shape)}, but got ${describe(indicesShape)}`,
    );
  }
  const inputLength = count4(N, C, H, W, 'input.shape');
  if (dataLength !== inputLength) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
      `input.data.length must be ${inputLength} for shape ${describe(shape)}, but got ${dataLength}`,
    );
  }
  if (indicesLength !== inputLength) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
      `indices.data.length must be ${inputLength} for shape ${describe(shape)}, but got ${indicesLength}`,
    );
  }
  const defH = unpooledSize(H, params.kernel[0], params.stride[0], params.padding[0]);
  const defW = unpooledSize(W, params.kernel[1], params.stride[1], params.padding[1]);
  let OH = defH;
  let OW = defW;
  if (outputSize !== undefined && outputSize !== null) {
    if (!Array.isArray(outputSize)) throw typeError('outputSize', 'an array [H, W] or [N, C, H, W]', outputSize);
    if (outputSize.length !== 2 && outputSize.length !== 4) {
      throw typeError('outputSize', 'an array of 2 ([H, W]) or 4 ([N, C, H, W]) integers', outputSize);
    }
    for (let i = 0; i < outputSize.length; i++) {
      if (!isInt(outputSize[i])) throw typeError(`outputSize[${i}]`, 'an integer', outputSize[i]);
    }
    const [h, w] = outputSize.length === 4 && layout === 'NHWC' ? outputSize.slice(1, 3) : outputSize.slice(-2);
    const defaults = [defH, defW];
    const got = [h, w];
    for (let d = 0; d < 2; d++) {
      const lo = defaults[d] - params.stride[d];
      const hi = defaults[d] + params.stride[d];
      if (!(got[d] > lo && got[d] < hi)) {
        throw new MaxPoolRangeError(
          'ERR_MAXPOOL2D_OUTPUT_SIZE',
          `outputSize ${describe(outputSize)} is invalid: dim ${d} must be between ${lo + 1} and ${hi - 1}, but got ${got[d]}`,
        );
      }
    }
    OH = h;
    OW = w;
  }
  if (OH < 1 || OW < 1) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_OUTPUT_SIZE',
      `unpooled output size must be at least 1x1, but got ${OH}x${OW} for input ${H}x${W}`,
    );
  }
  const outputShape = layoutShape(batched, layout, N, C, OH, OW);
  const outputLength = count4(N, C, OH, OW, 'output shape');
  return Object.freeze({
    ...params,
    layout,
    batched,
    N,
    C,
    IH: H,
    IW: W,
    OH,
    OW,
    planes: N * C,
    inputLength,
    outputLength,
    outputShape,
  });
}
