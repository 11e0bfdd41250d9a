import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobStore, hashBytes } from '../../../src-main/runtime/blobs';
import { tempDir } from './helpers';

const MB = 1024 * 1024;
const FILE_MB = 20;

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const piece of createReadStream(path)) h.update(piece as Buffer);
  return h.digest('hex');
}

/** Runs `fn` while sampling memory every few ms; returns the peak growth of rss and arrayBuffers. */
async function peakGrowth<T>(fn: () => Promise<T>): Promise<{ result: T; rss: number; arrayBuffers: number }> {
  const base = process.memoryUsage();
  let rss = 0;
  let ab = 0;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss - base.rss);
    ab = Math.max(ab, m.arrayBuffers - base.arrayBuffers);
  };
  const timer = setInterval(sample, 2);
  try {
    const result = await fn();
    sample();
    return { result, rss, arrayBuffers: ab };
  } finally {
    clearInterval(timer);
  }
}

describe('streaming import and export', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => cleanup?.());

  it(`imports and exports a ${FILE_MB} MB file chunk by chunk, with memory growth far below the file size`, async () => {
    const t = await tempDir('stream');
    cleanup = t.cleanup;
    const src = join(t.dir, 'big.bin');
    for (let i = 0; i < FILE_MB; i++) await appendFile(src, randomBytes(MB));
    const store = new BlobStore(join(t.dir, 'store'), { marginBytes: 0, fsync: false });
    await store.start();
    await hashBytes(new Uint8Array(1)); // loads the hasher (the native module's pages count in RSS once) before measuring
    const progress: number[] = [];

    const imp = await peakGrowth(() =>
      store.importFile(src, {
        filename: 'big.bin',
        mimeType: 'application/octet-stream',
        onProgress: (p) => progress.push(p.bytes),
      }),
    );
    const m = imp.result;
    expect(m.size_bytes).toBe(FILE_MB * MB);
    expect(m.chunks).toHaveLength((FILE_MB * MB) / m.chunk_size_bytes);
    expect(progress.at(-1)).toBe(FILE_MB * MB);
    expect(await store.hasBlob(m.cid)).toBe(true);

    const out = join(t.dir, 'out', 'copy.bin');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(t.dir, 'out')));
    const exp = await peakGrowth(() => store.exportToFile(m.cid, out));
    expect((await stat(out)).size).toBe(FILE_MB * MB);
    expect(await sha256File(out)).toBe(await sha256File(src));

    console.log(
      `[blobs] ${FILE_MB} MB import: peak rss +${(imp.rss / MB).toFixed(1)} MB, arrayBuffers +${(imp.arrayBuffers / MB).toFixed(1)} MB; export: rss +${(exp.rss / MB).toFixed(1)} MB, arrayBuffers +${(exp.arrayBuffers / MB).toFixed(1)} MB`,
    );
    // Loose bounds (GC timing varies), still far below holding the file (20 MB).
    for (const g of [imp, exp]) {
      expect(g.arrayBuffers).toBeLessThan(4 * MB);
      expect(g.rss).toBeLessThan(12 * MB);
    }
  });
});
