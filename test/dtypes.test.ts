/**
 * The dtypes besides float32 / float64 (float16, bfloat16, int8, uint8, int16, uint16, int32) and the NHWC layout:
 * - every dtype, native vs JS bit for bit on random geometries (values, int64 / int32 indices, unpooling);
 * - every new dtype against the float path (which the PyTorch vectors pin): same indices, the winner's exact
 *   bits, and the dtype's empty-window value (-inf for halves, the lowest integer for integers);
 * - PyTorch vectors converted to each dtype wherever every value is exactly representable;
 * - NHWC == transpose(NCHW) bit for bit on random cases and on the PyTorch vectors, on every backend.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeBinding, setActiveBackend } from '../lib/backend';
import { MaxPool2d, MaxUnpool2d, maxPool2d, maxPool2dAsync, maxUnpool2d, maxUnpool2dAsync } from '../lib/index';
import { allocValues, type DType, type ValueArray } from '../lib/tensor';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { ALL_DTYPES, bf16FromF32Bits, f16FromF32Bits, fillDType, NEW_DTYPES, toNhwc } from './helpers/dtypes';
import { decode, loadGolden, poolOptions } from './helpers/golden';
import { type PoolCase, poolCaseArb } from './helpers/random-case';

const binding = nativeBinding();
const runs = Number(process.env.DTYPE_RUNS ?? 60);
const seed = Number(process.env.PARITY_SEED ?? 20261126);

type Layout = 'NCHW' | 'NHWC';

function geometry(c: PoolCase) {
  return { kernelSize: c.kernel, stride: c.stride, padding: c.padding, dilation: c.dilation, ceilMode: c.ceilMode };
}

/** Everything one backend computes for a case: values, both index widths, the unpooled values. */
function runAll(which: 'js' | 'native', c: PoolCase, dtype: DType, layout: Layout) {
  setActiveBackend(which);
  try {
    const length = c.shape.reduce((a, b) => a * b, 1);
    const nchw = fillDType(length, dtype, c.seed);
    const t = layout === 'NHWC' ? toNhwc(nchw, c.shape) : { data: nchw, shape: c.shape };
    const input = { data: t.data, shape: t.shape, dtype };
    const options = { ...geometry(c), layout };
    const values = maxPool2d(input, options);
    const [out64, idx64] = maxPool2d(input, { ...options, returnIndices: true });
    const [, idx32] = maxPool2d(input, { ...options, returnIndices: true, indexDtype: 'int32', threads: 1 });
    const [H, W] = layout === 'NHWC' ? c.shape.slice(-3, -1) : c.shape.slice(-2);
    const plane = BigInt(H * W);
    const inside = Array.from(idx64.data as BigInt64Array).every((v) => v >= 0n && v < plane);
    const unpooled = inside
      ? maxUnpool2d(out64, idx64, {
          kernelSize: c.kernel,
          stride: c.stride,
          padding: c.padding,
          outputSize: [H, W],
          layout,
        } as never)
      : null;
    return { values, out64, idx64, idx32, unpooled };
  } catch (error) {
    return { error: error as Error };
  } finally {
    setActiveBackend('default');
  }
}

describe.skipIf(!binding)('native matches JS bit for bit on every dtype and layout', () => {
  const combos = ALL_DTYPES.flatMap((d) => (['NCHW', 'NHWC'] as Layout[]).map((l) => [d, l] as const));
  it.each(combos)('%s %s', (dtype, layout) => {
    fc.assert(
      fc.property(poolCaseArb, (c) => {
        const js = runAll('js', c, dtype, layout);
        const native = runAll('native', c, dtype, layout);
        if ('error' in js || 'error' in native) {
          expect(String(native.error?.message)).toBe(String(js.error?.message));
          return;
        }
        expect(native.values.dtype).toBe(dtype);
        expect(js.values.dtype).toBe(dtype);
        expectBits(native.values.data, js.values.data, 'values');
        expectBits(native.out64.data, js.out64.data, 'values (with indices)');
        expectBits(native.idx64.data, js.idx64.data, 'int64 indices');
        expectBits(native.idx32.data, js.idx32.data, 'int32 indices');
        if (js.unpooled && native.unpooled) expectBits(native.unpooled.data, js.unpooled.data, 'unpooled');
        else expect(native.unpooled).toBe(js.unpooled);
      }),
      { numRuns: runs, seed },
    );
  });
});

const HALF_DECODE: Partial<Record<DType, (bits: number) => number>> = {
  float16: (h) => {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 31;
    const m = h & 1023;
    if (e === 0) return sign * m * 2 ** -24;
    if (e === 31) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    return sign * (1 + m / 1024) * 2 ** (e - 15);
  },
  bfloat16: (h) => {
    const f = new Float32Array(new Uint32Array([h << 16]).buffer);
    return f[0];
  },
};
const EMPTY: Record<string, number> = {
  float16: 0xfc00,
  bfloat16: 0xff80,
  int8: -128,
  uint8: 0,
  int16: -32768,
  uint16: 0,
  int32: -(2 ** 31),
};

for (const backend of backendCases()) {
  describe(`new dtypes follow the float path on ${backend.label}`, () => {
    let restore: () => void;
    beforeAll(() => {
      restore = backend.use();
    });
    afterAll(() => restore());

    it.each(NEW_DTYPES)('%s', (dtype) => {
      fc.assert(
        fc.property(poolCaseArb, (c) => {
          const length = c.shape.reduce((a, b) => a * b, 1);
          const data = fillDType(length, dtype, c.seed);
          const dec = HALF_DECODE[dtype];
          // float64 holds every value of every new dtype exactly (halves decoded; NaN stays NaN).
          const asF64 = Float64Array.from(data as ArrayLike<number>, (v) => (dec ? dec(v) : v));
          const [ref, refIdx] = maxPool2d({ data: asF64, shape: c.shape }, { ...geometry(c), returnIndices: true });
          const [out, idx] = maxPool2d({ data, shape: c.shape, dtype }, { ...geometry(c), returnIndices: true });
          expectBits(idx.data, refIdx.data, 'indices');
          const expected = allocValues(dtype, out.data.length);
          const plane = c.shape.at(-1)! * c.shape.at(-2)!;
          const outPlane = ref.shape.at(-1)! * ref.shape.at(-2)!;
          for (let o = 0; o < expected.length; o++) {
            // -inf from the float path: no tap beat the start value (or a -inf tap won: the same bits for halves).
            const emptyLike = ref.data[o] === Number.NEGATIVE_INFINITY;
            const at = Math.floor(o / outPlane) * plane + Number((refIdx.data as BigInt64Array)[o]);
            expected[o] = emptyLike ? EMPTY[dtype] : data[at];
          }
          expectBits(out.data, expected, 'values');
        }),
        { numRuns: runs, seed },
      );
    });
  });
}

/**
 * A float32 golden tensor converted exactly to `dtype`, or null when some value does not fit. Unsigned types
 * shift every value by half their range first (order and ties are kept, so the expected output shifts too).
 */
function convertExact(src: Float32Array, dtype: DType): ValueArray | null {
  const shift = dtype === 'uint8' ? 128 : dtype === 'uint16' ? 32768 : 0;
  const out = allocValues(dtype, src.length);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) {
    if (dtype === 'float16' || dtype === 'bfloat16') {
      const h = dtype === 'float16' ? f16FromF32Bits(bits[i]) : bf16FromF32Bits(bits[i]);
      if (h === null) return null;
      out[i] = h;
    } else {
      const v = src[i] + shift;
      if (!Number.isInteger(v) || Object.is(v, -0)) return null;
      out[i] = v;
      if (out[i] !== v) return null;
    }
  }
  return out;
}

describe('PyTorch vectors converted to each dtype where exact', () => {
  const golden = loadGolden().filter(
    (c) => c.op === 'max_pool2d' && !c.error && c.input?.dtype === 'float32' && c.expected?.output,
  );
  for (const backend of backendCases().slice(0, 2)) {
    it.each(NEW_DTYPES)(`%s on ${backend.label}`, (dtype) => {
      const restore = backend.use();
      let converted = 0;
      try {
        for (const c of golden) {
          const input = convertExact(decode(c.input!) as Float32Array, dtype);
          const expected = convertExact(decode(c.expected!.output!) as Float32Array, dtype);
          if (!input || !expected) continue;
          converted++;
          const [out, idx] = maxPool2d(
            { data: input, shape: c.input!.shape, dtype },
            { ...poolOptions(c.params), returnIndices: true },
          );
          expect(out.dtype).toBe(dtype);
          expectBits(out.data, expected, `${c.id} values`);
          expectBits(idx.data, decode(c.expected!.indices!), `${c.id} indices`);
        }
      } finally {
        restore();
      }
      // Every dtype must have met a good share of the vectors (the integer ones need integral values).
      expect(converted).toBeGreaterThan(20);
    });
  }
});

for (const backend of backendCases()) {
  describe(`NHWC == transpose(NCHW) on ${backend.label}`, () => {
    let restore: () => void;
    beforeAll(() => {
      restore = backend.use();
    });
    afterAll(() => restore());

    it.each(['float32', 'float64', 'float16', 'uint8', 'int32'] as DType[])('random %s', (dtype) => {
      fc.assert(
        fc.property(poolCaseArb, (c) => {
          const length = c.shape.reduce((a, b) => a * b, 1);
          const data = fillDType(length, dtype, c.seed);
          const options = { ...geometry(c), returnIndices: true as const };
          const [out, idx] = maxPool2d({ data, shape: c.shape, dtype }, options);
          const t = toNhwc(data, c.shape);
          const [outH, idxH] = maxPool2d({ data: t.data, shape: t.shape, dtype }, { ...options, layout: 'NHWC' });
          const want = toNhwc(out.data, out.shape);
          expect(outH.shape).toEqual(want.shape);
          expectBits(outH.data, want.data, 'values');
          expectBits(idxH.data, toNhwc(idx.data, idx.shape).data, 'indices');
        }),
        { numRuns: runs, seed },
      );
    });

    it('every PyTorch pooling vector, channels last', () => {
      const golden = loadGolden().filter((c) => c.op === 'max_pool2d' && !c.error && c.input && c.expected?.output);
      expect(golden.length).toBeGreaterThan(250);
      for (const c of golden) {
        const t = toNhwc(decode(c.input!) as Float32Array, c.input!.shape);
        const options = { ...poolOptions(c.params), returnIndices: true as const, layout: 'NHWC' as const };
        const [out, idx] = maxPool2d(t, options);
        const want = toNhwc(decode(c.expected!.output!) as Float32Array, c.expected!.output!.shape);
        expect(out.shape, c.id).toEqual(want.shape);
        expectBits(out.data, want.data, `${c.id} values`);
        expectBits(idx.data, toNhwc(decode(c.expected!.indices!), c.expected!.indices!.shape).data, `${c.id} indices`);
      }
    });

    it('unpooling NHWC == transpose(unpooling NCHW); modules and async keep the layout', async () => {
      const shape = [2, 3, 7, 9];
      const data = fillDType(
        shape.reduce((a, b) => a * b, 1),
        'int16',
        5,
      );
      const [y, i] = maxPool2d({ data, shape }, { kernelSize: 3, stride: 2, padding: 1, returnIndices: true });
      const z = maxUnpool2d(y, i, { kernelSize: 3, stride: 2, padding: 1, outputSize: [7, 9] });
      const yT = toNhwc(y.data, y.shape);
      const iT = toNhwc(i.data, i.shape);
      const opts = { kernelSize: 3, stride: 2, padding: 1, outputSize: [2, 7, 9, 3], layout: 'NHWC' as const };
      const zT = maxUnpool2d({ ...yT, dtype: 'int16' as const }, iT, opts);
      expect(zT.shape).toEqual([2, 7, 9, 3]);
      expectBits(zT.data, toNhwc(z.data, z.shape).data, 'unpool');
      expectBits((await maxUnpool2dAsync(yT, iT, opts)).data, zT.data, 'unpool async');
      const unpool = new MaxUnpool2d(3, { stride: 2, padding: 1, layout: 'NHWC' });
      expectBits(unpool.forward(yT, iT, [7, 9]).data, zT.data, 'MaxUnpool2d');

      const x = toNhwc(data, shape);
      const pool = new MaxPool2d(3, { stride: 2, padding: 1, layout: 'NHWC', returnIndices: true });
      const [py, pi] = pool.forward(x);
      expectBits(py.data, yT.data, 'MaxPool2d values');
      expectBits(pi.data, iT.data, 'MaxPool2d indices');
      const [ay, ai] = await pool.forwardAsync(x);
      expectBits(ay.data, yT.data, 'forwardAsync values');
      expectBits(ai.data, iT.data, 'forwardAsync indices');
      const as = await maxPool2dAsync(x, { kernelSize: 3, stride: 2, padding: 1, layout: 'NHWC' });
      expectBits(as.data, yT.data, 'maxPool2dAsync');
    });
  });
}

describe('dtype arguments', () => {
  const shape = [1, 2, 2];
  it('a Uint16Array is uint16 unless dtype says float16 / bfloat16; results carry the dtype', () => {
    const bits = new Uint16Array([0x3c00, 0xbc00, 0x7e00, 0x0001]); // f16: 1, -1, NaN, tiny
    expect(maxPool2d({ data: bits, shape }, { kernelSize: 2 }).dtype).toBe('uint16');
    expect(Array.from(maxPool2d({ data: bits, shape }, { kernelSize: 2 }).data)).toEqual([0xbc00]);
    const f16 = maxPool2d({ data: bits, shape, dtype: 'float16' }, { kernelSize: 2 });
    expect(f16.dtype).toBe('float16');
    expect(Array.from(f16.data)).toEqual([0x7e00]); // NaN wins
    const bf = maxPool2d(
      { data: new Uint16Array([0x3f80, 0x4000, 0x8000, 0]), shape, dtype: 'bfloat16' },
      { kernelSize: 2 },
    );
    expect(Array.from(bf.data)).toEqual([0x4000]);
  });

  it('-0 and +0 tie under halves: the first wins, with its bits', () => {
    const out = maxPool2d(
      { data: new Uint16Array([0x8000, 0x0000, 0xfc00, 0xfc00]), shape, dtype: 'float16' },
      {
        kernelSize: 2,
        returnIndices: true,
      },
    );
    expect(Array.from(out[0].data)).toEqual([0x8000]);
    expect(Array.from(out[1].data as BigInt64Array)).toEqual([0n]);
  });

  it('rejects a dtype that does not match the data, and out buffers of another dtype', () => {
    expect(() => maxPool2d({ data: new Int8Array(4), shape, dtype: 'uint8' }, { kernelSize: 2 })).toThrow(TypeError);
    expect(() => maxPool2d({ data: new Uint16Array(4), shape, dtype: 'int16' as DType }, { kernelSize: 2 })).toThrow(
      /input\.dtype/,
    );
    expect(() =>
      maxPool2d({ data: new Int8Array(4), shape }, { kernelSize: 2, out: new Uint8Array(1) as never }),
    ).toThrow(/out must be a int8 array/);
    const out = new Uint16Array(1);
    maxPool2d({ data: new Uint16Array([1, 2, 3, 0x3c00]), shape, dtype: 'float16' }, { kernelSize: 2, out });
    expect(out[0]).toBe(0x3c00);
  });

  it.skipIf(!binding)('the binding checks dtype names and channel counts', () => {
    const b = binding!;
    const plan = new Float64Array([2, 2, 2, 1, 1, 2, 2, 2, 2, 0, 0, 1, 1]);
    expect(() => b.maxPool2d(new Int8Array(8), new Int8Array(2), null, plan, 0, 'uint8')).toThrow(/"dtype"/);
    expect(() => b.maxPool2d(new Int8Array(8), new Int8Array(2), null, plan, 0, undefined, 3)).toThrow(/"channels"/);
    expect(() => b.maxPool2d(new Int8Array(8), new Int8Array(4), null, plan, 0)).toThrow(/"output"/);
    const out = new Uint16Array(2);
    b.maxPool2d(new Uint16Array([1, 2, 3, 0x7c00, 0, 0, 0, 0x8000]), out, null, plan, 0, 'float16', 0);
    expect(Array.from(out)).toEqual([0x7c00, 0]);
    b.maxPool2d(new Uint16Array([1, 2, 3, 0x7c00, 0, 0, 0, 0x8000]), out, null, plan, 0, 'uint16', 2);
    expect(Array.from(out)).toEqual([3, 0x8000]);
  });
});
