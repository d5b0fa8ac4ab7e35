'use strict';
/**
 * Preloaded (NODE_OPTIONS=--require) into an arm64 Node that runs under qemu-aarch64-static on an x86-64
 * host without binfmt_misc (see scripts/test-arm64.sh). The kernel cannot exec the arm64 `process.execPath`
 * there, so every child process that would start it is started as `qemu-aarch64-static <execPath> ...`
 * instead. The child inherits NODE_OPTIONS, so this applies to grandchildren too.
 *
 * Covers the async spawns (spawn, fork, exec, execFile: they all go through ChildProcess#spawn) and the sync
 * ones (spawnSync, execFileSync, execSync).
 */
const childProcess = require('node:child_process');
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');

const qemu = process.env.MAXPOOL2D_QEMU || 'qemu-aarch64-static';
const self = process.execPath;
let selfReal = self;
try {
  selfReal = fs.realpathSync(self);
} catch {}

function isSelf(file) {
  if (typeof file !== 'string') return false;
  if (file === self || file === selfReal) return true;
  try {
    return fs.realpathSync(file) === selfReal;
  } catch {
    return false;
  }
}

// Async: ChildProcess#spawn({ file, args: [argv0, ...rest] }).
const originalSpawn = childProcess.ChildProcess.prototype.spawn;
childProcess.ChildProcess.prototype.spawn = function spawn(options) {
  if (options && isSelf(options.file)) {
    const rest = Array.isArray(options.args) ? options.args.slice(1) : [];
    options = { ...options, file: qemu, args: [qemu, self, ...rest] };
  }
  return originalSpawn.call(this, options);
};

// Sync: (file, args?, options?). Shell commands (execSync) are left alone.
function wrapSync(name) {
  const original = childProcess[name];
  childProcess[name] = function wrapped(file, ...rest) {
    const [args, options] = rest;
    if (isSelf(file)) {
      if (Array.isArray(args)) return original.call(this, qemu, [self, ...args], options);
      return original.call(this, qemu, [self], args);
    }
    return original.call(this, file, ...rest);
  };
}
wrapSync('spawnSync');
wrapSync('execFileSync');

syncBuiltinESMExports();
