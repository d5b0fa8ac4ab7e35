/**
 * Test data with many ties (±0 among them), some -inf and a few NaN, for any dtype: what makes pooling kernels
 * disagree when one of them gets the first-maximum or NaN rule wrong.
 */
import { allocValues, type DType, type ValueArray } from '../../lib/tensor';
import { xorshift32 } from './random-case';

const F16 = [0x0000, 0x8000, 0x3c00, 0x4000, 0xfc00, 0x7e01, 0x3800, 0xbc00]; // 0 -0 1 2 -inf NaN 0.5 -1

/** `length` values of `dtype` from `seed`: small values with many ties, ~4% -inf and ~0.2% NaN (uint8: 0..6). */
export function tieData(dtype: DType, length: number, seed: number): ValueArray {
  const out = allocValues(dtype, length);
  const next = xorshift32(seed);
  for (let i = 0; i < length; i++) {
    const r = next() % 1000;
    if (dtype === 'float16') out[i] = r < 2 ? F16[5] : r < 40 ? F16[4] : F16[[0, 1, 2, 3, 6, 7][r % 6]];
    else if (dtype === 'uint8') out[i] = r % 7;
    else out[i] = r < 2 ? Number.NaN : r < 40 ? -Infinity : [0, -0, 1, 2, 0.5, -1][r % 6];
  }
  return out;
}

/** A square-window pooling case of the native-vs-JS suites (fresh-output, large-input). */
export interface PoolCase {
  dtype: DType;
  shape: number[];
  kernelSize: number;
  stride: number;
  padding: number;
}

/** The case's name in test titles. */
export function poolCaseLabel(c: PoolCase): string {
  return `${c.dtype} ${c.shape.join('x')} k${c.kernelSize} s${c.stride} p${c.padding}`;
}

/** The case's input, filled by `tieData` from `seed`, and its pooling options. */
export function poolCaseInput(c: PoolCase, seed: number) {
  const length = c.shape.reduce((a, b) => a * b, 1);
  const x = { data: tieData(c.dtype, length, seed), shape: c.shape, dtype: c.dtype };
  const options = { kernelSize: c.kernelSize, stride: c.stride, padding: c.padding };
  return { x, options };
}
