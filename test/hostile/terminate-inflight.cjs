'use strict';
// Child script of test/workers.test.ts: Workers are torn down while async pooling work they queued is still
// running (terminate() from the parent, process.exit() from inside, or a thrown error), round after round.
// The main thread must keep working, and this process must then exit by itself with code 0: no crash,
// no abort, no handle left behind. Prints progress lines and finally "OK <summary JSON>".
//
//   node test/hostile/terminate-inflight.cjs [rounds] [workersPerRound]
const path = require('node:path');
const { isMainThread, parentPort, Worker, workerData } = require('node:worker_threads');
const ref = require('./reference.cjs');

const root = path.join(__dirname, '..', '..');
const dist = path.join(root, 'dist', 'index.js');

function workerMain() {
  const api = require(dist);
  const raw = require('node-gyp-build')(root);
  const { mode, seed } = workerData;
  const next = ref.rng(seed);
  // Big enough to still be running when the Worker goes away; many calls queued at once.
  const shape = [1, 16, 160, 160];
  const data = ref.fillAdversarial(new Float32Array(16 * 160 * 160), seed);
  const input = { data, shape };
  const pending = [];
  const launch = () => {
    for (let i = 0; i < 6; i++) {
      const r = next();
      if (r < 0.4)
        pending.push(api.maxPool2dAsync(input, { kernelSize: 3, stride: 1, padding: 1, returnIndices: true }));
      else if (r < 0.6) pending.push(api.maxPool2dAsync(input, { kernelSize: 2, threads: 2 }));
      else if (r < 0.8) {
        // Raw binding, unpool with one bad index: rejects once the scan reaches it.
        const n = 16 * 160 * 160;
        const indices = new Int32Array(n);
        indices[n - 1] = 1 << 30;
        pending.push(
          raw.maxUnpool2dAsync(
            new Float32Array(n),
            indices,
            new Float32Array(n),
            new Float64Array([16, 160, 160, 160, 160]),
            0,
          ),
        );
      } else {
        const output = new Float64Array(16 * 80 * 80);
        pending.push(
          raw.maxPool2dAsync(
            Float64Array.from(data),
            output,
            new BigInt64Array(output.length),
            new Float64Array([16, 160, 160, 80, 80, 2, 2, 2, 2, 0, 0, 1, 1]),
            2,
          ),
        );
      }
    }
    for (const p of pending.splice(0)) p.catch(() => {}); // rejections are expected for the bad indices
  };
  launch();
  parentPort.postMessage('busy');
  if (mode === 'exit') {
    setImmediate(() => {
      launch();
      process.exit(0);
    });
  } else if (mode === 'throw') {
    setImmediate(() => {
      launch();
      throw new Error('worker gives up with work in flight');
    });
  } else {
    // Keep queuing until terminated.
    const again = () => {
      launch();
      setTimeout(again, 1);
    };
    again();
  }
}

async function main() {
  const rounds = Number(process.argv[2] ?? 4);
  const perRound = Number(process.argv[3] ?? 6);
  const api = require(dist);
  const modes = ['terminate', 'terminate-late', 'exit', 'throw'];
  let terminated = 0;
  const exitCodes = [];
  for (let round = 0; round < rounds; round++) {
    const workers = [];
    for (let i = 0; i < perRound; i++) {
      const mode = modes[(round + i) % modes.length];
      const w = new Worker(__filename, { workerData: { mode, seed: round * 100 + i } });
      const exited = new Promise((resolve) => w.once('exit', resolve));
      w.on('error', () => {}); // the 'throw' mode's error
      const busy = new Promise((resolve) => w.once('message', resolve));
      workers.push({ w, mode, exited, busy });
    }
    for (const { w, mode, busy } of workers) {
      busy.then(() => {
        if (mode === 'terminate') w.terminate();
        else if (mode === 'terminate-late') setTimeout(() => w.terminate(), 5 + Math.floor(Math.random() * 20));
      });
    }
    const codes = await Promise.all(workers.map((x) => x.exited));
    exitCodes.push(...codes);
    terminated += workers.length;
    console.log(`round ${round}: exit codes ${codes.join(',')}`);
  }
  // The main thread still gets exact results, sync and async, after all that.
  const data = ref.fillAdversarial(new Float32Array(4 * 40 * 40), 5);
  const want = ref.referencePool(data, {
    planes: 4,
    H: 40,
    W: 40,
    OH: 20,
    OW: 20,
    kH: 3,
    kW: 3,
    sH: 2,
    sW: 2,
    pH: 1,
    pW: 1,
    dH: 1,
    dW: 1,
  });
  const options = { kernelSize: 3, stride: 2, padding: 1 };
  const sync = api.maxPool2d({ data, shape: [1, 4, 40, 40] }, options);
  const asyncResult = await api.maxPool2dAsync({ data, shape: [1, 4, 40, 40] }, options);
  const bad = [sync, asyncResult].map((r) => ref.firstBitDifference(r.data, want.output));
  if (bad.some((b) => b >= 0)) {
    console.log(`MISMATCH after teardown at ${bad}`);
    process.exitCode = 1;
    return;
  }
  console.log(`OK ${JSON.stringify({ workers: terminated, exitCodes: [...new Set(exitCodes)].sort() })}`);
  // No process.exit(): the process must end on its own.
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 2;
  });
} else {
  workerMain();
}
