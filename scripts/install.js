// npm install hook. Makes sure a native addon loads, building it from source only when no prebuild or
// earlier build does. It never fails the install: without the addon the package uses its JS backend.
// It prints exactly one line, whatever happens.

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');

function report(message) {
  console.log(`maxpool2d: ${message}`);
}

// Loads the addon in a child process, so a binary that crashes on load cannot take npm down with it.
function addonLoads() {
  const probe = 'require(require.resolve("node-gyp-build", { paths: [process.argv[1]] }))(process.argv[1])';
  const result = spawnSync(process.execPath, ['-e', probe, root], { stdio: 'ignore' });
  return result.status === 0;
}

// The most telling line of a failed build: a compiler error, a broken toolchain or a cmake-js error,
// else the last line printed.
function buildProblem(build) {
  const lines = `${build.stdout || ''}\n${build.stderr || ''}`
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const telling = lines.find((line) => /error:| - broken$|CMake Error|ERROR OMG (?!Process terminated)/.test(line));
  return telling || lines[lines.length - 1] || 'no output';
}

function main() {
  if (process.env.MAXPOOL2D_SKIP_NATIVE === '1') {
    report('MAXPOOL2D_SKIP_NATIVE=1, skipping the native addon; using the JS backend');
    return;
  }
  if (addonLoads()) {
    report('native addon found');
    return;
  }
  let cmakeJs;
  try {
    cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  } catch {
    report('no prebuilt addon for this platform and cmake-js is not installed; using the JS backend');
    return;
  }
  // The build log is captured, not shown: on failure its last line goes into the one report line.
  const build = spawnSync(process.execPath, [cmakeJs, 'rebuild'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (build.error || build.status !== 0) {
    const reason = build.error ? build.error.message : `exit ${build.status}: ${buildProblem(build)}`;
    report(
      `native build failed (${reason}); using the JS backend. Run "npx cmake-js rebuild" in ${root} for the full log`,
    );
    return;
  }
  if (addonLoads()) {
    report('built native addon from source');
  } else {
    report('built the native addon but it does not load; using the JS backend');
  }
}

try {
  main();
} catch (error) {
  report(`install check failed (${error?.message}); using the JS backend`);
}
process.exit(0);
