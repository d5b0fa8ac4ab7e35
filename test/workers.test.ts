// worker_threads against the compiled package (dist/index.js), each scenario in its own child process so
// that thread counts and exit behaviour belong to that process alone:
//  (a) scripts/workers-stress.mjs: 8 Workers x 1000 maxPool2d calls at once (sync and async, mixed small
//      shapes), every result bit-exact against a precomputed reference; the addon's pool is process-wide,
//      so the process's thread count (/proc/self/task) returns to its baseline and never grows per Worker
//      beyond the Workers' own threads;
//  (b) test/hostile/terminate-inflight.cjs: Workers torn down (terminate(), process.exit(), an uncaught
//      error) with async work in flight; the main thread keeps computing exact results and the process
//      exits by itself with code 0.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist', 'index.js');

function nativeLoads(): boolean {
  try {
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

const native = nativeLoads();
const POOL_THREADS = 4; // > cores here, so per-Worker pools would show up as 8 x 3 extra threads

function run(script: string, args: string[], timeout: number) {
  if (!existsSync(dist)) throw new Error('dist/index.js is missing: run `npm run build:ts` first');
  return spawnSync(process.execPath, [script, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, MAXPOOL2D_NUM_THREADS: String(POOL_THREADS) },
  });
}

interface StressSummary {
  workers: number;
  callsPerWorker: number;
  syncCalls: number;
  asyncCalls: number;
  mismatches: number;
  firstMismatch: string | null;
  exitCodes: number[];
  threads: { before: number; peak: number; after: number; cores: number; poolSetting: number };
  backend: { name: string; isa?: string };
  runMs: number;
}

describe.skipIf(!native)('worker_threads (child processes, dist/index.js)', () => {
  it('8 Workers x 1000 calls at once: bit-exact results, one shared pool, bounded threads', () => {
    const child = run(
      path.join(root, 'scripts', 'workers-stress.mjs'),
      ['--workers', '8', '--calls', '1000', '--json'],
      90_000,
    );
    expect(child.error, child.stderr).toBeUndefined();
    expect(child.signal, child.stderr).toBeNull();
    const summary = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as StressSummary;
    expect(summary.backend.name).toBe('native');
    expect(summary.mismatches, summary.firstMismatch ?? '').toBe(0);
    expect(summary.syncCalls + summary.asyncCalls).toBe(8 * 1000);
    expect(summary.syncCalls).toBeGreaterThan(0);
    expect(summary.asyncCalls).toBeGreaterThan(0);
    expect(summary.exitCodes).toEqual(Array(8).fill(0));
    expect(child.status, child.stderr).toBe(0);

    const { before, peak, after, poolSetting } = summary.threads;
    expect(poolSetting).toBe(POOL_THREADS);
    // `before` already counts main + V8's platform workers + libuv's 4 + the addon's helpers (warmed up with
    // a call using the whole pool setting). While the Workers run, each adds its own thread and nothing
    // else: a pool per environment would add up to 8 x (POOL_THREADS - 1) more.
    expect(peak - before, JSON.stringify(summary.threads)).toBeLessThanOrEqual(8 + 2);
    expect(after - before, JSON.stringify(summary.threads)).toBeLessThanOrEqual(1);
    // An absolute sanity bound too: cores + pool helpers + libuv (4) + V8 platform (4) + a few of Node's own.
    expect(after).toBeLessThanOrEqual(summary.threads.cores + POOL_THREADS + 4 + 4 + 6);
  }, 120_000);

  it('Workers terminated with async work in flight: the process exits cleanly with code 0', () => {
    const child = run(path.join(__dirname, 'hostile', 'terminate-inflight.cjs'), ['4', '6'], 60_000);
    expect(child.error, `${child.stdout}\n${child.stderr}`).toBeUndefined(); // a timeout: the process hung
    expect(child.signal, `${child.stdout}\n${child.stderr}`).toBeNull();
    expect(child.status, `${child.stdout}\n${child.stderr}`).toBe(0);
    expect(child.stdout).toMatch(/^OK \{"workers":24,/m);
  }, 120_000);
});
