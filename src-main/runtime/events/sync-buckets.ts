/** Lamport buckets of one author's events: how sync narrows a differing author down cheaply. */
import { digestOf } from './digest';
import type { BucketSummary } from './sync-types';
import { SYNC_TARGET_BUCKETS } from './sync-types';

export type IdLamport = { event_id: string; lamport: number };

export function bucketOf(lamport: number, width: number): number {
  return Math.floor(lamport / width);
}

/** A width giving about SYNC_TARGET_BUCKETS buckets up to `maxLamport`. */
export function bucketWidthFor(maxLamport: number): number {
  return Math.max(1, Math.ceil((maxLamport + 1) / SYNC_TARGET_BUCKETS));
}

/** Bucket index -> the ids in it. */
export function groupByBucket(ids: readonly IdLamport[], width: number): Map<number, IdLamport[]> {
  const out = new Map<number, IdLamport[]>();
  for (const r of ids) {
    const b = bucketOf(r.lamport, width);
    let list = out.get(b);
    if (!list) out.set(b, (list = []));
    list.push(r);
  }
  return out;
}

/** Wire form: bucket index (decimal string) -> {count, digest}. */
export function bucketSummaries(ids: readonly IdLamport[], width: number): Record<string, BucketSummary> {
  const out: Record<string, BucketSummary> = {};
  for (const [b, list] of groupByBucket(ids, width))
    out[String(b)] = { count: list.length, digest: digestOf(list.map((r) => r.event_id)) };
  return out;
}
