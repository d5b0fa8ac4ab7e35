// ESM entry: re-exports the CommonJS build so that both module systems share one instance (one backend,
// one thread pool). The names are checked against dist/index.js by test/esm-cjs.test.ts.
import cjs from '../dist/index.js';

export const {
  MaxPool2d,
  MaxPoolRangeError,
  MaxPoolTypeError,
  MaxUnpool2d,
  backend,
  formatTensor,
  getNumThreads,
  maxPool2d,
  maxPool2dAsync,
  maxUnpool2d,
  maxUnpool2dAsync,
  pooledSize,
  setNumThreads,
  toList,
  unpooledSize,
  planeToFlatIndices,
  flatToPlaneIndices,
  toOnnx,
  fromOnnx,
} = cjs;
export const {
  AdaptiveMaxPool2d,
  adaptiveMaxPool2d,
  adaptiveMaxPool2dAsync,
  maxPool2dBackward,
  maxPool2dBackwardAsync,
  maxUnpool2dBackward,
  maxUnpool2dBackwardAsync,
} = cjs;
export default cjs;
