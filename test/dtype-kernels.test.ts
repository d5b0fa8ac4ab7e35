/**
 * The per-dtype native kernels (AVX-512 integer kernels, halves through the float32 kernels) against the JS
 * backend, bit for bit, on every ISA: adversarial data (signalling / payload NaNs of both signs for halves,
 * ±0 ties, ±inf, the integer types' min / max, constant planes) on a sweep of geometries chosen to reach every
 * path of the row driver (strip, band, flat, direct, stride-2 de-interleave, strides above 2, dilation, ceil
 * mode, windows entirely in padding, row tails of every length around the 16 / 32 / 64-lane vectors), values
 * only and with int64 / int32 indices, on 1 and 2 threads (a plane split by output rows).
 */
import { describe, expect, it } from 'vitest';
import { nativeBinding, setActiveBackend } from '../lib/backend';
import { maxPool2d } from '../lib/index';
import { allocValues, type DType, type ValueArray } from '../lib/tensor';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { NEW_DTYPES } from './helpers/dtypes';
import { xorshift32 } from './helpers/random-case';

const binding = nativeBinding();

const SPECIALS: Record<string, number[]> = {
  // quiet NaN, payload NaN, signalling NaN (+/-), negative NaN, ±inf, ±0, largest finite, subnormals
  float16: [0x7e00, 0x7d55, 0x7c01, 0xfc01, 0xfe00, 0x7c00, 0xfc00, 0x8000, 0x0000, 0x7bff, 0xfbff, 0x0001, 0x8001],
  bfloat16: [0x7fc0, 0x7fd5, 0x7f81, 0xff81, 0xffc0, 0x7f80, 0xff80, 0x8000, 0x0000, 0x7f7f, 0xff7f, 0x0001, 0x8001],
  int8: [-128, 127, -127, 126, 0],
  uint8: [0, 255, 254, 1],
  int16: [-32768, 32767, -32767, 0],
  uint16: [0, 65535, 65534, 1],
  int32: [-(2 ** 31), 2 ** 31 - 1, -(2 ** 31) + 1, 0],
};
const SMALL: Record<string, number[]> = {
  float16: [0x3c00, 0x4000, 0xbc00, 0x3800, 0x0000, 0x8000], // 1, 2, -1, 0.5, ±0: many ties
  bfloat16: [0x3f80, 0x4000, 0xbf80, 0x3f00, 0x0000, 0x8000],
  int8: [-1, 0, 1, 2],
  uint8: [0, 1, 2, 3],
  int16: [-1, 0, 1, 2],
  uint16: [0, 1, 2, 3],
  int32: [-1, 0, 1, 2],
};

/** mode 0: mixed small values (ties) and specials; 1: specials only; 2: one constant (the type's lowest / -inf
 * / a NaN), so every window ties or every window is NaN. */
function adversarial(dtype: DType, length: number, seed: number, mode: number): ValueArray {
  const data = allocValues(dtype, length);
  const specials = SPECIALS[dtype];
  const next = xorshift32(seed);
  for (let i = 0; i < length; i++) {
    const s = next();
    if (mode === 2) data[i] = specials[seed % specials.length];
    else if (mode === 1 || (s & 7) === 0) data[i] = specials[(s >>> 3) % specials.length];
    else data[i] = SMALL[dtype][(s >>> 3) % SMALL[dtype].length];
  }
  return data;
}

interface Geo {
  shape: number[];
  k: [number, number];
  s: [number, number];
  p?: [number, number];
  d?: [number, number];
  ceil?: boolean;
}

const GEOMETRIES: Geo[] = [
  { shape: [1, 2, 17, 131], k: [3, 3], s: [2, 2], p: [1, 1] }, // strip k3s2, tails past 64 lanes
  { shape: [2, 1, 16, 129], k: [2, 2], s: [2, 2] }, // strip k2s2 / direct
  { shape: [1, 2, 20, 20], k: [5, 5], s: [1, 1], p: [2, 2] }, // SPPF: flat band path
  { shape: [1, 1, 21, 40], k: [3, 3], s: [1, 1], p: [1, 1] }, // flat, W not a multiple of the lanes
  { shape: [1, 1, 12, 200], k: [3, 3], s: [1, 1] }, // band, wide rows
  { shape: [1, 2, 13, 65], k: [4, 4], s: [2, 2], p: [2, 2], ceil: true }, // strip k4s2 with ceil mode
  { shape: [1, 1, 11, 97], k: [5, 5], s: [2, 2], p: [2, 2] }, // strip k5s2
  { shape: [1, 1, 9, 70], k: [2, 3], s: [1, 2], d: [2, 2] }, // dilated, stride-2 de-interleave
  { shape: [1, 1, 9, 63], k: [3, 3], s: [3, 3], p: [1, 1], ceil: true }, // stride 3 (gather / generic)
  { shape: [1, 1, 6, 33], k: [2, 2], s: [1, 4], p: [1, 1], d: [3, 3] }, // windows entirely in padding
  { shape: [1, 1, 5, 7], k: [3, 3], s: [1, 1], p: [1, 1], d: [3, 3] }, // more empty windows
  { shape: [1, 3, 8, 1], k: [2, 1], s: [1, 1] }, // one column
  { shape: [1, 1, 1, 255], k: [1, 7], s: [1, 2], p: [0, 3], ceil: true }, // one row, long
  { shape: [1, 1, 30, 66], k: [6, 6], s: [2, 2], p: [3, 3] }, // band path, larger window
  { shape: [1, 1, 7, 64], k: [3, 2], s: [2, 1], d: [1, 3] }, // rows exactly 64 lanes
];

function run(dtype: DType, data: ValueArray, g: Geo, threads: number) {
  const input = { data, shape: g.shape, dtype };
  const options = {
    kernelSize: g.k,
    stride: g.s,
    padding: g.p ?? [0, 0],
    dilation: g.d ?? [1, 1],
    ceilMode: g.ceil ?? false,
    threads,
  };
  const values = maxPool2d(input, options);
  const [out64, idx64] = maxPool2d(input, { ...options, returnIndices: true });
  const [out32, idx32] = maxPool2d(input, { ...options, returnIndices: true, indexDtype: 'int32' });
  return { values: values.data, out64: out64.data, idx64: idx64.data, out32: out32.data, idx32: idx32.data };
}

describe.skipIf(!binding)('per-dtype native kernels == JS, bit for bit, adversarial data', () => {
  const natives = backendCases().filter((b) => b.label !== 'js');
  for (const dtype of NEW_DTYPES) {
    it(dtype, () => {
      let compared = 0;
      GEOMETRIES.forEach((g, gi) => {
        const length = g.shape.reduce((a, b) => a * b, 1);
        for (let mode = 0; mode < 3; mode++) {
          const data = adversarial(dtype, length, 7919 * (gi + 1) + mode, mode);
          setActiveBackend('js');
          const ref = run(dtype, data, g, 1);
          setActiveBackend('default');
          for (const backend of natives) {
            const restore = backend.use();
            try {
              const got = run(dtype, data, g, 1);
              const what = `${backend.label} ${dtype} geometry ${gi} data ${mode}`;
              for (const key of Object.keys(ref) as (keyof typeof ref)[])
                expectBits(got[key], ref[key], `${what} ${key}`);
              compared++;
            } finally {
              restore();
            }
          }
        }
      });
      expect(compared).toBe(GEOMETRIES.length * 3 * natives.length);
    });
  }

  // Few planes and enough work for 2 threads: each plane is split by output rows, so a half call converts
  // only its rows' inputs (dilation makes a later window reach rows above an earlier one's first tap).
  it.each(NEW_DTYPES)('%s, planes split by output rows on 2 threads', (dtype) => {
    const geos: Geo[] = [
      { shape: [1, 1, 301, 257], k: [3, 3], s: [1, 1], p: [1, 1], d: [3, 2] },
      { shape: [1, 2, 200, 130], k: [3, 3], s: [2, 2], p: [1, 1] },
      { shape: [1, 1, 160, 160], k: [5, 5], s: [1, 1], p: [2, 2] },
    ];
    for (const [gi, g] of geos.entries()) {
      const data = adversarial(
        dtype,
        g.shape.reduce((a, b) => a * b, 1),
        31 + gi,
        0,
      );
      setActiveBackend('js');
      const ref = run(dtype, data, g, 1);
      setActiveBackend('default');
      for (const backend of natives) {
        const restore = backend.use();
        try {
          const got = run(dtype, data, g, 2);
          for (const key of Object.keys(ref) as (keyof typeof ref)[]) {
            expectBits(got[key], ref[key], `${backend.label} ${dtype} geometry ${gi} ${key}`);
          }
        } finally {
          restore();
        }
      }
    }
  });
});
