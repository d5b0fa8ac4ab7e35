// examples/server.mjs, the HTTP example of the async API, run as a child process against the compiled package:
// a posted tensor comes back pooled bit for bit as maxPool2d computes it (async, sync and the recycled buffers
// reused across requests), bad shapes and bodies are a 400 with the typed error's message, and the --no-pool
// baseline answers with the pooled shape without pooling.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist', 'index.js');
// biome-ignore lint/suspicious/noExplicitAny: the compiled package, loaded at run time
const lib: any = existsSync(dist) ? require(dist) : null;

function startServer(args: string[]): Promise<{ child: ChildProcess; base: string }> {
  if (!lib) throw new Error('dist/index.js is missing: run `npm run build:ts` first');
  const child = spawn(process.execPath, [path.join(root, 'examples/server.mjs'), '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (line: Buffer) => {
      const port = /127\.0\.0\.1:(\d+)/.exec(String(line))?.[1];
      if (port) resolve({ child, base: `http://127.0.0.1:${port}` });
      else reject(new Error(`unexpected first line: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function tensor(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 100);
}

async function post(base: string, query: string, shape: number[], body: Uint8Array) {
  const res = await fetch(`${base}/pool?${query}`, {
    method: 'POST',
    headers: { 'x-shape': shape.join(','), 'content-type': 'application/octet-stream' },
    body,
  });
  return { status: res.status, shape: res.headers.get('x-shape'), body: new Uint8Array(await res.arrayBuffer()) };
}

const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each([
  ['async', []],
  ['sync', ['--sync']],
])('examples/server.mjs (%s)', (_mode, args) => {
  let server: { child: ChildProcess; base: string };
  beforeAll(async () => {
    server = await startServer(args as string[]);
  }, 20_000);
  afterAll(() => {
    server?.child.kill();
  });

  it('pools posted tensors exactly as maxPool2d does, many at once, with the recycled buffers reused', async () => {
    const cases = [
      { shape: [1, 8, 40, 36], query: 'k=3&s=2&p=1', options: { kernelSize: 3, stride: 2, padding: 1 } },
      { shape: [2, 4, 33, 17], query: 'k=2', options: { kernelSize: 2 } },
      { shape: [1, 64, 112, 112], query: 'k=3&s=2&p=1', options: { kernelSize: 3, stride: 2, padding: 1 } },
    ];
    // Three rounds of every case at once: later rounds get buffers that earlier responses gave back.
    for (let round = 0; round < 3; round++) {
      const requests = cases.flatMap((c, i) =>
        [0, 1, 2].map(async (j) => {
          const x = tensor(c.shape, round * 10 + i * 3 + j);
          const expected = lib.maxPool2d({ data: x, shape: c.shape }, c.options);
          const res = await post(server.base, c.query, c.shape, bytes(x));
          expect(res.status).toBe(200);
          expect(res.shape).toBe(expected.shape.join(','));
          expect(Buffer.compare(Buffer.from(res.body), Buffer.from(bytes(expected.data)))).toBe(0);
        }),
      );
      await Promise.all(requests);
    }
  }, 30_000);

  it('answers a bad shape or body with 400 and the typed error message, and keeps serving', async () => {
    const x = tensor([1, 2, 8, 8], 1);
    const short = await post(server.base, 'k=2', [1, 2, 8, 9], bytes(x));
    expect(short.status).toBe(400);
    expect(new TextDecoder().decode(short.body)).toMatch(/body has 512 bytes, x-shape says 576/);
    const huge = await post(server.base, 'k=2', [1 << 20, 1 << 20], bytes(x));
    expect(huge.status).toBe(400);
    expect(new TextDecoder().decode(huge.body)).toMatch(/x-shape must list at most 2\^28 elements/);
    const badKernel = await post(server.base, 'k=0', [1, 2, 8, 8], bytes(x));
    expect(badKernel.status).toBe(400);
    expect(new TextDecoder().decode(badKernel.body)).toMatch(/kernelSize/);
    const ok = await post(server.base, 'k=2', [1, 2, 8, 8], bytes(x));
    expect(ok.status).toBe(200);
    const expected = lib.maxPool2d({ data: x, shape: [1, 2, 8, 8] }, { kernelSize: 2 });
    expect(Buffer.compare(Buffer.from(ok.body), Buffer.from(bytes(expected.data)))).toBe(0);
  }, 30_000);
});

describe('examples/server.mjs --no-pool (the load test baseline)', () => {
  it('answers with the pooled shape and size without pooling', async () => {
    const server = await startServer(['--no-pool']);
    try {
      const x = tensor([1, 4, 12, 10], 2);
      const res = await post(server.base, 'k=3&s=2&p=1', [1, 4, 12, 10], bytes(x));
      expect(res.status).toBe(200);
      expect(res.shape).toBe('1,4,6,5');
      expect(res.body.byteLength).toBe(4 * 6 * 5 * 4);
    } finally {
      server.child.kill();
    }
  }, 20_000);
});
