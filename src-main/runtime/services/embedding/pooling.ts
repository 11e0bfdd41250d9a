/** Pooling of a [batch, seq, hidden] transformer output into one vector per text. */

/** 'cls': first token (BGE); 'mean': mask-weighted mean (MiniLM, E5); 'none': the graph already pools. */
export type Pooling = 'cls' | 'mean' | 'none';
export const POOLINGS: readonly Pooling[] = ['cls', 'mean', 'none'];

/** Pools row `b` of a flat [batch, seq, hidden] array; `mask` is the flat [batch, seq] attention mask. */
export function poolRow(
  hidden: Float32Array,
  mask: BigInt64Array,
  b: number,
  seq: number,
  dim: number,
  pooling: 'cls' | 'mean',
): Float32Array {
  const out = new Float32Array(dim);
  const base = b * seq * dim;
  if (pooling === 'cls') {
    out.set(hidden.subarray(base, base + dim));
    return out;
  }
  let n = 0;
  for (let t = 0; t < seq; t++) {
    if (mask[b * seq + t] === 0n) continue;
    const o = base + t * dim;
    for (let j = 0; j < dim; j++) out[j] += hidden[o + j];
    n++;
  }
  if (n > 0) for (let j = 0; j < dim; j++) out[j] /= n;
  return out;
}
