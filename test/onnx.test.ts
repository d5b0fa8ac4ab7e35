/**
 * ONNX Runtime interop without onnxruntime: `OrtTensor` below is a stand-in for `ort.Tensor` (CPU tensors only),
 * written from onnxruntime-common 1.30.0's `dist/cjs/tensor-impl.js`, `tensor-impl-type-mapping.js` and
 * `tensor-utils-impl.js`, which onnxruntime-node re-exports as its `Tensor`: the same own fields (`cpuData`,
 * `dataLocation`, `type`, `dims`, `size`), the same `data` / `location` getters, and the same constructor
 * checks and messages for the (type, data, dims) form. onnxruntime-node itself is not a dependency (its install
 * downloads, and the package is 113 MB packed).
 *
 * The numeric type map (float32, uint8, int8, uint16, int16, int32, int64, bool, float16, float64, uint32, uint64)
 * and its float16 rule are from memory of onnxruntime-common, not re-read for this file: where the runtime has
 * `Float16Array`, ORT maps 'float16' to it and wraps a `Uint16Array` handed in as a `Float16Array` over the same
 * memory; elsewhere 'float16' data is a `Uint16Array` of bits. ORT's JS `Tensor` has no bfloat16 type.
 */
import { describe, expect, it } from 'vitest';
import {
  fromOnnx,
  MaxPool2d,
  MaxUnpool2d,
  maxPool2d,
  maxPool2dAsync,
  maxUnpool2d,
  maxUnpool2dAsync,
  planeToFlatIndices,
  toOnnx,
} from '../lib/index';
import type { DType } from '../lib/tensor';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { fillDType } from './helpers/dtypes';
import { fillData } from './helpers/random-case';

type TypedArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Float16Array;

const F16 = (globalThis as { Float16Array?: typeof Float16Array }).Float16Array;

const TYPED_ARRAYS = new Map<string, new (n: number) => TypedArray>([
  ['float32', Float32Array],
  ['uint8', Uint8Array],
  ['int8', Int8Array],
  ['uint16', Uint16Array],
  ['int16', Int16Array],
  ['int32', Int32Array],
  ['int64', BigInt64Array],
  ['bool', Uint8Array],
  ['float16', F16 ?? Uint16Array],
  ['float64', Float64Array],
  ['uint32', Uint32Array],
  ['uint64', BigUint64Array],
]);

/** onnxruntime-common's calculateSize. */
function calculateSize(dims: readonly unknown[]): number {
  let size = 1;
  for (let i = 0; i < dims.length; i++) {
    const dim = dims[i];
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim)) {
      throw new TypeError(`dims[${i}] must be an integer, got: ${dim}`);
    }
    if (dim < 0) throw new RangeError(`dims[${i}] must be a non-negative integer, got: ${dim}`);
    size *= dim;
  }
  return size;
}

/** A stand-in for onnxruntime-node's `Tensor` (CPU tensors, `new Tensor(type, data, dims)`). */
class OrtTensor<A extends TypedArray = TypedArray> {
  cpuData?: A;
  dataLocation: string;
  type: string;
  dims: readonly number[];
  size: number;

  constructor(type: string, data: A, dims?: readonly number[]) {
    const ctor = TYPED_ARRAYS.get(type);
    if (ctor === undefined) throw new TypeError(`Unsupported tensor type: ${type}.`);
    let stored: TypedArray = data;
    if (type === 'float16' && data instanceof Uint16Array && ctor !== Uint16Array && F16) {
      stored = new F16(data.buffer, data.byteOffset, data.length); // ORT accepts bits for float16
    } else if (!(data instanceof ctor)) throw new TypeError(`A ${type} tensor's data must be type of ${ctor}`);
    const maybeDims = dims === undefined ? [data.length] : dims;
    if (!Array.isArray(maybeDims)) throw new TypeError("A tensor's dims must be a number array");
    this.cpuData = stored as A;
    this.dataLocation = 'cpu';
    const size = calculateSize(maybeDims);
    if (size !== data.length) throw new Error(`Tensor's size(${size}) does not match data length(${data.length}).`);
    this.type = type;
    this.dims = maybeDims;
    this.size = size;
  }

  /** What `Tensor.fromGpuBuffer` gives: no CPU data, and a `data` getter that throws. */
  static onGpu(type: string, dims: readonly number[]): OrtTensor {
    const t = new OrtTensor(type, new (TYPED_ARRAYS.get(type)!)(calculateSize(dims)), dims);
    t.cpuData = undefined;
    t.dataLocation = 'gpu-buffer';
    return t;
  }

  get data(): A {
    if (!this.cpuData) {
      throw new Error(
        'The data is not on CPU. Use `getData()` to download GPU data to CPU, ' +
          'or use `texture` or `gpuBuffer` property to access the GPU data directly.',
      );
    }
    return this.cpuData;
  }

  get location(): string {
    return this.dataLocation;
  }
}

type Thrown = Error & { code?: string };

function thrown(fn: () => unknown): Thrown {
  try {
    fn();
  } catch (error) {
    return error as Thrown;
  }
  throw new Error('expected a throw');
}

describe('the stand-in behaves as ort.Tensor', () => {
  it('checks type, data and dims as onnxruntime-common does', () => {
    expect(() => new OrtTensor('float32', new Float64Array(4), [4])).toThrow(/float32 tensor's data must be/);
    expect(() => new OrtTensor('float32', new Float32Array(4), [1, 3])).toThrow("Tensor's size(3) does not match");
    expect(() => new OrtTensor('int64', new BigInt64Array(2), [2.5])).toThrow('dims[0] must be an integer');
    const t = new OrtTensor('int64', new BigInt64Array(6), [1, 2, 3]);
    expect(Object.keys(t).sort()).toEqual(['cpuData', 'dataLocation', 'dims', 'size', 'type']);
    expect(t.location).toBe('cpu');
    expect(() => OrtTensor.onGpu('float32', [1, 1, 2, 2]).data).toThrow(/not on CPU/);
  });
});

for (const backend of backendCases()) {
  describe(`ORT tensors in, ORT tensors out on ${backend.label}`, () => {
    const within = backend.within;
    const shape = [2, 3, 9, 10];
    const options = { kernelSize: 3, stride: 2, padding: 1 };

    for (const type of ['float32', 'float64'] as const) {
      it(`pools and unpools ${type} ORT tensors as { data, shape }`, () =>
        within(async () => {
          const data = fillData(2 * 3 * 9 * 10, type, 5);
          const plain = { data, shape };
          const ort = new OrtTensor(type, data, shape);
          const [y, idx] = maxPool2d(plain, { ...options, returnIndices: true });
          const [yo, idxo] = maxPool2d(ort as never, { ...options, returnIndices: true });
          expectBits(yo.data, y.data, 'values');
          expectBits(idxo.data, idx.data, 'indices');
          expect(yo.shape).toEqual([2, 3, 5, 5]);
          expectBits((await maxPool2dAsync(ort as never, options)).data, y.data, 'async');
          expectBits(new MaxPool2d(3, { stride: 2, padding: 1 }).forward(fromOnnx(ort)).data, y.data, 'module');

          // Values and indices handed to ORT, and back: the flat indices ORT's MaxUnpool takes.
          const [yf, flat] = maxPool2d(ort as never, { ...options, returnIndices: true, indexMode: 'flat' });
          const v = toOnnx(yf);
          const i = toOnnx(flat);
          expect(v).toEqual({ type, dims: [2, 3, 5, 5], data: yf.data });
          expect(i.type).toBe('int64');
          const ortValues = new OrtTensor(v.type, v.data, v.dims);
          const ortIndices = new OrtTensor(i.type, i.data, i.dims);
          expect(ortValues.data).toBe(yf.data); // shared, not copied
          const expected = maxUnpool2d(y, idx, { ...options, outputSize: [9, 10] });
          const unpoolFlat = { ...options, outputSize: [9, 10], indexMode: 'flat' } as const;
          expectBits(maxUnpool2d(ortValues as never, ortIndices as never, unpoolFlat).data, expected.data, 'unpool');
          const async = await maxUnpool2dAsync(ortValues as never, ortIndices as never, unpoolFlat);
          expectBits(async.data, expected.data, 'unpool async');
          const module = new MaxUnpool2d(3, { stride: 2, padding: 1, indexMode: 'flat' });
          expectBits(module.forward(fromOnnx(ortValues), fromOnnx(ortIndices), [9, 10]).data, expected.data, 'module');
          // int32 indices, plane mode.
          const [, idx32] = maxPool2d(ort as never, { ...options, returnIndices: true, indexDtype: 'int32' });
          const i32 = toOnnx(idx32);
          expect(i32.type).toBe('int32');
          const ortIdx32 = new OrtTensor(i32.type, i32.data, i32.dims);
          const restored = maxUnpool2d(ortValues as never, ortIdx32 as never, { ...options, outputSize: [9, 10] });
          expectBits(restored.data, expected.data, 'unpool int32');
        }));
    }
  });
}

describe('ORT tensor checks', () => {
  const x = () => new OrtTensor('float32', new Float32Array(16), [1, 1, 4, 4]);

  it('refuses element types this package does not pool, naming the type', () => {
    const error = thrown(() =>
      maxPool2d(new OrtTensor('bool', new Uint8Array(16), [1, 1, 4, 4]) as never, { kernelSize: 2 }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(error.message).toBe(
      `input.type must be 'float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16' or 'int32', ` +
        'but got "bool"',
    );
    const u64 = new OrtTensor('uint64', new BigUint64Array(16), [1, 1, 4, 4]);
    expect(() => maxPool2d(u64 as never, { kernelSize: 2 })).toThrow(/input.type must be .* but got "uint64"/);
    expect(() => fromOnnx(u64 as never)).toThrow(/tensor.type must be .* or 'int64', but got "uint64"/);
    const [y] = maxPool2d(x() as never, { kernelSize: 2, returnIndices: true });
    const badIdx = new OrtTensor('float32', new Float32Array(4), [1, 1, 2, 2]);
    expect(thrown(() => maxUnpool2d(y, badIdx as never, { kernelSize: 2 })).message).toBe(
      `indices.type must be 'int64' or 'int32', but got "float32"`,
    );
  });

  it('refuses a type that does not match the data', () => {
    const lying = { type: 'float64', dims: [1, 1, 4, 4], data: new Float32Array(16) };
    const error = thrown(() => maxPool2d(lying as never, { kernelSize: 2 }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`input.type must be 'float32' as its data is, but got "float64"`);
    const bits = { type: 'int16', dims: [1, 1, 4, 4], data: new Uint16Array(16) };
    expect(thrown(() => maxPool2d(bits as never, { kernelSize: 2 })).message).toBe(
      `input.type must be 'uint16' or 'float16' as its data is a Uint16Array, but got "int16"`,
    );
    const signed = { type: 'uint8', dims: [1, 1, 4, 4], data: new Int8Array(16) };
    expect(thrown(() => maxPool2d(signed as never, { kernelSize: 2 })).message).toBe(
      `input.type must be 'int8' as its data is, but got "uint8"`,
    );
  });

  it('refuses a tensor that is not on the CPU without touching its data', () => {
    const error = thrown(() => maxPool2d(OrtTensor.onGpu('float32', [1, 1, 4, 4]) as never, { kernelSize: 2 }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(error.message).toMatch(
      /^input.location must be 'cpu' \(download the data with getData\(\) first\), but got "gpu-buffer"/,
    );
    expect(() => fromOnnx(OrtTensor.onGpu('int64', [1]) as never)).toThrow(/tensor.location must be 'cpu'/);
  });

  it('names dims when the ORT form has a bad one, and keeps the { data, shape } messages', () => {
    const noDims = { type: 'float32', dims: 'nope', data: new Float32Array(4) };
    expect(thrown(() => maxPool2d(noDims as never, { kernelSize: 2 })).message).toBe(
      'input.dims must be an array of 3 or 4 integers, but got "nope"',
    );
    const plain = { data: new Float32Array(4) };
    expect(thrown(() => maxPool2d(plain as never, { kernelSize: 2 })).message).toBe(
      'input.shape must be an array of 3 or 4 integers, but got undefined',
    );
    // With a shape, type and dims are not consulted: { data, shape } wins.
    const both = { data: new Float32Array(4), shape: [1, 1, 2, 2], dims: 'ignored', type: 'float16' };
    expect([...maxPool2d(both as never, { kernelSize: 2 }).data]).toEqual([0]);
  });

  it('toOnnx shares the data and checks it', () => {
    const data = new Float64Array(6);
    const t = toOnnx({ data, shape: [1, 2, 3] });
    expect(t).toEqual({ type: 'float64', dims: [1, 2, 3], data });
    expect(t.data).toBe(data);
    const shape = [1, 2, 3];
    expect(toOnnx({ data, shape }).dims).not.toBe(shape);
    expect(thrown(() => toOnnx({ data: new Uint32Array(6), shape: [6] } as never)).message).toMatch(
      /^tensor.data must be a Float32Array, .*, Int32Array or BigInt64Array, but got Uint32Array\(6\)/,
    );
    const error = thrown(() => toOnnx({ data, shape: [1, 2, 2] }));
    expect(error.code).toBe('ERR_MAXPOOL2D_BUFFER_LENGTH');
    expect(error.message).toBe('tensor.data.length must be 4 for shape [1, 2, 2], but got 6');
    expect(() => toOnnx({ data, shape: [2, -3] })).toThrow(/tensor.shape\[1\] must be a non-negative integer/);
  });

  it('fromOnnx gives { data, shape, dtype } sharing the data', () => {
    const data = new BigInt64Array([5n, 21n]);
    const t = fromOnnx(new OrtTensor('int64', data, [1, 2, 1, 1]));
    expect(t).toEqual({ data, shape: [1, 2, 1, 1], dtype: 'int64' });
    expect(t.data).toBe(data);
    expect(planeToFlatIndices(t, [1, 2, 4, 4]).data).toEqual(new BigInt64Array([5n, 37n]));
    expect(() => fromOnnx({ dims: [1], data: new Float32Array(1) } as never)).toThrow(/tensor.type must be a string/);
  });
});

/** The raw bits of any value array (a Float16Array seen as its Uint16Array bits), for bit-exact comparison. */
function bits(a: ArrayBufferView & { length: number }): ArrayBufferView & { length: number } {
  return F16 && a instanceof F16 ? new Uint16Array(a.buffer, a.byteOffset, a.length) : a;
}

/** Every ORT value type this package pools besides float32 / float64, with the dtype it reads as. */
const ORT_DTYPES = ['float16', 'int8', 'uint8', 'int16', 'uint16', 'int32'] as const satisfies readonly DType[];

for (const backend of backendCases()) {
  describe(`ORT tensors of every dtype round-trip on ${backend.label}`, () => {
    const shape = [2, 3, 7, 6];
    const options = { kernelSize: 3, stride: 2, padding: 1 };

    it.each(ORT_DTYPES)('%s', async (type) => {
      const restore = backend.use();
      try {
        const data = fillDType(2 * 3 * 7 * 6, type, 9); // float16: Uint16Array bits with NaN payloads
        const plain = { data, shape, dtype: type };
        const ort = new OrtTensor(type, data, shape);
        // ORT may hold float16 as a Float16Array over the same memory (runtimes that have one).
        expect(bits(ort.data as Uint16Array).buffer).toBe(data.buffer);
        const [y, idx] = maxPool2d(plain, { ...options, returnIndices: true });
        const [yo, idxo] = maxPool2d(ort as never, { ...options, returnIndices: true });
        expect(yo.dtype).toBe(type);
        expectBits(bits(yo.data), y.data, 'values');
        expectBits(idxo.data, idx.data, 'indices');
        expect(yo.data.constructor).toBe(ort.data.constructor);
        expectBits(bits((await maxPool2dAsync(ort as never, options)).data), y.data, 'async');

        // fromOnnx: the same array, the dtype ORT's type names.
        const read = fromOnnx(ort as never);
        expect(read.data).toBe(ort.data);
        expect(read.dtype).toBe(type);
        expect(read.shape).toEqual(shape);
        expectBits(bits(new MaxPool2d(3, { stride: 2, padding: 1 }).forward(read as never).data), y.data, 'module');

        // toOnnx: results (of either kind) back to ORT, and unpooling ORT tensors with flat indices.
        const v = toOnnx(yo);
        expect(v.type).toBe(type);
        expect(v.data).toBe(yo.data);
        expect(toOnnx(y).type).toBe(type); // the Uint16Array + dtype form too
        const [, flat] = maxPool2d(ort as never, { ...options, returnIndices: true, indexMode: 'flat' });
        const i = toOnnx(flat);
        const ortValues = new OrtTensor(v.type, v.data as never, v.dims);
        const ortIndices = new OrtTensor(i.type, i.data, i.dims);
        const expected = maxUnpool2d(y, idx, { ...options, outputSize: [7, 6] });
        const unpoolFlat = { ...options, outputSize: [7, 6], indexMode: 'flat' } as const;
        const z = maxUnpool2d(ortValues as never, ortIndices as never, unpoolFlat);
        expect(z.dtype).toBe(type);
        expectBits(bits(z.data), expected.data, 'unpool');
        expectBits(
          bits((await maxUnpool2dAsync(ortValues as never, ortIndices as never, unpoolFlat)).data),
          expected.data,
          'unpool async',
        );
        const zo = toOnnx(z);
        expect(zo.type).toBe(type);
        expect(new OrtTensor(zo.type, zo.data as never, zo.dims).dims).toEqual(shape);
      } finally {
        restore();
      }
    });
  });
}

describe('toOnnx and the dtypes ORT has no type for', () => {
  it('gives float16 for Uint16Array bits with dtype float16 (and Float16Array), uint16 without', () => {
    const data = new Uint16Array([0x3c00, 0x7e01]);
    expect(toOnnx({ data, shape: [2], dtype: 'float16' }).type).toBe('float16');
    expect(toOnnx({ data, shape: [2] }).type).toBe('uint16');
    expect(toOnnx({ data, shape: [2], dtype: 'uint16' }).type).toBe('uint16');
    if (F16) expect(toOnnx({ data: new F16(data.buffer), shape: [2] }).type).toBe('float16');
    expect(() => toOnnx({ data: new Int8Array(2), shape: [2], dtype: 'uint8' })).toThrow(
      /tensor.dtype must be 'int8' as its data is, but got "uint8"/,
    );
  });

  it('refuses bfloat16 with a TypeError naming the dtype', () => {
    const y = maxPool2d(
      { data: new Uint16Array([0x3f80, 0x4000, 0, 0x8000]), shape: [1, 2, 2], dtype: 'bfloat16' },
      {
        kernelSize: 2,
      },
    );
    const error = thrown(() => toOnnx(y));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(error.message).toMatch(
      /^tensor.dtype must be a dtype ONNX Runtime has a tensor type for .* but got "bfloat16"/,
    );
    expect(error.message).toMatch(/no bfloat16 type/);
  });
});
