/**
 * Child-process probes for tests of load-time behaviour (the loader, the malloc tuning): a fresh `node -e` in the
 * package root, so the addon loads with the environment under test.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const packageRoot = join(__dirname, '..', '..');

const BACKEND_JSON = 'console.log(JSON.stringify(require(".").backend()))';

/**
 * Runs `code` in a fresh process whose environment is this one's with `unset` removed and `env` added, and returns
 * the JSON its last output line holds (by default `backend()`).
 */
export function probe(env: Record<string, string>, code = BACKEND_JSON, unset: readonly string[] = []) {
  const base = { ...process.env };
  for (const name of unset) delete base[name];
  const out = execFileSync(process.execPath, ['-e', code], {
    cwd: packageRoot,
    env: { ...base, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}
