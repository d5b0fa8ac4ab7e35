/**
 * Backward passes: `maxPool2dBackward` (the gradient of `maxPool2d` w.r.t. its input, as PyTorch's autograd
 * computes it) and `maxUnpool2dBackward` (the gradient of `maxUnpool2d`, a gather).
 *
 * Backend seam: these ops are not part of the `Backend` interface (lib/backends/backend.ts); `nativeOp` below
 * picks the native binding's method when the active backend is the native one (so `setActiveBackend` in the
 * tests switches them too), the loaded binary has the method (an older prebuilt binary may not) and the work is
 * not tiny (the same rule as `backendFor`); otherwise the JS implementation in lib/backends/js-backward.ts runs.
 * Both give the same bits.
 */
import type { NativeBinding } from '../binding';
import { type AsyncOptions, checkSignal } from './abort';
import { activeBackend, backendFor, nativeBinding, readThreads } from './backend';
import { maxPool2dBackwardJs, maxUnpool2dBackwardJs } from './backends/js-backward';
import { poolPlanArray, unpoolPlanArray } from './backends/native';
import { describe, MaxPoolRangeError, rangeError, typeError } from './errors';
import {
  type PoolGeometryOptions,
  type PoolPlan,
  planPool,
  planUnpool,
  readShape,
  resolvePoolParams,
  resolveUnpoolParams,
  type UnpoolGeometryOptions,
  type UnpoolPlan,
} from './geometry';
import { checkNoAlias, type FreshOutput, readFloatTensor, readIndexTensor, resultData, valueOutput } from './input';
import { issue } from './issue';
import type { IndicesInput } from './maxunpool2d';
import {
  allocValues,
  type DType,
  type Float16ArrayOf,
  type FloatArray,
  type HalfDType,
  type IndexArray,
  type OutputTensor,
  type Tensor,
  type ValueArray,
} from './tensor';

/** What `maxPool2dBackward` takes and returns: float32 / float64 values, or float16 / bfloat16 bits (a `Float16Array` too). */
export type GradientArray = FloatArray | Uint16Array | Float16ArrayOf;

/** A gradient as the backends see it (a `Float16Array` arrives as a `Uint16Array` over the same memory). */
type GradientBits = FloatArray | Uint16Array;

/** Native methods this seam may route to. */
type NativeOpName =
  | 'maxPool2dBackward'
  | 'maxUnpool2dBackward'
  | 'adaptiveMaxPool2d'
  | 'maxPool2dBackwardAsync'
  | 'maxUnpool2dBackwardAsync'
  | 'adaptiveMaxPool2dAsync';

/**
 * The binding to run `name` on, or null for the JS implementation (internal; lib/adaptive.ts uses it too).
 * `work` is the call's element count: at most `TINY_WORK` stays in JS unless a test pinned a backend.
 */
export function nativeOp(name: NativeOpName, work: number): NativeBinding | null {
  if (activeBackend().name !== 'native') return null;
  const binding = nativeBinding();
  if (!binding || typeof binding[name] !== 'function') return null;
  // backendFor reads only outputLength and kernel: a plan of `work` 1x1 windows applies its tiny-work rule.
  const chosen = backendFor({ outputLength: work, kernel: [1, 1] } as unknown as PoolPlan);
  return chosen.name === 'native' ? binding : null;
}

/**
 * `readFloatTensor` restricted to the floating dtypes (float32, float64, float16, bfloat16): a gradient that
 * accumulates has no integer variant.
 */
function readGradient(
  value: unknown,
  name: string,
): { data: GradientBits; shape: readonly number[]; dtype: DType; float16Array: boolean } {
  const tensor = readFloatTensor(value, name);
  if (tensor.dtype === 'float32' || tensor.dtype === 'float64' || isHalf(tensor.dtype)) {
    const { shape, dtype, float16Array } = tensor;
    return { data: tensor.data as GradientBits, shape, dtype, float16Array };
  }
  throw typeError(
    `${name}.data`,
    "a Float32Array, Float64Array, or Uint16Array with dtype 'float16' / 'bfloat16' (floating dtypes only)",
    tensor.data,
  );
}

function isHalf(dtype: DType): dtype is HalfDType {
  return dtype === 'float16' || dtype === 'bfloat16';
}

/** The binding's optional dtype argument: needed only to read a Uint16Array as half bits (internal). */
export function nativeDType(dtype: DType): HalfDType | undefined {
  return isHalf(dtype) ? dtype : undefined;
}

/** Throws unless `shape` equals `expected` (same rank, same sizes). */
function checkShape(shape: readonly number[], name: string, expected: readonly number[], what: string): void {
  if (shape.length === expected.length && shape.every((d, i) => d === expected[i])) return;
  throw new MaxPoolRangeError(
    'ERR_MAXPOOL2D_SHAPE_MISMATCH',
    `${name} must equal ${what} ${describe(expected)}, but got ${describe(shape)}`,
  );
}

function checkLength(length: number, name: string, expected: number): void {
  if (length === expected) return;
  throw new MaxPoolRangeError(
    'ERR_MAXPOOL2D_BUFFER_LENGTH',
    `${name} must be ${expected} for its shape, but got ${length}`,
  );
}

/** `readShape` plus the element count, with a RangeError past 2^53. */
function shapeLength(shape: unknown, name: string): { batched: boolean; length: number } {
  const { batched, N, C, H, W } = readShape(shape, name);
  const length = N * C * H * W;
  if (!Number.isSafeInteger(length)) throw rangeError(name, 'a shape with at most 2^53 - 1 elements', shape);
  return { batched, length };
}

/** Everything `maxPool2dBackward` accepts besides the gradient and the indices. */
export interface MaxPool2dBackwardOptions extends PoolGeometryOptions {
  /** Shape of the forward's input, `[N, C, H, W]` or `[C, H, W]`: the shape of the result. */
  inputShape: readonly number[];
  /** The forward's window size, stride (omitted or null: `kernelSize`), padding, dilation and ceil mode. */
  kernelSize: PoolGeometryOptions['kernelSize'];
  /** Threads for this call (native backend); default: `getNumThreads()`. */
  threads?: number;
  /** Write the gradient here instead of allocating (same dtype as `gradOutput`, exact length); zero-filled. */
  out?: GradientArray;
}

/**
 * The gradient of `maxPool2d` w.r.t. its input, as PyTorch's autograd computes it: a zero-filled tensor of
 * `inputShape` with `gradOutput[i]` added at `indices[i]` of the same plane, in index order, so gradients add
 * up where overlapping windows picked the same element. float32, float64, and float16 / bfloat16 (a
 * `Uint16Array` of bits with `dtype`): each half add is a float32 add rounded back to the half type, as PyTorch's
 * CPU kernel accumulates in the tensor's own type (a NaN sum becomes the conversion's NaN: bfloat16 0x7fc0,
 * float16 0x7e00 with x86-64's NaN sign). `gradOutput` and `indices` must have the forward's
 * output shape; every index must lie in `[0, H * W)` (a RangeError names the first that does not, and `out` is
 * left untouched). Deterministic: the same bits on every backend and thread count.
 *
 * @example
 * ```ts
 * import { maxPool2d, maxPool2dBackward } from 'maxpool2d';
 * const x = { data: Float32Array.from({ length: 16 }, (_, i) => i), shape: [1, 1, 4, 4] };
 * const [y, idx] = maxPool2d(x, { kernelSize: 2, returnIndices: true });
 * const dy = { data: new Float32Array([1, 2, 3, 4]), shape: y.shape };
 * const dx = maxPool2dBackward(dy, idx, { inputShape: x.shape, kernelSize: 2 });
 * // dx.data = [0,0,0,0, 0,1,0,2, 0,0,0,0, 0,3,0,4]
 * ```
 */
export function maxPool2dBackward<D extends GradientArray>(
  gradOutput: Tensor<D>,
  indices: IndicesInput,
  options: MaxPool2dBackwardOptions,
): OutputTensor<D> {
  const p = preparePoolBackward(gradOutput, indices, options, 'zeroed');
  const runJs = (out: ValueArray) => maxPool2dBackwardJs(p.plan, p.grad.data, p.idx.data, out, p.grad.dtype);
  return runGradient(p, 'maxPool2dBackward', poolPlanArray(p.plan), runJs) as OutputTensor<D>;
}

/**
 * `maxPool2dBackward` without blocking the event loop (native: off the JS thread, buffers pinned as for
 * `maxPool2dAsync`; JS backend: one event-loop turn later). Errors, a bad index included, reject.
 *
 * @example
 * ```ts
 * const dx = await maxPool2dBackwardAsync(dy, idx, { inputShape: x.shape, kernelSize: 2 });
 * ```
 */
export async function maxPool2dBackwardAsync<D extends GradientArray>(
  gradOutput: Tensor<D>,
  indices: IndicesInput,
  options: MaxPool2dBackwardOptions & AsyncOptions,
): Promise<OutputTensor<D>> {
  checkSignal(options?.signal);
  const p = preparePoolBackward(gradOutput, indices, options, 'deferred');
  const runJs = (out: ValueArray) => maxPool2dBackwardJs(p.plan, p.grad.data, p.idx.data, out, p.grad.dtype);
  return (await runGradientAsync(
    p,
    'maxPool2dBackwardAsync',
    poolPlanArray(p.plan),
    runJs,
    options.signal,
  )) as OutputTensor<D>;
}

/** One gradient call, checked (shared by the sync and async forms of both gradients). */
interface PreparedGradient<P> {
  plan: P;
  grad: { data: ValueArray; shape: readonly number[]; dtype: DType; float16Array: boolean };
  idx: { data: IndexArray; shape: readonly number[] };
  /** The gradient to write; null when left to the async native call. */
  out: ValueArray | null;
  userOut: unknown;
  threads: number;
  resultShape: number[];
  /** For the tiny-work rule. */
  work: number;
}

function preparePoolBackward(
  gradOutput: unknown,
  indices: unknown,
  options: MaxPool2dBackwardOptions,
  fresh: FreshOutput,
): PreparedGradient<PoolPlan> {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  const params = resolvePoolParams(options);
  const grad = readGradient(gradOutput, 'gradOutput');
  const idx = readIndexTensor(indices, 'indices');
  const threads = readThreads(options.threads);
  const { length } = shapeLength(options.inputShape, 'inputShape');
  const plan = planPool(options.inputShape, params, length);
  const what = `the pool's output shape for inputShape ${describe(options.inputShape)}`;
  checkShape(grad.shape, 'gradOutput.shape', plan.outputShape, what);
  checkShape(idx.shape, 'indices.shape', plan.outputShape, what);
  checkLength(grad.data.length, 'gradOutput.data.length', plan.outputLength);
  checkLength(idx.data.length, 'indices.data.length', plan.outputLength);
  const out = valueOutput(options.out, grad.dtype, plan.inputLength, 'out', fresh);
  if (out && options.out != null) {
    checkNoAlias(out, 'out', grad.data, 'gradOutput.data');
    checkNoAlias(out, 'out', idx.data, 'indices.data');
  }
  const resultShape = [...(options.inputShape as number[])];
  const work = plan.outputLength + plan.inputLength;
  return { plan, grad, idx, out, userOut: options.out, threads, resultShape, work };
}

function gradientResult<P>(p: PreparedGradient<P>, out: ValueArray): OutputTensor {
  return { data: resultData(out, p.grad.float16Array, p.userOut), shape: p.resultShape, dtype: p.grad.dtype };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

type GradientFn = (
  gradOutput: ValueArray,
  indices: IndexArray,
  gradInput: ValueArray,
  plan: Float64Array,
  threads: number,
  dtype?: HalfDType,
) => void;

/** Either gradient, sync: the binding's `op`, or `runJs` (the output `p.out` was allocated by the caller). */
function runGradient<P extends PoolPlan | UnpoolPlan>(
  p: PreparedGradient<P>,
  op: 'maxPool2dBackward' | 'maxUnpool2dBackward',
  planArray: Float64Array,
  runJs: (out: ValueArray) => void,
): OutputTensor {
  const out = p.out as ValueArray;
  const binding = nativeOp(op, p.work);
  if (binding) {
    const call = binding[op] as unknown as GradientFn;
    call.call(binding, p.grad.data, p.idx.data, out, planArray, p.threads, nativeDType(p.grad.dtype));
  } else runJs(out);
  return gradientResult(p, out);
}

type GradientAsyncFn = (
  gradOutput: ValueArray,
  indices: IndexArray,
  gradInput: ValueArray | null,
  plan: Float64Array,
  threads: number,
  dtype?: HalfDType,
) => Promise<ValueArray>;

/** The async form of either gradient: the binding's `op` off the JS thread, or `runJs` one turn later. */
async function runGradientAsync<P extends PoolPlan | UnpoolPlan>(
  p: PreparedGradient<P>,
  op: 'maxPool2dBackwardAsync' | 'maxUnpool2dBackwardAsync',
  planArray: Float64Array,
  runJs: (out: ValueArray) => void,
  signal: AbortSignal | undefined,
): Promise<OutputTensor> {
  const binding = nativeOp(op, p.work);
  let out = p.out;
  if (binding) {
    const call = binding[op] as unknown as GradientAsyncFn;
    const given = out;
    out = await issue(signal, () =>
      call.call(binding, p.grad.data, p.idx.data, given, planArray, p.threads, nativeDType(p.grad.dtype)),
    );
  } else {
    await nextTurn();
    // Both gradients write every element (the pool's zero-fills first): no need to zero it here.
    out ??= allocValues(p.grad.dtype, p.plan.inputLength, true);
    runJs(out);
  }
  return gradientResult(p, out);
}

/** Everything `maxUnpool2dBackward` accepts besides the gradient and the indices. */
export interface MaxUnpool2dBackwardOptions extends UnpoolGeometryOptions {
  /** The unpool's (that is, the pool's) window size, stride and padding. */
  kernelSize: UnpoolGeometryOptions['kernelSize'];
  /** The unpool's `outputSize` (`[H, W]` or `[N, C, H, W]`), if it was given one. */
  outputSize?: readonly number[] | null;
  /** Threads for this call (native backend). */
  threads?: number;
  /** Write the gradient here instead of allocating (same dtype as `gradOutput`, exact length). */
  out?: ValueArray;
}

/**
 * The gradient of `maxUnpool2d` w.r.t. its input: `gradInput[p][i] = gradOutput[p][indices[p][i]]`, with the
 * shape of `indices` (the unpool's input shape). `gradOutput` must have the unpool's output shape, which the
 * options give as they did to `maxUnpool2d`. Values of any dtype are copied bit for bit. An index outside the unpool's
 * output plane throws a RangeError naming the first one, `out` untouched.
 *
 * @example
 * ```ts
 * import { maxUnpool2dBackward } from 'maxpool2d';
 * const dz = { data: Float32Array.from({ length: 16 }, (_, i) => i), shape: [1, 1, 4, 4] };
 * const idx = { data: new BigInt64Array([5n, 7n, 13n, 15n]), shape: [1, 1, 2, 2] };
 * maxUnpool2dBackward(dz, idx, { kernelSize: 2 }).data; // Float32Array [5, 7, 13, 15]
 * ```
 */
export function maxUnpool2dBackward<D extends ValueArray>(
  gradOutput: Tensor<D>,
  indices: IndicesInput,
  options: MaxUnpool2dBackwardOptions,
): OutputTensor<D> {
  const p = prepareUnpoolBackward(gradOutput, indices, options, 'unzeroed');
  const runJs = (out: ValueArray) => maxUnpool2dBackwardJs(p.plan, p.grad.data, p.idx.data, out);
  return runGradient(p, 'maxUnpool2dBackward', unpoolPlanArray(p.plan), runJs) as OutputTensor<D>;
}

/**
 * `maxUnpool2dBackward` without blocking the event loop, as `maxPool2dBackwardAsync`.
 *
 * @example
 * ```ts
 * const dy = await maxUnpool2dBackwardAsync(dz, idx, { kernelSize: 2 });
 * ```
 */
export async function maxUnpool2dBackwardAsync<D extends ValueArray>(
  gradOutput: Tensor<D>,
  indices: IndicesInput,
  options: MaxUnpool2dBackwardOptions & AsyncOptions,
): Promise<OutputTensor<D>> {
  checkSignal(options?.signal);
  const p = prepareUnpoolBackward(gradOutput, indices, options, 'deferred');
  const runJs = (out: ValueArray) => maxUnpool2dBackwardJs(p.plan, p.grad.data, p.idx.data, out);
  return (await runGradientAsync(
    p,
    'maxUnpool2dBackwardAsync',
    unpoolPlanArray(p.plan),
    runJs,
    options.signal,
  )) as OutputTensor<D>;
}

function prepareUnpoolBackward(
  gradOutput: unknown,
  indices: unknown,
  options: MaxUnpool2dBackwardOptions,
  fresh: FreshOutput,
): PreparedGradient<UnpoolPlan> {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  const params = resolveUnpoolParams(options);
  const grad = readFloatTensor(gradOutput, 'gradOutput');
  const idx = readIndexTensor(indices, 'indices');
  const threads = readThreads(options.threads);
  const { length } = shapeLength(idx.shape, 'indices.shape');
  checkLength(idx.data.length, 'indices.data.length', length);
  // The unpool's input had the indices' shape; its output is what gradOutput must match.
  const plan = planUnpool(idx.shape, params, length, idx.shape, length, options.outputSize);
  checkShape(grad.shape, 'gradOutput.shape', plan.outputShape, "the unpool's output shape");
  checkLength(grad.data.length, 'gradOutput.data.length', plan.outputLength);
  // A gather writes every element: a fresh gradient need not be zeroed.
  const out = valueOutput(options.out, grad.dtype, plan.inputLength, 'out', fresh);
  if (out && options.out != null) {
    checkNoAlias(out, 'out', grad.data, 'gradOutput.data');
    checkNoAlias(out, 'out', idx.data, 'indices.data');
  }
  return { plan, grad, idx, out, userOut: options.out, threads, resultShape: [...idx.shape], work: plan.inputLength };
}
