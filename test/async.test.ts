/**
 * The async forms: same results as the sync ones (bit for bit), errors as rejections, AbortSignal, buffers kept
 * alive while work is in flight, and many concurrent calls.
 */
import { describe, expect, it } from 'vitest';
import { MaxPool2d, MaxUnpool2d, maxPool2d, maxPool2dAsync, maxUnpool2d, maxUnpool2dAsync } from '../lib/index';
import { ISSUE_BUDGET_MS } from '../lib/issue';
import { backendCases } from './helpers/backends';
import { expectBits } from './helpers/bits';
import { fillData } from './helpers/random-case';

const stem = () => ({ data: fillData(64 * 112 * 112, 'float32', 7) as Float32Array, shape: [1, 64, 112, 112] });
const stemOptions = { kernelSize: 3, stride: 2, padding: 1 };

for (const backend of backendCases()) {
  describe(`async on ${backend.label}`, () => {
    const within = backend.within;

    it('gives the sync results bit for bit, values and indices', () =>
      within(async () => {
        const x = stem();
        const [syncOut, syncIdx] = maxPool2d(x, { ...stemOptions, returnIndices: true });
        const [out, idx] = await maxPool2dAsync(x, { ...stemOptions, returnIndices: true });
        expectBits(out.data, syncOut.data, 'values');
        expectBits(idx.data, syncIdx.data, 'indices');
        const pool = new MaxPool2d(3, { stride: 2, padding: 1, returnIndices: true });
        const [modOut] = await pool.forwardAsync(x);
        expectBits(modOut.data, syncOut.data, 'forwardAsync');
        const restored = await maxUnpool2dAsync(out, idx, { ...stemOptions, outputSize: [112, 112] });
        expectBits(restored.data, maxUnpool2d(out, idx, { ...stemOptions, outputSize: [112, 112] }).data, 'unpool');
        const unpool = new MaxUnpool2d(3, { stride: 2, padding: 1 });
        expectBits((await unpool.forwardAsync(out, idx, [112, 112])).data, restored.data, 'MaxUnpool2d.forwardAsync');
      }));

    it('rejects instead of throwing', () =>
      within(async () => {
        const bad = maxPool2dAsync(stem(), { kernelSize: 0 });
        await expect(bad).rejects.toThrow(RangeError);
        await expect(maxPool2dAsync({ data: [1] as never, shape: [1, 1, 1] }, { kernelSize: 1 })).rejects.toThrow(
          TypeError,
        );
      }));

    it('honours an AbortSignal aborted before the work starts', () =>
      within(async () => {
        const controller = new AbortController();
        controller.abort(new Error('client went away'));
        const call = maxPool2dAsync(stem(), { ...stemOptions, signal: controller.signal });
        await expect(call).rejects.toMatchObject({ name: 'AbortError' });
        await expect(maxPool2dAsync(stem(), { ...stemOptions, signal: {} as never })).rejects.toThrow(TypeError);
        const live = new AbortController();
        await expect(maxPool2dAsync(stem(), { ...stemOptions, signal: live.signal })).resolves.toBeDefined();
      }));

    it('rejects a bad unpool index and leaves out untouched', () =>
      within(async () => {
        const y = { data: new Float32Array([1, 2, 3, 4]), shape: [1, 1, 2, 2] };
        const idx = { data: new Int32Array([0, 1, 99, 2]), shape: [1, 1, 2, 2] };
        const out = new Float32Array(16).fill(5);
        await expect(maxUnpool2dAsync(y, idx, { kernelSize: 2, out })).rejects.toMatchObject({
          code: 'ERR_MAXPOOL2D_INVALID_INDEX',
        });
        expect(out.every((v) => v === 5)).toBe(true);
      }));

    // 200 on native (the issue's load); the JS backend runs them on one thread, so fewer keep the suite quick.
    const concurrent = backend.label === 'js' ? 20 : 200;
    it(`runs ${concurrent} concurrent calls, every result exact`, () =>
      within(async () => {
        const x = stem();
        const expected = maxPool2d(x, stemOptions).data;
        // Each input copy is dropped right after the call: the binding must keep it alive.
        const calls = Array.from({ length: concurrent }, () =>
          maxPool2dAsync({ data: x.data.slice(), shape: x.shape }, stemOptions),
        );
        for (const result of await Promise.all(calls)) expectBits(result.data, expected, 'concurrent result');
      }));

    it('issues for at most ISSUE_BUDGET_MS per turn: later calls wait in order, one aborted meanwhile rejects', () =>
      within(async () => {
        const x = stem();
        const expected = maxPool2d(x, stemOptions).data;
        const first = maxPool2dAsync(x, stemOptions); // opens this turn's issuing window
        const until = performance.now() + 3 * ISSUE_BUDGET_MS;
        while (performance.now() < until) {} // the rest of this turn is past the budget
        const controller = new AbortController();
        const waiting = maxPool2dAsync(x, { ...stemOptions, signal: controller.signal });
        const out = new Float32Array(expected.length);
        const after = maxPool2dAsync(x, { ...stemOptions, out });
        controller.abort(new Error('client went away'));
        await expect(waiting).rejects.toMatchObject({ name: 'AbortError', cause: { message: 'client went away' } });
        expectBits((await first).data, expected, 'first');
        expectBits((await after).data, expected, 'after');
        expectBits(out, expected, 'out');
      }));
  });
}
