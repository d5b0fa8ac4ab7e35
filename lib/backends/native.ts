/**
 * Loads the native addon with node-gyp-build and adapts it to the `Backend` seam. Never throws at import:
 * a missing or broken binary is recorded in `loadError` and the JS backend serves instead.
 */
import * as path from 'node:path';
import type { NativeBinding } from '../../binding';
import type { PoolPlan, UnpoolPlan } from '../geometry';
import type { Backend } from './backend';

export interface NativeLoad {
  binding: NativeBinding | null;
  loadError?: string;
}

const REQUIRED = [
  'maxPool2d',
  'maxUnpool2d',
  'maxPool2dAsync',
  'maxUnpool2dAsync',
  'isa',
  'supportedIsas',
  'setIsa',
  'getNumThreads',
  'setNumThreads',
];

/** Package root: `lib/backends` under vitest, `dist/backends` when installed. */
export const packageRoot = path.join(__dirname, '..', '..');

export function loadNative(): NativeLoad {
  if (process.env.MAXPOOL2D_FORCE_JS === '1') return { binding: null, loadError: 'disabled by MAXPOOL2D_FORCE_JS=1' };
  try {
    const load = require('node-gyp-build') as (dir: string) => unknown;
    const binding = load(packageRoot) as NativeBinding;
    const missing = REQUIRED.filter(
      (name) => typeof (binding as unknown as Record<string, unknown>)[name] !== 'function',
    );
    if (missing.length > 0) return { binding: null, loadError: `native addon lacks ${missing.join(', ')}` };
    return { binding };
  } catch (error) {
    return { binding: null, loadError: String((error as Error)?.message ?? error).split('\n')[0] };
  }
}

// The binding copies a plan before it does anything else (native/args.cc, read_plan), so one array per plan kind is
// reused by every call: allocating a Float64Array per call costs more than pooling a small tensor.
const poolPlanScratch = new Float64Array(13);
const unpoolPlanScratch = new Float64Array(5);

/**
 * The plan as the binding reads it: `[planes, H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW]`, in a shared scratch
 * array valid until the next call (pass `into` for an array of your own).
 */
export function poolPlanArray(plan: PoolPlan, into: Float64Array = poolPlanScratch): Float64Array {
  into[0] = plan.planes;
  into[1] = plan.H;
  into[2] = plan.W;
  into[3] = plan.OH;
  into[4] = plan.OW;
  into[5] = plan.kernel[0];
  into[6] = plan.kernel[1];
  into[7] = plan.stride[0];
  into[8] = plan.stride[1];
  into[9] = plan.padding[0];
  into[10] = plan.padding[1];
  into[11] = plan.dilation[0];
  into[12] = plan.dilation[1];
  return into;
}

/** The unpool plan as the binding reads it: `[planes, IH, IW, OH, OW]`, shared as for `poolPlanArray`. */
export function unpoolPlanArray(plan: UnpoolPlan, into: Float64Array = unpoolPlanScratch): Float64Array {
  into[0] = plan.planes;
  into[1] = plan.IH;
  into[2] = plan.IW;
  into[3] = plan.OH;
  into[4] = plan.OW;
  return into;
}

/** The binding's `channels` argument: C for NHWC, 0 for NCHW. */
function channelsOf(plan: PoolPlan | UnpoolPlan): number {
  return plan.layout === 'NHWC' ? plan.C : 0;
}

export function nativeBackend(binding: NativeBinding): Backend {
  return {
    name: 'native',
    get isa() {
      return binding.isa();
    },
    pool: (plan, input, output, indices, threads, dtype, freshOutput) =>
      binding.maxPool2d(input, output, indices, poolPlanArray(plan), threads, dtype, channelsOf(plan), freshOutput),
    unpool: (plan, input, indices, output, threads) =>
      binding.maxUnpool2d(input, indices, output, unpoolPlanArray(plan), threads, undefined, channelsOf(plan)),
    poolAsync: (plan, input, output, indices, threads, dtype) =>
      binding.maxPool2dAsync(input, output, indices, poolPlanArray(plan), threads, dtype, channelsOf(plan)),
    unpoolAsync: (plan, input, indices, output, threads) =>
      binding.maxUnpool2dAsync(input, indices, output, unpoolPlanArray(plan), threads, undefined, channelsOf(plan)),
  };
}
