import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildManifest, FileAssembly, hashBytes, type BlobManifest } from '../../../src-main/runtime/blobs';
import type { Cid } from '../../../src-main/common';
import { bytes, rejectsWith, tempDir } from './helpers';

const CHUNK = 1024;

/** A manifest over `parts` (a repeated part repeats its chunk), with the parts by CID. */
async function manifestOf(parts: Uint8Array[]): Promise<{ m: BlobManifest; cids: Cid[] }> {
  const cids: Cid[] = await Promise.all(parts.map((p) => hashBytes(p)));
  const m = await buildManifest(
    parts.map((p, i) => ({ index: i, cid: cids[i], size_bytes: p.length })),
    CHUNK,
    { filename: 'f.bin' },
  );
  return { m, cids };
}

describe('FileAssembly', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('writes chunks in any order at every position they fill, and appears only on commit', async () => {
    const t = await tempDir('assembly');
    cleanup = t.cleanup;
    const a1 = bytes(CHUNK, 1);
    const b = bytes(CHUNK, 2);
    const tail = bytes(100, 3);
    const { m, cids } = await manifestOf([a1, b, a1, tail]); // a1 twice
    const out = join(t.dir, 'out.bin');
    const asm = await FileAssembly.open(m, out);
    await asm.write(cids[3], tail);
    await asm.write(cids[0], a1);
    expect(asm.missing().map((r) => r.cid)).toEqual([cids[1]]);
    await rejectsWith(asm.commit(), 'internal_error');
    await asm.write(cids[1], b);
    expect(readdirSync(t.dir).includes('out.bin')).toBe(false);
    await asm.commit();
    expect(Buffer.compare(readFileSync(out), Buffer.concat([a1, b, a1, tail]))).toBe(0);
    expect(readdirSync(t.dir)).toEqual(['out.bin']);
  });

  it('discard removes the temp file and leaves an existing target untouched', async () => {
    const t = await tempDir('assembly-discard');
    cleanup = t.cleanup;
    const a = bytes(CHUNK, 4);
    const { m, cids } = await manifestOf([a]);
    const out = join(t.dir, 'keep.txt');
    writeFileSync(out, 'mine');
    const asm = await FileAssembly.open(m, out);
    await asm.write(cids[0], a);
    await asm.discard();
    await asm.discard();
    expect(readdirSync(t.dir)).toEqual(['keep.txt']);
    expect(readFileSync(out, 'utf8')).toBe('mine');
  });
});
