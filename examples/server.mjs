// An HTTP server that max-pools posted tensors without blocking its event loop.
//
//   POST /pool?k=3&s=2&p=1      body: raw little-endian float32, header x-shape: N,C,H,W
//   -> 200, body: pooled float32, header x-shape: the output shape
//
// `node examples/server.mjs [port] [--sync]`: with --sync it uses the blocking maxPool2d instead, for comparison.
// It reports its event-loop delay (perf_hooks.monitorEventLoopDelay) at GET /stats.
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { backend, maxPool2d, maxPool2dAsync } from 'maxpool2d';

const port = Number(process.argv[2] ?? 3000);
const useSync = process.argv.includes('--sync');
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function pool(req, url) {
  const shape = String(req.headers['x-shape'] ?? '')
    .split(',')
    .map(Number);
  const body = await readBody(req);
  // Copy into an aligned Float32Array (a Buffer's offset need not be a multiple of 4).
  const data = new Float32Array(body.byteLength / 4);
  new Uint8Array(data.buffer).set(body.subarray(0, data.byteLength));
  const options = {
    kernelSize: Number(url.searchParams.get('k') ?? 2),
    stride: url.searchParams.has('s') ? Number(url.searchParams.get('s')) : null,
    padding: Number(url.searchParams.get('p') ?? 0),
  };
  return useSync ? maxPool2d({ data, shape }, options) : await maxPool2dAsync({ data, shape }, options);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (req.method === 'GET' && url.pathname === '/stats') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          loopDelayP50Ms: loopDelay.percentile(50) / 1e6,
          loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
          loopDelayMaxMs: loopDelay.max / 1e6,
        }),
      );
      return;
    }
    if (req.method === 'POST' && url.pathname === '/stats/reset') {
      loopDelay.reset();
      res.end('ok');
      return;
    }
    if (req.method !== 'POST' || url.pathname !== '/pool') {
      res.statusCode = 404;
      res.end();
      return;
    }
    const out = await pool(req, url);
    res.setHeader('x-shape', out.shape.join(','));
    res.setHeader('content-type', 'application/octet-stream');
    res.end(Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  } catch (error) {
    // Bad shapes and parameters are the client's fault: 400 with the typed error's message.
    res.statusCode = error instanceof TypeError || error instanceof RangeError ? 400 : 500;
    res.end(String(error?.message ?? error));
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port} (${useSync ? 'sync' : 'async'}, backend ${backend().name})`);
});
