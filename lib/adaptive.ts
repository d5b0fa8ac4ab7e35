/**
 * `adaptiveMaxPool2d` and `AdaptiveMaxPool2d`: torch.nn.functional.adaptive_max_pool2d / torch.nn.AdaptiveMaxPool2d.
 *
 * Output row `i` of `OH` covers input rows `[floor(i * H / OH), ceil((i + 1) * H / OH))`, likewise for columns
 * (PyTorch's bins: they overlap when H is not a multiple of OH). Each bin is scanned like a MaxPool2d window:
 * rows then columns, from -Infinity and the bin's first element, a value replacing the maximum when
 * `v > max || isNaN(v)`; indices are plane-local `h * W + w`. Every dtype `maxPool2d` takes: integers compare as
 * they are (from the type's lowest value), float16 / bfloat16 (a `Uint16Array` with `dtype`) by value; the
 * winner's bits are copied. Routed through the seam in lib/backward.ts.
 */
import { type AsyncOptions, checkSignal } from './abort';
import { readThreads } from './backend';
import { adaptiveJs } from './backends/js-adaptive';
import { nativeDType, nativeOp } from './backward';
import { MaxPoolRangeError, rangeError, typeError } from './errors';
import { MAX_PARAM, readShape } from './geometry';
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
import type { PoolWithIndices, RunOptions } from './maxpool2d';
import {
  allocIndex,
  allocValues,
  type IndexArray,
  type IndexDType,
  type OutputTensor,
  type Tensor,
  type ValueArray,
} from './tensor';

/** An output size: `n` for `n x n`, or `[h, w]` where a `null` entry keeps that input dimension. */
export type AdaptiveSize = number | readonly [number | null, number | null] | readonly (number | null)[];

/** Everything `adaptiveMaxPool2d` accepts besides the input. */
export interface AdaptiveMaxPool2dOptions extends RunOptions {
  /** Output size: `n` or `[h, w]`; `null` entries keep the input's size. 0 gives an empty output, as in PyTorch. */
  outputSize: AdaptiveSize;
  /** Also return the argmax of each bin; default false. */
  returnIndices?: boolean;
  /** `'int64'` (PyTorch's, a `BigInt64Array`; default) or `'int32'` (an `Int32Array`). */
  indexDtype?: IndexDType;
}

/** A resolved adaptive pooling call (internal). */
export interface AdaptivePlan {
  readonly batched: boolean;
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly OH: number;
  readonly OW: number;
  readonly planes: number;
  readonly inputLength: number;
  readonly outputLength: number;
  readonly outputShape: number[];
}

/** Reads `outputSize` into `[h, w]` (null: keep the input's). TypeError on wrong kinds, RangeError below 0. */
export function resolveAdaptiveSize(value: unknown): readonly [number | null, number | null] {
  const entry = (v: unknown, name: string): number | null => {
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(name, 'an integer or null', v);
    if (v < 0) throw rangeError(name, 'non-negative', v);
    if (v > MAX_PARAM) throw rangeError(name, `at most ${MAX_PARAM}`, v);
    return v;
  };
  if (typeof value === 'number') {
    const n = entry(value, 'outputSize');
    return [n, n];
  }
  if (!Array.isArray(value) || value.length !== 2) {
    throw typeError('outputSize', 'an integer or a pair [h, w] of integers or nulls', value);
  }
  return [entry(value[0], 'outputSize[0]'), entry(value[1], 'outputSize[1]')];
}

/** Resolves one call: input rank 3 or 4 with non-empty C, H, W (as PyTorch requires), output shape. */
export function planAdaptive(
  shape: unknown,
  size: readonly [number | null, number | null],
  dataLength: number,
): AdaptivePlan {
  const { batched, N, C, H, W } = readShape(shape, 'input.shape');
  const OH = size[0] ?? H;
  const OW = size[1] ?? W;
  const inputLength = N * C * H * W;
  const outputLength = N * C * OH * OW;
  if (!Number.isSafeInteger(inputLength) || !Number.isSafeInteger(outputLength)) {
    throw rangeError('input.shape', 'a shape with at most 2^53 - 1 elements (input and output)', shape);
  }
  if (dataLength !== inputLength) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
      `input.data.length must be ${inputLength} for shape [${(shape as number[]).join(', ')}], but got ${dataLength}`,
    );
  }
  const outputShape = batched ? [N, C, OH, OW] : [C, OH, OW];
  return { batched, N, C, H, W, OH, OW, planes: N * C, inputLength, outputLength, outputShape };
}

function readReturnIndices(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw typeError('returnIndices', 'a boolean', value);
  return value;
}

/** One adaptive call, checked, with its buffers (null: left to the async native call to allocate). */
interface PreparedAdaptive {
  plan: AdaptivePlan;
  tensor: ReturnType<typeof readFloatTensor>;
  output: ValueArray | null;
  indices: IndexArray | null;
  returnIndices: boolean;
  indexDtype: IndexDType;
  threads: number;
  out: unknown;
}

function prepareAdaptive(
  input: unknown,
  size: readonly [number | null, number | null],
  returnIndices: boolean,
  indexDtype: IndexDType,
  run: RunOptions,
  fresh: FreshOutput,
): PreparedAdaptive {
  const tensor = readFloatTensor(input, 'input');
  const threads = readThreads(run.threads);
  const plan = planAdaptive(tensor.shape, size, tensor.data.length);
  if (returnIndices && indexDtype === 'int32' && plan.H * plan.W > 2 ** 31 - 1) {
    throw new MaxPoolRangeError(
      'ERR_OUT_OF_RANGE',
      `indexDtype 'int32' cannot index a ${plan.H}x${plan.W} plane (indices could exceed 2^31 - 1); use 'int64'`,
    );
  }
  // Every element of the output and the indices is written: fresh ones need not be zeroed, nor alias-checked.
  const output = valueOutput(run.out, tensor.dtype, plan.outputLength, 'out', fresh);
  if (output && run.out != null) checkNoAlias(output, 'out', tensor.data, 'input.data');
  const indices = returnIndices
    ? indexOutput(run.indicesOut, indexDtype, plan.outputLength, 'indicesOut', fresh)
    : null;
  if (indices && run.indicesOut != null) {
    checkNoAlias(indices, 'indicesOut', tensor.data, 'input.data');
    if (output && run.out != null) checkNoAlias(indices, 'indicesOut', output, 'out');
  }
  return { plan, tensor, output, indices, returnIndices, indexDtype, threads, out: run.out };
}

function adaptiveResult(p: PreparedAdaptive, output: ValueArray, indices: IndexArray | null) {
  const data = resultData(output, p.tensor.float16Array, p.out);
  const result: OutputTensor = { data, shape: p.plan.outputShape, dtype: p.tensor.dtype };
  if (!indices) return result;
  return [result, { data: indices, shape: p.plan.outputShape.slice(), dtype: p.indexDtype }] as PoolWithIndices;
}

/** Work for the tiny-work rule: each plane's bins cover at most (H + OH) x (W + OW) elements. */
function adaptiveWork(plan: AdaptivePlan): number {
  return plan.planes * (plan.H + plan.OH) * (plan.W + plan.OW);
}

function planArray(plan: AdaptivePlan): Float64Array {
  return new Float64Array([plan.planes, plan.H, plan.W, plan.OH, plan.OW]);
}

function runAdaptive(
  input: unknown,
  size: readonly [number | null, number | null],
  returnIndices: boolean,
  indexDtype: IndexDType,
  run: RunOptions,
): OutputTensor | PoolWithIndices {
  const p = prepareAdaptive(input, size, returnIndices, indexDtype, run, 'unzeroed');
  const { plan, tensor, indices } = p;
  const output = p.output as ValueArray;
  const binding = nativeOp('adaptiveMaxPool2d', adaptiveWork(plan));
  if (binding) {
    binding.adaptiveMaxPool2d(tensor.data, output, indices, planArray(plan), p.threads, nativeDType(tensor.dtype));
  } else adaptiveJs(plan, tensor.data, output, indices, tensor.dtype);
  return adaptiveResult(p, output, indices);
}

async function runAdaptiveAsync(
  input: unknown,
  size: readonly [number | null, number | null],
  returnIndices: boolean,
  indexDtype: IndexDType,
  run: RunOptions & AsyncOptions,
): Promise<OutputTensor | PoolWithIndices> {
  checkSignal(run.signal);
  const p = prepareAdaptive(input, size, returnIndices, indexDtype, run, 'deferred');
  const { plan, tensor } = p;
  const binding = nativeOp('adaptiveMaxPool2dAsync', adaptiveWork(plan));
  if (binding) {
    const wanted = p.indices ?? (returnIndices ? indexDtype : null);
    const dtype = nativeDType(tensor.dtype);
    const [output, indices] = await issue(run.signal, () =>
      binding.adaptiveMaxPool2dAsync(tensor.data, p.output, wanted, planArray(plan), p.threads, dtype),
    );
    return adaptiveResult(p, output, indices);
  }
  // JS backend (or tiny work): one event-loop turn later, in one go.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const output = p.output ?? allocValues(tensor.dtype, plan.outputLength, true);
  const indices = p.indices ?? (returnIndices ? allocIndex(indexDtype, plan.outputLength, true) : null);
  adaptiveJs(plan, tensor.data, output, indices, tensor.dtype);
  return adaptiveResult(p, output, indices);
}

/**
 * Adaptive 2-D max pooling over an `[N, C, H, W]` or `[C, H, W]` tensor, exactly as
 * `torch.nn.functional.adaptive_max_pool2d`: the output has `outputSize`, each element the maximum of its bin.
 *
 * @example
 * ```ts
 * import { adaptiveMaxPool2d } from 'maxpool2d';
 * const x = { data: Float32Array.from({ length: 25 }, (_, i) => i), shape: [1, 1, 5, 5] };
 * adaptiveMaxPool2d(x, { outputSize: 3 }).data; // [6, 8, 9, 16, 18, 19, 21, 23, 24]
 * const [g, at] = adaptiveMaxPool2d(x, { outputSize: 1, returnIndices: true }); // global max 24, index 24n
 * ```
 */
export function adaptiveMaxPool2d<D extends ValueArray>(
  input: Tensor<D>,
  options: AdaptiveMaxPool2dOptions & { returnIndices: true },
): PoolWithIndices<D>;
export function adaptiveMaxPool2d<D extends ValueArray>(
  input: Tensor<D>,
  options: AdaptiveMaxPool2dOptions & { returnIndices?: false },
): OutputTensor<D>;
export function adaptiveMaxPool2d(input: Tensor, options: AdaptiveMaxPool2dOptions): OutputTensor | PoolWithIndices;
export function adaptiveMaxPool2d(input: Tensor, options: AdaptiveMaxPool2dOptions): OutputTensor | PoolWithIndices {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  const size = resolveAdaptiveSize(options.outputSize);
  const returnIndices = readReturnIndices(options.returnIndices);
  const indexDtype = readIndexDType(options.indexDtype);
  return runAdaptive(input, size, returnIndices, indexDtype, options);
}

/**
 * `adaptiveMaxPool2d` without blocking the event loop (native: off the JS thread, buffers pinned as for
 * `maxPool2dAsync`; JS backend: one event-loop turn later). Errors reject.
 *
 * @example
 * ```ts
 * const [g, at] = await adaptiveMaxPool2dAsync(x, { outputSize: 1, returnIndices: true });
 * ```
 */
export async function adaptiveMaxPool2dAsync<D extends ValueArray>(
  input: Tensor<D>,
  options: AdaptiveMaxPool2dOptions & AsyncOptions & { returnIndices: true },
): Promise<PoolWithIndices<D>>;
export async function adaptiveMaxPool2dAsync<D extends ValueArray>(
  input: Tensor<D>,
  options: AdaptiveMaxPool2dOptions & AsyncOptions & { returnIndices?: false },
): Promise<OutputTensor<D>>;
export async function adaptiveMaxPool2dAsync(
  input: Tensor,
  options: AdaptiveMaxPool2dOptions & AsyncOptions,
): Promise<OutputTensor | PoolWithIndices>;
export async function adaptiveMaxPool2dAsync(
  input: Tensor,
  options: AdaptiveMaxPool2dOptions & AsyncOptions,
): Promise<OutputTensor | PoolWithIndices> {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  const size = resolveAdaptiveSize(options.outputSize);
  const returnIndices = readReturnIndices(options.returnIndices);
  const indexDtype = readIndexDType(options.indexDtype);
  return runAdaptiveAsync(input, size, returnIndices, indexDtype, options);
}

/** Constructor options of `AdaptiveMaxPool2d`. */
export interface AdaptiveMaxPool2dModuleOptions {
  returnIndices?: boolean;
  indexDtype?: IndexDType;
  threads?: number;
}

/** `forward`'s result: `[output, indices]` for a module built with `returnIndices: true`. */
export type AdaptiveResult<R extends boolean, D extends ValueArray> = R extends true
  ? PoolWithIndices<D>
  : OutputTensor<D>;

/**
 * The module form, as `torch.nn.AdaptiveMaxPool2d`: the output size is validated once, in the constructor.
 *
 * @example
 * ```ts
 * import { AdaptiveMaxPool2d } from 'maxpool2d';
 * const pool = new AdaptiveMaxPool2d([7, null]); // 7 rows, input's width
 * const y = pool.forward({ data: new Float32Array(2 * 3 * 20 * 9), shape: [2, 3, 20, 9] }); // y.shape [2, 3, 7, 9]
 * ```
 */
export class AdaptiveMaxPool2d<R extends boolean = false> {
  /** `[h, w]`; `null` keeps the input's size. */
  readonly outputSize: readonly [number | null, number | null];
  readonly returnIndices: R;
  readonly indexDtype: IndexDType;
  readonly threads: number | undefined;

  constructor(outputSize: AdaptiveSize, options: AdaptiveMaxPool2dModuleOptions & { returnIndices?: R } = {}) {
    if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
    this.outputSize = Object.freeze(resolveAdaptiveSize(outputSize)) as readonly [number | null, number | null];
    this.returnIndices = readReturnIndices(options.returnIndices) as R;
    this.indexDtype = readIndexDType(options.indexDtype);
    this.threads = readThreads(options.threads) || undefined;
  }

  /** Pools `input`; returns `[output, indices]` when the module was built with `returnIndices: true`. */
  forward<D extends ValueArray>(input: Tensor<D>, run: RunOptions = {}): AdaptiveResult<R, D> {
    const merged = { threads: this.threads, ...run };
    return runAdaptive(input, this.outputSize, this.returnIndices, this.indexDtype, merged) as AdaptiveResult<R, D>;
  }

  /** `forward` without blocking the event loop (see `adaptiveMaxPool2dAsync`). */
  async forwardAsync<D extends ValueArray>(
    input: Tensor<D>,
    run: RunOptions & AsyncOptions = {},
  ): Promise<AdaptiveResult<R, D>> {
    const merged = { threads: this.threads, ...run };
    const { outputSize, returnIndices, indexDtype } = this;
    return (await runAdaptiveAsync(input, outputSize, returnIndices, indexDtype, merged)) as AdaptiveResult<R, D>;
  }
}
