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

// Reads the body straight into a float32 tensor of the size the shape promises: one copy per chunk, no concat,
// and no zero-filling of memory that the body overwrites anyway.
function readTensorBody(req, elements) {
  return new Promise((resolve, reject) => {
    const bytes = new Uint8Array(Buffer.allocUnsafeSlow(elements * 4).buffer, 0, elements * 4);
    let filled = 0;
    req.on('data', (chunk) => {
      if (filled + chunk.byteLength > bytes.byteLength) {
        req.destroy();
        reject(new RangeError(`body is longer than x-shape says (${bytes.byteLength} bytes)`));
        return;
      }
      bytes.set(chunk, filled);
      filled += chunk.byteLength;
    });
    req.on('end', () => {
      if (filled !== bytes.byteLength)
        reject(new RangeError(`body has ${filled} bytes, x-shape says ${bytes.byteLength}`));
      else resolve(new Float32Array(bytes.buffer, 0, elements));
    });
    req.on('error', reject);
  });
}

async function pool(req, url) {
  const shape = String(req.headers['x-shape'] ?? '')
    .split(',')
    .map(Number);
  const elements = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(elements) || elements < 0 || elements > 2 ** 28) {
    throw new RangeError(`x-shape must list at most 2^28 elements, got "${req.headers['x-shape']}"`);
  }
  const data = await readTensorBody(req, elements);
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
