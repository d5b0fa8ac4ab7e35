#!/usr/bin/env bash
# npm run test:asan: builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DMAXPOOL2D_SANITIZE=ON, see the end of CMakeLists.txt) into its own build directory, leaving
# build/Release alone, then runs the whole vitest suite against that build.
#
#   bash scripts/asan.sh                 build (incrementally) and run every test file
#   bash scripts/asan.sh test/hostile.test.ts ...   extra arguments go to vitest
#   MAXPOOL2D_ASAN_SKIP_BUILD=1          reuse the last sanitized build
#   MAXPOOL2D_ASAN_DIR=<dir>             build directory (default .cache/build-asan, git-ignored)
#
# How the sanitized build is loaded: node is not instrumented, so libasan is LD_PRELOADed into every node
# process (vitest's forks, and the child processes the tests spawn inherit it). node-gyp-build reads
# MAXPOOL2D_PREBUILD (package name + _PREBUILD) as the directory to look in instead of the package root,
# so a directory holding build/Release/maxpool2d.node -> the sanitized binary redirects every load.
#
# Any ASan or UBSan report aborts the process that hit it (halt_on_error, -fno-sanitize-recover), so a
# report fails the test that spawned or ran it; the log files below keep the reports themselves.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

build_dir=${MAXPOOL2D_ASAN_DIR:-"$root/.cache/build-asan"}
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
load_dir="$build_dir/load"
log_dir="$build_dir/logs"

if [ "${MAXPOOL2D_ASAN_SKIP_BUILD:-0}" != 1 ]; then
  # `build` configures on first use and rebuilds incrementally afterwards; the option sticks in the cache.
  node node_modules/cmake-js/bin/cmake-js build --out "$build_dir" --CDMAXPOOL2D_SANITIZE=ON
fi

binary="$build_dir/Release/maxpool2d.node"
if [ ! -f "$binary" ]; then
  echo "asan.sh: no sanitized build found under $build_dir" >&2
  exit 1
fi
# (grep without -q: an early exit would SIGPIPE nm and fail the pipeline under pipefail)
if ! nm -D "$binary" | grep __asan_ >/dev/null; then
  echo "asan.sh: $binary is not instrumented (configure with -DMAXPOOL2D_SANITIZE=ON)" >&2
  exit 1
fi

mkdir -p "$load_dir/build/Release" "$log_dir"
ln -sf "$binary" "$load_dir/build/Release/maxpool2d.node"
rm -f "$log_dir"/asan.* "$log_dir"/ubsan.*

libasan=$(g++ -print-file-name=libasan.so)
if [ ! -f "$libasan" ]; then
  echo "asan.sh: libasan not found (g++ -print-file-name=libasan.so gave $libasan)" >&2
  exit 1
fi

# The tests use dist/ (workers.test.ts) as well as lib/.
node node_modules/typescript/bin/tsc -p .

export MAXPOOL2D_PREBUILD="$load_dir"
export MAXPOOL2D_REQUIRE_NATIVE=1
export LD_PRELOAD="$libasan"
# detect_leaks=0: V8 and Node keep allocations until exit by design. Reports also go to log files.
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:allocator_may_return_null=1:log_path=$log_dir/asan:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$log_dir/ubsan:${UBSAN_OPTIONS:-}"

# Confirm the redirect before spending minutes on tests.
node -e '
  const p = require("node-gyp-build").resolve(process.argv[1]);
  if (!p.startsWith(process.env.MAXPOOL2D_PREBUILD)) { console.error("asan.sh: would load " + p); process.exit(1); }
  require("node-gyp-build")(process.argv[1]);
  console.log("asan.sh: sanitized addon " + require("fs").realpathSync(p));
' "$root"

status=0
node node_modules/vitest/vitest.mjs run "$@" || status=$?

# allocator_may_return_null=1 lets V8 turn a refused huge allocation into a RangeError; ASan may still log a
# warning for it, which is not a report. Errors are "ERROR: AddressSanitizer" or "runtime error:" lines.
# grep exits 2 when there is no log file at all (no report): that must not end the script under pipefail.
reports=$({ grep -l -E "ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:" "$log_dir"/* 2>/dev/null || true; } | wc -l)
if [ "$reports" -gt 0 ]; then
  echo "asan.sh: $reports sanitizer report file(s) in $log_dir:" >&2
  for f in $(grep -l -E "ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:" "$log_dir"/*); do
    echo "---- $f" >&2
    head -n 60 "$f" >&2
  done
  [ "$status" -ne 0 ] || status=1
else
  echo "asan.sh: no ASan/UBSan reports"
fi
exit "$status"
