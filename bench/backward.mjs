#!/usr/bin/env node
// Short benchmark of the backward passes and adaptive pooling (issue 8), native (1 thread) against the JS backend.
//
//   npm run bench:backward            (builds dist/ first)
//   node bench/backward.mjs [--only REGEX] [--isa avx2] [--ms 300]
//
// Each case: deterministic standard-normal float32 data, the native result checked bit for bit against the JS
// backend (a mismatch is reported as WRONG), then timed: samples of enough calls to last >= 2 ms, for about
// --ms milliseconds per backend; prints the median time per call and the JS / native ratio.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let pkg;
let backendModule;
try {
  pkg = require('../dist/index.js');
  backendModule = require('../dist/backend.js');
} catch (error) {
  console.error(`cannot load dist/ (${error.message.split('\n')[0]}); build it first: npm run build:ts`);
  process.exit(1);
}
const { maxPool2d, maxPool2dBackward, maxUnpool2dBackward, adaptiveMaxPool2d } = pkg;
const { setActiveBackend, nativeBinding } = backendModule;

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const ONLY = arg('--only', '') ? new RegExp(arg('--only', ''), 'i') : null;
const BUDGET_MS = Number(arg('--ms', 300));
const binding = nativeBinding();
if (binding && arg('--isa', '')) binding.setIsa(arg('--isa', ''));

/** Deterministic standard-normal float32 values (xorshift + Box-Muller). */
function normal(length, seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next()));
    const t = 2 * Math.PI * next();
    out[i] = r * Math.cos(t);
    if (i + 1 < length) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

function timeMedian(fn) {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= 2 || reps >= 1 << 20) break;
    reps *= 2;
  }
  const samples = [];
  const start = Date.now();
  while (samples.length < 5 || (Date.now() - start < BUDGET_MS && samples.length < 200)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / reps);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

function same(a, b) {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

const cases = [];
for (const [shape, geom] of [
  [[1, 64, 112, 112], { kernelSize: 3, stride: 2, padding: 1 }],
  [[1, 64, 224, 224], { kernelSize: 2, stride: 2 }],
]) {
  const tag = `${shape.join('x')} k${geom.kernelSize}s${geom.stride}${geom.padding ? `p${geom.padding}` : ''}`;
  const n = shape.reduce((a, b) => a * b, 1);
  const x = { data: normal(n, 1), shape };
  const [y, idx] = maxPool2d(x, { ...geom, returnIndices: true });
  const dy = { data: normal(y.data.length, 2), shape: y.shape };
  const dz = { data: normal(n, 3), shape };
  cases.push([`forward values      ${tag}`, (t) => maxPool2d(x, { ...geom, threads: t }).data]);
  cases.push([`forward + indices   ${tag}`, (t) => maxPool2d(x, { ...geom, returnIndices: true, threads: t })[1].data]);
  cases.push([
    `backward            ${tag}`,
    (t) => maxPool2dBackward(dy, idx, { ...geom, inputShape: shape, threads: t }).data,
  ]);
  cases.push([
    `unpool backward     ${tag}`,
    (t) => maxUnpool2dBackward(dz, idx, { ...geom, outputSize: shape.slice(2), threads: t }).data,
  ]);
  // The same with a reused `out`: the op alone, without a fresh (page-faulting) allocation per call.
  const gin = new Float32Array(n);
  const gun = new Float32Array(y.data.length);
  cases.push([
    `backward, out reused ${tag}`,
    (t) => maxPool2dBackward(dy, idx, { ...geom, inputShape: shape, threads: t, out: gin }).data,
  ]);
  cases.push([
    `unpool bwd, out reused ${tag}`,
    (t) => maxUnpool2dBackward(dz, idx, { ...geom, outputSize: shape.slice(2), threads: t, out: gun }).data,
  ]);
}
{
  const shape = [1, 512, 14, 14];
  const x = { data: normal(512 * 14 * 14, 4), shape };
  for (const size of [7, 1]) {
    const tag = `${size}x${size} from ${shape.join('x')}`;
    cases.push([`adaptive values     ${tag}`, (t) => adaptiveMaxPool2d(x, { outputSize: size, threads: t }).data]);
    cases.push([
      `adaptive + indices  ${tag}`,
      (t) => adaptiveMaxPool2d(x, { outputSize: size, returnIndices: true, threads: t })[1].data,
    ]);
  }
  const odd = { data: normal(512 * 13 * 13, 5), shape: [1, 512, 13, 13] };
  cases.push([
    'adaptive + indices  5x5 from 1x512x13x13 (overlapping bins)',
    (t) => adaptiveMaxPool2d(odd, { outputSize: 5, returnIndices: true, threads: t })[1].data,
  ]);
}

console.log(
  `native: ${binding ? `ISA ${binding.isa()}, 1 thread` : 'not loaded'}; medians per call, ~${BUDGET_MS} ms each`,
);
console.log('| case | native µs | JS µs | JS / native |');
console.log('|---|---:|---:|---:|');
for (const [name, run] of cases) {
  if (ONLY && !ONLY.test(name)) continue;
  setActiveBackend('js');
  const jsResult = run(undefined).slice(); // a copy: the out-reused cases return the same buffer
  const js = timeMedian(() => run(undefined));
  let native = Number.NaN;
  let note = '';
  if (binding) {
    setActiveBackend('native');
    if (!same(run(1), jsResult)) note = ' WRONG';
    else native = timeMedian(() => run(1));
  }
  setActiveBackend('default');
  console.log(`| ${name.trim()} | ${native.toFixed(1)}${note} | ${js.toFixed(1)} | ${(js / native).toFixed(2)} |`);
}
