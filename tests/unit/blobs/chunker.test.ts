import { blake3 } from '@noble/hashes/blake3.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJsonBytes } from '../../../src-main/common';
import {
  chunkBlob,
  chunkFile,
  hashBytes,
  manifestCid,
  parseManifest,
  reassemble,
  verifyChunk,
  type BlobManifest,
  type ChunkRef,
} from '../../../src-main/runtime/blobs';
import { bytes, rejectsWith, tempDir } from './helpers';
import { BlobError } from '../../../src-main/runtime/blobs';

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

describe('chunk CIDs', () => {
  it('are blake3:<hex> of the bytes (published BLAKE3 vectors)', async () => {
    expect(await hashBytes(new Uint8Array())).toBe(
      'blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
    );
    expect(await hashBytes(new TextEncoder().encode('abc'))).toBe(
      'blake3:6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85',
    );
  });

  it('agree with an independent BLAKE3 (@noble/hashes) on a chunk-sized input', async () => {
    const data = bytes(262_144, 7);
    expect(await hashBytes(data)).toBe(`blake3:${hex(blake3(data))}`);
  });

  it('verifyChunk refuses bytes that do not match, with hash_mismatch', async () => {
    const data = bytes(100);
    const cid = await hashBytes(data);
    await expect(verifyChunk(data, cid)).resolves.toBeUndefined();
    const bad = data.slice();
    bad[50] ^= 1;
    const err = await rejectsWith(verifyChunk(bad, cid), 'hash_mismatch');
    expect(err).toBeInstanceOf(BlobError);
    expect(err.wireCode).toBe('bad_request');
    expect(err.details.expected).toBe(cid);
  });
});

describe('manifests', () => {
  it('chunk a blob and address it by the hash of its canonical JSON without cid (stable vector)', async () => {
    const data = bytes(10, 3);
    const { manifest, chunks } = await chunkBlob(data, { chunkSize: 4, mimeType: 'text/plain', filename: 'a.txt' });
    expect(manifest.chunks.map((c) => c.size_bytes)).toEqual([4, 4, 2]);
    expect(manifest.size_bytes).toBe(10);
    expect(reassemble(chunks)).toEqual(data);
    const { cid, ...body } = manifest;
    expect(cid).toBe(`blake3:${hex(blake3(canonicalJsonBytes(body)))}`);
    expect(await manifestCid(manifest)).toBe(cid);
    // Pinned value: if this changes, every stored blob's address changes.
    expect(cid).toBe(STABLE_MANIFEST_CID);
  });

  it('the docs/protocol/blobs.md example is exact', async () => {
    const { manifest } = await chunkBlob(new TextEncoder().encode('hello, hearth\n'), {
      filename: 'hello.txt',
      mimeType: 'text/plain',
    });
    expect(manifest).toEqual({
      cid: 'blake3:32b370a95ef76960a1c620ce2796b8f13b48ace711945138c21a519a1ab3e142',
      size_bytes: 14,
      chunk_size_bytes: 262144,
      chunks: [
        { index: 0, cid: 'blake3:717440282b06a9f20d3dd6ffd80746608836d98ca0710a8f8af3bbb0a51b4208', size_bytes: 14 },
      ],
      mime_type: 'text/plain',
      filename: 'hello.txt',
    });
  });

  it('an empty blob has no chunks and a valid manifest', async () => {
    const { manifest, chunks } = await chunkBlob(new Uint8Array());
    expect(chunks).toEqual([]);
    expect(manifest.size_bytes).toBe(0);
    await expect(parseManifest(JSON.parse(JSON.stringify(manifest)))).resolves.toEqual(manifest);
  });

  it('parseManifest accepts a round-tripped manifest and refuses each kind of bad one with manifest_invalid', async () => {
    const { manifest } = await chunkBlob(bytes(10, 3), { chunkSize: 4 });
    const plain = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;
    await expect(parseManifest(plain)).resolves.toEqual(manifest);
    const chunks = manifest.chunks as ChunkRef[];
    const bad: [string, unknown][] = [
      ['not an object', 'x'],
      ['extra field', { ...plain, note: 'hi' }],
      ['malformed cid', { ...plain, cid: 'sha256:00' }],
      ['cid of other content', { ...plain, filename: 'changed.txt' }],
      ['sizes do not add up', { ...plain, size_bytes: 11 }],
      ['index out of order', { ...plain, chunks: [chunks[1], chunks[0], chunks[2]] }],
      ['middle chunk short', { ...plain, chunks: [chunks[0], { ...chunks[1], size_bytes: 3 }, chunks[2]] }],
      ['zero chunk size', { ...plain, chunk_size_bytes: 0 }],
      ['chunk size too big', { ...plain, chunk_size_bytes: 1 << 30 }],
      ['filename not text', { ...plain, filename: 5 }],
    ];
    for (const [, value] of bad) await rejectsWith(parseManifest(value), 'manifest_invalid');
    const other = (await chunkBlob(bytes(5, 9))).manifest;
    await rejectsWith(parseManifest(plain, other.cid), 'manifest_invalid');
  });
});

describe('chunkFile', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('streams a file into chunks with the same manifest as chunkBlob, reporting progress', async () => {
    const t = await tempDir('chunkfile');
    cleanup = t.cleanup;
    const data = bytes(1000, 5);
    const path = join(t.dir, 'f.bin');
    await writeFile(path, data);
    const seen: Uint8Array[] = [];
    const progress: number[] = [];
    const m: BlobManifest = await chunkFile(
      path,
      (_ref, b) => {
        seen.push(b.slice());
        return Promise.resolve();
      },
      {
        chunkSize: 256,
        filename: 'f.bin',
        onProgress: (p) => progress.push(p.bytes),
      },
    );
    const expected = (await chunkBlob(data, { chunkSize: 256, filename: 'f.bin' })).manifest;
    expect(m).toEqual(expected);
    expect(reassemble(seen)).toEqual(data);
    expect(progress).toEqual([256, 512, 768, 1000]);
  });

  it('a missing file is not_found', async () => {
    await rejectsWith(
      chunkFile('/nonexistent/hearthnet/file', () => Promise.resolve()),
      'not_found',
    );
  });
});

const STABLE_MANIFEST_CID = 'blake3:9c295f43575cdcfae12dfee0f3f09500aca64b8a57af19c67dff82193cce6b8d';
