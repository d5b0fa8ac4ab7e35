/**
 * maxpool2d: PyTorch-exact 2-D max pooling and unpooling for Node.js.
 *
 * @example
 * ```ts
 * import { maxPool2d, toList } from 'maxpool2d';
 * const x = { data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]), shape: [1, 1, 4, 4] };
 * console.log(toList(maxPool2d(x, { kernelSize: 2, stride: 2 }))); // [[[[6, 8], [14, 16]]]]
 * ```
 * @packageDocumentation
 */
export { backend, getNumThreads, setNumThreads, type BackendInfo } from './backend';
export { MaxPoolRangeError, MaxPoolTypeError, type ErrorCode } from './errors';
export { pooledSize, unpooledSize, type Size2 } from './geometry';
export {
  MaxPool2d,
  maxPool2d,
  type MaxPool2dModuleOptions,
  type MaxPool2dOptions,
  type PoolResult,
  type PoolWithIndices,
  type RunOptions,
} from './maxpool2d';
export {
  MaxUnpool2d,
  maxUnpool2d,
  type IndicesInput,
  type MaxUnpool2dModuleOptions,
  type MaxUnpool2dOptions,
} from './maxunpool2d';
export {
  formatTensor,
  toList,
  type DType,
  type FloatArray,
  type IndexArray,
  type IndexDType,
  type IndexTensor,
  type NestedList,
  type OutputTensor,
  type Tensor,
} from './tensor';
