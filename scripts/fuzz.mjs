// npm run test:fuzz: the native-vs-JS property test at scale. FUZZ_CASES (default 100000) random cases are
// split over the ISAs this CPU has (each case: values, int64 and int32 indices, unpool), with a fresh seed
// unless FUZZ_SEED is given. Prints the count, the seed and the time.
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
const run = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/parity.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PARITY_RUNS: String(perIsa), PARITY_SEED: String(seed) },
});
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `test:fuzz: ${perIsa * isas} cases (${perIsa} on each of ${isas} ISAs), seed ${seed}, ${seconds} s, exit ${run.status}`,
);
process.exit(run.status ?? 1);
