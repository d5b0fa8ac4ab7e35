/**
 * Issue 8, other dtypes: adaptiveMaxPool2d for every dtype, maxPool2dBackward for float16 / bfloat16 and
 * maxUnpool2dBackward for every dtype, each checked bit for bit against brute-force references written here
 * (independent of lib/: their own half decoders and a rounding encoder by table search) on random geometries and
 * adversarial data (NaN payloads, ±0 ties, ±Infinity, integer extremes), on the JS backend and on the native
 * backend at every ISA this CPU has. The geometries reach past 16 columns and 16-element planes so the native
 * kernel's vector blocks, half vectors, scalar tails and its 1x1 (global) path all run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeBinding } from '../binding';
import { nativeBinding } from '../lib/backend';
import { adaptiveMaxPool2d, maxPool2d, maxPool2dBackward, maxUnpool2dBackward } from '../lib/index';
import { allocValues, type DType, type ValueArray } from '../lib/tensor';
import { adaptiveReference, bf16Value, copyElement, f16Value } from './helpers/adaptive-reference';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { ALL_DTYPES, fillDType } from './helpers/dtypes';

const binding: NativeBinding | null = nativeBinding();
const runs = Number(process.env.PARITY_RUNS ?? 120);
const seed = Number(process.env.PARITY_SEED ?? 20261126);
const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A tensor of `data`; halves carry their dtype (a Uint16Array alone reads as uint16). */
function tensorOf(data: ValueArray, shape: number[], dtype: DType) {
  return dtype === 'float16' || dtype === 'bfloat16' ? { data, shape, dtype } : { data, shape };
}

// ---- a float32 -> half encoder by search (round to nearest, ties to the even encoding), for the references

let f16Finite: { value: number; bits: number }[] | null = null;

function f16Round(x: number): number {
  if (!f16Finite) {
    f16Finite = [];
    for (let h = 0; h < 0x7c00; h++) f16Finite.push({ value: f16Value(h), bits: h });
  }
  const a = Math.abs(x);
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const table = f16Finite;
  // Beyond the largest finite value by half an ulp (2^15 * 2^-11 * 2^-1... = 16): infinity.
  if (a >= 65504 + 16) return sign | 0x7c00;
  let lo = 0;
  let hi = table.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (table[mid].value <= a) lo = mid;
    else hi = mid;
  }
  const below = table[lo];
  const above = table[hi];
  if (a === below.value) return sign | below.bits;
  if (a >= 65504) return sign | (a === 65504 ? 0x7bff : a - 65504 < 16 ? 0x7bff : 0x7c00);
  const dBelow = a - below.value;
  const dAbove = above.value - a;
  const pick = dBelow < dAbove ? below : dAbove < dBelow ? above : below.bits % 2 === 0 ? below : above;
  return sign | pick.bits;
}

function bf16Round(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const low = u & 0xffff;
  const up = low > 0x8000 || (low === 0x8000 && (u >>> 16) & 1);
  return ((u >>> 16) + (up ? 1 : 0)) & 0xffff;
}

/** Brute-force half backward: zero, then per add a float32 sum rounded to the half type (NaN: the conversion's). */
function halfBackwardReference(
  grad: Uint16Array,
  idx: BigInt64Array,
  dtype: 'float16' | 'bfloat16',
  planes: number,
  inPlane: number,
): Uint16Array {
  const out = new Uint16Array(planes * inPlane);
  const outPlane = grad.length / planes;
  const dec = dtype === 'float16' ? f16Value : bf16Value;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < outPlane; i++) {
      const o = p * outPlane + i;
      const at = p * inPlane + Number(idx[o]);
      const a = dec(out[at]);
      const g = dec(grad[o]);
      const sum = Math.fround(a + g);
      if (!Number.isNaN(sum)) out[at] = dtype === 'float16' ? f16Round(sum) : bf16Round(sum);
      else if (dtype === 'bfloat16') out[at] = 0x7fc0;
      else {
        // x86-64 addss: a NaN accumulator propagates, else a NaN gradient, else inf + -inf gives -NaN.
        const sign = Number.isNaN(a) ? out[at] & 0x8000 : Number.isNaN(g) ? grad[o] & 0x8000 : 0x8000;
        out[at] = sign | 0x7e00;
      }
    }
  }
  return out;
}

it('the reference half encoders round to nearest even (self-check against known values)', () => {
  expect(f16Round(1 + 2 ** -11)).toBe(0x3c00); // halfway, even below
  expect(f16Round(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway, even above
  expect(f16Round(65519.99)).toBe(0x7bff);
  expect(f16Round(65520)).toBe(0x7c00);
  expect(f16Round(2 ** -25)).toBe(0x0000); // halfway to the smallest subnormal: even (zero)
  expect(f16Round(-3 * 2 ** -25)).toBe(0x8002);
  expect(bf16Round(1 + 2 ** -8)).toBe(0x3f80);
  expect(bf16Round(1 + 3 * 2 ** -8)).toBe(0x3f82);
});

const adaptiveArb = fc.record({
  dtype: fc.constantFrom(...ALL_DTYPES),
  planes: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 40 }),
  w: fc.integer({ min: 1, max: 45 }),
  oh: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant(1), fc.constant(-2)),
  ow: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant(1), fc.constant(-2)),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

for (const backend of backendCases()) {
  describe(`other dtypes on ${backend.label}`, () => {
    let restore: () => void;
    beforeAll(() => {
      restore = backend.use();
    });
    afterAll(() => restore());

    it('adaptiveMaxPool2d matches the brute-force reference for every dtype (random, adversarial)', () => {
      fc.assert(
        fc.property(adaptiveArb, (r) => {
          // -2: an output size dividing the input (tiling bins), when one exists above 1.
          const divisor = (n: number) => [2, 3, 4, 7, 5].find((d) => n % d === 0 && d <= n) ?? 1;
          const OH = r.oh === -2 ? r.h / divisor(r.h) : r.oh;
          const OW = r.ow === -2 ? r.w / divisor(r.w) : r.ow;
          const shape = [1, r.planes, r.h, r.w];
          const data = fillDType(product(shape), r.dtype, r.seed);
          const want = adaptiveReference(data, r.dtype, r.planes, r.h, r.w, OH, OW);
          const input = tensorOf(data, shape, r.dtype);
          const [out, idx] = adaptiveMaxPool2d(input as never, { outputSize: [OH, OW], returnIndices: true });
          expect(out.dtype).toBe(r.dtype);
          expectBits(out.data, want.out, `${r.dtype} values`);
          expectBits(idx.data, want.idx, `${r.dtype} int64 indices`);
          const values = adaptiveMaxPool2d(input as never, { outputSize: [OH, OW] });
          expectBits(values.data, want.out, `${r.dtype} values only`);
          const [, idx32] = adaptiveMaxPool2d(input as never, {
            outputSize: [OH, OW],
            returnIndices: true,
            indexDtype: 'int32',
          });
          expectBits(idx32.data, Int32Array.from(want.idx, Number), `${r.dtype} int32 indices`);
        }),
        { numRuns: runs, seed },
      );
    });

    it('adaptiveMaxPool2d: global max of all-NaN, all -inf, ±0 and integer-extreme planes', () => {
      const planes: [DType, number[]][] = [
        ['float32', [Number.NaN, 1, Number.NaN]],
        ['float32', [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]],
        ['float32', [-0, 0, -0]],
        ['float64', [0, -0]],
        ['int8', [-128, -128, -128]],
        ['uint8', [0, 255, 255]],
        ['int16', [-32768, 32767, 32767]],
        ['int32', [-(2 ** 31), -(2 ** 31)]],
        ['float16', [0x7e01, 0x3c00, 0xfe02]],
        ['bfloat16', [0x8000, 0x0000]],
        ['float16', [0xfc00, 0xfc00]],
      ];
      for (const [dtype, pattern] of planes) {
        for (const size of [3, 17, 40, 64 + 3]) {
          const data = allocValues(dtype, size * size);
          for (let i = 0; i < data.length; i++) data[i] = pattern[(i * 7) % pattern.length];
          const want = adaptiveReference(data, dtype, 1, size, size, 1, 1);
          const [out, idx] = adaptiveMaxPool2d(tensorOf(data, [1, size, size], dtype) as never, {
            outputSize: 1,
            returnIndices: true,
          });
          expectBits(out.data, want.out, `${dtype} ${size}x${size}`);
          expectBits(idx.data, want.idx, `${dtype} ${size}x${size} index`);
        }
      }
    });

    it('adaptiveMaxPool2d: rows wider than the native stack scratch, tall narrow planes', () => {
      for (const dtype of ['float32', 'float64', 'bfloat16', 'int8'] as DType[]) {
        for (const [h, w, oh, ow] of [
          [3, 1500, 2, 7],
          [2, 1100, 1, 1],
          [300, 2, 7, 1],
          [5, 2049, 3, 2049],
        ]) {
          const data = fillDType(h * w, dtype, h * 31 + w);
          const want = adaptiveReference(data, dtype, 1, h, w, oh, ow);
          const [out, idx] = adaptiveMaxPool2d(tensorOf(data, [1, h, w], dtype) as never, {
            outputSize: [oh, ow],
            returnIndices: true,
          });
          expectBits(out.data, want.out, `${dtype} ${h}x${w} -> ${oh}x${ow}`);
          expectBits(idx.data, want.idx, `${dtype} ${h}x${w} -> ${oh}x${ow} indices`);
        }
      }
    });

    it('maxPool2dBackward for float16 / bfloat16 matches the per-add rounding reference', () => {
      fc.assert(
        fc.property(
          fc.record({
            dtype: fc.constantFrom<'float16' | 'bfloat16'>('float16', 'bfloat16'),
            planes: fc.integer({ min: 1, max: 3 }),
            h: fc.integer({ min: 1, max: 24 }),
            w: fc.integer({ min: 1, max: 24 }),
            k: fc.integer({ min: 1, max: 4 }),
            s: fc.integer({ min: 1, max: 3 }),
            scale: fc.constantFrom(1, 1000.25, 2 ** -20, 60000),
            seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          }),
          (r) => {
            const k = Math.min(r.k, r.h, r.w);
            const shape = [1, r.planes, r.h, r.w];
            const x = fillDType(product(shape), r.dtype, r.seed) as Uint16Array;
            const [y, idx] = maxPool2d(
              { data: x, shape, dtype: r.dtype },
              { kernelSize: k, stride: r.s, returnIndices: true },
            );
            // Gradients: the adversarial values scaled (so sums round, overflow and go subnormal).
            const base = fillDType(y.data.length, 'float32', r.seed + 1) as Float32Array;
            const grad = new Uint16Array(base.length);
            for (let i = 0; i < base.length; i++) {
              const v = base[i] * r.scale * (1 + (i % 7) / 64);
              grad[i] =
                r.dtype === 'float16'
                  ? Number.isNaN(v)
                    ? 0x7e00 | (i % 3)
                    : f16Round(v)
                  : Number.isNaN(v)
                    ? 0xffc1
                    : bf16Round(v);
            }
            const want = halfBackwardReference(grad, idx.data as BigInt64Array, r.dtype, r.planes, r.h * r.w);
            const opts = { kernelSize: k, stride: r.s, inputShape: shape };
            const got = maxPool2dBackward({ data: grad, shape: y.shape, dtype: r.dtype }, idx, opts);
            expect(got.dtype).toBe(r.dtype);
            expectBits(got.data, want, `${r.dtype} backward`);
            const idx32 = { data: Int32Array.from(idx.data as BigInt64Array, Number), shape: idx.shape };
            const got32 = maxPool2dBackward({ data: grad, shape: y.shape, dtype: r.dtype }, idx32, {
              ...opts,
              threads: 1,
            });
            expectBits(got32.data, want, `${r.dtype} backward, int32 indices`);
          },
        ),
        { numRuns: runs, seed },
      );
    });

    it('adaptiveMaxPool2d gives the same bits on 1 and several threads (planes and rows split)', () => {
      for (const dtype of ['int8', 'uint16', 'bfloat16', 'float16', 'int32'] as DType[]) {
        const shape = [2, 5, 61, 47];
        const data = fillDType(product(shape), dtype, 7);
        for (const [oh, ow] of [
          [5, 7],
          [1, 1],
          [61, 47],
          [30, 9],
        ]) {
          const want = adaptiveReference(data, dtype, 10, 61, 47, oh, ow);
          for (const threads of [1, 4]) {
            const [out, idx] = adaptiveMaxPool2d(tensorOf(data, shape, dtype) as never, {
              outputSize: [oh, ow],
              returnIndices: true,
              threads,
            });
            expectBits(out.data, want.out, `${dtype} -> ${oh}x${ow}, ${threads} threads`);
            expectBits(idx.data, want.idx, `${dtype} -> ${oh}x${ow}, ${threads} threads, indices`);
          }
        }
      }
    });

    it('maxPool2dBackward on large planes (the native one-pass zero-fill): any index order, collisions', () => {
      // Planes of 128 KiB and more take the native watermark path; the indices jump backwards and forwards.
      for (const [dtype, side] of [
        ['float32', 200],
        ['float64', 130],
        ['float16', 260],
      ] as const) {
        const inputShape = [1, 2, side, side];
        const OH = side / 2;
        const n = 2 * OH * OH;
        const idx = new BigInt64Array(n);
        let s = 12345;
        for (let i = 0; i < n; i++) {
          s = (s * 1103515245 + 12345) % 2 ** 31;
          idx[i] = BigInt(i % 5 === 0 ? side * side - 1 - (s % 50) : s % (side * side));
        }
        const base = fillDType(n, 'float32', side) as Float32Array;
        const finite = base.map((v) => (Number.isFinite(v) ? v * 1.37 : -0));
        let got: ValueArray;
        let want: ValueArray;
        const opts = { inputShape, kernelSize: 2 };
        const idxT = { data: idx, shape: [1, 2, OH, OH] };
        if (dtype === 'float16') {
          const grad = Uint16Array.from(finite, (v) => f16Round(v));
          want = halfBackwardReference(grad, idx, 'float16', 2, side * side);
          const out = new Uint16Array(2 * side * side).fill(0x7e05); // garbage: the zero-fill must cover it
          got = maxPool2dBackward({ data: grad, shape: [1, 2, OH, OH], dtype }, idxT, { ...opts, out }).data;
        } else {
          const grad = dtype === 'float32' ? Float32Array.from(finite) : Float64Array.from(finite, (v) => v / 3);
          const out = dtype === 'float32' ? new Float32Array(2 * side * side) : new Float64Array(2 * side * side);
          for (let i = 0; i < n; i++) {
            const at = Math.floor(i / (OH * OH)) * side * side + Number(idx[i]);
            out[at] = dtype === 'float32' ? Math.fround(out[at] + grad[i]) : out[at] + grad[i];
          }
          want = out;
          const garbage = dtype === 'float32' ? new Float32Array(out.length) : new Float64Array(out.length);
          garbage.fill(Number.NaN);
          got = maxPool2dBackward({ data: grad, shape: [1, 2, OH, OH] }, idxT, {
            ...opts,
            threads: 1,
            out: garbage,
          }).data;
        }
        expectBits(got, want, `${dtype} ${side}x${side}`);
      }
    });

    it('maxPool2dBackward half: collisions add in index order with rounding at every add', () => {
      // Three outputs on one input element: 2048 + 1 + 1 in float16 stays 2048 per add (ulp 2); one sum would give 2050.
      const grad = new Uint16Array([f16Round(2048), f16Round(1), f16Round(1)]);
      const idx = { data: new BigInt64Array([0n, 0n, 0n]), shape: [1, 1, 3] };
      const out = maxPool2dBackward({ data: grad, shape: [1, 1, 3], dtype: 'float16' }, idx, {
        inputShape: [1, 1, 3],
        kernelSize: [1, 1],
      });
      expect(Array.from(out.data)).toEqual([f16Round(2048), 0, 0]);
      // inf + -inf: float16 -NaN (0xfe00); bfloat16 0x7fc0.
      const inf = maxPool2dBackward(
        { data: new Uint16Array([0x7c00, 0xfc00, 0]), shape: [1, 1, 3], dtype: 'float16' },
        idx,
        {
          inputShape: [1, 1, 3],
          kernelSize: [1, 1],
        },
      );
      expect(inf.data[0]).toBe(0xfe00);
      const binf = maxPool2dBackward(
        { data: new Uint16Array([0x7f80, 0xff80, 0]), shape: [1, 1, 3], dtype: 'bfloat16' },
        idx,
        {
          inputShape: [1, 1, 3],
          kernelSize: [1, 1],
        },
      );
      expect(binf.data[0]).toBe(0x7fc0);
    });

    it('maxUnpool2dBackward gathers every dtype bit for bit', () => {
      for (const dtype of ALL_DTYPES) {
        const shape = [2, 3, 9, 11];
        const data = fillDType(product(shape), dtype, 99);
        const idx = new BigInt64Array(2 * 3 * 4 * 5);
        for (let i = 0; i < idx.length; i++) idx[i] = BigInt((i * 37) % (9 * 11));
        const got = maxUnpool2dBackward(
          tensorOf(data, shape, dtype) as never,
          { data: idx, shape: [2, 3, 4, 5] },
          {
            kernelSize: 2,
            outputSize: [9, 11],
          },
        );
        const want = allocValues(dtype, idx.length);
        for (let i = 0; i < idx.length; i++) copyElement(data, Math.floor(i / 20) * 99 + Number(idx[i]), want, i);
        expectBits(got.data, want, `${dtype} gather`);
        expect(got.dtype).toBe(dtype);
      }
    });
  });
}

describe('other dtypes: refusals', () => {
  it('maxPool2dBackward refuses integer gradients (there is no integer gradient)', () => {
    const idx = { data: new BigInt64Array(4), shape: [1, 1, 2, 2] };
    const opts = { inputShape: [1, 1, 4, 4], kernelSize: 2 };
    for (const data of [new Int8Array(4), new Uint16Array(4), new Int32Array(4)]) {
      expect(() => maxPool2dBackward({ data, shape: [1, 1, 2, 2] } as never, idx, opts)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
      );
    }
  });

  it.skipIf(!binding)('the raw binding reads Uint16Array gradients only as float16 / bfloat16', () => {
    const b = binding!;
    const plan = new Float64Array([1, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1]);
    const idx = new BigInt64Array([0n, 2n, 8n, 10n]);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return undefined;
    };
    expect(code(() => b.maxPool2dBackward(new Uint16Array(4), idx, new Uint16Array(16), plan, 0))).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
    expect(code(() => b.maxPool2dBackward(new Int8Array(4) as never, idx, new Int8Array(16) as never, plan, 0))).toBe(
      'ERR_INVALID_ARG_TYPE',
    );
    const gi = new Uint16Array(16);
    b.maxPool2dBackward(new Uint16Array([0x3c00, 0x4000, 0x4200, 0x4400]), idx, gi, plan, 0, 'float16');
    expect(Array.from(gi.filter((v) => v !== 0))).toEqual([0x3c00, 0x4000, 0x4200, 0x4400]);
    expect(
      code(() =>
        b.adaptiveMaxPool2d(new Int8Array(16), new Int8Array(4), null, new Float64Array([1, 4, 4, 2, 2]), 0, 'uint8'),
      ),
    ).toBe('ERR_INVALID_ARG_TYPE');
  });
});
