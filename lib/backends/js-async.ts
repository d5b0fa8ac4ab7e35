/**
 * The JS backend's async forms: the work is cut into slices of whole planes that run on later event-loop turns,
 * so other callbacks run between them. Chosen over a worker_threads pool because it needs no copy of the buffers,
 * no second module instance and no start-up time; the cost is that the work still runs on the JS thread, so
 * throughput does not grow.
 *
 * One scheduler serves every call in flight: each turn (`setImmediate`) it runs slices, taking the calls in turn,
 * until `TURN_BUDGET_MS` has passed, then yields. So the loop is held about that long per turn however many calls
 * are pending (a slice per call per turn would hold it N times as long). A slice is about `SLICE_WORK` window taps
 * (~0.1-0.3 ms); one plane larger than that is a slice of its own.
 */
import type { PoolPlan, UnpoolPlan } from '../geometry';
import {
  allocIndex,
  allocValues,
  type DType,
  type IndexArray,
  type IndexDType,
  type ValueArray,
  valueDType,
} from '../tensor';
import { poolJs } from './js-pool';
import { checkUnpoolIndices, scatterJs } from './js-unpool';

export const SLICE_WORK = 1 << 15;
export const TURN_BUDGET_MS = 1;

/** One call's remaining work: `step()` runs its next slice and returns true when the call is done. */
interface SlicedCall {
  step(): boolean;
}

const pending: SlicedCall[] = [];
let scheduled = false;

function drain(): void {
  scheduled = false;
  const deadline = performance.now() + TURN_BUDGET_MS;
  while (pending.length > 0) {
    const call = pending.shift() as SlicedCall;
    if (!call.step()) pending.push(call); // round robin: every call advances
    if (performance.now() >= deadline) break;
  }
  if (pending.length > 0) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(drain);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs `run(start, end)` over `[0, planes)` in slices of about SLICE_WORK taps, on later turns. */
function slices(planes: number, workPerPlane: number, run: (start: number, end: number) => void): Promise<void> {
  const step = Math.max(1, Math.floor(SLICE_WORK / Math.max(1, workPerPlane)));
  return new Promise<void>((resolve, reject) => {
    let start = 0;
    pending.push({
      step() {
        try {
          if (start < planes) run(start, Math.min(planes, start + step));
          start += step;
        } catch (error) {
          reject(error);
          return true;
        }
        if (start < planes) return false;
        resolve();
        return true;
      },
    });
    schedule();
  });
}

export async function poolJsAsync(
  plan: PoolPlan,
  input: ValueArray,
  outputOrNull: ValueArray | null,
  indicesOrDtype: IndexArray | IndexDType | null,
  dtype: DType = valueDType(input, 'input'),
): Promise<[ValueArray, IndexArray | null]> {
  const output = outputOrNull ?? allocValues(dtype, plan.outputLength, true);
  const indices =
    typeof indicesOrDtype === 'string' ? allocIndex(indicesOrDtype, plan.outputLength, true) : indicesOrDtype;
  const work = plan.OH * plan.OW * plan.kernel[0] * plan.kernel[1];
  await slices(plan.planes, work, (start, end) => poolJs(plan, input, output, indices, start, end, dtype));
  return [output, indices];
}

export async function unpoolJsAsync(
  plan: UnpoolPlan,
  input: ValueArray,
  indices: IndexArray,
  outputOrNull: ValueArray | null,
): Promise<ValueArray> {
  await nextTurn();
  checkUnpoolIndices(plan, indices);
  const output = outputOrNull ?? allocValues(valueDType(input, 'input'), plan.outputLength);
  output.fill(0);
  await slices(plan.planes, plan.IH * plan.IW * 4, (start, end) => scatterJs(plan, input, indices, output, start, end));
  return output;
}
