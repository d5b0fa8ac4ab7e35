/**
 * The published package: what `npm pack` puts in the tarball, the shape of package.json `exports`, and (slow, so
 * only with MAXPOOL2D_PACK_TEST=1) the full pack → offline install with no compiler → run check of
 * scripts/pack-install-check.mjs: prebuilds for linux-x64 and (with a cross compiler) linux-arm64, at most 1 MiB, native and JS backends
 * printing the same.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('package.json', () => {
  it('lists types first in every exports condition, and the entries exist', () => {
    const dot = pkg.exports['.'];
    for (const condition of ['import', 'require']) {
      expect(Object.keys(dot[condition])[0], `exports["."].${condition}`).toBe('types');
    }
    expect(dot.import.default).toBe('./esm/index.mjs');
    expect(dot.require.default).toBe(pkg.main);
    expect(pkg.exports['./package.json']).toBe('./package.json');
  });

  it('has node-gyp-build as its only runtime dependency', () => {
    expect(Object.keys(pkg.dependencies)).toEqual(['node-gyp-build']);
  });
});

describe('npm pack', () => {
  it('packs the entry points, the native sources and the install script, and no tests or build output', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    for (const file of [
      'package.json',
      'README.md',
      'esm/index.mjs',
      'esm/index.d.mts',
      'scripts/install.js',
      'CMakeLists.txt',
      'binding.d.ts',
      'native/addon.cc',
    ]) {
      expect(files).toContain(file);
    }
    const unexpected = files.filter((f) => /^(test|bench|examples|lib|build|docs|node_modules|\.github)\//.test(f));
    expect(unexpected).toEqual([]);
    const prebuilds = files.filter((f) => f.startsWith('prebuilds/'));
    for (const file of prebuilds) expect(file).toMatch(/^prebuilds\/[a-z0-9]+-[a-z0-9]+\/maxpool2d\.node$/);
  });
});

describe.runIf(process.env.MAXPOOL2D_PACK_TEST === '1')('pack, install offline without a compiler, run', () => {
  it('passes every check of scripts/pack-install-check.mjs', { timeout: 30 * 60_000 }, () => {
    const result = spawnSync(process.execPath, [join(root, 'scripts/pack-install-check.mjs'), '--json'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const line = result.stdout
      .trim()
      .split('\n')
      .find((l) => l.startsWith('PACK-CHECK '));
    expect(line, result.stderr).toBeDefined();
    const summary = JSON.parse(line!.slice('PACK-CHECK '.length));
    expect(summary.failures).toEqual([]);
    expect(summary.tarball.size).toBeLessThanOrEqual(1024 * 1024);
    // linux-arm64 is cross-built only where aarch64-linux-gnu-g++ exists (the script says when it skipped it).
    const wanted = ['prebuilds/linux-x64/maxpool2d.node'];
    if (summary.arm64 === 'built') wanted.push('prebuilds/linux-arm64/maxpool2d.node');
    expect(Object.keys(summary.prebuilds)).toEqual(expect.arrayContaining(wanted));
    expect(summary.backends.withPrebuilds.name).toBe('native');
    expect(summary.backends.without.name).toBe('js');
    expect(result.status).toBe(0);
  });
});
