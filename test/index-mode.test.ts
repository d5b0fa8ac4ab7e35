/**
 * Index conventions: `indexMode: 'flat'` (ONNX, over the whole tensor) against `'plane'` (PyTorch, within each
 * (n, c) plane), the exported converters (round trips, a brute-force definition, refusals), and maxUnpool2d
 * taking flat indices, on every backend and through the sync, async and module forms.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planPool, resolvePoolParams } from '../lib/geometry';
import {
  flatToPlaneIndices,
  MaxPool2d,
  MaxUnpool2d,
  maxPool2d,
  maxPool2dAsync,
  maxUnpool2d,
  maxUnpool2dAsync,
  planeToFlatIndices,
} from '../lib/index';
import { checkInt32FlatPool } from '../lib/index-mode';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { toNhwc } from './helpers/dtypes';
import { fillData, type PoolCase, poolCaseArb } from './helpers/random-case';

type Thrown = Error & { code?: string };

function thrown(fn: () => unknown): Thrown {
  try {
    fn();
  } catch (error) {
    return error as Thrown;
  }
  throw new Error('expected a throw');
}

/** The definitions, element by element: flat = ((n * C + c) * H + h) * W + w with h * W + w the plane index. */
function bruteFlat(plane: ArrayLike<bigint | number>, indexShape: number[], inputShape: number[]): bigint[] {
  const [C, H, W] = inputShape.slice(-3);
  const perPlane = indexShape.at(-2)! * indexShape.at(-1)!;
  const out: bigint[] = [];
  for (let i = 0; i < plane.length; i++) {
    const p = Math.floor(i / perPlane);
    const [n, c] = [Math.floor(p / C), p % C];
    const v = Number(plane[i]);
    const [h, w] = [Math.floor(v / W), v % W];
    out.push(BigInt(((n * C + c) * H + h) * W + w));
  }
  return out;
}

/** Whether output position `o` of a pooled dimension has a window tap inside `[0, size)`. */
function hasTap(o: number, size: number, k: number, s: number, p: number, d: number): boolean {
  for (let i = 0; i < k; i++) {
    const at = o * s - p + i * d;
    if (at >= 0 && at < size) return true;
  }
  return false;
}

const x4 = () => ({ data: Float32Array.from({ length: 32 }, (_, i) => i), shape: [1, 2, 4, 4] });

describe('indexMode on maxPool2d', () => {
  it("defaults to 'plane' and 'flat' adds each (n, c) plane's offset", () => {
    const x = x4();
    const [, plane] = maxPool2d(x, { kernelSize: 2, returnIndices: true });
    const [, flat] = maxPool2d(x, { kernelSize: 2, returnIndices: true, indexMode: 'flat' });
    expect([...plane.data]).toEqual([5n, 7n, 13n, 15n, 5n, 7n, 13n, 15n]);
    expect([...flat.data]).toEqual([5n, 7n, 13n, 15n, 21n, 23n, 29n, 31n]);
    expect(flat.shape).toEqual([1, 2, 2, 2]);
    expect(flat.dtype).toBe('int64');
    const [, explicitPlane] = maxPool2d(x, { kernelSize: 2, returnIndices: true, indexMode: 'plane' });
    expectBits(explicitPlane.data, plane.data, 'explicit plane');
  });

  it('counts over [C, H, W] for unbatched input, and in int32 too', () => {
    const x = { data: Float64Array.from({ length: 3 * 3 * 2 }, (_, i) => -i), shape: [3, 3, 2] };
    const [, flat] = maxPool2d(x, { kernelSize: [3, 2], returnIndices: true, indexMode: 'flat', indexDtype: 'int32' });
    expect(flat.data).toBeInstanceOf(Int32Array);
    expect([...flat.data]).toEqual([0, 6, 12]);
  });

  it('rejects a bad indexMode with a TypeError naming it', () => {
    for (const indexMode of ['onnx', 1, true]) {
      const error = thrown(() => maxPool2d(x4(), { kernelSize: 2, returnIndices: true, indexMode } as never));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.code).toBe('ERR_INVALID_ARG_TYPE');
      expect(error.message).toMatch(/^indexMode must be 'plane' or 'flat', but got /);
      expect(() => new MaxPool2d(2, { indexMode } as never)).toThrow(/indexMode/);
      expect(() => new MaxUnpool2d(2, { indexMode } as never)).toThrow(/indexMode/);
    }
  });

  it('writes flat indices into indicesOut', () => {
    const indicesOut = new BigInt64Array(8);
    const [, idx] = maxPool2d(x4(), { kernelSize: 2, returnIndices: true, indexMode: 'flat', indicesOut });
    expect(idx.data).toBe(indicesOut);
    expect([...indicesOut]).toEqual([5n, 7n, 13n, 15n, 21n, 23n, 29n, 31n]);
  });

  it("refuses int32 when the input's flat indices could pass 2^31 - 1 (checked on the plan, nothing allocated)", () => {
    const params = resolvePoolParams({ kernelSize: 2 });
    // 2 planes of 2^15 x 2^15: the last plane starts at 2^30, its largest index is 2^31 - 1 (+ dilation slack).
    const fits = planPool([1, 1, 2 ** 15, 2 ** 15], params, 2 ** 30);
    expect(() => checkInt32FlatPool(fits)).not.toThrow();
    const big = planPool([3, 1, 2 ** 15, 2 ** 15], params, 3 * 2 ** 30);
    const error = thrown(() => checkInt32FlatPool(big));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.code).toBe('ERR_OUT_OF_RANGE');
    expect(error.message).toMatch(/indexDtype 'int32' cannot hold flat indices of a 3x1x32768x32768 input.*'int64'/);
  });

  it('applies the same formula to the index PyTorch reports for a window with no in-bounds tap', () => {
    // H = 1, k = 2, d = 2, p = 1: the only window's taps are rows -1 and 1, so PyTorch reports index 1 (row 1).
    const x = { data: new Float32Array([3, 4]), shape: [1, 2, 1, 1] };
    const options = { kernelSize: [2, 1], dilation: [2, 1], padding: [1, 0], returnIndices: true } as const;
    const [y, plane] = maxPool2d(x, options);
    const [, flat] = maxPool2d(x, { ...options, indexMode: 'flat' });
    expect([...y.data]).toEqual([-Infinity, -Infinity]);
    expect([...plane.data]).toEqual([1n, 1n]);
    expect([...flat.data]).toEqual([1n, 2n]);
    // Such an index lies outside its own plane, so it does not convert back.
    expect(() => flatToPlaneIndices(flat, x.shape)).toThrow(RangeError);
  });
});

describe('planeToFlatIndices / flatToPlaneIndices', () => {
  const caseWithIndices = (c: PoolCase) => {
    const data = fillData(
      c.shape.reduce((a, b) => a * b, 1),
      c.dtype,
      c.seed,
    );
    const x = { data, shape: c.shape };
    const options = { kernelSize: c.kernel, stride: c.stride, padding: c.padding, dilation: c.dilation };
    return { x, options: { ...options, ceilMode: c.ceilMode, returnIndices: true as const } };
  };

  it('match the brute-force definition and the flat mode of maxPool2d, and round-trip', () => {
    fc.assert(
      fc.property(poolCaseArb, fc.boolean(), (c, int32) => {
        const { x, options } = caseWithIndices(c);
        const indexDtype = int32 ? ('int32' as const) : ('int64' as const);
        const [, plane] = maxPool2d(x, { ...options, indexDtype });
        const [, flatMode] = maxPool2d(x, { ...options, indexDtype, indexMode: 'flat' });
        const flat = planeToFlatIndices(plane, x.shape);
        expect(flat.data.constructor).toBe(plane.data.constructor);
        expect(flat.shape).toEqual(plane.shape);
        expect([...flat.data].map(BigInt)).toEqual(bruteFlat(plane.data, plane.shape, x.shape));
        expectBits(flatMode.data, flat.data, 'indexMode flat vs planeToFlatIndices');
        const area = x.shape.at(-1)! * x.shape.at(-2)!;
        if ([...plane.data].every((v) => Number(v) < area)) {
          expectBits(flatToPlaneIndices(flat, x.shape).data, plane.data, 'round trip');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('point flat indices at the maximum in the flattened input (the ONNX definition)', () => {
    fc.assert(
      fc.property(poolCaseArb, (c) => {
        const { x, options } = caseWithIndices(c);
        const [y, flat] = maxPool2d(x, { ...options, indexMode: 'flat' });
        const words = x.data instanceof Float32Array ? 1 : 2;
        const src = new Uint32Array(x.data.buffer);
        const dst = new Uint32Array(y.data.buffer);
        const [H, W] = x.shape.slice(-2);
        const [OH, OW] = y.shape.slice(-2);
        for (let i = 0; i < flat.data.length; i++) {
          const f = Number(flat.data[i]);
          const p = Math.floor(i / (OH * OW));
          const [oh, ow] = [Math.floor(i / OW) % OH, i % OW];
          const rows = hasTap(oh, H, c.kernel[0], c.stride[0], c.padding[0], c.dilation[0]);
          if (!rows || !hasTap(ow, W, c.kernel[1], c.stride[1], c.padding[1], c.dilation[1])) continue; // see above
          expect(f).toBeGreaterThanOrEqual(p * H * W);
          expect(f).toBeLessThan((p + 1) * H * W);
          for (let k = 0; k < words; k++) expect(src[f * words + k]).toBe(dst[i * words + k]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('round-trip flat -> plane -> flat for any in-plane flat indices, both dtypes', () => {
    fc.assert(
      fc.property(
        fc.record({
          batched: fc.boolean(),
          n: fc.integer({ min: 0, max: 3 }),
          c: fc.integer({ min: 1, max: 4 }),
          h: fc.integer({ min: 1, max: 9 }),
          w: fc.integer({ min: 1, max: 9 }),
          oh: fc.integer({ min: 1, max: 4 }),
          ow: fc.integer({ min: 1, max: 4 }),
          seed: fc.integer({ min: 0, max: 2 ** 30 }),
          int32: fc.boolean(),
        }),
        (r) => {
          const lead = r.batched ? [r.n, r.c] : [r.c];
          const inputShape = [...lead, r.h, r.w];
          const shape = [...lead, r.oh, r.ow];
          const planes = (r.batched ? r.n : 1) * r.c;
          const perPlane = r.oh * r.ow;
          const area = r.h * r.w;
          const values = Array.from(
            { length: planes * perPlane },
            (_, i) => Math.floor(i / perPlane) * area + ((r.seed + i * 7919) % area),
          );
          const data = r.int32 ? Int32Array.from(values) : BigInt64Array.from(values.map(BigInt));
          const plane = flatToPlaneIndices({ data, shape }, inputShape);
          expect([...plane.data].map(Number)).toEqual(values.map((v) => v % area));
          expectBits(planeToFlatIndices(plane, inputShape).data, data, 'flat round trip');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('return new arrays and leave their argument alone', () => {
    const data = new BigInt64Array([5n, 21n]);
    const indices = { data, shape: [1, 2, 1, 1] };
    const plane = flatToPlaneIndices(indices, [1, 2, 4, 4]);
    expect([...plane.data]).toEqual([5n, 5n]);
    expect(plane.data).not.toBe(data);
    expect([...data]).toEqual([5n, 21n]);
    expect(planeToFlatIndices(plane, [1, 2, 4, 4]).data).not.toBe(plane.data);
  });

  it('flatToPlaneIndices refuses an index outside its own plane with a RangeError naming it', () => {
    const shape = [1, 2, 1, 1];
    for (const [data, at, value] of [
      [new BigInt64Array([5n, 5n]), 1, '5'],
      [new Int32Array([16, 21]), 0, '16'],
      [new BigInt64Array([5n, 32n]), 1, '32'],
      [new BigInt64Array([-1n, 20n]), 0, '-1'],
      [new BigInt64Array([5n, 2n ** 62n]), 1, String(2n ** 62n)],
      [new Int32Array([3, -2]), 1, '-2'],
    ] as const) {
      const error = thrown(() => flatToPlaneIndices({ data, shape }, [1, 2, 4, 4]));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
      expect(error.message).toContain(`indices.data[${at}] = ${value} is not a flat index into its own plane`);
      expect(error.message).toMatch(at === 1 ? /\(n 0, c 1\).*\[16, 32\)/ : /\(n 0, c 0\).*\[0, 16\)/);
    }
  });

  it('planeToFlatIndices refuses negative plane indices', () => {
    for (const data of [new BigInt64Array([0n, -3n]), new Int32Array([0, -3])]) {
      const error = thrown(() => planeToFlatIndices({ data, shape: [2, 1, 1] }, [2, 4, 4]));
      expect(error).toBeInstanceOf(RangeError);
      const got = data instanceof BigInt64Array ? '-3n' : '-3';
      expect(error.message).toBe(`indices.data[1] must be a non-negative plane index, but got ${got}`);
    }
  });

  it('refuse int32 flat indices for a tensor whose flat indices could pass 2^31 - 1', () => {
    // Exactly 2^31 elements: the largest flat index is 2^31 - 1, which fits.
    const last = flatToPlaneIndices({ data: new Int32Array([0, 2 ** 31 - 1]), shape: [2, 1, 1, 1] }, [
      2,
      1,
      2 ** 15,
      2 ** 15,
    ]);
    expect([...last.data]).toEqual([0, 2 ** 30 - 1]);
    const back = planeToFlatIndices(last, [2, 1, 2 ** 15, 2 ** 15]);
    expect([...back.data]).toEqual([0, 2 ** 31 - 1]);
    // One more column: 2^31 + 2^16 elements.
    const error = thrown(() =>
      planeToFlatIndices({ data: new Int32Array([0, 0]), shape: [2, 1, 1, 1] }, [2, 1, 2 ** 15, 2 ** 15 + 1]),
    );
    expect(error).toBeInstanceOf(RangeError);
    expect(error.code).toBe('ERR_OUT_OF_RANGE');
    expect(error.message).toMatch(/Int32Array flat indices cannot address a tensor of shape \[2, 1, 32768, 32769\]/);
    // int64 has no such limit.
    const wide = planeToFlatIndices({ data: new BigInt64Array([0n, 7n]), shape: [2, 1, 1, 1] }, [
      2,
      1,
      2 ** 15,
      2 ** 15 + 1,
    ]);
    expect([...wide.data]).toEqual([0n, BigInt(2 ** 15 * (2 ** 15 + 1) + 7)]);
  });

  it('check the shapes against each other', () => {
    const data = new BigInt64Array(4);
    const cases: [unknown, unknown, string, RegExp][] = [
      [{ data, shape: [1, 2, 2, 1] }, [1, 3, 4, 4], 'ERR_MAXPOOL2D_SHAPE_MISMATCH', /leading N, C of inputShape/],
      [{ data, shape: [2, 2, 1] }, [1, 2, 4, 4], 'ERR_MAXPOOL2D_SHAPE_MISMATCH', /rank/],
      [{ data, shape: [1, 1, 2, 3] }, [1, 1, 4, 4], 'ERR_MAXPOOL2D_BUFFER_LENGTH', /indices.data.length must be 6/],
      [{ data, shape: [1, 1, 2, 2] }, [1, 4], 'ERR_OUT_OF_RANGE', /inputShape.length/],
      [{ data: new Float32Array(4), shape: [1, 1, 2, 2] }, [1, 1, 4, 4], 'ERR_INVALID_ARG_TYPE', /indices.data/],
      [{ data, shape: [1, 1, 2, 2] }, 'nope', 'ERR_INVALID_ARG_TYPE', /inputShape must be an array/],
    ];
    for (const [indices, inputShape, code, message] of cases) {
      for (const convert of [planeToFlatIndices, flatToPlaneIndices]) {
        const error = thrown(() => convert(indices as never, inputShape as never));
        expect(error.code).toBe(code);
        expect(error.message).toMatch(message);
      }
    }
  });

  it('take ORT tensors ({ type, dims, data }) too', () => {
    const flat = planeToFlatIndices(
      { type: 'int64', dims: [1, 2, 1, 1], data: new BigInt64Array([5n, 5n]) } as never,
      [1, 2, 4, 4],
    );
    expect([...flat.data]).toEqual([5n, 21n]);
  });
});

for (const backend of backendCases()) {
  describe(`maxUnpool2d with flat indices on ${backend.label}`, () => {
    const within = backend.within;

    it('gives the plane-index result bit for bit, in every form', () =>
      within(async () => {
        fc.assert(
          fc.property(poolCaseArb, (c) => {
            if (c.dilation[0] !== 1 || c.dilation[1] !== 1) return; // unpool assumes PyTorch's default dilation
            const x = {
              data: fillData(
                c.shape.reduce((a, b) => a * b, 1),
                c.dtype,
                c.seed,
              ),
              shape: c.shape,
            };
            const geometry = { kernelSize: c.kernel, stride: c.stride, padding: c.padding };
            const poolOptions = { ...geometry, ceilMode: c.ceilMode, returnIndices: true as const };
            const [y, plane] = maxPool2d(x, poolOptions);
            const [, flat] = maxPool2d(x, { ...poolOptions, indexMode: 'flat' });
            const outputSize = c.shape.slice(-2);
            let expected: ReturnType<typeof maxUnpool2d>;
            try {
              expected = maxUnpool2d(y, plane, { ...geometry, outputSize });
            } catch {
              return; // outputSize outside PyTorch's window for this geometry (ceil mode)
            }
            const area = outputSize[0] * outputSize[1];
            if (![...plane.data].every((v) => Number(v) < area)) {
              // A window with no in-bounds tap: its flat index leaves its plane, and flat mode refuses it.
              expect(() => maxUnpool2d(y, flat, { ...geometry, outputSize, indexMode: 'flat' })).toThrow(RangeError);
              return;
            }
            const got = maxUnpool2d(y, flat, { ...geometry, outputSize, indexMode: 'flat' });
            expectBits(got.data, expected.data, 'maxUnpool2d flat');
            expect(got.shape).toEqual(expected.shape);
            const unpool = new MaxUnpool2d(c.kernel, { stride: c.stride, padding: c.padding, indexMode: 'flat' });
            expect(unpool.indexMode).toBe('flat');
            expectBits(unpool.forward(y, flat, outputSize).data, expected.data, 'MaxUnpool2d flat');
          }),
          { numRuns: 60 },
        );
        // The async forms, on a stem-sized case.
        const x = { data: fillData(2 * 8 * 28 * 28, 'float32', 11) as Float32Array, shape: [2, 8, 28, 28] };
        const options = { kernelSize: 3, stride: 2, padding: 1 };
        const pool = new MaxPool2d(3, { stride: 2, padding: 1, returnIndices: true, indexMode: 'flat' });
        expect(pool.indexMode).toBe('flat');
        const [y, flat] = await pool.forwardAsync(x);
        const [y2, flat2] = await maxPool2dAsync(x, { ...options, returnIndices: true, indexMode: 'flat' });
        const [, plane] = maxPool2d(x, { ...options, returnIndices: true });
        expectBits(flat.data, planeToFlatIndices(plane, x.shape).data, 'forwardAsync flat');
        expectBits(flat2.data, flat.data, 'maxPool2dAsync flat');
        expectBits(y2.data, y.data, 'values');
        const expected = maxUnpool2d(y, plane, { ...options, outputSize: [28, 28] });
        const got = await maxUnpool2dAsync(y, flat, { ...options, outputSize: [28, 28], indexMode: 'flat' });
        expectBits(got.data, expected.data, 'maxUnpool2dAsync flat');
        const unpool = new MaxUnpool2d(3, { stride: 2, padding: 1, indexMode: 'flat' });
        expectBits((await unpool.forwardAsync(y, flat, [28, 28])).data, expected.data, 'forwardAsync unpool flat');
      }));

    it('refuses a flat index outside its plane, writes nothing and leaves the indices alone', () =>
      within(() => {
        const x = x4();
        const [y, flat] = maxPool2d(x, { kernelSize: 2, returnIndices: true, indexMode: 'flat' });
        const before = flat.data.slice();
        const bad = { data: flat.data.slice(), shape: flat.shape };
        bad.data[6] = 5n; // element 6 is in plane (0, 1): [16, 32)
        const out = new Float32Array(32).fill(42);
        const error = thrown(() => maxUnpool2d(y, bad, { kernelSize: 2, indexMode: 'flat', out }));
        expect(error).toBeInstanceOf(RangeError);
        expect(error.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
        expect(error.message).toMatch(/indices.data\[6\] = 5 is not a flat index into its own plane \(n 0, c 1\)/);
        expect([...out].every((v) => v === 42)).toBe(true);
        // A plane-mode call on flat indices is refused by the plane range check instead.
        expect(() => maxUnpool2d(y, flat, { kernelSize: 2 })).toThrow(/out of range/);
        // The converted copy is internal: the caller's flat indices are unchanged.
        maxUnpool2d(y, flat, { kernelSize: 2, indexMode: 'flat' });
        expectBits(flat.data, before, 'indices untouched');
      }));
  });
}

/**
 * The NHWC flat definition, element by element: the index tensor is [N, OH, OW, C]; element i = (n, oh, ow, c)
 * with plane index p = h * W + w gets ((n * H + h) * W + w) * C + c.
 */
function bruteFlatNhwc(plane: ArrayLike<bigint | number>, indexShape: number[], inputShape: number[]): bigint[] {
  const [H, W, C] = inputShape.slice(-3);
  const perImage = indexShape.at(-3)! * indexShape.at(-2)! * C;
  const out: bigint[] = [];
  for (let i = 0; i < plane.length; i++) {
    const n = Math.floor(i / perImage);
    const c = i % C;
    const v = Number(plane[i]);
    const [h, w] = [Math.floor(v / W), v % W];
    out.push(BigInt(((n * H + h) * W + w) * C + c));
  }
  return out;
}

describe("NHWC with indexMode 'flat': ((n * H + h) * W + w) * C + c", () => {
  it('a small case by hand, batched and unbatched', () => {
    // [N=1, H=2, W=2, C=2]: channel 0 holds 0..3, channel 1 holds 10..13 (interleaved).
    const x = { data: new Float32Array([0, 10, 1, 11, 2, 12, 3, 13]), shape: [1, 2, 2, 2] };
    const options = { kernelSize: 2, returnIndices: true, layout: 'NHWC' } as const;
    const [y, plane] = maxPool2d(x, options);
    const [, flat] = maxPool2d(x, { ...options, indexMode: 'flat' });
    expect([...y.data]).toEqual([3, 13]);
    expect([...plane.data]).toEqual([3n, 3n]);
    expect([...flat.data]).toEqual([6n, 7n]); // x.data[6] = 3, x.data[7] = 13
    const unbatched = { data: x.data, shape: [2, 2, 2] };
    const [, flat3] = maxPool2d(unbatched, { ...options, indexMode: 'flat', indexDtype: 'int32' });
    expect([...flat3.data]).toEqual([6, 7]);
    expect(flatToPlaneIndices(flat3, unbatched.shape, { layout: 'NHWC' }).data).toEqual(new Int32Array([3, 3]));
  });

  for (const backend of backendCases()) {
    it(`pooling: flat == the definition applied to plane indices, points at the maxima, converters agree (${backend.label})`, () => {
      const restore = backend.use();
      try {
        fc.assert(
          fc.property(poolCaseArb, (c) => {
            const nchw = fillData(
              c.shape.reduce((a, b) => a * b, 1),
              c.dtype,
              c.seed,
            );
            const x = toNhwc(nchw, c.shape);
            const options = {
              kernelSize: c.kernel,
              stride: c.stride,
              padding: c.padding,
              dilation: c.dilation,
              ceilMode: c.ceilMode,
              returnIndices: true as const,
              layout: 'NHWC' as const,
            };
            const [y, plane] = maxPool2d(x, options);
            const [yf, flat] = maxPool2d(x, { ...options, indexMode: 'flat' });
            const [, flat32] = maxPool2d(x, { ...options, indexMode: 'flat', indexDtype: 'int32' });
            expectBits(yf.data, y.data, 'values');
            const want = bruteFlatNhwc(plane.data, plane.shape, x.shape);
            expect([...flat.data]).toEqual(want);
            expect([...flat32.data].map(BigInt)).toEqual(want);
            const converted = planeToFlatIndices(plane, x.shape, { layout: 'NHWC' });
            expectBits(converted.data, flat.data, 'planeToFlatIndices NHWC');
            const [H, W] = x.shape.slice(-3, -1);
            const inside = [...plane.data].every((v) => Number(v) < H * W);
            if (inside) {
              expectBits(flatToPlaneIndices(flat, x.shape, { layout: 'NHWC' }).data, plane.data, 'flatToPlane');
              expectBits(
                flatToPlaneIndices(flat32, x.shape, { layout: 'NHWC' }).data,
                new Int32Array([...plane.data].map(Number)),
                'int32',
              );
              // The flat index addresses the winner in the NHWC input itself.
              const bits = (a: Float32Array | Float64Array) =>
                a instanceof Float32Array ? new Uint32Array(a.buffer) : new BigUint64Array(a.buffer);
              const src = bits(x.data as Float32Array | Float64Array);
              const got = bits(y.data as Float32Array | Float64Array);
              for (let i = 0; i < got.length; i++) {
                if (y.data[i] === Number.NEGATIVE_INFINITY) continue; // maybe a window with no tap
                expect(src[Number(flat.data[i])]).toBe(got[i]);
              }
            } else {
              expect(() => flatToPlaneIndices(flat, x.shape, { layout: 'NHWC' })).toThrow(RangeError);
            }
          }),
          { numRuns: 60 },
        );
      } finally {
        restore();
      }
    });

    it(`unpooling: flat NHWC == plane NHWC bit for bit, in every form (${backend.label})`, async () => {
      const restore = backend.use();
      try {
        fc.assert(
          fc.property(poolCaseArb, (c) => {
            if (c.dilation[0] !== 1 || c.dilation[1] !== 1) return;
            const x = toNhwc(
              fillData(
                c.shape.reduce((a, b) => a * b, 1),
                c.dtype,
                c.seed,
              ),
              c.shape,
            );
            const geometry = { kernelSize: c.kernel, stride: c.stride, padding: c.padding, layout: 'NHWC' as const };
            const poolOptions = { ...geometry, ceilMode: c.ceilMode, returnIndices: true as const };
            const [y, plane] = maxPool2d(x, poolOptions);
            const [, flat] = maxPool2d(x, { ...poolOptions, indexMode: 'flat' });
            const outputSize = x.shape.slice(-3, -1);
            let expected: ReturnType<typeof maxUnpool2d>;
            try {
              expected = maxUnpool2d(y, plane, { ...geometry, outputSize });
            } catch {
              return;
            }
            if (![...plane.data].every((v) => Number(v) < outputSize[0] * outputSize[1])) {
              expect(() => maxUnpool2d(y, flat, { ...geometry, outputSize, indexMode: 'flat' })).toThrow(RangeError);
              return;
            }
            const got = maxUnpool2d(y, flat, { ...geometry, outputSize, indexMode: 'flat' });
            expect(got.shape).toEqual(x.shape);
            expectBits(got.data, expected.data, 'maxUnpool2d flat NHWC');
            const unpool = new MaxUnpool2d(c.kernel, {
              stride: c.stride,
              padding: c.padding,
              layout: 'NHWC',
              indexMode: 'flat',
            });
            expectBits(unpool.forward(y, flat, outputSize).data, expected.data, 'MaxUnpool2d flat NHWC');
          }),
          { numRuns: 60 },
        );
        const x = toNhwc(fillData(2 * 6 * 14 * 13, 'float32', 4), [2, 6, 14, 13]);
        const pool = new MaxPool2d(3, {
          stride: 2,
          padding: 1,
          returnIndices: true,
          indexMode: 'flat',
          layout: 'NHWC',
        });
        const [y, flat] = await pool.forwardAsync(x);
        const [, plane] = maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, returnIndices: true, layout: 'NHWC' });
        expectBits(flat.data, planeToFlatIndices(plane, x.shape, { layout: 'NHWC' }).data, 'forwardAsync flat NHWC');
        const [, flat2] = await maxPool2dAsync(x, {
          kernelSize: 3,
          stride: 2,
          padding: 1,
          returnIndices: true,
          indexMode: 'flat',
          layout: 'NHWC',
        });
        expectBits(flat2.data, flat.data, 'maxPool2dAsync flat NHWC');
        const opts = { kernelSize: 3, stride: 2, padding: 1, outputSize: [14, 13], layout: 'NHWC' as const };
        const expected = maxUnpool2d(y, plane, opts);
        expectBits(
          (await maxUnpool2dAsync(y, flat, { ...opts, indexMode: 'flat' })).data,
          expected.data,
          'async unpool',
        );
      } finally {
        restore();
      }
    });
  }

  it('refuses an index in the wrong channel or image, naming it; writes nothing', () => {
    const x = { data: new Float32Array([0, 10, 1, 11, 2, 12, 3, 13]), shape: [1, 2, 2, 2] };
    const [y, flat] = maxPool2d(x, { kernelSize: 2, returnIndices: true, layout: 'NHWC', indexMode: 'flat' });
    const bad = { data: new BigInt64Array([6n, 6n]), shape: flat.shape }; // element 1 is channel 1: 6 is channel 0
    const error = thrown(() => flatToPlaneIndices(bad, x.shape, { layout: 'NHWC' }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.code).toBe('ERR_MAXPOOL2D_INVALID_INDEX');
    expect(error.message).toBe(
      'indices.data[1] = 6 is not a flat index into its own plane (n 0, c 1): it must be 1 + k * 2 with 0 <= k < 4',
    );
    const out = new Float32Array(8).fill(42);
    expect(() => maxUnpool2d(y, bad, { kernelSize: 2, layout: 'NHWC', indexMode: 'flat', out })).toThrow(
      /indices.data\[1\] = 6 is not a flat index/,
    );
    expect([...out].every((v) => v === 42)).toBe(true);
    for (const v of [-1n, 8n, 2n ** 62n, -(2n ** 62n)]) {
      expect(() =>
        flatToPlaneIndices({ data: new BigInt64Array([0n, v]), shape: flat.shape }, x.shape, { layout: 'NHWC' }),
      ).toThrow(RangeError);
    }
    expect(() =>
      flatToPlaneIndices({ data: new Int32Array([0, -1]), shape: flat.shape }, x.shape, { layout: 'NHWC' }),
    ).toThrow(RangeError);
    const negative = thrown(() =>
      planeToFlatIndices({ data: new Int32Array([0, -2]), shape: flat.shape }, x.shape, { layout: 'NHWC' }),
    );
    expect(negative.message).toBe('indices.data[1] must be a non-negative plane index, but got -2');
    expect(thrown(() => planeToFlatIndices(flat, x.shape, { layout: 'NCWH' as never })).message).toBe(
      `layout must be 'NCHW' or 'NHWC', but got "NCWH"`,
    );
    // Shapes are read in the layout: the indices' last dimension must be C.
    expect(() =>
      planeToFlatIndices({ data: new BigInt64Array(2), shape: [1, 1, 2, 1] }, x.shape, { layout: 'NHWC' }),
    ).toThrow(/indices.shape must have the rank and the leading N and the last C of inputShape/);
  });

  it('int32: refused where flat NHWC indices could pass 2^31 - 1 (plan and converter)', () => {
    const params = resolvePoolParams({ kernelSize: 2 });
    // One image of 2^15 x 2^14 x 2 = 2^30 elements fits; four images do not.
    const fits = planPool([1, 2 ** 15, 2 ** 14, 2], params, 2 ** 30, 'NHWC');
    expect(() => checkInt32FlatPool(fits)).not.toThrow();
    const big = planPool([4, 2 ** 15, 2 ** 14, 2], params, 2 ** 32, 'NHWC');
    const error = thrown(() => checkInt32FlatPool(big));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/indexDtype 'int32' cannot hold flat indices of a 4x32768x16384x2 input/);
    // The per-element check of the converter: a plane index that overflows in its channel-interleaved slot.
    const overflow = thrown(() =>
      planeToFlatIndices({ data: new Int32Array([2 ** 30, 0]), shape: [1, 1, 1, 2] }, [1, 2 ** 15, 2 ** 15, 2], {
        layout: 'NHWC',
      }),
    );
    expect(overflow).toBeInstanceOf(RangeError);
  });
});
