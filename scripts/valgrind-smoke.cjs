'use strict';
// A small, valgrind-sized tour of the raw binding: every supported ISA (cap it with MAXPOOL2D_ISA=avx2,
// valgrind has no AVX-512), both dtypes, all index kinds, SIMD tails and unaligned views, padding and
// dilation, the helper threads, the async twins, unpool with a bad index; results checked bit for bit.
//
//   node scripts/valgrind-smoke.cjs --valgrind
//       runs itself under `valgrind --error-exitcode=1 --track-origins=yes` with MAXPOOL2D_ISA=avx2 and a
//       suppression for V8's conservative stack scan (cppgc reads whole stacks, uninitialised slots included:
//       a "Conditional jump ... IteratePointersInStack" report on every major GC, in node itself), then
//       also fails if any report names maxpool2d.node;
//   MAXPOOL2D_ISA=avx2 valgrind --error-exitcode=1 node scripts/valgrind-smoke.cjs
//       the plain form: it exits 1 on that V8 report alone, so read the log for frames in maxpool2d.node.
//
// Exit code 0 and "valgrind-smoke: N calls, all exact" when every result matched.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ref = require('../test/hostile/reference.cjs');

const root = path.join(__dirname, '..');

const V8_SUPPRESSIONS = `{
   v8-cppgc-conservative-stack-scan
   Memcheck:Cond
   fun:*IteratePointersInStack*
}
{
   v8-cppgc-conservative-stack-scan-value
   Memcheck:Value8
   fun:*IteratePointersInStack*
}
`;

const launcher = process.argv.includes('--valgrind');

function launchUnderValgrind() {
  const { spawnSync } = require('node:child_process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maxpool2d-valgrind-'));
  const supp = path.join(dir, 'node-v8.supp');
  const log = path.join(dir, 'valgrind.log');
  fs.writeFileSync(supp, V8_SUPPRESSIONS);
  const args = [
    '--error-exitcode=1',
    '--track-origins=yes',
    `--suppressions=${supp}`,
    `--log-file=${log}`,
    process.execPath,
    __filename,
  ];
  console.log(`valgrind ${args.join(' ')}`);
  const child = spawnSync('valgrind', args, {
    stdio: 'inherit',
    env: { ...process.env, MAXPOOL2D_ISA: process.env.MAXPOOL2D_ISA || 'avx2' },
  });
  const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
  const summary = text.match(/ERROR SUMMARY: .*/)?.[0] ?? '(no summary)';
  const ours = text.split('\n').filter((l) => l.includes('maxpool2d.node')).length;
  console.log(`valgrind: ${summary}; report lines naming maxpool2d.node: ${ours}; log: ${log}`);
  process.exitCode = child.status === 0 && ours === 0 ? 0 : 1;
}

const b = launcher ? null : require('node-gyp-build')(root);

const poolPlan = (g) =>
  new Float64Array([g.planes, g.H, g.W, g.OH, g.OW, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW]);

function geometry(planes, H, W, k, s, p, d) {
  const g = { planes, H, W, kH: k[0], kW: k[1], sH: s[0], sW: s[1], pH: p[0], pW: p[1], dH: d[0], dW: d[1] };
  g.OH = ref.outSize(H, g.kH, g.sH, g.pH, g.dH);
  g.OW = ref.outSize(W, g.kW, g.sW, g.pW, g.dW);
  return g;
}

const GEOMETRIES = [
  geometry(3, 9, 37, [3, 3], [2, 2], [1, 1], [1, 1]), // ResNet stem-like, odd width: vector tails
  geometry(2, 8, 67, [2, 2], [2, 2], [0, 0], [1, 1]),
  geometry(1, 7, 19, [3, 2], [1, 1], [1, 1], [2, 3]), // dilation
  geometry(4, 5, 5, [5, 5], [1, 1], [2, 2], [1, 1]), // window wider than the input
  geometry(2, 33, 130, [3, 3], [1, 1], [1, 1], [1, 1]), // enough work for the helper threads
];

let calls = 0;
const failures = [];

function fail(label, why) {
  failures.push(`${label}: ${why}`);
}

/** A view at element offset 1 of a larger buffer: unaligned for every vector width. */
function unaligned(ctor, length) {
  return new ctor(new ArrayBuffer((length + 2) * ctor.BYTES_PER_ELEMENT), ctor.BYTES_PER_ELEMENT, length);
}

function checkPool(label, input, output, indices, g) {
  const want = ref.referencePool(input, g);
  const at = ref.firstBitDifference(output, want.output);
  if (at >= 0) fail(label, `output[${at}] differs`);
  if (indices) {
    const bad = ref.firstIndexDifference(indices, want.indices);
    if (bad >= 0) fail(label, `indices[${bad}] = ${indices[bad]}, expected ${want.indices[bad]}`);
  }
}

async function main() {
  const isas = b.supportedIsas();
  for (const isa of isas) {
    b.setIsa(isa);
    for (const [gi, g] of GEOMETRIES.entries()) {
      for (const F of [Float32Array, Float64Array]) {
        for (const I of [null, Int32Array, BigInt64Array]) {
          for (const threads of [1, 2]) {
            const label = `${isa} g${gi} ${F.name} ${I ? I.name : 'no-indices'} t${threads}`;
            const input = ref.fillAdversarial(unaligned(F, g.planes * g.H * g.W), gi * 31 + threads);
            const n = g.planes * g.OH * g.OW;
            const output = unaligned(F, n);
            const indices = I ? unaligned(I, n) : null;
            b.maxPool2d(input, output, indices, poolPlan(g), threads);
            calls++;
            checkPool(label, input, output, indices, g);

            const output2 = new F(n);
            const indices2 = I ? new I(n) : null;
            await b.maxPool2dAsync(input, output2, indices2, poolPlan(g), threads);
            calls++;
            checkPool(`${label} async`, input, output2, indices2, g);

            if (indices) {
              // Unpool what was pooled, into the input's plane size.
              const plan = new Float64Array([g.planes, g.OH, g.OW, g.H, g.W]);
              const restored = new F(g.planes * g.H * g.W);
              b.maxUnpool2d(output, indices, restored, plan, threads);
              calls++;
              const want = ref.referenceUnpool(output, indices, g.planes, g.OH * g.OW, g.H * g.W);
              if (ref.firstBitDifference(restored, want) >= 0) fail(label, 'unpool differs');
              const restored2 = new F(restored.length);
              await b.maxUnpool2dAsync(output, indices, restored2, plan, threads);
              calls++;
              if (ref.firstBitDifference(restored2, want) >= 0) fail(label, 'async unpool differs');
              // One bad index: rejected, output left alone.
              const badIndices = indices.slice();
              badIndices[badIndices.length - 1] = I === BigInt64Array ? BigInt(g.H * g.W) : g.H * g.W;
              const untouched = new F(restored.length).fill(3);
              try {
                b.maxUnpool2d(output, badIndices, untouched, plan, threads);
                fail(label, 'bad index accepted');
              } catch (e) {
                if (e.code !== 'ERR_MAXPOOL2D_INVALID_INDEX') fail(label, `bad index: ${e.code}`);
              }
              calls++;
              await b.maxUnpool2dAsync(output, badIndices, untouched, plan, threads).then(
                () => fail(label, 'async bad index accepted'),
                (e) => {
                  if (e.code !== 'ERR_MAXPOOL2D_INVALID_INDEX') fail(label, `async bad index: ${e.code}`);
                },
              );
              calls++;
              if (!untouched.every((v) => v === 3)) fail(label, 'a refused unpool wrote its output');
            }
          }
        }
      }
    }
  }
  // A few refused calls: the error paths allocate and free messages.
  for (const bad of [
    () => b.maxPool2d(),
    () => b.maxPool2d(new Float32Array(4), new Float64Array(1), null, poolPlan(GEOMETRIES[0]), 0),
    () => b.maxPool2d(new Float32Array(4), new Float32Array(1), null, new Float64Array(13).fill(Number.NaN), 0),
    () => b.setIsa('bogus'),
    () => b.setNumThreads(0),
  ]) {
    try {
      bad();
      fail('refused call', 'returned');
    } catch {
      calls++;
    }
  }
  if (failures.length > 0) {
    console.error(`valgrind-smoke: ${failures.length} failure(s):\n${failures.slice(0, 20).join('\n')}`);
    process.exitCode = 1;
    return;
  }
  console.log(`valgrind-smoke: ${calls} calls, all exact (ISAs: ${isas.join(', ')})`);
}

if (launcher) {
  launchUnderValgrind();
} else {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 2;
  });
}
