/**
 * Reads tensors and output buffers handed to the public API, with typed errors.
 */
import { describe, MaxPoolRangeError, MaxPoolTypeError, typeError } from './errors';
import {
  allocFloat,
  allocIndex,
  type DType,
  type FloatArray,
  floatDType,
  type IndexArray,
  type IndexDType,
  indexDType,
} from './tensor';

/** A tensor argument after its kinds have been checked. */
export interface ReadTensor<A> {
  data: A;
  shape: readonly number[];
}

/** Checks that `value` is `{ data, shape }` with a float array. */
export function readFloatTensor(value: unknown, name: string): ReadTensor<FloatArray> & { dtype: DType } {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) {
    throw typeError(name, 'a tensor { data, shape }', value);
  }
  const { data, shape } = value as { data?: unknown; shape?: unknown };
  const dtype = floatDType(data, `${name}.data`);
  if (!Array.isArray(shape)) throw typeError(`${name}.shape`, 'an array of 3 or 4 integers', shape);
  return { data: data as FloatArray, shape, dtype };
}

/** Checks that `value` is `{ data, shape }` with an index array. */
export function readIndexTensor(value: unknown, name: string): ReadTensor<IndexArray> & { dtype: IndexDType } {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) {
    throw typeError(name, 'a tensor { data, shape }', value);
  }
  const { data, shape } = value as { data?: unknown; shape?: unknown };
  const dtype = indexDType(data, `${name}.data`);
  if (!Array.isArray(shape)) throw typeError(`${name}.shape`, 'an array of 3 or 4 integers', shape);
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

/** A caller-supplied value output buffer, checked, or a fresh one. */
export function valueOutput(out: unknown, dtype: DType, length: number, name = 'out'): FloatArray {
  if (out === undefined || out === null) return allocFloat(dtype, length);
  const got = floatDType(out, name);
  if (got !== dtype) {
    throw new MaxPoolTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${name} must be a ${dtype} array like the input, but got ${describe(out)}`,
    );
  }
  const array = out as FloatArray;
  if (array.length !== length) {
    throw new MaxPoolRangeError(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
      `${name}.length must be ${length}, but got ${array.length}`,
    );
  }
  return array;
}

/** A caller-supplied index output buffer, checked, or a fresh one. */
export function indexOutput(out: unknown, dtype: IndexDType, length: number, name = 'indicesOut'): IndexArray {
  if (out === undefined || out === null) return allocIndex(dtype, length);
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
