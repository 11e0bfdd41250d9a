/**
 * The fuzz budget. `npm test` runs a small fixed number of cases per property (FUZZ_RUNS, default
 * 60: the whole suite stays well under a minute on a loaded 2-core machine); `npm run fuzz` runs
 * many more. fast-check prints the seed and the shrunk counterexample of a failing property;
 * replay one with FUZZ_SEED=<seed> (and FUZZ_PATH=<path>).
 */
import fc from 'fast-check';
import { HearthError } from '../../src-main/common';

export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 60));

/** fast-check parameters for a property whose cases cost about `weight` times a cheap one. */
export function budget(weight = 1): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return {
    numRuns: Math.max(1, Math.round(FUZZ_RUNS / weight)),
    seed,
    path: process.env.FUZZ_PATH,
    endOnFailure: true,
  };
}

/** A string derived from `valid` by a few random edits: flips, insertions, deletions, truncation. */
export function mutated(valid: string): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({
      kind: fc.constant('set' as const),
      at: fc.nat(),
      ch: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      ch: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
    }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), ch: fc.constant('') }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), ch: fc.constant('') }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let s = valid;
    for (const e of edits) {
      const i = s.length ? e.at % s.length : 0;
      if (e.kind === 'set') s = s.slice(0, i) + e.ch + s.slice(i + 1);
      else if (e.kind === 'insert') s = s.slice(0, i) + e.ch + s.slice(i);
      else if (e.kind === 'delete') s = s.slice(0, i) + s.slice(i + 1);
      else s = s.slice(0, i);
    }
    return s;
  });
}

/** Bytes derived from `valid` by flipping, inserting or dropping a few bytes. */
export function mutatedBytes(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })), {
      minLength: 1,
      maxLength: 6,
    })
    .map((edits) => {
      const b = Array.from(valid);
      for (const [at, v, kind] of edits) {
        const i = b.length ? at % b.length : 0;
        if (kind === 0) b[i] = v;
        else if (kind === 1) b.splice(i, 0, v);
        else b.splice(i, 1);
      }
      return Uint8Array.from(b);
    });
}

/**
 * Runs `fn`; a thrown error must be a HearthError whose code is one of `codes` (the documented
 * ones). Anything else (a TypeError from a missed check, a RangeError) fails the property.
 */
export function expectOnly<T>(codes: readonly string[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (err instanceof HearthError && (codes.includes(String(err.code)) || codes.includes(err.wireCode)))
      return undefined;
    throw new Error(
      `undocumented failure: ${err instanceof HearthError ? `${err.name}(${err.code})` : String((err as Error)?.stack ?? err)}`,
    );
  }
}

export async function expectOnlyAsync<T>(codes: readonly string[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HearthError && (codes.includes(String(err.code)) || codes.includes(err.wireCode)))
      return undefined;
    throw new Error(
      `undocumented failure: ${err instanceof HearthError ? `${err.name}(${err.code})` : String((err as Error)?.stack ?? err)}`,
    );
  }
}
