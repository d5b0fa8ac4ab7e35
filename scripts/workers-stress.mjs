// Many worker_threads Workers hammering the compiled package (dist/index.js) at once, sync and async calls
// mixed, every result compared bit for bit with a precomputed expectation; the process's thread count is
// sampled before, during and after, to show the addon's pool is shared by every environment.
//
//   node scripts/workers-stress.mjs [--workers 8] [--calls 1000] [--seed 1] [--json]
//
// test/workers.test.ts runs it as a child process with --json and checks the figures; run by hand it prints
// a summary. Exit code 0 only if every result matched. Requires `npm run build:ts` (dist/).
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist', 'index.js');
const ref = require(path.join(root, 'test', 'hostile', 'reference.cjs'));

const threadCount = () => readdirSync('/proc/self/task').length;

function args() {
  const out = { workers: 8, calls: 1000, seed: 1, json: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') out.json = true;
    else if (a === '--workers') out.workers = Number(argv[++i]);
    else if (a === '--calls') out.calls = Number(argv[++i]);
    else if (a === '--seed') out.seed = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

/** Mixed small shapes, most above the size where the API hands work to the native backend. */
function makeCases(api, seed, count) {
  const next = ref.rng(seed);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const cases = [];
  for (let i = 0; i < count; i++) {
    const k = [int(1, 4), int(1, 4)];
    const s = [int(1, 3), int(1, 3)];
    const p = [int(0, Math.floor(k[0] / 2)), int(0, Math.floor(k[1] / 2))];
    const d = [int(1, 2), int(1, 2)];
    const ceilMode = next() < 0.3;
    const batched = next() < 0.7;
    const N = batched ? int(1, 2) : 1;
    const C = int(1, 4);
    const H = int(Math.max(4, (k[0] - 1) * d[0] + 1), 36);
    const W = int(Math.max(4, (k[1] - 1) * d[1] + 1), 36);
    const dtype = next() < 0.5 ? 'float32' : 'float64';
    const returnIndices = next() < 0.6;
    const indexDtype = next() < 0.5 ? 'int64' : 'int32';
    const OH = api.pooledSize(H, k[0], s[0], p[0], d[0], ceilMode);
    const OW = api.pooledSize(W, k[1], s[1], p[1], d[1], ceilMode);
    const data = ref.fillAdversarial(
      dtype === 'float32' ? new Float32Array(N * C * H * W) : new Float64Array(N * C * H * W),
      seed * 1000 + i,
    );
    const g = {
      planes: N * C,
      H,
      W,
      OH,
      OW,
      kH: k[0],
      kW: k[1],
      sH: s[0],
      sW: s[1],
      pH: p[0],
      pW: p[1],
      dH: d[0],
      dW: d[1],
    };
    const want = ref.referencePool(data, g);
    cases.push({
      input: { data, shape: batched ? [N, C, H, W] : [C, H, W] },
      options: { kernelSize: k, stride: s, padding: p, dilation: d, ceilMode, returnIndices, indexDtype },
      outShape: batched ? [N, C, OH, OW] : [C, OH, OW],
      output: want.output,
      indices:
        indexDtype === 'int64' ? BigInt64Array.from(want.indices, (v) => BigInt(v)) : Int32Array.from(want.indices),
    });
  }
  return cases;
}

/** null when `result` matches `c`, else what differs. */
function compare(c, result) {
  const [out, idx] = c.options.returnIndices ? result : [result, null];
  if (out.shape.join() !== c.outShape.join()) return `shape ${out.shape} != ${c.outShape}`;
  const at = ref.firstBitDifference(out.data, c.output);
  if (at >= 0) return `output[${at}] differs`;
  if (idx) {
    if (idx.data.constructor !== c.indices.constructor) return `indices are ${idx.data.constructor.name}`;
    const bad = ref.firstBitDifference(idx.data, c.indices);
    if (bad >= 0) return `indices[${bad}] = ${idx.data[bad]}, expected ${c.indices[bad]}`;
  }
  return null;
}

async function workerMain() {
  const api = require(dist);
  const { cases, calls, index, barrier } = workerData;
  const gate = new Int32Array(barrier);
  Atomics.add(gate, 1, 1); // ready
  Atomics.wait(gate, 0, 0); // every Worker starts at once
  let mismatches = 0;
  let first = null;
  let syncCalls = 0;
  let asyncCalls = 0;
  const inFlight = new Set();
  const note = (c, result, label) => {
    const why = compare(c, result);
    if (why) {
      mismatches++;
      first ??= `${label}: ${why}`;
    }
  };
  for (let i = 0; i < calls; i++) {
    const caseIndex = (i * 7 + index * 13) % cases.length;
    const c = cases[caseIndex];
    const threads = i % 5 === 0 ? { threads: 1 + (i % 3) } : {};
    if (i % 2 === 0) {
      note(c, api.maxPool2d(c.input, { ...c.options, ...threads }), `sync call ${i} case ${caseIndex}`);
      syncCalls++;
    } else {
      const p = api.maxPool2dAsync(c.input, { ...c.options, ...threads }).then((r) => {
        note(c, r, `async call ${i} case ${caseIndex}`);
        inFlight.delete(p);
      });
      inFlight.add(p);
      asyncCalls++;
      if (inFlight.size >= 8) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  parentPort.postMessage({ mismatches, first, syncCalls, asyncCalls });
}

async function main() {
  const opts = args();
  const api = require(dist);
  const started = Date.now();
  const cases = makeCases(api, opts.seed, 24);
  // Warm up on the main thread: the addon's helper threads and libuv's pool start on first use. One call
  // large enough for every thread of the pool setting starts all the helpers the process should ever have.
  const big = { data: new Float32Array(8 * 96 * 96).fill(1), shape: [1, 8, 96, 96] };
  api.maxPool2d(big, { kernelSize: 3, stride: 1, padding: 1, threads: api.getNumThreads() });
  await api.maxPool2dAsync(big, { kernelSize: 3, stride: 1, padding: 1 });
  for (const c of cases.slice(0, 4)) {
    const why =
      compare(c, api.maxPool2d(c.input, c.options)) ?? compare(c, await api.maxPool2dAsync(c.input, c.options));
    if (why) throw new Error(`warm-up mismatch: ${why}`);
  }
  await new Promise((r) => setTimeout(r, 50));
  const before = threadCount();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, threadCount());
  }, 2);

  const barrier = new SharedArrayBuffer(8);
  const gate = new Int32Array(barrier);
  const workers = Array.from(
    { length: opts.workers },
    (_, index) => new Worker(new URL(import.meta.url), { workerData: { cases, calls: opts.calls, index, barrier } }),
  );
  const results = workers.map(
    (w) =>
      new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      }),
  );
  const exits = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));
  while (Atomics.load(gate, 1) < opts.workers) await new Promise((r) => setTimeout(r, 1));
  peak = Math.max(peak, threadCount());
  const runStart = Date.now();
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);
  const reports = await Promise.all(results);
  const runMs = Date.now() - runStart;
  const exitCodes = await Promise.all(exits);
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 100)); // let exited Workers' threads be reaped
  const after = threadCount();

  // The main thread still computes correctly after its Workers are gone.
  const last = cases[cases.length - 1];
  const afterWhy =
    compare(last, api.maxPool2d(last.input, last.options)) ??
    compare(last, await api.maxPool2dAsync(last.input, last.options));

  const summary = {
    workers: opts.workers,
    callsPerWorker: opts.calls,
    syncCalls: reports.reduce((n, r) => n + r.syncCalls, 0),
    asyncCalls: reports.reduce((n, r) => n + r.asyncCalls, 0),
    mismatches: reports.reduce((n, r) => n + r.mismatches, 0) + (afterWhy ? 1 : 0),
    firstMismatch: reports.find((r) => r.first)?.first ?? afterWhy ?? null,
    exitCodes,
    threads: { before, peak, after, cores: availableParallelism(), poolSetting: api.getNumThreads() },
    backend: api.backend(),
    runMs,
    totalMs: Date.now() - started,
  };
  if (opts.json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `${summary.workers} Workers x ${summary.callsPerWorker} calls (${summary.syncCalls} sync, ${summary.asyncCalls} async) in ${runMs} ms on ${summary.backend.name}/${summary.backend.isa ?? '-'}`,
    );
    console.log(
      `mismatches: ${summary.mismatches}${summary.firstMismatch ? ` (first: ${summary.firstMismatch})` : ''}`,
    );
    console.log(
      `threads: before ${before}, peak ${peak}, after ${after} (cores ${summary.threads.cores}, pool setting ${summary.threads.poolSetting})`,
    );
  }
  process.exitCode = summary.mismatches === 0 && exitCodes.every((c) => c === 0) ? 0 : 1;
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 2;
  });
} else {
  workerMain().catch((e) => {
    parentPort.postMessage({ mismatches: 1, first: `worker threw: ${e?.stack}`, syncCalls: 0, asyncCalls: 0 });
  });
}
