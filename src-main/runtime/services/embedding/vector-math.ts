/** Small vector helpers shared by the embedding backends and the corpus store. */

/** L2-normalises `v` in place and returns it. A zero vector stays zero (there is no direction to keep). */
export function l2Normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i] *= inv;
  }
  return v;
}

/** Dot product of `a` with the row of `m` starting at `offset` (length `a.length`). */
export function dotAt(a: Float32Array, m: Float32Array, offset: number): number {
  const n = a.length;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let i = 0;
  // Four accumulators: breaks the add dependency chain so the JIT can pipeline.
  for (; i + 3 < n; i += 4) {
    const o = offset + i;
    s0 += a[i] * m[o];
    s1 += a[i + 1] * m[o + 1];
    s2 += a[i + 2] * m[o + 2];
    s3 += a[i + 3] * m[o + 3];
  }
  for (; i < n; i++) s0 += a[i] * m[offset + i];
  return s0 + s1 + s2 + s3;
}

/** Cosine similarity of two equal-length vectors (0 when either is zero). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : d / Math.sqrt(na * nb);
}
