// The "plain nested-loop implementation" the benchmark measures against, and the reference every other
// configuration is checked against before it is timed.
//
// PyTorch semantics (aten cpu_max_pool, contiguous NCHW): windows scanned kh then kw, the rule
// `v > max || v !== v` (first maximum wins, last NaN wins), -Infinity padding, plane-local indices h * W + w,
// the index starting at the window's first in-bounds tap. Deliberately naive: one loop nest per output with a
// bounds check on every tap, and a fresh output array on every call.

/** Output size along one axis, as PyTorch's pooling_output_shape (floor or ceil mode). */
export function pooledSize(size, k, s, p, d, ceilMode) {
  const span = size + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0);
  let out = Math.floor(span / s) + 1;
  if (ceilMode && (out - 1) * s >= size + p) out -= 1;
  return out;
}

/** `k` or `[h, w]` as `[h, w]`. */
export function pair(v, fallback) {
  if (v === undefined || v === null) return fallback;
  return Array.isArray(v) ? [v[0], v[1]] : [v, v];
}

/** Resolves `{ kernelSize, stride, padding, dilation, ceilMode }` for an `[N, C, H, W]` shape. */
export function poolGeometry(shape, opts) {
  const [N, C, H, W] = shape;
  const [kH, kW] = pair(opts.kernelSize);
  const [sH, sW] = pair(opts.stride, [kH, kW]);
  const [pH, pW] = pair(opts.padding, [0, 0]);
  const [dH, dW] = pair(opts.dilation, [1, 1]);
  const ceilMode = !!opts.ceilMode;
  const OH = pooledSize(H, kH, sH, pH, dH, ceilMode);
  const OW = pooledSize(W, kW, sW, pW, dW, ceilMode);
  return { N, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, OH, OW, outShape: [N, C, OH, OW] };
}

/**
 * Plain nested-loop max pooling of a float32 or float64 NCHW array.
 * Returns `{ values, indices }`; `values` is a fresh array of the input's type, `indices` a fresh
 * BigInt64Array (PyTorch's int64) when `returnIndices`, else null.
 */
export function maxPool2dNaive(data, shape, opts, returnIndices) {
  const g = poolGeometry(shape, opts);
  const { N, C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, OH, OW } = g;
  const values = new data.constructor(N * C * OH * OW);
  const indices = returnIndices ? new BigInt64Array(N * C * OH * OW) : null;
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * H * W;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const h0 = oh * sH - pH;
          const w0 = ow * sW - pW;
          // PyTorch starts the index at the first in-bounds tap (start stepped by the dilation).
          const ih0 = h0 >= 0 ? h0 : h0 + Math.ceil(-h0 / dH) * dH;
          const iw0 = w0 >= 0 ? w0 : w0 + Math.ceil(-w0 / dW) * dW;
          let m = Number.NEGATIVE_INFINITY;
          let a = ih0 * W + iw0;
          for (let kh = 0; kh < kH; kh++) {
            const ih = h0 + kh * dH;
            if (ih < 0 || ih >= H) continue;
            for (let kw = 0; kw < kW; kw++) {
              const iw = w0 + kw * dW;
              if (iw < 0 || iw >= W) continue;
              const v = data[base + ih * W + iw];
              if (v > m || v !== v) {
                m = v;
                a = ih * W + iw;
              }
            }
          }
          values[o] = m;
          if (indices) indices[o] = BigInt(a);
          o++;
        }
      }
    }
  }
  return { values, indices };
}

/**
 * Plain-loop max unpooling (PyTorch max_unpool2d): zero-fills `out` (length planes * OH * OW), then writes
 * `input[p][i]` at `out[p][indices[p][i]]`, checking every index.
 */
export function maxUnpool2dNaive(input, indices, planes, inPlane, OH, OW, out) {
  const outPlane = OH * OW;
  out.fill(0);
  for (let p = 0; p < planes; p++) {
    const ib = p * inPlane;
    const ob = p * outPlane;
    for (let i = 0; i < inPlane; i++) {
      const at = Number(indices[ib + i]);
      if (at < 0 || at >= outPlane) throw new RangeError(`index ${at} out of range at ${ib + i}`);
      out[ob + at] = input[ib + i];
    }
  }
  return out;
}
