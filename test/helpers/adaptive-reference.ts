/**
 * Brute-force references shared by the adaptive pooling tests, independent of lib/: their own half decoders,
 * bins found by integer search from the real-number definition, the scan rule, and the winner's bytes copied.
 */
import { allocValues, type DType, type ValueArray } from '../../lib/tensor';

/** float16 bits -> value, from the definition. */
export function f16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 31;
  const m = h & 1023;
  if (e === 31) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return e === 0 ? sign * m * 2 ** -24 : sign * (1024 + m) * 2 ** (e - 25);
}

/** bfloat16 bits -> value: the upper half of a float32. */
export function bf16Value(h: number): number {
  const f = new Float32Array(1);
  new Uint32Array(f.buffer)[0] = h << 16;
  return f[0];
}

/** The value an element compares by (halves decoded; integers and floats as they are). */
export function valueReader(data: ValueArray, dtype: DType): (i: number) => number {
  if (dtype === 'float16') return (i) => f16Value(data[i]);
  if (dtype === 'bfloat16') return (i) => bf16Value(data[i]);
  return (i) => data[i];
}

/** Copies element `from` of `src` to `to` of `dst` byte for byte. */
export function copyElement(src: ValueArray, from: number, dst: ValueArray, to: number) {
  const size = src.BYTES_PER_ELEMENT;
  const a = new Uint8Array(src.buffer, src.byteOffset + from * size, size);
  new Uint8Array(dst.buffer, dst.byteOffset + to * size, size).set(a);
}

/** Brute-force adaptive max pooling: bins by integer search, a row-major scan, the winner's bytes. */
export function adaptiveReference(
  data: ValueArray,
  dtype: DType,
  planes: number,
  H: number,
  W: number,
  OH: number,
  OW: number,
) {
  const value = valueReader(data, dtype);
  const out = allocValues(dtype, planes * OH * OW);
  const idx = new BigInt64Array(planes * OH * OW);
  const floorDiv = (a: number, b: number) => {
    let q = 0;
    while ((q + 1) * b <= a) q++;
    return q;
  };
  const ceilDiv = (a: number, b: number) => {
    let q = 0;
    while (q * b < a) q++;
    return q;
  };
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = floorDiv(oh * H, OH);
      const h1 = ceilDiv((oh + 1) * H, OH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = floorDiv(ow * W, OW);
        const w1 = ceilDiv((ow + 1) * W, OW);
        let m = Number.NEGATIVE_INFINITY;
        let at = h0 * W + w0;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const v = value(p * H * W + h * W + w);
            if (v > m || Number.isNaN(v)) {
              m = v;
              at = h * W + w;
            }
          }
        }
        const o = (p * OH + oh) * OW + ow;
        copyElement(data, p * H * W + at, out, o);
        idx[o] = BigInt(at);
      }
    }
  }
  return { out, idx };
}
