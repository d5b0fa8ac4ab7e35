/**
 * Native vs JS, bit for bit, on random geometries and adversarial data: values, int64 and int32 indices, and
 * unpooling of the indices, on every ISA. A fixed seed keeps CI reproducible; `npm run test:fuzz` runs many more.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeBinding, setActiveBackend } from '../lib/backend';
import { maxPool2d, maxUnpool2d } from '../lib/index';
import { expectBits } from './helpers/bits';
import { fillData, type PoolCase, poolCaseArb } from './helpers/random-case';

const binding = nativeBinding();
const runs = Number(process.env.PARITY_RUNS ?? 300);
const seed = Number(process.env.PARITY_SEED ?? 20261126);

function runOn(which: 'js' | 'native', isa: string | null, c: PoolCase) {
  setActiveBackend(which);
  const previousIsa = binding && isa ? binding.setIsa(isa) && binding.isa() : null;
  try {
    const length = c.shape.reduce((a, b) => a * b, 1);
    const input = { data: fillData(length, c.dtype, c.seed), shape: c.shape };
    const options = {
      kernelSize: c.kernel,
      stride: c.stride,
      padding: c.padding,
      dilation: c.dilation,
      ceilMode: c.ceilMode,
    };
    const values = maxPool2d(input, options);
    const [out64, idx64] = maxPool2d(input, { ...options, returnIndices: true });
    const [, idx32] = maxPool2d(input, { ...options, returnIndices: true, indexDtype: 'int32', threads: 1 });
    // Unpool what was pooled, when every index lies inside the input (windows with no tap may point outside).
    const planeSize = BigInt(c.shape.at(-1)! * c.shape.at(-2)!);
    const inside = Array.from(idx64.data as BigInt64Array).every((v) => v >= 0n && v < planeSize);
    const unpooled = inside
      ? maxUnpool2d(out64, idx64, {
          kernelSize: c.kernel,
          stride: c.stride,
          padding: c.padding,
          outputSize: c.shape.slice(-2),
        } as never)
      : null;
    return { values, out64, idx64, idx32, unpooled };
  } catch (error) {
    return { error: error as Error };
  } finally {
    if (previousIsa && binding) binding.setIsa(previousIsa);
    setActiveBackend('default');
  }
}

describe.skipIf(!binding)('native matches JS bit for bit', () => {
  const isas = binding ? binding.supportedIsas() : [];
  it.each(isas)('on %s', (isa) => {
    fc.assert(
      fc.property(poolCaseArb, (c) => {
        const js = runOn('js', null, c);
        const native = runOn('native', isa, c);
        if ('error' in js || 'error' in native) {
          // Unpool may legitimately refuse an outputSize PyTorch refuses; both backends must agree.
          expect(String(native.error?.message)).toBe(String(js.error?.message));
          return;
        }
        expectBits(native.values.data, js.values.data, 'values');
        expectBits(native.out64.data, js.out64.data, 'values (with indices)');
        expectBits(native.idx64.data, js.idx64.data, 'int64 indices');
        expectBits(native.idx32.data, js.idx32.data, 'int32 indices');
        if (js.unpooled && native.unpooled) expectBits(native.unpooled.data, js.unpooled.data, 'unpooled');
      }),
      { numRuns: runs, seed },
    );
  });
});
