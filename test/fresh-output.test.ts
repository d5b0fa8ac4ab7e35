/**
 * Fresh outputs (no `out`, no `indicesOut`) of at least 512 KiB in planes of 1 KiB (2 KiB with indices) to 16 KiB of
 * values (32 KiB of indices): the native backend pools each plane into per-thread scratch planes and streams them
 * into the outputs (native/pool_op.cc). Against the JS backend, bit
 * for bit, on every ISA: every NCHW dtype path (float32, float64, uint8 on the integer kernels, float16 through
 * the float32 kernel), with and without indices, sync and async, planes split by output rows (16 threads), with
 * NaN, -inf and ±0 ties in the data. A caller's `out` is written directly and must hold the same bits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeBinding, setActiveBackend } from '../lib/backend';
import { maxPool2d, maxPool2dAsync } from '../lib/index';
import { allocValues } from '../lib/tensor';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { type PoolCase, poolCaseInput, poolCaseLabel } from './helpers/tie-data';

// Each fresh output is >= 512 KiB with planes <= 16 KiB, so each one is streamed (the last two: values only).
const CASES: PoolCase[] = [
  { dtype: 'float32', shape: [1, 64, 112, 112], kernelSize: 3, stride: 2, padding: 1 }, // ResNet stem
  { dtype: 'float32', shape: [4, 64, 56, 56], kernelSize: 2, stride: 2, padding: 0 },
  { dtype: 'float32', shape: [1, 32, 64, 64], kernelSize: 3, stride: 1, padding: 1 }, // exactly 512 KiB out
  { dtype: 'float64', shape: [2, 64, 56, 56], kernelSize: 2, stride: 2, padding: 0 },
  { dtype: 'uint8', shape: [8, 64, 112, 112], kernelSize: 3, stride: 2, padding: 1 },
  { dtype: 'float16', shape: [2, 64, 112, 112], kernelSize: 3, stride: 2, padding: 1 },
  { dtype: 'float32', shape: [1, 512, 20, 20], kernelSize: 5, stride: 1, padding: 2 }, // YOLO SPPF: 1.6 KB planes
  { dtype: 'float32', shape: [1, 512, 16, 16], kernelSize: 3, stride: 1, padding: 1 }, // 1 KiB planes, 512 KiB out
];

const natives = backendCases().filter((b) => b.label !== 'js');
const binding = nativeBinding();

describe.skipIf(natives.length === 0)('fresh outputs streamed out of a scratch plane: native == JS', () => {
  // 16 threads: 64 tasks for the 32 planes of the 512 KiB case, so its planes are split by output rows too.
  const initialThreads = binding?.getNumThreads() ?? 1;
  beforeAll(() => binding?.setNumThreads(16));
  afterAll(() => binding?.setNumThreads(initialThreads));

  CASES.forEach((c, ci) => {
    const label = poolCaseLabel(c);
    it(`${label}: values and indices, sync and async, every ISA, 1 / 2 / 16 threads`, async () => {
      const { x, options } = poolCaseInput(c, 7919 * (ci + 1));
      setActiveBackend('js');
      const [ref, refIdx] = maxPool2d(x, { ...options, returnIndices: true });
      setActiveBackend('default');
      expect(ref.data.byteLength).toBeGreaterThanOrEqual(512 * 1024);
      let compared = 0;
      for (const backend of natives) {
        await backend.within(async () => {
          for (const threads of [1, 2, 16]) {
            const what = `${backend.label} ${label} threads ${threads}`;
            expectBits(maxPool2d(x, { ...options, threads }).data, ref.data, `${what} values`);
            const [y, idx] = maxPool2d(x, { ...options, threads, returnIndices: true });
            expectBits(y.data, ref.data, `${what} values with indices`);
            expectBits(idx.data, refIdx.data, `${what} indices`);
            expectBits((await maxPool2dAsync(x, { ...options, threads })).data, ref.data, `${what} async`);
            const [ya, idxa] = await maxPool2dAsync(x, { ...options, threads, returnIndices: true });
            expectBits(ya.data, ref.data, `${what} async values with indices`);
            expectBits(idxa.data, refIdx.data, `${what} async indices`);
            const out = allocValues(c.dtype, ref.data.length);
            expectBits(maxPool2d(x, { ...options, threads, out }).data, ref.data, `${what} out`);
            compared += 7;
          }
        });
      }
      expect(compared).toBe(natives.length * 3 * 7);
    });
  });
});
