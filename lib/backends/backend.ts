/**
 * The seam between the public API and an executor. A backend receives a plan resolved by `lib/geometry.ts`
 * and buffers of the right lengths, and fills the output.
 */
import type { PoolPlan, UnpoolPlan } from '../geometry';
import type { DType, IndexArray, IndexDType, ValueArray } from '../tensor';

export interface Backend {
  readonly name: 'native' | 'js';
  /** Instruction set in use (native only). */
  readonly isa?: string;
  /**
   * Pools `input` into `output`; writes plane-local indices when `indices` is not null. `dtype` tells float16 /
   * bfloat16 bits from uint16 in a Uint16Array (default: the array's own dtype). `freshOutput`: `output` (and
   * `indices`) were allocated for this call, so no cache holds them (a hint for how to write them; the results are
   * the same).
   */
  pool(
    plan: PoolPlan,
    input: ValueArray,
    output: ValueArray,
    indices: IndexArray | null,
    threads: number,
    dtype?: DType,
    freshOutput?: boolean,
  ): void;
  /**
   * Checks every index against the output plane (RangeError naming the first bad one, output untouched),
   * then zero-fills `output` and scatters `input` into it.
   */
  unpool(plan: UnpoolPlan, input: ValueArray, indices: IndexArray, output: ValueArray, threads: number): void;
  /**
   * `pool` without blocking the event loop. A null `output`, or an index dtype in place of `indices`, asks the
   * backend to allocate that buffer; the Promise resolves with `[output, indices]` (indices null if none asked).
   * `input` must not be modified until the Promise settles.
   */
  poolAsync(
    plan: PoolPlan,
    input: ValueArray,
    output: ValueArray | null,
    indices: IndexArray | IndexDType | null,
    threads: number,
    dtype?: DType,
  ): Promise<[ValueArray, IndexArray | null]>;
  /**
   * `unpool` without blocking the event loop; a null `output` is allocated by the backend. Resolves with the
   * output; a bad index rejects and leaves the output untouched.
   */
  unpoolAsync(
    plan: UnpoolPlan,
    input: ValueArray,
    indices: IndexArray,
    output: ValueArray | null,
    threads: number,
  ): Promise<ValueArray>;
}
