/**
 * The async forms of the backward and adaptive ops: the sync results bit for bit on every backend (values,
 * indices, halves, caller-supplied outputs), errors as rejections (a bad index included, `out` untouched), and
 * AbortSignal.
 */
import { describe, expect, it } from 'vitest';
import { nativeBinding } from '../lib/backend';
import {
  AdaptiveMaxPool2d,
  adaptiveMaxPool2d,
  adaptiveMaxPool2dAsync,
  maxPool2d,
  maxPool2dBackward,
  maxPool2dBackwardAsync,
  maxUnpool2dBackward,
  maxUnpool2dBackwardAsync,
} from '../lib/index';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { fillDType } from './helpers/dtypes';
import { fillData } from './helpers/random-case';

const shape = [2, 24, 40, 36];
const length = 2 * 24 * 40 * 36;
const pool = { kernelSize: 3, stride: 2, padding: 1 };

for (const backend of backendCases()) {
  describe(`backward / adaptive async on ${backend.label}`, () => {
    const within = backend.within;

    it('maxPool2dBackwardAsync and maxUnpool2dBackwardAsync give the sync gradients', () =>
      within(async () => {
        const x = { data: fillData(length, 'float32', 3) as Float32Array, shape };
        const [y, idx] = maxPool2d(x, { ...pool, returnIndices: true });
        const dy = { data: fillData(y.data.length, 'float32', 4) as Float32Array, shape: y.shape };
        const options = { ...pool, inputShape: shape };
        const dx = await maxPool2dBackwardAsync(dy, idx, options);
        expectBits(dx.data, maxPool2dBackward(dy, idx, options).data, 'pool backward');
        expect(dx.shape).toEqual(shape);
        const out = new Float32Array(length).fill(7);
        const dxOut = await maxPool2dBackwardAsync(dy, idx, { ...options, out });
        expect(dxOut.data).toBe(out);
        expectBits(out, dx.data, 'pool backward into out');

        const dz = { data: fillData(length, 'float32', 5) as Float32Array, shape };
        const unpoolOptions = { ...pool, outputSize: [40, 36] };
        const g = await maxUnpool2dBackwardAsync(dz, idx, unpoolOptions);
        expectBits(g.data, maxUnpool2dBackward(dz, idx, unpoolOptions).data, 'unpool backward');
      }));

    it('gradients in float16 bits and float64 match the sync forms', () =>
      within(async () => {
        for (const dtype of ['float16', 'bfloat16', 'float64'] as const) {
          const data = fillDType(length, dtype, 9);
          const x = dtype === 'float64' ? { data, shape } : { data, shape, dtype };
          const [y, idx] = maxPool2d(x as never, { ...pool, returnIndices: true });
          const dy = { ...y, data: fillDType(y.data.length, dtype, 10) };
          const options = { ...pool, inputShape: shape };
          const dx = await maxPool2dBackwardAsync(dy as never, idx, options);
          expectBits(dx.data, maxPool2dBackward(dy as never, idx, options).data, `${dtype} pool backward`);
          expect(dx.dtype).toBe(dtype);
        }
      }));

    it('a bad index rejects with the sync RangeError and leaves out untouched', () =>
      within(async () => {
        const dy = { data: new Float32Array(4).fill(1), shape: [1, 1, 2, 2] };
        const idx = { data: new BigInt64Array([0n, 1n, 2n, 99n]), shape: [1, 1, 2, 2] };
        const out = new Float32Array(16).fill(3);
        const options = { kernelSize: 2, inputShape: [1, 1, 4, 4], out };
        const sync = (() => {
          try {
            maxPool2dBackward(dy, idx, options);
          } catch (e) {
            return e as Error & { code: string };
          }
          throw new Error('expected a throw');
        })();
        await expect(maxPool2dBackwardAsync(dy, idx, options)).rejects.toMatchObject({
          name: 'RangeError',
          code: sync.code,
          message: sync.message,
        });
        expect(out.every((v) => v === 3)).toBe(true);
        await expect(maxUnpool2dBackwardAsync(dy, idx, { kernelSize: 1 })).rejects.toMatchObject({
          name: 'RangeError',
        });
      }));

    it('adaptiveMaxPool2dAsync and AdaptiveMaxPool2d.forwardAsync give the sync results', () =>
      within(async () => {
        for (const dtype of ['float32', 'uint8', 'bfloat16'] as const) {
          const data = fillDType(length, dtype, 11);
          const x = (dtype === 'bfloat16' ? { data, shape, dtype } : { data, shape }) as never;
          for (const outputSize of [7, 1, [5, 9]] as const) {
            const options = { outputSize, returnIndices: true as const };
            const [want, wantIdx] = adaptiveMaxPool2d(x, options);
            const [got, gotIdx] = await adaptiveMaxPool2dAsync(x, options);
            expectBits(got.data, want.data, `${dtype} adaptive ${outputSize}`);
            expectBits(gotIdx.data, wantIdx.data, `${dtype} adaptive ${outputSize} indices`);
            const values = await adaptiveMaxPool2dAsync(x, { outputSize, indexDtype: 'int32' });
            expectBits(values.data, want.data, `${dtype} adaptive ${outputSize} values only`);
          }
        }
        const x = { data: fillData(length, 'float32', 12) as Float32Array, shape };
        const module = new AdaptiveMaxPool2d([4, null], { returnIndices: true, indexDtype: 'int32' });
        const [a, ai] = await module.forwardAsync(x);
        const [b, bi] = module.forward(x);
        expectBits(a.data, b.data, 'module values');
        expectBits(ai.data, bi.data, 'module indices');
        expect(ai.data).toBeInstanceOf(Int32Array);
      }));

    it('rejects bad arguments and aborted signals instead of throwing', () =>
      within(async () => {
        const x = { data: new Float32Array(16), shape: [1, 1, 4, 4] };
        const bad = adaptiveMaxPool2dAsync(x, { outputSize: -1 });
        expect(bad).toBeInstanceOf(Promise);
        await expect(bad).rejects.toBeInstanceOf(RangeError);
        const signal = AbortSignal.abort();
        await expect(adaptiveMaxPool2dAsync(x, { outputSize: 2, signal })).rejects.toMatchObject({
          name: 'AbortError',
        });
        const dy = { data: new Float32Array(4), shape: [1, 1, 2, 2] };
        const idx = { data: new BigInt64Array(4), shape: [1, 1, 2, 2] };
        await expect(
          maxPool2dBackwardAsync(dy, idx, { kernelSize: 2, inputShape: [1, 1, 4, 4], signal }),
        ).rejects.toMatchObject({ name: 'AbortError' });
        await expect(maxUnpool2dBackwardAsync(dy, idx, { kernelSize: 2, signal })).rejects.toMatchObject({
          name: 'AbortError',
        });
        await expect(maxPool2dBackwardAsync(dy, idx, null as never)).rejects.toBeInstanceOf(TypeError);
      }));
  });
}

describe('raw binding: the async gradient and adaptive ops check like their sync twins', () => {
  const b = nativeBinding();
  const poolPlan = new Float64Array([1, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1]);
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return 'no throw';
  };
  it.skipIf(!b)('throws argument errors synchronously and allocates what it is asked to', async () => {
    if (!b) return;
    const call = b as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const name of ['adaptiveMaxPool2dAsync', 'maxPool2dBackwardAsync', 'maxUnpool2dBackwardAsync']) {
      expect(codeOf(() => call[name]())).toBe('ERR_MAXPOOL2D_ARG_COUNT');
      expect(codeOf(() => call[name]({}, null, null, poolPlan, 0))).toBe('ERR_INVALID_ARG_TYPE');
    }
    // Wrong lengths against the plan: thrown before anything is queued.
    const idx = new BigInt64Array([5n, 7n, 13n, 15n]);
    expect(codeOf(() => b.maxPool2dBackwardAsync(new Float32Array(3), idx, null, poolPlan, 0))).toBe(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    );
    expect(codeOf(() => b.maxPool2dBackwardAsync(new Float32Array(4), idx, new Float32Array(15), poolPlan, 0))).toBe(
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    );
    const adaptivePlan = new Float64Array([1, 4, 4, 2, 2]);
    expect(codeOf(() => b.adaptiveMaxPool2dAsync(new Float32Array(16), null, 'int16' as never, adaptivePlan, 0))).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
    const x = Float32Array.from({ length: 16 }, (_, i) => i);
    const [y, yi] = await b.adaptiveMaxPool2dAsync(x, null, 'int32', adaptivePlan, 0);
    expect(Array.from(y)).toEqual([5, 7, 13, 15]);
    expect(yi).toBeInstanceOf(Int32Array);
    expect(Array.from(yi as Int32Array)).toEqual([5, 7, 13, 15]);
    const dx = await b.maxPool2dBackwardAsync(new Float32Array([1, 2, 3, 4]), idx, null, poolPlan, 0);
    expect(Array.from(dx)).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
    const g = await b.maxUnpool2dBackwardAsync(x, idx, null, new Float64Array([1, 2, 2, 4, 4]), 0);
    expect(Array.from(g)).toEqual([5, 7, 13, 15]);
    await expect(
      b.maxUnpool2dBackwardAsync(x, new BigInt64Array([0n, 1n, 2n, 16n]), null, new Float64Array([1, 2, 2, 4, 4]), 0),
    ).rejects.toMatchObject({ code: 'ERR_MAXPOOL2D_INVALID_INDEX' });
  });
});
