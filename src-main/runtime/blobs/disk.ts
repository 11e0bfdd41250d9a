/** Disk usage: how full the disk under the blob store is (injectable so tests fake a tiny disk). */
import { statfs } from 'node:fs/promises';
import { ioError } from './fs-util';
import { BlobError } from './errors';

/** Sizes of the filesystem holding the store, in bytes. `free` is what this user may still write. */
export interface DiskUsage {
  total: number;
  free: number;
}

/** Reports disk usage; may be sync or async. */
export type DiskUsageFn = () => DiskUsage | Promise<DiskUsage>;

/** Free space a write must leave behind, so the rest of the app (event log, logs) can still write. */
export const DISK_SAFETY_MARGIN_BYTES = 64 * 1024 * 1024;

/** The real disk, via statfs on the store directory. */
/** How long one reading of the disk's free space is reused (a transfer checks before every chunk). */
export const DISK_USAGE_CACHE_MS = 500;

export function statfsUsage(dir: string, cacheMs = DISK_USAGE_CACHE_MS): DiskUsageFn {
  let last: { at: number; usage: Promise<DiskUsage> } | null = null;
  return async () => {
    const now = performance.now();
    // One statfs per half second instead of one per 256 KiB chunk; the safety margin covers the
    // little written in between.
    if (last && now - last.at < cacheMs) return last.usage;
    const usage = statfs(dir).then(
      (s) => ({ total: s.blocks * s.bsize, free: s.bavail * s.bsize }),
      (err: unknown) => {
        last = null;
        throw ioError('checking free disk space', err);
      },
    );
    last = { at: now, usage };
    return usage;
  };
}

/** Fraction of the disk in use, 0..1. */
export function usedFraction(u: DiskUsage): number {
  return u.total > 0 ? 1 - u.free / u.total : 1;
}

/** Throws BlobError('disk_full') when writing `bytes` would leave less than `marginBytes` free. */
export function assertRoom(u: DiskUsage, bytes: number, marginBytes: number, what: string): void {
  if (u.free - bytes < marginBytes) {
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    throw new BlobError(
      'disk_full',
      `Not enough disk space for ${what}: it needs ${mb(bytes)}, ${mb(Math.max(0, u.free))} is free and ${mb(marginBytes)} must stay free. Free some space (or unpin files) and try again.`,
      {
        details: { needed_bytes: bytes, free_bytes: u.free, margin_bytes: marginBytes },
      },
    );
  }
}
