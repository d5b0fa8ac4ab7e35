/**
 * `maxUnpool2d` and `MaxUnpool2d`: torch.nn.functional.max_unpool2d / torch.nn.MaxUnpool2d.
 */
import { type AsyncOptions, checkSignal } from './abort';
import { activeBackend, readThreads } from './backend';
import { MaxPoolRangeError, typeError } from './errors';
import {
  type Layout,
  planUnpool,
  readLayout,
  resolveUnpoolParams,
  type Size2,
  type UnpoolGeometryOptions,
  type UnpoolParams,
  type UnpoolPlan,
} from './geometry';
import { type IndexMode, readIndexMode, unpoolIndicesToPlane } from './index-mode';
import { checkNoAlias, type FreshOutput, readFloatTensor, readIndexTensor, resultData, valueOutput } from './input';
import { issue } from './issue';
import type { DType, FloatArray, IndexArray, OutputTensor, Tensor, TensorData, ValueArray } from './tensor';

/** Everything `maxUnpool2d` accepts besides the input and indices. */
export interface MaxUnpool2dOptions extends UnpoolGeometryOptions {
  /** The pool's window size: `k` or `[kH, kW]`. */
  kernelSize: Size2;
  /** The pool's stride; omitted or null means `kernelSize`. */
  stride?: Size2 | null;
  /** The pool's padding; default 0. */
  padding?: Size2;
  /**
   * Output size `[H, W]` or `[N, C, H, W]`; each of H, W must lie strictly within `default ± stride`, where
   * `default = (in - 1) * stride - 2 * padding + kernelSize`. Default: `default`.
   */
  outputSize?: readonly number[] | null;
  /** Threads for this call (native backend). */
  threads?: number;
  /** Write the output here instead of allocating (same dtype as the input, exact length); it is zero-filled. */
  out?: TensorData;
  /**
   * How `indices` count: `'plane'` (PyTorch's, within each (n, c) plane; default) or `'flat'` (the offset into
   * the whole output in its layout: `((n * C + c) * H + h) * W + w` for NCHW, `((n * H + h) * W + w) * C + c` for
   * NHWC; each must fall in its own element's plane).
   */
  indexMode?: IndexMode;
  /** `'NCHW'` (default) or `'NHWC'`: the layout of the input, the indices and the output, as in `maxPool2d`. */
  layout?: Layout;
}

/** An index tensor as `maxPool2d` returns it (`BigInt64Array` or `Int32Array`). */
export interface IndicesInput {
  data: IndexArray;
  shape: readonly number[];
}

/** One unpooling call, checked and with its output ready. */
export interface PreparedUnpool {
  plan: UnpoolPlan;
  input: ValueArray;
  indices: IndexArray;
  /** Null when left to the backend (async calls without `out`). */
  output: ValueArray | null;
  threads: number;
  dtype: DType;
  /** The input was a `Float16Array`: the result's `data` is one too (`resultData`). */
  float16Array: boolean;
  /** The caller's `out`, as given. */
  out: unknown;
}

/** Checks one unpooling call on resolved parameters and readies its output (shared by every entry point). */
export function prepareUnpool(
  input: unknown,
  indices: unknown,
  params: UnpoolParams,
  outputSize: readonly number[] | null | undefined,
  threadsOption: unknown,
  out: unknown,
  indexMode: IndexMode = 'plane',
  layout: Layout = 'NCHW',
  fresh: FreshOutput = 'unzeroed',
): PreparedUnpool {
  const tensor = readFloatTensor(input, 'input');
  const idx = readIndexTensor(indices, 'indices');
  const threads = readThreads(threadsOption);
  const plan = planUnpool(tensor.shape, params, tensor.data.length, idx.shape, idx.data.length, outputSize, layout);
  if (idx.data instanceof Int32Array && plan.OH * plan.OW > 2 ** 31) {
    throw new MaxPoolRangeError(
      'ERR_OUT_OF_RANGE',
      `Int32Array indices cannot address a ${plan.OH}x${plan.OW} output plane; use BigInt64Array`,
    );
  }
  // Both backends zero-fill the output before scattering: a fresh one need not be zeroed here.
  const output = valueOutput(out, tensor.dtype, plan.outputLength, 'out', fresh);
  if (output && out != null) {
    checkNoAlias(output, 'out', tensor.data, 'input.data');
    checkNoAlias(output, 'out', idx.data, 'indices.data');
  }
  const planeIndices = indexMode === 'flat' ? unpoolIndicesToPlane(plan, idx.data) : idx.data;
  const { dtype, float16Array } = tensor;
  return { plan, input: tensor.data, indices: planeIndices, output, threads, dtype, float16Array, out };
}

/** Runs a prepared unpool call off the JS thread. */
export async function runUnpoolAsync(p: PreparedUnpool, signal?: AbortSignal): Promise<OutputTensor> {
  const backend = activeBackend();
  const output = await issue(signal, () => backend.unpoolAsync(p.plan, p.input, p.indices, p.output, p.threads));
  return { data: resultData(output, p.float16Array, p.out), shape: p.plan.outputShape, dtype: p.dtype };
}

/** Runs one unpooling call on resolved parameters (shared by the function and the class). */
export function runUnpool(
  input: unknown,
  indices: unknown,
  params: UnpoolParams,
  outputSize: readonly number[] | null | undefined,
  threadsOption: unknown,
  out: unknown,
  indexMode: IndexMode = 'plane',
  layout: Layout = 'NCHW',
): OutputTensor {
  const p = prepareUnpool(input, indices, params, outputSize, threadsOption, out, indexMode, layout);
  const output = p.output as ValueArray;
  activeBackend().unpool(p.plan, p.input, p.indices, output, p.threads);
  return { data: resultData(output, p.float16Array, out), shape: p.plan.outputShape, dtype: p.dtype };
}

/**
 * Partial inverse of `maxPool2d`, exactly as `torch.nn.functional.max_unpool2d`: a zero-filled output with each
 * pooled value written back at its index. Throws a RangeError naming the first index outside the output plane.
 *
 * @example
 * ```ts
 * import { maxPool2d, maxUnpool2d } from 'maxpool2d';
 * const x = { data: Float32Array.from({ length: 16 }, (_, i) => i), shape: [1, 1, 4, 4] };
 * const [y, idx] = maxPool2d(x, { kernelSize: 2, returnIndices: true });
 * const z = maxUnpool2d(y, idx, { kernelSize: 2 }); // shape [1, 1, 4, 4], zeros except 5, 7, 13, 15
 * ```
 */
export function maxUnpool2d<D extends TensorData = FloatArray>(
  input: Tensor<D>,
  indices: IndicesInput,
  options: MaxUnpool2dOptions,
): OutputTensor<D> {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  const params = resolveUnpoolParams(options);
  const indexMode = readIndexMode(options.indexMode);
  const layout = readLayout(options.layout);
  const result = runUnpool(input, indices, params, options.outputSize, options.threads, options.out, indexMode, layout);
  return result as OutputTensor<D>;
}

/** Constructor options of `MaxUnpool2d`. */
export interface MaxUnpool2dModuleOptions {
  stride?: Size2 | null;
  padding?: Size2;
  threads?: number;
  /** How `forward`'s indices count: `'plane'` (default) or `'flat'`, as in `maxUnpool2d`. */
  indexMode?: IndexMode;
  /** `'NCHW'` (default) or `'NHWC'`, as in `maxUnpool2d`. */
  layout?: Layout;
}

/**
 * The module form, as `torch.nn.MaxUnpool2d`.
 *
 * @example
 * ```ts
 * import { MaxPool2d, MaxUnpool2d } from 'maxpool2d';
 * const pool = new MaxPool2d(2, { returnIndices: true });
 * const unpool = new MaxUnpool2d(2);
 * const [y, idx] = pool.forward(x);
 * const restored = unpool.forward(y, idx); // x's shape, maxima in place, zeros elsewhere
 * ```
 */
export class MaxUnpool2d {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly threads: number | undefined;
  readonly indexMode: IndexMode;
  readonly layout: Layout;
  readonly #params: UnpoolParams;

  constructor(kernelSize: Size2, options: MaxUnpool2dModuleOptions = {}) {
    if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
    this.#params = resolveUnpoolParams({ ...options, kernelSize });
    this.kernelSize = this.#params.kernel;
    this.stride = this.#params.stride;
    this.padding = this.#params.padding;
    this.threads = readThreads(options.threads) || undefined;
    this.indexMode = readIndexMode(options.indexMode);
    this.layout = readLayout(options.layout);
  }

  /** Unpools `input` at `indices`; `outputSize` as in `maxUnpool2d`. */
  forward<D extends TensorData>(
    input: Tensor<D>,
    indices: IndicesInput,
    outputSize?: readonly number[] | null,
    run: { threads?: number; out?: TensorData } = {},
  ): OutputTensor<D> {
    const threads = run.threads ?? this.threads;
    const { indexMode, layout } = this;
    return runUnpool(input, indices, this.#params, outputSize, threads, run.out, indexMode, layout) as OutputTensor<D>;
  }

  /** `forward` without blocking the event loop (see `maxUnpool2dAsync`). */
  async forwardAsync<D extends TensorData>(
    input: Tensor<D>,
    indices: IndicesInput,
    outputSize?: readonly number[] | null,
    run: { threads?: number; out?: TensorData } & AsyncOptions = {},
  ): Promise<OutputTensor<D>> {
    checkSignal(run.signal);
    const threads = run.threads ?? this.threads;
    const { indexMode, layout } = this;
    const p = prepareUnpool(input, indices, this.#params, outputSize, threads, run.out, indexMode, layout, 'deferred');
    return (await runUnpoolAsync(p, run.signal)) as OutputTensor<D>;
  }
}
