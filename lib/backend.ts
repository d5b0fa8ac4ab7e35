/**
 * Chooses the backend once, at import, and exposes what runs (`backend()`) and the thread settings.
 */
import * as os from 'node:os';
import type { Backend } from './backends/backend';
import { jsBackend } from './backends/js';
import { loadNative, nativeBackend } from './backends/native';
import { rangeError, typeError } from './errors';
import type { PoolPlan } from './geometry';

const load = loadNative();
const defaultBackend: Backend = load.binding ? nativeBackend(load.binding) : jsBackend;
let active: Backend = defaultBackend;
warnIfIsaIgnored();

/** MAXPOOL2D_ISA lowers the kernels' instruction set; a name the CPU or build lacks (or a typo) would otherwise
 * be ignored without a word. */
function warnIfIsaIgnored(): void {
  const wanted = process.env.MAXPOOL2D_ISA;
  if (!wanted || !load.binding) return;
  const isa = load.binding.isa();
  if (isa === wanted) return;
  process.emitWarning(
    `MAXPOOL2D_ISA=${JSON.stringify(wanted)} is not an instruction set this CPU and build support ` +
      `(${load.binding.supportedIsas().join(', ')}); using ${isa}`,
    { code: 'MAXPOOL2D_ISA_IGNORED' },
  );
}

/** What `backend()` reports. */
export interface BackendInfo {
  /** `'native'` when the C++ addon loaded, else `'js'`. */
  name: 'native' | 'js';
  /** The native kernels' instruction set: `'avx512' | 'avx2' | 'neon' | 'scalar'`. */
  isa?: string;
  /** Threads a call uses by default (always 1 for the JS backend). */
  threads: number;
  /**
   * Native only: whether the addon raised glibc's malloc thresholds when it loaded, so that fresh outputs freed in
   * GC batches stay mapped instead of faulting in again (`'applied'`); `'off'` with `MAXPOOL2D_MALLOC_TUNING=0`,
   * `'user'` when the process sets `MALLOC_*_` / `GLIBC_TUNABLES` malloc options itself, `'unavailable'` without
   * glibc. See the README's "Fresh outputs and malloc".
   */
  mallocTuning?: 'applied' | 'off' | 'user' | 'unavailable';
  /** Why the native addon did not load, when it did not. */
  loadError?: string;
}

/**
 * Which backend runs this process's calls.
 *
 * @example
 * ```ts
 * import { backend } from 'maxpool2d';
 * console.log(backend()); // { name: 'native', isa: 'avx512', threads: 2, mallocTuning: 'applied' }
 * ```
 */
export function backend(): BackendInfo {
  if (load.binding) {
    const b = load.binding;
    return { name: 'native', isa: b.isa(), threads: b.getNumThreads(), mallocTuning: b.mallocTuning() };
  }
  return { name: 'js', threads: 1, ...(load.loadError ? { loadError: load.loadError } : {}) };
}

/** The active backend (internal). */
export function activeBackend(): Backend {
  return active;
}

/**
 * Routes calls to `which` (internal: the test suite runs every test on each backend). Returns the previous one.
 */
export function setActiveBackend(which: 'js' | 'native' | 'default'): Backend {
  const previous = active;
  if (which === 'js') active = jsBackend;
  else if (which === 'native') {
    if (!load.binding) throw new Error(`native backend not loaded: ${load.loadError}`);
    active = nativeBackend(load.binding);
  } else active = defaultBackend;
  return previous;
}

/**
 * Below this many window taps a call runs in JS even when the addon is loaded: crossing into native code costs
 * more than such work (about a microsecond against tens of nanoseconds).
 */
export const TINY_WORK = 512;

/** The backend for one pooling call: tiny work stays in JS unless a test pinned a backend. */
export function backendFor(plan: PoolPlan): Backend {
  if (active !== defaultBackend || active === jsBackend) return active;
  return plan.outputLength * plan.kernel[0] * plan.kernel[1] <= TINY_WORK ? jsBackend : active;
}

/** The pure TypeScript backend (internal; used for tiny calls and tests). */
export function fallbackBackend(): Backend {
  return jsBackend;
}

/** The raw native binding when loaded (internal, for tests and tools). */
export function nativeBinding() {
  return load.binding;
}

const MAX_THREADS = 1024;

/** Validates a thread count option: an integer in 1..1024. */
export function readThreads(value: unknown, name = 'threads'): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(name, 'an integer', value);
  if (value < 1 || value > MAX_THREADS) throw rangeError(name, `between 1 and ${MAX_THREADS}`, value);
  return value;
}

/**
 * Sets how many threads native calls use by default (the process-wide pool). No effect on the JS backend.
 *
 * @example
 * ```ts
 * setNumThreads(1); // every call on one thread
 * ```
 */
export function setNumThreads(n: number): void {
  const threads = readThreads(n, 'n');
  load.binding?.setNumThreads(threads);
}

/** Threads native calls use by default (1 on the JS backend). */
export function getNumThreads(): number {
  return load.binding ? load.binding.getNumThreads() : 1;
}

/** Number of CPU cores available to this process. */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
