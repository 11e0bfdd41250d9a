/** `npm run bench -- blobs-hash`: BLAKE3 chunk hashing throughput (hash-wasm vs @noble vs sha256 baseline) and store import/export. */
import { blake3 } from '@noble/hashes/blake3.js';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHUNK_SIZE_BYTES } from '../src-main/common';
import { BlobStore, hashBytes } from '../src-main/runtime/blobs';

const MB = 1024 * 1024;

async function rate(label: string, rounds: number, fn: () => unknown): Promise<number> {
  await fn(); // warm up (WASM instantiation, JIT)
  const t = performance.now();
  for (let i = 0; i < rounds; i++) await fn();
  const mbs = (rounds * CHUNK_SIZE_BYTES) / MB / ((performance.now() - t) / 1000);
  console.log(`${label.padEnd(34)} ${mbs.toFixed(0).padStart(6)} MB/s`);
  return mbs;
}

export async function main(): Promise<void> {
  const chunk = randomBytes(CHUNK_SIZE_BYTES);
  const wasm = await rate('blake3 hash-wasm (used)', 400, () => hashBytes(chunk));
  const noble = await rate('blake3 @noble/hashes (pure JS)', 40, () => blake3(chunk));
  const sha = await rate('sha256 node:crypto (baseline)', 400, () => createHash('sha256').update(chunk).digest());

  const dir = await mkdtemp(join(tmpdir(), 'hearthnet-bench-blobs-'));
  try {
    const src = join(dir, 'in.bin');
    const size = 64 * MB;
    for (let i = 0; i < size / MB; i++) await appendFile(src, randomBytes(MB));
    const store = new BlobStore(join(dir, 'store'), { marginBytes: 0 });
    await store.start();
    let t = performance.now();
    const m = await store.importFile(src);
    const imp = size / MB / ((performance.now() - t) / 1000);
    t = performance.now();
    await store.exportToFile(m.cid, join(dir, 'out.bin'));
    const exp = size / MB / ((performance.now() - t) / 1000);
    console.log(`import 64 MB (hash + fsync'd chunks)  ${imp.toFixed(0).padStart(6)} MB/s`);
    console.log(`export 64 MB (verify + fsync)         ${exp.toFixed(0).padStart(6)} MB/s`);
    console.log(
      `blobs-hash: hash-wasm ${wasm.toFixed(0)} MB/s = ${(wasm / noble).toFixed(1)}x @noble, ${(wasm / sha).toFixed(2)}x sha256; import ${imp.toFixed(0)} MB/s, export ${exp.toFixed(0)} MB/s`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
