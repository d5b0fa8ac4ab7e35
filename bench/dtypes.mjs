// Per-dtype timing of the native NCHW / NHWC pooling kernels, 1 thread (BENCH_THREADS=n for more),
// preallocated outputs. BENCH_DTYPES=float32,float64,... picks the dtypes, BENCH_SHAPES=k2s2,20x20 the shapes
// (substrings of their names).
//   node bench/dtypes.mjs [root ...]     (default: this package; each root needs dist/ and its addon built)
// With several roots (e.g. a build of the previous commit and this one) every row is timed for each root in
// turn, interleaved, in one process: compare them within a run. Prints µs per call and ns per output element
// (median of BENCH_SAMPLES samples of ~BENCH_MS ms each). BENCH_LAYOUT=NHWC times channels-last instead,
// BENCH_LAYOUT=both times each row in NCHW and then NHWC, side by side.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const roots = process.argv.slice(2).length ? process.argv.slice(2) : [path.resolve(import.meta.dirname, '..')];
const libs = roots.map((r) => require(path.resolve(r, 'dist/index.js')));
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 7);
const MS = Number(process.env.BENCH_MS ?? 20);
const LAYOUTS = process.env.BENCH_LAYOUT === 'both' ? ['NCHW', 'NHWC'] : [process.env.BENCH_LAYOUT ?? 'NCHW'];
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const DTYPES = (process.env.BENCH_DTYPES ?? 'float32,float16,bfloat16,uint8,int8,int16').split(',');
const SHAPES = [
  { name: '1x64x112x112 k3s2p1', shape: [1, 64, 112, 112], kernelSize: 3, stride: 2, padding: 1 },
  { name: '1x64x224x224 k2s2', shape: [1, 64, 224, 224], kernelSize: 2, stride: 2, padding: 0 },
  { name: '1x512x20x20 k5s1p2', shape: [1, 512, 20, 20], kernelSize: 5, stride: 1, padding: 2 },
  { name: '1x96x55x55 k3s2', shape: [1, 96, 55, 55], kernelSize: 3, stride: 2, padding: 0 },
].filter((s) => !process.env.BENCH_SHAPES || process.env.BENCH_SHAPES.split(',').some((f) => s.name.includes(f)));
const ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
};

function fill(dtype, n) {
  const a = new ARRAYS[dtype](n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const r = (s >>> 8) / 16777216;
    if (dtype === 'float32' || dtype === 'float64') a[i] = r * 8 - 4;
    else if (dtype === 'float16')
      a[i] = 0x3c00 + ((s >>> 8) & 0x3ff) - (s & 0x8000); // ±[1, 2)
    else if (dtype === 'bfloat16') a[i] = 0x3f80 + ((s >>> 8) & 0x7f) - (s & 0x8000);
    else a[i] = s >>> 16; // wraps into the type's range
  }
  return a;
}

function toNhwc(a, N, C, H, W) {
  const t = new a.constructor(a.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) t[(n * H * W + i) * C + c] = a[(n * C + c) * H * W + i];
  return t;
}

function time(fn) {
  let calls = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= MS / 4) {
      calls = Math.max(1, Math.round((calls * MS) / ms));
      break;
    }
    calls *= 4;
  }
  const samples = [];
  for (let s = 0; s < SAMPLES; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

console.log(
  `layout ${LAYOUTS.join(' | ')}, ${THREADS} thread(s), median µs per call (ns per output element); roots: ${roots.join(' | ')}`,
);
for (const s of SHAPES) {
  const [N, C, H, W] = s.shape;
  for (const dtype of DTYPES) {
    const nchw = fill(dtype, N * C * H * W);
    for (const LAYOUT of LAYOUTS) {
      const shape = LAYOUT === 'NHWC' ? [N, H, W, C] : s.shape;
      const data = LAYOUT === 'NHWC' ? toNhwc(nchw, N, C, H, W) : nchw;
      const input = { data, shape, dtype };
      const geometry = {
        kernelSize: s.kernelSize,
        stride: s.stride,
        padding: s.padding,
        layout: LAYOUT,
        threads: THREADS,
      };
      const cells = [];
      for (const [mode, extra] of [
        ['values', {}],
        ['idx64', { returnIndices: true }],
        ['idx32', { returnIndices: true, indexDtype: 'int32' }],
      ]) {
        const first = libs[0].maxPool2d(input, { ...geometry, ...extra });
        const out = (Array.isArray(first) ? first[0] : first).data;
        const idx = Array.isArray(first) ? first[1].data : undefined;
        const n = out.length;
        const per = libs.map((lib) => {
          const options = { ...geometry, ...extra, out, ...(idx ? { indicesOut: idx } : {}) };
          const us = time(() => lib.maxPool2d(input, options));
          return `${us.toFixed(0)}µs (${((us * 1e3) / n).toFixed(2)})`;
        });
        cells.push(`${mode} ${per.join(' -> ')}`);
      }
      console.log(`${s.name} ${dtype.padEnd(8)} ${LAYOUT} | ${cells.join(' | ')}`);
    }
  }
}
