/**
 * float16 / bfloat16 decoding for the JS backend: 65536-entry lookup tables from raw bits to float32 (every
 * half value, NaNs included, is exact in float32), built on first use.
 */

let f16: Float32Array | null = null;
let bf16: Float32Array | null = null;

function decodeF16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 31;
  const m = h & 1023;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** float16 bits -> value. */
export function f16Table(): Float32Array {
  if (!f16) {
    f16 = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16[h] = decodeF16(h);
  }
  return f16;
}

/** bfloat16 bits -> value (the upper half of a float32). */
export function bf16Table(): Float32Array {
  if (!bf16) {
    bf16 = new Float32Array(65536);
    const words = new Uint32Array(bf16.buffer);
    for (let h = 0; h < 65536; h++) words[h] = h << 16;
  }
  return bf16;
}

/** Bits of -Infinity: what an empty window (no in-bounds tap) yields. */
export const NEG_INF_BITS = { float16: 0xfc00, bfloat16: 0xff80 } as const;

function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/**
 * A float32 value (not NaN) -> float16 bits, rounded to nearest even, overflowing to infinity: what
 * c10::Half(float) gives (the FP16 library's conversion).
 */
export function f16FromFloat(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // 65520 is halfway between 65504 (odd) and 2^16: rounds to infinity
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal (1024 is the smallest normal's bits)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return sign | (((e + 15) << 10) + roundHalfEven(a * 2 ** (10 - e)) - 1024); // a carry steps the exponent
}

const scratch32 = new Float32Array(1);
const scratchWords = new Uint32Array(scratch32.buffer);

/** A float32 value (not NaN) -> bfloat16 bits, rounded to nearest even, as c10::BFloat16(float). */
export function bf16FromFloat(x: number): number {
  scratch32[0] = x;
  const u = scratchWords[0];
  return (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
}
