// npm run loadtest: drives examples/server.mjs on loopback with autocannon (64 connections, ~10 s), once with
// the async path, once with the sync path and once with no pooling at all (the server's HTTP handling alone, the
// floor the other two rows sit on), and reports requests/s, latency p50/p99, errors and the server's event-loop
// delay p99. Beside each run an idle process measures its own loop delay (scripts/idle-probe.mjs): how late a
// 1 ms timer fires on this machine under that load when the loop has nothing to do, the floor under the server's
// figure. Bounded in time; the servers are child processes killed at the end.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startIdleProbe } from './idle-probe.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.LOADTEST_SECONDS ?? 10);
const connections = Number(process.env.LOADTEST_CONNECTIONS ?? 64);
// LOADTEST_SHAPE=1,64,56,56 posts a smaller tensor (the default is the ResNet stem input, 3.2 MB per request).
const shape = (process.env.LOADTEST_SHAPE ?? '1,64,112,112').split(',').map(Number);
const body = Buffer.from(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i)).buffer);

const flags = { async: [], sync: ['--sync'], 'no pooling': ['--no-pool'] };

function startServer(port, mode) {
  const child = spawn(process.execPath, [join(root, 'examples/server.mjs'), String(port), ...flags[mode]], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function run(mode, port) {
  const server = await startServer(port, mode);
  try {
    const base = `http://127.0.0.1:${port}`;
    await fetch(`${base}/stats/reset`, { method: 'POST' });
    const probe = await startIdleProbe();
    const result = await autocannon({
      url: `${base}/pool?k=3&s=2&p=1`,
      method: 'POST',
      headers: { 'x-shape': shape.join(','), 'content-type': 'application/octet-stream' },
      body,
      connections,
      duration: seconds,
    });
    const stats = await (await fetch(`${base}/stats`)).json();
    const idle = await probe.stop();
    return {
      mode,
      requestsPerSecond: Math.round(result.requests.average),
      total: result.requests.total,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      loopDelayP99Ms: Number(stats.loopDelayP99Ms.toFixed(3)),
      loopDelayMaxMs: Number(stats.loopDelayMaxMs.toFixed(3)),
      idleP99Ms: idle.p99,
      idleMaxMs: idle.max,
    };
  } finally {
    server.kill();
  }
}

const rows = [await run('async', 3101), await run('sync', 3102), await run('no pooling', 3103)];
console.log(`\nloadtest: ${connections} connections, ${seconds} s each, POST ${shape.join('x')} k3 s2 p1\n`);
console.log(
  '| path | req/s | requests | latency p50 ms | latency p99 ms | errors | timeouts | non-2xx | loop delay p99 ms | loop delay max ms | idle process p99 ms | idle process max ms |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.mode} | ${r.requestsPerSecond} | ${r.total} | ${r.latencyP50Ms} | ${r.latencyP99Ms} | ${r.errors} | ${r.timeouts} | ${r.non2xx} | ${r.loopDelayP99Ms} | ${r.loopDelayMaxMs} | ${r.idleP99Ms} | ${r.idleMaxMs} |`,
  );
}
