/**
 * Stride-1 "same" pooling (odd k, padding (k - 1) / 2: SPPF's 5x5, SPP's 9x9 / 13x13, 3x3 stride 1), which the
 * AVX-512 float32 values-only kernel runs on flat bands of rows (native/kernels/same_s1_avx512.h), against the
 * JS backend bit for bit on every backend: ±0 ties (PyTorch keeps the first tap), -inf, NaN (the band falls
 * back to the exact path), widths below, at and around the 16-lane vector, rows wide enough for several bands
 * per plane and rows too wide for one, float32 and float16 (which goes through the float32 kernel), on 1 and 2
 * threads (a plane split by output rows).
 */
import { describe, expect, it } from 'vitest';
import { setActiveBackend } from '../lib/backend';
import { maxPool2d } from '../lib/index';
import { allocValues, type DType, type ValueArray } from '../lib/tensor';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { xorshift32 } from './helpers/random-case';

const F16 = { zero: 0x0000, negZero: 0x8000, one: 0x3c00, two: 0x4000, negInf: 0xfc00, nan: 0x7e01 };

/** mode 0: ±0 and small ties; 1: as 0 plus -inf; 2: as 0 plus a few NaNs; 3: random spread. */
function data(dtype: DType, length: number, seed: number, mode: number): ValueArray {
  const out = allocValues(dtype, length);
  const next = xorshift32(seed);
  for (let i = 0; i < length; i++) {
    const s = next();
    const r = s % 1000;
    let v: number;
    if (mode === 3) v = (s / 2 ** 32) * 200 - 100;
    else if (mode === 1 && r < 80) v = -Infinity;
    else if (mode === 2 && r < 3) v = Number.NaN;
    else v = [0, -0, 1, 2, -0, 0][r % 6];
    if (dtype === 'float16') {
      out[i] = Number.isNaN(v)
        ? F16.nan
        : v === -Infinity
          ? F16.negInf
          : Object.is(v, -0)
            ? F16.negZero
            : v === 0
              ? F16.zero
              : v === 1
                ? F16.one
                : v === 2
                  ? F16.two
                  : 0x3800; // 0.5 for the spread
    } else {
      out[i] = v;
    }
  }
  return out;
}

const SHAPES: [number[], number][] = [
  [[1, 3, 20, 20], 5], // SPPF
  [[2, 2, 40, 40], 5],
  [[1, 2, 13, 13], 3],
  [[1, 1, 9, 16], 5],
  [[1, 2, 7, 17], 3],
  [[1, 1, 6, 15], 7],
  [[1, 1, 5, 1], 3],
  [[1, 1, 1, 5], 5],
  [[1, 1, 30, 33], 9],
  [[1, 1, 27, 31], 13],
  [[1, 1, 11, 29], 1],
  [[1, 1, 12, 2100], 5], // several bands per plane
  [[1, 1, 3, 9000], 3], // too wide for one band: the general path
];

const natives = backendCases().filter((b) => b.label !== 'js');

function pool(dtype: DType, d: ValueArray, shape: number[], k: number, threads: number) {
  return maxPool2d({ data: d, shape, dtype }, { kernelSize: k, stride: 1, padding: (k - 1) / 2, threads }).data;
}

describe.skipIf(natives.length === 0)('stride-1 "same" pooling: native == JS, bit for bit', () => {
  for (const dtype of ['float32', 'float16'] as DType[]) {
    it(`${dtype}: every shape, data mode and backend, 1 and 2 threads`, () => {
      let compared = 0;
      SHAPES.forEach(([shape, k], si) => {
        const length = shape.reduce((a, b) => a * b, 1);
        for (let mode = 0; mode < 4; mode++) {
          const d = data(dtype, length, 1009 * (si + 1) + mode, mode);
          setActiveBackend('js');
          const ref = pool(dtype, d, shape, k, 1);
          setActiveBackend('default');
          for (const backend of natives) {
            const restore = backend.use();
            try {
              for (const threads of [1, 2]) {
                expectBits(
                  pool(dtype, d, shape, k, threads),
                  ref,
                  `${backend.label} ${dtype} shape ${si} data ${mode}`,
                );
                compared++;
              }
            } finally {
              restore();
            }
          }
        }
      });
      expect(compared).toBe(SHAPES.length * 4 * natives.length * 2);
    });
  }

  it('a tie of -0 then +0 keeps -0 and +0 then -0 keeps +0 (the first tap), on each axis', () => {
    // One 1x3 row and one 3x1 column, k3 s1 p1: the middle output's window holds both zeros in scan order.
    for (const shape of [
      [1, 1, 1, 3],
      [1, 1, 3, 1],
    ]) {
      for (const [a, b] of [
        [-0, 0],
        [0, -0],
      ]) {
        const x = Float32Array.from([a, b, -1]);
        setActiveBackend('js');
        const ref = pool('float32', x, shape, 3, 1);
        setActiveBackend('default');
        expect(Object.is(ref[0], a)).toBe(true);
        for (const backend of natives) {
          const restore = backend.use();
          try {
            expectBits(pool('float32', x, shape, 3, 1), ref, `${backend.label} ${shape} ${a} ${b}`);
          } finally {
            restore();
          }
        }
      }
    }
  });
});
