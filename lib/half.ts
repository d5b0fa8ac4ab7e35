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
