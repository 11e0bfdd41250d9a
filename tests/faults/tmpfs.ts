/** A small tmpfs for full-disk tests: root only; elsewhere the reason it is skipped. */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  readonly dir: string;
  /** Fill the free space with a file (returns its path); deleting it frees the space again. */
  fill(): string;
  unmount(): void;
}

/** Why a tmpfs cannot be mounted here, or null when it can. Printed by the tests that skip. */
export function tmpfsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'full-disk tests need Linux (tmpfs)';
  if (process.getuid?.() !== 0)
    return 'full-disk tests mount a small tmpfs, which needs root; run the suite as root (CI does) to include them';
  const probe = mkdtempSync(join(tmpdir(), 'hn-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `cannot mount a tmpfs here (${String((err as Error).message).split('\n')[0]})`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

export function mountSmallDisk(sizeMb: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'hn-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  return {
    dir,
    fill() {
      const path = join(dir, 'filler');
      const fd = openSync(path, 'a');
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        // Bounded: the disk is sizeMb big; then single bytes until the very last one is used.
        for (let i = 0; i < sizeMb * 16 + 1; i++) writeSync(fd, block);
      } catch {
        try {
          for (let i = 0; i < 64 * 1024; i++) writeSync(fd, block.subarray(0, 1));
        } catch {
          /* full */
        }
      } finally {
        closeSync(fd);
      }
      return path;
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
