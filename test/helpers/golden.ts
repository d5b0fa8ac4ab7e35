/** Reads the PyTorch reference vectors in `test/fixtures/maxpool2d.json` (format: test/fixtures/README.md). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GoldenTensor {
  dtype: 'float32' | 'float64' | 'int64';
  shape: number[];
  b64: string;
}

export interface GoldenCase {
  id: string;
  op: 'max_pool2d' | 'max_unpool2d' | 'max_pool2d_backward';
  params: Record<string, unknown>;
  input?: GoldenTensor;
  indices?: GoldenTensor;
  grad_output?: GoldenTensor;
  expected?: { output?: GoldenTensor; indices?: GoldenTensor; grad_input?: GoldenTensor };
  memory_format?: string;
  duplicates?: boolean;
  error?: boolean;
  torch_message?: string;
  input_shape?: number[];
  expected_shape?: number[];
}

export function loadGolden(): GoldenCase[] {
  const file = join(__dirname, '..', 'fixtures', 'maxpool2d.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { cases: GoldenCase[] }).cases;
}

/** Decodes a golden tensor into a fresh (aligned) typed array. */
export function decode(t: GoldenTensor): Float32Array | Float64Array | BigInt64Array {
  const bytes = Buffer.from(t.b64, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (t.dtype === 'float32') return new Float32Array(copy.buffer);
  if (t.dtype === 'float64') return new Float64Array(copy.buffer);
  return new BigInt64Array(copy.buffer);
}

/** PyTorch keyword arguments -> this package's option names. */
export function poolOptions(params: Record<string, unknown>) {
  return {
    kernelSize: params.kernel_size as number,
    stride: params.stride as number | null | undefined,
    padding: params.padding as number | undefined,
    dilation: params.dilation as number | undefined,
    ceilMode: params.ceil_mode as boolean | undefined,
    returnIndices: params.return_indices as boolean | undefined,
  };
}

export function unpoolOptions(params: Record<string, unknown>) {
  return {
    kernelSize: params.kernel_size as number,
    stride: params.stride as number | null | undefined,
    padding: params.padding as number | undefined,
    outputSize: params.output_size as number[] | undefined,
  };
}
