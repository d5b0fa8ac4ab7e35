/**
 * Helpers for the dtype and layout tests: seeded data for every dtype (ties, extremes, and for the half types
 * NaNs with payloads, ±Infinity, ±0 and subnormals), exact float32 -> half encoders for converting golden
 * vectors, and NCHW <-> NHWC transposes.
 */
import { allocValues, type DType, type ValueArray } from '../../lib/tensor';
import { xorshift32 } from './random-case';

export const ALL_DTYPES: DType[] = [
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
];
export const NEW_DTYPES: DType[] = ALL_DTYPES.filter((d) => d !== 'float32' && d !== 'float64');

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 bits of `x` (rounded to float32). */
export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0];
}

/** The float16 bits holding exactly the float32 with bits `bits`, or null when float16 cannot hold it. */
export function f16FromF32Bits(bits: number): number | null {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const man = bits & 0x7fffff;
  if (exp === 0xff) {
    if (man & 0x1fff) return null;
    if (man !== 0 && man >>> 13 === 0) return null;
    return sign | 0x7c00 | (man >>> 13);
  }
  if (exp === 0 && man === 0) return sign;
  if (exp === 0) return null; // float32 subnormals are far below float16's range
  const e = exp - 127 + 15;
  if (e >= 31) return null;
  if (e >= 1) return man & 0x1fff ? null : sign | (e << 10) | (man >>> 13);
  // float16 subnormal: m * 2^-24 with m < 1024.
  u32[0] = bits & 0x7fffffff;
  const m = f32[0] * 2 ** 24;
  return Number.isInteger(m) && m < 1024 ? sign | m : null;
}

/** The bfloat16 bits holding exactly the float32 with bits `bits`, or null. */
export function bf16FromF32Bits(bits: number): number | null {
  return bits & 0xffff ? null : bits >>> 16;
}

const HALF_SPECIALS: Record<'float16' | 'bfloat16', number[]> = {
  // NaN, NaN with payload, signalling NaN, negative NaN, +inf, -inf, -0, +0, subnormals
  float16: [0x7e00, 0x7e01, 0x7c01, 0xfe00, 0x7c00, 0xfc00, 0x8000, 0x0000, 0x0001, 0x8001],
  bfloat16: [0x7fc0, 0x7fc1, 0x7f81, 0xffc0, 0x7f80, 0xff80, 0x8000, 0x0000, 0x0001, 0x8001],
};

const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
};

/** Deterministic data of `dtype` from `seed`: mostly few distinct values (ties), some extremes / specials. */
export function fillDType(length: number, dtype: DType, seed: number): ValueArray {
  const next = xorshift32(seed);
  const rate = next() % 4;
  const data = allocValues(dtype, length);
  for (let i = 0; i < length; i++) {
    const r = next();
    const small = ((r >>> 8) % 9) - 4;
    const special = (r & 15) < rate;
    if (dtype === 'float16' || dtype === 'bfloat16') {
      const specials = HALF_SPECIALS[dtype];
      const value = small + ((r >>> 4) & 1 ? 0.5 : 0);
      const bits = dtype === 'float16' ? f16FromF32Bits(f32Bits(value)) : bf16FromF32Bits(f32Bits(value));
      data[i] = special ? specials[(r >>> 4) % specials.length] : (bits as number);
    } else if (dtype === 'float32' || dtype === 'float64') {
      data[i] = special ? [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0][(r >>> 4) % 4] : small;
    } else {
      const [lo, hi] = INT_RANGE[dtype] as [number, number];
      data[i] = special ? ((r >>> 4) & 1 ? lo : hi) : Math.min(hi, Math.max(lo, small + (lo === 0 ? 4 : 0)));
    }
  }
  return data;
}

/**
 * `[N, C, H, W]` (or `[C, H, W]`) data transposed to NHWC, byte for byte (NaN payloads intact); returns the data
 * and the NHWC shape.
 */
export function toNhwc<A extends ValueArray | BigInt64Array | Int32Array>(data: A, shape: readonly number[]) {
  const [N, C, H, W] = shape.length === 4 ? shape : [1, ...shape];
  const out = new (data.constructor as new (n: number) => A)(data.length);
  const size = data.BYTES_PER_ELEMENT;
  const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const dst = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) {
          const to = (((n * H + h) * W + w) * C + c) * size;
          const from = (((n * C + c) * H + h) * W + w) * size;
          for (let b = 0; b < size; b++) dst[to + b] = src[from + b];
        }
  const nhwc = shape.length === 4 ? [N, H, W, C] : [H, W, C];
  return { data: out, shape: nhwc };
}
