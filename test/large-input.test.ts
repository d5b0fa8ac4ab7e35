/**
 * Inputs of 12 MiB and more: on whole planes the native kernels prefetch each next plane while they pool one
 * (PoolGeom::prefetch_next_plane, set in native/pool_op.cc; used by the strip path of native/kernels/pool_rows.h).
 * The prefetches must change nothing: against the JS backend, bit for bit, on every ISA, values and indices, at 1
 * and 2 threads, and with few huge planes, whose tasks split the planes by rows (the hint is off there).
 */
import { describe, expect, it } from 'vitest';
import { setActiveBackend } from '../lib/backend';
import { maxPool2d } from '../lib/index';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { type PoolCase, poolCaseInput, poolCaseLabel } from './helpers/tie-data';

const CASES: PoolCase[] = [
  { dtype: 'float32', shape: [8, 64, 112, 112], kernelSize: 3, stride: 2, padding: 1 }, // ResNet stem, batch 8
  { dtype: 'float64', shape: [4, 64, 112, 112], kernelSize: 3, stride: 2, padding: 1 },
  { dtype: 'float32', shape: [2, 128, 112, 112], kernelSize: 3, stride: 1, padding: 1 },
  { dtype: 'float32', shape: [1, 2, 1800, 1800], kernelSize: 3, stride: 2, padding: 1 }, // 2 planes: row tasks
];

const natives = backendCases().filter((b) => b.label !== 'js');

describe.skipIf(natives.length === 0)('inputs of 12 MiB and more (next-plane prefetch): native == JS', () => {
  CASES.forEach((c, ci) => {
    const label = poolCaseLabel(c);
    it(`${label}: values and indices, every ISA, 1 and 2 threads`, async () => {
      const { x, options } = poolCaseInput(c, 104729 * (ci + 1));
      expect(x.data.byteLength).toBeGreaterThanOrEqual(12 * 1024 * 1024);
      setActiveBackend('js');
      const [ref, refIdx] = maxPool2d(x, { ...options, returnIndices: true });
      setActiveBackend('default');
      let compared = 0;
      for (const backend of natives) {
        await backend.within(() => {
          for (const threads of [1, 2]) {
            const what = `${backend.label} ${label} threads ${threads}`;
            expectBits(maxPool2d(x, { ...options, threads }).data, ref.data, `${what} values`);
            const [y, idx] = maxPool2d(x, { ...options, threads, returnIndices: true });
            expectBits(y.data, ref.data, `${what} values with indices`);
            expectBits(idx.data, refIdx.data, `${what} indices`);
            compared += 3;
          }
        });
      }
      expect(compared).toBe(natives.length * 2 * 3);
    });
  });
});
