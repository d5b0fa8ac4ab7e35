/**
 * The async forms: same arguments and results as the sync ones, but the work runs off the JS thread (native:
 * a libuv worker hands the planes to the addon's pool) or in slices across event-loop turns (JS backend), so a
 * server keeps answering while it pools. Errors reject; nothing throws synchronously.
 */
import { type AsyncOptions, checkSignal } from './abort';
import { typeError } from './errors';
import { readLayout, resolvePoolParams, resolveUnpoolParams } from './geometry';
import { readIndexMode } from './index-mode';
import { type MaxPool2dOptions, type PoolWithIndices, preparePool, readRunFlags, runPoolAsync } from './maxpool2d';
import { type IndicesInput, type MaxUnpool2dOptions, prepareUnpool, runUnpoolAsync } from './maxunpool2d';
import type { FloatArray, OutputTensor, Tensor, TensorData } from './tensor';

/**
 * `maxPool2d` without blocking the event loop.
 *
 * @example
 * ```ts
 * import { maxPool2dAsync } from 'maxpool2d';
 * const y = await maxPool2dAsync(x, { kernelSize: 3, stride: 2, padding: 1 });
 * const [values, indices] = await maxPool2dAsync(x, { kernelSize: 2, returnIndices: true, signal });
 * ```
 */
export async function maxPool2dAsync<D extends TensorData = FloatArray>(
  input: Tensor<D>,
  options: MaxPool2dOptions & AsyncOptions & { returnIndices: true },
): Promise<PoolWithIndices<D>>;
export async function maxPool2dAsync<D extends TensorData = FloatArray>(
  input: Tensor<D>,
  options: MaxPool2dOptions & AsyncOptions & { returnIndices?: false },
): Promise<OutputTensor<D>>;
export async function maxPool2dAsync(
  input: Tensor,
  options: MaxPool2dOptions & AsyncOptions,
): Promise<OutputTensor | PoolWithIndices>;
export async function maxPool2dAsync(
  input: Tensor,
  options: MaxPool2dOptions & AsyncOptions,
): Promise<OutputTensor | PoolWithIndices> {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  checkSignal(options.signal);
  const params = resolvePoolParams(options);
  const { returnIndices, indexDtype, indexMode, layout } = readRunFlags(options);
  const p = preparePool(input, params, returnIndices, indexDtype, options, indexMode, undefined, layout, 'deferred');
  return runPoolAsync(p, options.signal);
}

/**
 * `maxUnpool2d` without blocking the event loop.
 *
 * @example
 * ```ts
 * const restored = await maxUnpool2dAsync(values, indices, { kernelSize: 2 });
 * ```
 */
export async function maxUnpool2dAsync<D extends TensorData = FloatArray>(
  input: Tensor<D>,
  indices: IndicesInput,
  options: MaxUnpool2dOptions & AsyncOptions,
): Promise<OutputTensor<D>> {
  if (options === null || typeof options !== 'object') throw typeError('options', 'an object', options);
  checkSignal(options.signal);
  const params = resolveUnpoolParams(options);
  const indexMode = readIndexMode(options.indexMode);
  const p = prepareUnpool(
    input,
    indices,
    params,
    options.outputSize,
    options.threads,
    options.out,
    indexMode,
    readLayout(options.layout),
    'deferred',
  );
  return (await runUnpoolAsync(p, options.signal)) as OutputTensor<D>;
}
