// An HTTP server that max-pools posted tensors without blocking its event loop.
//
//   POST /pool?k=3&s=2&p=1      body: raw little-endian float32, header x-shape: N,C,H,W
//   -> 200, body: pooled float32, header x-shape: the output shape
//
// `node examples/server.mjs [port] [--sync | --no-pool]`: --sync uses the blocking maxPool2d instead, for
// comparison; --no-pool answers with an output-sized part of the input without pooling, which measures what the
// HTTP handling alone costs the event loop. It reports its event-loop delay (perf_hooks.monitorEventLoopDelay) at
// GET /stats.
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { backend, maxPool2d, maxPool2dAsync, pooledSize } from 'maxpool2d';

const port = Number(process.argv[2] ?? 3000);
const useSync = process.argv.includes('--sync');
const noPool = process.argv.includes('--no-pool');
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

// Request and response buffers are recycled: a server that allocates a few MB per request spends its event loop
// in garbage collection. Each size keeps up to 256 free buffers (the live ones belong to requests in flight).
const free = new Map();
function acquire(bytes) {
  return free.get(bytes)?.pop() ?? Buffer.allocUnsafeSlow(bytes).buffer;
}
function release(buffer) {
  const list = free.get(buffer.byteLength) ?? [];
  if (list.length < 256) list.push(buffer);
  free.set(buffer.byteLength, list);
}

// Reads the body straight into a float32 tensor of the size the shape promises: one copy per chunk, no concat,
// and no zero-filling of memory that the body overwrites anyway. After each chunk the request pauses until the
// next event-loop turn: otherwise libuv keeps reading a socket while it has data, and 64 clients posting
// megabytes hold one loop turn for tens of milliseconds.
function readTensorBody(req, elements) {
  return new Promise((resolve, reject) => {
    const bytes = new Uint8Array(acquire(elements * 4), 0, elements * 4);
    let filled = 0;
    req.on('data', (chunk) => {
      if (filled + chunk.byteLength > bytes.byteLength) {
        release(bytes.buffer);
        req.destroy();
        reject(new RangeError(`body is longer than x-shape says (${bytes.byteLength} bytes)`));
        return;
      }
      bytes.set(chunk, filled);
      filled += chunk.byteLength;
      req.pause();
      setImmediate(() => req.resume());
    });
    req.on('end', () => {
      if (filled !== bytes.byteLength) {
        release(bytes.buffer);
        reject(new RangeError(`body has ${filled} bytes, x-shape says ${bytes.byteLength}`));
      } else resolve(new Float32Array(bytes.buffer, 0, elements));
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
  const k = Number(url.searchParams.get('k') ?? 2);
  const s = url.searchParams.has('s') ? Number(url.searchParams.get('s')) : k;
  const p = Number(url.searchParams.get('p') ?? 0);
  const data = await readTensorBody(req, elements);
  const options = { kernelSize: k, stride: s, padding: p };
  let out;
  try {
    // The output goes into a recycled buffer too (`out`); a bad shape or parameter throws before it is used.
    const [H, W] = shape.slice(-2);
    const outElements = (elements / (H * W)) * pooledSize(H, k, s, p, 1, false) * pooledSize(W, k, s, p, 1, false);
    out =
      Number.isSafeInteger(outElements) && outElements >= 0 ? new Float32Array(acquire(outElements * 4)) : undefined;
    const run = { ...options, out };
    // --no-pool answers with the first output-sized part of the input: bytes like a pooled tensor's, so the
    // client parses the same kind of response.
    if (noPool) out.set(data.subarray(0, Math.min(out.length, data.length)));
    const result = noPool
      ? {
          data: out,
          shape: [...shape.slice(0, -2), pooledSize(H, k, s, p, 1, false), pooledSize(W, k, s, p, 1, false)],
        }
      : useSync
        ? maxPool2d({ data, shape }, run)
        : await maxPool2dAsync({ data, shape }, run);
    return { result, buffers: [data.buffer, out.buffer] };
  } catch (error) {
    release(data.buffer);
    if (out) release(out.buffer);
    throw error;
  }
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
    const { result, buffers } = await pool(req, url);
    res.setHeader('x-shape', result.shape.join(','));
    res.setHeader('content-type', 'application/octet-stream');
    // Once the response is flushed its buffers go back to the free lists.
    const body = Buffer.from(result.data.buffer, result.data.byteOffset, result.data.byteLength);
    res.end(body, () => buffers.forEach(release));
  } catch (error) {
    // Bad shapes and parameters are the client's fault: 400 with the typed error's message.
    res.statusCode = error instanceof TypeError || error instanceof RangeError ? 400 : 500;
    res.end(String(error?.message ?? error));
  }
});

server.listen(port, '127.0.0.1', () => {
  const mode = noPool ? 'no pooling' : useSync ? 'sync' : 'async';
  console.log(`listening on http://127.0.0.1:${server.address().port} (${mode}, backend ${backend().name})`);
});
