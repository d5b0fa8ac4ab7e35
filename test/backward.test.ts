/**
 * maxPool2dBackward and maxUnpool2dBackward: PyTorch's autograd vectors bit for bit, a brute-force reference on
 * adversarial data, native vs JS bit for bit (NaN sums included), thread-count invariance, and every refusal,
 * on the JS backend and the native one (each ISA the CPU has, although these ops are scalar C++).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeBinding } from '../binding';
import { nativeBinding, setActiveBackend } from '../lib/backend';
import { maxPool2d, maxPool2dBackward, maxUnpool2d, maxUnpool2dBackward } from '../lib/index';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { decode, type GoldenCase, loadGolden, poolOptions, unpoolOptions } from './helpers/golden';
import { fillData, type PoolCase, poolCaseArb } from './helpers/random-case';

type Floats = Float32Array | Float64Array;

const golden = loadGolden();
const backwardCases = golden.filter((c) => c.op === 'max_pool2d_backward');
const unpoolCases = golden.filter((c) => c.op === 'max_unpool2d' && !c.error);
const binding: NativeBinding | null = nativeBinding();
const hasNative = !!binding && typeof binding.maxPool2dBackward === 'function';
const runs = Number(process.env.PARITY_RUNS ?? 150);
const seed = Number(process.env.PARITY_SEED ?? 20261126);

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const toInt32 = (a: BigInt64Array) => Int32Array.from(a, (v) => Number(v));

function bitsOf(a: Floats): Uint32Array | BigUint64Array {
  return a instanceof Float32Array
    ? new Uint32Array(a.buffer, a.byteOffset, a.length)
    : new BigUint64Array(a.buffer, a.byteOffset, a.length);
}

/** Brute force, written independently of lib/: zero, then `gi[plane][idx] += go` in index order. */
function referenceBackward(go: Floats, idx: BigInt64Array, planes: number, inPlane: number): Floats {
  const gi = go instanceof Float32Array ? new Float32Array(planes * inPlane) : new Float64Array(planes * inPlane);
  const outPlane = go.length / Math.max(planes, 1);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < outPlane; i++) {
      const at = p * inPlane + Number(idx[p * outPlane + i]);
      gi[at] = gi[at] + go[p * outPlane + i];
    }
  }
  return gi;
}

/** Bits equal, except that any NaN matches any NaN (the reference leaves NaN bits to the JIT). */
function expectSameUpToNaN(actual: Floats, expected: Floats, what: string): void {
  const a = bitsOf(actual);
  const e = bitsOf(expected);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === e[i] || (actual[i] !== actual[i] && expected[i] !== expected[i])) continue;
    expect.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

function codeOf(fn: () => unknown): { error: unknown; code?: string; message?: string } {
  try {
    fn();
  } catch (error) {
    return { error, code: (error as { code?: string }).code, message: (error as Error).message };
  }
  return { error: undefined };
}

function goldenPieces(c: GoldenCase) {
  return {
    input: { data: decode(c.input!) as Floats, shape: c.input!.shape },
    idx: decode(c.indices!) as BigInt64Array,
    grad: { data: decode(c.grad_output!) as Floats, shape: c.grad_output!.shape },
    expected: decode(c.expected!.grad_input!) as Floats,
    options: { ...poolOptions(c.params), inputShape: c.input!.shape },
  };
}

it('has the four PyTorch backward vectors', () => {
  expect(backwardCases.length).toBe(4);
});

for (const backend of backendCases()) {
  describe(`backward on ${backend.label}`, () => {
    let restore: () => void;
    beforeAll(() => {
      restore = backend.use();
    });
    afterAll(() => restore());

    it.each(backwardCases.map((c) => [c.id, c] as const))('max_pool2d_backward %s bit for bit', (_id, c) => {
      const { input, idx, grad, expected, options } = goldenPieces(c);
      const { returnIndices: _r, ...geometry } = options;
      const shape = c.indices!.shape;
      const dx = maxPool2dBackward(grad, { data: idx, shape }, geometry);
      expect(dx.shape).toEqual(c.expected!.grad_input!.shape);
      expect(dx.dtype).toBe(c.grad_output!.dtype);
      expectBits(dx.data, expected, 'grad_input (int64 indices)');
      const dx32 = maxPool2dBackward(grad, { data: toInt32(idx), shape }, geometry);
      expectBits(dx32.data, expected, 'grad_input (int32 indices)');
      // The forward's own indices give the same gradient, into a caller's (dirty) buffer.
      const [, fwdIdx] = maxPool2d(input, { ...geometry, returnIndices: true });
      expectBits(fwdIdx.data, idx, 'forward indices');
      const out = new Float32Array(expected.length).fill(9);
      maxPool2dBackward(grad, fwdIdx, { ...geometry, out, threads: 1 });
      expectBits(out, expected, 'grad_input into out');
    });

    it('adds gradients where overlapping windows picked the same element (float64, 3-D)', () => {
      // 1x3x3 input whose centre is the max of all four 2x2 stride-1 windows.
      const x = { data: new Float64Array([0, 0, 0, 0, 5, 0, 0, 0, 0]), shape: [1, 3, 3] };
      const [y, idx] = maxPool2d(x, { kernelSize: 2, stride: 1, returnIndices: true });
      expect(Array.from(idx.data as BigInt64Array)).toEqual([4n, 4n, 4n, 4n]);
      const dy = { data: new Float64Array([0.1, 0.2, 0.3, 0.4]), shape: y.shape };
      const dx = maxPool2dBackward(dy, idx, { inputShape: x.shape, kernelSize: 2, stride: 1 });
      expect(dx.shape).toEqual([1, 3, 3]);
      expect(dx.dtype).toBe('float64');
      expect(Array.from(dx.data)).toEqual([0, 0, 0, 0, 0.1 + 0.2 + 0.3 + 0.4, 0, 0, 0, 0]);
    });

    it('sums NaN and infinities by one written-out rule (float32 and float64)', () => {
      const f32 = (bits: number[]) => new Float32Array(new Uint32Array(bits).buffer);
      const f64 = (bits: bigint[]) => new Float64Array(new BigUint64Array(bits).buffer);
      const run = (go: Floats) =>
        bitsOf(
          maxPool2dBackward(
            { data: go, shape: [1, 1, 1, go.length] },
            { data: new Int32Array(go.length), shape: [1, 1, 1, go.length] },
            { inputShape: [1, 1, 1, go.length], kernelSize: [1, 1] },
          ).data,
        )[0];
      const INF32 = 0x7f800000;
      const NINF32 = 0xff800000;
      expect(run(f32([INF32, NINF32]))).toBe(0xffc00000); // inf + -inf: x86's negative quiet NaN
      expect(run(f32([0x3f800000, 0x7f800001]))).toBe(0x7fc00001); // a signalling NaN, quieted
      expect(run(f32([0x7fc00005, 0x7fc00009, INF32]))).toBe(0x7fc00005); // the first NaN stays
      expect(run(f32([0x80000000]))).toBe(0); // +0 + -0 = +0
      expect(run(f64([0x7ff0000000000000n, 0xfff0000000000000n]))).toBe(0xfff8000000000000n);
      expect(run(f64([0x7ff0000000000123n]))).toBe(0x7ff8000000000123n);
      expect(run(f64([0xfff800000000abcdn, 0x7ff8000000000001n]))).toBe(0xfff800000000abcdn);
    });

    it('refuses an index outside the input plane, naming the first, output untouched', () => {
      const inputShape = [2, 1, 6, 6];
      const grad = { data: new Float32Array(18).fill(1), shape: [2, 1, 3, 3] };
      for (const bad of [36, -1]) {
        const data = new BigInt64Array(18).fill(7n);
        data[5] = BigInt(bad);
        data[11] = 99n;
        for (const indices of [
          { data, shape: [2, 1, 3, 3] },
          { data: toInt32(data), shape: [2, 1, 3, 3] },
        ]) {
          const out = new Float32Array(72).fill(7);
          const r = codeOf(() => maxPool2dBackward(grad, indices, { inputShape, kernelSize: 2, out }));
          expect(r.error).toBeInstanceOf(RangeError);
          expect(r.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
          expect(r.message).toBe(`indices[5] = ${bad} is out of range for an input plane of 6x6 (36 elements)`);
          expect(out.every((v) => v === 7)).toBe(true);
        }
      }
    });

    it('unpool backward gathers: the round trip of every PyTorch unpool vector', () => {
      for (const c of unpoolCases) {
        const x = decode(c.input!) as Floats;
        const idx = { data: decode(c.indices!) as BigInt64Array, shape: c.indices!.shape };
        const z = { data: decode(c.expected!.output!) as Floats, shape: c.expected!.output!.shape };
        const options = unpoolOptions(c.params);
        const dx = maxUnpool2dBackward(z, idx, options);
        expect(dx.shape).toEqual(c.indices!.shape);
        expectBits(dx.data, x, `${c.id}: gather of the unpooled output`);
        const dx32 = maxUnpool2dBackward(z, { data: toInt32(idx.data), shape: idx.shape }, options);
        expectBits(dx32.data, x, `${c.id}: gather with int32 indices`);
      }
    });

    it('unpool backward copies NaN payloads and refuses bad indices', () => {
      const dz = new Float32Array(new Uint32Array([0x7fc0beef, 0xff800001, 0x80000000, 0x3f800000]).buffer);
      const idx = { data: new BigInt64Array([3n, 0n, 2n, 1n]), shape: [1, 1, 2, 2] };
      const dx = maxUnpool2dBackward({ data: dz, shape: [1, 1, 2, 2] }, idx, {
        kernelSize: 1,
        outputSize: [2, 2],
      });
      expect(Array.from(bitsOf(dx.data) as Uint32Array)).toEqual([0x3f800000, 0x7fc0beef, 0x80000000, 0xff800001]);
      const out = new Float32Array(4).fill(7);
      const bad = { data: new Int32Array([0, 1, 4, -2]), shape: [1, 1, 2, 2] };
      const r = codeOf(() =>
        maxUnpool2dBackward({ data: dz, shape: [1, 1, 2, 2] }, bad, { kernelSize: 1, outputSize: [2, 2], out }),
      );
      expect(r.error).toBeInstanceOf(RangeError);
      expect(r.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
      expect(r.message).toBe('indices[2] = 4 is out of range for an output plane of 2x2 (4 elements)');
      expect(out.every((v) => v === 7)).toBe(true);
    });
  });
}

describe('maxPool2dBackward on random geometries and adversarial data', () => {
  function pieces(c: PoolCase) {
    const input = { data: fillData(product(c.shape), c.dtype, c.seed), shape: c.shape };
    const options = {
      kernelSize: c.kernel,
      stride: c.stride,
      padding: c.padding,
      dilation: c.dilation,
      ceilMode: c.ceilMode,
    };
    setActiveBackend('js');
    try {
      const [y, idx] = maxPool2d(input, { ...options, returnIndices: true });
      const grad = { data: fillData(y.data.length, c.dtype, c.seed ^ 0x5bd1e995), shape: y.shape };
      return {
        options: { ...options, inputShape: c.shape },
        grad,
        idx: idx as { data: BigInt64Array; shape: number[] },
      };
    } finally {
      setActiveBackend('default');
    }
  }

  function runOn(which: 'js' | 'native', call: () => Floats): { data?: Floats; message?: string; code?: string } {
    setActiveBackend(which);
    try {
      return { data: call() };
    } catch (error) {
      return { message: (error as Error).message, code: (error as { code?: string }).code };
    } finally {
      setActiveBackend('default');
    }
  }

  it('matches the brute-force reference, and native matches JS bit for bit', () => {
    fc.assert(
      fc.property(poolCaseArb, (c) => {
        const { options, grad, idx } = pieces(c);
        const [H, W] = c.shape.slice(-2);
        const planes = product(c.shape.slice(0, -2));
        const inside = idx.data.every((v) => v >= 0n && v < BigInt(H * W));
        const call = () => maxPool2dBackward(grad, idx, options).data;
        const js = runOn('js', call);
        if (!inside) {
          // Windows with no in-bounds tap name a position outside the input: refused.
          expect(js.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
        } else {
          expectSameUpToNaN(js.data!, referenceBackward(grad.data, idx.data, planes, H * W), 'js vs reference');
        }
        if (hasNative) {
          const native = runOn('native', call);
          expect(native.message).toBe(js.message);
          if (js.data) expectBits(native.data!, js.data, 'native vs js');
          const one = runOn('native', () => maxPool2dBackward(grad, idx, { ...options, threads: 1 }).data);
          if (js.data) expectBits(one.data!, js.data, 'native, 1 thread, vs js');
        }
      }),
      { numRuns: runs, seed },
    );
  });

  it.skipIf(!hasNative)('gives the same bits on any thread count (native, threaded work)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const shape = [2, 8, 64, 64];
      const input = { data: fillData(product(shape), dtype, 7), shape };
      const options = { kernelSize: 3, stride: 1, padding: 1 };
      const [y, idx] = maxPool2d(input, { ...options, returnIndices: true });
      const grad = { data: fillData(y.data.length, dtype, 8), shape: y.shape };
      const results = [1, 2, 3, 8].map((threads) =>
        runOn('native', () => maxPool2dBackward(grad, idx, { ...options, inputShape: shape, threads }).data),
      );
      const js = runOn('js', () => maxPool2dBackward(grad, idx, { ...options, inputShape: shape }).data);
      for (const r of results) expectBits(r.data!, js.data!, `${dtype} threads`);
    }
  });

  it('unpool backward matches a brute-force gather on both backends', () => {
    fc.assert(
      fc.property(poolCaseArb, (c) => {
        const { grad: pooled, idx } = pieces(c);
        const [H, W] = c.shape.slice(-2);
        if (!idx.data.every((v) => v >= 0n && v < BigInt(H * W))) return;
        const unpoolOpts = { kernelSize: c.kernel, stride: c.stride, padding: c.padding, outputSize: [H, W] };
        // Unpool's geometry may not accept every pool geometry (outputSize range); skip those.
        let z: { data: Floats; shape: number[] };
        try {
          z = maxUnpool2d(pooled, idx, unpoolOpts);
        } catch {
          return;
        }
        const dz = { data: fillData(z.data.length, c.dtype, c.seed + 3), shape: z.shape };
        const planes = product(c.shape.slice(0, -2));
        const inPlane = idx.data.length / Math.max(planes, 1);
        const expected =
          dz.data instanceof Float32Array ? new Float32Array(idx.data.length) : new Float64Array(idx.data.length);
        const eb = bitsOf(expected);
        const db = bitsOf(dz.data);
        for (let i = 0; i < idx.data.length; i++) {
          eb[i] = db[Math.floor(i / inPlane) * H * W + Number(idx.data[i])];
        }
        const js = runOn('js', () => maxUnpool2dBackward(dz, idx, unpoolOpts).data);
        expectBits(js.data!, expected, 'js gather');
        if (hasNative)
          expectBits(
            runOn('native', () => maxUnpool2dBackward(dz, idx, unpoolOpts).data).data!,
            expected,
            'native gather',
          );
      }),
      { numRuns: Math.ceil(runs / 2), seed },
    );
  });
});

describe('argument checks', () => {
  const inputShape = [1, 2, 6, 6];
  const grad = { data: new Float32Array(18), shape: [1, 2, 3, 3] };
  const idx = { data: new BigInt64Array(18), shape: [1, 2, 3, 3] };
  const base = { inputShape, kernelSize: 2 };
  const cases: [string, () => unknown, string, string][] = [
    ['options not an object', () => maxPool2dBackward(grad, idx, null as never), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    ['no kernelSize', () => maxPool2dBackward(grad, idx, { inputShape } as never), 'TypeError', 'ERR_INVALID_ARG_TYPE'],
    [
      'no inputShape',
      () => maxPool2dBackward(grad, idx, { kernelSize: 2 } as never),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'inputShape rank 2',
      () => maxPool2dBackward(grad, idx, { ...base, inputShape: [6, 6] }),
      'RangeError',
      'ERR_OUT_OF_RANGE',
    ],
    [
      'inputShape empty H',
      () => maxPool2dBackward(grad, idx, { ...base, inputShape: [1, 2, 0, 6] }),
      'RangeError',
      'ERR_OUT_OF_RANGE',
    ],
    ['padding > k/2', () => maxPool2dBackward(grad, idx, { ...base, padding: 2 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    ['stride 0', () => maxPool2dBackward(grad, idx, { ...base, stride: 0 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    [
      'output too small',
      () => maxPool2dBackward(grad, idx, { ...base, inputShape: [1, 2, 1, 1] }),
      'RangeError',
      'ERR_MAXPOOL2D_OUTPUT_TOO_SMALL',
    ],
    [
      'gradOutput shape',
      () => maxPool2dBackward({ ...grad, shape: [1, 2, 9, 2] }, idx, base),
      'RangeError',
      'ERR_MAXPOOL2D_SHAPE_MISMATCH',
    ],
    [
      'indices shape',
      () => maxPool2dBackward(grad, { ...idx, shape: [2, 3, 3] }, base),
      'RangeError',
      'ERR_MAXPOOL2D_SHAPE_MISMATCH',
    ],
    [
      'gradOutput length',
      () => maxPool2dBackward({ ...grad, data: new Float32Array(17) }, idx, base),
      'RangeError',
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    ],
    [
      'indices length',
      () => maxPool2dBackward(grad, { ...idx, data: new BigInt64Array(19) }, base),
      'RangeError',
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    ],
    [
      'gradOutput kind',
      () => maxPool2dBackward({ ...grad, data: new Int32Array(18) } as never, idx, base),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'indices kind',
      () => maxPool2dBackward(grad, { ...idx, data: new Float64Array(18) } as never, base),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'out dtype',
      () => maxPool2dBackward(grad, idx, { ...base, out: new Float64Array(72) }),
      'TypeError',
      'ERR_INVALID_ARG_TYPE',
    ],
    [
      'out length',
      () => maxPool2dBackward(grad, idx, { ...base, out: new Float32Array(71) }),
      'RangeError',
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    ],
    [
      'out aliases gradOutput',
      () => {
        const shared = new Float32Array(90);
        maxPool2dBackward({ ...grad, data: shared.subarray(0, 18) }, idx, { ...base, out: shared.subarray(17, 89) });
      },
      'RangeError',
      'ERR_MAXPOOL2D_ALIASING',
    ],
    ['threads 0', () => maxPool2dBackward(grad, idx, { ...base, threads: 0 }), 'RangeError', 'ERR_OUT_OF_RANGE'],
    [
      'unpool: gradOutput shape',
      () => maxUnpool2dBackward({ data: new Float32Array(72), shape: [1, 2, 6, 7] }, idx, { kernelSize: 2 }),
      'RangeError',
      'ERR_MAXPOOL2D_SHAPE_MISMATCH',
    ],
    [
      'unpool: outputSize out of range',
      () =>
        maxUnpool2dBackward({ data: new Float32Array(72), shape: [1, 2, 6, 6] }, idx, {
          kernelSize: 2,
          outputSize: [8, 6],
        }),
      'RangeError',
      'ERR_MAXPOOL2D_OUTPUT_SIZE',
    ],
    [
      'unpool: indices length',
      () =>
        maxUnpool2dBackward(
          { data: new Float32Array(72), shape: [1, 2, 6, 6] },
          { ...idx, data: new BigInt64Array(3) },
          {
            kernelSize: 2,
          },
        ),
      'RangeError',
      'ERR_MAXPOOL2D_BUFFER_LENGTH',
    ],
    [
      'unpool: indices shape rank',
      () =>
        maxUnpool2dBackward(
          { data: new Float32Array(72), shape: [1, 2, 6, 6] },
          { ...idx, shape: [18] },
          { kernelSize: 2 },
        ),
      'RangeError',
      'ERR_OUT_OF_RANGE',
    ],
  ];

  it.each(cases)('%s', (_name, fn, kind, code) => {
    const r = codeOf(fn);
    expect(r.error, 'should throw').toBeDefined();
    expect((r.error as Error).name).toBe(kind);
    expect(r.code).toBe(code);
  });
});

describe.skipIf(!hasNative)('raw binding: maxPool2dBackward / maxUnpool2dBackward re-check everything', () => {
  const b = binding!;
  const plan = (planes: number, H: number, W: number, OH: number, OW: number) =>
    new Float64Array([planes, H, W, OH, OW, 2, 2, 2, 2, 0, 0, 1, 1]);
  const good = () => ({
    go: new Float32Array(18),
    idx: new BigInt64Array(18),
    gi: new Float32Array(72),
    plan: plan(2, 6, 6, 3, 3),
  });
  const expectCode = (fn: () => unknown, code: string) => expect(codeOf(fn).code).toBe(code);

  it('accepts a well-formed call and an empty batch', () => {
    const g = good();
    g.idx.fill(35n);
    g.go.fill(1);
    b.maxPool2dBackward(g.go, g.idx, g.gi, g.plan, 0);
    expect(g.gi[35]).toBe(9);
    expect(g.gi[71]).toBe(9);
    b.maxPool2dBackward(new Float32Array(0), new Int32Array(0), new Float32Array(0), plan(0, 6, 6, 3, 3), 1);
  });

  it('refuses wrong lengths, kinds, plans, aliasing and arity', () => {
    const g = good();
    expectCode(() => b.maxPool2dBackward(new Float32Array(17), g.idx, g.gi, g.plan, 0), 'ERR_MAXPOOL2D_BUFFER_LENGTH');
    expectCode(() => b.maxPool2dBackward(g.go, new BigInt64Array(19), g.gi, g.plan, 0), 'ERR_MAXPOOL2D_BUFFER_LENGTH');
    expectCode(() => b.maxPool2dBackward(g.go, g.idx, new Float32Array(71), g.plan, 0), 'ERR_MAXPOOL2D_BUFFER_LENGTH');
    expectCode(() => b.maxPool2dBackward(g.go, g.idx, new Float64Array(72), g.plan, 0), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => b.maxPool2dBackward(g.go, new Uint32Array(18) as never, g.gi, g.plan, 0), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => b.maxPool2dBackward(g.go, g.idx, g.gi, new Float64Array(12), 0), 'ERR_MAXPOOL2D_BUFFER_LENGTH');
    expectCode(() => b.maxPool2dBackward(g.go, g.idx, g.gi, plan(2, 6, Number.NaN, 3, 3), 0), 'ERR_OUT_OF_RANGE');
    expectCode(() => b.maxPool2dBackward(g.go, g.idx, g.gi, plan(2, -6, 6, 3, 3), 0), 'ERR_OUT_OF_RANGE');
    expectCode(
      () => b.maxPool2dBackward(g.go, g.idx, g.gi, plan(2 ** 40, 2 ** 20, 2 ** 20, 3, 3), 0),
      'ERR_OUT_OF_RANGE',
    );
    expectCode(() => b.maxPool2dBackward(g.go, g.idx, g.gi, g.plan, 0.5), 'ERR_OUT_OF_RANGE');
    expectCode(
      () => (b.maxPool2dBackward as (...a: unknown[]) => void)(g.go, g.idx, g.gi, g.plan),
      'ERR_MAXPOOL2D_ARG_COUNT',
    );
    const shared = new Float32Array(90);
    expectCode(
      () => b.maxPool2dBackward(shared.subarray(0, 18), g.idx, shared.subarray(17, 89), g.plan, 0),
      'ERR_MAXPOOL2D_ALIASING',
    );
    const bytes = new ArrayBuffer(18 * 8);
    expectCode(
      () => b.maxPool2dBackward(g.go, new BigInt64Array(bytes), new Float32Array(bytes, 0, 36), plan(1, 6, 6, 3, 6), 0),
      'ERR_MAXPOOL2D_ALIASING',
    );
    g.idx[17] = 36n;
    g.gi.fill(3);
    const r = codeOf(() => b.maxPool2dBackward(g.go, g.idx, g.gi, g.plan, 0));
    expect(r.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
    expect(r.message).toBe('indices[17] = 36 is out of range for an input plane of 6x6 (36 elements)');
    expect(g.gi.every((v) => v === 3)).toBe(true);
  });

  it('unpool backward refuses wrong lengths and bad indices', () => {
    const uplan = new Float64Array([2, 3, 3, 6, 6]);
    const go = new Float32Array(72);
    const idx = new Int32Array(18);
    const gi = new Float32Array(18);
    b.maxUnpool2dBackward(go, idx, gi, uplan, 0);
    expectCode(() => b.maxUnpool2dBackward(new Float32Array(71), idx, gi, uplan, 0), 'ERR_MAXPOOL2D_BUFFER_LENGTH');
    expectCode(() => b.maxUnpool2dBackward(go, new Int32Array(17), gi, uplan, 0), 'ERR_MAXPOOL2D_BUFFER_LENGTH');
    expectCode(() => b.maxUnpool2dBackward(go, idx, new Float32Array(19), uplan, 0), 'ERR_MAXPOOL2D_BUFFER_LENGTH');
    expectCode(() => b.maxUnpool2dBackward(go, idx, gi, new Float64Array(13), 0), 'ERR_MAXPOOL2D_BUFFER_LENGTH');
    expectCode(() => b.maxUnpool2dBackward(go, idx, gi, new Float64Array([2, 3, 3, 6, 0.5]), 0), 'ERR_OUT_OF_RANGE');
    const empty = new Float64Array([2, 3, 3, 0, 6]);
    expectCode(() => b.maxUnpool2dBackward(new Float32Array(0), idx, gi, empty, 0), 'ERR_MAXPOOL2D_INVALID_INDEX');
    idx[4] = 36;
    gi.fill(2);
    const r = codeOf(() => b.maxUnpool2dBackward(go, idx, gi, uplan, 0));
    expect(r.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
    expect(r.message).toBe('indices[4] = 36 is out of range for an output plane of 6x6 (36 elements)');
    expect(gi.every((v) => v === 2)).toBe(true);
  });
});
