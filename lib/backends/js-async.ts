/**
 * The JS backend's async forms: the work is cut into slices of whole planes, one slice per event-loop turn
 * (`setImmediate`), so other callbacks run between them. Chosen over a worker_threads pool because it needs no
 * copy of the buffers, no second module instance and no start-up time; the cost is that the work still runs on
 * the JS thread, so throughput does not grow. A slice is about `SLICE_WORK` window taps (~1 ms); one plane larger
 * than that is a slice of its own.
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

export const SLICE_WORK = 1 << 19;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function slices(planes: number, workPerPlane: number, run: (start: number, end: number) => void) {
  const step = Math.max(1, Math.floor(SLICE_WORK / Math.max(1, workPerPlane)));
  for (let start = 0; start < planes; start += step) {
    await nextTurn();
    run(start, Math.min(planes, start + step));
  }
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
