/**
 * adaptiveMaxPool2d / AdaptiveMaxPool2d: a brute-force reference with PyTorch's bins on adversarial data
 * (NaN payloads, -0/+0, ties, ±Infinity), cases checked by hand against PyTorch's rules, equality with
 * maxPool2d where the bins are MaxPool2d windows, native vs JS bit for bit, and every refusal.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeBinding } from '../binding';
import { nativeBinding, setActiveBackend } from '../lib/backend';
import { AdaptiveMaxPool2d, adaptiveMaxPool2d, maxPool2d } from '../lib/index';
import { adaptiveReference } from './helpers/adaptive-reference';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { fillData } from './helpers/random-case';

type Floats = Float32Array | Float64Array;

const binding: NativeBinding | null = nativeBinding();
const hasNative = !!binding && typeof binding.adaptiveMaxPool2d === 'function';
const runs = Number(process.env.PARITY_RUNS ?? 200);
const seed = Number(process.env.PARITY_SEED ?? 20261126);

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function bitsOf(a: Floats): Uint32Array | BigUint64Array {
  return a instanceof Float32Array
    ? new Uint32Array(a.buffer, a.byteOffset, a.length)
    : new BigUint64Array(a.buffer, a.byteOffset, a.length);
}

/** The shared brute-force reference (test/helpers/adaptive-reference.ts) on a float tensor of `shape`. */
function reference(data: Floats, shape: number[], OH: number, OW: number) {
  const [H, W] = shape.slice(-2);
  const dtype = data instanceof Float32Array ? 'float32' : 'float64';
  return adaptiveReference(data, dtype, product(shape.slice(0, -2)), H, W, OH, OW);
}

const caseArb = fc.record({
  batched: fc.boolean(),
  n: fc.integer({ min: 0, max: 2 }),
  c: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 33 }), // past 16 columns / 16-element planes: the native vector blocks
  w: fc.integer({ min: 1, max: 37 }),
  oh: fc.oneof(fc.integer({ min: 0, max: 21 }), fc.constant(null)),
  ow: fc.oneof(fc.integer({ min: 1, max: 21 }), fc.constant(null)),
  square: fc.boolean(),
  dtype: fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

for (const backend of backendCases()) {
  describe(`adaptiveMaxPool2d on ${backend.label}`, () => {
    let restore: () => void;
    beforeAll(() => {
      restore = backend.use();
    });
    afterAll(() => restore());

    it('matches the brute-force reference on random shapes and adversarial data', () => {
      fc.assert(
        fc.property(caseArb, (r) => {
          const shape = r.batched ? [r.n, r.c, r.h, r.w] : [r.c, r.h, r.w];
          const input = { data: fillData(product(shape), r.dtype, r.seed), shape };
          const size: number | [number | null, number | null] = r.square && r.oh !== null ? r.oh : [r.oh, r.ow];
          const OH = r.oh ?? r.h;
          const OW = r.square && r.oh !== null ? r.oh : (r.ow ?? r.w);
          const want = reference(input.data, shape, OH, OW);
          const [out, idx] = adaptiveMaxPool2d(input, { outputSize: size, returnIndices: true });
          expect(out.shape).toEqual([...shape.slice(0, -2), OH, OW]);
          expect(idx.shape).toEqual(out.shape);
          expectBits(out.data, want.out, 'values');
          expectBits(idx.data, want.idx, 'int64 indices');
          const values = adaptiveMaxPool2d(input, { outputSize: size });
          expectBits(values.data, want.out, 'values only');
          const [, idx32] = adaptiveMaxPool2d(input, { outputSize: size, returnIndices: true, indexDtype: 'int32' });
          expectBits(idx32.data, Int32Array.from(want.idx, Number), 'int32 indices');
        }),
        { numRuns: runs, seed },
      );
    });

    it('5x5 arange to 3x3: overlapping bins, as PyTorch gives', () => {
      const x = { data: Float32Array.from({ length: 25 }, (_, i) => i), shape: [1, 1, 5, 5] };
      const [y, idx] = adaptiveMaxPool2d(x, { outputSize: 3, returnIndices: true });
      // Bins [0,2) [1,4) [3,5) on both axes.
      expect(Array.from(y.data)).toEqual([6, 8, 9, 16, 18, 19, 21, 23, 24]);
      expect(Array.from(idx.data as BigInt64Array)).toEqual([6n, 8n, 9n, 16n, 18n, 19n, 21n, 23n, 24n]);
      // Upsampling 2 -> 3: bins [0,1) [0,2) [1,2).
      const z = adaptiveMaxPool2d({ data: new Float64Array([1, 3, 2, 0]), shape: [1, 2, 2] }, { outputSize: 3 });
      expect(Array.from(z.data)).toEqual([1, 3, 3, 2, 3, 3, 2, 2, 0]);
    });

    it('ties keep the first, NaN the last, -0 before +0 stays -0', () => {
      const nanA = 0x7fc0000a;
      const nanB = 0x7fc0000b;
      const bits = new Uint32Array([
        0x40000000,
        nanA,
        0x40000000,
        nanB,
        0x80000000,
        0x00000000,
        0xff800000,
        0xff800000,
      ]);
      const x = { data: new Float32Array(bits.buffer), shape: [4, 1, 2] };
      const [y, idx] = adaptiveMaxPool2d(x, { outputSize: [1, 1], returnIndices: true });
      expect(Array.from(bitsOf(y.data) as Uint32Array)).toEqual([nanA, nanB, 0x80000000, 0xff800000]);
      expect(Array.from(idx.data as BigInt64Array)).toEqual([1n, 1n, 0n, 0n]);
    });

    it('to 1x1 is the global max: maxPool2d with the whole plane as window, bit for bit', () => {
      for (const dtype of ['float32', 'float64'] as const) {
        const shape = [2, 3, 13, 7];
        const input = { data: fillData(product(shape), dtype, 11), shape };
        const [a, ai] = adaptiveMaxPool2d(input, { outputSize: 1, returnIndices: true });
        const [m, mi] = maxPool2d(input, { kernelSize: [13, 7], returnIndices: true });
        expect(a.shape).toEqual([2, 3, 1, 1]);
        expectBits(a.data, m.data, `${dtype} global max`);
        expectBits(ai.data, mi.data, `${dtype} global argmax`);
      }
    });

    it('input divisible by output is maxPool2d with k = s = H / OH, bit for bit', () => {
      const cases: [number[], [number, number]][] = [
        [
          [2, 4, 12, 12],
          [4, 4],
        ],
        [
          [3, 12, 20],
          [6, 5],
        ],
        [
          [1, 2, 56, 56],
          [7, 7],
        ],
        [
          [1, 1, 9, 8],
          [9, 1],
        ],
      ];
      for (const [shape, [OH, OW]] of cases) {
        for (const dtype of ['float32', 'float64'] as const) {
          const input = { data: fillData(product(shape), dtype, OH * 31 + OW), shape };
          const [H, W] = shape.slice(-2);
          const kernel: [number, number] = [H / OH, W / OW];
          const [a, ai] = adaptiveMaxPool2d(input, { outputSize: [OH, OW], returnIndices: true });
          const [m, mi] = maxPool2d(input, { kernelSize: kernel, returnIndices: true });
          expect(a.shape).toEqual(m.shape);
          expectBits(a.data, m.data, `${shape} -> ${OH}x${OW} values`);
          expectBits(ai.data, mi.data, `${shape} -> ${OH}x${OW} indices`);
        }
      }
    });

    it('null keeps an input dimension; the module form and out buffers', () => {
      const shape = [2, 3, 10, 9];
      const input = { data: fillData(product(shape), 'float32', 5), shape };
      const y = adaptiveMaxPool2d(input, { outputSize: [null, 4] });
      expect(y.shape).toEqual([2, 3, 10, 4]);
      expectBits(y.data, reference(input.data, shape, 10, 4).out, 'null height');
      const same = adaptiveMaxPool2d(input, { outputSize: [null, null] });
      expectBits(same.data, input.data, 'null, null is the identity');

      const pool = new AdaptiveMaxPool2d([3, null], { returnIndices: true, indexDtype: 'int32', threads: 1 });
      expect(pool.outputSize).toEqual([3, null]);
      const out = new Float32Array(2 * 3 * 3 * 9).fill(Number.NaN);
      const indicesOut = new Int32Array(out.length).fill(-5);
      const [v, i] = pool.forward(input, { out, indicesOut });
      expect(v.data).toBe(out);
      expect(i.data).toBe(indicesOut);
      const want = reference(input.data, shape, 3, 9);
      expectBits(out, want.out, 'module values');
      expectBits(indicesOut, Int32Array.from(want.idx, Number), 'module indices');
    });

    it('output size 0 gives an empty output; larger than the input repeats elements', () => {
      const input = { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [1, 2, 3] };
      const empty = adaptiveMaxPool2d(input, { outputSize: [0, 2] });
      expect(empty.shape).toEqual([1, 0, 2]);
      expect(empty.data.length).toBe(0);
      const big = adaptiveMaxPool2d(input, { outputSize: [4, 5] });
      expectBits(big.data, reference(input.data, input.shape, 4, 5).out, 'upsampled');
    });
  });
}

describe.skipIf(!hasNative)('adaptive native vs JS', () => {
  it('gives the same bits on any thread count, with planes and rows split', () => {
    for (const [shape, size] of [
      [
        [1, 2, 300, 310],
        [17, 23],
      ],
      [
        [4, 16, 64, 64],
        [5, 9],
      ],
      [
        [64, 33, 35],
        [1, 1],
      ],
    ] as [number[], [number, number]][]) {
      const input = { data: fillData(product(shape), 'float64', shape[1]), shape };
      setActiveBackend('js');
      const [js, jsIdx] = adaptiveMaxPool2d(input, { outputSize: size, returnIndices: true });
      setActiveBackend('native');
      try {
        for (const threads of [1, 2, 3, 16]) {
          const [n, nIdx] = adaptiveMaxPool2d(input, { outputSize: size, returnIndices: true, threads });
          expectBits(n.data, js.data, `${shape} threads ${threads}`);
          expectBits(nIdx.data, jsIdx.data, `${shape} indices, threads ${threads}`);
        }
      } finally {
        setActiveBackend('default');
      }
    }
  });

  it('raw binding re-checks plans, lengths, kinds and aliasing', () => {
    const b = binding!;
    const plan = new Float64Array([2, 5, 5, 3, 3]);
    const input = new Float32Array(50);
    const output = new Float32Array(18);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return undefined;
    };
    expect(code(() => b.adaptiveMaxPool2d(input, output, new BigInt64Array(18), plan, 0))).toBeUndefined();
    expect(code(() => b.adaptiveMaxPool2d(input, output, null, plan, 1))).toBeUndefined();
    expect(code(() => b.adaptiveMaxPool2d(new Float32Array(49), output, null, plan, 0))).toBe(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    );
    expect(code(() => b.adaptiveMaxPool2d(input, new Float32Array(19), null, plan, 0))).toBe(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    );
    expect(code(() => b.adaptiveMaxPool2d(input, output, new Int32Array(17), plan, 0))).toBe(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    );
    expect(code(() => b.adaptiveMaxPool2d(input, new Float64Array(18), null, plan, 0))).toBe('ERR_INVALID_ARG_TYPE');
    expect(code(() => b.adaptiveMaxPool2d(input, output, null, new Float64Array(13), 0))).toBe(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    );
    // H = 0 would make every bin reach past the input: refused.
    expect(
      code(() => b.adaptiveMaxPool2d(new Float32Array(0), output, null, new Float64Array([2, 0, 5, 3, 3]), 0)),
    ).toBe('ERR_OUT_OF_RANGE');
    expect(code(() => b.adaptiveMaxPool2d(input, output, null, new Float64Array([2, 5, 5, 3, -3]), 0))).toBe(
      'ERR_OUT_OF_RANGE',
    );
    expect(
      code(() => b.adaptiveMaxPool2d(input, output, null, new Float64Array([1, 2 ** 31, 2 ** 31, 2 ** 40, 1]), 0)),
    ).toBe('ERR_OUT_OF_RANGE');
    const shared = new Float32Array(70);
    expect(code(() => b.adaptiveMaxPool2d(shared.subarray(0, 50), shared.subarray(49, 67), null, plan, 0))).toBe(
      'ERR_MAXPOOL2D_ALIASING',
    );
    expect(code(() => (b.adaptiveMaxPool2d as (...a: unknown[]) => void)(input, output, null, plan))).toBe(
      'ERR_MAXPOOL2D_ARG_COUNT',
    );
  });
});

describe('adaptive argument checks', () => {
  const input = { data: new Float32Array(2 * 3 * 4 * 5), shape: [2, 3, 4, 5] };
  const cases: [string, () => unknown, string, string][] = [
    ['options not an object', () => adaptiveMaxPool2d(input, null as never), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['no outputSize', () => adaptiveMaxPool2d(input, {} as never), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['outputSize 1.5', () => adaptiveMaxPool2d(input, { outputSize: 1.5 }), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['outputSize -1', () => adaptiveMaxPool2d(input, { outputSize: -1 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['outputSize [1]', () => adaptiveMaxPool2d(input, { outputSize: [1] }), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    [
      'outputSize [1, 2, 3]',
      () => adaptiveMaxPool2d(input, { outputSize: [1, 2, 3] }),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'outputSize ["2", 2]',
      () => adaptiveMaxPool2d(input, { outputSize: ['2', 2] as never }),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    ['outputSize [2, -2]', () => adaptiveMaxPool2d(input, { outputSize: [2, -2] }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['outputSize 2^31', () => adaptiveMaxPool2d(input, { outputSize: 2 ** 31 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    [
      'input rank 2',
      () => adaptiveMaxPool2d({ data: new Float32Array(20), shape: [4, 5] }, { outputSize: 2 }),
      'RangeError',
      'ERR_OUT_OF_RANGE',
    ],
    [
      'empty W',
      () => adaptiveMaxPool2d({ data: new Float32Array(0), shape: [1, 3, 4, 0] }, { outputSize: 2 }),
      'RangeError',
      'ERR_OUT_OF_RANGE',
    ],
    [
      'data length',
      () => adaptiveMaxPool2d({ data: new Float32Array(7), shape: [2, 3, 4, 5] }, { outputSize: 2 }),
      'RangeError',
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    ],
    [
      'input kind',
      () => adaptiveMaxPool2d({ data: [1, 2] as never, shape: [1, 1, 2] }, { outputSize: 1 }),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'returnIndices kind',
      () => adaptiveMaxPool2d(input, { outputSize: 2, returnIndices: 1 as never }),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'indexDtype',
      () => adaptiveMaxPool2d(input, { outputSize: 2, returnIndices: true, indexDtype: 'int16' as never }),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'out length',
      () => adaptiveMaxPool2d(input, { outputSize: 2, out: new Float32Array(23) }),
      'RangeError',
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    ],
    [
      'out dtype',
      () => adaptiveMaxPool2d(input, { outputSize: 2, out: new Float64Array(24) }),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'out aliases input',
      () => adaptiveMaxPool2d(input, { outputSize: 2, out: input.data.subarray(0, 24) }),
      'RangeError',
      'ERR_MAXPOOL2D_ALIASING',
    ],
    [
      'indicesOut dtype',
      () => adaptiveMaxPool2d(input, { outputSize: 2, returnIndices: true, indicesOut: new Int32Array(24) }),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    ['module: bad size', () => new AdaptiveMaxPool2d([2, 2.5]), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['module: threads', () => new AdaptiveMaxPool2d(2, { threads: 0 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
  ];

  it.each(cases)('%s', (_name, fn, kind, code) => {
    let caught: unknown;
    try {
      fn();
    } catch (error) {
      caught = error;
    }
    expect(caught, 'should throw').toBeDefined();
    expect((caught as Error).name).toBe(kind);
    expect((caught as { code?: string }).code).toBe(code);
  });
});
