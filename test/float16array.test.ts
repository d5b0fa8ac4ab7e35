/**
 * `Float16Array` input (Node 24+): everywhere a `Uint16Array` with `dtype: 'float16'` works, a `Float16Array` must
 * give the same bits (NaN payloads included), with `dtype: 'float16'` inferred and a `Float16Array` result over
 * the same memory. Compared bit for bit against the Uint16Array + dtype path on every backend. Node 20 has no
 * Float16Array: there the suite is skipped (`npm run test:node26` runs it).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MaxPool2d,
  MaxUnpool2d,
  maxPool2d,
  maxPool2dAsync,
  maxPool2dBackward,
  maxUnpool2d,
  maxUnpool2dAsync,
  type PoolWithIndices,
} from '../lib/index';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { fillDType, toNhwc } from './helpers/dtypes';
import { type PoolCase, poolCaseArb } from './helpers/random-case';

const F16 = (globalThis as { Float16Array?: typeof Float16Array }).Float16Array;
const runs = Number(process.env.DTYPE_RUNS ?? 60);
const seed = Number(process.env.PARITY_SEED ?? 20261126);

type Thrown = Error & { code?: string };

function thrown(fn: () => unknown): Thrown {
  try {
    fn();
  } catch (error) {
    return error as Thrown;
  }
  throw new Error('expected a throw');
}

/** The bits of a Float16Array, as a Uint16Array over the same memory. */
function bitsOf(a: unknown): Uint16Array {
  expect(F16 && a instanceof F16, 'a Float16Array').toBe(true);
  const f = a as Float16Array;
  return new Uint16Array(f.buffer, f.byteOffset, f.length);
}

function geometry(c: PoolCase) {
  return { kernelSize: c.kernel, stride: c.stride, padding: c.padding, dilation: c.dilation, ceilMode: c.ceilMode };
}

const reason = F16 ? '' : ' (skipped: this runtime has no globalThis.Float16Array; run `npm run test:node26`)';

for (const backend of backendCases()) {
  describe.skipIf(!F16)(`Float16Array == Uint16Array + dtype 'float16' on ${backend.label}${reason}`, () => {
    let restore: () => void;
    beforeAll(() => {
      restore = backend.use();
    });
    afterAll(() => restore?.());
    const Half = F16 as typeof Float16Array;

    it.each(['NCHW', 'NHWC'] as const)('pool and unpool, random cases with NaN payloads, %s', (layout) => {
      fc.assert(
        fc.property(poolCaseArb, (c) => {
          const length = c.shape.reduce((a, b) => a * b, 1);
          const nchw = fillDType(length, 'float16', c.seed) as Uint16Array;
          const t = layout === 'NHWC' ? toNhwc(nchw, c.shape) : { data: nchw, shape: c.shape };
          const u16 = t.data as Uint16Array;
          const before = u16.slice();
          const f16 = new Half(u16.buffer, u16.byteOffset, u16.length); // the same memory
          const options = { ...geometry(c), layout, returnIndices: true as const };
          let ref: PoolWithIndices<Uint16Array> | undefined;
          let refError: unknown;
          try {
            ref = maxPool2d({ data: u16, shape: t.shape, dtype: 'float16' }, options);
          } catch (error) {
            refError = error;
          }
          if (!ref) {
            expect(thrown(() => maxPool2d({ data: f16, shape: t.shape }, options)).message).toBe(
              (refError as Error).message,
            );
            return;
          }
          const [y, idx] = maxPool2d({ data: f16, shape: t.shape }, options);
          expect(y.dtype).toBe('float16');
          expect(y.shape).toEqual(ref[0].shape);
          expectBits(bitsOf(y.data), ref[0].data, 'values');
          expectBits(idx.data, ref[1].data, 'indices');
          expectBits(
            bitsOf(maxPool2d({ data: f16, shape: t.shape }, { ...geometry(c), layout }).data),
            ref[0].data,
            'values only',
          );
          // flat indices too, and an explicit dtype: 'float16' is accepted with a Float16Array
          const [, flat] = maxPool2d(
            { data: f16, shape: t.shape, dtype: 'float16' },
            { ...options, indexMode: 'flat' },
          );
          const [, refFlat] = maxPool2d(
            { data: u16, shape: t.shape, dtype: 'float16' },
            { ...options, indexMode: 'flat' },
          );
          expectBits(flat.data, refFlat.data, 'flat indices');
          expectBits(u16, before, 'input untouched');

          // Unpooling a Float16Array result (where every index lies in its plane) gives a Float16Array.
          const [H, W] = layout === 'NHWC' ? c.shape.slice(-3, -1) : c.shape.slice(-2);
          if (c.dilation[0] !== 1 || c.dilation[1] !== 1) return;
          if (![...ref[1].data].every((v) => Number(v) < H * W)) return;
          const unpoolOptions = {
            kernelSize: c.kernel,
            stride: c.stride,
            padding: c.padding,
            outputSize: [H, W],
            layout,
          };
          let want: Uint16Array;
          try {
            want = maxUnpool2d({ ...ref[0], dtype: 'float16' }, ref[1], unpoolOptions).data as Uint16Array;
          } catch {
            return; // outputSize outside PyTorch's window for this geometry
          }
          const z = maxUnpool2d(y, idx, unpoolOptions);
          expect(z.dtype).toBe('float16');
          expectBits(bitsOf(z.data), want, 'unpooled');
        }),
        { numRuns: runs, seed },
      );
    });

    it('NaN payloads, signalling NaNs, -0 and subnormals keep their exact bits', () => {
      const specials = [0x7e01, 0x7c01, 0xfe00, 0x8000, 0x0001, 0x8001, 0x7c00, 0xfc00];
      const u16 = new Uint16Array(specials.flatMap((b) => [b, 0xfc00, 0xfc00, 0xfc00]));
      const x = { data: new Half(u16.buffer), shape: [specials.length, 2, 2] };
      const y = maxPool2d(x, { kernelSize: 2 });
      expect([...bitsOf(y.data)]).toEqual(specials.map((b) => (b === 0xfc00 ? 0xfc00 : b)));
    });

    it('async forms and modules', async () => {
      const shape = [2, 5, 9, 8];
      const u16 = fillDType(2 * 5 * 9 * 8, 'float16', 3) as Uint16Array;
      const f16 = new Half(u16.buffer);
      const ref = maxPool2d(
        { data: u16, shape, dtype: 'float16' },
        { kernelSize: 3, stride: 2, padding: 1, returnIndices: true },
      );
      const [ya, ia] = await maxPool2dAsync(
        { data: f16, shape },
        { kernelSize: 3, stride: 2, padding: 1, returnIndices: true },
      );
      expectBits(bitsOf(ya.data), ref[0].data, 'maxPool2dAsync');
      expectBits(ia.data, ref[1].data, 'maxPool2dAsync indices');
      const pool = new MaxPool2d(3, { stride: 2, padding: 1, returnIndices: true });
      const [ym, im] = pool.forward({ data: f16, shape });
      expectBits(bitsOf(ym.data), ref[0].data, 'MaxPool2d');
      expectBits(im.data, ref[1].data, 'MaxPool2d indices');
      const [yf] = await pool.forwardAsync({ data: f16, shape });
      expectBits(bitsOf(yf.data), ref[0].data, 'forwardAsync');

      const want = maxUnpool2d({ ...ref[0], dtype: 'float16' }, ref[1], {
        kernelSize: 3,
        stride: 2,
        padding: 1,
        outputSize: [9, 8],
      });
      const za = await maxUnpool2dAsync(ym, im, { kernelSize: 3, stride: 2, padding: 1, outputSize: [9, 8] });
      expectBits(bitsOf(za.data), want.data, 'maxUnpool2dAsync');
      const unpool = new MaxUnpool2d(3, { stride: 2, padding: 1 });
      expectBits(bitsOf(unpool.forward(ym, im, [9, 8]).data), want.data, 'MaxUnpool2d');
      expectBits(bitsOf((await unpool.forwardAsync(ym, im, [9, 8])).data), want.data, 'MaxUnpool2d async');
    });

    it('out buffers: a Float16Array out is the result; a Uint16Array out gets a Float16Array view', () => {
      const shape = [1, 3, 4, 4];
      const u16 = fillDType(48, 'float16', 7) as Uint16Array;
      const f16 = new Half(u16.buffer);
      const ref = maxPool2d({ data: u16, shape, dtype: 'float16' }, { kernelSize: 2 });
      const out = new Half(12);
      const y = maxPool2d({ data: f16, shape }, { kernelSize: 2, out });
      expect(y.data).toBe(out);
      expectBits(bitsOf(out), ref.data, 'Float16Array out');
      const outBits = new Uint16Array(12);
      const y2 = maxPool2d({ data: f16, shape }, { kernelSize: 2, out: outBits });
      expect(y2.data).toBeInstanceOf(Half);
      expect((y2.data as Float16Array).buffer).toBe(outBits.buffer);
      expectBits(outBits, ref.data, 'Uint16Array out');
      // A Float16Array out for a Uint16Array + dtype float16 input: written, the result keeps the input's kind.
      const out3 = new Half(12);
      const y3 = maxPool2d({ data: u16, shape, dtype: 'float16' }, { kernelSize: 2, out: out3 });
      expect(y3.data).toBeInstanceOf(Uint16Array);
      expectBits(bitsOf(out3), ref.data, 'Float16Array out, Uint16Array input');
      // unpool into a Float16Array out
      const [yi, ii] = maxPool2d({ data: f16, shape }, { kernelSize: 2, returnIndices: true });
      const zout = new Half(48).fill(5);
      const z = maxUnpool2d(yi, ii, { kernelSize: 2, out: zout });
      expect(z.data).toBe(zout);
      const want = maxUnpool2d({ data: ref.data, shape: ref.shape, dtype: 'float16' }, ii, { kernelSize: 2 });
      expectBits(bitsOf(zout), want.data, 'unpool out');
    });

    it('refuses what does not fit, with typed errors naming the parameter', () => {
      const shape = [1, 2, 2];
      const x = { data: new Half(4), shape };
      const bad = thrown(() => maxPool2d({ ...x, dtype: 'bfloat16' }, { kernelSize: 2 }));
      expect(bad).toBeInstanceOf(TypeError);
      expect(bad.code).toBe('ERR_INVALID_ARG_TYPE');
      expect(bad.message).toBe(`input.dtype must be 'float16' as its data is, but got "bfloat16"`);
      const out = thrown(() => maxPool2d({ data: new Float32Array(4), shape }, { kernelSize: 2, out: new Half(1) }));
      expect(out).toBeInstanceOf(TypeError);
      expect(out.message).toMatch(/^out must be a float32 array like the input, but got Float16Array\(1\)/);
      const len = thrown(() => maxPool2d(x, { kernelSize: 2, out: new Half(2) }));
      expect(len).toBeInstanceOf(RangeError);
      expect(len.message).toBe('out.length must be 1, but got 2');
      const alias = thrown(() => maxPool2d(x, { kernelSize: 2, out: new Uint16Array(x.data.buffer, 0, 1) }));
      expect(alias.code).toBe('ERR_MAXPOOL2D_ALIASING');
      // The gradients take Float16Array too (they have float16 kernels): same bits as Uint16Array + dtype.
      const dy = new Half(1);
      new Uint16Array(dy.buffer).set([0x3c00]);
      const idx = { data: new BigInt64Array([3n]), shape: [1, 1, 1] };
      const dx = maxPool2dBackward({ data: dy, shape: [1, 1, 1] }, idx, { kernelSize: 2, inputShape: shape });
      const dxBits = maxPool2dBackward({ data: new Uint16Array(dy.buffer), shape: [1, 1, 1], dtype: 'float16' }, idx, {
        kernelSize: 2,
        inputShape: shape,
      });
      expect(dx.data).toBeInstanceOf(Half);
      expect(Array.from(new Uint16Array((dx.data as ArrayBufferView).buffer))).toEqual(Array.from(dxBits.data));
    });
  });
}

describe('Float16Array availability', () => {
  it(`is ${F16 ? 'present' : 'absent'} in Node ${process.versions.node}; dtype errors list it only where it exists`, () => {
    const error = thrown(() => maxPool2d({ data: [1, 2, 3, 4] as never, shape: [1, 2, 2] }, { kernelSize: 2 }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message.includes('Float16Array')).toBe(F16 !== undefined);
  });
});
