/**
 * Every PyTorch reference vector in test/fixtures/maxpool2d.json, on every backend, compared bit for bit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaxPool2d, MaxUnpool2d, maxPool2d, maxUnpool2d } from '../lib/index';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { decode, type GoldenCase, loadGolden, poolOptions, unpoolOptions } from './helpers/golden';

const cases = loadGolden();
// The max_pool2d_backward vectors are checked by test/backward.test.ts.
const forward = cases.filter((c) => c.op !== 'max_pool2d_backward');
const poolCases = forward.filter((c) => c.op === 'max_pool2d' && !c.error && c.input);
const shapeCases = forward.filter((c) => c.op === 'max_pool2d' && c.error === false && c.expected_shape);
const poolErrors = forward.filter((c) => c.op === 'max_pool2d' && c.error === true);
const unpoolCases = forward.filter((c) => c.op === 'max_unpool2d' && !c.error);
const unpoolErrors = forward.filter((c) => c.op === 'max_unpool2d' && c.error);

function inputOf(c: GoldenCase) {
  const data = decode(c.input!) as Float32Array | Float64Array;
  return { data, shape: c.input!.shape };
}

function toInt32(a: BigInt64Array): Int32Array {
  return Int32Array.from(a, (v) => Number(v));
}

it('loads every vector family', () => {
  expect(poolCases.length).toBeGreaterThan(250);
  expect(unpoolCases.length + unpoolErrors.length).toBe(11);
  expect(poolErrors.length).toBe(13);
  expect(shapeCases.length).toBe(3);
});

for (const backend of backendCases()) {
  describe(`golden vectors on ${backend.label}`, () => {
    let restore: () => void;
    beforeAll(() => {
      restore = backend.use();
    });
    afterAll(() => restore());

    it.each(poolCases.map((c) => [c.id, c] as const))('max_pool2d %s', (_id, c) => {
      const input = inputOf(c);
      const options = poolOptions(c.params);
      const expectedOut = decode(c.expected!.output!);
      const expectedIdx = decode(c.expected!.indices!) as BigInt64Array;

      const values = maxPool2d(input, { ...options, returnIndices: false });
      expect(values.shape).toEqual(c.expected!.output!.shape);
      expect(values.dtype).toBe(c.input!.dtype);
      expectBits(values.data, expectedOut, 'values-only output');

      const [out, idx] = maxPool2d(input, { ...options, returnIndices: true });
      expectBits(out.data, expectedOut, 'output');
      expect(idx.shape).toEqual(c.expected!.indices!.shape);
      expectBits(idx.data, expectedIdx, 'int64 indices');

      const [out32, idx32] = maxPool2d(input, { ...options, returnIndices: true, indexDtype: 'int32' });
      expectBits(out32.data, expectedOut, 'output (int32 indices)');
      expectBits(idx32.data, toInt32(expectedIdx), 'int32 indices');

      const module = new MaxPool2d(options.kernelSize, { ...options, returnIndices: true });
      const [modOut, modIdx] = module.forward(input);
      expectBits(modOut.data, expectedOut, 'MaxPool2d output');
      expectBits(modIdx.data, expectedIdx, 'MaxPool2d indices');
    });

    it.each(shapeCases.map((c) => [c.id, c] as const))('accepted edge case %s', (_id, c) => {
      const shape = c.input_shape!;
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      const out = maxPool2d({ data, shape }, { ...poolOptions(c.params), returnIndices: false });
      expect(out.shape).toEqual(c.expected_shape);
      expect(out.data.length).toBe(c.expected_shape!.reduce((a, b) => a * b, 1));
    });

    it.each(poolErrors.map((c) => [c.id, c] as const))('rejects %s as PyTorch does', (_id, c) => {
      const shape = c.input_shape!;
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      let caught: unknown;
      try {
        maxPool2d({ data, shape }, poolOptions(c.params));
      } catch (error) {
        caught = error;
      }
      expect(caught, `PyTorch says: ${c.torch_message}`).toBeDefined();
      expect(caught instanceof TypeError || caught instanceof RangeError).toBe(true);
      expect((caught as { code?: string }).code).toMatch(/^ERR_/);
    });

    it.each(unpoolCases.map((c) => [c.id, c] as const))('max_unpool2d %s', (_id, c) => {
      const input = inputOf(c);
      const idx64 = decode(c.indices!) as BigInt64Array;
      const options = unpoolOptions(c.params);
      const expected = decode(c.expected!.output!);
      const out = maxUnpool2d(input, { data: idx64, shape: c.indices!.shape }, options);
      expect(out.shape).toEqual(c.expected!.output!.shape);
      expectBits(out.data, expected, 'unpool output (int64 indices)');
      const out32 = maxUnpool2d(input, { data: toInt32(idx64), shape: c.indices!.shape }, options);
      expectBits(out32.data, expected, 'unpool output (int32 indices)');
      const module = new MaxUnpool2d(options.kernelSize, options);
      const modOut = module.forward(input, { data: idx64, shape: c.indices!.shape }, options.outputSize);
      expectBits(modOut.data, expected, 'MaxUnpool2d output');
    });

    it.each(unpoolErrors.map((c) => [c.id, c] as const))('rejects unpool %s as PyTorch does', (_id, c) => {
      const input = inputOf(c);
      const idx = { data: decode(c.indices!) as BigInt64Array, shape: c.indices!.shape };
      const out = new Float32Array(1 << 12).fill(7);
      expect(() => maxUnpool2d(input, idx, unpoolOptions(c.params))).toThrow(RangeError);
      // A caller's buffer is left untouched when the call is refused.
      const size = c.params.output_size as number[] | undefined;
      if (!size) {
        let thrown: unknown;
        const probe = maxUnpoolOutputLength(c);
        const target = out.subarray(0, probe);
        try {
          maxUnpool2d(input, idx, { ...unpoolOptions(c.params), out: target as Float32Array });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(RangeError);
        expect((thrown as { code: string }).code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
        expect(target.every((v) => v === 7)).toBe(true);
      }
    });
  });
}

function maxUnpoolOutputLength(c: GoldenCase): number {
  const [kh, kw] = Array.isArray(c.params.kernel_size)
    ? c.params.kernel_size
    : [c.params.kernel_size, c.params.kernel_size];
  const s = (c.params.stride ?? c.params.kernel_size) as number;
  const p = (c.params.padding ?? 0) as number;
  const shape = c.input!.shape;
  const [h, w] = shape.slice(-2);
  const planes = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return planes * ((h - 1) * s - 2 * p + (kh as number)) * ((w - 1) * s - 2 * p + (kw as number));
}
