/**
 * ONNX Runtime interop. Every function of this package also accepts an ORT tensor (`{ type, dims, data }`, as
 * `new ort.Tensor(type, data, dims)` builds it) wherever it accepts `{ data, shape }`; `toOnnx` turns a result
 * into the three arguments of that constructor, and `fromOnnx` gives an ORT tensor this package's static type.
 * Nothing here imports onnxruntime: the data arrays are shared, never copied.
 */
import { describe, MaxPoolRangeError, typeError } from './errors';
import { readFloatTensor, readIndexTensor } from './input';
import type { DType, IndexArray, IndexDType, ValueArray } from './tensor';

/** The ORT `type` string of a data array of this package. */
export type OnnxTypeOf<A> = A extends Float32Array
  ? 'float32'
  : A extends Float64Array
    ? 'float64'
    : A extends BigInt64Array
      ? 'int64'
      : A extends Int32Array
        ? 'int32'
        : never; // the other value dtypes do not convert yet (toOnnx throws for them)

/** What ORT's `Tensor` is made of, for the element types this package uses. */
export interface OnnxTensorLike<A extends ValueArray | IndexArray = ValueArray | IndexArray> {
  /** `'float32' | 'float64'` for values, `'int64' | 'int32'` for indices. */
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: A;
  /** ORT's data location; only `'cpu'` (or absent) can be read. */
  readonly location?: string;
}

/** `toOnnx`'s result: hand it to ORT as `new ort.Tensor(t.type, t.data, t.dims)`. */
export interface OnnxTensorData<A extends ValueArray | IndexArray = ValueArray | IndexArray> {
  type: OnnxTypeOf<A>;
  dims: number[];
  data: A;
}

function typeOfData(data: unknown): DType | IndexDType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  return undefined;
}

/**
 * A tensor (`{ data, shape }`, e.g. a result of `maxPool2d`, values or indices) as `{ type, dims, data }`, ready
 * for `new ort.Tensor(type, data, dims)`. The data array is shared, not copied. Indices keep their convention:
 * pool with `indexMode: 'flat'` (or convert with `planeToFlatIndices`) before handing them to ONNX `MaxUnpool`.
 * ONNX's pooling ops take 4-D tensors only, so give an unbatched `[C, H, W]` result a batch dimension first.
 *
 * @example
 * ```ts
 * const [y, idx] = maxPool2d(x, { kernelSize: 2, returnIndices: true, indexMode: 'flat' });
 * const v = toOnnx(y);   // { type: 'float32', dims: [1, 1, 2, 2], data: Float32Array }
 * const i = toOnnx(idx); // { type: 'int64', dims: [1, 1, 2, 2], data: BigInt64Array }
 * const feeds = { X: new ort.Tensor(v.type, v.data, v.dims), I: new ort.Tensor(i.type, i.data, i.dims) };
 * ```
 */
export function toOnnx<A extends ValueArray | IndexArray>(tensor: {
  data: A;
  shape: readonly number[];
}): OnnxTensorData<A> {
  if (tensor === null || typeof tensor !== 'object') throw typeError('tensor', 'a tensor { data, shape }', tensor);
  const { data, shape } = tensor;
  const type = typeOfData(data);
  if (type === undefined) {
    throw typeError('tensor.data', 'a Float32Array, Float64Array, BigInt64Array or Int32Array', data);
  }
  if (!Array.isArray(shape)) throw typeError('tensor.shape', 'an array of integers', shape);
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    if (!Number.isSafeInteger(shape[i]) || shape[i] < 0) {
      throw typeError(`tensor.shape[${i}]`, 'a non-negative integer', shape[i]);
    }
    size *= shape[i];
  }
  if (size !== data.length) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
      `tensor.data.length must be ${size} for shape ${describe(shape)}, but got ${data.length}`,
    );
  }
  return { type: type as OnnxTypeOf<A>, dims: shape.slice(), data };
}

/**
 * An ORT tensor (`{ type, dims, data }` on the CPU) as this package's `{ data, shape, dtype }`, sharing its data.
 * The functions of this package take ORT tensors as they are; this gives them the static type `Tensor` /
 * `IndicesInput` in TypeScript, and checks `type` against the data.
 *
 * @example
 * ```ts
 * const [y] = maxPool2d(fromOnnx(ortTensor), { kernelSize: 2 });
 * ```
 */
export function fromOnnx<A extends ValueArray | IndexArray>(
  tensor: OnnxTensorLike<A>,
): { data: A; shape: number[]; dtype: OnnxTypeOf<A> } {
  if (tensor === null || typeof tensor !== 'object') throw typeError('tensor', 'a tensor { type, dims, data }', tensor);
  const { type } = tensor;
  if (typeof type !== 'string') throw typeError('tensor.type', 'a string', type);
  // The type picks the reader, which checks the location before it touches `data` (ORT's getter throws off-CPU).
  const read =
    type === 'int64' || type === 'int32' ? readIndexTensor(tensor, 'tensor') : readFloatTensor(tensor, 'tensor');
  return { data: read.data as A, shape: read.shape.slice(), dtype: read.dtype as OnnxTypeOf<A> };
}
