// The raw native binding (binding.d.ts), tested on its own: results bit for bit against a small JS
// reference on every ISA and thread count, and every hostile argument rejected with a coded error.
// lib/ is not involved; the whole file is skipped when no native build loads.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeBinding, NativeIndices, NativeValues } from '../binding.js';

const root = path.join(__dirname, '..');

function loadBinding(): NativeBinding | null {
  try {
    return require('node-gyp-build')(root) as NativeBinding;
  } catch {
    return null;
  }
}

const binding = loadBinding();

// ---------------------------------------------------------------------------------------------------
// Geometry, plans and the reference implementation.

interface Geometry {
  planes: number;
  H: number;
  W: number;
  OH: number;
  OW: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  pH: number;
  pW: number;
  dH: number;
  dW: number;
}

type Pair = [number, number];
interface Case {
  name: string;
  planes: number;
  H: number;
  W: number;
  k: Pair;
  s: Pair;
  p: Pair;
  d: Pair;
  out?: Pair; // OH, OW when not PyTorch's floor-mode size
}

// The plain JS reference the hostile suite's child processes use (PyTorch's rule, NaN bits kept): one reference.
interface Reference {
  output: NativeValues; // expected values, bit for bit (-Infinity where no tap is in bounds)
  indices: Float64Array; // per output: plane-local index h * W + w
}
const shared = createRequire(__filename)('./hostile/reference.cjs') as {
  outSize(n: number, k: number, s: number, p: number, d: number): number;
  referencePool(input: NativeValues, g: Geometry): Reference;
};
const { outSize, referencePool } = shared;

function geometryOf(c: Case): Geometry {
  const [kH, kW] = c.k;
  const [sH, sW] = c.s;
  const [pH, pW] = c.p;
  const [dH, dW] = c.d;
  const OH = c.out ? c.out[0] : outSize(c.H, kH, sH, pH, dH);
  const OW = c.out ? c.out[1] : outSize(c.W, kW, sW, pW, dW);
  return { planes: c.planes, H: c.H, W: c.W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW };
}

const poolPlan = (g: Geometry) =>
  new Float64Array([g.planes, g.H, g.W, g.OH, g.OW, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW]);

const unpoolPlan = (planes: number, IH: number, IW: number, OH: number, OW: number) =>
  new Float64Array([planes, IH, IW, OH, OW]);

// ---------------------------------------------------------------------------------------------------
// Bit-level helpers: NaN payloads and the sign of zero must survive, so compare integer views.

type Bits = Uint32Array | BigUint64Array;
type ArrayCtor<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };
type ValueCtor = ArrayCtor<NativeValues> & { new (length: number): NativeValues };

function bitsOf(a: NativeValues): Bits {
  return a instanceof Float32Array
    ? new Uint32Array(a.buffer, a.byteOffset, a.length)
    : new BigUint64Array(a.buffer, a.byteOffset, a.length);
}

// A typed array at element offset 1 of a larger buffer, so byteOffset != 0 and SIMD loads are unaligned.
function offsetArray<T extends NativeValues | NativeIndices>(ctor: ArrayCtor<T>, length: number): T {
  const buffer = new ArrayBuffer((length + 2) * ctor.BYTES_PER_ELEMENT);
  return new ctor(buffer, ctor.BYTES_PER_ELEMENT, length);
}

function expectSameBits(actual: Bits, expected: Bits, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      expect.fail(`${label}: element ${i} has bits ${actual[i].toString(16)}, expected ${expected[i].toString(16)}`);
    }
  }
}

function expectedPoolBits(ref: Reference): Bits {
  return bitsOf(ref.output);
}

function expectIndices(actual: NativeIndices, expected: Float64Array, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const want = actual instanceof BigInt64Array ? BigInt(expected[i]) : expected[i] | 0;
    if (actual[i] !== want) expect.fail(`${label}: indices[${i}] = ${actual[i]}, expected ${want}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Inputs that stress the comparison: ties, ±0, ±Infinity, and NaNs with distinct payloads (so the
// test sees which NaN won), plus an all -Infinity plane.

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAN_BITS_F32 = [0x7fc00000, 0x7fc00001, 0xffc12345];
const NAN_BITS_F64 = [0x7ff8000000000000n, 0x7ff8000000000001n, 0xfff80000000abcden];
const SPECIALS = [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, -1.5, 1e30, -1e-30];

function makeInput(ctor: ValueCtor, g: Geometry, seed: number): NativeValues {
  const length = g.planes * g.H * g.W;
  const input = offsetArray(ctor, length);
  const bits = bitsOf(input);
  const random = prng(seed);
  for (let i = 0; i < length; i++) {
    const r = random();
    if (r < 0.04) {
      const k = Math.floor(random() * 3);
      if (bits instanceof Uint32Array) bits[i] = NAN_BITS_F32[k];
      else bits[i] = NAN_BITS_F64[k];
    } else if (r < 0.2) {
      input[i] = SPECIALS[Math.floor(random() * SPECIALS.length)];
    } else {
      input[i] = Math.floor(random() * 7) - 3; // small integers: many ties
    }
  }
  if (g.planes > 1) input.fill(Number.NEGATIVE_INFINITY, g.H * g.W, 2 * g.H * g.W);
  return input;
}

// ---------------------------------------------------------------------------------------------------

const CASES: Case[] = [
  { name: '2x2 stride 2', planes: 1, H: 4, W: 4, k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1] },
  { name: '3x3 s2 p1, odd sizes', planes: 3, H: 7, W: 9, k: [3, 3], s: [2, 2], p: [1, 1], d: [1, 1] },
  { name: 'dilated 3x2, mixed strides', planes: 2, H: 10, W: 11, k: [3, 2], s: [1, 2], p: [1, 1], d: [2, 1] },
  { name: '1x3 rows wider than a vector', planes: 5, H: 1, W: 37, k: [1, 3], s: [1, 1], p: [0, 1], d: [1, 1] },
  { name: 'windows with no in-bounds tap', planes: 2, H: 2, W: 2, k: [2, 2], s: [1, 1], p: [1, 1], d: [3, 3] },
  {
    name: 'ceil-mode extra row and column',
    planes: 2,
    H: 5,
    W: 5,
    k: [2, 2],
    s: [2, 2],
    p: [0, 0],
    d: [1, 1],
    out: [3, 3],
  },
  { name: 'OH/OW past the formula', planes: 1, H: 4, W: 4, k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], out: [6, 7] },
  { name: '64 planes (split over planes)', planes: 64, H: 20, W: 20, k: [5, 5], s: [1, 1], p: [2, 2], d: [1, 1] },
  { name: 'one large plane (split over rows)', planes: 1, H: 160, W: 150, k: [3, 3], s: [1, 1], p: [1, 1], d: [1, 1] },
  { name: 'zero planes', planes: 0, H: 4, W: 4, k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1] },
];

const DTYPES: [string, ValueCtor][] = [
  ['float32', Float32Array],
  ['float64', Float64Array],
];
const INDEX_KINDS = ['int64', 'int32', 'none'] as const;
const THREADS = [1, 2];

function makeIndices(kind: (typeof INDEX_KINDS)[number], length: number): NativeIndices | null {
  if (kind === 'none') return null;
  return kind === 'int64' ? offsetArray(BigInt64Array, length) : offsetArray(Int32Array, length);
}

function codeOf(fn: () => unknown): { name: string; code: unknown; message: string } {
  try {
    fn();
  } catch (e) {
    const err = e as Error & { code?: unknown };
    return { name: err.constructor.name, code: err.code, message: err.message };
  }
  throw new Error('expected a throw');
}

describe.skipIf(!binding)('native binding', () => {
  const b = binding as NativeBinding;
  const initialIsa = b.isa();
  const initialThreads = b.getNumThreads();

  beforeAll(() => b.setNumThreads(2)); // so that threads = 2 really runs on 2 threads
  afterAll(() => {
    b.setIsa(initialIsa);
    b.setNumThreads(initialThreads);
  });

  describe.each(binding?.supportedIsas() ?? ['scalar'])('isa %s', (isa) => {
    beforeAll(() => {
      expect(b.setIsa(isa)).toBe(isa);
    });
    afterAll(() => {
      b.setIsa(initialIsa);
    });

    it('reports the ISA it runs with', () => {
      expect(b.isa()).toBe(isa);
    });

    it.each(CASES)('maxPool2d matches the reference bit for bit: $name', (c) => {
      const g = geometryOf(c);
      const plan = poolPlan(g);
      for (const [dtype, ctor] of DTYPES) {
        const input = makeInput(ctor, g, 1234 + g.H * 31 + g.W);
        const ref = referencePool(input, g);
        const expected = expectedPoolBits(ref);
        for (const threads of THREADS) {
          for (const kind of INDEX_KINDS) {
            const label = `${isa} ${dtype} ${kind} threads=${threads}`;
            const output = offsetArray(ctor, g.planes * g.OH * g.OW).fill(12345); // every element must be written
            const indices = makeIndices(kind, g.planes * g.OH * g.OW);
            b.maxPool2d(input, output, indices, plan, threads);
            expectSameBits(bitsOf(output), expected, label);
            if (indices) expectIndices(indices, ref.indices, label);
          }
        }
      }
    });

    it('maxPool2d matches the reference on random plans, including OH/OW the formula would not give', () => {
      const small = (min: number, max: number) => fc.integer({ min, max });
      const geometryArb = fc.record({
        planes: small(0, 3),
        H: small(0, 9),
        W: small(0, 9),
        OH: small(0, 8),
        OW: small(0, 8),
        kH: small(1, 4),
        kW: small(1, 4),
        sH: small(1, 3),
        sW: small(1, 3),
        pH: small(0, 3),
        pW: small(0, 3),
        dH: small(1, 3),
        dW: small(1, 3),
      });
      fc.assert(
        fc.property(geometryArb, fc.boolean(), fc.integer(), (g, f64, seed) => {
          const ctor = f64 ? Float64Array : Float32Array;
          const input = makeInput(ctor, g, seed);
          const output = new ctor(g.planes * g.OH * g.OW);
          const indices = new BigInt64Array(output.length);
          b.maxPool2d(input, output, indices, poolPlan(g), 1);
          const ref = referencePool(input, g);
          expectSameBits(bitsOf(output), expectedPoolBits(ref), `${isa} ${JSON.stringify(g)}`);
          expectIndices(indices, ref.indices, `${isa} ${JSON.stringify(g)}`);
        }),
        { numRuns: 300, seed: 42 },
      );
    });
  });

  describe('maxUnpool2d', () => {
    // Round trips through pooling, so indices are real argmaxes (with duplicates where windows overlap).
    const UNPOOL_CASES = CASES.filter((c) => c.name !== 'windows with no in-bounds tap' && !c.out);

    it.each(UNPOOL_CASES)('zero-fills and scatters bit for bit: $name', (c) => {
      const g = geometryOf(c);
      for (const [dtype, ctor] of DTYPES) {
        const pooledInput = makeInput(ctor, g, 99);
        const ref = referencePool(pooledInput, g);
        const values = new ctor(g.planes * g.OH * g.OW);
        b.maxPool2d(pooledInput, values, null, poolPlan(g), 1);
        const valueBits = bitsOf(values);
        const outPlane = g.H * g.W;
        const expected = bitsOf(new ctor(g.planes * outPlane));
        const inPlane = g.OH * g.OW;
        for (let i = 0; i < values.length; i++) {
          expected[Math.floor(i / inPlane) * outPlane + ref.indices[i]] = valueBits[i];
        }
        for (const kind of ['int64', 'int32'] as const) {
          const indices = makeIndices(kind, values.length) as NativeIndices;
          ref.indices.forEach((v, i) => {
            indices[i] = indices instanceof BigInt64Array ? BigInt(v) : v;
          });
          for (const threads of THREADS) {
            const output = offsetArray(ctor, g.planes * outPlane).fill(7);
            b.maxUnpool2d(values, indices, output, unpoolPlan(g.planes, g.OH, g.OW, g.H, g.W), threads);
            expectSameBits(bitsOf(output), expected, `${dtype} ${kind} threads=${threads}`);
          }
        }
      }
    });

    it('rejects a bad index naming the first one, and leaves the output untouched', () => {
      const input = new Float32Array([1, 2, 3, 4, 5, 6]);
      for (const indices of [new BigInt64Array([0n, 1n, 2n, 3n, 4n, 41n]), new Int32Array([0, 1, 2, 3, 4, 41])]) {
        const output = new Float32Array(35).fill(7);
        const err = codeOf(() => b.maxUnpool2d(input, indices, output, unpoolPlan(1, 2, 3, 7, 5), 1));
        expect(err).toEqual({
          name: 'RangeError',
          code: 'ERR_MAXPOOL2D_INVALID_INDEX',
          message: 'indices[5] = 41 is out of range for an output plane of 7x5 (35 elements)',
        });
        expect(Array.from(output)).toEqual(new Array(35).fill(7));
      }
    });

    it('checks every plane before writing any, on one or two threads', () => {
      const planes = 600; // enough work for two threads
      const inPlane = 64; // 8x8 pooled, unpooled to 16x16
      const input = new Float64Array(planes * inPlane).fill(1);
      const indices = new Int32Array(planes * inPlane).map((_, i) => (i % inPlane) * 4);
      indices[150 * inPlane + 9] = -1;
      indices[250 * inPlane + 3] = 256; // == OH * OW: one past the end
      indices[570 * inPlane] = 1e9;
      for (const threads of THREADS) {
        const output = new Float64Array(planes * 256).fill(-3);
        const err = codeOf(() => b.maxUnpool2d(input, indices, output, unpoolPlan(planes, 8, 8, 16, 16), threads));
        expect(err.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
        expect(err.message).toBe(
          `indices[${150 * inPlane + 9}] = -1 is out of range for an output plane of 16x16 (256 elements)`,
        );
        expect(output.every((v) => v === -3)).toBe(true);
      }
      indices[150 * inPlane + 9] = 255; // the last valid position
      const err = codeOf(() =>
        b.maxUnpool2d(input, indices, new Float64Array(planes * 256), unpoolPlan(planes, 8, 8, 16, 16), 2),
      );
      expect(err.message).toMatch(/^indices\[16003\] = 256 is out of range/);
    });

    it('rejects every index when the output plane is empty', () => {
      const err = codeOf(() =>
        b.maxUnpool2d(new Float32Array(2), new BigInt64Array(2), new Float32Array(0), unpoolPlan(1, 1, 2, 0, 5), 0),
      );
      expect(err.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
      expect(err.message).toBe('indices[0] = 0 is out of range for an output plane of 0x5 (0 elements)');
    });
  });

  describe('argument checks', () => {
    // A valid 1x4x4 -> 2x2 call, to break one piece at a time.
    const g = geometryOf({ name: '', planes: 1, H: 4, W: 4, k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1] });
    const plan = () => poolPlan(g);
    const pool =
      (...args: unknown[]) =>
      () =>
        (b.maxPool2d as (...a: unknown[]) => void)(...args);
    const unpool =
      (...args: unknown[]) =>
      () =>
        (b.maxUnpool2d as (...a: unknown[]) => void)(...args);
    const f32 = (n: number) => new Float32Array(n);

    function expectError(fn: () => unknown, name: string, code: string, message?: RegExp): void {
      const err = codeOf(fn);
      expect({ name: err.name, code: err.code }, err.message).toEqual({ name, code });
      if (message) expect(err.message).toMatch(message);
    }

    it('accepts the valid call the others break', () => {
      expect(pool(f32(16), f32(4), new BigInt64Array(4), plan(), 0)()).toBeUndefined();
    });

    it('throws TypeError on a wrong argument count', () => {
      expectError(pool(), 'TypeError', 'ERR_MAXPOOL2D_ARG_COUNT', /takes 5 to 8 arguments\. Received 0/);
      expectError(pool(f32(16), f32(4), null, plan()), 'TypeError', 'ERR_MAXPOOL2D_ARG_COUNT');
      expectError(
        pool(f32(16), f32(4), null, plan(), 0, undefined, 0, false, 0),
        'TypeError',
        'ERR_MAXPOOL2D_ARG_COUNT',
      );
      expectError(unpool(f32(4), new Int32Array(4), f32(16)), 'TypeError', 'ERR_MAXPOOL2D_ARG_COUNT');
      expectError(() => (b.setIsa as (...a: unknown[]) => string)(), 'TypeError', 'ERR_MAXPOOL2D_ARG_COUNT');
      expectError(() => (b.setNumThreads as (...a: unknown[]) => void)(), 'TypeError', 'ERR_MAXPOOL2D_ARG_COUNT');
    });

    it('throws TypeError on wrong argument types', () => {
      const T = 'TypeError';
      const E = 'ERR_INVALID_ARG_TYPE';
      expectError(pool([...f32(16)], f32(4), null, plan(), 0), T, E, /"input".*Received an instance of Array/);
      expectError(pool(new Uint32Array(16), f32(4), null, plan(), 0), T, E, /Received an instance of Uint32Array/);
      expectError(pool(new Uint8Array(16), f32(4), null, plan(), 0), T, E, /"output" argument must be a Uint8Array/);
      expectError(pool(new Int32Array(16), f32(4), null, plan(), 0), T, E);
      expectError(pool(f32(16).buffer, f32(4), null, plan(), 0), T, E, /ArrayBuffer/);
      expectError(
        pool(f32(16), new Float64Array(4), null, plan(), 0),
        T,
        E,
        /"output" argument must be a Float32Array/,
      );
      expectError(pool(new Float64Array(16), f32(4), null, plan(), 0), T, E, /must be a Float64Array/);
      expectError(pool(f32(16), f32(4), undefined, plan(), 0), T, E, /"indices"/);
      expectError(pool(f32(16), f32(4), new Float64Array(4), plan(), 0), T, E, /"indices"/);
      expectError(pool(f32(16), f32(4), new BigUint64Array(4), plan(), 0), T, E, /BigUint64Array/);
      expectError(pool(f32(16), f32(4), null, [...plan()], 0), T, E, /"plan"/);
      expectError(pool(f32(16), f32(4), null, new Float32Array(plan()), 0), T, E, /"plan"/);
      expectError(pool(f32(16), f32(4), null, plan(), '1'), T, E, /"threads"/);
      expectError(pool(f32(16), f32(4), null, plan(), null), T, E, /"threads"/);
      expectError(pool(f32(16), f32(4), null, plan(), 1n), T, E, /"threads"/);
      expectError(pool(f32(16), f32(4), null, plan(), 0, undefined, 0, 1), T, E, /"freshOutput".*boolean/);
      expectError(pool(f32(16), f32(4), null, plan(), 0, undefined, 0, 'yes'), T, E, /"freshOutput"/);
      expectError(unpool(f32(4), null, f32(16), unpoolPlan(1, 2, 2, 4, 4), 0), T, E, /"indices"/);
      expectError(unpool(f32(4), new Int32Array(4), new Float64Array(16), unpoolPlan(1, 2, 2, 4, 4), 0), T, E);
      expectError(() => (b.setIsa as (n: unknown) => string)(3), T, E);
      expectError(() => (b.setNumThreads as (n: unknown) => void)('2'), T, E);
    });

    it('throws RangeError when a buffer length differs from the plan', () => {
      const R = 'RangeError';
      const L = 'ERR_MAXPOOL2D_BUFFER_LENGTH';
      expectError(pool(f32(15), f32(4), null, plan(), 0), R, L, /"input" argument must have 16 elements/);
      expectError(pool(f32(17), f32(4), null, plan(), 0), R, L);
      expectError(pool(f32(16), f32(3), null, plan(), 0), R, L, /"output"/);
      expectError(pool(f32(16), f32(5), null, plan(), 0), R, L, /"output"/);
      expectError(pool(f32(16), f32(4), new BigInt64Array(3), plan(), 0), R, L, /"indices"/);
      expectError(pool(f32(16), f32(4), new Int32Array(5), plan(), 0), R, L, /"indices"/);
      expectError(pool(f32(16), f32(4), null, plan().subarray(1), 0), R, L, /"plan" argument must have 13/);
      expectError(pool(f32(16), f32(4), null, new Float64Array(14), 0), R, L, /"plan"/);
      const up = unpoolPlan(1, 2, 2, 4, 4);
      expectError(unpool(f32(3), new Int32Array(4), f32(16), up, 0), R, L, /"input"/);
      expectError(unpool(f32(4), new Int32Array(5), f32(16), up, 0), R, L, /"indices"/);
      expectError(unpool(f32(4), new Int32Array(4), f32(15), up, 0), R, L, /"output"/);
      expectError(unpool(f32(4), new Int32Array(4), f32(16), new Float64Array(4), 0), R, L, /"plan"/);
    });

    it('throws RangeError on plan fields that are not integers in range, and never crashes', () => {
      const bad = [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53 + 2, 1e300];
      for (let field = 0; field < 13; field++) {
        for (const value of bad) {
          const p = plan();
          p[field] = value;
          expectError(
            pool(f32(16), f32(4), null, p, 0),
            'RangeError',
            'ERR_OUT_OF_RANGE',
            new RegExp(`^plan\\[${field}\\]`),
          );
        }
      }
      for (const field of [5, 6, 7, 8, 11, 12]) {
        const p = plan();
        p[field] = 0; // kernel, stride and dilation must be >= 1
        expectError(pool(f32(16), f32(4), null, p, 0), 'RangeError', 'ERR_OUT_OF_RANGE');
      }
      for (let field = 0; field < 5; field++) {
        const p = unpoolPlan(1, 2, 2, 4, 4);
        p[field] = -0.5;
        expectError(unpool(f32(4), new Int32Array(4), f32(16), p, 0), 'RangeError', 'ERR_OUT_OF_RANGE');
      }
    });

    it('throws RangeError when plan sizes overflow 64-bit arithmetic', () => {
      const huge = 2 ** 53;
      const sized = (fields: Partial<Geometry>) => poolPlan({ ...g, ...fields });
      expectError(
        pool(f32(16), f32(4), null, sized({ planes: huge, H: huge }), 0),
        'RangeError',
        'ERR_OUT_OF_RANGE',
        /overflow/,
      );
      expectError(pool(f32(16), f32(4), null, sized({ H: 2 ** 32, W: 2 ** 32 }), 0), 'RangeError', 'ERR_OUT_OF_RANGE');
      expectError(pool(f32(16), f32(4), null, sized({ OH: huge, OW: huge }), 0), 'RangeError', 'ERR_OUT_OF_RANGE');
      // Lengths that would match (zero planes), but window arithmetic that would leave int64.
      expectError(
        pool(f32(0), f32(0), null, sized({ planes: 0, OH: huge, sH: huge }), 0),
        'RangeError',
        'ERR_OUT_OF_RANGE',
      );
      expectError(
        pool(f32(0), f32(0), null, sized({ planes: 0, kW: huge, dW: huge }), 0),
        'RangeError',
        'ERR_OUT_OF_RANGE',
      );
      expectError(
        pool(f32(0), f32(0), null, sized({ planes: 0, H: 0, W: huge, OH: huge }), 0),
        'RangeError',
        'ERR_OUT_OF_RANGE',
      );
      expectError(
        unpool(f32(4), new Int32Array(4), f32(16), unpoolPlan(huge, huge, 2, 4, 4), 0),
        'RangeError',
        'ERR_OUT_OF_RANGE',
      );
      // Zero planes with large but representable sizes is a valid no-op.
      expect(
        pool(f32(0), f32(0), null, sized({ planes: 0, H: 2 ** 20, W: 2 ** 20, OH: 2 ** 19, OW: 2 ** 19 }), 0)(),
      ).toBeUndefined();
    });

    it('refuses Int32Array indices for planes they cannot address', () => {
      const big = poolPlan({ ...g, planes: 0, H: 2 ** 16, W: 2 ** 15 }); // 2^31 elements: one too many
      expectError(pool(f32(0), f32(0), new Int32Array(0), big, 0), 'RangeError', 'ERR_OUT_OF_RANGE', /BigInt64Array/);
      expect(pool(f32(0), f32(0), new BigInt64Array(0), big, 0)()).toBeUndefined();
      const fits = poolPlan({ ...g, planes: 0, H: 2 ** 16, W: 2 ** 15 - 1 });
      expect(pool(f32(0), f32(0), new Int32Array(0), fits, 0)()).toBeUndefined();
      const over = unpoolPlan(0, 2, 2, 2 ** 16, 2 ** 15 + 1);
      expectError(unpool(f32(0), new Int32Array(0), f32(0), over, 0), 'RangeError', 'ERR_OUT_OF_RANGE');
      expect(unpool(f32(0), new Int32Array(0), f32(0), unpoolPlan(0, 2, 2, 2 ** 16, 2 ** 15), 0)()).toBeUndefined();
    });

    it('throws RangeError on a bad per-call thread count', () => {
      for (const threads of [-1, 1.5, 1025, Number.NaN, Number.POSITIVE_INFINITY]) {
        expectError(pool(f32(16), f32(4), null, plan(), threads), 'RangeError', 'ERR_OUT_OF_RANGE', /"threads"/);
      }
      expect(pool(f32(16), f32(4), null, plan(), 1024)()).toBeUndefined();
    });

    it('refuses overlapping buffers and accepts disjoint views of one ArrayBuffer', () => {
      const A = 'ERR_MAXPOOL2D_ALIASING';
      const buffer = new ArrayBuffer(64 * 4);
      const input = new Float32Array(buffer, 0, 16);
      expectError(
        pool(input, new Float32Array(buffer, 15 * 4, 4), null, plan(), 0),
        'RangeError',
        A,
        /"input" and "output"/,
      );
      expectError(pool(input, new Float32Array(buffer, 0, 4), null, plan(), 0), 'RangeError', A);
      const output = new Float32Array(buffer, 16 * 4, 4);
      expectError(
        pool(input, output, new Int32Array(buffer, 18 * 4, 4), plan(), 0),
        'RangeError',
        A,
        /"output" and "indices"/,
      );
      expectError(
        pool(input, output, new BigInt64Array(buffer, 0, 4), plan(), 0),
        'RangeError',
        A,
        /"input" and "indices"/,
      );
      expect(pool(input, output, new BigInt64Array(buffer, 24 * 4, 4), plan(), 0)()).toBeUndefined();

      const up = unpoolPlan(1, 2, 2, 4, 4);
      const ubuf = new ArrayBuffer(64 * 4);
      const values = new Float32Array(ubuf, 0, 4);
      const idx = new Int32Array(ubuf, 4 * 4, 4);
      expectError(
        unpool(values, idx, new Float32Array(ubuf, 2 * 4, 16), up, 0),
        'RangeError',
        A,
        /"input" and "output"/,
      );
      expectError(
        unpool(values, idx, new Float32Array(ubuf, 6 * 4, 16), up, 0),
        'RangeError',
        A,
        /"indices" and "output"/,
      );
      expect(unpool(values, idx, new Float32Array(ubuf, 8 * 4, 16), up, 0)()).toBeUndefined();
    });

    it('accepts SharedArrayBuffer-backed arrays', () => {
      const input = new Float32Array(new SharedArrayBuffer(16 * 4));
      for (let i = 0; i < 16; i++) input[i] = i;
      const output = new Float32Array(new SharedArrayBuffer(4 * 4));
      b.maxPool2d(input, output, null, plan(), 0);
      expect(Array.from(output)).toEqual([5, 7, 13, 15]);
    });

    it('treats a detached buffer as empty', () => {
      const input = f32(16);
      structuredClone(input.buffer, { transfer: [input.buffer] });
      expect(input.length).toBe(0);
      expectError(pool(input, f32(4), null, plan(), 0), 'RangeError', 'ERR_MAXPOOL2D_BUFFER_LENGTH');
      expect(pool(input, f32(0), null, poolPlan({ ...g, planes: 0 }), 0)()).toBeUndefined();
    });
  });

  describe('async twins', () => {
    const g = geometryOf({ name: '', planes: 16, H: 40, W: 40, k: [3, 3], s: [2, 2], p: [1, 1], d: [1, 1] });

    it('maxPool2dAsync gives the sync results bit for bit, many calls at once', async () => {
      const input = makeInput(Float64Array, g, 5);
      const ref = referencePool(input, g);
      const expected = expectedPoolBits(ref);
      const calls = Array.from({ length: 40 }, (_, i) => {
        const output = new Float64Array(g.planes * g.OH * g.OW);
        const indices = i % 2 ? new Int32Array(output.length) : new BigInt64Array(output.length);
        const done = b.maxPool2dAsync(input, output, indices, poolPlan(g), 1 + (i % 2));
        expect(done).toBeInstanceOf(Promise);
        return done.then(() => [output, indices] as const);
      });
      for (const [output, indices] of await Promise.all(calls)) {
        expectSameBits(bitsOf(output), expected, 'async');
        expectIndices(indices, ref.indices, 'async');
      }
    });

    it('allocates the outputs it is asked to (null output, "int64" / "int32" indices), bit for bit', async () => {
      const input = makeInput(Float32Array, g, 6);
      const ref = referencePool(input, g);
      const expected = expectedPoolBits(ref);
      for (const kind of ['int64', 'int32', null] as const) {
        const [output, indices] = await b.maxPool2dAsync(input, null, kind, poolPlan(g), 0);
        expect(output).toBeInstanceOf(Float32Array);
        expectSameBits(bitsOf(output), expected, `fresh ${kind}`);
        if (kind === null) expect(indices).toBeNull();
        else {
          expect(indices).toBeInstanceOf(kind === 'int64' ? BigInt64Array : Int32Array);
          expectIndices(indices as NativeIndices, ref.indices, `fresh ${kind}`);
        }
      }
      const unpooled = await b.maxUnpool2dAsync(
        new Float32Array([1, 2]),
        new Int32Array([3, 0]),
        null,
        unpoolPlan(1, 1, 2, 2, 2),
        0,
      );
      expect(Array.from(unpooled)).toEqual([2, 0, 0, 1]);
      expect(codeOf(() => b.maxPool2dAsync(input, null, 'int16' as never, poolPlan(g), 0))).toMatchObject({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_TYPE',
      });
      // Only the async form allocates: a sync call still needs its output.
      expect(codeOf(() => b.maxPool2d(input, null as never, null, poolPlan(g), 0))).toMatchObject({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_TYPE',
      });
    });

    it("pins the caller's ArrayBuffers in place instead of copying them; its own outputs stay transferable", async () => {
      const input = makeInput(Float32Array, g, 7);
      const out = new Float32Array(g.planes * g.OH * g.OW);
      const done = b.maxPool2dAsync(input, out, 'int64', poolPlan(g), 0);
      for (const buffer of [input.buffer, out.buffer] as ArrayBuffer[]) {
        // Node 20 clones an untransferable buffer instead of moving it; Node 21+ throws DataCloneError.
        try {
          structuredClone(buffer, { transfer: [buffer] });
        } catch (e) {
          expect((e as Error).name).toBe('DataCloneError');
        }
        expect(buffer.byteLength).toBeGreaterThan(0);
      }
      const [output, indices] = await done;
      expect(output).toBe(out);
      expectSameBits(bitsOf(out), expectedPoolBits(referencePool(input, g)), 'pinned');
      const fresh = (indices as BigInt64Array).buffer as ArrayBuffer;
      structuredClone(fresh, { transfer: [fresh] });
      expect(fresh.byteLength).toBe(0);
    });

    it('copies a resizable ArrayBuffer (it could shrink) and reads a SharedArrayBuffer in place', async () => {
      const source = makeInput(Float32Array, g, 8);
      const expected = expectedPoolBits(referencePool(source, g));
      // ES2024's resizable ArrayBuffer (Node 20 has it; the TS lib here predates it).
      type Resizable = ArrayBuffer & { resize(bytes: number): void };
      const Resizable = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => Resizable;
      const resizable = new Resizable(source.byteLength, { maxByteLength: source.byteLength * 2 });
      const shared = new SharedArrayBuffer(source.byteLength);
      for (const buffer of [resizable, shared]) {
        const input = new Float32Array(buffer);
        input.set(source);
        const done = b.maxPool2dAsync(input, null, null, poolPlan(g), 0);
        if (buffer === resizable) resizable.resize(16); // the call works on its copy
        const [output] = await done;
        expectSameBits(bitsOf(output), expected, buffer === resizable ? 'resizable' : 'shared');
      }
      // Not pinned, so still transferable.
      structuredClone(resizable, { transfer: [resizable] });
      expect(resizable.byteLength).toBe(0);
    });

    it('maxUnpool2dAsync scatters, and rejects a bad index with the output untouched', async () => {
      const input = new Float32Array([1, 2, 3, 4, 5, 6]);
      const output = new Float32Array(35).fill(7);
      await b.maxUnpool2dAsync(input, new Int32Array([34, 0, 5, 6, 7, 8]), output, unpoolPlan(1, 2, 3, 7, 5), 2);
      expect(Array.from(output.subarray(0, 9))).toEqual([2, 0, 0, 0, 0, 3, 4, 5, 6]);
      expect(output[34]).toBe(1);
      output.fill(7);
      const bad = b.maxUnpool2dAsync(
        input,
        new BigInt64Array([0n, 1n, 2n, 3n, 4n, 41n]),
        output,
        unpoolPlan(1, 2, 3, 7, 5),
        0,
      );
      await expect(bad).rejects.toMatchObject({
        name: 'RangeError',
        code: 'ERR_MAXPOOL2D_INVALID_INDEX',
        message: 'indices[5] = 41 is out of range for an output plane of 7x5 (35 elements)',
      });
      expect(output.every((v) => v === 7)).toBe(true);
    });

    it('throws argument errors synchronously instead of rejecting', () => {
      const call = (fn: () => unknown) => codeOf(fn);
      const pool = b.maxPool2dAsync as (...a: unknown[]) => Promise<unknown>;
      const unpool = b.maxUnpool2dAsync as (...a: unknown[]) => Promise<unknown>;
      expect(call(() => pool()).code).toBe('ERR_MAXPOOL2D_ARG_COUNT');
      expect(call(() => pool(new Float32Array(16), new Float64Array(4), null, poolPlan(g), 0)).code).toBe(
        'ERR_INVALID_ARG_TYPE',
      );
      expect(call(() => pool(new Float32Array(15), new Float32Array(4), null, poolPlan(g), 0)).code).toBe(
        'ERR_MAXPOOL2D_BUFFER_LENGTH',
      );
      const shared = new Float32Array(64);
      expect(
        call(() =>
          unpool(shared.subarray(0, 4), new Int32Array(4), shared.subarray(2, 18), unpoolPlan(1, 2, 2, 4, 4), 0),
        ).code,
      ).toBe('ERR_MAXPOOL2D_ALIASING');
    });
  });

  describe('ISA and thread controls', () => {
    it('lists supported ISAs best first, ending with scalar', () => {
      const isas = b.supportedIsas();
      expect(isas.at(-1)).toBe('scalar');
      expect(isas).toContain(b.isa());
      for (const isa of isas) expect(['avx512', 'avx2', 'neon', 'scalar']).toContain(isa);
    });

    it('setIsa switches and rejects names it cannot run', () => {
      const before = b.isa();
      try {
        expect(b.setIsa('scalar')).toBe('scalar');
        expect(b.isa()).toBe('scalar');
        for (const name of ['bogus', '', 'AVX2', 'sse2']) {
          const err = codeOf(() => b.setIsa(name));
          expect(err.name).toBe('RangeError');
          expect(err.code).toBe('ERR_OUT_OF_RANGE');
        }
        expect(b.isa()).toBe('scalar');
      } finally {
        b.setIsa(before);
      }
    });

    it('setNumThreads / getNumThreads round-trip and reject values out of 1..1024', () => {
      const before = b.getNumThreads();
      try {
        b.setNumThreads(1);
        expect(b.getNumThreads()).toBe(1);
        b.setNumThreads(3);
        expect(b.getNumThreads()).toBe(3);
        b.setNumThreads(1024);
        expect(b.getNumThreads()).toBe(1024);
        for (const n of [0, -1, 1025, 2.5, Number.NaN]) {
          const err = codeOf(() => b.setNumThreads(n));
          expect([err.name, err.code]).toEqual(['RangeError', 'ERR_OUT_OF_RANGE']);
        }
        expect(b.getNumThreads()).toBe(1024);
      } finally {
        b.setNumThreads(before);
      }
    });
  });

  describe('worker_threads', () => {
    it('serves several Workers at once from the shared pool and survives their exit', async () => {
      const g = geometryOf({ name: '', planes: 8, H: 96, W: 96, k: [3, 3], s: [1, 1], p: [1, 1], d: [1, 1] });
      const input = makeInput(Float32Array, g, 7).slice();
      const expected = expectedPoolBits(referencePool(input, g));
      const source = `
        const { parentPort, workerData } = require('node:worker_threads');
        const b = require(workerData.loader)(workerData.root);
        const output = new Float32Array(workerData.outputLength);
        for (let i = 0; i < 20; i++) b.maxPool2d(workerData.input, output, null, workerData.plan, 2);
        parentPort.postMessage(output);
      `;
      const workerData = {
        loader: require.resolve('node-gyp-build', { paths: [root] }),
        root,
        input,
        plan: poolPlan(g),
        outputLength: g.planes * g.OH * g.OW,
      };
      const workers = [0, 1, 2].map(() => new Worker(source, { eval: true, workerData }));
      // Listen for everything up front: a Worker may post and exit before a later listener is attached.
      const outputs = workers.map(
        (w) =>
          new Promise<Float32Array>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      );
      const exits = workers.map((w) => new Promise<number>((resolve) => w.once('exit', resolve)));
      const results = await Promise.all(outputs);
      const exitCodes = await Promise.all(exits);
      expect(exitCodes).toEqual([0, 0, 0]);
      for (const output of results) expectSameBits(bitsOf(output), expected, 'worker');
      // The main thread still works after its Workers are gone.
      const output = new Float32Array(g.planes * g.OH * g.OW);
      b.maxPool2d(input, output, null, poolPlan(g), 2);
      expectSameBits(bitsOf(output), expected, 'main thread after workers');
    });
  });
});
