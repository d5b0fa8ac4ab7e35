// npm run bench:loop-delay: the event-loop delay while 200 maxPool2dAsync calls on 1x64x112x112 k3 s2 p1 run at
// once (perf_hooks.monitorEventLoopDelay, 1 ms resolution), with fresh outputs and with recycled `out` buffers,
// next to the same 200 calls made synchronously. The histogram's samples include the 1 ms timer period itself.
// Beside each run an idle process measures its own loop delay (scripts/idle-probe.mjs): the machine's floor.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { backend, maxPool2d, maxPool2dAsync } from '../dist/index.js';
import { startIdleProbe } from './idle-probe.mjs';

const shape = [1, 64, 112, 112];
const x = { data: Float32Array.from({ length: 64 * 112 * 112 }, (_, i) => Math.sin(i)), shape };
const options = { kernelSize: 3, stride: 2, padding: 1 };
const expected = maxPool2d(x, options).data;
const calls = Number(process.env.LOOP_DELAY_CALLS ?? 200);

async function measure(label, run) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  // Also a plain 1 ms interval: its worst lateness is a second, independent reading of the longest stall.
  let last = performance.now();
  let worst = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
  }, 1);
  const probe = await startIdleProbe();
  // The set-up's garbage (the input was built from an 800k-element JS array) is collected first, so a
  // mark-compact of it does not land in the measured window (run with --expose-gc, as `npm run` does).
  globalThis.gc?.();
  h.enable();
  await new Promise((r) => setTimeout(r, 5));
  const started = performance.now();
  const results = await run();
  const ms = performance.now() - started;
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  clearInterval(tick);
  const idle = await probe.stop();
  const exact = results.every((r) => Buffer.compare(Buffer.from(r.data.buffer), Buffer.from(expected.buffer)) === 0);
  const p = (q) => (h.percentile(q) / 1e6).toFixed(2);
  const row = [
    label,
    calls,
    ms.toFixed(0),
    p(50),
    p(99),
    (h.max / 1e6).toFixed(2),
    worst.toFixed(2),
    idle.p99,
    idle.max,
    exact,
  ];
  console.log(`| ${row.join(' | ')} |`);
}

console.log(`backend: ${JSON.stringify(backend())}\n`);
console.log(
  '| path | calls | total ms | loop delay p50 ms | p99 ms | max ms | 1 ms timer worst lateness ms | idle process p99 ms | idle process max ms | all exact |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
await measure('async, fresh outputs', () =>
  Promise.all(Array.from({ length: calls }, () => maxPool2dAsync(x, options))),
);
// The server pattern: each call writes into a buffer the caller recycles (`out`), so no 160 MB of fresh results
// land on V8's heap accounting at once.
const outs = Array.from({ length: calls }, () => new Float32Array(expected.length));
await measure('async, `out`', () => Promise.all(outs.map((out) => maxPool2dAsync(x, { ...options, out }))));
await measure('sync', async () => {
  const out = [];
  for (let i = 0; i < calls; i++) {
    out.push(maxPool2d(x, options));
    if (i % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  return out;
});
