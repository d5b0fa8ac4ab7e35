/**
 * ONNX Runtime interop. Every function of this package also accepts an ORT tensor (`{ type, dims, data }`, as
 * `new ort.Tensor(type, data, dims)` builds it) wherever it accepts `{ data, shape }`; `toOnnx` turns a result
 * into the three arguments of that constructor, and `fromOnnx` gives an ORT tensor this package's static type.
 * Nothing here imports onnxruntime: the data arrays are shared, never copied.
 */
import { describe, MaxPoolRangeError, MaxPoolTypeError, typeError } from './errors';
import { ORT_VALUE_TYPES, readFloatTensor, readIndexTensor } from './input';
import { type Float16ArrayOf, type IndexArray, isFloat16Array, type TensorData } from './tensor';

/**
 * The ONNX Runtime tensor types this package reads and writes: onnxruntime-common's numeric `Tensor.Type`s that
 * have a dtype here. ORT's JavaScript `Tensor` has no bfloat16 type (`toOnnx` refuses bfloat16 results), and this
 * package has no uint32 / uint64 / bool / string / int4 / uint4 tensors.
 */
export type OnnxType = 'float32' | 'float64' | 'float16' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'int64';

/**
 * The ORT `type` string of a data array of this package. A `Uint16Array` is `'uint16'` or `'float16'` (its bits)
 * as the tensor's `dtype` says; a `Float16Array` is `'float16'`.
 */
export type OnnxTypeOf<A> = A extends Float32Array
  ? 'float32'
  : A extends Float64Array
    ? 'float64'
    : A extends BigInt64Array
      ? 'int64'
      : A extends Int32Array
        ? 'int32'
        : A extends Int8Array
          ? 'int8'
          : A extends Uint8Array
            ? 'uint8'
            : A extends Int16Array
              ? 'int16'
              : A extends Uint16Array
                ? 'uint16' | 'float16'
                : A extends Float16ArrayOf
                  ? 'float16'
                  : never;

/** What ORT's `Tensor` is made of, for the element types this package uses. */
export interface OnnxTensorLike<A extends TensorData | IndexArray = TensorData | IndexArray> {
  /** One of `OnnxType`: a value type, or `'int64' | 'int32'` for indices. */
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: A;
  /** ORT's data location; only `'cpu'` (or absent) can be read. */
  readonly location?: string;
}

/** `toOnnx`'s result: hand it to ORT as `new ort.Tensor(t.type, t.data, t.dims)`. */
export interface OnnxTensorData<A extends TensorData | IndexArray = TensorData | IndexArray> {
  type: OnnxTypeOf<A>;
  dims: number[];
  data: A;
}

const ONNX_TYPES = "'float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32' or 'int64'";

/** The ORT type of `data` with the tensor's declared `dtype`, or a TypeError naming what does not fit. */
function onnxTypeOf(data: unknown, dtype: unknown): OnnxType {
  let type: OnnxType;
  if (data instanceof Float32Array) type = 'float32';
  else if (data instanceof Float64Array) type = 'float64';
  else if (data instanceof BigInt64Array) type = 'int64';
  else if (data instanceof Int32Array) type = 'int32';
  else if (data instanceof Int8Array) type = 'int8';
  else if (data instanceof Uint8Array) type = 'uint8';
  else if (data instanceof Int16Array) type = 'int16';
  else if (isFloat16Array(data)) type = 'float16';
  else if (data instanceof Uint16Array) {
    if (dtype === 'float16') return 'float16';
    if (dtype === 'bfloat16') {
      throw new MaxPoolTypeError(
        'ERR_INVALID_ARG_TYPE',
        `tensor.dtype must be a dtype ONNX Runtime has a tensor type for (${ONNX_TYPES}), but got "bfloat16": ` +
          "ONNX Runtime's JavaScript Tensor has no bfloat16 type (convert the values to float32 first)",
      );
    }
    type = 'uint16';
  } else {
    throw typeError(
      'tensor.data',
      'a Float32Array, Float64Array, Float16Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array ' +
        'or BigInt64Array',
      data,
    );
  }
  if (dtype !== undefined && dtype !== null && dtype !== type) {
    throw typeError('tensor.dtype', `'${type}' as its data is`, dtype);
  }
  return type;
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
export function toOnnx<A extends TensorData | IndexArray>(tensor: {
  data: A;
  shape: readonly number[];
  dtype?: string;
}): OnnxTensorData<A> {
  if (tensor === null || typeof tensor !== 'object') throw typeError('tensor', 'a tensor { data, shape }', tensor);
  const { data, shape } = tensor;
  const type = onnxTypeOf(data, tensor.dtype);
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
export function fromOnnx<A extends TensorData | IndexArray>(
  tensor: OnnxTensorLike<A>,
): { data: A; shape: number[]; dtype: OnnxTypeOf<A> } {
  if (tensor === null || typeof tensor !== 'object') throw typeError('tensor', 'a tensor { type, dims, data }', tensor);
  const { type } = tensor;
  if (typeof type !== 'string') throw typeError('tensor.type', 'a string', type);
  // The type picks the reader, which checks the location before it touches `data` (ORT's getter throws off-CPU).
  // int32 reads the same as values or as indices; the reader refuses any other type not in ORT_VALUE_TYPES.
  if (type === 'int64' || type === 'int32') {
    const read = readIndexTensor(tensor, 'tensor');
    return { data: read.data as A, shape: read.shape.slice(), dtype: read.dtype as OnnxTypeOf<A> };
  }
  if (!(ORT_VALUE_TYPES as readonly string[]).includes(type)) {
    throw typeError('tensor.type', ONNX_TYPES, type);
  }
  const read = readFloatTensor(tensor, 'tensor');
  // `raw`: the tensor's own array (a Float16Array stays one), shared.
  return { data: read.raw as A, shape: read.shape.slice(), dtype: read.dtype as OnnxTypeOf<A> };
}
