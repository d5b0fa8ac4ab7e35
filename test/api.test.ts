/**
 * The public API's contract besides the golden values: argument checking (typed errors with codes that name the
 * parameter and value), 3-D inputs, modules, output buffers, aliasing, and tensor printing.
 */
import { describe, expect, it } from 'vitest';
import {
  formatTensor,
  MaxPool2d,
  MaxPoolRangeError,
  MaxPoolTypeError,
  MaxUnpool2d,
  maxPool2d,
  maxUnpool2d,
  pooledSize,
  toList,
} from '../lib/index';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';

const x4 = () => ({ data: Float32Array.from({ length: 16 }, (_, i) => i), shape: [1, 1, 4, 4] });

function thrown(fn: () => unknown): { error: Error & { code?: string } } {
  try {
    fn();
  } catch (error) {
    return { error: error as Error & { code?: string } };
  }
  throw new Error('expected a throw');
}

describe('parameter errors', () => {
  const cases: [string, Record<string, unknown>, 'TypeError' | 'RangeError', string, RegExp][] = [
    ['kernel 0', { kernelSize: 0 }, 'RangeError', 'ERR_OUT_OF_RANGE', /kernelSize.*at least 1.*0/],
    ['kernel 1.5', { kernelSize: 1.5 }, 'TypeError', 'ERR_INVALID_ARG_TYPE', /kernelSize.*1\.5/],
    ['kernel string', { kernelSize: '2' }, 'TypeError', 'ERR_INVALID_ARG_TYPE', /kernelSize.*"2"/],
    ['kernel triple', { kernelSize: [2, 2, 2] }, 'TypeError', 'ERR_INVALID_ARG_TYPE', /kernelSize.*\[2, 2, 2\]/],
    ['kernel missing', {}, 'TypeError', 'ERR_INVALID_ARG_TYPE', /kernelSize.*undefined/],
    ['stride 0', { kernelSize: 2, stride: 0 }, 'RangeError', 'ERR_OUT_OF_RANGE', /stride.*at least 1.*0/],
    ['stride -1', { kernelSize: 2, stride: [1, -1] }, 'RangeError', 'ERR_OUT_OF_RANGE', /stride.*\[1, -1\]/],
    ['padding -1', { kernelSize: 2, padding: -1 }, 'RangeError', 'ERR_OUT_OF_RANGE', /padding.*-1/],
    ['padding > k/2', { kernelSize: 3, padding: 2 }, 'RangeError', 'ERR_OUT_OF_RANGE', /padding.*half.*kernelSize/],
    ['dilation 0', { kernelSize: 2, dilation: 0 }, 'RangeError', 'ERR_OUT_OF_RANGE', /dilation.*0/],
    ['ceilMode 1', { kernelSize: 2, ceilMode: 1 }, 'TypeError', 'ERR_INVALID_ARG_TYPE', /ceilMode.*boolean.*1/],
    [
      'returnIndices "yes"',
      { kernelSize: 2, returnIndices: 'yes' },
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
      /returnIndices/,
    ],
    ['indexDtype', { kernelSize: 2, indexDtype: 'int16' }, 'TypeError', 'ERR_INVALID_ARG_TYPE', /indexDtype.*"int16"/],
    ['threads 0', { kernelSize: 2, threads: 0 }, 'RangeError', 'ERR_OUT_OF_RANGE', /threads.*0/],
    ['huge kernel', { kernelSize: 2 ** 40 }, 'RangeError', 'ERR_OUT_OF_RANGE', /kernelSize.*at most/],
    ['too small', { kernelSize: 5 }, 'RangeError', 'ERR_MAXPOOL2D_OUTPUT_TOO_SMALL', /too small.*4x4/],
  ];
  it.each(cases)('%s', (_label, options, kind, code, message) => {
    const { error } = thrown(() => maxPool2d(x4(), options as never));
    expect(error.name).toBe(kind);
    expect(error).toBeInstanceOf(kind === 'TypeError' ? TypeError : RangeError);
    expect(error).toBeInstanceOf(kind === 'TypeError' ? MaxPoolTypeError : MaxPoolRangeError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('the module validates in its constructor', () => {
    expect(() => new MaxPool2d(0)).toThrow(RangeError);
    expect(() => new MaxPool2d(2, { stride: 1.5 })).toThrow(TypeError);
    expect(() => new MaxUnpool2d(2, { padding: -1 })).toThrow(RangeError);
  });
});

describe('input errors', () => {
  it.each([
    ['data not typed', { data: [1, 2, 3, 4], shape: [1, 2, 2] }, TypeError, /input\.data.*Float32Array/],
    ['Uint32Array data', { data: new Uint32Array(4), shape: [1, 2, 2] }, TypeError, /input\.data/],
    ['rank 2', { data: new Float32Array(4), shape: [2, 2] }, RangeError, /input\.shape\.length.*2/],
    ['rank 5', { data: new Float32Array(4), shape: [1, 1, 1, 2, 2] }, RangeError, /input\.shape\.length.*5/],
    ['empty C', { data: new Float32Array(0), shape: [1, 0, 2, 2] }, RangeError, /input\.shape\[1\].*0/],
    ['float dim', { data: new Float32Array(4), shape: [1, 2.5, 2] }, TypeError, /input\.shape\[1\].*2\.5/],
    ['short data', { data: new Float32Array(3), shape: [1, 2, 2] }, RangeError, /input\.data\.length must be 4.*3/],
    ['not a tensor', new Float32Array(4), TypeError, /input must be a tensor/],
  ])('%s', (_label, input, kind, message) => {
    expect(() => maxPool2d(input as never, { kernelSize: 2 })).toThrow(kind);
    expect(() => maxPool2d(input as never, { kernelSize: 2 })).toThrow(message);
  });

  it('int32 indices refuse planes whose indices could pass 2^31 - 1', () => {
    // 65536 x 32768 is 2^31 elements; data of that size is never allocated: the check comes first.
    const data = new Float32Array(1);
    const { error } = thrown(() =>
      maxPool2d({ data, shape: [1, 65536, 32768] }, { kernelSize: 2, returnIndices: true, indexDtype: 'int32' }),
    );
    expect(error).toBeInstanceOf(RangeError);
  });
});

for (const backend of backendCases()) {
  describe(`behaviour on ${backend.label}`, () => {
    it('3-D input gives 3-D output and indices', () => {
      const restore = backend.use();
      try {
        const data = Float32Array.from({ length: 2 * 4 * 4 }, (_, i) => (i * 7) % 11);
        const [y, idx] = maxPool2d({ data, shape: [2, 4, 4] }, { kernelSize: 2, returnIndices: true });
        expect(y.shape).toEqual([2, 2, 2]);
        expect(idx.shape).toEqual([2, 2, 2]);
        const batched = maxPool2d({ data, shape: [1, 2, 4, 4] }, { kernelSize: 2 });
        expectBits(y.data, batched.data, '3-D vs 4-D');
      } finally {
        restore();
      }
    });

    it('writes into out / indicesOut and returns them', () => {
      const restore = backend.use();
      try {
        const out = new Float32Array(4);
        const indicesOut = new Int32Array(4);
        const [y, idx] = maxPool2d(x4(), { kernelSize: 2, returnIndices: true, indexDtype: 'int32', out, indicesOut });
        expect(y.data).toBe(out);
        expect(idx.data).toBe(indicesOut);
        expect(Array.from(out)).toEqual([5, 7, 13, 15]);
        expect(Array.from(indicesOut)).toEqual([5, 7, 13, 15]);
        const z = new Float32Array(16).fill(9);
        expect(maxUnpool2d(y, idx, { kernelSize: 2, out: z }).data).toBe(z);
        expect(Array.from(z)).toEqual([0, 0, 0, 0, 0, 5, 0, 7, 0, 0, 0, 0, 0, 13, 0, 15]);
      } finally {
        restore();
      }
    });

    it('checks out buffers: length, dtype, aliasing', () => {
      const restore = backend.use();
      try {
        expect(() => maxPool2d(x4(), { kernelSize: 2, out: new Float32Array(5) })).toThrow(/out\.length must be 4/);
        expect(() => maxPool2d(x4(), { kernelSize: 2, out: new Float64Array(4) })).toThrow(TypeError);
        const x = x4();
        const { error } = thrown(() => maxPool2d(x, { kernelSize: 2, out: x.data.subarray(12) }));
        expect(error.code).toBe('ERR_MAXPOOL2D_ALIASING');
        expect(() =>
          maxPool2d(x4(), { kernelSize: 2, returnIndices: true, indicesOut: new Int32Array(4) } as never),
        ).toThrow(/indicesOut must be an int64/);
      } finally {
        restore();
      }
    });

    it('unpool: bad index names the first one and leaves out untouched', () => {
      const restore = backend.use();
      try {
        const y = { data: new Float32Array([1, 2, 3, 4]), shape: [1, 1, 2, 2] };
        const idx = { data: new BigInt64Array([0n, 16n, -1n, 3n]), shape: [1, 1, 2, 2] };
        const out = new Float32Array(16).fill(-3);
        const { error } = thrown(() => maxUnpool2d(y, idx, { kernelSize: 2, out }));
        expect(error).toBeInstanceOf(RangeError);
        expect(error.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
        expect(error.message).toMatch(/indices\[1\] = 16/);
        expect(out.every((v) => v === -3)).toBe(true);
      } finally {
        restore();
      }
    });
  });
}

describe('unpool: the first bad index of many, wherever it sits', () => {
  // 3 planes of 16x16 indices (256 each) into 32x32 outputs (limit 1024): the native check screens blocks of 64.
  const planes = 3;
  const per = 256;
  const limit = 1024;
  const y = { data: new Float32Array(planes * per).map((_, i) => i + 1), shape: [1, planes, 16, 16] };
  const good = (i: number) => ((i % per) * 4 + (i % 3)) % limit;
  const cases: [number[], bigint][] = [
    [[0], -1n],
    [[63], 1024n],
    [[64], -(2n ** 63n)],
    [[100, 101], 2n ** 63n - 1n],
    [[255, 64], 5000n],
    [[256], -7n],
    [[planes * per - 1], 1024n],
    [[700, 130, 900], -1n],
  ];
  for (const backend of backendCases()) {
    it(`${backend.label}: int64 and int32 indices; out left untouched`, () => {
      const restore = backend.use();
      try {
        for (const [at, value] of cases) {
          const first = Math.min(...at);
          for (const wide of [true, false]) {
            if (!wide && (value > 2147483647n || value < -2147483648n)) continue;
            const idx = wide ? new BigInt64Array(planes * per) : new Int32Array(planes * per);
            for (let i = 0; i < idx.length; i++) idx[i] = (wide ? BigInt(good(i)) : good(i)) as never;
            for (const p of at) idx[p] = (wide ? value : Number(value)) as never;
            const out = new Float32Array(planes * limit).fill(-3);
            const what = `${backend.label} ${wide ? 'int64' : 'int32'} bad at ${at.join(',')}`;
            const { error } = thrown(() =>
              maxUnpool2d(y, { data: idx, shape: y.shape }, { kernelSize: 2, outputSize: [32, 32], out }),
            );
            expect(error.code, what).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
            expect(error.message, what).toContain(`indices[${first}] = ${value}`);
            expect(
              out.every((v) => v === -3),
              what,
            ).toBe(true);
          }
        }
        const idx = new BigInt64Array(planes * per).map((_, i) => BigInt(good(i)));
        expect(maxUnpool2d(y, { data: idx, shape: y.shape }, { kernelSize: 2, outputSize: [32, 32] }).shape).toEqual([
          1,
          planes,
          32,
          32,
        ]);
      } finally {
        restore();
      }
    });
  }
});

describe('unpool geometry', () => {
  const y = { data: new Float32Array([1, 2, 3, 4]), shape: [1, 1, 2, 2] };
  const idx = { data: new BigInt64Array([0n, 3n, 8n, 15n]), shape: [1, 1, 2, 2] };
  it('accepts outputSize [H, W] and [N, C, H, W] within default ± stride', () => {
    expect(maxUnpool2d(y, idx, { kernelSize: 2, outputSize: [5, 5] }).shape).toEqual([1, 1, 5, 5]);
    expect(maxUnpool2d(y, idx, { kernelSize: 2, outputSize: [1, 1, 4, 5] }).shape).toEqual([1, 1, 4, 5]);
  });
  it.each([[[6, 4]], [[2, 4]], [[4, 4, 4]]])('rejects outputSize %j', (outputSize) => {
    expect(() => maxUnpool2d(y, idx, { kernelSize: 2, outputSize })).toThrow(/outputSize/);
  });
  it('requires indices of the input shape', () => {
    const wrong = { data: new BigInt64Array(4), shape: [1, 1, 4, 1] };
    expect(() => maxUnpool2d(y, wrong, { kernelSize: 2 })).toThrow(/indices\.shape/);
    expect(() =>
      maxUnpool2d(y, { data: new Float32Array(4), shape: [1, 1, 2, 2] } as never, { kernelSize: 2 }),
    ).toThrow(TypeError);
  });
});

describe('tensor printing and geometry helpers', () => {
  it('toList nests like PyTorch tolist()', () => {
    expect(toList({ data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [1, 2, 3] })).toEqual([
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ]);
    expect(toList({ data: new BigInt64Array([1n, 2n]), shape: [2] })).toEqual([1n, 2n]);
  });
  it('formatTensor prints one row per line', () => {
    expect(formatTensor({ data: new Float32Array([1, 2.5, 3, 4]), shape: [2, 2] })).toBe('[[1, 2.5],\n [3, 4]]');
  });
  it('pooledSize follows the ceil-mode rule', () => {
    expect(pooledSize(5, 2, 2, 0, 1, false)).toBe(2);
    expect(pooledSize(5, 2, 2, 0, 1, true)).toBe(3);
    // The last window would start in the right padding: dropped.
    expect(pooledSize(3, 2, 5, 0, 1, true)).toBe(1);
  });
});
