'use strict';
// Child script of test/huge.test.ts: public-API calls (dist/index.js) whose OUTPUT or scratch would be huge
// although the input is tiny (unpooling into a giant plane, an empty batch of giant planes). If the library
// did not refuse them up front it would really try to allocate (and zero) gigabytes, so they run here, in a
// process the test starts under `ulimit -v` (or, under ASan, with a capped allocation size), never in vitest.
//
// Prints one JSON line per scenario, before and after: {"start": name} then
// {"name", "outcome": "throw"|"return", "errorName", "code", "message", "resultLength", "abGrowth", "ms"}.
// `abGrowth` is the growth of process.memoryUsage().arrayBuffers across the call: what was allocated.
const fs = require('node:fs');
const path = require('node:path');

const api = require(path.join(__dirname, '..', '..', 'dist', 'index.js'));

const one = (ctor) => ({ data: new ctor([1]), shape: [1, 1, 1, 1] });
const idx64 = () => ({ data: new BigInt64Array([0n]), shape: [1, 1, 1, 1] });
const empty = (ctor, shape) => ({ data: new ctor(0), shape });

// [name, call]: every call returns a value or a Promise.
const scenarios = [];
for (const [label, k] of [
  ['2^62', 2 ** 31 - 1], // (2^31 - 1)^2 elements: past 2^53
  ['2^40', 2 ** 20],
  ['2^34', 2 ** 17],
  ['2^32', 2 ** 16],
  ['2^31', [2 ** 16, 2 ** 15]],
  ['2^31+2^16', [2 ** 16, 2 ** 15 + 1]],
]) {
  for (const ctor of [Float32Array, Float64Array]) {
    const dt = ctor === Float32Array ? 'f32' : 'f64';
    scenarios.push([`unpool/${dt}/output-${label}`, () => api.maxUnpool2d(one(ctor), idx64(), { kernelSize: k })]);
    scenarios.push([
      `unpoolAsync/${dt}/output-${label}`,
      () => api.maxUnpool2dAsync(one(ctor), idx64(), { kernelSize: k }),
    ]);
    scenarios.push([
      `MaxUnpool2d.forward/${dt}/output-${label}`,
      () => new api.MaxUnpool2d(k).forward(one(ctor), idx64()),
    ]);
  }
}
// An empty batch of giant planes: the result is empty; nothing plane-sized may be allocated for it.
for (const [label, H, W] of [
  ['2^31-plane', 2 ** 16, 2 ** 15],
  ['2^40-plane', 2 ** 20, 2 ** 20],
  ['2^60-plane', 2 ** 30, 2 ** 30],
]) {
  for (const k of [2, 3]) {
    scenarios.push([
      `pool/N=0/${label}/k${k}`,
      () => api.maxPool2d(empty(Float32Array, [0, 1, H, W]), { kernelSize: k, returnIndices: true }),
    ]);
    scenarios.push([
      `poolAsync/N=0/${label}/k${k}`,
      () => api.maxPool2dAsync(empty(Float64Array, [0, 1, H, W]), { kernelSize: k, returnIndices: true }),
    ]);
  }
  scenarios.push([
    `unpool/N=0/${label}`,
    () =>
      api.maxUnpool2d(
        empty(Float32Array, [0, 1, H, W]),
        { data: new BigInt64Array(0), shape: [0, 1, H, W] },
        { kernelSize: 2 },
      ),
  ]);
}

const write = (o) => fs.writeSync(1, `${JSON.stringify(o)}\n`);
const only = process.argv[2];

async function main() {
  for (const [name, call] of scenarios) {
    if (only && !name.includes(only)) continue;
    write({ start: name });
    const ab0 = process.memoryUsage().arrayBuffers;
    const t0 = Date.now();
    const line = { name };
    try {
      let result = call();
      if (result && typeof result.then === 'function') result = await result;
      const out = Array.isArray(result) ? result[0] : result;
      Object.assign(line, { outcome: 'return', resultLength: out.data.length, shape: out.shape });
    } catch (e) {
      Object.assign(line, { outcome: 'throw', errorName: e?.name, code: e?.code, message: e?.message });
    }
    line.ms = Date.now() - t0;
    line.abGrowth = process.memoryUsage().arrayBuffers - ab0;
    write(line);
  }
  write({ done: true });
}

main().catch((e) => {
  fs.writeSync(2, `${e?.stack}\n`);
  process.exitCode = 2;
});
