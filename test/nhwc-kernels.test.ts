/**
 * The native NHWC kernels against the JS backend, bit for bit, on every ISA and every dtype: the AVX-512
 * channel-register kernel (float64 included), its separable stride-1 path (row results in a ring, folded in
 * row order: 9+ taps with sH == 1, dilated rows, sW > 1, ceil mode, N > 1 so the ring crosses images) and the
 * channel-range split pool_op.cc uses for that path on 2 threads (channel blocks of 64 with row blocks that
 * cross images). Data: NaN payloads of both signs (signalling too), ±0 ties, ±inf, the integer extremes, and
 * constant inputs (every window ties, is -inf / the type's lowest, or is NaN); C and W odd so every channel
 * vector has a tail (16 float32 / half lanes, 8 float64 lanes, 16..64 integer lanes); values only and with
 * int64 / int32 indices (stored NHWC).
 */
import { describe, expect, it } from 'vitest';
import { nativeBinding, setActiveBackend } from '../lib/backend';
import { maxPool2d } from '../lib/index';
import { allocValues, type DType, type ValueArray } from '../lib/tensor';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { ALL_DTYPES } from './helpers/dtypes';
import { xorshift32 } from './helpers/random-case';

const binding = nativeBinding();

// Element bits (float32 / float64 as raw words): NaNs (quiet, payload, signalling, negative), ±inf, ±0, the
// largest finite values, subnormals.
const SPECIALS: Record<DType, (number | bigint)[]> = {
  float32: [
    0x7fc00000, 0x7fa5a5a5, 0x7f800001, 0xffc00001, 0xff800001, 0x7f800000, 0xff800000, 0x80000000, 0, 0x7f7fffff,
    0xff7fffff, 1, 0x80000001,
  ],
  float64: [
    0x7ff8000000000000n,
    0x7ff4000000000001n,
    0xfff8000000000123n,
    0xfff0000000000001n,
    0x7ff0000000000000n,
    0xfff0000000000000n,
    0x8000000000000000n,
    0n,
    0x7fefffffffffffffn,
    1n,
    0x8000000000000001n,
  ],
  float16: [0x7e00, 0x7d55, 0x7c01, 0xfc01, 0xfe00, 0x7c00, 0xfc00, 0x8000, 0x0000, 0x7bff, 0xfbff, 0x0001, 0x8001],
  bfloat16: [0x7fc0, 0x7fd5, 0x7f81, 0xff81, 0xffc0, 0x7f80, 0xff80, 0x8000, 0x0000, 0x7f7f, 0xff7f, 0x0001, 0x8001],
  int8: [-128, 127, -127, 126, 0],
  uint8: [0, 255, 254, 1],
  int16: [-32768, 32767, -32767, 0],
  uint16: [0, 65535, 65534, 1],
  int32: [-(2 ** 31), 2 ** 31 - 1, -(2 ** 31) + 1, 0],
};
// Few distinct values: many ties, ±0 among them.
const SMALL: Record<DType, (number | bigint)[]> = {
  float32: [0x3f800000, 0x40000000, 0xbf800000, 0x3f000000, 0, 0x80000000],
  float64: [
    0x3ff0000000000000n,
    0x4000000000000000n,
    0xbff0000000000000n,
    0x3fe0000000000000n,
    0n,
    0x8000000000000000n,
  ],
  float16: [0x3c00, 0x4000, 0xbc00, 0x3800, 0x0000, 0x8000],
  bfloat16: [0x3f80, 0x4000, 0xbf80, 0x3f00, 0x0000, 0x8000],
  int8: [-1, 0, 1, 2],
  uint8: [0, 1, 2, 3],
  int16: [-1, 0, 1, 2],
  uint16: [0, 1, 2, 3],
  int32: [-1, 0, 1, 2],
};
// Constant inputs: -inf / the type's lowest (every window ties at the start value: the first in-bounds tap
// wins), a NaN with a payload (every window is NaN: the last tap wins), +0.
const CONSTANT: Record<DType, (number | bigint)[]> = {
  float32: [0xff800000, 0x7fa5a5a5, 0],
  float64: [0xfff0000000000000n, 0xfff8000000000123n, 0n],
  float16: [0xfc00, 0x7d55, 0x0000],
  bfloat16: [0xff80, 0x7fd5, 0x0000],
  int8: [-128, 5],
  uint8: [0, 5],
  int16: [-32768, 5],
  uint16: [0, 5],
  int32: [-(2 ** 31), 5],
};

/** mode 0: small values and specials mixed; 1: specials only; 2..: one constant (CONSTANT[dtype][mode - 2]). */
function adversarial(dtype: DType, length: number, seed: number, mode: number): ValueArray {
  const data = allocValues(dtype, length);
  const words: { [i: number]: number | bigint } =
    dtype === 'float32'
      ? new Uint32Array(data.buffer, data.byteOffset, length)
      : dtype === 'float64'
        ? new BigUint64Array(data.buffer, data.byteOffset, length)
        : (data as unknown as { [i: number]: number });
  const specials = SPECIALS[dtype];
  const next = xorshift32(seed);
  for (let i = 0; i < length; i++) {
    const s = next();
    if (mode >= 2) words[i] = CONSTANT[dtype][(mode - 2) % CONSTANT[dtype].length];
    else if (mode === 1 || (s & 7) === 0) words[i] = specials[(s >>> 3) % specials.length];
    else words[i] = SMALL[dtype][(s >>> 3) % SMALL[dtype].length];
  }
  return data;
}

interface Geo {
  shape: [number, number, number, number]; // N, H, W, C
  k: [number, number];
  s: [number, number];
  p?: [number, number];
  d?: [number, number];
  ceil?: boolean;
}

const GEOMETRIES: Geo[] = [
  { shape: [1, 20, 20, 70], k: [5, 5], s: [1, 1], p: [2, 2] }, // SPPF: separable, a 4-vector chunk + tails
  { shape: [2, 9, 11, 17], k: [3, 3], s: [1, 1], p: [1, 1] }, // separable, 9 taps, two images
  { shape: [3, 6, 7, 5], k: [5, 3], s: [1, 1], p: [2, 1] }, // separable, H barely above the window
  { shape: [1, 13, 10, 33], k: [3, 4], s: [1, 2], p: [1, 2], ceil: true }, // separable with sW 2, ceil mode
  { shape: [2, 8, 9, 9], k: [3, 3], s: [1, 1], p: [1, 1], d: [2, 2] }, // separable, dilated: a 5-row ring
  { shape: [1, 7, 12, 3], k: [4, 4], s: [1, 3], p: [2, 1], d: [1, 2], ceil: true }, // separable, odd mix
  { shape: [1, 5, 9, 129], k: [3, 3], s: [1, 1] }, // separable, two full chunks and a 1-channel tail
  { shape: [1, 9, 9, 70], k: [2, 2], s: [2, 2] }, // direct k2s2
  { shape: [2, 11, 13, 37], k: [3, 3], s: [2, 2], p: [1, 1], ceil: true }, // direct k3s2p1, ceil
  { shape: [1, 9, 10, 19], k: [2, 3], s: [2, 1], d: [2, 2] }, // direct (sH 2), dilated
  { shape: [1, 6, 33, 1], k: [2, 2], s: [1, 4], p: [1, 1], d: [3, 3] }, // 4 taps (direct), windows in padding
  { shape: [1, 4, 4, 8], k: [2, 2], s: [1, 1] }, // 4 taps, stride 1: direct
];

function run(dtype: DType, data: ValueArray, g: Geo, threads: number) {
  const input = { data, shape: g.shape, dtype };
  const options = {
    kernelSize: g.k,
    stride: g.s,
    padding: g.p ?? [0, 0],
    dilation: g.d ?? [1, 1],
    ceilMode: g.ceil ?? false,
    layout: 'NHWC' as const,
    threads,
  };
  const values = maxPool2d(input, options);
  const [out64, idx64] = maxPool2d(input, { ...options, returnIndices: true });
  const [out32, idx32] = maxPool2d(input, { ...options, returnIndices: true, indexDtype: 'int32' });
  return { values: values.data, out64: out64.data, idx64: idx64.data, out32: out32.data, idx32: idx32.data };
}

function compare(dtype: DType, data: ValueArray, g: Geo, threads: number, what: string): number {
  setActiveBackend('js');
  const ref = run(dtype, data, g, 1);
  setActiveBackend('default');
  let compared = 0;
  for (const backend of backendCases().filter((b) => b.label !== 'js')) {
    const restore = backend.use();
    try {
      const got = run(dtype, data, g, threads);
      for (const key of Object.keys(ref) as (keyof typeof ref)[])
        expectBits(got[key], ref[key], `${backend.label} ${dtype} ${what} ${key}`);
      compared++;
    } finally {
      restore();
    }
  }
  return compared;
}

describe.skipIf(!binding)('native NHWC kernels == JS, bit for bit, adversarial data', () => {
  const natives = backendCases().filter((b) => b.label !== 'js').length;
  it.each(ALL_DTYPES)('%s', (dtype) => {
    let compared = 0;
    const modes = 2 + CONSTANT[dtype].length;
    GEOMETRIES.forEach((g, gi) => {
      const length = g.shape.reduce((a, b) => a * b, 1);
      for (let mode = 0; mode < modes; mode++) {
        const data = adversarial(dtype, length, 7919 * (gi + 1) + mode, mode);
        compared += compare(dtype, data, g, 1, `geometry ${gi} data ${mode}`);
      }
    });
    expect(compared).toBe(GEOMETRIES.length * modes * natives);
  });

  // Enough work for 2 threads: separable calls split channels in blocks of 64 (the last one ragged) and rows
  // (blocks crossing images); direct calls split rows.
  it.each(ALL_DTYPES)('%s, 2 threads', (dtype) => {
    const geos: Geo[] = [
      { shape: [1, 20, 20, 200], k: [5, 5], s: [1, 1], p: [2, 2] },
      { shape: [3, 12, 13, 150], k: [3, 3], s: [1, 1], p: [1, 1] },
      { shape: [2, 15, 9, 67], k: [5, 5], s: [1, 1], p: [2, 2], d: [1, 2] },
      { shape: [1, 40, 40, 96], k: [3, 3], s: [2, 2], p: [1, 1] },
    ];
    let compared = 0;
    for (const [gi, g] of geos.entries()) {
      const length = g.shape.reduce((a, b) => a * b, 1);
      for (const mode of [0, 1]) {
        compared += compare(dtype, adversarial(dtype, length, 31 + gi + mode, mode), g, 2, `2 threads ${gi}/${mode}`);
      }
    }
    expect(compared).toBe(geos.length * 2 * natives);
  });
});
