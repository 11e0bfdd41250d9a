/**
 * Open file handles of packs, and the per-pack queue of operations (internal to packs.ts): up to
 * OPEN_PACKS_MAX packs' handles stay open (a transfer writes thousands of pieces into one), the
 * least recently used idle one is closed first, and a handle is never closed under a running
 * operation or read.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Cid } from '../../common';
import { flushHave, type Handles } from './pack-io';

/** Open handles kept per pack. */
const OPEN_PACKS_MAX = 16;

export interface PackPaths {
  /** Where the bytes are: the pack file, or a linked file outside the store. */
  data(blob: Cid): string;
  have(blob: Cid): string;
  /** True when the pack is linked (its file is the user's: opened read-only, no `.have`). */
  linked(blob: Cid): boolean;
}

export class PackHandles {
  readonly #open = new Map<Cid, Handles>();
  /** Per pack, the tail of its operations: reads, writes, drops and closes of one pack run in turn. */
  readonly #chain = new Map<Cid, Promise<unknown>>();

  constructor(private readonly paths: PackPaths) {}

  /** Runs `fn` after every earlier operation on the pack of `blob` (handles are never closed under a running one). */
  async withPack<T>(blob: Cid, fn: () => Promise<T>): Promise<T> {
    const run = (this.#chain.get(blob) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#chain.set(blob, tail);
    try {
      return await run;
    } finally {
      if (this.#chain.get(blob) === tail) this.#chain.delete(blob);
    }
  }

  /** The pack's handles if they are open. */
  peek(blob: Cid): Handles | undefined {
    return this.#open.get(blob);
  }

  /** Every pack with open handles. */
  openPacks(): Cid[] {
    return [...this.#open.keys()];
  }

  /** The pack's handles, opened if needed (call inside `withPack`). */
  async get(blob: Cid): Promise<Handles> {
    const hit = this.#open.get(blob);
    if (hit) {
      this.#open.delete(blob); // most recently used goes last
      this.#open.set(blob, hit);
      return hit;
    }
    // Close the least recently used handles of a pack nobody is using right now.
    if (this.#open.size >= OPEN_PACKS_MAX) {
      const idle = [...this.#open].find(([b, h]) => b !== blob && !this.#chain.has(b) && h.readers === 0);
      if (idle) await this.close(idle[0]);
    }
    let pack: FileHandle;
    let have: FileHandle | null = null;
    if (this.paths.linked(blob)) {
      pack = await open(this.paths.data(blob), 'r'); // the user's file: read only
    } else {
      // Read-write, created if missing, never truncated; not 'a' (append mode ignores the offsets).
      pack = await open(this.paths.data(blob), constants.O_RDWR | constants.O_CREAT);
      try {
        have = await open(this.paths.have(blob), 'a');
      } catch (err) {
        await pack.close();
        throw err;
      }
    }
    const h: Handles = {
      pack,
      have,
      pending: [],
      readers: 0,
      checkedAt: -Infinity,
      syncIo: true,
      writes: new Set(),
      buffers: [],
      error: null,
    };
    this.#open.set(blob, h);
    return h;
  }

  /** Closes the pack's handles once its reads are done; pending `.have` records are appended first. */
  async close(blob: Cid): Promise<void> {
    const h = this.#open.get(blob);
    this.#open.delete(blob);
    if (!h) return;
    // Reads run outside the queue: let them finish (each is one pread; bounded wait).
    for (let i = 0; h.readers > 0 && i < 30_000; i++) await new Promise((r) => setTimeout(r, 1));
    await flushHave(h).catch(() => undefined); // lost records only mean a refetch
    await h.pack.close().catch(() => undefined);
    await h.have?.close().catch(() => undefined);
  }
}
