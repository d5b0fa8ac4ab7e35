/**
 * The two entry points, as a consumer sees them: `require('maxpool2d')` and `import('maxpool2d')` resolved through
 * package.json `exports` (Node's self-reference, from the package root), exposing the same names, and the ESM
 * entry re-exporting the one CommonJS instance (one backend, one thread pool, one error class per kind).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as lib from '../lib/index';

const root = join(__dirname, '..');

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env } });
}

/** `{ name: typeof value }` of every export, sorted by name. */
const describeExports = `
  const kinds = (m) => Object.fromEntries(Object.keys(m).filter((k) => k !== 'default').sort().map((k) => [k, typeof m[k]]));`;

function cjsExports(): Record<string, string> {
  return JSON.parse(node(['-e', `${describeExports}\nconsole.log(JSON.stringify(kinds(require('maxpool2d'))));`]));
}

function esmExports(): Record<string, string> {
  const code = `${describeExports}\nimport * as m from 'maxpool2d';\nconsole.log(JSON.stringify(kinds(m)));`;
  return JSON.parse(node(['--input-type=module', '-e', code]));
}

describe('ESM and CJS entries', () => {
  it('dist/index.js exports what lib/index.ts does (run `npx tsc -p .` if not)', () => {
    const fromLib = Object.fromEntries(
      Object.keys(lib)
        .sort()
        .map((k) => [k, typeof (lib as Record<string, unknown>)[k]]),
    );
    expect(cjsExports()).toEqual(fromLib);
  });

  it('esm/index.mjs re-exports every export of dist/index.js, and nothing else', () => {
    const cjs = cjsExports();
    const esm = esmExports();
    const missing = Object.keys(cjs).filter((k) => !(k in esm));
    expect(missing, `add these to esm/index.mjs: ${missing.join(', ')}`).toEqual([]);
    expect(esm).toEqual(cjs);
    expect(Object.keys(cjs)).toEqual(expect.arrayContaining(['maxPool2d', 'maxUnpool2d', 'MaxPool2d', 'toOnnx']));
  });

  it('shares one instance between import and require', () => {
    const code = `
      import * as m from 'maxpool2d';
      import def from 'maxpool2d';
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)('maxpool2d');
      const names = Object.keys(cjs);
      let error;
      try { m.maxPool2d({ data: new Float32Array(4), shape: [1, 1, 2, 2] }, { kernelSize: 0 }); } catch (e) { error = e; }
      cjs.setNumThreads(1);
      console.log(JSON.stringify({
        defaultIsCjs: def === cjs,
        sameFunctions: names.every((k) => m[k] === cjs[k]),
        errorClass: error instanceof cjs.MaxPoolRangeError,
        sharedState: m.getNumThreads() === 1,
        sameBackend: JSON.stringify(m.backend()) === JSON.stringify(cjs.backend()),
      }));`;
    expect(JSON.parse(node(['--input-type=module', '-e', code]))).toEqual({
      defaultIsCjs: true,
      sameFunctions: true,
      errorClass: true,
      sharedState: true,
      sameBackend: true,
    });
  });

  it('resolves the entries package.json declares', () => {
    const code = `console.log(JSON.stringify([require.resolve('maxpool2d'), require.resolve('maxpool2d/package.json')]));`;
    const esm = `console.log(import.meta.resolve('maxpool2d'));`;
    expect(JSON.parse(node(['-e', code]))).toEqual([join(root, 'dist/index.js'), join(root, 'package.json')]);
    expect(node(['--input-type=module', '-e', esm]).trim()).toBe(`file://${join(root, 'esm/index.mjs')}`);
  });
});
