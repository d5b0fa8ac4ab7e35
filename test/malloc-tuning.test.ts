/**
 * The addon's glibc malloc tuning (native/malloc_tuning.cc): what it reports, its opt-out, that it leaves a
 * process's own malloc settings alone, and the point of it: fresh outputs stop faulting their pages in again
 * after the garbage collector frees the previous ones.
 */
import { describe, expect, it } from 'vitest';
import { backend } from '../lib/index';
import { probe as probeProcess } from './helpers/probe';

const native = backend().name === 'native';
const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
const glibc = process.platform === 'linux' && Boolean(report?.header?.glibcVersionRuntime);
// A malloc preloaded in glibc's place (scripts/asan.sh preloads libasan) refuses glibc's mallopt options.
const replacedMalloc = /asan|jemalloc|tcmalloc|mimalloc/i.test(process.env.LD_PRELOAD ?? '');
const tunable = glibc && !replacedMalloc;

// Pools a VGG-sized tensor (3.2 MB output, 784 pages) with a fresh output per call, then reports the minor page
// faults per call over 300 more calls.
const FAULTS_PER_CALL = `
  const m = require(".");
  const x = { data: new Float32Array(64 * 224 * 224).fill(1), shape: [1, 64, 224, 224] };
  const o = { kernelSize: 2, stride: 2 };
  for (let i = 0; i < 50; i++) m.maxPool2d(x, o);
  const before = process.resourceUsage().minorPageFault;
  for (let i = 0; i < 300; i++) m.maxPool2d(x, o);
  const perCall = (process.resourceUsage().minorPageFault - before) / 300;
  console.log(JSON.stringify({ tuning: m.backend().mallocTuning, perCall }));`;

// The probes start from this process's environment without its own malloc settings.
const MALLOC_VARS = ['MAXPOOL2D_MALLOC_TUNING', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_MMAP_THRESHOLD_', 'GLIBC_TUNABLES'];
const probe = (env: Record<string, string>, code?: string) => probeProcess(env, code, MALLOC_VARS);

describe.runIf(native)('malloc tuning', () => {
  it('is applied by default on glibc (unless malloc is replaced), and says so in backend()', () => {
    expect(probe({}).mallocTuning).toBe(tunable ? 'applied' : 'unavailable');
  });

  it('MAXPOOL2D_MALLOC_TUNING=0 turns it off', () => {
    expect(probe({ MAXPOOL2D_MALLOC_TUNING: '0' }).mallocTuning).toBe('off');
  });

  it.runIf(glibc)("leaves a process's own malloc settings alone", () => {
    expect(probe({ MALLOC_TRIM_THRESHOLD_: '1048576' }).mallocTuning).toBe('user');
    expect(probe({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=1048576' }).mallocTuning).toBe('user');
    expect(probe({ GLIBC_TUNABLES: 'glibc.rtld.nns=4' }).mallocTuning).toBe(tunable ? 'applied' : 'unavailable');
  });

  // Without the tuning this measured 114-484 faults per call on the project machine; with it, 0.02-2.6 (Node 20).
  // Node 26 gets far less from it (16-45 with, 42-73 without: its runtime hands freed memory back some other way),
  // so the figure is pinned on Node 20 only, the version it was measured and tuned on.
  it.runIf(tunable && process.versions.node.split('.')[0] === '20')('fresh outputs stop faulting in (Node 20)', () => {
    const { tuning, perCall } = probe({}, FAULTS_PER_CALL);
    expect(tuning).toBe('applied');
    expect(perCall).toBeLessThan(40);
  });
});
