// Shapes whose element count or byte size overflows 2^31, 2^53 or the machine's memory: every such call must
// raise a RangeError (with the library's `code`) before anything is allocated, whatever the entry point; and
// int32 indices must refuse planes they cannot address (public API and raw binding).
//
// "Nothing allocated" is measured with process.memoryUsage().arrayBuffers across the call. Calls whose tiny
// input could make an unguarded library really allocate gigabytes (unpooling into a giant plane, an empty
// batch of giant planes) run in a child process under `ulimit -v` (test/hostile/huge-child.cjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NativeBinding } from '../binding.js';
import {
  MaxPool2d,
  MaxUnpool2d,
  maxPool2d,
  maxPool2dAsync,
  maxUnpool2d,
  maxUnpool2dAsync,
  type OutputTensor,
  type PoolWithIndices,
} from '../lib/index';

const root = path.join(__dirname, '..');

function loadBinding(): NativeBinding | null {
  try {
    return require('node-gyp-build')(root) as NativeBinding;
  } catch {
    return null;
  }
}

const binding = loadBinding();
const MiB = 1024 * 1024;
const CODES = ['ERR_OUT_OF_RANGE', 'ERR_MAXPOOL2D_BUFFER_LENGTH', 'ERR_MAXPOOL2D_OUTPUT_SIZE'];

type Result = OutputTensor | PoolWithIndices;

interface Outcome {
  error?: { name: string; code?: string; message: string };
  result?: Result;
  abGrowth: number;
  ms: number;
}

async function outcomeOf(call: () => Result | Promise<Result>): Promise<Outcome> {
  const ab0 = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  try {
    const result = await call();
    return { result, abGrowth: process.memoryUsage().arrayBuffers - ab0, ms: performance.now() - t0 };
  } catch (e) {
    const error = e as Error & { code?: string };
    return {
      error: { name: error.name, code: error.code, message: error.message },
      abGrowth: process.memoryUsage().arrayBuffers - ab0,
      ms: performance.now() - t0,
    };
  }
}

/** A coded RangeError, fast, and (almost) nothing allocated on the way. */
function expectRefused(o: Outcome, label: string, codes = CODES): void {
  expect(o.error, `${label}: expected a RangeError, got a result`).toBeDefined();
  expect(o.error?.name, `${label}: ${o.error?.message}`).toBe('RangeError');
  expect(codes, `${label}: code ${o.error?.code} (${o.error?.message})`).toContain(o.error?.code);
  expect(o.abGrowth, `${label}: ${o.abGrowth} bytes of ArrayBuffers allocated`).toBeLessThan(MiB);
  expect(o.ms, label).toBeLessThan(2000);
}

// Input shapes paired with tiny data: element counts past 2^31, 2^32, 2^53; byte sizes past 2^31.
const HUGE_SHAPES: [string, number[]][] = [
  ['2^60 elements', [1, 2 ** 20, 2 ** 20, 2 ** 20]],
  ['2^60 elements, unbatched', [2 ** 20, 2 ** 20, 2 ** 20]],
  ['2^54 elements', [2 ** 25, 2 ** 25, 4, 4]],
  ['2^53 + 2^29 elements', [2 ** 24 + 1, 2 ** 25, 4, 4]],
  ['2^32 elements', [1, 1, 2 ** 16, 2 ** 16]],
  ['2^31 elements in the batch', [2 ** 27, 1, 4, 4]],
  ['2^31 elements in one plane', [1, 1, 2 ** 16, 2 ** 15]],
  ['2^31 + 2^16 elements', [1, 1, 2 ** 16, 2 ** 15 + 1]],
  ['4 x (2^31 - 1) elements', [1, 1, 2 ** 31 - 1, 4]],
  ['2^29 elements (2^31 bytes of float32)', [1, 1, 2 ** 15, 2 ** 14]],
  ['one dimension past 2^53', [1, 1, 2 ** 60, 4]],
  ['the largest safe dimension', [1, 1, Number.MAX_SAFE_INTEGER, 4]],
];

describe('huge shapes through the public API (tiny data, in-process)', () => {
  for (const dtype of [Float32Array, Float64Array]) {
    const data = () => new dtype(4);
    for (const [label, shape] of HUGE_SHAPES) {
      const x = () => ({ data: data(), shape });
      it(`${dtype.name} ${label}: every pooling entry point refuses before allocating`, async () => {
        const calls: [string, () => Result | Promise<Result>][] = [
          ['maxPool2d', () => maxPool2d(x(), { kernelSize: 2 })],
          ['maxPool2d+indices', () => maxPool2d(x(), { kernelSize: 3, stride: 1, padding: 1, returnIndices: true })],
          ['maxPool2d int32', () => maxPool2d(x(), { kernelSize: 2, returnIndices: true, indexDtype: 'int32' })],
          ['maxPool2d ceil', () => maxPool2d(x(), { kernelSize: 2, ceilMode: true, dilation: 1 })],
          ['maxPool2dAsync', () => maxPool2dAsync(x(), { kernelSize: 2, returnIndices: true })],
          ['MaxPool2d.forward', () => new MaxPool2d(2).forward(x())],
          ['MaxPool2d.forwardAsync', () => new MaxPool2d(2, { returnIndices: true }).forwardAsync(x())],
        ];
        for (const [name, call] of calls) expectRefused(await outcomeOf(call), `${name} ${shape}`);
      });
      it(`${dtype.name} ${label}: every unpooling entry point refuses before allocating`, async () => {
        const idx = () => ({ data: new BigInt64Array(4), shape });
        const idx32 = () => ({ data: new Int32Array(4), shape });
        const calls: [string, () => Result | Promise<Result>][] = [
          ['maxUnpool2d', () => maxUnpool2d(x(), idx(), { kernelSize: 2 })],
          ['maxUnpool2d int32', () => maxUnpool2d(x(), idx32(), { kernelSize: 2 })],
          ['maxUnpool2d outputSize', () => maxUnpool2d(x(), idx(), { kernelSize: 2, outputSize: [2 ** 20, 2 ** 20] })],
          ['maxUnpool2dAsync', () => maxUnpool2dAsync(x(), idx(), { kernelSize: 2 })],
          ['MaxUnpool2d.forward', () => new MaxUnpool2d(2).forward(x(), idx())],
          ['MaxUnpool2d.forwardAsync', () => new MaxUnpool2d(3, { stride: 2 }).forwardAsync(x(), idx())],
        ];
        for (const [name, call] of calls) expectRefused(await outcomeOf(call), `${name} ${shape}`);
      });
    }
  }

  it('int32 indices refuse pooling planes whose indices need more than 31 bits (empty batch, public API)', async () => {
    const empty = (H: number, W: number) => ({ data: new Float32Array(0), shape: [0, 1, H, W] });
    for (const [H, W] of [
      [2 ** 16, 2 ** 15],
      [2 ** 31 - 1, 2],
      [2 ** 20, 2 ** 20],
    ]) {
      const o = await outcomeOf(() =>
        maxPool2d(empty(H, W), { kernelSize: 2, returnIndices: true, indexDtype: 'int32' }),
      );
      expectRefused(o, `int32 ${H}x${W}`, ['ERR_OUT_OF_RANGE']);
      const a = await outcomeOf(() =>
        maxPool2dAsync(empty(H, W), { kernelSize: 2, returnIndices: true, indexDtype: 'int32' }),
      );
      expectRefused(a, `async int32 ${H}x${W}`, ['ERR_OUT_OF_RANGE']);
    }
    // A plane whose every index fits is accepted (and the empty batch gives an empty result).
    const [out, idx] = maxPool2d(empty(2 ** 15, 2 ** 15), { kernelSize: 2, returnIndices: true, indexDtype: 'int32' });
    expect(out.shape).toEqual([0, 1, 2 ** 14, 2 ** 14]);
    expect(idx.data).toBeInstanceOf(Int32Array);
    expect(idx.data.length).toBe(0);
  });

  it('int32 indices refuse unpooling into planes of more than 2^31 elements (public API)', async () => {
    const x = { data: new Float32Array(1), shape: [1, 1, 1, 1] };
    const i32 = { data: new Int32Array(1), shape: [1, 1, 1, 1] };
    for (const kernelSize of [
      [2 ** 16, 2 ** 15 + 1],
      [2 ** 16, 2 ** 16],
      [2 ** 31 - 1, 2 ** 31 - 1],
    ]) {
      expectRefused(await outcomeOf(() => maxUnpool2d(x, i32, { kernelSize })), `int32 unpool ${kernelSize}`);
      expectRefused(await outcomeOf(() => maxUnpool2dAsync(x, i32, { kernelSize })), `int32 unpoolAsync ${kernelSize}`);
    }
    const e0 = { data: new Float32Array(0), shape: [0, 1, 1, 1] };
    const o = await outcomeOf(() =>
      maxUnpool2d(e0, { data: new Int32Array(0), shape: [0, 1, 1, 1] }, { kernelSize: [2 ** 16, 2 ** 15 + 1] }),
    );
    expectRefused(o, 'int32 unpool, empty batch', ['ERR_OUT_OF_RANGE']);
  });
});

describe.skipIf(!binding)('int32 indices on the raw binding', () => {
  const b = binding as NativeBinding;
  const f32 = (n: number) => new Float32Array(n);
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'returned';
    } catch (e) {
      return `${(e as Error).name} ${(e as { code?: string }).code}`;
    }
  };
  const pool = (H: number, W: number, indices: Int32Array | BigInt64Array) =>
    b.maxPool2d(f32(0), f32(0), indices, new Float64Array([0, H, W, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1]), 0);
  const unpool = (OH: number, OW: number, indices: Int32Array | BigInt64Array) =>
    b.maxUnpool2d(f32(0), indices, f32(0), new Float64Array([0, 2, 2, OH, OW]), 0);

  it('maxPool2d refuses Int32Array indices for input planes past 2^31 - 1 elements', async () => {
    for (const [H, W] of [
      [2 ** 16, 2 ** 15],
      [2 ** 20, 2 ** 20],
      [2 ** 31, 2 ** 22],
    ]) {
      expect(
        code(() => pool(H, W, new Int32Array(0))),
        `${H}x${W}`,
      ).toBe('RangeError ERR_OUT_OF_RANGE');
      expect(
        code(() => pool(H, W, new BigInt64Array(0))),
        `${H}x${W} int64`,
      ).toBe('returned');
      const plan = new Float64Array([0, H, W, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1]);
      expect(code(() => b.maxPool2dAsync(f32(0), f32(0), new Int32Array(0), plan, 0))).toBe(
        'RangeError ERR_OUT_OF_RANGE',
      );
    }
    expect(code(() => pool(2 ** 16, 2 ** 15 - 1, new Int32Array(0)))).toBe('returned');
  });

  it('maxUnpool2d refuses Int32Array indices for output planes past 2^31 elements', async () => {
    for (const [OH, OW] of [
      [2 ** 16, 2 ** 15 + 1],
      [2 ** 32, 2],
      [2 ** 26, 2 ** 26],
    ]) {
      expect(
        code(() => unpool(OH, OW, new Int32Array(0))),
        `${OH}x${OW}`,
      ).toBe('RangeError ERR_OUT_OF_RANGE');
      expect(
        code(() => unpool(OH, OW, new BigInt64Array(0))),
        `${OH}x${OW} int64`,
      ).toBe('returned');
      const plan = new Float64Array([0, 2, 2, OH, OW]);
      expect(code(() => b.maxUnpool2dAsync(f32(0), new Int32Array(0), f32(0), plan, 0))).toBe(
        'RangeError ERR_OUT_OF_RANGE',
      );
    }
    expect(code(() => unpool(2 ** 16, 2 ** 15, new Int32Array(0)))).toBe('returned');
  });
});

// ---------------------------------------------------------------------------------------------------
// Outputs and scratch that only a guard can keep from being allocated: in a memory-capped child process.

interface ChildLine {
  name: string;
  outcome: 'throw' | 'return';
  errorName?: string;
  code?: string;
  message?: string;
  resultLength?: number;
  abGrowth: number;
  ms: number;
}

const dist = path.join(root, 'dist', 'index.js');

function runHugeChild(): { lines: ChildLine[]; crashed: string | null } {
  const script = path.join(__dirname, 'hostile', 'huge-child.cjs');
  const underAsan = (process.env.LD_PRELOAD ?? '').includes('asan');
  // ASan reserves terabytes of shadow memory, so it cannot run under `ulimit -v`: cap its allocations instead.
  const child = underAsan
    ? spawnSync(process.execPath, [script], {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          ...process.env,
          ASAN_OPTIONS: `${process.env.ASAN_OPTIONS ?? ''}:allocator_may_return_null=1:max_allocation_size_mb=4096`,
        },
      })
    : spawnSync('bash', ['-c', 'ulimit -v 6000000 && exec "$0" "$1"', process.execPath, script], {
        encoding: 'utf8',
        timeout: 60_000,
      });
  const parsed = child.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ChildLine & { start?: string; done?: boolean });
  const done = parsed.some((l) => l.done);
  const started = parsed.filter((l) => l.start).at(-1)?.start ?? '(none)';
  const crashed =
    done && child.status === 0
      ? null
      : `child died in "${started}": status ${child.status}, signal ${child.signal}, ${child.error?.message ?? ''} ${child.stderr.slice(-2000)}`;
  return { lines: parsed.filter((l) => l.name) as ChildLine[], crashed };
}

const ELEMENTS: Record<string, number> = {
  '2^62': (2 ** 31 - 1) ** 2,
  '2^40': 2 ** 40,
  '2^34': 2 ** 34,
  '2^32': 2 ** 32,
  '2^31': 2 ** 31,
  '2^31+2^16': 2 ** 16 * (2 ** 15 + 1),
};

describe.skipIf(!existsSync(dist))('huge outputs and scratch (public API, memory-capped child process)', () => {
  const { lines, crashed } = existsSync(dist) ? runHugeChild() : { lines: [], crashed: null };

  it('the child process ran every scenario and exited by itself', () => {
    expect(crashed).toBeNull();
    expect(lines.length).toBeGreaterThan(40);
  });

  it('unpooling a tiny input into an output larger than memory (or than 2^53 elements) is a coded RangeError', () => {
    const problems: string[] = [];
    for (const l of lines.filter((x) => x.name.includes('/output-'))) {
      const label = l.name.split('/output-')[1];
      const bytes = ELEMENTS[label] * (l.name.includes('/f64/') ? 8 : 4);
      const mustRefuse = bytes > os.totalmem() || ELEMENTS[label] > Number.MAX_SAFE_INTEGER;
      const coded = l.outcome === 'throw' && l.errorName === 'RangeError' && CODES.includes(l.code ?? '');
      if (l.abGrowth >= MiB) problems.push(`${l.name}: ${l.abGrowth} bytes allocated`);
      if (mustRefuse && !coded) {
        problems.push(`${l.name}: ${l.outcome} ${l.errorName ?? ''} ${l.code ?? 'no code'} (${l.message})`);
      }
      // Smaller than memory: allowed to run; here `ulimit -v` makes the allocation fail, which must still be a
      // RangeError rather than a crash.
      if (!mustRefuse && l.outcome === 'throw' && l.errorName !== 'RangeError') {
        problems.push(`${l.name}: ${l.errorName} ${l.message}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('an empty batch of giant planes gives an empty result (or a coded RangeError) without allocating', () => {
    const problems: string[] = [];
    for (const l of lines.filter((x) => x.name.includes('/N=0/'))) {
      const ok = l.outcome === 'return' ? l.resultLength === 0 : CODES.includes(l.code ?? '');
      if (!ok) problems.push(`${l.name}: ${l.outcome} ${l.errorName ?? ''} ${l.code ?? 'no code'} (${l.message})`);
      if (l.abGrowth >= MiB) problems.push(`${l.name}: ${l.abGrowth} bytes of ArrayBuffers allocated`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
