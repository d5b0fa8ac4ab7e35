/**
 * The loader: which backend serves, forced JS, a broken binary, and the CI guarantee that native built.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backend } from '../lib/index';
import { packageRoot, probe } from './helpers/probe';

describe('loader', () => {
  it('reports a consistent backend', () => {
    const info = backend();
    expect(['native', 'js']).toContain(info.name);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    if (info.name === 'native') {
      expect(['avx512', 'avx2', 'neon', 'scalar']).toContain(info.isa);
      expect(info.loadError).toBeUndefined();
    } else {
      expect(typeof info.loadError).toBe('string');
    }
  });

  it.runIf(process.env.MAXPOOL2D_REQUIRE_NATIVE === '1')('serves from the native addon in CI', () => {
    expect(backend()).toMatchObject({ name: 'native' });
  });

  it('MAXPOOL2D_FORCE_JS=1 forces the JS backend and says why', () => {
    const info = probe({ MAXPOOL2D_FORCE_JS: '1' });
    expect(info.name).toBe('js');
    expect(info.loadError).toMatch(/MAXPOOL2D_FORCE_JS/);
  });

  it.runIf(backend().name === 'native')('warns when MAXPOOL2D_ISA names nothing it can use, and not otherwise', () => {
    const run = (isa: string) =>
      spawnSync(process.execPath, ['-e', 'console.log(require(".").backend().isa)'], {
        cwd: packageRoot,
        env: { ...process.env, MAXPOOL2D_ISA: isa },
        encoding: 'utf8',
      });
    const bogus = run('avx1024');
    expect(bogus.status).toBe(0);
    expect(bogus.stderr).toMatch(/MAXPOOL2D_ISA_IGNORED.*MAXPOOL2D_ISA="avx1024" is not an instruction set/);
    expect(bogus.stdout.trim()).toBe(backend().isa);
    const scalar = run('scalar');
    expect(scalar.stdout.trim()).toBe('scalar');
    expect(scalar.stderr).not.toMatch(/MAXPOOL2D_ISA/);
  });

  it('falls back to JS with loadError when the binary is broken, and still computes', () => {
    // A "prebuild" that is not an ELF at all, found through node-gyp-build's MAXPOOL2D_PREBUILD override.
    const dir = mkdtempSync(join(tmpdir(), 'maxpool2d-broken-'));
    const prebuilds = join(dir, 'prebuilds', `${process.platform}-${process.arch}`);
    execFileSync('mkdir', ['-p', prebuilds]);
    writeFileSync(join(prebuilds, 'maxpool2d.node'), 'this is not a shared object');
    const code = `
      const m = require(".");
      const y = m.maxPool2d({ data: new Float32Array([1, 2, 3, 4]), shape: [1, 1, 2, 2] }, { kernelSize: 2 });
      console.log(JSON.stringify({ ...m.backend(), value: y.data[0] }));`;
    const info = probe({ PREBUILDS_ONLY: '1', MAXPOOL2D_PREBUILD: dir }, code);
    expect(info.name).toBe('js');
    expect(info.loadError).toBeTruthy();
    expect(info.value).toBe(4);
  });
});
