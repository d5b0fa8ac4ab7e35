/**
 * fast-check arbitraries for pooling cases: geometries PyTorch accepts (3-D and 4-D, ceil mode, dilation,
 * padding up to half the kernel) and data full of the values that break naive kernels: NaN (with payloads),
 * ±Infinity, -0 and +0, ties, denormals.
 */
import fc from 'fast-check';
import { pooledSize } from '../../lib/geometry';

export interface PoolCase {
  shape: number[];
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
  dtype: 'float32' | 'float64';
  seed: number;
}

const special32 = [
  0x7fc00000, // NaN
  0x7fc00001, // NaN with a payload
  0xffc00000, // negative NaN
  0x7f800000, // +Infinity
  0xff800000, // -Infinity
  0x80000000, // -0
  0x00000000, // +0
  0x00000001, // smallest denormal
  0x807fffff, // negative denormal
];

/** A deterministic xorshift32 stream of unsigned 32-bit values from `seed` (0 counts as 1). */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** Fills a typed array deterministically from `seed`: mostly small integers (ties), some specials. */
export function fillData(length: number, dtype: 'float32' | 'float64', seed: number): Float32Array | Float64Array {
  const next = xorshift32(seed);
  const specialRate = next() % 4; // 0: none, up to 3/16 of the values special
  if (dtype === 'float32') {
    const data = new Float32Array(length);
    const bits = new Uint32Array(data.buffer);
    for (let i = 0; i < length; i++) {
      const r = next();
      if ((r & 15) < specialRate) bits[i] = special32[(r >>> 4) % special32.length];
      else data[i] = ((r >>> 8) % 9) - 4 + ((r >>> 4) & 1 ? 0.5 : 0);
    }
    return data;
  }
  const data = new Float64Array(length);
  const words = new Uint32Array(data.buffer);
  for (let i = 0; i < length; i++) {
    const r = next();
    if ((r & 15) < specialRate) {
      const pick = (r >>> 4) % 6;
      const hi = [0x7ff80000, 0x7ff80000, 0xfff00000, 0x7ff00000, 0x80000000, 0x00000000][pick];
      words[2 * i] = pick === 1 ? 0xdead : 0;
      words[2 * i + 1] = hi;
    } else data[i] = ((r >>> 8) % 9) - 4 + ((r >>> 4) & 1 ? 0.5 : 0);
  }
  return data;
}

const pair = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));

export const poolCaseArb: fc.Arbitrary<PoolCase> = fc
  .record({
    batched: fc.boolean(),
    n: fc.integer({ min: 0, max: 2 }),
    c: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 23 }),
    w: fc.integer({ min: 1, max: 70 }),
    kernel: pair(1, 6),
    stride: pair(1, 4),
    dilation: fc.oneof(fc.constant<[number, number]>([1, 1]), pair(1, 3)),
    padFrac: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    ceilMode: fc.boolean(),
    dtype: fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .map((r) => {
    const padding: [number, number] = [
      Math.floor(r.padFrac[0] * (Math.floor(r.kernel[0] / 2) + 1)) % (Math.floor(r.kernel[0] / 2) + 1),
      Math.floor(r.padFrac[1] * (Math.floor(r.kernel[1] / 2) + 1)) % (Math.floor(r.kernel[1] / 2) + 1),
    ];
    const shape = r.batched ? [r.n, r.c, r.h, r.w] : [r.c, r.h, r.w];
    return {
      shape,
      kernel: r.kernel,
      stride: r.stride,
      padding,
      dilation: r.dilation,
      ceilMode: r.ceilMode,
      dtype: r.dtype,
      seed: r.seed,
    };
  })
  .filter((c) => {
    const [h, w] = c.shape.slice(-2);
    return (
      pooledSize(h, c.kernel[0], c.stride[0], c.padding[0], c.dilation[0], c.ceilMode) >= 1 &&
      pooledSize(w, c.kernel[1], c.stride[1], c.padding[1], c.dilation[1], c.ceilMode) >= 1
    );
  });
