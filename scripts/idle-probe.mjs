// An idle process that only watches its own event loop (monitorEventLoopDelay, 1 ms resolution). Run beside a
// load test or benchmark it shows how late a 1 ms timer fires on this machine when the loop has nothing at all to
// do: the floor under every loop-delay figure measured in the same window. The benchmarks import
// `startIdleProbe()`; run directly (with an IPC channel) this file is the probe itself.
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

/**
 * Starts a probe process and resolves once it is measuring. `stop()` resolves with its loop delay over the
 * window, in ms: `{ p50, p99, max }`.
 */
export async function startIdleProbe() {
  const child = fork(self, ['--probe'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  child.send('start');
  await next();
  return {
    async stop() {
      child.send('stop');
      const figures = await next();
      child.disconnect();
      return figures;
    },
  };
}

if (process.argv.includes('--probe') && process.send) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  process.on('message', (message) => {
    if (message === 'start') {
      h.enable();
      process.send('started');
    } else if (message === 'stop') {
      h.disable();
      const ms = (ns) => Number((ns / 1e6).toFixed(2));
      process.send({ p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) });
    }
  });
}
