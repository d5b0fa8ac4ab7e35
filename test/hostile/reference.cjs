'use strict';
// Shared by the child scripts of test/hostile.test.ts and test/workers.test.ts (and scripts/*): a plain
// JS reference of the pooling rule and bit-level helpers. No dependency on lib/ or dist/.
//
// Rule (test/fixtures/SEMANTICS.md): taps in row-major order, `v > max || isNaN(v)` wins, starting from
// -Infinity and the index of the window's first tap at or after 0 (stepped by the dilation).

/** First tap at or after 0: the window start stepped by the dilation. */
const firstTap = (start, d) => (start >= 0 ? start : start + Math.ceil(-start / d) * d);

/** PyTorch's floor-mode output size. */
const outSize = (n, k, s, p, d) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

/**
 * g: { planes, H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW } (any geometry, even one PyTorch would not
 * produce: windows are clipped to the input). Returns the expected output (same dtype as input) and the
 * indices as a Float64Array, plus `picked` (1 where some tap was in bounds).
 */
function referencePool(input, g) {
  const outPlane = g.OH * g.OW;
  const output = new input.constructor(g.planes * outPlane);
  const indices = new Float64Array(g.planes * outPlane);
  const picked = new Uint8Array(g.planes * outPlane);
  for (let p = 0; p < g.planes; p++) {
    const base = p * g.H * g.W;
    for (let oh = 0; oh < g.OH; oh++) {
      const hs = oh * g.sH - g.pH;
      const h0 = firstTap(hs, g.dH);
      const h1 = Math.min(hs + (g.kH - 1) * g.dH + 1, g.H);
      for (let ow = 0; ow < g.OW; ow++) {
        const ws = ow * g.sW - g.pW;
        const w0 = firstTap(ws, g.dW);
        const w1 = Math.min(ws + (g.kW - 1) * g.dW + 1, g.W);
        let max = Number.NEGATIVE_INFINITY;
        let index = h0 * g.W + w0;
        let pick = -1;
        // (An empty column range skips the rows too: plans may have huge H with W = 0.)
        for (let h = h0; w0 < w1 && h < h1; h += g.dH) {
          for (let w = w0; w < w1; w += g.dW) {
            const v = input[base + h * g.W + w];
            if (v > max || v !== v) {
              max = v;
              index = h * g.W + w;
              pick = base + index;
            }
          }
        }
        const o = p * outPlane + oh * g.OW + ow;
        indices[o] = index;
        if (pick >= 0) {
          picked[o] = 1;
          // Copy through the bit view so NaN payloads survive.
          bitsOf(output)[o] = bitsOf(input)[pick];
        } else {
          output[o] = Number.NEGATIVE_INFINITY;
        }
      }
    }
  }
  return { output, indices, picked };
}

/** Zero-filled output with input[p][i] scattered to output[p][indices[p][i]] (indices assumed valid). */
function referenceUnpool(input, indices, planes, inPlane, outPlane) {
  const output = new input.constructor(planes * outPlane);
  const inBits = bitsOf(input);
  const outBits = bitsOf(output);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < inPlane; i++) {
      outBits[p * outPlane + Number(indices[p * inPlane + i])] = inBits[p * inPlane + i];
    }
  }
  return output;
}

/** Integer view of a float array (same memory), so NaN payloads and -0 compare exactly. */
function bitsOf(a) {
  return a instanceof Float32Array
    ? new Uint32Array(a.buffer, a.byteOffset, a.length)
    : new BigUint64Array(a.buffer, a.byteOffset, a.length);
}

/** First position where two arrays differ bit for bit (floats through their integer views), or -1. */
function firstBitDifference(actual, expected) {
  if (actual.length !== expected.length) return 0;
  const a = actual instanceof Float32Array || actual instanceof Float64Array ? bitsOf(actual) : actual;
  const e = expected instanceof Float32Array || expected instanceof Float64Array ? bitsOf(expected) : expected;
  for (let i = 0; i < a.length; i++) if (a[i] !== e[i]) return i;
  return -1;
}

/** First position where the indices differ from `expected` (numbers), optionally only where `mask` is 1. */
function firstIndexDifference(actual, expected, mask) {
  if (actual.length !== expected.length) return 0;
  for (let i = 0; i < actual.length; i++) {
    if (mask && !mask[i]) continue;
    const want = actual instanceof BigInt64Array ? BigInt(expected[i]) : expected[i] | 0;
    if (actual[i] !== want) return i;
  }
  return -1;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adversarial data: small integers (ties), -0, +-Infinity, NaNs with distinct payloads. */
function fillAdversarial(array, seed) {
  const next = rng(seed);
  const bits = bitsOf(array);
  for (let i = 0; i < array.length; i++) {
    const r = next();
    if (r < 0.04) {
      // A NaN with a payload that identifies the position.
      if (array instanceof Float32Array) bits[i] = (0x7fc00000 | (i & 0x3fffff)) >>> 0;
      else bits[i] = 0x7ff8000000000000n | BigInt(i & 0xffffff);
    } else if (r < 0.06) array[i] = -0;
    else if (r < 0.07) array[i] = Number.NEGATIVE_INFINITY;
    else if (r < 0.08) array[i] = Number.POSITIVE_INFINITY;
    else array[i] = Math.floor(next() * 8) - 4;
  }
  return array;
}

module.exports = {
  firstTap,
  outSize,
  referencePool,
  referenceUnpool,
  bitsOf,
  firstBitDifference,
  firstIndexDifference,
  rng,
  fillAdversarial,
};
