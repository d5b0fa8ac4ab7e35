// npm run soak: 1 000 000 sync and 100 000 async calls of mixed small shapes through the compiled package
// (dist/index.js), results spot-checked bit for bit. Reports RSS at start, after warm-up and at the end
// (growth after warm-up should stay under 10 MB), and checks that the process then exits by itself: the
// work runs in a child process (this script with --child, under --expose-gc) and the parent waits for it
// to end on its own after its last line, with nothing left holding the event loop. RSS is also sampled
// (after a full GC) every tenth of each phase: the pass criterion is the trend across the measured run
// (median of the last five samples minus median of the first five) < --max-growth-mb, since a leak goes
// only up, while single figures (the one right after warm-up included) swing by up to ~20 MB as V8
// resizes its heap and glibc keeps or returns arenas.
//
//   node scripts/soak.mjs [--sync 1000000] [--async 100000] [--max-growth-mb 10] [--malloc-tuning]
//
// The child runs with MAXPOOL2D_MALLOC_TUNING=0 unless --malloc-tuning is given: the addon's default raises
// glibc's trim threshold to 64 MiB (native/malloc_tuning.h), so freed heap of any kind stays mapped up to that much
// and RSS steps up once by up to 64 MiB, which is allocator policy, not a leak. With --malloc-tuning the limit
// grows by those 64 MiB.
//
// Exit code 0 when every checked result matched, the RSS trend stayed under the limit and the child exited
// by itself with code 0. Requires `npm run build:ts` (dist/).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const self = fileURLToPath(import.meta.url);
const root = path.join(path.dirname(self), '..');
const ref = require(path.join(root, 'test', 'hostile', 'reference.cjs'));

function options() {
  const o = { sync: 1_000_000, async: 100_000, maxGrowthMb: 10, child: false, inFlight: 16, mallocTuning: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--child') o.child = true;
    else if (a === '--sync') o.sync = Number(argv[++i]);
    else if (a === '--async') o.async = Number(argv[++i]);
    else if (a === '--max-growth-mb') o.maxGrowthMb = Number(argv[++i]);
    else if (a === '--in-flight') o.inFlight = Number(argv[++i]);
    else if (a === '--malloc-tuning') o.mallocTuning = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const MB = 1024 * 1024;
const MALLOC_TRIM_MB = 64; // the trim threshold native/malloc_tuning.cc sets
const rss = () => process.memoryUsage().rss;

/** Mixed small cases: pool (some tiny enough to stay in JS), pool with indices, unpool, caller-supplied out. */
function makeCases(api) {
  const next = ref.rng(11);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const cases = [];
  for (let i = 0; i < 32; i++) {
    const k = int(2, 3);
    const s = int(1, 2);
    const p = int(0, 1);
    const C = int(1, 8);
    const H = int(6, 28);
    const W = int(6, 28);
    const F = next() < 0.5 ? Float32Array : Float64Array;
    const data = ref.fillAdversarial(new F(C * H * W), 100 + i);
    const OH = api.pooledSize(H, k, s, p, 1, false);
    const OW = api.pooledSize(W, k, s, p, 1, false);
    const g = { planes: C, H, W, OH, OW, kH: k, kW: k, sH: s, sW: s, pH: p, pW: p, dH: 1, dW: 1 };
    const want = ref.referencePool(data, g);
    const kind = ['pool', 'indices', 'unpool', 'out'][i % 4];
    const c = { kind, input: { data, shape: [1, C, H, W] }, options: { kernelSize: k, stride: s, padding: p }, want };
    if (kind === 'indices' || kind === 'unpool') {
      c.options.returnIndices = true;
      c.options.indexDtype = next() < 0.5 ? 'int32' : 'int64';
    }
    if (kind === 'unpool') {
      const [pooled, idx] = api.maxPool2d(c.input, c.options);
      c.pooled = pooled;
      c.idx = idx;
      c.unpoolOptions = { kernelSize: k, stride: s, padding: p, outputSize: [H, W] };
      c.unpoolWant = ref.referenceUnpool(pooled.data, idx.data, C, OH * OW, H * W);
    }
    if (kind === 'out') c.out = new F(C * OH * OW);
    cases.push(c);
  }
  return cases;
}

function runSync(api, c) {
  if (c.kind === 'unpool') return api.maxUnpool2d(c.pooled, c.idx, c.unpoolOptions);
  if (c.kind === 'out') return api.maxPool2d(c.input, { ...c.options, out: c.out });
  return api.maxPool2d(c.input, c.options);
}

function runAsync(api, c) {
  if (c.kind === 'unpool') return api.maxUnpool2dAsync(c.pooled, c.idx, c.unpoolOptions);
  if (c.kind === 'out') return api.maxPool2dAsync(c.input, { ...c.options, out: new c.out.constructor(c.out.length) });
  return api.maxPool2dAsync(c.input, c.options);
}

function check(c, result) {
  const out = Array.isArray(result) ? result[0] : result;
  const want = c.kind === 'unpool' ? c.unpoolWant : c.want.output;
  if (ref.firstBitDifference(out.data, want) >= 0) return 'values differ';
  if (Array.isArray(result) && ref.firstIndexDifference(result[1].data, c.want.indices) >= 0) return 'indices differ';
  return null;
}

async function child(o) {
  const api = require(path.join(root, 'dist', 'index.js'));
  const gc = globalThis.gc ?? (() => {});
  const start = rss();
  const t0 = performance.now();
  const cases = makeCases(api);
  let mismatches = 0;
  let firstMismatch = null;
  const note = (c, r, label) => {
    const why = check(c, r);
    if (why) {
      mismatches++;
      firstMismatch ??= `${label}: ${why}`;
    }
  };

  // RSS every tenth of each phase, after a full GC: a leak grows linearly, a warming heap levels off.
  const series = { sync: [], async: [] };
  const sample = (phase) => {
    gc();
    series[phase].push(Math.round((rss() / MB) * 10) / 10);
  };
  const syncPhase = async (from, to, sampled) => {
    const every = Math.max(1, Math.floor(o.sync / 10));
    for (let i = from; i < to; i++) {
      const c = cases[i % cases.length];
      const r = runSync(api, c);
      if (i % 97 === 0) note(c, r, `sync ${i}`);
      if (i % 50_000 === 0) await new Promise((resolve) => setImmediate(resolve)); // let finalizers run
      if (sampled && (i + 1) % every === 0) sample('sync');
    }
  };
  const asyncPhase = async (from, to, sampled) => {
    const every = Math.max(1, Math.floor(o.async / 10));
    const pending = new Set();
    for (let i = from; i < to; i++) {
      const c = cases[i % cases.length];
      const p = runAsync(api, c).then((r) => {
        if (i % 13 === 0) note(c, r, `async ${i}`);
        pending.delete(p);
      });
      pending.add(p);
      if (pending.size >= o.inFlight) await Promise.race(pending);
      if (sampled && (i + 1) % every === 0) {
        await Promise.all(pending);
        sample('async');
      }
    }
    await Promise.all(pending);
  };

  // Warm-up, not counted in the totals: a tenth of each phase, twice over, ending with sync calls as the
  // measured part begins (JIT, scratch buffers, the addon's threads, libuv's pool, and V8's young
  // generation, which grows back to its working size under sync load after the async phase).
  for (let round = 0; round < 2; round++) {
    await asyncPhase(0, Math.floor(o.async / 10), false);
    await syncPhase(0, Math.floor(o.sync / 10), false);
  }
  gc();
  const warm = rss();
  const tWarm = performance.now();
  await syncPhase(0, o.sync, true);
  const tSync = performance.now();
  await asyncPhase(0, o.async, true);
  const tAsync = performance.now();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  const end = rss();
  const mem = process.memoryUsage();
  const resources = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
  console.log(
    JSON.stringify({
      sync: o.sync,
      async: o.async,
      backend: api.backend(),
      mismatches,
      firstMismatch,
      rssMb: { start: start / MB, warm: warm / MB, end: end / MB, growthAfterWarmUp: (end - warm) / MB, series },
      heapMbAtEnd: {
        heapUsed: mem.heapUsed / MB,
        heapTotal: mem.heapTotal / MB,
        external: mem.external / MB,
        arrayBuffers: mem.arrayBuffers / MB,
      },
      warmUpCalls: { sync: 2 * Math.floor(o.sync / 10), async: 2 * Math.floor(o.async / 10) },
      seconds: {
        warmUp: (tWarm - t0) / 1000,
        sync: (tSync - tWarm) / 1000,
        async: (tAsync - tSync) / 1000,
        total: (performance.now() - t0) / 1000,
      },
      activeResourcesAtEnd: resources,
    }),
  );
  // No process.exit(): the parent checks that this process ends by itself.
}

async function parent(o) {
  const args = ['--expose-gc', self, '--child', '--sync', String(o.sync), '--async', String(o.async)];
  const started = performance.now();
  const env = o.mallocTuning ? process.env : { ...process.env, MAXPOOL2D_MALLOC_TUNING: '0' };
  const limit = o.maxGrowthMb + (o.mallocTuning ? MALLOC_TRIM_MB : 0);
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  let out = '';
  let lastLineAt = null;
  proc.stdout.on('data', (d) => {
    out += d;
    if (out.includes('\n')) lastLineAt ??= performance.now();
  });
  const EXIT_GRACE_MS = 10_000;
  const exit = await new Promise((resolve) => {
    let timer = null;
    const watch = setInterval(() => {
      if (lastLineAt !== null && timer === null) {
        timer = setTimeout(() => {
          proc.kill('SIGKILL');
        }, EXIT_GRACE_MS);
      }
    }, 50);
    proc.on('exit', (code, signal) => {
      clearInterval(watch);
      if (timer) clearTimeout(timer);
      resolve({ code, signal, at: performance.now() });
    });
  });
  const line = out.trim().split('\n').at(-1);
  let report = null;
  try {
    report = JSON.parse(line);
  } catch {
    console.error(`soak: the child printed no report (exit ${exit.code}, signal ${exit.signal})\n${out}`);
    process.exitCode = 1;
    return;
  }
  const exitedBySelf = exit.signal === null && exit.code === 0;
  const exitLagMs = lastLineAt === null ? null : Math.round(exit.at - lastLineAt);
  const r = report.rssMb;
  const s = report.seconds;
  const fmt = (x) => x.toFixed(1);
  console.log(
    `soak: ${report.sync} sync + ${report.async} async calls on ${report.backend.name}/${report.backend.isa ?? '-'}, malloc tuning ${report.backend.mallocTuning ?? '-'}`,
  );
  console.log(
    `  time: warm-up ${fmt(s.warmUp)} s, sync ${fmt(s.sync)} s (${fmt(report.sync / s.sync / 1000)}k calls/s), async ${fmt(s.async)} s (${fmt(report.async / s.async / 1000)}k calls/s), total ${fmt(s.total)} s`,
  );
  console.log(
    `  RSS: start ${fmt(r.start)} MB, after warm-up ${fmt(r.warm)} MB, end ${fmt(r.end)} MB, growth after warm-up ${fmt(r.growthAfterWarmUp)} MB (trend limit ${limit} MB)`,
  );
  console.log(`  RSS every tenth (MB): sync ${r.series.sync.join(' ')} | async ${r.series.async.join(' ')}`);
  // RSS right after a warm-up swings by +-15 MB as V8 resizes its young generation and glibc keeps or returns
  // arenas; a leak is a trend across the run instead. Drift: from the first tenth of the measured sync calls.
  // Trend: median of the last five samples minus median of the first five (transient swings of V8's heap,
  // up to ~20 MB here, come and go; a leak only goes up).
  const samples = [...r.series.sync, ...r.series.async];
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const drift = median(samples.slice(-5)) - median(samples.slice(0, 5));
  const peak = Math.max(...samples) - median(samples.slice(0, 5));
  console.log(
    `  trend over the measured run: ${fmt(drift)} MB (median of the last 5 samples - median of the first 5; highest sample +${fmt(peak)} MB); per call: ${fmt((drift * MB) / (report.sync + report.async))} bytes`,
  );
  const h = report.heapMbAtEnd;
  console.log(
    `  V8 at the end: heapUsed ${fmt(h.heapUsed)} MB, heapTotal ${fmt(h.heapTotal)} MB, external ${fmt(h.external)} MB, arrayBuffers ${fmt(h.arrayBuffers)} MB`,
  );
  console.log(`  mismatches: ${report.mismatches}${report.firstMismatch ? ` (first: ${report.firstMismatch})` : ''}`);
  console.log(
    `  exit: ${exitedBySelf ? `by itself, ${exitLagMs} ms after its report` : `NOT by itself (code ${exit.code}, signal ${exit.signal})`}; active resources at the end: ${JSON.stringify(report.activeResourcesAtEnd)}`,
  );
  console.log(`  wall time: ${fmt((performance.now() - started) / 1000)} s`);
  const ok = report.mismatches === 0 && drift < limit && exitedBySelf;
  process.exitCode = ok ? 0 : 1;
}

const o = options();
if (o.child) await child(o);
else await parent(o);
