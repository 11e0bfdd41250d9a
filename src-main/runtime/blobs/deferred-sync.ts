/**
 * fsyncs put off for a batch: many small files added or received at once are made durable
 * together (one round of concurrent fsyncs, each directory once) instead of one file after another
 * with its directory each time — on this machine ~6 fsyncs per file were most of the time of
 * adding or receiving 1,000 photos. Steps that must wait until the batch is durable (removing a
 * pack's old name once its `.link` is on disk) run after the fsyncs.
 */
import { fsyncDir, fsyncFile } from './fs-util';

/** fsyncs in flight at once (the thread pool runs 4; more queue there, which is fine). */
const SYNC_PARALLEL = 8;

export class DeferredSyncs {
  #files = new Set<string>();
  #dirs = new Set<string>();
  #after: (() => Promise<void>)[] = [];

  get size(): number {
    return this.#files.size + this.#dirs.size + this.#after.length;
  }

  /** A file (and, when given, the directory naming it) to make durable at the next `flush`. */
  file(path: string, dir?: string): void {
    this.#files.add(path);
    if (dir) this.#dirs.add(dir);
  }

  dir(path: string): void {
    this.#dirs.add(path);
  }

  /** Runs `step` once everything registered before it is durable. */
  after(step: () => Promise<void>): void {
    this.#after.push(step);
  }

  /** fsyncs every registered file, then every directory, then runs the waiting steps. */
  async flush(): Promise<void> {
    const files = [...this.#files];
    const dirs = [...this.#dirs];
    const after = this.#after;
    this.#files = new Set();
    this.#dirs = new Set();
    this.#after = [];
    await inParallel(files, (f) => fsyncFile(f).catch(() => undefined)); // gone meanwhile: nothing to keep
    await inParallel(dirs, fsyncDir);
    for (const step of after) await step();
  }
}

async function inParallel<T>(items: readonly T[], fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(SYNC_PARALLEL, items.length) }, lane));
}
