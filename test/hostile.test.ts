// Hostile calls on the RAW native binding (node-gyp-build, bypassing lib/), each group in child processes:
// every call must end in a JS error the child catches (or, for the valid ones among them, in a correct result),
// never in a crash, an abort, a signal or a hang. The cases live in test/hostile/raw-cases.cjs, generated
// deterministically; the child prints each case id before trying it, so a dead child names the case that
// killed it, and the run resumes after that case.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const script = path.join(__dirname, 'hostile', 'raw-cases.cjs');

function nativeLoads(): boolean {
  try {
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

const native = nativeLoads();

interface Listing {
  count: number;
  groups: Record<string, [number, number]>;
  names: string[];
}

interface CaseResult {
  id: number;
  status: 'pass' | 'fail' | 'crash';
  detail: string;
}

const CHILD_TIMEOUT_MS = 30_000;

function spawnChild(args: string[]) {
  return spawnSync(process.execPath, ['--expose-gc', script, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    env: process.env,
  });
}

function list(): Listing {
  const child = spawnChild(['list']);
  if (child.status !== 0)
    throw new Error(`raw-cases.cjs list failed: ${child.status} ${child.signal}\n${child.stderr}`);
  return JSON.parse(child.stdout) as Listing;
}

/** Runs cases [from, to), restarting after a case that killed its child. */
function runCases(from: number, to: number): CaseResult[] {
  const results: CaseResult[] = [];
  let next = from;
  while (next < to) {
    const child = spawnChild(['run', String(next), String(to)]);
    let current = -1;
    let done = false;
    for (const line of child.stdout.split('\n')) {
      const [tag, idText, ...rest] = line.split(' ');
      const id = Number(idText);
      if (tag === 'CASE') current = id;
      else if (tag === 'PASS' || tag === 'FAIL') {
        results.push({ id, status: tag === 'PASS' ? 'pass' : 'fail', detail: rest.join(' ') });
        current = -1;
        next = id + 1;
      } else if (tag === 'DONE') done = true;
    }
    if (done && child.status === 0 && child.signal === null) break;
    const how = child.error
      ? `${child.error.message}` // a timeout: spawnSync kills the child and reports ETIMEDOUT
      : child.signal
        ? `killed by ${child.signal}`
        : `exit code ${child.status}`;
    const stderr = child.stderr.trim().split('\n').slice(-12).join(' | ');
    if (current < 0) {
      // Died between cases (or before the first): charge it to the next one so the loop always advances.
      current = next;
    }
    results.push({ id: current, status: 'crash', detail: `${how} without finishing the case; stderr: ${stderr}` });
    next = current + 1;
  }
  return results;
}

function summarize(results: CaseResult[], names: string[]): string {
  return results
    .filter((r) => r.status !== 'pass')
    .slice(0, 40)
    .map((r) => `#${r.id} ${names[r.id]}: ${r.status.toUpperCase()} ${r.detail}`)
    .join('\n');
}

describe.skipIf(!native)('hostile calls on the raw binding (child processes)', () => {
  const listing = native ? list() : { count: 0, groups: {}, names: [] };

  it(`generates hundreds of cases (${listing.count})`, () => {
    expect(listing.count).toBeGreaterThan(500);
    expect(Object.keys(listing.groups)).toEqual(
      expect.arrayContaining(['arity', 'types', 'plan-fields', 'int64-overflow', 'detached', 'in-flight']),
    );
  });

  for (const [group, [from, to]] of Object.entries(listing.groups)) {
    it(`${group}: ${to - from} cases end in a caught error or a correct result, never a crash`, () => {
      const results = runCases(from, to);
      const crashes = results.filter((r) => r.status === 'crash');
      const failures = results.filter((r) => r.status === 'fail');
      const report = summarize(results, listing.names);
      expect(crashes.length, `crashes:\n${report}`).toBe(0);
      expect(failures.length, `failures:\n${report}`).toBe(0);
      expect(results.length).toBe(to - from);
    }, 180_000); // a hung case costs its child's 30 s timeout
  }
});
