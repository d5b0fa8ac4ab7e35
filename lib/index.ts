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

export type { AsyncOptions } from './abort';
export {
  AdaptiveMaxPool2d,
  type AdaptiveMaxPool2dModuleOptions,
  type AdaptiveMaxPool2dOptions,
  type AdaptiveResult,
  type AdaptiveSize,
  adaptiveMaxPool2d,
  adaptiveMaxPool2dAsync,
} from './adaptive';
export { maxPool2dAsync, maxUnpool2dAsync } from './async';
export { type BackendInfo, backend, getNumThreads, setNumThreads } from './backend';
export {
  type MaxPool2dBackwardOptions,
  type MaxUnpool2dBackwardOptions,
  maxPool2dBackward,
  maxPool2dBackwardAsync,
  maxUnpool2dBackward,
  maxUnpool2dBackwardAsync,
} from './backward';
export { type ErrorCode, MaxPoolRangeError, MaxPoolTypeError } from './errors';
export { type Layout, pooledSize, type Size2, unpooledSize } from './geometry';
export { flatToPlaneIndices, type IndexConvertOptions, type IndexMode, planeToFlatIndices } from './index-mode';
export {
  MaxPool2d,
  type MaxPool2dModuleOptions,
  type MaxPool2dOptions,
  maxPool2d,
  type PoolResult,
  type PoolWithIndices,
  type RunOptions,
} from './maxpool2d';
export {
  type IndicesInput,
  MaxUnpool2d,
  type MaxUnpool2dModuleOptions,
  type MaxUnpool2dOptions,
  maxUnpool2d,
} from './maxunpool2d';
export { fromOnnx, type OnnxTensorData, type OnnxTensorLike, type OnnxType, type OnnxTypeOf, toOnnx } from './onnx';
export {
  type DType,
  type Float16ArrayOf,
  type FloatArray,
  formatTensor,
  type HalfDType,
  type IndexArray,
  type IndexDType,
  type IndexTensor,
  type NestedList,
  type OutputTensor,
  type Tensor,
  type TensorData,
  toList,
  type ValueArray,
} from './tensor';
