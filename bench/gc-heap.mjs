// Threads, fresh outputs and the size of the JS heap. Times the ResNet stem (1x64x112x112 k3 s2 p1) at 1 and 2
// threads, with a fresh output per call and with a recycled `out`, in a process that also keeps about `--heap-mb`
// MB of small JS objects alive (as a server or a benchmark harness does). Blocks as ../shared/peers times them: a
// forced GC and 25 ms of idle before each 0.3 s block, the four modes interleaved, medians of 10-call samples.
//
//   npm run bench:gc-heap -- [--heap-mb 0,12,25,50,100,200] [--rounds 6]
//
// Each heap size runs in its own child process. What it showed on the project's 2-core VM (README, "Threads and
// the JS heap"): with a live heap of roughly 40-120 MB the 2-thread fresh-output median came out at 0.96-1.33x the
// 1-thread one, with 5 MB or 220 MB and more at about 0.6x, and with `out` always at about 0.5x. Without the forced
// GCs (and without the idle gaps) the same heaps scale normally, and so does a plain loop of one mode. So it takes
// garbage (fresh outputs) and the collections that follow a full GC: V8 then marks the heap on background threads
// while the main thread allocates, and a helper thread competes with those markers for the second core. Which of
// V8's heuristics decides the heap sizes it happens at was not pinned down.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'heap-mb': { type: 'string', default: '0,12,25,50,100,200' },
    rounds: { type: 'string', default: '6' },
    child: { type: 'string' },
  },
});
const rounds = Number(values.rounds);

if (values.child === undefined) {
  console.log('| live JS heap | 1 thr fresh | 2 thr fresh | 1 thr `out` | 2 thr `out` | 2 thr ÷ 1 thr, fresh |');
  console.log('|---|---|---|---|---|---|');
  for (const mb of values['heap-mb'].split(',').map(Number)) {
    const args = ['--expose-gc', fileURLToPath(import.meta.url), '--child', String(mb), '--rounds', String(rounds)];
    process.stdout.write(execFileSync(process.execPath, args, { encoding: 'utf8' }));
  }
} else {
  const require = createRequire(import.meta.url);
  const { maxPool2d } = require('..');
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  const heap = [];
  for (let i = 0; i < (Number(values.child) * 2 ** 20) / 64; i++) heap.push({ i, a: [i], s: `x${i % 1000}` });
  globalThis.keepHeap = heap;

  const shape = [1, 64, 112, 112];
  const options = { kernelSize: 3, stride: 2, padding: 1 };
  const data = new Float32Array(shape.reduce((a, b) => a * b));
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898);
  const input = { data, shape };
  const out = new Float32Array(64 * 56 * 56);
  const modes = {
    't1 fresh': { ...options, threads: 1 },
    't2 fresh': { ...options, threads: 2 },
    't1 out': { ...options, threads: 1, out },
    't2 out': { ...options, threads: 2, out },
  };
  const samples = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  for (let r = 0; r < rounds; r++) {
    for (const [mode, o] of Object.entries(modes)) {
      globalThis.gc();
      await sleep(25);
      const t0 = performance.now();
      while (performance.now() - t0 < 300) {
        const s0 = performance.now();
        for (let j = 0; j < 10; j++) maxPool2d(input, o);
        samples[mode].push(((performance.now() - s0) / 10) * 1000);
      }
    }
  }
  const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const us = (x) => `${x.toFixed(1)} µs`;
  const live = (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
  console.log(
    `| ${live} MB | ${us(m['t1 fresh'])} | ${us(m['t2 fresh'])} | ${us(m['t1 out'])} | ${us(m['t2 out'])} | ${(m['t2 fresh'] / m['t1 fresh']).toFixed(2)} |`,
  );
}
