/**
 * `maxPool2d` and `MaxPool2d`: torch.nn.functional.max_pool2d / torch.nn.MaxPool2d.
 */
import { type AsyncOptions, checkSignal } from './abort';
import { activeBackend, backendFor, readThreads } from './backend';
import { MaxPoolRangeError, typeError } from './errors';
import {
  type Layout,
  maxPoolIndex,
  type PoolGeometryOptions,
  type PoolParams,
  type PoolPlan,
  planPool,
  readLayout,
  resolvePoolParams,
  type Size2,
} from './geometry';
import { checkInt32FlatPool, type IndexMode, poolIndicesToFlat, readIndexMode } from './index-mode';
import {
  checkNoAlias,
  type FreshOutput,
  indexOutput,
  readFloatTensor,
  readIndexDType,
  resultData,
  valueOutput,
} from './input';
import { issue } from './issue';
import type {
  DType,
  FloatArray,
  IndexArray,
  IndexDType,
  IndexTensor,
  OutputTensor,
  Tensor,
  TensorData,
  ValueArray,
} from './tensor';

/** Options that change how a call runs, not what it computes. */
export interface RunOptions {
  /** Threads for this call (native backend); default: `getNumThreads()`. */
  threads?: number;
  /**
   * Write the values here instead of allocating (same dtype as the input, exact length; for float16 a
   * `Uint16Array` or a `Float16Array`).
   */
  out?: TensorData;
  /** Write the indices here instead of allocating (`BigInt64Array` or `Int32Array` per `indexDtype`). */
  indicesOut?: IndexArray;
}

/** Everything `maxPool2d` accepts besides the input. */
export interface MaxPool2dOptions extends PoolGeometryOptions, RunOptions {
  /** Window size: `k` or `[kH, kW]`. */
  kernelSize: Size2;
  /** Step between windows; omitted or null means `kernelSize`. */
  stride?: Size2 | null;
  /** Implicit -Infinity padding on both sides (at most half the kernel); default 0. */
  padding?: Size2;
  /** Spacing between window taps; default 1. */
  dilation?: Size2;
  /** Use ceil instead of floor for the output size (PyTorch's rule); default false. */
  ceilMode?: boolean;
  /** Also return the argmax of each window; default false. */
  returnIndices?: boolean;
  /** `'int64'` (PyTorch's, a `BigInt64Array`; default) or `'int32'` (an `Int32Array`). */
  indexDtype?: IndexDType;
  /**
   * How the returned indices count: `'plane'` (PyTorch's `h * W + w` within each (n, c) plane; default) or
   * `'flat'`: the offset into the whole input in its layout, ONNX's `((n * C + c) * H + h) * W + w` for NCHW,
   * `((n * H + h) * W + w) * C + c` for NHWC (TensorFlow's `max_pool_with_argmax`, batch included).
   */
  indexMode?: IndexMode;
  /**
   * `'NCHW'` (default: shape `[N, C, H, W]` or `[C, H, W]`) or `'NHWC'` (channels last: `[N, H, W, C]` or
   * `[H, W, C]`). The output and indices have the input's layout; plane indices still count `h * W + w` per
   * plane.
   */
  layout?: Layout;
}

/** What `maxPool2d` returns with `returnIndices: true`, as PyTorch's `(output, indices)`. */
export type PoolWithIndices<D extends TensorData = TensorData> = [OutputTensor<D>, IndexTensor];

export function readRunFlags(options: MaxPool2dOptions) {
  const returnIndices = options.returnIndices ?? false;
  if (typeof returnIndices !== 'boolean') throw typeError('returnIndices', 'a boolean', returnIndices);
  return {
    returnIndices,
    indexDtype: readIndexDType(options.indexDtype),
    indexMode: readIndexMode(options.indexMode),
    threads: readThreads(options.threads),
    layout: readLayout(options.layout),
  };
}

/** One pooling call, checked and with its buffers ready: what a backend needs, sync or async. */
export interface PreparedPool {
  plan: PoolPlan;
  input: ValueArray;
  /** Null when left to the backend (async calls without `out`). */
  output: ValueArray | null;
  /** Null without `returnIndices`, or when left to the backend (async calls without `indicesOut`). */
  indices: IndexArray | null;
  returnIndices: boolean;
  indexDtype: IndexDType;
  threads: number;
  dtype: DType;
  /** `'flat'`: the backend writes plane indices, `poolResult` turns them into flat ones. */
  indexMode: IndexMode;
  /** The input was a `Float16Array`: the result's `data` is one too (over `output`'s memory). */
  float16Array: boolean;
  /** The caller's `out`, if any (returned as it is when it is the result's kind). */
  out: unknown;
  /** Every buffer the call writes was allocated for it (no `out`, no `indicesOut`): memory no cache holds. */
  fresh: boolean;
}

/** A module's last plan: calls with the input shape of the previous call skip re-planning. */
export interface PlanCache {
  shape: readonly number[];
  plan: PoolPlan | null;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function cachedPlan(
  shape: readonly number[],
  params: PoolParams,
  length: number,
  layout: Layout,
  cache?: PlanCache,
): PoolPlan {
  if (
    cache?.plan &&
    cache.plan.inputLength === length &&
    cache.plan.layout === layout &&
    sameShape(cache.shape, shape)
  ) {
    return cache.plan;
  }
  const plan = planPool(shape, params, length, layout);
  if (cache) {
    cache.shape = shape.slice();
    cache.plan = plan;
  }
  return plan;
}

/** Checks one pooling call on resolved parameters and readies its buffers (shared by every entry point). */
export function preparePool(
  input: unknown,
  params: PoolParams,
  returnIndices: boolean,
  indexDtype: IndexDType,
  run: RunOptions,
  indexMode: IndexMode = 'plane',
  cache?: PlanCache,
  layout: Layout = 'NCHW',
  fresh: FreshOutput = 'unzeroed',
): PreparedPool {
  const tensor = readFloatTensor(input, 'input');
  const threads = readThreads(run.threads);
  const plan = cachedPlan(tensor.shape, params, tensor.data.length, layout, cache);
  if (returnIndices && indexDtype === 'int32' && maxPoolIndex(plan) > 2 ** 31 - 1) {
    throw new MaxPoolRangeError(
      'ERR_OUT_OF_RANGE',
      `indexDtype 'int32' cannot index a ${plan.H}x${plan.W} plane (indices could exceed 2^31 - 1); use 'int64'`,
    );
  }
  if (returnIndices && indexDtype === 'int32' && indexMode === 'flat') checkInt32FlatPool(plan);
  const output = valueOutput(run.out, tensor.dtype, plan.outputLength, 'out', fresh);
  // Only caller-supplied buffers can alias (and reading `.buffer` of a small fresh array would cost more than
  // the pooling: V8 keeps those on its heap until asked for their ArrayBuffer).
  const givenOut = run.out != null;
  if (output && givenOut) checkNoAlias(output, 'out', tensor.data, 'input.data');
  const indices = returnIndices
    ? indexOutput(run.indicesOut, indexDtype, plan.outputLength, 'indicesOut', fresh)
    : null;
  if (indices && run.indicesOut != null) {
    checkNoAlias(indices, 'indicesOut', tensor.data, 'input.data');
    if (output && givenOut) checkNoAlias(indices, 'indicesOut', output, 'out');
  }
  return {
    plan,
    input: tensor.data,
    output,
    indices,
    returnIndices,
    indexDtype,
    threads,
    dtype: tensor.dtype,
    indexMode,
    float16Array: tensor.float16Array,
    out: run.out,
    fresh: run.out == null && run.indicesOut == null,
  };
}

/** The result of a prepared call once its backend has filled the buffers (async: the ones it returned). */
export function poolResult(
  p: PreparedPool,
  output = p.output as ValueArray,
  indices = p.indices,
): OutputTensor | PoolWithIndices {
  const data = resultData(output, p.float16Array, p.out);
  const result: OutputTensor = { data, shape: p.plan.outputShape, dtype: p.dtype };
  if (!indices) return result;
  if (p.indexMode === 'flat') poolIndicesToFlat(p.plan, indices);
  return [result, { data: indices, shape: p.plan.outputShape.slice(), dtype: p.indexDtype }];
}

/** Runs a prepared pool call off the JS thread; outputs left to the backend come back with the Promise. */
export async function runPoolAsync(p: PreparedPool, signal?: AbortSignal): Promise<OutputTensor | PoolWithIndices> {
  const indices = p.indices ?? (p.returnIndices ? p.indexDtype : null);
  const backend = activeBackend();
  const [output, indexArray] = await issue(signal, () =>
    backend.poolAsync(p.plan, p.input, p.output, indices, p.threads, p.dtype),
  );
  return poolResult(p, output, indexArray);
}

/** Runs one pooling call on resolved parameters (shared by the function and the class). */
export function runPool(
  input: unknown,
  params: PoolParams,
  returnIndices: boolean,
  indexDtype: IndexDType,
  run: RunOptions,
  indexMode: IndexMode = 'plane',
  cache?: PlanCache,
  layout: Layout = 'NCHW',
): OutputTensor | PoolWithIndices {
  const p = preparePool(input, params, returnIndices, indexDtype, run, indexMode, cache, layout);
  backendFor(p.plan).pool(p.plan, p.input, p.output as ValueArray, p.indices, p.threads, p.dtype, p.fresh);
  return poolResult(p);
}

/**
 * 2-D max pooling over an `[N, C, H, W]` or `[C, H, W]` tensor, exactly as `torch.nn.functional.max_pool2d`.
 *
 * @example
 * ```ts
 * import { maxPool2d } from 'maxpool2d';
 * const input = { data: Float32Array.from({ length: 16 }, (_, i) => i), shape: [1, 1, 4, 4] };
 * const out = maxPool2d(input, { kernelSize: 2, stride: 2 });
 * // out.shape = [1, 1, 2, 2], out.data = [5, 7, 13, 15]
 * const [values, indices] = maxPool2d(input, { kernelSize: 2, returnIndices: true });
 * // indices.data = BigInt64Array [5n, 7n, 13n, 15n]
 * ```
 */
export function maxPool2d<D extends TensorData = FloatArray>(
  input: Tensor<D>,
  options: MaxPool2dOptions & { returnIndices: true },
): PoolWithIndices<D>;
export function maxPool2d<D extends TensorData = FloatArray>(
  input: Tensor<D>,
  options: MaxPool2dOptions & { returnIndices?: false },
): OutputTensor<D>;
export function maxPool2d(input: Tensor, options: MaxPool2dOptions): OutputTensor | PoolWithIndices;
export function maxPool2d(input: Tensor, options: MaxPool2dOptions): OutputTensor | PoolWithIndices {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  const params = resolvePoolParams(options);
  const { returnIndices, indexDtype, indexMode, layout } = readRunFlags(options);
  return runPool(input, params, returnIndices, indexDtype, options, indexMode, undefined, layout);
}

/** `forward`'s result: `[output, indices]` for a module built with `returnIndices: true`. */
export type PoolResult<R extends boolean, D extends TensorData> = R extends true ? PoolWithIndices<D> : OutputTensor<D>;

/** Constructor options of `MaxPool2d` (everything but `kernelSize`). */
export type MaxPool2dModuleOptions = Omit<MaxPool2dOptions, 'kernelSize' | 'out' | 'indicesOut'>;

/**
 * The module form, as `torch.nn.MaxPool2d`: parameters are validated once, in the constructor.
 *
 * @example
 * ```ts
 * import { MaxPool2d } from 'maxpool2d';
 * const pool = new MaxPool2d(3, { stride: 2, padding: 1 });
 * const y = pool.forward({ data: new Float32Array(64 * 112 * 112), shape: [1, 64, 112, 112] });
 * // y.shape = [1, 64, 56, 56]
 * ```
 */
export class MaxPool2d<R extends boolean = false> {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly ceilMode: boolean;
  readonly returnIndices: R;
  readonly indexDtype: IndexDType;
  readonly indexMode: IndexMode;
  readonly layout: Layout;
  readonly threads: number | undefined;
  readonly #params: PoolParams;
  readonly #plans: PlanCache = { shape: [], plan: null };

  constructor(kernelSize: Size2, options: MaxPool2dModuleOptions & { returnIndices?: R } = {}) {
    if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
    const all = { ...options, kernelSize };
    this.#params = resolvePoolParams(all);
    const flags = readRunFlags(all);
    this.kernelSize = this.#params.kernel;
    this.stride = this.#params.stride;
    this.padding = this.#params.padding;
    this.dilation = this.#params.dilation;
    this.ceilMode = this.#params.ceilMode;
    this.returnIndices = flags.returnIndices as R;
    this.indexDtype = flags.indexDtype;
    this.indexMode = flags.indexMode;
    this.layout = flags.layout;
    this.threads = flags.threads || undefined;
  }

  /** Pools `input`; returns `[output, indices]` when the module was built with `returnIndices: true`. */
  forward<D extends TensorData>(input: Tensor<D>, run: RunOptions = {}): PoolResult<R, D> {
    const merged = run.threads === undefined && this.threads !== undefined ? { ...run, threads: this.threads } : run;
    const result = runPool(
      input,
      this.#params,
      this.returnIndices,
      this.indexDtype,
      merged,
      this.indexMode,
      this.#plans,
      this.layout,
    );
    return result as PoolResult<R, D>;
  }

  /** `forward` without blocking the event loop (see `maxPool2dAsync`). */
  async forwardAsync<D extends TensorData>(
    input: Tensor<D>,
    run: RunOptions & AsyncOptions = {},
  ): Promise<PoolResult<R, D>> {
    checkSignal(run.signal);
    const merged = run.threads === undefined && this.threads !== undefined ? { ...run, threads: this.threads } : run;
    const prepared = preparePool(
      input,
      this.#params,
      this.returnIndices,
      this.indexDtype,
      merged,
      this.indexMode,
      this.#plans,
      this.layout,
      'deferred',
    );
    return (await runPoolAsync(prepared, run.signal)) as PoolResult<R, D>;
  }
}
