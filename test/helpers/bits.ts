/** Bit-exact comparison of typed arrays: NaN payloads count and -0 differs from +0. */
import { expect } from 'vitest';

function words(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Index of the first differing element, or -1. */
export function firstBitDifference(a: ArrayBufferView & { length: number }, b: ArrayBufferView & { length: number }) {
  if (a.constructor !== b.constructor) return 0;
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = words(a);
  const y = words(b);
  const size = a.byteLength / a.length || 1;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) return Math.floor(i / size);
  }
  return -1;
}

/** Asserts `actual` equals `expected` bit for bit, with a readable message on the first difference. */
export function expectBits(
  actual: ArrayBufferView & { length: number },
  expected: ArrayBufferView & { length: number },
  what: string,
): void {
  const at = firstBitDifference(actual, expected);
  const describe = (a: ArrayBufferView & { length: number }) =>
    `${a.constructor.name}(${a.length})${at >= 0 && at < a.length ? ` [${at}] = ${(a as unknown as ArrayLike<unknown>)[at]}` : ''}`;
  expect(at, `${what}: first difference at ${at}: got ${describe(actual)}, expected ${describe(expected)}`).toBe(-1);
}
