/** Symmetric int8 quantisation of a vector, with the bound it puts on a dot product's error. */

/** Largest int8 magnitude used: values map to [-127, 127] (symmetric, -128 unused). */
export const INT8_LEVELS = 127;

export interface Quantized {
  /** Value of one int8 step: x ≈ q * step. 0 for a zero vector. */
  step: number;
  /** Sum of |x_i| (L1 norm) of the original vector, for the error bound. */
  l1: number;
}

/** Writes round(x / step) into `out[offset..offset+x.length)`; returns the step and L1 norm. */
export function quantizeInto(x: Float32Array, out: Int8Array, offset: number): Quantized {
  let max = 0;
  let l1 = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    l1 += a;
    if (a > max) max = a;
  }
  const step = max / INT8_LEVELS;
  const inv = step > 0 ? 1 / step : 0;
  for (let i = 0; i < x.length; i++) out[offset + i] = Math.round(x[i] * inv);
  return { step, l1 };
}

/**
 * Slack for float rounding: a float32 dot of unit vectors over `dim` terms is off by at most about
 * dim * 2^-24 (both the estimate and the exact score), plus a little for the float64 products.
 */
export function roundingSlack(dim: number): number {
  return 1e-6 + dim * 2 ** -23;
}

/**
 * Upper bound on |x·q − (x̂·q̂)| for x̂ = round(x/sx)·sx, q̂ likewise: with per-component errors
 * |e_x| <= sx/2, |e_q| <= sq/2, x·q − x̂·q̂ = e_x·q + x·e_q − e_x·e_q, so the error is at most
 * |q|_1·sx/2 + |x|_1·sq/2 + dim·sx·sq/4.
 */
export function dotErrorBound(x: Quantized, q: Quantized, dim: number): number {
  return (q.l1 * x.step + x.l1 * q.step) / 2 + (dim * x.step * q.step) / 4 + roundingSlack(dim);
}
