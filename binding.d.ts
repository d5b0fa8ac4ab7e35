/**
 * Types of the raw native binding (`build/Release/maxpool2d.node` or `prebuilds/<platform>-<arch>/maxpool2d.node`).
 *
 * Internal: the public API lives in `lib/`. The binding trusts nothing it is given: it re-checks argument
 * kinds, plan fields and every buffer length against the plan (64-bit, overflow-checked) and throws
 * `TypeError` / `RangeError` with a `code` on any mismatch.
 */

/** Typed arrays the kernels read and write values from (float16 / bfloat16: raw bits in a Uint16Array). */
export type NativeValues = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;

/**
 * The optional `dtype` argument: names the element type; required only to read a Uint16Array as `'float16'` or
 * `'bfloat16'` bits (otherwise it is `'uint16'`). For other arrays it must match the array or be undefined.
 */
export type NativeDType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32';

/**
 * The optional `channels` argument: 0 (or omitted) for NCHW; C >= 1 for NHWC, where `planes` (N * C) must be a
 * multiple of C, the buffers hold `[N, H, W, C]` / `[N, OH, OW, C]`, and indices keep their per-plane meaning.
 */
export type NativeChannels = number;
/** Typed arrays holding plane-local indices (`h * W_in + w`). */
export type NativeIndices = BigInt64Array | Int32Array;

/**
 * A resolved pooling plan, as 13 integers in a Float64Array:
 * `[planes, H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW]`, where `planes = N * C`.
 * Produced by `lib/geometry.ts`; the native side only checks that every field is an integer in range
 * (kernel, stride, dilation >= 1; padding >= 0; sizes >= 0) and that buffer lengths match.
 */
export type PoolPlanArray = Float64Array;

/**
 * A resolved unpooling plan, as 5 integers in a Float64Array: `[planes, IH, IW, OH, OW]`
 * (the pooled input is `planes x IH x IW`, the output `planes x OH x OW`).
 */
export type UnpoolPlanArray = Float64Array;

export interface NativeBinding {
  /**
   * Max-pools `input` into `output` (same dtype), and writes indices into `indices` when it is not null.
   * `threads` >= 1 caps the threads used for this call (0 = the pool's current setting).
   * Takes 5 to 8 arguments: `dtype` and `channels` are optional (see `NativeDType`, `NativeChannels`).
   * `freshOutput: true` says `output` (and `indices`) were allocated for this call, so no cache holds them: large
   * NCHW outputs in small planes are then written with streaming stores where the CPU has them (a hint; the
   * results are the same).
   */
  maxPool2d(
    input: NativeValues,
    output: NativeValues,
    indices: NativeIndices | null,
    plan: PoolPlanArray,
    threads: number,
    dtype?: NativeDType,
    channels?: NativeChannels,
    freshOutput?: boolean,
  ): void;

  /**
   * Zero-fills `output` and scatters `input[p][i]` to `output[p][indices[p][i]]`.
   * Checks every index first: on a bad one it throws a RangeError (code `ERR_MAXPOOL2D_INVALID_INDEX`) naming
   * the first bad index and its position, and leaves `output` untouched.
   */
  maxUnpool2d(
    input: NativeValues,
    indices: NativeIndices,
    output: NativeValues,
    plan: UnpoolPlanArray,
    threads: number,
    dtype?: NativeDType,
    channels?: NativeChannels,
  ): void;

  /**
   * `maxPool2d` off the JS thread: the same checks run synchronously (they throw), then the kernel runs on a
   * libuv worker (which hands the planes to the addon's pool) and the Promise settles on the JS thread.
   * `output` may be null and `indices` "int64" / "int32": the addon then allocates them (nobody else can see
   * them until the Promise resolves). The Promise resolves with `[output, indices or null]`.
   *
   * Buffers are used in place when the addon can pin them — a SharedArrayBuffer, or a fixed-length ArrayBuffer it
   * marks with `worker_threads.markAsUntransferable` (so later transfers of it clone or throw) — and are copied
   * otherwise (a resizable ArrayBuffer, or a Node without `process.getBuiltinModule`). `input` must not be
   * written until the Promise settles. The binding holds references to every buffer until then.
   */
  maxPool2dAsync(
    input: NativeValues,
    output: NativeValues | null,
    indices: NativeIndices | 'int64' | 'int32' | null,
    plan: PoolPlanArray,
    threads: number,
    dtype?: NativeDType,
    channels?: NativeChannels,
  ): Promise<[NativeValues, NativeIndices | null]>;

  /**
   * `maxUnpool2d` off the JS thread; `output` may be null (the addon allocates it). Resolves with the output; a
   * bad index rejects with the same RangeError and leaves the output untouched. Buffers as for maxPool2dAsync.
   */
  maxUnpool2dAsync(
    input: NativeValues,
    indices: NativeIndices,
    output: NativeValues | null,
    plan: UnpoolPlanArray,
    threads: number,
    dtype?: NativeDType,
    channels?: NativeChannels,
  ): Promise<NativeValues>;

  /** The instruction set the kernels run with: 'avx512' | 'avx2' | 'neon' | 'scalar'. */
  isa(): string;
  /** ISAs this CPU can run, best first (always ends with 'scalar'). */
  supportedIsas(): string[];
  /** Switches to another supported ISA (tests, or users who need to lower it). Throws RangeError otherwise. */
  setIsa(name: string): string;

  /**
   * What the addon did to glibc's malloc thresholds when it loaded (see native/malloc_tuning.h): 'applied',
   * 'off' (MAXPOOL2D_MALLOC_TUNING=0), 'user' (MALLOC_*_ / GLIBC_TUNABLES already set) or 'unavailable'.
   */
  mallocTuning(): 'applied' | 'off' | 'user' | 'unavailable';

  /** Threads of the process-wide pool used by default (>= 1). */
  getNumThreads(): number;
  /** Sets the default thread count (1 ..= 1024). */
  setNumThreads(n: number): void;

  /**
   * The gradient of `maxPool2d` w.r.t. its input: zero-fills `gradInput` (planes x H x W) and adds
   * `gradOutput[p][i]` into `gradInput[p][indices[p][i]]` for i in order, one plane per task (results do not
   * depend on the thread count). `plan` is the forward's pool plan. Checks every index against [0, H*W) first:
   * on a bad one it throws a RangeError (code `ERR_MAXPOOL2D_INVALID_INDEX`) naming the first bad index and its
   * position, and leaves `gradInput` untouched. A NaN sum follows x86-64's rule whatever the CPU (see
   * native/backward_op.cc). float32 / float64, or a Uint16Array of `dtype` `'float16'` / `'bfloat16'` bits
   * (each add is a float add rounded back to the half type).
   */
  maxPool2dBackward(
    gradOutput: Float32Array | Float64Array | Uint16Array,
    indices: NativeIndices,
    gradInput: Float32Array | Float64Array | Uint16Array,
    plan: PoolPlanArray,
    threads: number,
    dtype?: NativeDType,
  ): void;

  /**
   * The gradient of `maxUnpool2d` w.r.t. its input: `gradInput[p][i] = gradOutput[p][indices[p][i]]` bit for
   * bit. `plan` is the unpool's plan (`gradOutput` is planes x OH x OW; `indices`, `gradInput` planes x IH x IW).
   * A bad index throws as in `maxUnpool2d`, `gradInput` untouched. Any value dtype.
   */
  maxUnpool2dBackward(
    gradOutput: NativeValues,
    indices: NativeIndices,
    gradInput: NativeValues,
    plan: UnpoolPlanArray,
    threads: number,
    dtype?: NativeDType,
  ): void;

  /**
   * Adaptive max pooling with PyTorch's bins; indices (when not null) are plane-local `h * W + w`.
   * `plan` is a Float64Array `[planes, H, W, OH, OW]` (H, W >= 1). Every dtype `maxPool2d` takes.
   */
  adaptiveMaxPool2d(
    input: NativeValues,
    output: NativeValues,
    indices: NativeIndices | null,
    plan: Float64Array,
    threads: number,
    dtype?: NativeDType,
  ): void;

  /** `adaptiveMaxPool2d` off the JS thread, buffers as for `maxPool2dAsync` (output null / indices "int64" |
   * "int32": allocated by the addon). Resolves with `[output, indices or null]`. */
  adaptiveMaxPool2dAsync(
    input: NativeValues,
    output: NativeValues | null,
    indices: NativeIndices | 'int64' | 'int32' | null,
    plan: Float64Array,
    threads: number,
    dtype?: NativeDType,
  ): Promise<[NativeValues, NativeIndices | null]>;

  /** `maxPool2dBackward` off the JS thread (`gradInput` null: allocated by the addon); resolves with gradInput, a
   * bad index rejects with the same RangeError. */
  maxPool2dBackwardAsync(
    gradOutput: Float32Array | Float64Array | Uint16Array,
    indices: NativeIndices,
    gradInput: Float32Array | Float64Array | Uint16Array | null,
    plan: PoolPlanArray,
    threads: number,
    dtype?: NativeDType,
  ): Promise<Float32Array | Float64Array | Uint16Array>;

  /** `maxUnpool2dBackward` off the JS thread, as `maxPool2dBackwardAsync`. */
  maxUnpool2dBackwardAsync(
    gradOutput: NativeValues,
    indices: NativeIndices,
    gradInput: NativeValues | null,
    plan: UnpoolPlanArray,
    threads: number,
    dtype?: NativeDType,
  ): Promise<NativeValues>;
}
