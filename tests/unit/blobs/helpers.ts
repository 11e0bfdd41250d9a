/** Shared helpers for the blob tests: temp dirs, a fake disk, deterministic bytes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { HearthError } from '../../../src-main/common';
import type { BlobStore, DiskUsage } from '../../../src-main/runtime/blobs';

export async function tempDir(label: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `hearthnet-blobs-${label}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Deterministic pseudo-random bytes (xorshift), so vectors and sizes are stable. */
export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * A disk of `total` bytes where `otherUsed` bytes belong to other files and the rest of the
 * use is the running total of the store it `holds`, so gc and disk_full see the effect of their deletes.
 * Until the store is built and handed over, only the other files count.
 */
export class FakeDisk {
  private store: BlobStore | undefined;
  constructor(
    private readonly total: number,
    private readonly otherUsed: number | (() => number),
  ) {}

  readonly usage = (): DiskUsage => {
    const other = typeof this.otherUsed === 'number' ? this.otherUsed : this.otherUsed();
    return { total: this.total, free: this.total - other - (this.store?.totalBytes() ?? 0) };
  };

  /** Counts `store`'s bytes as used from now on; returns it. */
  holds(store: BlobStore): BlobStore {
    this.store = store;
    return store;
  }
}

/** Awaits `p`, expects a HearthError with `code`, returns it. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<HearthError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HearthError);
    expect((err as HearthError).code).toBe(code);
    return err as HearthError;
  }
  throw new Error(`expected a rejection with ${code}`);
}
