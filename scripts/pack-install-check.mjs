#!/usr/bin/env node
// What a user of the published package gets, checked end to end without touching the working tree:
//   1. stages a copy of the package (git's tracked and untracked-but-not-ignored files, node_modules linked),
//   2. builds dist/ and the prebuilds there: the host's with `npm run prebuildify`, linux-arm64 with
//      scripts/prebuild-arm64.sh when aarch64-linux-gnu-g++ is on PATH (x64 hosts),
//   3. packs it and checks the tarball: at most 1 MiB, both prebuilds, the entry points, no tests or build junk,
//   4. installs the tarball into a fresh project OFFLINE (npm cache only) with no compiler on PATH,
//   5. runs an example there with the prebuilds (backend 'native') and again with them deleted (backend 'js'):
//      the output must be the same.
// Usage: node scripts/pack-install-check.mjs [--keep] [--json] [--stage=<dir>]. Exit code 0 when every check
// passes. The last line of output is `PACK-CHECK <json summary>`; --json prints only that. --keep leaves the temp
// dir; --stage=<dir> packs a package dir a --keep run staged and built (<tmp>/package), skipping steps 1 and 2.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const jsonOnly = args.has('--json');
const keep = args.has('--keep');
const reuse = [...args].find((a) => a.startsWith('--stage='))?.slice('--stage='.length);
const LIMIT = 1024 * 1024;

const log = (...parts) => {
  if (!jsonOnly) console.log(...parts);
};
const failures = [];
const summary = { ok: false, failures };

function check(ok, what) {
  log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
  return ok;
}

/** Runs a command; throws with its output on a non-zero exit. */
function run(cmd, argv, options = {}) {
  const result = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(
      `${cmd} ${argv.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`,
    );
  }
  return result;
}

function onPath(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}

const work = mkdtempSync(join(tmpdir(), 'maxpool2d-pack-'));
const stage = reuse ?? join(work, 'package');
const consumer = join(work, 'consumer');

function stageCopy() {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  let copied = 0;
  for (const file of listed.split('\0')) {
    if (!file || !existsSync(join(root, file)) || !statSync(join(root, file)).isFile()) continue;
    mkdirSync(dirname(join(stage, file)), { recursive: true });
    copyFileSync(join(root, file), join(stage, file));
    copied++;
  }
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
  log(`staged ${copied} files in ${stage}`);
}

function build() {
  run(process.execPath, [join(stage, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: stage });
  log('built dist/');
  run('npm', ['run', 'prebuildify'], { cwd: stage });
  log(`built prebuilds/linux-${process.arch}`);
  summary.arm64 = 'skipped';
  if (process.arch === 'x64') {
    if (onPath('aarch64-linux-gnu-g++')) {
      run('sh', ['scripts/prebuild-arm64.sh'], { cwd: stage });
      summary.arm64 = 'built';
      log('built prebuilds/linux-arm64');
    } else {
      log('skip linux-arm64: aarch64-linux-gnu-g++ is not on PATH (apt-get install g++-aarch64-linux-gnu)');
    }
  }
}

function pack() {
  const result = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: stage });
  const info = JSON.parse(result.stdout)[0];
  const tarball = join(work, info.filename);
  const files = new Map(info.files.map((f) => [f.path, f.size]));
  summary.tarball = { name: info.filename, size: info.size, unpackedSize: info.unpackedSize, entries: files.size };
  const groups = {};
  for (const [path, size] of files) {
    // One line per prebuild, per top-level directory, per top-level file.
    const key = path.startsWith('prebuilds/') || !path.includes('/') ? path : `${path.split('/')[0]}/`;
    groups[key] = groups[key] ?? { files: 0, bytes: 0 };
    groups[key].files++;
    groups[key].bytes += size;
  }
  summary.contents = groups;
  log(`tarball ${info.filename}: ${info.size} bytes packed, ${info.unpackedSize} unpacked, ${files.size} files`);
  for (const [key, g] of Object.entries(groups))
    log(`  ${key.padEnd(40)} ${String(g.files).padStart(3)} files ${g.bytes} B`);

  check(info.size <= LIMIT, `tarball is at most 1 MiB (${info.size} bytes)`);
  const wanted = ['prebuilds/linux-x64/maxpool2d.node'];
  if (summary.arm64 === 'built' || process.arch === 'arm64') wanted.push('prebuilds/linux-arm64/maxpool2d.node');
  for (const file of [
    ...wanted,
    'package.json',
    'dist/index.js',
    'dist/index.d.ts',
    'esm/index.mjs',
    'esm/index.d.mts',
    'scripts/install.js',
    'CMakeLists.txt',
    'binding.d.ts',
  ]) {
    check(files.has(file), `tarball contains ${file}`);
  }
  summary.prebuilds = Object.fromEntries([...files].filter(([p]) => p.startsWith('prebuilds/')));
  const junk = [...files.keys()].filter((p) => /^(test|bench|examples|build|node_modules|docs|lib)\//.test(p));
  check(junk.length === 0, `tarball has no tests, sources of dist or build output${junk.length ? `: ${junk}` : ''}`);
  return tarball;
}

/** A PATH with node and npm but no compiler: symlinks in a fresh directory, nothing else. */
function compilerFreePath() {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  for (const tool of ['npm', 'sh']) {
    symlinkSync(run('sh', ['-c', `command -v ${tool}`]).stdout.trim(), join(bin, tool)); // npm runs scripts with sh
  }
  return bin;
}

function install(tarball) {
  mkdirSync(consumer);
  const example = readFileSync(join(root, 'examples/01-basic-2x2.mjs'), 'utf8');
  writeFileSync(join(consumer, 'example.mjs'), example);
  // The example's tensors are tiny, and tiny calls stay in JS even with the addon loaded: the stem-sized call
  // after it is what runs natively, and its checksums must match the JS backend's.
  const stem = [
    'const n = 2 * 8 * 64 * 64;',
    'const data = new Float32Array(n);',
    'for (let i = 0; i < n; i++) data[i] = ((i * 7919) % 1009) - 504 + (i % 3) * 0.25;',
    'const geometry = { kernelSize: 3, stride: 2, padding: 1 };',
    'const [y, idx] = m.maxPool2d({ data, shape: [2, 8, 64, 64] }, { ...geometry, returnIndices: true });',
    'const z = m.maxUnpool2d(y, idx, { ...geometry, outputSize: [64, 64] });',
    'const hash = (a) => a.reduce((h, v) => (h * 31 + Number(v) * 4) | 0, 0);',
    "console.log('stem: values', hash(y.data), 'indices', hash(idx.data), 'unpooled', hash(z.data));",
  ];
  writeFileSync(
    join(consumer, 'run.mjs'),
    [
      "import * as m from 'maxpool2d';",
      "await import('./example.mjs');",
      ...stem,
      "console.log('backend: ' + JSON.stringify(m.backend()));",
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(consumer, 'run.cjs'),
    ["const m = require('maxpool2d');", ...stem, 'console.log(m.backend().name);', ''].join('\n'),
  );
  writeFileSync(
    join(consumer, 'package.json'),
    `${JSON.stringify(
      {
        name: 'maxpool2d-consumer',
        private: true,
        scripts: { 'find-compiler': 'command -v g++ || command -v c++ || command -v cmake || echo none' },
      },
      null,
      2,
    )}\n`,
  );
  const env = { ...process.env, PATH: compilerFreePath() };
  delete env.npm_config_nodedir;
  const compiler = run('npm', ['run', '-s', 'find-compiler'], { cwd: consumer, env }).stdout.trim();
  check(compiler === 'none', `no compiler on the install PATH (found: ${compiler})`);
  const flags = ['install', '--no-audit', '--no-fund', '--foreground-scripts'];
  let mode = '--offline';
  let result = spawnSync('npm', [...flags, mode, tarball], { cwd: consumer, env, encoding: 'utf8' });
  if (result.status !== 0 && /ENOTCACHED/.test(result.stderr)) {
    log('npm install --offline: a dependency is not in the npm cache; retrying with --prefer-offline');
    mode = '--prefer-offline';
    result = spawnSync('npm', [...flags, mode, tarball], { cwd: consumer, env, encoding: 'utf8' });
  }
  summary.install = { mode, status: result.status };
  const output = `${result.stdout}${result.stderr}`;
  const line = output.split('\n').find((l) => l.startsWith('maxpool2d: '));
  summary.install.scriptLine = line ?? null;
  check(result.status === 0, `npm install ${mode} of the tarball succeeds with no compiler on PATH`);
  if (result.status !== 0) log(output);
  log(`install script: ${line ?? '(no line printed)'}`);
  return env;
}

function runExample(env, label) {
  const esm = run(process.execPath, ['run.mjs'], { cwd: consumer, env }).stdout.trim().split('\n');
  const backendLine = esm.pop();
  const backend = JSON.parse(backendLine.replace(/^backend: /, ''));
  const cjs = run(process.execPath, ['run.cjs'], { cwd: consumer, env }).stdout.trim();
  log(`[${label}] ${esm.join(' | ')} | ${backendLine} | cjs: ${cjs.replace(/\n/g, ' | ')}`);
  return { output: esm.join('\n'), backend, cjs };
}

let exitCode = 1;
try {
  if (!reuse) {
    stageCopy();
    build();
  } else summary.arm64 = existsSync(join(stage, 'prebuilds/linux-arm64')) ? 'built' : 'skipped';
  const tarball = pack();
  const env = install(tarball);
  const installed = join(consumer, 'node_modules', 'maxpool2d');
  const native = runExample(env, 'prebuilds');
  check(native.backend.name === 'native', `backend with the prebuilds is native (${native.backend.name})`);
  rmSync(join(installed, 'prebuilds'), { recursive: true, force: true });
  rmSync(join(installed, 'build'), { recursive: true, force: true });
  const js = runExample(env, 'no prebuilds');
  check(js.backend.name === 'js', `backend without the prebuilds is js (${js.backend.name}: ${js.backend.loadError})`);
  check(js.output === native.output, 'the example prints the same with and without the native addon');
  const [nativeCjs, jsCjs] = [native.cjs, js.cjs].map((out) => out.split('\n').slice(0, -1).join('\n'));
  check(jsCjs === nativeCjs, 'require() gives the same with and without it');
  summary.example = native.output.split('\n');
  summary.backends = { withPrebuilds: native.backend, without: js.backend };
  summary.ok = failures.length === 0;
  exitCode = summary.ok ? 0 : 1;
} catch (error) {
  failures.push(String(error.message ?? error));
  log(`FAIL ${error.message ?? error}`);
} finally {
  if (keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(`PACK-CHECK ${JSON.stringify(summary)}`);
process.exit(exitCode);
