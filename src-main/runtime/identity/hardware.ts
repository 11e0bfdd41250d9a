/** Best-effort hardware figures for the node manifest, from node:os and statfs. */
import { statfsSync } from 'node:fs';
import { availableParallelism, homedir, totalmem } from 'node:os';
import type { HardwareSpec } from './manifest-types';

const GB = 1024 ** 3;

/** Rounded to 0.1 GB: finer figures only churn the manifest signature for nothing. */
function gb(bytes: number): number {
  return Math.round((bytes / GB) * 10) / 10;
}

export interface DetectHardwareOptions {
  /** Folder whose file system's free space is reported (the data dir); defaults to the home folder. */
  dataDir?: string;
  /** GPU name when the LLM backend knows one; node:os cannot tell. */
  gpu?: string | null;
  vramGb?: number;
}

/** CPU cores, RAM and free disk of this machine. Disk free is 0 when the folder cannot be read. */
export function detectHardware(opts: DetectHardwareOptions = {}): HardwareSpec {
  let diskFree = 0;
  try {
    const s = statfsSync(opts.dataDir ?? homedir());
    diskFree = s.bavail * s.bsize;
  } catch {
    // A missing data dir is reported by the doctor's disk_space check; the manifest just says 0.
    diskFree = 0;
  }
  return {
    gpu: opts.gpu ?? null,
    vram_gb: opts.vramGb ?? 0,
    ram_gb: gb(totalmem()),
    cpu_cores: availableParallelism(),
    disk_free_gb: gb(diskFree),
  };
}
