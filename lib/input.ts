/**
 * Reads tensors and output buffers handed to the public API, with typed errors.
 */
import { constants as bufferConstants } from 'node:buffer';
import { describe, MaxPoolRangeError, MaxPoolTypeError, typeError } from './errors';
import {
  allocIndex,
  allocValues,
  bitsView,
  type DType,
  float16View,
  type IndexArray,
  type IndexDType,
  indexDType,
  isFloat16Array,
  type TensorData,
  type ValueArray,
  valueBytes,
  valueDType,
} from './tensor';

/** A tensor argument after its kinds have been checked. */
export interface ReadTensor<A> {
  data: A;
  shape: readonly number[];
}

/** A tensor argument's fields; `type` and `dims` only for the ORT form. */
interface TensorFields {
  data: unknown;
  shape: unknown;
  /** Where the shape came from, for messages: `shape`, or `dims` for the ORT form. */
  shapeKey: 'shape' | 'dims';
  type?: unknown;
}

/**
 * The fields of a tensor argument: `{ data, shape }`, or ONNX Runtime's `{ type, dims, data }` (an `ort.Tensor`)
 * when there is no `shape` but a `dims`. An ORT tensor's `data` is read only when it lives on the CPU (its getter
 * throws otherwise), and its `type` must be one of `types`.
 */
function tensorFields(value: object, name: string, types: readonly string[]): TensorFields {
  const v = value as { data?: unknown; shape?: unknown; dims?: unknown; type?: unknown; location?: unknown };
  if (v.shape !== undefined || v.dims === undefined) return { data: v.data, shape: v.shape, shapeKey: 'shape' };
  if (v.location !== undefined && v.location !== 'cpu') {
    throw typeError(`${name}.location`, "'cpu' (download the data with getData() first)", v.location);
  }
  const type = v.type;
  if (type !== undefined && !types.includes(type as string)) {
    const list = types.map((t) => `'${t}'`);
    const expected = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : list[0];
    throw typeError(`${name}.type`, expected, type);
  }
  return { data: v.data, shape: v.dims, shapeKey: 'dims', type };
}

/** A declared ORT `type` must name the dtype its data has. */
function checkType(name: string, type: unknown, dtype: string): void {
  if (type !== undefined && type !== dtype) throw typeError(`${name}.type`, `'${dtype}' as its data is`, type);
}

/** ORT `type`s a value tensor may have: every ONNX Runtime JS numeric type this package pools. */
export const ORT_VALUE_TYPES = ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32'] as const;

/** A value tensor after its kinds have been checked. */
export interface ReadValueTensor extends ReadTensor<ValueArray> {
  dtype: DType;
  /** The caller's array: `data` is the same, except that a `Float16Array` is read as a `Uint16Array` of its bits. */
  raw: unknown;
  /** Whether the caller's array is a `Float16Array` (its results are `Float16Array`s too). */
  float16Array: boolean;
}

/**
 * Checks that `value` is `{ data, shape, dtype? }` (or ORT's `{ type, dims, data }`) with a value array of a
 * supported dtype (`dtype` tells float16 / bfloat16 bits in a Uint16Array from uint16; a `Float16Array` is
 * float16). `data` of the result is what the backends take: a `Float16Array` becomes a `Uint16Array` over the same
 * memory, so its bits (NaN payloads included) travel untouched.
 */
export function readFloatTensor(value: unknown, name: string): ReadValueTensor {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) {
    throw typeError(name, 'a tensor { data, shape }', value);
  }
  const { data, shape, shapeKey, type } = tensorFields(value, name, ORT_VALUE_TYPES);
  let dtype: DType;
  if (shapeKey === 'dims') {
    // ORT: a float16 tensor's data is a Uint16Array of bits (or a Float16Array where the runtime has it).
    dtype = valueDType(data, `${name}.data`);
    if (dtype === 'uint16' && type === 'float16') dtype = 'float16';
    else if (dtype === 'uint16' && type !== undefined && type !== 'uint16') {
      throw typeError(`${name}.type`, "'uint16' or 'float16' as its data is a Uint16Array", type);
    }
    checkType(name, type, dtype);
  } else {
    dtype = valueDType(data, `${name}.data`, (value as { dtype?: unknown }).dtype);
  }
  if (!Array.isArray(shape)) throw typeError(`${name}.${shapeKey}`, 'an array of 3 or 4 integers', shape);
  const float16Array = isFloat16Array(data);
  return { data: bitsView(data) as ValueArray, shape, dtype, raw: data, float16Array };
}

/** `readFloatTensor` under the name that says what it reads now. */
export const readValueTensor = readFloatTensor;

/** Checks that `value` is `{ data, shape }` (or ORT's `{ type, dims, data }`) with an index array. */
export function readIndexTensor(value: unknown, name: string): ReadTensor<IndexArray> & { dtype: IndexDType } {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) {
    throw typeError(name, 'a tensor { data, shape }', value);
  }
  const { data, shape, shapeKey, type } = tensorFields(value, name, ['int64', 'int32']);
  const dtype = indexDType(data, `${name}.data`);
  checkType(name, type, dtype);
  if (!Array.isArray(shape)) throw typeError(`${name}.${shapeKey}`, 'an array of 3 or 4 integers', shape);
  return { data: data as IndexArray, shape, dtype };
}

/** Reads the `indexDtype` option. */
export function readIndexDType(value: unknown): IndexDType {
  if (value === undefined || value === null) return 'int64';
  if (value !== 'int64' && value !== 'int32') throw typeError('indexDtype', "'int64' or 'int32'", value);
  return value;
}

function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Throws when two views share bytes (an output may not alias an input). */
export function checkNoAlias(a: ArrayBufferView, aName: string, b: ArrayBufferView, bName: string): void {
  if (a.byteLength > 0 && b.byteLength > 0 && overlaps(a, b)) {
    throw new MaxPoolRangeError('ERR_MAXPOOL2D_ALIASING', `${aName} must not share memory with ${bName}`);
  }
}

/** Largest typed-array length this runtime can allocate (`buffer.constants.MAX_LENGTH` bytes). */
const MAX_BYTES = bufferConstants.MAX_LENGTH;

/**
 * Allocates an output, turning "too large" into a coded RangeError that names the size: refused up front when it
 * exceeds what the runtime can hold, and also when the allocation itself fails for lack of memory.
 */
function allocate<T>(name: string, length: number, bytesPerElement: number, make: () => T): T {
  const bytes = length * bytesPerElement;
  const tooLarge = () =>
    new MaxPoolRangeError('ERR_OUT_OF_RANGE', `${name} of ${length} elements (${bytes} bytes) cannot be allocated`);
  if (bytes > MAX_BYTES) throw tooLarge();
  try {
    return make();
  } catch (error) {
    if (error instanceof RangeError) throw tooLarge();
    throw error;
  }
}

/**
 * What to do when the caller passed no output buffer: allocate a zeroed one, allocate without zeroing (the backend
 * writes every element), or only check that one could be allocated (an async native call allocates it itself).
 */
export type FreshOutput = 'zeroed' | 'unzeroed' | 'deferred';

/**
 * A caller-supplied value output buffer, checked, or a fresh one. A `Float16Array` `out` (float16 only) is
 * returned as a `Uint16Array` over the same memory, the form the backends write.
 */
export function valueOutput(
  out: unknown,
  dtype: DType,
  length: number,
  name?: string,
  fresh?: 'zeroed' | 'unzeroed',
): ValueArray;
export function valueOutput(
  out: unknown,
  dtype: DType,
  length: number,
  name: string,
  fresh: FreshOutput,
): ValueArray | null;
export function valueOutput(
  out: unknown,
  dtype: DType,
  length: number,
  name = 'out',
  fresh: FreshOutput = 'zeroed',
): ValueArray | null {
  if (out === undefined || out === null) {
    const array = allocate(name, length, valueBytes(dtype), () =>
      fresh === 'deferred' ? null : allocValues(dtype, length, fresh === 'unzeroed'),
    );
    return array;
  }
  const got = valueDType(out, name);
  if (got !== dtype && !(got === 'uint16' && (dtype === 'float16' || dtype === 'bfloat16'))) {
    throw new MaxPoolTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be a ${dtype} array like the input, but got ${describe(out)}`,
    );
  }
  const array = bitsView(out) as ValueArray;
  if (array.length !== length) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
      `${name}.length must be ${length}, but got ${array.length}`,
    );
  }
  return array;
}

/**
 * The `data` a result hands back: the backends' array, as a `Float16Array` over the same memory when the input
 * was a `Float16Array` (the caller's own `out` when that is one), else as it is.
 */
export function resultData(output: ValueArray, float16Array: boolean, out?: unknown): TensorData {
  if (!float16Array) return output;
  return isFloat16Array(out) ? (out as TensorData) : float16View(output);
}

/** A caller-supplied index output buffer, checked, or a fresh one (`fresh` as for `valueOutput`). */
export function indexOutput(
  out: unknown,
  dtype: IndexDType,
  length: number,
  name?: string,
  fresh?: 'zeroed' | 'unzeroed',
): IndexArray;
export function indexOutput(
  out: unknown,
  dtype: IndexDType,
  length: number,
  name: string,
  fresh: FreshOutput,
): IndexArray | null;
export function indexOutput(
  out: unknown,
  dtype: IndexDType,
  length: number,
  name = 'indicesOut',
  fresh: FreshOutput = 'zeroed',
): IndexArray | null {
  if (out === undefined || out === null) {
    return allocate(name, length, dtype === 'int64' ? 8 : 4, () =>
      fresh === 'deferred' ? null : allocIndex(dtype, length, fresh === 'unzeroed'),
    );
  }
  const got = indexDType(out, name);
  if (got !== dtype) {
    throw new MaxPoolTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be an ${dtype} array as indexDtype says, but got ${describe(out)}`,
    );
  }
  const array = out as IndexArray;
  if (array.length !== length) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
      `${name}.length must be ${length}, but got ${array.length}`,
    );
  }
  return array;
}
