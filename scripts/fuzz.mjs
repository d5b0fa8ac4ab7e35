// npm run test:fuzz: the native-vs-JS property test at scale. FUZZ_CASES (default 100000) random float cases
// are split over the ISAs this CPU has (each case: values, int64 and int32 indices, unpool), with a fresh seed
// unless FUZZ_SEED is given; then test/dtypes.test.ts runs FUZZ_DTYPE_RUNS cases per dtype (float16, bfloat16,
// the integer types; NCHW and NHWC). Prints the counts, the seed and the time.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cases = Number(process.env.FUZZ_CASES ?? 100_000);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const load = spawnSync(
  process.execPath,
  ['-e', 'console.log(require("node-gyp-build")(process.argv[1]).supportedIsas().length)', root],
  {
    encoding: 'utf8',
  },
);
if (load.status !== 0) {
  console.error('test:fuzz needs the native addon (npm run build:native)');
  process.exit(1);
}
const isas = Number(load.stdout.trim());
const perIsa = Math.ceil(cases / isas);
const started = Date.now();
const vitest = (file, env) =>
  spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', file], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env, PARITY_SEED: String(seed) },
  });
const run = vitest('test/parity.test.ts', { PARITY_RUNS: String(perIsa) });
// The other dtypes (and NHWC): FUZZ_DTYPE_RUNS random cases per dtype and layout (native vs JS) and per dtype
// and ISA (against the float path); default one per 40 float cases.
const dtypeRuns = Number(process.env.FUZZ_DTYPE_RUNS ?? Math.ceil(cases / 40));
const dtypes = run.status === 0 ? vitest('test/dtypes.test.ts', { DTYPE_RUNS: String(dtypeRuns) }) : run;
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `test:fuzz: ${perIsa * isas} float cases (${perIsa} on each of ${isas} ISAs), ${dtypeRuns} per dtype / layout / ISA ` +
    `for the other dtypes, seed ${seed}, ${seconds} s, exit ${run.status} / ${dtypes.status}`,
);
process.exit(run.status || dtypes.status || 0);
