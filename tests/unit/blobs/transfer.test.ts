import { afterEach, describe, expect, it } from 'vitest';
import { type Cid } from '../../../src-main/common';
import {
  BlobStore,
  chunkBlob,
  TransferManager,
  type BlobManifest,
  type TransferProgress,
} from '../../../src-main/runtime/blobs';
import { bytes, rejectsWith, tempDir } from './helpers';
import { BlobError } from '../../../src-main/runtime/blobs';

const CHUNK = 16 * 1024;

/** An in-process peer: serves from its own store, optionally slow, corrupting or broken. */
interface FakePeer {
  store: BlobStore;
  delayMs?: number;
  corrupt?: Set<Cid>;
  /** Corrupt this many of the next chunks served. */
  corruptNext?: number;
  broken?: boolean;
  /** A manifest to return instead of the real one (a lying peer). */
  wrongManifest?: unknown;
  corrupted?: Cid[];
  calls: Cid[];
  manifestCalls: number;
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

async function newStore(label: string, dir?: string): Promise<BlobStore> {
  if (!dir) {
    const t = await tempDir(label);
    cleanups.push(t.cleanup);
    dir = t.dir;
  }
  const s = new BlobStore(dir, { marginBytes: 0, fsync: false });
  await s.start();
  return s;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

/** A mesh of fake peers and a TransferManager for `local` that fetches from them. */
function mesh(local: BlobStore, peers: Record<string, FakePeer>, concurrency = 4) {
  let inFlight = 0;
  let maxInFlight = 0;
  const tm = new TransferManager(
    {
      store: local,
      async fetchChunk(source, cid, signal) {
        const p = peers[source];
        p.calls.push(cid);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          if (p.delayMs) await delay(p.delayMs, signal);
          if (p.broken) throw new Error('connection refused');
          const data = (await p.store.readChunk(cid)).slice();
          if (p.corrupt?.has(cid) || (p.corruptNext ?? 0) > 0) {
            data[0] ^= 0xff;
            if (p.corruptNext) p.corruptNext--;
            p.corrupted = [...(p.corrupted ?? []), cid];
          }
          return data;
        } finally {
          inFlight--;
        }
      },
      async fetchManifest(source, cid) {
        const p = peers[source];
        p.manifestCalls++;
        if (p.broken) throw new Error('connection refused');
        return p.wrongManifest ?? (JSON.parse(JSON.stringify(await p.store.readManifest(cid))) as BlobManifest);
      },
    },
    { concurrency },
  );
  return { tm, maxInFlight: () => maxInFlight };
}

function peer(store: BlobStore, extra: Partial<FakePeer> = {}): FakePeer {
  return { store, calls: [], manifestCalls: 0, ...extra };
}

async function seeded(n: number, seed = 1): Promise<{ store: BlobStore; manifest: BlobManifest; data: Uint8Array }> {
  const store = await newStore('remote');
  const data = bytes(n, seed);
  const { manifest, chunks } = await chunkBlob(data, {
    chunkSize: CHUNK,
    filename: 'photo.jpg',
    mimeType: 'image/jpeg',
  });
  await store.writeBlob(manifest, chunks);
  return { store, manifest, data };
}

describe('TransferManager.fetchBlob', () => {
  it('pulls from two sources, refuses a chunk corrupted on the wire, and gives the slow source fewer chunks', async () => {
    const { store: remote, manifest, data } = await seeded(40 * CHUNK + 123);
    const local = await newStore('local');
    const peers = { fast: peer(remote, { delayMs: 1, corruptNext: 1 }), slow: peer(remote, { delayMs: 25 }) };
    const { tm, maxInFlight } = mesh(local, peers);
    const progress: TransferProgress[] = [];
    const got = await tm.fetchBlob(manifest.cid, { sources: ['fast', 'slow'], onProgress: (p) => progress.push(p) });
    expect(got).toEqual(manifest);
    expect(await local.hasBlob(manifest.cid)).toBe(true);
    // (Buffer.equals: vitest's deep equality is slow on big arrays.)
    expect(Buffer.from(await local.readBlobBytes(manifest.cid)).equals(data)).toBe(true);
    // The corrupted chunk was refused and fetched again (from the other source first).
    const bad = peers.fast.corrupted![0];
    expect(peers.fast.corrupted).toHaveLength(1);
    expect(peers.slow.calls).toContain(bad);
    expect(peers.slow.calls.length).toBeLessThan(peers.fast.calls.length);
    expect(peers.fast.calls.length + peers.slow.calls.length).toBe(manifest.chunks.length + 1);
    expect(maxInFlight()).toBeLessThanOrEqual(4);
    expect(progress.at(-1)).toEqual({
      done_chunks: 41,
      total_chunks: 41,
      bytes: manifest.size_bytes,
      total_bytes: manifest.size_bytes,
    });
    // Already held: no further requests.
    await tm.fetchBlob(manifest.cid, { sources: ['fast'] });
    expect(peers.fast.manifestCalls + peers.slow.manifestCalls).toBe(1);
  });

  it('an abort mid-transfer keeps the chunks received; a resume after a restart fetches only the missing ones', async () => {
    const { store: remote, manifest } = await seeded(30 * CHUNK, 2);
    const local = await newStore('local');
    const peers = { a: peer(remote, { delayMs: 2 }), b: peer(remote, { delayMs: 2 }) };
    const ctrl = new AbortController();
    const { tm } = mesh(local, peers, 2);
    const run = tm.fetchBlob(manifest.cid, {
      sources: ['a', 'b'],
      signal: ctrl.signal,
      onProgress: (p) => p.done_chunks >= 10 && ctrl.abort(),
    });
    const err = await rejectsWith(run, 'cancelled');
    expect(err.wireCode).toBe('cancelled');
    expect(await local.hasBlob(manifest.cid)).toBe(false);
    const missing = (await local.missingChunks(manifest)).length;
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThanOrEqual(20);

    // "Crash": a new store and manager on the same directory.
    const again = await newStore('local', local.dir);
    const fresh = { a: peer(remote), b: peer(remote) };
    const { tm: tm2 } = mesh(again, fresh, 2);
    await tm2.fetchBlob(manifest.cid, { sources: ['a', 'b'] });
    expect(await again.hasBlob(manifest.cid)).toBe(true);
    expect(fresh.a.calls.length + fresh.b.calls.length).toBe(missing);
    expect(new Set([...fresh.a.calls, ...fresh.b.calls]).size).toBe(missing);
    // The manifest was kept with the partial transfer, not fetched again.
    expect(fresh.a.manifestCalls + fresh.b.manifestCalls).toBe(0);
  });

  it('drops a source that keeps failing and finishes from the others', async () => {
    const { store: remote, manifest } = await seeded(12 * CHUNK, 3);
    const local = await newStore('local');
    const peers = { dead: peer(remote, { broken: true }), ok: peer(remote) };
    const { tm } = mesh(local, peers, 2);
    await tm.fetchBlob(manifest.cid, { sources: ['dead', 'ok'] });
    expect(await local.hasBlob(manifest.cid)).toBe(true);
    expect(peers.dead.calls.length).toBeLessThanOrEqual(3);
  });

  it('all sources failing -> not_found naming the missing chunks; what arrived is kept', async () => {
    const { store: remote, manifest } = await seeded(8 * CHUNK, 4);
    const local = await newStore('local');
    const bad = new Set(manifest.chunks.slice(4).map((c) => c.cid));
    const peers = { a: peer(remote, { corrupt: bad }), b: peer(remote, { corrupt: bad }) };
    const { tm } = mesh(local, peers, 1);
    const err = await rejectsWith(tm.fetchBlob(manifest.cid, { sources: ['a', 'b'] }), 'not_found');
    expect(err).toBeInstanceOf(BlobError);
    expect(err.details.missing_chunks).toEqual([4, 5, 6, 7]);
    expect((err.details.sources as { dropped: boolean }[]).every((s) => s.dropped)).toBe(true);
    expect(await local.hasBlob(manifest.cid)).toBe(false);
    expect((await local.missingChunks(manifest)).length).toBe(4);
    // Bounded: each source is dropped after 3 failures in a row.
    expect(peers.a.calls.length + peers.b.calls.length).toBeLessThanOrEqual(4 + 6);
  });

  it('refuses a manifest whose CID does not match and uses another source; none -> not_found', async () => {
    const { store: remote, manifest } = await seeded(3 * CHUNK, 5);
    const { manifest: other } = await seeded(2 * CHUNK, 6);
    const local = await newStore('local');
    const peers = { liar: peer(remote, { wrongManifest: other }), honest: peer(remote) };
    const { tm } = mesh(local, peers);
    await tm.fetchBlob(manifest.cid, { sources: ['liar', 'honest'] });
    expect(await local.hasBlob(manifest.cid)).toBe(true);
    expect(peers.liar.manifestCalls).toBe(1);
    expect(peers.honest.manifestCalls).toBe(1);

    const local2 = await newStore('local2');
    const { tm: tm2 } = mesh(local2, {
      liar: peer(remote, { wrongManifest: other }),
      down: peer(remote, { broken: true }),
    });
    await rejectsWith(tm2.fetchBlob(manifest.cid, { sources: ['liar', 'down'] }), 'not_found');
    await rejectsWith(tm2.fetchBlob(manifest.cid, { sources: [] }), 'not_found');
    await rejectsWith(tm2.fetchBlob('blake3:nope', { sources: ['liar'] }), 'manifest_invalid');
    expect(await local2.listCids()).toEqual([]);
  });

  it('stop() cancels fetches in progress', async () => {
    const { store: remote, manifest } = await seeded(10 * CHUNK, 7);
    const local = await newStore('local');
    const { tm } = mesh(local, { a: peer(remote, { delayMs: 20 }) }, 1);
    const run = tm.fetchBlob(manifest.cid, { sources: ['a'] });
    const settled = rejectsWith(run, 'cancelled');
    await new Promise((r) => setTimeout(r, 0));
    await tm.stop();
    await settled;
  });
});

describe('TransferManager.advertise', () => {
  it('returns the file.cid.advertised data for blobs held in full, not_found otherwise', async () => {
    const { store, manifest } = await seeded(2 * CHUNK, 8);
    const tm = new TransferManager({
      store,
      fetchChunk: () => Promise.resolve(new Uint8Array()),
      fetchManifest: () => Promise.resolve(null),
    });
    expect(await tm.advertise([manifest.cid, manifest.cid])).toEqual({
      blobs: [{ cid: manifest.cid, size_bytes: 2 * CHUNK, mime_type: 'image/jpeg', filename: 'photo.jpg' }],
    });
    await store.deleteChunk(manifest.chunks[1].cid);
    await rejectsWith(tm.advertise([manifest.cid]), 'not_found');
    await rejectsWith(tm.advertise(['x']), 'manifest_invalid');
  });
});

describe('TransferManager.fetchBlob with batched streams (fetchChunks)', () => {
  /** A streaming fetcher over fake peers: each request names many chunks; a peer may lack some or corrupt one. */
  function batched(local: BlobStore, peers: Record<string, FakePeer & { lacks?: Set<Cid> }>, batchChunks = 8) {
    const requests: { source: string; n: number }[] = [];
    let held = 0;
    let maxHeld = 0;
    const tm = new TransferManager(
      {
        store: local,
        fetchChunk: () => Promise.reject(new Error('unused')),
        async fetchManifest(source, cid) {
          peers[source].manifestCalls++;
          return JSON.parse(JSON.stringify(await peers[source].store.readManifest(cid))) as BlobManifest;
        },
        async *fetchChunks(source, chunks, signal) {
          const p = peers[source];
          requests.push({ source, n: chunks.length });
          if (p.broken) throw new Error('connection refused');
          for (const c of chunks) {
            if (p.lacks?.has(c.cid)) continue;
            if (p.delayMs) await delay(p.delayMs, signal);
            p.calls.push(c.cid);
            const data = (await p.store.readChunk(c.cid)).slice();
            if ((p.corruptNext ?? 0) > 0) {
              data[0] ^= 0xff;
              p.corruptNext!--;
              p.corrupted = [...(p.corrupted ?? []), c.cid];
            }
            held++;
            maxHeld = Math.max(maxHeld, held);
            try {
              yield { cid: c.cid, data };
            } finally {
              held--;
            }
          }
        },
      },
      { batchChunks },
    );
    return { tm, requests, maxHeld: () => maxHeld };
  }

  it('asks for many chunks per request, refuses a corrupted one and takes what a source lacks from another', async () => {
    const { store: remote, manifest, data } = await seeded(40 * CHUNK + 7, 5);
    const local = await newStore('local');
    const lacks = new Set(manifest.chunks.slice(0, 12).map((c) => c.cid));
    const peers = { a: { ...peer(remote), corruptNext: 1, lacks }, b: peer(remote, { delayMs: 1 }) };
    const { tm, requests, maxHeld } = batched(local, peers);
    const progress: TransferProgress[] = [];
    await tm.fetchBlob(manifest.cid, { sources: ['a', 'b'], onProgress: (p) => progress.push(p) });
    expect(Buffer.from(await local.readBlobBytes(manifest.cid)).equals(data)).toBe(true);
    expect(requests.length).toBeLessThan(manifest.chunks.length / 2); // batches, not one call per chunk
    expect(Math.max(...requests.map((r) => r.n))).toBe(8);
    expect(peers.b.calls).toContain(peers.a.corrupted![0]); // refused, fetched again elsewhere
    for (const c of lacks) expect(peers.a.calls).not.toContain(c);
    expect(maxHeld()).toBeLessThanOrEqual(2); // TRANSFER_STREAMS streams, one chunk each
    expect(progress.at(-1)?.done_chunks).toBe(41);
  });

  it('a source that breaks mid-way is dropped; an abort keeps what arrived and a resume asks only for the rest', async () => {
    const { store: remote, manifest } = await seeded(30 * CHUNK, 6);
    const local = await newStore('local');
    const peers = { a: peer(remote, { broken: true }), b: peer(remote, { delayMs: 2 }) };
    const ctrl = new AbortController();
    const first = batched(local, peers, 4);
    await rejectsWith(
      first.tm.fetchBlob(manifest.cid, {
        sources: ['a', 'b'],
        signal: ctrl.signal,
        onProgress: (p) => p.done_chunks >= 9 && ctrl.abort(),
      }),
      'cancelled',
    );
    const missing = await local.missingChunks(manifest);
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.length).toBeLessThan(30 - 8);
    peers.b.calls = [];
    await batched(local, peers, 4).tm.fetchBlob(manifest.cid, { sources: ['b'] });
    expect(new Set(peers.b.calls)).toEqual(new Set(missing.map((r) => r.cid)));
    expect(await local.hasBlob(manifest.cid)).toBe(true);
  });
});
