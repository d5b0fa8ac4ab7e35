#!/usr/bin/env node
// Side-by-side benchmark of the compiled package (dist/) against plain nested loops (bench/naive.mjs).
//
//   node --expose-gc bench/run.mjs [--svg]
//
// For every shape: deterministic standard-normal data, every configuration checked bit for bit against the
// naive reference (a mismatch is reported as WRONG and not timed), then timed in BENCH_ROUNDS interleaved
// rounds, each round running one block of every configuration in a freshly shuffled order. Prints a markdown
// report on stdout, progress on stderr, and writes bench/results/latest.json (and docs/bench.svg with --svg).
// Knobs: see bench/README.md.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { maxPool2dNaive, maxUnpool2dNaive, poolGeometry } from './naive.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');

let pkg;
let backendModule;
try {
  pkg = require('../dist/index.js');
  backendModule = require('../dist/backend.js');
} catch (error) {
  console.error(`cannot load the compiled package (${error.message.split('\n')[0]}); build it first: npx tsc -p .`);
  process.exit(1);
}
const { maxPool2d, maxUnpool2d, backend } = pkg;
const { setActiveBackend } = backendModule;

// ---------------------------------------------------------------------------------------------- settings

const env = process.env;
const QUICK = env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const SETTINGS = {
  quick: QUICK,
  rounds: Math.max(1, Number(env.BENCH_ROUNDS || (QUICK ? 1 : 3))),
  blockSeconds: Number(env.BENCH_TIME || 0.25),
  sampleMs: 1,
  minSamples: 5,
  gapMs: 10,
  only: env.BENCH_ONLY || '',
  gc: typeof globalThis.gc === 'function',
};
const ONLY = SETTINGS.only ? new RegExp(SETTINGS.only, 'i') : null;
const WRITE_SVG = process.argv.includes('--svg');
const RESULTS = path.join(here, 'results', 'latest.json');
const SVG_OUT = path.join(root, 'docs', 'bench.svg');

// ------------------------------------------------------------------------------------------------ shapes

// `issue2`: the five shapes of issue 2 (the BENCH_QUICK set).
const SHAPES = [
  { name: 'ResNet stem', shape: [1, 64, 112, 112], k: 3, s: 2, p: 1, issue2: true },
  { name: 'VGG', shape: [1, 64, 224, 224], k: 2, s: 2, issue2: true },
  { name: 'SPPF', shape: [1, 512, 20, 20], k: 5, s: 1, p: 2, issue2: true },
  { name: 'AlexNet', shape: [1, 96, 55, 55], k: 3, s: 2, issue2: true },
  { name: 'CIFAR', shape: [1, 3, 32, 32], k: 2, s: 2, issue2: true },
  { name: 'tiny', shape: [1, 1, 4, 4], k: 2, s: 2 },
  { name: 'ResNet stem b8', shape: [8, 64, 112, 112], k: 3, s: 2, p: 1 },
  { name: 'SPPF', shape: [1, 256, 40, 40], k: 5, s: 1, p: 2 },
  { name: 'large batch', shape: [32, 128, 56, 56], k: 2, s: 2 },
];
const FLOAT64 = [0, 2]; // indices into SHAPES also timed in float64
const UNPOOL = [0, 1]; // indices into SHAPES also timed as maxUnpool2d

function describeShape(s) {
  return `${s.shape.join('x')} k${s.k} s${s.s}${s.p ? ` p${s.p}` : ''}`;
}

function buildTasks() {
  const tasks = [];
  const add = (s, op, dtype) => {
    const prefix = op === 'unpool' ? 'unpool ' : '';
    const suffix = dtype === 'float64' ? ' float64' : '';
    tasks.push({ ...s, op, dtype, label: `${prefix}${s.name} ${describeShape(s)}${suffix}` });
  };
  for (const s of SHAPES) add(s, 'pool', 'float32');
  for (const i of FLOAT64) add(SHAPES[i], 'pool', 'float64');
  for (const i of UNPOOL) add(SHAPES[i], 'unpool', 'float32');
  return tasks.filter(
    (t) => (!QUICK || (t.issue2 && t.op === 'pool' && t.dtype === 'float32')) && (!ONLY || ONLY.test(t.label)),
  );
}

// -------------------------------------------------------------------------------------------------- data

function hashString(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic standard-normal data (mulberry32 + Box-Muller), seeded by `key`. */
function randn(length, ArrayType, key) {
  const rand = mulberry32(hashString(key));
  const out = new ArrayType(length);
  for (let i = 0; i < length; i += 2) {
    const u = 1 - rand(); // (0, 1]
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

function shuffle(items, rand) {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// ------------------------------------------------------------------------------------------------ checks

function words(a) {
  return new Uint32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
}

/** First element where `a` and `b` differ bit for bit, or -1. */
function firstDifference(a, b) {
  if (!a || !b || a.constructor !== b.constructor) return 0;
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = words(a);
  const y = words(b);
  const per = x.length / a.length || 1;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return Math.floor(i / per);
  return -1;
}

/** Fills a buffer with all-ones bits (NaN for floats, -1 for ints), so unwritten elements show up. */
function poison(a) {
  if (a) new Uint8Array(a.buffer, a.byteOffset, a.byteLength).fill(0xff);
}

// ------------------------------------------------------------------------------------------------ configs

const NATIVE = backend().name === 'native';

/** Every configuration of one task: `{ family, indices, alloc, label, backend, run, result }`. */
function buildConfigs(task, input, ref) {
  const configs = [];
  const families = ['plain loops', 'js'];
  if (NATIVE) families.push('native 1 thr', 'native 2 thr');
  const threadsOf = (family) => (family === 'native 1 thr' ? 1 : family === 'native 2 thr' ? 2 : undefined);
  const backendOf = (family) => (family === 'js' ? 'js' : family.startsWith('native') ? 'native' : null);
  const label = (family, indices, alloc) =>
    task.op === 'unpool'
      ? `${family}, out`
      : `${family}, ${indices ? '+indices int64' : 'values'}, ${alloc === 'prealloc' ? 'preallocated out' : 'fresh alloc'}`;

  if (task.op === 'pool') {
    const geometry = { kernelSize: task.k, stride: task.s, padding: task.p || 0 };
    for (const indices of [false, true]) {
      for (const family of families) {
        const allocs = family === 'plain loops' ? ['fresh'] : ['fresh', 'prealloc'];
        for (const alloc of allocs) {
          const cfg = { family, indices, alloc, label: label(family, indices, alloc), backend: backendOf(family) };
          if (family === 'plain loops') {
            cfg.run = () => maxPool2dNaive(input.data, input.shape, geometry, indices);
            cfg.result = (r) => r;
          } else {
            const options = { ...geometry, returnIndices: indices };
            const threads = threadsOf(family);
            if (threads) options.threads = threads;
            if (alloc === 'prealloc') {
              options.out = new input.data.constructor(ref.values.length);
              if (indices) options.indicesOut = new BigInt64Array(ref.values.length);
              cfg.prepareCheck = () => {
                poison(options.out);
                poison(options.indicesOut);
              };
            }
            cfg.run = () => maxPool2d(input, options);
            cfg.result = (r) =>
              indices ? { values: r[0].data, indices: r[1].data } : { values: r.data, indices: null };
          }
          configs.push(cfg);
        }
      }
    }
  } else {
    // Unpool the reference pool's values at its indices back to the input's size, into a preallocated `out`.
    const g = ref.geometry;
    const pooled = { data: ref.values, shape: g.outShape };
    const idx = { data: ref.indices, shape: g.outShape };
    const planes = g.N * g.C;
    for (const family of families) {
      const out = new input.data.constructor(input.data.length);
      const cfg = {
        family,
        indices: false,
        alloc: 'out',
        label: label(family, false, 'out'),
        backend: backendOf(family),
      };
      cfg.prepareCheck = () => poison(out);
      if (family === 'plain loops') {
        cfg.run = () => maxUnpool2dNaive(ref.values, ref.indices, planes, g.OH * g.OW, g.H, g.W, out);
        cfg.result = (r) => ({ values: r, indices: null });
      } else {
        const options = { kernelSize: task.k, stride: task.s, padding: task.p || 0, outputSize: [g.H, g.W], out };
        const threads = threadsOf(family);
        if (threads) options.threads = threads;
        cfg.run = () => maxUnpool2d(pooled, idx, options);
        cfg.result = (r) => ({ values: r.data, indices: null });
      }
      configs.push(cfg);
    }
  }
  return configs;
}

function useBackend(cfg) {
  setActiveBackend(cfg.backend ?? 'default');
}

/** Runs `cfg` once on poisoned buffers and compares with the reference: null when equal, else why not. */
function check(cfg, expected) {
  try {
    useBackend(cfg);
    cfg.prepareCheck?.();
    const got = cfg.result(cfg.run());
    const at = firstDifference(got.values, expected.values);
    if (at >= 0) return `values differ at ${at}: got ${got.values?.[at]}, expected ${expected.values[at]}`;
    if (expected.indices) {
      const i = firstDifference(got.indices, expected.indices);
      if (i >= 0) return `indices differ at ${i}: got ${got.indices?.[i]}, expected ${expected.indices[i]}`;
    }
    return null;
  } catch (error) {
    return `threw ${error?.name}: ${String(error?.message ?? error).split('\n')[0]}`;
  }
}

// ------------------------------------------------------------------------------------------------ timing

let _sink; // keeps results alive so no call can be optimised away

function nowNs() {
  return Number(process.hrtime.bigint());
}

/** Mean ms per call over `calls` back-to-back calls. */
function sample(run, calls) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) _sink = run();
  return Number(process.hrtime.bigint() - t0) / 1e6 / calls;
}

/** Warms `cfg` up and picks how many calls make a sample of about SETTINGS.sampleMs. */
function calibrate(cfg) {
  useBackend(cfg);
  const t0 = nowNs();
  let calls = 0;
  while (calls < 3 || nowNs() - t0 < 30e6) {
    _sink = cfg.run();
    calls++;
  }
  let n = 1;
  let per = sample(cfg.run, n);
  while (per * n < 2 && n < 1 << 20) {
    n *= 2;
    per = sample(cfg.run, n);
  }
  cfg.callsPerSample = Math.max(1, Math.round(SETTINGS.sampleMs / per));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One block: GC, idle gap, one discarded warm sample, then samples until the block time is spent. */
async function block(cfg) {
  if (SETTINGS.gc) globalThis.gc();
  await sleep(SETTINGS.gapMs);
  useBackend(cfg);
  const calls = cfg.callsPerSample;
  sample(cfg.run, calls);
  const budget = SETTINGS.blockSeconds * 1e9;
  const t0 = nowNs();
  while (cfg.samples.length - cfg.blockStart < SETTINGS.minSamples || nowNs() - t0 < budget) {
    cfg.samples.push(sample(cfg.run, calls));
  }
  cfg.blockStart = cfg.samples.length;
}

function median(xs) {
  const a = Float64Array.from(xs).sort();
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

// ------------------------------------------------------------------------------------------------- run

function cpuModel() {
  try {
    const line = fs
      .readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => /^model name\s*:/.test(l));
    if (line) return line.split(':')[1].trim();
  } catch {}
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

async function runTask(task, rows) {
  const length = task.shape.reduce((a, b) => a * b, 1);
  const ArrayType = task.dtype === 'float64' ? Float64Array : Float32Array;
  const input = {
    data: randn(length, ArrayType, `${task.name} ${describeShape(task)} ${task.dtype}`),
    shape: task.shape,
  };
  const geometry = poolGeometry(task.shape, { kernelSize: task.k, stride: task.s, padding: task.p || 0 });
  const pooled = maxPool2dNaive(
    input.data,
    input.shape,
    { kernelSize: task.k, stride: task.s, padding: task.p || 0 },
    true,
  );
  const ref = { ...pooled, geometry };
  let expectedFor;
  if (task.op === 'pool') {
    expectedFor = (cfg) => ({ values: ref.values, indices: cfg.indices ? ref.indices : null });
  } else {
    const out = maxUnpool2dNaive(
      ref.values,
      ref.indices,
      geometry.N * geometry.C,
      geometry.OH * geometry.OW,
      geometry.H,
      geometry.W,
      new ArrayType(length),
    );
    expectedFor = () => ({ values: out, indices: null });
  }
  log(`\n[${task.label}] -> ${geometry.outShape.join('x')}`);

  const configs = buildConfigs(task, input, ref);
  const timed = [];
  for (const cfg of configs) {
    cfg.error = check(cfg, expectedFor(cfg));
    cfg.samples = [];
    cfg.blockStart = 0;
    log(`  check ${cfg.label}: ${cfg.error ? `WRONG (${cfg.error})` : 'bit-exact'}`);
    if (!cfg.error) timed.push(cfg);
  }
  for (const cfg of timed) calibrate(cfg);
  const rand = mulberry32(hashString(task.label));
  for (let round = 0; round < SETTINGS.rounds; round++) {
    for (const cfg of shuffle(timed, rand)) await block(cfg);
    log(`  round ${round + 1}/${SETTINGS.rounds} done`);
  }
  setActiveBackend('default');

  const taskRows = configs.map((cfg) => ({
    shape: task.label,
    name: task.name,
    dims: task.shape,
    kernel: task.k,
    stride: task.s,
    padding: task.p || 0,
    op: task.op,
    dtype: task.dtype,
    issue2: !!task.issue2,
    config: cfg.label,
    family: cfg.family,
    indices: cfg.indices,
    alloc: cfg.alloc,
    status: cfg.error ? 'WRONG' : 'ok',
    detail: cfg.error ?? undefined,
    medianMs: cfg.error ? null : median(cfg.samples),
    minMs: cfg.error ? null : Math.min(...cfg.samples),
    samples: cfg.samples.length,
    callsPerSample: cfg.callsPerSample ?? null,
  }));
  for (const row of taskRows) {
    const plain = taskRows.find((r) => r.family === 'plain loops' && r.indices === row.indices);
    const js =
      taskRows.find((r) => r.family === 'js' && r.indices === row.indices && r.alloc === row.alloc) ??
      taskRows.find((r) => r.family === 'js' && r.indices === row.indices && r.alloc === 'fresh');
    row.xPlain = plain?.medianMs && row.medianMs ? plain.medianMs / row.medianMs : null;
    row.xJs = js?.medianMs && row.medianMs ? js.medianMs / row.medianMs : null;
    if (row.medianMs !== null) log(`  ${row.config}: median ${fmtMs(row.medianMs)} ms, x plain ${fmtX(row.xPlain)}`);
  }
  rows.push(...taskRows);
  if (SETTINGS.gc) globalThis.gc();
}

// ---------------------------------------------------------------------------------------------- report

function fmtMs(x) {
  if (x === null || x === undefined) return '–';
  return x >= 100 ? x.toFixed(1) : x.toPrecision(4);
}

function fmtX(x) {
  if (x === null || x === undefined) return '–';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function report(result) {
  const L = [];
  L.push('# maxpool2d benchmark', '');
  L.push(`- date: ${result.date}`);
  L.push(`- node: ${result.node} (V8 ${process.versions.v8}), ${os.platform()} ${os.arch()}`);
  L.push(`- CPU: ${result.cpu}, ${result.cores} cores available`);
  L.push(`- backend(): \`${JSON.stringify(result.backend)}\``);
  if (result.nativeSkipped) L.push(`- native rows skipped: ${result.nativeSkipped}`);
  L.push(
    `- settings: ${result.settings.rounds} interleaved round(s), shuffled order per round; ${result.settings.blockSeconds} s per block, ` +
      `~${result.settings.sampleMs} ms samples, at least ${result.settings.minSamples} per block; forced GC between blocks: ${result.settings.gc ? 'yes' : 'no (run node with --expose-gc)'}`,
  );
  L.push(
    `- run time: ${result.seconds.toFixed(0)} s; 1-min load average ${result.loadavg.start.toFixed(2)} at start, ${result.loadavg.end.toFixed(2)} at end (on ${result.cores} cores)`,
  );
  L.push('');
  L.push('Data: float32 (or float64 where said) NCHW, seeded standard-normal. Every row was first checked bit for bit');
  L.push(
    '(values, and int64 indices) against plain loops; a mismatch is WRONG and not timed. median / min: ms per call over',
  );
  L.push(
    'all samples of all rounds. x plain loops = plain loops median (same output kind) / this median, i.e. the speed-up;',
  );
  L.push('x js = the js row (same output kind and allocation) / this. fresh alloc = the call allocates its outputs;');
  L.push('preallocated out = `out` / `indicesOut` passed in. Unpool rows write into a preallocated `out`.');
  L.push('');

  L.push('## Summary: values only, fresh output (unpool: out)', '');
  const nat = result.rows.some((r) => r.family.startsWith('native'));
  L.push(
    `| shape | plain loops ms | js ms | js x plain loops |${nat ? ' native 1 thr ms | native 2 thr ms | native best x plain loops |' : ''}`,
  );
  L.push(`|---|---|---|---|${nat ? '---|---|---|' : ''}`);
  for (const shape of [...new Set(result.rows.map((r) => r.shape))]) {
    const pick = (family) =>
      result.rows.find((r) => r.shape === shape && r.family === family && !r.indices && r.alloc !== 'prealloc');
    const cell = (r) => (r ? (r.status === 'ok' ? fmtMs(r.medianMs) : r.status) : '–');
    const p = pick('plain loops');
    const j = pick('js');
    let line = `| ${shape} | ${cell(p)} | ${cell(j)} | ${fmtX(j?.xPlain)} |`;
    if (nat) {
      const n1 = pick('native 1 thr');
      const n2 = pick('native 2 thr');
      const best = Math.max(n1?.xPlain ?? 0, n2?.xPlain ?? 0) || null;
      line += ` ${cell(n1)} | ${cell(n2)} | ${fmtX(best)} |`;
    }
    L.push(line);
  }
  L.push('');
  L.push('## All configurations', '');
  L.push('| shape | config | median ms | min ms | x plain loops | x js |');
  L.push('|---|---|---|---|---|---|');
  for (const r of result.rows) {
    if (r.status !== 'ok') {
      L.push(`| ${r.shape} | ${r.config} | WRONG | – | – | – |`);
      continue;
    }
    L.push(
      `| ${r.shape} | ${r.config} | ${fmtMs(r.medianMs)} | ${fmtMs(r.minMs)} | ${fmtX(r.xPlain)} | ${fmtX(r.xJs)} |`,
    );
  }
  const wrong = result.rows.filter((r) => r.status !== 'ok');
  if (wrong.length) {
    L.push('', '## WRONG rows', '');
    for (const r of wrong) L.push(`- ${r.shape}, ${r.config}: ${r.detail}`);
  }
  return `${L.join('\n')}\n`;
}

async function main() {
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  const info = backend();
  const tasks = buildTasks();
  if (tasks.length === 0) {
    log(`no shape matches BENCH_ONLY=${SETTINGS.only}`);
    process.exit(1);
  }
  log(`maxpool2d bench: ${tasks.length} shape(s), backend ${info.name}${info.isa ? ` (${info.isa})` : ''}`);
  if (!NATIVE) log(`native rows skipped: ${info.loadError ?? 'native backend not loaded'}`);
  if (!SETTINGS.gc) log('note: global.gc is not exposed; run node with --expose-gc to force GC between blocks');
  const rows = [];
  for (const task of tasks) await runTask(task, rows);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpuModel(),
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    backend: info,
    nativeSkipped: NATIVE ? null : (info.loadError ?? 'native backend not loaded'),
    settings: SETTINGS,
    seconds: (Date.now() - started) / 1000,
    loadavg: { start: loadBefore, end: os.loadavg()[0] },
    rows,
  };
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(report(result));
  log(`\nwrote ${path.relative(process.cwd(), RESULTS)}`);
  if (WRITE_SVG) {
    const { writeSvg } = await import(pathToFileURL(path.join(here, 'svg.mjs')).href);
    writeSvg(result, SVG_OUT);
    log(`wrote ${path.relative(process.cwd(), SVG_OUT)}`);
  }
  if (rows.some((r) => r.status !== 'ok')) process.exitCode = 1;
}

await main();
