/**
 * Tensor types, dtype detection and `toList` (PyTorch's `tolist()`).
 */
import { typeError } from './errors';

/**
 * Element types the pooling ops accept. `float16` and `bfloat16` travel as a `Uint16Array` of raw bits with the
 * tensor's `dtype` saying which (a `Uint16Array` without `dtype` is `uint16`).
 */
export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32';
/** Half-precision dtypes, stored as raw bits in a `Uint16Array`. */
export type HalfDType = 'float16' | 'bfloat16';
/** Index element types: PyTorch's int64 (`BigInt64Array`) or a compact `Int32Array`. */
export type IndexDType = 'int64' | 'int32';

/** The typed array behind a float32 / float64 tensor. */
export type FloatArray = Float32Array | Float64Array;
/** The typed array behind a tensor of any `DType` (halves: `Uint16Array` of bits). */
export type ValueArray = FloatArray | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;
/**
 * `Float16Array` where the TypeScript lib in use declares it (`esnext.float16`, ES2025), else `never`: the
 * types accept a `Float16Array` without requiring that lib (Node 20 has no `Float16Array`).
 */
export type Float16ArrayOf = typeof globalThis extends { Float16Array: { prototype: infer T } } ? T : never;
/**
 * What a tensor's `data` may be: a `ValueArray`, or a `Float16Array` (Node 24+) for float16, whose results are
 * `Float16Array`s over the same bits.
 */
export type TensorData = ValueArray | Float16ArrayOf;
/** The typed array behind an index tensor. */
export type IndexArray = BigInt64Array | Int32Array;

/**
 * A dense row-major tensor. `shape` is `[N, C, H, W]` or unbatched `[C, H, W]` (`[N, H, W, C]` / `[H, W, C]`
 * with `layout: 'NHWC'`). `dtype` is needed only for `float16` / `bfloat16` bits in a `Uint16Array`.
 */
export interface Tensor<D extends TensorData = TensorData> {
  data: D;
  shape: readonly number[];
  dtype?: DType;
}

/** A tensor returned by this package: it also says its dtype. */
export interface OutputTensor<D extends TensorData = TensorData> {
  data: D;
  shape: number[];
  dtype: DType;
}

/** Indices returned by `maxPool2d({ returnIndices: true })`: plane-local `h * W_in + w`. */
export interface IndexTensor<I extends IndexArray = IndexArray> {
  data: I;
  shape: number[];
  dtype: IndexDType;
}

/** The dtype of a value array, or a TypeError naming `name`. */
export function floatDType(data: unknown, name: string): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  throw typeError(name, 'a Float32Array or Float64Array', data);
}

/** The runtime's `Float16Array` constructor (Node 24+), or undefined (Node 20). */
const Float16Ctor = (
  globalThis as { Float16Array?: new (buffer: ArrayBufferLike, offset: number, length: number) => Uint16ArrayLike }
).Float16Array;

/** What this package uses of a `Float16Array`: a view with a buffer and a length. */
interface Uint16ArrayLike extends ArrayBufferView {
  readonly length: number;
}

/** Whether `data` is a `Float16Array` (always false where the runtime has none). */
export function isFloat16Array(data: unknown): boolean {
  return Float16Ctor !== undefined && data instanceof Float16Ctor;
}

/** The raw bits of a `Float16Array` as a `Uint16Array` over the same memory; any other array as it is. */
export function bitsView<A>(data: A): A | Uint16Array {
  if (!isFloat16Array(data)) return data;
  const view = data as unknown as Uint16ArrayLike;
  return new Uint16Array(view.buffer, view.byteOffset, view.length);
}

/**
 * A `Float16Array` over the same memory as `bits` (the user-facing form of a float16 result whose input was a
 * `Float16Array`), or `bits` itself when it already is one. Only called where the runtime has `Float16Array`.
 */
export function float16View(bits: ArrayBufferView & { length: number }): TensorData {
  if (isFloat16Array(bits)) return bits as unknown as TensorData;
  return new (Float16Ctor as NonNullable<typeof Float16Ctor>)(
    bits.buffer,
    bits.byteOffset,
    bits.length,
  ) as unknown as TensorData;
}

/** Whether `dtype` is stored as half-precision bits. */
export function isHalf(dtype: DType): dtype is HalfDType {
  return dtype === 'float16' || dtype === 'bfloat16';
}

/**
 * The dtype of a value array (with the tensor's declared `dtype`, if any), or a TypeError naming `name`.
 * A `Uint16Array` is `uint16` unless `declared` says `float16` or `bfloat16`.
 */
export function valueDType(data: unknown, name: string, declared?: unknown): DType {
  let dtype: DType;
  if (data instanceof Float32Array) dtype = 'float32';
  else if (data instanceof Float64Array) dtype = 'float64';
  else if (data instanceof Int8Array) dtype = 'int8';
  else if (data instanceof Uint8Array) dtype = 'uint8';
  else if (data instanceof Int16Array) dtype = 'int16';
  else if (data instanceof Int32Array) dtype = 'int32';
  else if (isFloat16Array(data)) dtype = 'float16';
  else if (data instanceof Uint16Array) {
    if (declared === 'float16' || declared === 'bfloat16') return declared;
    dtype = 'uint16';
  } else {
    throw typeError(
      name,
      `a Float32Array, Float64Array, ${Float16Ctor ? 'Float16Array, ' : ''}Int8Array, Uint8Array, Int16Array, Uint16Array or Int32Array`,
      data,
    );
  }
  if (declared !== undefined && declared !== null && declared !== dtype) {
    const allowed =
      dtype === 'uint16' && !isFloat16Array(data) ? "'uint16', 'float16' or 'bfloat16'" : `'${dtype}' as its data is`;
    throw typeError(name.replace(/\.data$/, '.dtype'), allowed, declared);
  }
  return dtype;
}

/**
 * Outputs at least this large are allocated without zeroing when the kernel writes every element: fresh zeroed
 * memory costs page faults or a memset that can exceed the pooling itself. Below it, a plain typed array is cheaper.
 */
export const UNZEROED_MIN_BYTES = 1 << 16;

/** Memory for `bytes` whose contents are left as they were (Node's `Buffer.allocUnsafeSlow`, never pooled). */
function unzeroedBuffer(bytes: number): ArrayBuffer {
  return Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
}

/**
 * Allocates a value array of `dtype`. `unzeroed`: only for outputs the backend overwrites entirely; large ones then
 * skip zeroing (see `UNZEROED_MIN_BYTES`).
 */
export function allocValues(dtype: DType, length: number, unzeroed = false): ValueArray {
  const bytes = length * valueBytes(dtype);
  const buffer = unzeroed && bytes >= UNZEROED_MIN_BYTES ? unzeroedBuffer(bytes) : undefined;
  switch (dtype) {
    case 'float32':
      return buffer ? new Float32Array(buffer, 0, length) : new Float32Array(length);
    case 'float64':
      return buffer ? new Float64Array(buffer, 0, length) : new Float64Array(length);
    case 'int8':
      return buffer ? new Int8Array(buffer, 0, length) : new Int8Array(length);
    case 'uint8':
      return buffer ? new Uint8Array(buffer, 0, length) : new Uint8Array(length);
    case 'int16':
      return buffer ? new Int16Array(buffer, 0, length) : new Int16Array(length);
    case 'int32':
      return buffer ? new Int32Array(buffer, 0, length) : new Int32Array(length);
    default:
      return buffer ? new Uint16Array(buffer, 0, length) : new Uint16Array(length);
  }
}

/** Bytes per element of `dtype`. */
export function valueBytes(dtype: DType): number {
  switch (dtype) {
    case 'float64':
      return 8;
    case 'float32':
    case 'int32':
      return 4;
    case 'int8':
    case 'uint8':
      return 1;
    default:
      return 2;
  }
}

/** The dtype of an index array, or a TypeError naming `name`. */
export function indexDType(data: unknown, name: string): IndexDType {
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  throw typeError(name, 'a BigInt64Array or Int32Array', data);
}

/** Allocates a zeroed value array of `dtype`. */
export function allocFloat(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** Allocates an index array of `dtype`; `unzeroed` as for `allocValues`. */
export function allocIndex(dtype: IndexDType, length: number, unzeroed = false): IndexArray {
  const bytes = length * (dtype === 'int64' ? 8 : 4);
  if (unzeroed && bytes >= UNZEROED_MIN_BYTES) {
    const buffer = unzeroedBuffer(bytes);
    return dtype === 'int64' ? new BigInt64Array(buffer, 0, length) : new Int32Array(buffer, 0, length);
  }
  return dtype === 'int64' ? new BigInt64Array(length) : new Int32Array(length);
}

/** A nested array of numbers (or bigints, for int64 indices), as PyTorch's `tolist()` gives. */
export type NestedList = number | bigint | NestedList[];

/**
 * Turns a tensor into nested arrays, like PyTorch's `Tensor.tolist()`.
 *
 * @example
 * ```ts
 * toList({ data: new Float32Array([1, 2, 3, 4]), shape: [1, 2, 2] }); // [[[1, 2], [3, 4]]]
 * ```
 */
export function toList(tensor: { data: ArrayLike<number | bigint>; shape: readonly number[] }): NestedList {
  const { data, shape } = tensor;
  const build = (dim: number, offset: number): NestedList => {
    if (dim === shape.length) return data[offset];
    let stride = 1;
    for (let d = dim + 1; d < shape.length; d++) stride *= shape[d];
    const out: NestedList[] = [];
    for (let i = 0; i < shape[dim]; i++) out.push(build(dim + 1, offset + i * stride));
    return out;
  };
  return build(0, 0);
}

/**
 * Formats a tensor as PyTorch prints `tolist()`: nested brackets, one innermost row per line.
 * Numbers are printed with up to `digits` decimals (default 4).
 */
export function formatTensor(
  tensor: { data: ArrayLike<number | bigint>; shape: readonly number[] },
  digits = 4,
): string {
  const fmt = (x: number | bigint) =>
    typeof x === 'bigint' ? String(x) : Number.isInteger(x) ? String(x) : String(Number(x.toFixed(digits)));
  const render = (value: NestedList, depth: number): string => {
    if (!Array.isArray(value)) return fmt(value);
    if (value.length === 0 || !Array.isArray(value[0])) return `[${value.map((v) => render(v, depth + 1)).join(', ')}]`;
    const pad = ' '.repeat(depth + 1);
    return `[${value.map((v, i) => (i === 0 ? '' : pad) + render(v, depth + 1)).join(',\n')}]`;
  };
  return render(toList(tensor), 0);
}
