/**
 * Files end to end: the same content added on two nodes has one CID; a third node pulls it from
 * both at once, resumes after an interruption with only the missing chunks, and refuses a
 * corrupted chunk from one holder, taking it from the other.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapabilityHandler, HandlerContext } from '../../../src-main/runtime/bus';
import type { RunningNode } from '../../../src-main/runtime/node';
import type { FrameData } from '../../../src-main/runtime/transport';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Wrap a node's local file.read handler: count the chunks it serves (unary or streamed), optionally delay or corrupt them. */
function tapFileRead(node: RunningNode) {
  const entry = node.bus.registry.allLocal().find((e) => e.descriptor.name === 'file.read')!;
  const inner = entry.handler!;
  const tap = { chunks: 0, delayMs: 0, corrupt: false };
  const touch = async (out: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (typeof out.data_b64 !== 'string') return out;
    tap.chunks++;
    if (tap.delayMs) await new Promise((r) => setTimeout(r, tap.delayMs));
    if (!tap.corrupt) return out;
    const bytes = Buffer.from(out.data_b64, 'base64');
    bytes[bytes.length >> 1] ^= 0xff;
    return { ...out, data_b64: bytes.toString('base64') };
  };
  const wrapped: CapabilityHandler = async (ctx: HandlerContext) => {
    const out = await inner(ctx);
    if (!out || typeof out !== 'object' || !(Symbol.asyncIterator in out)) return touch(out as Record<string, unknown>);
    return (async function* () {
      for await (const f of out as AsyncIterable<FrameData>)
        yield f.event === 'chunk' ? { ...f, data: await touch(f.data) } : f;
    })();
  };
  entry.handler = wrapped;
  // Pieces for a known neighbour go over the binary path (POST /blobs/v1/chunks): tap it too.
  const files = node.scope()!.services.files;
  const serve = files.serveChunks.bind(files);
  files.serveChunks = async function* (caller, req, signal) {
    for await (const r of serve(caller, req, signal)) {
      tap.chunks++;
      if (tap.delayMs) await new Promise((res) => setTimeout(res, tap.delayMs));
      if (!tap.corrupt) yield r;
      else {
        const bytes = Buffer.from(r.data);
        bytes[bytes.length >> 1] ^= 0xff;
        yield { index: r.index, data: bytes };
      }
    }
  };
  return tap;
}

/** Resolves once `count()` has not changed for 200 ms (at most 5 s). */
async function quiet(count: () => number): Promise<void> {
  let last = count();
  let since = Date.now();
  await waitFor(
    () => {
      if (count() !== last) [last, since] = [count(), Date.now()];
      return Date.now() - since >= 200;
    },
    5_000,
    'the holders to stop sending',
  );
}

describe('files across the mesh', () => {
  let mesh: Mesh;
  let alice: RunningNode;
  let bob: RunningNode;
  let carol: RunningNode;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hn-files-'));
    mesh = await createMesh(3);
    [alice, bob, carol] = mesh.nodes.map((m) => m.node);
    await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 2), 15_000, 'full mesh');
  }, 60_000);
  afterAll(async () => {
    await mesh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Add `bytes` as a file on alice and bob, advertise it from both, wait until carol can route to both. */
  async function shareFromTwo(name: string, bytes: Uint8Array): Promise<string> {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const [ma, mb] = await Promise.all([alice, bob].map((n) => n.scope()!.services.fileClient.addFile(path)));
    expect(ma.cid).toBe(mb.cid); // content addressed: same bytes, same id
    await Promise.all([alice, bob].map((n) => n.scope()!.services.files.advertise([ma.cid])));
    const want = [alice.kp.nodeIdFull, bob.kp.nodeIdFull].sort();
    await waitFor(
      () =>
        JSON.stringify([...carol.scope()!.services.sources.sourcesOf(ma.cid, carol.kp.nodeIdFull)].sort()) ===
        JSON.stringify(want),
      10_000,
      'carol to learn both holders',
    );
    await waitFor(
      () => carol.bus.registry.find('file.read', [1, 0]).filter((e) => !e.is_local).length === 2,
      10_000,
      'both file.read instances at carol',
    );
    return ma.cid;
  }

  it('fetches ~3 MB from two holders at once, resumes after an abort with only the missing chunks, identical bytes', async () => {
    const bytes = new Uint8Array(randomBytes(3_000_000));
    const cid = await shareFromTwo('big.bin', bytes);
    const manifest = await alice.scope()!.services.blobs.readManifest(cid);
    expect(manifest.chunks.length).toBe(12);
    const ta = tapFileRead(alice);
    const tb = tapFileRead(bob);
    ta.delayMs = tb.delayMs = 40; // slow enough that the abort lands mid-transfer

    const client = carol.scope()!.services.fileClient;
    const ac = new AbortController();
    const first = client.fetch(cid, { signal: ac.signal, onProgress: (p) => p.done_chunks >= 4 && ac.abort() });
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
    // The holders may still be sending a piece or two that was on its way when carol hung up:
    // wait until they are quiet, so the counts below cover the resumed fetch alone.
    await quiet(() => ta.chunks + tb.chunks);
    const store = carol.scope()!.services.blobs;
    const missing = await store.missingChunks(manifest);
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.length).toBeLessThan(12 - 3);
    expect(await store.hasBlob(cid)).toBe(false);
    const firstRun = { alice: ta.chunks, bob: tb.chunks };

    ta.chunks = tb.chunks = 0;
    ta.delayMs = tb.delayMs = 5;
    const done = await client.fetch(cid);
    expect(done.cid).toBe(cid);
    expect(ta.chunks + tb.chunks).toBe(missing.length); // only what was missing
    expect(firstRun.alice + ta.chunks).toBeGreaterThan(0);
    expect(firstRun.bob + tb.chunks).toBeGreaterThan(0); // both holders served
    const out = join(dir, 'big.out');
    await store.exportToFile(cid, out);
    expect(sha256(readFileSync(out))).toBe(sha256(bytes));
  });

  it('refuses a corrupted chunk from one holder and takes it from the other', async () => {
    // More pieces than one request carries (32), so both holders are asked whatever the order.
    const bytes = new Uint8Array(randomBytes(40 * 262_144 + 123));
    const cid = await shareFromTwo('small.bin', bytes);
    const chunks = (await alice.scope()!.services.blobs.readManifest(cid)).chunks.length;
    const ta = tapFileRead(alice);
    const tb = tapFileRead(bob);
    tb.corrupt = true;
    ta.delayMs = tb.delayMs = 2;

    const store = carol.scope()!.services.blobs;
    // Bob first, so he is surely asked however the pieces are spread over the parallel streams.
    await carol.scope()!.services.fileClient.fetch(cid, { sources: [bob.kp.nodeIdFull, alice.kp.nodeIdFull] });
    expect(tb.chunks).toBeGreaterThan(0); // bob was asked and lied
    expect(ta.chunks).toBe(chunks); // every chunk ended up coming from alice
    const out = join(dir, 'small.out');
    await store.exportToFile(cid, out);
    expect(sha256(readFileSync(out))).toBe(sha256(bytes));
  });

  it('fetches straight into a file (files get --out): the file and the store both hold it; a cancelled one leaves nothing behind', async () => {
    const bytes = new Uint8Array(randomBytes(6 * 262_144 + 777));
    const cid = await shareFromTwo('direct.bin', bytes);
    const client = carol.scope()!.services.fileClient;
    const store = carol.scope()!.services.blobs;
    const outDir = mkdtempSync(join(dir, 'out-'));

    // Cancelled after the first pieces: no target, no temp file; the pieces stay for a resume.
    const ta = tapFileRead(alice);
    const tb = tapFileRead(bob);
    ta.delayMs = tb.delayMs = 40;
    const ac = new AbortController();
    const cancelled = client.fetchToFile(cid, () => join(outDir, 'direct.out'), {
      signal: ac.signal,
      onProgress: (p) => p.done_chunks >= 2 && ac.abort(),
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    expect(readdirSync(outDir)).toEqual([]);
    const held = 7 - (await store.missingChunks(await alice.scope()!.services.blobs.readManifest(cid))).length;
    expect(held).toBeGreaterThan(0);

    // Resumed: only the missing pieces are asked for; the file is never visible under its final
    // name until it is whole (the pieces go into the blob's pack, which is moved there at the end).
    ta.delayMs = tb.delayMs = 0;
    let visibleEarly = false;
    let startedWith = -1;
    const { path, manifest } = await client.fetchToFile(cid, (m) => join(outDir, m.filename ?? 'x'), {
      onProgress: (p) => {
        if (startedWith < 0) startedWith = p.done_chunks; // the first report: what was already held
        visibleEarly ||= existsSync(join(outDir, 'direct.bin'));
      },
    });
    expect(visibleEarly).toBe(false);
    expect(startedWith).toBe(held); // resumed: the pieces from the cancelled try were kept, not fetched again
    expect(path).toBe(join(outDir, 'direct.bin'));
    expect(manifest.cid).toBe(cid);
    expect(sha256(readFileSync(path))).toBe(sha256(bytes));
    expect(await store.hasBlob(cid)).toBe(true); // kept, so carol can share it onward
    expect(readdirSync(outDir)).toEqual(['direct.bin']);

    // A blob already held: the file is written from the store alone.
    const again = await client.fetchToFile(cid, () => join(outDir, 'again.bin'));
    expect(sha256(readFileSync(again.path))).toBe(sha256(bytes));
    expect(existsSync(join(outDir, 'again.bin'))).toBe(true);
  });
});
